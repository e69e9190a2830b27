//! `deriv serve` against bad requests and under load: every bad request gets its exact
//! status, the server never crashes, and it still answers afterwards. The load test stays
//! on loopback and stops by itself; run it with `--nocapture` to see its figures
//! (`DERIV_BIN=target/release/deriv` for a release build's).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::common::http::{Response, Served};

/// Whether a response is a JSON error record with this status.
fn is_error(response: &Response, status: u16) -> bool {
    response.status == status
        && serde_json::from_slice::<serde_json::Value>(&response.body)
            .is_ok_and(|body| body["error"]["status"] == status)
}

/// Asserts that the server still computes.
fn still_answers(server: &Served) {
    let response = server.get("/api/derive?expr=x^2&wrt=x");
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["results"][0]["plain"], "2*x");
}

#[test]
fn bad_requests_get_their_status_and_the_server_survives() {
    let mut server = Served::start(&[]);
    // Malformed query strings.
    for (query, status) in [
        ("%", 400),
        ("expr=%G1", 400),
        ("expr=x%2", 400),
        ("expr=x%", 400),
        ("=x", 400),
        ("expr", 400),
        ("expr=x&wrt", 400),
        ("expr=x&wrt=x&wrt=", 400),
        ("&&&expr=x&&", 200),
        ("expr=x&&wrt=x&", 200),
        ("expr=%2B%2B", 400),
        ("expr=x&wrt=x&total=1&total=0", 200),
    ] {
        let response = server.get(&format!("/api/derive?{query}"));
        assert_eq!(response.status, status, "?{query}: {}", response.text());
        if status != 200 {
            assert!(is_error(&response, status), "?{query}");
        }
    }
    // Invalid UTF-8: escaped, and raw in the request line (refused by the HTTP layer).
    for query in ["expr=%FF%FE", "expr=%C3%28", "expr=x&wrt=%80", "%FF=x"] {
        let response = server.get(&format!("/api/derive?{query}"));
        assert!(is_error(&response, 400), "?{query}: {}", response.text());
        assert!(response.text().contains("not valid UTF-8"), "?{query}");
    }
    let raw = server.send(b"GET /api/derive?expr=\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(raw.status, 400);
    // Not HTTP at all; a header too large.
    assert_eq!(server.send(b"GARBAGE\r\n\r\n").status, 400);
    let huge_header = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nX-Big: {}\r\n\r\n",
        server.addr,
        "a".repeat(1 << 20)
    );
    assert_eq!(server.send(huge_header.as_bytes()).status, 431);
    // 10 MB bodies: with a length, and chunked.
    let ten_mb = vec![b'x'; 10 << 20];
    let posted = server.post_form("/api/derive", &ten_mb);
    assert!(is_error(&posted, 413), "{}", posted.text());
    let mut chunked = format!(
        "POST /api/derive HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: chunked\r\nConnection: \
         close\r\n\r\n",
        server.addr
    )
    .into_bytes();
    for chunk in ten_mb.chunks(1 << 16) {
        chunked.extend(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend(chunk);
        chunked.extend(b"\r\n");
    }
    chunked.extend(b"0\r\n\r\n");
    assert!(is_error(&server.send(&chunked), 413));
    // 100,000-deep nesting: a URI that long is refused by the HTTP layer (414: past
    // 64 KiB); posted, it is past the server's --max-depth (10,000): 413 at the place.
    let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
    let response = server.get(&format!("/api/derive?expr={deep}&wrt=x"));
    assert_eq!(response.status, 414);
    let body = format!("expr={deep}&wrt=x");
    let posted = server.post_form("/api/derive", body.as_bytes());
    assert!(is_error(&posted, 413), "{}", posted.text());
    assert_eq!(posted.json()["error"]["span"]["start"], 10_000);
    // Unknown options, and options that would read or write files.
    for query in [
        "expr=x&file=/etc/passwd",
        "expr=x&plot=/tmp/deriv.svg",
        "expr=x&jobs=64",
        "expr=x&stats=1",
        "expr=x&color=always",
        "expr=x&help=1",
        "expr=x&version=1",
        "expr=x&latex=1",
        "expr=x&--wrt=x",
        "expr=x&max-output=99999999999",
        "expr=x&max-power-bits=99999999",
    ] {
        let response = server.get(&format!("/api/derive?{query}"));
        assert!(is_error(&response, 400), "?{query}: {}", response.text());
        assert!(response.text().contains("unknown parameter"), "?{query}");
    }
    // Connections opened and dropped, one left half-sent.
    for _ in 0..50 {
        drop(std::net::TcpStream::connect(server.addr).expect("connect"));
    }
    let mut stalled = std::net::TcpStream::connect(server.addr).expect("connect");
    std::io::Write::write_all(&mut stalled, b"GET /api/derive?expr=x HTTP/1.1\r\nHo")
        .expect("write");
    still_answers(&server);
    assert!(server.is_running());
}

#[test]
fn deep_input_within_the_limit_is_computed() {
    // The command line's own depth limit: 100,000-deep input is computed, not a crash.
    let server = Served::start(&["--max-depth", "100001"]);
    let post = |expr: &str| {
        let body = format!("expr={expr}&wrt=x");
        server.post_form("/api/derive", body.as_bytes())
    };
    let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
    let response = post(&deep);
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.json()["results"][0]["plain"], "1");
    // 100,000 minus signs, escaped (`-` is itself; `--x` is x).
    let response = post(&format!("{}x", "-".repeat(100_000)));
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.json()["results"][0]["plain"], "1");
    let calls = format!("{}x{}", "sin(".repeat(20_000), ")".repeat(20_000));
    let response = post(&calls);
    assert!(
        matches!(response.status, 200 | 413 | 504),
        "{}",
        response.status
    );
    still_answers(&server);
}

/// One kind of request in the load test's mix, and the status it must get.
struct Kind {
    targets: &'static [&'static str],
    status: u16,
    /// One request in this many is of this kind.
    every: usize,
}

/// The mix: mostly derivatives, some plots, malformed and slow requests.
const MIX: &[Kind] = &[
    Kind {
        targets: &["/api/derive?expr=diff(sin(x)^x^x,x,40)"],
        status: 504,
        every: 500,
    },
    Kind {
        targets: &[
            "/api/derive?expr=sin(x",
            "/api/derive?expr=x&file=/etc/passwd",
            "/api/derive?expr=%FF",
            "/api/derive?expr=x&wrt=x&steps=maybe",
        ],
        status: 400,
        every: 10,
    },
    Kind {
        targets: &[
            "/api/plot?expr=x*sin(x)&wrt=x&at=x=1",
            "/api/plot?expr=tan(x)&wrt=x",
        ],
        status: 200,
        every: 20,
    },
    Kind {
        targets: &[
            "/api/derive?expr=4*pi/3*t*x*y&wrt=x",
            "/api/derive?expr=4*pi/3*t*x*y&wrt=x&total=1&subst=t%3Dx&explain=1",
            "/api/derive?expr=sin(x^2)&wrt=x&steps=1",
            "/api/derive?expr=x^x&wrt=x,x",
            "/api/derive?expr=1/(1%2Bexp(-x))&wrt=x",
            "/api/derive?expr=atan(x/y)&grad=1",
            "/api/derive?expr=sqrt(x^2%2By^2)&hessian=1",
            "/api/derive?expr=x^2%2By^2=1&implicit=y&wrt=x",
            "/api/derive?expr=ln(cosh(x))*exp(-x^2)&wrt=x&verify=1",
            "/api/derive?expr=sin(x)^2&wrt=x&check=sin(2*x)",
        ],
        status: 200,
        every: 1,
    },
];

/// The kind of request number `i`.
fn kind_of(i: usize) -> &'static Kind {
    MIX.iter()
        .find(|kind| i.is_multiple_of(kind.every))
        .unwrap_or(&MIX[MIX.len() - 1])
}

#[test]
fn load() {
    const REQUESTS: usize = 10_000;
    const CONCURRENCY: usize = 32;
    let mut server = Served::start(&["--timeout", "0.5"]);
    let next = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::with_capacity(REQUESTS));
    let unexpected = Mutex::new(Vec::new());
    let statuses = Mutex::new(std::collections::BTreeMap::<u16, usize>::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENCY {
            scope.spawn(|| {
                let mut connection = server.connect();
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= REQUESTS {
                        break;
                    }
                    let kind = kind_of(i);
                    let target = kind.targets[(i / kind.every) % kind.targets.len()];
                    let sent = Instant::now();
                    let response = connection.get(target);
                    mine.push(sent.elapsed());
                    match response {
                        Ok(response) => {
                            *statuses
                                .lock()
                                .expect("lock")
                                .entry(response.status)
                                .or_default() += 1;
                            if response.status != kind.status {
                                unexpected.lock().expect("lock").push(format!(
                                    "{target}: {} {}",
                                    response.status,
                                    String::from_utf8_lossy(&response.body)
                                ));
                            }
                        }
                        Err(error) => {
                            unexpected
                                .lock()
                                .expect("lock")
                                .push(format!("{target}: {error}"));
                            connection = server.connect();
                        }
                    }
                }
                latencies.lock().expect("lock").extend(mine);
            });
        }
    });
    let elapsed = started.elapsed();
    let mut latencies = latencies.into_inner().expect("lock");
    latencies.sort();
    let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    let peak = server.peak_memory_kib();
    eprintln!(
        "load: {REQUESTS} requests at concurrency {CONCURRENCY} in {:.2} s: {:.0} requests/s, \
         latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; statuses {:?}; unexpected {}; \
         server peak memory {} MiB",
        elapsed.as_secs_f64(),
        REQUESTS as f64 / elapsed.as_secs_f64(),
        percentile(0.5).as_secs_f64() * 1e3,
        percentile(0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        statuses.into_inner().expect("lock"),
        unexpected.lock().expect("lock").len(),
        peak.map_or("?".into(), |kib| format!("{:.1}", kib as f64 / 1024.0)),
    );
    let unexpected = unexpected.into_inner().expect("lock");
    assert!(
        unexpected.is_empty(),
        "{} unexpected: {:?}",
        unexpected.len(),
        &unexpected[..unexpected.len().min(5)]
    );
    assert_eq!(latencies.len(), REQUESTS);
    assert!(server.is_running());
    still_answers(&server);
}
