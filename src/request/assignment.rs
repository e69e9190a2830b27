//! Option text: a `VAR=EXPR` option (`--subst`, `--at`, `--sgd`) read into an
//! [`Assignment`], and its expression parsed with errors placed in the option's text.

use crate::error::{Error, Span};
use crate::expr::{ExprId, Pool};
use crate::parse::{ParseOptions, check_variable, parse_with};

/// A `VAR=EXPR` option, with where its expression starts in the option's text.
#[derive(Clone, Debug)]
pub struct Assignment {
    /// The whole option value, for error messages.
    pub text: String,
    /// The variable.
    pub var: String,
    /// The expression text.
    pub expr: String,
    /// Byte offset of `expr` in `text`.
    pub offset: usize,
    /// The option's name, `--subst` or `--at`.
    pub option: &'static str,
}

/// Reads `VAR=EXPR` (checking its shape, not yet the expression).
pub fn parse_assignment(
    text: &str,
    part: &str,
    start: usize,
    option: &'static str,
) -> Result<Assignment, Error> {
    let fail = |message: String, span: Span, help: &str| {
        Error::malformed_option(option, text, message, span, help.to_string())
    };
    let usage = "write VAR=EXPR, for example t=x^2";
    let Some(eq) = part.find('=') else {
        let end = start + part.len();
        return Err(fail(
            format!("`{part}` has no `=`"),
            Span::new(end, end),
            usage,
        ));
    };
    let var = part[..eq].trim();
    let expr = &part[eq + 1..];
    let eq_at = start + eq;
    if expr.starts_with('=') {
        return Err(fail(
            "`==` is not an assignment".into(),
            Span::new(eq_at, eq_at + 2),
            "use a single `=`: t=x",
        ));
    }
    if var.is_empty() {
        return Err(fail(
            "missing variable before `=`".into(),
            Span::new(eq_at, eq_at + 1),
            usage,
        ));
    }
    if let Err(message) = check_variable(var) {
        let var_start = start + part.find(var).unwrap_or(0);
        return Err(fail(
            message,
            Span::new(var_start, var_start + var.len()),
            usage,
        ));
    }
    if expr.trim().is_empty() {
        let end = start + part.len();
        return Err(fail(
            "missing expression after `=`".into(),
            Span::new(end, end),
            usage,
        ));
    }
    Ok(Assignment {
        text: text.to_string(),
        var: var.to_string(),
        expr: expr.to_string(),
        offset: eq_at + 1,
        option,
    })
}

/// Parses the expression of a `VAR=EXPR` option, errors placed in the option's text.
pub(super) fn parse_option_expr(
    pool: &mut Pool,
    assignment: &Assignment,
    options: &ParseOptions,
) -> Result<ExprId, Error> {
    parse_with(pool, &assignment.expr, options).map_err(|error| Error::Option {
        error: Box::new(error.shifted(assignment.offset)),
        text: assignment.text.clone(),
        option: assignment.option,
        malformed: false,
    })
}

/// The error in an option's argument, without the option.
/// [`Request::check_options`](super::Request::check_options) reports the options' errors
/// before any input is read; found again while computing an input (a time limit), they
/// are that input's errors.
pub(super) fn unwrap_option(error: Error) -> Error {
    match error {
        Error::Option { error, .. } => *error,
        other => other,
    }
}
