//! bytes -> UTF-8 text -> parse (nesting and size bounded) -> for the input and its
//! derivative in x: every form of the tidy pass (`deriv::algebra::candidates`) has the
//! value of the result at three fixed points where the result is defined; the form
//! `Form::Auto` keeps costs no more than the computed one, is what `tidy` returns, and
//! prints as text that parses back to it.
//!
//! Values are compared in `f64` first (`|a - b| <= 1e-8 * (1 + |a| + |b|)`); where they
//! differ, or the form is not finite where the result is (but for an overflow), both are
//! bounded rigorously at the point (`deriv::verify::compare`, interval arithmetic), and
//! only a form surely different from, or not surely defined where, a surely defined
//! result panics: floating point loses the digits of a sum that cancels near a pole, and
//! finds a value for `atanh(cosh(y)^2 - sinh(y)^2)`, which is `atanh(1)`.
#![no_main]

use deriv::algebra::{Cost, Form, candidates, chosen, tidy};
use deriv::print::printed_len;
use deriv::verify::{Verdict, compare};
use deriv::{
    ExprId, Map, ParseOptions, Pool, Rational, SymbolId, diff, eval, free_symbols, parse, print,
    substitute,
};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, Instant};

/// Inputs longer than this are ignored: the pass is meant for results a person reads.
const MAX_INPUT: usize = 512;
/// Nesting allowed in the input (the parser's default is far deeper).
const MAX_DEPTH: usize = 40;
/// Operand-slot budget of the pool: derivative blow-ups stop with UNDEFINED.
const MAX_SIZE: usize = 200_000;
/// Time budget of one input; past it the pool's constructors give UNDEFINED and the
/// checks stop.
const TIME_BUDGET: Duration = Duration::from_secs(2);
/// Printed text up to this length is parsed again (round trip).
const MAX_REPARSE: u64 = 20_000;

/// The values of the free symbols at the three points, in hundredths: the k-th symbol
/// (in the order `free_symbols` gives) at point p is `POINTS[p][k % 4] + k / 4 * 11`,
/// away from integers and simple multiples of pi, where poles and kinks sit.
const POINTS: [[i64; 4]; 3] = [
    [37, 129, -83, 61],
    [-141, 53, 217, -26],
    [263, -71, 29, 187],
];

fn hundredths(k: usize, p: usize) -> i64 {
    POINTS[p][k % 4] + (k / 4) as i64 * 11
}

fn point(symbols: &[SymbolId], p: usize) -> Map<SymbolId, f64> {
    symbols
        .iter()
        .enumerate()
        .map(|(k, &s)| (s, hundredths(k, p) as f64 / 100.0))
        .collect()
}

/// `expr` at point `p`, exactly: the symbols replaced by their rational values.
fn exactly_at(pool: &mut Pool, expr: ExprId, symbols: &[SymbolId], p: usize) -> ExprId {
    let map: Map<SymbolId, ExprId> = symbols
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let value = Rational::new(hundredths(k, p), 100).unwrap_or(Rational::ONE);
            (s, pool.num(value))
        })
        .collect();
    substitute(pool, expr, &map)
}

/// Whether a constant is surely defined: its value bounded rigorously (compared with
/// itself plus one, which only a defined value surely differs from).
fn surely_defined(pool: &mut Pool, constant: ExprId) -> bool {
    if constant == ExprId::UNDEFINED {
        return false;
    }
    let other = pool.add(&[constant, ExprId::ONE]);
    matches!(compare(pool, other, constant), Verdict::Different { .. })
}

/// Whether some part of `id` overflows to an infinity.
fn overflows(pool: &Pool, id: ExprId, values: &Map<SymbolId, f64>) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![id];
    while let Some(part) = stack.pop() {
        if seen.insert(part) {
            if eval(pool, part, values).is_infinite() {
                return true;
            }
            stack.extend_from_slice(pool.children(part));
        }
    }
    false
}

/// Checks every form of `expr` (the input, or a derivative: `what`).
fn check(pool: &mut Pool, expr: ExprId, what: &str, input: &str) {
    if expr == ExprId::UNDEFINED || pool.limit_reached().is_some() {
        return;
    }
    let all = candidates(pool, expr);
    if pool.limit_reached().is_some() {
        return;
    }
    let symbols = free_symbols(pool, expr);
    for form in &all {
        if form.expr == expr {
            continue;
        }
        for p in 0..POINTS.len() {
            let values = point(&symbols, p);
            let a = eval(pool, expr, &values);
            let b = eval(pool, form.expr, &values);
            if a.is_finite() && b.is_finite() {
                if (a - b).abs() <= 1e-8 * (1.0 + a.abs() + b.abs()) {
                    continue;
                }
            } else if !a.is_finite() || overflows(pool, form.expr, &values) {
                continue;
            }
            let exact = exactly_at(pool, expr, &symbols, p);
            if !surely_defined(pool, exact) {
                continue;
            }
            let exact_form = exactly_at(pool, form.expr, &symbols, p);
            let verdict = if surely_defined(pool, exact_form) {
                compare(pool, exact_form, exact)
            } else {
                Verdict::Undecided
            };
            if pool.limit_reached().is_some() {
                return;
            }
            if !matches!(verdict, Verdict::Equal | Verdict::NumericallyEqual { .. }) {
                panic!(
                    "the {} form of {what} has another value\n input: {input:?}\n {what}: {}\n form: {}\n f64 at point {p}: {a} against {b}\n {verdict:?}",
                    form.form.name(),
                    print(pool, expr),
                    print(pool, form.expr)
                );
            }
        }
    }
    let best = chosen(&all);
    assert!(
        best.cost.unwrap_or_else(|| Cost::of(pool, expr)) <= Cost::of(pool, expr),
        "the form kept of {what} is bigger\n input: {input:?}\n {what}: {}\n kept: {}",
        print(pool, expr),
        print(pool, best.expr)
    );
    let (best, best_form) = (best.expr, best.form);
    let auto = tidy(pool, expr, Form::Auto);
    if pool.limit_reached().is_some() {
        return;
    }
    assert_eq!(
        auto, best,
        "tidy(Auto) is not the chosen candidate ({best_form:?})"
    );
    if best == ExprId::UNDEFINED || printed_len(pool, best) > MAX_REPARSE {
        // Undefined: an expression undefined everywhere (`1/(sin(x)^2 + cos(x)^2 - 1)`),
        // which the values above allow only where the result is not surely defined.
        return;
    }
    let text = print(pool, best);
    match parse(pool, &text) {
        Ok(back) => {
            if back != best && pool.limit_reached().is_some() {
                return;
            }
            assert!(
                back == best,
                "the form kept of {what} does not parse back to itself\n input: {input:?}\n printed: {text:?}\n reprinted: {:?}",
                print(pool, back)
            );
        }
        Err(e) => {
            if pool.limit_reached().is_none() {
                panic!(
                    "the form kept of {what} does not parse\n input: {input:?}\n printed: {text:?}\n error: {e}"
                );
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut pool = Pool::new();
    pool.set_max_size(MAX_SIZE);
    pool.set_deadline(Some(Instant::now() + TIME_BUDGET));
    let options = ParseOptions {
        max_depth: MAX_DEPTH,
        ..ParseOptions::default()
    };
    let Ok(expr) = deriv::parse_with(&mut pool, text, &options) else {
        return;
    };
    check(&mut pool, expr, "the input", text);
    let x = pool.symbol("x");
    let d = diff(&mut pool, expr, x);
    check(&mut pool, d, "d/dx", text);
});
