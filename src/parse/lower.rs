//! Lowering of the parse tree into the pool: operators by precedence, numbers, names and
//! groups, with every undefined result turned into an error at its span.

use std::cell::RefCell;
use std::iter::Peekable;

use pest::iterators::{Pair, Pairs};
use rustc_hash::FxHashMap;

use crate::error::{Error, Span, Warning};
use crate::expr::func::Func;
use crate::expr::multi::Multi;
use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Pool, SymbolId};

use super::Rule;
use super::calls::{lower_call, lower_partial};
use super::names::is_function_name;
use super::suggest;

/// The largest decimal exponent a literal may have (`1e100000`).
const MAX_DECIMAL_EXPONENT: u64 = 100_000;

pub(super) struct Lowerer<'p> {
    pub(super) pool: &'p mut Pool,
    /// Unknown functions seen so far: their arity and first use.
    pub(super) arities: FxHashMap<SymbolId, (usize, Span)>,
    /// Dependent variables, for `diff(...)`.
    pub(super) depends: &'p [(SymbolId, SymbolId)],
    /// What the input probably does not mean, each name once.
    pub(super) warnings: Vec<Warning>,
}

impl Lowerer<'_> {
    /// Adds a warning, unless one about the same name is already there.
    pub(super) fn warn(&mut self, warning: Option<Warning>) {
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

pub(super) fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    Span::new(span.start(), span.end())
}

pub(super) fn lower_expr(
    lowerer: &RefCell<Lowerer<'_>>,
    pair: Pair<'_, Rule>,
) -> Result<(ExprId, Span), Error> {
    let (operand, span) = lower_pairs(lowerer, pair.into_inner())?;
    let id = finish(lowerer, operand, span)?;
    Ok((id, span))
}

fn lower_pairs(lowerer: &RefCell<Lowerer<'_>>, pairs: Pairs<'_, Rule>) -> Lowered {
    climb(lowerer, &mut pairs.peekable(), 0)
}

/// An infix operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Infix {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

impl Infix {
    /// The operator an `infix` token's text names.
    fn of(text: &str) -> Infix {
        match text {
            "+" => Infix::Add,
            "-" => Infix::Sub,
            "*" => Infix::Mul,
            "/" => Infix::Div,
            _ => Infix::Pow,
        }
    }

    /// How tightly it binds its left operand: `+ -` < `* /` < a prefix sign < `^`.
    fn power(self) -> u8 {
        match self {
            Infix::Add | Infix::Sub => 20,
            Infix::Mul | Infix::Div => 30,
            Infix::Pow => 50,
        }
    }
}

/// How tightly a prefix sign binds its operand: `-x*y` is `(-x)*y`, `-x^2` is `-(x^2)`.
const PREFIX_POWER: u8 = 40;

/// Precedence climbing (Pratt) over an operand's tokens: an operand, then every operator
/// that binds more tightly than `floor` with its right operand; `^` is right-associative.
fn climb(
    lowerer: &RefCell<Lowerer<'_>>,
    pairs: &mut Peekable<Pairs<'_, Rule>>,
    floor: u8,
) -> Lowered {
    let first = pairs.next().ok_or_else(|| Error::Syntax {
        message: "expected an expression".into(),
        span: Span::new(0, 0),
        help: None,
    })?;
    let mut lhs = if first.as_rule() == Rule::sign {
        let operand = climb(lowerer, pairs, PREFIX_POWER - 1)?;
        prefix(lowerer, &first, operand)?
    } else {
        let span = span_of(&first);
        (Operand::Done(lower_primary(lowerer, first)?), span)
    };
    while let Some(op) = (pairs.peek())
        .filter(|pair| pair.as_rule() == Rule::infix)
        .map(|pair| Infix::of(pair.as_str()))
    {
        if op.power() <= floor {
            break;
        }
        pairs.next();
        let right_floor = if op == Infix::Pow {
            op.power() - 1
        } else {
            op.power()
        };
        let rhs = climb(lowerer, pairs, right_floor)?;
        lhs = infix(lowerer, lhs, op, rhs)?;
    }
    Ok(lhs)
}

/// A prefix sign applied to its operand.
fn prefix(
    lowerer: &RefCell<Lowerer<'_>>,
    sign: &Pair<'_, Rule>,
    operand: (Operand, Span),
) -> Lowered {
    let (operand, span) = operand;
    let span = span_of(sign).to(span);
    if sign.as_str() != "-" {
        return Ok((operand, span));
    }
    // `-a` joins the product it starts as a factor -1, so `-(x - y)/z` is the product
    // of -1, x - y and 1/z, exactly as the printer means it.
    let factors = match operand {
        Operand::Product(mut factors) => {
            factors.insert(0, ExprId::MINUS_ONE);
            factors
        }
        other => vec![ExprId::MINUS_ONE, finish(lowerer, other, span)?],
    };
    Ok((Operand::Product(factors), span))
}

/// An infix operator applied to its operands: sums and products collected, to be built
/// once.
fn infix(
    lowerer: &RefCell<Lowerer<'_>>,
    (lhs, lhs_span): (Operand, Span),
    op: Infix,
    (rhs, rhs_span): (Operand, Span),
) -> Lowered {
    let span = lhs_span.to(rhs_span);
    let rhs = finish(lowerer, rhs, rhs_span)?;
    let operand = match op {
        Infix::Add | Infix::Sub => {
            let rhs = if op == Infix::Sub {
                checked(lowerer, lowerer.borrow_mut().pool.neg(rhs), span)?
            } else {
                rhs
            };
            joined(lowerer, (lhs, lhs_span), rhs, Infix::Add)?
        }
        Infix::Mul | Infix::Div => {
            let rhs = if op == Infix::Div {
                let inverse = lowerer.borrow_mut().pool.powi(rhs, -1);
                checked(lowerer, inverse, span)?
            } else {
                rhs
            };
            joined(lowerer, (lhs, lhs_span), rhs, Infix::Mul)?
        }
        Infix::Pow => {
            let lhs = finish(lowerer, lhs, lhs_span)?;
            let id = lowerer.borrow_mut().pool.pow(lhs, rhs);
            Operand::Done(checked(lowerer, id, span)?)
        }
    };
    Ok((operand, span))
}

/// `lhs` with one more term (`Infix::Add`) or factor (`Infix::Mul`): appended to the
/// sum or product it already collects, else the start of one.
fn joined(
    lowerer: &RefCell<Lowerer<'_>>,
    (lhs, lhs_span): (Operand, Span),
    rhs: ExprId,
    op: Infix,
) -> Result<Operand, Error> {
    Ok(match (lhs, op) {
        (Operand::Sum(mut terms), Infix::Add) => {
            terms.push(rhs);
            Operand::Sum(terms)
        }
        (Operand::Product(mut factors), Infix::Mul) => {
            factors.push(rhs);
            Operand::Product(factors)
        }
        (other, Infix::Add) => Operand::Sum(vec![finish(lowerer, other, lhs_span)?, rhs]),
        (other, _) => Operand::Product(vec![finish(lowerer, other, lhs_span)?, rhs]),
    })
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
pub(super) fn checked(
    lowerer: &RefCell<Lowerer<'_>>,
    id: ExprId,
    span: Span,
) -> Result<ExprId, Error> {
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
                        reached: None,
                    }
                })?;
            Ok(lowerer.borrow_mut().pool.num(value))
        }
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

pub(super) fn lower_name(
    lowerer: &RefCell<Lowerer<'_>>,
    name: &str,
    span: Span,
) -> Result<ExprId, Error> {
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
