//! Results rewritten over shared intermediates (`--cse`, and reverse-mode gradients):
//! every shared subexpression named once.

use crate::expr::Pool;
use crate::program::cse::{Program, cse};
use crate::request::Outcome;

/// The outcome with its results rewritten over shared intermediates (`--cse`), and the
/// program of intermediates.
pub(super) fn share(pool: &mut Pool, outcome: &Outcome) -> (Outcome, Program) {
    if let Some(program) = &outcome.program {
        // A gradient in reverse mode: already a program.
        return (outcome.clone(), program.clone());
    }
    let mut roots = Vec::new();
    for line in &outcome.lines {
        // A differential prints its coefficients, not its value.
        if line.differentials.is_empty() {
            roots.push(line.value);
        }
        roots.extend(line.differentials.iter().map(|&(c, _)| c));
    }
    let program = cse(pool, &roots);
    let mut results = program.results.iter().copied();
    let mut shared = outcome.clone();
    for line in &mut shared.lines {
        if line.differentials.is_empty() {
            line.value = results.next().unwrap_or(line.value);
        }
        for (coefficient, _) in &mut line.differentials {
            *coefficient = results.next().unwrap_or(*coefficient);
        }
    }
    (shared, program)
}
