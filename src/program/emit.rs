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

use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Node, Pool, SymbolId};
use crate::program::cse::Program;
use crate::program::lower::{
    CompileError, Factor, Layout, PowForm, Term, exact_fraction, lower_product, lower_sum,
    no_value, pow_form, redefined,
};

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

    /// The outputs of a [`crate::value_and_gradient`] program of `params`: `loss`, then
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
/// use deriv::{EmitSpec, Language, Pool, emit, parse, value_and_gradient};
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

/// The pieces of the generated source, put together by [`Emitter::assemble`].
#[derive(Clone, Copy)]
struct Parts<'a> {
    /// The function's name.
    function: &'a str,
    /// Its parameters' names.
    params: &'a [String],
    /// The lines computing the values.
    body: &'a str,
    /// The functions of the defined functions it calls.
    functions: &'a [String],
    /// The returned values, as expressions.
    values: &'a [String],
    /// Short names of the returned values.
    labels: &'a [String],
    /// The documentation of each returned value.
    docs: &'a [String],
}

/// Operator precedences of the generated code, loosest first.
const SUM: u8 = 1;
const PRODUCT: u8 = 2;
const UNARY: u8 = 3;
/// Python's `**`.
const POWER: u8 = 4;
const ATOM: u8 = 5;
/// Never parenthesized: a piece that takes the parent's precedence itself.
const TRANSPARENT: u8 = u8::MAX;

/// A piece of an expression being written, with the least precedence it needs.
enum Piece {
    Text(&'static str),
    Owned(String),
    Expr(ExprId, u8),
    /// A product with its sign flipped (a subtracted term).
    Flipped(ExprId, u8),
    /// A positive number.
    Number(Rational, u8),
    /// A number of either sign.
    Signed(Rational, u8),
    /// `base^exp` for an exact exponent.
    Power(ExprId, Rational, u8),
}

/// The helper functions the generated code may define.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Helper {
    Sign,
    Step,
    Relu,
    Softplus,
    Erf,
    Pow,
    PowInt,
    RootPow,
    Sqrt,
    Exp,
    Sinh,
    Cosh,
    Ln,
    Log10,
    Log2,
    Asin,
    Acos,
    Acosh,
    Atanh,
    Acot,
    Asec,
    Acsc,
    Sech,
    Csch,
    Coth,
    Asech,
    Acsch,
    Acoth,
    Erfc,
    Expm1,
    Log1p,
    Gelu,
    Silu,
    Elu,
    Atan2,
    Max,
    Min,
    LogSumExp,
}

const HELPERS: [Helper; 38] = [
    Helper::Sign,
    Helper::Step,
    Helper::Relu,
    Helper::Softplus,
    Helper::Erf,
    Helper::Pow,
    Helper::PowInt,
    Helper::RootPow,
    Helper::Sqrt,
    Helper::Exp,
    Helper::Sinh,
    Helper::Cosh,
    Helper::Ln,
    Helper::Log10,
    Helper::Log2,
    Helper::Asin,
    Helper::Acos,
    Helper::Acosh,
    Helper::Atanh,
    Helper::Acot,
    Helper::Asec,
    Helper::Acsc,
    Helper::Sech,
    Helper::Csch,
    Helper::Coth,
    Helper::Asech,
    Helper::Acsch,
    Helper::Acoth,
    Helper::Erfc,
    Helper::Expm1,
    Helper::Log1p,
    Helper::Gelu,
    Helper::Silu,
    Helper::Elu,
    Helper::Atan2,
    Helper::Max,
    Helper::Min,
    Helper::LogSumExp,
];

impl Helper {
    /// The helper's name.
    fn name(self) -> &'static str {
        self.call().trim_end_matches('(')
    }

    /// The opening of a call of the helper: its name and `(`.
    fn call(self) -> &'static str {
        match self {
            Helper::Sign => "deriv_sign(",
            Helper::Step => "deriv_step(",
            Helper::Relu => "deriv_relu(",
            Helper::Softplus => "deriv_softplus(",
            Helper::Erf => "deriv_erf(",
            Helper::Pow => "deriv_pow(",
            Helper::PowInt => "deriv_pow_int(",
            Helper::RootPow => "deriv_root_pow(",
            Helper::Sqrt => "deriv_sqrt(",
            Helper::Exp => "deriv_exp(",
            Helper::Sinh => "deriv_sinh(",
            Helper::Cosh => "deriv_cosh(",
            Helper::Ln => "deriv_ln(",
            Helper::Log10 => "deriv_log10(",
            Helper::Log2 => "deriv_log2(",
            Helper::Asin => "deriv_asin(",
            Helper::Acos => "deriv_acos(",
            Helper::Acosh => "deriv_acosh(",
            Helper::Atanh => "deriv_atanh(",
            Helper::Acot => "deriv_acot(",
            Helper::Asec => "deriv_asec(",
            Helper::Acsc => "deriv_acsc(",
            Helper::Sech => "deriv_sech(",
            Helper::Csch => "deriv_csch(",
            Helper::Coth => "deriv_coth(",
            Helper::Asech => "deriv_asech(",
            Helper::Acsch => "deriv_acsch(",
            Helper::Acoth => "deriv_acoth(",
            Helper::Erfc => "deriv_erfc(",
            Helper::Expm1 => "deriv_expm1(",
            Helper::Log1p => "deriv_log1p(",
            Helper::Gelu => "deriv_gelu(",
            Helper::Silu => "deriv_silu(",
            Helper::Elu => "deriv_elu(",
            Helper::Atan2 => "deriv_atan2(",
            Helper::Max => "deriv_max(",
            Helper::Min => "deriv_min(",
            Helper::LogSumExp => "deriv_logsumexp(",
        }
    }

    /// The helpers a helper calls in `lang`.
    fn needs(self, lang: Language) -> &'static [Helper] {
        match (lang, self) {
            (Language::Python, Helper::RootPow) => &[Helper::Pow],
            (Language::Rust, Helper::Erfc) => &[Helper::Erf],
            (Language::Rust, Helper::Gelu) => &[Helper::Erfc, Helper::Erf],
            _ => &[],
        }
    }

    /// The definition, or `None` when the language never uses the helper.
    fn source(self, lang: Language) -> Option<&'static str> {
        match lang {
            Language::Rust => self.rust(),
            Language::C => self.c(),
            Language::Python => Some(self.python()),
        }
    }

    fn rust(self) -> Option<&'static str> {
        Some(match self {
            Helper::Sign => {
                "fn deriv_sign(x: f64) -> f64 {\n    if x == 0.0 { 0.0 } else { x.signum() }\n}\n"
            }
            Helper::Step => {
                "fn deriv_step(x: f64) -> f64 {\n    if x > 0.0 {\n        1.0\n    } else if x < 0.0 {\n        0.0\n    } else if x == 0.0 {\n        0.5\n    } else {\n        x\n    }\n}\n"
            }
            Helper::Relu => {
                "fn deriv_relu(x: f64) -> f64 {\n    if x.is_nan() { x } else { x.max(0.0) }\n}\n"
            }
            Helper::Softplus => {
                "fn deriv_softplus(x: f64) -> f64 {\n    x.max(0.0) + (-x.abs()).exp().ln_1p()\n}\n"
            }
            Helper::Erf => RUST_ERF,
            Helper::Pow => {
                "fn deriv_pow(b: f64, e: f64) -> f64 {\n    if b.is_nan() || e.is_nan() || b < 0.0 { f64::NAN } else { b.powf(e) }\n}\n"
            }
            Helper::RootPow => {
                "fn deriv_root_pow(b: f64, e: f64, odd: bool) -> f64 {\n    if b.is_nan() || e.is_nan() {\n        f64::NAN\n    } else if b < 0.0 {\n        let m = (-b).powf(e);\n        if odd { -m } else { m }\n    } else {\n        b.powf(e)\n    }\n}\n"
            }
            Helper::Acot => {
                "fn deriv_acot(x: f64) -> f64 {\n    if x == 0.0 { std::f64::consts::FRAC_PI_2 } else { (1.0 / x).atan() }\n}\n"
            }
            Helper::Asec => "fn deriv_asec(x: f64) -> f64 {\n    (1.0 / x).acos()\n}\n",
            Helper::Acsc => "fn deriv_acsc(x: f64) -> f64 {\n    (1.0 / x).asin()\n}\n",
            Helper::Sech => "fn deriv_sech(x: f64) -> f64 {\n    1.0 / x.cosh()\n}\n",
            Helper::Csch => "fn deriv_csch(x: f64) -> f64 {\n    1.0 / x.sinh()\n}\n",
            Helper::Coth => "fn deriv_coth(x: f64) -> f64 {\n    1.0 / x.tanh()\n}\n",
            Helper::Asech => "fn deriv_asech(x: f64) -> f64 {\n    (1.0 / x).acosh()\n}\n",
            Helper::Acsch => "fn deriv_acsch(x: f64) -> f64 {\n    (1.0 / x).asinh()\n}\n",
            Helper::Acoth => "fn deriv_acoth(x: f64) -> f64 {\n    (1.0 / x).atanh()\n}\n",
            Helper::Erfc => RUST_ERFC,
            Helper::Gelu => {
                "fn deriv_gelu(x: f64) -> f64 {\n    0.5 * x * deriv_erfc(-x * std::f64::consts::FRAC_1_SQRT_2)\n}\n"
            }
            Helper::Silu => "fn deriv_silu(x: f64) -> f64 {\n    x / (1.0 + (-x).exp())\n}\n",
            Helper::Elu => {
                "fn deriv_elu(x: f64) -> f64 {\n    if x > 0.0 { x } else { x.exp_m1() }\n}\n"
            }
            Helper::Atan2 => {
                "fn deriv_atan2(y: f64, x: f64) -> f64 {\n    if y == 0.0 && x == 0.0 {\n        f64::NAN\n    } else if y == 0.0 && x < 0.0 {\n        std::f64::consts::PI\n    } else {\n        y.atan2(x)\n    }\n}\n"
            }
            Helper::Max => {
                "fn deriv_max(a: f64, b: f64) -> f64 {\n    if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) }\n}\n"
            }
            Helper::Min => {
                "fn deriv_min(a: f64, b: f64) -> f64 {\n    if a.is_nan() || b.is_nan() { f64::NAN } else { a.min(b) }\n}\n"
            }
            Helper::LogSumExp => {
                "fn deriv_logsumexp(a: f64, b: f64) -> f64 {\n    if a == b {\n        a + std::f64::consts::LN_2\n    } else {\n        a.max(b) + (-(a - b).abs()).exp().ln_1p()\n    }\n}\n"
            }
            _ => return None,
        })
    }

    fn c(self) -> Option<&'static str> {
        Some(match self {
            Helper::Sign => {
                "static double deriv_sign(double x)\n{\n    return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : x == 0.0 ? 0.0 : x;\n}\n"
            }
            Helper::Step => {
                "static double deriv_step(double x)\n{\n    return x > 0.0 ? 1.0 : x < 0.0 ? 0.0 : x == 0.0 ? 0.5 : x;\n}\n"
            }
            Helper::Relu => {
                "static double deriv_relu(double x)\n{\n    return x > 0.0 ? x : x == x ? 0.0 : x;\n}\n"
            }
            Helper::Softplus => {
                "static double deriv_softplus(double x)\n{\n    return fmax(x, 0.0) + log1p(exp(-fabs(x)));\n}\n"
            }
            Helper::Pow => {
                "static double deriv_pow(double b, double e)\n{\n    return isnan(b) || isnan(e) || b < 0.0 ? NAN : pow(b, e);\n}\n"
            }
            Helper::RootPow => {
                "static double deriv_root_pow(double b, double e, int odd)\n{\n    if (isnan(b) || isnan(e))\n        return NAN;\n    if (b < 0.0)\n        return odd ? -pow(-b, e) : pow(-b, e);\n    return pow(b, e);\n}\n"
            }
            Helper::Acot => {
                "static double deriv_acot(double x)\n{\n    return x == 0.0 ? 1.5707963267948966 : atan(1.0 / x);\n}\n"
            }
            Helper::Asec => "static double deriv_asec(double x)\n{\n    return acos(1.0 / x);\n}\n",
            Helper::Acsc => "static double deriv_acsc(double x)\n{\n    return asin(1.0 / x);\n}\n",
            Helper::Sech => "static double deriv_sech(double x)\n{\n    return 1.0 / cosh(x);\n}\n",
            Helper::Csch => "static double deriv_csch(double x)\n{\n    return 1.0 / sinh(x);\n}\n",
            Helper::Coth => "static double deriv_coth(double x)\n{\n    return 1.0 / tanh(x);\n}\n",
            Helper::Asech => {
                "static double deriv_asech(double x)\n{\n    return acosh(1.0 / x);\n}\n"
            }
            Helper::Acsch => {
                "static double deriv_acsch(double x)\n{\n    return asinh(1.0 / x);\n}\n"
            }
            Helper::Acoth => {
                "static double deriv_acoth(double x)\n{\n    return atanh(1.0 / x);\n}\n"
            }
            Helper::Gelu => {
                "static double deriv_gelu(double x)\n{\n    return 0.5 * x * erfc(-x * 0.7071067811865476);\n}\n"
            }
            Helper::Silu => {
                "static double deriv_silu(double x)\n{\n    return x / (1.0 + exp(-x));\n}\n"
            }
            Helper::Elu => {
                "static double deriv_elu(double x)\n{\n    return x > 0.0 ? x : expm1(x);\n}\n"
            }
            Helper::Atan2 => {
                "static double deriv_atan2(double y, double x)\n{\n    if (y == 0.0 && x == 0.0)\n        return NAN;\n    if (y == 0.0 && x < 0.0)\n        return 3.141592653589793;\n    return atan2(y, x);\n}\n"
            }
            Helper::Max => {
                "static double deriv_max(double a, double b)\n{\n    return isnan(a) || isnan(b) ? NAN : fmax(a, b);\n}\n"
            }
            Helper::Min => {
                "static double deriv_min(double a, double b)\n{\n    return isnan(a) || isnan(b) ? NAN : fmin(a, b);\n}\n"
            }
            Helper::LogSumExp => {
                "static double deriv_logsumexp(double a, double b)\n{\n    if (a == b)\n        return a + 0.6931471805599453;\n    if (isnan(a) || isnan(b))\n        return NAN;\n    return fmax(a, b) + log1p(exp(-fabs(a - b)));\n}\n"
            }
            _ => return None,
        })
    }

    fn python(self) -> &'static str {
        match self {
            Helper::Sign => {
                "def deriv_sign(x):\n    if x > 0.0:\n        return 1.0\n    if x < 0.0:\n        return -1.0\n    return 0.0 if x == 0.0 else x\n"
            }
            Helper::Step => {
                "def deriv_step(x):\n    if x > 0.0:\n        return 1.0\n    if x < 0.0:\n        return 0.0\n    return 0.5 if x == 0.0 else x\n"
            }
            Helper::Relu => {
                "def deriv_relu(x):\n    if x > 0.0:\n        return x\n    return 0.0 if x == x else x\n"
            }
            Helper::Softplus => {
                "def deriv_softplus(x):\n    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))\n"
            }
            Helper::Erf => "def deriv_erf(x):\n    return math.erf(x)\n",
            Helper::Pow => {
                "def deriv_pow(b, e):\n    if b != b or e != e or b < 0.0:\n        return math.nan\n    try:\n        return math.pow(b, e)\n    except (OverflowError, ValueError):\n        return math.inf\n"
            }
            Helper::PowInt => {
                "def deriv_pow_int(b, e):\n    try:\n        return math.pow(b, e)\n    except (OverflowError, ValueError):\n        return math.copysign(math.inf, b) if e % 2 == 1 else math.inf\n"
            }
            Helper::RootPow => {
                "def deriv_root_pow(b, e, odd):\n    if b != b or e != e:\n        return math.nan\n    if b < 0.0:\n        m = deriv_pow(-b, e)\n        return -m if odd else m\n    return deriv_pow(b, e)\n"
            }
            Helper::Sqrt => {
                "def deriv_sqrt(x):\n    return math.sqrt(x) if x >= 0.0 else math.nan\n"
            }
            Helper::Exp => {
                "def deriv_exp(x):\n    try:\n        return math.exp(x)\n    except OverflowError:\n        return math.inf\n"
            }
            Helper::Sinh => {
                "def deriv_sinh(x):\n    try:\n        return math.sinh(x)\n    except OverflowError:\n        return math.copysign(math.inf, x)\n"
            }
            Helper::Cosh => {
                "def deriv_cosh(x):\n    try:\n        return math.cosh(x)\n    except OverflowError:\n        return math.inf\n"
            }
            Helper::Ln => {
                "def deriv_ln(x):\n    if x > 0.0:\n        return math.log(x)\n    return -math.inf if x == 0.0 else math.nan\n"
            }
            Helper::Log10 => {
                "def deriv_log10(x):\n    if x > 0.0:\n        return math.log10(x)\n    return -math.inf if x == 0.0 else math.nan\n"
            }
            Helper::Log2 => {
                "def deriv_log2(x):\n    if x > 0.0:\n        return math.log2(x)\n    return -math.inf if x == 0.0 else math.nan\n"
            }
            Helper::Asin => {
                "def deriv_asin(x):\n    return math.asin(x) if -1.0 <= x <= 1.0 else math.nan\n"
            }
            Helper::Acos => {
                "def deriv_acos(x):\n    return math.acos(x) if -1.0 <= x <= 1.0 else math.nan\n"
            }
            Helper::Acosh => {
                "def deriv_acosh(x):\n    return math.acosh(x) if x >= 1.0 else math.nan\n"
            }
            Helper::Atanh => {
                "def deriv_atanh(x):\n    if -1.0 < x < 1.0:\n        return math.atanh(x)\n    if x == 1.0 or x == -1.0:\n        return math.copysign(math.inf, x)\n    return math.nan\n"
            }
            Helper::Acot => {
                "def deriv_acot(x):\n    if x == 0.0:\n        return math.pi / 2.0\n    return math.atan(1.0 / x)\n"
            }
            Helper::Asec => {
                "def deriv_asec(x):\n    if x != x or -1.0 < x < 1.0:\n        return math.nan\n    return math.acos(1.0 / x)\n"
            }
            Helper::Acsc => {
                "def deriv_acsc(x):\n    if x != x or -1.0 < x < 1.0:\n        return math.nan\n    return math.asin(1.0 / x)\n"
            }
            Helper::Sech => {
                "def deriv_sech(x):\n    try:\n        return 1.0 / math.cosh(x)\n    except OverflowError:\n        return 0.0\n"
            }
            Helper::Csch => {
                "def deriv_csch(x):\n    if x == 0.0:\n        return math.copysign(math.inf, x)\n    try:\n        return 1.0 / math.sinh(x)\n    except OverflowError:\n        return math.copysign(0.0, x)\n"
            }
            Helper::Coth => {
                "def deriv_coth(x):\n    if x == 0.0:\n        return math.copysign(math.inf, x)\n    return 1.0 / math.tanh(x)\n"
            }
            Helper::Asech => {
                "def deriv_asech(x):\n    if x == 0.0:\n        return math.inf\n    if 0.0 < x <= 1.0:\n        return math.acosh(1.0 / x)\n    return math.nan\n"
            }
            Helper::Acsch => {
                "def deriv_acsch(x):\n    if x == 0.0:\n        return math.copysign(math.inf, x)\n    return math.asinh(1.0 / x)\n"
            }
            Helper::Acoth => {
                "def deriv_acoth(x):\n    if x == 1.0 or x == -1.0:\n        return math.copysign(math.inf, x)\n    if x != x or -1.0 < x < 1.0:\n        return math.nan\n    return math.atanh(1.0 / x)\n"
            }
            Helper::Erfc => "def deriv_erfc(x):\n    return math.erfc(x)\n",
            Helper::Expm1 => {
                "def deriv_expm1(x):\n    try:\n        return math.expm1(x)\n    except OverflowError:\n        return math.inf\n"
            }
            Helper::Log1p => {
                "def deriv_log1p(x):\n    if x > -1.0:\n        return math.log1p(x)\n    return -math.inf if x == -1.0 else math.nan\n"
            }
            Helper::Gelu => {
                "def deriv_gelu(x):\n    return 0.5 * x * math.erfc(-x / math.sqrt(2.0))\n"
            }
            Helper::Silu => {
                "def deriv_silu(x):\n    try:\n        return x / (1.0 + math.exp(-x))\n    except OverflowError:\n        return -0.0\n"
            }
            Helper::Elu => {
                "def deriv_elu(x):\n    if x > 0.0:\n        return x\n    return math.expm1(x)\n"
            }
            Helper::Atan2 => {
                "def deriv_atan2(y, x):\n    if y == 0.0 and x == 0.0:\n        return math.nan\n    if y == 0.0 and x < 0.0:\n        return math.pi\n    return math.atan2(y, x)\n"
            }
            Helper::Max => {
                "def deriv_max(a, b):\n    if a != a or b != b:\n        return math.nan\n    return max(a, b)\n"
            }
            Helper::Min => {
                "def deriv_min(a, b):\n    if a != a or b != b:\n        return math.nan\n    return min(a, b)\n"
            }
            Helper::LogSumExp => {
                "def deriv_logsumexp(a, b):\n    if a == b:\n        return a + math.log(2.0)\n    if a != a or b != b:\n        return math.nan\n    return max(a, b) + math.log1p(math.exp(-abs(a - b)))\n"
            }
        }
    }
}

/// The complementary error function of `func.rs`, for Rust, whose standard library has
/// none: the error function near 0, the continued fraction further out.
const RUST_ERFC: &str = "fn deriv_erfc(x: f64) -> f64 {
    if x.abs() < 2.5 {
        return 1.0 - deriv_erf(x);
    }
    let ax = x.abs();
    let mut fraction = 0.0;
    for k in (1..60).rev() {
        fraction = (k as f64 / 2.0) / (ax + fraction);
    }
    let tail = (-ax * ax).exp() / (ax + fraction) / std::f64::consts::PI.sqrt();
    if x < 0.0 { 2.0 - tail } else { tail }
}
";

/// The error function of `func.rs`, for Rust, whose standard library has none.
const RUST_ERF: &str = "fn deriv_erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let ax = x.abs();
    let value = if ax < 2.5 {
        let mut term = ax;
        let mut sum = ax;
        let x2 = ax * ax;
        for n in 1..200 {
            term *= -x2 / n as f64;
            let add = term / (2 * n + 1) as f64;
            sum += add;
            if add.abs() < 1e-17 * sum.abs() {
                break;
            }
        }
        sum * std::f64::consts::FRAC_2_SQRT_PI
    } else {
        let mut fraction = 0.0;
        for k in (1..60).rev() {
            fraction = (k as f64 / 2.0) / (ax + fraction);
        }
        1.0 - (-ax * ax).exp() / (ax + fraction) / std::f64::consts::PI.sqrt()
    };
    value.copysign(x)
}
";

struct Emitter<'a> {
    pool: &'a Pool,
    lang: Language,
    layout: &'a Layout,
    /// Nodes with a local variable.
    names: FxHashMap<ExprId, String>,
    /// Inputs and intermediates defined so far.
    bound: FxHashMap<SymbolId, String>,
    helpers: BTreeSet<Helper>,
    /// The generated function of each defined function (or derivative) called.
    functions: &'a FxHashMap<FormKey, String>,
}

/// A defined function and derivative orders: `phi'` is `(phi, [1, 0])`.
type FormKey = (SymbolId, Box<[u32]>);

/// A defined function (or one of its derivatives) that the code calls.
struct DefinedForm {
    key: FormKey,
    params: Vec<SymbolId>,
    form: ExprId,
}

/// The defined functions that `layout`'s nodes call, directly or through other
/// definitions, callees before callers.
fn defined_forms(pool: &Pool, layout: &Layout) -> Result<Vec<DefinedForm>, EmitError> {
    fn visit(
        pool: &Pool,
        nodes: &mut dyn Iterator<Item = ExprId>,
        seen: &mut FxHashSet<FormKey>,
        out: &mut Vec<DefinedForm>,
    ) -> Result<(), EmitError> {
        for id in nodes {
            let Node::Apply { name, orders, .. } = pool.node(id) else {
                continue;
            };
            let key: FormKey = (*name, orders.clone());
            if seen.contains(&key) {
                continue;
            }
            let function = || pool.symbol_name(*name).to_string();
            let (params, form) = pool
                .function_form(*name, orders)
                .ok_or_else(|| CompileError::UnknownFunction { name: function() })?;
            // Definitions never call each other in a circle (`Model::define` refuses it), so
            // the recursion ends; it is as deep as calls nest in the definitions.
            let mut inner = pool.reachable(form, |_| true).into_iter();
            visit(pool, &mut inner, seen, out)?;
            seen.insert(key.clone());
            out.push(DefinedForm {
                key,
                params: params.to_vec(),
                form,
            });
        }
        Ok(())
    }
    let mut out = Vec::new();
    let mut nodes = layout.batches.iter().flatten().copied();
    visit(pool, &mut nodes, &mut FxHashSet::default(), &mut out)?;
    Ok(out)
}

/// The symbols the nodes of a layout mention.
fn mentioned(pool: &Pool, layout: &Layout) -> FxHashSet<SymbolId> {
    layout
        .batches
        .iter()
        .flatten()
        .filter_map(|&id| match pool.node(id) {
            Node::Sym(symbol) => Some(*symbol),
            _ => None,
        })
        .collect()
}

impl Emitter<'_> {
    /// Writes a line `name = value` per root (its shared nodes first, as `s1`, `s2`, …);
    /// the first roots are the intermediates `temps`, bound to their names once written.
    fn lines(
        &mut self,
        roots: &[ExprId],
        root_names: &[String],
        temps: &[(SymbolId, ExprId)],
        idents: &mut Idents,
        body: &mut String,
    ) -> Result<(), EmitError> {
        let pool = self.pool;
        let layout = self.layout;
        let mut shared = 0;
        for (k, batch) in layout.batches.iter().enumerate() {
            let root = roots[k];
            for &id in batch {
                if id != root && self.is_shared(id) && !self.names.contains_key(&id) {
                    let text = self.render(id)?;
                    shared += 1;
                    let name = idents.fresh(&format!("s{shared}"));
                    self.line(body, &name, &text);
                    self.names.insert(id, name);
                }
            }
            let text = match self.name(root)? {
                Some(name) => name,
                None => self.render(root)?,
            };
            let name = &root_names[k];
            self.line(body, name, &text);
            if !pool.children(root).is_empty() {
                self.names.entry(root).or_insert_with(|| name.clone());
            }
            if let Some(&(symbol, _)) = temps.get(k) {
                self.bound.insert(symbol, name.clone());
            }
        }
        Ok(())
    }

    /// The generated function for a defined function, and the helpers it uses.
    fn function_source(
        &self,
        form: &DefinedForm,
        name: &str,
    ) -> Result<(String, BTreeSet<Helper>), EmitError> {
        let pool = self.pool;
        let lang = self.lang;
        let layout = Layout::new(pool, &[form.form]);
        let mut inner = Emitter {
            pool,
            lang,
            layout: &layout,
            names: FxHashMap::default(),
            bound: FxHashMap::default(),
            helpers: BTreeSet::new(),
            functions: self.functions,
        };
        let mut idents = Idents::new(lang);
        idents.taken.extend(self.functions.values().cloned());
        let mut params = Vec::new();
        for &param in &form.params {
            let ident = idents.fresh(pool.symbol_name(param));
            inner.bound.insert(param, ident.clone());
            params.push(ident);
        }
        let value = idents.fresh("value");
        let mut body = String::new();
        if lang == Language::C {
            let used = mentioned(pool, &layout);
            for (param, ident) in form.params.iter().zip(&params) {
                if !used.contains(param) {
                    let _ = writeln!(body, "    (void){ident};");
                }
            }
        }
        inner.lines(
            &[form.form],
            std::slice::from_ref(&value),
            &[],
            &mut idents,
            &mut body,
        )?;
        let function = pool.symbol_name(form.key.0);
        let what = if form.key.1.iter().all(|&o| o == 0) {
            format!("`{function}` as defined")
        } else {
            let orders: Vec<String> = form.key.1.iter().map(u32::to_string).collect();
            format!(
                "the derivative of `{function}` of orders ({})",
                orders.join(", ")
            )
        };
        let source = match lang {
            Language::Rust => {
                let params: Vec<String> = params.iter().map(|p| format!("{p}: f64")).collect();
                format!(
                    "/// {what}.\nfn {name}({}) -> f64 {{\n{body}    {value}\n}}\n",
                    params.join(", ")
                )
            }
            Language::C => {
                let params: Vec<String> = params.iter().map(|p| format!("double {p}")).collect();
                format!(
                    "/* {what}. */\nstatic double {name}({})\n{{\n{body}    return {value};\n}}\n",
                    params.join(", ")
                )
            }
            Language::Python => format!(
                "def {name}({}):\n    \"\"\"{what}.\"\"\"\n{body}    return {value}\n",
                params.join(", ")
            ),
        };
        Ok((source, inner.helpers))
    }

    /// Whether a node gets a local variable of its own: a compound node that several
    /// parents or roots use, unless it is as cheap as its name (`-x`, `2*x`).
    fn is_shared(&self, id: ExprId) -> bool {
        let pool = self.pool;
        if self.layout.uses.get(&id).copied().unwrap_or(0) < 2 || pool.children(id).is_empty() {
            return false;
        }
        !matches!(pool.node(id), Node::Mul(factors)
            if factors.len() == 2
                && pool.as_num(factors[0]).is_some()
                && pool.children(factors[1]).is_empty())
    }

    /// The variable that holds `id`, if one does.
    fn name(&self, id: ExprId) -> Result<Option<String>, EmitError> {
        match self.pool.node(id) {
            Node::Sym(symbol) => match self.bound.get(symbol) {
                Some(name) => Ok(Some(name.clone())),
                None => Err(CompileError::UnboundVariable {
                    name: self.pool.symbol_name(*symbol).to_string(),
                }
                .into()),
            },
            _ => Ok(self.names.get(&id).cloned()),
        }
    }

    fn line(&self, body: &mut String, name: &str, value: &str) {
        let _ = match self.lang {
            Language::Rust => writeln!(body, "    let {name} = {value};"),
            Language::C => writeln!(body, "    const double {name} = {value};"),
            Language::Python => writeln!(body, "    {name} = {value}"),
        };
    }

    /// The expression computing `root` from its children's variables (not `root`'s own
    /// variable), written with an explicit stack: expressions may be deep.
    fn render(&mut self, root: ExprId) -> Result<String, EmitError> {
        let mut out = String::new();
        let (_, pieces) = self.node(root, 0)?;
        let mut stack: Vec<Piece> = pieces.into_iter().rev().collect();
        while let Some(piece) = stack.pop() {
            let (min, (prec, pieces)) = match piece {
                Piece::Text(text) => {
                    out.push_str(text);
                    continue;
                }
                Piece::Owned(text) => {
                    out.push_str(&text);
                    continue;
                }
                Piece::Expr(id, min) => {
                    if let Some(name) = self.name(id)? {
                        out.push_str(&name);
                        continue;
                    }
                    (min, self.node(id, min)?)
                }
                Piece::Flipped(id, min) => match self.pool.node(id) {
                    Node::Mul(factors) => (min, self.product(factors, true, min)),
                    _ => (min, (TRANSPARENT, vec![Piece::Expr(id, min)])),
                },
                Piece::Number(q, min) => (min, self.number(&q)),
                Piece::Signed(q, min) => (min, self.signed(&q)),
                Piece::Power(base, exp, min) => (min, self.power(base, Some(&exp), None)),
            };
            if prec < min {
                stack.push(Piece::Text(")"));
                stack.extend(pieces.into_iter().rev());
                stack.push(Piece::Text("("));
            } else {
                stack.extend(pieces.into_iter().rev());
            }
        }
        Ok(out)
    }

    /// The pieces of a node and their precedence; `min` is what the parent needs (for
    /// pieces that pass it through).
    fn node(&mut self, id: ExprId, min: u8) -> Result<(u8, Vec<Piece>), EmitError> {
        let pool = self.pool;
        Ok(match pool.node(id) {
            Node::Apply { name, orders, args } => {
                let key: FormKey = (*name, orders.clone());
                let Some(function) = self.functions.get(&key) else {
                    return Err(CompileError::UnknownFunction {
                        name: pool.symbol_name(*name).to_string(),
                    }
                    .into());
                };
                let mut pieces = vec![Piece::Owned(format!("{function}("))];
                for (k, &arg) in args.iter().enumerate() {
                    if k > 0 {
                        pieces.push(Piece::Text(", "));
                    }
                    pieces.push(Piece::Expr(arg, 0));
                }
                pieces.push(Piece::Text(")"));
                (ATOM, pieces)
            }
            Node::Num(q) => self.signed(q),
            Node::Const(c) => (ATOM, vec![Piece::Text(self.constant(*c))]),
            Node::Sym(_) => match self.name(id)? {
                Some(name) => (ATOM, vec![Piece::Owned(name)]),
                None => (ATOM, Vec::new()),
            },
            Node::Add(terms) => self.sum(terms),
            Node::Mul(factors) => self.product(factors, false, min),
            Node::Pow([base, exp]) => match pool.as_num(*exp) {
                Some(q) => self.power(*base, Some(q), None),
                None => self.power(*base, None, Some(*exp)),
            },
            Node::Call(func, arg) => self.call(*func, *arg),
            Node::Atan2([y, x]) => (
                ATOM,
                vec![
                    Piece::Text(self.helper(Helper::Atan2)),
                    Piece::Expr(*y, 0),
                    Piece::Text(", "),
                    Piece::Expr(*x, 0),
                    Piece::Text(")"),
                ],
            ),
            Node::Min(args) | Node::Max(args) | Node::LogSumExp(args) => {
                // deriv_max(deriv_max(a, b), c), as the tape folds them; NaN-propagating,
                // unlike fmax and f64::max.
                let helper = self.helper(match pool.node(id) {
                    Node::Max(_) => Helper::Max,
                    Node::Min(_) => Helper::Min,
                    _ => Helper::LogSumExp,
                });
                let mut pieces: Vec<Piece> =
                    args[1..].iter().map(|_| Piece::Text(helper)).collect();
                pieces.push(Piece::Expr(args[0], 0));
                for &arg in &args[1..] {
                    pieces.extend([Piece::Text(", "), Piece::Expr(arg, 0), Piece::Text(")")]);
                }
                (ATOM, pieces)
            }
            node @ (Node::Undefined | Node::Derivative { .. }) => {
                return Err(no_value(pool, node).into());
            }
        })
    }

    fn constant(&self, constant: Constant) -> &'static str {
        match (self.lang, constant) {
            (Language::Rust, Constant::Pi) => "std::f64::consts::PI",
            (Language::Rust, Constant::E) => "std::f64::consts::E",
            (Language::C, Constant::Pi) => "3.141592653589793",
            (Language::C, Constant::E) => "2.718281828459045",
            (Language::Python, Constant::Pi) => "math.pi",
            (Language::Python, Constant::E) => "math.e",
        }
    }

    /// A positive number: `3.0`, `1.0 / 3.0` when both parts are exact, else the nearest
    /// `f64` written so that it reads back exactly.
    fn number(&self, q: &Rational) -> (u8, Vec<Piece>) {
        match exact_fraction(q) {
            Some((p, 1)) => (ATOM, vec![Piece::Owned(format!("{p}.0"))]),
            Some((p, d)) => (PRODUCT, vec![Piece::Owned(format!("{p}.0 / {d}.0"))]),
            None => {
                let value = q.to_f64();
                let text = if value.is_finite() {
                    format!("{value:?}")
                } else {
                    match self.lang {
                        Language::Rust => "f64::INFINITY".into(),
                        Language::C => "INFINITY".into(),
                        Language::Python => "math.inf".into(),
                    }
                };
                (ATOM, vec![Piece::Owned(text)])
            }
        }
    }

    fn signed(&self, q: &Rational) -> (u8, Vec<Piece>) {
        if !q.is_negative() {
            return self.number(q);
        }
        let (prec, mut pieces) = self.number(&-q);
        pieces.insert(0, Piece::Text("-"));
        (prec.min(UNARY), pieces)
    }

    fn sum(&mut self, terms: &[ExprId]) -> (u8, Vec<Piece>) {
        let (added, subtracted) = lower_sum(self.pool, terms, &self.layout.absorbed);
        let piece = |term: &Term, min: u8| match term {
            Term::Expr(id) => Piece::Expr(*id, min),
            Term::Flipped(id) => Piece::Flipped(*id, min),
            Term::Number(q) => Piece::Number(q.clone(), min),
        };
        let mut pieces = Vec::new();
        let mut subtracted = subtracted.iter();
        match added.split_first() {
            Some((first, rest)) => {
                pieces.push(piece(first, SUM));
                for term in rest {
                    pieces.push(Piece::Text(" + "));
                    pieces.push(piece(term, PRODUCT));
                }
            }
            // `-a*b - c`: the sign binds to `a`, which gives the same value as `-(a*b)`.
            None => {
                if let Some(first) = subtracted.next() {
                    pieces.push(Piece::Text("-"));
                    pieces.push(piece(first, PRODUCT));
                }
            }
        }
        for term in subtracted {
            pieces.push(Piece::Text(" - "));
            pieces.push(piece(term, PRODUCT));
        }
        (SUM, pieces)
    }

    fn product(&mut self, factors: &[ExprId], flip: bool, min: u8) -> (u8, Vec<Piece>) {
        let product = lower_product(self.pool, factors, flip, &self.layout.absorbed);
        let piece = |factor: &Factor| match factor {
            Factor::Number(q) => Piece::Number(q.clone(), POWER),
            Factor::Expr(id) => Piece::Expr(*id, POWER),
            Factor::Power(base, exp) => Piece::Power(*base, exp.clone(), POWER),
        };
        let (numerator, denominator) = (&product.numerator, &product.denominator);
        if denominator.is_empty() && numerator.len() == 1 && product.scale.is_empty() {
            let single = match &numerator[0] {
                Factor::Number(q) => Piece::Number(q.clone(), min),
                Factor::Expr(id) => Piece::Expr(*id, min),
                Factor::Power(base, exp) => Piece::Power(*base, exp.clone(), min),
            };
            if !product.negative {
                return (TRANSPARENT, vec![single]);
            }
            return (UNARY, vec![Piece::Text("-"), piece(&numerator[0])]);
        }
        let mut pieces = Vec::new();
        if product.negative {
            pieces.push(Piece::Text("-"));
        }
        if numerator.is_empty() {
            pieces.push(Piece::Text("1.0"));
        }
        for (k, factor) in numerator.iter().enumerate() {
            if k > 0 {
                pieces.push(Piece::Text(" * "));
                pieces.push(piece(factor));
            } else if product.negative {
                pieces.push(piece(factor));
            } else {
                // `*` and `/` group to the left: the first factor may be a product.
                pieces.push(match piece(factor) {
                    Piece::Number(q, _) => Piece::Number(q, PRODUCT),
                    Piece::Expr(id, _) => Piece::Expr(id, PRODUCT),
                    Piece::Power(base, exp, _) => Piece::Power(base, exp, PRODUCT),
                    other => other,
                });
            }
        }
        match denominator.as_slice() {
            [] => {}
            [single] => {
                pieces.push(Piece::Text(" / "));
                pieces.push(piece(single));
            }
            several => {
                pieces.push(Piece::Text(" / ("));
                for (k, factor) in several.iter().enumerate() {
                    if k > 0 {
                        pieces.push(Piece::Text(" * "));
                    }
                    pieces.push(piece(factor));
                }
                pieces.push(Piece::Text(")"));
            }
        }
        // Left to right: after the division.
        for &power in &product.scale {
            pieces.push(Piece::Text(" * "));
            pieces.push(Piece::Owned(format!("{power:?}")));
        }
        (PRODUCT, pieces)
    }

    /// `base^exp`, the exponent either exact or a node.
    fn power(
        &mut self,
        base: ExprId,
        exact: Option<&Rational>,
        node: Option<ExprId>,
    ) -> (u8, Vec<Piece>) {
        let form = if exact.is_some() {
            pow_form(exact)
        } else {
            PowForm::Real
        };
        let exponent = || match (exact, node) {
            (Some(q), _) => Piece::Signed(q.clone(), 0),
            (None, Some(id)) => Piece::Expr(id, 0),
            (None, None) => Piece::Text("1.0"),
        };
        let lang = self.lang;
        match form {
            PowForm::Int(n) => {
                let named = self.name(base).ok().flatten();
                match named {
                    Some(name) if (1..=3).contains(&n.unsigned_abs()) => {
                        let repeated = vec![name; n.unsigned_abs() as usize].join(" * ");
                        match n {
                            1 => (ATOM, vec![Piece::Owned(repeated)]),
                            2 | 3 => (PRODUCT, vec![Piece::Owned(repeated)]),
                            -1 => (PRODUCT, vec![Piece::Owned(format!("1.0 / {repeated}"))]),
                            _ => (PRODUCT, vec![Piece::Owned(format!("1.0 / ({repeated})"))]),
                        }
                    }
                    _ if n == -1 => (
                        PRODUCT,
                        vec![Piece::Text("1.0 / "), Piece::Expr(base, POWER)],
                    ),
                    _ => match lang {
                        Language::Rust => (
                            ATOM,
                            vec![
                                Piece::Text("f64::powi("),
                                Piece::Expr(base, 0),
                                Piece::Owned(format!(", {n})")),
                            ],
                        ),
                        Language::C => (
                            ATOM,
                            vec![
                                Piece::Text("pow("),
                                Piece::Expr(base, 0),
                                Piece::Owned(format!(", {n}.0)")),
                            ],
                        ),
                        Language::Python => (
                            POWER,
                            vec![Piece::Expr(base, ATOM), Piece::Owned(format!(" ** {n}"))],
                        ),
                    },
                }
            }
            PowForm::Sqrt => {
                let open = match lang {
                    Language::Rust => "f64::sqrt(",
                    Language::C => "sqrt(",
                    Language::Python => self.helper(Helper::Sqrt),
                };
                (
                    ATOM,
                    vec![Piece::Text(open), Piece::Expr(base, 0), Piece::Text(")")],
                )
            }
            PowForm::Root { odd } => {
                let open = self.helper(Helper::RootPow);
                let flag = match (lang, odd) {
                    (Language::Rust, true) => ", true)",
                    (Language::Rust, false) => ", false)",
                    (Language::C, true) => ", 1)",
                    (Language::C, false) => ", 0)",
                    (Language::Python, true) => ", True)",
                    (Language::Python, false) => ", False)",
                };
                (
                    ATOM,
                    vec![
                        Piece::Text(open),
                        Piece::Expr(base, 0),
                        Piece::Text(", "),
                        exponent(),
                        Piece::Text(flag),
                    ],
                )
            }
            PowForm::Real => {
                let open = self.helper(Helper::Pow);
                (
                    ATOM,
                    vec![
                        Piece::Text(open),
                        Piece::Expr(base, 0),
                        Piece::Text(", "),
                        exponent(),
                        Piece::Text(")"),
                    ],
                )
            }
            PowForm::Float => {
                let open = match lang {
                    Language::Rust => "f64::powf(",
                    Language::C => "pow(",
                    Language::Python => self.helper(Helper::PowInt),
                };
                (
                    ATOM,
                    vec![
                        Piece::Text(open),
                        Piece::Expr(base, 0),
                        Piece::Text(", "),
                        exponent(),
                        Piece::Text(")"),
                    ],
                )
            }
        }
    }

    /// Records that the code uses `helper`, and returns its name with `(`.
    fn helper(&mut self, helper: Helper) -> &'static str {
        self.helpers.insert(helper);
        self.helpers.extend(helper.needs(self.lang));
        helper.call()
    }

    /// The opening of a call of `func` (without the reciprocal of sec, csc and cot, and
    /// not for sigmoid): `f64::sin(`, `sin(`, `math.sin(` or a helper.
    fn opening(&mut self, func: Func) -> &'static str {
        use Language::{C, Python, Rust};
        match (self.lang, func) {
            (_, Func::Sign) => self.helper(Helper::Sign),
            (_, Func::Step) => self.helper(Helper::Step),
            (_, Func::Relu) => self.helper(Helper::Relu),
            (_, Func::Softplus) => self.helper(Helper::Softplus),
            (_, Func::Acot) => self.helper(Helper::Acot),
            (_, Func::Asec) => self.helper(Helper::Asec),
            (_, Func::Acsc) => self.helper(Helper::Acsc),
            (_, Func::Sech) => self.helper(Helper::Sech),
            (_, Func::Csch) => self.helper(Helper::Csch),
            (_, Func::Coth) => self.helper(Helper::Coth),
            (_, Func::Asech) => self.helper(Helper::Asech),
            (_, Func::Acsch) => self.helper(Helper::Acsch),
            (_, Func::Acoth) => self.helper(Helper::Acoth),
            (_, Func::Gelu) => self.helper(Helper::Gelu),
            (_, Func::Silu) => self.helper(Helper::Silu),
            (_, Func::Elu) => self.helper(Helper::Elu),
            (Rust, Func::Erfc) => self.helper(Helper::Erfc),
            (Rust, Func::Expm1) => "f64::exp_m1(",
            (Rust, Func::Log1p) => "f64::ln_1p(",
            (C, Func::Erfc) => "erfc(",
            (C, Func::Expm1) => "expm1(",
            (C, Func::Log1p) => "log1p(",
            (Python, Func::Erfc) => "math.erfc(",
            (Python, Func::Expm1) => self.helper(Helper::Expm1),
            (Python, Func::Log1p) => self.helper(Helper::Log1p),
            (Rust, Func::Erf) => self.helper(Helper::Erf),
            (Rust, Func::Sin | Func::Csc) => "f64::sin(",
            (Rust, Func::Cos | Func::Sec) => "f64::cos(",
            (Rust, Func::Tan | Func::Cot) => "f64::tan(",
            (Rust, Func::Asin) => "f64::asin(",
            (Rust, Func::Acos) => "f64::acos(",
            (Rust, Func::Atan) => "f64::atan(",
            (Rust, Func::Sinh) => "f64::sinh(",
            (Rust, Func::Cosh) => "f64::cosh(",
            (Rust, Func::Tanh) => "f64::tanh(",
            (Rust, Func::Asinh) => "f64::asinh(",
            (Rust, Func::Acosh) => "f64::acosh(",
            (Rust, Func::Atanh) => "f64::atanh(",
            (Rust, Func::Exp | Func::Sigmoid) => "f64::exp(",
            (Rust, Func::Ln) => "f64::ln(",
            (Rust, Func::Log10) => "f64::log10(",
            (Rust, Func::Log2) => "f64::log2(",
            (Rust, Func::Abs) => "f64::abs(",
            (C, Func::Sin | Func::Csc) => "sin(",
            (C, Func::Cos | Func::Sec) => "cos(",
            (C, Func::Tan | Func::Cot) => "tan(",
            (C, Func::Asin) => "asin(",
            (C, Func::Acos) => "acos(",
            (C, Func::Atan) => "atan(",
            (C, Func::Sinh) => "sinh(",
            (C, Func::Cosh) => "cosh(",
            (C, Func::Tanh) => "tanh(",
            (C, Func::Asinh) => "asinh(",
            (C, Func::Acosh) => "acosh(",
            (C, Func::Atanh) => "atanh(",
            (C, Func::Exp | Func::Sigmoid) => "exp(",
            (C, Func::Ln) => "log(",
            (C, Func::Log10) => "log10(",
            (C, Func::Log2) => "log2(",
            (C, Func::Abs) => "fabs(",
            (C, Func::Erf) => "erf(",
            (Python, Func::Sin | Func::Csc) => "math.sin(",
            (Python, Func::Cos | Func::Sec) => "math.cos(",
            (Python, Func::Tan | Func::Cot) => "math.tan(",
            (Python, Func::Atan) => "math.atan(",
            (Python, Func::Tanh) => "math.tanh(",
            (Python, Func::Asinh) => "math.asinh(",
            (Python, Func::Erf) => "math.erf(",
            (Python, Func::Abs) => "abs(",
            (Python, Func::Asin) => self.helper(Helper::Asin),
            (Python, Func::Acos) => self.helper(Helper::Acos),
            (Python, Func::Sinh) => self.helper(Helper::Sinh),
            (Python, Func::Cosh) => self.helper(Helper::Cosh),
            (Python, Func::Acosh) => self.helper(Helper::Acosh),
            (Python, Func::Atanh) => self.helper(Helper::Atanh),
            (Python, Func::Exp | Func::Sigmoid) => self.helper(Helper::Exp),
            (Python, Func::Ln) => self.helper(Helper::Ln),
            (Python, Func::Log10) => self.helper(Helper::Log10),
            (Python, Func::Log2) => self.helper(Helper::Log2),
        }
    }

    fn call(&mut self, func: Func, arg: ExprId) -> (u8, Vec<Piece>) {
        let open = self.opening(func);
        match func {
            Func::Sec | Func::Csc | Func::Cot => (
                PRODUCT,
                vec![
                    Piece::Text("1.0 / "),
                    Piece::Text(open),
                    Piece::Expr(arg, 0),
                    Piece::Text(")"),
                ],
            ),
            Func::Sigmoid => (
                PRODUCT,
                vec![
                    Piece::Text("1.0 / (1.0 + "),
                    Piece::Text(open),
                    Piece::Text("-"),
                    Piece::Expr(arg, POWER),
                    Piece::Text("))"),
                ],
            ),
            _ => (
                ATOM,
                vec![Piece::Text(open), Piece::Expr(arg, 0), Piece::Text(")")],
            ),
        }
    }

    /// The helpers used, each after those it needs.
    fn helper_sources(&self) -> Vec<(Helper, &'static str)> {
        HELPERS
            .iter()
            .filter(|h| self.helpers.contains(h))
            .filter_map(|&h| h.source(self.lang).map(|source| (h, source)))
            .collect()
    }

    fn assemble(&self, parts: &Parts<'_>) -> String {
        let Parts {
            function,
            params,
            body,
            functions,
            values,
            labels,
            docs,
        } = *parts;
        let mut out = String::new();
        let n = values.len();
        match self.lang {
            Language::Rust => {
                let _ = writeln!(
                    out,
                    "/// Generated by deriv. Returns `[{}]`:",
                    values_summary(labels)
                );
                for (k, doc) in docs.iter().enumerate() {
                    let _ = writeln!(out, "/// - `[{k}]` {doc}");
                }
                out.push_str(
                    "#[allow(non_snake_case, unused_variables, unused_parens, clippy::all)]\n",
                );
                let params: Vec<String> = params.iter().map(|p| format!("{p}: f64")).collect();
                let _ = writeln!(
                    out,
                    "pub fn {function}({}) -> [f64; {n}] {{",
                    params.join(", ")
                );
                for source in self
                    .helper_sources()
                    .into_iter()
                    .map(|(_, source)| source)
                    .chain(functions.iter().map(String::as_str))
                {
                    for line in source.lines() {
                        let _ = writeln!(out, "    {line}");
                    }
                }
                out.push_str(body);
                out.push_str("    [\n");
                for value in values {
                    let _ = writeln!(out, "        {value},");
                }
                out.push_str("    ]\n}\n");
            }
            Language::C => {
                let _ = writeln!(
                    out,
                    "/* Generated by deriv. {function} writes {n} values to out:"
                );
                for (k, doc) in docs.iter().enumerate() {
                    let _ = writeln!(out, " * out[{k}] = {doc}");
                }
                out.push_str(" */\n#include <math.h>\n\n");
                for (helper, source) in self.helper_sources() {
                    let guard = c_guard(helper);
                    let _ = writeln!(out, "#ifndef {guard}\n#define {guard}\n{source}#endif\n");
                }
                for source in functions {
                    let _ = writeln!(out, "{source}");
                }
                let mut params: Vec<String> =
                    params.iter().map(|p| format!("double {p}")).collect();
                params.push("double *out".into());
                let _ = writeln!(out, "void {function}({})\n{{", params.join(", "));
                out.push_str(body);
                for (k, value) in values.iter().enumerate() {
                    let _ = writeln!(out, "    out[{k}] = {value};");
                }
                out.push_str("}\n");
            }
            Language::Python => {
                out.push_str("# Generated by deriv.\nimport math\n\n\n");
                for source in self
                    .helper_sources()
                    .into_iter()
                    .map(|(_, source)| source)
                    .chain(functions.iter().map(String::as_str))
                {
                    out.push_str(source);
                    out.push_str("\n\n");
                }
                let _ = writeln!(out, "def {function}({}):", params.join(", "));
                let _ = writeln!(
                    out,
                    "    \"\"\"Returns ({}{}):",
                    values_summary(labels),
                    if n == 1 { "," } else { "" }
                );
                out.push('\n');
                for (k, doc) in docs.iter().enumerate() {
                    let _ = writeln!(out, "    [{k}] {doc}");
                }
                out.push_str("    \"\"\"\n");
                out.push_str(body);
                out.push_str("    return (\n");
                for value in values {
                    let _ = writeln!(out, "        {value},");
                }
                out.push_str("    )\n");
            }
        }
        out
    }
}

/// The list of returned values, shortened when long.
fn values_summary(labels: &[String]) -> String {
    match labels {
        [first, second, .., last] if labels.len() > 8 => format!("{first}, {second}, …, {last}"),
        _ => labels.join(", "),
    }
}

fn c_guard(helper: Helper) -> String {
    format!(
        "DERIV_HELPER_{}_",
        helper.name()["deriv_".len()..].to_uppercase()
    )
}

/// Identifiers of one generated function: every name made valid and unique.
struct Idents {
    lang: Language,
    taken: FxHashSet<String>,
}

const RUST_RESERVED: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "union", "f64", "std",
    "core", "alloc", // Prelude variants: as a binding they are patterns.
    "None", "Some", "Ok", "Err",
];

const C_RESERVED: &[&str] = &[
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "bool",
    "true",
    "false",
    "nullptr",
    "alignas",
    "alignof",
    "constexpr",
    "static_assert",
    "thread_local",
    "typeof",
    "typeof_unqual",
    "asm",
    "out",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
    "acosh",
    "atanh",
    "exp",
    "log",
    "log10",
    "log2",
    "log1p",
    "expm1",
    "erfc",
    "atan2",
    "fabs",
    "fmax",
    "fmin",
    "pow",
    "sqrt",
    "erf",
    "isnan",
    "isinf",
    "isfinite",
    "isnormal",
    "signbit",
    "fpclassify",
    "isgreater",
    "isgreaterequal",
    "isless",
    "islessequal",
    "islessgreater",
    "isunordered",
    "NAN",
    "INFINITY",
    "HUGE_VAL",
    "HUGE_VALF",
    "HUGE_VALL",
    "math_errhandling",
    "DOMAIN",
    "SING",
    "OVERFLOW",
    "UNDERFLOW",
    "TLOSS",
    "PLOSS",
    "X_TLOSS",
    "MAXFLOAT",
    "FP_NAN",
    "FP_INFINITE",
    "FP_ZERO",
    "FP_SUBNORMAL",
    "FP_NORMAL",
    "FP_ILOGB0",
    "FP_ILOGBNAN",
    "errno",
];

const PYTHON_RESERVED: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "math", "abs", "float",
];

/// Functions of C's `math.h` (with their `f` and `l` variants) and glibc's extras: a
/// global name of the generated code must not redeclare one.
const C_MATH_FUNCTIONS: &[&str] = &[
    "acos",
    "asin",
    "atan",
    "atan2",
    "cos",
    "sin",
    "tan",
    "acosh",
    "asinh",
    "atanh",
    "cosh",
    "sinh",
    "tanh",
    "exp",
    "exp2",
    "expm1",
    "frexp",
    "ilogb",
    "ldexp",
    "log",
    "log10",
    "log1p",
    "log2",
    "logb",
    "modf",
    "scalbn",
    "scalbln",
    "cbrt",
    "fabs",
    "hypot",
    "pow",
    "sqrt",
    "erf",
    "erfc",
    "lgamma",
    "tgamma",
    "ceil",
    "floor",
    "nearbyint",
    "rint",
    "lrint",
    "llrint",
    "round",
    "lround",
    "llround",
    "trunc",
    "fmod",
    "remainder",
    "remquo",
    "copysign",
    "nan",
    "nextafter",
    "nexttoward",
    "fdim",
    "fmax",
    "fmin",
    "fma",
    "j0",
    "j1",
    "jn",
    "y0",
    "y1",
    "yn",
    "gamma",
    "drem",
    "finite",
    "scalb",
    "significand",
    "exp10",
    "pow10",
    "sincos",
    "lgamma_r",
    "gamma_r",
    "isinf",
    "isnan",
    "main",
];

impl Idents {
    /// The identifiers of global names (functions): in C, also every `math.h` function.
    fn global(lang: Language) -> Idents {
        let mut idents = Idents::new(lang);
        if lang == Language::C {
            for name in C_MATH_FUNCTIONS {
                idents.taken.insert(name.to_string());
                idents.taken.insert(format!("{name}f"));
                idents.taken.insert(format!("{name}l"));
            }
        }
        idents
    }

    fn new(lang: Language) -> Idents {
        let reserved = match lang {
            Language::Rust => RUST_RESERVED,
            Language::C => C_RESERVED,
            Language::Python => PYTHON_RESERVED,
        };
        let mut taken: FxHashSet<String> = reserved.iter().map(|s| s.to_string()).collect();
        taken.extend(HELPERS.iter().map(|h| h.name().to_string()));
        if lang == Language::C {
            taken.extend(HELPERS.iter().map(|&h| c_guard(h)));
        }
        Idents { lang, taken }
    }

    /// A new identifier like `raw`.
    fn fresh(&mut self, raw: &str) -> String {
        let base = sanitize(raw, self.lang);
        let mut candidate = base.clone();
        let mut k = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{base}_{k}");
            k += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

/// `raw` as an ASCII identifier: letters, digits and `_`; Greek letters spelled out,
/// other letters and digits as `u` and their code point, anything else as `_`.
fn sanitize(raw: &str, lang: Language) -> String {
    let mut out = String::new();
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if let Some(name) = greek(c) {
            out.push_str(name);
        } else if c.is_alphanumeric() {
            let _ = write!(out, "u{:04x}", c as u32);
        } else {
            out.push('_');
        }
    }
    // Names starting with `_` or a digit, and (in C) the prefixes of `math.h` macros.
    let c_macro = lang == Language::C
        && ["M_", "FP_", "HUGE_", "MATH_", "DERIV_"]
            .iter()
            .any(|p| out.starts_with(p));
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit() || c == '_') || c_macro {
        out.insert(0, 'v');
    }
    out
}

fn greek(c: char) -> Option<&'static str> {
    const LOWER: [&str; 25] = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
        "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "sigma", "tau", "upsilon",
        "phi", "chi", "psi", "omega",
    ];
    const UPPER: [&str; 25] = [
        "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa",
        "Lambda", "Mu", "Nu", "Xi", "Omicron", "Pi", "Rho", "Sigma", "Sigma", "Tau", "Upsilon",
        "Phi", "Chi", "Psi", "Omega",
    ];
    match c {
        // U+03C2 is the final sigma; U+03A2 is unassigned.
        'α'..='ω' => Some(LOWER[c as usize - 'α' as usize]),
        'Α'..='Ω' if c != '\u{3a2}' => Some(UPPER[c as usize - 'Α' as usize]),
        'ϑ' => Some("theta"),
        'ϕ' => Some("phi"),
        'ϵ' => Some("epsilon"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse, value_and_gradient};

    #[test]
    fn names_are_valid_and_distinct() {
        let mut idents = Idents::new(Language::Python);
        let names: Vec<String> = ["θ", "theta", "λ", "lambda", "x'", "é1", "2x", "math", "θ"]
            .iter()
            .map(|n| idents.fresh(n))
            .collect();
        assert_eq!(
            names,
            [
                "theta", "theta_2", "lambda_2", "lambda_3", "x_", "u00e91", "v2x", "math_2",
                "theta_3"
            ]
        );
        let mut c = Idents::new(Language::C);
        assert_eq!(c.fresh("M_PI"), "vM_PI");
        assert_eq!(c.fresh("NAN"), "NAN_2");
        assert_eq!(c.fresh("int"), "int_2");
        let mut rust = Idents::new(Language::Rust);
        assert_eq!(rust.fresh("type"), "type_2");
        assert_eq!(rust.fresh("deriv_sign"), "deriv_sign_2");
    }

    #[test]
    fn greek_letters_are_spelled_out() {
        assert_eq!(greek('α'), Some("alpha"));
        assert_eq!(greek('ω'), Some("omega"));
        assert_eq!(greek('Ω'), Some("Omega"));
        assert_eq!(greek('Σ'), Some("Sigma"));
        assert_eq!(greek('ς'), Some("sigma"));
        assert_eq!(greek('a'), None);
    }

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
