//! HTML pages of the preview, built as strings: the layout (top bar, sidebar with the
//! collection tree, locale switcher), the home page, article pages and diagnostics. Every
//! piece of content text goes through [`escape`]; article bodies are the sanitized HTML that
//! `apply` sends, inserted as is.

use std::fmt::Write as _;

use crate::content::model::{ArticleState, LocalArticle, Project};
use crate::diagnostics::Diagnostic;
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

/// The sidebar: root articles, then the collection tree with its articles.
pub fn sidebar(project: &Project, locale: &str, current: Option<&str>) -> String {
    let mut html = String::from("<nav class=\"tree\" aria-label=\"Collections\"><ul>");
    for article in project.articles.iter().filter(|a| a.collection.is_none()) {
        article_item(&mut html, article, locale, current);
    }
    for collection in project.collections.iter().filter(|c| c.parent.is_none()) {
        collection_item(&mut html, project, &collection.key, locale, current);
    }
    html.push_str("</ul></nav>");
    html
}

fn collection_item(
    html: &mut String,
    project: &Project,
    key: &str,
    locale: &str,
    current: Option<&str>,
) {
    let Some(collection) = project.collections.iter().find(|c| c.key == key) else {
        return;
    };
    let _ = write!(
        html,
        "<li class=\"collection\" data-key=\"{}\"><details open><summary>{}</summary><ul>",
        escape(&collection.key),
        escape(collection_name(collection, locale))
    );
    for article in project
        .articles
        .iter()
        .filter(|a| a.collection.as_deref() == Some(key))
    {
        article_item(html, article, locale, current);
    }
    for child in project
        .collections
        .iter()
        .filter(|c| c.parent.as_deref() == Some(key))
    {
        collection_item(html, project, &child.key, locale, current);
    }
    html.push_str("</ul></details></li>");
}

fn article_item(html: &mut String, article: &LocalArticle, locale: &str, current: Option<&str>) {
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
    let _ = write!(
        html,
        "<li><a class=\"{class}\" href=\"{href}\" data-key=\"{key}\">{title}{draft}</a></li>",
        href = escape(&article_url(&article.key, locale)),
        key = escape(&article.key),
        title = escape(&file.title),
    );
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
    let root_articles: Vec<&LocalArticle> = project
        .articles
        .iter()
        .filter(|a| a.collection.is_none())
        .collect();
    for collection in project.collections.iter().filter(|c| c.parent.is_none()) {
        let under = |a: &&LocalArticle| {
            a.collection
                .as_deref()
                .is_some_and(|c| ancestors(project, c).any(|p| p == collection.key))
        };
        let count = project.articles.iter().filter(under).count();
        let first = project
            .articles
            .iter()
            .find(|a| a.collection.as_deref() == Some(collection.key.as_str()))
            .or_else(|| project.articles.iter().find(under));
        let href = first.map_or_else(String::new, |a| article_url(&a.key, locale));
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
    if !root_articles.is_empty() {
        main.push_str("<section class=\"root-articles\"><h2>Articles</h2><ul>");
        for article in root_articles {
            article_item(&mut main, article, locale, None);
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
        sidebar: sidebar(project, locale, None),
        main,
    })
}

/// Keys of a collection's ancestors, nearest first (the collection itself included).
fn ancestors<'a>(project: &'a Project, key: &'a str) -> impl Iterator<Item = &'a str> {
    let mut next = Some(key);
    std::iter::from_fn(move || {
        let key = next?;
        next = project
            .collections
            .iter()
            .find(|c| c.key == key)
            .and_then(|c| c.parent.as_deref());
        Some(key)
    })
}

/// An article page, or `None` when no article has that key.
pub fn article(site: &Site, key: &str, locale: &str) -> Option<String> {
    let Some(project) = &site.project else {
        return Some(broken(site));
    };
    let article = project.articles.iter().find(|a| a.key == key)?;
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
        let mut chain: Vec<&str> = ancestors(project, collection).collect();
        chain.reverse();
        for key in chain {
            if let Some(c) = project.collections.iter().find(|c| c.key == key) {
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
        sidebar: sidebar(project, locale, Some(&article.key)),
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
                sidebar(p, locale, None),
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
