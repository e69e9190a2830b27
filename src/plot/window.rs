//! The window of a chart along its variable: `--range x=-6..6`, with expressions for its
//! ends (`x=-pi..2*pi`).

use super::scale::shown;
use crate::error::{Error, Span};
use crate::expr::{Pool, eval_constant};
use crate::parse::{ParseOptions, parse_with};
use crate::request::parse_assignment;

/// The window used when none is given.
pub const DEFAULT_WINDOW: (f64, f64) = (-10.0, 10.0);

/// A variable and the interval of its values to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// The variable along the horizontal axis.
    pub var: String,
    /// The left end.
    pub lo: f64,
    /// The right end, greater than `lo`.
    pub hi: f64,
}

impl Window {
    /// Reads `VAR=LO..HI`, `LO` and `HI` constant expressions with `LO < HI`. Errors are
    /// placed in `text`, as an option's are ([`Error::Option`] of `option`).
    ///
    /// ```
    /// use deriv::plot::Window;
    /// let window = Window::parse("x=-pi..pi", "--range").unwrap();
    /// assert_eq!((window.var.as_str(), window.hi), ("x", std::f64::consts::PI));
    /// assert!(Window::parse("x=1..-1", "--range").is_err());
    /// ```
    pub fn parse(text: &str, option: &'static str) -> Result<Window, Error> {
        let fail = |message: String, span: Span, help: &str| {
            Error::malformed_option(option, text, message, span, help.to_string())
        };
        let usage = "write VAR=LO..HI, for example x=-6..6";
        // `VAR=` is read as any option's assignment; the help shows a range.
        let assignment =
            parse_assignment(text, text, 0, option).map_err(|error| error.with_help(usage))?;
        let (var, rest, eq) = (
            assignment.var,
            assignment.expr.as_str(),
            assignment.offset - 1,
        );
        let Some(dots) = rest.find("..") else {
            return Err(fail(
                "missing `..` between the ends of the range".into(),
                Span::new(text.len(), text.len()),
                usage,
            ));
        };
        let ends = [
            (eq + 1, &rest[..dots]),
            (eq + 1 + dots + 2, &rest[dots + 2..]),
        ];
        let mut values = [0.0; 2];
        let mut pool = Pool::new();
        for (value, (start, end_text)) in values.iter_mut().zip(ends) {
            let end = start + end_text.len();
            if end_text.trim().is_empty() {
                return Err(fail(
                    "missing end of the range".into(),
                    Span::new(start, end),
                    usage,
                ));
            }
            let parsed =
                parse_with(&mut pool, end_text, &ParseOptions::default()).map_err(|error| {
                    Error::Option {
                        error: Box::new(error.shifted(start)),
                        text: text.to_string(),
                        option,
                        malformed: false,
                    }
                })?;
            *value = match eval_constant(&pool, parsed) {
                Some(v) if v.is_finite() => v,
                _ => {
                    return Err(fail(
                        format!("`{}` is not a finite number", end_text.trim()),
                        Span::new(start, end),
                        "the ends of the range are numbers or constant expressions (pi/2)",
                    ));
                }
            };
        }
        let [lo, hi] = values;
        let span = Span::new(eq + 1, text.len());
        if lo >= hi {
            return Err(fail(
                format!(
                    "the range is empty: {} is not less than {}",
                    shown(lo),
                    shown(hi)
                ),
                span,
                "write the smaller end first, for example x=-6..6",
            ));
        }
        // A pixel must be more than a rounding error apart from the next.
        if !(hi - lo).is_finite() || hi - lo <= 1e-9 * lo.abs().max(hi.abs()) {
            return Err(fail(
                "the range is too wide or too narrow to draw in floating point".into(),
                span,
                "choose ends that differ by less than 1e308 and by more than a billionth of \
                 their size",
            ));
        }
        Ok(Window { var, lo, hi })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_are_constant_expressions() {
        let window = Window::parse("t = -pi/2 .. 1.5", "--range").unwrap();
        assert_eq!(window.var, "t");
        assert_eq!((window.lo, window.hi), (-std::f64::consts::FRAC_PI_2, 1.5));
    }

    #[test]
    fn a_range_floating_point_cannot_draw_is_refused() {
        for text in ["x=-1e308..1e308", "x=1e15..1e15+1", "x=0..y", "x=0..1/0"] {
            assert!(Window::parse(text, "--range").is_err(), "{text}");
        }
    }
}
