//! Trust at the API edge (issues 11.9, 11.12 and 17), through the real binary:
//! - the token never appears in output, even when a server echoes it back, or when it is
//!   pasted into `helpcenter.toml` under a wrong key or into `token_env`;
//! - `check` predicts the 400s the target would give (an empty list, nested lists per target),
//!   and the emulator gives them;
//! - the emulator sends Intercom's rate-limit headers by default.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;

use serde_json::json;

use crate::support::{Run, TOKEN, TOKEN_ENV, run_in, write};

// ---------------------------------------------------------------------------------------------
// A small hostile Intercom: a plain TCP server that answers a few routes and echoes the
// request's `Authorization` header wherever a test asks it to.
// ---------------------------------------------------------------------------------------------

/// One request as the hostile server saw it.
struct Seen {
    method: String,
    path: String,
    authorization: String,
}

/// What the hostile server answers: status, content type, body.
type Answer = (u16, &'static str, String);

/// A server on 127.0.0.1:0 that answers with `route`; runs until the test process ends.
struct Hostile {
    base_url: String,
}

impl Hostile {
    fn start(route: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let route = Arc::new(route);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let route = Arc::clone(&route);
                std::thread::spawn(move || serve_connection(stream, route.as_ref()));
            }
        });
        Self { base_url }
    }
}

fn serve_connection(stream: TcpStream, route: &(dyn Fn(&Seen) -> Answer + Send + Sync)) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut first = String::new();
        if reader.read_line(&mut first).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = first.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();
        let mut authorization = String::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "authorization" => value.trim().clone_into(&mut authorization),
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, content_type, text) = route(&Seen {
            method,
            path,
            authorization,
        });
        let head = format!(
            "HTTP/1.1 {status} Whatever\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
            text.len()
        );
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(text.as_bytes()).is_err()
        {
            return;
        }
    }
}

fn ok(body: &serde_json::Value) -> Answer {
    (200, "application/json", body.to_string())
}

fn list(data: &serde_json::Value) -> Answer {
    ok(
        &json!({"type": "list", "data": data, "total_count": data.as_array().map_or(0, Vec::len),
        "pages": {"type": "pages", "page": 1, "per_page": 250, "total_pages": 1}}),
    )
}

/// An `error.list` that repeats the Authorization header in its message and request id.
fn echo_error(status: u16, seen: &Seen) -> Answer {
    let body = json!({"type": "error.list", "request_id": seen.authorization,
        "errors": [{"code": "bad_request",
                    "message": format!("header Authorization: {} is not allowed here", seen.authorization)}]});
    (status, "application/json", body.to_string())
}

/// An empty workspace with one help center and one admin; `hook` may answer first.
fn workspace(seen: &Seen, hook: impl Fn(&Seen) -> Option<Answer>) -> Answer {
    if let Some(answer) = hook(seen) {
        return answer;
    }
    let path = seen.path.split('?').next().unwrap_or_default();
    let admin =
        json!({"type": "admin", "id": "991266200", "email": "docs@example.com", "name": "Docs"});
    match (seen.method.as_str(), path) {
        ("GET", "/me") => ok(&admin),
        ("GET", "/admins") => ok(&json!({"type": "admin.list", "admins": [admin]})),
        ("GET", "/help_center/help_centers") => list(&json!([{"id": "1", "workspace_id": "w",
            "identifier": "acme", "display_name": "Acme", "created_at": 1, "updated_at": 1,
            "website_turned_on": true, "url": "https://help.acme.test", "custom_domain": null}])),
        ("GET", "/help_center/collections" | "/articles") => list(&json!([])),
        _ => echo_error(404, seen),
    }
}

/// A content root whose only target is an intercom target at `base_url`.
fn project_against(base_url: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "helpcenter.toml",
        &format!(
            "default_locale = \"en\"\n\n[defaults]\nauthor = \"docs@example.com\"\n\n\
             [targets.prod]\nkind = \"intercom\"\nbase_url = \"{base_url}\"\ntoken_env = \"{TOKEN_ENV}\"\n"
        ),
    );
    write(tmp.path(), "guides/_collection.yml", "name: Guides\n");
    write(tmp.path(), "guides/a.md", "---\ntitle: A\n---\nHello.\n");
    tmp
}

/// Asserts the run failed, never printed the token, and showed the redacted server text.
#[track_caller]
fn assert_redacted(run: &Run) {
    let all = format!("{}\n{}", run.stdout, run.stderr);
    assert!(!all.contains(TOKEN), "the token leaked:\n{all}");
    assert!(
        all.contains("[redacted]"),
        "the server's text should be shown, redacted:\n{all}"
    );
}

#[test]
fn plan_redacts_a_token_echoed_in_an_error_body() {
    let server = Hostile::start(|seen| {
        workspace(seen, |s| {
            s.path.starts_with("/articles").then(|| echo_error(400, s))
        })
    });
    let root = project_against(&server.base_url);
    for flags in [
        &["plan"][..],
        &["-v", "plan"],
        &["plan", "--format", "json"],
    ] {
        let run = run_in(root.path(), flags).expect(1);
        assert_redacted(&run);
        assert!(
            run.stderr.contains("GET /articles?per_page=250&page=1: 400 bad_request: header Authorization: Bearer [redacted] is not allowed here"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn apply_redacts_a_token_echoed_in_an_error_body() {
    let server = Hostile::start(|seen| {
        workspace(seen, |s| (s.method == "POST").then(|| echo_error(422, s)))
    });
    let root = project_against(&server.base_url);
    let run = run_in(root.path(), &["-v", "apply", "--yes"]).expect(1);
    assert_redacted(&run);
    assert!(
        run.stderr
            .contains("POST /help_center/collections: 422 bad_request"),
        "{}",
        run.stderr
    );
}

#[test]
fn pull_redacts_a_token_echoed_in_an_error_body() {
    let server = Hostile::start(|seen| {
        workspace(seen, |s| {
            s.path
                .starts_with("/help_center/collections")
                .then(|| echo_error(400, s))
        })
    });
    let root = project_against(&server.base_url);
    std::fs::remove_dir_all(root.path().join("guides")).unwrap();
    let run = run_in(root.path(), &["pull"]).expect(1);
    assert_redacted(&run);
}

#[test]
fn a_token_echoed_in_a_malformed_success_body_is_redacted() {
    // serde quotes the offending value in its message: `invalid type: string "Bearer …"`.
    let server = Hostile::start(|seen| {
        workspace(seen, |s| {
            s.path.starts_with("/articles").then(|| {
                list(
                    &json!([{"id": "5", "type": "article", "title": "T", "body": "",
                    "author_id": 991_266_200, "state": "published",
                    "translated_content": s.authorization,
                    "created_at": 1, "updated_at": 1, "parent_id": null}]),
                )
            })
        })
    });
    let root = project_against(&server.base_url);
    let run = run_in(root.path(), &["plan"]).expect(1);
    assert_redacted(&run);
}

#[test]
fn a_token_echoed_in_a_pulled_body_is_not_written() {
    let server = Hostile::start(|seen| {
        workspace(seen, |s| {
            let path = s.path.split('?').next().unwrap_or_default();
            match path {
                "/help_center/collections" => Some(list(&json!([{"id": "7", "workspace_id": "w",
                    "name": "Guides", "description": "", "created_at": 1, "updated_at": 1,
                    "url": null, "icon": null, "order": 1, "parent_id": null, "help_center_id": 1}]))),
                "/articles" => Some(list(
                    &json!([{"id": "5", "type": "article", "workspace_id": "w",
                    "title": "Leaky", "description": "",
                    "body": format!("<p class=\"no-margin\">debug: {}</p>", s.authorization),
                    "author_id": 991_266_200, "state": "published", "created_at": 1,
                    "updated_at": 1, "parent_id": 7, "parent_type": "collection",
                    "parent_ids": [], "url": "https://help.acme.test/en/articles/5-leaky"}]),
                )),
                _ => None,
            }
        })
    });
    let root = project_against(&server.base_url);
    std::fs::remove_dir_all(root.path().join("guides")).unwrap();
    let run = run_in(root.path(), &["pull"]).expect(0);
    assert!(!format!("{}{}", run.stdout, run.stderr).contains(TOKEN));
    let mut found = false;
    for entry in walk(root.path()) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(!text.contains(TOKEN), "{} holds the token", entry.display());
        found |= text.contains("debug: Bearer \\[redacted\\]");
    }
    assert!(found, "the pulled article keeps the redacted text");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// A token pasted into `helpcenter.toml` is never echoed (not in messages, not in snippets).
// ---------------------------------------------------------------------------------------------

/// A token as Intercom issues them (base64 of `tok:…`), made up for the test.
const PASTED: &str = "dG9rOmNhZmViYWJlXzEyMzRfNTY3OF9hYmNkZWZnaGlqa2xtbm9wcXJzdHV2";

/// Runs `check` and `plan` on a project whose config is `config`; both must fail without
/// printing the pasted token; returns the `check` run.
#[track_caller]
fn refused_without_echo(config: &str) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "helpcenter.toml", config);
    write(tmp.path(), "guides/_collection.yml", "name: Guides\n");
    write(tmp.path(), "guides/a.md", "---\ntitle: A\n---\nHello.\n");
    let mut first = None;
    for args in [
        &["check"][..],
        &["check", "--format", "json"],
        &["check", "--format", "github"],
        &["plan"],
    ] {
        let run = run_in(tmp.path(), args).expect(1);
        let all = format!("{}\n{}", run.stdout, run.stderr);
        assert!(
            !all.contains(PASTED),
            "`{}` echoed the token:\n{all}",
            args.join(" ")
        );
        assert!(
            !all.contains(&PASTED[..16]),
            "`{}` echoed part of the token:\n{all}",
            args.join(" ")
        );
        first.get_or_insert(run);
    }
    first.unwrap()
}

#[test]
fn a_token_under_a_misnamed_key_is_never_echoed() {
    let header = "default_locale = \"en\"\n\n[targets.prod]\nkind = \"intercom\"\n";
    for line in [
        format!("Token = \"{PASTED}\""),
        format!("access_token = \"{PASTED}\""),
        format!("intercom_secret = \"{PASTED}\""),
        format!("api_key = \"{PASTED}\""),
        format!("notes = \"{PASTED}\""),
    ] {
        let run = refused_without_echo(&format!("{header}{line}\n"));
        assert!(run.stderr.contains("helpcenter.toml:5:1"), "{}", run.stderr);
        assert!(
            run.stderr.contains("never read from files"),
            "{}",
            run.stderr
        );
    }
    // The same at the top level and in `[defaults]`.
    let run = refused_without_echo(&format!(
        "default_locale = \"en\"\naccess_token = \"{PASTED}\"\n\n[targets.local]\nkind = \"sandbox\"\n"
    ));
    assert!(run.stderr.contains("helpcenter.toml:2:1"), "{}", run.stderr);
    refused_without_echo(&format!(
        "default_locale = \"en\"\n\n[defaults]\npassword = \"{PASTED}\"\n\n[targets.local]\nkind = \"sandbox\"\n"
    ));
}

#[test]
fn a_token_pasted_into_token_env_is_detected_and_never_echoed() {
    let run = refused_without_echo(&format!(
        "default_locale = \"en\"\n\n[targets.prod]\nkind = \"intercom\"\ntoken_env = \"{PASTED}\"\n"
    ));
    assert!(
        run.stderr.contains("helpcenter.toml:5:13"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("looks like an access token"),
        "{}",
        run.stderr
    );
    // With base64 padding it is not even a variable name.
    refused_without_echo(&format!(
        "default_locale = \"en\"\n\n[targets.prod]\nkind = \"intercom\"\ntoken_env = \"{PASTED}==\"\n"
    ));
    // A real variable name is fine.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "helpcenter.toml",
        "default_locale = \"en\"\n\n[targets.prod]\nkind = \"intercom\"\ntoken_env = \"INTERCOM_TOKEN_PROD_2024\"\n",
    );
    run_in(tmp.path(), &["check"]).expect(0);
}

#[test]
fn a_token_on_a_line_with_a_syntax_error_is_not_shown_in_the_snippet() {
    let run = refused_without_echo(&format!(
        "default_locale = \"en\"\n\n[targets.prod]\nkind = \"intercom\"\ntoken = {PASTED}\n"
    ));
    assert!(run.stderr.contains("helpcenter.toml:5:"), "{}", run.stderr);
    let run = refused_without_echo(&format!(
        "default_locale = \"en\"\ndefault_target = \"{PASTED}\"\n\n[targets.prod]\nkind = \"intercom\"\n"
    ));
    assert!(
        run.stderr.contains("helpcenter.toml:2:18"),
        "{}",
        run.stderr
    );
}
