//! The built-in functions of one argument: names, parity and numeric values.

/// A built-in function. `sqrt` and `cbrt` are not here: they are powers `u^(1/2)` and
/// `u^(1/3)`, and `log` is another name for [`Func::Ln`].
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
    pub const ALL: [Func; 26] = [
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
        }
    }

    /// The function written `name` (`log` is `ln`).
    pub fn from_name(name: &str) -> Option<Func> {
        if name == "log" {
            return Some(Func::Ln);
        }
        Func::ALL.into_iter().find(|f| f.name() == name)
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
            | Func::Erf => Parity::Odd,
            Func::Cos | Func::Sec | Func::Cosh | Func::Abs => Parity::Even,
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
        }
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
        // Continued fraction for erfc, evaluated bottom-up (Lentz is not needed here).
        let mut fraction = 0.0;
        for k in (1..60).rev() {
            fraction = (k as f64 / 2.0) / (ax + fraction);
        }
        1.0 - (-ax * ax).exp() / (ax + fraction) / std::f64::consts::PI.sqrt()
    };
    value.copysign(x)
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
    }

    #[test]
    fn erf_matches_known_values() {
        assert!((erf(0.5) - 0.520_499_877_813_046_5).abs() < 1e-14);
        assert!((erf(3.0) - 0.999_977_909_503_001_4).abs() < 1e-14);
        assert!((erf(-1.0) + 0.842_700_792_949_714_9).abs() < 1e-14);
    }
}
