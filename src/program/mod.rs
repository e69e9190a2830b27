//! Straight-line programs: shared subexpressions as named intermediates ([`cse`]),
//! reverse-mode gradients ([`reverse`]), the flat register tape that evaluates them
//! ([`compile`]), and their code in Rust, C or Python ([`emit`]).

pub(crate) mod compile;
pub(crate) mod cse;
pub(crate) mod emit;
pub(crate) mod reverse;
