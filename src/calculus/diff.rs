//! Derivatives, memoized per `(node, variable)`: each distinct node is differentiated once,
//! children before parents, so the work is linear in the size of the DAG and no recursion
//! can overflow the stack.
//!
//! [`diff`] is the partial derivative: every other variable is held fixed. [`total_diff`]
//! follows dependencies by the chain rule: a variable replaced by a substitution varies as
//! its replacement does, and a variable declared dependent varies as an unknown function,
//! its derivative left as `diff(y, x)`.

use rustc_hash::FxHashMap;

use crate::calculus::defined::DefinedFunctions;
use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::subst::{Substitution, free_symbols};
use crate::expr::{ExprId, Node, Pool, SymbolId};

/// The partial derivative of `expr` with respect to `var`, simplified.
///
/// ```
/// use deriv::{Pool, diff, parse, print};
/// let mut pool = Pool::new();
/// let volume = parse(&mut pool, "4*pi/3*t*x*y").unwrap();
/// let x = pool.symbol("x");
/// let dv = diff(&mut pool, volume, x);
/// assert_eq!(print(&pool, dv), "4*pi*t*y/3");
/// ```
pub fn diff(pool: &mut Pool, expr: ExprId, var: SymbolId) -> ExprId {
    let mut memo = std::mem::take(&mut pool.diff_memo);
    let rules = Rules::partial(var);
    let result = run_chained(pool, expr, &rules, &mut memo);
    pool.diff_memo = memo;
    result
}

/// What varies with the differentiation variable besides itself.
#[derive(Clone, Debug, Default)]
pub struct Dependencies {
    /// Constraints `v = S[v]`, resolved: `v` varies as `S[v]` does.
    pub substitution: Substitution,
    /// Variables that are unknown functions of another: `(y, x)` for `y(x)`. They compose:
    /// with `(a, x)` and `(x, t)`, `da/dt = diff(a, x)*diff(x, t)`, and with `(t, u)` and
    /// the constraint `u = x^2`, `dt/dx = 2*x*diff(t, u)`.
    pub depends: Vec<(SymbolId, SymbolId)>,
}

/// Why a set of [`Dependencies`] cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DependencyError {
    /// Variables that depend on each other in a circle, through declared dependencies or
    /// substitutions: the first is repeated at the end (`x -> t -> x`).
    Cycle(Vec<SymbolId>),
    /// A variable declared to depend on two different variables: `diff(y, x)` is an
    /// ordinary derivative, so `y` may depend on one variable only.
    TwoVariables(SymbolId, SymbolId, SymbolId),
    /// A variable both replaced by a substitution and declared dependent.
    Substituted(SymbolId),
}

impl Dependencies {
    /// The variables whose rate of change `v` needs: those of its replacement, or the one
    /// it depends on.
    fn needs(&self, pool: &Pool, v: SymbolId) -> Vec<SymbolId> {
        if let Some(replacement) = self.substitution.get(v) {
            return free_symbols(pool, replacement);
        }
        self.depends
            .iter()
            .filter(|&&(d, _)| d == v)
            .map(|&(_, on)| on)
            .collect()
    }

    /// Every variable with a declared way of varying (substituted or dependent), each
    /// after the variables it needs: the order in which rates of change are worked out.
    /// A circle is an error naming it.
    fn order(&self, pool: &Pool) -> Result<Vec<SymbolId>, DependencyError> {
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            Open,
            Done,
        }
        let roots = self
            .substitution
            .rules()
            .iter()
            .map(|&(v, _)| v)
            .chain(self.depends.iter().map(|&(d, _)| d));
        let mut state: FxHashMap<SymbolId, State> = FxHashMap::default();
        let mut order = Vec::new();
        for root in roots {
            if state.contains_key(&root) {
                continue;
            }
            state.insert(root, State::Open);
            let mut stack = vec![(root, self.needs(pool, root), 0)];
            while let Some((node, needs, next)) = stack.last_mut() {
                let Some(&child) = needs.get(*next) else {
                    state.insert(*node, State::Done);
                    order.push(*node);
                    stack.pop();
                    continue;
                };
                *next += 1;
                match state.get(&child) {
                    None => {
                        state.insert(child, State::Open);
                        let needs = self.needs(pool, child);
                        stack.push((child, needs, 0));
                    }
                    Some(State::Open) => {
                        let from = stack.iter().position(|(n, _, _)| *n == child);
                        let mut path: Vec<SymbolId> = stack[from.unwrap_or(0)..]
                            .iter()
                            .map(|(n, _, _)| *n)
                            .collect();
                        path.push(child);
                        return Err(DependencyError::Cycle(path));
                    }
                    Some(State::Done) => {}
                }
            }
        }
        Ok(order)
    }

    /// Checks that the dependencies can be followed: no circle, no variable depending on
    /// two others, no variable both substituted and dependent.
    pub fn check(&self, pool: &Pool) -> Result<(), DependencyError> {
        self.checked_order(pool).map(|_| ())
    }

    /// [`Dependencies::order`] once [`Dependencies::check`]'s conditions hold.
    fn checked_order(&self, pool: &Pool) -> Result<Vec<SymbolId>, DependencyError> {
        for (i, &(d, on)) in self.depends.iter().enumerate() {
            if self.substitution.get(d).is_some() {
                return Err(DependencyError::Substituted(d));
            }
            if let Some(&(_, other)) = self.depends[..i].iter().find(|&&(e, o)| e == d && o != on) {
                return Err(DependencyError::TwoVariables(d, other, on));
            }
        }
        self.order(pool)
    }
}

/// The total derivative of `expr` with respect to `var`: the chain rule
/// `df/dx = ∂f/∂x + Σ ∂f/∂v · dv/dx` over every variable `v` that varies with `x`, with
/// the substitution applied to the result. `deps.substitution` must be resolved
/// ([`Substitution::resolve`]); dependencies that fail [`Dependencies::check`] give an
/// undefined result.
///
/// ```
/// use deriv::{Dependencies, Pool, Substitution, parse, print, total_diff};
/// let mut pool = Pool::new();
/// let volume = parse(&mut pool, "4*pi/3*t*x*y").unwrap();
/// let (t, x) = (pool.symbol("t"), pool.symbol("x"));
/// let mut substitution = Substitution::new();
/// substitution.insert(t, pool.sym(x));
/// let deps = Dependencies { substitution, depends: vec![] };
/// let dv = total_diff(&mut pool, volume, x, &deps);
/// assert_eq!(print(&pool, dv), "8*pi*x*y/3");
/// ```
pub fn total_diff(pool: &mut Pool, expr: ExprId, var: SymbolId, deps: &Dependencies) -> ExprId {
    let mut memo = FxHashMap::default();
    let Some(rules) = total_rules(pool, var, deps, &mut memo) else {
        return ExprId::UNDEFINED;
    };
    let chained = run_chained(pool, expr, &rules, &mut memo);
    deps.substitution.apply(pool, chained)
}

/// The rules of a total derivative: the rate of change in `var` of every variable with a
/// declared way of varying, each worked out after the variables it needs. A substituted
/// variable varies as its replacement does; a dependent one `y(u)` as `diff(y, u)` times
/// the rate of `u` (so `diff(y, x)` when `u` is `var`). `None` when the dependencies
/// fail [`Dependencies::check`].
pub(crate) fn total_rules(
    pool: &mut Pool,
    var: SymbolId,
    deps: &Dependencies,
    memo: &mut Memo,
) -> Option<Rules> {
    let order = deps.checked_order(pool).ok()?;
    let mut rules = Rules::partial(var);
    for v in order {
        if v == var {
            continue;
        }
        // Every variable the rate needs has its final rate already, so the derivatives
        // `run` remembers along the way stay right for the rules that follow.
        let rate = match deps.substitution.get(v) {
            Some(replacement) => run(pool, replacement, &rules, memo),
            None => {
                // `check` allows one variable per dependent variable.
                let on = deps
                    .depends
                    .iter()
                    .find(|&&(d, _)| d == v)
                    .map(|&(_, on)| on);
                let inner = match on {
                    Some(on) if on == var => ExprId::ONE,
                    Some(on) => rules.symbols.get(&on).copied().unwrap_or(ExprId::ZERO),
                    None => ExprId::ZERO,
                };
                match on {
                    Some(on) if inner != ExprId::ZERO => {
                        let outer = pool.derivative(v, on, 1);
                        pool.mul2(outer, inner)
                    }
                    _ => ExprId::ZERO,
                }
            }
        };
        rules.mask |= Pool::symbol_bit(v);
        rules.symbols.insert(v, rate);
    }
    Some(rules)
}

/// The rate of change in `var` of every variable with a declared way of varying
/// (substituted or dependent), the substitution not yet applied; empty when the
/// dependencies fail [`Dependencies::check`].
pub(crate) fn rates_of_change(
    pool: &mut Pool,
    var: SymbolId,
    deps: &Dependencies,
) -> FxHashMap<SymbolId, ExprId> {
    let mut memo = Memo::default();
    total_rules(pool, var, deps, &mut memo).map_or_else(FxHashMap::default, |r| r.symbols)
}

/// Derivatives already known, by `(node, variable)`.
pub(crate) type Memo = FxHashMap<(ExprId, SymbolId), ExprId>;

/// How symbols differentiate: `var` to 1, those in `symbols` to the given expression, all
/// others to 0. `mask` has the bloom bits of all of them, to skip constant subtrees.
#[derive(Clone)]
pub(crate) struct Rules {
    pub(crate) var: SymbolId,
    pub(crate) symbols: FxHashMap<SymbolId, ExprId>,
    mask: u64,
}

impl Rules {
    pub(crate) fn partial(var: SymbolId) -> Rules {
        Rules {
            var,
            symbols: FxHashMap::default(),
            mask: Pool::symbol_bit(var),
        }
    }
}

/// The derivative of `expr`, every node's derivative on the way remembered in `memo`
/// (as [`crate::calculus::steps`] needs them). A deep chain of calls costs time and memory
/// quadratic in its depth here: see [`run_chained`].
pub(crate) fn run(pool: &mut Pool, expr: ExprId, rules: &Rules, memo: &mut Memo) -> ExprId {
    walk(pool, expr, rules, memo, false)
}

/// The derivative of `expr`, as [`run`] finds it, in time and memory linear in the size
/// of the DAG also for a deep chain of calls: the chain rule's products are passed up a
/// chain as lists of factors and built once, where they are used (see [`walk`]). `memo`
/// then holds the derivatives of `expr` and of the nodes used other than by a chain
/// rule, not of every node.
pub(crate) fn run_chained(pool: &mut Pool, expr: ExprId, rules: &Rules, memo: &mut Memo) -> ExprId {
    walk(pool, expr, rules, memo, true)
}

/// [`run`] and [`run_chained`]: every node that depends on the variable differentiated
/// once, children before parents. With `chained`, the derivative of a call `g(u)` used
/// only by another call (or a power with a constant exponent, the chain rule's other
/// case) stays a list of factors, `g'(u)` and those of `u'`, which its parent extends:
/// built level by level, the product at each level of `sin(sin(…(x)…))` would hold all
/// the factors below it, `n²/2` operands for `n` levels, where the one product built at
/// the top holds `n`.
fn walk(pool: &mut Pool, expr: ExprId, rules: &Rules, memo: &mut Memo, chained: bool) -> ExprId {
    let var = rules.var;
    if let Some(&known) = memo.get(&(expr, var)) {
        return known;
    }
    let order = pool.reachable(expr, |id| {
        pool.symbol_mask(id) & rules.mask != 0 && !memo.contains_key(&(id, var))
    });
    // Each node's users in the walk (by its place in `order`, which is sorted): how many,
    // and the last. A derivative is passed up when its one user is a chain link on it.
    let mut users: Vec<(u32, ExprId)> = Vec::new();
    if chained {
        users.resize(order.len(), (0, ExprId::UNDEFINED));
        for &id in &order {
            for child in pool.children(id) {
                if let Ok(k) = order.binary_search(child) {
                    users[k] = (users[k].0 + 1, id);
                }
            }
        }
    }
    // Derivatives not built yet, as the factors of their product (never zero).
    let mut pending: FxHashMap<ExprId, Vec<ExprId>> = FxHashMap::default();
    for (k, &id) in order.iter().enumerate() {
        // Past a size or time limit every new node is undefined: stop at once rather than
        // walk the rest of a large expression for nothing.
        if pool.limit_reached().is_some() {
            return ExprId::UNDEFINED;
        }
        let link = chained.then(|| chain_link(pool, id, rules)).flatten();
        let defer = link.is_some()
            && matches!(users[k], (1, user) if chain_link(pool, user, rules) == Some(id));
        let extend = link.is_some_and(|arg| pending.contains_key(&arg));
        if (defer || extend)
            && let Some((arg, outer)) = chain_rule(pool, id)
        {
            let inner = match pending.remove(&arg) {
                // Its one user is this link.
                Some(factors) => Some(factors),
                None => {
                    let known = derivative_of(pool, memo, arg, rules);
                    (known != ExprId::ZERO).then(|| vec![known])
                }
            };
            match inner {
                Some(mut factors) if !outer.contains(&ExprId::ZERO) => {
                    if !defer {
                        // The chain ends here; its argument's derivative is remembered
                        // too, for a rule that reads past its children (the logarithm
                        // of a product reads its factors' bases: ln(y/sin(x))).
                        let inner = pool.mul(&factors);
                        memo.insert((arg, var), inner);
                    }
                    factors.extend(outer);
                    if defer {
                        pending.insert(id, factors);
                    } else {
                        let built = pool.mul(&factors);
                        memo.insert((id, var), built);
                    }
                }
                _ => {
                    memo.insert((id, var), ExprId::ZERO);
                }
            }
            continue;
        }
        // Any other rule reads its children's derivatives from the memo.
        if !pending.is_empty() {
            for child in pool.children(id).to_vec() {
                if let Some(factors) = pending.remove(&child) {
                    let built = pool.mul(&factors);
                    memo.insert((child, var), built);
                }
            }
        }
        let derivative = match scaled_product(pool, id) {
            // (c*M)' = c*M': the product without its coefficient recurs in successive
            // derivatives (`x^k*exp(x^2)*sin(x)` in those of `sin(x)*exp(x^2)`), with new
            // coefficients each time, so its derivative is worth remembering.
            Some((coeff, rest)) => {
                let d_rest = match memo.get(&(rest, var)) {
                    Some(&known) => known,
                    None => {
                        let d = diff_node(pool, rest, rules, memo);
                        memo.insert((rest, var), d);
                        d
                    }
                };
                pool.mul2(coeff, d_rest)
            }
            None => diff_node(pool, id, rules, memo),
        };
        memo.insert((id, var), derivative);
    }
    if let Some(factors) = pending.remove(&expr) {
        let built = pool.mul(&factors);
        memo.insert((expr, var), built);
    }
    derivative_of(pool, memo, expr, rules)
}

/// The argument `u` when `id` is a link of a chain, whose derivative is `u'` times
/// factors that do not need it: a call of one argument (but `ln` of a product, which has a
/// rule of its own), an unknown function of one argument, or a power whose exponent does
/// not vary.
fn chain_link(pool: &Pool, id: ExprId, rules: &Rules) -> Option<ExprId> {
    match *pool.node(id) {
        Node::Call(Func::Ln, arg) if matches!(pool.node(arg), Node::Mul(_)) => None,
        Node::Call(_, arg) => Some(arg),
        Node::Apply { ref args, .. } if args.len() == 1 => Some(args[0]),
        Node::Pow([base, exp])
            if base != ExprId::ZERO && pool.symbol_mask(exp) & rules.mask == 0 =>
        {
            Some(base)
        }
        _ => None,
    }
}

/// The chain rule at a [`chain_link`], as [`diff_node`] applies it: `(u, factors)`, the
/// derivative of `id` being `u'` times the product of `factors`.
fn chain_rule(pool: &mut Pool, id: ExprId) -> Option<(ExprId, Vec<ExprId>)> {
    match pool.node(id).clone() {
        Node::Call(func, arg) => Some((arg, vec![derivative_of_func(pool, func, arg)])),
        Node::Apply { name, orders, args } => {
            let mut raised = orders.to_vec();
            raised[0] += 1;
            let outer = match pool.function_derivative(name, &raised, &args) {
                Some(defined) => defined,
                None => pool.apply(name, &raised, &args),
            };
            Some((args[0], vec![outer]))
        }
        Node::Pow([base, exp]) => {
            // v * u^(v-1) * u'
            let exp_minus_one = pool.add2(exp, ExprId::MINUS_ONE);
            let lowered = pool.pow(base, exp_minus_one);
            Some((base, vec![exp, lowered]))
        }
        _ => None,
    }
}

/// A product with a numeric coefficient as `(coefficient, the rest)`, the rest being the
/// canonical product of the other factors (they are canonical already).
fn scaled_product(pool: &mut Pool, id: ExprId) -> Option<(ExprId, ExprId)> {
    let Node::Mul(ops) = pool.node(id) else {
        return None;
    };
    pool.as_num(ops[0])?;
    let coeff = ops[0];
    let rest = match &ops[1..] {
        [single] => *single,
        rest => {
            let node = Node::Mul(rest.into());
            pool.intern(node)
        }
    };
    Some((coeff, rest))
}

/// The derivative of a node whose children are already differentiated.
pub(crate) fn derivative_of(pool: &Pool, memo: &Memo, id: ExprId, rules: &Rules) -> ExprId {
    if id == ExprId::UNDEFINED {
        return id;
    }
    if pool.symbol_mask(id) & rules.mask == 0 {
        return ExprId::ZERO;
    }
    memo.get(&(id, rules.var))
        .copied()
        .unwrap_or(ExprId::UNDEFINED)
}

/// One rule of differentiation at `id`, given its children's derivatives in `memo` (the
/// real ones, or placeholders when [`crate::calculus::steps`] shows the rule).
pub(crate) fn diff_node(pool: &mut Pool, id: ExprId, rules: &Rules, memo: &Memo) -> ExprId {
    let var = rules.var;
    let d = |pool: &Pool, child: ExprId| derivative_of(pool, memo, child, rules);
    match pool.node(id).clone() {
        Node::Undefined => ExprId::UNDEFINED,
        Node::Num(_) | Node::Const(_) => ExprId::ZERO,
        Node::Sym(symbol) if symbol == var => ExprId::ONE,
        Node::Sym(symbol) => rules.symbols.get(&symbol).copied().unwrap_or(ExprId::ZERO),
        Node::Derivative { of, wrt, order } if wrt == var => pool.derivative(of, wrt, order + 1),
        // `of` depends on `wrt` alone, which varies with `var` at its own rate.
        Node::Derivative { of, wrt, order } => match rules.symbols.get(&wrt) {
            Some(&rate) => {
                let higher = pool.derivative(of, wrt, order + 1);
                pool.mul2(higher, rate)
            }
            None => ExprId::ZERO,
        },
        Node::Add(terms) => {
            let parts: Vec<ExprId> = terms.iter().map(|&t| d(pool, t)).collect();
            pool.add(&parts)
        }
        Node::Mul(factors) => {
            // d(f1*...*fn) = sum over i of f1*...*fi'*...*fn.
            let mut parts = Vec::new();
            for (i, &factor) in factors.iter().enumerate() {
                let df = d(pool, factor);
                if df == ExprId::ZERO {
                    continue;
                }
                let mut product: Vec<ExprId> = Vec::with_capacity(factors.len());
                product.extend_from_slice(&factors[..i]);
                product.push(df);
                product.extend_from_slice(&factors[i + 1..]);
                parts.push(pool.mul(&product));
            }
            pool.add(&parts)
        }
        // 0^v is 0 wherever it is defined (v > 0).
        Node::Pow([ExprId::ZERO, _]) => ExprId::ZERO,
        Node::Pow([base, exp]) => {
            let (db, de) = (d(pool, base), d(pool, exp));
            if de == ExprId::ZERO {
                // v * u^(v-1) * u'
                let exp_minus_one = pool.add2(exp, ExprId::MINUS_ONE);
                let lowered = pool.pow(base, exp_minus_one);
                return pool.mul(&[exp, lowered, db]);
            }
            // u^v * (v' * ln(u) + v * u'/u), keeping u^v as a common factor.
            let log = pool.call(Func::Ln, base);
            let mut parts = vec![pool.mul2(log, de)];
            if db != ExprId::ZERO {
                let inverse = pool.powi(base, -1);
                parts.push(pool.mul(&[exp, db, inverse]));
            }
            let sum = pool.add(&parts);
            pool.mul2(id, sum)
        }
        // Logarithmic derivative of a product: (f1^k1*...*fn^kn)'/(f1^k1*...*fn^kn) is
        // k1*f1'/f1 + ... + kn*fn'/fn, with no product rule to divide back out.
        Node::Call(Func::Ln, arg) if matches!(pool.node(arg), Node::Mul(_)) => {
            let factors = pool.children(arg).to_vec();
            let mut parts = Vec::with_capacity(factors.len());
            for factor in factors {
                let (base, exp) = match *pool.node(factor) {
                    Node::Pow([base, exp]) if pool.as_num(exp).is_some() => (base, exp),
                    _ => (factor, ExprId::ONE),
                };
                let db = d(pool, base);
                if db == ExprId::ZERO {
                    continue;
                }
                let inverse = pool.powi(base, -1);
                parts.push(pool.mul(&[exp, db, inverse]));
            }
            pool.add(&parts)
        }
        Node::Call(func, arg) => {
            let outer = derivative_of_func(pool, func, arg);
            let inner = d(pool, arg);
            pool.mul2(outer, inner)
        }
        Node::Atan2([y, x]) => {
            let (dy, dx) = (d(pool, y), d(pool, x));
            atan2_derivative(pool, y, x, dy, dx)
        }
        Node::Min(ref args) | Node::Max(ref args) => {
            // Each argument's derivative where it is the extremum.
            let max = matches!(pool.node(id), Node::Max(_));
            let mut parts = Vec::with_capacity(args.len());
            for k in 0..args.len() {
                let inner = d(pool, args[k]);
                if inner == ExprId::ZERO {
                    continue;
                }
                let weight = extremum_weight(pool, max, args, k);
                parts.push(pool.mul2(weight, inner));
            }
            pool.add(&parts)
        }
        Node::LogSumExp(ref args) => {
            // The softmax weights exp(a - logsumexp(…)), which cannot overflow.
            let mut parts = Vec::with_capacity(args.len());
            for &arg in args.iter() {
                let inner = d(pool, arg);
                if inner == ExprId::ZERO {
                    continue;
                }
                let weight = softmax_weight(pool, id, arg);
                parts.push(pool.mul2(weight, inner));
            }
            pool.add(&parts)
        }
        Node::Apply { name, orders, args } => {
            let mut parts = Vec::with_capacity(args.len());
            for (k, &arg) in args.iter().enumerate() {
                let inner = d(pool, arg);
                if inner == ExprId::ZERO {
                    continue;
                }
                let mut raised = orders.to_vec();
                raised[k] += 1;
                let outer = match pool.function_derivative(name, &raised, &args) {
                    Some(defined) => defined,
                    None => pool.apply(name, &raised, &args),
                };
                parts.push(pool.mul2(outer, inner));
            }
            pool.add(&parts)
        }
    }
}

/// `(x*y' - y*x')/(x^2 + y^2)`: the derivative of `atan2(y, x)` given `y'` and `x'`.
pub(crate) fn atan2_derivative(
    pool: &mut Pool,
    y: ExprId,
    x: ExprId,
    dy: ExprId,
    dx: ExprId,
) -> ExprId {
    let along = pool.mul2(x, dy);
    let across = pool.mul2(y, dx);
    let numerator = pool.sub(along, across);
    let squares = [pool.powi(x, 2), pool.powi(y, 2)];
    let radius_squared = pool.add(&squares);
    pool.div(numerator, radius_squared)
}

/// `∂max(args)/∂args[k]`: the product over the other arguments `a` of `step(args[k] - a)`
/// (`step(a - args[k])` for `min`), 1 where `args[k]` is the extremum and 0 where another is.
pub(crate) fn extremum_weight(pool: &mut Pool, max: bool, args: &[ExprId], k: usize) -> ExprId {
    let mut steps = Vec::with_capacity(args.len() - 1);
    for (j, &other) in args.iter().enumerate() {
        if j != k {
            let difference = if max {
                pool.sub(args[k], other)
            } else {
                pool.sub(other, args[k])
            };
            steps.push(pool.call(Func::Step, difference));
        }
    }
    pool.mul(&steps)
}

/// `exp(arg - total)`: the weight of `arg` in the softmax whose normalizer is `total`, a
/// `logsumexp` of `arg` and others.
pub(crate) fn softmax_weight(pool: &mut Pool, total: ExprId, arg: ExprId) -> ExprId {
    let difference = pool.sub(arg, total);
    pool.call(Func::Exp, difference)
}

/// `(1/abs(u))*(u^2 + one)^(-1/2)`: the derivatives of `asec` and `acsch` up to sign.
fn reciprocal_root(pool: &mut Pool, u: ExprId, u_squared: ExprId, one: ExprId) -> ExprId {
    let abs = pool.call(Func::Abs, u);
    let inverse = pool.powi(abs, -1);
    let radicand = pool.add2(u_squared, one);
    let minus_half = pool.num(Rational::MINUS_HALF);
    let root = pool.pow(radicand, minus_half);
    pool.mul2(inverse, root)
}

/// `f'(u)` for a built-in function `f`.
pub(crate) fn derivative_of_func(pool: &mut Pool, func: Func, u: ExprId) -> ExprId {
    let u_squared = pool.powi(u, 2);
    match func {
        Func::Sin => pool.call(Func::Cos, u),
        Func::Cos => {
            let sin = pool.call(Func::Sin, u);
            pool.neg(sin)
        }
        Func::Tan => {
            // 1 + tan(u)^2
            let tan = pool.call(Func::Tan, u);
            let tan_squared = pool.powi(tan, 2);
            pool.add2(ExprId::ONE, tan_squared)
        }
        Func::Sec => {
            let sec = pool.call(Func::Sec, u);
            let tan = pool.call(Func::Tan, u);
            pool.mul2(sec, tan)
        }
        Func::Csc => {
            let csc = pool.call(Func::Csc, u);
            let cot = pool.call(Func::Cot, u);
            pool.mul(&[ExprId::MINUS_ONE, csc, cot])
        }
        Func::Cot => {
            // -(1 + cot(u)^2)
            let cot = pool.call(Func::Cot, u);
            let cot_squared = pool.powi(cot, 2);
            let sum = pool.add2(ExprId::ONE, cot_squared);
            pool.neg(sum)
        }
        Func::Asin | Func::Acos => {
            // ±1/sqrt(1 - u^2)
            let radicand = pool.sub(ExprId::ONE, u_squared);
            let minus_half = pool.num(Rational::MINUS_HALF);
            let root = pool.pow(radicand, minus_half);
            if func == Func::Asin {
                root
            } else {
                pool.neg(root)
            }
        }
        Func::Atan => {
            let denominator = pool.add2(ExprId::ONE, u_squared);
            pool.powi(denominator, -1)
        }
        Func::Sinh => pool.call(Func::Cosh, u),
        Func::Cosh => pool.call(Func::Sinh, u),
        Func::Tanh => {
            let tanh = pool.call(Func::Tanh, u);
            let tanh_squared = pool.powi(tanh, 2);
            pool.sub(ExprId::ONE, tanh_squared)
        }
        Func::Asinh | Func::Acosh => {
            // 1/sqrt(u^2 ± 1)
            let one = if func == Func::Asinh {
                ExprId::ONE
            } else {
                ExprId::MINUS_ONE
            };
            let radicand = pool.add2(u_squared, one);
            let minus_half = pool.num(Rational::MINUS_HALF);
            pool.pow(radicand, minus_half)
        }
        Func::Atanh => {
            let denominator = pool.sub(ExprId::ONE, u_squared);
            pool.powi(denominator, -1)
        }
        Func::Exp => pool.call(Func::Exp, u),
        Func::Ln => pool.powi(u, -1),
        Func::Log10 | Func::Log2 => {
            let base = pool.int(if func == Func::Log10 { 10 } else { 2 });
            let log_base = pool.call(Func::Ln, base);
            let denominator = pool.mul2(u, log_base);
            pool.powi(denominator, -1)
        }
        Func::Abs => pool.call(Func::Sign, u),
        // Zero wherever the derivative exists (everywhere but at 0).
        Func::Sign | Func::Step => ExprId::ZERO,
        Func::Erf => {
            // 2*exp(-u^2)/sqrt(pi)
            let minus_u_squared = pool.neg(u_squared);
            let gauss = pool.call(Func::Exp, minus_u_squared);
            let pi = pool.constant(crate::expr::Constant::Pi);
            let minus_half = pool.num(Rational::MINUS_HALF);
            let inv_sqrt_pi = pool.pow(pi, minus_half);
            let two = pool.int(2);
            pool.mul(&[two, gauss, inv_sqrt_pi])
        }
        Func::Sigmoid => {
            // sigmoid(u)*(1 - sigmoid(u))
            let sigmoid = pool.call(Func::Sigmoid, u);
            let complement = pool.sub(ExprId::ONE, sigmoid);
            pool.mul2(sigmoid, complement)
        }
        Func::Softplus => pool.call(Func::Sigmoid, u),
        Func::Relu => pool.call(Func::Step, u),
        Func::Acot => {
            // -1/(1 + u^2), wherever acot is continuous (everywhere but at 0)
            let denominator = pool.add2(ExprId::ONE, u_squared);
            let inverse = pool.powi(denominator, -1);
            pool.neg(inverse)
        }
        Func::Asec | Func::Acsc => {
            // ±1/(abs(u)*sqrt(u^2 - 1))
            let value = reciprocal_root(pool, u, u_squared, ExprId::MINUS_ONE);
            if func == Func::Asec {
                value
            } else {
                pool.neg(value)
            }
        }
        Func::Sech | Func::Csch => {
            // -sech(u)*tanh(u), -csch(u)*coth(u)
            let other = if func == Func::Sech {
                Func::Tanh
            } else {
                Func::Coth
            };
            let this = pool.call(func, u);
            let other = pool.call(other, u);
            pool.mul(&[ExprId::MINUS_ONE, this, other])
        }
        Func::Coth => {
            // 1 - coth(u)^2
            let coth = pool.call(Func::Coth, u);
            let coth_squared = pool.powi(coth, 2);
            pool.sub(ExprId::ONE, coth_squared)
        }
        Func::Asech => {
            // -1/(u*sqrt(1 - u^2))
            let radicand = pool.sub(ExprId::ONE, u_squared);
            let minus_half = pool.num(Rational::MINUS_HALF);
            let root = pool.pow(radicand, minus_half);
            let inverse = pool.powi(u, -1);
            pool.mul(&[ExprId::MINUS_ONE, inverse, root])
        }
        Func::Acsch => {
            // -1/(abs(u)*sqrt(u^2 + 1))
            let value = reciprocal_root(pool, u, u_squared, ExprId::ONE);
            pool.neg(value)
        }
        Func::Acoth => {
            let denominator = pool.sub(ExprId::ONE, u_squared);
            pool.powi(denominator, -1)
        }
        Func::Erfc => {
            let erf = derivative_of_func(pool, Func::Erf, u);
            pool.neg(erf)
        }
        Func::Expm1 => pool.call(Func::Exp, u),
        Func::Log1p => {
            let denominator = pool.add2(ExprId::ONE, u);
            pool.powi(denominator, -1)
        }
        Func::Gelu => {
            // (1 + erf(u/sqrt(2)))/2 + u*exp(-u^2/2)/sqrt(2*pi)
            let two = pool.int(2);
            let minus_half = pool.num(Rational::MINUS_HALF);
            let inv_sqrt_two = pool.pow(two, minus_half);
            let scaled = pool.mul2(u, inv_sqrt_two);
            let erf = pool.call(Func::Erf, scaled);
            let sum = pool.add2(ExprId::ONE, erf);
            let half = pool.num(Rational::HALF);
            let cdf = pool.mul2(half, sum);
            let exponent = pool.mul2(minus_half, u_squared);
            let gauss = pool.call(Func::Exp, exponent);
            let pi = pool.constant(crate::expr::Constant::Pi);
            let two_pi = pool.mul2(two, pi);
            let inv_root = pool.pow(two_pi, minus_half);
            let density = pool.mul(&[u, gauss, inv_root]);
            pool.add2(cdf, density)
        }
        Func::Silu => {
            // sigmoid(u)*(1 + u*(1 - sigmoid(u)))
            let sigmoid = pool.call(Func::Sigmoid, u);
            let complement = pool.sub(ExprId::ONE, sigmoid);
            let scaled = pool.mul2(u, complement);
            let sum = pool.add2(ExprId::ONE, scaled);
            pool.mul2(sigmoid, sum)
        }
        Func::Elu => {
            // step(u) + exp(u)*step(-u)
            let above = pool.call(Func::Step, u);
            let minus_u = pool.neg(u);
            let below = pool.call(Func::Step, minus_u);
            let exp = pool.call(Func::Exp, u);
            let left = pool.mul2(exp, below);
            pool.add2(above, left)
        }
    }
}
