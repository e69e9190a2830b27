//! A request's query string (or form body) read strictly, and turned into the command
//! line's arguments: the API's parameters are the CLI's option names.

use percent_encoding::percent_decode;

use crate::cli::validate::usage_error;
use crate::error::Error;

/// Options that take a value, by their CLI names.
const VALUED: &[&str] = &[
    "wrt", "subst", "depends", "const", "implicit", "at", "form", "check", "def", "of", "params",
    "sgd", "emit", "notation",
];

/// Options that are flags: `total=true` (or `1`, `on`, `yes`, or no value) sets one,
/// `false` (`0`, `off`, `no`) leaves it out.
const FLAGS: &[&str] = &[
    "total",
    "vary-all",
    "numeric",
    "explain",
    "differential",
    "grad",
    "hessian",
    "jacobian",
    "forms",
    "steps",
    "verify",
    "cse",
    "inline",
];

/// `/api/plot`'s own option: the plotted variable's range.
const PLOT_ONLY: &[&str] = &["range"];

/// The parameters of a query string, in order, each decoded (`+` is a space, `%XX` a
/// byte) and checked to be UTF-8.
pub(super) fn decode(query: &[u8]) -> Result<Vec<(String, String)>, Error> {
    let mut pairs = Vec::new();
    let mut at = 0;
    for part in query.split(|&b| b == b'&') {
        let start = at;
        at += part.len() + 1;
        if part.is_empty() {
            continue;
        }
        let (key, value) = match part.iter().position(|&b| b == b'=') {
            Some(eq) => (&part[..eq], &part[eq + 1..]),
            None => (part, &b""[..]),
        };
        // Offsets in errors count the raw bytes, before decoding.
        let value_at = start + key.len() + 1;
        let key = text(key, start)?;
        let value = text(value, value_at)?;
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// One key or value decoded; `offset` is where it starts in the query, for errors.
fn text(raw: &[u8], offset: usize) -> Result<String, Error> {
    for (i, &byte) in raw.iter().enumerate() {
        let escape = raw.get(i + 1..i + 3);
        if byte == b'%' && !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
            return Err(usage_error(format!(
                "the query string has a malformed escape `%` at byte {}: `%` must be \
                 followed by two hexadecimal digits",
                offset + i
            )));
        }
    }
    let spaced: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&spaced)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|e| {
            usage_error(format!(
                "the query string is not valid UTF-8 after decoding (near byte {offset}): {e}"
            ))
        })
}

/// Which API a request is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Endpoint {
    /// `/api/derive`: the JSON record.
    Derive,
    /// `/api/plot`: the SVG chart.
    Plot,
}

/// The command line for the parameters: `deriv --format json --quiet <limits> --opt=value
/// ... -- EXPR [MORE...]`. The first `expr` is the expression, later ones are --jacobian's
/// others. Unknown parameters, and options that read or write files or change the output,
/// are refused.
pub(super) fn arguments(
    endpoint: Endpoint,
    pairs: &[(String, String)],
    limits: &[String],
) -> Result<Vec<String>, Error> {
    let mut args = vec![
        "deriv".to_string(),
        "--format=json".into(),
        "--quiet".into(),
    ];
    args.extend(limits.iter().cloned());
    let mut exprs = Vec::new();
    for (key, value) in pairs {
        let key = key.as_str();
        if key == "expr" {
            exprs.push(value.clone());
        } else if VALUED.contains(&key) || endpoint == Endpoint::Plot && PLOT_ONLY.contains(&key) {
            args.push(format!("--{key}={value}"));
        } else if FLAGS.contains(&key) {
            match value.to_ascii_lowercase().as_str() {
                "" | "true" | "1" | "on" | "yes" => args.push(format!("--{key}")),
                "false" | "0" | "off" | "no" => {}
                _ => {
                    return Err(usage_error(format!(
                        "`{key}={value}`: {key} is true or false (or 1 or 0, on or off)"
                    )));
                }
            }
        } else {
            return Err(Error::Usage {
                message: format!("unknown parameter `{key}`"),
                help: Some(format!(
                    "the parameters are expr and the command line's options: {}{}",
                    VALUED
                        .iter()
                        .chain(FLAGS)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", "),
                    match endpoint {
                        Endpoint::Plot => ", range",
                        Endpoint::Derive => "",
                    }
                )),
            });
        }
    }
    if exprs.is_empty() {
        return Err(usage_error(
            "no expression: give it as `expr`, for example ?expr=x^2&wrt=x".into(),
        ));
    }
    if endpoint == Endpoint::Plot {
        args.push("--plot=-".into());
    }
    // After `--`, an expression that starts with `-` or is a subcommand's name is still
    // the expression.
    args.push("--".into());
    args.extend(exprs);
    Ok(args)
}
