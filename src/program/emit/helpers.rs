//! The helper functions the generated code may define (`deriv_sign`, `deriv_pow`, …),
//! in each language: a table of their names, sources and dependencies.

use super::Language;

/// The helper functions the generated code may define.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Helper {
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

pub(super) const HELPERS: [Helper; 38] = [
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
    pub(super) fn name(self) -> &'static str {
        self.call().trim_end_matches('(')
    }

    /// The opening of a call of the helper: its name and `(`.
    pub(super) fn call(self) -> &'static str {
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
    pub(super) fn needs(self, lang: Language) -> &'static [Helper] {
        match (lang, self) {
            (Language::Python, Helper::RootPow) => &[Helper::Pow],
            (Language::Rust, Helper::Erfc) => &[Helper::Erf],
            (Language::Rust, Helper::Gelu) => &[Helper::Erfc, Helper::Erf],
            _ => &[],
        }
    }

    /// The definition, or `None` when the language never uses the helper.
    pub(super) fn source(self, lang: Language) -> Option<&'static str> {
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

pub(super) fn c_guard(helper: Helper) -> String {
    format!(
        "DERIV_HELPER_{}_",
        helper.name()["deriv_".len()..].to_uppercase()
    )
}
