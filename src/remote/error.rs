//! Errors of the Intercom client: which call failed (method and path) and how.
//!
//! Every variant is plain data; `Display` renders one line such as
//! `POST /articles: 400 parameter_not_found: author_id must be …`. No variant ever holds the
//! access token: the token only lives in a sensitive header value inside the client, and
//! [`Redactor`] removes it from everything a server sends back (a server may echo the
//! `Authorization` header in an error message, a body or a request id).

use std::borrow::Cow;
use std::fmt;

use super::models::ErrorList;

/// A failed API call: the method and path that failed, and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct RemoteError {
    /// HTTP method (`GET`, `POST`, …); empty for configuration errors raised before any call.
    pub method: &'static str,
    /// Path and query relative to the base URL (`/articles?per_page=250&page=2`).
    pub path: String,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// What went wrong in a [`RemoteError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The API answered with an error status.
    Api {
        status: u16,
        /// Intercom's error code (`parameter_not_found`, `unauthorized`, …).
        code: Option<String>,
        /// Intercom's error message(s), joined with `; `.
        message: Option<String>,
        /// Intercom's request id, for support tickets.
        request_id: Option<String>,
    },
    /// The connection failed (refused, reset, TLS, …) and retrying did not help.
    Network(String),
    /// Every attempt timed out.
    Timeout,
    /// A `POST` was sent but its response was lost: the write may or may not have happened.
    /// The caller must look before sending it again.
    OutcomeUnknown(String),
    /// The response body was not what the API documents.
    Decode(String),
    /// The client was configured or called with something it cannot use (bad URL, bad id).
    Config(String),
}

impl RemoteError {
    /// Builds an error for a call.
    pub fn new(method: &'static str, path: impl Into<String>, kind: ErrorKind) -> Self {
        Self {
            method,
            path: path.into(),
            kind,
        }
    }

    /// A configuration error raised before any call.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new("", "", ErrorKind::Config(message.into()))
    }

    /// A 404 `not_found` for a call, as the API would report it (for callers that learn of a
    /// missing object another way, e.g. a listing).
    pub fn not_found(method: &'static str, path: impl Into<String>) -> Self {
        Self::new(
            method,
            path,
            ErrorKind::Api {
                status: 404,
                code: Some("not_found".to_owned()),
                message: Some("Resource Not Found".to_owned()),
                request_id: None,
            },
        )
    }

    /// True when the API answered 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, ErrorKind::Api { status: 404, .. })
    }

    /// True when a write was sent and its outcome is unknown (see [`ErrorKind::OutcomeUnknown`]).
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self.kind, ErrorKind::OutcomeUnknown(_))
    }

    /// The HTTP status when the API answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            ErrorKind::Api { status, .. } => Some(status),
            _ => None,
        }
    }

    fn render(&self) -> String {
        if self.method.is_empty() {
            self.kind.to_string()
        } else {
            format!("{} {}: {}", self.method, self.path, self.kind)
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api {
                status,
                code,
                message,
                ..
            } => {
                write!(f, "{status}")?;
                match code {
                    Some(code) => write!(f, " {code}")?,
                    None => {
                        if let Some(reason) = reason_phrase(*status) {
                            write!(f, " {reason}")?;
                        }
                    }
                }
                if let Some(message) = message {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            Self::Network(message) => write!(f, "network error: {message}"),
            Self::Timeout => f.write_str("timed out"),
            Self::OutcomeUnknown(message) => write!(
                f,
                "outcome unknown, the request was sent but its response was lost ({message}); \
                 the write may have happened"
            ),
            Self::Decode(message) => write!(f, "unexpected response: {message}"),
            Self::Config(message) => f.write_str(message),
        }
    }
}

/// What replaces the token in server-supplied text.
pub(crate) const REDACTED: &str = "[redacted]";

/// Tokens shorter than this are not redacted: replacing a short string everywhere would
/// corrupt ordinary text and URLs (the embedded sandbox's fixed token is `sandbox`), and
/// Intercom's access tokens are about 60 characters long.
pub(crate) const MIN_REDACTED_LEN: usize = 12;

/// Removes the known access token from server-supplied text: response bodies (before they
/// are parsed, so error messages, pulled bodies and diffs never hold it) and the error texts
/// built from them.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    /// The token, and its JSON form with `/` escaped as `\/` when it holds a `/`.
    needles: Vec<String>,
}

impl Redactor {
    /// A redactor for `secret` (trimmed); one that does nothing for a short secret.
    pub fn new(secret: &str) -> Self {
        let secret = secret.trim();
        if secret.len() < MIN_REDACTED_LEN {
            return Self::default();
        }
        let mut needles = vec![secret.to_owned()];
        if secret.contains('/') {
            needles.push(secret.replace('/', "\\/"));
        }
        Self { needles }
    }

    /// `text` with every occurrence of the token replaced by `[redacted]`.
    pub fn text<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = Cow::Owned(out.replace(needle.as_str(), REDACTED));
            }
        }
        out
    }

    /// A response body with every occurrence of the token replaced by `[redacted]`.
    pub fn bytes(&self, body: Vec<u8>) -> Vec<u8> {
        if self.needles.is_empty() {
            return body;
        }
        match String::from_utf8(body) {
            Ok(text) => match self.text(&text) {
                Cow::Borrowed(_) => text.into_bytes(),
                Cow::Owned(clean) => clean.into_bytes(),
            },
            Err(err) => {
                let mut body = err.into_bytes();
                for needle in &self.needles {
                    body = replace_bytes(&body, needle.as_bytes(), REDACTED.as_bytes());
                }
                body
            }
        }
    }

    /// `kind` with the token removed from every text it holds.
    pub fn kind(&self, kind: ErrorKind) -> ErrorKind {
        if self.needles.is_empty() {
            return kind;
        }
        let clean = |s: String| self.text(&s).into_owned();
        match kind {
            ErrorKind::Api {
                status,
                code,
                message,
                request_id,
            } => ErrorKind::Api {
                status,
                code: code.map(clean),
                message: message.map(clean),
                request_id: request_id.map(clean),
            },
            ErrorKind::Network(m) => ErrorKind::Network(clean(m)),
            ErrorKind::OutcomeUnknown(m) => ErrorKind::OutcomeUnknown(clean(m)),
            ErrorKind::Decode(m) => ErrorKind::Decode(clean(m)),
            ErrorKind::Config(m) => ErrorKind::Config(clean(m)),
            ErrorKind::Timeout => ErrorKind::Timeout,
        }
    }
}

/// `haystack` with every `needle` replaced by `with` (for bodies that are not UTF-8).
fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut at = 0;
    while at < haystack.len() {
        if haystack[at..].starts_with(needle) {
            out.extend_from_slice(with);
            at += needle.len();
        } else {
            out.push(haystack[at]);
            at += 1;
        }
    }
    out
}

/// Builds the [`ErrorKind::Api`] of an error response from its status and body.
///
/// The body is Intercom's `error.list` envelope when the API itself answered; a proxy may send
/// HTML or nothing, in which case only the status is kept.
pub(crate) fn api_error(status: u16, body: &[u8]) -> ErrorKind {
    let parsed: Option<ErrorList> = serde_json::from_slice(body).ok();
    let (code, message, request_id) = match parsed {
        Some(list) => {
            let code = list.errors.first().map(|e| e.code.clone());
            let messages: Vec<&str> = list
                .errors
                .iter()
                .filter_map(|e| e.message.as_deref())
                .filter(|m| !m.is_empty())
                .collect();
            let message = (!messages.is_empty()).then(|| messages.join("; "));
            (code, message, list.request_id)
        }
        None => (None, None, None),
    };
    ErrorKind::Api {
        status,
        code,
        message,
        request_id,
    }
}

fn reason_phrase(status: u16) -> Option<&'static str> {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
}

/// Renders an error and its sources as one line, without the URL reqwest puts in its messages.
pub(crate) fn describe_transport(err: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let top = if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "could not connect".to_owned()
    } else if err.is_body() || err.is_decode() {
        "the response body was cut off".to_owned()
    } else {
        "the connection failed".to_owned()
    };
    parts.push(top);
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        let text = s.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p == &text) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redactor_removes_the_token_from_bodies_and_error_texts() {
        let token = "dG9rOmFiY2Q/ZWZnaGlqa2xtbm9w";
        let r = Redactor::new(&format!(" {token} "));
        let body = format!(
            r#"{{"errors":[{{"code":"x","message":"Bearer {token} and {}"}}]}}"#,
            token.replace('/', "\\/")
        );
        let clean = String::from_utf8(r.bytes(body.into_bytes())).unwrap();
        assert_eq!(
            clean,
            r#"{"errors":[{"code":"x","message":"Bearer [redacted] and [redacted]"}]}"#
        );
        let mut latin1 = b"\xff Bearer ".to_vec();
        latin1.extend_from_slice(token.as_bytes());
        assert_eq!(r.bytes(latin1), b"\xff Bearer [redacted]".to_vec());
        // A JSON escape the raw pass cannot see is caught once the message is decoded.
        let escaped = format!(
            r#"{{"errors":[{{"code":"x","message":"\u0064{}"}}]}}"#,
            &token[1..]
        );
        let kind = r.kind(api_error(400, &r.bytes(escaped.into_bytes())));
        assert_eq!(kind.to_string(), "400 x: [redacted]");
        assert_eq!(
            r.kind(ErrorKind::Decode(format!(
                "invalid type: string \"{token}\""
            )))
            .to_string(),
            "unexpected response: invalid type: string \"[redacted]\""
        );
        // A short token is left alone: it would corrupt ordinary text.
        let short = Redactor::new("sandbox");
        assert_eq!(short.text("https://h/sandbox/en"), "https://h/sandbox/en");
    }

    #[test]
    fn api_error_display_has_status_code_and_message() {
        let body = br#"{"type":"error.list","request_id":"f48a","errors":[{"code":"parameter_not_found","message":"author_id must be in the main body or default locale translated_content object"}]}"#;
        let err = RemoteError::new("POST", "/articles", api_error(400, body));
        assert_eq!(
            err.to_string(),
            "POST /articles: 400 parameter_not_found: author_id must be in the main body or default locale translated_content object"
        );
        match &err.kind {
            ErrorKind::Api { request_id, .. } => assert_eq!(request_id.as_deref(), Some("f48a")),
            other => panic!("expected an API error, got {other}"),
        }
    }

    #[test]
    fn api_error_without_envelope_uses_reason_phrase() {
        let err = RemoteError::new(
            "GET",
            "/articles",
            api_error(502, b"<html>bad gateway</html>"),
        );
        assert_eq!(err.to_string(), "GET /articles: 502 Bad Gateway");
        assert_eq!(err.status(), Some(502));
    }

    #[test]
    fn api_error_joins_several_messages() {
        let body = br#"{"type":"error.list","errors":[{"code":"parameter_invalid","message":"a"},{"code":"parameter_invalid","message":"b"},{"code":"x"}]}"#;
        let err = RemoteError::new("PUT", "/articles/1", api_error(422, body));
        assert_eq!(
            err.to_string(),
            "PUT /articles/1: 422 parameter_invalid: a; b"
        );
    }

    #[test]
    fn api_error_with_code_only() {
        let body = br#"{"type":"error.list","errors":[{"code":"unauthorized","message":null}]}"#;
        let err = RemoteError::new("GET", "/me", api_error(401, body));
        assert_eq!(err.to_string(), "GET /me: 401 unauthorized");
    }

    #[test]
    fn other_kinds_display() {
        let cases = [
            (
                ErrorKind::Network("could not connect: connection refused".into()),
                "GET /admins: network error: could not connect: connection refused",
            ),
            (ErrorKind::Timeout, "GET /admins: timed out"),
            (
                ErrorKind::OutcomeUnknown("the connection failed".into()),
                "GET /admins: outcome unknown, the request was sent but its response was lost \
                 (the connection failed); the write may have happened",
            ),
            (
                ErrorKind::Decode("missing field `id`".into()),
                "GET /admins: unexpected response: missing field `id`",
            ),
        ];
        for (kind, want) in cases {
            assert_eq!(RemoteError::new("GET", "/admins", kind).to_string(), want);
        }
        assert_eq!(
            RemoteError::config("base URL must use https").to_string(),
            "base URL must use https"
        );
    }

    #[test]
    fn predicates() {
        let nf = RemoteError::new(
            "GET",
            "/articles/1",
            api_error(
                404,
                br#"{"errors":[{"code":"not_found","message":"Resource Not Found"}]}"#,
            ),
        );
        assert!(nf.is_not_found());
        assert!(!nf.is_outcome_unknown());
        let lost = RemoteError::new("POST", "/articles", ErrorKind::OutcomeUnknown("x".into()));
        assert!(lost.is_outcome_unknown());
        assert!(!lost.is_not_found());
        assert_eq!(lost.status(), None);
        let synthetic = RemoteError::not_found("GET", "/articles/9");
        assert!(synthetic.is_not_found());
        assert_eq!(
            synthetic.to_string(),
            "GET /articles/9: 404 not_found: Resource Not Found"
        );
    }
}
