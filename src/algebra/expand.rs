//! Expansion, and deciding that an expression is zero: products of sums multiplied out
//! and positive integer powers of sums raised term by term, everywhere in the expression
//! (inside function arguments too), under a work budget.
//!
//! The canonical constructors never multiply sums out (`3*(x + 1)^2 - 3*x^2 - 6*x - 3`
//! stays as it is), so an expression that is exactly zero is not always the node `0`.
//! [`is_zero`] decides it by expanding, after writing the expression over one common
//! denominator; it answers `false` when it cannot prove zero.

use rustc_hash::FxHashMap;

use crate::algebra::together::together;
use crate::expr::subst::rebuild;
use crate::expr::{ExprId, Node, Pool};

/// The most terms an expansion may create in all before it gives up: expansion can grow
/// exponentially (`(x + y)^1000`), and a proof of zero is not worth unbounded work. The
/// work is at most linear in the expression's size plus this budget.
pub const EXPAND_BUDGET: usize = 20_000;

/// The highest power of a sum that is raised term by term.
const MAX_EXPANDED_POWER: i64 = 64;

/// `expr` with products of sums multiplied out and positive integer powers of sums
/// expanded, or `None` when that would take more than [`EXPAND_BUDGET`] terms.
///
/// ```
/// use deriv::algebra::expand;
/// use deriv::{Pool, parse, print};
/// let mut pool = Pool::new();
/// let e = parse(&mut pool, "(x + 1)^2 - 2*x").unwrap();
/// let expanded = expand(&mut pool, e).unwrap();
/// assert_eq!(print(&pool, expanded), "x^2 + 1");
/// ```
pub fn expand(pool: &mut Pool, expr: ExprId) -> Option<ExprId> {
    let mut budget = EXPAND_BUDGET;
    let order = pool.reachable(expr, |_| true);
    let mut done: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    for id in order {
        let get = |child: &ExprId| done.get(child).copied().unwrap_or(*child);
        // A node whose children are as they were, and that is neither a product with a
        // sum nor a power of one, is itself expanded: rebuilt, a canonical node is itself.
        let unchanged = pool.children(id).iter().all(|c| get(c) == *c);
        if unchanged && !multiplies_out(pool, id) {
            continue;
        }
        let node = pool.node(id).clone();
        let expanded = match node {
            Node::Add(terms) => {
                let terms: Vec<ExprId> = terms.iter().map(get).collect();
                pool.add(&terms)
            }
            Node::Mul(factors) => {
                let factors: Vec<ExprId> = factors.iter().map(get).collect();
                multiply_out(pool, &factors, &mut budget)?
            }
            Node::Pow([base, exp]) => {
                let (base, exp) = (get(&base), get(&exp));
                match raised(pool, base, exp) {
                    Some(n) => {
                        let factors = vec![base; n];
                        multiply_out(pool, &factors, &mut budget)?
                    }
                    None => pool.pow(base, exp),
                }
            }
            Node::Undefined
            | Node::Num(_)
            | Node::Const(_)
            | Node::Sym(_)
            | Node::Derivative { .. } => id,
            // Functions: their arguments expanded.
            _ => {
                let children: Vec<ExprId> = pool.children(id).iter().map(get).collect();
                rebuild(pool, &node, &children)
            }
        };
        done.insert(id, expanded);
    }
    Some(done.get(&expr).copied().unwrap_or(expr))
}

/// Whether expanding `id` itself (its children as they are) multiplies something out: a
/// product with a sum among its factors, or a power of a sum that [`expand`] raises.
fn multiplies_out(pool: &Pool, id: ExprId) -> bool {
    match pool.node(id) {
        Node::Mul(factors) => factors
            .iter()
            .any(|&f| matches!(pool.node(f), Node::Add(_))),
        Node::Pow([base, exp]) => raised(pool, *base, *exp).is_some(),
        _ => false,
    }
}

/// The power `base^exp` is raised to term by term: `exp` when `base` is a sum and `exp`
/// an integer from 2 to [`MAX_EXPANDED_POWER`].
fn raised(pool: &Pool, base: ExprId, exp: ExprId) -> Option<usize> {
    if !matches!(pool.node(base), Node::Add(_)) {
        return None;
    }
    let n = pool.as_num(exp)?.to_i64()?;
    (2..=MAX_EXPANDED_POWER).contains(&n).then_some(n as usize)
}

/// The product of `factors` with every sum among them multiplied out.
fn multiply_out(pool: &mut Pool, factors: &[ExprId], budget: &mut usize) -> Option<ExprId> {
    if !factors
        .iter()
        .any(|&f| matches!(pool.node(f), Node::Add(_)))
    {
        return Some(pool.mul(factors));
    }
    let mut terms = vec![ExprId::ONE];
    for &factor in factors {
        let parts: Vec<ExprId> = match pool.node(factor) {
            Node::Add(parts) => parts.to_vec(),
            _ => vec![factor],
        };
        let count = terms.len().checked_mul(parts.len())?;
        *budget = budget.checked_sub(count)?;
        let mut next = Vec::with_capacity(count);
        for &term in &terms {
            for &part in &parts {
                next.push(pool.mul2(term, part));
            }
        }
        // Like terms merge as they go, which keeps the next round small.
        let sum = pool.add(&next);
        terms = match pool.node(sum) {
            Node::Add(parts) => parts.to_vec(),
            _ => vec![sum],
        };
    }
    Some(pool.add(&terms))
}

/// Whether `expr` is provably zero: it is the node `0`, or its numerator over one common
/// denominator expands to `0`. `false` means "not proven", not "nonzero".
///
/// ```
/// use deriv::algebra::is_zero;
/// use deriv::{Pool, parse};
/// let mut pool = Pool::new();
/// let e = parse(&mut pool, "3*(x + 1)^2 - 3*x^2 - 6*x - 3").unwrap();
/// assert!(is_zero(&mut pool, e));
/// let f = parse(&mut pool, "1/(x + 1) - 1/(x^2 + 2*x + 1)*(x + 1)").unwrap();
/// assert!(is_zero(&mut pool, f));
/// ```
pub fn is_zero(pool: &mut Pool, expr: ExprId) -> bool {
    if expr == ExprId::ZERO {
        return true;
    }
    if expr == ExprId::UNDEFINED || pool.as_num(expr).is_some() {
        return false;
    }
    if expand(pool, expr) == Some(ExprId::ZERO) {
        return true;
    }
    let combined = together(pool, expr);
    let numerator = numerator(pool, combined);
    numerator != expr && expand(pool, numerator) == Some(ExprId::ZERO)
}

/// The factors of `expr` without negative numeric powers: the numerator of a fraction.
fn numerator(pool: &mut Pool, expr: ExprId) -> ExprId {
    let Node::Mul(factors) = pool.node(expr) else {
        return expr;
    };
    let top: Vec<ExprId> = factors
        .iter()
        .copied()
        .filter(|&f| match pool.node(f) {
            Node::Pow([_, exp]) => !pool.as_num(*exp).is_some_and(|e| e.is_negative()),
            _ => true,
        })
        .collect();
    pool.mul(&top)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse, print};

    fn expanded(text: &str) -> Option<String> {
        let mut pool = Pool::new();
        let e = parse(&mut pool, text).ok()?;
        let x = expand(&mut pool, e)?;
        Some(print(&pool, x))
    }

    #[test]
    fn products_and_powers_of_sums_multiply_out() {
        assert_eq!(expanded("(x + 1)*(x - 1)").as_deref(), Some("x^2 - 1"));
        assert_eq!(
            expanded("(a + b)^3").as_deref(),
            Some("a^3 + 3*a^2*b + 3*a*b^2 + b^3")
        );
        assert_eq!(
            expanded("sin((x + 1)^2)").as_deref(),
            Some("sin(x^2 + 2*x + 1)")
        );
        assert_eq!(expanded("(x + 1)^(1/2)").as_deref(), Some("sqrt(x + 1)"));
    }

    #[test]
    fn expansion_past_the_budget_gives_up() {
        assert_eq!(expanded("(a + b + c + d + e + f + g + h)^64"), None);
    }

    #[test]
    fn zero_is_decided_by_expanding() {
        let mut pool = Pool::new();
        for zero in [
            "3*(x + 1)^2 - 3*x^2 - 6*x - 3",
            "(x + y)^2 - (x - y)^2 - 4*x*y",
            "sin((x + 1)^2) - sin(x^2 + 2*x + 1)",
            "x/(x^2 - 1) - x/((x + 1)*(x - 1))",
        ] {
            let e = parse(&mut pool, zero).unwrap();
            assert!(is_zero(&mut pool, e), "{zero}");
        }
        for nonzero in ["x", "(x + 1)^2 - x^2", "1", "sin(x)^2 + cos(x)^2 - 2"] {
            let e = parse(&mut pool, nonzero).unwrap();
            assert!(!is_zero(&mut pool, e), "{nonzero}");
        }
    }
}
