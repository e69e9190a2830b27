//! The paths: the page and its files, `/api/derive` and `/api/plot` (GET with a query
//! string, or POST with the same parameters as a form body), and JSON errors for the
//! rest. A request's size is checked before any work, and a server on loopback answers
//! only requests addressed to loopback (a web page elsewhere cannot reach it through a
//! name that resolves here).

use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::answer::{Reply, answer};
use super::gate::Gate;
use super::page::{CONTENT_SECURITY_POLICY, INDEX, SCRIPT, STYLE};
use super::query::Endpoint;

/// The most of an oversized body read and thrown away before answering 413, so that the
/// client, still sending, reads the answer instead of a reset connection.
const MAX_DRAINED: usize = 64 << 20;

/// What every request shares.
pub(super) struct Server {
    /// The workers.
    pub gate: Gate,
    /// The server's limits as the CLI's arguments (`--timeout=10`, ...).
    pub limits: Vec<String>,
    /// The longest query string or body.
    pub max_request: usize,
    /// The port, for the host check.
    pub port: u16,
    /// Whether the server listens on loopback only.
    pub loopback_only: bool,
}

/// The paths.
pub(super) fn router(server: Arc<Server>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/app.js", get(script))
        .route("/style.css", get(style))
        .route("/api/derive", get(derive_get).post(derive_post))
        .route("/api/plot", get(plot_get).post(plot_post))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(server.clone(), check_host))
        .with_state(server)
}

/// Refuses (421) a request whose `Host` is not loopback, when serving loopback only.
async fn check_host(State(server): State<Arc<Server>>, request: Request, next: Next) -> Response {
    if server.loopback_only {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if !is_loopback_host(host, server.port) {
            return respond(Reply::problem(
                421,
                &format!(
                    "this server answers requests to 127.0.0.1:{0} or localhost:{0} only, \
                     not to `{host}`",
                    server.port
                ),
            ));
        }
    }
    next.run(request).await
}

/// Whether `host` (a `Host` header) names this machine's loopback, at `port` if it has
/// one.
fn is_loopback_host(host: &str, port: u16) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, p)) if !p.contains(']') => match p.parse() == Ok(port) {
            true => name,
            false => return false,
        },
        _ => host,
    };
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

/// One of the page's files.
fn asset(content_type: &'static str, text: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        text,
    )
        .into_response()
}

async fn derive_get(State(server): State<Arc<Server>>, uri: Uri) -> Response {
    from_query(server, Endpoint::Derive, uri).await
}

async fn plot_get(State(server): State<Arc<Server>>, uri: Uri) -> Response {
    from_query(server, Endpoint::Plot, uri).await
}

async fn derive_post(
    State(server): State<Arc<Server>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    from_body(server, Endpoint::Derive, &headers, body).await
}

async fn plot_post(State(server): State<Arc<Server>>, headers: HeaderMap, body: Body) -> Response {
    from_body(server, Endpoint::Plot, &headers, body).await
}

/// A GET request: the parameters are the query string.
async fn from_query(server: Arc<Server>, endpoint: Endpoint, uri: Uri) -> Response {
    let query = uri.query().unwrap_or("");
    if query.len() > server.max_request {
        return respond(too_large(query.len(), server.max_request));
    }
    compute(server, endpoint, query.as_bytes().to_vec()).await
}

/// A POST request: the parameters are the body, as a form (or plain text) encodes them.
async fn from_body(
    server: Arc<Server>,
    endpoint: Endpoint,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .map(HeaderValue::as_bytes)
        .map(|t| {
            t.split(|&b| b == b';')
                .next()
                .unwrap_or_default()
                .trim_ascii()
        })
        .is_none_or(|t| {
            t.eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
                || t.eq_ignore_ascii_case(b"text/plain")
        });
    if !form {
        drain(body).await;
        return respond(Reply::problem(
            415,
            "the body is read as a form: send it as application/x-www-form-urlencoded",
        ));
    }
    match read_body(body, server.max_request).await {
        Ok(query) => compute(server, endpoint, query).await,
        Err(reply) => respond(reply),
    }
}

/// The request computed on a worker.
async fn compute(server: Arc<Server>, endpoint: Endpoint, query: Vec<u8>) -> Response {
    let worker = server.clone();
    let reply = server
        .gate
        .run(move || answer(endpoint, &query, &worker.limits))
        .await;
    respond(reply)
}

/// The body, at most `max` bytes; a longer one is read on (up to [`MAX_DRAINED`]) and
/// thrown away, and the answer is 413.
async fn read_body(mut body: Body, max: usize) -> Result<Vec<u8>, Reply> {
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(frame) = frame else {
            return Err(Reply::problem(400, "the body could not be read"));
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen = seen.saturating_add(data.len());
        if seen <= max {
            bytes.extend_from_slice(&data);
        } else if seen > MAX_DRAINED {
            break;
        }
    }
    if seen > max {
        return Err(too_large(seen, max));
    }
    Ok(bytes)
}

/// Reads what is left of a body and throws it away (at most [`MAX_DRAINED`] bytes).
async fn drain(body: Body) {
    let _ = read_body(body, 0).await;
}

/// The 413 answer.
fn too_large(size: usize, max: usize) -> Reply {
    Reply::problem(
        413,
        &format!(
            "the request's parameters are {size} bytes{}, more than the limit of {max} bytes",
            if size > MAX_DRAINED { " or more" } else { "" }
        ),
    )
}

async fn not_found(uri: Uri) -> Response {
    respond(Reply::problem(
        404,
        &format!(
            "nothing is at {}: the page is at /, the API at /api/derive and /api/plot",
            uri.path()
        ),
    ))
}

async fn method_not_allowed() -> Response {
    respond(Reply::problem(
        405,
        "the API answers GET (parameters in the query string) and POST (a form body)",
    ))
}

/// An answer as an HTTP response.
fn respond(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [
            (header::CONTENT_TYPE, reply.content_type),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        reply.body,
    )
        .into_response()
}
