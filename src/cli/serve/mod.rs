//! `deriv serve`: the web page and its API on a local port. The page (HTML, CSS and
//! JavaScript) is built into the binary; the API answers as the command line does, each
//! request on a bounded pool of workers under the server's limits.
//!
//! The files, by role: `query` (a query string read strictly, into the CLI's
//! arguments), `answer` (one request computed as the command line computes it, errors as
//! JSON with their status), `gate` (the bounded pool of workers and its queue), `routes`
//! (the paths, the request's size and host checked) and `page` (the embedded files).

mod answer;
mod gate;
mod page;
mod query;
mod routes;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use super::args::parse_jobs;
use super::run::fail;
use crate::error::Error;
use gate::Gate;
use routes::{Server, router};

/// The port `deriv serve` listens on by default.
pub const DEFAULT_PORT: u16 = 8080;

/// The longest a request waits for a worker before the answer is 503 (busy).
const MAX_WAIT: Duration = Duration::from_secs(30);

/// `deriv serve`'s options: where to listen, the workers, and each request's limits.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeOptions {
    /// The port to listen on; 0 picks a free one. The page's address is printed.
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,

    /// The address to listen on. The default serves this machine only; any other address
    /// opens the page and its API to the network (a warning is printed).
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,

    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,

    /// Requests computed at once (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = parse_jobs)]
    pub workers: Option<usize>,

    /// Requests that may wait for a busy worker; past this, requests are answered 503
    /// (busy), as is a request that waits 30 seconds.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub queue: usize,

    /// Stop working on one request after this many seconds (504).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub timeout: f64,

    /// Refuse an expression nested deeper than this (413).
    #[arg(long, value_name = "LEVELS", default_value_t = 10_000)]
    pub max_depth: usize,

    /// Refuse a result longer than this many bytes (413).
    #[arg(long, value_name = "BYTES", default_value_t = 1_000_000)]
    pub max_output: u64,

    /// Stop when one request's expressions grow past this many operands (413).
    #[arg(long, value_name = "OPERANDS", default_value_t = 20_000_000)]
    pub max_size: usize,

    /// Refuse a query string or a body longer than this many bytes (413).
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_request: usize,
}

/// Runs the server until Ctrl-C (or SIGTERM) and returns the exit code: 2 when it cannot
/// start (the port in use, a bad option).
pub fn run_serve(options: &ServeOptions) -> u8 {
    if !(options.timeout.is_finite() && options.timeout > 0.0) {
        return fail(&usage(format!(
            "--timeout {}: the time limit is a positive number of seconds",
            options.timeout
        )));
    }
    let workers = options
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, std::num::NonZero::get));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(workers + 2)
        // The computations run on these threads: as much stack as the main thread's.
        .thread_stack_size(8 << 20)
        .enable_all()
        .build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(source) => {
            return fail(&Error::Io {
                context: "cannot start the server".into(),
                source,
            });
        }
    };
    runtime.block_on(serve(options, workers))
}

/// Binds, prints the address, and serves until a shutdown signal.
async fn serve(options: &ServeOptions, workers: usize) -> u8 {
    let address = SocketAddr::new(options.bind, options.port);
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(source) => {
            let help = match source.kind() {
                std::io::ErrorKind::AddrInUse => {
                    "choose another port with --port, or --port 0 for a free one"
                }
                _ => "choose another address with --bind, or another port with --port",
            };
            return fail(&Error::Usage {
                message: format!("cannot listen on {address}: {source}"),
                help: Some(help.into()),
            });
        }
    };
    let local = listener.local_addr().unwrap_or(address);
    if !options.bind.is_loopback() {
        super::color::report(&format!(
            "warning: listening on {local}: the page and its API are open to every machine \
             that can reach this one, with no authentication\n  = help: leave out --bind to \
             serve this machine only\n"
        ));
    }
    let url = match local.ip() {
        IpAddr::V6(ip) => format!("http://[{ip}]:{}/", local.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}/", local.port()),
    };
    let mut stdout = std::io::stdout();
    // The address, for people and for scripts (`--port 0`): its own line.
    let _ = writeln!(stdout, "deriv: serving {url} (Ctrl-C stops)");
    let _ = stdout.flush();
    if options.open
        && let Err(error) = opener::open_browser(&url)
    {
        super::color::report(&format!(
            "warning: cannot open a browser: {error}\n  = help: open {url} yourself\n"
        ));
    }
    let server = Arc::new(Server {
        gate: Gate::new(workers, options.queue, MAX_WAIT),
        limits: vec![
            format!("--timeout={}", options.timeout),
            format!("--max-depth={}", options.max_depth),
            format!("--max-output={}", options.max_output),
            format!("--max-size={}", options.max_size),
        ],
        max_request: options.max_request,
        port: local.port(),
        loopback_only: options.bind.is_loopback(),
    });
    let served = axum::serve(listener, router(server))
        .with_graceful_shutdown(shutdown())
        .await;
    match served {
        Ok(()) => 0,
        Err(source) => fail(&Error::Io {
            context: "the server stopped".into(),
            source,
        }),
    }
}

/// Resolves at Ctrl-C or SIGTERM.
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

fn usage(message: String) -> Error {
    Error::Usage {
        message,
        help: None,
    }
}
