//! The one printer of problems: content diagnostics (text with a source snippet on stderr,
//! JSON or GitHub annotations on stdout) and a command's error (`error:` and `hint:` lines on
//! stderr). In: [`Diagnostic`]s and a [`CommandError`]; out: text through the [`Printer`].

use std::path::{Component, Path, PathBuf};

use crate::diagnostics::{self, Diagnostic};
use crate::error::CommandError;
use crate::output::Printer;
use crate::output::printer::Verbosity;

/// How diagnostics are shown (`check --format`; every other command shows text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// rustc-style text with the source line, on stderr.
    #[default]
    Text,
    /// The stable JSON array, on stdout.
    Json,
    /// GitHub Actions `::error file=,line=,col=::` commands, on stdout.
    Github,
}

impl Printer {
    /// Prints `diagnostics` (paths relative to `root`) in `format`. Text goes to stderr, only
    /// the errors with `-q`, and prints nothing for an empty list; JSON and GitHub annotations
    /// are data and always hold every diagnostic.
    pub fn diagnostics(&self, root: &Path, diagnostics: &[Diagnostic], format: DiagnosticFormat) {
        let display = |path: &Path| display_path(root, path);
        match format {
            DiagnosticFormat::Text => {
                let shown: Vec<Diagnostic> = diagnostics
                    .iter()
                    .filter(|d| d.is_error() || self.verbosity > Verbosity::Quiet)
                    .cloned()
                    .collect();
                if shown.is_empty() {
                    return;
                }
                let text = diagnostics::render_text(&shown, self.color_stderr, display, |path| {
                    std::fs::read_to_string(root.join(path)).ok()
                });
                self.stderr(&text);
            }
            DiagnosticFormat::Json => self.data(&diagnostics::render_json(diagnostics)),
            DiagnosticFormat::Github => {
                self.data(&diagnostics::render_github(diagnostics, display));
            }
        }
    }

    /// Prints why a command could not run: `error: what` and, when there is one, `hint: …`.
    pub fn command_error(&self, error: &CommandError) {
        self.error(&error.to_string());
        if let Some(hint) = error.hint() {
            self.hint(hint);
        }
    }
}

/// A root-relative path as the user should see it: under `--dir`, without `./`.
pub fn display_path(root: &Path, path: &Path) -> String {
    let joined: PathBuf = root
        .join(path)
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    diagnostics::slash_path(&joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_drop_the_current_dir() {
        assert_eq!(display_path(Path::new("."), Path::new("a/b.md")), "a/b.md");
        assert_eq!(
            display_path(Path::new("./content"), Path::new("a/b.md")),
            "content/a/b.md"
        );
    }
}
