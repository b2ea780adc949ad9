//! Path safety for `pull`: every path a pull writes or removes is checked before the first
//! write. Paths come from Intercom (names) and from the state file (recorded `dir`/`path`,
//! committed to Git, so as trusted as any input): each must be a plain relative path inside the
//! root, and no existing part of it may be a symbolic link (a file link, a dangling link or a
//! linked directory), with or without `--force`.

use std::path::{Component, Path};

use super::Pull;

/// Why a pull refuses to touch a path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsafePath {
    /// Not a plain relative path below the root (`..`, absolute, empty, control characters).
    #[error("`{0}` is not a path inside the content root: pull writes nothing")]
    Outside(String),
    /// An existing part of the path is a symbolic link.
    #[error("`{link}` is a symbolic link: pull never writes through links (needed for `{path}`)")]
    Link { path: String, link: String },
    /// An existing part of the path is not a directory, or the file is not a regular file.
    #[error("`{found}` is not a regular {what}: pull cannot write `{path}`")]
    NotRegular {
        path: String,
        found: String,
        what: &'static str,
    },
}

impl UnsafePath {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            UnsafePath::Outside(_) => {
                "the state file (`.helpcenter/<target>.state.json`) records a path outside the root: fix or remove that entry"
            }
            UnsafePath::Link { .. } => {
                "replace the link by the real file or directory, or remove it, then pull again"
            }
            UnsafePath::NotRegular { .. } => "move that entry out of the way, then pull again",
        }
    }
}

/// Checks every path `pull` writes or removes under `root`.
pub fn check(root: &Path, pull: &Pull) -> Result<(), UnsafePath> {
    for rel in pull.files.keys().chain(&pull.remove) {
        check_one(root, rel)?;
    }
    Ok(())
}

fn check_one(root: &Path, rel: &str) -> Result<(), UnsafePath> {
    let path = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains('\\')
        && !rel.chars().any(char::is_control)
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        return Err(UnsafePath::Outside(rel.to_owned()));
    }
    let parts: Vec<Component<'_>> = path.components().collect();
    let mut here = root.to_path_buf();
    let mut shown = String::new();
    for (i, part) in parts.iter().enumerate() {
        here.push(part);
        if !shown.is_empty() {
            shown.push('/');
        }
        shown.push_str(&part.as_os_str().to_string_lossy());
        let meta = match std::fs::symlink_metadata(&here) {
            Ok(meta) => meta,
            // Nothing there yet: the rest is created by the pull itself.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(_) => {
                return Err(UnsafePath::NotRegular {
                    path: rel.to_owned(),
                    found: shown,
                    what: "file or directory",
                });
            }
        };
        if meta.file_type().is_symlink() {
            return Err(UnsafePath::Link {
                path: rel.to_owned(),
                link: shown,
            });
        }
        let last = i + 1 == parts.len();
        let (ok, what) = if last {
            (meta.is_file(), "file")
        } else {
            (meta.is_dir(), "directory")
        };
        if !ok {
            return Err(UnsafePath::NotRegular {
                path: rel.to_owned(),
                found: shown,
                what,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pull_of(path: &str) -> Pull {
        let mut pull = Pull::default();
        pull.files.insert(path.to_owned(), String::new());
        pull
    }

    #[test]
    fn paths_must_be_plain_and_relative() {
        let root = tempfile::tempdir().unwrap();
        for bad in [
            "../victim/a.md",
            "/etc/x.md",
            "a/../../b.md",
            "",
            "a\nb.md",
            "./a.md",
            "a\\b.md",
        ] {
            assert!(
                matches!(
                    check(root.path(), &pull_of(bad)),
                    Err(UnsafePath::Outside(_))
                ),
                "{bad:?}"
            );
        }
        assert_eq!(check(root.path(), &pull_of("g/new/a.md")), Ok(()));
    }

    #[cfg(unix)]
    #[test]
    fn links_anywhere_on_the_path_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let r = root.path();
        std::fs::create_dir_all(r.join("g")).unwrap();
        std::os::unix::fs::symlink(outside.path(), r.join("linked")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("f.md"), r.join("g/file.md")).unwrap();
        std::os::unix::fs::symlink("/nonexistent/x", r.join("g/dangling.md")).unwrap();
        for (path, link) in [
            ("linked/a.md", "linked"),
            ("g/file.md", "g/file.md"),
            ("g/dangling.md", "g/dangling.md"),
        ] {
            assert_eq!(
                check(r, &pull_of(path)),
                Err(UnsafePath::Link {
                    path: path.to_owned(),
                    link: link.to_owned()
                })
            );
        }
        let mut removal = Pull::default();
        removal.remove.insert("linked/old.md".to_owned());
        assert!(check(r, &removal).is_err());
    }
}
