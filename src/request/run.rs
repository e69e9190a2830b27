//! One input's computation: parsed and expanded through the definitions, the mode's
//! results, then `--at`, `--sgd`, the definitions' names, the tidy pass (`--form`),
//! `--steps` and `--verify`; and
//! the warnings about it.

use rustc_hash::FxHashSet;

use super::assignment::{parse_option_expr, unwrap_option};
use super::context::Context;
use super::params::select_params;
use super::timings::Laps;
use super::{Label, Line, Mode, Outcome, Request, Timings, Varying};
use crate::algebra::tidy::{Form, candidates, pick, tidy};
use crate::calculus::defined::DefinedFunctions;
use crate::error::{Error, Warning};
use crate::expr::SymbolId;
use crate::expr::subst::free_symbols;
use crate::expr::{ExprId, Pool};
use crate::model::Model;
use crate::parse::parse_warned;

impl Request {
    /// Computes the result lines for one input: one expression, or several for
    /// [`Mode::Jacobian`].
    pub fn run(&self, pool: &mut Pool, texts: &[&str]) -> Result<Outcome, Error> {
        let mut laps = Laps::start();
        let mut timings = Timings::default();
        let mut context = self.context(pool).map_err(unwrap_option)?;
        let parse_options =
            self.parse_options(context.depends.clone(), self.mode == Mode::Implicit);
        let model = Model::load(
            pool,
            &self.definitions,
            &self.parse_options(Vec::new(), false),
        )?;
        let mut inputs = Vec::with_capacity(texts.len());
        let mut warnings = Vec::new();
        // Spans are shown in the inputs joined by spaces.
        let mut offset = 0;
        for text in texts {
            let start = offset;
            let shift = |error: Error| error.shifted(start);
            timings.build += laps.lap();
            let (parsed, found) = parse_warned(pool, text, &parse_options).map_err(shift)?;
            timings.parse += laps.lap();
            warnings.extend(
                found
                    .into_iter()
                    .filter(|w| {
                        !w.name
                            .as_deref()
                            .is_some_and(|n| self.declares(pool, &model, n))
                    })
                    .map(|w| w.shifted(start)),
            );
            offset += text.len() + 1;
            let expanded = model.expand(pool, parsed, text).map_err(shift)?;
            inputs.push(if self.inline {
                pool.inline_functions(expanded)
            } else {
                expanded
            });
        }
        let Some(&input) = inputs.first() else {
            return Ok(Outcome::default());
        };
        timings.build += laps.lap();
        if !self.params.is_empty() {
            let f = context.substitution.apply(pool, input);
            context.wrt = select_params(pool, f, &self.params)?;
        }
        if self.total && context.wrt.is_empty() && self.mode == Mode::Derivative {
            let var = implied_variable(pool, &context, input)?;
            let name = pool.symbol_name(var).to_string();
            warnings.push(Warning {
                message: format!(
                    "--total without --wrt: differentiating in `{name}`, the one variable the \
                     constraints tie the others to"
                ),
                span: None,
                help: Some(format!("give --wrt to choose: --wrt {name}")),
                name: None,
            });
            context.wrt = vec![var];
        }
        for &var in &context.wrt {
            if model.value(var).is_some() || pool.functions.contains_key(&var) {
                let name = pool.symbol_name(var);
                return Err(Error::Usage {
                    message: format!(
                        "--wrt {name}: `{name}` is a definition, not a variable: derivatives go \
                         through definitions to the variables they are written in"
                    ),
                    help: Some(
                        "differentiate in a variable of the definitions (results are shown \
                         in the definitions' names)"
                            .into(),
                    ),
                });
            }
        }
        if matches!(self.mode, Mode::Gradient | Mode::Hessian | Mode::Jacobian) {
            // A gradient, Hessian or Jacobian in the same variable twice is the same.
            let mut seen = FxHashSet::default();
            context.wrt.retain(|&v| seen.insert(v));
        }
        if let Some(Varying::AllExcept(constants)) = &self.varying {
            self.vary_all_except(pool, &mut context, input, constants);
        }
        if let Some(language) = self.emit {
            let (code, checks) = self.code(pool, &context, input, &model, language)?;
            timings.differentiate += laps.lap();
            return Ok(Outcome {
                inputs,
                checks,
                code: Some(code),
                warnings,
                timings,
                ..Outcome::default()
            });
        }
        let mut program = None;
        let lines = match self.mode {
            Mode::Derivative => match self.reverse_derivative(pool, &context, input, &model) {
                Some((value, reverse)) => {
                    program = Some(reverse);
                    vec![Line::new(Label::None, value)]
                }
                None => {
                    let value = self.derivative(pool, &context, input, &context.wrt);
                    vec![Line::new(Label::None, value)]
                }
            },
            Mode::Explain => self.explain(pool, &context, input),
            Mode::Differential => self.differential(pool, &context, input),
            Mode::Gradient => match self.reverse_gradient(pool, &context, input, None, &model) {
                Some((lines, reverse)) => {
                    program = Some(reverse);
                    lines
                }
                None => self.gradient(pool, &context, &[(self.function_name().to_string(), input)]),
            },
            Mode::Jacobian => {
                let functions: Vec<(String, ExprId)> = inputs
                    .iter()
                    .enumerate()
                    .map(|(k, &id)| (format!("f{}", k + 1), id))
                    .collect();
                self.gradient(pool, &context, &functions)
            }
            Mode::Hessian => self.hessian(pool, &context, input),
            Mode::Implicit => self.implicit(pool, &context, input),
        };
        let functions = match self.mode {
            Mode::Jacobian => &inputs[..],
            _ => &inputs[..1],
        };
        self.check_defined(pool, &context, functions)?;
        let mut lines = self.finish(pool, &context, lines)?;
        warnings.extend(self.absent_variables(pool, &context, &inputs, &lines));
        let lists = matches!(self.mode, Mode::Gradient | Mode::Hessian | Mode::Jacobian);
        if lists && lines.is_empty() && program.is_none() {
            warnings.push(Warning {
                message: "the function has no variables, so there is no partial derivative \
                          to print"
                    .into(),
                span: None,
                help: None,
                name: None,
            });
        }
        if let Some(rate) = &self.sgd {
            let eta = parse_option_expr(pool, rate, &self.parse_options(Vec::new(), false))
                .map_err(unwrap_option)?;
            for line in &mut lines {
                if let Label::Derivative { vars, .. } = &line.label
                    && let [param] = &vars[..]
                {
                    let theta = pool.var(param);
                    let step = pool.mul2(eta, line.value);
                    line.value = pool.sub(theta, step);
                    line.label = Label::Update {
                        param: param.clone(),
                    };
                }
            }
        }
        if !model.is_empty() {
            for line in &mut lines {
                line.value = self.shown(pool, &model, line.value);
                for (coefficient, _) in &mut line.differentials {
                    *coefficient = self.shown(pool, &model, *coefficient);
                }
            }
            if let Some(program) = &mut program {
                for (_, value) in &mut program.temps {
                    *value = self.shown(pool, &model, *value);
                }
                for value in &mut program.results {
                    *value = self.shown(pool, &model, *value);
                }
            }
        }
        timings.differentiate += laps.lap();
        for line in &mut lines {
            self.tidy_line(pool, line);
        }
        let derivations = if self.steps {
            self.derivations(pool, &context, input)
        } else {
            Vec::new()
        };
        timings.tidy += laps.lap();
        let checks = match &program {
            _ if !self.verify => Vec::new(),
            Some(program) => {
                let f = context.substitution.apply(pool, input);
                let vars = match self.mode {
                    Mode::Derivative => context.wrt[..1].to_vec(),
                    _ => self.gradient_vars(pool, &context, f),
                };
                self.program_checks(pool, f, &vars, program, 0, &model)
            }
            None => self.checks(pool, &context, &inputs),
        };
        Ok(Outcome {
            inputs,
            lines,
            derivations,
            checks,
            program,
            code: None,
            warnings,
            timings: Timings {
                differentiate: timings.differentiate + laps.lap(),
                ..timings
            },
        })
    }

    /// Whether `name` is the user's own by a definition, or a variable by an option
    /// (`--wrt E`, `--at Pi=3`): then a name like a constant's or a built-in's is meant.
    fn declares(&self, pool: &Pool, model: &Model, name: &str) -> bool {
        model.defines(pool, name)
            || self.wrt.iter().any(|v| v == name)
            || self.subst.iter().chain(&self.at).any(|a| a.var == name)
            || self
                .depends
                .iter()
                .any(|(v, on)| v == name || on.as_deref() == Some(name))
            || self.implicit.as_deref() == Some(name)
    }

    /// Warnings for `--wrt` variables that occur in no input, even after substitution,
    /// and whose derivatives are all 0.
    fn absent_variables(
        &self,
        pool: &mut Pool,
        context: &Context,
        inputs: &[ExprId],
        lines: &[Line],
    ) -> Vec<Warning> {
        if matches!(
            self.mode,
            Mode::Explain | Mode::Implicit | Mode::Differential
        ) || !self.params.is_empty()
        {
            return Vec::new();
        }
        // The variables of the inputs, found only once a derivative is all zeros.
        let mut present: Option<FxHashSet<SymbolId>> = None;
        let mut warnings: Vec<Warning> = Vec::new();
        for name in &self.wrt {
            if warnings.iter().any(|w| w.name.as_ref() == Some(name)) {
                continue;
            }
            // Before `--sgd` writes them as update rules.
            let in_var = |label: &Label| {
                let mut label = label;
                while let Label::After(inner, _) = label {
                    label = inner;
                }
                match label {
                    Label::Derivative { vars, .. } => vars.contains(name),
                    _ => true,
                }
            };
            let all_zero = lines
                .iter()
                .filter(|line| in_var(&line.label))
                .all(|line| line.value == ExprId::ZERO);
            if !all_zero {
                continue;
            }
            let present = present.get_or_insert_with(|| {
                let mut present = FxHashSet::default();
                for &input in inputs {
                    let constrained = context.substitution.apply(pool, input);
                    present.extend(free_symbols(pool, constrained));
                }
                present
            });
            let var = pool.symbol(name);
            if present.contains(&var) {
                continue;
            }
            let similar = present
                .iter()
                .map(|&s| pool.symbol_name(s))
                .find(|other| other.to_lowercase() == name.to_lowercase());
            warnings.push(Warning {
                message: format!(
                    "--wrt {name}: `{name}` does not occur in the expression, so the derivative \
                     is 0"
                ),
                span: None,
                help: Some(match similar {
                    Some(other) => format!("did you mean --wrt {other}?"),
                    None if self.total => format!(
                        "declare what varies with `{name}` with --depends, --const or --vary-all"
                    ),
                    None => format!(
                        "if a variable depends on `{name}`, say so: --total --depends 'VAR({name})'"
                    ),
                }),
                name: Some(name.clone()),
            });
        }
        warnings
    }

    /// A line's value in the requested form (`--form`), and with `--forms` in all of
    /// them; a differential's coefficients each in that form. Done last, on the result as
    /// shown, so that the definitions' names are tidied as variables.
    fn tidy_line(&self, pool: &mut Pool, line: &mut Line) {
        if self.form == Form::Computed && !self.forms {
            return;
        }
        for (coefficient, _) in &mut line.differentials {
            *coefficient = tidy(pool, *coefficient, self.form);
        }
        let all = candidates(pool, line.value);
        let pick = pick(&all, self.form);
        line.value = pick.expr;
        line.form = pick.form;
        if self.forms {
            line.forms = all.iter().map(|c| (c.form, c.expr)).collect();
        }
    }

    /// A result as shown: in the definitions' names, or written out with `--inline`.
    fn shown(&self, pool: &mut Pool, model: &Model, value: ExprId) -> ExprId {
        if self.inline {
            pool.inline_functions(value)
        } else {
            model.present(pool, value)
        }
    }
}

/// The variable a total derivative without `--wrt` is meant to be in: the one variable
/// that the substitutions and dependencies tie the others to (`x` for `--subst t=x`). A
/// usage error listing the candidates when there is not exactly one.
fn implied_variable(
    pool: &mut Pool,
    context: &Context,
    input: ExprId,
) -> Result<crate::expr::SymbolId, Error> {
    let mut tied: Vec<crate::expr::SymbolId> = Vec::new();
    for &(_, replacement) in context.substitution.rules() {
        tied.extend(free_symbols(pool, replacement));
    }
    tied.extend(context.depends.iter().map(|&(_, on)| on));
    tied.sort_by(|&a, &b| pool.symbol_name(a).cmp(pool.symbol_name(b)));
    tied.dedup();
    if let [var] = tied[..] {
        return Ok(var);
    }
    let constrained = context.substitution.apply(pool, input);
    let candidates = if tied.is_empty() {
        free_symbols(pool, constrained)
    } else {
        tied
    };
    let names: Vec<&str> = candidates.iter().map(|&v| pool.symbol_name(v)).collect();
    Err(Error::Usage {
        message: "--total needs --wrt: the variable to differentiate in".into(),
        help: Some(if names.is_empty() {
            "the expression has no variables".into()
        } else {
            format!(
                "candidates: {} (for example --wrt {})",
                names.join(", "),
                names[0]
            )
        }),
    })
}
