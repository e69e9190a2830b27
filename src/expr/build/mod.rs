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

mod call;
mod power;
mod product;
mod sum;

use crate::expr::{ExprId, Node, Pool, SymbolId};

impl Pool {
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
