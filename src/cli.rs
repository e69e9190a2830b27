//! The command line: arguments as clap reads them, validation, and the run loop over one
//! expression or a batch of lines.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::PathBuf;

use clap::Parser;

use crate::{
    DEFAULT_MAX_DEPTH, DEFAULT_MAX_SIZE, Error, ExprId, ParseOptions, Pool, Printer, diff,
    parse_with, printed_len,
};

/// The default limit on the size of one printed result, in bytes.
pub const DEFAULT_MAX_OUTPUT: u64 = 1 << 30;

const EXAMPLES: &str = "\
Examples:
  deriv \"4*pi/3*t*x*y\" --wrt x        partial derivative: 4*pi*t*y/3
  deriv \"x^x\" --wrt x,x               second derivative
  deriv \"sin(x)*y^2\" -w x -w y        mixed partial d2/dxdy
  deriv \"x*x + 2*x*x\"                 simplify only: 3*x^2
  deriv -f exprs.txt --wrt x          one result per input line
  echo \"ln(x)\" | deriv --wrt x        read expressions from standard input";

/// Exact symbolic differentiation: partial derivatives of formulas, simplified and printed
/// so that they parse back.
#[derive(Parser, Debug)]
#[command(name = "deriv", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// The expression, for example "x^2*sin(x)". `-` (or no EXPR with piped input) reads
    /// one expression per line from standard input.
    #[arg(value_name = "EXPR", allow_hyphen_values = true)]
    pub expr: Option<String>,

    /// Differentiate with respect to VAR; repeat or separate with commas for higher and
    /// mixed partials, applied in order (`--wrt x,x,y`).
    #[arg(short, long, value_name = "VAR", value_delimiter = ',', value_parser = parse_variable)]
    pub wrt: Vec<String>,

    /// Read expressions from FILE, one per line (blank lines and `#` comments are skipped).
    #[arg(short, long, value_name = "FILE", conflicts_with = "expr")]
    pub file: Option<PathBuf>,

    /// Refuse input nested deeper than this (parentheses, calls, signs, `^` chains).
    #[arg(long, value_name = "LEVELS", default_value_t = DEFAULT_MAX_DEPTH)]
    pub max_depth: usize,

    /// Refuse to print a result longer than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_OUTPUT)]
    pub max_output: u64,

    /// Stop when the expressions of one input grow past this many operands.
    #[arg(long, value_name = "OPERANDS", default_value_t = DEFAULT_MAX_SIZE)]
    pub max_size: usize,
}

/// Checks that a `--wrt` value is a variable name.
fn parse_variable(text: &str) -> Result<String, String> {
    let name = text.trim();
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(char::is_alphabetic)
        && chars.all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{text}` is not a variable name (a letter, then letters, digits or _)"
        ));
    }
    if matches!(name, "pi" | "π" | "e") {
        return Err(format!("`{name}` is a constant, not a variable"));
    }
    if crate::Func::from_name(name).is_some() || matches!(name, "sqrt" | "cbrt" | "diff") {
        return Err(format!("`{name}` is a function, not a variable"));
    }
    Ok(name.to_string())
}

/// Where the expressions come from.
enum Source {
    One(String),
    Lines {
        reader: Box<dyn BufRead>,
        origin: String,
    },
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let source = match source(&cli) {
        Ok(source) => source,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let code = match source {
        Source::One(text) => match evaluate(&cli, &text) {
            Ok((pool, id)) => match write_result(&mut out, &pool, id) {
                Ok(()) => 0,
                Err(e) => return io_exit(&e),
            },
            Err(error) => {
                eprint!("{}", error.render(&text, "<expr>", 1));
                error.exit_code()
            }
        },
        Source::Lines { reader, origin } => run_lines(&cli, reader, &origin, &mut out),
    };
    match out.flush() {
        Ok(()) => code,
        Err(e) => io_exit(&e),
    }
}

fn source(cli: &Cli) -> Result<Source, String> {
    if let Some(path) = &cli.file {
        let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        return Ok(Source::Lines {
            reader: Box::new(BufReader::new(file)),
            origin: path.display().to_string(),
        });
    }
    match cli.expr.as_deref() {
        Some("-") => Ok(stdin_lines()),
        Some(text) => Ok(Source::One(text.to_string())),
        None if !io::stdin().is_terminal() => Ok(stdin_lines()),
        None => Err("no expression given: try `deriv \"x^2\" --wrt x`, or see --help".into()),
    }
}

fn stdin_lines() -> Source {
    Source::Lines {
        reader: Box::new(BufReader::new(io::stdin())),
        origin: "<stdin>".into(),
    }
}

/// Broken pipes end the program quietly (`deriv ... | head`); other write errors fail.
fn io_exit(error: &io::Error) -> u8 {
    if error.kind() == io::ErrorKind::BrokenPipe {
        0
    } else {
        eprintln!("error: cannot write the result: {error}");
        2
    }
}

/// Processes one expression per line; a bad line is reported and the rest still run.
fn run_lines(cli: &Cli, mut reader: Box<dyn BufRead>, origin: &str, out: &mut impl Write) -> u8 {
    let mut code = 0;
    let mut line = Vec::new();
    let mut line_no = 0;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("error: cannot read {origin}: {e}");
                return 2;
            }
        }
        line_no += 1;
        let Ok(text) = std::str::from_utf8(&line) else {
            eprintln!("error: line {line_no} of {origin} is not valid UTF-8");
            code = 1;
            continue;
        };
        let text = text.trim_end_matches(['\n', '\r']);
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match evaluate(cli, text) {
            Ok((pool, id)) => {
                if let Err(e) = write_result(out, &pool, id) {
                    return io_exit(&e);
                }
            }
            Err(error) => {
                // Keep the order of results and errors when both go to a terminal.
                if let Err(e) = out.flush() {
                    return io_exit(&e);
                }
                eprint!("{}", error.render(text, origin, line_no));
                code = code.max(error.exit_code());
            }
        }
    }
    code
}

fn write_result(out: &mut impl Write, pool: &Pool, id: ExprId) -> io::Result<()> {
    writeln!(out, "{}", Printer::new(pool, id))
}

/// Parses, differentiates and checks the size of one expression.
fn evaluate(cli: &Cli, text: &str) -> Result<(Pool, ExprId), Error> {
    let mut pool = Pool::new();
    pool.set_max_size(cli.max_size);
    let mut id = parse_with(
        &mut pool,
        text,
        &ParseOptions {
            max_depth: cli.max_depth,
            ..ParseOptions::default()
        },
    )?;
    for var in &cli.wrt {
        let symbol = pool.symbol(var);
        id = diff(&mut pool, id, symbol);
        if id == ExprId::UNDEFINED {
            let reason = pool.undefined_reason().unwrap_or("undefined").to_string();
            return Err(if pool.size_limit_reached() {
                Error::Limit {
                    message: reason,
                    span: None,
                    help: "raise the limit with --max-size".into(),
                }
            } else {
                Error::Undefined {
                    reason: format!("{reason}, in the derivative with respect to {var}"),
                    span: None,
                }
            });
        }
    }
    let len = printed_len(&pool, id);
    if len > cli.max_output {
        return Err(Error::Limit {
            message: format!(
                "the result is about {len} bytes long, more than the limit of {} bytes",
                cli.max_output
            ),
            span: None,
            help: "raise the limit with --max-output".into(),
        });
    }
    Ok((pool, id))
}
