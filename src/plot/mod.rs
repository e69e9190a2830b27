//! Charts of a function and its derivatives: the curves sampled from the compiled tape
//! (gaps where they are undefined or jump, refined where they bend), a robust y-range, the
//! tangent at a point; then drawn as SVG.
//!
//! Data in, SVG out: [`figure`] computes a [`Figure`] (every polyline in data
//! coordinates, already clipped to the chart's ranges) from a [`Request`](crate::request::Request)
//! and an expression; [`svg`] draws it (with the `plot` feature, which the command line's
//! `cli` feature turns on). The files: `window` (`--range x=LO..HI`), `sample` (adaptive
//! sampling), `scale` (the y-range and clipping), `build` (the figure from a request) and
//! `svg` (the drawing).
//!
//! ```
//! use deriv::Pool;
//! use deriv::plot::{Window, figure};
//! use deriv::request::Request;
//!
//! let mut pool = Pool::new();
//! let request = Request {
//!     wrt: vec!["x".into()],
//!     max_depth: deriv::DEFAULT_MAX_DEPTH,
//!     ..Request::default()
//! };
//! let window = Window::parse("x=-6..6", "--range").unwrap();
//! let chart = figure(&mut pool, &request, &["x*sin(x)"], Some(&window)).unwrap();
//! assert_eq!(chart.curves[1].label, "f′ = x·cos(x) + sin(x)");
//! # #[cfg(feature = "plot")]
//! assert!(deriv::plot::svg(&chart).unwrap().starts_with("<svg"));
//! ```

mod build;
mod sample;
mod scale;
#[cfg(feature = "plot")]
mod svg;
mod window;

pub use build::figure;
pub use scale::{clip, value_range, y_range};
#[cfg(feature = "plot")]
pub use svg::{HEIGHT, PALETTE, TANGENT_COLOR, WIDTH, svg};
pub use window::{DEFAULT_WINDOW, Window};

/// A chart ready to draw: everything in data coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The title: the function, its constraints and the values fixed.
    pub title: String,
    /// The variable along the horizontal axis.
    pub var: String,
    /// The horizontal range.
    pub x_range: (f64, f64),
    /// The vertical range: every curve whole, but a pole's spike cut (see
    /// [`value_range`]).
    pub y_range: (f64, f64),
    /// The function first, then its derivatives in order.
    pub curves: Vec<Curve>,
    /// The point of `--at` and the tangent there.
    pub tangent: Option<Tangent>,
}

/// One function's curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// The legend's text: `f′ = x·cos(x) + sin(x)` (the formula left out when long).
    pub label: String,
    /// The visible polylines, in order of `x`: a gap between two is a place where the
    /// function is undefined, jumps, or leaves the vertical range.
    pub pieces: Vec<Vec<(f64, f64)>>,
}

/// The tangent line of the function at a point.
#[derive(Clone, Debug, PartialEq)]
pub struct Tangent {
    /// The legend's text: `tangent at x = π/4`.
    pub label: String,
    /// The point `(a, f(a))`.
    pub point: (f64, f64),
    /// `f′(a)`.
    pub slope: f64,
    /// The visible part of the line, clipped like the curves.
    pub pieces: Vec<Vec<(f64, f64)>>,
}
