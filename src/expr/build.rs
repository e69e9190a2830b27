//! The canonicalizing constructors: every node is simplified as it is built.
//!
//! Rules applied here, and nowhere else:
//! - sums and products flatten, collect like terms (`2*x + 3*x` → `5*x`) and like factors
//!   (`x*x^2` → `x^3`, `exp(a)*exp(b)` → `exp(a + b)`), fold numbers exactly and drop the
//!   identities `0` and `1`; a number times a sum distributes (`2*(x + 1)` → `2*x + 2`);
//! - powers evaluate exactly when the result is rational (`8^(2/3)` → `4`), merge only where
//!   that is valid on the whole real domain (`(x^2)^(1/2)` → `abs(x)`, never `x`) and
//!   distribute over products for integer exponents;
//! - functions evaluate at known points (`sin(0)`, `ln(e)`, `cos(pi/3)`), use their parity
//!   (`cos(-x)` → `cos(x)`) and cancel their inverse (`exp(ln(u))` → `u`);
//! - undefined constant values (`1/0`, `0^-1`, `ln(0)`, `asin(2)`) become
//!   [`ExprId::UNDEFINED`] with a reason.
//!
//! Odd roots are real: `x^(1/3)` is the real cube root, defined for negative `x`. A power
//! with an even root or a symbolic exponent needs a non-negative base.

use std::cmp::Ordering;

use num_integer::{Integer, Roots};

use crate::expr::func::{Func, Parity};
use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Node, Pool, SymbolId};

impl Pool {
    /// The sum of `terms`, canonical.
    pub fn add(&mut self, terms: &[ExprId]) -> ExprId {
        let mut constant = Rational::ZERO;
        let mut flat = Vec::with_capacity(terms.len());
        for &term in terms {
            match self.node(term) {
                Node::Undefined => return ExprId::UNDEFINED,
                Node::Num(value) => constant = &constant + value,
                Node::Add(ops) => {
                    let (first, rest) = match self.as_num(ops[0]) {
                        Some(value) => (Some(value), &ops[1..]),
                        None => (None, &ops[..]),
                    };
                    if let Some(value) = first {
                        constant = &constant + value;
                    }
                    flat.extend_from_slice(rest);
                }
                _ => flat.push(term),
            }
        }
        if flat.len() > 1 {
            // A stable sort finds the runs that flattened sums bring already sorted, so
            // adding a term to a long sum costs a merge, not a full sort.
            flat.sort_by(|a, b| self.term_order(a, b));
            flat = self.collect_like_terms(flat);
        }
        if flat.is_empty() {
            return self.num(constant);
        }
        if !constant.is_zero() {
            let constant = self.num(constant);
            flat.insert(0, constant);
        } else if flat.len() == 1 {
            return flat[0];
        }
        self.intern(Node::Add(flat.into()))
    }

    /// The canonical order of terms: like terms (equal but for the coefficient) adjacent.
    fn term_order(&self, a: &ExprId, b: &ExprId) -> Ordering {
        if a == b {
            return Ordering::Equal;
        }
        self.term_key(*a).cmp(&self.term_key(*b)).then_with(|| {
            let (ra, rb) = (self.term_rest(a), self.term_rest(b));
            ra.len().cmp(&rb.len()).then_with(|| {
                ra.iter()
                    .zip(rb)
                    .map(|(x, y)| self.structural_cmp(*x, *y))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
        })
    }

    /// Merges adjacent like terms of a sorted list; the order stays canonical.
    fn collect_like_terms(&mut self, terms: Vec<ExprId>) -> Vec<ExprId> {
        let mut merged = Vec::with_capacity(terms.len());
        let mut start = 0;
        while start < terms.len() {
            let mut end = start + 1;
            while end < terms.len() && self.term_rest(&terms[end]) == self.term_rest(&terms[start])
            {
                end += 1;
            }
            if end - start == 1 {
                merged.push(terms[start]);
            } else {
                let mut coeff = Rational::ZERO;
                for &term in &terms[start..end] {
                    coeff = &coeff + &self.term_coeff(term);
                }
                if !coeff.is_zero() {
                    let rest: Vec<ExprId> = self.term_rest(&terms[start]).to_vec();
                    merged.push(self.scaled_term(coeff, &rest));
                }
            }
            start = end;
        }
        merged
    }

    /// The factors of a term without its numeric coefficient (`[x, y]` for `3*x*y`).
    fn term_rest<'a>(&'a self, term: &'a ExprId) -> &'a [ExprId] {
        match self.node(*term) {
            Node::Mul(ops) if matches!(self.node(ops[0]), Node::Num(_)) => &ops[1..],
            Node::Mul(ops) => ops,
            _ => std::slice::from_ref(term),
        }
    }

    /// The numeric coefficient of a term (`1` when it has none).
    fn term_coeff(&self, term: ExprId) -> Rational {
        match self.node(term) {
            Node::Mul(ops) => match self.node(ops[0]) {
                Node::Num(value) => value.clone(),
                _ => Rational::ONE,
            },
            _ => Rational::ONE,
        }
    }

    /// `coeff * rest`, where `rest` is the canonical factor list of a term.
    fn scaled_term(&mut self, coeff: Rational, rest: &[ExprId]) -> ExprId {
        if coeff.is_one() && rest.len() == 1 {
            return rest[0];
        }
        let mut factors = Vec::with_capacity(rest.len() + 1);
        if !coeff.is_one() {
            factors.push(self.num(coeff));
        }
        factors.extend_from_slice(rest);
        self.intern(Node::Mul(factors.into()))
    }

    /// `a + b`.
    pub fn add2(&mut self, a: ExprId, b: ExprId) -> ExprId {
        self.add(&[a, b])
    }

    /// `a - b`.
    pub fn sub(&mut self, a: ExprId, b: ExprId) -> ExprId {
        let minus_b = self.neg(b);
        self.add(&[a, minus_b])
    }

    /// `-a`.
    pub fn neg(&mut self, a: ExprId) -> ExprId {
        self.mul(&[ExprId::MINUS_ONE, a])
    }

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
            match self.node(factor) {
                Node::Undefined => return ExprId::UNDEFINED,
                Node::Num(value) => coeff = &coeff * value,
                Node::Mul(ops) => {
                    let (first, rest) = match self.as_num(ops[0]) {
                        Some(value) => (Some(value), &ops[1..]),
                        None => (None, &ops[..]),
                    };
                    if let Some(value) = first {
                        coeff = &coeff * value;
                    }
                    flat.extend_from_slice(rest);
                }
                _ => flat.push(factor),
            }
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
            merged.extend(again);
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

    /// `sign(u)*u^k = |u|*u^(k-1)` for an integer `k ≥ 1`, and `sign(u)*|u| = u`: the
    /// factors rewritten, or `None` when no sign meets its argument. So the derivative of
    /// `|x|^3` (`x^2*|x|`) is `3*x*|x|`, not `2*x*|x| + x^2*sign(x)`.
    fn absorb_sign(&mut self, factors: &[ExprId]) -> Option<Vec<ExprId>> {
        factors.iter().enumerate().find_map(|(i, &sign)| {
            let Node::Call(Func::Sign, arg) = *self.node(sign) else {
                return None;
            };
            factors.iter().enumerate().find_map(|(j, &f)| {
                if matches!(*self.node(f), Node::Call(Func::Abs, inner) if inner == arg) {
                    return Some(replaced(factors, i, j, [arg]));
                }
                let k = self.integer_power_of(f, arg).filter(|&k| k >= 1)?;
                let magnitude = self.call(Func::Abs, arg);
                let lower = self.int(k - 1);
                let lower = self.pow(arg, lower);
                Some(replaced(factors, i, j, [magnitude, lower]))
            })
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

    /// `base ^ exp`, canonical.
    pub fn pow(&mut self, base: ExprId, exp: ExprId) -> ExprId {
        if base == ExprId::UNDEFINED || exp == ExprId::UNDEFINED {
            return ExprId::UNDEFINED;
        }
        if exp == ExprId::ZERO {
            if base == ExprId::ZERO {
                return self.undefined("0^0 is undefined".into());
            }
            return ExprId::ONE;
        }
        if exp == ExprId::ONE || base == ExprId::ONE {
            return base;
        }
        if let (Node::Num(b), Node::Num(e)) = (self.node(base), self.node(exp)) {
            let (b, e) = (b.clone(), e.clone());
            return self.pow_numbers(base, &b, exp, &e);
        }
        if base == ExprId::ZERO {
            return self.intern(Node::Pow([base, exp]));
        }
        let exp_num = self.as_num(exp).cloned();
        match self.node(base).clone() {
            Node::Const(Constant::E) => self.call(Func::Exp, exp),
            Node::Call(Func::Exp, arg) => {
                let product = self.mul2(arg, exp);
                self.call(Func::Exp, product)
            }
            Node::Pow([inner_base, inner_exp]) => {
                let inner_num = self.as_num(inner_exp).cloned();
                let exp_is_integer = exp_num.as_ref().is_some_and(Rational::is_integer);
                match inner_num {
                    _ if exp_is_integer => {
                        let product = self.mul2(inner_exp, exp);
                        self.pow(inner_base, product)
                    }
                    Some(a) if a.has_odd_numer() => {
                        let product = self.mul2(inner_exp, exp);
                        self.pow(inner_base, product)
                    }
                    Some(_) if exp_num.is_some() => {
                        // (u^(2k/q))^b = |u|^(2k*b/q): the inner power is never negative.
                        let magnitude = self.call(Func::Abs, inner_base);
                        let product = self.mul2(inner_exp, exp);
                        self.pow(magnitude, product)
                    }
                    // A symbolic inner exponent needs a positive base, and then
                    // (u^a)^b = u^(a*b); kept for numeric b only, so that powers of
                    // u^a with symbolic exponents still merge with each other.
                    None if exp_num.is_some() => {
                        let product = self.mul2(inner_exp, exp);
                        self.pow(inner_base, product)
                    }
                    _ => self.intern(Node::Pow([base, exp])),
                }
            }
            Node::Add(_) if exp_num.as_ref().is_some_and(Rational::is_integer) => {
                // (2*x + 2)^-1 = 2^-1 * (x + 1)^-1: an integer power of a sum keeps the
                // sum primitive, so that `1/(2*(x + 1))` reads back as itself.
                match self.split_content(base) {
                    Some((content, primitive)) => {
                        let content = self.num(content);
                        let outer = self.pow(content, exp);
                        let inner = self.pow(primitive, exp);
                        self.mul2(outer, inner)
                    }
                    None => self.intern(Node::Pow([base, exp])),
                }
            }
            Node::Mul(factors) => {
                if exp_num.as_ref().is_some_and(Rational::is_integer) {
                    let powers: Vec<ExprId> = factors.iter().map(|&f| self.pow(f, exp)).collect();
                    return self.mul(&powers);
                }
                match self.as_num(factors[0]).cloned() {
                    Some(coeff) if !coeff.is_negative() => {
                        let outer = self.pow(factors[0], exp);
                        let rest = self.mul(&factors[1..]);
                        let inner = self.pow(rest, exp);
                        self.mul2(outer, inner)
                    }
                    _ => self.intern(Node::Pow([base, exp])),
                }
            }
            // |u|^(2k/q) = u^(2k/q) for odd q: an even power of a real odd root.
            Node::Call(Func::Abs, arg)
                if exp_num
                    .as_ref()
                    .is_some_and(|e| !e.has_odd_numer() && e.has_odd_denom()) =>
            {
                self.pow(arg, exp)
            }
            // |u|^3 = u^2*|u| and |u|^-3 = u^-2*|u|^-1: the even part leaves the absolute
            // value, so that |u|^3 and |u|*|u|^2 are one expression.
            Node::Call(Func::Abs, arg)
                if exp_num
                    .as_ref()
                    .is_some_and(|e| e.is_integer() && e.abs() > Rational::ONE) =>
            {
                let sign = if exp_num.as_ref().is_some_and(Rational::is_negative) {
                    ExprId::MINUS_ONE
                } else {
                    ExprId::ONE
                };
                let even = self.sub(exp, sign);
                let even_part = self.pow(arg, even);
                let odd_part = self.intern(Node::Pow([base, sign]));
                let odd_part = if sign == ExprId::ONE { base } else { odd_part };
                self.mul2(even_part, odd_part)
            }
            _ => self.intern(Node::Pow([base, exp])),
        }
    }

    /// `b ^ e` for numbers: exact when the result is rational, otherwise a power with the
    /// integer part of the exponent split off (`2^(3/2)` → `2*2^(1/2)`).
    fn pow_numbers(&mut self, base: ExprId, b: &Rational, exp: ExprId, e: &Rational) -> ExprId {
        if b.is_zero() {
            return if e.is_negative() {
                self.undefined(if *e == Rational::MINUS_ONE {
                    "division by zero".to_string()
                } else {
                    format!("0^({e}) divides by zero")
                })
            } else {
                ExprId::ZERO
            };
        }
        if e.is_integer() {
            return match b.pow(e, self.max_power_bits()) {
                Some(value) => self.num(value),
                // Too large to write out: keep it as a power.
                None => self.intern(Node::Pow([base, exp])),
            };
        }
        if b.is_negative() {
            if !e.has_odd_denom() {
                let shown = if *e == Rational::HALF {
                    format!("sqrt({b})")
                } else {
                    format!("({b})^({e})")
                };
                return self.undefined(format!(
                    "{shown} is not real (an even root of a negative number)"
                ));
            }
            let magnitude = self.num(b.abs());
            let root = self.pow(magnitude, exp);
            return if e.has_odd_numer() {
                self.neg(root)
            } else {
                root
            };
        }
        if !b.is_integer() {
            // (p/q)^e = p^e * q^-e, so that only integers appear under roots.
            let numer = self.num(Rational::from_bigint(b.numer()));
            let denom = self.num(Rational::from_bigint(b.denom()));
            let minus_exp = self.num(-e);
            let top = self.pow(numer, exp);
            let bottom = self.pow(denom, minus_exp);
            return self.mul2(top, bottom);
        }
        let whole = Rational::from_bigint(Integer::div_floor(&e.numer(), &e.denom()));
        // Decide by the larger integer power next to |e| (2 for 11/10 and -11/10), so that
        // b^e and b^-e are either both split or both left as they are.
        let ceiling = Rational::from_bigint(Integer::div_ceil(&e.abs().numer(), &e.denom()));
        if b.pow(&ceiling, self.max_power_bits()).is_none() {
            // Too large to write out: 2^(3300001/3) stays as it is.
            return self.intern(Node::Pow([base, exp]));
        }
        if !whole.is_zero() {
            let frac = e - &whole;
            let (whole, frac) = (self.num(whole), self.num(frac));
            let integer_part = self.pow(base, whole);
            let root_part = self.pow(base, frac);
            return self.mul2(integer_part, root_part);
        }
        let Ok(q) = u32::try_from(e.denom()) else {
            return self.intern(Node::Pow([base, exp]));
        };
        let numer = self.num(Rational::from_bigint(e.numer()));
        if let Some(root) = b.exact_root(q) {
            let root = self.num(root);
            return self.pow(root, numer);
        }
        // 4^(1/4) = 2^(1/2): a perfect power m^k under a root is m with k in the exponent,
        // so that 4^(3/4) and 2*4^(1/4) are one expression (2*2^(1/2)).
        if let Some((m, k)) = b.to_i64().and_then(perfect_power) {
            let m = self.int(m);
            let exp = self.num(e * &Rational::int(k));
            return self.pow(m, exp);
        }
        // 8^(1/2) = 2*2^(1/2): take perfect q-th powers out from under the root.
        if let Some((outside, inside)) = b.to_i64().and_then(|n| split_root(n, q)) {
            let outside = self.int(outside);
            let inside = self.int(inside);
            let outer = self.pow(outside, numer);
            let inner = self.pow(inside, exp);
            return self.mul2(outer, inner);
        }
        self.intern(Node::Pow([base, exp]))
    }

    /// The content of a sum: the gcd of its coefficients' numerators over the lcm of their
    /// denominators (`2` for `4*x + 6`, `1/6` for `x/2 + y/3`), negative when most
    /// coefficients are (`-2` for `-2*x - 2`). Dividing by it leaves a primitive sum.
    pub(crate) fn content(&self, terms: &[ExprId]) -> Rational {
        let mut content = Rational::ZERO;
        let mut balance = 0i64;
        for &term in terms {
            let coeff = match self.node(term) {
                Node::Num(value) => value.clone(),
                _ => self.term_coeff(term),
            };
            balance += if coeff.is_negative() { 1 } else { -1 };
            content = content.gcd(&coeff);
        }
        if balance > 0 { -&content } else { content }
    }

    /// `(content, primitive sum)` for a sum, or `None` when it is primitive already.
    fn split_content(&mut self, sum: ExprId) -> Option<(Rational, ExprId)> {
        if self.is_primitive_sum(sum) {
            return None;
        }
        let Node::Add(terms) = self.node(sum) else {
            return None;
        };
        let content = self.content(terms);
        if content.is_one() {
            return None;
        }
        let inverse = content.recip()?;
        let inverse = self.num(inverse);
        let primitive = self.mul2(inverse, sum);
        Some((content, primitive))
    }

    /// `base ^ n` for an integer `n`.
    pub fn powi(&mut self, base: ExprId, n: i64) -> ExprId {
        let exp = self.int(n);
        self.pow(base, exp)
    }

    /// The built-in function `func` applied to `arg`, canonical.
    pub fn call(&mut self, func: Func, arg: ExprId) -> ExprId {
        if arg == ExprId::UNDEFINED {
            return arg;
        }
        if let Some(positive) = self.negated(arg) {
            match func.parity() {
                Parity::Odd => {
                    let value = self.call(func, positive);
                    return self.neg(value);
                }
                Parity::Even => return self.call(func, positive),
                Parity::None => {}
            }
        }
        if let Some(value) = self.known_value(func, arg) {
            return value;
        }
        match (func, self.node(arg).clone()) {
            (Func::Exp, Node::Call(Func::Ln, inner))
            | (Func::Ln, Node::Call(Func::Exp, inner))
            | (Func::Expm1, Node::Call(Func::Log1p, inner))
            | (Func::Log1p, Node::Call(Func::Expm1, inner)) => inner,
            // exp(k*ln(n)) = n^k for a positive number n (`ln(4)` is `2*ln(2)`, and
            // `exp(ln(4))` is still 4).
            (Func::Exp, Node::Mul(factors)) if factors.len() == 2 => {
                match (self.as_num(factors[0]), self.node(factors[1])) {
                    (Some(_), &Node::Call(Func::Ln, n)) if self.as_num(n).is_some() => {
                        self.pow(n, factors[0])
                    }
                    _ => self.intern(Node::Call(func, arg)),
                }
            }
            (Func::Abs | Func::Sign, Node::Call(Func::Abs, _)) if func == Func::Abs => arg,
            (Func::Abs, Node::Call(Func::Exp, _)) => arg,
            (Func::Abs, Node::Pow([_, exp]))
                if self.as_num(exp).is_some_and(Rational::is_even_integer) =>
            {
                arg
            }
            (Func::Abs | Func::Sign, Node::Mul(factors)) if self.as_num(factors[0]).is_some() => {
                let coeff = factors[0];
                let rest = self.mul(&factors[1..]);
                let outer = self.call(func, coeff);
                let inner = self.call(func, rest);
                self.mul2(outer, inner)
            }
            _ => self.intern(Node::Call(func, arg)),
        }
    }

    /// `u` when `arg` is `-u` written with a negative number or coefficient.
    fn negated(&mut self, arg: ExprId) -> Option<ExprId> {
        match self.node(arg) {
            Node::Num(value) if value.is_negative() => {
                let value = -value;
                Some(self.num(value))
            }
            Node::Mul(factors) if self.as_num(factors[0]).is_some_and(Rational::is_negative) => {
                Some(self.neg(arg))
            }
            _ => None,
        }
    }

    /// The value of `func(arg)` at a known point, or `UNDEFINED` outside the domain.
    fn known_value(&mut self, func: Func, arg: ExprId) -> Option<ExprId> {
        if let Some(value) = self.as_num(arg).cloned() {
            return self.known_value_at_number(func, &value);
        }
        if let Some(k) = self.pi_multiple(arg) {
            let value = match func {
                Func::Sin => self.sin_pi(&k),
                Func::Cos => self.sin_pi(&(&k + &Rational::HALF)),
                Func::Tan | Func::Sec | Func::Csc | Func::Cot => {
                    let sin = self.sin_pi(&k)?;
                    let cos = self.sin_pi(&(&k + &Rational::HALF))?;
                    let (top, bottom) = match func {
                        Func::Tan => (sin, cos),
                        Func::Sec => (ExprId::ONE, cos),
                        Func::Csc => (ExprId::ONE, sin),
                        _ => (cos, sin),
                    };
                    if bottom == ExprId::ZERO {
                        let text = format!("{}({{}}) is undefined (a pole)", func.name());
                        return Some(self.undefined_about(text, arg));
                    }
                    Some(self.div(top, bottom))
                }
                _ => None,
            };
            if value.is_some() {
                return value;
            }
        }
        match (func, self.node(arg)) {
            (Func::Ln, Node::Const(Constant::E)) => Some(ExprId::ONE),
            (Func::Abs | Func::Sign, _) if self.is_constant(arg) => {
                let value = crate::expr::eval::eval_constant(self, arg)?;
                // Decide the sign only with a wide margin; near zero the expression stays.
                if value.abs() < 1e-6 || !value.is_finite() {
                    return None;
                }
                let positive = value > 0.0;
                Some(match (func, positive) {
                    (Func::Abs, true) => arg,
                    (Func::Abs, false) => self.neg(arg),
                    (_, true) => ExprId::ONE,
                    (_, false) => ExprId::MINUS_ONE,
                })
            }
            _ => None,
        }
    }

    fn known_value_at_number(&mut self, func: Func, x: &Rational) -> Option<ExprId> {
        let zero = x.is_zero();
        let one = x.is_one();
        let not_real = |pool: &mut Pool, why: &str| {
            Some(pool.undefined(format!("{}({x}) is {why}", func.name())))
        };
        match func {
            // An odd function defined at 0 vanishes there.
            _ if zero
                && func.parity() == Parity::Odd
                && !matches!(
                    func,
                    Func::Csc | Func::Cot | Func::Csch | Func::Coth | Func::Acsch
                ) =>
            {
                // acsc(0) and acoth(0) are outside the domain: below.
                if matches!(func, Func::Acsc | Func::Acoth) {
                    return not_real(self, "not real (the argument is inside (-1, 1))");
                }
                Some(ExprId::ZERO)
            }
            Func::Cos | Func::Sec | Func::Cosh | Func::Exp | Func::Sech | Func::Erfc if zero => {
                Some(ExprId::ONE)
            }
            Func::Expm1 | Func::Log1p | Func::Gelu | Func::Silu | Func::Elu if zero => {
                Some(ExprId::ZERO)
            }
            Func::Csc | Func::Cot | Func::Csch | Func::Coth | Func::Acsch if zero => {
                not_real(self, "undefined (a pole)")
            }
            Func::Acot if zero => Some(self.pi_times(Rational::HALF)),
            Func::Acot if one => Some(self.pi_times(Rational::new(1, 4)?)),
            Func::Acot if *x == Rational::MINUS_ONE => Some(self.pi_times(Rational::new(-1, 4)?)),
            Func::Asec | Func::Acsc if x.abs() < Rational::ONE => {
                not_real(self, "not real (the argument is inside (-1, 1))")
            }
            Func::Asec if one => Some(ExprId::ZERO),
            Func::Asec if *x == Rational::MINUS_ONE => Some(self.pi_times(Rational::ONE)),
            Func::Asec if *x == Rational::int(2) => Some(self.pi_times(Rational::new(1, 3)?)),
            Func::Asec if *x == Rational::int(-2) => Some(self.pi_times(Rational::new(2, 3)?)),
            Func::Acsc if one => Some(self.pi_times(Rational::HALF)),
            Func::Acsc if *x == Rational::int(2) => Some(self.pi_times(Rational::new(1, 6)?)),
            Func::Asech if x.is_negative() || zero || *x > Rational::ONE => {
                not_real(self, "not real (the argument is outside (0, 1])")
            }
            Func::Asech if one => Some(ExprId::ZERO),
            Func::Acoth if x.abs() < Rational::ONE => {
                not_real(self, "not real (the argument is inside (-1, 1))")
            }
            Func::Acoth if one => not_real(self, "undefined (a pole)"),
            Func::Log1p if *x == Rational::MINUS_ONE => {
                not_real(self, "undefined (the logarithm of zero)")
            }
            Func::Log1p if *x < Rational::MINUS_ONE => {
                not_real(self, "not real (the logarithm of a negative number)")
            }
            Func::Elu if !x.is_negative() => Some(self.num(x.clone())),
            Func::Elu => {
                let x = self.num(x.clone());
                Some(self.call(Func::Expm1, x))
            }
            Func::Asin | Func::Acos if x.abs() > Rational::ONE => {
                not_real(self, "not real (the argument is outside [-1, 1])")
            }
            Func::Asin if one => Some(self.pi_times(Rational::HALF)),
            Func::Asin if *x == Rational::HALF => Some(self.pi_times(Rational::new(1, 6)?)),
            Func::Acos if one => Some(ExprId::ZERO),
            Func::Acos if zero => Some(self.pi_times(Rational::HALF)),
            Func::Acos if *x == Rational::MINUS_ONE => Some(self.pi_times(Rational::ONE)),
            Func::Acos if *x == Rational::HALF => Some(self.pi_times(Rational::new(1, 3)?)),
            Func::Acos if *x == Rational::MINUS_HALF => Some(self.pi_times(Rational::new(2, 3)?)),
            Func::Atan if one => Some(self.pi_times(Rational::new(1, 4)?)),
            Func::Acosh if one => Some(ExprId::ZERO),
            Func::Acosh if *x < Rational::ONE => {
                not_real(self, "not real (the argument is below 1)")
            }
            Func::Atanh if x.abs() >= Rational::ONE => {
                not_real(self, "undefined (the argument is outside (-1, 1))")
            }
            Func::Exp if one => Some(self.constant(Constant::E)),
            Func::Ln | Func::Log10 | Func::Log2 if zero => {
                not_real(self, "undefined (the logarithm of zero)")
            }
            Func::Ln | Func::Log10 | Func::Log2 if x.is_negative() => {
                not_real(self, "not real (the logarithm of a negative number)")
            }
            Func::Ln if one => Some(ExprId::ZERO),
            Func::Ln => self.log_of_power(x),
            Func::Log10 => self.exact_log(x, 10),
            Func::Log2 => self.exact_log(x, 2),
            Func::Abs => Some(self.num(x.abs())),
            Func::Sign => Some(self.int(if zero {
                0
            } else if x.is_negative() {
                -1
            } else {
                1
            })),
            Func::Relu => Some(if x.is_negative() {
                ExprId::ZERO
            } else {
                self.num(x.clone())
            }),
            Func::Step => Some(if zero {
                self.num(Rational::HALF)
            } else if x.is_negative() {
                ExprId::ZERO
            } else {
                ExprId::ONE
            }),
            Func::Sigmoid if zero => Some(self.num(Rational::HALF)),
            Func::Softplus if zero => {
                let two = self.int(2);
                Some(self.call(Func::Ln, two))
            }
            _ => None,
        }
    }

    /// `ln(x)` for a positive rational `x` that is a perfect power or a reciprocal, as a
    /// multiple of the logarithm of its root: `ln(4)` is `2*ln(2)`, `ln(1/8)` is
    /// `-3*ln(2)`, `ln(9/4)` is `2*ln(3/2)`; so `x - 2*ln(2)` is 0 at `x = ln(4)`. Other
    /// logarithms stay as written (`ln(6)`, `ln(2/3)`).
    fn log_of_power(&mut self, x: &Rational) -> Option<ExprId> {
        use num_traits::ToPrimitive;
        let (p, q) = (x.numer().to_i64()?, x.denom().to_i64()?);
        if p == 1 && q > 1 {
            let q = self.int(q);
            let log = self.call(Func::Ln, q);
            return Some(self.neg(log));
        }
        // 1 is every power; n is its own first.
        let power = |n: i64| {
            if n == 1 {
                (1, 0)
            } else {
                perfect_power(n).unwrap_or((n, 1))
            }
        };
        let ((mp, kp), (mq, kq)) = (power(p), power(q));
        let k = num_integer::gcd(kp, kq);
        if k < 2 {
            return None;
        }
        let root = |m: i64, km: i64| m.checked_pow(u32::try_from(km / k).ok()?);
        let base = Rational::new(root(mp, kp)?, root(mq, kq)?)?;
        let log = self.num(base);
        let log = self.call(Func::Ln, log);
        let k = self.int(k);
        Some(self.mul2(k, log))
    }

    /// `k` when `log_base(x)` is the integer `k`: the candidate from the bit length,
    /// checked exactly.
    fn exact_log(&mut self, x: &Rational, base: i64) -> Option<ExprId> {
        let (value, sign) = if x >= &Rational::ONE {
            (x.clone(), 1)
        } else {
            (x.recip()?, -1)
        };
        if !value.is_integer() {
            return None;
        }
        let bits = value.numer().bits() as f64;
        let estimate = (bits * std::f64::consts::LN_2 / (base as f64).ln()) as i64;
        let base = Rational::int(base);
        (estimate - 1..=estimate + 1)
            .filter(|&k| k >= 0)
            .find(|&k| base.pow(&Rational::int(k), u64::MAX) == Some(value.clone()))
            .map(|k| self.int(sign * k))
    }

    /// `k` when `arg` is `k*pi` for a rational `k`.
    fn pi_multiple(&self, arg: ExprId) -> Option<Rational> {
        match self.node(arg) {
            Node::Const(Constant::Pi) => Some(Rational::ONE),
            Node::Mul(factors) if factors.len() == 2 => {
                let k = self.as_num(factors[0])?;
                matches!(self.node(factors[1]), Node::Const(Constant::Pi)).then(|| k.clone())
            }
            _ => None,
        }
    }

    fn pi_times(&mut self, k: Rational) -> ExprId {
        let pi = self.constant(Constant::Pi);
        let k = self.num(k);
        self.mul2(k, pi)
    }

    /// `sin(k*pi)` for `k` a multiple of 1/6 or 1/4, exactly.
    fn sin_pi(&mut self, k: &Rational) -> Option<ExprId> {
        // Reduce k to [0, 2), then use sin(k*pi) = sin((1-k)*pi) and sin((k+1)*pi) = -sin(k*pi).
        let two = Rational::int(2);
        let turns = Rational::from_bigint(Integer::div_floor(&k.numer(), &(k.denom() * 2)));
        let mut k = k - &(&turns * &two);
        let mut negate = false;
        if k >= Rational::ONE {
            k = &k - &Rational::ONE;
            negate = true;
        }
        if k > Rational::HALF {
            k = &Rational::ONE - &k;
        }
        let value = if k.is_zero() {
            ExprId::ZERO
        } else if k == Rational::HALF {
            ExprId::ONE
        } else if k == Rational::new(1, 6)? {
            self.num(Rational::HALF)
        } else if k == Rational::new(1, 4)? || k == Rational::new(1, 3)? {
            // sqrt(2)/2 and sqrt(3)/2
            let radicand = self.int(if k == Rational::new(1, 4)? { 2 } else { 3 });
            let half = self.num(Rational::HALF);
            let root = self.pow(radicand, half);
            self.mul2(half, root)
        } else {
            return None;
        };
        Some(if negate { self.neg(value) } else { value })
    }

    /// `diff(of, wrt, order)` for a variable `of` that depends on `wrt`; `of` itself for
    /// order 0.
    pub fn derivative(&mut self, of: SymbolId, wrt: SymbolId, order: u32) -> ExprId {
        if order == 0 {
            return self.sym(of);
        }
        self.intern(Node::Derivative { of, wrt, order })
    }

    /// The unknown function `name` applied to `args`, differentiated `orders[k]` times in
    /// argument `k`.
    pub fn apply(&mut self, name: SymbolId, orders: &[u32], args: &[ExprId]) -> ExprId {
        if args.contains(&ExprId::UNDEFINED) {
            return ExprId::UNDEFINED;
        }
        self.intern(Node::Apply {
            name,
            orders: orders.into(),
            args: args.into(),
        })
    }
}

/// `(k, m)` with `n = k^q * m` and `k > 1` as large as trial division by small primes finds;
/// `None` when there is no such `k`.
fn split_root(n: i64, q: u32) -> Option<(i64, i64)> {
    let (mut outside, mut inside) = (1i64, n);
    let mut p = 2i64;
    while p <= 1000 && p.checked_pow(q).is_some_and(|pq| pq <= inside) {
        let pq = p.pow(q);
        while inside % pq == 0 {
            inside /= pq;
            outside *= p;
        }
        p += 1;
    }
    (outside > 1).then_some((outside, inside))
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

/// `n = m^k` with the largest `k ≥ 2`, for `n ≥ 4`; `None` when `n` is no perfect power.
fn perfect_power(n: i64) -> Option<(i64, i64)> {
    if n < 4 {
        return None;
    }
    // 2^62 < n < 2^63: no larger k is possible.
    (2..=62u32).rev().find_map(|k| {
        let root = n.nth_root(k);
        (root >= 2 && root.checked_pow(k) == Some(n)).then_some((root, i64::from(k)))
    })
}

/// [`Pool::exponent_term`]: an exponent's factors after its numeric coefficient.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ExponentTerm<'a> {
    Number,
    One(ExprId),
    Product(&'a [ExprId]),
}
