//! Errors of the Intercom client: which call failed (method and path) and how.
//!
//! Every variant is plain data; `Display` renders one line such as
//! `POST /articles: 400 parameter_not_found: author_id must be …`. No variant ever holds the
//! access token: the token only lives in a sensitive header value inside the client.

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
