//! Pest's syntax errors rewritten in words, with hints for common mistakes (a missing
//! `*`, Mathematica's `Sin[x]`).

use crate::error::{Error, Span};

use super::Rule;
use super::names::is_function_name;
use super::split_top_level;
use super::suggest;

pub(super) fn empty_error(input: &str) -> Error {
    Error::Syntax {
        message: "empty expression".into(),
        span: Span::new(input.len(), input.len()),
        help: Some("give an expression such as x^2*sin(x)".into()),
    }
}

/// The error for a `|` after an operand where no absolute value is open: `2|x|` (a
/// missing `*`) or a `|` alone.
pub(super) fn stray_bar(input: &str, pos: usize) -> Error {
    let span = Span::new(pos, pos + 1);
    let Some(end) = input[pos + 1..].find('|').map(|i| pos + 1 + i) else {
        return Error::Syntax {
            message: "unmatched `|`".into(),
            span,
            help: Some("remove it, or add the `|` that opens the absolute value".into()),
        };
    };
    let previous = operand_before(input[..pos].trim_end());
    let next = shorten(&input[pos..=end], false);
    Error::Syntax {
        message: "missing operator before `|`".into(),
        span,
        help: Some(format!(
            "implicit multiplication is not supported: write {previous}*{next}"
        )),
    }
}

/// The error for Maxima's `%pi`, `%e`, `%i` at `pos`.
pub(super) fn maxima_constant(input: &str, pos: usize) -> Error {
    let name = token_at(&input[pos + 1..]).unwrap_or_default();
    let help = match name {
        "pi" => "write pi".to_string(),
        "e" => "write e".to_string(),
        "i" => "deriv works in the real numbers and has no imaginary unit".to_string(),
        _ => format!("`%{name}` is another system's constant: deriv knows pi and e"),
    };
    Error::Syntax {
        message: format!("unexpected character `%` in `%{name}`"),
        span: Span::new(pos, pos + 1 + name.len()),
        help: Some(help),
    }
}

/// Turns pest's error into a message in words, with a hint for common mistakes.
pub(super) fn syntax_error(input: &str, error: &pest::error::Error<Rule>) -> Error {
    let pos = match error.location {
        pest::error::InputLocation::Pos(pos) => pos,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    let positives: &[Rule] = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives,
        pest::error::ErrorVariant::CustomError { .. } => &[],
    };
    let rest = &input[pos..];
    let found_char = rest.chars().next();
    let found = match found_char {
        Some(c) => format!("`{}`", token_at(rest).unwrap_or(c.to_string().as_str())),
        None => "the end of the input".to_string(),
    };
    let span_end = pos + found_char.map_or(0, char::len_utf8);
    let span = Span::new(pos, span_end);
    let before = input[..pos].trim_end();
    let starts_operand = found_char.is_some_and(|c| c.is_alphanumeric() || c == '(' || c == '.');
    // A `|` before an operand that the grammar refused closes an absolute value.
    let ends_operand = before
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, ')' | '.' | '|'));
    let after_number = before
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_digit() || c == '.');
    if after_number && found_char == Some('.') {
        return Error::Syntax {
            message: "a number has at most one decimal point".into(),
            span,
            help: Some("write a decimal as 1.25 or .5".into()),
        };
    }
    if found_char == Some('[') && before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
        return Error::Syntax {
            message: format!("expected an operator or the end of the expression, found {found}"),
            span,
            help: Some(bracket_call_help(before, &input[pos..])),
        };
    }
    if before.ends_with("D[") && !found_char.is_some_and(|c| c.is_ascii_digit() || c == ']') {
        let inner = bracketed(&input[before.len() - 1..]);
        return Error::Syntax {
            message: format!("expected an argument number such as 1, found {found}"),
            span,
            help: Some(format!(
                "write diff({inner}) for a derivative; D[k](g)(u, v) is an unknown function g \
                 differentiated in its k-th argument"
            )),
        };
    }
    if starts_operand && ends_operand {
        let previous = operand_before(before);
        let next = operand_after(rest);
        if after_number && matches!(found_char, Some('e' | 'E')) {
            return Error::Syntax {
                message: format!("missing operator before {found}"),
                span,
                help: Some(format!(
                    "scientific notation needs digits after the e (1e5, 2.5e-3); \
                     for the constant e write {previous}*{next}"
                )),
            };
        }
        let help = if is_function_name(&previous) {
            format!("function arguments go in parentheses: write {previous}({next})")
        } else {
            format!("implicit multiplication is not supported: write {previous}*{next}")
        };
        return Error::Syntax {
            message: format!("missing operator before {found}"),
            span,
            help: Some(help),
        };
    }
    let wants_operand = positives.iter().any(|rule| {
        matches!(
            rule,
            Rule::expr
                | Rule::number
                | Rule::name
                | Rule::call
                | Rule::partial
                | Rule::sign
                | Rule::abs
        )
    });
    let expected = if wants_operand {
        "an expression"
    } else if positives.contains(&Rule::index) {
        "an argument number such as 1"
    } else {
        "an operator or the end of the expression"
    };
    Error::Syntax {
        message: format!("expected {expected}, found {found}"),
        span,
        help: None,
    }
}

/// The help for a call with square brackets (Mathematica's `Sin[x]`) at the start of
/// `rest`, after the name that ends `before`: deriv's spelling of it.
fn bracket_call_help(before: &str, rest: &str) -> String {
    let name = &before[before.len() - token_end_back(before)..];
    let inner = bracketed(rest);
    let args: Vec<&str> = split_top_level(&inner)
        .into_iter()
        .map(|(_, arg)| arg.trim())
        .collect();
    let ours = deriv_spelling(name);
    if let ("Log", [base, arg]) = (name, &args[..]) {
        return format!(
            "Mathematica's {name}[b, x] is the logarithm of x to base b: write log({arg}, {base})"
        );
    }
    if !is_function_name(&ours) && !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit()) {
        return format!(
            "an indexed variable is written {name}_{inner}; a function call, {name}({inner})"
        );
    }
    format!("function arguments go in parentheses: write {ours}({inner})")
}

/// What is between the `[` that starts `text` and the `]` that matches it, with calls in
/// square brackets written in deriv's spelling (`Cos[x]` as `cos(x)`), shortened.
fn bracketed(text: &str) -> String {
    let mut depth = 0usize;
    let mut inner = String::new();
    let mut name = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            name.push(c);
            continue;
        }
        match c {
            '[' if depth > 0 && name.chars().next().is_some_and(char::is_alphabetic) => {
                inner.push_str(&deriv_spelling(&name));
                inner.push('(');
            }
            ']' if depth == 1 => {
                inner.push_str(&name);
                return shorten(inner.trim(), false);
            }
            _ => {
                inner.push_str(&name);
                inner.push(match c {
                    ']' => ')',
                    '[' if depth == 0 => ' ',
                    other => other,
                });
            }
        }
        name.clear();
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    "...".into()
}

/// The built-in function `name` means, in deriv's spelling (`Cos` is `cos`), or `name`.
fn deriv_spelling(name: &str) -> String {
    if is_function_name(name) {
        name.to_string()
    } else {
        suggest::other_spelling(name).unwrap_or_else(|| name.to_string())
    }
}

/// The name or number at the start of `text`, if it starts with one.
pub(super) fn token_at(text: &str) -> Option<&str> {
    let end = text
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(text.len(), |(i, _)| i);
    (end > 0).then(|| &text[..end])
}

/// The operand that ends `text`: a name, a number or a parenthesized group with the
/// function name before it (`sin(x)`), shortened when long.
pub(super) fn operand_before(text: &str) -> String {
    let start = if text.ends_with('|') {
        bar_group_start(text)
    } else if text.ends_with(')') {
        let mut depth = 0usize;
        let mut open = 0;
        for (i, c) in text.char_indices().rev() {
            match c {
                ')' => depth += 1,
                '(' => {
                    depth -= 1;
                    if depth == 0 {
                        open = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        open - token_end_back(&text[..open])
    } else {
        text.len() - token_end_back(text)
    };
    shorten(&text[start..], true)
}

/// The operand that starts `text`: a name or number, possibly called, or a group.
fn operand_after(text: &str) -> String {
    let token = token_at(text).map_or(0, str::len);
    let mut end = token;
    if text[token..].starts_with('(') {
        let mut depth = 0usize;
        for (i, c) in text[token..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = token + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    shorten(&text[..end], false)
}

/// Where the absolute value `|...|` that ends `text` starts, reading its bars as the
/// grammar does (one opens where an operand is expected).
fn bar_group_start(text: &str) -> usize {
    let mut opened = Vec::new();
    let mut start = 0;
    let mut after_operand = false;
    for (i, c) in text.char_indices() {
        match c {
            '|' if !after_operand => opened.push(i),
            '|' => start = opened.pop().unwrap_or(0),
            c if c.is_alphanumeric() || matches!(c, ')' | ']' | '.' | '_' | '\'') => {
                after_operand = true;
                continue;
            }
            c if c.is_whitespace() => continue,
            _ => {}
        }
        after_operand = c == '|' && after_operand;
    }
    start
}

/// The length of the name or number at the end of `text`.
fn token_end_back(text: &str) -> usize {
    text.chars()
        .rev()
        .take_while(|&c| c.is_alphanumeric() || c == '_' || c == '.')
        .map(char::len_utf8)
        .sum()
}

/// Keeps at most 20 characters of an operand, next to the operator to insert.
pub(super) fn shorten(operand: &str, keep_end: bool) -> String {
    let count = operand.chars().count();
    if count <= 20 {
        return operand.to_string();
    }
    if keep_end {
        format!(
            "...{}",
            operand.chars().skip(count - 20).collect::<String>()
        )
    } else {
        format!("{}...", operand.chars().take(20).collect::<String>())
    }
}
