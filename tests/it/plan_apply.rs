//! Plan and apply through the real binary against the real emulator (`sandbox serve`).

use std::path::Path;

use crate::support::{Emulator, Run, example_against, point_at, run_in, write};

/// A small bilingual tree: two collections (one nested), four articles, a link, an image.
fn small_tree(root: &Path, base_url: &str) {
    write(
        root,
        "helpcenter.toml",
        r#"default_locale = "en"
locales = ["en", "fr"]

[defaults]
state = "published"
author = "docs@example.com"

[assets]
base_url = "https://cdn.example.com/help/"
"#,
    );
    point_at(root, base_url);
    write(
        root,
        "guides/_collection.yml",
        "name: Guides\ndescription: How to use it\ntranslations:\n  fr:\n    name: Guides FR\n    description: Mode d'emploi\n",
    );
    write(root, "guides/setup/_collection.yml", "name: Setup\n");
    write(
        root,
        "guides/start.md",
        "---\ntitle: Start here\ndescription: The first steps\n---\n# Welcome\n\nRead [the install guide](setup/install.md) first.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    );
    write(
        root,
        "guides/start.fr.md",
        "---\ntitle: Commencer ici\n---\n# Bienvenue\n\nLisez [le guide](setup/install.md).\n",
    );
    write(
        root,
        "guides/setup/install.md",
        "---\ntitle: Install the app\n---\n## Download\n\n![Screen](images/screen.png)\n\n```\nbrew install app\n```\n",
    );
    write(
        root,
        "guides/setup/install.fr.md",
        "---\ntitle: Installer l'application\n---\n## Télécharger\n\nTexte.\n",
    );
    std::fs::create_dir_all(root.join("guides/setup/images")).unwrap();
    std::fs::write(
        root.join("guides/setup/images/screen.png"),
        b"\x89PNG\r\n\x1a\nfake-but-stable",
    )
    .unwrap();
    write(
        root,
        "guides/faq.md",
        "---\ntitle: FAQ\n---\n**Bold** and *italic* and a [link](https://example.com).\n",
    );
    write(
        root,
        "guides/setup/upgrade.md",
        "---\ntitle: Upgrade\nstate: draft\n---\nUpgrade notes.\n",
    );
}

fn plan_json(root: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["plan", "--format", "json"];
    args.extend_from_slice(extra);
    let run = run_in(root, &args);
    assert!(
        run.code == 0 || run.code == 2,
        "plan failed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run.json()
}

fn apply(root: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["apply", "--yes"];
    args.extend_from_slice(extra);
    run_in(root, &args)
}

fn summary(plan: &serde_json::Value, what: &str) -> u64 {
    plan["summary"][what].as_u64().unwrap()
}

/// Collections (`_collection.yml`) and articles (default-locale `.md` files, not README) under
/// `dir`, leaving out `internal/`: the help-center targets exclude it (`exclude =
/// ["internal/**"]`), it is published to Fin by `local-fin`.
fn example_objects(dir: &Path) -> u64 {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() && name == "internal" && dir.ends_with("example-content") {
            continue;
        }
        if path.is_dir() {
            n += example_objects(&path);
        } else if name == "_collection.yml"
            || (name != "README.md"
                && path.extension().is_some_and(|e| e == "md")
                && !path.file_stem().unwrap().to_string_lossy().contains('.'))
        {
            n += 1;
        }
    }
    n
}

fn changes(plan: &serde_json::Value) -> Vec<serde_json::Value> {
    plan["changes"].as_array().cloned().unwrap_or_default()
}

#[track_caller]
fn assert_converged(root: &Path) {
    let run = run_in(root, &["plan", "--detailed-exitcode", "--format", "json"]);
    assert_eq!(
        run.code, 0,
        "plan after apply is not empty:\n{}\n{}",
        run.stdout, run.stderr
    );
    assert!(changes(&run.json()).is_empty());
}

fn setup() -> (Emulator, tempfile::TempDir) {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
    (emu, dir)
}

#[test]
fn example_content_converges() {
    let emu = Emulator::start(&[]);
    let dir = example_against(&emu.base_url);
    let first = plan_json(dir.path(), &[]);
    // Every collection and every article of the example is created, nothing else.
    let objects = example_objects(&crate::support::repo().join("example-content"));
    assert_eq!(
        first["summary"],
        serde_json::json!({
            "create": objects, "update": 0, "delete": 0, "adopt": 0, "move": 0, "recreate": 0,
            "unpublish": 0, "unchanged": 0, "drift": 0, "needs_prune": 0,
        }),
        "{first}"
    );
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
    // A second apply sends nothing.
    let writes_before = writes(&emu);
    let run = apply(dir.path(), &[]).expect(0);
    assert!(run.stderr.contains("Nothing to apply"), "{}", run.stderr);
    assert_eq!(writes(&emu), writes_before);
    // No duplicates: every title appears once per parent.
    let mut seen = std::collections::BTreeSet::new();
    for a in emu.http().articles() {
        assert!(
            seen.insert((a["parent_id"].to_string(), a["title"].to_string())),
            "duplicate {a}"
        );
    }
}

#[test]
fn edit_one_article_is_exactly_one_update() {
    let (_emu, dir) = setup();
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\n---\n**Bold** and *italic* and a changed [link](https://example.com/x).\n",
    );
    let plan = plan_json(dir.path(), &[]);
    let c = changes(&plan);
    assert_eq!(c.len(), 1, "{plan}");
    assert_eq!(c[0]["action"], "update");
    assert_eq!(c[0]["key"], "guides/faq");
    assert_eq!(c[0]["locales"], serde_json::json!(["en"]));
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
}

#[test]
fn edit_only_the_french_file_updates_locale_fr() {
    let (_emu, dir) = setup();
    write(
        dir.path(),
        "guides/setup/install.fr.md",
        "---\ntitle: Installer l'application\n---\n## Télécharger\n\nAutre texte.\n",
    );
    let plan = plan_json(dir.path(), &[]);
    let c = changes(&plan);
    assert_eq!(c.len(), 1, "{plan}");
    assert_eq!(c[0]["action"], "update");
    assert_eq!(c[0]["locales"], serde_json::json!(["fr"]));
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
}

#[test]
fn rename_with_explicit_key_is_an_update_not_a_delete_and_create() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\nkey: faq\n---\nAnswers.\n",
    );
    apply(dir.path(), &[]).expect(0);
    std::fs::remove_file(dir.path().join("guides/faq.md")).unwrap();
    write(
        dir.path(),
        "guides/questions.md",
        "---\ntitle: Frequent questions\nkey: faq\n---\nAnswers.\n",
    );
    let plan = plan_json(dir.path(), &[]);
    let c = changes(&plan);
    assert_eq!(c.len(), 1, "{plan}");
    assert_eq!(c[0]["action"], "update");
    assert_eq!(c[0]["key"], "faq");
    let warning = plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("URL changes"));
    assert!(warning, "a title change warns that the URL changes: {plan}");
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
    let titles: Vec<_> = emu
        .http()
        .articles()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        titles.contains(&"Frequent questions".to_owned()) && !titles.contains(&"FAQ".to_owned()),
        "{titles:?}"
    );
}

#[test]
fn moved_file_without_key_is_a_move() {
    let (emu, dir) = setup();
    let before = emu.http().articles().len();
    std::fs::rename(
        dir.path().join("guides/faq.md"),
        dir.path().join("guides/setup/faq.md"),
    )
    .unwrap();
    let plan = plan_json(dir.path(), &[]);
    let c = changes(&plan);
    assert_eq!(c.len(), 1, "{plan}");
    assert_eq!(c[0]["action"], "move");
    assert_eq!(c[0]["previous_key"], "guides/faq");
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
    assert_eq!(
        emu.http().articles().len(),
        before,
        "a move never duplicates"
    );
}

#[test]
fn removed_file_is_deleted_only_with_prune() {
    let (emu, dir) = setup();
    std::fs::remove_file(dir.path().join("guides/faq.md")).unwrap();
    let plan = plan_json(dir.path(), &[]);
    let c = changes(&plan);
    assert_eq!(c.len(), 1, "{plan}");
    assert_eq!(c[0]["action"], "delete");
    assert_eq!(c[0]["needs_prune"], true);
    let run = run_in(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(
        run.code, 0,
        "a delete needing --prune is not a change of this run"
    );
    let run = run_in(dir.path(), &["plan", "--detailed-exitcode", "--prune"]);
    assert_eq!(run.code, 2, "with --prune the delete is a change");
    let count = emu.http().articles().len();
    apply(dir.path(), &[]).expect(0);
    assert_eq!(
        emu.http().articles().len(),
        count,
        "no delete without --prune"
    );
    apply(dir.path(), &["--prune"]).expect(0);
    assert_eq!(emu.http().articles().len(), count - 1);
    assert_converged(dir.path());
}

#[test]
fn removing_half_the_tree_is_refused_without_force_prune() {
    let (emu, dir) = setup();
    std::fs::remove_dir_all(dir.path().join("guides/setup")).unwrap();
    std::fs::remove_file(dir.path().join("guides/faq.md")).unwrap();
    write(
        dir.path(),
        "guides/start.md",
        "---\ntitle: Start here\n---\nNo links.\n",
    );
    write(
        dir.path(),
        "guides/start.fr.md",
        "---\ntitle: Commencer ici\n---\nSans liens.\n",
    );
    let count = emu.http().articles().len();
    let run = apply(dir.path(), &["--prune"]).expect(1);
    assert!(run.stderr.contains("refusing to delete"), "{}", run.stderr);
    assert_eq!(emu.http().articles().len(), count, "nothing deleted");
    apply(dir.path(), &["--force-prune"]).expect(0);
    assert_eq!(emu.http().articles().len(), 1);
    assert_converged(dir.path());
}

#[test]
fn ui_edit_is_drift_and_apply_fails_before_writing() {
    let (emu, dir) = setup();
    let http = emu.http();
    let faq = http
        .articles()
        .into_iter()
        .find(|a| a["title"] == "FAQ")
        .unwrap();
    let id = faq["id"].as_str().unwrap();
    let (status, _) = http.call(
        "PUT",
        &format!("/articles/{id}"),
        Some(&serde_json::json!({"body": "<p>Edited in the UI</p>"})),
    );
    assert_eq!(status, 200);
    let plan = plan_json(dir.path(), &[]);
    let c = changes(&plan);
    assert_eq!(c.len(), 1, "{plan}");
    assert_eq!(c[0]["drift"], true);
    assert_eq!(summary(&plan, "drift"), 1);
    let text = run_in(dir.path(), &["plan"]).stdout;
    assert!(
        text.contains("Edited in the UI"),
        "the drift diff shows the remote text:\n{text}"
    );
    let writes_before = writes(&emu);
    let run = apply(dir.path(), &[]).expect(1);
    assert!(run.stderr.contains("edited in Intercom"), "{}", run.stderr);
    assert!(run.stderr.contains("pull"), "{}", run.stderr);
    assert_eq!(writes(&emu), writes_before, "no write at all on drift");
    apply(dir.path(), &["--on-drift", "skip"]).expect(0);
    assert_eq!(writes(&emu), writes_before);
    apply(dir.path(), &["--on-drift", "overwrite"]).expect(0);
    assert_converged(dir.path());
}

fn writes(emu: &Emulator) -> usize {
    emu.http().requests()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] != "GET")
        .count()
}

#[test]
fn stale_saved_plan_is_refused() {
    let (emu, dir) = setup();
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\n---\nNew answers.\n",
    );
    let out = dir.path().join("plan.json");
    run_in(dir.path(), &["plan", "--out", out.to_str().unwrap()]).expect(0);
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\n---\nNewer answers.\n",
    );
    let run = run_in(dir.path(), &["apply", "--yes", out.to_str().unwrap()]).expect(1);
    assert!(run.stderr.contains("stale"), "{}", run.stderr);
    // Fresh plan, then a remote change to the object it touches.
    run_in(dir.path(), &["plan", "--out", out.to_str().unwrap()]).expect(0);
    let http = emu.http();
    let faq = http
        .articles()
        .into_iter()
        .find(|a| a["title"] == "FAQ")
        .unwrap();
    http.call(
        "PUT",
        &format!("/articles/{}", faq["id"].as_str().unwrap()),
        Some(&serde_json::json!({"description": "ui"})),
    );
    let run = run_in(dir.path(), &["apply", "--yes", out.to_str().unwrap()]).expect(1);
    assert!(run.stderr.contains("stale"), "{}", run.stderr);
    // A fresh saved plan applies.
    run_in(dir.path(), &["plan", "--out", out.to_str().unwrap()]).expect(0);
    run_in(
        dir.path(),
        &[
            "apply",
            "--yes",
            "--on-drift",
            "overwrite",
            out.to_str().unwrap(),
        ],
    )
    .expect(0);
    assert_converged(dir.path());
}

#[test]
fn changed_image_file_is_an_update() {
    let (_emu, dir) = setup();
    std::fs::write(
        dir.path().join("guides/setup/images/screen.png"),
        b"\x89PNG\r\n\x1a\nnew pixels",
    )
    .unwrap();
    let plan = plan_json(dir.path(), &[]);
    let c = changes(&plan);
    assert_eq!(c.len(), 1, "{plan}");
    assert_eq!(c[0]["key"], "guides/setup/install");
    assert_eq!(c[0]["action"], "update");
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
}

#[test]
fn link_to_an_article_created_in_the_same_apply_is_resolved() {
    let (emu, dir) = setup();
    write(
        dir.path(),
        "guides/new.md",
        "---\ntitle: Brand new\n---\nNew page.\n",
    );
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\n---\nSee [the new page](new.md).\n",
    );
    apply(dir.path(), &[]).expect(0);
    let articles = emu.http().articles();
    let new = articles.iter().find(|a| a["title"] == "Brand new").unwrap();
    let faq = articles.iter().find(|a| a["title"] == "FAQ").unwrap();
    let url = new["url"].as_str().unwrap();
    assert!(
        faq["body"].as_str().unwrap().contains(url),
        "faq body links to {url}: {}",
        faq["body"]
    );
    assert!(!faq["body"].as_str().unwrap().contains("helpcenter-key"));
    assert_converged(dir.path());
}

#[test]
fn lost_state_file_adopts_instead_of_duplicating() {
    let (emu, dir) = setup();
    let before = emu.http().articles().len();
    std::fs::remove_dir_all(dir.path().join(".helpcenter")).unwrap();
    let plan = plan_json(dir.path(), &[]);
    assert_eq!(summary(&plan, "create"), 0, "{plan}");
    assert!(summary(&plan, "adopt") > 0, "{plan}");
    apply(dir.path(), &[]).expect(0);
    assert_eq!(emu.http().articles().len(), before);
    assert_converged(dir.path());
}

#[test]
fn removed_translation_is_unpublished() {
    let (emu, dir) = setup();
    std::fs::remove_file(dir.path().join("guides/start.fr.md")).unwrap();
    let plan = plan_json(dir.path(), &[]);
    let c = changes(&plan);
    assert_eq!(c.len(), 1, "{plan}");
    assert_eq!(c[0]["action"], "unpublish");
    assert_eq!(c[0]["locales"], serde_json::json!(["fr"]));
    apply(dir.path(), &[]).expect(0);
    let start = emu
        .http()
        .articles()
        .into_iter()
        .find(|a| a["title"] == "Start here")
        .unwrap();
    assert_eq!(start["translated_content"]["fr"]["state"], "draft");
    assert_converged(dir.path());
}

#[test]
fn deleted_in_the_ui_is_recreated() {
    let (emu, dir) = setup();
    let http = emu.http();
    let faq = http
        .articles()
        .into_iter()
        .find(|a| a["title"] == "FAQ")
        .unwrap();
    let (status, _) = http.call(
        "DELETE",
        &format!("/articles/{}", faq["id"].as_str().unwrap()),
        None,
    );
    assert_eq!(status, 200);
    let plan = plan_json(dir.path(), &[]);
    let c = changes(&plan);
    assert_eq!(c.len(), 1, "{plan}");
    assert_eq!(c[0]["action"], "recreate");
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
}

#[test]
fn apply_without_yes_refuses_without_a_terminal() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    let run = run_in(dir.path(), &["apply"]).expect(1);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert!(emu.http().articles().is_empty());
}

#[test]
fn content_errors_send_nothing() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    write(
        dir.path(),
        "guides/bad.md",
        "---\ntitle: Bad\n---\n[broken](missing.md)\n",
    );
    let run = apply(dir.path(), &[]).expect(1);
    assert!(run.stderr.contains("guides/bad.md:4:1"), "{}", run.stderr);
    assert!(
        emu.http().requests()["requests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["path"] != "/articles" || r["method"] == "GET")
    );
    assert!(emu.http().articles().is_empty());
}

#[test]
fn token_never_appears_in_output() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    for args in [
        &["plan", "-v"][..],
        &["apply", "--yes", "-v"],
        &["plan", "--format", "json"],
    ] {
        let run = run_in(dir.path(), args);
        assert!(
            !run.stdout.contains(crate::support::TOKEN)
                && !run.stderr.contains(crate::support::TOKEN)
        );
    }
    // A wrong token: 401 names the env var, never the token.
    let run = crate::support::bin()
        .env(crate::support::TOKEN_ENV, "wrong_token_value_123")
        .args(["--color", "never", "--dir"])
        .arg(dir.path())
        .arg("plan")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr.contains("401"), "{stderr}");
    assert!(stderr.contains(crate::support::TOKEN_ENV), "{stderr}");
    assert!(!stderr.contains("wrong_token_value_123"), "{stderr}");
}

/// Convergence for every setting of every [UNVERIFIED] switch of the emulator.
#[test]
fn converges_under_every_switch_setting() {
    for (name, _) in helpcenter::sandbox::Switches::all_variants() {
        let flags: Vec<&str> = if name == "default" {
            vec![]
        } else {
            vec!["--switch", name.as_str()]
        };
        let emu = Emulator::start(&flags);
        let dir = tempfile::tempdir().unwrap();
        small_tree(dir.path(), &emu.base_url);
        let run = apply(dir.path(), &[]);
        assert_eq!(run.code, 0, "switch {name}: apply failed\n{}", run.stderr);
        let run = run_in(
            dir.path(),
            &["plan", "--detailed-exitcode", "--format", "json"],
        );
        assert_eq!(
            run.code, 0,
            "switch {name}: plan after apply is not empty\n{}\n{}",
            run.stdout, run.stderr
        );
        // Edit, apply, converge again.
        write(
            dir.path(),
            "guides/faq.md",
            "---\ntitle: FAQ\n---\n## Heading\n\nChanged.\n",
        );
        let run = apply(dir.path(), &[]);
        assert_eq!(
            run.code, 0,
            "switch {name}: second apply failed\n{}",
            run.stderr
        );
        let run = run_in(dir.path(), &["plan", "--detailed-exitcode"]);
        assert_eq!(
            run.code, 0,
            "switch {name}: not converged after an edit\n{}\n{}",
            run.stdout, run.stderr
        );
    }
}

/// With 10% 5xx, 10% lost responses and a tight rate limit, apply completes (re-run while it
/// reports failure), leaves no duplicate, and the next plan is empty.
#[test]
fn faults_never_duplicate_and_converge() {
    let emu = Emulator::start(&[
        "--error-rate",
        "0.1",
        "--lost-rate",
        "0.1",
        "--rate-limit",
        "40",
        "--rate-window-secs",
        "1",
        "--seed",
        "7",
    ]);
    let dir = example_against(&emu.base_url);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let run = apply(dir.path(), &["--on-drift", "fail"]);
        if run.code == 0 {
            break;
        }
        assert!(
            attempts < 8,
            "apply did not complete after {attempts} runs:\n{}",
            run.stderr
        );
    }
    // The following plan runs under the same faults (its GETs are retried).
    let run = run_in(
        dir.path(),
        &["plan", "--detailed-exitcode", "--format", "json"],
    );
    assert_eq!(
        run.code, 0,
        "plan after faulty apply is not empty:\n{}\n{}",
        run.stdout, run.stderr
    );
    let http = emu.http();
    let log = http.requests();
    assert!(
        log["lost"].as_u64().unwrap() > 0,
        "the test must actually lose responses: {}",
        log["by_status"]
    );
    let server_errors: u64 = ["500", "502", "503"]
        .iter()
        .map(|s| log["by_status"][s].as_u64().unwrap_or(0))
        .sum();
    assert!(
        server_errors > 0,
        "the test must actually get 5xx: {}",
        log["by_status"]
    );
    // Inspect the result without faults.
    http.call(
        "PUT",
        "/_sandbox/faults",
        Some(&serde_json::json!({"server_error_rate": 0.0, "lost_response_rate": 0.0})),
    );
    http.call(
        "PUT",
        "/_sandbox/rate_limit",
        Some(&serde_json::json!({"limit": null})),
    );
    let mut seen = std::collections::BTreeSet::new();
    for a in http.articles() {
        assert!(
            seen.insert((a["parent_id"].to_string(), a["title"].to_string())),
            "duplicate article {a}"
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in http.collections() {
        assert!(
            seen.insert((c["parent_id"].to_string(), c["name"].to_string())),
            "duplicate collection {c}"
        );
    }
    assert_eq!(
        seen.len(),
        5,
        "every collection of example-content exists once"
    );
}

#[test]
fn single_language_help_center_is_an_error_not_a_perpetual_diff() {
    let emu = Emulator::start(&["--single-language"]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    let run = apply(dir.path(), &[]).expect(1);
    assert!(
        run.stderr.contains("did not keep the `fr` translation"),
        "{}",
        run.stderr
    );
    let run = run_in(dir.path(), &["plan"]).expect(1);
    assert!(run.stderr.contains("single-language"), "{}", run.stderr);
}

#[test]
fn default_locale_must_match_the_help_center() {
    let emu = Emulator::start(&["--default-locale", "fr"]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    let run = apply(dir.path(), &[]).expect(1);
    assert!(
        run.stderr.contains("default locale is `fr`"),
        "{}",
        run.stderr
    );
    let run = run_in(dir.path(), &["plan"]).expect(1);
    assert!(
        run.stderr.contains("default locale is `fr`"),
        "{}",
        run.stderr
    );
}

#[test]
fn prune_and_on_drift_can_be_set_in_the_target() {
    let (emu, dir) = setup();
    let config = dir.path().join("helpcenter.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}prune = true\non_drift = \"overwrite\"\n"),
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("guides/faq.md")).unwrap();
    let http = emu.http();
    let start = http
        .articles()
        .into_iter()
        .find(|a| a["title"] == "Start here")
        .unwrap();
    http.call(
        "PUT",
        &format!("/articles/{}", start["id"].as_str().unwrap()),
        Some(&serde_json::json!({"description": "ui edit"})),
    );
    let plan = plan_json(dir.path(), &[]);
    let delete = changes(&plan)
        .into_iter()
        .find(|c| c["action"] == "delete")
        .unwrap();
    assert_eq!(delete["needs_prune"], false, "prune = true: {plan}");
    let count = http.articles().len();
    apply(dir.path(), &[]).expect(0);
    assert_eq!(http.articles().len(), count - 1);
    let start = http
        .articles()
        .into_iter()
        .find(|a| a["title"] == "Start here")
        .unwrap();
    assert_eq!(
        start["description"], "The first steps",
        "on_drift = overwrite puts back the repository's version"
    );
    assert_converged(dir.path());
}

#[test]
fn renamed_collection_directory_moves_everything_without_duplicates() {
    let (emu, dir) = setup();
    let articles = emu.http().articles().len();
    let collections = emu.http().collections().len();
    std::fs::rename(
        dir.path().join("guides/setup"),
        dir.path().join("guides/installation"),
    )
    .unwrap();
    for file in ["guides/start.md", "guides/start.fr.md"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        write(
            dir.path(),
            file,
            &text.replace("setup/install.md", "installation/install.md"),
        );
    }
    let plan = plan_json(dir.path(), &[]);
    let c = changes(&plan);
    assert!(c.iter().all(|c| c["action"] == "move"), "{plan}");
    assert_eq!(c.len(), 3, "the collection and its two articles: {plan}");
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
    assert_eq!(emu.http().articles().len(), articles);
    assert_eq!(emu.http().collections().len(), collections);
}
