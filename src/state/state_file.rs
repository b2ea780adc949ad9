//! `.helpcenter/<target>.state.json`: identity (key → Intercom id) and the last-applied record
//! (per locale: hash of what was sent, fingerprint of what Intercom held right after).
//! Deterministic (sorted maps, stable formatting), written atomically and fsynced. Beside it,
//! the journal of a running apply: each write's intent before it is sent, its outcome after.

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

/// One journal line: a write's intent (before it is sent) or a change to the state made
/// right after a successful write (its outcome).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum JournalEntry {
    Collection {
        key: String,
        record: CollectionRecord,
    },
    Article {
        key: String,
        record: ArticleRecord,
    },
    ForgetCollection {
        key: String,
    },
    ForgetArticle {
        key: String,
    },
    HelpCenter {
        id: String,
    },
    /// About to send a write of collection `key`.
    CollectionIntent {
        key: String,
        write: PendingWrite,
    },
    /// About to send a write of article `key`.
    ArticleIntent {
        key: String,
        write: PendingWrite,
    },
    /// The write of collection `key` was refused (its intent is void).
    CollectionRefused {
        key: String,
    },
    /// The write of article `key` was refused (its intent is void).
    ArticleRefused {
        key: String,
    },
}

/// Path of the journal of `target`: appended after every write, folded into the state file
/// when an apply ends (or when the next command starts, after an interrupted apply).
pub fn journal_path(root: &Path, target: &str) -> PathBuf {
    root.join(".helpcenter")
        .join(format!("{target}.journal.jsonl"))
}

impl StateFile {
    /// Applies one journal entry.
    pub fn apply_entry(&mut self, entry: JournalEntry) {
        match entry {
            JournalEntry::Collection { key, record } => {
                self.pending_collections.remove(&key);
                self.collections.insert(key, record);
            }
            JournalEntry::Article { key, record } => {
                self.pending_articles.remove(&key);
                self.articles.insert(key, record);
            }
            JournalEntry::CollectionIntent { key, write } => {
                self.pending_collections.insert(key, write);
            }
            JournalEntry::ArticleIntent { key, write } => {
                self.pending_articles.insert(key, write);
            }
            JournalEntry::CollectionRefused { key } => {
                self.pending_collections.remove(&key);
            }
            JournalEntry::ArticleRefused { key } => {
                self.pending_articles.remove(&key);
            }
            JournalEntry::ForgetCollection { key } => {
                self.collections.remove(&key);
            }
            JournalEntry::ForgetArticle { key } => {
                self.articles.remove(&key);
            }
            JournalEntry::HelpCenter { id } => self.help_center_id = Some(id),
        }
    }

    /// Loads the state and replays the journal an interrupted apply left behind, then saves
    /// the result and removes the journal. Returns how many entries were replayed.
    pub fn load_and_recover(root: &Path, target: &str) -> io::Result<(Self, usize)> {
        let mut state = Self::load(root, target)?;
        let journal = journal_path(root, target);
        match std::fs::metadata(&journal) {
            Ok(m) if !m.is_file() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("`{}` is not a regular file", journal.display()),
                ));
            }
            _ => {}
        }
        let text = match std::fs::read_to_string(&journal) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((state, 0)),
            Err(e) => return Err(e),
        };
        let mut replayed = 0;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            // A torn last line (crash mid-write) is ignored: its write is reconciled by adoption.
            if let Ok(entry) = serde_json::from_str::<JournalEntry>(line) {
                state.apply_entry(entry);
                replayed += 1;
            }
        }
        state.save(root)?;
        std::fs::remove_file(&journal)?;
        Ok((state, replayed))
    }
}

/// The state of a running apply: the state file in memory plus an append-only journal.
#[derive(Debug)]
pub struct Recorder {
    root: PathBuf,
    pub state: StateFile,
    journal: std::fs::File,
}

impl Recorder {
    /// Opens the journal of `state.target` for appending.
    pub fn open(root: &Path, state: StateFile) -> io::Result<Self> {
        let path = journal_path(root, &state.target);
        std::fs::create_dir_all(path.parent().expect("journal has a parent"))?;
        let journal = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(Self {
            root: root.to_owned(),
            state,
            journal,
        })
    }

    /// Records one entry: appended to the journal and fsynced, then applied in memory (in
    /// memory even when the journal fails, so the state file saved at the end keeps it).
    pub fn record(&mut self, entry: JournalEntry) -> io::Result<()> {
        use std::io::Write;
        let mut line = serde_json::to_string(&entry).map_err(io::Error::other)?;
        line.push('\n');
        let written = if crate::test_hooks::journal_full() {
            Err(io::Error::from_raw_os_error(28)) // ENOSPC
        } else {
            Ok(())
        };
        let written = written
            .and_then(|()| self.journal.write_all(line.as_bytes()))
            .and_then(|()| self.journal.flush())
            .and_then(|()| self.journal.sync_data());
        self.state.apply_entry(entry);
        written
    }

    /// Writes the state file atomically and removes the journal.
    pub fn finish(self) -> io::Result<StateFile> {
        self.state.save(&self.root)?;
        drop(self.journal);
        let path = journal_path(&self.root, &self.state.target);
        match std::fs::remove_file(path) {
            Ok(()) => Ok(self.state),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(self.state),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_is_replayed_after_an_interrupted_apply() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = Recorder::open(dir.path(), StateFile::new("t")).unwrap();
        rec.record(JournalEntry::Article {
            key: "a".into(),
            record: ArticleRecord {
                id: "7".into(),
                ..ArticleRecord::default()
            },
        })
        .unwrap();
        drop(rec); // crash: no finish()
        let (state, replayed) = StateFile::load_and_recover(dir.path(), "t").unwrap();
        assert_eq!(replayed, 1);
        assert_eq!(state.articles["a"].id, "7");
        assert!(!journal_path(dir.path(), "t").exists());
        assert_eq!(StateFile::load(dir.path(), "t").unwrap(), state);
    }

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
