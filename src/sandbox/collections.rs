//! `/help_center/collections` endpoints (`API-NOTES.md` §3): three nesting levels, per-locale
//! `name`/`description` merge, read-only `icon`/`order`, non-empty deletes per switch.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::options::{DeleteCollectionWithChildren, FourthLevelCollection, LOCALES};
use super::pagination::Paging;
use super::store::{
    Collection, Env, GroupContent, HELP_CENTER_HOST, LocaleChange, Store, WORKSPACE_ID, opt_id,
    opt_string, translated_content,
};

/// Default `per_page` of `GET /help_center/collections`.
pub const DEFAULT_PER_PAGE: usize = 20;
/// Deepest level a collection may sit at (unless `fourth_level_collection = accept`).
pub const MAX_DEPTH: usize = 3;

#[derive(Debug, Default)]
struct GroupInput {
    name: Option<String>,
    /// Whether `description` was sent (it may be sent as `null`).
    description_sent: bool,
    description: Option<String>,
}

fn group_input(map: &Map<String, Value>) -> Result<GroupInput, ApiError> {
    Ok(GroupInput {
        name: opt_string(map, "name")?,
        description_sent: map.contains_key("description"),
        description: opt_string(map, "description")?,
    })
}

fn inputs(
    body: &Map<String, Value>,
    env: &Env<'_>,
) -> Result<(GroupInput, Vec<(String, LocaleChange)>), ApiError> {
    let top = group_input(body)?;
    let mut default = GroupInput::default();
    let mut others = Vec::new();
    for (locale, change) in translated_content(env.options, body)? {
        match change {
            LocaleChange::Set(map) if locale == env.options.default_locale => {
                default = group_input(&map)?;
            }
            change => others.push((locale, change)),
        }
    }
    Ok((
        GroupInput {
            name: top.name.or(default.name),
            description_sent: top.description_sent || default.description_sent,
            description: if top.description_sent {
                top.description
            } else {
                default.description
            },
        },
        others,
    ))
}

fn apply(content: &mut GroupContent, input: GroupInput) {
    if let Some(name) = input.name {
        content.name = name;
    }
    if input.description_sent {
        content.description = input.description;
    }
}

fn apply_locales(collection: &mut Collection, changes: Vec<(String, LocaleChange)>) {
    for (locale, change) in changes {
        match change {
            LocaleChange::Delete => {
                collection.contents.remove(&locale);
            }
            LocaleChange::Set(map) => {
                let input = group_input(&map).unwrap_or_default();
                let content = collection.contents.entry(locale).or_insert(GroupContent {
                    name: String::new(),
                    description: Some(String::new()),
                });
                apply(content, input);
            }
        }
    }
}

fn check_depth(env: &Env<'_>, depth: usize) -> Result<(), ApiError> {
    if depth > MAX_DEPTH
        && env.options.switches.fourth_level_collection == FourthLevelCollection::Reject
    {
        return Err(ApiError::invalid(
            "parent_id",
            "Collections can only be nested up to three levels deep",
        ));
    }
    Ok(())
}

fn existing_parent(store: &Store, id: Option<u64>) -> Result<Option<&Collection>, ApiError> {
    id.map(|id| {
        store.collections.get(&id).ok_or_else(|| {
            ApiError::invalid(
                "parent_id",
                format!("parent_id {id} is not an existing collection"),
            )
        })
    })
    .transpose()
}

/// `POST /help_center/collections`.
pub fn create(store: &mut Store, env: &mut Env<'_>, body: &Value) -> Result<Value, ApiError> {
    let body = ApiError::body_object(body)?;
    let (default, others) = inputs(body, env)?;
    // The field-level validation errors come first; a missing name is checked after them.
    let parent_id = opt_id(body, "parent_id")?;
    let help_center_id = opt_id(body, "help_center_id")?;
    if default.name.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::missing("Name is a required parameter."));
    }
    if let Some(hc) = help_center_id
        && env.help_center(hc).is_none()
    {
        return Err(ApiError::invalid(
            "help_center_id",
            format!("help_center_id {hc} is not a help center of this workspace"),
        ));
    }
    let parent = existing_parent(store, parent_id)?;
    let help_center_id = match (parent, help_center_id) {
        (Some(p), Some(hc)) if p.help_center_id != hc => {
            return Err(ApiError::invalid(
                "parent_id",
                "The parent collection belongs to another help center",
            ));
        }
        (Some(p), _) => p.help_center_id,
        (None, Some(hc)) => hc,
        (None, None) => env.default_help_center_id(),
    };
    let depth = parent_id.map_or(0, |p| store.depth(p)) + 1;
    check_depth(env, depth)?;
    let order = store
        .collections
        .values()
        .filter(|c| c.parent_id == parent_id && c.help_center_id == help_center_id)
        .count();
    let now = store.tick();
    let id = store.next_collection_id;
    let mut content = GroupContent {
        name: String::new(),
        description: Some(String::new()),
    };
    apply(&mut content, default);
    let mut collection = Collection {
        id,
        help_center_id,
        parent_id,
        order: u32::try_from(order + 1).unwrap_or(u32::MAX),
        created_at: now,
        updated_at: now,
        contents: BTreeMap::from([(env.options.default_locale.clone(), content)]),
    };
    apply_locales(&mut collection, others);
    store.next_collection_id += 1;
    store.collections.insert(id, collection);
    Ok(render(store, env, id))
}

/// `GET /help_center/collections/{id}`.
pub fn retrieve(store: &Store, env: &Env<'_>, id: u64) -> Result<Value, ApiError> {
    if !store.collections.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    Ok(render(store, env, id))
}

/// `PUT /help_center/collections/{id}`.
pub fn update(
    store: &mut Store,
    env: &mut Env<'_>,
    id: u64,
    body: &Value,
) -> Result<Value, ApiError> {
    if !store.collections.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    let body = ApiError::body_object(body)?;
    let (default, others) = inputs(body, env)?;
    let mut collection = store.collections[&id].clone();
    if body.contains_key("parent_id") {
        let parent_id = opt_id(body, "parent_id")?;
        if let Some(p) = existing_parent(store, parent_id)? {
            if store.is_ancestor(id, p.id) {
                return Err(ApiError::invalid(
                    "parent_id",
                    "A collection cannot be moved into itself or one of its sub-collections",
                ));
            }
            if p.help_center_id != collection.help_center_id {
                return Err(ApiError::invalid(
                    "parent_id",
                    "The parent collection belongs to another help center",
                ));
            }
        }
        let depth = parent_id.map_or(0, |p| store.depth(p)) + 1 + store.height(id);
        check_depth(env, depth)?;
        collection.parent_id = parent_id;
    }
    if default.name.as_deref() == Some("") {
        return Err(ApiError::missing("Name is a required parameter."));
    }
    let default_locale = env.options.default_locale.clone();
    apply(
        collection
            .contents
            .entry(default_locale)
            .or_insert(GroupContent {
                name: String::new(),
                description: Some(String::new()),
            }),
        default,
    );
    apply_locales(&mut collection, others);
    collection.updated_at = store.tick();
    store.collections.insert(id, collection);
    Ok(render(store, env, id))
}

/// `DELETE /help_center/collections/{id}`; children per `delete_collection_with_children`.
pub fn delete(store: &mut Store, env: &Env<'_>, id: u64) -> Result<Value, ApiError> {
    if !store.collections.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    let has_children = store.collections.values().any(|c| c.parent_id == Some(id))
        || store.articles.values().any(|a| a.parent_id == Some(id));
    let now = store.tick();
    match env.options.switches.delete_collection_with_children {
        _ if !has_children => {}
        DeleteCollectionWithChildren::Reject => {
            return Err(ApiError::invalid(
                "id",
                "The collection still contains articles or collections",
            ));
        }
        DeleteCollectionWithChildren::Detach => {
            for c in store
                .collections
                .values_mut()
                .filter(|c| c.parent_id == Some(id))
            {
                c.parent_id = None;
                c.updated_at = now;
            }
            for a in store
                .articles
                .values_mut()
                .filter(|a| a.parent_id == Some(id))
            {
                a.parent_id = None;
                a.parent_type = None;
                a.updated_at = now;
            }
        }
        DeleteCollectionWithChildren::Cascade => {
            let doomed: Vec<u64> = store
                .collections
                .keys()
                .copied()
                .filter(|c| *c != id && store.is_ancestor(id, *c))
                .collect();
            for c in &doomed {
                store.collections.remove(c);
            }
            store
                .articles
                .retain(|_, a| a.parent_id.is_none_or(|p| p != id && !doomed.contains(&p)));
        }
    }
    store.collections.remove(&id);
    Ok(json!({"id": id.to_string(), "object": "collection", "deleted": true}))
}

/// `GET /help_center/collections` (`help_center_id` filter, paging, `updated_at` desc).
pub fn list(store: &Store, env: &Env<'_>, query: &BTreeMap<String, String>) -> Value {
    let paging = Paging::from_query(query, DEFAULT_PER_PAGE);
    let filter = query.get("help_center_id").map(|h| h.parse::<u64>().ok());
    let mut all: Vec<&Collection> = store
        .collections
        .values()
        .filter(|c| filter.is_none_or(|f| f == Some(c.help_center_id)))
        .collect();
    all.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
    let start = (paging.page - 1).saturating_mul(paging.per_page);
    let items = all
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i >= start && i < start + paging.per_page {
                render(store, env, c.id)
            } else {
                Value::Null
            }
        })
        .collect();
    let mut next_base = format!("{}/help_center/collections", env.base_url);
    if let Some(hc) = query.get("help_center_id") {
        let encoded: String = url::form_urlencoded::byte_serialize(hc.as_bytes()).collect();
        next_base.push_str("?help_center_id=");
        next_base.push_str(&encoded);
    }
    paging.list(items, &next_base, &env.options.switches)
}

/// The JSON of one collection.
pub fn render(store: &Store, env: &Env<'_>, id: u64) -> Value {
    let c = &store.collections[&id];
    let options = env.options;
    let default_locale = options.default_locale.as_str();
    let fallback = GroupContent {
        name: String::new(),
        description: None,
    };
    let main = c.contents.get(default_locale).unwrap_or(&fallback);
    let identifier = env.help_center_identifier(c.help_center_id);
    let help_center_id = if c.parent_id.is_some() && options.switches.nested_help_center_id_null {
        Value::Null
    } else {
        json!(c.help_center_id)
    };
    let mut out = Map::new();
    out.insert("id".into(), json!(id.to_string()));
    out.insert("workspace_id".into(), json!(WORKSPACE_ID));
    out.insert("name".into(), json!(main.name));
    out.insert(
        "url".into(),
        json!(format!("{HELP_CENTER_HOST}/{identifier}/collection-{id}")),
    );
    out.insert("order".into(), json!(c.order));
    out.insert("created_at".into(), json!(c.created_at));
    out.insert("updated_at".into(), json!(c.updated_at));
    out.insert("description".into(), json!(main.description));
    out.insert(
        "icon".into(),
        json!(if c.parent_id.is_some() {
            "folder"
        } else {
            "book-bookmark"
        }),
    );
    out.insert(
        "parent_id".into(),
        json!(c.parent_id.map(|p| p.to_string())),
    );
    out.insert("help_center_id".into(), help_center_id);
    if options.multilingual {
        out.insert("default_locale".into(), json!(default_locale));
        let mut tc = Map::new();
        tc.insert("type".into(), json!("group_translated_content"));
        for locale in LOCALES {
            let mirror = locale != default_locale
                || options.switches.mirror_default_locale_in_translated_content;
            match c.contents.get(locale) {
                Some(g) if mirror => {
                    tc.insert(
                        locale.into(),
                        json!({"type": "group_content", "name": g.name,
                               "description": g.description.clone().unwrap_or_default()}),
                    );
                }
                None if options.switches.empty_stubs_for_enabled_locales
                    && options.locales.iter().any(|l| l == locale) =>
                {
                    tc.insert(
                        locale.into(),
                        json!({"type": "group_content", "name": "", "description": ""}),
                    );
                }
                _ => {}
            }
        }
        out.insert("translated_content".into(), Value::Object(tc));
    }
    Value::Object(out)
}
