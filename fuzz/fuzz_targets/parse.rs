//! Arbitrary bytes -> (if UTF-8) `parse` in a fresh pool. Must never panic,
//! overflow the stack or hang; errors are fine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::time::{Duration, Instant};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut pool = deriv::Pool::new();
    // Huge exact numbers may take a while; the deadline stops the work cleanly.
    pool.set_deadline(Some(Instant::now() + Duration::from_secs(2)));
    let _ = deriv::parse(&mut pool, text);
});
