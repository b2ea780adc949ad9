//! `.helpcenter/<target>.lock`: one run at a time per target. An OS file lock (released by
//! the OS when the process dies, so a crash never leaves a stale lock) held by every command
//! that reads or writes the target's state. A second command waits for it, then gives up.

use std::fs::{File, OpenOptions};

use fs4::TryLockError;
use std::io::{self, Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a waiting command tries the lock again.
const POLL: Duration = Duration::from_millis(50);

/// Path of the lock file of `target` under `root`.
pub fn path_for(root: &Path, target: &str) -> PathBuf {
    root.join(".helpcenter").join(format!("{target}.lock"))
}

/// The held lock; dropping it releases the lock (the file stays, empty of meaning).
#[derive(Debug)]
pub struct TargetLock {
    _file: File,
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process held it for the whole timeout. `holder` is what it wrote (its pid).
    Busy {
        path: PathBuf,
        holder: Option<String>,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Busy { path, holder } => {
                write!(
                    f,
                    "`{}` is held by another helpcenter command",
                    path.display()
                )?;
                if let Some(h) = holder {
                    write!(f, " ({h})")?;
                }
                Ok(())
            }
            Self::Io { path, error } => write!(f, "cannot lock `{}`: {error}", path.display()),
        }
    }
}

/// Takes the lock of `target`, waiting up to `timeout`. `on_wait` is called once, with the
/// holder's description, when the lock is busy at the first try.
pub fn acquire(
    root: &Path,
    target: &str,
    timeout: Duration,
    on_wait: impl FnOnce(Option<&str>),
) -> Result<TargetLock, LockError> {
    let path = path_for(root, target);
    let io_err = |error| LockError::Io {
        path: path.clone(),
        error,
    };
    let folder = path.parent().expect("lock path has a parent");
    // The lock, state and journal live under `.helpcenter/`: a link there would send every
    // state write outside the content root.
    for p in [folder, path.as_path()] {
        if std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(LockError::Io {
                path: p.to_path_buf(),
                error: io::Error::other(
                    "a symbolic link: state files are never written through links",
                ),
            });
        }
    }
    std::fs::create_dir_all(folder).map_err(io_err)?;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io_err)?;
    let started = Instant::now();
    let mut on_wait = Some(on_wait);
    loop {
        // fs4's lock (flock / LockFileEx), spelled out: std's own `File::try_lock` needs 1.89.
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                let holder = holder(&mut file);
                if let Some(f) = on_wait.take() {
                    f(holder.as_deref());
                }
                if started.elapsed() >= timeout {
                    return Err(LockError::Busy { path, holder });
                }
                std::thread::sleep(POLL.min(timeout.saturating_sub(started.elapsed())));
            }
            Err(TryLockError::Error(e)) => return Err(io_err(e)),
        }
    }
    // Who holds it, for the message a waiting command prints. Best effort.
    let _ = file.set_len(0).and_then(|()| {
        file.rewind()?;
        write!(file, "pid {}", std::process::id())?;
        file.flush()
    });
    Ok(TargetLock { _file: file })
}

fn holder(file: &mut File) -> Option<String> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(64).read_to_string(&mut text).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_linked_state_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join(".helpcenter")).unwrap();
        let err = acquire(dir.path(), "t", Duration::ZERO, |_| panic!("free")).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn second_taker_waits_then_gives_up_and_gets_it_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let held = acquire(dir.path(), "t", Duration::ZERO, |_| panic!("free")).unwrap();
        let mut waited = None;
        let err = acquire(dir.path(), "t", Duration::from_millis(100), |h| {
            waited = Some(h.map(str::to_owned));
        })
        .unwrap_err();
        assert!(matches!(err, LockError::Busy { .. }), "{err}");
        let expected = format!("pid {}", std::process::id());
        assert_eq!(waited, Some(Some(expected)));
        drop(held);
        acquire(dir.path(), "t", Duration::ZERO, |_| panic!("released")).unwrap();
    }
}
