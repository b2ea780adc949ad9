//! The actual state: the remote snapshot scoped to the target's help center and indexed.

use std::collections::{BTreeMap, BTreeSet};

use crate::content::model::ArticleState;
use crate::remote::models::{Article, Collection, HelpCenter};

/// Everything fetched from the remote for one plan.
#[derive(Debug, Clone, Default)]
pub struct RemoteSnapshot {
    pub help_centers: Vec<HelpCenter>,
    pub collections: Vec<Collection>,
    pub articles: Vec<Article>,
    /// Recorded articles missing from the listing, fetched by id (`None`: 404).
    pub fetched_articles: BTreeMap<String, Option<Article>>,
    /// Recorded collections missing from the listing, fetched by id (`None`: 404).
    pub fetched_collections: BTreeMap<String, Option<Collection>>,
}

/// The snapshot restricted to one help center, indexed by id.
#[derive(Debug, Clone, Default)]
pub struct RemoteView {
    pub help_center: Option<HelpCenter>,
    /// Whether the workspace has exactly one help center (root articles allowed).
    pub single_help_center: bool,
    pub collections: BTreeMap<String, Collection>,
    pub articles: BTreeMap<String, Article>,
    /// Every id seen anywhere (any help center), to tell "deleted" from "out of scope".
    pub all_ids: BTreeSet<String>,
}

/// One locale of a remote article, read from top-level or `translated_content`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteArticleLocale {
    pub title: String,
    pub description: String,
    pub body: String,
    pub state: Option<ArticleState>,
    pub author_id: Option<u64>,
    pub url: Option<String>,
}

impl RemoteView {
    /// Scopes `snapshot` to `help_center` (the chosen help center's id).
    pub fn new(snapshot: &RemoteSnapshot, help_center: Option<&HelpCenter>) -> Self {
        Self::from_snapshot(snapshot.clone(), help_center)
    }

    /// [`RemoteView::new`], moving the objects out of `snapshot` instead of copying them (the
    /// plan's peak memory: every remote body in every locale is held once, not twice).
    pub fn from_snapshot(snapshot: RemoteSnapshot, help_center: Option<&HelpCenter>) -> Self {
        let single = snapshot.help_centers.len() <= 1;
        let hc_id = help_center.map(|h| h.id.clone());
        let mut all: BTreeMap<String, Collection> = BTreeMap::new();
        for c in snapshot
            .collections
            .into_iter()
            .chain(snapshot.fetched_collections.into_values().flatten())
        {
            all.insert(c.id.clone(), c);
        }
        // A collection belongs to the help center of its top-level ancestor; nested ones may
        // carry `help_center_id: null`.
        let mut collections = BTreeMap::new();
        for (id, c) in &all {
            let mut top = c;
            let mut guard = 0;
            while let Some(parent) = top.parent_id.as_ref().and_then(|p| all.get(p)) {
                top = parent;
                guard += 1;
                if guard > 8 {
                    break;
                }
            }
            let in_scope = match (&hc_id, &top.help_center_id) {
                (Some(want), Some(have)) => want == have,
                (_, None) => single || hc_id.is_none(),
                (None, Some(_)) => true,
            };
            if in_scope {
                collections.insert(id.clone(), c.clone());
            }
        }
        let mut articles = BTreeMap::new();
        let mut all_ids: BTreeSet<String> = all.keys().cloned().collect();
        for a in snapshot
            .articles
            .into_iter()
            .chain(snapshot.fetched_articles.into_values().flatten())
        {
            all_ids.insert(a.id.clone());
            let in_scope = match &a.parent_id {
                Some(parent) => collections.contains_key(parent),
                None => single,
            };
            if in_scope {
                articles.insert(a.id.clone(), a);
            }
        }
        Self {
            help_center: help_center.cloned(),
            single_help_center: single,
            collections,
            articles,
            all_ids,
        }
    }
}

/// Reads one locale of a remote article (`None` when the article has no content there).
pub fn article_locale(
    article: &Article,
    locale: &str,
    default_locale: &str,
) -> Option<RemoteArticleLocale> {
    if locale == default_locale {
        return Some(RemoteArticleLocale {
            title: article.title.clone(),
            description: article.description.clone().unwrap_or_default(),
            body: article.body.clone().unwrap_or_default(),
            state: parse_state(article.state.as_deref()),
            author_id: article.author_id,
            url: article.url.clone(),
        });
    }
    let content = article.translated_content.get(locale)?;
    if content.is_empty() {
        return None;
    }
    Some(RemoteArticleLocale {
        title: content.title.clone().unwrap_or_default(),
        description: content.description.clone().unwrap_or_default(),
        body: content.body.clone().unwrap_or_default(),
        state: parse_state(content.state.as_deref()),
        author_id: content.author_id,
        url: content.url.clone(),
    })
}

/// Reads one locale of a remote collection: (name, description).
pub fn collection_locale(
    collection: &Collection,
    locale: &str,
    default_locale: &str,
) -> Option<(String, String)> {
    if locale == default_locale {
        return Some((
            collection.name.clone(),
            collection.description.clone().unwrap_or_default(),
        ));
    }
    let content = collection.translated_content.get(locale)?;
    let name = content.name.clone().unwrap_or_default();
    let description = content.description.clone().unwrap_or_default();
    if name.is_empty() && description.is_empty() {
        return None;
    }
    Some((name, description))
}

fn parse_state(s: Option<&str>) -> Option<ArticleState> {
    match s {
        Some("published") => Some(ArticleState::Published),
        Some("draft") => Some(ArticleState::Draft),
        _ => None,
    }
}
