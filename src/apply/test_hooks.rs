//! Crash points for the integration tests, read from the environment in debug builds only
//! (release builds compile them away): the tests kill `apply` at a deterministic point
//! instead of sleeping and hoping.
//!
//! - `HELPCENTER_TEST_ABORT_AFTER_WRITES=N`: abort the process when the N-th write has been
//!   answered by Intercom, before its outcome is journaled (a kill with a write in flight).
//! - `HELPCENTER_TEST_HANG_AFTER_JOURNAL=N`: after the N-th journal entry, print
//!   `test hook: paused` on stderr and stop (holding the lock) until killed.

#[cfg(debug_assertions)]
mod imp {
    use std::sync::atomic::{AtomicUsize, Ordering};

    static WRITES: AtomicUsize = AtomicUsize::new(0);
    static JOURNALED: AtomicUsize = AtomicUsize::new(0);

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
