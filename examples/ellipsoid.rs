//! The seed post's ellipsoid: V = 4*pi/3 * t*x*y. The partial derivative in x holds t and
//! y fixed; the total derivative along the constraint t = x follows t as well and doubles
//! the result, while substituting t = x into the partial derivative afterwards does not.
//!
//! Run with `cargo run --example ellipsoid`.

use deriv::{Dependencies, Pool, Substitution, diff, parse, print, total_diff};

fn main() -> Result<(), deriv::Error> {
    let mut pool = Pool::new();
    let volume = parse(&mut pool, "4*pi/3*t*x*y")?;
    let (t, x) = (pool.symbol("t"), pool.symbol("x"));

    let partial = diff(&mut pool, volume, x);
    println!("partial dV/dx (t, y fixed):   {}", print(&pool, partial));

    // The constraint t = x.
    let mut constraint = Substitution::new();
    constraint.insert(t, pool.sym(x));
    let deps = Dependencies {
        substitution: constraint.clone(),
        depends: Vec::new(),
    };
    let total = total_diff(&mut pool, volume, x, &deps);
    println!("total dV/dx along t = x:      {}", print(&pool, total));

    let substituted_after = constraint.apply(&mut pool, partial);
    println!(
        "t = x substituted afterwards: {}  (wrong)",
        print(&pool, substituted_after)
    );

    let constrained = constraint.apply(&mut pool, volume);
    let substituted_first = diff(&mut pool, constrained, x);
    println!(
        "t = x substituted first:      {}",
        print(&pool, substituted_first)
    );
    Ok(())
}
