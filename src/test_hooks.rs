//! Crash points for the integration tests, read from the environment in debug builds only
//! (release builds compile them away): the tests kill `apply` at a deterministic point
//! instead of sleeping and hoping. Beside the stages (it imports nothing of the crate): the
//! journal (`state`) and the executor (`apply`) call it.
//!
//! - `HELPCENTER_TEST_ABORT_AFTER_WRITES=N`: abort the process when the N-th write has been
//!   answered by Intercom, before its outcome is journaled (a kill with a write in flight).
//! - `HELPCENTER_TEST_JOURNAL_FULL_AFTER=N`: every journal write after the N-th fails as on
//!   a full disk (ENOSPC).
//! - `HELPCENTER_TEST_HANG_AFTER_JOURNAL=N`: after the N-th journal entry, print
//!   `test hook: paused` on stderr and stop (holding the lock) until killed.

#[cfg(debug_assertions)]
mod imp {
    use std::sync::atomic::{AtomicUsize, Ordering};

    static WRITES: AtomicUsize = AtomicUsize::new(0);
    static JOURNALED: AtomicUsize = AtomicUsize::new(0);
    static APPENDS: AtomicUsize = AtomicUsize::new(0);

    pub fn journal_full() -> bool {
        let n = APPENDS.fetch_add(1, Ordering::SeqCst) + 1;
        limit("HELPCENTER_TEST_JOURNAL_FULL_AFTER").is_some_and(|limit| n > limit)
    }

    fn limit(var: &str) -> Option<usize> {
        std::env::var(var).ok()?.parse().ok()
    }

    pub fn write_answered() {
        let n = WRITES.fetch_add(1, Ordering::SeqCst) + 1;
        if limit("HELPCENTER_TEST_ABORT_AFTER_WRITES") == Some(n) {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("test hook: aborting after {n} answered write(s)");
            }
            std::process::abort();
        }
    }

    pub fn journaled() {
        let n = JOURNALED.fetch_add(1, Ordering::SeqCst) + 1;
        if limit("HELPCENTER_TEST_HANG_AFTER_JOURNAL") == Some(n) {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("test hook: paused after {n} journal entries");
            }
            loop {
                std::thread::park();
            }
        }
    }
}

/// A write was answered (called before its outcome is journaled).
pub fn write_answered() {
    #[cfg(debug_assertions)]
    imp::write_answered();
}

/// A journal entry was written.
pub fn journaled() {
    #[cfg(debug_assertions)]
    imp::journaled();
}

/// Whether this journal append must fail as on a full disk.
pub fn journal_full() -> bool {
    #[cfg(debug_assertions)]
    return imp::journal_full();
    #[cfg(not(debug_assertions))]
    false
}
