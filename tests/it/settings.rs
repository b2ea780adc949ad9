//! Settings resolved once: flags + `helpcenter.toml` + environment give one value per
//! command, and `plan`/`apply` compute the plan once from it. Through the real binary and
//! the embedded emulator (a `kind = "sandbox"` target).

use crate::support::{run_in, write};

/// A sandbox target with `prune = true` in the config, two authors, three articles.
fn pruning_project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "helpcenter.toml",
        "default_locale = \"en\"\n\n[defaults]\nauthor = \"ada@example.com\"\n\n\
         [targets.local]\nkind = \"sandbox\"\nprune = true\n\
         admins = [\"ada@example.com\", \"grace@example.com\"]\n",
    );
    write(tmp.path(), "guides/_collection.yml", "name: Guides\n");
    for name in ["a", "b", "c"] {
        write(
            tmp.path(),
            &format!("guides/{name}.md"),
            &format!("---\ntitle: {name}\nauthor: ada@example.com\n---\nHello.\n"),
        );
    }
    write(tmp.path(), "other/_collection.yml", "name: Other\n");
    write(
        tmp.path(),
        "other/z.md",
        "---\ntitle: z\nauthor: grace@example.com\n---\nHello.\n",
    );
    tmp
}

#[test]
fn apply_with_prune_from_the_config_names_authors_in_the_plan_it_prints() {
    let tmp = pruning_project();
    let root = tmp.path();
    // One write at a time: the ids the emulator hands out follow the plan's order.
    run_in(root, &["apply", "--yes", "--concurrency", "1"]).expect(0);
    // One author change and one delete: the delete comes from `prune = true` in the config.
    write(
        root,
        "guides/a.md",
        "---\ntitle: a\nauthor: grace@example.com\n---\nHello.\n",
    );
    std::fs::remove_file(root.join("guides/b.md")).unwrap();
    let run = run_in(root, &["apply", "--yes"]).expect(0);
    assert_eq!(
        run.stdout,
        "Plan for target `local`

~ update article `guides/a` (a) id 7000001 [en]
    author[en]: \"ada <ada@example.com>\" → \"grace <grace@example.com>\"

- delete article `guides/b` (b) id 7000002

Plan: 1 to update, 1 to delete, 4 unchanged.
"
    );
    let seconds = regex::Regex::new(r"\d+\.\d s\)").unwrap();
    assert_eq!(
        seconds.replace(&run.stderr, "[secs] s)"),
        "fetching target `local`…
updated article `guides/a` (id 7000001)
deleted article `guides/b` (id 7000002)
Apply complete: 2 change(s) made (7 requests, [secs] s)
"
    );
    run_in(root, &["plan", "--detailed-exitcode"]).expect(0);
}

#[test]
fn plan_with_prune_from_the_config_applies_the_half_the_tree_guard_as_apply_does() {
    let tmp = pruning_project();
    let root = tmp.path();
    run_in(root, &["apply", "--yes"]).expect(0);
    // 4 of 6 managed objects would go: more than half.
    std::fs::remove_dir_all(root.join("guides")).unwrap();
    let plan = run_in(root, &["plan"]);
    let apply = run_in(root, &["apply", "--yes"]);
    for run in [&plan, &apply] {
        assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(
                "error: refusing to delete 4 of 6 managed objects in one run (more than half)"
            ),
            "{}",
            run.stderr
        );
    }
}
