//! Unit tests of the renderer over small in-memory projects (files on a temp dir for assets).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::content::config::{Assets, Config, Defaults};
use crate::content::model::ArticleState;
use sha2::Digest as _;

/// A project under `root` whose articles are the given `(path, markdown)` files; `x.fr.md` is
/// the `fr` translation of `x.md`. Files are also written to disk.
pub fn project(root: &Path, files: &[(&str, &str)]) -> Project {
    let mut articles: BTreeMap<PathBuf, LocalArticle> = BTreeMap::new();
    for (path, markdown) in files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, markdown).unwrap();
        let p = Path::new(path);
        let stem = p.file_stem().unwrap().to_str().unwrap();
        let (base, locale) = match stem.rsplit_once('.') {
            Some((b, l)) if ["fr", "de"].contains(&l) => (b, l),
            _ => (stem, "en"),
        };
        let default_path = p.with_file_name(format!("{base}.md"));
        let key = default_path.with_extension("").to_str().unwrap().to_owned();
        let article = articles
            .entry(default_path.clone())
            .or_insert_with(|| LocalArticle {
                key,
                explicit_key: false,
                path: default_path.clone(),
                collection: None,
                locales: BTreeMap::new(),
            });
        article.locales.insert(
            locale.to_owned(),
            ArticleFile {
                locale: locale.to_owned(),
                path: p.to_path_buf(),
                title: base.to_owned(),
                description: None,
                state: ArticleState::Published,
                author: None,
                author_at: None,
                markdown: (*markdown).to_owned(),
                body_line: 1,
                fin: crate::content::model::FinAvailability::default(),
            },
        );
    }
    Project {
        root: root.to_path_buf(),
        config: Config {
            default_locale: "en".into(),
            locales: vec!["en".into(), "fr".into(), "de".into()],
            default_target: None,
            exclude: Vec::new(),
            defaults: Defaults::default(),
            assets: Assets {
                base_url: Some("https://cdn.example/help/".into()),
            },
            targets: BTreeMap::new(),
        },
        collections: Vec::new(),
        articles: articles.into_values().collect(),
        unloaded: std::collections::BTreeSet::new(),
    }
}

/// Renders `path` of `project`.
pub fn render(project: &Project, path: &str) -> Rendered {
    let article = project
        .articles
        .iter()
        .find(|a| a.locales.values().any(|f| f.path == Path::new(path)))
        .expect("article exists");
    let file = article
        .locales
        .values()
        .find(|f| f.path == Path::new(path))
        .unwrap();
    render_article(project, article, file)
}

fn one(markdown: &str) -> Rendered {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path(), &[("a.md", markdown)]);
    render(&p, "a.md")
}

fn html(markdown: &str) -> String {
    let r = one(markdown);
    assert!(
        r.diagnostics.is_empty(),
        "unexpected diagnostics: {:?}",
        r.diagnostics
    );
    r.html
}

fn codes(r: &Rendered) -> Vec<(&'static str, usize, usize)> {
    r.diagnostics
        .iter()
        .map(|d| (d.code, d.line, d.column))
        .collect()
}

#[test]
fn basic_blocks_use_intercom_tags() {
    assert_eq!(
        html("# T\n\nSome *it* and **bold** and `code`.\n\n---\n\nline  \nbreak"),
        "<h1>T</h1>\n<p>Some <i>it</i> and <b>bold</b> and <code>code</code>.</p>\n<hr>\n<p>line<br>break</p>\n"
    );
}

#[test]
fn code_blocks_drop_language_and_trailing_newline() {
    assert_eq!(
        html("```rust\nfn main() { a < b }\n```\n"),
        "<pre><code>fn main() { a &lt; b }</code></pre>\n"
    );
}

#[test]
fn tables_have_no_header_cells() {
    assert_eq!(
        html("| A | |\n|---|--:|\n| 1 | 2 |\n"),
        "<table><tbody>\n<tr><td><b>A</b></td><td></td></tr>\n<tr><td>1</td><td>2</td></tr>\n</tbody></table>\n"
    );
}

#[test]
fn headings_below_h2_warn_once_and_h5_becomes_h4() {
    let r = one("### a\n\n##### b\n");
    assert_eq!(r.html, "<h3>a</h3>\n<h4>b</h4>\n");
    assert_eq!(codes(&r), vec![("heading-level", 1, 1)]);
    assert!(r.diagnostics[0].message.contains("2 times"));
}

#[test]
fn alerts_become_callouts_and_blockquotes_warn() {
    assert_eq!(
        html("> [!WARNING]\n> Careful\n"),
        "<div class=\"intercom-interblocks-callout\" style=\"background-color: #feedaf80; border-color: #fbc91633;\">\n<p>Careful</p>\n</div>\n"
    );
    let r = one("text\n\n> quoted\n");
    assert_eq!(r.html, "<p>text</p>\n<p>quoted</p>\n");
    assert_eq!(codes(&r), vec![("blockquote", 3, 1)]);
}

#[test]
fn video_paragraphs_become_embeds() {
    let expected = "<div class=\"intercom-h2b-video\"><iframe src=\"https://www.youtube.com/embed/jqO8AQHj7Fw\" frameborder=\"0\" allowfullscreen=\"\"></iframe></div>\n";
    assert_eq!(html("https://youtu.be/jqO8AQHj7Fw\n"), expected);
    assert_eq!(
        html("<https://www.youtube.com/watch?v=jqO8AQHj7Fw>\n"),
        expected
    );
    assert_eq!(
        html("see https://youtu.be/jqO8AQHj7Fw\n"),
        "<p>see https://youtu.be/jqO8AQHj7Fw</p>\n"
    );
}

#[test]
fn images_are_lifted_into_containers() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(
        dir.path(),
        &[
            (
                "guide/a.md",
                "![Shot](img/s.png)\n\nText ![i](img/s.png) more\n\n[![x](https://e.x/i.png)](https://e.x)\n",
            ),
            ("guide/img/s.png", "PNG"),
        ],
    );
    let r = render(&p, "guide/a.md");
    let hash = &hex::encode(sha2::Sha256::digest(b"PNG"))[..10];
    let src = format!("https://cdn.example/help/guide/img/s.png?v={hash}");
    assert_eq!(
        r.html,
        format!(
            "<div class=\"intercom-container\"><img src=\"{src}\" alt=\"Shot\"></div>\n\
             <p>Text</p>\n<div class=\"intercom-container\"><img src=\"{src}\" alt=\"i\"></div>\n<p>more</p>\n\
             <div class=\"intercom-container\"><a href=\"https://e.x\"><img src=\"https://e.x/i.png\" alt=\"x\"></a></div>\n"
        )
    );
    assert_eq!(codes(&r), vec![("inline-image", 3, 1)]);
    assert_eq!(r.assets, vec![PathBuf::from("guide/img/s.png")]);
}

#[test]
fn image_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(
        dir.path(),
        &[(
            "g/a.md",
            "x\n\nsee ![a](missing.png)\n\n![b](../../etc/passwd)\n\n![c](data:image/png;base64,AAA)\n",
        )],
    );
    let r = render(&p, "g/a.md");
    assert_eq!(
        codes(&r),
        vec![
            ("image-missing", 3, 5),
            ("path-outside-root", 5, 1),
            ("image-url", 7, 1)
        ]
    );
    assert!(r.diagnostics.iter().all(Diagnostic::is_error));
}

#[test]
fn missing_base_url_is_an_error_with_hint() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = project(dir.path(), &[("a.md", "![a](i.png)\n"), ("i.png", "x")]);
    p.config.assets.base_url = None;
    let r = render(&p, "a.md");
    assert_eq!(codes(&r), vec![("assets-base-url", 1, 1)]);
    assert!(
        r.diagnostics[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("base_url")
    );
}

#[test]
fn links_resolve_to_keys_per_locale() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(
        dir.path(),
        &[
            (
                "g/a.md",
                "[b](b.md) [c](../c.md#part) [b fr](b.fr.md) [ext](https://x.y) [m](<mailto:a@b.c>) <a@b.c>\n",
            ),
            ("g/a.fr.md", "[b](b.md) [c](../c.md)\n"),
            ("g/b.md", "b"),
            ("g/b.fr.md", "b"),
            ("c.md", "c"),
        ],
    );
    let r = render(&p, "g/a.md");
    assert_eq!(
        r.html,
        "<p><a href=\"#helpcenter-key:g/b\">b</a> <a href=\"#helpcenter-key:c\">c</a> <a href=\"#helpcenter-key:g/b\">b fr</a> <a href=\"https://x.y\">ext</a> <a href=\"mailto:a@b.c\">m</a> <a href=\"mailto:a@b.c\">a@b.c</a></p>\n"
    );
    assert_eq!(r.links, vec!["g/b".to_owned(), "c".to_owned()]);
    assert_eq!(codes(&r), vec![("link-fragment", 1, 11)]);
    let r = render(&p, "g/a.fr.md");
    assert_eq!(codes(&r), vec![("link-locale-fallback", 1, 11)]);
    assert!(
        r.diagnostics[0]
            .message
            .contains("`c.md` has no `fr` translation")
    );
}

#[test]
fn bad_links_are_reported() {
    let r = one("[x](nope.md) [y](javascript:alert(1)) [z](#top) [w](../../up.md)\n");
    assert_eq!(r.html, "<p>x y z w</p>\n");
    assert_eq!(
        codes(&r),
        vec![
            ("link-broken", 1, 1),
            ("link-scheme", 1, 14),
            ("link-fragment", 1, 39),
            ("path-outside-root", 1, 49)
        ]
    );
}

#[test]
fn degraded_constructs_warn() {
    let r = one("- [ ] todo\n- [x] done\n  - nested ~~old~~\n\n3. three\n");
    assert_eq!(
        r.html,
        "<ul>\n<li>☐ todo</li>\n<li>☑ done<ul>\n<li>nested old</li>\n</ul>\n</li>\n</ul>\n<ol>\n<li>three</li>\n</ol>\n"
    );
    assert_eq!(
        codes(&r),
        vec![
            ("task-list", 1, 3),
            ("nested-list", 3, 3),
            ("strikethrough", 3, 12),
            ("list-start", 5, 1)
        ]
    );
}

#[test]
fn table_in_list_is_an_error() {
    let r = one("- item\n\n  | a |\n  |---|\n  | b |\n");
    assert_eq!(codes(&r), vec![("table-in-list", 3, 3)]);
}

#[test]
fn locations_count_from_the_body_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = project(dir.path(), &[("a.md", "ok\n\n[x](no.md)\n")]);
    p.articles[0].locales.get_mut("en").unwrap().body_line = 5;
    let r = render(&p, "a.md");
    assert_eq!(codes(&r), vec![("link-broken", 7, 1)]);
}

#[test]
fn raw_html_is_filtered_with_locations() {
    let r = one(concat!(
        "Hi <span style=\"x\">there</span> <strong>b</strong>\n",
        "\n",
        "<div class=\"note\">\n",
        "<p onclick=\"evil()\">para</p>\n",
        "</div>\n",
        "\n",
        "<script>alert(1)</script>\n",
        "\n",
        "<dl><dt>a</dt><dd>b</dd></dl>\n",
        "\n",
        "<iframe src=\"https://evil.example/x\"></iframe>\n",
    ));
    assert_eq!(r.html, "<p>Hi there <b>b</b></p>\n<p>para</p>\nab\n");
    assert_eq!(
        codes(&r),
        vec![
            ("html-stripped", 1, 4),
            ("html-stripped", 3, 1),
            ("html-attribute-stripped", 4, 1),
            ("html-stripped", 7, 1),
            ("html-dl", 9, 1),
            ("iframe-host", 11, 1),
        ]
    );
}

#[test]
fn security_payloads_never_reach_the_output() {
    let payloads = [
        "<script>alert(1)</script>",
        "x <script>alert(1)</script> y",
        "<img src=x onerror=alert(1)>",
        "<img src=\"https://e.x/a.png\" onerror=\"alert(1)\">",
        "[a](javascript:alert(1))",
        "[a](JaVaScRiPt&#58;alert(1))",
        "<a href=\"jav&#x09;ascript:alert(1)\">a</a>",
        "<a href=\"data:text/html,<script>alert(1)</script>\">a</a>",
        "<iframe src=\"https://evil.example/\"></iframe>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<style>body{display:none}</style>",
        "<p style=\"background:url(javascript:alert(1))\">x</p>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<<script>script>alert(1)<</script>/script>",
        "<div class=\"intercom-container\" onmouseover=\"alert(1)\">x</div>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<scr<script>ipt>alert(1)</script>",
        "<a href=\"https://ok.example\" onclick=\"alert(1)\">ok</a>",
        "<textarea><script>alert(1)</script></textarea>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    ];
    for payload in payloads {
        let r = one(payload);
        let lower = r.html.to_ascii_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "onmouseover",
            "javascript:",
            "<style",
            "evil.example",
            "<svg",
            "<math",
            "<object",
            "data:",
            "style=",
        ] {
            assert!(!lower.contains(bad), "{payload:?} → {:?}", r.html);
        }
    }
}

#[test]
fn ammonia_pass_is_a_fixed_point_of_generated_markup() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(
        dir.path(),
        &[
            (
                "a.md",
                "# T & <x>\n\nA *b* **c** `d` [e](b.md \"t\") ![f &\"](i.png)\n\n- [ ] g\n- h  \n  i\n\n1. j\n\n| k | l |\n|---|---|\n| m | n |\n\n> [!TIP]\n> o\n\nhttps://vimeo.com/76979871\n\n```\np\n\n q\n```\n\nnbsp\u{a0}here\n",
            ),
            ("b.md", "b"),
            ("i.png", "png"),
        ],
    );
    let r = render(&p, "a.md");
    assert_eq!(sanitize::clean(&r.html), r.html);
}

fn repaired(markdown: &str) -> (String, bool) {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path(), &[("a.md", markdown)]);
    let article = &p.articles[0];
    let (r, repaired) = markdown::render_with_repair_flag(&p, article, &article.locales["en"]);
    (r.html, repaired)
}

#[test]
fn well_nested_raw_html_skips_the_repair_pass() {
    for md in [
        "Press <kbd>Ctrl</kbd> + <b>C</b> or <span>x</span>.",
        "a<br>b <i>c <b>d</b></i> <a href=\"https://x.y\">e</a>",
        "<div class=\"intercom-interblocks-callout\" style=\"background-color: #e3e7fa80; border-color: #334bfa33;\">\n\nSome **md**.\n\n</div>",
        "<iframe src=\"https://www.youtube.com/embed/abc\"></iframe>",
        "<p>para</p>\n<ul><li>a</li><li>b</li></ul>\n",
        "<table><tbody><tr><td>a</td></tr></tbody></table>",
        "<!-- note -->\n\n<script>x()</script>\n\ntext",
    ] {
        let (html, repaired) = repaired(md);
        assert!(!repaired, "{md:?} was repaired: {html:?}");
        assert_eq!(sanitize::clean(&html), html, "{md:?}");
    }
}

#[test]
fn broken_nesting_is_repaired() {
    for md in [
        "an <b>unclosed bold",
        "<b>a *c</b> d*",
        "para <p>inside</p> para",
        "<table><tr><td>x</td></tr></table>",
        "<ul>\n\n- md list in raw list\n\n</ul>",
        "a </p> b",
        "[link <a href=\"https://x.y\">inner</a>](https://z.w)",
        "text <div class=\"intercom-container\">block</div>",
    ] {
        let (html, repaired) = repaired(md);
        assert!(repaired, "{md:?} was not repaired: {html:?}");
        assert_eq!(sanitize::clean(&html), html, "{md:?}");
    }
}
