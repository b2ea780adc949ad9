//! Review, third part (issue 12): mistakes reported where they are and nowhere else (a broken
//! `helpcenter.toml` alone, a broken front matter without follow-on link errors), unknown
//! authors caught before anything is sent, and an interrupted `apply`, through the binary
//! against the embedded sandbox and `sandbox serve`.

use std::path::Path;

use crate::support::{run_in, write};

/// A small bilingual tree whose articles link to each other, on the embedded sandbox.
fn linked_tree(root: &Path) {
    write(
        root,
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\ndefault_target = \"local\"\n\n[defaults]\nauthor = \"docs@example.com\"\n\n[targets.local]\nkind = \"sandbox\"\n",
    );
    write(
        root,
        "billing/_collection.yml",
        "name: Billing\ntranslations:\n  fr:\n    name: Facturation\n",
    );
    write(
        root,
        "billing/plans.md",
        "---\ntitle: Plans\n---\nThree plans.\n",
    );
    write(
        root,
        "billing/plans.fr.md",
        "---\ntitle: Forfaits\n---\nTrois forfaits.\n",
    );
    write(
        root,
        "billing/invoices.md",
        "---\ntitle: Invoices\n---\nSee [plans](plans.md).\n",
    );
    write(
        root,
        "billing/invoices.fr.md",
        "---\ntitle: Factures\n---\nVoir les [forfaits](plans.fr.md).\n",
    );
}

/// Exit code, stdout and stderr of one run, for a whole-output snapshot (`root` shown as
/// `[root]`).
fn whole(root: &Path, run: &crate::support::Run) -> String {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    );
    text.replace(root.to_str().unwrap(), "[root]")
}

#[test]
fn a_config_typo_is_reported_alone_by_check_and_plan() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    linked_tree(root);
    let config = std::fs::read_to_string(root.join("helpcenter.toml")).unwrap();
    write(
        root,
        "helpcenter.toml",
        &config.replace("locales = ", "locale = "),
    );
    let check = run_in(root, &["check"]);
    insta::assert_snapshot!("config_typo_check", whole(root, &check));
    let plan = run_in(root, &["plan"]);
    insta::assert_snapshot!("config_typo_plan", whole(root, &plan));
    let json = run_in(root, &["check", "--format", "json"])
        .expect(1)
        .json();
    let paths: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["helpcenter.toml"], "{json}");
    assert!(
        !root.join(".helpcenter").exists(),
        "nothing is sent or written against a broken config"
    );
}

#[test]
fn a_broken_front_matter_gives_no_link_errors_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    linked_tree(root);
    // A typo in the default-locale file, then a broken translation: both are reported at
    // their own file, and the links to them from `invoices` are not reported as broken.
    write(
        root,
        "billing/plans.md",
        "---\ntitel: Plans\n---\nThree plans.\n",
    );
    let check = run_in(root, &["check"]);
    insta::assert_snapshot!("broken_front_matter_default", whole(root, &check));
    write(
        root,
        "billing/plans.md",
        "---\ntitle: Plans\n---\nThree plans.\n",
    );
    write(
        root,
        "billing/plans.fr.md",
        "---\ntitle: \"Forfaits\n---\nTrois forfaits.\n",
    );
    let check = run_in(root, &["check"]);
    insta::assert_snapshot!("broken_front_matter_translation", whole(root, &check));
    let plan = run_in(root, &["plan"]).expect(1);
    assert!(!plan.stderr.contains("link"), "{}", plan.stderr);
}
