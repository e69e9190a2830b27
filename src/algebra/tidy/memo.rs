//! What one tidy pass has found, by part: the rounds and the factored form's recursion
//! meet the same parts again (the 10th derivative of `sin(x)*exp(x^2)` weighed its inner
//! sum and its negation at every depth), and each of these depends only on the part.

use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::algebra::factor::Factored;
use crate::algebra::tidy::{Candidate, TidyStep};
use crate::expr::ExprId;

/// The forms found so far in one pass; a list is shared with whoever reads it, not
/// copied.
#[derive(Default)]
pub(super) struct Memo {
    /// The candidates of a part, by part and depth.
    pub candidates: FxHashMap<(ExprId, usize), Rc<[Candidate]>>,
    /// The splits of a sum into a common factor and what is left, by sum and sign.
    pub splits: FxHashMap<(ExprId, i64), Option<Factored>>,
    /// The negation of each sum negated so far, term by term.
    pub negations: FxHashMap<ExprId, ExprId>,
    /// The factored form's steps, by part and depth.
    pub factored: FxHashMap<(ExprId, usize), Rc<[TidyStep]>>,
    /// Every node met, with the identities applied.
    pub identities: FxHashMap<ExprId, ExprId>,
    /// The together form's steps, by part.
    pub together: FxHashMap<ExprId, Rc<[TidyStep]>>,
    /// The expanded form's steps, by part.
    pub expanded: FxHashMap<ExprId, Rc<[TidyStep]>>,
}
