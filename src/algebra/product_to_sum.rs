//! Products of sines and cosines in a sum written as sums of single sines and cosines
//! (the product-to-sum formulas), like terms collected:
//! `3*cos(2*x)*cos(3*x) - 2*sin(2*x)*sin(3*x)` is `cos(x)/2 + 5*cos(5*x)/2`.
//!
//! The formulas, with `cos(-u) = cos(u)` and `sin(-u) = -sin(u)`:
//! `sin(a)*cos(b) = (sin(a + b) + sin(a - b))/2`,
//! `cos(a)*cos(b) = (cos(a - b) + cos(a + b))/2`,
//! `sin(a)*sin(b) = (cos(a - b) - cos(a + b))/2`, and for the hyperbolic functions
//! `sinh(a)*sinh(b) = (cosh(a + b) - cosh(a - b))/2` with the other two alike. They hold
//! for every real value, so the rewrite changes no value and no domain. The caller keeps
//! the result only where it is smaller.
//!
//! Bounded: the sines and cosines must be of rational multiples of one expression (`x`,
//! `2*x`, `x/2`), in one family, at most [`MAX_DEGREE`] of them (with their powers) in a
//! term, in a sum of at most [`MAX_TERMS`] terms; otherwise the sum is left alone. Powers
//! above [`MAX_POWER`] (and negative ones), like every other factor, stay as they are,
//! multiplying the sum their term becomes. A term of degree `d` becomes at
//! most `2^(d - 1)` terms, so the result has at most 48 terms before they collect.

use crate::algebra::identities::split_term;
use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::{ExprId, Node, Pool};

/// Sums with more terms than this are left alone.
const MAX_TERMS: usize = 12;

/// Terms with more sines and cosines than this (counted with their powers) leave the
/// sum alone: each one doubles the terms it becomes.
const MAX_DEGREE: usize = 3;

/// The highest power of a sine or cosine multiplied out; higher powers leave the sum
/// alone.
const MAX_POWER: i64 = 2;

/// Whether a function is the sine or the cosine of its family.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Wave {
    Sin,
    Cos,
}

/// The circular or the hyperbolic functions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Family {
    Circular,
    Hyperbolic,
}

impl Family {
    /// The family and wave of a sine or cosine.
    fn of(func: Func) -> Option<(Family, Wave)> {
        match func {
            Func::Sin => Some((Family::Circular, Wave::Sin)),
            Func::Cos => Some((Family::Circular, Wave::Cos)),
            Func::Sinh => Some((Family::Hyperbolic, Wave::Sin)),
            Func::Cosh => Some((Family::Hyperbolic, Wave::Cos)),
            _ => None,
        }
    }

    /// The function of `wave` in this family.
    fn func(self, wave: Wave) -> Func {
        match (self, wave) {
            (Family::Circular, Wave::Sin) => Func::Sin,
            (Family::Circular, Wave::Cos) => Func::Cos,
            (Family::Hyperbolic, Wave::Sin) => Func::Sinh,
            (Family::Hyperbolic, Wave::Cos) => Func::Cosh,
        }
    }
}

/// `coefficient * rest * wave(frequency * base)`, the frequency not negative; a cosine
/// of frequency 0 is 1.
#[derive(Clone, Debug)]
struct Part {
    rest: ExprId,
    wave: Wave,
    frequency: Rational,
    coefficient: Rational,
}

/// The sum `expr` with its products of sines and cosines written as sums, like terms
/// collected; `None` when it has none, or is outside the bounds (see the module).
pub(crate) fn product_to_sum(pool: &mut Pool, expr: ExprId) -> Option<ExprId> {
    let Node::Add(terms) = pool.node(expr) else {
        return None;
    };
    if terms.len() > MAX_TERMS {
        return None;
    }
    let terms = terms.to_vec();
    // Most sums have no product of two sines or cosines: answered without building.
    if !terms.iter().any(|&t| degree(pool, t) >= 2) {
        return None;
    }
    let mut common: Option<(Family, ExprId)> = None;
    let mut parts: Vec<Part> = Vec::new();
    for &term in &terms {
        let (coefficient, factors) = split_term(pool, term);
        let mut rest = Vec::new();
        let mut waves: Vec<(Wave, Rational)> = Vec::new();
        for factor in factors {
            let Some((func, arg, power)) = wave_power(pool, factor) else {
                rest.push(factor);
                continue;
            };
            let Some((family, wave)) = Family::of(func) else {
                rest.push(factor);
                continue;
            };
            let (multiple, base) = multiple_of(pool, arg);
            match common {
                None => common = Some((family, base)),
                Some(seen) if seen == (family, base) => {}
                Some(_) => return None,
            }
            for _ in 0..power {
                waves.push((wave, multiple.clone()));
            }
        }
        if waves.len() > MAX_DEGREE {
            return None;
        }
        let rest = pool.mul(&rest);
        // A term without sines or cosines is a constant wave (waves is then empty).
        let family = common.map_or(Family::Circular, |(family, _)| family);
        let mut linear = vec![(Wave::Cos, Rational::ZERO, coefficient)];
        for (wave, frequency) in waves {
            linear = times(family, &linear, wave, &frequency);
        }
        for (wave, frequency, coefficient) in linear {
            collect(
                &mut parts,
                Part {
                    rest,
                    wave,
                    frequency,
                    coefficient,
                },
            );
        }
    }
    let (family, base) = common?;
    let mut rebuilt = Vec::with_capacity(parts.len());
    for part in parts {
        if part.coefficient.is_zero() {
            continue;
        }
        let c = pool.num(part.coefficient);
        let wave = if part.frequency.is_zero() {
            ExprId::ONE
        } else {
            let k = pool.num(part.frequency);
            let arg = pool.mul2(k, base);
            pool.call(family.func(part.wave), arg)
        };
        rebuilt.push(pool.mul(&[c, part.rest, wave]));
    }
    Some(pool.add(&rebuilt))
}

/// How many sines and cosines (of either family, with their powers) a term multiplies.
fn degree(pool: &Pool, term: ExprId) -> i64 {
    let factors = match pool.node(term) {
        Node::Mul(ops) => &ops[..],
        _ => std::slice::from_ref(&term),
    };
    factors
        .iter()
        .filter_map(|&f| wave_power(pool, f))
        .filter(|(func, _, _)| Family::of(*func).is_some())
        .map(|(_, _, power)| power)
        .sum()
}

/// `(F, u, n)` when `factor` is `F(u)^n` for a function `F` and `1 <= n <= MAX_POWER`.
fn wave_power(pool: &Pool, factor: ExprId) -> Option<(Func, ExprId, i64)> {
    let (base, power) = match pool.node(factor) {
        Node::Pow([base, exp]) => (*base, pool.as_num(*exp)?.to_i64()?),
        _ => (factor, 1),
    };
    if !(1..=MAX_POWER).contains(&power) {
        return None;
    }
    match pool.node(base) {
        Node::Call(func, arg) => Some((*func, *arg, power)),
        _ => None,
    }
}

/// `(k, u)` with `arg = k*u` for a rational `k` and `u` without a numeric factor.
fn multiple_of(pool: &mut Pool, arg: ExprId) -> (Rational, ExprId) {
    let Node::Mul(ops) = pool.node(arg) else {
        return (Rational::ONE, arg);
    };
    let Some(k) = pool.as_num(ops[0]).cloned() else {
        return (Rational::ONE, arg);
    };
    let rest = ops[1..].to_vec();
    (k, pool.mul(&rest))
}

/// A linear combination of waves `(wave, frequency, coefficient)` times `wave(frequency)`,
/// by the product-to-sum formulas.
fn times(
    family: Family,
    linear: &[(Wave, Rational, Rational)],
    wave: Wave,
    b: &Rational,
) -> Vec<(Wave, Rational, Rational)> {
    let mut out = Vec::with_capacity(2 * linear.len());
    for (own, a, c) in linear {
        let half = c * &Rational::HALF;
        let (sum, difference) = (a + b, a - b);
        // Each product as `k1*w1(a + b) + k2*w2(a - b)`.
        let (w1, k1, w2, k2) = match (own, wave) {
            (Wave::Cos, Wave::Cos) => (Wave::Cos, half.clone(), Wave::Cos, half),
            (Wave::Sin, Wave::Cos) => (Wave::Sin, half.clone(), Wave::Sin, half),
            (Wave::Cos, Wave::Sin) => (Wave::Sin, half.clone(), Wave::Sin, -&half),
            (Wave::Sin, Wave::Sin) => match family {
                Family::Circular => (Wave::Cos, -&half, Wave::Cos, half),
                Family::Hyperbolic => (Wave::Cos, half.clone(), Wave::Cos, -&half),
            },
        };
        for (w, f, k) in [(w1, sum, k1), (w2, difference, k2)] {
            // cos(-u) = cos(u), sin(-u) = -sin(u), sin(0) = 0.
            let (f, k) = match (w, f.is_negative()) {
                (Wave::Sin, true) => (-&f, -&k),
                (Wave::Cos, true) => (-&f, k),
                _ => (f, k),
            };
            if w == Wave::Sin && f.is_zero() {
                continue;
            }
            out.push((w, f, k));
        }
    }
    out
}

/// Adds a part to the list, merged with a like part (same rest, wave and frequency).
fn collect(parts: &mut Vec<Part>, part: Part) {
    match parts
        .iter_mut()
        .find(|p| p.rest == part.rest && p.wave == part.wave && p.frequency == part.frequency)
    {
        Some(like) => like.coefficient = &like.coefficient + &part.coefficient,
        None => parts.push(part),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse, print};

    /// `text` by the product-to-sum formulas, printed; `None` when left alone.
    fn as_sum(text: &str) -> Option<String> {
        let mut pool = Pool::new();
        let e = parse(&mut pool, text).unwrap();
        let done = product_to_sum(&mut pool, e)?;
        Some(print(&pool, done))
    }

    #[test]
    fn products_become_sums_and_like_terms_collect() {
        let cases = [
            (
                "3*cos(2*x)*cos(3*x) - 2*sin(2*x)*sin(3*x)",
                "cos(x)/2 + 5*cos(5*x)/2",
            ),
            ("sin(x)*cos(x) + 1", "sin(2*x)/2 + 1"),
            ("sin(x)^2 + cos(x)^2", "1"),
            ("cos(x)^2 - sin(x)^2 + x", "x + cos(2*x)"),
            ("sin(x/2)*cos(x/2) + y", "y + sin(x)/2"),
            (
                "sinh(3*x)*sinh(x) + cosh(x)",
                "cosh(4*x)/2 + cosh(x) - cosh(2*x)/2",
            ),
            (
                "y*sin(2*x)*sin(x) + y*cos(x)",
                "3*y*cos(x)/2 - y*cos(3*x)/2",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(as_sum(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn sums_outside_the_bounds_are_left_alone() {
        for text in [
            // No product of two sines or cosines.
            "sin(x) + cos(2*x)",
            // Arguments not multiples of one expression.
            "sin(x)*cos(y) + 1",
            "sin(x)*cos(x + 1) + 1",
            // Powers above 2, terms of degree above 3.
            "sin(x)^3 + 1",
            "sin(x)^2*cos(x)^2 + 1",
            // Two families.
            "sin(x)*cos(x) + sinh(x)",
            // Not a sum.
            "sin(x)*cos(x)",
        ] {
            assert_eq!(as_sum(text), None, "{text}");
        }
        let many: Vec<String> = (1..=13).map(|k| format!("sin({k}*x)*cos(x)")).collect();
        assert_eq!(as_sum(&many.join(" + ")), None);
    }
}
