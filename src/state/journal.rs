//! `.helpcenter/<target>.journal.jsonl`: the journal of a running apply. Each write's intent
//! is appended and fsynced before it is sent, its outcome appended after; the journal is folded
//! into the state file when the apply ends, or replayed by the next command after a crash.
//!
//! [`Recorder::append`] writes a line without fsyncing it and returns its [`Ticket`];
//! [`JournalSync::sync`] fsyncs everything appended so far. Apply's group commit
//! (`apply::group_commit`) builds on the two so concurrent writers share fsyncs.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::state_file::{ArticleRecord, CollectionRecord, PageRecord, PendingWrite, StateFile};

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
    /// The write of article `key` was refused, or journaled ahead and never sent (its intent
    /// is void).
    ArticleRefused {
        key: String,
    },
    /// The Content Import Source of a Fin target.
    ContentImportSource {
        id: String,
    },
    ExternalPage {
        key: String,
        record: PageRecord,
    },
    ForgetExternalPage {
        key: String,
    },
    /// About to send a write of external page `key`.
    ExternalPageIntent {
        key: String,
        write: PendingWrite,
    },
    /// The write of external page `key` was refused (its intent is void).
    ExternalPageRefused {
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
            JournalEntry::ContentImportSource { id } => self.content_import_source_id = Some(id),
            JournalEntry::ExternalPage { key, record } => {
                self.pending_external_pages.remove(&key);
                self.external_pages.insert(key, record);
            }
            JournalEntry::ForgetExternalPage { key } => {
                self.external_pages.remove(&key);
            }
            JournalEntry::ExternalPageIntent { key, write } => {
                self.pending_external_pages.insert(key, write);
            }
            JournalEntry::ExternalPageRefused { key } => {
                self.pending_external_pages.remove(&key);
            }
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
    sync: JournalSync,
}

/// The journal's fsync, shareable with writers that do not hold the [`Recorder`]: what apply's
/// group commit calls on a blocking thread.
#[derive(Debug, Clone)]
pub struct JournalSync {
    file: Arc<std::fs::File>,
    /// Lines appended so far.
    appended: Arc<AtomicU64>,
}

/// A journal line's place: durable once an fsync that covered it ([`JournalSync::sync`]
/// returned at least this) has returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ticket(pub u64);

impl JournalSync {
    /// fsyncs the journal; returns the ticket of the last line it covers (every line appended
    /// before the call).
    pub fn sync(&self) -> io::Result<Ticket> {
        let upto = self.appended.load(Ordering::SeqCst);
        self.file.sync_data()?;
        Ok(Ticket(upto))
    }
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
        let sync = JournalSync {
            file: Arc::new(journal.try_clone()?),
            appended: Arc::new(AtomicU64::new(0)),
        };
        Ok(Self {
            root: root.to_owned(),
            state,
            journal,
            sync,
        })
    }

    /// Records one entry: appended to the journal and fsynced, then applied in memory (in
    /// memory even when the journal fails, so the state file saved at the end keeps it).
    pub fn record(&mut self, entry: JournalEntry) -> io::Result<()> {
        self.append(entry)?;
        self.journal.sync_data()
    }

    /// Appends one entry to the journal (written to the file, not yet fsynced: it survives a
    /// killed process; an fsync covering the ticket makes it survive a power cut),
    /// then applies it in memory (even when the write fails, so the state saved at the end
    /// keeps it).
    pub fn append(&mut self, entry: JournalEntry) -> io::Result<Ticket> {
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
            .and_then(|()| self.journal.flush());
        self.state.apply_entry(entry);
        written?;
        Ok(Ticket(
            self.sync.appended.fetch_add(1, Ordering::SeqCst) + 1,
        ))
    }

    /// The journal's fsync, for writers that wait for durability without the recorder.
    pub fn journal_sync(&self) -> JournalSync {
        self.sync.clone()
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

    fn article(key: &str, id: &str) -> JournalEntry {
        JournalEntry::Article {
            key: key.into(),
            record: ArticleRecord {
                id: id.into(),
                ..ArticleRecord::default()
            },
        }
    }

    #[test]
    fn a_sync_covers_every_line_appended_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = Recorder::open(dir.path(), StateFile::new("t")).unwrap();
        let sync = rec.journal_sync();
        assert_eq!(rec.append(article("a", "1")).unwrap(), Ticket(1));
        assert_eq!(rec.append(article("b", "2")).unwrap(), Ticket(2));
        assert_eq!(sync.sync().unwrap(), Ticket(2));
        rec.record(article("c", "3")).unwrap();
        assert_eq!(sync.sync().unwrap(), Ticket(3));
    }

    #[test]
    fn an_appended_line_is_replayed_without_its_fsync() {
        // A killed process: what was appended is in the file even if no fsync ran.
        let dir = tempfile::tempdir().unwrap();
        let mut rec = Recorder::open(dir.path(), StateFile::new("t")).unwrap();
        rec.append(article("a", "7")).unwrap();
        drop(rec);
        let (state, replayed) = StateFile::load_and_recover(dir.path(), "t").unwrap();
        assert_eq!(replayed, 1);
        assert_eq!(state.articles["a"].id, "7");
    }

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
}
