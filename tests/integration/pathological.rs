//! Pathological inputs: `deriv` answers or refuses cleanly, never crashes, hangs or eats
//! the machine.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use crate::common::command::{deriv, run_with_stdin, stderr_of, stdout_of};

#[test]
fn hundred_thousand_nested_parentheses() {
    let n = 100_000;
    let input = format!("{}x{}\n", "(".repeat(n), ")".repeat(n));
    let output = run_with_stdin(&["-"], input.as_bytes());
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), "x\n");
}

#[test]
fn hundred_thousand_nested_functions() {
    let n = 100_000;
    let input = format!("{}x{}\n", "sin(".repeat(n), ")".repeat(n));
    let output = run_with_stdin(&["-"], input.as_bytes());
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), input);
}

#[test]
fn nested_absolute_values_to_the_depth_limit() {
    // Each `|-` is two levels: the absolute value and the sign.
    let n = 49_999;
    let input = format!("{}x{}\n", "|-".repeat(n), "|".repeat(n));
    let output = run_with_stdin(&["-", "--wrt", "x"], input.as_bytes());
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), "sign(x)\n");
    let wide = format!("{}\n", vec!["|x - y|"; 1_000_000].join(" + "));
    let output = run_with_stdin(&["-", "--wrt", "y"], wide.as_bytes());
    assert_eq!(
        stdout_of(&output),
        "-1000000*sign(x - y)\n",
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn hundred_thousand_prefix_signs_and_powers() {
    let signs = format!("{}x\n", "-".repeat(100_000));
    let output = run_with_stdin(&["-"], signs.as_bytes());
    assert_eq!(stdout_of(&output), "x\n", "{}", stderr_of(&output));
    let powers = format!("{}x\n", "x^".repeat(100_000));
    let output = run_with_stdin(&["-"], powers.as_bytes());
    assert!(output.status.success(), "{}", stderr_of(&output));
}

#[test]
fn nesting_past_the_limit_is_refused() {
    let n = 150_000;
    let input = format!("{}x{}\n", "(".repeat(n), ")".repeat(n));
    let output = run_with_stdin(&["-"], input.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let message = stderr_of(&output);
    assert!(
        message.contains("nested more than 100000 levels"),
        "{message}"
    );
    assert!(message.contains("--max-depth"), "{message}");
}

#[test]
fn ten_megabyte_expression_on_one_line() {
    // 2.1 million terms x0 + x1 + ... + x999 + x0 + ..., about 10.5 MB.
    let terms: Vec<String> = (0..2_100_000).map(|i| format!("x{}", i % 1000)).collect();
    let input = terms.join("+") + "\n";
    assert!(input.len() > 10_000_000);
    let output = run_with_stdin(&["-", "--wrt", "x5"], input.as_bytes());
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), "2100\n");
}

/// Reads the peak resident memory of a running process, in kB.
fn peak_memory_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_million_lines_stream_in_constant_memory() {
    let lines = 1_000_000;
    let mut child = deriv()
        .args(["--wrt", "x"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = "x^2 + y*x\n".repeat(1000);
        for _ in 0..lines / 1000 {
            input.write_all(chunk.as_bytes())?;
        }
        // Keep the input open until the results are counted, so the process is alive.
        Ok::<_, std::io::Error>(input)
    });
    let mut results = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut count = 0;
    while count < lines {
        line.clear();
        assert!(
            results.read_line(&mut line).unwrap() > 0,
            "output ended after {count} lines"
        );
        assert_eq!(line, "2*x + y\n");
        count += 1;
    }
    // Every result arrived before the input ended: batch mode streams.
    let peak = peak_memory_kb(pid);
    drop(writer.join().unwrap().unwrap());
    assert!(child.wait().unwrap().success());
    if let Some(peak) = peak {
        assert!(
            peak < 64 * 1024,
            "peak memory {peak} kB for a million lines"
        );
    }
}

#[test]
fn repeated_derivatives_of_a_power_tower() {
    let output = run_with_stdin(&["x^x^x^x^x", "--wrt", "x,x,x"], b"");
    assert!(output.status.success(), "{}", stderr_of(&output));
    let result = stdout_of(&output);
    // The third derivative is printed on one line that parses back.
    let again = run_with_stdin(&[result.trim()], b"");
    assert_eq!(stdout_of(&again), result);
}

#[test]
fn a_million_as_exponent_is_not_expanded() {
    let output = run_with_stdin(&["(x+1)^1000000", "--wrt", "x"], b"");
    assert_eq!(stdout_of(&output), "1000000*(x + 1)^999999\n");
}

#[test]
fn exponents_too_large_to_evaluate_stay_unevaluated() {
    let output = run_with_stdin(&["2^(10^20) + 1"], b"");
    assert_eq!(stdout_of(&output), "2^100000000000000000000 + 1\n");
}

#[test]
fn thousand_digit_integers_stay_exact() {
    let big = "9".repeat(1000);
    let output = run_with_stdin(&[&format!("{big}*x^2 + 1"), "--wrt", "x"], b"");
    let expected = format!("{}*x\n", "1".to_string() + &"9".repeat(999) + "8");
    assert_eq!(stdout_of(&output), expected);
}

#[test]
fn undefined_points_are_errors_not_numbers() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["1/x", "--at", "x=0"],
            "1/x is undefined at x=0: division by zero",
        ),
        (&["x^y", "--at", "x=0,y=0"], "0^0 is undefined"),
        (&["ln(x)", "--at", "x=0"], "ln(0) is undefined"),
        (&["x/y", "--at", "x=0,y=0"], "division by zero"),
        (&["x", "--at", "x=1/0"], "division by zero"),
    ];
    for (args, message) in cases {
        let output = run_with_stdin(args, b"");
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(
            stderr_of(&output).contains(message),
            "{args:?}: {}",
            stderr_of(&output)
        );
    }
}

#[test]
fn invalid_utf8_on_stdin_fails_that_line_only() {
    let output = run_with_stdin(&["--wrt", "x"], b"x^2\n\xff\xfe\nx^3\n");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout_of(&output), "2*x\n3*x^2\n");
    assert!(stderr_of(&output).contains("line 2 of <stdin> is not valid UTF-8"));
}

#[test]
fn nul_bytes_are_reported_as_characters() {
    let output = run_with_stdin(&["--wrt", "x"], b"x\0y\n");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr_of(&output).contains(r"unexpected character '\0'"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn very_long_identifiers() {
    // 100,000 characters: a command-line argument may not be much longer.
    let name = format!("x{}", "a".repeat(100_000));
    let output = run_with_stdin(&[&format!("3*{name}^2"), "--wrt", &name], b"");
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output), format!("6*{name}\n"));
}

#[test]
fn every_batch_line_yields_one_result_or_one_error_in_order() {
    let input = "x^2\n2x\nsin(x)\n1/0\n(x\nx*y\nln(-1)\nexp(x)\n";
    let output = run_with_stdin(&["--wrt", "x"], input.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout_of(&output), "2*x\ncos(x)\ny\nexp(x)\n");
    let errors = stderr_of(&output);
    let lines: Vec<&str> = errors
        .lines()
        .filter(|l| l.trim_start().starts_with("--> <stdin>:"))
        .collect();
    assert_eq!(lines.len(), 4, "{errors}");
    for (line, number) in lines.iter().zip([2, 4, 5, 7]) {
        assert!(line.contains(&format!("<stdin>:{number}:")), "{line}");
    }
}

#[test]
fn time_limit_stops_runaway_work_cleanly() {
    let wrt = vec!["x"; 40].join(",");
    let output = run_with_stdin(&["x^x^x", "--wrt", &wrt, "--timeout", "0.2"], b"");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let message = stderr_of(&output);
    assert!(
        message.contains("time limit") && message.contains("--timeout"),
        "{message}"
    );
}
