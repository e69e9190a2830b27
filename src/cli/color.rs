//! Errors and warnings on standard error: the `--color` choice, the colouring, and
//! `--quiet`.

use super::Cli;
use super::jobs::to_stderr;
use crate::error::Warning;

/// The values of `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal unless `NO_COLOR` is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub(super) fn enabled(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Whether standard error is coloured; set once by [`run`](fn@super::run).
pub(super) static STDERR_COLOR: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

const RED: &str = "\x1b[1;31m";
const BOLD: &str = "\x1b[1m";
const CYAN: &str = "\x1b[36m";
const YELLOW: &str = "\x1b[1;33m";
const RESET: &str = "\x1b[0m";

/// Writes an error or warning report to stderr: `error` in red, `warning` in yellow, carets
/// in red, help in cyan, when colour is on.
pub(super) fn report(text: &str) {
    if !STDERR_COLOR.get().copied().unwrap_or(false) {
        to_stderr(text);
        return;
    }
    let mut painted = String::with_capacity(text.len() + 32);
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let is_caret = body.contains('^')
            && body.trim_start().starts_with('|')
            && body.chars().all(|c| matches!(c, ' ' | '|' | '^'));
        if let Some(rest) = body.strip_prefix("error:") {
            painted.push_str(&format!("{RED}error{RESET}{BOLD}:{rest}{RESET}"));
        } else if let Some(rest) = body.strip_prefix("warning:") {
            painted.push_str(&format!("{YELLOW}warning{RESET}{BOLD}:{rest}{RESET}"));
        } else if is_caret {
            let k = body.find('^').unwrap_or(0);
            painted.push_str(&format!("{}{RED}{}{RESET}", &body[..k], &body[k..]));
        } else if let Some(rest) = body.strip_prefix("  = help:") {
            painted.push_str(&format!("  {CYAN}= help:{RESET}{rest}"));
        } else {
            painted.push_str(body);
        }
        painted.push_str(newline);
    }
    to_stderr(&painted);
}

impl Cli {
    /// Reports `warnings` about `source` on stderr, unless `--quiet`.
    pub(super) fn warn(&self, warnings: &[Warning], source: &str, origin: &str, line: usize) {
        if self.quiet {
            return;
        }
        for warning in warnings {
            report(&warning.render(source, origin, line));
        }
    }
}
