//! proptest strategies for random expressions: [`Tree`]s over `x`, `y`, `z` (with every
//! built-in function, and optionally unknown functions), text over any variables for the
//! chain-rule properties, points to evaluate at, and the shared proptest configuration.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use super::tree::{Fun, Multi, Op, Tree, Unknown};

/// A variable or a number.
fn leaf() -> impl Strategy<Value = Tree> {
    prop_oneof![
        6 => (0usize..3).prop_map(Tree::Var),
        2 => (0u32..=5).prop_map(Tree::Int),
        1 => prop::sample::select(vec![6u32, 8, 9, 12, 16, 27, 72, 100]).prop_map(Tree::Int),
        1 => prop::sample::select(vec![5u32, 25, 50, 150, 275, 10]).prop_map(Tree::Decimal),
        1 => prop::sample::select(vec![(1u32, 2u32), (3, 4), (2, 3), (5, 3), (1, 3)])
            .prop_map(|(p, q)| Tree::Ratio(p, q)),
        1 => Just(Tree::Pi),
        1 => Just(Tree::E),
    ]
}

/// An exponent: mostly small integers and simple fractions, sometimes a variable.
fn exponent() -> impl Strategy<Value = Tree> {
    prop_oneof![
        4 => (0u32..=4).prop_map(Tree::Int),
        2 => (1u32..=3).prop_map(|n| Tree::Neg(Box::new(Tree::Int(n)))),
        2 => Just(Tree::Ratio(1, 2)),
        2 => Just(Tree::Ratio(1, 3)),
        1 => Just(Tree::Ratio(2, 3)),
        1 => Just(Tree::Ratio(3, 2)),
        1 => Just(Tree::Neg(Box::new(Tree::Ratio(1, 2)))),
        1 => Just(Tree::Neg(Box::new(Tree::Ratio(1, 3)))),
        1 => Just(Tree::Decimal(50)),
        2 => (0usize..3).prop_map(Tree::Var),
    ]
}

/// A binary operator.
fn op() -> impl Strategy<Value = Op> {
    prop::sample::select(vec![Op::Add, Op::Sub, Op::Mul, Op::Div])
}

/// A function of one argument.
fn fun() -> impl Strategy<Value = Fun> {
    prop::sample::select(Fun::ALL.to_vec())
}

/// A function of several arguments and how many it gets.
fn multi() -> impl Strategy<Value = (Multi, usize)> {
    (prop::sample::select(Multi::ALL.to_vec()), 2usize..=3)
        .prop_map(|(m, n)| (m, if m.variadic() { n } else { 2 }))
}

/// A call of a function of several arguments, the arguments drawn from `inner`.
fn multi_call(inner: impl Strategy<Value = Tree> + Clone) -> impl Strategy<Value = Tree> {
    (multi(), prop::collection::vec(inner, 3)).prop_map(|((m, n), mut args)| {
        args.truncate(n);
        Tree::Multi(m, args)
    })
}

/// Random expression trees of depth at most `depth` and about `size` nodes.
pub fn tree_with(depth: u32, size: u32) -> impl Strategy<Value = Tree> {
    leaf().prop_recursive(depth, size, 2, |inner| {
        prop_oneof![
            4 => (op(), inner.clone(), inner.clone())
                .prop_map(|(op, a, b)| Tree::Bin(op, Box::new(a), Box::new(b))),
            1 => inner.clone().prop_map(|a| Tree::Neg(Box::new(a))),
            2 => (inner.clone(), exponent()).prop_map(|(a, b)| Tree::Pow(Box::new(a), Box::new(b))),
            1 => (inner.clone(), inner.clone())
                .prop_map(|(a, b)| Tree::Pow(Box::new(a), Box::new(b))),
            3 => (fun(), inner.clone()).prop_map(|(f, a)| Tree::Call(f, Box::new(a))),
            1 => multi_call(inner),
        ]
    })
}

/// Like [`tree_with`], with unknown functions `f(u)`, `f'(u)`, `g(u, v)`, `D[1,2](g)(u, v)`.
pub fn tree_with_unknowns(depth: u32, size: u32) -> impl Strategy<Value = Tree> {
    leaf().prop_recursive(depth, size, 2, |inner| {
        prop_oneof![
            4 => (op(), inner.clone(), inner.clone())
                .prop_map(|(op, a, b)| Tree::Bin(op, Box::new(a), Box::new(b))),
            1 => inner.clone().prop_map(|a| Tree::Neg(Box::new(a))),
            2 => (inner.clone(), exponent()).prop_map(|(a, b)| Tree::Pow(Box::new(a), Box::new(b))),
            1 => (inner.clone(), inner.clone())
                .prop_map(|(a, b)| Tree::Pow(Box::new(a), Box::new(b))),
            3 => (fun(), inner.clone()).prop_map(|(f, a)| Tree::Call(f, Box::new(a))),
            1 => multi_call(inner.clone()),
            1 => (0usize..=4, inner.clone())
                .prop_map(|(primes, a)| Tree::Unknown(Unknown::F { primes, arg: Box::new(a) })),
            1 => (prop::collection::vec(1u8..=2, 0..4), inner.clone(), inner)
                .prop_map(|(indices, a, b)| {
                    Tree::Unknown(Unknown::G { indices, args: Box::new((a, b)) })
                }),
        ]
    })
}

/// Random expression trees of the default size (depth 4, about 20 nodes).
pub fn tree() -> impl Strategy<Value = Tree> {
    tree_with(4, 20)
}

/// A coordinate in [-2, 2], sometimes in [-6, 6], away from integers (where `abs`, `sign`,
/// roots… kink).
fn coordinate() -> impl Strategy<Value = f64> {
    let offset = prop_oneof![3 => -2i32..2, 1 => -6i32..6];
    (offset, 0.06f64..0.94).prop_map(|(k, f)| f64::from(k) + f)
}

/// A point: a value for each of `x`, `y`, `z`.
fn point() -> impl Strategy<Value = [f64; 3]> {
    [coordinate(), coordinate(), coordinate()]
}

/// Four points.
pub fn points() -> impl Strategy<Value = Vec<[f64; 3]>> {
    prop::collection::vec(point(), 4)
}

/// The proptest configuration: `PROPTEST_CASES` when set, otherwise `default_cases`; no
/// regression files are written.
pub fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..ProptestConfig::default()
    }
}

/// A random expression over `vars` as fully parenthesized text: sums, differences,
/// products, quotients by a positive denominator, small powers, and `sin`, `cos`, `exp`,
/// `atan`, `sigmoid`, to depth `depth`.
pub fn expr_in(vars: &'static [&'static str], depth: u32) -> BoxedStrategy<String> {
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
