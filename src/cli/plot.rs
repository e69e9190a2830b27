//! `--plot FILE`: the options checked (the file's kind, `--range`, one expression), and the
//! chart computed and written as SVG to the file or to standard output.

use std::io::Write;
use std::path::PathBuf;

use super::Cli;
use super::validate::usage_error;
use crate::error::Error;
use crate::expr::Pool;
use crate::plot::{Window, figure, svg};
use crate::request::Request;

/// Where the chart goes and over what window.
pub(super) struct Plot {
    /// The SVG file; `None` for standard output (`--plot -`).
    path: Option<PathBuf>,
    /// `--range`, if given.
    window: Option<Window>,
}

impl Cli {
    /// `--plot` and `--range`, checked; `None` without `--plot`.
    pub(super) fn plot(&self) -> Result<Option<Plot>, Error> {
        let Some(path) = &self.plot else {
            return Ok(None);
        };
        let one_expression =
            self.file.is_none() && !matches!(self.expr.as_deref(), None | Some("-"));
        if !one_expression {
            return Err(usage_error(
                "--plot draws one expression, given on the command line: \
                 deriv \"x*sin(x)\" --wrt x --plot out.svg"
                    .into(),
            ));
        }
        let path = match path.to_str() {
            Some("-") => None,
            _ => Some(path.clone()),
        };
        if let Some(path) = &path {
            let extension = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_lowercase);
            if extension.as_deref() != Some("svg") {
                let png = extension.as_deref() == Some("png");
                return Err(Error::Usage {
                    message: format!(
                        "--plot {}: {}",
                        path.display(),
                        if png {
                            "PNG is not supported, plots are written as SVG"
                        } else {
                            "plots are written as SVG, to a file named *.svg"
                        }
                    ),
                    help: Some(
                        "name the file FILE.svg, or write the SVG to standard output with \
                         --plot -"
                            .into(),
                    ),
                });
            }
        }
        let window = match &self.range {
            Some(text) => Some(Window::parse(text, "--range")?),
            None => None,
        };
        Ok(Some(Plot { path, window }))
    }
}

impl Plot {
    /// Whether the chart goes to standard output, in place of the results.
    pub(super) fn to_stdout(&self) -> bool {
        self.path.is_none()
    }

    /// Computes the chart of `texts` and writes it. A panic (a bug) becomes an internal
    /// error.
    pub(super) fn write(
        &self,
        pool: &mut Pool,
        request: &Request,
        texts: &[&str],
        out: &mut impl Write,
    ) -> Result<(), Error> {
        let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            figure(pool, request, texts, self.window.as_ref()).and_then(|chart| svg(&chart))
        }));
        let text = drawn.unwrap_or_else(|_| {
            Err(Error::Internal {
                message: "drawing the plot panicked".into(),
            })
        })?;
        match &self.path {
            Some(path) => std::fs::write(path, &text).map_err(|source| Error::Io {
                context: format!("cannot write the plot to {}", path.display()),
                source,
            }),
            // A closed pipe (`deriv … --plot - | head`) ends the output quietly, as for
            // results.
            None => match out.write_all(text.as_bytes()) {
                Err(source) if source.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Io {
                    context: "cannot write the plot".into(),
                    source,
                }),
                _ => Ok(()),
            },
        }
    }
}
