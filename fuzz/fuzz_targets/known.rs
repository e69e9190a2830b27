//! Narrow filters for known findings that would otherwise be re-found over and over and
//! hide other bugs. Each one is documented in /tmp/fuzz_findings.md.
#![allow(dead_code)] // Each target uses only some of these.

use deriv::{ExprId, Node, Pool};

/// KNOWN (finding 1): exact numbers of hundreds of thousands of bits make
/// `Rational::from_big` slow, because it always normalizes with num-bigint's binary gcd,
/// which is quadratic even for `gcd(n, 1)` (about 0.6 s at 10^6 bits). Such numbers come
/// from decimal exponents up to 10^5 (`1e100000 + 1e-100000`: 2.2 s) and from powers just
/// under the default 2^20-bit `max_power_bits` (`(10^500)^602`: 0.85 s), and a few of them
/// in one input take longer than the 10 s timeout. The fuzz targets keep numbers small:
/// a lower power limit here, and `has_huge_literal` below.
pub fn limit_numbers(pool: &mut Pool) {
    pool.set_max_power_bits(POWER_BITS);
}

/// The `max_power_bits` of the fuzzed pools.
pub const POWER_BITS: u64 = 1 << 12;

/// True when a round-trip mismatch of `id` is one of the known size-limit findings:
///
/// KNOWN (finding 2): a rational whose denominator has more bits than `max_power_bits`
/// prints as `p/q`, but `q^-1` is then left unevaluated on reading (`Rational::pow` applies
/// the size limit to the reciprocal too), so the text reads back as a different
/// expression (`4e-621*1e-621` here; `1e-100000*1e-100000*1e-100000*1e-100000` with the
/// default limit). Matched by: a number in `id` with more than `POWER_BITS` bits.
///
/// KNOWN (finding 3): a power of a number left unevaluated because its integer part would
/// be too large (`1e-626**1.1` = `(10^626)^(-11/10)`, where `(10^626)^-2` is over the
/// limit) prints as `1/N^(11/10)`, which reads back through `N^(11/10)` = `N*N^(1/10)`
/// and so as `N^(9/10)/N^2`. Matched by: a power `b^e` of numbers in `id` with
/// `bits(b) * ceil(|e|) > POWER_BITS`.
pub fn round_trip_mismatch_is_known(pool: &Pool, id: ExprId) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![id];
    while let Some(node) = stack.pop() {
        if !seen.insert(node) {
            continue;
        }
        match pool.node(node) {
            Node::Num(value) if value.bits() > POWER_BITS => return true,
            Node::Pow([base, exp]) => {
                if let (Node::Num(b), Node::Num(e)) = (pool.node(*base), pool.node(*exp)) {
                    let magnitude = e.to_f64().abs().ceil().max(1.0);
                    if b.bits() as f64 * magnitude > POWER_BITS as f64 {
                        return true;
                    }
                }
            }
            _ => {}
        }
        stack.extend_from_slice(pool.children(node));
    }
    false
}

/// KNOWN (finding 1): a decimal literal with a 4-digit exponent (`1e1000`) or more than
/// 300 digits in a row.
pub fn has_huge_literal(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_digit() {
            run += 1;
            if run > 300 {
                return true;
            }
            continue;
        }
        run = 0;
        if (b == b'e' || b == b'E') && i > 0 && (bytes[i - 1].is_ascii_digit() || bytes[i - 1] == b'.') {
            let rest = &bytes[i + 1..];
            let rest = rest.strip_prefix(b"+").or_else(|| rest.strip_prefix(b"-")).unwrap_or(rest);
            let digits = rest.iter().take_while(|c| c.is_ascii_digit());
            let significant = digits.skip_while(|&&c| c == b'0').count();
            if significant >= 4 {
                return true;
            }
        }
    }
    false
}
