//! What a form of a result costs, to choose the simplest: its operators as the plain text
//! shows them, then the length of that text.

use crate::expr::{ExprId, Pool};
use crate::print::print;

/// The cost of a form, compared operators first, then printed length (smaller is simpler).
///
/// Operators are counted on the plain text as the peer benchmark kit counts them (its
/// `exprkit.size`, in the spirit of SymPy's `count_ops`): each binary or unary `+ - * / ^`
/// and each function application; `a + b + c` has 2, `-x` has 1, `sin(x)^2` has 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cost {
    /// Operators and function applications.
    pub operators: usize,
    /// Characters of the plain text.
    pub length: usize,
}

impl Cost {
    /// The cost of `expr` as [`print()`] writes it.
    ///
    /// ```
    /// use deriv::algebra::Cost;
    /// use deriv::{Pool, parse};
    /// let mut pool = Pool::new();
    /// let e = parse(&mut pool, "-9/(x - 4)^2").unwrap();
    /// assert_eq!(Cost::of(&pool, e), Cost { operators: 4, length: 12 });
    /// ```
    pub fn of(pool: &Pool, expr: ExprId) -> Cost {
        // The pass weighs the same forms many times: each is printed once.
        if let Some(&(operators, length)) = pool.cost_memo.borrow().get(&expr) {
            return Cost { operators, length };
        }
        let cost = Cost::of_text(&print(pool, expr));
        pool.cost_memo
            .borrow_mut()
            .insert(expr, (cost.operators, cost.length));
        cost
    }

    /// The cost of plain text.
    pub fn of_text(text: &str) -> Cost {
        let bytes = text.as_bytes();
        let mut operators = 0;
        for (k, &b) in bytes.iter().enumerate() {
            let before = |back: usize| k.checked_sub(back).map(|i| bytes[i]);
            match b {
                b'+' | b'-' => {
                    // The sign of an exponent in `2.5e-3` is part of the number.
                    let exponent = matches!(before(1), Some(b'e' | b'E'))
                        && before(2).is_some_and(|c| c.is_ascii_digit())
                        && bytes.get(k + 1).is_some_and(u8::is_ascii_digit);
                    operators += usize::from(!exponent);
                }
                b'*' | b'/' | b'^' => operators += 1,
                b'(' => {
                    let call = before(1).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_');
                    operators += usize::from(call);
                }
                _ => {}
            }
        }
        Cost {
            operators,
            length: text.chars().count(),
        }
    }
}
