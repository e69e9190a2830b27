//! The lowering shared by the [`Tape`](crate::program::tape::Tape) and the emitted code
//! ([`crate::program::emit`]), so that both compute a program in the same order: which
//! nodes get a register or a local of their own ([`Layout`]), a sum as terms added then
//! subtracted ([`lower_sum`]), a product as a signed fraction ([`lower_product`]), a power
//! by its exponent ([`pow_form`]); and why a program has no numeric value
//! ([`CompileError`]).

use num_traits::ToPrimitive;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::expr::rational::Rational;
use crate::expr::{ExprId, Node, Pool, SymbolId};
use crate::print::{product_order, sum_order};

/// Why an expression or program cannot be evaluated numerically.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// A variable is neither an input nor an intermediate defined before its use.
    #[error("the variable `{name}` is neither an input nor an earlier intermediate")]
    UnboundVariable {
        /// The variable's name.
        name: String,
    },
    /// A function `f(u)` (a [`Node::Apply`]) without a definition (or a derivative of a
    /// defined function that was never computed) has no numeric value.
    #[error("the function `{name}` has no definition to evaluate")]
    UnknownFunction {
        /// The function's name.
        name: String,
    },
    /// An unevaluated derivative `diff(y, x)` (a [`Node::Derivative`]) has no numeric value.
    #[error("the unevaluated derivative of `{of}` by `{wrt}` has no numeric value")]
    Derivative {
        /// The dependent variable.
        of: String,
        /// The variable it is differentiated by.
        wrt: String,
    },
    /// The expression is undefined ([`ExprId::UNDEFINED`], for example `1/0`).
    #[error("the expression is undefined")]
    Undefined,
    /// A name is given a value twice: two inputs, two intermediates, or an intermediate
    /// named like an input.
    #[error("the variable `{name}` is defined twice")]
    Redefined {
        /// The variable's name.
        name: String,
    },
}
/// The error for a name given a value twice (two inputs, or an intermediate and an input).
pub(crate) fn redefined(pool: &Pool, symbol: SymbolId) -> CompileError {
    CompileError::Redefined {
        name: pool.symbol_name(symbol).to_string(),
    }
}

/// The error for a node with no numeric value: an unevaluated derivative, else
/// (for [`Node::Undefined`]) undefined.
pub(crate) fn no_value(pool: &Pool, node: &Node) -> CompileError {
    match node {
        Node::Derivative { of, wrt, .. } => CompileError::Derivative {
            of: pool.symbol_name(*of).to_string(),
            wrt: pool.symbol_name(*wrt).to_string(),
        },
        _ => CompileError::Undefined,
    }
}

/// The nodes of a list of roots, compiled (or emitted) root by root.
pub(crate) struct Layout {
    /// Per root, the nodes first reached from it, children before parents.
    pub(crate) batches: Vec<Vec<ExprId>>,
    /// Per node, how many parents (distinct nodes) and roots use it.
    pub(crate) uses: FxHashMap<ExprId, u32>,
    /// Nodes used once, by a parent that lowers them into itself: a product with a
    /// negative coefficient in a sum (subtracted), a power with a negative exponent in a
    /// product (divided by). They get no register (or name) of their own.
    pub(crate) absorbed: FxHashSet<ExprId>,
    /// Products of two nodes used once, by a sum: the tape multiplies them inside the
    /// sum's instruction (the emitted code writes them in the sum anyway).
    pub(crate) fused: FxHashSet<ExprId>,
}

impl Layout {
    pub(crate) fn new(pool: &Pool, roots: &[ExprId]) -> Layout {
        let mut seen: FxHashSet<ExprId> = FxHashSet::default();
        let mut uses: FxHashMap<ExprId, u32> = FxHashMap::default();
        let mut candidates: FxHashSet<ExprId> = FxHashSet::default();
        let mut pairs: FxHashSet<ExprId> = FxHashSet::default();
        let mut batches = Vec::with_capacity(roots.len());
        let mut stack = Vec::new();
        for &root in roots {
            *uses.entry(root).or_default() += 1;
            let mut batch = Vec::new();
            stack.push(root);
            while let Some(id) = stack.pop() {
                if !seen.insert(id) {
                    continue;
                }
                batch.push(id);
                let node = pool.node(id);
                for &child in pool.children(id) {
                    *uses.entry(child).or_default() += 1;
                    if lowers_into(pool, node, child) {
                        candidates.insert(child);
                    }
                    if matches!(node, Node::Add(_)) && is_pair(pool, child) {
                        pairs.insert(child);
                    }
                    if !seen.contains(&child) {
                        stack.push(child);
                    }
                }
            }
            // Children have smaller ids than their parents.
            batch.sort_unstable();
            batches.push(batch);
        }
        let absorbed = candidates
            .into_iter()
            .filter(|c| uses.get(c) == Some(&1))
            .collect();
        let fused = pairs
            .into_iter()
            .filter(|c| uses.get(c) == Some(&1))
            .collect();
        Layout {
            batches,
            uses,
            absorbed,
            fused,
        }
    }
}

/// Whether `parent` lowers its operand `child` into itself when nothing else uses it.
fn lowers_into(pool: &Pool, parent: &Node, child: ExprId) -> bool {
    match (parent, pool.node(child)) {
        (Node::Add(_), Node::Mul(factors)) => negative_coefficient(pool, factors),
        (Node::Mul(_), Node::Pow([_, exp])) => pool.as_num(*exp).is_some_and(|q| q.is_negative()),
        _ => false,
    }
}

/// Whether a node is a product of two factors, neither a number.
fn is_pair(pool: &Pool, id: ExprId) -> bool {
    matches!(pool.node(id), Node::Mul(factors)
        if factors.len() == 2 && factors.iter().all(|&f| pool.as_num(f).is_none()))
}

fn negative_coefficient(pool: &Pool, factors: &[ExprId]) -> bool {
    factors
        .first()
        .and_then(|&f| pool.as_num(f))
        .is_some_and(|q| q.is_negative())
}

/// A term of a lowered sum.
pub(crate) enum Term {
    /// A node, added or subtracted as it is.
    Expr(ExprId),
    /// A product with a negative coefficient, subtracted: the product with its
    /// coefficient negated.
    Flipped(ExprId),
    /// A positive number.
    Number(Rational),
}

/// Splits the terms of a sum into those added and those subtracted.
pub(crate) fn lower_sum(
    pool: &Pool,
    terms: &[ExprId],
    absorbed: &FxHashSet<ExprId>,
) -> (Vec<Term>, Vec<Term>) {
    let mut added = Vec::new();
    let mut subtracted = Vec::new();
    for term in sum_order(pool, terms) {
        match pool.node(term) {
            Node::Num(q) if q.is_negative() => subtracted.push(Term::Number(-q)),
            Node::Mul(_) if absorbed.contains(&term) => subtracted.push(Term::Flipped(term)),
            _ => added.push(Term::Expr(term)),
        }
    }
    (added, subtracted)
}

/// A factor of a lowered product.
pub(crate) enum Factor {
    /// A positive number.
    Number(Rational),
    /// A node.
    Expr(ExprId),
    /// `base^exp` with a positive exponent other than 1 (a denominator `base^-exp`).
    Power(ExprId, Rational),
}

/// A product as `±numerator/denominator`.
pub(crate) struct Product {
    pub(crate) negative: bool,
    pub(crate) numerator: Vec<Factor>,
    pub(crate) denominator: Vec<Factor>,
    /// Powers of two (each within `2^±1000`) multiplying the fraction after the division:
    /// the part of a coefficient beyond `f64`'s range.
    pub(crate) scale: Vec<f64>,
}

/// The factors of a product (negated when `flip`) as a signed fraction: the coefficient
/// `p/q` split into `p` and `q` when both are exact in `f64`, and each factor `b^-e`
/// nothing else uses moved into the denominator as `b^e`.
pub(crate) fn lower_product(
    pool: &Pool,
    factors: &[ExprId],
    flip: bool,
    absorbed: &FxHashSet<ExprId>,
) -> Product {
    let factors = &product_order(pool, factors)[..];
    let (coefficient, rest) = match factors.split_first() {
        Some((&first, rest)) if pool.as_num(first).is_some() => {
            (pool.as_num(first).cloned().unwrap_or(Rational::ONE), rest)
        }
        _ => (Rational::ONE, factors),
    };
    let coefficient = if flip { -&coefficient } else { coefficient };
    let mut product = Product {
        negative: coefficient.is_negative(),
        numerator: Vec::new(),
        denominator: Vec::new(),
        scale: Vec::new(),
    };
    // A magnitude beyond f64's range (`2^-1200`) is a moderate number times powers of
    // two representable in f64, multiplied in after the division.
    let (magnitude, binary_exponent) = coefficient.abs().split_binary_exponent();
    if !magnitude.is_one() {
        match exact_fraction(&magnitude) {
            Some((p, q)) => {
                if p != 1 {
                    product.numerator.push(Factor::Number(Rational::int(p)));
                }
                if q != 1 {
                    product.denominator.push(Factor::Number(Rational::int(q)));
                }
            }
            None => product.numerator.push(Factor::Number(magnitude)),
        }
    }
    for &factor in rest {
        match pool.node(factor) {
            Node::Pow([base, exp]) if absorbed.contains(&factor) => {
                let exp = pool.as_num(*exp).map(|q| -q).unwrap_or(Rational::ONE);
                if exp.is_one() {
                    product.denominator.push(Factor::Expr(*base));
                } else {
                    product.denominator.push(Factor::Power(*base, exp));
                }
            }
            _ => product.numerator.push(Factor::Expr(factor)),
        }
    }
    // Beyond ±2,200 the value is 0 or infinite for every finite product.
    let mut e = binary_exponent.clamp(-2200, 2200);
    while e != 0 {
        let step = e.clamp(-1000, 1000);
        product.scale.push(2f64.powi(step as i32));
        e -= step;
    }
    product
}

/// `(p, q)` for a non-negative `p/q` whose parts are exactly representable in `f64`.
pub(crate) fn exact_fraction(q: &Rational) -> Option<(i64, i64)> {
    const EXACT: i64 = 1 << 53;
    let p = q.numer().to_i64()?;
    let d = q.denom().to_i64()?;
    (p.abs() <= EXACT && d <= EXACT).then_some((p, d))
}

/// How a power is computed, by its exponent (mirroring `real_pow` in `eval.rs`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PowForm {
    /// An integer exponent that fits `powi`.
    Int(i32),
    /// The exponent `1/2`.
    Sqrt,
    /// A rational exponent with an odd denominator: real for a negative base, with the
    /// base's sign when the numerator is odd.
    Root {
        /// Whether the numerator is odd.
        odd: bool,
    },
    /// Any other exponent: NaN for a negative base.
    Real,
    /// An integer exponent too large for `powi`: `powf` as it is.
    Float,
}

pub(crate) fn pow_form(exp: Option<&Rational>) -> PowForm {
    match exp {
        Some(q) if q.is_integer() => match q.to_i64().and_then(|n| i32::try_from(n).ok()) {
            Some(n) => PowForm::Int(n),
            None => PowForm::Float,
        },
        Some(q) if *q == Rational::HALF => PowForm::Sqrt,
        Some(q) if q.has_odd_denom() => PowForm::Root {
            odd: q.has_odd_numer(),
        },
        _ => PowForm::Real,
    }
}
