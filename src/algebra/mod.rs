//! The algebra results are tidied with: expansion and its decision of zero ([`expand`],
//! [`is_zero`]), one common denominator ([`together`]), polynomials over the rationals
//! with their greatest common divisor ([`Poly`], [`gcd`]), and the tidy pass that keeps the
//! smallest of a result's forms. It builds on the expressions and their printer.

pub(crate) mod expand;
pub(crate) mod gcd;
pub(crate) mod poly;
pub(crate) mod together;

pub use expand::{EXPAND_BUDGET, expand, is_zero};
pub use gcd::{Budget, gcd, square_free};
pub use poly::Poly;
pub use together::together;
