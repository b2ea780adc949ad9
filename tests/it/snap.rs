//! One harness for whole outputs: run the real binary, then snapshot its exit code, stdout
//! and stderr together (as just's tests compare all three), with insta filters for what
//! changes between runs (temporary paths, ports, times, process ids) instead of hand-written
//! redaction.

use std::path::Path;

use crate::support::{Run, run_in};

/// Runs `helpcenter --color never --dir ROOT ARGS…` and snapshots the run as `name`.
#[track_caller]
pub fn assert_run(name: &str, root: &Path, args: &[&str]) -> Run {
    let run = run_in(root, args);
    assert_snapshot(name, root, &run);
    run
}

/// Snapshots `run` (exit code, stdout, stderr) as `name`, with `root` shown as `[ROOT]`.
#[track_caller]
pub fn assert_snapshot(name: &str, root: &Path, run: &Run) {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    for (pattern, replacement) in filters(root) {
        settings.add_filter(&pattern, replacement);
    }
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// What differs between runs, and what it is shown as.
fn filters(root: &Path) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut roots = vec![root.to_path_buf()];
    if let Ok(canonical) = root.canonicalize() {
        roots.insert(0, canonical);
    }
    for r in roots {
        out.push((regex::escape(&r.to_string_lossy()), "[ROOT]"));
    }
    out.extend([
        (r"127\.0\.0\.1:\d+".to_owned(), "127.0.0.1:[PORT]"),
        (r"\b\d+\.\d s\b".to_owned(), "[SECS] s"),
        (r"\b\d+ ms\b".to_owned(), "[MS] ms"),
        (r"\bpid \d+".to_owned(), "pid [PID]"),
        (
            r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\b".to_owned(),
            "[TIME]",
        ),
    ]);
    out
}

#[test]
fn filters_hide_what_changes_between_runs() {
    let root = Path::new("/tmp/.tmpAbC");
    let run = Run {
        code: 0,
        stdout: "/tmp/.tmpAbC/a.md\n".into(),
        stderr: "listening http://127.0.0.1:40123 (pid 77) 2026-12-01T12:00:00Z in 12 ms, 1.5 s)\n"
            .into(),
    };
    let mut text = format!("{}{}", run.stdout, run.stderr);
    for (pattern, replacement) in filters(root) {
        text = regex::Regex::new(&pattern)
            .unwrap()
            .replace_all(&text, replacement)
            .into_owned();
    }
    assert_eq!(
        text,
        "[ROOT]/a.md\nlistening http://127.0.0.1:[PORT] (pid [PID]) [TIME] in [MS] ms, [SECS] s)\n"
    );
}
