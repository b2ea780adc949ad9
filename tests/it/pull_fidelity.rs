//! Pull fidelity (API-NOTES §11), through the real binary against `sandbox serve`: bodies with
//! a re-hosted image, a collapsible section, an `rgba()` callout, spacer paragraphs and
//! justified text are pulled, one paragraph of each is edited, and `apply` must send back the
//! signed image URL, the accordion and the callout, under every setting of the emulator's
//! switches for those behaviours; the next plan is empty.

use std::path::Path;

use serde_json::{Value, json};

use std::process::Stdio;

use crate::support::{Emulator, Http, bin, first_line_url, point_at, run_in, write};

/// The emulator's default teammate (`docs@example.com`).
const AUTHOR: u64 = 991_266_200;

/// The green callout as one publisher writes it.
const RGBA_TIP: &str = r#"<div class="intercom-interblocks-callout" style="background-color: rgba(215, 239, 220, 0.5); border-color: rgba(27, 177, 87, 0.2);"><p class="no-margin">Green tip text.</p></div>"#;

/// The settings of the switches these constructs depend on (each applied alone).
const SETTINGS: [&str; 4] = [
    "default",
    "cdn_images=drop_unsigned",
    "details=flatten",
    "callout_colors=rgba",
];

/// Title → body of each seeded article; every body starts with the paragraph the test edits.
fn bodies() -> Vec<(&'static str, String)> {
    vec![
        (
            "Screenshots",
            r#"<p>First paragraph.</p><div class="intercom-container intercom-align-center"><img src="https://example.com/shots/settings.png" alt="Settings"></div><p>After the image.</p>"#.to_owned(),
        ),
        (
            "Accordion",
            r#"<p>First paragraph.</p><details><summary><h2>Show more</h2></summary><div class="collapsible-section-content"><p>Hidden <b>details</b>.</p><ul><li>one</li></ul></div></details>"#.to_owned(),
        ),
        ("Callout", format!("<p>First paragraph.</p>{RGBA_TIP}")),
        (
            "Spacers",
            r#"<p>First paragraph.</p><p class="no-margin">&nbsp;</p><h2>Next</h2><p class="intercom-align-justify no-margin">&nbsp;</p><p>Last.</p><p>&nbsp;</p>"#.to_owned(),
        ),
        (
            "Justified",
            r#"<p class="intercom-align-justify">First paragraph.</p><h2 class="intercom-align-justify">Justified heading</h2><p class="intercom-align-justify">More text.</p>"#.to_owned(),
        ),
    ]
}

fn post(http: &Http, path: &str, body: &Value) -> Value {
    let (status, out) = http.call("POST", path, Some(body));
    assert_eq!(status, 200, "POST {path}: {out}");
    out
}

fn seed(http: &Http) {
    let collection = post(
        http,
        "/help_center/collections",
        &json!({"name": "Fidelity"}),
    );
    let parent: u64 = collection["id"].as_str().unwrap().parse().unwrap();
    for (title, body) in bodies() {
        post(
            http,
            "/articles",
            &json!({"title": title, "body": body, "author_id": AUTHOR, "state": "published",
                    "parent_id": parent, "parent_type": "collection"}),
        );
    }
}

fn start(setting: &str) -> Emulator {
    if setting == "default" {
        Emulator::start(&[])
    } else {
        Emulator::start(&["--switch", setting])
    }
}

fn empty_root(base_url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\"]\n\n[assets]\nbase_url = \"https://cdn.example.com/help/\"\n",
    );
    point_at(dir.path(), base_url);
    dir
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The remote body of the article titled `title`.
fn remote_body(http: &Http, title: &str) -> String {
    http.articles()
        .into_iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no article `{title}`"))["body"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[track_caller]
fn assert_plan_empty(root: &Path, when: &str) {
    let run = run_in(root, &["plan", "--detailed-exitcode"]);
    assert_eq!(
        run.code, 0,
        "{when}: plan is not empty\n{}\n{}",
        run.stdout, run.stderr
    );
}

#[test]
fn pulled_constructs_survive_an_edit_under_every_setting() {
    for setting in SETTINGS {
        let emu = start(setting);
        let http = emu.http();
        seed(&http);
        let dir = empty_root(&emu.base_url);
        let root = dir.path();
        let run = run_in(root, &["pull"]).expect(0);
        assert!(
            !run.stderr.contains("would still change"),
            "{setting}: {}",
            run.stderr
        );
        assert_plan_empty(root, &format!("{setting}, after pull"));

        // What the Markdown holds.
        let shots = read(root, "fidelity/screenshots.md");
        assert!(
            shots.contains("![Settings](https://downloads.intercomcdn.com/i/o/")
                && !shots.contains("signature="),
            "{setting}: the image is kept without its signature:\n{shots}"
        );
        let accordion = read(root, "fidelity/accordion.md");
        if setting == "details=flatten" {
            assert!(!accordion.contains("<details>"), "{accordion}");
        } else {
            assert!(
                accordion.contains(
                    "<details>\n<summary><h2>Show more</h2></summary>\n<div class=\"collapsible-section-content\">\n\nHidden **details**.\n\n- one\n\n</div>\n</details>"
                ),
                "{setting}: the accordion is kept:\n{accordion}"
            );
        }
        let callout = read(root, "fidelity/callout.md");
        assert!(
            callout.contains("> [!TIP]\n> Green tip text."),
            "{setting}: the rgba callout is the green TIP:\n{callout}"
        );
        for (title, _) in bodies() {
            let file = format!("fidelity/{}.md", title.to_ascii_lowercase());
            let text = read(root, &file);
            assert!(
                !text.contains("&nbsp;") && !text.contains('\u{a0}'),
                "{setting}: stray spacer in {file}:\n{text}"
            );
            assert!(text.contains("First paragraph."), "{file}:\n{text}");
            // Edit one paragraph of each article.
            write(
                root,
                &file,
                &text.replace("First paragraph.", "Edited paragraph."),
            );
        }

        let run = run_in(root, &["apply", "--yes"]);
        assert_eq!(
            run.code, 0,
            "{setting}: apply failed\n{}\n{}",
            run.stdout, run.stderr
        );
        assert!(
            !run.stderr.contains("Intercom CDN image"),
            "{setting}: no image warning when every image is known:\n{}",
            run.stderr
        );
        for (title, _) in bodies() {
            let body = remote_body(&http, title);
            assert!(
                body.contains("Edited paragraph."),
                "{setting} {title}: {body}"
            );
        }
        // The signed URL reached the emulator: under `drop_unsigned` an unsigned one would
        // have been dropped.
        let shots = remote_body(&http, "Screenshots");
        assert!(
            shots.contains("<img src=\"https://downloads.intercomcdn.com/i/o/")
                && shots.contains("alt=\"Settings\""),
            "{setting}: the image was kept:\n{shots}"
        );
        let accordion = remote_body(&http, "Accordion");
        if setting != "details=flatten" {
            assert!(
                accordion.contains("<details><summary><h2 id=\"h_")
                    && accordion.contains("Show more</h2></summary><div class=\"collapsible-section-content\"><p class=\"no-margin\">Hidden <b>details</b>.</p><ul><li><p class=\"no-margin\">one</p></li></ul></div></details>"),
                "{setting}: the accordion was sent back:\n{accordion}"
            );
        }
        let tip = remote_body(&http, "Callout");
        let green = if setting == "callout_colors=rgba" {
            RGBA_TIP.replace("<p class=\"no-margin\">Green tip text.</p></div>", "")
        } else {
            r#"<div class="intercom-interblocks-callout" style="background-color: #d7efdc80; border-color: #1bb15733;">"#.to_owned()
        };
        assert!(
            tip.contains(&format!(
                "{green}<p class=\"no-margin\">Green tip text.</p></div>"
            )),
            "{setting}: the green callout was sent back:\n{tip}"
        );
        assert_plan_empty(root, &format!("{setting}, after the edit"));
    }
}

/// An Intercom CDN image that no remote body holds (copied from an article since deleted, or
/// removed in the UI) can only go out unsigned: `plan` names it; under `drop_unsigned` the
/// emulator drops it, and the state still converges.
#[test]
fn an_unknown_cdn_image_is_named_by_plan() {
    for setting in ["default", "cdn_images=drop_unsigned"] {
        let emu = start(setting);
        let dir = empty_root(&emu.base_url);
        let root = dir.path();
        write(root, "guides/_collection.yml", "name: Guides\n");
        let gone = "https://downloads.intercomcdn.com/i/o/999/0123abcd/gone.png";
        write(
            root,
            "guides/copied.md",
            &format!("---\ntitle: Copied\n---\nText.\n\n![Gone]({gone})\n"),
        );
        let run = run_in(root, &["check"]).expect(0);
        assert!(
            !run.stderr.contains("gone.png"),
            "check is offline and cannot know: {}",
            run.stderr
        );
        let run = run_in(root, &["plan"]);
        let warning = format!(
            "`guides/copied.md` [en]: image `{gone}` is an Intercom CDN image that no article of the help center holds any more, so it can only be sent without its signature and Intercom may drop it; download it next to the article and link it relatively"
        );
        assert!(
            run.stderr.contains(&warning),
            "{setting}: plan names the image\n{}",
            run.stderr
        );
        let run = run_in(root, &["apply", "--yes"]).expect(0);
        assert!(run.stderr.contains(&warning), "{}", run.stderr);
        let body = remote_body(&emu.http(), "Copied");
        assert_eq!(
            body.contains("<img"),
            setting == "default",
            "{setting}: {body}"
        );
        assert_plan_empty(root, setting);
    }
}

/// The preview shows a pulled accordion as a collapsible section.
#[test]
fn preview_renders_an_accordion() {
    let emu = Emulator::start(&[]);
    seed(&emu.http());
    let dir = empty_root(&emu.base_url);
    let root = dir.path();
    run_in(root, &["pull"]).expect(0);
    let mut child = bin()
        .arg("--dir")
        .arg(root)
        .args(["preview", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("preview starts");
    let url = first_line_url(&mut child, "preview ");
    let page = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            reqwest::get(format!("{url}/articles/fidelity/accordion"))
                .await
                .expect("request")
                .text()
                .await
                .unwrap()
        });
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        page.contains("<details>\n<summary><h2>Show more</h2></summary>\n<div class=\"collapsible-section-content\">\n<p>Hidden <b>details</b>.</p>"),
        "{page}"
    );
}

/// Which notation the tool sends is the target's `callout_colors` (hex by default, as the
/// notes document): every combination with the emulator's notation converges and pulls back
/// to the same alert.
#[test]
fn callout_notation_is_a_target_setting() {
    let hex = r#"style="background-color: #d7efdc80; border-color: #1bb15733;""#;
    let rgba = r#"style="background-color: rgba(215, 239, 220, 0.5); border-color: rgba(27, 177, 87, 0.2);""#;
    for target in ["hex", "rgba"] {
        for setting in ["default", "callout_colors=rgba"] {
            let emu = start(setting);
            let dir = empty_root(&emu.base_url);
            let root = dir.path();
            let config = read(root, "helpcenter.toml");
            write(
                root,
                "helpcenter.toml",
                &format!("{config}callout_colors = \"{target}\"\n"),
            );
            write(root, "guides/_collection.yml", "name: Guides\n");
            write(
                root,
                "guides/tip.md",
                "---\ntitle: Tip\n---\n> [!TIP]\n> Green tip text.\n",
            );
            run_in(root, &["apply", "--yes"]).expect(0);
            let body = remote_body(&emu.http(), "Tip");
            let want = if target == "rgba" || setting != "default" {
                rgba
            } else {
                hex
            };
            assert!(
                body.contains(&format!(
                    "<div class=\"intercom-interblocks-callout\" {want}><p class=\"no-margin\">Green tip text.</p></div>"
                )),
                "target {target}, {setting}: {body}"
            );
            assert_plan_empty(root, &format!("target {target}, {setting}"));
            let again = empty_root(&emu.base_url);
            run_in(again.path(), &["pull"]).expect(0);
            assert!(
                read(again.path(), "guides/tip.md").contains("> [!TIP]\n> Green tip text.\n"),
                "target {target}, {setting}"
            );
        }
    }
}
