//! Trigonometric and hyperbolic identities, applied where they shrink a result.
//!
//! In products, powers of the six functions of one argument are written with the fewest
//! factors (`sin(x)/cos(x)` is `tan(x)`, `1/cos(x)^2` is `sec(x)^2`, `cos(x)*sec(x)` is
//! `1`), and `2*sin(u)*cos(u)` is `sin(2*u)`. In sums, two terms that make up a
//! Pythagorean identity become its third term (`tan(x)^2 + 1` is `sec(x)^2`,
//! `1 - sin(x)^2` is `cos(x)^2`, `cos(x)^2 - sin(x)^2` is `cos(2*x)`, `cosh(x) + sinh(x)`
//! is `exp(x)`), and products of sines and cosines of multiples of one argument are
//! written as sums where that is smaller (`3*cos(2*x)*cos(3*x) - 2*sin(2*x)*sin(3*x)` is
//! `cos(x)/2 + 5*cos(5*x)/2`, see [`product_to_sum`]). Each rewrite is
//! exact where both sides are defined; like cancelling a common factor, it may remove a
//! removable singularity (`cos(x)*sec(x)` is `1` also where `cos(x)` is 0).

use rustc_hash::FxHashMap;

use crate::algebra::cost::Cost;
use crate::algebra::expand::expand;
use crate::algebra::product_to_sum::product_to_sum;
use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::subst::{rewrite_bottom_up, rewrite_bottom_up_with};
use crate::expr::{ExprId, Node, Pool};

/// Sums with more terms than this are left as they are: pairing terms is quadratic.
const MAX_PAIRED_TERMS: usize = 64;

/// `expr` with the identities applied everywhere, bottom up; linear in its size (with
/// at most 64 terms paired per sum).
///
/// ```
/// use deriv::algebra::identities;
/// use deriv::{Pool, parse, print};
/// let mut pool = Pool::new();
/// let e = parse(&mut pool, "cos(x)/(1 - sin(x)^2)").unwrap();
/// let done = identities(&mut pool, e);
/// assert_eq!(print(&pool, done), "sec(x)");
/// ```
pub fn identities(pool: &mut Pool, expr: ExprId) -> ExprId {
    identities_with(pool, expr, &mut FxHashMap::default())
}

/// [`identities`] continuing from earlier calls: `done` holds each node met so far with
/// the identities applied, and gains the nodes of `expr` (a tidy pass applies them to
/// many forms that share their parts).
pub(crate) fn identities_with(
    pool: &mut Pool,
    expr: ExprId,
    done: &mut FxHashMap<ExprId, ExprId>,
) -> ExprId {
    rewrite_bottom_up_with(pool, expr, done, |pool, _, rebuilt| {
        match pool.node(rebuilt) {
            Node::Pow(_) => {
                let outside = radical_content(pool, rebuilt);
                fewest_factors(pool, outside)
            }
            Node::Mul(_) => fewest_factors(pool, rebuilt),
            Node::Add(_) => {
                let paired = pythagorean(pool, rebuilt);
                smaller_as_sum_of_waves(pool, paired)
            }
            _ => rebuilt,
        }
    })
}

/// A sum with its products of sines and cosines written by the product-to-sum formulas
/// ([`product_to_sum`]) when that has fewer operators, else the sum as it is.
fn smaller_as_sum_of_waves(pool: &mut Pool, expr: ExprId) -> ExprId {
    match product_to_sum(pool, expr) {
        Some(waves) if Cost::of(pool, waves).operators < Cost::of(pool, expr).operators => waves,
        _ => expr,
    }
}

/// A fractional power of a sum with its numeric content taken out where the root of
/// the content is rational: `sqrt(1 - x^2/9)` is `sqrt(9 - x^2)/3` (the content is
/// positive, so this holds wherever the power is defined).
fn radical_content(pool: &mut Pool, expr: ExprId) -> ExprId {
    let Node::Pow([base, exp]) = *pool.node(expr) else {
        return expr;
    };
    let (Node::Add(terms), Some(r)) = (pool.node(base), pool.as_num(exp)) else {
        return expr;
    };
    if r.is_integer() {
        return expr;
    }
    let r = r.clone();
    let mut content: Option<Rational> = None;
    for &term in terms.iter() {
        let coeff = match pool.node(term) {
            Node::Num(c) => c.clone(),
            Node::Mul(ops) => pool.as_num(ops[0]).cloned().unwrap_or(Rational::ONE),
            _ => Rational::ONE,
        };
        content = Some(match content {
            Some(c) => c.gcd(&coeff),
            None => coeff.abs(),
        });
    }
    let Some(content) = content.filter(|c| !c.is_one() && !c.is_zero()) else {
        // Multiplied out, the sum may have a content: 1 - (2*x + 1)^2 is -4*x^2 - 4*x.
        return match expand(pool, base) {
            Some(expanded) if expanded != base && matches!(pool.node(expanded), Node::Add(_)) => {
                let power = pool.pow(expanded, exp);
                match radical_content(pool, power) {
                    done if done != power => done,
                    _ => expr,
                }
            }
            _ => expr,
        };
    };
    let denominator = u32::try_from(r.denom()).ok();
    let root = denominator.and_then(|q| content.exact_root(q));
    let numerator = Rational::from_bigint(r.numer());
    let Some(outside) = root.and_then(|root| root.pow(&numerator, 256)) else {
        return expr;
    };
    let Some(inverse) = content.recip() else {
        return expr;
    };
    let scale = pool.num(inverse);
    let inside = pool.mul2(scale, base);
    let power = pool.pow(inside, exp);
    let outside = pool.num(outside);
    pool.mul2(outside, power)
}

/// The circular and the hyperbolic family: sine, cosine, tangent, secant, cosecant,
/// cotangent.
const FAMILIES: [[Func; 6]; 2] = [
    [
        Func::Sin,
        Func::Cos,
        Func::Tan,
        Func::Sec,
        Func::Csc,
        Func::Cot,
    ],
    [
        Func::Sinh,
        Func::Cosh,
        Func::Tanh,
        Func::Sech,
        Func::Csch,
        Func::Coth,
    ],
];

/// `expr` with `tan`, `sec`, `csc`, `cot` written with `sin` and `cos`, and the
/// hyperbolic ones with `sinh` and `cosh` (`sec(x)/(sec(x) + 1)` as
/// `1/(cos(x)*(1/cos(x) + 1))`), for a common denominator to cancel more.
pub fn in_sines_and_cosines(pool: &mut Pool, expr: ExprId) -> ExprId {
    rewrite_bottom_up(pool, expr, |pool, _, rebuilt| {
        let Node::Call(func, arg) = *pool.node(rebuilt) else {
            return rebuilt;
        };
        match family_of(func) {
            Some((family, k)) if k >= 2 => {
                let [sin, cos, ..] = FAMILIES[family];
                let s = pool.call(sin, arg);
                let c = pool.call(cos, arg);
                match k {
                    2 => pool.div(s, c),
                    3 => pool.powi(c, -1),
                    4 => pool.powi(s, -1),
                    _ => pool.div(c, s),
                }
            }
            _ => rebuilt,
        }
    })
}

/// Whether the identities rewrite products or sums of `func`.
pub fn is_identity_function(func: Func) -> bool {
    family_of(func).is_some()
}

/// `(family, position)` of a function of [`FAMILIES`].
fn family_of(func: Func) -> Option<(usize, usize)> {
    FAMILIES
        .iter()
        .enumerate()
        .find_map(|(f, family)| family.iter().position(|&g| g == func).map(|k| (f, k)))
}

/// A product with the powers of each family's functions of one argument written with
/// the fewest factors, and `2*sin(u)*cos(u)` as `sin(2*u)`.
fn fewest_factors(pool: &mut Pool, expr: ExprId) -> ExprId {
    let factors: Vec<ExprId> = match pool.node(expr) {
        Node::Mul(ops) => ops.to_vec(),
        _ => vec![expr],
    };
    // (family, argument) -> exponents of sin and cos it amounts to.
    let mut groups: Vec<((usize, ExprId), i64, i64)> = Vec::new();
    let mut others = Vec::with_capacity(factors.len());
    let mut coeff = Rational::ONE;
    let mut trig_factors = 0;
    let mut negative_power = false;
    for &factor in &factors {
        let (base, exp) = match pool.node(factor) {
            Node::Pow([base, exp]) => (*base, pool.as_num(*exp).and_then(Rational::to_i64)),
            _ => (factor, Some(1)),
        };
        let found = match (pool.node(base), exp) {
            (Node::Call(func, arg), Some(n)) => family_of(*func).map(|(f, k)| (f, k, *arg, n)),
            _ => None,
        };
        let Some((family, k, arg, n)) = found else {
            match pool.node(factor) {
                Node::Num(value) => coeff = value.clone(),
                _ => others.push(factor),
            }
            continue;
        };
        trig_factors += 1;
        // A negative power is written with the reciprocal function (`1/cos(x)` is
        // `sec(x)`): only positive ones are written back as themselves.
        negative_power |= n < 0;
        // sin, cos, tan = sin/cos, sec = 1/cos, csc = 1/sin, cot = cos/sin.
        let (s, c) = [(1, 0), (0, 1), (1, -1), (0, -1), (-1, 0), (-1, 1)][k];
        match groups.iter_mut().find(|(key, _, _)| *key == (family, arg)) {
            Some((_, a, b)) => {
                *a += s * n;
                *b += c * n;
            }
            None => groups.push(((family, arg), s * n, c * n)),
        }
    }
    // One factor per argument, to a positive power, is written back as itself: only the
    // product's own rewrites below can change it.
    if groups.is_empty() || (groups.len() == trig_factors && !negative_power) {
        let product = if groups.is_empty() {
            expr
        } else {
            double_angle(pool, expr)
        };
        return half_angle_tanh(pool, product);
    }
    let mut rebuilt = others;
    rebuilt.push(pool.num(coeff.clone()));
    for ((family, arg), a, b) in groups {
        let [sin, cos, tan, sec, csc, cot] = FAMILIES[family];
        let mut power = |func: Func, n: i64, pool: &mut Pool| {
            if n != 0 {
                let f = pool.call(func, arg);
                rebuilt.push(pool.powi(f, n));
            }
        };
        match (a.signum(), b.signum()) {
            (1, -1) if a >= -b => {
                power(tan, -b, pool);
                power(sin, a + b, pool);
            }
            (1, -1) => {
                power(tan, a, pool);
                power(sec, -b - a, pool);
            }
            (-1, 1) if b >= -a => {
                power(cot, -a, pool);
                power(cos, b + a, pool);
            }
            (-1, 1) => {
                power(cot, b, pool);
                power(csc, -a - b, pool);
            }
            _ => {
                power(sin, a.max(0), pool);
                power(cos, b.max(0), pool);
                power(csc, (-a).max(0), pool);
                power(sec, (-b).max(0), pool);
            }
        }
    }
    let product = pool.mul(&rebuilt);
    let product = double_angle(pool, product);
    half_angle_tanh(pool, product)
}

/// `(exp(w) - 1)/(exp(w) + 1)` in a product as `tanh(w/2)`, and its reciprocal as
/// `coth(w/2)`; `exp(b)/(exp(2*b) + 1)` as `sech(b)/2` (`csch(b)/2` with `- 1`).
fn half_angle_tanh(pool: &mut Pool, expr: ExprId) -> ExprId {
    let Node::Mul(factors) = pool.node(expr) else {
        return expr;
    };
    let factors = factors.to_vec();
    // `exp(w) + c` for c = ±1, with its power.
    let exp_plus = |pool: &Pool, f: ExprId| -> Option<(ExprId, i64, i64)> {
        let (base, power) = match pool.node(f) {
            Node::Pow([base, exp]) => (*base, pool.as_num(*exp)?.to_i64()?),
            _ => (f, 1),
        };
        let Node::Add(terms) = pool.node(base) else {
            return None;
        };
        let [a, b] = terms[..] else {
            return None;
        };
        let (constant, e) = if pool.as_num(a).is_some() {
            (a, b)
        } else {
            (b, a)
        };
        let c = pool.as_num(constant)?.to_i64().filter(|c| c.abs() == 1)?;
        match pool.node(e) {
            Node::Call(Func::Exp, w) => Some((*w, c, power)),
            _ => None,
        }
    };
    // exp(b)/(exp(2*b) ± 1) is sech(b)/2 or csch(b)/2.
    for i in 0..factors.len() {
        let Some((a, c, -1)) = exp_plus(pool, factors[i]) else {
            continue;
        };
        let half = pool.num(Rational::HALF);
        let b = pool.mul2(half, a);
        let exp_b = pool.call(Func::Exp, b);
        let Some(j) = factors.iter().position(|&f| f == exp_b) else {
            continue;
        };
        let func = if c == 1 { Func::Sech } else { Func::Csch };
        let mut rest: Vec<ExprId> = factors
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != i && k != j)
            .map(|(_, &f)| f)
            .collect();
        rest.push(half);
        rest.push(pool.call(func, b));
        return pool.mul(&rest);
    }
    for i in 0..factors.len() {
        for j in 0..factors.len() {
            let (Some((w, 1, p)), Some((v, -1, q))) =
                (exp_plus(pool, factors[i]), exp_plus(pool, factors[j]))
            else {
                continue;
            };
            if w != v || p != -q {
                continue;
            }
            // (e - 1)^q (e + 1)^-q = tanh(w/2)^q.
            let half = pool.num(Rational::HALF);
            let arg = pool.mul2(half, w);
            let tanh = pool.call(Func::Tanh, arg);
            let replacement = pool.powi(tanh, q);
            let mut rest: Vec<ExprId> = factors
                .iter()
                .enumerate()
                .filter(|&(k, _)| k != i && k != j)
                .map(|(_, &f)| f)
                .collect();
            rest.push(replacement);
            return pool.mul(&rest);
        }
    }
    expr
}

/// `2*sin(u)*cos(u)*rest` as `sin(2*u)*rest` when the coefficient is even, and
/// `csc(u)*sec(u)*rest/2` as `csc(2*u)*rest` when it halves the coefficient to an
/// integer; likewise for the hyperbolic functions.
fn double_angle(pool: &mut Pool, expr: ExprId) -> ExprId {
    let Node::Mul(factors) = pool.node(expr) else {
        return expr;
    };
    let factors = factors.to_vec();
    let Some(coeff) = pool.as_num(factors[0]).cloned() else {
        return expr;
    };
    let half = &coeff * &Rational::HALF;
    let double = &coeff * &Rational::int(2);
    let pairs = [
        (Func::Sin, Func::Cos, Func::Sin, half.clone()),
        (Func::Sinh, Func::Cosh, Func::Sinh, half),
        (Func::Csc, Func::Sec, Func::Csc, double.clone()),
        (Func::Csch, Func::Sech, Func::Csch, double),
    ];
    for (f, g, doubled, new_coeff) in pairs {
        if !new_coeff.is_integer()
            || (coeff.is_integer() && matches!(doubled, Func::Csc | Func::Csch))
        {
            continue;
        }
        let find = |pool: &Pool, func: Func| {
            factors
                .iter()
                .position(|&x| matches!(pool.node(x), Node::Call(h, _) if *h == func))
        };
        let (Some(i), Some(j)) = (find(pool, f), find(pool, g)) else {
            continue;
        };
        let (Node::Call(_, u), Node::Call(_, v)) = (pool.node(factors[i]), pool.node(factors[j]))
        else {
            continue;
        };
        if u != v {
            continue;
        }
        let u = *u;
        let two = pool.int(2);
        let two_u = pool.mul2(two, u);
        let mut rest: Vec<ExprId> = factors
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != 0 && k != i && k != j)
            .map(|(_, &x)| x)
            .collect();
        rest.push(pool.num(new_coeff));
        rest.push(pool.call(doubled, two_u));
        return pool.mul(&rest);
    }
    expr
}

/// One slot of an identity `k1*A + k2*B + k3*C = 0`.
#[derive(Clone, Copy)]
enum Slot {
    /// `F(u)^n`.
    Power(Func, i64),
    /// The constant 1.
    One,
    /// `F(2*u)`.
    Double(Func),
    /// `exp(k*u)`.
    Exp(i64),
}

/// The identities, each as three slots with their coefficients summing to zero.
const IDENTITIES: [[(Slot, i64); 3]; 10] = [
    [
        (Slot::Power(Func::Sin, 2), 1),
        (Slot::Power(Func::Cos, 2), 1),
        (Slot::One, -1),
    ],
    [
        (Slot::Power(Func::Sec, 2), 1),
        (Slot::Power(Func::Tan, 2), -1),
        (Slot::One, -1),
    ],
    [
        (Slot::Power(Func::Csc, 2), 1),
        (Slot::Power(Func::Cot, 2), -1),
        (Slot::One, -1),
    ],
    [
        (Slot::Power(Func::Cosh, 2), 1),
        (Slot::Power(Func::Sinh, 2), -1),
        (Slot::One, -1),
    ],
    [
        (Slot::Power(Func::Sech, 2), 1),
        (Slot::Power(Func::Tanh, 2), 1),
        (Slot::One, -1),
    ],
    [
        (Slot::Power(Func::Coth, 2), 1),
        (Slot::Power(Func::Csch, 2), -1),
        (Slot::One, -1),
    ],
    [
        (Slot::Power(Func::Cos, 2), 1),
        (Slot::Power(Func::Sin, 2), -1),
        (Slot::Double(Func::Cos), -1),
    ],
    [
        (Slot::Power(Func::Cosh, 2), 1),
        (Slot::Power(Func::Sinh, 2), 1),
        (Slot::Double(Func::Cosh), -1),
    ],
    [
        (Slot::Power(Func::Cosh, 1), 1),
        (Slot::Power(Func::Sinh, 1), 1),
        (Slot::Exp(1), -1),
    ],
    [
        (Slot::Power(Func::Cosh, 1), 1),
        (Slot::Power(Func::Sinh, 1), -1),
        (Slot::Exp(-1), -1),
    ],
];

/// The expression a slot stands for at the argument `u`.
fn slot_expr(pool: &mut Pool, slot: Slot, u: ExprId) -> ExprId {
    match slot {
        Slot::Power(func, n) => {
            let f = pool.call(func, u);
            pool.powi(f, n)
        }
        Slot::One => ExprId::ONE,
        Slot::Double(func) => {
            let two = pool.int(2);
            let two_u = pool.mul2(two, u);
            pool.call(func, two_u)
        }
        Slot::Exp(k) => {
            let k = pool.int(k);
            let ku = pool.mul2(k, u);
            pool.call(Func::Exp, ku)
        }
    }
}

/// `(F, u, n)` when `factor` is `F(u)^n` for `n` 1 or 2.
fn function_power(pool: &Pool, factor: ExprId) -> Option<(Func, ExprId, i64)> {
    match pool.node(factor) {
        Node::Call(func, u) => Some((*func, *u, 1)),
        Node::Pow([base, exp]) if pool.as_num(*exp) == Some(&Rational::int(2)) => {
            match pool.node(*base) {
                Node::Call(func, u) => Some((*func, *u, 2)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A sum with every pair of terms that make up two slots of an identity replaced by the
/// third slot's term, as long as pairs are found.
fn pythagorean(pool: &mut Pool, expr: ExprId) -> ExprId {
    let Node::Add(terms) = pool.node(expr) else {
        return expr;
    };
    let mut terms = terms.to_vec();
    if terms.len() > MAX_PAIRED_TERMS {
        return expr;
    }
    // Each replacement removes a term, so this ends.
    'search: loop {
        for i in 0..terms.len() {
            let (coeff, factors) = split_term(pool, terms[i]);
            for (k, &factor) in factors.iter().enumerate() {
                let Some((func, u, n)) = function_power(pool, factor) else {
                    continue;
                };
                let in_identity = |(slot, _): &(Slot, i64)| matches!(slot, Slot::Power(g, m) if *g == func && *m == n);
                // Most factors (`sin(x)` to the first power) are in no identity.
                if !IDENTITIES
                    .iter()
                    .any(|identity| identity.iter().any(in_identity))
                {
                    continue;
                }
                let rest: Vec<ExprId> = factors
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != k)
                    .map(|(_, &f)| f)
                    .collect();
                let rest = pool.mul(&rest);
                for identity in &IDENTITIES {
                    let Some(own) = identity.iter().position(in_identity) else {
                        continue;
                    };
                    let scale = &coeff * &Rational::int(identity[own].1);
                    for partner in (0..3).filter(|&p| p != own) {
                        let third = 3 - own - partner;
                        let (slot, k_partner) = identity[partner];
                        let slot = slot_expr(pool, slot, u);
                        let c = pool.num(&scale * &Rational::int(k_partner));
                        let expected = pool.mul(&[c, rest, slot]);
                        let Some(j) = terms.iter().position(|&t| t == expected) else {
                            continue;
                        };
                        if j == i {
                            continue;
                        }
                        let (slot, k_third) = identity[third];
                        let slot = slot_expr(pool, slot, u);
                        let c = pool.num(&scale * &Rational::int(-k_third));
                        let replacement = pool.mul(&[c, rest, slot]);
                        let (hi, lo) = (i.max(j), i.min(j));
                        terms.remove(hi);
                        terms.remove(lo);
                        terms.push(replacement);
                        continue 'search;
                    }
                }
            }
        }
        break;
    }
    let paired = pool.add(&terms);
    substitute_squares(pool, paired)
}

/// A sum with one square replaced by the rest of its identity (`sec(u)^2` by
/// `1 + tan(u)^2`) where like terms then collect into something smaller:
/// `sec(x)^2 + tan(x)^2` is `2*tan(x)^2 + 1`.
fn substitute_squares(pool: &mut Pool, expr: ExprId) -> ExprId {
    let Node::Add(terms) = pool.node(expr) else {
        return expr;
    };
    let terms = terms.to_vec();
    if terms.len() > MAX_PAIRED_TERMS {
        return expr;
    }
    let mut best = expr;
    // Weighed only once there is a candidate.
    let mut best_cost = None;
    for (i, &term) in terms.iter().enumerate() {
        let (coeff, factors) = split_term(pool, term);
        for (k, &factor) in factors.iter().enumerate() {
            let Some((func, u, 2)) = function_power(pool, factor) else {
                continue;
            };
            for identity in &IDENTITIES {
                let Some(own) = identity
                    .iter()
                    .position(|(s, _)| matches!(s, Slot::Power(g, 2) if *g == func))
                else {
                    continue;
                };
                if !identity.iter().any(|(s, _)| matches!(s, Slot::One)) {
                    continue;
                }
                // F^2 = -(k_a*A + k_b*B)/k_F, the other two slots.
                let mut rest: Vec<ExprId> = factors
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != k)
                    .map(|(_, &f)| f)
                    .collect();
                rest.push(pool.num(coeff.clone()));
                let rest = pool.mul(&rest);
                let k_own = identity[own].1;
                let mut replaced: Vec<ExprId> = terms
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, &t)| t)
                    .collect();
                for (p, &(slot, k_slot)) in identity.iter().enumerate() {
                    if p == own {
                        continue;
                    }
                    let slot = slot_expr(pool, slot, u);
                    let c = pool.num(Rational::int(-k_slot * k_own));
                    replaced.push(pool.mul(&[c, rest, slot]));
                }
                let candidate = pool.add(&replaced);
                let cost = Cost::of(pool, candidate).operators;
                let best_so_far = *best_cost.get_or_insert_with(|| Cost::of(pool, expr).operators);
                if cost < best_so_far {
                    best = candidate;
                    best_cost = Some(cost);
                }
            }
        }
    }
    best
}

/// A term as its coefficient and its other factors.
pub(super) fn split_term(pool: &Pool, term: ExprId) -> (Rational, Vec<ExprId>) {
    match pool.node(term) {
        Node::Mul(ops) => match pool.as_num(ops[0]) {
            Some(c) => (c.clone(), ops[1..].to_vec()),
            None => (Rational::ONE, ops.to_vec()),
        },
        Node::Num(c) => (c.clone(), Vec::new()),
        _ => (Rational::ONE, vec![term]),
    }
}
