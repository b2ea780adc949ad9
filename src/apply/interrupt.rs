//! Ctrl-C during `apply`: the first SIGINT stops new writes (the executor asks
//! [`requested`] before journaling each intent), lets the requests in flight finish and be
//! recorded, and the command then saves the state and exits 130. A second SIGINT quits at
//! once: every write's intent is already journaled, so the next run settles it (crash safety).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once the user asked to stop; never reset within a process (one apply per process).
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Whether a stop was asked for: no new write may be sent.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Asks the executor to stop sending (what the first SIGINT does).
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}

/// The exit code of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_CODE: u8 = 130;

/// Runs `work` to completion while listening for SIGINT: the first one calls [`request`]
/// and `on_first` (to say what happens now); a second one exits the process with
/// [`EXIT_CODE`]. Returns the output of `work` and whether a stop was requested.
pub async fn run_interruptible<F: Future>(work: F, on_first: impl Fn()) -> (F::Output, bool) {
    let mut signals = Signals::new();
    tokio::pin!(work);
    loop {
        tokio::select! {
            output = &mut work => return (output, requested()),
            () = signals.next() => {
                if requested() {
                    std::process::exit(i32::from(EXIT_CODE));
                }
                request();
                on_first();
            }
        }
    }
}

/// SIGINT as a stream; pending forever when the handler cannot be installed.
struct Signals {
    #[cfg(unix)]
    inner: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Self {
        Self {
            #[cfg(unix)]
            inner: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok(),
        }
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        {
            match &mut self.inner {
                Some(signal) => {
                    if signal.recv().await.is_none() {
                        std::future::pending::<()>().await;
                    }
                }
                None => std::future::pending::<()>().await,
            }
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
