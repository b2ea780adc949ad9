//! Stage 1: the content tree. Walks the root, loads `helpcenter.toml`, parses front matter and
//! `_collection.yml`, and produces a validated [`model::Project`] plus diagnostics.

pub mod config;
pub mod loader;
pub mod model;

pub use loader::{Loaded, load};
