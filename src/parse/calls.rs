//! Lowering of calls: built-in functions, `diff(...)`, unknown functions and their
//! derivatives `f'(x)` and `D[i,...](g)(...)`.

use std::cell::RefCell;

use pest::iterators::Pair;

use crate::calculus::diff::{Dependencies, diff, total_diff};
use crate::error::{Error, Span};
use crate::expr::func::Func;
use crate::expr::multi::Multi;
use crate::expr::rational::Rational;
use crate::expr::subst::Substitution;
use crate::expr::{ExprId, Node};

use super::Rule;
use super::lower::{Lowerer, checked, lower_expr, lower_name, span_of};
use super::names::is_function_name;
use super::suggest;

fn lower_args(
    lowerer: &RefCell<Lowerer<'_>>,
    args: Pair<'_, Rule>,
) -> Result<Vec<(ExprId, Span)>, Error> {
    args.into_inner()
        .map(|arg| lower_expr(lowerer, arg))
        .collect()
}

pub(super) fn lower_call(
    lowerer: &RefCell<Lowerer<'_>>,
    pair: Pair<'_, Rule>,
    span: Span,
) -> Result<ExprId, Error> {
    let mut inner = pair.into_inner();
    let name_pair = inner.next();
    let primes = inner.next();
    if let (Some(name), None) = (&name_pair, &primes) {
        return lower_name(lowerer, name.as_str(), span_of(name));
    }
    let (Some(name_pair), Some(primes), Some(args)) = (name_pair, primes, inner.next()) else {
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
pub(super) fn lower_partial(
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
