//! `helpcenter check` and `helpcenter init` through the real binary: exit codes, the three
//! output formats (snapshots), `--strict`, the example content.

use std::path::Path;
use std::process::Output;

use crate::content::{fixture, helpcenter};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    helpcenter()
        .current_dir(dir)
        .args(["--dir", "."])
        .args(args)
        .output()
        .unwrap()
}

/// Exit code, stdout and stderr as one string for snapshots.
fn transcript(out: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn example_content_passes_check() {
    let out = helpcenter()
        .arg("--dir")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("example-content"))
        .args(["check", "--strict"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.starts_with("0 errors, 0 warnings in "), "{stderr}");
}

#[test]
fn valid_corpus_exits_zero() {
    let out = run_in(&fixture("valid"), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "0 errors, 0 warnings in 10 files\n"
    );
}

#[test]
fn text_output() {
    let out = run_in(&fixture("check-output"), &["check"]);
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn json_output() {
    let out = run_in(&fixture("check-output"), &["check", "--format", "json"]);
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn github_output() {
    let out = run_in(&fixture("check-output"), &["check", "--format", "github"]);
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn github_paths_are_relative_to_the_working_directory() {
    let out = helpcenter()
        .current_dir(fixture(""))
        .args(["--dir", "check-output", "check", "--format", "github"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("::error file=check-output/guides/a.md,line=3,col=1,"),
        "{stdout}"
    );
}

#[test]
fn strict_fails_on_warnings() {
    let dir = fixture("warnings-only");
    let out = run_in(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 errors, 1 warning in 3 files"));
    let out = run_in(&dir, &["check", "--strict"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
}

#[test]
fn quiet_hides_warnings_and_the_summary() {
    let out = run_in(&fixture("warnings-only"), &["-q", "check"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn usage_errors_exit_one() {
    let out = run_in(&fixture("valid"), &["check", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn missing_config_is_an_error_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_in(tmp.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: no `helpcenter.toml` in `.`"),
        "{stderr}"
    );
    assert!(stderr.contains("run `helpcenter init`"), "{stderr}");
}

#[test]
fn init_writes_a_config_that_checks_and_a_gitignore_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join(".gitignore"), "target/").unwrap();
    let out = run_in(tmp.path(), &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let config = std::fs::read_to_string(tmp.path().join("helpcenter.toml")).unwrap();
    assert!(config.contains("default_target = \"local\""));
    assert!(config.contains("[targets.local]\nkind = \"sandbox\""));
    assert!(config.contains("# [targets.production]\n# kind = \"intercom\""));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join(".gitignore")).unwrap(),
        "target/\n.helpcenter/*.sandbox.*\n.helpcenter/*.lock\n"
    );
    let out = run_in(tmp.path(), &["check", "--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

#[test]
fn init_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new");
    let first = helpcenter()
        .arg("--dir")
        .arg(&dir)
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", transcript(&first));
    std::fs::write(dir.join("helpcenter.toml"), "# mine\n").unwrap();
    let second = helpcenter()
        .arg("--dir")
        .arg(&dir)
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(
        stderr.contains("hint: edit it, or remove it to start over"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("helpcenter.toml")).unwrap(),
        "# mine\n"
    );
    let gitignore = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert_eq!(gitignore.matches(".helpcenter/*.sandbox.*").count(), 1);
    assert_eq!(gitignore.matches(".helpcenter/*.lock").count(), 1);
}
