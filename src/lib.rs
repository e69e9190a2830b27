//! `deriv`: exact symbolic differentiation.
//!
//! Text is parsed into a hash-consed expression [`Pool`], simplified as it is built,
//! differentiated with memoization, and printed back as text that parses to the same
//! expression.
//!
//! ```
//! use deriv::{Pool, diff, parse, print};
//!
//! let mut pool = Pool::new();
//! let volume = parse(&mut pool, "4*pi/3*t*x*y").unwrap();
//! let x = pool.symbol("x");
//! let dv_dx = diff(&mut pool, volume, x);
//! assert_eq!(print(&pool, dv_dx), "4*pi*t*y/3");
//! ```
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

// pest is used without its `std` feature (whose per-rule stack probe costs a sixth of
// parsing; depth is bounded by our own pre-scan), and its derive then needs `alloc`.
extern crate alloc;

#[cfg(feature = "cli")]
pub mod cli;
mod compile;
mod cse;
mod diff;
mod emit;
mod error;
mod eval;
mod expand;
mod expr;
mod func;
pub mod model;
mod multi;
mod output;
mod parse;
mod precise;
mod print;
mod rational;
pub mod request;
mod reverse;
mod simplify;
mod steps;
mod subst;
mod suggest;
mod together;
mod verify;

pub use compile::{CompileError, Scratch, Tape, value_and_gradient, value_and_gradient_named};
pub use cse::{Program, cse};
pub use diff::{Dependencies, DependencyError, diff, total_diff};
pub use emit::{EmitError, EmitSpec, Language, Output, Role, SgdStep, emit};
pub use error::{Error, Span, Warning};
pub use eval::{eval, eval_constant};
pub use expand::{EXPAND_BUDGET, expand, is_zero};
pub use expr::{
    Constant, DEFAULT_MAX_POWER_BITS, DEFAULT_MAX_SIZE, ExprId, Limit, Node, Pool, SymbolId,
};
pub use func::{ALIASES, Func, is_builtin_name};
pub use multi::Multi;
pub use output::Format;
pub use parse::{DEFAULT_MAX_DEPTH, ParseOptions, parse, parse_warned, parse_with};
pub use precise::Decimal;
pub use print::{BatchPrinter, Notation, Printer, Style, print, printed_len};
pub use rational::Rational;
pub use reverse::{gradient_program, gradient_program_named};
pub use steps::{Derivation, Step, derivation};
pub use subst::{Cycle, Substitution, free_symbols, replace, replace_checked, substitute};
pub use together::together;
pub use verify::{Check, Report, Verdict, compare, verify};

/// The README's Rust examples run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
