//! Exact rational numbers: a 64-bit fast path with an arbitrary-precision fallback.
//!
//! Invariants: the denominator is positive, numerator and denominator are coprime, and a
//! value that fits in `i64 / i64` is always stored as [`Repr::Small`], so equal values have
//! equal representations (derived `Eq` and `Hash` are structural and therefore exact).

use std::cmp::Ordering;
use std::fmt;

use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// An exact rational number `numer / denom`, always in lowest terms.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Rational(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// `num / den` with `den > 0` and `gcd(num, den) == 1`.
    Small(i64, i64),
    /// Values that do not fit `Small`; same normalisation.
    Big(Box<(BigInt, BigInt)>),
}

impl Rational {
    /// Zero.
    pub const ZERO: Rational = Rational(Repr::Small(0, 1));
    /// One.
    pub const ONE: Rational = Rational(Repr::Small(1, 1));
    /// Minus one.
    pub const MINUS_ONE: Rational = Rational(Repr::Small(-1, 1));
    /// One half.
    pub const HALF: Rational = Rational(Repr::Small(1, 2));
    /// Minus one half.
    pub const MINUS_HALF: Rational = Rational(Repr::Small(-1, 2));

    /// The integer `n`.
    pub const fn int(n: i64) -> Rational {
        Rational(Repr::Small(n, 1))
    }

    /// `num / den` in lowest terms; `None` when `den` is zero.
    pub fn new(num: i64, den: i64) -> Option<Rational> {
        Self::from_i128(i128::from(num), i128::from(den))
    }

    /// The integer `n` of any size.
    pub fn from_bigint(n: BigInt) -> Rational {
        Self::from_big(n, BigInt::one()).unwrap_or(Rational::ZERO)
    }

    /// `num / den` of any size in lowest terms; `None` when `den` is zero.
    pub fn from_big(num: BigInt, den: BigInt) -> Option<Rational> {
        if den.is_zero() {
            return None;
        }
        let g = gcd_big(&num, &den);
        if g.is_one() {
            return Some(Self::from_coprime(num, den));
        }
        Some(Self::from_coprime(num / &g, den / &g))
    }

    /// `num / den` when `gcd(num, den) == 1` and `den != 0` are known already (no gcd).
    fn from_coprime(mut num: BigInt, mut den: BigInt) -> Rational {
        if den.is_negative() {
            num = -num;
            den = -den;
        }
        match (num.to_i64(), den.to_i64()) {
            (Some(n), Some(d)) => Rational(Repr::Small(n, d)),
            _ => Rational(Repr::Big(Box::new((num, den)))),
        }
    }

    fn from_i128(num: i128, den: i128) -> Option<Rational> {
        if den == 0 {
            return None;
        }
        // Fast paths for the common cases: 128-bit division is a slow library call.
        if den == 1
            && let Ok(n) = i64::try_from(num)
        {
            return Some(Rational(Repr::Small(n, 1)));
        }
        if let (Ok(n), Ok(d)) = (
            u64::try_from(num.unsigned_abs()),
            u64::try_from(den.unsigned_abs()),
        ) {
            let g = n.gcd(&d);
            if let (Ok(n), Ok(d)) = (i64::try_from(n / g), i64::try_from(d / g)) {
                let negative = (num < 0) != (den < 0);
                return Some(Rational(Repr::Small(if negative { -n } else { n }, d)));
            }
        }
        let g = num.gcd(&den);
        let (mut num, mut den) = (num / g, den / g);
        if den < 0 {
            num = -num;
            den = -den;
        }
        match (i64::try_from(num), i64::try_from(den)) {
            (Ok(n), Ok(d)) => Some(Rational(Repr::Small(n, d))),
            _ => Self::from_big(BigInt::from(num), BigInt::from(den)),
        }
    }

    /// The numerator as a big integer (carries the sign).
    pub fn numer(&self) -> BigInt {
        match &self.0 {
            Repr::Small(n, _) => BigInt::from(*n),
            Repr::Big(b) => b.0.clone(),
        }
    }

    /// The denominator as a big integer (always positive).
    pub fn denom(&self) -> BigInt {
        match &self.0 {
            Repr::Small(_, d) => BigInt::from(*d),
            Repr::Big(b) => b.1.clone(),
        }
    }

    /// Writes `|numerator|` without allocating for 64-bit values.
    pub fn write_abs_numer(&self, out: &mut impl fmt::Write) -> fmt::Result {
        match &self.0 {
            Repr::Small(n, _) => write!(out, "{}", n.unsigned_abs()),
            Repr::Big(b) => write!(out, "{}", b.0.magnitude()),
        }
    }

    /// Writes the denominator without allocating for 64-bit values.
    pub fn write_denom(&self, out: &mut impl fmt::Write) -> fmt::Result {
        match &self.0 {
            Repr::Small(_, d) => write!(out, "{d}"),
            Repr::Big(b) => write!(out, "{}", b.1),
        }
    }

    /// The value as `i64` when it is an integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        match self.0 {
            Repr::Small(n, 1) => Some(n),
            _ => None,
        }
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Small(0, _))
    }

    /// Whether the value is one.
    pub fn is_one(&self) -> bool {
        matches!(self.0, Repr::Small(1, 1))
    }

    /// Whether the value is an integer.
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Small(_, d) => *d == 1,
            Repr::Big(b) => b.1.is_one(),
        }
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small(n, _) => *n < 0,
            Repr::Big(b) => b.0.is_negative(),
        }
    }

    /// Whether the value is an even integer.
    pub fn is_even_integer(&self) -> bool {
        match &self.0 {
            Repr::Small(n, d) => *d == 1 && n % 2 == 0,
            Repr::Big(b) => b.1.is_one() && b.0.is_even(),
        }
    }

    /// Whether the numerator is odd (so `u^self` keeps the sign of `u`).
    pub fn has_odd_numer(&self) -> bool {
        match &self.0 {
            Repr::Small(n, _) => n % 2 != 0,
            Repr::Big(b) => b.0.is_odd(),
        }
    }

    /// Whether the denominator is odd (so `u^self` is real for negative `u`).
    pub fn has_odd_denom(&self) -> bool {
        match &self.0 {
            Repr::Small(_, d) => d % 2 != 0,
            Repr::Big(b) => b.1.is_odd(),
        }
    }

    /// The absolute value.
    pub fn abs(&self) -> Rational {
        if self.is_negative() {
            -self
        } else {
            self.clone()
        }
    }

    /// `1 / self`; `None` for zero.
    pub fn recip(&self) -> Option<Rational> {
        match &self.0 {
            Repr::Small(n, d) => Self::from_i128(i128::from(*d), i128::from(*n)),
            Repr::Big(b) => Some(Self::from_coprime(b.1.clone(), b.0.clone())),
        }
    }

    /// `self / other`; `None` when `other` is zero.
    pub fn checked_div(&self, other: &Rational) -> Option<Rational> {
        Some(self * &other.recip()?)
    }

    /// The gcd of the numerators over the lcm of the denominators: the largest rational
    /// that divides both to an integer (`gcd(4/3, 2/5) = 2/15`); never negative.
    pub fn gcd(&self, other: &Rational) -> Rational {
        if let (Repr::Small(a, b), Repr::Small(c, d)) = (&self.0, &other.0) {
            // gcd(a, c) / lcm(b, d), in u64 where it fits: 128-bit division is slow.
            let numer = i128::from(a.unsigned_abs().gcd(&c.unsigned_abs()));
            let (b, d) = (b.unsigned_abs(), d.unsigned_abs());
            let denom = u128::from(b / b.gcd(&d)) * u128::from(d);
            return i128::try_from(denom)
                .ok()
                .and_then(|denom| Rational::from_i128(numer, denom))
                .unwrap_or(Rational::ONE);
        }
        let numer = gcd_big(&self.numer(), &other.numer());
        let (b, d) = (self.denom(), other.denom());
        let denom = &b / gcd_big(&b, &d) * d;
        Rational::from_big(numer, denom).unwrap_or(Rational::ONE)
    }

    /// Approximate bit length of the numerator plus the denominator.
    pub fn bits(&self) -> u64 {
        match &self.0 {
            Repr::Small(n, d) => {
                u64::from(64 - n.unsigned_abs().leading_zeros())
                    + u64::from(64 - d.unsigned_abs().leading_zeros())
            }
            Repr::Big(b) => b.0.bits() + b.1.bits(),
        }
    }

    /// `self^exp` for an integer exponent. `None` when the result is undefined (`0^-1`) or
    /// would have more than `max_bits` bits (then the caller keeps the power unevaluated).
    pub fn pow(&self, exp: &Rational, max_bits: u64) -> Option<Rational> {
        if !exp.is_integer() {
            return None;
        }
        if self.is_zero() {
            return if exp.is_negative() {
                None
            } else if exp.is_zero() {
                Some(Rational::ONE)
            } else {
                Some(Rational::ZERO)
            };
        }
        if self.abs().is_one() {
            let odd = exp.has_odd_numer();
            return Some(if self.is_negative() && odd {
                Rational::MINUS_ONE
            } else {
                Rational::ONE
            });
        }
        let e = exp.to_i64()?;
        let magnitude = e.unsigned_abs();
        // A reciprocal is no longer than the number itself: always allowed, so that a
        // printed `p/q` reads back whatever its size.
        if magnitude > 1 && self.bits().saturating_mul(magnitude) > max_bits {
            return None;
        }
        let n = u32::try_from(magnitude).ok()?;
        let num = num_traits::pow::Pow::pow(self.numer(), n);
        let den = num_traits::pow::Pow::pow(self.denom(), n);
        // Powers of coprime numbers are coprime: no gcd needed.
        Some(if e < 0 {
            Self::from_coprime(den, num)
        } else {
            Self::from_coprime(num, den)
        })
    }

    /// The exact real `n`-th root, when it is rational. Negative values have a real root
    /// only for odd `n`.
    pub fn exact_root(&self, n: u32) -> Option<Rational> {
        if n == 0 {
            return None;
        }
        if self.is_negative() {
            if n.is_multiple_of(2) {
                return None;
            }
            return self.abs().exact_root(n).map(|r| -&r);
        }
        let root_of = |x: BigInt| -> Option<BigInt> {
            let r = x.nth_root(n);
            (num_traits::pow::Pow::pow(&r, n) == x).then_some(r)
        };
        Self::from_big(root_of(self.numer())?, root_of(self.denom())?)
    }

    /// The nearest `f64`.
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            Repr::Small(n, d) => *n as f64 / *d as f64,
            Repr::Big(b) => big_ratio_to_f64(&b.0, &b.1),
        }
    }

    /// `(r, e)` with `self = r * 2^e` and `r` within about `2^±64` of 1 (`e = 0` when
    /// `self` is already well inside `f64`'s normal range): for numbers such as `2^-1200`,
    /// whose `f64` value underflows, to be scaled in steps after multiplying.
    pub fn split_binary_exponent(&self) -> (Rational, i64) {
        let Repr::Big(b) = &self.0 else {
            return (self.clone(), 0);
        };
        let (num, den) = (&b.0, &b.1);
        let e = i64::try_from(num.bits()).unwrap_or(i64::MAX)
            - i64::try_from(den.bits()).unwrap_or(i64::MAX);
        if e.abs() <= 900 {
            return (self.clone(), 0);
        }
        let shift = e.unsigned_abs();
        // The parts are coprime, so after the shift they share powers of two only: no gcd.
        let r = if e > 0 {
            let k = num.trailing_zeros().unwrap_or(0).min(shift);
            Rational::from_coprime(num >> k, den << (shift - k))
        } else {
            let k = den.trailing_zeros().unwrap_or(0).min(shift);
            Rational::from_coprime(num << (shift - k), den >> k)
        };
        (r, e)
    }

    /// Parses a decimal literal such as `12`, `0.5`, `.5`, `1e-3` or `2.5E4` exactly.
    /// `None` when the exponent is larger in size than `max_exponent`.
    pub fn parse_decimal(text: &str, max_exponent: u64) -> Option<Rational> {
        // Most literals are small integers (`2`, `360`): no big integer to build.
        if text.len() <= 18 && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return text.parse::<i64>().ok().map(Rational::int);
        }
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(pos) => (&text[..pos], text[pos + 1..].parse::<i64>().ok()?),
            None => (text, 0),
        };
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{int_part}{frac_part}");
        let num = if digits.is_empty() {
            BigInt::zero()
        } else {
            digits.parse::<BigInt>().ok()?
        };
        let shift = exponent.checked_sub(i64::try_from(frac_part.len()).ok()?)?;
        if shift.unsigned_abs() > max_exponent {
            return None;
        }
        if num.is_zero() {
            return Some(Rational::ZERO);
        }
        if shift >= 0 {
            let scale = num_traits::pow::Pow::pow(BigInt::from(10u8), shift.unsigned_abs());
            return Some(Self::from_coprime(num * scale, BigInt::one()));
        }
        // The only common factors of `num` and `10^k` are 2s and 5s: no general gcd.
        let k = shift.unsigned_abs();
        let twos = num.trailing_zeros().unwrap_or(0).min(k);
        let mut rest = num >> twos;
        let mut fives = 0;
        let five_27 = BigInt::from(5u64.pow(27));
        while fives + 27 <= k && (&rest % &five_27).is_zero() {
            rest /= &five_27;
            fives += 27;
        }
        while fives < k && (&rest % 5u8).is_zero() {
            rest /= 5u8;
            fives += 1;
        }
        let pow = |base: u8, e: u64| -> Option<BigInt> {
            Some(num_traits::pow::Pow::pow(
                BigInt::from(base),
                u32::try_from(e).ok()?,
            ))
        };
        let den = pow(2, k - twos)? * pow(5, k - fives)?;
        Some(Self::from_coprime(rest, den))
    }
}

/// `gcd(a, b) >= 0`, fast in the cases exact arithmetic meets most: a unit or zero
/// operand, operands of very different sizes (one division step first) and a small
/// operand (word arithmetic). num-bigint's binary gcd is quadratic even for `gcd(n, 1)`.
fn gcd_big(a: &BigInt, b: &BigInt) -> BigInt {
    let (mut a, mut b) = (a.magnitude().clone(), b.magnitude().clone());
    loop {
        if a < b {
            std::mem::swap(&mut a, &mut b);
        }
        if b.is_zero() {
            return BigInt::from(a);
        }
        if b.is_one() {
            return BigInt::one();
        }
        if let Some(small) = b.to_u64() {
            let rest = (&a % small).to_u64().unwrap_or(0);
            return BigInt::from(rest.gcd(&small));
        }
        if a.bits() <= b.bits() + 64 {
            return BigInt::from(lehmer_gcd(a, b));
        }
        a %= &b;
    }
}

/// Lehmer's gcd (Knuth, TAOCP 2, Algorithm L): the Euclidean quotients are found from the
/// leading 64 bits while they are certain, and applied to the full numbers in one
/// combination; about 60 times fewer passes over the numbers than num-bigint's binary gcd.
fn lehmer_gcd(mut a: BigUint, mut b: BigUint) -> BigUint {
    if a < b {
        std::mem::swap(&mut a, &mut b);
    }
    while b.bits() > 64 {
        let shift = a.bits() - 64;
        let mut x = i128::from((&a >> shift).to_u64().unwrap_or(0));
        let mut y = i128::from((&b >> shift).to_u64().unwrap_or(0));
        let (mut ca, mut cb, mut cc, mut cd) = (1i128, 0i128, 0i128, 1i128);
        while y + cc != 0 && y + cd != 0 {
            let q = (x + ca) / (y + cc);
            if q != (x + cb) / (y + cd) {
                break;
            }
            (ca, cc) = (cc, ca - q * cc);
            (cb, cd) = (cd, cb - q * cd);
            (x, y) = (y, x - q * y);
        }
        if cb == 0 {
            let r = &a % &b;
            a = b;
            b = r;
        } else {
            let (sa, sb) = (BigInt::from(a), BigInt::from(b));
            let na = &sa * ca + &sb * cb;
            let nb = sa * cc + sb * cd;
            a = na.into_parts().1;
            b = nb.into_parts().1;
        }
    }
    if b.is_zero() {
        return a;
    }
    let small = b.to_u64().unwrap_or(1);
    let rest = (&a % small).to_u64().unwrap_or(0);
    BigUint::from(rest.gcd(&small))
}

fn big_ratio_to_f64(num: &BigInt, den: &BigInt) -> f64 {
    // Scale both to about 64 significant bits so the division neither overflows nor
    // loses everything to subnormals.
    let shift = |x: &BigInt| x.bits().saturating_sub(64);
    let (sn, sd) = (shift(num), shift(den));
    let n = (num >> sn).to_f64().unwrap_or(f64::NAN);
    let d = (den >> sd).to_f64().unwrap_or(f64::NAN);
    let exp = i32::try_from(i128::from(sn) - i128::from(sd)).unwrap_or(i32::MAX);
    n / d * 2f64.powi(exp.clamp(-2000, 2000))
}

impl Ord for Rational {
    fn cmp(&self, other: &Rational) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Small(a, b), Repr::Small(c, d)) => {
                (i128::from(*a) * i128::from(*d)).cmp(&(i128::from(*c) * i128::from(*b)))
            }
            _ => (self.numer() * other.denom()).cmp(&(other.numer() * self.denom())),
        }
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Rational) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::ops::Neg for &Rational {
    type Output = Rational;
    fn neg(self) -> Rational {
        match &self.0 {
            Repr::Small(n, d) => {
                Rational::from_i128(-i128::from(*n), i128::from(*d)).unwrap_or(Rational::ZERO)
            }
            Repr::Big(b) => Rational::from_coprime(-b.0.clone(), b.1.clone()),
        }
    }
}

impl std::ops::Add for &Rational {
    type Output = Rational;
    fn add(self, other: &Rational) -> Rational {
        if let (Repr::Small(a, b), Repr::Small(c, d)) = (&self.0, &other.0) {
            let (a, b, c, d) = (
                i128::from(*a),
                i128::from(*b),
                i128::from(*c),
                i128::from(*d),
            );
            if b == d {
                return Rational::from_i128(a + c, b).unwrap_or(Rational::ZERO);
            }
            return Rational::from_i128(a * d + c * b, b * d).unwrap_or(Rational::ZERO);
        }
        // Henrici's addition: the gcds stay as small as the denominators allow, and
        // none is needed at all when the denominators are coprime (integers included).
        let (a, b, c, d) = (self.numer(), self.denom(), other.numer(), other.denom());
        let g = gcd_big(&b, &d);
        if g.is_one() {
            return Rational::from_coprime(a * &d + c * &b, b * d);
        }
        let (b_g, d_g) = (&b / &g, &d / &g);
        let t = a * &d_g + c * &b_g;
        let g2 = gcd_big(&t, &g);
        Rational::from_coprime(t / &g2, b_g * (d / g2))
    }
}

impl std::ops::Sub for &Rational {
    type Output = Rational;
    fn sub(self, other: &Rational) -> Rational {
        self + &-other
    }
}

impl std::ops::Mul for &Rational {
    type Output = Rational;
    fn mul(self, other: &Rational) -> Rational {
        if let (Repr::Small(a, b), Repr::Small(c, d)) = (&self.0, &other.0) {
            let (a, b, c, d) = (
                i128::from(*a),
                i128::from(*b),
                i128::from(*c),
                i128::from(*d),
            );
            return Rational::from_i128(a * c, b * d).unwrap_or(Rational::ZERO);
        }
        // Cancel crosswise first (Henrici): two small gcds instead of one of the product.
        let (a, b, c, d) = (self.numer(), self.denom(), other.numer(), other.denom());
        let g1 = gcd_big(&a, &d);
        let g2 = gcd_big(&c, &b);
        Rational::from_coprime((a / &g1) * (c / &g2), (b / g2) * (d / g1))
    }
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Small(n, 1) => write!(f, "{n}"),
            Repr::Small(n, d) => write!(f, "{n}/{d}"),
            Repr::Big(b) if b.1.is_one() => write!(f, "{}", b.0),
            Repr::Big(b) => write!(f, "{}/{}", b.0, b.1),
        }
    }
}

impl fmt::Debug for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<i64> for Rational {
    fn from(n: i64) -> Rational {
        Rational::int(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BITS: u64 = 1 << 20;

    fn r(n: i64, d: i64) -> Rational {
        Rational::new(n, d).unwrap()
    }

    #[test]
    fn binary_exponents_split_exactly() {
        let two = r(2, 1);
        for (q, split) in [
            (r(3, 1).pow(&r(1000, 1), BITS).unwrap(), true),
            (r(12, 7).pow(&r(-1300, 1), BITS).unwrap(), true),
            (r(-5, 8).pow(&r(2001, 1), BITS).unwrap(), true),
            (r(-5, 8).pow(&r(1201, 1), BITS).unwrap(), false),
            (r(7, 3), false),
        ] {
            let (m, e) = q.split_binary_exponent();
            assert_eq!(e != 0, split, "{q}");
            let back = &m * &two.pow(&Rational::int(e), BITS).unwrap();
            assert_eq!(back, q);
            assert!(m.to_f64().is_normal() && m.to_f64().abs() < 4.0, "{m}");
        }
    }

    #[test]
    fn normalises_sign_and_gcd() {
        assert_eq!(r(2, -4), r(-1, 2));
        assert_eq!(r(-3, -9).to_string(), "1/3");
    }

    #[test]
    fn the_edges_of_i64_stay_exact() {
        let min = Rational::int(i64::MIN);
        assert_eq!(r(i64::MIN, 1), min);
        assert_eq!(r(i64::MIN, -1).to_string(), "9223372036854775808");
        assert_eq!(r(1, i64::MIN).to_string(), "-1/9223372036854775808");
        assert_eq!(r(i64::MIN, i64::MIN), Rational::ONE);
        assert_eq!(r(i64::MIN, 6).to_string(), "-4611686018427387904/3");
        assert_eq!((&min - &min), Rational::ZERO);
        assert_eq!(min.gcd(&min).to_string(), "9223372036854775808");
        assert_eq!(min.gcd(&Rational::int(6)), Rational::int(2));
        let tiny = r(1, i64::MAX);
        assert_eq!(
            tiny.gcd(&r(1, i64::MAX - 1)).to_string(),
            format!("1/{}", (i64::MAX as i128) * (i64::MAX as i128 - 1))
        );
    }

    #[test]
    fn overflowing_products_switch_to_big_and_back() {
        let big = &Rational::int(i64::MAX) * &Rational::int(i64::MAX);
        assert_eq!(big.to_string(), "85070591730234615847396907784232501249");
        let back = big.checked_div(&Rational::int(i64::MAX)).unwrap();
        assert_eq!(back, Rational::int(i64::MAX));
    }

    #[test]
    fn gcd_of_rationals() {
        assert_eq!(r(4, 3).gcd(&r(2, 5)), r(2, 15));
        assert_eq!(r(-6, 1).gcd(&r(4, 1)), r(2, 1));
        assert_eq!(Rational::ZERO.gcd(&r(3, 7)), r(3, 7));
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(Rational::parse_decimal("0.1", 100).unwrap(), r(1, 10));
        assert_eq!(Rational::parse_decimal(".5", 100).unwrap(), r(1, 2));
        assert_eq!(Rational::parse_decimal("1e-3", 100).unwrap(), r(1, 1000));
        assert_eq!(Rational::parse_decimal("2.5E4", 100).unwrap(), r(25000, 1));
        assert!(Rational::parse_decimal("1e1000", 100).is_none());
        // Factors 2 and 5 cancel against the power of ten without a general gcd.
        assert_eq!(Rational::parse_decimal("7.5e-2", 100).unwrap(), r(3, 40));
        assert_eq!(
            Rational::parse_decimal("0.000", 100).unwrap(),
            Rational::ZERO
        );
        let five_30 = 5i64.pow(27) as i128 * 125;
        let text = format!("{five_30}e-31");
        assert_eq!(
            Rational::parse_decimal(&text, 100).unwrap(),
            r(1, 2i64.pow(30) * 10)
        );
    }

    #[test]
    fn big_arithmetic_stays_in_lowest_terms() {
        let big =
            |n: &str, d: &str| Rational::from_big(n.parse().unwrap(), d.parse().unwrap()).unwrap();
        let third = big("1", "300000000000000000000000000000");
        let sixth = big("1", "600000000000000000000000000000");
        // Henrici addition with a common factor: 1/(3c) + 1/(6c) = 1/(2c).
        assert_eq!(&third + &sixth, big("1", "200000000000000000000000000000"));
        assert_eq!(&third - &third, Rational::ZERO);
        // Crosswise cancellation in products, down to the small representation.
        let x = big("600000000000000000000000000000", "7");
        assert_eq!(&x * &sixth, r(1, 7));
        assert_eq!(&(&x * &third) * &r(7, 2), r(1, 1));
        assert_eq!(
            gcd_big(&"12".parse().unwrap(), &"-18".parse().unwrap()),
            6.into()
        );
        let huge: BigInt = num_traits::pow::Pow::pow(BigInt::from(10), 500u32);
        assert_eq!(gcd_big(&huge, &(&huge / 1000 * 3)), &huge / 1000);
        assert_eq!(gcd_big(&huge, &BigInt::zero()), huge);
    }

    #[test]
    fn lehmer_gcd_agrees_with_the_binary_gcd() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..200 {
            let mut number = |words: usize| {
                let digits: Vec<u64> = (0..words).map(|_| next()).collect();
                BigUint::from_slice(
                    &digits
                        .iter()
                        .flat_map(|d| [*d as u32, (d >> 32) as u32])
                        .collect::<Vec<_>>(),
                )
            };
            let common = number(1 + round % 5);
            let a = number(2 + round % 13) * &common;
            let b = number(1 + round % 11) * &common;
            assert_eq!(lehmer_gcd(a.clone(), b.clone()), a.gcd(&b), "round {round}");
        }
    }

    #[test]
    fn exact_roots() {
        assert_eq!(r(8, 27).exact_root(3), Some(r(2, 3)));
        assert_eq!(r(-8, 1).exact_root(3), Some(r(-2, 1)));
        assert_eq!(r(-4, 1).exact_root(2), None);
        assert_eq!(r(2, 1).exact_root(2), None);
    }

    #[test]
    fn powers_respect_the_size_limit() {
        assert_eq!(r(2, 3).pow(&r(-2, 1), BITS), Some(r(9, 4)));
        assert_eq!(Rational::ZERO.pow(&r(-1, 1), BITS), None);
        assert_eq!(r(2, 1).pow(&Rational::int(i64::MAX), BITS), None);
        assert_eq!(r(2, 1).pow(&r(100, 1), 64), None);
        assert_eq!(r(-1, 1).pow(&Rational::int(i64::MAX), BITS), Some(r(-1, 1)));
    }

    #[test]
    fn big_values_convert_to_f64() {
        let big = r(10, 1).pow(&r(400, 1), BITS).unwrap();
        let ratio = big
            .checked_div(&r(10, 1).pow(&r(399, 1), BITS).unwrap())
            .unwrap();
        assert_eq!(ratio.to_f64(), 10.0);
        assert!((big.recip().unwrap().to_f64()).abs() < 1e-300);
    }
}
