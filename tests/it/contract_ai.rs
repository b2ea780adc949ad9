//! Contract tests for Fin AI Content: every `/ai/content_import_sources` and `/ai/external_pages`
//! response of the emulator against the 2.12 `OpenAPI` schemas (under every switch setting),
//! the spec's examples replayed, and the client's request bodies against the request schemas.

use helpcenter::remote::ai_content::{
    CreateContentImportSource, UpdateContentImportSource, UpdateExternalPage, UpsertExternalPage,
};
use helpcenter::sandbox::{SandboxOptions, Switches};
use serde_json::{Value, json};

use crate::contract::{
    assert_same_shape, assert_valid, examples, openapi_schema, request_schema, response_schema,
};
use crate::sandbox::{Api, serve};

/// The 200 schema of one operation; `external_page.url` made nullable: the emulator answers
/// `url: null` for a page created without one (the schema lists `url` as optional, not
/// nullable; Intercom's serializers send every key).
fn schema(method: &str, path: &str) -> Value {
    let mut schema = response_schema(method, path);
    nullable_page_url(&mut schema);
    schema
}

fn nullable_page_url(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let is_page = map
                .get("properties")
                .and_then(|p| p.get("type"))
                .and_then(|t| t.get("enum"))
                == Some(&json!(["external_page"]));
            if is_page {
                map["properties"]["url"]["type"] = json!(["string", "null"]);
            }
            for value in map.values_mut() {
                nullable_page_url(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_page_url),
        _ => {}
    }
}

/// An emulator under one switch setting (named in every failure).
struct Variant<'a> {
    api: Api,
    name: &'a str,
}

impl std::ops::Deref for Variant<'_> {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

async fn check(
    api: &Variant<'_>,
    method: &str,
    spec_path: &str,
    path: &str,
    body: Option<Value>,
) -> Value {
    let verb = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let reply = api.call(verb, path, body).await;
    let what = format!("[{}] {method} {path}", api.name);
    assert_eq!(reply.status, 200, "{what}: {}", reply.body);
    assert_valid(&schema(method, spec_path), &reply.body, &what);
    reply.body
}

async fn every_ai_endpoint_matches_the_schemas(variant: &str, options: SandboxOptions) {
    let (_handle, api) = serve(options).await;
    let api = Variant { api, name: variant };
    let sources = "/ai/content_import_sources";
    let source_path = "/ai/content_import_sources/{id}";
    let pages = "/ai/external_pages";
    let page_path = "/ai/external_pages/{id}";
    check(&api, "get", sources, sources, None).await;
    let source = check(
        &api,
        "post",
        sources,
        sources,
        Some(json!({"sync_behavior": "api", "url": "https://docs.example/"})),
    )
    .await;
    let sid = source["id"].as_u64().unwrap();
    check(&api, "get", sources, sources, None).await;
    check(&api, "get", source_path, &format!("{sources}/{sid}"), None).await;
    check(
        &api,
        "put",
        source_path,
        &format!("{sources}/{sid}"),
        Some(
            json!({"sync_behavior": "api", "url": "https://docs.example/v2/", "status": "active"}),
        ),
    )
    .await;
    for n in 0..3 {
        let mut body = json!({"title": format!("Page {n}"), "html": "<p>x</p>", "locale": "en",
                              "source_id": sid, "external_id": format!("p{n}")});
        if n % 2 == 0 {
            body["url"] = json!(format!("https://docs.example/p{n}"));
            body["ai_agent_availability"] = json!(true);
        }
        check(&api, "post", pages, pages, Some(body)).await;
    }
    check(&api, "get", pages, pages, None).await;
    let first = check(&api, "get", pages, &format!("{pages}?per_page=2"), None).await;
    assert!(first["pages"]["next"].is_string(), "a second page exists");
    let second = check(
        &api,
        "get",
        pages,
        &format!("{pages}?per_page=2&page=2"),
        None,
    )
    .await;
    let pid = second["data"][0]["id"].as_str().unwrap().to_owned();
    check(&api, "get", page_path, &format!("{pages}/{pid}"), None).await;
    check(
        &api,
        "put",
        page_path,
        &format!("{pages}/{pid}"),
        Some(
            json!({"title": "T", "html": "<p>t</p>", "url": "https://docs.example/t",
                    "locale": "en", "source_id": sid, "fin_availability": true}),
        ),
    )
    .await;
    check(&api, "delete", page_path, &format!("{pages}/{pid}"), None).await;
    let deleted = api.delete(&format!("{sources}/{sid}")).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.body, Value::Null);
    check(&api, "get", pages, pages, None).await;
    // Errors follow the error envelope.
    let error = openapi_schema("error");
    for reply in [
        api.get(&format!("{pages}/{pid}")).await,
        api.get(&format!("{sources}/{sid}")).await,
        api.post(sources, json!({"sync_behavior": "api"})).await,
        api.post(pages, json!({"title": "t"})).await,
    ] {
        assert!(reply.status == 404 || reply.status == 400);
        assert_valid(&error, &reply.body, "an AI Content error");
    }
    let mut anonymous = Api::new(&api.base);
    anonymous.token = None;
    assert_valid(&error, &anonymous.get(pages).await.body, "401");
}

#[tokio::test]
async fn ai_responses_match_the_openapi_schemas_under_every_switch_setting() {
    for (name, switches) in Switches::all_variants() {
        if name == "numbers_as_strings=true" {
            // Sends `pages.page`/`per_page` as strings on purpose (§1.5), against the schema.
            continue;
        }
        every_ai_endpoint_matches_the_schemas(
            &name,
            SandboxOptions {
                switches,
                ..SandboxOptions::default()
            },
        )
        .await;
    }
}

fn example<'a>(key: &str, response: &str) -> &'a Value {
    let value = &examples()[key]["responses"][response];
    assert!(!value.is_null(), "no example {key} / {response}");
    value
}

fn request<'a>(key: &str) -> &'a Value {
    &examples()[key]["requests"]["successful"]
}

#[tokio::test]
async fn ai_spec_examples_replay_against_the_emulator() {
    // The example's create answer reports both availabilities true for a request without
    // them: that is the `external_page_availability_default=true` setting.
    let mut switches = Switches::default();
    switches
        .apply("external_page_availability_default=true")
        .unwrap();
    let (_handle, api) = serve(SandboxOptions {
        switches,
        ..SandboxOptions::default()
    })
    .await;

    let made = api
        .post(
            "/ai/content_import_sources",
            request("POST /ai/content_import_sources").clone(),
        )
        .await;
    assert_eq!(made.status, 200);
    let expected = example("POST /ai/content_import_sources", "200 successful");
    assert_same_shape(expected, &made.body, "POST /ai/content_import_sources");
    for key in ["url", "sync_behavior", "status", "type"] {
        assert_eq!(made.body[key], expected[key], "{key}");
    }
    let sid = made.body["id"].as_u64().unwrap();
    let path = format!("/ai/content_import_sources/{sid}");
    let got = api.get(&path).await;
    assert_same_shape(
        example("GET /ai/content_import_sources/{id}", "200 successful"),
        &got.body,
        "GET /ai/content_import_sources/{id}",
    );
    let updated = api
        .put(
            &path,
            request("PUT /ai/content_import_sources/{id}").clone(),
        )
        .await;
    assert_eq!(updated.status, 200);
    let expected = example("PUT /ai/content_import_sources/{id}", "200 successful");
    assert_same_shape(
        expected,
        &updated.body,
        "PUT /ai/content_import_sources/{id}",
    );
    assert_eq!(updated.body["url"], expected["url"]);
    let list = api.get("/ai/content_import_sources").await;
    let expected = example("GET /ai/content_import_sources", "200 successful");
    assert_same_shape(expected, &list.body, "GET /ai/content_import_sources");
    assert_same_shape(
        &expected["data"][0],
        &list.body["data"][0],
        "GET /ai/content_import_sources data[0]",
    );
    assert_eq!(list.body["pages"], expected["pages"], "one page of 50");

    let mut create = request("POST /ai/external_pages").clone();
    create["source_id"] = json!(sid);
    let page = api.post("/ai/external_pages", create.clone()).await;
    assert_eq!(page.status, 200);
    let expected = example("POST /ai/external_pages", "200 successful");
    let mut want = expected.clone();
    want["source_id"] = json!(sid);
    want["id"] = page.body["id"].clone();
    for key in ["created_at", "updated_at", "last_ingested_at"] {
        want[key] = page.body[key].clone();
    }
    assert_eq!(page.body, want, "the example's answer, ids and times aside");
    let pid = page.body["id"].as_str().unwrap().to_owned();
    let again = api.post("/ai/external_pages", create).await;
    assert_eq!(
        again.body["id"],
        pid.as_str(),
        "the example re-sent updates"
    );

    let list = api.get("/ai/external_pages").await;
    let expected = example("GET /ai/external_pages", "200 successful");
    assert_same_shape(expected, &list.body, "GET /ai/external_pages");
    assert_same_shape(
        &expected["data"][0],
        &list.body["data"][0],
        "GET /ai/external_pages data[0]",
    );
    let path = format!("/ai/external_pages/{pid}");
    assert_same_shape(
        example("GET /ai/external_pages/{id}", "200 successful"),
        &api.get(&path).await.body,
        "GET /ai/external_pages/{id}",
    );
    let mut put = request("PUT /ai/external_pages/{id}").clone();
    put["source_id"] = json!(sid);
    let updated = api.put(&path, put).await;
    assert_eq!(updated.status, 200);
    let expected = example("PUT /ai/external_pages/{id}", "200 successful");
    assert_same_shape(expected, &updated.body, "PUT /ai/external_pages/{id}");
    assert_eq!(updated.body["external_id"], expected["external_id"]);
    assert_eq!(updated.body["html"], expected["html"]);
    let deleted = api.delete(&path).await;
    let expected = example("DELETE /ai/external_pages/{id}", "200 successful");
    assert_same_shape(expected, &deleted.body, "DELETE /ai/external_pages/{id}");
    assert_eq!(deleted.body["html"], expected["html"]);

    let gone = api
        .delete(&format!("/ai/content_import_sources/{sid}"))
        .await;
    assert_eq!(gone.status, 204);
    assert!(
        examples()["DELETE /ai/content_import_sources/{id}"]["responses"]
            .as_object()
            .unwrap()
            .contains_key("204 (no body)")
    );

    let mut anonymous = Api::new(&api.base);
    anonymous.token = None;
    let reply = anonymous.get("/ai/external_pages").await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body["errors"],
        example("GET /ai/external_pages", "401 Unauthorized")["errors"]
    );
}

#[test]
fn ai_request_examples_and_the_client_bodies_match_the_request_schemas() {
    for (key, method, path) in [
        (
            "POST /ai/content_import_sources",
            "post",
            "/ai/content_import_sources",
        ),
        (
            "PUT /ai/content_import_sources/{id}",
            "put",
            "/ai/content_import_sources/{id}",
        ),
        ("POST /ai/external_pages", "post", "/ai/external_pages"),
        (
            "PUT /ai/external_pages/{id}",
            "put",
            "/ai/external_pages/{id}",
        ),
    ] {
        assert_valid(&request_schema(method, path), request(key), key);
    }
    let mut upsert = UpsertExternalPage::new("4000001", "guides/a", "A", "<p>a</p>");
    upsert.url = Some("https://docs.example/guides/a".into());
    upsert.ai_agent_availability = Some(true);
    upsert.ai_copilot_availability = Some(false);
    let bodies = [
        (
            "post",
            "/ai/content_import_sources",
            serde_json::to_value(CreateContentImportSource::api("https://docs.example/")).unwrap(),
        ),
        (
            "put",
            "/ai/content_import_sources/{id}",
            serde_json::to_value(UpdateContentImportSource {
                sync_behavior: "api".into(),
                url: "https://docs.example/".into(),
                status: Some("deactivated".into()),
            })
            .unwrap(),
        ),
        (
            "post",
            "/ai/external_pages",
            serde_json::to_value(&upsert).unwrap(),
        ),
        (
            "post",
            "/ai/external_pages",
            serde_json::to_value(UpsertExternalPage::new("7", "k", "T", "")).unwrap(),
        ),
        (
            "put",
            "/ai/external_pages/{id}",
            serde_json::to_value(UpdateExternalPage {
                title: "T".into(),
                html: "<p>t</p>".into(),
                url: "https://docs.example/t".into(),
                locale: "en".into(),
                source_id: "4000001".into(),
                external_id: Some("k".into()),
                fin_availability: Some(true),
            })
            .unwrap(),
        ),
    ];
    for (method, path, body) in bodies {
        assert_valid(
            &request_schema(method, path),
            &body,
            &format!("client {method} {path}"),
        );
    }
    // The schema catches a mistyped source id (it must be an integer).
    let validator =
        jsonschema::validator_for(&request_schema("post", "/ai/external_pages")).unwrap();
    assert!(
        !validator.is_valid(&json!({"title": "t", "html": "", "locale": "en",
        "source_id": "7", "external_id": "k"}))
    );
}
