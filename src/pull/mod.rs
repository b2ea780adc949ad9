//! `pull`: the remote help center → a content tree (the reverse of `render` + `apply`).
//!
//! In: the remote view of the target (scoped to its help center), the admins, the config, and
//! for `pull KEY…` the local project and state. Out: a [`Pull`] — the files to write (article
//! Markdown with front matter, `_collection.yml`), the files to remove, and where each object
//! went. [`records`] then records the state so that a following `plan` is empty. Pure: the
//! command does the I/O.

pub mod external_pages;
pub mod html_to_markdown;
pub mod names;
pub mod paths;
pub mod records;
pub mod writer;

use std::collections::{BTreeMap, BTreeSet};

use globset::GlobSet;

use crate::content::model::{ArticleState, AuthorRef, Project};
use crate::plan::remote_view::{RemoteView, article_locale, collection_locale};
use crate::remote::models::{Admin, Article, Collection};
use crate::state::state_file::StateFile;
use names::Siblings;
use writer::{ArticleText, CollectionText};

/// Where one pulled object went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub id: String,
    pub key: String,
    /// Collections: the directory; articles: the default-locale file. Relative, `/`-separated.
    pub path: String,
}

/// Everything a pull writes.
#[derive(Debug, Clone, Default)]
pub struct Pull {
    /// Relative path → file text.
    pub files: BTreeMap<String, String>,
    /// Relative paths of local files that the pull replaces (moved or gone translations).
    pub remove: BTreeSet<String>,
    pub collections: Vec<Placement>,
    pub articles: Vec<Placement>,
    /// Things the user should know (lossy conversions, skipped objects).
    pub notes: Vec<String>,
}

/// Why a pull cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PullError {
    /// Neither the content nor the state has this key.
    #[error("`{0}` is not a key of the content or of the state file")]
    UnknownKey(String),
    /// A local object that was never applied: no id to pull from.
    #[error("`{key}` was never applied to this target, so pull does not know its Intercom id")]
    NotRecorded { key: String },
    /// The recorded object was deleted in Intercom.
    #[error("`{key}` (id {id}) no longer exists in Intercom")]
    Gone { key: String, id: String },
    /// The article now sits in a collection the content does not have.
    #[error(
        "`{key}` is now in the Intercom collection `{collection}` (id {id}), which the content does not have"
    )]
    UnknownParent {
        key: String,
        collection: String,
        id: String,
    },
}

/// What the pull reads besides the remote view.
pub struct Context<'a> {
    pub view: &'a RemoteView,
    pub admins: &'a [Admin],
    pub default_locale: &'a str,
    /// The config's locales: translations in other locales are skipped with a note.
    pub locales: &'a [String],
    /// The config's `exclude` globs: names they match are not used.
    pub exclude: &'a GlobSet,
}

/// Lays out the whole remote tree. Recorded paths of `state` are reused when they still fit,
/// so pulling again gives the same names.
pub fn pull_all(cx: &Context<'_>, state: &StateFile) -> Pull {
    let mut pull = Pull::default();
    let view = cx.view;
    let recorded_dir: BTreeMap<&str, &str> = state
        .collections
        .values()
        .map(|r| (r.id.as_str(), r.dir.as_str()))
        .collect();
    let recorded_path: BTreeMap<&str, &str> = state
        .articles
        .values()
        .map(|r| (r.id.as_str(), r.path.as_str()))
        .collect();
    // Collections, parent-first.
    let mut dirs: BTreeMap<String, String> = BTreeMap::new(); // id → dir
    let mut siblings: BTreeMap<String, Siblings> = BTreeMap::new(); // dir → names
    let mut pending: Vec<&Collection> = sorted_by_id(view.collections.values());
    let mut depth_of: BTreeMap<String, usize> = BTreeMap::new();
    loop {
        let before = pending.len();
        let mut rest = Vec::new();
        for c in pending {
            let parent_dir = match &c.parent_id {
                None => Some((String::new(), 0)),
                Some(p) => dirs.get(p).map(|d| (d.clone(), depth_of[p])),
            };
            let Some((parent_dir, parent_depth)) = parent_dir else {
                rest.push(c);
                continue;
            };
            if parent_depth + 1 > crate::content::loader::MAX_DEPTH {
                pull.notes.push(format!(
                    "collection `{}` (id {}) is nested deeper than {} levels: not pulled, nor its articles",
                    c.name,
                    c.id,
                    crate::content::loader::MAX_DEPTH
                ));
                continue;
            }
            let names = siblings.entry(parent_dir.clone()).or_default();
            let dir = match recorded_dir.get(c.id.as_str()) {
                Some(rec) if parent(rec) == parent_dir && names.is_free(leaf(rec)) => {
                    names.reserve(leaf(rec));
                    (*rec).to_owned()
                }
                _ => join(
                    &parent_dir,
                    &names.name(&c.name, &c.id, "collection", |n| {
                        !excluded(cx.exclude, &join(&join(&parent_dir, n), "_collection.yml"))
                    }),
                ),
            };
            depth_of.insert(c.id.clone(), parent_depth + 1);
            dirs.insert(c.id.clone(), dir.clone());
            pull.collections.push(Placement {
                id: c.id.clone(),
                key: dir.clone(),
                path: dir,
            });
        }
        if rest.is_empty() || rest.len() == before {
            for c in rest {
                pull.notes.push(format!(
                    "collection `{}` (id {}) has a parent outside the help center: not pulled",
                    c.name, c.id
                ));
            }
            break;
        }
        pending = rest;
    }
    // Articles.
    let mut file_names: BTreeMap<String, Siblings> = BTreeMap::new();
    for a in sorted_by_id(view.articles.values()) {
        let dir = match &a.parent_id {
            None => String::new(),
            Some(p) => match dirs.get(p) {
                Some(d) => d.clone(),
                None => continue, // its collection was skipped (noted above)
            },
        };
        let names = file_names.entry(dir.clone()).or_default();
        let stem = match recorded_path.get(a.id.as_str()) {
            Some(rec) if parent(rec) == dir && names.is_free(md_stem(rec)) => {
                names.reserve(md_stem(rec));
                md_stem(rec).to_owned()
            }
            _ => names.name(&a.title, &a.id, "article", |n| {
                !excluded(cx.exclude, &join(&dir, &format!("{n}.md")))
            }),
        };
        let path = join(&dir, &format!("{stem}.md"));
        pull.articles.push(Placement {
            id: a.id.clone(),
            key: path.trim_end_matches(".md").to_owned(),
            path,
        });
    }
    let links = LinkMap::new(
        cx.view,
        pull.articles.iter().map(|p| (p.id.clone(), p.path.clone())),
    );
    let collections = pull.collections.clone();
    for p in &collections {
        write_collection(cx, &mut pull, p, false);
    }
    let articles = pull.articles.clone();
    for p in &articles {
        write_article(cx, &mut pull, p, false, &links);
    }
    pull
}

/// Lays out only the objects named by `keys` (article or collection keys), where their local
/// files are (moved when the article changed collection in Intercom).
pub fn pull_keys(
    cx: &Context<'_>,
    keys: &[String],
    project: &Project,
    state: &StateFile,
) -> Result<Pull, PullError> {
    let mut pull = Pull::default();
    let local_article = |key: &str| project.articles.iter().find(|a| a.key == key);
    let local_collection = |key: &str| project.collections.iter().find(|c| c.key == key);
    // Local directory of each managed collection id.
    let mut dir_of_id: BTreeMap<String, String> = BTreeMap::new();
    for (key, rec) in &state.collections {
        let dir = local_collection(key).map_or_else(|| rec.dir.clone(), |c| slash(&c.dir));
        dir_of_id.insert(rec.id.clone(), dir);
    }
    let mut explicit: BTreeSet<String> = BTreeSet::new();
    for key in keys {
        if let Some(rec) = state.articles.get(key) {
            let Some(remote) = cx.view.articles.get(&rec.id) else {
                return Err(PullError::Gone {
                    key: key.clone(),
                    id: rec.id.clone(),
                });
            };
            let local = local_article(key);
            let current = local.map_or_else(|| rec.path.clone(), |a| slash(&a.path));
            let file = leaf(&current).to_owned();
            let want_dir = match &remote.parent_id {
                None => String::new(),
                Some(pid) => {
                    dir_of_id
                        .get(pid)
                        .cloned()
                        .ok_or_else(|| PullError::UnknownParent {
                            key: key.clone(),
                            collection: cx
                                .view
                                .collections
                                .get(pid)
                                .map_or_else(String::new, |c| c.name.clone()),
                            id: pid.clone(),
                        })?
                }
            };
            let path = if parent(&current) == want_dir {
                current.clone()
            } else {
                let moved = join(&want_dir, &file);
                let taken = project.articles.iter().any(|a| slash(&a.path) == moved);
                if taken {
                    join(&want_dir, &format!("{}-{}.md", md_stem(&file), remote.id))
                } else {
                    moved
                }
            };
            if path != current {
                if let Some(a) = local {
                    for f in a.locales.values() {
                        pull.remove.insert(slash(&f.path));
                    }
                }
                pull.notes.push(format!(
                    "`{key}` moved to another collection in Intercom: its files move from `{current}` to `{path}`"
                ));
            } else if let Some(a) = local {
                // Translations Intercom no longer has are removed (their files are rewritten below).
                for f in a.locales.values() {
                    pull.remove.insert(slash(&f.path));
                }
            }
            if local.is_some_and(|a| a.explicit_key) || path.trim_end_matches(".md") != key {
                explicit.insert(key.clone());
            }
            pull.articles.push(Placement {
                id: rec.id.clone(),
                key: key.clone(),
                path,
            });
        } else if let Some(rec) = state.collections.get(key) {
            let Some(remote) = cx.view.collections.get(&rec.id) else {
                return Err(PullError::Gone {
                    key: key.clone(),
                    id: rec.id.clone(),
                });
            };
            let local = local_collection(key);
            let dir = local.map_or_else(|| rec.dir.clone(), |c| slash(&c.dir));
            let local_parent_id = local
                .and_then(|c| c.parent.as_ref())
                .and_then(|p| state.collections.get(p))
                .map(|r| r.id.clone());
            if local.is_some() && local_parent_id != remote.parent_id {
                pull.notes.push(format!(
                    "collection `{key}` has another parent in Intercom: pull does not move directories; move `{dir}` by hand"
                ));
            }
            if local.is_some_and(|c| c.key != slash(&c.dir)) || dir != *key {
                explicit.insert(key.clone());
            }
            pull.collections.push(Placement {
                id: rec.id.clone(),
                key: key.clone(),
                path: dir,
            });
        } else if local_article(key).is_some() || local_collection(key).is_some() {
            return Err(PullError::NotRecorded { key: key.clone() });
        } else {
            return Err(PullError::UnknownKey(key.clone()));
        }
    }
    // Links go to every article with a local file: the pulled ones where they now are.
    let mut targets: BTreeMap<String, String> = BTreeMap::new();
    for a in &project.articles {
        if let Some(rec) = state.articles.get(&a.key) {
            targets.insert(rec.id.clone(), slash(&a.path));
        }
    }
    for p in &pull.articles {
        targets.insert(p.id.clone(), p.path.clone());
    }
    let links = LinkMap::new(cx.view, targets);
    let collections = pull.collections.clone();
    for p in &collections {
        write_collection(cx, &mut pull, p, explicit.contains(&p.key));
    }
    let articles = pull.articles.clone();
    for p in &articles {
        write_article(cx, &mut pull, p, explicit.contains(&p.key), &links);
    }
    for path in pull.files.keys() {
        pull.remove.remove(path);
    }
    Ok(pull)
}

fn write_collection(cx: &Context<'_>, pull: &mut Pull, p: &Placement, explicit_key: bool) {
    let c = &cx.view.collections[&p.id];
    let mut translations = BTreeMap::new();
    for locale in c.translated_content.keys() {
        if locale == cx.default_locale {
            continue;
        }
        let Some((name, description)) = collection_locale(c, locale, cx.default_locale) else {
            continue;
        };
        if !cx.locales.contains(locale) {
            pull.notes.push(format!(
                "collection `{}`: the `{locale}` translation is skipped: `{locale}` is not in `locales` of `helpcenter.toml`",
                p.key
            ));
            continue;
        }
        if name.trim().is_empty() {
            pull.notes.push(format!(
                "collection `{}`: the `{locale}` translation has no name: skipped",
                p.key
            ));
            continue;
        }
        translations.insert(locale.clone(), (name, description));
    }
    let name = if c.name.trim().is_empty() {
        pull.notes.push(format!(
            "collection `{}` has no name in Intercom: named `Untitled`",
            p.key
        ));
        "Untitled".to_owned()
    } else {
        c.name.clone()
    };
    let text = writer::collection_file(&CollectionText {
        name,
        description: c.description.clone().unwrap_or_default(),
        translations,
        key: explicit_key.then(|| p.key.clone()),
    });
    pull.files.insert(join(&p.path, "_collection.yml"), text);
}

fn write_article(
    cx: &Context<'_>,
    pull: &mut Pull,
    p: &Placement,
    explicit_key: bool,
    links: &LinkMap,
) {
    let a = &cx.view.articles[&p.id];
    let dir = parent(&p.path).to_owned();
    let stem = p.path.trim_end_matches(".md");
    let mut locales: Vec<String> = vec![cx.default_locale.to_owned()];
    locales.extend(
        a.translated_content
            .keys()
            .filter(|l| *l != cx.default_locale)
            .cloned(),
    );
    for locale in locales {
        let Some(content) = article_locale(a, &locale, cx.default_locale) else {
            continue;
        };
        let default = locale == cx.default_locale;
        if !default && !cx.locales.contains(&locale) {
            pull.notes.push(format!(
                "`{}`: the `{locale}` translation is skipped: `{locale}` is not in `locales` of `helpcenter.toml`",
                p.key
            ));
            continue;
        }
        let title = if content.title.trim().is_empty() {
            if !default {
                pull.notes.push(format!(
                    "`{}`: the `{locale}` translation has no title: skipped",
                    p.key
                ));
                continue;
            }
            pull.notes.push(format!(
                "`{}` has no title in Intercom: titled `Untitled`",
                p.key
            ));
            "Untitled".to_owned()
        } else {
            content.title.clone()
        };
        let converted =
            html_to_markdown::convert(&content.body, &|href| links.relative(href, &dir));
        for note in converted.notes {
            pull.notes.push(format!("`{}` [{locale}]: {note}", p.key));
        }
        let path = if default {
            p.path.clone()
        } else {
            format!("{stem}.{locale}.md")
        };
        let text = writer::article_file(&ArticleText {
            title,
            description: content.description.clone(),
            state: content.state.unwrap_or(ArticleState::Draft),
            author: content.author_id.map(|id| author_ref(cx.admins, id)),
            key: (explicit_key && default).then(|| p.key.clone()),
            markdown: converted.markdown,
        });
        pull.files.insert(path, text);
    }
}

/// The admin's email when known, else the numeric id.
fn author_ref(admins: &[Admin], id: u64) -> AuthorRef {
    admins
        .iter()
        .find(|a| a.id.trim().parse::<u64>().ok() == Some(id))
        .and_then(|a| a.email.clone())
        .filter(|e| crate::content::front_matter::parse_author_text(e).is_some())
        .map_or(AuthorRef::Id(id), AuthorRef::Email)
}

/// Article URLs of the help center → the local file each article is written to.
struct LinkMap {
    /// Hosts of the help center's article URLs.
    hosts: BTreeSet<String>,
    /// Article id → default-locale file (relative to the root).
    paths: BTreeMap<String, String>,
}

impl LinkMap {
    fn new(view: &RemoteView, paths: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut hosts = BTreeSet::new();
        let urls = view
            .articles
            .values()
            .flat_map(|a| {
                std::iter::once(a.url.clone())
                    .chain(a.translated_content.values().map(|t| t.url.clone()))
            })
            .flatten()
            .chain(view.help_center.as_ref().and_then(|h| h.url.clone()));
        for u in urls {
            if let Some(host) = url::Url::parse(&u)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
            {
                hosts.insert(host.to_ascii_lowercase());
            }
        }
        Self {
            hosts,
            paths: paths.into_iter().collect(),
        }
    }

    /// The relative `.md` link from `from_dir` for `href`, when it is one of our articles.
    fn relative(&self, href: &str, from_dir: &str) -> Option<String> {
        let url = url::Url::parse(href).ok()?;
        let host = url.host_str()?.to_ascii_lowercase();
        if !self.hosts.contains(&host) {
            return None;
        }
        let segments: Vec<&str> = url.path_segments()?.collect();
        let pos = segments.iter().position(|s| *s == "articles")?;
        let slug = segments.get(pos + 1)?;
        let id: String = slug.chars().take_while(char::is_ascii_digit).collect();
        if id.is_empty() {
            return None;
        }
        let target = self.paths.get(&id)?;
        Some(relative_path(from_dir, target))
    }
}

/// The path of `target` (relative to the root) as seen from directory `from_dir`.
pub fn relative_path(from_dir: &str, target: &str) -> String {
    let from: Vec<&str> = from_dir.split('/').filter(|s| !s.is_empty()).collect();
    let to: Vec<&str> = target.split('/').filter(|s| !s.is_empty()).collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&to[common..]);
    parts.join("/")
}

fn sorted_by_id<'a, T: HasId + 'a>(items: impl Iterator<Item = &'a T>) -> Vec<&'a T> {
    let mut v: Vec<&T> = items.collect();
    v.sort_by_key(|x| (x.id().parse::<u64>().unwrap_or(u64::MAX), x.id().to_owned()));
    v
}

trait HasId {
    fn id(&self) -> &str;
}

impl HasId for Collection {
    fn id(&self) -> &str {
        &self.id
    }
}

impl HasId for Article {
    fn id(&self) -> &str {
        &self.id
    }
}

fn excluded(exclude: &GlobSet, path: &str) -> bool {
    exclude.is_match(path)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn leaf(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, f)| f)
}

fn md_stem(path: &str) -> &str {
    let f = leaf(path);
    f.strip_suffix(".md").unwrap_or(f)
}

fn slash(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::models::HelpCenter;

    fn view(collections: serde_json::Value, articles: serde_json::Value) -> RemoteView {
        let snapshot = crate::plan::remote_view::RemoteSnapshot {
            help_centers: vec![HelpCenter {
                id: "1".into(),
                identifier: "hc".into(),
                display_name: None,
                url: Some("https://help.example.com".into()),
            }],
            collections: serde_json::from_value(collections).unwrap(),
            articles: serde_json::from_value(articles).unwrap(),
            ..Default::default()
        };
        let hc = snapshot.help_centers[0].clone();
        RemoteView::new(&snapshot, Some(&hc))
    }

    #[test]
    fn lays_out_the_tree_with_stable_unique_names() {
        let v = view(
            serde_json::json!([
                {"id": "1", "name": "Guides", "help_center_id": "1", "default_locale": "en",
                 "translated_content": {"de": {"name": "Anleitungen"}, "fr": {"name": "Guides FR"}}},
                {"id": "2", "name": "Setup", "parent_id": "1"},
                {"id": "3", "name": "Deep", "parent_id": "2"},
                {"id": "4", "name": "Too deep", "parent_id": "3"},
            ]),
            serde_json::json!([
                {"id": "10", "title": "FAQ", "parent_id": "1", "state": "published", "author_id": 7,
                 "body": "<p>See <a href=\"https://help.example.com/en/articles/12-install\">install</a></p>",
                 "translated_content": {"de": {"title": "FAQ DE", "body": "<p>x</p>"},
                                        "fr": {"title": "FAQ FR", "body": "<p>y</p>", "state": "draft"}}},
                {"id": "11", "title": "faq", "parent_id": "1", "state": "draft", "author_id": 8},
                {"id": "12", "title": "Install", "parent_id": "2", "state": "published"},
                {"id": "13", "title": "Lost", "parent_id": "4", "state": "published"},
                {"id": "14", "title": "Root", "state": "published"},
            ]),
        );
        let admins = vec![Admin {
            id: "7".into(),
            name: None,
            email: Some("ann@example.com".into()),
        }];
        let exclude = crate::content::walk::exclude_set(&[]);
        let locales = vec!["en".to_owned(), "fr".to_owned()];
        let cx = Context {
            view: &v,
            admins: &admins,
            default_locale: "en",
            locales: &locales,
            exclude: &exclude,
        };
        let pull = pull_all(&cx, &StateFile::new("t"));
        let paths: Vec<&str> = pull.files.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "guides/_collection.yml",
                "guides/faq-11.md",
                "guides/faq.fr.md",
                "guides/faq.md",
                "guides/setup/_collection.yml",
                "guides/setup/deep/_collection.yml",
                "guides/setup/install.md",
                "root.md",
            ]
        );
        assert_eq!(
            pull.files["guides/_collection.yml"],
            "name: Guides\ntranslations:\n  fr:\n    name: Guides FR\n"
        );
        let faq = &pull.files["guides/faq.md"];
        assert!(faq.contains("author: ann@example.com"), "{faq}");
        assert!(faq.contains("See [install](setup/install.md)"), "{faq}");
        assert!(pull.files["guides/faq.fr.md"].contains("state: draft"));
        assert!(pull.files["guides/faq-11.md"].contains("author: 8"));
        let notes = pull.notes.join("\n");
        assert!(notes.contains("nested deeper than 3 levels"), "{notes}");
        assert!(notes.contains("the `de` translation is skipped"), "{notes}");
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative_path("a/b", "a/b/c.md"), "c.md");
        assert_eq!(relative_path("a/b", "a/d.md"), "../d.md");
        assert_eq!(relative_path("", "x/y.md"), "x/y.md");
        assert_eq!(relative_path("x", "y.md"), "../y.md");
    }
}
