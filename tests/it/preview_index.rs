//! Scale, `helpcenter preview`'s in-memory index: the real binary on `--port 0` over
//! example-content in a temp dir. Pages come from the index, which file-system notifications
//! refresh; `/_preview/events` streams those refreshes for live reload.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::support::{bin, copy_tree, repo, write};

/// Longest wait for an event that must come (a failure bound, not a measurement).
const EVENT_BOUND: Duration = Duration::from_secs(60);

struct Preview {
    child: Child,
    url: String,
}

impl Preview {
    fn start(dir: &Path) -> Self {
        let mut child = bin()
            .arg("--dir")
            .arg(dir)
            .args(["preview", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("binary starts");
        let url = crate::support::first_line_url(&mut child, "preview ");
        Self { child, url }
    }

    fn get(&self, path: &str) -> (u16, String) {
        runtime().block_on(async {
            let resp = reqwest::get(format!("{}{path}", self.url))
                .await
                .expect("request");
            (resp.status().as_u16(), resp.text().await.unwrap())
        })
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn example() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("example-content"), tmp.path());
    let _ = std::fs::remove_dir_all(tmp.path().join(".helpcenter"));
    tmp
}

/// An open `/_preview/events` stream, read event by event.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(preview: &Preview) -> Self {
        let response = reqwest::get(format!("{}/_preview/events", preview.url))
            .await
            .expect("events request");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        let mut events = Self {
            response,
            buffer: String::new(),
        };
        let (name, _) = events.next().await;
        assert_eq!(name, "ready");
        events
    }

    /// The next event: (name, data). Comments (keep-alives) are skipped.
    async fn next(&mut self) -> (String, String) {
        let read = async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let mut name = String::from("message");
                    let mut data = String::new();
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("event:") {
                            v.trim().clone_into(&mut name);
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push_str(v.trim());
                        }
                    }
                    if !data.is_empty() || name != "message" {
                        return (name, data);
                    }
                    continue;
                }
                let chunk = self.response.chunk().await.expect("stream").expect("open");
                self.buffer.push_str(&String::from_utf8_lossy(&chunk));
            }
        };
        tokio::time::timeout(EVENT_BOUND, read)
            .await
            .expect("an event within the bound")
    }

    /// Reads `refresh` events until one lists `key`; returns its data.
    async fn refresh_of(&mut self, key: &str) -> serde_json::Value {
        loop {
            let (name, data) = self.next().await;
            if name != "refresh" {
                continue;
            }
            let data: serde_json::Value = serde_json::from_str(&data).unwrap();
            if data["articles"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k == key)
            {
                return data;
            }
        }
    }
}

#[test]
fn an_edit_fires_the_live_reload_stream_and_changes_the_page_without_restart() {
    let dir = example();
    let preview = Preview::start(dir.path());
    let (status, before) = preview.get("/articles/billing/invoices");
    assert_eq!(status, 200);
    assert!(!before.contains("Edited while serving"));
    runtime().block_on(async {
        let mut events = Events::open(&preview).await;
        let path = dir.path().join("billing/invoices.md");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\n## Edited while serving\n")).unwrap();
        let refresh = events.refresh_of("billing/invoices").await;
        assert_eq!(refresh["tree"], false, "{refresh}");
        assert!(refresh["generation"].as_u64().unwrap() >= 1, "{refresh}");
    });
    let (status, after) = preview.get("/articles/billing/invoices");
    assert_eq!(status, 200);
    assert!(after.contains("Edited while serving</h2>"), "{after}");
}

#[test]
fn adding_and_removing_a_file_updates_the_index() {
    let dir = example();
    let preview = Preview::start(dir.path());
    assert_eq!(preview.get("/articles/billing/late-fees").0, 404);
    runtime().block_on(async {
        let mut events = Events::open(&preview).await;
        write(
            dir.path(),
            "billing/late-fees.md",
            "---\ntitle: Late fees\n---\nNone.\n",
        );
        events.refresh_of("billing/late-fees").await;
    });
    let (status, page) = preview.get("/articles/billing/late-fees");
    assert_eq!(status, 200);
    assert!(page.contains("Late fees"), "{page}");
    assert!(preview.get("/").1.contains("Late fees"));

    runtime().block_on(async {
        let mut events = Events::open(&preview).await;
        std::fs::remove_file(dir.path().join("billing/late-fees.md")).unwrap();
        events.refresh_of("billing/late-fees").await;
    });
    assert_eq!(preview.get("/articles/billing/late-fees").0, 404);
    assert!(!preview.get("/").1.contains("Late fees"));
}

#[test]
fn a_page_loaded_right_after_a_save_shows_the_save() {
    // No waiting for the notification: the request itself finds the page's file changed (its
    // length differs each round, so the check does not depend on the clock's granularity).
    let dir = example();
    let preview = Preview::start(dir.path());
    let path = dir.path().join("billing/refunds.md");
    let text = std::fs::read_to_string(&path).unwrap();
    for round in 0..5 {
        let marker = format!("Saved round {}", "!".repeat(round + 1));
        std::fs::write(&path, format!("{text}\n## {marker}\n")).unwrap();
        let (status, page) = preview.get("/articles/billing/refunds");
        assert_eq!(status, 200);
        assert!(page.contains(&format!("{marker}</h2>")), "{page}");
    }
}

#[test]
fn the_page_script_subscribes_to_the_live_reload_stream() {
    let dir = example();
    let preview = Preview::start(dir.path());
    let (_, page) = preview.get("/articles/billing/invoices");
    assert!(page.contains("<script src=\"/static/app.js\" defer></script>"));
    let (status, script) = preview.get("/static/app.js");
    assert_eq!(status, 200);
    assert!(
        script.contains("new EventSource(\"/_preview/events\")"),
        "{script}"
    );
    assert!(script.contains("window.location.reload()"), "{script}");
}
