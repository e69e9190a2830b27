//! A sum over one common denominator: `-1/y - x^2/y^3` becomes `-(x^2 + y^2)/y^3`.

use crate::expr::rational::Rational;
use crate::expr::{ExprId, Node, Pool};

/// `expr` written as one fraction when it is a sum of terms with denominators; anything
/// else is returned as it is. Only numeric exponents count as denominators.
///
/// ```
/// use deriv::algebra::together;
/// use deriv::{Pool, parse, print};
/// let mut pool = Pool::new();
/// let e = parse(&mut pool, "-1/y - x^2/y^3").unwrap();
/// let t = together(&mut pool, e);
/// assert_eq!(print(&pool, t), "-(x^2 + y^2)/y^3");
/// ```
pub fn together(pool: &mut Pool, expr: ExprId) -> ExprId {
    let Node::Add(terms) = pool.node(expr) else {
        return expr;
    };
    let terms = terms.to_vec();
    let mut split: Vec<Term> = Vec::new();
    let mut common: Vec<(ExprId, Rational)> = Vec::new();
    let mut common_number = Rational::ONE;
    for &term in &terms {
        let factors: Vec<ExprId> = match pool.node(term) {
            Node::Mul(ops) => ops.to_vec(),
            _ => vec![term],
        };
        let mut coeff = Rational::ONE;
        let mut top = Vec::new();
        let mut bottom = Vec::new();
        for factor in factors {
            match pool.node(factor) {
                Node::Num(value) => coeff = value.clone(),
                Node::Pow([base, exp]) => match pool.as_num(*exp) {
                    Some(e) if e.is_negative() => bottom.push((*base, -e)),
                    _ => top.push(factor),
                },
                _ => top.push(factor),
            }
        }
        common_number = lcm(&common_number, &Rational::from_bigint(coeff.denom()));
        for (base, exp) in &bottom {
            match common.iter_mut().find(|(b, _)| b == base) {
                Some((_, max)) if *max < *exp => *max = exp.clone(),
                Some(_) => {}
                None => common.push((*base, exp.clone())),
            }
        }
        split.push(Term { coeff, top, bottom });
    }
    if common.is_empty() && common_number.is_one() {
        return expr;
    }
    let mut numerators = Vec::with_capacity(split.len());
    for Term { coeff, top, bottom } in split {
        let mut factors = top;
        factors.push(pool.num(&coeff * &common_number));
        for (base, max) in &common {
            let own = bottom
                .iter()
                .find(|(b, _)| b == base)
                .map_or(Rational::ZERO, |(_, e)| e.clone());
            let missing = pool.num(max - &own);
            factors.push(pool.pow(*base, missing));
        }
        numerators.push(pool.mul(&factors));
    }
    let numerator = pool.add(&numerators);
    let mut denominator: Vec<ExprId> = common
        .iter()
        .map(|(base, max)| {
            let exp = pool.num(max.clone());
            pool.pow(*base, exp)
        })
        .collect();
    denominator.push(pool.num(common_number));
    let denominator = pool.mul(&denominator);
    pool.div(numerator, denominator)
}

/// A term as coefficient, the factors that stay on top, and its denominator as
/// `(base, exponent > 0)` pairs.
struct Term {
    coeff: Rational,
    top: Vec<ExprId>,
    bottom: Vec<(ExprId, Rational)>,
}

/// The least common multiple of two positive integers held as rationals.
fn lcm(a: &Rational, b: &Rational) -> Rational {
    let gcd = a.gcd(b);
    (a * b).checked_div(&gcd).unwrap_or(Rational::ONE).abs()
}
