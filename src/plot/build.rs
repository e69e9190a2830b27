//! The figure of one input under a request: which variable goes along the axis, the
//! function (constrained by `--subst`) and the derivatives the request asks for, computed
//! with the other variables fixed (`--at`, `--def`), sampled from one compiled tape.

use super::sample::{grid, has_pole, refine};
use super::scale::{clip, shown, value_range, y_range};
use super::window::{DEFAULT_WINDOW, Window};
use super::{Curve, Figure, Tangent};
use std::cell::Cell;

use crate::error::{Error, Limit};
use crate::expr::subst::free_symbols;
use crate::expr::{ExprId, Pool, eval_constant};
use crate::parse::{ParseOptions, parse_with};
use crate::print::{Notation, Printer, Style};
use crate::program::Tape;
use crate::request::label::{label_text, name};
use crate::request::{Assignment, Label, Mode, Request};

/// A legend's formula longer than this many characters is left out.
const MAX_FORMULA: usize = 48;

/// A title longer than this many characters is cut.
const MAX_TITLE: usize = 90;

/// The chart of the input `texts` under `request`: the function and each derivative the
/// request asks for (`--wrt x,x`: `f`, `f′`, `f″`) against one variable, over `window`
/// (by default [`DEFAULT_WINDOW`], moved to hold the tangent point).
///
/// The variable is the `--wrt` variable, else the window's, else the one variable of the
/// function that `--at` leaves free. `--at` at that variable is the tangent point; at
/// the others, it fixes them. Usage errors: derivatives in several variables, a window in
/// another variable, a tangent point outside the window or not a number, and variables
/// left free (the error names them).
pub fn figure(
    pool: &mut Pool,
    request: &Request,
    texts: &[&str],
    window: Option<&Window>,
) -> Result<Figure, Error> {
    let var = plotted_variable(pool, request, texts, window)?;
    let (point, fixed): (Vec<&Assignment>, Vec<&Assignment>) =
        request.at.iter().partition(|a| a.var == var);
    let fixed: Vec<Assignment> = fixed.into_iter().cloned().collect();
    let order = request.wrt.len();
    // The tangent needs f′ even when no derivative is drawn.
    let computed = order.max(usize::from(!point.is_empty()));
    let mut values = Vec::with_capacity(computed + 1);
    let mut input = ExprId::ZERO;
    for k in 0..=computed {
        let (value, first) = derivative(pool, request, texts, &var, k, &fixed)?;
        values.push(value);
        if k == 0 {
            input = first;
        }
    }
    let symbol = pool.symbol(&var);
    let mut free: Vec<String> = Vec::new();
    for &value in &values {
        for s in free_symbols(pool, value) {
            let other = pool.symbol_name(s);
            if s != symbol && !free.iter().any(|f| f == other) {
                free.push(other.to_string());
            }
        }
    }
    if !free.is_empty() {
        free.sort();
        return Err(Error::Usage {
            message: format!(
                "the plot is against {var}, but {} also depends on {}: fix {} with --at or --def",
                request.function_name(),
                free.join(", "),
                if free.len() == 1 { "it" } else { "them" },
            ),
            help: Some(format!(
                "for example --at {}",
                free.iter()
                    .map(|v| format!("{v}=1"))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
        });
    }
    let tape = Tape::compile_exprs(pool, &values, &[symbol]).map_err(|error| Error::Usage {
        message: format!("cannot plot {}: {error}", request.function_name()),
        help: None,
    })?;
    let tangent_point = match point.first() {
        Some(assignment) => Some(tangent_point(pool, assignment)?),
        None => None,
    };
    let pool: &Pool = pool;
    let mut scratch = tape.scratch();
    let mut out = vec![0.0; values.len()];
    // The time limit (`--timeout`) holds for the sampling too: checked now and then,
    // and once passed every value is NaN, so that the sampling ends at once.
    let (evaluations, late) = (Cell::new(0u32), Cell::new(false));
    let mut at = |x: f64, k: usize| {
        evaluations.set(evaluations.get().wrapping_add(1));
        if evaluations.get() % 256 == 0 && pool.past_deadline() {
            late.set(true);
        }
        if late.get() {
            return f64::NAN;
        }
        tape.eval_into(&[x], &mut scratch, &mut out);
        out[k]
    };
    let (lo, hi) = match (window, &tangent_point) {
        (Some(window), Some((a, _))) if !(window.lo..=window.hi).contains(a) => {
            return Err(Error::Usage {
                message: format!(
                    "the point {var}={} of --at is outside the plotted range {}..{}",
                    shown(*a),
                    shown(window.lo),
                    shown(window.hi)
                ),
                help: Some("widen --range to hold the point".into()),
            });
        }
        (Some(window), _) => (window.lo, window.hi),
        (None, Some((a, _))) if !(DEFAULT_WINDOW.0..=DEFAULT_WINDOW.1).contains(a) => {
            (a + DEFAULT_WINDOW.0, a + DEFAULT_WINDOW.1)
        }
        (None, _) => DEFAULT_WINDOW,
    };
    let tangent = match tangent_point {
        Some((a, point_text)) => {
            let (y, slope) = (at(a, 0), at(a, 1));
            if !y.is_finite() || !slope.is_finite() {
                return Err(Error::Undefined {
                    reason: format!(
                        "{} has no tangent at {var}={point_text}: it or its derivative is undefined \
                         there",
                        request.function_name()
                    ),
                    span: None,
                });
            }
            Some((a, y, slope, point_text))
        }
        None => None,
    };
    let xs = grid(lo, hi);
    let curves = order + 1;
    let mut sampled: Vec<Vec<f64>> = vec![Vec::with_capacity(xs.len()); curves];
    for &x in &xs {
        for (k, ys) in sampled.iter_mut().enumerate() {
            ys.push(at(x, k));
        }
    }
    // Curves without a pole are shown whole; those with one share one range, their
    // spikes cut (a tan(x) and its sec(x)^2 are seen at one scale).
    let mut ranges = Vec::with_capacity(curves + 2);
    let mut with_poles = Vec::new();
    for (k, ys) in sampled.iter().enumerate() {
        if has_pole(&mut |x| at(x, k), &xs, ys) {
            with_poles.extend_from_slice(ys);
        } else {
            ranges.extend(value_range(ys, false));
        }
    }
    ranges.extend(value_range(&with_poles, true));
    ranges.extend(tangent.as_ref().map(|t| (t.1, t.1)));
    let view = y_range(ranges);
    let mut drawn = Vec::with_capacity(curves);
    for (k, ys) in sampled.iter().enumerate() {
        let pieces = refine(&mut |x| at(x, k), &xs, ys, view);
        let pieces = pieces
            .iter()
            .flat_map(|piece| clip(piece, view.0, view.1))
            .collect();
        drawn.push(Curve {
            label: legend(pool, request, &var, k, values[k]),
            pieces,
        });
    }
    if late.get() {
        return Err(Error::limit(
            Limit::Time,
            "the time limit was reached while sampling the plot".into(),
            None,
        ));
    }
    if tangent.is_none() && drawn.iter().all(|curve| curve.pieces.is_empty()) {
        return Err(Error::Undefined {
            reason: format!(
                "nothing to draw: {} is undefined (or not real) everywhere on {var}={}..{}",
                request.function_name(),
                shown(lo),
                shown(hi)
            ),
            span: None,
        });
    }
    let tangent = tangent.map(|(a, y, slope, point_text)| {
        let line = [(lo, y + slope * (lo - a)), (hi, y + slope * (hi - a))];
        Tangent {
            label: format!("tangent at {} = {point_text}", name(&var, Style::Unicode)),
            point: (a, y),
            slope,
            pieces: clip(&line, view.0, view.1),
        }
    });
    Ok(Figure {
        title: title(pool, request, input, &fixed),
        var,
        x_range: (lo, hi),
        y_range: view,
        curves: drawn,
        tangent,
    })
}

/// The variable along the axis (see [`figure`]).
fn plotted_variable(
    pool: &mut Pool,
    request: &Request,
    texts: &[&str],
    window: Option<&Window>,
) -> Result<String, Error> {
    if let Some(first) = request.wrt.first() {
        if let Some(other) = request.wrt.iter().find(|v| *v != first) {
            return Err(Error::Usage {
                message: format!(
                    "a plot shows derivatives in one variable, but --wrt names {first} and \
                     {other}"
                ),
                help: Some(format!("plot in one variable: --wrt {first},{first}")),
            });
        }
        if let Some(window) = window.filter(|w| w.var != *first) {
            return Err(Error::Usage {
                message: format!(
                    "--range {}: the plot is against {first}, the --wrt variable",
                    window.var
                ),
                help: Some(format!(
                    "give the range of {first}: --range {first}=-10..10"
                )),
            });
        }
        return Ok(first.clone());
    }
    if let Some(window) = window {
        return Ok(window.var.clone());
    }
    let (f, _) = derivative(pool, request, texts, "", 0, &[])?;
    let free: Vec<String> = free_symbols(pool, f)
        .into_iter()
        .map(|s| pool.symbol_name(s).to_string())
        .collect();
    let unfixed: Vec<&String> = free
        .iter()
        .filter(|v| !request.at.iter().any(|a| a.var == **v))
        .collect();
    match (&unfixed[..], &free[..]) {
        ([var], _) => Ok((*var).clone()),
        ([], [var]) => Ok(var.clone()),
        ([], []) => Ok("x".into()),
        _ => {
            let names = if unfixed.is_empty() {
                free.join(", ")
            } else {
                unfixed
                    .iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            Err(Error::Usage {
                message: format!(
                    "which variable goes along the axis? {} depends on {names}",
                    request.function_name()
                ),
                help: Some(
                    "name it with --wrt or --range (--range x=-10..10), and fix the others \
                     with --at"
                        .into(),
                ),
            })
        }
    }
}

/// The derivative of order `order` in `var` (the function itself for 0) with `at`
/// substituted, written out (`--inline`); and the parsed input.
fn derivative(
    pool: &mut Pool,
    request: &Request,
    texts: &[&str],
    var: &str,
    order: usize,
    at: &[Assignment],
) -> Result<(ExprId, ExprId), Error> {
    let request = Request {
        mode: Mode::Derivative,
        wrt: vec![var.to_string(); order],
        // Order 0 is the function under the constraints: no variable, nothing to infer.
        total: request.total && order > 0,
        at: at.to_vec(),
        implicit: None,
        numeric: false,
        steps: false,
        verify: false,
        cse: false,
        inline: true,
        params: Vec::new(),
        sgd: None,
        emit: None,
        forms: false,
        ..request.clone()
    };
    let outcome = request.run(pool, texts)?;
    let value = outcome.lines.first().map_or(ExprId::UNDEFINED, |l| l.value);
    let input = outcome.inputs.first().copied().unwrap_or(value);
    Ok((value, input))
}

/// The value of the tangent point's expression, and the expression as the legend shows
/// it.
fn tangent_point(pool: &mut Pool, assignment: &Assignment) -> Result<(f64, String), Error> {
    let options = ParseOptions::default();
    let parsed = parse_with(pool, &assignment.expr, &options).map_err(|error| Error::Option {
        error: Box::new(error.shifted(assignment.offset)),
        text: assignment.text.clone(),
        option: assignment.option,
        malformed: false,
    })?;
    match eval_constant(pool, parsed) {
        Some(value) if value.is_finite() => {
            let text = Printer::new(pool, parsed).style(Style::Unicode).to_string();
            Ok((value, text))
        }
        _ => Err(Error::Usage {
            message: format!(
                "--at {}: the point of the tangent must be a number",
                assignment.text.trim()
            ),
            help: None,
        }),
    }
}

/// `f′ = x·cos(x) + sin(x)`: the derivative's name in prime notation, and its formula
/// unless long.
fn legend(pool: &Pool, request: &Request, var: &str, order: usize, value: ExprId) -> String {
    let of = request.function_name();
    let label = if order == 0 {
        name(of, Style::Unicode)
    } else {
        let label = Label::Derivative {
            of: of.to_string(),
            vars: vec![var.to_string(); order],
            total: request.total,
            constrained: None,
        };
        label_text(&label, Style::Unicode, Notation::Prime)
    };
    let formula = Printer::new(pool, value).style(Style::Unicode).to_string();
    if formula.chars().count() <= MAX_FORMULA {
        format!("{label} = {formula}")
    } else {
        label
    }
}

/// The input in Unicode, then the constraints and the values fixed: `t·x·y with t=x at y=2`.
fn title(pool: &Pool, request: &Request, input: ExprId, fixed: &[Assignment]) -> String {
    let mut title = Printer::new(pool, input).style(Style::Unicode).to_string();
    for (word, list) in [(" with ", &request.subst[..]), (" at ", fixed)] {
        if !list.is_empty() {
            let texts: Vec<String> = list
                .iter()
                .map(|a| format!("{}={}", a.var, a.expr.trim()))
                .collect();
            title.push_str(word);
            title.push_str(&texts.join(", "));
        }
    }
    if title.chars().count() > MAX_TITLE {
        title = title.chars().take(MAX_TITLE - 1).collect::<String>() + "…";
    }
    title
}
