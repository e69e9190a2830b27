//! One input's results written in the chosen format (plain, LaTeX, Unicode, JSON), after
//! its warnings, with `--cse`'s shared intermediates and the `--verify`/`--check` reports.

use std::io::{self, Write};

use super::Cli;
use super::checks::{
    all_warnings, check_answer, report_verification, verdict_is_correct, write_verdict,
};
use super::color::report;
use super::record::{RecordParts, json_record};
use super::share::share;
use super::stats::{Sizes, write_measured};
use crate::error::Error;
use crate::expr::Pool;
use crate::output::Format;
use crate::output::{write_lines, write_steps, write_temps};
use crate::request::{Outcome, Request};
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
    let warnings = all_warnings(pool, request, outcome, verification.as_ref());
    if !warnings.is_empty() {
        // Warnings come before the result they are about, in the order of the inputs.
        out.flush()?;
        cli.warn(&warnings, &texts.join(" "), origin, line_no.unwrap_or(1));
    }
    let format = cli.output_format();
    if format == Format::Json {
        // The record holds the reports of --verify and --check.
        let parts = RecordParts {
            texts,
            line_no,
            warnings: &warnings,
            verification: verification.as_ref(),
        };
        return match json_record(cli, request, parts, pool, outcome) {
            Ok((record, code)) => {
                serde_json::to_writer(&mut *out, &record)?;
                writeln!(out)?;
                Ok(code)
            }
            Err(error) => {
                out.flush()?;
                report(&error.render("", origin, 1));
                Ok(error.exit_code())
            }
        };
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
    verified(out)
}
