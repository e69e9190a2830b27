//! `--format mathml` and the `mathml` fields of JSON records: well-formed XML, MathML Core
//! elements only, laid out as a textbook (and the LaTeX printer) does.

use insta::assert_snapshot;
use roxmltree::{Document, Node};

use crate::common::command::{run, stdout, stdout_of};

/// The elements of MathML Core that the printer may write.
const CORE: [&str; 17] = [
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "mfrac", "msup", "msub", "msubsup",
    "msqrt", "mroot", "mtable", "mtr", "mtd", "mstyle",
];

/// The attributes the printer may write: `display` on `<math>`, `width` on `<mspace>`,
/// `rspace` on `<mo>`, and the global `style` and `displaystyle` on a table.
const ATTRIBUTES: [(&str, &str); 5] = [
    ("math", "display"),
    ("mspace", "width"),
    ("mtd", "style"),
    ("mtable", "displaystyle"),
    ("mo", "rspace"),
];

/// How many children an element of fixed arity has.
fn arity(name: &str) -> Option<usize> {
    match name {
        "mfrac" | "msup" | "msub" | "mroot" => Some(2),
        "msubsup" => Some(3),
        _ => None,
    }
}

/// Checks one `<math>` element's text: it parses as XML, every element is MathML Core with
/// only the allowed attributes, fixed-arity elements have their children, and tokens hold
/// text only.
fn check_math(text: &str) {
    let document =
        Document::parse(text).unwrap_or_else(|e| panic!("not well-formed XML ({e}): {text}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "math", "{text}");
    for node in root.descendants().filter(Node::is_element) {
        let name = node.tag_name().name();
        assert!(CORE.contains(&name), "<{name}> is not MathML Core: {text}");
        for attribute in node.attributes() {
            assert!(
                ATTRIBUTES.contains(&(name, attribute.name())),
                "attribute {} on <{name}>: {text}",
                attribute.name()
            );
        }
        let children = node.children().filter(Node::is_element).count();
        if let Some(n) = arity(name) {
            assert_eq!(children, n, "<{name}> with {children} children: {text}");
        }
        if matches!(name, "mi" | "mn" | "mo" | "mtext") {
            assert_eq!(children, 0, "<{name}> with elements: {text}");
            let content = node.text().unwrap_or_default();
            assert!(!content.is_empty(), "an empty <{name}>: {text}");
        }
        if name == "mn" {
            let content = node.text().unwrap_or_default();
            assert!(
                content.chars().all(|c| c.is_ascii_digit() || c == '.'),
                "<mn>{content}</mn>: {text}"
            );
        }
    }
}

/// Checks every line of `--format mathml` output: each a `<math display="block">`
/// element, or a step table spanning lines.
fn check_output(output: &str) {
    let mut pending = String::new();
    for line in output.lines() {
        pending.push_str(line);
        if pending.ends_with("</math>") {
            assert!(
                pending.starts_with(r#"<math display="block">"#),
                "{pending}"
            );
            check_math(&pending);
            pending.clear();
        }
    }
    assert!(pending.is_empty(), "an unclosed <math>: {pending}");
    assert!(!output.is_empty());
}

fn mathml(args: &[&str]) -> String {
    let output = stdout(&[args, &["--format", "mathml"][..]].concat());
    check_output(&output);
    output
}

/// Varied expressions and derivatives, as `deriv` arguments.
const CASES: &[&[&str]] = &[
    &["4*pi/3*t*x*y", "--wrt", "x"],
    &["x^2/(x + 1)", "--wrt", "x"],
    &["1/x", "--wrt", "x"],
    &["x^(-3)"],
    &["x^(3/2)", "--wrt", "x"],
    &["sqrt(x)", "--wrt", "x"],
    &["cbrt(x^2 + 1)", "--wrt", "x"],
    &["exp(x^2)", "--wrt", "x"],
    &["exp(x)^y", "--wrt", "y"],
    &["2^x + x^x", "--wrt", "x"],
    &["ln(x)/x", "--wrt", "x"],
    &["log10(x) + log2(x) + log(x, 3)", "--wrt", "x"],
    &["sin(x)*cos(x)*tan(x)", "--wrt", "x"],
    &["sec(x) + csc(x) + cot(x)", "--wrt", "x"],
    &["asin(x^2)", "--wrt", "x"],
    &["acos(x) + atan(x)", "--wrt", "x"],
    &["sinh(x) + cosh(x) + tanh(x) + asinh(x)", "--wrt", "x"],
    &["atan2(y, x)", "--wrt", "x"],
    &["abs(x)", "--wrt", "x"],
    &["abs(x^2 - 1)", "--wrt", "x"],
    &["sign(x)*x + step(x) + relu(x)", "--wrt", "x"],
    &["max(x, y) + min(x, 2)", "--wrt", "x"],
    &["logsumexp(x, y)", "--wrt", "x"],
    &["sigmoid(w*x + b)", "--wrt", "w"],
    &["erf(x) + softplus(x)", "--wrt", "x"],
    &["-x^2 - 3*x/4 - 1/2"],
    &["-5/7*x^2", "--wrt", "x"],
    &["(x + 1)^2*(x - 1)^3", "--wrt", "x"],
    &["(-2)^x + (1/2)^x"],
    &["f(x^2)", "--wrt", "x"],
    &["f(x)", "--wrt", "x,x,x,x"],
    &["g(x, x^2)", "--wrt", "x"],
    &["alpha_1*x + theta*x1 + rate*x + w_11", "--wrt", "x"],
    &["x*y^2", "--wrt", "x", "--total", "--depends", "y"],
    &[
        "x*y^2",
        "--wrt",
        "x,x",
        "--total",
        "--depends",
        "y",
        "--notation",
        "prime",
    ],
    &["x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x,x"],
    &["4*pi/3*t*x*y", "--wrt", "x", "--subst", "t=x", "--explain"],
    &["x^2*theta_1", "--differential"],
    &["sqrt(x)*exp(w_11*y)", "--grad"],
    &["x^2*sin(y)", "--hessian"],
    &["tanh((z - 6)*(y + y))", "--grad", "--at", "y=-2,z=-2", "-N"],
    &["sin(x)/x", "--wrt", "x", "--at", "x=1", "-N"],
    &["sin(x^2)*cos(x^2)", "--wrt", "x", "--cse"],
    &["x^3/(x + 1)", "--wrt", "x", "--forms"],
    &["sin(x^2)", "--wrt", "x", "--steps"],
    &["x^2*sin(x)/(x + 1)", "--wrt", "x", "--steps"],
    &["exp(3*x) + 2^x + x^x + ln(cos(x))", "--wrt", "x", "--steps"],
    &[
        "t*x", "--wrt", "x", "--total", "--subst", "t=x", "--steps", "--at", "x=2",
    ],
];

/// Every output is well-formed MathML Core.
#[test]
fn every_output_is_well_formed_mathml_core() {
    for args in CASES {
        mathml(args);
    }
}

/// The JSON records' `mathml` fields are MathML Core too, and agree with the format's.
#[test]
fn json_mathml_fields_are_mathml_core() {
    for args in CASES {
        let text = stdout(&[args, &["--format", "json"][..]].concat());
        let record: serde_json::Value = serde_json::from_str(text.trim()).expect("a record");
        let mut fields = Vec::new();
        for result in record["results"].as_array().expect("results") {
            for key in ["mathml", "label_mathml"] {
                if let Some(text) = result[key].as_str() {
                    fields.push(text.to_string());
                }
            }
            for form in result["forms"].as_array().expect("forms") {
                fields.push(form["mathml"].as_str().expect("a form").to_string());
            }
        }
        for derivation in record["steps"].as_array().into_iter().flatten() {
            fields.push(derivation["start_mathml"].as_str().expect("a start").into());
            for step in derivation["steps"].as_array().expect("steps") {
                fields.push(step["mathml"].as_str().expect("a step").into());
            }
        }
        for temp in record["cse"].as_array().into_iter().flatten() {
            fields.push(temp["mathml"].as_str().expect("a temporary").into());
        }
        assert!(!fields.is_empty(), "{args:?}");
        for field in fields {
            check_math(&format!("<math>{field}</math>"));
        }
        let has_steps = args.contains(&"--steps");
        if !has_steps && !args.contains(&"--cse") {
            let output = mathml(args);
            for result in record["results"].as_array().expect("results") {
                let value = result["mathml"].as_str().expect("mathml");
                assert!(output.contains(value), "{args:?}: {value}");
            }
        }
    }
}

/// The seed example: one fraction, 4πty over 3.
#[test]
fn the_seed_example_is_a_fraction() {
    let output = mathml(&["4*pi/3*t*x*y", "--wrt", "x"]);
    let document = Document::parse(output.trim()).expect("XML");
    let math = document.root_element();
    let children: Vec<Node> = math.children().filter(Node::is_element).collect();
    assert_eq!(children.len(), 1);
    let fraction = children[0];
    assert_eq!(fraction.tag_name().name(), "mfrac");
    let parts: Vec<Node> = fraction.children().filter(Node::is_element).collect();
    let tokens = |node: Node| -> Vec<String> {
        node.descendants()
            .filter(|n| matches!(n.tag_name().name(), "mi" | "mn"))
            .filter_map(|n| n.text().map(str::to_string))
            .collect()
    };
    assert_eq!(tokens(parts[0]), ["4", "π", "t", "y"]);
    assert_eq!(tokens(parts[1]), ["3"]);
    assert_eq!(parts[1].tag_name().name(), "mn");
}

/// Names, numbers and functions as tokens: Greek letters, subscripts, upright function
/// names with the function application, stretchy parentheses, the minus sign.
#[test]
fn tokens_as_a_textbook_writes_them() {
    assert_snapshot!(mathml(&["alpha_1*x + theta*x1 + rate*x + w_11 - 3"]), @r#"<math display="block"><msub><mi>α</mi><mn>1</mn></msub><mo>&#x2062;</mo><mi>x</mi><mo>+</mo><mi>𝑟𝑎𝑡𝑒</mi><mo>&#x2062;</mo><mi>x</mi><mo>+</mo><mi>θ</mi><mo>&#x2062;</mo><msub><mi>x</mi><mn>1</mn></msub><mo>+</mo><msub><mi>w</mi><mn>11</mn></msub><mo>−</mo><mn>3</mn></math>"#);
    assert_snapshot!(mathml(&["asin(x^2)", "--wrt", "x"]), @r#"<math display="block"><mfrac><mrow><mn>2</mn><mo>&#x2062;</mo><mi>x</mi></mrow><msqrt><mn>1</mn><mo>−</mo><msup><mi>x</mi><mn>4</mn></msup></msqrt></mfrac></math>"#);
    assert_snapshot!(mathml(&["exp(x^2)*ln(x)", "--wrt", "x"]), @r#"<math display="block"><mfrac><mrow><msup><mi>e</mi><msup><mi>x</mi><mn>2</mn></msup></msup><mo>&#x2062;</mo><mrow><mo>(</mo><mn>2</mn><mo>&#x2062;</mo><msup><mi>x</mi><mn>2</mn></msup><mo rspace="0.1667em">&#x2062;</mo><mi>ln</mi><mo>&#x2061;</mo><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow><mo>+</mo><mn>1</mn><mo>)</mo></mrow></mrow><mi>x</mi></mfrac></math>"#);
    assert_snapshot!(mathml(&["log10(x)*abs(y)*cbrt(x)"]), @r#"<math display="block"><mroot><mi>x</mi><mn>3</mn></mroot><mo>&#x2062;</mo><mrow><mo>|</mo><mi>y</mi><mo>|</mo></mrow><mo rspace="0.1667em">&#x2062;</mo><msub><mi>log</mi><mn>10</mn></msub><mo>&#x2061;</mo><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></math>"#);
}

/// Fractions, powers and parentheses where the LaTeX printer puts them.
#[test]
fn fractions_and_powers_as_latex_lays_them_out() {
    assert_snapshot!(mathml(&["x^3/(x + 1)", "--wrt", "x"]), @r#"<math display="block"><mfrac><mrow><msup><mi>x</mi><mn>2</mn></msup><mo>&#x2062;</mo><mrow><mo>(</mo><mn>2</mn><mo>&#x2062;</mo><mi>x</mi><mo>+</mo><mn>3</mn><mo>)</mo></mrow></mrow><msup><mrow><mo>(</mo><mi>x</mi><mo>+</mo><mn>1</mn><mo>)</mo></mrow><mn>2</mn></msup></mfrac></math>"#);
    assert_snapshot!(mathml(&["-5/7*x^(3/2) + x^(-2) + (1/2)^x"]), @r#"<math display="block"><msup><mrow><mo>(</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><mo>)</mo></mrow><mi>x</mi></msup><mo>−</mo><mfrac><mrow><mn>5</mn><mo>&#x2062;</mo><msup><mi>x</mi><mrow><mn>3</mn><mo>/</mo><mn>2</mn></mrow></msup></mrow><mn>7</mn></mfrac><mo>+</mo><mfrac><mn>1</mn><msup><mi>x</mi><mn>2</mn></msup></mfrac></math>"#);
}

/// Labels of every mode: ∂f/∂x, d²y/dx², df, the substitution bar, prime notation, and
/// `--steps` as a table.
#[test]
fn labels_and_steps() {
    assert_snapshot!(mathml(&["4*pi/3*t*x*y", "--wrt", "x", "--subst", "t=x", "--explain"]), @r#"
    <math display="block"><mtext>partial</mtext><mspace width="1em"/><mfrac><mrow><mi>∂</mi><mi>f</mi></mrow><mrow><mi>∂</mi><mi>x</mi></mrow></mfrac><mo>=</mo><mfrac><mrow><mn>4</mn><mo>&#x2062;</mo><mi>π</mi><mo>&#x2062;</mo><mi>t</mi><mo>&#x2062;</mo><mi>y</mi></mrow><mn>3</mn></mfrac></math>
    <math display="block"><mtext>chain via t</mtext><mspace width="1em"/><mfrac><mrow><mi>∂</mi><mi>f</mi></mrow><mrow><mi>∂</mi><mi>t</mi></mrow></mfrac><mo>&#x2062;</mo><mfrac><mrow><mi>d</mi><mi>t</mi></mrow><mrow><mi>d</mi><mi>x</mi></mrow></mfrac><mo>=</mo><mfrac><mrow><mn>4</mn><mo>&#x2062;</mo><mi>π</mi><mo>&#x2062;</mo><mi>x</mi><mo>&#x2062;</mo><mi>y</mi></mrow><mn>3</mn></mfrac></math>
    <math display="block"><mtext>chain via y</mtext><mspace width="1em"/><mfrac><mrow><mi>∂</mi><mi>f</mi></mrow><mrow><mi>∂</mi><mi>y</mi></mrow></mfrac><mo>&#x2062;</mo><mfrac><mrow><mi>d</mi><mi>y</mi></mrow><mrow><mi>d</mi><mi>x</mi></mrow></mfrac><mo>=</mo><mn>0</mn><mspace width="1em"/><mtext>(y is held constant)</mtext></math>
    <math display="block"><mtext>total</mtext><mspace width="1em"/><mfrac><mrow><mi>d</mi><mi>f</mi></mrow><mrow><mi>d</mi><mi>x</mi></mrow></mfrac><mo>=</mo><mfrac><mrow><mn>8</mn><mo>&#x2062;</mo><mi>π</mi><mo>&#x2062;</mo><mi>x</mi><mo>&#x2062;</mo><mi>y</mi></mrow><mn>3</mn></mfrac></math>
    <math display="block"><mtext>subst. after</mtext><mspace width="1em"/><msub><mrow><mfrac><mrow><mi>∂</mi><mi>f</mi></mrow><mrow><mi>∂</mi><mi>x</mi></mrow></mfrac><mo>|</mo></mrow><mtext>t=x</mtext></msub><mo>=</mo><mfrac><mrow><mn>4</mn><mo>&#x2062;</mo><mi>π</mi><mo>&#x2062;</mo><mi>x</mi><mo>&#x2062;</mo><mi>y</mi></mrow><mn>3</mn></mfrac><mspace width="1em"/><mtext>(WRONG: the total is 2 times this)</mtext></math>
    <math display="block"><mtext>subst. first</mtext><mspace width="1em"/><mfrac><mi>∂</mi><mrow><mi>∂</mi><mi>x</mi></mrow></mfrac><mrow><mo>(</mo><mi>f</mi><mtext>&#xA0;with t=x</mtext><mo>)</mo></mrow><mo>=</mo><mfrac><mrow><mn>8</mn><mo>&#x2062;</mo><mi>π</mi><mo>&#x2062;</mo><mi>x</mi><mo>&#x2062;</mo><mi>y</mi></mrow><mn>3</mn></mfrac><mspace width="1em"/><mtext>(equals the total)</mtext></math>
    "#);
    assert_snapshot!(mathml(&["x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x,x"]), @r#"<math display="block"><mfrac><mrow><msup><mi>d</mi><mn>2</mn></msup><mi>y</mi></mrow><mrow><mi>d</mi><msup><mi>x</mi><mn>2</mn></msup></mrow></mfrac><mo>=</mo><mrow><mo>−</mo><mfrac><mrow><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><msup><mi>y</mi><mn>2</mn></msup></mrow><msup><mi>y</mi><mn>3</mn></msup></mfrac></mrow></math>"#);
    assert_snapshot!(mathml(&["x*y^2", "--wrt", "x,x", "--total", "--depends", "y", "--notation", "prime"]), @r#"<math display="block"><mn>2</mn><mo>&#x2062;</mo><mi>x</mi><mo>&#x2062;</mo><mi>y</mi><mo>&#x2062;</mo><msup><mi>y</mi><mo>″</mo></msup><mo>+</mo><mn>2</mn><mo>&#x2062;</mo><mi>x</mi><mo>&#x2062;</mo><msup><mrow><mo>(</mo><msup><mi>y</mi><mo>′</mo></msup><mo>)</mo></mrow><mn>2</mn></msup><mo>+</mo><mn>4</mn><mo>&#x2062;</mo><mi>y</mi><mo>&#x2062;</mo><msup><mi>y</mi><mo>′</mo></msup></math>"#);
    assert_snapshot!(mathml(&["x^2*theta_1", "--differential"]), @r#"<math display="block"><mrow><mi>d</mi><mi>f</mi></mrow><mo>=</mo><msup><mi>x</mi><mn>2</mn></msup><mspace width="0.1667em"/><mi>d</mi><msub><mi>θ</mi><mn>1</mn></msub><mo>+</mo><mn>2</mn><mo>&#x2062;</mo><msub><mi>θ</mi><mn>1</mn></msub><mo>&#x2062;</mo><mi>x</mi><mspace width="0.1667em"/><mi>d</mi><mi>x</mi></math>"#);
    assert_snapshot!(mathml(&["sin(x^2)", "--wrt", "x", "--steps"]), @r#"
    <math display="block"><mtable displaystyle="true">
    <mtr><mtd style="text-align: right"><mfrac><mi>∂</mi><mrow><mi>∂</mi><mi>x</mi></mrow></mfrac><mo>&#x2061;</mo><mrow><mo>(</mo><mi>sin</mi><mo>&#x2061;</mo><mrow><mo>(</mo><msup><mi>x</mi><mn>2</mn></msup><mo>)</mo></mrow><mo>)</mo></mrow></mtd><mtd style="text-align: left"><mo>=</mo><mfrac><mi>∂</mi><mrow><mi>∂</mi><mi>x</mi></mrow></mfrac><mo>&#x2061;</mo><mrow><mo>(</mo><msup><mi>x</mi><mn>2</mn></msup><mo>)</mo></mrow><mo rspace="0.1667em">&#x2062;</mo><mi>cos</mi><mo>&#x2061;</mo><mrow><mo>(</mo><msup><mi>x</mi><mn>2</mn></msup><mo>)</mo></mrow></mtd><mtd style="text-align: left"><mspace width="1em"/><mtext>chain rule: sin' = cos, with&#xA0;</mtext><mi>u</mi><mo>=</mo><msup><mi>x</mi><mn>2</mn></msup></mtd></mtr>
    <mtr><mtd style="text-align: right"></mtd><mtd style="text-align: left"><mo>=</mo><mn>2</mn><mo>&#x2062;</mo><mi>x</mi><mo rspace="0.1667em">&#x2062;</mo><mi>cos</mi><mo>&#x2061;</mo><mrow><mo>(</mo><msup><mi>x</mi><mn>2</mn></msup><mo>)</mo></mrow></mtd><mtd style="text-align: left"><mspace width="1em"/><mtext>power rule</mtext></mtd></mtr>
    </mtable></math>
    "#);
}

/// `--check` in MathML: the derivative is a `<math>` element in the sentence.
#[test]
fn check_writes_the_derivative_as_inline_math() {
    let text = stdout_of(&run(&[
        "x^2", "--wrt", "x", "--check", "3*x", "--format", "mathml",
    ]));
    let start = text.find("<math>").expect("a <math> element");
    let end = text.find("</math>").expect("its end") + "</math>".len();
    check_math(&text[start..end]);
}
