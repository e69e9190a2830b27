//! Text to expression: a linear pre-scan (brackets, stray characters, nesting depth), the
//! pest grammar in `grammar/expr.pest`, then lowering of the parse tree into the [`Pool`]
//! with names resolved and every error placed at its span.

pub(crate) mod suggest;

use std::cell::RefCell;
use std::sync::LazyLock;

use pest::Parser as _;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rustc_hash::FxHashMap;

use crate::calculus::diff::{Dependencies, diff, total_diff};
use crate::error::{Error, Span, Warning};
use crate::expr::func::Func;
use crate::expr::multi::Multi;
use crate::expr::rational::Rational;
use crate::expr::subst::Substitution;
use crate::expr::{Constant, ExprId, Node, Pool, SymbolId};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/expr.pest"]
struct Grammar;

/// The deepest nesting the parser accepts by default (parentheses, calls, prefix signs
/// and chains of `^` all count).
pub const DEFAULT_MAX_DEPTH: usize = 100_000;

/// The largest decimal exponent a literal may have (`1e100000`).
const MAX_DECIMAL_EXPONENT: u64 = 100_000;

/// Nesting up to this depth is parsed on the caller's stack; deeper input gets a thread
/// with a stack sized for it.
const SHALLOW_DEPTH: usize = 256;

/// Stack bytes reserved per nesting level for deep input (measured use is well below).
const STACK_PER_LEVEL: usize = 16 * 1024;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left))
        .op(Op::prefix(Rule::neg) | Op::prefix(Rule::plus))
        .op(Op::infix(Rule::pow, Assoc::Right))
});

/// Parses `input` into a canonical expression in `pool`, with the default depth limit.
///
/// ```
/// use deriv::{Pool, parse, print};
/// let mut pool = Pool::new();
/// let e = parse(&mut pool, "-x^2 + 2*x*x").unwrap();
/// assert_eq!(print(&pool, e), "x^2");
/// assert!(parse(&mut pool, "2x").is_err());
/// ```
pub fn parse(pool: &mut Pool, input: &str) -> Result<ExprId, Error> {
    parse_with(pool, input, &ParseOptions::default())
}

/// How [`parse_with`] reads its input.
#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// Refuse nesting deeper than this.
    pub max_depth: usize,
    /// Accept an equation `LHS = RHS`, read as `LHS - RHS` (for implicit differentiation).
    pub equation: bool,
    /// Dependent variables `(y, x)`: `diff(y, x)` stays unevaluated, and `diff(...)`
    /// follows these dependencies.
    pub depends: Vec<(SymbolId, SymbolId)>,
}

impl Default for ParseOptions {
    fn default() -> ParseOptions {
        ParseOptions {
            max_depth: DEFAULT_MAX_DEPTH,
            equation: false,
            depends: Vec::new(),
        }
    }
}

/// Parses `input` with the given options.
pub fn parse_with(pool: &mut Pool, input: &str, options: &ParseOptions) -> Result<ExprId, Error> {
    parse_warned(pool, input, options).map(|(id, _)| id)
}

/// Parses `input` with the given options, with warnings about what it probably does not
/// mean: unknown functions named like a built-in (`Sin(x)`) and variables named like a
/// constant (`E^x`), each name once.
///
/// ```
/// use deriv::{ParseOptions, Pool, parse_warned};
/// let mut pool = Pool::new();
/// let (_, warnings) = parse_warned(&mut pool, "Sin(x) + E", &ParseOptions::default()).unwrap();
/// assert_eq!(warnings.len(), 2);
/// assert_eq!(warnings[0].help.as_deref(), Some("did you mean `sin`?"));
/// ```
pub fn parse_warned(
    pool: &mut Pool,
    input: &str,
    options: &ParseOptions,
) -> Result<(ExprId, Vec<Warning>), Error> {
    let depth = scan(input, options.max_depth)?;
    if depth <= SHALLOW_DEPTH {
        return parse_checked(pool, input, options);
    }
    let stack = (depth + 64).saturating_mul(STACK_PER_LEVEL);
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("deriv-parse".into())
            .stack_size(stack)
            .spawn_scoped(scope, || parse_checked(pool, input, options))
            .map_err(|e| Error::Limit {
                message: format!("cannot reserve {stack} bytes of stack to parse: {e}"),
                span: None,
                help: "nest the expression less deeply".into(),
            })?
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn parse_checked(
    pool: &mut Pool,
    input: &str,
    options: &ParseOptions,
) -> Result<(ExprId, Vec<Warning>), Error> {
    let mut pairs = Grammar::parse(Rule::input, input).map_err(|e| syntax_error(input, &e))?;
    let mut sides = pairs
        .next()
        .map(Pair::into_inner)
        .into_iter()
        .flatten()
        .filter(|p| p.as_rule() == Rule::expr);
    let (Some(lhs), rhs) = (sides.next(), sides.next()) else {
        return Err(empty_error(input));
    };
    let lowerer = RefCell::new(Lowerer {
        pool,
        arities: FxHashMap::default(),
        depends: &options.depends,
        warnings: Vec::new(),
    });
    let (lhs, _) = lower_expr(&lowerer, lhs)?;
    let Some(rhs) = rhs else {
        return Ok((lhs, lowerer.into_inner().warnings));
    };
    let span = span_of(&rhs);
    if !options.equation {
        let equals = input[..span.start].rfind('=').unwrap_or(span.start);
        return Err(Error::Syntax {
            message: "an equation is not an expression".into(),
            span: Span::new(equals, equals + 1),
            help: Some("differentiate an equation implicitly with --implicit VAR".into()),
        });
    }
    let (rhs, _) = lower_expr(&lowerer, rhs)?;
    let difference = lowerer.borrow_mut().pool.sub(lhs, rhs);
    let difference = checked(&lowerer, difference, span)?;
    Ok((difference, lowerer.into_inner().warnings))
}

fn empty_error(input: &str) -> Error {
    Error::Syntax {
        message: "empty expression".into(),
        span: Span::new(input.len(), input.len()),
        help: Some("give an expression such as x^2*sin(x)".into()),
    }
}

/// Checks brackets and characters and measures the nesting depth in one pass.
fn scan(input: &str, max_depth: usize) -> Result<usize, Error> {
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
                            "the `{kind}` at column {} needs `{}`",
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
                                "the `{kind}` at column {} needs `{}`",
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

/// The error for a `|` after an operand where no absolute value is open: `2|x|` (a
/// missing `*`) or a `|` alone.
fn stray_bar(input: &str, pos: usize) -> Error {
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
fn maxima_constant(input: &str, pos: usize) -> Error {
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
fn syntax_error(input: &str, error: &pest::error::Error<Rule>) -> Error {
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
                | Rule::neg
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
            "Mathematica's {name}[b, x] is the logarithm of x to base b: write ln({arg})/ln({base})"
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
fn token_at(text: &str) -> Option<&str> {
    let end = text
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(text.len(), |(i, _)| i);
    (end > 0).then(|| &text[..end])
}

/// The operand that ends `text`: a name, a number or a parenthesized group with the
/// function name before it (`sin(x)`), shortened when long.
fn operand_before(text: &str) -> String {
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
fn shorten(operand: &str, keep_end: bool) -> String {
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

struct Lowerer<'p> {
    pool: &'p mut Pool,
    /// Unknown functions seen so far: their arity and first use.
    arities: FxHashMap<SymbolId, (usize, Span)>,
    /// Dependent variables, for `diff(...)`.
    depends: &'p [(SymbolId, SymbolId)],
    /// What the input probably does not mean, each name once.
    warnings: Vec<Warning>,
}

impl Lowerer<'_> {
    /// Adds a warning, unless one about the same name is already there.
    fn warn(&mut self, warning: Option<Warning>) {
        if let Some(warning) = warning
            && !self.warnings.iter().any(|w| w.name == warning.name)
        {
            self.warnings.push(warning);
        }
    }
}

/// A lowered operand. Chains of `+ -` and `* /` are collected and built once, so that a
/// sum of a million terms costs one sort, not a million.
enum Operand {
    Done(ExprId),
    Sum(Vec<ExprId>),
    Product(Vec<ExprId>),
}

type Lowered = Result<(Operand, Span), Error>;

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    Span::new(span.start(), span.end())
}

fn lower_expr(
    lowerer: &RefCell<Lowerer<'_>>,
    pair: Pair<'_, Rule>,
) -> Result<(ExprId, Span), Error> {
    let (operand, span) = lower_pairs(lowerer, pair.into_inner())?;
    let id = finish(lowerer, operand, span)?;
    Ok((id, span))
}

fn lower_pairs(lowerer: &RefCell<Lowerer<'_>>, pairs: Pairs<'_, Rule>) -> Lowered {
    PRATT
        .map_primary(|primary| {
            let span = span_of(&primary);
            let id = lower_primary(lowerer, primary)?;
            Ok((Operand::Done(id), span))
        })
        .map_prefix(|op, operand| {
            let (operand, span) = operand?;
            let span = span_of(&op).to(span);
            if op.as_rule() != Rule::neg {
                return Ok((operand, span));
            }
            // `-a` joins the product it starts as a factor -1, so `-(x - y)/z` is the
            // product of -1, x - y and 1/z, exactly as the printer means it.
            let factors = match operand {
                Operand::Product(mut factors) => {
                    factors.insert(0, ExprId::MINUS_ONE);
                    factors
                }
                other => vec![ExprId::MINUS_ONE, finish(lowerer, other, span)?],
            };
            Ok((Operand::Product(factors), span))
        })
        .map_infix(|lhs, op, rhs| {
            let (lhs, lhs_span) = lhs?;
            let (rhs, rhs_span) = rhs?;
            let span = lhs_span.to(rhs_span);
            let rhs = finish(lowerer, rhs, rhs_span)?;
            let operand = match op.as_rule() {
                Rule::add | Rule::sub => {
                    let rhs = if op.as_rule() == Rule::sub {
                        checked(lowerer, lowerer.borrow_mut().pool.neg(rhs), span)?
                    } else {
                        rhs
                    };
                    match lhs {
                        Operand::Sum(mut terms) => {
                            terms.push(rhs);
                            Operand::Sum(terms)
                        }
                        other => Operand::Sum(vec![finish(lowerer, other, lhs_span)?, rhs]),
                    }
                }
                Rule::mul | Rule::div => {
                    let rhs = if op.as_rule() == Rule::div {
                        let inverse = lowerer.borrow_mut().pool.powi(rhs, -1);
                        checked(lowerer, inverse, span)?
                    } else {
                        rhs
                    };
                    match lhs {
                        Operand::Product(mut factors) => {
                            factors.push(rhs);
                            Operand::Product(factors)
                        }
                        other => Operand::Product(vec![finish(lowerer, other, lhs_span)?, rhs]),
                    }
                }
                _ => {
                    let lhs = finish(lowerer, lhs, lhs_span)?;
                    let id = lowerer.borrow_mut().pool.pow(lhs, rhs);
                    Operand::Done(checked(lowerer, id, span)?)
                }
            };
            Ok((operand, span))
        })
        .parse(pairs)
}

/// Builds a collected sum or product.
fn finish(lowerer: &RefCell<Lowerer<'_>>, operand: Operand, span: Span) -> Result<ExprId, Error> {
    let id = match operand {
        Operand::Done(id) => return Ok(id),
        Operand::Sum(terms) => lowerer.borrow_mut().pool.add(&terms),
        Operand::Product(factors) => lowerer.borrow_mut().pool.mul(&factors),
    };
    checked(lowerer, id, span)
}

/// Turns an undefined result into an error at the span of the subexpression.
fn checked(lowerer: &RefCell<Lowerer<'_>>, id: ExprId, span: Span) -> Result<ExprId, Error> {
    if id != ExprId::UNDEFINED {
        return Ok(id);
    }
    let reason = crate::print::undefined_reason_text(lowerer.borrow().pool);
    if let Some(limit) = lowerer.borrow().pool.limit_reached() {
        return Err(Error::limit(limit, reason, Some(span)));
    }
    Err(Error::Undefined {
        reason,
        span: Some(span),
    })
}

fn lower_primary(lowerer: &RefCell<Lowerer<'_>>, pair: Pair<'_, Rule>) -> Result<ExprId, Error> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::number => {
            let value =
                Rational::parse_decimal(pair.as_str(), MAX_DECIMAL_EXPONENT).ok_or_else(|| {
                    Error::Limit {
                        message: format!("the number `{}` is too large", pair.as_str()),
                        span: Some(span),
                        help: format!("decimal exponents may be at most {MAX_DECIMAL_EXPONENT}"),
                    }
                })?;
            Ok(lowerer.borrow_mut().pool.num(value))
        }
        Rule::name => lower_name(lowerer, pair.as_str(), span),
        Rule::expr => Ok(lower_expr(lowerer, pair)?.0),
        Rule::call => lower_call(lowerer, pair, span),
        Rule::abs => {
            let inner = pair.into_inner().next().ok_or_else(|| Error::Syntax {
                message: "malformed absolute value".into(),
                span,
                help: None,
            })?;
            let (arg, _) = lower_expr(lowerer, inner)?;
            let id = lowerer.borrow_mut().pool.call(Func::Abs, arg);
            checked(lowerer, id, span)
        }
        Rule::partial => lower_partial(lowerer, pair, span),
        rule => Err(Error::Syntax {
            message: format!("unexpected {rule:?}"),
            span,
            help: None,
        }),
    }
}

fn lower_name(lowerer: &RefCell<Lowerer<'_>>, name: &str, span: Span) -> Result<ExprId, Error> {
    let mut lowerer = lowerer.borrow_mut();
    match name {
        "pi" | "π" => Ok(lowerer.pool.constant(Constant::Pi)),
        "e" => Ok(lowerer.pool.constant(Constant::E)),
        _ if is_function_name(name) => Err(Error::Name {
            message: format!("`{name}` is a function, not a variable"),
            span,
            help: Some(match Multi::from_name(name) {
                Some(multi) if !multi.takes(1) => {
                    format!("call it with its arguments: {}", multi.usage())
                }
                _ => format!("call it with an argument: {name}(x)"),
            }),
        }),
        _ => {
            if matches!(name, "E" | "Pi" | "PI" | "I") {
                lowerer.warn(suggest::constant_like_variable(name, span));
            }
            Ok(lowerer.pool.var(name))
        }
    }
}

/// Whether `name` is a built-in function (see [`crate::expr::func::is_builtin_name`]).
pub(crate) fn is_function_name(name: &str) -> bool {
    crate::expr::func::is_builtin_name(name)
}

fn lower_args(
    lowerer: &RefCell<Lowerer<'_>>,
    args: Pair<'_, Rule>,
) -> Result<Vec<(ExprId, Span)>, Error> {
    args.into_inner()
        .map(|arg| lower_expr(lowerer, arg))
        .collect()
}

fn lower_call(
    lowerer: &RefCell<Lowerer<'_>>,
    pair: Pair<'_, Rule>,
    span: Span,
) -> Result<ExprId, Error> {
    let mut inner = pair.into_inner();
    let (Some(name_pair), Some(primes), Some(args)) = (inner.next(), inner.next(), inner.next())
    else {
        return Err(Error::Syntax {
            message: "malformed call".into(),
            span,
            help: None,
        });
    };
    let name = name_pair.as_str();
    let name_span = span_of(&name_pair);
    let n_primes = primes.as_str().chars().filter(|&c| c == '\'').count();
    let args = lower_args(lowerer, args)?;
    let arity_error = |expected: &str| Error::Name {
        message: format!("`{name}` takes {expected}, but was given {}", args.len()),
        span,
        help: None,
    };
    if n_primes > 0 && is_function_name(name) {
        return Err(Error::Name {
            message: format!("primes are for unknown functions, and `{name}` is built in"),
            span: span_of(&primes),
            help: Some(format!("differentiate it instead: diff({name}(x), x)")),
        });
    }
    let id = match name {
        "pi" | "π" | "e" => {
            return Err(Error::Name {
                message: format!("`{name}` is a constant, not a function"),
                span: name_span,
                help: Some(format!("multiply explicitly: {name}*(...)")),
            });
        }
        "diff" => return lower_diff(lowerer, &args, span),
        "sqrt" | "cbrt" => {
            let [(arg, _)] = args[..] else {
                return Err(arity_error("one argument"));
            };
            let exp = if name == "sqrt" {
                Rational::HALF
            } else {
                Rational::new(1, 3).unwrap_or(Rational::ONE)
            };
            let mut lowerer = lowerer.borrow_mut();
            let exp = lowerer.pool.num(exp);
            lowerer.pool.pow(arg, exp)
        }
        _ if let Some(multi) = Multi::from_name(name) => {
            if !multi.takes(args.len()) {
                return Err(Error::Name {
                    message: format!(
                        "`{name}` takes {}, but was given {}",
                        multi.arity_text(),
                        args.len()
                    ),
                    span,
                    help: Some(format!("write {}", multi.usage())),
                });
            }
            let args: Vec<ExprId> = args.iter().map(|&(arg, _)| arg).collect();
            lowerer.borrow_mut().pool.multi(multi, &args)
        }
        _ => match Func::from_name(name) {
            Some(func) => {
                let [(arg, _)] = args[..] else {
                    return Err(arity_error("one argument"));
                };
                lowerer.borrow_mut().pool.call(func, arg)
            }
            None => {
                if args.is_empty() {
                    return Err(Error::Name {
                        message: format!("`{name}()` has no arguments"),
                        span,
                        help: Some(format!("an unknown function needs at least one: {name}(x)")),
                    });
                }
                if n_primes > 0 && args.len() > 1 {
                    return Err(Error::Name {
                        message: "primes are for functions of one argument".into(),
                        span: span_of(&primes),
                        help: Some(format!(
                            "write D[k]({name})(...) for the derivative in argument k"
                        )),
                    });
                }
                let mut orders = vec![0u32; args.len()];
                if let Some(first) = orders.first_mut() {
                    *first = u32::try_from(n_primes).unwrap_or(u32::MAX);
                }
                apply_unknown(lowerer, name, name_span, &orders, &args, span)?
            }
        },
    };
    checked(lowerer, id, span)
}

/// An unknown function, checking that every use has the same number of arguments.
fn apply_unknown(
    lowerer: &RefCell<Lowerer<'_>>,
    name: &str,
    name_span: Span,
    orders: &[u32],
    args: &[(ExprId, Span)],
    span: Span,
) -> Result<ExprId, Error> {
    let mut lowerer = lowerer.borrow_mut();
    let symbol = lowerer.pool.symbol(name);
    if !lowerer.arities.contains_key(&symbol) {
        lowerer.warn(suggest::unknown_function(name, name_span));
    }
    let (arity, _) = *lowerer
        .arities
        .entry(symbol)
        .or_insert((args.len(), name_span));
    if arity != args.len() {
        return Err(Error::Name {
            message: format!(
                "`{name}` is used with {arity} argument{} and with {}",
                if arity == 1 { "" } else { "s" },
                args.len()
            ),
            span,
            help: Some("an unknown function must always take the same number of arguments".into()),
        });
    }
    let ids: Vec<ExprId> = args.iter().map(|&(id, _)| id).collect();
    Ok(lowerer.pool.apply(symbol, orders, &ids))
}

/// `diff(EXPR, VAR)` or `diff(EXPR, VAR, N)`: the derivative, evaluated.
fn lower_diff(
    lowerer: &RefCell<Lowerer<'_>>,
    args: &[(ExprId, Span)],
    span: Span,
) -> Result<ExprId, Error> {
    let usage = |message: String, at: Span| Error::Name {
        message,
        span: at,
        help: Some("write diff(EXPR, VAR) or diff(EXPR, VAR, N)".into()),
    };
    if !(2..=3).contains(&args.len()) {
        return Err(usage(
            format!(
                "`diff` takes 2 or 3 arguments, but was given {}",
                args.len()
            ),
            span,
        ));
    }
    let mut lowerer_ref = lowerer.borrow_mut();
    let depends = lowerer_ref.depends;
    let pool = &mut *lowerer_ref.pool;
    let (expr, _) = args[0];
    let (var, var_span) = args[1];
    let Node::Sym(symbol) = *pool.node(var) else {
        return Err(usage(
            "the second argument of `diff` must be a variable".into(),
            var_span,
        ));
    };
    let order = match args.get(2) {
        None => 1,
        Some(&(n, n_span)) => match pool.as_num(n).and_then(Rational::to_i64) {
            Some(n) if (0..=10_000).contains(&n) => n,
            _ => {
                return Err(usage(
                    "the order of `diff` must be an integer from 0 to 10000".into(),
                    n_span,
                ));
            }
        },
    };
    let mut result = expr;
    if depends.is_empty() {
        for _ in 0..order {
            result = diff(pool, result, symbol);
        }
    } else {
        let deps = Dependencies {
            substitution: Substitution::new(),
            depends: depends.to_vec(),
        };
        for _ in 0..order {
            result = total_diff(pool, result, symbol, &deps);
        }
    }
    drop(lowerer_ref);
    checked(lowerer, result, span)
}

/// `D[i,j,...](g)(args)`: the unknown `g` differentiated in arguments `i`, `j`, ...
fn lower_partial(
    lowerer: &RefCell<Lowerer<'_>>,
    pair: Pair<'_, Rule>,
    span: Span,
) -> Result<ExprId, Error> {
    let mut indices = Vec::new();
    let mut name = None;
    let mut args = None;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::index => indices.push((part.as_str().parse::<usize>().ok(), span_of(&part))),
            Rule::name => name = Some((part.as_str(), span_of(&part))),
            Rule::args => args = Some(lower_args(lowerer, part)?),
            _ => {}
        }
    }
    let (Some((name, name_span)), Some(args)) = (name, args) else {
        return Err(Error::Syntax {
            message: "malformed D[...] derivative".into(),
            span,
            help: None,
        });
    };
    if is_function_name(name) || matches!(name, "pi" | "π" | "e") {
        return Err(Error::Name {
            message: format!("D[...] is for unknown functions, and `{name}` is built in"),
            span: name_span,
            help: Some(format!("differentiate it instead: diff({name}(x), x)")),
        });
    }
    let mut orders = vec![0u32; args.len()];
    for (index, index_span) in indices {
        match index {
            Some(k) if (1..=args.len()).contains(&k) => orders[k - 1] += 1,
            _ => {
                return Err(Error::Name {
                    message: format!(
                        "argument number out of range: `{name}` has {} argument{}",
                        args.len(),
                        if args.len() == 1 { "" } else { "s" }
                    ),
                    span: index_span,
                    help: Some("argument numbers start at 1".into()),
                });
            }
        }
    }
    apply_unknown(lowerer, name, name_span, &orders, &args, span)
}

/// Checks that `name` can be a variable.
pub fn check_variable(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(char::is_alphabetic)
        && chars.all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{name}` is not a variable name (a letter, then letters, digits or _)"
        ));
    }
    if matches!(name, "pi" | "π" | "e") {
        return Err(format!("`{name}` is a constant, not a variable"));
    }
    if crate::expr::func::is_builtin_name(name) {
        return Err(format!("`{name}` is a function, not a variable"));
    }
    Ok(())
}

/// Splits `x=1,y=2` at the commas outside parentheses.
pub fn split_top_level(text: &str) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push((start, &text[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push((start, &text[start..]));
    parts
}
