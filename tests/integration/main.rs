//! The integration tests, as one test binary (one link instead of one per file): each
//! module is one area, run through the library or the `deriv` binary.
//!
//! Snapshots live in `snapshots/`, named `integration__<module>__<name>.snap`; proptest
//! keeps its regression seeds in `tests/proptest-regressions/<module>.txt` (next to the
//! folder holding `main.rs`). Run one area with `cargo test --test integration <module>::`.

mod bad_input;
mod browser;
mod cli;
mod common;
mod dependencies;
mod diff;
mod emit;
mod formats;
mod fuzz_regressions;
mod jobs;
mod layers;
mod mathml;
mod models;
mod numeric;
mod parse;
mod pathological;
mod plot;
mod polynomials;
mod properties;
mod quality;
mod readme;
mod repl;
mod serve;
mod serve_abuse;
mod stats;
mod tidy;
mod total;
mod warnings;
mod zero;
