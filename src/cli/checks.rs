//! The reports of `--verify` (a summary or a failure, and warnings for what it could not
//! check) and of `--check` (the answer compared with the derivative, and the verdict).

use std::io::{self, Write};

use super::Cli;
use super::jobs::to_stderr;
use crate::error::{Error, Warning};
use crate::expr::subst::free_symbols;
use crate::expr::{ExprId, Node, Pool};
use crate::output::Format;
use crate::print::{Printer, math_element};
use crate::request::{Mode, Outcome, Request};
use crate::verify::{POINTS, Report, Verdict, compare, compare_on_curve};

/// Reports the outcome of `--verify` on stderr; the exit code of [`Error::VerifyFailed`]
/// when a claim failed.
pub(super) fn report_verification(verification: &Report, line_no: Option<usize>) -> u8 {
    let prefix = line_no.map_or(String::new(), |n| format!("line {n}: "));
    if let Some(failure) = &verification.failure {
        let error = Error::VerifyFailed {
            failure: failure.clone(),
        };
        to_stderr(&format!("{prefix}{error}\n"));
        return error.exit_code();
    }
    if verification.checked == 0 {
        return 0;
    }
    to_stderr(&format!(
        "{prefix}verify: {} result{} checked against finite differences at {POINTS} points each, largest relative error {:.1e}\n",
        verification.checked,
        if verification.checked == 1 { "" } else { "s" },
        verification.max_error
    ));
    0
}

/// An input's warnings: the outcome's, then what `--verify` could not check.
pub(super) fn all_warnings(
    pool: &Pool,
    request: &Request,
    outcome: &Outcome,
    verification: Option<&Report>,
) -> Vec<Warning> {
    let mut warnings = outcome.warnings.clone();
    if let Some(verification) = verification {
        let implicit = request.mode == Mode::Implicit;
        warnings.extend(verify_warnings(pool, outcome, verification, implicit));
    }
    warnings
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
    if verification.checked == 0
        && verification.unchecked.is_empty()
        && verification.unsettled.is_empty()
    {
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
    for label in &verification.unsettled {
        warnings.push(warning(
            format!(
                "--verify: {label} was not checked: finite differences do not settle at any \
                 test point (the function changes too fast there, or is too large beside its \
                 slope, for floating point)"
            ),
            "compare with an answer you trust using --check, which evaluates exactly",
        ));
    }
    warnings
}

/// Compares `--check`'s answer with the one result.
pub(super) fn check_answer(
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

pub(super) fn verdict_is_correct(verdict: &Verdict) -> bool {
    matches!(
        verdict,
        Verdict::Equal | Verdict::NumericallyEqual { .. } | Verdict::EqualOnCurve { .. }
    )
}

/// `correct`, or `incorrect` with the derivative and a point where they differ.
pub(super) fn write_verdict(
    out: &mut impl Write,
    cli: &Cli,
    pool: &Pool,
    outcome: &Outcome,
    verdict: &Verdict,
) -> io::Result<()> {
    let expected = outcome.lines.first().map_or(ExprId::ZERO, |l| l.value);
    let shown = Printer::new(pool, expected)
        .style(cli.output_format().style())
        .notation(cli.output_notation())
        .to_string();
    // In MathML the formula is a `<math>` element in the sentence.
    let shown = match cli.output_format() {
        Format::MathMl => math_element(&shown, false),
        _ => shown,
    };
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
