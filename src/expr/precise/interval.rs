//! Interval arithmetic on astro-float's binary floats: each bound rounded outwards, the
//! arithmetic operations, functions monotone on an interval, integer powers.

use astro_float::{BigFloat, Consts, Sign, WORD_BIT_SIZE, Word};
use num_bigint::BigInt;

use crate::expr::ExprId;
use crate::expr::rational::Rational;

use super::eval::Evaluator;
use super::{RM, Stop};

/// A closed interval `[lo, hi]` that holds a value.
#[derive(Clone, Debug)]
pub(crate) struct Interval {
    pub(super) lo: BigFloat,
    pub(super) hi: BigFloat,
}

pub(super) fn less(a: &BigFloat, b: &BigFloat) -> bool {
    a.cmp(b).is_some_and(|c| c < 0)
}

pub(super) fn min(a: BigFloat, b: BigFloat) -> BigFloat {
    if less(&b, &a) { b } else { a }
}

pub(super) fn max(a: BigFloat, b: BigFloat) -> BigFloat {
    if less(&a, &b) { b } else { a }
}

pub(super) fn is_positive(a: &BigFloat) -> bool {
    a.is_positive() && !a.is_zero()
}

pub(super) fn is_negative(a: &BigFloat) -> bool {
    a.is_negative() && !a.is_zero()
}

/// `2^k` exactly.
pub(super) fn power_of_two(k: i64) -> Option<BigFloat> {
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
pub(super) fn integer(n: &BigInt) -> BigFloat {
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
pub(super) fn to_f64(x: &BigFloat) -> f64 {
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

impl Evaluator<'_> {
    pub(super) fn point(&self, x: BigFloat) -> Interval {
        Interval {
            lo: x.clone(),
            hi: x,
        }
    }

    /// The bounds of a computed value `r`: `r` itself when the operation was exact.
    pub(super) fn around(&self, r: BigFloat, trust_exact: bool) -> Result<Interval, Stop> {
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

    pub(super) fn lower(&self, r: BigFloat, trust_exact: bool) -> Result<BigFloat, Stop> {
        Ok(self.around(r, trust_exact)?.lo)
    }

    pub(super) fn upper(&self, r: BigFloat, trust_exact: bool) -> Result<BigFloat, Stop> {
        Ok(self.around(r, trust_exact)?.hi)
    }

    pub(super) fn number(&self, q: &Rational) -> Result<Interval, Stop> {
        let (num, den) = (integer(&q.numer()), integer(&q.denom()));
        if q.is_integer() {
            return Ok(self.point(num));
        }
        self.around(num.div(&den, self.p, RM), true)
    }

    pub(super) fn pi(&mut self) -> Result<Interval, Stop> {
        let pi = self.cc.pi(self.p, RM);
        self.around(pi, false)
    }

    pub(super) fn add(&self, a: &Interval, b: &Interval) -> Result<Interval, Stop> {
        Ok(Interval {
            lo: self.lower(a.lo.add(&b.lo, self.p, RM), true)?,
            hi: self.upper(a.hi.add(&b.hi, self.p, RM), true)?,
        })
    }

    pub(super) fn neg(&self, a: &Interval) -> Interval {
        Interval {
            lo: a.hi.neg(),
            hi: a.lo.neg(),
        }
    }

    pub(super) fn sub(&self, a: &Interval, b: &Interval) -> Result<Interval, Stop> {
        self.add(a, &self.neg(b))
    }

    pub(super) fn mul(&self, a: &Interval, b: &Interval) -> Result<Interval, Stop> {
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
    pub(super) fn recip(&self, a: &Interval, node: ExprId) -> Result<Interval, Stop> {
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
    pub(super) fn increasing(
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

    pub(super) fn decreasing(
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

    pub(super) fn abs(&self, a: &Interval) -> Interval {
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
    pub(super) fn powi(&self, a: &Interval, n: usize) -> Result<Interval, Stop> {
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
}
