//! Property: for generated content trees, `apply` then `plan` shows zero changes — against
//! the emulator over HTTP, with the default switches and with heading flattening.

use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use crate::support::{Emulator, point_at, run_in, write};

/// One generated article: which collection, which features, which translations.
#[derive(Debug, Clone)]
struct GenArticle {
    collection: usize,
    blocks: Vec<u8>,
    french: bool,
    draft: bool,
    link_to: Option<usize>,
}

fn article_strategy(collections: usize) -> impl Strategy<Value = GenArticle> {
    (
        0..collections,
        prop::collection::vec(0u8..12, 1..8),
        any::<bool>(),
        prop::bool::weighted(0.2),
        prop::option::of(0usize..8),
    )
        .prop_map(|(collection, blocks, french, draft, link_to)| GenArticle {
            collection,
            blocks,
            french,
            draft,
            link_to,
        })
}

fn tree_strategy() -> impl Strategy<Value = (usize, Vec<GenArticle>)> {
    (1usize..4).prop_flat_map(|collections| {
        (
            Just(collections),
            prop::collection::vec(article_strategy(collections), 1..8),
        )
    })
}

/// Collection `i` lives at depth 1..3 (a chain `c0/c1/c2`).
fn collection_dir(i: usize) -> String {
    (0..=i)
        .map(|j| format!("c{j}"))
        .collect::<Vec<_>>()
        .join("/")
}

fn block(kind: u8, n: usize, lang: &str) -> String {
    match kind {
        0 => format!("# Title {n} {lang}\n"),
        1 => format!("## Section {n}\n"),
        2 => format!("### Sub {n}\n"),
        3 => format!("Plain **bold {n}** and *italic* text with `code`.\n"),
        4 => "- one\n- two\n- three\n".to_owned(),
        5 => "1. first\n2. second\n".to_owned(),
        6 => format!("| a | b |\n|---|---|\n| {n} | x |\n"),
        7 => format!("```\nfn main() {{ {n} }}\n```\n"),
        8 => format!("> [!NOTE]\n> Remember {n}.\n"),
        9 => "https://www.youtube.com/watch?v=jqO8AQHj7Fw\n".to_owned(),
        10 => "![A picture](/img/pic.png)\n".to_owned(),
        _ => format!("A [link](https://example.com/{n}) and a line.\n\n---\n"),
    }
}

fn materialize(root: &Path, base_url: &str, collections: usize, articles: &[GenArticle]) {
    write(
        root,
        "helpcenter.toml",
        "default_locale = \"en\"\nlocales = [\"en\", \"fr\"]\n\n[defaults]\nauthor = \"docs@example.com\"\n\n[assets]\nbase_url = \"https://cdn.example.com/\"\n",
    );
    point_at(root, base_url);
    std::fs::create_dir_all(root.join("img")).unwrap();
    write(root, "c0/img/pic.png", "png-bytes");
    for c in 0..collections {
        write(
            root,
            &format!("{}/_collection.yml", collection_dir(c)),
            &format!("name: Collection {c}\ntranslations:\n  fr:\n    name: Collection {c} FR\n"),
        );
    }
    for (i, a) in articles.iter().enumerate() {
        let dir = collection_dir(a.collection);
        let depth = a.collection + 1;
        let up = "../".repeat(depth);
        let mut body = String::new();
        for (j, b) in a.blocks.iter().enumerate() {
            let text =
                block(*b, i * 10 + j, "en").replace("/img/pic.png", &format!("{up}c0/img/pic.png"));
            body.push_str(&text);
            body.push('\n');
        }
        if let Some(t) = a.link_to.filter(|t| *t < articles.len() && *t != i) {
            let target = format!("{up}{}/a{t}.md", collection_dir(articles[t].collection));
            let _ = writeln!(body, "See [article {t}]({target}).");
        }
        let state = if a.draft { "draft" } else { "published" };
        write(
            root,
            &format!("{dir}/a{i}.md"),
            &format!("---\ntitle: Article {i}\nstate: {state}\n---\n{body}"),
        );
        if a.french {
            write(
                root,
                &format!("{dir}/a{i}.fr.md"),
                &format!(
                    "---\ntitle: Article {i} FR\n---\n{}",
                    body.replace("Section", "Partie")
                ),
            );
        }
    }
}

fn converges(
    flags: &[&str],
    collections: usize,
    articles: &[GenArticle],
) -> Result<(), TestCaseError> {
    let emu = Emulator::start(flags);
    let dir = tempfile::tempdir().unwrap();
    materialize(dir.path(), &emu.base_url, collections, articles);
    let run = run_in(dir.path(), &["apply", "--yes"]);
    prop_assert_eq!(run.code, 0, "apply failed:\n{}", run.stderr);
    let run = run_in(dir.path(), &["plan", "--detailed-exitcode"]);
    prop_assert_eq!(
        run.code,
        0,
        "plan after apply is not empty:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    Ok(())
}

proptest! {
    // 12 cases: each runs the binary against the emulator several times (the suite's budget);
    // a failing seed is saved in tests/proptest-regressions/convergence.txt (committed) and
    // replayed first on every run.
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptest-regressions/convergence.txt",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn apply_then_plan_is_empty((collections, articles) in tree_strategy()) {
        converges(&[], collections, &articles)?;
    }

    #[test]
    fn apply_then_plan_is_empty_when_headings_are_flattened((collections, articles) in tree_strategy()) {
        converges(&["--switch", "headings=flatten_to_h2"], collections, &articles)?;
    }
}
