//! Scale, `helpcenter preview`'s refreshes: the real binary on `--port 0` over a generated
//! tree, over HTTP and `/_preview/events`. An edit of Markdown files is read alone (those files
//! only); a change of the set of files, of a collection file or of `helpcenter.toml` loads the
//! tree again; either way the pages and the live-reload events are right. Which way a refresh
//! went is told by the debug build's `HELPCENTER_TEST_REFRESH_LOG` lines on stderr, not by
//! timing it.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{bin, write};

/// Longest wait for an event or a log line that must come (a failure bound, not a measurement).
const BOUND: Duration = Duration::from_secs(60);

const READ_ONE: &str = "test hook: refresh read 1 file(s) alone";
const LOADED_TREE: &str = "test hook: refresh loaded the tree";

/// A tree of 3 collections × 8 articles in `en` and `fr`, each article linking to the next.
fn tree() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\n",
    );
    for c in 0..3 {
        write(
            root,
            &format!("c{c}/_collection.yml"),
            &format!("name: Collection {c}\ntranslations: {{fr: {{name: Collection {c} fr}}}}\n"),
        );
        for a in 0..8 {
            let next = (a + 1) % 8;
            write(
                root,
                &format!("c{c}/a{a}.md"),
                &format!(
                    "---\ntitle: Article {c}.{a}\n---\nBody {c}.{a}, see [next](a{next}.md).\n"
                ),
            );
            write(
                root,
                &format!("c{c}/a{a}.fr.md"),
                &format!("---\ntitle: Article {c}.{a} fr\n---\nCorps {c}.{a}.\n"),
            );
        }
    }
    tmp
}

struct Preview {
    child: Child,
    url: String,
    /// The `test hook:` lines of stderr, as they come.
    log: mpsc::Receiver<String>,
}

impl Preview {
    fn start(dir: &Path) -> Self {
        let mut child = bin()
            .arg("--dir")
            .arg(dir)
            .args(["preview", "--port", "0"])
            .env("HELPCENTER_TEST_REFRESH_LOG", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("binary starts");
        let url = crate::support::first_line_url(&mut child, "preview ");
        let stderr = child.stderr.take().unwrap();
        let (tx, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.starts_with("test hook:") && tx.send(line).is_err() {
                    return;
                }
            }
        });
        let preview = Self { child, url, log };
        let first = preview.next_log();
        assert!(first.starts_with(LOADED_TREE), "the first load: {first}");
        preview
    }

    /// The next refresh log line.
    fn next_log(&self) -> String {
        self.log.recv_timeout(BOUND).expect("a refresh log line")
    }

    /// The refresh log lines up to the one of the refresh that sent the event `generation`
    /// (printed before the event is sent), without their generation.
    fn logged_until(&self, generation: &serde_json::Value) -> Vec<String> {
        let end = format!(", generation {generation}");
        let mut lines = Vec::new();
        loop {
            let line = self.next_log();
            let done = line.ends_with(&end);
            lines.push(line.rsplit_once(", generation ").unwrap().0.to_owned());
            if done {
                return lines;
            }
        }
    }

    /// The refresh log lines printed so far.
    fn logged(&self) -> Vec<String> {
        self.log.try_iter().collect()
    }

    fn get(&self, path: &str) -> (u16, String) {
        runtime().block_on(async {
            let resp = reqwest::get(format!("{}{path}", self.url))
                .await
                .expect("request");
            (resp.status().as_u16(), resp.text().await.unwrap())
        })
    }

    /// Runs `change`, then waits for the `refresh` event that satisfies `until`; returns its
    /// data and the refresh log lines printed up to it.
    fn change(
        &self,
        change: impl FnOnce(),
        until: impl Fn(&serde_json::Value) -> bool,
    ) -> (serde_json::Value, Vec<String>) {
        runtime().block_on(async {
            let mut events = Events::open(&self.url).await;
            let mut log = self.logged();
            log.clear();
            change();
            loop {
                let data = events.refresh().await;
                log.extend(self.logged_until(&data["generation"]));
                if until(&data) {
                    return (data, log);
                }
            }
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

/// `text` escaped as the pages escape it.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Whether every refresh of `log` (one at least) read a single file alone.
fn read_one_alone(log: &[String]) -> bool {
    !log.is_empty() && log.iter().all(|l| l == READ_ONE)
}

/// Whether a `refresh` event lists the article `key`.
fn lists(data: &serde_json::Value, key: &str) -> bool {
    data["articles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k == key)
}

/// An open `/_preview/events` stream.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(url: &str) -> Self {
        let response = reqwest::get(format!("{url}/_preview/events"))
            .await
            .expect("events request");
        assert_eq!(response.status(), 200);
        let mut events = Self {
            response,
            buffer: String::new(),
        };
        assert_eq!(events.next().await.0, "ready");
        events
    }

    /// The next event: (name, data); keep-alive comments skipped.
    async fn next(&mut self) -> (String, String) {
        let read = async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let mut name = String::new();
                    let mut data = String::new();
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("event:") {
                            v.trim().clone_into(&mut name);
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push_str(v.trim());
                        }
                    }
                    if !name.is_empty() {
                        return (name, data);
                    }
                    continue;
                }
                let chunk = self.response.chunk().await.expect("stream").expect("open");
                self.buffer.push_str(&String::from_utf8_lossy(&chunk));
            }
        };
        tokio::time::timeout(BOUND, read)
            .await
            .expect("an event within the bound")
    }

    /// The data of the next `refresh` event.
    async fn refresh(&mut self) -> serde_json::Value {
        loop {
            let (name, data) = self.next().await;
            if name == "refresh" {
                return serde_json::from_str(&data).unwrap();
            }
        }
    }
}

#[test]
fn an_edit_of_one_file_reads_only_that_file_and_fires_its_event() {
    let dir = tree();
    let preview = Preview::start(dir.path());
    let (status, before) = preview.get("/articles/c1/a3?locale=fr");
    assert_eq!(status, 200);
    let (data, log) = preview.change(
        || {
            write(
                dir.path(),
                "c1/a3.fr.md",
                "---\ntitle: Retitled fr\n---\n## Edited while serving\n",
            );
        },
        |d| lists(d, "c1/a3"),
    );
    assert_eq!(data["articles"], serde_json::json!(["c1/a3"]), "{data}");
    assert_eq!(data["tree"], false, "{data}");
    assert!(read_one_alone(&log), "{log:?}");
    let (status, after) = preview.get("/articles/c1/a3?locale=fr");
    assert_eq!(status, 200);
    assert!(after.contains("Edited while serving</h2>"), "{after}");
    assert!(
        after.contains(">Retitled fr</a>"),
        "the sidebar follows: {after}"
    );
    assert!(!before.contains("Retitled fr"));
    // Other pages show the new title too; the other locale is untouched.
    assert!(preview.get("/?locale=fr").1.contains(">Retitled fr</a>"));
    let en = preview.get("/articles/c1/a3").1;
    assert!(
        en.contains("Body 1.3") && !en.contains("Edited while serving"),
        "{en}"
    );
}

#[test]
fn an_atomic_save_written_aside_and_renamed_over_is_read_alone_too() {
    let dir = tree();
    let preview = Preview::start(dir.path());
    let (_, log) = preview.change(
        || {
            // What many editors do: write a hidden temporary file, rename it over the file.
            let aside = dir.path().join("c0/.a1.md.tmp");
            std::fs::write(&aside, "---\ntitle: Saved aside\n---\nAtomic.\n").unwrap();
            std::fs::rename(&aside, dir.path().join("c0/a1.md")).unwrap();
        },
        |d| lists(d, "c0/a1"),
    );
    assert!(read_one_alone(&log), "{log:?}");
    let page = preview.get("/articles/c0/a1").1;
    assert!(
        page.contains("Atomic.") && page.contains("Saved aside"),
        "{page}"
    );
    // The folder's time changed with the rename: the next request does not load the tree.
    assert_eq!(preview.get("/").0, 200);
    assert_eq!(preview.get("/articles/c0/a1").0, 200);
    assert_eq!(preview.logged(), Vec::<String>::new());
}

#[test]
fn adding_and_removing_a_file_loads_the_tree_and_fixes_the_links() {
    let dir = tree();
    let preview = Preview::start(dir.path());
    // A link to a file that does not exist yet: broken, until the file comes.
    let (_, log) = preview.change(
        || {
            write(
                dir.path(),
                "c2/a0.md",
                "---\ntitle: Article 2.0\n---\nSee [new](new.md).\n",
            );
        },
        |d| lists(d, "c2/a0"),
    );
    assert!(read_one_alone(&log), "{log:?}");
    let page = preview.get("/articles/c2/a0").1;
    assert!(
        page.contains("broken link: `c2/new.md` does not exist"),
        "{page}"
    );

    let (data, log) = preview.change(
        || {
            write(
                dir.path(),
                "c2/new.md",
                "---\ntitle: New one\n---\nFresh.\n",
            );
        },
        |d| lists(d, "c2/new"),
    );
    assert!(lists(&data, "c2/a0"), "the referrer renders again: {data}");
    assert!(log.iter().any(|l| l == LOADED_TREE), "{log:?}");
    let page = preview.get("/articles/c2/a0").1;
    assert!(!page.contains("broken link"), "{page}");
    assert!(
        page.contains("href=\"/articles/c2/new?locale=en\""),
        "{page}"
    );
    assert_eq!(preview.get("/articles/c2/new").0, 200);

    let (_, log) = preview.change(
        || std::fs::remove_file(dir.path().join("c2/new.md")).unwrap(),
        |d| lists(d, "c2/new"),
    );
    assert!(log.iter().any(|l| l == LOADED_TREE), "{log:?}");
    assert_eq!(preview.get("/articles/c2/new").0, 404);
    assert!(preview.get("/articles/c2/a0").1.contains("broken link"));
}

#[test]
fn a_collection_file_or_the_config_changed_loads_the_tree() {
    let dir = tree();
    let preview = Preview::start(dir.path());
    let (data, log) = preview.change(
        || {
            write(
                dir.path(),
                "c0/_collection.yml",
                "name: Renamed collection\ntranslations: {fr: {name: Renommée}}\n",
            );
        },
        |d| d["tree"] == true,
    );
    assert!(log.iter().any(|l| l == LOADED_TREE), "{log:?}");
    assert_eq!(data["tree"], true);
    assert!(preview.get("/").1.contains("<h2>Renamed collection</h2>"));
    assert!(
        preview
            .get("/articles/c0/a0?locale=fr")
            .1
            .contains("<summary>Renommée</summary>")
    );

    // Moving the collection file away: its folder is no longer a collection.
    let (_, log) = preview.change(
        || {
            std::fs::rename(
                dir.path().join("c1/_collection.yml"),
                dir.path().join("c1/collection.yml.bak"),
            )
            .unwrap();
        },
        |d| d["tree"] == true,
    );
    assert!(log.iter().any(|l| l == LOADED_TREE), "{log:?}");
    let (status, page) = preview.get("/articles/c1/a0");
    assert_eq!(status, 200);
    assert!(
        page.contains("`c1/a0.md` is in `c1`, which is not a collection"),
        "{page}"
    );

    // The config: a default state every article takes.
    let (_, log) = preview.change(
        || {
            write(
                dir.path(),
                "helpcenter.toml",
                "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\n\n[defaults]\nstate = \"draft\"\n",
            );
        },
        |d| d["tree"] == true,
    );
    assert!(log.iter().any(|l| l == LOADED_TREE), "{log:?}");
    assert!(
        preview
            .get("/articles/c2/a5")
            .1
            .contains("id=\"draft-badge\"")
    );
}

#[test]
fn broken_front_matter_shows_its_diagnostic_and_a_fix_clears_it() {
    let dir = tree();
    let preview = Preview::start(dir.path());
    let (_, log) = preview.change(
        || {
            write(
                dir.path(),
                "c1/a2.md",
                "---\ntitle: [unclosed\n---\nBody.\n",
            );
        },
        |d| lists(d, "c1/a2"),
    );
    // A file that stops loading changes the articles: the tree is loaded again.
    assert!(log.iter().any(|l| l == LOADED_TREE), "{log:?}");
    let (status, page) = preview.get("/articles/c1/a2");
    assert_eq!(status, 200);
    assert!(page.contains("This article cannot be shown"), "{page}");
    // As `check` prints it: the message, the file's location.
    let check = crate::support::run_in(dir.path(), &["check"]);
    let message = check.stderr.lines().next().unwrap();
    assert!(
        message.starts_with("error: invalid YAML"),
        "{}",
        check.stderr
    );
    assert!(page.contains(&html(message)), "{message}: {page}");
    assert!(page.contains("c1/a2.md:3:1"), "{page}");

    let (_, log) = preview.change(
        || {
            write(
                dir.path(),
                "c1/a2.md",
                "---\ntitle: Mended\n---\nBody again.\n",
            );
        },
        |d| lists(d, "c1/a2"),
    );
    assert!(log.iter().any(|l| l == LOADED_TREE), "{log:?}");
    let page = preview.get("/articles/c1/a2").1;
    assert!(!page.contains("id=\"diagnostics\""), "{page}");
    assert!(
        page.contains("Body again.") && page.contains("Mended"),
        "{page}"
    );

    // A warning that comes and goes with an edit read alone: a title too long.
    let title = "L".repeat(300);
    let (_, log) = preview.change(
        || {
            write(
                dir.path(),
                "c1/a2.md",
                &format!("---\ntitle: {title}\n---\nBody.\n"),
            );
        },
        |d| lists(d, "c1/a2"),
    );
    assert!(read_one_alone(&log), "{log:?}");
    assert!(
        preview
            .get("/articles/c1/a2")
            .1
            .contains("is 300 characters long (more than 255)")
    );
    let (_, log) = preview.change(
        || write(dir.path(), "c1/a2.md", "---\ntitle: Short\n---\nBody.\n"),
        |d| lists(d, "c1/a2"),
    );
    assert!(read_one_alone(&log), "{log:?}");
    assert!(
        !preview
            .get("/articles/c1/a2")
            .1
            .contains("is 300 characters long (more than 255)")
    );
}
