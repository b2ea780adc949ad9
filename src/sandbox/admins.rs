//! `GET /me`, `GET /admins`, `GET /admins/{id}` (`API-NOTES.md` §4): the seeded teammates.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::error::ApiError;
use super::options::AdminSeed;
use super::store::{Env, Store, WORKSPACE_ID};

const AVATAR: &str = "https://static.intercomassets.com/assets/default-avatars/admins/128.png";

fn admin(seed: &AdminSeed, avatar: bool) -> Value {
    let mut out = json!({"type": "admin", "email": seed.email, "id": seed.id, "name": seed.name,
                         "away_mode_enabled": false, "away_mode_reassign": false,
                         "has_inbox_seat": true, "team_ids": []});
    if avatar {
        out["avatar"] = json!(AVATAR);
    }
    out
}

/// `GET /me`: the first admin, with the app.
pub fn me(store: &Store, env: &Env<'_>) -> Result<Value, ApiError> {
    let seed = env.options.admins.first().ok_or_else(ApiError::not_found)?;
    Ok(
        json!({"type": "admin", "id": seed.id, "email": seed.email, "name": seed.name,
              "email_verified": true,
              "app": {"type": "app", "id_code": WORKSPACE_ID, "name": "Sandbox",
                      "created_at": store.created_at, "secure": false,
                      "identity_verification": false, "timezone": "UTC", "region": "US"},
              "avatar": {"type": "avatar", "image_url": AVATAR},
              "has_inbox_seat": true}),
    )
}

/// `GET /admins` (not paginated).
pub fn list(env: &Env<'_>, query: &BTreeMap<String, String>) -> Value {
    let avatar = query.get("display_avatar").is_some_and(|v| v == "true");
    let admins: Vec<Value> = env
        .options
        .admins
        .iter()
        .map(|a| admin(a, avatar))
        .collect();
    json!({"type": "admin.list", "admins": admins})
}

/// `GET /admins/{id}`: 404 `admin_not_found` for an unknown id.
pub fn retrieve(env: &Env<'_>, id: &str) -> Result<Value, ApiError> {
    env.options
        .admins
        .iter()
        .find(|a| a.id == id)
        .map(|a| admin(a, false))
        .ok_or_else(|| ApiError::new(404, "admin_not_found", "Admin not found"))
}
