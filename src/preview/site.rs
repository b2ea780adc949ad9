//! The content tree as the preview shows it: one loaded and rendered snapshot (the index keeps
//! the current one). In: the content root. Out: a [`Site`] with every article file rendered
//! exactly as `apply` would send it, plus the `check` diagnostics, and what every page of the
//! snapshot shares, built once on first use: the [`Outline`] of the collection tree and the
//! sidebar per locale.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::content::loader::sort_diagnostics;
use crate::content::model::{LocalArticle, LocalCollection, Project};
use crate::diagnostics::Diagnostic;
use crate::preview::outline::Outline;
use crate::preview::pages::Sidebar;
use crate::render::Rendered;

/// One snapshot of the content tree.
pub struct Site {
    /// The content root.
    pub root: PathBuf,
    /// `None` when the tree could not be loaded at all (e.g. a broken `helpcenter.toml`).
    pub project: Option<Project>,
    /// Load and render diagnostics, sorted by path, line and column (what `check` reports).
    pub diagnostics: Vec<Diagnostic>,
    /// `(article key, locale)` → its rendered body (shared with the next snapshot when the
    /// file did not change).
    rendered: HashMap<(String, String), Arc<Rendered>>,
    /// The collection tree indexed, built on first use.
    outline: OnceLock<Outline>,
    /// The sidebar per locale, built on first use.
    sidebars: Mutex<HashMap<String, Arc<Sidebar>>>,
}

impl Site {
    /// Loads `root` and renders every article file.
    pub fn load(root: &Path) -> Self {
        let loaded = crate::content::load(root);
        let mut diagnostics = loaded.diagnostics;
        let mut rendered = HashMap::new();
        if let Some(project) = &loaded.project {
            for article in &project.articles {
                for (locale, file) in &article.locales {
                    let r = crate::render::render_article(project, article, file);
                    diagnostics.extend(r.diagnostics.iter().cloned());
                    rendered.insert((article.key.clone(), locale.clone()), Arc::new(r));
                }
            }
        }
        sort_diagnostics(&mut diagnostics);
        diagnostics.dedup();
        Self {
            root: root.to_path_buf(),
            project: loaded.project,
            diagnostics,
            rendered,
            outline: OnceLock::new(),
            sidebars: Mutex::new(HashMap::new()),
        }
    }

    /// A snapshot from a loaded `project` (with its load diagnostics) and its renderings by
    /// (article key, locale): what the preview's index builds without rendering everything.
    pub fn from_parts(
        root: &Path,
        project: Option<Project>,
        mut diagnostics: Vec<Diagnostic>,
        rendered: HashMap<(String, String), Arc<Rendered>>,
    ) -> Self {
        // In the order `load` renders (article, then locale), so ties sort alike.
        for article in project.iter().flat_map(|p| &p.articles) {
            for locale in article.locales.keys() {
                if let Some(r) = rendered.get(&(article.key.clone(), locale.clone())) {
                    diagnostics.extend(r.diagnostics.iter().cloned());
                }
            }
        }
        sort_diagnostics(&mut diagnostics);
        diagnostics.dedup();
        Self {
            root: root.to_path_buf(),
            project,
            diagnostics,
            rendered,
            outline: OnceLock::new(),
            sidebars: Mutex::new(HashMap::new()),
        }
    }

    /// The rendering of `key` in `locale`, as loaded.
    pub fn rendered(&self, key: &str, locale: &str) -> Option<&Rendered> {
        self.rendered_shared(key, locale).map(Arc::as_ref)
    }

    /// The rendering of `key` in `locale`, to share with another snapshot.
    pub fn rendered_shared(&self, key: &str, locale: &str) -> Option<&Arc<Rendered>> {
        self.rendered.get(&(key.to_owned(), locale.to_owned()))
    }

    /// The collection tree indexed (`None` when the tree did not load).
    pub fn outline(&self) -> Option<&Outline> {
        let project = self.project.as_ref()?;
        Some(self.outline.get_or_init(|| Outline::new(project)))
    }

    /// The sidebar in `locale`: `build` makes it on the first call per locale, later calls
    /// share it (the snapshot does not change; the next one starts empty).
    pub fn sidebar_in(&self, locale: &str, build: impl FnOnce() -> Sidebar) -> Arc<Sidebar> {
        let mut sidebars = self.sidebars.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            sidebars
                .entry(locale.to_owned())
                .or_insert_with(|| Arc::new(build())),
        )
    }

    /// Number of errors among the diagnostics.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// The diagnostics as `check` prints them (plain text, with source snippets).
    pub fn diagnostics_text<'a>(
        &self,
        diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    ) -> String {
        let list: Vec<Diagnostic> = diagnostics.into_iter().cloned().collect();
        crate::diagnostics::render_text(&list, false, crate::diagnostics::slash_path, |path| {
            std::fs::read_to_string(self.root.join(path)).ok()
        })
    }

    /// The body of `article` in `locale` as `apply` would send it, with links to other
    /// articles pointing into the preview and published asset URLs served from the tree.
    pub fn body(&self, project: &Project, article: &LocalArticle, locale: &str) -> Option<String> {
        let rendered = self
            .rendered
            .get(&(article.key.clone(), locale.to_owned()))?;
        let outline = self.outline.get_or_init(|| Outline::new(project));
        let html = crate::render::resolve_links(&rendered.html, |key| {
            outline.article(key).map(|_| article_url(key, locale))
        });
        Some(match &project.config.assets.base_url {
            Some(base) if !base.is_empty() => html.replace(
                &format!("src=\"{}", crate::preview::pages::escape(base)),
                "src=\"/files/",
            ),
            _ => html,
        })
    }
}

/// The preview URL of an article in a locale.
pub fn article_url(key: &str, locale: &str) -> String {
    format!(
        "/articles/{}?locale={}",
        encode_path(key),
        encode_path(locale)
    )
}

/// Percent-encodes everything but unreserved characters and `/`.
pub fn encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A collection's name in `locale`, falling back to the default locale.
pub fn collection_name<'a>(collection: &'a LocalCollection, locale: &str) -> &'a str {
    collection
        .translations
        .get(locale)
        .map_or(collection.name.as_str(), |t| t.name.as_str())
}

/// A collection's description in `locale`, falling back to the default locale.
pub fn collection_description<'a>(
    collection: &'a LocalCollection,
    locale: &str,
) -> Option<&'a str> {
    collection
        .translations
        .get(locale)
        .map_or(collection.description.as_deref(), |t| {
            t.description.as_deref()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_keys_for_urls() {
        assert_eq!(encode_path("a/b c?d"), "a/b%20c%3Fd");
        assert_eq!(
            article_url("guides/x", "fr"),
            "/articles/guides/x?locale=fr"
        );
    }
}
