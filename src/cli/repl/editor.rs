//! The session on a terminal: line editing, history kept in the user's data directory,
//! and Tab completion of commands, built-in functions and the session's names, with
//! rustyline (a small, widely used line editor; reedline brings a whole terminal UI
//! toolkit for features a REPL of one-line inputs does not need).

use std::io;
use std::path::PathBuf;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::{DefaultHistory, History};
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use super::commands::COMMANDS;
use super::session::Session;
use crate::cli::run::io_exit;
use crate::expr::func::builtin_names;

/// The prompt.
const PROMPT: &str = "deriv> ";

/// Runs the session on the terminal until `:quit` or Ctrl-D; the exit code.
pub(super) fn run(session: &mut Session) -> u8 {
    let mut editor = match Editor::<Completion, DefaultHistory>::new() {
        Ok(editor) => editor,
        Err(error) => {
            eprintln!("error: cannot use the terminal: {error}");
            return 2;
        }
    };
    editor.set_helper(Some(Completion::default()));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    println!(
        "deriv {}: type an expression, or :help",
        env!("CARGO_PKG_VERSION")
    );
    let mut out = io::stdout();
    while !session.done {
        if let Some(helper) = editor.helper_mut() {
            helper.names = session.names();
        }
        match editor.readline(PROMPT) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                    if let Some(path) = &history {
                        let _ = editor.history_mut().append(path);
                    }
                }
                if let Err(e) = session.run_line(&line, &mut out) {
                    return io_exit(e);
                }
            }
            // Ctrl-C at the prompt: a fresh line, as in a shell.
            Err(ReadlineError::Interrupted) => {}
            Err(ReadlineError::Eof) => break,
            Err(error) => {
                eprintln!("error: cannot read the line: {error}");
                return 2;
            }
        }
    }
    0
}

/// The history file: `deriv/history` in the platform's data directory
/// (`$XDG_DATA_HOME` or `~/.local/share` on Linux), created when missing.
fn history_path() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("deriv");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}

/// Tab completion, with the session's names as of the last line.
#[derive(Default)]
struct Completion {
    names: Vec<String>,
}

impl Completer for Completion {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, found) = completions(line, pos, &self.names);
        let pairs = found
            .into_iter()
            .map(|word| Pair {
                display: word.trim_end_matches(['(', ' ']).to_string(),
                replacement: word,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for Completion {
    type Hint = String;
}

impl Highlighter for Completion {}

impl Validator for Completion {}

impl Helper for Completion {}

/// Where the word before `pos` starts, and its completions: a command at the start of
/// the line (with a space), a command's values after it, or a built-in function (with
/// its bracket), a constant or a name of the session.
pub(super) fn completions(line: &str, pos: usize, names: &[String]) -> (usize, Vec<String>) {
    let before = &line[..pos];
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &before[start..];
    let head = before[..start].trim();
    let mut found: Vec<String> = if head.is_empty() && word.starts_with(':') {
        COMMANDS.iter().map(|(c, _, _)| format!("{c} ")).collect()
    } else if let Some(values) = command_values(head) {
        values.iter().map(|v| v.to_string()).collect()
    } else if word.is_empty() || word.starts_with(':') || !takes_expression(head) {
        Vec::new()
    } else {
        builtin_names()
            .map(|f| format!("{f}("))
            .chain(["pi", "e"].map(String::from))
            .chain(names.iter().cloned())
            .collect()
    };
    found.retain(|c| c.starts_with(word));
    found.sort();
    found.dedup();
    (start, found)
}

/// Whether what follows `head` is an expression: a line of its own, or a constraint or a
/// point (`:subst t=`, `:at x=`).
fn takes_expression(head: &str) -> bool {
    !head.starts_with(':') || head.starts_with(":subst") || head.starts_with(":at")
}

/// The values a command takes, after its name.
fn command_values(head: &str) -> Option<&'static [&'static str]> {
    match head {
        ":format" => Some(&["plain", "latex", "unicode", "mathml", "json"]),
        ":form" => Some(&["auto", "computed", "factored", "together", "expanded"]),
        ":total" | ":steps" | ":explain" | ":verify" => Some(&["on", "off"]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::completions;

    fn complete(line: &str) -> Vec<String> {
        completions(line, line.len(), &["phi".into(), "h1".into()]).1
    }

    #[test]
    fn commands_at_the_start_of_a_line() {
        assert_eq!(complete(":wr"), [":wrt "]);
        assert_eq!(complete(":f"), [":form ", ":format "]);
        assert!(complete("x + :wr").is_empty());
    }

    #[test]
    fn functions_constants_and_the_sessions_names() {
        assert_eq!(complete("1 + sq"), ["sqrt("]);
        assert_eq!(complete("ph"), ["phi"]);
        assert_eq!(complete("2*h"), ["h1", "hypot("]);
        assert!(complete("asi").contains(&"asinh(".to_string()));
        assert!(complete("x + ").is_empty());
    }

    #[test]
    fn the_values_of_a_command() {
        assert_eq!(complete(":format u"), ["unicode"]);
        assert_eq!(complete(":total o"), ["off", "on"]);
        assert_eq!(complete(":form to"), ["together"]);
    }

    #[test]
    fn the_word_starts_after_the_last_operator() {
        let (start, found) = completions("x*co", 4, &[]);
        assert_eq!(start, 2);
        assert!(found.contains(&"cos(".to_string()));
    }
}
