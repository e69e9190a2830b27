//! The arguments as clap reads them: the options, the subcommands, the value enums that
//! map onto the library's types, and the defaults.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::Parser;

use super::color::ColorChoice;
use crate::algebra::tidy::Form;
use crate::expr::{DEFAULT_MAX_POWER_BITS, DEFAULT_MAX_SIZE};
use crate::output::Format;
use crate::parse::{DEFAULT_MAX_DEPTH, check_variable};
use crate::print::Notation;
use crate::program::emit::Language;

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
  deriv -f mlp.txt --sgd 0.1 --emit python        loss, gradient and SGD step as code
  deriv \"x*sin(x)\" --wrt x --plot out.svg         f and f′ drawn as SVG
  deriv repl --wrt x                              an interactive session (:help)
  deriv serve --open                              the web page, on this machine";

/// Exact symbolic differentiation: partial and total derivatives of formulas, simplified
/// and printed so that they parse back.
#[derive(Parser, Debug, Clone)]
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

    /// With a batch (-f, or lines on stdin): compute N lines at once (default: the number
    /// of cores; 1 for a file under 4 KiB). The results keep the input's order.
    #[arg(short, long, value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,

    /// How to write results: plain text that parses back, LaTeX, Unicode for the
    /// terminal, or JSON (one object per input).
    #[arg(long, value_enum, default_value_t = FormatArg::Plain)]
    pub format: FormatArg,

    /// The form of the results: auto (the simplest: fewest operators, then shortest),
    /// computed (as the rules leave it), factored, together (one fraction, common factors
    /// cancelled) or expanded.
    #[arg(long, value_enum, value_name = "FORM", default_value_t = FormArg::Auto)]
    pub form: FormArg,

    /// Print every form of each result on its own labelled line, the chosen one marked.
    #[arg(long, conflicts_with_all = ["cse", "check"])]
    pub forms: bool,

    /// Show the derivation rule by rule (sum, product, chain, ...), each step with the
    /// whole expression after it.
    #[arg(long, conflicts_with = "mode")]
    pub steps: bool,

    /// Check every result numerically against central finite differences at several
    /// random points; report the largest relative error on stderr, exit 1 on a failure.
    #[arg(long)]
    pub verify: bool,

    /// Print the time of each phase (parse, build, differentiate, tidy, print), the sizes
    /// and the peak memory as a table on standard error (a batch's totals at its end);
    /// JSON records get a `stats` object.
    #[arg(long)]
    pub stats: bool,

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

    /// Draw the function and each derivative (--wrt x,x: f, f′, f″) on one chart, as SVG,
    /// to FILE (*.svg) or to standard output (-); --at at the plotted variable adds the
    /// tangent there, --at at the others fixes them.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["mode", "check", "emit", "sgd", "steps", "cse", "forms", "params", "file"])]
    pub plot: Option<PathBuf>,

    /// With --plot: the plotted variable and its range, VAR=LO..HI (default -10..10).
    #[arg(
        long,
        value_name = "VAR=LO..HI",
        requires = "plot",
        allow_hyphen_values = true
    )]
    pub range: Option<String>,

    /// How derivatives of dependent variables and result labels are written:
    /// leibniz (diff(y, x), dy/dx) or prime (y').
    #[arg(long, value_enum, default_value_t = NotationArg::Leibniz)]
    pub notation: NotationArg,
}

/// The subcommands: the REPL, and files for installing `deriv`.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum Command {
    /// An interactive session: definitions and options that last, one expression per
    /// line (`:help` lists the commands). With piped input, a script of the same lines.
    ///
    /// A line is an expression (computed as `deriv EXPR OPTIONS` would), a definition
    /// (`h = x^2`, `phi(s) = 1/(1 + exp(-s))`) or a command (`:wrt x`, `:subst t=x`,
    /// `:total on`, `:show`, `:help`); `ans` is the last result. On a terminal: history,
    /// Tab completion, Ctrl-C stops a computation, Ctrl-D ends the session.
    Repl {
        /// deriv's options (`--wrt x`, `--total`, `-s t=x`, ...): the session's starting
        /// state.
        #[arg(
            value_name = "OPTIONS",
            trailing_var_arg = true,
            allow_hyphen_values = true
        )]
        options: Vec<String>,
    },
    /// A local web page: type an expression, see its derivatives rendered, the partial
    /// and total side by side, the steps and the plot. Its API answers as `--format json`
    /// and `--plot -` do.
    #[cfg(feature = "serve")]
    Serve(super::ServeOptions),
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
pub(super) fn run_command(command: &Command, out: &mut impl Write) -> io::Result<()> {
    let mut cli = <Cli as clap::CommandFactory>::command();
    match command {
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut cli, "deriv", out);
            Ok(())
        }
        Command::Man => clap_mangen::Man::new(cli).render(out),
        // Run by `run`, which owns the terminal (and the server's runtime).
        Command::Repl { .. } => Ok(()),
        #[cfg(feature = "serve")]
        Command::Serve(_) => Ok(()),
    }
}

/// The values of `--format`, one per output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// One line of plain text per result, which parses back.
    Plain,
    /// LaTeX math.
    Latex,
    /// Unicode for the terminal.
    Unicode,
    /// MathML Core for a web page: one `<math>` element per result line.
    Mathml,
    /// One JSON object per input (JSON Lines in batch mode).
    Json,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Plain => Format::Plain,
            FormatArg::Latex => Format::Latex,
            FormatArg::Unicode => Format::Unicode,
            FormatArg::Mathml => Format::MathMl,
            FormatArg::Json => Format::Json,
        }
    }
}

/// The values of `--form`: the [`Form`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormArg {
    /// The simplest of the others.
    Auto,
    /// As the rules leave it.
    Computed,
    /// Common factors pulled out of sums.
    Factored,
    /// One fraction, common factors cancelled.
    Together,
    /// Products of sums multiplied out.
    Expanded,
}

impl From<FormArg> for Form {
    fn from(form: FormArg) -> Form {
        match form {
            FormArg::Auto => Form::Auto,
            FormArg::Computed => Form::Computed,
            FormArg::Factored => Form::Factored,
            FormArg::Together => Form::Together,
            FormArg::Expanded => Form::Expanded,
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
    pub(super) fn stdout_color(&self) -> bool {
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

/// Reads `--jobs`: at least 1.
pub(super) fn parse_jobs(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("at least one line must be computed at a time: 1 or more".into()),
        Ok(jobs) => Ok(jobs),
        Err(e) => Err(e.to_string()),
    }
}

/// Checks that a `--wrt` value is a variable name.
fn parse_variable(text: &str) -> Result<String, String> {
    let name = text.trim();
    check_variable(name)?;
    Ok(name.to_string())
}
