//! The command line: arguments as clap reads them, their validation into a
//! [`Request`](crate::request::Request), and the run loop over one expression or a batch
//! of lines.
//!
//! The files, by role: `args` (the arguments as clap reads them), `validate` (their
//! checks into a request), `run` (the run loop over one expression or a batch of lines),
//! `guard` (one input's computation under its limits, a panic caught), `jobs` (a batch's
//! lines computed in parallel, `--jobs`), `plot` (`--plot`: the chart written as SVG),
//! `write` (results in the chosen format), `record` (the JSON record of one input), `share` (results over shared intermediates), `checks` (the reports of `--verify` and
//! `--check`), `color` (errors and warnings on standard error), `repl` (the interactive
//! session), `serve` (the web page and its API), `command_line` (options written back as arguments, for the session) and
//! `stats` (`--stats`: the phases' times and the sizes).

mod args;
mod checks;
mod color;
mod command_line;
mod guard;
mod jobs;
mod plot;
mod record;
mod repl;
mod run;
#[cfg(feature = "serve")]
mod serve;
mod share;
mod stats;
mod validate;
mod write;

pub use args::{
    Cli, Command, DEFAULT_MAX_OUTPUT, DEFAULT_TIMEOUT, FormatArg, LanguageArg, NotationArg,
};
pub use color::ColorChoice;
pub use run::run;
#[cfg(feature = "serve")]
pub use serve::{DEFAULT_PORT, ServeOptions};
