//! `.helpcenter/<target>.state.json`: identity (key → Intercom id) and the last-applied record
//! (per locale: hash of what was sent, fingerprint of what Intercom held right after).
//! Deterministic (sorted maps, stable formatting) and written atomically.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Current format version.
pub const VERSION: u32 = 1;

/// The whole state file of one target.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StateFile {
    pub version: u32,
    pub target: String,
    /// The help center this target manages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_center_id: Option<String>,
    #[serde(default)]
    pub collections: BTreeMap<String, CollectionRecord>,
    #[serde(default)]
    pub articles: BTreeMap<String, ArticleRecord>,
}

/// What we know of one managed collection.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CollectionRecord {
    pub id: String,
    /// Directory relative to the root at the last apply.
    #[serde(default)]
    pub dir: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<u64>,
    #[serde(default)]
    pub locales: BTreeMap<String, LocaleRecord>,
}

/// What we know of one managed article.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ArticleRecord {
    pub id: String,
    /// Default-locale file relative to the root at the last apply.
    #[serde(default)]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<u64>,
    #[serde(default)]
    pub locales: BTreeMap<String, LocaleRecord>,
}

/// Per-locale record: hash of what was sent and fingerprint of what Intercom held after.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LocaleRecord {
    /// Hash of the request fields we sent for this locale.
    pub sent: String,
    /// Fingerprint of the remote fields right after our write.
    pub seen: String,
    /// The article's public URL in this locale, when Intercom gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Path of the state file of `target` under `root`.
pub fn path_for(root: &Path, target: &str) -> PathBuf {
    root.join(".helpcenter")
        .join(format!("{target}.state.json"))
}

impl StateFile {
    /// An empty state for `target`.
    pub fn new(target: &str) -> Self {
        Self {
            version: VERSION,
            target: target.to_owned(),
            ..Self::default()
        }
    }

    /// Loads the state of `target`; a missing file is an empty state.
    pub fn load(root: &Path, target: &str) -> io::Result<Self> {
        let path = path_for(root, target);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self::new(target)),
            Err(e) => Err(e),
        }
    }

    /// Writes the state atomically (temp file + rename), pretty and deterministic.
    pub fn save(&self, root: &Path) -> io::Result<()> {
        let path = path_for(root, &self.target);
        let dir = path.parent().expect("state path has a parent");
        std::fs::create_dir_all(dir)?;
        let mut text = serde_json::to_string_pretty(self).map_err(io::Error::other)?;
        text.push('\n');
        let tmp = dir.join(format!(".{}.state.json.tmp", self.target));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)
    }

    /// The recorded URL of article `key` in `locale`, falling back to `None`.
    pub fn article_url(&self, key: &str, locale: &str) -> Option<&str> {
        self.articles.get(key)?.locales.get(locale)?.url.as_deref()
    }
}
