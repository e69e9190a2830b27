//! The together form: one fraction over a common denominator, the numerator expanded,
//! and the common factors of numerator and denominator cancelled by a polynomial gcd.
//!
//! The result is read as a rational function of *generators*: every part that is not a
//! sum, product or integer power (a variable, `sin(x)`, `sqrt(u)`, `exp(2*x)`) is one.
//! Powers of one base with different rational exponents share a generator, the base to
//! the gcd of the exponents: `x` and `sqrt(x)` are `g^2` and `g` for `g = sqrt(x)`, and
//! `exp(2*x)`, `exp(4*x)` and `exp(-2*x)` are `g`, `g^2` and `1/g` for `g = exp(2*x)`,
//! so that `1/sqrt(u) - x^2/u^(3/2)` is `(u - x^2)/u^(3/2)`. The denominator stays a
//! product of the factors it was written with, so it prints factored.
//!
//! A denominator factor linear in a square root is rationalized with its conjugate where
//! that is smaller and adds no zero to the denominator (see [`conjugate`]).
//!
//! Bounded: polynomials of more than [`MAX_TERMS`] terms give up (the form is then the
//! input), and the gcds spend from a budget of [`GCD_BUDGET`] operations per result.

mod adic;
mod conjugate;

use rustc_hash::FxHashMap;

use crate::algebra::cost::Cost;
use crate::algebra::gcd::{Budget, gcd, square_free};
use crate::algebra::identities::{identities, in_sines_and_cosines};
use crate::algebra::poly::Poly;
use crate::algebra::tidy::TidyStep;
use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::{ExprId, Node, Pool};
use crate::print::print;

/// The most terms a numerator may have before the together form gives up.
pub const MAX_TERMS: usize = 2_000;

/// The operations the gcds of one result may spend (see [`Budget`]).
pub const GCD_BUDGET: u64 = 2_000_000;

/// The highest power a polynomial of several terms is raised to, and the highest power
/// of a generator (`x^1000000` is left alone).
const MAX_POWER: u32 = 64;

/// How many times the identities and a new common denominator alternate.
const ROUNDS: usize = 2;

/// The steps from `expr` to one fraction with an expanded numerator and the common
/// factors cancelled; none when `expr` is already one (or too big).
pub fn together_cancelled(pool: &mut Pool, expr: ExprId) -> Vec<TidyStep> {
    // Without a denominator, one fraction is the expanded form.
    let direct = if has_denominator(pool, expr) {
        together_steps(pool, expr)
    } else {
        Vec::new()
    };
    // Tangents, secants and their kin written as sines and cosines may cancel more.
    let rewritten = in_sines_and_cosines(pool, expr);
    if rewritten == expr || !has_denominator(pool, rewritten) {
        return direct;
    }
    let mut via = vec![TidyStep {
        rule: "write in sines and cosines".into(),
        expr: rewritten,
    }];
    via.extend(together_steps(pool, rewritten));
    let end = |pool: &Pool, steps: &[TidyStep]| {
        Cost::of(pool, steps.last().map_or(expr, |s| s.expr)).operators
    };
    if end(pool, &via) < end(pool, &direct) {
        via
    } else {
        direct
    }
}

/// Moves `current` to `candidate`, with a step named by `rule`, when the candidate has
/// fewer operators; whether it did.
fn keep_smaller(
    pool: &Pool,
    steps: &mut Vec<TidyStep>,
    current: &mut ExprId,
    candidate: ExprId,
    rule: impl FnOnce() -> String,
) -> bool {
    if Cost::of(pool, candidate).operators >= Cost::of(pool, *current).operators {
        return false;
    }
    *current = candidate;
    steps.push(TidyStep {
        rule: rule(),
        expr: candidate,
    });
    true
}

/// The steps of [`together_cancelled`] from `expr` as it is written.
fn together_steps(pool: &mut Pool, expr: ExprId) -> Vec<TidyStep> {
    let mut steps = Vec::new();
    let mut current = expr;
    let mut budget = Budget::new(GCD_BUDGET);
    for round in 0..ROUNDS {
        // Past the time limit, the form is what it is so far.
        if pool.limit_reached().is_some() {
            break;
        }
        if round > 0 {
            let rewritten = identities(pool, current);
            if rewritten == current {
                break;
            }
            current = rewritten;
            steps.push(TidyStep {
                rule: "trigonometric identities".into(),
                expr: current,
            });
        }
        let Some(fraction) = Fraction::read(pool, current) else {
            break;
        };
        let combined = fraction.write(pool);
        if combined != current {
            current = combined;
            // After the identities, writing the fraction again cancels what they made
            // equal on both sides.
            let rule = if round == 0 {
                "common denominator"
            } else {
                "simplify the fraction"
            };
            steps.push(TidyStep {
                rule: rule.into(),
                expr: current,
            });
        }
        let mut fraction = fraction;
        while let Some(common) = fraction.cancel_one(&mut budget) {
            let shown = fraction.generators.write_poly(pool, &common);
            let cancelled = fraction.write(pool);
            // The pool cancels a factor written the same way on both sides by itself.
            if cancelled != current {
                current = cancelled;
                steps.push(TidyStep {
                    rule: format!("cancel {}", print(pool, shown)),
                    expr: current,
                });
            }
        }
        // A factor below linear in a square root may go, with its conjugate above.
        if let Some(done) = conjugate::rationalized(pool, &fraction, &mut budget) {
            let rule = || format!("multiply by the conjugate {}", print(pool, done.conjugate));
            if keep_smaller(pool, &mut steps, &mut current, done.written, rule) {
                fraction = done.fraction;
            }
        }
        // The numerator may be smaller as its square-free factors: 3*(x + 1)^2.
        if let Some(factored) = fraction.write_factored_numerator(pool, &mut budget) {
            let rule = || "factor the numerator".into();
            keep_smaller(pool, &mut steps, &mut current, factored, rule);
        }
        // Several factors below may be smaller multiplied out: (x^2 + 1)*(x^2 - 1).
        if fraction.denominator.len() > 1
            && let Some(multiplied) = fraction.write_multiplied_out(pool)
        {
            let rule = || "multiply out the denominator".into();
            keep_smaller(pool, &mut steps, &mut current, multiplied, rule);
        }
        // A polynomial may be smaller in powers of a sum of the input: x^6 + (y + 1)^2.
        if let Some(compact) = fraction.write_in_powers(pool, &mut budget) {
            let rule = || "write in powers of a sum".into();
            keep_smaller(pool, &mut steps, &mut current, compact, rule);
        }
    }
    steps
}

/// Whether `expr` has a negative power outside function arguments: a denominator to
/// bring the sum over.
fn has_denominator(pool: &Pool, expr: ExprId) -> bool {
    let mut stack = vec![expr];
    let mut seen = rustc_hash::FxHashSet::default();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        match pool.node(id) {
            Node::Add(ops) | Node::Mul(ops) => stack.extend(ops.iter().copied()),
            Node::Pow([base, exp]) => match pool.as_num(*exp) {
                Some(e) if e.is_negative() => return true,
                _ => stack.push(*base),
            },
            _ => {}
        }
    }
    false
}

/// The generators of a rational function: `(base, unit)` per variable, the variable
/// standing for `base^unit` (`exp(unit*base)` for the exponential's generators).
#[derive(Default, Clone)]
struct Generators {
    /// `(kind, base, unit)` per variable.
    list: Vec<(Kind, ExprId, Rational)>,
    /// The variable of each `(kind, base)`.
    index: FxHashMap<(Kind, ExprId), usize>,
    /// Sums and products raised to fractional powers somewhere: generators, not expanded.
    opaque: Vec<ExprId>,
    /// Sums of the input raised to integer powers, to write polynomials in powers of
    /// (see [`adic`]).
    sums: Vec<Poly>,
}

/// Whether a generator is a power of its base or an exponential of a multiple of it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Power,
    Exp,
}

impl Generators {
    /// Every generator of `expr` with its unit, found before any polynomial is built.
    fn collect(pool: &Pool, expr: ExprId) -> Generators {
        Generators::collect_with(pool, expr, &[])
    }

    /// Every generator of `expr` and of the parts `inside` (of a radicand, to read it as
    /// a polynomial), with its unit.
    fn collect_with(pool: &Pool, expr: ExprId, inside: &[ExprId]) -> Generators {
        let mut found = Generators::default();
        let mut exponents: Vec<((Kind, ExprId), Vec<Rational>)> = Vec::new();
        // Sums under fractional powers first: they are generators wherever they occur.
        for id in pool.reachable(expr, |_| true) {
            if let Node::Pow([base, exp]) = pool.node(id)
                && matches!(pool.node(*base), Node::Add(_) | Node::Mul(_))
                && pool.as_num(*exp).is_some_and(|e| !e.is_integer())
                && !found.opaque.contains(base)
            {
                found.opaque.push(*base);
            }
        }
        let mut stack = vec![expr];
        stack.extend_from_slice(inside);
        let mut seen = rustc_hash::FxHashSet::default();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            match found.atom(pool, id) {
                Some((key, exponent)) => match exponents.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, list)) => list.push(exponent),
                    None => exponents.push((key, vec![exponent])),
                },
                None => stack.extend(pool.children(id).iter().copied()),
            }
        }
        for (key, list) in exponents {
            let mut unit = list[0].abs();
            for e in &list[1..] {
                unit = unit.gcd(e);
            }
            // `exp(-2*x)` alone is a generator, not a denominator; a power of a
            // variable below the line stays there.
            if key.0 == Kind::Exp && list.iter().all(Rational::is_negative) {
                unit = -&unit;
            }
            found.index.insert(key, found.list.len());
            found.list.push((key.0, key.1, unit));
        }
        found
    }

    /// `Some((kind, base), exponent)` when `id` is a generator's power; `None` when it is
    /// a number, or a sum, product or integer power to look into.
    fn atom(&self, pool: &Pool, id: ExprId) -> Option<((Kind, ExprId), Rational)> {
        match pool.node(id) {
            Node::Num(_) => None,
            Node::Add(_) | Node::Mul(_) if !self.opaque.contains(&id) => None,
            Node::Pow([base, exp]) => match pool.as_num(*exp) {
                Some(e) if e.is_integer() && !self.is_atom_base(pool, *base) => None,
                Some(e) => Some(((Kind::Power, *base), e.clone())),
                None => Some(((Kind::Power, id), Rational::ONE)),
            },
            Node::Call(Func::Exp, arg) => {
                let (c, rest) = match pool.node(*arg) {
                    Node::Mul(ops) => match pool.as_num(ops[0]) {
                        Some(c) if ops.len() == 2 => (c.clone(), ops[1]),
                        _ => (Rational::ONE, *arg),
                    },
                    _ => (Rational::ONE, *arg),
                };
                Some(((Kind::Exp, rest), c))
            }
            _ => Some(((Kind::Power, id), Rational::ONE)),
        }
    }

    /// Whether an integer power of `base` is a power of a generator (rather than a sum
    /// or product to expand).
    fn is_atom_base(&self, pool: &Pool, base: ExprId) -> bool {
        !matches!(pool.node(base), Node::Add(_) | Node::Mul(_)) || self.opaque.contains(&base)
    }

    /// The variable and integer power for a generator's power.
    fn variable(&self, key: (Kind, ExprId), exponent: &Rational) -> Option<(usize, i64)> {
        let k = *self.index.get(&key)?;
        let power = exponent.checked_div(&self.list[k].2)?;
        Some((k, power.to_i64().filter(|_| power.is_integer())?))
    }

    /// The expression of variable `k` to the power `n`.
    fn write_power(&self, pool: &mut Pool, k: usize, n: u32) -> ExprId {
        let (kind, base, unit) = &self.list[k];
        let exponent = unit * &Rational::int(i64::from(n));
        match kind {
            Kind::Power => {
                let e = pool.num(exponent);
                pool.pow(*base, e)
            }
            Kind::Exp => {
                let e = pool.num(exponent);
                let arg = pool.mul2(e, *base);
                pool.call(Func::Exp, arg)
            }
        }
    }

    /// A polynomial in the generators as an expression.
    fn write_poly(&self, pool: &mut Pool, poly: &Poly) -> ExprId {
        let mut terms = Vec::with_capacity(poly.len());
        for (exps, coeff) in poly.terms() {
            let mut factors = vec![pool.num(coeff.clone())];
            for (k, &n) in exps.iter().enumerate() {
                if n > 0 {
                    factors.push(self.write_power(pool, k, n));
                }
            }
            terms.push(pool.mul(&factors));
        }
        pool.add(&terms)
    }
}

/// A rational function `numerator / Π factor^multiplicity` in the generators, each
/// factor primitive with a positive leading coefficient.
struct Fraction {
    generators: Generators,
    numerator: Poly,
    denominator: Vec<(Poly, u32)>,
}

impl Fraction {
    /// `expr` as a fraction; `None` when a polynomial grows past [`MAX_TERMS`].
    fn read(pool: &Pool, expr: ExprId) -> Option<Fraction> {
        let mut generators = Generators::collect(pool, expr);
        generators.sums = adic::sums(pool, &generators, expr);
        let mut work = MAX_PRODUCTS;
        let (numerator, denominator) = read_node(pool, &generators, expr, &mut work)?;
        Some(Fraction {
            generators,
            numerator,
            denominator,
        })
    }

    /// The fraction as an expression: the numerator expanded, the denominator a
    /// product of its factors' powers.
    fn write(&self, pool: &mut Pool) -> ExprId {
        let top = self.generators.write_poly(pool, &self.numerator);
        let mut factors = vec![top];
        for (factor, m) in &self.denominator {
            let f = self.generators.write_poly(pool, factor);
            factors.push(pool.powi(f, -i64::from(*m)));
        }
        pool.mul(&factors)
    }

    /// The fraction with its numerator written as its square-free factorization; `None`
    /// when that has a single factor once or the budget ran out.
    fn write_factored_numerator(&self, pool: &mut Pool, budget: &mut Budget) -> Option<ExprId> {
        let (content, factors) = square_free(&self.numerator, budget)?;
        if factors.len() < 2 && factors.iter().all(|(_, m)| *m == 1) {
            return None;
        }
        let mut parts = vec![pool.num(content)];
        for (factor, m) in &factors {
            let f = self.generators.write_poly(pool, factor);
            parts.push(pool.powi(f, i64::from(*m)));
        }
        for (factor, m) in &self.denominator {
            let f = self.generators.write_poly(pool, factor);
            parts.push(pool.powi(f, -i64::from(*m)));
        }
        Some(pool.mul(&parts))
    }

    /// The fraction with its denominator one expanded polynomial; `None` when that
    /// grows past [`MAX_TERMS`].
    fn write_multiplied_out(&self, pool: &mut Pool) -> Option<ExprId> {
        let mut denominator = Poly::constant(self.numerator.nvars(), Rational::ONE);
        let mut work = MAX_PRODUCTS;
        for (factor, m) in &self.denominator {
            denominator = bounded_mul(
                &denominator,
                &bounded_pow(factor, *m, &mut work)?,
                &mut work,
            )?;
        }
        let top = self.generators.write_poly(pool, &self.numerator);
        let bottom = self.generators.write_poly(pool, &denominator);
        Some(pool.div(top, bottom))
    }

    /// The fraction with its polynomials written in powers of the input's sums where
    /// that has fewer terms (see [`adic`]), the numerator otherwise as its square-free
    /// factors; `None` when no polynomial is written so.
    fn write_in_powers(&self, pool: &mut Pool, budget: &mut Budget) -> Option<ExprId> {
        let g = &self.generators;
        // Writing a long numerator again costs more of the budget than the rest saves.
        if g.sums.is_empty() || self.numerator.len() > adic::MAX_TRIED_TERMS {
            return None;
        }
        let mut below = Vec::with_capacity(self.denominator.len());
        for (factor, m) in &self.denominator {
            below.push((adic::in_powers(pool, g, factor), factor, *m));
        }
        let top = match adic::in_powers(pool, g, &self.numerator) {
            Some(top) => top,
            None if below.iter().all(|(written, _, _)| written.is_none()) => return None,
            None => match square_free(&self.numerator, budget) {
                Some((content, factors)) => {
                    let mut parts = vec![pool.num(content)];
                    for (factor, m) in &factors {
                        let f = adic::in_powers(pool, g, factor)
                            .unwrap_or_else(|| g.write_poly(pool, factor));
                        parts.push(pool.powi(f, i64::from(*m)));
                    }
                    pool.mul(&parts)
                }
                None => g.write_poly(pool, &self.numerator),
            },
        };
        let mut parts = vec![top];
        for (written, factor, m) in below {
            let f = written.unwrap_or_else(|| g.write_poly(pool, factor));
            parts.push(pool.powi(f, -i64::from(m)));
        }
        Some(pool.mul(&parts))
    }

    /// Cancels one common factor of the numerator and a factor of the denominator (as
    /// often as both hold it), returning it; `None` when there is none (or the budget
    /// ran out).
    fn cancel_one(&mut self, budget: &mut Budget) -> Option<Poly> {
        for k in 0..self.denominator.len() {
            let (factor, m) = self.denominator[k].clone();
            let common = gcd(&self.numerator, &factor, budget)?;
            if common.as_constant().is_some() {
                continue;
            }
            let rest = factor.div_exact(&common)?;
            let mut cancelled = 0;
            while cancelled < m {
                match self.numerator.div_exact(&common) {
                    Some(q) => {
                        self.numerator = q;
                        cancelled += 1;
                    }
                    None => break,
                }
            }
            if cancelled == 0 {
                continue;
            }
            let mut next: Vec<(Poly, u32)> = Vec::new();
            let (c, rest) = rest.primitive();
            self.numerator = self.numerator.scale(&rational_power(&c.recip()?, m));
            if rest.as_constant().is_none() {
                push_factor(&mut next, rest, m);
            }
            if cancelled < m {
                push_factor(&mut next, common.clone(), m - cancelled);
            }
            self.denominator.splice(k..=k, next);
            return Some(common);
        }
        None
    }
}

/// `(numerator, denominator factors)` of an expression.
fn read_node(
    pool: &Pool,
    generators: &Generators,
    id: ExprId,
    work: &mut usize,
) -> Option<(Poly, Vec<(Poly, u32)>)> {
    let n = generators.list.len();
    if let Some(value) = pool.as_num(id) {
        return Some((Poly::constant(n, value.clone()), Vec::new()));
    }
    if let Some((key, exponent)) = generators.atom(pool, id) {
        let (k, power) = generators.variable(key, &exponent)?;
        let var = Poly::var(n, k).pow(u32::try_from(power.unsigned_abs()).ok()?.min(MAX_POWER + 1));
        if power.unsigned_abs() > u64::from(MAX_POWER) {
            return None;
        }
        return Some(if power >= 0 {
            (var, Vec::new())
        } else {
            (
                Poly::constant(n, Rational::ONE),
                vec![(Poly::var(n, k), u32::try_from(-power).ok()?)],
            )
        });
    }
    match pool.node(id) {
        Node::Add(terms) => {
            let mut parts = Vec::with_capacity(terms.len());
            for &t in terms.iter() {
                parts.push(read_node(pool, generators, t, work)?);
            }
            let mut common: Vec<(Poly, u32)> = Vec::new();
            for (_, den) in &parts {
                for (f, m) in den {
                    match common.iter_mut().find(|(g, _)| g == f) {
                        Some((_, max)) => *max = (*max).max(*m),
                        None => common.push((f.clone(), *m)),
                    }
                }
            }
            let mut numerator = Poly::zero(n);
            for (num, den) in parts {
                let mut term = num;
                for (f, max) in &common {
                    let own = den.iter().find(|(g, _)| g == f).map_or(0, |(_, m)| *m);
                    if *max > own {
                        term = bounded_mul(&term, &bounded_pow(f, max - own, work)?, work)?;
                    }
                }
                numerator = numerator.add(&term);
                check_size(&numerator)?;
            }
            Some((numerator, common))
        }
        Node::Mul(factors) => {
            let mut numerator = Poly::constant(n, Rational::ONE);
            let mut denominator: Vec<(Poly, u32)> = Vec::new();
            for &f in factors.iter() {
                let (num, den) = read_node(pool, generators, f, work)?;
                numerator = bounded_mul(&numerator, &num, work)?;
                for (g, m) in den {
                    push_factor(&mut denominator, g, m);
                }
            }
            Some((numerator, denominator))
        }
        Node::Pow([base, exp]) => {
            let power = pool.as_num(*exp)?.to_i64()?;
            let (num, den) = read_node(pool, generators, *base, work)?;
            let k = u32::try_from(power.unsigned_abs()).ok()?;
            if power >= 0 {
                let numerator = bounded_pow(&num, k, work)?;
                let denominator = den.into_iter().map(|(f, m)| (f, m * k)).collect();
                Some((numerator, denominator))
            } else {
                // (num/den)^-k = den^k / num^k.
                let mut numerator = Poly::constant(n, Rational::ONE);
                for (f, m) in &den {
                    numerator = bounded_mul(&numerator, &bounded_pow(f, m * k, work)?, work)?;
                }
                let (c, prim) = num.primitive();
                numerator = numerator.scale(&rational_power(&c.recip()?, k));
                let mut denominator = Vec::new();
                if prim.as_constant().is_none() {
                    push_factor(&mut denominator, prim, k);
                }
                Some((numerator, denominator))
            }
        }
        _ => None,
    }
}

/// Adds `factor^m` to a list of denominator factors, merging a factor already there.
fn push_factor(list: &mut Vec<(Poly, u32)>, factor: Poly, m: u32) {
    match list.iter_mut().find(|(g, _)| *g == factor) {
        Some((_, k)) => *k += m,
        None => list.push((factor, m)),
    }
}

/// `poly^k`, or `None` when `k` is above [`MAX_POWER`] for a polynomial of several terms
/// or a partial product grows past [`MAX_TERMS`].
fn bounded_pow(poly: &Poly, k: u32, work: &mut usize) -> Option<Poly> {
    if poly.len() > 1 && k > MAX_POWER {
        return None;
    }
    let mut result = Poly::constant(poly.nvars(), Rational::ONE);
    for _ in 0..k {
        result = bounded_mul(&result, poly, work)?;
    }
    Some(result)
}

/// The most term products (before like terms merge) reading one fraction may form in
/// all.
const MAX_PRODUCTS: usize = 50_000;

/// `a*b`, or `None` when its term products would overdraw `work` (what is left of
/// [`MAX_PRODUCTS`]) or it has more than [`MAX_TERMS`] terms.
fn bounded_mul(a: &Poly, b: &Poly, work: &mut usize) -> Option<Poly> {
    *work = work.checked_sub(a.len().saturating_mul(b.len()))?;
    let product = a.mul(b);
    check_size(&product)?;
    Some(product)
}

/// `Some(())` while a polynomial is small enough to go on.
fn check_size(poly: &Poly) -> Option<()> {
    (poly.len() <= MAX_TERMS).then_some(())
}

/// `c^k` for a small `k`.
fn rational_power(c: &Rational, k: u32) -> Rational {
    (0..k).fold(Rational::ONE, |acc, _| &acc * c)
}
