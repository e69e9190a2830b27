//! bytes -> UTF-8 text -> parse -> print/re-parse round trip of the input, then for
//! x and y: diff -> print -> re-parse in the same pool, asserting the same ExprId; then the
//! input and its derivatives compiled to a `Tape` and evaluated, and its value-and-gradient
//! program emitted in every language (which must not panic).
#![no_main]

use deriv::print::printed_len;
use deriv::program::{EmitSpec, Language, Tape, emit, value_and_gradient};
use deriv::{ExprId, Pool, diff, free_symbols, parse, print};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, Instant};

/// Inputs longer than this are ignored, to keep executions fast.
const MAX_INPUT: usize = 4096;
/// Operand-slot budget of the pool: derivative blow-ups stop with UNDEFINED.
const MAX_SIZE: usize = 1_000_000;
/// Time budget of one input: huge exact numbers (up to the default `max_power_bits`)
/// are allowed and may take a while, but the pool's deadline stops the work cleanly.
const TIME_BUDGET: Duration = Duration::from_secs(2);
/// Printed text up to this length is parsed again (round trip).
const MAX_REPARSE: u64 = 100_000;
/// Results whose printed length (computed without printing) exceeds this are not
/// printed at all: a DAG can print exponentially long.
const MAX_PRINT: u64 = 4_000_000;

/// Prints `id` and, if short enough, parses it back in the same pool and checks the id.
fn round_trip(pool: &mut Pool, id: ExprId, what: &str, input: &str) {
    if id == ExprId::UNDEFINED {
        return;
    }
    if printed_len(pool, id) > MAX_PRINT {
        return;
    }
    let text = print(pool, id);
    if text.len() as u64 > MAX_REPARSE {
        return;
    }
    match parse(pool, &text) {
        Ok(back) => {
            if back != id && pool.limit_reached().is_some() {
                // The size budget ran out while re-parsing: not a round-trip failure.
                return;
            }
            assert_eq!(
                back, id,
                "round trip of {what} changed the expression\n input: {input:?}\n printed: {text:?}\n reprinted: {:?}",
                print(pool, back)
            );
        }
        Err(e) => {
            if pool.limit_reached().is_some() {
                return;
            }
            panic!(
                "printed {what} does not parse\n input: {input:?}\n printed: {text:?}\n error: {e}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut pool = Pool::new();
    pool.set_max_size(MAX_SIZE);
    pool.set_deadline(Some(Instant::now() + TIME_BUDGET));
    let Ok(expr) = parse(&mut pool, text) else {
        return;
    };
    round_trip(&mut pool, expr, "the parsed input", text);
    if expr == ExprId::UNDEFINED {
        return;
    }
    let mut roots = vec![expr];
    for var in ["x", "y"] {
        let sym = pool.symbol(var);
        let d = diff(&mut pool, expr, sym);
        round_trip(&mut pool, d, &format!("d/d{var}"), text);
        roots.push(d);
    }
    if pool.limit_reached().is_some() {
        return;
    }
    let inputs = free_symbols(&pool, expr);
    if let Ok(tape) = Tape::compile_exprs(&pool, &roots, &inputs) {
        let values = tape.eval(&vec![0.7; inputs.len()]);
        assert_eq!(values.len(), roots.len());
    }
    if let Some(program) = value_and_gradient(&mut pool, expr, &inputs) {
        if pool.limit_reached().is_some() {
            return;
        }
        for language in [Language::Rust, Language::C, Language::Python] {
            let spec = EmitSpec::loss_and_gradient(language, "f", &pool, &inputs, &inputs);
            let _ = emit(&pool, &program, &spec);
        }
    }
});
