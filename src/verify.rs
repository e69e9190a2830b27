//! Numerical proof of symbolic results: each result is compared with central finite
//! differences (Richardson-extrapolated) of what it is the derivative of, at several
//! pseudo-random points where both are defined and the differences do not straddle a kink
//! of `abs`, `sign`, `relu` or `step`; and a user's answer is compared with the
//! derivative, by a proof or with rigorous error bounds at points across scales.

use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::calculus::defined::DefinedFunctions;
use crate::expr::func::Func;
use crate::expr::precise::{Comparison, Decimal, compare_at};
use crate::expr::rational::Rational;
use crate::expr::subst::{Substitution, free_symbols};
use crate::expr::{ExprId, Node, Pool, SymbolId};
use crate::program::cse::Program;
use crate::program::tape::{Scratch, Tape};

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
    /// The intermediates `value` is written in, when it is a result of a straight-line
    /// program (a gradient program): the program is checked as printed.
    pub temps: Option<Rc<[(SymbolId, ExprId)]>>,
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
    /// Claims whose finite differences settled at no point where they were defined: the
    /// function changes too fast to sample (`sin(sinh(tanh(x) + cosh(6)))`, whose
    /// argument is about 10^87).
    pub unsettled: Vec<String>,
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

/// Whether a function is made of pieces that meet where its argument is 0 (a kink or a
/// jump), where finite differences must not straddle and `--check` tests both sides.
fn piecewise(func: Func) -> bool {
    // acot jumps at 0 (from -pi/2 to pi/2); elu's second derivative jumps there.
    matches!(
        func,
        Func::Abs | Func::Sign | Func::Relu | Func::Step | Func::Acot | Func::Elu
    )
}

/// An output of a compiled tape: the tape's index and the output's.
type Slot = (usize, usize);

/// The checks' expressions compiled to [`Tape`]s over one list of inputs (every variable
/// of every check), so that a point is one vector and no evaluation walks a tree.
struct Compiled {
    inputs: Vec<SymbolId>,
    index: FxHashMap<SymbolId, usize>,
    /// `None` where an expression has no numeric value (an unknown function).
    tapes: Vec<Option<Tape>>,
    by_expr: FxHashMap<ExprId, usize>,
    scratch: Scratch,
    outputs: Vec<f64>,
}

impl Compiled {
    fn new(inputs: Vec<SymbolId>) -> Compiled {
        let index = inputs.iter().enumerate().map(|(k, &s)| (s, k)).collect();
        Compiled {
            inputs,
            index,
            tapes: Vec::new(),
            by_expr: FxHashMap::default(),
            scratch: Scratch::new(),
            outputs: Vec::new(),
        }
    }

    /// The slot of an expression, compiled once.
    fn expr(&mut self, pool: &Pool, expr: ExprId) -> Slot {
        if let Some(&k) = self.by_expr.get(&expr) {
            return (k, 0);
        }
        let tape = Tape::compile_exprs(pool, &[expr], &self.inputs).ok();
        self.tapes.push(tape);
        self.by_expr.insert(expr, self.tapes.len() - 1);
        (self.tapes.len() - 1, 0)
    }

    /// The slots of a program's results, compiled as one tape.
    fn program(&mut self, pool: &Pool, program: &Program) -> Vec<Slot> {
        let tape = Tape::compile(pool, program, &self.inputs).ok();
        self.tapes.push(tape);
        let k = self.tapes.len() - 1;
        (0..program.results.len()).map(|r| (k, r)).collect()
    }

    /// The arguments of the pieces of `abs`, `sign`, `relu` and `step` in `exprs`, as one
    /// tape's outputs; `None` when there are none.
    fn kinks(&mut self, pool: &Pool, exprs: &[ExprId]) -> Option<usize> {
        let mut args = Vec::new();
        for id in pool.reachable_from(exprs, |_| true) {
            if let Node::Call(func, arg) = pool.node(id)
                && piecewise(*func)
            {
                args.push(*arg);
            }
        }
        if args.is_empty() {
            return None;
        }
        self.tapes
            .push(Tape::compile_exprs(pool, &args, &self.inputs).ok());
        Some(self.tapes.len() - 1)
    }

    /// Whether some piece's argument (of the tape `kinks`) is 0 or changes sign between the
    /// points `point` with `var` moved by `-h` and `+h`: where finite differences straddle
    /// a kink.
    fn straddles(&mut self, kinks: usize, var: usize, h: f64, point: &mut [f64]) -> bool {
        let Some(tape) = &self.tapes[kinks] else {
            return false;
        };
        let x = point[var];
        let mut signs: Vec<f64> = Vec::new();
        let mut straddles = false;
        for shift in [-h, 0.0, h] {
            point[var] = x + shift;
            self.outputs.resize(tape.num_outputs(), 0.0);
            tape.eval_into(point, &mut self.scratch, &mut self.outputs);
            if signs.is_empty() {
                signs = self.outputs.iter().map(|v| v.signum()).collect();
            }
            straddles |= self
                .outputs
                .iter()
                .zip(&signs)
                .any(|(v, s)| *v == 0.0 || v.signum() != *s);
        }
        point[var] = x;
        straddles
    }

    /// The value of a slot at `point` (one value per input); NaN where it has none.
    fn eval(&mut self, (tape, output): Slot, point: &[f64]) -> f64 {
        let Some(tape) = &self.tapes[tape] else {
            return f64::NAN;
        };
        self.outputs.resize(tape.num_outputs(), 0.0);
        tape.eval_into(point, &mut self.scratch, &mut self.outputs);
        self.outputs[output]
    }
}

/// The tapes of one check.
struct CheckSlots {
    /// The variables to draw values for, as indices of the inputs.
    vars: Vec<usize>,
    base: Slot,
    value: Slot,
    /// The constrained variables (as indices of the inputs) and their replacements.
    after: Vec<(usize, Slot)>,
    /// The tape of the arguments of the check's pieces of `abs`, `sign`, `relu`, `step`.
    kinks: Option<usize>,
}

/// Compiles every check: expressions once each, and each program's results as one tape.
fn compile_checks(pool: &Pool, checks: &[Check]) -> (Compiled, Vec<CheckSlots>) {
    let mut exprs = Vec::new();
    let mut temp_names = FxHashSet::default();
    let mut constrained = Vec::new();
    let mut seen_programs = FxHashSet::default();
    for check in checks {
        exprs.push(check.base);
        exprs.push(check.value);
        // The checks of one program share its intermediates: they are read once.
        if let Some(temps) = &check.temps
            && seen_programs.insert(temps.as_ptr())
        {
            for &(name, value) in temps.iter() {
                temp_names.insert(name);
                exprs.push(value);
            }
        }
        if let Some(after) = &check.after {
            for &(v, replacement) in after.rules() {
                constrained.push(v);
                exprs.push(replacement);
            }
        }
    }
    let mut distinct = FxHashSet::default();
    exprs.retain(|&e| distinct.insert(e));
    let mut inputs = variables(pool, &exprs);
    inputs.retain(|s| !temp_names.contains(s));
    for symbol in checks.iter().map(|c| c.var).chain(constrained) {
        if !inputs.contains(&symbol) {
            inputs.push(symbol);
        }
    }
    let mut compiled = Compiled::new(inputs);
    // Each program (by the address of its intermediates) is one tape whose outputs are
    // the values of its checks, in order.
    let mut programs: FxHashMap<*const (SymbolId, ExprId), (Program, Vec<usize>)> =
        FxHashMap::default();
    for (k, check) in checks.iter().enumerate() {
        if let Some(temps) = &check.temps {
            let (program, owners) = programs.entry(temps.as_ptr()).or_insert_with(|| {
                let program = Program {
                    temps: temps.to_vec(),
                    results: Vec::new(),
                };
                (program, Vec::new())
            });
            program.results.push(check.value);
            owners.push(k);
        }
    }
    let mut program_slots: Vec<Option<Slot>> = vec![None; checks.len()];
    for (program, owners) in programs.values() {
        for (slot, &k) in compiled.program(pool, program).into_iter().zip(owners) {
            program_slots[k] = Some(slot);
        }
    }
    // A gradient's checks share their base: its variables are found once.
    let mut base_vars: FxHashMap<ExprId, Vec<SymbolId>> = FxHashMap::default();
    let mut slots = Vec::with_capacity(checks.len());
    for (check, program_slot) in checks.iter().zip(program_slots) {
        let mut vars = base_vars
            .entry(check.base)
            .or_insert_with(|| variables(pool, &[check.base]))
            .clone();
        let value = match program_slot {
            Some(slot) => slot,
            None => {
                for s in free_symbols(pool, check.value) {
                    if !vars.contains(&s) {
                        vars.push(s);
                    }
                }
                compiled.expr(pool, check.value)
            }
        };
        if !vars.contains(&check.var) {
            vars.push(check.var);
        }
        let mut after = Vec::new();
        if let Some(rules) = &check.after {
            for &(v, replacement) in rules.rules() {
                for s in free_symbols(pool, replacement) {
                    if !vars.contains(&s) {
                        vars.push(s);
                    }
                }
                after.push((compiled.index[&v], compiled.expr(pool, replacement)));
            }
        }
        let base = compiled.expr(pool, check.base);
        let vars = vars.iter().map(|v| compiled.index[v]).collect();
        let kinks = compiled.kinks(pool, &[check.base, check.value]);
        slots.push(CheckSlots {
            vars,
            base,
            value,
            after,
            kinks,
        });
    }
    (compiled, slots)
}

/// The largest step of [`numeric_derivative`] at `x`.
fn step(x: f64) -> f64 {
    1e-3 * x.abs().max(1.0)
}

/// `d base / d var` at `point` by central differences with one Richardson step, or
/// `None` where the differences have not settled: the estimates from steps `h, h/2` and
/// from `h/2, h/4` differ by more than [`TOLERANCE`], so the function changes too fast
/// (or is too large against its slope) to be sampled at that scale, and the estimate
/// cannot tell a right derivative from a wrong one.
fn numeric_derivative(
    compiled: &mut Compiled,
    base: Slot,
    var: usize,
    point: &mut [f64],
) -> Option<f64> {
    let x = point[var];
    let mut largest = 0.0f64;
    let mut central = |h: f64| {
        point[var] = x + h;
        let up = compiled.eval(base, point);
        point[var] = x - h;
        let down = compiled.eval(base, point);
        largest = largest.max(up.abs()).max(down.abs());
        (up - down) / (2.0 * h)
    };
    let h = step(x);
    let coarse = central(h);
    let fine = central(h / 2.0);
    let finer = central(h / 4.0);
    point[var] = x;
    let estimate = (4.0 * fine - coarse) / 3.0;
    let refined = (4.0 * finer - fine) / 3.0;
    // The rounding of the function's values alone moves the finest difference by this
    // much (`1e10 + x^2` is too large against its slope for a difference of 1e-4).
    let rounding = f64::EPSILON * largest / (h / 4.0);
    let settled = relative_error(estimate, refined) <= TOLERANCE
        && rounding / estimate.abs().max(1.0) <= TOLERANCE;
    settled.then_some(estimate)
}

/// `|a - b|`, relative to the larger magnitude (or absolute below 1).
fn relative_error(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1.0)
}

fn describe_point(pool: &Pool, point: impl Iterator<Item = (SymbolId, f64)>) -> String {
    let mut parts: Vec<(String, f64)> = point
        .map(|(s, v)| (pool.symbol_name(s).to_string(), v))
        .collect();
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    parts.dedup_by(|a, b| a.0 == b.0);
    let parts: Vec<String> = parts.iter().map(|(n, v)| format!("{n}={v:.6}")).collect();
    parts.join(", ")
}

/// Checks every claim at `POINTS` (5) points. Every expression (and every program, as one)
/// is compiled to a [`Tape`] first.
pub fn verify(pool: &Pool, checks: &[Check]) -> Report {
    let mut report = Report::default();
    let mut points = Points::new();
    let (mut compiled, slots) = compile_checks(pool, checks);
    // Inputs a check does not draw keep earlier values: its expressions do not use them.
    let mut vector = vec![0.0; compiled.inputs.len()];
    for (check, slot) in checks.iter().zip(&slots) {
        let var = compiled.index[&check.var];
        let (mut good, mut unsettled) = (0, 0);
        for attempt in 0..60 {
            if good == POINTS {
                break;
            }
            for &k in &slot.vars {
                vector[k] = points.value(attempt);
            }
            for &(k, replacement) in &slot.after {
                vector[k] = compiled.eval(replacement, &vector);
            }
            // Only where the function is defined, and away from its kinks.
            if !compiled.eval(slot.base, &vector).is_finite() {
                continue;
            }
            if let Some(kinks) = slot.kinks
                && compiled.straddles(kinks, var, step(vector[var]), &mut vector)
            {
                continue;
            }
            let Some(numeric) = numeric_derivative(&mut compiled, slot.base, var, &mut vector)
            else {
                unsettled += 1;
                continue;
            };
            let symbolic = compiled.eval(slot.value, &vector);
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
                    describe_point(
                        pool,
                        slot.vars
                            .iter()
                            .chain(slot.after.iter().map(|(k, _)| k))
                            .map(|&k| (compiled.inputs[k], vector[k]))
                    )
                ));
            }
        }
        if good == 0 && unsettled > 0 {
            report.unsettled.push(check.label.clone());
        } else if good == 0 {
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
    /// Proved: the same expression after canonicalization, or their difference simplifies
    /// to 0.
    Equal,
    /// Not proved, but equal to 30 significant digits at every test point where both are
    /// defined, the values computed with rigorous error bounds.
    NumericallyEqual {
        /// How many points agreed.
        points: usize,
    },
    /// Surely different: a point where they differ, and both values there (right to the
    /// digits shown).
    Different {
        /// The point, described.
        point: String,
        /// The answer's value.
        answer: Decimal,
        /// The derivative's value.
        expected: Decimal,
        /// The answer's value less the derivative's, for values too close to tell apart
        /// in the digits shown.
        difference: Decimal,
    },
    /// Not proved, but equal to about 9 significant digits at every test point found on
    /// the curve of an implicit derivative (its `y` solved for in floating point).
    EqualOnCurve {
        /// How many points of the curve agreed.
        points: usize,
    },
    /// Neither equal in form nor comparable numerically (no point where both are defined).
    Undecided,
}

/// How many test points [`compare`] draws, besides two on each side of each kink.
pub const CHECK_POINTS: usize = 24;

/// `v` to `digits` significant digits, as the shortest decimal text of that `f64`.
fn round_to_digits(v: f64, digits: i32) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    format!("{}", (v * scale).round() / scale)
}

/// Test values for `--check`: small integers, then magnitudes spread evenly in logarithm
/// from 1e-3 to 1e3 with either sign, to three significant digits.
fn check_value(points: &mut Points, k: usize, var: usize) -> String {
    const SMALL: [&str; 6] = ["1", "-1", "2", "-2", "3", "-3"];
    if k < SMALL.len() {
        return SMALL[(k + var) % SMALL.len()].into();
    }
    let magnitude = 10f64.powf(6.0 * points.unit() - 3.0);
    let sign = if points.unit() < 0.5 { -1.0 } else { 1.0 };
    round_to_digits(sign * magnitude, 3)
}

/// The points where a piece of `abs`, `sign`, `relu` or `step` in `exprs` changes, for
/// arguments of one variable: the variable and where the argument is 0 (exactly for a
/// linear argument, else by bisection).
fn kinks(pool: &mut Pool, exprs: &[ExprId]) -> Vec<(SymbolId, f64)> {
    let mut found = Vec::new();
    let mut args = Vec::new();
    for &e in exprs {
        for id in pool.reachable(e, |_| true) {
            if let Node::Call(func, arg) = pool.node(id)
                && piecewise(*func)
            {
                args.push(*arg);
            }
        }
    }
    for arg in args {
        let [var] = free_symbols(pool, arg)[..] else {
            continue;
        };
        let slope = crate::calculus::diff::diff(pool, arg, var);
        let map: FxHashMap<SymbolId, ExprId> = [(var, ExprId::ZERO)].into_iter().collect();
        let at_zero = crate::expr::subst::substitute(pool, arg, &map);
        let roots = match (pool.as_num(slope), pool.as_num(at_zero)) {
            (Some(slope), Some(at_zero)) => at_zero
                .checked_div(slope)
                .map(|ratio| vec![-ratio.to_f64()])
                .unwrap_or_default(),
            _ => roots_between_scales(pool, arg, var),
        };
        for x0 in roots {
            if x0.is_finite() && !found.contains(&(var, x0)) {
                found.push((var, x0));
            }
        }
    }
    found
}

/// The zeros of `arg`, a function of `var` alone, where it changes sign between points
/// spread evenly in logarithm from 1e-3 to 1e3 of either sign (at most 8), by bisection.
fn roots_between_scales(pool: &Pool, arg: ExprId, var: SymbolId) -> Vec<f64> {
    let at = |x: f64| {
        let values: FxHashMap<SymbolId, f64> = [(var, x)].into_iter().collect();
        crate::expr::eval::eval(pool, arg, &values)
    };
    let mut grid: Vec<f64> = (-12..=12).map(|k| 10f64.powf(f64::from(k) / 4.0)).collect();
    grid.extend(grid.clone().iter().map(|x| -x));
    grid.push(0.0);
    grid.sort_by(f64::total_cmp);
    let mut roots = Vec::new();
    for pair in grid.windows(2) {
        let (mut lo, mut hi) = (pair[0], pair[1]);
        let (mut f_lo, f_hi) = (at(lo), at(hi));
        if !(f_lo.is_finite() && f_hi.is_finite()) || f_lo.signum() == f_hi.signum() {
            continue;
        }
        for _ in 0..100 {
            let mid = lo / 2.0 + hi / 2.0;
            let f_mid = at(mid);
            if !f_mid.is_finite() {
                break;
            }
            if f_mid.signum() == f_lo.signum() {
                (lo, f_lo) = (mid, f_mid);
            } else {
                hi = mid;
            }
        }
        roots.push(lo / 2.0 + hi / 2.0);
        if roots.len() == 8 {
            break;
        }
    }
    roots
}

/// Compares `answer` with `expected`: a proof when their difference simplifies to 0; else
/// at test points across scales and signs (and on both sides of each kink), each value
/// bounded rigorously at a precision raised until they surely differ or agree to 30
/// significant digits.
pub fn compare(pool: &mut Pool, answer: ExprId, expected: ExprId) -> Verdict {
    if answer == expected {
        return Verdict::Equal;
    }
    let difference = pool.sub(answer, expected);
    if crate::algebra::expand::is_zero(pool, difference) {
        return Verdict::Equal;
    }
    let (answer, expected) = (
        pool.inline_functions(answer),
        pool.inline_functions(expected),
    );
    let vars = variables(pool, &[answer, expected]);
    let mut tests: Vec<Vec<String>> = Vec::new();
    let mut points = Points::new();
    let count = if vars.is_empty() { 1 } else { CHECK_POINTS };
    for k in 0..count {
        tests.push(
            (0..vars.len())
                .map(|j| check_value(&mut points, k, j))
                .collect(),
        );
    }
    for (var, x0) in kinks(pool, &[answer, expected]) {
        let Some(index) = vars.iter().position(|&v| v == var) else {
            continue;
        };
        for offset in [-0.5, -1e-3, 1e-3, 0.5] {
            let mut test: Vec<String> = (0..vars.len())
                .map(|j| check_value(&mut points, CHECK_POINTS, j))
                .collect();
            test[index] = round_to_digits(x0 + offset * x0.abs().max(1.0), 6);
            tests.push(test);
        }
    }
    let mut agreed = 0;
    for test in tests {
        let values: FxHashMap<SymbolId, Rational> = vars
            .iter()
            .zip(&test)
            .filter_map(|(&v, x)| Some((v, Rational::parse_decimal(x, 400)?)))
            .collect();
        match compare_at(pool, answer, expected, &values) {
            Comparison::Agree => agreed += 1,
            Comparison::Differ(answer, expected, difference) => {
                let point: Vec<String> = vars
                    .iter()
                    .zip(&test)
                    .map(|(&v, x)| format!("{}={x}", pool.symbol_name(v)))
                    .collect();
                return Verdict::Different {
                    point: point.join(", "),
                    answer,
                    expected,
                    difference,
                };
            }
            Comparison::Unknown => {}
        }
    }
    if agreed == 0 {
        Verdict::Undecided
    } else {
        Verdict::NumericallyEqual { points: agreed }
    }
}

#[cfg(feature = "cli")]
/// `--check` of an implicit derivative: `answer` and `expected` need to agree only on the
/// curve `equation = 0` that defines `y` (`-1/y^3` and `-(x^2 + y^2)/y^3` on the unit
/// circle). A proof when their difference simplifies to 0; otherwise, at test values of
/// the other variables, `y` is solved for by Newton's method in floating point (where
/// the curve has a point with `∂F/∂y` away from 0), and the two are compared there to
/// about 9 digits: [`Verdict::EqualOnCurve`] or [`Verdict::Different`].
pub fn compare_on_curve(
    pool: &mut Pool,
    answer: ExprId,
    expected: ExprId,
    equation: ExprId,
    y: SymbolId,
) -> Verdict {
    let difference = pool.sub(answer, expected);
    if answer == expected || crate::algebra::expand::is_zero(pool, difference) {
        return Verdict::Equal;
    }
    let (answer, expected) = (
        pool.inline_functions(answer),
        pool.inline_functions(expected),
    );
    let slope = crate::calculus::diff::diff(pool, equation, y);
    let mut vars = variables(pool, &[answer, expected, equation]);
    vars.retain(|&v| v != y);
    let mut points = Points::new();
    let mut agreed = 0;
    for k in 0..2 * CHECK_POINTS {
        let mut values: FxHashMap<SymbolId, f64> = vars
            .iter()
            .enumerate()
            .map(|(j, &v)| {
                // Half across scales, half within [-2, 2], where curves often lie.
                let text = if k < CHECK_POINTS {
                    check_value(&mut points, k, j)
                } else {
                    round_to_digits(4.0 * points.unit() - 2.0, 3)
                };
                (v, text.parse().unwrap_or(0.5))
            })
            .collect();
        for y_value in solve(pool, equation, slope, y, &mut values) {
            values.insert(y, y_value);
            let (a, e) = (
                crate::expr::eval::eval(pool, answer, &values),
                crate::expr::eval::eval(pool, expected, &values),
            );
            if !a.is_finite() || !e.is_finite() {
                continue;
            }
            let relative = (a - e).abs() / a.abs().max(e.abs()).max(1e-300);
            if relative < 1e-9 || (a - e).abs() < 1e-300 {
                agreed += 1;
                continue;
            }
            if relative <= 1e-6 {
                continue;
            }
            let mut shown: Vec<(SymbolId, f64)> = values.into_iter().collect();
            shown.sort_by(|p, q| pool.symbol_name(p.0).cmp(pool.symbol_name(q.0)));
            let point: Vec<String> = shown
                .iter()
                .map(|&(v, x)| format!("{}={}", pool.symbol_name(v), round_to_digits(x, 9)))
                .collect();
            let approx = |v: f64| Decimal {
                text: format!("≈ {}", round_to_digits(v, 9)),
                value: None,
            };
            return Verdict::Different {
                point: format!("{} (on the curve)", point.join(", ")),
                answer: approx(a),
                expected: approx(e),
                difference: approx(a - e),
            };
        }
    }
    if agreed == 0 {
        Verdict::Undecided
    } else {
        Verdict::EqualOnCurve { points: agreed }
    }
}

#[cfg(feature = "cli")]
/// The `y`s with `equation = 0` at `values`, by Newton's method from starting points on
/// both sides of 0 (so that every branch of a curve is met, not only the first: on the
/// unit circle, both `y = sqrt(1 - x^2)` and `y = -sqrt(1 - x^2)`), each where `∂F/∂y`
/// (`slope`) is away from 0.
fn solve(
    pool: &Pool,
    equation: ExprId,
    slope: ExprId,
    y: SymbolId,
    values: &mut FxHashMap<SymbolId, f64>,
) -> Vec<f64> {
    let mut roots: Vec<f64> = Vec::new();
    for start in [0.5, -0.5, 1.5, -1.5, 0.1, -0.1, 4.0, -4.0, 20.0, -20.0] {
        let mut guess = start;
        for _ in 0..80 {
            values.insert(y, guess);
            let f = crate::expr::eval::eval(pool, equation, values);
            let fy = crate::expr::eval::eval(pool, slope, values);
            if !f.is_finite() || !fy.is_finite() || fy == 0.0 {
                break;
            }
            let step = f / fy;
            guess -= step;
            if step.abs() <= 1e-15 * guess.abs().max(1e-300) {
                values.insert(y, guess);
                let fy = crate::expr::eval::eval(pool, slope, values);
                let f = crate::expr::eval::eval(pool, equation, values);
                let new = roots
                    .iter()
                    .all(|r| (r - guess).abs() > 1e-9 * (1.0 + guess.abs()));
                if f.abs() <= 1e-12 * (1.0 + fy.abs() * guess.abs()) && fy.abs() > 1e-6 && new {
                    roots.push(guess);
                }
                break;
            }
        }
    }
    values.remove(&y);
    roots
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
            temps: None,
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
    fn program_results_are_checked_through_their_intermediates() {
        let mut pool = Pool::new();
        let f = parse(&mut pool, "x^3*y").unwrap();
        let [x, y, t1] = ["x", "y", "t1"].map(|n| pool.symbol(n));
        let square = parse(&mut pool, "x^2").unwrap();
        let temps: Rc<[(SymbolId, ExprId)]> = vec![(t1, square)].into();
        let right = parse(&mut pool, "3*t1*y").unwrap();
        let wrong = parse(&mut pool, "2*t1*y").unwrap();
        let d_y = parse(&mut pool, "t1*x").unwrap();
        let check = |var, value| Check {
            label: format!("diff(f, {})", pool.symbol_name(var)),
            base: f,
            var,
            value,
            temps: Some(temps.clone()),
            after: None,
        };
        let report = verify(&pool, &[check(x, right), check(y, d_y)]);
        assert_eq!((report.checked, report.failure), (2, None));
        let report = verify(&pool, &[check(y, d_y), check(x, wrong)]);
        assert!(report.failure.unwrap().starts_with("diff(f, x) is wrong"));
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
            Verdict::NumericallyEqual {
                points: CHECK_POINTS
            }
        );
        assert!(matches!(
            compare(&mut pool, a, e),
            Verdict::Different { .. }
        ));
        assert_eq!(compare(&mut pool, u, e), Verdict::Undecided);
    }
}
