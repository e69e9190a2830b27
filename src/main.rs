//! The `deriv` binary: parse the arguments, run, and turn the outcome into an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = deriv::cli::Cli::parse();
    ExitCode::from(deriv::cli::run(cli))
}
