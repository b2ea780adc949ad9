//! `pull` through the real binary against the real emulator (`sandbox serve`): round trips
//! both ways, accepting a UI edit with `pull KEY`, and the clobber guard.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Emulator, Http, copy_tree, example_against, point_at, repo, run_in, write};

/// The emulator's default teammate (`docs@example.com`).
const AUTHOR: u64 = 991_266_200;

/// API-NOTES 6.3, modern article body.
const MODERN: &str = r#"<h1 id="h_e324f0a1dd">H1</h1><h2 id="h_b3ae805d42">Heading 2</h2><h3 id="h_03290146c3">Heading 3</h3><h4 id="h_9624ce3e6b">Heading 4</h4><p class="no-margin">normal text</p><p class="no-margin"><b>bold</b></p><p class="no-margin"><i>italic</i></p><p class="no-margin"><b><i>bold_italic</i></b></p><p class="no-margin"><code>inline code</code></p><p class="no-margin"><a href="https://example.com/link" target="_blank" class="intercom-content-link">link text</a></p><p class="intercom-align-center no-margin">centered text</p><p class="intercom-align-right no-margin">right aligned</p><div class="intercom-container"><img src="https://example.com/image.png"></div><div class="intercom-interblocks-table-container"><table role="presentation"><tbody><tr><td><p class="no-margin">A1</p></td><td><p class="no-margin">B1</p></td></tr><tr><td><p class="no-margin">A2</p></td><td><p class="no-margin">B2</p></td></tr></tbody></table></div><hr><ul><li><p class="no-margin">list item 1</p></li><li><p class="no-margin">list item 2</p></li></ul><ol><li><p class="no-margin">step 1</p></li><li><p class="no-margin">step 2</p></li></ol><pre><code>code block</code></pre><div class="intercom-interblocks-callout" style="background-color: #e8e8e880; border-color: #73737633;"><p class="no-margin">gray callout</p></div>"#;

/// API-NOTES 6.3, the older official example.
const OLDER: &str = r#"<h1 class="intercom-align-left">Header 1</h1><h2 class="intercom-align-left">Header 2</h2><h2 class="intercom-align-center">Centered Header</h2><p class="intercom-align-left"><a href="https://intercom.com" target="_blank">Link</a></p><ul><li>Single-level List</li></ul><pre><code>'Pre' Code</code></pre><p class="intercom-align-left"><code>Inline code</code></p><p class="intercom-align-left"><b>Bold text</b></p><p class="intercom-align-left"><i>Italic text</i></p><p class="intercom-align-center">Centered text</p><p class="intercom-align-left">Image without link:</p><div class="intercom-container intercom-align-left"><img src="https://downloads.intercomcdn.com/i/o/204050460/7a140f62f8e715d1d6cf246d/Image.jpg"/></div><p class="intercom-align-left">Image with link:</p><div class="intercom-container intercom-align-left"><a target="_blank" href="https://intercom.com"><img src="https://downloads.intercomcdn.com/i/o/204049719/b41c9a81c13b8a91023df1e7/Image.jpg"/></a></div><div class="intercom-container intercom-align-left"><a class="intercom-h2b-button" target="_blank" href="https://intercom.com">Button</a></div><div class="intercom-h2b-video"><iframe src="https://www.youtube.com/embed/jqO8AQHj7Fw?rel=0" frameborder="0" webkitallowfullscreen mozallowfullscreen allowfullscreen></iframe></div><p class="intercom-align-left"></p>"#;

/// The five callout colours of API-NOTES 6.2.
const CALLOUTS: &str = concat!(
    r#"<div class="intercom-interblocks-callout" style="background-color: #e3e7fa80; border-color: #334bfa33;"><p class="no-margin">blue</p></div>"#,
    r#"<div class="intercom-interblocks-callout" style="background-color: #d7efdc80; border-color: #1bb15733;"><p class="no-margin">green</p></div>"#,
    r#"<div class="intercom-interblocks-callout" style="background-color: #e8e8e880; border-color: #73737633;"><p class="no-margin">gray</p></div>"#,
    r#"<div class="intercom-interblocks-callout" style="background-color: #feedaf80; border-color: #fbc91633;"><p class="no-margin">yellow</p></div>"#,
    r#"<div class="intercom-interblocks-callout" style="background-color: #fed9db80; border-color: #fd3a5733;"><p class="no-margin">red</p></div>"#,
);

fn post(http: &Http, path: &str, body: &Value) -> Value {
    let (status, out) = http.call("POST", path, Some(body));
    assert_eq!(status, 200, "POST {path}: {out}");
    out
}

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .map_or_else(|| v["id"].to_string(), str::to_owned)
}

/// Seeds the emulator the way a help center written in Intercom's editor looks. `exact` leaves
/// out what Markdown cannot say (right alignment, a table without a bold first row) and the
/// duplicate title, which only adoption (no state file) cannot tell apart.
fn seed(http: &Http, exact: bool) {
    let modern = if exact {
        MODERN
            .replace(
                "<p class=\"intercom-align-right no-margin\">right aligned</p>",
                "",
            )
            .replace(
                "<p class=\"no-margin\">A1</p>",
                "<p class=\"no-margin\"><b>A1</b></p>",
            )
            .replace(
                "<p class=\"no-margin\">B1</p>",
                "<p class=\"no-margin\"><b>B1</b></p>",
            )
    } else {
        MODERN.to_owned()
    };
    let start = post(
        http,
        "/help_center/collections",
        &json!({"name": "Getting started", "description": "First steps",
                "translated_content": {"type": "group_translated_content",
                    "fr": {"type": "group_content", "name": "Premiers pas", "description": "Les bases"}}}),
    );
    let tips = post(
        http,
        "/help_center/collections",
        &json!({"name": "Advanced: tips & tricks", "parent_id": id(&start)}),
    );
    let billing = post(
        http,
        "/help_center/collections",
        &json!({"name": "Billing"}),
    );
    let article =
        |title: &str, parent: Option<&Value>, body: &str, state: &str, fr: Option<Value>| {
            let mut req = json!({"title": title, "body": body, "author_id": AUTHOR, "state": state,
                             "description": format!("About {title}")});
            if let Some(p) = parent {
                req["parent_id"] = json!(id(p).parse::<u64>().unwrap());
                req["parent_type"] = json!("collection");
            }
            if let Some(fr) = fr {
                req["translated_content"] = json!({"type": "article_translated_content", "fr": fr});
            }
            post(http, "/articles", &req)
        };
    let install = article(
        "Install the app",
        Some(&start),
        &modern,
        "published",
        Some(
            json!({"type": "article_content", "title": "Installer l'application", "body": "<p>Texte en <b>français</b>.</p>",
                    "author_id": AUTHOR, "state": "published"}),
        ),
    );
    article(
        "Formatting: every block",
        Some(&tips),
        &format!("{OLDER}{CALLOUTS}"),
        "published",
        None,
    );
    let url = install["url"]
        .as_str()
        .expect("published article has a URL");
    article(
        "Refunds",
        Some(&billing),
        &format!(
            r#"<p class="no-margin">Read <a href="{url}" class="intercom-content-link" target="_blank">the install guide</a> first.</p>"#
        ),
        "published",
        Some(
            json!({"type": "article_content", "title": "Remboursements", "body": "<p>Brouillon.</p>",
                    "author_id": AUTHOR, "state": "draft"}),
        ),
    );
    article(
        "Upcoming features",
        Some(&start),
        "<p>Not yet.</p>",
        "draft",
        None,
    );
    if !exact {
        article(
            "Install the app",
            Some(&start),
            "<p>Same title, other article.</p>",
            "published",
            None,
        );
    }
    article(
        "FAQ",
        None,
        "<p>Answers at the root.</p>",
        "published",
        None,
    );
}

/// An empty content root with a config pointing at the emulator.
fn empty_root(base_url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\n\n[assets]\nbase_url = \"https://cdn.example.com/help/\"\n",
    );
    point_at(dir.path(), base_url);
    dir
}

fn files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    collect(root, root, &mut out);
    out.sort();
    out
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            out.push(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn writes(http: &Http) -> Vec<Value> {
    http.requests()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] != "GET")
        .cloned()
        .collect()
}

#[track_caller]
fn assert_plan_empty(root: &Path) {
    let run = run_in(root, &["plan", "--detailed-exitcode", "--format", "json"]);
    assert_eq!(
        run.code, 0,
        "plan after pull is not empty:\n{}\n{}",
        run.stdout, run.stderr
    );
}

#[test]
fn pull_of_intercom_shaped_content_plans_empty_and_applies_nothing() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    seed(&http, false);
    let dir = empty_root(&emu.base_url);
    let root = dir.path();
    let run = run_in(root, &["pull"]).expect(0);
    assert!(
        run.stderr
            .contains("pulled 3 collection(s) and 6 article(s)"),
        "{}",
        run.stderr
    );
    insta::assert_snapshot!("pulled_tree", files(root).join("\n"));
    insta::assert_snapshot!(
        "pulled_formatting",
        read(
            root,
            "getting-started/advanced-tips-tricks/formatting-every-block.md"
        )
    );
    insta::assert_snapshot!(
        "pulled_collection",
        read(root, "getting-started/_collection.yml")
    );
    let refunds_fr = read(root, "billing/refunds.fr.md");
    assert!(
        refunds_fr.contains("state: draft"),
        "unpublished translation is a draft:\n{refunds_fr}"
    );
    assert!(read(root, "getting-started/upcoming-features.md").contains("state: draft"));
    assert!(
        read(root, "billing/refunds.md")
            .contains("[the install guide](../getting-started/install-the-app.md)")
    );
    assert!(read(root, "faq.md").contains("Answers at the root."));
    assert!(read(root, "getting-started/install-the-app.md").contains("author: docs@example.com"));
    run_in(root, &["check"]).expect(0);
    assert_plan_empty(root);
    let (status, _) = http.call("DELETE", "/_sandbox/requests", None);
    assert_eq!(status, 200);
    run_in(root, &["apply", "--yes"]).expect(0);
    assert_eq!(
        writes(&http),
        Vec::<Value>::new(),
        "apply after pull writes nothing"
    );
}

#[test]
fn applied_example_content_pulls_back_to_an_empty_plan() {
    let emu = Emulator::start(&[]);
    let source = example_against(&emu.base_url);
    run_in(source.path(), &["apply", "--yes"]).expect(0);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        source.path().join("helpcenter.toml"),
        dir.path().join("helpcenter.toml"),
    )
    .unwrap();
    run_in(dir.path(), &["pull"]).expect(0);
    assert_plan_empty(dir.path());
    // The French translations came along, and relative links point at the pulled files.
    let start = read(dir.path(), "using-pebble/timers/start-a-timer.md");
    assert!(
        start.contains("[keyboard shortcuts](keyboard-shortcuts.md)"),
        "{start}"
    );
    assert!(
        dir.path()
            .join("using-pebble/timers/start-a-timer.fr.md")
            .is_file()
    );
}

#[test]
fn pull_key_accepts_an_edit_made_in_the_ui() {
    let emu = Emulator::start(&[]);
    let dir = example_against(&emu.base_url);
    let root = dir.path();
    run_in(root, &["apply", "--yes"]).expect(0);
    let state: Value = serde_json::from_str(&read(root, ".helpcenter/test.state.json")).unwrap();
    let key = "billing/refunds";
    let article_id = state["articles"][key]["id"].as_str().unwrap().to_owned();
    let (status, _) = emu.http().call(
        "PUT",
        &format!("/articles/{article_id}"),
        Some(&json!({"body": "<p class=\"no-margin\">Refunds are <b>instant</b> since the UI edit.</p>",
                     "translated_content": {"fr": {"type": "article_content", "title": "Remboursements (UI)"}}})),
    );
    assert_eq!(status, 200);
    let run = run_in(root, &["plan", "--detailed-exitcode", "--format", "json"]).expect(2);
    let plan = run.json();
    assert_eq!(plan["summary"]["drift"], 1, "{plan}");
    let before = files(root);
    run_in(root, &["pull", key]).expect(0);
    assert_plan_empty(root);
    let text = read(root, "billing/refunds.md");
    assert!(
        text.contains("Refunds are **instant** since the UI edit."),
        "{text}"
    );
    assert!(read(root, "billing/refunds.fr.md").contains("title: Remboursements (UI)"));
    let mut after = files(root);
    after.retain(|f| !f.starts_with(".helpcenter/"));
    let mut before = before;
    before.retain(|f| !f.starts_with(".helpcenter/"));
    assert_eq!(
        before, after,
        "pull KEY writes the article's own files only"
    );
    // Other files are untouched.
    assert_eq!(
        read(root, "billing/invoices.md"),
        read(&repo().join("example-content"), "billing/invoices.md")
    );
    // A collection renamed in the UI, pulled back by its key.
    let billing = state["collections"]["billing"]["id"].as_str().unwrap();
    let (status, _) = emu.http().call(
        "PUT",
        &format!("/help_center/collections/{billing}"),
        Some(&json!({"description": "Money matters (UI)"})),
    );
    assert_eq!(status, 200);
    run_in(root, &["plan", "--detailed-exitcode"]).expect(2);
    run_in(root, &["pull", "billing"]).expect(0);
    assert!(read(root, "billing/_collection.yml").contains("description: Money matters (UI)"));
    assert_plan_empty(root);
}

#[test]
fn pull_key_of_an_unknown_key_fails_with_a_hint() {
    let emu = Emulator::start(&[]);
    let dir = example_against(&emu.base_url);
    run_in(dir.path(), &["apply", "--yes"]).expect(0);
    let run = run_in(dir.path(), &["pull", "billing/nope"]).expect(1);
    assert!(
        run.stderr.contains("`billing/nope` is not a key"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
}

#[test]
fn pull_refuses_to_clobber_without_force() {
    let emu = Emulator::start(&[]);
    seed(&emu.http(), false);
    let dir = empty_root(&emu.base_url);
    let root = dir.path();
    write(root, "faq.md", "---\ntitle: Local FAQ\n---\nMine.\n");
    write(root, "old/_collection.yml", "name: Old\n");
    write(
        root,
        "old/stale.md",
        "---\ntitle: Stale\n---\nGone after a forced pull.\n",
    );
    let run = run_in(root, &["pull"]).expect(1);
    insta::assert_snapshot!(
        "refuse_to_clobber",
        run.stderr.replace(&root.display().to_string(), "[DIR]")
    );
    assert_eq!(
        read(root, "faq.md"),
        "---\ntitle: Local FAQ\n---\nMine.\n",
        "nothing written"
    );
    run_in(root, &["pull", "--force"]).expect(0);
    assert!(read(root, "faq.md").contains("Answers at the root."));
    assert!(
        !root.join("old/stale.md").exists(),
        "stale content is removed by --force"
    );
    assert_plan_empty(root);
    // Pulling again with --force gives the same tree.
    let first = files(root);
    run_in(root, &["pull", "--force"]).expect(0);
    assert_eq!(files(root), first);
}

#[test]
fn pull_needs_a_config() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), &["pull"]).expect(1);
    assert!(
        run.stderr.contains("no `helpcenter.toml`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("helpcenter init"), "{}", run.stderr);
}

#[test]
fn pull_from_the_embedded_sandbox_target() {
    // The `local` sandbox target of example-content: apply, then pull into a copy that keeps
    // only the config and the sandbox data.
    let source = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("example-content"), source.path());
    let _ = std::fs::remove_dir_all(source.path().join(".helpcenter"));
    run_in(source.path(), &["apply", "--yes"]).expect(0);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        source.path().join("helpcenter.toml"),
        dir.path().join("helpcenter.toml"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join(".helpcenter")).unwrap();
    std::fs::copy(
        source.path().join(".helpcenter/local.sandbox.db"),
        dir.path().join(".helpcenter/local.sandbox.db"),
    )
    .unwrap();
    run_in(dir.path(), &["pull"]).expect(0);
    assert_plan_empty(dir.path());
}

/// Without a state file the planner compares bodies through the normaliser: an adoption with
/// no locale to write means the pulled Markdown renders to what Intercom holds.
#[track_caller]
fn assert_faithful(root: &Path) {
    std::fs::remove_file(root.join(".helpcenter/test.state.json")).unwrap();
    let plan = run_in(root, &["plan", "--format", "json"]).json();
    for change in plan["changes"].as_array().unwrap() {
        assert_eq!(change["action"], "adopt", "{change}");
        if change["locales"] != json!([]) {
            let text = run_in(root, &["plan"]).stdout;
            panic!("pulled Markdown renders differently: {change}\n{text}");
        }
    }
}

#[test]
fn pulled_markdown_renders_to_what_intercom_holds() {
    let emu = Emulator::start(&[]);
    seed(&emu.http(), true);
    let dir = empty_root(&emu.base_url);
    run_in(dir.path(), &["pull"]).expect(0);
    assert_faithful(dir.path());
}

#[test]
fn pull_key_keeps_an_explicit_key_and_follows_a_move_made_in_the_ui() {
    let emu = Emulator::start(&[]);
    let dir = example_against(&emu.base_url);
    let root = dir.path();
    run_in(root, &["apply", "--yes"]).expect(0);
    let state: Value = serde_json::from_str(&read(root, ".helpcenter/test.state.json")).unwrap();
    // `billing/plans-and-pricing.md` has `key: billing/plans`: edited in the UI, pulled back.
    // (Not its title: that changes its URL, and the articles linking to it would need updates.)
    let plans = state["articles"]["billing/plans"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let http = emu.http();
    let (status, _) = http.call(
        "PUT",
        &format!("/articles/{plans}"),
        Some(&json!({"description": "Edited in the UI"})),
    );
    assert_eq!(status, 200);
    run_in(root, &["pull", "billing/plans"]).expect(0);
    let text = read(root, "billing/plans-and-pricing.md");
    assert!(text.contains("description: Edited in the UI"), "{text}");
    assert!(text.contains("key: billing/plans"), "{text}");
    assert_plan_empty(root);
    // An article moved to another collection in the UI: its files follow, its key stays.
    let invoices = state["articles"]["billing/invoices"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = state["collections"]["getting-started"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = http.call(
        "PUT",
        &format!("/articles/{invoices}"),
        Some(&json!({"parent_id": started})),
    );
    assert_eq!(status, 200);
    let run = run_in(root, &["pull", "billing/invoices"]).expect(0);
    assert!(
        run.stderr.contains("moved to another collection"),
        "{}",
        run.stderr
    );
    assert!(!root.join("billing/invoices.md").exists());
    let moved = read(root, "getting-started/invoices.md");
    assert!(moved.contains("key: billing/invoices"), "{moved}");
    assert_plan_empty(root);
}

#[test]
fn pull_from_a_single_language_help_center() {
    let emu = Emulator::start(&["--single-language"]);
    let http = emu.http();
    let guides = post(
        &http,
        "/help_center/collections",
        &json!({"name": "Guides"}),
    );
    post(
        &http,
        "/articles",
        &json!({"title": "Hello", "body": "<p>Hi <b>there</b></p>", "author_id": AUTHOR,
                "state": "published", "parent_id": id(&guides).parse::<u64>().unwrap()}),
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\"]\n",
    );
    point_at(dir.path(), &emu.base_url);
    run_in(dir.path(), &["pull"]).expect(0);
    assert_eq!(
        read(dir.path(), "guides/hello.md"),
        "---\ntitle: Hello\nstate: published\nauthor: docs@example.com\n---\n\nHi **there**\n"
    );
    assert_plan_empty(dir.path());
}
