//! Snapshots of what users see from `plan`: text, JSON and Markdown, for a first apply and
//! for an edit with drift. Ids come from the emulator, which numbers objects deterministically.

use std::path::Path;

use crate::support::{Emulator, point_at, run_in, write};

fn tree(root: &Path, base_url: &str) {
    write(
        root,
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\n\n[defaults]\nauthor = \"docs@example.com\"\n",
    );
    point_at(root, base_url);
    write(
        root,
        "guides/_collection.yml",
        "name: Guides\ntranslations:\n  fr:\n    name: Guides\n",
    );
    write(
        root,
        "guides/install.md",
        "---\ntitle: Install the app\ndescription: Get started\n---\n## Download\n\nGet the installer from the **downloads** page.\n\n1. Open it\n2. Follow the steps\n",
    );
    write(
        root,
        "guides/install.fr.md",
        "---\ntitle: Installer l'application\n---\n## Télécharger\n\nTéléchargez l'installateur.\n",
    );
    write(
        root,
        "guides/faq.md",
        "---\ntitle: FAQ\n---\nAsk us anything.\n",
    );
}

/// Ids depend on the order of concurrent creates: replace the emulator's ids (7000001…,
/// 3000001…) with `[id]`.
fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let is_id = i + 7 <= bytes.len()
            && (text[i..].starts_with("7000") || text[i..].starts_with("3000"))
            && bytes[i..i + 7].iter().all(u8::is_ascii_digit)
            && (i + 7 == bytes.len() || !bytes[i + 7].is_ascii_digit())
            && (i == 0 || !bytes[i - 1].is_ascii_digit());
        if is_id {
            out.push_str("[id]");
            i += 7;
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

#[test]
fn plan_formats() {
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path(), &emu.base_url);
    let text = run_in(dir.path(), &["plan"]).expect(0).stdout;
    insta::assert_snapshot!("first_plan_text", text);
    let json = run_in(dir.path(), &["plan", "--format", "json"])
        .expect(0)
        .stdout;
    insta::assert_snapshot!("first_plan_json", json);
    run_in(dir.path(), &["apply", "--yes"]).expect(0);

    // A local edit of the French body and a UI edit of the FAQ.
    write(
        dir.path(),
        "guides/install.fr.md",
        "---\ntitle: Installer l'application\n---\n## Télécharger\n\nTéléchargez l'installateur depuis la page **téléchargements**.\n",
    );
    let http = emu.http();
    let faq = http
        .articles()
        .into_iter()
        .find(|a| a["title"] == "FAQ")
        .unwrap();
    http.call(
        "PUT",
        &format!("/articles/{}", faq["id"].as_str().unwrap()),
        Some(&serde_json::json!({"body": "<p>Ask us anything, or call us.</p>"})),
    );
    let text = run_in(dir.path(), &["plan"]).expect(0).stdout;
    insta::assert_snapshot!("edit_and_drift_text", redact(&text));
    let json = run_in(
        dir.path(),
        &["plan", "--format", "json", "--detailed-exitcode"],
    )
    .expect(2)
    .stdout;
    insta::assert_snapshot!("edit_and_drift_json", redact(&json));
    let md = run_in(dir.path(), &["plan", "--format", "markdown"])
        .expect(0)
        .stdout;
    insta::assert_snapshot!("edit_and_drift_markdown", redact(&md));
}
