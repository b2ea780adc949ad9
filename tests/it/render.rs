//! The render stage over fixture folders: snapshots of the HTML per feature, one case per kind
//! of bad input with its exact location and message, and security payloads.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use helpcenter::content::config::{
    Assets, Config, Defaults, NestedLists, OnDrift, Region, Target, TargetKind,
};
use helpcenter::content::model::{ArticleFile, ArticleState, LocalArticle, Project};
use helpcenter::diagnostics::Severity;
use helpcenter::render::{Rendered, render_article};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Builds a [`Project`] from a fixture folder: just enough of the content stage for rendering
/// (every `.md` but `README.md` is an article; `x.fr.md` translates `x.md`; `title:` front matter).
fn load(root: &Path) -> Project {
    let toml: toml::Table = std::fs::read_to_string(root.join("helpcenter.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let locales: Vec<String> = toml["locales"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let base_url = toml
        .get("assets")
        .and_then(|a| a.get("base_url"))
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let mut files = Vec::new();
    walk(root, Path::new(""), &mut files);
    let mut articles: BTreeMap<PathBuf, LocalArticle> = BTreeMap::new();
    for rel in files {
        let text = std::fs::read_to_string(root.join(&rel)).unwrap();
        let (title, markdown, body_line) = front_matter(&text);
        let stem = rel.file_stem().unwrap().to_str().unwrap();
        let (base, locale) = match stem.rsplit_once('.') {
            Some((b, l)) if locales.iter().any(|x| x == l) => (b.to_owned(), l.to_owned()),
            _ => (stem.to_owned(), "en".to_owned()),
        };
        let default_path = rel.with_file_name(format!("{base}.md"));
        let article = articles
            .entry(default_path.clone())
            .or_insert_with(|| LocalArticle {
                key: default_path.with_extension("").to_str().unwrap().to_owned(),
                explicit_key: false,
                path: default_path.clone(),
                collection: default_path
                    .parent()
                    .and_then(|p| p.to_str())
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
                locales: BTreeMap::new(),
            });
        article.locales.insert(
            locale.clone(),
            ArticleFile {
                locale,
                path: rel.clone(),
                title,
                description: None,
                state: ArticleState::Published,
                author: None,
                author_at: None,
                markdown,
                body_line,
                fin: helpcenter::content::model::FinAvailability::default(),
            },
        );
    }
    let mut targets = BTreeMap::new();
    targets.insert(
        "local".to_owned(),
        Target {
            name: "local".into(),
            kind: TargetKind::Sandbox,
            region: Region::Us,
            help_center: None,
            token_env: None,
            prune: false,
            on_drift: OnDrift::Fail,
            base_url: None,
            nested_lists: NestedLists::Accept,
            callout_colors: helpcenter::content::config::CalloutColors::Hex,
            protect_views: helpcenter::content::config::DEFAULT_PROTECT_VIEWS,
            admins: Vec::new(),
            publish: helpcenter::content::config::Publish::Articles,
            scope: helpcenter::content::config::TargetScope::default(),
        },
    );
    Project {
        root: root.to_path_buf(),
        config: Config {
            default_locale: "en".into(),
            locales,
            default_target: Some("local".into()),
            exclude: Vec::new(),
            defaults: Defaults::default(),
            assets: Assets { base_url },
            targets,
        },
        collections: Vec::new(),
        articles: articles.into_values().collect(),
        unloaded: std::collections::BTreeSet::new(),
    }
}

fn walk(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(root.join(rel))
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = rel.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            walk(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "md") && entry.file_name() != "README.md" {
            out.push(path);
        }
    }
}

/// (title, body, 1-based line of the body).
fn front_matter(text: &str) -> (String, String, usize) {
    let rest = text.strip_prefix("---\n").expect("front matter");
    let end = rest.find("\n---\n").expect("front matter end");
    let yaml = &rest[..end];
    let title = yaml
        .lines()
        .find_map(|l| l.strip_prefix("title: "))
        .unwrap_or_default()
        .to_owned();
    let body = &rest[end + 5..];
    (title, body.to_owned(), yaml.lines().count() + 3)
}

fn render(project: &Project, path: &str) -> Rendered {
    let (article, file) = project
        .articles
        .iter()
        .find_map(|a| {
            a.locales
                .values()
                .find(|f| f.path == Path::new(path))
                .map(|f| (a, f))
        })
        .unwrap_or_else(|| panic!("no article file {path}"));
    render_article(project, article, file)
}

/// What a user sees: the HTML, then one line per diagnostic.
fn shown(r: &Rendered) -> String {
    let mut out = r.html.clone();
    if !r.diagnostics.is_empty() {
        out.push_str("---\n");
    }
    for d in &r.diagnostics {
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(
            out,
            "{}:{}:{}: {severity}[{}]: {}",
            d.path.as_ref().unwrap().display(),
            d.line,
            d.column,
            d.code,
            d.message
        );
        if let Some(hint) = &d.hint {
            let _ = writeln!(out, "  hint: {hint}");
        }
    }
    out
}

macro_rules! snapshot_cases {
    ($($name:ident => $path:literal,)*) => {$(
        #[test]
        fn $name() {
            let project = load(&fixture("render"));
            let r = render(&project, $path);
            insta::assert_snapshot!(concat!("render_", stringify!($name)), shown(&r));
        }
    )*};
}

snapshot_cases! {
    basics => "guides/basics.md",
    tables => "guides/tables.md",
    callouts => "guides/callouts.md",
    videos => "guides/videos.md",
    links => "guides/links.md",
    links_translation => "guides/links.fr.md",
    images => "guides/images.md",
    degraded => "guides/degraded.md",
    raw_html => "guides/raw-html.md",
}

#[test]
fn valid_corpus_has_no_errors_and_tracks_links_and_assets() {
    let project = load(&fixture("render"));
    for article in &project.articles {
        for file in article.locales.values() {
            let r = render_article(&project, article, file);
            let errors: Vec<_> = r.diagnostics.iter().filter(|d| d.is_error()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", file.path.display());
        }
    }
    let links = render(&project, "guides/links.md");
    assert_eq!(
        links.links,
        ["guides/basics", "faq/billing", "guides/tables"]
    );
    assert_eq!(links.assets, [PathBuf::from("guides/images/manual.pdf")]);
    let images = render(&project, "guides/images.md");
    assert_eq!(images.assets, [PathBuf::from("guides/images/screen.png")]);
}

/// One bad input: the file, then the expected (severity, code, line, col, message).
fn assert_problem(path: &str, expected: (Severity, &str, usize, usize, &str)) {
    let project = load(&fixture("render-broken"));
    let r = render(&project, path);
    let got: Vec<_> = r
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.code, d.line, d.column, d.message.as_str()))
        .collect();
    assert_eq!(got, vec![expected], "{path}");
    assert_eq!(
        r.diagnostics[0].path.as_deref(),
        Some(Path::new(path)),
        "{path}"
    );
}

#[test]
fn broken_link_is_an_error_at_the_link() {
    assert_problem(
        "bad/broken-link.md",
        (
            Severity::Error,
            "link-broken",
            6,
            5,
            "broken link: `bad/setup.md` does not exist",
        ),
    );
}

#[test]
fn missing_image_is_an_error() {
    assert_problem(
        "bad/missing-image.md",
        (
            Severity::Error,
            "image-missing",
            4,
            1,
            "image file `bad/images/missing.png` does not exist",
        ),
    );
}

#[test]
fn image_outside_the_root_is_an_error() {
    assert_problem(
        "bad/image-outside-root.md",
        (
            Severity::Error,
            "path-outside-root",
            6,
            3,
            "`../../../etc/passwd.png` points outside the content root",
        ),
    );
}

#[test]
fn foreign_iframe_is_an_error() {
    assert_problem(
        "bad/foreign-iframe.md",
        (
            Severity::Error,
            "iframe-host",
            6,
            1,
            "`<iframe>` from `maps.example.com`: Intercom rejects the whole article (400); only YouTube, Vimeo, Loom, Wistia and Vidyard embeds are accepted",
        ),
    );
}

#[test]
fn definition_list_is_an_error() {
    assert_problem(
        "bad/dl.md",
        (
            Severity::Error,
            "html-dl",
            4,
            1,
            "`<dl>` (definition list): Intercom rejects the article (400)",
        ),
    );
}

#[test]
fn table_in_list_is_an_error() {
    assert_problem(
        "bad/table-in-list.md",
        (
            Severity::Error,
            "table-in-list",
            6,
            4,
            "table inside a list item: Intercom rejects the article (400)",
        ),
    );
}

#[test]
fn table_in_table_is_an_error() {
    assert_problem(
        "bad/table-in-table.md",
        (
            Severity::Error,
            "table-in-table",
            5,
            1,
            "table inside a table: Intercom rejects the article (400)",
        ),
    );
}

#[test]
fn script_link_is_removed_with_a_warning() {
    assert_problem(
        "bad/script-link.md",
        (
            Severity::Warning,
            "link-scheme",
            4,
            7,
            "`javascript:` links are not allowed: link removed, text kept",
        ),
    );
    let project = load(&fixture("render-broken"));
    assert_eq!(
        render(&project, "bad/script-link.md").html,
        "<p>Click here now.</p>\n"
    );
}

#[test]
fn data_url_image_is_an_error() {
    assert_problem(
        "bad/data-image.md",
        (
            Severity::Error,
            "image-url",
            4,
            1,
            "image source `data:image/png;base64,iVBORw0KGgo=` is not a public URL: Intercom rejects the article",
        ),
    );
}

#[test]
fn relative_image_without_base_url_is_an_error_with_a_hint() {
    let mut project = load(&fixture("render-broken"));
    project.config.assets.base_url = None;
    let r = render(&project, "bad/no-base-url.md");
    assert_eq!(r.diagnostics.len(), 1);
    let d = &r.diagnostics[0];
    assert_eq!((d.code, d.line, d.column), ("assets-base-url", 4, 1));
    assert_eq!(
        d.message,
        "image `bad/real.png` needs `assets.base_url`, which is not set"
    );
    assert!(d.hint.as_deref().unwrap().contains("[assets] base_url"));
}

#[test]
fn security_payloads_never_reach_the_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("helpcenter.toml"),
        "default_locale = \"en\"\nlocales = [\"en\"]\n",
    )
    .unwrap();
    let payloads = [
        "<script>alert(1)</script>",
        "Text <script>alert(1)</script> more",
        "<img src=x onerror=alert(1)>",
        "<img src=\"https://ok.example/a.png\" onerror=\"alert(1)\">",
        "<a href=\"https://ok.example\" onclick=\"alert(1)\">x</a>",
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\"java\tscript:alert(1)\">x</a>",
        "<iframe src=\"https://evil.example/\"></iframe>",
        "<iframe src=evil></iframe>",
        "<iframe srcdoc=\"<script>alert(1)</script>\" src=\"https://www.youtube.com/embed/abc\"></iframe>",
        "<style>* { display: none }</style>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<svg onload=alert(1)>",
        "<body onload=alert(1)>",
        "<<script>script>alert(1)<</script>/script>",
        "<form action=\"javascript:alert(1)\"><button>go</button></form>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<object data=\"https://evil.example/x.swf\"></object>",
        "<math><a xlink:href=\"javascript:alert(1)\">x</a></math>",
    ];
    let mut files = Vec::new();
    for (i, payload) in payloads.iter().enumerate() {
        let name = format!("p{i}.md");
        std::fs::write(
            dir.path().join(&name),
            format!("---\ntitle: P\n---\n{payload}\n"),
        )
        .unwrap();
        files.push((name, *payload));
    }
    let project = load(dir.path());
    for (name, payload) in files {
        let html = render(&project, &name).html.to_ascii_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "onload",
            "javascript",
            "<style",
            "style=",
            "evil",
            "srcdoc",
            "data:",
            "<svg",
            "<form",
            "<object",
            "<math",
        ] {
            assert!(!html.contains(bad), "{payload:?} gave {html:?}");
        }
    }
}

#[test]
fn render_command_prints_html_and_diagnostics() {
    // Diagnostics go through the one printer: the same rustc-style text as `check` and `plan`.
    let render = |dir: &str, file: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_helpcenter"))
            .current_dir(fixture(dir).parent().unwrap())
            .args(["--dir", dir, "render", file])
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let out = render("render", "guides/links.fr.md");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stdout,
        "<p>Voir <a href=\"#helpcenter-key:guides/basics\">les bases</a> et <a href=\"#helpcenter-key:faq/billing\">la FAQ</a>.</p>\n"
    );
    assert_eq!(
        stderr,
        "warning: `faq/billing.md` has no `fr` translation: the link goes to its `en` version
 --> render/guides/links.fr.md:4:32
  |
4 | Voir [les bases](basics.md) et [la FAQ](../faq/billing.md).
  |                                ^

"
    );

    let broken = render("render-broken", "bad/broken-link.md");
    assert_eq!(broken.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&broken.stdout),
        "<p>Intro.</p>\n<p>See the setup guide for details.</p>\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&broken.stderr),
        "error: broken link: `bad/setup.md` does not exist
 --> render-broken/bad/broken-link.md:6:5
  |
6 | See [the setup guide](setup.md) for details.
  |     ^
  = hint: link to an article's `.md` file, relative to this file

"
    );
}
