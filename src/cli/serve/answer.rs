//! One API request answered as the command line answers it: the parameters become the
//! CLI's arguments, clap reads them, and the same validation, computation under the
//! limits and JSON record follow. An error becomes a JSON record with its status.

use clap::Parser;
use serde_json::json;

use super::query::{Endpoint, arguments, decode};
use crate::cli::Cli;
use crate::cli::checks::all_warnings;
use crate::cli::guard::compute_guarded;
use crate::cli::record::{RecordParts, json_record};
use crate::cli::validate::clap_message;
use crate::error::{Error, Limit};
use crate::verify::verify;

/// An HTTP answer: status, content type and body.
#[derive(Debug)]
pub(super) struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// The body's media type.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

/// JSON's media type.
pub(super) const JSON: &str = "application/json";

impl Reply {
    /// A JSON error record: `{"error": {"status", "kind", "message", "help", "input",
    /// "text", "span", "rendered"}}`. `rendered` is what the command line prints on
    /// standard error: the message, the input with a caret under the place, the hint.
    pub(super) fn error(status: u16, error: &Error, texts: &[&str]) -> Reply {
        let text = texts.join(" ");
        let (input, shown) = match error {
            Error::Option { option, text, .. } => (
                Some(option.trim_start_matches('-').to_string()),
                text.clone(),
            ),
            _ if error.span().is_some() => (Some("expr".to_string()), text.clone()),
            _ => (None, String::new()),
        };
        let kind = match error {
            Error::Syntax { .. } => "syntax",
            Error::Name { .. } => "name",
            Error::Undefined { .. } => "undefined",
            Error::Limit { .. } => "limit",
            Error::Usage { .. } | Error::Encoding { .. } => "usage",
            Error::Option { .. } => "option",
            Error::CheckFailed | Error::VerifyFailed { .. } => "check",
            Error::Internal { .. } | Error::Io { .. } => "internal",
        };
        let message = match error {
            Error::Option { error, .. } => error.to_string(),
            _ => error.to_string(),
        };
        let body = json!({
            "error": {
                "status": status,
                "kind": kind,
                "message": message,
                "help": error.help(),
                "input": input,
                "text": shown,
                "span": error.span().map(|s| json!({"start": s.start, "end": s.end})),
                "rendered": error.render(&text, "<expr>", 1),
            }
        });
        Reply {
            status,
            content_type: JSON,
            body: format!("{body}\n").into_bytes(),
        }
    }

    /// A JSON error record for a problem with the request itself (its size, the server
    /// being busy, an unknown path): a message and no input.
    pub(super) fn problem(status: u16, message: &str) -> Reply {
        Reply::error(
            status,
            &Error::Usage {
                message: message.to_string(),
                help: None,
            },
            &[],
        )
    }
}

/// The status for an error: 400 for bad input or options, 413 for input or results past
/// a size limit, 504 for the time limit, 503 when stopped (the server shutting down), 500
/// for a bug.
pub(super) fn status(error: &Error) -> u16 {
    match error {
        Error::Limit {
            reached: Some(Limit::Time),
            ..
        } => 504,
        Error::Limit {
            reached: Some(Limit::Interrupted),
            ..
        } => 503,
        Error::Limit { .. } => 413,
        Error::Option { error, .. } => status(error),
        Error::Internal { .. } | Error::Io { .. } => 500,
        _ => 400,
    }
}

/// Answers `/api/derive` (the JSON record of `--format json`) or `/api/plot` (the SVG of
/// `--plot -`) for a query; `limits` are the server's `--timeout`, `--max-*` as
/// arguments.
pub(super) fn answer(endpoint: Endpoint, query: &[u8], limits: &[String]) -> Reply {
    let pairs = match decode(query) {
        Ok(pairs) => pairs,
        Err(error) => return Reply::error(400, &error, &[]),
    };
    let texts: Vec<&str> = pairs
        .iter()
        .filter(|(key, _)| key == "expr")
        .map(|(_, value)| value.as_str())
        .collect();
    match compute(endpoint, &pairs, limits, &texts) {
        Ok(reply) => reply,
        Err(error) => Reply::error(status(&error), &error, &texts),
    }
}

/// The command line's path for one expression: arguments, request, computation, output.
fn compute(
    endpoint: Endpoint,
    pairs: &[(String, String)],
    limits: &[String],
    texts: &[&str],
) -> Result<Reply, Error> {
    let args = arguments(endpoint, pairs, limits)?;
    let cli = Cli::try_parse_from(args).map_err(|error| Error::Usage {
        message: clap_message(&error),
        help: None,
    })?;
    let request = cli.request()?;
    let (mut pool, outcome) = compute_guarded(&cli, &request, texts, None)?;
    if endpoint == Endpoint::Plot {
        let mut svg = Vec::new();
        if let Some(plot) = cli.plot()? {
            plot.write(&mut pool, &request, texts, &mut svg)?;
        }
        return Ok(Reply {
            status: 200,
            content_type: "image/svg+xml",
            body: svg,
        });
    }
    let verification = request.verify.then(|| verify(&pool, &outcome.checks));
    let warnings = all_warnings(&pool, &request, &outcome, verification.as_ref());
    let parts = RecordParts {
        texts,
        line_no: None,
        warnings: &warnings,
        verification: verification.as_ref(),
    };
    let (record, _) = json_record(&cli, &request, parts, &mut pool, &outcome)?;
    Ok(Reply {
        status: 200,
        content_type: JSON,
        body: format!("{record}\n").into_bytes(),
    })
}
