//! Models: definitions files and `--def`, derivatives through definitions shown in their
//! names, gradient programs (reverse mode, backpropagation), `--sgd`, `--params`, and the
//! errors of bad definitions.

use deriv::model::{Definition, Model, Script};
use deriv::program::gradient_program_named;
use deriv::{ExprId, ParseOptions, Pool, SymbolId, eval};
use insta::assert_snapshot;
use rustc_hash::FxHashMap;

use crate::common::command::{run, stdout};

const POST: &str = "examples/mlp.txt";
const LARGE: &str = "examples/mlp-large.txt";

#[test]
fn derivatives_through_the_post_network_use_its_names() {
    // The backprop deltas are visible: a*g*(1 - g) for each sigmoid passed through.
    assert_snapshot!(stdout(&["-f", POST, "--wrt", "w11"]), @"a^2*h1*x1*(g1*u1*v11*(1 - g1) + g2*u2*v21*(1 - g2))*(out - y)*(1 - h1)");
    assert_snapshot!(stdout(&["-f", POST, "--wrt", "u1"]), @"g1*(out - y)");
    assert_snapshot!(stdout(&["-f", POST, "--wrt", "d"]), @"out - y");
    assert_snapshot!(stdout(&["-f", POST, "--of", "h1", "--wrt", "b1"]), @"a*h1*(1 - h1)");
}

#[test]
fn inline_writes_every_definition_out() {
    let text = stdout(&["-f", POST, "--wrt", "u1", "--inline"]);
    assert_snapshot!(text, @"(d + u1/(exp(-a*(c1 + v11/(exp(-a*(b1 + w11*x1 + w12*x2)) + 1) + v12/(exp(-a*(b2 + w21*x1 + w22*x2)) + 1))) + 1) + u2/(exp(-a*(c2 + v21/(exp(-a*(b1 + w11*x1 + w12*x2)) + 1) + v22/(exp(-a*(b2 + w21*x1 + w22*x2)) + 1))) + 1) - y)/(exp(-a*(c1 + v11/(exp(-a*(b1 + w11*x1 + w12*x2)) + 1) + v12/(exp(-a*(b2 + w21*x1 + w22*x2)) + 1))) + 1)");
    let output = run(&["-f", POST, "--wrt", "w11", "--inline", "--verify"]);
    assert!(output.status.success(), "{output:?}");
    let shown = String::from_utf8(output.stdout).expect("UTF-8");
    for name in ["phi", "h1", "g1", "out"] {
        assert!(!shown.contains(name), "{name} in {shown}");
    }
}

#[test]
fn the_gradient_of_the_post_network_is_backpropagation() {
    assert_snapshot!(stdout(&["-f", POST, "--grad", "--params", "w*,b*,v*,c*,u*,d"]), @r"
    h1 = phi(b1 + w11*x1 + w12*x2)
    h2 = phi(b2 + w21*x1 + w22*x2)
    g1 = phi(c1 + h1*v11 + h2*v12)
    g2 = phi(c2 + h1*v21 + h2*v22)
    t1 = d + g1*u1 + g2*u2 - y
    E = t1^2/2
    t2 = a*g2*t1*u2*(1 - g2)
    t3 = a*g1*t1*u1*(1 - g1)
    t4 = a*h2*(1 - h2)*(t2*v22 + t3*v12)
    t5 = a*h1*(t2*v21 + t3*v11)*(1 - h1)
    diff(E, w11) = t5*x1
    diff(E, w12) = t5*x2
    diff(E, w21) = t4*x1
    diff(E, w22) = t4*x2
    diff(E, b1) = t5
    diff(E, b2) = t4
    diff(E, v11) = h1*t3
    diff(E, v12) = h2*t3
    diff(E, v21) = h1*t2
    diff(E, v22) = h2*t2
    diff(E, c1) = t3
    diff(E, c2) = t2
    diff(E, u1) = g1*t1
    diff(E, u2) = g2*t1
    diff(E, d) = t1
    ");
}

#[test]
fn sgd_prints_update_rules_over_the_shared_intermediates() {
    assert_snapshot!(stdout(&["-f", POST, "--sgd", "0.1", "--params", "u*,d"]), @r"
    h1 = phi(b1 + w11*x1 + w12*x2)
    h2 = phi(b2 + w21*x1 + w22*x2)
    g1 = phi(c1 + h1*v11 + h2*v12)
    g2 = phi(c2 + h1*v21 + h2*v22)
    t1 = d + g1*u1 + g2*u2 - y
    E = t1^2/2
    u1 := u1 - g1*t1/10
    u2 := u2 - g2*t1/10
    d := d - t1/10
    ");
    assert_snapshot!(stdout(&["-f", POST, "--sgd", "eta", "--params", "d", "--format", "unicode"]), @"
    h1 = φ(b1 + w11·x1 + w12·x2)
    h2 = φ(b2 + w21·x1 + w22·x2)
    g1 = φ(c1 + h1·v11 + h2·v12)
    g2 = φ(c2 + h1·v21 + h2·v22)
    t1 = d + g1·u1 + g2·u2 - y
    E = t1²/2
    d ← d - η·t1
    ");
}

#[test]
fn answers_may_use_the_model_names() {
    assert_snapshot!(stdout(&["-f", POST, "--wrt", "u1", "--check", "g1*(out - y)"]), @"correct (proved: the difference simplifies to 0)");
    assert_snapshot!(stdout(&["-f", POST, "--wrt", "u1", "--check", "g1*(u1*g1 + u2*g2 + d - y)"]), @"correct (proved: the difference simplifies to 0)");
    let output = run(&["-f", POST, "--wrt", "u1", "--check", "g1*(out + y)"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .starts_with("incorrect\nthe derivative is g1*(out - y)\n")
    );
}

#[test]
fn every_component_of_the_gradient_programs_is_verified() {
    for (file, params) in [(POST, "w*,b*,v*,c*,u*,d,a"), (LARGE, "w*,b*,v*,c*,u*,d*,a")] {
        let output = run(&["-f", file, "--grad", "--params", params, "--verify"]);
        assert!(output.status.success(), "{output:?}");
        let report = String::from_utf8(output.stderr).expect("UTF-8");
        let expected = if file == POST { 16 } else { 40 };
        assert!(
            report.contains(&format!("verify: {expected} results checked")),
            "{report}"
        );
    }
}

#[test]
fn definitions_on_the_command_line() {
    assert_snapshot!(stdout(&["--def", "phi(s)=tanh(s)", "phi(x^2)", "--wrt", "x"]), @"2*x*(1 - phi(x^2)^2)");
    assert_snapshot!(stdout(&["--def", "h=x^2", "--def", "g=sin(h)", "--wrt", "x"]), @"2*x*cos(h)");
    assert_snapshot!(stdout(&["--def", "h=x^2", "--def", "g=sin(h)", "--of", "h", "--wrt", "x"]), @"2*x");
    // Printed results parse back under the same definitions.
    assert_snapshot!(stdout(&["--def", "phi(s)=1/(1+exp(-s))", "phi(x)*(1 - phi(x))", "--wrt", "x"]), @"phi(x)*(1 - phi(x))*(1 - 2*phi(x))");
}

#[test]
fn expression_lines_use_the_definitions_above_them() {
    let dir = std::env::temp_dir().join(format!("deriv-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("lines.txt");
    std::fs::write(&file, "k = x^2\nk^2\nm = k + y\nm*k\n").expect("write");
    let path = file.to_str().expect("UTF-8 path");
    assert_snapshot!(stdout(&["-f", path, "--wrt", "x"]), @"
    4*x^3
    2*x*(m + x^2)
    ");
}

#[test]
fn bad_definitions_are_errors_at_their_line_and_column() {
    let dir = std::env::temp_dir().join(format!("deriv-bad-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bad.txt");
    std::fs::write(
        &file,
        "phi(s) = 1/(1 + exp(-s))\nh = phi(x) + k\nk = 2*x\nh = x^2\ng = phi(x, y)\nq = q + 1\nr = h(x)\nf(a, a) = a\nz = phi + 1\n",
    )
    .expect("write");
    let output = run(&["-f", file.to_str().expect("UTF-8"), "--wrt", "x"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).expect("UTF-8");
    let stderr = stderr.replace(file.to_str().expect("UTF-8"), "bad.txt");
    assert_snapshot!(stderr, @r"
    error: `k` is used on line 2 before this definition
     --> bad.txt:3:1
      |
    3 | k = 2*x
      | ^
      = help: move the definition above its first use
    error: `h` is already defined on line 2
     --> bad.txt:4:1
      |
    4 | h = x^2
      | ^
      = help: each name is defined once; choose another name
    error: `phi` takes 1 argument, not 2
     --> bad.txt:5:5
      |
    5 | g = phi(x, y)
      |     ^^^
      = help: call it with as many arguments as its definition has parameters
    error: `q` is defined in terms of itself
     --> bad.txt:6:5
      |
    6 | q = q + 1
      |     ^
      = help: a definition cannot be recursive: use other names
    error: `h` is a variable, not a function
     --> bad.txt:7:5
      |
    7 | r = h(x)
      |     ^
      = help: use it without arguments
    error: the parameter `a` appears twice
     --> bad.txt:8:6
      |
    8 | f(a, a) = a
      |      ^
      = help: give each parameter its own name
    error: `phi` is a function: call it with its arguments
     --> bad.txt:9:5
      |
    9 | z = phi + 1
      |     ^^^
      = help: write it as a call, for example phi(x)
    ");
    // The last good definition, h, is still differentiated.
    assert_snapshot!(String::from_utf8(output.stdout).expect("UTF-8"), @"phi(x)*(1 - phi(x))");
}

#[test]
fn option_errors() {
    let cases: [(&[&str], i32); 6] = [
        (&["--def", "h x", "x"], 2),
        (&["--def", "h=x^2", "--def", "h=2", "x"], 1),
        (&["--def", "sin(x)=x", "x"], 2),
        (&["-f", POST, "--grad", "--params", "q*"], 2),
        (&["-f", POST, "--of", "nothing", "--wrt", "x1"], 2),
        (&["-f", POST, "--wrt", "h1,w11", "--grad"], 2),
    ];
    let mut text = String::new();
    for (args, code) in cases {
        let output = run(args);
        assert_eq!(output.status.code(), Some(code), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        text.push_str(&String::from_utf8(output.stderr).expect("UTF-8"));
    }
    assert_snapshot!(text, @r"
    error: `h x` is not a definition
     --> --def:1:1
      |
    1 | h x
      | ^^^
      = help: write NAME=EXPR or 'f(a, b)=EXPR', for example --def 'phi(s)=1/(1+exp(-s))'
    error: `h` is already defined in a --def option
     --> --def:1:1
      |
    1 | h=2
      | ^
      = help: each name is defined once; choose another name
    error: `sin` is a function, not a variable
     --> --def:1:1
      |
    1 | sin(x)=x
      | ^^^
      = help: a definition is `NAME = EXPR` or `NAME(PARAMS) = EXPR`
    error: --params: `q*` matches no variable of the function
      = help: its variables are a, b1, b2, c1, c2, d, u1, u2, v11, v12, v21, v22, w11, w12, w21, w22, x1, x2, y
    error: --of nothing: nothing defines `nothing` in examples/mlp.txt
    error: --wrt h1: `h1` is a definition, not a variable: derivatives go through definitions to the variables they are written in
      = help: differentiate in a variable of the definitions (results are shown in the definitions' names)
    ");
}

/// A gradient program may use a definition it does not compute (`k`, inside the
/// derivative of `phi`): `--verify` binds it to its value. A parameter given twice is one.
#[test]
fn verify_binds_definitions_and_parameters_count_once() {
    let args = [
        "(phi(w*x) - y)^2",
        "--def",
        "k=a^2 + sin(a)",
        "--def",
        "phi(s)=s*k + s^3",
        "--grad",
        "--verify",
    ];
    let output = run(&args);
    assert!(output.status.success(), "{output:?}");
    let report = String::from_utf8(output.stderr).expect("UTF-8");
    assert!(report.contains("verify: 4 results checked"), "{report}");
    let program = stdout(&["-f", POST, "--wrt", "d,d", "--sgd", "1/10"]);
    assert!(program.ends_with("d := d - t1/10\n"), "{program}");
    assert_eq!(program.matches(":=").count(), 1, "{program}");
}

/// A random network of definitions: `layers` sizes, each unit one of several activations.
fn random_model(seed: u64, inputs: usize, layers: &[usize]) -> String {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut lines = vec![
        "sig(s) = 1/(1 + exp(-k*s))".to_string(),
        "soft(s) = ln(1 + exp(s))".to_string(),
        "sq(s, t) = s*t/(1 + t^2)".to_string(),
    ];
    let mut previous: Vec<String> = (1..=inputs).map(|i| format!("x{i}")).collect();
    for (l, &size) in layers.iter().enumerate() {
        let mut units = Vec::new();
        for j in 1..=size {
            let sum: Vec<String> = previous
                .iter()
                .enumerate()
                .map(|(i, p)| format!("w{l}_{j}_{}*{p}", i + 1))
                .collect();
            let sum = format!("{} + b{l}_{j}", sum.join(" + "));
            let unit = format!("h{l}_{j}");
            let body = match next(4) {
                0 => format!("sig({sum})"),
                1 => format!("tanh({sum})"),
                2 => format!("soft({sum})"),
                _ => format!("sq({sum}, {})", previous[0]),
            };
            lines.push(format!("{unit} = {body}"));
            units.push(unit);
        }
        previous = units;
    }
    let out: Vec<String> = previous
        .iter()
        .enumerate()
        .map(|(i, p)| format!("u{}*{p}", i + 1))
        .collect();
    lines.push(format!("out = {} + d", out.join(" + ")));
    lines.push("E = 1/2*(y - out)^2".into());
    lines.join("\n")
}

fn load(pool: &mut Pool, text: &str) -> Model {
    let options = ParseOptions::default();
    let mut script = Script::default();
    for (k, line) in text.lines().enumerate() {
        let definition = Definition::read(line)
            .expect("a definition")
            .expect("well formed");
        script
            .define(definition, k + 1, &options)
            .expect("valid definition");
    }
    Model::load(pool, &script.definitions, &options).expect("loads")
}

/// Central differences, extrapolated (Richardson).
fn numeric_partial(pool: &Pool, f: ExprId, var: SymbolId, point: &FxHashMap<SymbolId, f64>) -> f64 {
    let at = |h: f64| {
        let mut moved = point.clone();
        *moved.get_mut(&var).expect("a variable of the point") += h;
        eval(pool, f, &moved)
    };
    let central = |h: f64| (at(h) - at(-h)) / (2.0 * h);
    let h = 1e-3;
    (4.0 * central(h / 2.0) - central(h)) / 3.0
}

#[test]
fn every_gradient_component_of_random_models_matches_finite_differences() {
    for seed in 0..24u64 {
        let layers: &[usize] = match seed % 3 {
            0 => &[2],
            1 => &[3, 2],
            _ => &[2, 3, 2],
        };
        let text = random_model(seed, 2, layers);
        let mut pool = Pool::new();
        let model = load(&mut pool, &text);
        let e = pool.symbol("E");
        let loss = model.value(e).expect("E is defined");
        let vars = deriv::free_symbols(&pool, loss);
        let program =
            gradient_program_named(&mut pool, loss, &vars, model.names()).expect("a program");
        let point: FxHashMap<SymbolId, f64> = vars
            .iter()
            .enumerate()
            .map(|(k, &v)| (v, 0.9 * ((k as f64 * 1.7 + seed as f64).sin())))
            .collect();
        let values = program.eval(&pool, &point);
        for (k, &v) in vars.iter().enumerate() {
            let expected = numeric_partial(&pool, loss, v, &point);
            let error = (values[k] - expected).abs() / expected.abs().max(1.0);
            assert!(
                error < 1e-7,
                "seed {seed}, ∂E/∂{}: {} vs {expected}\n{text}",
                pool.symbol_name(v),
                values[k]
            );
        }
    }
}

/// Operators and calls in a printed formula, counted as the peer benchmark kit counts
/// them (`a + b + c` is 2, `-x` is 1, `f(x)` is 1).
fn ops(text: &str) -> usize {
    let mut count = 0;
    let mut previous = ' ';
    for c in text.chars() {
        match c {
            '+' | '*' | '/' | '^' => count += 1,
            '-' => count += 1,
            '(' if previous.is_alphanumeric() || previous == '_' => count += 1,
            _ => {}
        }
        if !c.is_whitespace() {
            previous = c;
        }
    }
    count
}

fn right_sides(text: &str) -> usize {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(|l| ops(l.split_once(['=', ':']).map_or(l, |(_, r)| r)))
        .sum()
}

#[test]
fn gradient_programs_stay_within_the_cheap_gradient_bound() {
    let generated = {
        // About 1,000 parameters: 20 inputs, 30 and 20 sigmoid units.
        let mut lines = vec!["phi(s) = 1/(1 + exp(-s))".to_string()];
        for j in 1..=30 {
            let sum: Vec<String> = (1..=20).map(|i| format!("w{j}_{i}*x{i}")).collect();
            lines.push(format!("h{j} = phi({} + b{j})", sum.join(" + ")));
        }
        for k in 1..=20 {
            let sum: Vec<String> = (1..=30).map(|j| format!("v{k}_{j}*h{j}")).collect();
            lines.push(format!("g{k} = phi({} + c{k})", sum.join(" + ")));
        }
        let out: Vec<String> = (1..=20).map(|k| format!("u{k}*g{k}")).collect();
        lines.push(format!("out = {} + d", out.join(" + ")));
        lines.push("E = 1/2*(y - out)^2".into());
        lines.join("\n") + "\n"
    };
    let dir = std::env::temp_dir().join(format!("deriv-bound-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let big = dir.join("mlp1000.txt");
    std::fs::write(&big, &generated).expect("write");
    let big = big.to_str().expect("UTF-8").to_string();
    for (file, params, bound) in [
        (POST, "w*,b*,v*,c*,u*,d", 3.0),
        (LARGE, "w*,b*,v*,c*,u*,d*", 3.0),
        (big.as_str(), "w*,b*,v*,c*,u*,d", 3.0),
    ] {
        let model = std::fs::read_to_string(file).expect("model");
        // The loss's own size: the model's definitions, functions written once.
        let loss = right_sides(&model);
        let program = stdout(&["-f", file, "--grad", "--params", params]);
        let ratio = right_sides(&program) as f64 / loss as f64;
        assert!(
            ratio <= bound,
            "{file}: program {} ops, loss {loss} ops, ratio {ratio:.2}",
            right_sides(&program)
        );
    }
}
