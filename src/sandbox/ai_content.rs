//! `/ai/content_import_sources` and `/ai/external_pages`: Fin's AI Content (`API-NOTES.md` §8).
//!
//! Sources made through the API always have `sync_behavior: "api"`; deleting one deletes its
//! pages (204). Pages are upserted by `(source_id, external_id)` on POST, with the availability
//! defaults applied only when a page is created; PUT needs every field the 2.12 schema marks
//! required. `html` is stored as sent (the spec's examples echo it verbatim). Lists are
//! `pages_link` lists of 50. The `ui_*` functions are the control endpoints' edits "made in the
//! Intercom UI" (no API restriction applies to them).

use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::pagination::Paging;
use super::store::{ContentImportSource, Env, ExternalPage, Store, opt_id, opt_string};

/// Default `per_page` of both lists (the 2.12 examples' `per_page: 50`).
pub const DEFAULT_PER_PAGE: usize = 50;

const SYNC_BEHAVIORS: [&str; 3] = ["api", "automatic", "manual"];
const STATUSES: [&str; 2] = ["active", "deactivated"];

/// 400 `parameter_not_found` naming a required field.
fn required(key: &str) -> ApiError {
    ApiError {
        field: Some(key.to_owned()),
        ..ApiError::missing(format!("{key} is a required parameter."))
    }
}

/// A required string field: absent or `null` is 400 `parameter_not_found`.
fn required_string(map: &Map<String, Value>, key: &str) -> Result<String, ApiError> {
    opt_string(map, key)?.ok_or_else(|| required(key))
}

/// A required id field (an integer, or a string of digits).
fn required_id(map: &Map<String, Value>, key: &str) -> Result<u64, ApiError> {
    opt_id(map, key)?.ok_or_else(|| required(key))
}

fn opt_bool(map: &Map<String, Value>, key: &str) -> Result<Option<bool>, ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::invalid(key, format!("{key} must be a boolean"))),
    }
}

/// An absolute `http(s)` URL (our choice: the real validation is unverified).
fn check_url(key: &str, value: &str) -> Result<(), ApiError> {
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(()),
        _ => Err(ApiError::invalid(
            key,
            format!("{key} must be an absolute http(s) URL (got `{value}`)"),
        )),
    }
}

fn status(map: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let status = opt_string(map, "status")?;
    if let Some(s) = &status
        && !STATUSES.contains(&s.as_str())
    {
        return Err(ApiError::invalid(
            "status",
            format!("status must be one of active, deactivated (got {s})"),
        ));
    }
    Ok(status)
}

fn render_source(source: &ContentImportSource) -> Value {
    json!({
        "id": source.id,
        "type": "content_import_source",
        "last_synced_at": source.last_synced_at,
        "status": source.status,
        "url": source.url,
        "sync_behavior": source.sync_behavior,
        "created_at": source.created_at,
        "updated_at": source.updated_at,
    })
}

fn render_page(page: &ExternalPage) -> Value {
    json!({
        "id": page.id.to_string(),
        "type": "external_page",
        "title": page.title,
        "html": page.html,
        "url": page.url,
        "ai_agent_availability": page.ai_agent_availability,
        "ai_copilot_availability": page.ai_copilot_availability,
        "ai_sales_agent_availability": page.ai_sales_agent_availability,
        // Deprecated alias; "Fin" is the AI agent (our choice).
        "fin_availability": page.ai_agent_availability,
        "locale": page.locale,
        "source_id": page.source_id,
        "external_id": page.external_id,
        "created_at": page.created_at,
        "updated_at": page.updated_at,
        "last_ingested_at": page.last_ingested_at,
    })
}

/// `GET /ai/content_import_sources`: by id, oldest first (as the list example).
pub fn list_sources(
    store: &Store,
    env: &Env<'_>,
    query: &std::collections::BTreeMap<String, String>,
) -> Value {
    let items = store.sources.values().map(render_source).collect();
    Paging::from_query(query, DEFAULT_PER_PAGE).list(
        items,
        &format!("{}/ai/content_import_sources", env.base_url),
        &env.options.switches,
    )
}

/// `POST /ai/content_import_sources`: `sync_behavior` must be `api`, `url` is required.
pub fn create_source(store: &mut Store, body: &Value) -> Result<Value, ApiError> {
    let body = ApiError::body_object(body)?;
    let sync = required_string(body, "sync_behavior")?;
    if sync != "api" {
        return Err(ApiError::invalid(
            "sync_behavior",
            format!("sync_behavior must be api (got {sync})"),
        ));
    }
    let url = required_string(body, "url")?;
    check_url("url", &url)?;
    let status = status(body)?.unwrap_or_else(|| "active".to_owned());
    Ok(render_source(insert_source(store, url, sync, status)))
}

fn insert_source(
    store: &mut Store,
    url: String,
    sync_behavior: String,
    status: String,
) -> &ContentImportSource {
    let now = store.tick();
    let id = store.next_source_id;
    store.next_source_id += 1;
    store.sources.entry(id).or_insert(ContentImportSource {
        id,
        url,
        sync_behavior,
        status,
        created_at: now,
        updated_at: now,
        last_synced_at: now,
    })
}

/// `GET /ai/content_import_sources/{id}`.
pub fn retrieve_source(store: &Store, id: u64) -> Result<Value, ApiError> {
    store
        .sources
        .get(&id)
        .map(render_source)
        .ok_or_else(ApiError::not_found)
}

/// `PUT /ai/content_import_sources/{id}`: `sync_behavior` and `url` required; the behaviour
/// cannot change to or from `api`; the URL may change only on an `api` source.
pub fn update_source(store: &mut Store, id: u64, body: &Value) -> Result<Value, ApiError> {
    let Some(current) = store.sources.get(&id) else {
        return Err(ApiError::not_found());
    };
    let body = ApiError::body_object(body)?;
    let sync = required_string(body, "sync_behavior")?;
    // The 2.12 update schema spells it `automated`; the object says `automatic`.
    let sync = if sync == "automated" {
        "automatic".to_owned()
    } else {
        sync
    };
    if !SYNC_BEHAVIORS.contains(&sync.as_str()) {
        return Err(ApiError::invalid(
            "sync_behavior",
            format!("sync_behavior must be one of api, automated, manual (got {sync})"),
        ));
    }
    if (sync == "api") != (current.sync_behavior == "api") {
        return Err(ApiError::invalid(
            "sync_behavior",
            "You can not change the value to or from api",
        ));
    }
    let url = required_string(body, "url")?;
    check_url("url", &url)?;
    if url != current.url && current.sync_behavior != "api" {
        return Err(ApiError::invalid(
            "url",
            "The url may only change when the sync behavior is api",
        ));
    }
    let status = status(body)?;
    let now = store.tick();
    let source = store.sources.get_mut(&id).ok_or_else(ApiError::not_found)?;
    source.sync_behavior = sync;
    source.url = url;
    if let Some(status) = status {
        source.status = status;
    }
    source.updated_at = now;
    Ok(render_source(source))
}

/// `DELETE /ai/content_import_sources/{id}`: removes the source and every page imported from
/// it. `Value::Null` is the 204 No Content answer.
pub fn delete_source(store: &mut Store, id: u64) -> Result<Value, ApiError> {
    if store.sources.remove(&id).is_none() {
        return Err(ApiError::not_found());
    }
    store.pages.retain(|_, page| page.source_id != id);
    store.tick();
    Ok(Value::Null)
}

/// `GET /ai/external_pages`: `updated_at` desc, ties by id desc (the list example's order).
pub fn list_pages(
    store: &Store,
    env: &Env<'_>,
    query: &std::collections::BTreeMap<String, String>,
) -> Value {
    let mut pages: Vec<&ExternalPage> = store.pages.values().collect();
    pages.sort_by_key(|p| std::cmp::Reverse((p.updated_at, p.id)));
    let items = pages.into_iter().map(render_page).collect();
    Paging::from_query(query, DEFAULT_PER_PAGE).list(
        items,
        &format!("{}/ai/external_pages", env.base_url),
        &env.options.switches,
    )
}

/// The source a page write names: it must exist and, through the API, sync by `api`.
fn page_source(store: &Store, id: u64, through_api: bool) -> Result<(), ApiError> {
    let Some(source) = store.sources.get(&id) else {
        return Err(ApiError::invalid(
            "source_id",
            format!("source_id {id} is not an existing content import source"),
        ));
    };
    if through_api && source.sync_behavior != "api" {
        return Err(ApiError::invalid(
            "source_id",
            format!(
                "content import source {id} syncs {}: pages can be written through the API \
                 only into a source whose sync_behavior is api",
                source.sync_behavior
            ),
        ));
    }
    Ok(())
}

fn locale(map: &Map<String, Value>) -> Result<String, ApiError> {
    let locale = required_string(map, "locale")?;
    if locale != "en" {
        return Err(ApiError::invalid(
            "locale",
            format!("locale must be en (got {locale})"),
        ));
    }
    Ok(locale)
}

fn title(map: &Map<String, Value>) -> Result<String, ApiError> {
    let title = required_string(map, "title")?;
    if title.trim().is_empty() {
        return Err(required("title"));
    }
    Ok(title)
}

/// `POST /ai/external_pages`: creates the page, or updates the one with the same
/// `(source_id, external_id)`. Availability defaults apply only to a new page.
pub fn upsert_page(store: &mut Store, env: &Env<'_>, body: &Value) -> Result<Value, ApiError> {
    upsert(store, env, body, true)
}

fn upsert(
    store: &mut Store,
    env: &Env<'_>,
    body: &Value,
    through_api: bool,
) -> Result<Value, ApiError> {
    let body = ApiError::body_object(body)?;
    let title = title(body)?;
    let html = required_string(body, "html")?;
    let locale = locale(body)?;
    let source_id = required_id(body, "source_id")?;
    let external_id = required_string(body, "external_id")?;
    let url = opt_string(body, "url")?;
    let agent = opt_bool(body, "ai_agent_availability")?;
    let copilot = opt_bool(body, "ai_copilot_availability")?;
    page_source(store, source_id, through_api)?;
    let now = store.tick();
    let existing = store
        .pages
        .values()
        .find(|p| p.source_id == source_id && p.external_id == external_id)
        .map(|p| p.id);
    let id = existing.unwrap_or_else(|| {
        let id = store.next_page_id;
        store.next_page_id += 1;
        id
    });
    let default = env.options.switches.external_page_availability_default;
    let page = store.pages.entry(id).or_insert_with(|| ExternalPage {
        id,
        source_id,
        external_id,
        title: String::new(),
        html: String::new(),
        url: None,
        ai_agent_availability: default,
        ai_copilot_availability: default,
        ai_sales_agent_availability: default,
        locale: locale.clone(),
        created_at: now,
        updated_at: now,
        last_ingested_at: now,
    });
    page.title = title;
    page.html = html;
    page.locale = locale;
    if url.is_some() {
        page.url = url;
    }
    if let Some(agent) = agent {
        page.ai_agent_availability = agent;
    }
    if let Some(copilot) = copilot {
        page.ai_copilot_availability = copilot;
    }
    page.updated_at = now;
    page.last_ingested_at = now;
    Ok(render_page(page))
}

/// `GET /ai/external_pages/{id}`.
pub fn retrieve_page(store: &Store, id: u64) -> Result<Value, ApiError> {
    store
        .pages
        .get(&id)
        .map(render_page)
        .ok_or_else(ApiError::not_found)
}

/// `PUT /ai/external_pages/{id}`: `title`, `html`, `url`, `locale` and `source_id` required;
/// `external_id` optional (unique per source); `fin_availability` sets both availabilities.
/// The 2.12 update schema has no `ai_*_availability`: they are ignored here.
pub fn update_page(store: &mut Store, id: u64, body: &Value) -> Result<Value, ApiError> {
    if !store.pages.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    let body = ApiError::body_object(body)?;
    let title = title(body)?;
    let html = required_string(body, "html")?;
    let url = required_string(body, "url")?;
    let locale = locale(body)?;
    let source_id = required_id(body, "source_id")?;
    let external_id = opt_string(body, "external_id")?;
    let fin = opt_bool(body, "fin_availability")?;
    page_source(store, source_id, true)?;
    let external_id = external_id.unwrap_or_else(|| store.pages[&id].external_id.clone());
    if store
        .pages
        .values()
        .any(|p| p.id != id && p.source_id == source_id && p.external_id == external_id)
    {
        return Err(ApiError::invalid(
            "external_id",
            format!("external_id {external_id} is already used in source {source_id}"),
        ));
    }
    let now = store.tick();
    let page = store.pages.get_mut(&id).ok_or_else(ApiError::not_found)?;
    page.title = title;
    page.html = html;
    page.url = Some(url);
    page.locale = locale;
    page.source_id = source_id;
    page.external_id = external_id;
    if let Some(fin) = fin {
        page.ai_agent_availability = fin;
        page.ai_copilot_availability = fin;
    }
    page.updated_at = now;
    page.last_ingested_at = now;
    Ok(render_page(page))
}

/// `DELETE /ai/external_pages/{id}`: 200 with the page, `html` empty (as the spec example).
pub fn delete_page(store: &mut Store, id: u64) -> Result<Value, ApiError> {
    let mut page = store.pages.remove(&id).ok_or_else(ApiError::not_found)?;
    store.tick();
    page.html = String::new();
    Ok(render_page(&page))
}

/// `POST /_sandbox/content_import_sources`: a source made in the Intercom UI, any
/// `sync_behavior` (`api`, `automatic`, `manual`).
pub fn ui_create_source(store: &mut Store, body: &Value) -> Result<Value, ApiError> {
    let body = ApiError::body_object(body)?;
    let sync = opt_string(body, "sync_behavior")?.unwrap_or_else(|| "automatic".to_owned());
    if !SYNC_BEHAVIORS.contains(&sync.as_str()) {
        return Err(ApiError::invalid(
            "sync_behavior",
            format!("sync_behavior must be one of api, automatic, manual (got {sync})"),
        ));
    }
    let url = required_string(body, "url")?;
    check_url("url", &url)?;
    let status = status(body)?.unwrap_or_else(|| "active".to_owned());
    Ok(render_source(insert_source(store, url, sync, status)))
}

/// `POST /_sandbox/external_pages`: a page imported into any source (e.g. one that syncs
/// `automatic`), as the UI would; otherwise the same upsert as the API.
pub fn ui_upsert_page(store: &mut Store, env: &Env<'_>, body: &Value) -> Result<Value, ApiError> {
    upsert(store, env, body, false)
}

/// `PUT /_sandbox/external_pages/{id}`: an edit made outside the tool. Any of `title`, `html`,
/// `url` (`null` clears it), `ai_agent_availability`, `ai_copilot_availability`,
/// `ai_sales_agent_availability` and `external_id`; omitted fields are kept; `updated_at` bumps.
pub fn ui_edit_page(store: &mut Store, id: u64, body: &Value) -> Result<Value, ApiError> {
    if !store.pages.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    let body = ApiError::body_object(body)?;
    let title = opt_string(body, "title")?;
    let html = opt_string(body, "html")?;
    let url = opt_string(body, "url")?;
    let clear_url = body.get("url") == Some(&Value::Null);
    let agent = opt_bool(body, "ai_agent_availability")?;
    let copilot = opt_bool(body, "ai_copilot_availability")?;
    let sales = opt_bool(body, "ai_sales_agent_availability")?;
    let external_id = opt_string(body, "external_id")?;
    let now = store.tick();
    let page = store.pages.get_mut(&id).ok_or_else(ApiError::not_found)?;
    if let Some(title) = title {
        page.title = title;
    }
    if let Some(html) = html {
        page.html = html;
    }
    if url.is_some() || clear_url {
        page.url = url;
    }
    if let Some(agent) = agent {
        page.ai_agent_availability = agent;
    }
    if let Some(copilot) = copilot {
        page.ai_copilot_availability = copilot;
    }
    if let Some(sales) = sales {
        page.ai_sales_agent_availability = sales;
    }
    if let Some(external_id) = external_id {
        page.external_id = external_id;
    }
    page.updated_at = now;
    Ok(render_page(page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::options::SandboxOptions;

    fn with_env<T>(f: impl FnOnce(&Env<'_>) -> T) -> T {
        let options = SandboxOptions::default();
        let mut rng = fastrand::Rng::with_seed(1);
        let statistics = std::collections::BTreeMap::new();
        let env = Env {
            options: &options,
            rng: &mut rng,
            base_url: "http://h",
            statistics: &statistics,
        };
        f(&env)
    }

    fn page(source: u64, external_id: &str) -> Value {
        json!({"title": "T", "html": "<p>x</p>", "locale": "en", "source_id": source,
               "external_id": external_id, "url": "https://d.example/x"})
    }

    #[test]
    fn upsert_keys_on_source_and_external_id() {
        let mut store = Store::default();
        let a = create_source(
            &mut store,
            &json!({"sync_behavior": "api", "url": "https://a.example"}),
        )
        .unwrap()["id"]
            .as_u64()
            .unwrap();
        let b = create_source(
            &mut store,
            &json!({"sync_behavior": "api", "url": "https://b.example"}),
        )
        .unwrap()["id"]
            .as_u64()
            .unwrap();
        with_env(|env| {
            let first = upsert_page(&mut store, env, &page(a, "k")).unwrap();
            let again = upsert_page(&mut store, env, &page(a, "k")).unwrap();
            assert_eq!(first["id"], again["id"]);
            let other = upsert_page(&mut store, env, &page(b, "k")).unwrap();
            assert_ne!(first["id"], other["id"]);
        });
        assert_eq!(store.pages.len(), 2);
        delete_source(&mut store, a).unwrap();
        assert_eq!(store.pages.len(), 1);
        assert!(store.pages.values().all(|p| p.source_id == b));
    }

    #[test]
    fn availability_defaults_only_on_create() {
        let mut store = Store::default();
        let s = create_source(
            &mut store,
            &json!({"sync_behavior": "api", "url": "https://a.example"}),
        )
        .unwrap()["id"]
            .as_u64()
            .unwrap();
        with_env(|env| {
            let mut body = page(s, "k");
            body["ai_agent_availability"] = json!(true);
            let made = upsert_page(&mut store, env, &body).unwrap();
            assert_eq!(made["ai_agent_availability"], true);
            assert_eq!(made["ai_copilot_availability"], false);
            let kept = upsert_page(&mut store, env, &page(s, "k")).unwrap();
            assert_eq!(kept["ai_agent_availability"], true, "no default on update");
        });
    }
}
