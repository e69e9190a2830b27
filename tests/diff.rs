//! Derivative rules, one case per line, compared as canonical expressions: the expected
//! text is parsed into the same pool, so equal ids mean equal expressions.

use deriv::{ExprId, Pool, diff, parse, print};

/// d/d`var` of `input` must equal `expected`.
fn case(input: &str, var: &str, expected: &str) {
    let mut pool = Pool::new();
    let expr = parse(&mut pool, input).unwrap_or_else(|e| panic!("{input}: {e}"));
    let symbol = pool.symbol(var);
    let result = diff(&mut pool, expr, symbol);
    let wanted = parse(&mut pool, expected).unwrap_or_else(|e| panic!("{expected}: {e}"));
    assert_eq!(
        print(&pool, result),
        print(&pool, wanted),
        "d/d{var} {input}"
    );
    assert_eq!(
        result, wanted,
        "d/d{var} {input}: same text, different expression"
    );
}

#[rustfmt::skip]
#[test]
fn sum_constant_multiple_and_power_rules() {
    case("x^2 + 3*x + 7", "x", "2*x + 3");
    case("5*x^4", "x", "20*x^3");
    case("x^-2", "x", "-2/x^3");
    case("x^(1/2)", "x", "1/(2*sqrt(x))");
    case("x^(2/3)", "x", "2/(3*cbrt(x))");
    case("x^n", "x", "n*x^(n - 1)");
    case("2^x", "x", "2^x*ln(2)");
    case("x^x", "x", "x^x*(ln(x) + 1)");
    case("x^sin(x)", "x", "x^sin(x)*(cos(x)*ln(x) + sin(x)/x)");
    case("y^3", "x", "0");
    case("pi*e", "x", "0");
}

#[rustfmt::skip]
#[test]
fn product_and_quotient_rules() {
    case("x*sin(x)", "x", "sin(x) + x*cos(x)");
    case("x*y*z", "y", "x*z");
    case("x*exp(x)*ln(x)", "x", "exp(x)*ln(x) + x*exp(x)*ln(x) + exp(x)");
    case("sin(x)/x", "x", "cos(x)/x - sin(x)/x^2");
    case("1/(x^2 + 1)", "x", "-2*x/(x^2 + 1)^2");
    case("(x + 1)/(x - 1)", "x", "1/(x - 1) - (x + 1)/(x - 1)^2");
}

#[rustfmt::skip]
#[test]
fn chain_rule_for_every_builtin_function() {
    case("sin(3*x)", "x", "3*cos(3*x)");
    case("cos(3*x)", "x", "-3*sin(3*x)");
    case("tan(x)", "x", "tan(x)^2 + 1");
    case("sec(x)", "x", "sec(x)*tan(x)");
    case("csc(x)", "x", "-csc(x)*cot(x)");
    case("cot(x)", "x", "-cot(x)^2 - 1");
    case("asin(x)", "x", "1/sqrt(1 - x^2)");
    case("acos(x)", "x", "-1/sqrt(1 - x^2)");
    case("atan(x)", "x", "1/(x^2 + 1)");
    case("sinh(x)", "x", "cosh(x)");
    case("cosh(x)", "x", "sinh(x)");
    case("tanh(x)", "x", "1 - tanh(x)^2");
    case("asinh(x)", "x", "1/sqrt(x^2 + 1)");
    case("acosh(x)", "x", "1/sqrt(x^2 - 1)");
    case("atanh(x)", "x", "1/(1 - x^2)");
    case("exp(2*x)", "x", "2*exp(2*x)");
    case("ln(x^2 + 1)", "x", "2*x/(x^2 + 1)");
    // The logarithmic derivative of a product: a sum, not the product rule divided back.
    case("ln(x^2*sin(x)/(x + 1))", "x", "cos(x)/sin(x) - 1/(x + 1) + 2/x");
    case("ln(3*x*exp(x))", "x", "1 + 1/x");
    case("log(x)", "x", "1/x");
    case("log10(x)", "x", "1/(x*ln(10))");
    case("log2(x)", "x", "1/(x*ln(2))");
    case("sqrt(x^2 + 1)", "x", "x/sqrt(x^2 + 1)");
    case("cbrt(x)", "x", "1/(3*cbrt(x)^2)");
    case("abs(x)", "x", "sign(x)");
    case("sign(x)", "x", "0");
    case("erf(x)", "x", "2*exp(-x^2)/sqrt(pi)");
    case("sigmoid(x)", "x", "sigmoid(x)*(1 - sigmoid(x))");
    case("softplus(x)", "x", "sigmoid(x)");
    case("relu(x)", "x", "step(x)");
    case("step(x)", "x", "0");
}

#[rustfmt::skip]
#[test]
fn unknown_functions_use_the_chain_rule() {
    case("f(x)", "x", "f'(x)");
    case("f(x^2)", "x", "2*x*f'(x^2)");
    case("f'(x)", "x", "f''(x)");
    case("f(g(x))", "x", "f'(g(x))*g'(x)");
    case("g(x, y)", "x", "D[1](g)(x, y)");
    case("g(x, x)", "x", "D[1](g)(x, x) + D[2](g)(x, x)");
    case("D[1](g)(x, y)", "y", "D[1,2](g)(x, y)");
    case("D[2,1](g)(x, y)", "x", "D[1,1,2](g)(x, y)");
}

#[rustfmt::skip]
#[test]
fn higher_derivatives_and_diff_inside_expressions() {
    case("diff(x^5, x, 3)", "x", "120*x");
    case("diff(sin(x), x)", "x", "-sin(x)");
    case("diff(x^2*y, y)", "x", "2*x");
}

#[test]
fn seed_ellipsoid_partials() {
    case("4*pi/3*t*x*y", "x", "4*pi*t*y/3");
    case("4*pi/3*t*x*y", "t", "4*pi*x*y/3");
    case("4*pi/3*x*x*y", "x", "8*pi*x*y/3");
}

#[test]
fn derivative_with_an_undefined_constant_is_undefined() {
    // (-2)^x is real at integers only; its derivative needs ln(-2), which is not real.
    let mut pool = Pool::new();
    let expr = parse(&mut pool, "(-2)^x").unwrap();
    let x = pool.symbol("x");
    assert_eq!(diff(&mut pool, expr, x), ExprId::UNDEFINED);
    assert!(pool.undefined_reason().unwrap().contains("ln(-2)"));
}

#[test]
fn zero_to_a_power_has_derivative_zero_where_defined() {
    case("0^x", "x", "0");
    case("x + 0^(x^2)", "x", "1");
}

#[test]
fn shared_subexpressions_are_differentiated_once() {
    // A 200-deep chain whose every level uses the level below twice: as a tree it has
    // 2^200 nodes, as a DAG 200, and differentiating it must be quick.
    let mut pool = Pool::new();
    let mut expr = parse(&mut pool, "x").unwrap();
    for _ in 0..200 {
        let square = pool.mul2(expr, expr);
        let sin = pool.call(deriv::Func::Sin, expr);
        expr = pool.add2(square, sin);
    }
    let x = pool.symbol("x");
    let before = pool.len();
    let derivative = diff(&mut pool, expr, x);
    assert_ne!(derivative, ExprId::UNDEFINED);
    assert!(
        pool.len() - before < 200 * 20,
        "grew by {}",
        pool.len() - before
    );
}
