//! The algebra results are tidied with: expansion and its decision of zero ([`expand`],
//! [`is_zero`]), one common denominator ([`together`]), polynomials over the rationals
//! with their greatest common divisor ([`Poly`], [`gcd`]), and the tidy pass that keeps the
//! smallest of a result's forms. It builds on the expressions and their printer.

pub(crate) mod cost;
pub(crate) mod expand;
pub(crate) mod factor;
pub(crate) mod fraction;
pub(crate) mod gcd;
pub(crate) mod identities;
pub(crate) mod poly;
pub(crate) mod product_to_sum;
pub(crate) mod tidy;
pub(crate) mod together;

pub use cost::Cost;
pub use expand::{EXPAND_BUDGET, expand, is_zero};
pub use factor::{Factored, common_factor};
pub use gcd::{Budget, gcd, square_free};
pub use identities::identities;
pub use poly::Poly;
pub use tidy::{
    Candidate, Form, TIDY_MAX_NODES, TidyStep, candidates, chosen, pick, tidy, tidy_steps,
};
pub use together::together;
