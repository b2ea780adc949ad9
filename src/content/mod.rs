//! Stage 1: the content tree. Walks the root, loads `helpcenter.toml`, parses front matter and
//! `_collection.yml`, and produces a validated [`model::Project`] plus diagnostics.

pub mod collection_file;
pub mod config;
pub mod front_matter;
pub mod loader;
pub mod locales;
pub mod model;
pub mod near_miss;
pub mod read;
pub mod target_scope;
pub mod walk;
pub mod yaml;

pub use loader::{Loaded, load};
