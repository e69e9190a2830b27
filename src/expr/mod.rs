//! The expression store: a hash-consed DAG of canonical nodes addressed by [`ExprId`].
//!
//! Invariants (the constructors in `build/` keep them; nothing else creates nodes):
//! 1. Every node is canonical, and each distinct node is stored once, so two ids are equal
//!    exactly when the expressions are equal in canonical form.
//! 2. Children have smaller ids than their parents: `0..len` is a topological order, which
//!    lets every traversal run as a loop over ids instead of a recursion.
//! 3. `Add` and `Mul` have at least two operands, are flattened, and are sorted by a
//!    structural order that never depends on the order in which nodes were created.
//! 4. An `Add` holds at most one number (its constant term), a `Mul` at most one number
//!    (its coefficient, first); neither holds `0`, and a `Mul` never holds `1`.
//! 5. [`ExprId::UNDEFINED`] stands for a mathematically undefined value such as `1/0`; every
//!    constructor given it returns it, and [`Pool::undefined_reason`] says where it arose.

mod build;
pub(crate) mod defined;
pub(crate) mod eval;
pub(crate) mod func;
pub(crate) mod multi;
pub(crate) mod precise;
pub(crate) mod rational;
pub(crate) mod subst;

pub use eval::{eval, eval_constant};
pub use func::{ALIASES, Func, is_builtin_name};
pub use multi::Multi;
pub use precise::Decimal;
pub use rational::Rational;
pub use subst::{Cycle, Substitution, free_symbols, replace, replace_checked, substitute};

use std::cmp::Ordering;
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::time::Instant;

use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHasher};

/// A handle to an expression in a [`Pool`]. Equal ids mean equal expressions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(u32);

impl ExprId {
    /// The undefined value (`1/0`, `ln(0)`, …); see [`Pool::undefined_reason`].
    pub const UNDEFINED: ExprId = ExprId(0);
    /// The number zero.
    pub const ZERO: ExprId = ExprId(1);
    /// The number one.
    pub const ONE: ExprId = ExprId(2);
    /// The number minus one.
    pub const MINUS_ONE: ExprId = ExprId(3);
    /// The constant `e`.
    pub const E: ExprId = ExprId(4);
    /// The constant `pi`.
    pub const PI: ExprId = ExprId(5);

    /// The position of the node in its pool.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Debug for ExprId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// An interned variable or function name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct SymbolId(u32);

/// A named mathematical constant.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Constant {
    /// π, written `pi` or `π`.
    Pi,
    /// Euler's number, written `e`.
    E,
}

/// One canonical node. Read nodes with [`Pool::node`]; build them with the pool's
/// constructors ([`Pool::add`], [`Pool::mul`], [`Pool::pow`], …).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Node {
    /// The undefined value; only [`ExprId::UNDEFINED`] has it.
    Undefined,
    /// An exact rational number.
    Num(Rational),
    /// `pi` or `e`.
    Const(Constant),
    /// A variable.
    Sym(SymbolId),
    /// A sum of at least two terms.
    Add(Box<[ExprId]>),
    /// A product of at least two factors, the numeric coefficient (if any) first.
    Mul(Box<[ExprId]>),
    /// `[base, exponent]`: `base ^ exponent`.
    Pow([ExprId; 2]),
    /// A built-in function of one argument.
    Call(Func, ExprId),
    /// `[y, x]`: `atan2(y, x)`, the angle of the point `(x, y)` (see [`crate::expr::Multi`]).
    Atan2([ExprId; 2]),
    /// The smallest of at least two arguments, in canonical order (see [`crate::expr::Multi`]).
    Min(Box<[ExprId]>),
    /// The largest of at least two arguments, in canonical order.
    Max(Box<[ExprId]>),
    /// `ln(exp(a) + exp(b) + …)` of at least two arguments, in canonical order (repeats
    /// count), evaluated without overflow.
    LogSumExp(Box<[ExprId]>),
    /// An unknown function `f(u, v)`, possibly differentiated: `orders[k]` counts the
    /// derivatives taken in argument `k` (`f'(u)` has `orders == [1]`).
    Apply {
        /// The function's name.
        name: SymbolId,
        /// Derivative order per argument; all zero for a plain application.
        orders: Box<[u32]>,
        /// The arguments.
        args: Box<[ExprId]>,
    },
    /// `diff(y, x, order)`: the unevaluated derivative of a variable `y` that depends on
    /// `x` (declared with `--depends`, or every variable under `--vary-all`).
    Derivative {
        /// The dependent variable.
        of: SymbolId,
        /// The variable it depends on.
        wrt: SymbolId,
        /// How often it is differentiated, at least 1.
        order: u32,
    },
}

/// Facts about a node computed once, when it is created.
#[derive(Clone, Copy)]
struct NodeInfo {
    /// A hash of the node's structure that uses names, never ids, so it does not depend on
    /// the order of creation. Orders sums and products.
    shape: u64,
    /// Bit `symbol_bit(s)` is set when the symbol `s` may occur in the node.
    symbols: u64,
    /// The shape of the node as a term without its numeric coefficient: `3*x*y` and
    /// `x*y` share it, so like terms sort next to each other.
    term_key: u64,
    /// The shape of the node's base as a factor: `x`, `x^2` and `x^y` share it (and
    /// `e`, `exp(u)`), so like factors sort next to each other.
    factor_key: u64,
    /// Whether a sum's content (the gcd of its coefficients, signed) is 1, as most sums'
    /// is; `None` until first asked. Products and powers ask it of every sum factor.
    primitive_sum: Option<bool>,
    /// `sign(u)`, `abs(u)` or a power of `abs(u)`.
    is_sign_or_abs: bool,
    /// A product with a factor `sign(u)`, `abs(u)` or a power of `abs(u)`, which may meet
    /// another factor (`sign(u)*u` is `abs(u)`): such products take the general path.
    holds_sign_or_abs: bool,
}

/// Why a constructor produced [`ExprId::UNDEFINED`]: the reason, and the subexpression it
/// is about, which [`crate::print::undefined_reason_text`] writes in place of `{}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UndefinedReason {
    /// The reason, with `{}` where `about` is shown.
    pub text: String,
    /// The subexpression the reason is about.
    pub about: Option<ExprId>,
}

/// The arena that owns all nodes, the symbol table and the derivative memo.
pub struct Pool {
    nodes: Vec<Node>,
    info: Vec<NodeInfo>,
    /// Every node's id, with its hash.
    dedup: HashTable<(u64, ExprId)>,
    names: Vec<Box<str>>,
    name_ids: FxHashMap<Box<str>, SymbolId>,
    name_hashes: Vec<u64>,
    pub(crate) diff_memo: FxHashMap<(ExprId, SymbolId), ExprId>,
    /// The tidy pass's costs of nodes as printed (operators, characters; see
    /// `crate::algebra::Cost`): nodes never change, so a cost holds for the pool's life.
    pub(crate) cost_memo: std::cell::RefCell<FxHashMap<ExprId, (usize, usize)>>,
    undefined_reason: Option<UndefinedReason>,
    limit_reached: Option<Limit>,
    operand_slots: usize,
    max_operand_slots: usize,
    /// Operands of every node built so far, found or new: the work of construction.
    work: u64,
    /// The work after which constructors stop ([`Pool::with_budget`]).
    max_work: u64,
    deadline: Option<Instant>,
    /// Raised by another thread or a signal handler to stop the work (Ctrl-C in the REPL).
    stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    max_power_bits: u64,
    /// [`Pool::reachable`]'s visited marks, all false between calls: a walk costs what it
    /// visits, not the size of the pool.
    visited: std::cell::RefCell<Vec<bool>>,
    /// User-defined functions (`phi(s) = …`), by name: see [`crate::model`]. None calls
    /// itself, directly or through others (`Model::define` refuses it), so writing out
    /// calls always ends.
    pub(crate) functions: FxHashMap<SymbolId, crate::expr::defined::Function>,
}

pub use crate::error::Limit;

/// The map of the public API (values of variables, replacements of nodes): a hash map
/// with a fast hasher. It is `rustc_hash`'s `FxHashMap`, named here so that a user needs
/// no dependency of their own: `deriv::Map::default()` makes one.
pub type Map<K, V> = FxHashMap<K, V>;

/// The default largest exact power, in bits of its numerator and denominator: larger
/// powers of numbers stay unevaluated (`2^(10^20)`). See [`Pool::set_max_power_bits`].
pub const DEFAULT_MAX_POWER_BITS: u64 = 1 << 20;

/// The default budget of operand slots (children of sums, products and calls) in one pool:
/// about 1 GiB of operands. See [`Pool::set_max_size`].
pub const DEFAULT_MAX_SIZE: usize = 1 << 28;

/// The nodes a new pool has room for before it first grows.
const INITIAL_NODES: usize = 64;

impl Default for Pool {
    fn default() -> Self {
        Self::new()
    }
}

impl Pool {
    /// An empty pool holding only the predefined numbers.
    pub fn new() -> Pool {
        let mut pool = Pool {
            // Room for a small input's nodes: growing from nothing costs a small input
            // a tenth of its time in reallocations.
            nodes: Vec::with_capacity(INITIAL_NODES),
            info: Vec::with_capacity(INITIAL_NODES),
            dedup: HashTable::with_capacity(INITIAL_NODES),
            names: Vec::new(),
            name_ids: FxHashMap::default(),
            name_hashes: Vec::new(),
            diff_memo: FxHashMap::default(),
            cost_memo: std::cell::RefCell::new(FxHashMap::default()),
            undefined_reason: None,
            limit_reached: None,
            operand_slots: 0,
            max_operand_slots: DEFAULT_MAX_SIZE,
            work: 0,
            max_work: u64::MAX,
            deadline: None,
            stop: None,
            max_power_bits: DEFAULT_MAX_POWER_BITS,
            visited: std::cell::RefCell::new(Vec::new()),
            functions: FxHashMap::default(),
        };
        for node in [
            Node::Undefined,
            Node::Num(Rational::ZERO),
            Node::Num(Rational::ONE),
            Node::Num(Rational::MINUS_ONE),
            Node::Const(Constant::E),
            Node::Const(Constant::Pi),
        ] {
            pool.intern(node);
        }
        pool
    }

    /// Runs `work` with a budget of construction: past `operands` operands of nodes
    /// built (found or new), constructors return [`ExprId::UNDEFINED`] as at the size
    /// limit. After it the budget is lifted and a size limit reached inside is forgotten
    /// (a time limit or a stop is not); returns `work`'s result and whether the budget
    /// ran out.
    pub fn with_budget<T>(
        &mut self,
        operands: u64,
        work: impl FnOnce(&mut Pool) -> T,
    ) -> (T, bool) {
        let (max, reached) = (self.max_work, self.limit_reached);
        self.max_work = max.min(self.work.saturating_add(operands));
        let result = work(self);
        let exhausted = self.work > self.max_work;
        self.max_work = max;
        if reached.is_none() && self.limit_reached == Some(Limit::Size) {
            self.limit_reached = None;
        }
        (result, exhausted)
    }

    /// Sets how many operand slots all nodes together may use; past it, constructors
    /// return [`ExprId::UNDEFINED`] with a reason that names the limit.
    pub fn set_max_size(&mut self, max_operand_slots: usize) {
        self.max_operand_slots = max_operand_slots;
    }

    /// The node behind an id.
    pub fn node(&self, id: ExprId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The number of distinct nodes stored.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the pool holds only its predefined constants.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= ExprId::PI.index() + 1
    }

    /// Why the most recent [`ExprId::UNDEFINED`] was produced, for example `1/0`; the
    /// printer words it ([`crate::print::undefined_reason_text`]).
    pub fn undefined_reason(&self) -> Option<&UndefinedReason> {
        self.undefined_reason.as_ref()
    }

    /// Whether the deadline of [`Pool::set_deadline`] has passed or the flag of
    /// [`Pool::set_stop`] is raised: for work outside the constructors (numeric
    /// evaluation) to stop too.
    pub(crate) fn past_deadline(&self) -> bool {
        self.stop_limit().is_some()
    }

    /// Which limit stops the work now: the stop flag, then the deadline.
    fn stop_limit(&self) -> Option<Limit> {
        if self
            .stop
            .as_ref()
            .is_some_and(|stop| stop.load(std::sync::atomic::Ordering::Relaxed))
        {
            return Some(Limit::Interrupted);
        }
        self.deadline
            .is_some_and(|deadline| Instant::now() > deadline)
            .then_some(Limit::Time)
    }

    /// Stops constructors (they return [`ExprId::UNDEFINED`]) once `stop` is raised, as
    /// at a deadline: the way a REPL's Ctrl-C ends a long computation.
    pub fn set_stop(&mut self, stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>) {
        self.stop = stop;
    }

    /// Stops constructors (they return [`ExprId::UNDEFINED`]) once `deadline` has passed.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    /// Sets the largest exact power of a number, in bits; larger ones stay unevaluated.
    pub fn set_max_power_bits(&mut self, bits: u64) {
        self.max_power_bits = bits;
    }

    /// The largest exact power of a number, in bits.
    pub(crate) fn max_power_bits(&self) -> u64 {
        self.max_power_bits
    }

    /// The resource limit that stopped a constructor, if one did.
    pub fn limit_reached(&self) -> Option<Limit> {
        self.limit_reached
    }

    /// Records why a constructor produced [`ExprId::UNDEFINED`] and returns it.
    pub(crate) fn undefined(&mut self, reason: String) -> ExprId {
        self.undefined_reason = Some(UndefinedReason {
            text: reason,
            about: None,
        });
        ExprId::UNDEFINED
    }

    /// [`Pool::undefined`] with a reason about the subexpression `about`, which the
    /// printer writes where `text` has `{}` (`tan({}) is undefined (a pole)`): the pool
    /// passes the expression up rather than calling the printer.
    pub(crate) fn undefined_about(&mut self, text: String, about: ExprId) -> ExprId {
        self.undefined_reason = Some(UndefinedReason {
            text,
            about: Some(about),
        });
        ExprId::UNDEFINED
    }

    /// The symbol named `name`, interned.
    pub fn symbol(&mut self, name: &str) -> SymbolId {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = SymbolId(self.names.len() as u32);
        self.names.push(name.into());
        self.name_hashes.push(FxBuildHasher.hash_one(name));
        self.name_ids.insert(name.into(), id);
        id
    }

    /// The symbol named `name` if it has been interned.
    pub fn find_symbol(&self, name: &str) -> Option<SymbolId> {
        self.name_ids.get(name).copied()
    }

    /// The name of a symbol.
    pub fn symbol_name(&self, symbol: SymbolId) -> &str {
        &self.names[symbol.0 as usize]
    }

    /// The variable `name` as an expression.
    pub fn var(&mut self, name: &str) -> ExprId {
        let symbol = self.symbol(name);
        self.intern(Node::Sym(symbol))
    }

    /// The variable `symbol` as an expression.
    pub fn sym(&mut self, symbol: SymbolId) -> ExprId {
        self.intern(Node::Sym(symbol))
    }

    /// An exact number.
    pub fn num(&mut self, value: Rational) -> ExprId {
        self.intern(Node::Num(value))
    }

    /// The integer `n`.
    pub fn int(&mut self, n: i64) -> ExprId {
        self.num(Rational::int(n))
    }

    /// The constant `pi` or `e`.
    pub fn constant(&mut self, constant: Constant) -> ExprId {
        self.intern(Node::Const(constant))
    }

    /// The number behind an id, if the node is a number.
    pub fn as_num(&self, id: ExprId) -> Option<&Rational> {
        match self.node(id) {
            Node::Num(value) => Some(value),
            _ => None,
        }
    }

    /// The bloom bits of the symbols that may occur in `id`.
    pub(crate) fn symbol_mask(&self, id: ExprId) -> u64 {
        self.info[id.index()].symbols
    }

    /// The bloom bit of one symbol.
    pub(crate) fn symbol_bit(symbol: SymbolId) -> u64 {
        symbol_bit(symbol)
    }

    /// Whether `id` contains no symbol at all (a constant such as `2*pi`).
    pub fn is_constant(&self, id: ExprId) -> bool {
        self.info[id.index()].symbols == 0
    }

    /// The structural hash of a node.
    pub(crate) fn shape(&self, id: ExprId) -> u64 {
        self.info[id.index()].shape
    }

    /// Stores `node` unless an equal node exists, and returns its id. The caller must pass
    /// a canonical node (invariant 1).
    pub(crate) fn intern(&mut self, node: Node) -> ExprId {
        let slots = match &node {
            Node::Add(ops)
            | Node::Mul(ops)
            | Node::Min(ops)
            | Node::Max(ops)
            | Node::LogSumExp(ops)
            | Node::Apply { args: ops, .. } => ops.len(),
            Node::Pow(_) | Node::Atan2(_) => 2,
            _ => 1,
        };
        self.work += slots as u64;
        if self.work > self.max_work {
            self.limit_reached = Some(Limit::Size);
            return self.undefined("the work budget ran out".into());
        }
        let hash = FxBuildHasher.hash_one(&node);
        // Invariant 1: a product never holds a product (every test checks it).
        debug_assert!(
            !matches!(&node, Node::Mul(ops)
                if ops.iter().any(|c| matches!(self.nodes[c.index()], Node::Mul(_)))),
            "a product holding a product"
        );
        let nodes = &self.nodes;
        if let Some(&(_, id)) = self
            .dedup
            .find(hash, |&(h, id)| h == hash && nodes[id.index()] == node)
        {
            return id;
        }
        self.operand_slots += slots;
        if self.operand_slots > self.max_operand_slots {
            self.operand_slots -= slots;
            let limit = self.max_operand_slots;
            self.limit_reached = Some(Limit::Size);
            return self.undefined(format!(
                "the expression grew past the size limit of {limit} operands"
            ));
        }
        // Looking at the clock every 4096 new nodes costs nothing measurable.
        if self.nodes.len().is_multiple_of(4096)
            && let Some(limit) = self.stop_limit()
        {
            self.operand_slots -= slots;
            self.limit_reached = Some(limit);
            let reason = match limit {
                Limit::Interrupted => "the computation was interrupted",
                _ => "the time limit was reached",
            };
            return self.undefined(reason.into());
        }
        let info = self.compute_info(&node);
        let id = ExprId(self.nodes.len() as u32);
        self.nodes.push(node);
        self.info.push(info);
        // Growing the table rehashes from the stored hashes, not from the nodes.
        self.dedup
            .insert_unique(hash, (hash, id), |&(hash, _)| hash);
        id
    }

    fn compute_info(&self, node: &Node) -> NodeInfo {
        let mut hasher = FxHasher::default();
        let mut symbols = 0;
        let mut child_is_sign_or_abs = false;
        std::mem::discriminant(node).hash(&mut hasher);
        let mut children = |ids: &[ExprId], hasher: &mut FxHasher| {
            for id in ids {
                let info = self.info[id.index()];
                info.shape.hash(hasher);
                symbols |= info.symbols;
                child_is_sign_or_abs |= info.is_sign_or_abs;
            }
        };
        match node {
            Node::Undefined => {}
            Node::Num(value) => value.hash(&mut hasher),
            Node::Const(constant) => constant.hash(&mut hasher),
            Node::Sym(symbol) => {
                self.name_hashes[symbol.0 as usize].hash(&mut hasher);
                symbols = symbol_bit(*symbol);
            }
            Node::Add(ops)
            | Node::Mul(ops)
            | Node::Min(ops)
            | Node::Max(ops)
            | Node::LogSumExp(ops) => children(ops, &mut hasher),
            Node::Pow(pair) | Node::Atan2(pair) => children(pair, &mut hasher),
            Node::Call(func, arg) => {
                func.hash(&mut hasher);
                children(&[*arg], &mut hasher);
            }
            Node::Apply { name, orders, args } => {
                self.name_hashes[name.0 as usize].hash(&mut hasher);
                orders.hash(&mut hasher);
                children(args, &mut hasher);
            }
            Node::Derivative { of, wrt, order } => {
                self.name_hashes[of.0 as usize].hash(&mut hasher);
                self.name_hashes[wrt.0 as usize].hash(&mut hasher);
                order.hash(&mut hasher);
                symbols = symbol_bit(*of) | symbol_bit(*wrt);
            }
        }
        let shape = hasher.finish();
        let term_key = match node {
            Node::Mul(ops) if matches!(self.nodes[ops[0].index()], Node::Num(_)) => {
                match &ops[1..] {
                    [single] => self.shape(*single),
                    rest => self.product_shape(rest),
                }
            }
            _ => shape,
        };
        let factor_key = match node {
            Node::Pow([base, _]) => self.shape(*base),
            Node::Call(Func::Exp, _) => self.shape(ExprId::E),
            _ => shape,
        };
        NodeInfo {
            shape,
            symbols,
            term_key,
            factor_key,
            primitive_sum: None,
            is_sign_or_abs: match node {
                Node::Call(Func::Sign | Func::Abs, _) => true,
                Node::Pow([base, _]) => {
                    matches!(self.node(*base), Node::Call(Func::Abs | Func::Sign, _))
                }
                _ => false,
            },
            holds_sign_or_abs: matches!(node, Node::Mul(_)) && child_is_sign_or_abs,
        }
    }

    /// The shape a product of `factors` (no coefficient) has.
    fn product_shape(&self, factors: &[ExprId]) -> u64 {
        let mut hasher = FxHasher::default();
        std::mem::discriminant(&Node::Mul(Box::new([]))).hash(&mut hasher);
        for id in factors {
            self.shape(*id).hash(&mut hasher);
        }
        hasher.finish()
    }

    /// See [`NodeInfo::term_key`].
    pub(crate) fn term_key(&self, id: ExprId) -> u64 {
        self.info[id.index()].term_key
    }

    /// See [`NodeInfo::is_sign_or_abs`].
    pub(crate) fn is_sign_or_abs(&self, id: ExprId) -> bool {
        self.info[id.index()].is_sign_or_abs
    }

    /// See [`NodeInfo::holds_sign_or_abs`].
    pub(crate) fn holds_sign_or_abs(&self, id: ExprId) -> bool {
        self.info[id.index()].holds_sign_or_abs
    }

    /// Whether `id` is a sum with content 1 (see [`Pool::content`]), computed once per node.
    pub(crate) fn is_primitive_sum(&mut self, id: ExprId) -> bool {
        if let Some(known) = self.info[id.index()].primitive_sum {
            return known;
        }
        let primitive = match self.node(id) {
            Node::Add(terms) => self.content(terms).is_one(),
            _ => false,
        };
        self.info[id.index()].primitive_sum = Some(primitive);
        primitive
    }

    /// See [`NodeInfo::factor_key`].
    pub(crate) fn factor_key(&self, id: ExprId) -> u64 {
        self.info[id.index()].factor_key
    }

    /// The direct children of a node, in order.
    pub fn children(&self, id: ExprId) -> &[ExprId] {
        match self.node(id) {
            Node::Add(ops)
            | Node::Mul(ops)
            | Node::Min(ops)
            | Node::Max(ops)
            | Node::LogSumExp(ops)
            | Node::Apply { args: ops, .. } => ops,
            Node::Pow(pair) | Node::Atan2(pair) => pair,
            Node::Call(_, arg) => std::slice::from_ref(arg),
            Node::Undefined
            | Node::Num(_)
            | Node::Const(_)
            | Node::Sym(_)
            | Node::Derivative { .. } => &[],
        }
    }

    /// Every node reachable from `root` (itself included) for which `descend` holds,
    /// children before parents. `descend` decides whether a node is visited at all.
    pub(crate) fn reachable(
        &self,
        root: ExprId,
        descend: impl FnMut(ExprId) -> bool,
    ) -> Vec<ExprId> {
        self.reachable_from(&[root], descend)
    }

    /// Every node reachable from any of `roots`, as [`Pool::reachable`] finds them.
    pub(crate) fn reachable_from(
        &self,
        roots: &[ExprId],
        mut descend: impl FnMut(ExprId) -> bool,
    ) -> Vec<ExprId> {
        // A `descend` that walks the pool itself gets fresh marks.
        let mut fresh = Vec::new();
        let mut shared = self.visited.try_borrow_mut();
        let seen = match &mut shared {
            Ok(marks) => &mut **marks,
            Err(_) => &mut fresh,
        };
        if seen.len() < self.nodes.len() {
            seen.resize(self.nodes.len(), false);
        }
        let mut found = Vec::new();
        let mut stack = roots.to_vec();
        while let Some(id) = stack.pop() {
            if seen[id.index()] || !descend(id) {
                continue;
            }
            seen[id.index()] = true;
            found.push(id);
            stack.extend(
                self.children(id)
                    .iter()
                    .filter(|child| !seen[child.index()]),
            );
        }
        for id in &found {
            seen[id.index()] = false;
        }
        // Children have smaller ids than parents (invariant 2).
        found.sort_unstable();
        found
    }

    /// A total order on nodes that depends only on their structure (invariant 3): the
    /// structural hash first, then a full comparison, done with an explicit stack.
    pub(crate) fn structural_cmp(&self, a: ExprId, b: ExprId) -> Ordering {
        if a == b {
            return Ordering::Equal;
        }
        match self.shape(a).cmp(&self.shape(b)) {
            Ordering::Equal => self.deep_structural_cmp(a, b),
            by_shape => by_shape,
        }
    }

    /// [`Pool::structural_cmp`] for two distinct nodes with equal hashes.
    fn deep_structural_cmp(&self, a: ExprId, b: ExprId) -> Ordering {
        let mut stack = vec![(a, b)];
        while let Some((a, b)) = stack.pop() {
            if a == b {
                continue;
            }
            let by_shape = self.shape(a).cmp(&self.shape(b));
            if by_shape != Ordering::Equal {
                return by_shape;
            }
            let (na, nb) = (self.node(a), self.node(b));
            let by_kind = kind_rank(na).cmp(&kind_rank(nb));
            if by_kind != Ordering::Equal {
                return by_kind;
            }
            let local = match (na, nb) {
                (Node::Num(x), Node::Num(y)) => x.cmp(y),
                (Node::Const(x), Node::Const(y)) => (*x as u8).cmp(&(*y as u8)),
                (Node::Sym(x), Node::Sym(y)) => self.symbol_name(*x).cmp(self.symbol_name(*y)),
                (Node::Call(f, _), Node::Call(g, _)) => f.cmp(g),
                (
                    Node::Apply {
                        name: f,
                        orders: of,
                        ..
                    },
                    Node::Apply {
                        name: g,
                        orders: og,
                        ..
                    },
                ) => self
                    .symbol_name(*f)
                    .cmp(self.symbol_name(*g))
                    .then_with(|| of.cmp(og)),
                (
                    Node::Derivative {
                        of: a_of,
                        wrt: a_wrt,
                        order: a_order,
                    },
                    Node::Derivative {
                        of: b_of,
                        wrt: b_wrt,
                        order: b_order,
                    },
                ) => self
                    .symbol_name(*a_of)
                    .cmp(self.symbol_name(*b_of))
                    .then_with(|| self.symbol_name(*a_wrt).cmp(self.symbol_name(*b_wrt)))
                    .then_with(|| a_order.cmp(b_order)),
                _ => Ordering::Equal,
            };
            if local != Ordering::Equal {
                return local;
            }
            let (ca, cb) = (self.children(a), self.children(b));
            let by_len = ca.len().cmp(&cb.len());
            if by_len != Ordering::Equal {
                return by_len;
            }
            stack.extend(ca.iter().copied().zip(cb.iter().copied()).rev());
        }
        Ordering::Equal
    }
}

fn kind_rank(node: &Node) -> u8 {
    match node {
        Node::Undefined => 0,
        Node::Num(_) => 1,
        Node::Const(_) => 2,
        Node::Sym(_) => 3,
        Node::Add(_) => 4,
        Node::Mul(_) => 5,
        Node::Pow(_) => 6,
        Node::Call(..) => 7,
        Node::Apply { .. } => 8,
        Node::Derivative { .. } => 9,
        Node::Atan2(_) => 10,
        Node::Min(_) => 11,
        Node::Max(_) => 12,
        Node::LogSumExp(_) => 13,
    }
}

/// The bloom-filter bit for a symbol.
fn symbol_bit(symbol: SymbolId) -> u64 {
    1 << (symbol.0 % 64)
}
