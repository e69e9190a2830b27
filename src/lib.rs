//! `deriv`: exact symbolic differentiation.
//!
//! Text is parsed into a hash-consed expression [`Pool`], simplified as it is built,
//! differentiated with memoization, and printed back as text that parses to the same
//! expression.
//!
//! The crate is a stack of layers, each using only those below it: the errors; [`expr`],
//! the pool and its canonical constructors; [`print`](mod@print); [`algebra`], expansion, common
//! denominators, polynomials and the tidy pass; [`calculus`], derivatives and steps; the parser; [`program`], straight-line programs, the tape and code
//! generation; [`model`], definition files; [`verify`]; [`request`], one input's
//! computation; [`plot`], charts of a function and its derivatives; the output
//! formats; and the command line `cli` (with the default `cli` feature). The
//! root re-exports the pipeline: pool, parse, diff, substitute, print, eval.
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
// (tests/integration/layers.rs checks it): error, expr, print, algebra, calculus, parse,
// program, model, verify, request, plot, output, cli.
pub mod algebra;
pub mod calculus;
#[cfg(feature = "cli")]
pub mod cli;
mod error;
pub mod expr;
pub mod model;
mod output;
mod parse;
pub mod plot;
pub mod print;
pub mod program;
pub mod request;
pub mod verify;

// The pipeline, at the root: the pool and its data, text to expressions, derivatives,
// substitution, printing and evaluation, and errors. The rest is under the modules above
// (`deriv::program::Tape`, `deriv::verify::compare`, `deriv::calculus::derivation`).
pub use calculus::diff::{Dependencies, DependencyError, diff, total_diff};
pub use error::{Error, Span, Warning};
pub use expr::eval::eval;
pub use expr::func::Func;
pub use expr::rational::Rational;
pub use expr::subst::{Cycle, Substitution, free_symbols, replace, substitute};
pub use expr::{
    Constant, DEFAULT_MAX_POWER_BITS, DEFAULT_MAX_SIZE, ExprId, Limit, Map, Node, Pool, SymbolId,
};
pub use parse::{DEFAULT_MAX_DEPTH, ParseOptions, parse, parse_warned, parse_with};
pub use print::{Notation, Printer, Style, print};

/// The README's Rust examples run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The guide's Rust examples run as doc tests.
#[doc = include_str!("../docs/GUIDE.md")]
#[cfg(doctest)]
pub struct GuideDoctests;
