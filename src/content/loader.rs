//! Placeholder for the content loader, which lands from the `content` branch: same signature,
//! no behaviour. Drop this file in favour of that branch's `loader.rs` at merge.

use std::path::Path;

use crate::content::model::Project;
use crate::diagnostics::Diagnostic;

/// The outcome of [`load`]: the project (when the config is usable) and every diagnostic.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// `None` only when `helpcenter.toml` is missing, unreadable or not TOML.
    pub project: Option<Project>,
    /// Errors and warnings, sorted by path, line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of content files read.
    pub files: usize,
}

/// Placeholder: reports that the loader is not part of this build.
pub fn load(root: &Path) -> Loaded {
    let _ = root;
    let mut d = Diagnostic::error(
        "loader-missing",
        "helpcenter.toml",
        1,
        1,
        "the content loader is not part of this build",
    );
    d.path = None;
    Loaded {
        project: None,
        diagnostics: vec![d],
        files: 0,
    }
}
