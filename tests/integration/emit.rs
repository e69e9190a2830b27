//! The generated Rust, C and Python compute what a `Tape` computes: each program is
//! emitted in all three languages, compiled with `rustc` and `gcc` (or run by `python3`),
//! and the printed values are compared with the tape's (relative error below 1e-12).
//! A missing compiler or interpreter fails the test with a message saying which.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use deriv::expr::eval_constant;
use deriv::program::{EmitSpec, Language, Output, Program, Role, Tape, emit, value_and_gradient};
use deriv::{ExprId, Pool, Rational, SymbolId, free_symbols, parse};

use crate::common::command::{deriv, deriv_with, run_with_stdin};

const LANGUAGES: [Language; 3] = [Language::Rust, Language::C, Language::Python];

/// A fresh directory for one build, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str, lang: Language) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "deriv-emit-{}-{test}-{lang:?}-{n}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("cannot create a temporary directory");
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs a command, failing the test if it cannot start or does not succeed.
fn run(command: &mut Command, what: &str, source: &Path) -> String {
    let output = command.output().unwrap_or_else(|e| {
        panic!("{what} could not be started (is it installed and on PATH?): {e}")
    });
    if !output.status.success() {
        panic!(
            "{what} failed ({}) on {}:\n{}\n{}\n--- source ---\n{}",
            output.status,
            source.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(source).unwrap_or_default()
        );
    }
    String::from_utf8(output.stdout).expect("output is not UTF-8")
}

/// `value` as a literal every language reads back exactly.
fn literal(value: f64) -> String {
    format!("{value:?}")
}

/// Builds and runs `code` (a function `name`) at each point, and returns the printed values.
fn run_generated(
    test: &str,
    lang: Language,
    code: &str,
    name: &str,
    outputs: usize,
    points: &[Vec<f64>],
) -> Vec<Vec<f64>> {
    let dir = TempDir::new(test, lang);
    let calls: Vec<String> = points
        .iter()
        .map(|p| p.iter().map(|&v| literal(v)).collect::<Vec<_>>().join(", "))
        .collect();
    let stdout = match lang {
        Language::Rust => {
            let mut source = code.to_string();
            source.push_str("\nfn main() {\n");
            for args in &calls {
                source.push_str(&format!(
                    "    for v in {name}({args}) {{\n        println!(\"{{v:?}}\");\n    }}\n"
                ));
            }
            source.push_str("}\n");
            let file = dir.path("main.rs");
            std::fs::write(&file, source).expect("cannot write the Rust source");
            let binary = dir.path("main");
            run(
                Command::new("rustc")
                    .args(["--edition", "2021", "-D", "warnings", "-o"])
                    .arg(&binary)
                    .arg(&file),
                "rustc",
                &file,
            );
            run(
                &mut Command::new(&binary),
                "the compiled Rust program",
                &file,
            )
        }
        Language::C => {
            let mut source = code.to_string();
            source.push_str("\n#include <stdio.h>\n\nint main(void)\n{\n");
            source.push_str(&format!("    double out[{}];\n", outputs.max(1)));
            for args in &calls {
                let args = if args.is_empty() {
                    "out".to_string()
                } else {
                    format!("{args}, out")
                };
                source.push_str(&format!(
                    "    {name}({args});\n    for (int i = 0; i < {outputs}; i++)\n        printf(\"%.17g\\n\", out[i]);\n"
                ));
            }
            source.push_str("    return 0;\n}\n");
            let file = dir.path("main.c");
            std::fs::write(&file, source).expect("cannot write the C source");
            let binary = dir.path("main");
            run(
                Command::new("gcc")
                    .args([
                        "-std=c99",
                        "-Wall",
                        "-Wextra",
                        "-pedantic",
                        "-Werror",
                        "-O1",
                        "-o",
                    ])
                    .arg(&binary)
                    .arg(&file)
                    .arg("-lm"),
                "gcc",
                &file,
            );
            run(&mut Command::new(&binary), "the compiled C program", &file)
        }
        Language::Python => {
            let mut source = code.to_string();
            source.push('\n');
            for args in &calls {
                source.push_str(&format!("for v in {name}({args}):\n    print(repr(v))\n"));
            }
            let file = dir.path("main.py");
            std::fs::write(&file, source).expect("cannot write the Python source");
            run(Command::new("python3").arg(&file), "python3", &file)
        }
    };
    let values: Vec<f64> = stdout
        .lines()
        .map(|line| {
            line.trim()
                .parse()
                .unwrap_or_else(|_| panic!("{lang:?} printed {line:?}, not a number"))
        })
        .collect();
    assert_eq!(values.len(), outputs * points.len(), "{lang:?}: {stdout}");
    values.chunks(outputs.max(1)).map(<[f64]>::to_vec).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() < 1e-12 * a.abs().max(b.abs())
}

/// The values a spec's function should return: the tape's outputs, then the steps.
fn expected(pool: &Pool, program: &Program, spec: &EmitSpec, point: &[f64]) -> Vec<f64> {
    let tape = Tape::compile(pool, program, &spec.inputs).expect("the program compiles");
    let mut values = tape.eval(point);
    if let Some(step) = &spec.step {
        let rate = eval_constant(pool, step.rate).expect("a constant rate");
        for param in &step.params {
            let k = spec
                .inputs
                .iter()
                .position(|i| i == param)
                .expect("an input");
            let g = spec
                .outputs
                .iter()
                .position(|o| o.role == Role::Gradient(*param))
                .expect("a gradient");
            values.push(point[k] - rate * values[g]);
        }
    }
    values
}

/// Emits the program in every language, runs it at every point and compares.
fn check_everywhere(
    test: &str,
    pool: &Pool,
    program: &Program,
    spec: impl Fn(Language) -> EmitSpec,
    points: &[Vec<f64>],
) {
    for lang in LANGUAGES {
        let spec = spec(lang);
        let code = emit(pool, program, &spec).unwrap_or_else(|e| panic!("{lang:?}: {e}"));
        let outputs = spec.outputs.len() + spec.step.as_ref().map_or(0, |s| s.params.len());
        let got = run_generated(test, lang, &code, &spec.function_name(), outputs, points);
        for (point, got) in points.iter().zip(&got) {
            let want = expected(pool, program, &spec, point);
            for (k, (&g, &w)) in got.iter().zip(&want).enumerate() {
                assert!(
                    close(g, w),
                    "{test}, {lang:?}, output {k} at {point:?}: {g} vs the tape's {w}\n{code}"
                );
            }
        }
    }
}

/// A 2-2-1 perceptron with sigmoid hidden units and a squared-error loss.
const MLP: &str =
    "1/2*(y - (u1/(1+exp(-(w11*x1+w12*x2+b1))) + u2/(1+exp(-(w21*x1+w22*x2+b2))) + d))^2";

#[test]
fn mlp_loss_gradient_and_step() {
    let mut pool = Pool::new();
    let loss = parse(&mut pool, MLP).unwrap();
    let params: Vec<SymbolId> = ["w11", "w12", "b1", "w21", "w22", "b2", "u1", "u2", "d"]
        .iter()
        .map(|n| pool.symbol(n))
        .collect();
    let data: Vec<SymbolId> = ["x1", "x2", "y"].iter().map(|n| pool.symbol(n)).collect();
    let inputs: Vec<SymbolId> = data.iter().chain(&params).copied().collect();
    let program = value_and_gradient(&mut pool, loss, &params).unwrap();
    let rate = pool.num(Rational::new(1, 10).unwrap());
    let points = vec![
        vec![
            0.5, -1.25, 0.8, 0.3, -0.7, 0.1, 1.1, 0.4, -0.2, 0.9, -1.3, 0.05,
        ],
        vec![
            -2.0, 3.5, -0.4, -1.2, 0.6, 0.25, 0.8, -0.9, 1.5, -0.6, 2.2, 0.7,
        ],
    ];
    check_everywhere(
        "mlp",
        &pool,
        &program,
        |lang| {
            EmitSpec::loss_and_gradient(lang, "mlp_step", &pool, &inputs, &params)
                .with_step(rate, &params)
        },
        &points,
    );
}

#[test]
fn every_function_power_and_constant() {
    let texts = [
        "sin(x) + cos(x*y) - tan(x + y)",
        "sec(x) + csc(x*z) + cot(y)",
        "asin(x) + acos(y) + atan(z)",
        "sinh(x) + cosh(y) + tanh(z)",
        "asinh(y) + acosh(z) + atanh(x)",
        "exp(y) + ln(z) + log10(z) + log2(x)",
        "abs(y) + sign(y) + sign(x) + erf(y) + erf(z)",
        "sigmoid(y) + softplus(y) + softplus(z*9) + relu(y) + relu(x) + step(y) + step(x)",
        "x^2 + y^3 - z^-1 + (x + y)^-2 + (x*z + 1)^5 + x^12",
        "y^(1/3) + y^(2/3) + y^(-1/3) + z^(1/2) + (z + x)^(3/4) + z^(-1/2)",
        "x^z + z^(x*y) + 2^x + pi^z",
        "1/3*x + 2/7*y - 5/11*z + 1/3 - pi*x + e^y - pi^2/6",
        "123456789012345678901234567890*x + x/98765432109876543210987",
        // Coefficients beyond f64's range, in a value that is within it.
        "x^300/2^1200 + 2^1100*z^-400",
        "-x*z/y - 3*x/(y*z^2) - sin(x)",
        // Outside the domain: NaN everywhere.
        "ln(y)",
        "y^z",
        "sqrt(y)",
        "asin(z)",
        "acosh(x)",
        // Shared subexpressions become locals.
        "sin(x*y)*cos(x*y) + exp(x*y)",
    ];
    let mut pool = Pool::new();
    let results: Vec<ExprId> = texts.iter().map(|t| parse(&mut pool, t).unwrap()).collect();
    let inputs: Vec<SymbolId> = ["x", "y", "z"].iter().map(|n| pool.symbol(n)).collect();
    let program = Program {
        temps: Vec::new(),
        results,
    };
    let points = vec![vec![0.3, -0.7, 2.5], vec![0.45, -0.05, 1.2]];
    check_everywhere(
        "functions",
        &pool,
        &program,
        |lang| {
            let mut spec = EmitSpec::new(lang, "values", &inputs);
            for k in 0..texts.len() {
                spec.outputs.push(Output {
                    name: format!("v{k}"),
                    role: Role::Value,
                });
            }
            spec
        },
        &points,
    );
    let code = emit(
        &pool,
        &program,
        &EmitSpec {
            outputs: (0..texts.len())
                .map(|k| Output {
                    name: format!("v{k}"),
                    role: Role::Value,
                })
                .collect(),
            ..EmitSpec::new(Language::Python, "values", &inputs)
        },
    )
    .unwrap();
    // `x*y` occurs in several results: it is computed once, into a local.
    let shared = code
        .lines()
        .filter(|l| l.starts_with("    s") && l.ends_with(" = x * y"))
        .count();
    assert_eq!(shared, 1, "{code}");
    assert_eq!(code.matches("x * y").count(), 1, "{code}");
}

#[test]
fn every_newer_function() {
    let texts = [
        "acot(x) + acot(y) + asec(z) + asec(-z) + acsc(z) + acsc(-z)",
        "sech(y) + csch(x) + coth(z) + asech(z/3) + acsch(y) + acoth(z)",
        "erfc(y) + erfc(z*2) + erfc(-z*2) + expm1(x) + log1p(y) + log1p(z)",
        "gelu(y) + gelu(z) + gelu(-9*z) + silu(y) + silu(z) + elu(x) + elu(y)",
        "atan2(y, x) + atan2(x, y) + atan2(z, -z - 1)",
        "max(x, y) + min(x, y, z) + max(x*y, z, 1) + leaky_relu(x, 1/10)",
        "log(z, 3) + hypot(x, y, z) + logsumexp(x, y, z)",
        // Without overflow, where ln(exp(2500) + exp(y)) would be infinite.
        "logsumexp(1000*z, y) + logsumexp(-1000*z, y, y)",
        // Outside the domain: NaN (or an infinity at a pole), as the tape says.
        "asec(x)",
        "acoth(x)",
        "asech(y)",
        "log1p(-1 - z)",
        "max(ln(y), x)",
    ];
    let mut pool = Pool::new();
    let results: Vec<ExprId> = texts.iter().map(|t| parse(&mut pool, t).unwrap()).collect();
    let inputs: Vec<SymbolId> = ["x", "y", "z"].iter().map(|n| pool.symbol(n)).collect();
    let program = Program {
        temps: Vec::new(),
        results,
    };
    // The last point is on the negative x axis of atan2(y, x), where it is pi.
    let points = vec![
        vec![0.3, -0.7, 2.5],
        vec![0.45, -0.05, 1.2],
        vec![-1.5, 0.0, 0.8],
    ];
    check_everywhere(
        "newer_functions",
        &pool,
        &program,
        |lang| {
            let mut spec = EmitSpec::new(lang, "values", &inputs);
            for k in 0..texts.len() {
                spec.outputs.push(Output {
                    name: format!("v{k}"),
                    role: Role::Value,
                });
            }
            spec
        },
        &points,
    );
    let tape = Tape::compile(&pool, &program, &inputs).unwrap();
    let angles = std::f64::consts::PI - std::f64::consts::FRAC_PI_2 + 0.8f64.atan2(-1.8);
    assert!(close(tape.eval(&points[2])[4], angles));
}

#[test]
fn names_that_are_keywords_or_not_ascii() {
    let text = "θ*type + λ^2*int - def*math + out*NAN + M_PI*deriv_sign + theta*pow + \
                lambda*fn*self + None*True + α_1*double + t1*ŷ";
    let mut pool = Pool::new();
    let f = parse(&mut pool, &format!("({text})^2 + sin({text})")).unwrap();
    let inputs = free_symbols(&pool, f);
    let program = value_and_gradient(&mut pool, f, &inputs).unwrap();
    let points: Vec<Vec<f64>> = (0..2)
        .map(|p| {
            (0..inputs.len())
                .map(|k| 0.1 + 0.07 * k as f64 - 0.3 * p as f64)
                .collect()
        })
        .collect();
    check_everywhere(
        "names",
        &pool,
        &program,
        |lang| EmitSpec::loss_and_gradient(lang, "type", &pool, &inputs, &inputs),
        &points,
    );
}

/// The README's model: a defined function `phi` stays a call in the gradient program and
/// becomes a function of the generated code (and so do its derivatives).
#[test]
fn defined_functions_become_functions() {
    use deriv::ParseOptions;
    use deriv::model::{Definition, Model};
    let lines = [
        "phi(s) = 1/(1 + exp(-a*s))",
        "h1 = phi(w11*x1 + w12*x2 + b1)",
        "h2 = phi(w21*x1 + w22*x2 + b2)",
        "g1 = phi(v11*h1 + v12*h2 + c1)",
        "g2 = phi(v21*h1 + v22*h2 + c2)",
        "out = u1*g1 + u2*g2 + d",
        "E = 1/2*(y - out)^2",
    ];
    let definitions: Vec<Definition> = lines
        .iter()
        .map(|l| Definition::read(l).unwrap().unwrap())
        .collect();
    let mut pool = Pool::new();
    let model = Model::load(&mut pool, &definitions, &ParseOptions::default()).unwrap();
    let e = pool.symbol("E");
    let loss = model.value(e).unwrap();
    let params: Vec<SymbolId> = [
        "w11", "w12", "b1", "w21", "w22", "b2", "v11", "v12", "c1", "v21", "v22", "c2", "u1", "u2",
        "d", "a",
    ]
    .iter()
    .map(|n| pool.symbol(n))
    .collect();
    let data: Vec<SymbolId> = ["x1", "x2", "y"].iter().map(|n| pool.symbol(n)).collect();
    let inputs: Vec<SymbolId> = data.iter().chain(&params).copied().collect();
    let program = value_and_gradient(&mut pool, loss, &params).unwrap();
    let rate = pool.num(Rational::new(1, 20).unwrap());
    let points = vec![
        (0..inputs.len())
            .map(|k| 0.35 - 0.11 * k as f64 + 0.013 * (k * k) as f64)
            .collect(),
        (0..inputs.len())
            .map(|k| -0.8 + 0.23 * (k % 5) as f64)
            .collect::<Vec<f64>>(),
    ];
    let spec = |lang| {
        EmitSpec::loss_and_gradient(lang, "train_step", &pool, &inputs, &params)
            .with_step(rate, &params)
    };
    let code = emit(&pool, &program, &spec(Language::Rust)).unwrap();
    assert!(code.contains("fn phi(s: f64, a: f64) -> f64 {"), "{code}");
    check_everywhere("model", &pool, &program, spec, &points);
}

/// `deriv -f examples/mlp.txt --params … --sgd 1/20 --emit LANG`: the function takes the
/// parameters in `--params` order, then the other variables in natural order, and returns
/// what the tape of the library's program returns.
#[test]
fn the_cli_emits_the_post_network() {
    use deriv::ParseOptions;
    use deriv::model::{Definition, Model};
    let model_file = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/mlp.txt");
    let text = std::fs::read_to_string(model_file).unwrap();
    let definitions: Vec<Definition> = text
        .lines()
        .filter_map(Definition::read)
        .map(Result::unwrap)
        .collect();
    let mut pool = Pool::new();
    let model = Model::load(&mut pool, &definitions, &ParseOptions::default()).unwrap();
    let e = pool.symbol("E");
    let loss = model.value(e).unwrap();
    let names = "w11 w12 w21 w22 v11 v12 v21 v22 u1 u2 b1 b2 c1 c2 d";
    let params: Vec<SymbolId> = names.split(' ').map(|n| pool.symbol(n)).collect();
    let data: Vec<SymbolId> = ["a", "x1", "x2", "y"].map(|n| pool.symbol(n)).to_vec();
    let inputs: Vec<SymbolId> = params.iter().chain(&data).copied().collect();
    let program = value_and_gradient(&mut pool, loss, &params).unwrap();
    let rate = pool.num(Rational::new(1, 20).unwrap());
    let spec = EmitSpec::loss_and_gradient(Language::C, "E_and_gradient", &pool, &inputs, &params)
        .with_step(rate, &params);
    let points: Vec<Vec<f64>> = (0..2)
        .map(|p| {
            (0..inputs.len())
                .map(|k| 0.4 - 0.09 * k as f64 + 0.31 * p as f64)
                .collect()
        })
        .collect();
    for lang in LANGUAGES {
        let output = deriv()
            .args(["-f", model_file, "--params", "w*,v*,u*,b*,c*,d"])
            .args(["--sgd", "1/20", "--emit", lang.name()])
            .output()
            .unwrap();
        assert!(output.status.success(), "{lang:?}: {output:?}");
        let code = String::from_utf8(output.stdout).unwrap();
        let args: Vec<&str> = names.split(' ').chain(["a", "x1", "x2", "y"]).collect();
        let typed = |ty: &str| {
            let typed: Vec<String> = args.iter().map(|a| format!("{a}: {ty}")).collect();
            typed.join(", ")
        };
        let signature = match lang {
            Language::Python => format!("def E_and_gradient({}):", args.join(", ")),
            Language::Rust => format!("pub fn E_and_gradient({}) -> [f64; 31]", typed("f64")),
            Language::C => {
                let typed: Vec<String> = args.iter().map(|a| format!("double {a}")).collect();
                format!("void E_and_gradient({}, double *out)", typed.join(", "))
            }
        };
        assert!(code.contains(&signature), "{lang:?}: {code}");
        let outputs = 1 + 2 * params.len();
        let got = run_generated("cli", lang, &code, "E_and_gradient", outputs, &points);
        for (point, got) in points.iter().zip(&got) {
            let want = expected(&pool, &program, &spec, point);
            assert_eq!(got.len(), want.len());
            for (k, (&g, &w)) in got.iter().zip(&want).enumerate() {
                assert!(
                    close(g, w),
                    "{lang:?}, output {k}: {g} vs the tape's {w}\n{code}"
                );
            }
        }
    }
}

/// What cannot be emitted is refused on stderr with a non-zero exit code and nothing on
/// stdout: 1 for the input, 2 for the options.
#[test]
fn the_cli_refuses_what_has_no_code() {
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/mlp.txt");
    let cases: [(&[&str], i32, &str); 5] = [
        (
            &["f(x)*y", "--emit", "c"],
            1,
            "error: --emit: the function has no numeric value: it holds an unknown function",
        ),
        (
            &["x^2", "--emit", "fortran"],
            2,
            "invalid value 'fortran' for '--emit <LANG>'",
        ),
        (
            &["x^2", "--wrt", "x", "--emit", "c", "--total"],
            2,
            "'--emit <LANG>' cannot be used with '--total'",
        ),
        (
            &["-f", model, "--emit", "c", "--max-output", "100"],
            1,
            "more than the limit of 100 bytes",
        ),
        (
            &["x^2", "y^2", "--emit", "python"],
            2,
            "only --jacobian takes more than one",
        ),
    ];
    for (args, code, message) in cases {
        let output = deriv_with(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// Each line of a batch gets its own function; a learning rate may name a definition,
/// which is then written out (it is not an argument).
#[test]
fn the_cli_names_functions_and_expands_the_rate() {
    let run = |args: &[&str], stdin: &str| {
        let output = run_with_stdin(args, stdin.as_bytes());
        assert!(output.status.success(), "{args:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let code = run(&["-", "--emit", "c"], "x^2*y\nsin(x)\n");
    assert!(
        code.contains("void f1_and_gradient(double x, double y, double *out)"),
        "{code}"
    );
    assert!(
        code.contains("void f2_and_gradient(double x, double *out)"),
        "{code}"
    );
    let code = run(
        &[
            "(w*x - y)^2",
            "--def",
            "k=a^2/10",
            "--wrt",
            "w",
            "--sgd",
            "k",
        ],
        "",
    );
    assert!(code.contains("w := w - "), "{code}");
    let code = run(
        &[
            "(w*x - y)^2",
            "--def",
            "k=a^2/10",
            "--wrt",
            "w",
            "--sgd",
            "k",
            "--emit",
            "python",
        ],
        "",
    );
    assert!(code.contains("def f_and_gradient(w, a, x, y):"), "{code}");
    assert!(code.contains("learning_rate = a * a / 10.0"), "{code}");
}
