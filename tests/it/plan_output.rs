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
    insta::assert_snapshot!("edit_and_drift_text", text);
    let json = run_in(
        dir.path(),
        &["plan", "--format", "json", "--detailed-exitcode"],
    )
    .expect(2)
    .stdout;
    insta::assert_snapshot!("edit_and_drift_json", json);
    let md = run_in(dir.path(), &["plan", "--format", "markdown"])
        .expect(0)
        .stdout;
    insta::assert_snapshot!("edit_and_drift_markdown", md);
}
