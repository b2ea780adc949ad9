//! Intercom article HTML → the Markdown dialect `render` reads (the reverse of `render`).
//!
//! In: a body as Intercom returns it (API-NOTES 6.1–6.3) and a link mapper. Out: Markdown and
//! notes about what could not be kept exactly. Intercom's wrappers (`intercom-container`,
//! table containers, `<p>` inside `li`/`td`), heading ids and alignment classes are dropped;
//! callouts become GFM alerts, video embeds bare video URLs, tables GFM tables (first row as
//! header), and links to articles of the help center relative `.md` links. What Markdown cannot
//! express (buttons, tables with block content, awkward emphasis) is kept as the inline HTML
//! the renderer allows, never dropped.

use crate::html_dom::{Handle, NodeData, attr, children, element_name, has_class};
use crate::html_text;
use crate::render::callouts::{CALLOUTS, CLASS as CALLOUT_CLASS, Callout};
use crate::render::video;

mod blocks;
mod inline;
mod lists;
mod signature;
mod tables;

// Helpers one construct borrows from another.
use inline::{collapse_whitespace, longest_run, safe_lines, trim_breaks};
use signature::{dom_signature, markdown_signature};

/// The Markdown of one body and what the conversion could not keep exactly.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Converted {
    pub markdown: String,
    /// Human notes, e.g. "a collapsible section was flattened".
    pub notes: Vec<String>,
}

/// Converts an article body. `link` maps an absolute `href` to a relative `.md` path when it
/// is the URL of an article being written; other links are kept as they are.
pub fn convert(html: &str, link: &dyn Fn(&str) -> Option<String>) -> Converted {
    if html.trim().is_empty() {
        return Converted::default();
    }
    let body = crate::html_dom::parse_body(html);
    let root = body.root();
    let mut c = Converter {
        link,
        notes: Vec::new(),
    };
    let blocks = root.map(|r| c.blocks(&r)).unwrap_or_default();
    let mut markdown = join_blocks(&blocks);
    if !markdown.is_empty() {
        markdown.push('\n');
    }
    c.notes.dedup();
    Converted {
        markdown,
        notes: c.notes,
    }
}

/// Strips Intercom's volatile image query parameters (`expires`, `signature`, `req`).
pub fn stable_image_url(src: &str) -> String {
    let Ok(mut url) = url::Url::parse(src) else {
        return src.to_owned();
    };
    if url.query().is_none() {
        return src.to_owned();
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !matches!(k.as_ref(), "expires" | "signature" | "req"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url.to_string()
}

/// The page URL of a video embed (`/embed/ID` → `watch?v=ID`), checked to render back to the
/// same embed; `None` when the host is not one the renderer accepts.
pub fn video_page_url(src: &str) -> Option<String> {
    let embed = video::embed_url(src)?;
    let id_after = |prefix: &str| embed.strip_prefix(prefix).map(str::to_owned);
    let page = if let Some(id) = id_after("https://www.youtube.com/embed/") {
        format!("https://www.youtube.com/watch?v={id}")
    } else if let Some(rest) = id_after("https://player.vimeo.com/video/") {
        match rest.split_once("?h=") {
            Some((id, hash)) => format!("https://vimeo.com/{id}/{hash}"),
            None => format!("https://vimeo.com/{rest}"),
        }
    } else if let Some(id) = id_after("https://www.loom.com/embed/") {
        format!("https://www.loom.com/share/{id}")
    } else {
        embed.clone()
    };
    if video::embed_url(&page).as_deref() == Some(embed.as_str()) {
        Some(page)
    } else {
        Some(embed)
    }
}

struct Converter<'a> {
    link: &'a dyn Fn(&str) -> Option<String>,
    notes: Vec<String>,
}

/// Inline context.
#[derive(Debug, Clone, Copy, Default)]
struct Inline {
    /// Write `<b>`/`<i>` instead of `**`/`*` (when delimiters would not parse back).
    html_emphasis: bool,
    in_bold: bool,
    in_italic: bool,
    in_link: bool,
    in_table: bool,
    in_heading: bool,
    /// Write italics as `_` (inside bold that starts or ends with them: `**_x_**`).
    underscore_italic: bool,
}

/// One converted block and what kind it is (adjacent lists need different markers).
#[derive(Debug, Clone)]
struct Block {
    text: String,
    /// For lists: (ordered, written with the alternate marker).
    list: Option<(bool, bool)>,
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "pre"
            | "table"
            | "hr"
            | "blockquote"
            | "details"
            | "summary"
            | "iframe"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "main"
            | "figure"
            | "figcaption"
            | "dl"
            | "dt"
            | "dd"
            | "center"
    )
}

/// All text below `node`, as is.
fn text_content(node: &Handle, out: &mut String) {
    match &node.data {
        NodeData::Text { contents } => out.push_str(&contents.borrow()),
        NodeData::Element { name, .. } if &*name.local == "br" => out.push('\n'),
        _ => {
            for child in node.children.borrow().iter() {
                text_content(child, out);
            }
        }
    }
}

fn join_blocks(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks.iter().filter(|b| !b.text.trim().is_empty()) {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&b.text);
    }
    out
}

impl Converter<'_> {
    fn note(&mut self, note: &str) {
        if !self.notes.iter().any(|n| n == note) {
            self.notes.push(note.to_owned());
        }
    }

    /// The children of `node` as blocks; runs of inline content become paragraphs.
    fn blocks(&mut self, node: &Handle) -> Vec<Block> {
        self.blocks_of(children(node))
    }

    /// `nodes` as blocks; runs of inline content become paragraphs.
    fn blocks_of(&mut self, nodes: Vec<Handle>) -> Vec<Block> {
        let mut out: Vec<Block> = Vec::new();
        let mut run: Vec<Handle> = Vec::new();
        for child in nodes {
            let block = element_name(&child).is_some_and(|n| is_block(&n));
            if block {
                self.flush(&mut run, &mut out);
                self.block(&child, &mut out);
            } else {
                run.push(child);
            }
        }
        self.flush(&mut run, &mut out);
        out
    }

    fn flush(&mut self, run: &mut Vec<Handle>, out: &mut Vec<Block>) {
        if run.is_empty() {
            return;
        }
        let nodes = std::mem::take(run);
        let text = self.paragraph(&nodes);
        if !text.is_empty() {
            out.push(Block { text, list: None });
        }
    }
}

/// Whether `node` is inside a `<pre>`.
fn in_pre(node: &Handle) -> bool {
    let mut current = node.parent.take();
    node.parent.set(current.clone());
    while let Some(weak) = current {
        let Some(parent) = weak.upgrade() else {
            return false;
        };
        if element_name(&parent).as_deref() == Some("pre") {
            return true;
        }
        current = parent.parent.take();
        parent.parent.set(current.clone());
    }
    false
}

fn find(node: &Handle, want: &str) -> Option<Handle> {
    for child in children(node) {
        if element_name(&child).as_deref() == Some(want) {
            return Some(child);
        }
        if let Some(found) = find(&child, want) {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests;
