//! Code generation: a straight-line [`Program`] as a Rust, C or Python function that
//! computes its results (typically a loss and its gradient) and, optionally, one step of
//! gradient descent `θ - η·∂E/∂θ`.
//!
//! The code computes what a [`Tape`] of the program computes, in the same order: the
//! lowering of sums and products is shared with the tape (`a + b - c`; `p*x/(q*y)`), every
//! intermediate of the program is a local variable, and every other node that several
//! expressions share becomes one more local (`s1`, `s2`, …), so the code is as large as
//! the program's DAG. Functions and powers follow [`crate::expr::eval`]:
//!
//! - `sec`, `csc`, `cot` are `1/cos`, `1/sin`, `1/tan`; `sigmoid(u)` is `1/(1 + exp(-u))`;
//!   `sign`, `step`, `relu` and `softplus` are small helper functions emitted with the code
//!   (and `erf` and `erfc` in Rust, whose standard library has none), and so are the
//!   reciprocal and inverse reciprocal functions (`sech`, `acot`, …), `gelu`, `silu`, `elu`
//!   `atan2` (NaN at the origin, `pi` on the whole negative x axis), and `min`, `max` and
//!   `logsumexp` (nested pairwise, NaN if any argument is, `logsumexp` without overflow);
//! - integer powers are `powi` (Rust), `pow` (C), `**` (Python), or repeated multiplication
//!   for `x^2`, `x^3`, `x^-1`, … of a variable; `u^(1/2)` is a square root;
//! - a power with a rational exponent of odd denominator is real for a negative base
//!   (`(-8)^(1/3) = -2`); other powers of a negative base are NaN;
//! - in Python, where the `math` module raises exceptions, the functions that can leave
//!   their domain or overflow (`exp`, `ln`, `asin`, `sqrt`, powers, …) go through helpers
//!   that return NaN or infinity like Rust and C. Division by zero, an overflowing `**`
//!   (a small integer power) and `sin`, `cos`, `tan` of an infinite argument (after an
//!   overflow) still raise.
//!
//! Calls of functions defined in the pool (`phi(s) = 1/(1 + exp(-a*s))`, see
//! [`crate::model`]) stay calls: each defined function, and each of its derivatives the
//! program uses, becomes a function of the generated code (`phi`, `phi_d1_0`), nested in
//! the Rust function, `static` before the C function, and beside the Python one.
//!
//! Names are made valid identifiers deterministically: Greek letters are spelled out
//! (`θ` → `theta`), other characters become `u` and their code point in hex, and a name
//! that is a keyword of the language, a name the generated code uses (`math`, `pow`,
//! `deriv_sign`, …) or already taken gets a suffix `_2`, `_3`, ….

use std::collections::BTreeSet;
use std::fmt::Write;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::expr::{ExprId, Pool, SymbolId};
use crate::program::cse::Program;
use crate::program::lower::{CompileError, Layout, redefined};

mod assemble;
mod expressions;
mod helpers;
mod idents;
mod statements;

use assemble::Parts;
use idents::Idents;
use statements::{Emitter, FormKey, defined_forms, mentioned};

/// A target language of [`emit`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Language {
    /// A `pub fn` taking `f64`s and returning `[f64; N]` (edition 2021 and later).
    Rust,
    /// A C99 function taking `double`s and writing `N` values to `double *out`.
    C,
    /// A Python 3 function returning a tuple of floats; uses only the `math` module.
    Python,
}

impl Language {
    /// The language's name as `--emit` takes it: `rust`, `c` or `python`.
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::C => "c",
            Language::Python => "python",
        }
    }
}

/// What a result of the program is, for the documentation of the generated function and
/// for the gradient-descent step.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    /// The function being minimized.
    Loss,
    /// The derivative of the loss by this parameter.
    Gradient(SymbolId),
    /// Any other value.
    Value,
}

/// One output of the generated function: one result of the program.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Output {
    /// Its name (made a valid identifier if it is not one).
    pub name: String,
    /// What it is.
    pub role: Role,
}

/// One step of gradient descent: the generated function also returns `θ - η·∂E/∂θ` for
/// each parameter `θ`, after all the outputs, in this order.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SgdStep {
    /// The learning rate `η`: a number (exact: `pool.num(Rational::new(1, 10))`) or any
    /// expression of the inputs.
    pub rate: ExprId,
    /// The parameters to update; each must be an input and have a [`Role::Gradient`]
    /// output.
    pub params: Vec<SymbolId>,
}

/// What to generate: the language, the function's name, its parameters and its outputs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EmitSpec {
    /// The target language.
    pub language: Language,
    /// The function's name (made a valid identifier if it is not one).
    pub name: String,
    /// The function's parameters, in order: model parameters and data alike.
    pub inputs: Vec<SymbolId>,
    /// One per result of the program, in order.
    pub outputs: Vec<Output>,
    /// An optional gradient-descent step.
    pub step: Option<SgdStep>,
}

impl EmitSpec {
    /// A function `name` of `inputs` with no outputs yet.
    pub fn new(language: Language, name: impl Into<String>, inputs: &[SymbolId]) -> EmitSpec {
        EmitSpec {
            language,
            name: name.into(),
            inputs: inputs.to_vec(),
            outputs: Vec::new(),
            step: None,
        }
    }

    /// The outputs of a [`crate::program::value_and_gradient`] program of `params`: `loss`, then
    /// `d_<param>` for each parameter.
    pub fn loss_and_gradient(
        language: Language,
        name: impl Into<String>,
        pool: &Pool,
        inputs: &[SymbolId],
        params: &[SymbolId],
    ) -> EmitSpec {
        let mut spec = EmitSpec::new(language, name, inputs);
        spec.outputs.push(Output {
            name: "loss".into(),
            role: Role::Loss,
        });
        for &param in params {
            spec.outputs.push(Output {
                name: format!("d_{}", pool.symbol_name(param)),
                role: Role::Gradient(param),
            });
        }
        spec
    }

    /// The name the generated function gets: [`EmitSpec::name`] made a valid identifier
    /// of the language that is no keyword (`type` becomes `type_2` in Rust and C, and in C
    /// no `math.h` function: `gamma` becomes `gamma_2`).
    pub fn function_name(&self) -> String {
        Idents::global(self.language).fresh(&self.name)
    }

    /// The same spec with a gradient-descent step of rate `rate` on `params`.
    pub fn with_step(mut self, rate: ExprId, params: &[SymbolId]) -> EmitSpec {
        self.step = Some(SgdStep {
            rate,
            params: params.to_vec(),
        });
        self
    }
}

/// Why a program cannot be emitted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmitError {
    /// The program has no numeric value (an unbound variable, an unknown function, …).
    #[error(transparent)]
    Program(#[from] CompileError),
    /// The spec names a different number of outputs than the program has results.
    #[error("the program has {results} results but the spec names {outputs} outputs")]
    OutputCount {
        /// Results of the program.
        results: usize,
        /// Outputs of the spec.
        outputs: usize,
    },
    /// More than one output has [`Role::Loss`].
    #[error("more than one output is the loss")]
    SeveralLosses,
    /// A parameter of the step has no [`Role::Gradient`] output.
    #[error("the gradient-descent step needs an output that is the gradient by `{param}`")]
    MissingGradient {
        /// The parameter's name.
        param: String,
    },
    /// A parameter of the step is not an input.
    #[error("the gradient-descent step updates `{param}`, which is not an input")]
    StepParameter {
        /// The parameter's name.
        param: String,
    },
}

/// The source of a function computing `program` as `spec` says. Errors when the program
/// has no numeric value or the spec does not fit it.
///
/// ```
/// use deriv::program::{EmitSpec, Language, emit, value_and_gradient};
/// use deriv::{Pool, parse};
/// let mut pool = Pool::new();
/// let f = parse(&mut pool, "(w*x - y)^2").unwrap();
/// let [w, x, y] = ["w", "x", "y"].map(|n| pool.symbol(n));
/// let program = value_and_gradient(&mut pool, f, &[w]).unwrap();
/// let spec = EmitSpec::loss_and_gradient(Language::Python, "fit", &pool, &[w, x, y], &[w]);
/// let code = emit(&pool, &program, &spec).unwrap();
/// assert!(code.contains("def fit(w, x, y):"));
/// ```
pub fn emit(pool: &Pool, program: &Program, spec: &EmitSpec) -> Result<String, EmitError> {
    if spec.outputs.len() != program.results.len() {
        return Err(EmitError::OutputCount {
            results: program.results.len(),
            outputs: spec.outputs.len(),
        });
    }
    if spec.outputs.iter().filter(|o| o.role == Role::Loss).count() > 1 {
        return Err(EmitError::SeveralLosses);
    }
    let mut steps = Vec::new();
    if let Some(step) = &spec.step {
        for &param in &step.params {
            let name = || pool.symbol_name(param).to_string();
            let gradient = spec
                .outputs
                .iter()
                .position(|o| o.role == Role::Gradient(param))
                .ok_or_else(|| EmitError::MissingGradient { param: name() })?;
            if !spec.inputs.contains(&param) {
                return Err(EmitError::StepParameter { param: name() });
            }
            steps.push((param, gradient));
        }
    }
    let mut roots: Vec<ExprId> = program.temps.iter().map(|&(_, v)| v).collect();
    roots.extend_from_slice(&program.results);
    if let Some(step) = &spec.step {
        roots.push(step.rate);
    }
    // Unbound variables and unknown functions are found while writing; a name given twice
    // (two inputs, or an intermediate named like an input) is found here.
    let mut names = FxHashSet::default();
    for symbol in spec
        .inputs
        .iter()
        .chain(program.temps.iter().map(|(name, _)| name))
    {
        if !names.insert(*symbol) {
            return Err(EmitError::Program(redefined(pool, *symbol)));
        }
    }

    let lang = spec.language;
    let layout = Layout::new(pool, &roots);
    // Defined functions become functions of the generated code, named first so that no
    // variable hides them.
    let forms = defined_forms(pool, &layout)?;
    let mut idents = Idents::new(lang);
    let mut globals = Idents::global(lang);
    let function = globals.fresh(&spec.name);
    let mut functions: FxHashMap<FormKey, String> = FxHashMap::default();
    for form in &forms {
        let (name, orders) = &form.key;
        let mut base = pool.symbol_name(*name).to_string();
        if orders.iter().any(|&o| o > 0) {
            let orders: Vec<String> = orders.iter().map(u32::to_string).collect();
            base = format!("{base}_d{}", orders.join("_"));
        }
        let name = globals.fresh(&base);
        idents.taken.insert(name.clone());
        functions.insert(form.key.clone(), name);
    }
    let mut emitter = Emitter {
        pool,
        lang,
        layout: &layout,
        names: FxHashMap::default(),
        bound: FxHashMap::default(),
        helpers: BTreeSet::new(),
        functions: &functions,
    };
    let mut params = Vec::new();
    for &input in &spec.inputs {
        let name = idents.fresh(pool.symbol_name(input));
        emitter.bound.insert(input, name.clone());
        params.push(name);
    }
    let temp_names: Vec<String> = program
        .temps
        .iter()
        .map(|&(s, _)| idents.fresh(pool.symbol_name(s)))
        .collect();
    let output_names: Vec<String> = spec.outputs.iter().map(|o| idents.fresh(&o.name)).collect();
    let rate_name = idents.fresh("learning_rate");
    let mut root_names = temp_names.clone();
    root_names.extend(output_names.iter().cloned());
    root_names.push(rate_name.clone());

    let mut body = String::new();
    if lang == Language::C {
        let used = mentioned(pool, &layout);
        for (input, name) in spec.inputs.iter().zip(&params) {
            if !used.contains(input) {
                let _ = writeln!(body, "    (void){name};");
            }
        }
    }
    emitter.lines(&roots, &root_names, &program.temps, &mut idents, &mut body)?;
    let mut sources = Vec::new();
    for form in &forms {
        let (source, helpers) = emitter.function_source(form, &functions[&form.key])?;
        sources.push(source);
        emitter.helpers.extend(helpers);
    }

    // The returned values and their documentation.
    let loss = spec
        .outputs
        .iter()
        .zip(&output_names)
        .find(|(o, _)| o.role == Role::Loss)
        .map(|(_, name)| name.as_str());
    let mut values = Vec::new();
    let mut labels = Vec::new();
    let mut docs = Vec::new();
    for (output, name) in spec.outputs.iter().zip(&output_names) {
        values.push(name.clone());
        labels.push(name.clone());
        docs.push(match output.role {
            Role::Loss => format!("`{name}`: the loss"),
            Role::Gradient(param) => format!(
                "`{name}`: ∂{}/∂{}",
                loss.unwrap_or(""),
                pool.symbol_name(param)
            ),
            Role::Value => format!("`{name}`"),
        });
    }
    for &(param, gradient) in &steps {
        let param_name = &emitter.bound[&param];
        values.push(format!(
            "{param_name} - {rate_name} * {}",
            output_names[gradient]
        ));
        labels.push(format!("new {param_name}"));
        docs.push(format!(
            "`{param_name}` after one gradient-descent step: `{param_name} - {rate_name} * {}`",
            output_names[gradient]
        ));
    }
    Ok(emitter.assemble(&Parts {
        function: &function,
        params: &params,
        body: &body,
        functions: &sources,
        values: &values,
        labels: &labels,
        docs: &docs,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::value_and_gradient;
    use crate::{Node, Rational, parse};

    #[test]
    fn expressions_read_naturally() {
        let mut pool = Pool::new();
        let f = parse(&mut pool, "x - 2*y/z^2 + 1/3*x^3 - exp(-x)").unwrap();
        let vars = ["x", "y", "z"].map(|n| pool.symbol(n));
        let program = Program {
            temps: Vec::new(),
            results: vec![f],
        };
        let mut spec = EmitSpec::new(Language::C, "f", &vars);
        spec.outputs.push(Output {
            name: "value".into(),
            role: Role::Value,
        });
        let code = emit(&pool, &program, &spec).unwrap();
        assert!(
            code.contains(
                "const double value = x * x * x / 3.0 + x - 2.0 * y / (z * z) - exp(-x);"
            ),
            "{code}"
        );
    }

    #[test]
    fn nodes_without_a_value_are_errors() {
        let mut pool = Pool::new();
        let (y, x) = (pool.symbol("y"), pool.symbol("x"));
        let derivative = pool.intern(Node::Derivative {
            of: y,
            wrt: x,
            order: 1,
        });
        let g = parse(&mut pool, "g(x) + 1").unwrap();
        let cases = [
            (
                derivative,
                CompileError::Derivative {
                    of: "y".into(),
                    wrt: "x".into(),
                },
            ),
            (ExprId::UNDEFINED, CompileError::Undefined),
            (g, CompileError::UnknownFunction { name: "g".into() }),
        ];
        for (root, error) in cases {
            let program = Program {
                temps: Vec::new(),
                results: vec![root],
            };
            let mut spec = EmitSpec::new(Language::Rust, "f", &[x, y]);
            spec.outputs.push(Output {
                name: "value".into(),
                role: Role::Value,
            });
            assert_eq!(emit(&pool, &program, &spec), Err(EmitError::Program(error)));
        }
    }

    #[test]
    fn the_spec_must_fit_the_program() {
        let mut pool = Pool::new();
        let f = parse(&mut pool, "w*x").unwrap();
        let [w, x] = ["w", "x"].map(|n| pool.symbol(n));
        let program = value_and_gradient(&mut pool, f, &[w]).unwrap();
        let spec = EmitSpec::loss_and_gradient(Language::Rust, "f", &pool, &[w, x], &[w]);
        let rate = pool.num(Rational::HALF);
        assert!(emit(&pool, &program, &spec.clone().with_step(rate, &[w])).is_ok());
        assert_eq!(
            emit(&pool, &program, &spec.clone().with_step(rate, &[x])),
            Err(EmitError::MissingGradient { param: "x".into() })
        );
        let mut short = spec.clone();
        short.outputs.pop();
        assert_eq!(
            emit(&pool, &program, &short),
            Err(EmitError::OutputCount {
                results: 2,
                outputs: 1
            })
        );
        let mut unbound = spec.clone();
        unbound.inputs.pop();
        assert_eq!(
            emit(&pool, &program, &unbound),
            Err(EmitError::Program(CompileError::UnboundVariable {
                name: "x".into()
            }))
        );
        let not_input = EmitSpec::loss_and_gradient(Language::Rust, "f", &pool, &[x], &[w])
            .with_step(rate, &[w]);
        assert_eq!(
            emit(&pool, &program, &not_input),
            Err(EmitError::StepParameter { param: "w".into() })
        );
    }
}
