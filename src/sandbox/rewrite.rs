//! How the emulator rewrites article `body` HTML on save (`API-NOTES.md` §6): HTML in, the
//! normalised Intercom HTML out (or the reason for a 400). Images are stored without their
//! signed query string; [`sign_images`] adds a fresh one to every response. The signature is a
//! digest of the path, `expires` and `req`, so a URL sent back can be checked: with
//! `cdn_images = drop_unsigned` a CDN image without a valid signature is dropped, as Intercom
//! would if it re-fetched the URL and failed.

use std::fmt::Write as _;

use crate::html_dom::{Handle, NodeData, attr, element_name, has_class};
use crate::html_text;
use sha2::{Digest, Sha256};

use super::options::{CalloutColors, CdnImages, Details, Headings, NestedLists, Switches};
use crate::render::callouts::Callout;

/// Host and path prefix of re-hosted images.
pub const IMAGE_PREFIX: &str = "https://downloads.intercomcdn.com/i/o/";

/// Hosts accepted in `<iframe src>`: the supported video embeds of §6.1.
const VIDEO_HOSTS: [&str; 10] = [
    "youtube.com",
    "youtube-nocookie.com",
    "youtu.be",
    "vimeo.com",
    "wistia.com",
    "wistia.net",
    "loom.com",
    "vidyard.com",
    "streamio.com",
    "streamio.net",
];

/// Why a body was refused (answered with 400 `parameter_invalid`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RewriteError(pub String);

/// Rewrites `html` the way Intercom does on save; `rng` draws the heading ids.
pub fn rewrite_body(
    html: &str,
    switches: &Switches,
    rng: &mut fastrand::Rng,
) -> Result<String, RewriteError> {
    if html.trim().is_empty() {
        return Ok(String::new());
    }
    let body = crate::html_dom::parse_body(html);
    let root = body.root();
    let Some(root) = root else {
        return Ok(String::new());
    };
    let mut writer = Writer {
        switches,
        rng,
        heading_shift: 0,
        levels: Vec::new(),
    };
    let segs = writer.block_children(&root, Context::default())?;
    if switches.headings == Headings::PromoteRelative && !writer.levels.contains(&1) {
        // Promotion depends on the headings that survive; render again with the shift.
        if let Some(min) = writer.levels.iter().min().copied() {
            writer.heading_shift = min - 1;
            let segs = writer.block_children(&root, Context::default())?;
            return Ok(wrap_paragraphs(segs, ""));
        }
    }
    Ok(wrap_paragraphs(segs, ""))
}

/// Adds a fresh `?expires=…&signature=…&req=…` to every re-hosted image `src`.
pub fn sign_images(body: &str, now: i64, rng: &mut fastrand::Rng) -> String {
    let needle = format!("src=\"{IMAGE_PREFIX}");
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(at) = rest.find(&needle) {
        let start = at + needle.len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push_str(&rest[..end]);
        let expires = (now + 600).to_string();
        let req = format!("{:08x}", rng.u32(..));
        let signature = cdn_signature(&rest[..end], &expires, &req);
        let _ = write!(
            out,
            "?expires={expires}&amp;signature={signature}&amp;req={req}"
        );
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The emulator's signature of a re-hosted image: a digest of its path (after
/// [`IMAGE_PREFIX`]), `expires` and `req`.
fn cdn_signature(path: &str, expires: &str, req: &str) -> String {
    let digest = Sha256::digest(format!("sandbox-cdn\0{path}\0{expires}\0{req}").as_bytes());
    hex::encode(digest)
}

/// Whether a CDN `src` carries a signature [`sign_images`] issued for its path.
fn signed_validly(src: &str) -> bool {
    let Ok(url) = url::Url::parse(src) else {
        return false;
    };
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let (Some(expires), Some(signature), Some(req)) =
        (param("expires"), param("signature"), param("req"))
    else {
        return false;
    };
    let path = src
        .strip_prefix(IMAGE_PREFIX)
        .and_then(|p| p.split(['?', '#']).next())
        .unwrap_or_default();
    cdn_signature(path, &expires, &req) == signature
}

/// Elements removed together with their content.
const DROPPED: [&str; 15] = [
    "script", "style", "form", "input", "textarea", "select", "button", "head", "title", "meta",
    "link", "noscript", "template", "object", "embed",
];

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// A piece of output: inline content to be grouped into paragraphs, or a finished block.
enum Seg {
    Inline(String),
    Block(String),
}

#[derive(Debug, Clone, Copy, Default)]
struct Context {
    in_list: bool,
    in_table: bool,
    /// Inside an `<a>`: links cannot nest, inner ones are unwrapped.
    in_link: bool,
}

struct Writer<'a> {
    switches: &'a Switches,
    rng: &'a mut fastrand::Rng,
    heading_shift: u8,
    /// Levels of the headings written so far (before promotion).
    levels: Vec<u8>,
}

fn align_class(node: &Handle) -> Option<&'static str> {
    let classes = attr(node, "class")?;
    classes.split_whitespace().find_map(|c| match c {
        "intercom-align-center" => Some("intercom-align-center"),
        "intercom-align-right" => Some("intercom-align-right"),
        "intercom-align-justify" => Some("intercom-align-justify"),
        _ => None,
    })
}

/// Collapses spaces across tag boundaries in generated inline HTML (text is escaped, so
/// `<` always opens a tag) and trims the ends, like a browser would render it.
fn collapse_inline(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut last_space = true;
    for c in html.chars() {
        if in_tag {
            out.push(c);
            in_tag = c != '>';
        } else if c == '<' {
            in_tag = true;
            out.push(c);
        } else if c == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            last_space = false;
            out.push(c);
        }
    }
    // A trailing space directly before the closing tags goes too.
    let mut end = out.len();
    while out[..end].ends_with('>') {
        match out[..end].rfind('<') {
            Some(at) if out[at..].starts_with("</") => end = at,
            _ => break,
        }
    }
    if out[..end].ends_with(' ') {
        out.remove(end - 1);
    }
    out
}

/// The text of generated inline HTML, tags removed.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Merges consecutive inline segments into one run.
fn group_runs(segs: Vec<Seg>) -> Vec<Seg> {
    let mut out: Vec<Seg> = Vec::new();
    for seg in segs {
        match (out.last_mut(), seg) {
            (Some(Seg::Inline(run)), Seg::Inline(s)) => run.push_str(&s),
            (_, seg) => out.push(seg),
        }
    }
    out.into_iter()
        .filter_map(|seg| match seg {
            Seg::Inline(run) => {
                let run = collapse_inline(&run);
                (!run.is_empty()).then_some(Seg::Inline(run))
            }
            block @ Seg::Block(_) => Some(block),
        })
        .collect()
}

fn text_content(node: &Handle, out: &mut String) {
    match &node.data {
        NodeData::Text { contents } => out.push_str(&contents.borrow()),
        _ => {
            for child in node.children.borrow().iter() {
                text_content(child, out);
            }
        }
    }
}

/// Groups runs of inline segments into `<p class="…no-margin">`.
fn wrap_paragraphs(segs: Vec<Seg>, align: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let text = collapse_inline(run);
        if !text.is_empty() {
            let _ = write!(out, "<p class=\"{align}no-margin\">{text}</p>");
        }
        run.clear();
    };
    for seg in segs {
        match seg {
            Seg::Inline(s) => run.push_str(&s),
            Seg::Block(b) => {
                flush(&mut run, &mut out);
                out.push_str(&b);
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

fn is_video_host(src: &str) -> bool {
    let Ok(url) = url::Url::parse(src) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    VIDEO_HOSTS
        .iter()
        .any(|h| host == *h || host.ends_with(&format!(".{h}")))
}

impl Writer<'_> {
    fn heading_id(&mut self) -> String {
        format!("h_{:010x}", self.rng.u64(..) & 0xff_ffff_ffff)
    }

    /// Children in block context: inline runs stay inline (the caller wraps them).
    fn block_children(&mut self, node: &Handle, ctx: Context) -> Result<Vec<Seg>, RewriteError> {
        let mut segs = Vec::new();
        for child in node.children.borrow().iter() {
            self.node(child, ctx, &mut segs)?;
        }
        Ok(segs)
    }

    /// Inline children of `node`, with any blocks found inside split out.
    fn node(
        &mut self,
        node: &Handle,
        ctx: Context,
        segs: &mut Vec<Seg>,
    ) -> Result<(), RewriteError> {
        let name = match &node.data {
            NodeData::Text { contents } => {
                let mut s = String::new();
                html_text::push_text(&mut s, &html_text::collapse_ascii(&contents.borrow()));
                segs.push(Seg::Inline(s));
                return Ok(());
            }
            NodeData::Element { name, .. } => name.local.to_string(),
            _ => return Ok(()),
        };
        match name.as_str() {
            n if DROPPED.contains(&n) => {}
            "dl" | "dt" | "dd" => {
                return Err(RewriteError(
                    "Description lists (<dl>) are not supported in article bodies".to_owned(),
                ));
            }
            "details" | "summary" if self.switches.details == Details::Keep => {
                let inner = self.block_children(node, ctx)?;
                let only_inline = inner.iter().all(|s| matches!(s, Seg::Inline(_)));
                let content = if name == "summary" && only_inline {
                    let text: String = inner
                        .into_iter()
                        .map(|s| match s {
                            Seg::Inline(s) | Seg::Block(s) => s,
                        })
                        .collect();
                    collapse_inline(&text)
                } else {
                    wrap_paragraphs(inner, "")
                };
                segs.push(Seg::Block(format!("<{name}>{content}</{name}>")));
            }
            "p" | "div" | "section" | "article" | "header" | "footer" | "main" | "nav"
            | "aside" | "blockquote" | "details" | "summary" | "figure" | "figcaption"
            | "center" => self.container(node, &name, ctx, segs)?,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = heading_level(&name).unwrap_or(2);
                let level = match self.switches.headings {
                    Headings::FlattenToH2 => level.min(2),
                    // Promotion is applied once the surviving headings are known.
                    Headings::Preserve | Headings::PromoteRelative => level,
                };
                let class = align_class(node)
                    .map(|c| format!(" class=\"{c}\""))
                    .unwrap_or_default();
                let inner = self.block_children(node, ctx)?;
                for seg in group_runs(inner) {
                    match seg {
                        Seg::Inline(run) => {
                            self.levels.push(level);
                            let level = match self.switches.headings {
                                Headings::PromoteRelative => {
                                    level.saturating_sub(self.heading_shift).max(1)
                                }
                                _ => level,
                            };
                            let id = self.heading_id();
                            segs.push(Seg::Block(format!(
                                "<h{level} id=\"{id}\"{class}>{run}</h{level}>"
                            )));
                        }
                        block @ Seg::Block(_) => segs.push(block),
                    }
                }
            }
            "ul" | "ol" => segs.push(Seg::Block(self.list(node, &name, ctx)?)),
            "table" => segs.push(Seg::Block(self.table(node, ctx)?)),
            "pre" => {
                let mut text = String::new();
                text_content(node, &mut text);
                let mut escaped = String::new();
                html_text::push_text(&mut escaped, &text);
                segs.push(Seg::Block(format!("<pre><code>{escaped}</code></pre>")));
            }
            "hr" => segs.push(Seg::Block("<hr>".to_owned())),
            "br" => segs.push(Seg::Inline("<br>".to_owned())),
            "img" => segs.push(Seg::Block(self.image(node, None)?)),
            "iframe" => {
                let src = attr(node, "src").unwrap_or_default();
                if !is_video_host(&src) {
                    return Err(RewriteError(format!(
                        "iframe src must be a Youtube, Wistia, Vimeo, Loom, Vidyard or StreamIO video link, not `{src}`"
                    )));
                }
                segs.push(Seg::Block(format!(
                    "<div class=\"intercom-h2b-video\"><iframe src=\"{}\" frameborder=\"0\" webkitallowfullscreen mozallowfullscreen allowfullscreen></iframe></div>",
                    html_text::attr_strict(&src)
                )));
            }
            "a" => self.link(node, ctx, segs)?,
            "b" | "strong" => self.wrap_inline(node, "<b>", "</b>", ctx, segs)?,
            "i" | "em" => self.wrap_inline(node, "<i>", "</i>", ctx, segs)?,
            "code" => {
                let mut text = String::new();
                text_content(node, &mut text);
                let mut escaped = String::new();
                html_text::push_text(&mut escaped, &html_text::collapse_ascii(&text));
                if escaped.trim().is_empty() {
                    segs.push(Seg::Inline(escaped));
                } else {
                    segs.push(Seg::Inline(format!("<code>{escaped}</code>")));
                }
            }
            "li" | "tr" | "td" | "th" | "thead" | "tbody" | "tfoot" | "caption" => {
                // Stray table or list parts outside their container: keep the content.
                for child in node.children.borrow().iter() {
                    self.node(child, ctx, segs)?;
                }
            }
            _ => {
                // span, u, font, html, body and every other tag: keep the content.
                for child in node.children.borrow().iter() {
                    self.node(child, ctx, segs)?;
                }
            }
        }
        Ok(())
    }

    /// `p`, `div` and other containers become paragraphs; callouts are kept.
    fn container(
        &mut self,
        node: &Handle,
        name: &str,
        ctx: Context,
        segs: &mut Vec<Seg>,
    ) -> Result<(), RewriteError> {
        if name == "div" && has_class(node, "intercom-interblocks-callout") {
            let inner = self.block_children(node, ctx)?;
            let style = attr(node, "style").map(|s| {
                let known = Callout::from_style(&s);
                let s = match (self.switches.callout_colors, known) {
                    (CalloutColors::Rgba, Some(c)) => c.rgba_style(),
                    _ => s,
                };
                format!(" style=\"{}\"", html_text::attr_strict(&s))
            });
            let style = style.unwrap_or_default();
            segs.push(Seg::Block(format!(
                "<div class=\"intercom-interblocks-callout\"{style}>{}</div>",
                wrap_paragraphs(inner, "")
            )));
            return Ok(());
        }
        if name == "div"
            && has_class(node, "collapsible-section-content")
            && self.switches.details == Details::Keep
        {
            let inner = self.block_children(node, ctx)?;
            segs.push(Seg::Block(format!(
                "<div class=\"collapsible-section-content\">{}</div>",
                wrap_paragraphs(inner, "")
            )));
            return Ok(());
        }
        let align = align_class(node)
            .map(|c| format!("{c} "))
            .unwrap_or_default();
        let inner = self.block_children(node, ctx)?;
        let only_inline = inner.iter().all(|s| matches!(s, Seg::Inline(_)));
        if name == "p" && only_inline {
            let text: String = inner
                .into_iter()
                .map(|s| match s {
                    Seg::Inline(s) | Seg::Block(s) => s,
                })
                .collect();
            // Empty paragraphs are kept as spacers.
            segs.push(Seg::Block(format!(
                "<p class=\"{align}no-margin\">{}</p>",
                collapse_inline(&text)
            )));
        } else {
            segs.push(Seg::Block(wrap_paragraphs(inner, &align)));
        }
        Ok(())
    }

    fn inline_only(&mut self, node: &Handle, ctx: Context) -> Result<String, RewriteError> {
        let segs = self.block_children(node, ctx)?;
        Ok(segs
            .into_iter()
            .map(|s| match s {
                Seg::Inline(s) | Seg::Block(s) => s,
            })
            .collect())
    }

    /// Wraps each inline run of `node`'s content in `open`…`close`; blocks inside pass through.
    fn wrap_inline(
        &mut self,
        node: &Handle,
        open: &str,
        close: &str,
        ctx: Context,
        segs: &mut Vec<Seg>,
    ) -> Result<(), RewriteError> {
        let mut inner = Vec::new();
        for child in node.children.borrow().iter() {
            self.node(child, ctx, &mut inner)?;
        }
        let mut run = String::new();
        let flush = |run: &mut String, segs: &mut Vec<Seg>| {
            if strip_tags(run).trim().is_empty() && !run.contains("<br>") {
                // Nothing visible to mark up: keep at most the space.
                if run.contains(' ') {
                    segs.push(Seg::Inline(" ".to_owned()));
                }
            } else {
                segs.push(Seg::Inline(format!("{open}{run}{close}")));
            }
            run.clear();
        };
        for seg in inner {
            match seg {
                Seg::Inline(s) => run.push_str(&s),
                Seg::Block(b) => {
                    flush(&mut run, segs);
                    segs.push(Seg::Block(b));
                }
            }
        }
        flush(&mut run, segs);
        Ok(())
    }

    fn link(
        &mut self,
        node: &Handle,
        ctx: Context,
        segs: &mut Vec<Seg>,
    ) -> Result<(), RewriteError> {
        if ctx.in_link {
            for child in node.children.borrow().iter() {
                self.node(child, ctx, segs)?;
            }
            return Ok(());
        }
        let ctx = Context {
            in_link: true,
            ..ctx
        };
        let Some(href) = attr(node, "href") else {
            for child in node.children.borrow().iter() {
                self.node(child, ctx, segs)?;
            }
            return Ok(());
        };
        let href = html_text::attr_strict(&href);
        let element_children: Vec<Handle> = node
            .children
            .borrow()
            .iter()
            .filter(|c| match &c.data {
                NodeData::Text { contents } => !contents.borrow().trim().is_empty(),
                _ => true,
            })
            .cloned()
            .collect();
        if let [only] = element_children.as_slice()
            && element_name(only).as_deref() == Some("img")
        {
            segs.push(Seg::Block(self.image(only, Some(&href))?));
            return Ok(());
        }
        if has_class(node, "intercom-h2b-button") {
            let inner = self.inline_only(node, ctx)?;
            segs.push(Seg::Block(format!(
                "<div class=\"intercom-container\"><a class=\"intercom-h2b-button\" target=\"_blank\" href=\"{href}\">{}</a></div>",
                collapse_inline(&strip_tags(&inner))
            )));
            return Ok(());
        }
        let rel = if self.switches.link_rel {
            " rel=\"nofollow noopener noreferrer\""
        } else {
            ""
        };
        let open =
            format!("<a href=\"{href}\"{rel} target=\"_blank\" class=\"intercom-content-link\">");
        self.wrap_inline(node, &open, "</a>", ctx, segs)
    }

    fn image(&self, node: &Handle, link: Option<&str>) -> Result<String, RewriteError> {
        let src = attr(node, "src").unwrap_or_default();
        let url = url::Url::parse(&src)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                RewriteError(format!(
                    "Image src must be an absolute http(s) URL that Intercom can upload, not `{src}`"
                ))
            })?;
        if src.starts_with(IMAGE_PREFIX)
            && self.switches.cdn_images == CdnImages::DropUnsigned
            && !signed_validly(&src)
        {
            // Intercom fetches the URL again to re-host it; unsigned, the fetch fails.
            return Ok(String::new());
        }
        let hosted = if src.starts_with(IMAGE_PREFIX) {
            // Already re-hosted (a body read back and sent again): keep the stable part.
            src.split(['?', '#']).next().unwrap_or(&src).to_owned()
        } else {
            let digest = Sha256::digest(src.as_bytes());
            let number = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) >> 4;
            let file = url
                .path_segments()
                .and_then(|mut s| s.next_back().map(str::to_owned))
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| "image".to_owned());
            format!(
                "{IMAGE_PREFIX}{number}/{}/{file}",
                hex::encode(&digest[4..16])
            )
        };
        let alt = attr(node, "alt")
            .filter(|a| !a.is_empty())
            .map(|a| format!(" alt=\"{}\"", html_text::attr_strict(&a)))
            .unwrap_or_default();
        let img = format!("<img src=\"{}\"{alt}>", html_text::attr_strict(&hosted));
        Ok(match link {
            Some(href) => format!(
                "<div class=\"intercom-container\"><a target=\"_blank\" href=\"{href}\">{img}</a></div>"
            ),
            None => format!("<div class=\"intercom-container\">{img}</div>"),
        })
    }

    fn list(&mut self, node: &Handle, tag: &str, ctx: Context) -> Result<String, RewriteError> {
        if ctx.in_list && self.switches.nested_lists == NestedLists::Reject {
            return Err(RewriteError(
                "Nested lists are not supported: a list cannot contain another list".to_owned(),
            ));
        }
        let inner_ctx = Context {
            in_list: true,
            ..ctx
        };
        let mut items = String::new();
        let mut non_empty = false;
        for child in node.children.borrow().iter() {
            match element_name(child).as_deref() {
                Some("li") => {
                    let content = wrap_paragraphs(self.block_children(child, inner_ctx)?, "");
                    non_empty |= has_visible_content(&content);
                    let _ = write!(items, "<li>{content}</li>");
                }
                Some(_) => {
                    let content = wrap_paragraphs(self.block_children(child, inner_ctx)?, "");
                    if !content.is_empty() {
                        non_empty |= has_visible_content(&content);
                        let _ = write!(items, "<li>{content}</li>");
                    }
                }
                None => {}
            }
        }
        if !non_empty {
            return Err(RewriteError(
                "Lists need at least one non-empty <li>".to_owned(),
            ));
        }
        Ok(format!("<{tag}>{items}</{tag}>"))
    }

    fn table(&mut self, node: &Handle, ctx: Context) -> Result<String, RewriteError> {
        if ctx.in_table {
            return Err(RewriteError(
                "A table cannot contain another table".to_owned(),
            ));
        }
        if ctx.in_list {
            return Err(RewriteError(
                "A list item cannot contain a table".to_owned(),
            ));
        }
        let inner_ctx = Context {
            in_table: true,
            ..ctx
        };
        let mut rows = Vec::new();
        collect_rows(node, &mut rows);
        let mut out = String::new();
        let mut cells = 0;
        for row in rows {
            out.push_str("<tr>");
            for cell in row.children.borrow().iter() {
                if matches!(element_name(cell).as_deref(), Some("td" | "th")) {
                    cells += 1;
                    let content = wrap_paragraphs(self.block_children(cell, inner_ctx)?, "");
                    let content = if content.is_empty() {
                        "<p class=\"no-margin\"></p>".to_owned()
                    } else {
                        content
                    };
                    let _ = write!(out, "<td>{content}</td>");
                }
            }
            out.push_str("</tr>");
        }
        if cells == 0 {
            return Err(RewriteError(
                "Tables must have at least one row and one cell".to_owned(),
            ));
        }
        Ok(format!(
            "<div class=\"intercom-interblocks-table-container\"><table role=\"presentation\"><tbody>{out}</tbody></table></div>"
        ))
    }
}

/// Whether rewritten item HTML shows something: text other than whitespace, an image or a
/// video. An item holding only an empty `<pre><code></code></pre>`, an empty paragraph or a
/// `<br>` is empty (a real article whose item was only an opening code fence got this 400).
fn has_visible_content(html: &str) -> bool {
    if html.contains("<img") || html.contains("<iframe") {
        return true;
    }
    let mut in_tag = false;
    html.chars().any(|c| match c {
        '<' => {
            in_tag = true;
            false
        }
        '>' => {
            in_tag = false;
            false
        }
        c => !in_tag && !c.is_whitespace(),
    })
}

fn collect_rows(node: &Handle, rows: &mut Vec<Handle>) {
    for child in node.children.borrow().iter() {
        match element_name(child).as_deref() {
            Some("tr") => rows.push(child.clone()),
            Some("thead" | "tbody" | "tfoot") => collect_rows(child, rows),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(html: &str) -> Result<String, RewriteError> {
        rewrite_with(html, &Switches::default())
    }

    fn rewrite_with(html: &str, switches: &Switches) -> Result<String, RewriteError> {
        let mut rng = fastrand::Rng::with_seed(7);
        rewrite_body(html, switches, &mut rng)
    }

    fn strip_ids(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(at) = rest.find(" id=\"h_") {
            out.push_str(&rest[..at]);
            rest = &rest[at + 18..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn paragraphs_and_bare_text() {
        assert_eq!(
            rewrite("Body of the Article").unwrap(),
            "<p class=\"no-margin\">Body of the Article</p>"
        );
        assert_eq!(
            rewrite("<p>New gifts in store for the jolly season</p>").unwrap(),
            "<p class=\"no-margin\">New gifts in store for the jolly season</p>"
        );
        assert_eq!(
            rewrite("<p class=\"intercom-align-center\">c</p>").unwrap(),
            "<p class=\"intercom-align-center no-margin\">c</p>"
        );
        assert_eq!(rewrite("").unwrap(), "");
    }

    #[test]
    fn inline_marks_and_links() {
        assert_eq!(
            rewrite("<p><strong>b</strong> <em>i</em> <code>c&lt;</code></p>").unwrap(),
            "<p class=\"no-margin\"><b>b</b> <i>i</i> <code>c&lt;</code></p>"
        );
        assert_eq!(
            rewrite("<p><a href=\"https://example.com/?a=1&amp;b=2\">x</a></p>").unwrap(),
            "<p class=\"no-margin\"><a href=\"https://example.com/?a=1&amp;b=2\" target=\"_blank\" class=\"intercom-content-link\">x</a></p>"
        );
        let rel = Switches {
            link_rel: true,
            ..Switches::default()
        };
        assert!(
            rewrite_with("<a href=\"https://e.com\">x</a>", &rel)
                .unwrap()
                .contains("rel=\"nofollow noopener noreferrer\"")
        );
    }

    #[test]
    fn headings_per_switch() {
        let html = "<h2>A</h2><h3>B</h3>";
        assert_eq!(strip_ids(&rewrite(html).unwrap()), "<h2>A</h2><h3>B</h3>");
        let flat = Switches {
            headings: Headings::FlattenToH2,
            ..Switches::default()
        };
        assert_eq!(
            strip_ids(&rewrite_with(html, &flat).unwrap()),
            "<h2>A</h2><h2>B</h2>"
        );
        let promote = Switches {
            headings: Headings::PromoteRelative,
            ..Switches::default()
        };
        assert_eq!(
            strip_ids(&rewrite_with(html, &promote).unwrap()),
            "<h1>A</h1><h2>B</h2>"
        );
        let out = rewrite("<h1>T</h1>").unwrap();
        assert!(out.starts_with("<h1 id=\"h_"), "{out}");
        assert_eq!(out.len(), "<h1 id=\"h_0123456789\">T</h1>".len());
    }

    #[test]
    fn lists_tables_and_blocks() {
        assert_eq!(
            rewrite("<ul><li>a</li><li><p>b</p></li></ul>").unwrap(),
            "<ul><li><p class=\"no-margin\">a</p></li><li><p class=\"no-margin\">b</p></li></ul>"
        );
        assert_eq!(
            rewrite("<table><thead><tr><th>H</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>").unwrap(),
            "<div class=\"intercom-interblocks-table-container\"><table role=\"presentation\"><tbody><tr><td><p class=\"no-margin\">H</p></td></tr><tr><td><p class=\"no-margin\">1</p></td></tr></tbody></table></div>"
        );
        assert_eq!(
            rewrite("<div>x</div><span>y</span><script>bad()</script><form><input></form>")
                .unwrap(),
            "<p class=\"no-margin\">x</p><p class=\"no-margin\">y</p>"
        );
        assert_eq!(
            rewrite("<pre><code>a &lt; b\n  c</code></pre><hr>").unwrap(),
            "<pre><code>a &lt; b\n  c</code></pre><hr>"
        );
        let callout = "<div class=\"intercom-interblocks-callout\" style=\"background-color: #e8e8e880; border-color: #73737633;\"><p>note</p></div>";
        assert_eq!(
            rewrite(callout).unwrap(),
            "<div class=\"intercom-interblocks-callout\" style=\"background-color: #e8e8e880; border-color: #73737633;\"><p class=\"no-margin\">note</p></div>"
        );
        assert_eq!(
            rewrite("<iframe src=\"https://www.youtube.com/embed/x?rel=0\"></iframe>").unwrap(),
            "<div class=\"intercom-h2b-video\"><iframe src=\"https://www.youtube.com/embed/x?rel=0\" frameborder=\"0\" webkitallowfullscreen mozallowfullscreen allowfullscreen></iframe></div>"
        );
    }

    #[test]
    fn images_are_rehosted_and_signed_per_read() {
        let out = rewrite("<p>see <img src=\"https://example.com/a/pic.png\"> here</p>").unwrap();
        assert!(out.starts_with("<p class=\"no-margin\">see</p><div class=\"intercom-container\"><img src=\"https://downloads.intercomcdn.com/i/o/"), "{out}");
        assert!(
            out.contains("/pic.png\"></div><p class=\"no-margin\">here</p>"),
            "{out}"
        );
        // Stable across saves, and a read-back URL keeps its stable part.
        assert_eq!(
            out,
            rewrite("<p>see <img src=\"https://example.com/a/pic.png\"> here</p>").unwrap()
        );
        let mut rng = fastrand::Rng::with_seed(1);
        let a = sign_images(&out, 100, &mut rng);
        let b = sign_images(&out, 100, &mut rng);
        assert_ne!(a, b);
        assert!(a.contains("/pic.png?expires=700&amp;signature="), "{a}");
        let start = a.find("https://downloads").unwrap();
        let src = &a[start..start + a[start..].find('"').unwrap()].replace("&amp;", "&");
        let again = rewrite(&format!("<img src=\"{src}\">")).unwrap();
        assert!(out.contains(&again), "{again}");
    }

    #[test]
    fn cdn_images_keep_a_valid_signature_or_are_dropped_per_switch() {
        let drop = Switches {
            cdn_images: CdnImages::DropUnsigned,
            ..Switches::default()
        };
        let stored = rewrite("<img src=\"https://example.com/a/pic.png\">").unwrap();
        let mut rng = fastrand::Rng::with_seed(3);
        let signed = sign_images(&stored, 100, &mut rng);
        let start = signed.find("https://downloads").unwrap();
        let src = signed[start..start + signed[start..].find('"').unwrap()].replace("&amp;", "&");
        let unsigned = src.split('?').next().unwrap().to_owned();
        let forged = src.replace("signature=", "signature=0");
        for (switches, name) in [(Switches::default(), "accept"), (drop, "drop")] {
            let with = |s: &str| rewrite_with(&format!("<p>t</p><img src=\"{s}\">"), &switches);
            assert_eq!(
                with(&src).unwrap(),
                format!("<p class=\"no-margin\">t</p>{stored}"),
                "{name}"
            );
            let expect_kept = name == "accept";
            for other in [&unsigned, &forged] {
                assert_eq!(
                    with(other).unwrap().contains("<img"),
                    expect_kept,
                    "{name} {other}"
                );
            }
        }
        // Images from anywhere else are re-hosted under both settings.
        assert!(
            rewrite_with("<img src=\"https://example.com/b.png\">", &drop)
                .unwrap()
                .contains("<img")
        );
    }

    #[test]
    fn details_are_kept_or_flattened_per_switch() {
        let html = "<details><summary><h2>Title</h2></summary><div class=\"collapsible-section-content\"><p>Body <b>bold</b></p></div></details>";
        let kept = strip_ids(&rewrite(html).unwrap());
        assert_eq!(
            kept,
            "<details><summary><h2>Title</h2></summary><div class=\"collapsible-section-content\"><p class=\"no-margin\">Body <b>bold</b></p></div></details>"
        );
        assert_idempotent(html, &Switches::default());
        let flat = Switches {
            details: Details::Flatten,
            ..Switches::default()
        };
        assert_eq!(
            strip_ids(&rewrite_with(html, &flat).unwrap()),
            "<h2>Title</h2><p class=\"no-margin\">Body <b>bold</b></p>"
        );
        assert_eq!(
            rewrite("<details><summary>plain</summary>text</details>").unwrap(),
            "<details><summary>plain</summary><p class=\"no-margin\">text</p></details>"
        );
    }

    #[test]
    fn callout_colours_come_back_as_sent_or_as_rgba() {
        let html = "<div class=\"intercom-interblocks-callout\" style=\"background-color: #d7efdc80; border-color: #1bb15733;\"><p>tip</p></div>";
        assert!(
            rewrite(html)
                .unwrap()
                .contains("style=\"background-color: #d7efdc80; border-color: #1bb15733;\"")
        );
        let rgba = Switches {
            callout_colors: CalloutColors::Rgba,
            ..Switches::default()
        };
        assert_eq!(
            rewrite_with(html, &rgba).unwrap(),
            "<div class=\"intercom-interblocks-callout\" style=\"background-color: rgba(215, 239, 220, 0.5); border-color: rgba(27, 177, 87, 0.2);\"><p class=\"no-margin\">tip</p></div>"
        );
        assert_idempotent(html, &rgba);
    }

    #[test]
    fn rejections() {
        for bad in [
            "<dl><dt>a</dt><dd>b</dd></dl>",
            "<iframe src=\"https://evil.example/x\"></iframe>",
            "<img src=\"/relative.png\">",
            "<img src=\"data:image/png;base64,AAAA\">",
            "<ul></ul>",
            "<ul><li> </li></ul>",
            "<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>",
            "<ul><li><table><tr><td>x</td></tr></table></li></ul>",
            "<table></table>",
            "<ol><li><pre><code></code></pre></li></ol>",
            "<ul><li><p></p></li><li><br></li></ul>",
        ] {
            assert!(rewrite(bad).is_err(), "{bad} should be rejected");
        }
        let reject = Switches {
            nested_lists: NestedLists::Reject,
            ..Switches::default()
        };
        assert_eq!(
            rewrite_with("<ul><li>a<ul><li>b</li></ul></li></ul>", &reject),
            Err(RewriteError(
                "Nested lists are not supported: a list cannot contain another list".to_owned()
            ))
        );
        assert_eq!(
            rewrite("<ul><li></li></ul>"),
            Err(RewriteError(
                "Lists need at least one non-empty <li>".to_owned()
            ))
        );
        let accept = Switches {
            nested_lists: NestedLists::Accept,
            ..Switches::default()
        };
        assert_eq!(
            rewrite_with("<ul><li>a<ul><li>b</li></ul></li></ul>", &accept).unwrap(),
            "<ul><li><p class=\"no-margin\">a</p><ul><li><p class=\"no-margin\">b</p></li></ul></li></ul>"
        );
    }

    /// Sending back what was read gives the same body again (apart from heading ids).
    fn assert_idempotent(html: &str, switches: &Switches) {
        let Ok(first) = rewrite_with(html, switches) else {
            return;
        };
        let mut rng = fastrand::Rng::with_seed(3);
        let read = sign_images(&first, 1, &mut rng);
        let second = rewrite_with(&read, switches)
            .unwrap_or_else(|e| panic!("re-sending {read:?} failed: {e}"));
        assert_eq!(strip_ids(&first), strip_ids(&second), "input {html:?}");
    }

    #[test]
    fn reading_and_resending_is_stable() {
        let samples = [
            "<h1>H1</h1><h2>Heading 2</h2><h3>Heading 3</h3><p>normal text</p><p><b>bold</b></p><p><i>italic</i></p><p><b><i>bi</i></b></p><p><code>inline code</code></p><p><a href=\"https://example.com/link\">link text</a></p><p class=\"intercom-align-center\">centered</p><img src=\"https://example.com/image.png\"><table><tr><td>A1</td><td>B1</td></tr></table><hr><ul><li>list item 1</li></ul><ol><li>step 1</li></ol><pre><code>code block</code></pre>",
            "<div class=\"intercom-interblocks-callout\" style=\"background-color: #e8e8e880; border-color: #73737633;\"><p>gray callout</p></div>",
            "<a href=\"https://intercom.com\"><img src=\"https://example.com/x.jpg?a=1&b=2\"></a>",
            "<a class=\"intercom-h2b-button\" href=\"https://intercom.com\">Button</a>",
            "<iframe src=\"https://www.youtube.com/embed/jqO8AQHj7Fw?rel=0\"></iframe><p></p>",
            "text & <more> &amp; stuff<br>line two",
            "<blockquote><p>quoted</p> tail</blockquote><details><summary>s</summary>body</details>",
        ];
        for switches in [
            Switches::default(),
            Switches {
                link_rel: true,
                nested_lists: NestedLists::Accept,
                ..Switches::default()
            },
        ] {
            for sample in samples {
                assert_idempotent(sample, &switches);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_tag_soup_is_handled_and_stable(parts in proptest::collection::vec(proptest::sample::select(vec![
            "<p>", "</p>", "<div>", "</div>", "<h2>", "</h2>", "<h4>", "</h4>", "<ul>", "</ul>", "<ol>", "<li>", "</li>",
            "<table>", "<tr>", "<td>", "<th>", "</table>", "<b>", "</b>", "<em>", "</em>", "<a href=\"https://e.com/?q=1&r=2\">", "</a>",
            "<img src=\"https://e.com/p.png\">", "<br>", "<hr>", "<pre>", "</pre>", "<code>", "</code>", "<span>", "</span>",
            "text", " ", "\n", "&amp;", "&nbsp;", "<h1>", "</h1>", "<iframe src=\"https://youtu.be/x\"></iframe>", "<div class=\"intercom-interblocks-callout\">", "<", ">", "\"", "é", "<script>x</script>", "<blockquote>", "</blockquote>",
        ]), 0..24)) {
            let html: String = parts.concat();
            for headings in [Headings::Preserve, Headings::PromoteRelative] {
                let switches = Switches { headings, nested_lists: NestedLists::Accept, ..Switches::default() };
                assert_idempotent(&html, &switches);
            }
        }
    }
}
