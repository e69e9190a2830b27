//! The together form: one common denominator, the numerator expanded.

use crate::algebra::expand::expand;
use crate::algebra::tidy::TidyStep;
use crate::algebra::together::together;
use crate::expr::{ExprId, Node, Pool};

/// The steps from `expr` to one fraction with an expanded numerator; none when `expr`
/// is already one.
pub fn together_cancelled(pool: &mut Pool, expr: ExprId) -> Vec<TidyStep> {
    let mut steps = Vec::new();
    let combined = together(pool, expr);
    if combined != expr {
        steps.push(TidyStep {
            rule: "common denominator".into(),
            expr: combined,
        });
    }
    let (numerator, denominator) = split_fraction(pool, combined);
    if let Some(expanded) = expand(pool, numerator)
        && expanded != numerator
    {
        let whole = pool.mul2(expanded, denominator);
        steps.push(TidyStep {
            rule: "expand the numerator".into(),
            expr: whole,
        });
    }
    steps
}

/// A product split into its factors with negative numeric powers (the denominator, kept
/// as those powers) and the rest.
fn split_fraction(pool: &mut Pool, expr: ExprId) -> (ExprId, ExprId) {
    let Node::Mul(factors) = pool.node(expr) else {
        return (expr, ExprId::ONE);
    };
    let (bottom, top): (Vec<ExprId>, Vec<ExprId>) = factors.iter().partition(|&&f| {
        matches!(pool.node(f), Node::Pow([_, exp]) if pool.as_num(*exp).is_some_and(|e| e.is_negative()))
    });
    (pool.mul(&top), pool.mul(&bottom))
}
