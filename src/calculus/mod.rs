//! The calculus: partial and total derivatives ([`diff`], [`total_diff`]), derivatives of
//! user-defined functions ([`DefinedFunctions`]), step-by-step derivations
//! ([`derivation`]), and the algebra results are tidied with: one common denominator
//! ([`together`]) and expansion with its decision of zero ([`expand`], [`is_zero`]). It
//! builds on the expressions and their printer.

pub(crate) mod defined;
pub(crate) mod diff;
pub(crate) mod expand;
pub(crate) mod steps;
pub(crate) mod together;

pub use defined::DefinedFunctions;
pub use diff::{Dependencies, DependencyError, diff, total_diff};
pub use expand::{EXPAND_BUDGET, expand, is_zero};
pub use steps::{Derivation, Step, derivation};
pub use together::together;
