//! Diffs of readable text for people: line diffs folded to a few lines of context around each
//! change, each hunk headed by the nearest Markdown heading above it (as git shows the
//! enclosing function). In: two readable texts (see `fingerprint::readable_text`). Out:
//! [`Hunk`]s that the plan formats print. Also the reviewer's wording of link placeholders.

use similar::{ChangeTag, TextDiff};

use crate::render::LINK_PLACEHOLDER;

/// Lines of context around each change in plan output.
pub const CONTEXT: usize = 3;

/// One line of a hunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    Same,
    Removed,
    Added,
}

impl Sign {
    /// The diff column: ` `, `-` or `+`.
    pub fn as_char(self) -> char {
        match self {
            Self::Same => ' ',
            Self::Removed => '-',
            Self::Added => '+',
        }
    }
}

/// A run of changed lines with their context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// The nearest heading line (`## Section`) above the hunk's first line, if any and if it
    /// is not itself shown in the hunk.
    pub heading: Option<String>,
    pub lines: Vec<(Sign, String)>,
}

impl Hunk {
    /// Characters this hunk takes when printed one line each (`- text\n`), heading included.
    pub fn len(&self) -> usize {
        self.heading.as_ref().map_or(0, |h| h.len() + 8)
            + self.lines.iter().map(|(_, t)| t.len() + 3).sum::<usize>()
    }

    /// Whether the hunk has no lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Lines that are added or removed.
    pub fn changed(&self) -> usize {
        self.lines.iter().filter(|(s, _)| *s != Sign::Same).count()
    }
}

/// The hunks of `before` → `after`, with `context` lines around each change.
pub fn hunks(before: &str, after: &str, context: usize) -> Vec<Hunk> {
    let diff = TextDiff::from_lines(before, after);
    let old: Vec<&str> = before.lines().collect();
    let mut out = Vec::new();
    for group in diff.grouped_ops(context) {
        let mut lines = Vec::new();
        let mut first_old = None;
        for op in &group {
            first_old.get_or_insert(op.old_range().start);
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    ChangeTag::Delete => Sign::Removed,
                    ChangeTag::Insert => Sign::Added,
                    ChangeTag::Equal => Sign::Same,
                };
                lines.push((sign, change.value().trim_end_matches('\n').to_owned()));
            }
        }
        let heading = first_old
            .and_then(|start| {
                old[..start.min(old.len())]
                    .iter()
                    .rev()
                    .find(|l| is_heading(l))
            })
            .map(|h| (*h).to_owned());
        out.push(Hunk { heading, lines });
    }
    out
}

fn is_heading(line: &str) -> bool {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    (1..=6).contains(&hashes) && line.as_bytes().get(hashes) == Some(&b' ')
}

/// Cuts `line` to at most `max` characters, keeping the start and marking the cut with `…`.
pub fn clip(line: &str, max: usize) -> String {
    if line.chars().count() <= max {
        return line.to_owned();
    }
    let mut s: String = line.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Rewrites the `href` of links to articles (a `#helpcenter-key:` placeholder, or a URL that
/// `article(href)` knows) as `→ Title`, so readable text shows `Plans (→ Billing plans)`
/// whether or not the target has its Intercom URL yet.
pub fn name_links(html: &str, article: impl Fn(&str) -> Option<String>) -> String {
    const HREF: &str = "href=\"";
    if !html.contains(HREF) {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(pos) = rest.find(HREF) {
        let value_start = pos + HREF.len();
        out.push_str(&rest[..value_start]);
        let after = &rest[value_start..];
        let Some(end) = after.find('"') else {
            rest = after;
            break;
        };
        let href = &after[..end];
        match article(href) {
            Some(title) => {
                out.push_str("→ ");
                out.push_str(&crate::html_text::attr_strict(&title));
            }
            None => out.push_str(href),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Images (`src`) and links (`href`) of a body, in document order.
#[derive(Debug, Default, PartialEq, Eq)]
struct Refs {
    images: Vec<String>,
    links: Vec<String>,
}

fn refs(html: &str) -> Refs {
    fn walk(node: &crate::html_dom::Handle, out: &mut Refs) {
        match crate::html_dom::element_name(node).as_deref() {
            Some("img") => out
                .images
                .push(crate::html_dom::attr(node, "src").unwrap_or_default()),
            Some("a") => out
                .links
                .push(crate::html_dom::attr(node, "href").unwrap_or_default()),
            _ => {}
        }
        for child in crate::html_dom::children(node) {
            walk(&child, out);
        }
    }
    let body = crate::html_dom::parse_body(html);
    let mut out = Refs::default();
    if let Some(root) = body.root() {
        walk(&root, &mut out);
    }
    out
}

/// The file name an image URL ends with (Intercom keeps it when it re-hosts an image).
fn file_name(src: &str) -> &str {
    let path = src.split(['?', '#']).next().unwrap_or(src);
    path.rsplit('/').next().unwrap_or(path)
}

/// An image as a reviewer knows it: its path from the content root when it is one of ours
/// (`asset_base` + path + `?v=…`), else its URL without the query.
fn image_label(src: &str, asset_base: Option<&str>) -> String {
    let path = src.split(['?', '#']).next().unwrap_or(src);
    asset_base
        .and_then(|b| path.strip_prefix(b.trim_end_matches('/')))
        .map_or_else(|| path.to_owned(), |p| p.trim_start_matches('/').to_owned())
}

/// What changed in a body whose readable text did not, in reviewer words: images replaced,
/// added or removed, links whose target changed, else "HTML structure changed". `before` is
/// the body Intercom holds, `after` the body to send (links resolved where known).
pub fn markup_notes(before: &str, after: &str, asset_base: Option<&str>) -> Vec<String> {
    let (old, new) = (refs(before), refs(after));
    let mut notes = Vec::new();
    for (i, src) in new.images.iter().enumerate() {
        let label = image_label(src, asset_base);
        match old.images.get(i) {
            None => notes.push(format!("image `{label}` added")),
            Some(o) if file_name(o) != file_name(src) => {
                notes.push(format!("image `{label}` replaces `{}`", file_name(o)));
            }
            Some(_) => {}
        }
    }
    for o in old.images.iter().skip(new.images.len()) {
        notes.push(format!("image `{}` removed", file_name(o)));
    }
    for (o, n) in old.links.iter().zip(&new.links) {
        if o == n {
            continue;
        }
        match (
            o.strip_prefix(LINK_PLACEHOLDER),
            n.strip_prefix(LINK_PLACEHOLDER),
        ) {
            (Some(key), None) => {
                notes.push(format!("link to `{key}` now resolves to its Intercom URL"));
            }
            (_, Some(key)) => notes.push(format!("link to `{key}` has no Intercom URL yet")),
            (None, None) => notes.push(format!("link `{o}` now goes to `{n}`")),
        }
    }
    if notes.is_empty() && !new.images.is_empty() {
        // Intercom re-hosts images under its own URLs: a new file at the same path (or a new
        // path with the same file name) is all that is left to explain a changed body.
        let labels: Vec<String> = new
            .images
            .iter()
            .map(|s| format!("`{}`", image_label(s, asset_base)))
            .collect();
        notes.push(if labels.len() == 1 {
            format!("image {} changed", labels[0])
        } else {
            format!("one of the images changed: {}", labels.join(", "))
        });
    }
    if notes.is_empty() {
        notes.push("HTML structure changed".to_owned());
    }
    notes
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn long_article(edit: bool) -> String {
        let mut s = String::new();
        for n in 1..=60 {
            let _ = writeln!(s, "## Section {n}");
            for p in 1..=5 {
                let word = if edit && n == 58 && p == 3 {
                    "changed"
                } else {
                    "plain"
                };
                let _ = writeln!(s, "Paragraph {p} of section {n} is {word}.");
            }
        }
        s
    }

    #[test]
    fn a_one_word_edit_is_one_hunk_headed_by_its_section() {
        let h = hunks(&long_article(false), &long_article(true), 2);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].heading.as_deref(), Some("## Section 58"));
        let text: Vec<String> = h[0]
            .lines
            .iter()
            .map(|(s, t)| format!("{}{t}", s.as_char()))
            .collect();
        assert_eq!(
            text,
            [
                " Paragraph 1 of section 58 is plain.",
                " Paragraph 2 of section 58 is plain.",
                "-Paragraph 3 of section 58 is plain.",
                "+Paragraph 3 of section 58 is changed.",
                " Paragraph 4 of section 58 is plain.",
                " Paragraph 5 of section 58 is plain.",
            ]
        );
    }

    #[test]
    fn a_heading_inside_the_hunk_is_not_repeated_above_it() {
        let h = hunks("intro\n## A\nx\n", "intro\n## A\ny\n", 1);
        assert_eq!(h[0].heading, None);
        assert_eq!(h[0].lines[0], (Sign::Same, "## A".to_owned()));
    }

    #[test]
    fn links_to_articles_read_as_their_titles() {
        let html = r##"<p>See <a href="#helpcenter-key:billing/plans">Plans</a> and <a href="https://x.y/">X</a></p>"##;
        let named = name_links(html, |h| {
            (h == "#helpcenter-key:billing/plans").then(|| "Billing \"plans\"".to_owned())
        });
        assert_eq!(
            crate::plan::fingerprint::readable_text(&named),
            "See Plans (→ Billing \"plans\") and X (https://x.y/)\n"
        );
    }

    #[test]
    fn markup_changes_are_named() {
        let base = Some("https://cdn.example/docs");
        let old = r#"<div class="intercom-container"><img src="https://downloads.intercomcdn.com/i/o/1/ab/x.png?expires=1"></div>"#;
        let new =
            r#"<p><img src="https://cdn.example/docs/getting-started/images/y.png?v=12"></p>"#;
        assert_eq!(
            markup_notes(old, new, base),
            ["image `getting-started/images/y.png` replaces `x.png`"]
        );
        let same_name =
            r#"<p><img src="https://cdn.example/docs/getting-started/images/x.png?v=34"></p>"#;
        assert_eq!(
            markup_notes(old, same_name, base),
            ["image `getting-started/images/x.png` changed"]
        );
        let linked = markup_notes(
            r##"<p><a href="#helpcenter-key:billing/plans">Plans</a></p>"##,
            r#"<p><a href="https://help.example/en/articles/7-plans">Plans</a></p>"#,
            base,
        );
        assert_eq!(
            linked,
            ["link to `billing/plans` now resolves to its Intercom URL"]
        );
        assert_eq!(
            markup_notes("<h2>A</h2>", "<h3>A</h3>", base),
            ["HTML structure changed"]
        );
    }

    #[test]
    fn clipping_marks_the_cut() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
