//! The JSON record of one input (`--format json`, and the web page's API): the input, the
//! options, the free variables, the results, the steps, the warnings, and the reports of
//! `--verify` and `--check`.

use serde_json::{Map, Value, json};

use super::Cli;
use super::checks::{check_answer, verdict_is_correct, write_verdict};
use super::share::share;
use crate::error::{Error, Warning};
use crate::expr::Pool;
use crate::expr::subst::free_symbols;
use crate::output::{json_lines, json_steps, json_temps, json_warnings};
use crate::request::{Outcome, Request};
use crate::verify::{POINTS, Report, Verdict};

/// What a record is made of, besides the outcome: the input's text and line, the
/// warnings (the outcome's and `--verify`'s) and the report of `--verify`.
pub(super) struct RecordParts<'a> {
    /// The input, as typed.
    pub texts: &'a [&'a str],
    /// Its line in a batch.
    pub line_no: Option<usize>,
    /// Every warning about the input.
    pub warnings: &'a [Warning],
    /// `--verify`'s report.
    pub verification: Option<&'a Report>,
}

/// The record of one input and its exit code (1 when `--verify` found a wrong result or
/// `--check` did not confirm the answer). An answer to `--check` that does not parse is
/// an error, shown against the answer's text.
pub(super) fn json_record(
    cli: &Cli,
    request: &Request,
    parts: RecordParts,
    pool: &mut Pool,
    outcome: &Outcome,
) -> Result<(Value, u8), Error> {
    let notation = cli.output_notation();
    let mut code = 0;
    let mut record = Map::new();
    record.insert("input".into(), parts.texts.join(" ").into());
    if let Some(line_no) = parts.line_no {
        record.insert("line".into(), line_no.into());
    }
    record.insert("options".into(), request.describe());
    let mut free = Vec::new();
    for &input in &outcome.inputs {
        for symbol in free_symbols(pool, input) {
            let name = pool.symbol_name(symbol).to_string();
            if !free.contains(&name) {
                free.push(name);
            }
        }
    }
    record.insert("free_variables".into(), free.into());
    let shared = (cli.cse || outcome.program.is_some()).then(|| share(pool, outcome));
    let (outcome, temps) = match &shared {
        Some((outcome, program)) => (outcome, &program.temps[..]),
        None => (outcome, &[][..]),
    };
    if shared.is_some() {
        record.insert("cse".into(), json_temps(pool, temps, notation));
    }
    record.insert("results".into(), json_lines(pool, &outcome.lines, notation));
    if !outcome.derivations.is_empty() {
        record.insert(
            "steps".into(),
            json_steps(pool, &outcome.derivations, notation),
        );
    }
    if let Some(report) = parts.verification {
        if let Some(failure) = &report.failure {
            code = Error::VerifyFailed {
                failure: failure.clone(),
            }
            .exit_code();
        }
        record.insert(
            "verification".into(),
            json!({
                "checked": report.checked,
                "points": POINTS,
                "max_relative_error": report.max_error,
                "failure": report.failure,
                "unchecked": report.unchecked,
                "unsettled": report.unsettled,
            }),
        );
    }
    if let Some(answer) = &cli.check {
        let verdict =
            check_answer(request, pool, answer, outcome).map_err(|error| Error::Option {
                option: "--check",
                text: answer.clone(),
                error: Box::new(error),
                malformed: false,
            })?;
        let correct = verdict_is_correct(&verdict);
        if !correct {
            code = code.max(Error::CheckFailed.exit_code());
        }
        let mut report = Vec::new();
        // Writing to memory cannot fail.
        let _ = write_verdict(&mut report, cli, pool, outcome, &verdict);
        let verdict = match verdict {
            Verdict::Equal => "proved",
            Verdict::NumericallyEqual { .. } => "numerically equal",
            Verdict::EqualOnCurve { .. } => "numerically equal on the curve",
            Verdict::Different { .. } => "incorrect",
            Verdict::Undecided => "undecided",
        };
        record.insert(
            "check".into(),
            json!({
                "answer": answer,
                "correct": correct,
                "verdict": verdict,
                "report": String::from_utf8_lossy(&report).trim_end(),
            }),
        );
    }
    if !parts.warnings.is_empty() {
        record.insert("warnings".into(), json_warnings(parts.warnings));
    }
    Ok((Value::Object(record), code))
}
