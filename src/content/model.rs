//! The local (desired) state as plain structs: what `content` produces and `render`/`plan` read.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::content::config::Config;

/// Publish state of an article or one of its translations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArticleState {
    Published,
    Draft,
}

impl ArticleState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Published => "published",
            Self::Draft => "draft",
        }
    }
}

/// An author as written in front matter or config: an admin email or a numeric admin id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AuthorRef {
    Id(u64),
    Email(String),
}

/// The whole content tree, loaded and validated.
#[derive(Debug, Clone)]
pub struct Project {
    /// Absolute path of the content root (the folder holding `helpcenter.toml`).
    pub root: PathBuf,
    pub config: Config,
    /// Collections sorted parent-first (by depth, then path).
    pub collections: Vec<LocalCollection>,
    /// Articles sorted by path (`PathBuf` order): `render` relies on it to find link targets.
    pub articles: Vec<LocalArticle>,
    /// Article files that exist in a collection but did not load (broken front matter, a
    /// duplicate key): their errors are reported at the file, so links to them are not
    /// reported again as broken.
    pub unloaded: std::collections::BTreeSet<PathBuf>,
}

/// A directory with `_collection.yml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCollection {
    /// Stable identity: the `key` field, or the directory path from the root (e.g. `guides/setup`).
    pub key: String,
    /// Directory relative to the root, `/`-separated.
    pub dir: PathBuf,
    /// Key of the parent collection; `None` at the top level.
    pub parent: Option<String>,
    /// 1 for a top-level collection, up to 3.
    pub depth: usize,
    /// Default-locale name and description.
    pub name: String,
    pub description: Option<String>,
    /// Other locales: locale code → name/description.
    pub translations: BTreeMap<String, CollectionText>,
    /// Path of `_collection.yml`, relative to the root.
    pub source: PathBuf,
}

/// A collection's name and description in one locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionText {
    pub name: String,
    pub description: Option<String>,
}

impl Project {
    /// Drops the Markdown of every article file (the largest part of a loaded project), once
    /// it is rendered and no longer needed: `plan` and `apply` keep what they rendered.
    pub fn release_markdown(&mut self) {
        for file in self
            .articles
            .iter_mut()
            .flat_map(|a| a.locales.values_mut())
        {
            file.markdown = String::new();
        }
    }
}

/// An article: its default-locale file plus translations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalArticle {
    /// Stable identity: the `key` field, or the path without locale suffix and `.md`.
    pub key: String,
    /// Whether `key` was written explicitly in front matter.
    pub explicit_key: bool,
    /// Default-locale file relative to the root (e.g. `getting-started/install.md`).
    pub path: PathBuf,
    /// Key of the containing collection; `None` for a root article.
    pub collection: Option<String>,
    /// Locale code → file. Always contains the default locale.
    pub locales: BTreeMap<String, ArticleFile>,
}

/// One Markdown file (one locale of an article).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleFile {
    pub locale: String,
    /// Relative to the root.
    pub path: PathBuf,
    pub title: String,
    pub description: Option<String>,
    /// Resolved: front matter, else `[defaults].state`.
    pub state: ArticleState,
    /// Resolved: front matter, else `[defaults].author`; `None` when neither is set.
    pub author: Option<AuthorRef>,
    /// Line and column of the front-matter `author` value; `None` when the author comes from
    /// `[defaults]` (or is not set).
    pub author_at: Option<(usize, usize)>,
    /// The Markdown body after the front matter.
    pub markdown: String,
    /// 1-based line of the first body line in the file (for diagnostics).
    pub body_line: usize,
    /// Resolved: front matter `fin_agent`/`fin_copilot`, else `[defaults]`, else true.
    pub fin: FinAvailability,
}

/// Where Fin may use an external page (front matter `fin_agent`, `fin_copilot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinAvailability {
    /// `ai_agent_availability`: Fin answers customers with it.
    pub agent: bool,
    /// `ai_copilot_availability`: Copilot answers teammates with it.
    pub copilot: bool,
}

impl Default for FinAvailability {
    fn default() -> Self {
        Self {
            agent: true,
            copilot: true,
        }
    }
}
