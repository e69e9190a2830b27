//! Floating-point evaluation of an expression at a point, in one pass over the DAG.

use rustc_hash::FxHashMap;

use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Map, Node, Pool, SymbolId};

/// The value of `root` with each variable taken from `values`. Defined functions are
/// evaluated through their definitions. Unbound variables, unknown
/// functions and points outside the real domain give NaN.
///
/// ```
/// use deriv::{Pool, eval};
/// let mut pool = Pool::new();
/// let e = deriv::parse(&mut pool, "x^2 + 1").unwrap();
/// let x = pool.symbol("x");
/// let values = [(x, 3.0)].into_iter().collect();
/// assert_eq!(eval(&pool, e, &values), 10.0);
/// ```
pub fn eval(pool: &Pool, root: ExprId, values: &Map<SymbolId, f64>) -> f64 {
    evaluate(pool, root, &|symbol| values.get(&symbol).copied())
}

/// The value of an expression without variables, or `None` if it has some.
pub fn eval_constant(pool: &Pool, root: ExprId) -> Option<f64> {
    pool.is_constant(root)
        .then(|| evaluate(pool, root, &|_| None))
}

pub(crate) fn evaluate(pool: &Pool, root: ExprId, lookup: &dyn Fn(SymbolId) -> Option<f64>) -> f64 {
    let order = pool.reachable(root, |_| true);
    let mut value: FxHashMap<ExprId, f64> = FxHashMap::default();
    value.reserve(order.len());
    for &id in &order {
        let of = |child: &ExprId| value[child];
        // Factors `b^-1` divide by `b`: one rounding, as the tape computes a quotient
        // (`y/max(x, y)` is exactly 1 where the maximum is `y`, not 1 - 1e-16).
        let product = |factors: &[ExprId]| {
            let (mut above, mut below) = (1.0, 1.0);
            for factor in factors {
                match pool.node(*factor) {
                    Node::Pow([base, ExprId::MINUS_ONE]) => below *= of(base),
                    _ => above *= of(factor),
                }
            }
            above / below
        };
        let v = match pool.node(id) {
            Node::Apply { name, orders, args } => {
                let point: Vec<f64> = args.iter().map(of).collect();
                pool.eval_function(*name, orders, &point, lookup)
            }
            Node::Undefined | Node::Derivative { .. } => f64::NAN,
            Node::Num(n) => n.to_f64(),
            Node::Const(Constant::Pi) => std::f64::consts::PI,
            Node::Const(Constant::E) => std::f64::consts::E,
            Node::Sym(symbol) => lookup(*symbol).unwrap_or(f64::NAN),
            Node::Add(ops) => ops.iter().map(of).sum(),
            Node::Mul(ops) => match (pool.as_num(ops[0]), of(&ops[0])) {
                // A coefficient beyond f64's range (`x^1200/2^1200`) is applied last, in
                // steps, so the product stays finite where its value is.
                (Some(q), c) if c == 0.0 || !c.is_normal() => {
                    let (r, e) = q.split_binary_exponent();
                    scale_by_power_of_two(r.to_f64() * product(&ops[1..]), e)
                }
                _ => product(ops),
            },
            // IEEE says 1^NaN = 1 and max(NaN, 0) = 0; outside the domain stays NaN here.
            Node::Pow([base, exp]) => match (of(base), of(exp)) {
                (b, e) if b.is_nan() || e.is_nan() => f64::NAN,
                (b, e) => real_pow(b, e, pool.as_num(*exp)),
            },
            Node::Call(func, arg) => match of(arg) {
                a if a.is_nan() => f64::NAN,
                a => func.eval(a),
            },
            Node::Atan2([y, x]) => crate::expr::func::atan2(of(y), of(x)),
            Node::Min(ops) | Node::Max(ops) => {
                let max = matches!(pool.node(id), Node::Max(_));
                let mut values = ops.iter().map(of);
                let first = values.next().unwrap_or(f64::NAN);
                values.fold(first, |a, b| crate::expr::func::extremum(max, a, b))
            }
            Node::LogSumExp(ops) => {
                let mut values = ops.iter().map(of);
                let first = values.next().unwrap_or(f64::NAN);
                values.fold(first, crate::expr::func::logsumexp)
            }
        };
        value.insert(id, v);
    }
    value[&root]
}

/// `b^e` over the reals: odd roots of negative numbers are real, even roots are not.
pub(crate) fn real_pow(b: f64, e: f64, exact_exp: Option<&Rational>) -> f64 {
    match exact_exp {
        Some(q) if q.is_integer() => match q.to_i64().and_then(|n| i32::try_from(n).ok()) {
            Some(n) => b.powi(n),
            None => b.powf(e),
        },
        Some(q) if b < 0.0 && q.has_odd_denom() => {
            let magnitude = (-b).powf(e);
            if q.has_odd_numer() {
                -magnitude
            } else {
                magnitude
            }
        }
        _ => {
            if b < 0.0 {
                f64::NAN
            } else {
                b.powf(e)
            }
        }
    }
}

/// `x * 2^e` without overflowing or underflowing on the way: in steps of `2^±1000`.
pub(crate) fn scale_by_power_of_two(mut x: f64, e: i64) -> f64 {
    const STEP: i32 = 1000;
    // Beyond ±2,200 every finite non-zero `x` ends at 0 or infinity anyway.
    let mut e = e.clamp(-2200, 2200) as i32;
    while e > STEP {
        x *= 2f64.powi(STEP);
        e -= STEP;
    }
    while e < -STEP {
        x *= 2f64.powi(-STEP);
        e += STEP;
    }
    x * 2f64.powi(e)
}
