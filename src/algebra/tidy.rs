//! The tidy pass: a result written in each of its forms, the simplest kept.
//!
//! The forms are the result *as computed* (the canonical form the differentiator left),
//! *factored* (common factors pulled out of sums, what is left of each sum tidied in
//! turn), *together* (one common denominator, the numerator expanded, common factors of
//! numerator and denominator cancelled, Pythagorean identities applied) and *expanded*
//! (products of sums multiplied out). [`Form::Auto`] keeps the one with the fewest
//! operators ([`Cost`]); among equals, the earlier form in that order. So tidying never
//! makes a result bigger, and keeps the form the rules left (or a factored one, as a
//! textbook prefers: `phi*(1 - phi)`, not `phi - phi^2`) unless another is smaller.
//!
//! Cancelling a common factor removes a removable singularity (`(x^2 - 1)/(x - 1)` is
//! `x + 1`, also at `x = 1`), as every computer algebra system does; so may multiplying
//! a denominator by a conjugate, which never adds a point where the result is undefined.
//! No other rewrite changes a value where both sides are defined.
//!
//! The pass is bounded: results of more than [`TIDY_MAX_NODES`] nodes (written out; or
//! more than 200 distinct ones) are left as computed, and the polynomial work inside
//! spends from a fixed budget, so that large work (long chains, gradients of networks)
//! costs what it cost before.

use crate::algebra::cost::Cost;
use crate::algebra::expand::expand;
use crate::algebra::factor::{Factored, common_factor};
use crate::algebra::fraction::together_cancelled;
use crate::algebra::identities::{identities_with, is_identity_function};
use memo::Memo;
use rustc_hash::FxHashSet;
use std::rc::Rc;

use crate::expr::subst::{free_symbols, rewrite_bottom_up};
use crate::expr::{ExprId, Node, Pool};
use crate::print::print;

mod memo;

/// Results with more nodes than this, written out as a tree (a shared part counted each
/// time it occurs, as printing writes it), are left as computed: every form is built
/// and printed to be compared, and the polynomial work grows faster than linearly.
pub const TIDY_MAX_NODES: usize = 1_000;

/// Results with more distinct nodes than this are left as computed without counting
/// further: walking a large shared graph (a network's gradient) only to find its tree
/// too big would cost more than the rest of the work.
const TIDY_MAX_DISTINCT: usize = 200;

/// Whether `expr` is at most [`TIDY_MAX_DISTINCT`] distinct nodes and, written out as a
/// tree, at most [`TIDY_MAX_NODES`], with no number above [`MAX_NUMBER_BITS`]; it visits
/// no more than the first bound's nodes before it knows.
fn small_enough(pool: &Pool, expr: ExprId) -> bool {
    tree_at_most(
        pool,
        expr,
        TIDY_MAX_DISTINCT,
        TIDY_MAX_NODES,
        MAX_NUMBER_BITS,
    )
}

/// Results with a number of more bits than this are left as computed: polynomial
/// arithmetic on such numbers is slow, and they are not what a textbook prints.
const MAX_NUMBER_BITS: u64 = 256;

/// Whether `expr` has at most `distinct` distinct nodes, at most `tree` written out, and
/// no number of more than `bits` bits; it visits no more than `distinct + 1` nodes.
fn tree_at_most(pool: &Pool, expr: ExprId, distinct: usize, tree: usize, bits: u64) -> bool {
    let mut seen = 0;
    let mut huge_number = false;
    // Children first (the pool's order), so each size is known when its parent needs it.
    let order = pool.reachable(expr, |id| {
        seen += 1;
        huge_number |= pool.as_num(id).is_some_and(|q| q.bits() > bits);
        seen <= distinct + 1 && !huge_number
    });
    if order.len() > distinct || huge_number {
        return false;
    }
    let mut size: Vec<usize> = Vec::with_capacity(order.len());
    for &id in &order {
        let own = pool
            .children(id)
            .iter()
            .map(|c| order.binary_search(c).map_or(1, |k| size[k]))
            .fold(1usize, |acc, n| acc.saturating_add(n));
        size.push(own);
    }
    size.last().is_some_and(|&n| n <= tree)
}

/// A form is kept only while it is at most this many times the bound on results
/// ([`TIDY_MAX_NODES`]) written out: expanding shares parts that printing repeats, so a
/// small result can have an expanded form of millions of characters.
const FORM_GROWTH: usize = 4;

/// How deep the factored form tidies the sums left after pulling out common factors.
const MAX_FACTOR_DEPTH: usize = 3;

/// A form a result can be written in (`--form`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Form {
    /// The simplest of the others, by [`Cost`].
    #[default]
    Auto,
    /// The canonical form the computation left.
    Computed,
    /// Common factors pulled out of sums.
    Factored,
    /// One fraction, the numerator expanded, common factors cancelled.
    Together,
    /// Products of sums multiplied out.
    Expanded,
}

impl Form {
    /// The forms [`Form::Auto`] chooses from, in its order of preference for equal costs.
    pub const CANDIDATES: [Form; 4] = [
        Form::Computed,
        Form::Factored,
        Form::Together,
        Form::Expanded,
    ];

    /// The form's name, as `--form` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Form::Auto => "auto",
            Form::Computed => "computed",
            Form::Factored => "factored",
            Form::Together => "together",
            Form::Expanded => "expanded",
        }
    }
}

/// One step of the tidy pass: what was done, and the result after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TidyStep {
    /// The step in words: `common denominator`, `cancel x - 1`, `factor out exp(-2*x)`.
    pub rule: String,
    /// The whole result after the step.
    pub expr: ExprId,
}

/// A result written in one form.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The form.
    pub form: Form,
    /// The result in that form.
    pub expr: ExprId,
    /// What it costs; `None` for a result above [`TIDY_MAX_NODES`], which is not
    /// compared (nor printed to count).
    pub cost: Option<Cost>,
    /// How it was reached from the computed form.
    pub steps: Vec<TidyStep>,
}

/// `expr` written in `form`; [`Form::Auto`] gives the simplest form.
///
/// ```
/// use deriv::algebra::{Form, tidy};
/// use deriv::{Pool, parse, print};
/// let mut pool = Pool::new();
/// let e = parse(&mut pool, "2/(x - 4) - (2*x + 1)/(x - 4)^2").unwrap();
/// let tidied = tidy(&mut pool, e, Form::Auto);
/// assert_eq!(print(&pool, tidied), "-9/(x - 4)^2");
/// ```
pub fn tidy(pool: &mut Pool, expr: ExprId, form: Form) -> ExprId {
    let all = candidates(pool, expr);
    pick(&all, form).expr
}

/// The candidate in `form`; for [`Form::Auto`], the one it keeps ([`chosen`]).
pub fn pick(candidates: &[Candidate], form: Form) -> &Candidate {
    match form {
        Form::Auto => chosen(candidates),
        form => candidates
            .iter()
            .find(|c| c.form == form)
            .unwrap_or(&candidates[0]),
    }
}

/// The candidate [`Form::Auto`] keeps: the fewest operators, then the earliest form.
pub fn chosen(candidates: &[Candidate]) -> &Candidate {
    let mut best = &candidates[0];
    for candidate in &candidates[1..] {
        let operators = |c: &Candidate| c.cost.map_or(usize::MAX, |cost| cost.operators);
        if operators(candidate) < operators(best) {
            best = candidate;
        }
    }
    best
}

/// `expr` in every form of [`Form::CANDIDATES`], in that order. Above
/// [`TIDY_MAX_NODES`] nodes, every form is `expr` itself.
pub fn candidates(pool: &mut Pool, expr: ExprId) -> Vec<Candidate> {
    let as_computed = || {
        Form::CANDIDATES
            .into_iter()
            .map(|form| Candidate {
                form,
                expr,
                cost: None,
                steps: Vec::new(),
            })
            .collect()
    };
    let mut memo = Memo::default();
    // Cheapest first: most small results (`4*pi*t*y/3`) have nothing to tidy.
    if !worth_tidying(pool, &mut memo, expr)
        || !small_enough(pool, expr)
        || free_symbols(pool, expr).len() > MAX_VARIABLES
    {
        return as_computed();
    }
    let (all, exhausted) = pool.with_budget(TIDY_BUDGET, |pool| all_rounds(pool, &mut memo, expr));
    if exhausted {
        return as_computed();
    }
    all
}

/// Results in more variables than this are left as computed: an entry of the gradient of
/// the kit's smallest network, written out (18 variables), spent a millisecond in the
/// pass for nothing, most of it in gcds of polynomials in many variables. A textbook's
/// answers have a few, and the blog post's network in its definitions' names 11.
const MAX_VARIABLES: usize = 12;

/// The work the forms of one result may take, in operands of the nodes they build (found
/// or new). Past it the result stays as computed. The 269 exercises of
/// `tests/quality/exercises.txt` take at most 7,766 (the implicit derivative of
/// `tan(x/y) = x + y`), 90% of them under 1,100; the kit's 12th derivative of `x^x`, whose
/// factored form has 228 operators against 299 as computed, needs between 40,000 and
/// 120,000 (4 ms in all).
const TIDY_BUDGET: u64 = 120_000;

/// The candidates of `expr`, the chosen one tidied again while it shrinks.
fn all_rounds(pool: &mut Pool, memo: &mut Memo, expr: ExprId) -> Vec<Candidate> {
    let mut all = candidates_at(pool, memo, expr, 0).to_vec();
    // The chosen form tidied again may shrink further (a tangent's derivative factored
    // first, then written over one denominator): go on while it does, so that the
    // result is a fixed point.
    for _ in 0..MAX_ROUNDS {
        let best = chosen(&all);
        let (form, current, cost) = (best.form, best.expr, best.cost);
        if current == expr {
            break;
        }
        let again = candidates_at(pool, memo, current, 0);
        let next = chosen(&again);
        let smaller = match (next.cost, cost) {
            (Some(next), Some(now)) => next.operators < now.operators,
            _ => false,
        };
        if !smaller {
            break;
        }
        let (steps, next_expr, next_cost) = (next.steps.clone(), next.expr, next.cost);
        if let Some(candidate) = all.iter_mut().find(|c| c.form == form) {
            candidate.steps.extend(steps);
            candidate.expr = next_expr;
            candidate.cost = next_cost;
        }
    }
    all
}

/// How many times the chosen form is tidied again while it shrinks.
const MAX_ROUNDS: usize = 3;

/// Whether any form could differ from `expr`: it has a sum of several terms, a
/// denominator, a power of a sum or a function the identities know. Most small results
/// (`2*x + y` has no common factor, but is checked) are answered here without building
/// a form. It looks at no more than [`TIDY_MAX_DISTINCT`] nodes: past them it answers
/// yes, for the size check to refuse.
fn worth_tidying(pool: &mut Pool, memo: &mut Memo, expr: ExprId) -> bool {
    let mut stack = vec![expr];
    let mut seen = FxHashSet::default();
    let mut sums = 0;
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if seen.len() > TIDY_MAX_DISTINCT {
            // Too big to tidy anyway: [`small_enough`] says so.
            return true;
        }
        match pool.node(id) {
            Node::Add(terms) => {
                sums += 1;
                stack.extend(terms.iter().copied());
            }
            Node::Mul(ops) => stack.extend(ops.iter().copied()),
            Node::Pow([base, exp]) => {
                let negative = pool.as_num(*exp).is_some_and(|e| e.is_negative());
                if negative || matches!(pool.node(*base), Node::Add(_)) {
                    return true;
                }
                stack.push(*base);
            }
            Node::Call(func, arg) => {
                if is_identity_function(*func) {
                    return true;
                }
                stack.push(*arg);
            }
            _ => {}
        }
    }
    // A sum: a common factor, or a product of sums, to find.
    sums > 1 || (sums == 1 && split(pool, memo, expr, 1).is_some()) || {
        matches!(pool.node(expr), Node::Mul(_)) && sums > 0
    }
}

/// The steps of the tidy pass from `expr` to its form `form` (none when it is already
/// in that form).
pub fn tidy_steps(pool: &mut Pool, expr: ExprId, form: Form) -> Vec<TidyStep> {
    let all = candidates(pool, expr);
    pick(&all, form).steps.clone()
}

/// The expanded form: one step, or none when expanding changes nothing or is too big.
fn expanded(pool: &mut Pool, expr: ExprId) -> Vec<TidyStep> {
    match expand(pool, expr) {
        Some(done) if done != expr => vec![TidyStep {
            rule: "expand".into(),
            expr: done,
        }],
        _ => Vec::new(),
    }
}

/// The factored form of `expr`: common factors out of a sum (with the numeric content
/// taken positive or negative, whichever is smaller), the sum left tidied in turn; in a
/// product or a fraction, each sum among the factors factored.
fn factored(pool: &mut Pool, memo: &mut Memo, expr: ExprId, depth: usize) -> Vec<TidyStep> {
    if depth > MAX_FACTOR_DEPTH {
        return Vec::new();
    }
    match pool.node(expr).clone() {
        Node::Add(_) => {
            let mut best: Option<(Cost, Vec<TidyStep>)> = None;
            // The sums left by the two signs are each other's negation: the forms of the
            // first, negated, are the forms of the second (the recursion halves).
            let mut first: Option<(ExprId, Rc<[Candidate]>)> = None;
            for sign in [1, -1] {
                let Some(split) = split(pool, memo, expr, sign) else {
                    continue;
                };
                let pulled = pool.mul2(split.common, split.cofactor);
                let mut steps = vec![TidyStep {
                    rule: factor_rule(pool, split.common),
                    expr: pulled,
                }];
                // The sum left, in its own simplest form.
                let inner: Rc<[Candidate]> = match &first {
                    Some((cofactor, forms)) if negated(pool, memo, *cofactor) == split.cofactor => {
                        (forms.iter())
                            .map(|c| negated_candidate(pool, memo, c))
                            .collect()
                    }
                    _ => candidates_at(pool, memo, split.cofactor, depth + 1),
                };
                if first.is_none() {
                    first = Some((split.cofactor, inner.clone()));
                }
                let best_inner = chosen(&inner);
                for step in &best_inner.steps {
                    let whole = pool.mul2(split.common, step.expr);
                    steps.push(TidyStep {
                        rule: step.rule.clone(),
                        expr: whole,
                    });
                }
                let result = steps.last().map_or(expr, |s| s.expr);
                let cost = Cost::of(pool, result);
                if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                    best = Some((cost, steps));
                }
            }
            // Only a factoring that pays for itself.
            match best {
                Some((cost, steps)) if cost.operators < Cost::of(pool, expr).operators => steps,
                _ => Vec::new(),
            }
        }
        Node::Mul(factors) => {
            let mut steps = Vec::new();
            let mut current: Vec<ExprId> = factors.to_vec();
            for k in 0..current.len() {
                let (base, exp) = match pool.node(current[k]) {
                    Node::Pow([base, exp]) => (*base, Some(*exp)),
                    _ => (current[k], None),
                };
                if !matches!(pool.node(base), Node::Add(_)) {
                    continue;
                }
                for step in factored_at(pool, memo, base, depth + 1).iter() {
                    current[k] = match exp {
                        Some(exp) => pool.pow(step.expr, exp),
                        None => step.expr,
                    };
                    let whole = pool.mul(&current);
                    steps.push(TidyStep {
                        rule: step.rule.clone(),
                        expr: whole,
                    });
                }
            }
            steps
        }
        _ => Vec::new(),
    }
}

/// [`common_factor`] of a part, found once per pass: the factored form's recursion meets
/// the same sums at several depths.
fn split(pool: &mut Pool, memo: &mut Memo, expr: ExprId, sign: i64) -> Option<Factored> {
    *(memo.splits.entry((expr, sign))).or_insert_with(|| common_factor(pool, expr, sign))
}

/// `-expr`, a sum negated term by term (as [`common_factor`] writes the sum left by a
/// negative factor), found once per pass: a sum's forms are mostly the sum itself.
fn negated(pool: &mut Pool, memo: &mut Memo, expr: ExprId) -> ExprId {
    *(memo.negations.entry(expr)).or_insert_with(|| negate(pool, expr))
}

/// `-expr`, a sum negated term by term.
fn negate(pool: &mut Pool, expr: ExprId) -> ExprId {
    match pool.node(expr) {
        Node::Add(terms) => {
            let terms = terms.to_vec();
            let negated: Vec<ExprId> = terms
                .into_iter()
                .map(|t| pool.mul2(ExprId::MINUS_ONE, t))
                .collect();
            pool.add(&negated)
        }
        _ => pool.mul2(ExprId::MINUS_ONE, expr),
    }
}

/// A candidate form of a sum, as the form of the negated sum.
fn negated_candidate(pool: &mut Pool, memo: &mut Memo, candidate: &Candidate) -> Candidate {
    let expr = negated(pool, memo, candidate.expr);
    let steps = (candidate.steps.iter())
        .map(|step| TidyStep {
            rule: step.rule.clone(),
            expr: negated(pool, memo, step.expr),
        })
        .collect();
    Candidate {
        form: candidate.form,
        expr,
        cost: candidate.cost.map(|_| Cost::of(pool, expr)),
        steps,
    }
}

/// The name of the step that pulls `common` out of a sum: a common denominator when
/// it is one (`1/(x - 4)^2`), else the factor.
fn factor_rule(pool: &mut Pool, common: ExprId) -> String {
    let negative_power = |pool: &Pool, f: ExprId| match pool.node(f) {
        Node::Pow([_, exp]) => pool.as_num(*exp).is_some_and(|e| e.is_negative()),
        _ => false,
    };
    let only_denominator = match pool.node(common) {
        Node::Mul(factors) => factors.iter().all(|&f| negative_power(pool, f)),
        _ => negative_power(pool, common),
    };
    if only_denominator {
        let denominator = pool.powi(common, -1);
        format!("common denominator {}", print(pool, denominator))
    } else {
        format!("factor out {}", print(pool, common))
    }
}

/// `expr` with every sum below the top (in function arguments, powers and products)
/// replaced by its simplest form, innermost first.
fn tidy_parts(pool: &mut Pool, memo: &mut Memo, expr: ExprId) -> ExprId {
    rewrite_bottom_up(pool, expr, |pool, id, rebuilt| {
        if id != expr
            && (matches!(pool.node(rebuilt), Node::Add(_)) || complex_fraction(pool, rebuilt))
        {
            let all = candidates_at(pool, memo, rebuilt, 1);
            chosen(&all).expr
        } else {
            rebuilt
        }
    })
}

/// Whether `expr` is a product holding a fraction inside a fraction: a factor that is a
/// sum (or a power of one) with a denominator among its terms, as the quotient and chain
/// rules leave `(u'/v - u*v'/v^2)/(u^2/v^2 + 1)`; over one denominator it is smaller.
fn complex_fraction(pool: &Pool, expr: ExprId) -> bool {
    let Node::Mul(factors) = pool.node(expr) else {
        return false;
    };
    let has_denominator = |pool: &Pool, term: ExprId| {
        let negative_power = |f: ExprId| match pool.node(f) {
            Node::Pow([_, exp]) => pool.as_num(*exp).is_some_and(|e| e.is_negative()),
            _ => false,
        };
        match pool.node(term) {
            Node::Mul(parts) => parts.iter().any(|&f| negative_power(f)),
            _ => negative_power(term),
        }
    };
    factors.iter().any(|&factor| {
        let base = match pool.node(factor) {
            Node::Pow([base, _]) => *base,
            _ => factor,
        };
        match pool.node(base) {
            Node::Add(terms) => terms.iter().any(|&t| has_denominator(pool, t)),
            _ => false,
        }
    })
}

/// The candidates of a part of a result, factored no deeper than `depth`, found once per
/// pass.
fn candidates_at(pool: &mut Pool, memo: &mut Memo, expr: ExprId, depth: usize) -> Rc<[Candidate]> {
    if let Some(found) = memo.candidates.get(&(expr, depth)) {
        return found.clone();
    }
    let all: Rc<[Candidate]> = search_candidates(pool, memo, expr, depth).into();
    memo.candidates.insert((expr, depth), all.clone());
    all
}

/// The factored form of a part ([`factored`]), found once per pass: a product's sums are
/// factored again where the sum's own candidates factored them.
fn factored_at(pool: &mut Pool, memo: &mut Memo, expr: ExprId, depth: usize) -> Rc<[TidyStep]> {
    if let Some(found) = memo.factored.get(&(expr, depth)) {
        return found.clone();
    }
    let steps: Rc<[TidyStep]> = factored(pool, memo, expr, depth).into();
    memo.factored.insert((expr, depth), steps.clone());
    steps
}

/// The candidates of a part of a result, factored no deeper than `depth`.
fn search_candidates(
    pool: &mut Pool,
    memo: &mut Memo,
    expr: ExprId,
    depth: usize,
) -> Vec<Candidate> {
    // Every form but the computed one starts from the identities applied and, at the
    // top, from every part tidied in its own right.
    let mut first: Vec<TidyStep> = Vec::new();
    let mut base = identities_with(pool, expr, &mut memo.identities);
    if base != expr {
        first.push(TidyStep {
            rule: "trigonometric identities".into(),
            expr: base,
        });
    }
    if depth == 0 {
        let parts = tidy_parts(pool, memo, base);
        if parts != base {
            base = parts;
            first.push(TidyStep {
                rule: "simplify each sum".into(),
                expr: base,
            });
        }
    }
    let own_cost = Cost::of(pool, expr);
    let mut all = Vec::with_capacity(Form::CANDIDATES.len());
    for form in Form::CANDIDATES {
        let rest = match form {
            Form::Computed | Form::Auto => {
                all.push(Candidate {
                    form,
                    expr,
                    cost: Some(own_cost),
                    steps: Vec::new(),
                });
                continue;
            }
            Form::Factored => factored_at(pool, memo, base, depth),
            // Each depth of the factored form's recursion meets the same parts again.
            Form::Together => (memo.together.entry(base))
                .or_insert_with(|| together_cancelled(pool, base).into())
                .clone(),
            Form::Expanded => (memo.expanded.entry(base))
                .or_insert_with(|| expanded(pool, base).into())
                .clone(),
        };
        let mut steps: Vec<TidyStep> = first.iter().chain(rest.iter()).cloned().collect();
        let mut result = steps.last().map_or(expr, |s| s.expr);
        let limit = FORM_GROWTH * TIDY_MAX_NODES;
        // An input undefined everywhere may come out as `undefined`: that is for the
        // caller's checks to say, not a form to choose.
        let unusable = result == ExprId::UNDEFINED || pool.limit_reached().is_some();
        if result != expr && (unusable || !tree_at_most(pool, result, limit, limit, u64::MAX)) {
            steps.clear();
            result = expr;
        }
        let cost = match all.iter().find(|c| c.expr == result) {
            Some(same) => same.cost,
            None => Some(Cost::of(pool, result)),
        };
        all.push(Candidate {
            form,
            expr: result,
            cost,
            steps,
        });
    }
    all
}
