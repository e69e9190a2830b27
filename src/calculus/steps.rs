//! Step-by-step derivations, traced from the differentiator itself: at each node it
//! applies its own rule ([`crate::calculus::diff`]'s `diff_node`) with the children's derivatives
//! left as placeholders `d/dx(u)`, and the placeholders are then replaced one rule at a
//! time, outermost first, as a derivative calculator shows it.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::calculus::diff::{
    Dependencies, Memo, Rules, derivative_of, diff_node, run, total_rules,
};
use crate::expr::func::Func;
use crate::expr::subst::replace;
use crate::expr::{ExprId, Node, Pool, SymbolId};
use crate::print::placeholder_name;

/// At most this many rule steps are shown; the rest are summarized in one step.
pub const MAX_STEPS: usize = 200;

/// One step: the rule applied and the whole expression after it.
#[derive(Clone, Debug)]
pub struct Step {
    /// The rule in words, for example `chain rule: the derivative of sin`.
    pub rule: String,
    /// The inner function of a chain rule (`u = x^2`).
    pub inner: Option<ExprId>,
    /// The derivative so far, placeholders for what is not yet differentiated.
    pub expr: ExprId,
}

/// A derivation `d/dx(f) = … = result`.
#[derive(Clone, Debug)]
pub struct Derivation {
    /// The placeholder `d/dx(f)` that the steps start from.
    pub start: ExprId,
    /// The steps, the last one's expression being the result.
    pub steps: Vec<Step>,
}

/// The derivation of `expr` in `var`: partial, or total under `deps`.
pub fn derivation(
    pool: &mut Pool,
    expr: ExprId,
    var: SymbolId,
    deps: Option<&Dependencies>,
) -> Derivation {
    let mut memo = Memo::default();
    let rules = match deps {
        Some(deps) => match total_rules(pool, var, deps, &mut memo) {
            Some(rules) => rules,
            // Dependencies that cannot be followed: no rule applies.
            None => {
                let start = ExprId::UNDEFINED;
                let step = Step {
                    rule: "the dependencies form a circle or conflict".into(),
                    inner: None,
                    expr: ExprId::UNDEFINED,
                };
                return Derivation {
                    start,
                    steps: vec![step],
                };
            }
        },
        None => Rules::partial(var),
    };
    let result = run(pool, expr, &rules, &mut memo);
    let name = placeholder_name(pool.symbol_name(var), deps.is_some());
    let name = pool.symbol(&name);
    let tracer = Tracer {
        rules: &rules,
        memo: &memo,
        name,
        var,
    };
    let start = tracer.placeholder(pool, expr);
    let mut steps = Vec::new();
    let mut current = start;
    let mut stack = vec![expr];
    let mut seen = FxHashSet::default();
    while let Some(u) = stack.pop() {
        if !seen.insert(u) {
            continue;
        }
        if steps.len() == MAX_STEPS {
            steps.push(Step {
                rule: "and so on, by the same rules".into(),
                inner: None,
                expr: result,
            });
            current = result;
            break;
        }
        let (rhs, children) = tracer.rule_formula(pool, u);
        let (rule, inner) = tracer.describe(pool, u);
        let map: FxHashMap<ExprId, ExprId> =
            [(tracer.placeholder(pool, u), rhs)].into_iter().collect();
        current = replace(pool, current, &map);
        steps.push(Step {
            rule,
            inner,
            expr: current,
        });
        stack.extend(children.into_iter().rev());
    }
    if let Some(deps) = deps {
        let substituted = deps.substitution.apply(pool, current);
        if substituted != current {
            current = substituted;
            steps.push(Step {
                rule: "substitute the constraints".into(),
                inner: None,
                expr: current,
            });
        }
    }
    let expected = match deps {
        Some(deps) => deps.substitution.apply(pool, result),
        None => result,
    };
    if current != expected {
        steps.push(Step {
            rule: "simplify".into(),
            inner: None,
            expr: expected,
        });
    }
    Derivation { start, steps }
}

struct Tracer<'a> {
    rules: &'a Rules,
    memo: &'a Memo,
    name: SymbolId,
    var: SymbolId,
}

impl Tracer<'_> {
    /// The placeholder `d/dx(u)` for a derivative not yet taken.
    fn placeholder(&self, pool: &mut Pool, u: ExprId) -> ExprId {
        pool.apply(self.name, &[0], &[u])
    }

    /// Whether `u`'s derivative gets a step of its own (rather than being written at once).
    fn has_step(&self, pool: &Pool, u: ExprId) -> bool {
        if derivative_of(pool, self.memo, u, self.rules) == ExprId::ZERO {
            return false;
        }
        match pool.node(u) {
            // A dependent variable's derivative `diff(y, x)` is final as it is.
            Node::Sym(symbol) => self
                .rules
                .symbols
                .get(symbol)
                .is_some_and(|&d| !matches!(pool.node(d), Node::Derivative { .. })),
            Node::Num(_) | Node::Const(_) | Node::Derivative { .. } | Node::Undefined => false,
            _ => true,
        }
    }

    /// The rule's right-hand side at `u`, children with steps of their own left as
    /// placeholders, and those children.
    fn rule_formula(&self, pool: &mut Pool, u: ExprId) -> (ExprId, Vec<ExprId>) {
        if let Node::Sym(symbol) = pool.node(u)
            && let Some(&derivative) = self.rules.symbols.get(symbol)
        {
            return (derivative, Vec::new());
        }
        // The operands whose derivatives the rule uses: the children, and for the
        // logarithm of a product the factors' bases.
        let mut operands = pool.children(u).to_vec();
        if let Node::Call(Func::Ln, arg) = *pool.node(u)
            && let Node::Mul(factors) = pool.node(arg)
        {
            operands.extend(factors.iter().map(|&f| match *pool.node(f) {
                Node::Pow([base, exp]) if pool.as_num(exp).is_some() => base,
                _ => f,
            }));
        }
        let mut local = Memo::default();
        let mut children = Vec::new();
        for child in operands {
            let value = if self.has_step(pool, child) {
                children.push(child);
                self.placeholder(pool, child)
            } else {
                derivative_of(pool, self.memo, child, self.rules)
            };
            local.insert((child, self.var), value);
        }
        let rhs = diff_node(pool, u, self.rules, &local);
        // Only the placeholders the rule kept need steps of their own.
        let present = pool.reachable(rhs, |_| true);
        let children = children
            .into_iter()
            .filter(|&c| {
                let placeholder = self.placeholder(pool, c);
                present.binary_search(&placeholder).is_ok()
            })
            .collect();
        (rhs, children)
    }

    fn varies(&self, pool: &Pool, u: ExprId) -> bool {
        derivative_of(pool, self.memo, u, self.rules) != ExprId::ZERO
    }

    /// The inner function of a chain rule, unless it is the variable itself.
    fn inner(&self, pool: &Pool, u: ExprId) -> Option<ExprId> {
        match pool.node(u) {
            Node::Sym(symbol) if *symbol == self.var => None,
            _ => Some(u),
        }
    }

    /// The rule applied at `u`, in words, and the inner function of a chain rule.
    fn describe(&self, pool: &Pool, u: ExprId) -> (String, Option<ExprId>) {
        let x = pool.symbol_name(self.var);
        match pool.node(u) {
            Node::Sym(symbol) => {
                let v = pool.symbol_name(*symbol);
                (
                    format!("{v} is constrained: d{v}/d{x} is the derivative of what replaces it"),
                    None,
                )
            }
            Node::Add(_) => ("sum rule".into(), None),
            Node::Mul(factors) => {
                let varying: Vec<ExprId> = factors
                    .iter()
                    .copied()
                    .filter(|&f| self.varies(pool, f))
                    .collect();
                let divides = varying.iter().any(|&f| match pool.node(f) {
                    Node::Pow([_, e]) => pool.as_num(*e).is_some_and(|e| e.is_negative()),
                    _ => false,
                });
                if varying.len() == 1 {
                    ("constant multiple rule".into(), None)
                } else if divides {
                    (
                        "quotient rule (the product rule with a negative power)".into(),
                        None,
                    )
                } else {
                    ("product rule".into(), None)
                }
            }
            Node::Pow([base, exp]) => match (self.varies(pool, *base), self.varies(pool, *exp)) {
                (true, false) => match self.inner(pool, *base) {
                    Some(inner) => ("power rule with the chain rule".into(), Some(inner)),
                    None => ("power rule".into(), None),
                },
                (false, _) => {
                    let rule = if *base == ExprId::E {
                        "exponential rule"
                    } else {
                        "exponential rule: (a^u)' = a^u*ln(a)*u'"
                    };
                    match self.inner(pool, *exp) {
                        Some(inner) => (format!("{rule}, with the chain rule"), Some(inner)),
                        None => (rule.into(), None),
                    }
                }
                (true, true) => (
                    "general power rule: (u^v)' = u^v*(v'*ln(u) + v*u'/u)".into(),
                    None,
                ),
            },
            Node::Call(Func::Ln, arg) if matches!(pool.node(*arg), Node::Mul(_)) => (
                "logarithm of a product: (ln(u*v))' = u'/u + v'/v".into(),
                None,
            ),
            Node::Call(func, arg) => {
                let rule = function_rule(*func);
                match self.inner(pool, *arg) {
                    Some(inner) => (format!("chain rule: {rule}"), Some(inner)),
                    None => (rule, None),
                }
            }
            Node::Atan2(_) => (
                "atan2 rule: (atan2(v, u))' = (u*v' - v*u')/(u^2 + v^2)".into(),
                None,
            ),
            Node::Max(_) => (
                "max rule: (max(u, v))' = u'*step(u - v) + v'*step(v - u)".into(),
                None,
            ),
            Node::Min(_) => (
                "min rule: (min(u, v))' = u'*step(v - u) + v'*step(u - v)".into(),
                None,
            ),
            Node::LogSumExp(_) => (
                "logsumexp rule: the softmax weights, (logsumexp(u, v))' = u'*exp(u - logsumexp(u, v)) + v'*exp(v - logsumexp(u, v))".into(),
                None,
            ),
            Node::Apply { name, .. } => (
                format!(
                    "chain rule for the unknown function {}",
                    pool.symbol_name(*name)
                ),
                None,
            ),
            _ => ("derivative".into(), None),
        }
    }
}

/// The rule for a built-in function, in words.
fn function_rule(func: Func) -> String {
    let rule = match func {
        Func::Sin => "sin' = cos",
        Func::Cos => "cos' = -sin",
        Func::Tan => "tan' = 1 + tan^2",
        Func::Sec => "sec' = sec*tan",
        Func::Csc => "csc' = -csc*cot",
        Func::Cot => "cot' = -(1 + cot^2)",
        Func::Asin => "asin'(u) = 1/sqrt(1 - u^2)",
        Func::Acos => "acos'(u) = -1/sqrt(1 - u^2)",
        Func::Atan => "atan'(u) = 1/(1 + u^2)",
        Func::Sinh => "sinh' = cosh",
        Func::Cosh => "cosh' = sinh",
        Func::Tanh => "tanh' = 1 - tanh^2",
        Func::Asinh => "asinh'(u) = 1/sqrt(u^2 + 1)",
        Func::Acosh => "acosh'(u) = 1/sqrt(u^2 - 1)",
        Func::Atanh => "atanh'(u) = 1/(1 - u^2)",
        Func::Exp => "exponential rule: exp' = exp",
        Func::Ln => "logarithm rule: ln'(u) = 1/u",
        Func::Log10 => "logarithm rule: log10'(u) = 1/(u*ln(10))",
        Func::Log2 => "logarithm rule: log2'(u) = 1/(u*ln(2))",
        Func::Abs => "abs' = sign (away from 0)",
        Func::Sign => "sign' = 0 (away from 0)",
        Func::Step => "step' = 0 (away from 0)",
        Func::Erf => "erf'(u) = 2*exp(-u^2)/sqrt(pi)",
        Func::Sigmoid => "sigmoid' = sigmoid*(1 - sigmoid)",
        Func::Softplus => "softplus' = sigmoid",
        Func::Relu => "relu' = step (away from 0)",
        Func::Acot => "acot'(u) = -1/(1 + u^2) (away from 0)",
        Func::Asec => "asec'(u) = 1/(abs(u)*sqrt(u^2 - 1))",
        Func::Acsc => "acsc'(u) = -1/(abs(u)*sqrt(u^2 - 1))",
        Func::Sech => "sech' = -sech*tanh",
        Func::Csch => "csch' = -csch*coth",
        Func::Coth => "coth' = 1 - coth^2",
        Func::Asech => "asech'(u) = -1/(u*sqrt(1 - u^2))",
        Func::Acsch => "acsch'(u) = -1/(abs(u)*sqrt(u^2 + 1))",
        Func::Acoth => "acoth'(u) = 1/(1 - u^2)",
        Func::Erfc => "erfc'(u) = -2*exp(-u^2)/sqrt(pi)",
        Func::Expm1 => "expm1' = exp",
        Func::Log1p => "logarithm rule: log1p'(u) = 1/(1 + u)",
        Func::Gelu => "gelu'(u) = (1 + erf(u/sqrt(2)))/2 + u*exp(-u^2/2)/sqrt(2*pi)",
        Func::Silu => "silu' = sigmoid*(1 + u*(1 - sigmoid))",
        Func::Elu => "elu'(u) = step(u) + exp(u)*step(-u)",
    };
    rule.to_string()
}
