//! Output formats: result lines written as plain text, LaTeX, Unicode or MathML, and JSON
//! records.

#[cfg(feature = "cli")]
use std::borrow::Cow;
#[cfg(feature = "cli")]
use std::fmt::Write as _;
#[cfg(feature = "cli")]
use std::io::{self, Write};

#[cfg(feature = "cli")]
use serde_json::{Value, json};

#[cfg(feature = "cli")]
use crate::calculus::steps::{Derivation, Step};
#[cfg(feature = "cli")]
use crate::error::Warning;
#[cfg(feature = "cli")]
use crate::expr::{ExprId, Node, Pool, SymbolId};
#[cfg(feature = "cli")]
use crate::print::{BatchPrinter, Notation, Printer};
#[cfg(feature = "cli")]
use crate::print::{MINUS, NEGATION, QUAD, Style, THIN_SPACE, math_element, mtext, write_decimal};
#[cfg(feature = "cli")]
use crate::request::label::{label_text, name};
#[cfg(feature = "cli")]
use crate::request::{Label, Line};

/// How results are written (`--format`).
#[cfg(feature = "cli")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// One line of plain text per result, which parses back.
    #[default]
    Plain,
    /// LaTeX math.
    Latex,
    /// Unicode for the terminal.
    Unicode,
    /// MathML Core for a web page: one `<math display="block">` element per result line.
    MathMl,
    /// One JSON object per input (JSON Lines in batch mode).
    Json,
}

#[cfg(feature = "cli")]
impl Format {
    /// The formula style of a text format (JSON records carry every style).
    pub fn style(self) -> Style {
        match self {
            Format::Latex => Style::Latex,
            Format::Unicode => Style::Unicode,
            Format::MathMl => Style::MathMl,
            Format::Plain | Format::Json => Style::Plain,
        }
    }
}

/// What joins a label to its value: ` = `, or an assignment for an update rule.
#[cfg(feature = "cli")]
fn separator(label: &Label, style: Style) -> &'static str {
    match (label, style) {
        (Label::Update { .. }, Style::Plain) => " := ",
        (Label::Update { .. }, Style::Unicode) => " ← ",
        (Label::Update { .. }, Style::Latex) => " \\leftarrow ",
        (Label::Update { .. }, Style::MathMl) => "<mo>←</mo>",
        (_, Style::MathMl) => "<mo>=</mo>",
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
    let mathml = style == Style::MathMl;
    // The signs (leading, and between terms), `d`, and the numbers 1 and 0.
    let (minus, between_minus, plus, d, one, zero) = if mathml {
        (
            MINUS,
            MINUS,
            "<mo>+</mo>",
            "<mi>d</mi>",
            "<mn>1</mn>",
            "<mn>0</mn>",
        )
    } else {
        ("-", " - ", " + ", "d", "1", "0")
    };
    let mut out = String::new();
    for &(coefficient, var) in terms {
        if coefficient == ExprId::ZERO {
            continue;
        }
        let text = printer.print(coefficient);
        let is_sum = matches!(pool.node(coefficient), Node::Add(_));
        // A MathML negation is an `<mrow>` around the whole coefficient.
        let negated = match mathml {
            true => text
                .strip_prefix(NEGATION)
                .and_then(|rest| rest.strip_suffix("</mrow>")),
            false => text.strip_prefix(minus),
        };
        let (negative, magnitude) = match negated {
            Some(rest) if !is_sum => (true, rest),
            _ => (false, text),
        };
        out.push_str(match (out.is_empty(), negative) {
            (true, true) => minus,
            (true, false) => "",
            (false, true) => between_minus,
            (false, false) => plus,
        });
        let dv = format!("{d}{}", name(pool.symbol_name(var), style));
        let (times, open, close) = match style {
            Style::Plain => ("*", "(", ")"),
            Style::Unicode => ("·", "(", ")"),
            Style::Latex => (" \\, ", "\\left(", "\\right)"),
            Style::MathMl => (THIN_SPACE, "<mrow><mo>(</mo>", "<mo>)</mo></mrow>"),
        };
        let _ = match (magnitude == one, is_sum) {
            (true, _) => write!(out, "{dv}"),
            (_, true) => write!(out, "{open}{magnitude}{close}{times}{dv}"),
            _ => write!(out, "{magnitude}{times}{dv}"),
        };
    }
    if out.is_empty() {
        out.push_str(zero);
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
    if style == Style::MathMl {
        return write_mathml_lines(out, pool, lines, notation);
    }
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
        write_forms(out, &mut printer, line)?;
    }
    Ok(())
}

#[cfg(feature = "cli")]
/// [`write_lines`] in MathML: a `<math>` element per line, the heading, note and forms as
/// text where LaTeX writes `\text`.
fn write_mathml_lines(
    out: &mut impl Write,
    pool: &Pool,
    lines: &[Line],
    notation: Notation,
) -> io::Result<()> {
    let style = Style::MathMl;
    let mut printer = BatchPrinter::new(pool, style, notation);
    for line in lines {
        let mut content = String::new();
        if !line.heading.is_empty() {
            content.push_str(&mtext(&line.heading));
            content.push_str(QUAD);
        }
        let label = label_text(&line.label, style, notation);
        if !label.is_empty() {
            content.push_str(&label);
            content.push_str(separator(&line.label, style));
        }
        content.push_str(&value_text(&mut printer, line));
        let integer = pool.as_num(line.value).is_some_and(|q| q.is_integer());
        if let Some(decimal) = line.decimal.as_ref().filter(|_| !integer) {
            content.push_str("<mo>≈</mo>");
            let _ = write_decimal(&mut content, &decimal.text);
        }
        if let Some(note) = &line.note {
            content.push_str(QUAD);
            content.push_str(&mtext(note));
        }
        writeln!(out, "{}", math_element(&content, true))?;
        for &(form, value) in &line.forms {
            let mut content = mtext(form.name());
            content.push_str(QUAD);
            content.push_str(printer.print(value));
            if form == line.form {
                content.push_str(QUAD);
                content.push_str(&mtext("(chosen)"));
            }
            writeln!(out, "{}", math_element(&content, true))?;
        }
    }
    Ok(())
}

#[cfg(feature = "cli")]
/// With `--forms`: the value in each form on its own line under the result, labelled
/// with the form's name, the one shown above marked `← chosen`.
fn write_forms(
    out: &mut impl Write,
    printer: &mut BatchPrinter<'_>,
    line: &Line,
) -> io::Result<()> {
    let style = printer.style();
    for &(form, value) in &line.forms {
        let text = printer.print(value);
        let mark = if form == line.form {
            "  ← chosen"
        } else {
            ""
        };
        match style {
            Style::Latex => {
                let mark = if mark.is_empty() {
                    ""
                } else {
                    " \\quad \\text{(chosen)}"
                };
                writeln!(out, "\\text{{{}}} \\quad {text}{mark}", form.name())?;
            }
            _ => writeln!(out, "  {:<9} {text}{mark}", form.name())?,
        }
    }
    Ok(())
}

#[cfg(feature = "cli")]
/// The JSON form of result lines: every label and value in plain text, LaTeX, Unicode and
/// MathML (the content of a `<math>` element).
pub fn json_lines(pool: &Pool, lines: &[Line], notation: Notation) -> Value {
    let mut plain = BatchPrinter::new(pool, Style::Plain, notation);
    let mut latex = BatchPrinter::new(pool, Style::Latex, notation);
    let mut unicode = BatchPrinter::new(pool, Style::Unicode, notation);
    let mut mathml = BatchPrinter::new(pool, Style::MathMl, notation);
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
                "label_mathml": label(Style::MathMl),
                "plain": value_text(&mut plain, line),
                "latex": value_text(&mut latex, line),
                "unicode": value_text(&mut unicode, line),
                "mathml": value_text(&mut mathml, line),
                "decimal": line.decimal.as_ref().and_then(|d| d.value),
                "decimal_text": line.decimal.as_ref().map(|d| d.text.as_str()),
                "note": line.note,
                "update": matches!(line.label, Label::Update { .. }),
                "form": line.form.name(),
                "forms": line.forms.iter().map(|&(form, value)| json!({
                    "form": form.name(),
                    "plain": plain.print(value),
                    "latex": latex.print(value),
                    "unicode": unicode.print(value),
                    "mathml": mathml.print(value),
                    "chosen": form == line.form,
                })).collect::<Vec<Value>>(),
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
                Style::MathMl => format!(
                    "{}<mi>u</mi><mo>=</mo>{inner}",
                    mathml_text(&format!("{}, with ", step.rule))
                ),
                _ => format!("{}, with u = {inner}", step.rule),
            }
        }
        None => match style {
            Style::Latex => format!("\\text{{{}}}", latex_text(&step.rule)),
            Style::MathMl => mathml_text(&step.rule),
            _ => step.rule.clone(),
        },
    }
}

#[cfg(feature = "cli")]
/// The exponent after a `^` in a rule's words: the letters and digits that follow.
fn exponent(chars: &mut std::iter::Peekable<std::str::Chars>) -> String {
    let mut power = String::new();
    while let Some(&next) = chars.peek() {
        if !next.is_alphanumeric() {
            break;
        }
        power.push(next);
        chars.next();
    }
    power
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
                let power = exponent(&mut chars);
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
/// A rule's words as MathML text, as [`latex_text`] writes them: `*` as a centred dot,
/// `^2` as a superscript (of the text before it).
fn mathml_text(rule: &str) -> String {
    let mut out = String::new();
    let mut segment = String::new();
    let mut chars = rule.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => segment.push('·'),
            '^' => {
                let power = exponent(&mut chars);
                out.push_str(&format!(
                    "<msup>{}{}</msup>",
                    mtext(&segment),
                    mtext(&power)
                ));
                segment.clear();
            }
            _ => segment.push(c),
        }
    }
    if !segment.is_empty() || out.is_empty() {
        out.push_str(&mtext(&segment));
    }
    out
}

#[cfg(feature = "cli")]
/// Writes derivations in MathML: one `<math>` table per derivation, a row per step, as
/// LaTeX's `align*`: the derivative to take, `= expression` and the rule.
fn write_mathml_steps(
    out: &mut impl Write,
    pool: &Pool,
    derivations: &[Derivation],
    notation: Notation,
) -> io::Result<()> {
    let show = |id| shown(pool, id, Style::MathMl, notation);
    for derivation in derivations {
        // Display style in the cells, as in LaTeX's `align*`.
        writeln!(out, r#"<math display="block"><mtable displaystyle="true">"#)?;
        for (k, step) in derivation.steps.iter().enumerate() {
            // The first step continues the line of the derivative to take.
            let start = if k == 0 {
                show(derivation.start)
            } else {
                String::new()
            };
            writeln!(
                out,
                r#"<mtr><mtd style="text-align: right">{start}</mtd><mtd style="text-align: left"><mo>=</mo>{}</mtd><mtd style="text-align: left">{QUAD}{}</mtd></mtr>"#,
                show(step.expr),
                rule_text(pool, step, Style::MathMl, notation)
            )?;
        }
        writeln!(out, "</mtable></math>")?;
    }
    Ok(())
}

#[cfg(feature = "cli")]
/// An expression printed in a style and notation.
fn shown(pool: &Pool, id: ExprId, style: Style, notation: Notation) -> String {
    Printer::new(pool, id)
        .style(style)
        .notation(notation)
        .to_string()
}

#[cfg(feature = "cli")]
/// Writes derivations: the derivative to take, then `= expression   (rule)` per step;
/// in LaTeX one `align*` block, in MathML one table.
pub fn write_steps(
    out: &mut impl Write,
    pool: &Pool,
    derivations: &[Derivation],
    style: Style,
    notation: Notation,
) -> io::Result<()> {
    if style == Style::MathMl {
        return write_mathml_steps(out, pool, derivations, notation);
    }
    let show = |id| shown(pool, id, style, notation);
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
    let show = |id, style| shown(pool, id, style, notation);
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
                        "mathml": show(step.expr, Style::MathMl),
                    })
                })
                .collect();
            json!({
                "start": show(derivation.start, Style::Plain),
                "start_latex": show(derivation.start, Style::Latex),
                "start_mathml": show(derivation.start, Style::MathMl),
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
        let symbol = name(pool.symbol_name(symbol), style);
        if style == Style::MathMl {
            let content = format!("{symbol}<mo>=</mo>{value}");
            writeln!(out, "{}", math_element(&content, true))?;
        } else {
            writeln!(out, "{symbol} = {value}")?;
        }
    }
    Ok(())
}

#[cfg(feature = "cli")]
/// The JSON form of `--cse` intermediates: name and value in every style.
pub fn json_temps(pool: &Pool, temps: &[(SymbolId, ExprId)], notation: Notation) -> Value {
    let show = |id, style| shown(pool, id, style, notation);
    Value::Array(
        temps
            .iter()
            .map(|&(symbol, value)| {
                json!({
                    "name": pool.symbol_name(symbol),
                    "plain": show(value, Style::Plain),
                    "latex": show(value, Style::Latex),
                    "unicode": show(value, Style::Unicode),
                    "mathml": show(value, Style::MathMl),
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
