//! The pre-scan: brackets, stray characters and the nesting depth, checked in one linear
//! pass before pest sees the input.

use crate::error::{Error, Span};

use super::syntax::{empty_error, maxima_constant, stray_bar};

/// Checks brackets and characters and measures the nesting depth in one pass.
pub(super) fn scan(input: &str, max_depth: usize) -> Result<usize, Error> {
    if input.trim().is_empty() {
        return Err(empty_error(input));
    }
    // Per open bracket: its kind, position, and the recursion depth outside it.
    let mut open: Vec<(char, usize, usize)> = Vec::new();
    let mut depth_outside = 0usize;
    // Prefix signs and `^` in the current bracket level since the last + - * / or comma.
    let mut chain = 0usize;
    let mut max_seen = 0usize;
    // Whether the previous significant character ends an operand.
    let mut after_operand = false;
    // Whether the previous significant character opens an absolute value `|`.
    let mut after_open_bar = false;
    let mut chars = input.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        let open_bar_before = after_open_bar;
        if !c.is_whitespace() {
            after_open_bar = false;
        }
        match c {
            // `|` opens an absolute value where an operand is expected and closes the
            // innermost one after an operand, exactly as the grammar reads it.
            '|' if !after_operand => {
                if open_bar_before {
                    return Err(Error::Syntax {
                        message: "two `|` in a row open two absolute values at once".into(),
                        span: Span::new(pos, pos + 1),
                        help: Some(
                            "a norm ||x|| is not supported: write |x| or abs(x); nest absolute \
                             values as abs(|x| + 1)"
                                .into(),
                        ),
                    });
                }
                open.push((c, pos, depth_outside));
                depth_outside += chain + 1;
                chain = 0;
                after_open_bar = true;
            }
            '|' => match open.last() {
                Some(&('|', _, outside)) => {
                    open.pop();
                    depth_outside = outside;
                    chain = 0;
                }
                Some(&(kind, open_pos, _)) if open.iter().any(|&(k, _, _)| k == '|') => {
                    return Err(Error::Syntax {
                        message: format!("`|` does not match the `{kind}` it closes"),
                        span: Span::new(pos, pos + 1),
                        help: Some(format!(
                            "the `{kind}` at column {} needs a closing `{}`",
                            input[..open_pos].chars().count() + 1,
                            closer(kind)
                        )),
                    });
                }
                _ => return Err(stray_bar(input, pos)),
            },
            '!' if after_operand => {
                return Err(Error::Syntax {
                    message: "unexpected character `!`".into(),
                    span: Span::new(pos, pos + 1),
                    help: Some("factorial is not supported".into()),
                });
            }
            '%' if input[pos + 1..].starts_with(char::is_alphabetic) => {
                return Err(maxima_constant(input, pos));
            }
            '(' | '[' => {
                open.push((c, pos, depth_outside));
                depth_outside += chain + 1;
                chain = 0;
                after_operand = false;
            }
            ')' | ']' => {
                let expected_open = if c == ')' { '(' } else { '[' };
                match open.pop() {
                    Some((kind, _, outside)) if kind == expected_open => {
                        depth_outside = outside;
                        chain = 0;
                    }
                    Some((kind, open_pos, _)) => {
                        return Err(Error::Syntax {
                            message: format!("`{c}` does not match the `{kind}` it closes"),
                            span: Span::new(pos, pos + 1),
                            help: Some(format!(
                                "the `{kind}` at column {} needs a closing `{}`",
                                input[..open_pos].chars().count() + 1,
                                closer(kind)
                            )),
                        });
                    }
                    None => {
                        return Err(Error::Syntax {
                            message: format!("unmatched `{c}`"),
                            span: Span::new(pos, pos + 1),
                            help: Some(format!("remove it or add the `{expected_open}` it closes")),
                        });
                    }
                }
                after_operand = true;
            }
            '+' | '-' => {
                if !after_operand {
                    chain += 1;
                } else {
                    chain = 0;
                }
                after_operand = false;
            }
            '^' => {
                chain += 1;
                after_operand = false;
            }
            '*' => {
                if chars.peek().is_some_and(|&(_, next)| next == '*') {
                    chars.next();
                    chain += 1;
                } else {
                    chain = 0;
                }
                after_operand = false;
            }
            '/' | ',' | '=' => {
                chain = 0;
                after_operand = false;
            }
            '\'' | '.' | '_' => {}
            c if c.is_whitespace() => {}
            c if c.is_alphanumeric() => after_operand = true,
            other => {
                // Invisible characters (controls, zero-width joiners) are shown escaped.
                let shown = if other.is_ascii_graphic()
                    || (other.is_alphanumeric() && !other.is_control())
                {
                    format!("`{other}`")
                } else {
                    format!("{other:?}")
                };
                return Err(Error::Syntax {
                    message: format!("unexpected character {shown}"),
                    span: Span::new(pos, pos + other.len_utf8()),
                    help: Some(
                        "expressions use letters, digits, + - * / ^ ** ( ) , ' and =".into(),
                    ),
                });
            }
        }
        let depth = depth_outside + chain;
        if depth > max_seen {
            max_seen = depth;
            if depth > max_depth {
                return Err(Error::Limit {
                    message: format!("the expression is nested more than {max_depth} levels deep"),
                    span: Some(Span::new(pos, pos + c.len_utf8())),
                    help: "raise the limit with --max-depth, or nest less deeply".into(),
                    reached: None,
                });
            }
        }
    }
    if let Some(&(kind, pos, _)) = open.last() {
        return Err(Error::Syntax {
            message: format!("unclosed `{kind}`"),
            span: Span::new(pos, pos + 1),
            help: Some(format!("add the `{}` that closes it", closer(kind))),
        });
    }
    Ok(max_seen)
}

/// The bracket that closes `open`: `)`, `]`, or `|` for an absolute value.
fn closer(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        other => other,
    }
}
