//! The session's commands: `:wrt x`, `:subst t=x`, `:show`, … Each option command
//! changes the session's options, which clap then reads again, so that options that do
//! not fit together are refused as on the command line.

use std::io::{self, Write};

use super::session::{Session, reread};
use crate::cli::args::{FormArg, FormatArg};
use crate::error::{Error, Span};
use crate::parse::{check_variable, split_top_level};
use crate::request::parse_assignment;

/// Every command: its name, an example and what it does (`:help` prints them).
pub(super) const COMMANDS: [(&str, &str, &str); 16] = [
    (
        ":wrt",
        ":wrt x,y",
        "differentiate in these variables (`:wrt` alone: simplify only)",
    ),
    (":total", ":total on", "total derivatives on or off"),
    (
        ":subst",
        ":subst t=x",
        "add a constraint (`:subst -t` drops it, `:subst` alone all)",
    ),
    (
        ":at",
        ":at x=1",
        "evaluate at a point (`:at -x` drops x, `:at` alone all)",
    ),
    (
        ":format",
        ":format unicode",
        "plain, latex, unicode, mathml or json",
    ),
    (
        ":form",
        ":form factored",
        "auto, computed, factored, together or expanded",
    ),
    (
        ":steps",
        ":steps on",
        "show the derivation rule by rule (on or off)",
    ),
    (
        ":explain",
        ":explain on",
        "partial against total, the chain terms (on or off)",
    ),
    (
        ":verify",
        ":verify on",
        "check every result numerically (on or off)",
    ),
    (":show", ":show", "print the options, as a command line too"),
    (":defs", ":defs", "print the definitions and ans"),
    (":clear", ":clear", "forget the definitions and ans"),
    (
        ":reset",
        ":reset",
        "go back to the options the session started with",
    ),
    (":help", ":help", "this list"),
    (":quit", ":quit", "end the session (Ctrl-D too)"),
    (":exit", ":exit", "end the session"),
];

/// Runs a command line (it starts with `:`).
pub(super) fn run(session: &mut Session, text: &str, out: &mut impl Write) -> Result<(), Error> {
    let start = text.len() - text.trim_start().len();
    let line = text.trim();
    let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    // Where the argument starts in `text`, for carets.
    let arg_at = if rest.is_empty() {
        text.trim_end().len()
    } else {
        start + line.len() - line[name.len()..].trim_start().len()
    };
    let arg = Arg {
        text: rest,
        at: arg_at,
    };
    let io = |e: io::Error| Error::Io {
        context: "cannot write".into(),
        source: e,
    };
    let before = session.cli.clone();
    match name {
        ":wrt" => {
            let mut vars = Vec::new();
            for (offset, part) in split_top_level(arg.text) {
                let var = part.trim();
                if var.is_empty() && arg.text.is_empty() {
                    continue;
                }
                check_variable(var).map_err(|m| match var.is_empty() {
                    true => arg.error(offset, 0, "a variable is missing".into()),
                    false => arg.error(offset, part.len(), m),
                })?;
                vars.push(var.to_string());
            }
            session.cli.wrt = vars;
        }
        ":total" => session.cli.total = arg.switch()?,
        ":steps" => session.cli.steps = arg.switch()?,
        ":explain" => session.cli.explain = arg.switch()?,
        ":verify" => session.cli.verify = arg.switch()?,
        ":subst" => assign(&mut session.cli.subst, &arg, "--subst")?,
        ":at" => assign(&mut session.cli.at, &arg, "--at")?,
        ":format" => {
            session.cli.format = arg.choice::<FormatArg>()?;
            session.cli.latex = false;
        }
        ":form" => session.cli.form = arg.choice::<FormArg>()?,
        ":show" => show(session, out).map_err(io)?,
        ":defs" => defs(session, out).map_err(io)?,
        ":clear" => {
            session.definitions.clear();
            session.ans = None;
        }
        ":reset" => session.cli = session.start.clone(),
        ":help" => help(out).map_err(io)?,
        ":quit" | ":exit" | ":q" => session.done = true,
        _ => {
            let known = COMMANDS.iter().map(|(c, _, _)| *c);
            let near = known
                .clone()
                .find(|c| c.starts_with(name) || name.starts_with(c));
            return Err(Error::Name {
                message: format!("unknown command `{name}`"),
                span: Span::new(start, start + name.len()),
                help: Some(match near {
                    Some(command) => {
                        format!("did you mean `{command}`? `:help` lists the commands")
                    }
                    None => "`:help` lists the commands".into(),
                }),
            });
        }
    }
    // Options that do not fit together are refused as on the command line.
    let mut probe = session.cli.clone();
    probe.expr = Some("x".into());
    if let Err(error) = reread(&probe) {
        session.cli = before;
        return Err(match error {
            Error::Usage { message, help } => Error::Usage {
                message: format!("`{line}` does not fit the options in use: {message}"),
                help,
            },
            other => other,
        });
    }
    out.flush().map_err(io)
}

/// A command's argument and where it starts in the line.
struct Arg<'a> {
    text: &'a str,
    at: usize,
}

impl Arg<'_> {
    /// An error about `len` bytes of the argument from `offset`.
    fn error(&self, offset: usize, len: usize, message: String) -> Error {
        Error::Syntax {
            message,
            span: Span::new(self.at + offset, self.at + offset + len.max(1)),
            help: None,
        }
    }

    /// `on` (or nothing) or `off`.
    fn switch(&self) -> Result<bool, Error> {
        match self.text {
            "" | "on" => Ok(true),
            "off" => Ok(false),
            other => Err(self.error(0, other.len(), format!("expected on or off, not `{other}`"))),
        }
    }

    /// One of a value enum's names.
    fn choice<T: clap::ValueEnum>(&self) -> Result<T, Error> {
        T::from_str(self.text, true).map_err(|_| {
            let names: Vec<String> = T::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
                .collect();
            self.error(
                0,
                self.text.len(),
                format!("expected one of {}", names.join(", ")),
            )
        })
    }
}

/// `:subst` and `:at`: `VAR=EXPR` (several separated by commas) replaces VAR's
/// assignment, `-VAR` drops it, nothing drops them all.
fn assign(list: &mut Vec<String>, arg: &Arg<'_>, option: &'static str) -> Result<(), Error> {
    if arg.text.is_empty() {
        list.clear();
        return Ok(());
    }
    let var_of = |text: &str| {
        text.split('=')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    if let Some(var) = arg.text.strip_prefix('-') {
        let var = var.trim();
        if !list.iter().any(|a| var_of(a) == var) {
            let (what, all) = match option {
                "--at" => ("value", "the point"),
                _ => ("constraint", "the constraints"),
            };
            let now = match list.is_empty() {
                true => format!("{all}: none"),
                false => format!("{all}: {}", list.join(", ")),
            };
            return Err(arg.error(0, arg.text.len(), format!("`{var}` has no {what} ({now})")));
        }
        list.retain(|a| var_of(a) != var);
        return Ok(());
    }
    for (offset, part) in split_top_level(arg.text) {
        let assignment =
            parse_assignment(arg.text, part, offset, option).map_err(|error| match error {
                Error::Option { error, .. } => error.shifted(arg.at),
                other => other,
            })?;
        list.retain(|a| var_of(a) != assignment.var);
        list.push(part.trim().to_string());
    }
    Ok(())
}

/// `:show`: each option the commands set, then the whole state as a command line.
fn show(session: &Session, out: &mut impl Write) -> io::Result<()> {
    let cli = &session.cli;
    let on = |b: bool| if b { "on" } else { "off" };
    let list = |l: &[String]| {
        if l.is_empty() {
            "(none)".to_string()
        } else {
            l.join(", ")
        }
    };
    let format = if cli.latex {
        "latex".to_string()
    } else {
        name_of(cli.format)
    };
    writeln!(out, "wrt: {}", list(&cli.wrt))?;
    writeln!(out, "total: {}", on(cli.total))?;
    writeln!(out, "subst: {}", list(&cli.subst))?;
    writeln!(out, "at: {}", list(&cli.at))?;
    writeln!(out, "format: {format}")?;
    writeln!(out, "form: {}", name_of(cli.form))?;
    writeln!(out, "steps: {}", on(cli.steps))?;
    writeln!(out, "explain: {}", on(cli.explain))?;
    writeln!(out, "verify: {}", on(cli.verify))?;
    // The colours follow the terminal, not the state.
    let args: Vec<String> = (cli.to_args().iter())
        .filter(|a| !a.starts_with("--color="))
        .map(|a| match a.split_once('=') {
            Some((option, value)) if !value.starts_with('-') => {
                format!("{option} {}", quoted(value))
            }
            _ => quoted(a),
        })
        .collect();
    writeln!(
        out,
        "command line: deriv EXPR {}",
        args.join(" ").trim_end()
    )
}

/// `:defs`: the definitions in order, then `ans`.
fn defs(session: &Session, out: &mut impl Write) -> io::Result<()> {
    if session.definitions.is_empty() && session.ans.is_none() {
        return writeln!(out, "(no definitions)");
    }
    for (definition, _) in &session.definitions {
        writeln!(out, "{}", definition.text.trim())?;
    }
    if let Some(ans) = &session.ans {
        writeln!(out, "ans = {ans}")?;
    }
    Ok(())
}

/// `:help`: what a line can be, and every command with an example.
fn help(out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "A line is an expression (differentiated with the options), a definition"
    )?;
    writeln!(
        out,
        "(`h = x^2`, `phi(s) = 1/(1 + exp(-s))`) or a command; `ans` is the last result."
    )?;
    for (_, example, what) in COMMANDS {
        writeln!(out, "  {example:<18} {what}")?;
    }
    Ok(())
}

/// A value enum's name on the command line.
fn name_of<T: clap::ValueEnum>(value: T) -> String {
    value
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string())
}

/// An argument as a shell reads it back: quoted when it holds anything but plain
/// characters.
fn quoted(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_=.,/+:".contains(c);
    if arg.chars().all(plain) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}
