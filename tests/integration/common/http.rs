//! `deriv serve` started for a test, and a minimal HTTP/1.1 client on loopback: enough to
//! send exact bytes (malformed ones included) and read the status, headers and body.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The binary to serve with: `DERIV_BIN` (a release build, for the load test's figures),
/// or the one cargo built for the tests.
pub fn binary() -> String {
    std::env::var("DERIV_BIN").unwrap_or_else(|_| super::command::DERIV.to_string())
}

/// A running server, killed when dropped.
pub struct Served {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Served {
    /// Starts `deriv serve --port 0 ARGS` and reads its address from the first line it
    /// prints.
    pub fn start(args: &[&str]) -> Served {
        let mut child = Command::new(binary())
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start deriv serve");
        let stdout = child.stdout.take().expect("stdout");
        // Read on another thread, so that a server that never prints fails the test.
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = send.send(line);
        });
        let Ok(line) = receive.recv_timeout(Duration::from_secs(10)) else {
            let _ = child.kill();
            panic!("deriv serve printed no address within 10 s");
        };
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("an address");
        Served { child, addr }
    }

    /// `GET target` on a new connection.
    pub fn get(&self, target: &str) -> Response {
        let addr = self.addr;
        let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        send_to(addr, request.as_bytes())
    }

    /// `POST target` with a form body (`application/x-www-form-urlencoded`), as the page
    /// sends one, on a new connection.
    pub fn post_form(&self, target: &str, body: &[u8]) -> Response {
        self.post(target, "application/x-www-form-urlencoded", body)
    }

    /// `POST target` with a body, on a new connection.
    pub fn post(&self, target: &str, content_type: &str, body: &[u8]) -> Response {
        let mut request = format!(
            "POST {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: \
             {content_type}\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        self.send(&request)
    }

    /// Sends exact bytes on a new connection and reads the one response (the server
    /// closes the connection after it). A write the server cut short is not an error:
    /// its answer is still read.
    pub fn send(&self, request: &[u8]) -> Response {
        send_to(self.addr, request)
    }

    /// A connection kept alive for many requests.
    pub fn connect(&self) -> Connection {
        let stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        Connection {
            reader: BufReader::new(stream),
            host: self.addr.to_string(),
        }
    }

    /// The server's peak resident memory so far, in KiB (Linux's `VmHWM`).
    pub fn peak_memory_kib(&self) -> Option<u64> {
        super::command::peak_memory_kib(self.child.id())
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stops the server with SIGTERM and returns its exit code and standard error.
    pub fn stop(mut self) -> (Option<i32>, String) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().expect("wait");
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        (status.code(), stderr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A kept-alive connection.
pub struct Connection {
    reader: BufReader<TcpStream>,
    host: String,
}

impl Connection {
    /// `GET target` on this connection.
    pub fn get(&mut self, target: &str) -> std::io::Result<Response> {
        let request = format!("GET {target} HTTP/1.1\r\nHost: {}\r\n\r\n", self.host);
        self.reader.get_mut().write_all(request.as_bytes())?;
        read_response(&mut self.reader)
    }
}

/// A response.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends exact bytes to `addr` on a new connection and reads the one response.
fn send_to(addr: SocketAddr, request: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    // Not half-closed: hyper drops a connection whose reading side has ended.
    let _ = stream.write_all(request);
    let mut reader = BufReader::new(stream);
    read_response(&mut reader).expect("a response")
}

/// Reads one response: the status line, the headers, and a body of `Content-Length`
/// bytes (or, without one, up to the end of the connection).
fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<Response> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the connection closed before a response",
        ));
    }
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let mut body = Vec::new();
    match length {
        Some(length) => {
            body.resize(length, 0);
            reader.read_exact(&mut body)?;
        }
        None => {
            reader.read_to_end(&mut body)?;
        }
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}
