//! A polynomial written in powers of a sum of the input: `x^6 + (y + sin(2*x))^2` rather
//! than `x^6 + y^2 + 2*y*sin(2*x) + sin(2*x)^2`.
//!
//! The sums are those the input raised to an integer power (its denominators, and the
//! powers of sums it kept unexpanded). Dividing a polynomial `P` by such a sum `D`
//! again and again, in a generator in which `D`'s leading coefficient is a number, gives
//! its digits in base `D`: `P = c_0 + c_1*D + c_2*D^2 + ...`, an identity of polynomials
//! that holds wherever `P` is defined. That writing is kept when it has fewer operators.
//!
//! Bounded: a few sums, a few digits, and a limit on the term products of the divisions.

use crate::algebra::poly::Poly;
use crate::expr::rational::Rational;
use crate::expr::{ExprId, Node, Pool};

use super::{Generators, MAX_TERMS, read_node};

/// The most sums a polynomial is tried in powers of.
const MAX_SUMS: usize = 4;

/// The most terms a polynomial may have to be tried (a long one is rarely smaller in
/// powers, and writing each try costs nodes).
pub(super) const MAX_TRIED_TERMS: usize = 64;

/// The most digits an expansion may have.
const MAX_DIGITS: usize = 8;

/// The most term products the divisions of one expansion may form.
const MAX_WORK: usize = 20_000;

/// The sums `expr` raises to an integer power outside function arguments, as primitive
/// polynomials in `generators`; at most [`MAX_SUMS`].
pub(super) fn sums(pool: &Pool, generators: &Generators, expr: ExprId) -> Vec<Poly> {
    let mut found: Vec<Poly> = Vec::new();
    let nodes = pool.reachable(expr, |id| !matches!(pool.node(id), Node::Call(..)));
    for id in nodes {
        let Node::Pow([base, exp]) = pool.node(id) else {
            continue;
        };
        if !matches!(pool.node(*base), Node::Add(_))
            || !pool.as_num(*exp).is_some_and(Rational::is_integer)
        {
            continue;
        }
        let mut work = MAX_WORK;
        let Some((sum, den)) = read_node(pool, generators, *base, &mut work) else {
            continue;
        };
        if !den.is_empty() || sum.len() < 2 {
            continue;
        }
        let (_, sum) = sum.primitive();
        if !found.contains(&sum) {
            found.push(sum);
            if found.len() == MAX_SUMS {
                break;
            }
        }
    }
    found
}

/// `poly` written in powers of one of `generators`' sums, or `None` when no expansion
/// has fewer terms in its digits than `poly` has terms (only such a one may be smaller).
/// Nothing is written before one is found: writing costs from the tidy pass's budget.
pub(super) fn in_powers(pool: &mut Pool, generators: &Generators, poly: &Poly) -> Option<ExprId> {
    if poly.len() < 3 || poly.len() > MAX_TRIED_TERMS {
        return None;
    }
    let mut best: Option<(usize, &Poly, Vec<Poly>)> = None;
    for sum in &generators.sums {
        for k in sum.variables() {
            let Some(digits) = digits(poly, sum, k) else {
                continue;
            };
            let terms: usize = digits.iter().map(Poly::len).sum();
            if terms < best.as_ref().map_or(poly.len(), |(t, _, _)| *t) {
                best = Some((terms, sum, digits));
            }
        }
    }
    let (_, sum, digits) = best?;
    Some(write_digits(pool, generators, sum, &digits))
}

/// The digits of `poly` in base `sum`, dividing in variable `k`; `None` when `sum`'s
/// leading coefficient in `k` is not a number, when there is a single digit, or past
/// the bounds.
fn digits(poly: &Poly, sum: &Poly, k: usize) -> Option<Vec<Poly>> {
    let degree = sum.degree_in(k);
    if degree == 0 || poly.degree_in(k) < degree {
        return None;
    }
    let inverse = sum.coefficient(k, degree).as_constant()?.recip()?;
    let mut work = MAX_WORK;
    let mut digits = Vec::new();
    let mut rest = poly.clone();
    while !rest.is_zero() {
        if digits.len() == MAX_DIGITS {
            return None;
        }
        let (quotient, remainder) = divide(&rest, sum, k, degree, &inverse, &mut work)?;
        digits.push(remainder);
        rest = quotient;
    }
    (digits.len() > 1).then_some(digits)
}

/// `(q, r)` with `p = q*sum + r` and `r` of degree below `degree` (`sum`'s) in `k`.
fn divide(
    p: &Poly,
    sum: &Poly,
    k: usize,
    degree: u32,
    inverse: &Rational,
    work: &mut usize,
) -> Option<(Poly, Poly)> {
    let mut quotient = Poly::zero(p.nvars());
    let mut rest = p.clone();
    while !rest.is_zero() {
        let top = rest.degree_in(k);
        if top < degree {
            break;
        }
        let term = rest
            .coefficient(k, top)
            .scale(inverse)
            .shift(k, top - degree)?;
        *work = work.checked_sub(term.len().saturating_mul(sum.len()))?;
        rest = rest.sub(&term.mul(sum));
        quotient = quotient.add(&term);
        if rest.len() > MAX_TERMS || quotient.len() > MAX_TERMS {
            return None;
        }
    }
    Some((quotient, rest))
}

/// `digits[0] + digits[1]*sum + digits[2]*sum^2 + ...` as an expression.
fn write_digits(pool: &mut Pool, generators: &Generators, sum: &Poly, digits: &[Poly]) -> ExprId {
    let base = generators.write_poly(pool, sum);
    let mut terms = Vec::with_capacity(digits.len());
    for (i, digit) in digits.iter().enumerate() {
        if digit.is_zero() {
            continue;
        }
        let c = generators.write_poly(pool, digit);
        let power = pool.powi(base, i64::try_from(i).unwrap_or(i64::MAX));
        terms.push(pool.mul2(c, power));
    }
    pool.add(&terms)
}
