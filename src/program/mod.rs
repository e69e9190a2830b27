//! Straight-line programs: shared subexpressions as named intermediates ([`cse`]),
//! reverse-mode gradients ([`reverse`]), the flat register tape that evaluates them
//! ([`tape`]), and their code in Rust, C or Python ([`emit`]); the tape and the code share
//! the lowering of sums, products and powers ([`lower`]).

pub(crate) mod cse;
pub(crate) mod emit;
pub(crate) mod lower;
pub(crate) mod reverse;
pub(crate) mod tape;
