//! The options parsed into one pool: the differentiation variables, the constraints, the
//! point and the dependencies, checked once before any input is read.

use rustc_hash::{FxHashMap, FxHashSet};

use super::Request;
use super::assignment::parse_option_expr;
use crate::calculus::diff::{Dependencies, DependencyError};
use crate::error::{Error, Span};
use crate::expr::subst::{Substitution, free_symbols};
use crate::expr::{ExprId, Pool, SymbolId};
use crate::parse::ParseOptions;

/// Everything a request needs inside one pool.
pub(super) struct Context {
    pub(super) wrt: Vec<SymbolId>,
    pub(super) substitution: Substitution,
    pub(super) at: FxHashMap<ExprId, ExprId>,
    pub(super) depends: Vec<(SymbolId, SymbolId)>,
}

impl Request {
    /// Checks the option arguments once, before any input is read.
    pub fn check_options(&self) -> Result<(), Error> {
        let mut pool = Pool::new();
        self.context(&mut pool)?;
        if let Some(rate) = &self.sgd {
            parse_option_expr(&mut pool, rate, &self.parse_options(Vec::new(), false))?;
        }
        Ok(())
    }

    pub(super) fn parse_options(
        &self,
        depends: Vec<(SymbolId, SymbolId)>,
        equation: bool,
    ) -> ParseOptions {
        ParseOptions {
            max_depth: self.max_depth,
            equation,
            depends,
        }
    }

    /// Parses the option expressions into `pool`.
    pub(super) fn context(&self, pool: &mut Pool) -> Result<Context, Error> {
        let wrt: Vec<SymbolId> = self.wrt.iter().map(|v| pool.symbol(v)).collect();
        let first = wrt.first().copied();
        let mut depends = Vec::new();
        for (var, on) in &self.depends {
            let on = match on {
                Some(on) => pool.symbol(on),
                None => match first {
                    Some(first) => first,
                    None => {
                        return Err(depends_error(
                            format!(
                                "--depends {var}: `{var}` depends on the --wrt variable, but \
                                 there is none"
                            ),
                            format!("name the variable it depends on: --depends '{var}(x)'"),
                        ));
                    }
                },
            };
            let pair = (pool.symbol(var), on);
            if !depends.contains(&pair) {
                depends.push(pair);
            }
        }
        if let (Some(y), Some(x)) = (&self.implicit, first) {
            depends.push((pool.symbol(y), x));
        }
        let options = self.parse_options(depends.clone(), false);
        let mut raw = Substitution::new();
        for assignment in &self.subst {
            let value = parse_option_expr(pool, assignment, &options)?;
            raw.insert(pool.symbol(&assignment.var), value);
        }
        let substitution = raw.resolve(pool).map_err(|cycle| {
            let names: Vec<&str> = cycle.path.iter().map(|&s| pool.symbol_name(s)).collect();
            let first = &self.subst[0];
            Error::malformed_option(
                "--subst",
                &first.text,
                format!("the substitutions form a cycle: {}", names.join(" -> ")),
                Span::new(0, first.text.len()),
                "each variable may be replaced only by an expression that does not lead back to it"
                    .into(),
            )
        })?;
        for var in &self.wrt {
            if let Some(rule) = self.subst.iter().find(|a| a.var == *var) {
                return Err(Error::malformed_option(
                    "--subst",
                    &rule.text,
                    format!(
                        "cannot differentiate with respect to {}: --subst replaces it",
                        rule.var
                    ),
                    Span::new(0, rule.var.len()),
                    format!(
                        "differentiate with respect to a variable that {} is written in",
                        rule.var
                    ),
                ));
            }
        }
        let deps = Dependencies {
            substitution: substitution.clone(),
            depends: depends.clone(),
        };
        if let Err(error) = deps.check(pool) {
            let name = |s: SymbolId| pool.symbol_name(s).to_string();
            let (message, help) = match error {
                DependencyError::Cycle(path) => (
                    format!(
                        "the dependencies form a cycle: {}",
                        path.iter()
                            .map(|&s| name(s))
                            .collect::<Vec<_>>()
                            .join(" -> ")
                    ),
                    "a variable cannot depend, through --depends or --subst, on itself".into(),
                ),
                DependencyError::TwoVariables(y, a, b) => (
                    format!(
                        "--depends: `{}` is declared to depend on both `{}` and `{}`",
                        name(y),
                        name(a),
                        name(b)
                    ),
                    format!(
                        "diff({0}, {1}) is an ordinary derivative, so a variable depends on one \
                         other: chain them instead (--depends '{0}({1})' --depends '{1}({2})')",
                        name(y),
                        name(a),
                        name(b)
                    ),
                ),
                DependencyError::Substituted(y) => (
                    format!("--depends {0}: --subst also replaces `{0}`", name(y)),
                    "give either the dependency or the substitution".into(),
                ),
            };
            return Err(depends_error(message, help));
        }
        let mut at = FxHashMap::default();
        for assignment in &self.at {
            if let Some(rule) = self.subst.iter().find(|a| a.var == assignment.var) {
                return Err(Error::malformed_option(
                    "--at",
                    &assignment.text,
                    format!(
                        "--at {}: --subst replaces `{}`, so it has no value of its own",
                        assignment.var, assignment.var
                    ),
                    Span::new(0, assignment.var.len()),
                    format!(
                        "give values to the variables of `{}` instead",
                        rule.text.trim()
                    ),
                ));
            }
            let value = parse_option_expr(pool, assignment, &options)?;
            let var = pool.var(&assignment.var);
            at.insert(var, value);
        }
        Ok(Context {
            wrt,
            substitution,
            at,
            depends,
        })
    }

    pub(super) fn dependencies(&self, context: &Context) -> Dependencies {
        Dependencies {
            substitution: context.substitution.clone(),
            depends: context.depends.clone(),
        }
    }

    /// Under `--const`/`--vary-all`, every variable but the constants depends on the
    /// differentiation variable: those of `input` once every substitution is made, and
    /// those that declared dependencies lead to.
    pub(super) fn vary_all_except(
        &self,
        pool: &mut Pool,
        context: &mut Context,
        input: ExprId,
        constants: &[String],
    ) {
        let constants: Vec<SymbolId> = constants.iter().map(|c| pool.symbol(c)).collect();
        let Some(&x) = context.wrt.first() else {
            return;
        };
        let substituted = context.substitution.apply(pool, input);
        let mut variables = free_symbols(pool, substituted);
        let mut seen: FxHashSet<SymbolId> = variables.iter().copied().collect();
        let mut next = 0;
        while let Some(&v) = variables.get(next) {
            next += 1;
            let mut reached: Vec<SymbolId> = context
                .depends
                .iter()
                .filter(|&&(d, _)| d == v)
                .map(|&(_, on)| on)
                .collect();
            if let Some(replacement) = context.substitution.get(v) {
                reached.extend(free_symbols(pool, replacement));
            }
            for w in reached {
                if seen.insert(w) {
                    variables.push(w);
                }
            }
        }
        for v in variables {
            let declared = context.depends.iter().any(|&(d, _)| d == v);
            let substituted = context.substitution.get(v).is_some();
            if v != x && !constants.contains(&v) && !declared && !substituted {
                context.depends.push((v, x));
            }
        }
    }
}

/// A usage error in the `--depends` declarations.
fn depends_error(message: String, help: String) -> Error {
    Error::Option {
        error: Box::new(Error::Usage {
            message,
            help: Some(help),
        }),
        text: String::new(),
        option: "--depends",
        malformed: true,
    }
}
