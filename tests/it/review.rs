//! Reviewing a plan as a pull request shows it: text, Markdown (the PR comment) and JSON plans
//! through the binary against `sandbox serve`, for the cases a reviewer meets (a one-word edit
//! deep in a long article, a 500-article rename, a title-only change, an image swap, a link to
//! a new article, an author change, drift on one field, a delete pending `--prune`).

use std::fmt::Write as _;
use std::path::Path;

use crate::support::{Emulator, bin, point_at, run_in, write};

/// GitHub's comment limit.
const COMMENT_LIMIT: usize = 65_536;

/// Emulator ids (7000001…, 3000001…) and ports vary between runs: replace them.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let is_id = i + 7 <= bytes.len()
            && (text[i..].starts_with("7000") || text[i..].starts_with("3000"))
            && bytes[i..i + 7].iter().all(u8::is_ascii_digit)
            && (i + 7 == bytes.len() || !bytes[i + 7].is_ascii_digit())
            && (i == 0 || !bytes[i - 1].is_ascii_digit());
        if is_id {
            out.push_str("[id]");
            i += 7;
        } else if text[i..].starts_with("127.0.0.1:") {
            out.push_str("127.0.0.1:[port]");
            i += "127.0.0.1:".len();
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn config(root: &Path, base_url: &str, locales: &str) {
    write(
        root,
        "helpcenter.toml",
        &format!(
            "default_locale = \"en\"\nlocales = [{locales}]\n\n[defaults]\nauthor = \"docs@example.com\"\n\n[assets]\nbase_url = \"https://cdn.example/docs/\"\n"
        ),
    );
    point_at(root, base_url);
}

/// The three formats of `plan` (each must exit 0), redacted.
fn plans(root: &Path) -> (String, String, String) {
    let text = run_in(root, &["plan"]).expect(0).stdout;
    let md = run_in(root, &["plan", "--format", "markdown"])
        .expect(0)
        .stdout;
    let json = run_in(root, &["plan", "--format", "json"]).expect(0).stdout;
    assert!(md.len() <= COMMENT_LIMIT, "comment is {} bytes", md.len());
    (redact(&text), redact(&md), redact(&json))
}

fn snapshot_all(name: &str, root: &Path) {
    let (text, md, json) = plans(root);
    insta::assert_snapshot!(format!("{name}_text"), text);
    insta::assert_snapshot!(format!("{name}_markdown"), md);
    insta::assert_snapshot!(format!("{name}_json"), json);
}

fn apply(root: &Path) {
    run_in(root, &["apply", "--yes"]).expect(0);
    let after = run_in(root, &["plan", "--detailed-exitcode"]);
    assert_eq!(after.code, 0, "apply then plan is empty:\n{}", after.stdout);
}

fn guides(root: &Path) {
    write(root, "guides/_collection.yml", "name: Guides\n");
}

fn long_article(edit: bool) -> String {
    let mut s = String::from("---\ntitle: The long guide\n---\n");
    for n in 1..=60 {
        let _ = writeln!(s, "## Section {n}\n");
        for p in 1..=4 {
            let word = if edit && n == 58 && p == 2 {
                "carefully"
            } else {
                "quickly"
            };
            let _ = writeln!(
                s,
                "Paragraph {p} of section {n} explains the step {word}.\n"
            );
        }
    }
    s
}

#[test]
fn one_word_edit_in_section_58_is_shown_with_its_section() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), &emu.base_url, "\"en\"");
    guides(dir.path());
    write(dir.path(), "guides/long.md", &long_article(false));
    apply(dir.path());
    write(dir.path(), "guides/long.md", &long_article(true));
    snapshot_all("long_article_one_word", dir.path());
}

#[test]
fn title_only_change_has_no_body_line() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), &emu.base_url, "\"en\", \"de\", \"fr\"");
    guides(dir.path());
    write(
        dir.path(),
        "guides/start.md",
        "---\ntitle: Start here\n---\nWelcome.\n",
    );
    write(
        dir.path(),
        "guides/start.de.md",
        "---\ntitle: Hier beginnen\n---\nWillkommen.\n",
    );
    write(
        dir.path(),
        "guides/start.fr.md",
        "---\ntitle: Commencer ici\n---\nBienvenue.\n",
    );
    apply(dir.path());
    write(
        dir.path(),
        "guides/start.md",
        "---\ntitle: Start here first\n---\nWelcome.\n",
    );
    write(
        dir.path(),
        "guides/start.de.md",
        "---\ntitle: Hier zuerst beginnen\n---\nWillkommen.\n",
    );
    let (text, ..) = plans(dir.path());
    assert!(!text.contains("body"), "{text}");
    snapshot_all("title_only", dir.path());
}

#[test]
fn an_image_swap_names_the_image() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), &emu.base_url, "\"en\"");
    write(
        dir.path(),
        "getting-started/_collection.yml",
        "name: Getting started\n",
    );
    write(dir.path(), "getting-started/images/x.png", "first picture");
    write(dir.path(), "getting-started/images/y.png", "other picture");
    write(
        dir.path(),
        "getting-started/install.md",
        "---\ntitle: Install\n---\nThe installer:\n\n![The installer](images/x.png)\n",
    );
    apply(dir.path());
    // The same file with new content.
    write(dir.path(), "getting-started/images/x.png", "second picture");
    snapshot_all("image_swap", dir.path());
    // Another file with the same alt text.
    write(dir.path(), "getting-started/images/x.png", "first picture");
    write(
        dir.path(),
        "getting-started/install.md",
        "---\ntitle: Install\n---\nThe installer:\n\n![The installer](images/y.png)\n",
    );
    let text = run_in(dir.path(), &["plan"]).expect(0).stdout;
    assert!(
        text.contains("body[en]: image `getting-started/images/y.png` replaces `x.png`"),
        "{text}"
    );
}

#[test]
fn a_link_to_a_new_article_reads_as_its_title() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), &emu.base_url, "\"en\"");
    guides(dir.path());
    write(
        dir.path(),
        "guides/pricing.md",
        "---\ntitle: Pricing\n---\nWe have plans.\n",
    );
    apply(dir.path());
    write(dir.path(), "billing/_collection.yml", "name: Billing\n");
    write(
        dir.path(),
        "billing/plans.md",
        "---\ntitle: Billing plans\n---\nAll the plans.\n",
    );
    write(
        dir.path(),
        "guides/pricing.md",
        "---\ntitle: Pricing\n---\nWe have [plans](../billing/plans.md).\n",
    );
    let (text, md, _) = plans(dir.path());
    assert!(!text.contains("helpcenter-key"), "{text}");
    assert!(!md.contains("helpcenter-key"), "{md}");
    snapshot_all("link_to_new_article", dir.path());
}

#[test]
fn an_author_change_shows_names_and_emails() {
    let emu = Emulator::start(&["--admin", "docs@example.com", "--admin", "ada@example.com"]);
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), &emu.base_url, "\"en\"");
    guides(dir.path());
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\n---\nAsk us.\n",
    );
    apply(dir.path());
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\nauthor: ada@example.com\n---\nAsk us.\n",
    );
    snapshot_all("author_change", dir.path());
}

#[test]
fn drift_is_flagged_only_on_the_field_intercom_changed() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), &emu.base_url, "\"en\"");
    guides(dir.path());
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\n---\nAsk us.\n",
    );
    apply(dir.path());
    let http = emu.http();
    let id = http.articles()[0]["id"].as_str().unwrap().to_owned();
    let (status, _) = http.call(
        "PUT",
        &format!("/articles/{id}"),
        Some(&serde_json::json!({"title": "Questions"})),
    );
    assert_eq!(status, 200);
    // A local body edit at the same time: only the title was changed in Intercom.
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\n---\nAsk us anything.\n",
    );
    let text = redact(&run_in(dir.path(), &["plan"]).expect(0).stdout);
    insta::assert_snapshot!("drift_one_field_text", text);
}

#[test]
fn a_delete_pending_prune_is_not_a_change() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), &emu.base_url, "\"en\"");
    guides(dir.path());
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\n---\nAsk us.\n",
    );
    write(
        dir.path(),
        "guides/old.md",
        "---\ntitle: Old news\n---\nGone soon.\n",
    );
    apply(dir.path());
    std::fs::remove_file(dir.path().join("guides/old.md")).unwrap();
    snapshot_all("pending_delete", dir.path());
    let json = run_in(dir.path(), &["plan", "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(json["summary"]["needs_prune"], 1);
    assert_eq!(json["summary"]["delete"], 0);
    assert_eq!(json["changes"][0]["needs_prune"], true);
    run_in(dir.path(), &["plan", "--detailed-exitcode"]).expect(0);
    let pruned = run_in(dir.path(), &["plan", "--format", "json", "--prune"])
        .expect(0)
        .json();
    assert_eq!(pruned["summary"]["needs_prune"], 0);
    assert_eq!(pruned["summary"]["delete"], 1);
    run_in(dir.path(), &["plan", "--detailed-exitcode", "--prune"]).expect(2);
}

/// A product rename touching 500 articles: every article keeps its row in the comment, which
/// stays within GitHub's limit.
#[test]
fn a_500_article_rename_names_every_article_within_the_limit() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), &emu.base_url, "\"en\"");
    let article = |c: usize, n: usize, product: &str| {
        format!(
            "---\ntitle: {product} feature {n}\n---\n## Overview\n\nFeature {n} of area {c} is part of {product}.\n\n## Details\n\nTurn it on in the settings.\n"
        )
    };
    for c in 0..5 {
        write(
            dir.path(),
            &format!("area-{c}/_collection.yml"),
            &format!("name: Area {c}\n"),
        );
        for n in 0..100 {
            write(
                dir.path(),
                &format!("area-{c}/feature-{n:03}.md"),
                &article(c, n, "Acme"),
            );
        }
    }
    apply(dir.path());
    for c in 0..5 {
        for n in 0..100 {
            write(
                dir.path(),
                &format!("area-{c}/feature-{n:03}.md"),
                &article(c, n, "Globex"),
            );
        }
    }
    let md = run_in(dir.path(), &["plan", "--format", "markdown"])
        .expect(0)
        .stdout;
    assert!(md.len() <= COMMENT_LIMIT, "comment is {} bytes", md.len());
    for c in 0..5 {
        for n in 0..100 {
            let key = format!("`area-{c}/feature-{n:03}`");
            assert!(md.contains(&key), "{key} is not named");
        }
    }
    insta::assert_snapshot!("rename_500_markdown", redact(&md));
    let json = run_in(dir.path(), &["plan", "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(json["summary"]["update"], 500);
}

/// `helpcenter preview --port 0` over `dir`: the Changes page's HTML.
fn preview_changes(dir: &Path) -> String {
    let mut child = bin()
        .arg("--color")
        .arg("never")
        .arg("--dir")
        .arg(dir)
        .args(["preview", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("binary starts");
    let url = crate::support::first_line_url(&mut child, "preview ");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let page = rt.block_on(async {
        let resp = reqwest::get(format!("{url}/changes"))
            .await
            .expect("request");
        assert_eq!(resp.status().as_u16(), 200);
        resp.text().await.unwrap()
    });
    let _ = child.kill();
    let _ = child.wait();
    page
}

#[test]
fn the_changes_view_has_no_false_body_line_and_names_an_image_swap() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), &emu.base_url, "\"en\"");
    guides(dir.path());
    write(dir.path(), "guides/images/x.png", "first picture");
    write(
        dir.path(),
        "guides/start.md",
        "---\ntitle: Start here\n---\nWelcome.\n",
    );
    write(
        dir.path(),
        "guides/shot.md",
        "---\ntitle: Screenshot\n---\n![The screen](images/x.png)\n",
    );
    apply(dir.path());
    write(
        dir.path(),
        "guides/start.md",
        "---\ntitle: Start here first\nstate: draft\n---\nWelcome.\n",
    );
    write(dir.path(), "guides/images/x.png", "second picture");
    let page = preview_changes(dir.path());
    assert!(!page.contains("markup changed"), "{page}");
    let start = &page[page
        .find(r#"class="change action-update" data-key="guides/start""#)
        .expect("start listed")..];
    let start = &start[..start.find("</section>").unwrap()];
    assert!(start.contains(r#"data-field="title""#), "{start}");
    assert!(start.contains(r#"data-field="state""#), "{start}");
    assert!(!start.contains(r#"data-field="body""#), "{start}");
    assert!(
        page.contains("<li>image `guides/images/x.png` changed</li>"),
        "{page}"
    );
}

#[test]
fn near_miss_translation_names_get_a_did_you_mean_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\n\n[defaults]\nauthor = \"docs@example.com\"\n",
    );
    write(
        dir.path(),
        "billing/_collection.yml",
        "name: Billing\ntranslations:\n  fr:\n    name: Facturation\n",
    );
    for name in ["invoices", "invoices-fr", "invoices_fr", "invoices.french"] {
        write(
            dir.path(),
            &format!("billing/{name}.md"),
            "---\ntitle: Invoices\n---\nText.\n",
        );
    }
    let run = run_in(dir.path(), &["check"]);
    insta::assert_snapshot!(
        "near_miss_translation_check",
        format!(
            "exit {}\n{}",
            run.code,
            run.stderr.replace(dir.path().to_str().unwrap(), "[dir]")
        )
    );
    run_in(dir.path(), &["check", "--strict"]).expect(1);
}
