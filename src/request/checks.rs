//! What `--verify` and `--check` compare: the claims behind the results, with dependent
//! variables made concrete, and a user's answer read as the inputs are.

use rustc_hash::FxHashMap;

use super::assignment::unwrap_option;
use super::context::Context;
use super::{Mode, Outcome, Request};
use crate::calculus::diff::{diff, total_diff};
use crate::error::Error;
use crate::expr::rational::Rational;
use crate::expr::subst::{free_symbols, replace};
use crate::expr::{ExprId, Pool, SymbolId};
use crate::model::Model;
use crate::parse::parse_with;
use crate::verify::Check;

impl Request {
    /// What each result claims, for `--verify`: the result (before `--at`) is the
    /// derivative of a function in a variable. Dependent variables become random
    /// quadratics in what they depend on, so that they can be evaluated.
    pub(super) fn checks(
        &self,
        pool: &mut Pool,
        context: &Context,
        inputs: &[ExprId],
    ) -> Vec<Check> {
        let mut checks = Vec::new();
        let f = inputs[0];
        let constrained = context.substitution.apply(pool, f);
        let mut claim = |label: String, base, var, value, after| {
            checks.push(Check {
                label,
                base,
                var,
                value,
                temps: None,
                after,
            })
        };
        let name = |pool: &Pool, v: SymbolId| pool.symbol_name(v).to_string();
        match self.mode {
            Mode::Derivative => {
                // Partial or total, the first order is the derivative of the constrained
                // function; each later order, of the order before it.
                let mut base = constrained;
                for k in 0..context.wrt.len() {
                    let value = self.derivative(pool, context, f, &context.wrt[..=k]);
                    let vars: Vec<String> =
                        context.wrt[..=k].iter().map(|&v| name(pool, v)).collect();
                    let label = format!("diff(f, {})", vars.join(", "));
                    claim(label, base, context.wrt[k], value, None);
                    base = value;
                }
            }
            Mode::Gradient | Mode::Jacobian | Mode::Hessian | Mode::Differential => {
                let functions: Vec<ExprId> = if self.mode == Mode::Jacobian {
                    inputs.to_vec()
                } else {
                    vec![f]
                };
                for (i, &g) in functions.iter().enumerate() {
                    let g_constrained = context.substitution.apply(pool, g);
                    let vars = if context.wrt.is_empty() || self.mode == Mode::Differential {
                        free_symbols(pool, g_constrained)
                    } else {
                        context.wrt.clone()
                    };
                    let fname = if self.mode == Mode::Jacobian {
                        format!("f{}", i + 1)
                    } else {
                        self.function_name().to_string()
                    };
                    for &a in &vars {
                        let first = self.derivative(pool, context, g, &[a]);
                        let label = format!("diff({fname}, {})", name(pool, a));
                        claim(label, g_constrained, a, first, None);
                        if self.mode != Mode::Hessian {
                            continue;
                        }
                        for &b in &vars {
                            let second = self.derivative(pool, context, g, &[a, b]);
                            let label =
                                format!("diff({fname}, {}, {})", name(pool, a), name(pool, b));
                            claim(label, first, b, second, None);
                        }
                    }
                }
            }
            Mode::Explain => {
                let x = context.wrt[0];
                let deps = self.dependencies(context);
                let partial = diff(pool, f, x);
                let xn = name(pool, x);
                claim(format!("diff(f, {xn})"), f, x, partial, None);
                let total = total_diff(pool, f, x, &deps);
                claim(format!("df/d{xn}"), constrained, x, total, None);
                if !self.subst.is_empty() {
                    let after = context.substitution.apply(pool, partial);
                    let label = format!("diff(f, {xn}) with the constraints");
                    let rules = Some(context.substitution.clone());
                    claim(label, f, x, after, rules);
                }
            }
            Mode::Implicit => {}
        }
        self.instantiate_dependents(pool, context, &mut checks);
        checks
    }

    /// Replaces each dependent variable `y(x)` in the checks by a quadratic in `x` with
    /// fixed odd coefficients, and `diff(y, x, k)` by its derivatives; then, since `x`
    /// may itself depend on another variable or be replaced by `--subst`, every such
    /// replacement is followed to the variables that vary freely.
    fn instantiate_dependents(&self, pool: &mut Pool, context: &Context, checks: &mut [Check]) {
        if context.depends.is_empty() {
            return;
        }
        let mut derivatives = FxHashMap::default();
        let mut chain = context.substitution.clone();
        for (k, &(y, x)) in context.depends.iter().enumerate() {
            let k = i64::try_from(k).unwrap_or(0);
            let (a, b, c) = (
                Rational::new(3 + k, 7).unwrap_or(Rational::ONE),
                Rational::new(5 - k, 11).unwrap_or(Rational::ONE),
                Rational::new(2 + k, 13).unwrap_or(Rational::ONE),
            );
            let (a, b, c) = (pool.num(a), pool.num(b), pool.num(c));
            let xv = pool.sym(x);
            let x2 = pool.powi(xv, 2);
            let bx = pool.mul2(b, xv);
            let cx2 = pool.mul2(c, x2);
            let quadratic = pool.add(&[a, bx, cx2]);
            chain.insert(y, quadratic);
            let mut derivative = quadratic;
            for order in 1..=8 {
                derivative = diff(pool, derivative, x);
                let node = pool.derivative(y, x, order);
                derivatives.insert(node, derivative);
            }
        }
        // The dependencies passed `Dependencies::check`, so the chain has no circle.
        let Ok(chain) = chain.resolve(pool) else {
            return;
        };
        for check in checks {
            for value in [&mut check.base, &mut check.value] {
                let replaced = replace(pool, *value, &derivatives);
                *value = chain.apply(pool, replaced);
            }
        }
    }

    /// The curve of `--implicit`: the equation `F = 0` (with the constraints applied) that
    /// defines `y`, and `y`; `None` in other modes.
    pub fn curve(&self, pool: &mut Pool, outcome: &Outcome) -> Option<(ExprId, SymbolId)> {
        let y = self.implicit.as_ref()?;
        let &equation = outcome.inputs.first()?;
        let context = self.context(pool).ok()?;
        let equation = context.substitution.apply(pool, equation);
        Some((equation, pool.symbol(y)))
    }

    /// Parses a user's answer (`--check`) as the expressions are parsed.
    pub fn parse_answer(&self, pool: &mut Pool, text: &str) -> Result<ExprId, Error> {
        let context = self.context(pool).map_err(unwrap_option)?;
        let answer = parse_with(pool, text, &self.parse_options(context.depends, false))?;
        self.expand_names(pool, answer, text)
    }

    /// `value` with the definitions' names replaced by what they stand for: a result as
    /// printed (in the names), or an answer, in the original variables.
    pub fn expand_names(
        &self,
        pool: &mut Pool,
        value: ExprId,
        text: &str,
    ) -> Result<ExprId, Error> {
        if self.definitions.is_empty() {
            return Ok(value);
        }
        let model = Model::load(
            pool,
            &self.definitions,
            &self.parse_options(Vec::new(), false),
        )?;
        model.expand(pool, value, text)
    }
}
