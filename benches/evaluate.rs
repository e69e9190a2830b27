//! Numeric evaluation of a gradient: the compiled `Tape` against the tree-walking
//! `deriv::eval`, on the reverse-mode gradient program of a perceptron with about 1,000
//! parameters (the peer kit's W5 loss at n = 22: 2n² + 3n + 1 = 1,035 parameters, 23 data
//! inputs).
//!
//! - `tape`: one evaluation of the compiled gradient program (all 1,035 partials);
//! - `tape-value-and-gradient`: the same with the loss as well;
//! - `tree-walk`: the same program through `deriv::eval`, one intermediate after another
//!   (what evaluating a program costs without a tape);
//! - `tree-walk-loss-only`: `deriv::eval` of the loss alone, for scale;
//! - `compile`: building the tape from the program.
//!
//! Run with `cargo bench --bench evaluate`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use deriv::program::{Tape, gradient_program, value_and_gradient};
use deriv::{ExprId, Pool, SymbolId, eval, parse};
use rustc_hash::FxHashMap;

#[path = "common/mlp.rs"]
mod mlp;
use mlp::mlp;

/// Inputs and hidden units per layer.
const N: usize = 22;

/// A deterministic point: small weights, data in [-1, 1].
fn point(count: usize) -> Vec<f64> {
    (0..count)
        .map(|k| ((k * 7919 % 201) as f64 - 100.0) / 100.0 * if k < N + 1 { 1.0 } else { 0.3 })
        .collect()
}

fn evaluate(c: &mut Criterion) {
    let (text, names) = mlp(N, "_");
    let mut pool = Pool::new();
    let loss: ExprId = parse(&mut pool, &text).expect("the loss must parse");
    let params: Vec<SymbolId> = names.iter().map(|p| pool.symbol(p)).collect();
    let mut inputs: Vec<SymbolId> = (1..=N).map(|i| pool.symbol(&format!("x{i}"))).collect();
    inputs.push(pool.symbol("y"));
    inputs.extend_from_slice(&params);
    let gradient = gradient_program(&mut pool, loss, &params).expect("a gradient program");
    let both = value_and_gradient(&mut pool, loss, &params).expect("a gradient program");
    let tape = Tape::compile(&pool, &gradient, &inputs).expect("the program compiles");
    let both_tape = Tape::compile(&pool, &both, &inputs).expect("the program compiles");

    let values = point(inputs.len());
    let map: FxHashMap<SymbolId, f64> =
        inputs.iter().copied().zip(values.iter().copied()).collect();
    // The tape agrees with tree walking before anything is timed.
    let walked = gradient.eval(&pool, &map);
    let taped = tape.eval(&values);
    for (k, (a, b)) in taped.iter().zip(&walked).enumerate() {
        assert!(
            (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300),
            "partial {k}: tape {a} vs eval {b}"
        );
    }
    eprintln!(
        "mlp{N}: {} parameters, {} inputs, {} intermediates, tape of {} instructions and {} registers",
        params.len(),
        inputs.len(),
        gradient.temps.len(),
        tape.len(),
        tape.num_registers()
    );

    let mut group = c.benchmark_group(format!("evaluate/mlp{N}"));
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    let mut scratch = tape.scratch();
    let mut out = vec![0.0; tape.num_outputs()];
    group.bench_function("tape", |b| {
        b.iter(|| tape.eval_into(black_box(&values), &mut scratch, &mut out));
    });
    let mut both_out = vec![0.0; both_tape.num_outputs()];
    group.bench_function("tape-value-and-gradient", |b| {
        b.iter(|| both_tape.eval_into(black_box(&values), &mut scratch, &mut both_out));
    });
    group.bench_function("tree-walk", |b| {
        b.iter(|| gradient.eval(&pool, black_box(&map)));
    });
    group.bench_function("tree-walk-loss-only", |b| {
        b.iter(|| eval(&pool, loss, black_box(&map)));
    });
    group.bench_function("compile", |b| {
        b.iter(|| Tape::compile(&pool, black_box(&gradient), &inputs));
    });
    group.finish();
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
