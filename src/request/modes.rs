//! The modes' results: the derivative, partial or total, and its derivation (`--steps`);
//! `--explain`, `--differential`, `--grad` and `--jacobian`, `--hessian`, `--implicit`.

use rustc_hash::FxHashMap;

use super::context::Context;
use super::{Label, Line, Request};
use crate::algebra::expand::{expand, is_zero};
use crate::algebra::tidy::tidy_steps;
use crate::algebra::together::together;
use crate::calculus::diff::{Dependencies, diff, rates_of_change, total_diff};
use crate::calculus::steps::{Derivation, Step, derivation};
use crate::expr::subst::{Substitution, free_symbols, replace, replace_checked};
use crate::expr::{ExprId, Pool, SymbolId};
use crate::print::print;

impl Request {
    /// The step-by-step derivations behind [`Request::derivative`].
    pub(super) fn derivations(
        &self,
        pool: &mut Pool,
        context: &Context,
        input: ExprId,
    ) -> Vec<Derivation> {
        let deps = self.dependencies(context);
        let mut current = if self.total {
            input
        } else {
            context.substitution.apply(pool, input)
        };
        let mut derivations = Vec::new();
        for &var in &context.wrt {
            let derivation = derivation(pool, current, var, self.total.then_some(&deps));
            current = derivation
                .steps
                .last()
                .map_or(ExprId::ZERO, |step| step.expr);
            derivations.push(derivation);
        }
        // The last result, tidied as the result line is: the steps end at the answer.
        if let Some(last) = derivations.last_mut() {
            for step in tidy_steps(pool, current, self.form) {
                last.steps.push(Step {
                    rule: step.rule,
                    inner: None,
                    expr: step.expr,
                });
            }
        }
        derivations
    }

    /// The derivative of `input` in `vars`, in order, partial or total.
    pub(super) fn derivative(
        &self,
        pool: &mut Pool,
        context: &Context,
        input: ExprId,
        vars: &[SymbolId],
    ) -> ExprId {
        let deps = self.dependencies(context);
        let mut result = if self.total {
            input
        } else {
            context.substitution.apply(pool, input)
        };
        for &var in vars {
            if result == ExprId::UNDEFINED {
                break;
            }
            result = if self.total {
                total_diff(pool, result, var, &deps)
            } else {
                diff(pool, result, var)
            };
        }
        if self.total {
            result = context.substitution.apply(pool, result);
        }
        result
    }

    /// The post's comparison: partial, chain terms, total, and both substitution orders.
    pub(super) fn explain(&self, pool: &mut Pool, context: &Context, f: ExprId) -> Vec<Line> {
        let Some(&x) = context.wrt.first() else {
            return Vec::new();
        };
        let xn = pool.symbol_name(x).to_string();
        let deps = self.dependencies(context);
        let rates = rates_of_change(pool, x, &deps);
        let partial = diff(pool, f, x);
        let mut lines = vec![Line::headed(
            "partial",
            Label::partial(self.function_name(), &[&xn]),
            partial,
        )];
        for v in free_symbols(pool, f) {
            if v == x {
                continue;
            }
            let vn = pool.symbol_name(v).to_string();
            let heading = format!("chain via {vn}");
            let label = Label::Chain {
                of: self.function_name().into(),
                via: vn.clone(),
                var: xn.clone(),
            };
            let dv = rates.get(&v).copied();
            let line = match dv {
                Some(dv) => {
                    let df = diff(pool, f, v);
                    let term = pool.mul2(df, dv);
                    let term = context.substitution.apply(pool, term);
                    let term = zeroed(pool, term);
                    let line = Line::headed(heading, label, term);
                    if dv == ExprId::ZERO {
                        line.with_note(format!("({vn} does not vary with {xn})"))
                    } else {
                        line
                    }
                }
                None => Line::headed(heading, label, ExprId::ZERO)
                    .with_note(format!("({vn} is held constant)")),
            };
            lines.push(line);
        }
        let total = total_diff(pool, f, x, &deps);
        let total = zeroed(pool, total);
        let total_label = Label::Derivative {
            of: self.function_name().into(),
            vars: vec![xn.clone()],
            total: true,
            constrained: None,
        };
        lines.push(Line::headed("total", total_label, total));
        if self.subst.is_empty() {
            return lines;
        }
        let rules: Vec<&str> = self.subst.iter().map(|a| a.text.as_str()).collect();
        let rules = rules.join(", ");
        let after = context.substitution.apply(pool, partial);
        let after_line = Line::headed(
            "subst. after",
            Label::After(
                Box::new(Label::partial(self.function_name(), &[&xn])),
                rules.clone(),
            ),
            after,
        );
        let after_line = after_line.with_note(after_note(pool, context, total, after));
        lines.push(after_line);
        let substituted = context.substitution.apply(pool, f);
        let first = if context.depends.is_empty() {
            diff(pool, substituted, x)
        } else {
            total_diff(pool, substituted, x, &deps)
        };
        let first = zeroed(pool, first);
        let note = if same(pool, first, total) {
            "(equals the total)"
        } else {
            "(differs from the total in form)"
        };
        let label = Label::Derivative {
            of: self.function_name().into(),
            vars: vec![xn],
            total: false,
            constrained: Some(rules),
        };
        lines.push(Line::headed("subst. first", label, first).with_note(note));
        lines
    }

    /// `df = Σ ∂f/∂v dv` over the free variables of the constrained function.
    pub(super) fn differential(&self, pool: &mut Pool, context: &Context, f: ExprId) -> Vec<Line> {
        let f = context.substitution.apply(pool, f);
        let mut terms = Vec::new();
        let mut differentials = Vec::new();
        for v in free_symbols(pool, f) {
            let partial = diff(pool, f, v);
            let name = format!("d{}", pool.symbol_name(v));
            let dv = pool.var(&name);
            terms.push(pool.mul2(partial, dv));
            differentials.push((partial, v));
        }
        let sum = pool.add(&terms);
        let mut line = Line::new(
            Label::Differential {
                of: self.function_name().into(),
            },
            sum,
        );
        line.differentials = differentials;
        vec![line]
    }

    /// The first partials of each function, one line each.
    pub(super) fn gradient(
        &self,
        pool: &mut Pool,
        context: &Context,
        functions: &[(String, ExprId)],
    ) -> Vec<Line> {
        // One list of variables for every function: a Jacobian has every entry, zeros
        // included.
        let vars = if context.wrt.is_empty() {
            let mut vars = Vec::new();
            for &(_, f) in functions {
                let constrained = context.substitution.apply(pool, f);
                vars.extend(free_symbols(pool, constrained));
            }
            vars.sort_by(|&a, &b| pool.symbol_name(a).cmp(pool.symbol_name(b)));
            vars.dedup();
            vars
        } else {
            context.wrt.clone()
        };
        let mut lines = Vec::new();
        for (name, f) in functions {
            for &v in &vars {
                let value = self.derivative(pool, context, *f, &[v]);
                let label = Label::partial(name, &[pool.symbol_name(v)]);
                lines.push(Line::new(label, value));
            }
        }
        lines
    }

    /// Every second partial, each symmetric pair computed once.
    pub(super) fn hessian(&self, pool: &mut Pool, context: &Context, f: ExprId) -> Vec<Line> {
        let vars = if context.wrt.is_empty() {
            let constrained = context.substitution.apply(pool, f);
            free_symbols(pool, constrained)
        } else {
            context.wrt.clone()
        };
        let mut computed: FxHashMap<(SymbolId, SymbolId), ExprId> = FxHashMap::default();
        let mut lines = Vec::new();
        for (i, &a) in vars.iter().enumerate() {
            for (j, &b) in vars.iter().enumerate() {
                let key = if i <= j { (a, b) } else { (b, a) };
                let value = match computed.get(&key) {
                    Some(&value) => value,
                    None => {
                        let value = self.derivative(pool, context, f, &[key.0, key.1]);
                        computed.insert(key, value);
                        value
                    }
                };
                let label = Label::partial(
                    self.function_name(),
                    &[pool.symbol_name(a), pool.symbol_name(b)],
                );
                lines.push(Line::new(label, value));
            }
        }
        lines
    }

    /// `dy/dx = -F_x/F_y` for `F = 0`, and higher orders by differentiating again with
    /// `y = y(x)`. In several variables `y` depends on each of them (`dy/dt = -F_t/F_y`),
    /// and the other declared dependencies are followed when `F` is differentiated.
    pub(super) fn implicit(
        &self,
        pool: &mut Pool,
        context: &Context,
        equation: ExprId,
    ) -> Vec<Line> {
        let (Some(y_name), Some(&x)) = (&self.implicit, context.wrt.first()) else {
            return Vec::new();
        };
        let y = pool.symbol(y_name);
        let f = context.substitution.apply(pool, equation);
        let others: Vec<(SymbolId, SymbolId)> = context
            .depends
            .iter()
            .filter(|&&(d, _)| d != y)
            .copied()
            .collect();
        let fy = diff(pool, f, y);
        let mut slopes: FxHashMap<SymbolId, ExprId> = FxHashMap::default();
        let mut slope = |pool: &mut Pool, var: SymbolId| -> ExprId {
            *slopes.entry(var).or_insert_with(|| {
                // F differentiated with y held fixed, every other dependency followed.
                let deps = Dependencies {
                    substitution: Substitution::new(),
                    depends: others.clone(),
                };
                let fv = total_diff(pool, f, var, &deps);
                let ratio = pool.div(fv, fy);
                let slope = pool.neg(ratio);
                together(pool, slope)
            })
        };
        let mut result = slope(pool, x);
        for &var in &context.wrt[1..] {
            let rate = slope(pool, var);
            let mut depends = others.clone();
            depends.push((y, var));
            let deps = Dependencies {
                substitution: Substitution::new(),
                depends,
            };
            let next = total_diff(pool, result, var, &deps);
            let placeholder = pool.derivative(y, var, 1);
            let map: FxHashMap<ExprId, ExprId> = [(placeholder, rate)].into_iter().collect();
            let next = replace(pool, next, &map);
            result = together(pool, next);
        }
        let label = if context.wrt.iter().all(|&v| v == x) {
            Label::Implicit {
                y: y_name.clone(),
                x: pool.symbol_name(x).to_string(),
                order: context.wrt.len(),
            }
        } else {
            let names: Vec<String> = context
                .wrt
                .iter()
                .map(|&v| pool.symbol_name(v).to_string())
                .collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            Label::partial(y_name, &names)
        };
        vec![Line::new(label, result)]
    }
}

/// `0` when `value` is provably zero, else `value`: explanations compare their lines,
/// and `3*(x + 1)^2 - 3*x^2 - 6*x - 3` should read as what it is.
pub(super) fn zeroed(pool: &mut Pool, value: ExprId) -> ExprId {
    if is_zero(pool, value) {
        ExprId::ZERO
    } else {
        value
    }
}

/// Whether `a` and `b` are provably equal: the same node, or their difference expands
/// to zero ([`is_zero`]).
fn same(pool: &mut Pool, a: ExprId, b: ExprId) -> bool {
    if a == b {
        return true;
    }
    let difference = pool.sub(a, b);
    is_zero(pool, difference)
}

/// The note on `--explain`'s substitute-afterwards line: equal to the total, or wrong,
/// with the factor when the total is a constant multiple of it. A factor is claimed only
/// where both sides are nonzero: at an `--at` point where both vanish, it says so.
fn after_note(pool: &mut Pool, context: &Context, total: ExprId, after: ExprId) -> String {
    if same(pool, total, after) {
        return "(equals the total)".into();
    }
    let ratio = if is_zero(pool, after) {
        ExprId::UNDEFINED
    } else {
        let ratio = pool.div(total, after);
        let ratio = together(pool, ratio);
        match expand(pool, ratio) {
            Some(expanded) if pool.is_constant(expanded) => expanded,
            _ if pool.is_constant(ratio) => ratio,
            _ => ExprId::UNDEFINED,
        }
    };
    let claim = if ratio == ExprId::UNDEFINED {
        "differs from the total".to_string()
    } else {
        format!("the total is {} times this", print(pool, ratio))
    };
    if !context.at.is_empty() {
        let here = |pool: &mut Pool, value: ExprId| {
            replace_checked(pool, value, &context.at).unwrap_or(ExprId::UNDEFINED)
        };
        let (total_here, after_here) = (here(pool, total), here(pool, after));
        if total_here != ExprId::UNDEFINED && same(pool, total_here, after_here) {
            return format!("(WRONG in general: {claim}; the two agree at this point)");
        }
    }
    format!("(WRONG: {claim})")
}
