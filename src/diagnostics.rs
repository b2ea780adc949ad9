//! Diagnostics: content errors and warnings as data, and their renderings (human text with
//! a source snippet, JSON, GitHub annotations). Every stage reports through [`Diagnostic`].

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in the content, with its location (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable machine-readable code, e.g. `front-matter-unknown-field`.
    pub code: &'static str,
    /// Path relative to the content root, with `/` separators; `None` for project-wide issues.
    pub path: Option<PathBuf>,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `path:line:column`.
    pub fn error(
        code: &'static str,
        path: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Error,
            code,
            path: Some(path.into()),
            line,
            column,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning at `path:line:column`.
    pub fn warning(
        code: &'static str,
        path: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, path, line, column, message)
        }
    }

    /// Adds a `hint:` line telling the user how to fix it.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// How many errors and warnings a list holds.
pub fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// Codes whose source line must not be shown (it may hold a secret).
const NO_SNIPPET: [&str; 2] = ["config-token-in-file", "config-bad-token-env"];

/// Human text, rustc-style: `error: message`, `--> path:line:col`, the source line with a
/// caret under the column, and `= hint: ...`. `display_path` turns a root-relative path into
/// what the user should see; `source` returns a file's text (by root-relative path) for snippets.
pub fn render_text(
    diagnostics: &[Diagnostic],
    color: bool,
    display_path: impl Fn(&Path) -> String,
    mut source: impl FnMut(&Path) -> Option<String>,
) -> String {
    use anstyle::{AnsiColor, Style};

    use crate::output::printer::paint;

    let bold = Style::new().bold();
    let gutter = Style::new().bold().fg_color(Some(AnsiColor::Blue.into()));
    let mut cache: HashMap<PathBuf, Option<Vec<String>>> = HashMap::new();
    let mut out = String::new();
    for diag in diagnostics {
        let (tag, tag_color) = match diag.severity {
            Severity::Error => ("error", AnsiColor::Red),
            Severity::Warning => ("warning", AnsiColor::Yellow),
        };
        let tag_style = Style::new().bold().fg_color(Some(tag_color.into()));
        let _ = writeln!(
            out,
            "{}{} {}",
            paint(color, tag_style, tag),
            paint(color, bold, ":"),
            paint(color, bold, &diag.message)
        );
        let snippet_line = diag.path.as_ref().and_then(|path| {
            if diag.line == 0 || NO_SNIPPET.contains(&diag.code) {
                return None;
            }
            let lines = cache.entry(path.clone()).or_insert_with(|| {
                source(path).map(|text| text.lines().map(str::to_owned).collect())
            });
            // A token pasted into a file is never shown, whatever the diagnostic.
            let line = lines.as_ref()?.get(diag.line - 1)?;
            Some(crate::secrets::redact(line).into_owned())
        });
        let width = if snippet_line.is_some() {
            diag.line.to_string().len()
        } else {
            1
        };
        let pad = " ".repeat(width);
        if let Some(path) = &diag.path {
            let location = if diag.line == 0 {
                display_path(path)
            } else {
                format!("{}:{}:{}", display_path(path), diag.line, diag.column)
            };
            let _ = writeln!(out, "{pad}{} {location}", paint(color, gutter, "-->"));
        }
        if let Some(line) = snippet_line {
            let bar = paint(color, gutter, "|");
            // Keep tabs so the caret lines up with the column in any tab width.
            let indent: String = line
                .chars()
                .take(diag.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "{pad} {bar}");
            let _ = writeln!(
                out,
                "{} {bar} {line}",
                paint(color, gutter, &diag.line.to_string())
            );
            let _ = writeln!(out, "{pad} {bar} {indent}{}", paint(color, tag_style, "^"));
        }
        if let Some(hint) = &diag.hint {
            let _ = writeln!(out, "{pad} {} {hint}", paint(color, bold, "= hint:"));
        }
        out.push('\n');
    }
    out
}

/// The stable JSON form: an array of objects with `severity`, `code`, `file` (relative to the
/// content root, `/`-separated, or null), `line` and `column` (1-based, null for a whole
/// file), `message` and `hint` (or null). Pretty-printed, with a trailing newline.
pub fn render_json(diagnostics: &[Diagnostic]) -> String {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let located = d.line > 0;
            serde_json::json!({
                "severity": d.severity,
                "code": d.code,
                "file": d.path.as_ref().map(|p| slash_path(p)),
                "line": located.then_some(d.line),
                "column": located.then_some(d.column),
                "message": d.message,
                "hint": d.hint,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}

/// GitHub Actions workflow commands: `::error file=PATH,line=L,col=C,title=CODE::message`,
/// one per line, the hint appended to the message. `display_path` maps root-relative paths
/// to paths relative to the repository (the working directory of the job).
pub fn render_github(diagnostics: &[Diagnostic], display_path: impl Fn(&Path) -> String) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = Vec::new();
        if let Some(path) = &d.path {
            properties.push(format!("file={}", escape_property(&display_path(path))));
            if d.line > 0 {
                properties.push(format!("line={}", d.line));
                properties.push(format!("col={}", d.column));
            }
        }
        properties.push(format!("title={}", escape_property(d.code)));
        let mut message = d.message.clone();
        if let Some(hint) = &d.hint {
            message.push_str("\nhint: ");
            message.push_str(hint);
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        );
    }
    out
}

/// A path with `/` separators.
pub fn slash_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Escapes a workflow command message (`%`, `\r`, `\n`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command property value (the data escapes plus `:` and `,`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Diagnostic> {
        vec![
            Diagnostic::error(
                "front-matter-unknown-field",
                "g/a.md",
                2,
                3,
                "unknown field `titel`",
            )
            .with_hint("did you mean `title`?"),
            Diagnostic::warning("w", "g/b,c.md", 0, 0, "100% done\nreally"),
        ]
    }

    #[test]
    fn text_has_location_snippet_caret_and_hint() {
        let text = render_text(
            &sample(),
            false,
            |p| format!("content/{}", slash_path(p)),
            |p| (p == Path::new("g/a.md")).then(|| "---\n\tx: 1\n".to_owned()),
        );
        assert_eq!(
            text,
            "error: unknown field `titel`\n --> content/g/a.md:2:3\n  |\n2 | \tx: 1\n  | \t ^\n  = hint: did you mean `title`?\n\nwarning: 100% done\nreally\n --> content/g/b,c.md\n\n"
        );
    }

    #[test]
    fn github_escapes_data_and_properties() {
        let text = render_github(&sample(), slash_path);
        assert_eq!(
            text,
            "::error file=g/a.md,line=2,col=3,title=front-matter-unknown-field::unknown field `titel`%0Ahint: did you mean `title`?\n::warning file=g/b%2Cc.md,title=w::100%25 done%0Areally\n"
        );
    }

    #[test]
    fn json_has_null_positions_for_whole_files() {
        let value: serde_json::Value = serde_json::from_str(&render_json(&sample())).unwrap();
        assert_eq!(value[0]["line"], 2);
        assert_eq!(value[0]["severity"], "error");
        assert_eq!(value[1]["line"], serde_json::Value::Null);
        assert_eq!(value[1]["hint"], serde_json::Value::Null);
        assert_eq!(value[1]["file"], "g/b,c.md");
    }
}
