//! What the test modules share: running the binary and generating random expressions.

pub mod command;
pub mod generate;
pub mod http;
pub mod tree;
