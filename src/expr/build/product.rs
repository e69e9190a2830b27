//! Products: flattened, like factors merged, numbers folded, radicals and signs absorbed.

use std::cmp::Ordering;

use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::{ExprId, Node, Pool};

impl Pool {
    /// `a * b`.
    pub fn mul2(&mut self, a: ExprId, b: ExprId) -> ExprId {
        self.mul(&[a, b])
    }

    /// `a / b`.
    pub fn div(&mut self, a: ExprId, b: ExprId) -> ExprId {
        let inverse = self.pow(b, ExprId::MINUS_ONE);
        self.mul(&[a, inverse])
    }

    /// The product of `factors`, canonical.
    pub fn mul(&mut self, factors: &[ExprId]) -> ExprId {
        self.mul_rounds(factors, 0)
    }

    /// The canonical order of factors: powers of the same base adjacent.
    fn factor_order(&self, a: &ExprId, b: &ExprId) -> Ordering {
        if a == b {
            return Ordering::Equal;
        }
        self.factor_key(*a)
            .cmp(&self.factor_key(*b))
            .then_with(|| self.structural_cmp(self.as_power(*a).0, self.as_power(*b).0))
            .then_with(|| self.structural_cmp(*a, *b))
    }

    /// A product times one more factor that merges with none of its factors: inserted in
    /// place, in time linear in the product (the chain rule's `cos(u)*u'` at every level
    /// of a deep chain). `None` when the general path is needed.
    fn mul_insert(&mut self, product: ExprId, factor: ExprId) -> Option<ExprId> {
        let Node::Mul(_) = self.node(product) else {
            return None;
        };
        if !matches!(
            self.node(factor),
            Node::Sym(_)
                | Node::Const(_)
                | Node::Pow(_)
                | Node::Call(..)
                | Node::Atan2(_)
                | Node::Min(_)
                | Node::Max(_)
                | Node::LogSumExp(_)
                | Node::Apply { .. }
                | Node::Derivative { .. }
        ) {
            return None;
        }
        // A power of a sum with content (`(2*x + 2)^2`) moves it to the coefficient; a
        // root of a number may merge with another (see `merge_radicals`).
        if self.split_content(factor).is_some() || self.is_numeric_power(factor) {
            return None;
        }
        let Node::Mul(ops) = self.node(product) else {
            return None;
        };
        // A sign or an absolute value may meet its argument (see `absorb_sign`).
        if self.is_sign_or_abs(factor) || self.holds_sign_or_abs(product) {
            return None;
        }
        let start = usize::from(self.as_num(ops[0]).is_some());
        let rest = &ops[start..];
        let at = rest
            .binary_search_by(|probe| self.factor_order(probe, &factor))
            .err()?;
        let base = self.as_power(factor).0;
        let neighbours = [at.checked_sub(1), Some(at)];
        if neighbours
            .into_iter()
            .flatten()
            .filter_map(|k| rest.get(k))
            .any(|&n| self.as_power(n).0 == base)
        {
            return None;
        }
        let mut factors = Vec::with_capacity(ops.len() + 1);
        factors.extend_from_slice(&ops[..start + at]);
        factors.push(factor);
        factors.extend_from_slice(&ops[start + at..]);
        Some(self.intern(Node::Mul(factors.into())))
    }

    /// A number times a product: only the coefficient changes (the factors are already
    /// canonical). `None` when the general path is needed.
    fn scale(&mut self, number: ExprId, product: ExprId) -> Option<ExprId> {
        let factor = self.as_num(number)?;
        let Node::Mul(ops) = self.node(product) else {
            return None;
        };
        let (coeff, rest) = match self.as_num(ops[0]) {
            Some(c) => (c * factor, &ops[1..]),
            None => (factor.clone(), &ops[..]),
        };
        if coeff.is_zero() {
            return Some(ExprId::ZERO);
        }
        let rest = rest.to_vec();
        Some(self.finish_product(coeff, rest))
    }

    /// [`Pool::mul`]; `round` counts how often merged powers sent factors back in.
    fn mul_rounds(&mut self, factors: &[ExprId], round: u32) -> ExprId {
        if let [a, b] = *factors {
            if let Some(product) = self.scale(a, b).or_else(|| self.scale(b, a)) {
                return product;
            }
            if let Some(product) = self.mul_insert(a, b).or_else(|| self.mul_insert(b, a)) {
                return product;
            }
        }
        let mut coeff = Rational::ONE;
        let mut flat: Vec<ExprId> = Vec::with_capacity(factors.len() + 1);
        for &factor in factors {
            if factor == ExprId::UNDEFINED {
                return ExprId::UNDEFINED;
            }
            self.join_factor(factor, &mut coeff, &mut flat);
        }
        if coeff.is_zero() {
            return ExprId::ZERO;
        }
        if flat.len() > 1 {
            // In a product, a sum is primitive and its content joins the coefficient:
            // `(2*x + 2)*y` is `2*y*(x + 1)`, the same as `2*((x + 1)*y)`.
            for factor in &mut flat {
                if let Some((content, primitive)) = self.split_content(*factor) {
                    coeff = &coeff * &content;
                    *factor = primitive;
                }
            }
        }
        flat.sort_by(|a, b| self.factor_order(a, b));
        let mut merged = Vec::with_capacity(flat.len());
        // Merged powers that are numbers, products or have another base go round again.
        let mut again = Vec::new();
        let mut start = 0;
        while start < flat.len() {
            let base = self.as_power(flat[start]).0;
            let mut end = start + 1;
            while end < flat.len() && self.as_power(flat[end]).0 == base {
                end += 1;
            }
            if end - start == 1 {
                merged.push(flat[start]);
                start = end;
                continue;
            }
            let first_merged = merged.len();
            let mut run = flat[start..end].to_vec();
            if base != ExprId::E {
                run.sort_by(|a, b| {
                    self.exponent_term(self.as_power(*a).1)
                        .cmp(&self.exponent_term(self.as_power(*b).1))
                });
            }
            let mut from = 0;
            while from < run.len() {
                let term = self.exponent_term(self.as_power(run[from]).1);
                let mut to = from + 1;
                while to < run.len()
                    && (base == ExprId::E || self.exponent_term(self.as_power(run[to]).1) == term)
                {
                    to += 1;
                }
                if to - from == 1 {
                    merged.push(run[from]);
                } else {
                    let exps: Vec<ExprId> =
                        run[from..to].iter().map(|&f| self.as_power(f).1).collect();
                    let exp = self.add(&exps);
                    let power = self.pow(base, exp);
                    match self.node(power) {
                        Node::Undefined => return power,
                        Node::Num(value) => coeff = &coeff * value,
                        // A product (`sqrt(-z)^3/sqrt(-z)` is `-z`) is its own base to the
                        // first power, but joins as its factors.
                        Node::Mul(_) => again.push(power),
                        _ if self.as_power(power).0 == base => merged.push(power),
                        _ => again.push(power),
                    }
                }
                from = to;
            }
            merged[first_merged..].sort_by(|a, b| self.factor_order(a, b));
            start = end;
        }
        self.merge_radicals(&mut merged, &mut again);
        if !again.is_empty() && round < 4 {
            let mut all = merged;
            all.extend(again);
            all.push(self.num(coeff));
            return self.mul_rounds(&all, round + 1);
        }
        if !again.is_empty() {
            // Past the last round, a merged power that is a product still joins as its
            // factors: a product never holds a product.
            for power in again {
                self.join_factor(power, &mut coeff, &mut merged);
            }
            merged.sort_by(|a, b| self.factor_order(a, b));
        }
        if coeff.is_zero() {
            return ExprId::ZERO;
        }
        if merged.iter().any(|&f| self.is_sign_or_abs(f))
            && let Some(mut rewritten) = self
                .absorb_sign(&merged)
                .or_else(|| self.absorb_even_power(&merged))
        {
            rewritten.push(self.num(coeff));
            return self.mul_rounds(&rewritten, round);
        }
        self.finish_product(coeff, merged)
    }

    /// `factor` joined to a product's coefficient and factors: a number to the
    /// coefficient, a product as its coefficient and its factors (a product never holds a
    /// product), anything else as one factor.
    fn join_factor(&self, factor: ExprId, coeff: &mut Rational, factors: &mut Vec<ExprId>) {
        match self.node(factor) {
            Node::Num(value) => *coeff = &*coeff * value,
            // Its coefficient, if any, comes first.
            Node::Mul(ops) => match self.as_num(ops[0]) {
                Some(value) => {
                    *coeff = &*coeff * value;
                    factors.extend_from_slice(&ops[1..]);
                }
                None => factors.extend_from_slice(ops),
            },
            _ => factors.push(factor),
        }
    }

    /// Whether `f` is a number raised to a numeric power (`sqrt(2)`, `3^(2/3)`).
    fn is_numeric_power(&self, f: ExprId) -> bool {
        matches!(*self.node(f), Node::Pow([base, exp])
            if self.as_num(base).is_some() && self.as_num(exp).is_some())
    }

    /// Powers of integers with the same fractional exponent multiply under it:
    /// `sqrt(2)*sqrt(3)` is `sqrt(6)` (and `sqrt(2)*sqrt(6)`, `sqrt(12)`, is then
    /// `2*sqrt(3)`), so that `x*sqrt(3) - sqrt(6)` is 0 at `x = sqrt(2)`. The bases are
    /// positive, so `a^r*b^r = (a*b)^r` holds. The products go to `again`.
    fn merge_radicals(&mut self, factors: &mut Vec<ExprId>, again: &mut Vec<ExprId>) {
        let radical = |pool: &Pool, f: ExprId| -> Option<(Rational, Rational)> {
            let Node::Pow([base, exp]) = *pool.node(f) else {
                return None;
            };
            let (b, e) = (pool.as_num(base)?, pool.as_num(exp)?);
            (b.is_integer() && *b > Rational::ONE && !e.is_integer())
                .then(|| (b.clone(), e.clone()))
        };
        let mut radicals: Vec<(usize, Rational, Rational)> = factors
            .iter()
            .enumerate()
            .filter_map(|(i, &f)| radical(self, f).map(|(b, e)| (i, b, e)))
            .collect();
        if radicals.len() < 2 {
            return;
        }
        radicals.sort_by(|a, b| a.2.cmp(&b.2));
        let mut removed = Vec::new();
        for group in radicals.chunk_by(|a, b| a.2 == b.2) {
            if group.len() < 2 {
                continue;
            }
            let product = group.iter().fold(Rational::ONE, |acc, (_, b, _)| &acc * b);
            let (base, exp) = (self.num(product), self.num(group[0].2.clone()));
            again.push(self.pow(base, exp));
            removed.extend(group.iter().map(|&(i, _, _)| i));
        }
        removed.sort_unstable();
        for i in removed.into_iter().rev() {
            factors.remove(i);
        }
    }

    /// `sign(u)*u^k = |u|*u^(k-1)` for an integer `k ≥ 1`, `sign(u)*|u| = u`, and
    /// `sign(u)/|u| = 1/u` (both undefined at 0): the factors rewritten, or `None` when no
    /// sign meets its argument. So the derivative of `|x|^3` (`x^2*|x|`) is `3*x*|x|`,
    /// not `2*x*|x| + x^2*sign(x)`, and that of `ln(|x|)` is `1/x`. In a denominator the
    /// same (`1/(sign(u)*u^k)` is `1/(|u|*u^(k-1))`, `1/(sign(u)*|u|)` is `1/u`), so that
    /// a product is the same however its factors were grouped: `1/x*1/sign(x)` is
    /// `1/|x|`, as the printed `1/(x*sign(x))` reads.
    fn absorb_sign(&mut self, factors: &[ExprId]) -> Option<Vec<ExprId>> {
        factors.iter().enumerate().find_map(|(i, &sign)| {
            if let Node::Pow([base, ExprId::MINUS_ONE]) = *self.node(sign)
                && let Node::Call(Func::Sign, arg) = *self.node(base)
            {
                return self.absorb_sign_below(factors, i, arg);
            }
            let Node::Call(Func::Sign, arg) = *self.node(sign) else {
                return None;
            };
            factors.iter().enumerate().find_map(|(j, &f)| {
                if matches!(*self.node(f), Node::Call(Func::Abs, inner) if inner == arg) {
                    return Some(replaced(factors, i, j, [arg]));
                }
                if self.is_reciprocal_abs_of(f, arg) {
                    let reciprocal = self.pow(arg, ExprId::MINUS_ONE);
                    return Some(replaced(factors, i, j, [reciprocal]));
                }
                let k = self.integer_power_of(f, arg).filter(|&k| k >= 1)?;
                let magnitude = self.call(Func::Abs, arg);
                let lower = self.int(k - 1);
                let lower = self.pow(arg, lower);
                Some(replaced(factors, i, j, [magnitude, lower]))
            })
        })
    }

    /// Whether `f` is `1/|arg|`.
    fn is_reciprocal_abs_of(&self, f: ExprId, arg: ExprId) -> bool {
        matches!(*self.node(f), Node::Pow([base, ExprId::MINUS_ONE])
            if matches!(*self.node(base), Node::Call(Func::Abs, inner) if inner == arg))
    }

    /// [`Pool::absorb_sign`] for the factor `1/sign(u)` at `i`: `1/(sign(u)*|u|)` is
    /// `1/u`, and `u^k/sign(u)` for an integer `k ≤ -1` is `u^(k+1)/|u|`.
    fn absorb_sign_below(
        &mut self,
        factors: &[ExprId],
        i: usize,
        arg: ExprId,
    ) -> Option<Vec<ExprId>> {
        factors.iter().enumerate().find_map(|(j, &f)| {
            if self.is_reciprocal_abs_of(f, arg) {
                let reciprocal = self.pow(arg, ExprId::MINUS_ONE);
                return Some(replaced(factors, i, j, [reciprocal]));
            }
            let k = self.integer_power_of(f, arg).filter(|&k| k <= -1)?;
            let magnitude = self.call(Func::Abs, arg);
            let magnitude = self.pow(magnitude, ExprId::MINUS_ONE);
            let higher = self.int(k + 1);
            let higher = self.pow(arg, higher);
            Some(replaced(factors, i, j, [magnitude, higher]))
        })
    }

    /// `u^k*|u|^s` with an even `k` and `s = ±1` of the other sign is `|u|^(k+s)`, written
    /// as [`Pool::pow`] writes odd powers of `|u|` (`u^(k+s-1)*|u|`, `u^(k+s+1)/|u|`): so
    /// `x^2/|x|` is `|x|` and `|x|/x^2` is `1/|x|`. The factors rewritten, or `None`.
    fn absorb_even_power(&mut self, factors: &[ExprId]) -> Option<Vec<ExprId>> {
        factors.iter().enumerate().find_map(|(i, &abs)| {
            let (arg, s) = match *self.node(abs) {
                Node::Call(Func::Abs, arg) => (arg, 1),
                Node::Pow([base, ExprId::MINUS_ONE]) => match *self.node(base) {
                    Node::Call(Func::Abs, arg) => (arg, -1),
                    _ => return None,
                },
                _ => return None,
            };
            factors.iter().enumerate().find_map(|(j, &f)| {
                let k = self.integer_power_of(f, arg)?;
                if k % 2 != 0 || (k < 0) != (s > 0) {
                    return None;
                }
                let magnitude = self.call(Func::Abs, arg);
                let odd = self.int(k + s);
                let power = self.pow(magnitude, odd);
                Some(replaced(factors, i, j, [power]))
            })
        })
    }

    /// `k` when `factor` is `base^k` for an integer `k` (`base` itself is `base^1`).
    fn integer_power_of(&self, factor: ExprId, base: ExprId) -> Option<i64> {
        if factor == base {
            return Some(1);
        }
        match *self.node(factor) {
            Node::Pow([b, exp]) if b == base => self.as_num(exp)?.to_i64(),
            _ => None,
        }
    }

    /// Builds the product node from a coefficient and merged, sorted factors.
    fn finish_product(&mut self, coeff: Rational, mut factors: Vec<ExprId>) -> ExprId {
        if factors.is_empty() {
            return self.num(coeff);
        }
        if factors.len() == 1 {
            if coeff.is_one() {
                return factors[0];
            }
            if let Node::Add(terms) = self.node(factors[0]) {
                // A number times a sum distributes, so that `2*(x + 1) - 2*x` is `2`.
                let terms = terms.to_vec();
                let scale = self.num(coeff);
                let scaled: Vec<ExprId> = terms.iter().map(|&t| self.mul2(scale, t)).collect();
                return self.add(&scaled);
            }
        }
        if !coeff.is_one() {
            let coeff = self.num(coeff);
            factors.insert(0, coeff);
        }
        self.intern(Node::Mul(factors.into()))
    }

    /// An exponent without its numeric coefficient, as the factors of the rest: `[]`
    /// for a number, `[y]` for `y` and `3*y`. Powers of one base merge only when their
    /// exponents share this term, as in SymPy: `x^(2*y)*x^y` is `x^(3*y)`, but `x^x/x`
    /// stays as it is rather than becoming `x^(x - 1)`, so that the derivatives of
    /// `x^x` keep the common factor `x^x` and their like terms collect.
    fn exponent_term(&self, exp: ExprId) -> ExponentTerm<'_> {
        let factors = match self.node(exp) {
            Node::Num(_) => return ExponentTerm::Number,
            Node::Mul(ops) if self.as_num(ops[0]).is_some() => &ops[1..],
            Node::Mul(ops) => ops,
            _ => return ExponentTerm::One(exp),
        };
        match factors {
            [one] => ExponentTerm::One(*one),
            many => ExponentTerm::Product(many),
        }
    }

    /// A factor as `(base, exponent, factor)`: `exp(u)` counts as `e^u`.
    fn as_power(&self, factor: ExprId) -> (ExprId, ExprId, ExprId) {
        match *self.node(factor) {
            Node::Pow([base, exp]) => (base, exp, factor),
            Node::Call(Func::Exp, arg) => (ExprId::E, arg, factor),
            _ => (factor, ExprId::ONE, factor),
        }
    }
}

/// `factors` without the ones at `i` and `j`, and with `with` added.
fn replaced<const N: usize>(
    factors: &[ExprId],
    i: usize,
    j: usize,
    with: [ExprId; N],
) -> Vec<ExprId> {
    let kept = factors
        .iter()
        .enumerate()
        .filter(|&(n, _)| n != i && n != j)
        .map(|(_, &f)| f);
    kept.chain(with).collect()
}

/// [`Pool::exponent_term`]: an exponent's factors after its numeric coefficient.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ExponentTerm<'a> {
    Number,
    One(ExprId),
    Product(&'a [ExprId]),
}
