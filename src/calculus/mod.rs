//! The calculus: partial and total derivatives ([`diff`], [`total_diff`]), derivatives of
//! user-defined functions ([`DefinedFunctions`]) and step-by-step derivations
//! ([`derivation`]). It builds on the expressions, their printer and the algebra.

pub(crate) mod defined;
pub(crate) mod diff;
pub(crate) mod steps;

pub use defined::DefinedFunctions;
pub use diff::{Dependencies, DependencyError, diff, total_diff};
pub use steps::{Derivation, Step, derivation};
