//! The Intercom client against the emulator over real HTTP on `127.0.0.1:0`: pagination
//! request counts, rate limits, injected server errors and lost responses, error messages and
//! the token's absence from every message.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use helpcenter::remote::models::{
    ArticleContentRequest, CreateArticle, CreateCollection, GroupContentRequest, UpdateArticle,
    UpdateCollection,
};
use helpcenter::remote::{Client, ClientConfig, ErrorKind, RequestEvent, Token};
use helpcenter::sandbox::store::{
    Article as StoredArticle, ArticleContent as StoredContent, Collection as StoredCollection,
    GroupContent as StoredGroup, Store,
};
use helpcenter::sandbox::{Faults, RateLimit, SandboxHandle, SandboxOptions, start};
use serde_json::{Value, json};

use crate::contract::{assert_valid, openapi_schema};

const ADMIN_ID: u64 = 991_266_200;
const CANARY: &str = "tok_CANARY_it_8c1d2e3f";

async fn sandbox(options: SandboxOptions) -> SandboxHandle {
    start(options, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("the emulator starts")
}

fn config(handle: &SandboxHandle) -> ClientConfig {
    let mut config = ClientConfig::new(handle.base_url(), Token::new(CANARY));
    config.backoff_base = Duration::from_millis(10);
    config.backoff_max = Duration::from_millis(100);
    config.timeout = Duration::from_secs(10);
    config
}

fn client(handle: &SandboxHandle) -> Client {
    Client::new(config(handle)).unwrap()
}

/// A client whose events are collected as text.
fn observed(config: ClientConfig) -> (Client, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let config = ClientConfig {
        on_request: Some(Arc::new(move |e: &RequestEvent| {
            sink.lock().unwrap().push(format!("{e:?}"));
        })),
        ..config
    };
    (Client::new(config).unwrap(), log)
}

/// Emulator options whose state file already holds `articles` articles and `collections`
/// collections (creating thousands through the API one by one would be slow).
fn seeded(dir: &tempfile::TempDir, articles: u64, collections: u64) -> SandboxOptions {
    let mut store = Store::default();
    let now = store.clock;
    for i in 0..collections {
        let id = 3_000_001 + i;
        let mut contents = BTreeMap::new();
        contents.insert(
            "en".to_owned(),
            StoredGroup {
                name: format!("Collection {i}"),
                description: None,
            },
        );
        store.collections.insert(
            id,
            StoredCollection {
                id,
                help_center_id: 1,
                parent_id: None,
                order: u32::try_from(i).unwrap(),
                created_at: now,
                updated_at: now,
                contents,
            },
        );
    }
    for i in 0..articles {
        let id = 7_000_001 + i;
        let mut contents = BTreeMap::new();
        contents.insert(
            "en".to_owned(),
            StoredContent {
                title: format!("Article {i}"),
                description: String::new(),
                body: format!("<p>Body {i}</p>"),
                author_id: ADMIN_ID,
                published: true,
                ever_published: true,
                created_at: now,
                updated_at: now,
            },
        );
        store.articles.insert(
            id,
            StoredArticle {
                id,
                parent_id: None,
                parent_type: None,
                created_at: now,
                updated_at: now,
                contents,
            },
        );
    }
    store.next_article_id = 7_000_001 + articles;
    store.next_collection_id = 3_000_001 + collections;
    let path = dir.path().join("sandbox.json");
    std::fs::write(&path, serde_json::to_vec(&store).unwrap()).unwrap();
    SandboxOptions {
        state_file: Some(path),
        ..SandboxOptions::default()
    }
}

fn count(handle: &SandboxHandle, method: &str, status: u16) -> usize {
    handle
        .requests()
        .iter()
        .filter(|r| r.method == method && r.status == status)
        .count()
}

fn new_article(title: &str) -> CreateArticle {
    CreateArticle {
        title: title.to_owned(),
        body: Some("<p>Hello</p>".to_owned()),
        author_id: ADMIN_ID,
        state: Some("published".to_owned()),
        ..CreateArticle::default()
    }
}

#[tokio::test]
async fn lists_600_articles_in_exactly_3_requests() {
    let dir = tempfile::tempdir().unwrap();
    let handle = sandbox(seeded(&dir, 600, 0)).await;
    let c = client(&handle);
    let articles = c.list_articles().await.unwrap();
    assert_eq!(articles.len(), 600);
    assert_eq!(c.request_count(), 3);
    assert_eq!(handle.request_count(), 3);
    let queries: Vec<String> = handle.requests().into_iter().map(|r| r.query).collect();
    assert_eq!(
        queries,
        [
            "per_page=250&page=1",
            "per_page=250&page=2",
            "per_page=250&page=3"
        ]
    );
    handle.shutdown().await;
}

#[tokio::test]
#[allow(
    clippy::print_stdout,
    reason = "the measured figure is the point of this test"
)]
async fn plan_listing_of_10000_articles_and_300_collections_costs_42_requests() {
    let dir = tempfile::tempdir().unwrap();
    let handle = sandbox(seeded(&dir, 10_000, 300)).await;
    let c = client(&handle);
    let started = Instant::now();
    let (articles, collections) =
        tokio::try_join!(c.list_articles(), c.list_collections()).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(articles.len(), 10_000);
    assert_eq!(collections.len(), 300);
    println!(
        "listing 10000 articles + 300 collections: {} requests (ceil(10000/250) + ceil(300/250) = 42) in {elapsed:?}",
        c.request_count()
    );
    assert_eq!(c.request_count(), 42);
    assert_eq!(handle.request_count(), 42);
    handle.shutdown().await;
}

#[tokio::test]
async fn write_round_trip_returns_what_the_server_stored() {
    let handle = sandbox(SandboxOptions::default()).await;
    let c = client(&handle);
    let me = c.me().await.unwrap();
    assert_eq!(me.id, ADMIN_ID.to_string());
    assert_eq!(c.list_help_centers().await.unwrap().len(), 1);
    let parent = c
        .create_collection(&CreateCollection {
            name: "Getting started".into(),
            ..CreateCollection::default()
        })
        .await
        .unwrap();
    let child = c
        .create_collection(&CreateCollection {
            name: "Install".into(),
            parent_id: Some(parent.id.clone()),
            ..CreateCollection::default()
        })
        .await
        .unwrap();
    assert_eq!(child.parent_id.as_deref(), Some(parent.id.as_str()));
    let renamed = c
        .update_collection(
            &child.id,
            &UpdateCollection {
                name: Some("Installing".into()),
                ..UpdateCollection::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "Installing");
    let created = c
        .create_article(&CreateArticle {
            parent_id: Some(parent.id.parse().unwrap()),
            parent_type: Some("collection".into()),
            ..new_article("Welcome")
        })
        .await
        .unwrap();
    assert_eq!(created.title, "Welcome");
    assert_eq!(created.parent_id.as_deref(), Some(parent.id.as_str()));
    let moved = c
        .update_article(
            &created.id,
            &UpdateArticle {
                parent_id: Some(child.id.clone()),
                title: Some("Welcome!".into()),
                ..UpdateArticle::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(moved.parent_id.as_deref(), Some(child.id.as_str()));
    assert_eq!(moved.title, "Welcome!");
    let fetched = c.get_article(&created.id).await.unwrap().unwrap();
    assert_eq!(fetched.title, "Welcome!");
    c.delete_article(&created.id).await.unwrap();
    assert_eq!(c.get_article(&created.id).await.unwrap(), None);
    let err = c.delete_article(&created.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    c.delete_collection(&child.id).await.unwrap();
    assert_eq!(c.get_collection(&child.id).await.unwrap(), None);
    assert_eq!(c.list_collections().await.unwrap().len(), 1);
    handle.shutdown().await;
}

/// Exact, not a range: the emulator's window opens at the first request after the previous
/// window ended (not at a wall-clock second), and the client resumes only after the announced
/// reset, which is rounded up to whole seconds, so every burst lands in a fresh window of 4. With
/// 8 requests in flight at once: 8 go blind (4 refused), the other 4 wait for the announced
/// reset (the answers leave no budget and each 429 pauses every sender); those 4 and the 4
/// retries go together (4 refused again); the last 4 retries fit the third window: 8 refusals,
/// 8 retries.
#[tokio::test]
async fn rate_limit_429_then_recovery() {
    // (attempt, status, retried) of every attempt.
    type Attempt = (u32, Option<u16>, bool);
    let handle = sandbox(SandboxOptions {
        rate_limit: Some(RateLimit {
            limit: 4,
            window: Duration::from_secs(2),
        }),
        ..SandboxOptions::default()
    })
    .await;
    let events: Arc<Mutex<Vec<Attempt>>> = Arc::default();
    let sink = events.clone();
    let c = Client::new(ClientConfig {
        on_request: Some(Arc::new(move |e: &RequestEvent| {
            sink.lock()
                .unwrap()
                .push((e.attempt, e.status, e.retry_in.is_some()));
        })),
        ..config(&handle)
    })
    .unwrap();
    assert_eq!(config(&handle).max_concurrency, 8);
    let calls: Vec<_> = (0..12)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.list_admins().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(count(&handle, "GET", 429), 8);
    assert_eq!(count(&handle, "GET", 200), 12);
    assert_eq!(handle.requests().len(), 20);
    let events = events.lock().unwrap().clone();
    let refused: Vec<_> = events.iter().filter(|e| e.1 == Some(429)).collect();
    assert_eq!(refused.len(), 8);
    assert!(
        refused.iter().all(|e| e.2),
        "every 429 is retried: {events:?}"
    );
    let retries = events.iter().filter(|e| e.0 > 1).count();
    assert_eq!(retries, 8, "{events:?}");
    let answered = events.iter().filter(|e| e.1 == Some(200) && !e.2).count();
    assert_eq!(answered, 12, "{events:?}");
    assert_eq!(events.len(), 20);
    handle.shutdown().await;
}

#[tokio::test]
async fn tasks_sharing_a_client_pace_instead_of_storming() {
    let handle = sandbox(SandboxOptions {
        rate_limit: Some(RateLimit {
            limit: 20,
            window: Duration::from_secs(2),
        }),
        ..SandboxOptions::default()
    })
    .await;
    let c = client(&handle);
    // Learn the window first, as a plan does before applying.
    c.list_admins().await.unwrap();
    let started = Instant::now();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move {
                for _ in 0..10 {
                    c.list_admins().await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let limited = count(&handle, "GET", 429);
    assert!(limited <= 1, "{limited} answers were 429");
    assert_eq!(count(&handle, "GET", 200), 41);
    // 41 requests at 20 per 2 s need at least two window changes.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn server_errors_are_retried_until_every_idempotent_call_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let handle = sandbox(seeded(&dir, 30, 5)).await;
    handle.set_faults(Faults {
        server_error_rate: 0.3,
        seed: 42,
        ..Faults::default()
    });
    let c = Client::new(ClientConfig {
        max_retries: 10,
        ..config(&handle)
    })
    .unwrap();
    for _ in 0..5 {
        assert_eq!(c.list_articles().await.unwrap().len(), 30);
        assert_eq!(c.list_collections().await.unwrap().len(), 5);
    }
    for i in 0..20u64 {
        let id = (7_000_001 + i).to_string();
        let a = c.get_article(&id).await.unwrap().unwrap();
        let updated = c
            .update_article(
                &a.id,
                &UpdateArticle {
                    title: Some(format!("Retitled {i}")),
                    ..UpdateArticle::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(updated.title, format!("Retitled {i}"));
    }
    for i in 20..30u64 {
        c.delete_article(&(7_000_001 + i).to_string())
            .await
            .unwrap();
    }
    let errors = handle.requests().iter().filter(|r| r.status >= 500).count();
    assert!(errors >= 5, "only {errors} server errors were injected");
    handle.set_faults(Faults::default());
    assert_eq!(c.list_articles().await.unwrap().len(), 20);
    handle.shutdown().await;
}

#[tokio::test]
async fn lost_post_is_outcome_unknown_and_the_object_exists() {
    let handle = sandbox(SandboxOptions::default()).await;
    let c = client(&handle);
    handle.set_faults(Faults {
        lost_response_rate: 1.0,
        ..Faults::default()
    });
    let err = c
        .create_article(&new_article("Lost in transit"))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert!(
        err.to_string()
            .starts_with("POST /articles: outcome unknown"),
        "{err}"
    );
    assert_eq!(c.request_count(), 1, "a POST is never re-sent");
    let err = c
        .create_collection(&CreateCollection {
            name: "Lost too".into(),
            ..CreateCollection::default()
        })
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    handle.set_faults(Faults::default());
    let titles: Vec<String> = c
        .list_articles()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect();
    assert_eq!(titles, ["Lost in transit"], "the write happened");
    let names: Vec<String> = c
        .list_collections()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Lost too"]);
    handle.shutdown().await;
}

#[tokio::test]
async fn lost_put_and_delete_are_retried_transparently() {
    let dir = tempfile::tempdir().unwrap();
    let handle = sandbox(seeded(&dir, 20, 0)).await;
    handle.set_faults(Faults {
        lost_response_rate: 0.5,
        seed: 7,
        ..Faults::default()
    });
    let c = Client::new(ClientConfig {
        max_retries: 12,
        ..config(&handle)
    })
    .unwrap();
    for i in 0..10u64 {
        let updated = c
            .update_article(
                &(7_000_001 + i).to_string(),
                &UpdateArticle {
                    body: Some(format!("<p>Updated {i}</p>")),
                    ..UpdateArticle::default()
                },
            )
            .await
            .unwrap();
        assert!(updated.body.unwrap().contains(&format!("Updated {i}")));
    }
    for i in 10..20u64 {
        // A lost DELETE is retried; the retry's 404 confirms the first attempt.
        c.delete_article(&(7_000_001 + i).to_string())
            .await
            .unwrap();
    }
    let lost: Vec<String> = handle
        .requests()
        .into_iter()
        .filter(|r| r.lost)
        .map(|r| r.method)
        .collect();
    assert!(
        lost.contains(&"PUT".to_owned()) && lost.contains(&"DELETE".to_owned()),
        "{lost:?}"
    );
    assert!(
        count(&handle, "DELETE", 404) >= 1,
        "no lost DELETE was confirmed by a 404"
    );
    handle.set_faults(Faults::default());
    let left = c.list_articles().await.unwrap();
    assert_eq!(left.len(), 10);
    assert!(
        left.iter()
            .all(|a| a.body.as_deref().unwrap_or("").contains("Updated"))
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn unauthorized_names_status_code_and_message_but_not_the_token() {
    let handle = sandbox(SandboxOptions {
        token: Some("the-right-token".into()),
        ..SandboxOptions::default()
    })
    .await;
    let err = client(&handle).me().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "GET /me: 401 unauthorized: Access Token Invalid"
    );
    match &err.kind {
        ErrorKind::Api {
            status,
            code,
            request_id,
            ..
        } => {
            assert_eq!(*status, 401);
            assert_eq!(code.as_deref(), Some("unauthorized"));
            assert!(request_id.is_some());
        }
        other => panic!("expected an API error, got {other}"),
    }
    assert!(!format!("{err:?}").contains(CANARY));
    handle.shutdown().await;
}

#[tokio::test]
async fn the_token_is_in_no_error_and_no_event() {
    let handle = sandbox(SandboxOptions {
        token: Some(CANARY.into()),
        ..SandboxOptions::default()
    })
    .await;
    let (c, log) = observed(ClientConfig {
        max_retries: 1,
        ..config(&handle)
    });
    let mut errors = Vec::new();
    // Api: 400 and 404.
    errors.push(
        c.create_article(&CreateArticle::default())
            .await
            .unwrap_err(),
    );
    errors.push(c.delete_collection("999").await.unwrap_err());
    // Config: a bad id, a bad base URL.
    errors.push(c.get_article("not-digits").await.unwrap_err());
    errors.push(
        Client::new(ClientConfig::new("http://example.com", Token::new(CANARY))).unwrap_err(),
    );
    // OutcomeUnknown: a lost create.
    handle.set_faults(Faults {
        lost_response_rate: 1.0,
        ..Faults::default()
    });
    errors.push(c.create_article(&new_article("x")).await.unwrap_err());
    // Api after retries: 5xx on every attempt.
    handle.set_faults(Faults {
        server_error_rate: 1.0,
        ..Faults::default()
    });
    errors.push(c.list_articles().await.unwrap_err());
    // Timeout: latency beyond the attempt timeout.
    handle.set_faults(Faults {
        latency: Duration::from_millis(400),
        ..Faults::default()
    });
    let (slow, slow_log) = observed(ClientConfig {
        timeout: Duration::from_millis(100),
        max_retries: 1,
        ..config(&handle)
    });
    errors.push(slow.list_admins().await.unwrap_err());
    handle.set_faults(Faults::default());
    // Network: nothing listens any more.
    let base = handle.base_url();
    handle.shutdown().await;
    let (gone, gone_log) = observed(ClientConfig {
        max_retries: 1,
        ..ClientConfig::new(base, Token::new(CANARY))
    });
    errors.push(gone.me().await.unwrap_err());

    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e.kind {
            ErrorKind::Api { .. } => "api",
            ErrorKind::Network(_) => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::OutcomeUnknown(_) => "unknown",
            ErrorKind::Decode(_) => "decode",
            ErrorKind::Config(_) => "config",
        })
        .collect();
    for kind in ["api", "network", "timeout", "unknown", "config"] {
        assert!(kinds.contains(&kind), "{kind} not triggered: {kinds:?}");
    }
    for e in &errors {
        assert!(!e.to_string().contains(CANARY), "{e}");
        assert!(!format!("{e:?}").contains(CANARY), "{e:?}");
    }
    let mut lines = log.lock().unwrap().clone();
    lines.extend(slow_log.lock().unwrap().iter().cloned());
    lines.extend(gone_log.lock().unwrap().iter().cloned());
    assert!(lines.len() >= 8, "{lines:#?}");
    for line in &lines {
        assert!(!line.contains(CANARY), "{line}");
    }
}

/// Runs `total` updates from 8 tasks against an emulator with 50 ms latency and `limit`;
/// returns requests per second and the number of 429 answers.
async fn updates_per_second(limit: Option<RateLimit>, total: usize) -> (f64, usize) {
    let dir = tempfile::tempdir().unwrap();
    let handle = sandbox(SandboxOptions {
        rate_limit: limit,
        faults: Faults {
            latency: Duration::from_millis(50),
            ..Faults::default()
        },
        ..seeded(&dir, 50, 0)
    })
    .await;
    let c = client(&handle);
    let started = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|worker| {
            let c = c.clone();
            tokio::spawn(async move {
                for n in (worker..total).step_by(8) {
                    let id = (7_000_001 + n % 50).to_string();
                    c.update_article(
                        &id,
                        &UpdateArticle {
                            title: Some(format!("T{n}")),
                            ..UpdateArticle::default()
                        },
                    )
                    .await
                    .unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let rate = f64::from(u32::try_from(total).unwrap()) / started.elapsed().as_secs_f64();
    assert_eq!(c.request_count(), u64::try_from(total).unwrap());
    let limited = count(&handle, "PUT", 429);
    handle.shutdown().await;
    (rate, limited)
}

/// The apply target of `PRODUCT.md`: concurrency 8, 50 ms latency, 1,667 requests per 10 s
/// → at least 85 % of min(8 / 50 ms, 166.7/s) = 136 requests/s, without a 429 storm.
///
/// The figures depend on the machine (a debug build on a loaded machine spends milliseconds
/// of CPU per request), so they are printed and measured by the benches; what is asserted is
/// what the client controls whatever the machine: every request goes through exactly once and
/// none is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(
    clippy::print_stdout,
    reason = "the measured figure is the point of this test"
)]
async fn throughput_under_latency_and_rate_limit() {
    let total = 400;
    let (free, _) = updates_per_second(None, total).await;
    let (paced, limited) = updates_per_second(
        Some(RateLimit {
            limit: 1667,
            window: Duration::from_secs(10),
        }),
        total,
    )
    .await;
    let ideal = (8.0 / 0.050_f64).min(1667.0 / 10.0);
    println!(
        "{total} updates, concurrency 8, 50 ms latency: {paced:.1} req/s under 1667/10 s \
         ({:.0} % of the ideal {ideal:.0} req/s), {free:.1} req/s without a limit, {limited} 429s",
        100.0 * paced / ideal
    );
    // Throughput is a wall-clock figure: `cargo bench --bench apply` and `--bench scale`
    // measure it against its target; this test pins what does not depend on the machine.
    assert_eq!(limited, 0, "no 429 at this rate");
}

fn article_translations() -> BTreeMap<String, ArticleContentRequest> {
    let mut map = BTreeMap::new();
    map.insert(
        "fr".to_owned(),
        ArticleContentRequest {
            kind: "article_content",
            title: Some("Bonjour".into()),
            description: Some("Description".into()),
            body: Some("<p>Corps</p>".into()),
            author_id: Some(ADMIN_ID),
            state: Some("published".into()),
        },
    );
    map.insert(
        "pt-BR".to_owned(),
        ArticleContentRequest {
            kind: "article_content",
            state: Some("draft".into()),
            ..ArticleContentRequest::default()
        },
    );
    map
}

fn group_translations() -> BTreeMap<String, GroupContentRequest> {
    let mut map = BTreeMap::new();
    map.insert(
        "de".to_owned(),
        GroupContentRequest {
            kind: "group_content",
            name: Some("Erste Schritte".into()),
            description: Some(String::new()),
        },
    );
    map
}

/// Every request body the client can send, minimal and fully populated, is valid against the
/// 2.12 request schemas.
#[test]
fn request_bodies_match_the_openapi_request_schemas() {
    let bodies: Vec<(&str, Value)> = vec![
        ("create_article_request", json!(new_article("Minimal"))),
        (
            "create_article_request",
            json!(CreateArticle {
                title: "Full".into(),
                description: Some("d".into()),
                body: Some("<p>b</p>".into()),
                author_id: ADMIN_ID,
                state: Some("draft".into()),
                parent_id: Some(3_000_001),
                parent_type: Some("collection".into()),
                translated_content: article_translations(),
            }),
        ),
        ("update_article_request", json!(UpdateArticle::default())),
        (
            "update_article_request",
            json!(UpdateArticle {
                title: Some("t".into()),
                description: Some(String::new()),
                body: Some("<p>b</p>".into()),
                author_id: Some(ADMIN_ID),
                state: Some("published".into()),
                parent_id: Some("3000001".into()),
                parent_type: Some("collection".into()),
                translated_content: article_translations(),
            }),
        ),
        (
            "create_collection_request",
            json!(CreateCollection {
                name: "Minimal".into(),
                ..CreateCollection::default()
            }),
        ),
        (
            "create_collection_request",
            json!(CreateCollection {
                name: "Full".into(),
                description: Some("d".into()),
                parent_id: Some("3000001".into()),
                help_center_id: Some(1),
                translated_content: group_translations(),
            }),
        ),
        (
            "update_collection_request",
            json!(UpdateCollection::default()),
        ),
        (
            "update_collection_request",
            json!(UpdateCollection {
                name: Some("n".into()),
                description: Some("d".into()),
                parent_id: Some("3000001".into()),
                translated_content: group_translations(),
            }),
        ),
    ];
    for (schema, body) in &bodies {
        assert_valid(&openapi_schema(schema), body, schema);
    }
    // The check has teeth: the types the API rejects are caught.
    let create = jsonschema::validator_for(&openapi_schema("create_article_request")).unwrap();
    let mut wrong = bodies[1].1.clone();
    wrong["parent_id"] = json!("3000001");
    assert!(
        !create.is_valid(&wrong),
        "parent_id must be an integer on create"
    );
    let mut wrong = bodies[1].1.clone();
    wrong["author_id"] = json!("991266200");
    assert!(!create.is_valid(&wrong), "author_id must be an integer");
    let update = jsonschema::validator_for(&openapi_schema("update_article_request")).unwrap();
    let mut wrong = bodies[3].1.clone();
    wrong["parent_id"] = json!(3_000_001);
    assert!(
        !update.is_valid(&wrong),
        "parent_id must be a string on update"
    );
}
