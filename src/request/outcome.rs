//! The result report of one input: the [`Outcome`], its [`Line`]s and their [`Label`]s;
//! the one-way interface to the output, which writes them.

use crate::algebra::tidy::Form;
use crate::calculus::steps::Derivation;
use crate::error::Warning;
use crate::expr::{ExprId, SymbolId};
use crate::program::cse::Program;
use crate::verify::Check;

/// What a result is; each output format writes it its own way (`diff(f, x)`, `∂f/∂x`,
/// `\frac{\partial f}{\partial x}`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Label {
    /// A bare result.
    #[default]
    None,
    /// The derivative of `of` in `vars`, in order; total (`df/dx`) or partial.
    Derivative {
        /// The function's name.
        of: String,
        /// The differentiation variables.
        vars: Vec<String>,
        /// `d` rather than `∂`.
        total: bool,
        /// Constraints applied to the function first (`f with t=x`).
        constrained: Option<String>,
    },
    /// A chain-rule term `∂f/∂via · dvia/dvar`.
    Chain {
        /// The function's name.
        of: String,
        /// The intermediate variable.
        via: String,
        /// The differentiation variable.
        var: String,
    },
    /// The total differential `df`.
    Differential {
        /// The function's name.
        of: String,
    },
    /// `d^order y/dx^order` of an implicit function `y(x)`.
    Implicit {
        /// The dependent variable.
        y: String,
        /// The independent variable.
        x: String,
        /// The order.
        order: usize,
    },
    /// A label followed by the constraints substituted afterwards: `∂f/∂x with t=x`.
    After(Box<Label>, String),
    /// A gradient-descent step for a parameter: `w := w - eta*∂E/∂w` (`--sgd`).
    Update {
        /// The parameter.
        param: String,
    },
}

impl Label {
    pub(super) fn partial(of: &str, vars: &[&str]) -> Label {
        Label::Derivative {
            of: of.to_string(),
            vars: vars.iter().map(|v| v.to_string()).collect(),
            total: false,
            constrained: None,
        }
    }
}

/// One result: a heading and a label (both may be empty), the value and a remark.
#[derive(Clone, Debug)]
pub struct Line {
    /// A short description in front of the label (`--explain`: `partial`, `total`, …).
    pub heading: String,
    /// What the value is.
    pub label: Label,
    /// The value.
    pub value: ExprId,
    /// For a differential: the coefficient of each `dv`, `value` being their sum.
    pub differentials: Vec<(ExprId, SymbolId)>,
    /// A remark such as `(y is held constant)`.
    pub note: Option<String>,
    /// The value as a decimal, right to the digits it shows, with `--numeric`.
    pub decimal: Option<crate::expr::precise::Decimal>,
    /// The form `value` is written in (see [`crate::algebra::tidy`]).
    pub form: Form,
    /// With `--forms`: the value in every form, in [`Form::CANDIDATES`] order.
    pub forms: Vec<(Form, ExprId)>,
}

impl Line {
    pub(super) fn new(label: Label, value: ExprId) -> Line {
        Line {
            heading: String::new(),
            label,
            value,
            differentials: Vec::new(),
            note: None,
            decimal: None,
            form: Form::Computed,
            forms: Vec::new(),
        }
    }

    pub(super) fn headed(heading: impl Into<String>, label: Label, value: ExprId) -> Line {
        Line {
            heading: heading.into(),
            ..Line::new(label, value)
        }
    }

    pub(super) fn with_note(mut self, note: impl Into<String>) -> Line {
        self.note = Some(note.into());
        self
    }
}

/// Everything computed for one input.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The parsed input expressions.
    pub inputs: Vec<ExprId>,
    /// The results.
    pub lines: Vec<Line>,
    /// With `--steps`: the derivation in each differentiation variable, in order.
    pub derivations: Vec<Derivation>,
    /// With `--verify`: the claims behind the results, to check numerically.
    pub checks: Vec<Check>,
    /// With `--cse` and `--grad`: the reverse-mode program the results are written in.
    pub program: Option<Program>,
    /// With `--emit`: the generated source, in place of the lines.
    pub code: Option<String>,
    /// What the input probably does not mean; spans are in the inputs joined by spaces.
    pub warnings: Vec<Warning>,
    /// How long each phase took.
    pub timings: super::Timings,
}
