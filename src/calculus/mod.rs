//! The calculus: partial and total derivatives ([`diff`]), derivatives of user-defined
//! functions ([`defined`]), step-by-step derivations ([`steps`]), and the algebra results
//! are tidied with: one common denominator ([`together`]) and expansion with its
//! decision of zero ([`expand`]). It builds on the expressions and their printer.

pub(crate) mod defined;
pub(crate) mod diff;
pub(crate) mod expand;
pub(crate) mod steps;
pub(crate) mod together;
