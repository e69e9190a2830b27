//! Running the `deriv` binary built for these tests.

use std::io::Write as _;
use std::process::{Child, Command, Output, Stdio};

/// The path of the `deriv` binary under test.
pub const DERIV: &str = env!("CARGO_BIN_EXE_deriv");

/// A command that runs `deriv`, with no arguments yet.
pub fn deriv() -> Command {
    Command::new(DERIV)
}

/// A command that runs `deriv` with `args`.
pub fn deriv_with(args: &[&str]) -> Command {
    let mut command = deriv();
    command.args(args);
    command
}

/// Runs `deriv` with `args` from the package root, without `NO_COLOR` (so that
/// `--color` alone decides), and returns its output.
pub fn run(args: &[&str]) -> Output {
    deriv_with(args)
        .env_remove("NO_COLOR")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("deriv runs")
}

/// The standard output of [`run`], which must succeed and print UTF-8.
pub fn stdout(args: &[&str]) -> String {
    let output = run(args);
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Runs `deriv` with `args`, expecting it to fail with exit code `code` and print nothing
/// on standard output; returns what it wrote on standard error.
pub fn failure(args: &[&str], code: i32) -> String {
    let output = run(args);
    assert_eq!(output.status.code(), Some(code), "deriv {}", args.join(" "));
    assert!(output.stdout.is_empty(), "deriv {}", args.join(" "));
    stderr_of(&output)
}

/// Starts `deriv` with `args`, its standard input, output and error piped.
pub fn spawn_piped(args: &[&str]) -> Child {
    deriv_with(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The peak resident memory of a running process so far, in KiB (Linux's `VmHWM`).
pub fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `deriv` with `args`, writing `stdin` to it from another thread (so that a large
/// input cannot deadlock against a full output pipe), and returns its output.
pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = spawn_piped(args);
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&stdin));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    output
}

/// The standard output of `output` as text (invalid UTF-8 replaced).
pub fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The standard error of `output` as text (invalid UTF-8 replaced).
pub fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
