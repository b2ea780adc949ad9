//! `/articles` endpoints: create, retrieve, update, delete, list and search, with the
//! per-locale, per-field `translated_content` merge of `API-NOTES.md` §2.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::options::LOCALES;
use super::pagination::Paging;
use super::rewrite::{rewrite_body, sign_images};
use super::store::{
    Article, ArticleContent, Env, HELP_CENTER_HOST, LocaleChange, Store, WORKSPACE_ID, opt_id,
    opt_string, slug, translated_content, unix_now,
};

/// Default `per_page` of `GET /articles`.
pub const DEFAULT_PER_PAGE: usize = 25;

/// Fields of one locale, as sent.
#[derive(Debug, Default)]
struct ContentInput {
    title: Option<String>,
    description: Option<String>,
    body: Option<String>,
    author_id: Option<u64>,
    published: Option<bool>,
}

fn content_input(map: &Map<String, Value>, env: &Env<'_>) -> Result<ContentInput, ApiError> {
    let published = match opt_string(map, "state")?.as_deref() {
        None => None,
        Some("published") => Some(true),
        Some("draft") => Some(false),
        Some(other) => {
            return Err(ApiError::invalid(
                "state",
                format!("state must be one of published, draft (got {other})"),
            ));
        }
    };
    let author_id = opt_id(map, "author_id")?;
    if let Some(id) = author_id
        && !env.is_admin(id)
    {
        return Err(match env.options.switches.unknown_author {
            super::options::UnknownAuthor::Invalid => ApiError::invalid(
                "author_id",
                format!("author_id {id} is not a teammate of this workspace"),
            ),
            super::options::UnknownAuthor::Unauthorized => {
                ApiError::new(401, "unauthorized", "Access Token Invalid")
            }
        });
    }
    Ok(ContentInput {
        title: opt_string(map, "title")?,
        description: opt_string(map, "description")?,
        body: opt_string(map, "body")?,
        author_id,
        published,
    })
}

impl ContentInput {
    /// `self` with the fields `other` lacks filled from `other`.
    fn or(self, other: ContentInput) -> ContentInput {
        ContentInput {
            title: self.title.or(other.title),
            description: self.description.or(other.description),
            body: self.body.or(other.body),
            author_id: self.author_id.or(other.author_id),
            published: self.published.or(other.published),
        }
    }
}

/// The default-locale input (top-level fields over `translated_content[default]`) and the
/// other locales' changes.
fn inputs(
    body: &Map<String, Value>,
    env: &Env<'_>,
) -> Result<(ContentInput, Vec<(String, LocaleChange)>), ApiError> {
    let top = content_input(body, env)?;
    let mut default = ContentInput::default();
    let mut others = Vec::new();
    for (locale, change) in translated_content(env.options, body)? {
        match change {
            LocaleChange::Set(map) if locale == env.options.default_locale => {
                default = content_input(&map, env)?;
            }
            change => others.push((locale, change)),
        }
    }
    Ok((top.or(default), others))
}

/// What a request says about an article's collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// `parent_id` absent: unchanged.
    Keep,
    /// `parent_id` given (`None` for `null`).
    Set(Option<u64>),
}

fn parent(body: &Map<String, Value>, store: &Store) -> Result<Placement, ApiError> {
    if let Some(kind) = opt_string(body, "parent_type")?
        && kind != "collection"
    {
        return Err(ApiError::invalid(
            "parent_type",
            format!("parent_type must be collection (got {kind})"),
        ));
    }
    if !body.contains_key("parent_id") {
        return Ok(Placement::Keep);
    }
    let id = opt_id(body, "parent_id")?;
    if let Some(id) = id
        && !store.collections.contains_key(&id)
    {
        return Err(ApiError::invalid(
            "parent_id",
            format!("parent_id {id} is not an existing collection"),
        ));
    }
    Ok(Placement::Set(id))
}

fn rewrite(body: Option<String>, env: &mut Env<'_>) -> Result<Option<String>, ApiError> {
    body.map(|html| {
        rewrite_body(&html, &env.options.switches, env.rng)
            .map_err(|e| ApiError::invalid("body", e.0))
    })
    .transpose()
}

fn apply(
    content: &mut ArticleContent,
    input: ContentInput,
    env: &mut Env<'_>,
    now: i64,
) -> Result<(), ApiError> {
    if let Some(title) = input.title {
        content.title = title;
    }
    if let Some(description) = input.description {
        content.description = description;
    }
    if let Some(body) = rewrite(input.body, env)? {
        content.body = body;
    }
    if let Some(author) = input.author_id {
        content.author_id = author;
    }
    if let Some(published) = input.published {
        content.published = published;
        content.ever_published |= published;
    }
    content.updated_at = now;
    Ok(())
}

fn new_content(author_id: u64, now: i64) -> ArticleContent {
    ArticleContent {
        title: String::new(),
        description: String::new(),
        body: String::new(),
        author_id,
        published: false,
        ever_published: false,
        created_at: now,
        updated_at: now,
    }
}

/// Applies the non-default locales' changes; new locales inherit the default author.
fn apply_locales(
    article: &mut Article,
    changes: Vec<(String, LocaleChange)>,
    default_author: u64,
    env: &mut Env<'_>,
    now: i64,
) -> Result<(), ApiError> {
    for (locale, change) in changes {
        match change {
            LocaleChange::Delete => {
                article.contents.remove(&locale);
            }
            LocaleChange::Set(map) => {
                let input = content_input(&map, env)?;
                let content = article
                    .contents
                    .entry(locale)
                    .or_insert_with(|| new_content(default_author, now));
                apply(content, input, env, now)?;
            }
        }
    }
    Ok(())
}

/// `POST /articles`.
pub fn create(store: &mut Store, env: &mut Env<'_>, body: &Value) -> Result<Value, ApiError> {
    let body = ApiError::body_object(body)?;
    let (default, others) = inputs(body, env)?;
    if default.title.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::missing(
            "title must be in the main body or default locale translated_content object",
        ));
    }
    let Some(author_id) = default.author_id else {
        return Err(ApiError::missing(
            "author_id must be in the main body or default locale translated_content object",
        ));
    };
    let parent_id = match parent(body, store)? {
        Placement::Set(id) => id,
        Placement::Keep => None,
    };
    let now = store.tick();
    let id = store.next_article_id;
    let mut article = Article {
        id,
        parent_id,
        parent_type: parent_id.map(|_| "collection".to_owned()),
        created_at: now,
        updated_at: now,
        contents: BTreeMap::new(),
    };
    let mut content = new_content(author_id, now);
    apply(&mut content, default, env, now)?;
    article
        .contents
        .insert(env.options.default_locale.clone(), content);
    apply_locales(&mut article, others, author_id, env, now)?;
    store.next_article_id += 1;
    store.articles.insert(id, article);
    Ok(render(store, env, id, true))
}

/// `GET /articles/{id}`.
pub fn retrieve(store: &Store, env: &mut Env<'_>, id: u64) -> Result<Value, ApiError> {
    if !store.articles.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    Ok(render(store, env, id, true))
}

/// `PUT /articles/{id}`: omitted fields and locales are kept; `state` omitted stays as is.
pub fn update(
    store: &mut Store,
    env: &mut Env<'_>,
    id: u64,
    body: &Value,
) -> Result<Value, ApiError> {
    if !store.articles.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    let body = ApiError::body_object(body)?;
    let (default, others) = inputs(body, env)?;
    let placement = parent(body, store)?;
    let now = store.tick();
    let default_locale = env.options.default_locale.clone();
    let mut article = store.articles[&id].clone();
    let author = {
        let content = article
            .contents
            .entry(default_locale)
            .or_insert_with(|| new_content(default.author_id.unwrap_or(0), now));
        apply(content, default, env, now)?;
        content.author_id
    };
    apply_locales(&mut article, others, author, env, now)?;
    if let Placement::Set(parent_id) = placement {
        article.parent_id = parent_id;
        article.parent_type = parent_id.map(|_| "collection".to_owned());
    }
    article.updated_at = now;
    store.articles.insert(id, article);
    Ok(render(store, env, id, true))
}

/// `DELETE /articles/{id}`.
pub fn delete(store: &mut Store, id: u64) -> Result<Value, ApiError> {
    store.articles.remove(&id).ok_or_else(ApiError::not_found)?;
    store.tick();
    Ok(json!({"id": id.to_string(), "object": "article", "deleted": true}))
}

/// Articles sorted the way lists return them: `updated_at` desc, then id desc.
fn sorted(store: &Store) -> Vec<&Article> {
    let mut all: Vec<&Article> = store.articles.values().collect();
    all.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
    all
}

/// `GET /articles`.
pub fn list(store: &Store, env: &mut Env<'_>, query: &BTreeMap<String, String>) -> Value {
    let paging = Paging::from_query(query, DEFAULT_PER_PAGE);
    let ids: Vec<u64> = sorted(store).iter().map(|a| a.id).collect();
    let start = (paging.page - 1).saturating_mul(paging.per_page);
    // Render only the requested page; the others are counted with placeholders.
    let items = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            if i >= start && i < start + paging.per_page {
                render(store, env, *id, false)
            } else {
                Value::Null
            }
        })
        .collect();
    let next_base = format!("{}/articles", env.base_url);
    paging.list(items, &next_base, &env.options.switches)
}

/// `GET /articles/search`: object-shaped `data`, ignores `page`/`per_page` (§1.4).
pub fn search(
    store: &Store,
    env: &mut Env<'_>,
    query: &BTreeMap<String, String>,
) -> Result<Value, ApiError> {
    const PER_PAGE: usize = 10;
    let phrase = query
        .get("phrase")
        .map(|p| p.to_lowercase())
        .unwrap_or_default();
    let state = query.get("state").map_or("all", String::as_str);
    let want: Option<bool> = match state {
        "published" => Some(true),
        "draft" => Some(false),
        "all" => None,
        other => {
            return Err(ApiError::invalid(
                "state",
                format!("state must be one of published, draft, all (got {other})"),
            ));
        }
    };
    let help_center = query
        .get("help_center_id")
        .and_then(|h| h.parse::<u64>().ok());
    let highlight = query.get("highlight").is_some_and(|h| h == "true");
    let default_locale = &env.options.default_locale;
    let matches: Vec<u64> = sorted(store)
        .into_iter()
        .filter(|a| {
            let Some(c) = a.contents.get(default_locale) else {
                return false;
            };
            let text_hit = phrase.is_empty()
                || c.title.to_lowercase().contains(&phrase)
                || c.description.to_lowercase().contains(&phrase)
                || c.body.to_lowercase().contains(&phrase);
            let state_hit = want.is_none_or(|w| c.published == w);
            let hc_hit = help_center.is_none_or(|h| article_help_center(store, env, a) == h);
            text_hit && state_hit && hc_hit
        })
        .map(|a| a.id)
        .collect();
    let total = matches.len();
    let shown: Vec<u64> = matches.into_iter().take(PER_PAGE).collect();
    let articles: Vec<Value> = shown
        .iter()
        .map(|id| render(store, env, *id, false))
        .collect();
    let highlights: Vec<Value> = if highlight {
        shown
            .iter()
            .map(|id| {
                let title = &store.articles[id].contents[default_locale].title;
                json!({"article_id": id.to_string(),
                       "highlighted_title": [{"type": "plain", "text": title}],
                       "highlighted_summary": []})
            })
            .collect()
    } else {
        Vec::new()
    };
    let total_pages = total.div_ceil(PER_PAGE).max(1);
    let mut pages =
        json!({"type": "pages", "page": 1, "total_pages": total_pages, "per_page": PER_PAGE});
    if total_pages > 1 {
        // The live API's broken next link: the search ignores `page`.
        let mut next = url::Url::parse(&format!("{}/articles/search", env.base_url))
            .map_err(|_| ApiError::not_found())?;
        next.query_pairs_mut()
            .extend_pairs(
                query
                    .iter()
                    .filter(|(k, _)| *k != "page" && *k != "per_page"),
            )
            .append_pair("per_page", &PER_PAGE.to_string())
            .append_pair("page", "2");
        pages["next"] = json!(next.as_str());
    }
    Ok(json!({"type": "list", "total_count": total,
              "data": {"articles": articles, "highlights": highlights},
              "pages": pages}))
}

fn article_help_center(store: &Store, env: &Env<'_>, article: &Article) -> u64 {
    article
        .parent_id
        .and_then(|p| store.collections.get(&p))
        .map_or_else(|| env.default_help_center_id(), |c| c.help_center_id)
}

fn url_of(identifier: &str, locale: &str, id: u64, content: &ArticleContent) -> Value {
    if content.ever_published {
        json!(format!(
            "{HELP_CENTER_HOST}/{identifier}/{locale}/articles/{id}-{}",
            slug(&content.title)
        ))
    } else {
        Value::Null
    }
}

fn state(content: &ArticleContent) -> &'static str {
    if content.published {
        "published"
    } else {
        "draft"
    }
}

/// The JSON of one article; `full` adds `statistics` (retrieve/create/update, not lists).
pub fn render(store: &Store, env: &mut Env<'_>, id: u64, full: bool) -> Value {
    let article = &store.articles[&id];
    let options = env.options;
    let default_locale = options.default_locale.as_str();
    let identifier = env.help_center_identifier(article_help_center(store, env, article));
    let fallback = new_content(0, article.created_at);
    let main = article.contents.get(default_locale).unwrap_or(&fallback);
    let now = unix_now();
    let mut out = Map::new();
    out.insert("id".into(), json!(id.to_string()));
    out.insert("type".into(), json!("article"));
    out.insert("workspace_id".into(), json!(WORKSPACE_ID));
    out.insert("parent_id".into(), json!(article.parent_id));
    out.insert("parent_type".into(), json!(article.parent_type));
    out.insert("parent_ids".into(), json!([]));
    if full {
        let stats = env.statistics.get(&id).copied().unwrap_or_default();
        out.insert(
            "statistics".into(),
            json!({"type": "article_statistics", "views": stats.views,
                   "conversations": stats.conversations, "reactions": stats.reactions,
                   "happy_reaction_percentage": 0, "neutral_reaction_percentage": 0,
                   "sad_reaction_percentage": 0}),
        );
    }
    out.insert("title".into(), json!(main.title));
    out.insert("description".into(), json!(main.description));
    out.insert("body".into(), json!(sign_images(&main.body, now, env.rng)));
    out.insert("author_id".into(), json!(main.author_id));
    out.insert("state".into(), json!(state(main)));
    out.insert("created_at".into(), json!(article.created_at));
    out.insert("updated_at".into(), json!(article.updated_at));
    out.insert("url".into(), url_of(&identifier, default_locale, id, main));
    if options.multilingual {
        out.insert("default_locale".into(), json!(default_locale));
        let mut tc = Map::new();
        tc.insert("type".into(), json!("article_translated_content"));
        for locale in LOCALES {
            let mirror = locale != default_locale
                || options.switches.mirror_default_locale_in_translated_content;
            match article.contents.get(locale) {
                Some(c) if mirror => {
                    tc.insert(
                        locale.into(),
                        json!({"type": "article_content", "title": c.title,
                               "description": c.description,
                               "body": sign_images(&c.body, now, env.rng),
                               "author_id": c.author_id, "state": state(c),
                               "created_at": c.created_at, "updated_at": c.updated_at,
                               "url": url_of(&identifier, locale, id, c)}),
                    );
                }
                None if options.switches.empty_stubs_for_enabled_locales
                    && options.locales.iter().any(|l| l == locale) =>
                {
                    tc.insert(
                        locale.into(),
                        json!({"type": "article_content", "title": "", "description": "",
                               "body": "", "author_id": main.author_id, "state": "draft",
                               "created_at": article.created_at,
                               "updated_at": article.created_at, "url": null}),
                    );
                }
                _ => {}
            }
        }
        out.insert("translated_content".into(), Value::Object(tc));
    }
    Value::Object(out)
}
