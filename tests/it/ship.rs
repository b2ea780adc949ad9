//! Finding the content root without `--dir` (`HELPCENTER_DIR`, else the nearest
//! `helpcenter.toml` upward) and `helpcenter completions SHELL`, through the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::{copy_tree, repo};

/// A temporary folder under the build's own tmp dir: none of its parents (the repository,
/// `/work`, `/`) holds a `helpcenter.toml`, unlike a shared `/tmp` might.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

/// A copy of example-content (without its sandbox data) in a scratch folder.
fn example() -> tempfile::TempDir {
    let tmp = scratch();
    copy_tree(&repo().join("example-content"), tmp.path());
    let _ = std::fs::remove_dir_all(tmp.path().join(".helpcenter"));
    tmp
}

/// `helpcenter ARGS…` run in `cwd`, without `--dir` and without `HELPCENTER_DIR` unless
/// `env_dir` gives one.
fn run_from(cwd: &Path, env_dir: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_helpcenter"));
    cmd.current_dir(cwd)
        .env_remove("HELPCENTER_DIR")
        .env("NO_COLOR", "1")
        .env("CI", "1")
        .stdin(Stdio::null())
        .args(["--color", "never"])
        .args(args);
    if let Some(dir) = env_dir {
        cmd.env("HELPCENTER_DIR", dir);
    }
    cmd.output().expect("binary runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
fn expect(out: &Output, want: i32) {
    assert_eq!(
        code(out),
        want,
        "--- stdout\n{}--- stderr\n{}",
        stdout(out),
        stderr(out)
    );
}

#[test]
fn commands_run_from_a_subfolder_find_the_config_above() {
    let tmp = example();
    let root = tmp.path();
    let sub = root.join("getting-started");
    let deeper = sub.join("images");
    assert!(
        deeper.is_dir(),
        "example-content has getting-started/images/"
    );

    // `check` from the root and from two levels down report the same.
    let at_root = run_from(root, None, &["check"]);
    expect(&at_root, 0);
    let below = run_from(&deeper, None, &["check"]);
    expect(&below, 0);
    assert_eq!(stderr(&below), stderr(&at_root));
    assert_eq!(stdout(&below), stdout(&at_root));

    // `render` takes the file relative to where it runs.
    let rendered = run_from(&sub, None, &["render", "welcome.md"]);
    expect(&rendered, 0);
    let same = run_from(root, None, &["render", "getting-started/welcome.md"]);
    assert_eq!(stdout(&rendered), stdout(&same));
    assert!(
        stdout(&rendered).starts_with("<p>"),
        "{}",
        stdout(&rendered)
    );

    // apply from a subfolder writes the root's state; plan from another one sees it.
    expect(&run_from(&sub, None, &["apply", "--yes"]), 0);
    assert!(root.join(".helpcenter/local.state.json").is_file());
    assert!(!sub.join(".helpcenter").exists());
    assert!(!sub.join("helpcenter.toml").exists());
    expect(
        &run_from(&deeper, None, &["plan", "--detailed-exitcode"]),
        0,
    );
}

#[test]
fn the_nearest_config_wins_over_one_further_up() {
    let tmp = scratch();
    let outer = tmp.path();
    std::fs::write(
        outer.join("helpcenter.toml"),
        "this is = not valid toml [[[\n",
    )
    .unwrap();
    let inner = outer.join("docs/help");
    copy_tree(&repo().join("example-content"), &inner);
    let _ = std::fs::remove_dir_all(inner.join(".helpcenter"));
    expect(
        &run_from(&inner.join("getting-started"), None, &["check"]),
        0,
    );
}

#[test]
fn helpcenter_dir_names_the_root_and_dir_overrides_it() {
    let tmp = example();
    let root = tmp.path();
    let elsewhere = scratch();

    let out = run_from(elsewhere.path(), Some(root), &["check"]);
    expect(&out, 0);
    assert_eq!(stderr(&out), stderr(&run_from(root, None, &["check"])));

    // `--dir` wins over the variable.
    let out = run_from(
        elsewhere.path(),
        Some(&elsewhere.path().join("nowhere")),
        &["--dir", root.to_str().unwrap(), "check"],
    );
    expect(&out, 0);

    // The variable is used as given: not searched upward from.
    let sub = root.join("getting-started");
    let out = run_from(elsewhere.path(), Some(&sub), &["check"]);
    expect(&out, 1);
    assert_eq!(
        stderr(&out),
        format!(
            "error: no `helpcenter.toml` in `{}` (from `HELPCENTER_DIR`)\nhint: run `helpcenter init` with the same `HELPCENTER_DIR` to write one, or point `HELPCENTER_DIR` at the folder that holds it\n",
            sub.display()
        )
    );

    // `init` writes where the variable points.
    let fresh = elsewhere.path().join("fresh");
    expect(&run_from(elsewhere.path(), Some(&fresh), &["init"]), 0);
    assert!(fresh.join("helpcenter.toml").is_file());
    expect(&run_from(elsewhere.path(), Some(&fresh), &["check"]), 0);
}

#[test]
fn no_config_anywhere_is_one_error_with_a_hint() {
    let tmp = scratch();
    let cwd = tmp.path().join("a/b");
    std::fs::create_dir_all(&cwd).unwrap();
    let cwd = cwd.canonicalize().unwrap();
    let want = format!(
        "error: no `helpcenter.toml` in `.` or any folder above it (`{}`)\nhint: run `helpcenter init` to write one here, or pass the content root with `--dir DIR` (or `HELPCENTER_DIR`)\n",
        cwd.display()
    );
    for args in [
        &["check"][..],
        &["check", "--format", "github"],
        &["check", "--format", "json"],
        &["render", "x.md"],
        &["plan"],
        &["apply", "--yes"],
        &["pull"],
        &["preview", "--port", "0"],
    ] {
        let out = run_from(&cwd, None, args);
        expect(&out, 1);
        assert_eq!(stderr(&out), want, "helpcenter {args:?}");
        assert_eq!(stdout(&out), "", "helpcenter {args:?}");
    }
    // Nothing was written on the way.
    assert_eq!(std::fs::read_dir(&cwd).unwrap().count(), 0);
}

#[test]
fn an_explicit_dir_without_config_says_so_once() {
    let tmp = scratch();
    let out = run_from(tmp.path(), None, &["--dir", "help", "plan"]);
    expect(&out, 1);
    assert_eq!(
        stderr(&out),
        "error: no `helpcenter.toml` in `help` (from `--dir`)\nhint: run `helpcenter init` with the same `--dir` to write one, or point `--dir` at the folder that holds it\n"
    );
    assert!(!stderr(&out).contains(":0:0"));
}

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];
const SUBCOMMANDS: [&str; 9] = [
    "init",
    "check",
    "render",
    "plan",
    "apply",
    "pull",
    "preview",
    "completions",
    "sandbox",
];

#[test]
fn completions_print_a_script_for_each_shell() {
    // No config needed, none looked for.
    let tmp = scratch();
    for shell in SHELLS {
        let out = run_from(tmp.path(), None, &["completions", shell]);
        expect(&out, 0);
        assert_eq!(stderr(&out), "", "{shell}");
        let script = stdout(&out);
        // Long flags without their dashes: fish spells them `-l NAME`.
        for name in SUBCOMMANDS
            .iter()
            .chain(&["detailed-exitcode", "force-prune", "on-drift"])
        {
            assert!(script.contains(name), "{shell} completions lack `{name}`");
        }
    }
    let out = run_from(tmp.path(), None, &["completions", "tcsh"]);
    expect(&out, 1);
    assert!(
        stderr(&out).contains("[possible values: bash, elvish, fish, powershell, zsh]"),
        "{}",
        stderr(&out)
    );
}

/// What bash completes after the words of `line` (the last word is being typed).
fn bash_complete(script: &Path, line: &[&str]) -> Vec<String> {
    let words = line
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let program = format!(
        "source {}\nCOMP_WORDS=({words})\nCOMP_CWORD={}\nCOMP_LINE={:?}\nCOMP_POINT=${{#COMP_LINE}}\n_helpcenter helpcenter \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        line.len() - 1,
        line.join(" ")
    );
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut words: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    words.sort();
    words
}

#[test]
fn bash_completions_complete_commands_and_values() {
    let tmp = scratch();
    let out = run_from(tmp.path(), None, &["completions", "bash"]);
    expect(&out, 0);
    let script: PathBuf = tmp.path().join("helpcenter.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    assert_eq!(bash_complete(&script, &["helpcenter", "pl"]), ["plan"]);
    assert_eq!(
        bash_complete(&script, &["helpcenter", "p"]),
        ["plan", "preview", "pull"]
    );
    assert_eq!(
        bash_complete(&script, &["helpcenter", "plan", "--format", ""]),
        ["json", "markdown", "text"]
    );
    assert_eq!(
        bash_complete(&script, &["helpcenter", "completions", "z"]),
        ["zsh"]
    );
}

/// Runs the action's `setup.sh` as action.yml does, and returns its step outputs.
fn action_setup(env: &[(&str, &str)]) -> (i32, String, String) {
    let tmp = scratch();
    let outputs = tmp.path().join("outputs");
    std::fs::write(&outputs, "").unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("scripts/action/setup.sh"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_ACTION_PATH", repo());
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().expect("bash runs");
    (
        code(&out),
        std::fs::read_to_string(&outputs).unwrap(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

#[test]
fn the_action_installs_the_release_of_its_own_tag() {
    // Used at a release tag: that tag's release, from the action's repository.
    let (rc, outputs, _) = action_setup(&[
        ("ACTION_REF", "v0.2.0"),
        ("ACTION_REPOSITORY", "acme/helpcenter"),
    ]);
    assert_eq!(rc, 0);
    assert_eq!(
        outputs,
        "install=release\nrelease-tag=v0.2.0\nrelease-repository=acme/helpcenter\n"
    );

    // github.action_ref empty (composite actions): the folder the runner unpacked it into.
    let runner = scratch();
    let unpacked = runner.path().join("_actions/acme/helpcenter/v1.4.2-rc.1");
    std::fs::create_dir_all(&unpacked).unwrap();
    let (rc, outputs, _) = action_setup(&[("GITHUB_ACTION_PATH", unpacked.to_str().unwrap())]);
    assert_eq!(rc, 0);
    assert_eq!(
        outputs,
        "install=release\nrelease-tag=v1.4.2-rc.1\nrelease-repository=acme/helpcenter\n"
    );

    // `version` overrides the ref.
    let (_, outputs, _) = action_setup(&[
        ("ACTION_REF", "main"),
        ("ACTION_REPOSITORY", "acme/helpcenter"),
        ("INPUT_VERSION", "0.1.0"),
    ]);
    assert!(
        outputs.starts_with("install=release\nrelease-tag=v0.1.0\n"),
        "{outputs}"
    );

    // A branch, a SHA, a floating major tag, or `uses: ./`: a build of the source.
    for reference in ["main", "0123456789abcdef0123456789abcdef01234567", "v1", ""] {
        let (rc, outputs, _) = action_setup(&[
            ("ACTION_REF", reference),
            ("ACTION_REPOSITORY", "acme/helpcenter"),
        ]);
        assert_eq!(rc, 0);
        assert!(
            outputs.starts_with("install=cargo\ncache-key=helpcenter-"),
            "{reference}: {outputs}"
        );
    }
}
