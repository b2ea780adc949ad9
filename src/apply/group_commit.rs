//! Group commit of the state journal during `apply`: a write's intent must be on disk before
//! the write is sent, and with `--concurrency N` up to N writers need that at once. Each
//! appends its line ([`crate::state::journal::Recorder::append`]) and then waits in
//! [`GroupCommit::durable`] for one fsync that started after its append: while one fsync runs,
//! the writers that appended meanwhile queue, and the first of them fsyncs for all. One fsync
//! per batch instead of one per line; the same guarantee per line.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::state::journal::{JournalSync, Ticket};

/// The shared fsyncs of one apply's journal.
#[derive(Debug)]
pub struct GroupCommit {
    sync: JournalSync,
    /// The last line known to be on disk.
    synced: AtomicU64,
    /// One fsync at a time; waiting writers queue here in order.
    flusher: tokio::sync::Mutex<()>,
    /// The first fsync error: every later wait fails with it.
    failed: Mutex<Option<String>>,
    fsyncs: AtomicU64,
}

impl GroupCommit {
    pub fn new(sync: JournalSync) -> Self {
        Self {
            sync,
            synced: AtomicU64::new(0),
            flusher: tokio::sync::Mutex::new(()),
            failed: Mutex::new(None),
            fsyncs: AtomicU64::new(0),
        }
    }

    /// Waits until the line of `ticket` is on disk, fsyncing (on a blocking thread) for every
    /// queued writer when no fsync covering it has run.
    pub async fn durable(&self, ticket: Ticket) -> io::Result<()> {
        loop {
            if let Some(e) = self.failure() {
                return Err(e);
            }
            if self.synced.load(Ordering::SeqCst) >= ticket.0 {
                return Ok(());
            }
            let _turn = self.flusher.lock().await;
            if self.synced.load(Ordering::SeqCst) >= ticket.0 {
                return Ok(());
            }
            if let Some(e) = self.failure() {
                return Err(e);
            }
            let sync = self.sync.clone();
            let done = tokio::task::spawn_blocking(move || sync.sync())
                .await
                .unwrap_or_else(|e| Err(io::Error::other(e)));
            self.fsyncs.fetch_add(1, Ordering::Relaxed);
            match done {
                Ok(covered) => {
                    self.synced.fetch_max(covered.0, Ordering::SeqCst);
                }
                Err(e) => {
                    self.failed
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .get_or_insert_with(|| e.to_string());
                }
            }
        }
    }

    fn failure(&self) -> Option<io::Error> {
        self.failed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|e| io::Error::other(e.clone()))
    }

    /// How many fsyncs this group commit did.
    pub fn fsyncs(&self) -> u64 {
        self.fsyncs.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::state::journal::{JournalEntry, Recorder};
    use crate::state::state_file::{ArticleRecord, StateFile};

    fn article(n: usize) -> JournalEntry {
        JournalEntry::Article {
            key: format!("a{n}"),
            record: ArticleRecord {
                id: n.to_string(),
                ..ArticleRecord::default()
            },
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writers_share_fsyncs_and_every_line_is_durable() {
        let dir = tempfile::tempdir().unwrap();
        let rec = Arc::new(Mutex::new(
            Recorder::open(dir.path(), StateFile::new("t")).unwrap(),
        ));
        let group = Arc::new(GroupCommit::new(rec.lock().unwrap().journal_sync()));
        let writers: Vec<_> = (0..64)
            .map(|n| {
                let rec = Arc::clone(&rec);
                let group = Arc::clone(&group);
                tokio::spawn(async move {
                    let ticket = rec.lock().unwrap().append(article(n)).unwrap();
                    group.durable(ticket).await.unwrap();
                    assert!(group.synced.load(Ordering::SeqCst) >= ticket.0);
                })
            })
            .collect();
        for w in writers {
            w.await.unwrap();
        }
        assert_eq!(group.synced.load(Ordering::SeqCst), 64);
        assert!((1..=64).contains(&group.fsyncs()), "{}", group.fsyncs());
        let rec = Arc::into_inner(rec).unwrap().into_inner().unwrap();
        drop(rec); // a crash: no finish()
        let (state, replayed) = StateFile::load_and_recover(dir.path(), "t").unwrap();
        assert_eq!(replayed, 64);
        assert_eq!(state.articles.len(), 64);
    }

    #[tokio::test]
    async fn a_ticket_already_covered_needs_no_fsync() {
        let dir = tempfile::tempdir().unwrap();
        let mut rec = Recorder::open(dir.path(), StateFile::new("t")).unwrap();
        let group = GroupCommit::new(rec.journal_sync());
        let first = rec.append(article(1)).unwrap();
        let second = rec.append(article(2)).unwrap();
        group.durable(second).await.unwrap();
        group.durable(first).await.unwrap();
        assert_eq!(group.fsyncs(), 1);
    }
}
