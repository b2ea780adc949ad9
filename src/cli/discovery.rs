//! Where the content root is when `--dir` is not given: `HELPCENTER_DIR` when set, else the
//! nearest folder from the working directory upward that holds `helpcenter.toml` (as git and
//! cargo find their roots). In: the parsed `--dir` and where its value came from; out: the
//! root every command reads, or one error with a hint when there is none.

use std::path::{Path, PathBuf};

use crate::content::config::FILE_NAME;
use crate::error::CommandError;

/// Where the value of `--dir` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirSource {
    /// `--dir DIR` on the command line.
    Flag,
    /// The `HELPCENTER_DIR` environment variable.
    Env,
    /// Neither: look upward from the working directory.
    Discover,
}

/// The content root for a command that reads `helpcenter.toml`.
///
/// `dir` is the value of `--dir` (or `HELPCENTER_DIR`); with [`DirSource::Discover`], the
/// nearest folder from `cwd` upward holding the file, as a relative path (`.`, `..`,
/// `../..`) so that paths in messages stay short.
pub fn content_root(dir: &Path, source: DirSource, cwd: &Path) -> Result<PathBuf, CommandError> {
    match source {
        DirSource::Flag | DirSource::Env => {
            if present(&dir.join(FILE_NAME)) {
                return Ok(dir.to_path_buf());
            }
            let via = if source == DirSource::Flag {
                "`--dir`"
            } else {
                "`HELPCENTER_DIR`"
            };
            Err(CommandError::invalid(format!(
                "no `{FILE_NAME}` in `{}` (from {via})",
                dir.display()
            ))
            .with_hint(format!(
                "run `helpcenter init` with the same {via} to write one, or point {via} at the folder that holds it"
            )))
        }
        DirSource::Discover => {
            for (up, folder) in cwd.ancestors().enumerate() {
                if present(&folder.join(FILE_NAME)) {
                    return Ok(if up == 0 {
                        PathBuf::from(".")
                    } else {
                        std::iter::repeat_n("..", up).collect()
                    });
                }
            }
            Err(CommandError::invalid(format!(
                "no `{FILE_NAME}` in `.` or any folder above it (`{}`)",
                cwd.display()
            ))
            .with_hint(
                "run `helpcenter init` to write one here, or pass the content root with `--dir DIR` (or `HELPCENTER_DIR`)",
            ))
        }
    }
}

/// Whether a config file is there at all: a FIFO, a device or a dangling link counts, so the
/// reader says what is wrong with it instead of "no `helpcenter.toml`".
fn present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        for f in files {
            let path = tmp.path().join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        tmp
    }

    #[test]
    fn discovery_finds_the_nearest_config_upward() {
        let tmp = tree(&[
            "help/helpcenter.toml",
            "help/a/b/x.md",
            "help/c/helpcenter.toml",
        ]);
        let at =
            |rel: &str| content_root(Path::new("."), DirSource::Discover, &tmp.path().join(rel));
        assert_eq!(at("help").unwrap(), Path::new("."));
        assert_eq!(at("help/a").unwrap(), Path::new(".."));
        assert_eq!(at("help/a/b").unwrap(), Path::new("../.."));
        // A nested config is the nearer one.
        assert_eq!(at("help/c").unwrap(), Path::new("."));
    }

    #[test]
    fn discovery_without_any_config_is_one_error_with_a_hint() {
        let tmp = tree(&["a/b/x.md"]);
        let err = content_root(Path::new("."), DirSource::Discover, &tmp.path().join("a/b"));
        let err = err.unwrap_err();
        assert!(
            err.to_string()
                .starts_with("no `helpcenter.toml` in `.` or any folder above it")
        );
        assert!(err.hint().unwrap().contains("`helpcenter init`"));
    }

    #[test]
    fn an_explicit_dir_is_not_searched_upward() {
        let tmp = tree(&["helpcenter.toml", "sub/x.md"]);
        let sub = tmp.path().join("sub");
        let err = content_root(&sub, DirSource::Flag, tmp.path()).unwrap_err();
        assert!(err.to_string().ends_with("(from `--dir`)"), "{err}");
        let err = content_root(&sub, DirSource::Env, tmp.path()).unwrap_err();
        assert!(
            err.to_string().ends_with("(from `HELPCENTER_DIR`)"),
            "{err}"
        );
        assert_eq!(
            content_root(tmp.path(), DirSource::Env, &sub).unwrap(),
            tmp.path()
        );
    }
}
