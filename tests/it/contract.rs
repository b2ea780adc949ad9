//! Contract tests: the emulator's responses against the official 2.12 `OpenAPI` schemas, and
//! the spec's request examples replayed against the emulator. The loader is reusable
//! (`openapi_schema`, `response_schema`, `request_schema`) to validate client request bodies.

use std::path::PathBuf;
use std::sync::OnceLock;

use helpcenter::sandbox::SandboxOptions;
use serde_json::{Map, Value, json};

use crate::sandbox::{ADMIN, Api, serve};

/// The vendored 2.12 reference data (`tests/fixtures/intercom/README.md` says where it comes
/// from): inside the repository, so a plain clone runs these tests.
fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/intercom")
}

/// The 2.12 `OpenAPI` description as JSON.
pub(crate) fn openapi() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = fixtures_dir().join("openapi-2.12.yaml");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut spec: Value = serde_saphyr::from_str(&text).expect("openapi-2.12.yaml parses");
        // The top-level article `url` is nullable (never-published draft); the emulator applies
        // the same rule per locale, which the spec's `article_content.url` does not allow.
        spec["components"]["schemas"]["article_content"]["properties"]["url"]["nullable"] =
            json!(true);
        spec
    })
}

/// The spec's examples, keyed by `"METHOD /path"` (`examples-2.12.json`).
pub(crate) fn examples() -> &'static Value {
    static EXAMPLES: OnceLock<Value> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let path = fixtures_dir().join("examples-2.12.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

/// `#/components/schemas/<name>` as a self-contained JSON Schema: `$ref`s inlined, `OpenAPI`
/// `nullable` turned into type unions.
pub(crate) fn openapi_schema(name: &str) -> Value {
    let schema = &openapi()["components"]["schemas"][name];
    assert!(!schema.is_null(), "no schema {name}");
    to_json_schema(schema, 0)
}

/// The 200 response schema of one operation, e.g. `("get", "/articles")`.
pub(crate) fn response_schema(method: &str, path: &str) -> Value {
    let schema = &openapi()["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert!(!schema.is_null(), "no 200 schema for {method} {path}");
    to_json_schema(schema, 0)
}

/// The request body schema of one operation, e.g. `("post", "/articles")`.
pub(crate) fn request_schema(method: &str, path: &str) -> Value {
    let schema =
        &openapi()["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    assert!(!schema.is_null(), "no request schema for {method} {path}");
    to_json_schema(schema, 0)
}

/// Where the 2.12 spec is known to be wrong (`API-NOTES.md` §1.5): list `pages.next` is the
/// URL string of the next page, not a cursor object.
fn spec_correction(name: &str) -> Option<Value> {
    match name {
        "starting_after_paging" => Some(json!({"type": ["string", "null"]})),
        _ => None,
    }
}

fn to_json_schema(schema: &Value, depth: usize) -> Value {
    if depth > 40 {
        return json!({});
    }
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let name = reference.rsplit('/').next().unwrap_or_default();
                if let Some(corrected) = spec_correction(name) {
                    return corrected;
                }
                let target = &openapi()["components"]["schemas"][name];
                return to_json_schema(target, depth + 1);
            }
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "nullable" | "example" | "examples" | "discriminator" | "xml"
                    | "externalDocs" => {}
                    "properties" | "patternProperties" => {
                        let props = value
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(k, v)| (k.clone(), to_json_schema(v, depth + 1)))
                                    .collect::<Map<_, _>>()
                            })
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(props));
                    }
                    _ => {
                        out.insert(key.clone(), to_json_schema(value, depth + 1));
                    }
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(values)) = out.get_mut("enum") {
                        values.push(Value::Null);
                    }
                } else {
                    return json!({"anyOf": [Value::Object(out), {"type": "null"}]});
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| to_json_schema(v, depth + 1)).collect())
        }
        other => other.clone(),
    }
}

/// Asserts that `instance` matches `schema`, listing every violation.
pub(crate) fn assert_valid(schema: &Value, instance: &Value, what: &str) {
    let validator = jsonschema::validator_for(schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} violates the spec:\n{}\n{instance}",
        errors.join("\n")
    );
}

async fn check(api: &Api, method: &str, spec_path: &str, path: &str, body: Option<Value>) -> Value {
    let verb = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let reply = api.call(verb, path, body).await;
    assert_eq!(reply.status, 200, "{method} {path}: {}", reply.body);
    assert_valid(
        &response_schema(method, spec_path),
        &reply.body,
        &format!("{method} {path}"),
    );
    reply.body
}

async fn every_endpoint_matches_the_schemas(options: SandboxOptions) {
    let (_handle, api) = serve(options).await;
    check(&api, "get", "/me", "/me", None).await;
    check(&api, "get", "/admins", "/admins", None).await;
    check(&api, "get", "/admins/{id}", "/admins/991266200", None).await;
    check(
        &api,
        "get",
        "/help_center/help_centers",
        "/help_center/help_centers",
        None,
    )
    .await;
    check(
        &api,
        "get",
        "/help_center/help_centers/{id}",
        "/help_center/help_centers/1",
        None,
    )
    .await;
    let top = check(&api, "post", "/help_center/collections", "/help_center/collections",
        Some(json!({"name": "Top", "description": "d", "translated_content": {"fr": {"name": "Haut"}}}))).await;
    let top_id = top["id"].as_str().unwrap().to_owned();
    let child = check(
        &api,
        "post",
        "/help_center/collections",
        "/help_center/collections",
        Some(json!({"name": "Child", "parent_id": top_id})),
    )
    .await;
    let child_id = child["id"].as_str().unwrap().to_owned();
    check(
        &api,
        "get",
        "/help_center/collections/{id}",
        &format!("/help_center/collections/{child_id}"),
        None,
    )
    .await;
    check(
        &api,
        "put",
        "/help_center/collections/{id}",
        &format!("/help_center/collections/{child_id}"),
        Some(json!({"name": "Renamed", "description": null})),
    )
    .await;
    for n in 0..3 {
        check(&api, "post", "/articles", "/articles", Some(json!({
            "title": format!("Article {n}"), "body": "<h1>T</h1><p>x</p><img src=\"https://e.com/i.png\">",
            "author_id": ADMIN, "state": if n == 0 { "published" } else { "draft" },
            "parent_id": top_id.parse::<u64>().unwrap(),
            "translated_content": {"fr": {"title": "Article", "state": "published"}}}))).await;
    }
    let list = check(&api, "get", "/articles", "/articles?per_page=2", None).await;
    assert!(list["pages"]["next"].is_string(), "a next page exists");
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    check(
        &api,
        "get",
        "/articles",
        "/articles?per_page=2&page=2",
        None,
    )
    .await;
    check(
        &api,
        "get",
        "/articles/{id}",
        &format!("/articles/{id}"),
        None,
    )
    .await;
    check(
        &api,
        "put",
        "/articles/{id}",
        &format!("/articles/{id}"),
        Some(json!({"title": "New", "parent_id": child_id, "state": "published"})),
    )
    .await;
    check(
        &api,
        "get",
        "/articles/search",
        "/articles/search?phrase=article&state=all&highlight=true",
        None,
    )
    .await;
    check(
        &api,
        "get",
        "/help_center/collections",
        "/help_center/collections?per_page=1",
        None,
    )
    .await;
    check(
        &api,
        "get",
        "/help_center/collections",
        "/help_center/collections",
        None,
    )
    .await;
    check(
        &api,
        "delete",
        "/articles/{id}",
        &format!("/articles/{id}"),
        None,
    )
    .await;
    check(
        &api,
        "delete",
        "/help_center/collections/{id}",
        &format!("/help_center/collections/{child_id}"),
        None,
    )
    .await;
    // Errors follow the error envelope.
    let missing = api.get("/articles/1").await;
    assert_valid(&openapi_schema("error"), &missing.body, "404");
    let mut anonymous = Api::new(&api.base);
    anonymous.token = None;
    assert_valid(
        &openapi_schema("error"),
        &anonymous.get("/articles").await.body,
        "401",
    );
}

#[tokio::test]
async fn responses_match_the_openapi_schemas_multilingual() {
    every_endpoint_matches_the_schemas(SandboxOptions::default()).await;
}

#[tokio::test]
async fn responses_match_the_openapi_schemas_single_language() {
    every_endpoint_matches_the_schemas(SandboxOptions {
        multilingual: false,
        ..SandboxOptions::default()
    })
    .await;
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Same keys, same JSON types (a `null` on either side matches anything: nullable fields).
pub(crate) fn assert_same_shape(example: &Value, actual: &Value, what: &str) {
    let (Some(example), Some(actual)) = (example.as_object(), actual.as_object()) else {
        panic!("{what}: not objects: {example} / {actual}");
    };
    let expected_keys: Vec<&String> = example.keys().collect();
    let mut actual_keys: Vec<&String> = actual.keys().collect();
    let mut sorted_expected = expected_keys.clone();
    sorted_expected.sort();
    actual_keys.sort();
    assert_eq!(actual_keys, sorted_expected, "{what}: keys differ");
    for (key, value) in example {
        let got = &actual[key];
        if value.is_null() || got.is_null() {
            continue;
        }
        assert_eq!(type_name(got), type_name(value), "{what}: type of `{key}`");
        if value.is_object() {
            assert_same_shape(value, got, &format!("{what}.{key}"));
        }
    }
}

/// Replaces example ids with ones that exist in the emulator.
fn localise(request: &Value, collection: u64) -> Value {
    let mut request = request.clone();
    if let Some(map) = request.as_object_mut() {
        if map.contains_key("author_id") {
            map.insert("author_id".into(), json!(ADMIN));
        }
        if map.contains_key("parent_id") {
            map.insert("parent_id".into(), json!(collection));
        }
        if let Some(Value::Object(tc)) = map.get_mut("translated_content") {
            for content in tc.values_mut() {
                if let Some(c) = content
                    .as_object_mut()
                    .filter(|c| c.contains_key("author_id"))
                {
                    c.insert("author_id".into(), json!(ADMIN));
                }
            }
        }
    }
    request
}

#[tokio::test]
async fn spec_examples_replay_against_the_emulator() {
    // The examples come from a single-language workspace (translations are not echoed).
    let (_handle, api) = serve(SandboxOptions {
        multilingual: false,
        ..SandboxOptions::default()
    })
    .await;
    let examples = examples();
    let collection = api.collection(json!({"name": "Parent"})).await;
    let collection_id: u64 = collection["id"].as_str().unwrap().parse().unwrap();

    let create = &examples["POST /articles"];
    let created = api
        .post(
            "/articles",
            localise(&create["requests"]["article_created"], collection_id),
        )
        .await;
    assert_eq!(created.status, 200);
    let expected = &create["responses"]["200 article created"];
    assert_same_shape(expected, &created.body, "POST /articles");
    assert_eq!(created.body["body"], expected["body"]);
    assert_eq!(created.body["title"], expected["title"]);
    let bad = api
        .post("/articles", create["requests"]["bad_request"].clone())
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.body["errors"],
        create["responses"]["400 Bad Request"]["errors"]
    );

    let update = &examples["PUT /articles/{id}"];
    let id = created.body["id"].as_str().unwrap();
    let updated = api
        .put(
            &format!("/articles/{id}"),
            update["requests"]["successful"].clone(),
        )
        .await;
    assert_eq!(updated.status, 200);
    let expected = &update["responses"]["200 successful"];
    assert_same_shape(expected, &updated.body, "PUT /articles/{id}");
    assert_eq!(updated.body["body"], expected["body"]);
    let missing = api
        .put(
            "/articles/424242",
            update["requests"]["article_not_found"].clone(),
        )
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body["errors"],
        update["responses"]["404 Article Not Found"]["errors"]
    );

    let deleted = api.delete(&format!("/articles/{id}")).await;
    assert_same_shape(
        &examples["DELETE /articles/{id}"]["responses"]["200 successful"],
        &deleted.body,
        "DELETE /articles/{id}",
    );

    let create = &examples["POST /help_center/collections"];
    let made = api
        .post(
            "/help_center/collections",
            create["requests"]["collection_created"].clone(),
        )
        .await;
    assert_eq!(made.status, 200);
    assert_same_shape(
        &create["responses"]["200 collection created"],
        &made.body,
        "POST /help_center/collections",
    );
    let bad = api
        .post(
            "/help_center/collections",
            create["requests"]["bad_request"].clone(),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.body["errors"],
        create["responses"]["400 Bad Request"]["errors"]
    );

    let update = &examples["PUT /help_center/collections/{id}"];
    let cid = made.body["id"].as_str().unwrap();
    let renamed = api
        .put(
            &format!("/help_center/collections/{cid}"),
            update["requests"]["successful"].clone(),
        )
        .await;
    assert_same_shape(
        &update["responses"]["200 successful"],
        &renamed.body,
        "PUT /help_center/collections/{id}",
    );
    assert_eq!(renamed.body["name"], "Update collection name");

    for (key, path) in [
        ("GET /me", "/me".to_owned()),
        ("GET /admins", "/admins".to_owned()),
        (
            "GET /help_center/help_centers/{id}",
            "/help_center/help_centers/1".to_owned(),
        ),
        (
            "GET /help_center/collections/{id}",
            format!("/help_center/collections/{cid}"),
        ),
    ] {
        let responses = examples[key]["responses"].as_object().unwrap();
        let (name, expected) = responses
            .iter()
            .find(|(k, _)| k.starts_with("200"))
            .unwrap();
        let reply = api.get(&path).await;
        assert_eq!(reply.status, 200, "{key}");
        let what = format!("{key} ({name})");
        if key == "GET /admins" {
            assert_same_shape(&expected["admins"][0], &reply.body["admins"][0], &what);
        } else {
            assert_same_shape(expected, &reply.body, &what);
        }
    }
}

#[test]
fn spec_request_examples_match_the_request_schemas() {
    for (key, method, path, example) in [
        ("POST /articles", "post", "/articles", "article_created"),
        ("PUT /articles/{id}", "put", "/articles/{id}", "successful"),
        (
            "POST /help_center/collections",
            "post",
            "/help_center/collections",
            "collection_created",
        ),
    ] {
        let request = &examples()[key]["requests"][example];
        assert_valid(&request_schema(method, path), request, key);
    }
    // The helper rejects what the spec forbids (author_id must be an integer).
    let schema = request_schema("post", "/articles");
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(!validator.is_valid(&json!({"title": "t", "author_id": "x"})));
}

#[test]
fn embedded_locales_match_the_vendored_list() {
    let path = fixtures_dir().join("locales-2.12.json");
    let listed: Vec<(String, String)> =
        serde_json::from_str::<Vec<Value>>(&std::fs::read_to_string(path).unwrap())
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["code"].as_str().unwrap().to_owned(),
                    l["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
    let embedded: Vec<(String, String)> = helpcenter::content::locales::INTERCOM_LOCALES
        .iter()
        .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
        .collect();
    assert_eq!(embedded, listed);
}
