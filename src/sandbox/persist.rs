//! The state file: the store as JSON, loaded at start and written atomically (temp + rename).

use std::io;
use std::path::Path;

use super::store::Store;

/// Reads the store from `path`; a missing file gives an empty store.
pub fn load(path: &Path) -> io::Result<Store> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("`{}` is not a sandbox state file: {e}", path.display()),
            )
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Store::default()),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` (a serialized store) to `path` through a temporary file and a rename.
pub fn save_bytes(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.json");
        assert_eq!(load(&path).unwrap().articles.len(), 0);
        let store = Store {
            next_article_id: 42,
            ..Store::default()
        };
        save_bytes(&path, &serde_json::to_vec(&store).unwrap()).unwrap();
        assert_eq!(load(&path).unwrap(), store);
        std::fs::write(&path, "nope").unwrap();
        assert_eq!(load(&path).unwrap_err().kind(), io::ErrorKind::InvalidData);
    }
}
