//! The action's `state-branch` input, run step by step like `action.rs` does (same simulated
//! runner), against a local bare repository: the state is read from that branch before plan
//! and apply, committed to it after apply (created as an orphan branch when missing), and
//! the checked-out branch is never written.

use crate::action::{FakeGitHub, Job, assert_no_secrets, assert_ok};
use crate::support::{Emulator, TOKEN, write};

const STATE_BRANCH: &str = "helpcenter-state";
const STATE_PATH: &str = "help/.helpcenter/test.state.json";

fn remote(job: &Job) -> std::path::PathBuf {
    job.root.path().join("remote.git")
}

#[test]
fn apply_creates_the_state_branch_as_an_orphan_holding_only_the_state() {
    let emu = Emulator::start(&[]);
    let job = Job::new("push", "http://127.0.0.1:9")
        .with_content(&emu.base_url)
        .with_git_remote();
    let main_before = job.git(&remote(&job), &["rev-parse", "main"]);

    let run = job.run(&[
        ("directory", "help"),
        ("intercom-token", TOKEN),
        ("state-branch", STATE_BRANCH),
    ]);
    assert_ok(&run);
    assert_eq!(run.outputs["has-changes"], "true");
    assert!(
        run.logs
            .contains("the state branch `helpcenter-state` does not exist yet"),
        "{}",
        run.logs
    );
    assert!(
        run.summary
            .contains("on `helpcenter-state` (a new orphan branch)"),
        "{}",
        run.summary
    );
    assert_eq!(emu.http().articles().len(), 2);

    let remote = remote(&job);
    // One commit without a parent, holding the state file and nothing else.
    assert_eq!(
        job.git(&remote, &["rev-list", "--count", STATE_BRANCH])
            .trim(),
        "1"
    );
    assert_eq!(
        job.git(&remote, &["rev-list", "--parents", "-1", STATE_BRANCH])
            .split_whitespace()
            .count(),
        1,
        "an orphan commit has no parent"
    );
    let files = job.git(&remote, &["ls-tree", "-r", "--name-only", STATE_BRANCH]);
    assert_eq!(files.trim(), STATE_PATH);
    let subject = job.git(&remote, &["log", "-1", "--format=%s|%an", STATE_BRANCH]);
    assert_eq!(
        subject.trim(),
        "helpcenter: update state of `test` [skip ci]|github-actions[bot]"
    );
    let state = job.git(&remote, &["show", &format!("{STATE_BRANCH}:{STATE_PATH}")]);
    assert!(
        state.contains("guides/start") && state.contains("guides/faq"),
        "{state}"
    );
    assert!(!state.contains(TOKEN));

    // main is untouched, and so is the checkout's branch, index and HEAD.
    assert_eq!(job.git(&remote, &["rev-parse", "main"]), main_before);
    let ws = job.workspace();
    assert_eq!(job.git(&ws, &["rev-parse", "HEAD"]), main_before);
    assert_eq!(
        job.git(&ws, &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "main"
    );
    assert_eq!(job.git(&ws, &["diff", "--cached", "--name-only"]), "");
    assert_no_secrets(&run, None);
}

#[test]
fn plan_and_apply_read_the_state_from_the_branch() {
    let emu = Emulator::start(&[]);
    let api = FakeGitHub::start();
    let job = Job::new("push", &api.url)
        .with_content(&emu.base_url)
        .with_git_remote();
    let with = [
        ("directory", "help"),
        ("intercom-token", TOKEN),
        ("state-branch", STATE_BRANCH),
    ];
    assert_ok(&job.run(&with));
    let first = job.git(&remote(&job), &["rev-parse", STATE_BRANCH]);

    // A fresh checkout of main has no state file: the next runs must find it on the branch.
    std::fs::remove_dir_all(job.content().join(".helpcenter")).unwrap();

    // A pull request plan: nothing to do, no comment, the state file restored from the branch.
    let pr = Job::new("pull_request", &api.url);
    crate::support::copy_tree(&job.workspace(), &pr.workspace());
    let plan = pr.run(&with);
    assert_ok(&plan);
    assert_eq!(plan.outputs["has-changes"], "false", "{}", plan.summary);
    assert!(plan.summary.contains("No changes"), "{}", plan.summary);
    assert!(
        plan.logs
            .contains("read 1 state file(s) from the state branch `helpcenter-state`"),
        "{}",
        plan.logs
    );
    assert!(api.plan_comments().is_empty());
    assert!(api.writes().is_empty());
    // A plan never commits, even with a state branch.
    assert_eq!(job.git(&remote(&job), &["rev-parse", STATE_BRANCH]), first);
    assert_no_secrets(&plan, Some(&api));

    // A change merged to main: apply updates the article found through the branch's state
    // (no duplicate), and the branch gets a second commit on top of the first.
    write(
        &job.content(),
        "guides/start.md",
        "---\ntitle: Start right here\n---\nWelcome.\n",
    );
    let apply = job.run(&with);
    assert_ok(&apply);
    assert_eq!(apply.outputs["has-changes"], "true");
    let titles: Vec<String> = emu
        .http()
        .articles()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(
        titles.contains(&"Start right here".to_owned()),
        "{titles:?}"
    );
    let remote = remote(&job);
    assert_eq!(
        job.git(&remote, &["rev-parse", &format!("{STATE_BRANCH}^")]),
        first
    );
    assert!(
        apply.summary.contains("Committed the state file as"),
        "{}",
        apply.summary
    );

    // Nothing left to do: no commit.
    let again = job.run(&with);
    assert_ok(&again);
    assert_eq!(again.outputs["has-changes"], "false");
    assert!(
        again
            .summary
            .contains("The state file is unchanged on `helpcenter-state`."),
        "{}",
        again.summary
    );
    assert_eq!(
        job.git(&remote, &["rev-list", "--count", STATE_BRANCH])
            .trim(),
        "2"
    );
    assert_no_secrets(&again, None);
}

#[test]
fn commits_on_the_state_branch_from_other_runs_are_kept() {
    let emu = Emulator::start(&[]);
    let job = Job::new("push", "http://127.0.0.1:9")
        .with_content(&emu.base_url)
        .with_git_remote();
    let with = [
        ("directory", "help"),
        ("intercom-token", TOKEN),
        ("state-branch", STATE_BRANCH),
    ];
    assert_ok(&job.run(&with));

    // Another target's run commits its own state to the branch from another clone.
    let other = job.root.path().join("other");
    let remote = remote(&job);
    job.git(
        job.root.path(),
        &[
            "clone",
            "--quiet",
            "--branch",
            STATE_BRANCH,
            remote.to_str().unwrap(),
            other.to_str().unwrap(),
        ],
    );
    write(&other, "help/.helpcenter/staging.state.json", "{}\n");
    job.git(&other, &["add", "-A"]);
    job.git(&other, &["commit", "--quiet", "-m", "state of staging"]);
    job.git(&other, &["push", "--quiet", "origin", STATE_BRANCH]);

    write(
        &job.content(),
        "guides/faq.md",
        "---\ntitle: Questions\n---\nAsk away.\n",
    );
    let run = job.run(&with);
    assert_ok(&run);
    let log = job.git(&remote, &["log", "--format=%s", STATE_BRANCH]);
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "helpcenter: update state of `test` [skip ci]",
            "state of staging",
            "helpcenter: update state of `test` [skip ci]",
        ]
    );
    let files = job.git(&remote, &["ls-tree", "-r", "--name-only", STATE_BRANCH]);
    assert_eq!(
        files.lines().collect::<Vec<_>>(),
        ["help/.helpcenter/staging.state.json", STATE_PATH]
    );
}

#[test]
fn an_invalid_state_branch_name_fails_before_anything_is_sent() {
    let emu = Emulator::start(&[]);
    let job = Job::new("push", "http://127.0.0.1:9")
        .with_content(&emu.base_url)
        .with_git_remote();
    let run = job.run(&[
        ("directory", "help"),
        ("intercom-token", TOKEN),
        ("state-branch", "bad..name"),
    ]);
    assert_eq!(
        run.failed.as_deref(),
        Some("Run helpcenter"),
        "{}",
        run.logs
    );
    assert!(
        run.logs
            .contains("input `state-branch` is not a valid branch name: `bad..name`"),
        "{}",
        run.logs
    );
    assert!(emu.http().articles().is_empty());
}

/// Runs `state-branch.sh commit` in the job's workspace with a `git` on PATH that, before
/// each of the first `races` pushes, lets another run commit to the state branch first (from
/// its own clone, with the real git): the race a `concurrency` group does not cover when
/// several workflows share one state branch.
fn commit_racing(job: &Job, races: usize) -> std::process::Output {
    let root = job.root.path();
    let other = root.join("racer");
    job.git(
        root,
        &[
            "clone",
            "--quiet",
            "--branch",
            STATE_BRANCH,
            remote(job).to_str().unwrap(),
            other.to_str().unwrap(),
        ],
    );
    let real_git = String::from_utf8(
        std::process::Command::new("bash")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let bin = root.join("racing-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let wrapper = bin.join("git");
    std::fs::write(
        &wrapper,
        format!(
            r#"#!/usr/bin/env bash
set -e
if [ "${{1:-}}" = push ]; then
  n=$(cat "$RACE_DIR/pushes" 2>/dev/null || echo 0)
  echo $((n + 1)) >"$RACE_DIR/pushes"
  if [ "$n" -lt {races} ]; then
    (
      cd "$RACE_DIR/racer"
      "{real_git}" pull --quiet --ff-only origin {STATE_BRANCH}
      echo "$n" >"race-$n.txt"
      "{real_git}" add "race-$n.txt"
      "{real_git}" commit --quiet -m "another run $n"
      "{real_git}" push --quiet origin HEAD:refs/heads/{STATE_BRANCH}
    ) >&2
  fi
fi
exec "{real_git}" "$@"
"#
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &wrapper,
        <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755),
    )
    .unwrap();
    std::process::Command::new("bash")
        .arg(crate::support::repo().join("scripts/action/state-branch.sh"))
        .args(["commit", "help", "test", STATE_BRANCH])
        .current_dir(job.workspace())
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("RACE_DIR", root)
        .env("HOME", root.join("home"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .output()
        .unwrap()
}

/// A job whose first apply created the state branch, with the state file then changed in the
/// working tree (what the next apply would commit).
fn applied_with_a_new_state() -> (Emulator, Job) {
    let emu = Emulator::start(&[]);
    let job = Job::new("push", "http://127.0.0.1:9")
        .with_content(&emu.base_url)
        .with_git_remote();
    let with = [
        ("directory", "help"),
        ("intercom-token", TOKEN),
        ("state-branch", STATE_BRANCH),
    ];
    assert_ok(&job.run(&with));
    write(&job.workspace(), STATE_PATH, "{\"changed\": true}\n");
    (emu, job)
}

#[test]
fn a_push_that_loses_the_race_is_rebuilt_on_the_new_head_and_keeps_both_commits() {
    let (_emu, job) = applied_with_a_new_state();

    let out = commit_racing(&job, 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "push to the state branch rejected (try 1 of 3): reading `helpcenter-state` again"
        ),
        "{stderr}"
    );
    let remote = remote(&job);
    let log = job.git(&remote, &["log", "--format=%s", STATE_BRANCH]);
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "helpcenter: update state of `test` [skip ci]",
            "another run 0",
            "helpcenter: update state of `test` [skip ci]",
        ]
    );
    // The other run's file is kept and ours is the one in the working tree.
    let files = job.git(&remote, &["ls-tree", "-r", "--name-only", STATE_BRANCH]);
    assert_eq!(
        files.lines().collect::<Vec<_>>(),
        [STATE_PATH, "race-0.txt"]
    );
    let ours = job.git(&remote, &["show", &format!("{STATE_BRANCH}:{STATE_PATH}")]);
    assert_eq!(ours, "{\"changed\": true}\n");
}

#[test]
fn three_lost_races_fail_the_step_without_overwriting_the_other_runs() {
    let (_emu, job) = applied_with_a_new_state();

    let out = commit_racing(&job, 3);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some(
            "::error title=helpcenter action::could not push the state commit to `helpcenter-state` after 3 tries"
        )
    );
    let log = job.git(&remote(&job), &["log", "--format=%s", STATE_BRANCH]);
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "another run 2",
            "another run 1",
            "another run 0",
            "helpcenter: update state of `test` [skip ci]",
        ]
    );
}
