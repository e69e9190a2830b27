//! The display order of the operands of sums and products.

use std::cmp::Ordering;

use smallvec::SmallVec;

use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Node, Pool};

/// The terms of a sum in the order they are printed: polynomials by descending degree,
/// constants last.
pub(crate) fn sum_order(pool: &Pool, terms: &[ExprId]) -> Vec<ExprId> {
    // Keys once per term, not once per comparison.
    let mut keyed: Vec<(TermKey, ExprId)> = terms.iter().map(|t| (term_key(pool, t), *t)).collect();
    keyed.sort_by(|(ka, a), (kb, b)| compare_keys(pool, ka, *a, kb, *b));
    keyed.into_iter().map(|(_, t)| t).collect()
}

/// The factors of a product in the order they are printed: the number first, then
/// constants, variables and calls by name.
pub(crate) fn product_order(pool: &Pool, factors: &[ExprId]) -> Vec<ExprId> {
    let mut ops = factors.to_vec();
    let start = usize::from(ops.first().is_some_and(|&f| pool.as_num(f).is_some()));
    // A key is a few loads, cheaper to find again than to keep for the few factors of a
    // product.
    ops[start..].sort_by(|&a, &b| factor_key(pool, a).cmp(&factor_key(pool, b)));
    ops
}

/// The sort key of a product's factor: kind, then name, then shape.
fn factor_key(pool: &Pool, factor: ExprId) -> (u8, &str, u64) {
    let base = match pool.node(factor) {
        Node::Pow([base, _]) => *base,
        _ => factor,
    };
    let (rank, name) = match pool.node(base) {
        Node::Num(_) => (0, ""),
        Node::Const(Constant::Pi) => (1, "pi"),
        Node::Const(Constant::E) => (1, "e"),
        Node::Sym(symbol) => (2, pool.symbol_name(*symbol)),
        Node::Apply { name, .. } => (3, pool.symbol_name(*name)),
        Node::Derivative { of, .. } => (3, pool.symbol_name(*of)),
        Node::Call(func, _) => (4, func.name()),
        Node::Atan2(_) => (4, "atan2"),
        Node::Min(_) => (4, "min"),
        Node::Max(_) => (4, "max"),
        Node::LogSumExp(_) => (4, "logsumexp"),
        Node::Add(_) => (5, ""),
        _ => (6, ""),
    };
    (rank, name, pool.shape(factor))
}

/// A term split for ordering: its polynomial degrees by variable name, and the rest.
struct TermKey<'a> {
    is_constant: bool,
    degrees: SmallVec<[(&'a str, &'a Rational); 2]>,
    others: SmallVec<[(u8, &'a str, u64); 2]>,
}

fn term_key<'a>(pool: &'a Pool, term: &'a ExprId) -> TermKey<'a> {
    let mut key = TermKey {
        is_constant: pool.is_constant(*term),
        degrees: SmallVec::new(),
        others: SmallVec::new(),
    };
    let factors = match pool.node(*term) {
        Node::Mul(ops) => &ops[..],
        _ => std::slice::from_ref(term),
    };
    for &factor in factors {
        match pool.node(factor) {
            Node::Num(_) => {}
            Node::Sym(symbol) => key
                .degrees
                .push((pool.symbol_name(*symbol), &Rational::ONE)),
            Node::Pow([base, exp]) => match (pool.node(*base), pool.node(*exp)) {
                (Node::Sym(symbol), Node::Num(e)) => {
                    key.degrees.push((pool.symbol_name(*symbol), e))
                }
                _ => key.others.push(factor_key(pool, factor)),
            },
            _ => key.others.push(factor_key(pool, factor)),
        }
    }
    key.degrees.sort_by(|a, b| a.0.cmp(b.0));
    key
}

/// Terms with higher powers of alphabetically earlier variables first, numbers last.
fn compare_keys<'a>(
    pool: &Pool,
    ka: &TermKey<'a>,
    a: ExprId,
    kb: &TermKey<'a>,
    b: ExprId,
) -> Ordering {
    ka.is_constant
        .cmp(&kb.is_constant)
        .then_with(|| pool.as_num(a).is_some().cmp(&pool.as_num(b).is_some()))
        .then_with(|| compare_degrees(&ka.degrees, &kb.degrees))
        .then_with(|| ka.others.len().cmp(&kb.others.len()))
        .then_with(|| ka.others.cmp(&kb.others))
        .then_with(|| pool.structural_cmp(a, b))
}

fn compare_degrees(a: &[(&str, &Rational)], b: &[(&str, &Rational)]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    loop {
        match (a.get(i), b.get(j)) {
            (None, None) => return Ordering::Equal,
            (Some(x), Some(y)) if x.0 == y.0 => {
                let by_degree = y.1.cmp(x.1);
                if by_degree != Ordering::Equal {
                    return by_degree;
                }
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.0 < y.0 => return Rational::ZERO.cmp(x.1),
            (Some(x), None) => return Rational::ZERO.cmp(x.1),
            (_, Some(y)) => return y.1.cmp(&Rational::ZERO),
        }
    }
}
