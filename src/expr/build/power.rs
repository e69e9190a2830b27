//! Powers: exact values of numeric powers, merging valid on the whole real domain,
//! distribution over products.

use num_integer::{Integer, Roots};

use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Node, Pool};

impl Pool {
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

    /// `base ^ n` for an integer `n`.
    pub fn powi(&mut self, base: ExprId, n: i64) -> ExprId {
        let exp = self.int(n);
        self.pow(base, exp)
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

/// `n = m^k` with the largest `k ≥ 2`, for `n ≥ 4`; `None` when `n` is no perfect power.
pub(super) fn perfect_power(n: i64) -> Option<(i64, i64)> {
    if n < 4 {
        return None;
    }
    // 2^62 < n < 2^63: no larger k is possible.
    (2..=62u32).rev().find_map(|k| {
        let root = n.nth_root(k);
        (root >= 2 && root.checked_pow(k) == Some(n)).then_some((root, i64::from(k)))
    })
}
