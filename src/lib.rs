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

// The layers, from the bottom up; each uses only the layers before it in this list
// (tests/integration/layers.rs checks it): error, expr, print, calculus, parse, program,
// model, verify, request, output, cli.
mod calculus;
#[cfg(feature = "cli")]
pub mod cli;
mod error;
mod expr;
pub mod model;
mod output;
mod parse;
mod print;
mod program;
pub mod request;
mod verify;

pub use calculus::defined::DefinedFunctions;
pub use calculus::diff::{Dependencies, DependencyError, diff, total_diff};
pub use calculus::expand::{EXPAND_BUDGET, expand, is_zero};
pub use calculus::steps::{Derivation, Step, derivation};
pub use calculus::together::together;
pub use error::{Error, Span, Warning};
pub use expr::eval::{eval, eval_constant};
pub use expr::func::{ALIASES, Func, is_builtin_name};
pub use expr::multi::Multi;
pub use expr::precise::Decimal;
pub use expr::rational::Rational;
pub use expr::subst::{Cycle, Substitution, free_symbols, replace, replace_checked, substitute};
pub use expr::{
    Constant, DEFAULT_MAX_POWER_BITS, DEFAULT_MAX_SIZE, ExprId, Limit, Map, Node, Pool, SymbolId,
    UndefinedReason,
};
pub use output::Format;
pub use parse::{DEFAULT_MAX_DEPTH, ParseOptions, parse, parse_warned, parse_with};
pub use print::{
    BatchPrinter, Notation, Printer, Style, print, printed_len, undefined_reason_text,
};
pub use program::cse::{Program, cse};
pub use program::emit::{EmitError, EmitSpec, Language, Output, Role, SgdStep, emit};
pub use program::lower::CompileError;
pub use program::reverse::{
    gradient_program, gradient_program_named, value_and_gradient, value_and_gradient_named,
};
pub use program::tape::{Scratch, Tape};
pub use verify::{Check, Report, Verdict, compare, verify};

/// The README's Rust examples run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
