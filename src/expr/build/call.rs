//! Built-in functions: values at known points, parity, inverses cancelled.

use num_integer::Integer;

use crate::expr::func::{Func, Parity};
use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Node, Pool};

use super::power::perfect_power;

impl Pool {
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
}
