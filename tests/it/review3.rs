//! Review, third part (issue 12): mistakes reported where they are and nowhere else (a broken
//! `helpcenter.toml` alone, a broken front matter without follow-on link errors), unknown
//! authors caught before anything is sent, and an interrupted `apply`, through the binary
//! against the embedded sandbox and `sandbox serve`.

use std::path::Path;

use crate::support::{Emulator, point_at, run_in, write};

/// A small bilingual tree whose articles link to each other, on the embedded sandbox.
fn linked_tree(root: &Path) {
    write(
        root,
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\ndefault_target = \"local\"\n\n[defaults]\nauthor = \"docs@example.com\"\n\n[targets.local]\nkind = \"sandbox\"\n",
    );
    write(
        root,
        "billing/_collection.yml",
        "name: Billing\ntranslations:\n  fr:\n    name: Facturation\n",
    );
    write(
        root,
        "billing/plans.md",
        "---\ntitle: Plans\n---\nThree plans.\n",
    );
    write(
        root,
        "billing/plans.fr.md",
        "---\ntitle: Forfaits\n---\nTrois forfaits.\n",
    );
    write(
        root,
        "billing/invoices.md",
        "---\ntitle: Invoices\n---\nSee [plans](plans.md).\n",
    );
    write(
        root,
        "billing/invoices.fr.md",
        "---\ntitle: Factures\n---\nVoir les [forfaits](plans.fr.md).\n",
    );
}

/// Exit code, stdout and stderr of one run, for a whole-output snapshot (`root` shown as
/// `[root]`).
fn whole(root: &Path, run: &crate::support::Run) -> String {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    );
    text.replace(root.to_str().unwrap(), "[root]")
}

#[test]
fn a_config_typo_is_reported_alone_by_check_and_plan() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    linked_tree(root);
    let config = std::fs::read_to_string(root.join("helpcenter.toml")).unwrap();
    write(
        root,
        "helpcenter.toml",
        &config.replace("locales = ", "locale = "),
    );
    let check = run_in(root, &["check"]);
    insta::assert_snapshot!("config_typo_check", whole(root, &check));
    let plan = run_in(root, &["plan"]);
    insta::assert_snapshot!("config_typo_plan", whole(root, &plan));
    let json = run_in(root, &["check", "--format", "json"])
        .expect(1)
        .json();
    let paths: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["helpcenter.toml"], "{json}");
    assert!(
        !root.join(".helpcenter").exists(),
        "nothing is sent or written against a broken config"
    );
}

#[test]
fn a_broken_front_matter_gives_no_link_errors_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    linked_tree(root);
    // A typo in the default-locale file, then a broken translation: both are reported at
    // their own file, and the links to them from `invoices` are not reported as broken.
    write(
        root,
        "billing/plans.md",
        "---\ntitel: Plans\n---\nThree plans.\n",
    );
    let check = run_in(root, &["check"]);
    insta::assert_snapshot!("broken_front_matter_default", whole(root, &check));
    write(
        root,
        "billing/plans.md",
        "---\ntitle: Plans\n---\nThree plans.\n",
    );
    write(
        root,
        "billing/plans.fr.md",
        "---\ntitle: \"Forfaits\n---\nTrois forfaits.\n",
    );
    let check = run_in(root, &["check"]);
    insta::assert_snapshot!("broken_front_matter_translation", whole(root, &check));
    let plan = run_in(root, &["plan"]).expect(1);
    assert!(!plan.stderr.contains("link"), "{}", plan.stderr);
}

/// Appends `text` to `helpcenter.toml`.
fn append_config(root: &Path, text: &str) {
    let path = root.join("helpcenter.toml");
    let mut config = std::fs::read_to_string(&path).unwrap();
    config.push_str(text);
    std::fs::write(path, config).unwrap();
}

#[test]
fn the_embedded_sandbox_refuses_an_unknown_author_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    linked_tree(root);
    write(
        root,
        "billing/plans.md",
        "---\ntitle: Plans\nauthor: dcos@example.com\n---\nThree plans.\n",
    );
    let plan = run_in(root, &["plan"]);
    insta::assert_snapshot!("unknown_author_embedded_plan", whole(root, &plan));
    let apply = run_in(root, &["apply", "--yes"]).expect(1);
    assert!(
        apply.stderr.contains("nothing was sent"),
        "{}",
        apply.stderr
    );
    let state = root.join(".helpcenter/local.state.json");
    assert!(
        !state.exists() || !std::fs::read_to_string(&state).unwrap().contains("billing"),
        "nothing was recorded"
    );
    // A second author is a teammate once the sandbox target lists it.
    write(
        root,
        "billing/plans.md",
        "---\ntitle: Plans\nauthor: ada@example.com\n---\nThree plans.\n",
    );
    run_in(root, &["plan"]).expect(1);
    append_config(
        root,
        "admins = [\"docs@example.com\", \"ada@example.com\"]\n",
    );
    run_in(root, &["apply", "--yes"]).expect(0);
    let after = run_in(root, &["plan", "--detailed-exitcode"]);
    assert_eq!(after.code, 0, "{}{}", after.stdout, after.stderr);
}

#[test]
fn an_unknown_default_author_is_reported_once_at_its_config_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    linked_tree(root);
    append_config(root, "admins = [\"docs@example.com\"]\n");
    let config = std::fs::read_to_string(root.join("helpcenter.toml")).unwrap();
    write(
        root,
        "helpcenter.toml",
        &config.replace(
            "author = \"docs@example.com\"",
            "author = \"doc@example.com\"",
        ),
    );
    let plan = run_in(root, &["plan"]);
    insta::assert_snapshot!("unknown_author_defaults_plan", whole(root, &plan));
}

#[test]
fn sandbox_serve_refuses_unknown_authors_under_every_switch_setting() {
    for (setting, status, code) in [
        ("unknown_author=invalid", 400, "parameter_invalid"),
        ("unknown_author=unauthorized", 401, "unauthorized"),
    ] {
        let emu = Emulator::start(&["--switch", setting]);
        let http = emu.http();
        // The API itself: an author_id that is not a teammate is refused, nothing stored.
        let (got, body) = http.call(
            "POST",
            "/articles",
            Some(&serde_json::json!({"title": "T", "author_id": 1})),
        );
        assert_eq!(
            (got, body["errors"][0]["code"].as_str()),
            (status, Some(code)),
            "{setting}: {body}"
        );
        assert!(http.articles().is_empty(), "{setting}");
        // The tool: the unknown email is a diagnostic at its front-matter line, and no write
        // is sent.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        linked_tree(root);
        point_at(root, &emu.base_url);
        write(
            root,
            "billing/invoices.md",
            "---\ntitle: Invoices\nauthor: ada@example.com\n---\nSee [plans](plans.md).\n",
        );
        let (cleared, _) = http.call("DELETE", "/_sandbox/requests", None);
        assert_eq!(cleared, 200);
        let apply = run_in(root, &["apply", "--yes"]).expect(1);
        insta::assert_snapshot!(
            "unknown_author_serve_apply",
            whole(root, &apply).replace(&emu.base_url, "[emulator]")
        );
        let writes: Vec<String> = http.requests()["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["method"] != "GET")
            .map(|r| format!("{} {}", r["method"], r["path"]))
            .collect();
        assert_eq!(writes, Vec::<String>::new(), "{setting}");
    }
}

/// The ids of the articles recorded in `root`'s state file for target `test`.
fn recorded_article_ids(root: &Path) -> std::collections::BTreeSet<String> {
    let text = std::fs::read_to_string(root.join(".helpcenter/test.state.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    state["articles"]
        .as_object()
        .unwrap()
        .values()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_apply_stops_sending_saves_the_state_and_exits_130() {
    const ARTICLES: usize = 40;
    let emu = Emulator::start(&["--latency-ms", "150", "--no-rate-limit"]);
    let http = emu.http();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\"]\n\n[defaults]\nauthor = \"docs@example.com\"\n",
    );
    point_at(root, &emu.base_url);
    write(root, "guides/_collection.yml", "name: Guides\n");
    for n in 0..ARTICLES {
        write(
            root,
            &format!("guides/a{n:02}.md"),
            &format!("---\ntitle: Article {n}\n---\nBody {n}.\n"),
        );
    }
    let child = crate::support::bin()
        .args(["--color", "never", "--dir"])
        .arg(root)
        .args(["apply", "--yes", "--concurrency", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the emulator has answered the first article write.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let log = http.requests();
        let wrote = log["requests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["method"] == "POST" && r["path"] == "/articles");
        if wrote {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "apply sent no article write: {log}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");

    let created: Vec<serde_json::Value> = http.articles();
    let made = created.len() + http.collections().len();
    let total = ARTICLES + 1;
    assert!(
        created.len() < ARTICLES,
        "the interrupt stopped the run early: {stderr}"
    );
    let expected = format!(
        "warning: interrupted: {made} of {total} changes made; the state is saved; run `helpcenter apply` again to finish"
    );
    assert!(
        stderr.lines().any(|l| l == expected),
        "expected `{expected}` in:\n{stderr}"
    );
    assert!(
        stderr.contains("interrupted: no new change is sent"),
        "{stderr}"
    );
    // The state holds exactly the writes made: every created article, nothing else.
    let in_emulator: std::collections::BTreeSet<String> = created
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recorded_article_ids(root), in_emulator);
    // Intents journaled ahead of the writes in flight, then not sent, were voided: no write
    // is left pending for the next plan to settle.
    let text = std::fs::read_to_string(root.join(".helpcenter/test.state.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(state.get("pending_articles"), None, "{text}");
    // A second run finishes the job without a duplicate.
    run_in(root, &["apply", "--yes"]).expect(0);
    let after = http.articles();
    let mut titles: Vec<&str> = after.iter().map(|a| a["title"].as_str().unwrap()).collect();
    titles.sort_unstable();
    titles.dedup();
    assert_eq!((after.len(), titles.len()), (ARTICLES, ARTICLES));
    assert_eq!(recorded_article_ids(root).len(), ARTICLES);
    let plan = run_in(root, &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
}

#[test]
fn a_pull_request_uploads_the_preview_and_the_comment_links_it() {
    use crate::action::{FakeGitHub, Job, assert_no_secrets, assert_ok};
    let emu = Emulator::start(&[]);
    let api = FakeGitHub::start();
    let job = Job::new("pull_request", &api.url).with_content(&emu.base_url);
    let with = [
        ("directory", "help"),
        ("intercom-token", crate::support::TOKEN),
    ];
    let run = job.run(&with);
    assert_ok(&run);
    let [(name, path)] = run.artifacts.as_slice() else {
        panic!("one artifact expected: {:?}\n{}", run.artifacts, run.logs);
    };
    assert_eq!(name, "helpcenter-preview-test");
    for page in [
        "index.html",
        "changes.html",
        "en/articles/guides/start.html",
        "static/style.css",
    ] {
        assert!(path.join(page).is_file(), "{page} missing from the export");
    }
    let link = "artifact [`helpcenter-preview-test`](http://github.invalid/acme/help/actions/runs/4242#artifacts) of this run";
    let comments = api.plan_comments();
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.contains(link), "{}", comments[0].body);
    assert!(run.summary.contains(link), "{}", run.summary);
    assert!(comments[0].body.len() <= 65_536);
    assert_no_secrets(&run, Some(&api));

    // Turned off: no export, no upload, no link.
    let off = job.run(&[with[0], with[1], ("preview", "false")]);
    assert_ok(&off);
    assert!(off.artifacts.is_empty());
    assert!(
        off.skipped.iter().any(|s| s == "Upload the preview"),
        "{:?}",
        off.skipped
    );
    let comments = api.plan_comments();
    assert!(
        !comments[0].body.contains("Rendered preview"),
        "{}",
        comments[0].body
    );
}

#[test]
fn preview_export_writes_every_page_with_relative_links_and_the_impact_of_a_delete() {
    let emu = Emulator::start(&[]);
    let http = emu.http();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    linked_tree(root);
    point_at(root, &emu.base_url);
    append_config(
        root,
        "\n[assets]\nbase_url = \"https://cdn.example/docs/\"\n",
    );
    write(root, "billing/images/card.png", "\u{89}PNG fake");
    write(
        root,
        "billing/old.md",
        "---\ntitle: Old news\n---\n![card](images/card.png)\n",
    );
    run_in(root, &["apply", "--yes"]).expect(0);
    std::fs::remove_file(root.join("billing/old.md")).unwrap();
    let id = http
        .articles()
        .into_iter()
        .find(|a| a["title"] == "Old news")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stats = serde_json::json!({ id: {"views": 1234, "conversations": 5, "reactions": 7} });
    assert_eq!(
        http.call("PUT", "/_sandbox/statistics", Some(&stats)).0,
        200
    );
    // The image is still shown by a page: an article that keeps it.
    write(
        root,
        "billing/plans.md",
        "---\ntitle: Plans\n---\nThree plans.\n\n![card](images/card.png)\n",
    );

    let out = tempfile::tempdir().unwrap();
    let export = out.path().join("site");
    let run = run_in(root, &["preview", "--export", export.to_str().unwrap()]).expect(0);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr.replace(export.to_str().unwrap(), "[out]"),
        "exported the preview to `[out]`: 8 page(s), 1 image(s), changes against target `test`; open `index.html`\n"
    );
    let mut files: Vec<String> = Vec::new();
    let mut stack = vec![export.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(
                    path.strip_prefix(&export)
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .to_owned(),
                );
            }
        }
    }
    files.sort();
    assert_eq!(
        files,
        [
            "changes.html",
            "en/articles/billing/invoices.html",
            "en/articles/billing/plans.html",
            "en/index.html",
            "files/billing/images/card.png",
            "fr/articles/billing/invoices.html",
            "fr/articles/billing/plans.html",
            "fr/index.html",
            "index.html",
            "static/app.js",
            "static/style.css",
        ]
    );
    let read = |rel: &str| std::fs::read_to_string(export.join(rel)).unwrap();
    let invoices = read("fr/articles/billing/invoices.html");
    assert!(
        invoices.contains("href=\"../../../fr/articles/billing/plans.html\""),
        "{invoices}"
    );
    assert!(invoices.contains("href=\"../../../static/style.css\""));
    assert!(invoices.contains("href=\"../../../changes.html\""));
    let plans = read("en/articles/billing/plans.html");
    assert!(
        plans.contains("src=\"../../../files/billing/images/card.png"),
        "{plans}"
    );
    for page in &files {
        if Path::new(page).extension().is_some_and(|e| e == "html") {
            let html = read(page);
            assert!(
                !html.contains("href=\"/") && !html.contains("src=\"/"),
                "{page} keeps a site-absolute URL"
            );
        }
    }
    // The Changes page: the pending delete with Intercom's statistics of the article.
    let changes = read("changes.html");
    assert!(changes.contains("needs --prune"), "{changes}");
    assert!(
        changes.contains("Read by readers before it is deleted: <strong>1234</strong> views · <strong>5</strong> conversations · <strong>7</strong> reactions"),
        "{changes}"
    );
    assert!(changes.contains("🔒 needs --force-prune"));
}

/// The 500-article product rename of issue 12 in the text and JSON formats (the Markdown one is
/// `review::a_500_article_rename_names_every_article_within_the_limit`).
#[test]
fn a_500_article_rename_in_text_and_json() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\"]\n\n[defaults]\nauthor = \"docs@example.com\"\n",
    );
    point_at(root, &emu.base_url);
    let article = |c: usize, n: usize, product: &str| {
        format!(
            "---\ntitle: {product} feature {n}\n---\n## Overview\n\nFeature {n} of area {c} is part of {product}.\n\n## Details\n\nTurn it on in the settings.\n"
        )
    };
    let tree = |product: &str| {
        for c in 0..5 {
            write(
                root,
                &format!("area-{c}/_collection.yml"),
                &format!("name: Area {c}\n"),
            );
            for n in 0..100 {
                write(
                    root,
                    &format!("area-{c}/feature-{n:03}.md"),
                    &article(c, n, product),
                );
            }
        }
    };
    tree("Acme");
    run_in(root, &["apply", "--yes"]).expect(0);
    tree("Globex");
    let text = run_in(root, &["plan"]).expect(0).stdout;
    for c in 0..5 {
        for n in 0..100 {
            let key = format!("area-{c}/feature-{n:03}");
            assert!(text.contains(&key), "{key} is not named in the text plan");
        }
    }
    // 500 alike entries: the snapshots hold the first and the last, the counts the rest.
    let entries: Vec<&str> = text.split("\n\n").collect();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.starts_with("~ update article `area-"))
            .count(),
        500
    );
    let shown = format!(
        "{}\n\n{}\n\n[… 498 more entries like these …]\n\n{}",
        entries[0],
        entries[1],
        entries[entries.len() - 2..].join("\n\n")
    );
    insta::assert_snapshot!("rename_500_text", crate::review::redact(&shown));
    let mut json = run_in(root, &["plan", "--format", "json"]).expect(0).json();
    let changes = json["changes"].as_array_mut().unwrap();
    assert_eq!(changes.len(), 500);
    assert!(changes.iter().all(|c| c["action"] == "update"
        && c["fields"] == serde_json::json!(["title[en]", "body[en]"])
        && c["statistics"]["views"] == 0));
    changes.truncate(2);
    let warnings = json["warnings"].as_array_mut().unwrap();
    assert_eq!(
        warnings.len(),
        500,
        "one URL-change warning per renamed article"
    );
    warnings.truncate(2);
    insta::assert_snapshot!(
        "rename_500_json_first_two",
        crate::review::redact(&serde_json::to_string_pretty(&json).unwrap())
    );
}

/// On a terminal (a pseudo-terminal from util-linux `script`), the apply bar shows the
/// changes done, the elapsed time, the rate and the time left; off a terminal, plain lines.
#[cfg(target_os = "linux")]
#[test]
fn the_apply_bar_on_a_terminal_shows_elapsed_time_rate_and_eta() {
    let script = std::path::Path::new("/usr/bin/script");
    assert!(
        script.is_file(),
        "util-linux `script` is needed for a pseudo-terminal"
    );
    let emu = Emulator::start(&["--latency-ms", "50", "--no-rate-limit"]);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\"]\n\n[defaults]\nauthor = \"docs@example.com\"\n",
    );
    point_at(root, &emu.base_url);
    write(root, "guides/_collection.yml", "name: Guides\n");
    for n in 0..12 {
        write(
            root,
            &format!("guides/a{n:02}.md"),
            &format!("---\ntitle: Article {n}\n---\nBody {n}.\n"),
        );
    }
    let command = format!(
        "{} --color never --dir {} apply --yes --concurrency 1",
        env!("CARGO_BIN_EXE_helpcenter"),
        root.display()
    );
    let output = std::process::Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .env(crate::support::TOKEN_ENV, crate::support::TOKEN)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{shown}");
    let bar = shown
        .split(['\r', '\n'])
        .find(|l| l.contains("applying [") && l.contains("elapsed"))
        .unwrap_or_else(|| panic!("no progress bar on the terminal:\n{shown}"));
    // `applying [=>   ] 1/13 0s elapsed, 8.1/s, ETA 2s …`
    let after = bar.split("applying [").nth(1).unwrap();
    let (_, rest) = after.split_once("] ").unwrap();
    let words: Vec<&str> = rest.split_whitespace().collect();
    assert!(words[0].ends_with("/13"), "{bar}");
    assert!(words[1].ends_with('s') && words[2] == "elapsed,", "{bar}");
    assert!(words[3].ends_with("/s,"), "{bar}");
    assert_eq!(words[4], "ETA", "{bar}");
    assert!(
        !shown.contains("\u{1b}[38;5;"),
        "--color never: no colour in the bar"
    );
    assert!(
        shown.contains("Apply complete: 13 change(s) made"),
        "{shown}"
    );
}
