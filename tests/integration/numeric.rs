//! Snapshot tests of what must not mislead: derivatives only where the function is
//! defined (issue 19, 1b), `--check` verdicts and `-N` decimals that are right (1c, 1e),
//! and `--verify` away from kinks (1e).

use insta_cmd::assert_cmd_snapshot;

use crate::common::command::deriv;

/// 1b: a derivative exists only where the function is defined.
#[test]
fn ln_below_zero_is_not_differentiated() {
    assert_cmd_snapshot!(deriv().args(["ln(x)", "--wrt", "x", "--at", "x=-1"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: ln(x) is undefined at x=-1: ln(-1) is not real (the logarithm of a negative number); a derivative exists only where the function is defined
    "#);
}

/// 1b: acosh is defined from 1 on.
#[test]
fn acosh_below_one_is_not_differentiated() {
    assert_cmd_snapshot!(deriv().args(["acosh(x)", "--wrt", "x", "--at", "x=-2"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: acosh(x) is undefined at x=-2: acosh(-2) is not real (the argument is below 1); a derivative exists only where the function is defined
    "#);
}

/// 1b: e^2 + 1 > 1 is decided numerically; no `≈ NaN`.
#[test]
fn undefined_at_a_transcendental_point_is_decided_numerically() {
    assert_cmd_snapshot!(deriv().args(["acos(x^2 + 1)", "--wrt", "x", "--at", "x=e", "-N"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: acos(x^2 + 1) is undefined at x=e: acos(exp(2) + 1) is not a real number; a derivative exists only where the function is defined
    "#);
}

/// 1b: pi - 3 > 0, decided numerically: the derivative is printed.
#[test]
fn defined_at_a_transcendental_point_is_decided_numerically() {
    assert_cmd_snapshot!(deriv().args(["sqrt(x - 3)", "--wrt", "x", "--at", "x=pi", "-N"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    1/(2*sqrt(pi - 3)) ≈ 1.3287694783079425

    ----- stderr -----
    "#);
}

/// 1b: ln(6) - ln(2) - ln(3) is 0, which no precision can tell: an error that says it
/// cannot tell, not a number.
#[test]
fn undecidable_domain_is_an_error() {
    assert_cmd_snapshot!(deriv().args(["ln(x - ln(2) - ln(3))", "--wrt", "x", "--at", "x=ln(6)", "-N"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: cannot tell whether ln(x - ln(2) - ln(3)) is defined at x=ln(6): ln(ln(6) - ln(2) - ln(3)) is too close to the edge of its domain or to a pole to tell, even with 2,500 digits; a derivative exists only where the function is defined
    "#);
}

/// 1b: ln(x) at 0 names the function, not its derivative 1/x.
#[test]
fn function_is_checked_not_only_its_derivative() {
    assert_cmd_snapshot!(deriv().args(["ln(x)", "--wrt", "x", "--at", "x=0"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: ln(x) is undefined at x=0: ln(0) is undefined (the logarithm of zero); a derivative exists only where the function is defined
    "#);
}

/// 1b: --grad with --at checks the function.
#[test]
fn gradient_at_a_point_outside_the_domain() {
    assert_cmd_snapshot!(deriv().args(["ln(x*y)", "--grad", "--at", "x=-1,y=2"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: ln(x*y) is undefined at x=-1,y=2: ln(-2) is not real (the logarithm of a negative number); a derivative exists only where the function is defined
    "#);
}

/// 1b: --hessian with --at checks the function.
#[test]
fn hessian_at_a_point_outside_the_domain() {
    assert_cmd_snapshot!(deriv().args(["sqrt(x) + y^2", "--hessian", "--at", "x=-4,y=1"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: sqrt(x) is undefined at x=-4,y=1: sqrt(-4) is not real (an even root of a negative number); a derivative exists only where the function is defined
    "#);
}

/// 1b: --jacobian with --at checks every function.
#[test]
fn jacobian_at_a_point_outside_the_domain() {
    assert_cmd_snapshot!(deriv().args(["x + y", "asin(x*y)", "--jacobian", "--at", "x=2,y=1"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: asin(x*y) is undefined at x=2,y=1: asin(2) is not real (the argument is outside [-1, 1]); a derivative exists only where the function is defined
    "#);
}

/// 1b: --explain with --at checks the constrained function.
#[test]
fn explain_at_a_point_outside_the_domain() {
    assert_cmd_snapshot!(deriv().args(["ln(t)*x", "--wrt", "x", "-s", "t=x - 3", "--explain", "--at", "x=1"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: ln(x - 3) is undefined at x=1: ln(-2) is not real (the logarithm of a negative number); a derivative exists only where the function is defined
    "#);
}

/// 1b: under --total the function after --subst is checked.
#[test]
fn total_checks_the_constrained_function() {
    assert_cmd_snapshot!(deriv().args(["ln(t) + x", "--wrt", "x", "--total", "-s", "t=x - 3", "--at", "x=1"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: ln(x - 3) is undefined at x=1: ln(-2) is not real (the logarithm of a negative number); a derivative exists only where the function is defined
    "#);
}

/// 1c: a wrong term that only shows beyond 3 is found.
#[test]
fn check_samples_large_values() {
    assert_cmd_snapshot!(deriv().args(["x^2", "--wrt", "x", "--check", "2*x + relu(x - 3)"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    incorrect
    the derivative is 2*x
    at x=4.46 your answer is 10.38, the derivative 8.92

    ----- stderr -----
    "#);
}

/// 1c: 2.0000000001 is not 2.
#[test]
fn check_tells_an_exact_coefficient_from_a_close_one() {
    assert_cmd_snapshot!(deriv().args(["x^2", "--wrt", "x", "--check", "2.0000000001*x"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    incorrect
    the derivative is 2*x
    at x=1 your answer is 2.0000000001, the derivative 2

    ----- stderr -----
    "#);
}

/// 1c: cosh(20)^2 - sinh(20)^2 is exactly 1.
#[test]
fn check_is_not_fooled_by_cancellation() {
    assert_cmd_snapshot!(deriv().args(["sin(x)", "--wrt", "x", "--check", "cos(x)*(cosh(20)^2 - sinh(20)^2)"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    correct (numerically, not proved: equal to 30 digits at 24 test points from 1e-3 to 1e3 in size, both signs; the derivative simplifies to cos(x))

    ----- stderr -----
    "#);
}

/// 1c: a difference that simplifies to 0 is a proof, and the verdict says so.
#[test]
fn check_says_when_it_proved() {
    assert_cmd_snapshot!(deriv().args(["x^3", "--wrt", "x", "--check", "3*x*x"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    correct (proved: the difference simplifies to 0)

    ----- stderr -----
    "#);
}

/// 1e: the sigmoid's slope is tiny at most points, but never 0.
#[test]
fn check_a_steep_derivative_is_not_zero() {
    assert_cmd_snapshot!(deriv().args(["1/(1+exp(-100*x))", "--wrt", "x", "--check", "0"]), @"
    success: false
    exit_code: 1
    ----- stdout -----
    incorrect
    the derivative is 100*exp(-100*x)/(exp(-100*x) + 1)^2
    at x=1 your answer is 0, the derivative 3.720075976020836e-42

    ----- stderr -----
    ");
}

/// 1e: a wrong sign on a tiny value is still wrong.
#[test]
fn check_a_wrong_sign_on_a_narrow_bump() {
    assert_cmd_snapshot!(deriv().args(["exp(-1000*x^2)", "--wrt", "x", "--check", "2000*x*exp(-1000*x^2)"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    incorrect
    the derivative is -2000*x*exp(-1000*x^2)
    at x=1 your answer is 1.0151917795098913e-431, the derivative -1.0151917795098913e-431

    ----- stderr -----
    "#);
}

/// 1e: relative to each value, not to 1.
#[test]
fn check_tiny_coefficients_are_compared_relatively() {
    assert_cmd_snapshot!(deriv().args(["10^-12*x^2", "--wrt", "x", "--check", "4*10^-12*x"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    incorrect
    the derivative is x/500000000000
    at x=1 your answer is 4e-12, the derivative 2e-12

    ----- stderr -----
    "#);
}

/// 1c: values that print alike show how far apart they are.
#[test]
fn check_values_too_close_to_print_apart_show_their_difference() {
    assert_cmd_snapshot!(deriv().args(["x^2", "--wrt", "x", "--check", "2*x + 10^-30"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    incorrect
    the derivative is 2*x
    at x=1 your answer is 2, the derivative 2 (your answer minus the derivative is 1e-30)

    ----- stderr -----
    "#);
}

/// 1c: 16*tanh(32)^2 - 16 is about -1.03e-26, not 0.
#[test]
fn numeric_survives_cancellation() {
    assert_cmd_snapshot!(deriv().args(["tanh((z - 6)*(y + y))", "--grad", "--at", "y=-2,z=-2", "-N"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(f, y) = 16*tanh(32)^2 - 16 ≈ -1.0264389699511283e-26
    diff(f, z) = 4*tanh(32)^2 - 4 ≈ -2.5660974248778207e-27

    ----- stderr -----
    "#);
}

/// 1e: 1 - tanh(19)^2 is 1.26e-16.
#[test]
fn numeric_small_value() {
    assert_cmd_snapshot!(deriv().args(["tanh(x)", "--wrt", "x", "--at", "x=19", "-N"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    sech(19)^2 ≈ 1.2556531168192118e-16

    ----- stderr -----
    ");
}

/// 1e: cos(10^100) needs 10^100 reduced exactly.
#[test]
fn numeric_huge_argument() {
    assert_cmd_snapshot!(deriv().args(["sin(x)", "--wrt", "x", "--at", "x=10^100", "-N"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    cos(10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000) ≈ -0.9280819050746554

    ----- stderr -----
    "#);
}

/// 1e: exp(1000) is about 1.97e434, not inf.
#[test]
fn numeric_beyond_f64() {
    assert_cmd_snapshot!(deriv().args(["exp(x)", "--wrt", "x", "--at", "x=1000", "-N"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    exp(1000) ≈ 1.970071114017047e434

    ----- stderr -----
    "#);
}

/// 1c: `6 ≈ 6` says nothing more.
#[test]
fn numeric_integer_has_no_decimal() {
    assert_cmd_snapshot!(deriv().args(["x^3", "--wrt", "x", "--at", "x=2", "-N"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    12

    ----- stderr -----
    "#);
}

/// 1c: a value no precision can tell from 0 is shown with its bound, never as a bare 0.
#[test]
fn numeric_undecidable_zero_is_marked() {
    assert_cmd_snapshot!(deriv().args(["x - ln(2) - ln(3)", "--at", "x=ln(6)", "-N"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    ln(6) - ln(2) - ln(3) ≈ 0 ± 1e-2464

    ----- stderr -----
    "#);
}

/// JSON: `decimal` is a number only when it is sure and within f64; `decimal_text` always.
#[test]
fn numeric_json_beyond_f64() {
    assert_cmd_snapshot!(deriv().args(["exp(x)", "--wrt", "x", "--at", "x=1000", "-N", "--format", "json"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    {"free_variables":["x"],"input":"exp(x)","options":{"at":["x=1000"],"definitions":[],"depends":[],"implicit":null,"inline":false,"mode":"derivative","of":null,"params":[],"sgd":null,"subst":[],"total":false,"wrt":["x"]},"results":[{"decimal":null,"decimal_text":"1.970071114017047e434","form":"computed","forms":[],"heading":null,"label":null,"label_latex":null,"label_mathml":null,"label_unicode":null,"latex":"e^{1000}","mathml":"<msup><mi>e</mi><mn>1000</mn></msup>","note":null,"plain":"exp(1000)","unicode":"exp(1000)","update":false}]}

    ----- stderr -----
    "#);
}

/// 1c: no variables, no partials: nothing on stdout, a warning on stderr.
#[test]
fn gradient_without_variables() {
    assert_cmd_snapshot!(deriv().args(["6", "--grad"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    warning: the function has no variables, so there is no partial derivative to print
    "#);
    // A warning like the others: -q silences it.
    assert_cmd_snapshot!(deriv().args(["6", "--grad", "-q"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----

    ----- stderr -----
    "#);
}

/// 1e: finite differences do not straddle the kink at 1.2954.
#[test]
fn verify_steps_around_a_kink() {
    assert_cmd_snapshot!(deriv().args(["abs(x - 1.2954)", "--wrt", "x", "--verify"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    sign(x - 6477/5000)

    ----- stderr -----
    verify: 1 result checked against finite differences at 5 points each, largest relative error 1.9e-13
    "#);
}

/// 1b: --verify samples only where the function is defined.
#[test]
fn verify_samples_where_the_function_is_defined() {
    assert_cmd_snapshot!(deriv().args(["ln(x) + sqrt(1 - x)", "--wrt", "x", "--verify"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    1/x - 1/(2*sqrt(1 - x))

    ----- stderr -----
    verify: 1 result checked against finite differences at 5 points each, largest relative error 2.1e-12
    "#);
}
/// 1c: at a point, a decimal close to cos(1) is not cos(1).
#[test]
fn check_a_value_at_a_point_compares_exactly() {
    assert_cmd_snapshot!(deriv().args(["sin(x)", "--wrt", "x", "--at", "x=1", "--check", "0.5403"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    incorrect
    the derivative is cos(1)
    your answer is 0.5403, the derivative 0.5403023058681398

    ----- stderr -----
    "#);
}

/// 1c: at a point, another form of cos(1) agrees to 30 digits.
#[test]
fn check_a_value_at_a_point_numerically() {
    assert_cmd_snapshot!(deriv().args(["sin(x)", "--wrt", "x", "--at", "x=1", "--check", "sqrt(1 - sin(1)^2)"]), @r#"
    success: true
    exit_code: 0
    ----- stdout -----
    correct (numerically, not proved: equal to 30 digits; the derivative simplifies to cos(1))

    ----- stderr -----
    "#);
}
/// 1c: a wrong piece just past the kink of relu(x^2 - 2), at ±sqrt(2), is found.
#[test]
fn check_samples_both_sides_of_a_curved_kink() {
    assert_cmd_snapshot!(deriv().args(["x^2", "--wrt", "x", "--check", "2*x + relu(x^2 - 2)*step(2.01 - x^2)"]), @r#"
    success: false
    exit_code: 1
    ----- stdout -----
    incorrect
    the derivative is 2*x
    at x=-1.41563 your answer is -2.8272517031, the derivative -2.83126

    ----- stderr -----
    "#);
}
