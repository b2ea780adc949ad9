//! Key outputs pinned whole (exit code, stdout and stderr) through the snapshot harness in
//! `snap.rs`: the plan/apply cycle against an embedded sandbox target, the refusals that send
//! nothing, and the offline commands' errors. A change to any of them shows in review.

use crate::snap::assert_run;
use crate::support::write;

/// A sandbox target (the embedded emulator: deterministic ids), one collection, two articles.
fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "helpcenter.toml",
        "default_locale = \"en\"\n\n[defaults]\nauthor = \"ada@example.com\"\n\n\
         [targets.local]\nkind = \"sandbox\"\n",
    );
    write(tmp.path(), "guides/_collection.yml", "name: Guides\n");
    write(
        tmp.path(),
        "guides/start.md",
        "---\ntitle: Start here\n---\nHello, see [the FAQ](faq.md).\n",
    );
    write(
        tmp.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\n---\nQuestions.\n",
    );
    tmp
}

#[test]
fn plan_apply_cycle() {
    let tmp = project();
    let root = tmp.path();
    assert_run(
        "first_plan_detailed",
        root,
        &["plan", "--detailed-exitcode"],
    );
    assert_run("apply_refuses_without_a_terminal", root, &["apply"]);
    // One request at a time: the progress lines come in a fixed order.
    assert_run(
        "first_apply",
        root,
        &["apply", "--yes", "--concurrency", "1"],
    );
    assert_run("empty_plan", root, &["plan", "--detailed-exitcode"]);
    std::fs::remove_file(root.join("guides/faq.md")).unwrap();
    write(
        root,
        "guides/start.md",
        "---\ntitle: Start here\n---\nHello again.\n",
    );
    assert_run("pending_delete_without_prune", root, &["plan"]);
    assert_run(
        "apply_with_prune",
        root,
        &["apply", "--yes", "--prune", "--concurrency", "1"],
    );
}

#[test]
fn refusals_and_errors() {
    let tmp = project();
    let root = tmp.path();
    assert_run("unknown_target", root, &["--target", "prod", "plan"]);
    assert_run("render_not_an_article", root, &["render", "nope.md"]);
    write(
        root,
        "guides/bad.md",
        "---\ntitle: Bad\ntitel: typo\n---\nSee [x](missing.md).\n",
    );
    assert_run("plan_with_content_errors", root, &["plan"]);
    assert_run("check_github", root, &["check", "--format", "github"]);
    let not_a_plan = root.join("helpcenter.toml");
    let not_a_plan = not_a_plan.to_str().unwrap();
    assert_run(
        "saved_plan_is_not_a_plan",
        root,
        &["apply", "--yes", not_a_plan],
    );
}
