//! The printers: plain text that the parser reads back to the same expression, LaTeX for
//! papers, and Unicode for the terminal ([`Style`]).
//!
//! Sums print in a readable order (polynomials by descending degree, constants last),
//! products as a numerator over a denominator (`4*pi*t*y/3`, `x/y^2`), half powers as
//! `sqrt`, third powers as `cbrt`, and subtraction as subtraction (`x - y`). The printer
//! walks the DAG with an explicit stack, so deep expressions cannot overflow it.

use std::cmp::Ordering;
use std::fmt::{self, Write};
use std::ops::Range;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Node, Pool, SymbolId};

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

/// How formulas are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Style {
    /// One line of ASCII that parses back: `4*pi*t*y/3`.
    #[default]
    Plain,
    /// LaTeX math: `\frac{4 \pi t y}{3}`.
    Latex,
    /// For the terminal: `4πty/3`, `x²`, `√x`.
    Unicode,
}

/// How derivatives of dependent variables (and result labels) are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Notation {
    /// `diff(y, x)`, `dy/dx`, `\frac{dy}{dx}`.
    #[default]
    Leibniz,
    /// `y'`, `y''`.
    Prime,
}

/// An expression ready to be written with `{}`.
///
/// ```
/// use deriv::{Pool, Printer, Style, parse};
/// let mut pool = Pool::new();
/// let e = parse(&mut pool, "4*pi/3*t*y*x^2").unwrap();
/// assert_eq!(Printer::new(&pool, e).style(Style::Latex).to_string(), r"\frac{4 \pi t x^{2} y}{3}");
/// assert_eq!(Printer::new(&pool, e).style(Style::Unicode).to_string(), "4πtx²y/3");
/// ```
pub struct Printer<'a> {
    pool: &'a Pool,
    id: ExprId,
    style: Style,
    notation: Notation,
}

impl<'a> Printer<'a> {
    /// Prints `id` from `pool`, as plain text in Leibniz notation.
    pub fn new(pool: &'a Pool, id: ExprId) -> Printer<'a> {
        Printer {
            pool,
            id,
            style: Style::Plain,
            notation: Notation::Leibniz,
        }
    }

    /// Writes in `style`.
    pub fn style(mut self, style: Style) -> Printer<'a> {
        self.style = style;
        self
    }

    /// Writes derivatives of dependent variables in `notation`.
    pub fn notation(mut self, notation: Notation) -> Printer<'a> {
        self.notation = notation;
        self
    }
}

impl fmt::Display for Printer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut writer = Writer::new(self.pool, self.style, self.notation);
        let range = writer.write(self.id)?;
        f.write_str(&writer.out[range])
    }
}

/// Prints many expressions of one pool and shares the work between them: the text of a
/// subexpression laid out for one result is copied when a later result repeats it (the
/// partials of a gradient share most of their subexpressions).
///
/// ```
/// use deriv::print::BatchPrinter;
/// use deriv::{Notation, Pool, Style, parse};
/// let mut pool = Pool::new();
/// let a = parse(&mut pool, "sin(x^2)*y").unwrap();
/// let b = parse(&mut pool, "sin(x^2)*z").unwrap();
/// let mut printer = BatchPrinter::new(&pool, Style::Plain, Notation::Leibniz);
/// assert_eq!(printer.print(a), "y*sin(x^2)");
/// assert_eq!(printer.print(b), "z*sin(x^2)");
/// ```
pub struct BatchPrinter<'a> {
    writer: Writer<'a>,
}

impl<'a> BatchPrinter<'a> {
    /// A printer for expressions of `pool`, written in `style` and `notation`.
    pub fn new(pool: &'a Pool, style: Style, notation: Notation) -> BatchPrinter<'a> {
        BatchPrinter {
            writer: Writer::new(pool, style, notation),
        }
    }

    #[cfg(feature = "cli")]
    /// The pool it prints from.
    pub(crate) fn pool(&self) -> &'a Pool {
        self.writer.pool
    }

    #[cfg(feature = "cli")]
    /// The style it writes.
    pub(crate) fn style(&self) -> Style {
        self.writer.style
    }

    /// The text of `id`, as [`Printer`] writes it.
    pub fn print(&mut self, id: ExprId) -> &str {
        // Writing to a `String` cannot fail.
        let range = self.writer.write(id).unwrap_or_default();
        &self.writer.out[range]
    }
}

/// Text kept for copying by a [`BatchPrinter`]; beyond it the printer starts afresh, so its
/// memory stays bounded however much it prints.
const MAX_REMEMBERED_TEXT: usize = 64 << 20;

/// The number of bytes [`print()`] would write, saturating; computed without printing.
pub fn printed_len(pool: &Pool, id: ExprId) -> u64 {
    printed_len_sum(pool, &[id])
}

/// The number of bytes [`print()`] would write for all of `ids`, saturating: one walk over
/// the nodes they share.
pub(crate) fn printed_len_sum(pool: &Pool, ids: &[ExprId]) -> u64 {
    let order = pool.reachable_from(ids, |_| true);
    // Lengths by id; `order` is sorted, so its last id is the largest.
    let mut len = vec![0u64; order.last().map_or(0, |last| last.index() + 1)];
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
            .fold(0u64, |acc, child| acc.saturating_add(len[child.index()]));
        len[node.index()] = own.saturating_add(children);
    }
    ids.iter()
        .fold(0u64, |acc, id| acc.saturating_add(len[id.index()]))
}

/// Binding strength of a printed form; a child weaker than its context gets parentheses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Hash)]
enum Prec {
    Sum,
    Product,
    Neg,
    Power,
    Atom,
}

/// Something to print: a node, a node with its sign flipped (`Neg`), or a power written
/// with the exponent's sign flipped (for denominators: `x^-2` prints as `x^2` under `/`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Item {
    Expr(ExprId),
    Neg(ExprId),
    Power { base: ExprId, exp: ExprId },
}

#[derive(Clone, Copy)]
enum Task {
    Text(&'static str),
    Item(Item, Prec),
    /// The end of an item's text, which began at this offset: remember it for repeats.
    End(Item, Prec, usize),
    /// The absolute value of the numerator of a number node.
    Numer(ExprId),
    /// The denominator of a number node.
    Denom(ExprId),
    /// A variable name.
    Name(SymbolId),
    /// The name of an unknown function.
    FunctionName(SymbolId),
    /// The variable of a placeholder `d/dx`: the name from this byte offset on.
    NameFrom(SymbolId, usize),
    /// An argument position in `D[...]`, or a derivative's order.
    Index(usize),
    /// A number written in superscript digits (Unicode).
    Superscript(u64),
}

struct Writer<'a> {
    pool: &'a Pool,
    style: Style,
    notation: Notation,
    sorted: FxHashMap<ExprId, Rc<[ExprId]>>,
    scratch: Vec<Task>,
    /// Everything written so far; each result is a range of it.
    out: String,
    /// Where the text of each (item, context) written so far lies in `out`.
    written: FxHashMap<(Item, Prec), (usize, usize)>,
}

impl<'a> Writer<'a> {
    fn new(pool: &'a Pool, style: Style, notation: Notation) -> Writer<'a> {
        Writer {
            pool,
            style,
            notation,
            sorted: FxHashMap::default(),
            scratch: Vec::new(),
            out: String::new(),
            written: FxHashMap::default(),
        }
    }

    fn latex(&self) -> bool {
        self.style == Style::Latex
    }

    fn unicode(&self) -> bool {
        self.style == Style::Unicode
    }

    /// Appends the text of `id` to `self.out` and returns where it lies. A DAG prints as
    /// the tree it unfolds to, so subexpressions repeat: the text of each (item, context)
    /// is laid out once and copied afterwards, also from earlier results.
    fn write(&mut self, id: ExprId) -> Result<Range<usize>, fmt::Error> {
        if self.out.len() > MAX_REMEMBERED_TEXT {
            self.out.clear();
            self.written.clear();
        }
        let begin = self.out.len();
        let mut out = std::mem::take(&mut self.out);
        let result = self.write_into(id, &mut out);
        self.out = out;
        result.map(|()| begin..self.out.len())
    }

    fn write_into(&mut self, id: ExprId, out: &mut String) -> fmt::Result {
        let mut stack = vec![Task::Item(Item::Expr(id), Prec::Sum)];
        while let Some(task) = stack.pop() {
            match task {
                Task::Text(text) => out.write_str(text)?,
                Task::Numer(id) => self.num(id).write_abs_numer(out)?,
                Task::Denom(id) => self.num(id).write_denom(out)?,
                Task::Name(symbol) => {
                    write_name(out, self.pool.symbol_name(symbol), self.style, false)?
                }
                Task::FunctionName(symbol) => {
                    write_name(out, self.pool.symbol_name(symbol), self.style, true)?
                }
                Task::NameFrom(symbol, offset) => {
                    let name = self.pool.symbol_name(symbol);
                    write_name(out, name.get(offset..).unwrap_or(name), self.style, false)?
                }
                Task::Index(k) => write!(out, "{k}")?,
                Task::Superscript(k) => write_superscript(out, k)?,
                Task::End(item, required, start) => {
                    self.written.insert((item, required), (start, out.len()));
                }
                Task::Item(item, required) => {
                    if let Some(&(start, end)) = self.written.get(&(item, required)) {
                        out.extend_from_within(start..end);
                        continue;
                    }
                    stack.push(Task::End(item, required, out.len()));
                    self.scratch.clear();
                    let prec = self.layout(item);
                    let wrap = prec < required;
                    let (open, close) = if self.latex() {
                        ("\\left(", "\\right)")
                    } else {
                        ("(", ")")
                    };
                    if wrap {
                        stack.push(Task::Text(close));
                    }
                    stack.extend(self.scratch.drain(..).rev());
                    if wrap {
                        stack.push(Task::Text(open));
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
                    self.text(if self.latex() {
                        "\\text{undefined}"
                    } else {
                        "undefined"
                    });
                    Prec::Atom
                }
                Node::Num(value) => self.layout_number(id, value),
                Node::Const(Constant::Pi) => {
                    self.text(match self.style {
                        Style::Plain => "pi",
                        Style::Latex => "\\pi",
                        Style::Unicode => "π",
                    });
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
                        let power = Task::Item(
                            Item::Power {
                                base: *base,
                                exp: *exp,
                            },
                            Prec::Power,
                        );
                        if self.latex() {
                            self.text("\\frac{1}{");
                            if *exp == ExprId::MINUS_ONE {
                                self.push(Task::Item(Item::Expr(*base), Prec::Sum));
                            } else {
                                self.push(power);
                            }
                            self.text("}");
                        } else {
                            self.text("1/");
                            self.push(power);
                        }
                        Prec::Product
                    } else {
                        self.layout_power(*base, *exp, false)
                    }
                }
                Node::Call(func, arg) => self.layout_call(*func, *arg),
                Node::Atan2(pair) => {
                    self.layout_multi(("atan2", "\\operatorname{atan2}"), pair);
                    Prec::Atom
                }
                Node::Min(_) => {
                    let args = self.display_order(id);
                    self.layout_multi(("min", "\\min"), &args);
                    Prec::Atom
                }
                Node::Max(_) => {
                    let args = self.display_order(id);
                    self.layout_multi(("max", "\\max"), &args);
                    Prec::Atom
                }
                Node::LogSumExp(_) => {
                    let args = self.display_order(id);
                    self.layout_multi(("logsumexp", "\\operatorname{logsumexp}"), &args);
                    Prec::Atom
                }
                Node::Apply { name, orders, args } => {
                    self.layout_apply(*name, orders, args);
                    Prec::Atom
                }
                Node::Derivative { of, wrt, order } => self.layout_derivative(*of, *wrt, *order),
            },
        }
    }

    /// `f(u)` in each style: `\sin\left(u\right)`, `e^{u}`, `|u|`.
    fn layout_call(&mut self, func: Func, arg: ExprId) -> Prec {
        let inner = Task::Item(Item::Expr(arg), Prec::Sum);
        match (self.style, func) {
            (Style::Plain, _) => {
                self.text(func.name());
                self.text("(");
                self.push(inner);
                self.text(")");
            }
            (Style::Latex, Func::Exp) => {
                self.text("e^{");
                self.push(inner);
                self.text("}");
                return Prec::Power;
            }
            (Style::Latex, Func::Abs) => {
                self.text("\\left|");
                self.push(inner);
                self.text("\\right|");
            }
            (Style::Latex, _) => {
                self.text(latex_function(func));
                self.text("\\left(");
                self.push(inner);
                self.text("\\right)");
            }
            (Style::Unicode, Func::Abs) => {
                self.text("|");
                self.push(inner);
                self.text("|");
            }
            (Style::Unicode, _) => {
                self.text(func.name());
                self.text("(");
                self.push(inner);
                self.text(")");
            }
        }
        Prec::Atom
    }

    /// A built-in function of several arguments, by its plain and LaTeX names:
    /// `atan2(y, x)`, `\\max\\left(a, b\\right)`.
    fn layout_multi(&mut self, (plain, latex): (&'static str, &'static str), args: &[ExprId]) {
        if self.latex() {
            self.text(latex);
            self.text("\\left(");
        } else {
            self.text(plain);
            self.text("(");
        }
        for (k, &arg) in args.iter().enumerate() {
            if k > 0 {
                self.text(", ");
            }
            self.push(Task::Item(Item::Expr(arg), Prec::Sum));
        }
        self.text(if self.latex() { "\\right)" } else { ")" });
    }

    /// `^{n}` after a `d` of a LaTeX derivative of order `n > 1`.
    fn latex_order(&mut self, order: usize) {
        if order > 1 {
            self.text("^{");
            self.push(Task::Index(order));
            self.text("}");
        }
    }

    /// `diff(y, x, n)`, `y''`, `\frac{d^{2}y}{dx^{2}}`, `d²y/dx²`.
    fn layout_derivative(&mut self, of: SymbolId, wrt: SymbolId, order: u32) -> Prec {
        let order = order as usize;
        match (self.style, self.notation) {
            (Style::Plain, Notation::Leibniz) => {
                self.text("diff(");
                self.push(Task::Name(of));
                self.text(", ");
                self.push(Task::Name(wrt));
                if order > 1 {
                    self.text(", ");
                    self.push(Task::Index(order));
                }
                self.text(")");
                Prec::Atom
            }
            (Style::Latex, Notation::Leibniz) => {
                self.text("\\frac{d");
                self.latex_order(order);
                self.push(Task::Name(of));
                self.text("}{d");
                self.push(Task::Name(wrt));
                self.latex_order(order);
                self.text("}");
                Prec::Power
            }
            (Style::Unicode, Notation::Leibniz) => {
                self.text("d");
                if order > 1 {
                    self.push(Task::Superscript(order as u64));
                }
                self.push(Task::Name(of));
                self.text("/d");
                self.push(Task::Name(wrt));
                if order > 1 {
                    self.push(Task::Superscript(order as u64));
                }
                Prec::Product
            }
            (style, Notation::Prime) => {
                self.push(Task::Name(of));
                let prime = if style == Style::Unicode { "′" } else { "'" };
                if order <= 3 {
                    for _ in 0..order {
                        self.text(prime);
                    }
                } else {
                    match style {
                        Style::Latex => {
                            self.text("^{(");
                            self.push(Task::Index(order));
                            self.text(")}");
                        }
                        Style::Unicode => {
                            self.text("⁽");
                            self.push(Task::Superscript(order as u64));
                            self.text("⁾");
                        }
                        Style::Plain => {
                            self.text("^(");
                            self.push(Task::Index(order));
                            self.text(")");
                        }
                    }
                }
                // In LaTeX a prime is a superscript already: `{y'}^{2}` needs a group.
                if style == Style::Latex {
                    Prec::Power
                } else {
                    Prec::Atom
                }
            }
        }
    }

    fn layout_number(&mut self, id: ExprId, value: &Rational) -> Prec {
        if value.is_negative() {
            self.text("-");
        }
        let prec = self.layout_magnitude(id, value);
        if value.is_negative() && prec == Prec::Atom {
            Prec::Neg
        } else {
            prec
        }
    }

    /// `|value|`: `3`, `1/2` or `\frac{1}{2}`.
    fn layout_magnitude(&mut self, id: ExprId, value: &Rational) -> Prec {
        if value.is_integer() {
            self.push(Task::Numer(id));
            return Prec::Atom;
        }
        if self.latex() {
            self.text("\\frac{");
            self.push(Task::Numer(id));
            self.text("}{");
            self.push(Task::Denom(id));
            self.text("}");
        } else {
            self.push(Task::Numer(id));
            self.text("/");
            self.push(Task::Denom(id));
        }
        Prec::Product
    }

    /// `-id` for a negative number or a product with a negative coefficient.
    fn layout_negated(&mut self, id: ExprId) -> Prec {
        match self.pool.node(id) {
            Node::Num(value) => self.layout_magnitude(id, value),
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
        let denom_items = bottom.len() + usize::from(!coeff.is_integer());
        let fraction = self.latex() && denom_items > 0;
        if fraction {
            self.text("\\frac{");
        }
        // The numerator: the coefficient unless it is 1, then the factors.
        let mut previous = None;
        if let (Some(c), false) = (coeff_id, abs_numer_is_one && !top.is_empty()) {
            self.push(Task::Numer(c));
            previous = Some(c);
        } else if top.is_empty() {
            self.text("1");
            previous = Some(ExprId::ONE);
        }
        // Alone in a LaTeX numerator, a factor needs no parentheses.
        let alone = fraction && top.len() == 1 && previous.is_none();
        for &factor in &top {
            if let Some(left) = previous {
                self.separator(left, factor, left == ExprId::ONE || Some(left) == coeff_id);
            }
            previous = Some(factor);
            let required = if alone { Prec::Sum } else { Prec::Power };
            self.push(Task::Item(Item::Expr(factor), required));
        }
        if denom_items == 0 {
            return if coeff.is_negative() && !negate && top.len() == 1 && abs_numer_is_one {
                Prec::Neg
            } else {
                Prec::Product
            };
        }
        let group = denom_items > 1 && !fraction;
        self.text(if fraction { "}{" } else { "/" });
        if group {
            self.text("(");
        }
        let mut previous = None;
        if let (Some(c), false) = (coeff_id, coeff.is_integer()) {
            self.push(Task::Denom(c));
            previous = Some(c);
        }
        for &factor in &bottom {
            if let Some(left) = previous {
                self.separator(left, factor, Some(left) == coeff_id);
            }
            previous = Some(factor);
            let Node::Pow([base, exp]) = *pool.node(factor) else {
                continue;
            };
            if fraction && denom_items == 1 && exp == ExprId::MINUS_ONE {
                // `\frac{1}{x + 1}`: alone in a LaTeX denominator, no parentheses.
                self.push(Task::Item(Item::Expr(base), Prec::Sum));
                continue;
            }
            self.push(Task::Item(Item::Power { base, exp }, Prec::Power));
        }
        if group {
            self.text(")");
        }
        if fraction {
            self.text("}");
        }
        Prec::Product
    }

    /// What goes between two factors of a product: `*` in plain text; in LaTeX a space,
    /// or `\cdot` before a digit; in Unicode nothing where it reads unambiguously (`4πty`,
    /// `2x²`), else `·`.
    fn separator(&mut self, left: ExprId, right: ExprId, left_is_number: bool) {
        match self.style {
            Style::Plain => self.text("*"),
            Style::Latex => self.text(if self.starts_with_digit(right) {
                " \\cdot "
            } else {
                " "
            }),
            Style::Unicode => {
                let right_ok = !self.starts_with_digit(right);
                let right_letter = self.is_single_letter(right);
                let right_group = matches!(self.pool.node(right), Node::Add(_));
                let juxtapose = right_ok
                    && ((left_is_number && (right_letter || right_group))
                        || (self.is_single_letter(left) && right_letter));
                if !juxtapose {
                    self.text("·");
                }
            }
        }
    }

    /// Whether the factor prints starting with a digit (a number, or a power of one).
    fn starts_with_digit(&self, factor: ExprId) -> bool {
        match self.pool.node(factor) {
            Node::Num(_) => true,
            Node::Pow([base, _]) => matches!(self.pool.node(*base), Node::Num(_)),
            _ => false,
        }
    }

    /// A one-letter variable or constant, or an integer power of one (`x`, `π`, `y²`).
    fn is_single_letter(&self, factor: ExprId) -> bool {
        let base = match self.pool.node(factor) {
            Node::Pow([base, exp]) => {
                if !self.pool.as_num(*exp).is_some_and(Rational::is_integer) {
                    return false;
                }
                *base
            }
            _ => factor,
        };
        match self.pool.node(base) {
            Node::Const(_) => true,
            Node::Sym(symbol) => {
                let name = self.pool.symbol_name(*symbol);
                name.chars().count() == 1 || greek_letter(name).is_some()
            }
            _ => false,
        }
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
                Some(2)
            } else if Some(e) == Rational::new(1, 3).as_ref() {
                Some(3)
            } else {
                None
            };
            if let Some(root) = root {
                return self.layout_root(base, root);
            }
            if self.unicode()
                && let Some(small) = e.to_i64().and_then(|k| u64::try_from(k).ok())
            {
                self.push(Task::Item(Item::Expr(base), Prec::Atom));
                self.push(Task::Superscript(small));
                return Prec::Power;
            }
        }
        self.push(Task::Item(Item::Expr(base), Prec::Atom));
        if let (true, Some(e)) = (self.latex(), &exp_value) {
            // `x^{3/2}`: a slash reads better than a fraction up there.
            self.text(if e.is_negative() { "^{-" } else { "^{" });
            self.push(Task::Numer(exp));
            if !e.is_integer() {
                self.text("/");
                self.push(Task::Denom(exp));
            }
            self.text("}");
            return Prec::Power;
        }
        let exponent = if flip {
            Item::Neg(exp)
        } else {
            Item::Expr(exp)
        };
        if self.latex() {
            self.text("^{");
            self.push(Task::Item(exponent, Prec::Sum));
            self.text("}");
        } else {
            self.text("^");
            self.push(Task::Item(exponent, Prec::Atom));
        }
        Prec::Power
    }

    /// `sqrt(u)`, `\sqrt[3]{u}`, `√u`.
    fn layout_root(&mut self, base: ExprId, root: u32) -> Prec {
        match self.style {
            Style::Plain => {
                self.text(if root == 2 { "sqrt(" } else { "cbrt(" });
                self.push(Task::Item(Item::Expr(base), Prec::Sum));
                self.text(")");
            }
            Style::Latex => {
                self.text(if root == 2 { "\\sqrt{" } else { "\\sqrt[3]{" });
                self.push(Task::Item(Item::Expr(base), Prec::Sum));
                self.text("}");
            }
            Style::Unicode => {
                self.text(if root == 2 { "√" } else { "∛" });
                self.push(Task::Item(Item::Expr(base), Prec::Atom));
            }
        }
        Prec::Atom
    }

    fn layout_apply(&mut self, name: SymbolId, orders: &[u32], args: &[ExprId]) {
        // A defined function's variables other than its parameters are not written.
        let shown = self
            .pool
            .visible_arity(name)
            .unwrap_or(args.len())
            .min(args.len());
        let (orders, args) = (&orders[..shown.min(orders.len())], &args[..shown]);
        let text = self.pool.symbol_name(name);
        if let (Some((var, total)), [arg]) = (placeholder_var(text), args) {
            self.layout_placeholder(name, text.len() - var.len(), total, *arg);
            return;
        }
        let total: u32 = orders.iter().sum();
        let prime = if self.unicode() { "′" } else { "'" };
        if args.len() == 1 && total <= 3 {
            self.push(Task::FunctionName(name));
            for _ in 0..total {
                self.text(prime);
            }
        } else if total == 0 {
            self.push(Task::FunctionName(name));
        } else if self.latex() {
            // \partial_{1} \partial_{1} \partial_{2} g: the argument positions.
            for (k, &order) in orders.iter().enumerate() {
                for _ in 0..order {
                    self.text("\\partial_{");
                    self.push(Task::Index(k + 1));
                    self.text("} ");
                }
            }
            self.push(Task::FunctionName(name));
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
            self.push(Task::FunctionName(name));
            self.text(")");
        }
        let (open, close) = if self.latex() {
            ("\\left(", "\\right)")
        } else {
            ("(", ")")
        };
        self.text(open);
        for (k, &arg) in args.iter().enumerate() {
            if k > 0 {
                self.text(", ");
            }
            self.push(Task::Item(Item::Expr(arg), Prec::Sum));
        }
        self.text(close);
    }

    /// A derivative not yet taken, in a step-by-step derivation: `diff(u, x)`,
    /// `d/dx(u)` or `∂/∂x(u)`, `\frac{d}{dx}\left(u\right)`.
    fn layout_placeholder(&mut self, name: SymbolId, offset: usize, total: bool, arg: ExprId) {
        let inner = Task::Item(Item::Expr(arg), Prec::Sum);
        let var = Task::NameFrom(name, offset);
        match self.style {
            Style::Plain => {
                self.text("diff(");
                self.push(inner);
                self.text(", ");
                self.push(var);
                self.text(")");
            }
            Style::Unicode => {
                self.text(if total { "d/d" } else { "∂/∂" });
                self.push(var);
                self.text("(");
                self.push(inner);
                self.text(")");
            }
            Style::Latex => {
                self.text(if total {
                    "\\frac{d}{d"
                } else {
                    "\\frac{\\partial}{\\partial "
                });
                self.push(var);
                self.text("}\\left(");
                self.push(inner);
                self.text("\\right)");
            }
        }
    }

    /// The operands of a sum or product in the order they are printed.
    fn display_order(&mut self, id: ExprId) -> Rc<[ExprId]> {
        if let Some(order) = self.sorted.get(&id) {
            return order.clone();
        }
        let pool = self.pool;
        let ops = pool.children(id);
        let order: Rc<[ExprId]> = match pool.node(id) {
            // min and max list their arguments like the terms of a sum.
            Node::Add(_) | Node::Min(_) | Node::Max(_) | Node::LogSumExp(_) => {
                sum_order(pool, ops).into()
            }
            _ => product_order(pool, ops).into(),
        };
        self.sorted.insert(id, order.clone());
        order
    }
}

/// The terms of a sum in the order they are printed: polynomials by descending degree,
/// constants last.
pub(crate) fn sum_order(pool: &Pool, terms: &[ExprId]) -> Vec<ExprId> {
    // Keys once per term, not once per comparison.
    let mut keyed: Vec<(TermKey, ExprId)> = terms.iter().map(|t| (term_key(pool, t), *t)).collect();
    keyed.sort_by(|(ka, a), (kb, b)| compare_keys(pool, ka, *a, kb, *b));
    keyed.into_iter().map(|(_, t)| t).collect()
}

/// The factors of a product in the order they are printed: the number first, then
/// constants, variables and calls by name.
pub(crate) fn product_order(pool: &Pool, factors: &[ExprId]) -> Vec<ExprId> {
    let mut ops = factors.to_vec();
    let start = usize::from(ops.first().is_some_and(|&f| pool.as_num(f).is_some()));
    ops[start..].sort_by_cached_key(|&f| factor_key(pool, f));
    ops
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
        Node::Atan2(_) => (4, "atan2"),
        Node::Min(_) => (4, "min"),
        Node::Max(_) => (4, "max"),
        Node::LogSumExp(_) => (4, "logsumexp"),
        Node::Add(_) => (5, ""),
        _ => (6, ""),
    };
    (rank, name, pool.shape(factor))
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
fn compare_keys(pool: &Pool, ka: &TermKey, a: ExprId, kb: &TermKey, b: ExprId) -> Ordering {
    ka.is_constant
        .cmp(&kb.is_constant)
        .then_with(|| pool.as_num(a).is_some().cmp(&pool.as_num(b).is_some()))
        .then_with(|| compare_degrees(&ka.degrees, &kb.degrees))
        .then_with(|| ka.others.len().cmp(&kb.others.len()))
        .then_with(|| ka.others.cmp(&kb.others))
        .then_with(|| pool.structural_cmp(a, b))
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

/// The LaTeX command of a built-in function (`\sin`, `\operatorname{asinh}`).
fn latex_function(func: Func) -> &'static str {
    match func {
        Func::Sin => "\\sin",
        Func::Cos => "\\cos",
        Func::Tan => "\\tan",
        Func::Sec => "\\sec",
        Func::Csc => "\\csc",
        Func::Cot => "\\cot",
        Func::Asin => "\\arcsin",
        Func::Acos => "\\arccos",
        Func::Atan => "\\arctan",
        Func::Sinh => "\\sinh",
        Func::Cosh => "\\cosh",
        Func::Tanh => "\\tanh",
        Func::Asinh => "\\operatorname{asinh}",
        Func::Acosh => "\\operatorname{acosh}",
        Func::Atanh => "\\operatorname{atanh}",
        Func::Exp => "\\exp",
        Func::Ln => "\\ln",
        Func::Log10 => "\\log_{10}",
        Func::Log2 => "\\log_{2}",
        Func::Abs => "\\operatorname{abs}",
        Func::Sign => "\\operatorname{sgn}",
        Func::Erf => "\\operatorname{erf}",
        Func::Sigmoid => "\\sigma",
        Func::Softplus => "\\operatorname{softplus}",
        Func::Relu => "\\operatorname{ReLU}",
        Func::Step => "\\operatorname{step}",
        Func::Acot => "\\operatorname{arccot}",
        Func::Asec => "\\operatorname{arcsec}",
        Func::Acsc => "\\operatorname{arccsc}",
        Func::Sech => "\\operatorname{sech}",
        Func::Csch => "\\operatorname{csch}",
        Func::Coth => "\\coth",
        Func::Asech => "\\operatorname{asech}",
        Func::Acsch => "\\operatorname{acsch}",
        Func::Acoth => "\\operatorname{acoth}",
        Func::Erfc => "\\operatorname{erfc}",
        Func::Expm1 => "\\operatorname{expm1}",
        Func::Log1p => "\\operatorname{log1p}",
        Func::Gelu => "\\operatorname{GELU}",
        Func::Silu => "\\operatorname{SiLU}",
        Func::Elu => "\\operatorname{ELU}",
    }
}

/// Greek letters: the spelled-out name or the letter itself, with its LaTeX command and
/// its Unicode character.
const GREEK: [(&str, &str, &str); 40] = [
    ("alpha", "\\alpha", "α"),
    ("beta", "\\beta", "β"),
    ("gamma", "\\gamma", "γ"),
    ("delta", "\\delta", "δ"),
    ("epsilon", "\\epsilon", "ε"),
    ("zeta", "\\zeta", "ζ"),
    ("eta", "\\eta", "η"),
    ("theta", "\\theta", "θ"),
    ("iota", "\\iota", "ι"),
    ("kappa", "\\kappa", "κ"),
    ("lambda", "\\lambda", "λ"),
    ("mu", "\\mu", "μ"),
    ("nu", "\\nu", "ν"),
    ("xi", "\\xi", "ξ"),
    ("rho", "\\rho", "ρ"),
    ("sigma", "\\sigma", "σ"),
    ("tau", "\\tau", "τ"),
    ("upsilon", "\\upsilon", "υ"),
    ("phi", "\\phi", "φ"),
    ("chi", "\\chi", "χ"),
    ("psi", "\\psi", "ψ"),
    ("omega", "\\omega", "ω"),
    ("varphi", "\\varphi", "ϕ"),
    ("varepsilon", "\\varepsilon", "ϵ"),
    ("vartheta", "\\vartheta", "ϑ"),
    ("varrho", "\\varrho", "ϱ"),
    ("varsigma", "\\varsigma", "ς"),
    ("Gamma", "\\Gamma", "Γ"),
    ("Delta", "\\Delta", "Δ"),
    ("Theta", "\\Theta", "Θ"),
    ("Lambda", "\\Lambda", "Λ"),
    ("Xi", "\\Xi", "Ξ"),
    ("Pi", "\\Pi", "Π"),
    ("Sigma", "\\Sigma", "Σ"),
    ("Upsilon", "\\Upsilon", "Υ"),
    ("Phi", "\\Phi", "Φ"),
    ("Psi", "\\Psi", "Ψ"),
    ("Omega", "\\Omega", "Ω"),
    ("omicron", "o", "ο"),
    ("Omicron", "O", "Ο"),
];

/// The LaTeX command and Unicode letter of a Greek name (`theta`) or letter (`θ`).
fn greek_letter(name: &str) -> Option<(&'static str, &'static str)> {
    GREEK
        .iter()
        .find(|(word, _, letter)| *word == name || *letter == name)
        .map(|&(_, latex, letter)| (latex, letter))
}

/// Writes a variable or function name in `style`. LaTeX: Greek letters as commands, a
/// subscript after `_` or trailing digits (`w_11` is `w_{11}`, `x1` is `x_{1}`), longer
/// names upright for functions and italic for variables. Unicode: Greek letters as
/// letters, digit subscripts after `_` as subscript digits (`w₁₁`).
pub(crate) fn write_name(
    out: &mut impl Write,
    name: &str,
    style: Style,
    function: bool,
) -> fmt::Result {
    let (stem, subscript) = match name.split_once('_') {
        Some((stem, sub)) if !stem.is_empty() && !sub.is_empty() => (stem, Some(sub)),
        _ => match name.find(|c: char| c.is_ascii_digit()) {
            Some(k) if k > 0 && name[k..].chars().all(|c| c.is_ascii_digit()) => {
                (&name[..k], Some(&name[k..]))
            }
            _ => (name, None),
        },
    };
    match style {
        Style::Plain => out.write_str(name),
        Style::Unicode => {
            let stem_text = greek_letter(stem).map_or(stem, |(_, letter)| letter);
            match subscript {
                Some(sub) if name.contains('_') && sub.chars().all(|c| c.is_ascii_digit()) => {
                    out.write_str(stem_text)?;
                    for c in sub.chars() {
                        let digit = c as u32 - '0' as u32;
                        out.write_char(char::from_u32(0x2080 + digit).unwrap_or(c))?;
                    }
                    Ok(())
                }
                Some(sub) if name.contains('_') => write!(out, "{stem_text}_{}", greek_text(sub)),
                Some(sub) => write!(out, "{stem_text}{sub}"),
                None => out.write_str(stem_text),
            }
        }
        Style::Latex => {
            write_latex_stem(out, stem, function)?;
            if let Some(sub) = subscript {
                out.write_str("_{")?;
                write_latex_stem(out, sub, false)?;
                out.write_str("}")?;
            }
            Ok(())
        }
    }
}

fn greek_text(name: &str) -> &str {
    greek_letter(name).map_or(name, |(_, letter)| letter)
}

fn write_latex_stem(out: &mut impl Write, stem: &str, function: bool) -> fmt::Result {
    if let Some((latex, _)) = greek_letter(stem) {
        return out.write_str(latex);
    }
    let escaped = stem.replace('_', "\\_");
    if stem.chars().count() == 1 || stem.chars().all(|c| c.is_ascii_digit()) {
        out.write_str(&escaped)
    } else if function {
        write!(out, "\\operatorname{{{escaped}}}")
    } else {
        write!(out, "\\mathit{{{escaped}}}")
    }
}

/// Writes `k` in superscript digits (`²`).
pub(crate) fn write_superscript(out: &mut impl Write, k: u64) -> fmt::Result {
    for c in k.to_string().chars() {
        out.write_char(match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })?;
    }
    Ok(())
}

/// Why the pool's most recent undefined value arose, in words, the subexpression it is
/// about printed in place of `{}`: `tan(pi/2) is undefined (a pole)`.
pub fn undefined_reason_text(pool: &Pool) -> String {
    match pool.undefined_reason() {
        Some(reason) => match reason.about {
            Some(about) => reason.text.replacen("{}", &print(pool, about), 1),
            None => reason.text.clone(),
        },
        None => "the value is undefined".into(),
    }
}
/// The one place that spells a step-by-step placeholder: [`crate::calculus::steps`] names its
/// not-yet-taken derivatives `d/dx(u)` (total) or `∂/∂x(u)` (partial) with these names,
/// and the printer lays them out as derivatives.
/// The name of the placeholder function: `d/dx` (total) or `∂/∂x` (partial).
pub(crate) fn placeholder_name(var: &str, total: bool) -> String {
    if total {
        format!("d/d{var}")
    } else {
        format!("∂/∂{var}")
    }
}

/// Whether `name` is a placeholder's name; returns the variable's name.
pub(crate) fn placeholder_var(name: &str) -> Option<(&str, bool)> {
    name.strip_prefix("d/d")
        .map(|v| (v, true))
        .or_else(|| name.strip_prefix("∂/∂").map(|v| (v, false)))
}
