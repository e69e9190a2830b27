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
    assert!(deriv::print::undefined_reason_text(&pool).contains("ln(-2)"));
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

#[rustfmt::skip]
#[test]
fn chain_rule_for_the_newer_functions() {
    case("acot(x)", "x", "-1/(x^2 + 1)");
    case("asec(x)", "x", "1/(abs(x)*sqrt(x^2 - 1))");
    case("acsc(x)", "x", "-1/(abs(x)*sqrt(x^2 - 1))");
    case("sech(x)", "x", "-sech(x)*tanh(x)");
    case("csch(x)", "x", "-csch(x)*coth(x)");
    case("coth(x)", "x", "1 - coth(x)^2");
    case("asech(x)", "x", "-1/(x*sqrt(1 - x^2))");
    case("acsch(x)", "x", "-1/(abs(x)*sqrt(x^2 + 1))");
    case("acoth(x)", "x", "1/(1 - x^2)");
    case("erfc(x)", "x", "-2*exp(-x^2)/sqrt(pi)");
    case("expm1(2*x)", "x", "2*exp(2*x)");
    case("log1p(x)", "x", "1/(x + 1)");
    case("gelu(x)", "x", "(1 + erf(x/sqrt(2)))/2 + x*exp(-x^2/2)/sqrt(2*pi)");
    case("silu(x)", "x", "sigmoid(x)*(1 + x*(1 - sigmoid(x)))");
    case("elu(x)", "x", "step(x) + exp(x)*step(-x)");
    case("atan2(y, x)", "y", "x/(x^2 + y^2)");
    case("atan2(y, x)", "x", "-y/(x^2 + y^2)");
    case("atan2(x^2, x)", "x", "x^2/(x^2 + x^4)");
    case("log(x, b)", "x", "1/(x*ln(b))");
    case("log(x, b)", "b", "-ln(x)/(b*ln(b)^2)");
    case("hypot(x, y)", "x", "x/sqrt(x^2 + y^2)");
    case("max(x, y)", "x", "step(x - y)");
    case("max(x, y)", "y", "step(y - x)");
    case("min(x, y, z)", "x", "step(y - x)*step(z - x)");
    case("max(x^2, x)", "x", "2*x*step(x^2 - x) + step(x - x^2)");
    case("leaky_relu(x, a)", "x", "step(x) + a*step(-x)");
    case("leaky_relu(x, a)", "a", "-relu(-x)");
    // The partials of logsumexp are the softmax weights.
    case("logsumexp(x, y, z)", "x", "exp(x - logsumexp(x, y, z))");
    case("logsumexp(x, y, x^2)", "x", "exp(x - logsumexp(x, y, x^2)) + 2*x*exp(x^2 - logsumexp(x, y, x^2))");
    case("heaviside(x)", "x", "0");
    case("arcsin(x)", "x", "1/sqrt(1 - x^2)");
    case("arcoth(x)", "x", "1/(1 - x^2)");
}

/// `a` and `b` must parse to the same canonical expression.
fn same(a: &str, b: &str) {
    let mut pool = Pool::new();
    let left = parse(&mut pool, a).unwrap_or_else(|e| panic!("{a}: {e}"));
    let right = parse(&mut pool, b).unwrap_or_else(|e| panic!("{b}: {e}"));
    assert_eq!(print(&pool, left), print(&pool, right), "{a} vs {b}");
    assert_eq!(left, right, "{a} vs {b}: same text, different expression");
}

#[rustfmt::skip]
#[test]
fn newer_functions_at_known_points_and_their_symmetries() {
    same("sech(0)", "1");
    same("erfc(0)", "1");
    for zero in ["expm1(0)", "log1p(0)", "gelu(0)", "silu(0)", "elu(0)", "asech(1)", "asec(1)"] {
        same(zero, "0");
    }
    same("acot(1)", "pi/4");
    same("acot(-1)", "-pi/4");
    same("acot(0)", "pi/2");
    same("asec(2)", "pi/3");
    same("asec(-2)", "2*pi/3");
    same("asec(-1)", "pi");
    same("acsc(2)", "pi/6");
    same("acsc(-1)", "-pi/2");
    same("elu(3/2)", "3/2");
    same("elu(-1)", "expm1(-1)");
    // Inverses cancel, as exp(ln(u)) does.
    same("log1p(expm1(x))", "x");
    same("expm1(log1p(x))", "x");
    // Parity: odd and even functions, and acot, which is neither (it is pi/2 at 0).
    same("coth(-x)", "-coth(x)");
    same("csch(-x)", "-csch(x)");
    same("acsch(-x)", "-acsch(x)");
    same("acoth(-x)", "-acoth(x)");
    same("acsc(-x)", "-acsc(x)");
    same("sech(-x)", "sech(x)");
    same("acot(-x) + acot(x)", "acot(x) + acot(-x)");
    // atan2: exact at numbers, atan(y/x) for a positive number x.
    same("atan2(1, 1)", "pi/4");
    same("atan2(1, -1)", "3*pi/4");
    same("atan2(-1, -1)", "-3*pi/4");
    same("atan2(0, -5)", "pi");
    same("atan2(-2, 0)", "-pi/2");
    same("atan2(y, 3)", "atan(y/3)");
    same("atan2(y, pi)", "atan(y/pi)");
    same("atan2(pi, -1)", "pi - atan(pi)");
    // The rewritten functions.
    same("log(8, 2)", "3");
    same("log(x, 10)", "log10(x)");
    same("log(x, e)", "ln(x)");
    same("log(x, 3)", "ln(x)/ln(3)");
    same("hypot(3, 4)", "5");
    same("hypot(x, y, z)", "sqrt(x^2 + y^2 + z^2)");
    same("logsumexp(x, logsumexp(z, y))", "logsumexp(x, y, z)");
    same("logsumexp(x, x, x)", "x + ln(3)");
    same("logsumexp(0, 0)", "ln(2)");
    same("leaky_relu(x, 1/10)", "relu(x) - relu(-x)/10");
    // min and max: a set of arguments.
    same("max(x, 0)", "relu(x)");
    same("min(x, 0)", "-relu(-x)");
    same("max(y, x)", "max(x, y)");
    same("max(x, max(y, z), x)", "max(x, y, z)");
    same("min(2, 3, x)", "min(x, 2)");
    same("max(pi, 3, x)", "max(x, pi)");
    same("max(2, 7/2, 1)", "7/2");
    same("max(x, x)", "x");
    // Aliases print as the canonical function.
    same("arcsin(x) + arccos(x) + arctan(x)", "asin(x) + acos(x) + atan(x)");
    same("arcsec(x) + arccsc(x) + arccot(x)", "asec(x) + acsc(x) + acot(x)");
    same("arsinh(x) + arcsinh(x)", "2*asinh(x)");
    same("arcosh(x) + arccosh(x) + artanh(x) + arctanh(x)", "2*acosh(x) + 2*atanh(x)");
    same("arsech(x) + arcsch(x) + arcoth(x)", "asech(x) + acsch(x) + acoth(x)");
    same("arcsech(x) + arccsch(x) + arccoth(x)", "asech(x) + acsch(x) + acoth(x)");
    same("lg(x)", "log10(x)");
    same("heaviside(x)", "step(x)");
}

/// The derivative of every newer function at a few points against central differences of
/// the function's own value.
#[test]
fn newer_functions_match_finite_differences() {
    let cases = [
        ("acot(x)", [-2.3, -0.4, 0.7, 3.1]),
        ("asec(x)", [-2.3, -1.4, 1.7, 3.1]),
        ("acsc(x)", [-2.3, -1.4, 1.7, 3.1]),
        ("sech(x)", [-2.3, -0.4, 0.7, 3.1]),
        ("csch(x)", [-2.3, -0.4, 0.7, 3.1]),
        ("coth(x)", [-2.3, -0.4, 0.7, 3.1]),
        ("asech(x)", [0.1, 0.4, 0.7, 0.9]),
        ("acsch(x)", [-2.3, -0.4, 0.7, 3.1]),
        ("acoth(x)", [-2.3, -1.4, 1.7, 3.1]),
        ("erfc(x)", [-2.3, -0.4, 0.7, 3.1]),
        ("expm1(x)", [-2.3, -0.4, 0.7, 3.1]),
        ("log1p(x)", [-0.9, -0.4, 0.7, 3.1]),
        ("gelu(x)", [-2.3, -0.4, 0.7, 3.1]),
        ("silu(x)", [-2.3, -0.4, 0.7, 3.1]),
        ("elu(x)", [-2.3, -0.4, 0.7, 3.1]),
        ("atan2(y, x)", [-2.3, -0.4, 0.7, 3.1]),
        ("atan2(x, y)", [-2.3, -0.4, 0.7, 3.1]),
        ("log(x, y + 3)", [0.2, 0.4, 0.7, 3.1]),
        ("hypot(x, y, 2)", [-2.3, -0.4, 0.7, 3.1]),
        ("max(x, y, sin(x))", [-2.3, -0.4, 0.7, 3.1]),
        ("min(x, y, x^2)", [-2.3, -0.4, 0.7, 3.1]),
        ("logsumexp(x, y, 2*x)", [-2.3, -0.4, 0.7, 3.1]),
        ("leaky_relu(x, 1/5)", [-2.3, -0.4, 0.7, 3.1]),
    ];
    let y_value = -1.3;
    for (text, points) in cases {
        let mut pool = Pool::new();
        let f = parse(&mut pool, text).unwrap();
        let (x, y) = (pool.symbol("x"), pool.symbol("y"));
        let df = diff(&mut pool, f, x);
        let at = |pool: &Pool, e: ExprId, v: f64| {
            let values = [(x, v), (y, y_value)].into_iter().collect();
            deriv::eval(pool, e, &values)
        };
        for p in points {
            let h = 1e-6;
            let numeric = (at(&pool, f, p + h) - at(&pool, f, p - h)) / (2.0 * h);
            let symbolic = at(&pool, df, p);
            assert!(
                (numeric - symbolic).abs() < 1e-6 * symbolic.abs().max(1.0),
                "d/dx {text} at x = {p}: {symbolic} vs finite differences {numeric}"
            );
        }
    }
}

/// `--steps` names the rule of every newer function (the first step is the outermost).
#[test]
fn steps_name_every_newer_rule() {
    let names = [
        ("acot(x)", "acot'"),
        ("asec(x)", "asec'"),
        ("acsc(x)", "acsc'"),
        ("sech(x)", "sech'"),
        ("csch(x)", "csch'"),
        ("coth(x)", "coth'"),
        ("asech(x)", "asech'"),
        ("acsch(x)", "acsch'"),
        ("acoth(x)", "acoth'"),
        ("erfc(x)", "erfc'"),
        ("expm1(x)", "expm1'"),
        ("log1p(x)", "log1p'"),
        ("gelu(x)", "gelu'"),
        ("silu(x)", "silu'"),
        ("elu(x)", "elu'"),
        ("atan2(x, y)", "atan2 rule"),
        ("max(x, y)", "max rule"),
        ("min(x, y)", "min rule"),
        ("logsumexp(x, y)", "logsumexp rule"),
    ];
    for (text, rule) in names {
        let mut pool = Pool::new();
        let f = parse(&mut pool, text).unwrap();
        let x = pool.symbol("x");
        let derivation = deriv::calculus::derivation(&mut pool, f, x, None);
        let first = &derivation.steps[0].rule;
        assert!(first.contains(rule), "{text}: {first}");
    }
}
