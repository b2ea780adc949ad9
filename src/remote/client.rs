//! The Intercom client: typed calls over one shared HTTP connection pool, with bounded
//! concurrency, rate-limit pacing, retries and page-numbered listing.
//!
//! Every call goes through [`Client::call`]: acquire a concurrency permit, wait for a pacing
//! slot, send, read the whole body, feed the rate-limit headers back to the pacer, then let
//! [`retry::decide`] say whether to accept, retry or fail.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use super::config::{ClientConfig, RequestEvent, RequestObserver, validate_base_url};
use super::error::{ErrorKind, Redactor, RemoteError, api_error, describe_transport};
use super::models::{
    Admin, Article, Collection, CreateArticle, CreateCollection, Deleted, HelpCenter,
    UpdateArticle, UpdateCollection,
};
use super::pagination::{PER_PAGE, next_page, sized_page_path};
use super::rate_limit::{Pacer, RateHeaders};
use super::retry::{self, Attempt, CallState, Decision};

/// The API version this client speaks.
pub const INTERCOM_VERSION: &str = "2.12";

/// A client for one Intercom workspace. Cheap to clone; clones share the connection pool,
/// the concurrency limit, the rate-limit pacer and the request counter.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: String,
    auth: HeaderValue,
    /// Removes the token from everything the server sends back.
    redactor: Redactor,
    max_retries: u32,
    backoff_base: Duration,
    backoff_max: Duration,
    on_request: Option<RequestObserver>,
    permits: Semaphore,
    pacer: Pacer,
    sent: AtomicU64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base)
            .field("requests", &self.request_count())
            .finish_non_exhaustive()
    }
}

/// A successful (or accepted) response.
struct Reply {
    status: u16,
    body: Vec<u8>,
}

/// `GET /admins`.
#[derive(Deserialize)]
struct AdminList {
    #[serde(default)]
    admins: Vec<Admin>,
}

/// Any list envelope: `data` items are parsed one by one for precise errors, each straight
/// from its bytes in the response (borrowed, not copied through a `serde_json::Value`).
#[derive(Deserialize)]
struct ListEnvelope<'a> {
    #[serde(default, borrow)]
    data: Vec<&'a serde_json::value::RawValue>,
    #[serde(default)]
    pages: Option<serde_json::Value>,
}

/// Objects listed page by page, deduplicated by id (a write during listing can shift an item
/// onto the next page too).
trait Listed: DeserializeOwned {
    fn id(&self) -> &str;
}

impl Listed for Article {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Listed for Collection {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Listed for HelpCenter {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Client {
    /// Builds a client. Refuses plain `http` except for loopback hosts, other schemes, an
    /// empty token and a zero concurrency.
    pub fn new(config: ClientConfig) -> Result<Client, RemoteError> {
        let base = validate_base_url(&config.base_url)?;
        if config.token.secret().trim().is_empty() {
            return Err(RemoteError::config("the access token is empty"));
        }
        if config.max_concurrency == 0 {
            return Err(RemoteError::config("max_concurrency must be at least 1"));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.token.secret().trim()))
            .map_err(|_| {
            RemoteError::config(
                "the access token contains characters not allowed in an HTTP header",
            )
        })?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(
            "Intercom-Version",
            HeaderValue::from_static(INTERCOM_VERSION),
        );
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(config.user_agent.clone())
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            // A redirect could carry the token elsewhere; the API never redirects.
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .pool_max_idle_per_host(config.max_concurrency)
            .build()
            .map_err(|e| {
                RemoteError::config(format!(
                    "cannot build the HTTP client: {}",
                    describe_transport(&e)
                ))
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                auth,
                redactor: Redactor::new(config.token.secret()),
                max_retries: config.max_retries,
                backoff_base: config.backoff_base,
                backoff_max: config.backoff_max,
                on_request: config.on_request,
                permits: Semaphore::new(config.max_concurrency),
                pacer: Pacer::default(),
                sent: AtomicU64::new(0),
            }),
        })
    }

    /// The base URL requests go to (without a trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// HTTP requests attempted so far, retries included.
    pub fn request_count(&self) -> u64 {
        self.inner.sent.load(Ordering::Relaxed)
    }

    /// `GET /me`: the admin owning the token.
    pub async fn me(&self) -> Result<Admin, RemoteError> {
        self.get_json("/me").await
    }

    /// `GET /admins`: every admin of the workspace (not paginated).
    pub async fn list_admins(&self) -> Result<Vec<Admin>, RemoteError> {
        Ok(self.get_json::<AdminList>("/admins").await?.admins)
    }

    /// `GET /help_center/help_centers`, all pages.
    pub async fn list_help_centers(&self) -> Result<Vec<HelpCenter>, RemoteError> {
        self.list_all("/help_center/help_centers").await
    }

    /// `GET /help_center/collections`, all pages, all help centers.
    pub async fn list_collections(&self) -> Result<Vec<Collection>, RemoteError> {
        self.list_all("/help_center/collections").await
    }

    /// `GET /articles`, all pages.
    pub async fn list_articles(&self) -> Result<Vec<Article>, RemoteError> {
        self.list_all("/articles").await
    }

    /// `GET /articles/{id}`; `None` when it does not exist.
    pub async fn get_article(&self, id: &str) -> Result<Option<Article>, RemoteError> {
        let path = object_path(&Method::GET, "/articles", "article", id)?;
        not_found_as_none(self.get_json(&path).await)
    }

    /// `GET /help_center/collections/{id}`; `None` when it does not exist.
    pub async fn get_collection(&self, id: &str) -> Result<Option<Collection>, RemoteError> {
        let path = object_path(&Method::GET, "/help_center/collections", "collection", id)?;
        not_found_as_none(self.get_json(&path).await)
    }

    /// `POST /articles`; returns the article as created. A lost response is
    /// [`ErrorKind::OutcomeUnknown`]: the request is never sent twice.
    pub async fn create_article(&self, req: &CreateArticle) -> Result<Article, RemoteError> {
        self.write_json(Method::POST, "/articles".to_owned(), req)
            .await
    }

    /// `PUT /articles/{id}`; returns the article as updated.
    pub async fn update_article(
        &self,
        id: &str,
        req: &UpdateArticle,
    ) -> Result<Article, RemoteError> {
        let path = object_path(&Method::PUT, "/articles", "article", id)?;
        self.write_json(Method::PUT, path, req).await
    }

    /// `DELETE /articles/{id}`.
    pub async fn delete_article(&self, id: &str) -> Result<(), RemoteError> {
        let path = object_path(&Method::DELETE, "/articles", "article", id)?;
        self.delete(path).await
    }

    /// `POST /help_center/collections`; returns the collection as created.
    pub async fn create_collection(
        &self,
        req: &CreateCollection,
    ) -> Result<Collection, RemoteError> {
        self.write_json(Method::POST, "/help_center/collections".to_owned(), req)
            .await
    }

    /// `PUT /help_center/collections/{id}`; returns the collection as updated.
    pub async fn update_collection(
        &self,
        id: &str,
        req: &UpdateCollection,
    ) -> Result<Collection, RemoteError> {
        let path = object_path(&Method::PUT, "/help_center/collections", "collection", id)?;
        self.write_json(Method::PUT, path, req).await
    }

    /// `DELETE /help_center/collections/{id}`.
    pub async fn delete_collection(&self, id: &str) -> Result<(), RemoteError> {
        let path = object_path(
            &Method::DELETE,
            "/help_center/collections",
            "collection",
            id,
        )?;
        self.delete(path).await
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, RemoteError> {
        let reply = self.call(Method::GET, path, None).await?;
        self.decode(&Method::GET, path, &reply.body)
    }

    async fn write_json<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: String,
        body: &B,
    ) -> Result<T, RemoteError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            RemoteError::new(
                method_name(&method),
                &path,
                ErrorKind::Config(format!("cannot encode the request: {e}")),
            )
        })?;
        let reply = self.call(method.clone(), &path, Some(bytes)).await?;
        self.decode(&method, &path, &reply.body).map_err(|err| {
            if method == Method::POST {
                // The create went through (2xx) but we cannot tell what was created.
                RemoteError::new(
                    method_name(&method),
                    &path,
                    ErrorKind::OutcomeUnknown(format!(
                        "the response could not be read: {}",
                        err.kind
                    )),
                )
            } else {
                err
            }
        })
    }

    async fn delete(&self, path: String) -> Result<(), RemoteError> {
        let reply = self.call(Method::DELETE, &path, None).await?;
        if reply.status == 404 || reply.body.iter().all(u8::is_ascii_whitespace) {
            // 404 here means an earlier attempt of this call deleted it (see `retry`).
            return Ok(());
        }
        let deleted: Deleted = self.decode(&Method::DELETE, &path, &reply.body)?;
        if deleted.deleted {
            Ok(())
        } else {
            Err(RemoteError::new(
                "DELETE",
                &path,
                ErrorKind::Decode(
                    "the response does not confirm the deletion (`deleted` is not true)".into(),
                ),
            ))
        }
    }

    async fn list_all<T: Listed>(&self, endpoint: &str) -> Result<Vec<T>, RemoteError> {
        self.list_all_by(endpoint, PER_PAGE).await
    }

    /// Every page of `endpoint`, asking for `per_page` items a page.
    async fn list_all_by<T: Listed>(
        &self,
        endpoint: &str,
        per_page: u32,
    ) -> Result<Vec<T>, RemoteError> {
        let mut page = 1;
        let mut out: Vec<T> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        loop {
            let path = sized_page_path(endpoint, per_page, page);
            let reply = self.call(Method::GET, &path, None).await?;
            let envelope: ListEnvelope<'_> = self.decode(&Method::GET, &path, &reply.body)?;
            let count = envelope.data.len();
            for (index, item) in envelope.data.into_iter().enumerate() {
                let item: T = serde_json::from_str(item.get()).map_err(|e| {
                    // The position is within the item's own text: not worth showing.
                    let text = e.to_string();
                    let at = format!(" at line {} column {}", e.line(), e.column());
                    let what = text.strip_suffix(&at).unwrap_or(&text);
                    let message = format!("item {index} of `data`: {what}");
                    RemoteError::new("GET", &path, ErrorKind::Decode(self.redacted(&message)))
                })?;
                if seen.insert(item.id().to_owned()) {
                    out.push(item);
                }
            }
            match next_page(page, envelope.pages.as_ref(), count) {
                Ok(Some(next)) => page = next,
                Ok(None) => return Ok(out),
                Err(message) => {
                    return Err(RemoteError::new("GET", &path, ErrorKind::Decode(message)));
                }
            }
        }
    }

    /// Sends one call with pacing and retries; returns the accepted response.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Reply, RemoteError> {
        let idempotent = retry::idempotent(&method);
        self.call_as(method, path, body, idempotent).await
    }

    /// [`Client::call`] for a call that may be sent again after a lost response or a `5xx`
    /// when `idempotent`, whatever its method (see [`retry::decide_as`]).
    async fn call_as(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        idempotent: bool,
    ) -> Result<Reply, RemoteError> {
        let inner = &*self.inner;
        let url = format!("{}{}", inner.base, path);
        let mut state = CallState::default();
        let mut rng = fastrand::Rng::new();
        let mut attempt_no = 0;
        loop {
            attempt_no += 1;
            let started = Instant::now();
            let outcome = self.attempt(&method, &url, body.as_deref()).await;
            let elapsed = started.elapsed();
            let decision = retry::decide_as(
                &method,
                idempotent,
                outcome.attempt(),
                &mut state,
                inner.max_retries,
            );
            let retry_in = match (decision, &outcome) {
                (Decision::Retry, _) => Some(retry::backoff(
                    state.failures,
                    inner.backoff_base,
                    inner.backoff_max,
                    &mut rng,
                )),
                (Decision::RetryRateLimited, Outcome::Response { rate, .. }) => {
                    Some(inner.pacer.rate_limited(rate))
                }
                _ => None,
            };
            self.emit(&method, path, attempt_no, &outcome, elapsed, retry_in);
            let kind = match (decision, outcome) {
                (Decision::Accept, Outcome::Response { status, body, .. }) => {
                    return Ok(Reply { status, body });
                }
                (Decision::Retry, _) => {
                    tokio::time::sleep(retry_in.unwrap_or_default()).await;
                    continue;
                }
                // The pacer holds every sender until the wait is over.
                (Decision::RetryRateLimited, _) => continue,
                (Decision::Unknown, Outcome::Response { status, .. }) => {
                    ErrorKind::OutcomeUnknown(format!("the server answered {status}"))
                }
                (Decision::Unknown, Outcome::Lost { message, .. }) => {
                    ErrorKind::OutcomeUnknown(message)
                }
                (_, Outcome::Response { status, body, .. }) => api_error(status, &body),
                (_, Outcome::Lost { timeout: true, .. }) => ErrorKind::Timeout,
                (_, Outcome::Lost { message, .. }) => ErrorKind::Network(message),
            };
            return Err(RemoteError::new(
                method_name(&method),
                path,
                inner.redactor.kind(kind),
            ));
        }
    }

    /// Parses a (redacted) response body; the error text is redacted too, in case the body
    /// held the token in an escaped form.
    fn decode<'b, T: Deserialize<'b>>(
        &self,
        method: &Method,
        path: &str,
        body: &'b [u8],
    ) -> Result<T, RemoteError> {
        serde_json::from_slice(body).map_err(|e| {
            let kind = ErrorKind::Decode(self.redacted(&e.to_string()));
            RemoteError::new(method_name(method), path, kind)
        })
    }

    fn redacted(&self, text: &str) -> String {
        self.inner.redactor.text(text).into_owned()
    }

    /// One HTTP attempt: a concurrency permit, a pacing slot, the request and the whole body.
    async fn attempt(&self, method: &Method, url: &str, body: Option<&[u8]>) -> Outcome {
        let inner = &*self.inner;
        let _permit = inner
            .permits
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let slot = inner.pacer.acquire().await;
        inner.sent.fetch_add(1, Ordering::Relaxed);
        let mut request = inner
            .http
            .request(method.clone(), url)
            .header(AUTHORIZATION, inner.auth.clone());
        if let Some(bytes) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.to_vec());
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let rate = RateHeaders::from_headers(response.headers());
                let read = response.bytes().await;
                slot.finish(Some(&rate));
                match read {
                    Ok(bytes) => Outcome::Response {
                        status,
                        rate,
                        body: inner.redactor.bytes(bytes.to_vec()),
                    },
                    Err(e) => Outcome::Lost {
                        status: Some(status),
                        sent: true,
                        timeout: e.is_timeout(),
                        message: self.redacted(&describe_transport(&e)),
                    },
                }
            }
            Err(e) => {
                slot.finish(None);
                Outcome::Lost {
                    status: None,
                    // A connection that could not be opened carried nothing.
                    sent: !e.is_connect(),
                    timeout: e.is_timeout(),
                    message: self.redacted(&describe_transport(&e)),
                }
            }
        }
    }

    fn emit(
        &self,
        method: &Method,
        path: &str,
        attempt: u32,
        outcome: &Outcome,
        elapsed: Duration,
        retry_in: Option<Duration>,
    ) {
        let Some(observer) = &self.inner.on_request else {
            return;
        };
        let (status, error) = match outcome {
            Outcome::Response { status, .. } => (Some(*status), None),
            Outcome::Lost {
                status, message, ..
            } => (*status, Some(message.clone())),
        };
        observer(&RequestEvent {
            method: method_name(method).to_owned(),
            path: path.to_owned(),
            attempt,
            status,
            elapsed,
            error,
            retry_in,
        });
    }
}

/// What one attempt produced.
enum Outcome {
    /// A complete response.
    Response {
        status: u16,
        rate: RateHeaders,
        body: Vec<u8>,
    },
    /// No complete response (`status` is set when the head arrived but the body did not).
    Lost {
        status: Option<u16>,
        sent: bool,
        timeout: bool,
        message: String,
    },
}

impl Outcome {
    /// The attempt as the retry policy sees it.
    fn attempt(&self) -> Attempt {
        match self {
            Self::Response { status, .. } => Attempt::Status(*status),
            Self::Lost { sent, timeout, .. } => Attempt::Lost {
                sent: *sent,
                timeout: *timeout,
            },
        }
    }
}

/// The static name of the methods this client uses.
fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::PATCH => "PATCH",
        _ => "REQUEST",
    }
}

fn not_found_as_none<T>(result: Result<T, RemoteError>) -> Result<Option<T>, RemoteError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(err) if err.is_not_found() => Ok(None),
        Err(err) => Err(err),
    }
}

/// `{prefix}/{id}` for an object id, which must be digits (Intercom path ids are integers).
/// Anything else is refused before a request is made.
pub(crate) fn object_path(
    method: &Method,
    prefix: &str,
    what: &str,
    id: &str,
) -> Result<String, RemoteError> {
    let valid = !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit());
    if valid {
        Ok(format!("{prefix}/{id}"))
    } else {
        Err(RemoteError::new(
            method_name(method),
            format!("{prefix}/{id}"),
            ErrorKind::Config(format!("invalid {what} id `{id}`: Intercom ids are digits")),
        ))
    }
}

mod ai_calls;
#[cfg(test)]
mod tests;
