//! Numerical proof of symbolic results: each result is compared with central finite
//! differences (Richardson-extrapolated) of what it is the derivative of, at several
//! pseudo-random points where both are defined; and a user's answer is compared with the
//! derivative, exactly or numerically.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::eval::eval;
use crate::expr::{ExprId, Pool, SymbolId};
use crate::subst::{Substitution, free_symbols};
use crate::together::together;

/// Points per check.
pub const POINTS: usize = 5;
/// The largest relative error a check accepts.
pub const TOLERANCE: f64 = 1e-6;

/// A claim to check: `value` is the derivative of `base` in `var` (at points where the
/// variables of `after` are first set to their replacements' values).
#[derive(Clone, Debug)]
pub struct Check {
    /// The result's name, for reports.
    pub label: String,
    /// The function differentiated numerically.
    pub base: ExprId,
    /// The differentiation variable.
    pub var: SymbolId,
    /// The symbolic derivative.
    pub value: ExprId,
    /// Constraints substituted after differentiating (`--explain`'s "subst. after").
    pub after: Option<Substitution>,
}

/// The outcome of checking several claims.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Claims checked at `POINTS` (5) points.
    pub checked: usize,
    /// Claims that could not be evaluated at any point (unknown functions, empty domain).
    pub unchecked: Vec<String>,
    /// The largest relative error seen.
    pub max_error: f64,
    /// The first failed claim: its label and a description of the point.
    pub failure: Option<String>,
}

/// Deterministic pseudo-random numbers (xorshift64), so that runs are reproducible.
pub struct Points(u64);

impl Points {
    /// A generator with a fixed seed.
    pub fn new() -> Points {
        Points(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A value for a variable: in `[0.3, 2.3)`, negative on every third attempt after the
    /// first few, so that both signs are tried where the domain allows.
    fn value(&mut self, attempt: usize) -> f64 {
        let magnitude = 0.3 + 2.0 * self.unit();
        if attempt >= 3 && self.unit() < 0.35 {
            -magnitude
        } else {
            magnitude
        }
    }

    /// Values for `symbols`.
    pub fn point(&mut self, symbols: &[SymbolId], attempt: usize) -> FxHashMap<SymbolId, f64> {
        symbols.iter().map(|&s| (s, self.value(attempt))).collect()
    }
}

impl Default for Points {
    fn default() -> Points {
        Points::new()
    }
}

/// The variables of several expressions, each once.
fn variables(pool: &Pool, exprs: &[ExprId]) -> Vec<SymbolId> {
    let mut seen = FxHashSet::default();
    let mut all = Vec::new();
    for &e in exprs {
        for s in free_symbols(pool, e) {
            if seen.insert(s) {
                all.push(s);
            }
        }
    }
    all
}

/// `d base / d var` at `point` by central differences with one Richardson step.
fn numeric_derivative(
    pool: &Pool,
    base: ExprId,
    var: SymbolId,
    point: &FxHashMap<SymbolId, f64>,
) -> f64 {
    let x = point.get(&var).copied().unwrap_or(0.0);
    let mut at = point.clone();
    let mut central = |h: f64| {
        at.insert(var, x + h);
        let up = eval(pool, base, &at);
        at.insert(var, x - h);
        let down = eval(pool, base, &at);
        (up - down) / (2.0 * h)
    };
    let h = 1e-3 * x.abs().max(1.0);
    let coarse = central(h);
    let fine = central(h / 2.0);
    (4.0 * fine - coarse) / 3.0
}

/// `|a - b|`, relative to the larger magnitude (or absolute below 1).
fn relative_error(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1.0)
}

fn describe_point(pool: &Pool, point: &FxHashMap<SymbolId, f64>) -> String {
    let mut parts: Vec<(String, f64)> = point
        .iter()
        .map(|(&s, &v)| (pool.symbol_name(s).to_string(), v))
        .collect();
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    let parts: Vec<String> = parts.iter().map(|(n, v)| format!("{n}={v:.6}")).collect();
    parts.join(", ")
}

/// Checks every claim at `POINTS` (5) points.
pub fn verify(pool: &Pool, checks: &[Check]) -> Report {
    let mut report = Report::default();
    let mut points = Points::new();
    for check in checks {
        let mut vars = variables(pool, &[check.base, check.value]);
        if !vars.contains(&check.var) {
            vars.push(check.var);
        }
        if let Some(after) = &check.after {
            for &(_, replacement) in after.rules() {
                for s in free_symbols(pool, replacement) {
                    if !vars.contains(&s) {
                        vars.push(s);
                    }
                }
            }
        }
        let mut good = 0;
        for attempt in 0..60 {
            if good == POINTS {
                break;
            }
            let mut point = points.point(&vars, attempt);
            if let Some(after) = &check.after {
                for &(v, replacement) in after.rules() {
                    let value = eval(pool, replacement, &point);
                    point.insert(v, value);
                }
            }
            let numeric = numeric_derivative(pool, check.base, check.var, &point);
            let symbolic = eval(pool, check.value, &point);
            if !numeric.is_finite() || !symbolic.is_finite() {
                continue;
            }
            good += 1;
            let error = relative_error(numeric, symbolic);
            report.max_error = report.max_error.max(error);
            if error > TOLERANCE && report.failure.is_none() {
                report.failure = Some(format!(
                    "{} is wrong: at {} it is {symbolic:e}, but finite differences give {numeric:e} (relative error {error:.1e})",
                    check.label,
                    describe_point(pool, &point)
                ));
            }
        }
        if good == 0 {
            report.unchecked.push(check.label.clone());
        } else {
            report.checked += 1;
        }
    }
    report
}

/// Whether a user's answer equals the derivative.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The same expression after canonicalization.
    Equal,
    /// Different forms, equal at every test point.
    NumericallyEqual {
        /// How many points agreed.
        points: usize,
    },
    /// Different: a point where they differ, and both values there.
    Different {
        /// The point, described.
        point: String,
        /// The answer's value.
        answer: f64,
        /// The derivative's value.
        expected: f64,
    },
    /// Neither equal in form nor comparable numerically (no point where both are defined).
    Undecided,
}

/// Compares `answer` with `expected`: exactly, then over a common denominator, then at
/// pseudo-random points (relative tolerance 1e-9).
pub fn compare(pool: &mut Pool, answer: ExprId, expected: ExprId) -> Verdict {
    if answer == expected {
        return Verdict::Equal;
    }
    let difference = pool.sub(answer, expected);
    if difference == ExprId::ZERO || together(pool, difference) == ExprId::ZERO {
        return Verdict::Equal;
    }
    let vars = variables(pool, &[answer, expected]);
    let mut points = Points::new();
    let mut agreed = 0;
    for attempt in 0..60 {
        if agreed == 8 {
            break;
        }
        let point = points.point(&vars, attempt);
        let (a, e) = (eval(pool, answer, &point), eval(pool, expected, &point));
        if !a.is_finite() || !e.is_finite() {
            continue;
        }
        if relative_error(a, e) > 1e-9 {
            return Verdict::Different {
                point: describe_point(pool, &point),
                answer: a,
                expected: e,
            };
        }
        agreed += 1;
    }
    if agreed == 0 {
        Verdict::Undecided
    } else {
        Verdict::NumericallyEqual { points: agreed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{diff, parse};

    #[test]
    fn a_wrong_derivative_fails_and_a_right_one_passes() {
        let mut pool = Pool::new();
        let f = parse(&mut pool, "sin(x^2)*y").unwrap();
        let x = pool.symbol("x");
        let right = diff(&mut pool, f, x);
        let wrong = parse(&mut pool, "x*cos(x^2)*y").unwrap();
        let check = |value| Check {
            label: "diff(f, x)".into(),
            base: f,
            var: x,
            value,
            after: None,
        };
        let report = verify(&pool, &[check(right)]);
        assert_eq!((report.checked, report.failure), (1, None));
        assert!(report.max_error < 1e-9);
        let report = verify(&pool, &[check(wrong)]);
        assert!(
            report
                .failure
                .unwrap()
                .starts_with("diff(f, x) is wrong: at x=")
        );
    }

    #[test]
    fn answers_compare_exactly_then_numerically() {
        let mut pool = Pool::new();
        let mut p = |text| parse(&mut pool, text).unwrap();
        let (a, b, c, d) = (
            p("2*sin(x)*cos(x)"),
            p("sin(2*x)"),
            p("1/x + 1/y"),
            p("(x + y)/(x*y)"),
        );
        let (e, u) = (p("x + 1"), p("f(x)"));
        assert_eq!(compare(&mut pool, a, a), Verdict::Equal);
        assert_eq!(compare(&mut pool, c, d), Verdict::Equal);
        assert_eq!(
            compare(&mut pool, a, b),
            Verdict::NumericallyEqual { points: 8 }
        );
        assert!(matches!(
            compare(&mut pool, a, e),
            Verdict::Different { .. }
        ));
        assert_eq!(compare(&mut pool, u, e), Verdict::Undecided);
    }
}
