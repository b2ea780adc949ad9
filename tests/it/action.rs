//! The GitHub Action (`action.yml`) run locally, step by step, as the runner would: the steps
//! and their `env:` come from the real file (parsed with serde-saphyr), `${{ … }}` expressions
//! and `if:` conditions are evaluated, each `run:` goes through `bash -eo pipefail` with a
//! simulated GitHub environment (event file, step summary, step outputs), a local stand-in
//! for the GitHub REST API, the real emulator and the real binary on PATH. The install
//! steps are skipped through `HELPCENTER_ACTION_SKIP_INSTALL=true`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use crate::support::{Emulator, TOKEN, copy_tree, point_at, repo, run_in, write};

/// The token the simulated runner hands the action as `github.token`.
const GITHUB_TOKEN: &str = "ghs_fake_github_token_do_not_print";
const REPOSITORY: &str = "acme/help";
const PR_NUMBER: u64 = 7;
/// Unrelated comments already on the pull request: more than one page of 100.
const OTHER_COMMENTS: u64 = 120;

// ---------------------------------------------------------------------------------------
// action.yml

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Action {
    name: String,
    description: String,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    branding: BTreeMap<String, String>,
    inputs: BTreeMap<String, Input>,
    outputs: BTreeMap<String, Output>,
    runs: Runs,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    description: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    default: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Output {
    description: String,
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Runs {
    using: String,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    name: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default, rename = "if")]
    condition: Option<String>,
    #[serde(default)]
    uses: Option<String>,
    #[serde(default)]
    run: Option<String>,
    #[serde(default)]
    shell: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    with: BTreeMap<String, String>,
}

fn action() -> Action {
    let text = std::fs::read_to_string(repo().join("action.yml")).expect("action.yml exists");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("action.yml does not parse: {e}"))
}

/// What `${{ … }}` can see.
struct Ctx<'a> {
    inputs: &'a BTreeMap<String, String>,
    steps: &'a BTreeMap<String, BTreeMap<String, String>>,
    github: &'a BTreeMap<String, String>,
}

impl Ctx<'_> {
    /// One property path (`inputs.x`, `steps.id.outputs.y`, `github.x`, `runner.x`); panics
    /// on anything else, so the test keeps up with the file.
    fn lookup(&self, path: &str) -> String {
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self
                .inputs
                .get(*name)
                .unwrap_or_else(|| panic!("`inputs.{name}` is not a declared input"))
                .clone(),
            ["steps", id, "outputs", name] => self
                .steps
                .get(*id)
                .unwrap_or_else(|| panic!("`steps.{id}` does not name an earlier step"))
                .get(*name)
                .cloned()
                .unwrap_or_default(),
            ["github", name] => self
                .github
                .get(*name)
                .unwrap_or_else(|| panic!("`github.{name}` is not simulated"))
                .clone(),
            _ => panic!("unsupported expression `{path}`"),
        }
    }

    /// An `if:` condition: `a == 'x'`, `a != 'x'`, or a bare property (truthy when non-empty).
    fn condition(&self, expr: &str) -> bool {
        let expr = expr
            .trim()
            .trim_start_matches("${{")
            .trim_end_matches("}}")
            .trim();
        for (op, equal) in [("==", true), ("!=", false)] {
            if let Some((left, right)) = expr.split_once(op) {
                let right = right.trim();
                let literal = right
                    .strip_prefix('\'')
                    .and_then(|r| r.strip_suffix('\''))
                    .unwrap_or_else(|| panic!("unsupported right-hand side in `{expr}`"));
                return (self.lookup(left.trim()) == literal) == equal;
            }
        }
        !self.lookup(expr).is_empty()
    }

    /// Replaces every `${{ … }}` in `text`.
    fn substitute(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("closed expression") + start;
            out.push_str(&self.lookup(rest[start + 3..end].trim()));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }
}

// ---------------------------------------------------------------------------------------
// A stand-in for the GitHub REST API (issue comments only)

#[derive(Debug, Clone)]
pub(crate) struct Comment {
    id: u64,
    pub(crate) body: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Call {
    method: String,
    path: String,
    authorization: String,
    body: String,
}

#[derive(Default)]
struct ApiState {
    comments: Vec<Comment>,
    calls: Vec<Call>,
    next_id: u64,
}

pub(crate) struct FakeGitHub {
    pub(crate) url: String,
    state: Arc<Mutex<ApiState>>,
}

impl FakeGitHub {
    /// Starts on 127.0.0.1:0 with `OTHER_COMMENTS` unrelated comments on the pull request.
    pub(crate) fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut state = ApiState {
            next_id: 1000,
            ..ApiState::default()
        };
        for i in 0..OTHER_COMMENTS {
            state.comments.push(Comment {
                id: 100 + i,
                body: format!("a review remark {i}"),
            });
        }
        let state = Arc::new(Mutex::new(state));
        let shared = Arc::clone(&state);
        // The thread ends with the test binary; each connection is served in turn.
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                serve(stream, &shared);
            }
        });
        Self { url, state }
    }

    fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    /// Comments that carry a plan marker.
    pub(crate) fn plan_comments(&self) -> Vec<Comment> {
        let state = self.state.lock().unwrap();
        state
            .comments
            .iter()
            .filter(|c| c.body.contains("<!-- helpcenter-plan:"))
            .cloned()
            .collect()
    }

    pub(crate) fn writes(&self) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method != "GET")
            .collect()
    }
}

fn serve(stream: TcpStream, state: &Mutex<ApiState>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut length = 0;
    let mut authorization = String::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap(),
            "authorization" => value.trim().clone_into(&mut authorization),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let body = String::from_utf8(body).unwrap();
    let self_url = format!("http://{}", stream.local_addr().unwrap());
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let params: BTreeMap<&str, &str> = query.split('&').filter_map(|p| p.split_once('=')).collect();

    let mut st = state.lock().unwrap();
    st.calls.push(Call {
        method: method.clone(),
        path: path.to_owned(),
        authorization: authorization.clone(),
        body: body.clone(),
    });
    let list = format!("/repos/{REPOSITORY}/issues/{PR_NUMBER}/comments");
    let (status, json, link) = if authorization != format!("Bearer {GITHUB_TOKEN}") {
        (401, serde_json::json!({"message": "Bad credentials"}), None)
    } else if method == "GET" && path == list {
        let per_page: usize = params.get("per_page").map_or(30, |v| v.parse().unwrap());
        let page: usize = params.get("page").map_or(1, |v| v.parse().unwrap());
        let all: Vec<serde_json::Value> = st
            .comments
            .iter()
            .map(|c| serde_json::json!({"id": c.id, "body": c.body}))
            .collect();
        let slice: Vec<_> = all
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .cloned()
            .collect();
        let more = all.len() > page * per_page;
        let link = more.then(|| {
            format!(
                "<{self_url}{list}?per_page={per_page}&page={}>; rel=\"next\"",
                page + 1
            )
        });
        (200, serde_json::Value::Array(slice), link)
    } else if method == "POST" && path == list {
        let text = serde_json::from_str::<serde_json::Value>(&body).unwrap()["body"]
            .as_str()
            .unwrap()
            .to_owned();
        st.next_id += 1;
        let id = st.next_id;
        st.comments.push(Comment {
            id,
            body: text.clone(),
        });
        (201, serde_json::json!({"id": id, "body": text}), None)
    } else if let (Some(id), "PATCH") = (
        path.strip_prefix(&format!("/repos/{REPOSITORY}/issues/comments/")),
        method.as_str(),
    ) {
        let id: u64 = id.parse().unwrap();
        let text = serde_json::from_str::<serde_json::Value>(&body).unwrap()["body"]
            .as_str()
            .unwrap()
            .to_owned();
        match st.comments.iter_mut().find(|c| c.id == id) {
            Some(c) => {
                c.body.clone_from(&text);
                (200, serde_json::json!({"id": id, "body": text}), None)
            }
            None => (404, serde_json::json!({"message": "Not Found"}), None),
        }
    } else {
        (404, serde_json::json!({"message": "Not Found"}), None)
    };
    drop(st);
    let payload = json.to_string();
    let link = link.map(|l| format!("Link: {l}\r\n")).unwrap_or_default();
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{link}Connection: close\r\n\r\n{payload}",
        payload.len()
    );
}

// ---------------------------------------------------------------------------------------
// The simulated runner

/// One job's environment: a workspace (a git repository with the content in `help/`), the
/// event, and the files the runner provides.
pub(crate) struct Job {
    pub(crate) root: tempfile::TempDir,
    event_name: &'static str,
    api_url: String,
}

/// What one run of the action left behind.
#[derive(Debug)]
pub(crate) struct ActionRun {
    /// The step that failed, if any (later steps did not run).
    pub(crate) failed: Option<String>,
    /// Names of the steps that were skipped by their `if:`.
    pub(crate) skipped: Vec<String>,
    /// Each step's stdout and stderr.
    pub(crate) logs: String,
    /// Values registered with `::add-mask::`.
    pub(crate) masks: Vec<String>,
    pub(crate) outputs: BTreeMap<String, String>,
    pub(crate) summary: String,
    /// `actions/upload-artifact` steps that ran: (artifact name, path), the path checked to
    /// exist as the real action would.
    pub(crate) artifacts: Vec<(String, PathBuf)>,
}

impl Job {
    pub(crate) fn new(event_name: &'static str, api_url: &str) -> Self {
        let root = tempfile::tempdir().unwrap();
        for dir in ["workspace", "home", "temp"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        let event = match event_name {
            "push" => serde_json::json!({"ref": "refs/heads/main", "after": "0123456789abcdef"}),
            _ => serde_json::json!({
                "action": "synchronize",
                "number": PR_NUMBER,
                "pull_request": {"number": PR_NUMBER, "head": {"sha": "f00dfacecafe1234"}},
            }),
        };
        std::fs::write(root.path().join("event.json"), event.to_string()).unwrap();
        Self {
            root,
            event_name,
            api_url: api_url.to_owned(),
        }
    }

    pub(crate) fn workspace(&self) -> PathBuf {
        self.root.path().join("workspace")
    }

    pub(crate) fn content(&self) -> PathBuf {
        self.workspace().join("help")
    }

    /// The fixture content in `workspace/help`, its target pointed at the emulator.
    pub(crate) fn with_content(self, base_url: &str) -> Self {
        copy_tree(
            &repo().join("tests/fixtures/action/content"),
            &self.content(),
        );
        point_at(&self.content(), base_url);
        self
    }

    pub(crate) fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(["-c", "init.defaultBranch=main"])
            .args(args)
            .current_dir(dir)
            .env("HOME", self.root.path().join("home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Makes the workspace a clone of a bare `remote.git` on branch main, as actions/checkout
    /// leaves it.
    pub(crate) fn with_git_remote(self) -> Self {
        let remote = self.root.path().join("remote.git");
        self.git(
            self.root.path(),
            &["init", "--quiet", "--bare", remote.to_str().unwrap()],
        );
        let ws = self.workspace();
        self.git(&ws, &["init", "--quiet"]);
        self.git(&ws, &["add", "-A"]);
        self.git(&ws, &["commit", "--quiet", "-m", "content"]);
        self.git(&ws, &["remote", "add", "origin", remote.to_str().unwrap()]);
        self.git(&ws, &["push", "--quiet", "origin", "HEAD:refs/heads/main"]);
        self
    }

    /// Pushes an unrelated commit to the remote from another clone (the branch moves on).
    pub(crate) fn move_remote_branch(&self) {
        let other = self.root.path().join("other");
        let remote = self.root.path().join("remote.git");
        self.git(
            self.root.path(),
            &[
                "clone",
                "--quiet",
                remote.to_str().unwrap(),
                other.to_str().unwrap(),
            ],
        );
        write(&other, "NOTES.md", "Someone else merged meanwhile.\n");
        self.git(&other, &["add", "NOTES.md"]);
        self.git(&other, &["commit", "--quiet", "-m", "unrelated change"]);
        self.git(
            &other,
            &["push", "--quiet", "origin", "HEAD:refs/heads/main"],
        );
    }

    /// Runs every step of action.yml with `with` as the inputs.
    pub(crate) fn run(&self, with: &[(&str, &str)]) -> ActionRun {
        let action = action();
        let root = self.root.path();
        let github: BTreeMap<String, String> = [
            ("token", GITHUB_TOKEN),
            ("action_path", repo().to_str().unwrap()),
            ("action_ref", ""),
            ("action_repository", ""),
            ("event_name", self.event_name),
            ("repository", REPOSITORY),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let no_steps = BTreeMap::new();
        let no_inputs = BTreeMap::new();
        let mut inputs = BTreeMap::new();
        for (name, input) in &action.inputs {
            let ctx = Ctx {
                inputs: &no_inputs,
                steps: &no_steps,
                github: &github,
            };
            inputs.insert(
                name.clone(),
                ctx.substitute(input.default.as_deref().unwrap_or("")),
            );
        }
        for (name, value) in with {
            assert!(
                inputs.contains_key(*name),
                "`{name}` is not an input of action.yml"
            );
            inputs.insert((*name).to_owned(), (*value).to_owned());
        }

        let summary_path = root.join("step_summary.md");
        std::fs::write(&summary_path, "").unwrap();
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_helpcenter"))
            .parent()
            .unwrap()
            .to_owned();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );

        let mut steps: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut run = ActionRun {
            failed: None,
            skipped: Vec::new(),
            logs: String::new(),
            masks: Vec::new(),
            outputs: BTreeMap::new(),
            summary: String::new(),
            artifacts: Vec::new(),
        };
        for (index, step) in action.runs.steps.iter().enumerate() {
            let ctx = Ctx {
                inputs: &inputs,
                steps: &steps,
                github: &github,
            };
            if step.condition.as_ref().is_some_and(|c| !ctx.condition(c)) {
                run.skipped.push(step.name.clone());
                continue;
            }
            if step
                .uses
                .as_deref()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
            {
                let name = ctx.substitute(&step.with["name"]);
                let path = PathBuf::from(ctx.substitute(&step.with["path"]));
                assert!(
                    !name.is_empty(),
                    "step `{}` uploads without a name",
                    step.name
                );
                assert!(
                    path.exists(),
                    "step `{}` uploads a missing `{}`",
                    step.name,
                    path.display()
                );
                run.artifacts.push((name, path));
                continue;
            }
            let script = step.run.as_ref().unwrap_or_else(|| {
                panic!(
                    "step `{}` ({:?}) would run; the test skips installs only",
                    step.name, step.uses
                )
            });
            assert_eq!(step.shell.as_deref(), Some("bash"), "step `{}`", step.name);
            let script_file = root.join(format!("step-{index}.sh"));
            std::fs::write(&script_file, script).unwrap();
            let output_file = root.join(format!("step-{index}.output"));
            std::fs::write(&output_file, "").unwrap();

            let mut cmd = Command::new("bash");
            // What the runner does for `shell: bash`.
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_file)
                .current_dir(self.workspace())
                .env_clear()
                .env("PATH", &path)
                .env("HOME", root.join("home"))
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("CI", "true")
                .env("GITHUB_ACTIONS", "true")
                .env("HELPCENTER_ACTION_SKIP_INSTALL", "true")
                .env("GITHUB_ACTION_PATH", repo())
                .env("GITHUB_WORKSPACE", self.workspace())
                .env("GITHUB_EVENT_NAME", self.event_name)
                .env("GITHUB_EVENT_PATH", root.join("event.json"))
                .env("GITHUB_REPOSITORY", REPOSITORY)
                .env("GITHUB_API_URL", &self.api_url)
                .env("GITHUB_SERVER_URL", "http://github.invalid")
                .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
                .env("GITHUB_RUN_ID", "4242")
                .env("GITHUB_STEP_SUMMARY", &summary_path)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_PATH", root.join("github_path"))
                .env("RUNNER_TEMP", root.join("temp"))
                .env("RUNNER_OS", "Linux")
                .env("RUNNER_ARCH", "X64");
            if self.event_name == "push" {
                cmd.env("GITHUB_REF", "refs/heads/main")
                    .env("GITHUB_REF_NAME", "main");
            } else {
                cmd.env("GITHUB_REF", format!("refs/pull/{PR_NUMBER}/merge"))
                    .env("GITHUB_REF_NAME", format!("{PR_NUMBER}/merge"));
            }
            for (name, value) in &step.env {
                cmd.env(name, ctx.substitute(value));
            }
            let out = cmd.output().expect("bash runs");
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            for line in stdout.lines() {
                if let Some(mask) = line.strip_prefix("::add-mask::") {
                    run.masks.push(mask.to_owned());
                } else {
                    run.logs.push_str(line);
                    run.logs.push('\n');
                }
            }
            run.logs.push_str(&stderr);
            let written = parse_outputs(&std::fs::read_to_string(&output_file).unwrap());
            if let Some(id) = &step.id {
                steps.insert(id.clone(), written);
            }
            if !out.status.success() {
                run.failed = Some(step.name.clone());
                break;
            }
        }
        let ctx = Ctx {
            inputs: &inputs,
            steps: &steps,
            github: &github,
        };
        for (name, output) in &action.outputs {
            run.outputs
                .insert(name.clone(), ctx.substitute(&output.value));
        }
        run.summary = std::fs::read_to_string(&summary_path).unwrap();
        run
    }
}

/// Parses a `GITHUB_OUTPUT` file (`name=value` and `name<<DELIM … DELIM`).
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.insert(name.to_owned(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_owned(), value.to_owned());
        }
    }
    out
}

/// Neither token appears in anything a user or a log reader can see.
#[track_caller]
pub(crate) fn assert_no_secrets(run: &ActionRun, api: Option<&FakeGitHub>) {
    let mut seen = vec![run.logs.clone(), run.summary.clone()];
    seen.extend(run.outputs.values().cloned());
    if let Some(api) = api {
        seen.extend(
            api.state
                .lock()
                .unwrap()
                .comments
                .iter()
                .map(|c| c.body.clone()),
        );
        seen.extend(api.calls().iter().map(|c| format!("{} {}", c.path, c.body)));
    }
    for text in &seen {
        assert!(!text.contains(TOKEN), "the Intercom token leaked:\n{text}");
        assert!(
            !text.contains(GITHUB_TOKEN),
            "the GitHub token leaked:\n{text}"
        );
    }
}

#[track_caller]
pub(crate) fn assert_ok(run: &ActionRun) {
    assert!(
        run.failed.is_none(),
        "step `{:?}` failed:\n{}",
        run.failed,
        run.logs
    );
}

// ---------------------------------------------------------------------------------------
// Tests

#[test]
fn action_yml_declares_the_documented_interface() {
    let action = action();
    assert!(!action.name.is_empty() && !action.description.is_empty());
    assert!(action.author.is_some() && !action.branding.is_empty());
    assert_eq!(action.runs.using, "composite");
    let inputs: Vec<&str> = action.inputs.keys().map(String::as_str).collect();
    assert_eq!(
        inputs,
        [
            "command",
            "commit-state",
            "directory",
            "github-token",
            "intercom-token",
            "on-drift",
            "preview",
            "prune",
            "state-branch",
            "target",
            "version"
        ]
    );
    for (name, input) in &action.inputs {
        assert!(
            !input.description.is_empty(),
            "input `{name}` has no description"
        );
        assert!(!input.required, "input `{name}` should have a default");
    }
    let outputs: Vec<&str> = action.outputs.keys().map(String::as_str).collect();
    assert_eq!(outputs, ["has-changes", "plan-file"]);
    assert!(action.outputs.values().all(|o| !o.description.is_empty()));

    let mut ids = Vec::new();
    for step in &action.runs.steps {
        if let Some(run) = &step.run {
            // Expressions in `run:` are a script-injection risk; values travel through env.
            assert!(
                !run.contains("${{"),
                "step `{}` expands an expression in `run:`",
                step.name
            );
            let script = run
                .trim()
                .trim_matches(['"', '\''])
                .trim_start_matches("\"$GITHUB_ACTION_PATH/");
            let script = script
                .trim_start_matches("$GITHUB_ACTION_PATH/")
                .trim_end_matches('"');
            assert!(
                repo().join(script).is_file(),
                "step `{}` runs a missing script `{script}`",
                step.name
            );
            assert_eq!(step.shell.as_deref(), Some("bash"));
        } else {
            assert!(
                step.uses.as_deref().is_some_and(|u| {
                    u.starts_with("actions/cache@") || u.starts_with("actions/upload-artifact@")
                }),
                "step `{}`",
                step.name
            );
        }
        // The token only ever travels in `env:`.
        assert!(
            !step.with.values().any(|v| v.contains("intercom-token")),
            "step `{}` passes the token outside env",
            step.name
        );
        // Every steps.ID reference names an earlier step.
        let mut texts: Vec<&String> = step.env.values().chain(step.with.values()).collect();
        texts.extend(step.condition.iter());
        for text in texts {
            for (i, _) in text.match_indices("steps.") {
                let id = text[i + 6..].split('.').next().unwrap();
                assert!(
                    ids.contains(&id.to_owned()),
                    "step `{}` reads `steps.{id}` before it runs",
                    step.name
                );
            }
        }
        ids.extend(step.id.clone());
    }
    for output in action.outputs.values() {
        let id = output
            .value
            .split("steps.")
            .nth(1)
            .unwrap()
            .split('.')
            .next()
            .unwrap();
        assert!(
            ids.contains(&id.to_owned()),
            "output reads unknown step `{id}`"
        );
    }
}

#[test]
fn pull_request_plan_comment_is_created_once_then_updated_in_place() {
    let emu = Emulator::start(&[]);
    let api = FakeGitHub::start();
    let job = Job::new("pull_request", &api.url).with_content(&emu.base_url);
    let with = [("directory", "help"), ("intercom-token", TOKEN)];

    // First push: the plan creates everything, one comment is posted.
    let first = job.run(&with);
    assert_ok(&first);
    assert_eq!(
        first.skipped,
        ["Cache the helpcenter build", "Install helpcenter"]
    );
    assert_eq!(first.masks, [TOKEN, TOKEN]);
    assert_eq!(first.outputs["has-changes"], "true");
    let plan_file = PathBuf::from(&first.outputs["plan-file"]);
    assert!(
        plan_file.starts_with(job.root.path().join("temp")),
        "{}",
        plan_file.display()
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_file).unwrap()).unwrap();
    // The saved plan is the full plan `apply` re-verifies: exactly these fields and changes.
    let keys: Vec<&str> = saved
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "version",
            "target",
            "help_center_id",
            "content_hash",
            "summary",
            "changes",
            "warnings",
            "errors"
        ]
    );
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["target"], "test");
    let hash = saved["content_hash"].as_str().unwrap();
    assert!(
        hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{hash}"
    );
    assert_eq!(
        saved["summary"],
        serde_json::json!({
            "create": 3, "update": 0, "delete": 0, "adopt": 0, "move": 0, "recreate": 0,
            "unpublish": 0, "unchanged": 0, "drift": 0, "needs_prune": 0,
        })
    );
    let mut changes: Vec<(String, String, String)> = saved["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let field = |k: &str| c[k].as_str().unwrap().to_owned();
            (field("action"), field("kind"), field("key"))
        })
        .collect();
    changes.sort();
    let want = |a: &str, k: &str, key: &str| (a.to_owned(), k.to_owned(), key.to_owned());
    assert_eq!(
        changes,
        [
            want("create", "article", "guides/faq"),
            want("create", "article", "guides/start"),
            want("create", "collection", "guides"),
        ]
    );
    assert_eq!(saved["warnings"], serde_json::json!([]));
    assert_eq!(saved["errors"], serde_json::json!([]));
    assert!(
        first
            .summary
            .starts_with("### helpcenter plan for `test`\n"),
        "{}",
        first.summary
    );
    assert!(
        first.summary.contains("<code>guides/start</code>"),
        "{}",
        first.summary
    );
    let comments = api.plan_comments();
    assert_eq!(comments.len(), 1);
    let id = comments[0].id;
    assert!(
        comments[0]
            .body
            .starts_with("<!-- helpcenter-plan:test -->\n### helpcenter plan for `test`\n")
    );
    assert!(comments[0].body.contains("Start here"));
    assert!(
        comments[0].body.contains("f00dfac"),
        "the comment names the head commit"
    );
    let writes = api.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        ("POST", "/repos/acme/help/issues/7/comments")
    );
    // The marker was looked for on every page (120 other comments: 2 pages of 100).
    let pages = api.calls().iter().filter(|c| c.method == "GET").count();
    assert_eq!(pages, 2);
    assert_no_secrets(&first, Some(&api));

    // Second push with a content change: the same comment is edited, no new one.
    write(
        &job.content(),
        "guides/start.md",
        "---\ntitle: Start right here\n---\nWelcome.\n",
    );
    let second = job.run(&with);
    assert_ok(&second);
    assert_eq!(second.outputs["has-changes"], "true");
    let comments = api.plan_comments();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].id, id);
    assert!(comments[0].body.contains("Start right here"));
    let writes = api.writes();
    assert_eq!(writes.len(), 2);
    assert_eq!(writes[1].method, "PATCH");
    assert_eq!(
        writes[1].path,
        format!("/repos/acme/help/issues/comments/{id}")
    );
    assert!(second.summary.contains("Start right here"));
    assert_no_secrets(&second, Some(&api));

    // The change is applied elsewhere (the merge): the comment now says there is nothing to do.
    run_in(&job.content(), &["apply", "--yes"]).expect(0);
    let third = job.run(&with);
    assert_ok(&third);
    assert_eq!(third.outputs["has-changes"], "false");
    let comments = api.plan_comments();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].id, id);
    assert!(
        comments[0].body.contains("No changes"),
        "{}",
        comments[0].body
    );
    assert_eq!(api.writes().len(), 3);
    assert!(
        api.calls()
            .iter()
            .all(|c| c.authorization == format!("Bearer {GITHUB_TOKEN}"))
    );
    assert_no_secrets(&third, Some(&api));
}

#[test]
fn pull_request_without_any_change_posts_no_comment() {
    let emu = Emulator::start(&[]);
    let api = FakeGitHub::start();
    let job = Job::new("pull_request", &api.url).with_content(&emu.base_url);
    run_in(&job.content(), &["apply", "--yes"]).expect(0);

    let run = job.run(&[("directory", "help"), ("intercom-token", TOKEN)]);
    assert_ok(&run);
    assert_eq!(run.outputs["has-changes"], "false");
    assert!(run.summary.starts_with("### helpcenter plan for `test`\n"));
    assert!(run.summary.contains("No changes"), "{}", run.summary);
    assert!(api.writes().is_empty(), "{:?}", api.writes());
    assert!(api.plan_comments().is_empty());
    assert_no_secrets(&run, Some(&api));
}

#[test]
fn pull_request_from_a_fork_falls_back_to_check() {
    let emu = Emulator::start(&[]);
    let api = FakeGitHub::start();
    let job = Job::new("pull_request", &api.url).with_content(&emu.base_url);

    // No secrets: the token input is empty.
    let run = job.run(&[("directory", "help"), ("intercom-token", "")]);
    assert_ok(&run);
    assert!(run.masks.is_empty());
    assert_eq!(run.outputs["has-changes"], "false");
    assert_eq!(run.outputs["plan-file"], "");
    assert!(
        run.summary.starts_with("### helpcenter check for `test`\n"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("pull request from a fork"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("only `check` ran"));
    assert!(run.summary.contains("The content is valid."));
    assert!(api.calls().is_empty(), "no comment without a plan");
    assert!(
        emu.http().requests().as_array().is_none_or(Vec::is_empty),
        "nothing reached Intercom"
    );

    // A content error fails the job and is an annotation on the file.
    std::fs::copy(
        repo().join("tests/fixtures/action/broken.md"),
        job.content().join("guides/broken.md"),
    )
    .unwrap();
    let run = job.run(&[("directory", "help"), ("intercom-token", "")]);
    assert_eq!(run.failed.as_deref(), Some("Run helpcenter"));
    assert!(
        run.logs
            .contains("::error file=help/guides/broken.md,line=3"),
        "{}",
        run.logs
    );
    assert!(
        run.summary.contains("The content has errors"),
        "{}",
        run.summary
    );
    assert_no_secrets(&run, Some(&api));
}

#[test]
fn push_applies_and_commits_the_state_after_a_rebase() {
    let emu = Emulator::start(&[]);
    let job = Job::new("push", "http://127.0.0.1:9")
        .with_content(&emu.base_url)
        .with_git_remote();
    job.move_remote_branch();

    let run = job.run(&[
        ("directory", "help"),
        ("intercom-token", TOKEN),
        ("commit-state", "true"),
    ]);
    assert_ok(&run);
    assert_eq!(run.outputs["has-changes"], "true");
    assert!(
        run.summary
            .starts_with("### helpcenter apply for `test`\n\nApplied.\n"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("Committed the state file as"),
        "{}",
        run.summary
    );
    assert!(
        run.logs.contains("push rejected (try 1 of 3)"),
        "{}",
        run.logs
    );
    assert_eq!(emu.http().articles().len(), 2);

    // The remote has the unrelated commit and, on top, the state commit.
    let remote = job.root.path().join("remote.git");
    let log = job.git(&remote, &["log", "--format=%s", "main"]);
    let subjects: Vec<&str> = log.lines().collect();
    assert_eq!(
        subjects,
        [
            "helpcenter: update state of `test` [skip ci]",
            "unrelated change",
            "content"
        ]
    );
    let files = job.git(&remote, &["show", "--name-only", "--format=", "main"]);
    assert_eq!(files.trim(), "help/.helpcenter/test.state.json");
    let state = job.git(&remote, &["show", "main:help/.helpcenter/test.state.json"]);
    assert!(state.contains("guides/start") && state.contains("guides/faq"));
    let author = job.git(&remote, &["log", "-1", "--format=%an", "main"]);
    assert_eq!(author.trim(), "github-actions[bot]");
    assert!(!state.contains(TOKEN));
    assert_no_secrets(&run, None);

    // A second push with nothing to do: no apply, no commit.
    let again = job.run(&[
        ("directory", "help"),
        ("intercom-token", TOKEN),
        ("commit-state", "true"),
    ]);
    assert_ok(&again);
    assert_eq!(again.outputs["has-changes"], "false");
    assert!(again.summary.contains("No changes"), "{}", again.summary);
    assert!(
        again.summary.contains("The state file is unchanged."),
        "{}",
        again.summary
    );
    assert_eq!(
        job.git(&remote, &["rev-list", "--count", "main"]).trim(),
        "3"
    );
}

#[test]
fn push_failure_commits_the_partial_state_and_fails() {
    let emu = Emulator::start(&["--switch", "nested_lists=reject"]);
    let job = Job::new("push", "http://127.0.0.1:9").with_content(&emu.base_url);
    std::fs::copy(
        repo().join("tests/fixtures/action/nested-list.md"),
        job.content().join("guides/nested-list.md"),
    )
    .unwrap();
    let job = job.with_git_remote();

    let run = job.run(&[
        ("directory", "help"),
        ("intercom-token", TOKEN),
        ("commit-state", "true"),
    ]);
    assert_eq!(
        run.failed.as_deref(),
        Some("Run helpcenter"),
        "{}",
        run.logs
    );
    assert!(run.summary.contains("**Apply failed.**"), "{}", run.summary);
    assert!(
        run.summary.contains("Nested lists are not supported"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("Committed the state file as"),
        "{}",
        run.summary
    );

    let remote = job.root.path().join("remote.git");
    let state = job.git(&remote, &["show", "main:help/.helpcenter/test.state.json"]);
    assert!(
        state.contains("guides/start") && state.contains("guides/faq"),
        "{state}"
    );
    assert!(!state.contains("guides/nested-list"), "{state}");
    assert_no_secrets(&run, None);
}

#[test]
fn push_passes_prune_and_on_drift_to_apply() {
    let emu = Emulator::start(&[]);
    let job = Job::new("push", "http://127.0.0.1:9").with_content(&emu.base_url);
    run_in(&job.content(), &["apply", "--yes"]).expect(0);
    // The FAQ file is removed, and the start article is edited in the Intercom UI.
    std::fs::remove_file(job.content().join("guides/faq.md")).unwrap();
    let http = emu.http();
    let start = http
        .articles()
        .into_iter()
        .find(|a| a["title"] == "Start here")
        .unwrap();
    let id = start["id"].as_str().unwrap().to_owned();
    let (status, _) = http.call(
        "PUT",
        &format!("/articles/{id}"),
        Some(&serde_json::json!({"title": "Edited in the UI"})),
    );
    assert_eq!(status, 200);

    // Without on-drift the target's default (fail) stops the apply before any write.
    let refused = job.run(&[
        ("directory", "help"),
        ("intercom-token", TOKEN),
        ("prune", "true"),
    ]);
    assert_eq!(refused.failed.as_deref(), Some("Run helpcenter"));
    assert!(
        refused.summary.contains("**Apply failed.**"),
        "{}",
        refused.summary
    );
    assert!(refused.summary.contains("drift"), "{}", refused.summary);
    assert_eq!(http.articles().len(), 2);

    let run = job.run(&[
        ("directory", "help"),
        ("intercom-token", TOKEN),
        ("prune", "true"),
        ("on-drift", "overwrite"),
    ]);
    assert_ok(&run);
    assert_eq!(run.outputs["has-changes"], "true");
    let titles: Vec<String> = http
        .articles()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(titles, ["Start here"]);
    assert!(
        !run.summary.contains("Committed"),
        "commit-state is off: {}",
        run.summary
    );
    assert_no_secrets(&run, None);
}
