//! A [`Figure`] drawn as SVG with plotters: title, axes with their ranges, grid, legend,
//! the curves, the tangent and its point.

use plotters::prelude::*;

use super::Figure;
use super::scale::shown;
use crate::error::Error;

/// The chart's width in pixels.
pub const WIDTH: u32 = 800;

/// The chart's height in pixels.
pub const HEIGHT: u32 = 560;

/// The curves' colours, in order (`#rrggbb`): the function, then each derivative; they
/// repeat after the last.
pub const PALETTE: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
];

/// The colour of the tangent line and its point.
pub const TANGENT_COLOR: &str = "#333333";

/// The figure as an SVG document of [`WIDTH`] × [`HEIGHT`] pixels. Its `<metadata
/// id="deriv-plot">` element maps data to pixels: `data-x-range` and `data-y-range` are
/// the ranges, `data-pixels` the pixel positions `x y` of their low ends and `x y` of
/// their high ends (a page can turn a pointer's position back into data).
///
/// An error is a failure of the drawing library (a bug, not bad input).
pub fn svg(figure: &Figure) -> Result<String, Error> {
    let mut text = String::new();
    let pixels = draw(figure, &mut text).map_err(|error| Error::Internal {
        message: format!("drawing the plot failed: {error}"),
    })?;
    let metadata = format!(
        "<metadata id=\"deriv-plot\" data-x-range=\"{} {}\" data-y-range=\"{} {}\" \
         data-pixels=\"{} {} {} {}\"/>\n",
        figure.x_range.0,
        figure.x_range.1,
        figure.y_range.0,
        figure.y_range.1,
        pixels.0.0,
        pixels.0.1,
        pixels.1.0,
        pixels.1.1,
    );
    // After the opening `<svg …>` tag, which plotters ends with a newline.
    let at = text.find(">\n").map_or(text.len(), |i| i + 2);
    text.insert_str(at, &metadata);
    Ok(text)
}

/// A colour of [`PALETTE`] as plotters takes it.
fn rgb(hex: &str) -> RGBColor {
    let channel = |k: usize| u8::from_str_radix(&hex[1 + 2 * k..3 + 2 * k], 16).unwrap_or(0);
    RGBColor(channel(0), channel(1), channel(2))
}

type Drawn = Result<((i32, i32), (i32, i32)), Box<dyn std::error::Error>>;

/// Draws the figure into `text`; returns the pixels of the ranges' low and high ends.
fn draw(figure: &Figure, text: &mut String) -> Drawn {
    let root = SVGBackend::with_string(text, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let (x0, x1) = figure.x_range;
    let (y0, y1) = figure.y_range;
    let mut chart = ChartBuilder::on(&root)
        .caption(&figure.title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(figure.var.as_str())
        .axis_desc_style(("sans-serif", 16))
        .label_style(("sans-serif", 14))
        .x_label_formatter(&|x| shown(*x))
        .y_label_formatter(&|y| shown(*y))
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;
    // The lines x = 0 and y = 0, where they are in range.
    let axis = RGBColor(150, 150, 150).stroke_width(1);
    if y0 < 0.0 && 0.0 < y1 {
        chart.draw_series([PathElement::new([(x0, 0.0), (x1, 0.0)], axis)])?;
    }
    if x0 < 0.0 && 0.0 < x1 {
        chart.draw_series([PathElement::new([(0.0, y0), (0.0, y1)], axis)])?;
    }
    for (k, curve) in figure.curves.iter().enumerate() {
        let color = rgb(PALETTE[k % PALETTE.len()]);
        let style = color.stroke_width(2);
        chart
            .draw_series((curve.pieces.iter()).map(|piece| PathElement::new(piece.clone(), style)))?
            .label(curve.label.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 2), (x + 18, y + 2)], color.filled()));
    }
    if let Some(tangent) = &figure.tangent {
        let color = rgb(TANGENT_COLOR);
        let style = color.stroke_width(1);
        chart
            .draw_series(
                (tangent.pieces.iter()).map(|piece| PathElement::new(piece.clone(), style)),
            )?
            .label(tangent.label.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 1), (x + 18, y + 1)], color.filled()));
        chart.draw_series([Circle::new(tangent.point, 5, color.filled())])?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .label_font(("sans-serif", 15))
        .draw()?;
    let low = chart.backend_coord(&(x0, y0));
    let high = chart.backend_coord(&(x1, y1));
    root.present()?;
    Ok((low, high))
}
