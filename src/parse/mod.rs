//! Text to expression: a linear pre-scan (brackets, stray characters, nesting depth), the
//! pest grammar in `grammar/expr.pest`, then lowering of the parse tree into the [`Pool`]
//! with names resolved and every error placed at its span.

mod calls;
mod lower;
mod names;
mod scan;
pub(crate) mod suggest;
mod syntax;

use std::cell::RefCell;

use pest::Parser as _;
use pest::iterators::Pair;
use rustc_hash::FxHashMap;

use crate::error::{Error, Span, Warning};
use crate::expr::{ExprId, Pool, SymbolId};

pub use names::check_variable;
pub(crate) use names::is_function_name;

use lower::{Lowerer, checked, lower_expr, span_of};
use scan::scan;
use syntax::{empty_error, syntax_error};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/expr.pest"]
struct Grammar;

/// The deepest nesting the parser accepts by default (parentheses, calls, prefix signs
/// and chains of `^` all count).
pub const DEFAULT_MAX_DEPTH: usize = 100_000;

/// Nesting up to this depth is parsed on the caller's stack; deeper input gets a thread
/// with a stack sized for it.
const SHALLOW_DEPTH: usize = 256;

/// Stack bytes reserved per nesting level for deep input (measured use is well below).
const STACK_PER_LEVEL: usize = 16 * 1024;

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
                reached: None,
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
