//! Benchmarks of the three stages of `deriv`: parse (text to canonical expression),
//! diff and print.
//!
//! There is no separate "simplify" stage to measure: every node is simplified by the
//! constructors while the parser builds it. Parsing is therefore measured twice on the
//! same trees: from the raw generated text (grammar + lowering + all the simplification)
//! and from the printed canonical text of that same expression (grammar + lowering +
//! constructors that find little left to do). The gap between the two approximates the
//! cost of simplification; it is only an approximation, since the canonical text is also
//! shorter (about two thirds of the raw text) and the constructors still run.
//!
//! `diff` memoizes derivatives inside the pool, so each measured `diff` gets a fresh pool
//! parsed in the (unmeasured) setup of `iter_batched_ref`; pools are dropped outside the
//! measurement as well.
//!
//! Run with `cargo bench --bench core`; the whole file takes a couple of minutes on two
//! cores.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use deriv::program::cse;
use deriv::{ExprId, Pool, SymbolId, diff, parse, print};

#[path = "common/mlp.rs"]
mod mlp;
use mlp::mlp;

/// Node counts of the random trees.
const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// Depth of the `sin(sin(...sin(x)...))` chain that is parsed.
const CHAIN_PARSE_DEPTH: usize = 10_000;

/// Depth of the chain that is differentiated and printed. The derivative of a chain of
/// depth n is a product of n cosines of chains: built once at the top, it is n operands
/// (diff is linear: the 10,000-deep chain is differentiated too, below), but its text is
/// quadratic, 2.5 MB at depth 1,000 and 250 MB at depth 10,000, so diff+print is
/// measured at depth 1,000. (Diff built the product level by level until issue 17, n²/2
/// operand slots: about 8 s at depth 10,000.)
const CHAIN_DIFF_DEPTH: usize = 1_000;

/// The W1 example of the README and the crate docs.
const W1: &str = "4*pi/3*t*x*y";

/// A tiny xorshift64 generator: deterministic, so every run benchmarks the same trees.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        // xorshift must not start at zero.
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A value in `0..n`; the modulo bias is irrelevant here.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The shapes a generated node can take, with their weights and the least node budget
/// each needs (the node itself plus its fixed parts).
#[derive(Clone, Copy)]
enum Form {
    Add,
    Sub,
    Mul,
    /// `a / (b^2 + k)`: the denominator is at least 1 wherever it is real, so the
    /// constructors can never fold it to zero and parsing cannot fail with `1/0`.
    Div,
    /// `(b)^k` with `k` in 2..=4.
    Pow,
    Neg,
    Sin,
    Cos,
    Exp,
    /// `ln(s^2 + k)`: the argument is at least 1, so never `ln(0)` or `ln(-3)`.
    Ln,
}

const FORMS: [(Form, usize, usize); 10] = [
    // (form, weight, minimum budget)
    (Form::Add, 20, 3),
    (Form::Sub, 12, 3),
    (Form::Mul, 20, 3),
    (Form::Div, 8, 7),
    (Form::Pow, 8, 3),
    (Form::Neg, 6, 2),
    (Form::Sin, 7, 2),
    (Form::Cos, 7, 2),
    (Form::Exp, 5, 2),
    (Form::Ln, 5, 6),
];

/// Random expression text with exactly `nodes` nodes, counting every operator, function
/// application, variable and integer (including the fixed `^2`, `+ k` parts of `/` and
/// `ln`). Fully parenthesized, so the text means the tree that was drawn.
fn random_expression(seed: u64, nodes: usize) -> String {
    let mut rng = XorShift::new(seed);
    let mut out = String::with_capacity(nodes * 6);
    let written = generate(&mut rng, nodes, &mut out);
    assert_eq!(written, nodes);
    out
}

/// Writes a tree of exactly `budget` nodes and returns the count written.
fn generate(rng: &mut XorShift, budget: usize, out: &mut String) -> usize {
    if budget == 1 {
        atom(rng, out);
        return 1;
    }
    let total: usize = FORMS.iter().filter(|f| f.2 <= budget).map(|f| f.1).sum();
    let mut roll = rng.below(total);
    let mut form = Form::Neg;
    for &(candidate, weight, min) in &FORMS {
        if min > budget {
            continue;
        }
        if roll < weight {
            form = candidate;
            break;
        }
        roll -= weight;
    }
    match form {
        Form::Add | Form::Sub | Form::Mul => {
            let op = match form {
                Form::Add => " + ",
                Form::Sub => " - ",
                _ => " * ",
            };
            let rest = budget - 1;
            let left = 1 + rng.below(rest - 1);
            out.push('(');
            let mut n = generate(rng, left, out);
            out.push_str(op);
            n += generate(rng, rest - left, out);
            out.push(')');
            n + 1
        }
        Form::Div => {
            // `/`, `+`, `^`, `2` and `k` are the five fixed nodes.
            let rest = budget - 5;
            let numer = 1 + rng.below(rest - 1);
            out.push('(');
            let mut n = generate(rng, numer, out);
            out.push_str(" / ((");
            n += generate(rng, rest - numer, out);
            out.push_str(&format!(")^2 + {}))", 1 + rng.below(9)));
            n + 5
        }
        Form::Pow => {
            out.push('(');
            let n = generate(rng, budget - 2, out);
            out.push_str(&format!(")^{}", 2 + rng.below(3)));
            n + 2
        }
        Form::Neg => {
            out.push_str("(-");
            let n = generate(rng, budget - 1, out);
            out.push(')');
            n + 1
        }
        Form::Sin | Form::Cos | Form::Exp => {
            out.push_str(match form {
                Form::Sin => "sin(",
                Form::Cos => "cos(",
                _ => "exp(",
            });
            let n = generate(rng, budget - 1, out);
            out.push(')');
            n + 1
        }
        Form::Ln => {
            // `ln`, `+`, `^`, `2` and `k` are the five fixed nodes.
            out.push_str("ln((");
            let n = generate(rng, budget - 5, out);
            out.push_str(&format!(")^2 + {})", 1 + rng.below(9)));
            n + 5
        }
    }
}

/// A variable (x, y, z) three times in five, otherwise an integer 1..=9.
fn atom(rng: &mut XorShift, out: &mut String) {
    let roll = rng.below(15);
    match roll {
        0..9 => out.push(['x', 'y', 'z'][roll % 3]),
        _ => out.push(char::from(b'1' + rng.below(9) as u8)),
    }
}

/// `sin(sin(...sin(x)...))` nested `depth` times.
fn sin_chain(depth: usize) -> String {
    format!("{}x{}", "sin(".repeat(depth), ")".repeat(depth))
}

/// A fresh pool holding `text` parsed, and the symbol `x` to differentiate by.
fn parsed(text: &str) -> (Pool, ExprId, SymbolId) {
    let mut pool = Pool::new();
    let id = parse(&mut pool, text).expect("benchmark input must parse");
    let x = pool.symbol("x");
    (pool, id, x)
}

/// Sample settings shared by the groups: few samples, short runs.
fn configure<M: criterion::measurement::Measurement>(group: &mut criterion::BenchmarkGroup<'_, M>) {
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
}

fn random_trees(c: &mut Criterion) {
    // (size, raw text, canonical text); every tree is checked to parse once, up front.
    let inputs: Vec<(usize, String, String)> = SIZES
        .iter()
        .enumerate()
        .map(|(i, &size)| {
            let raw = random_expression(0xDE21_0000 + i as u64, size);
            let (pool, id, _) = parsed(&raw);
            let canonical = print(&pool, id);
            parsed(&canonical);
            (size, raw, canonical)
        })
        .collect();

    let mut group = c.benchmark_group("random/parse");
    configure(&mut group);
    for (size, raw, canonical) in &inputs {
        for (kind, text) in [("raw", raw), ("canonical", canonical)] {
            group.bench_with_input(BenchmarkId::new(kind, size), text, |b, text| {
                b.iter_batched_ref(
                    Pool::new,
                    |pool| parse(pool, black_box(text)).expect("benchmark input must parse"),
                    BatchSize::SmallInput,
                );
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group("random/diff");
    configure(&mut group);
    for (size, raw, _) in &inputs {
        group.bench_with_input(BenchmarkId::from_parameter(size), raw, |b, raw| {
            b.iter_batched_ref(
                || parsed(raw),
                |(pool, id, x)| diff(pool, *id, *x),
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();

    let mut group = c.benchmark_group("random/print");
    configure(&mut group);
    for (size, raw, _) in &inputs {
        // `print` only reads the pool, so one pool serves every iteration.
        let (pool, id, _) = parsed(raw);
        group.bench_function(BenchmarkId::from_parameter(size), |b| {
            b.iter(|| print(&pool, black_box(id)));
        });
    }
    group.finish();
}

fn sin_chains(c: &mut Criterion) {
    let deep = sin_chain(CHAIN_PARSE_DEPTH);
    let shallow = sin_chain(CHAIN_DIFF_DEPTH);
    parsed(&deep);

    let mut group = c.benchmark_group("chain");
    configure(&mut group);
    group.bench_function(BenchmarkId::new("parse", CHAIN_PARSE_DEPTH), |b| {
        b.iter_batched_ref(
            Pool::new,
            |pool| parse(pool, black_box(&deep)).expect("benchmark input must parse"),
            BatchSize::SmallInput,
        );
    });
    for (depth, chain) in [(CHAIN_DIFF_DEPTH, &shallow), (CHAIN_PARSE_DEPTH, &deep)] {
        group.bench_function(BenchmarkId::new("diff", depth), |b| {
            b.iter_batched_ref(
                || parsed(chain),
                |(pool, id, x)| diff(pool, *id, *x),
                BatchSize::PerIteration,
            );
        });
    }
    group.bench_function(BenchmarkId::new("diff+print", CHAIN_DIFF_DEPTH), |b| {
        b.iter_batched_ref(
            || parsed(&shallow),
            |(pool, id, x)| {
                let derivative = diff(pool, *id, *x);
                print(pool, derivative)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn w1(c: &mut Criterion) {
    let mut pool = Pool::new();
    let id = parse(&mut pool, W1).expect("W1 must parse");
    let x = pool.symbol("x");
    let derivative = diff(&mut pool, id, x);
    assert_eq!(print(&pool, derivative), "4*pi*t*y/3");

    let mut group = c.benchmark_group("w1");
    configure(&mut group);
    // Text in, text out, as the CLI does it: parse, differentiate by x, print.
    group.bench_function("parse+diff+print", |b| {
        b.iter_batched_ref(
            Pool::new,
            |pool| {
                let id = parse(pool, black_box(W1)).expect("W1 must parse");
                let x = pool.symbol("x");
                let derivative = diff(pool, id, x);
                print(pool, derivative)
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

/// W3 and W5 of the peer kit: repeated derivatives, and every partial of a loss, each
/// from text to printed text (and to a `--cse` program).
fn workloads(c: &mut Criterion) {
    let mut group = c.benchmark_group("workloads");
    configure(&mut group);
    for (name, text, order) in [("sinexp40", "sin(x)*exp(x^2)", 40), ("xpowx12", "x^x", 12)] {
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                Pool::new,
                |pool| {
                    let mut id = parse(pool, black_box(text)).expect("W3 must parse");
                    let x = pool.symbol("x");
                    for _ in 0..order {
                        id = diff(pool, id, x);
                    }
                    print(pool, id)
                },
                BatchSize::SmallInput,
            );
        });
    }
    let (loss, params) = mlp(8, "");
    let gradient = |pool: &mut Pool| {
        let id = parse(pool, black_box(&loss)).expect("W5 must parse");
        params
            .iter()
            .map(|p| {
                let p = pool.symbol(p);
                diff(pool, id, p)
            })
            .collect::<Vec<ExprId>>()
    };
    group.bench_function("mlp8-gradient", |b| {
        b.iter_batched_ref(
            Pool::new,
            |pool| {
                let parts = gradient(pool);
                parts.iter().map(|&d| print(pool, d).len()).sum::<usize>()
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("mlp8-gradient-cse", |b| {
        b.iter_batched_ref(
            Pool::new,
            |pool| {
                let parts = gradient(pool);
                let program = cse(pool, &parts);
                program.temps.len()
            },
            BatchSize::SmallInput,
        );
    });
    let chain = sin_chain(10_000);
    group.bench_function("chain10000-cse", |b| {
        b.iter_batched_ref(
            || parsed(&chain),
            |(pool, id, x)| {
                let derivative = diff(pool, *id, *x);
                cse(pool, &[derivative]).temps.len()
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, random_trees, sin_chains, w1, workloads);
criterion_main!(benches);
