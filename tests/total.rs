//! Total derivatives: the chain rule under constraints equals differentiating the
//! constrained expression, on random expressions and random chains of substitutions.

use deriv::{Dependencies, ExprId, Pool, Substitution, diff, eval, parse, print, total_diff};
use proptest::prelude::*;
use rustc_hash::FxHashMap;

/// A random expression over `vars` as text, fully parenthesized.
fn expr_in(vars: &'static [&'static str], depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        proptest::sample::select(vars).prop_map(str::to_string),
        (1i32..5).prop_map(|n| n.to_string()),
    ];
    leaf.prop_recursive(depth, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} - {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} * {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} / (({b})^2 + 1))")),
            (inner.clone(), 2u32..4).prop_map(|(a, n)| format!("({a})^{n}")),
            (
                proptest::sample::select(&["sin", "cos", "exp", "atan", "sigmoid"][..]),
                inner
            )
                .prop_map(|(f, a)| format!("{f}({a})")),
        ]
    })
    .boxed()
}

fn values(pool: &mut Pool, point: &[f64; 4]) -> FxHashMap<deriv::SymbolId, f64> {
    ["x", "t", "u", "y"]
        .iter()
        .zip(point)
        .map(|(name, &value)| (pool.symbol(name), value))
        .collect()
}

/// Equal as expressions, or (when the canonical forms differ) equal in value.
fn assert_same(
    pool: &mut Pool,
    a: ExprId,
    b: ExprId,
    point: &[f64; 4],
) -> Result<(), TestCaseError> {
    if a == b {
        return Ok(());
    }
    let values = values(pool, point);
    let (va, vb) = (eval(pool, a, &values), eval(pool, b, &values));
    if !va.is_finite() || !vb.is_finite() || va.abs() > 1e8 {
        return Ok(());
    }
    let tolerance = 1e-9 * (1.0 + va.abs().max(vb.abs()));
    prop_assert!(
        (va - vb).abs() <= tolerance,
        "{} != {} at {point:?}: {va} vs {vb}",
        print(pool, a),
        print(pool, b)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// df/dx by the chain rule with t = g(x, u) and u = h(x) equals d(f(x, t(x, u(x)), y))/dx.
    #[test]
    fn total_derivative_equals_derivative_of_the_substituted_expression(
        f in expr_in(&["x", "t", "u", "y"], 4),
        t in expr_in(&["x", "u"], 3),
        u in expr_in(&["x", "y"], 3),
        point in prop::array::uniform4(-1.5f64..1.5),
    ) {
        let mut pool = Pool::new();
        let f = parse(&mut pool, &f).unwrap();
        let (t_expr, u_expr) = (parse(&mut pool, &t).unwrap(), parse(&mut pool, &u).unwrap());
        let (x, t, u) = (pool.symbol("x"), pool.symbol("t"), pool.symbol("u"));
        let mut chain = Substitution::new();
        chain.insert(t, t_expr);
        chain.insert(u, u_expr);
        let resolved = chain.resolve(&mut pool).unwrap();
        let deps = Dependencies { substitution: resolved.clone(), depends: vec![] };
        let by_chain_rule = total_diff(&mut pool, f, x, &deps);
        let substituted = resolved.apply(&mut pool, f);
        let directly = diff(&mut pool, substituted, x);
        assert_same(&mut pool, by_chain_rule, directly, &point)?;
    }

    /// Without substitutions or dependencies the total derivative is the partial one.
    #[test]
    fn total_derivative_without_dependencies_is_the_partial(
        f in expr_in(&["x", "t", "y"], 4),
    ) {
        let mut pool = Pool::new();
        let f = parse(&mut pool, &f).unwrap();
        let x = pool.symbol("x");
        let total = total_diff(&mut pool, f, x, &Dependencies::default());
        prop_assert_eq!(total, diff(&mut pool, f, x));
    }
}

#[test]
fn substitution_cycles_are_reported_with_their_path() {
    let mut pool = Pool::new();
    let (t, x, u) = (pool.symbol("t"), pool.symbol("x"), pool.symbol("u"));
    let mut chain = Substitution::new();
    let (ex, eu, et) = (pool.sym(x), pool.sym(u), pool.sym(t));
    chain.insert(t, eu);
    chain.insert(u, ex);
    chain.insert(x, et);
    let cycle = chain.resolve(&mut pool).unwrap_err();
    let names: Vec<&str> = cycle.path.iter().map(|&s| pool.symbol_name(s)).collect();
    assert_eq!(names, ["t", "u", "x", "t"]);
}

#[test]
fn chains_resolve_to_a_fixed_point() {
    let mut pool = Pool::new();
    let (t, y) = (pool.symbol("t"), pool.symbol("y"));
    let mut chain = Substitution::new();
    let sin_t = parse(&mut pool, "sin(t)").unwrap();
    let x_squared = parse(&mut pool, "x^2").unwrap();
    chain.insert(y, sin_t);
    chain.insert(t, x_squared);
    let resolved = chain.resolve(&mut pool).unwrap();
    let replacement = resolved.get(y).unwrap();
    assert_eq!(print(&pool, replacement), "sin(x^2)");
}

#[test]
fn dependent_variables_differentiate_to_unevaluated_derivatives() {
    let mut pool = Pool::new();
    let (x, y) = (pool.symbol("x"), pool.symbol("y"));
    let f = parse(&mut pool, "x*y^2").unwrap();
    let deps = Dependencies {
        substitution: Substitution::new(),
        depends: vec![(y, x)],
    };
    let first = total_diff(&mut pool, f, x, &deps);
    assert_eq!(print(&pool, first), "2*x*y*diff(y, x) + y^2");
    let second = total_diff(&mut pool, first, x, &deps);
    let expected = "2*x*y*diff(y, x, 2) + 2*x*diff(y, x)^2 + 4*y*diff(y, x)";
    assert_eq!(print(&pool, second), expected);
    // The printed form reads back, given the same dependency.
    let options = deriv::ParseOptions {
        depends: vec![(y, x)],
        ..deriv::ParseOptions::default()
    };
    assert_eq!(
        deriv::parse_with(&mut pool, expected, &options).unwrap(),
        second
    );
}
