//! `deriv serve`'s API: records the same as the command line's `--format json`, every
//! error status with its body, the page's files, the listening options, a bad-request
//! suite that the server survives, and a load test.

use std::time::{Duration, Instant};

use crate::common::command::{failure, run, stderr_of, stdout_of};
use crate::common::http::Served;

/// Percent-encodes a query value (everything but unreserved characters).
fn enc(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The query string for CLI-style pairs.
fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A request's parameters.
type Pairs = &'static [(&'static str, &'static str)];

/// Requests and the command lines that must print the same JSON record.
const SAME_AS_CLI: &[(Pairs, &[&str])] = &[
    (
        &[("expr", "4*pi/3*t*x*y"), ("wrt", "x")],
        &["4*pi/3*t*x*y", "--wrt", "x"],
    ),
    (
        &[
            ("expr", "4*pi/3*t*x*y"),
            ("wrt", "x"),
            ("total", "1"),
            ("subst", "t=x"),
        ],
        &["4*pi/3*t*x*y", "--wrt", "x", "--total", "--subst", "t=x"],
    ),
    (
        &[
            ("expr", "4*pi/3*t*x*y"),
            ("wrt", "x"),
            ("subst", "t=x"),
            ("explain", "on"),
        ],
        &["4*pi/3*t*x*y", "--wrt", "x", "--subst", "t=x", "--explain"],
    ),
    (
        &[("expr", "sin(x^2)"), ("wrt", "x"), ("steps", "true")],
        &["sin(x^2)", "--wrt", "x", "--steps"],
    ),
    (
        &[("expr", "sin(x)^2"), ("wrt", "x"), ("verify", "1")],
        &["sin(x)^2", "--wrt", "x", "--verify"],
    ),
    (
        &[("expr", "sin(x)^2"), ("wrt", "x"), ("check", "sin(2*x)")],
        &["sin(x)^2", "--wrt", "x", "--check", "sin(2*x)"],
    ),
    (
        &[("expr", "sin(x)^2"), ("wrt", "x"), ("check", "2*sin(x)")],
        &["sin(x)^2", "--wrt", "x", "--check", "2*sin(x)"],
    ),
    (
        &[("expr", "sin(x)*y^2"), ("grad", "1"), ("at", "x=0,y=1")],
        &["sin(x)*y^2", "--grad", "--at", "x=0,y=1"],
    ),
    (
        &[("expr", "x^3*y"), ("hessian", "1")],
        &["x^3*y", "--hessian"],
    ),
    (
        &[
            ("expr", "x*y"),
            ("expr", "x+y"),
            ("jacobian", "1"),
            ("wrt", "x,y"),
        ],
        &["x*y", "x+y", "--jacobian", "--wrt", "x,y"],
    ),
    (
        &[("expr", "x^2*y"), ("differential", "1")],
        &["x^2*y", "--differential"],
    ),
    (
        &[("expr", "x^2 + y^2 = 1"), ("implicit", "y"), ("wrt", "x")],
        &["x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x"],
    ),
    (
        &[
            ("expr", "y^2*x"),
            ("wrt", "x"),
            ("total", "1"),
            ("depends", "y"),
        ],
        &["y^2*x", "--wrt", "x", "--total", "--depends", "y"],
    ),
    (
        &[("expr", "(x+1)^3"), ("wrt", "x"), ("form", "expanded")],
        &["(x+1)^3", "--wrt", "x", "--form", "expanded"],
    ),
    (
        &[
            ("expr", "y^2"),
            ("wrt", "x"),
            ("total", "1"),
            ("depends", "y"),
            ("notation", "prime"),
        ],
        &[
            "y^2",
            "--wrt",
            "x",
            "--total",
            "--depends",
            "y",
            "--notation",
            "prime",
        ],
    ),
    (
        &[("def", "f(u)=u^2"), ("expr", "f(sin(x))"), ("wrt", "x")],
        &["--def", "f(u)=u^2", "f(sin(x))", "--wrt", "x"],
    ),
    (
        &[("expr", "exp(x)*sin(x)"), ("wrt", "x,x"), ("cse", "1")],
        &["exp(x)*sin(x)", "--wrt", "x,x", "--cse"],
    ),
    (
        &[
            ("expr", "atan(x)"),
            ("wrt", "x"),
            ("at", "x=1"),
            ("numeric", "1"),
        ],
        &["atan(x)", "--wrt", "x", "--at", "x=1", "--numeric"],
    ),
    (
        &[("expr", "Sin(x)"), ("wrt", "x")],
        &["Sin(x)", "--wrt", "x"],
    ),
    (
        &[("expr", "-x^2"), ("wrt", "x"), ("forms", "1")],
        &["--forms", "--wrt", "x", "--", "-x^2"],
    ),
];

#[test]
fn records_are_the_command_lines() {
    let server = Served::start(&[]);
    for (pairs, args) in SAME_AS_CLI {
        let target = format!("/api/derive?{}", query(pairs));
        let response = server.get(&target);
        assert_eq!(response.status, 200, "{target}: {}", response.text());
        assert_eq!(response.header("content-type"), Some("application/json"));
        let mut cli = vec!["--format", "json"];
        cli.extend(args.iter().copied());
        let output = run(&cli);
        assert_eq!(
            response.text(),
            stdout_of(&output),
            "{target} differs from deriv {}",
            cli.join(" ")
        );
        // The same parameters as a form body.
        let posted = server.post_form("/api/derive", query(pairs).as_bytes());
        assert_eq!(posted.status, 200);
        assert_eq!(posted.body, response.body, "POST {target}");
    }
}

#[test]
fn the_records_say_what_the_command_line_prints() {
    let server = Served::start(&[]);
    let seed = server.get("/api/derive?expr=4*pi/3*t*x*y&wrt=x&total=1&subst=t%3Dx&explain=1");
    let record = seed.json();
    let rows: Vec<(&str, &str, &str)> = record["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["heading"].as_str().unwrap_or(""),
                r["plain"].as_str().unwrap_or(""),
                r["note"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(rows.contains(&("total", "8*pi*x*y/3", "")), "{rows:?}");
    assert!(
        rows.contains(&(
            "subst. after",
            "4*pi*x*y/3",
            "(WRONG: the total is 2 times this)"
        )),
        "{rows:?}"
    );
    let checked = server
        .get("/api/derive?expr=sin(x)^2&wrt=x&check=2*sin(x)")
        .json();
    assert_eq!(checked["check"]["correct"], false);
    assert_eq!(checked["check"]["verdict"], "incorrect");
    let verified = server
        .get("/api/derive?expr=sin(x)^2&wrt=x&verify=1")
        .json();
    assert_eq!(verified["verification"]["checked"], 1);
    assert!(
        verified["verification"]["max_relative_error"]
            .as_f64()
            .expect("error")
            < 1e-6
    );
}

/// An error's body: its status, kind and the parameter it is about.
fn error_of(response: &crate::common::http::Response) -> (u16, String, Option<String>) {
    let body = response.json();
    let error = &body["error"];
    assert_eq!(error["status"], response.status, "{body}");
    assert!(!error["message"].as_str().expect("message").is_empty());
    (
        response.status,
        error["kind"].as_str().expect("kind").to_string(),
        error["input"].as_str().map(str::to_string),
    )
}

#[test]
fn errors_have_their_status_and_the_command_lines_caret() {
    let server = Served::start(&[]);
    // The message with its caret is what the command line writes on standard error.
    for (pairs, args) in [
        (
            &[("expr", "sin(x"), ("wrt", "x")][..],
            &["sin(x", "--wrt", "x"][..],
        ),
        (&[("expr", "x +* 2")][..], &["x +* 2"][..]),
        (
            &[("expr", "1/0 + x"), ("wrt", "x")][..],
            &["1/0 + x", "--wrt", "x"][..],
        ),
        (
            &[("expr", "sin(x, y)"), ("wrt", "x")][..],
            &["sin(x, y)", "--wrt", "x"][..],
        ),
        (
            &[("expr", "x"), ("wrt", "x"), ("subst", "t=x+")][..],
            &["x", "--wrt", "x", "--subst", "t=x+"][..],
        ),
        (&[("expr", "x"), ("steps", "1")][..], &["x", "--steps"][..]),
    ] {
        let response = server.get(&format!("/api/derive?{}", query(pairs)));
        assert_eq!(response.status, 400, "{pairs:?}: {}", response.text());
        let output = run(args);
        assert_eq!(
            response.json()["error"]["rendered"].as_str(),
            Some(stderr_of(&output).as_str()),
            "{pairs:?}"
        );
    }
    let syntax = server.get("/api/derive?expr=sin(x&wrt=x");
    assert_eq!(
        error_of(&syntax),
        (400, "syntax".into(), Some("expr".into()))
    );
    assert_eq!(
        syntax.json()["error"]["span"],
        serde_json::json!({"start": 3, "end": 4})
    );
    let option = server.get("/api/derive?expr=x&wrt=x&subst=t%3Dx%2B");
    assert_eq!(
        error_of(&option),
        (400, "option".into(), Some("subst".into()))
    );
    assert_eq!(option.json()["error"]["text"], "t=x+");
    // Bad parameters, each a 400 naming what is wrong.
    for (target, says) in [
        (
            "/api/derive?expr=x&file=/etc/passwd",
            "unknown parameter `file`",
        ),
        (
            "/api/derive?expr=x&plot=/tmp/out.svg",
            "unknown parameter `plot`",
        ),
        (
            "/api/derive?expr=x&format=latex",
            "unknown parameter `format`",
        ),
        (
            "/api/derive?expr=x&max-depth=1000000000",
            "unknown parameter `max-depth`",
        ),
        (
            "/api/derive?expr=x&timeout=1e9",
            "unknown parameter `timeout`",
        ),
        (
            "/api/derive?expr=x&range=x=0..1",
            "unknown parameter `range`",
        ),
        ("/api/derive?expr=x&total=maybe", "total is true or false"),
        ("/api/derive?wrt=x", "no expression"),
        ("/api/derive", "no expression"),
        ("/api/derive?expr=x&grad=1&hessian=1", "cannot be used with"),
        (
            "/api/derive?expr=x&form=prettiest",
            "invalid value 'prettiest'",
        ),
        ("/api/derive?expr=x&wrt=2x", "--wrt"),
    ] {
        let response = server.get(target);
        assert_eq!(response.status, 400, "{target}: {}", response.text());
        let message = response.json()["error"]["rendered"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(message.contains(says), "{target}: {message}");
    }
    // The limits: nesting past --max-depth, a result past --max-output.
    let deep = format!(
        "/api/derive?expr={}x{}&wrt=x",
        "(".repeat(10_001),
        ")".repeat(10_001)
    );
    let response = server.get(&deep);
    assert_eq!(
        error_of(&response),
        (413, "limit".into(), Some("expr".into()))
    );
    // Paths and methods.
    assert_eq!(error_of(&server.get("/nothing")).0, 404);
    let put = server.send(
        format!(
            "PUT /api/derive?expr=x HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\n\r\n",
            server.addr
        )
        .as_bytes(),
    );
    assert_eq!(error_of(&put).0, 405);
    let json = server.post("/api/derive", "application/json", br#"{"expr":"x"}"#);
    assert_eq!(error_of(&json).0, 415);
    // A name that is not loopback (DNS rebinding) is refused.
    let foreign = server.send(b"GET /api/derive?expr=x HTTP/1.1\r\nHost: example.com\r\n\r\n");
    assert_eq!(error_of(&foreign).0, 421);
}

#[test]
fn limits_time_and_busy() {
    // One worker, no queue, half a second per request.
    let server = Served::start(&["--workers", "1", "--queue", "0", "--timeout", "0.5"]);
    let slow = "/api/derive?expr=diff(sin(x)^x^x,x,40)";
    let started = Instant::now();
    let (busy, first) = std::thread::scope(|scope| {
        let first = scope.spawn(|| server.get(slow));
        // While it runs, a second request finds no worker and no room to wait.
        std::thread::sleep(Duration::from_millis(150));
        let busy = server.get("/api/derive?expr=x^2&wrt=x");
        (busy, first.join().expect("the slow request"))
    });
    assert_eq!(error_of(&busy).0, 503, "{}", busy.text());
    assert_eq!(error_of(&first), (504, "limit".into(), Some("expr".into())));
    assert!(started.elapsed() < Duration::from_secs(5));
    // The worker is free again.
    assert_eq!(server.get("/api/derive?expr=x^2&wrt=x").status, 200);
    // The request's size.
    let small = Served::start(&["--max-request", "100", "--max-output", "100"]);
    let long = small.get("/api/derive?expr=(x%2B1)^30&wrt=x&form=expanded");
    assert_eq!(error_of(&long), (413, "limit".into(), None));
    let long = format!("/api/derive?expr={}", "x%2B".repeat(40));
    assert_eq!(error_of(&small.get(&long)).0, 413);
    let body = format!("expr={}", "x%2B".repeat(40));
    let posted = small.post_form("/api/derive", body.as_bytes());
    assert_eq!(error_of(&posted).0, 413);
}

#[test]
fn the_page_and_its_files() {
    let server = Served::start(&[]);
    for (path, kind) in [
        ("/", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.header("content-type"), Some(kind), "{path}");
        assert!(
            response
                .header("content-security-policy")
                .is_some_and(|p| p.contains("default-src 'self'")),
            "{path}"
        );
        assert!(!response.body.is_empty());
    }
    let plot = server.get("/api/plot?expr=x*sin(x)&wrt=x&at=x=1&range=x%3D-6..6");
    assert_eq!(plot.status, 200, "{}", plot.text());
    assert_eq!(plot.header("content-type"), Some("image/svg+xml"));
    let cli = run(&[
        "x*sin(x)", "--wrt", "x", "--at", "x=1", "--range", "x=-6..6", "--plot", "-",
    ]);
    assert_eq!(plot.body, cli.stdout, "the SVG of --plot -");
    let unplottable = server.get("/api/plot?expr=x*y&wrt=x");
    assert_eq!(error_of(&unplottable).0, 400);
    assert!(unplottable.text().contains("also depends on y"));
}

#[test]
fn listening() {
    // --port 0 printed the address the tests use; the default binds loopback only.
    let server = Served::start(&[]);
    assert!(server.addr.ip().is_loopback());
    // The same port again: a clear error, exit code 2.
    let port = server.addr.port().to_string();
    let stderr = failure(&["serve", "--port", &port], 2);
    assert!(
        stderr.contains("cannot listen on 127.0.0.1:") && stderr.contains("--port 0"),
        "{stderr}"
    );
    // Another address: a warning.
    let open = Served::start(&["--bind", "0.0.0.0"]);
    let (_, stderr) = open.stop();
    assert!(
        stderr.contains("warning: listening on 0.0.0.0:"),
        "{stderr}"
    );
    // SIGTERM stops it cleanly.
    let (code, _) = server.stop();
    assert_eq!(code, Some(0));
    // A bad option.
    let output = run(&["serve", "--timeout", "-1"]);
    assert_eq!(output.status.code(), Some(2));
}

/// The README's API example: its request, sent to a server, answers what its comment
/// shows, and the state in the page's link there is a request the API answers.
#[test]
fn the_readmes_api_example_answers_as_shown() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("the README");
    let curl = readme
        .lines()
        .find_map(|l| l.strip_prefix("curl 'http://127.0.0.1:8080"))
        .and_then(|l| l.strip_suffix('\''))
        .expect("the README's curl example");
    let shown = readme
        .lines()
        .skip_while(|l| !l.starts_with("curl 'http://127.0.0.1:8080"))
        .nth(1)
        .and_then(|l| l.strip_prefix("# "))
        .expect("the comment under it");
    let server = Served::start(&[]);
    let response = server.get(curl);
    assert_eq!(response.status, 200, "{}", response.text());
    let text = response.text();
    for part in shown.split("...") {
        let part = part.trim_matches(',');
        assert!(text.contains(part), "{part} not in {text}");
    }
    // The page sends its address's query to the API as it is: the README's link asks
    // for the total derivative.
    let query = readme
        .split_once("The page's address holds what you typed (`/?")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(query, _)| query)
        .expect("the README's link");
    let state = server.get(&format!("/api/derive?{query}"));
    assert_eq!(state.status, 200, "{}", state.text());
    assert!(
        state.text().contains("\"plain\":\"8*pi*x*y/3\""),
        "{}",
        state.text()
    );
}
