//! Numeric evaluation compiled to a flat instruction tape.
//!
//! [`crate::eval`] walks the DAG and keeps values in a hash map: fine for one evaluation,
//! slow for many (a training loop evaluates the same gradient program millions of times).
//! A [`Tape`] is compiled once: every distinct node of the expressions (or of a
//! straight-line [`Program`]) becomes one instruction writing one register, so shared
//! subexpressions stay shared, and an evaluation is a single loop over the instructions
//! with no hashing and no allocation.
//!
//! Calls of functions defined in the pool (`phi(s) = 1/(1 + exp(-s))`, see
//! [`crate::model`]) and of their computed derivatives are written out at each call site.
//!
//! Register layout: `[inputs | one register per instruction | constants]`. Sums and
//! products of more than two operands read their operand registers from a side array.
//!
//! The lowering of sums and products is shared with [`crate::program::emit`], so the code emitted
//! for a program computes in the same order (and so to the same bits, up to the math
//! library) as its tape: `a + b - c` (a negated term is subtracted), `p*x*y/(q*z)` (a
//! rational coefficient `p/q` and a factor `z^-1` that nothing else uses are divided by).

use num_traits::ToPrimitive;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::subst::rebuild;
use crate::expr::{Constant, ExprId, Node, Pool, SymbolId};
use crate::print::{product_order, sum_order};
use crate::program::cse::Program;
use crate::program::reverse::gradient_program_named;

/// Why an expression or program cannot be evaluated numerically.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// A variable is neither an input nor an intermediate defined before its use.
    #[error("the variable `{name}` is neither an input nor an earlier intermediate")]
    UnboundVariable {
        /// The variable's name.
        name: String,
    },
    /// A function `f(u)` (a [`Node::Apply`]) without a definition (or a derivative of a
    /// defined function that was never computed) has no numeric value.
    #[error("the function `{name}` has no definition to evaluate")]
    UnknownFunction {
        /// The function's name.
        name: String,
    },
    /// An unevaluated derivative `diff(y, x)` (a [`Node::Derivative`]) has no numeric value.
    #[error("the unevaluated derivative of `{of}` by `{wrt}` has no numeric value")]
    Derivative {
        /// The dependent variable.
        of: String,
        /// The variable it is differentiated by.
        wrt: String,
    },
    /// The expression is undefined ([`ExprId::UNDEFINED`], for example `1/0`).
    #[error("the expression is undefined")]
    Undefined,
    /// A name is given a value twice: two inputs, two intermediates, or an intermediate
    /// named like an input.
    #[error("the variable `{name}` is defined twice")]
    Redefined {
        /// The variable's name.
        name: String,
    },
}

/// One instruction. Instruction `i` writes register `inputs + i`; operands are registers.
#[derive(Clone, Copy, Debug)]
enum Instr {
    Add(u32, u32),
    Sub(u32, u32),
    Mul(u32, u32),
    Div(u32, u32),
    /// `operands[start]` is the number `k` of added terms; then come `len` terms, each a
    /// pair of registers `a, b` standing for `a*b`, or for `a` alone when `b` is
    /// [`NONE`]: the first `k` are added, the rest subtracted, left to right.
    Sum(u32, u32),
    /// The product of `operands[start..][..len]`, left to right.
    Product(u32, u32),
    Neg(u32),
    /// `-(a*b)`.
    NegMul(u32, u32),
    Recip(u32),
    Square(u32),
    Sqrt(u32),
    PowI(u32, i32),
    /// `powf` with no domain check: an integer exponent too large for `powi`.
    PowF(u32, u32),
    /// `b^e` for a real exponent: NaN for a negative base.
    PowReal(u32, u32),
    /// `b^(p/q)` with `q` odd: real for a negative base, negative when `p` is odd.
    RootPow(u32, u32, bool),
    Call(Func, u32),
    /// `atan2(y, x)`.
    Atan2(u32, u32),
    /// The larger of two values, NaN if either is.
    Max(u32, u32),
    /// The smaller of two values, NaN if either is.
    Min(u32, u32),
    /// `ln(exp(a) + exp(b))`, without overflow.
    LogSumExp(u32, u32),
}

/// A compiled numeric evaluator: a flat list of instructions over `f64` registers.
///
/// ```
/// use deriv::{Pool, Tape, parse};
/// let mut pool = Pool::new();
/// let f = parse(&mut pool, "x^2*sin(y) + x").unwrap();
/// let (x, y) = (pool.symbol("x"), pool.symbol("y"));
/// let tape = Tape::compile_exprs(&pool, &[f], &[x, y]).unwrap();
/// let mut scratch = tape.scratch();
/// let mut out = [0.0];
/// tape.eval_into(&[2.0, 0.5], &mut scratch, &mut out);
/// assert!((out[0] - (4.0 * 0.5f64.sin() + 2.0)).abs() < 1e-15);
/// ```
#[derive(Clone, Debug)]
pub struct Tape {
    code: Vec<Instr>,
    operands: Vec<u32>,
    constants: Vec<f64>,
    inputs: Vec<SymbolId>,
    outputs: Vec<u32>,
}

/// The registers of an evaluation, reused from one evaluation to the next so that
/// [`Tape::eval_into`] does not allocate. One scratch serves any tape (it grows to the
/// largest).
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    registers: Vec<f64>,
}

impl Scratch {
    /// An empty scratch; it grows on first use.
    pub fn new() -> Scratch {
        Scratch::default()
    }
}

impl Tape {
    /// Compiles a straight-line program: its intermediates in order (each may use the
    /// inputs and earlier intermediates), then its results, which are the outputs.
    /// Every distinct node is compiled once.
    pub fn compile(
        pool: &Pool,
        program: &Program,
        inputs: &[SymbolId],
    ) -> Result<Tape, CompileError> {
        let mut roots: Vec<ExprId> = program.temps.iter().map(|&(_, v)| v).collect();
        roots.extend_from_slice(&program.results);
        let mut layout = Layout::new(pool, &roots);
        let batches = std::mem::take(&mut layout.batches);
        let mut compiler = Compiler {
            pool,
            layout,
            code: Vec::new(),
            operands: Vec::new(),
            constants: Vec::new(),
            constant_index: FxHashMap::default(),
            registers: FxHashMap::default(),
            bound: FxHashMap::default(),
            inputs: inputs.len() as u32,
        };
        for (k, &input) in inputs.iter().enumerate() {
            if compiler.bound.insert(input, k as u32).is_some() {
                return Err(redefined(pool, input));
            }
        }
        for (k, batch) in batches.iter().enumerate() {
            compiler.batch(batch)?;
            if let Some(&(symbol, value)) = program.temps.get(k) {
                let register = compiler.registers[&value];
                if compiler.bound.insert(symbol, register).is_some() {
                    return Err(redefined(pool, symbol));
                }
            }
        }
        let outputs = program
            .results
            .iter()
            .map(|r| compiler.registers[r])
            .collect();
        Ok(compiler.finish(inputs, outputs))
    }

    /// Compiles expressions of the inputs; their values are the outputs, in order.
    pub fn compile_exprs(
        pool: &Pool,
        roots: &[ExprId],
        inputs: &[SymbolId],
    ) -> Result<Tape, CompileError> {
        let program = Program {
            temps: Vec::new(),
            results: roots.to_vec(),
        };
        Tape::compile(pool, &program, inputs)
    }

    /// The inputs, in the order [`Tape::eval_into`] takes their values.
    pub fn inputs(&self) -> &[SymbolId] {
        &self.inputs
    }

    /// How many values [`Tape::eval_into`] writes.
    pub fn num_outputs(&self) -> usize {
        self.outputs.len()
    }

    /// The number of instructions.
    pub fn len(&self) -> usize {
        self.code.len()
    }

    /// Whether there are no instructions (every output is an input or a constant).
    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
    }

    /// The number of `f64` registers an evaluation uses.
    pub fn num_registers(&self) -> usize {
        self.inputs.len() + self.code.len() + self.constants.len()
    }

    /// A scratch already large enough for this tape.
    pub fn scratch(&self) -> Scratch {
        Scratch {
            registers: vec![0.0; self.num_registers()],
        }
    }

    /// Evaluates the tape at `inputs` (in the order of [`Tape::inputs`]) into `outputs`.
    /// Allocates nothing once `scratch` has grown to the tape's size. Values follow
    /// [`crate::eval`]: NaN outside the real domain, real odd roots of negative numbers.
    ///
    /// # Panics
    ///
    /// When `inputs` or `outputs` has the wrong length.
    pub fn eval_into(&self, inputs: &[f64], scratch: &mut Scratch, outputs: &mut [f64]) {
        assert_eq!(inputs.len(), self.inputs.len(), "wrong number of inputs");
        assert_eq!(outputs.len(), self.outputs.len(), "wrong number of outputs");
        let size = self.num_registers();
        if scratch.registers.len() < size {
            scratch.registers.resize(size, 0.0);
        }
        let regs = &mut scratch.registers[..size];
        let first = inputs.len();
        let constants = first + self.code.len();
        regs[..first].copy_from_slice(inputs);
        regs[constants..].copy_from_slice(&self.constants);
        for (i, instr) in self.code.iter().enumerate() {
            let r = |k: u32| regs[k as usize];
            let value = match *instr {
                Instr::Add(a, b) => r(a) + r(b),
                Instr::Sub(a, b) => r(a) - r(b),
                Instr::Mul(a, b) => r(a) * r(b),
                Instr::Div(a, b) => r(a) / r(b),
                Instr::Sum(start, len) => {
                    let ops = &self.operands[start as usize..][..2 * len as usize + 1];
                    let added = ops[0] as usize;
                    let terms = &ops[1..];
                    let term = |k: usize| match (terms[2 * k], terms[2 * k + 1]) {
                        (a, NONE) => r(a),
                        (a, b) => r(a) * r(b),
                    };
                    let mut acc = if added > 0 { term(0) } else { -term(0) };
                    for k in 1..added {
                        acc += term(k);
                    }
                    for k in added.max(1)..len as usize {
                        acc -= term(k);
                    }
                    acc
                }
                Instr::Product(start, len) => {
                    let ops = &self.operands[start as usize..][..len as usize];
                    let mut acc = r(ops[0]);
                    for &k in &ops[1..] {
                        acc *= r(k);
                    }
                    acc
                }
                Instr::Neg(a) => -r(a),
                Instr::NegMul(a, b) => -(r(a) * r(b)),
                Instr::Recip(a) => 1.0 / r(a),
                Instr::Square(a) => {
                    let x = r(a);
                    x * x
                }
                Instr::Sqrt(a) => r(a).sqrt(),
                Instr::PowI(a, n) => r(a).powi(n),
                Instr::PowF(a, b) => match (r(a), r(b)) {
                    (x, e) if x.is_nan() || e.is_nan() => f64::NAN,
                    (x, e) => x.powf(e),
                },
                Instr::PowReal(a, b) => match (r(a), r(b)) {
                    (x, e) if x.is_nan() || e.is_nan() || x < 0.0 => f64::NAN,
                    (x, e) => x.powf(e),
                },
                Instr::RootPow(a, b, odd) => match (r(a), r(b)) {
                    (x, e) if x.is_nan() || e.is_nan() => f64::NAN,
                    (x, e) if x < 0.0 => {
                        let magnitude = (-x).powf(e);
                        if odd { -magnitude } else { magnitude }
                    }
                    (x, e) => x.powf(e),
                },
                Instr::Call(func, a) => match r(a) {
                    x if x.is_nan() => x,
                    x => func.eval(x),
                },
                Instr::Atan2(a, b) => crate::expr::func::atan2(r(a), r(b)),
                Instr::Max(a, b) => crate::expr::func::extremum(true, r(a), r(b)),
                Instr::Min(a, b) => crate::expr::func::extremum(false, r(a), r(b)),
                Instr::LogSumExp(a, b) => crate::expr::func::logsumexp(r(a), r(b)),
            };
            regs[first + i] = value;
        }
        for (out, &k) in outputs.iter_mut().zip(&self.outputs) {
            *out = regs[k as usize];
        }
    }

    /// The outputs at `inputs`, in a new vector (a convenience over [`Tape::eval_into`],
    /// which allocates nothing).
    ///
    /// # Panics
    ///
    /// When `inputs` has the wrong length.
    pub fn eval(&self, inputs: &[f64]) -> Vec<f64> {
        let mut outputs = vec![0.0; self.outputs.len()];
        self.eval_into(inputs, &mut self.scratch(), &mut outputs);
        outputs
    }
}

/// The program computing `f` and then `∂f/∂v` for every `v` in `vars`: the
/// [`crate::gradient_program`] with `f` prepended to its results, written in terms of the
/// program's intermediates wherever it contains one (so the value costs next to nothing
/// more than the gradient). `None` where [`crate::gradient_program`] gives `None`.
///
/// ```
/// use deriv::{Pool, Tape, parse, value_and_gradient};
/// let mut pool = Pool::new();
/// let f = parse(&mut pool, "exp(a*x)*x").unwrap();
/// let (a, x) = (pool.symbol("a"), pool.symbol("x"));
/// let program = value_and_gradient(&mut pool, f, &[a]).unwrap();
/// let tape = Tape::compile(&pool, &program, &[a, x]).unwrap();
/// let out = tape.eval(&[0.5, 2.0]);
/// assert!((out[0] - 2.0 * 1f64.exp()).abs() < 1e-14);
/// assert!((out[1] - 4.0 * 1f64.exp()).abs() < 1e-14);
/// ```
pub fn value_and_gradient(pool: &mut Pool, f: ExprId, vars: &[SymbolId]) -> Option<Program> {
    value_and_gradient_named(pool, f, vars, &FxHashMap::default())
}

/// [`value_and_gradient`] where the nodes in `names` (a model's definitions) keep their
/// names as intermediates and calls of defined functions stay calls, as in
/// [`crate::gradient_program_named`].
pub fn value_and_gradient_named(
    pool: &mut Pool,
    f: ExprId,
    vars: &[SymbolId],
    names: &FxHashMap<ExprId, SymbolId>,
) -> Option<Program> {
    let mut program = gradient_program_named(pool, f, vars, names)?;
    let mut by_value: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    for &(symbol, value) in &program.temps {
        if !pool.children(value).is_empty() {
            let name = pool.sym(symbol);
            by_value.entry(value).or_insert(name);
        }
    }
    let mut written: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    for n in pool.reachable(f, |_| true) {
        let children = pool.children(n);
        let mapped: Vec<ExprId> = children.iter().map(|c| written[c]).collect();
        let value = if mapped == children {
            n
        } else {
            let node = pool.node(n).clone();
            rebuild(pool, &node, &mapped)
        };
        let value = by_value.get(&value).copied().unwrap_or(value);
        written.insert(n, value);
    }
    program.results.insert(0, written[&f]);
    Some(program)
}

/// The error for a name given a value twice (two inputs, or an intermediate and an input).
pub(crate) fn redefined(pool: &Pool, symbol: SymbolId) -> CompileError {
    CompileError::Redefined {
        name: pool.symbol_name(symbol).to_string(),
    }
}

/// The error for a node with no numeric value: an unevaluated derivative, else
/// (for [`Node::Undefined`]) undefined.
pub(crate) fn no_value(pool: &Pool, node: &Node) -> CompileError {
    match node {
        Node::Derivative { of, wrt, .. } => CompileError::Derivative {
            of: pool.symbol_name(*of).to_string(),
            wrt: pool.symbol_name(*wrt).to_string(),
        },
        _ => CompileError::Undefined,
    }
}

/// The nodes of a list of roots, compiled (or emitted) root by root.
pub(crate) struct Layout {
    /// Per root, the nodes first reached from it, children before parents.
    pub(crate) batches: Vec<Vec<ExprId>>,
    /// Per node, how many parents (distinct nodes) and roots use it.
    pub(crate) uses: FxHashMap<ExprId, u32>,
    /// Nodes used once, by a parent that lowers them into itself: a product with a
    /// negative coefficient in a sum (subtracted), a power with a negative exponent in a
    /// product (divided by). They get no register (or name) of their own.
    pub(crate) absorbed: FxHashSet<ExprId>,
    /// Products of two nodes used once, by a sum: the tape multiplies them inside the
    /// sum's instruction (the emitted code writes them in the sum anyway).
    pub(crate) fused: FxHashSet<ExprId>,
}

impl Layout {
    pub(crate) fn new(pool: &Pool, roots: &[ExprId]) -> Layout {
        let mut seen: FxHashSet<ExprId> = FxHashSet::default();
        let mut uses: FxHashMap<ExprId, u32> = FxHashMap::default();
        let mut candidates: FxHashSet<ExprId> = FxHashSet::default();
        let mut pairs: FxHashSet<ExprId> = FxHashSet::default();
        let mut batches = Vec::with_capacity(roots.len());
        let mut stack = Vec::new();
        for &root in roots {
            *uses.entry(root).or_default() += 1;
            let mut batch = Vec::new();
            stack.push(root);
            while let Some(id) = stack.pop() {
                if !seen.insert(id) {
                    continue;
                }
                batch.push(id);
                let node = pool.node(id);
                for &child in pool.children(id) {
                    *uses.entry(child).or_default() += 1;
                    if lowers_into(pool, node, child) {
                        candidates.insert(child);
                    }
                    if matches!(node, Node::Add(_)) && is_pair(pool, child) {
                        pairs.insert(child);
                    }
                    if !seen.contains(&child) {
                        stack.push(child);
                    }
                }
            }
            // Children have smaller ids than their parents.
            batch.sort_unstable();
            batches.push(batch);
        }
        let absorbed = candidates
            .into_iter()
            .filter(|c| uses.get(c) == Some(&1))
            .collect();
        let fused = pairs
            .into_iter()
            .filter(|c| uses.get(c) == Some(&1))
            .collect();
        Layout {
            batches,
            uses,
            absorbed,
            fused,
        }
    }
}

/// Whether `parent` lowers its operand `child` into itself when nothing else uses it.
fn lowers_into(pool: &Pool, parent: &Node, child: ExprId) -> bool {
    match (parent, pool.node(child)) {
        (Node::Add(_), Node::Mul(factors)) => negative_coefficient(pool, factors),
        (Node::Mul(_), Node::Pow([_, exp])) => pool.as_num(*exp).is_some_and(|q| q.is_negative()),
        _ => false,
    }
}

/// Whether a node is a product of two factors, neither a number.
fn is_pair(pool: &Pool, id: ExprId) -> bool {
    matches!(pool.node(id), Node::Mul(factors)
        if factors.len() == 2 && factors.iter().all(|&f| pool.as_num(f).is_none()))
}

fn negative_coefficient(pool: &Pool, factors: &[ExprId]) -> bool {
    factors
        .first()
        .and_then(|&f| pool.as_num(f))
        .is_some_and(|q| q.is_negative())
}

/// A term of a lowered sum.
pub(crate) enum Term {
    /// A node, added or subtracted as it is.
    Expr(ExprId),
    /// A product with a negative coefficient, subtracted: the product with its
    /// coefficient negated.
    Flipped(ExprId),
    /// A positive number.
    Number(Rational),
}

/// Splits the terms of a sum into those added and those subtracted.
pub(crate) fn lower_sum(
    pool: &Pool,
    terms: &[ExprId],
    absorbed: &FxHashSet<ExprId>,
) -> (Vec<Term>, Vec<Term>) {
    let mut added = Vec::new();
    let mut subtracted = Vec::new();
    for term in sum_order(pool, terms) {
        match pool.node(term) {
            Node::Num(q) if q.is_negative() => subtracted.push(Term::Number(-q)),
            Node::Mul(_) if absorbed.contains(&term) => subtracted.push(Term::Flipped(term)),
            _ => added.push(Term::Expr(term)),
        }
    }
    (added, subtracted)
}

/// A factor of a lowered product.
pub(crate) enum Factor {
    /// A positive number.
    Number(Rational),
    /// A node.
    Expr(ExprId),
    /// `base^exp` with a positive exponent other than 1 (a denominator `base^-exp`).
    Power(ExprId, Rational),
}

/// A product as `±numerator/denominator`.
pub(crate) struct Product {
    pub(crate) negative: bool,
    pub(crate) numerator: Vec<Factor>,
    pub(crate) denominator: Vec<Factor>,
    /// Powers of two (each within `2^±1000`) multiplying the fraction after the division:
    /// the part of a coefficient beyond `f64`'s range.
    pub(crate) scale: Vec<f64>,
}

/// The factors of a product (negated when `flip`) as a signed fraction: the coefficient
/// `p/q` split into `p` and `q` when both are exact in `f64`, and each factor `b^-e`
/// nothing else uses moved into the denominator as `b^e`.
pub(crate) fn lower_product(
    pool: &Pool,
    factors: &[ExprId],
    flip: bool,
    absorbed: &FxHashSet<ExprId>,
) -> Product {
    let factors = &product_order(pool, factors)[..];
    let (coefficient, rest) = match factors.split_first() {
        Some((&first, rest)) if pool.as_num(first).is_some() => {
            (pool.as_num(first).cloned().unwrap_or(Rational::ONE), rest)
        }
        _ => (Rational::ONE, factors),
    };
    let coefficient = if flip { -&coefficient } else { coefficient };
    let mut product = Product {
        negative: coefficient.is_negative(),
        numerator: Vec::new(),
        denominator: Vec::new(),
        scale: Vec::new(),
    };
    // A magnitude beyond f64's range (`2^-1200`) is a moderate number times powers of
    // two representable in f64, multiplied in after the division.
    let (magnitude, binary_exponent) = coefficient.abs().split_binary_exponent();
    if !magnitude.is_one() {
        match exact_fraction(&magnitude) {
            Some((p, q)) => {
                if p != 1 {
                    product.numerator.push(Factor::Number(Rational::int(p)));
                }
                if q != 1 {
                    product.denominator.push(Factor::Number(Rational::int(q)));
                }
            }
            None => product.numerator.push(Factor::Number(magnitude)),
        }
    }
    for &factor in rest {
        match pool.node(factor) {
            Node::Pow([base, exp]) if absorbed.contains(&factor) => {
                let exp = pool.as_num(*exp).map(|q| -q).unwrap_or(Rational::ONE);
                if exp.is_one() {
                    product.denominator.push(Factor::Expr(*base));
                } else {
                    product.denominator.push(Factor::Power(*base, exp));
                }
            }
            _ => product.numerator.push(Factor::Expr(factor)),
        }
    }
    // Beyond ±2,200 the value is 0 or infinite for every finite product.
    let mut e = binary_exponent.clamp(-2200, 2200);
    while e != 0 {
        let step = e.clamp(-1000, 1000);
        product.scale.push(2f64.powi(step as i32));
        e -= step;
    }
    product
}

/// `(p, q)` for a non-negative `p/q` whose parts are exactly representable in `f64`.
pub(crate) fn exact_fraction(q: &Rational) -> Option<(i64, i64)> {
    const EXACT: i64 = 1 << 53;
    let p = q.numer().to_i64()?;
    let d = q.denom().to_i64()?;
    (p.abs() <= EXACT && d <= EXACT).then_some((p, d))
}

/// How a power is computed, by its exponent (mirroring `real_pow` in `eval.rs`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PowForm {
    /// An integer exponent that fits `powi`.
    Int(i32),
    /// The exponent `1/2`.
    Sqrt,
    /// A rational exponent with an odd denominator: real for a negative base, with the
    /// base's sign when the numerator is odd.
    Root {
        /// Whether the numerator is odd.
        odd: bool,
    },
    /// Any other exponent: NaN for a negative base.
    Real,
    /// An integer exponent too large for `powi`: `powf` as it is.
    Float,
}

pub(crate) fn pow_form(exp: Option<&Rational>) -> PowForm {
    match exp {
        Some(q) if q.is_integer() => match q.to_i64().and_then(|n| i32::try_from(n).ok()) {
            Some(n) => PowForm::Int(n),
            None => PowForm::Float,
        },
        Some(q) if *q == Rational::HALF => PowForm::Sqrt,
        Some(q) if q.has_odd_denom() => PowForm::Root {
            odd: q.has_odd_numer(),
        },
        _ => PowForm::Real,
    }
}

/// The exponent of a power being compiled.
enum Exponent<'a> {
    Exact(&'a Rational),
    Node(ExprId),
}

struct Compiler<'a> {
    pool: &'a Pool,
    /// The layout of the expressions being compiled: the program's, or a function body's
    /// while a call is written out.
    layout: Layout,
    code: Vec<Instr>,
    operands: Vec<u32>,
    constants: Vec<f64>,
    constant_index: FxHashMap<u64, u32>,
    /// The register of each compiled node.
    registers: FxHashMap<ExprId, u32>,
    /// The register of each input and defined intermediate.
    bound: FxHashMap<SymbolId, u32>,
    inputs: u32,
}

/// Marks a provisional constant register; [`Compiler::finish`] moves constants after the
/// instructions.
const CONSTANT: u32 = 1 << 31;

/// The absent second register of a single term in [`Instr::Sum`].
const NONE: u32 = u32::MAX;

impl Compiler<'_> {
    /// Compiles the nodes of a batch that get registers.
    fn batch(&mut self, batch: &[ExprId]) -> Result<(), CompileError> {
        for &id in batch {
            let lowered = self.layout.absorbed.contains(&id) || self.layout.fused.contains(&id);
            if !lowered && !self.registers.contains_key(&id) {
                let register = self.node(id)?;
                self.registers.insert(id, register);
            }
        }
        Ok(())
    }

    /// Writes out a call of a defined function: its body (or derivative) compiled with the
    /// parameters bound to the arguments' registers (the outer bindings of those names
    /// are restored afterwards). Nodes of the body are shared within the call, not across
    /// calls (their values differ).
    fn call_defined(
        &mut self,
        params: &[SymbolId],
        form: ExprId,
        args: &[u32],
    ) -> Result<u32, CompileError> {
        let mut layout = Layout::new(self.pool, &[form]);
        let batches = std::mem::take(&mut layout.batches);
        let outer_bound: Vec<(SymbolId, Option<u32>)> = params
            .iter()
            .zip(args)
            .map(|(&param, &arg)| (param, self.bound.insert(param, arg)))
            .collect();
        let outer_layout = std::mem::replace(&mut self.layout, layout);
        let outer_registers = std::mem::take(&mut self.registers);
        let result = batches
            .iter()
            .try_for_each(|batch| self.batch(batch))
            .map(|()| self.registers[&form]);
        self.layout = outer_layout;
        self.registers = outer_registers;
        // Last first, so that a name bound twice gets its outer binding back.
        for (param, outer) in outer_bound.into_iter().rev() {
            match outer {
                Some(register) => self.bound.insert(param, register),
                None => self.bound.remove(&param),
            };
        }
        result
    }

    fn push(&mut self, instr: Instr) -> u32 {
        self.code.push(instr);
        self.inputs + self.code.len() as u32 - 1
    }

    fn constant(&mut self, value: f64) -> u32 {
        let next = self.constants.len() as u32;
        let index = *self.constant_index.entry(value.to_bits()).or_insert(next);
        if index == next {
            self.constants.push(value);
        }
        CONSTANT | index
    }

    fn register(&self, id: ExprId) -> u32 {
        self.registers[&id]
    }

    fn node(&mut self, id: ExprId) -> Result<u32, CompileError> {
        let pool = self.pool;
        Ok(match pool.node(id) {
            Node::Apply { name, orders, args } => {
                let Some((params, form)) = pool.function_form(*name, orders) else {
                    return Err(CompileError::UnknownFunction {
                        name: pool.symbol_name(*name).to_string(),
                    });
                };
                let args: Vec<u32> = args.iter().map(|a| self.register(*a)).collect();
                self.call_defined(params, form, &args)?
            }
            Node::Num(q) => self.constant(q.to_f64()),
            Node::Const(Constant::Pi) => self.constant(std::f64::consts::PI),
            Node::Const(Constant::E) => self.constant(std::f64::consts::E),
            Node::Sym(symbol) => match self.bound.get(symbol) {
                Some(&register) => register,
                None => {
                    return Err(CompileError::UnboundVariable {
                        name: pool.symbol_name(*symbol).to_string(),
                    });
                }
            },
            Node::Add(terms) => self.sum(terms),
            Node::Mul(factors) => {
                let product = lower_product(self.pool, factors, false, &self.layout.absorbed);
                self.product(&product)
            }
            Node::Pow([base, exp]) => {
                let base = self.register(*base);
                match pool.as_num(*exp) {
                    Some(q) => self.power(base, Exponent::Exact(q)),
                    None => self.power(base, Exponent::Node(*exp)),
                }
            }
            Node::Call(func, arg) => {
                let arg = self.register(*arg);
                self.push(Instr::Call(*func, arg))
            }
            Node::Atan2([y, x]) => {
                let (y, x) = (self.register(*y), self.register(*x));
                self.push(Instr::Atan2(y, x))
            }
            Node::Min(ops) | Node::Max(ops) | Node::LogSumExp(ops) => {
                // Pairwise, left to right, as eval folds them.
                let pair = match pool.node(id) {
                    Node::Max(_) => Instr::Max,
                    Node::Min(_) => Instr::Min,
                    _ => Instr::LogSumExp,
                };
                let mut acc = self.register(ops[0]);
                for &op in &ops[1..] {
                    let next = self.register(op);
                    acc = self.push(pair(acc, next));
                }
                acc
            }
            node @ (Node::Undefined | Node::Derivative { .. }) => {
                return Err(no_value(pool, node));
            }
        })
    }

    fn sum(&mut self, terms: &[ExprId]) -> u32 {
        let (added, subtracted) = lower_sum(self.pool, terms, &self.layout.absorbed);
        let added: Vec<(u32, u32)> = added.iter().map(|t| self.term(t)).collect();
        let subtracted: Vec<(u32, u32)> = subtracted.iter().map(|t| self.term(t)).collect();
        match (added.as_slice(), subtracted.as_slice()) {
            ([], []) => self.constant(0.0),
            ([(a, NONE)], []) => *a,
            ([], [(a, NONE)]) => self.push(Instr::Neg(*a)),
            ([(a, NONE), (b, NONE)], []) => self.push(Instr::Add(*a, *b)),
            ([(a, NONE)], [(b, NONE)]) => self.push(Instr::Sub(*a, *b)),
            _ => {
                let start = self.operands.len() as u32;
                let len = (added.len() + subtracted.len()) as u32;
                self.operands.push(added.len() as u32);
                for &(a, b) in added.iter().chain(&subtracted) {
                    self.operands.push(a);
                    self.operands.push(b);
                }
                self.push(Instr::Sum(start, len))
            }
        }
    }

    /// A term as a pair of registers (a product) or a register and [`NONE`].
    fn term(&mut self, term: &Term) -> (u32, u32) {
        let pool = self.pool;
        match term {
            Term::Expr(id) => match pool.node(*id) {
                Node::Mul(factors) if self.layout.fused.contains(id) => self.pair(factors, false),
                _ => (self.register(*id), NONE),
            },
            Term::Number(q) => (self.constant(q.to_f64()), NONE),
            Term::Flipped(id) => match pool.node(*id) {
                Node::Mul(factors) => self.pair(factors, true),
                _ => (self.register(*id), NONE),
            },
        }
    }

    /// A product lowered into a sum: two registers when it is `a*b`, else its register.
    fn pair(&mut self, factors: &[ExprId], flip: bool) -> (u32, u32) {
        let product = lower_product(self.pool, factors, flip, &self.layout.absorbed);
        match (product.numerator.as_slice(), product.denominator.as_slice()) {
            ([Factor::Expr(a), Factor::Expr(b)], [])
                if !product.negative && product.scale.is_empty() =>
            {
                (self.register(*a), self.register(*b))
            }
            _ => (self.product(&product), NONE),
        }
    }

    /// A lowered product: its numerator over its denominator, signed and scaled.
    fn product(&mut self, product: &Product) -> u32 {
        let numerator: Vec<u32> = product.numerator.iter().map(|f| self.factor(f)).collect();
        let denominator: Vec<u32> = product.denominator.iter().map(|f| self.factor(f)).collect();
        if let ([a, b], [], true, []) = (
            numerator.as_slice(),
            denominator.as_slice(),
            product.negative,
            product.scale.as_slice(),
        ) {
            return self.push(Instr::NegMul(*a, *b));
        }
        let numerator = self.multiply(&numerator);
        let denominator = self.multiply(&denominator);
        let mut value = match (numerator, denominator) {
            (Some(n), None) => n,
            (Some(n), Some(d)) => self.push(Instr::Div(n, d)),
            (None, Some(d)) => self.push(Instr::Recip(d)),
            (None, None) => self.constant(1.0),
        };
        for &power in &product.scale {
            let power = self.constant(power);
            value = self.push(Instr::Mul(value, power));
        }
        if product.negative {
            self.push(Instr::Neg(value))
        } else {
            value
        }
    }

    fn multiply(&mut self, registers: &[u32]) -> Option<u32> {
        match registers {
            [] => None,
            [a] => Some(*a),
            [a, b] => Some(self.push(Instr::Mul(*a, *b))),
            _ => {
                let start = self.operands.len() as u32;
                self.operands.extend_from_slice(registers);
                Some(self.push(Instr::Product(start, registers.len() as u32)))
            }
        }
    }

    fn factor(&mut self, factor: &Factor) -> u32 {
        match factor {
            Factor::Number(q) => self.constant(q.to_f64()),
            Factor::Expr(id) => self.register(*id),
            Factor::Power(base, exp) => {
                let base = self.register(*base);
                self.power(base, Exponent::Exact(exp))
            }
        }
    }

    fn power(&mut self, base: u32, exp: Exponent<'_>) -> u32 {
        let form = match exp {
            Exponent::Exact(q) => pow_form(Some(q)),
            Exponent::Node(_) => PowForm::Real,
        };
        // The exponent's register, for the forms that read one.
        let exp_register = |compiler: &mut Self| match exp {
            Exponent::Exact(q) => compiler.constant(q.to_f64()),
            Exponent::Node(id) => compiler.register(id),
        };
        match form {
            PowForm::Int(1) => base,
            PowForm::Int(-1) => self.push(Instr::Recip(base)),
            PowForm::Int(2) => self.push(Instr::Square(base)),
            PowForm::Int(n) => self.push(Instr::PowI(base, n)),
            PowForm::Sqrt => self.push(Instr::Sqrt(base)),
            PowForm::Root { odd } => {
                let e = exp_register(self);
                self.push(Instr::RootPow(base, e, odd))
            }
            PowForm::Real => {
                let e = exp_register(self);
                self.push(Instr::PowReal(base, e))
            }
            PowForm::Float => {
                let e = exp_register(self);
                self.push(Instr::PowF(base, e))
            }
        }
    }

    /// Moves the constants after the instructions and fixes their registers.
    fn finish(self, inputs: &[SymbolId], outputs: Vec<u32>) -> Tape {
        let first_constant = self.inputs + self.code.len() as u32;
        let fix = |r: u32| {
            if r != NONE && r & CONSTANT != 0 {
                first_constant + (r & !CONSTANT)
            } else {
                r
            }
        };
        let mut operands = self.operands;
        let fix_all = |registers: &mut [u32]| {
            for r in registers {
                *r = fix(*r);
            }
        };
        let code = self
            .code
            .iter()
            .map(|&instr| match instr {
                Instr::Add(a, b) => Instr::Add(fix(a), fix(b)),
                Instr::Sub(a, b) => Instr::Sub(fix(a), fix(b)),
                Instr::Mul(a, b) => Instr::Mul(fix(a), fix(b)),
                Instr::Div(a, b) => Instr::Div(fix(a), fix(b)),
                Instr::Sum(start, len) => {
                    // After the count of added terms, which is not a register.
                    fix_all(&mut operands[start as usize + 1..][..2 * len as usize]);
                    instr
                }
                Instr::Product(start, len) => {
                    fix_all(&mut operands[start as usize..][..len as usize]);
                    instr
                }
                Instr::Neg(a) => Instr::Neg(fix(a)),
                Instr::NegMul(a, b) => Instr::NegMul(fix(a), fix(b)),
                Instr::Recip(a) => Instr::Recip(fix(a)),
                Instr::Square(a) => Instr::Square(fix(a)),
                Instr::Sqrt(a) => Instr::Sqrt(fix(a)),
                Instr::PowI(a, n) => Instr::PowI(fix(a), n),
                Instr::PowF(a, b) => Instr::PowF(fix(a), fix(b)),
                Instr::PowReal(a, b) => Instr::PowReal(fix(a), fix(b)),
                Instr::RootPow(a, b, odd) => Instr::RootPow(fix(a), fix(b), odd),
                Instr::Call(func, a) => Instr::Call(func, fix(a)),
                Instr::Atan2(a, b) => Instr::Atan2(fix(a), fix(b)),
                Instr::Max(a, b) => Instr::Max(fix(a), fix(b)),
                Instr::Min(a, b) => Instr::Min(fix(a), fix(b)),
                Instr::LogSumExp(a, b) => Instr::LogSumExp(fix(a), fix(b)),
            })
            .collect();
        Tape {
            code,
            operands,
            constants: self.constants,
            inputs: inputs.to_vec(),
            outputs: outputs.into_iter().map(fix).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{eval, free_symbols, parse};

    fn close(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
    }

    /// Evaluates `program` on its `tape` and by tree walking at `point` (the values of
    /// `vars`), asserts they agree output by output, and returns the tape's outputs and
    /// the point by variable.
    fn tape_agrees_with_program(
        pool: &Pool,
        tape: &Tape,
        program: &Program,
        vars: &[SymbolId],
        point: &[f64],
        label: &str,
    ) -> (Vec<f64>, FxHashMap<SymbolId, f64>) {
        let got = tape.eval(point);
        let point_map = vars.iter().copied().zip(point.iter().copied()).collect();
        let reference = program.eval(pool, &point_map);
        assert_eq!(got.len(), reference.len());
        for (k, (&value, &expected)) in got.iter().zip(&reference).enumerate() {
            assert!(
                close(value, expected),
                "{label} #{k}: {value} vs {expected}"
            );
        }
        (got, point_map)
    }

    /// Compiles each text alone and checks the tape against `crate::expr::eval` at a few points.
    fn agrees(texts: &[&str], points: &[[f64; 3]]) {
        for text in texts {
            let mut pool = Pool::new();
            let f = parse(&mut pool, text).unwrap();
            let vars = [pool.symbol("x"), pool.symbol("y"), pool.symbol("z")];
            let tape = Tape::compile_exprs(&pool, &[f], &vars).unwrap();
            let mut scratch = Scratch::new();
            for point in points {
                let mut out = [0.0];
                tape.eval_into(point, &mut scratch, &mut out);
                let values = vars.iter().copied().zip(point.iter().copied()).collect();
                let expected = eval(&pool, f, &values);
                assert!(
                    close(out[0], expected),
                    "{text} at {point:?}: tape {} vs eval {expected}",
                    out[0]
                );
            }
        }
    }

    const POINTS: [[f64; 3]; 4] = [
        [0.3, 0.7, -1.2],
        [1.7, -0.4, 2.5],
        [-0.6, 2.2, 0.05],
        [0.0, 1.0, -3.0],
    ];

    #[test]
    fn every_function_agrees_with_eval() {
        for func in Func::ALL {
            let name = func.name();
            let texts = [
                format!("{name}(x)"),
                format!("{name}(x*y - z/3)"),
                format!("2*{name}(y)^2 - {name}(z/5)"),
            ];
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            agrees(&texts, &POINTS);
        }
    }

    #[test]
    fn powers_rationals_and_constants_agree_with_eval() {
        agrees(
            &[
                "x^2 + y^3 - z^-1 + x^-2*y^-3",
                "x^7*y^-5 + z^12",
                "sqrt(y^2 + 1) + sqrt(x) + y^(1/2)",
                "cbrt(z) + z^(2/3) + z^(-1/3) + z^(5/3) + x^(3/4)",
                "x^y + y^(x*z) + 2^x + pi^z",
                "x^(1/2)*y^(-1/2)",
                "1/3*x + 2/7*y - 5/11*z + 1/3",
                "pi*x + e^y - 2*e + pi^2/6",
                "-x - y - z",
                "-x*y/z - 3*x/(y*z^2) + 4",
                "x/(1 + exp(-y)) - 1/(x^2 + y^2 + 1)",
                "123456789012345678901234567890*x + x/98765432109876543210987",
                "x^2147483648 + y^-2147483649",
                "(x - y)^2*(y - z)^3/(z + 4)^2",
                "-(x + y)",
                "7",
                "pi",
            ],
            &POINTS,
        );
    }

    #[test]
    fn outside_the_domain_is_nan() {
        let mut pool = Pool::new();
        let texts = ["ln(x)", "sqrt(x)", "x^(1/4)", "x^y", "asin(x)"];
        let x = pool.symbol("x");
        let y = pool.symbol("y");
        let roots: Vec<ExprId> = texts.iter().map(|t| parse(&mut pool, t).unwrap()).collect();
        let tape = Tape::compile_exprs(&pool, &roots, &[x, y]).unwrap();
        for (k, v) in tape.eval(&[-2.0, 0.5]).into_iter().enumerate() {
            assert!(v.is_nan(), "{}: {v}", texts[k]);
        }
        let root = parse(&mut pool, "x^(1/3) + x^(2/3)").unwrap();
        let tape = Tape::compile_exprs(&pool, &[root], &[x]).unwrap();
        assert!(close(tape.eval(&[-8.0])[0], -2.0 + 4.0));
        // NaN does not turn into a number through powers and piecewise functions.
        let root = parse(&mut pool, "relu(y) + step(y) + y^0.5 + 1^y").unwrap();
        let tape = Tape::compile_exprs(&pool, &[root], &[y]).unwrap();
        assert!(tape.eval(&[f64::NAN])[0].is_nan());
    }

    #[test]
    fn shared_nodes_are_compiled_once() {
        let mut pool = Pool::new();
        let f = parse(&mut pool, "sin(x*y)^2 + cos(x*y)^3 + sin(x*y)").unwrap();
        let g = parse(&mut pool, "sin(x*y)*cos(x*y)").unwrap();
        let vars = [pool.symbol("x"), pool.symbol("y")];
        let tape = Tape::compile_exprs(&pool, &[f, g], &vars).unwrap();
        // x*y, sin, cos, a square, a cube, the sum, the product.
        assert_eq!(tape.len(), 7, "{tape:?}");
    }

    #[test]
    fn gradient_programs_agree_with_eval() {
        let texts = [
            "1/2*(y - (u1/(1+exp(-(w11*x1+w12*x2+b1))) + u2/(1+exp(-(w21*x1+w22*x2+b2))) + d))^2",
            "x^x*y + ln(x*y + 2) - sqrt(x^2 + y^2)*atan(y/x) - cos(x - y)^3",
            "softplus(a*x + b) + relu(c*x - a)*sigmoid(b*c) + erf(a - c)^2 + abs(b)*sign(a)",
        ];
        for text in texts {
            let mut pool = Pool::new();
            let f = parse(&mut pool, text).unwrap();
            let vars = free_symbols(&pool, f);
            let program = value_and_gradient(&mut pool, f, &vars).unwrap();
            let tape = Tape::compile(&pool, &program, &vars).unwrap();
            let point: Vec<f64> = (0..vars.len()).map(|k| 0.3 + 0.17 * k as f64).collect();
            let (got, point_map) =
                tape_agrees_with_program(&pool, &tape, &program, &vars, &point, text);
            // The value is the function's, and shares the program's intermediates.
            assert!(close(got[0], eval(&pool, f, &point_map)));
            let gradient = crate::gradient_program(&mut pool, f, &vars).unwrap();
            let gradient = Tape::compile(&pool, &gradient, &vars).unwrap();
            let plain = Tape::compile_exprs(&pool, &[f], &vars).unwrap();
            let extra = tape.len() - gradient.len();
            assert!(
                2 * extra <= plain.len(),
                "{extra} more than {}",
                plain.len()
            );
        }
    }

    #[test]
    fn the_value_reuses_the_intermediates() {
        let mut pool = Pool::new();
        let f = parse(&mut pool, "1/2*(y - u/(1+exp(-(w*x+b))))^2").unwrap();
        let params: Vec<SymbolId> = ["w", "b", "u"].iter().map(|n| pool.symbol(n)).collect();
        let program = value_and_gradient(&mut pool, f, &params).unwrap();
        let value = crate::print(&pool, program.results[0]);
        assert!(value.starts_with("t") && value.len() < 10, "{value}");
    }

    #[test]
    fn errors_name_the_problem() {
        let mut pool = Pool::new();
        let x = pool.symbol("x");
        let f = parse(&mut pool, "x + y").unwrap();
        assert_eq!(
            Tape::compile_exprs(&pool, &[f], &[x]).unwrap_err(),
            CompileError::UnboundVariable { name: "y".into() }
        );
        let g = parse(&mut pool, "g(x) + 1").unwrap();
        assert_eq!(
            Tape::compile_exprs(&pool, &[g], &[x]).unwrap_err(),
            CompileError::UnknownFunction { name: "g".into() }
        );
        assert_eq!(
            Tape::compile_exprs(&pool, &[ExprId::UNDEFINED], &[x]).unwrap_err(),
            CompileError::Undefined
        );
        assert_eq!(
            Tape::compile_exprs(&pool, &[f], &[x, x]).unwrap_err(),
            CompileError::Redefined { name: "x".into() }
        );
        // An intermediate used before its definition is unbound.
        let t = pool.symbol("t");
        let t_var = pool.sym(t);
        let program = Program {
            temps: vec![(t, f)],
            results: vec![t_var],
        };
        let y = pool.symbol("y");
        assert!(Tape::compile(&pool, &program, &[x, y]).is_ok());
        let early = Program {
            temps: vec![(pool.symbol("s"), t_var), (t, f)],
            results: vec![t_var],
        };
        assert_eq!(
            Tape::compile(&pool, &early, &[x, y]).unwrap_err(),
            CompileError::UnboundVariable { name: "t".into() }
        );
    }

    #[test]
    fn a_negated_intermediate_keeps_its_value() {
        let mut pool = Pool::new();
        let [a, b, t] = ["a", "b", "t"].map(|n| pool.symbol(n));
        let ab = parse(&mut pool, "a*b").unwrap();
        let t_var = pool.sym(t);
        let minus_t = pool.mul2(ExprId::MINUS_ONE, t_var);
        let program = Program {
            temps: vec![(t, ab)],
            results: vec![minus_t, t_var],
        };
        let tape = Tape::compile(&pool, &program, &[a, b]).unwrap();
        assert_eq!(tape.eval(&[2.0, 3.0]), [-6.0, 6.0]);
        let f = parse(&mut pool, "-a*b + a*b*sin(a*b)").unwrap();
        let tape = Tape::compile_exprs(&pool, &[f], &[a, b]).unwrap();
        let expected = -6.0 + 6.0 * 6f64.sin();
        assert!(close(tape.eval(&[2.0, 3.0])[0], expected));
    }

    #[test]
    fn calls_of_defined_functions_are_written_out() {
        let mut pool = Pool::new();
        let model = crate::model::tests::model(
            &mut pool,
            &[
                "phi(s) = 1/(1 + exp(-a*s))",
                "psi(s, t) = phi(s)*t^2 + sin(s*t)",
                "h = phi(w*x + b)",
                "E = 1/2*(y - u*h - psi(h*v, w))^2",
            ],
        );
        let e = pool.symbol("E");
        let f = model.value(e).unwrap();
        let calls = |pool: &Pool, id: ExprId| {
            pool.reachable(id, |_| true)
                .into_iter()
                .filter(|&n| matches!(pool.node(n), Node::Apply { .. }))
                .count()
        };
        assert!(calls(&pool, f) >= 2);
        let vars = free_symbols(&pool, f);
        let program = value_and_gradient(&mut pool, f, &vars).unwrap();
        let all: usize = program
            .temps
            .iter()
            .map(|&(_, v)| v)
            .chain(program.results.iter().copied())
            .map(|r| calls(&pool, r))
            .sum();
        assert!(all >= 2, "the program calls the functions");
        let tape = Tape::compile(&pool, &program, &vars).unwrap();
        let point: Vec<f64> = (0..vars.len()).map(|k| 0.2 + 0.13 * k as f64).collect();
        let (got, point_map) = tape_agrees_with_program(&pool, &tape, &program, &vars, &point, "E");
        assert!(close(got[0], eval(&pool, f, &point_map)));
    }

    #[test]
    fn the_derivative_node_is_rejected() {
        let mut pool = Pool::new();
        let (y, x) = (pool.symbol("y"), pool.symbol("x"));
        let d = pool.intern(Node::Derivative {
            of: y,
            wrt: x,
            order: 1,
        });
        assert_eq!(
            Tape::compile_exprs(&pool, &[d], &[x, y]).unwrap_err(),
            CompileError::Derivative {
                of: "y".into(),
                wrt: "x".into()
            }
        );
    }
}
