//! The command line: arguments as clap reads them, their validation into a [`Request`],
//! and the run loop over one expression or a batch of lines.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::Parser;

use crate::error::{Error, Span, Warning};
use crate::expr::subst::free_symbols;
use crate::expr::{DEFAULT_MAX_POWER_BITS, DEFAULT_MAX_SIZE, ExprId, Node, Pool};
use crate::model::{Definition, Script};
use crate::output::Format;
use crate::output::{
    json_lines, json_steps, json_temps, json_warnings, write_lines, write_steps, write_temps,
};
use crate::parse::{DEFAULT_MAX_DEPTH, ParseOptions};
use crate::parse::{check_variable, split_top_level};
use crate::print::printed_len_sum;
use crate::print::{Notation, Printer};
use crate::program::cse::{Program, cse};
use crate::program::emit::Language;
use crate::request::{Assignment, Mode, Outcome, Request, Varying, parse_assignment};
use crate::verify::{POINTS, Report, Verdict, compare, compare_on_curve, verify};

/// The default limit on the size of one printed result, in bytes.
pub const DEFAULT_MAX_OUTPUT: u64 = 1 << 30;

const EXAMPLES: &str = "\
Examples:
  deriv \"4*pi/3*t*x*y\" --wrt x                    partial derivative: 4*pi*t*y/3
  deriv \"4*pi/3*t*x*y\" --wrt x --total -s t=x     total derivative along t = x: 8*pi*x*y/3
  deriv \"4*pi/3*t*x*y\" --wrt x -s t=x --explain   partial vs total, step by step
  deriv \"x^2 + y^2 = 1\" --implicit y --wrt x      implicit: -x/y
  deriv \"x^x\" --wrt x,x                           second derivative
  deriv \"sin(x^2)\" --wrt x --steps                the derivation, rule by rule
  deriv \"sin(x^2)\" --wrt x --latex --verify       LaTeX, checked numerically
  deriv \"sin(x)^2\" --wrt x --check \"sin(2*x)\"     is my answer right?
  deriv \"sin(x)*y^2\" --grad --at x=0,y=1          gradient at a point
  deriv \"x*x + 2*x*x\"                             simplify only: 3*x^2
  deriv -f exprs.txt --wrt x                      one result per input line
  deriv -f mlp.txt --wrt w11                      through a model's definitions
  deriv -f mlp.txt --grad --params 'w*,b*'        its gradient as one program
  deriv -f mlp.txt --sgd 0.1 --emit python        loss, gradient and SGD step as code";

/// Exact symbolic differentiation: partial and total derivatives of formulas, simplified
/// and printed so that they parse back.
#[derive(Parser, Debug)]
#[command(
    name = "deriv",
    version,
    about,
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Shell completions or the manual page instead of a derivative.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The expression, for example "x^2*sin(x)". `-` (or no EXPR with piped input) reads
    /// one expression per line from standard input.
    #[arg(value_name = "EXPR", allow_hyphen_values = true)]
    pub expr: Option<String>,

    /// More expressions, for --jacobian.
    #[arg(value_name = "MORE", requires = "jacobian")]
    pub more: Vec<String>,

    /// Differentiate with respect to VAR; repeat or separate with commas for higher and
    /// mixed partials, applied in order (`--wrt x,x,y`).
    #[arg(short, long, value_name = "VAR", value_delimiter = ',', value_parser = parse_variable)]
    pub wrt: Vec<String>,

    /// Read expressions from FILE, one per line (blank lines and `#` comments are skipped).
    #[arg(short, long, value_name = "FILE", conflicts_with = "expr")]
    pub file: Option<PathBuf>,

    /// Constraint VAR=EXPR, applied before differentiating (repeatable; chains resolve).
    #[arg(short, long, value_name = "VAR=EXPR", allow_hyphen_values = true)]
    pub subst: Vec<String>,

    /// The total derivative: variables tied to the differentiation variable by --subst or
    /// declared with --depends vary with it; every other variable is held constant.
    #[arg(long)]
    pub total: bool,

    /// With --total: VAR is an unknown function of the differentiation variable (or of X,
    /// written VAR(X)); its derivative prints as diff(VAR, X). Repeatable, comma-separated.
    #[arg(long, value_name = "VAR", value_delimiter = ',')]
    pub depends: Vec<String>,

    /// With --total: every variable varies except these (Mathematica's Dt convention).
    #[arg(long = "const", value_name = "VARS", value_delimiter = ',')]
    pub constants: Vec<String>,

    /// With --total: every variable varies with the differentiation variable.
    #[arg(long)]
    pub vary_all: bool,

    /// Differentiate the equation EXPR = 0 (or LHS = RHS) implicitly, VAR a function of
    /// the --wrt variable.
    #[arg(long, value_name = "VAR", group = "mode")]
    pub implicit: Option<String>,

    /// Substitute VAR=EXPR into the result, after differentiating (repeatable,
    /// comma-separated: `--at x=1,y=2`); the function must be defined there.
    #[arg(long, value_name = "VAR=EXPR", allow_hyphen_values = true)]
    pub at: Vec<String>,

    /// Also print a decimal approximation of each constant result, right to every digit
    /// shown.
    #[arg(short = 'N', long)]
    pub numeric: bool,

    /// Show the partial derivative, each chain-rule term, the total derivative, and the
    /// results of substituting after and before differentiating.
    #[arg(long, group = "mode")]
    pub explain: bool,

    /// The total differential df = sum of diff(f, v)*dv over the variables.
    #[arg(long, group = "mode")]
    pub differential: bool,

    /// Every first partial, one line per variable (the --wrt variables, or all).
    #[arg(long, group = "mode")]
    pub grad: bool,

    /// Every second partial (the --wrt variables, or all).
    #[arg(long, group = "mode")]
    pub hessian: bool,

    /// The first partials of several expressions.
    #[arg(long, group = "mode")]
    pub jacobian: bool,

    /// Refuse input nested deeper than this (parentheses, calls, signs, `^` chains).
    #[arg(long, value_name = "LEVELS", default_value_t = DEFAULT_MAX_DEPTH)]
    pub max_depth: usize,

    /// Refuse to print a result longer than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_OUTPUT)]
    pub max_output: u64,

    /// Stop when the expressions of one input grow past this many operands.
    #[arg(long, value_name = "OPERANDS", default_value_t = DEFAULT_MAX_SIZE)]
    pub max_size: usize,

    /// Stop working on one input after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT)]
    pub timeout: f64,

    /// Leave powers of numbers unevaluated when the exact result would have more bits.
    #[arg(long, value_name = "BITS", default_value_t = DEFAULT_MAX_POWER_BITS)]
    pub max_power_bits: u64,

    /// How to write results: plain text that parses back, LaTeX, Unicode for the
    /// terminal, or JSON (one object per input).
    #[arg(long, value_enum, default_value_t = FormatArg::Plain)]
    pub format: FormatArg,

    /// Show the derivation rule by rule (sum, product, chain, ...), each step with the
    /// whole expression after it.
    #[arg(long, conflicts_with = "mode")]
    pub steps: bool,

    /// Check every result numerically against central finite differences at several
    /// random points; report the largest relative error on stderr, exit 1 on a failure.
    #[arg(long)]
    pub verify: bool,

    /// Do not print warnings (JSON records still carry them).
    #[arg(short, long)]
    pub quiet: bool,

    /// Is ANSWER the derivative? Prints `correct` (proved, or numerically at test points
    /// across scales; exit 0) or `incorrect`, the derivative and a point where they
    /// differ (exit 1).
    #[arg(long, value_name = "ANSWER", allow_hyphen_values = true, conflicts_with_all = ["explain", "differential", "grad", "hessian", "jacobian", "steps"])]
    pub check: Option<String>,

    /// Colour errors and labels: auto (only on a terminal, and not when NO_COLOR is
    /// set), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print the results as one straight-line program: every shared subexpression once,
    /// as a named intermediate (t1 = ...), shared across all results.
    #[arg(long, conflicts_with_all = ["steps", "check"])]
    pub cse: bool,

    /// Define a variable or a function for the expressions: NAME=EXPR or 'f(a, b)=EXPR'
    /// (repeatable). Files (-f) may hold definition lines too.
    #[arg(long = "def", value_name = "NAME=EXPR")]
    pub defs: Vec<String>,

    /// Differentiate the definition NAME (default: the last definition, when a file holds
    /// only definitions).
    #[arg(long, value_name = "NAME", conflicts_with = "expr", value_parser = parse_variable)]
    pub of: Option<String>,

    /// Print results in the original variables, every definition written out, instead of
    /// in the definitions' names.
    #[arg(long)]
    pub inline: bool,

    /// With --grad or --sgd: the parameters, as comma-separated glob patterns
    /// (`w*,b?,d`), in place of --wrt.
    #[arg(
        long,
        value_name = "PATTERNS",
        value_delimiter = ',',
        conflicts_with = "wrt"
    )]
    pub params: Vec<String>,

    /// The gradient as stochastic-gradient-descent update rules `w := w - ETA*diff(E, w)`
    /// for each parameter (implies --grad); ETA is an expression (`0.1`, `eta`).
    #[arg(long, value_name = "ETA", allow_hyphen_values = true, conflicts_with_all = ["explain", "differential", "hessian", "jacobian", "implicit", "check"])]
    pub sgd: Option<String>,

    /// Write the function's value and gradient (and with --sgd the updated parameters) as
    /// a function in LANG, ready to paste; implies --grad. Its arguments are the
    /// parameters, then the other variables.
    #[arg(long, value_enum, value_name = "LANG", conflicts_with_all = ["explain", "differential", "hessian", "jacobian", "implicit", "check", "steps", "cse", "format", "latex", "total", "at", "numeric"])]
    pub emit: Option<LanguageArg>,

    /// Short for --format latex.
    #[arg(long, conflicts_with = "format")]
    pub latex: bool,

    /// How derivatives of dependent variables and result labels are written:
    /// leibniz (diff(y, x), dy/dx) or prime (y').
    #[arg(long, value_enum, default_value_t = NotationArg::Leibniz)]
    pub notation: NotationArg,
}

/// The subcommands: files for installing `deriv`.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum Command {
    /// Print a completion script for SHELL to standard output.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output.
    Man,
}

/// Writes what a subcommand produces.
fn run_command(command: &Command, out: &mut impl Write) -> io::Result<()> {
    let mut cli = <Cli as clap::CommandFactory>::command();
    match command {
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut cli, "deriv", out);
            Ok(())
        }
        Command::Man => clap_mangen::Man::new(cli).render(out),
    }
}

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
    fn enabled(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Whether standard error is coloured; set once by [`run`].
static STDERR_COLOR: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

const RED: &str = "\x1b[1;31m";
const BOLD: &str = "\x1b[1m";
const CYAN: &str = "\x1b[36m";
const YELLOW: &str = "\x1b[1;33m";
const RESET: &str = "\x1b[0m";

/// Writes an error or warning report to stderr: `error` in red, `warning` in yellow, carets
/// in red, help in cyan, when colour is on.
fn report(text: &str) {
    if !STDERR_COLOR.get().copied().unwrap_or(false) {
        eprint!("{text}");
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
    eprint!("{painted}");
}

/// The values of `--format`: the [`Format`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// One line of plain text per result, which parses back.
    Plain,
    /// LaTeX math.
    Latex,
    /// Unicode for the terminal.
    Unicode,
    /// One JSON object per input (JSON Lines in batch mode).
    Json,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Plain => Format::Plain,
            FormatArg::Latex => Format::Latex,
            FormatArg::Unicode => Format::Unicode,
            FormatArg::Json => Format::Json,
        }
    }
}

/// The values of `--emit`: the [`Language`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LanguageArg {
    /// A `pub fn` taking `f64`s and returning `[f64; N]` (edition 2021 and later).
    Rust,
    /// A C99 function taking `double`s and writing `N` values to `double *out`.
    C,
    /// A Python 3 function returning a tuple of floats; uses only the `math` module.
    Python,
}

impl From<LanguageArg> for Language {
    fn from(language: LanguageArg) -> Language {
        match language {
            LanguageArg::Rust => Language::Rust,
            LanguageArg::C => Language::C,
            LanguageArg::Python => Language::Python,
        }
    }
}

/// The values of `--notation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum NotationArg {
    /// `diff(y, x)`, `dy/dx`.
    Leibniz,
    /// `y'`.
    Prime,
}

impl Cli {
    /// The output format, `--latex` included.
    pub fn output_format(&self) -> Format {
        if self.latex {
            Format::Latex
        } else {
            self.format.into()
        }
    }

    /// Whether result labels are coloured.
    fn stdout_color(&self) -> bool {
        self.color.enabled(io::stdout().is_terminal()) && self.output_format() != Format::Json
    }

    /// The notation for derivatives.
    pub fn output_notation(&self) -> Notation {
        match self.notation {
            NotationArg::Leibniz => Notation::Leibniz,
            NotationArg::Prime => Notation::Prime,
        }
    }
}

/// The default time limit for one input, in seconds.
pub const DEFAULT_TIMEOUT: f64 = 60.0;

/// Checks that a `--wrt` value is a variable name.
fn parse_variable(text: &str) -> Result<String, String> {
    let name = text.trim();
    check_variable(name)?;
    Ok(name.to_string())
}

/// A usage error that is only its message.
fn usage_error(message: String) -> Error {
    Error::Usage {
        message,
        help: None,
    }
}

impl Cli {
    /// Validates the options that clap cannot check alone.
    fn request(&self) -> Result<Request, Error> {
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
        };
        request.check_options()?;
        Ok(request)
    }
}

impl Cli {
    /// The `--def` definitions, checked in order.
    fn definitions(&self) -> Result<Vec<Definition>, Error> {
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

    /// Reports `warnings` about `source` on stderr, unless `--quiet`.
    fn warn(&self, warnings: &[Warning], source: &str, origin: &str, line: usize) {
        if self.quiet {
            return;
        }
        for warning in warnings {
            report(&warning.render(source, origin, line));
        }
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
                return Err(Error::Option {
                    error: Box::new(Error::Syntax {
                        message: format!("`{}` is given a value twice", assignment.var),
                        span: Span::new(var_start, var_start + assignment.var.len()),
                        help: Some(format!(
                            "give each variable one value: {}={} is already given",
                            first.var,
                            first.expr.trim()
                        )),
                    }),
                    text: text.clone(),
                    option,
                    malformed: true,
                });
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

/// Where the expressions come from.
enum Source {
    Args(Vec<String>),
    Lines {
        reader: BufReader<Box<dyn Read>>,
        origin: String,
    },
    /// A definition to differentiate: `--of`'s, or the last `--def`.
    Target,
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
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
    let source = match source(&cli) {
        Ok(source) => source,
        Err(error) => return fail(&error),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let code = match source {
        Source::Args(texts) => {
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            match evaluate(&cli, &request, &texts) {
                Ok((mut pool, outcome)) => {
                    let place = ("<expr>", None);
                    let code = emit(&mut out, &cli, &request, &texts, place, &mut pool, &outcome);
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
        Ok(()) => code,
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
            reader: BufReader::new(Box::new(file) as Box<dyn Read>),
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
        reader: BufReader::new(Box::new(io::stdin()) as Box<dyn Read>),
        origin: "<stdin>".into(),
    }
}

/// Reports an error about no input (the options, a file, the output) and returns its
/// exit code.
fn fail(error: &Error) -> u8 {
    report(&error.render("", "<expr>", 1));
    error.exit_code()
}

/// Broken pipes end the program quietly (`deriv ... | head`); other write errors fail.
fn io_exit(error: io::Error) -> u8 {
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
    match evaluate(cli, &request, &[text]) {
        Ok((mut pool, outcome)) => {
            let place = ("--of", None);
            match emit(out, cli, &request, &[text], place, &mut pool, &outcome) {
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
/// alone differentiates its last one (or `--of`'s).
fn run_lines(
    cli: &Cli,
    request: &Request,
    mut reader: BufReader<Box<dyn Read>>,
    origin: &str,
    out: &mut impl Write,
) -> u8 {
    let mut request = request.clone();
    let mut script = Script::seeded(&request.definitions);
    let options = ParseOptions {
        max_depth: cli.max_depth,
        ..ParseOptions::default()
    };
    let mut expressions = 0usize;
    let mut code = 0;
    let mut line = Vec::new();
    let mut line_no = 0;
    let mut last_pool = None;
    loop {
        line.clear();
        // Results stream: before a read that may wait for more input, everything computed
        // so far goes out.
        if !reader.buffer().contains(&b'\n')
            && let Err(e) = out.flush()
        {
            return io_exit(e);
        }
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(source) => {
                return fail(&Error::Io {
                    context: format!("cannot read {origin}"),
                    source,
                });
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
                    request.definitions = script.definitions.clone();
                    if !warnings.is_empty() {
                        if let Err(e) = out.flush() {
                            return io_exit(e);
                        }
                        cli.warn(&warnings, text, origin, line_no);
                    }
                }
                Err(error) => {
                    if let Err(e) = out.flush() {
                        return io_exit(e);
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
            request.name = Some(format!("f{line_no}"));
        }
        let request = &request;
        match evaluate(cli, request, &[text]) {
            Ok((mut pool, outcome)) => {
                let place = (origin, Some(line_no));
                match emit(out, cli, request, &[text], place, &mut pool, &outcome) {
                    Ok(result) => code = code.max(result),
                    Err(e) => return io_exit(e),
                }
                // Frees the previous line's pool; the last one is left to the exit.
                last_pool = Some(pool);
            }
            Err(error) => {
                // Keep the order of results and errors when both go to a terminal.
                if let Err(e) = out.flush() {
                    return io_exit(e);
                }
                report(&error.render(text, origin, line_no));
                code = code.max(error.exit_code());
            }
        }
    }
    if cli.of.is_some() || (expressions == 0 && !script.definitions.is_empty()) {
        let target = run_target(cli, &request, &script, Some(origin), out);
        code = code.max(target);
    }
    leave_to_exit(last_pool);
    code
}

/// Leaves a pool that is no longer needed to the end of the process: the operating system
/// reclaims its memory at once, where freeing it node by node takes 5% of a 40th
/// derivative's run.
fn leave_to_exit(pool: Option<Pool>) {
    std::mem::forget(pool);
}

/// Writes the results of one input in the chosen format, after its warnings; `place` is
/// where the input comes from (`<expr>`, a file and a line number) for the warnings.
fn emit(
    out: &mut impl Write,
    cli: &Cli,
    request: &Request,
    texts: &[&str],
    place: (&str, Option<usize>),
    pool: &mut Pool,
    outcome: &Outcome,
) -> io::Result<u8> {
    let notation = cli.output_notation();
    let (origin, line_no) = place;
    let verification = request.verify.then(|| verify(pool, &outcome.checks));
    let mut warnings = outcome.warnings.clone();
    if let Some(verification) = &verification {
        let implicit = request.mode == Mode::Implicit;
        warnings.extend(verify_warnings(pool, outcome, verification, implicit));
    }
    if !warnings.is_empty() {
        // Warnings come before the result they are about, in the order of the inputs.
        out.flush()?;
        cli.warn(&warnings, &texts.join(" "), origin, line_no.unwrap_or(1));
    }
    let verified = |out: &mut dyn Write| -> io::Result<u8> {
        let Some(verification) = &verification else {
            return Ok(0);
        };
        out.flush()?;
        Ok(report_verification(verification, line_no))
    };
    if let Some(answer) = &cli.check {
        let verdict = check_answer(request, pool, answer, outcome);
        return match verdict {
            Ok(verdict) => {
                write_verdict(out, cli, pool, outcome, &verdict)?;
                let code = verified(out)?;
                let checked = if verdict_is_correct(&verdict) {
                    0
                } else {
                    Error::CheckFailed.exit_code()
                };
                Ok(code.max(checked))
            }
            Err(error) => {
                out.flush()?;
                report(&error.render(answer, "--check", 1));
                Ok(error.exit_code())
            }
        };
    }
    if let Some(code) = &outcome.code {
        out.write_all(code.as_bytes())?;
        return verified(out);
    }
    let shared = (cli.cse || outcome.program.is_some()).then(|| share(pool, outcome));
    let (outcome, temps) = match &shared {
        Some((outcome, program)) => (outcome, &program.temps[..]),
        None => (outcome, &[][..]),
    };
    match cli.output_format() {
        Format::Json => {
            let mut record = serde_json::Map::new();
            record.insert("input".into(), texts.join(" ").into());
            if let Some(line_no) = line_no {
                record.insert("line".into(), line_no.into());
            }
            record.insert("options".into(), request.describe());
            let mut free = Vec::new();
            for &input in &outcome.inputs {
                for symbol in free_symbols(pool, input) {
                    let name = pool.symbol_name(symbol).to_string();
                    if !free.contains(&name) {
                        free.push(name);
                    }
                }
            }
            record.insert("free_variables".into(), free.into());
            if shared.is_some() {
                record.insert("cse".into(), json_temps(pool, temps, notation));
            }
            record.insert("results".into(), json_lines(pool, &outcome.lines, notation));
            if !outcome.derivations.is_empty() {
                record.insert(
                    "steps".into(),
                    json_steps(pool, &outcome.derivations, notation),
                );
            }
            if !warnings.is_empty() {
                record.insert("warnings".into(), json_warnings(&warnings));
            }
            serde_json::to_writer(&mut *out, &serde_json::Value::Object(record))?;
            writeln!(out)?;
        }
        format => {
            let style = format.style();
            // A derivation ends in the result; its line follows only to show `--at`.
            if outcome.derivations.is_empty() {
                write_temps(out, pool, temps, style, notation)?;
            } else {
                write_steps(out, pool, &outcome.derivations, style, notation)?;
            }
            if outcome.derivations.is_empty() || !request.at.is_empty() {
                let color = cli.stdout_color();
                write_lines(out, pool, &outcome.lines, style, notation, color)?;
            }
        }
    }
    verified(out)
}

/// The outcome with its results rewritten over shared intermediates (`--cse`), and the
/// program of intermediates.
fn share(pool: &mut Pool, outcome: &Outcome) -> (Outcome, Program) {
    if let Some(program) = &outcome.program {
        // A gradient in reverse mode: already a program.
        return (outcome.clone(), program.clone());
    }
    let mut roots = Vec::new();
    for line in &outcome.lines {
        // A differential prints its coefficients, not its value.
        if line.differentials.is_empty() {
            roots.push(line.value);
        }
        roots.extend(line.differentials.iter().map(|&(c, _)| c));
    }
    let program = cse(pool, &roots);
    let mut results = program.results.iter().copied();
    let mut shared = outcome.clone();
    for line in &mut shared.lines {
        if line.differentials.is_empty() {
            line.value = results.next().unwrap_or(line.value);
        }
        for (coefficient, _) in &mut line.differentials {
            *coefficient = results.next().unwrap_or(*coefficient);
        }
    }
    (shared, program)
}

/// Reports the outcome of `--verify` on stderr; the exit code of [`Error::VerifyFailed`]
/// when a claim failed.
fn report_verification(verification: &Report, line_no: Option<usize>) -> u8 {
    let prefix = line_no.map_or(String::new(), |n| format!("line {n}: "));
    if let Some(failure) = &verification.failure {
        let error = Error::VerifyFailed {
            failure: failure.clone(),
        };
        eprintln!("{prefix}{error}");
        return error.exit_code();
    }
    if verification.checked == 0 {
        return 0;
    }
    eprintln!(
        "{prefix}verify: {} result{} checked against finite differences at {POINTS} points each, largest relative error {:.1e}",
        verification.checked,
        if verification.checked == 1 { "" } else { "s" },
        verification.max_error
    );
    0
}

/// Warnings for what `--verify` could not check, each saying why.
fn verify_warnings(
    pool: &Pool,
    outcome: &Outcome,
    verification: &Report,
    implicit: bool,
) -> Vec<Warning> {
    let warning = |message: String, help: &str| Warning {
        message,
        span: None,
        help: Some(help.to_string()),
        name: None,
    };
    if verification.checked == 0 && verification.unchecked.is_empty() {
        let message = if implicit {
            "--verify: implicit derivatives are not checked numerically"
        } else {
            "--verify: no derivative to check"
        };
        let help = if implicit {
            "check an answer on the curve with --check, or differentiate an explicit solution"
        } else {
            "give the variable to differentiate in with --wrt"
        };
        return vec![warning(message.to_string(), help)];
    }
    let mut warnings = Vec::new();
    for label in &verification.unchecked {
        let mut unknown = Vec::new();
        for check in outcome.checks.iter().filter(|c| &c.label == label) {
            for id in pool.reachable_from(&[check.base, check.value], |_| true) {
                if let Node::Apply { name, .. } = pool.node(id) {
                    let name = format!("`{}`", pool.symbol_name(*name));
                    if !unknown.contains(&name) {
                        unknown.push(name);
                    }
                }
            }
        }
        let (message, help) = if unknown.is_empty() {
            (
                format!(
                    "--verify: {label} was not checked: it could not be evaluated at any test point"
                ),
                "the function or its derivative may be defined nowhere near the test points \
                 (about -2 to 2 in each variable)",
            )
        } else {
            (
                format!(
                    "--verify: {label} was not checked: it holds the unknown function{} {}, \
                     which {} no numeric value",
                    if unknown.len() == 1 { "" } else { "s" },
                    unknown.join(", "),
                    if unknown.len() == 1 { "has" } else { "have" }
                ),
                "define a function with --def 'f(x)=...' to check it numerically",
            )
        };
        warnings.push(warning(message, help));
    }
    warnings
}

/// Compares `--check`'s answer with the one result.
fn check_answer(
    request: &Request,
    pool: &mut Pool,
    answer: &str,
    outcome: &Outcome,
) -> Result<Verdict, Error> {
    let answer = request.parse_answer(pool, answer)?;
    let expected = outcome.lines.first().map_or(ExprId::ZERO, |l| l.value);
    let expected = request.expand_names(pool, expected, "")?;
    Ok(match request.curve(pool, outcome) {
        Some((equation, y)) => compare_on_curve(pool, answer, expected, equation, y),
        None => compare(pool, answer, expected),
    })
}

fn verdict_is_correct(verdict: &Verdict) -> bool {
    matches!(
        verdict,
        Verdict::Equal | Verdict::NumericallyEqual { .. } | Verdict::EqualOnCurve { .. }
    )
}

/// `correct`, or `incorrect` with the derivative and a point where they differ.
fn write_verdict(
    out: &mut impl Write,
    cli: &Cli,
    pool: &Pool,
    outcome: &Outcome,
    verdict: &Verdict,
) -> io::Result<()> {
    let expected = outcome.lines.first().map_or(ExprId::ZERO, |l| l.value);
    let shown = Printer::new(pool, expected)
        .style(cli.output_format().style())
        .notation(cli.output_notation());
    // Compared at no point: a constant derivative (after `--at`).
    let point_free = free_symbols(pool, expected).is_empty();
    match verdict {
        Verdict::Equal => writeln!(out, "correct (proved: the difference simplifies to 0)"),
        Verdict::NumericallyEqual { .. } if point_free => writeln!(
            out,
            "correct (numerically, not proved: equal to 30 digits; the derivative simplifies to {shown})"
        ),
        Verdict::NumericallyEqual { points } => writeln!(
            out,
            "correct (numerically, not proved: equal to 30 digits at {points} test points from 1e-3 to 1e3 in size, both signs; the derivative simplifies to {shown})"
        ),
        Verdict::EqualOnCurve { points } => writeln!(
            out,
            "correct (numerically on the curve, not proved: equal to 9 digits at {points} of its points; the derivative simplifies to {shown})"
        ),
        Verdict::Different {
            point,
            answer,
            expected,
            difference,
        } => {
            writeln!(out, "incorrect")?;
            writeln!(out, "the derivative is {shown}")?;
            if !point.is_empty() {
                write!(out, "at {point} ")?;
            }
            write!(out, "your answer is {answer}, the derivative {expected}")?;
            if answer.text == expected.text {
                write!(out, " (your answer minus the derivative is {difference})")?;
            }
            writeln!(out)
        }
        Verdict::Undecided => writeln!(
            out,
            "undecided: the forms differ and no test point has both defined; the derivative is {shown}"
        ),
    }
}

/// Computes the lines for one input and checks their size. A panic (a bug) becomes an
/// internal error for this input alone, so a batch goes on.
fn evaluate(cli: &Cli, request: &Request, texts: &[&str]) -> Result<(Pool, Outcome), Error> {
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        evaluate_unguarded(cli, request, texts)
    }));
    attempt.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error::Internal { message })
    })
}

fn evaluate_unguarded(
    cli: &Cli,
    request: &Request,
    texts: &[&str],
) -> Result<(Pool, Outcome), Error> {
    let mut pool = Pool::new();
    pool.set_max_size(cli.max_size);
    pool.set_max_power_bits(cli.max_power_bits);
    if cli.timeout.is_finite() && cli.timeout >= 0.0 {
        let limit = std::time::Duration::from_secs_f64(cli.timeout.min(1e9));
        pool.set_deadline(std::time::Instant::now().checked_add(limit));
    }
    let outcome = request.run(&mut pool, texts)?;
    let code_len = outcome.code.as_ref().map_or(0, |code| code.len() as u64);
    let values: Vec<ExprId> = outcome.lines.iter().map(|line| line.value).collect();
    let len = code_len.saturating_add(printed_len_sum(&pool, &values));
    // With --cse the output is a program as large as the DAG, not the unfolded tree.
    if len > cli.max_output && !cli.cse {
        return Err(Error::Limit {
            message: format!(
                "the result is about {len} bytes long, more than the limit of {} bytes",
                cli.max_output
            ),
            span: None,
            help: "raise the limit with --max-output, or print the result as a program of \
                   shared intermediates with --cse"
                .into(),
        });
    }
    let shown: Vec<ExprId> = outcome
        .derivations
        .iter()
        .flat_map(|d| std::iter::once(d.start).chain(d.steps.iter().map(|s| s.expr)))
        .collect();
    let steps = printed_len_sum(&pool, &shown);
    if steps > cli.max_output {
        return Err(Error::Limit {
            message: format!(
                "the derivation is about {steps} bytes long, more than the limit of {} bytes",
                cli.max_output
            ),
            span: None,
            help: "raise the limit with --max-output, or leave out --steps".into(),
        });
    }
    Ok((pool, outcome))
}
