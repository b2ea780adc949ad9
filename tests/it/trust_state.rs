//! Trust at the edges of state: one run at a time (the target lock), crash safety (write
//! intents journaled and settled), deletes that never touch what the tool did not make,
//! adoption drift, faults that converge, and saved plans and state files that are checked.
//! Every test goes through the real binary and `sandbox serve`; kills happen at a
//! deterministic point (the debug build's test hooks, see `src/apply/test_hooks.rs`).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

use crate::support::{Emulator, Run, bin, example_against, point_at, run_in, write};

/// A small bilingual tree: two collections (one nested), four articles, a link.
fn small_tree(root: &Path, base_url: &str) {
    write(
        root,
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\n\n[defaults]\nstate = \"published\"\nauthor = \"docs@example.com\"\n",
    );
    point_at(root, base_url);
    write(
        root,
        "guides/_collection.yml",
        "name: Guides\ndescription: How to use it\n",
    );
    write(root, "guides/setup/_collection.yml", "name: Setup\n");
    write(
        root,
        "guides/start.md",
        "---\ntitle: Start here\n---\nRead [the install guide](setup/install.md) first.\n",
    );
    write(
        root,
        "guides/start.fr.md",
        "---\ntitle: Commencer ici\n---\nLisez [le guide](setup/install.md).\n",
    );
    write(
        root,
        "guides/setup/install.md",
        "---\ntitle: Install the app\n---\nDownload it.\n",
    );
    write(root, "guides/faq.md", "---\ntitle: FAQ\n---\nQuestions.\n");
    write(
        root,
        "guides/setup/upgrade.md",
        "---\ntitle: Upgrade\n---\nUpgrade notes.\n",
    );
}

fn apply(root: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["apply", "--yes"];
    args.extend_from_slice(extra);
    run_in(root, &args)
}

fn plan_json(root: &Path, extra: &[&str]) -> (Run, serde_json::Value) {
    let mut args = vec!["plan", "--format", "json"];
    args.extend_from_slice(extra);
    let run = run_in(root, &args);
    assert!(
        run.code == 0 || run.code == 2,
        "plan failed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    let json = run.json();
    (run, json)
}

#[track_caller]
fn assert_converged(root: &Path) {
    let run = run_in(root, &["plan", "--detailed-exitcode", "--format", "json"]);
    assert_eq!(
        run.code, 0,
        "plan is not empty:\n{}\n{}",
        run.stdout, run.stderr
    );
}

fn writes(emu: &Emulator) -> usize {
    emu.http().requests()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] != "GET")
        .count()
}

/// Panics on two articles (or collections) with the same title in the same parent; returns
/// (articles, collections).
#[track_caller]
fn assert_no_duplicates(emu: &Emulator) -> (usize, usize) {
    let http = emu.http();
    let mut seen = BTreeSet::new();
    let articles = http.articles();
    for a in &articles {
        assert!(
            seen.insert((a["parent_id"].to_string(), a["title"].to_string())),
            "duplicate article {a}"
        );
    }
    let mut seen = BTreeSet::new();
    let collections = http.collections();
    for c in &collections {
        assert!(
            seen.insert((c["parent_id"].to_string(), c["name"].to_string())),
            "duplicate collection {c}"
        );
    }
    (articles.len(), collections.len())
}

/// Starts `helpcenter apply --yes` in the background with extra env vars; stderr piped.
fn spawn_apply(root: &Path, extra: &[&str], env: &[(&str, &str)]) -> Child {
    let mut cmd = bin();
    cmd.args(["--color", "never", "--dir"])
        .arg(root)
        .args(["apply", "--yes"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("apply starts")
}

/// Reads the child's stderr until a line containing `marker` (panics at EOF without it).
fn wait_for_line(child: &mut Child, marker: &str) -> String {
    let mut reader = BufReader::new(child.stderr.take().expect("piped stderr"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).unwrap();
        assert!(n > 0, "no `{marker}` line on stderr:\n{seen}");
        seen.push_str(&line);
        if line.contains(marker) {
            return seen;
        }
    }
}

fn lock_file(root: &Path) -> std::fs::File {
    std::fs::create_dir_all(root.join(".helpcenter")).unwrap();
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(root.join(".helpcenter/test.lock"))
        .unwrap();
    fs4::FileExt::lock(&file).unwrap();
    file
}

// ---- 1. one run at a time -------------------------------------------------------------

/// Two applies started together against a slow emulator: the second waits for the first,
/// then finds nothing to do. Nothing is duplicated.
#[test]
fn concurrent_applies_create_no_duplicates() {
    let emu = Emulator::start(&["--latency-ms", "20"]);
    let dir = example_against(&emu.base_url);
    let mut a = spawn_apply(dir.path(), &[], &[]);
    let mut b = spawn_apply(dir.path(), &[], &[]);
    let a_status = a.wait().unwrap();
    let b_status = b.wait().unwrap();
    assert!(a_status.success() && b_status.success());
    let (articles, collections) = assert_no_duplicates(&emu);
    assert_eq!(
        collections, 5,
        "every collection of example-content exists once"
    );
    assert!(articles > 0);
    assert_converged(dir.path());
}

/// While another process holds the lock, `apply` says it waits, gives up after
/// `--lock-timeout` with a clear error and sends nothing; once released, it runs.
#[test]
fn second_apply_waits_for_the_lock_then_fails_clearly() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    let held = lock_file(dir.path());
    let run = apply(dir.path(), &["--lock-timeout", "1"]).expect(1);
    assert!(
        run.stderr
            .contains("waiting for `.helpcenter/test.lock`: another helpcenter command"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("is still using target `test`: gave up waiting for `.helpcenter/test.lock` after 1 s; nothing was sent"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("pass `--lock-timeout SECS` to wait longer"),
        "{}",
        run.stderr
    );
    assert_eq!(writes(&emu), 0);
    drop(held);
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
}

/// A same-title twin of a managed article in the same collection (what two overlapping
/// runs on different machines leave) is named by `plan`, with both ids.
#[test]
fn plan_warns_about_a_same_title_twin_with_both_ids() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    apply(dir.path(), &[]).expect(0);
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".helpcenter/test.state.json")).unwrap(),
    )
    .unwrap();
    let faq = state["articles"]["guides/faq"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let guides = state["collections"]["guides"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, twin) = emu.http().call(
        "POST",
        "/articles",
        Some(&serde_json::json!({"title": "FAQ", "author_id": 991_266_200, "body": "<p>Questions.</p>",
            "state": "published", "parent_id": guides.parse::<u64>().unwrap(), "parent_type": "collection"})),
    );
    assert_eq!(status, 200, "{twin}");
    let twin_id = twin["id"].as_str().unwrap();
    let (run, plan) = plan_json(dir.path(), &[]);
    assert_eq!(
        plan["changes"].as_array().unwrap().len(),
        0,
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(&format!(
            "article `guides/faq` (id {faq}) has a twin helpcenter does not manage: \"FAQ\" (id {twin_id}) in the same collection"
        )),
        "{}",
        run.stderr
    );
}

// ---- 2. a plan never folds the journal of a running apply ----------------------------

#[test]
fn plan_during_apply_leaves_its_journal_alone() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    let mut running = spawn_apply(
        dir.path(),
        &["--concurrency", "1"],
        &[("HELPCENTER_TEST_HANG_AFTER_JOURNAL", "6")],
    );
    wait_for_line(&mut running, "test hook: paused after 6 journal entries");
    let journal = dir.path().join(".helpcenter/test.journal.jsonl");
    let before = std::fs::read(&journal).unwrap();
    let run = run_in(dir.path(), &["plan", "--lock-timeout", "0"]).expect(1);
    assert!(
        run.stderr.contains("is still using target `test`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("recovered"), "{}", run.stderr);
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        before,
        "the journal was touched"
    );
    // The apply dies: its journal is what the next command recovers.
    running.kill().unwrap();
    running.wait().unwrap();
    let (run, plan) = plan_json(dir.path(), &[]);
    assert!(run.stderr.contains("recovered"), "{}", run.stderr);
    assert_eq!(plan["summary"]["drift"], 0, "{}", run.stdout);
    apply(dir.path(), &[]).expect(0);
    assert_no_duplicates(&emu);
    assert_converged(dir.path());
}

// ---- 3. crash safety: intents before writes -------------------------------------------

/// Killed right after Intercom took an update, before its outcome was journaled: the next
/// plan recognises the write as ours (no drift, no change for it), and apply converges.
#[test]
fn kill_after_an_update_reached_intercom_leaves_no_false_drift() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    apply(dir.path(), &[]).expect(0);
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\n---\nNew answers.\n",
    );
    write(
        dir.path(),
        "guides/setup/upgrade.md",
        "---\ntitle: Upgrade\n---\nNew notes.\n",
    );
    let mut killed = spawn_apply(
        dir.path(),
        &["--concurrency", "1"],
        &[("HELPCENTER_TEST_ABORT_AFTER_WRITES", "1")],
    );
    wait_for_line(&mut killed, "test hook: aborting after 1 answered write(s)");
    assert!(!killed.wait().unwrap().success());
    let (run, plan) = plan_json(dir.path(), &[]);
    assert_eq!(
        plan["summary"]["drift"], 0,
        "{}\n{}",
        run.stdout, run.stderr
    );
    let changed: Vec<&str> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        changed.len(),
        1,
        "only the write that never went out remains: {changed:?}"
    );
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
    assert_no_duplicates(&emu);
}

/// Killed with writes in flight and the intents of the next ones journaled ahead of them
/// (`--concurrency 4`): the next plan shows no drift, apply finishes without a duplicate, and
/// an intent whose write never went out changes nothing.
#[test]
fn kill_with_intents_journaled_ahead_converges_without_duplicates() {
    let emu = Emulator::start(&["--latency-ms", "50", "--no-rate-limit"]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    for n in 0..24 {
        write(
            dir.path(),
            &format!("guides/many-{n:02}.md"),
            &format!("---\ntitle: Many {n}\n---\nBody {n}.\n"),
        );
    }
    let mut killed = spawn_apply(
        dir.path(),
        &["--concurrency", "4"],
        &[("HELPCENTER_TEST_ABORT_AFTER_WRITES", "8")],
    );
    wait_for_line(&mut killed, "test hook: aborting after 8 answered write(s)");
    assert!(!killed.wait().unwrap().success());
    let journal =
        std::fs::read_to_string(dir.path().join(".helpcenter/test.journal.jsonl")).unwrap();
    let intents = journal.matches("\"op\":\"article_intent\"").count();
    assert!(intents > 8, "more intents than answered writes:\n{journal}");
    let (run, plan) = plan_json(dir.path(), &[]);
    assert_eq!(
        plan["summary"]["drift"], 0,
        "{}\n{}",
        run.stdout, run.stderr
    );
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
    let (articles, _) = assert_no_duplicates(&emu);
    assert_eq!(articles, 4 + 24);
}

/// Killed after the creates, before the link pass: the plan names the published body that
/// still holds an unresolved link, shows no drift, and apply resolves it.
#[test]
fn kill_before_the_link_pass_is_reported_and_resolved() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    // `faq` is created before `start`, which it links to.
    write(
        dir.path(),
        "guides/faq.md",
        "---\ntitle: FAQ\n---\nSee [where to start](start.md).\n",
    );
    // 2 collections + 4 articles created, then the link pass: die on the last create.
    let mut killed = spawn_apply(
        dir.path(),
        &["--concurrency", "1"],
        &[("HELPCENTER_TEST_ABORT_AFTER_WRITES", "6")],
    );
    wait_for_line(&mut killed, "test hook: aborting after 6 answered write(s)");
    assert!(!killed.wait().unwrap().success());
    let (run, plan) = plan_json(dir.path(), &[]);
    assert_eq!(
        plan["summary"]["drift"], 0,
        "{}\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains("`guides/faq.md` [en]")
            && run
                .stderr
                .contains("is published with unresolved `#helpcenter-key:` links"),
        "{}",
        run.stderr
    );
    apply(dir.path(), &[]).expect(0);
    assert_converged(dir.path());
    let (run, _) = plan_json(dir.path(), &[]);
    assert!(!run.stderr.contains("unresolved"), "{}", run.stderr);
    let (articles, _) = assert_no_duplicates(&emu);
    assert_eq!(articles, 4);
    for a in emu.http().articles() {
        assert!(
            !a["body"]
                .as_str()
                .unwrap_or("")
                .contains("#helpcenter-key:"),
            "{a}"
        );
    }
}

// ---- 4. prune never deletes what the tool did not create ------------------------------

/// A managed collection holding an article a person made in the UI is kept when its
/// directory goes (even where Intercom would cascade), and the plan says why.
#[test]
fn managed_collection_holding_a_ui_article_is_kept() {
    let emu = Emulator::start(&["--switch", "delete_collection_with_children=cascade"]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    apply(dir.path(), &[]).expect(0);
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".helpcenter/test.state.json")).unwrap(),
    )
    .unwrap();
    let setup = state["collections"]["guides/setup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, theirs) = emu.http().call(
        "POST",
        "/articles",
        Some(&serde_json::json!({"title": "Written in the UI", "author_id": 991_266_200, "body": "<p>Mine.</p>",
            "state": "published", "parent_id": setup.parse::<u64>().unwrap(), "parent_type": "collection"})),
    );
    assert_eq!(status, 200, "{theirs}");
    let theirs_id = theirs["id"].as_str().unwrap().to_owned();
    std::fs::remove_dir_all(dir.path().join("guides/setup")).unwrap();
    write(
        dir.path(),
        "guides/start.md",
        "---\ntitle: Start here\n---\nNo more links.\n",
    );
    std::fs::remove_file(dir.path().join("guides/start.fr.md")).unwrap();
    let (run, plan) = plan_json(dir.path(), &["--prune"]);
    assert!(
        run.stderr.contains(&format!(
            "collection `guides/setup` (id {setup}) is kept: it holds 1 object(s) helpcenter does not manage (article \"Written in the UI\" id {theirs_id})"
        )),
        "{}",
        run.stderr
    );
    assert!(
        !plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "collection" && c["action"] == "delete"),
        "{}",
        run.stdout
    );
    apply(dir.path(), &["--prune"]).expect(0);
    let http = emu.http();
    let (status, still) = http.call("GET", &format!("/articles/{theirs_id}"), None);
    assert_eq!(status, 200, "{still}");
    assert_eq!(still["parent_id"].to_string().trim_matches('"'), setup);
    let (status, _) = http.call("GET", &format!("/help_center/collections/{setup}"), None);
    assert_eq!(status, 200);
}

/// Adopting an unmanaged article whose content differs is drift (apply fails before any
/// write by default); once overwritten on purpose, a later prune still never deletes it.
#[test]
fn adopting_a_differing_article_is_drift_and_never_pruned() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    let http = emu.http();
    let (status, guides) = http.call(
        "POST",
        "/help_center/collections",
        Some(&serde_json::json!({"name": "Guides", "description": "How to use it", "help_center_id": 1})),
    );
    assert_eq!(status, 200, "{guides}");
    let (status, theirs) = http.call(
        "POST",
        "/articles",
        Some(&serde_json::json!({"title": "FAQ", "author_id": 991_266_200, "body": "<p>A person's answers.</p>",
            "state": "published", "parent_id": guides["id"].as_str().unwrap().parse::<u64>().unwrap(), "parent_type": "collection"})),
    );
    assert_eq!(status, 200, "{theirs}");
    let theirs_id = theirs["id"].as_str().unwrap().to_owned();
    let before = writes(&emu);
    let (run, plan) = plan_json(dir.path(), &[]);
    let faq = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "guides/faq")
        .cloned()
        .unwrap();
    assert_eq!(faq["action"], "adopt", "{}", run.stdout);
    assert_eq!(faq["drift"], true, "{}", run.stdout);
    let run = apply(dir.path(), &[]).expect(1);
    assert!(run.stderr.contains("`guides/faq`"), "{}", run.stderr);
    assert_eq!(writes(&emu), before, "nothing was sent");
    apply(dir.path(), &["--on-drift", "overwrite"]).expect(0);
    assert_converged(dir.path());
    std::fs::remove_file(dir.path().join("guides/faq.md")).unwrap();
    let run = apply(dir.path(), &["--prune"]).expect(0);
    assert!(
        run.stderr
            .contains(&format!("article `guides/faq` (id {theirs_id}) is kept")),
        "{}",
        run.stderr
    );
    let (status, _) = http.call("GET", &format!("/articles/{theirs_id}"), None);
    assert_eq!(status, 200, "the adopted article was deleted");
}

// ---- 10. faults converge ----------------------------------------------------------------

/// 20 % 5xx, 20 % lost responses, 60 requests per 5 s: at most 2 runs, no duplicate.
#[test]
fn faults_converge_in_two_runs_without_duplicates() {
    let emu = Emulator::start(&[
        "--error-rate",
        "0.2",
        "--lost-rate",
        "0.2",
        "--rate-limit",
        "60",
        "--rate-window-secs",
        "5",
        "--seed",
        "11",
    ]);
    let dir = example_against(&emu.base_url);
    let mut runs = 0;
    loop {
        runs += 1;
        let run = apply(dir.path(), &[]);
        if run.code == 0 {
            break;
        }
        assert!(
            runs < 2,
            "apply did not converge in 2 runs:\n{}",
            run.stderr
        );
    }
    let http = emu.http();
    let log = http.requests();
    assert!(log["lost"].as_u64().unwrap() > 0, "{}", log["by_status"]);
    assert!(
        ["500", "502", "503"]
            .iter()
            .any(|s| log["by_status"][s].as_u64().unwrap_or(0) > 0),
        "{}",
        log["by_status"]
    );
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
    assert_converged(dir.path());
    let (_, collections) = assert_no_duplicates(&emu);
    assert_eq!(collections, 5);
    #[allow(clippy::print_stderr)]
    {
        eprintln!("fault convergence: {runs} run(s), 0 duplicates");
    }
}

// ---- 11. smaller ------------------------------------------------------------------------

/// The journal cannot be written (disk full, simulated by the debug build's hook after the
/// third entry): apply stops at the first failure, sends nothing more, keeps what succeeded.
#[test]
fn journal_write_failure_stops_apply() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    let mut cmd = bin();
    cmd.args(["--color", "never", "--dir"])
        .arg(dir.path())
        .args(["apply", "--yes", "--concurrency", "1"])
        .env("HELPCENTER_TEST_JOURNAL_FULL_AFTER", "3");
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("could not write the state journal: No space left on device")
            && stderr.contains("stopped sending"),
        "{stderr}"
    );
    // Entries: help center, intent of `guides`, its outcome; the next intent fails.
    assert_eq!(writes(&emu), 1);
    let state = std::fs::read_to_string(dir.path().join(".helpcenter/test.state.json")).unwrap();
    assert!(state.contains("\"guides\""), "{state}");
    apply(dir.path(), &[]).expect(0);
    assert_no_duplicates(&emu);
    assert_converged(dir.path());
}

/// A state file of another target or format version is an error; nothing is sent.
#[test]
fn state_file_of_another_target_or_version_is_refused() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    let path = dir.path().join(".helpcenter/test.state.json");
    write(
        dir.path(),
        ".helpcenter/test.state.json",
        "{\"version\": 1, \"target\": \"production\"}\n",
    );
    let run = run_in(dir.path(), &["plan"]).expect(1);
    assert!(
        run.stderr
            .contains("it records target `production`, not `test`"),
        "{}",
        run.stderr
    );
    std::fs::write(&path, "{\"version\": 7, \"target\": \"test\"}\n").unwrap();
    let run = apply(dir.path(), &[]).expect(1);
    assert!(
        run.stderr
            .contains("state format version 7 is not supported"),
        "{}",
        run.stderr
    );
    assert_eq!(writes(&emu), 0);
}

/// Ids a state file names outside the target's help center are never touched.
#[test]
fn state_ids_outside_the_help_center_are_never_touched() {
    let emu = Emulator::start(&["--help-centers", "2"]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    let toml = dir.path().join("helpcenter.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("help_center = \"1\"\n");
    std::fs::write(&toml, text).unwrap();
    let http = emu.http();
    let (status, foreign_c) = http.call(
        "POST",
        "/help_center/collections",
        Some(&serde_json::json!({"name": "Other", "help_center_id": 2})),
    );
    assert_eq!(status, 200, "{foreign_c}");
    let cid = foreign_c["id"].as_str().unwrap();
    let (status, foreign_a) = http.call(
        "POST",
        "/articles",
        Some(&serde_json::json!({"title": "Other FAQ", "author_id": 991_266_200, "body": "<p>x</p>",
            "state": "published", "parent_id": cid.parse::<u64>().unwrap(), "parent_type": "collection"})),
    );
    assert_eq!(status, 200, "{foreign_a}");
    let aid = foreign_a["id"].as_str().unwrap();
    // A tampered state: our FAQ and a removed key both point at the other help center.
    write(
        dir.path(),
        ".helpcenter/test.state.json",
        &serde_json::json!({"version": 1, "target": "test", "help_center_id": "1",
            "collections": {"gone": {"id": cid, "dir": "gone"}},
            "articles": {"guides/faq": {"id": aid, "path": "guides/faq.md"},
                          "gone/x": {"id": aid, "path": "gone/x.md"}}})
        .to_string(),
    );
    let before = http.get(&format!("/articles/{aid}"));
    apply(dir.path(), &["--prune", "--force-prune"]).expect(0);
    let log = http.requests();
    for r in log["requests"].as_array().unwrap() {
        if r["method"] != "GET" {
            let path = r["path"].as_str().unwrap();
            assert!(
                !path.ends_with(&format!("/{aid}")) && !path.ends_with(&format!("/{cid}")),
                "touched a foreign id: {r}"
            );
        }
    }
    assert_eq!(http.get(&format!("/articles/{aid}")), before);
}

/// A plan saved with `--prune` and applied without it is refused (its deletes would be
/// skipped silently); a saved plan of another format version is refused.
#[test]
fn saved_plan_prune_and_version_are_checked() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    small_tree(dir.path(), &emu.base_url);
    apply(dir.path(), &[]).expect(0);
    std::fs::remove_file(dir.path().join("guides/faq.md")).unwrap();
    let saved = dir.path().join("plan.json");
    run_in(
        dir.path(),
        &["plan", "--prune", "--out", saved.to_str().unwrap()],
    )
    .expect(0);
    let before = writes(&emu);
    let run = apply(dir.path(), &[saved.to_str().unwrap()]).expect(1);
    assert!(
        run.stderr.contains("the saved plan was made with `--prune` and holds 1 delete(s), but this apply has no `--prune`; nothing was sent"),
        "{}",
        run.stderr
    );
    assert_eq!(writes(&emu), before);
    let mut tampered: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    tampered["version"] = serde_json::json!(9);
    let other = dir.path().join("other.json");
    std::fs::write(&other, tampered.to_string()).unwrap();
    let run = apply(dir.path(), &["--prune", other.to_str().unwrap()]).expect(1);
    assert!(run.stderr.contains("format version 9"), "{}", run.stderr);
    assert_eq!(writes(&emu), before);
    apply(dir.path(), &["--prune", saved.to_str().unwrap()]).expect(0);
    assert_converged(dir.path());
}
