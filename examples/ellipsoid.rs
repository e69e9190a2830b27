//! The seed post's ellipsoid: V = 4*pi/3 * t*x*y. The partial derivative in x holds t and
//! y fixed; with the constraint t = x applied *before* differentiating, the result doubles.
//!
//! Run with `cargo run --example ellipsoid`.

use deriv::{Pool, diff, parse, print};

fn main() -> Result<(), deriv::Error> {
    let mut pool = Pool::new();
    let volume = parse(&mut pool, "4*pi/3*t*x*y")?;
    let x = pool.symbol("x");

    let partial = diff(&mut pool, volume, x);
    println!("dV/dx with t, y fixed:      {}", print(&pool, partial));

    // The constraint t = x, substituted before differentiating.
    let constrained = parse(&mut pool, "4*pi/3*x*x*y")?;
    let along_constraint = diff(&mut pool, constrained, x);
    println!(
        "dV/dx along t = x:          {}",
        print(&pool, along_constraint)
    );

    // Substituting afterwards into the partial derivative gives the wrong answer.
    let substituted_after = parse(&mut pool, "4*pi*x*y/3")?;
    println!(
        "substituted afterwards:     {}",
        print(&pool, substituted_after)
    );
    Ok(())
}
