//! The visible values of a chart: each curve's values whole, or for a curve with a pole
//! without its spike (chosen from quantiles, so that the spike does not flatten the rest);
//! and the curves clipped to the chart's range.

/// The values of one curve to show (NaN and infinities ignored), `None` if there are
/// none. All of them, unless the curve has a pole: then from the 10% and 90% quantiles
/// `q1`, `q9`, the values within `q9 - q1` beyond them, the rest (the spike) cut.
pub fn value_range(values: &[f64], pole: bool) -> Option<(f64, f64)> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|y| y.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let (&first, &last) = sorted.first().zip(sorted.last())?;
    if !pole {
        return Some((first, last));
    }
    let quantile = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    let (q1, q9) = (quantile(0.1), quantile(0.9));
    let spread = q9 - q1;
    let fence = (q1 - spread, q9 + spread);
    let lo = sorted.iter().copied().find(|&y| y >= fence.0);
    let hi = sorted.iter().rev().copied().find(|&y| y <= fence.1);
    Some((lo.unwrap_or(first), hi.unwrap_or(last)))
}

/// The chart's y-range: the smallest holding every range of `ranges`, with 5% added on
/// each side. A flat range gets a height of at least 2 around its value, and no range
/// at all is -1..1.
pub fn y_range(ranges: impl IntoIterator<Item = (f64, f64)>) -> (f64, f64) {
    let Some((lo, hi)) = ranges
        .into_iter()
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
    else {
        return (-1.0, 1.0);
    };
    let height = hi - lo;
    if height <= 1e-9 * lo.abs().max(hi.abs()).max(1e-300) {
        let middle = 0.5 * (lo + hi);
        let half = (middle.abs() * 0.1).max(1.0);
        return (middle - half, middle + half);
    }
    (lo - 0.05 * height, hi + 0.05 * height)
}

/// A number as the axes and messages show it: at most six decimals, trailing zeros cut
/// (`-6`, `0.25`), and very large or small numbers with an exponent (`1.5e9`).
pub(super) fn shown(value: f64) -> String {
    let magnitude = value.abs();
    let trim = |text: &str| text.trim_end_matches('0').trim_end_matches('.').to_string();
    if value == 0.0 {
        "0".into()
    } else if (1e-4..1e9).contains(&magnitude) {
        let text = trim(&format!("{value:.6}"));
        if text == "-0" { "0".into() } else { text }
    } else {
        let text = format!("{value:.4e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        format!("{}e{exponent}", trim(mantissa))
    }
}

/// The parts of a polyline with `lo ≤ y ≤ hi`: where it leaves the range it is cut at the
/// edge, and each stretch inside becomes its own polyline (of at least two points).
pub fn clip(points: &[(f64, f64)], lo: f64, hi: f64) -> Vec<Vec<(f64, f64)>> {
    let mut pieces = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for pair in points.windows(2) {
        let Some((start, end)) = clip_segment(pair[0], pair[1], lo, hi) else {
            continue;
        };
        if current.last() != Some(&start) {
            if current.len() >= 2 {
                pieces.push(std::mem::take(&mut current));
            }
            current.clear();
            current.push(start);
        }
        current.push(end);
    }
    if current.len() >= 2 {
        pieces.push(current);
    }
    pieces
}

/// The part of the segment `p`–`q` with `lo ≤ y ≤ hi`, if it is more than a point. An end
/// inside the range is returned as it is, so that consecutive segments still meet.
fn clip_segment(
    p: (f64, f64),
    q: (f64, f64),
    lo: f64,
    hi: f64,
) -> Option<((f64, f64), (f64, f64))> {
    let inside = |y: f64| lo <= y && y <= hi;
    let dy = q.1 - p.1;
    if dy == 0.0 {
        return inside(p.1).then_some((p, q));
    }
    let (t_lo, t_hi) = ((lo - p.1) / dy, (hi - p.1) / dy);
    let (t0, t1) = (t_lo.min(t_hi).max(0.0), t_lo.max(t_hi).min(1.0));
    if t0 >= t1 {
        return None;
    }
    let at = |t: f64, y_edge: f64| (p.0 + t * (q.0 - p.0), y_edge);
    let edge = |t: f64| if t == t_lo { lo } else { hi };
    let start = if t0 == 0.0 { p } else { at(t0, edge(t0)) };
    let end = if t1 == 1.0 { q } else { at(t1, edge(t1)) };
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(lo: f64, hi: f64, f: fn(f64) -> f64) -> Vec<f64> {
        (0..=512)
            .map(|i| f(lo + (hi - lo) * f64::from(i) / 512.0))
            .collect()
    }

    #[test]
    fn a_curve_without_a_pole_is_shown_whole() {
        // Most of the values are near 0, the peak at 0 is -10: all of it is shown.
        let values = grid(-3.0, 3.0, |x| -10.0 * (-x * x * 20.0).exp());
        let (lo, hi) = value_range(&values, false).unwrap();
        assert_eq!((lo, hi), (-10.0, values[0].max(values[512])));
    }

    #[test]
    fn the_spike_at_a_pole_is_cut() {
        // 1/x on a grid that comes within 1/256 of the pole: values up to 256.
        let values = grid(-1.0 - 1.0 / 512.0, 1.0 - 1.0 / 512.0, |x| 1.0 / x);
        let (lo, hi) = value_range(&values, true).unwrap();
        assert!(
            -30.0 < lo && lo < -1.0 && 1.0 < hi && hi < 30.0,
            "{lo}..{hi}"
        );
    }

    #[test]
    fn the_y_range_holds_every_curve_with_a_margin() {
        assert_eq!(y_range([(0.0, 8.0), (-2.0, 1.0)]), (-2.5, 8.5));
        assert_eq!(
            value_range(&[f64::NAN, 3.0, f64::INFINITY, 3.0], true),
            Some((3.0, 3.0))
        );
        assert_eq!(y_range([(3.0, 3.0)]), (2.0, 4.0));
        assert_eq!(value_range(&[f64::NAN], false), None);
        assert_eq!(y_range([]), (-1.0, 1.0));
    }

    #[test]
    fn numbers_are_shown_short() {
        let cases = [
            (-6.0, "-6"),
            (0.25, "0.25"),
            (1e-7, "1e-7"),
            (-1.5e12, "-1.5e12"),
        ];
        for (value, text) in cases {
            assert_eq!(shown(value), text);
        }
        assert_eq!(shown(1e-9 - 1e-9), "0");
    }

    #[test]
    fn clipping_cuts_a_polyline_at_the_edges_into_pieces() {
        let line = [(0.0, 0.0), (1.0, 2.0), (2.0, 0.0), (3.0, 0.5)];
        let pieces = clip(&line, -1.0, 1.0);
        assert_eq!(
            pieces,
            vec![
                vec![(0.0, 0.0), (0.5, 1.0)],
                vec![(1.5, 1.0), (2.0, 0.0), (3.0, 0.5)]
            ]
        );
        assert!(clip(&[(0.0, 2.0), (1.0, 3.0)], -1.0, 1.0).is_empty());
    }
}
