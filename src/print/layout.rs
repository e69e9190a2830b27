//! The layout engine: an explicit stack of tasks lays an expression out as text in a
//! [`Style`], parenthesizing by precedence and copying the text of repeated
//! subexpressions; numbers, sums, products and powers are laid out here.

use std::fmt::{self, Write};
use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Node, Pool, SymbolId};

use super::batch::MAX_REMEMBERED_TEXT;
use super::mathml::{INVISIBLE_TIMES, MINUS, NEGATION, SPACED_TIMES};
use super::names::{greek_letter, write_name, write_superscript};
use super::order::{product_order, sum_order};
use super::{Notation, Style};

/// Binding strength of a printed form; a child weaker than its context gets parentheses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Hash)]
pub(super) enum Prec {
    Sum,
    Product,
    Neg,
    Power,
    Atom,
}

/// Something to print: a node, a node with its sign flipped (`Neg`), or a power written
/// with the exponent's sign flipped (for denominators: `x^-2` prints as `x^2` under `/`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Item {
    Expr(ExprId),
    Neg(ExprId),
    Power { base: ExprId, exp: ExprId },
}

#[derive(Clone, Copy)]
pub(super) enum Task {
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

pub(super) struct Writer<'a> {
    pub(super) pool: &'a Pool,
    pub(super) style: Style,
    pub(super) notation: Notation,
    scratch: Vec<Task>,
    /// Everything written so far; each result is a range of it.
    pub(super) out: String,
    /// Where the text of each (item, context) written so far lies in `out`.
    written: FxHashMap<(Item, Prec), (usize, usize)>,
}

impl<'a> Writer<'a> {
    pub(super) fn new(pool: &'a Pool, style: Style, notation: Notation) -> Writer<'a> {
        Writer {
            pool,
            style,
            notation,
            scratch: Vec::new(),
            out: String::new(),
            written: FxHashMap::default(),
        }
    }

    pub(super) fn latex(&self) -> bool {
        self.style == Style::Latex
    }

    pub(super) fn unicode(&self) -> bool {
        self.style == Style::Unicode
    }

    pub(super) fn mathml(&self) -> bool {
        self.style == Style::MathMl
    }

    /// The parentheses around a group: `\left(`…`\right)` in LaTeX, an `<mrow>` of
    /// stretchy ones in MathML.
    pub(super) fn parens(&self) -> (&'static str, &'static str) {
        match self.style {
            Style::Latex => ("\\left(", "\\right)"),
            Style::MathMl => ("<mrow><mo>(</mo>", "<mo>)</mo></mrow>"),
            Style::Plain | Style::Unicode => ("(", ")"),
        }
    }

    /// The bars around an absolute value, where the style writes them (plain text writes
    /// `abs(u)`).
    pub(super) fn bars(&self) -> (&'static str, &'static str) {
        match self.style {
            Style::Latex => ("\\left|", "\\right|"),
            Style::MathMl => ("<mrow><mo>|</mo>", "<mo>|</mo></mrow>"),
            Style::Plain | Style::Unicode => ("|", "|"),
        }
    }

    /// `plain` in text, `mathml` in MathML.
    pub(super) fn either(&mut self, plain: &'static str, mathml: &'static str) {
        self.text(if self.mathml() { mathml } else { plain });
    }

    /// A number's digits (a [`Task::Numer`], [`Task::Denom`] or [`Task::Index`]): in
    /// MathML in an `<mn>`.
    pub(super) fn digits(&mut self, task: Task) {
        if self.mathml() {
            self.text("<mn>");
            self.push(task);
            self.text("</mn>");
        } else {
            self.push(task);
        }
    }

    /// In MathML, opens an `<mrow>` for what fills one place of a layout element (a
    /// fraction's numerator, a power's base) unless it is `one` element already.
    pub(super) fn mrow_open(&mut self, one: bool) {
        if self.mathml() && !one {
            self.text("<mrow>");
        }
    }

    /// Closes what [`Writer::mrow_open`] opened.
    pub(super) fn mrow_close(&mut self, one: bool) {
        if self.mathml() && !one {
            self.text("</mrow>");
        }
    }

    /// Whether `id` is written as one MathML element in any context: a name, a constant,
    /// a natural number, a power, a root, `e^u`, `|u|` or a derivative.
    pub(super) fn is_one_element(&self, id: ExprId) -> bool {
        match self.pool.node(id) {
            Node::Sym(_) | Node::Const(_) | Node::Derivative { .. } => true,
            Node::Num(value) => value.is_integer() && !value.is_negative(),
            Node::Pow([_, exp]) => !self.is_negative(*exp),
            Node::Call(func, _) => matches!(func, Func::Exp | Func::Abs),
            _ => false,
        }
    }

    /// Appends the text of `id` to `self.out` and returns where it lies. A DAG prints as
    /// the tree it unfolds to, so subexpressions repeat: the text of each (item, context)
    /// is laid out once and copied afterwards, also from earlier results.
    pub(super) fn write(&mut self, id: ExprId) -> Result<Range<usize>, fmt::Error> {
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
                    let (open, close) = self.parens();
                    if wrap {
                        stack.push(Task::Text(close));
                    }
                    stack.extend(self.scratch.drain(..).rev());
                    if wrap {
                        stack.push(Task::Text(open));
                    }
                }
                leaf => self.write_leaf(leaf, out)?,
            }
        }
        Ok(())
    }

    /// Writes a task that is text of its own: neither an item nor an item's end.
    fn write_leaf(&self, task: Task, out: &mut String) -> fmt::Result {
        match task {
            Task::Text(text) => out.write_str(text),
            Task::Numer(id) => self.num(id).write_abs_numer(out),
            Task::Denom(id) => self.num(id).write_denom(out),
            Task::Name(symbol) => write_name(out, self.pool.symbol_name(symbol), self.style, false),
            Task::FunctionName(symbol) => {
                write_name(out, self.pool.symbol_name(symbol), self.style, true)
            }
            Task::NameFrom(symbol, offset) => {
                let name = self.pool.symbol_name(symbol);
                write_name(out, name.get(offset..).unwrap_or(name), self.style, false)
            }
            Task::Index(k) => write!(out, "{k}"),
            Task::Superscript(k) => write_superscript(out, k),
            Task::Item(..) | Task::End(..) => Ok(()),
        }
    }

    /// The number of bytes [`Writer::write`] would write for `id`, saturating, without
    /// writing it: each (item, context) is laid out once and its length remembered in
    /// `lens`, so the time is linear in the DAG however long the text it unfolds to.
    pub(super) fn text_len(&mut self, id: ExprId, lens: &mut FxHashMap<(Item, Prec), u64>) -> u64 {
        enum Visit {
            Enter(Item, Prec),
            /// The item's tasks are `tasks[from..]`, and it is parenthesized or not.
            Exit(Item, Prec, usize, bool),
        }
        let root = (Item::Expr(id), Prec::Sum);
        let mut stack = vec![Visit::Enter(root.0, root.1)];
        // The tasks of the items entered and not yet left, innermost last.
        let mut tasks: Vec<Task> = Vec::new();
        let mut leaf = String::new();
        while let Some(visit) = stack.pop() {
            match visit {
                Visit::Enter(item, required) => {
                    if lens.contains_key(&(item, required)) {
                        continue;
                    }
                    self.scratch.clear();
                    let prec = self.layout(item);
                    let from = tasks.len();
                    tasks.append(&mut self.scratch);
                    stack.push(Visit::Exit(item, required, from, prec < required));
                    for task in &tasks[from..] {
                        if let Task::Item(child, context) = *task
                            && !lens.contains_key(&(child, context))
                        {
                            stack.push(Visit::Enter(child, context));
                        }
                    }
                }
                Visit::Exit(item, required, from, wrap) => {
                    let mut len: u64 = 0;
                    for task in tasks.drain(from..) {
                        let part = match task {
                            Task::Item(child, context) => {
                                lens.get(&(child, context)).copied().unwrap_or(0)
                            }
                            other => {
                                leaf.clear();
                                // Writing to a string cannot fail.
                                let _ = self.write_leaf(other, &mut leaf);
                                leaf.len() as u64
                            }
                        };
                        len = len.saturating_add(part);
                    }
                    if wrap {
                        let (open, close) = self.parens();
                        len = len.saturating_add((open.len() + close.len()) as u64);
                    }
                    lens.insert((item, required), len);
                }
            }
        }
        lens.get(&root).copied().unwrap_or(0)
    }

    fn num(&self, id: ExprId) -> &'a Rational {
        match self.pool.node(id) {
            Node::Num(value) => value,
            _ => &Rational::ZERO,
        }
    }

    pub(super) fn push(&mut self, task: Task) {
        self.scratch.push(task);
    }

    pub(super) fn text(&mut self, text: &'static str) {
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
                    self.text(match self.style {
                        Style::Latex => "\\text{undefined}",
                        Style::MathMl => "<mtext>undefined</mtext>",
                        Style::Plain | Style::Unicode => "undefined",
                    });
                    Prec::Atom
                }
                Node::Num(value) => self.layout_number(id, value),
                Node::Const(Constant::Pi) => {
                    self.text(match self.style {
                        Style::Plain => "pi",
                        Style::Latex => "\\pi",
                        Style::Unicode => "π",
                        Style::MathMl => "<mi>π</mi>",
                    });
                    Prec::Atom
                }
                Node::Const(Constant::E) => {
                    self.either("e", "<mi>e</mi>");
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
                        if self.mathml() {
                            self.text("<mfrac><mn>1</mn>");
                            if *exp == ExprId::MINUS_ONE {
                                let one = self.is_one_element(*base);
                                self.mrow_open(one);
                                self.push(Task::Item(Item::Expr(*base), Prec::Sum));
                                self.mrow_close(one);
                            } else {
                                self.push(power);
                            }
                            self.text("</mfrac>");
                        } else if self.latex() {
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
                // A group (an unknown function with no name, kept by the steps so that
                // the constructors do not merge it) is its argument, bracketed only where
                // its place needs it, as any other.
                Node::Apply { name, orders, args }
                    if pool.symbol_name(*name).is_empty() && orders[..] == [0] =>
                {
                    self.layout(Item::Expr(args[0]))
                }
                Node::Apply { name, orders, args } => {
                    self.layout_apply(*name, orders, args);
                    Prec::Atom
                }
                Node::Derivative { of, wrt, order } => self.layout_derivative(*of, *wrt, *order),
            },
        }
    }

    fn layout_number(&mut self, id: ExprId, value: &Rational) -> Prec {
        if value.is_negative() {
            self.either("-", NEGATION);
        }
        let prec = self.layout_magnitude(id, value);
        if value.is_negative() {
            self.mrow_close(false);
        }
        if value.is_negative() && prec == Prec::Atom {
            Prec::Neg
        } else {
            prec
        }
    }

    /// `|value|`: `3`, `1/2` or `\frac{1}{2}`.
    fn layout_magnitude(&mut self, id: ExprId, value: &Rational) -> Prec {
        if value.is_integer() {
            self.digits(Task::Numer(id));
            return Prec::Atom;
        }
        if self.mathml() {
            self.text("<mfrac>");
            self.digits(Task::Numer(id));
            self.digits(Task::Denom(id));
            self.text("</mfrac>");
        } else if self.latex() {
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
        let mut terms = self.display_order(id);
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
                    self.either(" - ", MINUS);
                    self.push(Task::Item(Item::Neg(term), Prec::Product));
                }
                (_, false) => {
                    self.either(" + ", "<mo>+</mo>");
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
        let negative = coeff.is_negative() && !negate;
        if negative {
            self.either("-", NEGATION);
        }
        let denom_items = bottom.len() + usize::from(!coeff.is_integer());
        let fraction = (self.latex() || self.mathml()) && denom_items > 0;
        let coeff_shown = coeff_id.is_some() && (!abs_numer_is_one || top.is_empty());
        // In MathML a numerator or denominator of one element needs no `<mrow>`.
        let numer_one = match (&top[..], coeff_shown) {
            ([], _) => true,
            ([factor], false) => self.is_one_element(*factor),
            _ => false,
        };
        let denom_one = denom_items == 1
            && bottom
                .first()
                .is_none_or(|&factor| match pool.node(factor) {
                    Node::Pow([base, exp]) => {
                        *exp != ExprId::MINUS_ONE || self.is_one_element(*base)
                    }
                    _ => false,
                });
        if fraction {
            self.either("\\frac{", "<mfrac>");
            self.mrow_open(numer_one);
        }
        // The numerator: the coefficient unless it is 1, then the factors.
        let mut previous = None;
        if let (Some(c), true) = (coeff_id, coeff_shown) {
            self.digits(Task::Numer(c));
            previous = Some(c);
        } else if top.is_empty() {
            self.either("1", "<mn>1</mn>");
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
            if negative {
                self.mrow_close(false);
            }
            return if negative && top.len() == 1 && abs_numer_is_one {
                Prec::Neg
            } else {
                Prec::Product
            };
        }
        let group = denom_items > 1 && !fraction;
        if fraction {
            self.mrow_close(numer_one);
            self.either("}{", "");
            self.mrow_open(denom_one);
        } else {
            self.text("/");
        }
        if group {
            self.text("(");
        }
        let mut previous = None;
        if let (Some(c), false) = (coeff_id, coeff.is_integer()) {
            self.digits(Task::Denom(c));
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
            self.mrow_close(denom_one);
            self.either("}", "</mfrac>");
        }
        if negative {
            self.mrow_close(false);
        }
        Prec::Product
    }

    /// What goes between two factors of a product: `*` in plain text; in LaTeX a space,
    /// or `\cdot` before a digit; in Unicode nothing where it reads unambiguously (`4πty`,
    /// `2x²`), else `·`; in MathML as in LaTeX, the invisible times or a dot.
    fn separator(&mut self, left: ExprId, right: ExprId, left_is_number: bool) {
        match self.style {
            Style::Plain => self.text("*"),
            Style::Latex => self.text(if self.starts_with_digit(right) {
                " \\cdot "
            } else {
                " "
            }),
            Style::MathMl => self.text(if self.starts_with_digit(right) {
                "<mo>⋅</mo>"
            } else if self.is_named_call(right) {
                SPACED_TIMES
            } else {
                INVISIBLE_TIMES
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

    /// Whether the factor is a function written by its name, as `\sin` is in LaTeX (a
    /// thin space before it in a product); in a denominator, `factor^-1` written as
    /// `factor`.
    fn is_named_call(&self, factor: ExprId) -> bool {
        let factor = match self.pool.node(factor) {
            Node::Pow([base, ExprId::MINUS_ONE]) => *base,
            _ => factor,
        };
        match self.pool.node(factor) {
            Node::Call(func, _) => !matches!(func, Func::Exp | Func::Abs),
            Node::Atan2(_) | Node::Min(_) | Node::Max(_) | Node::LogSumExp(_) => true,
            _ => false,
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
        if self.mathml() {
            return self.layout_mathml_power(base, exp, exp_value.as_ref(), flip);
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
            Style::MathMl if root == 2 => {
                self.text("<msqrt>");
                self.push(Task::Item(Item::Expr(base), Prec::Sum));
                self.text("</msqrt>");
            }
            Style::MathMl => {
                let one = self.is_one_element(base);
                self.text("<mroot>");
                self.mrow_open(one);
                self.push(Task::Item(Item::Expr(base), Prec::Sum));
                self.mrow_close(one);
                self.text("<mn>3</mn></mroot>");
            }
        }
        Prec::Atom
    }

    /// `<msup>` of `base` and `exp` (negated when `flip`), whose value `exp_value` has
    /// when it is a number: written as LaTeX writes it, `x^{3/2}` with a slash.
    fn layout_mathml_power(
        &mut self,
        base: ExprId,
        exp: ExprId,
        exp_value: Option<&Rational>,
        flip: bool,
    ) -> Prec {
        // A sum, a product or a negative or fractional number is a base in parentheses,
        // one `<mrow>`.
        let base_one = self.is_one_element(base)
            || match self.pool.node(base) {
                Node::Add(_) | Node::Mul(_) => true,
                Node::Num(value) => value.is_negative() || !value.is_integer(),
                _ => false,
            };
        self.text("<msup>");
        self.mrow_open(base_one);
        self.push(Task::Item(Item::Expr(base), Prec::Atom));
        self.mrow_close(base_one);
        match exp_value {
            Some(e) => {
                let one = e.is_integer() && !e.is_negative();
                self.mrow_open(one);
                if e.is_negative() {
                    self.text(MINUS);
                }
                self.digits(Task::Numer(exp));
                if !e.is_integer() {
                    self.text("<mo>/</mo>");
                    self.digits(Task::Denom(exp));
                }
                self.mrow_close(one);
            }
            None => {
                let one = !flip && self.is_one_element(exp);
                let exponent = if flip {
                    Item::Neg(exp)
                } else {
                    Item::Expr(exp)
                };
                self.mrow_open(one);
                self.push(Task::Item(exponent, Prec::Sum));
                self.mrow_close(one);
            }
        }
        self.text("</msup>");
        Prec::Power
    }
    /// The operands of a sum or product in the order they are printed. Not kept: a node
    /// printed again in the same place is copied from `written`.
    fn display_order(&self, id: ExprId) -> Vec<ExprId> {
        let pool = self.pool;
        let ops = pool.children(id);
        match pool.node(id) {
            // min and max list their arguments like the terms of a sum.
            Node::Add(_) | Node::Min(_) | Node::Max(_) | Node::LogSumExp(_) => sum_order(pool, ops),
            _ => product_order(pool, ops),
        }
    }
}
