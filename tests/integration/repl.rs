//! `deriv repl`: piped sessions (scripts), and one session through a real pseudo-terminal
//! that types, completes with Tab, recalls history and presses Ctrl-C.

use insta_cmd::assert_cmd_snapshot;

use crate::common::command::{DERIV, deriv_with, run_with_stdin, stderr_of, stdout_of};

/// Runs `deriv repl ARGS` with `lines` piped in; (stdout, stderr, exit code).
fn session(args: &[&str], lines: &str) -> (String, String, i32) {
    let args: Vec<&str> = std::iter::once("repl")
        .chain(args.iter().copied())
        .collect();
    let output = run_with_stdin(&args, lines.as_bytes());
    (
        stdout_of(&output),
        stderr_of(&output),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn the_issues_session_prints_the_partial_then_the_total() {
    let lines = "4*pi/3*t*x*y\n:subst t=x\n:total on\n4*pi/3*t*x*y\n";
    let (out, err, code) = session(&["--wrt", "x"], lines);
    assert_eq!(out, "4*pi*t*y/3\n8*pi*x*y/3\n");
    assert_eq!(err, "");
    assert_eq!(code, 0);
}

/// A line prints exactly what the command line prints with the same options.
#[test]
fn a_line_prints_what_the_command_line_prints() {
    let cases: [(&[&str], &str); 9] = [
        (&["--wrt", "x"], "x^2*sin(x)"),
        (&["--wrt", "x,x"], "x^x"),
        (&["--wrt", "x", "--steps"], "sin(x^2)"),
        (&["--wrt", "x", "--explain", "-s", "t=x"], "4*pi/3*t*x*y"),
        (&["--grad", "--at", "x=0,y=1"], "sin(x)*y^2"),
        (&["--wrt", "x", "--format", "latex"], "sqrt(x)/(1 + x)"),
        (
            &["--wrt", "x", "--format", "json"],
            "exp(2*x)/(1 + exp(2*x))",
        ),
        (&["--wrt", "x", "--forms"], "x*exp(-2*x)"),
        (&[], "x*x + 2*x*x"),
    ];
    for (args, expr) in cases {
        let mut command: Vec<&str> = vec![expr];
        command.extend(args);
        let direct = crate::common::command::run(&command);
        let (out, err, code) = session(args, &format!("{expr}\n"));
        // A record of a session names its line, as in a batch.
        let out = out.replace("\"line\":1,", "");
        assert_eq!(out, stdout_of(&direct), "{args:?} {expr}");
        assert_eq!(err, stderr_of(&direct), "{args:?} {expr}");
        assert_eq!(Some(code), direct.status.code(), "{args:?} {expr}");
    }
}

#[test]
fn definitions_last_and_ans_is_the_last_result() {
    let lines = "\
phi(s) = 1/(1 + exp(-s))
h = phi(w*x + b)
:wrt w
h
ans
:wrt
ans + 1
x^3
:wrt x
ans
g = 2*ans
g
";
    let (out, err, code) = session(&[], lines);
    assert_eq!(err, "");
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            // h in w: the sigmoid's rule, in the definitions' names.
            "h*x*(1 - h)",
            // ans is that result: its derivative in w.
            "h*x^2*(1 - h)*(1 - 2*h)",
            // ans + 1, simplified only: in the variables.
            "h*x^2*(1 - h)*(1 - 2*h) + 1",
            "x^3",
            "3*x^2",
            // g is 2*ans when it was defined: 2*(3*x^2), differentiated.
            "12*x",
        ]
    );
}

#[test]
fn a_definition_replaced_keeps_its_place_and_a_cycle_is_refused() {
    let lines = "u = x^2\nh = 3*u\n:wrt x\nh\nu = sin(x)\nh\nu = h\nh\n:defs\n";
    let (out, err, code) = session(&[], lines);
    assert_eq!(
        out, "6*x\n3*cos(x)\n3*cos(x)\nu = sin(x)\nh = 3*u\nans = 3*cos(x)\n",
        "{err}"
    );
    assert!(
        err.contains("defining `u` here breaks the definition of `h` on line 2"),
        "{err}"
    );
    assert_eq!(code, 2);
}

#[test]
fn commands_change_the_options_and_show_them() {
    let lines = "\
:wrt x
:total on
:subst t=x
:subst s=x^2
:subst -s
:at x=2
:format unicode
:form factored
:steps on
:steps off
:show
:reset
:show
";
    let (out, err, code) = session(&["--notation", "prime"], lines);
    assert_eq!(err, "");
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn help_lists_every_command_with_an_example() {
    let (out, _, code) = session(&[], ":help\n");
    assert_eq!(code, 0);
    for command in [
        ":wrt x,y",
        ":total on",
        ":subst t=x",
        ":at x=1",
        ":format unicode",
        ":form factored",
        ":steps on",
        ":explain on",
        ":verify on",
        ":show",
        ":defs",
        ":clear",
        ":help",
        ":quit",
    ] {
        assert!(out.contains(command), "{command} is missing from\n{out}");
    }
}

/// Errors name the line and put a caret under what is wrong; the session goes on.
#[test]
fn errors_point_into_the_line_and_the_session_goes_on() {
    let mut command = deriv_with(&["repl", "--wrt", "x"]);
    command.env("NO_COLOR", "1");
    assert_cmd_snapshot!(command.pass_stdin(
        "sin(x\n:wrtt y\n:format html\n:subst t=\n:subst -q\n:total maybe\n:wrt x,,y\n\
         :steps\n:explain\nSin(x)\nx^2\n"
    ));
}

/// Options that do not fit together are refused by the command, as clap refuses them on
/// the command line, and the state stays as it was.
#[test]
fn a_command_that_conflicts_with_the_options_is_refused() {
    let (out, err, code) = session(&["--grad"], ":steps on\nx*y\n");
    assert!(
        err.contains("the argument '--steps' cannot be used with: --implicit <VAR>, --explain"),
        "{err}"
    );
    assert_eq!(out, "diff(f, x) = y\ndiff(f, y) = x\n");
    assert_eq!(code, 2);
}

#[test]
fn quit_ends_the_script_and_a_bad_line_does_not() {
    let output = run_with_stdin(&["repl", "--wrt", "x"], b"x^2\n\xff\nx^3\n:quit\nx^4\n");
    assert_eq!(stdout_of(&output), "2*x\n3*x^2\n");
    assert!(stderr_of(&output).contains("line 2 of <repl> is not valid UTF-8"));
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn expressions_and_files_are_refused_as_starting_options() {
    for args in [&["repl", "x^2"][..], &["repl", "-f", "exprs.txt"]] {
        let output = run_with_stdin(args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(stdout_of(&output), "");
        assert!(stderr_of(&output).contains("deriv repl takes options only"));
    }
    let output = run_with_stdin(&["repl", "--wrt"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout_of(&output), "");
}

/// The starting `--def` definitions are the session's.
#[test]
fn starting_definitions_are_the_sessions() {
    let (out, err, _) = session(&["--def", "a=3", "--wrt", "x"], "a*x^2\n:defs\n");
    assert_eq!(out, "6*x\na=3\nans = 6*x\n", "{err}");
}

/// Through a real pseudo-terminal: Tab completes a command and a function, the up arrow
/// recalls the last line, Ctrl-C stops a long computation and the prompt comes back, and
/// Ctrl-D ends the session with the history saved in the data directory.
#[test]
fn a_terminal_session_edits_completes_recalls_and_interrupts() {
    let home = std::env::temp_dir().join(format!("deriv-repl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let mut command = std::process::Command::new(DERIV);
    command
        .arg("repl")
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let options = rexpect::reader::Options::new()
        .timeout_ms(Some(30_000))
        .strip_ansi_escape_codes(true);
    let mut p = rexpect::session::spawn_with_options(command, options).unwrap();
    p.exp_string("deriv> ").unwrap();
    // Tab completes the command `:wrt `.
    p.send(":wr").unwrap();
    p.send("\t").unwrap();
    p.send_line("x").unwrap();
    p.exp_string("deriv> ").unwrap();
    p.send_line("x^3").unwrap();
    p.exp_string("3*x^2").unwrap();
    p.exp_string("deriv> ").unwrap();
    // Tab completes `sq` to the function `sqrt(`.
    p.send("sq").unwrap();
    p.send("\t").unwrap();
    p.send_line("x)").unwrap();
    p.exp_string("1/(2*sqrt(x))").unwrap();
    p.exp_string("deriv> ").unwrap();
    // The up arrow twice recalls `x^3`, edited at its end.
    p.send("\x1b[A\x1b[A").unwrap();
    p.send_line("*2").unwrap();
    p.exp_string("6*x^2").unwrap();
    p.exp_string("deriv> ").unwrap();
    // Ctrl-C stops a computation that would take minutes; the session goes on.
    p.send_line("diff(sin(x)^x^x, x, 40)").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let pressed = std::time::Instant::now();
    p.send_control('c').unwrap();
    p.exp_string("the computation was interrupted").unwrap();
    p.exp_string("deriv> ").unwrap();
    assert!(pressed.elapsed().as_secs() < 10);
    p.send_line("x^2").unwrap();
    p.exp_string("2*x").unwrap();
    p.exp_string("deriv> ").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
    let history = std::fs::read_to_string(home.join("data/deriv/history")).unwrap();
    assert!(history.contains("x^3*2"), "{history}");
    assert!(history.contains(":wrt x"), "{history}");
    let _ = std::fs::remove_dir_all(&home);
}
