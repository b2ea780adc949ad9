//! Fin AI Content in the emulator (`/ai/content_import_sources`, `/ai/external_pages`) and the
//! client's calls for them: validation, upsert by `external_id`, cascading source deletes,
//! paging, auth/limits/faults, persistence, the "edited in the UI" control endpoints, and the
//! typed client against `sandbox serve` with lost responses and server errors.
//!
//! Helpers for other test modules: [`external_pages`] and [`sources`] list everything through
//! the blocking test client, [`ui_edit_page`] edits a page as a person in the Intercom UI would.

use std::time::Duration;

use helpcenter::remote::ai_content::{
    CreateContentImportSource, UpdateContentImportSource, UpdateExternalPage, UpsertExternalPage,
};
use helpcenter::remote::{Client, ClientConfig, ErrorKind, Token};
use helpcenter::sandbox::{RateLimit, SandboxOptions, Switches};
use serde_json::{Value, json};

use crate::sandbox::{Api, Reply, serve};
use crate::support::{Emulator, Http, TOKEN};

/// Every external page in the emulator (all pages of the list).
pub(crate) fn external_pages(http: &Http) -> Vec<Value> {
    list_all(http, "/ai/external_pages")
}

/// Every content import source in the emulator.
pub(crate) fn sources(http: &Http) -> Vec<Value> {
    list_all(http, "/ai/content_import_sources")
}

fn list_all(http: &Http, endpoint: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let body = http.get(&format!("{endpoint}?page={page}"));
        let data = body["data"].as_array().cloned().unwrap_or_default();
        if data.is_empty() {
            break;
        }
        out.extend(data);
    }
    out
}

/// Edits page `id` "in the Intercom UI" (`PUT /_sandbox/external_pages/{id}`): any of `title`,
/// `html`, `url`, `ai_agent_availability`, `ai_copilot_availability`; `updated_at` moves on.
pub(crate) fn ui_edit_page(http: &Http, id: &str, fields: &Value) -> Value {
    let (status, body) = http.call(
        "PUT",
        &format!("/_sandbox/external_pages/{id}"),
        Some(fields),
    );
    assert_eq!(status, 200, "{body}");
    body
}

fn error(reply: &Reply) -> (String, String, Option<String>) {
    assert_eq!(reply.body["type"], "error.list", "{}", reply.body);
    assert!(reply.body["request_id"].is_string(), "{}", reply.body);
    let e = &reply.body["errors"][0];
    (
        e["code"].as_str().unwrap_or_default().to_owned(),
        e["message"].as_str().unwrap_or_default().to_owned(),
        e["field"].as_str().map(str::to_owned),
    )
}

async fn source(api: &Api, url: &str) -> u64 {
    let reply = api
        .post(
            "/ai/content_import_sources",
            json!({"sync_behavior": "api", "url": url}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["id"]
        .as_u64()
        .expect("a source id is an integer")
}

fn page_body(source_id: u64, external_id: &str, title: &str) -> Value {
    json!({"title": title, "html": format!("<h1>{title}</h1>"), "locale": "en",
           "source_id": source_id, "external_id": external_id,
           "url": format!("https://docs.example/{external_id}")})
}

#[tokio::test]
async fn sources_are_created_validated_updated_and_deleted() {
    let (_handle, api) = serve(SandboxOptions::default()).await;
    let made = api
        .post(
            "/ai/content_import_sources",
            json!({"sync_behavior": "api", "url": "https://docs.example/"}),
        )
        .await;
    assert_eq!(made.status, 200);
    let body = &made.body;
    assert_eq!(body["type"], "content_import_source");
    assert!(body["id"].is_u64(), "{body}");
    assert_eq!(body["sync_behavior"], "api");
    assert_eq!(body["status"], "active");
    assert_eq!(body["url"], "https://docs.example/");
    assert_eq!(body["last_synced_at"], body["created_at"]);
    let id = body["id"].as_u64().unwrap();

    for (request, code, field) in [
        (
            json!({"url": "https://a.example"}),
            "parameter_not_found",
            "sync_behavior",
        ),
        (
            json!({"sync_behavior": "api"}),
            "parameter_not_found",
            "url",
        ),
        (
            json!({"sync_behavior": "automatic", "url": "https://a.example"}),
            "parameter_invalid",
            "sync_behavior",
        ),
        (
            json!({"sync_behavior": "api", "url": "docs/"}),
            "parameter_invalid",
            "url",
        ),
        (
            json!({"sync_behavior": "api", "url": "https://a.example", "status": "gone"}),
            "parameter_invalid",
            "status",
        ),
        (
            json!({"sync_behavior": "api", "url": 3}),
            "parameter_invalid",
            "url",
        ),
    ] {
        let reply = api
            .post("/ai/content_import_sources", request.clone())
            .await;
        assert_eq!(reply.status, 400, "{request}: {}", reply.body);
        let (got_code, message, got_field) = error(&reply);
        assert_eq!(got_code, code, "{request}");
        assert_eq!(got_field.as_deref(), Some(field), "{request}");
        assert!(!message.is_empty());
    }
    let reply = api.post("/ai/content_import_sources", json!([1])).await;
    assert_eq!(reply.status, 400);

    let path = format!("/ai/content_import_sources/{id}");
    assert_eq!(api.get(&path).await.body, made.body);
    let moved = api
        .put(
            &path,
            json!({"sync_behavior": "api", "url": "https://docs.example/v2/", "status": "deactivated"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["url"], "https://docs.example/v2/");
    assert_eq!(moved.body["status"], "deactivated");
    assert!(moved.body["updated_at"].as_i64() > made.body["updated_at"].as_i64());
    assert_eq!(moved.body["created_at"], made.body["created_at"]);
    let from_api = api
        .put(
            &path,
            json!({"sync_behavior": "manual", "url": "https://docs.example/v2/"}),
        )
        .await;
    assert_eq!(from_api.status, 400);
    assert_eq!(
        error(&from_api).1,
        "You can not change the value to or from api"
    );
    let missing_url = api.put(&path, json!({"sync_behavior": "api"})).await;
    assert_eq!(error(&missing_url).0, "parameter_not_found");
    let missing_sync = api.put(&path, json!({"url": "https://x.example"})).await;
    assert_eq!(error(&missing_sync).0, "parameter_not_found");
    assert_eq!(
        api.get(&path).await.body,
        moved.body,
        "rejected writes change nothing"
    );

    let deleted = api.delete(&path).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.body, Value::Null, "204 has no body");
    for reply in [
        api.get(&path).await,
        api.delete(&path).await,
        api.put(
            &path,
            json!({"sync_behavior": "api", "url": "https://x.example"}),
        )
        .await,
    ] {
        assert_eq!(reply.status, 404);
        assert_eq!(error(&reply).0, "not_found");
    }
}

#[tokio::test]
async fn a_source_made_in_the_ui_cannot_become_api_or_take_api_pages() {
    let (_handle, api) = serve(SandboxOptions::default()).await;
    let ui = api
        .post(
            "/_sandbox/content_import_sources",
            json!({"url": "https://www.example.com/", "sync_behavior": "automatic"}),
        )
        .await;
    assert_eq!(ui.status, 200, "{}", ui.body);
    let id = ui.body["id"].as_u64().unwrap();
    let path = format!("/ai/content_import_sources/{id}");
    let to_api = api
        .put(
            &path,
            json!({"sync_behavior": "api", "url": "https://www.example.com/"}),
        )
        .await;
    assert_eq!(to_api.status, 400);
    let new_url = api
        .put(
            &path,
            json!({"sync_behavior": "automated", "url": "https://other.example/"}),
        )
        .await;
    assert_eq!(
        (new_url.status, error(&new_url).2.as_deref()),
        (400, Some("url"))
    );
    let same = api
        .put(
            &path,
            json!({"sync_behavior": "manual", "url": "https://www.example.com/"}),
        )
        .await;
    assert_eq!(same.status, 200, "{}", same.body);
    assert_eq!(same.body["sync_behavior"], "manual");
    let page = api
        .post("/ai/external_pages", page_body(id, "a", "A"))
        .await;
    assert_eq!(page.status, 400);
    assert_eq!(error(&page).2.as_deref(), Some("source_id"));
    // The UI (control endpoint) can import a page into it.
    let imported = api
        .post("/_sandbox/external_pages", page_body(id, "a", "A"))
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let api_source = source(&api, "https://www.example.com/").await;
    let mut put = page_body(api_source, "a", "A");
    put.as_object_mut().unwrap().remove("external_id");
    let update = api
        .put(
            &format!("/ai/external_pages/{}", id_of(&imported.body)),
            put,
        )
        .await;
    assert_eq!(
        update.status, 400,
        "only pages created via the API can be updated"
    );
    let listed = api.get("/ai/content_import_sources").await;
    assert_eq!(listed.body["data"][0]["sync_behavior"], "manual");
    assert_eq!(listed.body["total_count"], 2, "two sources may share a URL");
    assert!(
        api.get("/_sandbox/requests").await.body["requests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| !r["path"].as_str().unwrap().starts_with("/_sandbox")),
        "control endpoints are not logged"
    );
}

#[tokio::test]
async fn pages_upsert_by_source_and_external_id_with_defaults_only_on_create() {
    let (_handle, api) = serve(SandboxOptions::default()).await;
    let a = source(&api, "https://a.example/").await;
    let b = source(&api, "https://b.example/").await;
    let created = api
        .post("/ai/external_pages", page_body(a, "guides/x", "X"))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let page = &created.body;
    assert_eq!(page["type"], "external_page");
    assert!(page["id"].is_string(), "a page id is a string: {page}");
    assert_eq!(page["source_id"], a);
    assert_eq!(page["external_id"], "guides/x");
    assert_eq!(page["locale"], "en");
    assert_eq!(page["html"], "<h1>X</h1>", "html is stored as sent");
    assert_eq!(page["url"], "https://docs.example/guides/x");
    assert_eq!(page["ai_agent_availability"], false, "the schema's default");
    assert_eq!(page["ai_copilot_availability"], false);
    assert_eq!(page["last_ingested_at"], page["updated_at"]);
    let id = page["id"].as_str().unwrap().to_owned();

    let mut update = page_body(a, "guides/x", "X2");
    update["ai_agent_availability"] = json!(true);
    update["ai_copilot_availability"] = json!(true);
    let updated = api.post("/ai/external_pages", update).await;
    assert_eq!(updated.status, 200);
    assert_eq!(
        updated.body["id"], id,
        "same (source_id, external_id): updated"
    );
    assert_eq!(updated.body["title"], "X2");
    assert_eq!(updated.body["created_at"], page["created_at"]);
    assert!(updated.body["updated_at"].as_i64() > page["updated_at"].as_i64());
    let mut again = page_body(a, "guides/x", "X3");
    again.as_object_mut().unwrap().remove("url");
    let kept = api.post("/ai/external_pages", again).await;
    assert_eq!(
        kept.body["ai_agent_availability"], true,
        "no default on update"
    );
    assert_eq!(kept.body["ai_copilot_availability"], true);
    assert_eq!(
        kept.body["url"], "https://docs.example/guides/x",
        "omitted url kept"
    );

    let other = api
        .post("/ai/external_pages", page_body(b, "guides/x", "Y"))
        .await;
    assert_ne!(other.body["id"], id, "the key is per source");
    let numeric = api
        .post(
            "/ai/external_pages",
            json!({"title": "N", "html": "", "locale": "en",
            "source_id": a.to_string(), "external_id": "n"}),
        )
        .await;
    assert_eq!(numeric.status, 200, "source_id as digits: {}", numeric.body);
    assert_eq!(numeric.body["url"], Value::Null);
    assert_eq!(api.get("/ai/external_pages").await.body["total_count"], 3);

    let base = page_body(a, "k", "K");
    for (drop, code) in [
        ("title", "parameter_not_found"),
        ("html", "parameter_not_found"),
        ("locale", "parameter_not_found"),
        ("source_id", "parameter_not_found"),
        ("external_id", "parameter_not_found"),
    ] {
        let mut body = base.clone();
        body.as_object_mut().unwrap().remove(drop);
        let reply = api.post("/ai/external_pages", body).await;
        assert_eq!(reply.status, 400, "without {drop}: {}", reply.body);
        assert_eq!(error(&reply).0, code, "without {drop}");
        assert_eq!(error(&reply).2.as_deref(), Some(drop));
    }
    for (key, value) in [
        ("locale", json!("fr")),
        ("source_id", json!(424_242)),
        ("source_id", json!("x")),
        ("ai_agent_availability", json!("yes")),
        ("title", json!(5)),
        ("url", json!(false)),
    ] {
        let mut body = base.clone();
        body[key] = value.clone();
        let reply = api.post("/ai/external_pages", body).await;
        assert_eq!(reply.status, 400, "{key}={value}: {}", reply.body);
        assert_eq!(error(&reply).0, "parameter_invalid", "{key}={value}");
        assert_eq!(error(&reply).2.as_deref(), Some(key));
    }
    let mut blank = base.clone();
    blank["title"] = json!("  ");
    assert_eq!(api.post("/ai/external_pages", blank).await.status, 400);
    assert_eq!(
        api.get("/ai/external_pages").await.body["total_count"],
        3,
        "rejected upserts create nothing"
    );
}

#[tokio::test]
async fn page_put_needs_the_required_fields_and_delete_answers_the_page() {
    let (_handle, api) = serve(SandboxOptions::default()).await;
    let a = source(&api, "https://a.example/").await;
    let b = source(&api, "https://b.example/").await;
    let mut body = page_body(a, "one", "One");
    body["ai_agent_availability"] = json!(true);
    let one = api.post("/ai/external_pages", body).await.body;
    let two = api
        .post("/ai/external_pages", page_body(a, "two", "Two"))
        .await
        .body;
    let id = one["id"].as_str().unwrap();
    let path = format!("/ai/external_pages/{id}");
    assert_eq!(api.get(&path).await.body, one);

    let full = json!({"title": "Uno", "html": "<p>uno</p>", "url": "https://docs.example/uno",
                      "locale": "en", "source_id": a});
    for key in ["title", "html", "url", "locale", "source_id"] {
        let mut body = full.clone();
        body.as_object_mut().unwrap().remove(key);
        let reply = api.put(&path, body).await;
        assert_eq!(reply.status, 400, "PUT without {key}");
        assert_eq!(error(&reply).0, "parameter_not_found");
    }
    let mut clash = full.clone();
    clash["external_id"] = json!("two");
    let reply = api.put(&path, clash).await;
    assert_eq!(
        (reply.status, error(&reply).2.as_deref()),
        (400, Some("external_id"))
    );
    let mut ignored = full.clone();
    ignored["ai_agent_availability"] = json!(false);
    let put = api.put(&path, ignored).await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.body["title"], "Uno");
    assert_eq!(put.body["id"], id);
    assert_eq!(
        put.body["external_id"], "one",
        "external_id kept when omitted"
    );
    assert_eq!(
        put.body["ai_agent_availability"], true,
        "2.12's PUT has no ai_agent_availability"
    );
    let mut fin = full.clone();
    fin["fin_availability"] = json!(false);
    fin["external_id"] = json!("uno");
    fin["source_id"] = json!(b);
    let moved = api.put(&path, fin).await.body;
    assert_eq!(moved["ai_agent_availability"], false);
    assert_eq!(moved["ai_copilot_availability"], false);
    assert_eq!(moved["fin_availability"], false);
    assert_eq!(moved["source_id"], b);
    assert_eq!(moved["external_id"], "uno");
    // The upsert key follows the page.
    let upsert = api
        .post("/ai/external_pages", page_body(b, "uno", "Uno!"))
        .await;
    assert_eq!(upsert.body["id"], id);

    let deleted = api.delete(&path).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body["id"], id);
    assert_eq!(deleted.body["type"], "external_page");
    assert_eq!(deleted.body["html"], "", "as the spec's delete example");
    assert_eq!(api.get(&path).await.status, 404);
    assert_eq!(api.delete(&path).await.status, 404);
    assert_eq!(api.put(&path, full).await.status, 404);
    for bad in ["/ai/external_pages/abc", "/ai/content_import_sources/1x"] {
        let reply = api.get(bad).await;
        assert_eq!((reply.status, error(&reply).0.as_str()), (404, "not_found"));
    }
    let patched = api
        .call(
            reqwest::Method::PATCH,
            &format!("/ai/external_pages/{}", id_of(&two)),
            None,
        )
        .await;
    assert_eq!(patched.status, 404, "unsupported method on a known path");
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn deleting_a_source_deletes_its_pages_and_only_those() {
    let (_handle, api) = serve(SandboxOptions::default()).await;
    let a = source(&api, "https://a.example/").await;
    let b = source(&api, "https://b.example/").await;
    for n in 0..3 {
        api.post("/ai/external_pages", page_body(a, &format!("a{n}"), "A"))
            .await;
    }
    let kept = api
        .post("/ai/external_pages", page_body(b, "b0", "B"))
        .await
        .body;
    let reply = api.delete(&format!("/ai/content_import_sources/{a}")).await;
    assert_eq!(reply.status, 204);
    let list = api.get("/ai/external_pages").await.body;
    assert_eq!(list["total_count"], 1);
    assert_eq!(list["data"][0]["id"], kept["id"]);
    let sources = api.get("/ai/content_import_sources").await.body;
    assert_eq!(sources["total_count"], 1);
    assert_eq!(sources["data"][0]["id"], b);
}

#[tokio::test]
async fn lists_come_in_pages_of_50_with_next_links() {
    let (_handle, api) = serve(SandboxOptions::default()).await;
    let a = source(&api, "https://a.example/").await;
    for n in 0..120 {
        let reply = api
            .post("/ai/external_pages", page_body(a, &format!("p{n:03}"), "P"))
            .await;
        assert_eq!(reply.status, 200);
    }
    let first = api.get("/ai/external_pages").await.body;
    assert_eq!(first["type"], "list");
    assert_eq!(first["total_count"], 120);
    assert_eq!(
        first["pages"],
        json!({"type": "pages", "page": 1, "per_page": 50, "total_pages": 3,
               "next": format!("{}/ai/external_pages?per_page=50&page=2", api.base)})
    );
    assert_eq!(first["data"].as_array().unwrap().len(), 50);
    assert_eq!(
        first["data"][0]["external_id"], "p119",
        "most recently updated first"
    );
    let next = first["pages"]["next"].as_str().unwrap();
    let second = api.get(next).await.body;
    assert_eq!(second["pages"]["page"], 2);
    let third = api.get("/ai/external_pages?page=3").await.body;
    assert_eq!(third["data"].as_array().unwrap().len(), 20);
    assert!(
        third["pages"].get("next").is_none(),
        "no next on the last page"
    );
    let past = api.get("/ai/external_pages?page=4").await.body;
    assert_eq!(past["data"], json!([]));
    let mut ids: Vec<Value> = [first, second, third]
        .iter()
        .flat_map(|p| p["data"].as_array().unwrap().clone())
        .map(|p| p["id"].clone())
        .collect();
    ids.sort_by_key(Value::to_string);
    ids.dedup();
    assert_eq!(ids.len(), 120, "every page exactly once");
    let sources = api.get("/ai/content_import_sources").await.body;
    assert_eq!(sources["pages"]["per_page"], 50);
    assert_eq!(sources["pages"]["total_pages"], 1);
}

#[tokio::test]
async fn auth_rate_limits_and_faults_apply_to_ai_endpoints() {
    let (handle, mut api) = serve(SandboxOptions::default()).await;
    let a = source(&api, "https://a.example/").await;
    let ok = api.get("/ai/external_pages").await;
    assert!(ok.headers.contains_key("x-ratelimit-limit"));
    api.token = None;
    for reply in [
        api.get("/ai/external_pages").await,
        api.post(
            "/ai/content_import_sources",
            json!({"sync_behavior": "api", "url": "https://b.example"}),
        )
        .await,
    ] {
        assert_eq!(reply.status, 401);
        assert_eq!(error(&reply).0, "unauthorized");
        assert!(!reply.headers.contains_key("x-ratelimit-limit"));
    }
    api.token = Some("t".into());
    handle.set_faults(helpcenter::sandbox::Faults {
        server_error_rate: 1.0,
        ..helpcenter::sandbox::Faults::default()
    });
    let failed = api.post("/ai/external_pages", page_body(a, "x", "X")).await;
    assert!(failed.status >= 500, "{}", failed.status);
    handle.set_faults(helpcenter::sandbox::Faults {
        lost_response_rate: 1.0,
        ..helpcenter::sandbox::Faults::default()
    });
    let lost = api
        .try_call(
            reqwest::Method::POST,
            "/ai/external_pages",
            Some(page_body(a, "y", "Y")),
        )
        .await;
    assert!(lost.is_err(), "the response is dropped");
    handle.set_faults(helpcenter::sandbox::Faults::default());
    let pages = api.get("/ai/external_pages").await.body;
    assert_eq!(
        pages["total_count"], 1,
        "a 5xx applies nothing, a lost response applies"
    );
    assert_eq!(pages["data"][0]["external_id"], "y");
    handle.set_rate_limit(Some(RateLimit {
        limit: 1,
        window: Duration::from_secs(30),
    }));
    api.get("/ai/content_import_sources").await;
    let limited = api.get("/ai/content_import_sources").await;
    assert_eq!(limited.status, 429);
    assert_eq!(error(&limited).0, "rate_limit_exceeded");
    let log = handle.requests();
    assert!(log.iter().any(|r| r.path == "/ai/external_pages" && r.lost));
}

#[tokio::test]
async fn the_availability_default_switch_picks_the_example_or_the_schema() {
    let mut switches = Switches::default();
    switches
        .apply("external_page_availability_default=true")
        .unwrap();
    let (_handle, api) = serve(SandboxOptions {
        switches,
        ..SandboxOptions::default()
    })
    .await;
    let a = source(&api, "https://a.example/").await;
    let page = api
        .post("/ai/external_pages", page_body(a, "x", "X"))
        .await
        .body;
    assert_eq!(page["ai_agent_availability"], true);
    assert_eq!(page["ai_copilot_availability"], true);
    assert_eq!(page["ai_sales_agent_availability"], true);
    let mut off = page_body(a, "x", "X");
    off["ai_copilot_availability"] = json!(false);
    let page = api.post("/ai/external_pages", off).await.body;
    assert_eq!(page["ai_copilot_availability"], false);
    assert_eq!(page["ai_agent_availability"], true);
}

#[test]
fn ui_edits_of_pages_are_visible_to_the_api_and_move_updated_at() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let (_, made) = http.call(
        "POST",
        "/ai/content_import_sources",
        Some(&json!({"sync_behavior": "api", "url": "https://docs.example/"})),
    );
    let source_id = made["id"].as_u64().unwrap();
    let (status, page) = http.call(
        "POST",
        "/ai/external_pages",
        Some(&page_body(source_id, "k", "K")),
    );
    assert_eq!(status, 200);
    let id = id_of(&page);
    let edited = ui_edit_page(
        &http,
        &id,
        &json!({"html": "<p>Edited in the UI</p>", "ai_copilot_availability": true}),
    );
    assert_eq!(edited["html"], "<p>Edited in the UI</p>");
    assert_eq!(edited["title"], "K", "omitted fields kept");
    assert!(edited["updated_at"].as_i64() > page["updated_at"].as_i64());
    let listed = external_pages(&http);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0], edited);
    assert_eq!(sources(&http).len(), 1);
    let (status, _) = http.call(
        "PUT",
        "/_sandbox/external_pages/999",
        Some(&json!({"html": ""})),
    );
    assert_eq!(status, 404);
    let (status, _) = http.call(
        "PUT",
        &format!("/_sandbox/external_pages/{id}"),
        Some(&json!({"html": 4})),
    );
    assert_eq!(status, 400);
    let (_, other) = http.call(
        "POST",
        "/ai/external_pages",
        Some(&page_body(source_id, "other", "O")),
    );
    let (status, _) = http.call(
        "PUT",
        &format!("/_sandbox/external_pages/{}", id_of(&other)),
        Some(&json!({"external_id": "k"})),
    );
    assert_eq!(status, 400, "an external_id stays unique in its source");
}

#[tokio::test]
async fn ai_content_persists_in_the_data_file() {
    let dir = tempfile::tempdir().unwrap();
    let options = SandboxOptions {
        state_file: Some(dir.path().join("fin.sandbox.db")),
        ..SandboxOptions::default()
    };
    let (handle, api) = serve(options.clone()).await;
    let a = source(&api, "https://a.example/").await;
    let b = source(&api, "https://b.example/").await;
    let one = api
        .post("/ai/external_pages", page_body(a, "one", "One"))
        .await
        .body;
    let two = api
        .post("/ai/external_pages", page_body(a, "two", "Two"))
        .await
        .body;
    let three = api
        .post("/ai/external_pages", page_body(b, "three", "Three"))
        .await
        .body;
    api.delete(&format!("/ai/external_pages/{}", id_of(&two)))
        .await;
    let edited = api
        .put(
            &format!("/_sandbox/external_pages/{}", id_of(&one)),
            json!({"title": "UI"}),
        )
        .await
        .body;
    let before = api.get("/ai/external_pages").await.body;
    handle.shutdown().await;

    let (handle, api) = serve(options.clone()).await;
    assert_eq!(api.get("/ai/external_pages").await.body, before);
    assert_eq!(
        api.get(&format!("/ai/external_pages/{}", id_of(&one)))
            .await
            .body,
        edited
    );
    let reply = api.delete(&format!("/ai/content_import_sources/{a}")).await;
    assert_eq!(reply.status, 204);
    let four = api
        .post("/ai/external_pages", page_body(b, "four", "Four"))
        .await
        .body;
    handle.shutdown().await;

    let (handle, api) = serve(options).await;
    let list = api.get("/ai/external_pages").await.body;
    let ids: Vec<&Value> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(
        ids,
        vec![&four["id"], &three["id"]],
        "the cascade reached the file"
    );
    let c = source(&api, "https://c.example/").await;
    assert!(c > b, "counters persist: {c} after {b}");
    handle.shutdown().await;
    let db = rusqlite::Connection::open(dir.path().join("fin.sandbox.db")).unwrap();
    let rows: i64 = db
        .query_row("SELECT count(*) FROM external_pages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 2);
}

fn client_for(emu: &Emulator) -> Client {
    let mut config = ClientConfig::new(emu.base_url.clone(), Token::new(TOKEN));
    config.backoff_base = Duration::from_millis(5);
    config.backoff_max = Duration::from_millis(50);
    config.max_retries = 8;
    Client::new(config).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn upsert(source_id: &str, key: &str, title: &str) -> UpsertExternalPage {
    let mut page = UpsertExternalPage::new(source_id, key, title, format!("<p>{title}</p>"));
    page.url = Some(format!("https://docs.example/{key}"));
    page.ai_agent_availability = Some(true);
    page.ai_copilot_availability = Some(false);
    page
}

#[test]
fn the_client_drives_every_ai_call_against_sandbox_serve() {
    let emu = Emulator::start(&[]);
    let client = client_for(&emu);
    runtime().block_on(async {
        assert!(
            client
                .list_content_import_sources()
                .await
                .unwrap()
                .is_empty()
        );
        let source = client
            .create_content_import_source(&CreateContentImportSource::api("https://docs.example/"))
            .await
            .unwrap();
        assert!(source.is_api());
        assert!(source.id.bytes().all(|b| b.is_ascii_digit()));
        let sources = client.list_content_import_sources().await.unwrap();
        assert_eq!(sources, vec![source.clone()]);
        let got = client.get_content_import_source(&source.id).await.unwrap();
        assert_eq!(got.as_ref(), Some(&source));
        assert_eq!(client.get_content_import_source("9").await.unwrap(), None);
        let renamed = client
            .update_content_import_source(
                &source.id,
                &UpdateContentImportSource {
                    sync_behavior: "api".into(),
                    url: "https://docs.example/v2/".into(),
                    status: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(renamed.url, "https://docs.example/v2/");

        let before = client.request_count();
        for n in 0..120 {
            let page = client
                .upsert_external_page(&upsert(&source.id, &format!("k{n}"), "T"))
                .await
                .unwrap();
            assert_eq!(page.source_id, source.id);
        }
        assert_eq!(client.request_count() - before, 120);
        let before = client.request_count();
        let pages = client.list_external_pages().await.unwrap();
        assert_eq!(pages.len(), 120);
        assert_eq!(
            client.request_count() - before,
            3,
            "120 pages in pages of 50: 3 requests"
        );
        let page = pages.iter().find(|p| p.external_id == "k7").unwrap();
        assert!(page.ai_agent_availability && !page.ai_copilot_availability);
        assert_eq!(page.html, "<p>T</p>");
        assert_eq!(page.url.as_deref(), Some("https://docs.example/k7"));
        let again = client
            .upsert_external_page(&upsert(&source.id, "k7", "Seven"))
            .await
            .unwrap();
        assert_eq!(again.id, page.id, "upsert by external_id");
        let updated = client
            .update_external_page(
                &page.id,
                &UpdateExternalPage {
                    title: "Sept".into(),
                    html: "<p>7</p>".into(),
                    url: "https://docs.example/k7".into(),
                    locale: "en".into(),
                    source_id: source.id.clone(),
                    external_id: None,
                    fin_availability: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(updated.title, "Sept");
        client.delete_external_page(&page.id).await.unwrap();
        assert_eq!(client.get_external_page(&page.id).await.unwrap(), None);
        let missing = client.delete_external_page(&page.id).await.unwrap_err();
        assert!(missing.is_not_found(), "{missing}");
        let bad = client
            .upsert_external_page(&upsert("not-an-id", "x", "X"))
            .await
            .unwrap_err();
        assert!(matches!(bad.kind, ErrorKind::Config(_)), "{bad}");
        let bad = client.get_external_page("../articles").await.unwrap_err();
        assert!(matches!(bad.kind, ErrorKind::Config(_)), "{bad}");
        let refused = client
            .create_content_import_source(&CreateContentImportSource::api("not a url"))
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("url"), "{refused}");
        assert!(!refused.to_string().contains(TOKEN));

        client
            .delete_content_import_source(&source.id)
            .await
            .unwrap();
        assert!(client.list_external_pages().await.unwrap().is_empty());
        assert!(
            client
                .list_content_import_sources()
                .await
                .unwrap()
                .is_empty()
        );
    });
}

#[test]
fn upserts_survive_lost_responses_and_server_errors_without_duplicates() {
    let emu = Emulator::start(&["--lost-rate", "0.3", "--error-rate", "0.2", "--seed", "7"]);
    let client = client_for(&emu);
    let http = emu.http();
    let (_, made) = http.call(
        "POST",
        "/_sandbox/content_import_sources",
        Some(&json!({"sync_behavior": "api", "url": "https://docs.example/"})),
    );
    let source_id = made["id"].as_u64().unwrap().to_string();
    runtime().block_on(async {
        for n in 0..30 {
            client
                .upsert_external_page(&upsert(&source_id, &format!("k{n}"), "T"))
                .await
                .unwrap_or_else(|e| panic!("upsert k{n}: {e}"));
        }
        for n in 0..30 {
            let pages = client.list_external_pages().await.unwrap();
            if let Some(page) = pages.iter().find(|p| p.external_id == format!("k{n}"))
                && n % 3 == 0
            {
                client.delete_external_page(&page.id).await.unwrap();
            }
        }
    });
    let log = http.requests();
    assert!(
        log["lost"].as_u64().unwrap() > 0,
        "faults happened: {}",
        log["lost"]
    );
    let (status, _) = http.call(
        "PUT",
        "/_sandbox/faults",
        Some(&json!({"lost_response_rate": 0, "server_error_rate": 0})),
    );
    assert_eq!(status, 200);
    let pages = external_pages(&http);
    let mut keys: Vec<&str> = pages
        .iter()
        .map(|p| p["external_id"].as_str().unwrap())
        .collect();
    keys.sort_unstable();
    let mut want: Vec<String> = (0..30)
        .filter(|n| n % 3 != 0)
        .map(|n| format!("k{n}"))
        .collect();
    want.sort_unstable();
    assert_eq!(
        keys, want,
        "every upsert once, every delete done, no duplicate"
    );
}

#[test]
fn a_lost_source_create_is_outcome_unknown_and_the_source_exists() {
    let emu = Emulator::start(&["--lost-rate", "1"]);
    let client = client_for(&emu);
    runtime().block_on(async {
        let err = client
            .create_content_import_source(&CreateContentImportSource::api("https://docs.example/"))
            .await
            .unwrap_err();
        assert!(err.is_outcome_unknown(), "{err}");
        let sources = client.list_content_import_sources().await.unwrap();
        assert_eq!(sources.len(), 1, "applied, never sent twice");
        assert_eq!(sources[0].url, "https://docs.example/");
    });
    let log = emu.http().requests();
    let posts = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "POST")
        .count();
    assert_eq!(posts, 1);
}

/// A data file written before AI Content existed (schema 1, as `.helpcenter/<target>.sandbox.db`
/// of earlier versions) keeps its articles under `sandbox serve --state`, takes sources and
/// pages, and a `kill -9` right after the writes loses none of them.
#[test]
fn an_existing_sandbox_db_keeps_working_and_survives_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("local.sandbox.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            &format!(
             "{}\nINSERT INTO article_contents VALUES (7000001, 'en', 'Kept', '', '<p>k</p>', 991266200, 1, 1, 5, 6);",
             include_str!("../fixtures/sandbox/schema-1.sql")
         ),
        )
        .unwrap();
    }
    let page_id = {
        let emu = Emulator::start(&["--state", db.to_str().unwrap()]);
        let http = emu.http();
        let articles = http.articles();
        assert_eq!(articles.len(), 1);
        assert_eq!(articles[0]["title"], "Kept");
        let (status, made) = http.call(
            "POST",
            "/ai/content_import_sources",
            Some(&json!({"sync_behavior": "api", "url": "https://docs.example/"})),
        );
        assert_eq!(status, 200, "{made}");
        let (status, page) = http.call(
            "POST",
            "/ai/external_pages",
            Some(&page_body(made["id"].as_u64().unwrap(), "k", "K")),
        );
        assert_eq!(status, 200, "{page}");
        id_of(&page)
        // Dropping the emulator kills it (SIGKILL): no clean shutdown.
    };
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (id, title): (i64, String) = conn
        .query_row("SELECT id, title FROM external_pages", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((id.to_string(), title.as_str()), (page_id, "K"));
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2);
    let articles: i64 = conn
        .query_row("SELECT count(*) FROM article_contents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(articles, 1);
}

/// Every response lost: a delete applied by its first attempt is confirmed by the `404` of
/// the retry, for a source (204) and for a page (200 with the page).
#[test]
fn deletes_whose_responses_are_lost_are_confirmed_by_the_retry() {
    let emu = Emulator::start(&["--lost-rate", "1"]);
    let http = emu.http();
    let (_, made) = http.call(
        "POST",
        "/_sandbox/content_import_sources",
        Some(&json!({"sync_behavior": "api", "url": "https://docs.example/"})),
    );
    let source_id = made["id"].as_u64().unwrap();
    let mut pages = Vec::new();
    for key in ["a", "b"] {
        let (status, page) = http.call(
            "POST",
            "/_sandbox/external_pages",
            Some(&page_body(source_id, key, key)),
        );
        assert_eq!(status, 200);
        pages.push(id_of(&page));
    }
    let client = client_for(&emu);
    runtime().block_on(async {
        client.delete_external_page(&pages[0]).await.unwrap();
        client
            .delete_content_import_source(&source_id.to_string())
            .await
            .unwrap();
    });
    let log = http.requests();
    let statuses: Vec<(String, u64, bool)> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_owned(),
                r["status"].as_u64().unwrap(),
                r["lost"].as_bool().unwrap(),
            )
        })
        .collect();
    let page = format!("/ai/external_pages/{}", pages[0]);
    let source = format!("/ai/content_import_sources/{source_id}");
    assert_eq!(
        statuses,
        vec![
            (page.clone(), 200, true),
            (page, 404, false),
            (source.clone(), 204, true),
            (source, 404, false),
        ]
    );
    assert!(external_pages(&http).is_empty(), "the cascade took page b");
    assert!(sources(&http).is_empty());
}
