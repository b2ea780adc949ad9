//! The Intercom emulator through real HTTP (reqwest against `sandbox::start` on 127.0.0.1:0,
//! and once through the `sandbox serve` binary).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use helpcenter::sandbox::{self, Faults, RateLimit, SandboxHandle, SandboxOptions, Switches};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub(crate) const ADMIN: u64 = 991_266_200;

fn local() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

pub(crate) async fn serve(options: SandboxOptions) -> (SandboxHandle, Api) {
    let handle = sandbox::start(options, local())
        .await
        .expect("start sandbox");
    let api = Api::new(&handle.base_url());
    (handle, api)
}

/// A tiny client for the tests: every call returns status, headers and JSON.
pub(crate) struct Api {
    pub base: String,
    pub http: reqwest::Client,
    pub token: Option<String>,
}

pub(crate) struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            http: reqwest::Client::new(),
            token: Some("test-token".to_owned()),
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.try_call(method, path, body)
            .await
            .expect("transport error")
    }

    pub async fn try_call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply, reqwest::Error> {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut request = self
            .http
            .request(method, url)
            .header("Intercom-Version", "2.12")
            .header("Accept", "application/json");
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }

    /// Creates an article and returns its JSON (asserting 200).
    pub async fn article(&self, extra: Value) -> Value {
        let mut body = json!({"title": "An article", "body": "<p>Hello</p>", "author_id": ADMIN});
        merge(&mut body, extra);
        let reply = self.post("/articles", body).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body
    }

    /// Creates a collection and returns its JSON (asserting 200).
    pub async fn collection(&self, extra: Value) -> Value {
        let mut body = json!({"name": "A collection"});
        merge(&mut body, extra);
        let reply = self.post("/help_center/collections", body).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body
    }
}

fn merge(into: &mut Value, extra: Value) {
    if let (Some(into), Value::Object(extra)) = (into.as_object_mut(), extra) {
        into.extend(extra);
    }
}

fn error_code(reply: &Reply) -> (&str, &str) {
    let error = &reply.body["errors"][0];
    assert_eq!(reply.body["type"], "error.list", "{}", reply.body);
    assert!(reply.body["request_id"].is_string());
    (
        error["code"].as_str().unwrap_or_default(),
        error["message"].as_str().unwrap_or_default(),
    )
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("id is a string").to_owned()
}

fn single_language() -> SandboxOptions {
    SandboxOptions {
        multilingual: false,
        ..SandboxOptions::default()
    }
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401_without_rate_limit_headers() {
    let options = SandboxOptions {
        token: Some("secret".into()),
        rate_limit: Some(RateLimit {
            limit: 100,
            window: Duration::from_secs(10),
        }),
        ..SandboxOptions::default()
    };
    let (handle, mut api) = serve(options).await;
    for token in [None, Some("wrong"), Some("")] {
        api.token = token.map(str::to_owned);
        let reply = api.get("/articles").await;
        assert_eq!(reply.status, 401);
        assert_eq!(error_code(&reply), ("unauthorized", "Access Token Invalid"));
        assert!(reply.headers.get("x-ratelimit-limit").is_none());
    }
    api.token = Some("secret".into());
    let reply = api.get("/articles").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers["x-ratelimit-limit"], "100");
    assert_eq!(reply.headers["x-ratelimit-remaining"], "99");
    // Any non-empty token works when none is configured.
    let (_open, mut any) = serve(SandboxOptions::default()).await;
    any.token = Some("whatever".into());
    assert_eq!(any.get("/me").await.status, 200);
    handle.shutdown().await;
}

#[tokio::test]
async fn intercom_version_is_validated() {
    let (_handle, api) = serve(SandboxOptions::default()).await;
    let bad = api
        .http
        .get(format!("{}/articles", api.base))
        .bearer_auth("t")
        .header("Intercom-Version", "9.9")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "intercom_version_invalid");
    let missing = api
        .http
        .get(format!("{}/articles", api.base))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 200);
}

#[tokio::test]
async fn unknown_ids_routes_and_methods_are_404() {
    let (_handle, api) = serve(SandboxOptions::default()).await;
    let article = api.article(json!({})).await;
    let id = id_of(&article);
    for (method, path) in [
        (Method::GET, "/articles/123".to_owned()),
        (Method::GET, "/articles/abc".to_owned()),
        (Method::PUT, "/articles/99999999999999999999999".to_owned()),
        (Method::DELETE, "/help_center/collections/5".to_owned()),
        (Method::GET, "/help_center/help_centers/77".to_owned()),
        (Method::GET, "/nope".to_owned()),
        (Method::PATCH, format!("/articles/{id}")),
        (Method::POST, format!("/articles/{id}")),
        (Method::DELETE, "/articles".to_owned()),
    ] {
        let reply = api.call(method.clone(), &path, Some(json!({}))).await;
        assert_eq!(reply.status, 404, "{method} {path}");
        assert_eq!(
            error_code(&reply),
            ("not_found", "Resource Not Found"),
            "{method} {path}"
        );
    }
    let reply = api.get("/admins/12").await;
    assert_eq!(reply.status, 404);
    assert_eq!(error_code(&reply).0, "admin_not_found");
}

#[tokio::test]
async fn invalid_requests_get_400_with_intercom_codes() {
    let (handle, api) = serve(SandboxOptions::default()).await;
    let no_author = api
        .post("/articles", json!({"title": "T", "body": "b"}))
        .await;
    assert_eq!(no_author.status, 400);
    assert_eq!(
        error_code(&no_author),
        (
            "parameter_not_found",
            "author_id must be in the main body or default locale translated_content object"
        )
    );
    // author_id inside the default locale's translated_content is enough.
    let ok = api
        .post(
            "/articles",
            json!({"title": "T", "translated_content": {"en": {"author_id": ADMIN}}}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let no_title = api.post("/articles", json!({"author_id": ADMIN})).await;
    assert_eq!(
        (no_title.status, error_code(&no_title).0),
        (400, "parameter_not_found")
    );
    let stranger = api
        .post("/articles", json!({"title": "T", "author_id": 1}))
        .await;
    assert_eq!(
        (stranger.status, error_code(&stranger).0),
        (400, "parameter_invalid")
    );
    assert_eq!(stranger.body["errors"][0]["field"], "author_id");
    let orphan = api
        .post(
            "/articles",
            json!({"title": "T", "author_id": ADMIN, "parent_id": 424_242}),
        )
        .await;
    assert_eq!(
        (orphan.status, error_code(&orphan).0),
        (400, "parameter_invalid")
    );
    let bad_state = api
        .post(
            "/articles",
            json!({"title": "T", "author_id": ADMIN, "state": "live"}),
        )
        .await;
    assert_eq!(bad_state.status, 400);
    let unnamed = api
        .post("/help_center/collections", json!({"description": "x"}))
        .await;
    assert_eq!(unnamed.status, 400);
    assert_eq!(
        error_code(&unnamed),
        ("parameter_not_found", "Name is a required parameter.")
    );
    let bad_parent = api
        .post(
            "/help_center/collections",
            json!({"name": "n", "parent_id": "999"}),
        )
        .await;
    assert_eq!(bad_parent.status, 400);
    let not_json = api
        .http
        .post(format!("{}/articles", api.base))
        .bearer_auth("t")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let body: Value = not_json.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "parameter_invalid");
    // Nothing invalid was stored: only the one good article.
    assert_eq!(handle.snapshot()["articles"].as_object().unwrap().len(), 1);
}

#[tokio::test]
async fn articles_round_trip_with_intercom_types() {
    let (_handle, api) = serve(single_language()).await;
    let collection = api.collection(json!({"name": "Guides"})).await;
    let parent: u64 = id_of(&collection).parse().unwrap();
    let created = api
        .article(
            json!({"title": "Thanks for everything", "body": "Body of the Article",
                        "state": "published", "parent_id": parent, "parent_type": "collection"}),
        )
        .await;
    let id = id_of(&created);
    assert!(id.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(created["type"], "article");
    assert_eq!(created["parent_id"], json!(parent));
    assert_eq!(created["parent_ids"], json!([]));
    assert_eq!(created["author_id"], json!(ADMIN));
    assert_eq!(
        created["body"],
        "<p class=\"no-margin\">Body of the Article</p>"
    );
    assert_eq!(created["description"], "");
    assert_eq!(created["statistics"]["type"], "article_statistics");
    assert!(created.get("translated_content").is_none());
    assert!(created.get("default_locale").is_none());
    assert_eq!(
        created["url"],
        format!("http://help-center.test/sandbox/en/articles/{id}-thanks-for-everything")
    );
    assert_eq!(collection["parent_id"], Value::Null);
    assert_eq!(collection["help_center_id"], json!(1));

    let fetched = api.get(&format!("/articles/{id}")).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body["title"], created["title"]);

    // Two updates in the same second still move updated_at forward; the URL follows the title.
    let first = api
        .put(
            &format!("/articles/{id}"),
            json!({"title": "Christmas is here!"}),
        )
        .await;
    let second = api
        .put(&format!("/articles/{id}"), json!({"description": "d"}))
        .await;
    assert_eq!(first.status, 200);
    assert!(first.body["updated_at"].as_i64() > created["updated_at"].as_i64());
    assert!(second.body["updated_at"].as_i64() > first.body["updated_at"].as_i64());
    assert_eq!(second.body["title"], "Christmas is here!");
    assert_eq!(second.body["state"], "published", "omitted state stays");
    assert!(
        second.body["url"]
            .as_str()
            .unwrap()
            .ends_with("-christmas-is-here")
    );
    // Update takes parent_id as a string; null detaches.
    let moved = api
        .put(&format!("/articles/{id}"), json!({"parent_id": null}))
        .await;
    assert_eq!(moved.body["parent_id"], Value::Null);
    let back = api
        .put(
            &format!("/articles/{id}"),
            json!({"parent_id": parent.to_string()}),
        )
        .await;
    assert_eq!(back.body["parent_id"], json!(parent));

    let deleted = api.delete(&format!("/articles/{id}")).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(
        deleted.body,
        json!({"id": id, "object": "article", "deleted": true})
    );
    assert_eq!(api.get(&format!("/articles/{id}")).await.status, 404);

    let draft = api.article(json!({"title": "Draft"})).await;
    assert_eq!(draft["state"], "draft", "state defaults to draft");
    assert_eq!(
        draft["url"],
        Value::Null,
        "never-published drafts have no url"
    );
    let published = api
        .put(
            &format!("/articles/{}", id_of(&draft)),
            json!({"state": "published"}),
        )
        .await;
    assert!(published.body["url"].is_string());
    let unpublished = api
        .put(
            &format!("/articles/{}", id_of(&draft)),
            json!({"state": "draft"}),
        )
        .await;
    assert!(
        unpublished.body["url"].is_string(),
        "once published, the url stays"
    );
}

#[tokio::test]
async fn lists_page_through_next_urls_and_clamp() {
    let (_handle, api) = serve(single_language()).await;
    for n in 0..60 {
        api.article(json!({"title": format!("Article {n}")})).await;
    }
    let mut seen = Vec::new();
    let mut reply = api.get("/articles").await;
    let mut pages = 0;
    loop {
        pages += 1;
        assert_eq!(reply.status, 200);
        let body = &reply.body;
        assert_eq!(body["type"], "list");
        assert_eq!(body["total_count"], 60);
        assert_eq!(body["pages"]["type"], "pages");
        assert_eq!(body["pages"]["per_page"], 25);
        assert_eq!(body["pages"]["total_pages"], 3);
        assert_eq!(body["pages"]["page"], pages);
        for item in body["data"].as_array().unwrap() {
            assert!(
                item.get("statistics").is_none(),
                "list items carry no statistics"
            );
            seen.push((item["updated_at"].as_i64().unwrap(), id_of(item)));
        }
        match body["pages"].get("next") {
            Some(Value::String(next)) => {
                assert!(next.starts_with(&api.base), "{next}");
                reply = api.get(next).await;
            }
            None => break,
            Some(other) => panic!("unexpected next {other}"),
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 60);
    assert_eq!(seen.iter().map(|s| &s.1).collect::<HashSet<_>>().len(), 60);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "updated_at desc, then id desc");

    let past = api.get("/articles?page=9").await;
    assert_eq!(past.status, 200);
    assert_eq!(past.body["data"], json!([]));
    let clamped = api.get("/articles?per_page=1000").await;
    assert_eq!(clamped.body["pages"]["per_page"], 250);
    assert_eq!(clamped.body["data"].as_array().unwrap().len(), 60);
    assert!(clamped.body["pages"].get("next").is_none());

    // Writing an old article moves it to the front.
    let oldest = &seen.last().unwrap().1;
    api.put(&format!("/articles/{oldest}"), json!({"title": "Fresh"}))
        .await;
    let first = api.get("/articles?per_page=1").await;
    assert_eq!(id_of(&first.body["data"][0]), *oldest);
    assert_eq!(first.body["pages"]["total_pages"], 60);

    // Collections: default 20 per page, help_center_id filter kept in next.
    for n in 0..21 {
        api.collection(json!({"name": format!("C{n}")})).await;
    }
    let collections = api.get("/help_center/collections?help_center_id=1").await;
    assert_eq!(collections.body["pages"]["per_page"], 20);
    assert_eq!(collections.body["data"].as_array().unwrap().len(), 20);
    let next = collections.body["pages"]["next"].as_str().unwrap();
    assert!(
        next.contains("help_center_id=1") && next.contains("page=2"),
        "{next}"
    );
    assert_eq!(
        api.get(next).await.body["data"].as_array().unwrap().len(),
        1
    );
    let other = api.get("/help_center/collections?help_center_id=2").await;
    assert_eq!(other.body["total_count"], 0);
}

#[tokio::test]
async fn translated_content_merges_per_locale_and_per_field() {
    let options = SandboxOptions {
        locales: vec!["en".into(), "fr".into(), "de".into()],
        ..SandboxOptions::default()
    };
    let (_handle, api) = serve(options).await;
    let created = api
        .article(json!({"title": "Hello", "state": "published",
            "translated_content": {"type": "article_translated_content",
                "fr": {"type": "article_content", "title": "Bonjour", "body": "<p>Salut</p>", "state": "published"}}}))
        .await;
    let id = id_of(&created);
    assert_eq!(created["default_locale"], "en");
    let tc = &created["translated_content"];
    assert_eq!(tc["type"], "article_translated_content");
    assert_eq!(tc["fr"]["title"], "Bonjour");
    assert_eq!(
        tc["fr"]["author_id"],
        json!(ADMIN),
        "new locales inherit the author"
    );
    assert_eq!(
        tc["fr"]["url"],
        format!("http://help-center.test/sandbox/fr/articles/{id}-bonjour")
    );
    assert_eq!(
        tc["en"]["title"], "Hello",
        "default locale mirrored by default"
    );
    assert!(tc.get("de").is_none());

    // Only German's title: French is kept. Then French state only: its title is kept.
    let added = api
        .put(
            &format!("/articles/{id}"),
            json!({"translated_content": {"de": {"title": "Hallo"}}}),
        )
        .await;
    assert_eq!(added.body["translated_content"]["fr"]["title"], "Bonjour");
    assert_eq!(added.body["translated_content"]["de"]["state"], "draft");
    assert_eq!(added.body["translated_content"]["de"]["url"], Value::Null);
    let fr_updated_before = added.body["translated_content"]["fr"]["updated_at"].clone();
    let hidden = api
        .put(
            &format!("/articles/{id}"),
            json!({"translated_content": {"fr": {"type": "article_content", "state": "draft"}}}),
        )
        .await;
    let fr = &hidden.body["translated_content"]["fr"];
    assert_eq!(fr["state"], "draft");
    assert_eq!(fr["title"], "Bonjour");
    assert_eq!(fr["body"], "<p class=\"no-margin\">Salut</p>");
    assert!(fr["updated_at"].as_i64() > fr_updated_before.as_i64());
    assert_eq!(
        hidden.body["state"], "published",
        "the default locale is untouched"
    );
    assert_eq!(hidden.body["translated_content"]["de"]["title"], "Hallo");

    // Top-level fields are the default locale's.
    let retitled = api
        .put(&format!("/articles/{id}"), json!({"title": "Hi"}))
        .await;
    assert_eq!(retitled.body["translated_content"]["en"]["title"], "Hi");
    assert_eq!(retitled.body["translated_content"]["de"]["title"], "Hallo");

    // Locales outside the help center are rejected by default.
    let other = api
        .put(
            &format!("/articles/{id}"),
            json!({"translated_content": {"ja": {"title": "x"}}}),
        )
        .await;
    assert_eq!(
        (other.status, error_code(&other).0),
        (400, "parameter_invalid")
    );

    // Collections merge the same way.
    let collection = api
        .collection(json!({"name": "Start", "description": "d",
            "translated_content": {"type": "group_translated_content", "fr": {"type": "group_content", "name": "Début"}}}))
        .await;
    let cid = id_of(&collection);
    let renamed = api
        .put(
            &format!("/help_center/collections/{cid}"),
            json!({"translated_content": {"de": {"name": "Anfang", "description": "b"}}}),
        )
        .await;
    assert_eq!(renamed.body["translated_content"]["fr"]["name"], "Début");
    assert_eq!(renamed.body["translated_content"]["de"]["description"], "b");
    assert_eq!(renamed.body["name"], "Start");
    assert_eq!(renamed.body["description"], "d");
}

#[tokio::test]
async fn single_language_help_centers_ignore_translations() {
    let (_handle, api) = serve(single_language()).await;
    let created = api
        .article(json!({"translated_content": {"fr": {"title": "Merci", "author_id": ADMIN}, "xx": {"title": "?"}}}))
        .await;
    assert!(created.get("translated_content").is_none());
    assert!(created.get("default_locale").is_none());
    let fetched = api.get(&format!("/articles/{}", id_of(&created))).await;
    assert!(fetched.body.get("translated_content").is_none());
    let collection = api
        .collection(json!({"translated_content": {"fr": {"name": "x"}}}))
        .await;
    assert!(collection.get("translated_content").is_none());
}

#[tokio::test]
async fn bodies_are_rewritten_like_intercom() {
    let (_handle, api) = serve(single_language()).await;
    let html = "Intro<h1>Title</h1><p><strong>b</strong> <em>i</em> <a href=\"https://example.com\">l</a></p>\
        <ul><li>one</li></ul><table><tr><th>H</th></tr><tr><td>1</td></tr></table>\
        <img src=\"https://example.com/pic.png\"><div>d</div><span>s</span><script>x()</script>\
        <iframe src=\"https://player.vimeo.com/video/1\"></iframe>";
    let created = api.article(json!({"body": html})).await;
    let body = created["body"].as_str().unwrap();
    for expected in [
        "<p class=\"no-margin\">Intro</p><h1 id=\"h_",
        "<p class=\"no-margin\"><b>b</b> <i>i</i> <a href=\"https://example.com\" target=\"_blank\" class=\"intercom-content-link\">l</a></p>",
        "<ul><li><p class=\"no-margin\">one</p></li></ul>",
        "<div class=\"intercom-interblocks-table-container\"><table role=\"presentation\"><tbody><tr><td><p class=\"no-margin\">H</p></td></tr>",
        "<div class=\"intercom-container\"><img src=\"https://downloads.intercomcdn.com/i/o/",
        "/pic.png?expires=",
        "<p class=\"no-margin\">d</p><p class=\"no-margin\">s</p>",
        "<div class=\"intercom-h2b-video\"><iframe src=\"https://player.vimeo.com/video/1\" frameborder=\"0\"",
    ] {
        assert!(body.contains(expected), "missing {expected} in {body}");
    }
    assert!(!body.contains("script"));
    let id = id_of(&created);
    let heading_id = |b: &str| b[b.find("id=\"h_").unwrap()..][..16].to_owned();
    let resaved = api
        .put(&format!("/articles/{id}"), json!({"body": html}))
        .await;
    assert_ne!(
        heading_id(body),
        heading_id(resaved.body["body"].as_str().unwrap()),
        "fresh heading ids on every save"
    );
    let signature = |b: &Value| {
        let b = b["body"].as_str().unwrap().to_owned();
        b[b.find("signature=").unwrap()..][..40].to_owned()
    };
    let read1 = api.get(&format!("/articles/{id}")).await;
    let read2 = api.get(&format!("/articles/{id}")).await;
    assert_ne!(
        signature(&read1.body),
        signature(&read2.body),
        "image signatures change on every read"
    );
    let strip = |b: &Value| {
        let b = b["body"].as_str().unwrap();
        b[..b.find("?expires").unwrap()].to_owned()
    };
    assert_eq!(
        strip(&read1.body),
        strip(&read2.body),
        "the image path is stable"
    );

    for bad in [
        "<dl><dt>t</dt></dl>",
        "<iframe src=\"https://evil.example/v\"></iframe>",
        "<img src=\"pic.png\">",
        "<ul></ul>",
        "<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>",
        "<ul><li><table><tr><td>x</td></tr></table></li></ul>",
        // Nested lists are accepted by default (`nested_lists=reject` refuses them).
        "<ol><li><pre><code></code></pre></li></ol>",
    ] {
        let reply = api
            .put(&format!("/articles/{id}"), json!({"body": bad}))
            .await;
        assert_eq!(reply.status, 400, "{bad}");
        assert_eq!(error_code(&reply).0, "parameter_invalid", "{bad}");
        assert!(!error_code(&reply).1.is_empty());
    }
    // A rejected body leaves the article unchanged.
    assert_eq!(
        strip(&api.get(&format!("/articles/{id}")).await.body),
        strip(&read1.body)
    );
}

#[tokio::test]
async fn rate_limit_sends_headers_then_429_and_recovers() {
    let options = SandboxOptions {
        rate_limit: Some(RateLimit {
            limit: 3,
            window: Duration::from_millis(1500),
        }),
        ..SandboxOptions::default()
    };
    let (handle, api) = serve(options).await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let reply = api.get("/me").await;
        assert_eq!(reply.status, 200);
        remaining.push(
            reply.headers["x-ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
        let reset: u64 = reply.headers["x-ratelimit-reset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(reset >= now && reset <= now + 3, "{reset} vs {now}");
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let limited = api.get("/articles").await;
    assert_eq!(limited.status, 429);
    assert_eq!(
        error_code(&limited),
        (
            "rate_limit_exceeded",
            "Exceeded rate limit of 3 in 10_seconds"
        )
    );
    assert_eq!(limited.headers["x-ratelimit-remaining"], "0");
    assert!(
        limited.headers.get("retry-after").is_none(),
        "no Retry-After by default"
    );
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(api.get("/articles").await.status, 200);
    handle.set_rate_limit(None);
    for _ in 0..5 {
        let reply = api.get("/me").await;
        assert_eq!(reply.status, 200);
        assert!(reply.headers.get("x-ratelimit-limit").is_none());
    }
    // The control endpoint does the same over HTTP.
    let set = api
        .put(
            "/_sandbox/rate_limit",
            json!({"limit": 1, "window_secs": 60}),
        )
        .await;
    assert_eq!(set.status, 200);
    api.get("/me").await;
    assert_eq!(api.get("/me").await.status, 429);
}

#[tokio::test]
async fn injected_server_errors_do_not_apply_writes() {
    let options = SandboxOptions {
        faults: Faults {
            server_error_rate: 1.0,
            ..Faults::default()
        },
        ..SandboxOptions::default()
    };
    let (handle, api) = serve(options).await;
    let reply = api
        .post("/articles", json!({"title": "T", "author_id": ADMIN}))
        .await;
    assert!([500, 502, 503].contains(&reply.status), "{}", reply.status);
    assert_eq!(error_code(&reply).0, "server_error");
    assert_eq!(handle.snapshot()["articles"], json!({}));
    // Half the requests fail, deterministically for a seed.
    let statuses = |seed| {
        let handle = &handle;
        let api = &api;
        async move {
            handle.set_faults(Faults {
                server_error_rate: 0.5,
                seed,
                ..Faults::default()
            });
            let mut out = Vec::new();
            for _ in 0..40 {
                out.push(api.get("/me").await.status);
            }
            out
        }
    };
    let a = statuses(9).await;
    assert_eq!(a, statuses(9).await);
    let failures = a.iter().filter(|s| **s >= 500).count();
    assert_eq!(failures, 15, "{a:?}");
}

/// Two concurrent requests take one latency, not two: the emulator's sleep does not block.
/// On tokio's paused clock (the emulator runs in this runtime), so the figure is exact
/// virtual time, not a wall-clock window; the wall-clock cost is the benches' job.
#[tokio::test(start_paused = true)]
async fn latency_sleeps_do_not_block_other_requests() {
    let (handle, api) = serve(SandboxOptions::default()).await;
    handle.set_faults(Faults {
        latency: Duration::from_millis(400),
        ..Faults::default()
    });
    let started = tokio::time::Instant::now();
    let (r1, r2) = tokio::join!(api.get("/me"), api.get("/me"));
    assert_eq!((r1.status, r2.status), (200, 200));
    let elapsed = started.elapsed();
    // Serial sleeps would take 800 ms of virtual time; concurrent ones take 400 ms plus the
    // virtual instants the client's own timers added while waiting (none reach 400 ms).
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_millis(800),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn lost_responses_apply_the_write_and_break_the_connection() {
    let options = SandboxOptions {
        faults: Faults {
            lost_response_rate: 1.0,
            ..Faults::default()
        },
        ..SandboxOptions::default()
    };
    let (handle, api) = serve(options).await;
    let outcome = api
        .try_call(
            Method::POST,
            "/articles",
            Some(json!({"title": "Lost", "author_id": ADMIN})),
        )
        .await;
    let error = match outcome {
        Err(e) => e,
        Ok(reply) => panic!(
            "expected a transport error, got {} {}",
            reply.status, reply.body
        ),
    };
    assert!(error.status().is_none(), "{error}");
    assert_eq!(
        handle.snapshot()["articles"].as_object().unwrap().len(),
        1,
        "the write was applied"
    );
    // Reads are never lost.
    let list = api.get("/articles").await;
    assert_eq!(list.body["total_count"], 1);
    let log = handle.requests();
    assert!(log[0].lost && log[0].status == 200 && log[0].method == "POST");
    assert!(!log[1].lost);
    let control = api.get("/_sandbox/requests").await;
    assert_eq!(control.body["total"], 2);
    assert_eq!(control.body["lost"], 1);
    assert_eq!(handle.request_count(), 2);
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join(".helpcenter/docs.sandbox.db");
    let options = SandboxOptions {
        state_file: Some(state.clone()),
        ..SandboxOptions::default()
    };
    let (handle, api) = serve(options.clone()).await;
    let collection = api.collection(json!({"name": "Kept"})).await;
    let article = api
        .article(
            json!({"title": "Kept too", "parent_id": id_of(&collection).parse::<u64>().unwrap()}),
        )
        .await;
    assert!(state.exists(), "saved after every write");
    handle.shutdown().await;
    let (again, api) = serve(options).await;
    let fetched = api.get(&format!("/articles/{}", id_of(&article))).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body["title"], "Kept too");
    assert_eq!(fetched.body["created_at"], article["created_at"]);
    let next = api.article(json!({})).await;
    assert_ne!(id_of(&next), id_of(&article), "ids keep counting");
    assert!(next["updated_at"].as_i64() > article["updated_at"].as_i64());
    again.shutdown().await;
}

#[tokio::test]
async fn admins_me_and_help_centers() {
    let (_handle, api) = serve(SandboxOptions::default()).await;
    let me = api.get("/me").await.body;
    assert_eq!(
        (me["type"].as_str(), me["id"].as_str()),
        (Some("admin"), Some("991266200"))
    );
    assert_eq!(me["email"], "docs@example.com");
    let admins = api.get("/admins").await.body;
    assert_eq!(admins["type"], "admin.list");
    assert_eq!(admins["admins"][0]["email"], "docs@example.com");
    assert_eq!(api.get("/admins/991266200").await.body["name"], "Docs Team");
    let centers = api.get("/help_center/help_centers").await.body;
    assert_eq!(centers["data"][0]["identifier"], "sandbox");
    assert_eq!(centers["data"][0]["id"], "1");
    assert_eq!(api.get("/help_center/help_centers/1").await.status, 200);
    let search_target = api
        .article(json!({"title": "Searchable thing", "state": "published"}))
        .await;
    api.article(json!({"title": "Other"})).await;
    let found = api
        .get("/articles/search?phrase=searchable&state=published&page=3")
        .await;
    assert_eq!(found.status, 200);
    assert_eq!(found.body["total_count"], 1);
    assert_eq!(found.body["data"]["articles"][0]["id"], search_target["id"]);
    assert_eq!(found.body["data"]["highlights"], json!([]));
    assert_eq!(found.body["pages"]["page"], 1, "search ignores page");
}

#[tokio::test]
async fn collections_nest_three_levels_and_delete_per_switch() {
    let (handle, api) = serve(SandboxOptions::default()).await;
    let top = api.collection(json!({"name": "L1"})).await;
    let l2 = api
        .collection(json!({"name": "L2", "parent_id": id_of(&top)}))
        .await;
    assert_eq!(
        l2["parent_id"], top["id"],
        "collection parent_id is a string"
    );
    assert_eq!(
        l2["help_center_id"],
        Value::Null,
        "nested collections report no help center"
    );
    assert_eq!(l2["icon"], "folder");
    let l3 = api
        .collection(json!({"name": "L3", "parent_id": id_of(&l2)}))
        .await;
    let l4 = api
        .post(
            "/help_center/collections",
            json!({"name": "L4", "parent_id": id_of(&l3)}),
        )
        .await;
    assert_eq!(l4.status, 400);
    let cycle = api
        .put(
            &format!("/help_center/collections/{}", id_of(&top)),
            json!({"parent_id": id_of(&l3)}),
        )
        .await;
    assert_eq!(cycle.status, 400);
    let article = api
        .article(json!({"parent_id": id_of(&l2).parse::<u64>().unwrap()}))
        .await;
    let deleted = api
        .delete(&format!("/help_center/collections/{}", id_of(&l2)))
        .await;
    assert_eq!(
        deleted.body,
        json!({"id": id_of(&l2), "object": "collection", "deleted": true})
    );
    let orphan = api.get(&format!("/articles/{}", id_of(&article))).await;
    assert_eq!(
        orphan.body["parent_id"],
        Value::Null,
        "children are detached by default"
    );
    let l3_now = api
        .get(&format!("/help_center/collections/{}", id_of(&l3)))
        .await;
    assert_eq!(l3_now.body["parent_id"], Value::Null);
    assert_eq!(
        handle.snapshot()["collections"].as_object().unwrap().len(),
        2
    );
}

/// Observations that every switch influences; each non-default setting must change them.
async fn observe(switches: Switches) -> Vec<String> {
    let options = SandboxOptions {
        switches,
        locales: vec!["en".into(), "fr".into(), "de".into()],
        ..SandboxOptions::default()
    };
    let (handle, api) = serve(options).await;
    let mut out = Vec::new();
    let article = api
        .article(
            json!({"body": "<h2>A</h2><h3>B</h3><p><a href=\"https://e.com\">l</a></p>",
                        "translated_content": {"fr": {"title": "F"}}}),
        )
        .await;
    let id = id_of(&article);
    let body = article["body"].as_str().unwrap();
    out.push(format!(
        "h1={} h2={} h3={}",
        body.matches("<h1").count(),
        body.matches("<h2").count(),
        body.matches("<h3").count()
    ));
    out.push(format!("rel={}", body.contains("rel=")));
    let fidelity = api
        .put(
            &format!("/articles/{id}"),
            json!({"body": "<img src=\"https://downloads.intercomcdn.com/i/o/1/ab/x.png\"><details><summary>s</summary>d</details><div class=\"intercom-interblocks-callout\" style=\"background-color: #d7efdc80; border-color: #1bb15733;\"><p>t</p></div>"}),
        )
        .await;
    let kept = fidelity.body["body"].as_str().unwrap_or_default();
    out.push(format!(
        "cdn_image={} details={} rgba={}",
        kept.contains("<img"),
        kept.contains("<details>"),
        kept.contains("rgba(")
    ));
    let tc = article["translated_content"].as_object().unwrap();
    out.push(format!("locales={:?}", tc.keys().collect::<Vec<_>>()));
    let nested = api
        .put(
            &format!("/articles/{id}"),
            json!({"body": "<ul><li>a<ul><li>b</li></ul></li></ul>"}),
        )
        .await;
    out.push(format!("nested_list={}", nested.status));
    let unknown = api
        .put(
            &format!("/articles/{id}"),
            json!({"translated_content": {"ja": {"title": "J"}}}),
        )
        .await;
    out.push(format!("unknown_locale={}", unknown.status));
    let stranger = api
        .put(&format!("/articles/{id}"), json!({"author_id": 1}))
        .await;
    out.push(format!("unknown_author={}", stranger.status));
    let null = api
        .put(
            &format!("/articles/{id}"),
            json!({"translated_content": {"fr": null}}),
        )
        .await;
    let fr =
        api.get(&format!("/articles/{id}")).await.body["translated_content"]["fr"]["title"].clone();
    out.push(format!("null={} fr={fr}", null.status));
    let l1 = api.collection(json!({"name": "1"})).await;
    let l2 = api
        .collection(json!({"name": "2", "parent_id": id_of(&l1)}))
        .await;
    out.push(format!("nested_hc={}", l2["help_center_id"]));
    let l3 = api
        .collection(json!({"name": "3", "parent_id": id_of(&l2)}))
        .await;
    let l4 = api
        .post(
            "/help_center/collections",
            json!({"name": "4", "parent_id": id_of(&l3)}),
        )
        .await;
    out.push(format!("fourth={}", l4.status));
    api.put(&format!("/articles/{id}"), json!({"parent_id": id_of(&l2)}))
        .await;
    let deleted = api
        .delete(&format!("/help_center/collections/{}", id_of(&l2)))
        .await;
    let after = api.get(&format!("/articles/{id}")).await;
    let l3_after = api
        .get(&format!("/help_center/collections/{}", id_of(&l3)))
        .await;
    out.push(format!(
        "delete={} article={} l3={}",
        deleted.status, after.status, l3_after.status
    ));
    let list = api.get("/articles?page=1&per_page=10").await;
    out.push(format!(
        "next={:?} page={}",
        list.body["pages"].get("next"),
        list.body["pages"]["page"]
    ));
    let html_only = api
        .http
        .get(format!("{}/me", api.base))
        .bearer_auth("t")
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    out.push(format!("accept={}", html_only.status()));
    let source = api
        .post(
            "/ai/content_import_sources",
            json!({"sync_behavior": "api", "url": "https://docs.example/"}),
        )
        .await;
    let page = api
        .post(
            "/ai/external_pages",
            json!({"title": "P", "html": "<p>p</p>", "locale": "en",
                   "source_id": source.body["id"], "external_id": "p"}),
        )
        .await;
    out.push(format!(
        "page_availability={} {}",
        page.body["ai_agent_availability"], page.body["ai_copilot_availability"]
    ));
    handle.set_rate_limit(Some(RateLimit {
        limit: 1,
        window: Duration::from_secs(30),
    }));
    api.get("/me").await;
    let limited = api.get("/me").await;
    out.push(format!(
        "429={} retry_after={}",
        limited.status,
        limited.headers.contains_key("retry-after")
    ));
    out
}

#[tokio::test]
async fn every_switch_setting_has_an_observable_effect() {
    let baseline = observe(Switches::default()).await;
    for (name, switches) in Switches::all_variants() {
        let seen = observe(switches).await;
        if switches == Switches::default() {
            assert_eq!(
                seen, baseline,
                "{name} is the default and must behave like it"
            );
        } else {
            assert_ne!(seen, baseline, "{name} changed nothing observable");
        }
    }
}

#[test]
fn serve_binary_prints_the_listening_line() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_helpcenter"))
        .args([
            "sandbox",
            "serve",
            "--port",
            "0",
            "--token",
            "t0k",
            "--single-language",
            "--switch",
            "headings=flatten_to_h2",
        ])
        .arg("--state")
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn helpcenter");
    let url = crate::support::first_line_url(&mut child, "listening ");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut api = Api::new(&url);
        assert_eq!(api.get("/me").await.status, 401);
        api.token = Some("t0k".into());
        let created = api.article(json!({"body": "<h4>x</h4>"})).await;
        assert!(created["body"].as_str().unwrap().starts_with("<h2 "));
        assert!(created.get("translated_content").is_none());
    });
    #[cfg(unix)]
    {
        let _ = Command::new("kill").arg(child.id().to_string()).status();
    }
    #[cfg(not(unix))]
    let _ = child.kill();
    let status = child.wait().unwrap();
    // SIGTERM is a normal stop: every write is saved, exit 0.
    #[cfg(unix)]
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(state.exists());
    let db = rusqlite::Connection::open(&state).unwrap();
    let articles: i64 = db
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(articles, 1);
}

#[test]
fn serve_rejects_bad_flags() {
    let output = Command::new(env!("CARGO_BIN_EXE_helpcenter"))
        .args(["sandbox", "serve", "--port", "0", "--switch", "headings=h9"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("headings"), "{stderr}");
}

#[tokio::test]
async fn accept_header_must_allow_json() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (handle, api) = serve(SandboxOptions::default()).await;
    let mut stream = tokio::net::TcpStream::connect(handle.addr()).await.unwrap();
    stream
        .write_all(
            b"GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n",
        )
        .await
        .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    assert!(raw.starts_with("HTTP/1.1 406"), "{raw}");
    assert!(raw.contains("error.list"));
    for accept in [
        "*/*",
        "application/json",
        "text/html, application/json;q=0.9",
    ] {
        let reply = api
            .http
            .get(format!("{}/me", api.base))
            .bearer_auth("t")
            .header("Accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200, "{accept}");
    }
    let html = api
        .http
        .get(format!("{}/me", api.base))
        .bearer_auth("t")
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), 406);
}

#[tokio::test]
async fn control_endpoints_need_the_token_and_steer_the_emulator() {
    let (handle, mut api) = serve(SandboxOptions::default()).await;
    api.get("/me").await;
    let log = api.get("/_sandbox/requests").await;
    assert_eq!(log.status, 200);
    assert_eq!(log.body["total"], 1);
    assert_eq!(log.body["by_status"]["200"], 1);
    assert_eq!(log.body["requests"][0]["path"], "/me");
    let faults = api
        .put(
            "/_sandbox/faults",
            json!({"server_error_rate": 1.0, "seed": 4}),
        )
        .await;
    assert_eq!(faults.body["server_error_rate"], 1.0);
    assert!(api.get("/me").await.status >= 500);
    api.put("/_sandbox/faults", json!({"server_error_rate": 0}))
        .await;
    assert_eq!(api.get("/me").await.status, 200);
    api.article(json!({})).await;
    let state = api.get("/_sandbox/state").await;
    assert_eq!(state.body, handle.snapshot());
    assert_eq!(api.delete("/_sandbox/requests").await.status, 200);
    assert_eq!(handle.request_count(), 0);
    assert_eq!(api.get("/_sandbox/nope").await.status, 404);
    api.token = None;
    assert_eq!(api.get("/_sandbox/requests").await.status, 401);
}

#[tokio::test]
async fn several_help_centers() {
    let options = SandboxOptions {
        help_centers: vec![
            sandbox::HelpCenterSeed::default(),
            sandbox::HelpCenterSeed {
                id: "2".into(),
                identifier: "partners".into(),
                display_name: "Partners".into(),
            },
        ],
        ..SandboxOptions::default()
    };
    let (_handle, api) = serve(options).await;
    assert_eq!(
        api.get("/help_center/help_centers").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let partners = api.collection(json!({"help_center_id": 2})).await;
    assert_eq!(partners["help_center_id"], 2);
    let default = api.collection(json!({})).await;
    assert_eq!(default["help_center_id"], 1);
    let article = api
        .article(
            json!({"state": "published", "parent_id": id_of(&partners).parse::<u64>().unwrap()}),
        )
        .await;
    assert!(
        article["url"]
            .as_str()
            .unwrap()
            .starts_with("http://help-center.test/partners/en/")
    );
    let only = api.get("/help_center/collections?help_center_id=2").await;
    assert_eq!(only.body["total_count"], 1);
    let unknown = api
        .post(
            "/help_center/collections",
            json!({"name": "x", "help_center_id": 9}),
        )
        .await;
    assert_eq!(unknown.status, 400);
    let mismatch = api
        .post(
            "/help_center/collections",
            json!({"name": "x", "help_center_id": 1, "parent_id": id_of(&partners)}),
        )
        .await;
    assert_eq!(mismatch.status, 400);
}

#[tokio::test]
async fn lost_responses_send_not_a_single_byte() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let options = SandboxOptions {
        faults: Faults {
            lost_response_rate: 1.0,
            ..Faults::default()
        },
        ..SandboxOptions::default()
    };
    let (handle, api) = serve(options).await;
    let mut stream = tokio::net::TcpStream::connect(handle.addr()).await.unwrap();
    let body = format!("{{\"title\":\"t\",\"author_id\":{ADMIN}}}");
    let request = format!(
        "POST /articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nAccept: */*\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let outcome =
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut received)).await;
    assert!(
        outcome.is_ok(),
        "the connection is closed, not left hanging"
    );
    assert!(
        received.is_empty(),
        "got {}",
        String::from_utf8_lossy(&received)
    );
    // With reqwest, `send()` itself fails: no status line ever arrives.
    let sent = api
        .http
        .post(format!("{}/articles", api.base))
        .bearer_auth("t")
        .json(&json!({"title": "t", "author_id": ADMIN}))
        .send()
        .await;
    assert!(sent.is_err(), "send() must fail");
    assert_eq!(handle.snapshot()["articles"].as_object().unwrap().len(), 2);
}
