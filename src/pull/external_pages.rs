//! `pull` of a Fin target: the external pages of its Content Import Source as Markdown files
//! (HTML → Markdown as for articles), so an existing content library comes under version
//! control. A page whose `external_id` is a key the target selects goes to `<external_id>.md`;
//! any other goes to a file named after its title under the target's `include` folder, with
//! the `external_id` kept as an explicit `key`; one whose `external_id` cannot be a key is
//! left out with a note. Every folder gets the `_collection.yml` the content
//! tree needs. In: the pages, the Fin settings, the folders that already have one. Out: a
//! [`Pull`] (files + placements) for `commands::pull` to write.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::content::config::{FinPages, ScopeMatcher};
use crate::content::front_matter::check_key;
use crate::content::model::ArticleState;
use crate::pull::html_to_markdown;
use crate::pull::names::slugify;
use crate::pull::writer::{self, ArticleText, CollectionText};
use crate::pull::{Placement, Pull, relative_path};
use crate::remote::ai_content::ExternalPage;

/// What the pulled files are written against.
pub struct PageContext<'a> {
    pub fin: &'a FinPages,
    /// The literal folder of the target's first `include` glob (`internal` for
    /// `internal/**`), where pages without a usable key go.
    pub folder: &'a str,
    /// `[defaults]` of `fin_agent` / `fin_copilot` (true when unset).
    pub default_agent: bool,
    pub default_copilot: bool,
    /// Folders (relative, `/`-separated) that already hold a `_collection.yml`.
    pub collection_dirs: &'a BTreeSet<String>,
    /// The target's `include`/`exclude`: a page whose key path it does not select goes to
    /// `folder` instead.
    pub scope: &'a ScopeMatcher,
}

/// The literal folder before the first wildcard of `glob` (`internal/**` → `internal`).
pub fn literal_folder(glob: &str) -> String {
    let cut = glob.find(['*', '?', '[', '{']).unwrap_or(glob.len());
    let literal = &glob[..cut];
    match literal.rfind('/') {
        Some(i) => literal[..i].to_owned(),
        None => String::new(),
    }
}

/// Converts `pages` into files.
pub fn pull_pages(cx: &PageContext<'_>, pages: &[ExternalPage]) -> Pull {
    let mut pull = Pull::default();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    // Where each page goes, first, so links between them can be made relative.
    let mut placed: Vec<(&ExternalPage, String, Option<String>)> = Vec::new();
    let mut sorted: Vec<&ExternalPage> = pages.iter().collect();
    sorted.sort_by_key(|p| (p.id.parse::<u64>().unwrap_or(u64::MAX), p.id.clone()));
    for page in sorted {
        let usable = check_key(&page.external_id).is_ok()
            && !page.external_id.starts_with('/')
            && !page
                .external_id
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == "..");
        if !usable {
            pull.notes.push(format!(
                "external page `{}` (id {}) is not pulled: its external_id `{}` cannot be a key (letters, digits, `-`, `_`, `.` and `/`)",
                page.title, page.id, page.external_id
            ));
            continue;
        }
        let (base, key) = if !taken.contains(&page.external_id.to_lowercase())
            && cx.scope.selects(&format!("{}.md", page.external_id))
        {
            (page.external_id.clone(), None)
        } else {
            let slug = slugify(&page.title);
            let slug = if slug.is_empty() {
                "page".to_owned()
            } else {
                slug
            };
            let prefix = if cx.folder.is_empty() {
                String::new()
            } else {
                format!("{}/", cx.folder)
            };
            let mut base = format!("{prefix}{slug}");
            let mut n = 2;
            while taken.contains(&base.to_lowercase()) {
                base = format!("{prefix}{slug}-{n}");
                n += 1;
            }
            (base, Some(page.external_id.clone()))
        };
        taken.insert(base.to_lowercase());
        placed.push((page, base, key));
    }
    let by_url: BTreeMap<String, String> = placed
        .iter()
        .map(|(_, base, key)| {
            let key = key.as_deref().unwrap_or(base);
            (cx.fin.url_of(key), format!("{base}.md"))
        })
        .chain(
            placed
                .iter()
                .filter_map(|(page, base, _)| Some((page.url.clone()?, format!("{base}.md")))),
        )
        .collect();
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    for (page, base, key) in &placed {
        let path = format!("{base}.md");
        let dir = base.rsplit_once('/').map_or("", |(d, _)| d);
        let link = |href: &str| by_url.get(href).map(|target| relative_path(dir, target));
        let converted = html_to_markdown::convert(&page.html, &link);
        for note in converted.notes {
            pull.notes.push(format!("`{path}`: {note}"));
        }
        let mut text = writer::article_file(&ArticleText {
            title: page.title.clone(),
            description: String::new(),
            state: ArticleState::Published,
            author: None,
            key: key.clone(),
            markdown: converted.markdown,
        });
        // `state` means nothing to a page; the availabilities are written when they differ
        // from the defaults.
        text = text.replacen("state: published\n", "", 1);
        let mut extra = String::new();
        if page.ai_agent_availability != cx.default_agent {
            let _ = writeln!(extra, "fin_agent: {}", page.ai_agent_availability);
        }
        if page.ai_copilot_availability != cx.default_copilot {
            let _ = writeln!(extra, "fin_copilot: {}", page.ai_copilot_availability);
        }
        if !extra.is_empty() {
            text = text.replacen("\n---\n", &format!("\n{extra}---\n"), 1);
        }
        let expected_url = cx.fin.url_of(key.as_deref().unwrap_or(base));
        if page.url.as_deref().is_some_and(|u| u != expected_url) {
            pull.notes.push(format!(
                "`{path}`: its URL in Intercom is `{}`, but `page_url` gives `{expected_url}`: the next `apply` sends the latter",
                page.url.as_deref().unwrap_or_default()
            ));
        }
        pull.files.insert(path.clone(), text);
        pull.articles.push(Placement {
            id: page.id.clone(),
            key: key.clone().unwrap_or_else(|| base.clone()),
            path,
        });
        let mut d = dir;
        while !d.is_empty() {
            dirs.insert(d.to_owned());
            d = d.rsplit_once('/').map_or("", |(p, _)| p);
        }
    }
    for dir in dirs.iter().filter(|d| !cx.collection_dirs.contains(*d)) {
        let name = dir.rsplit('/').next().unwrap_or(dir);
        pull.files.insert(
            format!("{dir}/_collection.yml"),
            writer::collection_file(&CollectionText {
                name: name.to_owned(),
                description: String::new(),
                translations: BTreeMap::new(),
                key: None,
            }),
        );
    }
    pull
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_literal_folder_of_a_glob() {
        assert_eq!(literal_folder("internal/**"), "internal");
        assert_eq!(literal_folder("docs/internal/*.md"), "docs/internal");
        assert_eq!(literal_folder("**"), "");
        assert_eq!(literal_folder("faq.md"), "");
    }
}
