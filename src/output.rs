//! Output formats: result lines written as plain text, LaTeX or Unicode, and JSON records.

#[cfg(feature = "cli")]
use std::borrow::Cow;
#[cfg(feature = "cli")]
use std::fmt::Write as _;
#[cfg(feature = "cli")]
use std::io::{self, Write};

#[cfg(feature = "cli")]
use serde_json::{Value, json};

#[cfg(feature = "cli")]
use crate::error::Warning;
#[cfg(feature = "cli")]
use crate::expr::{ExprId, Node, Pool, SymbolId};
#[cfg(feature = "cli")]
use crate::print::{BatchPrinter, Printer};
use crate::print::{Notation, Style, write_name, write_superscript};
use crate::request::Label;
#[cfg(feature = "cli")]
use crate::request::Line;
#[cfg(feature = "cli")]
use crate::steps::{Derivation, Step};

/// How results are written (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// One line of plain text per result, which parses back.
    #[default]
    Plain,
    /// LaTeX math.
    Latex,
    /// Unicode for the terminal.
    Unicode,
    /// One JSON object per input (JSON Lines in batch mode).
    Json,
}

impl Format {
    /// The formula style of a text format (JSON records carry every style).
    pub fn style(self) -> Style {
        match self {
            Format::Latex => Style::Latex,
            Format::Unicode => Style::Unicode,
            Format::Plain | Format::Json => Style::Plain,
        }
    }
}

/// The plain label of a result, as used in error messages.
pub fn plain_label(label: &Label) -> String {
    label_text(label, Style::Plain, Notation::Leibniz)
}

fn name(text: &str, style: Style) -> String {
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
            },
        },
        Label::Chain { of, via, var } => {
            let first = leibniz(&name(of, style), std::slice::from_ref(via), false, style);
            let second = leibniz(&name(via, style), std::slice::from_ref(var), true, style);
            match style {
                Style::Plain => format!("{first}*diff({via}, {var})"),
                Style::Unicode => format!("{first}·{second}"),
                Style::Latex => format!("{first} {second}"),
            }
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
                _ => format!("{inner} with {rules}"),
            }
        }
        Label::Update { param } => name(param, style),
    }
}

#[cfg(feature = "cli")]
/// What joins a label to its value: ` = `, or an assignment for an update rule.
fn separator(label: &Label, style: Style) -> &'static str {
    match (label, style) {
        (Label::Update { .. }, Style::Plain) => " := ",
        (Label::Update { .. }, Style::Unicode) => " ← ",
        (Label::Update { .. }, Style::Latex) => " \\leftarrow ",
        _ => " = ",
    }
}

#[cfg(feature = "cli")]
/// The value of a line as `printer` writes it: the expression, or `a*dx + b*dy` for a
/// differential.
fn value_text<'p>(printer: &'p mut BatchPrinter<'_>, line: &Line) -> Cow<'p, str> {
    if line.differentials.is_empty() {
        return Cow::Borrowed(printer.print(line.value));
    }
    Cow::Owned(differential_text(printer, &line.differentials))
}

#[cfg(feature = "cli")]
/// `a*dx + b*dy`: each coefficient as printed, then its differential, zeros left out.
fn differential_text(printer: &mut BatchPrinter<'_>, terms: &[(ExprId, SymbolId)]) -> String {
    let (pool, style) = (printer.pool(), printer.style());
    let mut out = String::new();
    for &(coefficient, var) in terms {
        if coefficient == ExprId::ZERO {
            continue;
        }
        let text = printer.print(coefficient);
        let is_sum = matches!(pool.node(coefficient), Node::Add(_));
        let (negative, magnitude) = match text.strip_prefix('-') {
            Some(rest) if !is_sum => (true, rest),
            _ => (false, text),
        };
        out.push_str(match (out.is_empty(), negative) {
            (true, true) => "-",
            (true, false) => "",
            (false, true) => " - ",
            (false, false) => " + ",
        });
        let dv = format!("d{}", name(pool.symbol_name(var), style));
        let (times, open, close) = match style {
            Style::Plain => ("*", "(", ")"),
            Style::Unicode => ("·", "(", ")"),
            Style::Latex => (" \\, ", "\\left(", "\\right)"),
        };
        let _ = match (magnitude, is_sum) {
            ("1", _) => write!(out, "{dv}"),
            (_, true) => write!(out, "{open}{magnitude}{close}{times}{dv}"),
            _ => write!(out, "{magnitude}{times}{dv}"),
        };
    }
    if out.is_empty() {
        out.push('0');
    }
    out
}

#[cfg(feature = "cli")]
/// Writes result lines: `label = value`, a remark, and `≈ decimal` with `--numeric` (not
/// for an integer, whose decimal is itself).
pub fn write_lines(
    out: &mut impl Write,
    pool: &Pool,
    lines: &[Line],
    style: Style,
    notation: Notation,
    color: bool,
) -> io::Result<()> {
    let (on, off) = if color {
        ("\x1b[1;36m", "\x1b[0m")
    } else {
        ("", "")
    };
    let mut printer = BatchPrinter::new(pool, style, notation);
    for line in lines {
        let label = label_text(&line.label, style, notation);
        match (style, line.heading.is_empty()) {
            (_, true) => {}
            (Style::Latex, false) => write!(out, "\\text{{{}}} \\quad ", line.heading)?,
            (_, false) => write!(out, "{on}{:<14}{off}", line.heading)?,
        }
        if !label.is_empty() {
            write!(out, "{on}{label}{off}{}", separator(&line.label, style))?;
        }
        out.write_all(value_text(&mut printer, line).as_bytes())?;
        // An integer's decimal says nothing more.
        let integer = pool.as_num(line.value).is_some_and(|q| q.is_integer());
        if let Some(decimal) = line.decimal.as_ref().filter(|_| !integer) {
            match style {
                Style::Latex => write!(out, " \\approx {decimal}")?,
                _ => write!(out, " ≈ {decimal}")?,
            }
        }
        if let Some(note) = &line.note {
            match style {
                Style::Latex => write!(out, " \\quad \\text{{{note}}}")?,
                _ => write!(out, "  {note}")?,
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(feature = "cli")]
/// The JSON form of result lines: every label and value in plain text, LaTeX and Unicode.
pub fn json_lines(pool: &Pool, lines: &[Line], notation: Notation) -> Value {
    let mut plain = BatchPrinter::new(pool, Style::Plain, notation);
    let mut latex = BatchPrinter::new(pool, Style::Latex, notation);
    let mut unicode = BatchPrinter::new(pool, Style::Unicode, notation);
    let results: Vec<Value> = lines
        .iter()
        .map(|line| {
            let label = |style| match line.label {
                Label::None => Value::Null,
                _ => Value::String(label_text(&line.label, style, notation)),
            };
            json!({
                "heading": (!line.heading.is_empty()).then_some(&line.heading),
                "label": label(Style::Plain),
                "label_latex": label(Style::Latex),
                "label_unicode": label(Style::Unicode),
                "plain": value_text(&mut plain, line),
                "latex": value_text(&mut latex, line),
                "unicode": value_text(&mut unicode, line),
                "decimal": line.decimal.as_ref().and_then(|d| d.value),
                "decimal_text": line.decimal.as_ref().map(|d| d.text.as_str()),
                "note": line.note,
                "update": matches!(line.label, Label::Update { .. }),
            })
        })
        .collect();
    Value::Array(results)
}

#[cfg(feature = "cli")]
/// The text of a step's rule, with its inner function: `chain rule: sin' = cos, u = x^2`.
fn rule_text(pool: &Pool, step: &Step, style: Style, notation: Notation) -> String {
    match step.inner {
        Some(inner) => {
            let inner = Printer::new(pool, inner).style(style).notation(notation);
            match style {
                Style::Latex => format!("\\text{{{}, with }} u = {inner}", latex_text(&step.rule)),
                _ => format!("{}, with u = {inner}", step.rule),
            }
        }
        None => match style {
            Style::Latex => format!("\\text{{{}}}", latex_text(&step.rule)),
            _ => step.rule.clone(),
        },
    }
}

#[cfg(feature = "cli")]
/// A rule's words for LaTeX text mode: `*` as a centred dot, `^2` as a superscript.
fn latex_text(rule: &str) -> String {
    let mut out = String::with_capacity(rule.len());
    let mut chars = rule.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str("$\\cdot$"),
            '^' => {
                let mut power = String::new();
                while let Some(&next) = chars.peek() {
                    if !next.is_alphanumeric() {
                        break;
                    }
                    power.push(next);
                    chars.next();
                }
                out.push_str(&format!("$^{{{power}}}$"));
            }
            '_' | '&' | '%' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(feature = "cli")]
/// Writes derivations: the derivative to take, then `= expression   (rule)` per step;
/// in LaTeX one `align*` block.
pub fn write_steps(
    out: &mut impl Write,
    pool: &Pool,
    derivations: &[Derivation],
    style: Style,
    notation: Notation,
) -> io::Result<()> {
    let show = |id| {
        Printer::new(pool, id)
            .style(style)
            .notation(notation)
            .to_string()
    };
    for derivation in derivations {
        if style == Style::Latex {
            writeln!(out, "\\begin{{align*}}")?;
            write!(out, "{}", show(derivation.start))?;
            for (k, step) in derivation.steps.iter().enumerate() {
                let rule = rule_text(pool, step, style, notation);
                // The first step continues the line of the derivative to take.
                if k > 0 {
                    write!(out, " \\\\\n ")?;
                }
                write!(out, " &= {} && {rule}", show(step.expr))?;
            }
            writeln!(out, "\n\\end{{align*}}")?;
            continue;
        }
        writeln!(out, "{}", show(derivation.start))?;
        let rows: Vec<(String, String)> = derivation
            .steps
            .iter()
            .map(|step| (show(step.expr), rule_text(pool, step, style, notation)))
            .collect();
        let width = rows
            .iter()
            .map(|(expr, _)| expr.chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for (expr, rule) in rows {
            let pad = width.saturating_sub(expr.chars().count());
            writeln!(out, "  = {expr}{}   ({rule})", " ".repeat(pad))?;
        }
    }
    Ok(())
}

#[cfg(feature = "cli")]
/// The JSON form of derivations: per differentiation, the start and each step in every
/// style.
pub fn json_steps(pool: &Pool, derivations: &[Derivation], notation: Notation) -> Value {
    let show = |id, style| {
        Printer::new(pool, id)
            .style(style)
            .notation(notation)
            .to_string()
    };
    let all: Vec<Value> = derivations
        .iter()
        .map(|derivation| {
            let steps: Vec<Value> = derivation
                .steps
                .iter()
                .map(|step| {
                    json!({
                        "rule": step.rule,
                        "inner": step.inner.map(|inner| show(inner, Style::Plain)),
                        "plain": show(step.expr, Style::Plain),
                        "latex": show(step.expr, Style::Latex),
                        "unicode": show(step.expr, Style::Unicode),
                    })
                })
                .collect();
            json!({
                "start": show(derivation.start, Style::Plain),
                "start_latex": show(derivation.start, Style::Latex),
                "steps": steps,
            })
        })
        .collect();
    Value::Array(all)
}

#[cfg(feature = "cli")]
/// Writes `--cse` intermediates, one `name = value` line each.
pub fn write_temps(
    out: &mut impl Write,
    pool: &Pool,
    temps: &[(SymbolId, ExprId)],
    style: Style,
    notation: Notation,
) -> io::Result<()> {
    let mut printer = BatchPrinter::new(pool, style, notation);
    for &(symbol, value) in temps {
        let value = printer.print(value);
        writeln!(out, "{} = {value}", name(pool.symbol_name(symbol), style))?;
    }
    Ok(())
}

#[cfg(feature = "cli")]
/// The JSON form of `--cse` intermediates: name and value in every style.
pub fn json_temps(pool: &Pool, temps: &[(SymbolId, ExprId)], notation: Notation) -> Value {
    let show = |id, style| {
        Printer::new(pool, id)
            .style(style)
            .notation(notation)
            .to_string()
    };
    Value::Array(
        temps
            .iter()
            .map(|&(symbol, value)| {
                json!({
                    "name": pool.symbol_name(symbol),
                    "plain": show(value, Style::Plain),
                    "latex": show(value, Style::Latex),
                    "unicode": show(value, Style::Unicode),
                })
            })
            .collect(),
    )
}

#[cfg(feature = "cli")]
/// The JSON form of warnings: each with its message, help, and span in the input (byte
/// offsets), or `null`.
pub fn json_warnings(warnings: &[Warning]) -> Value {
    warnings
        .iter()
        .map(|w| {
            json!({
                "message": w.message,
                "help": w.help,
                "span": w.span.map(|s| json!({"start": s.start, "end": s.end})),
            })
        })
        .collect()
}
