//! Names as written in each style: Greek letters, subscripts, LaTeX function names,
//! superscript digits.

use std::fmt::{self, Write};

use crate::expr::func::Func;

use super::Style;
use super::mathml;

/// The LaTeX command of a built-in function (`\sin`, `\operatorname{asinh}`).
pub(super) fn latex_function(func: Func) -> &'static str {
    match func {
        Func::Sin => "\\sin",
        Func::Cos => "\\cos",
        Func::Tan => "\\tan",
        Func::Sec => "\\sec",
        Func::Csc => "\\csc",
        Func::Cot => "\\cot",
        Func::Asin => "\\arcsin",
        Func::Acos => "\\arccos",
        Func::Atan => "\\arctan",
        Func::Sinh => "\\sinh",
        Func::Cosh => "\\cosh",
        Func::Tanh => "\\tanh",
        Func::Asinh => "\\operatorname{asinh}",
        Func::Acosh => "\\operatorname{acosh}",
        Func::Atanh => "\\operatorname{atanh}",
        Func::Exp => "\\exp",
        Func::Ln => "\\ln",
        Func::Log10 => "\\log_{10}",
        Func::Log2 => "\\log_{2}",
        Func::Abs => "\\operatorname{abs}",
        Func::Sign => "\\operatorname{sgn}",
        Func::Erf => "\\operatorname{erf}",
        Func::Sigmoid => "\\sigma",
        Func::Softplus => "\\operatorname{softplus}",
        Func::Relu => "\\operatorname{ReLU}",
        Func::Step => "\\operatorname{step}",
        Func::Acot => "\\operatorname{arccot}",
        Func::Asec => "\\operatorname{arcsec}",
        Func::Acsc => "\\operatorname{arccsc}",
        Func::Sech => "\\operatorname{sech}",
        Func::Csch => "\\operatorname{csch}",
        Func::Coth => "\\coth",
        Func::Asech => "\\operatorname{asech}",
        Func::Acsch => "\\operatorname{acsch}",
        Func::Acoth => "\\operatorname{acoth}",
        Func::Erfc => "\\operatorname{erfc}",
        Func::Expm1 => "\\operatorname{expm1}",
        Func::Log1p => "\\operatorname{log1p}",
        Func::Gelu => "\\operatorname{GELU}",
        Func::Silu => "\\operatorname{SiLU}",
        Func::Elu => "\\operatorname{ELU}",
    }
}

/// Greek letters: the spelled-out name or the letter itself, with its LaTeX command and
/// its Unicode character.
const GREEK: [(&str, &str, &str); 40] = [
    ("alpha", "\\alpha", "α"),
    ("beta", "\\beta", "β"),
    ("gamma", "\\gamma", "γ"),
    ("delta", "\\delta", "δ"),
    ("epsilon", "\\epsilon", "ε"),
    ("zeta", "\\zeta", "ζ"),
    ("eta", "\\eta", "η"),
    ("theta", "\\theta", "θ"),
    ("iota", "\\iota", "ι"),
    ("kappa", "\\kappa", "κ"),
    ("lambda", "\\lambda", "λ"),
    ("mu", "\\mu", "μ"),
    ("nu", "\\nu", "ν"),
    ("xi", "\\xi", "ξ"),
    ("rho", "\\rho", "ρ"),
    ("sigma", "\\sigma", "σ"),
    ("tau", "\\tau", "τ"),
    ("upsilon", "\\upsilon", "υ"),
    ("phi", "\\phi", "φ"),
    ("chi", "\\chi", "χ"),
    ("psi", "\\psi", "ψ"),
    ("omega", "\\omega", "ω"),
    ("varphi", "\\varphi", "ϕ"),
    ("varepsilon", "\\varepsilon", "ϵ"),
    ("vartheta", "\\vartheta", "ϑ"),
    ("varrho", "\\varrho", "ϱ"),
    ("varsigma", "\\varsigma", "ς"),
    ("Gamma", "\\Gamma", "Γ"),
    ("Delta", "\\Delta", "Δ"),
    ("Theta", "\\Theta", "Θ"),
    ("Lambda", "\\Lambda", "Λ"),
    ("Xi", "\\Xi", "Ξ"),
    ("Pi", "\\Pi", "Π"),
    ("Sigma", "\\Sigma", "Σ"),
    ("Upsilon", "\\Upsilon", "Υ"),
    ("Phi", "\\Phi", "Φ"),
    ("Psi", "\\Psi", "Ψ"),
    ("Omega", "\\Omega", "Ω"),
    ("omicron", "o", "ο"),
    ("Omicron", "O", "Ο"),
];

/// The LaTeX command and Unicode letter of a Greek name (`theta`) or letter (`θ`).
pub(super) fn greek_letter(name: &str) -> Option<(&'static str, &'static str)> {
    GREEK
        .iter()
        .find(|(word, _, letter)| *word == name || *letter == name)
        .map(|&(_, latex, letter)| (latex, letter))
}

/// Writes a variable or function name in `style`. LaTeX: Greek letters as commands, a
/// subscript after `_` or trailing digits (`w_11` is `w_{11}`, `x1` is `x_{1}`), longer
/// names upright for functions and italic for variables. Unicode: Greek letters as
/// letters, digit subscripts after `_` as subscript digits (`w₁₁`). MathML: tokens, as
/// LaTeX writes them (`<msub><mi>w</mi><mn>11</mn></msub>`).
pub(crate) fn write_name(
    out: &mut impl Write,
    name: &str,
    style: Style,
    function: bool,
) -> fmt::Result {
    let (stem, subscript) = match name.split_once('_') {
        Some((stem, sub)) if !stem.is_empty() && !sub.is_empty() => (stem, Some(sub)),
        _ => match name.find(|c: char| c.is_ascii_digit()) {
            Some(k) if k > 0 && name[k..].chars().all(|c| c.is_ascii_digit()) => {
                (&name[..k], Some(&name[k..]))
            }
            _ => (name, None),
        },
    };
    match style {
        Style::Plain => out.write_str(name),
        Style::Unicode => {
            let stem_text = greek_letter(stem).map_or(stem, |(_, letter)| letter);
            match subscript {
                Some(sub) if name.contains('_') && sub.chars().all(|c| c.is_ascii_digit()) => {
                    out.write_str(stem_text)?;
                    for c in sub.chars() {
                        let digit = c as u32 - '0' as u32;
                        out.write_char(char::from_u32(0x2080 + digit).unwrap_or(c))?;
                    }
                    Ok(())
                }
                Some(sub) if name.contains('_') => write!(out, "{stem_text}_{}", greek_text(sub)),
                Some(sub) => write!(out, "{stem_text}{sub}"),
                None => out.write_str(stem_text),
            }
        }
        Style::MathMl => mathml::write_name(out, (stem, subscript), function),
        Style::Latex => {
            write_latex_stem(out, stem, function)?;
            if let Some(sub) = subscript {
                out.write_str("_{")?;
                write_latex_stem(out, sub, false)?;
                out.write_str("}")?;
            }
            Ok(())
        }
    }
}

fn greek_text(name: &str) -> &str {
    greek_letter(name).map_or(name, |(_, letter)| letter)
}

fn write_latex_stem(out: &mut impl Write, stem: &str, function: bool) -> fmt::Result {
    if let Some((latex, _)) = greek_letter(stem) {
        return out.write_str(latex);
    }
    let escaped = stem.replace('_', "\\_");
    if stem.chars().count() == 1 || stem.chars().all(|c| c.is_ascii_digit()) {
        out.write_str(&escaped)
    } else if function {
        write!(out, "\\operatorname{{{escaped}}}")
    } else {
        write!(out, "\\mathit{{{escaped}}}")
    }
}

/// Writes `k` in superscript digits (`²`).
pub(crate) fn write_superscript(out: &mut impl Write, k: u64) -> fmt::Result {
    for c in k.to_string().chars() {
        out.write_char(match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })?;
    }
    Ok(())
}
