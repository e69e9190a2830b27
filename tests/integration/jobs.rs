//! `--jobs`: a batch computed in parallel writes exactly what `--jobs 1` writes, streams,
//! and refuses no workers.

use std::io::{BufRead, BufReader, Write};
use std::process::Output;
use std::sync::mpsc;
use std::time::Duration;

use crate::common::command::{run_with_stdin, spawn_piped, stderr_of};

/// A batch of `n` lines of every kind, in a fixed pseudo-random order: derivatives,
/// definitions (some refused: defined twice, or in terms of themselves), functions,
/// syntax errors, undefined results, warnings, comments, blank lines and lines that are
/// not UTF-8.
fn mixed_batch(n: usize) -> Vec<u8> {
    let mut state: u64 = 17;
    let mut batch = Vec::new();
    for i in 0..n {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let k = i % 13;
        let line = match (state >> 33) % 20 {
            0 => format!("h{k} = x^{} + y", k + 1),
            1 => format!("g{k} = sin(x)*h{k}"),
            2 => "x^2 +* 3".to_string(),
            3 => "1/0".to_string(),
            4 => format!("Sin(x*{k})"),
            5 => {
                batch.extend_from_slice(b"\xff\xfe x\n");
                continue;
            }
            6 => "# a comment".to_string(),
            7 => String::new(),
            8 => "u = u + 1".to_string(),
            9 => "f(s) = 1/(1 + exp(-s))".to_string(),
            10 => format!("f(x*{k}) + g{k}"),
            11 => "log(x - x)".to_string(),
            12 => format!("exp(h{k})*y"),
            _ => format!("{k}*pi/3*t*x^{}*y + sin(x*{k})", k % 5),
        };
        batch.extend_from_slice(line.as_bytes());
        batch.extend_from_slice(if i % 7 == 0 { b"\r\n" } else { b"\n" });
    }
    batch
}

/// Runs `deriv` on `input` with `options` and `--jobs JOBS`: from a file when the options
/// hold `-f` (its path follows), else from stdin.
fn run_jobs(options: &[&str], jobs: &str, input: &[u8]) -> Output {
    let mut args = options.to_vec();
    args.extend(["--jobs", jobs]);
    let stdin: &[u8] = if options.contains(&"-f") { b"" } else { input };
    run_with_stdin(&args, stdin)
}

#[test]
fn a_mixed_batch_is_the_same_with_any_number_of_jobs() {
    let input = mixed_batch(3000);
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("jobs-mixed-batch.txt");
    std::fs::write(&file, &input).unwrap();
    let file = file.to_str().unwrap();
    let option_sets: &[&[&str]] = &[
        &["--wrt", "x"],
        &["--wrt", "x", "--verify"],
        &["--wrt", "x", "--format", "json", "--color", "always"],
        &["--grad", "--cse"],
        // From a file, and its definition `h3` differentiated at the end.
        &["-f", file, "--wrt", "x", "--of", "h3", "--quiet"],
    ];
    for options in option_sets {
        let one = run_jobs(options, "1", &input);
        // The batch has errors of every kind, and results.
        assert_eq!(one.status.code(), Some(1), "{options:?}");
        assert!(one.stdout.len() > 10_000, "{options:?}");
        let stderr = stderr_of(&one);
        for message in [
            "not valid UTF-8",
            "already defined",
            "expected an expression",
        ] {
            assert!(stderr.contains(message), "{options:?}: {message}");
        }
        for jobs in ["2", "8"] {
            let many = run_jobs(options, jobs, &input);
            assert_eq!(
                many.status.code(),
                one.status.code(),
                "{options:?} --jobs {jobs}"
            );
            assert!(
                many.stdout == one.stdout,
                "{options:?} --jobs {jobs}: stdout differs"
            );
            assert_eq!(stderr_of(&many), stderr, "{options:?} --jobs {jobs}");
        }
    }
}

#[test]
fn a_file_of_definitions_alone_gives_its_last_with_jobs() {
    let input = b"a = x^2\nb = a*y\n";
    let one = run_jobs(&["--wrt", "x"], "1", input);
    let two = run_jobs(&["--wrt", "x"], "2", input);
    assert_eq!(String::from_utf8_lossy(&one.stdout), "2*x*y\n");
    assert_eq!(two.stdout, one.stdout);
}

#[test]
fn results_stream_while_the_input_stays_open() {
    let mut child = spawn_piped(&["--wrt", "x", "--jobs", "2"]);
    let mut input = child.stdin.take().unwrap();
    let (results, received) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if results.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // Each result arrives while the input is still open.
    for (line, result) in [("x^2", "2*x"), ("x*y", "y"), ("sin(x)", "cos(x)")] {
        writeln!(input, "{line}").unwrap();
        input.flush().unwrap();
        let got = received.recv_timeout(Duration::from_secs(60));
        assert_eq!(got.as_deref(), Ok(result));
    }
    drop(input);
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
}

#[test]
fn zero_jobs_is_a_usage_error() {
    let output = run_with_stdin(&["--wrt", "x", "--jobs", "0"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("--jobs"),
        "{}",
        stderr_of(&output)
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn one_expression_ignores_jobs() {
    let output = run_with_stdin(&["x^3", "--wrt", "x", "--jobs", "4"], b"");
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "3*x^2\n");
}
