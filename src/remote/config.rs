//! Client configuration: base URL, token, timeouts, concurrency, retries and the request
//! observer. The token is wrapped so that it cannot be printed by accident.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use url::{Host, Url};

use super::error::RemoteError;
use crate::content::config::Region;

/// An Intercom access token. `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The secret itself, for the `Authorization` header only.
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }
}

impl From<String> for Token {
    fn from(token: String) -> Self {
        Self(token)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// One HTTP attempt, as reported to [`ClientConfig::on_request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestEvent {
    /// HTTP method.
    pub method: String,
    /// Path and query relative to the base URL.
    pub path: String,
    /// 1 for the first attempt of a call, 2 for its first retry, …
    pub attempt: u32,
    /// Response status, `None` when no response arrived.
    pub status: Option<u16>,
    /// Time from sending the request to the end of the response (or the failure).
    pub elapsed: Duration,
    /// What went wrong at the transport level (never contains the token).
    pub error: Option<String>,
    /// When the call will be retried: the delay before the next attempt.
    pub retry_in: Option<Duration>,
}

/// A callback told about every HTTP attempt (for verbose logs and progress).
pub type RequestObserver = Arc<dyn Fn(&RequestEvent) + Send + Sync>;

/// How to reach Intercom and how hard to try.
#[derive(Clone)]
pub struct ClientConfig {
    /// `https://api.intercom.io` or a region's URL; plain `http` only for loopback hosts.
    pub base_url: String,
    /// The access token.
    pub token: Token,
    /// Timeout of one attempt (connect, send and read the whole response).
    pub timeout: Duration,
    /// Requests in flight at once, across all tasks sharing the client.
    pub max_concurrency: usize,
    /// Retries after the first attempt for 5xx, timeouts and dropped connections.
    pub max_retries: u32,
    /// `User-Agent` header.
    pub user_agent: String,
    /// First retry delay; doubles on each retry (with jitter) up to `backoff_max`.
    pub backoff_base: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
    /// Told about every attempt; the client itself never prints.
    pub on_request: Option<RequestObserver>,
}

impl ClientConfig {
    /// Defaults for a base URL: 30 s timeout, 8 concurrent requests, 4 retries.
    pub fn new(base_url: impl Into<String>, token: Token) -> Self {
        Self {
            base_url: base_url.into(),
            token,
            timeout: Duration::from_secs(30),
            max_concurrency: 8,
            max_retries: 4,
            user_agent: format!("helpcenter/{}", env!("CARGO_PKG_VERSION")),
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(8),
            on_request: None,
        }
    }

    /// Defaults for one of Intercom's regions.
    pub fn for_region(region: Region, token: Token) -> Self {
        Self::new(region.base_url(), token)
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("token", &self.token)
            .field("timeout", &self.timeout)
            .field("max_concurrency", &self.max_concurrency)
            .field("max_retries", &self.max_retries)
            .field("user_agent", &self.user_agent)
            .field("backoff_base", &self.backoff_base)
            .field("backoff_max", &self.backoff_max)
            .field("on_request", &self.on_request.as_ref().map(|_| "…"))
            .finish()
    }
}

/// Checks a base URL and returns it without a trailing slash.
///
/// `https` is always accepted; `http` only for loopback hosts (`127.0.0.0/8`, `::1`,
/// `localhost`), so a token never crosses a network in clear text. Credentials, queries and
/// fragments are refused.
pub(crate) fn validate_base_url(raw: &str) -> Result<String, RemoteError> {
    let url = Url::parse(raw.trim())
        .map_err(|e| RemoteError::config(format!("invalid base URL `{raw}`: {e}")))?;
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(RemoteError::config(format!(
                "base URL `{raw}` uses plain http; http is only allowed for loopback hosts \
                 (127.0.0.1, ::1, localhost), use https"
            )));
        }
        other => {
            return Err(RemoteError::config(format!(
                "base URL `{raw}` has scheme `{other}`; use https"
            )));
        }
    }
    if url.host().is_none() {
        return Err(RemoteError::config(format!("base URL `{raw}` has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(RemoteError::config(
            "base URL must not contain credentials; the token is read from the environment",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(RemoteError::config(format!(
            "base URL `{raw}` must not have a query or fragment"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_redacted() {
        let token = Token::new("tok_secret_123");
        assert_eq!(format!("{token}"), "[redacted]");
        assert_eq!(format!("{token:?}"), "[redacted]");
        let config = ClientConfig::new("https://api.intercom.io", token);
        let debug = format!("{config:?}");
        assert!(!debug.contains("tok_secret_123"), "{debug}");
        assert!(debug.contains("[redacted]"));
    }

    #[test]
    fn https_is_accepted_anywhere() {
        assert_eq!(
            validate_base_url("https://api.eu.intercom.io/").unwrap(),
            "https://api.eu.intercom.io"
        );
        assert_eq!(
            validate_base_url("https://example.com/prefix/").unwrap(),
            "https://example.com/prefix"
        );
    }

    #[test]
    fn http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:4010",
            "http://127.1.2.3",
            "http://[::1]:8080/",
            "http://localhost:3000",
            "http://LOCALHOST",
        ] {
            assert!(validate_base_url(ok).is_ok(), "{ok} should be accepted");
        }
        for bad in [
            "http://api.intercom.io",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
            "http://0.0.0.0:4010",
        ] {
            let err = validate_base_url(bad).unwrap_err();
            assert!(err.to_string().contains("plain http"), "{bad}: {err}");
        }
    }

    #[test]
    fn other_schemes_and_shapes_are_refused() {
        for bad in [
            "ftp://api.intercom.io",
            "file:///tmp/x",
            "api.intercom.io",
            "https://user:pw@api.intercom.io",
            "https://api.intercom.io/?x=1",
            "https://api.intercom.io/#frag",
        ] {
            assert!(validate_base_url(bad).is_err(), "{bad} should be refused");
        }
        let err = validate_base_url("ftp://x.io").unwrap_err();
        assert_eq!(
            err.to_string(),
            "base URL `ftp://x.io` has scheme `ftp`; use https"
        );
    }

    #[test]
    fn region_defaults() {
        let c = ClientConfig::for_region(Region::Eu, Token::new("t"));
        assert_eq!(c.base_url, "https://api.eu.intercom.io");
        assert_eq!(c.max_retries, 4);
        assert_eq!(c.max_concurrency, 8);
        assert!(c.user_agent.starts_with("helpcenter/"));
    }
}
