//! The web page of `deriv serve` in headless Chromium, driven through chromedriver
//! (WebDriver) with fantoccini: typing an expression shows its derivative, a constraint
//! with the total derivative shows the partial-vs-total table with the wrong answer
//! flagged, a syntax error puts a caret under the input, the plot is drawn, and the URL
//! carries the state across a reload. Screenshots go to `target/browser/`.
//!
//! Without `/usr/bin/chromium` and `/usr/bin/chromedriver` the test is skipped, unless
//! `DERIV_BROWSER_TESTS=required` (as CI sets it), when it fails.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::common::http::Served;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long a condition on the page may take to hold.
const WAIT: Duration = Duration::from_secs(10);

/// The whole browser session at most: a broken page fails, it does not hang.
const SESSION: Duration = Duration::from_secs(120);

/// A child process killed when dropped, also when the test fails.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A folder removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_page_shows_the_partial_and_the_total_derivative() {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|path| !Path::new(path).exists())
        .collect();
    if !missing.is_empty() {
        let required = std::env::var("DERIV_BROWSER_TESTS").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "DERIV_BROWSER_TESTS=required, but {} missing: install chromium chromium-driver",
            missing.join(" and ")
        );
        eprintln!(
            "skipped: install chromium chromium-driver for the browser test ({} missing)",
            missing.join(" and ")
        );
        return;
    }

    let server = Served::start(&[]);
    let url = format!("http://{}/", server.addr);
    let (_driver, driver_url) = start_chromedriver();
    let profile = TempDir(std::env::temp_dir().join(format!(
        "deriv-browser-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    )));
    std::fs::create_dir_all(&profile.0).expect("the browser's profile folder");
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser");
    std::fs::create_dir_all(&shots).expect("target/browser");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let client = connect(&driver_url, &profile.0).await;
        // The checks run as their own task, so that a failed assertion still closes the
        // browser below before the failure is passed on.
        let checks = tokio::spawn(tokio::time::timeout(
            SESSION,
            checks(client.clone(), url, shots),
        ));
        let outcome = checks.await;
        let _ = client.close().await;
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(_)) => panic!("the browser test took more than {SESSION:?}"),
            Err(failure) => std::panic::resume_unwind(failure.into_panic()),
        }
    });
}

/// chromedriver on a free port, once it accepts connections.
fn start_chromedriver() -> (Killed, String) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let driver = Killed(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < WAIT, "chromedriver does not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    (driver, format!("http://127.0.0.1:{port}"))
}

/// A WebDriver session in headless Chromium with a fresh profile and no background
/// networking (this machine's network refuses it).
async fn connect(driver_url: &str, profile: &Path) -> Client {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        &format!("--user-data-dir={}", profile.display()),
        "--window-size=1200,1000",
    ];
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(driver_url)
        .await
        .expect("a WebDriver session in headless Chromium")
}

/// What the page must do, in order.
async fn checks(client: Client, url: String, shots: PathBuf) {
    client.goto(&url).await.expect("the page loads");
    let expr = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id("expr"))
        .await
        .expect("the expression input");

    // 1. The partial derivative, rendered.
    expr.send_keys("4*pi/3*t*x*y").await.unwrap();
    input(&client, "wrt").await.send_keys("x").await.unwrap();
    wait_for(&client, "the partial derivative", RESULT_PLAIN, |v| {
        v == "4*pi*t*y/3"
    })
    .await;
    let shown = js(&client, RESULT_TEXT).await;
    assert_eq!(shown.as_str(), Some("4πty3"), "the result shows {shown}");
    // Rendered as a fraction: 4πty over 3.
    let structure = js(&client, RESULT_MATHML).await;
    assert_eq!(structure.as_str(), Some("mfrac:mrow,mn"), "{structure}");

    // 2. A constraint and the total derivative: the result, and the table with the
    // substitute-afterwards answer flagged.
    input(&client, "subst")
        .await
        .send_keys("t=x")
        .await
        .unwrap();
    // The partial derivative holds t fixed, constraint or not.
    let caption = wait_for(&client, "the partial's caption", CAPTION, |v| {
        v.as_str()
            .is_some_and(|c| c.contains("constraints apply to the total"))
    })
    .await;
    assert!(
        caption.to_string().contains("Partial derivative"),
        "{caption}"
    );
    assert_eq!(
        js(&client, RESULT_PLAIN).await.as_str(),
        Some("4*pi*t*y/3"),
        "the partial with t=x given"
    );
    client
        .find(Locator::Css("label[for='total-1']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&client, "the total derivative", RESULT_PLAIN, |v| {
        v == "8*pi*x*y/3"
    })
    .await;
    let wrong = wait_for(&client, "the flagged row", WRONG_ROW, |v| {
        v.as_str().is_some_and(|s| !s.is_empty())
    })
    .await;
    let wrong = wrong.as_str().unwrap();
    assert!(
        wrong.contains("WRONG") && wrong.contains("2 times"),
        "the substitute-after row says {wrong:?}"
    );
    assert_eq!(
        js(&client, TOTAL_ROW).await,
        "8*pi*x*y/3",
        "the table's total"
    );

    // 3. The plot of f and f′, with the tangent at x = 1.
    input(&client, "at").await.send_keys("x=1").await.unwrap();
    let legend = wait_for(&client, "the plot with its tangent", PLOT_TEXT, |v| {
        v.as_str().is_some_and(|s| s.contains("tangent at x = 1"))
    })
    .await;
    let legend = legend.as_str().unwrap();
    assert!(
        legend.contains("f = 4πx²/3") && legend.contains("f′ = 8πx/3"),
        "the plot's legend: {legend:?}"
    );
    let strokes = js(&client, PLOT_STROKES).await;
    assert!(
        strokes.as_u64().unwrap_or(0) >= 2,
        "the plot has {strokes} coloured curves, not f and f′"
    );
    // Tall enough for the table and the plot, from the top, no focus ring.
    client.set_window_size(1200, 1500).await.unwrap();
    js(
        &client,
        "document.activeElement.blur(); window.scrollTo(0, 0)",
    )
    .await;
    screenshot(&client, &shots, "total-explain-plot").await;

    // 4. The state is in the URL, and a reload brings it back.
    let current = client.current_url().await.unwrap();
    let query: Vec<(String, String)> = current.query_pairs().into_owned().collect();
    for pair in [
        ("expr", "4*pi/3*t*x*y"),
        ("wrt", "x"),
        ("subst", "t=x"),
        ("total", "1"),
        ("at", "x=1"),
    ] {
        assert!(
            query.contains(&(pair.0.into(), pair.1.into())),
            "{pair:?} is not in the URL {current}"
        );
    }
    client.goto("about:blank").await.unwrap();
    client.goto(current.as_str()).await.unwrap();
    wait_for(&client, "the restored result", RESULT_PLAIN, |v| {
        v == "8*pi*x*y/3"
    })
    .await;
    assert_eq!(value(&client, "expr").await, "4*pi/3*t*x*y");
    assert_eq!(value(&client, "subst").await, "t=x");
    assert_eq!(value(&client, "at").await, "x=1");
    assert_eq!(
        js(&client, "return document.getElementById('total-1').checked").await,
        true
    );

    // 5. A syntax error: a caret under the `(` of the expression, the last result
    // still shown, dimmed.
    let expr = input(&client, "expr").await;
    expr.clear().await.unwrap();
    expr.send_keys("sin(x").await.unwrap();
    wait_for(&client, "the caret under the expression", CARET, |v| {
        v == "   ^"
    })
    .await;
    let message = js(
        &client,
        "return document.getElementById('expr-msg').textContent",
    )
    .await;
    assert!(
        message.as_str().unwrap().contains("unclosed `(`"),
        "the message under the expression: {message}"
    );
    assert_eq!(js(&client, RESULT_PLAIN).await, "8*pi*x*y/3");
    assert_eq!(
        js(
            &client,
            "return document.getElementById('result').classList.contains('stale')"
        )
        .await,
        true
    );
    screenshot(&client, &shots, "syntax-error").await;

    // 6. A phone's width: one column, nothing wider than the window.
    client.set_window_size(375, 900).await.unwrap();
    let fixed = input(&client, "expr").await;
    fixed.clear().await.unwrap();
    fixed.send_keys("4*pi/3*t*x*y").await.unwrap();
    wait_for(
        &client,
        "the error gone",
        "return document.getElementById('result').className",
        |v| v.as_str().is_some_and(|c| !c.contains("stale")),
    )
    .await;
    assert_eq!(js(&client, RESULT_PLAIN).await, "8*pi*x*y/3");
    wait_for(
        &client,
        "no horizontal scrolling",
        "return document.documentElement.scrollWidth <= window.innerWidth",
        |v| v == true,
    )
    .await;
    screenshot(&client, &shots, "phone").await;

    // 7. The keyboard alone: Tab reaches the inputs in order, typing fills them, the
    // arrow keys choose the total, Enter on a button copies.
    client.set_window_size(1200, 1000).await.unwrap();
    client.goto(&url).await.unwrap();
    let mut tabs = 0;
    while js(&client, ACTIVE).await != "expr" {
        press(&client, Key::Tab).await;
        tabs += 1;
        assert!(tabs < 10, "Tab never reaches the expression");
    }
    let typed = [("x^3*y", "wrt"), ("x", "subst"), ("y=x", "total-0")];
    for (text, next) in typed {
        client
            .active_element()
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
        press(&client, Key::Tab).await;
        assert_eq!(js(&client, ACTIVE).await, next, "Tab after typing {text}");
    }
    press(&client, Key::Right).await;
    assert_eq!(
        js(&client, ACTIVE).await,
        "total-1",
        "the arrow key moves to Total"
    );
    wait_for(&client, "the total by keyboard", RESULT_PLAIN, |v| {
        v == "4*x^3"
    })
    .await;
    let mut tabs = 0;
    while js(&client, ACTIVE).await != "copy-plain" {
        press(&client, Key::Tab).await;
        tabs += 1;
        assert!(tabs < 30, "Tab never reaches the copy button");
    }
    press(&client, Key::Enter).await;
    wait_for(
        &client,
        "the copy confirmed",
        "return document.getElementById('copied').textContent",
        |v| {
            v.as_str()
                .is_some_and(|t| t.to_lowercase().contains("copied"))
        },
    )
    .await;

    // 8. The steps, rule by rule, from a link.
    client
        .goto(&format!("{url}?expr=sin(x%5E2)&wrt=x&steps=1"))
        .await
        .unwrap();
    let rules = wait_for(
        &client,
        "the steps",
        "const c = document.getElementById('steps-card'); \
         return c.hidden ? null : [...c.querySelectorAll('.rule')].map(r => r.textContent).join(' | ')",
        |v| v.as_str().is_some_and(|t| !t.is_empty()),
    )
    .await;
    let rules = rules.as_str().unwrap_or_default();
    assert!(
        rules.contains("chain rule") && rules.contains("power rule"),
        "{rules}"
    );
    assert_eq!(js(&client, RESULT_PLAIN).await, "2*x*cos(x^2)");
}

/// The focused element's id.
const ACTIVE: &str = "return document.activeElement ? document.activeElement.id : null";

/// Presses a key on the focused element.
async fn press(client: &Client, key: Key) {
    let key: char = key.into();
    let focused = client.active_element().await.unwrap();
    focused.send_keys(&key.to_string()).await.unwrap();
}

/// The result's caption.
const CAPTION: &str = "return document.getElementById('result-caption').textContent";

/// The single result's `data-plain`.
const RESULT_PLAIN: &str =
    "const m = document.getElementById('result-math'); return m ? m.dataset.plain : null";

/// The single result's text, without spaces and MathML's invisible operators.
const RESULT_TEXT: &str = "return document.getElementById('result-math').textContent\
     .replace(/[\\s\\u2061-\\u2064]/g, '')";

/// The structure of the single result's MathML: the names of the `<math>` element's
/// children, and of their children.
const RESULT_MATHML: &str = "const m = document.querySelector('#result-math math'); \
     if (!m) return null; const f = m.firstElementChild; \
     return f.localName + ':' + Array.from(f.children).map(c => c.localName).join(',')";

/// The note of the table's substitute-after row.
const WRONG_ROW: &str = "const r = document.querySelector('#explain-card:not([hidden]) tr.wrong'); \
     return r ? r.querySelector('.note').textContent : null";

/// The table's total.
const TOTAL_ROW: &str =
    "return document.querySelector('tr.row-total td.value .math').dataset.plain";

/// The inline plot's text (title, axes, legend).
const PLOT_TEXT: &str =
    "const s = document.querySelector('#plot-body svg'); return s ? s.textContent : null";

/// How many colours the plot's curves have (f, f′, the tangent: black is the axes).
const PLOT_STROKES: &str = "const s = new Set([...document.querySelectorAll('#plot-body svg polyline, #plot-body svg path')]\
     .map(p => p.getAttribute('stroke')).filter(c => c && !/^#(000000|333333|969696)$/i.test(c))); return s.size";

/// The caret line under the expression.
const CARET: &str =
    "const c = document.querySelector('#expr-msg pre.caret'); return c ? c.textContent : null";

async fn input(client: &Client, id: &str) -> Element {
    client.find(Locator::Id(id)).await.unwrap()
}

async fn value(client: &Client, id: &str) -> Value {
    js(
        client,
        &format!("return document.getElementById('{id}').value"),
    )
    .await
}

async fn js(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.unwrap()
}

/// Polls `script` until `ready` holds for its value, for at most [`WAIT`].
async fn wait_for(
    client: &Client,
    what: &str,
    script: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    let start = Instant::now();
    loop {
        let value = js(client, script).await;
        if ready(&value) {
            return value;
        }
        if start.elapsed() > WAIT {
            let problem = js(
                client,
                "return document.getElementById('problem').textContent",
            )
            .await;
            let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser");
            screenshot(client, &shots, "failure").await;
            panic!(
                "{what}: still {value} after {WAIT:?} (the page's problem: {problem}; \
                 target/browser/failure.png shows the page)"
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn screenshot(client: &Client, folder: &Path, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(folder.join(format!("{name}.png")), png).unwrap();
}
