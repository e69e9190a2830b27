//! The options checked into a [`Request`]: what clap cannot check alone, the `VAR=EXPR`
//! options, the `--def` definitions.

use super::Cli;
use crate::error::{Error, Span};
use crate::model::{Definition, Script};
use crate::parse::{ParseOptions, check_variable, split_top_level};
use crate::program::emit::Language;
use crate::request::{Assignment, Mode, Request, Varying, parse_assignment};

/// A usage error that is only its message.
pub(super) fn usage_error(message: String) -> Error {
    Error::Usage {
        message,
        help: None,
    }
}

impl Cli {
    /// Validates the options that clap cannot check alone.
    pub(super) fn request(&self) -> Result<Request, Error> {
        let usage = |m: &str| Err(usage_error(m.to_string()));
        let mode = if self.explain {
            Mode::Explain
        } else if self.differential {
            Mode::Differential
        } else if self.grad || self.sgd.is_some() || self.emit.is_some() {
            Mode::Gradient
        } else if self.hessian {
            Mode::Hessian
        } else if self.jacobian {
            Mode::Jacobian
        } else if self.implicit.is_some() {
            Mode::Implicit
        } else {
            Mode::Derivative
        };
        let total_only = [
            (!self.depends.is_empty(), "--depends"),
            (!self.constants.is_empty(), "--const"),
            (self.vary_all, "--vary-all"),
        ];
        for (given, name) in total_only {
            if given && !self.total {
                return Err(usage_error(format!(
                    "{name} needs --total: a partial derivative holds every other variable fixed, \
                     so nothing can depend on the differentiation variable"
                )));
            }
        }
        if !self.more.is_empty() && mode != Mode::Jacobian {
            return usage(
                "several expressions are given, but only --jacobian takes more than one: \
                 quote an expression that has spaces (\"x^2 + y\")",
            );
        }
        if !self.params.is_empty() && mode != Mode::Gradient {
            return usage("--params chooses the parameters of --grad or --sgd: add one of them");
        }
        if self.steps && self.wrt.is_empty() {
            return usage("--steps needs --wrt: the variable to differentiate in");
        }
        if mode == Mode::Explain && self.wrt.len() != 1 {
            return usage("--explain needs exactly one --wrt variable");
        }
        if mode == Mode::Implicit && self.wrt.is_empty() {
            return usage("--implicit needs --wrt: the variable the implicit function depends on");
        }
        let values = (self.check.iter().map(|v| ("--check", v)))
            .chain(self.sgd.iter().map(|v| ("--sgd", v)))
            .chain(self.subst.iter().map(|v| ("--subst", v)))
            .chain(self.at.iter().map(|v| ("--at", v)));
        for (option, text) in values {
            option_as_value(option, text)?;
        }
        let mut depends = Vec::new();
        for text in &self.depends {
            let (var, on) = match text.split_once('(') {
                Some((var, rest)) => (var.trim(), Some(rest.trim_end_matches(')').trim())),
                None => (text.trim(), None),
            };
            for name in [Some(var), on].into_iter().flatten() {
                check_variable(name)
                    .map_err(|m| usage_error(format!("invalid --depends {text}: {m}")))?;
            }
            depends.push((var.to_string(), on.map(str::to_string)));
        }
        for name in self.constants.iter().chain(&self.implicit) {
            check_variable(name.trim()).map_err(usage_error)?;
        }
        let varying = (self.vary_all || !self.constants.is_empty()).then(|| {
            Varying::AllExcept(
                self.constants
                    .iter()
                    .map(|c| c.trim().to_string())
                    .collect(),
            )
        });
        let request = Request {
            mode,
            wrt: self.wrt.clone(),
            total: self.total,
            subst: assignments(&self.subst, "--subst")?,
            at: assignments(&self.at, "--at")?,
            depends,
            varying,
            implicit: self.implicit.as_ref().map(|y| y.trim().to_string()),
            numeric: self.numeric,
            max_depth: self.max_depth,
            steps: self.steps,
            verify: self.verify,
            cse: self.cse,
            definitions: self.definitions()?,
            name: self.of.clone(),
            inline: self.inline,
            params: self.params.iter().map(|p| p.trim().to_string()).collect(),
            sgd: self.sgd.as_deref().map(learning_rate),
            emit: self.emit.map(Language::from),
            form: self.form.into(),
            forms: self.forms,
        };
        request.check_options()?;
        Ok(request)
    }
}

impl Cli {
    /// The `--def` definitions, checked in order.
    pub(super) fn definitions(&self) -> Result<Vec<Definition>, Error> {
        let mut script = Script::default();
        let options = ParseOptions {
            max_depth: self.max_depth,
            ..ParseOptions::default()
        };
        for text in &self.defs {
            let fail = |error: Error, malformed: bool| Error::Option {
                error: Box::new(error),
                text: text.clone(),
                option: "--def",
                malformed,
            };
            let definition = match Definition::read(text) {
                Some(Ok(definition)) => definition,
                Some(Err(error)) => return Err(fail(error, true)),
                None => {
                    let error = Error::Syntax {
                        message: format!("`{text}` is not a definition"),
                        span: Span::new(0, text.len()),
                        help: Some("write NAME=EXPR or 'f(a, b)=EXPR', for example --def 'phi(s)=1/(1+exp(-s))'".into()),
                    };
                    return Err(fail(error, true));
                }
            };
            let warnings = script.warnings(&definition, &options);
            script
                .define(definition, 0, &options)
                .map_err(|error| fail(error, false))?;
            self.warn(&warnings, text, "--def", 1);
        }
        Ok(script.definitions)
    }
}

/// `--sgd ETA` as an assignment, so that its expression is checked like `--subst`'s.
fn learning_rate(text: &str) -> Assignment {
    Assignment {
        text: text.to_string(),
        var: "eta".into(),
        expr: text.to_string(),
        offset: 0,
        option: "--sgd",
    }
}

/// Reads `VAR=EXPR` options; a point (`--at`) gives each variable one value.
fn assignments(values: &[String], option: &'static str) -> Result<Vec<Assignment>, Error> {
    let mut parsed: Vec<Assignment> = Vec::new();
    for text in values {
        for (start, part) in split_top_level(text) {
            let assignment = parse_assignment(text, part, start, option)?;
            if option == "--at"
                && let Some(first) = parsed.iter().find(|a| a.var == assignment.var)
            {
                let var_start = start + part.find(assignment.var.as_str()).unwrap_or(0);
                return Err(Error::malformed_option(
                    option,
                    text,
                    format!("`{}` is given a value twice", assignment.var),
                    Span::new(var_start, var_start + assignment.var.len()),
                    format!(
                        "give each variable one value: {}={} is already given",
                        first.var,
                        first.expr.trim()
                    ),
                ));
            }
            parsed.push(assignment);
        }
    }
    Ok(parsed)
}

/// An option value that is another option (`--check --verify`): values may start with
/// `-` (`--check -x/y`), so a forgotten value would take the next option as its own.
fn option_as_value(option: &str, value: &str) -> Result<(), Error> {
    let Some(name) = value.strip_prefix("--") else {
        return Ok(());
    };
    let name = name.split('=').next().unwrap_or(name);
    let command = <Cli as clap::CommandFactory>::command();
    if command.get_arguments().any(|a| a.get_long() == Some(name)) || name == "help" {
        return Err(usage_error(format!(
            "{option} needs a value, but the option `--{name}` follows it: give the value \
             first, for example {option} {}",
            if option == "--check" || option == "--sgd" {
                "-x/y"
            } else {
                "x=-1"
            }
        )));
    }
    Ok(())
}

/// clap's error message on one line, without its usage lines: `cannot be used with:` and
/// its list joined.
pub(super) fn clap_message(error: &clap::Error) -> String {
    let text = error.render().to_string();
    let mut lines = text.lines().take_while(|l| !l.trim().is_empty());
    let first = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ");
    let rest: Vec<&str> = lines.map(str::trim).collect();
    match rest.is_empty() {
        true => first.to_string(),
        false => format!("{first} {}", rest.join(", ")),
    }
}
