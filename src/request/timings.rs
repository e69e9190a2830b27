//! How long the phases of one input's computation took, for `--stats`.

use std::time::{Duration, Instant};

/// The time of each phase of [`crate::request::Request::run`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    /// Text to expressions, simplified as they are built.
    pub parse: Duration,
    /// The definitions, constraints and points: the model and the context, the inputs
    /// written through the definitions.
    pub build: Duration,
    /// The mode's results: derivatives, `--at`, `--sgd`, the definitions' names and
    /// `--verify`'s claims.
    pub differentiate: Duration,
    /// The tidy pass (`--form`) and `--steps`.
    pub tidy: Duration,
}

impl Timings {
    /// The sum of the phases.
    pub fn total(&self) -> Duration {
        self.parse + self.build + self.differentiate + self.tidy
    }

    /// Adds another input's phases.
    pub fn add(&mut self, other: &Timings) {
        self.parse += other.parse;
        self.build += other.build;
        self.differentiate += other.differentiate;
        self.tidy += other.tidy;
    }
}

/// A stopwatch over consecutive phases: each lap is the time since the last.
pub(super) struct Laps(Instant);

impl Laps {
    pub(super) fn start() -> Laps {
        Laps(Instant::now())
    }

    /// The time since the last lap (or the start).
    pub(super) fn lap(&mut self) -> Duration {
        let now = Instant::now();
        let lap = now - self.0;
        self.0 = now;
        lap
    }
}
