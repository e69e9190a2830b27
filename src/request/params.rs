//! The parameters of `--params`: glob patterns matched against the function's variables,
//! taken in natural order (`w2` before `w10`).

use crate::error::Error;
use crate::expr::subst::free_symbols;
use crate::expr::{ExprId, Pool, SymbolId};

/// The variables of `f` that match the glob patterns (`*` any run, `?` one character), in
/// the patterns' order and, for each, in natural order (`w2` before `w10`).
pub(super) fn select_params(
    pool: &Pool,
    f: ExprId,
    patterns: &[String],
) -> Result<Vec<SymbolId>, Error> {
    let mut free = free_symbols(pool, f);
    free.sort_by(|&a, &b| natural_cmp(pool.symbol_name(a), pool.symbol_name(b)));
    let mut chosen = Vec::new();
    for pattern in patterns {
        let matches: Vec<SymbolId> = free
            .iter()
            .copied()
            .filter(|&v| glob_match(pattern, pool.symbol_name(v)))
            .collect();
        if matches.is_empty() {
            let names: Vec<&str> = free.iter().map(|&v| pool.symbol_name(v)).collect();
            return Err(Error::Usage {
                message: format!("--params: `{pattern}` matches no variable of the function"),
                help: Some(format!("its variables are {}", names.join(", "))),
            });
        }
        for v in matches {
            if !chosen.contains(&v) {
                chosen.push(v);
            }
        }
    }
    Ok(chosen)
}

/// Whether `name` matches `pattern`: `*` matches any run of characters, `?` one.
fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Greedy, returning to the last star on a mismatch.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// Orders names with their digit runs compared as numbers: `w2` before `w10`.
pub(super) fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in s.char_indices().skip(1) {
            let digit = c.is_ascii_digit();
            if digit != s[start..].starts_with(|d: char| d.is_ascii_digit()) {
                out.push((!digit, &s[start..i]));
                start = i;
            }
        }
        if start < s.len() {
            out.push((
                s[start..].starts_with(|d: char| d.is_ascii_digit()),
                &s[start..],
            ));
        }
        out
    }
    let (x, y) = (chunks(a), chunks(b));
    for ((dx, cx), (dy, cy)) in x.iter().zip(&y) {
        let order = if *dx && *dy {
            let (tx, ty) = (cx.trim_start_matches('0'), cy.trim_start_matches('0'));
            tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty))
        } else {
            cx.cmp(cy)
        };
        if order != std::cmp::Ordering::Equal {
            return order;
        }
    }
    x.len().cmp(&y.len()).then_with(|| a.cmp(b))
}
