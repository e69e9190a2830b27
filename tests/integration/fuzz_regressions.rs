//! Every input the fuzz targets (`fuzz/`, `scripts/fuzz`) have found, replayed through the
//! same checks: parse, print → re-parse gives the same expression, and so do the
//! derivatives in x and y; then all of them compiled to a `Tape` and evaluated, and the
//! value-and-gradient program emitted in every language. Each input runs under the pool's
//! deadline, and the test asserts it finished in time (some of these inputs once took 2 to
//! 23 seconds).

use std::time::{Duration, Instant};

use deriv::program::{EmitSpec, Language, Tape, emit, value_and_gradient};
use deriv::{ExprId, Pool, diff, free_symbols, parse, print};

/// A hang guard, not a speed test (the benchmarks are for speed): far above the second
/// these inputs take now, so a loaded machine does not fail it.
const BUDGET: Duration = Duration::from_secs(30);

/// The pipeline fuzz target's checks, for one input and one `max_power_bits`.
fn replay(input: &str, max_power_bits: Option<u64>) {
    let mut pool = Pool::new();
    if let Some(bits) = max_power_bits {
        pool.set_max_power_bits(bits);
    }
    pool.set_deadline(Some(Instant::now() + BUDGET));
    let expr = parse(&mut pool, input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    let mut results = vec![("the input".to_string(), expr)];
    for var in ["x", "y"] {
        let sym = pool.symbol(var);
        results.push((format!("d/d{var}"), diff(&mut pool, expr, sym)));
    }
    let roots: Vec<ExprId> = results.iter().map(|&(_, id)| id).collect();
    for (what, id) in results {
        assert_ne!(id, ExprId::UNDEFINED, "{input:?}: {what} is undefined");
        let text = print(&pool, id);
        let back = parse(&mut pool, &text).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(
            back, id,
            "{input:?}: {what} printed as {text:?} reads back differently"
        );
    }
    let inputs = free_symbols(&pool, expr);
    if let Ok(tape) = Tape::compile_exprs(&pool, &roots, &inputs) {
        assert_eq!(tape.eval(&vec![0.7; inputs.len()]).len(), roots.len());
    }
    if let Some(program) = value_and_gradient(&mut pool, expr, &inputs) {
        for language in [Language::Rust, Language::C, Language::Python] {
            let spec = EmitSpec::loss_and_gradient(language, "f", &pool, &inputs, &inputs);
            emit(&pool, &program, &spec).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        }
    }
    assert_eq!(
        pool.limit_reached(),
        None,
        "{input:?} ran out of its time budget"
    );
}

/// Finding 1: huge exact numbers made every normalization run a quadratic gcd (timeouts
/// of both targets, then the minimized and hand-reduced inputs).
#[test]
fn huge_exact_numbers_are_fast() {
    for input in [
        "e-3e-3123**-52-- .48e-32626**5 - .22**5 - .2212+2-6**1*-  0",
        "11e-5252^(116e-0504^(1/2)**204/2)**602",
        "11e-5252^(111e-0504^(1/2)**204/2)**602",
        "152^(116e-0504)**602",
        "e-3e32622**5 -0",
        "(10^500)^602",
        "1e100000+1e-100000",
        "1e100000+1e-100000+1e99999+1e-99999",
        "-x^(x*+22777777777777)^8882-8**823 - .05",
        // Sums of fractions whose big gcds ran num-bigint's binary gcd (12 s; now Lehmer).
        "sinn(x)^4*c*kln(x)**sh*q**qx*x*yass(Rabs + 1 + 1*Sy2 -sh4-x  + 1 + 1*y2 -sh4-x - -(-3-x - y)^(1/-4-x - y)^(1^8/8888- y)/y)^(1^8+ 1+.1*y**-sh+ 2.1**y**d1/(x3 - x^(x*+39))^888-sh4-x - -(-2-x - y)^(1/-4-x)/y)^(1^8+ 1+.1*y**-sh+ 2.1**y**d1/(x3 - x^(x*+39))^888-sh4-x - -(-2-x - y)^(1/-4-x - y)^(1^8/888*y2 -sh4x^(x*+39))^88882-8*8*y)",
    ] {
        replay(input, None);
        replay(input, Some(1 << 12));
    }
}

/// Findings 2 and 3: numbers and numeric powers past `max_power_bits` printed as text
/// that read back as another expression (found with `max_power_bits` = 4096).
#[test]
fn numbers_past_the_power_limit_round_trip() {
    for input in [
        "44*1e-621*1e-621",
        "4e-621*1e-621",
        "1e-626**1.1",
        "-x^(x*+22)^881e-15**\t12511e-626**1.222- .25*1",
        // Finding 11: compiling split every huge coefficient with a big gcd (15 s).
        "ln(R + 1*1*y**-sh+ 1.1**y**sijd1/2 - x^(x*+39)^88882-88**y)",
    ] {
        replay(input, Some(1 << 12));
        replay(input, None);
    }
}
