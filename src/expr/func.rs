//! The built-in functions of one argument: names, aliases, parity and numeric values.

/// A built-in function. `sqrt` and `cbrt` are not here: they are powers `u^(1/2)` and
/// `u^(1/3)`, and `log` is another name for [`Func::Ln`]. The inverse functions of one
/// over a function are those of the reciprocal: `acot(u)` is `atan(1/u)` (and `pi/2` at
/// 0), `asec(u)` is `acos(1/u)`, `acsc(u)` is `asin(1/u)`, and the same for the
/// hyperbolic ones. Functions of several arguments are in [`crate::expr::Multi`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
#[allow(missing_docs, reason = "each variant is the function of the same name")]
pub enum Func {
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
    Log10,
    Log2,
    Abs,
    Sign,
    Erf,
    Sigmoid,
    Softplus,
    Relu,
    /// The Heaviside step: 0 below zero, 1 above, 1/2 at zero.
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
    /// The complementary error function `1 - erf(u)`.
    Erfc,
    /// `exp(u) - 1`, accurate near 0.
    Expm1,
    /// `ln(1 + u)`, accurate near 0.
    Log1p,
    /// The Gaussian error linear unit `u*(1 + erf(u/sqrt(2)))/2`.
    Gelu,
    /// The sigmoid linear unit `u*sigmoid(u)`.
    Silu,
    /// The exponential linear unit: `u` above 0, `exp(u) - 1` below (alpha = 1).
    Elu,
}

/// Other spellings of built-in functions, read as the function and printed in its name.
pub const ALIASES: [(&str, Func); 21] = [
    ("log", Func::Ln),
    ("lg", Func::Log10),
    ("heaviside", Func::Step),
    ("arcsin", Func::Asin),
    ("arccos", Func::Acos),
    ("arctan", Func::Atan),
    ("arcsec", Func::Asec),
    ("arccsc", Func::Acsc),
    ("arccot", Func::Acot),
    ("arsinh", Func::Asinh),
    ("arcsinh", Func::Asinh),
    ("arcosh", Func::Acosh),
    ("arccosh", Func::Acosh),
    ("artanh", Func::Atanh),
    ("arctanh", Func::Atanh),
    ("arsech", Func::Asech),
    ("arcsech", Func::Asech),
    ("arcsch", Func::Acsch),
    ("arccsch", Func::Acsch),
    ("arcoth", Func::Acoth),
    ("arccoth", Func::Acoth),
];

/// Whether `name` is the name of a built-in function (of one argument or several, or an
/// alias), which cannot be a variable or an unknown function.
pub fn is_builtin_name(name: &str) -> bool {
    // Every built-in name has at least two characters, and most variables one.
    let mut chars = name.chars();
    if chars.next().is_some() && chars.next().is_none() {
        return false;
    }
    Func::from_name(name).is_some()
        || crate::expr::multi::Multi::from_name(name).is_some()
        || matches!(name, "sqrt" | "cbrt" | "diff")
}

/// Every built-in function's name as printed: the functions of one argument, of several,
/// and the powers and derivative written as calls (`sqrt`, `cbrt`, `diff`).
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    Func::ALL
        .iter()
        .map(|f| f.name())
        .chain(crate::expr::multi::Multi::ALL.iter().map(|m| m.name()))
        .chain(["sqrt", "cbrt", "diff"])
}

/// How a function treats a negated argument.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Parity {
    /// `f(-u) = -f(u)`.
    Odd,
    /// `f(-u) = f(u)`.
    Even,
    /// Neither.
    None,
}

impl Func {
    /// Every built-in function, in a fixed order.
    pub const ALL: [Func; 41] = [
        Func::Sin,
        Func::Cos,
        Func::Tan,
        Func::Sec,
        Func::Csc,
        Func::Cot,
        Func::Asin,
        Func::Acos,
        Func::Atan,
        Func::Sinh,
        Func::Cosh,
        Func::Tanh,
        Func::Asinh,
        Func::Acosh,
        Func::Atanh,
        Func::Exp,
        Func::Ln,
        Func::Log10,
        Func::Log2,
        Func::Abs,
        Func::Sign,
        Func::Erf,
        Func::Sigmoid,
        Func::Softplus,
        Func::Relu,
        Func::Step,
        Func::Acot,
        Func::Asec,
        Func::Acsc,
        Func::Sech,
        Func::Csch,
        Func::Coth,
        Func::Asech,
        Func::Acsch,
        Func::Acoth,
        Func::Erfc,
        Func::Expm1,
        Func::Log1p,
        Func::Gelu,
        Func::Silu,
        Func::Elu,
    ];

    /// The name the function is printed with.
    pub fn name(self) -> &'static str {
        match self {
            Func::Sin => "sin",
            Func::Cos => "cos",
            Func::Tan => "tan",
            Func::Sec => "sec",
            Func::Csc => "csc",
            Func::Cot => "cot",
            Func::Asin => "asin",
            Func::Acos => "acos",
            Func::Atan => "atan",
            Func::Sinh => "sinh",
            Func::Cosh => "cosh",
            Func::Tanh => "tanh",
            Func::Asinh => "asinh",
            Func::Acosh => "acosh",
            Func::Atanh => "atanh",
            Func::Exp => "exp",
            Func::Ln => "ln",
            Func::Log10 => "log10",
            Func::Log2 => "log2",
            Func::Abs => "abs",
            Func::Sign => "sign",
            Func::Erf => "erf",
            Func::Sigmoid => "sigmoid",
            Func::Softplus => "softplus",
            Func::Relu => "relu",
            Func::Step => "step",
            Func::Acot => "acot",
            Func::Asec => "asec",
            Func::Acsc => "acsc",
            Func::Sech => "sech",
            Func::Csch => "csch",
            Func::Coth => "coth",
            Func::Asech => "asech",
            Func::Acsch => "acsch",
            Func::Acoth => "acoth",
            Func::Erfc => "erfc",
            Func::Expm1 => "expm1",
            Func::Log1p => "log1p",
            Func::Gelu => "gelu",
            Func::Silu => "silu",
            Func::Elu => "elu",
        }
    }

    /// The function written `name`, or one of its [`ALIASES`] (`log` is `ln`, `arcsin`
    /// is `asin`).
    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .or_else(|| {
                ALIASES
                    .iter()
                    .find(|(alias, _)| *alias == name)
                    .map(|&(_, f)| f)
            })
    }

    /// Whether `f(-u)` is `-f(u)`, `f(u)` or neither.
    pub fn parity(self) -> Parity {
        match self {
            Func::Sin
            | Func::Tan
            | Func::Csc
            | Func::Cot
            | Func::Asin
            | Func::Atan
            | Func::Sinh
            | Func::Tanh
            | Func::Asinh
            | Func::Atanh
            | Func::Sign
            | Func::Erf
            | Func::Acsc
            | Func::Csch
            | Func::Coth
            | Func::Acsch
            | Func::Acoth => Parity::Odd,
            Func::Cos | Func::Sec | Func::Cosh | Func::Abs | Func::Sech => Parity::Even,
            // acot(-u) = -acot(u) everywhere but at 0, where acot is pi/2.
            _ => Parity::None,
        }
    }

    /// The function's value at `x` in floating point; NaN outside the real domain.
    pub fn eval(self, x: f64) -> f64 {
        match self {
            Func::Sin => x.sin(),
            Func::Cos => x.cos(),
            Func::Tan => x.tan(),
            Func::Sec => 1.0 / x.cos(),
            Func::Csc => 1.0 / x.sin(),
            Func::Cot => 1.0 / x.tan(),
            Func::Asin => x.asin(),
            Func::Acos => x.acos(),
            Func::Atan => x.atan(),
            Func::Sinh => x.sinh(),
            Func::Cosh => x.cosh(),
            Func::Tanh => x.tanh(),
            Func::Asinh => x.asinh(),
            Func::Acosh => x.acosh(),
            Func::Atanh => x.atanh(),
            Func::Exp => x.exp(),
            Func::Ln => x.ln(),
            Func::Log10 => x.log10(),
            Func::Log2 => x.log2(),
            Func::Abs => x.abs(),
            Func::Sign => {
                if x == 0.0 {
                    0.0
                } else {
                    x.signum()
                }
            }
            Func::Erf => erf(x),
            Func::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Func::Softplus => x.max(0.0) + (-x.abs()).exp().ln_1p(),
            Func::Relu => x.max(0.0),
            Func::Step => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    0.0
                } else {
                    0.5
                }
            }
            Func::Acot => {
                if x == 0.0 {
                    std::f64::consts::FRAC_PI_2
                } else {
                    (1.0 / x).atan()
                }
            }
            Func::Asec => (1.0 / x).acos(),
            Func::Acsc => (1.0 / x).asin(),
            Func::Sech => 1.0 / x.cosh(),
            Func::Csch => 1.0 / x.sinh(),
            Func::Coth => 1.0 / x.tanh(),
            Func::Asech => (1.0 / x).acosh(),
            Func::Acsch => (1.0 / x).asinh(),
            Func::Acoth => (1.0 / x).atanh(),
            Func::Erfc => erfc(x),
            Func::Expm1 => x.exp_m1(),
            Func::Log1p => x.ln_1p(),
            Func::Gelu => 0.5 * x * erfc(-x * std::f64::consts::FRAC_1_SQRT_2),
            Func::Silu => x / (1.0 + (-x).exp()),
            Func::Elu => {
                if x > 0.0 {
                    x
                } else {
                    x.exp_m1()
                }
            }
        }
    }
}

/// The larger (`max`) or smaller of `a` and `b`; NaN when either is.
pub fn extremum(max: bool, a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if max {
        a.max(b)
    } else {
        a.min(b)
    }
}

/// `ln(exp(a) + exp(b))` without overflow: the larger plus `ln(1 + exp(-|a - b|))`.
pub fn logsumexp(a: f64, b: f64) -> f64 {
    if a == b {
        // Also for two equal infinities, whose difference is NaN.
        a + std::f64::consts::LN_2
    } else {
        a.max(b) + (-(a - b).abs()).exp().ln_1p()
    }
}

/// The real two-argument arctangent: the angle of the point `(x, y)`, in `(-pi, pi]`;
/// NaN at the origin, where it is undefined.
pub fn atan2(y: f64, x: f64) -> f64 {
    if y == 0.0 && x == 0.0 {
        f64::NAN
    } else if y == 0.0 && x < 0.0 {
        // (-pi, pi]: the negative x axis is pi, whatever the sign of a zero y.
        std::f64::consts::PI
    } else {
        y.atan2(x)
    }
}

/// The error function, accurate to about 1e-15 (series near zero, continued fraction
/// for the complement further out).
fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let ax = x.abs();
    let value = if ax < 2.5 {
        // Maclaurin series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
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
        1.0 - erfc_tail(ax)
    };
    value.copysign(x)
}

/// `erfc(x)` for `x >= 2.5`: the continued fraction, evaluated bottom-up (Lentz is not
/// needed here), accurate relatively however small the value.
fn erfc_tail(x: f64) -> f64 {
    let mut fraction = 0.0;
    for k in (1..60).rev() {
        fraction = (k as f64 / 2.0) / (x + fraction);
    }
    (-x * x).exp() / (x + fraction) / std::f64::consts::PI.sqrt()
}

/// The complementary error function `1 - erf(x)`, relatively accurate for large `x`.
fn erfc(x: f64) -> f64 {
    if x >= 2.5 {
        erfc_tail(x)
    } else if x <= -2.5 {
        2.0 - erfc_tail(-x)
    } else {
        1.0 - erf(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Func::ALL {
            assert_eq!(Func::from_name(f.name()), Some(f));
        }
        assert_eq!(Func::from_name("log"), Some(Func::Ln));
        assert_eq!(Func::from_name("sqrt"), None);
        for (alias, f) in ALIASES {
            assert_eq!(Func::from_name(alias), Some(f));
            assert!(is_builtin_name(alias));
        }
        // Including those of several arguments: none is a single character, which
        // `is_builtin_name` answers without looking.
        for name in builtin_names() {
            assert!(is_builtin_name(name), "{name}");
        }
    }

    #[test]
    fn erf_matches_known_values() {
        assert!((erf(0.5) - 0.520_499_877_813_046_5).abs() < 1e-14);
        assert!((erf(3.0) - 0.999_977_909_503_001_4).abs() < 1e-14);
        assert!((erf(-1.0) + 0.842_700_792_949_714_9).abs() < 1e-14);
        // The complement keeps its relative accuracy far out.
        assert!((erfc(5.0) / 1.537_459_794_428_034_8e-12 - 1.0).abs() < 1e-13);
        assert!((erfc(-1.0) - 1.842_700_792_949_715).abs() < 1e-14);
    }

    #[test]
    fn new_functions_match_known_values() {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-14 * b.abs().max(1.0);
        let pi = std::f64::consts::PI;
        assert!(close(Func::Acot.eval(1.0), pi / 4.0));
        assert!(close(Func::Acot.eval(-1.0), -pi / 4.0));
        assert!(close(Func::Acot.eval(0.0), pi / 2.0));
        assert!(close(Func::Asec.eval(2.0), pi / 3.0));
        assert!(close(Func::Asec.eval(-1.0), pi));
        assert!(Func::Asec.eval(0.5).is_nan());
        assert!(close(Func::Acsc.eval(2.0), pi / 6.0));
        assert!(close(Func::Sech.eval(0.0), 1.0));
        assert!(close(Func::Coth.eval(1.0), 1.0f64.cosh() / 1.0f64.sinh()));
        assert!(close(Func::Csch.eval(1.0), 1.0 / 1.0f64.sinh()));
        assert!(close(Func::Asech.eval(0.5), 2.0f64.acosh()));
        assert!(close(Func::Acsch.eval(0.5), 2.0f64.asinh()));
        assert!(close(Func::Acoth.eval(2.0), 0.5f64.atanh()));
        assert!(Func::Acoth.eval(0.5).is_nan());
        assert!(close(Func::Expm1.eval(1e-10), 1.000_000_000_05e-10));
        assert!(close(Func::Log1p.eval(1e-10), 9.999_999_999_5e-11));
        assert!(close(Func::Gelu.eval(1.0), 0.841_344_746_068_542_9));
        assert!(close(Func::Silu.eval(1.0), 0.731_058_578_630_004_9));
        assert!(close(Func::Elu.eval(-1.0), (-1.0f64).exp() - 1.0));
        assert!(close(Func::Elu.eval(2.0), 2.0));
        assert!(close(atan2(0.0, -1.0), pi));
        assert!(close(atan2(-0.0, -1.0), pi));
        assert!(close(atan2(-1.0, -1.0), -3.0 * pi / 4.0));
        assert!(atan2(0.0, 0.0).is_nan());
        assert!(close(
            logsumexp(1000.0, 1000.0),
            1000.0 + std::f64::consts::LN_2
        ));
        assert!(close(
            logsumexp(-1.0, 2.0),
            ((-1.0f64).exp() + 2.0f64.exp()).ln()
        ));
        assert_eq!(logsumexp(f64::NEG_INFINITY, 3.0), 3.0);
        assert!(logsumexp(f64::NAN, 3.0).is_nan());
    }
}
