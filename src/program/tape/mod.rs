//! Numeric evaluation compiled to a flat instruction tape.
//!
//! [`crate::eval`] walks the DAG and keeps values in a hash map: fine for one evaluation,
//! slow for many (a training loop evaluates the same gradient program millions of times).
//! A [`Tape`] is compiled once: every distinct node of the expressions (or of a
//! straight-line [`Program`](crate::program::cse::Program)) becomes one instruction
//! writing one register, so shared subexpressions stay shared, and an evaluation is a
//! single loop over the instructions with no hashing and no allocation.
//!
//! Calls of functions defined in the pool (`phi(s) = 1/(1 + exp(-s))`, see
//! [`crate::model`]) and of their computed derivatives are written out at each call site.
//!
//! Register layout: `[inputs | one register per instruction | constants]`. Sums and
//! products of more than two operands read their operand registers from a side array.
//!
//! The lowering of sums and products ([`crate::program::lower`]) is shared with
//! [`crate::program::emit`], so the code emitted for a program computes in the same order
//! (and so to the same bits, up to the math library) as its tape: `a + b - c` (a negated
//! term is subtracted), `p*x*y/(q*z)` (a rational coefficient `p/q` and a factor `z^-1`
//! that nothing else uses are divided by).

use crate::expr::SymbolId;
use crate::expr::func::Func;

mod compile;

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

/// The absent second register of a single term in [`Instr::Sum`].
const NONE: u32 = u32::MAX;

/// A compiled numeric evaluator: a flat list of instructions over `f64` registers.
///
/// ```
/// use deriv::program::Tape;
/// use deriv::{Pool, parse};
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{CompileError, Program, value_and_gradient};
    use crate::{ExprId, Node, Pool, eval, free_symbols, parse};
    use rustc_hash::FxHashMap;

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
            let gradient = crate::program::gradient_program(&mut pool, f, &vars).unwrap();
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
