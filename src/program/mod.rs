//! Straight-line programs: shared subexpressions as named intermediates ([`cse`],
//! [`Program`]), reverse-mode gradients ([`gradient_program`], [`value_and_gradient`]),
//! the flat register tape that evaluates them ([`Tape`]), and their code in Rust, C or
//! Python ([`emit()`]); the tape and the code share the lowering of sums, products and
//! powers.

pub(crate) mod cse;
pub(crate) mod emit;
pub(crate) mod lower;
pub(crate) mod reverse;
pub(crate) mod tape;

pub use cse::{Program, cse};
pub use emit::{EmitError, EmitSpec, Language, Output, Role, SgdStep, emit};
pub use lower::CompileError;
pub use reverse::{
    gradient_program, gradient_program_named, value_and_gradient, value_and_gradient_named,
};
pub use tape::{Scratch, Tape};
