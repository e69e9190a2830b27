//! Total derivatives through chains of dependencies and substitutions, implicit
//! derivatives in several variables, and Jacobians, through the `deriv` binary: exit
//! code, stdout and stderr together. Named after the cases of issue 19 (sections 1, 1e).

use insta_cmd::assert_cmd_snapshot;

use crate::common::command::deriv_with;

#[test]
fn dependencies_chain_through_other_dependent_variables() {
    let args = [
        "a*b",
        "--wrt",
        "t",
        "--total",
        "--depends",
        "a(x)",
        "--depends",
        "b(x)",
    ];
    assert_cmd_snapshot!(deriv_with(&args).args(["--depends", "x(t)"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(x, t)*(a*diff(b, x) + b*diff(a, x))

    ----- stderr -----
    ");
    // Declared in the other order, the same.
    assert_cmd_snapshot!(deriv_with(&["y", "--wrt", "t", "--total", "--depends", "x(t)", "--depends", "y(x)"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(x, t)*diff(y, x)

    ----- stderr -----
    ");
}

#[test]
fn explain_follows_the_chain_instead_of_holding_it_constant() {
    let args = [
        "a*b",
        "--wrt",
        "t",
        "--total",
        "--depends",
        "a(x)",
        "--depends",
        "b(x)",
    ];
    assert_cmd_snapshot!(deriv_with(&args).args(["--depends", "x(t)", "--explain"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    partial       diff(f, t) = 0
    chain via a   diff(f, a)*diff(a, t) = b*diff(a, x)*diff(x, t)
    chain via b   diff(f, b)*diff(b, t) = a*diff(b, x)*diff(x, t)
    total         df/dt = diff(x, t)*(a*diff(b, x) + b*diff(a, x))

    ----- stderr -----
    ");
}

#[test]
fn second_total_derivative_through_a_chain() {
    let args = [
        "a*b",
        "--wrt",
        "t,t",
        "--total",
        "--depends",
        "a(x)",
        "--depends",
        "b(x)",
    ];
    assert_cmd_snapshot!(deriv_with(&args).args(["--depends", "x(t)"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    a*diff(b, x)*diff(x, t, 2) + a*diff(b, x, 2)*diff(x, t)^2 + b*diff(a, x, 2)*diff(x, t)^2 + b*diff(a, x)*diff(x, t, 2) + 2*diff(a, x)*diff(b, x)*diff(x, t)^2

    ----- stderr -----
    ");
}

#[test]
fn dependencies_chain_through_substitutions() {
    assert_cmd_snapshot!(deriv_with(&["t*x", "--wrt", "x", "--total", "--depends", "t(u)", "-s", "u=x^2"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    t + 2*x^2*diff(t, u)

    ----- stderr -----
    ");
    assert_cmd_snapshot!(deriv_with(&["y", "--wrt", "x", "--total", "--depends", "y(t)", "-s", "t=x^2"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    2*x*diff(y, t)

    ----- stderr -----
    ");
}

#[test]
fn vary_all_and_const_decide_on_the_substituted_expression() {
    assert_cmd_snapshot!(deriv_with(&["v", "--wrt", "x", "--total", "-s", "v=a", "--vary-all"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(a, x)

    ----- stderr -----
    ");
    assert_cmd_snapshot!(deriv_with(&["t*x", "--wrt", "x", "--total", "-s", "t=1+y", "--const", "a"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    x*diff(y, x) + y + 1

    ----- stderr -----
    ");
}

#[test]
fn dependency_cycles_and_conflicts_are_usage_errors() {
    assert_cmd_snapshot!(deriv_with(&["y", "--wrt", "x", "--total", "--depends", "x(t)", "--depends", "t(x)"]), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: the dependencies form a cycle: x -> t -> x
      = help: a variable cannot depend, through --depends or --subst, on itself
    ");
    assert_cmd_snapshot!(deriv_with(&["y", "--wrt", "x", "--total", "--depends", "t(u)", "-s", "u=t^2"]), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: the dependencies form a cycle: u -> t -> u
      = help: a variable cannot depend, through --depends or --subst, on itself
    ");
    assert_cmd_snapshot!(deriv_with(&["y", "--wrt", "x", "--total", "--depends", "y(t)", "--depends", "y(x)"]), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: --depends: `y` is declared to depend on both `t` and `x`
      = help: diff(y, t) is an ordinary derivative, so a variable depends on one other: chain them instead (--depends 'y(t)' --depends 't(x)')
    ");
    assert_cmd_snapshot!(deriv_with(&["y", "--wrt", "x", "--total", "--depends", "y(t)", "-s", "y=x^2"]), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: --depends y: --subst also replaces `y`
      = help: give either the dependency or the substitution
    ");
}

#[test]
fn options_that_would_be_ignored_are_usage_errors() {
    assert_cmd_snapshot!(deriv_with(&["y*x", "--grad", "--total", "--depends", "y"]), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: --depends y: `y` depends on the --wrt variable, but there is none
      = help: name the variable it depends on: --depends 'y(x)'
    ");
    assert_cmd_snapshot!(deriv_with(&["t*x", "--wrt", "x", "--total", "-s", "t=x", "--at", "t=5"]), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: --at t: --subst replaces `t`, so it has no value of its own
     --> --at:1:1
      |
    1 | t=5
      | ^
      = help: give values to the variables of `t=x` instead
    ");
}

#[test]
fn gradient_and_differential_follow_declared_dependencies_without_wrt() {
    assert_cmd_snapshot!(deriv_with(&["x*y", "--grad", "--total", "--depends", "y(x)"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(f, x) = x*diff(y, x) + y
    diff(f, y) = x

    ----- stderr -----
    ");
    // The differential in every variable (dy itself stands for diff(y, x)*dx).
    assert_cmd_snapshot!(deriv_with(&["x*y", "--differential", "--total", "--depends", "y(x)"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    df = y*dx + x*dy

    ----- stderr -----
    ");
}

#[test]
fn implicit_derivative_follows_other_dependencies() {
    assert_cmd_snapshot!(deriv_with(&["x^2 + y^2 = r", "--implicit", "y", "--wrt", "x", "--total", "--depends", "r"]), @"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(y, x) = (diff(r, x) - 2*x)/(2*y)

    ----- stderr -----
    ");
}

#[test]
fn implicit_mixed_derivative_in_two_variables() {
    // y(x, t) on x^2 + t*y^2 = 1: y_x = -x/(t*y), y_t = -y/(2*t), and y_xt = x/(2*t^2*y).
    assert_cmd_snapshot!(deriv_with(&["x^2 + t*y^2 = 1", "--implicit", "y", "--wrt", "x,t"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(y, x, t) = x/(2*t^2*y)

    ----- stderr -----
    ");
    assert_cmd_snapshot!(deriv_with(&["x^2 + t*y^2 = 1", "--implicit", "y", "--wrt", "t,x"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(y, t, x) = x/(2*t^2*y)

    ----- stderr -----
    ");
}

#[test]
fn jacobian_has_every_entry_over_one_list_of_variables() {
    assert_cmd_snapshot!(deriv_with(&["x", "y", "--jacobian"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    diff(f1, x) = 1
    diff(f1, y) = 0
    diff(f2, x) = 0
    diff(f2, y) = 1

    ----- stderr -----
    ");
}

#[test]
fn zero_to_a_variable_power_is_zero_where_defined() {
    assert_cmd_snapshot!(deriv_with(&["0^x", "--wrt", "x"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    0

    ----- stderr -----
    ");
}

#[test]
fn verify_follows_chains_of_dependencies() {
    // Each dependent variable becomes a quadratic in what it depends on, followed through
    // the chain and the substitutions, so the claims can be checked by finite differences.
    let cases: [&[&str]; 4] = [
        &[
            "a*b",
            "--wrt",
            "t",
            "--depends",
            "a(x)",
            "--depends",
            "b(x)",
            "--depends",
            "x(t)",
        ],
        &["t*x", "--wrt", "x", "--depends", "t(u)", "-s", "u=x^2"],
        &[
            "sin(a)*x",
            "--wrt",
            "t,t",
            "--depends",
            "a(x)",
            "--depends",
            "x(t)",
        ],
        &["t*x", "--wrt", "x", "-s", "t=1+y", "--const", "a"],
    ];
    for args in cases {
        let output = deriv_with(args)
            .args(["--total", "--verify"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args:?}: {stderr}");
        assert!(
            stderr.contains("checked against finite differences"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn implicit_answers_are_compared_on_the_curve() {
    // -(x^2 + y^2)/y^3 is -1/y^3 on the unit circle.
    assert_cmd_snapshot!(deriv_with(&["x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x,x", "--check=-1/y^3"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    correct (numerically on the curve, not proved: equal to 9 digits at 46 of its points; the derivative simplifies to -(x^2 + y^2)/y^3)

    ----- stderr -----
    ");
    // Right on the upper half of the circle only: the lower half tells.
    assert_cmd_snapshot!(deriv_with(&["x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x", "--check=-x/sqrt(1-x^2)"]), @r"
    success: false
    exit_code: 1
    ----- stdout -----
    incorrect
    the derivative is -x/y
    at x=0.969, y=-0.247060721 (on the curve) your answer is ≈ -3.92211273, the derivative ≈ 3.92211273

    ----- stderr -----
    ");
    // The folium of Descartes: the textbook's second derivative.
    let folium = ["x^3 + y^3 = 6*x*y", "--implicit", "y", "--wrt", "x,x"];
    let right = deriv_with(&folium)
        .arg("--check=-16*x*y/(y^2-2*x)^3")
        .output()
        .unwrap();
    assert!(
        right.status.success(),
        "{}",
        String::from_utf8_lossy(&right.stdout)
    );
    let wrong = deriv_with(&folium)
        .arg("--check=-2*x*y/(y^2-2*x)^3")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1));
}

#[test]
fn total_without_wrt_differentiates_in_the_variable_the_constraints_tie_to() {
    // The design card's usage: t = x ties everything to x (issue 16: it printed the
    // substituted function, a silent wrong answer).
    assert_cmd_snapshot!(deriv_with(&["4*pi/3*t*x*y", "--total", "--subst", "t=x"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    8*pi*x*y/3

    ----- stderr -----
    warning: --total without --wrt: differentiating in `x`, the one variable the constraints tie the others to
      = help: give --wrt to choose: --wrt x
    ");
    // Nothing ties the variables to one: a usage error with the candidates.
    assert_cmd_snapshot!(deriv_with(&["x*y", "--total", "-s", "x=t", "-s", "y=u"]), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    error: --total needs --wrt: the variable to differentiate in
      = help: candidates: t, u (for example --wrt t)
    ");
}
