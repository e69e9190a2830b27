//! `deriv repl`: an interactive session. Options given after `repl` are its starting
//! state; commands (`:wrt x`, `:subst t=x`, `:total on`) change them, definitions last,
//! and `ans` is the last result. An expression line prints what the command line prints
//! with the same options, through the same code.
//!
//! On a terminal the line is edited with history and Tab completion (`editor`), and
//! Ctrl-C stops a long computation. With piped input the lines run as a script: no
//! prompts, no colours, and the exit code is the largest of its lines'.
//!
//! The files: `session` (the state and one line's work), `commands` (the `:` commands)
//! and `editor` (the terminal: line editing, history, completion).

mod commands;
mod editor;
mod session;

use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;

use super::Cli;
use super::color::{ColorChoice, STDERR_COLOR};
use super::run::{fail, io_exit};
use super::validate::usage_error;
use crate::error::Error;
use session::Session;

/// Runs `deriv repl OPTIONS` and returns the process exit code.
pub(super) fn run_repl(options: &[String]) -> u8 {
    let interactive = io::stdin().is_terminal();
    let args = std::iter::once("deriv").chain(options.iter().map(String::as_str));
    let mut start = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { 2 } else { 0 };
        }
    };
    if !interactive && start.color == ColorChoice::Auto {
        start.color = ColorChoice::Never;
    }
    let _ = STDERR_COLOR.set(start.color.enabled(io::stderr().is_terminal()));
    if start.expr.is_some() || start.file.is_some() || start.of.is_some() {
        return fail(&usage_error(
            "deriv repl takes options only: type the expressions at the prompt, or pipe them \
             in (`deriv repl --wrt x < exprs.txt`)"
                .into(),
        ));
    }
    let definitions = match start.definitions() {
        Ok(definitions) => definitions,
        Err(error) => return fail(&error),
    };
    start.defs.clear();
    let stop = Arc::new(AtomicBool::new(false));
    let mut session = Session::new(start, definitions, stop.clone());
    if interactive {
        // Ctrl-C during a computation stops it; at the prompt the editor reads it as a key.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed));
        editor::run(&mut session)
    } else {
        run_piped(&mut session)
    }
}

/// Runs the lines of standard input as a script and returns the largest exit code.
fn run_piped(session: &mut Session) -> u8 {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut out = io::stdout().lock();
    let mut code = 0;
    let mut line = Vec::new();
    while !session.done {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(source) => {
                return fail(&Error::Io {
                    context: "cannot read <stdin>".into(),
                    source,
                });
            }
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            session.line_no += 1;
            code = code.max(fail(&Error::Encoding {
                origin: session::ORIGIN.into(),
                line: session.line_no,
            }));
            continue;
        };
        let text = text.trim_end_matches(['\n', '\r']);
        match session
            .run_line(text, &mut out)
            .and_then(|c| out.flush().map(|()| c))
        {
            Ok(line_code) => code = code.max(line_code),
            Err(e) => return io_exit(e),
        }
    }
    code
}
