//! Output formats, step-by-step derivations, `--verify`, `--check`, completions, the man
//! page and colour: every format for every mode, as the user sees it.

use insta::assert_snapshot;
use serde::Deserialize;

use crate::common::command::{run, run_with_stdin, stdout};

/// Every mode, with the arguments that select it.
const MODES: [(&str, &[&str]); 9] = [
    ("derivative", &["4*pi/3*t*x*y", "--wrt", "x"]),
    ("second", &["x^3*sin(x)", "--wrt", "x,x"]),
    (
        "total",
        &["4*pi/3*t*x*y", "--wrt", "x", "--total", "--subst", "t=x"],
    ),
    (
        "depends",
        &["x*y^2", "--wrt", "x", "--total", "--depends", "y"],
    ),
    (
        "explain",
        &["4*pi/3*t*x*y", "--wrt", "x", "--subst", "t=x", "--explain"],
    ),
    ("differential", &["x^2*theta_1", "--differential"]),
    ("grad", &["sqrt(x)*exp(w_11*y)", "--grad"]),
    ("hessian", &["x^2*sin(y)", "--hessian"]),
    (
        "implicit",
        &["x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x,x"],
    ),
];

fn all_modes(format: &[&str]) -> String {
    let mut text = String::new();
    for (name, args) in MODES {
        let mut args = args.to_vec();
        args.extend_from_slice(format);
        text.push_str(&format!("# {name}\n{}", stdout(&args)));
    }
    text
}

#[test]
fn latex_for_every_mode() {
    assert_snapshot!(all_modes(&["--latex"]), @r"
    # derivative
    \frac{4 \pi t y}{3}
    # second
    x \left(6 x \cos\left(x\right) - x^{2} \sin\left(x\right) + 6 \sin\left(x\right)\right)
    # total
    \frac{8 \pi x y}{3}
    # depends
    y \left(2 x \frac{dy}{dx} + y\right)
    # explain
    \text{partial} \quad \frac{\partial f}{\partial x} = \frac{4 \pi t y}{3}
    \text{chain via t} \quad \frac{\partial f}{\partial t} \frac{dt}{dx} = \frac{4 \pi x y}{3}
    \text{chain via y} \quad \frac{\partial f}{\partial y} \frac{dy}{dx} = 0 \quad \text{(y is held constant)}
    \text{total} \quad \frac{df}{dx} = \frac{8 \pi x y}{3}
    \text{subst. after} \quad \left.\frac{\partial f}{\partial x}\right|_{t=x} = \frac{4 \pi x y}{3} \quad \text{(WRONG: the total is 2 times this)}
    \text{subst. first} \quad \frac{\partial}{\partial x}\left(f \text{ with } t=x\right) = \frac{8 \pi x y}{3} \quad \text{(equals the total)}
    # differential
    df = x^{2} \, d\theta_{1} + 2 \theta_{1} x \, dx
    # grad
    \frac{\partial f}{\partial w_{11}} = \sqrt{x} y e^{w_{11} y}
    \frac{\partial f}{\partial x} = \frac{e^{w_{11} y}}{2 \sqrt{x}}
    \frac{\partial f}{\partial y} = w_{11} \sqrt{x} e^{w_{11} y}
    # hessian
    \frac{\partial^{2} f}{\partial x^{2}} = 2 \sin\left(y\right)
    \frac{\partial^{2} f}{\partial x \, \partial y} = 2 x \cos\left(y\right)
    \frac{\partial^{2} f}{\partial y \, \partial x} = 2 x \cos\left(y\right)
    \frac{\partial^{2} f}{\partial y^{2}} = -x^{2} \sin\left(y\right)
    # implicit
    \frac{d^{2}y}{dx^{2}} = -\frac{x^{2} + y^{2}}{y^{3}}
    ");
}

#[test]
fn unicode_for_every_mode() {
    assert_snapshot!(all_modes(&["--format", "unicode"]), @"
    # derivative
    4πty/3
    # second
    x·(6x·cos(x) - x²·sin(x) + 6·sin(x))
    # total
    8πxy/3
    # depends
    y·(2x·(dy/dx) + y)
    # explain
    partial       ∂f/∂x = 4πty/3
    chain via t   ∂f/∂t·dt/dx = 4πxy/3
    chain via y   ∂f/∂y·dy/dx = 0  (y is held constant)
    total         df/dx = 8πxy/3
    subst. after  ∂f/∂x with t=x = 4πxy/3  (WRONG: the total is 2 times this)
    subst. first  ∂(f with t=x)/∂x = 8πxy/3  (equals the total)
    # differential
    df = x²·dθ₁ + 2·θ₁·x·dx
    # grad
    ∂f/∂w₁₁ = √x·y·exp(w₁₁·y)
    ∂f/∂x = exp(w₁₁·y)/(2·√x)
    ∂f/∂y = w₁₁·√x·exp(w₁₁·y)
    # hessian
    ∂²f/∂x² = 2·sin(y)
    ∂²f/∂x∂y = 2x·cos(y)
    ∂²f/∂y∂x = 2x·cos(y)
    ∂²f/∂y² = -x²·sin(y)
    # implicit
    d²y/dx² = -(x² + y²)/y³
    ");
}

#[test]
fn prime_notation() {
    let text = format!(
        "{}{}{}",
        stdout(&[
            "x*y^2",
            "--wrt",
            "x",
            "--total",
            "--depends",
            "y",
            "--notation",
            "prime"
        ]),
        stdout(&[
            "x^2 + y^2 = 1",
            "--implicit",
            "y",
            "--wrt",
            "x",
            "--notation",
            "prime",
            "--format",
            "unicode"
        ]),
        stdout(&[
            "x*y^2",
            "--wrt",
            "x,x",
            "--total",
            "--depends",
            "y",
            "--notation",
            "prime",
            "--latex"
        ]),
    );
    assert_snapshot!(text, @r"
    y*(2*x*y' + y)
    y′ = -x/y
    2 x y y'' + 2 x \left(y'\right)^{2} + 4 y y'
    ");
}

/// Every LaTeX output is sane: braces balance, `\left` pairs with `\right`, no `*`.
#[test]
fn latex_is_balanced_and_has_no_stars() {
    let mut outputs = vec![all_modes(&["--latex"])];
    for expr in [
        "sin(x^2)",
        "x^2*sin(x)/(x + 1)",
        "exp(3*x) + 2^x + x^x + ln(cos(x)) + sec(x)",
    ] {
        outputs.push(stdout(&[expr, "--wrt", "x", "--steps", "--latex"]));
    }
    for text in outputs {
        let mut depth = 0i32;
        for c in text.chars() {
            depth += match c {
                '{' => 1,
                '}' => -1,
                _ => 0,
            };
            assert!(depth >= 0, "unbalanced braces in {text}");
        }
        assert_eq!(depth, 0, "unbalanced braces in {text}");
        assert_eq!(
            text.matches("\\left").count(),
            text.matches("\\right").count(),
            "{text}"
        );
        let text = text.replace("align*", "");
        assert!(!text.contains('*'), "a * in LaTeX: {text}");
    }
}

#[derive(Deserialize)]
struct Record {
    input: String,
    line: Option<usize>,
    options: Options,
    free_variables: Vec<String>,
    results: Vec<Result>,
    steps: Option<Vec<Derivation>>,
}

#[derive(Deserialize)]
struct Options {
    mode: String,
    wrt: Vec<String>,
    total: bool,
    subst: Vec<String>,
}

#[derive(Deserialize)]
struct Result {
    heading: Option<String>,
    label: Option<String>,
    label_latex: Option<String>,
    plain: String,
    latex: String,
    unicode: String,
    note: Option<String>,
}

#[derive(Deserialize)]
struct Derivation {
    start: String,
    steps: Vec<JsonStep>,
}

#[derive(Deserialize)]
struct JsonStep {
    rule: String,
    plain: String,
}

/// JSON records parse back, and carry exactly what the text formats print.
#[test]
fn json_matches_the_text_formats_in_every_mode() {
    for (name, args) in MODES {
        let mut json_args = args.to_vec();
        json_args.extend_from_slice(&["--format", "json"]);
        let text = stdout(&json_args);
        let record: Record = serde_json::from_str(text.trim()).expect(name);
        assert_eq!(record.input, args[0]);
        assert_eq!(record.line, None);
        assert!(!record.free_variables.is_empty());
        assert!(!record.options.mode.is_empty());
        let plain = stdout(args);
        let latex = stdout(&[args, &["--latex"][..]].concat());
        let unicode = stdout(&[args, &["--format", "unicode"][..]].concat());
        for (k, result) in record.results.iter().enumerate() {
            let line = plain.lines().nth(k).expect(name);
            let label = result
                .label
                .clone()
                .map_or(String::new(), |l| format!("{l} = "));
            let heading = result
                .heading
                .clone()
                .map_or(String::new(), |h| format!("{h:<14}"));
            let note = result
                .note
                .clone()
                .map_or(String::new(), |n| format!("  {n}"));
            assert_eq!(
                line,
                format!("{heading}{label}{}{note}", result.plain),
                "{name}"
            );
            assert!(
                latex.lines().nth(k).expect(name).contains(&result.latex),
                "{name}"
            );
            assert!(
                unicode
                    .lines()
                    .nth(k)
                    .expect(name)
                    .contains(&result.unicode),
                "{name}"
            );
            if let Some(label) = &result.label_latex {
                assert!(latex.contains(label.as_str()), "{name}");
            }
        }
    }
}

#[test]
fn json_lines_in_batch_mode_with_steps() {
    let output = run_with_stdin(
        &[
            "-", "--wrt", "x", "--format", "json", "--steps", "--total", "--subst", "t=x",
        ],
        b"x^2\nt*x\n",
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let records: Vec<Record> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].line, Some(2));
    assert_eq!(records[1].options.wrt, ["x"]);
    assert!(records[1].options.total);
    assert_eq!(records[1].options.subst, ["t=x"]);
    assert_eq!(records[1].results[0].plain, "2*x");
    let steps = records[1].steps.as_ref().expect("steps");
    assert_eq!(steps[0].start, "diff(t*x, x)");
    let last = steps[0].steps.last().expect("a step");
    assert_eq!(last.plain, "2*x");
    assert_eq!(last.rule, "substitute the constraints");
}

#[test]
fn steps_of_the_chain_rule_name_the_inner_function() {
    assert_snapshot!(stdout(&["sin(x^2)", "--wrt", "x", "--steps"]), @"
    diff(sin(x^2), x)
      = diff(x^2, x)*cos(x^2)   (chain rule: sin' = cos, with u = x^2)
      = 2*x*cos(x^2)            (power rule)
    ");
    assert_snapshot!(stdout(&["sin(x^2)", "--wrt", "x", "--steps", "--latex"]), @r"
    \begin{align*}
    \frac{\partial}{\partial x}\left(\sin\left(x^{2}\right)\right) &= \frac{\partial}{\partial x}\left(x^{2}\right) \cos\left(x^{2}\right) && \text{chain rule: sin' = cos, with } u = x^{2} \\
      &= 2 x \cos\left(x^{2}\right) && \text{power rule}
    \end{align*}
    ");
    assert_snapshot!(stdout(&["sin(x^2)", "--wrt", "x", "--steps", "--format", "unicode"]), @"
    ∂/∂x(sin(x²))
      = ∂/∂x(x²)·cos(x²)   (chain rule: sin' = cos, with u = x²)
      = 2x·cos(x²)         (power rule)
    ");
}

#[test]
fn steps_of_a_total_derivative_show_the_chain_terms() {
    assert_snapshot!(
        stdout(&["4*pi/3*t*x*y", "--wrt", "x", "--total", "--subst", "t=x", "--steps"]),
        @"
    diff(4*pi*t*x*y/3, x)
      = 4*pi*t*y/3 + 4*pi*x*y*diff(t, x)/3   (product rule)
      = 4*pi*t*y/3 + 4*pi*x*y/3              (t is constrained: dt/dx is the derivative of what replaces it)
      = 8*pi*x*y/3                           (substitute the constraints)
    "
    );
    assert_snapshot!(
        stdout(&["x*y", "--wrt", "x", "--total", "--depends", "y", "--steps"]),
        @"
    diff(x*y, x)
      = x*diff(y, x) + y   (product rule)
    "
    );
}

/// A quotient whose numerator and denominator both vary is differentiated by the quotient
/// rule, as a textbook writes it, `(u'*v - u*v')/v^2`, and its inner derivatives are then
/// replaced one rule at a time; a constant over a function, or a function over a constant,
/// by the constant multiple rule.
#[test]
fn steps_of_a_quotient_follow_the_quotient_rule() {
    for (name, expr) in [
        ("steps_quotient_of_linear_functions", "(2*x + 1)/(x - 4)"),
        ("steps_quotient_with_a_square_below", "x/(x^2 + 1)"),
        (
            "steps_quotient_of_trigonometric_functions",
            "sin(x)/(1 - cos(x))",
        ),
        ("steps_quotient_with_a_root", "sqrt(x)/(1 + x)"),
        ("steps_quotient_of_a_product", "x^2*sin(x)/(x + 1)"),
        ("steps_quotient_with_a_constant_factor", "3*a*x/(x + 1)"),
        ("steps_constant_over_a_function", "3/(x^2 + 1)"),
        ("steps_function_over_a_constant", "(x^2 + 1)/5"),
        ("steps_product_over_a_constant", "x*sin(x)/5"),
    ] {
        assert_snapshot!(name, stdout(&[expr, "--wrt", "x", "--steps"]));
    }
    let args = ["(2*x + 1)/(x - 4)", "--wrt", "x", "--steps"];
    assert_snapshot!(
        "steps_quotient_in_latex",
        stdout(&[&args[..], &["--latex"]].concat())
    );
    assert_snapshot!(
        "steps_quotient_in_unicode",
        stdout(&[&args[..], &["--format", "unicode"]].concat())
    );
    // A total derivative: the constrained numerator's rate, then the constraint.
    assert_snapshot!(
        "steps_quotient_of_a_total_derivative",
        stdout(&[
            "t/(x + 1)",
            "--wrt",
            "x",
            "--total",
            "--subst",
            "t=x^2",
            "--steps"
        ])
    );
    assert_snapshot!(
        "steps_quotient_with_a_dependent_variable",
        stdout(&[
            "y/(x + 1)",
            "--wrt",
            "x",
            "--total",
            "--depends",
            "y",
            "--steps"
        ])
    );
}

/// Each rule the differentiator knows shows up by name, and every derivation ends at the
/// derivative: the plain result, or (after the quotient rule, whose numerator
/// `u'*v - u*v'` is simplified on its own terms) an expression `--check` proves equal to it.
#[test]
fn steps_name_every_rule() {
    let cases = [
        ("x^2 + x", "sum rule"),
        ("3*x^2", "constant multiple rule"),
        ("x*sin(x)", "product rule"),
        ("sin(x)/x", "quotient rule"),
        ("x^5", "power rule"),
        (
            "(x^2 + 1)^5",
            "power rule with the chain rule, with u = x^2 + 1",
        ),
        ("sin(x^2)", "chain rule: sin' = cos, with u = x^2"),
        ("exp(x)", "exponential rule: exp' = exp"),
        ("2^x", "exponential rule: (a^u)' = a^u*ln(a)*u'"),
        (
            "2^(3*x)",
            "exponential rule: (a^u)' = a^u*ln(a)*u', with the chain rule, with u = 3*x",
        ),
        ("ln(x)", "logarithm rule"),
        ("ln(x*sin(x))", "logarithm of a product"),
        ("log10(x)", "logarithm rule"),
        ("sin(x)", "sin' = cos"),
        ("cos(x)", "cos' = -sin"),
        ("tan(x)", "tan' = 1 + tan^2"),
        ("sec(x)", "sec' = sec*tan"),
        ("csc(x)", "csc' = -csc*cot"),
        ("cot(x)", "cot' = -(1 + cot^2)"),
        ("asin(x)", "asin'(u)"),
        ("acos(x)", "acos'(u)"),
        ("atan(x)", "atan'(u)"),
        ("sinh(x)", "sinh' = cosh"),
        ("tanh(x)", "tanh' = 1 - tanh^2"),
        ("sigmoid(x)", "sigmoid' = sigmoid*(1 - sigmoid)"),
        ("x^x", "general power rule"),
        ("f(x^2)", "chain rule for the unknown function f"),
    ];
    for (expr, rule) in cases {
        let steps = stdout(&[expr, "--wrt", "x", "--steps"]);
        assert!(steps.contains(rule), "{expr}: no `{rule}` in\n{steps}");
        let result = stdout(&[expr, "--wrt", "x"]);
        let last = steps.lines().last().expect("a step");
        let last = last.trim_start().strip_prefix("= ").expect("a step line");
        let (last, _rule) = last.rsplit_once("   (").expect("a rule");
        let last = last.trim_end();
        if rule == "quotient rule" {
            let check = stdout(&[expr, "--wrt", "x", "--check", last]);
            assert!(
                check.starts_with("correct (proved"),
                "{expr}: {last} vs {result}: {check}"
            );
        } else {
            assert_eq!(last, result.trim(), "{expr}");
        }
    }
}

#[test]
fn verify_reports_the_largest_error_for_every_mode() {
    for (name, args) in MODES {
        let output = run(&[args, &["--verify"][..]].concat());
        let stderr = String::from_utf8(output.stderr).expect("UTF-8");
        assert!(output.status.success(), "{name}: {stderr}");
        if name == "implicit" {
            assert!(stderr.contains("not checked numerically"), "{stderr}");
            continue;
        }
        assert!(
            stderr.contains("checked against finite differences"),
            "{name}: {stderr}"
        );
        let error: f64 = stderr
            .trim()
            .rsplit(' ')
            .next()
            .and_then(|e| e.parse().ok())
            .expect("an error figure");
        assert!(error < 1e-6, "{name}: {stderr}");
    }
}

#[test]
fn check_says_correct_or_incorrect_with_exit_codes() {
    assert_eq!(
        stdout(&["sin(x^2)", "--wrt", "x", "--check", "2*x*cos(x^2)"]),
        "correct (proved: the difference simplifies to 0)\n"
    );
    // The double angle is proved (the identities know it); the triple angle is not.
    assert_eq!(
        stdout(&["sin(x)^2", "--wrt", "x", "--check", "sin(2*x)"]),
        "correct (proved: the difference simplifies to 0)\n"
    );
    let numeric = stdout(&[
        "sin(3*x)",
        "--wrt",
        "x",
        "--check",
        "3*cos(x)^3 - 9*cos(x)*sin(x)^2",
    ]);
    assert!(
        numeric
            .starts_with("correct (numerically, not proved: equal to 30 digits at 24 test points"),
        "{numeric}"
    );
    let wrong = run(&["sin(x^2)", "--wrt", "x", "--check", "x*cos(x^2)"]);
    assert_eq!(wrong.status.code(), Some(1));
    let text = String::from_utf8(wrong.stdout).expect("UTF-8");
    assert!(
        text.starts_with("incorrect\nthe derivative is 2*x*cos(x^2)\nat x="),
        "{text}"
    );
    let bad = run(&["sin(x^2)", "--wrt", "x", "--check", "x*cos(x^2"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--> --check:1:6"));
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = stdout(&["completions", shell]);
        assert!(script.contains("--wrt"), "{shell}");
    }
    let man = stdout(&["man"]);
    assert!(man.contains(".TH deriv 1"));
    assert!(man.contains("\\-\\-verify"));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let always = run(&["x^2+", "--color", "always"]);
    assert!(String::from_utf8_lossy(&always.stderr).contains("\x1b[1;31merror"));
    let labels = run(&["x*y", "--grad", "--color", "always"]);
    assert!(String::from_utf8_lossy(&labels.stdout).contains("\x1b[1;36mdiff(f, x)"));
    // Not a terminal here: auto means no colour.
    let auto = run(&["x^2+"]);
    assert!(!String::from_utf8_lossy(&auto.stderr).contains('\x1b'));
    let never = run(&["x*y", "--grad", "--color", "never"]);
    assert!(!String::from_utf8_lossy(&never.stdout).contains('\x1b'));
}

/// `--cse` programs parse back: reading `name = value` lines in order, each value with the
/// earlier names substituted, gives the results that plain output prints.
#[test]
fn cse_programs_read_back_to_the_plain_results() {
    use deriv::{Pool, parse, replace};
    let chain = format!("{}x{}", "sin(".repeat(60), ")".repeat(60));
    let cases: [&[&str]; 6] = [
        &["sin(sin(sin(sin(x))))", "--wrt", "x"],
        &[&chain, "--wrt", "x"],
        &["x^2*sin(y)*exp(x*y)", "--grad"],
        &["1/(1 + exp(-(a*x + b)))^2", "--grad"],
        &["x^2*y + sin(x*y)", "--differential"],
        &["sin(x*y)*cos(x*y)", "--hessian"],
    ];
    for args in cases {
        let plain = stdout(args);
        let program = stdout(&[args, &["--cse"][..]].concat());
        let mut pool = Pool::new();
        let mut names = rustc_hash::FxHashMap::default();
        let mut results = Vec::new();
        for line in program.lines() {
            let (lhs, rhs) = line.rsplit_once(" = ").unwrap_or(("", line));
            let value = parse(&mut pool, rhs.replace("*d", "*D_").as_str()).expect(rhs);
            // Earlier values are fully substituted already: one pass suffices.
            let value = replace(&mut pool, value, &names);
            if lhs.starts_with('t') && !lhs.contains('(') {
                let var = pool.var(lhs);
                names.insert(var, value);
            } else {
                results.push((lhs.to_string(), value));
            }
        }
        let expected: Vec<(String, deriv::ExprId)> = plain
            .lines()
            .map(|line| {
                let (lhs, rhs) = line.rsplit_once(" = ").unwrap_or(("", line));
                let value = parse(&mut pool, rhs.replace("*d", "*D_").as_str()).expect(rhs);
                (lhs.to_string(), value)
            })
            .collect();
        // The same values: the plain results are tidied, the program's are not.
        assert_eq!(results.len(), expected.len(), "{args:?}\n{program}");
        for ((name, value), (expected_name, expected_value)) in results.iter().zip(&expected) {
            assert_eq!(name, expected_name, "{args:?}\n{program}");
            let difference = pool.sub(*value, *expected_value);
            assert!(
                deriv::algebra::is_zero(&mut pool, difference),
                "{args:?}: {name}\n{program}\nvs\n{plain}"
            );
        }
        assert!(
            program.len() <= plain.len() + 40,
            "{args:?}: {program} vs {plain}"
        );
    }
}

#[test]
fn cse_shares_a_chain_linearly() {
    for depth in [200, 2000] {
        let chain = format!("{}x{}", "sin(".repeat(depth), ")".repeat(depth));
        let program = stdout(&[&chain, "--wrt", "x", "--cse"]);
        // Reverse mode: one line per level going forward, about one per six going back.
        let lines = program.lines().count();
        assert!(lines <= depth + depth / 4, "depth {depth}: {lines} lines");
        assert!(
            program.len() <= 40 * depth,
            "depth {depth}: {} bytes",
            program.len()
        );
    }
    assert_snapshot!(stdout(&["x^2*sin(y)*exp(x*y)", "--grad", "--cse"]), @"
    t1 = x^2
    t2 = sin(y)
    t3 = exp(x*y)
    t4 = t1*t2*t3
    diff(f, x) = 2*t2*t3*x + t4*y
    diff(f, y) = t1*t3*cos(y) + t4*x
    ");
}

/// Operators and function applications in plain text (the peer kit's `ops`).
fn ops(text: &str) -> usize {
    let bytes = text.as_bytes();
    let operators = bytes.iter().filter(|b| b"+-*/^".contains(b)).count();
    let calls = bytes
        .windows(2)
        .filter(|w| w[1] == b'(' && w[0].is_ascii_alphanumeric())
        .count();
    operators + calls
}

/// The peer kit's W5 loss: an n-n-n-1 perceptron with sigmoid hidden units, inlined.
fn mlp(n: usize) -> String {
    let sigmoid = |s: String| format!("1/(1+exp(-({s})))");
    let layer1: Vec<String> = (1..=n)
        .map(|j| {
            let terms: Vec<String> = (1..=n).map(|i| format!("u{j}{i}*x{i}")).collect();
            sigmoid(format!("{}+c{j}", terms.join("+")))
        })
        .collect();
    let layer2: Vec<String> = (1..=n)
        .map(|k| {
            let terms: Vec<String> = (1..=n)
                .map(|j| format!("v{k}{j}*{}", layer1[j - 1]))
                .collect();
            sigmoid(format!("{}+d{k}", terms.join("+")))
        })
        .collect();
    let out: Vec<String> = (1..=n).map(|k| format!("w{k}*{}", layer2[k - 1])).collect();
    format!("1/2*(y-({}+b0))^2", out.join("+"))
}

/// `--grad --cse` is reverse mode: the whole gradient of the n = 8 network (153 partials)
/// is a program smaller than the loss itself, under Symbolica's 979 ops.
#[test]
fn gradient_programs_obey_the_cheap_gradient_bound() {
    for n in [2, 4, 8] {
        let loss = mlp(n);
        let program = stdout(&[&loss, "--grad", "--cse"]);
        let total: usize = program
            .lines()
            .map(|line| ops(line.rsplit_once(" = ").map_or(line, |(_, rhs)| rhs)))
            .sum();
        let results = program.lines().filter(|l| l.starts_with("diff(")).count();
        // Every variable: weights, biases, inputs and the target.
        assert_eq!(results, 2 * n * n + 4 * n + 2, "n = {n}");
        assert!(
            total <= 4 * ops(&loss),
            "n = {n}: {total} ops, loss {}",
            ops(&loss)
        );
        if n == 8 {
            assert!(total <= 979, "{total} ops");
        }
    }
}

#[test]
fn derivations_respect_the_output_limit() {
    // The result alone fits in 150 bytes; its derivation does not.
    let args = [
        "sin(cos(tan(x)))",
        "--wrt",
        "x",
        "--steps",
        "--max-output",
        "150",
    ];
    let output = run(&args);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the derivation is about"), "{stderr}");
    assert!(stderr.contains("leave out --steps"), "{stderr}");
}

#[test]
fn an_undefined_point_is_named_once() {
    let output = run(&["1/(x*y)", "--wrt", "x", "--at", "x=0,y=1"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("x=0,y=1").count(), 1, "{stderr}");
}

#[test]
fn each_form_on_request_and_all_of_them_with_forms() {
    let forms = [
        ("computed", "1/(x^2 + 1) - 2*x^2/(x^2 + 1)^2\n"),
        ("factored", "(1 - x^2)/(x^2 + 1)^2\n"),
        ("together", "(1 - x^2)/(x^2 + 1)^2\n"),
        ("expanded", "1/(x^2 + 1) - 2*x^2/(x^2 + 1)^2\n"),
        ("auto", "(1 - x^2)/(x^2 + 1)^2\n"),
    ];
    for (form, expected) in forms {
        let got = stdout(&["x/(x^2 + 1)", "--wrt", "x", "--form", form]);
        assert_eq!(got, expected, "--form {form}");
    }
    assert_snapshot!(stdout(&["(2*x + 1)/(x - 4)", "--wrt", "x", "--forms"]), @r"
    -9/(x - 4)^2
      computed  2/(x - 4) - (2*x + 1)/(x - 4)^2
      factored  -9/(x - 4)^2  ← chosen
      together  -9/(x - 4)^2
      expanded  2/(x - 4) - 2*x/(x - 4)^2 - 1/(x - 4)^2
    ");
    // JSON carries every form in every style, the chosen one marked, each parsing back.
    let json = stdout(&[
        "(2*x + 1)/(x - 4)",
        "--wrt",
        "x",
        "--forms",
        "--format",
        "json",
    ]);
    let record: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let result = &record["results"][0];
    assert_eq!(result["form"], "factored");
    let listed = result["forms"].as_array().expect("a list of forms");
    assert_eq!(listed.len(), 4);
    assert_eq!(
        listed.iter().filter(|f| f["chosen"] == true).count(),
        1,
        "{json}"
    );
    let mut pool = deriv::Pool::new();
    let chosen = deriv::parse(&mut pool, result["plain"].as_str().unwrap()).unwrap();
    for form in listed {
        let value = deriv::parse(&mut pool, form["plain"].as_str().unwrap()).unwrap();
        let difference = pool.sub(value, chosen);
        assert!(deriv::algebra::is_zero(&mut pool, difference), "{form}");
        assert!(form["latex"].is_string() && form["unicode"].is_string());
    }
}

#[test]
fn cancelling_removes_a_removable_singularity_and_the_checks_agree() {
    assert_eq!(stdout(&["(x^2 - 1)/(x - 1)"]), "x + 1\n");
    // Both sides are compared only where both are defined (not at x = 1).
    let verified = run(&["(x^3 - 8)/(x - 2)", "--wrt", "x", "--verify"]);
    assert_eq!(verified.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&verified.stdout), "2*x + 2\n");
    assert_eq!(
        stdout(&["(x^2 - 1)/(x - 1)", "--wrt", "x", "--check", "1"]),
        "correct (proved: the difference simplifies to 0)\n"
    );
    // At the removed point itself the function is still undefined.
    let at = run(&["(x^3 - 8)/(x - 2)", "--wrt", "x", "--at", "x=2"]);
    assert_eq!(at.status.code(), Some(1));
    assert!(at.stdout.is_empty());
    // sqrt(x^2) is never x.
    assert_eq!(stdout(&["sqrt(x^2)", "--form", "expanded"]), "abs(x)\n");
}
