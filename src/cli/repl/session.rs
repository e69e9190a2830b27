//! The session: its options, definitions and `ans`, and one line's work. An expression
//! line runs as the command line runs it: the options are read again by clap, validated
//! into a request, computed under the limits and written by the same functions.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;

use super::commands;
use crate::cli::Cli;
use crate::cli::color::report;
use crate::cli::guard::compute_guarded;
use crate::cli::stats::write_table;
use crate::cli::validate::{clap_message, usage_error};
use crate::cli::write::write_results;
use crate::error::Error;
use crate::expr::ExprId;
use crate::model::{Definition, Script, mentioned_names};
use crate::parse::ParseOptions;
use crate::print::print;

/// What errors name as the place of a line.
pub(super) const ORIGIN: &str = "<repl>";

/// The name of the last result.
const ANS: &str = "ans";

/// A session's state.
pub(super) struct Session {
    /// The options now: the starting ones, changed by commands.
    pub(super) cli: Cli,
    /// The options the session started with, for `:reset`.
    pub(super) start: Cli,
    /// The definitions, in order, each with the number of the line that made it.
    pub(super) definitions: Vec<(Definition, usize)>,
    /// The first result of the last expression, in plain text: `ans`.
    pub(super) ans: Option<String>,
    /// The number of the line being run, for errors.
    pub(super) line_no: usize,
    /// Raised by Ctrl-C: stops the computation running.
    pub(super) stop: Arc<AtomicBool>,
    /// Set by `:quit`.
    pub(super) done: bool,
}

impl Session {
    /// A session that starts with `start`'s options and its `--def` definitions.
    pub(super) fn new(start: Cli, definitions: Vec<Definition>, stop: Arc<AtomicBool>) -> Session {
        Session {
            cli: start.clone(),
            start,
            definitions: definitions.into_iter().map(|d| (d, 0)).collect(),
            ans: None,
            line_no: 0,
            stop,
            done: false,
        }
    }

    /// Runs one line: a command (`:wrt x`), a definition (`h = x^2`) or an expression.
    /// Results go to `out`, errors and warnings to standard error; returns the line's exit
    /// code (0, or the error's).
    pub(super) fn run_line(&mut self, text: &str, out: &mut impl Write) -> io::Result<u8> {
        self.line_no += 1;
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Ok(0);
        }
        let result = if trimmed.starts_with(':') {
            commands::run(self, text, out)
        } else {
            // With --implicit, `y = sin(x*y)` is an equation, as in a batch.
            let definition = match self.cli.implicit {
                Some(_) => None,
                None => Definition::read(text),
            };
            match definition {
                Some(definition) => definition.and_then(|d| self.define(d)),
                None => return self.compute(text, out),
            }
        };
        Ok(match result {
            Ok(()) => 0,
            Err(error) => {
                out.flush()?;
                self.report(&error, text);
                error.exit_code()
            }
        })
    }

    /// Writes an error about the line `text` to standard error.
    pub(super) fn report(&self, error: &Error, text: &str) {
        report(&error.render(text, ORIGIN, self.line_no));
    }

    /// Computes an expression line with the session's options and definitions.
    fn compute(&mut self, text: &str, out: &mut impl Write) -> io::Result<u8> {
        // `ans` is its value, in brackets: the line as computed (and shown by errors).
        let text = &self.without_ans(text);
        let mut cli = self.cli.clone();
        cli.expr = Some(text.to_string());
        let computed = reread(&cli).and_then(|cli| {
            let mut request = cli.request()?;
            request.definitions = self.definitions.iter().map(|(d, _)| d.clone()).collect();
            self.stop.store(false, Ordering::Relaxed);
            let (mut pool, outcome) = compute_guarded(&cli, &request, &[text], Some(&self.stop))?;
            // With --plot, each line redraws the chart, as the command line draws it.
            let plot = cli.plot()?;
            if let Some(plot) = &plot {
                plot.write(&mut pool, &request, &[text], out)?;
            }
            let results = !plot.as_ref().is_some_and(|p| p.to_stdout());
            Ok((cli, request, pool, outcome, results))
        });
        match computed {
            Ok((cli, request, mut pool, outcome, results)) => {
                let place = (ORIGIN, Some(self.line_no));
                let code = if results {
                    write_results(out, &cli, &request, &[text], place, &mut pool, &outcome)?
                } else {
                    0
                };
                out.flush()?;
                write_table();
                if let Some(line) = outcome.lines.first()
                    && line.value != ExprId::UNDEFINED
                {
                    self.ans = Some(print(&pool, line.value));
                }
                Ok(code)
            }
            Err(error) => {
                out.flush()?;
                self.report(&error, text);
                Ok(error.exit_code())
            }
        }
    }

    /// Adds a definition, or replaces the one of the same name in its place, and checks
    /// them all in order (a name used before its definition, a function calling itself).
    /// `ans = …` sets `ans`. `ans` in a definition means its value now, as in an
    /// expression.
    fn define(&mut self, definition: Definition) -> Result<(), Error> {
        let definition = match &self.ans {
            Some(_) if mentioned_names(definition.body()).contains(&ANS) => {
                match Definition::read(&self.without_ans(&definition.text)) {
                    Some(read) => read?,
                    None => definition,
                }
            }
            _ => definition,
        };
        let options = ParseOptions {
            max_depth: self.cli.max_depth,
            ..ParseOptions::default()
        };
        if definition.name == ANS && definition.params.is_none() {
            Script::default().define(definition.clone(), self.line_no, &options)?;
            self.ans = Some(definition.body().trim().to_string());
            return Ok(());
        }
        let mut definitions = self.definitions.clone();
        let name = definition.name.clone();
        let entry = (definition, self.line_no);
        match definitions.iter().position(|(d, _)| d.name == name) {
            Some(at) => definitions[at] = entry,
            None => definitions.push(entry),
        }
        let mut script = Script::default();
        for (definition, line) in &definitions {
            let warnings = script.warnings(definition, &options);
            if let Err(error) = script.define(definition.clone(), *line, &options) {
                return Err(if definition.name == name {
                    error
                } else {
                    // An earlier definition that the new one breaks.
                    usage_error(format!(
                        "defining `{name}` here breaks the definition of `{}` on line {line}: \
                         {error}",
                        definition.name
                    ))
                });
            }
            if definition.name == name {
                self.cli
                    .warn(&warnings, &definition.text, ORIGIN, self.line_no);
            }
        }
        self.definitions = definitions;
        Ok(())
    }

    /// `text` with the name `ans` replaced by its value in brackets.
    fn without_ans(&self, text: &str) -> String {
        let Some(ans) = &self.ans else {
            return text.to_string();
        };
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for name in mentioned_names(text) {
            if name != ANS {
                continue;
            }
            let at = name.as_ptr() as usize - text.as_ptr() as usize;
            // A call `ans(…)` is a function's name, not the value.
            if text[at + ANS.len()..].trim_start().starts_with('(') {
                continue;
            }
            out.push_str(&text[copied..at]);
            out.push('(');
            out.push_str(ans);
            out.push(')');
            copied = at + ANS.len();
        }
        out.push_str(&text[copied..]);
        out
    }

    /// The names a line can use: the definitions', and `ans` once there is a result.
    pub(super) fn names(&self) -> Vec<String> {
        let defined = self.definitions.iter().map(|(d, _)| d.name.clone());
        let ans = self.ans.as_ref().map(|_| ANS.to_string());
        defined.chain(ans).collect()
    }
}

/// The options read again by clap, as the command line reads them: a conflict between
/// options is clap's error, reworded as a usage error.
pub(super) fn reread(cli: &Cli) -> Result<Cli, Error> {
    let args = std::iter::once("deriv".to_string()).chain(cli.to_args());
    Cli::try_parse_from(args).map_err(|error| Error::Usage {
        message: clap_message(&error),
        help: Some("`:show` lists the options in use".into()),
    })
}
