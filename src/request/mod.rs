//! One validated request (what to compute) and its computation for one input expression:
//! derivatives partial or total, under constraints, at points, and the labelled reports
//! (`--explain`, `--differential`, `--grad`, `--hessian`, `--jacobian`).

pub mod label;

use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::calculus::defined::DefinedFunctions;
use crate::calculus::diff::{Dependencies, DependencyError, diff, rates_of_change, total_diff};
use crate::calculus::expand::{expand, is_zero};
use crate::calculus::steps::{Derivation, derivation};
use crate::calculus::together::together;
use crate::error::{Error, Span, Warning};
use crate::expr::rational::Rational;
use crate::expr::subst::{Substitution, free_symbols, replace, replace_checked};
use crate::expr::{ExprId, Pool, SymbolId};
use crate::model::{Definition, Model};
use crate::parse::{ParseOptions, check_variable, parse_warned, parse_with};
use crate::print::print;
use crate::program::cse::Program;
use crate::program::emit::{EmitSpec, Language};
use crate::program::reverse::value_and_gradient_named;
use crate::verify::Check;

/// What to report for each expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// The derivative (or, without variables, the simplified expression).
    #[default]
    Derivative,
    /// The partial, each chain-rule term, the total, and both orders of substituting.
    Explain,
    /// `df = Σ ∂f/∂v dv`.
    Differential,
    /// Every first partial.
    Gradient,
    /// Every second partial.
    Hessian,
    /// The first partials of several expressions.
    Jacobian,
    /// `dy/dx` for an equation `F = 0` with `y` a function of `x`.
    Implicit,
}

impl Mode {
    /// The mode's name in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Derivative => "derivative",
            Mode::Explain => "explain",
            Mode::Differential => "differential",
            Mode::Gradient => "gradient",
            Mode::Hessian => "hessian",
            Mode::Jacobian => "jacobian",
            Mode::Implicit => "implicit",
        }
    }
}

/// Which variables vary with the differentiation variable in a total derivative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Varying {
    /// Only variables tied by a substitution or declared with `--depends`.
    Declared,
    /// Every variable except these (`--const`, `--vary-all`): Mathematica's `Dt`.
    AllExcept(Vec<String>),
}

/// A `VAR=EXPR` option, with where its expression starts in the option's text.
#[derive(Clone, Debug)]
pub struct Assignment {
    /// The whole option value, for error messages.
    pub text: String,
    /// The variable.
    pub var: String,
    /// The expression text.
    pub expr: String,
    /// Byte offset of `expr` in `text`.
    pub offset: usize,
    /// The option's name, `--subst` or `--at`.
    pub option: &'static str,
}

/// A validated request: everything but the expression.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The report.
    pub mode: Mode,
    /// Variables to differentiate in, in order.
    pub wrt: Vec<String>,
    /// Total rather than partial derivatives.
    pub total: bool,
    /// Constraints applied before differentiating.
    pub subst: Vec<Assignment>,
    /// Points or surfaces applied to the results.
    pub at: Vec<Assignment>,
    /// Dependent variables and what they depend on (`None`: the first `--wrt` variable).
    pub depends: Vec<(String, Option<String>)>,
    /// Which variables vary, for `--total`.
    pub varying: Option<Varying>,
    /// The dependent variable of `--implicit`.
    pub implicit: Option<String>,
    /// Also print decimal approximations.
    pub numeric: bool,
    /// The parser's depth limit.
    pub max_depth: usize,
    /// Also derive step by step (`--steps`).
    pub steps: bool,
    /// Also check the results numerically (`--verify`).
    pub verify: bool,
    /// Results as a program of shared intermediates (`--cse`): gradients in reverse mode.
    pub cse: bool,
    /// Definitions of variables and functions (`--def`, definition lines of a file).
    pub definitions: Vec<Definition>,
    /// The name of the function being differentiated, for labels (`--of`); `f` if none.
    pub name: Option<String>,
    /// Results in the original variables rather than the definitions' names.
    pub inline: bool,
    /// Glob patterns choosing the parameters of `--grad` (`--params 'w*,b*'`).
    pub params: Vec<String>,
    /// The learning rate of `--sgd`: the gradient printed as update rules.
    pub sgd: Option<Assignment>,
    /// Write the loss and its gradient (and the `--sgd` step) as a function in this
    /// language instead of formulas (`--emit`); needs [`Mode::Gradient`].
    pub emit: Option<Language>,
}

/// What a result is; each output format writes it its own way (`diff(f, x)`, `∂f/∂x`,
/// `\frac{\partial f}{\partial x}`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Label {
    /// A bare result.
    #[default]
    None,
    /// The derivative of `of` in `vars`, in order; total (`df/dx`) or partial.
    Derivative {
        /// The function's name.
        of: String,
        /// The differentiation variables.
        vars: Vec<String>,
        /// `d` rather than `∂`.
        total: bool,
        /// Constraints applied to the function first (`f with t=x`).
        constrained: Option<String>,
    },
    /// A chain-rule term `∂f/∂via · dvia/dvar`.
    Chain {
        /// The function's name.
        of: String,
        /// The intermediate variable.
        via: String,
        /// The differentiation variable.
        var: String,
    },
    /// The total differential `df`.
    Differential {
        /// The function's name.
        of: String,
    },
    /// `d^order y/dx^order` of an implicit function `y(x)`.
    Implicit {
        /// The dependent variable.
        y: String,
        /// The independent variable.
        x: String,
        /// The order.
        order: usize,
    },
    /// A label followed by the constraints substituted afterwards: `∂f/∂x with t=x`.
    After(Box<Label>, String),
    /// A gradient-descent step for a parameter: `w := w - eta*∂E/∂w` (`--sgd`).
    Update {
        /// The parameter.
        param: String,
    },
}

impl Label {
    fn partial(of: &str, vars: &[&str]) -> Label {
        Label::Derivative {
            of: of.to_string(),
            vars: vars.iter().map(|v| v.to_string()).collect(),
            total: false,
            constrained: None,
        }
    }
}

/// One result: a heading and a label (both may be empty), the value and a remark.
#[derive(Clone, Debug)]
pub struct Line {
    /// A short description in front of the label (`--explain`: `partial`, `total`, …).
    pub heading: String,
    /// What the value is.
    pub label: Label,
    /// The value.
    pub value: ExprId,
    /// For a differential: the coefficient of each `dv`, `value` being their sum.
    pub differentials: Vec<(ExprId, SymbolId)>,
    /// A remark such as `(y is held constant)`.
    pub note: Option<String>,
    /// The value as a decimal, right to the digits it shows, with `--numeric`.
    pub decimal: Option<crate::expr::precise::Decimal>,
}

impl Line {
    fn new(label: Label, value: ExprId) -> Line {
        Line {
            heading: String::new(),
            label,
            value,
            differentials: Vec::new(),
            note: None,
            decimal: None,
        }
    }

    fn headed(heading: impl Into<String>, label: Label, value: ExprId) -> Line {
        Line {
            heading: heading.into(),
            ..Line::new(label, value)
        }
    }

    fn with_note(mut self, note: impl Into<String>) -> Line {
        self.note = Some(note.into());
        self
    }
}

/// Everything computed for one input.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The parsed input expressions.
    pub inputs: Vec<ExprId>,
    /// The results.
    pub lines: Vec<Line>,
    /// With `--steps`: the derivation in each differentiation variable, in order.
    pub derivations: Vec<Derivation>,
    /// With `--verify`: the claims behind the results, to check numerically.
    pub checks: Vec<Check>,
    /// With `--cse` and `--grad`: the reverse-mode program the results are written in.
    pub program: Option<Program>,
    /// With `--emit`: the generated source, in place of the lines.
    pub code: Option<String>,
    /// What the input probably does not mean; spans are in the inputs joined by spaces.
    pub warnings: Vec<Warning>,
}

/// Reads `VAR=EXPR` (checking its shape, not yet the expression).
pub fn parse_assignment(
    text: &str,
    part: &str,
    start: usize,
    option: &'static str,
) -> Result<Assignment, Error> {
    let fail = |message: String, span: Span, help: &str| Error::Option {
        error: Box::new(Error::Syntax {
            message,
            span,
            help: Some(help.to_string()),
        }),
        text: text.to_string(),
        option,
        malformed: true,
    };
    let usage = "write VAR=EXPR, for example t=x^2";
    let Some(eq) = part.find('=') else {
        let end = start + part.len();
        return Err(fail(
            format!("`{part}` has no `=`"),
            Span::new(end, end),
            usage,
        ));
    };
    let var = part[..eq].trim();
    let expr = &part[eq + 1..];
    let eq_at = start + eq;
    if expr.starts_with('=') {
        return Err(fail(
            "`==` is not an assignment".into(),
            Span::new(eq_at, eq_at + 2),
            "use a single `=`: t=x",
        ));
    }
    if var.is_empty() {
        return Err(fail(
            "missing variable before `=`".into(),
            Span::new(eq_at, eq_at + 1),
            usage,
        ));
    }
    if let Err(message) = check_variable(var) {
        let var_start = start + part.find(var).unwrap_or(0);
        return Err(fail(
            message,
            Span::new(var_start, var_start + var.len()),
            usage,
        ));
    }
    if expr.trim().is_empty() {
        let end = start + part.len();
        return Err(fail(
            "missing expression after `=`".into(),
            Span::new(end, end),
            usage,
        ));
    }
    Ok(Assignment {
        text: text.to_string(),
        var: var.to_string(),
        expr: expr.to_string(),
        offset: eq_at + 1,
        option,
    })
}

/// Everything a request needs inside one pool.
struct Context {
    wrt: Vec<SymbolId>,
    substitution: Substitution,
    at: FxHashMap<ExprId, ExprId>,
    depends: Vec<(SymbolId, SymbolId)>,
}

impl Request {
    /// Checks the option arguments once, before any input is read.
    pub fn check_options(&self) -> Result<(), Error> {
        let mut pool = Pool::new();
        self.context(&mut pool)?;
        if let Some(rate) = &self.sgd {
            parse_option_expr(&mut pool, rate, &self.parse_options(Vec::new(), false))?;
        }
        Ok(())
    }

    fn parse_options(&self, depends: Vec<(SymbolId, SymbolId)>, equation: bool) -> ParseOptions {
        ParseOptions {
            max_depth: self.max_depth,
            equation,
            depends,
        }
    }

    /// Parses the option expressions into `pool`.
    fn context(&self, pool: &mut Pool) -> Result<Context, Error> {
        let wrt: Vec<SymbolId> = self.wrt.iter().map(|v| pool.symbol(v)).collect();
        let first = wrt.first().copied();
        let mut depends = Vec::new();
        for (var, on) in &self.depends {
            let on = match on {
                Some(on) => pool.symbol(on),
                None => match first {
                    Some(first) => first,
                    None => {
                        return Err(depends_error(
                            format!(
                                "--depends {var}: `{var}` depends on the --wrt variable, but \
                                 there is none"
                            ),
                            format!("name the variable it depends on: --depends '{var}(x)'"),
                        ));
                    }
                },
            };
            let pair = (pool.symbol(var), on);
            if !depends.contains(&pair) {
                depends.push(pair);
            }
        }
        if let (Some(y), Some(x)) = (&self.implicit, first) {
            depends.push((pool.symbol(y), x));
        }
        let options = self.parse_options(depends.clone(), false);
        let mut raw = Substitution::new();
        for assignment in &self.subst {
            let value = parse_option_expr(pool, assignment, &options)?;
            raw.insert(pool.symbol(&assignment.var), value);
        }
        let substitution = raw.resolve(pool).map_err(|cycle| {
            let names: Vec<&str> = cycle.path.iter().map(|&s| pool.symbol_name(s)).collect();
            let first = &self.subst[0];
            Error::Option {
                error: Box::new(Error::Syntax {
                    message: format!("the substitutions form a cycle: {}", names.join(" -> ")),
                    span: Span::new(0, first.text.len()),
                    help: Some("each variable may be replaced only by an expression that does not lead back to it".into()),
                }),
                text: first.text.clone(),
                option: "--subst",
                malformed: true,
            }
        })?;
        for var in &self.wrt {
            if let Some(rule) = self.subst.iter().find(|a| a.var == *var) {
                return Err(Error::Option {
                    error: Box::new(Error::Syntax {
                        message: format!(
                            "cannot differentiate with respect to {}: --subst replaces it",
                            rule.var
                        ),
                        span: Span::new(0, rule.var.len()),
                        help: Some(format!(
                            "differentiate with respect to a variable that {} is written in",
                            rule.var
                        )),
                    }),
                    text: rule.text.clone(),
                    option: "--subst",
                    malformed: true,
                });
            }
        }
        let deps = Dependencies {
            substitution: substitution.clone(),
            depends: depends.clone(),
        };
        if let Err(error) = deps.check(pool) {
            let name = |s: SymbolId| pool.symbol_name(s).to_string();
            let (message, help) = match error {
                DependencyError::Cycle(path) => (
                    format!(
                        "the dependencies form a cycle: {}",
                        path.iter()
                            .map(|&s| name(s))
                            .collect::<Vec<_>>()
                            .join(" -> ")
                    ),
                    "a variable cannot depend, through --depends or --subst, on itself".into(),
                ),
                DependencyError::TwoVariables(y, a, b) => (
                    format!(
                        "--depends: `{}` is declared to depend on both `{}` and `{}`",
                        name(y),
                        name(a),
                        name(b)
                    ),
                    format!(
                        "diff({0}, {1}) is an ordinary derivative, so a variable depends on one \
                         other: chain them instead (--depends '{0}({1})' --depends '{1}({2})')",
                        name(y),
                        name(a),
                        name(b)
                    ),
                ),
                DependencyError::Substituted(y) => (
                    format!("--depends {0}: --subst also replaces `{0}`", name(y)),
                    "give either the dependency or the substitution".into(),
                ),
            };
            return Err(depends_error(message, help));
        }
        let mut at = FxHashMap::default();
        for assignment in &self.at {
            if let Some(rule) = self.subst.iter().find(|a| a.var == assignment.var) {
                return Err(Error::Option {
                    error: Box::new(Error::Syntax {
                        message: format!(
                            "--at {}: --subst replaces `{}`, so it has no value of its own",
                            assignment.var, assignment.var
                        ),
                        span: Span::new(0, assignment.var.len()),
                        help: Some(format!(
                            "give values to the variables of `{}` instead",
                            rule.text.trim()
                        )),
                    }),
                    text: assignment.text.clone(),
                    option: "--at",
                    malformed: true,
                });
            }
            let value = parse_option_expr(pool, assignment, &options)?;
            let var = pool.var(&assignment.var);
            at.insert(var, value);
        }
        Ok(Context {
            wrt,
            substitution,
            at,
            depends,
        })
    }

    /// Computes the result lines for one input: one expression, or several for
    /// [`Mode::Jacobian`].
    pub fn run(&self, pool: &mut Pool, texts: &[&str]) -> Result<Outcome, Error> {
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
            let (parsed, found) = parse_warned(pool, text, &parse_options).map_err(shift)?;
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
        if !self.params.is_empty() {
            let f = context.substitution.apply(pool, input);
            context.wrt = select_params(pool, f, &self.params)?;
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
            return Ok(Outcome {
                inputs,
                checks,
                code: Some(code),
                warnings,
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
        let derivations = if self.steps {
            self.derivations(pool, &context, input)
        } else {
            Vec::new()
        };
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

    /// The curve of `--implicit`: the equation `F = 0` (with the constraints applied) that
    /// defines `y`, and `y`; `None` in other modes.
    pub fn curve(&self, pool: &mut Pool, outcome: &Outcome) -> Option<(ExprId, SymbolId)> {
        let y = self.implicit.as_ref()?;
        let &equation = outcome.inputs.first()?;
        let context = self.context(pool).ok()?;
        let equation = context.substitution.apply(pool, equation);
        Some((equation, pool.symbol(y)))
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
        let mut present = FxHashSet::default();
        for &input in inputs {
            let constrained = context.substitution.apply(pool, input);
            present.extend(free_symbols(pool, constrained));
        }
        let mut warnings: Vec<Warning> = Vec::new();
        for name in &self.wrt {
            let var = pool.symbol(name);
            if present.contains(&var) || warnings.iter().any(|w| w.name.as_ref() == Some(name)) {
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

    /// `--emit`: the source of a function of the parameters and then the other variables
    /// (in natural order) returning the function's value and its gradient in the
    /// parameters (the `--wrt` variables, `--params`' or all), and with `--sgd` the
    /// updated parameters; with `--verify`, the checks of its gradient.
    fn code(
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
    fn gradient_vars(&self, pool: &Pool, context: &Context, f: ExprId) -> Vec<SymbolId> {
        if context.wrt.is_empty() {
            free_symbols(pool, f)
        } else {
            context.wrt.clone()
        }
    }

    /// `--verify` of a gradient program as printed: its results from `first` on are the
    /// derivatives of `f` (the constrained input) in `vars`, evaluated through its
    /// intermediates.
    fn program_checks(
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

    /// The name of the function being differentiated: `--of`'s, or `f`.
    pub fn function_name(&self) -> &str {
        self.name.as_deref().unwrap_or("f")
    }

    /// A result as shown: in the definitions' names, or written out with `--inline`.
    fn shown(&self, pool: &mut Pool, model: &Model, value: ExprId) -> ExprId {
        if self.inline {
            pool.inline_functions(value)
        } else {
            model.present(pool, value)
        }
    }

    /// With `--cse`, a gradient of partial derivatives without `--at` as a reverse-mode
    /// program: the lines, written in its intermediates, and the program.
    fn reverse_gradient(
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
    fn reverse_derivative(
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

    /// What each result claims, for `--verify`: the result (before `--at`) is the
    /// derivative of a function in a variable. Dependent variables become random
    /// quadratics in what they depend on, so that they can be evaluated.
    fn checks(&self, pool: &mut Pool, context: &Context, inputs: &[ExprId]) -> Vec<Check> {
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

    /// The step-by-step derivations behind [`Request::derivative`].
    fn derivations(&self, pool: &mut Pool, context: &Context, input: ExprId) -> Vec<Derivation> {
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
        derivations
    }

    /// The options as a JSON object, for `--format json`.
    #[cfg(feature = "cli")]
    pub fn describe(&self) -> serde_json::Value {
        let texts = |assignments: &[Assignment]| -> Vec<String> {
            assignments
                .iter()
                .map(|a| format!("{}={}", a.var, a.expr.trim()))
                .collect()
        };
        serde_json::json!({
            "mode": self.mode.name(),
            "wrt": self.wrt,
            "total": self.total,
            "subst": texts(&self.subst),
            "at": texts(&self.at),
            "depends": self.depends.iter().map(|(v, on)| match on {
                Some(on) => format!("{v}({on})"),
                None => v.clone(),
            }).collect::<Vec<_>>(),
            "implicit": self.implicit,
            "definitions": self.definitions.iter().map(|d| d.text.trim().to_string()).collect::<Vec<_>>(),
            "of": self.name,
            "inline": self.inline,
            "params": self.params,
            "sgd": self.sgd.as_ref().map(|rate| rate.expr.trim().to_string()),
        })
    }

    /// Under `--const`/`--vary-all`, every variable but the constants depends on the
    /// differentiation variable: those of `input` once every substitution is made, and
    /// those that declared dependencies lead to.
    fn vary_all_except(
        &self,
        pool: &mut Pool,
        context: &mut Context,
        input: ExprId,
        constants: &[String],
    ) {
        let constants: Vec<SymbolId> = constants.iter().map(|c| pool.symbol(c)).collect();
        let Some(&x) = context.wrt.first() else {
            return;
        };
        let substituted = context.substitution.apply(pool, input);
        let mut variables = free_symbols(pool, substituted);
        let mut seen: FxHashSet<SymbolId> = variables.iter().copied().collect();
        let mut next = 0;
        while let Some(&v) = variables.get(next) {
            next += 1;
            let mut reached: Vec<SymbolId> = context
                .depends
                .iter()
                .filter(|&&(d, _)| d == v)
                .map(|&(_, on)| on)
                .collect();
            if let Some(replacement) = context.substitution.get(v) {
                reached.extend(free_symbols(pool, replacement));
            }
            for w in reached {
                if seen.insert(w) {
                    variables.push(w);
                }
            }
        }
        for v in variables {
            let declared = context.depends.iter().any(|&(d, _)| d == v);
            let substituted = context.substitution.get(v).is_some();
            if v != x && !constants.contains(&v) && !declared && !substituted {
                context.depends.push((v, x));
            }
        }
    }

    /// Applies `--at`, checks for undefined values and adds decimals.
    fn finish(
        &self,
        pool: &mut Pool,
        context: &Context,
        lines: Vec<Line>,
    ) -> Result<Vec<Line>, Error> {
        let mut done = Vec::with_capacity(lines.len());
        for mut line in lines {
            if line.value == ExprId::UNDEFINED {
                let label = match (&line.label, self.wrt.is_empty()) {
                    (Label::None, false) => format!("the derivative in {}", self.wrt.join(", ")),
                    (label, _) => label::plain_label(label),
                };
                return Err(undefined_error(pool, &self.at, &label, None));
            }
            if !context.at.is_empty() {
                line.value = pool.inline_functions(line.value);
            }
            match replace_checked(pool, line.value, &context.at) {
                // A value at a point that is exactly zero is shown as 0, so that no
                // decimal of rounding noise stands for it.
                Ok(value) if !context.at.is_empty() && pool.is_constant(value) => {
                    line.value = zeroed(pool, value);
                }
                Ok(value) => line.value = value,
                Err(offender) => {
                    let shown = print(pool, offender);
                    let label = label::plain_label(&line.label);
                    return Err(undefined_error(pool, &self.at, &label, Some(&shown)));
                }
            }
            for (coefficient, _) in &mut line.differentials {
                *coefficient = replace(pool, *coefficient, &context.at);
            }
            if self.numeric && pool.is_constant(line.value) {
                line.decimal = crate::expr::precise::decimal(pool, line.value);
            }
            done.push(line);
        }
        Ok(done)
    }

    /// With `--at`: each function (after `--subst`) must be defined at the point, or its
    /// derivatives there mean nothing. Exactly where the values are exact; else decided
    /// numerically with enough precision, an undecidable case being an error too.
    fn check_defined(
        &self,
        pool: &mut Pool,
        context: &Context,
        functions: &[ExprId],
    ) -> Result<(), Error> {
        if context.at.is_empty() {
            return Ok(());
        }
        for &f in functions {
            let f = context.substitution.apply(pool, f);
            let f = pool.inline_functions(f);
            if let Some((offender, reason)) = undefined_part(pool, f, &context.at) {
                if offender == ExprId::UNDEFINED {
                    return Err(Error::limit(
                        crate::error::Limit::Time,
                        "the time limit was reached while deciding whether the function is \
                         defined at the point"
                            .into(),
                        None,
                    ));
                }
                let mut points: Vec<&str> = self.at.iter().map(|a| a.text.as_str()).collect();
                points.dedup();
                return Err(Error::Undefined {
                    reason: format!(
                        "{} is undefined at {}: {reason}; a derivative exists only where the \
                         function is defined",
                        print(pool, offender),
                        points.join(", ")
                    ),
                    span: None,
                });
            }
        }
        Ok(())
    }

    /// The derivative of `input` in `vars`, in order, partial or total.
    fn derivative(
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

    fn dependencies(&self, context: &Context) -> Dependencies {
        Dependencies {
            substitution: context.substitution.clone(),
            depends: context.depends.clone(),
        }
    }

    /// The post's comparison: partial, chain terms, total, and both substitution orders.
    fn explain(&self, pool: &mut Pool, context: &Context, f: ExprId) -> Vec<Line> {
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
    fn differential(&self, pool: &mut Pool, context: &Context, f: ExprId) -> Vec<Line> {
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
    fn gradient(
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
    fn hessian(&self, pool: &mut Pool, context: &Context, f: ExprId) -> Vec<Line> {
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
    fn implicit(&self, pool: &mut Pool, context: &Context, equation: ExprId) -> Vec<Line> {
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

/// The variables of `f` that match the glob patterns (`*` any run, `?` one character), in
/// the patterns' order and, for each, in natural order (`w2` before `w10`).
fn select_params(pool: &Pool, f: ExprId, patterns: &[String]) -> Result<Vec<SymbolId>, Error> {
    let mut free = free_symbols(pool, f);
    free.sort_by(|&a, &b| natural_cmp(pool.symbol_name(a), pool.symbol_name(b)));
    let mut chosen = Vec::new();
    for pattern in patterns {
        let matches: Vec<SymbolId> = free
            .iter()
            .copied()
            .filter(|&v| glob_match(pattern, pool.symbol_name(v)))
            .collect();
        if matches.is_empty() {
            let names: Vec<&str> = free.iter().map(|&v| pool.symbol_name(v)).collect();
            return Err(Error::Usage {
                message: format!("--params: `{pattern}` matches no variable of the function"),
                help: Some(format!("its variables are {}", names.join(", "))),
            });
        }
        for v in matches {
            if !chosen.contains(&v) {
                chosen.push(v);
            }
        }
    }
    Ok(chosen)
}

/// Whether `name` matches `pattern`: `*` matches any run of characters, `?` one.
fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Greedy, returning to the last star on a mismatch.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// Orders names with their digit runs compared as numbers: `w2` before `w10`.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in s.char_indices().skip(1) {
            let digit = c.is_ascii_digit();
            if digit != s[start..].starts_with(|d: char| d.is_ascii_digit()) {
                out.push((!digit, &s[start..i]));
                start = i;
            }
        }
        if start < s.len() {
            out.push((
                s[start..].starts_with(|d: char| d.is_ascii_digit()),
                &s[start..],
            ));
        }
        out
    }
    let (x, y) = (chunks(a), chunks(b));
    for ((dx, cx), (dy, cy)) in x.iter().zip(&y) {
        let order = if *dx && *dy {
            let (tx, ty) = (cx.trim_start_matches('0'), cy.trim_start_matches('0'));
            tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty))
        } else {
            cx.cmp(cy)
        };
        if order != std::cmp::Ordering::Equal {
            return order;
        }
    }
    x.len().cmp(&y.len()).then_with(|| a.cmp(b))
}

/// Parses the expression of a `VAR=EXPR` option, errors placed in the option's text.
fn parse_option_expr(
    pool: &mut Pool,
    assignment: &Assignment,
    options: &ParseOptions,
) -> Result<ExprId, Error> {
    parse_with(pool, &assignment.expr, options).map_err(|error| Error::Option {
        error: Box::new(error.shifted(assignment.offset)),
        text: assignment.text.clone(),
        option: assignment.option,
        malformed: false,
    })
}

/// The error in an option's argument, without the option. [`Request::check_options`]
/// reports the options' errors before any input is read; found again while computing
/// an input (a time limit), they are that input's errors.
fn unwrap_option(error: Error) -> Error {
    match error {
        Error::Option { error, .. } => *error,
        other => other,
    }
}

/// `0` when `value` is provably zero, else `value`: explanations compare their lines,
/// and `3*(x + 1)^2 - 3*x^2 - 6*x - 3` should read as what it is.
fn zeroed(pool: &mut Pool, value: ExprId) -> ExprId {
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

/// A usage error in the `--depends` declarations.
fn depends_error(message: String, help: String) -> Error {
    Error::Option {
        error: Box::new(Error::Usage {
            message,
            help: Some(help),
        }),
        text: String::new(),
        option: "--depends",
        malformed: true,
    }
}

/// The smallest part of `f` that is undefined with the replacements `at` made, and why:
/// exactly (`ln(0)`), or numerically (`ln(1 - e)`, `acos(exp(2) + 1)`), or because the
/// numeric test cannot decide even at its highest precision; [`ExprId::UNDEFINED`] when
/// the time limit stopped the numeric test.
fn undefined_part(
    pool: &mut Pool,
    f: ExprId,
    at: &FxHashMap<ExprId, ExprId>,
) -> Option<(ExprId, String)> {
    use crate::expr::precise::{Stop, defined};
    let none = FxHashMap::default();
    let new = match crate::expr::subst::replacements(pool, f, at) {
        Ok(new) => new,
        Err(id) => {
            let reason = crate::print::undefined_reason_text(pool);
            return Some((id, reason));
        }
    };
    let value = new.get(&f).copied().unwrap_or(f);
    let (node, stop) = defined(pool, value, &none).err()?;
    if stop == Stop::OutOfTime {
        // No part to name: the caller reports the time limit.
        return Some((ExprId::UNDEFINED, String::new()));
    }
    // The smallest part of `f` that becomes the failing node, else `f`.
    let offender = pool
        .reachable(f, |_| true)
        .into_iter()
        .find(|id| new.get(id).copied().unwrap_or(*id) == node)
        .unwrap_or(f);
    // `printed_len` is an upper bound: short values are shown.
    let shown = if crate::print::printed_len(pool, node) <= 200 {
        print(pool, node)
    } else {
        "its value at the point".to_string()
    };
    let why = if stop == Stop::Undecided {
        format!(
            "deriv cannot decide whether {shown} is a real number: it is too close to the \
             edge of the domain or to a pole to tell, even with 2,500 digits"
        )
    } else {
        format!("{shown} is not a real number")
    };
    Some((offender, why))
}

fn undefined_error(pool: &Pool, at: &[Assignment], label: &str, offender: Option<&str>) -> Error {
    let reason = crate::print::undefined_reason_text(pool);
    if let Some(limit) = pool.limit_reached() {
        return Error::limit(limit, reason, None);
    }
    let mut points: Vec<&str> = at.iter().map(|a| a.text.as_str()).collect();
    // `--at x=1,y=2` is one option holding two assignments: name it once.
    points.dedup();
    let mut reason = match offender {
        Some(offender) => format!("{offender} is undefined at {}: {reason}", points.join(", ")),
        None => reason,
    };
    if !label.is_empty() {
        reason = format!("{reason}, in {}", label.trim());
    }
    Error::Undefined { reason, span: None }
}
