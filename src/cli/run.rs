//! The run loop: where the expressions come from, one expression or a batch of lines (with
//! the definitions among them), a definition as the target, and the exit code.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::sync::Arc;

use super::args::run_command;
use super::color::{STDERR_COLOR, report};
use super::guard::compute_guarded;
use super::repl::run_repl;
use super::stats::write_table;
use super::validate::usage_error;
use super::write::write_results;
use super::{Cli, Command};
use crate::error::Error;
use crate::expr::Pool;
use crate::model::{Definition, Script};
use crate::parse::ParseOptions;
use crate::request::{Mode, Request};

/// Where the expressions come from.
enum Source {
    Args(Vec<String>),
    Lines {
        reader: BufReader<Box<dyn Read + Send>>,
        origin: String,
    },
    /// A definition to differentiate: `--of`'s, or the last `--def`.
    Target,
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    if let Some(Command::Repl { options }) = &cli.command {
        return run_repl(options);
    }
    #[cfg(feature = "serve")]
    if let Some(Command::Serve(options)) = &cli.command {
        let _ = STDERR_COLOR.set(cli.color.enabled(io::stderr().is_terminal()));
        return super::serve::run_serve(options);
    }
    let _ = STDERR_COLOR.set(cli.color.enabled(io::stderr().is_terminal()));
    if let Some(command) = &cli.command {
        let mut out = io::stdout().lock();
        return match run_command(command, &mut out).and_then(|()| out.flush()) {
            Ok(()) => 0,
            Err(e) => io_exit(e),
        };
    }
    let request = match cli.request() {
        Ok(request) => request,
        Err(error) => return fail(&error),
    };
    let plot = match cli.plot() {
        Ok(plot) => plot,
        Err(error) => return fail(&error),
    };
    let source = match source(&cli) {
        Ok(source) => source,
        Err(error) => return fail(&error),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let code = match source {
        Source::Args(texts) => {
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            match compute_guarded(&cli, &request, &texts, None) {
                Ok((mut pool, outcome)) => {
                    let place = ("<expr>", None);
                    if let Some(plot) = &plot {
                        if let Err(error) = plot.write(&mut pool, &request, &texts, &mut out) {
                            report(&error.render(&texts.join(" "), "<expr>", 1));
                            return error.exit_code();
                        }
                        if plot.to_stdout() {
                            cli.warn(&outcome.warnings, &texts.join(" "), place.0, 1);
                            return out.flush().map_or_else(io_exit, |()| 0);
                        }
                    }
                    let code =
                        write_results(&mut out, &cli, &request, &texts, place, &mut pool, &outcome);
                    leave_to_exit(Some(pool));
                    match code {
                        Ok(code) => code,
                        Err(e) => return io_exit(e),
                    }
                }
                Err(error) => {
                    report(&error.render(&texts.join(" "), "<expr>", 1));
                    error.exit_code()
                }
            }
        }
        Source::Lines { reader, origin } => run_lines(&cli, &request, reader, &origin, &mut out),
        Source::Target => {
            let script = Script::seeded(&request.definitions);
            run_target(&cli, &request, &script, None, &mut out)
        }
    };
    match out.flush() {
        Ok(()) => {
            // One input's figures, or a batch's totals.
            write_table();
            code
        }
        Err(e) => io_exit(e),
    }
}

fn source(cli: &Cli) -> Result<Source, Error> {
    if let Some(path) = &cli.file {
        let file = File::open(path).map_err(|source| Error::Io {
            context: format!("cannot read {}", path.display()),
            source,
        })?;
        return Ok(Source::Lines {
            reader: BufReader::new(Box::new(file) as Box<dyn Read + Send>),
            origin: path.display().to_string(),
        });
    }
    match cli.expr.as_deref() {
        Some("-") => Ok(stdin_lines()),
        Some(first) => {
            let mut texts = vec![first.to_string()];
            texts.extend(cli.more.iter().cloned());
            Ok(Source::Args(texts))
        }
        None if cli.of.is_some() || !cli.defs.is_empty() => Ok(Source::Target),
        None if !io::stdin().is_terminal() => Ok(stdin_lines()),
        None => Err(usage_error(
            "no expression given: try `deriv \"x^2\" --wrt x`, or see --help".into(),
        )),
    }
}

fn stdin_lines() -> Source {
    Source::Lines {
        reader: BufReader::new(Box::new(io::stdin()) as Box<dyn Read + Send>),
        origin: "<stdin>".into(),
    }
}

/// Reports an error about no input (the options, a file, the output) and returns its
/// exit code.
pub(super) fn fail(error: &Error) -> u8 {
    report(&error.render("", "<expr>", 1));
    error.exit_code()
}

/// Broken pipes end the program quietly (`deriv ... | head`); other write errors fail.
pub(super) fn io_exit(error: io::Error) -> u8 {
    if error.kind() == io::ErrorKind::BrokenPipe {
        0
    } else {
        fail(&Error::Io {
            context: "cannot write the result".into(),
            source: error,
        })
    }
}

/// Differentiates the definition chosen by `--of`, or else the last one; `origin` names
/// the file for errors.
fn run_target(
    cli: &Cli,
    request: &Request,
    script: &Script,
    origin: Option<&str>,
    out: &mut impl Write,
) -> u8 {
    let target = match &cli.of {
        Some(name) => match script.definitions.iter().find(|d| d.name == *name) {
            Some(definition) => definition,
            None => {
                return fail(&usage_error(format!(
                    "--of {name}: nothing defines `{name}`{}",
                    origin.map_or(String::new(), |o| format!(" in {o}"))
                )));
            }
        },
        None => match script.last() {
            Some(definition) => definition,
            None => return 0,
        },
    };
    if target.params.is_some() {
        return fail(&usage_error(format!(
            "`{}` is a function: choose a variable to differentiate with --of",
            target.name
        )));
    }
    let mut request = request.clone();
    request.definitions = script.definitions.clone();
    request.name = Some(target.name.clone());
    let text = target.name.as_str();
    match compute_guarded(cli, &request, &[text], None) {
        Ok((mut pool, outcome)) => {
            let place = ("--of", None);
            match write_results(out, cli, &request, &[text], place, &mut pool, &outcome) {
                Ok(code) => code,
                Err(e) => io_exit(e),
            }
        }
        Err(error) => {
            report(&error.render(text, "--of", 1));
            error.exit_code()
        }
    }
}

/// Processes one expression or definition per line; a bad line is reported and the rest
/// still run. Expression lines use the definitions above them; a file of definitions
/// alone differentiates its last one (or `--of`'s). With `--jobs` above 1 the lines are
/// computed in parallel (see [`jobs`](super::jobs)), with the same output.
fn run_lines(
    cli: &Cli,
    request: &Request,
    reader: BufReader<Box<dyn Read + Send>>,
    origin: &str,
    out: &mut impl Write,
) -> u8 {
    let jobs = super::jobs::jobs(cli);
    if jobs > 1 {
        return super::jobs::run_parallel(cli, request, reader, origin, out, jobs);
    }
    let mut sink = Sequential {
        cli,
        origin,
        out: &mut *out,
        code: 0,
        last_pool: None,
    };
    let ended = read_lines(cli, request, reader, origin, &mut sink);
    let (code, last_pool) = (sink.code, sink.last_pool);
    let code = match ended {
        Ended::Input(end) => code.max(finish_lines(cli, &end, origin, out)),
        Ended::Stopped(code) => code,
    };
    leave_to_exit(last_pool);
    code
}

/// What the line loop does with the lines it has read: computes them at once
/// ([`Sequential`]) or hands them to workers.
pub(super) trait Lines {
    /// Before a read that may wait for more input: everything so far goes out.
    fn waiting(&mut self) -> io::Result<()>;
    /// Before a report on stderr about a line that is not an expression.
    fn reporting(&mut self) -> io::Result<()>;
    /// An expression line, under `request`.
    fn expression(&mut self, request: &Arc<Request>, text: &str, line_no: usize) -> io::Result<()>;
}

/// How the line loop ended.
pub(super) enum Ended {
    /// At the end of the input, with what a target (`--of`) needs.
    Input(End),
    /// At an error that ends the run, with the exit code (not counting the lines' codes).
    Stopped(u8),
}

/// The state at the end of the input.
pub(super) struct End {
    request: Arc<Request>,
    script: Script,
    expressions: usize,
    /// The largest exit code of the definition lines and of the lines that did not read.
    code: u8,
}

/// Reads the lines, keeps the definitions (in order: a line uses those above it), and
/// passes each expression line to `sink`.
pub(super) fn read_lines(
    cli: &Cli,
    request: &Request,
    mut reader: BufReader<Box<dyn Read + Send>>,
    origin: &str,
    sink: &mut impl Lines,
) -> Ended {
    let mut request = Arc::new(request.clone());
    let mut script = Script::seeded(&request.definitions);
    let options = ParseOptions {
        max_depth: cli.max_depth,
        ..ParseOptions::default()
    };
    let mut expressions = 0usize;
    let mut code = 0;
    let mut line = Vec::new();
    let mut line_no = 0;
    loop {
        line.clear();
        // Results stream: before a read that may wait for more input, everything computed
        // so far goes out.
        if !reader.buffer().contains(&b'\n')
            && let Err(e) = sink.waiting()
        {
            return Ended::Stopped(io_exit(e));
        }
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(source) => {
                return Ended::Stopped(fail(&Error::Io {
                    context: format!("cannot read {origin}"),
                    source,
                }));
            }
        }
        line_no += 1;
        let Ok(text) = std::str::from_utf8(&line) else {
            code = code.max(fail(&Error::Encoding {
                origin: origin.to_string(),
                line: line_no,
            }));
            continue;
        };
        let text = text.trim_end_matches(['\n', '\r']);
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let definition = match request.mode {
            Mode::Implicit => None,
            _ => Definition::read(text),
        };
        if let Some(definition) = definition {
            let defined = definition.and_then(|d| {
                let warnings = script.warnings(&d, &options);
                script.define(d, line_no, &options).map(|()| warnings)
            });
            match defined {
                Ok(warnings) => {
                    Arc::make_mut(&mut request).definitions = script.definitions.clone();
                    if !warnings.is_empty() {
                        if let Err(e) = sink.reporting() {
                            return Ended::Stopped(io_exit(e));
                        }
                        cli.warn(&warnings, text, origin, line_no);
                    }
                }
                Err(error) => {
                    if let Err(e) = sink.reporting() {
                        return Ended::Stopped(io_exit(e));
                    }
                    report(&error.render(text, origin, line_no));
                    code = code.max(error.exit_code());
                }
            }
            continue;
        }
        script.note_uses(text, line_no);
        expressions += 1;
        if cli.emit.is_some() {
            // Each line's function gets its own name: `f3_and_gradient` for line 3.
            Arc::make_mut(&mut request).name = Some(format!("f{line_no}"));
        }
        if let Err(e) = sink.expression(&request, text, line_no) {
            return Ended::Stopped(io_exit(e));
        }
    }
    Ended::Input(End {
        request,
        script,
        expressions,
        code,
    })
}

/// After the lines: the target of `--of`, or the last definition of a file of definitions
/// alone. Returns the largest exit code of the definition lines and the target.
pub(super) fn finish_lines(cli: &Cli, end: &End, origin: &str, out: &mut impl Write) -> u8 {
    let mut code = end.code;
    if cli.of.is_some() || (end.expressions == 0 && !end.script.definitions.is_empty()) {
        let target = run_target(cli, &end.request, &end.script, Some(origin), out);
        code = code.max(target);
    }
    code
}

/// The lines computed one after the other, each written as soon as it is computed.
struct Sequential<'a, W: Write> {
    cli: &'a Cli,
    origin: &'a str,
    out: &'a mut W,
    code: u8,
    /// The last line's pool: freed when the next line's comes, left to the exit at the end.
    last_pool: Option<Pool>,
}

impl<W: Write> Lines for Sequential<'_, W> {
    fn waiting(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn reporting(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn expression(&mut self, request: &Arc<Request>, text: &str, line_no: usize) -> io::Result<()> {
        let place = (self.origin, line_no);
        let code = expression_line(
            self.cli,
            request,
            text,
            place,
            self.out,
            &mut self.last_pool,
        )?;
        self.code = self.code.max(code);
        Ok(())
    }
}

/// Computes one expression line and writes its results (or reports its error); returns
/// its exit code. Its pool replaces `last_pool` (which frees the previous one).
pub(super) fn expression_line(
    cli: &Cli,
    request: &Request,
    text: &str,
    (origin, line_no): (&str, usize),
    out: &mut impl Write,
    last_pool: &mut Option<Pool>,
) -> io::Result<u8> {
    match compute_guarded(cli, request, &[text], None) {
        Ok((mut pool, outcome)) => {
            let place = (origin, Some(line_no));
            let code = write_results(out, cli, request, &[text], place, &mut pool, &outcome)?;
            *last_pool = Some(pool);
            Ok(code)
        }
        Err(error) => {
            // Keep the order of results and errors when both go to a terminal.
            out.flush()?;
            report(&error.render(text, origin, line_no));
            Ok(error.exit_code())
        }
    }
}

/// Leaves a pool that is no longer needed to the end of the process: the operating system
/// reclaims its memory at once, where freeing it node by node takes 5% of a 40th
/// derivative's run.
pub(super) fn leave_to_exit(pool: Option<Pool>) {
    std::mem::forget(pool);
}
