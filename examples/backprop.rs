//! Backpropagation by `deriv`: the seed post's perceptron (two inputs, two hidden layers of
//! two sigmoid units, one linear output), its squared error E differentiated symbolically
//! into one gradient program, compiled to a flat numeric program, and trained by
//! stochastic gradient descent on a smooth regression. Prints the falling loss.
//!
//! Run with `cargo run --release --example backprop`.

use deriv::model::{Definition, Model, Script};
use deriv::program::{Tape, value_and_gradient_named};
use deriv::{ParseOptions, Pool, SymbolId, print};

/// The post's network, as a model file holds it.
const NETWORK: &str = "\
phi(s) = 1/(1 + exp(-a*s))
h1 = phi(w11*x1 + w12*x2 + b1)
h2 = phi(w21*x1 + w22*x2 + b2)
g1 = phi(v11*h1 + v12*h2 + c1)
g2 = phi(v21*h1 + v22*h2 + c2)
out = u1*g1 + u2*g2 + d
E = 1/2*(y - out)^2";

const PARAMETERS: [&str; 15] = [
    "w11", "w12", "w21", "w22", "b1", "b2", "v11", "v12", "v21", "v22", "c1", "c2", "u1", "u2", "d",
];

/// A small deterministic random number generator (xorshift), uniform in [-1, 1).
struct Random(u64);

impl Random {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    train(2000, true)?;
    Ok(())
}

/// Derives the network's gradient, trains it for `epochs` epochs and returns the mean loss
/// every 250 epochs; with `verbose`, prints the gradient program and the losses.
fn train(epochs: usize, verbose: bool) -> Result<Vec<f64>, Box<dyn std::error::Error>> {
    // 1. The model, from its definitions.
    let options = ParseOptions::default();
    let mut script = Script::default();
    for (k, line) in NETWORK.lines().enumerate() {
        let definition = Definition::read(line).ok_or("not a definition")??;
        script.define(definition, k + 1, &options)?;
    }
    let mut pool = Pool::new();
    let model = Model::load(&mut pool, &script.definitions, &options)?;
    let loss_name = pool.symbol("E");
    let loss = model.value(loss_name).ok_or("E is not defined")?;

    // 2. Its value and gradient: one straight-line program, reverse mode, in the model's
    // names; the results are E, then the gradient.
    let params: Vec<SymbolId> = PARAMETERS.iter().map(|p| pool.symbol(p)).collect();
    let program =
        value_and_gradient_named(&mut pool, loss, &params, model.names()).ok_or("no program")?;
    if verbose {
        println!(
            "The gradient program ({} intermediates):",
            program.temps.len()
        );
        for &(name, value) in &program.temps {
            println!("  {} = {}", pool.symbol_name(name), print(&pool, value));
        }
        for (p, &value) in PARAMETERS.iter().zip(&program.results[1..]) {
            println!("  diff(E, {p}) = {}", print(&pool, value));
        }
    }

    // 3. Compiled (calls of phi included): inputs are the parameters, then a, x1, x2, y.
    let mut inputs = params.clone();
    for name in ["a", "x1", "x2", "y"] {
        inputs.push(pool.symbol(name));
    }
    let tape = Tape::compile(&pool, &program, &inputs)?;

    // 4. Data: y = sin(2*x1)/2 + x2*x2/3 on 64 random points of [-1, 1]^2.
    let mut random = Random(0x5eed);
    let data: Vec<(f64, f64, f64)> = (0..64)
        .map(|_| {
            let (x1, x2) = (random.next(), random.next());
            (x1, x2, (2.0 * x1).sin() / 2.0 + x2 * x2 / 3.0)
        })
        .collect();

    // 5. Stochastic gradient descent: theta := theta - eta*dE/dtheta, one example at a
    // time.
    let mut theta: Vec<f64> = (0..PARAMETERS.len()).map(|_| random.next()).collect();
    let eta = 0.5;
    let mut values = vec![0.0; inputs.len()];
    let mut result = vec![0.0; 1 + PARAMETERS.len()];
    let mut scratch = tape.scratch();
    if verbose {
        println!("\nTraining (64 examples, eta = {eta}):");
    }
    let mut losses = Vec::new();
    for epoch in 0..=epochs {
        let mut total = 0.0;
        for &(x1, x2, y) in &data {
            values[..theta.len()].copy_from_slice(&theta);
            values[theta.len()..].copy_from_slice(&[1.0, x1, x2, y]);
            tape.eval_into(&values, &mut scratch, &mut result);
            total += result[0];
            for (t, g) in theta.iter_mut().zip(&result[1..]) {
                *t -= eta * g;
            }
        }
        if epoch % 250 == 0 {
            let mean = total / data.len() as f64;
            losses.push(mean);
            if verbose {
                println!("  epoch {epoch:>4}: mean E = {mean:.6}");
            }
        }
    }
    Ok(losses)
}

#[test]
fn the_loss_falls() {
    let losses = train(2000, false).unwrap();
    let (first, last) = (losses[0], losses[losses.len() - 1]);
    assert!(last < first / 10.0 && last < 0.01, "{losses:?}");
}
