//! The tree walk: which files under the content root are collections, articles and assets.
//!
//! In: the root and the `exclude` globs. Out: a [`Tree`] of relative paths. Gitignore-aware
//! (`.gitignore`, `.ignore`, even outside a Git repository), hidden entries (`.git`,
//! `.helpcenter`) and `README.md` skipped, symlinks checked never to leave the root.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::content::collection_file;
use crate::content::config;
use crate::diagnostics::Diagnostic;

/// The files the content tree is made of, as `/`-separated paths relative to the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    /// Directories holding a `_collection.yml`.
    pub collection_dirs: BTreeSet<PathBuf>,
    /// Every `.md` file that is not ignored.
    pub markdown: Vec<PathBuf>,
    /// Every file that is neither Markdown nor a content file (images, attachments).
    pub assets: Vec<PathBuf>,
    /// Symlinks leaving the root, unreadable entries, misnamed collection files.
    pub diagnostics: Vec<Diagnostic>,
}

/// Compiles the `exclude` globs (invalid ones are reported by the config and skipped here).
pub fn exclude_set(globs: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        if let Ok(glob) = Glob::new(glob) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// `path` relative to `root`, with `/` separators; `None` when it is not under `root`.
pub fn relative(root: &Path, path: &Path) -> Option<PathBuf> {
    let rel = path.strip_prefix(root).ok()?;
    // What the walk gives: names only, copied as they are.
    if rel
        .components()
        .all(|component| matches!(component, Component::Normal(_)))
    {
        return Some(rel.to_path_buf());
    }
    let mut out = PathBuf::new();
    for component in rel.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Walks `root`, skipping ignored and excluded entries.
pub fn walk(root: &Path, exclude: &GlobSet) -> Tree {
    walk_with(root, exclude, &mut |_| {})
}

/// [`walk`], handing each Markdown file to `found` as soon as it is found (in the order of
/// [`Tree::markdown`]), so reading it can start before the walk ends.
pub fn walk_with(root: &Path, exclude: &GlobSet, found: &mut dyn FnMut(&Path)) -> Tree {
    let mut tree = Tree::default();
    // Per depth, for the directory being walked at that depth: name folded by case and NFC →
    // the first name seen. The walk goes depth first, so an entry at depth `d` ends the
    // directories deeper than `d` (their maps go) and is a sibling of the entries before it
    // at `d`.
    let mut folded: Vec<HashMap<String, String>> = Vec::new();
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let filter_root = root.to_path_buf();
    let filter_exclude = exclude.clone();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(std::ffi::OsStr::cmp)
        .filter_entry(move |entry| {
            filter_exclude.is_empty()
                || relative(&filter_root, entry.path())
                    .is_none_or(|rel| rel.as_os_str().is_empty() || !filter_exclude.is_match(&rel))
        })
        .build();

    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err_path(&err).and_then(|p| relative(root, p));
                tree.diagnostics.push(Diagnostic {
                    path,
                    ..Diagnostic::error(
                        "io",
                        "",
                        0,
                        0,
                        format!("cannot read the content tree: {err}"),
                    )
                });
                continue;
            }
        };
        let Some(rel) = relative(root, entry.path()) else {
            continue;
        };
        if rel.as_os_str().is_empty() {
            continue;
        }
        let depth = entry.depth().max(1);
        folded.truncate(depth);
        folded.resize_with(depth, HashMap::new);
        if let Err(diag) = check_name(&rel, &mut folded[depth - 1]) {
            tree.diagnostics.push(diag);
            continue;
        }
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        let is_file = if file_type.is_symlink() {
            match check_symlink(&canonical_root, entry.path(), &rel) {
                Ok(is_file) => is_file,
                Err(diag) => {
                    tree.diagnostics.push(diag);
                    continue;
                }
            }
        } else {
            file_type.is_file()
        };
        if !is_file {
            continue;
        }
        let markdown = tree.markdown.len();
        classify(&mut tree, rel);
        if let Some(rel) = tree.markdown.get(markdown) {
            found(rel);
        }
    }
    tree
}

/// File and directory names must check out the same everywhere: no control characters, and no
/// two names in one directory that differ only by case or Unicode normalization.
/// `siblings`: the names seen so far in `rel`'s directory, by their folded form.
fn check_name(rel: &Path, siblings: &mut HashMap<String, String>) -> Result<(), Diagnostic> {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.chars().any(char::is_control) {
        return Err(Diagnostic::error(
            "file-name",
            rel,
            0,
            0,
            format!("the name {name:?} holds a control character (newline, tab…)"),
        )
        .with_hint("rename it with letters, digits, `-` and `_`"));
    }
    // ASCII is its own NFC form, and its lowercase is ASCII's: no normalizer needed.
    let key = if name.is_ascii() {
        name.to_ascii_lowercase()
    } else {
        let nfc = icu_normalizer::ComposingNormalizerBorrowed::new_nfc();
        nfc.normalize(&name.to_lowercase()).into_owned()
    };
    match siblings.entry(key) {
        std::collections::hash_map::Entry::Occupied(first) if *first.get() != name => {
            Err(Diagnostic::error(
                "file-name-twin",
                rel,
                0,
                0,
                format!(
                    "`{name}` and `{}` differ only by case or Unicode normalization: they are one file on macOS and Windows",
                    first.get()
                ),
            )
            .with_hint("rename or merge one of them"))
        }
        std::collections::hash_map::Entry::Occupied(_) => Ok(()),
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(name);
            Ok(())
        }
    }
}

fn classify(tree: &mut Tree, rel: PathBuf) {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let at_root = rel.parent().is_none_or(|p| p.as_os_str().is_empty());
    if name == collection_file::FILE_NAME {
        tree.collection_dirs
            .insert(rel.parent().map(Path::to_path_buf).unwrap_or_default());
    } else if name == "_collection.yaml" {
        tree.diagnostics.push(
            Diagnostic::error(
                "collection-file-name",
                rel,
                0,
                0,
                "collection files are named `_collection.yml`, not `_collection.yaml`",
            )
            .with_hint("rename the file to `_collection.yml`"),
        );
    } else if name.eq_ignore_ascii_case("README.md") || (at_root && name == config::FILE_NAME) {
        // README files document the repository, not the help center.
    } else if Path::new(&name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
    {
        tree.markdown.push(rel);
    } else {
        tree.assets.push(rel);
    }
}

/// Follows a symlink: `Ok(true)` for a file inside the root, `Ok(false)` for a directory
/// inside the root (not followed: its target is walked where it lives).
fn check_symlink(canonical_root: &Path, path: &Path, rel: &Path) -> Result<bool, Diagnostic> {
    let target = std::fs::canonicalize(path).map_err(|_| {
        Diagnostic::error(
            "symlink-broken",
            rel,
            0,
            0,
            format!("`{}` is a broken symlink", rel.display()),
        )
        .with_hint("remove it or point it at a file inside the content root")
    })?;
    if !target.starts_with(canonical_root) {
        return Err(Diagnostic::error(
            "symlink-outside-root",
            rel,
            0,
            0,
            format!(
                "symlink `{}` points outside the content root",
                rel.display()
            ),
        )
        .with_hint("copy the file into the content root instead of linking to it"));
    }
    Ok(target.is_file())
}

fn err_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_stay_under_the_root() {
        let root = Path::new("/r");
        assert_eq!(
            relative(root, Path::new("/r/a/b.md")),
            Some(PathBuf::from("a/b.md"))
        );
        assert_eq!(relative(root, Path::new("/other")), None);
    }

    /// Twins are names of one directory: a subdirectory walked between them does not hide
    /// them, and one name in two directories is no twin.
    #[test]
    fn twins_are_found_within_a_directory_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for path in [
            "g/A.md",
            "g/b/x.md",
            "g/b/X.md",
            "g/b/c/a.md",
            "g/a.md",
            "h/a.md",
            "h/Docs/y.md",
            "h/docs",
            "a.md",
        ] {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, "").unwrap();
        }
        let tree = walk(root, &exclude_set(&[]));
        let twins: Vec<String> = tree
            .diagnostics
            .iter()
            .map(|d| format!("{} {}", d.code, d.path.as_ref().unwrap().display()))
            .collect();
        assert_eq!(
            twins,
            [
                "file-name-twin g/a.md",
                "file-name-twin g/b/x.md",
                "file-name-twin h/docs"
            ]
        );
    }

    #[test]
    fn classifies_and_ignores() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (path, text) in [
            ("helpcenter.toml", ""),
            ("README.md", ""),
            ("faq.md", ""),
            ("g/_collection.yml", ""),
            ("g/a.md", ""),
            ("g/img/x.png", ""),
            ("drafts/d.md", ""),
            ("ignored/i.md", ""),
            (".hidden/h.md", ""),
            (".gitignore", "ignored/\n"),
        ] {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        let tree = walk(root, &exclude_set(&["drafts/**".to_owned()]));
        assert_eq!(
            tree.markdown,
            [PathBuf::from("faq.md"), PathBuf::from("g/a.md")]
        );
        assert_eq!(tree.assets, [PathBuf::from("g/img/x.png")]);
        assert_eq!(tree.collection_dirs.len(), 1);
        assert!(tree.diagnostics.is_empty());
    }
}
