//! The compiler of a [`Tape`]: each node of a program lowered (by
//! [`crate::program::lower`]) into instructions writing registers, calls of defined
//! functions written out.

use rustc_hash::FxHashMap;

use super::{Instr, NONE, Tape};
use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Node, Pool, SymbolId};
use crate::program::cse::Program;
use crate::program::lower::{
    CompileError, Factor, Layout, PowForm, Product, Term, lower_product, lower_sum, no_value,
    pow_form, redefined,
};

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
