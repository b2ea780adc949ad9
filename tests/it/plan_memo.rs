//! Scale, the plan's raw-body memo: state records keep a hash of Intercom's article fields as
//! returned (`raw`), so a no-op plan skips normalising bodies whose bytes did not change. These
//! tests pin that the memo never hides a change (no false no-op) and that a state file written
//! before it existed still plans the same.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Emulator, example_against, run_in};

fn state_path(root: &Path) -> std::path::PathBuf {
    root.join(".helpcenter/test.state.json")
}

fn read_state(root: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(state_path(root)).unwrap()).unwrap()
}

/// Every `raw` of every article locale in the state file.
fn raw_hashes(state: &Value) -> Vec<Option<String>> {
    state["articles"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|a| a["locales"].as_object().unwrap().values())
        .map(|l| l.get("raw").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

fn strip_raw(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("raw");
            map.values_mut().for_each(strip_raw);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_raw),
        _ => {}
    }
}

fn applied() -> (Emulator, tempfile::TempDir) {
    let emu = Emulator::start(&[]);
    let dir = example_against(&emu.base_url);
    run_in(dir.path(), &["apply", "--yes"]).expect(0);
    (emu, dir)
}

/// The plan as JSON, with `--detailed-exitcode`'s code.
fn plan(root: &Path) -> (i32, Value) {
    let run = run_in(root, &["plan", "--detailed-exitcode", "--format", "json"]);
    assert!(
        run.code == 0 || run.code == 2,
        "plan failed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    (run.code, run.json())
}

/// Edits one article the way a person does in the Intercom UI.
fn edit_in_ui(emu: &Emulator, title: &str, change: &Value) {
    let http = emu.http();
    let article = http
        .articles()
        .into_iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no article titled {title}"));
    let id = article["id"].as_str().unwrap();
    let (status, body) = http.call("PUT", &format!("/articles/{id}"), Some(change));
    assert_eq!(status, 200, "{body}");
}

#[track_caller]
fn assert_one_drift(plan: &Value) {
    let changes = plan["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{plan}");
    assert_eq!(changes[0]["drift"], true, "{plan}");
}

#[test]
fn apply_records_a_raw_hash_for_every_article_locale() {
    let (_emu, dir) = applied();
    let hashes = raw_hashes(&read_state(dir.path()));
    assert!(hashes.len() >= 10, "{hashes:?}");
    for hash in &hashes {
        let hash = hash.as_deref().expect("every article locale has `raw`");
        assert_eq!(hash.len(), 16, "{hash}");
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{hash}");
    }
    assert_eq!(plan(dir.path()).0, 0);
}

#[test]
fn a_ui_edit_of_the_body_is_drift_although_the_record_has_a_raw_hash() {
    let (emu, dir) = applied();
    edit_in_ui(&emu, "Refunds", &json!({"body": "<p>Edited in the UI</p>"}));
    let (code, plan) = plan(dir.path());
    assert_eq!(code, 2);
    assert_one_drift(&plan);
}

#[test]
fn a_ui_edit_of_the_title_is_drift_although_the_record_has_a_raw_hash() {
    let (emu, dir) = applied();
    edit_in_ui(&emu, "Refunds", &json!({"title": "Refunds (edited)"}));
    let (code, plan) = plan(dir.path());
    assert_eq!(code, 2);
    assert_one_drift(&plan);
}

#[test]
fn a_state_file_without_raw_hashes_plans_the_same() {
    let (emu, dir) = applied();
    let mut state = read_state(dir.path());
    strip_raw(&mut state);
    assert!(raw_hashes(&state).iter().all(Option::is_none));
    std::fs::write(state_path(dir.path()), state.to_string()).unwrap();

    assert_eq!(plan(dir.path()).0, 0, "no-op without the memo");
    edit_in_ui(&emu, "Refunds", &json!({"body": "<p>Edited in the UI</p>"}));
    let (code, plan) = plan(dir.path());
    assert_eq!(code, 2);
    assert_one_drift(&plan);
}

#[test]
fn a_stale_raw_hash_falls_back_to_the_fingerprint() {
    // A record whose `raw` matches nothing Intercom returns (e.g. written by another version
    // of the normaliser's input) must not hide anything nor invent drift.
    let (emu, dir) = applied();
    let mut state = read_state(dir.path());
    for article in state["articles"].as_object_mut().unwrap().values_mut() {
        for locale in article["locales"].as_object_mut().unwrap().values_mut() {
            locale["raw"] = json!("0000000000000000");
        }
    }
    std::fs::write(state_path(dir.path()), state.to_string()).unwrap();
    assert_eq!(plan(dir.path()).0, 0);
    edit_in_ui(&emu, "Refunds", &json!({"description": "edited in the UI"}));
    let (code, plan) = plan(dir.path());
    assert_eq!(code, 2);
    assert_one_drift(&plan);
}
