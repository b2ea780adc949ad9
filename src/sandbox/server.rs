//! The HTTP side of the emulator: one axum fallback handler that authenticates, validates
//! `Intercom-Version`, rate-limits, injects faults, routes to the endpoint modules, persists
//! writes and logs every request. [`start`] runs it on the current tokio runtime.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::error::ApiError;
use super::faults::{Fate, Injector};
use super::options::{Faults, RateLimit, SandboxOptions};
use super::rate_limit::Limiter;
use super::store::{ArticleStats, Env, Store, path_id};
use super::{admins, ai_content, articles, collections, help_centers, persist};

/// Versions accepted in `Intercom-Version` (the 2.12 spec's enum); the API served is 2.12.
const VERSIONS: [&str; 18] = [
    "1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7",
    "2.8", "2.9", "2.10", "2.11", "2.12",
];
const MAX_BODY: usize = 16 * 1024 * 1024;

/// One request as the emulator saw it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    /// Raw query string (without `?`), empty when none.
    pub query: String,
    /// Status sent (for a lost response: the status it would have had).
    pub status: u16,
    /// The write was applied but no response was sent.
    pub lost: bool,
}

struct Data {
    store: Store,
    rng: fastrand::Rng,
    /// The data file, written in the same critical section as the store it mirrors.
    database: Option<persist::Database>,
    /// Article id → views, conversations, reactions (seeded by `PUT /_sandbox/statistics`).
    statistics: BTreeMap<u64, ArticleStats>,
}

struct Shared {
    options: SandboxOptions,
    data: Mutex<Data>,
    limiter: Mutex<Limiter>,
    injector: Mutex<Injector>,
    log: Mutex<Vec<LoggedRequest>>,
    count: AtomicU64,
    /// The JSON state file migrated into the database at start, if any.
    migrated_from: Option<std::path::PathBuf>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running emulator.
pub struct SandboxHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

/// Binds `addr` (port 0 picks a free one), loads the state file if any, and serves on the
/// current tokio runtime until [`SandboxHandle::shutdown`].
pub async fn start(options: SandboxOptions, addr: SocketAddr) -> std::io::Result<SandboxHandle> {
    let (store, database, migrated_from) = match &options.state_file {
        Some(path) => {
            let opened = persist::open(path)?;
            (opened.store, Some(opened.database), opened.migrated_from)
        }
        None => (Store::default(), None, None),
    };
    let shared = Arc::new(Shared {
        data: Mutex::new(Data {
            store,
            rng: fastrand::Rng::with_seed(options.faults.seed ^ 0x5eed),
            database,
            statistics: BTreeMap::new(),
        }),
        limiter: Mutex::new(Limiter::new(options.rate_limit)),
        injector: Mutex::new(Injector::new(options.faults)),
        log: Mutex::new(Vec::new()),
        count: AtomicU64::new(0),
        migrated_from,
        options,
    });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let listener = listener.tap_io(|tcp| {
        // The emulator must add no latency of its own (Nagle + delayed ACK would).
        let _ = tcp.set_nodelay(true);
    });
    let app = Router::new()
        .fallback(entry)
        .with_state(Arc::clone(&shared));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(SandboxHandle {
        addr,
        shared,
        stop: Some(stop),
        task,
    })
}

impl SandboxHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The JSON state file migrated into the database when this emulator started, if any.
    pub fn migrated_from(&self) -> Option<&std::path::Path> {
        self.shared.migrated_from.as_deref()
    }

    /// Requests received so far (control endpoints excluded).
    pub fn request_count(&self) -> u64 {
        self.shared.count.load(Ordering::Relaxed)
    }

    /// The request log (control endpoints excluded).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Replaces the fault settings (and reseeds).
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.shared.injector) = Injector::new(faults);
    }

    /// Replaces the rate limit and starts a fresh window.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        lock(&self.shared.limiter).set(limit);
    }

    /// The stored data as JSON (the state file's content).
    pub fn snapshot(&self) -> Value {
        serde_json::to_value(&lock(&self.shared.data).store).unwrap_or(Value::Null)
    }

    /// Stops serving (every write is already in the data file).
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let abort = self.task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(2), &mut self.task)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}

fn request_id() -> String {
    let n = fastrand::u128(..);
    let hex = format!("{n:032x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

fn error_response(error: &ApiError) -> Response {
    json_response(error.status, &error.body(&request_id()))
}

fn authorized(options: &SandboxOptions, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
    else {
        return false;
    };
    let token = token.trim();
    match &options.token {
        Some(expected) => token == expected,
        None => !token.is_empty(),
    }
}

/// Whether the `Accept` header allows a JSON answer (a missing header does not).
fn accepts_json(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT).iter().any(|value| {
        value.to_str().is_ok_and(|v| {
            v.split(',').any(|range| {
                let media = range.split(';').next().unwrap_or_default().trim();
                matches!(media, "*/*" | "application/*" | "application/json")
            })
        })
    })
}

fn parse_query(query: &str) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// A response whose body fails before the first byte: hyper drops the connection without
/// sending anything, so the client sees a transport error.
fn lost_response() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("sandbox: response lost on purpose"))
    });
    Response::new(Body::from_stream(stream))
}

async fn entry(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    if !authorized(&shared.options, &parts.headers) {
        let response = error_response(&ApiError::unauthorized());
        record(&shared, &parts.method, &path, &query, 401, false);
        return response;
    }
    if let Some(rest) = path.strip_prefix("/_sandbox/") {
        let bytes = axum::body::to_bytes(body, MAX_BODY)
            .await
            .unwrap_or_default();
        return control(&shared, &parts.method, rest, &bytes);
    }
    let decision = lock(&shared.limiter).check();
    let (status, mut response, lost) = handle(&shared, &parts, &path, &query, body, decision).await;
    if let Some(d) = decision {
        let headers = response.headers_mut();
        headers.insert("x-ratelimit-limit", HeaderValue::from(d.limit));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(d.remaining));
        headers.insert("x-ratelimit-reset", HeaderValue::from(d.reset));
        if !d.allowed && shared.options.switches.retry_after_header {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(d.retry_after.max(1)));
        }
    }
    record(&shared, &parts.method, &path, &query, status, lost);
    if lost { lost_response() } else { response }
}

fn record(shared: &Shared, method: &Method, path: &str, query: &str, status: u16, lost: bool) {
    shared.count.fetch_add(1, Ordering::Relaxed);
    lock(&shared.log).push(LoggedRequest {
        method: method.to_string(),
        path: path.to_owned(),
        query: query.to_owned(),
        status,
        lost,
    });
}

async fn handle(
    shared: &Shared,
    parts: &axum::http::request::Parts,
    path: &str,
    query: &str,
    body: Body,
    decision: Option<super::rate_limit::Decision>,
) -> (u16, Response, bool) {
    if shared.options.switches.accept_406 && !accepts_json(&parts.headers) {
        let error = ApiError::new(
            406,
            "not_acceptable",
            "The Accept header must allow application/json",
        );
        return (406, error_response(&error), false);
    }
    if let Some(version) = parts.headers.get("intercom-version") {
        let version = version.to_str().unwrap_or_default().trim();
        if !VERSIONS.contains(&version) {
            let error = ApiError::new(
                400,
                "intercom_version_invalid",
                "The requested version could not be found",
            );
            return (400, error_response(&error), false);
        }
    }
    if let Some(d) = decision
        && !d.allowed
    {
        let error = ApiError::new(
            429,
            "rate_limit_exceeded",
            format!("Exceeded rate limit of {} in 10_seconds", d.limit),
        );
        return (429, error_response(&error), false);
    }
    let is_write = matches!(parts.method, Method::POST | Method::PUT | Method::DELETE);
    let (latency, fate) = {
        let mut injector = lock(&shared.injector);
        (injector.faults().latency, injector.decide(is_write))
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Fate::ServerError(status) = fate {
        let error = ApiError::new(status, "server_error", "Server Error");
        return (status, error_response(&error), false);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        let error = ApiError::new(400, "parameter_invalid", "Request body could not be read");
        return (400, error_response(&error), false);
    };
    let json_body = if bytes.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(value) => value,
            Err(e) => {
                let error = ApiError::new(
                    400,
                    "parameter_invalid",
                    format!("Request body is not valid JSON: {e}"),
                );
                return (400, error_response(&error), false);
            }
        }
    };
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let base_url = format!("http://{host}");
    let query = parse_query(query);
    let outcome = {
        let mut data = lock(&shared.data);
        let Data {
            store,
            rng,
            database,
            statistics,
        } = &mut *data;
        let mut env = Env {
            options: &shared.options,
            rng,
            base_url: &base_url,
            statistics,
        };
        let before =
            (is_write && database.is_some()).then(|| Before::of(store, &parts.method, path));
        let outcome = route(store, &mut env, &parts.method, path, &query, &json_body);
        match (outcome, before, database) {
            (Ok(value), Some(before), Some(database)) => {
                let changes = before.changes(store, &value);
                // A data file that cannot be written is reported as a server error.
                database
                    .write(store, &changes)
                    .map(|()| value)
                    .map_err(|e| {
                        ApiError::new(500, "server_error", format!("Sandbox data file: {e}"))
                    })
            }
            (outcome, _, _) => outcome,
        }
    };
    match outcome {
        // `null` is the 204 No Content answer (DELETE of a content import source).
        Ok(Value::Null) => (204, no_content(), fate == Fate::Lost),
        Ok(value) => (200, json_response(200, &value), fate == Fate::Lost),
        Err(error) => (error.status, error_response(&error), false),
    }
}

/// What a write needs to know afterwards to name the rows it touched.
struct Before {
    clock: i64,
    /// Every id, for a collection delete (whose cascade may remove articles and collections).
    ids: Option<(Vec<u64>, Vec<u64>)>,
    collection: bool,
    path_id: Option<u64>,
    /// `/ai/*`: whether the write is on a content import source and, for a source delete,
    /// the pages it held (deleted with it).
    ai: Option<(bool, Vec<u64>)>,
}

impl Before {
    fn of(store: &Store, method: &Method, path: &str) -> Self {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let collection = segments.first() == Some(&"help_center");
        let path_id = segments.last().and_then(|s| path_id(s).ok());
        let ids = (collection && *method == Method::DELETE).then(|| {
            (
                store.articles.keys().copied().collect(),
                store.collections.keys().copied().collect(),
            )
        });
        let ai = (segments.first() == Some(&"ai")).then(|| {
            let source = segments.get(1) == Some(&"content_import_sources");
            let pages = match path_id {
                Some(id) if source && *method == Method::DELETE => store
                    .pages
                    .values()
                    .filter(|p| p.source_id == id)
                    .map(|p| p.id)
                    .collect(),
                _ => Vec::new(),
            };
            (source, pages)
        });
        Self {
            clock: store.clock,
            ids,
            collection,
            path_id,
            ai,
        }
    }

    /// An article write touches its own article; a collection write its collection, the
    /// collections stamped since (a detach re-parents siblings) and, for a delete, whatever
    /// the cascade removed or detached.
    fn changes(self, store: &Store, response: &Value) -> persist::Changes {
        let mut changes = persist::Changes::default();
        let id = self.path_id.or_else(|| {
            response
                .get("id")
                .and_then(|id| id.as_str().map_or_else(|| id.as_u64(), |s| s.parse().ok()))
        });
        if let Some((source, pages)) = self.ai {
            if source {
                changes.sources.extend(id);
                changes.pages.extend(pages);
            } else {
                changes.pages.extend(id);
            }
            return changes;
        }
        if !self.collection {
            changes.articles.extend(id);
            return changes;
        }
        changes.collections.extend(id);
        changes.collections.extend(
            store
                .collections
                .values()
                .filter(|c| c.updated_at > self.clock)
                .map(|c| c.id),
        );
        if let Some((articles, collections)) = self.ids {
            changes.articles.extend(articles.into_iter().filter(|a| {
                store
                    .articles
                    .get(a)
                    .is_none_or(|a| a.updated_at > self.clock)
            }));
            changes.collections.extend(
                collections
                    .into_iter()
                    .filter(|c| !store.collections.contains_key(c)),
            );
        }
        changes
    }
}

fn route(
    store: &mut Store,
    env: &mut Env<'_>,
    method: &Method,
    path: &str,
    query: &BTreeMap<String, String>,
    body: &Value,
) -> Result<Value, ApiError> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::GET, ["me"]) => admins::me(store, env),
        (&Method::GET, ["admins"]) => Ok(admins::list(env, query)),
        (&Method::GET, ["admins", id]) => {
            path_id(id)?;
            admins::retrieve(env, id)
        }
        (&Method::GET, ["help_center", "help_centers"]) => Ok(help_centers::list(store, env)),
        (&Method::GET, ["help_center", "help_centers", id]) => {
            help_centers::retrieve(store, env, path_id(id)?)
        }
        (&Method::GET, ["help_center", "collections"]) => Ok(collections::list(store, env, query)),
        (&Method::POST, ["help_center", "collections"]) => collections::create(store, env, body),
        (&Method::GET, ["help_center", "collections", id]) => {
            collections::retrieve(store, env, path_id(id)?)
        }
        (&Method::PUT, ["help_center", "collections", id]) => {
            collections::update(store, env, path_id(id)?, body)
        }
        (&Method::DELETE, ["help_center", "collections", id]) => {
            collections::delete(store, env, path_id(id)?)
        }
        (&Method::GET, ["articles"]) => Ok(articles::list(store, env, query)),
        (&Method::POST, ["articles"]) => articles::create(store, env, body),
        (&Method::GET, ["articles", "search"]) => articles::search(store, env, query),
        (&Method::GET, ["articles", id]) => articles::retrieve(store, env, path_id(id)?),
        (&Method::PUT, ["articles", id]) => articles::update(store, env, path_id(id)?, body),
        (&Method::DELETE, ["articles", id]) => articles::delete(store, path_id(id)?),
        (&Method::GET, ["ai", "content_import_sources"]) => {
            Ok(ai_content::list_sources(store, env, query))
        }
        (&Method::POST, ["ai", "content_import_sources"]) => ai_content::create_source(store, body),
        (&Method::GET, ["ai", "content_import_sources", id]) => {
            ai_content::retrieve_source(store, path_id(id)?)
        }
        (&Method::PUT, ["ai", "content_import_sources", id]) => {
            ai_content::update_source(store, path_id(id)?, body)
        }
        (&Method::DELETE, ["ai", "content_import_sources", id]) => {
            ai_content::delete_source(store, path_id(id)?)
        }
        (&Method::GET, ["ai", "external_pages"]) => Ok(ai_content::list_pages(store, env, query)),
        (&Method::POST, ["ai", "external_pages"]) => ai_content::upsert_page(store, env, body),
        (&Method::GET, ["ai", "external_pages", id]) => {
            ai_content::retrieve_page(store, path_id(id)?)
        }
        (&Method::PUT, ["ai", "external_pages", id]) => {
            ai_content::update_page(store, path_id(id)?, body)
        }
        (&Method::DELETE, ["ai", "external_pages", id]) => {
            ai_content::delete_page(store, path_id(id)?)
        }
        // Unknown paths, and unsupported methods on known ones, are 404 on Intercom.
        _ => Err(ApiError::not_found()),
    }
}

/// `/_sandbox/*`: the test-only control endpoints (not logged, not limited, no faults).
fn control(shared: &Shared, method: &Method, rest: &str, bytes: &[u8]) -> Response {
    let body: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => {
                return error_response(&ApiError::new(
                    400,
                    "parameter_invalid",
                    format!("Request body is not valid JSON: {e}"),
                ));
            }
        }
    };
    if let Some(response) = control_ai_content(shared, method, rest, &body) {
        return response;
    }
    match (method, rest) {
        (&Method::GET, "requests") => {
            let log = lock(&shared.log).clone();
            let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
            for r in &log {
                *by_status.entry(r.status.to_string()).or_default() += 1;
            }
            let lost = log.iter().filter(|r| r.lost).count();
            json_response(
                200,
                &json!({"total": shared.count.load(Ordering::Relaxed), "by_status": by_status,
                        "lost": lost, "requests": log}),
            )
        }
        (&Method::DELETE, "requests") => {
            lock(&shared.log).clear();
            shared.count.store(0, Ordering::Relaxed);
            json_response(200, &json!({"total": 0}))
        }
        (&Method::GET, "state") => {
            let value = serde_json::to_value(&lock(&shared.data).store).unwrap_or(Value::Null);
            json_response(200, &value)
        }
        (&Method::PUT, "faults") => {
            let current = lock(&shared.injector).faults();
            let number = |key: &str| body.get(key).and_then(Value::as_f64);
            let faults = Faults {
                latency: number("latency_ms").map_or(current.latency, |ms| {
                    Duration::from_secs_f64(ms.max(0.0) / 1000.0)
                }),
                server_error_rate: number("server_error_rate")
                    .map_or(current.server_error_rate, |r| r.clamp(0.0, 1.0)),
                lost_response_rate: number("lost_response_rate")
                    .map_or(current.lost_response_rate, |r| r.clamp(0.0, 1.0)),
                seed: body
                    .get("seed")
                    .and_then(Value::as_u64)
                    .unwrap_or(current.seed),
            };
            *lock(&shared.injector) = Injector::new(faults);
            json_response(200, &faults_json(faults))
        }
        (&Method::PUT, "statistics") => {
            // `{"<article id>": {"views": n, "conversations": n, "reactions": n}, …}`
            let Some(entries) = body.as_object() else {
                return error_response(&ApiError::new(
                    400,
                    "parameter_invalid",
                    "expected an object of article id → {views, conversations, reactions}",
                ));
            };
            let mut data = lock(&shared.data);
            for (id, value) in entries {
                let Ok(id) = id.parse::<u64>() else {
                    return error_response(&ApiError::new(
                        400,
                        "parameter_invalid",
                        format!("`{id}` is not an article id"),
                    ));
                };
                let count = |key: &str| value.get(key).and_then(Value::as_u64).unwrap_or(0);
                data.statistics.insert(
                    id,
                    ArticleStats {
                        views: count("views"),
                        conversations: count("conversations"),
                        reactions: count("reactions"),
                    },
                );
            }
            json_response(200, &json!({"articles": data.statistics.len()}))
        }
        (&Method::PUT, "rate_limit") => {
            let limit = body
                .get("limit")
                .and_then(Value::as_u64)
                .and_then(|l| u32::try_from(l).ok());
            let window = body
                .get("window_secs")
                .and_then(Value::as_f64)
                .unwrap_or(10.0);
            let limit = limit.map(|limit| RateLimit {
                limit,
                window: Duration::from_secs_f64(window.max(0.001)),
            });
            lock(&shared.limiter).set(limit);
            json_response(
                200,
                &limit.map_or(
                    Value::Null,
                    |l| json!({"limit": l.limit, "window_secs": l.window.as_secs_f64()}),
                ),
            )
        }
        _ => error_response(&ApiError::not_found()),
    }
}

/// `/_sandbox/content_import_sources` and `/_sandbox/external_pages[/{id}]`: sources and
/// pages made or edited "in the Intercom UI" (outside the tool), written to the data file like
/// any write, but not logged, limited or faulted.
fn control_ai_content(
    shared: &Shared,
    method: &Method,
    rest: &str,
    body: &Value,
) -> Option<Response> {
    let segments: Vec<&str> = rest.split('/').collect();
    let empty = json!({});
    let body = if body.is_null() { &empty } else { body };
    let mut data = lock(&shared.data);
    let Data {
        store,
        rng,
        database,
        statistics,
    } = &mut *data;
    let env = Env {
        options: &shared.options,
        rng,
        base_url: "",
        statistics,
    };
    let mut changes = persist::Changes::default();
    let outcome = match (method, segments.as_slice()) {
        (&Method::POST, ["content_import_sources"]) => ai_content::ui_create_source(store, body)
            .inspect(|v| {
                changes.sources.extend(v["id"].as_u64());
            }),
        (&Method::POST, ["external_pages"]) => ai_content::ui_upsert_page(store, &env, body)
            .inspect(|v| {
                changes
                    .pages
                    .extend(v["id"].as_str().and_then(|id| id.parse::<u64>().ok()));
            }),
        (&Method::PUT, ["external_pages", id]) => path_id(id).and_then(|id| {
            changes.pages.insert(id);
            ai_content::ui_edit_page(store, id, body)
        }),
        _ => return None,
    };
    let outcome = match (outcome, database) {
        (Ok(value), Some(database)) => database
            .write(store, &changes)
            .map(|()| value)
            .map_err(|e| ApiError::new(500, "server_error", format!("Sandbox data file: {e}"))),
        (outcome, _) => outcome,
    };
    Some(match outcome {
        Ok(value) => json_response(200, &value),
        Err(error) => error_response(&error),
    })
}

fn faults_json(faults: Faults) -> Value {
    json!({"latency_ms": faults.latency.as_secs_f64() * 1000.0,
           "server_error_rate": faults.server_error_rate,
           "lost_response_rate": faults.lost_response_rate,
           "seed": faults.seed})
}
