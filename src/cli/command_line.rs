//! The arguments written back as a command line. The REPL keeps its options as a [`Cli`]
//! and has clap read them again for every line, so that a line runs exactly as on the
//! command line, with clap's checks (conflicting options are refused the same way).

use clap::ValueEnum;

use super::Cli;
use super::args::{DEFAULT_MAX_OUTPUT, DEFAULT_TIMEOUT, FormArg, FormatArg, NotationArg};
use super::color::ColorChoice;
use crate::expr::{DEFAULT_MAX_POWER_BITS, DEFAULT_MAX_SIZE};
use crate::parse::DEFAULT_MAX_DEPTH;

impl Cli {
    /// The arguments (without the program's name) that clap reads back as these options:
    /// the options that differ from their defaults, then `--` and the expressions. The
    /// subcommand is left out.
    pub(super) fn to_args(&self) -> Vec<String> {
        // Every field is named, so that a new option cannot be forgotten here.
        let Cli {
            command: _,
            expr,
            more,
            wrt,
            file,
            subst,
            total,
            depends,
            constants,
            vary_all,
            implicit,
            at,
            numeric,
            explain,
            differential,
            grad,
            hessian,
            jacobian,
            max_depth,
            max_output,
            max_size,
            timeout,
            max_power_bits,
            jobs,
            format,
            form,
            forms,
            steps,
            verify,
            stats,
            quiet,
            check,
            color,
            cse,
            defs,
            of,
            inline,
            params,
            sgd,
            emit,
            latex,
            plot,
            range,
            notation,
        } = self;
        let mut args = Args(Vec::new());
        args.joined("--wrt", wrt);
        args.value("--file", file.as_ref().map(|f| f.display().to_string()));
        args.each("--subst", subst);
        args.flag("--total", *total);
        args.joined("--depends", depends);
        args.joined("--const", constants);
        args.flag("--vary-all", *vary_all);
        args.value("--implicit", implicit.clone());
        args.each("--at", at);
        args.flag("--numeric", *numeric);
        args.flag("--explain", *explain);
        args.flag("--differential", *differential);
        args.flag("--grad", *grad);
        args.flag("--hessian", *hessian);
        args.flag("--jacobian", *jacobian);
        args.number("--max-depth", *max_depth, DEFAULT_MAX_DEPTH);
        args.number("--max-output", *max_output, DEFAULT_MAX_OUTPUT);
        args.number("--max-size", *max_size, DEFAULT_MAX_SIZE);
        args.number("--timeout", *timeout, DEFAULT_TIMEOUT);
        args.number("--max-power-bits", *max_power_bits, DEFAULT_MAX_POWER_BITS);
        args.value("--jobs", jobs.map(|n| n.to_string()));
        args.choice("--format", *format, FormatArg::Plain);
        args.choice("--form", *form, FormArg::Auto);
        args.flag("--forms", *forms);
        args.flag("--steps", *steps);
        args.flag("--verify", *verify);
        args.flag("--stats", *stats);
        args.flag("--quiet", *quiet);
        args.value("--check", check.clone());
        args.choice("--color", *color, ColorChoice::Auto);
        args.flag("--cse", *cse);
        args.each("--def", defs);
        args.value("--of", of.clone());
        args.flag("--inline", *inline);
        args.joined("--params", params);
        args.value("--sgd", sgd.clone());
        if let Some(language) = emit {
            args.choice("--emit", *language, None);
        }
        args.flag("--latex", *latex);
        args.value("--plot", plot.as_ref().map(|p| p.display().to_string()));
        args.value("--range", range.clone());
        args.choice("--notation", *notation, NotationArg::Leibniz);
        if expr.is_some() {
            args.0.push("--".into());
            args.0.extend(expr.iter().chain(more).cloned());
        }
        args.0
    }
}

/// Arguments being written, each option with its value in one argument (`--at=-1`), so
/// that values starting with `-` stay values.
struct Args(Vec<String>);

impl Args {
    fn flag(&mut self, name: &str, on: bool) {
        if on {
            self.0.push(name.into());
        }
    }

    fn value(&mut self, name: &str, value: Option<String>) {
        if let Some(value) = value {
            self.0.push(format!("{name}={value}"));
        }
    }

    /// One option per value.
    fn each(&mut self, name: &str, values: &[String]) {
        for value in values {
            self.value(name, Some(value.clone()));
        }
    }

    /// The values of an option that splits at commas, in one option.
    fn joined(&mut self, name: &str, values: &[String]) {
        if !values.is_empty() {
            self.value(name, Some(values.join(",")));
        }
    }

    fn number<T: PartialEq + ToString>(&mut self, name: &str, value: T, default: T) {
        if value != default {
            self.value(name, Some(value.to_string()));
        }
    }

    /// A value of a value enum, by its name on the command line.
    fn choice<T: ValueEnum + PartialEq>(
        &mut self,
        name: &str,
        value: T,
        default: impl Into<Option<T>>,
    ) {
        if Some(&value) != default.into().as_ref() {
            let text = value.to_possible_value().map(|v| v.get_name().to_string());
            self.value(name, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    /// Reads `args` as clap does, writes them back, and reads that again: the same options.
    fn round_trip(args: &[&str]) {
        let cli = Cli::try_parse_from(std::iter::once("deriv").chain(args.iter().copied()))
            .expect("the arguments parse");
        let written = cli.to_args();
        let again =
            Cli::try_parse_from(std::iter::once("deriv".to_string()).chain(written.clone()))
                .unwrap_or_else(|e| panic!("{written:?} do not parse back: {e}"));
        assert_eq!(format!("{cli:?}"), format!("{again:?}"), "{written:?}");
    }

    #[test]
    fn options_written_back_parse_to_the_same_options() {
        round_trip(&["x^2", "--wrt", "x"]);
        round_trip(&[
            "-x^2*t", "--wrt", "x,x", "--total", "-s", "t=-x", "--at", "x=-1,y=2",
        ]);
        round_trip(&[
            "f",
            "--explain",
            "--wrt",
            "x",
            "--format",
            "latex",
            "--form",
            "together",
        ]);
        round_trip(&[
            "x*y",
            "--grad",
            "--params",
            "w*,b?",
            "--timeout",
            "2.5",
            "--max-depth",
            "50",
        ]);
        round_trip(&[
            "x",
            "y",
            "--jacobian",
            "--notation",
            "prime",
            "--color",
            "never",
            "-N",
        ]);
        round_trip(&[
            "x^2", "--wrt", "x", "--emit", "python", "--def", "a=2", "--inline",
        ]);
        round_trip(&[
            "x^2", "--wrt", "x", "--check", "-2*x", "--quiet", "--verify",
        ]);
        round_trip(&[
            "--of", "h", "--def", "h=x^2", "--wrt", "x", "--latex", "--steps",
        ]);
        round_trip(&[
            "x",
            "--wrt",
            "x",
            "--total",
            "--depends",
            "y",
            "--const",
            "a,b",
        ]);
        round_trip(&[
            "x",
            "--wrt",
            "x",
            "--total",
            "--vary-all",
            "--cse",
            "--sgd",
            "0.1",
        ]);
        round_trip(&[
            "x",
            "--max-output",
            "10",
            "--max-size",
            "99",
            "--max-power-bits",
            "7",
        ]);
        round_trip(&["x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x", "--forms"]);
        round_trip(&["x", "--differential"]);
        round_trip(&["x", "--hessian", "--wrt", "x,y"]);
        round_trip(&["-f", "exprs.txt", "--wrt", "x"]);
        round_trip(&["-f", "exprs.txt", "--wrt", "x", "--jobs", "3"]);
    }
}
