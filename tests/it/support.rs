//! Test support: run the real binary, start the real emulator (`sandbox serve`) on
//! 127.0.0.1:0, and build content trees in temporary folders.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The token the test emulators accept. Distinctive, so tests can assert it never leaks.
pub const TOKEN: &str = "tok_SECRET_c0ffee_never_print_me";
/// The env var test configs read the token from.
pub const TOKEN_ENV: &str = "HELPCENTER_TEST_TOKEN";

/// The binary under test.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_helpcenter"));
    cmd.env_remove("NO_COLOR")
        .env("CI", "1")
        .env(TOKEN_ENV, TOKEN)
        .stdin(Stdio::null());
    cmd
}

/// Result of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: &Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with both streams when the exit code is not `code`.
    #[track_caller]
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs `helpcenter --color never --dir DIR ARGS…`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let output = bin()
        .arg("--color")
        .arg("never")
        .arg("--dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("binary runs");
    Run::from(&output)
}

/// A `helpcenter sandbox serve` process on a free port; killed on drop.
pub struct Emulator {
    child: Child,
    pub base_url: String,
}

impl Emulator {
    /// Starts the emulator with extra flags (e.g. `--latency-ms 5`).
    pub fn start(flags: &[&str]) -> Self {
        let mut child = bin()
            .args(["sandbox", "serve", "--port", "0", "--token", TOKEN])
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("sandbox serve starts");
        let base_url = first_line_url(&mut child, "listening ");
        Self { child, base_url }
    }

    /// A blocking HTTP client with the test token.
    pub fn http(&self) -> Http {
        Http {
            base: self.base_url.clone(),
        }
    }
}

/// The URL a server command prints as its first stdout line after `prefix`
/// (`listening http://127.0.0.1:PORT`, `preview http://127.0.0.1:PORT`); stdout must be piped.
pub fn first_line_url(child: &mut Child, prefix: &str) -> String {
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .trim()
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    url
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Minimal blocking JSON calls to the emulator (to seed data or simulate UI edits).
pub struct Http {
    base: String,
}

impl Http {
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let client = reqwest::Client::new();
            let mut req = client
                .request(method.parse().unwrap(), format!("{}{path}", self.base))
                .bearer_auth(TOKEN)
                .header("Intercom-Version", "2.12")
                .header("Accept", "application/json");
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req.send().await.expect("request");
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            (
                status,
                serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            )
        })
    }

    pub fn get(&self, path: &str) -> serde_json::Value {
        let (status, body) = self.call("GET", path, None);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// Every article (all pages).
    pub fn articles(&self) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for page in 1.. {
            let body = self.get(&format!("/articles?per_page=250&page={page}"));
            let data = body["data"].as_array().cloned().unwrap_or_default();
            if data.is_empty() {
                break;
            }
            out.extend(data);
        }
        out
    }

    /// Every collection (all pages).
    pub fn collections(&self) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for page in 1.. {
            let body = self.get(&format!(
                "/help_center/collections?per_page=250&page={page}"
            ));
            let data = body["data"].as_array().cloned().unwrap_or_default();
            if data.is_empty() {
                break;
            }
            out.extend(data);
        }
        out
    }

    /// The emulator's request log (`/_sandbox/requests`).
    pub fn requests(&self) -> serde_json::Value {
        self.get("/_sandbox/requests")
    }
}

/// Copies a directory tree (no symlinks expected).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies example-content into a temp dir and points its config at `base_url` as target `test`.
pub fn example_against(base_url: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("example-content"), tmp.path());
    let _ = std::fs::remove_dir_all(tmp.path().join(".helpcenter"));
    point_at(tmp.path(), base_url);
    tmp
}

/// Appends a `[targets.test]` pointing at the emulator and makes it the default target.
pub fn point_at(root: &Path, base_url: &str) {
    let path = root.join("helpcenter.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("default_target") {
            out.push_str("default_target = \"test\"\n");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !text.contains("default_target") {
        out = format!("default_target = \"test\"\n{out}");
    }
    let _ = write!(
        out,
        "\n[targets.test]\nkind = \"intercom\"\nbase_url = \"{base_url}\"\ntoken_env = \"{TOKEN_ENV}\"\n{}",
        // Like `local`: the internal runbooks are for the Fin target only.
        if text.contains("internal/**") {
            "exclude = [\"internal/**\"]\n"
        } else {
            ""
        }
    );
    std::fs::write(path, out).unwrap();
}

/// Writes `text` to `root/rel`, creating directories.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}
