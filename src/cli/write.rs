//! One input's results written in the chosen format (plain, LaTeX, Unicode, JSON), after
//! its warnings, with `--cse`'s shared intermediates and the `--verify`/`--check` reports.

use std::io::{self, Write};

use super::Cli;
use super::checks::{
    check_answer, report_verification, verdict_is_correct, verify_warnings, write_verdict,
};
use super::color::report;
use super::stats::{Sizes, write_measured};
use crate::error::Error;
use crate::expr::Pool;
use crate::expr::subst::free_symbols;
use crate::output::Format;
use crate::output::{
    json_lines, json_steps, json_temps, json_warnings, write_lines, write_steps, write_temps,
};
use crate::program::cse::{Program, cse};
use crate::request::{Mode, Outcome, Request};
use crate::verify::verify;

/// Writes the results of one input in the chosen format, after its warnings; `place` is
/// where the input comes from (`<expr>`, a file and a line number) for the warnings.
pub(super) fn write_results(
    out: &mut impl Write,
    cli: &Cli,
    request: &Request,
    texts: &[&str],
    place: (&str, Option<usize>),
    pool: &mut Pool,
    outcome: &Outcome,
) -> io::Result<u8> {
    if cli.stats {
        let sizes = Sizes::of(pool, outcome);
        return write_measured(out, cli.output_format(), sizes, outcome, |buffer| {
            write_unmeasured(buffer, cli, request, texts, place, pool, outcome)
        });
    }
    write_unmeasured(out, cli, request, texts, place, pool, outcome)
}

/// [`write_results`] without `--stats`.
fn write_unmeasured(
    out: &mut impl Write,
    cli: &Cli,
    request: &Request,
    texts: &[&str],
    place: (&str, Option<usize>),
    pool: &mut Pool,
    outcome: &Outcome,
) -> io::Result<u8> {
    let notation = cli.output_notation();
    let (origin, line_no) = place;
    let verification = request.verify.then(|| verify(pool, &outcome.checks));
    let mut warnings = outcome.warnings.clone();
    if let Some(verification) = &verification {
        let implicit = request.mode == Mode::Implicit;
        warnings.extend(verify_warnings(pool, outcome, verification, implicit));
    }
    if !warnings.is_empty() {
        // Warnings come before the result they are about, in the order of the inputs.
        out.flush()?;
        cli.warn(&warnings, &texts.join(" "), origin, line_no.unwrap_or(1));
    }
    let verified = |out: &mut dyn Write| -> io::Result<u8> {
        let Some(verification) = &verification else {
            return Ok(0);
        };
        out.flush()?;
        Ok(report_verification(verification, line_no))
    };
    if let Some(answer) = &cli.check {
        let verdict = check_answer(request, pool, answer, outcome);
        return match verdict {
            Ok(verdict) => {
                write_verdict(out, cli, pool, outcome, &verdict)?;
                let code = verified(out)?;
                let checked = if verdict_is_correct(&verdict) {
                    0
                } else {
                    Error::CheckFailed.exit_code()
                };
                Ok(code.max(checked))
            }
            Err(error) => {
                out.flush()?;
                report(&error.render(answer, "--check", 1));
                Ok(error.exit_code())
            }
        };
    }
    if let Some(code) = &outcome.code {
        out.write_all(code.as_bytes())?;
        return verified(out);
    }
    let shared = (cli.cse || outcome.program.is_some()).then(|| share(pool, outcome));
    let (outcome, temps) = match &shared {
        Some((outcome, program)) => (outcome, &program.temps[..]),
        None => (outcome, &[][..]),
    };
    match cli.output_format() {
        Format::Json => {
            let mut record = serde_json::Map::new();
            record.insert("input".into(), texts.join(" ").into());
            if let Some(line_no) = line_no {
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
            if !warnings.is_empty() {
                record.insert("warnings".into(), json_warnings(&warnings));
            }
            serde_json::to_writer(&mut *out, &serde_json::Value::Object(record))?;
            writeln!(out)?;
        }
        format => {
            let style = format.style();
            // A derivation ends in the result; its line follows only to show `--at`.
            if outcome.derivations.is_empty() {
                write_temps(out, pool, temps, style, notation)?;
            } else {
                write_steps(out, pool, &outcome.derivations, style, notation)?;
            }
            if outcome.derivations.is_empty() || !request.at.is_empty() {
                let color = cli.stdout_color();
                write_lines(out, pool, &outcome.lines, style, notation, color)?;
            }
        }
    }
    verified(out)
}

/// The outcome with its results rewritten over shared intermediates (`--cse`), and the
/// program of intermediates.
fn share(pool: &mut Pool, outcome: &Outcome) -> (Outcome, Program) {
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
