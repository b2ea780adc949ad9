//! Snapshot tests of the Markdown produced for each construct of Intercom's article HTML, and
//! round trips through the renderer that lose no text.

use super::*;
use crate::render::tests::{project, render};

fn md(html: &str) -> String {
    convert(html, &|_| None).markdown
}

/// API-NOTES 6.3, modern article body (rimoapp `combinedDocumentHtml`).
const MODERN: &str = r#"<h1 id="h_e324f0a1dd">H1</h1><h2 id="h_b3ae805d42">Heading 2</h2><h3 id="h_03290146c3">Heading 3</h3><h4 id="h_9624ce3e6b">Heading 4</h4><p class="no-margin">normal text</p><p class="no-margin"><b>bold</b></p><p class="no-margin"><i>italic</i></p><p class="no-margin"><b><i>bold_italic</i></b></p><p class="no-margin"><code>inline code</code></p><p class="no-margin"><a href="https://example.com/link" target="_blank" class="intercom-content-link">link text</a></p><p class="intercom-align-center no-margin">centered text</p><p class="intercom-align-right no-margin">right aligned</p><div class="intercom-container"><img src="https://example.com/image.png"></div><div class="intercom-interblocks-table-container"><table role="presentation"><tbody><tr><td><p class="no-margin">A1</p></td><td><p class="no-margin">B1</p></td></tr><tr><td><p class="no-margin">A2</p></td><td><p class="no-margin">B2</p></td></tr></tbody></table></div><hr><ul><li><p class="no-margin">list item 1</p></li><li><p class="no-margin">list item 2</p></li></ul><ol><li><p class="no-margin">step 1</p></li><li><p class="no-margin">step 2</p></li></ol><pre><code>code block</code></pre><div class="intercom-interblocks-callout" style="background-color: #e8e8e880; border-color: #73737633;"><p class="no-margin">gray callout</p></div>"#;

/// API-NOTES 6.3, the older official example (2.4 article model).
const OLDER: &str = r#"<h1 class="intercom-align-left">Header 1</h1><h2 class="intercom-align-left">Header 2</h2><h2 class="intercom-align-center">Centered Header</h2><p class="intercom-align-left"><a href="https://intercom.com" target="_blank">Link</a></p><ul><li>Single-level List</li></ul><pre><code>'Pre' Code</code></pre><p class="intercom-align-left"><code>Inline code</code></p><p class="intercom-align-left"><b>Bold text</b></p><p class="intercom-align-left"><i>Italic text</i></p><p class="intercom-align-center">Centered text</p><p class="intercom-align-left">Image without link:</p><div class="intercom-container intercom-align-left"><img src="https://downloads.intercomcdn.com/i/o/204050460/7a140f62f8e715d1d6cf246d/Image.jpg"/></div><p class="intercom-align-left">Image with link:</p><div class="intercom-container intercom-align-left"><a target="_blank" href="https://intercom.com"><img src="https://downloads.intercomcdn.com/i/o/204049719/b41c9a81c13b8a91023df1e7/Image.jpg"/></a></div><div class="intercom-container intercom-align-left"><a class="intercom-h2b-button" target="_blank" href="https://intercom.com">Button</a></div><div class="intercom-h2b-video"><iframe src="https://www.youtube.com/embed/jqO8AQHj7Fw?rel=0" frameborder="0" webkitallowfullscreen mozallowfullscreen allowfullscreen></iframe></div><p class="intercom-align-left"></p>"#;

#[test]
fn modern_sample() {
    insta::assert_snapshot!(md(MODERN));
}

#[test]
fn older_sample() {
    insta::assert_snapshot!(md(OLDER));
}

#[test]
fn callouts_map_back_to_their_alerts() {
    use std::fmt::Write as _;
    let mut html = String::new();
    for c in CALLOUTS {
        let _ = write!(
            html,
            "<div class=\"intercom-interblocks-callout\" style=\"{}\"><p class=\"no-margin\">{} callout</p><p class=\"no-margin\">second <b>line</b></p></div>",
            c.style(),
            c.color
        );
    }
    insta::assert_snapshot!(md(&html));
}

#[test]
fn videos_become_bare_urls() {
    let html = concat!(
        r#"<div class="intercom-h2b-video"><iframe src="https://www.youtube.com/embed/jqO8AQHj7Fw?rel=0" frameborder="0" allowfullscreen></iframe></div>"#,
        r#"<div class="intercom-h2b-video"><iframe src="https://player.vimeo.com/video/76979871?h=abc123"></iframe></div>"#,
        r#"<div class="intercom-h2b-video"><iframe src="https://www.loom.com/embed/0281766fa2d04bb788eaf19e65135184"></iframe></div>"#,
        r#"<div class="intercom-h2b-video"><iframe src="https://fast.wistia.net/embed/iframe/e4a27b971d"></iframe></div>"#,
        r#"<div class="intercom-h2b-video"><iframe src="https://play.vidyard.com/B1Ya7kV3b4MfFMSBTZxHkK"></iframe></div>"#,
    );
    insta::assert_snapshot!(md(html));
}

#[test]
fn tables_take_their_first_row_as_header() {
    let bold_head = r#"<div class="intercom-interblocks-table-container"><table role="presentation"><tbody><tr><td><p class="no-margin"><b>Plan</b></p></td><td><p class="no-margin"><b>Price</b></p></td></tr><tr><td><p class="no-margin">Team | Pro</p></td><td><p class="no-margin">$8<br>per month</p></td></tr><tr><td><p class="no-margin">Solo</p></td></tr></tbody></table></div>"#;
    let with_list = "<table><tbody><tr><td>Steps</td></tr><tr><td><ul><li>one</li><li>two</li></ul></td></tr></tbody></table>";
    insta::assert_snapshot!(format!("{}\n{}", md(bold_head), md(with_list)));
}

#[test]
fn lists_code_and_breaks() {
    let html = concat!(
        "<ul><li><p class=\"no-margin\">one</p></li><li><p>two</p><ul><li>nested</li></ul></li></ul>",
        "<ul><li>next list</li></ul>",
        "<ol><li>first</li><li>second</li></ol>",
        "<pre><code>fn main() {\n    println!(\"```\");\n}\n</code></pre>",
        "<p>line one<br>line two<br></p>",
        "<p>use <code>a`b</code> and <code>`x`</code></p>",
    );
    insta::assert_snapshot!(md(html));
}

#[test]
fn emphasis_that_markdown_cannot_hold_stays_html() {
    let html = concat!(
        "<p><b>Note:</b> text and <i>it </i>spaces</p>",
        "<p>a<b>\"quoted\"</b>b and snake_case and *stars* and [brackets]</p>",
        "<p><b>bold</b><i>italic</i></p>",
        "<p><strong>strong</strong> <em>em</em></p>",
    );
    insta::assert_snapshot!(md(html));
}

#[test]
fn block_starts_in_text_are_escaped() {
    let html = concat!(
        "<p># not a heading</p><p>- not a list</p><p>2024. A year</p><p>&gt; not a quote</p>",
        "<p>AT&amp;T &amp;copy; 1 &lt; 2 &lt;b&gt;</p>",
        "<h2 id=\"h_1\">C# tips</h2><h3>Use <code>C#</code> ##</h3>",
    );
    insta::assert_snapshot!(md(html));
}

#[test]
fn images_links_and_unknown_markup() {
    let html = concat!(
        r#"<div class="intercom-container"><img src="https://downloads.intercomcdn.com/i/o/1/abc/a.png?expires=1700000000&amp;signature=deadbeef&amp;req=cafe" alt="A [screen]"></div>"#,
        r##"<p><a href="https://example.com">https://example.com</a> <a href="mailto:a@b.co">mail</a> <a href="#h_abc">anchor</a> <a href="https://x.y/a(b)">paren</a></p>"##,
        r#"<details><summary><h2>Title</h2></summary><div class="collapsible-section-content"><p>Hidden</p></div></details>"#,
        r#"<p><span style="color:red">red</span> <u>under</u> <s>struck</s></p>"#,
        r#"<div class="intercom-h2b-video"><iframe src="https://streamio.com/embed/1"></iframe></div>"#,
    );
    let out = convert(html, &|_| None);
    insta::assert_snapshot!(format!(
        "{}\n---- notes\n{}",
        out.markdown,
        out.notes.join("\n")
    ));
}

#[test]
fn links_to_articles_become_relative() {
    let html = r#"<p>See <a href="https://help.example.com/en/articles/42-install-the-app#h_1" class="intercom-content-link">install</a> and <a href="https://other.example/x">other</a>.</p>"#;
    let out = convert(html, &|href| {
        href.contains("/articles/42-")
            .then(|| "../setup/install.md".to_owned())
    });
    assert_eq!(
        out.markdown,
        "See [install](../setup/install.md) and [other](https://other.example/x).\n"
    );
}

#[test]
fn volatile_image_query_is_stripped() {
    assert_eq!(
        stable_image_url(
            "https://downloads.intercomcdn.com/i/o/1/a/b.png?expires=1&signature=2&req=3"
        ),
        "https://downloads.intercomcdn.com/i/o/1/a/b.png"
    );
    assert_eq!(
        stable_image_url("https://cdn.example/a.png?v=abc&expires=1"),
        "https://cdn.example/a.png?v=abc"
    );
}

/// The text of an HTML body without any whitespace (block boundaries carry none).
fn words(html: &str) -> String {
    let mut text = String::new();
    let body = crate::html_dom::parse_body(html);
    if let Some(root) = body.root() {
        text_content(&root, &mut text);
    }
    text.split_whitespace().collect()
}

/// The bold/italic structure and text of a body.
fn emphasis(html: &str) -> String {
    let mut out = String::new();
    let body = crate::html_dom::parse_body(html);
    if let Some(root) = body.root() {
        dom_signature(&root, false, false, &mut out);
    }
    out
}

/// Converts `html`, renders the Markdown back with the real renderer, and checks that the
/// text is the same and that rendering reports no error.
fn assert_no_text_lost(html: &str) {
    let markdown = md(html);
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path(), &[("a.md", &markdown)]);
    let rendered = render(&p, "a.md");
    let errors: Vec<_> = rendered
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{markdown}");
    assert_eq!(
        words(html),
        words(&rendered.html),
        "\n{markdown}\n{}",
        rendered.html
    );
    if !html.contains("<table") {
        // Bold and italic spans too (a table gains a bold header row).
        assert_eq!(
            emphasis(html),
            emphasis(&rendered.html),
            "\n{markdown}\n{}",
            rendered.html
        );
    }
}

#[test]
fn no_text_is_lost_through_the_renderer() {
    assert_no_text_lost(MODERN);
    assert_no_text_lost(OLDER);
    assert_no_text_lost(concat!(
        "<p><b>Note:</b> a<b>\"quoted\"</b>b snake_case *stars* [brackets] AT&amp;T 1 &lt; 2 &lt;b&gt;</p>",
        "<p># hash</p><p>2024. year</p><h3>Use <code>C#</code> ##</h3><ul><li><p>one</p><ul><li>two</li></ul></li></ul>",
        "<table><tbody><tr><td>Steps</td></tr><tr><td><ul><li>x</li></ul></td></tr></tbody></table>",
        "<pre><code>let a = `b`;\n\nlet c = 1;</code></pre>",
    ));
}

/// Converts `html` and renders it back: both normalise to the same canonical form.
fn assert_same_after_normalising(html: &str) {
    let markdown = md(html);
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path(), &[("a.md", &markdown)]);
    let rendered = render(&p, "a.md");
    assert_eq!(
        crate::plan::fingerprint::normalize(html),
        crate::plan::fingerprint::normalize(&rendered.html),
        "\n{markdown}"
    );
}

#[test]
fn representable_bodies_render_back_to_the_same_canonical_html() {
    assert_same_after_normalising(OLDER);
    // The modern sample, minus the two things Markdown cannot say: right alignment, and a
    // table whose first row is not bold (the renderer makes the header row bold).
    let modern = MODERN
        .replace(
            "<p class=\"intercom-align-right no-margin\">right aligned</p>",
            "",
        )
        .replace(
            "<td><p class=\"no-margin\">A1</p></td><td><p class=\"no-margin\">B1</p></td>",
            "<td><p class=\"no-margin\"><b>A1</b></p></td><td><p class=\"no-margin\"><b>B1</b></p></td>",
        );
    assert_same_after_normalising(&modern);
    let callouts: String = CALLOUTS
        .iter()
        .map(|c| c.open_tag() + "<p>text</p></div>")
        .collect();
    assert_same_after_normalising(&callouts);
    assert_same_after_normalising(
        "<p><b><i>both</i></b> and <i><b>both</b></i> and <b>x <i>y</i></b></p><ul><li>a<ul><li>b</li></ul></li></ul>",
    );
}

mod generated {
    //! Generated bodies made of Intercom's constructs, with text full of Markdown syntax.

    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        proptest::string::string_regex(r"[a-z0-9 *_\[\]#<>&|~\\`+=.!:()-]{1,12}")
            .unwrap()
            .prop_map(|t| {
                t.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            })
    }

    fn inline() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            4 => text(),
            1 => text().prop_map(|t| format!("<code>{t}</code>")),
            1 => Just("<br>".to_owned()),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 1..4).prop_map(|v| v.concat()),
                inner.clone().prop_map(|t| format!("<b>{t}</b>")),
                inner.clone().prop_map(|t| format!("<i>{t}</i>")),
                inner.prop_map(|t| format!("<a href=\"https://x.example/p\">{t}</a>")),
            ]
        })
    }

    fn block() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => inline().prop_map(|t| format!("<p class=\"no-margin\">{t}</p>")),
            1 => inline().prop_map(|t| format!("<h2 id=\"h_0123456789\">{t}</h2>")),
            1 => proptest::collection::vec(inline(), 1..3).prop_map(|items| {
                let lis: String = items
                    .iter()
                    .map(|i| ["<li><p class=\"no-margin\">", i, "</p></li>"].concat())
                    .collect();
                format!("<ul>{lis}</ul>")
            }),
            1 => text().prop_map(|t| format!("<pre><code>{t}</code></pre>")),
            1 => inline().prop_map(|t| format!("<p class=\"intercom-align-center no-margin\">{t}</p>")),
            1 => (inline(), inline()).prop_map(|(a, b)| format!(
                "<table><tbody><tr><td>{a}</td></tr><tr><td><ul><li>{b}</li></ul></td></tr></tbody></table>"
            )),
            1 => inline().prop_map(|t| format!(
                "<div class=\"intercom-interblocks-callout\" style=\"background-color: #fed9db80; border-color: #fd3a5733;\"><p class=\"no-margin\">{t}</p></div>"
            )),
            1 => (inline(), inline(), inline(), inline()).prop_map(|(a, b, c, d)| format!(
                "<div class=\"intercom-interblocks-table-container\"><table role=\"presentation\"><tbody><tr><td><p>{a}</p></td><td><p>{b}</p></td></tr><tr><td><p>{c}</p></td><td><p>{d}</p></td></tr></tbody></table></div>"
            )),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn no_text_is_lost(blocks in proptest::collection::vec(block(), 1..5)) {
            super::assert_no_text_lost(&blocks.concat());
        }
    }
}

/// The constructs of API-NOTES §11: a collapsible section, a callout written in `rgba()`,
/// spacer paragraphs and justified text.
const FIDELITY: &str = concat!(
    r#"<p class="no-margin">Intro</p><p class="intercom-align-justify no-margin">&nbsp;</p>"#,
    r#"<details><summary><h2 id="h_0a1b2c3d4e">Title <b>bold</b></h2></summary><div class="collapsible-section-content"><p class="no-margin">Body <b>bold</b> text</p><ul><li><p class="no-margin">item</p></li></ul><p class="no-margin">&nbsp;</p></div></details>"#,
    r#"<p class="intercom-align-justify no-margin">Justified text.</p><h2 id="h_1a1b2c3d4e" class="intercom-align-justify">Justified heading</h2>"#,
    r#"<div class="intercom-interblocks-callout" style="background-color: rgba(215, 239, 220, 0.5); border-color: rgba(27, 177, 87, 0.2);"><p class="no-margin">Green tip</p><p class="no-margin">&nbsp;</p></div>"#,
    r#"<p class="no-margin"> &nbsp; </p><details><summary>Plain summary</summary>Loose text</details>"#,
);

#[test]
fn accordions_rgba_callouts_spacers_and_justified_text() {
    let out = convert(FIDELITY, &|_| None);
    insta::assert_snapshot!(out.markdown);
    assert!(!out.markdown.contains('\u{a0}'), "{}", out.markdown);
    assert!(!out.markdown.contains("&nbsp;"), "{}", out.markdown);
    assert_eq!(
        out.notes,
        vec!["right and justified alignment were dropped: only centring can be kept".to_owned()]
    );
    assert_no_text_lost(FIDELITY);
    // The accordion and the callout come back as Intercom holds them; justified text comes
    // back plain (the documented loss), spacers are empty paragraphs either way.
    assert_same_after_normalising(
        &FIDELITY
            .replace("intercom-align-justify no-margin", "no-margin")
            .replace(" class=\"intercom-align-justify\"", ""),
    );
}
