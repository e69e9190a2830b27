//! The built-in functions of several arguments: see [`Multi`].

use crate::expr::func::Func;
use crate::expr::rational::Rational;
use crate::expr::{Constant, ExprId, Node, Pool};

/// A built-in function of several arguments.
///
/// `atan2(y, x)` is a node of its own ([`Node::Atan2`]): no formula in the other functions
/// equals it on the whole plane (`2*atan(y/(sqrt(x^2 + y^2) + x))` is undefined on the
/// negative x axis, `atan(y/x) + …` on the y axis). So are `min` and `max` ([`Node::Min`],
/// [`Node::Max`]): `b - relu(b - a)` equals `min(a, b)`, but in floating point it cancels
/// to 0 for `min(pi, 10^20)`, and it grows with nesting. They are canonical as sets:
/// nested calls flattened, numbers taken together, arguments in a fixed order, so
/// `max(x, max(y, 1), 2)` is `max(x, y, 2)` and `max(x, 0)` is `relu(x)`. And so is
/// `logsumexp` ([`Node::LogSumExp`]), for the same reason: `ln(exp(a) + exp(b))` overflows
/// for `a` above about 709, where `logsumexp(a, b)` is about `a`; its partials are the
/// softmax weights `exp(a - logsumexp(a, b, …))`, which do not overflow either.
///
/// The others are written, as they are read, in functions that equal them wherever
/// either is defined, so that everything that knows those (simplification, derivatives,
/// values at points, evaluation, code generation) knows them too, and printed results
/// read back as the same expression:
///
/// | read | written |
/// |---|---|
/// | `log(u, b)` | `ln(u)/ln(b)`; `log10(u)`, `log2(u)` for the bases 10 and 2 |
/// | `hypot(a, b, …)` | `sqrt(a^2 + b^2 + …)` |
/// | `leaky_relu(u, a)` | `relu(u) - a*relu(-u)` |
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
    /// `multi` applied to `args`, canonical (see [`Multi`]).
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
            (Multi::Min, _) => self.extremum(false, args),
            (Multi::Max, _) => self.extremum(true, args),
            (Multi::LogSumExp, _) => self.logsumexp(args),
            (Multi::LeakyRelu, &[u, slope]) => {
                let above = self.call(Func::Relu, u);
                let minus_u = self.neg(u);
                let below = self.call(Func::Relu, minus_u);
                let scaled = self.mul2(slope, below);
                self.sub(above, scaled)
            }
            _ => ExprId::UNDEFINED,
        }
    }

    /// `atan2(y, x)`, canonical: `atan(y/x)` where `x` is a positive constant, and exact
    /// where the signs of both are known (`atan2(1, -1)` is `3*pi/4`). Otherwise it stays
    /// itself: `pi/2 - atan(x/y)` equals `atan2(y, x)` for a positive `y`, but cancels in
    /// floating point where the angle is near 0.
    pub fn atan2(&mut self, y: ExprId, x: ExprId) -> ExprId {
        use std::cmp::Ordering::{Equal, Greater, Less};
        if y == ExprId::UNDEFINED || x == ExprId::UNDEFINED {
            return ExprId::UNDEFINED;
        }
        let quarter = |pool: &mut Pool, k: Rational| {
            let k = pool.num(k);
            let pi = pool.constant(Constant::Pi);
            pool.mul2(k, pi)
        };
        let atan = |pool: &mut Pool| {
            let ratio = pool.div(y, x);
            pool.call(Func::Atan, ratio)
        };
        match (self.known_sign(y), self.known_sign(x)) {
            (_, Some(Greater)) => atan(self),
            (Some(Equal), Some(Equal)) => {
                self.undefined("atan2(0, 0) is undefined (the origin has no angle)".to_string())
            }
            (Some(Greater), Some(Equal)) => quarter(self, Rational::HALF),
            (Some(Less), Some(Equal)) => quarter(self, Rational::MINUS_HALF),
            (Some(Equal), Some(Less)) => quarter(self, Rational::ONE),
            // atan(y/x) is off by pi on the left half plane: up above the axis, down below.
            (Some(Greater), Some(Less)) => {
                let atan = atan(self);
                let pi = self.constant(Constant::Pi);
                self.add2(atan, pi)
            }
            (Some(Less), Some(Less)) => {
                let atan = atan(self);
                let pi = self.constant(Constant::Pi);
                self.sub(atan, pi)
            }
            _ => self.intern(Node::Atan2([y, x])),
        }
    }

    /// The sign of a number, or of a constant whose value is clearly away from 0.
    fn known_sign(&self, id: ExprId) -> Option<std::cmp::Ordering> {
        if let Some(value) = self.as_num(id) {
            return Some(value.cmp(&Rational::ZERO));
        }
        let value = crate::expr::eval::eval_constant(self, id)?;
        // Decide only with a wide margin, as abs and sign of constants do.
        (value.is_finite() && value.abs() > 1e-6).then(|| value.total_cmp(&0.0))
    }

    /// `log(u, base)`: `ln(u)/ln(base)`, or `log10(u)` and `log2(u)` for those bases.
    fn log_base(&mut self, u: ExprId, base: ExprId) -> ExprId {
        match self.as_num(base) {
            Some(b) if *b == Rational::int(10) => return self.call(Func::Log10, u),
            Some(b) if *b == Rational::int(2) => return self.call(Func::Log2, u),
            Some(b) if b.is_one() => {
                return self.undefined_about(
                    "log({}, 1) is undefined (no logarithm has the base 1)".into(),
                    u,
                );
            }
            _ => {}
        }
        let top = self.call(Func::Ln, u);
        let bottom = self.call(Func::Ln, base);
        self.div(top, bottom)
    }

    /// `logsumexp(args)`, canonical: nested calls flattened, arguments in a fixed order,
    /// repeats kept (they count: `logsumexp(x, x)` is `x + ln(2)`).
    pub fn logsumexp(&mut self, args: &[ExprId]) -> ExprId {
        if args.contains(&ExprId::UNDEFINED) {
            return ExprId::UNDEFINED;
        }
        let mut flat: Vec<ExprId> = Vec::with_capacity(args.len());
        for &arg in args {
            match self.node(arg) {
                Node::LogSumExp(inner) => flat.extend_from_slice(inner),
                _ => flat.push(arg),
            }
        }
        flat.sort_by(|&a, &b| self.structural_cmp(a, b));
        match flat[..] {
            [] => ExprId::UNDEFINED,
            [single] => single,
            // n equal arguments: u + ln(n).
            [first, ..] if flat.iter().all(|&a| a == first) => {
                let count = self.int(flat.len() as i64);
                let log = self.call(Func::Ln, count);
                self.add2(first, log)
            }
            _ => self.intern(Node::LogSumExp(flat.into())),
        }
    }

    /// `max(args)` (or `min`), canonical: nested calls of the same one flattened, numbers
    /// taken together, constants another constant exceeds dropped, the rest in a
    /// canonical order without repeats; `max(u, 0)` is `relu(u)` and `min(u, 0)` is
    /// `-relu(-u)`.
    pub fn extremum(&mut self, max: bool, args: &[ExprId]) -> ExprId {
        if args.contains(&ExprId::UNDEFINED) {
            return ExprId::UNDEFINED;
        }
        let mut flat: Vec<ExprId> = Vec::with_capacity(args.len());
        for &arg in args {
            match self.node(arg) {
                Node::Max(inner) if max => flat.extend_from_slice(inner),
                Node::Min(inner) if !max => flat.extend_from_slice(inner),
                _ => flat.push(arg),
            }
        }
        // The one number that beats the others, exactly.
        let mut number: Option<Rational> = None;
        flat.retain(|&arg| match self.as_num(arg) {
            Some(value) => {
                if number.as_ref().is_none_or(|best| (value > best) == max) {
                    number = Some(value.clone());
                }
                false
            }
            None => true,
        });
        if let Some(number) = number {
            let number = self.num(number);
            flat.push(number);
        }
        self.drop_dominated_constants(max, &mut flat);
        flat.sort_by(|&a, &b| self.structural_cmp(a, b));
        flat.dedup();
        match flat[..] {
            [] => ExprId::UNDEFINED,
            [single] => single,
            [u, ExprId::ZERO] | [ExprId::ZERO, u] => {
                if max {
                    self.call(Func::Relu, u)
                } else {
                    let minus_u = self.neg(u);
                    let relu = self.call(Func::Relu, minus_u);
                    self.neg(relu)
                }
            }
            _ if max => self.intern(Node::Max(flat.into())),
            _ => self.intern(Node::Min(flat.into())),
        }
    }

    /// Removes the constant arguments (`pi`, `3`, `sqrt(2)`) that another constant argument
    /// beats by a wide margin, decided numerically (near ties stay).
    fn drop_dominated_constants(&self, max: bool, args: &mut Vec<ExprId>) {
        let values: Vec<(ExprId, f64)> = args
            .iter()
            .filter(|&&a| self.is_constant(a))
            .filter_map(|&a| crate::expr::eval::eval_constant(self, a).map(|v| (a, v)))
            .filter(|(_, v)| v.is_finite())
            .collect();
        let better = |a: f64, b: f64| {
            let margin = 1e-6 * a.abs().max(b.abs()).max(1.0);
            if max { a > b + margin } else { a < b - margin }
        };
        let dominated = |arg: ExprId, value: f64| {
            values
                .iter()
                .any(|&(other, v)| other != arg && better(v, value))
        };
        args.retain(|&arg| match values.iter().find(|(a, _)| *a == arg) {
            Some(&(_, value)) => !dominated(arg, value),
            None => true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_arities() {
        for m in Multi::ALL {
            assert_eq!(Multi::from_name(m.name()), Some(m));
            assert!(crate::expr::func::is_builtin_name(m.name()));
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
            pool.undefined_reason().map(|r| r.text.as_str()),
            Some("`max` takes 2 or more arguments, but was given 1")
        );
    }
}
