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

use crate::support::{Emulator, Run, TOKEN, TOKEN_ENV, run_in, write};

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

// ---------------------------------------------------------------------------------------------
// `check` predicts the target's 400s, and the emulator gives them.
// ---------------------------------------------------------------------------------------------

/// A project with one collection and `guides/a.md` holding `body`; `target` is the TOML of
/// `[targets.t]` (the only, default target).
fn project_with(body: &str, target: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "helpcenter.toml",
        &format!(
            "default_locale = \"en\"\ndefault_target = \"t\"\n\n[defaults]\nauthor = \"docs@example.com\"\n\n[targets.t]\n{target}"
        ),
    );
    write(tmp.path(), "guides/_collection.yml", "name: Guides\n");
    write(
        tmp.path(),
        "guides/a.md",
        &format!("---\ntitle: A\n---\n{body}"),
    );
    tmp
}

/// POSTs `html` as an article body to the emulator; returns the status and the error message.
fn post_body(emu: &Emulator, html: &str) -> (u16, String) {
    let http = emu.http();
    let (status, collection) = http.call(
        "POST",
        "/help_center/collections",
        Some(&json!({"name": "Probe"})),
    );
    assert_eq!(status, 200, "{collection}");
    let (status, reply) = http.call(
        "POST",
        "/articles",
        Some(
            &json!({"title": "Probe", "author_id": 991_266_200, "body": html,
            "parent_id": collection["id"].as_str().unwrap().parse::<u64>().unwrap(),
            "parent_type": "collection"}),
        ),
    );
    let message = reply["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (status, message)
}

/// The body `render` prints for `guides/a.md`.
fn rendered(root: &Path) -> String {
    // Exit 1 when the body has errors (the empty list); the body is printed all the same.
    run_in(root, &["render", "guides/a.md"]).stdout
}

/// A list item holding only an empty fenced code block (an opening fence, then unindented code).
const EMPTY_ITEM: &str = "1. ```\nnpm install\n```\n";

#[test]
fn a_list_whose_only_item_is_an_empty_code_block_is_an_error_in_check() {
    let root = project_with(EMPTY_ITEM, "kind = \"sandbox\"\n");
    let run = run_in(root.path(), &["check", "--format", "json"]).expect(1);
    let errors: Vec<_> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .cloned()
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stdout);
    assert_eq!(errors[0]["code"], "empty-list");
    assert_eq!(
        (
            errors[0]["file"].as_str(),
            errors[0]["line"].as_u64(),
            errors[0]["column"].as_u64()
        ),
        (Some("guides/a.md"), Some(4), Some(1))
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("Lists need at least one non-empty <li>")
    );
    // `apply` refuses before sending anything: never "check passes, apply fails".
    let run = run_in(root.path(), &["apply", "--yes"]).expect(1);
    assert!(run.stderr.contains("nothing was sent"), "{}", run.stderr);
    // One non-empty item is enough.
    let root = project_with(
        "1. ```\n   npm install\n   ```\n2. ```\n```\n",
        "kind = \"sandbox\"\n",
    );
    run_in(root.path(), &["check"]).expect(0);
    run_in(root.path(), &["apply", "--yes"]).expect(0);
}

#[test]
fn the_emulator_answers_400_to_a_list_without_a_non_empty_item() {
    let root = project_with(EMPTY_ITEM, "kind = \"sandbox\"\n");
    let html = rendered(root.path());
    assert!(
        html.contains("<ol>\n<li><pre><code></code></pre>"),
        "{html}"
    );
    let emu = Emulator::start(&[]);
    assert_eq!(
        post_body(&emu, &html),
        (400, "Lists need at least one non-empty <li>".to_owned())
    );
    for html in [
        "<ul><li></li></ul>",
        "<ul><li><p> </p></li></ul>",
        "<ol><li><br></li></ol>",
    ] {
        assert_eq!(post_body(&emu, html).0, 400, "{html}");
    }
    for html in [
        "<ul><li></li><li>x</li></ul>",
        "<ul><li><pre><code>x</code></pre></li></ul>",
        "<ul><li><img src=\"https://example.com/a.png\"></li></ul>",
    ] {
        assert_eq!(post_body(&emu, html).0, 200, "{html}");
    }
}

/// `- one\n  - two`: the minimal nested list of issue 17.
const NESTED: &str = "- one\n  - two\n";

/// `check` and `apply --yes` on the nested list for a target; returns (check, apply) runs.
fn check_then_apply(target: &str) -> (Run, Run) {
    let root = project_with(NESTED, target);
    let check = run_in(root.path(), &["check", "--format", "json"]);
    let apply = run_in(root.path(), &["apply", "--yes"]);
    (check, apply)
}

#[track_caller]
fn nested_list_diagnostic(check: &Run) -> serde_json::Value {
    let diags = check.json();
    let found: Vec<_> = diags
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "nested-list")
        .cloned()
        .collect();
    assert_eq!(found.len(), 1, "{}", check.stdout);
    assert_eq!(
        (
            found[0]["file"].as_str(),
            found[0]["line"].as_u64(),
            found[0]["column"].as_u64()
        ),
        (Some("guides/a.md"), Some(5), Some(3))
    );
    found[0].clone()
}

#[test]
fn nested_lists_on_the_embedded_sandbox_follow_its_setting() {
    // Default: accepted, with a warning; the first apply on real content survives.
    let (check, apply) = check_then_apply("kind = \"sandbox\"\n");
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(nested_list_diagnostic(&check)["severity"], "warning");
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    // Rejecting: `check` says so (error), and `apply` refuses before sending.
    let (check, apply) = check_then_apply("kind = \"sandbox\"\nnested_lists = \"reject\"\n");
    assert_eq!(check.code, 1, "{}", check.stdout);
    let diag = nested_list_diagnostic(&check);
    assert_eq!(diag["severity"], "error");
    assert!(
        diag["message"]
            .as_str()
            .unwrap()
            .contains("target `t` rejects nested lists"),
        "{diag}"
    );
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    assert!(
        apply.stderr.contains("nothing was sent"),
        "{}",
        apply.stderr
    );
}

#[test]
fn nested_lists_on_an_intercom_target_follow_its_key_and_the_emulator_agrees() {
    for (switch, key, accepted) in [
        ("accept", "", true),
        ("reject", "nested_lists = \"reject\"\n", false),
    ] {
        let emu = Emulator::start(&["--switch", &format!("nested_lists={switch}")]);
        let target = format!(
            "kind = \"intercom\"\nbase_url = \"{}\"\ntoken_env = \"{TOKEN_ENV}\"\n{key}",
            emu.base_url
        );
        let root = project_with(NESTED, &target);
        // What the emulator does with this very body.
        let (status, message) = post_body(&emu, &rendered(root.path()));
        assert_eq!(status == 200, accepted, "{switch}: {status} {message}");
        let check = run_in(root.path(), &["check", "--format", "json"]);
        let apply = run_in(root.path(), &["apply", "--yes"]);
        assert_eq!(
            check.code,
            i32::from(!accepted),
            "{switch}: {}",
            check.stdout
        );
        assert_eq!(
            apply.code, check.code,
            "{switch}: check and apply disagree:\n{}",
            apply.stderr
        );
        let diag = nested_list_diagnostic(&check);
        assert_eq!(diag["severity"], if accepted { "warning" } else { "error" });
        // `plan` reports the same severity.
        let plan = run_in(root.path(), &["plan"]);
        assert_eq!(plan.code, check.code, "{switch}: {}", plan.stderr);
    }
}

#[test]
fn check_without_a_chosen_target_uses_the_strictest_one() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "helpcenter.toml",
        "default_locale = \"en\"\n\n[targets.a]\nkind = \"sandbox\"\n\n[targets.b]\nkind = \"sandbox\"\nnested_lists = \"reject\"\n",
    );
    write(tmp.path(), "guides/_collection.yml", "name: Guides\n");
    write(
        tmp.path(),
        "guides/a.md",
        &format!("---\ntitle: A\n---\n{NESTED}"),
    );
    let run = run_in(tmp.path(), &["check"]).expect(1);
    assert!(
        run.stderr.contains("target `b` rejects nested lists"),
        "{}",
        run.stderr
    );
    run_in(tmp.path(), &["--target", "a", "check"]).expect(0);
    run_in(tmp.path(), &["--target", "b", "check"]).expect(1);
}

// ---------------------------------------------------------------------------------------------
// Rate-limit headers by default, as Intercom sends them.
// ---------------------------------------------------------------------------------------------

/// The `X-RateLimit-*` headers of one `GET /help_center/help_centers`.
fn rate_headers(emu: &Emulator) -> [Option<String>; 3] {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let reply = reqwest::Client::new()
            .get(format!("{}/help_center/help_centers", emu.base_url))
            .bearer_auth(TOKEN)
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status().as_u16(), 200);
        [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ]
        .map(|name| {
            reply
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        })
    })
}

#[test]
fn the_emulator_sends_intercoms_rate_limit_headers_by_default() {
    let emu = Emulator::start(&[]);
    let [limit, remaining, reset] = rate_headers(&emu);
    assert_eq!(
        limit.as_deref(),
        Some("1667"),
        "10,000 per minute in 10-second windows"
    );
    assert_eq!(remaining.as_deref(), Some("1666"));
    let reset: u64 = reset.unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        (now..=now + 11).contains(&reset),
        "reset {reset}, now {now}"
    );
    let [limit, remaining, reset] = rate_headers(&emu);
    assert_eq!(
        (limit.as_deref(), remaining.as_deref()),
        (Some("1667"), Some("1665"))
    );
    assert!(reset.is_some());
    // The switch keeps the old "no limit".
    let emu = Emulator::start(&["--no-rate-limit"]);
    assert_eq!(rate_headers(&emu), [None, None, None]);
}
