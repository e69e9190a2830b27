//! One input's computation under the pool's limits, its printed size checked, and a panic
//! (a bug) turned into an internal error for that input alone.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::Cli;
use crate::error::Error;
use crate::expr::{ExprId, Pool};
use crate::print::{printed_len_estimate, printed_len_sum};
use crate::request::{Outcome, Request};

/// Computes the lines for one input and checks their size. A panic (a bug) becomes an
/// internal error for this input alone, so a batch goes on. Raising `stop` (Ctrl-C in
/// the REPL) ends the computation as its time limit would.
pub(super) fn compute_guarded(
    cli: &Cli,
    request: &Request,
    texts: &[&str],
    stop: Option<&Arc<AtomicBool>>,
) -> Result<(Pool, Outcome), Error> {
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        compute(cli, request, texts, stop)
    }));
    attempt.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error::Internal { message })
    })
}

/// Computes the lines for one input under the pool's limits (`--max-size`,
/// `--max-power-bits`, `--timeout`) and checks the printed size (`--max-output`).
fn compute(
    cli: &Cli,
    request: &Request,
    texts: &[&str],
    stop: Option<&Arc<AtomicBool>>,
) -> Result<(Pool, Outcome), Error> {
    let mut pool = Pool::new();
    pool.set_stop(stop.cloned());
    pool.set_max_size(cli.max_size);
    pool.set_max_power_bits(cli.max_power_bits);
    if cli.timeout.is_finite() && cli.timeout >= 0.0 {
        let limit = std::time::Duration::from_secs_f64(cli.timeout.min(1e9));
        pool.set_deadline(std::time::Instant::now().checked_add(limit));
    }
    let outcome = request.run(&mut pool, texts)?;
    let code_len = outcome.code.as_ref().map_or(0, |code| code.len() as u64);
    let values: Vec<ExprId> = outcome.lines.iter().map(|line| line.value).collect();
    // With --cse the output is a program as large as the DAG, not the unfolded tree.
    let len = match cli.cse {
        true => 0,
        false => code_len.saturating_add(printed_len_near(&pool, &values, cli.max_output)),
    };
    if len > cli.max_output {
        return Err(Error::Limit {
            message: format!(
                "the result is about {len} bytes long, more than the limit of {} bytes",
                cli.max_output
            ),
            span: None,
            help: "raise the limit with --max-output, or print the result as a program of \
                   shared intermediates with --cse"
                .into(),
            reached: None,
        });
    }
    let shown: Vec<ExprId> = outcome
        .derivations
        .iter()
        .flat_map(|d| std::iter::once(d.start).chain(d.steps.iter().map(|s| s.expr)))
        .collect();
    let steps = printed_len_near(&pool, &shown, cli.max_output);
    if steps > cli.max_output {
        return Err(Error::Limit {
            message: format!(
                "the derivation is about {steps} bytes long, more than the limit of {} bytes",
                cli.max_output
            ),
            span: None,
            help: "raise the limit with --max-output, or leave out --steps".into(),
            reached: None,
        });
    }
    Ok((pool, outcome))
}

/// The printed length of `ids`, to compare with `limit`: exact near the limit, else the
/// quick estimate, which is then far below it (an exact length costs a layout pass, a
/// tenth of a small input's run).
fn printed_len_near(pool: &Pool, ids: &[ExprId], limit: u64) -> u64 {
    let estimate = printed_len_estimate(pool, ids);
    if estimate.saturating_mul(4) < limit {
        return estimate;
    }
    printed_len_sum(pool, ids)
}
