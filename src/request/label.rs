//! The text of a result's label in each style: `diff(f, x)`, `∂f/∂x`,
//! `\frac{\partial f}{\partial x}`, MathML, and the prime notation where it applies. The
//! request words its errors with it; the output writes it before each value.

use crate::print::{
    INVISIBLE_TIMES, Notation, Style, THIN_SPACE, mtext, write_name, write_superscript,
};
use crate::request::Label;

/// The plain label of a result, as used in error messages.
pub fn plain_label(label: &Label) -> String {
    label_text(label, Style::Plain, Notation::Leibniz)
}

/// A name as `style` writes it (Greek letters, subscripts).
pub(crate) fn name(text: &str, style: Style) -> String {
    let mut out = String::new();
    let _ = write_name(&mut out, text, style, false);
    out
}

/// `f'`, `f''`: the prime form when `vars` repeat one variable up to three times.
fn primes(of: &str, vars: &[String], style: Style, notation: Notation) -> Option<String> {
    let same = vars.windows(2).all(|w| w[0] == w[1]);
    if notation != Notation::Prime || !same || vars.is_empty() || vars.len() > 3 {
        return None;
    }
    if style == Style::MathMl {
        let primes = ["′", "″", "‴"][vars.len() - 1];
        return Some(format!("<msup>{}<mo>{primes}</mo></msup>", name(of, style)));
    }
    let prime = if style == Style::Unicode { "′" } else { "'" };
    Some(format!("{}{}", name(of, style), prime.repeat(vars.len())))
}

/// `x²y` / `x^{2} y`: the variables of a derivative's denominator, repeats as powers.
fn grouped(vars: &[String]) -> Vec<(&str, usize)> {
    let mut groups: Vec<(&str, usize)> = Vec::new();
    for v in vars {
        match groups.last_mut() {
            Some((last, count)) if *last == v.as_str() => *count += 1,
            _ => groups.push((v, 1)),
        }
    }
    groups
}

/// `k` in superscript digits (`²`), as the printer writes exponents.
fn superscript(k: usize) -> String {
    let mut out = String::new();
    let _ = write_superscript(&mut out, k as u64);
    out
}

/// A derivative `d^n of / d vars` in `style`; `d` is `∂` or `d` (or `\partial`, `d`).
fn leibniz(of: &str, vars: &[String], total: bool, style: Style) -> String {
    let n = vars.len();
    match style {
        Style::Plain => {
            if total && n == 1 {
                format!("d{of}/d{}", vars[0])
            } else {
                format!("diff({of}, {})", vars.join(", "))
            }
        }
        Style::Unicode => {
            let d = if total { "d" } else { "∂" };
            let power = if n > 1 { superscript(n) } else { String::new() };
            let mut text = format!("{d}{power}{of}/");
            for (v, k) in grouped(vars) {
                text.push_str(d);
                text.push_str(&name(v, style));
                if k > 1 {
                    text.push_str(&superscript(k));
                }
            }
            text
        }
        Style::MathMl => {
            let d = if total { "<mi>d</mi>" } else { "<mi>∂</mi>" };
            let top = if n > 1 {
                format!("<msup>{d}<mn>{n}</mn></msup>")
            } else {
                d.to_string()
            };
            let numerator = if of.is_empty() {
                top
            } else {
                format!("<mrow>{top}{of}</mrow>")
            };
            let denominator: Vec<String> = grouped(vars)
                .into_iter()
                .map(|(v, k)| match k {
                    1 => format!("{d}{}", name(v, style)),
                    _ => format!("{d}<msup>{}<mn>{k}</mn></msup>", name(v, style)),
                })
                .collect();
            format!(
                "<mfrac>{numerator}<mrow>{}</mrow></mfrac>",
                denominator.join(THIN_SPACE)
            )
        }
        Style::Latex => {
            let d = if total { "d" } else { "\\partial " };
            let power = if n > 1 {
                format!("^{{{n}}}")
            } else {
                String::new()
            };
            let space = if total || of.is_empty() { "" } else { " " };
            let mut denominator = Vec::new();
            for (v, k) in grouped(vars) {
                let power = if k > 1 {
                    format!("^{{{k}}}")
                } else {
                    String::new()
                };
                denominator.push(format!("{d}{}{power}", name(v, style)));
            }
            let d = d.trim_end();
            format!(
                "\\frac{{{d}{power}{space}{of}}}{{{}}}",
                denominator.join(" \\, ")
            )
        }
    }
}

/// A label in `style` and `notation`; empty for [`Label::None`].
pub fn label_text(label: &Label, style: Style, notation: Notation) -> String {
    match label {
        Label::None => String::new(),
        Label::Derivative {
            of,
            vars,
            total,
            constrained,
        } => match constrained {
            None => primes(of, vars, style, notation)
                .unwrap_or_else(|| leibniz(&name(of, style), vars, *total, style)),
            Some(rules) => match style {
                Style::Plain => format!("diff({of} with {rules}, {})", vars.join(", ")),
                Style::Unicode => leibniz(&format!("({of} with {rules})"), vars, *total, style),
                Style::Latex => format!(
                    "{}\\left({} \\text{{ with }} {rules}\\right)",
                    leibniz("", vars, *total, style),
                    name(of, style)
                ),
                Style::MathMl => format!(
                    "{}<mrow><mo>(</mo>{}{}<mo>)</mo></mrow>",
                    leibniz("", vars, *total, style),
                    name(of, style),
                    mtext(&format!(" with {rules}"))
                ),
            },
        },
        Label::Chain { of, via, var } => {
            let first = leibniz(&name(of, style), std::slice::from_ref(via), false, style);
            let second = leibniz(&name(via, style), std::slice::from_ref(var), true, style);
            match style {
                Style::Plain => format!("{first}*diff({via}, {var})"),
                Style::Unicode => format!("{first}·{second}"),
                Style::Latex => format!("{first} {second}"),
                Style::MathMl => format!("{first}{INVISIBLE_TIMES}{second}"),
            }
        }
        Label::Differential { of } if style == Style::MathMl => {
            format!("<mrow><mi>d</mi>{}</mrow>", name(of, style))
        }
        Label::Differential { of } => format!("d{}", name(of, style)),
        Label::Implicit { y, x, order } => {
            let vars = vec![x.clone(); *order];
            if let Some(text) = primes(y, &vars, style, notation) {
                return text;
            }
            match style {
                Style::Plain if *order == 1 => format!("diff({y}, {x})"),
                Style::Plain => format!("diff({y}, {x}, {order})"),
                Style::MathMl => {
                    let (y, x) = (name(y, style), name(x, style));
                    if *order > 1 {
                        format!(
                            "<mfrac><mrow><msup><mi>d</mi><mn>{order}</mn></msup>{y}</mrow><mrow><mi>d</mi><msup>{x}<mn>{order}</mn></msup></mrow></mfrac>"
                        )
                    } else {
                        format!(
                            "<mfrac><mrow><mi>d</mi>{y}</mrow><mrow><mi>d</mi>{x}</mrow></mfrac>"
                        )
                    }
                }
                _ => {
                    let power = if *order > 1 {
                        if style == Style::Latex {
                            format!("^{{{order}}}")
                        } else {
                            superscript(*order)
                        }
                    } else {
                        String::new()
                    };
                    let (y, x) = (name(y, style), name(x, style));
                    if style == Style::Latex {
                        format!("\\frac{{d{power}{y}}}{{d{x}{power}}}")
                    } else {
                        format!("d{power}{y}/d{x}{power}")
                    }
                }
            }
        }
        Label::After(inner, rules) => {
            let inner = label_text(inner, style, notation);
            match style {
                Style::Latex => format!("\\left.{inner}\\right|_{{{rules}}}"),
                Style::MathMl => format!(
                    "<msub><mrow>{inner}<mo>|</mo></mrow>{}</msub>",
                    mtext(rules)
                ),
                _ => format!("{inner} with {rules}"),
            }
        }
        Label::Update { param } => name(param, style),
    }
}
