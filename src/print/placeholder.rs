//! Placeholders for derivatives not yet taken, in step-by-step derivations.
//!
//! The one place that spells a step-by-step placeholder: [`crate::calculus::steps`] names its
//! not-yet-taken derivatives `d/dx(u)` (total) or `∂/∂x(u)` (partial) with these names,
//! and the printer lays them out as derivatives.

use crate::expr::{ExprId, SymbolId};

use super::Style;
use super::layout::{Item, Prec, Task, Writer};
use super::mathml::APPLY;

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

impl Writer<'_> {
    /// A derivative not yet taken, in a step-by-step derivation: `diff(u, x)`,
    /// `d/dx(u)` or `∂/∂x(u)`, `\frac{d}{dx}\left(u\right)`.
    pub(super) fn layout_placeholder(
        &mut self,
        name: SymbolId,
        offset: usize,
        total: bool,
        arg: ExprId,
    ) {
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
            Style::MathMl => {
                self.text(if total {
                    "<mfrac><mi>d</mi><mrow><mi>d</mi>"
                } else {
                    "<mfrac><mi>∂</mi><mrow><mi>∂</mi>"
                });
                self.push(var);
                self.text("</mrow></mfrac>");
                self.text(APPLY);
                self.text("<mrow><mo>(</mo>");
                self.push(inner);
                self.text("<mo>)</mo></mrow>");
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
}
