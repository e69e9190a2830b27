//! Common factors pulled out of a sum: the numeric content, and every base that all
//! terms share, to its smallest power (`2*x^3*exp(2*x) + 3*x^2*exp(2*x)` is
//! `x^2*exp(2*x)*(2*x + 3)`). A base with a negative power in some term comes out to that
//! power (with `0` for a term without it), which writes the sum over that denominator:
//! `2/(x - 4) - (2*x + 1)/(x - 4)^2` is `(x - 4)^-2*(2*(x - 4) - (2*x + 1))`.

use crate::expr::rational::Rational;
use crate::expr::{ExprId, Node, Pool};

/// A sum split as `common * cofactor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Factored {
    /// The product of the shared factors, with the numeric content.
    pub common: ExprId,
    /// The sum of the terms divided by `common`.
    pub cofactor: ExprId,
}

/// `expr`, a sum, as its common factor times what is left (`sign` is `1` or `-1`: whether
/// the numeric content is taken positive or negative); `None` when `expr` is not a sum or
/// its terms share nothing but `1`.
///
/// Dividing a term by a shared power never changes where the sum is defined: a term that
/// holds a fractional power already restricts its base to where the power is real.
///
/// ```
/// use deriv::algebra::common_factor;
/// use deriv::{Pool, parse, print};
/// let mut pool = Pool::new();
/// let e = parse(&mut pool, "exp(-2*x) - 2*x*exp(-2*x)").unwrap();
/// let split = common_factor(&mut pool, e, 1).unwrap();
/// assert_eq!(print(&pool, split.common), "exp(-2*x)");
/// assert_eq!(print(&pool, split.cofactor), "1 - 2*x");
/// ```
pub fn common_factor(pool: &mut Pool, expr: ExprId, sign: i64) -> Option<Factored> {
    let Node::Add(terms) = pool.node(expr) else {
        return None;
    };
    let terms: Vec<Term> = terms.iter().map(|&t| split(pool, t)).collect();
    let mut content = terms[0].coeff.clone();
    for term in &terms[1..] {
        content = content.gcd(&term.coeff);
    }
    if sign < 0 {
        content = -&content;
    }
    // Every base of any term, with the smallest exponent over all terms (0 where absent).
    let mut shared: Vec<(ExprId, Rational)> = Vec::new();
    for term in &terms {
        for (base, _) in &term.powers {
            if shared.iter().any(|(b, _)| b == base) {
                continue;
            }
            let smallest = terms
                .iter()
                .map(|t| t.exponent_of(*base))
                .min()
                .unwrap_or(Rational::ZERO);
            if !smallest.is_zero() {
                shared.push((*base, smallest));
            }
        }
    }
    if shared.is_empty() && content.is_one() {
        return None;
    }
    let mut cofactor_terms = Vec::with_capacity(terms.len());
    for term in &terms {
        let coeff = term.coeff.checked_div(&content)?;
        let mut factors = vec![pool.num(coeff)];
        for (base, exp) in &term.powers {
            let left = match shared.iter().find(|(b, _)| b == base) {
                Some((_, common)) => exp - common,
                None => exp.clone(),
            };
            let left = pool.num(left);
            factors.push(pool.pow(*base, left));
        }
        for (base, common) in &shared {
            if !term.powers.iter().any(|(b, _)| b == base) {
                let missing = pool.num(-common);
                factors.push(pool.pow(*base, missing));
            }
        }
        cofactor_terms.push(pool.mul(&factors));
    }
    let cofactor = pool.add(&cofactor_terms);
    let mut common = vec![pool.num(content)];
    for (base, exp) in shared {
        let exp = pool.num(exp);
        common.push(pool.pow(base, exp));
    }
    let common = pool.mul(&common);
    Some(Factored { common, cofactor })
}

/// A term as its coefficient and its factors as `(base, exponent)`: numeric powers keep
/// their base, any other factor is its own base to the power 1.
struct Term {
    coeff: Rational,
    powers: Vec<(ExprId, Rational)>,
}

impl Term {
    fn exponent_of(&self, base: ExprId) -> Rational {
        self.powers
            .iter()
            .find(|(b, _)| *b == base)
            .map_or(Rational::ZERO, |(_, e)| e.clone())
    }
}

fn split(pool: &Pool, term: ExprId) -> Term {
    let factors: &[ExprId] = match pool.node(term) {
        Node::Mul(ops) => ops,
        _ => std::slice::from_ref(&term),
    };
    let mut coeff = Rational::ONE;
    let mut powers = Vec::with_capacity(factors.len());
    for &factor in factors {
        match pool.node(factor) {
            Node::Num(value) => coeff = value.clone(),
            Node::Pow([base, exp]) => match pool.as_num(*exp) {
                Some(e) => powers.push((*base, e.clone())),
                None => powers.push((factor, Rational::ONE)),
            },
            _ => powers.push((factor, Rational::ONE)),
        }
    }
    Term { coeff, powers }
}
