//! Total derivatives: the chain rule under constraints equals differentiating the
//! constrained expression, on random expressions and random chains of substitutions.

use deriv::verify::{Verdict, compare};
use deriv::{Dependencies, ExprId, Pool, Substitution, diff, eval, parse, print, total_diff};
use proptest::prelude::*;
use rustc_hash::FxHashMap;

use crate::common::generate::expr_in;

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

/// How one of the variables `a`, `b`, `c`, `y` of [`dependency_chains_agree_with_concrete_functions`]
/// varies: replaced by an expression, dependent on another variable, or left free.
#[derive(Clone, Debug)]
enum Role {
    Substituted(String),
    Dependent(&'static str),
    Free,
}

/// The variables a role may refer to: the later ones and `x`, so no circle can form.
const LATER: [&[&str]; 4] = [&["b", "c", "y", "x"], &["c", "y", "x"], &["y", "x"], &["x"]];
const NAMES: [&str; 4] = ["a", "b", "c", "y"];

fn role(later: &'static [&'static str]) -> BoxedStrategy<Role> {
    prop_oneof![
        expr_in(later, 2).prop_map(Role::Substituted),
        proptest::sample::select(later).prop_map(Role::Dependent),
        Just(Role::Free),
    ]
    .boxed()
}

/// Which variables vary besides those declared: `--depends` alone, `--vary-all`, or
/// `--const` with the free variables whose bit is set.
#[derive(Clone, Debug)]
enum Convention {
    Declared,
    VaryAll,
    Const(u8),
}

/// A concrete smooth function standing in for variable `k`, in the variable `s`.
fn concrete(k: usize, s: &str) -> String {
    format!(
        "{}*sin({s}) + {}*{s} + {}/7",
        k + 2,
        3 - k as i64 * 2,
        k + 1
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// For random chains of substitutions and dependencies under each convention, the
    /// symbolic total derivative (first and second) equals the derivative of the
    /// expression in which every varying variable is a concrete function of what it
    /// depends on, at a random point.
    #[test]
    fn dependency_chains_agree_with_concrete_functions(
        f in expr_in(&["x", "a", "b", "c", "y"], 3),
        roles in (role(LATER[0]), role(LATER[1]), role(LATER[2]), role(LATER[3])),
        convention in prop_oneof![
            Just(Convention::Declared),
            Just(Convention::VaryAll),
            (0u8..16).prop_map(Convention::Const),
        ],
        second in any::<bool>(),
        point in prop::array::uniform4(-1.5f64..1.5),
        x_value in -1.5f64..1.5,
    ) {
        let roles = [roles.0, roles.1, roles.2, roles.3];
        let mut request = deriv::request::Request {
            wrt: if second { vec!["x".into(), "x".into()] } else { vec!["x".into()] },
            total: true,
            max_depth: deriv::DEFAULT_MAX_DEPTH,
            ..Default::default()
        };
        let mut constants = Vec::new();
        for (k, role) in roles.iter().enumerate() {
            match role {
                Role::Substituted(text) => {
                    let option = format!("{}={text}", NAMES[k]);
                    let assignment =
                        deriv::request::parse_assignment(&option, &option, 0, "--subst").unwrap();
                    request.subst.push(assignment);
                }
                Role::Dependent(on) => {
                    request.depends.push((NAMES[k].into(), Some(on.to_string())));
                }
                Role::Free => {
                    if let Convention::Const(bits) = convention && bits & (1 << k) != 0 {
                        constants.push(NAMES[k].to_string());
                    }
                }
            }
        }
        request.varying = match convention {
            Convention::Declared => None,
            _ => Some(deriv::request::Varying::AllExcept(constants.clone())),
        };
        let mut pool = Pool::new();
        let outcome = request.run(&mut pool, &[&f]).unwrap();
        let symbolic = outcome.lines[0].value;

        // Each varying variable becomes a concrete function of what it depends on.
        let x = pool.symbol("x");
        let mut concrete_rules = Substitution::new();
        let mut derivatives = FxHashMap::default();
        for (k, role) in roles.iter().enumerate() {
            let v = pool.symbol(NAMES[k]);
            let on = match role {
                Role::Substituted(text) => {
                    let replacement = parse(&mut pool, text).unwrap();
                    concrete_rules.insert(v, replacement);
                    continue;
                }
                Role::Dependent(on) => *on,
                Role::Free if matches!(convention, Convention::Declared) => continue,
                Role::Free if constants.iter().any(|c| c == NAMES[k]) => continue,
                Role::Free => "x",
            };
            let on_symbol = pool.symbol(on);
            let mut g = parse(&mut pool, &concrete(k, on)).unwrap();
            concrete_rules.insert(v, g);
            for order in 1..=3 {
                g = diff(&mut pool, g, on_symbol);
                derivatives.insert(pool.derivative(v, on_symbol, order), g);
            }
        }
        let concrete_rules = concrete_rules.resolve(&mut pool).unwrap();
        let instantiated = deriv::replace(&mut pool, symbolic, &derivatives);
        let instantiated = concrete_rules.apply(&mut pool, instantiated);
        let parsed = parse(&mut pool, &f).unwrap();
        let mut expected = concrete_rules.apply(&mut pool, parsed);
        for _ in 0..if second { 2 } else { 1 } {
            expected = diff(&mut pool, expected, x);
        }
        let mut at = [x_value, point[1], point[2], point[3]];
        at[0] = x_value;
        let names = ["x", "b", "c", "y"];
        let mut values: FxHashMap<deriv::SymbolId, f64> = names
            .iter()
            .zip(at)
            .map(|(name, value)| (pool.symbol(name), value))
            .collect();
        values.insert(pool.symbol("a"), point[0]);
        let (got, want) = (
            eval(&pool, instantiated, &values),
            eval(&pool, expected, &values),
        );
        // A form whose parts overflow a double (`exp(2*exp(8))`) gives NaN where the
        // concrete one does not: floating point, not a wrong rule.
        let overflows = !got.is_finite() && overflows(&pool, instantiated, &values);
        if want.is_finite() && want.abs() < 1e8 && !overflows {
            let tolerance = 1e-8 * (1.0 + want.abs());
            // A tidied form with large coefficients (`(x/17)^2` substituted brings 17^8)
            // can cancel in floating point: there the exact comparison decides.
            let same = (got - want).abs() <= tolerance
                || matches!(
                    compare(&mut pool, instantiated, expected),
                    Verdict::Equal | Verdict::NumericallyEqual { .. }
                );
            prop_assert!(
                same,
                "{f} with {roles:?} under {convention:?}: {} gives {got}, the concrete {} gives {want}",
                print(&pool, symbolic),
                print(&pool, expected)
            );
        }
    }
}

/// Whether some part of `expr` is infinite in floating point at `values`.
fn overflows(pool: &Pool, expr: ExprId, values: &FxHashMap<deriv::SymbolId, f64>) -> bool {
    let mut stack = vec![expr];
    let mut seen = rustc_hash::FxHashSet::default();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if eval(pool, id, values).is_infinite() {
            return true;
        }
        stack.extend_from_slice(pool.children(id));
    }
    false
}

#[test]
fn dependencies_compose_through_chains_and_substitutions() {
    type Pairs = &'static [(&'static str, &'static str)];
    let cases: [(&str, Pairs, Pairs, &str, &str); 4] = [
        (
            "a*b",
            &[("a", "x"), ("b", "x"), ("x", "t")],
            &[],
            "t",
            "a*diff(b, x)*diff(x, t) + b*diff(a, x)*diff(x, t)",
        ),
        (
            "t*x",
            &[("t", "u")],
            &[("u", "x^2")],
            "x",
            "t + 2*x^2*diff(t, u)",
        ),
        ("y", &[("y", "t")], &[("t", "x^2")], "x", "2*x*diff(y, t)"),
        // The order of mention does not matter.
        (
            "y",
            &[("x", "t"), ("y", "x")],
            &[],
            "t",
            "diff(x, t)*diff(y, x)",
        ),
    ];
    for (f, depends, subst, var, expected) in cases {
        let mut pool = Pool::new();
        let expr = parse(&mut pool, f).unwrap();
        let depends = depends
            .iter()
            .map(|(d, on)| (pool.symbol(d), pool.symbol(on)))
            .collect();
        let mut substitution = Substitution::new();
        for (v, text) in subst {
            let replacement = parse(&mut pool, text).unwrap();
            substitution.insert(pool.symbol(v), replacement);
        }
        let deps = Dependencies {
            substitution: substitution.resolve(&mut pool).unwrap(),
            depends,
        };
        deps.check(&pool).unwrap();
        let var = pool.symbol(var);
        let result = total_diff(&mut pool, expr, var, &deps);
        assert_eq!(
            print(&pool, result),
            expected,
            "d({f})/d{}",
            pool.symbol_name(var)
        );
    }
}

#[test]
fn dependency_cycles_and_conflicts_are_refused() {
    let mut pool = Pool::new();
    let (x, t, y, u) = (
        pool.symbol("x"),
        pool.symbol("t"),
        pool.symbol("y"),
        pool.symbol("u"),
    );
    let deps = Dependencies {
        substitution: Substitution::new(),
        depends: vec![(x, t), (t, x)],
    };
    assert_eq!(
        deps.check(&pool),
        Err(deriv::DependencyError::Cycle(vec![x, t, x]))
    );
    let f = pool.sym(y);
    assert_eq!(total_diff(&mut pool, f, x, &deps), ExprId::UNDEFINED);
    // Through a substitution: t depends on u, and u is replaced by t^2.
    let mut substitution = Substitution::new();
    let t_squared = parse(&mut pool, "t^2").unwrap();
    substitution.insert(u, t_squared);
    let deps = Dependencies {
        substitution,
        depends: vec![(t, u)],
    };
    assert_eq!(
        deps.check(&pool),
        Err(deriv::DependencyError::Cycle(vec![u, t, u]))
    );
    let deps = Dependencies {
        substitution: Substitution::new(),
        depends: vec![(y, x), (y, t)],
    };
    assert_eq!(
        deps.check(&pool),
        Err(deriv::DependencyError::TwoVariables(y, x, t))
    );
}
