//! Stage 2: Markdown → the sanitized HTML Intercom accepts, with diagnostics.
//!
//! In: a [`LocalArticle`] file of a loaded [`Project`]. Out: [`Rendered`] — body HTML in which
//! links to other articles are `#helpcenter-key:<key>` placeholders (their Intercom URLs are
//! only known from the remote; see [`resolve_links`]), plus warnings and errors with locations.

pub mod callouts;
mod escape;
mod links;
mod markdown;
mod sanitize;
#[cfg(test)]
pub(crate) mod tests;
pub mod video;

use std::path::PathBuf;

use crate::content::model::{ArticleFile, LocalArticle, Project};
use crate::diagnostics::{Diagnostic, Severity};

/// The deepest nesting of elements (Markdown and raw HTML together) a body may have; deeper is
/// an error. Below [`crate::html_dom::MAX_DEPTH`], so what `check` accepts every stage reads whole.
pub const MAX_NESTING: usize = 64;

/// The href prefix that marks a link to another article of the content tree.
pub const LINK_PLACEHOLDER: &str = "#helpcenter-key:";

/// One rendered article file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitized body HTML, with article links as `#helpcenter-key:<key>` placeholders.
    pub html: String,
    /// Warnings and errors, in source order; repeated identical warnings are reported once.
    pub diagnostics: Vec<Diagnostic>,
    /// Keys of the articles this body links to (deduplicated, in order of appearance).
    pub links: Vec<String>,
    /// Local asset files referenced (relative to the root), for change detection.
    pub assets: Vec<PathBuf>,
}

/// Renders one locale file of `article`: Markdown → Intercom HTML, with every warning and error
/// located at its `file:line:col`.
pub fn render_article(project: &Project, article: &LocalArticle, file: &ArticleFile) -> Rendered {
    markdown::render(project, article, file)
}

/// A problem found while rendering, before it gets its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            code,
            message: message.into(),
            hint: None,
        }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            ..Self::warning(code, message)
        }
    }

    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Replaces `#helpcenter-key:<key>` placeholders with the URL `resolve(key)` returns; keeps the
/// placeholder when it returns `None`.
pub fn resolve_links(html: &str, mut resolve: impl FnMut(&str) -> Option<String>) -> String {
    let needle = format!("href=\"{LINK_PLACEHOLDER}");
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(pos) = rest.find(&needle) {
        let start = pos + "href=\"".len();
        out.push_str(&rest[..start]);
        let after = &rest[start + LINK_PLACEHOLDER.len()..];
        let end = after.find('"').unwrap_or(after.len());
        // The key is attribute text: `g/a&b` is written `g/a&amp;b`.
        let key = &after[..end];
        if let Some(url) = resolve(&escape::decode_entities(key)) {
            out.push_str(&url.replace('"', "%22"));
        } else {
            out.push_str(LINK_PLACEHOLDER);
            out.push_str(key);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn resolves_known_keys_and_keeps_unknown_ones() {
        let html = r##"<a href="#helpcenter-key:a/b">x</a> <a href="#helpcenter-key:c">y</a>"##;
        let out = resolve_links(html, |k| (k == "a/b").then(|| "https://h/1-x".to_owned()));
        assert_eq!(
            out,
            r##"<a href="https://h/1-x">x</a> <a href="#helpcenter-key:c">y</a>"##
        );
    }

    #[test]
    fn keys_are_read_as_attribute_text() {
        let html = r##"<a href="#helpcenter-key:g/a&amp;b">x</a><a href="#helpcenter-key:g/&quot;q&quot;">y</a>"##;
        let out = resolve_links(html, |k| match k {
            "g/a&b" => Some("https://h/1-ab".to_owned()),
            "g/\"q\"" => Some("https://h/2-q".to_owned()),
            _ => None,
        });
        assert_eq!(
            out,
            r#"<a href="https://h/1-ab">x</a><a href="https://h/2-q">y</a>"#
        );
    }
}
