//! The body normaliser of API-NOTES 6.4: a canonical form of article HTML that is the same for
//! what we send and for what Intercom gives back after rewriting it, plus a short fingerprint of
//! it and a readable plain-text form for showing diffs to people.
//!
//! What is normalised away: heading ids; the classes `no-margin`, `intercom-align-left`,
//! `intercom-content-link` (other alignments become an `align` attribute); the wrappers
//! `div.intercom-container`, `div.intercom-interblocks-table-container`,
//! `div.intercom-h2b-video`, `tbody`/`thead`/`tfoot`; `role`; a single `<p>` directly inside
//! `li`/`td`; `strong`/`em` (→ `b`/`i`), `th` (→ `td`); `target`/`rel` on links; iframe
//! attributes other than `src` (without its query); image `src` entirely (Intercom re-hosts
//! images under changing URLs, so images compare by position and `alt` only); empty
//! paragraphs; whitespace runs and entity spelling; bare inline content at the top level and
//! in callouts (wrapped in `<p>`, as Intercom does).
//!
//! Heading levels: `h3`–`h6` are compared as `h2` and `h1` stays `h1`. Intercom's handling of
//! levels below h2 is unverified (it may keep them, or flatten them to h2), so a level change
//! below h2 is invisible to the fingerprint; local edits are still caught by the hash of what
//! was sent. Replacing an image in the Intercom UI by one with the same alt text is not seen as
//! drift either: the price of comparing sent and re-hosted image URLs.

use std::fmt::Write as _;

use crate::html_dom::{Handle, NodeData};
use html5ever::LocalName;
use sha2::{Digest, Sha256};

use crate::render::callouts::{self, CALLOUTS, Callout};

/// Hex digits in a fingerprint.
pub const FINGERPRINT_LEN: usize = 16;

/// The canonical form of an article body (see the module docs for what is normalised).
pub fn normalize(html: &str) -> String {
    let nodes = canonical(html);
    let mut out = Serializer::default();
    out.nodes(&nodes, false);
    out.out
}

/// A short hex SHA-256 of [`normalize`]`(html)`.
pub fn fingerprint(html: &str) -> String {
    let digest = Sha256::digest(normalize(html).as_bytes());
    let mut hex = hex::encode(digest);
    hex.truncate(FINGERPRINT_LEN);
    hex
}

/// A readable, Markdown-like text of an article body for diffs: one block per line (or lines),
/// headings as `#`/`##`, list items as `- `/`1. `, links as `text (url)`, images as `[image]`,
/// callouts as `> [!NOTE]` quotes. Built from the canonical form, so only differences the
/// fingerprint sees show up.
pub fn readable_text(html: &str) -> String {
    let nodes = canonical(html);
    let mut lines: Vec<String> = Vec::new();
    blocks_text(&nodes, &mut lines, "");
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let mut out = lines.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// A node of the canonical tree.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Elem {
        name: &'static str,
        attrs: Vec<(String, String)>,
        children: Vec<Node>,
    },
    Text(String),
}

impl Node {
    fn is_inline(&self) -> bool {
        match self {
            Node::Text(_) => true,
            Node::Elem { name, .. } => is_inline(name),
        }
    }

    fn is_blank(&self) -> bool {
        matches!(self, Node::Text(t) if t.trim_matches(is_space).is_empty())
    }

    fn attr(&self, key: &str) -> Option<&str> {
        match self {
            Node::Elem { attrs, .. } => attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str()),
            Node::Text(_) => None,
        }
    }
}

fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "b" | "i" | "a" | "code" | "img" | "br" | "span" | "u" | "s" | "sub" | "sup"
    )
}

fn is_space(c: char) -> bool {
    c.is_ascii_whitespace() || c == '\u{a0}'
}

fn canonical(html: &str) -> Vec<Node> {
    let body = crate::html_dom::parse_body(html);
    let root = body.root();
    let mut nodes = Vec::new();
    if let Some(root) = root {
        for child in root.children.borrow().iter() {
            convert(child, &mut nodes);
        }
    }
    wrap_inline_runs(nodes)
}

/// Appends the canonical form of `handle` to `out` (zero, one or several nodes).
fn convert(handle: &Handle, out: &mut Vec<Node>) {
    match &handle.data {
        NodeData::Text { contents } => {
            let text: String = contents
                .borrow()
                .chars()
                .map(|c| if c == '\u{a0}' { ' ' } else { c })
                .collect();
            if let Some(Node::Text(prev)) = out.last_mut() {
                prev.push_str(&text);
            } else {
                out.push(Node::Text(text));
            }
        }
        NodeData::Element { name, attrs, .. } => {
            let local: &LocalName = &name.local;
            let Some(canon) = canonical_name(local) else {
                return;
            };
            let mut kept: Vec<(String, String)> = Vec::new();
            let mut classes: Vec<&str> = Vec::new();
            let attrs = attrs.borrow();
            let class_value = attrs
                .iter()
                .find(|a| &*a.name.local == "class")
                .map(|a| a.value.to_string())
                .unwrap_or_default();
            for class in class_value.split_ascii_whitespace() {
                match class {
                    "no-margin" | "intercom-align-left" | "intercom-content-link" => {}
                    "intercom-align-center" => kept.push(("align".into(), "center".into())),
                    "intercom-align-right" => kept.push(("align".into(), "right".into())),
                    "intercom-align-justify" => kept.push(("align".into(), "justify".into())),
                    other => classes.push(other),
                }
            }
            let unwrap = match canon {
                "tbody" | "thead" | "tfoot" | "span" => true,
                "div" => classes.iter().any(|c| {
                    matches!(
                        *c,
                        "intercom-container"
                            | "intercom-interblocks-table-container"
                            | "intercom-h2b-video"
                    )
                }),
                _ => false,
            };
            let mut children = Vec::new();
            for child in handle.children.borrow().iter() {
                convert(child, &mut children);
            }
            if unwrap {
                for child in children {
                    match (out.last_mut(), child) {
                        (Some(Node::Text(prev)), Node::Text(t)) => prev.push_str(&t),
                        (_, child) => out.push(child),
                    }
                }
                return;
            }
            let callout = classes.contains(&callouts::CLASS);
            for attr in attrs.iter() {
                let key: &str = &attr.name.local;
                let value = attr.value.trim();
                match (canon, key) {
                    ("img", "alt") => {
                        if !value.is_empty() {
                            kept.push(("alt".into(), value.into()));
                        }
                    }
                    ("iframe", "src") => {
                        let end = value.find(['?', '#']).unwrap_or(value.len());
                        kept.push(("src".into(), value[..end].to_owned()));
                    }
                    ("div", "style") if callout => {
                        let style = Callout::from_style(value)
                            .map_or_else(|| crate::html_text::collapse(value), |c| c.style());
                        kept.push(("style".into(), style));
                    }
                    (_, "class" | "id" | "role" | "target" | "rel" | "style")
                    | ("img", "src")
                    | ("iframe", _) => {}
                    (_, _) => kept.push((key.to_owned(), value.to_owned())),
                }
            }
            classes.sort_unstable();
            if !classes.is_empty() {
                kept.push(("class".into(), classes.join(" ")));
            }
            kept.sort();
            let children = match canon {
                // Intercom wraps the text of an item in `<p>`, also beside a nested list.
                "li" | "td" if children.iter().any(|n| !n.is_inline()) => {
                    unwrap_single_p(wrap_inline_runs(children))
                }
                // Intercom wraps bare text in callouts and collapsible sections in `<p>` too.
                "div" if callout => wrap_inline_runs(children),
                "details" => wrap_inline_runs(children),
                _ => children,
            };
            if canon == "p" && children.iter().all(Node::is_blank) {
                return;
            }
            out.push(Node::Elem {
                name: canon,
                attrs: kept,
                children,
            });
        }
        NodeData::Document
        | NodeData::Doctype { .. }
        | NodeData::Comment { .. }
        | NodeData::ProcessingInstruction { .. } => {}
    }
}

/// The canonical element name; `None` for elements dropped with their content.
fn canonical_name(local: &LocalName) -> Option<&'static str> {
    Some(match &**local {
        "script" | "style" | "template" | "head" | "title" | "meta" | "link" => return None,
        "strong" | "b" => "b",
        "em" | "i" => "i",
        "h1" => "h1",
        "h2" | "h3" | "h4" | "h5" | "h6" => "h2",
        "th" | "td" => "td",
        "p" => "p",
        "a" => "a",
        "img" => "img",
        "br" => "br",
        "hr" => "hr",
        "ul" => "ul",
        "ol" => "ol",
        "li" => "li",
        "pre" => "pre",
        "code" => "code",
        "table" => "table",
        "tbody" => "tbody",
        "thead" => "thead",
        "tfoot" => "tfoot",
        "tr" => "tr",
        "div" => "div",
        "iframe" => "iframe",
        "blockquote" => "blockquote",
        "details" => "details",
        "summary" => "summary",
        "u" => "u",
        "s" => "s",
        "sub" => "sub",
        "sup" => "sup",
        // Unknown elements compare by their content.
        _ => "span",
    })
}

/// `li`/`td` holding exactly one `<p>` (and blank text) hold that paragraph's content.
fn unwrap_single_p(children: Vec<Node>) -> Vec<Node> {
    let mut solid = children.iter().filter(|n| !n.is_blank());
    let single_p = matches!(
        (solid.next(), solid.next()),
        (Some(Node::Elem { name: "p", .. }), None)
    );
    if !single_p {
        return children;
    }
    children
        .into_iter()
        .find_map(|n| match n {
            Node::Elem {
                name: "p",
                children,
                ..
            } => Some(children),
            _ => None,
        })
        .unwrap_or_default()
}

/// Wraps runs of inline content in `<p>` (Intercom wraps bare text) and drops blank text
/// between blocks.
fn wrap_inline_runs(nodes: Vec<Node>) -> Vec<Node> {
    let mut out = Vec::with_capacity(nodes.len());
    let mut run: Vec<Node> = Vec::new();
    let flush = |run: &mut Vec<Node>, out: &mut Vec<Node>| {
        if run.iter().any(|n| !n.is_blank()) {
            out.push(Node::Elem {
                name: "p",
                attrs: Vec::new(),
                children: std::mem::take(run),
            });
        }
        run.clear();
    };
    for node in nodes {
        if node.is_inline() {
            run.push(node);
        } else {
            flush(&mut run, &mut out);
            out.push(node);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Compact serialization with whitespace collapsed (verbatim inside `pre`).
#[derive(Default)]
struct Serializer {
    out: String,
    /// The last character written as text was a space (or we are at a block start).
    space: bool,
}

impl Serializer {
    fn nodes(&mut self, nodes: &[Node], pre: bool) {
        for (i, node) in nodes.iter().enumerate() {
            match node {
                Node::Text(text) if pre => {
                    let text = if i + 1 == nodes.len() {
                        text.trim_end_matches('\n')
                    } else {
                        text
                    };
                    self.out.push_str(&crate::html_text::text(text));
                }
                Node::Text(text) => self.text(text),
                Node::Elem {
                    name,
                    attrs,
                    children,
                } => {
                    let block = !is_inline(name) || *name == "br";
                    if block {
                        self.trim_space();
                    }
                    self.out.push('<');
                    self.out.push_str(name);
                    for (k, v) in attrs {
                        let _ = write!(self.out, " {k}=\"");
                        self.out.push_str(&crate::html_text::attr(v));
                        self.out.push('"');
                    }
                    self.out.push('>');
                    if block {
                        self.space = true;
                    }
                    if matches!(*name, "br" | "hr" | "img") {
                        continue;
                    }
                    self.nodes(children, pre || *name == "pre");
                    if block {
                        self.trim_space();
                    }
                    let _ = write!(self.out, "</{name}>");
                    if block {
                        self.space = true;
                    }
                }
            }
        }
    }

    fn text(&mut self, text: &str) {
        for c in text.chars() {
            if is_space(c) {
                if !self.space {
                    self.out.push(' ');
                    self.space = true;
                }
            } else {
                self.space = false;
                match c {
                    '&' => self.out.push_str("&amp;"),
                    '<' => self.out.push_str("&lt;"),
                    '>' => self.out.push_str("&gt;"),
                    c => self.out.push(c),
                }
            }
        }
    }

    /// Drops a collapsed space written just before a block boundary.
    fn trim_space(&mut self) {
        if self.out.ends_with(' ') {
            self.out.pop();
        }
    }
}

/// Appends the readable lines of block-level `nodes`, each prefixed by `prefix`.
fn blocks_text(nodes: &[Node], lines: &mut Vec<String>, prefix: &str) {
    for node in nodes {
        let Node::Elem {
            name,
            attrs: _,
            children,
        } = node
        else {
            let text = collapse(&inline_text(std::slice::from_ref(node)));
            if !text.is_empty() {
                lines.push(format!("{prefix}{text}"));
                lines.push(prefix.trim_end().to_owned());
            }
            continue;
        };
        match *name {
            "h1" | "h2" => {
                let marks = if *name == "h1" { "#" } else { "##" };
                lines.push(format!(
                    "{prefix}{marks} {}",
                    collapse(&inline_text(children))
                ));
                lines.push(prefix.trim_end().to_owned());
            }
            "ul" | "ol" => {
                list_text(children, *name == "ol", lines, prefix);
                lines.push(prefix.trim_end().to_owned());
            }
            "pre" => {
                lines.push(format!("{prefix}```"));
                let code = plain_text(children);
                for line in code.trim_end_matches('\n').lines() {
                    lines.push(format!("{prefix}{line}"));
                }
                lines.push(format!("{prefix}```"));
                lines.push(prefix.trim_end().to_owned());
            }
            "hr" => {
                lines.push(format!("{prefix}---"));
                lines.push(prefix.trim_end().to_owned());
            }
            "table" => {
                table_text(children, lines, prefix);
                lines.push(prefix.trim_end().to_owned());
            }
            "iframe" => {
                let src = node.attr("src").unwrap_or_default();
                lines.push(format!("{prefix}[video: {src}]"));
                lines.push(prefix.trim_end().to_owned());
            }
            "div" | "blockquote" | "details" => {
                let kind = node
                    .attr("style")
                    .and_then(Callout::from_style)
                    .map(|c| c.alert);
                if node.attr("class") == Some(callouts::CLASS) || *name == "blockquote" {
                    let inner = format!("{prefix}> ");
                    if let Some(kind) = kind {
                        lines.push(format!("{inner}[!{kind}]"));
                    }
                    blocks_text(children, lines, &inner);
                    while lines
                        .last()
                        .is_some_and(|l| l.trim_end() == inner.trim_end())
                    {
                        lines.pop();
                    }
                    lines.push(prefix.trim_end().to_owned());
                } else {
                    blocks_text(children, lines, prefix);
                }
            }
            _ => {
                let text = collapse(&inline_text(children_or_self(node)));
                if !text.is_empty() {
                    for line in text.split('\n') {
                        lines.push(format!("{prefix}{}", line.trim()));
                    }
                    lines.push(prefix.trim_end().to_owned());
                }
            }
        }
    }
    let _ = CALLOUTS;
}

fn children_or_self(node: &Node) -> &[Node] {
    match node {
        Node::Elem { name, children, .. } if !is_inline(name) => children,
        _ => std::slice::from_ref(node),
    }
}

fn list_text(items: &[Node], ordered: bool, lines: &mut Vec<String>, prefix: &str) {
    let mut n = 0;
    for item in items {
        let Node::Elem {
            name: "li",
            children,
            ..
        } = item
        else {
            continue;
        };
        n += 1;
        let marker = if ordered {
            format!("{n}. ")
        } else {
            "- ".to_owned()
        };
        let (inline, nested): (Vec<&Node>, Vec<&Node>) = children
            .iter()
            .partition(|c| c.is_inline() || matches!(c, Node::Elem { name: "p", .. }));
        let text: Vec<String> = inline
            .iter()
            .map(|c| collapse(&inline_text(children_or_self(c))))
            .filter(|t| !t.is_empty())
            .collect();
        lines.push(format!("{prefix}{marker}{}", text.join(" ")));
        let indent = format!("{prefix}{}", " ".repeat(marker.len()));
        for child in nested {
            if let Node::Elem {
                name: list @ ("ul" | "ol"),
                children,
                ..
            } = child
            {
                list_text(children, *list == "ol", lines, &indent);
            } else {
                let mut sub = Vec::new();
                blocks_text(std::slice::from_ref(child), &mut sub, &indent);
                lines.extend(sub.into_iter().filter(|l| !l.trim().is_empty()));
            }
        }
    }
}

fn table_text(nodes: &[Node], lines: &mut Vec<String>, prefix: &str) {
    for row in nodes {
        let Node::Elem {
            name: "tr",
            children,
            ..
        } = row
        else {
            if let Node::Elem { children, .. } = row {
                table_text(children, lines, prefix);
            }
            continue;
        };
        let cells: Vec<String> = children
            .iter()
            .filter_map(|c| match c {
                Node::Elem {
                    name: "td",
                    children,
                    ..
                } => Some(collapse(&inline_text(children)).replace('\n', " ")),
                _ => None,
            })
            .collect();
        lines.push(format!("{prefix}| {} |", cells.join(" | ")));
    }
}

/// The inline text of `nodes`: emphasis as `**`/`_`, code in backticks, links as
/// `text (url)`, images as `[image]`, line breaks as `\n`.
fn inline_text(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            // Soft line breaks of the source and Intercom's one-line paragraphs read the same.
            Node::Text(t) => {
                for ch in t.chars() {
                    if ch.is_whitespace() {
                        if !out.ends_with(' ') {
                            out.push(' ');
                        }
                    } else {
                        out.push(ch);
                    }
                }
            }
            Node::Elem {
                name,
                attrs: _,
                children,
            } => match *name {
                "br" => out.push('\n'),
                "img" => match node.attr("alt") {
                    Some(alt) => {
                        let _ = write!(out, "[image: {alt}]");
                    }
                    None => out.push_str("[image]"),
                },
                "b" => {
                    let _ = write!(out, "**{}**", inline_text(children).trim());
                }
                "i" => {
                    let _ = write!(out, "_{}_", inline_text(children).trim());
                }
                "code" => {
                    let _ = write!(out, "`{}`", inline_text(children));
                }
                "a" => {
                    let text = inline_text(children);
                    let href = node.attr("href").unwrap_or_default();
                    if text.trim() == href || href.is_empty() {
                        out.push_str(&text);
                    } else {
                        let _ = write!(out, "{} ({href})", text.trim());
                    }
                }
                "iframe" => {
                    let _ = write!(out, "[video: {}]", node.attr("src").unwrap_or_default());
                }
                _ if is_inline(name) => out.push_str(&inline_text(children)),
                _ => {
                    out.push('\n');
                    out.push_str(&inline_text(children));
                    out.push('\n');
                }
            },
        }
    }
    out
}

/// The text content of `nodes`, without any markup.
fn plain_text(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Elem { children, .. } => out.push_str(&plain_text(children)),
        }
    }
    out
}

/// Collapses whitespace runs (keeping line breaks from `<br>`) and trims each line.
fn collapse(text: &str) -> String {
    text.split('\n')
        .map(crate::html_text::collapse)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_matches('\n')
        .to_owned()
}

#[cfg(test)]
mod tests {
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
        let fixture =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/render");
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
}
