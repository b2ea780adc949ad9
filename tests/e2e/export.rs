//! `helpcenter preview --export DIR` opened from disk (`file://`) in headless Chromium: the
//! exported index, an article with its image, a relative link to another article, the locale
//! switcher and the Changes view all work with no server.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::webdriver::{Browser, Driver};
use super::{TOKEN, TOKEN_ENV, copy_tree, find_tool, screenshots_dir};

#[tokio::test(flavor = "multi_thread")]
async fn the_exported_preview_opens_from_disk_and_its_links_work() {
    let (Some(chromium), Some(chromedriver)) = (
        find_tool(
            "CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        ),
        find_tool("CHROMEDRIVER", &["chromedriver"]),
    ) else {
        let message = "skipping the export browser test: chromium and chromedriver are not \
                       installed (apt-get install chromium chromium-driver)";
        assert!(
            std::env::var_os("HELPCENTER_REQUIRE_BROWSER").is_none(),
            "{message}, and HELPCENTER_REQUIRE_BROWSER is set"
        );
        let _ =
            std::io::Write::write_all(&mut std::io::stderr(), format!("{message}\n").as_bytes());
        return;
    };
    let content = tempfile::tempdir().unwrap();
    copy_tree(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("example-content"),
        content.path(),
    );
    let _ = std::fs::remove_dir_all(content.path().join(".helpcenter"));
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_helpcenter"))
        .env(TOKEN_ENV, TOKEN)
        .arg("--dir")
        .arg(content.path())
        .arg("preview")
        .arg("--export")
        .arg(out.path())
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "preview --export failed");

    let driver = Driver::start(&chromedriver).await;
    let profile = tempfile::tempdir().unwrap();
    let browser = Browser::open(&driver, &chromium, profile.path()).await;
    let shots = screenshots_dir();
    let base = format!("file://{}", out.path().display());

    browser.goto(&format!("{base}/index.html")).await;
    let cards = browser.text(".cards").await;
    for name in ["Getting started", "Billing", "Using Pebble"] {
        assert!(cards.contains(name), "{cards}");
    }
    // The stylesheet loads from the export (a relative link).
    let background = browser
        .script("return getComputedStyle(document.querySelector('.topbar')).backgroundColor")
        .await;
    assert_eq!(background, "rgb(51, 75, 250)");

    // An article from the sidebar, with its image copied into the export.
    browser
        .click("a.article-link[data-key='getting-started/install-desktop']")
        .await;
    browser
        .wait_for_text("h1.article-title", "Install the desktop app")
        .await;
    assert!(browser.url().await.starts_with(&base));
    let width = browser
        .script("return String(document.querySelector('.article-body img').naturalWidth)")
        .await;
    assert_ne!(width, "0", "the article image did not load from the export");
    browser.screenshot(&shots.join("export-article.png")).await;

    // A relative link in the body to another article, then the French version.
    browser
        .click(".article-body a[href*='articles/getting-started/invite-your-team']")
        .await;
    browser
        .wait_for_text("h1.article-title", "Invite your team")
        .await;
    let url = browser.url().await;
    assert!(
        url.starts_with(&base)
            && url.ends_with("/en/articles/getting-started/invite-your-team.html"),
        "{url}"
    );
    browser.click(".locales a[hreflang='fr']").await;
    browser
        .wait_for_text("h1.article-title", "Inviter votre équipe")
        .await;

    // The Changes view, planned at export time against the embedded sandbox.
    browser.click("#nav-changes").await;
    browser.wait_for_text("#target-name", "local").await;
    let summary = browser.text("#summary").await;
    assert!(summary.contains("19 create"), "{summary}");
    browser.screenshot(&shots.join("export-changes.png")).await;
    browser.close().await;
}
