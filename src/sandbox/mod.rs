//! The Intercom emulator: an HTTP server faithful to `API-NOTES.md`, used by `sandbox serve`,
//! the embedded `kind = "sandbox"` target and the tests. See `docs/sandbox.md`.
//!
//! Layout: `server` (HTTP, auth, rate limit, faults, routing) → `articles`, `collections`,
//! `admins`, `help_centers`, `ai_content` (endpoints) → `store` (data, serde) with `rewrite` (body HTML),
//! `pagination`, `persist` (state file); `options` holds the configuration and switches.
pub mod admins;
pub mod ai_content;
pub mod articles;
pub mod cli;
pub mod collections;
pub mod error;
pub mod faults;
pub mod help_centers;
pub mod options;
pub mod pagination;
pub mod persist;
pub mod rate_limit;
pub mod rewrite;
pub mod server;
pub mod store;

pub use options::{
    AdminSeed, DeleteCollectionWithChildren, Faults, FourthLevelCollection, Headings,
    HelpCenterSeed, LOCALES, LastPageNext, NestedLists, RateLimit, SandboxOptions, SwitchError,
    Switches, TranslationNull, UnknownLocale,
};
pub use server::{LoggedRequest, SandboxHandle, start};
