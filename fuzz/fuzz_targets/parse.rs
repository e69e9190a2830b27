//! Arbitrary bytes -> (if UTF-8) `parse` in a fresh pool. Must never panic,
//! overflow the stack or hang; errors are fine.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod known;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if known::has_huge_literal(text) {
        return;
    }
    let mut pool = deriv::Pool::new();
    known::limit_numbers(&mut pool);
    let _ = deriv::parse(&mut pool, text);
});
