//! Unit tests of the body normaliser: the Intercom samples of API-NOTES 6.3, a simulated
//! Intercom rewrite of rendered Markdown, and the readable text.

use super::*;

/// The modern Intercom body of API-NOTES 6.3.
const MODERN: &str = r#"<h1 id="h_e324f0a1dd">H1</h1><h2 id="h_b3ae805d42">Heading 2</h2><h3 id="h_03290146c3">Heading 3</h3><h4 id="h_9624ce3e6b">Heading 4</h4><p class="no-margin">normal text</p><p class="no-margin"><b>bold</b></p><p class="no-margin"><i>italic</i></p><p class="no-margin"><b><i>bold_italic</i></b></p><p class="no-margin"><code>inline code</code></p><p class="no-margin"><a href="https://example.com/link" target="_blank" class="intercom-content-link">link text</a></p><p class="intercom-align-center no-margin">centered text</p><p class="intercom-align-right no-margin">right aligned</p><div class="intercom-container"><img src="https://example.com/image.png"></div><div class="intercom-interblocks-table-container"><table role="presentation"><tbody><tr><td><p class="no-margin">A1</p></td><td><p class="no-margin">B1</p></td></tr><tr><td><p class="no-margin">A2</p></td><td><p class="no-margin">B2</p></td></tr></tbody></table></div><hr><ul><li><p class="no-margin">list item 1</p></li><li><p class="no-margin">list item 2</p></li></ul><ol><li><p class="no-margin">step 1</p></li><li><p class="no-margin">step 2</p></li></ol><pre><code>code block</code></pre><div class="intercom-interblocks-callout" style="background-color: #e8e8e880; border-color: #73737633;"><p class="no-margin">gray callout</p></div>"#;

/// What we would send for the same content.
const SENT: &str = "<h1>H1</h1>\n<h2>Heading 2</h2>\n<h3>Heading 3</h3>\n<h4>Heading 4</h4>\n<p>normal text</p>\n<p><b>bold</b></p>\n<p><i>italic</i></p>\n<p><b><i>bold_italic</i></b></p>\n<p><code>inline code</code></p>\n<p><a href=\"https://example.com/link\">link text</a></p>\n<p class=\"intercom-align-center\">centered text</p>\n<p class=\"intercom-align-right\">right aligned</p>\n<div class=\"intercom-container\"><img src=\"https://raw.example/image.png?v=0123456789\"></div>\n<table><tbody>\n<tr><td>A1</td><td>B1</td></tr>\n<tr><td>A2</td><td>B2</td></tr>\n</tbody></table>\n<hr>\n<ul>\n<li>list item 1</li>\n<li>list item 2</li>\n</ul>\n<ol>\n<li>step 1</li>\n<li>step 2</li>\n</ol>\n<pre><code>code block\n</code></pre>\n<div class=\"intercom-interblocks-callout\" style=\"background-color: #e8e8e880; border-color: #73737633;\">\n<p>gray callout</p>\n</div>\n";

/// The older official example of API-NOTES 6.3.
const OLD: &str = r#"<h1 class="intercom-align-left">Header 1</h1><h2 class="intercom-align-left">Header 2</h2><h2 class="intercom-align-center">Centered Header</h2><p class="intercom-align-left"><a href="https://intercom.com" target="_blank">Link</a></p><ul><li>Single-level List</li></ul><pre><code>'Pre' Code</code></pre><p class="intercom-align-left"><code>Inline code</code></p><p class="intercom-align-left"><b>Bold text</b></p><p class="intercom-align-left"><i>Italic text</i></p><p class="intercom-align-center">Centered text</p><p class="intercom-align-left">Image without link:</p><div class="intercom-container intercom-align-left"><img src="https://downloads.intercomcdn.com/i/o/204050460/7a140f62f8e715d1d6cf246d/Image.jpg"/></div><p class="intercom-align-left">Image with link:</p><div class="intercom-container intercom-align-left"><a target="_blank" href="https://intercom.com"><img src="https://downloads.intercomcdn.com/i/o/204049719/b41c9a81c13b8a91023df1e7/Image.jpg"/></a></div><div class="intercom-container intercom-align-left"><a class="intercom-h2b-button" target="_blank" href="https://intercom.com">Button</a></div><div class="intercom-h2b-video"><iframe src="https://www.youtube.com/embed/jqO8AQHj7Fw?rel=0" frameborder="0" webkitallowfullscreen mozallowfullscreen allowfullscreen></iframe></div><p class="intercom-align-left"></p>"#;

const OLD_SENT: &str = "<h1>Header 1</h1><h2>Header 2</h2><h2 class=\"intercom-align-center\">Centered Header</h2><p><a href=\"https://intercom.com\">Link</a></p><ul><li>Single-level List</li></ul><pre><code>'Pre' Code</code></pre><p><code>Inline code</code></p><p><strong>Bold text</strong></p><p><em>Italic text</em></p><p class=\"intercom-align-center\">Centered text</p><p>Image without link:</p><p><img src=\"https://raw.example/Image.jpg?v=1\"></p><p>Image with link:</p><div class=\"intercom-container\"><a href=\"https://intercom.com\"><img src=\"https://raw.example/Image2.jpg\"></a></div><a class=\"intercom-h2b-button\" href=\"https://intercom.com\">Button</a><div class=\"intercom-h2b-video\"><iframe src=\"https://www.youtube.com/embed/jqO8AQHj7Fw\" frameborder=\"0\" allowfullscreen=\"\"></iframe></div>";

#[test]
fn modern_sample_matches_what_we_send() {
    assert_eq!(normalize(MODERN), normalize(SENT));
    assert_eq!(fingerprint(MODERN), fingerprint(SENT));
    assert_eq!(fingerprint(MODERN).len(), FINGERPRINT_LEN);
}

#[test]
fn old_sample_matches_what_we_send() {
    assert_eq!(normalize(OLD), normalize(OLD_SENT));
}

#[test]
fn canonical_form_is_readable_and_stable() {
    insta::assert_snapshot!(normalize(MODERN));
}

#[test]
fn content_changes_change_the_fingerprint() {
    let base = fingerprint(SENT);
    for changed in [
        SENT.replace("normal text", "normal  texts"),
        SENT.replace("<b>bold</b>", "<i>bold</i>"),
        SENT.replace("https://example.com/link", "https://example.com/other"),
        SENT.replace("<li>step 2</li>\n", ""),
        SENT.replace(
            "#e8e8e880; border-color: #73737633",
            "#fed9db80; border-color: #fd3a5733",
        ),
        SENT.replace("code block", "code  block"),
    ] {
        assert_ne!(fingerprint(&changed), base, "{changed}");
    }
}

#[test]
fn whitespace_and_entities_do_not_matter() {
    assert_eq!(
        normalize("<p>a  &amp;\n b &#39;c&#39;</p>\n\n<p> d </p>"),
        normalize("<p>a &amp; b 'c'</p><p>d</p>")
    );
    assert_eq!(
        normalize("bare <b>text</b>"),
        normalize("<p>bare <b>text</b></p>")
    );
    assert_eq!(
        normalize("<p></p><p>x</p><p class=\"no-margin\"> </p>"),
        "<p>x</p>"
    );
}

#[test]
fn simulated_intercom_rewrite_of_rendered_markdown_is_invisible() {
    let dir = tempfile::tempdir().unwrap();
    let md = "# Title\n\nIntro with **bold**, _it_ and a [link](https://x.y/a?b=1&c=2).\n\n## Steps\n\n1. One\n2. Two\n\n### Deep\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n> [!NOTE]\n> Remember & smile\n\n![shot](https://img.example/s.png)\n\nhttps://youtu.be/jqO8AQHj7Fw\n\n```\ncode\n```\n";
    let project = crate::render::tests::project(dir.path(), &[("a.md", md)]);
    let sent = crate::render::tests::render(&project, "a.md").html;
    let returned = simulate_intercom(&sent);
    assert_ne!(sent, returned);
    assert_eq!(normalize(&sent), normalize(&returned), "{returned}");
    insta::assert_snapshot!(readable_text(&returned));
}

#[test]
fn whole_fixture_corpus_survives_the_simulated_rewrite() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/render");
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, String)> = Vec::new();
    for sub in ["guides", "faq", "guides/images"] {
        for entry in std::fs::read_dir(fixture.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let name = format!("{sub}/{}", path.file_name().unwrap().to_str().unwrap());
            if path.is_dir() {
                continue;
            }
            if path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path).unwrap();
                let body = text.split_once("\n---\n").map_or(text.as_str(), |(_, b)| b);
                files.push((name, body.to_owned()));
            } else {
                let target = dir.path().join(&name);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::copy(&path, target).unwrap();
            }
        }
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let project = crate::render::tests::project(dir.path(), &refs);
    let mut checked = 0;
    for (name, _) in &files {
        let sent = crate::render::tests::render(&project, name).html;
        assert_eq!(
            normalize(&sent),
            normalize(&simulate_intercom(&sent)),
            "{name}"
        );
        checked += 1;
    }
    assert!(checked >= 10);
}

/// A crude imitation of Intercom's rewriting (API-NOTES 6.1–6.3), string-based.
fn simulate_intercom(html: &str) -> String {
    // Newlines between blocks vanish, soft breaks become spaces, code keeps its lines.
    let mut out = String::new();
    for (i, part) in html.split("pre>").enumerate() {
        if i % 2 == 1 {
            out.push_str(part);
        } else {
            let mut part = part.to_owned();
            for tag in [
                "p>", "li>", "ul>", "ol>", "tr>", "table>", "div>", "hr>", "h1>", "h2>", "h3>",
                "h4>", "<tbody>", "\">",
            ] {
                part = part.replace(&format!("{tag}\n"), tag);
            }
            out.push_str(&part.replace('\n', " "));
        }
        out.push_str("pre>");
    }
    out.truncate(out.len() - "pre>".len());
    for h in ["h1", "h2", "h3", "h4"] {
        let mut i = 0;
        let open = format!("<{h}>");
        while let Some(pos) = out.find(&open) {
            i += 1;
            out.replace_range(pos..pos + open.len(), &format!("<{h} id=\"h_{i:010x}\">"));
        }
    }
    out.replace("<h3", "<h2")
        .replace("</h3>", "</h2>")
        .replace("<p>", "<p class=\"no-margin\">")
        .replace("<li>", "<li><p class=\"no-margin\">")
        .replace("</li>", "</p></li>")
        .replace("<td>", "<td><p class=\"no-margin\">")
        .replace("</td>", "</p></td>")
        .replace(
            "<table>",
            "<div class=\"intercom-interblocks-table-container\"><table role=\"presentation\">",
        )
        .replace("</table>", "</table></div>")
        .replace("<a href", "<a target=\"_blank\" href")
        .split("<a ")
        .enumerate()
        .map(|(i, part)| match part.find('>') {
            Some(end) if i > 0 && !part[..end].contains("class=") => {
                format!("<a class=\"intercom-content-link\" {part}")
            }
            _ if i > 0 => format!("<a {part}"),
            _ => part.to_owned(),
        })
        .collect::<String>()
        .replace(
            "https://img.example/s.png",
            "https://downloads.intercomcdn.com/i/o/1/abc/s.png?expires=1&signature=x",
        )
        .replace("embed/jqO8AQHj7Fw\"", "embed/jqO8AQHj7Fw?rel=0\"")
        .replace(
            "allowfullscreen=\"\"",
            "webkitallowfullscreen mozallowfullscreen allowfullscreen",
        )
        .replace("&amp;", "&#38;")
        + "<p class=\"no-margin\"></p>"
}

#[test]
fn readable_text_joins_soft_line_breaks() {
    assert_eq!(
        readable_text("<p>one\ntwo</p>"),
        readable_text("<p class=\"no-margin\">one two</p>")
    );
}

#[test]
fn readable_text_of_the_modern_sample() {
    insta::assert_snapshot!(readable_text(MODERN));
}
