//! Step-by-step derivations, traced from the differentiator itself: at each node it
//! applies its own rule ([`crate::calculus::diff`]'s `diff_node`) with the children's derivatives
//! left as placeholders `d/dx(u)`, and the placeholders are then replaced one rule at a
//! time, outermost first, as a derivative calculator shows it.
//!
//! One rule is the textbook's rather than the differentiator's: a product with a varying
//! numerator and a varying denominator (`(2*x + 1)/(x - 4)`, stored as a product with a
//! negative power) takes the quotient rule `(u'*v - u*v')/v^2`, where the differentiator
//! uses the product rule. Its sums are grouped (see [`GROUP`]) so that the constructors do
//! not multiply them out while the derivatives inside are worked out; a last step removes
//! the groups and ends at an expression equal to the derivative.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::algebra::expand::is_zero;
use crate::algebra::together::together;
use crate::calculus::diff::{
    Dependencies, Memo, Rules, derivative_of, diff_node, run, total_rules,
};
use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::subst::{rebuild, replace, replacements};
use crate::expr::{ExprId, Node, Pool, SymbolId};
use crate::print::{placeholder_name, print};

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
    /// The steps, the last one's expression being the derivative: the result, or after
    /// the quotient rule an expression equal to it (`-9/(x - 4)^2` for
    /// `2/(x - 4) - (2*x + 1)/(x - 4)^2`).
    pub steps: Vec<Step>,
}

/// The name of a group: an unknown function with an empty name, which prints as its
/// argument, bracketed only where its place needs it (`2*(x - 4) - (2*x + 1)`, but
/// `x^2 + 1 - 2*x^2`), and parses back as the argument. The constructors do not look inside it, so the quotient rule's
/// `2*(x - 4) - (2*x + 1)` stays as written rather than becoming `-9`; the groups are
/// removed once every rule is applied.
const GROUP: &str = "";

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
    let group = pool.symbol(GROUP);
    let mut tracer = Tracer {
        rules: &rules,
        memo,
        name,
        var,
        group,
    };
    let start = tracer.placeholder(pool, expr);
    let mut steps = Vec::new();
    let mut current = start;
    let mut stack = vec![expr];
    let mut seen = FxHashSet::default();
    // The placeholders inside a quotient rule's `u'*v - u*v'`: the products they are
    // factors of keep their sums in parentheses.
    let mut framed = FxHashSet::default();
    // The groups around the quotient rule's numerators `u'*v - u*v'` in `current`.
    let mut tops = Vec::new();
    let mut quotients = false;
    while let Some(u) = stack.pop() {
        let placeholder = tracer.placeholder(pool, u);
        // A derivative already taken is taken again only when a later rule brought its
        // placeholder back.
        if !seen.insert(u) && !contains(pool, current, placeholder) {
            continue;
        }
        if steps.len() == MAX_STEPS {
            steps.push(Step {
                rule: "and so on, by the same rules".into(),
                inner: None,
                expr: result,
            });
            current = result;
            quotients = false;
            break;
        }
        let formula = tracer.rule_formula(pool, u);
        let (rule, inner) = tracer.describe(pool, u);
        let mut map: FxHashMap<ExprId, ExprId> = FxHashMap::default();
        if framed.contains(&placeholder) {
            tracer.keep_sums(pool, current, placeholder, formula.rhs, &mut map);
        }
        map.insert(placeholder, formula.rhs);
        if formula.top.is_some() || framed.contains(&placeholder) {
            for &child in &formula.children {
                framed.insert(tracer.placeholder(pool, child));
            }
        }
        current = tracer.replace_tracking(pool, current, &map, &mut tops);
        if let Some(top) = formula.top {
            quotients = true;
            tops.push(top);
        }
        steps.push(Step {
            rule,
            inner,
            expr: tracer.shown(pool, current, &tops),
        });
        stack.extend(formula.children.into_iter().rev());
    }
    if let Some(deps) = deps {
        let map: FxHashMap<ExprId, ExprId> = deps
            .substitution
            .rules()
            .iter()
            .map(|&(v, replacement)| (pool.sym(v), replacement))
            .collect();
        let substituted = tracer.replace_tracking(pool, current, &map, &mut tops);
        if substituted != current {
            current = substituted;
            steps.push(Step {
                rule: "substitute the constraints".into(),
                inner: None,
                expr: tracer.shown(pool, current, &tops),
            });
        }
    }
    let expected = match deps {
        Some(deps) => deps.substitution.apply(pool, result),
        None => result,
    };
    if quotients {
        // The quotient rule's result is the derivative in another form (`-9/(x - 4)^2`
        // for `2/(x - 4) - (2*x + 1)/(x - 4)^2`): without its groups, it stands when the
        // two are provably equal.
        let plain = tracer.ungroup(pool, current);
        current = if plain == expected || equal(pool, plain, expected) {
            plain
        } else {
            expected
        };
        if let Some(last) = steps.last_mut()
            && last.expr != current
        {
            if print(pool, last.expr) == print(pool, current) {
                // The groups kept nothing apart: the step reads the same without them.
                last.expr = current;
            } else {
                steps.push(Step {
                    rule: "simplify".into(),
                    inner: None,
                    expr: current,
                });
            }
        }
    } else if current != expected {
        steps.push(Step {
            rule: "simplify".into(),
            inner: None,
            expr: expected,
        });
    }
    Derivation { start, steps }
}

/// Whether `node` occurs in `expr`.
fn contains(pool: &Pool, expr: ExprId, node: ExprId) -> bool {
    let mask = pool.symbol_mask(node);
    pool.reachable(expr, |id| pool.symbol_mask(id) & mask == mask)
        .binary_search(&node)
        .is_ok()
}

/// Whether `a - b` is provably zero, as it is or with the sums in `a` and `b` over common
/// denominators (`(atan(x) - x/(x^2 + 1))/atan(x)^2` against
/// `1/atan(x) - x/((x^2 + 1)*atan(x)^2)`).
fn equal(pool: &mut Pool, a: ExprId, b: ExprId) -> bool {
    let difference = |pool: &mut Pool, a, b| {
        let minus_b = pool.mul2(ExprId::MINUS_ONE, b);
        pool.add2(a, minus_b)
    };
    let plain = difference(pool, a, b);
    if is_zero(pool, plain) {
        return true;
    }
    let (a, b) = (together_everywhere(pool, a), together_everywhere(pool, b));
    let combined = difference(pool, a, b);
    is_zero(pool, combined)
}

/// `expr` with each of its sums over one common denominator, innermost first.
fn together_everywhere(pool: &mut Pool, expr: ExprId) -> ExprId {
    let mut new: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    for id in pool.reachable(expr, |id| !pool.is_constant(id)) {
        let node = pool.node(id).clone();
        let children = pool.children(id);
        let mapped: Vec<ExprId> = children
            .iter()
            .map(|c| new.get(c).copied().unwrap_or(*c))
            .collect();
        let rebuilt = if mapped == children {
            id
        } else {
            rebuild(pool, &node, &mapped)
        };
        new.insert(id, together(pool, rebuilt));
    }
    new.get(&expr).copied().unwrap_or(expr)
}

/// One rule applied at a node.
struct Formula {
    /// The rule's right-hand side, placeholders for the operands' derivatives.
    rhs: ExprId,
    /// The operands whose placeholders `rhs` holds.
    children: Vec<ExprId>,
    /// For the quotient rule, the group around its numerator `u'*v - u*v'`.
    top: Option<ExprId>,
}

/// A product's factors as the quotient rule sees them.
#[derive(Default)]
struct Split {
    /// The factors constant in the variable.
    constant: Vec<ExprId>,
    /// The varying factors that are no negative power.
    numerator: Vec<ExprId>,
    /// The varying powers `b^e` with a negative exponent `e` (`-2`, `-y/2`): the factors
    /// printed under the fraction bar, as `(b, e)`.
    denominator: Vec<(ExprId, ExprId)>,
}

struct Tracer<'a> {
    rules: &'a Rules,
    memo: Memo,
    name: SymbolId,
    var: SymbolId,
    group: SymbolId,
}

impl Tracer<'_> {
    /// The placeholder `d/dx(u)` for a derivative not yet taken.
    fn placeholder(&self, pool: &mut Pool, u: ExprId) -> ExprId {
        pool.apply(self.name, &[0], &[u])
    }

    /// `u` in a group (see [`GROUP`]).
    fn group(&self, pool: &mut Pool, u: ExprId) -> ExprId {
        pool.apply(self.group, &[0], &[u])
    }

    /// `expr` without its groups, through the constructors.
    fn ungroup(&self, pool: &mut Pool, expr: ExprId) -> ExprId {
        let mut new: FxHashMap<ExprId, ExprId> = FxHashMap::default();
        for id in pool.reachable(expr, |_| true) {
            let node = pool.node(id).clone();
            let children = pool.children(id);
            let mapped: Vec<ExprId> = children.iter().map(|c| new[c]).collect();
            let replaced = match node {
                Node::Apply { name, .. } if name == self.group => mapped[0],
                _ if mapped == children => id,
                _ => rebuild(pool, &node, &mapped),
            };
            new.insert(id, replaced);
        }
        new[&expr]
    }

    /// `expr` with the nodes in `map` replaced, and `tops` (groups in `expr`) followed to
    /// what they become.
    fn replace_tracking(
        &self,
        pool: &mut Pool,
        expr: ExprId,
        map: &FxHashMap<ExprId, ExprId>,
        tops: &mut Vec<ExprId>,
    ) -> ExprId {
        let Ok(new) = replacements(pool, expr, map) else {
            return ExprId::UNDEFINED;
        };
        tops.retain_mut(|top| {
            *top = new.get(top).copied().unwrap_or(*top);
            self.is_group(pool, *top)
        });
        new.get(&expr).copied().unwrap_or(expr)
    }

    /// Whether `u` is a group.
    fn is_group(&self, pool: &Pool, u: ExprId) -> bool {
        matches!(pool.node(u), Node::Apply { name, .. } if *name == self.group)
    }

    /// `expr` as a step shows it: without the groups around numerators (`tops`) when
    /// they print the same as the parentheses of a sum (in LaTeX a numerator needs none).
    /// They stay where the constructors would take a common factor out of the sum.
    fn shown(&self, pool: &mut Pool, expr: ExprId, tops: &[ExprId]) -> ExprId {
        let map: FxHashMap<ExprId, ExprId> = tops
            .iter()
            .map(|&top| (top, pool.children(top)[0]))
            .collect();
        if map.is_empty() {
            return expr;
        }
        let candidate = replace(pool, expr, &map);
        if print(pool, candidate) == print(pool, expr) {
            candidate
        } else {
            expr
        }
    }

    /// Whether `u`'s derivative gets a step of its own (rather than being written at once).
    fn has_step(&self, pool: &Pool, u: ExprId) -> bool {
        if derivative_of(pool, &self.memo, u, self.rules) == ExprId::ZERO {
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

    /// The derivative of the operand `u` in a rule: its placeholder when it gets a step of
    /// its own (and then `u` joins `children`), else the derivative itself.
    fn operand_derivative(&self, pool: &mut Pool, u: ExprId, children: &mut Vec<ExprId>) -> ExprId {
        if self.has_step(pool, u) {
            children.push(u);
            self.placeholder(pool, u)
        } else {
            derivative_of(pool, &self.memo, u, self.rules)
        }
    }

    /// The rule at `u`, children with steps of their own left as placeholders.
    fn rule_formula(&mut self, pool: &mut Pool, u: ExprId) -> Formula {
        if let Node::Sym(symbol) = pool.node(u)
            && let Some(&derivative) = self.rules.symbols.get(symbol)
        {
            return Formula {
                rhs: derivative,
                children: Vec::new(),
                top: None,
            };
        }
        if let Node::Mul(factors) = pool.node(u) {
            let split = self.split(pool, factors);
            if !split.numerator.is_empty() && !split.denominator.is_empty() {
                return self.quotient_rule(pool, split);
            }
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
            let value = self.operand_derivative(pool, child, &mut children);
            local.insert((child, self.var), value);
        }
        let rhs = diff_node(pool, u, self.rules, &local);
        let children = self.kept(pool, rhs, children);
        Formula {
            rhs,
            children,
            top: None,
        }
    }

    /// The children whose placeholders `rhs` kept: only they need steps of their own.
    fn kept(&self, pool: &mut Pool, rhs: ExprId, children: Vec<ExprId>) -> Vec<ExprId> {
        let present = pool.reachable(rhs, |_| true);
        children
            .into_iter()
            .filter(|&c| {
                let placeholder = self.placeholder(pool, c);
                present.binary_search(&placeholder).is_ok()
            })
            .collect()
    }

    /// The factors of a product split into constant ones, a numerator and a denominator.
    fn split(&self, pool: &Pool, factors: &[ExprId]) -> Split {
        let mut split = Split::default();
        for &factor in factors {
            if !self.varies(pool, factor) {
                split.constant.push(factor);
                continue;
            }
            match *pool.node(factor) {
                Node::Pow([base, exp]) if is_negative(pool, exp) => {
                    split.denominator.push((base, exp));
                }
                _ => split.numerator.push(factor),
            }
        }
        split
    }

    /// The quotient rule `c*u/v -> c*(u'*v - u*v')/v^2`, the constant factors `c` kept
    /// outside.
    fn quotient_rule(&mut self, pool: &mut Pool, split: Split) -> Formula {
        let constant = product(pool, &split.constant);
        let numerator = product(pool, &split.numerator);
        let powers: Vec<ExprId> = split
            .denominator
            .into_iter()
            .map(|(base, exp)| {
                let positive = pool.mul2(ExprId::MINUS_ONE, exp);
                pool.pow(base, positive)
            })
            .collect();
        let denominator = product(pool, &powers);
        // The numerator and the denominator may be new nodes: their derivatives first.
        run(pool, numerator, self.rules, &mut self.memo);
        run(pool, denominator, self.rules, &mut self.memo);
        let mut children = Vec::new();
        let d_numerator = self.operand_derivative(pool, numerator, &mut children);
        let d_denominator = self.operand_derivative(pool, denominator, &mut children);
        // u'*v, then -u*v' with u grouped as needed (see `Tracer::group_numerator`).
        let first = self.framed_product(pool, d_numerator, &[denominator]);
        let grouped = self.group_numerator(pool, numerator);
        let second = self.framed_product(pool, d_denominator, &[ExprId::MINUS_ONE, grouped]);
        let top = pool.add2(first, second);
        // Grouped, the numerator keeps its common factors: `(x + 1)/(2*sqrt(x)) - …`
        // does not become `((x + 1)/sqrt(x) - …)/2`.
        let top = self.group(pool, top);
        let square = pool.powi(denominator, -2);
        let rhs = pool.mul(&[constant, top, square]);
        let children = self.kept(pool, rhs, children);
        Formula {
            rhs,
            children,
            top: Some(top),
        }
    }

    /// The numerator `u` as the factor of `-u*v'`, grouped so that it prints before the
    /// placeholder `diff(v, x)` and stays as written once `v'` is a number: a sum is
    /// grouped (`-(2*x + 1)*diff(x - 4, x)`, then `-(2*x + 1)` rather than `-2*x - 1`),
    /// and so are a product's sums, or the whole product when a factor would print after
    /// the placeholder (`-(x^2*sin(x))*diff(x + 1, x)`).
    fn group_numerator(&self, pool: &mut Pool, u: ExprId) -> ExprId {
        match pool.node(u) {
            Node::Add(_) => self.group(pool, u),
            Node::Mul(factors) => {
                let factors = factors.to_vec();
                let in_order = |pool: &Pool, f: ExprId| {
                    matches!(pool.node(f), Node::Add(_)) || self.prints_before_placeholder(pool, f)
                };
                if !factors.iter().all(|&f| in_order(pool, f)) {
                    return self.group(pool, u);
                }
                let grouped: Vec<ExprId> = factors
                    .into_iter()
                    .map(|f| match pool.node(f) {
                        Node::Add(_) => self.group(pool, f),
                        _ => f,
                    })
                    .collect();
                pool.mul(&grouped)
            }
            _ => u,
        }
    }

    /// Whether the factor `f` of a product prints before a placeholder, as
    /// `crate::print`'s order of factors has it: numbers, constants and variables (and
    /// their powers) first, then unknown functions by name.
    fn prints_before_placeholder(&self, pool: &Pool, f: ExprId) -> bool {
        let base = match pool.node(f) {
            Node::Pow([base, _]) => *base,
            _ => f,
        };
        let placeholder = pool.symbol_name(self.name);
        match pool.node(base) {
            Node::Num(_) | Node::Const(_) | Node::Sym(_) => true,
            Node::Apply { name, .. } => pool.symbol_name(*name) < placeholder,
            Node::Derivative { of, .. } => pool.symbol_name(*of) < placeholder,
            _ => false,
        }
    }

    /// `value` times `others`, a sum among them grouped where the constructors would
    /// otherwise multiply it out or merge it into the sum around: `2*(x - 4)` rather than
    /// `2*x - 8` when `value` is `2`, and `(x - 4)` as a term when it is `1`. A sum
    /// `value` next to another sum is grouped to print first, as `u'` in `u'*v`.
    fn framed_product(&self, pool: &mut Pool, value: ExprId, others: &[ExprId]) -> ExprId {
        let mut factors = others.to_vec();
        let is_sum = |pool: &Pool, u: ExprId| matches!(pool.node(u), Node::Add(_));
        if is_sum(pool, value)
            && factors.iter().any(|&f| is_sum(pool, f))
            && !factors.iter().any(|&f| self.is_group(pool, f))
        {
            let value = self.group(pool, value);
            factors.push(value);
            return pool.mul(&factors);
        }
        if pool.as_num(value).is_some() {
            // A product grouped only to print before the placeholder needs no group now.
            for factor in &mut factors {
                if let Node::Apply { name, args, .. } = pool.node(*factor)
                    && *name == self.group
                    && !matches!(pool.node(args[0]), Node::Add(_))
                {
                    *factor = args[0];
                }
            }
            let symbolic: Vec<usize> = (0..factors.len())
                .filter(|&k| pool.as_num(factors[k]).is_none())
                .collect();
            if let [k] = symbolic[..]
                && matches!(pool.node(factors[k]), Node::Add(_))
            {
                factors[k] = self.group(pool, factors[k]);
            }
        }
        factors.push(value);
        pool.mul(&factors)
    }

    /// Adds to `map`, for each product in `current` with the factor `placeholder`, that
    /// product with `value` in its place, framed ([`Tracer::framed_product`]).
    fn keep_sums(
        &self,
        pool: &mut Pool,
        current: ExprId,
        placeholder: ExprId,
        value: ExprId,
        map: &mut FxHashMap<ExprId, ExprId>,
    ) {
        let single: FxHashMap<ExprId, ExprId> = [(placeholder, value)].into_iter().collect();
        let mask = pool.symbol_mask(placeholder);
        let nodes = pool.reachable(current, |id| pool.symbol_mask(id) & mask == mask);
        for node in nodes {
            let Node::Mul(factors) = pool.node(node) else {
                continue;
            };
            if !factors.contains(&placeholder) {
                continue;
            }
            let others: Vec<ExprId> = factors
                .iter()
                .copied()
                .filter(|&f| f != placeholder)
                .collect();
            let others: Vec<ExprId> = others
                .into_iter()
                .map(|f| replace(pool, f, &single))
                .collect();
            let framed = self.framed_product(pool, value, &others);
            map.insert(node, framed);
        }
    }

    fn varies(&self, pool: &Pool, u: ExprId) -> bool {
        derivative_of(pool, &self.memo, u, self.rules) != ExprId::ZERO
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
                let split = self.split(pool, factors);
                let varying = split.numerator.len() + split.denominator.len();
                if varying == 1 {
                    ("constant multiple rule".into(), None)
                } else if !split.numerator.is_empty() && !split.denominator.is_empty() {
                    ("quotient rule".into(), None)
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

/// Whether `exp` is a negative number or a product with a negative coefficient: the
/// exponent of a factor that prints under the fraction bar.
fn is_negative(pool: &Pool, exp: ExprId) -> bool {
    let coefficient = match pool.node(exp) {
        Node::Mul(factors) => factors[0],
        _ => exp,
    };
    pool.as_num(coefficient).is_some_and(Rational::is_negative)
}

/// The product of `factors`, `1` for none.
fn product(pool: &mut Pool, factors: &[ExprId]) -> ExprId {
    match factors {
        [] => ExprId::ONE,
        [single] => *single,
        _ => pool.mul(factors),
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
