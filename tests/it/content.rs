//! The content stage: the valid corpus loads as expected; each broken fixture reports its
//! exact `file:line:col`, code and message through `helpcenter check --format json`.

use std::path::{Path, PathBuf};
use std::process::Command;

use helpcenter::content::model::{ArticleState, AuthorRef};

/// `tests/fixtures/<case>`.
pub fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(case)
}

/// The binary with colour off and no inherited `NO_COLOR`/`CI` surprises.
pub fn helpcenter() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_helpcenter"));
    cmd.args(["--color", "never"]).env_remove("CI");
    cmd
}

/// One diagnostic as the JSON format carries it.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    pub file: Option<String>,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub code: String,
    pub message: String,
    pub hint: Option<String>,
}

/// Runs `check --format json` on `dir`; returns the exit code and the diagnostics.
pub fn check_json(dir: &Path) -> (i32, Vec<Found>) {
    let out = helpcenter()
        .arg("--dir")
        .arg(dir)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|err| {
        panic!(
            "stdout is not JSON ({err}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let found = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| Found {
            file: d["file"].as_str().map(str::to_owned),
            line: d["line"].as_u64(),
            column: d["column"].as_u64(),
            code: d["code"].as_str().unwrap().to_owned(),
            message: d["message"].as_str().unwrap().to_owned(),
            hint: d["hint"].as_str().map(str::to_owned),
        })
        .collect();
    (out.status.code().unwrap(), found)
}

/// Asserts that `case` fails with exactly one error at `file:line:col` with `code` and `message`;
/// returns its hint.
fn only_error(
    case: &str,
    file: &str,
    pos: Option<(u64, u64)>,
    code: &str,
    message: &str,
) -> Option<String> {
    only_error_in(
        &fixture(&format!("broken/{case}")),
        file,
        pos,
        code,
        message,
    )
}

fn only_error_in(
    dir: &Path,
    file: &str,
    pos: Option<(u64, u64)>,
    code: &str,
    message: &str,
) -> Option<String> {
    let (status, found) = check_json(dir);
    assert_eq!(status, 1, "{found:#?}");
    assert_eq!(found.len(), 1, "{found:#?}");
    let d = &found[0];
    assert_eq!(d.file.as_deref(), Some(file));
    assert_eq!(d.line.zip(d.column), pos);
    assert_eq!(d.code, code);
    assert_eq!(d.message, message);
    d.hint.clone()
}

#[test]
fn valid_corpus_loads_collections_articles_and_keys() {
    let loaded = helpcenter::content::load(&fixture("valid"));
    assert_eq!(loaded.diagnostics, Vec::new());
    let project = loaded.project.unwrap();
    assert_eq!(project.config.locales, ["en", "fr", "de"]);

    let collections: Vec<_> = project
        .collections
        .iter()
        .map(|c| {
            (
                c.key.as_str(),
                c.parent.as_deref(),
                c.depth,
                c.name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        collections,
        [
            ("guides", None, 1, "Guides"),
            ("setup", Some("guides"), 2, "Setup")
        ]
    );
    assert_eq!(
        project.collections[0].translations["de"].name,
        "Anleitungen"
    );

    let articles: Vec<_> = project
        .articles
        .iter()
        .map(|a| {
            (
                a.key.as_str(),
                a.explicit_key,
                a.collection.as_deref(),
                a.locales.keys().map(String::as_str).collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        articles,
        [
            ("faq", false, None, vec!["en"]),
            (
                "guides/install",
                false,
                Some("guides"),
                vec!["de", "en", "fr"]
            ),
            (
                "guides/setup/network",
                false,
                Some("setup"),
                vec!["en", "fr"]
            ),
            ("release-notes", true, Some("guides"), vec!["en"]),
        ]
    );

    let install = &project.articles[1];
    let en = &install.locales["en"];
    assert_eq!(en.title, "Install");
    assert_eq!(en.description.as_deref(), Some("Get it running"));
    assert_eq!(
        en.author,
        Some(AuthorRef::Email("writer@example.com".to_owned()))
    );
    assert_eq!(en.state, ArticleState::Draft, "from [defaults]");
    assert_eq!(en.body_line, 6);
    assert_eq!(en.markdown, "# Install\n\nRun the installer.\n");
    let fr = &install.locales["fr"];
    assert_eq!(fr.state, ArticleState::Published);
    assert_eq!(fr.author, Some(AuthorRef::Id(42)), "from [defaults]");
    assert_eq!(fr.path, Path::new("guides/install.fr.md"));
}

#[test]
fn malformed_yaml() {
    let hint = only_error(
        "malformed-yaml",
        "guides/a.md",
        Some((4, 1)),
        "yaml-syntax",
        "invalid YAML: while parsing a flow sequence, expected ',' or ']'",
    );
    assert!(hint.unwrap().contains("quote values"));
}

#[test]
fn missing_title() {
    only_error(
        "missing-title",
        "guides/a.md",
        Some((2, 1)),
        "front-matter-missing-title",
        "missing `title` in front matter",
    );
}

#[test]
fn unknown_field_has_a_did_you_mean_hint() {
    let hint = only_error(
        "unknown-field",
        "guides/a.md",
        Some((3, 1)),
        "front-matter-unknown-field",
        "unknown field `descripton` in front matter",
    );
    assert_eq!(hint.as_deref(), Some("did you mean `description`?"));
}

#[test]
fn unknown_locale_in_a_file_name() {
    let hint = only_error(
        "unknown-locale",
        "guides/a.pt-br.md",
        None,
        "unknown-locale",
        "unknown locale `pt-br` in the file name",
    );
    assert!(hint.unwrap().contains("`pt-BR`"));
}

#[test]
fn locale_not_in_config() {
    only_error(
        "locale-not-configured",
        "guides/a.de.md",
        None,
        "locale-not-configured",
        "locale `de` is not in `locales` of `helpcenter.toml`",
    );
}

#[test]
fn translation_without_default_locale_file() {
    only_error(
        "translation-without-default",
        "guides/a.fr.md",
        None,
        "translation-without-default",
        "translation `guides/a.fr.md` has no default-locale file `guides/a.md`",
    );
}

#[test]
fn duplicate_key_names_both_files() {
    only_error(
        "duplicate-key",
        "guides/b.md",
        Some((3, 6)),
        "duplicate-key",
        "duplicate article key `shared`: `guides/a.md` uses it too",
    );
}

#[test]
fn markdown_outside_a_collection() {
    let hint = only_error(
        "markdown-outside-collection",
        "guides/images/notes.md",
        None,
        "markdown-outside-collection",
        "`guides/images/notes.md` is in `guides/images`, which is not a collection",
    );
    assert!(hint.unwrap().contains("`guides/images/_collection.yml`"));
}

#[test]
fn nesting_deeper_than_three_levels() {
    only_error(
        "too-deep",
        "a/b/c/d/_collection.yml",
        None,
        "collection-too-deep",
        "collection `a/b/c/d` is nested 4 levels deep; Intercom allows 3",
    );
}

#[test]
fn invalid_utf8_points_at_the_first_bad_byte() {
    only_error(
        "invalid-utf8",
        "guides/a.md",
        Some((2, 11)),
        "invalid-utf8",
        "file is not valid UTF-8",
    );
}

#[test]
fn empty_file() {
    only_error(
        "empty-file",
        "guides/a.md",
        Some((1, 1)),
        "empty-file",
        "`guides/a.md` is empty",
    );
}

/// Copies a fixture folder (files and directories only) into `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn symlink_escaping_the_root() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("content");
    copy_dir(&fixture("broken/symlink"), &root);
    std::fs::write(
        tmp.path().join("secret.md"),
        "---\ntitle: Outside\n---\nx\n",
    )
    .unwrap();
    std::fs::create_dir(tmp.path().join("elsewhere")).unwrap();
    std::os::unix::fs::symlink("../../secret.md", root.join("guides/escape.md")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("elsewhere"), root.join("guides/linked")).unwrap();
    // A symlink that stays inside the root is fine.
    std::os::unix::fs::symlink("a.md", root.join("guides/alias.md")).unwrap();

    let (status, found) = check_json(&root);
    assert_eq!(status, 1);
    let got: Vec<_> = found
        .iter()
        .map(|d| {
            (
                d.file.as_deref().unwrap(),
                d.code.as_str(),
                d.message.as_str(),
            )
        })
        .collect();
    assert!(
        got.contains(&(
            "guides/escape.md",
            "symlink-outside-root",
            "symlink `guides/escape.md` points outside the content root"
        )),
        "{got:#?}"
    );
    assert!(
        got.contains(&(
            "guides/linked",
            "symlink-outside-root",
            "symlink `guides/linked` points outside the content root"
        )),
        "{got:#?}"
    );
    // The in-root alias is an article of its own with the same title: no escape error for it.
    assert!(
        !got.iter()
            .any(|(file, code, _)| *file == "guides/alias.md" && *code == "symlink-outside-root")
    );
}

#[test]
fn bad_config_reports_every_problem() {
    let (status, found) = check_json(&fixture("broken/bad-config"));
    assert_eq!(status, 1);
    let got: Vec<_> = found
        .iter()
        .map(|d| {
            (
                d.line.unwrap(),
                d.column.unwrap(),
                d.code.as_str(),
                d.message.as_str(),
                d.hint.as_deref().unwrap(),
            )
        })
        .collect();
    assert!(
        found
            .iter()
            .all(|d| d.file.as_deref() == Some("helpcenter.toml"))
    );
    assert_eq!(
        got,
        [
            (
                2,
                18,
                "unknown-locale",
                "unknown locale `fr-FR`",
                "did you mean `fr`?"
            ),
            (
                3,
                1,
                "config-unknown-key",
                "unknown key `default_targt` in `helpcenter.toml`",
                "did you mean `default_target`?"
            ),
            (
                9,
                8,
                "config-bad-kind",
                "unknown target kind `zendesk`",
                "use \"sandbox\" (the embedded emulator) or \"intercom\" (a real workspace)"
            ),
            (
                10,
                1,
                "config-token-in-file",
                "`targets.production` has a `token`: tokens are never read from files",
                "remove it, set `token_env = \"INTERCOM_TOKEN\"` and export the token in that variable; if this file was committed, revoke the token"
            ),
        ]
    );
}

#[test]
fn token_never_appears_in_any_output() {
    for format in ["text", "json", "github"] {
        let out = helpcenter()
            .arg("--dir")
            .arg(fixture("broken/bad-config"))
            .args(["check", "--format", format])
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // Each format names the problem its own way: the message in text, the code as well in
        // JSON and GitHub annotations.
        let message = "`targets.production` has a `token`: tokens are never read from files";
        assert!(all.contains(message), "{format}: {all}");
        assert_eq!(
            all.contains("config-token-in-file"),
            format != "text",
            "{format}: {all}"
        );
        assert!(!all.contains("secret-token-value"), "{format}: {all}");
    }
}
