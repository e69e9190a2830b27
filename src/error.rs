//! Errors, how they are shown (with line, column and a caret) and which exit code they mean.

use std::fmt::Write;

/// A resource limit of a [`crate::Pool`] that stopped a computation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Limit {
    /// [`crate::Pool::set_max_size`]: too many operands.
    Size,
    /// [`crate::Pool::set_deadline`]: out of time.
    Time,
    /// [`crate::Pool::set_stop`]: stopped from outside (Ctrl-C).
    Interrupted,
}

/// A byte range in the input text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The range `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// Everything that can go wrong, each variant with an input that triggers it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not an expression: `2x`, `x +`, `(x`, `x $ y`, an empty input.
    #[error("{message}")]
    Syntax {
        /// What is wrong.
        message: String,
        /// Where.
        span: Span,
        /// How to fix it, when there is an obvious fix.
        help: Option<String>,
    },
    /// A name is used the wrong way: `sin(x, y)`, `pi(x)`, `sin + 1`, `f(x) + f(x, y)`.
    #[error("{message}")]
    Name {
        /// What is wrong.
        message: String,
        /// Where.
        span: Span,
        /// How to fix it.
        help: Option<String>,
    },
    /// A constant subexpression has no real value: `1/0`, `0^-1`, `ln(0)`, `asin(2)`.
    #[error("{reason}")]
    Undefined {
        /// Why, for example `0^(-1) is a division by zero`.
        reason: String,
        /// The subexpression in the input, when the input contains it.
        span: Option<Span>,
    },
    /// A resource limit was reached: nesting depth, result size.
    #[error("{message}")]
    Limit {
        /// Which limit and its value.
        message: String,
        /// Where, when it is a place in the input.
        span: Option<Span>,
        /// How to raise the limit or avoid it.
        help: String,
        /// The pool's limit that stopped a computation; `None` for a limit on the input
        /// (its nesting, a number's size) or on the printed result.
        reached: Option<Limit>,
    },
    /// Options that do not fit together or do not fit the input: `--steps` without
    /// `--wrt`, `--params 'q*'` when no variable starts with `q`, no expression at all.
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
        /// How to fix it, when there is an obvious fix.
        help: Option<String>,
    },
    /// An option's argument is wrong, shown against that argument's text: malformed
    /// (`--at x`, `--subst 't=x' --wrt t`, a substitution cycle) or holding a bad
    /// expression (`--subst 't=x+'`, `--def 'f(x)=1/0'`).
    #[error("{error}")]
    Option {
        /// The option, for example `--subst`.
        option: &'static str,
        /// The option's argument.
        text: String,
        /// What is wrong, its span inside `text`.
        error: Box<Error>,
        /// Whether the argument itself is malformed (a usage error) rather than an
        /// expression in it.
        malformed: bool,
    },
    /// A line of a batch that is not text.
    #[error("line {line} of {origin} is not valid UTF-8")]
    Encoding {
        /// The file, or `<stdin>`.
        origin: String,
        /// The line number.
        line: usize,
    },
    /// `--check ANSWER` did not confirm the answer: it is incorrect, or no test point
    /// decides. The verdict is the report, written with the results.
    #[error("the answer is not confirmed to be the derivative")]
    CheckFailed,
    /// `--verify` found a result that disagrees with finite differences.
    #[error("verify: FAILED: {failure}")]
    VerifyFailed {
        /// Which result, and where it disagrees.
        failure: String,
    },
    /// A bug: the computation panicked. Reported, never a crash; exit code 3.
    #[error("internal error: {message}")]
    Internal {
        /// The panic's message.
        message: String,
    },
    /// A file or standard input could not be read, or the results could not be written.
    #[error("{context}: {source}")]
    Io {
        /// What was being read or written.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    /// A malformed argument of `option`: `message` at `span` in its `text`, with `help`.
    pub fn malformed_option(
        option: &'static str,
        text: &str,
        message: String,
        span: Span,
        help: String,
    ) -> Error {
        Error::Option {
            error: Box::new(Error::Syntax {
                message,
                span,
                help: Some(help),
            }),
            text: text.to_string(),
            option,
            malformed: true,
        }
    }

    /// The same error with `help` in place of its own, for a syntax error (also inside
    /// an option's error); other errors unchanged.
    pub fn with_help(self, help: &str) -> Error {
        match self {
            Error::Syntax { message, span, .. } => Error::Syntax {
                message,
                span,
                help: Some(help.to_string()),
            },
            Error::Option {
                option,
                text,
                error,
                malformed,
            } => Error::Option {
                option,
                text,
                error: Box::new(error.with_help(help)),
                malformed,
            },
            other => other,
        }
    }

    /// The error for a pool that stopped at a resource limit.
    pub fn limit(limit: Limit, message: String, span: Option<Span>) -> Error {
        let help = match limit {
            Limit::Size => "raise the limit with --max-size (or simplify the input)",
            Limit::Time => "raise the limit with --timeout",
            Limit::Interrupted => "stopped by Ctrl-C",
        };
        Error::Limit {
            message,
            span,
            help: help.into(),
            reached: Some(limit),
        }
    }

    /// The process exit code for this error: the one table of the command's exit codes.
    ///
    /// | code | meaning | errors |
    /// |---|---|---|
    /// | 0 | success | none |
    /// | 1 | bad input, undefined mathematics, an answer `--check` does not confirm, a result `--verify` fails | [`Syntax`], [`Name`], [`Undefined`], [`Limit`], [`Encoding`], an [`Option`] with a bad expression, [`CheckFailed`], [`VerifyFailed`] |
    /// | 2 | usage: options, files, writing the results | [`Usage`], [`Io`], a malformed [`Option`] |
    /// | 3 | an internal error (a bug) | [`Internal`]; also the binary's guard against a panic outside any input |
    ///
    /// A batch exits with the largest code of its lines.
    ///
    /// [`Syntax`]: Error::Syntax
    /// [`Name`]: Error::Name
    /// [`Undefined`]: Error::Undefined
    /// [`Limit`]: Error::Limit
    /// [`Encoding`]: Error::Encoding
    /// [`Option`]: Error::Option
    /// [`CheckFailed`]: Error::CheckFailed
    /// [`VerifyFailed`]: Error::VerifyFailed
    /// [`Usage`]: Error::Usage
    /// [`Io`]: Error::Io
    /// [`Internal`]: Error::Internal
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Syntax { .. }
            | Error::Name { .. }
            | Error::Undefined { .. }
            | Error::Limit { .. }
            | Error::Encoding { .. }
            | Error::Option {
                malformed: false, ..
            }
            | Error::CheckFailed
            | Error::VerifyFailed { .. } => 1,
            Error::Usage { .. }
            | Error::Io { .. }
            | Error::Option {
                malformed: true, ..
            } => 2,
            Error::Internal { .. } => 3,
        }
    }

    /// The same error with its span moved `offset` bytes right: for an expression that
    /// was parsed out of a longer text, such as the `x^2` of `--subst t=x^2`.
    pub fn shifted(self, offset: usize) -> Error {
        let shift = |span: Span| Span::new(span.start + offset, span.end + offset);
        match self {
            Error::Syntax {
                message,
                span,
                help,
            } => Error::Syntax {
                message,
                span: shift(span),
                help,
            },
            Error::Name {
                message,
                span,
                help,
            } => Error::Name {
                message,
                span: shift(span),
                help,
            },
            Error::Undefined { reason, span } => Error::Undefined {
                reason,
                span: span.map(shift),
            },
            Error::Limit {
                message,
                span,
                help,
                reached,
            } => Error::Limit {
                message,
                span: span.map(shift),
                help,
                reached,
            },
            other => other,
        }
    }

    /// Where the error is in its input, when it is a place in the input (for an
    /// [`Error::Option`], in the option's text).
    pub fn span(&self) -> Option<Span> {
        match self {
            Error::Syntax { span, .. } | Error::Name { span, .. } => Some(*span),
            Error::Undefined { span, .. } | Error::Limit { span, .. } => *span,
            Error::Io { .. }
            | Error::Internal { .. }
            | Error::Usage { .. }
            | Error::Encoding { .. }
            | Error::CheckFailed
            | Error::VerifyFailed { .. } => None,
            Error::Option { error, .. } => error.span(),
        }
    }

    /// How to fix it, when there is an obvious fix.
    pub fn help(&self) -> Option<&str> {
        match self {
            Error::Syntax { help, .. } | Error::Name { help, .. } | Error::Usage { help, .. } => {
                help.as_deref()
            }
            Error::Limit { help, .. } => Some(help),
            Error::Internal { .. } => Some("this is a bug in deriv: please report the input"),
            Error::Option { error, .. } => error.help(),
            _ => None,
        }
    }

    /// The full message for a person: the error, then where it is in `source` (named
    /// `origin`, for example `<expr>` or `input.txt`, whose first line is line
    /// `first_line`) with a caret, then a hint. An [`Error::Option`] is shown in its
    /// option's text instead.
    pub fn render(&self, source: &str, origin: &str, first_line: usize) -> String {
        if let Error::Option {
            option,
            text,
            error,
            ..
        } = self
        {
            return error.render(text, option, 1);
        }
        let mut out = format!("error: {self}\n");
        // Errors about the options, the files or the output are about no line.
        let locate = !matches!(
            self,
            Error::Usage { .. } | Error::Io { .. } | Error::Encoding { .. }
        );
        render_place(&mut out, self.span(), locate, source, origin, first_line);
        if let Some(help) = self.help() {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }
}

/// An input that is valid but probably not what was meant: `Sin(x)` (an unknown function
/// named like a built-in), `E^x` (a variable named like a constant), `--wrt` a variable
/// that does not occur. The result is still computed; the warning goes with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// What is probably wrong.
    pub message: String,
    /// Where, when it is a place in the input.
    pub span: Option<Span>,
    /// What was probably meant.
    pub help: Option<String>,
    /// The name it is about, if any: a definition of that name (`--def`) silences it.
    pub name: Option<String>,
}

impl Warning {
    /// The full message for a person, as [`Error::render`] writes errors: `warning:`,
    /// where it is in `source` with a caret, then a hint.
    pub fn render(&self, source: &str, origin: &str, first_line: usize) -> String {
        let mut out = format!("warning: {}\n", self.message);
        render_place(&mut out, self.span, true, source, origin, first_line);
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }

    /// The same warning with its span moved `offset` bytes right, as [`Error::shifted`].
    pub fn shifted(self, offset: usize) -> Warning {
        Warning {
            span: self
                .span
                .map(|span| Span::new(span.start + offset, span.end + offset)),
            ..self
        }
    }
}

/// Writes where a report is: the snippet with a caret under `span`, or without a span, the
/// line of a batch (`locate`: when the report is about a line at all).
fn render_place(
    out: &mut String,
    span: Option<Span>,
    locate: bool,
    source: &str,
    origin: &str,
    first_line: usize,
) {
    match span {
        Some(span) => render_snippet(out, source, origin, first_line, span),
        // A single expression needs no pointer; a batch line does.
        None if origin != "<expr>" && locate => {
            let _ = writeln!(out, " --> {origin}:{first_line}");
        }
        None => {}
    }
}

/// Writes ` --> origin:line:col`, the source line and a caret line under the span.
fn render_snippet(out: &mut String, source: &str, origin: &str, first_line: usize, span: Span) {
    let start = floor_char_boundary(source, span.start.min(source.len()));
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[start..]
        .find('\n')
        .map_or(source.len(), |i| start + i);
    let line_no = source[..start].matches('\n').count() + first_line;
    let column = source[line_start..start].chars().count() + 1;
    let end = floor_char_boundary(source, span.end.clamp(start, line_end));
    let width = source[start..end].chars().count().max(1);
    let line = &source[line_start..line_end];
    // Very long lines (a 10 MB expression) are cut around the caret.
    const CONTEXT: usize = 60;
    let (shown, caret_col) = if column > CONTEXT * 2 {
        let skip = column - CONTEXT;
        let text: String = line.chars().skip(skip).take(CONTEXT * 2).collect();
        (format!("...{text}"), column - skip + 3)
    } else {
        (line.chars().take(CONTEXT * 3).collect(), column)
    };
    let shown = shown.replace(|c: char| c.is_control(), " ");
    let gutter = line_no.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}--> {origin}:{line_no}:{column}");
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line_no} | {shown}");
    let _ = writeln!(
        out,
        "{pad} | {}{}",
        " ".repeat(caret_col - 1),
        "^".repeat(width.min(CONTEXT * 2))
    );
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_points_at_the_span() {
        let error = Error::Syntax {
            message: "missing operator".into(),
            span: Span::new(1, 2),
            help: Some("write 2*x".into()),
        };
        assert_eq!(
            error.render("2x", "<expr>", 1),
            "error: missing operator\n --> <expr>:1:2\n  |\n1 | 2x\n  |  ^\n  = help: write 2*x\n"
        );
    }

    #[test]
    fn an_option_error_is_shown_in_its_text_and_exits_by_its_kind() {
        let option = |malformed| Error::Option {
            option: "--at",
            text: "x=1+".into(),
            error: Box::new(Error::Syntax {
                message: "m".into(),
                span: Span::new(4, 4),
                help: None,
            }),
            malformed,
        };
        assert_eq!(option(true).exit_code(), 2);
        assert_eq!(option(false).exit_code(), 1);
        assert!(option(false).render("y", "<expr>", 1).contains("--at:1:5"));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let error = Error::Syntax {
            message: "m".into(),
            span: Span::new(3, 4),
            help: None,
        };
        assert!(error.render("θ $", "<expr>", 1).contains("<expr>:1:3"));
    }
}
