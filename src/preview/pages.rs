//! HTML pages of the preview, built as strings: the layout (top bar, sidebar with the
//! collection tree, locale switcher), the home page, article pages and diagnostics. Every
//! piece of content text goes through [`escape`]; article bodies are the sanitized HTML that
//! `apply` sends, inserted as is.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::content::model::{ArticleState, LocalArticle, Project};
use crate::diagnostics::Diagnostic;
use crate::preview::outline::Outline;
use crate::preview::site::{self, Site, article_url, collection_description, collection_name};

/// Escapes text for HTML element content and double- or single-quoted attributes.
pub fn escape(text: &str) -> String {
    crate::html_text::anywhere(text)
}

/// Which top-level view a page belongs to (highlighted in the top bar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Articles,
    Changes,
}

/// Everything the layout needs around the main column.
pub struct Layout<'a> {
    pub title: &'a str,
    pub view: View,
    /// Current locale and the page's URL in each locale (empty: no switcher).
    pub locale: &'a str,
    pub locale_links: Vec<(String, String)>,
    /// Sidebar HTML (already escaped).
    pub sidebar: String,
    /// Main column HTML (already escaped).
    pub main: String,
}

/// The whole HTML document.
pub fn layout(page: &Layout<'_>) -> String {
    let mut html = String::with_capacity(page.main.len() + page.sidebar.len() + 2048);
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · helpcenter preview</title>\
         <link rel=\"stylesheet\" href=\"/static/style.css\">\
         <script src=\"/static/app.js\" defer></script></head><body>",
        lang = escape(page.locale),
        title = escape(page.title),
    );
    let (articles_class, changes_class) = match page.view {
        View::Articles => (" class=\"active\"", ""),
        View::Changes => ("", " class=\"active\""),
    };
    let _ = write!(
        html,
        "<header class=\"topbar\"><a class=\"brand\" href=\"/?locale={loc}\">Help Center \
         <span class=\"brand-sub\">preview</span></a><nav class=\"views\">\
         <a id=\"nav-articles\" href=\"/?locale={loc}\"{articles_class}>Articles</a>\
         <a id=\"nav-changes\" href=\"/changes\"{changes_class}>Changes</a></nav>",
        loc = escape(&site::encode_path(page.locale)),
    );
    if !page.locale_links.is_empty() {
        html.push_str("<nav class=\"locales\" aria-label=\"Language\">");
        for (code, href) in &page.locale_links {
            let current = if code == page.locale {
                " class=\"current\" aria-current=\"true\""
            } else {
                ""
            };
            let _ = write!(
                html,
                "<a hreflang=\"{code}\" href=\"{href}\"{current}>{label}</a>",
                code = escape(code),
                href = escape(href),
                label = escape(&code.to_uppercase()),
            );
        }
        html.push_str("</nav>");
    }
    html.push_str("</header><div class=\"shell\">");
    if !page.sidebar.is_empty() {
        let _ = write!(html, "<aside class=\"sidebar\">{}</aside>", page.sidebar);
    }
    let _ = writeln!(
        html,
        "<main class=\"content\">{}</main></div></body></html>",
        page.main
    );
    html
}

/// Links to the same page in every configured locale.
pub fn locale_links(project: &Project, href: impl Fn(&str) -> String) -> Vec<(String, String)> {
    project
        .config
        .locales
        .iter()
        .map(|code| (code.clone(), href(code)))
        .collect()
}

/// The sidebar: root articles, then the collection tree with its articles; `current`'s links
/// marked. Built once per snapshot and locale (see [`Sidebar`]); empty when the tree did not
/// load.
pub fn sidebar(site: &Site, locale: &str, current: Option<&str>) -> String {
    let (Some(project), Some(outline)) = (&site.project, site.outline()) else {
        return String::new();
    };
    site.sidebar_in(locale, || Sidebar::build(project, outline, locale))
        .html(current)
}

/// One locale's sidebar HTML without a current article, and where each article's links take
/// the ` current` class: what every page of a snapshot shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sidebar {
    html: String,
    /// Article key → byte offsets in `html` just after its links' `article-link` class.
    marks: HashMap<String, Vec<usize>>,
}

impl Sidebar {
    /// The sidebar of `project` in `locale`.
    pub fn build(project: &Project, outline: &Outline, locale: &str) -> Self {
        let mut sidebar = Self {
            html: String::from("<nav class=\"tree\" aria-label=\"Collections\"><ul>"),
            marks: HashMap::new(),
        };
        for &i in &outline.root_articles {
            sidebar.article(&project.articles[i], locale);
        }
        for &c in &outline.top {
            let key = project.collections[c].key.as_str();
            sidebar.collection(project, outline, key, locale, &mut Vec::new());
        }
        sidebar.html.push_str("</ul></nav>");
        sidebar
    }

    /// The HTML with the links of `current` (if any) marked ` current`.
    pub fn html(&self, current: Option<&str>) -> String {
        const MARK: &str = " current";
        let marks = current
            .and_then(|key| self.marks.get(key))
            .map_or(&[][..], Vec::as_slice);
        let mut html = String::with_capacity(self.html.len() + marks.len() * MARK.len());
        let mut from = 0;
        for &at in marks {
            html.push_str(&self.html[from..at]);
            html.push_str(MARK);
            from = at;
        }
        html.push_str(&self.html[from..]);
        html
    }

    /// The collection `key` (the first with that key), its articles, then its
    /// sub-collections. `open` holds the keys being listed around it: a collection whose key
    /// is already open (a child reusing its parent's key, a `duplicate-key` error) is not
    /// listed inside itself again.
    fn collection(
        &mut self,
        project: &Project,
        outline: &Outline,
        key: &str,
        locale: &str,
        open: &mut Vec<String>,
    ) {
        let Some(c) = outline.collection(key) else {
            return;
        };
        if open.iter().any(|k| k == key) {
            return;
        }
        let collection = &project.collections[c];
        let _ = write!(
            self.html,
            "<li class=\"collection\" data-key=\"{}\"><details open><summary>{}</summary><ul>",
            escape(&collection.key),
            escape(collection_name(collection, locale))
        );
        for &a in outline.articles_in(key) {
            self.article(&project.articles[a], locale);
        }
        open.push(key.to_owned());
        for &child in outline.children_of(key) {
            let child = project.collections[child].key.as_str();
            self.collection(project, outline, child, locale, open);
        }
        open.pop();
        self.html.push_str("</ul></details></li>");
    }

    fn article(&mut self, article: &LocalArticle, locale: &str) {
        let at = article_item(&mut self.html, article, locale, None);
        self.marks.entry(article.key.clone()).or_default().push(at);
    }
}

/// Writes one article's sidebar item; returns the byte offset just after its `article-link`
/// class (where [`Sidebar::html`] marks the current article).
fn article_item(
    html: &mut String,
    article: &LocalArticle,
    locale: &str,
    current: Option<&str>,
) -> usize {
    let file = localized(article, locale);
    let mut class = String::from("article-link");
    if current == Some(article.key.as_str()) {
        class.push_str(" current");
    }
    let draft = if file.state == ArticleState::Draft {
        class.push_str(" is-draft");
        " <span class=\"badge draft\">Draft</span>"
    } else {
        ""
    };
    let start = html.len();
    let _ = write!(
        html,
        "<li><a class=\"{class}\" href=\"{href}\" data-key=\"{key}\">{title}{draft}</a></li>",
        href = escape(&article_url(&article.key, locale)),
        key = escape(&article.key),
        title = escape(&file.title),
    );
    start + "<li><a class=\"article-link".len()
}

/// The article's file in `locale`, else its default-locale file.
fn localized<'a>(
    article: &'a LocalArticle,
    locale: &str,
) -> &'a crate::content::model::ArticleFile {
    article
        .locales
        .get(locale)
        .or_else(|| article.locales.values().next())
        .expect("an article has at least its default-locale file")
}

/// The home page: collections as cards, and the content's diagnostics when there are any.
pub fn index(site: &Site, locale: &str) -> String {
    let Some(project) = &site.project else {
        return broken(site);
    };
    let mut main = String::new();
    main.push_str(&diagnostics_panel(site, &site.diagnostics));
    main.push_str(
        "<section class=\"hero\"><h1>Advice and answers</h1></section><div class=\"cards\">",
    );
    let outline = site.outline().expect("a loaded tree has an outline");
    for card in &outline.cards {
        let collection = &project.collections[card.collection];
        let count = card.count;
        let href = card.first.map_or_else(String::new, |a| {
            article_url(&project.articles[a].key, locale)
        });
        let _ = write!(
            main,
            "<a class=\"card\" href=\"{href}\" data-key=\"{key}\"><h2>{name}</h2>",
            href = escape(&href),
            key = escape(&collection.key),
            name = escape(collection_name(collection, locale)),
        );
        if let Some(description) = collection_description(collection, locale) {
            let _ = write!(main, "<p>{}</p>", escape(description));
        }
        let _ = write!(
            main,
            "<span class=\"count\">{count} article{}</span></a>",
            if count == 1 { "" } else { "s" }
        );
    }
    main.push_str("</div>");
    if !outline.root_articles.is_empty() {
        main.push_str("<section class=\"root-articles\"><h2>Articles</h2><ul>");
        for &article in &outline.root_articles {
            article_item(&mut main, &project.articles[article], locale, None);
        }
        main.push_str("</ul></section>");
    }
    layout(&Layout {
        title: "Help Center",
        view: View::Articles,
        locale,
        locale_links: locale_links(project, |code| {
            format!("/?locale={}", site::encode_path(code))
        }),
        sidebar: sidebar(site, locale, None),
        main,
    })
}

/// An article page, or `None` when no article has that key.
pub fn article(site: &Site, key: &str, locale: &str) -> Option<String> {
    let Some(project) = &site.project else {
        return Some(broken(site));
    };
    let outline = site.outline().expect("a loaded tree has an outline");
    let article = &project.articles[outline.article(key)?];
    let default_locale = project.config.default_locale.as_str();
    let (file, shown_locale) = match article.locales.get(locale) {
        Some(file) => (file, locale),
        None => (localized(article, default_locale), default_locale),
    };
    let mut main = String::new();
    let paths: Vec<&std::path::Path> = article.locales.values().map(|f| f.path.as_path()).collect();
    let own: Vec<&Diagnostic> = site
        .diagnostics
        .iter()
        .filter(|d| d.path.as_deref().is_some_and(|p| paths.contains(&p)))
        .collect();
    main.push_str(&diagnostics_panel(site, own.iter().copied()));
    main.push_str("<nav class=\"breadcrumb\" aria-label=\"Breadcrumb\"><a href=\"/?locale=");
    main.push_str(&escape(&site::encode_path(locale)));
    main.push_str("\">All collections</a>");
    if let Some(collection) = &article.collection {
        let mut chain = outline.ancestors(project, collection);
        chain.reverse();
        for key in chain {
            if let Some(c) = outline.collection(key).map(|c| &project.collections[c]) {
                let _ = write!(
                    main,
                    "<span class=\"sep\">›</span><span>{}</span>",
                    escape(collection_name(c, locale))
                );
            }
        }
    }
    main.push_str("</nav>");
    if shown_locale != locale {
        let _ = write!(
            main,
            "<p class=\"notice\">This article has no <code>{}</code> translation; showing <code>{}</code>.</p>",
            escape(locale),
            escape(shown_locale)
        );
    }
    let _ = write!(
        main,
        "<article class=\"article\" data-key=\"{key}\" data-locale=\"{loc}\"><header class=\"article-header\"><h1 class=\"article-title\">{title}</h1>",
        key = escape(&article.key),
        loc = escape(shown_locale),
        title = escape(&file.title),
    );
    if let Some(description) = &file.description {
        let _ = write!(
            main,
            "<p class=\"article-description\">{}</p>",
            escape(description)
        );
    }
    main.push_str("<div class=\"article-meta\">");
    if file.state == ArticleState::Draft {
        main.push_str(
            "<span class=\"badge draft\" id=\"draft-badge\">Draft: not visible to readers</span>",
        );
    } else {
        main.push_str("<span class=\"badge published\">Published</span>");
    }
    if let Some(author) = &file.author {
        let author = match author {
            crate::content::model::AuthorRef::Id(id) => format!("admin {id}"),
            crate::content::model::AuthorRef::Email(email) => email.clone(),
        };
        let _ = write!(
            main,
            "<span class=\"author\">Written by {}</span>",
            escape(&author)
        );
    }
    let _ = write!(
        main,
        "<span class=\"source\"><code>{}</code></span></div></header>",
        escape(&crate::diagnostics::slash_path(&file.path))
    );
    let body = site
        .body(project, article, shown_locale)
        .unwrap_or_default();
    let _ = write!(
        main,
        "<div class=\"article-body intercom-interblocks\">{body}</div></article>"
    );
    Some(layout(&Layout {
        title: &file.title,
        view: View::Articles,
        locale,
        locale_links: locale_links(project, |code| article_url(&article.key, code)),
        sidebar: sidebar(site, locale, Some(&article.key)),
        main,
    }))
}

/// The page shown when the tree cannot be loaded at all: only the diagnostics.
pub fn broken(site: &Site) -> String {
    layout(&Layout {
        title: "Content errors",
        view: View::Articles,
        locale: "en",
        locale_links: Vec::new(),
        sidebar: String::new(),
        main: diagnostics_panel(site, &site.diagnostics),
    })
}

/// A page with a message, for 404s and plan failures.
pub fn message(site: &Site, view: View, locale: &str, title: &str, body_html: &str) -> String {
    let (sidebar, links) = site.project.as_ref().map_or_else(
        || (String::new(), Vec::new()),
        |p| {
            (
                sidebar(site, locale, None),
                locale_links(p, |c| format!("/?locale={}", site::encode_path(c))),
            )
        },
    );
    layout(&Layout {
        title,
        view,
        locale,
        locale_links: if view == View::Articles {
            links
        } else {
            Vec::new()
        },
        sidebar,
        main: format!(
            "<section class=\"message\"><h1>{}</h1>{body_html}</section>",
            escape(title)
        ),
    })
}

/// The `check` diagnostics as a panel (empty string when there are none).
pub fn diagnostics_panel<'a>(
    site: &Site,
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
) -> String {
    let list: Vec<&Diagnostic> = diagnostics.into_iter().collect();
    if list.is_empty() {
        return String::new();
    }
    let errors = list.iter().filter(|d| d.is_error()).count();
    let warnings = list.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let class = if errors > 0 {
        "diagnostics has-errors"
    } else {
        "diagnostics"
    };
    format!(
        "<section class=\"{class}\" id=\"diagnostics\"><h2>{}, {}</h2><p>What <code>helpcenter check</code> reports; nothing can be applied while there are errors.</p><pre>{}</pre></section>",
        plural(errors, "error"),
        plural(warnings, "warning"),
        escape(&site.diagnostics_text(list))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> (tempfile::TempDir, Site) {
        let dir = tempfile::tempdir().unwrap();
        let config = "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\n";
        for (path, text) in std::iter::once(&("helpcenter.toml", config)).chain(files) {
            let file = dir.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        let site = Site::load(dir.path());
        (dir, site)
    }

    const TREE: &[(&str, &str)] = &[
        ("top.md", "---\ntitle: Top\n---\n"),
        (
            "g/_collection.yml",
            "name: G\ntranslations: {fr: {name: Gé}}\n",
        ),
        ("g/a.md", "---\ntitle: A\nstate: draft\n---\n"),
        ("g/a.fr.md", "---\ntitle: A fr\n---\n"),
        ("g/s/_collection.yml", "name: S\n"),
        ("g/s/b.md", "---\ntitle: B\n---\n"),
    ];

    #[test]
    fn the_shared_sidebar_marks_the_current_article_only() {
        let (_dir, site) = site(TREE);
        let plain = sidebar(&site, "en", None);
        assert_eq!(
            plain,
            "<nav class=\"tree\" aria-label=\"Collections\"><ul>\
             <li><a class=\"article-link\" href=\"/articles/top?locale=en\" data-key=\"top\">Top</a></li>\
             <li class=\"collection\" data-key=\"g\"><details open><summary>G</summary><ul>\
             <li><a class=\"article-link is-draft\" href=\"/articles/g/a?locale=en\" data-key=\"g/a\">A <span class=\"badge draft\">Draft</span></a></li>\
             <li class=\"collection\" data-key=\"g/s\"><details open><summary>S</summary><ul>\
             <li><a class=\"article-link\" href=\"/articles/g/s/b?locale=en\" data-key=\"g/s/b\">B</a></li>\
             </ul></details></li></ul></details></li></ul></nav>"
        );
        let current = sidebar(&site, "en", Some("g/a"));
        assert_eq!(
            current,
            plain.replace(
                "\"article-link is-draft\"",
                "\"article-link current is-draft\""
            )
        );
        assert_eq!(
            sidebar(&site, "en", Some("g/s/b")),
            plain.replace(
                "class=\"article-link\" href=\"/articles/g/s/b",
                "class=\"article-link current\" href=\"/articles/g/s/b"
            )
        );
        // Another locale is its own sidebar; an unknown key marks nothing.
        let fr = sidebar(&site, "fr", None);
        assert!(
            fr.contains("<summary>Gé</summary>") && fr.contains(">A fr</a>"),
            "{fr}"
        );
        assert_eq!(sidebar(&site, "en", Some("nope")), plain);
        assert_eq!(sidebar(&site, "en", None), plain);
    }

    #[test]
    fn a_collection_reusing_its_parents_key_is_not_listed_inside_itself() {
        // A `duplicate-key` error: the child's key is the parent's; the pages still answer.
        let (_dir, site) = site(&[
            (
                "a/_collection.yml",
                "name: A\nkey: same\ntranslations: {fr: {name: A}}\n",
            ),
            (
                "a/b/_collection.yml",
                "name: B\nkey: same\ntranslations: {fr: {name: B}}\n",
            ),
            ("a/b/x.md", "---\ntitle: X\n---\n"),
        ]);
        assert!(site.diagnostics.iter().any(|d| d.code == "duplicate-key"));
        let html = sidebar(&site, "en", None);
        assert_eq!(
            html.matches("<li class=\"collection\"").count(),
            1,
            "{html}"
        );
        assert!(html.contains("data-key=\"a/b/x\""), "{html}");
        assert!(index(&site, "en").contains("1 article<"));
        assert!(article(&site, "a/b/x", "en").is_some());
    }
}
