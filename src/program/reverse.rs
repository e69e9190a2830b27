//! Reverse-mode gradients as straight-line programs: the cheap-gradient principle. The
//! function's DAG is evaluated forward into named intermediates; then each node's adjoint
//! (∂f/∂node) is accumulated backward from its parents, one local partial per edge, and
//! named too. Every value is a name, so nothing shared is ever multiplied out again, and
//! the program is a small constant times the function's own size, however many parameters
//! there are. Backpropagation is exactly this, applied to a network's loss.

use rustc_hash::FxHashMap;

use crate::calculus::defined::DefinedFunctions;
use crate::calculus::diff::{
    atan2_derivative, derivative_of_func, extremum_weight, softmax_weight,
};
use crate::expr::func::Func;
use crate::expr::subst::rebuild;
use crate::expr::{ExprId, Map, Node, Pool, SymbolId};
use crate::program::cse::{Program, prefix};

/// The program computing `∂f/∂v` for every `v` in `vars`, or `None` when `f` holds unknown
/// functions or unevaluated derivatives (their partials have no formula here).
pub fn gradient_program(pool: &mut Pool, f: ExprId, vars: &[SymbolId]) -> Option<Program> {
    gradient_program_named(pool, f, vars, &FxHashMap::default())
}

/// [`gradient_program`] where the nodes in `names` (a model's definitions) keep their
/// names as intermediates, and calls of defined functions stay calls, differentiated by
/// their definitions.
pub fn gradient_program_named(
    pool: &mut Pool,
    f: ExprId,
    vars: &[SymbolId],
    names: &Map<ExprId, SymbolId>,
) -> Option<Program> {
    let nodes = pool.reachable(f, |_| true);
    if nodes.iter().any(|&n| match pool.node(n) {
        Node::Apply { name, orders, .. } => {
            !pool.functions.contains_key(name) || orders.iter().any(|&o| o > 0)
        }
        Node::Derivative { .. } | Node::Undefined => true,
        _ => false,
    }) {
        return None;
    }
    let mask = vars.iter().fold(0u64, |m, &v| m | Pool::symbol_bit(v));
    let mut roots: Vec<ExprId> = vec![f];
    roots.extend(names.keys().map(|&v| pool.sym(names[&v])));
    let public = prefix(pool, &roots);
    let mut builder = Builder {
        program: Program::default(),
        preferred: FxHashMap::default(),
    };

    // Forward: every compound node of the function becomes a name. `named` maps each
    // named expression to its name, so that local partials use the names too (`sign(x)`
    // in the derivative of `abs(x)` is the name of a `sign(x)` of the function).
    let mut value: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    let mut named: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    for &n in &nodes {
        let children = pool.children(n);
        let mapped: Vec<ExprId> = children.iter().map(|c| value[c]).collect();
        let reference = if children.is_empty() {
            n
        } else {
            let node = pool.node(n).clone();
            let rebuilt = rebuild(pool, &node, &mapped);
            let name = if names.contains_key(&n) {
                builder.new_name(pool, rebuilt)
            } else {
                builder.name(pool, rebuilt)
            };
            if let (Some(&model_name), Node::Sym(private)) = (names.get(&n), pool.node(name)) {
                builder.preferred.insert(*private, model_name);
            }
            named.insert(rebuilt, name);
            name
        };
        value.insert(n, reference);
    }

    // Backward: the adjoint of each node is the sum of its parents' adjoints times the
    // local partials, children after parents (reverse order of ids).
    let mut contributions: FxHashMap<ExprId, Vec<ExprId>> = FxHashMap::default();
    contributions.insert(f, vec![ExprId::ONE]);
    for &n in nodes.iter().rev() {
        let children = pool.children(n).to_vec();
        if children.is_empty() {
            continue;
        }
        let Some(parts) = contributions.remove(&n) else {
            continue;
        };
        let sum = pool.add(&parts);
        if sum == ExprId::ZERO {
            continue;
        }
        let adjoint = builder.name(pool, sum);
        for (k, &child) in children.iter().enumerate() {
            if pool.symbol_mask(child) & mask == 0 || children[..k].contains(&child) {
                continue;
            }
            let local = local_partial(pool, n, child, &value);
            let local = substitute(pool, local, &named);
            let term = pool.mul2(adjoint, local);
            contributions.entry(child).or_default().push(term);
        }
    }
    for &v in vars {
        let leaf = pool.sym(v);
        let parts = contributions.remove(&leaf).unwrap_or_default();
        let sum = pool.add(&parts);
        builder.program.results.push(sum);
    }
    Some(builder.inline_single_uses(pool, &public))
}

/// The program computing `f` and then `∂f/∂v` for every `v` in `vars`: the
/// [`crate::program::gradient_program`] with `f` prepended to its results, written in terms of the
/// program's intermediates wherever it contains one (so the value costs next to nothing
/// more than the gradient). `None` where [`crate::program::gradient_program`] gives `None`.
///
/// ```
/// use deriv::program::{Tape, value_and_gradient};
/// use deriv::{Pool, parse};
/// let mut pool = Pool::new();
/// let f = parse(&mut pool, "exp(a*x)*x").unwrap();
/// let (a, x) = (pool.symbol("a"), pool.symbol("x"));
/// let program = value_and_gradient(&mut pool, f, &[a]).unwrap();
/// let tape = Tape::compile(&pool, &program, &[a, x]).unwrap();
/// let out = tape.eval(&[0.5, 2.0]);
/// assert!((out[0] - 2.0 * 1f64.exp()).abs() < 1e-14);
/// assert!((out[1] - 4.0 * 1f64.exp()).abs() < 1e-14);
/// ```
pub fn value_and_gradient(pool: &mut Pool, f: ExprId, vars: &[SymbolId]) -> Option<Program> {
    value_and_gradient_named(pool, f, vars, &FxHashMap::default())
}

/// [`value_and_gradient`] where the nodes in `names` (a model's definitions) keep their
/// names as intermediates and calls of defined functions stay calls, as in
/// [`crate::program::gradient_program_named`].
pub fn value_and_gradient_named(
    pool: &mut Pool,
    f: ExprId,
    vars: &[SymbolId],
    names: &Map<ExprId, SymbolId>,
) -> Option<Program> {
    let mut program = gradient_program_named(pool, f, vars, names)?;
    let mut by_value: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    for &(symbol, value) in &program.temps {
        if !pool.children(value).is_empty() {
            let name = pool.sym(symbol);
            by_value.entry(value).or_insert(name);
        }
    }
    let mut written: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    for n in pool.reachable(f, |_| true) {
        let children = pool.children(n);
        let mapped: Vec<ExprId> = children.iter().map(|c| written[c]).collect();
        let value = if mapped == children {
            n
        } else {
            let node = pool.node(n).clone();
            rebuild(pool, &node, &mapped)
        };
        let value = by_value.get(&value).copied().unwrap_or(value);
        written.insert(n, value);
    }
    program.results.insert(0, written[&f]);
    Some(program)
}

/// `∂n/∂child` in terms of the forward names.
fn local_partial(
    pool: &mut Pool,
    n: ExprId,
    child: ExprId,
    value: &FxHashMap<ExprId, ExprId>,
) -> ExprId {
    match pool.node(n).clone() {
        Node::Add(_) => ExprId::ONE,
        Node::Mul(factors) => {
            let others: Vec<ExprId> = factors
                .iter()
                .filter(|&&f| f != child)
                .map(|f| value[f])
                .collect();
            pool.mul(&others)
        }
        Node::Pow([base, exp]) => {
            let (b, e, this) = (value[&base], value[&exp], value[&n]);
            let mut parts = Vec::new();
            if child == base {
                // e*b^(e-1)
                let lowered = pool.add2(e, ExprId::MINUS_ONE);
                let power = pool.pow(b, lowered);
                parts.push(pool.mul2(e, power));
            }
            if child == exp {
                // b^e*ln(b)
                let log = pool.call(Func::Ln, b);
                parts.push(pool.mul2(this, log));
            }
            pool.add(&parts)
        }
        Node::Apply { name, args, .. } => {
            let mapped: Vec<ExprId> = args.iter().map(|a| value[a]).collect();
            let mut parts = Vec::new();
            for (k, &arg) in args.iter().enumerate() {
                if arg != child {
                    continue;
                }
                let mut orders = vec![0; args.len()];
                orders[k] = 1;
                if let Some(partial) = pool.function_derivative(name, &orders, &mapped) {
                    parts.push(partial);
                }
            }
            pool.add(&parts)
        }
        Node::Atan2([y, x]) => {
            // The gradient of atan2(y, x) is (x, -y)/(x^2 + y^2), taken once per occurrence.
            let one_if = |hit: bool| if hit { ExprId::ONE } else { ExprId::ZERO };
            let (dy, dx) = (one_if(child == y), one_if(child == x));
            atan2_derivative(pool, value[&y], value[&x], dy, dx)
        }
        Node::Min(args) | Node::Max(args) => {
            let max = matches!(pool.node(n), Node::Max(_));
            let mapped: Vec<ExprId> = args.iter().map(|a| value[a]).collect();
            match args.iter().position(|&a| a == child) {
                Some(k) => extremum_weight(pool, max, &mapped, k),
                None => ExprId::ZERO,
            }
        }
        Node::LogSumExp(args) => {
            // Once per occurrence of the child: logsumexp(x, x) has 2*exp(x - itself).
            let count = args.iter().filter(|&&a| a == child).count();
            let weight = softmax_weight(pool, value[&n], value[&child]);
            let count = pool.int(count as i64);
            pool.mul2(count, weight)
        }
        Node::Call(func, _) => {
            let u = value[&child];
            match func {
                // exp' is exp itself: the forward name.
                Func::Exp => value[&n],
                _ => derivative_of_func(pool, func, u),
            }
        }
        _ => ExprId::ZERO,
    }
}

/// The program under construction; its names are private (`%1`, `%2`, … cannot clash
/// with any variable) until the final numbering.
struct Builder {
    program: Program,
    /// Private names that stand for a model's definitions, and those definitions' names.
    preferred: FxHashMap<SymbolId, SymbolId>,
}

impl Builder {
    /// A new name for `value`, or `value` itself when it is a name or an atom already.
    fn name(&mut self, pool: &mut Pool, value: ExprId) -> ExprId {
        if pool.children(value).is_empty() || is_negated_atom(pool, value) {
            return value;
        }
        self.new_name(pool, value)
    }

    /// A new name for `value` (a compound expression) whatever its size.
    fn new_name(&mut self, pool: &mut Pool, value: ExprId) -> ExprId {
        if pool.children(value).is_empty() {
            return value;
        }
        let name = format!("%{}", self.program.temps.len() + 1);
        let symbol = pool.symbol(&name);
        self.program.temps.push((symbol, value));
        pool.sym(symbol)
    }

    /// Writes every small intermediate used once into its single use, drops unused ones,
    /// and numbers the rest again in order. Large ones stay named, so that a chain of
    /// adjoints does not grow into ever longer products (which would be quadratic).
    fn inline_single_uses(mut self, pool: &mut Pool, prefix: &str) -> Program {
        /// A value up to this many nodes is written into its single use.
        const SMALL: usize = 12;
        let program = std::mem::take(&mut self.program);
        // Uses of a name: the edges into it from the expressions that mention it.
        let mut uses: FxHashMap<ExprId, u32> = FxHashMap::default();
        let roots = program
            .temps
            .iter()
            .map(|&(_, v)| v)
            .chain(program.results.iter().copied());
        for root in roots {
            *uses.entry(root).or_default() += 1;
            for n in pool.reachable(root, |_| true) {
                for &child in pool.children(n) {
                    *uses.entry(child).or_default() += 1;
                }
            }
        }
        let mut inline: FxHashMap<ExprId, ExprId> = FxHashMap::default();
        let mut kept = Vec::new();
        for &(symbol, value) in &program.temps {
            let var = pool.sym(symbol);
            let value = substitute(pool, value, &inline);
            let preferred = self.preferred.contains_key(&symbol);
            match uses.get(&var).copied().unwrap_or(0) {
                0 if !preferred => {}
                1 if !preferred && pool.reachable(value, |_| true).len() <= SMALL => {
                    inline.insert(var, value);
                }
                _ => kept.push((var, value)),
            }
        }
        let results: Vec<ExprId> = program
            .results
            .iter()
            .map(|&r| substitute(pool, r, &inline))
            .collect();
        // Public names: t1, t2, … in order of definition.
        let mut renamed: FxHashMap<ExprId, ExprId> = FxHashMap::default();
        let mut temps = Vec::with_capacity(kept.len());
        let mut numbered = 0;
        for (var, value) in kept {
            let value = substitute(pool, value, &renamed);
            let symbol = match pool.node(var) {
                Node::Sym(private) if self.preferred.contains_key(private) => {
                    self.preferred[private]
                }
                _ => {
                    numbered += 1;
                    pool.symbol(&format!("{prefix}{numbered}"))
                }
            };
            renamed.insert(var, pool.sym(symbol));
            temps.push((symbol, value));
        }
        let results = results
            .iter()
            .map(|&r| substitute(pool, r, &renamed))
            .collect();
        Program { temps, results }
    }
}

/// `root` with the nodes of `map` replaced. Unlike [`crate::replace`], which first gathers
/// the symbols of all of `map` to prune its walk, this costs only the size of `root`: the
/// program calls it once per (small) intermediate with a map that grows to the program's
/// size.
fn substitute(pool: &mut Pool, root: ExprId, map: &FxHashMap<ExprId, ExprId>) -> ExprId {
    if map.is_empty() {
        return root;
    }
    let mut new: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    for n in pool.reachable(root, |_| true) {
        let value = match map.get(&n) {
            Some(&v) => v,
            None => {
                let children = pool.children(n);
                let mapped: Vec<ExprId> = children.iter().map(|c| new[c]).collect();
                if mapped == children {
                    n
                } else {
                    let node = pool.node(n).clone();
                    rebuild(pool, &node, &mapped)
                }
            }
        };
        new.insert(n, value);
    }
    new[&root]
}

fn is_negated_atom(pool: &Pool, id: ExprId) -> bool {
    match pool.node(id) {
        Node::Mul(factors) => {
            factors.len() == 2
                && pool.as_num(factors[0]).is_some()
                && pool.children(factors[1]).is_empty()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{diff, eval, parse};

    #[test]
    fn programs_agree_with_forward_derivatives() {
        let cases = [
            "x^2*sin(y)*exp(x*y)",
            "x^x*y + ln(x*y + 2)",
            "1/(1 + exp(-(a*x + b*y + c)))",
            "sqrt(x^2 + y^2)*atan(y/x) - cos(x - y)^3",
            "1/2*(t - w1/(1 + exp(-(u1*x + u2*y + c))) - w2*tanh(v*x))^2",
            // The nodes of several arguments, with a child that occurs twice.
            "atan2(y, x)*atan2(x, x) + atan2(x^2, y - x)",
            "max(x, y, x*y) + min(x^2, y)*max(x, x^2)",
            "logsumexp(x, x, y) + logsumexp(x*y, y)",
            "sech(x)*acot(y) + gelu(x*y) + elu(x - y) + silu(y)*erfc(x)",
        ];
        for text in cases {
            let mut pool = Pool::new();
            let f = parse(&mut pool, text).unwrap();
            let vars = crate::free_symbols(&pool, f);
            let program = gradient_program(&mut pool, f, &vars).unwrap();
            let forward: Vec<ExprId> = vars.iter().map(|&v| diff(&mut pool, f, v)).collect();
            let point: FxHashMap<SymbolId, f64> = vars
                .iter()
                .enumerate()
                .map(|(k, &v)| (v, 0.3 + 0.17 * k as f64))
                .collect();
            let reverse = program.eval(&pool, &point);
            for (k, &d) in forward.iter().enumerate() {
                let expected = eval(&pool, d, &point);
                let error = (reverse[k] - expected).abs() / expected.abs().max(1.0);
                assert!(
                    error < 1e-12,
                    "{text}, variable {k}: {} vs {expected}",
                    reverse[k]
                );
            }
            // The cheap-gradient bound: a few intermediates per node of the function.
            let size = pool.reachable(f, |_| true).len();
            assert!(
                program.temps.len() <= 3 * size,
                "{text}: {}",
                program.temps.len()
            );
        }
    }

    #[test]
    fn unknown_functions_fall_back() {
        let mut pool = Pool::new();
        let f = parse(&mut pool, "g(x)*x").unwrap();
        let x = pool.symbol("x");
        assert!(gradient_program(&mut pool, f, &[x]).is_none());
    }

    #[test]
    fn the_value_reuses_the_intermediates() {
        let mut pool = Pool::new();
        let f = parse(&mut pool, "1/2*(y - u/(1+exp(-(w*x+b))))^2").unwrap();
        let params: Vec<SymbolId> = ["w", "b", "u"].iter().map(|n| pool.symbol(n)).collect();
        let program = value_and_gradient(&mut pool, f, &params).unwrap();
        let value = crate::print(&pool, program.results[0]);
        assert!(value.starts_with("t") && value.len() < 10, "{value}");
    }
}
