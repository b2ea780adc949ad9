//! Client behaviour over real HTTP against a scripted peer on `127.0.0.1:0`.
//!
//! The peer is a few lines of raw HTTP/1.1 so that it can do what a framework would not:
//! read a request and close the connection without answering (a lost response), or hang.
//! The full emulator tests live in `tests/it/remote.rs`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::*;
use crate::remote::config::Token;
use crate::remote::models::{ArticleContentRequest, GroupContentRequest};

/// A request as the peer saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// What the peer does with a request.
enum Answer {
    Json(u16, Value),
    Full {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// Close the connection without answering.
    Drop,
    /// Wait, then answer.
    After(Duration, Box<Answer>),
}

type Script = dyn Fn(&Seen, usize) -> Answer + Send + Sync;

struct Peer {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    in_flight: Arc<Mutex<(usize, usize)>>,
}

impl Peer {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn max_in_flight(&self) -> usize {
        self.in_flight.lock().unwrap().1
    }
}

async fn peer(script: impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let in_flight = Arc::new(Mutex::new((0, 0)));
    let script: Arc<Script> = Arc::new(script);
    let (seen2, in_flight2) = (seen.clone(), in_flight.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (script, seen, in_flight) = (script.clone(), seen2.clone(), in_flight2.clone());
            tokio::spawn(connection(stream, script, seen, in_flight));
        }
    });
    Peer {
        base,
        seen,
        in_flight,
    }
}

async fn connection(
    stream: TcpStream,
    script: Arc<Script>,
    seen: Arc<Mutex<Vec<Seen>>>,
    in_flight: Arc<Mutex<(usize, usize)>>,
) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).await.unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':').unwrap();
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0; len];
        reader.read_exact(&mut body).await.unwrap();
        let request = Seen {
            method,
            path,
            headers,
            body: String::from_utf8(body).unwrap(),
        };
        let index = {
            let mut seen = seen.lock().unwrap();
            seen.push(request.clone());
            seen.len() - 1
        };
        {
            let mut f = in_flight.lock().unwrap();
            f.0 += 1;
            f.1 = f.1.max(f.0);
        }
        let mut answer = script(&request, index);
        while let Answer::After(delay, next) = answer {
            tokio::time::sleep(delay).await;
            answer = *next;
        }
        in_flight.lock().unwrap().0 -= 1;
        let (status, extra, body) = match answer {
            Answer::Json(status, value) => (status, Vec::new(), value.to_string()),
            Answer::Full {
                status,
                headers,
                body,
            } => (status, headers, body),
            Answer::Drop => return,
            Answer::After(..) => unreachable!(),
        };
        let mut out = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        );
        for (k, v) in extra {
            out.push_str(k);
            out.push_str(": ");
            out.push_str(&v);
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
        out.push_str(&body);
        if reader.get_mut().write_all(out.as_bytes()).await.is_err() {
            return;
        }
    }
}

const CANARY: &str = "tok_CANARY_5f2e91d0c7";

fn config(base: &str) -> ClientConfig {
    let mut c = ClientConfig::new(base, Token::new(CANARY));
    c.backoff_base = Duration::from_millis(5);
    c.backoff_max = Duration::from_millis(20);
    c.timeout = Duration::from_secs(5);
    c
}

fn client(base: &str) -> Client {
    Client::new(config(base)).unwrap()
}

/// A client whose observer collects every event as text.
fn logged_client(
    base: &str,
    tweak: impl FnOnce(&mut ClientConfig),
) -> (Client, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut c = config(base);
    let sink = log.clone();
    c.on_request = Some(Arc::new(move |e: &RequestEvent| {
        sink.lock().unwrap().push(format!("{e:?}"));
    }));
    tweak(&mut c);
    (Client::new(c).unwrap(), log)
}

fn article_json(id: u64) -> Value {
    json!({"id": id.to_string(), "type": "article", "title": format!("A{id}"), "body": "",
           "author_id": 1, "state": "draft", "parent_id": null, "updated_at": 1_700_000_000 + id})
}

fn not_found() -> Answer {
    Answer::Json(
        404,
        json!({"type":"error.list","request_id":"r1","errors":[{"code":"not_found","message":"Resource Not Found"}]}),
    )
}

fn server_error() -> Answer {
    Answer::Json(
        500,
        json!({"type":"error.list","errors":[{"code":"server_error","message":"Server error"}]}),
    )
}

#[tokio::test]
async fn create_sends_headers_and_typed_body() {
    let p = peer(|_, _| {
        Answer::Json(
            200,
            json!({"id":"4","type":"article","title":"T","body":"<p class=\"no-margin\">B</p>","author_id":991_266_252,"state":"published","parent_id":3,"parent_type":"collection"}),
        )
    })
    .await;
    let c = client(&p.base);
    let mut translated = std::collections::BTreeMap::new();
    translated.insert(
        "fr".to_owned(),
        ArticleContentRequest {
            kind: "article_content",
            title: Some("T fr".into()),
            author_id: Some(991_266_252),
            ..ArticleContentRequest::default()
        },
    );
    let req = CreateArticle {
        title: "T".into(),
        body: Some("B".into()),
        author_id: 991_266_252,
        state: Some("published".into()),
        parent_id: Some(3),
        parent_type: Some("collection".into()),
        translated_content: translated,
        ..CreateArticle::default()
    };
    let created = c.create_article(&req).await.unwrap();
    assert_eq!(created.id, "4");
    assert_eq!(created.parent_id.as_deref(), Some("3"));
    let seen = p.seen();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/articles"));
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {CANARY}").as_str())
    );
    assert_eq!(r.header("intercom-version"), Some("2.12"));
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.header("user-agent").unwrap().starts_with("helpcenter/"));
    assert_eq!(
        r.json(),
        json!({"title":"T","body":"B","author_id":991_266_252,"state":"published","parent_id":3,
               "parent_type":"collection",
               "translated_content":{"type":"article_translated_content",
                  "fr":{"type":"article_content","title":"T fr","author_id":991_266_252}}})
    );
    assert_eq!(c.request_count(), 1);
}

#[tokio::test]
async fn update_and_collection_bodies_use_the_documented_types() {
    let p = peer(|r, _| {
        if r.path.starts_with("/articles") {
            Answer::Json(200, article_json(7))
        } else {
            Answer::Json(
                200,
                json!({"id":"9","name":"N","parent_id":"5","help_center_id":2}),
            )
        }
    })
    .await;
    let c = client(&p.base);
    let upd = UpdateArticle {
        title: Some("New".into()),
        parent_id: Some("18".into()),
        ..UpdateArticle::default()
    };
    c.update_article("7", &upd).await.unwrap();
    let mut translated = std::collections::BTreeMap::new();
    translated.insert(
        "de".to_owned(),
        GroupContentRequest {
            kind: "group_content",
            name: Some("N de".into()),
            description: None,
        },
    );
    let created = c
        .create_collection(&CreateCollection {
            name: "N".into(),
            parent_id: Some("5".into()),
            help_center_id: Some(2),
            translated_content: translated,
            ..CreateCollection::default()
        })
        .await
        .unwrap();
    assert_eq!(created.help_center_id.as_deref(), Some("2"));
    c.update_collection(
        "9",
        &UpdateCollection {
            description: Some(String::new()),
            ..UpdateCollection::default()
        },
    )
    .await
    .unwrap();
    let seen = p.seen();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("PUT", "/articles/7")
    );
    assert_eq!(seen[0].json(), json!({"title":"New","parent_id":"18"}));
    assert_eq!(
        (seen[1].method.as_str(), seen[1].path.as_str()),
        ("POST", "/help_center/collections")
    );
    assert_eq!(
        seen[1].json(),
        json!({"name":"N","parent_id":"5","help_center_id":2,
               "translated_content":{"type":"group_translated_content","de":{"type":"group_content","name":"N de"}}})
    );
    assert_eq!(
        (seen[2].method.as_str(), seen[2].path.as_str()),
        ("PUT", "/help_center/collections/9")
    );
    assert_eq!(seen[2].json(), json!({"description":""}));
}

/// Serves `count` articles in pages of `per_page`, with numbers as strings.
fn paged(count: u64, r: &Seen, with_total: bool) -> Answer {
    let url = url::Url::parse(&format!("http://x{}", r.path)).unwrap();
    let q = |k: &str| {
        url.query_pairs()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.parse::<u64>().unwrap())
    };
    let per_page = q("per_page").unwrap_or(25);
    let page = q("page").unwrap_or(1);
    let total_pages = count.div_ceil(per_page).max(1);
    let data: Vec<Value> = ((page - 1) * per_page..(page * per_page).min(count))
        .map(article_json)
        .collect();
    let mut pages = json!({"type":"pages","page":page.to_string(),"per_page":per_page.to_string()});
    if with_total {
        pages["total_pages"] = json!(total_pages.to_string());
    }
    if page < total_pages {
        pages["next"] = json!(format!(
            "https://api.intercom.io/articles?per_page={per_page}&page={}",
            page + 1
        ));
    }
    Answer::Json(
        200,
        json!({"type":"list","pages":pages,"total_count":count,"data":data}),
    )
}

#[tokio::test]
async fn list_articles_fetches_exactly_the_pages_needed() {
    for (count, with_total, want) in [
        (600, true, 3),
        (600, false, 3),
        (500, true, 2),
        (0, true, 1),
        (1, false, 1),
    ] {
        let p = peer(move |r, _| paged(count, r, with_total)).await;
        let c = client(&p.base);
        let articles = c.list_articles().await.unwrap();
        assert_eq!(articles.len() as u64, count);
        assert_eq!(
            c.request_count(),
            want,
            "{count} articles, total_pages: {with_total}"
        );
        let paths: Vec<String> = p.seen().into_iter().map(|s| s.path).collect();
        let expected: Vec<String> = (1..=want)
            .map(|n| format!("/articles?per_page=250&page={n}"))
            .collect();
        assert_eq!(paths, expected);
    }
}

#[tokio::test]
async fn listing_dedupes_items_shifted_across_pages() {
    let p = peer(|r, _| {
        let page1 = r.path.ends_with("page=1");
        let data = if page1 {
            vec![article_json(1), article_json(2)]
        } else {
            vec![article_json(2), article_json(3)]
        };
        Answer::Json(
            200,
            json!({"type":"list","pages":{"page": if page1 {1} else {2},"total_pages":2},"data":data}),
        )
    })
    .await;
    let ids: Vec<String> = client(&p.base)
        .list_articles()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, ["1", "2", "3"]);
}

#[tokio::test]
async fn listing_refuses_a_server_that_ignores_the_page() {
    let p = peer(|_, _| {
        Answer::Json(
            200,
            json!({"type":"list","pages":{"page":1,"total_pages":9},"data":[article_json(1)]}),
        )
    })
    .await;
    let err = client(&p.base).list_collections().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "GET /help_center/collections?per_page=250&page=2: unexpected response: \
         asked for page 2, the server sent page 1"
    );
}

#[tokio::test]
async fn bad_items_name_their_position() {
    let p = peer(|_, _| {
        Answer::Json(
            200,
            json!({"type":"list","data":[article_json(1), {"title":"no id"}]}),
        )
    })
    .await;
    let err = client(&p.base).list_articles().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "GET /articles?per_page=250&page=1: unexpected response: item 1 of `data`: missing field `id`"
    );
}

#[tokio::test]
async fn admins_me_and_help_centers() {
    let p = peer(|r, _| match r.path.as_str() {
        "/me" => Answer::Json(200, json!({"type":"admin","id":"991266214","email":"admin1@email.com","name":"C","app":{"type":"app"}})),
        "/admins" => Answer::Json(200, json!({"type":"admin.list","admins":[{"type":"admin","id":"1","email":"a@x.io"},{"type":"admin","id":2,"email":"b@x.io"}]})),
        _ => Answer::Json(200, json!({"type":"list","data":[{"id":"31","identifier":"help-center-1","display_name":"HC","url":"https://help.x.io"}]})),
    })
    .await;
    let c = client(&p.base);
    assert_eq!(c.me().await.unwrap().id, "991266214");
    let admins = c.list_admins().await.unwrap();
    assert_eq!(
        admins.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["1", "2"]
    );
    let hcs = c.list_help_centers().await.unwrap();
    assert_eq!(hcs[0].identifier, "help-center-1");
    assert_eq!(c.request_count(), 3);
    assert_eq!(
        p.seen()[2].path,
        "/help_center/help_centers?per_page=250&page=1"
    );
}

#[tokio::test]
async fn get_404_is_none_and_bad_ids_send_nothing() {
    let p = peer(|_, _| not_found()).await;
    let c = client(&p.base);
    assert_eq!(c.get_article("12").await.unwrap(), None);
    assert_eq!(c.get_collection("13").await.unwrap(), None);
    assert_eq!(c.request_count(), 2);
    for bad in ["", "12a", "../admins", "1 2", "-1", "１２"] {
        let err = c.get_article(bad).await.unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Config(_)), "{bad}: {err}");
        assert!(c.delete_collection(bad).await.is_err());
        assert!(
            c.update_article(bad, &UpdateArticle::default())
                .await
                .is_err()
        );
    }
    assert_eq!(
        c.get_article("12a").await.unwrap_err().to_string(),
        "GET /articles/12a: invalid article id `12a`: Intercom ids are digits"
    );
    assert_eq!(c.request_count(), 2, "no request for an invalid id");
}

#[tokio::test]
async fn idempotent_calls_retry_server_errors_and_lost_responses() {
    // GET: 500, lost, ok. PUT: lost, ok.
    let p = peer(|_, i| match i {
        0 => server_error(),
        1 | 3 => Answer::Drop,
        _ => Answer::Json(200, article_json(5)),
    })
    .await;
    let (c, log) = logged_client(&p.base, |_| {});
    assert_eq!(c.get_article("5").await.unwrap().unwrap().id, "5");
    assert_eq!(c.request_count(), 3);
    let updated = c
        .update_article("5", &UpdateArticle::default())
        .await
        .unwrap();
    assert_eq!(updated.id, "5");
    assert_eq!(c.request_count(), 5);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 5);
    assert!(
        log[0].contains("attempt: 1") && log[0].contains("status: Some(500)"),
        "{}",
        log[0]
    );
    assert!(log[0].contains("retry_in: Some("), "{}", log[0]);
    assert!(
        log[1].contains("attempt: 2") && log[1].contains("status: None"),
        "{}",
        log[1]
    );
    assert!(
        log[2].contains("attempt: 3") && log[2].contains("retry_in: None"),
        "{}",
        log[2]
    );
}

#[tokio::test]
async fn retries_stop_at_max_retries() {
    let p = peer(|_, _| server_error()).await;
    let (c, _) = logged_client(&p.base, |c| c.max_retries = 2);
    let err = c.list_admins().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "GET /admins: 500 server_error: Server error"
    );
    assert_eq!(c.request_count(), 3);
}

#[tokio::test]
async fn post_is_never_resent_after_a_lost_response() {
    let p = peer(|_, _| Answer::Drop).await;
    let c = client(&p.base);
    let err = c
        .create_article(&CreateArticle {
            title: "T".into(),
            author_id: 1,
            ..CreateArticle::default()
        })
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert!(
        err.to_string()
            .starts_with("POST /articles: outcome unknown"),
        "{err}"
    );
    assert_eq!(c.request_count(), 1);
    assert_eq!(p.seen().len(), 1);
}

#[tokio::test]
async fn post_server_error_is_reported_not_retried() {
    let p = peer(|_, i| {
        if i == 0 {
            server_error()
        } else {
            Answer::Json(504, json!({}))
        }
    })
    .await;
    let c = client(&p.base);
    let req = CreateCollection {
        name: "N".into(),
        ..CreateCollection::default()
    };
    let err = c.create_collection(&req).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert!(!err.is_outcome_unknown());
    let err = c.create_collection(&req).await.unwrap_err();
    assert!(
        err.is_outcome_unknown(),
        "a gateway timeout may hide a write: {err}"
    );
    assert_eq!(c.request_count(), 2);
}

#[tokio::test]
async fn post_with_unreadable_success_body_is_outcome_unknown() {
    let p = peer(|_, _| Answer::Json(200, json!({"unexpected": true}))).await;
    let err = client(&p.base)
        .create_article(&CreateArticle::default())
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
}

#[tokio::test]
async fn delete_confirmed_by_404_after_a_lost_response() {
    let p = peer(|_, i| if i == 0 { Answer::Drop } else { not_found() }).await;
    let c = client(&p.base);
    c.delete_article("13").await.unwrap();
    assert_eq!(c.request_count(), 2);
    // Without a lost response first, 404 is an error the caller sees.
    let err = c.delete_article("14").await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(
        err.to_string(),
        "DELETE /articles/14: 404 not_found: Resource Not Found"
    );
}

#[tokio::test]
async fn delete_checks_the_confirmation() {
    let p = peer(|r, _| {
        if r.path.ends_with("/1") {
            Answer::Json(200, json!({"id":"1","object":"article","deleted":true}))
        } else {
            Answer::Json(200, json!({"id":"2","object":"collection","deleted":false}))
        }
    })
    .await;
    let c = client(&p.base);
    c.delete_article("1").await.unwrap();
    let err = c.delete_collection("2").await.unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Decode(_)), "{err}");
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn rate_limited_calls_wait_then_succeed_for_every_method() {
    let p = peer(|r, i| {
        if i % 2 == 0 {
            Answer::Full {
                status: 429,
                headers: vec![
                    ("X-RateLimit-Limit", "10".into()),
                    ("X-RateLimit-Remaining", "0".into()),
                    ("X-RateLimit-Reset", unix_now().to_string()),
                    ("Retry-After", "1".into()),
                ],
                body: json!({"type":"error.list","errors":[{"code":"rate_limit_exceeded","message":"Exceeded rate limit of 10 in 10_seconds"}]}).to_string(),
            }
        } else if r.method == "DELETE" {
            Answer::Json(200, json!({"id":"1","object":"article","deleted":true}))
        } else {
            Answer::Json(200, article_json(1))
        }
    })
    .await;
    let c = client(&p.base);
    let start = Instant::now();
    c.create_article(&CreateArticle::default()).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        start.elapsed()
    );
    c.get_article("1").await.unwrap();
    c.delete_article("1").await.unwrap();
    assert_eq!(c.request_count(), 6);
    let methods: Vec<String> = p.seen().into_iter().map(|s| s.method).collect();
    assert_eq!(methods, ["POST", "POST", "GET", "GET", "DELETE", "DELETE"]);
}

#[tokio::test]
async fn a_429_pauses_the_other_tasks_too() {
    let p = peer(|_, i| {
        if i == 0 {
            Answer::Full {
                status: 429,
                headers: vec![("Retry-After", "1".into())],
                body: String::new(),
            }
        } else {
            Answer::Json(200, json!({"admins":[]}))
        }
    })
    .await;
    let (c, _) = logged_client(&p.base, |c| c.max_concurrency = 1);
    let first = c.list_admins();
    let start = Instant::now();
    let (a, b) = tokio::join!(first, async {
        // Let the first call get its 429 before starting.
        tokio::time::sleep(Duration::from_millis(100)).await;
        c.me().await
    });
    a.unwrap();
    assert!(b.is_err(), "`/me` answered `admins` and cannot be decoded");
    assert!(start.elapsed() >= Duration::from_secs(1));
    assert_eq!(c.request_count(), 3);
}

#[tokio::test]
async fn timeouts_retry_idempotent_calls_and_leave_posts_unknown() {
    let p = peer(|_, _| {
        Answer::After(
            Duration::from_millis(500),
            Box::new(Answer::Json(200, json!({}))),
        )
    })
    .await;
    let (c, _) = logged_client(&p.base, |c| {
        c.timeout = Duration::from_millis(100);
        c.max_retries = 1;
    });
    let err = c.list_admins().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert_eq!(err.to_string(), "GET /admins: timed out");
    assert_eq!(c.request_count(), 2);
    let err = c
        .create_article(&CreateArticle::default())
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(c.request_count(), 3);
}

#[tokio::test]
async fn connection_refused_is_a_network_error_after_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let (c, _) = logged_client(&base, |c| c.max_retries = 2);
    let err = c.list_articles().await.unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Network(_)), "{err}");
    assert!(err.to_string().contains("could not connect"), "{err}");
    assert!(
        !err.to_string().contains("http://"),
        "no URL in the message: {err}"
    );
    assert_eq!(c.request_count(), 3);
    // A POST that never left can be tried again safely, and is.
    let err = c
        .create_article(&CreateArticle::default())
        .await
        .unwrap_err();
    assert!(!err.is_outcome_unknown(), "{err}");
    assert_eq!(c.request_count(), 6);
}

#[tokio::test]
async fn concurrency_is_bounded_across_clones() {
    let p = peer(|_, _| {
        Answer::After(
            Duration::from_millis(30),
            Box::new(Answer::Json(200, json!({"admins":[]}))),
        )
    })
    .await;
    let (c, _) = logged_client(&p.base, |c| c.max_concurrency = 3);
    let calls: Vec<_> = (0..12)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.list_admins().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(c.request_count(), 12);
    assert_eq!(p.max_in_flight(), 3);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let p = peer(|_, _| Answer::Full {
        status: 302,
        headers: vec![("Location", "http://127.0.0.2:9/steal".into())],
        body: String::new(),
    })
    .await;
    let c = client(&p.base);
    let err = c.list_admins().await.unwrap_err();
    assert_eq!(err.to_string(), "GET /admins: 302 Found");
    assert_eq!(p.seen().len(), 1);
}

#[tokio::test]
async fn unauthorized_shows_status_code_and_message() {
    let p = peer(|_, _| {
        Answer::Json(
            401,
            json!({"type":"error.list","request_id":"abc","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}),
        )
    })
    .await;
    let err = client(&p.base).me().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "GET /me: 401 unauthorized: Access Token Invalid"
    );
}

#[test]
fn new_refuses_bad_configs_without_echoing_the_token() {
    let cases = [
        ClientConfig::new("http://api.intercom.io", Token::new(CANARY)),
        ClientConfig::new("ftp://127.0.0.1", Token::new(CANARY)),
        ClientConfig::new("https://api.intercom.io", Token::new("  ")),
        ClientConfig::new(
            "https://api.intercom.io",
            Token::new(format!("{CANARY}\nX-Evil: 1")),
        ),
        ClientConfig {
            max_concurrency: 0,
            ..ClientConfig::new("https://api.intercom.io", Token::new(CANARY))
        },
    ];
    for config in cases {
        let err = Client::new(config).unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Config(_)));
        assert!(!err.to_string().contains(CANARY) && !format!("{err:?}").contains(CANARY));
    }
    let ok = Client::new(ClientConfig::new(
        "https://api.intercom.io/",
        Token::new(CANARY),
    ))
    .unwrap();
    assert_eq!(ok.base_url(), "https://api.intercom.io");
    assert!(!format!("{ok:?}").contains(CANARY));
}

/// Triggers every error kind and checks the token is in no message and no log line.
#[tokio::test]
async fn the_token_appears_in_no_error_and_no_event() {
    let p = peer(|r, _| match r.path.as_str() {
        "/me" => Answer::Json(401, json!({"errors":[{"code":"unauthorized","message":"Access Token Invalid"}]})),
        "/admins" => Answer::After(Duration::from_millis(300), Box::new(Answer::Json(200, json!({})))),
        "/articles" => Answer::Drop,
        p if p.starts_with("/articles?") => Answer::Json(200, json!({"data": "not a list"})),
        _ => Answer::Json(400, json!({"errors":[{"code":"parameter_not_found","message":"Name is a required parameter."}]})),
    })
    .await;
    let (c, log) = logged_client(&p.base, |c| {
        c.max_retries = 1;
        c.timeout = Duration::from_millis(100);
    });
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", l.local_addr().unwrap());
        drop(l);
        let (c2, log2) = logged_client(&base, |c| c.max_retries = 0);
        let e = c2.list_admins().await.unwrap_err();
        (e, log2)
    };
    let mut errors = vec![
        c.me().await.unwrap_err(),
        c.list_admins().await.unwrap_err(),
        c.create_article(&CreateArticle::default())
            .await
            .unwrap_err(),
        c.list_articles().await.unwrap_err(),
        c.create_collection(&CreateCollection::default())
            .await
            .unwrap_err(),
        c.get_article("x").await.unwrap_err(),
        refused.0,
    ];
    errors.push(
        Client::new(ClientConfig::new("http://example.com", Token::new(CANARY))).unwrap_err(),
    );
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
    for kind in ["api", "network", "timeout", "unknown", "decode", "config"] {
        assert!(kinds.contains(&kind), "{kind} not triggered: {kinds:?}");
    }
    for e in &errors {
        assert!(!e.to_string().contains(CANARY), "{e}");
        assert!(!format!("{e:?}").contains(CANARY), "{e:?}");
    }
    let mut lines = log.lock().unwrap().clone();
    lines.extend(refused.1.lock().unwrap().iter().cloned());
    // Config errors send nothing; every other error left at least one event.
    assert!(lines.len() >= errors.len() - 2, "{lines:#?}");
    for line in &lines {
        assert!(!line.contains(CANARY), "{line}");
    }
}

#[test]
fn object_paths_accept_only_digit_ids() {
    let get = &Method::GET;
    assert_eq!(
        object_path(get, "/articles", "article", "7").unwrap(),
        "/articles/7"
    );
    assert_eq!(
        object_path(
            get,
            "/help_center/collections",
            "collection",
            "12345678901234567890"
        )
        .unwrap(),
        "/help_center/collections/12345678901234567890"
    );
    for bad in [
        "",
        "123456789012345678901",
        "7/",
        "7?x=1",
        "%37",
        "0x1f",
        " 7",
    ] {
        let err = object_path(get, "/articles", "article", bad).unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Config(_)), "{bad}");
    }
    let err = object_path(
        &Method::DELETE,
        "/help_center/collections",
        "collection",
        "a",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "DELETE /help_center/collections/a: invalid collection id `a`: Intercom ids are digits"
    );
}
