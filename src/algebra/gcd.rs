//! The greatest common divisor of polynomials over the rationals, and their square-free
//! factorization, under a work budget.
//!
//! The gcd works on primitive integer polynomials (the rational content is a unit over the
//! rationals). After the quick exits (a constant or a monomial; a variable that occurs in
//! one polynomial only, where the gcd is that of the other with the coefficients of the
//! one), it tries the heuristic gcd (GCDHEU, Char, Geddes and Gonnet 1989): a variable is
//! replaced by a large integer `ξ`, the gcd of the images is found recursively, the
//! candidate is read back from its `ξ`-adic digits and accepted only when it divides both
//! polynomials, which proves it right for `ξ > 2·min(|a|∞, |b|∞) + 1`. When that fails a
//! few times, or the images would grow too large, the primitive polynomial remainder
//! sequence decides: both polynomials as univariate in one variable with coefficients in
//! the others, pseudo-remainders with their contents (gcds in fewer variables) removed.
//! Every recursion drops a variable, so its depth is at most the number of variables.
//!
//! The square-free factorization is Yun's algorithm in one variable on the primitive part
//! in that variable, whose factors all involve it, and the same recursively on the
//! content, which has one variable fewer.

use std::collections::BTreeMap;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, Zero};

use crate::algebra::poly::{Poly, words};
use crate::expr::rational::Rational;

/// A count of elementary operations (coefficient multiplications) left; each expensive
/// step spends from it.
///
/// A multiplication of coefficients counts as the product of their sizes in 64-bit words,
/// so the count follows the time also when the numbers grow. A gcd of two polynomials of
/// degree 10 in 3 variables with a common factor of degree 5 spends about 10^5
/// (a millisecond): one operation is a few nanoseconds.
#[derive(Clone, Debug)]
pub struct Budget {
    left: u64,
}

impl Budget {
    /// A budget of `ops` operations.
    pub fn new(ops: u64) -> Budget {
        Budget { left: ops }
    }

    /// The operations left: 0 once a step found too few.
    pub fn left(&self) -> u64 {
        self.left
    }

    /// Spends `ops`, or everything that is left and fails when that is less.
    pub(crate) fn spend(&mut self, ops: u64) -> Result<(), Exhausted> {
        match self.left.checked_sub(ops) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => {
                self.left = 0;
                Err(Exhausted)
            }
        }
    }
}

/// The budget ran out (or an exponent would pass `u32::MAX`, which no budget pays for).
#[derive(Debug)]
pub(crate) struct Exhausted;

/// Attempts of the heuristic gcd, each with a larger evaluation point, before the
/// remainder sequence takes over.
const HEURISTIC_TRIES: usize = 6;

/// The largest images the heuristic gcd makes, in bits of a coefficient: past it the
/// remainder sequence is cheaper.
const HEURISTIC_MAX_BITS: u64 = 1 << 18;

/// The greatest common divisor, primitive with positive leading coefficient (so gcd(2x,
/// 4x^2) = x; gcd(3, 6) = 1; gcd(0, p) = primitive part of p; gcd(0, 0) = 0), or None when
/// the budget ran out.
///
/// # Panics
///
/// When the two polynomials have different numbers of variables.
///
/// ```
/// use deriv::algebra::{Budget, Poly, gcd};
/// use deriv::Rational;
/// let (x, y) = (Poly::var(2, 0), Poly::var(2, 1));
/// let a = x.add(&y).pow(2).mul(&x.sub(&y)); // (x + y)^2 (x - y)
/// let b = x.add(&y).mul(&x.mul(&x).add(&y.mul(&y))); // (x + y)(x^2 + y^2)
/// let mut budget = Budget::new(1_000_000);
/// assert_eq!(gcd(&a, &b, &mut budget), Some(x.add(&y)));
/// let half = Rational::new(1, 2).unwrap();
/// assert_eq!(gcd(&x.scale(&half), &x.mul(&x), &mut budget), Some(x.clone()));
/// assert_eq!(gcd(&a, &b, &mut Budget::new(10)), None);
/// ```
pub fn gcd(a: &Poly, b: &Poly, budget: &mut Budget) -> Option<Poly> {
    assert_eq!(a.nvars(), b.nvars(), "polynomials in different variables");
    if a.is_zero() {
        return Some(b.primitive().1);
    }
    if b.is_zero() {
        return Some(a.primitive().1);
    }
    budget.spend(a.weight().saturating_add(b.weight())).ok()?;
    gcd_primitive(&a.primitive().1, &b.primitive().1, budget).ok()
}

/// Square-free factorization: content c and pairs (factor, multiplicity), factors
/// primitive, pairwise coprime, square-free, multiplicities increasing, with self == c * Π
/// factor^multiplicity; None when the budget ran out. Multivariate (e.g. x^2*y^2 + 2*x*y
/// + 1 → (x*y + 1)^2). A constant has no factors; zero is `(0, [])`.
///
/// ```
/// use deriv::algebra::{Budget, Poly, square_free};
/// use deriv::Rational;
/// let (x, y) = (Poly::var(2, 0), Poly::var(2, 1));
/// let one = Poly::constant(2, Rational::ONE);
/// let p = x.mul(&y).add(&one).pow(2).scale(&Rational::int(3)); // 3 (x y + 1)^2
/// let (c, factors) = square_free(&p, &mut Budget::new(1_000_000)).unwrap();
/// assert_eq!(c, Rational::int(3));
/// assert_eq!(factors, vec![(x.mul(&y).add(&one), 2)]);
/// ```
pub fn square_free(p: &Poly, budget: &mut Budget) -> Option<(Rational, Vec<(Poly, u32)>)> {
    let (content, primitive) = p.primitive();
    if primitive.as_constant().is_some() {
        return Some((content, Vec::new()));
    }
    budget.spend(p.weight()).ok()?;
    let factors = square_free_primitive(&primitive, budget).ok()?;
    Some((content, factors))
}

/// The gcd of two nonzero primitive integer polynomials with positive leading coefficients.
fn gcd_primitive(a: &Poly, b: &Poly, budget: &mut Budget) -> Result<Poly, Exhausted> {
    if a.len() == 1 {
        return Ok(monomial_gcd(a, b));
    }
    if b.len() == 1 {
        return Ok(monomial_gcd(b, a));
    }
    if a == b {
        return Ok(a.clone());
    }
    let (in_a, in_b) = (a.variables(), b.variables());
    if let Some(&k) = in_a.iter().find(|k| !in_b.contains(k)) {
        return gcd_with_coefficients(b, a, k, budget);
    }
    if let Some(&k) = in_b.iter().find(|k| !in_a.contains(k)) {
        return gcd_with_coefficients(a, b, k, budget);
    }
    if let Some(g) = heuristic(a, b, &in_a, budget)? {
        return Ok(g);
    }
    remainder_sequence(a, b, &in_a, budget)
}

/// The gcd of a monomial and a polynomial: the lowest power of each variable in both.
fn monomial_gcd(monomial: &Poly, p: &Poly) -> Poly {
    let mut lowest: Vec<u32> = monomial.terms().flat_map(|(e, _)| e.to_vec()).collect();
    for (e, _) in p.terms() {
        for (low, &power) in lowest.iter_mut().zip(e) {
            *low = (*low).min(power);
        }
    }
    Poly::from_terms(monomial.nvars(), vec![(lowest, Rational::ONE)])
}

/// `gcd(p, q)` when `x_k` occurs in `p` but not in `q`: the gcd of `q` and the
/// coefficients of `p` in `x_k`.
fn gcd_with_coefficients(
    q: &Poly,
    p: &Poly,
    k: usize,
    budget: &mut Budget,
) -> Result<Poly, Exhausted> {
    let mut all = primitive_coefficients(p, k);
    all.push(q.clone());
    gcd_all(q.nvars(), all, budget)
}

/// The coefficients of `p` in `x_k`, each made primitive.
fn primitive_coefficients(p: &Poly, k: usize) -> Vec<Poly> {
    p.coefficients_in(k)
        .into_iter()
        .map(|(_, c)| c.primitive().1)
        .collect()
}

/// The gcd of nonzero primitive polynomials in `nvars` variables (zero for none), smallest
/// first, stopping at a constant.
fn gcd_all(nvars: usize, mut polys: Vec<Poly>, budget: &mut Budget) -> Result<Poly, Exhausted> {
    polys.sort_by_key(Poly::len);
    let mut polys = polys.into_iter();
    let Some(mut g) = polys.next() else {
        return Ok(Poly::zero(nvars));
    };
    for p in polys {
        if g.as_constant().is_some() {
            break;
        }
        g = gcd_primitive(&g, &p, budget)?;
    }
    Ok(g)
}

/// The content of `p` in `x_k`: the gcd of its coefficients.
fn content_in(p: &Poly, k: usize, budget: &mut Budget) -> Result<Poly, Exhausted> {
    gcd_all(p.nvars(), primitive_coefficients(p, k), budget)
}

/// GCDHEU: `Ok(None)` when it fails and the remainder sequence has to decide.
fn heuristic(
    a: &Poly,
    b: &Poly,
    variables: &[usize],
    budget: &mut Budget,
) -> Result<Option<Poly>, Exhausted> {
    let Some(&k) = variables.first() else {
        return Ok(None);
    };
    let norm = |p: &Poly| {
        p.terms()
            .map(|(_, c)| c.numer().abs())
            .max()
            .unwrap_or_default()
    };
    let degree = u64::from(a.degree_in(k).max(b.degree_in(k)));
    let mut xi: BigInt = norm(a).min(norm(b)) * 2 + 29;
    for _ in 0..HEURISTIC_TRIES {
        if xi.bits().saturating_mul(degree + 1) > HEURISTIC_MAX_BITS {
            return Ok(None);
        }
        let point = Rational::from_bigint(xi.clone());
        // Each term times a power of the point, and the powers, the e-th one (e x)^2
        // for a point of x words: x^2 d (d + 1) (2d + 1) / 6 up to degree d (below 2^18 by
        // the check above, so the product fits).
        let x = words(&point);
        let terms =
            (a.weight().saturating_add(b.weight())).saturating_mul(degree.saturating_mul(x));
        let powers =
            (x.saturating_mul(x)).saturating_mul(degree * (degree + 1) * (2 * degree + 1) / 6);
        budget.spend(terms.saturating_add(powers))?;
        let (image_a, image_b) = (a.evaluate(k, &point), b.evaluate(k, &point));
        if !image_a.is_zero() && !image_b.is_zero() {
            // The contents are gcds of large integers, quadratic in their length.
            let largest = words(&point).saturating_mul(degree + 1);
            budget.spend(largest.saturating_mul(largest))?;
            let (content_a, image_a) = image_a.primitive();
            let (content_b, image_b) = image_b.primitive();
            let image = gcd_primitive(&image_a, &image_b, budget)?;
            let image = image.scale(&content_a.gcd(&content_b));
            let candidate = from_digits(&image, k, &xi, budget)?.primitive().1;
            if divides(&candidate, a, budget)? && divides(&candidate, b, budget)? {
                return Ok(Some(candidate));
            }
        }
        // The next point as SymPy takes it: a factor of about 2.73, not a power of two.
        xi = xi * 73794 / 27011;
    }
    Ok(None)
}

/// The polynomial whose `ξ`-adic digits (in `(-ξ/2, ξ/2]`) are the integer coefficients
/// of `image`, the digit of `ξ^i` becoming the coefficient of `x_k^i`.
fn from_digits(
    image: &Poly,
    k: usize,
    xi: &BigInt,
    budget: &mut Budget,
) -> Result<Poly, Exhausted> {
    let half: BigInt = xi >> 1u8;
    let xi_words = xi.bits() / 64 + 1;
    let mut rest: Vec<(Vec<u32>, BigInt)> = image
        .terms()
        .map(|(e, c)| (e.to_vec(), c.numer()))
        .collect();
    let mut terms = Vec::new();
    let mut power: u32 = 0;
    while !rest.is_empty() {
        // A division of a coefficient of w words by the point: w times the point's words.
        let size = rest
            .iter()
            .map(|(_, c)| c.bits() / 64 + 1)
            .fold(0u64, u64::saturating_add);
        budget.spend(size.saturating_mul(xi_words))?;
        let mut next = Vec::with_capacity(rest.len());
        for (e, c) in rest {
            let mut digit = c.mod_floor(xi);
            if digit > half {
                digit -= xi;
            }
            let carry = (c - &digit) / xi;
            if !digit.is_zero() {
                let mut at = e.clone();
                at[k] = power;
                terms.push((at, Rational::from_bigint(digit)));
            }
            if !carry.is_zero() {
                next.push((e, carry));
            }
        }
        rest = next;
        power = power.checked_add(1).ok_or(Exhausted)?;
    }
    Ok(Poly::from_terms(image.nvars(), terms))
}

/// Whether `d` divides `p`.
fn divides(d: &Poly, p: &Poly, budget: &mut Budget) -> Result<bool, Exhausted> {
    Ok(p.div_exact_within(d, budget)?.is_some())
}

/// `p / d` for a divisor known to divide.
fn quotient(p: &Poly, d: &Poly, budget: &mut Budget) -> Result<Poly, Exhausted> {
    // Never `None` for the divisors given (contents, gcds); if it were, the work stops
    // here as if the budget had run out.
    p.div_exact_within(d, budget)?.ok_or(Exhausted)
}

/// `a * b`, paid for.
fn product(a: &Poly, b: &Poly, budget: &mut Budget) -> Result<Poly, Exhausted> {
    budget.spend(a.weight().saturating_mul(b.weight()))?;
    a.checked_mul(b).ok_or(Exhausted)
}

/// The primitive polynomial remainder sequence in the variable of lowest degree: the gcd
/// of the contents in that variable times the last nonzero remainder.
fn remainder_sequence(
    a: &Poly,
    b: &Poly,
    variables: &[usize],
    budget: &mut Budget,
) -> Result<Poly, Exhausted> {
    let Some(&k) = variables
        .iter()
        .min_by_key(|&&k| a.degree_in(k).max(b.degree_in(k)))
    else {
        return Ok(Poly::constant(a.nvars(), Rational::ONE));
    };
    let (content_a, content_b) = (content_in(a, k, budget)?, content_in(b, k, budget)?);
    let content = gcd_primitive(&content_a, &content_b, budget)?;
    let mut f = quotient(a, &content_a, budget)?;
    let mut g = quotient(b, &content_b, budget)?;
    if f.degree_in(k) < g.degree_in(k) {
        std::mem::swap(&mut f, &mut g);
    }
    loop {
        let r = pseudo_remainder(&f, &g, k, budget)?;
        if r.is_zero() {
            break;
        }
        if r.degree_in(k) == 0 {
            g = Poly::constant(a.nvars(), Rational::ONE);
            break;
        }
        let r_content = content_in(&r, k, budget)?;
        f = g;
        g = quotient(&r, &r_content, budget)?.primitive().1;
    }
    Ok(product(&content, &g, budget)?.primitive().1)
}

/// A multiple of the pseudo-remainder of `f` by `g` in `x_k` (of lower degree in `x_k`
/// than `g`), its integer content removed at each step.
fn pseudo_remainder(f: &Poly, g: &Poly, k: usize, budget: &mut Budget) -> Result<Poly, Exhausted> {
    let degree = g.degree_in(k);
    let lead = g.coefficient(k, degree);
    let mut r = f.clone();
    while !r.is_zero() && r.degree_in(k) >= degree {
        let top = r.degree_in(k);
        let r_lead = r
            .coefficient(k, top)
            .shift(k, top - degree)
            .ok_or(Exhausted)?;
        let scaled = product(&r, &lead, budget)?;
        let cancel = product(g, &r_lead, budget)?;
        r = scaled.sub(&cancel).primitive().1;
    }
    Ok(r)
}

/// The square-free factorization of a nonconstant primitive integer polynomial.
fn square_free_primitive(p: &Poly, budget: &mut Budget) -> Result<Vec<(Poly, u32)>, Exhausted> {
    let Some(&k) = p.variables().first() else {
        return Ok(Vec::new());
    };
    let content = content_in(p, k, budget)?;
    let factors = yun(&quotient(p, &content, budget)?, k, budget)?;
    if content.as_constant().is_some() {
        return Ok(factors);
    }
    let content_factors = square_free_primitive(&content, budget)?;
    // Factors of the content lack x_k and all the others have it: coprime, so those of
    // one multiplicity multiply into one square-free factor.
    let mut by_multiplicity: BTreeMap<u32, Poly> = BTreeMap::new();
    for (factor, multiplicity) in factors.into_iter().chain(content_factors) {
        let merged = match by_multiplicity.remove(&multiplicity) {
            Some(other) => product(&other, &factor, budget)?,
            None => factor,
        };
        by_multiplicity.insert(multiplicity, merged);
    }
    Ok(by_multiplicity
        .into_iter()
        .map(|(multiplicity, factor)| (factor, multiplicity))
        .collect())
}

/// Yun's square-free factorization in `x_k` of `f`, primitive in `x_k` (so that all its
/// factors involve `x_k` and the derivative sees each of them).
fn yun(f: &Poly, k: usize, budget: &mut Budget) -> Result<Vec<(Poly, u32)>, Exhausted> {
    let derivative = f.derivative(k);
    let a = gcd_or_part(f, &derivative, budget)?;
    let mut b = quotient(f, &a, budget)?;
    let c = quotient(&derivative, &a, budget)?;
    let mut d = c.sub(&b.derivative(k));
    let mut factors = Vec::new();
    let mut multiplicity: u32 = 1;
    while b.degree_in(k) > 0 {
        let factor = gcd_or_part(&b, &d, budget)?;
        b = quotient(&b, &factor, budget)?;
        let c = quotient(&d, &factor, budget)?;
        d = c.sub(&b.derivative(k));
        if factor.as_constant().is_none() {
            factors.push((factor, multiplicity));
        }
        multiplicity = multiplicity.checked_add(1).ok_or(Exhausted)?;
    }
    Ok(factors)
}

/// `gcd(p, q)` for nonzero `p` and any `q`.
fn gcd_or_part(p: &Poly, q: &Poly, budget: &mut Budget) -> Result<Poly, Exhausted> {
    let p = p.primitive().1;
    if q.is_zero() {
        return Ok(p);
    }
    gcd_primitive(&p, &q.primitive().1, budget)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::algebra::poly::tests::poly;

    fn gcd_of(a: &str, b: &str) -> Option<Poly> {
        gcd(&poly(a), &poly(b), &mut Budget::new(10_000_000))
    }

    /// The factors `(text, multiplicity)` multiplied out.
    fn product_of(factors: &[(&str, u32)]) -> Poly {
        factors
            .iter()
            .fold(poly("1"), |acc, (f, m)| acc.mul(&poly(f).pow(*m)))
    }

    #[test]
    fn worked_examples() {
        assert_eq!(gcd_of("x^2 - 1", "x^2 - 2*x + 1"), Some(poly("x - 1")));
        let a = product_of(&[("x + y", 2), ("x - y", 1)]);
        let b = product_of(&[("x + y", 1), ("x^2 + y^2", 1)]);
        let mut budget = Budget::new(10_000_000);
        assert_eq!(gcd(&a, &b, &mut budget), Some(poly("x + y")));
        assert!(budget.left() < 10_000_000);
        assert_eq!(gcd_of("2*x", "4*x^2"), Some(poly("x")));
        assert_eq!(gcd_of("x^4 - y^4", "x^6 - y^6"), Some(poly("x^2 - y^2")));
    }

    #[test]
    fn zero_and_constant_cases() {
        assert_eq!(gcd_of("3", "6"), Some(poly("1")));
        assert_eq!(gcd_of("0", "0"), Some(Poly::zero(3)));
        assert_eq!(gcd_of("0", "-2*x + 4"), Some(poly("x - 2")));
        assert_eq!(gcd_of("-2*x + 4", "0"), Some(poly("x - 2")));
        assert_eq!(gcd_of("5", "x^2 + 1"), Some(poly("1")));
        assert_eq!(gcd_of("x^2 + 1", "1/3"), Some(poly("1")));
        assert_eq!(gcd_of("x + 1", "x + 1"), Some(poly("x + 1")));
        assert_eq!(gcd_of("-x - 1", "2*x + 2"), Some(poly("x + 1")));
    }

    #[test]
    fn rational_coefficients() {
        assert_eq!(gcd_of("1/2*x^2 - 1/2", "2/3*x + 2/3"), Some(poly("x + 1")));
        let a = product_of(&[("1/2*x - 1/3*y", 1), ("x + 7/5", 2)]);
        let b = product_of(&[("3/4*x - 1/2*y", 1), ("x - 1", 1)]);
        assert_eq!(
            gcd(&a, &b, &mut Budget::new(10_000_000)),
            Some(poly("3*x - 2*y"))
        );
    }

    #[test]
    fn monomials_and_variables_in_one_only() {
        assert_eq!(gcd_of("x^3*y^2*z", "x*y^5 + x^2*y^3"), Some(poly("x*y^2")));
        assert_eq!(
            gcd_of("x^2*y + x*y", "x^3*z + x^2*z"),
            Some(poly("x^2 + x"))
        );
        // z occurs in one only: the gcd is that of its coefficients and the other.
        let a = product_of(&[("x + y", 1), ("z^2 + x*z + 1", 1)]);
        let b = product_of(&[("x + y", 2), ("x - 3", 1)]);
        assert_eq!(
            gcd(&a, &b, &mut Budget::new(10_000_000)),
            Some(poly("x + y"))
        );
        assert_eq!(gcd_of("x*z + y*z", "x^2 - y^2"), Some(poly("x + y")));
    }

    #[test]
    fn coprime_and_larger_cases() {
        assert_eq!(gcd_of("x^2 + y^2 + 1", "x*y - 1"), Some(poly("1")));
        let g = product_of(&[("x*y + z - 2", 1), ("x^2 - y*z + 3*z^2 + 1", 1)]);
        let a = g.mul(&product_of(&[("x - y + z", 2), ("y^3 - 7", 1)]));
        let b = g.mul(&product_of(&[("x + y*z", 1), ("x^2*z - 11*y + 1", 1)]));
        assert_eq!(gcd(&a, &b, &mut Budget::new(10_000_000)), Some(g));
        // Large coefficients: 2^70 and a prime near it.
        let big = Rational::from_bigint(BigInt::from(1u128 << 70));
        let p = poly("x + 1").scale(&big).add(&poly("y"));
        let a = p.mul(&poly("x^2 - 3"));
        let b = p.mul(&poly("x*y + 5"));
        assert_eq!(gcd(&a, &b, &mut Budget::new(10_000_000)), Some(p));
    }

    #[test]
    fn the_heuristic_and_the_remainder_sequence_agree() {
        let cases = [
            ("x^2 - 1", "x^2 - 2*x + 1"),
            ("x^3*y - x*y^3 + x^2 - y^2", "x^2*y + 2*x*y^2 + y^3 + x + y"),
            ("x^4 + x^2*z + y", "x^3 - y*z"),
            (
                "6*x^2*y - 6*y + 4*x^2*z - 4*z",
                "9*x^2 + 6*x*z + 3*x*y + 2*y*z",
            ),
        ];
        for (a, b) in cases {
            let (a, b) = (poly(a), poly(b));
            let vars = a.variables();
            let mut budget = Budget::new(10_000_000);
            let by_sequence = remainder_sequence(&a, &b, &vars, &mut budget).unwrap();
            let by_heuristic = heuristic(&a, &b, &vars, &mut budget).unwrap();
            assert_eq!(Some(by_sequence), by_heuristic, "{a:?} {b:?}");
        }
    }

    /// A random polynomial in `nvars` variables with up to 4 terms of degree up to 3.
    fn random_poly(nvars: usize) -> impl Strategy<Value = Poly> {
        let term = (prop::collection::vec(0u32..=3, nvars), -5i64..=5);
        prop::collection::vec(term, 1..=4).prop_map(move |terms| {
            let terms = terms
                .into_iter()
                .map(|(e, c)| (e, Rational::int(c)))
                .collect();
            Poly::from_terms(nvars, terms)
        })
    }

    proptest! {
        // No regression file under src/: a failure prints its case.
        #![proptest_config(ProptestConfig {
            cases: 64,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// The remainder sequence alone finds what the whole gcd finds.
        #[test]
        fn the_remainder_sequence_agrees_with_gcd(
            (a, b, c) in (1usize..=3).prop_flat_map(|n| (random_poly(n), random_poly(n), random_poly(n)))
        ) {
            let (a, b) = (a.mul(&c).primitive().1, b.mul(&c).primitive().1);
            prop_assume!(!a.is_zero() && !b.is_zero());
            let mut budget = Budget::new(100_000_000);
            let expected = gcd(&a, &b, &mut budget).unwrap();
            let mut variables = a.variables();
            variables.extend(b.variables());
            variables.sort_unstable();
            variables.dedup();
            let by_sequence = remainder_sequence(&a, &b, &variables, &mut budget).unwrap();
            prop_assert_eq!(by_sequence, expected);
        }
    }

    #[test]
    fn an_exhausted_budget_answers_none() {
        let a = product_of(&[("x + y + z + 1", 6), ("x - y", 1)]);
        let b = product_of(&[("x + y + z + 1", 5), ("x + 2*z", 1)]);
        let mut budget = Budget::new(1_000);
        assert_eq!(gcd(&a, &b, &mut budget), None);
        assert_eq!(budget.left(), 0);
        assert_eq!(square_free(&a, &mut Budget::new(1_000)), None);
        // Enough budget: the answer.
        assert_eq!(
            gcd(&a, &b, &mut Budget::new(100_000_000)),
            Some(poly("x + y + z + 1").pow(5))
        );
        // Spending stops at zero.
        let mut budget = Budget::new(5);
        assert!(budget.spend(3).is_ok());
        assert!(budget.spend(3).is_err());
        assert_eq!(budget.left(), 0);
    }

    #[test]
    fn huge_exponents_do_not_overflow() {
        let a = Poly::from_terms(
            2,
            vec![
                (vec![u32::MAX, 0], Rational::ONE),
                (vec![0, 1], Rational::ONE),
            ],
        );
        let b = Poly::from_terms(
            2,
            vec![
                (vec![u32::MAX - 1, 0], Rational::ONE),
                (vec![0, 2], Rational::ONE),
            ],
        );
        // Either an answer or None, never a panic.
        let answer = gcd(&a, &b, &mut Budget::new(100_000));
        assert!(answer.is_none_or(|g| g.as_constant().is_some()));
    }

    fn factors_of(text: &str) -> (Rational, Vec<(Poly, u32)>) {
        square_free(&poly(text), &mut Budget::new(10_000_000)).unwrap()
    }

    #[test]
    fn square_free_factorizations() {
        let p = product_of(&[("x - 1", 2), ("x + 1", 3), ("x^2 + y", 1)]).scale(&Rational::int(-4));
        let (c, factors) = square_free(&p, &mut Budget::new(10_000_000)).unwrap();
        assert_eq!(c, Rational::int(-4));
        assert_eq!(
            factors,
            [(poly("x^2 + y"), 1), (poly("x - 1"), 2), (poly("x + 1"), 3)]
        );
        assert_eq!(
            factors_of("x^2*y^2 + 2*x*y + 1"),
            (Rational::ONE, vec![(poly("x*y + 1"), 2)])
        );
        // Factors of the content (in y only) merge with those of the same multiplicity.
        let p = product_of(&[("y + 1", 2), ("x + y", 2), ("y - 2", 1), ("x", 1)]);
        let (c, factors) = square_free(&p, &mut Budget::new(10_000_000)).unwrap();
        assert_eq!(c, Rational::ONE);
        assert_eq!(
            factors,
            [(poly("x*y - 2*x"), 1), (poly("x*y + x + y^2 + y"), 2)]
        );
        assert_eq!(
            factors_of("1/2*x^2 - x + 1/2"),
            (Rational::HALF, vec![(poly("x - 1"), 2)])
        );
        assert_eq!(factors_of("6"), (Rational::int(6), vec![]));
        assert_eq!(factors_of("0"), (Rational::ZERO, vec![]));
        assert_eq!(
            factors_of("x^2 + y^2"),
            (Rational::ONE, vec![(poly("x^2 + y^2"), 1)])
        );
        assert_eq!(
            factors_of("x^3*z^2"),
            (Rational::ONE, vec![(poly("z"), 2), (poly("x"), 3)])
        );
    }
}
