//! `.helpcenter/<target>.state.json`: identity (key → Intercom id) and the last-applied record
//! (per locale: hash of what was sent, fingerprint of what Intercom held right after).
//! Deterministic (sorted maps, stable formatting), written atomically and fsynced. The
//! journal of a running apply, folded into it, is in [`super::journal`].

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
    /// Writes sent (intent journaled) whose outcome was never recorded: an apply died or lost
    /// the response. The next plan settles them against what Intercom holds.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending_collections: BTreeMap<String, PendingWrite>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending_articles: BTreeMap<String, PendingWrite>,
    /// The Content Import Source of a Fin external pages target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_import_source_id: Option<String>,
    /// External pages of a Fin target, by article key (= their `external_id`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub external_pages: BTreeMap<String, PageRecord>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending_external_pages: BTreeMap<String, PendingWrite>,
}

/// What we know of one managed external page (English only: one record, no locales).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PageRecord {
    pub id: String,
    /// Default-locale file relative to the root at the last apply.
    #[serde(default)]
    pub path: String,
    /// Hash of what was sent (title, html, url, availabilities).
    pub sent: String,
    /// The same hash of the page Intercom answered with.
    pub seen: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<u64>,
    /// Adopted from Intercom while its content differed (a person's work): never pruned.
    #[serde(default, skip_serializing_if = "is_false")]
    pub adopted: bool,
}

/// One write whose intent was journaled but whose outcome was not.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PendingWrite {
    /// The object written; `None` for a create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Per locale sent: the hash of what was sent, and the fingerprint Intercom holds if it
    /// took the write.
    #[serde(default)]
    pub locales: BTreeMap<String, PendingLocale>,
}

/// One locale of a [`PendingWrite`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PendingLocale {
    pub sent: String,
    pub expect: String,
}

fn is_false(b: &bool) -> bool {
    !*b
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
    /// Adopted from Intercom while its content differed (a person's work): never pruned.
    #[serde(default, skip_serializing_if = "is_false")]
    pub adopted: bool,
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
    /// Adopted from Intercom while its content differed (a person's work): never pruned.
    #[serde(default, skip_serializing_if = "is_false")]
    pub adopted: bool,
}

/// Per-locale record: hash of what was sent and fingerprint of what Intercom held after.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LocaleRecord {
    /// Hash of the request fields we sent for this locale.
    pub sent: String,
    /// Fingerprint of the remote fields right after our write.
    pub seen: String,
    /// Hash of those remote fields as Intercom returned them (before normalisation): a plan
    /// that finds them byte-identical knows `seen` without normalising the body again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
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

    /// Loads the state of `target`; a missing file is an empty state. A file of another
    /// format version or of another target is an error (it would map keys to foreign ids).
    pub fn load(root: &Path, target: &str) -> io::Result<Self> {
        let path = path_for(root, target);
        let invalid = |why: String| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("`{}`: {why}", path.display()),
            )
        };
        let state: Self = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Self::new(target)),
            Err(e) => return Err(e),
        };
        if state.version != VERSION {
            return Err(invalid(format!(
                "state format version {} is not supported (this helpcenter writes version {VERSION})",
                state.version
            )));
        }
        if state.target != target {
            return Err(invalid(format!(
                "it records target `{}`, not `{target}` (was it copied from another target?)",
                state.target
            )));
        }
        Ok(state)
    }

    /// Writes the state atomically (temp file, fsync, rename, fsync of the directory),
    /// pretty and deterministic.
    pub fn save(&self, root: &Path) -> io::Result<()> {
        use std::io::Write;
        let path = path_for(root, &self.target);
        let dir = path.parent().expect("state path has a parent");
        std::fs::create_dir_all(dir)?;
        let mut text = serde_json::to_string_pretty(self).map_err(io::Error::other)?;
        text.push('\n');
        let tmp = dir.join(format!(".{}.state.json.tmp", self.target));
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &path)?;
        sync_dir(dir)
    }

    /// The recorded URL of article `key` in `locale`, falling back to `None`.
    pub fn article_url(&self, key: &str, locale: &str) -> Option<&str> {
        self.articles.get(key)?.locales.get(locale)?.url.as_deref()
    }
}

/// Makes a rename in `dir` durable (a no-op where directories cannot be opened).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_state_is_deterministic() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = StateFile::new("t");
        for k in ["b", "a", "c"] {
            s.articles.insert(
                k.into(),
                ArticleRecord {
                    id: k.into(),
                    ..ArticleRecord::default()
                },
            );
        }
        s.save(dir.path()).unwrap();
        let first = std::fs::read_to_string(path_for(dir.path(), "t")).unwrap();
        StateFile::load(dir.path(), "t")
            .unwrap()
            .save(dir.path())
            .unwrap();
        assert_eq!(
            first,
            std::fs::read_to_string(path_for(dir.path(), "t")).unwrap()
        );
        assert!(first.find("\"a\"").unwrap() < first.find("\"b\"").unwrap());
    }
}
