//! Rigorous numeric evaluation of expressions whose variables have exact values: interval
//! arithmetic on arbitrary-precision binary floats ([`astro_float`]), each operation
//! rounded outwards, with the precision raised until a sign, a domain question or the
//! digits of a decimal are decided, up to a cap past which the answer is "cannot decide".
//!
//! Every interval holds the true value. astro-float rounds each operation to nearest
//! (correctly, it documents); the bounds are widened by two units in the last place around
//! every inexact result, so they hold even for a result off by one unit.

use astro_float::{BigFloat, Consts, RoundingMode, Sign, WORD_BIT_SIZE, Word};
use num_bigint::BigInt;
use rustc_hash::FxHashMap;

use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Node, Pool, SymbolId};

/// Rounding of each operation before its result is widened.
const RM: RoundingMode = RoundingMode::ToEven;
/// The first working precision, in bits (about 38 digits).
const START_BITS: usize = 128;
/// The largest working precision, in bits (about 2,500 digits).
const MAX_BITS: usize = 1 << 13;

/// A closed interval `[lo, hi]` that holds a value.
#[derive(Clone, Debug)]
pub(crate) struct Interval {
    lo: BigFloat,
    hi: BigFloat,
}

/// Why an interval could not be found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The node (of the expression evaluated) is surely outside the real domain:
    /// `ln(-1)`, `sqrt(-2)`, `1/0`.
    Undefined(ExprId),
    /// Not decided at this precision: an argument straddles the edge of a domain or a
    /// pole, or a value left the exponent range.
    Undecided,
    /// No numeric value: a variable without a value, an unknown function, an unevaluated
    /// derivative.
    NotNumeric,
    /// A value beyond the exponent range (about `2^±2^31`): finite, but too large or
    /// small to bound.
    Overflow,
    /// The pool's time limit passed before the precision sufficed.
    OutOfTime,
}

/// A decimal approximation, right to the digits it shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Decimal {
    /// The text: `0.5403023058681398`, `-1.0339757656912846e-26`, `1.9700711140170469e434`,
    /// or `0.92 ± 2.1e-2` where fewer digits could be made sure of.
    pub text: String,
    /// The nearest `f64`, when every digit of the text is sure and the value is within
    /// `f64`'s range.
    pub value: Option<f64>,
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

fn less(a: &BigFloat, b: &BigFloat) -> bool {
    a.cmp(b).is_some_and(|c| c < 0)
}

fn min(a: BigFloat, b: BigFloat) -> BigFloat {
    if less(&b, &a) { b } else { a }
}

fn max(a: BigFloat, b: BigFloat) -> BigFloat {
    if less(&a, &b) { b } else { a }
}

fn is_positive(a: &BigFloat) -> bool {
    a.is_positive() && !a.is_zero()
}

fn is_negative(a: &BigFloat) -> bool {
    a.is_negative() && !a.is_zero()
}

/// `2^k` exactly.
fn power_of_two(k: i64) -> Option<BigFloat> {
    let mut one = BigFloat::from_word(1, WORD_BIT_SIZE);
    // `1` is `0.1b * 2^1`.
    let e = i32::try_from(k.checked_add(1)?).ok()?;
    one.set_exponent(e);
    (!one.is_nan()).then_some(one)
}

/// A non-negative integer's words, least significant first, as astro-float stores them.
fn words(magnitude: &BigInt) -> Vec<Word> {
    let per_word = WORD_BIT_SIZE / 32;
    magnitude
        .magnitude()
        .to_u32_digits()
        .chunks(per_word)
        .map(|chunk| {
            chunk.iter().rev().fold(0 as Word, |acc, &d| {
                acc.checked_shl(32).unwrap_or(0) | d as Word
            })
        })
        .collect()
}

/// An integer exactly.
fn integer(n: &BigInt) -> BigFloat {
    let words = words(n);
    if words.is_empty() {
        return BigFloat::from_word(0, WORD_BIT_SIZE);
    }
    let sign = if n.sign() == num_bigint::Sign::Minus {
        Sign::Neg
    } else {
        Sign::Pos
    };
    let bits = i32::try_from(words.len() * WORD_BIT_SIZE).unwrap_or(i32::MAX);
    BigFloat::from_words(&words, sign, bits)
}

/// `x` as the nearest-below-or-equal `f64` in magnitude steps: a monotone map (so equal
/// images of two bounds are the image of everything between), infinite or zero outside
/// `f64`'s range.
fn to_f64(x: &BigFloat) -> f64 {
    if x.is_zero() {
        return 0.0;
    }
    let (Some(digits), Some(e)) = (x.mantissa_digits(), x.exponent()) else {
        return f64::NAN;
    };
    let Some(&top) = digits.last() else {
        return 0.0;
    };
    let magnitude =
        crate::expr::eval::scale_by_power_of_two(top as f64, i64::from(e) - WORD_BIT_SIZE as i64);
    if x.is_negative() {
        -magnitude
    } else {
        magnitude
    }
}

/// An `f64` as shown: plainly between 1e-5 and 1e16, in exponent form beyond.
fn show_f64(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if (1e-5..1e16).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// The evaluation of one expression at one precision.
struct Evaluator<'a> {
    pool: &'a Pool,
    p: usize,
    cc: Consts,
    values: &'a FxHashMap<SymbolId, Rational>,
}

impl Evaluator<'_> {
    fn point(&self, x: BigFloat) -> Interval {
        Interval {
            lo: x.clone(),
            hi: x,
        }
    }

    /// The bounds of a computed value `r`: `r` itself when the operation was exact.
    fn around(&self, r: BigFloat, trust_exact: bool) -> Result<Interval, Stop> {
        if r.is_inf() {
            return Err(Stop::Overflow);
        }
        if r.is_nan() {
            return Err(Stop::Undecided);
        }
        if r.is_zero() && (!trust_exact || r.inexact()) {
            // Perhaps an underflow: a value too small for the exponent range.
            let tiny = BigFloat::min_positive(WORD_BIT_SIZE);
            return Ok(Interval {
                lo: tiny.neg(),
                hi: tiny,
            });
        }
        if r.is_zero() || (trust_exact && !r.inexact()) {
            return Ok(self.point(r));
        }
        let (Some(e), Some(bits)) = (r.exponent(), r.mantissa_max_bit_len()) else {
            return Err(Stop::Undecided);
        };
        // Two units in the last place: `r` is `0.1… * 2^e` with `bits` bits.
        let eps = power_of_two(i64::from(e) - bits as i64 + 1).ok_or(Stop::Undecided)?;
        let (lo, hi) = (r.sub_full_prec(&eps), r.add_full_prec(&eps));
        if lo.is_nan() || hi.is_nan() {
            return Err(Stop::Undecided);
        }
        Ok(Interval { lo, hi })
    }

    fn lower(&self, r: BigFloat, trust_exact: bool) -> Result<BigFloat, Stop> {
        Ok(self.around(r, trust_exact)?.lo)
    }

    fn upper(&self, r: BigFloat, trust_exact: bool) -> Result<BigFloat, Stop> {
        Ok(self.around(r, trust_exact)?.hi)
    }

    fn number(&self, q: &Rational) -> Result<Interval, Stop> {
        let (num, den) = (integer(&q.numer()), integer(&q.denom()));
        if q.is_integer() {
            return Ok(self.point(num));
        }
        self.around(num.div(&den, self.p, RM), true)
    }

    fn pi(&mut self) -> Result<Interval, Stop> {
        let pi = self.cc.pi(self.p, RM);
        self.around(pi, false)
    }

    fn add(&self, a: &Interval, b: &Interval) -> Result<Interval, Stop> {
        Ok(Interval {
            lo: self.lower(a.lo.add(&b.lo, self.p, RM), true)?,
            hi: self.upper(a.hi.add(&b.hi, self.p, RM), true)?,
        })
    }

    fn neg(&self, a: &Interval) -> Interval {
        Interval {
            lo: a.hi.neg(),
            hi: a.lo.neg(),
        }
    }

    fn sub(&self, a: &Interval, b: &Interval) -> Result<Interval, Stop> {
        self.add(a, &self.neg(b))
    }

    fn mul(&self, a: &Interval, b: &Interval) -> Result<Interval, Stop> {
        let mut lo: Option<BigFloat> = None;
        let mut hi: Option<BigFloat> = None;
        for x in [&a.lo, &a.hi] {
            for y in [&b.lo, &b.hi] {
                let bounds = self.around(x.mul(y, self.p, RM), true)?;
                lo = Some(match lo {
                    Some(lo) => min(lo, bounds.lo),
                    None => bounds.lo,
                });
                hi = Some(match hi {
                    Some(hi) => max(hi, bounds.hi),
                    None => bounds.hi,
                });
            }
        }
        match (lo, hi) {
            (Some(lo), Some(hi)) => Ok(Interval { lo, hi }),
            _ => Err(Stop::Undecided),
        }
    }

    /// `1/a`; `1/0` is undefined at `node`.
    fn recip(&self, a: &Interval, node: ExprId) -> Result<Interval, Stop> {
        if a.lo.is_zero() && a.hi.is_zero() {
            return Err(Stop::Undefined(node));
        }
        if !(is_positive(&a.lo) || is_negative(&a.hi)) {
            return Err(Stop::Undecided);
        }
        let one = BigFloat::from_word(1, WORD_BIT_SIZE);
        Ok(Interval {
            lo: self.lower(one.div(&a.hi, self.p, RM), true)?,
            hi: self.upper(one.div(&a.lo, self.p, RM), true)?,
        })
    }

    /// A function increasing on the interval, through its value at each end.
    fn increasing(
        &mut self,
        a: &Interval,
        f: impl Fn(&BigFloat, usize, &mut Consts) -> BigFloat,
    ) -> Result<Interval, Stop> {
        let lo = f(&a.lo, self.p, &mut self.cc);
        let hi = f(&a.hi, self.p, &mut self.cc);
        Ok(Interval {
            lo: self.lower(lo, false)?,
            hi: self.upper(hi, false)?,
        })
    }

    fn decreasing(
        &mut self,
        a: &Interval,
        f: impl Fn(&BigFloat, usize, &mut Consts) -> BigFloat,
    ) -> Result<Interval, Stop> {
        let swapped = Interval {
            lo: a.hi.clone(),
            hi: a.lo.clone(),
        };
        self.increasing(&swapped, f)
    }

    fn exp(&mut self, a: &Interval) -> Result<Interval, Stop> {
        self.increasing(a, |x, p, cc| x.exp(p, RM, cc))
    }

    fn ln(&mut self, a: &Interval, node: ExprId) -> Result<Interval, Stop> {
        if !is_positive(&a.hi) {
            return Err(Stop::Undefined(node));
        }
        if !is_positive(&a.lo) {
            return Err(Stop::Undecided);
        }
        self.increasing(a, |x, p, cc| x.ln(p, RM, cc))
    }

    fn abs(&self, a: &Interval) -> Interval {
        if !is_negative(&a.lo) {
            a.clone()
        } else if !is_positive(&a.hi) {
            self.neg(a)
        } else {
            Interval {
                lo: BigFloat::from_word(0, WORD_BIT_SIZE),
                hi: max(a.lo.abs(), a.hi.abs()),
            }
        }
    }

    /// `a^n` for a positive integer `n`.
    fn powi(&self, a: &Interval, n: usize) -> Result<Interval, Stop> {
        let power = |x: &BigFloat| x.powi(n, self.p, RM);
        if n % 2 == 1 || !is_negative(&a.lo) {
            return Ok(Interval {
                lo: self.lower(power(&a.lo), true)?,
                hi: self.upper(power(&a.hi), true)?,
            });
        }
        let m = self.abs(a);
        Ok(Interval {
            lo: self.lower(power(&m.lo), true)?,
            hi: self.upper(power(&m.hi), true)?,
        })
    }

    /// `b^e` for `b > 0`, as `exp(e*ln(b))`.
    fn general_pow(&mut self, b: &Interval, e: &Interval, node: ExprId) -> Result<Interval, Stop> {
        let log = self.ln(b, node)?;
        let product = self.mul(e, &log)?;
        self.exp(&product)
    }

    /// `b^(p/q)` for a fraction `p/q` in lowest terms, `q > 1`.
    fn root_pow(&mut self, b: &Interval, q: &Rational, node: ExprId) -> Result<Interval, Stop> {
        let den = q.denom();
        let odd_den = q.has_odd_denom();
        let positive = !q.is_negative();
        // `|b|^(p/q)`, from roots where the root is square or cube.
        let magnitude = |this: &mut Self, m: &Interval| -> Result<Interval, Stop> {
            if m.lo.is_zero() && m.hi.is_zero() {
                return if positive {
                    Ok(m.clone())
                } else {
                    Err(Stop::Undefined(node))
                };
            }
            let root = if den == BigInt::from(2) {
                Some(this.increasing(m, |x, p, _| x.sqrt(p, RM))?)
            } else if den == BigInt::from(3) {
                Some(this.increasing(m, |x, p, _| x.cbrt(p, RM))?)
            } else {
                None
            };
            let numer = q.numer();
            match (root, usize::try_from(numer.magnitude()).ok()) {
                (Some(root), Some(k)) if k <= 1 << 20 => {
                    let power = this.powi(&root, k)?;
                    if positive {
                        Ok(power)
                    } else {
                        this.recip(&power, node)
                    }
                }
                _ => {
                    if !is_positive(&m.lo) {
                        // `0^(p/q)` with positive exponent is 0: the lower bound.
                        let upper = Interval {
                            lo: m.hi.clone(),
                            hi: m.hi.clone(),
                        };
                        if !positive {
                            return Err(Stop::Undecided);
                        }
                        let e = this.number(q)?;
                        let top = this.general_pow(&upper, &e, node)?;
                        return Ok(Interval {
                            lo: BigFloat::from_word(0, WORD_BIT_SIZE),
                            hi: top.hi,
                        });
                    }
                    let e = this.number(q)?;
                    this.general_pow(m, &e, node)
                }
            }
        };
        if !is_negative(&b.lo) {
            return magnitude(self, b);
        }
        if !odd_den {
            // An even root of a negative number is not real.
            return if is_negative(&b.hi) {
                Err(Stop::Undefined(node))
            } else {
                Err(Stop::Undecided)
            };
        }
        let odd_numer = q.has_odd_numer();
        if !is_positive(&b.hi) {
            // `b <= 0`: `|b|^(p/q)`, negated for an odd numerator.
            let m = magnitude(self, &self.neg(b))?;
            return Ok(if odd_numer { self.neg(&m) } else { m });
        }
        if !positive {
            return Err(Stop::Undecided);
        }
        // Across zero: increasing for an odd numerator, else 0 at the bottom.
        let low = magnitude(self, &self.neg(&self.point(b.lo.clone())))?;
        let high = magnitude(self, &self.point(b.hi.clone()))?;
        Ok(if odd_numer {
            Interval {
                lo: low.hi.neg(),
                hi: high.hi,
            }
        } else {
            Interval {
                lo: BigFloat::from_word(0, WORD_BIT_SIZE),
                hi: max(low.hi, high.hi),
            }
        })
    }

    fn pow(
        &mut self,
        node: ExprId,
        base: ExprId,
        exp: ExprId,
        b: &Interval,
        e: &Interval,
    ) -> Result<Interval, Stop> {
        if base == ExprId::E {
            return self.exp(e);
        }
        match self.pool.as_num(exp) {
            Some(q) if q.is_integer() => {
                let n = q.numer();
                match usize::try_from(n.magnitude()).ok() {
                    Some(k) if k <= 1 << 24 => {
                        let power = self.powi(b, k)?;
                        if q.is_negative() {
                            self.recip(&power, node)
                        } else {
                            Ok(power)
                        }
                    }
                    _ => {
                        // A huge integer power: through `|b|`, with the sign of an odd one.
                        let m = self.abs(b);
                        if !is_positive(&m.lo) {
                            return Err(Stop::Undecided);
                        }
                        let power = self.general_pow(&m, e, node)?;
                        if !q.is_even_integer() && is_negative(&b.hi) {
                            Ok(self.neg(&power))
                        } else if !q.is_even_integer() && !is_positive(&b.lo) {
                            Err(Stop::Undecided)
                        } else {
                            Ok(power)
                        }
                    }
                }
            }
            Some(q) => {
                let q = q.clone();
                self.root_pow(b, &q, node)
            }
            None => {
                if b.lo.is_zero() && b.hi.is_zero() && is_positive(&e.lo) {
                    return Ok(b.clone());
                }
                if is_negative(&b.hi) {
                    return Err(Stop::Undefined(node));
                }
                if !is_positive(&b.lo) {
                    return Err(Stop::Undecided);
                }
                self.general_pow(b, e, node)
            }
        }
    }

    /// `sin` over an interval: the values at the ends, and ±1 where a peak lies between.
    fn sin(&mut self, a: &Interval) -> Result<Interval, Stop> {
        let one = BigFloat::from_word(1, WORD_BIT_SIZE);
        let whole = Interval {
            lo: one.neg(),
            hi: one.clone(),
        };
        // An argument past 2^p cannot be reduced by pi at this precision: no peak could be
        // ruled out anyway, and the sine of a huge number is slow to compute.
        let huge = |x: &BigFloat| x.exponent().is_some_and(|e| e > self.p as i32 - 16);
        if huge(&a.lo) || huge(&a.hi) {
            return Ok(whole);
        }
        // Bounds at both ends, whichever is larger.
        let (s_lo, s_hi) = (
            a.lo.sin(self.p, RM, &mut self.cc),
            a.hi.sin(self.p, RM, &mut self.cc),
        );
        let (at_lo, at_hi) = (self.around(s_lo, false)?, self.around(s_hi, false)?);
        let mut lo = min(at_lo.lo, at_hi.lo);
        let mut hi = max(at_lo.hi, at_hi.hi);
        // The peaks `pi/2 + k*pi` (value `(-1)^k`) with `k` between these bounds.
        let pi = self.pi()?;
        let inverse = self.recip(&pi, ExprId::PI)?;
        let half = Interval {
            lo: power_of_two(-1).ok_or(Stop::Undecided)?,
            hi: power_of_two(-1).ok_or(Stop::Undecided)?,
        };
        let from = self.sub(&self.mul(&self.point(a.lo.clone()), &inverse)?, &half)?;
        let to = self.sub(&self.mul(&self.point(a.hi.clone()), &inverse)?, &half)?;
        let first = from.lo.ceil();
        let last = to.hi.floor();
        if first.is_nan() || last.is_nan() {
            return Err(Stop::Undecided);
        }
        if !less(&last, &first) {
            if less(&first, &last) {
                return Ok(whole);
            }
            let half_k = first.mul(
                &half.lo,
                first.mantissa_max_bit_len().unwrap_or(self.p) + WORD_BIT_SIZE,
                RM,
            );
            if half_k.is_int() {
                hi = one;
            } else {
                lo = one.neg();
            }
        }
        Ok(Interval {
            lo: max(lo, whole.lo),
            hi: min(hi, whole.hi),
        })
    }

    fn cos(&mut self, a: &Interval) -> Result<Interval, Stop> {
        let pi = self.pi()?;
        let half = Interval {
            lo: power_of_two(-1).ok_or(Stop::Undecided)?,
            hi: power_of_two(-1).ok_or(Stop::Undecided)?,
        };
        let shift = self.mul(&pi, &half)?;
        let shifted = self.add(a, &shift)?;
        self.sin(&shifted)
    }

    /// `erf` at one point: its series, or `1 - erfc` within erfc's bound far out.
    fn erf_point(&mut self, x: &BigFloat) -> Result<Interval, Stop> {
        if x.is_zero() {
            return Ok(self.point(x.clone()));
        }
        let negative = x.is_negative();
        let ax = self.point(x.abs());
        let magnitude = to_f64(&x.abs());
        let squared = magnitude * magnitude;
        let one = self.point(BigFloat::from_word(1, WORD_BIT_SIZE));
        let sqrt_pi = {
            let pi = self.pi()?;
            self.increasing(&pi, |x, p, _| x.sqrt(p, RM))?
        };
        let value = if squared > 0.7 * self.p as f64 + 10.0 {
            // 0 < erfc(x) < exp(-x^2)/(x*sqrt(pi)) for x > 0.
            let x2 = self.mul(&ax, &ax)?;
            let tail = self.exp(&self.neg(&x2))?;
            let denominator = self.mul(&ax, &sqrt_pi)?;
            let inverse = self.recip(&denominator, ExprId::UNDEFINED)?;
            let bound = self.mul(&tail, &inverse)?;
            Interval {
                lo: self.lower(one.lo.sub(&bound.hi, self.p, RM), true)?,
                hi: one.hi,
            }
        } else {
            // The alternating series, with guard bits for its cancellation; past
            // n > x^2 its terms shrink, and the first left out bounds the rest.
            let saved = self.p;
            self.p = saved + (1.5 * squared) as usize + 64;
            let x2 = self.mul(&ax, &ax)?;
            let minus_x2 = self.neg(&x2);
            let mut term = ax.clone();
            let mut sum = ax.clone();
            let threshold = power_of_two(-(self.p as i64) - 8).ok_or(Stop::Undecided)?;
            let mut n: usize = 1;
            let result = loop {
                if n > 100_000 {
                    break Err(Stop::Undecided);
                }
                let factor = self.number(&Rational::from_bigint(BigInt::from(n)))?;
                let inverse = self.recip(&factor, ExprId::UNDEFINED)?;
                term = self.mul(&self.mul(&term, &minus_x2)?, &inverse)?;
                let odd = self.number(&Rational::from_bigint(BigInt::from(2 * n + 1)))?;
                let inverse = self.recip(&odd, ExprId::UNDEFINED)?;
                let add = self.mul(&term, &inverse)?;
                sum = self.add(&sum, &add)?;
                let size = max(add.lo.abs(), add.hi.abs());
                if (n as f64) > squared && less(&size, &threshold) {
                    let rest = Interval {
                        lo: size.neg(),
                        hi: size,
                    };
                    break self.add(&sum, &rest);
                }
                n += 1;
            };
            self.p = saved;
            let series = result?;
            let inverse = self.recip(&sqrt_pi, ExprId::UNDEFINED)?;
            let scaled = self.mul(&series, &inverse)?;
            let two = self.number(&Rational::from_bigint(BigInt::from(2)))?;
            self.mul(&scaled, &two)?
        };
        Ok(if negative { self.neg(&value) } else { value })
    }

    fn call(&mut self, node: ExprId, func: Func, a: &Interval) -> Result<Interval, Stop> {
        let one = BigFloat::from_word(1, WORD_BIT_SIZE);
        let zero = BigFloat::from_word(0, WORD_BIT_SIZE);
        // Within `[-1, 1]` (closed or open), surely outside, or undecided.
        let within_one = |a: &Interval, closed: bool| -> Result<(), Stop> {
            let minus_one = one.neg();
            let inside = if closed {
                !less(&a.lo, &minus_one) && !less(&one, &a.hi)
            } else {
                less(&minus_one, &a.lo) && less(&a.hi, &one)
            };
            let outside = if closed {
                less(&a.hi, &minus_one) || less(&one, &a.lo)
            } else {
                !less(&minus_one, &a.hi) || !less(&a.lo, &one)
            };
            if inside {
                Ok(())
            } else if outside {
                Err(Stop::Undefined(node))
            } else {
                Err(Stop::Undecided)
            }
        };
        match func {
            Func::Sin => self.sin(a),
            Func::Cos => self.cos(a),
            Func::Tan => {
                let (s, c) = (self.sin(a)?, self.cos(a)?);
                self.mul(&s, &self.recip(&c, node)?)
            }
            Func::Sec => {
                let c = self.cos(a)?;
                self.recip(&c, node)
            }
            Func::Csc => {
                let s = self.sin(a)?;
                self.recip(&s, node)
            }
            Func::Cot => {
                let (s, c) = (self.sin(a)?, self.cos(a)?);
                self.mul(&c, &self.recip(&s, node)?)
            }
            Func::Asin => {
                within_one(a, true)?;
                self.increasing(a, |x, p, cc| x.asin(p, RM, cc))
            }
            Func::Acos => {
                within_one(a, true)?;
                self.decreasing(a, |x, p, cc| x.acos(p, RM, cc))
            }
            Func::Atan => self.increasing(a, |x, p, cc| x.atan(p, RM, cc)),
            Func::Sinh => self.increasing(a, |x, p, cc| x.sinh(p, RM, cc)),
            Func::Cosh => {
                let m = self.abs(a);
                self.increasing(&m, |x, p, cc| x.cosh(p, RM, cc))
            }
            Func::Tanh => self.increasing(a, |x, p, cc| x.tanh(p, RM, cc)),
            Func::Asinh => self.increasing(a, |x, p, cc| x.asinh(p, RM, cc)),
            Func::Acosh => {
                if less(&a.hi, &one) {
                    return Err(Stop::Undefined(node));
                }
                if less(&a.lo, &one) {
                    return Err(Stop::Undecided);
                }
                self.increasing(a, |x, p, cc| x.acosh(p, RM, cc))
            }
            Func::Atanh => {
                within_one(a, false)?;
                self.increasing(a, |x, p, cc| x.atanh(p, RM, cc))
            }
            Func::Exp => self.exp(a),
            Func::Ln => self.ln(a, node),
            Func::Log10 | Func::Log2 => {
                let log = self.ln(a, node)?;
                let base = self.number(&Rational::from_bigint(BigInt::from(
                    if func == Func::Log10 { 10 } else { 2 },
                )))?;
                let log_base = self.ln(&base, node)?;
                self.mul(&log, &self.recip(&log_base, node)?)
            }
            Func::Abs => Ok(self.abs(a)),
            Func::Sign | Func::Step => {
                let (below, above) = if func == Func::Sign {
                    (one.neg(), one.clone())
                } else {
                    (zero.clone(), one.clone())
                };
                if is_positive(&a.lo) {
                    Ok(self.point(above))
                } else if is_negative(&a.hi) {
                    Ok(self.point(below))
                } else if a.lo.is_zero() && a.hi.is_zero() {
                    Ok(if func == Func::Sign {
                        self.point(zero)
                    } else {
                        self.point(power_of_two(-1).ok_or(Stop::Undecided)?)
                    })
                } else {
                    Err(Stop::Undecided)
                }
            }
            Func::Erf => {
                let lo = self.erf_point(&a.lo)?;
                let hi = self.erf_point(&a.hi)?;
                Ok(Interval {
                    lo: lo.lo,
                    hi: hi.hi,
                })
            }
            Func::Sigmoid => {
                // 1/(1 + exp(-a)), increasing.
                let e = self.exp(&self.neg(a))?;
                let denominator = self.add(&self.point(one), &e)?;
                self.recip(&denominator, node)
            }
            Func::Softplus => {
                // relu(a) + ln(1 + exp(-|a|)).
                let m = self.abs(a);
                let e = self.exp(&self.neg(&m))?;
                let tiny = power_of_two(-64).ok_or(Stop::Undecided)?;
                let log = if less(&e.hi, &tiny) {
                    // t - t^2/2 <= ln(1 + t) <= t for t >= 0: exact where 1 + t rounds to 1.
                    let square = self.mul(&e, &e)?;
                    let half = power_of_two(-1).ok_or(Stop::Undecided)?;
                    let half_square = self.mul(&square, &self.point(half))?;
                    Interval {
                        lo: self.lower(e.lo.sub(&half_square.hi, self.p, RM), true)?,
                        hi: e.hi,
                    }
                } else {
                    let inner = self.add(&self.point(one), &e)?;
                    self.ln(&inner, node)?
                };
                let relu = Interval {
                    lo: max(a.lo.clone(), zero.clone()),
                    hi: max(a.hi.clone(), zero),
                };
                self.add(&relu, &log)
            }
            Func::Relu => Ok(Interval {
                lo: max(a.lo.clone(), zero.clone()),
                hi: max(a.hi.clone(), zero),
            }),
            Func::Acot => {
                // atan(1/u), and pi/2 at 0 (a jump from -pi/2).
                if a.lo.is_zero() && a.hi.is_zero() {
                    return self.half_pi();
                }
                let r = self.recip(a, node)?;
                self.call(node, Func::Atan, &r)
            }
            Func::Asec | Func::Acsc | Func::Asech | Func::Acsch | Func::Acoth => {
                let inverse = match func {
                    Func::Asec => Func::Acos,
                    Func::Acsc => Func::Asin,
                    Func::Asech => Func::Acosh,
                    Func::Acsch => Func::Asinh,
                    _ => Func::Atanh,
                };
                let r = self.recip(a, node)?;
                self.call(node, inverse, &r)
            }
            Func::Sech | Func::Csch | Func::Coth => {
                let hyperbolic = match func {
                    Func::Sech => Func::Cosh,
                    Func::Csch => Func::Sinh,
                    _ => Func::Tanh,
                };
                let value = self.call(node, hyperbolic, a)?;
                self.recip(&value, node)
            }
            Func::Erfc => {
                let erf = self.call(node, Func::Erf, a)?;
                self.sub(&self.point(one), &erf)
            }
            Func::Expm1 => self.expm1(a),
            Func::Log1p => {
                let shifted = self.add(&self.point(one), a)?;
                self.ln(&shifted, node)
            }
            Func::Gelu => {
                // u*(1 + erf(u/sqrt(2)))/2
                let two = self.point(BigFloat::from_word(2, WORD_BIT_SIZE));
                let root = self.increasing(&two, |x, p, _| x.sqrt(p, RM))?;
                let scaled = self.mul(a, &self.recip(&root, node)?)?;
                let erf = self.call(node, Func::Erf, &scaled)?;
                let sum = self.add(&self.point(one), &erf)?;
                let half = power_of_two(-1).ok_or(Stop::Undecided)?;
                let product = self.mul(a, &sum)?;
                self.mul(&product, &self.point(half))
            }
            Func::Silu => {
                let sigmoid = self.call(node, Func::Sigmoid, a)?;
                self.mul(a, &sigmoid)
            }
            Func::Elu => {
                // Increasing: u above 0, exp(u) - 1 below.
                let below = |ev: &mut Self, x: &BigFloat| ev.expm1(&ev.point(x.clone()));
                let lo = if is_positive(&a.lo) {
                    a.lo.clone()
                } else {
                    below(self, &a.lo)?.lo
                };
                let hi = if is_positive(&a.hi) {
                    a.hi.clone()
                } else {
                    below(self, &a.hi)?.hi
                };
                Ok(Interval { lo, hi })
            }
        }
    }

    /// `exp(a) - 1`, each step bounded (so near 0 the precision is raised until it tells).
    fn expm1(&mut self, a: &Interval) -> Result<Interval, Stop> {
        let e = self.exp(a)?;
        let one = BigFloat::from_word(1, WORD_BIT_SIZE);
        self.sub(&e, &self.point(one))
    }

    fn half_pi(&mut self) -> Result<Interval, Stop> {
        let pi = self.pi()?;
        let half = power_of_two(-1).ok_or(Stop::Undecided)?;
        self.mul(&pi, &self.point(half))
    }

    /// `atan2(y, x)` in `(-pi, pi]`: `pi` on the negative x axis, undefined at the origin.
    fn atan2(&mut self, node: ExprId, y: &Interval, x: &Interval) -> Result<Interval, Stop> {
        let zero = |i: &Interval| i.lo.is_zero() && i.hi.is_zero();
        if is_positive(&x.lo) {
            let q = self.mul(y, &self.recip(x, node)?)?;
            return self.call(node, Func::Atan, &q);
        }
        if is_negative(&x.hi) {
            let q = self.mul(y, &self.recip(x, node)?)?;
            let t = self.call(node, Func::Atan, &q)?;
            let pi = self.pi()?;
            return if !is_negative(&y.lo) {
                self.add(&t, &pi)
            } else if is_negative(&y.hi) {
                self.sub(&t, &pi)
            } else {
                Err(Stop::Undecided)
            };
        }
        // x may be 0: pi/2 - atan(x/y) above the axis, -pi/2 - atan(x/y) below.
        if is_positive(&y.lo) || is_negative(&y.hi) {
            let q = self.mul(x, &self.recip(y, node)?)?;
            let t = self.call(node, Func::Atan, &q)?;
            let half_pi = self.half_pi()?;
            return if is_positive(&y.lo) {
                self.sub(&half_pi, &t)
            } else {
                let sum = self.add(&half_pi, &t)?;
                Ok(self.neg(&sum))
            };
        }
        if zero(x) && zero(y) {
            Err(Stop::Undefined(node))
        } else {
            Err(Stop::Undecided)
        }
    }

    /// The interval of `root`; the first node that fails stops it.
    fn eval(&mut self, root: ExprId) -> Result<Interval, Stop> {
        self.eval_nodes(root, false).0
    }

    /// The interval of `root`, and the nodes that fail by themselves (their arguments
    /// having values), in order, children first: all of them with `keep_going`, else the
    /// first.
    fn eval_nodes(
        &mut self,
        root: ExprId,
        keep_going: bool,
    ) -> (Result<Interval, Stop>, Vec<(ExprId, Stop)>) {
        let order = self.pool.reachable(root, |_| true);
        let mut value: FxHashMap<ExprId, Result<Interval, Stop>> = FxHashMap::default();
        let mut failures = Vec::new();
        for &id in &order {
            let children = self.pool.children(id);
            let inherited = children.iter().find_map(|c| match value.get(c) {
                Some(Ok(_)) => None,
                Some(Err(stop)) => Some(*stop),
                None => Some(Stop::NotNumeric),
            });
            let v = match inherited {
                Some(stop) => Err(stop),
                None => {
                    let own = self.node(id, &value);
                    if let Err(stop) = own
                        && stop != Stop::NotNumeric
                    {
                        failures.push((id, stop));
                        if !keep_going {
                            return (Err(stop), failures);
                        }
                    }
                    own
                }
            };
            value.insert(id, v);
        }
        let result = value.remove(&root).unwrap_or(Err(Stop::NotNumeric));
        (result, failures)
    }

    /// The interval of one node, its children's intervals in `value`.
    fn node(
        &mut self,
        id: ExprId,
        value: &FxHashMap<ExprId, Result<Interval, Stop>>,
    ) -> Result<Interval, Stop> {
        let of = |child: &ExprId| match value.get(child) {
            Some(Ok(i)) => Ok(i.clone()),
            Some(Err(stop)) => Err(*stop),
            None => Err(Stop::NotNumeric),
        };
        match self.pool.node(id) {
            Node::Undefined | Node::Derivative { .. } | Node::Apply { .. } => Err(Stop::NotNumeric),
            Node::Num(q) => self.number(q),
            Node::Const(Constant::Pi) => self.pi(),
            Node::Const(Constant::E) => {
                let e = self.cc.e(self.p, RM);
                self.around(e, false)
            }
            Node::Sym(symbol) => match self.values.get(symbol) {
                Some(x) => self.number(x),
                None => Err(Stop::NotNumeric),
            },
            Node::Add(ops) => {
                let mut sum = of(&ops[0])?;
                for op in &ops[1..] {
                    sum = self.add(&sum, &of(op)?)?;
                }
                Ok(sum)
            }
            Node::Mul(ops) => {
                let mut product = of(&ops[0])?;
                for op in &ops[1..] {
                    product = self.mul(&product, &of(op)?)?;
                }
                Ok(product)
            }
            Node::Pow([base, exp]) => {
                let (b, e) = (of(base)?, of(exp)?);
                self.pow(id, *base, *exp, &b, &e)
            }
            Node::Call(func, arg) => {
                let a = of(arg)?;
                self.call(id, *func, &a)
            }
            Node::Atan2([y, x]) => {
                let (y, x) = (of(y)?, of(x)?);
                self.atan2(id, &y, &x)
            }
            Node::Min(ops) | Node::Max(ops) => {
                let is_max = matches!(self.pool.node(id), Node::Max(_));
                let mut bounds = of(&ops[0])?;
                for op in &ops[1..] {
                    let next = of(op)?;
                    bounds = if is_max {
                        Interval {
                            lo: max(bounds.lo, next.lo),
                            hi: max(bounds.hi, next.hi),
                        }
                    } else {
                        Interval {
                            lo: min(bounds.lo, next.lo),
                            hi: min(bounds.hi, next.hi),
                        }
                    };
                }
                Ok(bounds)
            }
            Node::LogSumExp(ops) => {
                let mut sum = self.exp(&of(&ops[0])?)?;
                for op in &ops[1..] {
                    let term = self.exp(&of(op)?)?;
                    sum = self.add(&sum, &term)?;
                }
                self.ln(&sum, id)
            }
        }
    }
}

/// The working precisions tried, in order.
fn precisions() -> impl Iterator<Item = usize> {
    std::iter::successors(Some(START_BITS), |&p| (p < MAX_BITS).then_some(p * 2))
}

/// Whether `expr` is defined with its variables set to `values` (those without a value
/// are left alone): `Ok`, or the smallest node that is surely not ([`Stop::Undefined`]), or
/// one that even the largest precision cannot tell ([`Stop::Undecided`]). A value beyond
/// the exponent range counts as defined.
pub(crate) fn defined(
    pool: &Pool,
    expr: ExprId,
    values: &FxHashMap<SymbolId, Rational>,
) -> Result<(), (ExprId, Stop)> {
    let mut undecided = None;
    for p in precisions() {
        if pool.past_deadline() {
            return Err((expr, Stop::OutOfTime));
        }
        let Ok(cc) = Consts::new() else {
            break;
        };
        let mut ev = Evaluator {
            pool,
            p,
            cc,
            values,
        };
        let (_, failures) = ev.eval_nodes(expr, true);
        if let Some(&(node, _)) = failures
            .iter()
            .find(|(_, stop)| matches!(stop, Stop::Undefined(_)))
        {
            return Err((node, Stop::Undefined(node)));
        }
        undecided = failures
            .iter()
            .find(|(_, stop)| *stop == Stop::Undecided)
            .map(|&(node, _)| node);
        if undecided.is_none() {
            return Ok(());
        }
    }
    Err((undecided.unwrap_or(expr), Stop::Undecided))
}

/// The digits of an interval that are sure: the `f64` both bounds round to, or the same
/// for the value scaled by a power of ten when it is beyond `f64`'s range.
fn sure_digits(ev: &mut Evaluator<'_>, i: &Interval) -> Option<Decimal> {
    if i.lo.is_zero() && i.hi.is_zero() {
        return Some(Decimal {
            text: "0".into(),
            value: Some(0.0),
        });
    }
    if !(is_positive(&i.lo) || is_negative(&i.hi)) {
        return None;
    }
    let (lo, hi) = (to_f64(&i.lo), to_f64(&i.hi));
    let normal = |v: f64| v.is_finite() && v.abs() >= f64::MIN_POSITIVE;
    if normal(lo) && normal(hi) {
        return (lo == hi).then(|| Decimal {
            text: show_f64(lo),
            value: Some(lo),
        });
    }
    // Beyond f64: the digits of `value / 10^k` with `k` the decimal exponent.
    let e = i.lo.exponent().or(i.hi.exponent())?;
    let estimate = ((f64::from(e) - 1.0) * std::f64::consts::LOG10_2).floor() as i64;
    for k in [estimate, estimate + 1, estimate - 1] {
        let ten = ev.point(BigFloat::from_word(10, WORD_BIT_SIZE));
        let power = ev
            .powi(&ten, usize::try_from(k.unsigned_abs()).ok()?)
            .ok()?;
        let scaled = if k >= 0 {
            ev.mul(i, &ev.recip(&power, ExprId::UNDEFINED).ok()?).ok()?
        } else {
            ev.mul(i, &power).ok()?
        };
        let (lo, hi) = (to_f64(&scaled.lo), to_f64(&scaled.hi));
        if lo != hi || !lo.is_finite() {
            return None;
        }
        if (1.0..10.0).contains(&lo.abs()) {
            return Some(Decimal {
                text: format!("{lo}e{k}"),
                value: None,
            });
        }
    }
    None
}

/// A decimal approximation of a constant `expr`, right to every digit it shows: the
/// precision grows until the digits are sure; past the cap, the midpoint with its error
/// (`0.92 ± 2.1e-2`). `None` where the value is not a finite real number.
pub(crate) fn decimal(pool: &Pool, expr: ExprId) -> Option<Decimal> {
    let values = FxHashMap::default();
    let mut last = None;
    for p in precisions() {
        if pool.past_deadline() {
            break;
        }
        let cc = Consts::new().ok()?;
        let mut ev = Evaluator {
            pool,
            p,
            cc,
            values: &values,
        };
        match ev.eval(expr) {
            Ok(i) => {
                if let Some(decimal) = sure_digits(&mut ev, &i) {
                    return Some(decimal);
                }
                last = Some(i);
            }
            Err(Stop::Undecided) => {}
            Err(_) => return None,
        }
    }
    uncertain(&last?)
}

/// An interval whose digits could not be made sure: its midpoint and radius.
fn uncertain(i: &Interval) -> Option<Decimal> {
    let (lo, hi) = (to_f64(&i.lo), to_f64(&i.hi));
    let mid = lo / 2.0 + hi / 2.0;
    let radius = i.hi.sub(&i.lo, WORD_BIT_SIZE, RM);
    let f64_radius = to_f64(&radius);
    let radius = if f64_radius.is_normal() {
        // A little more covers the rounding of the midpoint.
        format!("{:.1e}", f64_radius * 1.01)
    } else {
        // Below f64's range: a power of ten above it.
        let e = radius.exponent()?;
        format!("1e{}", (f64::from(e) * std::f64::consts::LOG10_2).ceil())
    };
    mid.is_finite().then(|| Decimal {
        text: format!("{} ± {radius}", show_f64(mid)),
        value: None,
    })
}

/// How two expressions compare at one point.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Comparison {
    /// Equal to at least 30 significant digits (or exactly).
    Agree,
    /// Surely different: both values and their difference.
    Differ(Decimal, Decimal, Decimal),
    /// Not decided: a value is undefined, not numeric, or too close to tell.
    Unknown,
}

/// Compares `a` and `b` with the variables set to `values`, raising the precision until
/// they surely differ or agree to 30 significant digits.
pub(crate) fn compare_at(
    pool: &Pool,
    a: ExprId,
    b: ExprId,
    values: &FxHashMap<SymbolId, Rational>,
) -> Comparison {
    let mut differ: Option<[Interval; 3]> = None;
    for p in precisions() {
        if pool.past_deadline() {
            break;
        }
        let Ok(cc) = Consts::new() else {
            return Comparison::Unknown;
        };
        let mut ev = Evaluator {
            pool,
            p,
            cc,
            values,
        };
        let (x, y) = match (ev.eval(a), ev.eval(b)) {
            (Ok(x), Ok(y)) => (x, y),
            (Err(Stop::Undecided), _) | (_, Err(Stop::Undecided)) => continue,
            _ => return Comparison::Unknown,
        };
        let Ok(difference) = ev.sub(&x, &y) else {
            continue;
        };
        if is_positive(&difference.lo) || is_negative(&difference.hi) {
            // Surely different; the precision grows on only to make the digits sure.
            let shown = [&x, &y, &difference].map(|i| sure_digits(&mut ev, i));
            if let [Some(x), Some(y), Some(d)] = shown {
                return Comparison::Differ(x, y, d);
            }
            differ = Some([x, y, difference]);
            continue;
        }
        // Agreement: the difference is within 2^-100 (about 10^-30) of the larger value.
        let width = ev.upper(difference.hi.sub(&difference.lo, ev.p, RM), true);
        let scale = max(max(x.lo.abs(), x.hi.abs()), max(y.lo.abs(), y.hi.abs()));
        if let (Ok(width), Some(tolerance)) = (width, relative(&scale, -100))
            && !less(&tolerance, &width)
        {
            return Comparison::Agree;
        }
    }
    let shown = differ.map(|intervals| intervals.map(|i| uncertain(&i)));
    match shown {
        Some([Some(x), Some(y), Some(d)]) => Comparison::Differ(x, y, d),
        _ => Comparison::Unknown,
    }
}

/// `scale * 2^k` exactly (a zero scale stays zero).
fn relative(scale: &BigFloat, k: i64) -> Option<BigFloat> {
    if scale.is_zero() {
        return Some(scale.clone());
    }
    let mut r = scale.clone();
    let e = i64::from(r.exponent()?).checked_add(k)?;
    r.set_exponent(i32::try_from(e).ok()?);
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn shown(text: &str) -> Option<String> {
        let mut pool = Pool::new();
        let e = parse(&mut pool, text).unwrap();
        decimal(&pool, e).map(|d| d.text)
    }

    #[test]
    fn decimals_are_right_to_every_digit() {
        assert_eq!(
            shown("16*tanh(32)^2 - 16").unwrap(),
            "-1.0264389699511283e-26"
        );
        assert_eq!(shown("sin(1)").unwrap(), "0.8414709848078965");
        assert_eq!(shown("1/3").unwrap(), "0.3333333333333333");
        assert_eq!(shown("exp(1000)").unwrap(), "1.970071114017047e434");
        assert_eq!(shown("exp(-1000)").unwrap(), "5.075958897549457e-435");
        assert_eq!(shown("cos(10^100)").unwrap(), "-0.9280819050746554");
        assert_eq!(shown("sin(10^100)").unwrap(), "-0.3723761236612767");
        assert_eq!(shown("cosh(20)^2 - sinh(20)^2").unwrap(), "1");
        assert_eq!(shown("erf(1/2)").unwrap(), "0.5204998778130465");
        assert_eq!(shown("erf(7)").unwrap(), "1");
        assert_eq!(shown("2^(1/3)").unwrap(), "1.2599210498948732");
        assert_eq!(shown("(-8)^(1/3)").unwrap(), "-2");
        assert_eq!(
            shown("softplus(-10^6)").unwrap(),
            "3.2968314780885586e-434295"
        );
        assert!(
            shown("sigmoid(-800)")
                .unwrap()
                .starts_with("3.667874584177687")
        );
        assert_eq!(shown("f(1)"), None);
    }

    #[test]
    fn integers_convert_exactly() {
        for n in [0i64, 1, -5, 1 << 40, i64::MAX, -(1 << 62)] {
            let x = integer(&BigInt::from(n));
            assert_eq!(x.cmp(&BigFloat::from_i64(n, 128)), Some(0), "{n}");
        }
        let big = BigInt::from(10).pow(100);
        let x = integer(&big);
        assert_eq!(to_f64(&x), 1e100);
    }

    #[test]
    fn domains_are_decided() {
        let mut pool = Pool::new();
        let none = FxHashMap::default();
        let texts = [
            "ln(1 - e)",
            "acosh(pi - 3)",
            "acos(exp(2) + 2)",
            "sqrt(pi - 3)",
            "x + sin(ln(1 - e))",
            "ln(ln(6) - ln(2) - ln(3))",
        ];
        let [a, b, c, d, outer, zero] = texts.map(|t| parse(&mut pool, t).unwrap());
        for bad in [a, b, c] {
            assert_eq!(defined(&pool, bad, &none), Err((bad, Stop::Undefined(bad))));
        }
        assert_eq!(defined(&pool, d, &none), Ok(()));
        // The smallest part that is undefined, inside a larger expression.
        assert_eq!(defined(&pool, outer, &none), Err((a, Stop::Undefined(a))));
        // Zero that no precision can tell from 0.
        assert_eq!(defined(&pool, zero, &none), Err((zero, Stop::Undecided)));
    }

    #[test]
    fn every_function_matches_its_f64_value() {
        let mut pool = Pool::new();
        for func in Func::ALL {
            for x in ["-0.7", "-3/10", "0.4", "0.9", "1.5", "2.5", "7"] {
                let text = format!("{}({x})", func.name());
                let Ok(e) = parse(&mut pool, &text) else {
                    continue;
                };
                let Some(exact) = crate::expr::eval::eval_constant(&pool, e) else {
                    continue;
                };
                match decimal(&pool, e) {
                    Some(d) => {
                        let value = d.value.unwrap_or(f64::NAN);
                        let error = (value - exact).abs() / exact.abs().max(1e-300);
                        assert!(error < 1e-13, "{text}: {value} vs {exact}");
                    }
                    None => assert!(!exact.is_finite(), "{text}: no decimal, f64 {exact}"),
                }
            }
        }
    }

    #[test]
    fn sin_over_an_interval_holds_its_peaks() {
        let pool = Pool::new();
        let values = FxHashMap::default();
        let cc = Consts::new().unwrap();
        let mut ev = Evaluator {
            pool: &pool,
            p: 128,
            cc,
            values: &values,
        };
        let interval = |lo: i64, hi: i64| Interval {
            lo: BigFloat::from_i64(lo, 64),
            hi: BigFloat::from_i64(hi, 64),
        };
        // [1, 2] holds pi/2 (sin = 1); [4, 5] holds 3*pi/2 (sin = -1); [1, 5] both.
        let one = ev.sin(&interval(1, 2)).unwrap();
        assert_eq!(to_f64(&one.hi), 1.0);
        assert!((to_f64(&one.lo) - 2f64.sin().min(1f64.sin())).abs() < 1e-15);
        let minus = ev.sin(&interval(4, 5)).unwrap();
        assert_eq!(to_f64(&minus.lo), -1.0);
        let both = ev.sin(&interval(1, 5)).unwrap();
        assert_eq!((to_f64(&both.lo), to_f64(&both.hi)), (-1.0, 1.0));
        let cos = ev.cos(&interval(-1, 1)).unwrap();
        assert_eq!(to_f64(&cos.hi), 1.0);
    }
}
