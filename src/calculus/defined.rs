//! Derivatives of user-defined functions, computed once per function and order and
//! written in terms of the function itself where that is shorter (the sigmoid's
//! `phi'(s) = phi(s)*(1 - phi(s))`), and calls of them written out.

use rustc_hash::FxHashMap;

use crate::algebra::together::together;
use crate::calculus::diff::diff;
use crate::expr::func::Func;
use crate::expr::subst::{rebuild, replace};
use crate::expr::{ExprId, Node, Pool, SymbolId};
use crate::print::printed_len;

/// What the calculus adds to a pool's user-defined functions: their derivatives, and
/// their calls written out.
pub trait DefinedFunctions {
    /// `expr` with every call of a defined function (or of its derivative) written out.
    fn inline_functions(&mut self, expr: ExprId) -> ExprId;

    /// The derivative `name^(orders)(args)` of a defined function, or `None` when `name`
    /// is not one.
    fn function_derivative(
        &mut self,
        name: SymbolId,
        orders: &[u32],
        args: &[ExprId],
    ) -> Option<ExprId>;

    /// The partial derivative of a defined function by `orders`, in its parameters;
    /// computed once. A first derivative is written in terms of the function itself when
    /// that is shorter (the sigmoid's `a*phi(s)*(1 - phi(s))`).
    fn function_partial(&mut self, name: SymbolId, orders: &[u32]) -> ExprId;
}

impl DefinedFunctions for Pool {
    /// `expr` with every call of a defined function written out.
    fn inline_functions(&mut self, expr: ExprId) -> ExprId {
        if self.functions.is_empty() {
            return expr;
        }
        let mut new: FxHashMap<ExprId, ExprId> = FxHashMap::default();
        for id in self.reachable(expr, |_| true) {
            let children = self.children(id).to_vec();
            let mapped: Vec<ExprId> = children.iter().map(|c| new[c]).collect();
            let value = match self.node(id).clone() {
                Node::Apply { name, orders, .. } if self.functions.contains_key(&name) => {
                    let form = if orders.iter().all(|&o| o == 0) {
                        self.functions[&name].inlined
                    } else {
                        let partial = self.function_partial(name, &orders);
                        self.inline_functions(partial)
                    };
                    self.instantiate(name, form, &mapped)
                }
                node if mapped != children => rebuild(self, &node, &mapped),
                _ => id,
            };
            new.insert(id, value);
        }
        new[&expr]
    }

    /// The derivative `name^(orders)(args)` of a defined function, or `None` when `name`
    /// is not one.
    fn function_derivative(
        &mut self,
        name: SymbolId,
        orders: &[u32],
        args: &[ExprId],
    ) -> Option<ExprId> {
        if !self.functions.contains_key(&name) {
            return None;
        }
        let partial = self.function_partial(name, orders);
        Some(self.instantiate(name, partial, args))
    }

    /// The partial derivative of a defined function by `orders`, in its parameters;
    /// computed once. A first derivative is written in terms of the function itself when
    /// that is shorter (the sigmoid's `a*phi(s)*(1 - phi(s))`).
    fn function_partial(&mut self, name: SymbolId, orders: &[u32]) -> ExprId {
        let Some(function) = self.functions.get(&name) else {
            return ExprId::UNDEFINED;
        };
        if let Some(&known) = function.derivatives.get(orders) {
            return known;
        }
        let Some(k) = orders.iter().rposition(|&o| o > 0) else {
            return function.body;
        };
        let (params, body, inlined) = (function.params.clone(), function.body, function.inlined);
        let mut lower = orders.to_vec();
        lower[k] -= 1;
        let base = if lower.iter().all(|&o| o == 0) {
            body
        } else {
            self.function_partial(name, &lower)
        };
        let mut partial = diff(self, base, params[k]);
        if lower.iter().all(|&o| o == 0) {
            let args: Vec<ExprId> = params.iter().map(|&p| self.sym(p)).collect();
            let call = self.apply(name, &vec![0; args.len()], &args);
            if let Some(shorter) = in_terms_of_itself(self, call, inlined, partial) {
                partial = shorter;
            } else if !self.children(body).is_empty() {
                // Else at least the body itself is written as the call (tanh's 1 - tanh^2).
                let map: FxHashMap<ExprId, ExprId> =
                    [(body, call), (inlined, call)].into_iter().collect();
                partial = replace(self, partial, &map);
            }
        }
        if let Some(function) = self.functions.get_mut(&name) {
            function.derivatives.insert(orders.into(), partial);
        }
        partial
    }
}
/// `derivative` (of the function `call` = `inlined`) written in terms of
/// `call`, when the body is a fraction linear in one exponential `K = exp(u)` (the
/// sigmoid `1/(1 + exp(-a*s))`): then `K` is a fraction linear in the function's value
/// `p`, and the derivative becomes a rational function of `p`. `None` when that does not
/// apply or is not shorter.
fn in_terms_of_itself(
    pool: &mut Pool,
    call: ExprId,
    inlined: ExprId,
    derivative: ExprId,
) -> Option<ExprId> {
    let plain = pool.inline_functions(derivative);
    let kernels: Vec<ExprId> = pool
        .reachable(inlined, |_| true)
        .into_iter()
        .filter(|&id| matches!(pool.node(id), Node::Call(Func::Exp, _)))
        .collect();
    let k = pool.var("%k");
    let p = pool.var("%p");
    let k_symbol = pool.symbol("%k");
    for kernel in kernels {
        let swap: FxHashMap<ExprId, ExprId> = [(kernel, k)].into_iter().collect();
        let in_k = replace(pool, inlined, &swap);
        let d_in_k = replace(pool, plain, &swap);
        // in_k = (alpha*k + beta)/(gamma*k + delta)
        let combined = together(pool, in_k);
        let (numerator, denominator) = split_fraction(pool, combined);
        let (alpha, beta) = linear_in(pool, numerator, k_symbol)?;
        let (gamma, delta) = linear_in(pool, denominator, k_symbol)?;
        // k = (beta - delta*p)/(gamma*p - alpha)
        let delta_p = pool.mul2(delta, p);
        let top = pool.sub(beta, delta_p);
        let gamma_p = pool.mul2(gamma, p);
        let bottom = pool.sub(gamma_p, alpha);
        let solved = pool.div(top, bottom);
        let swap: FxHashMap<ExprId, ExprId> = [(k, solved)].into_iter().collect();
        let in_p = replace(pool, d_in_k, &swap);
        let in_p = simplify_rational(pool, in_p);
        let back: FxHashMap<ExprId, ExprId> = [(p, call)].into_iter().collect();
        let result = replace(pool, in_p, &back);
        let free_of_helpers = pool
            .reachable(result, |_| true)
            .iter()
            .all(|&id| id != k && id != p);
        if free_of_helpers
            && result != ExprId::UNDEFINED
            && printed_len(pool, result) < printed_len(pool, plain)
        {
            return Some(result);
        }
    }
    None
}

/// A fraction as numerator and denominator (factors with negative numeric exponents
/// below).
fn split_fraction(pool: &mut Pool, expr: ExprId) -> (ExprId, ExprId) {
    let factors = match pool.node(expr) {
        Node::Mul(ops) => ops.to_vec(),
        _ => vec![expr],
    };
    let mut top = Vec::new();
    let mut bottom = Vec::new();
    for factor in factors {
        match *pool.node(factor) {
            Node::Pow([base, exp]) if pool.as_num(exp).is_some_and(|e| e.is_negative()) => {
                let positive = pool.neg(exp);
                bottom.push(pool.pow(base, positive));
            }
            _ => top.push(factor),
        }
    }
    (pool.mul(&top), pool.mul(&bottom))
}

/// `(a, b)` with `expr = a*k + b` and neither containing `k`, by expanding.
fn linear_in(pool: &mut Pool, expr: ExprId, k: SymbolId) -> Option<(ExprId, ExprId)> {
    let slope = crate::calculus::diff::diff(pool, expr, k);
    let kv = pool.sym(k);
    if pool.symbol_mask(slope) & Pool::symbol_bit(k) != 0
        && pool.reachable(slope, |_| true).contains(&kv)
    {
        return None;
    }
    let zero: FxHashMap<ExprId, ExprId> = [(kv, ExprId::ZERO)].into_iter().collect();
    let intercept = replace(pool, expr, &zero);
    Some((slope, intercept))
}

/// A rational function of the helper variable put over one denominator, with its sums
/// in the numerator and denominator combined: enough to cancel `1 + (1 - p)/p` to `1/p`.
fn simplify_rational(pool: &mut Pool, expr: ExprId) -> ExprId {
    let mut new: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    for id in pool.reachable(expr, |_| true) {
        let children = pool.children(id).to_vec();
        let mapped: Vec<ExprId> = children.iter().map(|c| new[c]).collect();
        let rebuilt = if mapped == children {
            id
        } else {
            let node = pool.node(id).clone();
            rebuild(pool, &node, &mapped)
        };
        let value = together(pool, rebuilt);
        new.insert(id, value);
    }
    new[&expr]
}
