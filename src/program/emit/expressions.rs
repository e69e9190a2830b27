//! One node of a program written as an expression of the target language: pieces with
//! their precedences and the parentheses they need, the shared lowering of sums,
//! products and powers, numbers, constants and calls (of functions, helpers and defined
//! functions).

use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Node};
use crate::program::lower::{
    CompileError, Factor, PowForm, Term, exact_fraction, lower_product, lower_sum, no_value,
    pow_form,
};

use super::helpers::Helper;
use super::statements::{Emitter, FormKey};
use super::{EmitError, Language};

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

impl Emitter<'_> {
    /// The expression computing `root` from its children's variables (not `root`'s own
    /// variable), written with an explicit stack: expressions may be deep.
    pub(super) fn render(&mut self, root: ExprId) -> Result<String, EmitError> {
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
}
