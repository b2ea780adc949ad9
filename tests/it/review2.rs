//! Review, second part (issue 12): the impact of a plan on readers (Intercom's statistics of
//! the articles it deletes, unpublishes or renames, and the `protect_views` guard), through
//! the binary against `sandbox serve`.

use std::path::Path;

use crate::review::redact;
use crate::support::{Emulator, Http, point_at, run_in, write};

fn config(root: &Path, base_url: &str, locales: &str, target_extra: &str) {
    write(
        root,
        "helpcenter.toml",
        &format!(
            "default_locale = \"en\"\nlocales = [{locales}]\n\n[defaults]\nauthor = \"docs@example.com\"\n"
        ),
    );
    point_at(root, base_url);
    if !target_extra.is_empty() {
        let path = root.join("helpcenter.toml");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(target_extra);
        text.push('\n');
        std::fs::write(path, text).unwrap();
    }
}

/// A collection with two articles (`faq` and `old`, the latter in English and French),
/// applied.
fn applied(emu: &Emulator, target_extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    config(root, &emu.base_url, "\"en\", \"fr\"", target_extra);
    write(
        root,
        "guides/_collection.yml",
        "name: Guides\ntranslations:\n  fr:\n    name: Guides\n",
    );
    write(root, "guides/faq.md", "---\ntitle: FAQ\n---\nAsk us.\n");
    write(
        root,
        "guides/old.md",
        "---\ntitle: Old news\n---\nGone soon.\n",
    );
    write(
        root,
        "guides/old.fr.md",
        "---\ntitle: Vieilles nouvelles\n---\nBientôt parti.\n",
    );
    run_in(root, &["apply", "--yes"]).expect(0);
    dir
}

fn article_id(http: &Http, title: &str) -> String {
    http.articles()
        .into_iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no article `{title}`"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn seed_views(http: &Http, id: &str, views: u64, conversations: u64, reactions: u64) {
    let body = serde_json::json!({ id: {"views": views, "conversations": conversations, "reactions": reactions} });
    let (status, answer) = http.call("PUT", "/_sandbox/statistics", Some(&body));
    assert_eq!(status, 200, "{answer}");
}

/// The GET paths of the emulator's log since it was last cleared.
fn gets(http: &Http) -> Vec<String> {
    http.requests()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "GET")
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_delete_of_an_article_with_views_shows_its_statistics_in_every_format() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let dir = applied(&emu, "protect_views = 0");
    let old = article_id(&http, "Old news");
    seed_views(&http, &old, 1234, 5, 12);
    std::fs::remove_file(dir.path().join("guides/old.md")).unwrap();
    std::fs::remove_file(dir.path().join("guides/old.fr.md")).unwrap();
    let text = run_in(dir.path(), &["plan", "--prune"]).expect(0).stdout;
    let md = run_in(dir.path(), &["plan", "--prune", "--format", "markdown"])
        .expect(0)
        .stdout;
    let json = run_in(dir.path(), &["plan", "--prune", "--format", "json"])
        .expect(0)
        .stdout;
    insta::assert_snapshot!("impact_delete_text", redact(&text));
    insta::assert_snapshot!("impact_delete_markdown", redact(&md));
    insta::assert_snapshot!("impact_delete_json", redact(&json));
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        plan["changes"][0]["statistics"],
        serde_json::json!({"views": 1234, "conversations": 5, "reactions": 12})
    );
}

#[test]
fn statistics_cost_one_get_per_article_removed_or_renamed_and_none_for_the_rest() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let dir = applied(&emu, "");
    let mut want = vec![
        format!("/articles/{}", article_id(&http, "FAQ")),
        format!("/articles/{}", article_id(&http, "Old news")),
    ];
    want.sort();
    let (status, _) = http.call("DELETE", "/_sandbox/requests", None);
    assert_eq!(status, 200);
    run_in(dir.path(), &["plan"]).expect(0);
    let baseline = gets(&http);
    assert!(
        baseline.iter().all(|p| !p.starts_with("/articles/")),
        "a plan without deletes, unpublishes or renames fetches no article: {baseline:?}"
    );
    // One rename, one deleted article: one GET each, nothing else.
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: Questions\n---\nAsk us again.\n",
    );
    std::fs::remove_file(dir.path().join("guides/old.md")).unwrap();
    std::fs::remove_file(dir.path().join("guides/old.fr.md")).unwrap();
    http.call("DELETE", "/_sandbox/requests", None);
    run_in(dir.path(), &["plan"]).expect(0);
    let all = gets(&http);
    let mut extra: Vec<String> = all
        .iter()
        .filter(|p| p.starts_with("/articles/"))
        .cloned()
        .collect();
    extra.sort();
    assert_eq!(extra, want);
    assert_eq!(all.len(), baseline.len() + 2, "{all:?}");
}

#[test]
fn protect_views_holds_a_popular_delete_until_force_prune() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let dir = applied(&emu, "");
    let old = article_id(&http, "Old news");
    seed_views(&http, &old, 100, 0, 0);
    std::fs::remove_file(dir.path().join("guides/old.md")).unwrap();
    std::fs::remove_file(dir.path().join("guides/old.fr.md")).unwrap();
    let plan = run_in(dir.path(), &["plan", "--prune", "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(plan["changes"][0]["needs_force_prune"], true);
    let refused = run_in(dir.path(), &["apply", "--yes", "--prune"]).expect(1);
    insta::assert_snapshot!(
        "impact_protected_apply_stderr",
        redact(
            &refused
                .stderr
                .replace(&dir.path().display().to_string(), "[root]")
        )
    );
    assert_eq!(http.articles().len(), 2, "nothing was deleted");
    run_in(dir.path(), &["apply", "--yes", "--force-prune"]).expect(0);
    assert_eq!(http.articles().len(), 1);
    run_in(dir.path(), &["plan", "--detailed-exitcode"]).expect(0);
}

#[test]
fn protect_views_below_the_threshold_or_off_lets_prune_delete() {
    for (extra, views) in [("", 99), ("protect_views = 0", 1_000_000)] {
        let emu = Emulator::start(&[]);
        let http = emu.http();
        let dir = applied(&emu, extra);
        let old = article_id(&http, "Old news");
        seed_views(&http, &old, views, 0, 0);
        std::fs::remove_file(dir.path().join("guides/old.md")).unwrap();
        std::fs::remove_file(dir.path().join("guides/old.fr.md")).unwrap();
        run_in(dir.path(), &["apply", "--yes", "--prune"]).expect(0);
        assert_eq!(http.articles().len(), 1, "{extra:?} {views}");
    }
}

#[test]
fn protect_views_guards_unpublishing_a_popular_translation_too() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let dir = applied(&emu, "protect_views = 10");
    let old = article_id(&http, "Old news");
    seed_views(&http, &old, 10, 1, 2);
    std::fs::remove_file(dir.path().join("guides/old.fr.md")).unwrap();
    let text = run_in(dir.path(), &["plan"]).expect(0).stdout;
    insta::assert_snapshot!("impact_protected_unpublish_text", redact(&text));
    run_in(dir.path(), &["apply", "--yes"]).expect(1);
    run_in(dir.path(), &["apply", "--yes", "--force-prune"]).expect(0);
    run_in(dir.path(), &["plan", "--detailed-exitcode"]).expect(0);
}

#[test]
fn a_rename_shows_its_statistics_and_is_not_guarded() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let dir = applied(&emu, "protect_views = 1");
    let faq = article_id(&http, "FAQ");
    seed_views(&http, &faq, 40, 0, 3);
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: Questions\n---\nAsk us.\n",
    );
    let text = run_in(dir.path(), &["plan"]).expect(0).stdout;
    insta::assert_snapshot!("impact_rename_text", redact(&text));
    run_in(dir.path(), &["apply", "--yes"]).expect(0);
}

#[test]
fn protect_views_must_be_a_count() {
    let dir = tempfile::tempdir().unwrap();
    config(
        dir.path(),
        "http://127.0.0.1:9",
        "\"en\"",
        "protect_views = -1",
    );
    write(dir.path(), "faq.md", "---\ntitle: FAQ\n---\nAsk us.\n");
    let run = run_in(dir.path(), &["check"]).expect(1);
    insta::assert_snapshot!(
        "impact_protect_views_type",
        run.stderr
            .replace(&dir.path().display().to_string(), "[root]")
    );
}

#[test]
fn two_articles_with_one_title_in_one_collection_get_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), "http://127.0.0.1:9", "\"en\"", "");
    write(dir.path(), "guides/_collection.yml", "name: Guides\n");
    write(
        dir.path(),
        "guides/invoices.md",
        "---\ntitle: Invoices\n---\nPay.\n",
    );
    write(
        dir.path(),
        "guides/billing.md",
        "---\ndescription: Money\ntitle: Invoices\n---\nPay now.\n",
    );
    // The same title in another collection is fine.
    write(dir.path(), "other/_collection.yml", "name: Other\n");
    write(
        dir.path(),
        "other/invoices.md",
        "---\ntitle: Invoices\n---\nPay.\n",
    );
    let run = run_in(dir.path(), &["check"]).expect(0);
    insta::assert_snapshot!(
        "duplicate_title_check",
        run.stderr
            .replace(&dir.path().display().to_string(), "[root]")
    );
    run_in(dir.path(), &["check", "--strict"]).expect(1);
}
