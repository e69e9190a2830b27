//! Names that are valid but probably not what was meant: an unknown function spelled like
//! a built-in of `deriv` or of another system (`Sin`, `ArcTan`, `asinn`, `gamma`), and a
//! variable spelled like a constant (`E`, `Pi`, `I`).
//!
//! The built-in names come from [`Func`] and [`crate::expr::multi::Multi`] (and `sqrt`, `cbrt`, `diff`), so a new
//! function or alias needs nothing here. An unknown function `name` is a near miss of the
//! built-in `b` when, in this order:
//! 1. `name` in lower case is built in (`Sin`, `SQRT`, `Log`);
//! 2. `name` in lower case with `arc` or `ar` in front shortened to `a` is built in
//!    (Mathematica's `ArcTan`, `arcsinh`, `arsinh`);
//! 3. another system spells `b` `name` ([`OTHER_SPELLINGS`]: `sgn`, `Heaviside`, `tg`);
//! 4. otherwise, when `name` is not a function that other systems have and `deriv` has not
//!    ([`ELSEWHERE`]: `gamma`, `sinc`, `factorial`, reported as such), `name` and `b` are
//!    one edit apart, ignoring case, with at least 4 letters in the shorter: a letter added
//!    or removed (`asinn`, `sigmod`) or two neighbours swapped (`sgin`); a changed letter
//!    only from 5 letters on (`sigmoit`), since `cost`, `sine` or `tanx` may well be the
//!    user's own function and not `cosh`, `sinh` or `tanh`.

use crate::error::{Span, Warning};
use crate::expr::func::{Func, builtin_names};
use crate::parse::is_function_name;

/// Other systems' names for `deriv`'s built-ins, in lower case: (theirs, `deriv`'s).
/// An entry whose `deriv` name is not built in is skipped.
pub const OTHER_SPELLINGS: &[(&str, &str)] = &[
    ("sgn", "sign"),
    ("signum", "sign"),
    ("fabs", "abs"),
    ("heaviside", "step"),
    ("heavisidetheta", "step"),
    ("unitstep", "step"),
    ("logistic", "sigmoid"),
    ("expit", "sigmoid"),
    ("tg", "tan"),
    ("ctg", "cot"),
    ("cotan", "cot"),
    ("cosec", "csc"),
    ("arctg", "atan"),
    ("arcctg", "acot"),
    ("loge", "ln"),
];

/// Functions of other systems that `deriv` does not have, in lower case.
pub const ELSEWHERE: &[&str] = &[
    "gamma",
    "lgamma",
    "loggamma",
    "digamma",
    "polygamma",
    "beta",
    "factorial",
    "fact",
    "binomial",
    "sinc",
    "zeta",
    "besselj",
    "bessely",
    "besseli",
    "besselk",
    "airyai",
    "airybi",
    "floor",
    "ceil",
    "ceiling",
    "round",
    "trunc",
    "mod",
    "frac",
    "re",
    "im",
    "conj",
    "conjugate",
    "arg",
    "lambertw",
    "productlog",
    "polylog",
    "erfi",
    "erfinv",
    "dirac",
    "diracdelta",
    "pow",
    "power",
    "exp2",
];

/// The warning for an unknown function `name` at `span`, if its name suggests a mistake.
pub fn unknown_function(name: &str, span: Span) -> Option<Warning> {
    let lower = name.to_lowercase();
    let elsewhere = ELSEWHERE.contains(&lower.as_str());
    let help = match other_spelling(name) {
        Some(builtin) => format!("did you mean `{builtin}`?"),
        None if elsewhere => match lower.as_str() {
            "pow" | "power" => "write powers with ^: x^y".to_string(),
            "exp2" => "write 2^x".to_string(),
            _ => format!(
                "other systems have `{name}`, deriv does not: to give it a formula, define it \
                 with --def '{name}(x)=...'"
            ),
        },
        None => format!("did you mean `{}`?", misspelling(name)?),
    };
    Some(Warning {
        message: format!(
            "`{name}` is not a built-in function, so it is treated as an unknown function"
        ),
        span: Some(span),
        help: Some(help),
        name: Some(name.to_string()),
    })
}

/// The warning for a variable `name` at `span` that is spelled like a constant.
pub fn constant_like_variable(name: &str, span: Span) -> Option<Warning> {
    let meant = match name {
        "E" => "Euler's number is `e`",
        "Pi" | "PI" => "the constant π is `pi`",
        "I" => "deriv works in the real numbers and has no imaginary unit",
        _ => return None,
    };
    Some(Warning {
        message: format!("`{name}` is a variable here; {meant}"),
        span: Some(span),
        help: None,
        name: Some(name.to_string()),
    })
}

/// The built-in that the unknown function `name` is another spelling of (rules 1 to 3 of
/// the module's documentation), as printed.
pub fn other_spelling(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    let shortened = ["arc", "ar"]
        .iter()
        .find_map(|prefix| lower.strip_prefix(prefix))
        .map(|rest| format!("a{rest}"));
    let other = OTHER_SPELLINGS
        .iter()
        .find(|&&(theirs, _)| theirs == lower)
        .map(|&(_, ours)| ours.to_string());
    [Some(lower.clone()), shortened, other]
        .into_iter()
        .flatten()
        .find(|candidate| candidate != name && is_function_name(candidate))
        .map(|found| printed(&found))
}

/// The built-in that the unknown function `name` is one edit away from (rule 4), as
/// printed.
pub fn misspelling(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    builtin_names()
        .find(|builtin| one_edit_apart(&lower, builtin))
        .map(printed)
}

/// The printed name of the built-in written `name` (`log` is `ln`).
fn printed(name: &str) -> String {
    Func::from_name(name).map_or_else(|| name.to_string(), |f| f.name().to_string())
}

/// Whether `a` becomes `b` by one letter added or removed or two neighbours swapped, the
/// shorter having at least 4 letters, or by one letter changed, both having at least 5.
fn one_edit_apart(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if short.len() < 4 || short == long {
        return false;
    }
    let prefix = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    match long.len() - short.len() {
        0 => {
            let swapped = prefix + 1 < short.len()
                && short[prefix] == long[prefix + 1]
                && short[prefix + 1] == long[prefix]
                && short[prefix + 2..] == long[prefix + 2..];
            let changed = short.len() >= 5 && short[prefix + 1..] == long[prefix + 1..];
            swapped || changed
        }
        1 => short[prefix..] == long[prefix + 1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_name_the_builtin() {
        let cases = [
            ("Sin", Some("sin")),
            ("Abs", Some("abs")),
            ("Exp", Some("exp")),
            ("Sqrt", Some("sqrt")),
            ("Log", Some("ln")),
            ("ArcTan", Some("atan")),
            ("arcsinh", Some("asinh")),
            ("arsinh", Some("asinh")),
            ("asinn", Some("asin")),
            ("sgin", Some("sign")),
            ("sigmoit", Some("sigmoid")),
            ("Heaviside", Some("step")),
            ("sgn", Some("sign")),
            ("cost", None),
            ("sine", None),
            ("sinc", None),
            ("f", None),
            ("gamma", None),
            ("loss", None),
        ];
        for (name, expected) in cases {
            let found = other_spelling(name).or_else(|| misspelling(name));
            assert_eq!(found.as_deref(), expected, "{name}");
        }
    }

    #[test]
    fn one_edit_is_one_letter_or_one_swap() {
        assert!(one_edit_apart("asinn", "asin"));
        assert!(one_edit_apart("asni", "asin"));
        assert!(one_edit_apart("softplas", "softplus"));
        assert!(!one_edit_apart("acos", "acot"));
        assert!(!one_edit_apart("asin", "asin"));
        assert!(!one_edit_apart("sani", "asin"));
        assert!(!one_edit_apart("asinnn", "asin"));
        assert!(!one_edit_apart("sinn", "sin"));
    }

    #[test]
    fn other_systems_functions_are_named() {
        let span = Span::new(0, 5);
        let gamma = unknown_function("gamma", span).map(|w| w.message);
        assert_eq!(
            gamma.as_deref(),
            Some("`gamma` is not a built-in function, so it is treated as an unknown function")
        );
        assert_eq!(unknown_function("phi", span), None);
        assert_eq!(
            unknown_function("sinc", span).map(|w| w.name),
            Some(Some("sinc".into()))
        );
        assert_eq!(constant_like_variable("x", span), None);
        assert!(constant_like_variable("E", span).is_some());
    }
}
