//! `helpcenter preview`: the real binary on `--port 0` over example-content copied to a temp
//! dir, driven over HTTP.

use std::path::Path;
use std::process::{Child, Stdio};

use crate::support::{Emulator, bin, copy_tree, example_against, repo, run_in, write};

/// A running `helpcenter preview --port 0`; killed on drop.
struct Preview {
    child: Child,
    url: String,
}

impl Preview {
    fn start(dir: &Path) -> Self {
        let mut child = bin()
            .arg("--color")
            .arg("never")
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

    /// GET `path`: status, headers and body.
    fn get(&self, path: &str) -> Page {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let resp = reqwest::get(format!("{}{path}", self.url))
                .await
                .expect("request");
            let status = resp.status().as_u16();
            let csp = resp
                .headers()
                .get("content-security-policy")
                .map(|v| v.to_str().unwrap().to_owned());
            let content_type = resp
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            let body = resp.bytes().await.unwrap().to_vec();
            Page {
                status,
                csp,
                content_type,
                text: String::from_utf8_lossy(&body).into_owned(),
                bytes: body,
            }
        })
    }

    /// GET `path` and expect 200.
    #[track_caller]
    fn ok(&self, path: &str) -> String {
        let page = self.get(path);
        assert_eq!(page.status, 200, "GET {path}:\n{}", page.text);
        page.text
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Page {
    status: u16,
    csp: Option<String>,
    content_type: String,
    text: String,
    bytes: Vec<u8>,
}

/// example-content in a temp dir, against its embedded sandbox target.
fn example() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("example-content"), tmp.path());
    let _ = std::fs::remove_dir_all(tmp.path().join(".helpcenter"));
    tmp
}

#[test]
fn preview_index_lists_the_collection_tree_with_only_local_assets() {
    let dir = example();
    let preview = Preview::start(dir.path());
    let page = preview.get("/");
    assert_eq!(page.status, 200);
    let csp = page.csp.expect("a Content-Security-Policy header");
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    for name in [
        "Getting started",
        "Billing",
        "Using Pebble",
        "Timers",
        "Reports",
    ] {
        assert!(page.text.contains(name), "{name} missing:\n{}", page.text);
    }
    assert!(
        page.text
            .contains(r#"href="/articles/getting-started/welcome?locale=en""#)
    );
    assert!(
        page.text
            .contains(r#"<link rel="stylesheet" href="/static/style.css">"#)
    );
    assert!(
        !page.text.contains("http://") && !page.text.contains("https://"),
        "no external URL on the index"
    );
    let css = preview.get("/static/style.css");
    assert_eq!(css.status, 200);
    assert!(css.content_type.starts_with("text/css"));
    assert!(css.text.contains(".intercom-interblocks-callout"));
    assert!(!css.text.contains("@import") && !css.text.contains("url(http"));
    let js = preview.get("/static/app.js");
    assert_eq!(js.status, 200);
    assert!(js.content_type.starts_with("text/javascript"));
}

#[test]
fn preview_article_is_the_html_apply_sends_with_links_inside_the_preview() {
    let dir = example();
    let preview = Preview::start(dir.path());
    let page = preview.ok("/articles/getting-started/welcome");
    // Exactly the renderer's HTML, with article links resolved to preview URLs.
    let loaded = helpcenter::content::load(dir.path());
    let project = loaded.project.expect("example-content loads");
    let article = project
        .articles
        .iter()
        .find(|a| a.key == "getting-started/welcome")
        .unwrap();
    let rendered = helpcenter::render::render_article(&project, article, &article.locales["en"]);
    let expected = helpcenter::render::resolve_links(&rendered.html, |key| {
        Some(format!("/articles/{key}?locale=en"))
    });
    assert!(
        page.contains(&expected),
        "rendered body missing:\n{expected}\n--- page\n{page}"
    );
    assert!(page.contains(r#"href="/articles/getting-started/install-desktop?locale=en""#));
    assert!(page.contains(
        r#"<div class="intercom-h2b-video"><iframe src="https://www.youtube.com/embed/"#
    ));
    assert!(page.contains(r#"<h1 class="article-title">Welcome to Pebble</h1>"#));
    // The published image URL is served from the tree, so the page needs no network.
    let install = preview.ok("/articles/getting-started/install-desktop");
    let src = install
        .split("src=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .find(|s| s.contains("install-window.png"))
        .unwrap_or_else(|| panic!("no image in:\n{install}"));
    assert!(
        src.starts_with("/files/getting-started/images/install-window.png"),
        "{src}"
    );
    let image = preview.get(&src.replace("&amp;", "&"));
    assert_eq!(image.status, 200);
    assert_eq!(image.content_type, "image/png");
    assert_eq!(
        image.bytes,
        std::fs::read(dir.path().join("getting-started/images/install-window.png")).unwrap()
    );
    assert_eq!(preview.get("/files/helpcenter.toml").status, 404);
    assert_eq!(preview.get("/files/../../etc/passwd.png").status, 404);
    assert_eq!(preview.get("/articles/no/such-article").status, 404);
}

#[test]
fn preview_locale_switcher_shows_translations() {
    let dir = example();
    let preview = Preview::start(dir.path());
    let en = preview.ok("/articles/getting-started/welcome?locale=en");
    assert!(
        en.contains(r#"hreflang="fr" href="/articles/getting-started/welcome?locale=fr""#),
        "{en}"
    );
    let fr = preview.ok("/articles/getting-started/welcome?locale=fr");
    assert!(fr.contains("Pebble suit le temps"), "{fr}");
    assert!(fr.contains(r#"<html lang="fr">"#));
    assert!(
        fr.contains("Premiers pas"),
        "collection names are translated in the sidebar"
    );
    assert!(fr.contains(r#"href="/articles/getting-started/install-desktop?locale=fr""#));
    // An article without a French file falls back to English, and says so.
    let invoices = preview.ok("/articles/billing/invoices?locale=fr");
    assert!(
        invoices.contains("no <code>fr</code> translation"),
        "{invoices}"
    );
    // An unknown locale is the default one.
    assert!(preview.ok("/?locale=xx").contains(r#"<html lang="en">"#));
}

#[test]
fn preview_marks_drafts() {
    let dir = example();
    let preview = Preview::start(dir.path());
    let page = preview.ok("/articles/billing/refunds");
    assert!(page.contains(r#"id="draft-badge""#), "{page}");
    assert!(
        page.contains(r#"class="article-link current is-draft""#),
        "{page}"
    );
    let published = preview.ok("/articles/billing/invoices");
    assert!(!published.contains(r#"id="draft-badge""#));
}

#[test]
fn preview_shows_check_diagnostics_for_broken_content_and_keeps_serving() {
    let dir = example();
    let preview = Preview::start(dir.path());
    write(
        dir.path(),
        "billing/invoices.md",
        "---\ntitle: Invoices\ncolour: blue\n---\nBody\n",
    );
    let page = preview.ok("/articles/billing/invoices");
    assert!(page.contains(r#"id="diagnostics""#), "{page}");
    assert!(page.contains("billing/invoices.md:3:1"), "{page}");
    assert!(page.contains("colour"), "{page}");
    let index = preview.ok("/");
    assert!(index.contains("1 error"), "{index}");
    let changes = preview.ok("/changes");
    assert!(
        changes.contains("Cannot plan: the content has errors"),
        "{changes}"
    );
    // A broken config: nothing loads, the page still shows what `check` says.
    write(dir.path(), "helpcenter.toml", "default_locale = [\n");
    let broken = preview.ok("/");
    assert!(broken.contains("helpcenter.toml"), "{broken}");
    assert!(broken.contains("has-errors"), "{broken}");
    assert!(preview.ok("/changes").contains("has-errors"));
}

#[test]
fn preview_shows_edits_on_reload() {
    let dir = example();
    let preview = Preview::start(dir.path());
    let before = preview.ok("/articles/billing/invoices");
    assert!(!before.contains("Freshly edited"));
    let path = dir.path().join("billing/invoices.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\n## Freshly edited\n")).unwrap();
    let after = preview.ok("/articles/billing/invoices");
    assert!(after.contains("Freshly edited</h2>"), "{after}");
    write(
        dir.path(),
        "billing/late-fees.md",
        "---\ntitle: Late fees\n---\nNone.\n",
    );
    assert!(preview.ok("/").contains("Late fees"));
}

#[test]
fn preview_changes_view_lists_the_plan_against_the_sandbox() {
    let dir = example();
    let preview = Preview::start(dir.path());
    let page = preview.ok("/changes");
    assert!(
        page.contains(r#"<code id="target-name">local</code>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"class="change action-create" data-key="getting-started/welcome""#),
        "{page}"
    );
    assert!(
        page.contains(r#"<li class="create"><span class="n">19</span> create</li>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<td class="empty"></td><td class="ins">Welcome to Pebble</td>"#),
        "{page}"
    );
    // The preview only reads: the state file is untouched and a plan shows nothing applied.
    assert!(!dir.path().join(".helpcenter/local.state.json").exists());
    run_in(dir.path(), &["apply", "--yes"]).expect(0);
    let applied = preview.ok("/changes");
    assert!(
        !applied.contains(r#"data-key="billing/invoices"><header>"#),
        "{applied}"
    );
    assert!(
        applied.contains(r#"<li class="create zero"><span class="n">0</span> create</li>"#),
        "{applied}"
    );
    let path = dir.path().join("billing/invoices.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("---\n\n", "---\n")
            .replace("Prices", "All prices"),
    )
    .unwrap();
    let edited = preview.ok("/changes");
    assert!(
        edited.contains(r#"class="change action-update" data-key="billing/invoices""#),
        "{edited}"
    );
    let cells = |class: &str| -> Vec<String> {
        edited
            .split(&format!("<td class=\"{class}\">"))
            .skip(1)
            .map(|cell| {
                cell[..cell.find("</td>").unwrap()]
                    .replace("<mark>", "")
                    .replace("</mark>", "")
            })
            .collect()
    };
    let (deleted, inserted) = (cells("del"), cells("ins"));
    assert!(
        inserted.iter().any(|c| c.contains("All prices are listed")),
        "{edited}"
    );
    assert!(
        deleted
            .iter()
            .any(|c| c.contains("Prices are listed") && !c.contains("All prices")),
        "{edited}"
    );
}

#[test]
fn preview_changes_view_highlights_drift_on_a_real_target() {
    let emulator = Emulator::start(&[]);
    let dir = example_against(&emulator.base_url);
    run_in(dir.path(), &["apply", "--yes"]).expect(0);
    let http = emulator.http();
    let article = http
        .articles()
        .into_iter()
        .find(|a| a["title"] == "Download invoices")
        .expect("the invoices article was created");
    let id = article["id"].as_str().unwrap().to_owned();
    let (status, body) = http.call(
        "PUT",
        &format!("/articles/{id}"),
        Some(&serde_json::json!({"body": "<p>Edited in the Intercom UI</p>"})),
    );
    assert_eq!(status, 200, "{body}");
    let preview = Preview::start(dir.path());
    let page = preview.ok("/changes");
    assert!(
        page.contains(r#"<code id="target-name">test</code>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"class="change action-update has-drift" data-key="billing/invoices""#),
        "{page}"
    );
    assert!(page.contains(r#"class="field drift""#), "{page}");
    assert!(page.contains("Edited in the Intercom UI"), "{page}");
    // The other target of the same tree is one click away.
    assert!(page.contains(r#"href="/changes?target=local""#), "{page}");
}
