//! The built-in functions of several arguments.
//!
//! `atan2(y, x)` is a node of its own ([`Node::Atan2`]): no formula in the other functions
//! equals it on the whole plane (`2*atan(y/(sqrt(x^2 + y^2) + x))` is undefined on the
//! negative x axis, `atan(y/x) + …` on the y axis). The others are written, as they are
//! read, in functions that equal them wherever either is defined, so that everything
//! that knows those (simplification, derivatives, values at points, evaluation, code
//! generation) knows them too, and printed results read back as the same expression:
//!
//! | read | written |
//! |---|---|
//! | `log(u, b)` | `ln(u)/ln(b)`; `log10(u)`, `log2(u)` for the bases 10 and 2 |
//! | `hypot(a, b, …)` | `sqrt(a^2 + b^2 + …)` |
//! | `max(a, b)` | `b + relu(a - b)` |
//! | `min(a, b)` | `b - relu(b - a)` |
//! | `logsumexp(a, b, …)` | `ln(exp(a) + exp(b) + …)` |
//! | `leaky_relu(u, a)` | `a*u + (1 - a)*relu(u)` |
//!
//! `min` and `max` of more values nest (`max(a, b, c)` is `max(max(a, b), c)`), after
//! taking numbers together and putting the arguments in a canonical order, so that
//! `max(x, y)` and `max(y, x)` are one expression and `max(x, 0)` is `relu(x)`.

use crate::expr::{Constant, ExprId, Node, Pool};
use crate::func::Func;
use crate::rational::Rational;

/// A built-in function of several arguments.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Multi {
    /// `atan2(y, x)`: the angle of the point `(x, y)`, in `(-pi, pi]`.
    Atan2,
    /// `log(u)` is `ln(u)`; `log(u, b)` is the logarithm of `u` to the base `b`.
    Log,
    /// `hypot(a, b, …)`: `sqrt(a^2 + b^2 + …)`.
    Hypot,
    /// The smallest of two or more values.
    Min,
    /// The largest of two or more values.
    Max,
    /// `logsumexp(a, b, …)`: `ln(exp(a) + exp(b) + …)`.
    LogSumExp,
    /// `leaky_relu(u, a)`: `u` above 0, `a*u` below.
    LeakyRelu,
}

impl Multi {
    /// Every function of several arguments, in a fixed order.
    pub const ALL: [Multi; 7] = [
        Multi::Atan2,
        Multi::Log,
        Multi::Hypot,
        Multi::Min,
        Multi::Max,
        Multi::LogSumExp,
        Multi::LeakyRelu,
    ];

    /// The function's name.
    pub fn name(self) -> &'static str {
        match self {
            Multi::Atan2 => "atan2",
            Multi::Log => "log",
            Multi::Hypot => "hypot",
            Multi::Min => "min",
            Multi::Max => "max",
            Multi::LogSumExp => "logsumexp",
            Multi::LeakyRelu => "leaky_relu",
        }
    }

    /// The function written `name`.
    pub fn from_name(name: &str) -> Option<Multi> {
        Multi::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The fewest and the most arguments the function takes (`None`: no limit).
    pub fn arity(self) -> (usize, Option<usize>) {
        match self {
            Multi::Atan2 | Multi::LeakyRelu => (2, Some(2)),
            Multi::Log => (1, Some(2)),
            Multi::Hypot | Multi::Min | Multi::Max | Multi::LogSumExp => (2, None),
        }
    }

    /// The arity in words: `2 arguments`, `1 or 2 arguments`, `2 or more arguments`.
    pub fn arity_text(self) -> String {
        match self.arity() {
            (fewest, Some(most)) if fewest == most => format!("{fewest} arguments"),
            (fewest, Some(most)) => format!("{fewest} or {most} arguments"),
            (fewest, None) => format!("{fewest} or more arguments"),
        }
    }

    /// How the arguments are written: `atan2(y, x)`, `max(a, b, …)`.
    pub fn usage(self) -> &'static str {
        match self {
            Multi::Atan2 => "atan2(y, x)",
            Multi::Log => "log(x) for ln(x), log(x, b) for the base b",
            Multi::Hypot => "hypot(a, b, …)",
            Multi::Min => "min(a, b, …)",
            Multi::Max => "max(a, b, …)",
            Multi::LogSumExp => "logsumexp(a, b, …)",
            Multi::LeakyRelu => "leaky_relu(x, slope)",
        }
    }

    /// Whether `count` arguments are allowed.
    pub fn takes(self, count: usize) -> bool {
        let (fewest, most) = self.arity();
        count >= fewest && most.is_none_or(|most| count <= most)
    }
}

impl Pool {
    /// `multi` applied to `args`, canonical (see the [module documentation](self)).
    /// `args` must have an allowed length ([`Multi::takes`]); otherwise the result is
    /// [`ExprId::UNDEFINED`].
    pub fn multi(&mut self, multi: Multi, args: &[ExprId]) -> ExprId {
        if !multi.takes(args.len()) {
            return self.undefined(format!(
                "`{}` takes {}, but was given {}",
                multi.name(),
                multi.arity_text(),
                args.len()
            ));
        }
        if args.contains(&ExprId::UNDEFINED) {
            return ExprId::UNDEFINED;
        }
        match (multi, args) {
            (Multi::Atan2, &[y, x]) => self.atan2(y, x),
            (Multi::Log, &[u]) => self.call(Func::Ln, u),
            (Multi::Log, &[u, base]) => self.log_base(u, base),
            (Multi::Hypot, _) => {
                let squares: Vec<ExprId> = args.iter().map(|&a| self.powi(a, 2)).collect();
                let sum = self.add(&squares);
                let half = self.num(Rational::HALF);
                self.pow(sum, half)
            }
            (Multi::Min | Multi::Max, _) => self.extremum(multi == Multi::Max, args),
            (Multi::LogSumExp, _) => {
                let exps: Vec<ExprId> = args.iter().map(|&a| self.call(Func::Exp, a)).collect();
                let sum = self.add(&exps);
                self.call(Func::Ln, sum)
            }
            (Multi::LeakyRelu, &[u, slope]) => {
                let linear = self.mul2(slope, u);
                let rest = self.sub(ExprId::ONE, slope);
                let relu = self.call(Func::Relu, u);
                let bent = self.mul2(rest, relu);
                self.add2(linear, bent)
            }
            _ => ExprId::UNDEFINED,
        }
    }

    /// `atan2(y, x)`, canonical: exact at numbers, `atan(y/x)` for a positive number `x`.
    pub fn atan2(&mut self, y: ExprId, x: ExprId) -> ExprId {
        if y == ExprId::UNDEFINED || x == ExprId::UNDEFINED {
            return ExprId::UNDEFINED;
        }
        match (self.as_num(y).cloned(), self.as_num(x).cloned()) {
            (Some(b), Some(a)) if a.is_zero() => {
                if b.is_zero() {
                    return self.undefined(
                        "atan2(0, 0) is undefined (the origin has no angle)".to_string(),
                    );
                }
                let half = if b.is_negative() {
                    Rational::MINUS_HALF
                } else {
                    Rational::HALF
                };
                let half = self.num(half);
                let pi = self.constant(Constant::Pi);
                self.mul2(half, pi)
            }
            (Some(b), Some(a)) if a.is_negative() => {
                // atan(y/x) is off by pi on the left half plane: up for y >= 0, down below.
                let ratio = self.div(y, x);
                let atan = self.call(Func::Atan, ratio);
                let pi = self.constant(Constant::Pi);
                if b.is_negative() {
                    self.sub(atan, pi)
                } else {
                    self.add2(atan, pi)
                }
            }
            (_, Some(a)) if !a.is_negative() && !a.is_zero() => {
                let ratio = self.div(y, x);
                self.call(Func::Atan, ratio)
            }
            _ => self.intern(Node::Atan2([y, x])),
        }
    }

    /// `log(u, base)`: `ln(u)/ln(base)`, or `log10(u)` and `log2(u)` for those bases.
    fn log_base(&mut self, u: ExprId, base: ExprId) -> ExprId {
        match self.as_num(base) {
            Some(b) if *b == Rational::int(10) => return self.call(Func::Log10, u),
            Some(b) if *b == Rational::int(2) => return self.call(Func::Log2, u),
            Some(b) if b.is_one() => {
                return self.undefined(
                    "a logarithm to the base 1 is undefined (ln(1) = 0 divides by zero)"
                        .to_string(),
                );
            }
            _ => {}
        }
        let top = self.call(Func::Ln, u);
        let bottom = self.call(Func::Ln, base);
        self.div(top, bottom)
    }

    /// `max` (or `min`) of `args`: numbers taken together, the others in a canonical
    /// order, nested pairwise.
    fn extremum(&mut self, max: bool, args: &[ExprId]) -> ExprId {
        let mut number: Option<Rational> = None;
        let mut others: Vec<ExprId> = Vec::with_capacity(args.len());
        for &arg in args {
            match self.as_num(arg) {
                Some(value) => {
                    let better = match &number {
                        None => true,
                        Some(best) => (value > best) == max,
                    };
                    if better {
                        number = Some(value.clone());
                    }
                }
                None => others.push(arg),
            }
        }
        others.sort_by(|&a, &b| self.structural_cmp(a, b));
        others.dedup();
        let mut values = others.into_iter();
        let Some(first) = values.next() else {
            return number.map_or(ExprId::UNDEFINED, |n| self.num(n));
        };
        let mut result = first;
        for value in values {
            result = self.extremum2(max, result, value);
        }
        match number {
            Some(n) => {
                let n = self.num(n);
                self.extremum2(max, result, n)
            }
            None => result,
        }
    }

    /// `max(a, b) = b + relu(a - b)`, `min(a, b) = b - relu(b - a)`.
    fn extremum2(&mut self, max: bool, a: ExprId, b: ExprId) -> ExprId {
        let difference = if max { self.sub(a, b) } else { self.sub(b, a) };
        let excess = self.call(Func::Relu, difference);
        if max {
            self.add2(b, excess)
        } else {
            self.sub(b, excess)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_arities() {
        for m in Multi::ALL {
            assert_eq!(Multi::from_name(m.name()), Some(m));
            assert!(crate::func::is_builtin_name(m.name()));
        }
        assert!(Multi::Log.takes(1) && Multi::Log.takes(2) && !Multi::Log.takes(3));
        assert!(!Multi::Max.takes(1) && Multi::Max.takes(5));
        assert_eq!(Multi::Atan2.arity_text(), "2 arguments");
        assert_eq!(Multi::Log.arity_text(), "1 or 2 arguments");
        assert_eq!(Multi::Min.arity_text(), "2 or more arguments");
        let mut pool = Pool::new();
        let x = pool.var("x");
        assert_eq!(pool.multi(Multi::Max, &[x]), ExprId::UNDEFINED);
        assert_eq!(
            pool.undefined_reason(),
            Some("`max` takes 2 or more arguments, but was given 1")
        );
    }
}
