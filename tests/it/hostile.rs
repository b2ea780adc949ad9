//! Hostile input through the real binary (and `sandbox serve`): content, bodies and paths built
//! to crash, stall or escape the tool. Every case must end in a clear message, never an abort,
//! a hang or a write outside the content root. Deep inputs run in the binary on its normal
//! main-thread stack, so a recursion left anywhere shows as a crash here.

use std::path::Path;
use std::process::{Child, Stdio};

use serde_json::json;

use crate::support::{Emulator, Run, bin, point_at, run_in, write};

/// A one-collection tree pointed at the emulator.
fn tree(root: &Path, base_url: &str) {
    write(
        root,
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\"]\n\n[defaults]\nauthor = \"docs@example.com\"\n\n[assets]\nbase_url = \"https://cdn.example.com/help/\"\n",
    );
    point_at(root, base_url);
    write(root, "g/_collection.yml", "name: Guides\n");
}

/// `check` on a tree with no target.
fn offline_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path(), "http://127.0.0.1:9");
    dir
}

/// The process ended by itself (no signal: an overflow aborts with SIGABRT, code -1 here).
#[track_caller]
fn exited(run: &Run) {
    assert!(
        run.code == 0 || run.code == 1 || run.code == 2,
        "the binary crashed (exit {}):\n{}",
        run.code,
        run.stderr.chars().take(2000).collect::<String>()
    );
}

/// The `error:` lines of stderr.
fn errors(run: &Run) -> Vec<String> {
    run.stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .map(str::to_owned)
        .collect()
}

/// The `file:line:col` of each error, relative to `root`.
fn locations(run: &Run, root: &Path) -> Vec<String> {
    let prefix = format!("{}/", root.display());
    let mut out = Vec::new();
    let mut after_error = false;
    for line in run.stderr.lines() {
        if line.starts_with("error") {
            after_error = true;
        } else if let Some(at) = line.trim_start().strip_prefix("--> ") {
            if after_error {
                out.push(at.strip_prefix(&prefix).unwrap_or(at).to_owned());
            }
            after_error = false;
        }
    }
    out
}

#[test]
fn deep_yaml_in_front_matter_is_an_error_not_a_crash() {
    let dir = offline_tree();
    // A 5,000-deep block sequence, compact (`- - - a`) so the file stays small.
    let mut yaml = format!("---\ntitle: T\ndescription:\n  {}a\n", "- ".repeat(5_000));
    yaml.push_str("---\nbody\n");
    write(dir.path(), "g/deep.md", &yaml);
    write(
        dir.path(),
        "g/_collection.yml",
        &format!("name: {}{}\n", "{a: ".repeat(20_000), "}".repeat(20_000)),
    );
    let run = run_in(dir.path(), &["check"]);
    exited(&run);
    let run = run.expect(1);
    assert_eq!(
        errors(&run),
        vec![
            "error: YAML nested more than 32 levels deep",
            "error: YAML nested more than 32 levels deep"
        ]
    );
    assert_eq!(
        locations(&run, dir.path()),
        vec!["g/_collection.yml:1:131", "g/deep.md:4:65"]
    );
}

/// Content that nests 10,000 lists, 20,000 raw `<b>` and 25,000 emphasis levels.
fn deep_content(root: &Path) {
    write(
        root,
        "g/list.md",
        &format!("---\ntitle: List\n---\n{}a\n", "- ".repeat(10_000)),
    );
    write(
        root,
        "g/bold.md",
        &format!(
            "---\ntitle: Bold\n---\n{}x{}\n",
            "<b>".repeat(20_000),
            "</b>".repeat(20_000)
        ),
    );
    write(
        root,
        "g/stars.md",
        &format!(
            "---\ntitle: Stars\n---\n{}x{}\n",
            "*".repeat(50_000),
            "*".repeat(50_000)
        ),
    );
}

#[test]
fn deep_content_is_an_error_in_check_and_plan_alike() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path(), &emu.base_url);
    deep_content(dir.path());
    write(
        dir.path(),
        "g/ok.md",
        "---\ntitle: Fine\n---\n- a\n  - b\n\n**bold *both***\n",
    );
    for command in ["check", "plan"] {
        let run = run_in(dir.path(), &[command]);
        exited(&run);
        let run = run.expect(1);
        let deep = run
            .stderr
            .matches("error: content nested more than 64 levels deep")
            .count();
        assert_eq!(
            deep,
            3,
            "{command}:\n{}",
            run.stderr.chars().take(3000).collect::<String>()
        );
        let mut at = locations(&run, dir.path());
        at.sort();
        assert_eq!(
            at,
            vec!["g/bold.md:4:190", "g/list.md:4:65", "g/stars.md:4:127"],
            "{command}"
        );
    }
    assert!(emu.http().articles().is_empty(), "nothing was sent");
}

/// The emulator's id of the article titled `title`.
fn article_id(emu: &Emulator, title: &str) -> String {
    let articles = emu.http().articles();
    let article = articles
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no article {title}"));
    article["id"]
        .as_str()
        .map_or_else(|| article["id"].to_string(), str::to_owned)
}

/// A running `helpcenter preview --port 0`; killed on drop.
struct Preview {
    child: Child,
    url: String,
}

impl Preview {
    fn start(dir: &Path) -> Self {
        let mut child = bin()
            .args(["--color", "never", "--dir"])
            .arg(dir)
            .args(["preview", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("binary starts");
        let url = crate::support::first_line_url(&mut child, "preview ");
        Self { child, url }
    }

    /// GET `path` with a `Host` header (`None`: the URL's); status and body.
    fn get(&self, path: &str, host: Option<&str>) -> (u16, String) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut req = reqwest::Client::new().get(format!("{}{path}", self.url));
            if let Some(host) = host {
                req = req.header("host", host);
            }
            let resp = req.send().await.expect("the preview answers");
            let status = resp.status().as_u16();
            (status, resp.text().await.unwrap_or_default())
        })
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_deep_remote_body_is_drift_in_plan_and_in_the_preview() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path(), &emu.base_url);
    write(dir.path(), "g/a.md", "---\ntitle: Alpha\n---\nHello\n");
    run_in(dir.path(), &["apply", "--yes"]).expect(0);
    // A person (or a broken integration) leaves 30,000 nested `<b>` in the body.
    let id = article_id(&emu, "Alpha");
    let n = 30_000;
    let body = format!("<p>{}deep{}</p>", "<b>".repeat(n), "</b>".repeat(n));
    let (status, _) = emu.http().call(
        "PUT",
        &format!("/articles/{id}"),
        Some(&json!({ "body": body })),
    );
    assert_eq!(status, 200);

    let run = run_in(dir.path(), &["plan", "--format", "json"]);
    exited(&run);
    let plan = run.expect(0).json();
    assert_eq!(plan["summary"]["drift"], 1, "{plan}");
    assert_eq!(plan["changes"][0]["key"], "g/a");

    let preview = Preview::start(dir.path());
    let (status, page) = preview.get("/changes", None);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Alpha"), "{page}");
    // Still serving afterwards.
    assert_eq!(preview.get("/", None).0, 200);
}

#[test]
fn a_hundred_thousand_unclosed_divs_complete_with_one_error() {
    // 3.3 MB of `<div class="intercom-container">`, never closed: quadratic in an HTML tree
    // builder (each start tag scans the stack of open elements). Timing: `benches/check.rs`.
    let dir = offline_tree();
    let divs = "<div class=\"intercom-container\">".repeat(100_000);
    write(
        dir.path(),
        "g/divs.md",
        &format!("---\ntitle: Divs\n---\n{divs}\n"),
    );
    write(
        dir.path(),
        "g/wide.md",
        &format!(
            "---\ntitle: Wide\n---\n{}\n",
            "<div class=\"intercom-container\">x</div>".repeat(50_000)
        ),
    );
    let run = run_in(dir.path(), &["check"]);
    exited(&run);
    let run = run.expect(1);
    assert_eq!(
        errors(&run),
        vec![
            "error: content nested more than 64 levels deep (lists, quotes, emphasis or HTML elements)"
        ]
    );
    assert_eq!(locations(&run, dir.path()), vec!["g/divs.md:4:2049"]);
    let html = run_in(dir.path(), &["render", "g/wide.md"])
        .expect(0)
        .stdout;
    assert_eq!(
        html.matches("<div class=\"intercom-container\">x</div>")
            .count(),
        50_000
    );
}

#[test]
fn links_to_files_named_with_ampersand_or_quote_resolve() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path(), &emu.base_url);
    write(
        dir.path(),
        "g/a&b.md",
        "---\ntitle: Tom and Jerry\n---\nAmpersand.\n",
    );
    write(
        dir.path(),
        "g/say \"hi\".md",
        "---\ntitle: Quoted\n---\nQuote.\n",
    );
    write(
        dir.path(),
        "g/index.md",
        "---\ntitle: Index\n---\nSee [and](a&b.md), [quote](<say \"hi\".md>) and <a href=\"a&amp;b.md\">raw</a>.\n",
    );
    run_in(dir.path(), &["apply", "--yes"]).expect(0);
    let articles = emu.http().articles();
    let url = |title: &str| {
        articles.iter().find(|a| a["title"] == title).unwrap()["url"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let index = articles.iter().find(|a| a["title"] == "Index").unwrap();
    let body = index["body"].as_str().unwrap();
    assert!(!body.contains("helpcenter-key"), "{body}");
    assert_eq!(
        body.matches(&format!("href=\"{}\"", url("Tom and Jerry")))
            .count(),
        2,
        "{body}"
    );
    assert_eq!(
        body.matches(&format!("href=\"{}\"", url("Quoted"))).count(),
        1,
        "{body}"
    );
    let plan = run_in(dir.path(), &["plan", "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(plan["changes"], json!([]), "{plan}");
}

/// Applies one collection `guides` (named "Guides") with article `alpha` to the emulator.
fn applied_guides(emu: &Emulator) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path(), &emu.base_url);
    std::fs::remove_dir_all(dir.path().join("g")).unwrap();
    write(dir.path(), "guides/_collection.yml", "name: Guides\n");
    write(
        dir.path(),
        "guides/alpha.md",
        "---\ntitle: Alpha\n---\nHello\n",
    );
    run_in(dir.path(), &["apply", "--yes"]).expect(0);
    dir
}

/// Every file below `root` (relative, sorted), links listed but not followed.
fn files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// Builds a hostile layout in (root, outside).
type Setup = fn(&Path, &Path);

#[cfg(unix)]
#[test]
fn pull_never_writes_through_symlinks_with_or_without_force() {
    use std::os::unix::fs::symlink;
    let emu = Emulator::start(&[]);
    let _source = applied_guides(&emu);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("alpha.md"), "precious\n").unwrap();
    let cases: [(&str, Setup, &str); 3] = [
        (
            "linked directory",
            |root, outside| symlink(outside, root.join("guides")).unwrap(),
            "error: `guides` is a symbolic link: pull never writes through links (needed for `guides/_collection.yml`)",
        ),
        (
            "file link",
            |root, outside| {
                std::fs::create_dir(root.join("guides")).unwrap();
                symlink(outside.join("alpha.md"), root.join("guides/alpha.md")).unwrap();
            },
            "error: `guides/alpha.md` is a symbolic link: pull never writes through links (needed for `guides/alpha.md`)",
        ),
        (
            "dangling link",
            |root, outside| {
                std::fs::create_dir(root.join("guides")).unwrap();
                symlink(outside.join("new.md"), root.join("guides/alpha.md")).unwrap();
            },
            "error: `guides/alpha.md` is a symbolic link: pull never writes through links (needed for `guides/alpha.md`)",
        ),
    ];
    for (what, setup, message) in cases {
        for force in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            tree(dir.path(), &emu.base_url);
            std::fs::remove_dir_all(dir.path().join("g")).unwrap();
            setup(dir.path(), outside.path());
            let before = files(dir.path());
            let args: &[&str] = if force {
                &["pull", "--force"]
            } else {
                &["pull"]
            };
            let run = run_in(dir.path(), args).expect(1);
            assert_eq!(errors(&run), vec![message], "{what}, force {force}");
            // The target's lock file is the one thing a refused pull leaves (it is taken
            // before anything is fetched); nothing else is written.
            let after: Vec<String> = files(dir.path())
                .into_iter()
                .filter(|f| f != ".helpcenter/test.lock")
                .collect();
            assert_eq!(after, before, "{what}: nothing written in the root");
            assert_eq!(
                files(outside.path()),
                vec!["alpha.md"],
                "{what}: nothing written outside"
            );
            assert_eq!(
                std::fs::read_to_string(outside.path().join("alpha.md")).unwrap(),
                "precious\n"
            );
        }
    }
}

#[test]
fn pull_key_refuses_a_state_path_outside_the_root() {
    let emu = Emulator::start(&[]);
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("help");
    let source = applied_guides(&emu);
    crate::support::copy_tree(source.path(), &root);
    let state_path = root.join(".helpcenter/test.state.json");
    let state = std::fs::read_to_string(&state_path).unwrap();
    let tampered = state
        .replace(
            "\"path\": \"guides/alpha.md\"",
            "\"path\": \"../victim/alpha.md\"",
        )
        .replace("\"dir\": \"guides\"", "\"dir\": \"../victim\"");
    assert_ne!(state, tampered);
    std::fs::write(&state_path, tampered).unwrap();
    // With no local files, the paths come from the state file alone.
    std::fs::remove_dir_all(root.join("guides")).unwrap();
    for key in ["guides/alpha", "guides"] {
        let run = run_in(&root, &["pull", key]).expect(1);
        assert_eq!(errors(&run).len(), 1, "{key}: {}", run.stderr);
        assert!(
            errors(&run)[0].contains("is not a path inside the content root"),
            "{key}: {}",
            run.stderr
        );
        assert!(
            !parent.path().join("victim").exists(),
            "{key}: wrote outside the root"
        );
    }
}

#[test]
fn the_preview_serves_files_only_from_inside_the_root_and_only_to_loopback_hosts() {
    let dir = offline_tree();
    write(
        dir.path(),
        "g/a.md",
        "---\ntitle: A\n---\n![shot](images/in.png)\n",
    );
    write(dir.path(), "g/images/in.png", "inside");
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.png", "outside");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            outside.path().join("secret.png"),
            dir.path().join("g/images/link.png"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("g/linked")).unwrap();
    }
    let preview = Preview::start(dir.path());
    assert_eq!(
        preview.get("/files/g/images/in.png", None),
        (200, "inside".to_owned())
    );
    #[cfg(unix)]
    {
        assert_eq!(preview.get("/files/g/images/link.png", None).0, 404);
        assert_eq!(preview.get("/files/g/linked/secret.png", None).0, 404);
    }
    let port = preview.url.rsplit(':').next().unwrap().to_owned();
    for host in [
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "127.0.0.1".to_owned(),
    ] {
        assert_eq!(
            preview.get("/files/g/images/in.png", Some(&host)).0,
            200,
            "{host}"
        );
    }
    for host in [
        format!("evil.example:{port}"),
        "127.0.0.1.evil.example".to_owned(),
    ] {
        for path in ["/", "/files/g/images/in.png", "/articles/g/a", "/changes"] {
            let (status, body) = preview.get(path, Some(&host));
            assert_eq!(status, 403, "{host}{path}");
            assert!(!body.contains("inside"), "{host}{path}");
        }
    }
}

/// `run_in`, but killed after 30 s (a hang is a failure, not a stuck suite).
fn run_bounded(dir: &Path, args: &[&str]) -> Run {
    let mut child = bin()
        .args(["--color", "never", "--dir"])
        .arg(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("`helpcenter {}` hung", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_never_read_until_they_end() {
    use std::os::unix::fs::symlink;
    // A FIFO as the config: opening it would wait for a writer forever.
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("helpcenter.toml"));
    let run = run_bounded(dir.path(), &["check"]).expect(1);
    assert_eq!(
        errors(&run),
        vec![
            "error: cannot read `helpcenter.toml`: not a regular file (a FIFO): replace it by a plain file"
        ]
    );
    // A link to /dev/zero: read until memory runs out.
    std::fs::remove_file(dir.path().join("helpcenter.toml")).unwrap();
    symlink("/dev/zero", dir.path().join("helpcenter.toml")).unwrap();
    let run = run_bounded(dir.path(), &["check"]).expect(1);
    assert_eq!(
        errors(&run),
        vec![
            "error: cannot read `helpcenter.toml`: not a regular file (a device): replace it by a plain file"
        ]
    );

    // Content files: links out of the root and special files are never opened (a FIFO
    // article would block, `/dev/zero` never ends).
    let dir = offline_tree();
    symlink("/dev/zero", dir.path().join("g/zero.md")).unwrap();
    mkfifo(&dir.path().join("g/fifo.md"));
    std::fs::create_dir(dir.path().join("g/images")).unwrap();
    mkfifo(&dir.path().join("g/images/fifo.png"));
    write(
        dir.path(),
        "g/a.md",
        "---\ntitle: A\n---\n![f](images/fifo.png)\n",
    );
    let run = run_bounded(dir.path(), &["check"]).expect(1);
    assert_eq!(
        errors(&run),
        vec![
            "error: image file `g/images/fifo.png` does not exist",
            "error: symlink `g/zero.md` points outside the content root",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn a_nul_byte_in_a_body_is_replaced_and_never_sent() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path(), &emu.base_url);
    write(
        dir.path(),
        "g/a.md",
        "---\ntitle: A\n---\nbefore\0after <b>x\0y</b>\n",
    );
    let html = run_in(dir.path(), &["render", "g/a.md"]).expect(0).stdout;
    assert_eq!(html, "<p>before\u{FFFD}after <b>x\u{FFFD}y</b></p>\n");
    run_in(dir.path(), &["apply", "--yes"]).expect(0);
    let articles = emu.http().articles();
    let body = articles[0]["body"].as_str().unwrap();
    assert!(
        !body.contains('\0') && body.contains('\u{FFFD}'),
        "{body:?}"
    );
}

#[test]
fn names_with_control_characters_and_twins_are_errors() {
    let dir = offline_tree();
    write(dir.path(), "g/ok.md", "---\ntitle: Ok\n---\nx\n");
    write(dir.path(), "g/Case.md", "---\ntitle: Upper\n---\nx\n");
    write(dir.path(), "g/case.md", "---\ntitle: Lower\n---\nx\n");
    write(dir.path(), "g/caf\u{e9}.md", "---\ntitle: Nfc\n---\nx\n");
    write(dir.path(), "g/cafe\u{301}.md", "---\ntitle: Nfd\n---\nx\n");
    write(
        dir.path(),
        "g/new\nline.md",
        "---\ntitle: Newline\n---\nx\n",
    );
    write(dir.path(), "g/tab\t.md", "---\ntitle: Tab\n---\nx\n");
    let run = run_in(dir.path(), &["check"]).expect(1);
    let mut errs = errors(&run);
    errs.sort();
    let mut want = vec![
        "error: `case.md` and `Case.md` differ only by case or Unicode normalization: they are one file on macOS and Windows",
        "error: `caf\u{e9}.md` and `cafe\u{301}.md` differ only by case or Unicode normalization: they are one file on macOS and Windows",
        "error: the name \"new\\nline.md\" holds a control character (newline, tab…)",
        "error: the name \"tab\\t.md\" holds a control character (newline, tab…)",
    ];
    want.sort_unstable();
    assert_eq!(errs, want, "{}", run.stderr);
}

#[test]
fn titles_with_line_breaks_are_errors_and_cr_only_files_read_as_lines() {
    let dir = offline_tree();
    write(
        dir.path(),
        "g/multi.md",
        "---\ntitle: \"one\\ntwo\"\n---\nx\n",
    );
    write(
        dir.path(),
        "g/folded.md",
        "---\ntitle: |\n  one\n  two\n---\nx\n",
    );
    write(
        dir.path(),
        "g/mac.md",
        "---\rtitle: Old Mac\r---\r# Hello\r\rWorld\r",
    );
    let run = run_in(dir.path(), &["check"]).expect(1);
    assert_eq!(
        errors(&run),
        vec![
            "error: `title` holds a line break",
            "error: `title` holds a line break"
        ],
        "{}",
        run.stderr
    );
    assert_eq!(
        locations(&run, dir.path()),
        vec!["g/folded.md:3:3", "g/multi.md:2:8"]
    );
    std::fs::remove_file(dir.path().join("g/multi.md")).unwrap();
    std::fs::remove_file(dir.path().join("g/folded.md")).unwrap();
    run_in(dir.path(), &["check"]).expect(0);
    let html = run_in(dir.path(), &["render", "g/mac.md"]).expect(0).stdout;
    assert_eq!(html, "<h1>Hello</h1>\n<p>World</p>\n");
}

#[test]
fn titles_longer_than_255_characters_warn() {
    let dir = offline_tree();
    write(
        dir.path(),
        "g/long.md",
        &format!("---\ntitle: {}\n---\nx\n", "é".repeat(10_000)),
    );
    write(
        dir.path(),
        "g/edge.md",
        &format!("---\ntitle: {}\n---\nx\n", "a".repeat(255)),
    );
    let run = run_in(dir.path(), &["check"]).expect(0);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning"))
        .collect();
    assert_eq!(
        warnings,
        vec!["warning: `title` is 10000 characters long (more than 255)"],
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("g/long.md:2:8"), "{}", run.stderr);
    run_in(dir.path(), &["check", "--strict"]).expect(1);
}

/// Every Markdown file is read while the walk goes on, before its name is checked: a file the
/// name checks refuse (outside any collection, a locale suffix that is not a locale) reports
/// only its name, whatever reading it would find. A FIFO there is no file to the walk, as in a
/// collection: nothing is reported and nothing blocks.
#[test]
fn files_refused_by_their_names_report_only_their_names() {
    let dir = offline_tree();
    write(dir.path(), "loose/broken.md", "no front matter\n");
    std::fs::write(dir.path().join("loose/binary.md"), b"\xff\xfe\x00").unwrap();
    mkfifo(&dir.path().join("loose/fifo.md"));
    write(dir.path(), "g/a.zz-ZZ.md", "---\ntitle: [\n---\n");
    write(dir.path(), "g/ok.md", "---\ntitle: Ok\n---\nFine.\n");
    let run = run_bounded(dir.path(), &["check"]).expect(1);
    assert_eq!(
        errors(&run),
        vec![
            "error: unknown locale `zz-ZZ` in the file name",
            "error: `loose/binary.md` is in `loose`, which is not a collection",
            "error: `loose/broken.md` is in `loose`, which is not a collection",
        ],
        "{}",
        run.stderr
    );
}
