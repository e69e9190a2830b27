//! Results as programs: a gradient or a first derivative in reverse mode (`--cse`, a
//! model's gradient), the generated source of `--emit`, and the `--verify` checks of both.

use std::rc::Rc;

use rustc_hash::FxHashSet;

use super::assignment::{parse_option_expr, unwrap_option};
use super::context::Context;
use super::params::natural_cmp;
use super::{Label, Line, Mode, Request};
use crate::error::Error;
use crate::expr::subst::free_symbols;
use crate::expr::{ExprId, Pool, SymbolId};
use crate::model::Model;
use crate::program::cse::Program;
use crate::program::emit::{EmitSpec, Language};
use crate::program::reverse::value_and_gradient_named;
use crate::verify::Check;

impl Request {
    /// `--emit`: the source of a function of the parameters and then the other variables
    /// (in natural order) returning the function's value and its gradient in the
    /// parameters (the `--wrt` variables, `--params`' or all), and with `--sgd` the
    /// updated parameters; with `--verify`, the checks of its gradient.
    pub(super) fn code(
        &self,
        pool: &mut Pool,
        context: &Context,
        input: ExprId,
        model: &Model,
        language: Language,
    ) -> Result<(String, Vec<Check>), Error> {
        let f = context.substitution.apply(pool, input);
        let params = self.gradient_vars(pool, context, f);
        let Some(program) = value_and_gradient_named(pool, f, &params, model.names()) else {
            return Err(Error::Undefined {
                reason: "--emit: the function has no numeric value: it holds an unknown \
                         function or an unevaluated derivative (define functions with --def \
                         'g(x)=...')"
                    .into(),
                span: None,
            });
        };
        let rate = match &self.sgd {
            Some(rate) => {
                let parsed = parse_option_expr(pool, rate, &self.parse_options(Vec::new(), false))
                    .map_err(unwrap_option)?;
                // The rate may use the definitions, like the function.
                Some(model.expand(pool, parsed, &rate.expr)?)
            }
            None => None,
        };
        let mut data: Vec<SymbolId> = free_symbols(pool, f);
        data.extend(rate.map_or_else(Vec::new, |rate| free_symbols(pool, rate)));
        data.retain(|v| !params.contains(v));
        data.sort_by(|&a, &b| natural_cmp(pool.symbol_name(a), pool.symbol_name(b)));
        data.dedup();
        let inputs: Vec<SymbolId> = params.iter().chain(&data).copied().collect();
        let name = format!("{}_and_gradient", self.function_name());
        let mut spec = EmitSpec::loss_and_gradient(language, name, pool, &inputs, &params);
        if let Some(rate) = rate {
            spec = spec.with_step(rate, &params);
        }
        let code = crate::program::emit::emit(pool, &program, &spec).map_err(|e| Error::Usage {
            message: format!("--emit: {e}"),
            help: Some(
                "every variable needs a numeric value: leave out --emit for this input".into(),
            ),
        })?;
        let checks = if self.verify {
            // The loss comes first; the gradient follows.
            self.program_checks(pool, f, &params, &program, 1, model)
        } else {
            Vec::new()
        };
        Ok((code, checks))
    }

    /// The variables of a gradient of `f`: the `--wrt` (or `--params`) variables, or all.
    pub(super) fn gradient_vars(&self, pool: &Pool, context: &Context, f: ExprId) -> Vec<SymbolId> {
        if context.wrt.is_empty() {
            free_symbols(pool, f)
        } else {
            context.wrt.clone()
        }
    }

    /// `--verify` of a gradient program as printed: its results from `first` on are the
    /// derivatives of `f` (the constrained input) in `vars`, evaluated through its
    /// intermediates.
    pub(super) fn program_checks(
        &self,
        pool: &Pool,
        f: ExprId,
        vars: &[SymbolId],
        program: &Program,
        first: usize,
        model: &Model,
    ) -> Vec<Check> {
        // Definitions the program is written in but does not compute (`k` inside a
        // function's derivative) come first, with their values.
        let mut temps: Vec<(SymbolId, ExprId)> = Vec::new();
        if !model.is_empty() {
            let computed: FxHashSet<SymbolId> =
                program.temps.iter().map(|&(name, _)| name).collect();
            let mut mentioned = FxHashSet::default();
            for &value in program.temps.iter().map(|(_, v)| v).chain(&program.results) {
                mentioned.extend(free_symbols(pool, value));
            }
            temps.extend(
                model
                    .variables()
                    .filter(|(name, _)| mentioned.contains(name) && !computed.contains(name)),
            );
        }
        temps.extend_from_slice(&program.temps);
        let temps: Rc<[(SymbolId, ExprId)]> = temps.into();
        vars.iter()
            .zip(&program.results[first..])
            .map(|(&var, &value)| Check {
                label: format!("diff({}, {})", self.function_name(), pool.symbol_name(var)),
                base: f,
                var,
                value,
                temps: Some(temps.clone()),
                after: None,
            })
            .collect()
    }

    /// With `--cse`, a gradient of partial derivatives without `--at` as a reverse-mode
    /// program: the lines, written in its intermediates, and the program.
    pub(super) fn reverse_gradient(
        &self,
        pool: &mut Pool,
        context: &Context,
        input: ExprId,
        only: Option<SymbolId>,
        model: &Model,
    ) -> Option<(Vec<Line>, Program)> {
        // A model's gradient is always a program: never one formula per parameter.
        let model_gradient = !model.is_empty() && self.mode == Mode::Gradient && !self.inline;
        if !(self.cse || model_gradient) || self.total || !self.at.is_empty() {
            return None;
        }
        let f = context.substitution.apply(pool, input);
        let vars = match only {
            Some(var) => vec![var],
            None => self.gradient_vars(pool, context, f),
        };
        let program =
            crate::program::reverse::gradient_program_named(pool, f, &vars, model.names())?;
        let lines = vars
            .iter()
            .zip(&program.results)
            .map(|(&v, &value)| {
                Line::new(
                    Label::partial(self.function_name(), &[pool.symbol_name(v)]),
                    value,
                )
            })
            .collect();
        Some((lines, program))
    }

    /// With `--cse`, a first partial derivative without `--at` in reverse mode: linear in
    /// the function's size even where the plain formula is quadratic (a deep chain).
    pub(super) fn reverse_derivative(
        &self,
        pool: &mut Pool,
        context: &Context,
        input: ExprId,
        model: &Model,
    ) -> Option<(ExprId, Program)> {
        let [var] = context.wrt[..] else {
            return None;
        };
        let (lines, program) = self.reverse_gradient(pool, context, input, Some(var), model)?;
        Some((lines.first()?.value, program))
    }
}
