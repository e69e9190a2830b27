//! The plain-text printer: one line that the parser reads back to the same expression.
//!
//! Sums print in a readable order (polynomials by descending degree, constants last),
//! products as a numerator over a denominator (`4*pi*t*y/3`, `x/y^2`), half powers as
//! `sqrt`, third powers as `cbrt`, and subtraction as subtraction (`x - y`). The printer
//! walks the DAG with an explicit stack, so deep expressions cannot overflow it.

use std::cmp::Ordering;
use std::fmt::{self, Write};
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::expr::{Constant, ExprId, Node, Pool, SymbolId};
use crate::rational::Rational;

/// The plain text of an expression.
///
/// ```
/// use deriv::{Pool, parse, print};
/// let mut pool = Pool::new();
/// let e = parse(&mut pool, "x*2 + 1 + x^2").unwrap();
/// assert_eq!(print(&pool, e), "x^2 + 2*x + 1");
/// ```
pub fn print(pool: &Pool, id: ExprId) -> String {
    Printer::new(pool, id).to_string()
}

/// An expression ready to be written with `{}`.
pub struct Printer<'a> {
    pool: &'a Pool,
    id: ExprId,
}

impl<'a> Printer<'a> {
    /// Prints `id` from `pool`.
    pub fn new(pool: &'a Pool, id: ExprId) -> Printer<'a> {
        Printer { pool, id }
    }
}

impl fmt::Display for Printer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Writer::new(self.pool).write(self.id, f)
    }
}

/// The number of bytes [`print()`] would write, saturating; computed without printing.
pub fn printed_len(pool: &Pool, id: ExprId) -> u64 {
    let order = pool.reachable(id, |_| true);
    let mut len: FxHashMap<ExprId, u64> = FxHashMap::default();
    for &node in &order {
        let own: u64 = match pool.node(node) {
            Node::Num(value) => value.bits() / 3 + 2,
            Node::Sym(symbol) => pool.symbol_name(*symbol).len() as u64,
            Node::Apply { name, args, .. } => {
                pool.symbol_name(*name).len() as u64 + 8 + 2 * args.len() as u64
            }
            Node::Add(ops) | Node::Mul(ops) => 5 * ops.len() as u64,
            _ => 8,
        };
        let children: u64 = pool
            .children(node)
            .iter()
            .fold(0u64, |acc, child| acc.saturating_add(len[child]));
        len.insert(node, own.saturating_add(children));
    }
    len[&id]
}

/// Binding strength of a printed form; a child weaker than its context gets parentheses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Prec {
    Sum,
    Product,
    Neg,
    Power,
    Atom,
}

/// Something to print: a node, a node with its sign flipped (`Neg`), or a power written
/// with the exponent's sign flipped (for denominators: `x^-2` prints as `x^2` under `/`).
#[derive(Clone, Copy)]
enum Item {
    Expr(ExprId),
    Neg(ExprId),
    Power { base: ExprId, exp: ExprId },
}

#[derive(Clone, Copy)]
enum Task {
    Text(&'static str),
    Item(Item, Prec),
    /// The absolute value of the numerator of a number node.
    Numer(ExprId),
    /// The denominator of a number node.
    Denom(ExprId),
    /// A variable or function name.
    Name(SymbolId),
    /// An argument position in `D[...]`.
    Index(usize),
}

struct Writer<'a> {
    pool: &'a Pool,
    sorted: FxHashMap<ExprId, Rc<[ExprId]>>,
    scratch: Vec<Task>,
}

impl<'a> Writer<'a> {
    fn new(pool: &'a Pool) -> Writer<'a> {
        Writer {
            pool,
            sorted: FxHashMap::default(),
            scratch: Vec::new(),
        }
    }

    fn write(&mut self, id: ExprId, out: &mut impl Write) -> fmt::Result {
        let mut stack = vec![Task::Item(Item::Expr(id), Prec::Sum)];
        while let Some(task) = stack.pop() {
            match task {
                Task::Text(text) => out.write_str(text)?,
                Task::Numer(id) => {
                    let value = self.num(id);
                    write!(out, "{}", Rational::from_bigint(value.numer()).abs())?
                }
                Task::Denom(id) => write!(out, "{}", self.num(id).denom())?,
                Task::Name(symbol) => out.write_str(self.pool.symbol_name(symbol))?,
                Task::Index(k) => write!(out, "{k}")?,
                Task::Item(item, required) => {
                    self.scratch.clear();
                    let prec = self.layout(item);
                    let wrap = prec < required;
                    if wrap {
                        stack.push(Task::Text(")"));
                    }
                    stack.extend(self.scratch.drain(..).rev());
                    if wrap {
                        stack.push(Task::Text("("));
                    }
                }
            }
        }
        Ok(())
    }

    fn num(&self, id: ExprId) -> &'a Rational {
        match self.pool.node(id) {
            Node::Num(value) => value,
            _ => &Rational::ZERO,
        }
    }

    fn push(&mut self, task: Task) {
        self.scratch.push(task);
    }

    fn text(&mut self, text: &'static str) {
        self.scratch.push(Task::Text(text));
    }

    /// Writes the pieces of `item` into `scratch` and returns the form's precedence.
    fn layout(&mut self, item: Item) -> Prec {
        let pool = self.pool;
        match item {
            Item::Neg(id) => self.layout_negated(id),
            Item::Power { base, exp } => self.layout_power(base, exp, true),
            Item::Expr(id) => match pool.node(id) {
                Node::Undefined => {
                    self.text("undefined");
                    Prec::Atom
                }
                Node::Num(value) => self.layout_number(id, value),
                Node::Const(Constant::Pi) => {
                    self.text("pi");
                    Prec::Atom
                }
                Node::Const(Constant::E) => {
                    self.text("e");
                    Prec::Atom
                }
                Node::Sym(symbol) => {
                    self.push(Task::Name(*symbol));
                    Prec::Atom
                }
                Node::Add(_) => self.layout_sum(id),
                Node::Mul(_) => self.layout_product(id, false),
                Node::Pow([base, exp]) => {
                    if self.is_negative(*exp) {
                        self.text("1/");
                        self.push(Task::Item(
                            Item::Power {
                                base: *base,
                                exp: *exp,
                            },
                            Prec::Power,
                        ));
                        Prec::Product
                    } else {
                        self.layout_power(*base, *exp, false)
                    }
                }
                Node::Call(func, arg) => {
                    self.text(func.name());
                    self.text("(");
                    self.push(Task::Item(Item::Expr(*arg), Prec::Sum));
                    self.text(")");
                    Prec::Atom
                }
                Node::Apply { name, orders, args } => {
                    self.layout_apply(*name, orders, args);
                    Prec::Atom
                }
                Node::Derivative { of, wrt, order } => {
                    self.text("diff(");
                    self.push(Task::Name(*of));
                    self.text(", ");
                    self.push(Task::Name(*wrt));
                    if *order > 1 {
                        self.text(", ");
                        self.push(Task::Index(*order as usize));
                    }
                    self.text(")");
                    Prec::Atom
                }
            },
        }
    }

    fn layout_number(&mut self, id: ExprId, value: &Rational) -> Prec {
        if value.is_negative() {
            self.text("-");
        }
        self.push(Task::Numer(id));
        if value.is_integer() {
            return if value.is_negative() {
                Prec::Neg
            } else {
                Prec::Atom
            };
        }
        self.text("/");
        self.push(Task::Denom(id));
        Prec::Product
    }

    /// `-id` for a negative number or a product with a negative coefficient.
    fn layout_negated(&mut self, id: ExprId) -> Prec {
        match self.pool.node(id) {
            Node::Num(value) => {
                self.push(Task::Numer(id));
                if value.is_integer() {
                    return Prec::Atom;
                }
                self.text("/");
                self.push(Task::Denom(id));
                Prec::Product
            }
            _ => self.layout_product(id, true),
        }
    }

    fn is_negative(&self, id: ExprId) -> bool {
        match self.pool.node(id) {
            Node::Num(value) => value.is_negative(),
            Node::Mul(factors) => self
                .pool
                .as_num(factors[0])
                .is_some_and(Rational::is_negative),
            _ => false,
        }
    }

    fn layout_sum(&mut self, id: ExprId) -> Prec {
        let mut terms = self.display_order(id).to_vec();
        // `1 - x` rather than `-x + 1`: lead with the first positive term.
        if self.is_negative(terms[0])
            && let Some(k) = terms.iter().position(|&t| !self.is_negative(t))
        {
            let positive = terms.remove(k);
            terms.insert(0, positive);
        }
        for (i, &term) in terms.iter().enumerate() {
            let negative = self.is_negative(term);
            match (i, negative) {
                (0, _) => self.push(Task::Item(Item::Expr(term), Prec::Sum)),
                (_, true) => {
                    self.text(" - ");
                    self.push(Task::Item(Item::Neg(term), Prec::Product));
                }
                (_, false) => {
                    self.text(" + ");
                    self.push(Task::Item(Item::Expr(term), Prec::Product));
                }
            }
        }
        Prec::Sum
    }

    /// A product as `[-]numerator[/denominator]`; `negate` drops the coefficient's sign.
    fn layout_product(&mut self, id: ExprId, negate: bool) -> Prec {
        let factors = self.display_order(id);
        let pool = self.pool;
        let (coeff_id, rest) = match pool.as_num(factors[0]) {
            Some(_) => (Some(factors[0]), &factors[1..]),
            None => (None, &factors[..]),
        };
        let coeff = coeff_id.map_or(&Rational::ONE, |c| self.num(c));
        let (top, bottom): (Vec<ExprId>, Vec<ExprId>) =
            rest.iter().partition(|&&f| match pool.node(f) {
                Node::Pow([_, exp]) => !self.is_negative(*exp),
                _ => true,
            });
        let abs_numer_is_one = coeff.numer().magnitude() == &num_bigint::BigUint::from(1u8);
        if let ([factor], true, true) = (&top[..], bottom.is_empty(), coeff.is_integer())
            && abs_numer_is_one
            && (negate || !coeff.is_negative())
        {
            // Just the factor: `-x` negated is `x`.
            return self.layout(Item::Expr(*factor));
        }
        if coeff.is_negative() && !negate {
            self.text("-");
        }
        let abs_numer_is_one = coeff.numer().magnitude() == &num_bigint::BigUint::from(1u8);
        let mut first = true;
        if let (Some(c), false) = (coeff_id, abs_numer_is_one && !top.is_empty()) {
            self.push(Task::Numer(c));
            first = false;
        } else if top.is_empty() {
            self.text("1");
            first = false;
        }
        for &factor in &top {
            if !first {
                self.text("*");
            }
            first = false;
            self.push(Task::Item(Item::Expr(factor), Prec::Power));
        }
        let denom_items = bottom.len() + usize::from(!coeff.is_integer());
        if denom_items == 0 {
            return if coeff.is_negative() && !negate && top.len() == 1 && abs_numer_is_one {
                Prec::Neg
            } else {
                Prec::Product
            };
        }
        self.text("/");
        if denom_items > 1 {
            self.text("(");
        }
        let mut first = true;
        if let (Some(c), false) = (coeff_id, coeff.is_integer()) {
            self.push(Task::Denom(c));
            first = false;
        }
        for &factor in &bottom {
            if !first {
                self.text("*");
            }
            first = false;
            let Node::Pow([base, exp]) = *pool.node(factor) else {
                continue;
            };
            self.push(Task::Item(Item::Power { base, exp }, Prec::Power));
        }
        if denom_items > 1 {
            self.text(")");
        }
        Prec::Product
    }

    /// `base^exp`, or `base^-exp` when `flip` (the exponent is then negative).
    fn layout_power(&mut self, base: ExprId, exp: ExprId, flip: bool) -> Prec {
        let exp_value = self
            .pool
            .as_num(exp)
            .map(|e| if flip { -e } else { e.clone() });
        if let Some(e) = &exp_value {
            if e.is_one() {
                self.push(Task::Item(Item::Expr(base), Prec::Power));
                return Prec::Power;
            }
            let root = if *e == Rational::HALF {
                Some("sqrt(")
            } else if Some(e) == Rational::new(1, 3).as_ref() {
                Some("cbrt(")
            } else {
                None
            };
            if let Some(root) = root {
                self.text(root);
                self.push(Task::Item(Item::Expr(base), Prec::Sum));
                self.text(")");
                return Prec::Atom;
            }
        }
        self.push(Task::Item(Item::Expr(base), Prec::Atom));
        self.text("^");
        let exponent = if flip {
            Item::Neg(exp)
        } else {
            Item::Expr(exp)
        };
        self.push(Task::Item(exponent, Prec::Atom));
        Prec::Power
    }

    fn layout_apply(&mut self, name: SymbolId, orders: &[u32], args: &[ExprId]) {
        let total: u32 = orders.iter().sum();
        if args.len() == 1 && total <= 3 {
            self.push(Task::Name(name));
            for _ in 0..total {
                self.text("'");
            }
        } else if total == 0 {
            self.push(Task::Name(name));
        } else {
            // D[1,1,2](g)(u, v): differentiated twice in the first argument, once in the
            // second.
            self.text("D[");
            let mut first = true;
            for (k, &order) in orders.iter().enumerate() {
                for _ in 0..order {
                    if !first {
                        self.text(",");
                    }
                    first = false;
                    self.push(Task::Index(k + 1));
                }
            }
            self.text("](");
            self.push(Task::Name(name));
            self.text(")");
        }
        self.text("(");
        for (k, &arg) in args.iter().enumerate() {
            if k > 0 {
                self.text(", ");
            }
            self.push(Task::Item(Item::Expr(arg), Prec::Sum));
        }
        self.text(")");
    }

    /// The operands of a sum or product in the order they are printed.
    fn display_order(&mut self, id: ExprId) -> Rc<[ExprId]> {
        if let Some(order) = self.sorted.get(&id) {
            return order.clone();
        }
        let pool = self.pool;
        let mut ops: Vec<ExprId> = pool.children(id).to_vec();
        match pool.node(id) {
            Node::Add(_) => ops.sort_by(|a, b| compare_terms(pool, a, b)),
            _ => {
                let start = usize::from(pool.as_num(ops[0]).is_some());
                ops[start..].sort_by(|&a, &b| compare_factors(pool, a, b));
            }
        }
        let order: Rc<[ExprId]> = ops.into();
        self.sorted.insert(id, order.clone());
        order
    }
}

/// The sort key of a product's factor: kind, then name, then shape.
fn factor_key(pool: &Pool, factor: ExprId) -> (u8, &str, u64) {
    let base = match pool.node(factor) {
        Node::Pow([base, _]) => *base,
        _ => factor,
    };
    let (rank, name) = match pool.node(base) {
        Node::Num(_) => (0, ""),
        Node::Const(Constant::Pi) => (1, "pi"),
        Node::Const(Constant::E) => (1, "e"),
        Node::Sym(symbol) => (2, pool.symbol_name(*symbol)),
        Node::Apply { name, .. } => (3, pool.symbol_name(*name)),
        Node::Derivative { of, .. } => (3, pool.symbol_name(*of)),
        Node::Call(func, _) => (4, func.name()),
        Node::Add(_) => (5, ""),
        _ => (6, ""),
    };
    (rank, name, pool.shape(factor))
}

fn compare_factors(pool: &Pool, a: ExprId, b: ExprId) -> Ordering {
    factor_key(pool, a).cmp(&factor_key(pool, b))
}

/// A term split for ordering: its polynomial degrees by variable name, and the rest.
struct TermKey<'a> {
    is_constant: bool,
    degrees: Vec<(&'a str, &'a Rational)>,
    others: Vec<(u8, &'a str, u64)>,
}

fn term_key<'a>(pool: &'a Pool, term: &'a ExprId) -> TermKey<'a> {
    let mut key = TermKey {
        is_constant: pool.is_constant(*term),
        degrees: Vec::new(),
        others: Vec::new(),
    };
    let factors = match pool.node(*term) {
        Node::Mul(ops) => &ops[..],
        _ => std::slice::from_ref(term),
    };
    for &factor in factors {
        match pool.node(factor) {
            Node::Num(_) => {}
            Node::Sym(symbol) => key
                .degrees
                .push((pool.symbol_name(*symbol), &Rational::ONE)),
            Node::Pow([base, exp]) => match (pool.node(*base), pool.node(*exp)) {
                (Node::Sym(symbol), Node::Num(e)) => {
                    key.degrees.push((pool.symbol_name(*symbol), e))
                }
                _ => key.others.push(factor_key(pool, factor)),
            },
            _ => key.others.push(factor_key(pool, factor)),
        }
    }
    key.degrees.sort_by(|a, b| a.0.cmp(b.0));
    key
}

/// Terms with higher powers of alphabetically earlier variables first, numbers last.
fn compare_terms(pool: &Pool, a: &ExprId, b: &ExprId) -> Ordering {
    let (ka, kb) = (term_key(pool, a), term_key(pool, b));
    ka.is_constant
        .cmp(&kb.is_constant)
        .then_with(|| pool.as_num(*a).is_some().cmp(&pool.as_num(*b).is_some()))
        .then_with(|| compare_degrees(&ka.degrees, &kb.degrees))
        .then_with(|| ka.others.len().cmp(&kb.others.len()))
        .then_with(|| ka.others.cmp(&kb.others))
        .then_with(|| pool.structural_cmp(*a, *b))
}

fn compare_degrees(a: &[(&str, &Rational)], b: &[(&str, &Rational)]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    loop {
        match (a.get(i), b.get(j)) {
            (None, None) => return Ordering::Equal,
            (Some(x), Some(y)) if x.0 == y.0 => {
                let by_degree = y.1.cmp(x.1);
                if by_degree != Ordering::Equal {
                    return by_degree;
                }
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.0 < y.0 => return Rational::ZERO.cmp(x.1),
            (Some(x), None) => return Rational::ZERO.cmp(x.1),
            (_, Some(y)) => return y.1.cmp(&Rational::ZERO),
        }
    }
}
