//! The desired state: what the content tree says Intercom should hold, per object and locale,
//! with authors resolved to admin ids and bodies rendered (links still as placeholders).

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use crate::content::config::TargetScope;
use crate::content::model::{ArticleState, AuthorRef, Project};
use crate::content::target_scope;
use crate::diagnostics::Diagnostic;
use crate::render;

/// A collection as it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredCollection {
    pub key: String,
    pub dir: String,
    pub parent: Option<String>,
    pub depth: usize,
    /// Locale → (name, description); always holds the default locale.
    pub locales: BTreeMap<String, CollectionFields>,
}

/// Name and description of a collection in one locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionFields {
    pub name: String,
    pub description: String,
}

/// An article as it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredArticle {
    pub key: String,
    pub explicit_key: bool,
    pub path: String,
    pub collection: Option<String>,
    /// Locale → fields; always holds the default locale.
    pub locales: BTreeMap<String, ArticleFields>,
}

/// One locale of an article, ready to send once links are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleFields {
    pub title: String,
    pub description: String,
    /// Body with `#helpcenter-key:` placeholders.
    pub body: String,
    pub state: ArticleState,
    pub author_id: u64,
    /// Keys of linked articles.
    pub links: Vec<String>,
}

/// The whole desired state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Desired {
    pub default_locale: String,
    pub collections: Vec<DesiredCollection>,
    pub articles: Vec<DesiredArticle>,
    /// `assets.base_url`, to name images by their path in plans.
    pub asset_base: Option<String>,
}

/// The renderings of a project's article files in scope (article, then locale order), made
/// before the desired state is built.
pub struct Renderings(Vec<render::Rendered>);

impl Desired {
    /// Builds the desired state: renders every article file and resolves authors with
    /// `resolve_author` (`None` author → `fallback_author`). Returns render and author
    /// diagnostics alongside.
    pub fn build(
        project: &Project,
        fallback_author: u64,
        resolve_author: impl FnMut(&AuthorRef) -> Result<u64, String>,
    ) -> (Self, Vec<Diagnostic>) {
        Self::build_scoped(
            project,
            &TargetScope::default(),
            fallback_author,
            resolve_author,
        )
    }

    /// [`Desired::build`] of the articles `scope` selects (a target's `include`/`exclude`),
    /// rendered against the whole project (links to other articles keep their keys). A
    /// collection all of whose articles the scope leaves out is left out too.
    pub fn build_scoped(
        project: &Project,
        scope: &TargetScope,
        fallback_author: u64,
        resolve_author: impl FnMut(&AuthorRef) -> Result<u64, String>,
    ) -> (Self, Vec<Diagnostic>) {
        let renderings = Self::render_scoped(project, scope);
        Self::from_renderings(project, scope, renderings, fallback_author, resolve_author)
    }

    /// The first half of [`Desired::build_scoped`]: renders the article files `scope`
    /// selects. Once rendered, the project's Markdown is no longer needed (`plan` releases it
    /// before it fetches the remote, so the sources and the remote bodies are never held at
    /// once).
    pub fn render_scoped(project: &Project, scope: &TargetScope) -> Renderings {
        let matcher = scope.matcher();
        let in_scope: Vec<&crate::content::model::LocalArticle> = project
            .articles
            .iter()
            .filter(|a| scope.is_everything() || matcher.selects(&target_scope::article_path(a)))
            .collect();
        Renderings(render_in_parallel(project, &in_scope))
    }

    /// The second half of [`Desired::build_scoped`]: the desired state from `renderings`
    /// (made by [`Desired::render_scoped`] of the same project and scope), authors resolved.
    pub fn from_renderings(
        project: &Project,
        scope: &TargetScope,
        renderings: Renderings,
        fallback_author: u64,
        mut resolve_author: impl FnMut(&AuthorRef) -> Result<u64, String>,
    ) -> (Self, Vec<Diagnostic>) {
        let matcher = scope.matcher();
        let selected = |a: &&crate::content::model::LocalArticle| {
            scope.is_everything() || matcher.selects(&target_scope::article_path(a))
        };
        let left_out: BTreeSet<&str> = if scope.is_everything() {
            BTreeSet::new()
        } else {
            let mut under: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
            let parents: BTreeMap<&str, Option<&str>> = project
                .collections
                .iter()
                .map(|c| (c.key.as_str(), c.parent.as_deref()))
                .collect();
            for a in &project.articles {
                let keep = selected(&a);
                let mut at = a.collection.as_deref();
                while let Some(key) = at {
                    let entry = under.entry(key).or_default();
                    entry.0 += 1;
                    entry.1 += usize::from(keep);
                    at = parents.get(key).copied().flatten();
                }
            }
            under
                .into_iter()
                .filter(|(_, (all, kept))| *all > 0 && *kept == 0)
                .map(|(k, _)| k)
                .collect()
        };
        let mut diagnostics = Vec::new();
        let default_locale = project.config.default_locale.clone();
        let collections = project
            .collections
            .iter()
            .filter(|c| !left_out.contains(c.key.as_str()))
            .map(|c| {
                let mut locales = BTreeMap::new();
                locales.insert(
                    default_locale.clone(),
                    CollectionFields {
                        name: c.name.clone(),
                        description: c.description.clone().unwrap_or_default(),
                    },
                );
                for (locale, text) in &c.translations {
                    if *locale != default_locale {
                        locales.insert(
                            locale.clone(),
                            CollectionFields {
                                name: text.name.clone(),
                                description: text.description.clone().unwrap_or_default(),
                            },
                        );
                    }
                }
                DesiredCollection {
                    key: c.key.clone(),
                    dir: slash(&c.dir),
                    parent: c.parent.clone(),
                    depth: c.depth,
                    locales,
                }
            })
            .collect();
        let mut articles = Vec::with_capacity(project.articles.len());
        // An unknown `[defaults]` author is one mistake, reported once at its line.
        let mut defaults_author_reported = false;
        let in_scope: Vec<&crate::content::model::LocalArticle> =
            project.articles.iter().filter(selected).collect();
        let files: usize = in_scope.iter().map(|a| a.locales.len()).sum();
        assert_eq!(
            renderings.0.len(),
            files,
            "renderings of the same project and scope"
        );
        let mut all_rendered = renderings.0.into_iter();
        for article in in_scope {
            let mut locales = BTreeMap::new();
            for (locale, file) in &article.locales {
                let rendered = all_rendered
                    .next()
                    .expect("one rendering per article file, in order");
                diagnostics.extend(rendered.diagnostics);
                let author_id = match &file.author {
                    None => fallback_author,
                    Some(author) => match resolve_author(author) {
                        Ok(id) => id,
                        Err(message) => {
                            match file.author_at {
                                    Some((line, column)) => diagnostics.push(
                                        Diagnostic::error("unknown-author", &file.path, line, column, message)
                                            .with_hint("set `author` to the email or id of an admin of the workspace"),
                                    ),
                                    None if !defaults_author_reported => {
                                        defaults_author_reported = true;
                                        let (line, column) = project.config.defaults.author_at.unwrap_or((0, 0));
                                        diagnostics.push(
                                            Diagnostic::error(
                                                "unknown-author",
                                                crate::content::config::FILE_NAME,
                                                line,
                                                column,
                                                format!("`[defaults] author`: {message}"),
                                            )
                                            .with_hint("set it to the email or id of an admin of the workspace"),
                                        );
                                    }
                                    None => {}
                                }
                            fallback_author
                        }
                    },
                };
                locales.insert(
                    locale.clone(),
                    ArticleFields {
                        title: file.title.clone(),
                        description: file.description.clone().unwrap_or_default(),
                        body: rendered.html,
                        state: file.state,
                        author_id,
                        links: rendered.links,
                    },
                );
            }
            articles.push(DesiredArticle {
                key: article.key.clone(),
                explicit_key: article.explicit_key,
                path: slash(&article.path),
                collection: article.collection.clone(),
                locales,
            });
        }
        (
            Self {
                default_locale,
                collections,
                articles,
                asset_base: project.config.assets.base_url.clone(),
            },
            diagnostics,
        )
    }

    /// A hash of the whole desired state, to detect a stale saved plan.
    pub fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        for c in &self.collections {
            h.update(c.key.as_bytes());
            h.update([0]);
            h.update(c.parent.as_deref().unwrap_or("").as_bytes());
            for (locale, f) in &c.locales {
                for part in [locale.as_str(), &f.name, &f.description] {
                    h.update(part.as_bytes());
                    h.update([0]);
                }
            }
        }
        for a in &self.articles {
            h.update(a.key.as_bytes());
            h.update([1]);
            h.update(a.collection.as_deref().unwrap_or("").as_bytes());
            for (locale, f) in &a.locales {
                for part in [
                    locale.as_str(),
                    &f.title,
                    &f.description,
                    &f.body,
                    f.state.as_str(),
                ] {
                    h.update(part.as_bytes());
                    h.update([0]);
                }
                h.update(f.author_id.to_le_bytes());
            }
        }
        short_hex(&h.finalize())
    }
}

/// Renders every locale file of `articles` (in their order: article, then locale) on several
/// threads ([`crate::parallel::map_in_order`]); rendering is most of the CPU of building
/// [`Desired`].
fn render_in_parallel(
    project: &Project,
    articles: &[&crate::content::model::LocalArticle],
) -> Vec<render::Rendered> {
    let files: Vec<_> = articles
        .iter()
        .flat_map(|a| a.locales.values().map(move |f| (*a, f)))
        .collect();
    crate::parallel::map_in_order(&files, |(article, file)| {
        render_kept(project, article, file)
    })
}

/// One rendering, its HTML trimmed to its length: the writer grows it by doubling, and the
/// plan keeps every body until it ends (trimming took a no-op plan of 2,000 × 10 from 241 to
/// 222 MB peak RSS).
fn render_kept(
    project: &Project,
    article: &crate::content::model::LocalArticle,
    file: &crate::content::model::ArticleFile,
) -> render::Rendered {
    let mut rendered = render::render_article(project, article, file);
    rendered.html.shrink_to_fit();
    rendered
}

/// Hex of the first 8 bytes of a digest.
pub fn short_hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    digest
        .iter()
        .take(8)
        .fold(String::with_capacity(16), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Hashes a list of fields, separated so that ("ab","c") and ("a","bc") differ.
pub fn hash_fields(fields: &[&str]) -> String {
    let mut h = Sha256::new();
    for f in fields {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    short_hex(&h.finalize())
}

fn slash(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
