//! The functions over intervals: exponentials and logarithms, powers and roots, the
//! trigonometric functions, erf, every built-in function, atan2.

use astro_float::{BigFloat, WORD_BIT_SIZE};
use num_bigint::BigInt;

use crate::expr::ExprId;
use crate::expr::func::Func;
use crate::expr::rational::Rational;

use super::eval::Evaluator;
use super::interval::{Interval, is_negative, is_positive, less, max, min, power_of_two, to_f64};
use super::{RM, Stop};

impl Evaluator<'_> {
    pub(super) fn exp(&mut self, a: &Interval) -> Result<Interval, Stop> {
        self.increasing(a, |x, p, cc| x.exp(p, RM, cc))
    }

    pub(super) fn ln(&mut self, a: &Interval, node: ExprId) -> Result<Interval, Stop> {
        if !is_positive(&a.hi) {
            return Err(Stop::Undefined(node));
        }
        if !is_positive(&a.lo) {
            return Err(Stop::Undecided);
        }
        self.increasing(a, |x, p, cc| x.ln(p, RM, cc))
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

    pub(super) fn pow(
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
    pub(super) fn sin(&mut self, a: &Interval) -> Result<Interval, Stop> {
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

    pub(super) fn cos(&mut self, a: &Interval) -> Result<Interval, Stop> {
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

    pub(super) fn call(
        &mut self,
        node: ExprId,
        func: Func,
        a: &Interval,
    ) -> Result<Interval, Stop> {
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
    pub(super) fn atan2(
        &mut self,
        node: ExprId,
        y: &Interval,
        x: &Interval,
    ) -> Result<Interval, Stop> {
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
}
