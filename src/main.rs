//! The `deriv` binary: parse the arguments, run, and turn the outcome into an exit code.
#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = deriv::cli::Cli::parse();
    // Panics are bugs; `run` reports them per input as internal errors (exit code 3), so
    // the default message with its backtrace hint is not wanted.
    std::panic::set_hook(Box::new(|_| {}));
    match std::panic::catch_unwind(|| deriv::cli::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(_) => {
            eprintln!(
                "error: internal error\n  = help: this is a bug in deriv: please report the input"
            );
            ExitCode::from(3)
        }
    }
}
