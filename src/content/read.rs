//! Reading the files of the content tree with bounds: only regular files (a FIFO would block
//! forever, a link to `/dev/zero` would never end) and never more than a size cap, so no file
//! can hang the tool or exhaust its memory. Errors are `io::Error`s whose text says what to fix.

use std::io::Read as _;
use std::path::Path;

/// The largest `helpcenter.toml` read.
pub const CONFIG_LIMIT: u64 = 1 << 20;
/// The largest Markdown or YAML file read.
pub const TEXT_LIMIT: u64 = 16 << 20;
/// The largest image or linked asset read.
pub const ASSET_LIMIT: u64 = 64 << 20;

/// Reads `path` whole when it is (or links to) a regular file of at most `limit` bytes.
pub fn bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let file = open_without_blocking(path)?;
    // The opened file's own type, so a file swapped after the walk is caught too.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "larger than {} MiB, the most this tool reads from one file",
                limit >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// Opens `path` for reading without blocking on a FIFO. On Unix with `O_NONBLOCK` (a FIFO
/// opens at once, and is then refused by its type; regular files ignore the flag): one path
/// lookup instead of a `stat` before the `open`, which was a quarter of reading a small file.
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

/// Opens `path` for reading; checked first, since opening a pipe can block until a writer comes.
#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    std::fs::File::open(path)
}

fn not_regular(meta: &std::fs::Metadata) -> std::io::Error {
    let what = if meta.is_dir() {
        "a directory"
    } else {
        special_kind(meta)
    };
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("not a regular file ({what}): replace it by a plain file"),
    )
}

#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_meta: &std::fs::Metadata) -> &'static str {
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_small_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "hello").unwrap();
        assert_eq!(bounded(&file, 5).unwrap(), b"hello");
        let err = bounded(&file, 4).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        let err = bounded(dir.path(), 4).unwrap_err();
        assert!(err.to_string().contains("a directory"), "{err}");
        #[cfg(unix)]
        {
            let err = bounded(Path::new("/dev/zero"), 1 << 20).unwrap_err();
            assert!(err.to_string().contains("a device"), "{err}");
        }
    }

    /// A FIFO with no writer: opening it for reading would block forever without the flag.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.md");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let err = bounded(&fifo, 1 << 20).unwrap_err();
        assert!(err.to_string().contains("a FIFO"), "{err}");
    }
}
