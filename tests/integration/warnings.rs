//! Warnings: inputs that are valid but probably not what was meant. The result still goes
//! to stdout with exit code 0; the warning goes to stderr (each snapshot holds both).

use insta_cmd::assert_cmd_snapshot;

use crate::common::command::deriv;

/// Each case's arguments; every one warns and succeeds.
const CASES: &[(&str, &[&str])] = &[
    // Unknown functions named like a built-in, here or in another system.
    ("capitalized_sin", &["Sin(x)", "--wrt", "x"]),
    ("capitalized_abs", &["Abs(x - 1)", "--wrt", "x"]),
    ("capitalized_exp", &["x*Exp(x)", "--wrt", "x"]),
    ("capitalized_sqrt", &["Sqrt(x)", "--wrt", "x"]),
    ("mathematica_arctan", &["ArcTan(x^2)", "--wrt", "x"]),
    ("mathematica_arcsinh", &["ArcSinh(x)", "--wrt", "x"]),
    ("typo_asinn", &["asinn(x)", "--wrt", "x"]),
    ("other_system_sgn", &["sgn(x)*x", "--wrt", "x"]),
    ("elsewhere_sinc", &["sinc(x)", "--wrt", "x"]),
    ("elsewhere_gamma", &["gamma(x + 1)", "--wrt", "x"]),
    ("elsewhere_factorial", &["factorial(n)", "--wrt", "n"]),
    ("elsewhere_pow", &["pow(x, 2)", "--wrt", "x"]),
    ("primed_unknown", &["Cos'(x)", "--wrt", "x"]),
    ("partial_unknown", &["D[1](Log)(x)", "--wrt", "x"]),
    // Variables named like constants.
    ("variable_e", &["E^x", "--wrt", "x"]),
    ("variable_pi", &["Pi*x^2", "--wrt", "x"]),
    ("variable_pi_capitals", &["sin(PI*x)", "--wrt", "x"]),
    ("variable_i", &["exp(I*x)", "--wrt", "x"]),
    (
        "each_name_once",
        &["E*x + E^2 + Sin(x) + Sin(2*x)", "--wrt", "x"],
    ),
    // `--wrt` a variable that does not occur.
    ("wrt_absent_gradient", &["x*y", "--grad", "--wrt", "x,z"]),
    ("wrt_absent_other_case", &["X^2", "--wrt", "x"]),
    (
        "wrt_absent_gradient_at_a_point",
        &["x*y", "--grad", "--wrt", "x,z", "--at", "y=2"],
    ),
    ("wrt_absent_sgd", &["x*y", "--sgd", "0.1", "--wrt", "x,z"]),
    (
        "wrt_absent_total",
        &["a*b", "--wrt", "t", "--total", "--depends", "a(x)"],
    ),
    // `--verify` that cannot check.
    (
        "verify_unknown_function",
        &["f(x)*g(x)", "--wrt", "x", "--verify"],
    ),
    (
        "verify_some_unchecked",
        &["f(x)", "x^2", "--jacobian", "--verify"],
    ),
    (
        "verify_implicit",
        &["x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x", "--verify"],
    ),
    ("verify_without_wrt", &["x^2", "--verify"]),
    // Finite differences that never settle: not checked, rather than called wrong (the
    // first was reported as FAILED with a right derivative; the kit's W6 q13).
    (
        "verify_too_fast_to_sample",
        &["sin(sinh(tanh(x) + cosh(6))/y)", "--wrt", "x", "--verify"],
    ),
    (
        "verify_too_large_beside_its_slope",
        &["1e10 + x^2", "--wrt", "x", "--verify"],
    ),
    // Definitions: the body is read like an expression.
    (
        "definition_option",
        &["g(x)", "--wrt", "x", "--def", "g(x)=Sin(x)"],
    ),
    // Where warnings go.
    (
        "json_record",
        &["Sin(x) + E", "--wrt", "x", "--format", "json"],
    ),
    (
        "json_record_quiet",
        &["Sin(x)", "--wrt", "x", "--format", "json", "-q"],
    ),
    ("second_jacobian_input", &["x*y", "Sin(y)", "--jacobian"]),
    (
        "with_check",
        &["Sin(x)", "--wrt", "x", "--check", "Sin'(x)"],
    ),
];

#[test]
fn warnings() {
    for (name, args) in CASES {
        assert_cmd_snapshot!(*name, deriv().args(*args));
    }
}

/// These are not warned about.
const SILENT: &[&[&str]] = &[
    &["Sin(x)", "--wrt", "x", "--quiet"],
    &["Sin(x)", "--wrt", "x", "-q"],
    &["sinc(x)", "--wrt", "x", "--def", "sinc(x)=sin(x)/x"],
    &["E^x", "--wrt", "x", "--def", "E=3"],
    &["E^x", "--wrt", "E"],
    &["g(x)", "--wrt", "x", "--def", "g(E)=E^2"],
    &["Gamma(x)", "--wrt", "x", "--def", "Gamma(t)=t^2"],
    &["Pi*x", "--wrt", "x", "--at", "Pi=3"],
    &["cost(x) + sine(x) + phi(x) + f(x)", "--wrt", "x"],
    &["e^x + pi*x", "--wrt", "x"],
    &["y", "--wrt", "x", "--total", "--depends", "y"],
    &["t - x", "--wrt", "x"],
    &["t", "--wrt", "x", "-s", "t=x^2"],
];

#[test]
fn no_warning_for_what_is_meant() {
    for args in SILENT {
        let output = deriv().args(*args).output().expect("deriv runs");
        assert!(output.status.success(), "{args:?}");
        assert!(!output.stdout.is_empty(), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{args:?}");
    }
}

#[test]
fn batch_warnings_name_the_line() {
    let input = "x^2\nSin(x)\n# comment\ny\n";
    assert_cmd_snapshot!(deriv().args(["-", "--wrt", "x"]).pass_stdin(input));
}

#[test]
fn definition_lines_warn_on_their_line() {
    let input = "phi(s) = 1/(1 + Exp(-s))\nh = phi(w*x) + Pi\nh\n";
    assert_cmd_snapshot!(deriv().args(["-", "--wrt", "w"]).pass_stdin(input));
}
