//! Adaptive sampling of one curve: a uniform grid, refined where the curve bends, jumps
//! or meets the edge of its domain, with a gap wherever it is undefined or jumps.

/// Intervals of the first, uniform grid.
pub(super) const GRID: usize = 512;

/// How many times a grid interval may be halved: down to `1/(512·1024)` of the window.
const MAX_DEPTH: u32 = 10;

/// Evaluations allowed per curve beyond the grid, so that a curve that oscillates without
/// end (`sin(1/x)`) costs a bounded time and a bounded SVG.
const BUDGET: usize = 40_000;

/// The `GRID + 1` evenly spaced points of `lo..=hi`.
pub(super) fn grid(lo: f64, hi: f64) -> Vec<f64> {
    (0..=GRID)
        .map(|i| lo + (hi - lo) * i as f64 / GRID as f64)
        .collect()
}

/// Samples `f` on `xs` (a grid from [`grid`], whose values `ys` are already known) and
/// refines it for a chart whose visible values are `view`: an interval is halved while
/// its midpoint is further than `view`'s height / 1000 from the chord (a bend), while one
/// end is defined and the other is not (the edge of the domain), or while a jump is not
/// yet narrowed down. Undefined values (NaN, infinities) are gaps, and so is a jump of
/// more than 1/20 of the height across the narrowest interval: a pole or a step. Returns
/// the curve's pieces, each a polyline of at least two points, in order of `x`.
pub(super) fn refine(
    f: &mut dyn FnMut(f64) -> f64,
    xs: &[f64],
    ys: &[f64],
    view: (f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    let height = view.1 - view.0;
    let mut sampler = Sampler {
        f,
        tolerance: height / 1000.0,
        jump: height / 20.0,
        view,
        budget: BUDGET,
        points: Vec::new(),
    };
    let ys: Vec<f64> = ys.iter().map(|&y| defined(y)).collect();
    if let (Some(&x), Some(&y)) = (xs.first(), ys.first()) {
        sampler.points.push((x, y));
    }
    for k in 1..xs.len() {
        sampler.halve(xs[k - 1], ys[k - 1], xs[k], ys[k], 0);
        sampler.points.push((xs[k], ys[k]));
    }
    pieces(&sampler.points)
}

/// Whether the curve sampled as `ys` at `xs` has a pole: near some local extreme of
/// `|f|` on the grid, a search for the largest `|f|` finds values that keep growing as it
/// closes in (more than tenfold while its interval shrinks 400-fold, or up to an
/// overflow), which a bounded
/// peak does not do (nor a slow singularity such as `ln(x)` at 0).
pub(super) fn has_pole(f: &mut dyn FnMut(f64) -> f64, xs: &[f64], ys: &[f64]) -> bool {
    // An infinity (an overflow, `1/0`) is the largest size of all.
    let size = |y: f64| y.abs();
    let at = |i: usize| ys.get(i).copied().map_or(f64::NAN, size);
    (0..xs.len()).any(|i| {
        let (left, here, right) = (i.checked_sub(1).map_or(f64::NAN, at), at(i), at(i + 1));
        // NaN neighbours (a gap, the domain's edge, the window's) do not count against an
        // extreme.
        let not_above = |neighbour: f64| neighbour.is_nan() || neighbour <= here;
        let extreme = here > 0.0 && not_above(left) && not_above(right);
        let (a, b) = (xs[i.saturating_sub(1)], xs[(i + 1).min(xs.len() - 1)]);
        extreme && (here.is_infinite() || grows_without_bound(f, a, b, &size))
    })
}

/// Closes in on the largest `|f|` in `a..b` by ternary search; whether `|f|` grew more
/// than tenfold over the last 15 of 30 steps.
fn grows_without_bound(
    f: &mut dyn FnMut(f64) -> f64,
    mut a: f64,
    mut b: f64,
    size: &dyn Fn(f64) -> f64,
) -> bool {
    let mut halfway = f64::NAN;
    let mut best = f64::NAN;
    for step in 0..30 {
        let (m1, m2) = (a + (b - a) / 3.0, b - (b - a) / 3.0);
        let (f1, f2) = (size(f(m1)), size(f(m2)));
        // Toward the larger value; an undefined one counts as smaller.
        if f1 > f2 || f2.is_nan() {
            b = m2;
            best = f1;
        } else {
            a = m1;
            best = f2;
        }
        if step == 14 {
            halfway = best;
        }
    }
    best > 10.0 * halfway || (best.is_infinite() && halfway.is_finite())
}

/// A value, or NaN where it is not a finite number.
fn defined(y: f64) -> f64 {
    if y.is_finite() { y } else { f64::NAN }
}

struct Sampler<'a> {
    f: &'a mut dyn FnMut(f64) -> f64,
    tolerance: f64,
    jump: f64,
    view: (f64, f64),
    budget: usize,
    /// The samples in order of `x`; a NaN value breaks the curve.
    points: Vec<(f64, f64)>,
}

impl Sampler<'_> {
    /// Adds the samples strictly between `(a, fa)` (the last point) and `(b, fb)`, and a
    /// break where the curve jumps between two samples that cannot be split further.
    fn halve(&mut self, a: f64, fa: f64, b: f64, fb: f64, depth: u32) {
        if depth < MAX_DEPTH && self.budget > 0 {
            self.budget -= 1;
            let m = 0.5 * (a + b);
            let fm = defined((self.f)(m));
            if self.needs_split(fa, fm, fb) {
                self.halve(a, fa, m, fm, depth + 1);
                self.points.push((m, fm));
                self.halve(m, fm, b, fb, depth + 1);
            }
            // Otherwise the curve is straight enough here, or undefined throughout (its
            // NaN ends already break it).
            return;
        }
        let jumps = (fb - fa).abs() > self.jump && !self.off_screen(fa, fb);
        if jumps {
            self.points.push((0.5 * (a + b), f64::NAN));
        }
    }

    /// Whether the interval must be halved: the curve bends away from its chord on the
    /// screen, or the interval holds the edge of the domain (or a hole in it).
    fn needs_split(&self, fa: f64, fm: f64, fb: f64) -> bool {
        match (fa.is_nan(), fm.is_nan(), fb.is_nan()) {
            (true, true, true) => false,
            (false, false, false) => {
                let hidden = self.off_screen(fa, fm) && self.off_screen(fm, fb);
                !hidden && (fm - 0.5 * (fa + fb)).abs() > self.tolerance
            }
            _ => true,
        }
    }

    /// Whether both values are beyond the same edge of the view: the line between them
    /// is not drawn, whatever the curve does there.
    fn off_screen(&self, fa: f64, fb: f64) -> bool {
        (fa > self.view.1 && fb > self.view.1) || (fa < self.view.0 && fb < self.view.0)
    }
}

/// The runs of defined samples, each with at least two points.
fn pieces(points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    points
        .split(|&(_, y)| y.is_nan())
        .filter(|run| run.len() >= 2)
        .map(<[(f64, f64)]>::to_vec)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces of `f` over `lo..hi` for a view of `view`.
    fn sampled(f: fn(f64) -> f64, lo: f64, hi: f64, view: (f64, f64)) -> Vec<Vec<(f64, f64)>> {
        let xs = grid(lo, hi);
        let ys: Vec<f64> = xs.iter().map(|&x| f(x)).collect();
        refine(&mut |x| f(x), &xs, &ys, view)
    }

    #[test]
    fn a_straight_line_keeps_the_grid() {
        let pieces = sampled(|x| 2.0 * x + 1.0, -1.0, 1.0, (-3.0, 3.0));
        assert_eq!(pieces.len(), 1);
        assert_eq!(pieces[0].len(), GRID + 1);
    }

    #[test]
    fn a_bump_narrower_than_the_grid_is_found() {
        // Grid points are 1/256 apart; the bump is 1/1000 wide, off the grid.
        let bump = |x: f64| (-((x - 0.0013) / 0.0005).powi(2)).exp();
        let pieces = sampled(bump, -1.0, 1.0, (0.0, 1.0));
        let top = pieces.iter().flatten().map(|p| p.1).fold(0.0, f64::max);
        assert!(top > 0.99, "the peak is missed: {top}");
        // The extra samples are near the bump, not everywhere.
        let extra = pieces.iter().map(Vec::len).sum::<usize>() - (GRID + 1);
        let near = (pieces.iter().flatten())
            .filter(|p| (p.0 - 0.0013).abs() < 0.01)
            .count();
        assert!(
            extra > 10 && near > extra,
            "{extra} extra samples, {near} near the bump"
        );
    }

    #[test]
    fn a_pole_leaves_a_gap_and_no_piece_crosses_it() {
        let pieces = sampled(|x| 1.0 / (x - 0.3), -1.0, 1.0, (-10.0, 10.0));
        assert_eq!(pieces.len(), 2);
        for piece in &pieces {
            let left = piece.iter().all(|p| p.0 < 0.3);
            let right = piece.iter().all(|p| p.0 > 0.3);
            assert!(left || right, "a piece crosses the pole");
        }
    }

    #[test]
    fn a_step_is_a_gap_narrowed_to_the_finest_interval() {
        let step = |x: f64| if x < 0.3 { 0.0 } else { 1.0 };
        let pieces = sampled(step, -1.0, 1.0, (0.0, 1.0));
        assert_eq!(pieces.len(), 2);
        let end = pieces[0].last().unwrap().0;
        let start = pieces[1][0].0;
        assert!(
            end < 0.3 && start >= 0.3 && start - end < 1e-5,
            "{end}..{start}"
        );
    }

    #[test]
    fn the_edge_of_the_domain_is_located() {
        let pieces = sampled(f64::sqrt, -1.0 - 1e-3, 1.0, (0.0, 1.0));
        assert_eq!(pieces.len(), 1);
        let first = pieces[0][0].0;
        assert!((0.0..1e-5).contains(&first), "{first}");
    }

    #[test]
    fn poles_are_told_from_peaks_and_slow_singularities() {
        let pole = |f: fn(f64) -> f64, lo: f64, hi: f64| {
            let xs = grid(lo, hi);
            let ys: Vec<f64> = xs.iter().map(|&x| f(x)).collect();
            has_pole(&mut |x| f(x), &xs, &ys)
        };
        assert!(pole(f64::tan, -3.0, 3.0));
        assert!(pole(|x| 1.0 / (x * x), -10.0, 10.0)); // the pole on the grid: NaN there
        assert!(pole(|x| 1.0 / (x - 0.3), -1.0, 1.0));
        assert!(pole(|x| (1.0 / x).exp(), 0.0, 1.0)); // at the window's edge
        assert!(!pole(|x| -10.0 * (-x * x * 20.0).exp(), -3.0, 3.0));
        assert!(!pole(f64::ln, -2.0, 2.1)); // 0 off the grid: ln(0) would be infinite
        assert!(!pole(|x| x * x.sin(), -6.0, 6.0));
        assert!(!pole(|x| (1.0 / x).sin(), -1.0, 1.0));
    }

    #[test]
    fn an_endless_oscillation_costs_a_bounded_number_of_samples() {
        let pieces = sampled(|x| (1.0 / x).sin(), -1.0, 1.0, (-1.1, 1.1));
        let samples: usize = pieces.iter().map(Vec::len).sum();
        assert!(samples <= GRID + 1 + BUDGET, "{samples}");
    }
}
