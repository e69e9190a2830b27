//! A denominator rationalized: a factor `a + b*g` linear in a square root `g = sqrt(P)`
//! multiplied, above and below, by its conjugate `a - b*g`, so that it becomes
//! `a^2 - b^2*P`, free of `g`; then the common factors cancel as before. With
//! `s = sqrt(x^2 + 1)`, `(s - x)/(2*(x^2 - x*s + 1)*s)` is `1/(2*(x^2 + 1))`.
//!
//! Every polynomial is first reduced by `g^2 = P` (where `P` is a polynomial in the other
//! generators; for `g = sqrt(x)`, `g^2` is the variable `x` itself and nothing is to
//! reduce). "Linear in `g`" is then: odd terms `b*g` and even terms `a`, both present.
//!
//! Domain: the conjugate may vanish where the factor does not (`x + 2 + s` is never 0,
//! `x + 2 - s` is 0 at `x = -3/4`), and multiplying by it would make the result undefined
//! there. So the rationalized fraction is kept only when every factor of its final
//! denominator divides a factor of the original denominator (or their product, `g^2`
//! reduced), so that it vanishes only where the original is undefined, or is surely
//! positive on the reals (positive coefficients, a positive constant term, odd powers
//! only of generators that are never negative: `x^2 + 1`, `sqrt(x) + 2`). The result may
//! be defined where the original is not (where the original's `g` was undefined or 0,
//! now cancelled): removable singularities, as for any cancelled factor. And the result
//! is checked to be the original fraction: `N'*D == N*D'` with `g^2 = P`, so it has the
//! original's value wherever both are defined.
//!
//! Bounded: tried only when a denominator factor has both odd and even terms in a square
//! root (answered from the fraction already read), for at most [`MAX_TRIES`] pairs of a
//! factor and a square root, with the products bounded as when reading a fraction.

use crate::algebra::gcd::Budget;
use crate::algebra::poly::Poly;
use crate::expr::rational::Rational;
use crate::expr::{ExprId, Node, Pool};

use super::{
    Fraction, Generators, Kind, MAX_PRODUCTS, bounded_mul, bounded_pow, check_size, push_factor,
    rational_power, read_node,
};
use crate::algebra::cost::Cost;

/// How many pairs of a denominator factor and a square root one fraction tries.
const MAX_TRIES: usize = 4;

/// The fraction rationalized, its conjugate as an expression, and the fraction written.
pub(super) struct Rationalized {
    /// The fraction after the conjugate and the cancelling.
    pub(super) fraction: Fraction,
    /// The conjugate multiplied by, for the step's name.
    pub(super) conjugate: ExprId,
    /// The fraction written out.
    pub(super) written: ExprId,
}

/// `fraction` with a denominator factor linear in a square root multiplied by its
/// conjugate (the smallest such, written, when several are); `None` when no factor is
/// linear in a square root, or no rationalized form is safe (see the module).
pub(super) fn rationalized(
    pool: &mut Pool,
    fraction: &Fraction,
    budget: &mut Budget,
) -> Option<Rationalized> {
    // The cheap test, on the fraction as it is.
    let bases: Vec<ExprId> = (0..fraction.generators.list.len())
        .filter(|&k| {
            is_square_root(&fraction.generators, k)
                && (fraction.denominator.iter()).any(|(f, _)| has_odd_and_even(f, k))
        })
        .map(|k| fraction.generators.list[k].1)
        .collect();
    if bases.is_empty() {
        return None;
    }
    // Read again with the generators inside the radicands, so that each is a polynomial.
    let expr = fraction.write(pool);
    let mut inside = Vec::new();
    for base in bases {
        if fraction.generators.opaque.contains(&base) {
            inside.extend_from_slice(pool.children(base));
        }
    }
    let generators = Generators::collect_with(pool, expr, &inside);
    let mut work = MAX_PRODUCTS;
    let (numerator, denominator) = read_node(pool, &generators, expr, &mut work)?;
    let original = Fraction {
        generators,
        numerator,
        denominator,
    };
    let mut best: Option<(Cost, Rationalized)> = None;
    let mut tries = 0;
    for k in 0..original.generators.list.len() {
        if !is_square_root(&original.generators, k) {
            continue;
        }
        let Some(square) = square_of(pool, &original.generators, k) else {
            continue;
        };
        let root = Root { k, square };
        for i in 0..original.denominator.len() {
            if !has_odd_and_even(&original.denominator[i].0, k) {
                continue;
            }
            tries += 1;
            if tries > MAX_TRIES {
                break;
            }
            let Some((done, conjugate)) = with_conjugate(&original, i, &root, budget) else {
                continue;
            };
            let written = done.write(pool);
            let cost = Cost::of(pool, written);
            if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                let conjugate = original.generators.write_poly(pool, &conjugate);
                let found = Rationalized {
                    fraction: done,
                    conjugate,
                    written,
                };
                best = Some((cost, found));
            }
        }
    }
    best.map(|(_, found)| found)
}

/// A square root among the generators: its variable, and its square.
struct Root {
    /// The variable `g`.
    k: usize,
    /// `P = g^2` as a polynomial without `g`; `None` when `g^2` is a variable already
    /// (`g = sqrt(x)`, `g^2` written `x`).
    square: Option<Poly>,
}

impl Root {
    /// `p` with `g^2` replaced by `P` (of degree at most 1 in `g`); `None` when it grows
    /// past the bounds.
    fn reduce(&self, p: &Poly, work: &mut usize) -> Option<Poly> {
        let Some(square) = &self.square else {
            return Some(p.clone());
        };
        let mut out = Poly::zero(p.nvars());
        for (d, coefficient) in p.coefficients_in(self.k) {
            let mut term = bounded_mul(&coefficient, &bounded_pow(square, d / 2, work)?, work)?;
            if d % 2 == 1 {
                term = term.shift(self.k, 1)?;
            }
            out = out.add(&term);
            check_size(&out)?;
        }
        Some(out)
    }
}

/// Whether variable `k` is a square root: a power generator with the unit `1/2`.
fn is_square_root(generators: &Generators, k: usize) -> bool {
    let (kind, _, unit) = &generators.list[k];
    *kind == Kind::Power && *unit == Rational::HALF
}

/// Whether `f` has terms with an odd power of variable `k` and terms with an even one.
fn has_odd_and_even(f: &Poly, k: usize) -> bool {
    let mut odd = false;
    let mut even = false;
    for (exps, _) in f.terms() {
        if exps[k] % 2 == 1 {
            odd = true;
        } else {
            even = true;
        }
    }
    odd && even
}

/// `f` with the terms of an odd power of variable `k` negated: the conjugate.
fn conjugate_in(f: &Poly, k: usize) -> Poly {
    let terms = f
        .terms()
        .map(|(exps, c)| {
            let c = if exps[k] % 2 == 1 { -c } else { c.clone() };
            (exps.to_vec(), c)
        })
        .collect();
    Poly::from_terms(f.nvars(), terms)
}

/// The square of the square root `k`: `Some(Some(P))` when its radicand is a sum or
/// product that reads as a polynomial `P` without it, `Some(None)` when the radicand
/// reads as `g^2` itself, `None` otherwise.
fn square_of(pool: &Pool, generators: &Generators, k: usize) -> Option<Option<Poly>> {
    let n = generators.list.len();
    let base = generators.list[k].1;
    let mut work = MAX_PRODUCTS;
    if !generators.opaque.contains(&base) {
        let (num, den) = read_node(pool, generators, base, &mut work)?;
        return (den.is_empty() && num == Poly::var(n, k).pow(2)).then_some(None);
    }
    let (sum, start) = match pool.node(base) {
        Node::Add(_) => (true, Poly::zero(n)),
        _ => (false, Poly::constant(n, Rational::ONE)),
    };
    let mut square = start;
    for &part in pool.children(base) {
        let (num, den) = read_node(pool, generators, part, &mut work)?;
        if !den.is_empty() {
            return None;
        }
        square = if sum {
            square.add(&num)
        } else {
            bounded_mul(&square, &num, &mut work)?
        };
    }
    (square.degree_in(k) == 0).then_some(Some(square))
}

/// `original` with denominator factor `i` multiplied by its conjugate in `root`, reduced
/// and cancelled, with the conjugate; `None` when that is not safe (see the module) or
/// [`multiplied`] gives none.
fn with_conjugate(
    original: &Fraction,
    i: usize,
    root: &Root,
    budget: &mut Budget,
) -> Option<(Fraction, Poly)> {
    let (done, conjugate) = multiplied(original, i, root, budget)?;
    let mut work = MAX_PRODUCTS;
    let safe = no_new_zeros(original, &done, root, &mut work, budget)
        && same_value(original, &done, root, &mut work) == Some(true);
    safe.then_some((done, conjugate))
}

/// `original` with denominator factor `i` multiplied by its conjugate in `root`, reduced
/// and cancelled, with the conjugate, *unchecked*; `None` when the factor is not linear
/// in the root once reduced, or a product grows past the bounds.
fn multiplied(
    original: &Fraction,
    i: usize,
    root: &Root,
    budget: &mut Budget,
) -> Option<(Fraction, Poly)> {
    let mut work = MAX_PRODUCTS;
    let mut numerator = root.reduce(&original.numerator, &mut work)?;
    let mut denominator: Vec<(Poly, u32)> = Vec::new();
    let mut target = None;
    for (j, (factor, m)) in original.denominator.iter().enumerate() {
        let reduced = root.reduce(factor, &mut work)?;
        if reduced.is_zero() {
            return None;
        }
        let (c, primitive) = reduced.primitive();
        numerator = numerator.scale(&rational_power(&c.recip()?, *m));
        if j == i {
            target = Some((primitive, *m));
        } else if primitive.as_constant().is_none() {
            push_factor(&mut denominator, primitive, *m);
        }
    }
    let (factor, m) = target?;
    if !has_odd_and_even(&factor, root.k) {
        return None;
    }
    let conjugate = conjugate_in(&factor, root.k);
    let norm = root.reduce(&bounded_mul(&factor, &conjugate, &mut work)?, &mut work)?;
    let raised = bounded_pow(&conjugate, m, &mut work)?;
    numerator = root.reduce(&bounded_mul(&numerator, &raised, &mut work)?, &mut work)?;
    let (c, primitive) = norm.primitive();
    numerator = numerator.scale(&rational_power(&c.recip()?, m));
    if primitive.as_constant().is_none() {
        push_factor(&mut denominator, primitive, m);
    }
    let mut done = Fraction {
        generators: original.generators.clone(),
        numerator,
        denominator,
    };
    while done.cancel_one(budget).is_some() {}
    Some((done, conjugate))
}

/// Whether every factor of `done`'s denominator divides a factor of `original`'s (as it
/// is or reduced), or their reduced product, or is surely positive.
fn no_new_zeros(
    original: &Fraction,
    done: &Fraction,
    root: &Root,
    work: &mut usize,
    budget: &mut Budget,
) -> bool {
    let mut vanishing: Vec<Poly> = Vec::new();
    let n = original.numerator.nvars();
    let mut product = Some(Poly::constant(n, Rational::ONE));
    for (factor, _) in &original.denominator {
        vanishing.push(factor.clone());
        if let Some(reduced) = root.reduce(factor, work) {
            product = product
                .and_then(|p| bounded_mul(&p, &reduced, work))
                .and_then(|p| root.reduce(&p, work));
            // Without a square to reduce by, `reduced` is the factor again.
            if reduced != *factor {
                vanishing.push(reduced);
            }
        }
    }
    vanishing.extend(product);
    done.denominator.iter().all(|(factor, _)| {
        surely_positive(factor, &done.generators)
            || vanishing
                .iter()
                .any(|v| matches!(v.div_exact_within(factor, budget), Ok(Some(_))))
    })
}

/// Whether `n/d` of `done` is `original`'s: `N'*D - N*D'` reduces to 0 (`None` when
/// that grows past the bounds).
fn same_value(original: &Fraction, done: &Fraction, root: &Root, work: &mut usize) -> Option<bool> {
    let cross = |top: &Poly, below: &[(Poly, u32)], work: &mut usize| -> Option<Poly> {
        let mut product = top.clone();
        for (factor, m) in below {
            product = bounded_mul(&product, &bounded_pow(factor, *m, work)?, work)?;
        }
        root.reduce(&product, work)
    };
    let left = cross(&done.numerator, &original.denominator, work)?;
    let right = cross(&original.numerator, &done.denominator, work)?;
    // Both sides are reduced already, and so is their difference.
    Some(left.sub(&right).is_zero())
}

/// Whether `f` is positive wherever its generators are defined: positive coefficients,
/// a positive constant term, and odd powers only of generators that are never negative
/// (an exponential, a root of even index).
fn surely_positive(f: &Poly, generators: &Generators) -> bool {
    let never_negative = |k: usize| {
        let (kind, _, unit) = &generators.list[k];
        *kind == Kind::Exp || !unit.has_odd_denom()
    };
    let mut constant = false;
    for (exps, c) in f.terms() {
        if c.is_negative() {
            return false;
        }
        constant |= exps.iter().all(|&e| e == 0);
        let even = (exps.iter().enumerate()).all(|(k, &e)| e % 2 == 0 || never_negative(k));
        if !even {
            return false;
        }
    }
    constant
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SymbolId, eval, parse, print};
    use rustc_hash::FxHashMap;

    /// The fraction of `text` (read as the together form reads it), with `text` parsed.
    fn read(pool: &mut Pool, text: &str) -> (ExprId, Fraction) {
        let expr = parse(pool, text).unwrap();
        (expr, Fraction::read(pool, expr).unwrap())
    }

    /// `text` rationalized, printed; `None` when refused.
    fn rationalize(text: &str) -> Option<String> {
        let mut pool = Pool::new();
        let (_, fraction) = read(&mut pool, text);
        let done = rationalized(&mut pool, &fraction, &mut Budget::new(1_000_000))?;
        Some(print(&pool, done.written))
    }

    /// The value of `expr` at `x`.
    fn at(pool: &mut Pool, expr: ExprId, x: f64) -> f64 {
        let symbol: SymbolId = pool.symbol("x");
        let values: FxHashMap<SymbolId, f64> = [(symbol, x)].into_iter().collect();
        eval(pool, expr, &values)
    }

    #[test]
    fn a_factor_that_goes_with_its_conjugate_is_rationalized() {
        let cases = [
            // The derivative of atan(x - sqrt(1 + x^2)), as the together form has it.
            (
                "(sqrt(x^2 + 1) - x)/(2*(x^2 - x*sqrt(x^2 + 1) + 1)*sqrt(x^2 + 1))",
                "1/(2*(x^2 + 1))",
            ),
            ("1/(x + sqrt(x^2 + 1))", "sqrt(x^2 + 1) - x"),
            ("(1 - x)/(sqrt(x) + 1)", "1 - sqrt(x)"),
            ("1/(sqrt(x + 1) - sqrt(x))", "sqrt(x) + sqrt(x + 1)"),
            // The new denominator's zero is a zero of the original's product.
            (
                "1/((x + sqrt(x^2 + 1) + 2)*(x - sqrt(x^2 + 1) + 2))",
                "1/(4*x + 3)",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(rationalize(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn a_conjugate_that_adds_a_zero_is_refused() {
        // x + 2 + sqrt(x^2 + 1) is never 0; its conjugate is 0 at x = -3/4.
        let text = "1/(x + sqrt(x^2 + 1) + 2)";
        assert_eq!(rationalize(text), None);
        let mut pool = Pool::new();
        let (expr, fraction) = read(&mut pool, text);
        // The multiplied fraction, unchecked, is undefined at -3/4, where the original is
        // 2/5: the check refuses it for that.
        let k = (0..fraction.generators.list.len())
            .find(|&k| is_square_root(&fraction.generators, k))
            .unwrap();
        let root = Root {
            k,
            square: square_of(&pool, &fraction.generators, k).unwrap(),
        };
        let mut budget = Budget::new(1_000_000);
        let (unsafe_form, _) = multiplied(&fraction, 0, &root, &mut budget).unwrap();
        let written = unsafe_form.write(&mut pool);
        assert_eq!(print(&pool, written), "(x - sqrt(x^2 + 1) + 2)/(4*x + 3)");
        assert!((at(&mut pool, expr, -0.75) - 0.4).abs() < 1e-12);
        assert!(!at(&mut pool, written, -0.75).is_finite());
        let mut work = MAX_PRODUCTS;
        assert!(!no_new_zeros(
            &fraction,
            &unsafe_form,
            &root,
            &mut work,
            &mut budget
        ));
        // Elsewhere the two agree: the refusal is for the domain alone.
        for x in [-3.0, -1.0, 0.0, 0.5, 2.0] {
            let (a, b) = (at(&mut pool, expr, x), at(&mut pool, written, x));
            assert!((a - b).abs() < 1e-12 * a.abs().max(1.0), "{x}: {a} {b}");
        }
    }

    #[test]
    fn positive_polynomials_are_known() {
        let mut pool = Pool::new();
        let (_, fraction) = read(&mut pool, "1/((x^2 + 1)*(sqrt(y) + 2)*(x + 1)*(x^2 - 1))");
        let mut positive: Vec<(String, bool)> = Vec::new();
        for (f, _) in &fraction.denominator {
            let written = fraction.generators.write_poly(&mut pool, f);
            let sure = surely_positive(f, &fraction.generators);
            positive.push((print(&pool, written), sure));
        }
        positive.sort();
        let expected = [
            ("sqrt(y) + 2", true),
            ("x + 1", false),
            ("x^2 + 1", true),
            ("x^2 - 1", false),
        ];
        let expected: Vec<(String, bool)> = (expected.iter())
            .map(|(t, b)| (t.to_string(), *b))
            .collect();
        assert_eq!(positive, expected);
    }
}
