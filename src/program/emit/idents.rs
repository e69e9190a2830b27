//! Identifiers of the generated code: names made valid identifiers of the language,
//! distinct, and clear of its keywords and of the names the generated code uses.

use std::fmt::Write;

use rustc_hash::FxHashSet;

use super::Language;
use super::helpers::{HELPERS, c_guard};

/// Identifiers of one generated function: every name made valid and unique.
pub(super) struct Idents {
    lang: Language,
    pub(super) taken: FxHashSet<String>,
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
    pub(super) fn global(lang: Language) -> Idents {
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

    pub(super) fn new(lang: Language) -> Idents {
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
    pub(super) fn fresh(&mut self, raw: &str) -> String {
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
}
