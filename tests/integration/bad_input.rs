//! Malformed input, each case's exact error text and exit code snapshotted: expressions
//! first, then options.

use insta_cmd::assert_cmd_snapshot;

use crate::common::command::deriv;

/// Malformed expressions, each given as the positional argument.
const EXPRESSIONS: &[(&str, &str)] = &[
    ("empty", ""),
    ("only_spaces", "   "),
    ("only_newline", "\n"),
    ("trailing_plus", "x +"),
    ("trailing_times", "x *"),
    ("trailing_caret", "x ^"),
    ("leading_times", "* x"),
    ("leading_slash", "/x"),
    ("leading_caret", "^x"),
    ("double_times_slash", "x */ y"),
    ("triple_star", "x *** y"),
    ("caret_caret", "x ^^ 2"),
    ("plus_times", "x +* y"),
    ("implicit_number_name", "2x"),
    ("implicit_number_paren", "2(x + 1)"),
    ("implicit_paren_paren", "(x + 1)(x - 1)"),
    ("implicit_name_name", "x y"),
    ("implicit_number_number", "2 3"),
    ("implicit_paren_name", "(x)y"),
    ("implicit_call_call", "sin(x)cos(x)"),
    ("function_without_parentheses", "sin x"),
    ("sqrt_without_parentheses", "sqrt 2"),
    ("unclosed_paren", "(x + 1"),
    ("unclosed_nested", "sin(cos(x)"),
    ("unmatched_close", "x + 1)"),
    ("close_first", ")x("),
    ("empty_parens", "()"),
    ("empty_call", "sin()"),
    ("unknown_function_no_args", "f()"),
    ("mismatched_bracket", "D[1)(f)(x)"),
    ("bracket_alone", "[x]"),
    ("dollar", "x $ y"),
    ("semicolon", "x; y"),
    ("percent", "x % 2"),
    ("ampersand", "x & y"),
    ("hash", "x # comment"),
    ("exclamation", "x!"),
    ("question", "x ? y"),
    ("backslash", "x \\ y"),
    ("braces", "{x}"),
    ("quote_double", "\"x\""),
    ("control_character", "x\u{7}y"),
    ("zero_width_joiner_only", "\u{200d}"),
    ("tab_only", "\t"),
    ("comma_top_level", "x, y"),
    ("dot_alone", "."),
    ("two_dots", "1..2"),
    ("exponent_without_digits", "1e"),
    ("decimal_two_points", "1.2.3"),
    ("huge_decimal_exponent", "1e1000000"),
    ("sin_two_args", "sin(x, y)"),
    ("exp_no_args", "exp()"),
    ("log_three_args", "log(x, y, z)"),
    ("arity_changes", "f(x) + f(x, y)"),
    ("function_as_variable", "exp + 1"),
    ("sqrt_as_variable", "2*sqrt"),
    ("constant_called", "pi(x)"),
    ("e_called", "e(2)"),
    ("primes_on_builtin", "sin'(x)"),
    ("primes_on_two_args", "g'(x, y)"),
    ("partial_index_zero", "D[0](g)(x, y)"),
    ("partial_index_too_big", "D[3](g)(x, y)"),
    ("partial_of_builtin", "D[1](sin)(x)"),
    ("partial_missing_index", "D[](g)(x)"),
    ("diff_one_arg", "diff(x)"),
    ("diff_number_variable", "diff(x^2, 2)"),
    ("diff_expression_variable", "diff(x^2, x + 1)"),
    ("diff_negative_order", "diff(x^2, x, -1)"),
    ("diff_fraction_order", "diff(x^2, x, 1/2)"),
    ("division_by_zero", "1/0"),
    ("division_by_cancelled_zero", "x/(y - y)"),
    ("zero_negative_power", "0^-2"),
    ("zero_to_zero", "0^0"),
    ("log_zero", "ln(0)"),
    ("log_negative", "log2(-8)"),
    ("sqrt_negative", "sqrt(-4)"),
    ("asin_out_of_range", "asin(2)"),
    ("acosh_below_one", "acosh(1/2)"),
    ("atanh_one", "atanh(1)"),
    ("tan_pole", "tan(pi/2)"),
    ("cot_zero", "cot(0)"),
    ("csc_pi", "csc(pi)"),
    ("coth_zero", "coth(0)"),
    ("csch_zero", "csch(0)"),
    ("acoth_one", "acoth(1)"),
    ("acoth_inside", "acoth(1/2)"),
    ("asec_inside", "asec(1/2)"),
    ("acsc_zero", "acsc(0)"),
    ("asech_above_one", "asech(2)"),
    ("log1p_minus_one", "log1p(-1)"),
    ("log_base_one", "log(x, 1)"),
    ("atan2_origin", "atan2(0, 0)"),
    ("atan2_one_arg", "atan2(y)"),
    ("leaky_relu_one_arg", "leaky_relu(x)"),
    ("max_one_arg", "max(x)"),
    ("min_no_args", "min()"),
    ("logsumexp_one_arg", "logsumexp(x)"),
    ("hypot_one_arg", "hypot(x)"),
    ("max_as_variable", "max + 1"),
    ("primes_on_alias", "arcsin'(x)"),
    ("equation_without_implicit", "x^2 = 1"),
    ("two_equals", "x = y = z"),
    ("error_on_second_line", "x +\n* y"),
    ("error_after_unicode", "θ + φ $"),
    // Notation from other systems: deriv's spelling in the help.
    ("factorial", "n!"),
    ("maxima_pi", "2*%pi"),
    ("maxima_e", "%e^x"),
    ("maxima_i", "x + %i"),
    ("mathematica_sin", "Sin[x]"),
    ("mathematica_exp", "Exp[x^2]"),
    ("mathematica_log", "Log[x]"),
    ("mathematica_log_base", "Log[2, x]"),
    ("mathematica_sqrt", "Sqrt[x + 1]"),
    ("mathematica_arctan", "ArcTan[x]"),
    ("mathematica_nested", "Sin[Cos[x]]"),
    ("mathematica_derivative", "D[x^2, x]"),
    ("bracket_call", "f[x]"),
    ("bracket_index", "w[1]*x"),
    // Absolute values `|x|`: what they cannot mean.
    ("bars_norm", "||x||"),
    ("bars_nested_at_once", "| |x| + 1|"),
    ("bars_implicit_product", "2|x|"),
    ("bars_implicit_product_of_two", "|x| |y|"),
    ("bars_then_name", "|x|y"),
    ("bars_unclosed", "|x + 1"),
    ("bars_unopened", "x|"),
    ("bars_across_parentheses", "|(x|)"),
    ("parenthesis_across_bars", "(|x)|"),
    ("bars_empty", "x + ||"),
];

#[test]
fn malformed_expressions() {
    assert!(EXPRESSIONS.len() >= 80);
    for (name, input) in EXPRESSIONS {
        assert_cmd_snapshot!(*name, deriv().arg(input));
    }
}

/// Malformed options and option arguments.
const OPTIONS: &[(&str, &[&str])] = &[
    ("unknown_option", &["x", "--bogus"]),
    ("wrt_missing_value", &["x", "--wrt"]),
    ("wrt_number", &["x", "--wrt", "2"]),
    ("wrt_constant", &["x", "--wrt", "pi"]),
    ("wrt_function", &["x", "--wrt", "sin"]),
    ("wrt_empty_item", &["x", "--wrt", "x,,y"]),
    ("subst_no_equals", &["t*x", "-w", "x", "-s", "t"]),
    ("subst_double_equals", &["t*x", "-w", "x", "-s", "t==x"]),
    ("subst_missing_variable", &["t*x", "-w", "x", "-s", "=x"]),
    ("subst_missing_expression", &["t*x", "-w", "x", "-s", "t="]),
    ("subst_number_variable", &["t*x", "-w", "x", "-s", "2=x"]),
    ("subst_bad_expression", &["t*x", "-w", "x", "-s", "t=x+"]),
    (
        "subst_undefined_expression",
        &["t*x", "-w", "x", "-s", "t=1/0"],
    ),
    ("subst_cycle", &["t*x", "-w", "x", "-s", "t=u", "-s", "u=t"]),
    ("subst_self_cycle", &["t*x", "-w", "x", "-s", "t=t+1"]),
    ("wrt_substituted", &["t*x", "-w", "t", "-s", "t=x"]),
    ("at_no_equals", &["x", "--at", "x"]),
    ("at_bad_expression", &["x", "--at", "x=2*"]),
    ("at_same_variable_twice", &["x*y", "--at", "x=1,y=2,x=3"]),
    (
        "at_same_variable_in_two_options",
        &["x*y", "--at", "x=1", "--at", "y=2,x=-1"],
    ),
    (
        "check_followed_by_option",
        &["x^2", "-w", "x", "--check", "--verify"],
    ),
    (
        "at_followed_by_option",
        &["x^2", "-w", "x", "--at", "--numeric"],
    ),
    (
        "subst_negative_without_variable",
        &["t*x", "-w", "x", "-s", "-x"],
    ),
    (
        "depends_without_total",
        &["x*y", "-w", "x", "--depends", "y"],
    ),
    ("const_without_total", &["x*y", "-w", "x", "--const", "y"]),
    ("vary_all_without_total", &["x*y", "-w", "x", "--vary-all"]),
    (
        "depends_bad_name",
        &["x*y", "-w", "x", "--total", "--depends", "2y"],
    ),
    ("explain_without_wrt", &["x*y", "--explain"]),
    ("explain_two_wrt", &["x*y", "--explain", "-w", "x,y"]),
    (
        "implicit_without_wrt",
        &["x^2 + y^2 = 1", "--implicit", "y"],
    ),
    ("two_modes", &["x*y", "--grad", "--hessian"]),
    ("more_expressions_without_jacobian", &["x", "y"]),
    ("file_and_expression", &["x", "-f", "input.txt"]),
    ("missing_file", &["-f", "/nonexistent/deriv.txt"]),
    ("max_depth_not_a_number", &["x", "--max-depth", "deep"]),
    ("timeout_not_a_number", &["x", "--timeout", "soon"]),
];

#[test]
fn nul_byte_on_standard_input() {
    assert_cmd_snapshot!(deriv().arg("-").pass_stdin("x\0y\n"));
}

#[test]
fn malformed_options() {
    for (name, args) in OPTIONS {
        assert_cmd_snapshot!(format!("option_{name}"), deriv().args(*args));
    }
}
