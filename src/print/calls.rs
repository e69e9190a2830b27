//! The layout of function calls and derivatives: built-in functions in each style,
//! unknown functions and their partial derivatives, derivatives of dependent variables.

use crate::expr::func::Func;
use crate::expr::{ExprId, SymbolId};

use super::layout::{Item, Prec, Task, Writer};
use super::mathml::{APPLY, function_base, function_name};
use super::names::latex_function;
use super::placeholder::placeholder_var;
use super::{Notation, Style};

impl Writer<'_> {
    /// `f(u)` in each style: `\sin\left(u\right)`, `e^{u}`, `|u|`.
    pub(super) fn layout_call(&mut self, func: Func, arg: ExprId) -> Prec {
        let inner = Task::Item(Item::Expr(arg), Prec::Sum);
        match (self.style, func) {
            (Style::MathMl, Func::Exp) => {
                let one = self.is_one_element(arg);
                self.text("<msup><mi>e</mi>");
                self.mrow_open(one);
                self.push(inner);
                self.mrow_close(one);
                self.text("</msup>");
                return Prec::Power;
            }
            (Style::Latex | Style::Unicode | Style::MathMl, Func::Abs) => {
                let (open, close) = self.bars();
                self.text(open);
                self.push(inner);
                self.text(close);
            }
            (Style::MathMl, _) => {
                match function_base(func) {
                    Some(base) => {
                        self.text("<msub><mi>");
                        self.text(function_name(func));
                        self.text("</mi><mn>");
                        self.text(base);
                        self.text("</mn></msub>");
                    }
                    None => {
                        self.text("<mi>");
                        self.text(function_name(func));
                        self.text("</mi>");
                    }
                }
                self.text(APPLY);
                self.parenthesized(inner);
            }
            (Style::Plain | Style::Unicode, _) => {
                self.text(func.name());
                self.parenthesized(inner);
            }
            (Style::Latex, Func::Exp) => {
                self.text("e^{");
                self.push(inner);
                self.text("}");
                return Prec::Power;
            }
            (Style::Latex, _) => {
                self.text(latex_function(func));
                self.parenthesized(inner);
            }
        }
        Prec::Atom
    }

    /// A built-in function of several arguments, by its plain and LaTeX names:
    /// `atan2(y, x)`, `\\max\\left(a, b\\right)`; in MathML by its plain name.
    pub(super) fn layout_multi(
        &mut self,
        (plain, latex): (&'static str, &'static str),
        args: &[ExprId],
    ) {
        if self.mathml() {
            self.text("<mi>");
            self.text(plain);
            self.text("</mi>");
            self.text(APPLY);
        } else if self.latex() {
            self.text(latex);
        } else {
            self.text(plain);
        }
        self.arguments(args);
    }

    /// `(task)`, parenthesized as the style does it.
    fn parenthesized(&mut self, task: Task) {
        let (open, close) = self.parens();
        self.text(open);
        self.push(task);
        self.text(close);
    }

    /// `(a, b)`, parenthesized as the style does it.
    fn arguments(&mut self, args: &[ExprId]) {
        let (open, close) = self.parens();
        self.text(open);
        for (k, &arg) in args.iter().enumerate() {
            if k > 0 {
                self.either(", ", "<mo>,</mo>");
            }
            self.push(Task::Item(Item::Expr(arg), Prec::Sum));
        }
        self.text(close);
    }

    /// A `d` of a MathML derivative of order `order`, and then `name` (`d²y`), or `name`
    /// and then its power (`dx²`).
    fn mathml_differential(&mut self, order: usize, name: SymbolId, power_on_name: bool) {
        match (order > 1, power_on_name) {
            (false, _) => {
                self.text("<mi>d</mi>");
                self.push(Task::Name(name));
            }
            (true, false) => {
                self.text("<msup><mi>d</mi>");
                self.digits(Task::Index(order));
                self.text("</msup>");
                self.push(Task::Name(name));
            }
            (true, true) => {
                self.text("<mi>d</mi><msup>");
                self.push(Task::Name(name));
                self.digits(Task::Index(order));
                self.text("</msup>");
            }
        }
    }

    /// `′`, `″`, `‴` for the first three orders; `(n)` beyond, as MathML writes a prime.
    fn mathml_primes(&mut self, order: usize) {
        match order {
            1 => self.text("<mo>′</mo>"),
            2 => self.text("<mo>″</mo>"),
            3 => self.text("<mo>‴</mo>"),
            _ => {
                self.text("<mrow><mo>(</mo>");
                self.digits(Task::Index(order));
                self.text("<mo>)</mo></mrow>");
            }
        }
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
    pub(super) fn layout_derivative(&mut self, of: SymbolId, wrt: SymbolId, order: u32) -> Prec {
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
            (Style::MathMl, Notation::Leibniz) => {
                self.text("<mfrac><mrow>");
                self.mathml_differential(order, of, false);
                self.text("</mrow><mrow>");
                self.mathml_differential(order, wrt, true);
                self.text("</mrow></mfrac>");
                Prec::Power
            }
            (Style::MathMl, Notation::Prime) => {
                self.text("<msup>");
                self.push(Task::Name(of));
                self.mathml_primes(order);
                self.text("</msup>");
                // As in LaTeX: `(y′)²`.
                Prec::Power
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
                        Style::Plain | Style::MathMl => {
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
    pub(super) fn layout_apply(&mut self, name: SymbolId, orders: &[u32], args: &[ExprId]) {
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
        if self.mathml() {
            self.layout_mathml_function(name, orders, total, args.len());
        } else if args.len() == 1 && total <= 3 {
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
        self.arguments(args);
    }

    /// An unknown function's name in MathML, as LaTeX writes it: with primes for a
    /// function of one argument differentiated up to three times (`f″`), else after a
    /// `∂` for each argument position it is differentiated in (`∂₁∂₂g`); then the
    /// function application.
    fn layout_mathml_function(&mut self, name: SymbolId, orders: &[u32], total: u32, arity: usize) {
        if total == 0 {
            self.push(Task::FunctionName(name));
        } else if arity == 1 && total <= 3 {
            self.text("<msup>");
            self.push(Task::FunctionName(name));
            self.mathml_primes(total as usize);
            self.text("</msup>");
        } else {
            for (k, &order) in orders.iter().enumerate() {
                for _ in 0..order {
                    self.text("<msub><mi>∂</mi>");
                    self.digits(Task::Index(k + 1));
                    self.text("</msub>");
                }
            }
            self.push(Task::FunctionName(name));
        }
        self.text(APPLY);
    }
}
