//! Property tests on randomly generated expression text.
//!
//! Expressions are generated as a small [`Tree`] (`common::tree`, the strategies in
//! `common::generate`), written out as fully parenthesized text and, independently of the
//! library, evaluated in `f64` with real-domain semantics. The properties check that
//! derivatives agree with finite differences, that printed text parses back to the same
//! expression, that simplification keeps the value, and that the canonical form does not
//! depend on the order in which terms are written.
//!
//! Set `PROPTEST_CASES` to search harder (`PROPTEST_CASES=500 cargo test --test integration
//! properties::`).

use deriv::print::BatchPrinter;
use deriv::{
    Error, ExprId, Func, Node, Notation, Pool, Printer, Style, SymbolId, diff, eval, parse, print,
};
use proptest::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::common::command::deriv;
use crate::common::generate::{config, points, tree, tree_with, tree_with_unknowns};
use crate::common::tree::{Tree, VARS, erf_by_quadrature, raw_eval, real_pow};

// ---------------------------------------------------------------------------------------
// Helpers on the library side
// ---------------------------------------------------------------------------------------

/// Parses `text`; `Ok(None)` when the text is mathematically undefined (`1/0`), which the
/// generators produce on purpose and the properties skip.
fn parse_defined(pool: &mut Pool, text: &str) -> Result<Option<ExprId>, TestCaseError> {
    match parse(pool, text) {
        Ok(id) => Ok(Some(id)),
        Err(Error::Undefined { .. }) => Ok(None),
        Err(other) => Err(TestCaseError::fail(format!(
            "`{text}` does not parse: {other}"
        ))),
    }
}

/// `text` with each `abs(u)` written `|u|`, or `|(u)|` where `u` starts with another
/// absolute value (two bars in a row are refused).
fn with_bars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Per open parenthesis: what closes it.
    let mut closers: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(inner) = rest.strip_prefix("abs(") {
            let nested = inner.starts_with("abs(");
            out.push_str(if nested { "|(" } else { "|" });
            closers.push(if nested { ")|" } else { "|" });
            rest = inner;
            continue;
        }
        match c {
            '(' => {
                closers.push(")");
                out.push('(');
            }
            ')' => out.push_str(closers.pop().unwrap_or(")")),
            other => out.push(other),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[test]
fn with_bars_writes_absolute_values_with_bars() {
    assert_eq!(with_bars("(abs((-x))*abs(abs(y)))"), "(|(-x)|*|(|y|)|)");
}

fn symbols(pool: &mut Pool) -> [SymbolId; 3] {
    VARS.map(|name| pool.symbol(name))
}

fn eval_at(pool: &Pool, id: ExprId, syms: &[SymbolId; 3], point: &[f64; 3]) -> f64 {
    let values: FxHashMap<SymbolId, f64> =
        syms.iter().copied().zip(point.iter().copied()).collect();
    eval(pool, id, &values)
}

/// Every node reachable from `roots`, each once.
fn reachable(pool: &Pool, roots: &[ExprId]) -> Vec<ExprId> {
    let mut seen = FxHashSet::default();
    let mut stack: Vec<ExprId> = roots.to_vec();
    let mut found = Vec::new();
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            found.push(id);
            stack.extend_from_slice(pool.children(id));
        }
    }
    found
}

/// The node behind `id` built again by its own constructor; a canonical node comes back
/// as the same id.
fn rebuilt(pool: &mut Pool, id: ExprId) -> ExprId {
    match pool.node(id).clone() {
        Node::Add(ops) => pool.add(&ops),
        Node::Mul(ops) => pool.mul(&ops),
        Node::Pow([base, exp]) => pool.pow(base, exp),
        Node::Call(func, arg) => pool.call(func, arg),
        Node::Apply { name, orders, args } => pool.apply(name, &orders, &args),
        _ => id,
    }
}

/// The nodes under `root` that their constructor would simplify further.
fn non_canonical_nodes(pool: &mut Pool, root: ExprId) -> Vec<ExprId> {
    reachable(pool, &[root])
        .into_iter()
        .filter(|&id| rebuilt(pool, id) != id)
        .collect()
}

/// The value of every node under `root` at `point`.
fn node_values(
    pool: &Pool,
    root: ExprId,
    syms: &[SymbolId; 3],
    point: &[f64; 3],
) -> FxHashMap<ExprId, f64> {
    reachable(pool, &[root])
        .into_iter()
        .map(|id| (id, eval_at(pool, id, syms, point)))
        .collect()
}

/// Whether `root` and all its subexpressions have finite values at `point`: the point is
/// inside the real domain of the expression as written in canonical form.
fn defined_everywhere_inside(
    pool: &Pool,
    root: ExprId,
    syms: &[SymbolId; 3],
    point: &[f64; 3],
) -> bool {
    node_values(pool, root, syms, point)
        .values()
        .all(|v| v.is_finite())
}

/// Whether evaluating `root` at `point` overflows somewhere, or uses a number that `f64`
/// cannot hold.
// A product's coefficient beyond `f64` (`(3 - 2*z)^1200/2^1200`) is applied last, in
// steps, by `eval` (finding 9, fixed); a number `f64` cannot hold elsewhere still rounds.
fn leaves_the_floating_point_range(
    pool: &Pool,
    root: ExprId,
    syms: &[SymbolId; 3],
    point: &[f64; 3],
) -> bool {
    let values = node_values(pool, root, syms, point);
    values.iter().any(|(&id, &value)| {
        // A nonzero number, a power of a nonzero base (`(1/10)^exp(6)`,
        // `asin(1/10)^(y^4)`) or a product of nonzero factors, that rounds to 0.
        let nonzero = |id: ExprId| values.get(&id).is_some_and(|&v| v != 0.0);
        let never_zero = pool.as_num(id).is_some_and(|n| !n.is_zero())
            || match pool.node(id) {
                Node::Pow([base, _]) => nonzero(*base),
                Node::Mul(factors) => factors.iter().all(|&f| nonzero(f)),
                _ => false,
            };
        // A subnormal value keeps only a few bits: `30.4^-217.9` is 4e-324.
        let subnormal = value != 0.0 && value.abs() < f64::MIN_POSITIVE;
        value.is_infinite() || (value == 0.0 && never_zero) || subnormal
    })
}

/// Arguments of the canonical DAG under `roots` where the expression may fail to be smooth:
/// arguments of `abs`, `sign`, `step`, `relu`, `acot`, `elu`, the `y` of `atan2(y, x)`,
/// bases of non-integer powers, and the exponent of `0^u`.
fn kink_arguments(pool: &Pool, roots: &[ExprId]) -> Vec<ExprId> {
    let mut found = Vec::new();
    for id in reachable(pool, roots) {
        match pool.node(id) {
            Node::Call(
                Func::Abs | Func::Sign | Func::Step | Func::Relu | Func::Acot | Func::Elu,
                arg,
            ) => found.push(*arg),
            // atan2 jumps across the negative x axis.
            Node::Atan2([y, _]) => found.push(*y),
            Node::Pow([base, exp]) if !pool.as_num(*exp).is_some_and(|e| e.is_integer()) => {
                if !pool.is_constant(*base) {
                    found.push(*base);
                } else if *base == ExprId::ZERO {
                    // `0^u` jumps where `u` changes sign.
                    found.push(*exp);
                }
            }
            _ => {}
        }
    }
    found
}

const H: f64 = 1e-3;
const HUGE: f64 = 1e6;

/// What a numerical derivative found.
enum Numeric {
    /// Not smooth or not finite near the point; nothing to compare.
    Skip,
    /// The Richardson-extrapolated derivative and the size of the values sampled.
    Value { slope: f64, scale: f64 },
}

/// The derivative of `f` (given as a canonical expression) in coordinate `k` at `point`:
/// five-point stencils with steps `H` and `H/4`, which must agree, combined by Richardson
/// extrapolation. Points near a kink (see [`kink_arguments`]) are skipped.
fn numeric_derivative(
    pool: &Pool,
    f: ExprId,
    kinks: &[ExprId],
    syms: &[SymbolId; 3],
    point: &[f64; 3],
    k: usize,
) -> Numeric {
    // Only inside the real domain of the canonical form.
    if !defined_everywhere_inside(pool, f, syms, point) {
        return Numeric::Skip;
    }
    let at = |t: f64| {
        let mut p = *point;
        p[k] = t;
        p
    };
    let offsets = [-2.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 2.0];
    let shifted: Vec<[f64; 3]> = offsets.iter().map(|o| at(point[k] + o * H)).collect();
    // Every kink argument keeps one strict sign over the whole stencil.
    for &u in kinks {
        let values: Vec<f64> = shifted.iter().map(|p| eval_at(pool, u, syms, p)).collect();
        let positive = values.iter().all(|&v| v > 1e-9);
        let negative = values.iter().all(|&v| v < -1e-9);
        if !(positive || negative) {
            return Numeric::Skip;
        }
    }
    let values: Vec<f64> = shifted.iter().map(|p| eval_at(pool, f, syms, p)).collect();
    if values.iter().any(|v| !v.is_finite() || v.abs() > HUGE) {
        return Numeric::Skip;
    }
    let v = |o: f64| values[offsets.iter().position(|&x| x == o).unwrap()];
    let stencil =
        |h: f64, s: f64| (v(-2.0 * s) - 8.0 * v(-s) + 8.0 * v(s) - v(2.0 * s)) / (12.0 * h);
    let coarse = stencil(H, 1.0);
    let fine = stencil(H / 4.0, 0.25);
    let scale = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let roundoff = 1e-11 * (1.0 + scale) / H;
    let agreement = 1e-7 * (1.0 + fine.abs()) + roundoff;
    if (coarse - fine).abs() > agreement {
        return Numeric::Skip;
    }
    // The five-point error falls as h^4: (4^4 * fine - coarse) / (4^4 - 1).
    let slope = (256.0 * fine - coarse) / 255.0;
    Numeric::Value { slope, scale }
}

/// Checks `symbolic` (a derivative of `f` in coordinate `k`) against finite differences of
/// `f` at `point`. Returns whether a comparison took place.
#[allow(clippy::too_many_arguments)]
fn check_slope(
    pool: &Pool,
    f: ExprId,
    symbolic: ExprId,
    syms: &[SymbolId; 3],
    point: &[f64; 3],
    k: usize,
    what: &str,
) -> Result<bool, TestCaseError> {
    let kinks = kink_arguments(pool, &[f, symbolic]);
    let Numeric::Value { slope, scale } = numeric_derivative(pool, f, &kinks, syms, point, k)
    else {
        return Ok(false);
    };
    let exact = eval_at(pool, symbolic, syms, point);
    let tolerance = 1e-5 * (1.0 + slope.abs()) + 1e-10 * scale / H;
    if (exact - slope).abs() <= tolerance {
        return Ok(true);
    }
    if leaves_the_floating_point_range(pool, symbolic, syms, point) {
        // Floating-point overflow on the way (`pi^(144*z)` is inf), not a wrong formula.
        return Ok(false);
    }
    Err(TestCaseError::fail(format!(
        "{what} at {point:?}: symbolic {exact} ({}) but finite differences give {slope} \
         (f = {})",
        print(pool, symbolic),
        print(pool, f),
    )))
}

// ---------------------------------------------------------------------------------------
// 1. Derivatives against finite differences
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(192))]

    #[test]
    fn derivative_matches_central_differences(tree in tree(), points in points(), k in 0usize..3) {
        let text = tree.text();
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &text)? else { return Ok(()) };
        let syms = symbols(&mut pool);
        let df = diff(&mut pool, f, syms[k]);
        for p in &points {
            check_slope(&pool, f, df, &syms, p, k, &format!("d/d{} of `{text}`", VARS[k]))?;
        }
    }

    #[test]
    fn second_derivative_matches_central_differences_of_the_first(
        tree in tree_with(3, 14),
        points in points(),
        k in 0usize..3,
    ) {
        let text = tree.text();
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &text)? else { return Ok(()) };
        let syms = symbols(&mut pool);
        let df = diff(&mut pool, f, syms[k]);
        let d2f = diff(&mut pool, df, syms[k]);
        let what = format!("d2/d{}2 of `{text}`", VARS[k]);
        for p in &points {
            // Only where the first derivative is itself right is the second one tested.
            if check_slope(&pool, f, df, &syms, p, k, "first derivative").is_ok() {
                check_slope(&pool, df, d2f, &syms, p, k, &what)?;
            }
        }
    }

    #[test]
    fn mixed_partial_derivatives_agree(tree in tree_with(3, 14), points in points()) {
        let text = tree.text();
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &text)? else { return Ok(()) };
        let syms = symbols(&mut pool);
        let dx = diff(&mut pool, f, syms[0]);
        let dy = diff(&mut pool, f, syms[1]);
        if dx == ExprId::UNDEFINED || dy == ExprId::UNDEFINED {
            // `(-1)^x` is nowhere real, so its derivative is undefined;
            // `derivative_matches_central_differences` checks that this happens only where
            // the function itself is undefined.
            return Ok(());
        }
        let dxy = diff(&mut pool, dx, syms[1]);
        let dyx = diff(&mut pool, dy, syms[0]);
        let kinks = kink_arguments(&pool, &[f, dxy, dyx]);
        for p in &points {
            let near_kink = kinks.iter().any(|&u| eval_at(&pool, u, &syms, p).abs() < 1e-6);
            let (a, b) = (eval_at(&pool, dxy, &syms, p), eval_at(&pool, dyx, &syms, p));
            if near_kink || !a.is_finite() || !b.is_finite() || a.abs().max(b.abs()) > HUGE {
                continue;
            }
            prop_assert!(
                (a - b).abs() <= 1e-8 * (1.0 + a.abs()),
                "d/dy d/dx = {} = {a} but d/dx d/dy = {} = {b} at {p:?} for `{text}`",
                print(&pool, dxy),
                print(&pool, dyx),
            );
        }
    }

    #[test]
    fn derivative_in_an_absent_variable_is_zero(tree in tree()) {
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &tree.text())? else { return Ok(()) };
        let w = pool.symbol("w");
        prop_assert_eq!(diff(&mut pool, f, w), ExprId::ZERO);
    }
}

// ---------------------------------------------------------------------------------------
// 2 and 3. Printing round trips
// ---------------------------------------------------------------------------------------

/// Checks that `print(id)` parses back to `id` in the same pool.
fn check_round_trip(pool: &mut Pool, id: ExprId, origin: &str) -> Result<(), TestCaseError> {
    let printed = print(pool, id);
    let again = parse(pool, &printed).map_err(|e| {
        TestCaseError::fail(format!(
            "{origin} printed as `{printed}` does not parse: {e}"
        ))
    })?;
    if again != id {
        return Err(TestCaseError::fail(format!(
            "{origin} printed as `{printed}` parses back as `{}`, another expression",
            print(pool, again)
        )));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn printed_text_parses_back_to_the_same_expression(tree in tree_with_unknowns(4, 20)) {
        let text = tree.text();
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &text)? else { return Ok(()) };
        check_round_trip(&mut pool, f, &format!("`{text}`"))?;
        let syms = symbols(&mut pool);
        for (k, &s) in syms.iter().enumerate() {
            let df = diff(&mut pool, f, s);
            if df != ExprId::UNDEFINED {
                check_round_trip(&mut pool, df, &format!("d/d{} of `{text}`", VARS[k]))?;
            }
        }
    }

    /// A batch printer copies text laid out for earlier results; what it writes is still
    /// what the printer writes for each result alone, in every style.
    #[test]
    fn a_batch_prints_each_result_as_alone(tree in tree_with_unknowns(4, 20)) {
        let text = tree.text();
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &text)? else { return Ok(()) };
        let syms = symbols(&mut pool);
        let mut results = vec![f];
        for &s in &syms {
            results.push(diff(&mut pool, f, s));
        }
        let first = diff(&mut pool, results[1], syms[0]);
        results.push(first);
        for style in [Style::Plain, Style::Latex, Style::Unicode] {
            let mut batch = BatchPrinter::new(&pool, style, Notation::Leibniz);
            for &id in &results {
                let alone = Printer::new(&pool, id).style(style).to_string();
                prop_assert_eq!(batch.print(id), alone.as_str(), "from `{}`", text);
            }
        }
    }

    /// `|u|` is `abs(u)`: the text with every `abs(u)` written with bars parses to the
    /// same expression.
    #[test]
    fn bars_parse_as_abs(a in tree_with_unknowns(3, 12), b in tree_with_unknowns(3, 12)) {
        // Products, sums and nests of absolute values, besides those in the trees.
        let (a, b) = (a.text(), b.text());
        let text = format!("abs({a})*abs(-{b} - abs(abs({a})/2)) + abs({b})");
        let bars = with_bars(&text);
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &text)? else { return Ok(()) };
        let g = parse_defined(&mut pool, &bars)?;
        prop_assert_eq!(Some(f), g, "`{}` and `{}`", text, bars);
    }

    #[test]
    fn parsing_printed_output_is_idempotent(tree in tree_with_unknowns(4, 20)) {
        let text = tree.text();
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &text)? else { return Ok(()) };
        let x = pool.symbol("x");
        let df = diff(&mut pool, f, x);
        for id in [f, df] {
            if id == ExprId::UNDEFINED {
                continue;
            }
            let printed = print(&pool, id);
            // In the same pool …
            let again = parse(&mut pool, &printed)
                .map_err(|e| TestCaseError::fail(format!("`{printed}` does not parse: {e}")))?;
            let reprinted = print(&pool, again);
            prop_assert_eq!(reprinted, printed.clone(), "from `{}`", text);
            // … and in a fresh pool, where the nodes are created in a different order.
            let mut fresh = Pool::new();
            let again = parse(&mut fresh, &printed)
                .map_err(|e| TestCaseError::fail(format!("`{printed}` does not parse: {e}")))?;
            prop_assert_eq!(print(&fresh, again), printed, "in a fresh pool, from `{}`", text);
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn every_node_is_a_fixed_point_of_its_constructor(tree in tree_with_unknowns(4, 20)) {
        let text = tree.text();
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &text)? else { return Ok(()) };
        let x = pool.symbol("x");
        let df = diff(&mut pool, f, x);
        for (id, what) in [(f, "the canonical form"), (df, "the derivative in x")] {
            if id == ExprId::UNDEFINED {
                continue;
            }
            let bad = non_canonical_nodes(&mut pool, id);
            if let Some(&node) = bad.first() {
                let again = rebuilt(&mut pool, node);
                return Err(TestCaseError::fail(format!(
                    "in {what} of `{text}`, `{}`, the node `{}` ({:?}) rebuilds as `{}`",
                    print(&pool, id),
                    print(&pool, node),
                    pool.node(node),
                    print(&pool, again),
                )));
            }
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn a_nan_subexpression_makes_the_value_nan(tree in tree(), points in points()) {
        let text = tree.text();
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &text)? else { return Ok(()) };
        let syms = symbols(&mut pool);
        for p in &points {
            let values = node_values(&pool, f, &syms, p);
            for (&node, &value) in &values {
                let nan_child = pool.children(node).iter().find(|c| values[*c].is_nan());
                let Some(&child) = nan_child else { continue };
                if value.is_nan() {
                    continue;
                }
                return Err(TestCaseError::fail(format!(
                    "in `{}` (from `{text}`) at {p:?}, `{}` is {value} though `{}` is NaN",
                    print(&pool, f),
                    print(&pool, node),
                    print(&pool, child),
                )));
            }
        }
    }

    /// The compiled evaluator computes what `eval` computes: on random expressions and
    /// their derivatives, the same value (up to rounding from another order of operations)
    /// or NaN for both, wherever the value is well-conditioned (a nudge of the point by
    /// 1e-13 moves it less than the tolerance; `sin(1e11/x)` is not).
    #[test]
    fn the_tape_agrees_with_eval(tree in tree(), points in points()) {
        let text = tree.text();
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &text)? else { return Ok(()) };
        let syms = symbols(&mut pool);
        let df = diff(&mut pool, f, syms[0]);
        // A derivative may be undefined (`ln(-19/20)` in that of `(-19/20)^x`): no tape.
        let roots = if df == ExprId::UNDEFINED { vec![f] } else { vec![f, df] };
        let tape = deriv::program::Tape::compile_exprs(&pool, &roots, &syms)
            .map_err(|e| TestCaseError::fail(format!("`{text}` does not compile: {e}")))?;
        for p in &points {
            let got = tape.eval(p);
            for (k, &id) in roots.iter().enumerate() {
                let want = eval_at(&pool, id, &syms, p);
                let close = |a: f64, b: f64| {
                    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-9 * b.abs().max(1.0)
                };
                // Two nudges: rounding inside a cancellation (`exp(u + exp(u) - lse)`
                // with exp(u) = 2.5e17) can look steady under one.
                let steady = [1e-13, 1e-9].iter().all(|&scale| {
                    let nudged = p.map(|c| c + scale * c.abs().max(1.0));
                    close(eval_at(&pool, id, &syms, &nudged), want)
                });
                if !steady {
                    continue;
                }
                let agree = close(got[k], want);
                prop_assert!(
                    agree,
                    "`{}` at {p:?}: the tape gives {}, eval {want}",
                    print(&pool, id),
                    got[k]
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// 4. Simplification keeps the value
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(384))]

    #[test]
    fn simplification_preserves_value(tree in tree_with(5, 28), points in points()) {
        let text = tree.text();
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &text)? else { return Ok(()) };
        let syms = symbols(&mut pool);
        for p in &points {
            let raw = raw_eval(&tree, p);
            if !raw.reliable() || raw.value.abs() > HUGE {
                continue;
            }
            let canonical = eval_at(&pool, f, &syms, p);
            // Subnormal values are not resolved: `sech(710)` is 4e-309, or 0 where cosh
            // overflows first.
            let tolerance = 1e-9 * raw.value.abs() + 1e3 * raw.error + f64::MIN_POSITIVE;
            let close = (canonical - raw.value).abs() <= tolerance;
            if !close && leaves_the_floating_point_range(&pool, f, &syms, p)
            {
                // The canonical form overflows on the way (`(1/2)^w * sqrt(2)^w` is
                // `0 * inf` for a large `w`, where `sqrt(1/2)^w` is just 0), or holds a
                // number too small or large for `f64` outside a product's coefficient.
                continue;
            }
            prop_assert!(
                close,
                "`{}` is {} (± {:e}) at {:?}, but its canonical form `{}` evaluates to {}",
                text,
                raw.value,
                raw.error,
                p,
                print(&pool, f),
                canonical
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// 5. Collecting like terms does not depend on the order
// ---------------------------------------------------------------------------------------

/// Term texts with a small integer (a coefficient or a power).
type Items = Vec<(String, i32)>;

/// Terms drawn from a few random expressions, each repeated with a small integer
/// coefficient or power so that like terms and like factors meet; the same list in two
/// random orders.
fn repeated_items() -> impl Strategy<Value = (Items, Items)> {
    let bases = prop::collection::vec(tree_with(3, 8).prop_map(|t| t.text()), 1..4);
    bases
        .prop_flat_map(|bases| {
            let n = bases.len();
            prop::collection::vec((0..n, -3i32..=3), 2..7).prop_map(move |picks| {
                picks
                    .into_iter()
                    .map(|(i, c)| (bases[i].clone(), c))
                    .collect::<Vec<_>>()
            })
        })
        .prop_flat_map(|items| (Just(items.clone()), Just(items).prop_shuffle()))
}

fn sum_text(items: &[(String, i32)]) -> String {
    let terms: Vec<String> = items
        .iter()
        .map(|(t, c)| match c {
            1 => format!("({t})"),
            -1 => format!("-({t})"),
            c => format!("{c}*({t})"),
        })
        .collect();
    terms.join(" + ")
}

fn product_text(items: &[(String, i32)]) -> String {
    let factors: Vec<String> = items
        .iter()
        .map(|(t, c)| match c {
            1 => format!("({t})"),
            c => format!("({t})^({c})"),
        })
        .collect();
    factors.join("*")
}

/// `parts` joined by `op`, grouped from the left (`((a + b) + c)`) or from the right.
fn grouped(parts: &[String], op: &str, from_left: bool) -> String {
    let mut parts = parts.iter();
    if from_left {
        let first = parts.next().cloned().unwrap_or_default();
        parts.fold(first, |acc, part| format!("({acc}{op}{part})"))
    } else {
        let mut rev = parts.rev();
        let last = rev.next().cloned().unwrap_or_default();
        rev.fold(last, |acc, part| format!("({part}{op}{acc})"))
    }
}

/// Parses two texts of the same expression into one pool; both must give the same id.
fn check_same(first: &str, second: &str) -> Result<(), TestCaseError> {
    let mut pool = Pool::new();
    let (a, b) = match (parse(&mut pool, first), parse(&mut pool, second)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(Error::Undefined { .. }), _) | (_, Err(Error::Undefined { .. })) => return Ok(()),
        (Err(e), _) | (_, Err(e)) => return Err(TestCaseError::fail(format!("parse error: {e}"))),
    };
    prop_assert_eq!(
        a,
        b,
        "`{}` gives `{}` but `{}` gives `{}`",
        first,
        print(&pool, a),
        second,
        print(&pool, b)
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn collecting_like_terms_is_order_independent((items, shuffled) in repeated_items()) {
        check_same(&sum_text(&items), &sum_text(&shuffled))?;
        let reversed: Vec<_> = items.iter().rev().cloned().collect();
        check_same(&sum_text(&items), &sum_text(&reversed))?;
    }

    #[test]
    fn collecting_like_factors_is_order_independent((items, shuffled) in repeated_items()) {
        check_same(&product_text(&items), &product_text(&shuffled))?;
        let reversed: Vec<_> = items.iter().rev().cloned().collect();
        check_same(&product_text(&items), &product_text(&reversed))?;
    }

    #[test]
    fn regrouping_terms_gives_the_same_expression((items, _) in repeated_items()) {
        let terms: Vec<String> = items.iter().map(|(t, c)| format!("{c}*({t})")).collect();
        check_same(&grouped(&terms, " + ", true), &grouped(&terms, " + ", false))?;
        check_same(&grouped(&terms, " + ", true), &sum_text(&items))?;
    }

    // KNOWN BUG (finding 10): a product merges only factors with equal bases, while integer
    // powers rewrite their bases (`abs(u)^2` → `u^2`, `(-u)^2` → `u^2`, `(u*v)^3` →
    // `u^3*v^3`), so the grouping of a product can still change its canonical form. The
    // default 256 cases pass since odd powers of `abs` split, roots of perfect powers reduce
    // and even powers meet absolute values; at 20,000 cases a symbolic power of a negative
    // number (not real anywhere) still differs: `(-2)^(y - 2)` squared twice is
    // `(-2)^(4*y - 8)` one way and `(-2)^(2*y - 4)*(-2)^(2*y - 4)` the other.
    #[test]
    #[ignore = "KNOWN BUG (finding 10): the canonical form of a product depends on its grouping"]
    fn regrouping_factors_gives_the_same_expression((items, _) in repeated_items()) {
        let factors: Vec<String> = items.iter().map(|(t, c)| format!("({t})^({c})")).collect();
        check_same(&grouped(&factors, "*", true), &grouped(&factors, "*", false))?;
        check_same(&grouped(&factors, "*", true), &product_text(&items))?;
    }
}

// ---------------------------------------------------------------------------------------
// 6. Known identities
// ---------------------------------------------------------------------------------------

fn canonical(text: &str) -> String {
    let mut pool = Pool::new();
    let id = parse(&mut pool, text).unwrap_or_else(|e| panic!("`{text}`: {e}"));
    print(&pool, id)
}

fn derivative(text: &str, var: &str) -> String {
    let mut pool = Pool::new();
    let id = parse(&mut pool, text).unwrap_or_else(|e| panic!("`{text}`: {e}"));
    let var = pool.symbol(var);
    let d = diff(&mut pool, id, var);
    print(&pool, d)
}

#[test]
fn square_root_of_a_square_is_the_absolute_value() {
    assert_eq!(canonical("sqrt(x^2)"), "abs(x)");
    assert_eq!(canonical("(x^2)^(1/2)"), "abs(x)");
}

#[test]
fn odd_root_of_an_odd_power_is_the_variable() {
    assert_eq!(canonical("cbrt(x^3)"), "x");
}

#[test]
fn commuted_products_cancel() {
    assert_eq!(canonical("x*y - y*x"), "0");
    assert_eq!(canonical("2*(x + 1) - 2*x"), "2");
}

#[test]
fn like_terms_and_factors_collect() {
    assert_eq!(canonical("2*x + 3*x"), "5*x");
    assert_eq!(canonical("x*x^2"), "x^3");
    assert_eq!(canonical("exp(x)*exp(-x)"), "1");
}

#[test]
fn exact_values_of_functions() {
    assert_eq!(canonical("sin(pi/6)"), "1/2");
    assert_eq!(canonical("ln(e)"), "1");
    assert_eq!(canonical("exp(ln(x))"), "x");
    assert_eq!(canonical("8^(2/3)"), "4");
}

#[test]
fn undefined_constants_are_errors() {
    let mut pool = Pool::new();
    for text in ["1/0", "ln(0)", "asin(2)", "0^0"] {
        assert!(
            matches!(parse(&mut pool, text), Err(Error::Undefined { .. })),
            "`{text}` should be undefined"
        );
    }
}

#[test]
fn textbook_derivatives() {
    assert_eq!(derivative("x^3", "x"), "3*x^2");
    assert_eq!(derivative("sin(x)*cos(x)", "y"), "0");
    assert_eq!(derivative("abs(x)", "x"), "sign(x)");
    assert_eq!(derivative("relu(x)", "x"), "step(x)");
    assert_eq!(derivative("exp(2*x)", "x"), "2*exp(2*x)");
}

#[test]
fn independent_evaluator_agrees_with_known_values() {
    assert!((erf_by_quadrature(0.5) - 0.520_499_877_813_046_5).abs() < 1e-12);
    assert!((erf_by_quadrature(-1.0) + 0.842_700_792_949_714_9).abs() < 1e-12);
    assert!((erf_by_quadrature(3.0) - 0.999_977_909_503_001_4).abs() < 1e-12);
    assert!((erf_by_quadrature(0.1) - 0.112_462_916_018_284_9).abs() < 1e-12);
    assert!((erf_by_quadrature(2.0) - 0.995_322_265_018_952_7).abs() < 1e-12);
    assert!((erf_by_quadrature(5.5) - 1.0).abs() < 1e-12);
    assert_eq!(real_pow(-8.0, 1.0 / 3.0, Some((1, 3))), -2.0);
    assert!(real_pow(-4.0, 0.5, Some((1, 2))).is_nan());
    let tree = Tree::Pow(Box::new(Tree::Var(0)), Box::new(Tree::Ratio(2, 3)));
    assert_eq!(tree.text(), "(x^(2/3))");
    assert!((raw_eval(&tree, &[-8.0, 0.0, 0.0]).value - 4.0).abs() < 1e-12);
}

// ---------------------------------------------------------------------------------------
// 7. Every step of a derivation is the derivative
// ---------------------------------------------------------------------------------------

/// The largest magnitude among the values of the nodes under `root` at `point`: the size
/// the rounding errors of an evaluation scale with.
fn magnitude(pool: &Pool, root: ExprId, syms: &[SymbolId; 3], point: &[f64; 3]) -> f64 {
    node_values(pool, root, syms, point)
        .values()
        .fold(0.0, |m, v| m.max(v.abs()))
}

/// Checks that every step of the derivation of `f` in coordinate `k`, printed and parsed
/// back, has the value of the derivative at `points`: a placeholder `diff(u, x)` parses as
/// the derivative of `u`, so this is the step with its placeholders replaced by the true
/// derivatives. The last step has no placeholder left. Returns the steps' rules.
fn check_derivation(
    pool: &mut Pool,
    f: ExprId,
    k: usize,
    points: &[[f64; 3]],
) -> Result<Vec<String>, TestCaseError> {
    let syms = symbols(pool);
    let df = diff(pool, f, syms[k]);
    let mut rules = Vec::new();
    if df == ExprId::UNDEFINED {
        // `(-1)^x`: no derivative, no derivation to check.
        return Ok(rules);
    }
    let derivation = deriv::calculus::derivation(pool, f, syms[k], None);
    for (n, step) in derivation.steps.iter().enumerate() {
        let text = print(pool, step.expr);
        if n + 1 == derivation.steps.len() {
            prop_assert!(!text.contains("diff("), "a placeholder is left in `{text}`");
        }
        let Some(value) = parse_defined(pool, &text)? else {
            return Err(TestCaseError::fail(format!(
                "step `{text}` ({}) is undefined",
                step.rule
            )));
        };
        for p in points {
            let exact = eval_at(pool, df, &syms, p);
            if !defined_everywhere_inside(pool, f, &syms, p)
                || !defined_everywhere_inside(pool, df, &syms, p)
                || exact.abs() > HUGE
                || leaves_the_floating_point_range(pool, value, &syms, p)
            {
                continue;
            }
            let got = eval_at(pool, value, &syms, p);
            let scale = magnitude(pool, df, &syms, p).max(magnitude(pool, value, &syms, p));
            prop_assert!(
                (got - exact).abs() <= 1e-8 * (1.0 + scale),
                "d/d{} of `{}`: step `{text}` ({}) is {got} at {p:?}, the derivative `{}` is \
                 {exact}",
                VARS[k],
                print(pool, f),
                step.rule,
                print(pool, df),
            );
        }
        rules.push(step.rule.clone());
    }
    Ok(rules)
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn steps_of_a_quotient_have_the_derivative_s_value(
        a in tree_with(3, 12),
        b in tree_with(3, 12),
        points in points(),
        k in 0usize..3,
    ) {
        let text = format!("{}/{}", a.text(), b.text());
        let mut pool = Pool::new();
        let Some(f) = parse_defined(&mut pool, &text)? else { return Ok(()) };
        check_derivation(&mut pool, f, k, &points)?;
    }
}

/// The quotient rule applies where a numerator and a denominator both vary, and each of
/// its steps has the derivative's value.
#[test]
fn quotients_derive_by_the_quotient_rule() {
    let points = [[0.3, 0.7, -1.2], [1.7, -0.4, 0.9], [-2.6, 1.1, 2.3]];
    for text in [
        "(2*x + 1)/(x - 4)",
        "x/(x^2 + 1)",
        "sin(x)/(1 - cos(x))",
        "sqrt(x)/(1 + x)",
        "x^2*sin(x)/(x + 1)",
        "3*y*exp(x)/(x^2 + y)^3",
        "x/sqrt(x^2 + 1)",
        "(x + 1)*(x - 2)/((x + 3)*(x^2 + 2))",
        "sin(x/(x + 1))/(x^2 + 3)",
        "ln(x^2 + 1)/(2*x + 1)^(3/2)",
    ] {
        let mut pool = Pool::new();
        let f = parse(&mut pool, text).unwrap();
        let rules =
            check_derivation(&mut pool, f, 0, &points).unwrap_or_else(|e| panic!("`{text}`: {e}"));
        assert_eq!(rules[0], "quotient rule", "`{text}`: {rules:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Exact arithmetic
// ---------------------------------------------------------------------------------------

fn big_rational() -> impl Strategy<Value = (i64, i64)> {
    let numerator = prop_oneof![
        -20i64..20,
        any::<i64>(),
        prop::sample::select(vec![i64::MIN, i64::MAX, i64::MIN + 1, 1 << 62, -(1 << 62)]),
    ];
    let denominator = prop_oneof![1i64..20, 1i64..i64::MAX];
    (numerator, denominator)
}

fn rational_text((p, q): (i64, i64)) -> String {
    format!("({p}/{q})")
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn rational_arithmetic_is_exact(a in big_rational(), b in big_rational(), k in 1u32..4) {
        let (a, b) = (rational_text(a), rational_text(b));
        for (left, right) in [
            (format!("{a} + {b} - {a}"), b.clone()),
            (format!("{a}*{b}/{b}"), a.clone()),
            (format!("({a} + {b})*({a} - {b})"), format!("{a}^2 - {b}^2")),
            (format!("({a}^{k})^2"), format!("{a}^(2*{k})")),
            (format!("({a} + x)*{b} - {b}*x"), format!("{a}*{b}")),
        ] {
            check_same(&left, &right)?;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Regression tests for the findings (they fail until the bugs are fixed)
// ---------------------------------------------------------------------------------------

#[test]
fn power_of_a_scaled_product_is_canonical() {
    assert_eq!(canonical("sqrt(2*x^2)"), "sqrt(2)*abs(x)");
    assert_eq!(canonical("sqrt(2/x)"), "sqrt(2)/sqrt(x)");
    assert_eq!(canonical("(2*x^3)^(1/3)"), "cbrt(2)*x");
    assert_eq!(canonical("sqrt(2*exp(x))"), "sqrt(2)*exp(x/2)");
}

fn assert_round_trip(pool: &mut Pool, id: ExprId) {
    let printed = print(pool, id);
    let again = parse(pool, &printed).unwrap();
    assert_eq!(again, id, "`{printed}` parses as `{}`", print(pool, again));
}

#[test]
fn negated_product_with_a_sum_round_trips() {
    // The first form of finding 2 (fixed).
    let mut pool = Pool::new();
    let f = parse(&mut pool, "x + (z + 0.05)/(x + y)").unwrap();
    let y = pool.symbol("y");
    let d = diff(&mut pool, f, y);
    assert_round_trip(&mut pool, d);
}

#[test]
fn negated_quotient_of_a_sum_round_trips() {
    let mut pool = Pool::new();
    let f = parse(&mut pool, "(pi - x)/(-x)").unwrap();
    assert_round_trip(&mut pool, f);
    let g = parse(&mut pool, "(x - y)/z").unwrap();
    let z = pool.symbol("z");
    let d = diff(&mut pool, g, z);
    assert_round_trip(&mut pool, d);
}

#[test]
fn number_times_sum_is_grouping_independent() {
    assert_eq!(canonical("2*(x + 1)*y - (2*x + 2)*y"), "0");
}

#[test]
fn derivative_of_zero_to_a_power_is_zero() {
    assert_eq!(derivative("0^x", "x"), "0");
    assert_eq!(derivative("y + 0^x", "x"), "0");
}

#[test]
fn fraction_over_a_sum_round_trips() {
    let mut pool = Pool::new();
    let f = parse(&mut pool, "x*0.05/(y + x + x)").unwrap();
    assert_round_trip(&mut pool, f);
    let g = parse(&mut pool, "atan(x*0.05)").unwrap();
    let x = pool.symbol("x");
    let d = diff(&mut pool, g, x);
    assert_round_trip(&mut pool, d);
}

#[test]
fn eval_is_nan_outside_the_real_domain() {
    let mut pool = Pool::new();
    let syms = symbols(&mut pool);
    for text in [
        "relu(sqrt(x))",
        "step(sqrt(x))",
        "sign(y)^sqrt(x)",
        "y^ln(x)",
    ] {
        let id = parse(&mut pool, text).unwrap();
        let value = eval_at(&pool, id, &syms, &[-1.0, 1.0, 1.0]);
        assert!(value.is_nan(), "`{text}` at x = -1, y = 1 is {value}");
    }
}

#[test]
fn like_factors_merge_after_a_merge() {
    // `sqrt(x^y)*sqrt(x^y)` is `x^y`, which then merges with the other `x^y`.
    assert_eq!(canonical("x^y*sqrt(x^y)*sqrt(x^y)"), "x^(2*y)");
    // Powers of one base merge when their exponents share a term (as in SymPy), so the
    // derivatives of `x^x` keep the factor `x^x` instead of making `x^(x - 1)`.
    assert_eq!(canonical("x^(2*y)*x^y*x^2*x"), "x^3*x^(3*y)");
    assert_eq!(canonical("x^x/x"), "x^x/x");
    assert_eq!(canonical("x^x*x^(-x)"), "1");
    assert_eq!(canonical("exp(x)*exp(x^2)"), "exp(x^2 + x)");
    // Powers of a product that merge to the product itself join as its factors: this
    // was `g*(-z)`, a product holding a product, so `g*z` did not cancel it.
    assert_eq!(canonical("sqrt(-z)^(-1)*sqrt(-z)^3*g"), "-g*z");
    assert_eq!(canonical("sqrt(-z)^(-1)*sqrt(-z)^3*g + g*z"), "0");
}

#[test]
fn huge_fractional_power_of_a_number_does_not_crash() {
    // In a child process: the stack overflow aborts the whole process.
    for text in ["2^(3300001/3)", "3^(1000000 + 1/3)", "(-1.5)^(2/3 - 100^3)"] {
        let output = deriv().arg(text).output().unwrap();
        assert!(
            output.status.code().is_some(),
            "`deriv {text}` was killed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn derivative_of_undefined_is_undefined() {
    let mut pool = Pool::new();
    let x = pool.symbol("x");
    assert_eq!(diff(&mut pool, ExprId::UNDEFINED, x), ExprId::UNDEFINED);
}

#[test]
fn eval_keeps_small_values_with_large_coefficients() {
    let mut pool = Pool::new();
    let syms = symbols(&mut pool);
    let id = parse(&mut pool, "(x/2)^1200").unwrap();
    let value = eval_at(&pool, id, &syms, &[1.5, 0.0, 0.0]);
    let expected = 0.75f64.powi(1200);
    assert!(
        (value - expected).abs() <= 1e-9 * expected,
        "(x/2)^1200 at x = 1.5 is {value}, expected {expected}"
    );
    // The compiled evaluator too.
    let tape = deriv::program::Tape::compile_exprs(&pool, &[id], &syms).unwrap();
    let value = tape.eval(&[1.5, 0.0, 0.0])[0];
    assert!(
        (value - expected).abs() <= 1e-9 * expected,
        "the tape of (x/2)^1200 at x = 1.5 is {value}, expected {expected}"
    );
}

/// A coefficient beyond `f64` scales the quotient after the division, in `eval` and in the
/// tape alike: `2^1100/y` at `y = 1e300` is finite, and `2^-1100/y` at `1e-300` is not 0.
#[test]
fn coefficients_beyond_f64_scale_after_dividing() {
    for (text, y) in [("2^1100/y", 1e300f64), ("2^-1100/y", 1e-300)] {
        let mut pool = Pool::new();
        let syms = symbols(&mut pool);
        let id = parse(&mut pool, text).unwrap();
        let sign = if text.contains('-') { -1.0 } else { 1.0 };
        let expected = (sign * 1100.0 * 2f64.ln() - y.ln()).exp();
        let tape = deriv::program::Tape::compile_exprs(&pool, &[id], &syms).unwrap();
        let values = [
            eval_at(&pool, id, &syms, &[0.0, y, 0.0]),
            tape.eval(&[0.0, y, 0.0])[0],
        ];
        for value in values {
            assert!(
                (value - expected).abs() <= 1e-9 * expected,
                "{text} at y = {y:e} is {value:e}, expected {expected:e}"
            );
        }
    }
}

#[test]
fn powers_of_one_base_in_other_forms_merge() {
    assert_eq!(canonical("abs(x)^3 - abs(x)*abs(x)^2"), "0");
    assert_eq!(canonical("sqrt(x^y)^3 - x^y*sqrt(x^y)"), "0");
    // A perfect power under a root is its root's power: 4^(1/4) = 2^(1/2).
    assert_eq!(canonical("4^(1/4)"), "sqrt(2)");
    assert_eq!(canonical("4^(3/4)"), "2*sqrt(2)");
    assert_eq!(canonical("4^(3/4) - 2*4^(1/4)"), "0");
    assert_eq!(canonical("64^(1/4)"), "2*sqrt(2)");
    assert_eq!(canonical("27^(2/5)"), "3*3^(1/5)");
    assert_eq!(canonical("(11/4)^(3/4)"), "11^(3/4)*sqrt(2)/4");
    assert_eq!(canonical("36^(1/4)"), "sqrt(6)");
}

#[test]
fn a_sign_meets_its_argument() {
    assert_eq!(canonical("x*sign(x)"), "abs(x)");
    assert_eq!(canonical("abs(x)^3"), "x^2*abs(x)");
    assert_eq!(canonical("sign(x)*abs(x)"), "x");
    assert_eq!(canonical("y*sign(x)*x^2"), "x*y*abs(x)");
    assert_eq!(canonical("sign(x)*x^2 - x*abs(x)"), "0");
    // The derivative of |x|^3 = x^2*|x| collects: 2*x*|x| + x^2*sign(x) = 3*x*|x|.
    assert_eq!(derivative("abs(x)^3", "x"), "3*x*abs(x)");
    assert_eq!(
        derivative("abs(sin(x))^3", "x"),
        "3*abs(sin(x))*cos(x)*sin(x)"
    );
    // Only positive powers absorb a sign: sign(x)/x stays as written (1/|x| is as right).
    assert_eq!(canonical("sign(x)/x"), "sign(x)/x");
    // sign(u)/|u| is 1/u, both undefined at 0: the logarithm's derivative is a textbook's.
    assert_eq!(canonical("sign(x)/abs(x)"), "1/x");
    assert_eq!(canonical("sign(x - 1)/abs(x - 1)^3"), "1/(x - 1)^3");
    assert_eq!(derivative("ln(abs(x))", "x"), "1/x");
    assert_eq!(derivative("ln(abs(cos(x)))", "x"), "-sin(x)/cos(x)");
    // In a denominator too, however the factors were grouped: the derivative of
    // `6/sign(x)*log(x, y)` printed `6/(x*ln(y)*sign(x))`, which read back as
    // `6/(abs(x)*ln(y))` (found with PROPTEST_CASES=30000).
    assert_eq!(canonical("1/x*1/sign(x)"), "1/abs(x)");
    assert_eq!(canonical("1/x^2*1/sign(x)"), "1/(x*abs(x))");
    assert_eq!(canonical("1/sign(x)*1/abs(x)"), "1/x");
    assert_eq!(derivative("6/sign(x)*log(x, y)", "x"), "6/(abs(x)*ln(y))");
}

#[test]
fn even_powers_meet_absolute_values() {
    assert_eq!(canonical("x^2/abs(x)"), "abs(x)");
    assert_eq!(canonical("abs(x)/x^2"), "1/abs(x)");
    assert_eq!(canonical("abs(x)/x^4 - 1/(x^2*abs(x))"), "0");
    assert_eq!(canonical("x^4/abs(x) - x^2*abs(x)"), "0");
    // Powers of the same sign already say it one way: x^2*|x| is |x|^3.
    assert_eq!(canonical("x^2*abs(x)"), "x^2*abs(x)");
}

#[test]
#[ignore = "KNOWN BUG (finding 10): factors with related bases are not merged"]
fn products_with_related_bases_merge() {
    assert_eq!(canonical("((x*z)^(1/2))^3 - x*z*sqrt(x*z)"), "0");
    assert_eq!(canonical("12^(7/10) - 2*sqrt(3)*12^(1/5)"), "0");
}
