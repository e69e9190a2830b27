//! Expressions that are exactly zero are known to be zero before any claim, division or
//! value: roots of integers multiply (`sqrt(2)*sqrt(3)` is `sqrt(6)`), logarithms of
//! perfect powers are multiples (`ln(4)` is `2*ln(2)`), and sums are expanded to decide
//! zero. The cases of issue 19, section 1d, through the binary.

use insta_cmd::assert_cmd_snapshot;

use crate::common::command::deriv_with;

#[test]
fn roots_and_logarithms_of_numbers_normalize() {
    let input = "sqrt(2)*sqrt(3)\nsqrt(2)*sqrt(6)\ncbrt(2)*cbrt(3)*x\n3^(-1/2)*2^(1/2)\n\
                 ln(4)\nln(1/8)\nln(9/4)\nln(6)\nexp(ln(4))\nexp(-ln(8)/3)\n";
    assert_cmd_snapshot!(deriv_with(&["-"]).pass_stdin(input), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    sqrt(6)
    2*sqrt(3)
    cbrt(6)*x
    sqrt(6)/3
    2*ln(2)
    -3*ln(2)
    2*ln(3/2)
    ln(6)
    4
    1/2

    ----- stderr -----
    ");
}

#[test]
fn a_pole_hidden_by_radicals_is_found() {
    assert_cmd_snapshot!(deriv_with(&["ln(x*sqrt(3) - sqrt(6))", "--wrt", "x", "--at", "x=sqrt(2)", "-N"]), @r"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: ln(sqrt(3)*x - sqrt(6)) is undefined at x=sqrt(2): ln(0) is undefined (the logarithm of zero); a derivative exists only where the function is defined
    ");
}

#[test]
fn a_pole_hidden_by_a_logarithm_is_found() {
    assert_cmd_snapshot!(deriv_with(&["ln(x - 2*ln(2))", "--wrt", "x", "--at", "x=ln(4)", "-N"]), @r"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    error: ln(x - 2*ln(2)) is undefined at x=ln(4): ln(0) is undefined (the logarithm of zero); a derivative exists only where the function is defined
    ");
}

#[test]
fn explain_expands_before_claiming_a_difference() {
    let args = [
        "t - u",
        "--wrt",
        "x",
        "-s",
        "t=(x+1)^3",
        "-s",
        "u=x^3+3*x^2+3*x",
        "--explain",
    ];
    assert_cmd_snapshot!(deriv_with(&args), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    partial       diff(f, x) = 0
    chain via t   diff(f, t)*diff(t, x) = 3*(x + 1)^2
    chain via u   diff(f, u)*diff(u, x) = -3*x^2 - 6*x - 3
    total         df/dx = 0
    subst. after  diff(f, x) with t=(x+1)^3, u=x^3+3*x^2+3*x = 0  (equals the total)
    subst. first  diff(f with t=(x+1)^3, u=x^3+3*x^2+3*x, x) = 0  (equals the total)

    ----- stderr -----
    ");
}

#[test]
fn a_ratio_is_not_claimed_where_both_sides_vanish() {
    assert_cmd_snapshot!(deriv_with(&["t*x", "--wrt", "x", "-s", "t=x^2", "--explain", "--at", "x=0"]), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    partial       diff(f, x) = t
    chain via t   diff(f, t)*diff(t, x) = 0
    total         df/dx = 0
    subst. after  diff(f, x) with t=x^2 = 0  (WRONG in general: the total is 3 times this; the two agree at this point)
    subst. first  diff(f with t=x^2, x) = 0  (equals the total)

    ----- stderr -----
    ");
}

#[test]
fn a_value_that_is_exactly_zero_prints_as_zero() {
    let args = [
        "x^3/3 - (x+1)^3/3 + x^2 + x",
        "--wrt",
        "x",
        "--at",
        "x=sqrt(2)",
        "-N",
    ];
    assert_cmd_snapshot!(deriv_with(&args), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    0

    ----- stderr -----
    ");
}
