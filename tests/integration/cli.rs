//! Snapshot tests of the `deriv` binary: exit code, stdout and stderr together.

use insta_cmd::assert_cmd_snapshot;

use crate::common::command::{deriv, deriv_with};

#[test]
fn seed_ellipsoid_partial_derivative() {
    assert_cmd_snapshot!(deriv().args(["4*pi/3*t*x*y", "--wrt", "x"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    4*pi*t*y/3

    ----- stderr -----
    ");
}

#[test]
fn without_wrt_the_expression_is_simplified() {
    assert_cmd_snapshot!(deriv().arg("x*x^2 + 2*x*x*x - y*x + x*y"), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    3*x^3

    ----- stderr -----
    ");
}

#[test]
fn expression_starting_with_minus_is_positional() {
    assert_cmd_snapshot!(deriv().args(["-x^2", "--wrt", "x"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    -2*x

    ----- stderr -----
    ");
}

/// Values that start with `-` need no `=`: an answer, a point and a substitution.
#[test]
fn option_values_may_start_with_minus() {
    let cases: &[(&str, &[&str])] = &[
        (
            "check_negative_answer",
            &[
                "x^2 + y^2 = 1",
                "--implicit",
                "y",
                "-w",
                "x",
                "--check",
                "-x/y",
            ],
        ),
        (
            "at_negative_values",
            &["x^3*y", "--grad", "--at", "x=-1,y=-2"],
        ),
        (
            "subst_negative_value",
            &["t^2", "-w", "x", "--total", "-s", "t=-x"],
        ),
    ];
    for (name, args) in cases {
        assert_cmd_snapshot!(*name, deriv_with(args));
    }
}

#[test]
fn every_builtin_function_differentiates_by_the_chain_rule() {
    let functions = [
        "sin", "cos", "tan", "sec", "csc", "cot", "asin", "acos", "atan", "sinh", "cosh", "tanh",
        "asinh", "acosh", "atanh", "exp", "ln", "log", "log10", "log2", "sqrt", "cbrt", "abs",
        "sign", "erf", "sigmoid", "softplus", "relu",
    ];
    let input: String = functions.iter().map(|f| format!("{f}(x^2)\n")).collect();
    assert_cmd_snapshot!(deriv_with(&["--wrt", "x"]).pass_stdin(input));
}

#[test]
fn every_newer_builtin_function_differentiates_by_the_chain_rule() {
    let functions = [
        "acot(x^2)",
        "asec(x^2)",
        "acsc(x^2)",
        "sech(x^2)",
        "csch(x^2)",
        "coth(x^2)",
        "asech(x^2)",
        "acsch(x^2)",
        "acoth(x^2)",
        "erfc(x^2)",
        "expm1(x^2)",
        "log1p(x^2)",
        "gelu(x^2)",
        "silu(x^2)",
        "elu(x^2)",
        "heaviside(x^2)",
        "atan2(x^2, y)",
        "log(x^2, b)",
        "hypot(x^2, y)",
        "min(x^2, y)",
        "max(x^2, y, 1)",
        "logsumexp(x^2, y)",
        "leaky_relu(x^2, a)",
    ];
    let input: String = functions.iter().map(|f| format!("{f}\n")).collect();
    assert_cmd_snapshot!(deriv_with(&["--wrt", "x"]).pass_stdin(input));
}

#[test]
fn newer_functions_in_latex_and_unicode() {
    let input = "sech(x) + acot(x) + gelu(x) + atan2(y, x) + max(x, y) + logsumexp(x, y)\n";
    assert_cmd_snapshot!(deriv_with(&["--latex"]).pass_stdin(input));
    assert_cmd_snapshot!(deriv_with(&["--format", "unicode"]).pass_stdin(input));
}

#[test]
fn unknown_functions_use_prime_and_d_notation() {
    let input = "f(x^2)\nf'(x^2)\ng(x, x^2)\nD[1,2](g)(x, y)\n";
    assert_cmd_snapshot!(deriv_with(&["--wrt", "x"]).pass_stdin(input), @"
    success: true
    exit_code: 0
    ----- stdout -----
    2*x*f'(x^2)
    2*x*f''(x^2)
    2*x*D[2](g)(x, x^2) + D[1](g)(x, x^2)
    D[1,1,2](g)(x, y)

    ----- stderr -----
    ");
}

#[test]
fn higher_and_mixed_partials_apply_in_order() {
    let input = "x^x\nsin(x)*y^3\nexp(x*y)\n";
    assert_cmd_snapshot!(deriv_with(&["--wrt", "x,x", "-w", "y"]).pass_stdin(input), @"
    success: true
    exit_code: 0
    ----- stdout -----
    0
    -3*y^2*sin(x)
    y*exp(x*y)*(x*y + 2)

    ----- stderr -----
    warning: --wrt y: `y` does not occur in the expression, so the derivative is 0
     --> <stdin>:1
      = help: if a variable depends on `y`, say so: --total --depends 'VAR(y)'
    ");
}

#[test]
fn variable_absent_from_the_expression_gives_zero() {
    assert_cmd_snapshot!(deriv().args(["sin(y)", "--wrt", "x"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    0

    ----- stderr -----
    warning: --wrt x: `x` does not occur in the expression, so the derivative is 0
      = help: if a variable depends on `x`, say so: --total --depends 'VAR(x)'
    ");
}

#[test]
fn batch_reports_bad_lines_by_number_and_runs_the_rest() {
    let input = "x^2\n2x\n\n# a comment\nln(x)\n1/0\n";
    assert_cmd_snapshot!(deriv_with(&["-", "--wrt", "x"]).pass_stdin(input), @"
    success: false
    exit_code: 1
    ----- stdout -----
    2*x
    1/x

    ----- stderr -----
    error: missing operator before `x`
     --> <stdin>:2:2
      |
    2 | 2x
      |  ^
      = help: implicit multiplication is not supported: write 2*x
    error: division by zero
     --> <stdin>:6:1
      |
    6 | 1/0
      | ^^^
    ");
}

#[test]
fn file_input_reads_one_expression_per_line() {
    let dir = std::env::temp_dir().join(format!("deriv-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("exprs.txt");
    std::fs::write(&path, "x^3\ncos(x)\n").unwrap();
    let output = deriv()
        .args(["--wrt", "x", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "3*x^2\n-sin(x)\n");
    assert!(output.status.success());
}

#[test]
fn missing_file_is_a_usage_error() {
    assert_cmd_snapshot!(deriv().args(["-f", "/nonexistent/deriv-input.txt"]), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: cannot read /nonexistent/deriv-input.txt: No such file or directory (os error 2)
    ");
}

#[test]
fn invalid_wrt_is_a_usage_error() {
    assert_cmd_snapshot!(deriv().args(["x^2", "--wrt", "2x"]), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: invalid value '2x' for '--wrt <VAR>': `2x` is not a variable name (a letter, then letters, digits or _)

    For more information, try '--help'.
    ");
}

/// Every error message, with its caret, as a user sees it.
#[test]
fn error_messages() {
    let cases = [
        ("implicit_multiplication", "2x"),
        ("implicit_multiplication_parenthesis", "(x+1)(x-1)"),
        ("function_without_parentheses", "sin x"),
        ("missing_operand", "x +"),
        ("doubled_operator", "x */ y"),
        ("unclosed_parenthesis", "sin(x + (y"),
        ("unmatched_parenthesis", "x + y)"),
        ("mismatched_bracket", "D[1)(f)(x)"),
        ("unexpected_character", "x $ y"),
        ("empty_input", "   "),
        ("wrong_arity", "sin(x, y)"),
        ("unknown_function_arity_changes", "f(x) + f(x, y)"),
        ("no_arguments", "f()"),
        ("function_used_as_variable", "exp + 1"),
        ("constant_called", "pi(x)"),
        ("primes_on_builtin", "sin'(x)"),
        ("primes_on_several_arguments", "g'(x, y)"),
        ("partial_index_out_of_range", "D[3](g)(x, y)"),
        ("diff_of_number", "diff(x^2, 2)"),
        ("division_by_zero", "x + 1/(2 - 2)"),
        ("zero_to_negative_power", "0^-1"),
        ("zero_to_zero", "0^0"),
        ("log_of_zero", "ln(0)"),
        ("log_of_negative", "log10(-5)"),
        ("asin_out_of_domain", "asin(2)"),
        ("even_root_of_negative", "sqrt(-4)"),
        ("pole_of_tan", "tan(pi/2)"),
        ("huge_decimal_exponent", "1e1000000"),
        ("second_line_of_input", "x +\n* y"),
    ];
    for (name, input) in cases {
        assert_cmd_snapshot!(name, deriv().arg(input));
    }
}

#[test]
fn derivative_that_is_undefined_is_an_error() {
    assert_cmd_snapshot!(deriv().args(["(-2)^x", "--wrt", "x"]), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: ln(-2) is not real (the logarithm of a negative number), in the derivative in x
    ");
}

#[test]
fn deep_nesting_is_refused_cleanly_past_the_limit() {
    let deep = format!("{}x{}", "(".repeat(50), ")".repeat(50));
    let output = deriv()
        .args(["--max-depth", "10"])
        .arg(&deep)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nested more than 10 levels"), "{stderr}");
}

#[test]
fn ten_thousand_nested_functions_work() {
    let deep = format!("{}x{}", "sin(".repeat(10_000), ")".repeat(10_000));
    let output = deriv().arg(&deep).output().unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), deep);
}

#[test]
fn oversized_result_is_refused_with_a_hint() {
    let output = deriv()
        .args(["--max-output", "100", "--wrt", "x"])
        .arg("sin(sin(sin(sin(sin(sin(x))))))")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--max-output"), "{stderr}");
}

#[test]
fn clap_definition_is_consistent() {
    use clap::CommandFactory;
    deriv::cli::Cli::command().debug_assert();
}

/// The seed post's ellipsoid, f = 4*pi/3*t*x*y, every formula of its total-derivative
/// section.
mod seed_post {
    use super::*;

    const F: &str = "4*pi/3*t*x*y";

    #[test]
    fn total_derivative_along_t_equals_x() {
        assert_cmd_snapshot!(deriv().args([F, "--wrt", "x", "--total", "--subst", "t=x"]), @"
        success: true
        exit_code: 0
        ----- stdout -----
        8*pi*x*y/3

        ----- stderr -----
        ");
    }

    #[test]
    fn substituting_first_gives_the_total() {
        assert_cmd_snapshot!(deriv().args([F, "--wrt", "x", "--subst", "t=x"]), @"
        success: true
        exit_code: 0
        ----- stdout -----
        8*pi*x*y/3

        ----- stderr -----
        ");
    }

    #[test]
    fn explain_shows_partial_chain_terms_total_and_both_substitution_orders() {
        assert_cmd_snapshot!(deriv().args([F, "--wrt", "x", "--subst", "t=x", "--explain"]), @"
        success: true
        exit_code: 0
        ----- stdout -----
        partial       diff(f, x) = 4*pi*t*y/3
        chain via t   diff(f, t)*diff(t, x) = 4*pi*x*y/3
        chain via y   diff(f, y)*diff(y, x) = 0  (y is held constant)
        total         df/dx = 8*pi*x*y/3
        subst. after  diff(f, x) with t=x = 4*pi*x*y/3  (WRONG: the total is 2 times this)
        subst. first  diff(f with t=x, x) = 8*pi*x*y/3  (equals the total)

        ----- stderr -----
        ");
    }

    #[test]
    fn general_formula_with_every_variable_varying() {
        assert_cmd_snapshot!(deriv().args([F, "--wrt", "x", "--total", "--vary-all"]), @"
        success: true
        exit_code: 0
        ----- stdout -----
        4*pi*(t*x*diff(y, x) + t*y + x*y*diff(t, x))/3

        ----- stderr -----
        ");
    }

    #[test]
    fn const_keeps_the_listed_variables_fixed() {
        assert_cmd_snapshot!(deriv().args([F, "--wrt", "x", "--total", "--const", "y"]), @"
        success: true
        exit_code: 0
        ----- stdout -----
        4*pi*y*(t + x*diff(t, x))/3

        ----- stderr -----
        ");
    }

    #[test]
    fn differential() {
        assert_cmd_snapshot!(deriv().args([F, "--differential"]), @"
        success: true
        exit_code: 0
        ----- stdout -----
        df = 4*pi*x*y/3*dt + 4*pi*t*y/3*dx + 4*pi*t*x/3*dy

        ----- stderr -----
        ");
    }

    #[test]
    fn differential_under_the_constraint() {
        assert_cmd_snapshot!(deriv().args([F, "--differential", "--subst", "t=x"]), @"
        success: true
        exit_code: 0
        ----- stdout -----
        df = 8*pi*x*y/3*dx + 4*pi*x^2/3*dy

        ----- stderr -----
        ");
    }
}

#[test]
fn chained_substitutions_resolve_before_differentiating() {
    assert_cmd_snapshot!(deriv().args(["x^2 + y^2", "--wrt", "x", "--total", "-s", "y=sin(t)", "-s", "t=x^2"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    2*x*(sin(2*x^2) + 1)

    ----- stderr -----
    ");
}

#[test]
fn depends_leaves_derivatives_symbolic() {
    assert_cmd_snapshot!(deriv().args(["x*y^2", "--wrt", "x,x", "--total", "--depends", "y"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    2*x*y*diff(y, x, 2) + 2*x*diff(y, x)^2 + 4*y*diff(y, x)

    ----- stderr -----
    ");
}

#[test]
fn implicit_differentiation_of_the_circle() {
    assert_cmd_snapshot!(deriv().args(["x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(y, x) = -x/y

    ----- stderr -----
    ");
    assert_cmd_snapshot!(deriv().args(["x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x,x"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(y, x, 2) = -(x^2 + y^2)/y^3

    ----- stderr -----
    ");
}

#[test]
fn gradient_hessian_and_jacobian_at_a_point() {
    assert_cmd_snapshot!(deriv().args(["sin(x)*y^2", "--grad", "--at", "x=0,y=2"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(f, x) = 4
    diff(f, y) = 0

    ----- stderr -----
    ");
    assert_cmd_snapshot!(deriv().args(["x^3*y", "--hessian"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(f, x, x) = 6*x*y
    diff(f, x, y) = 3*x^2
    diff(f, y, x) = 3*x^2
    diff(f, y, y) = 0

    ----- stderr -----
    ");
    assert_cmd_snapshot!(deriv().args(["x*y", "x + y^2", "--jacobian", "--wrt", "x,y"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(f1, x) = y
    diff(f1, y) = x
    diff(f2, x) = 1
    diff(f2, y) = 2*y

    ----- stderr -----
    ");
}

#[test]
fn at_a_point_values_stay_exact_and_numeric_adds_decimals() {
    assert_cmd_snapshot!(deriv().args(["sin(x)*x", "--wrt", "x", "--at", "x=1", "-N"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    cos(1) + sin(1) ≈ 1.3817732906760363

    ----- stderr -----
    ");
}

#[test]
fn undefined_value_at_a_point_names_the_subexpression() {
    assert_cmd_snapshot!(deriv().args(["ln(x)", "--wrt", "x", "--at", "x=0"]), @"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: ln(x) is undefined at x=0: ln(0) is undefined (the logarithm of zero); a derivative exists only where the function is defined
    ");
}

/// Every malformed option argument, with its caret in the argument.
#[test]
fn option_errors() {
    let cases: [(&str, &[&str]); 10] = [
        ("subst_double_equals", &["t*x", "-w", "x", "-s", "t==x"]),
        ("subst_missing_variable", &["t*x", "-w", "x", "-s", "=x"]),
        ("subst_missing_expression", &["t*x", "-w", "x", "-s", "t="]),
        ("subst_number_as_variable", &["t*x", "-w", "x", "-s", "2=x"]),
        ("subst_bad_expression", &["t*x", "-w", "x", "-s", "t=x+"]),
        ("subst_cycle", &["t*x", "-w", "x", "-s", "t=u", "-s", "u=t"]),
        ("wrt_substituted_variable", &["t*x", "-w", "t", "-s", "t=x"]),
        (
            "depends_without_total",
            &["t*x", "-w", "x", "--depends", "t"],
        ),
        ("at_without_equals", &["x", "--at", "x"]),
        ("equation_without_implicit", &["x^2 = 1"]),
    ];
    for (name, args) in cases {
        assert_cmd_snapshot!(name, deriv().args(args));
    }
}

#[test]
fn explain_without_constraints_shows_every_variable_held_constant() {
    assert_cmd_snapshot!(deriv().args(["x*y", "--wrt", "x", "--explain"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    partial       diff(f, x) = y
    chain via y   diff(f, y)*diff(y, x) = 0  (y is held constant)
    total         df/dx = y

    ----- stderr -----
    ");
}

/// `--verify` confirms the derivative of every newer function (its wording is checked by
/// the verify tests; here only that every line passes).
#[test]
fn verify_accepts_the_newer_functions() {
    use std::io::Write as _;
    let input = "acot(x^2)\nasec(x + 2)\nsech(x)*csch(x)\ncoth(x) + acsch(x)\n\
                 asech(x/9) + acoth(x + 3)\nerfc(x) + expm1(x) + log1p(x^2)\n\
                 gelu(x) + silu(x) + elu(x)\natan2(x, y) + log(x^2 + 1, 3) + hypot(x, y)\n\
                 max(x, y, sin(x)) + min(x, 1)\nlogsumexp(x, 2*x, y) + leaky_relu(x, 0.2)\n";
    let mut child = deriv_with(&["--wrt", "x", "--verify"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("deriv runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("input written");
    let output = child.wait_with_output().expect("deriv finishes");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 10);
    assert!(!stderr.contains("error:"), "{stderr}");
}
