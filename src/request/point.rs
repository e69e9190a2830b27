//! Results at a point (`--at`): the values substituted, each function checked to be
//! defined there, decimals added; and the errors that say what is undefined and where.

use rustc_hash::FxHashMap;

use super::context::Context;
use super::modes::zeroed;
use super::{Assignment, Label, Line, Request, label};
use crate::calculus::defined::DefinedFunctions;
use crate::error::Error;
use crate::expr::subst::{replace, replace_checked};
use crate::expr::{ExprId, Pool};
use crate::print::print;

impl Request {
    /// Applies `--at`, checks for undefined values and adds decimals.
    pub(super) fn finish(
        &self,
        pool: &mut Pool,
        context: &Context,
        lines: Vec<Line>,
    ) -> Result<Vec<Line>, Error> {
        let mut done = Vec::with_capacity(lines.len());
        for mut line in lines {
            if line.value == ExprId::UNDEFINED {
                let label = match (&line.label, self.wrt.is_empty()) {
                    (Label::None, false) => format!("the derivative in {}", self.wrt.join(", ")),
                    (label, _) => label::plain_label(label),
                };
                return Err(undefined_error(pool, &self.at, &label, None));
            }
            if !context.at.is_empty() {
                line.value = pool.inline_functions(line.value);
            }
            match replace_checked(pool, line.value, &context.at) {
                // A value at a point that is exactly zero is shown as 0, so that no
                // decimal of rounding noise stands for it.
                Ok(value) if !context.at.is_empty() && pool.is_constant(value) => {
                    line.value = zeroed(pool, value);
                }
                Ok(value) => line.value = value,
                Err(offender) => {
                    let shown = print(pool, offender);
                    let label = label::plain_label(&line.label);
                    return Err(undefined_error(pool, &self.at, &label, Some(&shown)));
                }
            }
            for (coefficient, _) in &mut line.differentials {
                *coefficient = replace(pool, *coefficient, &context.at);
            }
            if self.numeric && pool.is_constant(line.value) {
                line.decimal = crate::expr::precise::decimal(pool, line.value);
            }
            done.push(line);
        }
        Ok(done)
    }

    /// With `--at`: each function (after `--subst`) must be defined at the point, or its
    /// derivatives there mean nothing. Exactly where the values are exact; else decided
    /// numerically with enough precision, an undecidable case being an error too.
    pub(super) fn check_defined(
        &self,
        pool: &mut Pool,
        context: &Context,
        functions: &[ExprId],
    ) -> Result<(), Error> {
        if context.at.is_empty() {
            return Ok(());
        }
        for &f in functions {
            let f = context.substitution.apply(pool, f);
            let f = pool.inline_functions(f);
            if let Some((offender, reason, sure)) = undefined_part(pool, f, &context.at) {
                if offender == ExprId::UNDEFINED {
                    return Err(Error::limit(
                        crate::error::Limit::Time,
                        "the time limit was reached while deciding whether the function is \
                         defined at the point"
                            .into(),
                        None,
                    ));
                }
                let mut points: Vec<&str> = self.at.iter().map(|a| a.text.as_str()).collect();
                points.dedup();
                let (offender, points) = (print(pool, offender), points.join(", "));
                let claim = if sure {
                    format!("{offender} is undefined at {points}")
                } else {
                    format!("cannot tell whether {offender} is defined at {points}")
                };
                return Err(Error::Undefined {
                    reason: format!(
                        "{claim}: {reason}; a derivative exists only where the function is \
                         defined"
                    ),
                    span: None,
                });
            }
        }
        Ok(())
    }
}

/// The smallest part of `f` that is undefined with the replacements `at` made, and why:
/// exactly (`ln(0)`), or numerically (`ln(1 - e)`, `acos(exp(2) + 1)`), or because the
/// numeric test cannot decide even at its highest precision (then the flag is `false`:
/// not surely undefined); [`ExprId::UNDEFINED`] when the time limit stopped the numeric
/// test.
fn undefined_part(
    pool: &mut Pool,
    f: ExprId,
    at: &FxHashMap<ExprId, ExprId>,
) -> Option<(ExprId, String, bool)> {
    use crate::expr::precise::{Stop, defined};
    let none = FxHashMap::default();
    let new = match crate::expr::subst::replacements(pool, f, at) {
        Ok(new) => new,
        Err(id) => {
            let reason = crate::print::undefined_reason_text(pool);
            return Some((id, reason, true));
        }
    };
    let value = new.get(&f).copied().unwrap_or(f);
    let (node, stop) = defined(pool, value, &none).err()?;
    if stop == Stop::OutOfTime {
        // No part to name: the caller reports the time limit.
        return Some((ExprId::UNDEFINED, String::new(), false));
    }
    // The smallest part of `f` that becomes the failing node, else `f`.
    let offender = pool
        .reachable(f, |_| true)
        .into_iter()
        .find(|id| new.get(id).copied().unwrap_or(*id) == node)
        .unwrap_or(f);
    // `printed_len` is an upper bound: short values are shown.
    let shown = if crate::print::printed_len(pool, node) <= 200 {
        print(pool, node)
    } else {
        "its value at the point".to_string()
    };
    let why = if stop == Stop::Undecided {
        format!(
            "{shown} is too close to the edge of its domain or to a pole to tell, even with \
             2,500 digits"
        )
    } else {
        format!("{shown} is not a real number")
    };
    Some((offender, why, stop != Stop::Undecided))
}

fn undefined_error(pool: &Pool, at: &[Assignment], label: &str, offender: Option<&str>) -> Error {
    let reason = crate::print::undefined_reason_text(pool);
    if let Some(limit) = pool.limit_reached() {
        return Error::limit(limit, reason, None);
    }
    let mut points: Vec<&str> = at.iter().map(|a| a.text.as_str()).collect();
    // `--at x=1,y=2` is one option holding two assignments: name it once.
    points.dedup();
    let mut reason = match offender {
        Some(offender) => format!("{offender} is undefined at {}: {reason}", points.join(", ")),
        None => reason,
    };
    if !label.is_empty() {
        reason = format!("{reason}, in {}", label.trim());
    }
    Error::Undefined { reason, span: None }
}
