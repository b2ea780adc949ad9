//! `GET /help_center/help_centers` and `GET /help_center/help_centers/{id}` (§3.4): the seeded
//! help centers (there are no create/update/delete endpoints).

use serde_json::{Value, json};

use super::error::ApiError;
use super::options::HelpCenterSeed;
use super::store::{Env, HELP_CENTER_HOST, Store, WORKSPACE_ID};

fn render(store: &Store, seed: &HelpCenterSeed) -> Value {
    json!({"id": seed.id, "workspace_id": WORKSPACE_ID, "created_at": store.created_at,
           "updated_at": store.created_at, "identifier": seed.identifier,
           "website_turned_on": true, "display_name": seed.display_name,
           "url": format!("{HELP_CENTER_HOST}/{}", seed.identifier), "custom_domain": null})
}

/// `GET /help_center/help_centers` (`{type:"list", data}` without `pages`).
pub fn list(store: &Store, env: &Env<'_>) -> Value {
    let data: Vec<Value> = env
        .options
        .help_centers
        .iter()
        .map(|h| render(store, h))
        .collect();
    json!({"type": "list", "data": data})
}

/// `GET /help_center/help_centers/{id}`.
pub fn retrieve(store: &Store, env: &Env<'_>, id: u64) -> Result<Value, ApiError> {
    env.help_center(id)
        .map(|h| render(store, h))
        .ok_or_else(ApiError::not_found)
}
