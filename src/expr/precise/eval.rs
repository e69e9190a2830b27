//! The evaluation of one expression's DAG at one precision, node by node, children first.

use astro_float::Consts;
use rustc_hash::FxHashMap;

use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Node, Pool, SymbolId};

use super::interval::{Interval, max, min};
use super::{RM, Stop};

/// The evaluation of one expression at one precision.
pub(super) struct Evaluator<'a> {
    pub(super) pool: &'a Pool,
    pub(super) p: usize,
    pub(super) cc: Consts,
    pub(super) values: &'a FxHashMap<SymbolId, Rational>,
}

impl Evaluator<'_> {
    /// The interval of `root`; the first node that fails stops it.
    pub(super) fn eval(&mut self, root: ExprId) -> Result<Interval, Stop> {
        self.eval_nodes(root, false).0
    }

    /// The interval of `root`, and the nodes that fail by themselves (their arguments
    /// having values), in order, children first: all of them with `keep_going`, else the
    /// first.
    pub(super) fn eval_nodes(
        &mut self,
        root: ExprId,
        keep_going: bool,
    ) -> (Result<Interval, Stop>, Vec<(ExprId, Stop)>) {
        let order = self.pool.reachable(root, |_| true);
        let mut value: FxHashMap<ExprId, Result<Interval, Stop>> = FxHashMap::default();
        let mut failures = Vec::new();
        for &id in &order {
            let children = self.pool.children(id);
            let inherited = children.iter().find_map(|c| match value.get(c) {
                Some(Ok(_)) => None,
                Some(Err(stop)) => Some(*stop),
                None => Some(Stop::NotNumeric),
            });
            let v = match inherited {
                Some(stop) => Err(stop),
                None => {
                    let own = self.node(id, &value);
                    if let Err(stop) = own
                        && stop != Stop::NotNumeric
                    {
                        failures.push((id, stop));
                        if !keep_going {
                            return (Err(stop), failures);
                        }
                    }
                    own
                }
            };
            value.insert(id, v);
        }
        let result = value.remove(&root).unwrap_or(Err(Stop::NotNumeric));
        (result, failures)
    }

    /// The interval of one node, its children's intervals in `value`.
    fn node(
        &mut self,
        id: ExprId,
        value: &FxHashMap<ExprId, Result<Interval, Stop>>,
    ) -> Result<Interval, Stop> {
        let of = |child: &ExprId| match value.get(child) {
            Some(Ok(i)) => Ok(i.clone()),
            Some(Err(stop)) => Err(*stop),
            None => Err(Stop::NotNumeric),
        };
        match self.pool.node(id) {
            Node::Undefined | Node::Derivative { .. } | Node::Apply { .. } => Err(Stop::NotNumeric),
            Node::Num(q) => self.number(q),
            Node::Const(Constant::Pi) => self.pi(),
            Node::Const(Constant::E) => {
                let e = self.cc.e(self.p, RM);
                self.around(e, false)
            }
            Node::Sym(symbol) => match self.values.get(symbol) {
                Some(x) => self.number(x),
                None => Err(Stop::NotNumeric),
            },
            Node::Add(ops) => {
                let mut sum = of(&ops[0])?;
                for op in &ops[1..] {
                    sum = self.add(&sum, &of(op)?)?;
                }
                Ok(sum)
            }
            Node::Mul(ops) => {
                let mut product = of(&ops[0])?;
                for op in &ops[1..] {
                    product = self.mul(&product, &of(op)?)?;
                }
                Ok(product)
            }
            Node::Pow([base, exp]) => {
                let (b, e) = (of(base)?, of(exp)?);
                self.pow(id, *base, *exp, &b, &e)
            }
            Node::Call(func, arg) => {
                let a = of(arg)?;
                self.call(id, *func, &a)
            }
            Node::Atan2([y, x]) => {
                let (y, x) = (of(y)?, of(x)?);
                self.atan2(id, &y, &x)
            }
            Node::Min(ops) | Node::Max(ops) => {
                let is_max = matches!(self.pool.node(id), Node::Max(_));
                let mut bounds = of(&ops[0])?;
                for op in &ops[1..] {
                    let next = of(op)?;
                    bounds = if is_max {
                        Interval {
                            lo: max(bounds.lo, next.lo),
                            hi: max(bounds.hi, next.hi),
                        }
                    } else {
                        Interval {
                            lo: min(bounds.lo, next.lo),
                            hi: min(bounds.hi, next.hi),
                        }
                    };
                }
                Ok(bounds)
            }
            Node::LogSumExp(ops) => {
                let mut sum = self.exp(&of(&ops[0])?)?;
                for op in &ops[1..] {
                    let term = self.exp(&of(op)?)?;
                    sum = self.add(&sum, &term)?;
                }
                self.ln(&sum, id)
            }
        }
    }
}
