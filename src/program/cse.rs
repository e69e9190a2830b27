//! Common subexpression elimination: results printed as a straight-line program. Every
//! node that several parents (or several results) share becomes a named intermediate
//! `t1 = …`, defined before its first use, so the program is as large as the DAG rather
//! than the tree it unfolds to.

use rustc_hash::FxHashMap;

use crate::expr::subst::{free_symbols, rebuild};
use crate::expr::{ExprId, Map, Node, Pool, SymbolId};

/// A straight-line program: intermediates in order of definition, then the results.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// `name = value`, each value written in terms of earlier names.
    pub temps: Vec<(SymbolId, ExprId)>,
    /// The results, in terms of the names.
    pub results: Vec<ExprId>,
}

impl Program {
    /// The results at `point` (each variable's value), computing the intermediates in
    /// order by walking each expression with [`crate::eval`]. To evaluate many times,
    /// compile a [`crate::program::Tape`] instead.
    pub fn eval(&self, pool: &Pool, point: &Map<SymbolId, f64>) -> Vec<f64> {
        let mut values = point.clone();
        for &(symbol, value) in &self.temps {
            let v = crate::expr::eval::eval(pool, value, &values);
            values.insert(symbol, v);
        }
        self.results
            .iter()
            .map(|&r| crate::expr::eval::eval(pool, r, &values))
            .collect()
    }
}

/// Whether naming `id` would not shorten anything: atoms and `-atom`.
fn is_trivial(pool: &Pool, id: ExprId) -> bool {
    match pool.node(id) {
        Node::Undefined | Node::Num(_) | Node::Const(_) | Node::Sym(_) => true,
        Node::Derivative { .. } => true,
        Node::Mul(factors) => {
            factors.len() == 2
                && factors[0] == ExprId::MINUS_ONE
                && matches!(pool.node(factors[1]), Node::Sym(_) | Node::Const(_))
        }
        _ => false,
    }
}

/// The prefix of the intermediates' names: `t`, or `t_`, `t__`, … when a variable of the
/// results is already called like an intermediate (`t1`).
pub(crate) fn prefix(pool: &mut Pool, roots: &[ExprId]) -> String {
    let mut names = Vec::new();
    for &root in roots {
        for symbol in free_symbols(pool, root) {
            names.push(pool.symbol_name(symbol).to_string());
        }
    }
    let mut prefix = "t".to_string();
    while names.iter().any(|name| {
        name.strip_prefix(prefix.as_str())
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
    }) {
        prefix.push('_');
    }
    prefix
}

/// The program computing `roots` with every shared non-trivial node computed once. One
/// pass over the DAG, children before parents.
pub fn cse(pool: &mut Pool, roots: &[ExprId]) -> Program {
    let prefix = prefix(pool, roots);
    let mut nodes = Vec::new();
    for &root in roots {
        nodes.extend(pool.reachable(root, |_| true));
    }
    nodes.sort_unstable();
    nodes.dedup();
    let mut uses: FxHashMap<ExprId, u32> = FxHashMap::default();
    for &id in &nodes {
        for &child in pool.children(id) {
            *uses.entry(child).or_default() += 1;
        }
    }
    for &root in roots {
        *uses.entry(root).or_default() += 1;
    }
    let mut written: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    let mut program = Program::default();
    for id in nodes {
        let children = pool.children(id);
        let mapped: Vec<ExprId> = children.iter().map(|c| written[c]).collect();
        let value = if mapped == children {
            id
        } else {
            let node = pool.node(id).clone();
            rebuild(pool, &node, &mapped)
        };
        let shared = uses.get(&id).copied().unwrap_or(0) >= 2;
        if shared && !is_trivial(pool, id) {
            let name = format!("{prefix}{}", program.temps.len() + 1);
            let symbol = pool.symbol(&name);
            program.temps.push((symbol, value));
            let var = pool.sym(symbol);
            written.insert(id, var);
        } else {
            written.insert(id, value);
        }
    }
    program.results = roots.iter().map(|r| written[r]).collect();
    program
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{diff, parse, print, replace};

    /// Substituting the intermediates back, last first, gives the original results.
    fn inline(pool: &mut Pool, program: &Program, id: ExprId) -> ExprId {
        let mut id = id;
        for &(symbol, value) in program.temps.iter().rev() {
            let var = pool.sym(symbol);
            let map = [(var, value)].into_iter().collect();
            id = replace(pool, id, &map);
        }
        id
    }

    #[test]
    fn a_chain_rule_product_shares_each_level() {
        let mut pool = Pool::new();
        let f = parse(&mut pool, "sin(sin(sin(x)))").unwrap();
        let x = pool.symbol("x");
        let d = diff(&mut pool, f, x);
        let program = cse(&mut pool, &[d]);
        let lines: Vec<String> = program
            .temps
            .iter()
            .map(|&(s, v)| format!("{} = {}", pool.symbol_name(s), print(&pool, v)))
            .collect();
        // sin(sin(x)) occurs once in the derivative, inside a cosine: only sin(x) is shared.
        assert_eq!(lines, ["t1 = sin(x)"]);
        assert_eq!(
            print(&pool, program.results[0]),
            "cos(x)*cos(t1)*cos(sin(t1))"
        );
        assert_eq!(inline(&mut pool, &program, program.results[0]), d);
    }

    #[test]
    fn names_avoid_the_variables() {
        let mut pool = Pool::new();
        let f = parse(&mut pool, "sin(t1*x) + sin(t1*x)^2").unwrap();
        let program = cse(&mut pool, &[f]);
        assert_eq!(pool.symbol_name(program.temps[0].0), "t_1");
        assert_eq!(inline(&mut pool, &program, program.results[0]), f);
    }
}
