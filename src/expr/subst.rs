//! Substitutions `VAR = EXPR`: resolving chains to a fixed point, detecting cycles, and
//! replacing variables in an expression in one pass over its DAG.

use rustc_hash::FxHashMap;

use crate::expr::{ExprId, Map, Node, Pool, SymbolId};

/// A set of substitutions, each variable replaced by an expression.
#[derive(Clone, Debug, Default)]
pub struct Substitution {
    /// Variables in the order they were given, with their replacements.
    rules: Vec<(SymbolId, ExprId)>,
}

/// A substitution that refers back to itself: `t = x` and `x = t`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle {
    /// The variables of the cycle in order, the first repeated at the end.
    pub path: Vec<SymbolId>,
}

impl Substitution {
    /// No substitutions.
    pub fn new() -> Substitution {
        Substitution::default()
    }

    /// Adds `var = expr`; a later rule for the same variable replaces the earlier one.
    pub fn insert(&mut self, var: SymbolId, expr: ExprId) {
        match self.rules.iter_mut().find(|(v, _)| *v == var) {
            Some(rule) => rule.1 = expr,
            None => self.rules.push((var, expr)),
        }
    }

    /// The replacement of `var`, if it has one.
    pub fn get(&self, var: SymbolId) -> Option<ExprId> {
        self.rules.iter().find(|(v, _)| *v == var).map(|&(_, e)| e)
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules in the order given.
    pub fn rules(&self) -> &[(SymbolId, ExprId)] {
        &self.rules
    }

    /// The same substitutions with every replacement itself fully substituted, so that one
    /// pass reaches the fixed point (`t = x^2, y = sin(t)` gives `y = sin(x^2)`). A chain
    /// that comes back to where it started is a [`Cycle`].
    pub fn resolve(&self, pool: &mut Pool) -> Result<Substitution, Cycle> {
        // Depth-first over "the replacement of v mentions w", with an explicit stack.
        let index: FxHashMap<SymbolId, usize> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, &(v, _))| (v, i))
            .collect();
        let mentions: Vec<Vec<usize>> = self
            .rules
            .iter()
            .map(|&(_, expr)| {
                let mut found: Vec<usize> = free_symbols(pool, expr)
                    .into_iter()
                    .filter_map(|s| index.get(&s).copied())
                    .collect();
                found.sort_unstable();
                found
            })
            .collect();
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            New,
            Open,
            Done,
        }
        let mut state = vec![State::New; self.rules.len()];
        let mut order = Vec::with_capacity(self.rules.len());
        for start in 0..self.rules.len() {
            if state[start] != State::New {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = State::Open;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(&child) = mentions[node].get(*next) {
                    *next += 1;
                    match state[child] {
                        State::New => {
                            state[child] = State::Open;
                            stack.push((child, 0));
                        }
                        State::Open => {
                            let from = stack.iter().position(|&(n, _)| n == child).unwrap_or(0);
                            let mut path: Vec<SymbolId> = stack[from..]
                                .iter()
                                .map(|&(n, _)| self.rules[n].0)
                                .collect();
                            path.push(self.rules[child].0);
                            return Err(Cycle { path });
                        }
                        State::Done => {}
                    }
                } else {
                    state[node] = State::Done;
                    order.push(node);
                    stack.pop();
                }
            }
        }
        // `order` lists each rule after the rules its replacement mentions.
        let mut resolved = Substitution::new();
        let mut done: FxHashMap<SymbolId, ExprId> = FxHashMap::default();
        for i in order {
            let (var, expr) = self.rules[i];
            let expr = substitute(pool, expr, &done);
            done.insert(var, expr);
        }
        for &(var, _) in &self.rules {
            resolved.rules.push((var, done[&var]));
        }
        Ok(resolved)
    }

    /// `expr` with every rule applied once (resolve first for chains).
    pub fn apply(&self, pool: &mut Pool, expr: ExprId) -> ExprId {
        let map: FxHashMap<SymbolId, ExprId> = self.rules.iter().copied().collect();
        substitute(pool, expr, &map)
    }
}

/// The variables that occur in `expr`, in a stable order (by name).
pub fn free_symbols(pool: &Pool, expr: ExprId) -> Vec<SymbolId> {
    let mut found: Vec<SymbolId> = pool
        .reachable(expr, |id| !pool.is_constant(id))
        .into_iter()
        .filter_map(|id| match pool.node(id) {
            Node::Sym(symbol) => Some(*symbol),
            _ => None,
        })
        .collect();
    found.sort_by(|a, b| pool.symbol_name(*a).cmp(pool.symbol_name(*b)));
    found.dedup();
    found
}

/// `expr` with each variable in `map` replaced, rebuilt bottom-up through the canonical
/// constructors (so the result is simplified, and `UNDEFINED` where it is undefined).
pub fn substitute(pool: &mut Pool, expr: ExprId, map: &Map<SymbolId, ExprId>) -> ExprId {
    let nodes: FxHashMap<ExprId, ExprId> = map
        .iter()
        .map(|(&symbol, &replacement)| (pool.sym(symbol), replacement))
        .collect();
    replace(pool, expr, &nodes)
}

/// `expr` with each node in `map` (a variable, or a node such as `diff(y, x)`) replaced.
pub fn replace(pool: &mut Pool, expr: ExprId, map: &Map<ExprId, ExprId>) -> ExprId {
    replace_checked(pool, expr, map).unwrap_or(ExprId::UNDEFINED)
}

/// [`replace`], or the smallest subexpression of `expr` that becomes undefined (`1/x` for
/// `x = 0`), so an error can name it.
pub fn replace_checked(
    pool: &mut Pool,
    expr: ExprId,
    map: &Map<ExprId, ExprId>,
) -> Result<ExprId, ExprId> {
    let new = replacements(pool, expr, map)?;
    Ok(new.get(&expr).copied().unwrap_or(expr))
}

/// What each node of `expr` becomes with the nodes in `map` replaced (nodes left out stay
/// as they are), or the smallest node that becomes undefined.
pub(crate) fn replacements(
    pool: &mut Pool,
    expr: ExprId,
    map: &FxHashMap<ExprId, ExprId>,
) -> Result<FxHashMap<ExprId, ExprId>, ExprId> {
    if map.is_empty() {
        return Ok(FxHashMap::default());
    }
    // Only nodes that may contain a replaced node's symbols need a look.
    let mask = map
        .keys()
        .fold(0u64, |mask, &key| mask | pool.symbol_mask(key));
    let everything = map.keys().any(|&key| pool.is_constant(key));
    let order = pool.reachable(expr, |id| everything || pool.symbol_mask(id) & mask != 0);
    let mut new: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    for id in order {
        let replaced = match map.get(&id) {
            Some(&replacement) => replacement,
            None => {
                let children = pool.children(id);
                let mapped: Vec<ExprId> = children
                    .iter()
                    .map(|c| new.get(c).copied().unwrap_or(*c))
                    .collect();
                if mapped == children {
                    id
                } else {
                    let node = pool.node(id).clone();
                    rebuild(pool, &node, &mapped)
                }
            }
        };
        if replaced == ExprId::UNDEFINED {
            return Err(id);
        }
        new.insert(id, replaced);
    }
    Ok(new)
}

/// `expr` rewritten bottom up: every node, children first, rebuilt on its rewritten
/// children and then passed to `step` as `(original, rebuilt)`; what `step` returns
/// stands for the node above. Each distinct node is visited once.
pub(crate) fn rewrite_bottom_up(
    pool: &mut Pool,
    expr: ExprId,
    step: impl FnMut(&mut Pool, ExprId, ExprId) -> ExprId,
) -> ExprId {
    rewrite_bottom_up_with(pool, expr, &mut FxHashMap::default(), step)
}

/// [`rewrite_bottom_up`] continuing from the rewrites of earlier calls with the same
/// `step` (which must depend on the node alone), by node in `done`: a node found there is
/// not visited again, nor anything below it, and every node visited is added.
pub(crate) fn rewrite_bottom_up_with(
    pool: &mut Pool,
    expr: ExprId,
    done: &mut FxHashMap<ExprId, ExprId>,
    mut step: impl FnMut(&mut Pool, ExprId, ExprId) -> ExprId,
) -> ExprId {
    for id in pool.reachable(expr, |id| !done.contains_key(&id)) {
        let children: Vec<ExprId> = pool
            .children(id)
            .iter()
            .map(|c| done.get(c).copied().unwrap_or(*c))
            .collect();
        let rebuilt = if children.as_slice() == pool.children(id) {
            id
        } else {
            let node = pool.node(id).clone();
            rebuild(pool, &node, &children)
        };
        let rewritten = step(pool, id, rebuilt);
        done.insert(id, rewritten);
    }
    done.get(&expr).copied().unwrap_or(expr)
}

/// The node `node` with its children replaced by `children`, through the constructors.
pub(crate) fn rebuild(pool: &mut Pool, node: &Node, children: &[ExprId]) -> ExprId {
    match node {
        Node::Add(_) => pool.add(children),
        Node::Mul(_) => pool.mul(children),
        Node::Pow(_) => pool.pow(children[0], children[1]),
        Node::Call(func, _) => pool.call(*func, children[0]),
        Node::Atan2(_) => pool.atan2(children[0], children[1]),
        Node::Min(_) => pool.extremum(false, children),
        Node::Max(_) => pool.extremum(true, children),
        Node::LogSumExp(_) => pool.logsumexp(children),
        Node::Apply { name, orders, .. } => pool.apply(*name, orders, children),
        Node::Undefined
        | Node::Num(_)
        | Node::Const(_)
        | Node::Sym(_)
        | Node::Derivative { .. } => ExprId::UNDEFINED,
    }
}
