//! Fin AI Content (external pages) through the binary: `check` of a
//! `publish = "external_pages"` target, and plan/apply against `sandbox serve`.

use std::path::Path;

use crate::support::{TOKEN_ENV, run_in, write};

/// A content tree with public guides and an `internal/` folder published by target `fin`.
fn fin_tree(root: &Path, base_url: Option<&str>) {
    let target = match base_url {
        Some(url) => {
            format!("kind = \"intercom\"\nbase_url = \"{url}\"\ntoken_env = \"{TOKEN_ENV}\"\n")
        }
        None => "kind = \"sandbox\"\n".to_owned(),
    };
    write(
        root,
        "helpcenter.toml",
        &format!(
            "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\ndefault_target = \"fin\"\n\n[defaults]\nfin_copilot = true\n\n[targets.fin]\n{target}publish = \"external_pages\"\nsource_url = \"https://docs.acme.com/\"\npage_url = \"https://docs.acme.com/{{key}}\"\ninclude = [\"internal/**\"]\n"
        ),
    );
    write(
        root,
        "guides/_collection.yml",
        "name: Guides\ntranslations:\n  fr:\n    name: Guides\n",
    );
    write(
        root,
        "guides/install.md",
        "---\ntitle: Install\n---\nPublic.\n",
    );
    write(
        root,
        "internal/_collection.yml",
        "name: Internal\ntranslations:\n  fr:\n    name: Interne\n",
    );
    write(
        root,
        "internal/refunds.md",
        "---\ntitle: Refunds\n---\nRefund within 30 days. See [escalation](escalation.md).\n",
    );
    write(
        root,
        "internal/refunds.fr.md",
        "---\ntitle: Remboursements\n---\nSous 30 jours.\n",
    );
    write(
        root,
        "internal/escalation.md",
        "---\ntitle: Escalation\nfin_agent: false\n---\nPage the on-call lead.\n",
    );
}

#[test]
fn check_accepts_a_fin_target_and_warns_once_about_translations() {
    let tmp = tempfile::tempdir().unwrap();
    fin_tree(tmp.path(), None);
    let run = run_in(tmp.path(), &["check"]).expect(0);
    let prefix = format!("{}/", tmp.path().display());
    assert_eq!(
        run.stderr.replace(&prefix, ""),
        "warning: target `fin` publishes Fin external pages, which are English only: the translations of 1 article(s) (e.g. `internal/refunds.md`) are not sent
  --> helpcenter.toml:10:11
   |
10 | publish = \"external_pages\"
   |           ^
   = hint: nothing to do if that is intended; translations are published by help-center targets

0 errors, 1 warning in 7 files
"
    );
}

#[test]
fn check_reports_every_fin_config_error_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "helpcenter.toml",
        "default_locale = \"fr\"\n\n[targets.fin]\nkind = \"sandbox\"\npublish = \"external_pages\"\nsource_url = \"https://docs.acme.com/\"\npage_url = \"https://docs.acme.com/\"\ninclude = [\"internal/**\", \"runbooks/**\"]\nexclude = [\"internal/old/**\"]\n",
    );
    write(tmp.path(), "internal/_collection.yml", "name: Interne\n");
    write(
        tmp.path(),
        "internal/a.md",
        "---\ntitle: A\nfin_agent: sometimes\n---\nBody.\n",
    );
    write(
        tmp.path(),
        "internal/b.md",
        "---\ntitle: B\nfin_copilot: false\n---\nBody.\n",
    );
    // A broken config is reported alone: the content is not checked against it.
    let github = |root: &std::path::Path| {
        let run = run_in(root, &["check", "--format", "github"]).expect(1);
        run.stdout.replace(&format!("{}/", root.display()), "")
    };
    assert_eq!(
        github(tmp.path()).lines().collect::<Vec<_>>(),
        [
            "::error file=helpcenter.toml,line=1,col=18,title=config-fin-locale::target `fin` publishes Fin external pages, which are English only, but `default_locale` is `fr`%0Ahint: write the content in English with `default_locale = \"en\"`, or remove `publish = \"external_pages\"` from `[targets.fin]`",
            "::error file=helpcenter.toml,line=7,col=12,title=config-bad-url::`page_url` `https://docs.acme.com/` has no `{key}`: every page would get the same URL%0Ahint: put `{key}` where the article key goes, e.g. \"https://docs.example.com/{key}\"",
        ]
    );
    // With the config fixed, the globs and the front matter are checked.
    write(
        tmp.path(),
        "helpcenter.toml",
        "default_locale = \"en\"\n\n[targets.fin]\nkind = \"sandbox\"\npublish = \"external_pages\"\nsource_url = \"https://docs.acme.com/\"\npage_url = \"https://docs.acme.com/{key}\"\ninclude = [\"internal/**\", \"runbooks/**\"]\nexclude = [\"internal/old/**\"]\n",
    );
    assert_eq!(
        github(tmp.path()).lines().collect::<Vec<_>>(),
        [
            "::warning file=helpcenter.toml,line=8,col=27,title=target-glob-unmatched::`include` glob `runbooks/**` of target `fin` matches no article%0Ahint: globs match each article's path from the content root, e.g. `internal/**` or `guides/*.md`",
            "::warning file=helpcenter.toml,line=9,col=12,title=target-glob-unmatched::`exclude` glob `internal/old/**` of target `fin` matches no article%0Ahint: globs match each article's path from the content root, e.g. `internal/**` or `guides/*.md`",
            "::error file=internal/a.md,line=3,col=12,title=front-matter-bad-value::`fin_agent` must be true or false, found a string%0Ahint: write `fin_agent: true` or `fin_agent: false`",
        ]
    );
}

use crate::fin_sandbox::{external_pages, sources, ui_edit_page};
use crate::support::{Emulator, Http};

/// Writes (non-GET requests) the emulator logged since the last call, which clears the log.
fn writes(http: &Http) -> Vec<String> {
    let log = http.requests();
    let (status, _) = http.call("DELETE", "/_sandbox/requests", None);
    assert_eq!(status, 200);
    log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] != "GET")
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["path"].as_str().unwrap()
            )
        })
        .collect()
}

fn pages_by_key(http: &Http) -> Vec<(String, String, bool, bool)> {
    let mut pages: Vec<(String, String, bool, bool)> = external_pages(http)
        .iter()
        .map(|p| {
            (
                p["external_id"].as_str().unwrap().to_owned(),
                p["url"].as_str().unwrap_or_default().to_owned(),
                p["ai_agent_availability"].as_bool().unwrap(),
                p["ai_copilot_availability"].as_bool().unwrap(),
            )
        })
        .collect();
    pages.sort();
    pages
}

fn fin_against(emu: &Emulator) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fin_tree(tmp.path(), Some(&emu.base_url));
    tmp
}

#[test]
fn create_rerun_edit_and_remove_with_and_without_prune() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let tmp = fin_against(&emu);
    let root = tmp.path();
    run_in(root, &["apply", "--yes"]).expect(0);
    assert_eq!(
        writes(&http),
        [
            "POST /ai/content_import_sources",
            "POST /ai/external_pages",
            "POST /ai/external_pages"
        ]
    );
    assert_eq!(
        pages_by_key(&http),
        [
            (
                "internal/escalation".to_owned(),
                "https://docs.acme.com/internal/escalation".to_owned(),
                false,
                true
            ),
            (
                "internal/refunds".to_owned(),
                "https://docs.acme.com/internal/refunds".to_owned(),
                true,
                true
            ),
        ]
    );
    let src = sources(&http);
    assert_eq!(src.len(), 1);
    assert_eq!(
        (src[0]["url"].as_str(), src[0]["sync_behavior"].as_str()),
        (Some("https://docs.acme.com/"), Some("api"))
    );
    let refunds = external_pages(&http)
        .into_iter()
        .find(|p| p["external_id"] == "internal/refunds")
        .unwrap();
    assert_eq!(refunds["locale"], "en");
    assert_eq!(refunds["title"], "Refunds");
    assert_eq!(
        refunds["html"],
        "<p>Refund within 30 days. See <a href=\"https://docs.acme.com/internal/escalation\">escalation</a>.</p>\n"
    );
    // Nothing changed: no diff, no write.
    run_in(root, &["plan", "--detailed-exitcode"]).expect(0);
    let run = run_in(root, &["apply", "--yes"]).expect(0);
    assert!(run.stderr.contains("Nothing to apply."), "{}", run.stderr);
    assert_eq!(writes(&http), Vec::<String>::new());
    // One edit: one write.
    write(
        root,
        "internal/escalation.md",
        "---\ntitle: Escalation\nfin_agent: false\n---\nPage the on-call lead, then the CTO.\n",
    );
    let plan = run_in(root, &["plan", "--format", "json"]).expect(0).json();
    assert_eq!(plan["summary"]["update"], 1);
    assert_eq!(plan["changes"][0]["kind"], "external_page");
    assert_eq!(plan["changes"][0]["drift"], false);
    run_in(root, &["apply", "--yes"]).expect(0);
    assert_eq!(writes(&http), ["POST /ai/external_pages"]);
    // A removed file: listed as needing --prune, not deleted without it.
    std::fs::remove_file(root.join("internal/escalation.md")).unwrap();
    write(
        root,
        "internal/refunds.md",
        "---\ntitle: Refunds\n---\nRefund within 30 days.\n",
    );
    let plan = run_in(root, &["plan", "--format", "json"]).expect(0).json();
    assert_eq!(plan["summary"]["needs_prune"], 1);
    assert_eq!(plan["summary"]["delete"], 0);
    run_in(root, &["apply", "--yes"]).expect(0);
    assert_eq!(writes(&http), ["POST /ai/external_pages"]);
    assert_eq!(external_pages(&http).len(), 2);
    run_in(root, &["apply", "--yes", "--prune"]).expect(0);
    let deleted = writes(&http);
    assert_eq!(deleted.len(), 1);
    assert!(
        deleted[0].starts_with("DELETE /ai/external_pages/"),
        "{deleted:?}"
    );
    assert_eq!(
        pages_by_key(&http),
        [(
            "internal/refunds".to_owned(),
            "https://docs.acme.com/internal/refunds".to_owned(),
            true,
            true
        )]
    );
    run_in(root, &["plan", "--detailed-exitcode"]).expect(0);
}

#[test]
fn lost_state_adopts_the_pages_without_duplicates() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let tmp = fin_against(&emu);
    let root = tmp.path();
    run_in(root, &["apply", "--yes"]).expect(0);
    writes(&http);
    std::fs::remove_dir_all(root.join(".helpcenter")).unwrap();
    let plan = run_in(root, &["plan", "--format", "json"]).expect(0).json();
    assert_eq!(plan["summary"]["adopt"], 2);
    assert_eq!(plan["summary"]["create"], 0);
    assert_eq!(plan["summary"]["drift"], 0);
    run_in(root, &["apply", "--yes"]).expect(0);
    // The source is found by URL and the pages are adopted by external_id: nothing sent.
    assert_eq!(writes(&http), Vec::<String>::new());
    assert_eq!(external_pages(&http).len(), 2);
    assert_eq!(sources(&http).len(), 1);
    run_in(root, &["plan", "--detailed-exitcode"]).expect(0);
}

#[test]
fn pages_changed_or_deleted_outside_the_tool_are_drift() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let tmp = fin_against(&emu);
    let root = tmp.path();
    run_in(root, &["apply", "--yes"]).expect(0);
    let pages = external_pages(&http);
    let id_of = |key: &str| {
        pages.iter().find(|p| p["external_id"] == key).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    ui_edit_page(
        &http,
        &id_of("internal/refunds"),
        &serde_json::json!({"title": "Refunds (edited)"}),
    );
    let (status, _) = http.call(
        "DELETE",
        &format!("/ai/external_pages/{}", id_of("internal/escalation")),
        None,
    );
    assert_eq!(status, 200);
    writes(&http);
    let plan = run_in(root, &["plan", "--format", "json", "--detailed-exitcode"])
        .expect(2)
        .json();
    let changes: Vec<(String, String, bool)> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["action"].as_str().unwrap().to_owned(),
                c["key"].as_str().unwrap().to_owned(),
                c["drift"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (
                "recreate".to_owned(),
                "internal/escalation".to_owned(),
                true
            ),
            ("update".to_owned(), "internal/refunds".to_owned(), true),
        ]
    );
    let run = run_in(root, &["apply", "--yes"]).expect(1);
    assert!(run.stderr.contains("2 object(s) were edited in Intercom since the last apply: `internal/escalation`, `internal/refunds`; nothing was sent"), "{}", run.stderr);
    assert_eq!(writes(&http), Vec::<String>::new());
    run_in(root, &["apply", "--yes", "--on-drift", "overwrite"]).expect(0);
    assert_eq!(
        writes(&http),
        ["POST /ai/external_pages", "POST /ai/external_pages"]
    );
    assert_eq!(external_pages(&http).len(), 2);
    run_in(root, &["plan", "--detailed-exitcode"]).expect(0);
}

#[test]
fn faults_converge_without_duplicates() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let tmp = fin_against(&emu);
    let root = tmp.path();
    for n in 0..8 {
        write(
            root,
            &format!("internal/page-{n}.md"),
            &format!("---\ntitle: Page {n}\n---\nBody {n}.\n"),
        );
    }
    let (status, _) = http.call(
        "PUT",
        "/_sandbox/faults",
        Some(&serde_json::json!({"server_error_rate": 0.3, "lost_response_rate": 0.3, "seed": 7})),
    );
    assert_eq!(status, 200);
    let first = run_in(root, &["apply", "--yes"]);
    assert!(first.code == 0 || first.code == 1, "{first:?}");
    let log = http.requests();
    assert!(
        log["lost"].as_u64().unwrap() > 0 && log["by_status"]["500"].as_u64().unwrap_or(0) > 0,
        "the faults did not fire: {log}"
    );
    let (status, _) = http.call(
        "PUT",
        "/_sandbox/faults",
        Some(&serde_json::json!({"server_error_rate": 0.0, "lost_response_rate": 0.0})),
    );
    assert_eq!(status, 200);
    run_in(root, &["apply", "--yes", "--on-drift", "fail"]).expect(0);
    run_in(root, &["plan", "--detailed-exitcode"]).expect(0);
    assert_eq!(sources(&http).len(), 1);
    let keys: Vec<String> = pages_by_key(&http).into_iter().map(|p| p.0).collect();
    let mut want: Vec<String> = (0..8).map(|n| format!("internal/page-{n}")).collect();
    want.extend([
        "internal/escalation".to_owned(),
        "internal/refunds".to_owned(),
    ]);
    want.sort();
    assert_eq!(keys, want);
}

#[test]
fn plan_of_a_new_fin_target_in_three_formats() {
    let emu = Emulator::start(&[]);
    let tmp = fin_against(&emu);
    let root = tmp.path();
    for format in ["text", "markdown", "json"] {
        let run = run_in(root, &["plan", "--format", format]).expect(0);
        insta::assert_snapshot!(format!("fin_plan_{format}"), run.stdout);
    }
}

#[test]
fn a_kill_after_any_write_leaves_no_false_drift_and_no_duplicates() {
    // Writes: 1 the source, 2 and 3 the pages.
    for n in 1..=3 {
        let emu = Emulator::start(&[]);
        let http = emu.http();
        let tmp = fin_against(&emu);
        let root = tmp.path();
        let out = crate::support::bin()
            .env("HELPCENTER_TEST_ABORT_AFTER_WRITES", n.to_string())
            .args(["--color", "never", "--dir"])
            .arg(root)
            .args(["apply", "--yes"])
            .output()
            .unwrap();
        assert_ne!(
            out.status.code(),
            Some(0),
            "round {n}: the hook did not fire"
        );
        let plan = run_in(root, &["plan", "--format", "json"]).expect(0).json();
        assert_eq!(plan["summary"]["drift"], 0, "round {n}: {plan}");
        // The plan settled the interrupted write into the state: nothing stays pending.
        let state = std::fs::read_to_string(root.join(".helpcenter/fin.state.json")).unwrap();
        assert!(
            !state.contains("pending_external_pages"),
            "round {n}: {state}"
        );
        if n > 1 {
            // The page that reached Intercom is recorded, not adopted again.
            assert_eq!(plan["summary"]["adopt"], 0, "round {n}: {plan}");
        }
        run_in(root, &["apply", "--yes"]).expect(0);
        run_in(root, &["plan", "--detailed-exitcode"]).expect(0);
        assert_eq!(sources(&http).len(), 1, "round {n}");
        let keys: Vec<String> = pages_by_key(&http).into_iter().map(|p| p.0).collect();
        assert_eq!(
            keys,
            ["internal/escalation", "internal/refunds"],
            "round {n}"
        );
    }
}

#[test]
fn a_saved_plan_is_refused_when_a_page_changed_since() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let tmp = fin_against(&emu);
    let root = tmp.path();
    run_in(root, &["apply", "--yes"]).expect(0);
    write(
        root,
        "internal/refunds.md",
        "---\ntitle: Refunds\n---\nWithin 14 days.\n",
    );
    let plan_file = root.join("plan.json");
    run_in(root, &["plan", "--out", plan_file.to_str().unwrap()]).expect(0);
    let id = external_pages(&http)
        .into_iter()
        .find(|p| p["external_id"] == "internal/refunds")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ui_edit_page(
        &http,
        &id,
        &serde_json::json!({"html": "<p>Edited in the UI.</p>"}),
    );
    writes(&http);
    let run = run_in(root, &["apply", "--yes", plan_file.to_str().unwrap()]).expect(1);
    assert!(
        run.stderr.contains("the saved plan is stale: external_page `internal/refunds` changed in Intercom since it was made; nothing was sent"),
        "{}",
        run.stderr
    );
    assert_eq!(writes(&http), Vec::<String>::new());
}

#[test]
fn pull_brings_a_content_library_under_version_control() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let tmp = fin_against(&emu);
    run_in(tmp.path(), &["apply", "--yes"]).expect(0);
    // A page someone made through the API with an id that is no usable key.
    let source_id: u64 = sources(&http)[0]["id"].as_u64().unwrap();
    let (status, made) = http.call(
        "POST",
        "/ai/external_pages",
        Some(&serde_json::json!({
            "title": "On-call rota", "html": "<p>Week 1: <b>Ana</b>.</p>", "locale": "en",
            "source_id": source_id, "external_id": "abc1234", "url": "https://docs.acme.com/abc1234",
            "ai_agent_availability": true, "ai_copilot_availability": false
        })),
    );
    assert_eq!(status, 200, "{made}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        tmp.path().join("helpcenter.toml"),
        dir.path().join("helpcenter.toml"),
    )
    .unwrap();
    let run = run_in(dir.path(), &["pull"]).expect(0);
    assert!(
        run.stderr
            .contains("pulled 3 external page(s) from target `fin`"),
        "{}",
        run.stderr
    );
    let read = |rel: &str| std::fs::read_to_string(dir.path().join(rel)).unwrap();
    assert_eq!(
        read("internal/refunds.md"),
        "---\ntitle: Refunds\n---\n\nRefund within 30 days. See [escalation](escalation.md).\n"
    );
    assert_eq!(
        read("internal/escalation.md"),
        "---\ntitle: Escalation\nfin_agent: false\n---\n\nPage the on-call lead.\n"
    );
    assert_eq!(
        read("internal/on-call-rota.md"),
        "---\ntitle: On-call rota\nkey: abc1234\nfin_copilot: false\n---\n\nWeek 1: **Ana**.\n"
    );
    assert_eq!(read("internal/_collection.yml"), "name: internal\n");
    writes(&http);
    run_in(dir.path(), &["plan", "--detailed-exitcode"]).expect(0);
    run_in(dir.path(), &["apply", "--yes"]).expect(0);
    assert_eq!(writes(&http), Vec::<String>::new());
    assert_eq!(external_pages(&http).len(), 3);
}

#[test]
fn a_help_center_target_leaves_out_what_its_exclude_names() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let tmp = crate::support::example_against(&emu.base_url);
    let config = std::fs::read_to_string(tmp.path().join("helpcenter.toml")).unwrap();
    assert!(
        config.ends_with("exclude = [\"internal/**\"]\n"),
        "{config}"
    );
    run_in(tmp.path(), &["apply", "--yes"]).expect(0);
    let collections: Vec<String> = http
        .collections()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        !collections.contains(&"Internal runbooks".to_owned()),
        "{collections:?}"
    );
    assert_eq!(collections.len(), 5, "{collections:?}");
    let titles: Vec<String> = http
        .articles()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(titles.len(), 14, "{titles:?}");
    assert!(
        !titles
            .iter()
            .any(|t| t == "Refund exceptions" || t == "Escalating a ticket")
    );
    assert_eq!(external_pages(&http).len(), 0);
}
