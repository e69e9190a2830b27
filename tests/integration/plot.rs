//! `--plot`: the SVG parses, its curves are the tape's values (read back from the pixels
//! through the chart's metadata), poles and undefined stretches are gaps, the tangent has
//! the derivative's slope; bad options are clear errors; the README's plot is what its
//! command draws.

use deriv::plot::{PALETTE, TANGENT_COLOR};
use deriv::program::Tape;
use deriv::{Pool, diff, parse};

use crate::common::command::{failure, run, run_with_stdin, stderr_of, stdout_of};

/// The SVG of `deriv ARGS --plot -`, which must succeed.
fn plot(args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend(["--plot", "-"]);
    let output = run(&all);
    assert!(output.status.success(), "{all:?}: {}", stderr_of(&output));
    stdout_of(&output)
}

/// Where the chart puts data: the ranges and the pixels of their ends.
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
    /// Pixels of `(x.0, y.0)` then of `(x.1, y.1)`.
    pixels: [f64; 4],
}

fn numbers(text: &str) -> Vec<f64> {
    text.split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect()
}

impl Frame {
    fn of(doc: &roxmltree::Document) -> Frame {
        let meta = doc
            .descendants()
            .find(|n| n.attribute("id") == Some("deriv-plot"))
            .expect("the plot's metadata");
        let pair = |name| {
            let v = numbers(meta.attribute(name).unwrap());
            (v[0], v[1])
        };
        let p = numbers(meta.attribute("data-pixels").unwrap());
        Frame {
            x: pair("data-x-range"),
            y: pair("data-y-range"),
            pixels: [p[0], p[1], p[2], p[3]],
        }
    }

    fn data(&self, px: f64, py: f64) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.pixels;
        (
            self.x.0 + (px - x0) / (x1 - x0) * (self.x.1 - self.x.0),
            self.y.0 + (py - y0) / (y1 - y0) * (self.y.1 - self.y.0),
        )
    }

    /// The (unrounded) vertical pixel of `y`.
    fn pixel_y(&self, y: f64) -> f64 {
        let [_, y0, _, y1] = self.pixels;
        y0 + (y - self.y.0) / (self.y.1 - self.y.0) * (y1 - y0)
    }

    /// The data width of one pixel.
    fn pixel_width(&self) -> f64 {
        (self.x.1 - self.x.0) / (self.pixels[2] - self.pixels[0])
    }
}

/// The polylines drawn in `color`, in data coordinates.
fn polylines(doc: &roxmltree::Document, frame: &Frame, color: &str) -> Vec<Vec<(f64, f64)>> {
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .filter(|n| {
            n.attribute("stroke")
                .is_some_and(|s| s.eq_ignore_ascii_case(color))
        })
        .map(|n| {
            let points = n.attribute("points").unwrap().split_whitespace();
            points
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    frame.data(x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

/// `text` (in x) and its derivatives up to `order`, compiled to one tape.
fn tape(text: &str, order: usize) -> Tape {
    let mut pool = Pool::new();
    let x = pool.symbol("x");
    let mut exprs = vec![parse(&mut pool, text).unwrap()];
    for k in 0..order {
        let next = diff(&mut pool, exprs[k], x);
        exprs.push(next);
    }
    Tape::compile_exprs(&pool, &exprs, &[x]).unwrap()
}

/// Every vertex of `curve` lies on the tape's output `k` to within the pixel rounding:
/// some point within a pixel left or right of the vertex is within 1.5 pixels of it.
fn assert_on_curve(frame: &Frame, tape: &Tape, k: usize, curve: &[Vec<(f64, f64)>]) {
    let mut checked = 0;
    for &(x, y) in curve.iter().flatten() {
        let py = frame.pixel_y(y);
        let near: Vec<f64> = (-4..=4)
            .map(|i| tape.eval(&[x + f64::from(i) / 4.0 * frame.pixel_width()])[k])
            .filter(|v| v.is_finite())
            .map(|v| frame.pixel_y(v))
            .collect();
        let lo = near.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = near.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert!(
            lo - 1.5 <= py && py <= hi + 1.5,
            "curve {k}: ({x}, {y}) is {py} px, the tape gives {lo}..{hi} px"
        );
        checked += 1;
    }
    assert!(checked > 100, "only {checked} points");
}

#[test]
fn the_svg_parses_and_has_a_title_a_legend_in_unicode_and_axes() {
    let svg = plot(&["x*sin(x)", "--wrt", "x", "--range", "x=-6..6"]);
    let doc = roxmltree::Document::parse(&svg).expect("the SVG is XML");
    assert!(doc.root_element().has_tag_name("svg"));
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().trim().to_string())
        .collect();
    for expected in [
        "x·sin(x)",
        "f = x·sin(x)",
        "f′ = x·cos(x) + sin(x)",
        "x",
        "-6",
        "6",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "no {expected:?} in {texts:?}"
        );
    }
    let frame = Frame::of(&doc);
    assert_eq!(frame.x, (-6.0, 6.0));
}

#[test]
fn the_curves_are_the_tapes_values() {
    let svg = plot(&["x*sin(x)", "--wrt", "x,x", "--range", "x=-6..6"]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let frame = Frame::of(&doc);
    let tape = tape("x*sin(x)", 2);
    for (k, color) in PALETTE.iter().take(3).enumerate() {
        let curve = polylines(&doc, &frame, color);
        assert_eq!(curve.len(), 1, "curve {k} is in one piece");
        assert_on_curve(&frame, &tape, k, &curve);
    }
}

#[test]
fn a_pole_is_a_gap_that_no_piece_crosses() {
    let svg = plot(&["tan(x)", "--range", "x=-3..3"]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let frame = Frame::of(&doc);
    let curve = polylines(&doc, &frame, PALETTE[0]);
    assert_eq!(curve.len(), 3, "three branches between the poles at ±π/2");
    let half_pi = std::f64::consts::FRAC_PI_2;
    for piece in &curve {
        let (first, last) = (piece[0].0, piece[piece.len() - 1].0);
        for pole in [-half_pi, half_pi] {
            assert!(
                !(first < pole && pole < last),
                "{first}..{last} crosses {pole}"
            );
        }
    }
    assert_on_curve(&frame, &tape("tan(x)", 0), 0, &curve);
    // The y-range is robust: the branches are not squashed flat by the values at the poles.
    assert!(frame.y.1 < 50.0 && frame.y.0 > -50.0, "{:?}", frame.y);
}

#[test]
fn a_curve_without_a_pole_is_shown_whole() {
    // f″ is -10 at 0 and small almost everywhere else: a range from quantiles alone would
    // cut its peak off.
    let svg = plot(&[
        "exp(-x^2/2)*cos(3*x)",
        "--wrt",
        "x,x",
        "--range",
        "x=-pi..pi",
    ]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let frame = Frame::of(&doc);
    assert_eq!(frame.x, (-std::f64::consts::PI, std::f64::consts::PI));
    assert!(frame.y.0 < -10.0 && frame.y.1 > 7.3, "{:?}", frame.y);
    let tape = tape("exp(-x^2/2)*cos(3*x)", 2);
    assert_on_curve(&frame, &tape, 2, &polylines(&doc, &frame, PALETTE[2]));
}

#[test]
fn nothing_is_drawn_where_the_function_is_undefined() {
    let svg = plot(&["ln(x)", "--range", "x=-2..2"]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let frame = Frame::of(&doc);
    let curve = polylines(&doc, &frame, PALETTE[0]);
    assert_eq!(curve.len(), 1);
    let (leftmost, y) = curve[0][0];
    assert!(leftmost > -frame.pixel_width(), "drawn at x = {leftmost}");
    // It comes down from x = 0+ and leaves the chart at the bottom.
    assert!(
        (frame.pixel_y(y) - frame.pixel_y(frame.y.0)).abs() < 1.0,
        "ends at {y}"
    );
    assert!((leftmost - frame.y.0.exp()).abs() < 2.0 * frame.pixel_width());
}

#[test]
fn the_tangent_has_the_derivatives_slope_at_the_marked_point() {
    let svg = plot(&[
        "x*sin(x)", "--wrt", "x", "--at", "x=1", "--range", "x=-6..6",
    ]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let frame = Frame::of(&doc);
    let line = polylines(&doc, &frame, TANGENT_COLOR);
    assert_eq!(line.len(), 1);
    let (a, b) = (line[0][0], line[0][line[0].len() - 1]);
    let slope = (b.1 - a.1) / (b.0 - a.0);
    let expected = 1f64.sin() + 1f64.cos();
    assert!(
        (slope - expected).abs() < 0.01 * expected,
        "{slope} vs {expected}"
    );
    let dot = doc
        .descendants()
        .find(|n| n.has_tag_name("circle"))
        .expect("the marked point");
    let number = |name| dot.attribute(name).unwrap().parse::<f64>().unwrap();
    let (x, y) = frame.data(number("cx"), number("cy"));
    let px = 1.0 / (frame.pixels[2] - frame.pixels[0]) * (frame.x.1 - frame.x.0);
    assert!((x - 1.0).abs() < 1.5 * px, "{x}");
    assert!(
        (frame.pixel_y(y) - frame.pixel_y(1f64.sin())).abs() < 1.5,
        "{y}"
    );
}

#[test]
fn under_a_constraint_the_constrained_function_is_plotted() {
    let svg = plot(&[
        "t*x", "--subst", "t=x^2", "--total", "--wrt", "x", "--range", "x=-2..2",
    ]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let frame = Frame::of(&doc);
    let tape = tape("x^3", 1);
    assert_on_curve(&frame, &tape, 0, &polylines(&doc, &frame, PALETTE[0]));
    assert_on_curve(&frame, &tape, 1, &polylines(&doc, &frame, PALETTE[1]));
}

#[test]
fn other_variables_are_fixed_by_at_or_def() {
    let svg = plot(&["x*y + a", "--wrt", "x", "--at", "y=2", "--def", "a=1"]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let frame = Frame::of(&doc);
    let curve = polylines(&doc, &frame, PALETTE[0]);
    assert_on_curve(&frame, &tape("2*x + 1", 0), 0, &curve);
}

#[test]
fn a_variable_left_free_is_named_in_the_error() {
    let stderr = failure(&["x*y*z", "--wrt", "x", "--plot", "-"], 2);
    assert!(stderr.contains("also depends on y, z"), "{stderr}");
    assert!(stderr.contains("--at y=1,z=1"), "{stderr}");
}

#[test]
fn a_malformed_range_is_shown_with_a_caret() {
    let stderr = failure(&["x^2", "--plot", "-", "--range", "x=-6:6"], 2);
    insta::assert_snapshot!(stderr, @r"
    error: missing `..` between the ends of the range
     --> --range:1:7
      |
    1 | x=-6:6
      |       ^
      = help: write VAR=LO..HI, for example x=-6..6
    ");
}

#[test]
fn an_empty_range_is_an_error() {
    let stderr = failure(&["x^2", "--plot", "-", "--range", "x=2..-2"], 2);
    insta::assert_snapshot!(stderr, @r"
    error: the range is empty: 2 is not less than -2
     --> --range:1:3
      |
    1 | x=2..-2
      |   ^^^^^
      = help: write the smaller end first, for example x=-6..6
    ");
}

#[test]
fn an_unwritable_file_is_an_io_error_and_nothing_is_printed() {
    let stderr = failure(
        &["x^2", "--wrt", "x", "--plot", "/nonexistent/dir/plot.svg"],
        2,
    );
    assert!(
        stderr.starts_with("error: cannot write the plot to /nonexistent/dir/plot.svg"),
        "{stderr}"
    );
}

#[test]
fn png_and_other_names_are_refused_with_a_pointer_to_svg() {
    let output = run(&["x^2", "--plot", "plot.png"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("PNG is not supported"), "{stderr}");
    assert!(stderr.contains("FILE.svg"), "{stderr}");
}

#[test]
fn a_plot_file_is_written_and_the_results_printed() {
    let dir = std::env::temp_dir().join(format!("deriv-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sine.svg");
    let output = run(&["sin(x)", "--wrt", "x", "--plot", path.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), "cos(x)\n");
    let svg = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    roxmltree::Document::parse(&svg).expect("the file is SVG");
}

#[test]
fn each_line_of_a_session_redraws_the_plot() {
    let dir = std::env::temp_dir().join(format!("deriv-repl-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("live.svg");
    let args = ["repl", "--wrt", "x", "--plot", path.to_str().unwrap()];
    let output = run_with_stdin(&args, b"x^2\nsin(x)\n");
    assert_eq!(
        stdout_of(&output),
        "2*x\ncos(x)\n",
        "{}",
        stderr_of(&output)
    );
    let svg = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(svg.contains("f′ = cos(x)"), "the last line's chart");
}

/// The command in the README's section on plots.
const README_COMMAND: &str =
    "deriv \"x*sin(x)\" --wrt x --at x=1 --range x=-6..6 --plot docs/plot-x-sin-x.svg";

#[test]
fn the_readmes_plot_is_what_its_command_draws() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains(README_COMMAND),
        "the README shows another command"
    );
    assert!(readme.contains("](docs/plot-x-sin-x.svg)"));
    let svg = plot(&[
        "x*sin(x)", "--wrt", "x", "--at", "x=1", "--range", "x=-6..6",
    ]);
    let committed = std::fs::read_to_string("docs/plot-x-sin-x.svg").unwrap();
    assert!(
        svg == committed,
        "docs/plot-x-sin-x.svg is out of date: run {README_COMMAND}"
    );
}
