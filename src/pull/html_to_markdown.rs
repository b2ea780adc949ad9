//! Intercom article HTML → the Markdown dialect `render` reads (the reverse of `render`).
//!
//! In: a body as Intercom returns it (API-NOTES 6.1–6.3) and a link mapper. Out: Markdown and
//! notes about what could not be kept exactly. Intercom's wrappers (`intercom-container`,
//! table containers, `<p>` inside `li`/`td`), heading ids and alignment classes are dropped;
//! callouts become GFM alerts, video embeds bare video URLs, tables GFM tables (first row as
//! header), and links to articles of the help center relative `.md` links. What Markdown cannot
//! express (buttons, tables with block content, awkward emphasis) is kept as the inline HTML
//! the renderer allows, never dropped.

use std::fmt::Write as _;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::html_dom::{Handle, NodeData, attr, children, element_name, has_class};
use crate::html_text;
use crate::render::callouts::{CALLOUTS, CLASS as CALLOUT_CLASS, Callout};
use crate::render::video;

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

    fn block(&mut self, node: &Handle, out: &mut Vec<Block>) {
        let name = element_name(node).unwrap_or_default();
        match name.as_str() {
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                if has_class(node, "intercom-align-center") =>
            {
                // Markdown has no alignment; the renderer keeps this class on raw HTML.
                let tag = match name.as_str() {
                    "h5" | "h6" => "h4",
                    other => other,
                };
                let mut text = format!("<{tag} class=\"intercom-align-center\">");
                for child in children(node) {
                    self.html(&child, &mut text);
                }
                let _ = write!(text, "</{tag}>");
                out.push(Block {
                    text: text.trim().to_owned(),
                    list: None,
                });
            }
            "div" if has_class(node, "intercom-container") && only_button(node).is_some() => {
                let button = only_button(node).expect("checked");
                let href = attr(&button, "href").unwrap_or_default();
                let dest = (self.link)(&href).unwrap_or(href);
                let mut label = String::new();
                text_content(&button, &mut label);
                let label = html_text::collapse(&label);
                out.push(Block {
                    text: format!(
                        "<div class=\"intercom-container\"><a class=\"intercom-h2b-button\" href=\"{}\">{}</a></div>",
                        html_text::attr(&dest),
                        html_text::text(&label)
                    ),
                    list: None,
                });
            }
            "p" | "dt" | "dd" | "figcaption" => {
                if has_class(node, "intercom-align-right")
                    || has_class(node, "intercom-align-justify")
                {
                    self.note(
                        "right and justified alignment were dropped: only centring can be kept",
                    );
                }
                let text = self.paragraph(&children(node));
                if !text.is_empty() {
                    out.push(Block { text, list: None });
                }
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level: usize = name[1..].parse().unwrap_or(2);
                let ctx = Inline {
                    in_heading: true,
                    ..Inline::default()
                };
                let text = self.inline_checked(&children(node), ctx);
                let text = text.replace("\\\n", " ");
                let text = text.trim();
                if !text.is_empty() {
                    out.push(Block {
                        text: format!("{} {text}", "#".repeat(level)),
                        list: None,
                    });
                }
            }
            "ul" | "ol" => {
                let ordered = name == "ol";
                // Two lists in a row would merge: the second uses the other marker.
                let alternate = out
                    .last()
                    .and_then(|b| b.list)
                    .is_some_and(|(o, alt)| o == ordered && !alt);
                let text = self.list(node, ordered, alternate);
                if !text.is_empty() {
                    out.push(Block {
                        text,
                        list: Some((ordered, alternate)),
                    });
                }
            }
            "li" => {
                // A stray item outside a list: keep its content.
                out.extend(self.blocks(node));
            }
            "pre" => out.push(Block {
                text: code_block(node),
                list: None,
            }),
            "table" => out.push(Block {
                text: self.table(node),
                list: None,
            }),
            "hr" => out.push(Block {
                text: "---".to_owned(),
                list: None,
            }),
            "iframe" => {
                if let Some(text) = self.video(node) {
                    out.push(Block { text, list: None });
                }
            }
            "div" if has_class(node, "intercom-h2b-video") => {
                let iframe = find(node, "iframe");
                if let Some(text) = iframe.and_then(|f| self.video(&f)) {
                    out.push(Block { text, list: None });
                }
            }
            "div" if has_class(node, CALLOUT_CLASS) => {
                let callout = attr(node, "style")
                    .and_then(|s| Callout::from_style(&s))
                    .unwrap_or_else(|| {
                        self.note("a callout with a colour Intercom's API does not document became a NOTE");
                        CALLOUTS[0]
                    });
                let inner = join_blocks(&self.blocks(node));
                let mut text = format!("> [!{}]", callout.alert);
                for line in inner.lines() {
                    text.push('\n');
                    if line.is_empty() {
                        text.push('>');
                    } else {
                        text.push_str("> ");
                        text.push_str(line);
                    }
                }
                out.push(Block { text, list: None });
            }
            "details" => out.push(Block {
                text: self.details(node),
                list: None,
            }),
            "summary" => {
                // A summary outside a collapsible section: keep its content.
                out.extend(self.blocks(node));
            }
            "blockquote" => {
                self.note("a quote became plain paragraphs: Intercom has no quotes");
                out.extend(self.blocks(node));
            }
            _ => out.extend(self.blocks(node)),
        }
    }

    /// A collapsible section as the HTML the renderer keeps around Markdown content:
    /// `<details>`, its `<summary>` line, the editor's `div.collapsible-section-content`
    /// wrapper when there is one, and the content as Markdown between blank lines.
    fn details(&mut self, node: &Handle) -> String {
        let kids = children(node);
        let is_summary = |c: &Handle| element_name(c).as_deref() == Some("summary");
        let mut text = String::from("<details>");
        if let Some(summary) = kids.iter().find(|c| is_summary(c)) {
            text.push_str("\n<summary>");
            let mut inner = String::new();
            for child in children(summary) {
                self.html(&child, &mut inner);
            }
            text.push_str(inner.trim());
            text.push_str("</summary>");
        }
        let rest: Vec<Handle> = kids
            .into_iter()
            .filter(|c| !is_summary(c))
            .filter(|c| match &c.data {
                NodeData::Text { contents } => !contents.borrow().trim().is_empty(),
                NodeData::Element { .. } => true,
                _ => false,
            })
            .collect();
        let wrapper = match rest.as_slice() {
            [only]
                if element_name(only).as_deref() == Some("div")
                    && has_class(only, "collapsible-section-content") =>
            {
                Some(only.clone())
            }
            _ => None,
        };
        let content = match &wrapper {
            Some(div) => join_blocks(&self.blocks(div)),
            None => join_blocks(&self.blocks_of(rest)),
        };
        if wrapper.is_some() {
            text.push_str("\n<div class=\"collapsible-section-content\">");
        }
        if content.is_empty() {
            text.push('\n');
        } else {
            text.push_str("\n\n");
            text.push_str(&content);
            text.push_str("\n\n");
        }
        if wrapper.is_some() {
            text.push_str("</div>\n");
        }
        text.push_str("</details>");
        text
    }

    fn video(&mut self, iframe: &Handle) -> Option<String> {
        let src = attr(iframe, "src")?;
        if let Some(page) = video_page_url(&src) {
            return Some(page);
        }
        self.note("an embed from a host the renderer does not accept became a link");
        Some(format!("<{}>", src.replace(' ', "%20")))
    }

    /// A paragraph of inline nodes, with line starts made safe.
    fn paragraph(&mut self, nodes: &[Handle]) -> String {
        safe_lines(&self.inline_checked(nodes, Inline::default()))
    }

    /// Inline Markdown of `nodes`, checked by parsing it back: when `**`/`*` delimiters would
    /// not read back as the same bold and italic spans around the same text, `<b>`/`<i>` are
    /// written instead.
    fn inline_checked(&mut self, nodes: &[Handle], ctx: Inline) -> String {
        let mut want = String::new();
        for node in nodes {
            dom_signature(node, false, false, &mut want);
        }
        // A table reads `\|` as `|` before parsing the cell.
        let signature = |md: &str| {
            let md = safe_lines(md);
            if ctx.in_table {
                markdown_signature(&md.replace("\\|", "|"))
            } else {
                markdown_signature(&md)
            }
        };
        let text = self.inline_nodes(nodes, ctx);
        if signature(&text) == want {
            return text;
        }
        let html = self.inline_nodes(
            nodes,
            Inline {
                html_emphasis: true,
                ..ctx
            },
        );
        if signature(&html) == want { html } else { text }
    }

    fn inline_nodes(&mut self, nodes: &[Handle], ctx: Inline) -> String {
        let mut out = String::new();
        for node in nodes {
            self.inline(node, ctx, &mut out);
        }
        out
    }

    fn inline(&mut self, node: &Handle, ctx: Inline, out: &mut String) {
        match &node.data {
            NodeData::Text { contents } => {
                let text = collapse_whitespace(&contents.borrow(), out);
                out.push_str(&escape_text(&text, ctx));
            }
            NodeData::Element { name, .. } => {
                let name = name.local.to_string();
                self.element(node, &name, ctx, out);
            }
            _ => {}
        }
    }

    fn element(&mut self, node: &Handle, name: &str, ctx: Inline, out: &mut String) {
        let kids = children(node);
        match name {
            "b" | "strong" if !ctx.in_bold => {
                let inner_ctx = Inline {
                    in_bold: true,
                    ..ctx
                };
                let mut inner = self.inline_nodes(&kids, inner_ctx);
                let core = inner.trim_matches(' ');
                let italic_edge = (core.starts_with('*') && !core.starts_with("**"))
                    || (core.ends_with('*') && !core.ends_with("**") && !core.ends_with("\\*"));
                if !ctx.html_emphasis && italic_edge {
                    // `***x***` would read back as <i><b>: keep the order with `**_x_**`.
                    inner = self.inline_nodes(
                        &kids,
                        Inline {
                            underscore_italic: true,
                            ..inner_ctx
                        },
                    );
                }
                let delimiters = if ctx.html_emphasis {
                    ("<b>", "</b>")
                } else {
                    ("**", "**")
                };
                wrap_emphasis(out, &inner, delimiters);
            }
            "i" | "em" if !ctx.in_italic => {
                let inner = self.inline_nodes(
                    &kids,
                    Inline {
                        in_italic: true,
                        ..ctx
                    },
                );
                let delimiters = if ctx.html_emphasis {
                    ("<i>", "</i>")
                } else if ctx.underscore_italic {
                    ("_", "_")
                } else {
                    ("*", "*")
                };
                wrap_emphasis(out, &inner, delimiters);
            }
            "code" | "kbd" | "samp" | "tt" => {
                let mut raw = String::new();
                text_content(node, &mut raw);
                if out.ends_with('`') || (ctx.in_link && raw.contains(['[', ']'])) {
                    // Backtick runs of adjacent spans would merge, and brackets in a code span
                    // would end a link text: write this one as HTML tags around Markdown text.
                    let text = escape_text(&raw.replace('\n', " "), ctx);
                    let _ = write!(out, "<code>{text}</code>");
                } else if ctx.in_table {
                    // In a table a pipe ends the cell even inside code; `\|` is read as `|`.
                    out.push_str(&code_span(&raw).replace('|', "\\|"));
                } else {
                    out.push_str(&code_span(&raw));
                }
            }
            "br" => {
                if ctx.in_table {
                    out.push_str("<br>");
                } else if ctx.in_heading {
                    out.push(' ');
                } else {
                    out.push_str("\\\n");
                }
            }
            "img" => {
                if let Some(src) = attr(node, "src").filter(|s| !s.trim().is_empty()) {
                    let alt = attr(node, "alt").unwrap_or_default();
                    let alt = escape_text(&html_text::collapse(&alt), ctx);
                    let _ = write!(out, "![{alt}]({})", destination(&stable_image_url(&src)));
                }
            }
            "a" => self.anchor(node, ctx, out),
            "iframe" => {
                if let Some(text) = self.video(node) {
                    out.push_str(&text);
                }
            }
            "script" | "style" | "template" => {}
            _ => {
                for kid in &kids {
                    self.inline(kid, ctx, out);
                }
            }
        }
    }

    fn anchor(&mut self, node: &Handle, ctx: Inline, out: &mut String) {
        let href = attr(node, "href").unwrap_or_default();
        let href = href.trim();
        let kids = children(node);
        if href.is_empty() || href.starts_with('#') || ctx.in_link {
            for kid in &kids {
                self.inline(kid, ctx, out);
            }
            return;
        }
        let dest = (self.link)(href).unwrap_or_else(|| href.to_owned());
        if has_class(node, "intercom-h2b-button") {
            let mut label = String::new();
            text_content(node, &mut label);
            let label = html_text::collapse(&label);
            let _ = write!(
                out,
                "<a class=\"intercom-h2b-button\" href=\"{}\">{}</a>",
                html_text::attr(&dest),
                escape_text(&label, ctx)
            );
            return;
        }
        let inner = self.inline_nodes(
            &kids,
            Inline {
                in_link: true,
                ..ctx
            },
        );
        let mut plain = String::new();
        text_content(node, &mut plain);
        let (lead, core, trail) = split_spaces(&inner);
        if core.is_empty() {
            // Nothing to click: keep the spaces and breaks only.
            out.push_str(&inner);
            return;
        }
        let is_url = dest.starts_with("http://") || dest.starts_with("https://");
        if is_url && plain.trim() == dest && !dest.contains(['<', '>', ' ']) {
            let _ = write!(out, "<{dest}>");
            return;
        }
        let backslashes = out
            .strip_suffix('!')
            .map(|rest| rest.len() - rest.trim_end_matches('\\').len());
        if lead.is_empty() && backslashes.is_some_and(|n| n % 2 == 0) {
            // `![` would start an image.
            out.pop();
            out.push_str("\\!");
        }
        out.push_str(lead);
        let _ = write!(out, "[{core}]({})", destination(&dest));
        out.push_str(trail);
    }

    fn list(&mut self, node: &Handle, ordered: bool, alternate: bool) -> String {
        let mut items: Vec<String> = Vec::new();
        let mut loose = false;
        for li in children(node) {
            if element_name(&li).as_deref() != Some("li") {
                continue;
            }
            let blocks = self.blocks(&li);
            let mut text = String::new();
            for (i, b) in blocks
                .iter()
                .filter(|b| !b.text.trim().is_empty())
                .enumerate()
            {
                if i > 0 {
                    if b.list.is_some() {
                        text.push('\n');
                    } else {
                        text.push_str("\n\n");
                        loose = true;
                    }
                }
                text.push_str(&b.text);
            }
            if !text.trim().is_empty() {
                items.push(text);
            }
        }
        let mut out = String::new();
        for (i, item) in items.iter().enumerate() {
            let marker = match (ordered, alternate) {
                (false, false) => "- ".to_owned(),
                (false, true) => "* ".to_owned(),
                (true, false) => format!("{}. ", i + 1),
                (true, true) => format!("{}) ", i + 1),
            };
            if i > 0 {
                out.push_str(if loose { "\n\n" } else { "\n" });
            }
            let pad = " ".repeat(marker.len());
            for (j, line) in item.split('\n').enumerate() {
                if j == 0 {
                    out.push_str(&marker);
                    out.push_str(line);
                } else {
                    out.push('\n');
                    if !line.is_empty() {
                        out.push_str(&pad);
                        out.push_str(line);
                    }
                }
            }
        }
        out
    }

    fn table(&mut self, node: &Handle) -> String {
        let mut rows: Vec<Vec<Handle>> = Vec::new();
        collect_rows(node, &mut rows);
        if rows.is_empty() {
            return String::new();
        }
        let complex = rows.iter().flatten().any(has_block_content);
        if complex {
            self.note("a table with lists, code or images in its cells was kept as HTML");
            return self.html_table(node);
        }
        let ctx = Inline {
            in_table: true,
            ..Inline::default()
        };
        let first_bold = rows[0].iter().all(is_all_bold);
        let mut grid: Vec<Vec<String>> = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            let mut cells = Vec::new();
            for cell in row {
                let parts: Vec<String> = self.cell_paragraphs(cell, ctx, r == 0 && first_bold);
                cells.push(parts.join("<br>"));
            }
            grid.push(cells);
        }
        let width = grid.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut out = String::new();
        for (r, row) in grid.iter().enumerate() {
            out.push('|');
            for c in 0..width {
                let cell = row.get(c).map_or("", String::as_str);
                out.push(' ');
                out.push_str(cell);
                out.push_str(" |");
            }
            if r == 0 {
                out.push('\n');
                out.push('|');
                for _ in 0..width {
                    out.push_str(" --- |");
                }
            }
            if r + 1 < grid.len() {
                out.push('\n');
            }
        }
        out
    }

    /// The paragraphs of one cell as inline Markdown; `unbold` drops a `<b>` around it all.
    fn cell_paragraphs(&mut self, cell: &Handle, ctx: Inline, unbold: bool) -> Vec<String> {
        let mut parts = Vec::new();
        let mut run = Vec::new();
        let flush = |this: &mut Self, run: &mut Vec<Handle>, parts: &mut Vec<String>| {
            if run.is_empty() {
                return;
            }
            let nodes = std::mem::take(run);
            let nodes = if unbold { unwrap_bold(&nodes) } else { nodes };
            let text = this.inline_checked(&nodes, ctx);
            let text = trim_breaks(&text).replace('\n', " ");
            if !text.is_empty() {
                parts.push(text);
            }
        };
        for child in children(cell) {
            if element_name(&child).is_some_and(|n| is_block(&n)) {
                flush(self, &mut run, &mut parts);
                run.extend(children(&child));
                flush(self, &mut run, &mut parts);
            } else {
                run.push(child);
            }
        }
        flush(self, &mut run, &mut parts);
        parts
    }

    /// A table as the HTML the renderer keeps (`table`, `tr`, `td` and allowed content).
    fn html_table(&mut self, node: &Handle) -> String {
        let mut out = String::from("<table>");
        let mut rows = Vec::new();
        collect_rows(node, &mut rows);
        for row in rows {
            out.push_str("<tr>");
            for cell in row {
                out.push_str("<td>");
                for child in children(&cell) {
                    self.html(&child, &mut out);
                }
                out.push_str("</td>");
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
        out
    }

    /// Serializes `node` with the tags the renderer allows; other tags are unwrapped.
    fn html(&mut self, node: &Handle, out: &mut String) {
        match &node.data {
            NodeData::Text { contents } => {
                // An HTML block ends at a blank line: no text may make one.
                let text = contents.borrow();
                let text = if in_pre(node) {
                    text.lines()
                        .filter(|l| !l.trim().is_empty())
                        .collect::<Vec<_>>()
                        .join("\n")
                } else {
                    collapse_whitespace(&text, out)
                };
                out.push_str(&html_text::text(&text));
            }
            NodeData::Element { name, .. } => {
                let name = name.local.to_string();
                let tag = match name.as_str() {
                    "strong" => "b",
                    "em" => "i",
                    "th" => "td",
                    "h5" | "h6" => "h4",
                    "p" | "br" | "b" | "i" | "ul" | "ol" | "li" | "pre" | "code" | "h1" | "h2"
                    | "h3" | "h4" | "hr" => name.as_str(),
                    "a" => {
                        let href = attr(node, "href").unwrap_or_default();
                        if href.is_empty() || href.starts_with('#') {
                            ""
                        } else {
                            let dest = (self.link)(&href).unwrap_or(href);
                            let _ = write!(out, "<a href=\"{}\">", html_text::attr(&dest));
                            for kid in children(node) {
                                self.html(&kid, out);
                            }
                            out.push_str("</a>");
                            return;
                        }
                    }
                    "img" => {
                        if let Some(src) = attr(node, "src") {
                            let _ = write!(
                                out,
                                "<img src=\"{}\">",
                                html_text::attr(&stable_image_url(&src))
                            );
                        }
                        return;
                    }
                    _ => "",
                };
                if !tag.is_empty() {
                    let _ = write!(out, "<{tag}>");
                }
                if matches!(tag, "br" | "hr") {
                    return;
                }
                for kid in children(node) {
                    self.html(&kid, out);
                }
                if !tag.is_empty() {
                    let _ = write!(out, "</{tag}>");
                }
            }
            _ => {}
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

/// The `a.intercom-h2b-button` that is the only content of `node`, if so.
fn only_button(node: &Handle) -> Option<Handle> {
    let meaningful: Vec<Handle> = children(node)
        .into_iter()
        .filter(|c| match &c.data {
            NodeData::Text { contents } => !contents.borrow().trim().is_empty(),
            NodeData::Element { .. } => true,
            _ => false,
        })
        .collect();
    match meaningful.as_slice() {
        [one]
            if element_name(one).as_deref() == Some("a")
                && has_class(one, "intercom-h2b-button") =>
        {
            Some(one.clone())
        }
        _ => None,
    }
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

fn collect_rows(node: &Handle, rows: &mut Vec<Vec<Handle>>) {
    for child in children(node) {
        match element_name(&child).as_deref() {
            Some("tr") => rows.push(
                children(&child)
                    .into_iter()
                    .filter(|c| matches!(element_name(c).as_deref(), Some("td" | "th")))
                    .collect(),
            ),
            Some("table") | None => {}
            Some(_) => collect_rows(&child, rows),
        }
    }
}

fn has_block_content(cell: &Handle) -> bool {
    children(cell)
        .iter()
        .any(|c| match element_name(c).as_deref() {
            Some(
                "ul" | "ol" | "pre" | "table" | "img" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6",
            ) => true,
            Some(_) => has_block_content(c),
            None => false,
        })
}

/// Whether a cell's only content is one `<b>` (possibly inside a `<p>`), or it is empty.
fn is_all_bold(cell: &Handle) -> bool {
    let meaningful: Vec<Handle> = children(cell)
        .into_iter()
        .filter(|c| match &c.data {
            NodeData::Text { contents } => !contents.borrow().trim().is_empty(),
            NodeData::Element { .. } => true,
            _ => false,
        })
        .collect();
    match meaningful.as_slice() {
        [] => true,
        [one] => match element_name(one).as_deref() {
            Some("b" | "strong") => true,
            Some("p") => is_all_bold(one),
            _ => false,
        },
        _ => false,
    }
}

fn unwrap_bold(nodes: &[Handle]) -> Vec<Handle> {
    let mut out = Vec::new();
    for node in nodes {
        match element_name(node).as_deref() {
            Some("b" | "strong") => out.extend(children(node)),
            _ => out.push(node.clone()),
        }
    }
    out
}

fn code_block(node: &Handle) -> String {
    let mut raw = String::new();
    text_content(node, &mut raw);
    let raw = raw.strip_suffix('\n').unwrap_or(&raw);
    let longest = longest_run(raw, '`');
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}\n{raw}\n{fence}")
}

fn code_span(raw: &str) -> String {
    let text = raw.replace('\n', " ");
    if text.is_empty() {
        return String::new();
    }
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    if pad {
        format!("{ticks} {text} {ticks}")
    } else {
        format!("{ticks}{text}{ticks}")
    }
}

fn longest_run(s: &str, c: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for ch in s.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// Writes `inner` between delimiters, with its outer spaces moved outside.
fn wrap_emphasis(out: &mut String, inner: &str, (open, close): (&str, &str)) {
    let (lead, core, trail) = split_spaces(inner);
    out.push_str(lead);
    if !core.is_empty() {
        out.push_str(open);
        out.push_str(core);
        out.push_str(close);
    }
    out.push_str(trail);
}

/// Splits off leading and trailing spaces and hard breaks (they must sit outside delimiters).
fn split_spaces(s: &str) -> (&str, &str, &str) {
    let mut start = 0;
    let mut end = s.len();
    loop {
        let rest = &s[start..end];
        if rest.starts_with(' ') {
            start += 1;
        } else if rest.starts_with("\\\n") {
            start += 2;
        } else if rest.starts_with("<br>") {
            start += 4;
        } else {
            break;
        }
    }
    loop {
        let rest = &s[start..end];
        if rest.ends_with(' ') {
            end -= 1;
        } else if rest.ends_with("\\\n") {
            end -= 2;
        } else if rest.ends_with("<br>") {
            end -= 4;
        } else {
            break;
        }
    }
    (&s[..start], &s[start..end], &s[end..])
}

/// The bold/italic structure and text of inline HTML: `B`…`b` around bold, `I`…`i` around
/// italic, and every non-space character of the text (what [`markdown_signature`] reads back).
fn dom_signature(node: &Handle, in_bold: bool, in_italic: bool, out: &mut String) {
    let push_text = |text: &str, out: &mut String| {
        out.extend(text.chars().filter(|c| !c.is_whitespace()));
    };
    match &node.data {
        NodeData::Text { contents } => push_text(&contents.borrow(), out),
        NodeData::Element { name, .. } => {
            let name = name.local.to_string();
            let (open, close, bold, italic) = match name.as_str() {
                "b" | "strong" if !in_bold => (Some('B'), 'b', true, in_italic),
                "i" | "em" if !in_italic => (Some('I'), 'i', in_bold, true),
                "code" | "kbd" | "samp" | "tt" => {
                    let mut raw = String::new();
                    text_content(node, &mut raw);
                    push_text(&raw, out);
                    return;
                }
                "script" | "style" | "template" | "iframe" | "img" => return,
                "a" if has_class(node, "intercom-h2b-button") => {
                    let mut raw = String::new();
                    text_content(node, &mut raw);
                    push_text(&raw, out);
                    return;
                }
                _ => (None, ' ', in_bold, in_italic),
            };
            let mut inner = String::new();
            for child in children(node) {
                dom_signature(&child, bold, italic, &mut inner);
            }
            match open {
                Some(o) if has_visible_content(node) => {
                    out.push(o);
                    out.push_str(&inner);
                    out.push(close);
                }
                _ => out.push_str(&inner),
            }
        }
        _ => {}
    }
}

/// Whether `node` holds text or an image (what makes an emphasis span non-empty).
fn has_visible_content(node: &Handle) -> bool {
    children(node).iter().any(|c| match &c.data {
        NodeData::Text { contents } => !contents.borrow().trim().is_empty(),
        NodeData::Element { .. } => match element_name(c).as_deref() {
            Some("img") => attr(c, "src").is_some_and(|s| !s.trim().is_empty()),
            Some("code" | "kbd" | "samp" | "tt") => {
                let mut raw = String::new();
                text_content(c, &mut raw);
                !raw.is_empty()
            }
            Some("script" | "style" | "template") => false,
            Some("iframe") => true,
            _ => has_visible_content(c),
        },
        _ => false,
    })
}

/// The signature of inline Markdown as the renderer's parser reads it (see [`dom_signature`]).
fn markdown_signature(markdown: &str) -> String {
    let mut out = String::new();
    let mut image = 0usize;
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::Image { .. }) => image += 1,
            Event::End(TagEnd::Image) => image = image.saturating_sub(1),
            _ if image > 0 => {}
            Event::Start(Tag::Strong) => out.push('B'),
            Event::End(TagEnd::Strong) => out.push('b'),
            Event::Start(Tag::Emphasis) => out.push('I'),
            Event::End(TagEnd::Emphasis) => out.push('i'),
            Event::Text(t) | Event::Code(t) => {
                out.extend(t.chars().filter(|c| !c.is_whitespace()));
            }
            Event::InlineHtml(h) => match h.trim().to_ascii_lowercase().as_str() {
                "<b>" => out.push('B'),
                "</b>" => out.push('b'),
                "<i>" => out.push('I'),
                "</i>" => out.push('i'),
                _ => {}
            },
            _ => {}
        }
    }
    out
}

/// Collapses HTML whitespace; drops a leading space when the output already ends in one.
fn collapse_whitespace(text: &str, before: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = before.is_empty() || before.ends_with([' ', '\n']);
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out
}

/// A paragraph's inline Markdown without breaks at its ends, every line made safe to start.
fn safe_lines(text: &str) -> String {
    trim_breaks(text)
        .split('\n')
        .map(|line| escape_line_start(line.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Removes hard breaks and spaces at both ends of a paragraph.
fn trim_breaks(text: &str) -> String {
    let mut t = text.trim_matches(' ');
    loop {
        let before = t;
        for suffix in ["\\\n", "<br>"] {
            t = t.strip_suffix(suffix).unwrap_or(t).trim_matches(' ');
        }
        for prefix in ["\\\n", "<br>"] {
            t = t.strip_prefix(prefix).unwrap_or(t).trim_matches(' ');
        }
        if t == before {
            break;
        }
    }
    t.to_owned()
}

/// Escapes Markdown syntax in text. Backticks, asterisks, brackets, tildes and backslashes
/// always; `_` unless inside a word; `<` before a tag-like character; `&` before an entity;
/// `|` in tables and `#` in headings.
fn escape_text(text: &str, ctx: Inline) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let escape = match c {
            '\\' | '*' | '`' | '[' | ']' | '~' => true,
            '_' => {
                !(prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric))
            }
            '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
            '&' => looks_like_entity(&chars[i + 1..]),
            '|' => ctx.in_table,
            // A closing `#` sequence would be dropped from a heading.
            '#' => ctx.in_heading,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn looks_like_entity(rest: &[char]) -> bool {
    for (n, &c) in rest.iter().take(33).enumerate() {
        if c == ';' {
            return n > 0;
        }
        if !(c.is_ascii_alphanumeric() || c == '#') {
            return false;
        }
    }
    false
}

/// Escapes what would start a block at the beginning of a line (heading, quote, list, rule).
fn escape_line_start(line: &str) -> String {
    let first = line.chars().next();
    match first {
        Some('#' | '>' | '-' | '+' | '=') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            let after: Vec<char> = line.chars().skip(digits).take(2).collect();
            let is_marker = digits <= 9
                && matches!(after.first(), Some('.' | ')'))
                && after.get(1).is_none_or(|c| *c == ' ');
            if is_marker {
                format!("{}\\{}", &line[..digits], &line[digits..])
            } else {
                line.to_owned()
            }
        }
        _ => line.to_owned(),
    }
}

/// A link destination: spaces encoded, parentheses escaped.
fn destination(url: &str) -> String {
    url.replace(' ', "%20")
        .replace('(', "\\(")
        .replace(')', "\\)")
        .replace('<', "%3C")
        .replace('>', "%3E")
}

#[cfg(test)]
mod tests;
