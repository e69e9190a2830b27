//! The tokens of MathML Core ([`Style::MathMl`](super::Style::MathMl)): names as `<mi>`
//! with their subscripts, function names, text as `<mtext>`, decimals as `<mn>` with a
//! power of ten, and the `<math>` element around a formula.
//!
//! Only MathML Core is written: the elements Chromium and Firefox render natively, and
//! no presentation attribute that MathML Core dropped. A one-letter `<mi>` is italic and
//! a longer one upright, so a longer variable name is spelled in the mathematical italic
//! letters (`𝑟𝑎𝑡𝑒`), as LaTeX's `\mathit{rate}` shows it.

use std::fmt::{self, Write};

use crate::expr::func::Func;

use super::names::{greek_letter, latex_function};

/// A minus sign, as an operator.
pub(crate) const MINUS: &str = "<mo>−</mo>";

/// A negation: a minus sign first in an `<mrow>` (a prefix operator, spaced as LaTeX's
/// unary minus) that the negated term closes.
pub(crate) const NEGATION: &str = "<mrow><mo>−</mo>";

/// Between two factors written side by side: the invisible times.
pub(crate) const INVISIBLE_TIMES: &str = "<mo>&#x2062;</mo>";

/// The invisible times before a function's name, with LaTeX's thin space after it
/// (`2 \sin x`).
pub(super) const SPACED_TIMES: &str = r#"<mo rspace="0.1667em">&#x2062;</mo>"#;

/// After a function's name, before its argument: the function application.
pub(super) const APPLY: &str = "<mo>&#x2061;</mo>";

/// LaTeX's thin space `\,`.
pub(crate) const THIN_SPACE: &str = r#"<mspace width="0.1667em"/>"#;

/// LaTeX's `\quad`.
#[cfg(feature = "cli")]
pub(crate) const QUAD: &str = r#"<mspace width="1em"/>"#;

/// Writes `text` with `&`, `<` and `>` escaped, as XML text.
pub(crate) fn write_escaped(out: &mut impl Write, text: &str) -> fmt::Result {
    for c in text.chars() {
        match c {
            '&' => out.write_str("&amp;")?,
            '<' => out.write_str("&lt;")?,
            '>' => out.write_str("&gt;")?,
            _ => out.write_char(c)?,
        }
    }
    Ok(())
}

/// `<mtext>text</mtext>`, escaped; spaces at either end kept as no-break spaces (a
/// renderer trims ordinary ones).
pub(crate) fn mtext(text: &str) -> String {
    let mut out = String::from("<mtext>");
    let inner = text.trim_matches(' ');
    let lead = text.len() - text.trim_start_matches(' ').len();
    let trail = if inner.is_empty() {
        0
    } else {
        text.len() - text.trim_end_matches(' ').len()
    };
    out.push_str(&"&#xA0;".repeat(lead));
    let _ = write_escaped(&mut out, inner);
    out.push_str(&"&#xA0;".repeat(trail));
    out.push_str("</mtext>");
    out
}

/// `<math display="block">content</math>`, or inline `<math>content</math>`.
#[cfg(feature = "cli")]
pub(crate) fn math_element(content: &str, block: bool) -> String {
    let open = if block {
        r#"<math display="block">"#
    } else {
        "<math>"
    };
    format!("{open}{content}</math>")
}

/// Writes a name as a token: a Greek name as its letter, a subscript after `_` or trailing
/// digits (`w_11` is `w` over `11`, `x1` is `x` over `1`), a longer variable name in
/// mathematical italic letters, a longer function name upright.
pub(super) fn write_name(
    out: &mut impl Write,
    (stem, subscript): (&str, Option<&str>),
    function: bool,
) -> fmt::Result {
    if let Some(sub) = subscript {
        out.write_str("<msub>")?;
        write_token(out, stem, function)?;
        write_token(out, sub, false)?;
        return out.write_str("</msub>");
    }
    write_token(out, stem, function)
}

/// One token: digits as `<mn>`, anything else as `<mi>`.
fn write_token(out: &mut impl Write, text: &str, function: bool) -> fmt::Result {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        return write!(out, "<mn>{text}</mn>");
    }
    out.write_str("<mi>")?;
    match greek_letter(text) {
        Some((_, letter)) => out.write_str(letter)?,
        None if function || text.chars().count() == 1 => write_escaped(out, text)?,
        None => {
            for c in text.chars() {
                match c {
                    '&' | '<' | '>' => write_escaped(out, c.encode_utf8(&mut [0; 4]))?,
                    _ => out.write_char(italic(c))?,
                }
            }
        }
    }
    out.write_str("</mi>")
}

/// The mathematical italic form of an ASCII letter; any other character as it is.
fn italic(c: char) -> char {
    let code = match c {
        // The italic h is the Planck constant, outside the block.
        'h' => 0x210E,
        'a'..='z' => 0x1D44E + (c as u32 - 'a' as u32),
        'A'..='Z' => 0x1D434 + (c as u32 - 'A' as u32),
        _ => return c,
    };
    char::from_u32(code).unwrap_or(c)
}

/// The name of a built-in function as the LaTeX printer spells it, without the LaTeX:
/// `sin`, `arcsin`, `asinh`, `σ`. The logarithms to a base are [`function_base`]'s.
pub(super) fn function_name(func: Func) -> &'static str {
    match func {
        Func::Log10 | Func::Log2 => "log",
        _ => {
            let latex = latex_function(func);
            let name = latex
                .strip_prefix("\\operatorname{")
                .and_then(|rest| rest.strip_suffix('}'))
                .or_else(|| latex.strip_prefix('\\'))
                .unwrap_or(latex);
            greek_letter(name).map_or(name, |(_, letter)| letter)
        }
    }
}

/// The base a logarithm's name carries as a subscript: `log₁₀`, `log₂`.
pub(super) fn function_base(func: Func) -> Option<&'static str> {
    match func {
        Func::Log10 => Some("10"),
        Func::Log2 => Some("2"),
        _ => None,
    }
}

/// Writes a decimal's text (`-1.03e-26`, `0.92 ± 2.1e-2`) as numbers: a minus sign, a
/// power of ten for an exponent; a part that is not a number as text.
#[cfg(feature = "cli")]
pub(crate) fn write_decimal(out: &mut impl Write, text: &str) -> fmt::Result {
    for (k, part) in text.split(" ± ").enumerate() {
        if k > 0 {
            out.write_str("<mo>±</mo>")?;
        }
        let (negative, magnitude) = match part.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, part),
        };
        let (mantissa, exponent) = match magnitude.split_once('e') {
            Some((m, e)) => (m, Some(e)),
            None => (magnitude, None),
        };
        let number = |s: &str| {
            !s.is_empty()
                && s.chars().all(|c| c.is_ascii_digit() || c == '.')
                && s.chars().next().is_some_and(|c| c.is_ascii_digit())
        };
        let exponent = exponent.map(|e| match e.strip_prefix('-') {
            Some(rest) => (MINUS, rest),
            None => ("", e.strip_prefix('+').unwrap_or(e)),
        });
        let valid = number(mantissa) && exponent.is_none_or(|(_, e)| number(e));
        if !valid {
            out.write_str(&mtext(part))?;
            continue;
        }
        if negative {
            out.write_str(MINUS)?;
        }
        write!(out, "<mn>{mantissa}</mn>")?;
        if let Some((sign, e)) = exponent {
            write!(
                out,
                "<mo>×</mo><msup><mn>10</mn><mrow>{sign}<mn>{e}</mn></mrow></msup>"
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "cli")]
    #[test]
    fn decimals_as_numbers() {
        let mut out = String::new();
        write_decimal(&mut out, "-1.5e-26").unwrap();
        assert_eq!(
            out,
            "<mo>−</mo><mn>1.5</mn><mo>×</mo><msup><mn>10</mn><mrow><mo>−</mo><mn>26</mn></mrow></msup>"
        );
        out.clear();
        write_decimal(&mut out, "0.92 ± 2.1e-2").unwrap();
        assert!(out.starts_with("<mn>0.92</mn><mo>±</mo><mn>2.1</mn>"));
        out.clear();
        write_decimal(&mut out, "inf").unwrap();
        assert_eq!(out, "<mtext>inf</mtext>");
    }

    #[test]
    fn names_as_tokens() {
        let mut out = String::new();
        write_name(&mut out, ("rate", None), false).unwrap();
        assert_eq!(out, "<mi>𝑟𝑎𝑡𝑒</mi>");
        out.clear();
        write_name(&mut out, ("alpha", Some("1")), false).unwrap();
        assert_eq!(out, "<msub><mi>α</mi><mn>1</mn></msub>");
        assert_eq!(function_name(Func::Asinh), "asinh");
        assert_eq!(function_name(Func::Sigmoid), "σ");
        assert_eq!(function_name(Func::Sin), "sin");
        assert_eq!(mtext(" with "), "<mtext>&#xA0;with&#xA0;</mtext>");
    }
}
