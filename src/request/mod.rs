//! One validated request (what to compute) and its computation for one input expression:
//! derivatives partial or total, under constraints, at points, and the labelled reports
//! (`--explain`, `--differential`, `--grad`, `--hessian`, `--jacobian`).
//!
//! This file holds the request and its options; the rest is split by role:
//! `assignment` (`VAR=EXPR` option text), `context` (the options parsed into one pool),
//! `run` (one input's computation), `modes` (each mode's results), `programs` (reverse
//! mode and `--emit`), `point` (`--at` and where results are undefined), `checks`
//! (`--verify`'s claims and `--check`'s answer), `params` (`--params` globs), `describe`
//! (the options as JSON), `outcome` (the result report: [`Outcome`], [`Line`], [`Label`]),
//! `label` (a label's text in each style) and `timings` (the phases' times, `--stats`).

mod assignment;
mod checks;
mod context;
#[cfg(feature = "cli")]
mod describe;
pub mod label;
mod modes;
mod outcome;
mod params;
mod point;
mod programs;
mod run;
mod timings;

pub use assignment::{Assignment, parse_assignment};
pub use outcome::{Label, Line, Outcome};
pub use timings::Timings;

use crate::algebra::tidy::Form;
use crate::model::Definition;
use crate::program::emit::Language;

/// What to report for each expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// The derivative (or, without variables, the simplified expression).
    #[default]
    Derivative,
    /// The partial, each chain-rule term, the total, and both orders of substituting.
    Explain,
    /// `df = Σ ∂f/∂v dv`.
    Differential,
    /// Every first partial.
    Gradient,
    /// Every second partial.
    Hessian,
    /// The first partials of several expressions.
    Jacobian,
    /// `dy/dx` for an equation `F = 0` with `y` a function of `x`.
    Implicit,
}

impl Mode {
    /// The mode's name in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Derivative => "derivative",
            Mode::Explain => "explain",
            Mode::Differential => "differential",
            Mode::Gradient => "gradient",
            Mode::Hessian => "hessian",
            Mode::Jacobian => "jacobian",
            Mode::Implicit => "implicit",
        }
    }
}

/// Which variables vary with the differentiation variable in a total derivative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Varying {
    /// Only variables tied by a substitution or declared with `--depends`.
    Declared,
    /// Every variable except these (`--const`, `--vary-all`): Mathematica's `Dt`.
    AllExcept(Vec<String>),
}

/// A validated request: everything but the expression.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The report.
    pub mode: Mode,
    /// Variables to differentiate in, in order.
    pub wrt: Vec<String>,
    /// Total rather than partial derivatives.
    pub total: bool,
    /// Constraints applied before differentiating.
    pub subst: Vec<Assignment>,
    /// Points or surfaces applied to the results.
    pub at: Vec<Assignment>,
    /// Dependent variables and what they depend on (`None`: the first `--wrt` variable).
    pub depends: Vec<(String, Option<String>)>,
    /// Which variables vary, for `--total`.
    pub varying: Option<Varying>,
    /// The dependent variable of `--implicit`.
    pub implicit: Option<String>,
    /// Also print decimal approximations.
    pub numeric: bool,
    /// The parser's depth limit.
    pub max_depth: usize,
    /// Also derive step by step (`--steps`).
    pub steps: bool,
    /// Also check the results numerically (`--verify`).
    pub verify: bool,
    /// Results as a program of shared intermediates (`--cse`): gradients in reverse mode.
    pub cse: bool,
    /// Definitions of variables and functions (`--def`, definition lines of a file).
    pub definitions: Vec<Definition>,
    /// The name of the function being differentiated, for labels (`--of`); `f` if none.
    pub name: Option<String>,
    /// Results in the original variables rather than the definitions' names.
    pub inline: bool,
    /// Glob patterns choosing the parameters of `--grad` (`--params 'w*,b*'`).
    pub params: Vec<String>,
    /// The learning rate of `--sgd`: the gradient printed as update rules.
    pub sgd: Option<Assignment>,
    /// Write the loss and its gradient (and the `--sgd` step) as a function in this
    /// language instead of formulas (`--emit`); needs [`Mode::Gradient`].
    pub emit: Option<Language>,
    /// The form results are written in (`--form`).
    pub form: Form,
    /// Also every form of each result (`--forms`).
    pub forms: bool,
}

impl Request {
    /// The name of the function being differentiated: `--of`'s, or `f`.
    pub fn function_name(&self) -> &str {
        self.name.as_deref().unwrap_or("f")
    }
}
