//! Browser tests of `helpcenter preview`: headless Chromium driven over `WebDriver`
//! (chromedriver), through a few W3C `WebDriver` calls made with `reqwest`. They load the page,
//! click through to an article and to the Changes view, assert visible content, and save
//! screenshots to `target/screenshots/`.
//!
//! Skipped, with a message on stderr, when `chromium` or `chromedriver` is not installed
//! (`apt-get install chromium chromium-driver`), unless `HELPCENTER_REQUIRE_BROWSER=1` (set by
//! `.ci/run`) makes that a failure. `CHROMIUM` and `CHROMEDRIVER` override the paths.

#![cfg(unix)]

mod export;
mod webdriver;

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use webdriver::{Browser, Driver};

/// Looks `name` up on `PATH` (or takes the env override).
fn find_tool(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// `helpcenter preview --port 0` on a copy of example-content; killed on drop.
struct Preview {
    child: Child,
    url: String,
}

impl Preview {
    fn start(dir: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_helpcenter"))
            .args(["--color", "never", "--dir"])
            .arg(dir)
            .args(["preview", "--port", "0"])
            .env(TOKEN_ENV, TOKEN)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("helpcenter starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("preview ")
            .expect("preview URL line")
            .to_owned();
        Self { child, url }
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the helpcenter binary in `dir` and checks it succeeded.
fn helpcenter(dir: &Path, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_helpcenter"))
        .env(TOKEN_ENV, TOKEN)
        .arg("--dir")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "helpcenter {args:?} failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_walks_from_the_index_to_an_article_and_the_changes_view() {
    let (Some(chromium), Some(chromedriver)) = (
        find_tool(
            "CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        ),
        find_tool("CHROMEDRIVER", &["chromedriver"]),
    ) else {
        let message = "skipping the browser tests: chromium and chromedriver are not installed \
                       (apt-get install chromium chromium-driver)";
        assert!(
            std::env::var_os("HELPCENTER_REQUIRE_BROWSER").is_none(),
            "{message}, and HELPCENTER_REQUIRE_BROWSER is set"
        );
        // Straight to the stream, past the harness's capture, so the skip is seen.
        let _ = writeln!(std::io::stderr(), "{message}");
        return;
    };
    let content = tempfile::tempdir().unwrap();
    copy_tree(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("example-content"),
        content.path(),
    );
    let _ = std::fs::remove_dir_all(content.path().join(".helpcenter"));
    let preview = Preview::start(content.path());
    let driver = Driver::start(&chromedriver).await;
    let profile = tempfile::tempdir().unwrap();
    let browser = Browser::open(&driver, &chromium, profile.path()).await;
    let shots = screenshots_dir();

    // The index: collections as cards and the tree in the sidebar.
    browser.goto(&format!("{}/", preview.url)).await;
    let cards = browser.text(".cards").await;
    for name in ["Getting started", "Billing", "Using Pebble"] {
        assert!(cards.contains(name), "{cards}");
    }
    assert!(
        browser
            .text(".sidebar")
            .await
            .contains("Keyboard shortcuts")
    );
    // The stylesheet applied (served by the tool itself): the top bar is Intercom blue.
    let background = browser
        .script("return getComputedStyle(document.querySelector('.topbar')).backgroundColor")
        .await;
    assert_eq!(background, "rgb(51, 75, 250)");
    browser.screenshot(&shots.join("index.png")).await;

    // Click through to an article in the sidebar.
    browser
        .click("a.article-link[data-key='getting-started/install-desktop']")
        .await;
    browser
        .wait_for_text("h1.article-title", "Install the desktop app")
        .await;
    let callout = browser
        .text(".article-body .intercom-interblocks-callout")
        .await;
    assert!(callout.contains("updates itself"), "{callout}");
    // The image is the published one, served from the tree: it loads without the network.
    let width = browser
        .script("return String(document.querySelector('.article-body img').naturalWidth)")
        .await;
    assert_ne!(width, "0", "the article image did not load");
    // Nothing was fetched from another host.
    let foreign = browser
        .script(&format!(
            "return performance.getEntriesByType('resource').map(e => e.name)\
             .filter(n => !n.startsWith('{}')).join(' ')",
            preview.url
        ))
        .await;
    assert_eq!(foreign, "", "requests to other hosts");
    browser.screenshot(&shots.join("article.png")).await;

    // A link between articles stays inside the preview.
    browser.click(".article-body a[href^='/articles/']").await;
    browser
        .wait_for_text("h1.article-title", "Invite your team")
        .await;
    assert!(browser.url().await.starts_with(&preview.url));

    // The locale switcher.
    browser.click(".locales a[hreflang='fr']").await;
    browser
        .wait_for_text("h1.article-title", "Inviter votre équipe")
        .await;
    assert!(browser.text(".sidebar").await.contains("Premiers pas"));

    // A draft is marked.
    browser
        .click("a.article-link[data-key='billing/refunds']")
        .await;
    browser.wait_for_text("#draft-badge", "DRAFT").await;

    // The Changes view against the embedded sandbox: everything is to be created.
    browser.click("#nav-changes").await;
    browser.wait_for_text("#target-name", "local").await;
    let summary = browser.text("#summary").await;
    assert!(summary.contains("19 create"), "{summary}");
    assert!(
        browser
            .text(".change[data-key='getting-started/welcome']")
            .await
            .contains("Welcome to Pebble")
    );
    browser.screenshot(&shots.join("changes-create.png")).await;

    // After an apply and an edit: an update with before and after side by side.
    helpcenter(content.path(), &["apply", "--yes"]);
    let path = content.path().join("billing/invoices.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("Prices are listed", "All prices are listed"),
    )
    .unwrap();
    browser.goto(&format!("{}/changes", preview.url)).await;
    let change = browser.text(".change[data-key='billing/invoices']").await;
    assert!(
        change.contains("Intercom now") && change.contains("After apply"),
        "{change}"
    );
    assert!(change.contains("All prices are listed"), "{change}");
    browser
        .script("document.querySelector(\".change[data-key='billing/invoices']\").scrollIntoView(); return ''")
        .await;
    browser.screenshot(&shots.join("changes-update.png")).await;

    // Against a real-API target (the emulator over HTTP) with an edit made "in Intercom":
    // the drift is highlighted.
    let emulator = Emulator::start();
    let config = content.path().join("helpcenter.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let remote = format!(
        "\n[targets.remote]\nkind = \"intercom\"\nbase_url = \"{}\"\ntoken_env = \"{TOKEN_ENV}\"\n",
        emulator.url
    );
    std::fs::write(&config, text + &remote).unwrap();
    helpcenter(content.path(), &["--target", "remote", "apply", "--yes"]);
    emulator
        .edit_article_body(
            "Start a timer",
            "<p>Click the green button. Edited in Intercom.</p>",
        )
        .await;
    browser
        .goto(&format!("{}/changes?target=remote", preview.url))
        .await;
    browser.wait_for_text("#target-name", "remote").await;
    let drifted = browser.text(".change.has-drift").await;
    assert!(drifted.contains("Start a timer"), "{drifted}");
    assert!(drifted.contains("Edited in Intercom."), "{drifted}");
    assert!(browser.text("#summary").await.contains("1 drift"));
    browser
        .script("document.querySelector('.change.has-drift').scrollIntoView(); return ''")
        .await;
    browser.screenshot(&shots.join("changes-drift.png")).await;

    browser.close().await;
}

/// The token the test emulator accepts, and the variable the test target reads it from.
const TOKEN: &str = "tok_e2e_preview";
const TOKEN_ENV: &str = "HELPCENTER_E2E_TOKEN";

/// `helpcenter sandbox serve --port 0`; killed on drop.
struct Emulator {
    child: Child,
    url: String,
}

impl Emulator {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_helpcenter"))
            .args(["sandbox", "serve", "--port", "0", "--token", TOKEN])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("emulator starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening ")
            .expect("listening line")
            .to_owned();
        Self { child, url }
    }

    /// Replaces the body of the article titled `title`, as an edit in the Intercom UI would.
    async fn edit_article_body(&self, title: &str, body: &str) {
        let client = reqwest::Client::new();
        let call = |method: reqwest::Method, path: String| {
            client
                .request(method, format!("{}{path}", self.url))
                .bearer_auth(TOKEN)
                .header("Intercom-Version", "2.12")
        };
        let list: serde_json::Value = call(reqwest::Method::GET, "/articles?per_page=250".into())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == title)
            .and_then(|a| a["id"].as_str())
            .unwrap_or_else(|| panic!("no article {title:?}: {list}"))
            .to_owned();
        let resp = call(reqwest::Method::PUT, format!("/articles/{id}"))
            .json(&serde_json::json!({ "body": body }))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "edit failed: {}", resp.status());
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
