//! User-defined functions as the pool knows them (`phi(s) = 1/(1 + exp(-s))`, read from
//! a model by [`crate::model`]): their parameters, bodies and the derivatives computed so
//! far, and what the layers below the calculus need of them: numeric values and the
//! number of written arguments. Their derivatives are computed by
//! [`crate::calculus::defined`].

use rustc_hash::FxHashMap;

use crate::expr::subst::replace;
use crate::expr::{ExprId, Pool, SymbolId};

/// A user-defined function in a pool.
#[derive(Clone, Debug)]
pub(crate) struct Function {
    /// The parameters, as symbols of the body: the written ones, then the body's other
    /// variables (`a` in `phi(s) = 1/(1 + exp(-a*s))`), which every call passes on as
    /// hidden arguments so that derivatives in them are not lost.
    pub(crate) params: Vec<SymbolId>,
    /// How many parameters were written.
    pub(crate) visible: usize,
    /// The body as written (it may call earlier functions).
    pub(crate) body: ExprId,
    /// The body with every call written out.
    pub(crate) inlined: ExprId,
    /// Partial derivatives by derivative orders per parameter, in the parameters.
    pub(crate) derivatives: FxHashMap<Box<[u32]>, ExprId>,
}

impl Function {
    /// A function of `params` (the first `visible` of them written, the rest the body's
    /// other variables), with its body as written and with every call written out.
    pub(crate) fn new(
        params: Vec<SymbolId>,
        visible: usize,
        body: ExprId,
        inlined: ExprId,
    ) -> Function {
        Function {
            params,
            visible,
            body,
            inlined,
            derivatives: FxHashMap::default(),
        }
    }
}

impl Pool {
    /// The value of the defined function `name` (or its derivative by `orders`, once
    /// computed) at `point`; NaN for anything else.
    pub(crate) fn eval_function(
        &self,
        name: SymbolId,
        orders: &[u32],
        point: &[f64],
        lookup: &dyn Fn(SymbolId) -> Option<f64>,
    ) -> f64 {
        let Some(function) = self.functions.get(&name) else {
            return f64::NAN;
        };
        let form = if orders.iter().all(|&o| o == 0) {
            Some(function.inlined)
        } else {
            function.derivatives.get(orders).copied()
        };
        let Some(form) = form else {
            return f64::NAN;
        };
        let params = &function.params;
        let inner = |symbol: SymbolId| match params.iter().position(|&p| p == symbol) {
            Some(k) => point.get(k).copied(),
            None => lookup(symbol),
        };
        crate::expr::eval::evaluate(self, form, &inner)
    }

    /// A defined function's parameters and its body with calls written out (or its
    /// derivative by `orders`, once computed), for numeric evaluation.
    pub(crate) fn function_form(
        &self,
        name: SymbolId,
        orders: &[u32],
    ) -> Option<(&[SymbolId], ExprId)> {
        let function = self.functions.get(&name)?;
        let form = if orders.iter().all(|&o| o == 0) {
            function.inlined
        } else {
            *function.derivatives.get(orders)?
        };
        Some((&function.params, form))
    }

    /// How many arguments of a defined function are written (the rest are the variables
    /// its body uses besides its parameters).
    pub(crate) fn visible_arity(&self, name: SymbolId) -> Option<usize> {
        self.functions.get(&name).map(|f| f.visible)
    }

    /// `form`, written in the parameters of function `name`, at the arguments `args`.
    pub(crate) fn instantiate(&mut self, name: SymbolId, form: ExprId, args: &[ExprId]) -> ExprId {
        let Some(function) = self.functions.get(&name) else {
            return form;
        };
        let map: FxHashMap<ExprId, ExprId> = function
            .params
            .clone()
            .into_iter()
            .zip(args.iter().copied())
            .map(|(p, a)| (self.sym(p), a))
            .collect();
        replace(self, form, &map)
    }
}
