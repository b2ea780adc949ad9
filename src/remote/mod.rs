//! Stage 3: the Intercom REST API client (2.12), with pacing, retries and typed models.
//!
//! In: a [`ClientConfig`] (base URL, token, limits). Out: typed objects from [`models`] or a
//! [`RemoteError`] naming the call that failed. See `docs/remote.md` for how the client paces,
//! retries and paginates, and what "outcome unknown" means.

pub mod ai_content;
pub mod authors;
mod client;
mod config;
mod error;
pub mod models;
mod pagination;
mod rate_limit;
mod retry;

pub use authors::{AuthorDirectory, AuthorError};
pub use client::{Client, INTERCOM_VERSION};
pub use config::{ClientConfig, RequestEvent, RequestObserver, Token};
pub use error::{ErrorKind, RemoteError};
