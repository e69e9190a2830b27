//! Sums: flattened, like terms collected, numbers folded; the content of a sum.

use std::cmp::Ordering;

use crate::expr::rational::Rational;
use crate::expr::{ExprId, Node, Pool};

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
    pub(super) fn split_content(&mut self, sum: ExprId) -> Option<(Rational, ExprId)> {
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
}
