//! Polynomials in several variables over the rationals, held sparse: the terms sorted by
//! exponent vector in descending lexicographic order, without zero coefficients, so that
//! equal polynomials are equal values.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use crate::algebra::gcd::{Budget, Exhausted};
use crate::expr::rational::Rational;

/// The zero that [`Poly::as_constant`] lends for the zero polynomial.
static ZERO: Rational = Rational::ZERO;

/// A polynomial in `nvars` variables (numbered 0..nvars) with rational coefficients.
/// Terms are sorted by exponent vector in descending lexicographic order (variable 0 most
/// significant), no zero coefficients.
///
/// The operations combining two polynomials expect both to have the same `nvars` and
/// panic otherwise, as slices of different lengths do when zipped strictly.
///
/// ```
/// use deriv::Rational;
/// use deriv::algebra::Poly;
/// let (x, y) = (Poly::var(2, 0), Poly::var(2, 1));
/// let p = x.add(&y).pow(2); // x^2 + 2*x*y + y^2
/// assert_eq!(p.len(), 3);
/// assert_eq!(p.div_exact(&x.add(&y)), Some(x.add(&y)));
/// let terms: Vec<_> = p.terms().map(|(e, c)| (e.to_vec(), c.clone())).collect();
/// assert_eq!(terms[1], (vec![1, 1], Rational::int(2)));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Poly {
    nvars: usize,
    /// The exponent vectors one after another, `nvars` per term.
    exps: Vec<u32>,
    /// One coefficient per term, never zero.
    coeffs: Vec<Rational>,
}

impl Poly {
    /// The zero polynomial.
    pub fn zero(nvars: usize) -> Poly {
        Poly {
            nvars,
            exps: Vec::new(),
            coeffs: Vec::new(),
        }
    }

    /// The constant `c` (the zero polynomial when `c` is zero).
    pub fn constant(nvars: usize, c: Rational) -> Poly {
        let mut p = Poly::zero(nvars);
        p.push(&vec![0; nvars], c);
        p
    }

    /// The variable `x_k`.
    ///
    /// # Panics
    ///
    /// When `k >= nvars`.
    pub fn var(nvars: usize, k: usize) -> Poly {
        assert!(
            k < nvars,
            "variable {k} of a polynomial in {nvars} variables"
        );
        let mut exps = vec![0; nvars];
        exps[k] = 1;
        Poly {
            nvars,
            exps,
            coeffs: vec![Rational::ONE],
        }
    }

    /// The polynomial with these terms, given in any order: like terms are merged and zero
    /// coefficients dropped.
    ///
    /// # Panics
    ///
    /// When an exponent vector does not have `nvars` entries.
    pub fn from_terms(nvars: usize, terms: Vec<(Vec<u32>, Rational)>) -> Poly {
        let mut exps = Vec::with_capacity(terms.len() * nvars);
        let mut coeffs = Vec::with_capacity(terms.len());
        for (e, c) in terms {
            assert_eq!(e.len(), nvars, "an exponent vector of {nvars} variables");
            exps.extend(e);
            coeffs.push(c);
        }
        Poly::normalize(nvars, &exps, coeffs)
    }

    /// The number of variables.
    pub fn nvars(&self) -> usize {
        self.nvars
    }

    /// The terms as (exponent vector, coefficient), in the sorted order.
    pub fn terms(&self) -> impl Iterator<Item = (&[u32], &Rational)> {
        self.coeffs
            .iter()
            .enumerate()
            .map(|(i, c)| (self.exps_of(i), c))
    }

    /// The number of terms.
    #[expect(
        clippy::len_without_is_empty,
        reason = "a polynomial without terms is zero: `is_zero`"
    )]
    pub fn len(&self) -> usize {
        self.coeffs.len()
    }

    /// Whether this is the zero polynomial.
    pub fn is_zero(&self) -> bool {
        self.coeffs.is_empty()
    }

    /// The value of a constant polynomial: `Some(&0)` for the zero polynomial, `None` when a
    /// variable occurs.
    pub fn as_constant(&self) -> Option<&Rational> {
        match self.coeffs.as_slice() {
            [] => Some(&ZERO),
            [c] if self.exps.iter().all(|&e| e == 0) => Some(c),
            _ => None,
        }
    }

    /// The highest power of `x_k` that occurs; 0 for the zero polynomial and for a `k`
    /// beyond the variables.
    pub fn degree_in(&self, k: usize) -> u32 {
        if k >= self.nvars {
            return 0;
        }
        (0..self.len())
            .map(|i| self.exps_of(i)[k])
            .max()
            .unwrap_or(0)
    }

    /// The highest sum of exponents of a term; 0 for the zero polynomial (saturating at
    /// `u32::MAX`).
    pub fn total_degree(&self) -> u32 {
        (0..self.len())
            .map(|i| {
                self.exps_of(i)
                    .iter()
                    .fold(0u32, |sum, &e| sum.saturating_add(e))
            })
            .max()
            .unwrap_or(0)
    }

    /// `self + other`.
    pub fn add(&self, other: &Poly) -> Poly {
        self.merge(other, false)
    }

    /// `self - other`.
    pub fn sub(&self, other: &Poly) -> Poly {
        self.merge(other, true)
    }

    /// `-self`.
    pub fn neg(&self) -> Poly {
        Poly {
            nvars: self.nvars,
            exps: self.exps.clone(),
            coeffs: self.coeffs.iter().map(|c| -c).collect(),
        }
    }

    /// `self * other`: all products of terms, sorted once and merged.
    ///
    /// # Panics
    ///
    /// When an exponent of the product would pass `u32::MAX`.
    pub fn mul(&self, other: &Poly) -> Poly {
        self.checked_mul(other)
            .unwrap_or_else(|| panic!("an exponent of a polynomial product passes u32::MAX"))
    }

    /// `c * self`.
    pub fn scale(&self, c: &Rational) -> Poly {
        if c.is_zero() {
            return Poly::zero(self.nvars);
        }
        Poly {
            nvars: self.nvars,
            exps: self.exps.clone(),
            coeffs: self.coeffs.iter().map(|x| x * c).collect(),
        }
    }

    /// `self^n` by repeated squaring (`p^0 = 1`, also for `p = 0`).
    ///
    /// # Panics
    ///
    /// When an exponent of the power would pass `u32::MAX`.
    pub fn pow(&self, n: u32) -> Poly {
        let mut result = Poly::constant(self.nvars, Rational::ONE);
        let mut base = self.clone();
        let mut n = n;
        while n > 0 {
            if n & 1 == 1 {
                result = result.mul(&base);
            }
            n >>= 1;
            if n > 0 {
                base = base.mul(&base);
            }
        }
        result
    }

    /// The partial derivative by `x_k` (zero for a `k` beyond the variables).
    pub fn derivative(&self, k: usize) -> Poly {
        let mut out = Poly::zero(self.nvars);
        if k >= self.nvars {
            return out;
        }
        // Lowering x_k by one in every term that has it keeps their order.
        for (i, c) in self.coeffs.iter().enumerate() {
            let e = self.exps_of(i);
            if e[k] > 0 {
                let mut lowered = e.to_vec();
                lowered[k] -= 1;
                out.push(&lowered, c * &Rational::from(i64::from(e[k])));
            }
        }
        out
    }

    /// Exact division: Some(q) with self == q * divisor, None when divisor does not divide
    /// self (or is zero).
    ///
    /// ```
    /// use deriv::algebra::Poly;
    /// let (x, y) = (Poly::var(2, 0), Poly::var(2, 1));
    /// let p = x.mul(&x).sub(&y.mul(&y)); // x^2 - y^2
    /// assert_eq!(p.div_exact(&x.sub(&y)), Some(x.add(&y)));
    /// assert_eq!(p.div_exact(&x), None);
    /// ```
    pub fn div_exact(&self, divisor: &Poly) -> Option<Poly> {
        // Division never raises an exponent, so the only way to fail is not dividing.
        self.div_exact_within(divisor, &mut Budget::new(u64::MAX))
            .ok()
            .flatten()
    }

    /// The rational content c and the primitive part p with self == c * p, where p has
    /// coprime integer coefficients and a positive leading coefficient (leading = first
    /// term in the order). For zero: (0, zero).
    ///
    /// ```
    /// use deriv::Rational;
    /// use deriv::algebra::Poly;
    /// let x = Poly::var(1, 0);
    /// let p = x.scale(&Rational::new(-2, 3).unwrap()).add(&Poly::constant(1, Rational::int(4)));
    /// let (c, q) = p.primitive(); // -2/3*x + 4 = -2/3 * (x - 6)
    /// assert_eq!(c, Rational::new(-2, 3).unwrap());
    /// assert_eq!(q, x.sub(&Poly::constant(1, Rational::int(6))));
    /// ```
    pub fn primitive(&self) -> (Rational, Poly) {
        let Some(lead) = self.coeffs.first() else {
            return (Rational::ZERO, self.clone());
        };
        let content = self.coeffs.iter().fold(Rational::ZERO, |g, c| g.gcd(c));
        let content = if lead.is_negative() {
            -&content
        } else {
            content
        };
        let primitive = match content.recip() {
            Some(inverse) if !content.is_one() => self.scale(&inverse),
            _ => self.clone(),
        };
        (content, primitive)
    }

    /// Coefficients as a polynomial in x_k: pairs (exponent, coefficient with x_k removed),
    /// highest exponent first. Empty for the zero polynomial; for a `k` beyond the variables,
    /// the polynomial itself as the coefficient of `x_k^0`.
    pub fn coefficients_in(&self, k: usize) -> Vec<(u32, Poly)> {
        if k >= self.nvars {
            return if self.is_zero() {
                Vec::new()
            } else {
                vec![(0, self.clone())]
            };
        }
        // Removing x_k keeps the order of the terms that share its exponent.
        let mut by_power: BTreeMap<u32, Poly> = BTreeMap::new();
        for (i, c) in self.coeffs.iter().enumerate() {
            let mut e = self.exps_of(i).to_vec();
            let power = std::mem::take(&mut e[k]);
            by_power
                .entry(power)
                .or_insert_with(|| Poly::zero(self.nvars))
                .push(&e, c.clone());
        }
        by_power.into_iter().rev().collect()
    }

    /// The variables that occur, ascending.
    pub fn variables(&self) -> Vec<usize> {
        (0..self.nvars)
            .filter(|&k| (0..self.len()).any(|i| self.exps_of(i)[k] > 0))
            .collect()
    }

    // -----------------------------------------------------------------------------------
    // For the gcd: budgeted and checked forms, and the pieces of pseudo-division.
    // -----------------------------------------------------------------------------------

    /// The exponent vector of term `i`.
    fn exps_of(&self, i: usize) -> &[u32] {
        &self.exps[i * self.nvars..(i + 1) * self.nvars]
    }

    /// Appends a term that sorts after the last one.
    fn push(&mut self, exps: &[u32], c: Rational) {
        if !c.is_zero() {
            self.exps.extend_from_slice(exps);
            self.coeffs.push(c);
        }
    }

    /// The polynomial of the terms (`exps` flat, `nvars` per term) in any order.
    fn normalize(nvars: usize, exps: &[u32], mut coeffs: Vec<Rational>) -> Poly {
        let key = |i: usize| &exps[i * nvars..(i + 1) * nvars];
        let mut order: Vec<usize> = (0..coeffs.len()).collect();
        order.sort_unstable_by(|&i, &j| key(j).cmp(key(i)));
        let mut out = Poly::zero(nvars);
        let mut current: Option<(usize, Rational)> = None;
        for i in order {
            let c = std::mem::replace(&mut coeffs[i], Rational::ZERO);
            current = match current {
                Some((j, sum)) if key(j) == key(i) => Some((j, &sum + &c)),
                Some((j, sum)) => {
                    out.push(key(j), sum);
                    Some((i, c))
                }
                None => Some((i, c)),
            };
        }
        if let Some((j, sum)) = current {
            out.push(key(j), sum);
        }
        out
    }

    /// `self + other` or `self - other`, merging the two sorted term lists.
    fn merge(&self, other: &Poly, subtract: bool) -> Poly {
        assert_eq!(
            self.nvars, other.nvars,
            "polynomials in different variables"
        );
        let other_coeff = |j: usize| {
            if subtract {
                -&other.coeffs[j]
            } else {
                other.coeffs[j].clone()
            }
        };
        let mut out = Poly::zero(self.nvars);
        let (mut i, mut j) = (0, 0);
        while i < self.len() && j < other.len() {
            match self.exps_of(i).cmp(other.exps_of(j)) {
                std::cmp::Ordering::Greater => {
                    out.push(self.exps_of(i), self.coeffs[i].clone());
                    i += 1;
                }
                std::cmp::Ordering::Less => {
                    out.push(other.exps_of(j), other_coeff(j));
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    out.push(self.exps_of(i), &self.coeffs[i] + &other_coeff(j));
                    i += 1;
                    j += 1;
                }
            }
        }
        for i in i..self.len() {
            out.push(self.exps_of(i), self.coeffs[i].clone());
        }
        for j in j..other.len() {
            out.push(other.exps_of(j), other_coeff(j));
        }
        out
    }

    /// `self * other`, or `None` when an exponent would pass `u32::MAX`.
    pub(crate) fn checked_mul(&self, other: &Poly) -> Option<Poly> {
        assert_eq!(
            self.nvars, other.nvars,
            "polynomials in different variables"
        );
        let (small, large) = if self.len() <= other.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut exps = Vec::with_capacity(small.len() * large.len() * self.nvars);
        let mut coeffs = Vec::with_capacity(small.len() * large.len());
        for (i, a) in small.coeffs.iter().enumerate() {
            for (j, b) in large.coeffs.iter().enumerate() {
                for (x, y) in small.exps_of(i).iter().zip(large.exps_of(j)) {
                    exps.push(x.checked_add(*y)?);
                }
                coeffs.push(a * b);
            }
        }
        if small.len() == 1 {
            // A term times a sorted list stays sorted, and no two products are alike.
            return Some(Poly {
                nvars: self.nvars,
                exps,
                coeffs,
            });
        }
        Some(Poly::normalize(self.nvars, &exps, coeffs))
    }

    /// The size of the coefficients in 64-bit words, summed: the cost of multiplying by
    /// this polynomial is its weight times the other's.
    pub(crate) fn weight(&self) -> u64 {
        self.coeffs.iter().map(words).fold(0, u64::saturating_add)
    }

    /// Exact division under a budget: `Ok(None)` when `divisor` does not divide `self`.
    /// The quotient is built term by term from the leading terms of what is left (kept in
    /// an ordered map), and the work is the quotient's weight times the divisor's.
    pub(crate) fn div_exact_within(
        &self,
        divisor: &Poly,
        budget: &mut Budget,
    ) -> Result<Option<Poly>, Exhausted> {
        assert_eq!(
            self.nvars, divisor.nvars,
            "polynomials in different variables"
        );
        let Some(lead) = divisor.coeffs.first().and_then(Rational::recip) else {
            return Ok(None);
        };
        // A quotient's degree in each variable is the difference of the degrees.
        let mut bounds = Vec::with_capacity(self.nvars);
        for k in 0..self.nvars {
            match self.degree_in(k).checked_sub(divisor.degree_in(k)) {
                Some(bound) => bounds.push(bound),
                None if self.is_zero() => return Ok(Some(self.clone())),
                None => return Ok(None),
            }
        }
        let lead_exps = divisor.exps_of(0);
        let divisor_weight = divisor.weight();
        let mut rest: BTreeMap<Vec<u32>, Rational> =
            self.terms().map(|(e, c)| (e.to_vec(), c.clone())).collect();
        let mut quotient = Poly::zero(self.nvars);
        while let Some((e, c)) = rest.pop_last() {
            let mut q_exps = Vec::with_capacity(self.nvars);
            for ((&have, &take), &bound) in e.iter().zip(lead_exps).zip(&bounds) {
                match have.checked_sub(take) {
                    Some(power) if power <= bound => q_exps.push(power),
                    _ => return Ok(None),
                }
            }
            let q = &c * &lead;
            budget.spend(divisor_weight.saturating_mul(words(&q)))?;
            for j in 1..divisor.len() {
                // Within the bounds: no exponent passes the dividend's degree.
                let key: Vec<u32> = q_exps
                    .iter()
                    .zip(divisor.exps_of(j))
                    .map(|(a, b)| a + b)
                    .collect();
                let product = &q * &divisor.coeffs[j];
                match rest.entry(key) {
                    Entry::Vacant(slot) => {
                        slot.insert(-&product);
                    }
                    Entry::Occupied(mut slot) => {
                        let left = slot.get() - &product;
                        if left.is_zero() {
                            slot.remove();
                        } else {
                            *slot.get_mut() = left;
                        }
                    }
                }
            }
            // The leading monomials left fall strictly, so the quotient comes out sorted.
            quotient.push(&q_exps, q);
        }
        Ok(Some(quotient))
    }

    /// The polynomial with `value` put for `x_k` (which then no longer occurs).
    pub(crate) fn evaluate(&self, k: usize, value: &Rational) -> Poly {
        let mut powers: BTreeMap<u32, Rational> = BTreeMap::new();
        let mut exps = Vec::with_capacity(self.exps.len());
        let mut coeffs = Vec::with_capacity(self.len());
        for (i, c) in self.coeffs.iter().enumerate() {
            let mut e = self.exps_of(i).to_vec();
            let power = std::mem::take(&mut e[k]);
            let factor = powers
                .entry(power)
                .or_insert_with(|| integer_power(value, power));
            coeffs.push(c * factor);
            exps.extend(e);
        }
        Poly::normalize(self.nvars, &exps, coeffs)
    }

    /// The coefficient of `x_k^d`, a polynomial without `x_k`.
    pub(crate) fn coefficient(&self, k: usize, d: u32) -> Poly {
        let mut out = Poly::zero(self.nvars);
        for (i, c) in self.coeffs.iter().enumerate() {
            let e = self.exps_of(i);
            if e[k] == d {
                let mut without = e.to_vec();
                without[k] = 0;
                out.push(&without, c.clone());
            }
        }
        out
    }

    /// `self * x_k^d`, or `None` when an exponent would pass `u32::MAX`.
    pub(crate) fn shift(&self, k: usize, d: u32) -> Option<Poly> {
        let mut out = self.clone();
        for term in 0..self.len() {
            let e = &mut out.exps[term * self.nvars + k];
            *e = e.checked_add(d)?;
        }
        Some(out)
    }
}

/// The size of a coefficient in 64-bit words, at least 1.
pub(crate) fn words(c: &Rational) -> u64 {
    1 + c.bits() / 64
}

/// `base^n` by repeated squaring.
fn integer_power(base: &Rational, n: u32) -> Rational {
    let mut result = Rational::ONE;
    let mut square = base.clone();
    let mut n = n;
    while n > 0 {
        if n & 1 == 1 {
            result = &result * &square;
        }
        n >>= 1;
        if n > 0 {
            square = &square * &square;
        }
    }
    result
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> Rational {
        Rational::new(n, d).unwrap()
    }

    /// A polynomial in `x`, `y`, `z` from text such as `x^2*y - 3/2*z + 1`: a sum of
    /// products of a number and powers of the variables, nothing else.
    pub(crate) fn poly(text: &str) -> Poly {
        let mut terms = Vec::new();
        let text = text.replace(' ', "").replace('-', "+-");
        for term in text.split('+').filter(|t| !t.is_empty()) {
            let (negative, term) = match term.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, term),
            };
            let mut exps = vec![0; 3];
            let mut coeff = Rational::ONE;
            for factor in term.split('*') {
                let (base, power) = factor.split_once('^').unwrap_or((factor, "1"));
                let power: u32 = power.parse().unwrap();
                match ["x", "y", "z"].iter().position(|v| *v == base) {
                    Some(k) => exps[k] += power,
                    None => {
                        let (n, d) = base.split_once('/').unwrap_or((base, "1"));
                        coeff = &coeff * &r(n.parse().unwrap(), d.parse().unwrap());
                    }
                }
            }
            terms.push((exps, if negative { -&coeff } else { coeff }));
        }
        Poly::from_terms(3, terms)
    }

    fn exps(p: &Poly) -> Vec<Vec<u32>> {
        p.terms().map(|(e, _)| e.to_vec()).collect()
    }

    #[test]
    fn terms_are_sorted_merged_and_nonzero() {
        let p = Poly::from_terms(
            2,
            vec![
                (vec![0, 2], r(1, 1)),
                (vec![1, 0], r(2, 1)),
                (vec![0, 2], r(-1, 1)),
                (vec![2, 1], r(1, 2)),
                (vec![1, 3], r(1, 1)),
                (vec![0, 0], r(0, 1)),
            ],
        );
        assert_eq!(exps(&p), [vec![2, 1], vec![1, 3], vec![1, 0]]);
        assert_eq!(p.len(), 3);
        assert!(Poly::from_terms(2, vec![(vec![1, 1], r(1, 1)), (vec![1, 1], r(-1, 1))]).is_zero());
        assert_eq!(Poly::constant(2, Rational::ZERO), Poly::zero(2));
        assert_eq!(poly("y + x"), poly("x + y"));
    }

    #[test]
    fn constants_degrees_and_variables() {
        assert_eq!(Poly::zero(2).as_constant(), Some(&Rational::ZERO));
        assert_eq!(Poly::constant(2, r(3, 4)).as_constant(), Some(&r(3, 4)));
        assert_eq!(Poly::var(2, 1).as_constant(), None);
        let p = poly("x^3*y + x*y^2*z^4 - 7");
        assert_eq!(
            (
                p.degree_in(0),
                p.degree_in(1),
                p.degree_in(2),
                p.degree_in(9)
            ),
            (3, 2, 4, 0)
        );
        assert_eq!(p.total_degree(), 7);
        assert_eq!(p.variables(), [0, 1, 2]);
        assert_eq!(poly("y^2 + 1").variables(), [1]);
        assert_eq!(Poly::zero(3).degree_in(0), 0);
        assert_eq!(Poly::zero(3).total_degree(), 0);
        // No variables at all.
        let c = Poly::constant(0, r(5, 1));
        assert_eq!(c.mul(&c), Poly::constant(0, r(25, 1)));
        assert_eq!(c.terms().next(), Some((&[][..], &r(5, 1))));
    }

    #[test]
    fn arithmetic() {
        let (x, y) = (poly("x"), poly("y"));
        assert_eq!(x.add(&y).mul(&x.sub(&y)), poly("x^2 - y^2"));
        assert_eq!(x.add(&y).pow(3), poly("x^3 + 3*x^2*y + 3*x*y^2 + y^3"));
        assert_eq!(x.sub(&x), Poly::zero(3));
        assert_eq!(poly("x - 1").neg(), poly("1 - x"));
        assert_eq!(poly("2*x + 4").scale(&r(1, 2)), poly("x + 2"));
        assert_eq!(poly("x").scale(&Rational::ZERO), Poly::zero(3));
        assert_eq!(Poly::zero(3).pow(0), poly("1"));
        assert_eq!(poly("1/2*x - 1").pow(2), poly("1/4*x^2 - x + 1"));
        assert_eq!(poly("x*y").mul(&poly("x - z")), poly("x^2*y - x*y*z"));
        assert_eq!(Poly::zero(3).mul(&x), Poly::zero(3));
    }

    #[test]
    #[should_panic(expected = "passes u32::MAX")]
    fn exponents_past_u32_panic_in_products() {
        let big = Poly::from_terms(1, vec![(vec![u32::MAX], r(1, 1))]);
        big.mul(&Poly::var(1, 0));
    }

    #[test]
    fn derivatives() {
        assert_eq!(
            poly("x^3*y + 2*x*y^2 - y + 5").derivative(0),
            poly("3*x^2*y + 2*y^2")
        );
        assert_eq!(
            poly("x^3*y + 2*x*y^2 - y + 5").derivative(1),
            poly("x^3 + 4*x*y - 1")
        );
        assert_eq!(poly("x").derivative(2), Poly::zero(3));
        assert_eq!(poly("x").derivative(7), Poly::zero(3));
    }

    #[test]
    fn exact_division() {
        let p = poly("x^3 - x*y^2 + x^2*z - y^2*z");
        assert_eq!(p.div_exact(&poly("x + z")), Some(poly("x^2 - y^2")));
        assert_eq!(
            p.div_exact(&poly("x - y")),
            Some(poly("x^2 + x*y + x*z + y*z"))
        );
        assert_eq!(p.div_exact(&poly("x + y + z")), None);
        assert_eq!(p.div_exact(&poly("x^2")), None);
        assert_eq!(p.div_exact(&Poly::zero(3)), None);
        assert_eq!(p.div_exact(&poly("2")), Some(p.scale(&r(1, 2))));
        assert_eq!(Poly::zero(3).div_exact(&p), Some(Poly::zero(3)));
        assert_eq!(poly("x").div_exact(&p), None);
        assert_eq!(poly("x^2*y").div_exact(&poly("x*y")), Some(poly("x")));
        assert_eq!(poly("x^2 + 1").div_exact(&poly("x + 1")), None);
        // Refused by the bound on the quotient's degree in y, before y^1000 is reached.
        assert_eq!(poly("x").div_exact(&poly("x - y")), None);
    }

    #[test]
    fn exact_division_spends_the_budget() {
        let p = poly("x + y").pow(8);
        let mut budget = Budget::new(3);
        assert!(p.div_exact_within(&poly("x + y"), &mut budget).is_err());
        assert_eq!(budget.left(), 0);
    }

    #[test]
    fn primitive_parts() {
        let (c, p) = poly("1/2*x - 3/4*y").primitive();
        assert_eq!((c, p), (r(1, 4), poly("2*x - 3*y")));
        let (c, p) = poly("-6*x^2 + 4").primitive();
        assert_eq!((c, p), (r(-2, 1), poly("3*x^2 - 2")));
        assert_eq!(Poly::zero(3).primitive(), (Rational::ZERO, Poly::zero(3)));
        assert_eq!(poly("-5").primitive(), (r(-5, 1), poly("1")));
    }

    #[test]
    fn coefficients_in_a_variable() {
        let p = poly("x^2*y + 3*x^2 - x*z + y^2 + 1");
        assert_eq!(
            p.coefficients_in(0),
            [(2, poly("y + 3")), (1, poly("-z")), (0, poly("y^2 + 1"))]
        );
        assert_eq!(
            p.coefficients_in(1),
            [
                (2, poly("1")),
                (1, poly("x^2")),
                (0, poly("3*x^2 - x*z + 1"))
            ]
        );
        assert_eq!(p.coefficients_in(5), [(0, p.clone())]);
        assert!(Poly::zero(3).coefficients_in(0).is_empty());
        assert_eq!(p.coefficient(0, 2), poly("y + 3"));
        assert_eq!(poly("x + y").shift(2, 3), Some(poly("x*z^3 + y*z^3")));
        assert_eq!(poly("x^2*y + x + y").evaluate(0, &r(2, 1)), poly("5*y + 2"));
    }
}
