//! Rigorous numeric evaluation of expressions whose variables have exact values: interval
//! arithmetic on arbitrary-precision binary floats ([`astro_float`]), each operation
//! rounded outwards, with the precision raised until a sign, a domain question or the
//! digits of a decimal are decided, up to a cap past which the answer is "cannot decide".
//!
//! Every interval holds the true value. astro-float rounds each operation to nearest
//! (correctly, it documents); the bounds are widened by two units in the last place around
//! every inexact result, so they hold even for a result off by one unit.

mod eval;
mod functions;
mod interval;

use astro_float::{BigFloat, Consts, RoundingMode, WORD_BIT_SIZE};
#[cfg(test)]
use num_bigint::BigInt;
use rustc_hash::FxHashMap;

#[cfg(test)]
use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::{ExprId, Pool, SymbolId};

use eval::Evaluator;
#[cfg(test)]
use interval::integer;
use interval::{Interval, is_negative, is_positive, less, max, to_f64};

/// Rounding of each operation before its result is widened.
const RM: RoundingMode = RoundingMode::ToEven;
/// The first working precision, in bits (about 38 digits).
const START_BITS: usize = 128;
/// The largest working precision, in bits (about 2,500 digits).
const MAX_BITS: usize = 1 << 13;

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
