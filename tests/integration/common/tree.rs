//! A random expression as a small tree: its fully parenthesized text (what the library
//! parses) and its value in `f64` with real-domain semantics, computed independently of
//! the library with a running bound on the rounding error.

use std::f64::consts::{FRAC_PI_2, PI};
use std::fmt::Write as _;

/// The variables of a [`Tree`]: `Tree::Var(k)` is `VARS[k]`.
pub const VARS: [&str; 3] = ["x", "y", "z"];

/// Every function name of one argument the parser knows, including the aliases `log`,
/// `sqrt`, `cbrt`, and some of the textbook spellings (`arcsin`, `arsinh`, `lg`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fun {
    Sin,
    Cos,
    Tan,
    Sec,
    Csc,
    Cot,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Exp,
    Ln,
    Log,
    Log10,
    Log2,
    Sqrt,
    Cbrt,
    Abs,
    Sign,
    Erf,
    Sigmoid,
    Softplus,
    Relu,
    Step,
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
    Arcsin,
    Arsinh,
    Arccoth,
    Lg,
    Heaviside,
}

impl Fun {
    pub const ALL: [Fun; 49] = [
        Fun::Sin,
        Fun::Cos,
        Fun::Tan,
        Fun::Sec,
        Fun::Csc,
        Fun::Cot,
        Fun::Asin,
        Fun::Acos,
        Fun::Atan,
        Fun::Sinh,
        Fun::Cosh,
        Fun::Tanh,
        Fun::Asinh,
        Fun::Acosh,
        Fun::Atanh,
        Fun::Exp,
        Fun::Ln,
        Fun::Log,
        Fun::Log10,
        Fun::Log2,
        Fun::Sqrt,
        Fun::Cbrt,
        Fun::Abs,
        Fun::Sign,
        Fun::Erf,
        Fun::Sigmoid,
        Fun::Softplus,
        Fun::Relu,
        Fun::Step,
        Fun::Acot,
        Fun::Asec,
        Fun::Acsc,
        Fun::Sech,
        Fun::Csch,
        Fun::Coth,
        Fun::Asech,
        Fun::Acsch,
        Fun::Acoth,
        Fun::Erfc,
        Fun::Expm1,
        Fun::Log1p,
        Fun::Gelu,
        Fun::Silu,
        Fun::Elu,
        Fun::Arcsin,
        Fun::Arsinh,
        Fun::Arccoth,
        Fun::Lg,
        Fun::Heaviside,
    ];

    fn name(self) -> &'static str {
        match self {
            Fun::Sin => "sin",
            Fun::Cos => "cos",
            Fun::Tan => "tan",
            Fun::Sec => "sec",
            Fun::Csc => "csc",
            Fun::Cot => "cot",
            Fun::Asin => "asin",
            Fun::Acos => "acos",
            Fun::Atan => "atan",
            Fun::Sinh => "sinh",
            Fun::Cosh => "cosh",
            Fun::Tanh => "tanh",
            Fun::Asinh => "asinh",
            Fun::Acosh => "acosh",
            Fun::Atanh => "atanh",
            Fun::Exp => "exp",
            Fun::Ln => "ln",
            Fun::Log => "log",
            Fun::Log10 => "log10",
            Fun::Log2 => "log2",
            Fun::Sqrt => "sqrt",
            Fun::Cbrt => "cbrt",
            Fun::Abs => "abs",
            Fun::Sign => "sign",
            Fun::Erf => "erf",
            Fun::Sigmoid => "sigmoid",
            Fun::Softplus => "softplus",
            Fun::Relu => "relu",
            Fun::Step => "step",
            Fun::Acot => "acot",
            Fun::Asec => "asec",
            Fun::Acsc => "acsc",
            Fun::Sech => "sech",
            Fun::Csch => "csch",
            Fun::Coth => "coth",
            Fun::Asech => "asech",
            Fun::Acsch => "acsch",
            Fun::Acoth => "acoth",
            Fun::Erfc => "erfc",
            Fun::Expm1 => "expm1",
            Fun::Log1p => "log1p",
            Fun::Gelu => "gelu",
            Fun::Silu => "silu",
            Fun::Elu => "elu",
            Fun::Arcsin => "arcsin",
            Fun::Arsinh => "arsinh",
            Fun::Arccoth => "arccoth",
            Fun::Lg => "lg",
            Fun::Heaviside => "heaviside",
        }
    }

    /// The real value, written independently of the library; NaN outside the domain.
    fn apply(self, x: f64) -> f64 {
        match self {
            Fun::Sin => x.sin(),
            Fun::Cos => x.cos(),
            Fun::Tan => x.sin() / x.cos(),
            Fun::Sec => 1.0 / x.cos(),
            Fun::Csc => 1.0 / x.sin(),
            Fun::Cot => x.cos() / x.sin(),
            Fun::Asin => x.asin(),
            Fun::Acos => x.acos(),
            Fun::Atan => x.atan(),
            Fun::Sinh => x.sinh(),
            Fun::Cosh => x.cosh(),
            Fun::Tanh => x.tanh(),
            Fun::Asinh => x.asinh(),
            Fun::Acosh => x.acosh(),
            Fun::Atanh => x.atanh(),
            Fun::Exp => x.exp(),
            Fun::Ln | Fun::Log => x.ln(),
            Fun::Log10 => x.ln() / std::f64::consts::LN_10,
            Fun::Log2 => x.ln() / std::f64::consts::LN_2,
            Fun::Sqrt => {
                if x < 0.0 {
                    f64::NAN
                } else {
                    x.sqrt()
                }
            }
            Fun::Cbrt => x.cbrt(),
            Fun::Abs => x.abs(),
            Fun::Sign => {
                if x == 0.0 {
                    0.0
                } else {
                    x.signum()
                }
            }
            Fun::Erf => erf_by_quadrature(x),
            Fun::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Fun::Softplus => {
                if x > 30.0 {
                    x + (-x).exp()
                } else {
                    x.exp().ln_1p()
                }
            }
            Fun::Relu => {
                if x > 0.0 {
                    x
                } else {
                    0.0
                }
            }
            Fun::Step | Fun::Heaviside => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    0.0
                } else {
                    0.5
                }
            }
            Fun::Arcsin => x.asin(),
            Fun::Arsinh => x.asinh(),
            Fun::Lg => x.ln() / std::f64::consts::LN_10,
            // acot(x) = pi/2 - atan(x) above 0 and -pi/2 - atan(x) below (odd, jumps at
            // 0); atan(1/x) far out, where the difference would cancel.
            Fun::Acot => {
                if x.abs() > 1.0 {
                    (1.0 / x).atan()
                } else if x >= 0.0 {
                    FRAC_PI_2 - x.atan()
                } else {
                    -FRAC_PI_2 - x.atan()
                }
            }
            // asec(x) = atan(sqrt(x^2 - 1)) for x >= 1, pi minus that for x <= -1.
            Fun::Asec | Fun::Acsc if x.abs() < 1.0 => f64::NAN,
            Fun::Asec => {
                let t = (x * x - 1.0).sqrt().atan();
                if x > 0.0 { t } else { PI - t }
            }
            // asin(1/x): `x*x - 1` overflows for `3^exp(6)`, whose acsc is 3e-193.
            Fun::Acsc => (1.0 / x).asin(),
            Fun::Sech => 1.0 / x.cosh(),
            Fun::Csch => 1.0 / x.sinh(),
            Fun::Coth => 1.0 / x.tanh(),
            Fun::Asech if x > 0.0 && x <= 1.0 => ((1.0 + (1.0 - x * x).sqrt()) / x).ln(),
            Fun::Asech => f64::NAN,
            // ln(t + sqrt(t^2 + 1)) for t = 1/|x|, without cancellation for small t.
            Fun::Acsch => {
                let t = 1.0 / x.abs();
                (t + t * t / ((t * t + 1.0).sqrt() + 1.0))
                    .ln_1p()
                    .copysign(x)
            }
            Fun::Acoth | Fun::Arccoth if x.abs() > 1.0 => 0.5 * (2.0 / (x - 1.0)).ln_1p(),
            Fun::Acoth | Fun::Arccoth => f64::NAN,
            Fun::Erfc => 1.0 - erf_by_quadrature(x),
            Fun::Expm1 => x.exp_m1(),
            Fun::Log1p => x.ln_1p(),
            Fun::Gelu => x * (1.0 + erf_by_quadrature(x / 2f64.sqrt())) / 2.0,
            Fun::Silu => x / (1.0 + (-x).exp()),
            Fun::Elu => {
                if x > 0.0 {
                    x
                } else {
                    x.exp_m1()
                }
            }
        }
    }
}

/// The functions of several arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Multi {
    Atan2,
    LogBase,
    Hypot,
    Min,
    Max,
    LogSumExp,
    LeakyRelu,
}

impl Multi {
    pub const ALL: [Multi; 7] = [
        Multi::Atan2,
        Multi::LogBase,
        Multi::Hypot,
        Multi::Min,
        Multi::Max,
        Multi::LogSumExp,
        Multi::LeakyRelu,
    ];

    fn name(self) -> &'static str {
        match self {
            Multi::Atan2 => "atan2",
            Multi::LogBase => "log",
            Multi::Hypot => "hypot",
            Multi::Min => "min",
            Multi::Max => "max",
            Multi::LogSumExp => "logsumexp",
            Multi::LeakyRelu => "leaky_relu",
        }
    }

    /// Whether the function takes any number of arguments (from 2).
    pub fn variadic(self) -> bool {
        matches!(
            self,
            Multi::Hypot | Multi::Min | Multi::Max | Multi::LogSumExp
        )
    }

    /// The real value, written independently of the library; NaN outside the domain.
    fn apply(self, v: &[f64]) -> f64 {
        match self {
            Multi::Atan2 => {
                let (y, x) = (v[0], v[1]);
                if y == 0.0 && x == 0.0 {
                    f64::NAN
                } else if x > 0.0 {
                    (y / x).atan()
                } else if x == 0.0 {
                    FRAC_PI_2.copysign(y)
                } else if y >= 0.0 {
                    (y / x).atan() + PI
                } else {
                    (y / x).atan() - PI
                }
            }
            Multi::LogBase => v[0].ln() / v[1].ln(),
            Multi::Hypot => v.iter().map(|a| a * a).sum::<f64>().sqrt(),
            Multi::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
            Multi::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Multi::LogSumExp => {
                // top + ln(1 + the sum of exp(a - top) over the others).
                let (k, top) =
                    v.iter()
                        .copied()
                        .enumerate()
                        .fold((0, f64::NEG_INFINITY), |best, (k, a)| {
                            if a > best.1 { (k, a) } else { best }
                        });
                let rest: f64 = v
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != k)
                    .map(|(_, a)| (a - top).exp())
                    .sum();
                top + rest.ln_1p()
            }
            Multi::LeakyRelu => {
                if v[0] > 0.0 {
                    v[0]
                } else {
                    v[1] * v[0]
                }
            }
        }
    }
}

/// `erf(x)` by composite Simpson quadrature of `2/sqrt(pi) * exp(-t^2)` (error < 1e-11),
/// deliberately a different method from the library's series and continued fraction.
pub fn erf_by_quadrature(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let a = x.abs().min(7.0);
    let n = ((a * 600.0).ceil() as usize).max(16) & !1;
    let h = a / n as f64;
    let f = |t: f64| (-t * t).exp();
    let mut sum = f(0.0) + f(a);
    for i in 1..n {
        let weight = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += weight * f(i as f64 * h);
    }
    let value = sum * h / 3.0 * std::f64::consts::FRAC_2_SQRT_PI;
    value.copysign(x)
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A random expression: written out by [`Tree::text`], valued by [`raw_eval`].
#[derive(Clone, Debug)]
pub enum Tree {
    Var(usize),
    Int(u32),
    /// A decimal literal given in hundredths: `Decimal(275)` is `2.75`.
    Decimal(u32),
    /// `(p/q)`.
    Ratio(u32, u32),
    Pi,
    E,
    Neg(Box<Tree>),
    Bin(Op, Box<Tree>, Box<Tree>),
    Pow(Box<Tree>, Box<Tree>),
    Call(Fun, Box<Tree>),
    /// A built-in function of several arguments.
    Multi(Multi, Vec<Tree>),
    /// An unknown function (only in the printing tests, where values do not matter):
    /// `f(u)` with `primes` primes, or `g(u, v)` differentiated in the listed arguments.
    Unknown(Unknown),
}

/// An unknown function applied: `f` of one argument or `g` of two.
#[derive(Clone, Debug)]
pub enum Unknown {
    F {
        primes: usize,
        arg: Box<Tree>,
    },
    G {
        indices: Vec<u8>,
        args: Box<(Tree, Tree)>,
    },
}

impl Tree {
    /// Fully parenthesized text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Tree::Var(i) => out.push_str(VARS[*i]),
            Tree::Int(n) => write!(out, "{n}").unwrap(),
            Tree::Decimal(h) => {
                if h % 10 == 0 {
                    write!(out, "{}.{}", h / 100, (h % 100) / 10).unwrap()
                } else {
                    write!(out, "{}.{:02}", h / 100, h % 100).unwrap()
                }
            }
            Tree::Ratio(p, q) => write!(out, "({p}/{q})").unwrap(),
            Tree::Pi => out.push_str("pi"),
            Tree::E => out.push('e'),
            Tree::Neg(a) => {
                out.push_str("(-");
                a.write(out);
                out.push(')');
            }
            Tree::Bin(op, a, b) => {
                out.push('(');
                a.write(out);
                out.push_str(match op {
                    Op::Add => " + ",
                    Op::Sub => " - ",
                    Op::Mul => "*",
                    Op::Div => "/",
                });
                b.write(out);
                out.push(')');
            }
            Tree::Pow(a, b) => {
                out.push('(');
                a.write(out);
                out.push('^');
                b.write(out);
                out.push(')');
            }
            Tree::Call(f, a) => {
                out.push_str(f.name());
                out.push('(');
                a.write(out);
                out.push(')');
            }
            Tree::Multi(m, args) => {
                out.push_str(m.name());
                out.push('(');
                for (k, arg) in args.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    arg.write(out);
                }
                out.push(')');
            }
            Tree::Unknown(Unknown::F { primes, arg }) => {
                out.push('f');
                out.push_str(&"'".repeat(*primes));
                out.push('(');
                arg.write(out);
                out.push(')');
            }
            Tree::Unknown(Unknown::G { indices, args }) => {
                if indices.is_empty() {
                    out.push('g');
                } else {
                    let list: Vec<String> = indices.iter().map(u8::to_string).collect();
                    write!(out, "D[{}](g)", list.join(",")).unwrap();
                }
                out.push('(');
                args.0.write(out);
                out.push_str(", ");
                args.1.write(out);
                out.push(')');
            }
        }
    }

    /// The exact value of a numeric literal (possibly negated) as `(numer, denom)`.
    fn as_rational(&self) -> Option<(i64, i64)> {
        let reduce = |p: i64, q: i64| {
            let g = gcd(p.unsigned_abs(), q.unsigned_abs()).max(1) as i64;
            (p / g, q / g)
        };
        match self {
            Tree::Int(n) => Some((i64::from(*n), 1)),
            Tree::Decimal(h) => Some(reduce(i64::from(*h), 100)),
            Tree::Ratio(p, q) => Some(reduce(i64::from(*p), i64::from(*q))),
            Tree::Neg(a) => a.as_rational().map(|(p, q)| (-p, q)),
            _ => None,
        }
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

// ---------------------------------------------------------------------------------------
// Independent evaluation with a running error bound
// ---------------------------------------------------------------------------------------

/// A value and a bound on its absolute rounding error (infinite when the value is not
/// trustworthy: a neighbouring input leaves the domain or overflows).
#[derive(Clone, Copy, Debug)]
pub struct Approx {
    pub value: f64,
    pub error: f64,
}

const ULP: f64 = f64::EPSILON;

impl Approx {
    fn exact(value: f64) -> Approx {
        Approx { value, error: 0.0 }
    }

    fn rounded(value: f64) -> Approx {
        Approx {
            value,
            error: value.abs() * ULP,
        }
    }

    /// Whether the value is worth comparing with: finite, and known to better than its
    /// own size (a bound wider than the value hides a pole or a sign change between the
    /// corners that `propagate` evaluates, as `1/cbrt(gelu(-11.9))` showed).
    pub fn reliable(&self) -> bool {
        self.value.is_finite()
            && self.error.is_finite()
            && (self.error <= self.value.abs() || self.error < 1e-9)
    }
}

/// Applies `f` and bounds the propagated error by evaluating at the corners of the input
/// intervals, plus a few ulps of rounding in `f` itself.
fn propagate(inputs: &[Approx], f: impl Fn(&[f64]) -> f64) -> Approx {
    let centre: Vec<f64> = inputs.iter().map(|a| a.value).collect();
    let value = f(&centre);
    let mut error: f64 = 0.0;
    for corner in 0..(1usize << inputs.len()) {
        let point: Vec<f64> = inputs
            .iter()
            .enumerate()
            .map(|(k, a)| {
                if corner >> k & 1 == 1 {
                    a.value + a.error
                } else {
                    a.value - a.error
                }
            })
            .collect();
        let shifted = f(&point);
        let distance = (shifted - value).abs();
        if !distance.is_finite() {
            error = f64::INFINITY;
        } else {
            error = error.max(distance);
        }
    }
    if inputs.iter().any(|a| !a.error.is_finite()) || !value.is_finite() {
        error = f64::INFINITY;
    }
    Approx {
        value,
        error: error + 4.0 * ULP * value.abs(),
    }
}

/// `b^e` on the reals: integer exponents for any base, odd roots of negative bases are
/// real, everything else needs `b >= 0`.
pub fn real_pow(b: f64, e: f64, exact: Option<(i64, i64)>) -> f64 {
    match exact {
        Some((p, 1)) => b.powi(p as i32),
        Some((p, q)) if b < 0.0 && q % 2 == 1 => {
            let magnitude = (-b).powf(p as f64 / q as f64);
            if p % 2 != 0 { -magnitude } else { magnitude }
        }
        _ if b < 0.0 => f64::NAN,
        _ => b.powf(e),
    }
}

/// `value`, made unreliable when it is 0 although the operation cannot be (`nonzero`: a
/// power of a nonzero base, a product or quotient of nonzero values): it underflowed, and
/// its true value (`(1/2)^1836` is 1e-553, `(1/2)^918` is 5e-277) is unknown.
fn unless_underflowed(value: Approx, nonzero: bool) -> Approx {
    if value.value == 0.0 && nonzero {
        Approx {
            value: 0.0,
            error: f64::INFINITY,
        }
    } else {
        value
    }
}

/// The value of `tree` at `point` (the values of [`VARS`]), with its error bound.
pub fn raw_eval(tree: &Tree, point: &[f64; 3]) -> Approx {
    match tree {
        Tree::Var(i) => Approx::exact(point[*i]),
        Tree::Int(n) => Approx::exact(f64::from(*n)),
        Tree::Decimal(h) => Approx::rounded(f64::from(*h) / 100.0),
        Tree::Ratio(p, q) => Approx::rounded(f64::from(*p) / f64::from(*q)),
        Tree::Pi => Approx::rounded(std::f64::consts::PI),
        Tree::E => Approx::rounded(std::f64::consts::E),
        Tree::Neg(a) => {
            let a = raw_eval(a, point);
            Approx {
                value: -a.value,
                error: a.error,
            }
        }
        Tree::Bin(op, a, b) => {
            let (a, b) = (raw_eval(a, point), raw_eval(b, point));
            let value = propagate(&[a, b], |v| match op {
                Op::Add => v[0] + v[1],
                Op::Sub => v[0] - v[1],
                Op::Mul => v[0] * v[1],
                Op::Div => v[0] / v[1],
            });
            match op {
                Op::Mul | Op::Div => unless_underflowed(value, a.value != 0.0 && b.value != 0.0),
                Op::Add | Op::Sub => value,
            }
        }
        Tree::Pow(a, b) => {
            let base = raw_eval(a, point);
            let value = match b.as_rational() {
                // The exponent is exact: only the base carries an error.
                Some((p, q)) => propagate(&[base], |v| {
                    real_pow(v[0], p as f64 / q as f64, Some((p, q)))
                }),
                None => {
                    let exp = raw_eval(b, point);
                    propagate(&[base, exp], |v| real_pow(v[0], v[1], None))
                }
            };
            unless_underflowed(value, base.value != 0.0)
        }
        Tree::Call(f, a) => {
            let a = raw_eval(a, point);
            let mut value = propagate(&[a], |v| f.apply(v[0]));
            if matches!(f, Fun::Erf | Fun::Erfc | Fun::Gelu) {
                // The quadrature is accurate to about 1e-13, not to a few ulps; gelu
                // multiplies that by its argument.
                value.error += 1e-12 * a.value.abs().max(1.0);
            }
            let periodic = matches!(
                f,
                Fun::Sin | Fun::Cos | Fun::Tan | Fun::Sec | Fun::Csc | Fun::Cot
            );
            if periodic && a.error >= 1.0 {
                // An argument known only to within a radian (`sin((x*z)^72)`, about
                // `sin(1e25)`) leaves the value anywhere in the period.
                value.error = f64::INFINITY;
            }
            value
        }
        Tree::Multi(m, args) => {
            let args: Vec<Approx> = args.iter().map(|a| raw_eval(a, point)).collect();
            propagate(&args, |v| m.apply(v))
        }
        Tree::Unknown(_) => Approx {
            value: f64::NAN,
            error: f64::INFINITY,
        },
    }
}
