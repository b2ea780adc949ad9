//! The Markdown walk: pulldown-cmark events → Intercom HTML, generated allow-listed by
//! construction (no HTML parse for documents without raw HTML). Raw HTML is handed to
//! [`super::sanitize`], and only documents that contain some get a final ammonia pass.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::iter::Peekable;
use std::ops::Range;
use std::path::PathBuf;

use pulldown_cmark::{
    BlockQuoteKind, Event, HeadingLevel, LinkType, OffsetIter, Options, Parser, Tag, TagEnd,
};

use super::callouts::Callout;
use super::escape::{push_attr, push_text};
use super::links::{Resolver, Target};
use super::sanitize::RawHtml;
use super::{MAX_NESTING, Problem, Rendered, video};
use crate::content::model::{ArticleFile, LocalArticle, Project};

mod raw_html;
use crate::diagnostics::{Diagnostic, Severity};

/// The Markdown dialect: `CommonMark` + GFM tables and alerts; strikethrough and task lists are
/// parsed only so they can be degraded with a warning.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
}

/// Renders one article file.
pub fn render(project: &Project, article: &LocalArticle, file: &ArticleFile) -> Rendered {
    render_with_repair_flag(project, article, file).0
}

/// Renders one article file; also says whether the raw HTML needed the repair pass.
pub(super) fn render_with_repair_flag(
    project: &Project,
    article: &LocalArticle,
    file: &ArticleFile,
) -> (Rendered, bool) {
    let mut src: Cow<'_, str> = if file.markdown.contains('\r') {
        Cow::Owned(file.markdown.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(&file.markdown)
    };
    if src.contains('\0') {
        // CommonMark: U+0000 is replaced by U+FFFD (same length in lines, so locations hold).
        src = Cow::Owned(src.replace('\0', "\u{FFFD}"));
    }
    let mut w = Writer::new(&src, Resolver::new(project, article, file));
    let mut events = Parser::new_ext(&src, options())
        .into_offset_iter()
        .peekable();
    while let Some((event, range)) = events.next() {
        w.event(event, range, &mut events);
    }
    w.raw.document_ends();
    let html = if w.too_deep {
        // Never sent (it is an error), and too deep to repair or parse in linear time.
        String::new()
    } else if w.raw.needs_repair {
        super::sanitize::clean(&w.out)
    } else {
        w.out
    };
    let rendered = Rendered {
        html,
        diagnostics: locate(&src, file, w.problems),
        links: w.links,
        assets: w.assets,
    };
    (rendered, w.raw.needs_repair)
}

/// The paragraph being written; its `<p>` opens lazily so images can be lifted out as blocks.
#[derive(Debug, Default)]
struct Para {
    open: bool,
    /// Text was written in this paragraph before the current point.
    had_text: bool,
    /// An image block was lifted out of this paragraph.
    had_image: bool,
    split_warned: bool,
    offset: usize,
}

/// How an open link was written, so its end can match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkKind {
    Inline { emitted: bool },
    ImageBlock { emitted: bool },
}

#[derive(Debug)]
struct Image {
    target: Target,
    alt: String,
    depth: usize,
}

pub(super) struct Writer<'a> {
    pub src: &'a str,
    pub out: String,
    /// (source offset, problem).
    pub problems: Vec<(usize, Problem)>,
    pub resolver: Resolver<'a>,
    pub links: Vec<String>,
    pub assets: Vec<PathBuf>,
    pub raw: RawHtml,
    para: Option<Para>,
    /// Open inline tags (emphasis, strong, links) in the current paragraph.
    inline_depth: usize,
    link_stack: Vec<LinkKind>,
    image: Option<Image>,
    /// Open list items (Markdown).
    pub item_depth: usize,
    /// Per open list: whether its task-list warning was given.
    lists: Vec<bool>,
    /// Per open list: its source offset and [`Self::visible`] when it opened.
    list_starts: Vec<(usize, u64)>,
    /// Count of visible things written so far (text, an image, a video): a list whose items
    /// add none is refused by Intercom ("Lists need at least one non-empty <li>").
    visible: u64,
    pub in_table: bool,
    table_head: bool,
    head_cell_bold: bool,
    in_code: bool,
    quotes: Vec<bool>,
    /// The HTML block being collected: text and (text offset, source offset) segments.
    html_block: Option<(String, Vec<(usize, usize)>)>,
    /// Open Markdown blocks: (id, whether only phrasing content may go in it).
    ctx: Vec<(u32, bool)>,
    next_ctx: u32,
    /// Open Markdown elements (every `Start` not yet ended).
    md_depth: usize,
    /// The nesting bound was passed (reported once; the body is not rendered).
    too_deep: bool,
}

type Events<'e> = Peekable<OffsetIter<'e, pulldown_cmark::DefaultBrokenLinkCallback>>;

impl<'a> Writer<'a> {
    fn new(src: &'a str, resolver: Resolver<'a>) -> Self {
        Self {
            src,
            out: String::with_capacity(src.len() + src.len() / 4 + 64),
            problems: Vec::new(),
            resolver,
            links: Vec::new(),
            assets: Vec::new(),
            raw: RawHtml::default(),
            para: None,
            inline_depth: 0,
            link_stack: Vec::new(),
            image: None,
            item_depth: 0,
            lists: Vec::new(),
            list_starts: Vec::new(),
            visible: 0,
            in_table: false,
            table_head: false,
            head_cell_bold: false,
            in_code: false,
            quotes: Vec::new(),
            html_block: None,
            ctx: Vec::new(),
            next_ctx: 0,
            md_depth: 0,
            too_deep: false,
        }
    }

    /// Reports content nested deeper than [`MAX_NESTING`] (once): every later stage walks the
    /// body as a tree, so the depth is bounded here, where the author can be told where.
    pub fn depth_check(&mut self, offset: usize) {
        if self.too_deep || self.md_depth + self.raw.depth() <= MAX_NESTING {
            return;
        }
        self.too_deep = true;
        self.problem(
            offset,
            Problem::error(
                "nesting-too-deep",
                format!("content nested more than {MAX_NESTING} levels deep (lists, quotes, emphasis or HTML elements)"),
            )
            .hint("flatten the structure: Intercom's editor cannot show it either"),
        );
    }

    pub fn problem(&mut self, offset: usize, problem: Problem) {
        self.problems.push((offset, problem));
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>, events: &mut Events<'_>) {
        match &event {
            Event::Start(_) => {
                self.md_depth += 1;
                self.depth_check(range.start);
            }
            Event::End(_) => self.md_depth = self.md_depth.saturating_sub(1),
            _ => {}
        }
        if self.image.is_some() {
            self.image_event(&event);
            return;
        }
        if self.raw.suppressing() {
            match &event {
                Event::Text(_)
                | Event::Code(_)
                | Event::SoftBreak
                | Event::HardBreak
                | Event::TaskListMarker(_)
                | Event::InlineMath(_)
                | Event::DisplayMath(_)
                | Event::FootnoteReference(_) => return,
                Event::End(
                    TagEnd::Paragraph
                    | TagEnd::Heading(_)
                    | TagEnd::TableCell
                    | TagEnd::Item
                    | TagEnd::HtmlBlock,
                ) => self.raw_end_of_block(range.start),
                _ => {}
            }
        }
        match &event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t)
                if !t.trim().is_empty() =>
            {
                self.visible += 1;
            }
            Event::TaskListMarker(_)
            | Event::FootnoteReference(_)
            | Event::Start(Tag::Image { .. }) => self.visible += 1,
            _ => {}
        }
        match event {
            Event::Start(tag) => self.start(tag, range, events),
            Event::End(tag) => self.end(tag, range),
            Event::Text(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                self.text(&text);
            }
            Event::Code(code) => {
                self.ensure_p();
                self.out.push_str("<code>");
                push_text(&mut self.out, &code);
                self.out.push_str("</code>");
            }
            Event::Html(text) => {
                if let Some((buf, segs)) = &mut self.html_block {
                    segs.push((buf.len(), range.start));
                    buf.push_str(&text);
                }
            }
            Event::InlineHtml(text) => {
                let mut frag = String::new();
                self.raw_html(&text, &[(0, range.start)], &mut frag);
                self.count_visible_html(&frag);
                if !frag.is_empty() {
                    self.ensure_p();
                    self.out.push_str(&frag);
                }
            }
            Event::FootnoteReference(label) => {
                self.ensure_p();
                self.out.push_str("[^");
                push_text(&mut self.out, &label);
                self.out.push(']');
            }
            Event::SoftBreak => {
                if self.para.as_ref().is_none_or(|p| p.open) {
                    self.out.push('\n');
                }
            }
            Event::HardBreak => {
                if self.para.as_ref().is_none_or(|p| p.open) {
                    self.out.push_str("<br>");
                }
            }
            Event::Rule => self.out.push_str("<hr>\n"),
            Event::TaskListMarker(checked) => {
                if let Some(warned) = self.lists.last_mut() {
                    if !*warned {
                        *warned = true;
                        self.problems.push((
                            range.start,
                            Problem::warning(
                                "task-list",
                                "task lists are not supported by Intercom: checkboxes become ☐/☑ text",
                            ),
                        ));
                    }
                }
                self.ensure_p();
                self.out.push_str(if checked { "☑ " } else { "☐ " });
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>, events: &mut Events<'_>) {
        match tag {
            Tag::Paragraph => {
                if self.video_paragraph(&range) {
                    self.visible += 1;
                    for (event, _) in events.by_ref() {
                        if matches!(event, Event::End(TagEnd::Paragraph)) {
                            break;
                        }
                    }
                    return;
                }
                self.enter(true);
                self.para = Some(Para {
                    offset: range.start,
                    ..Para::default()
                });
                self.inline_depth = 0;
            }
            Tag::Heading { level, .. } => {
                self.enter(true);
                let name = self.heading(level, range.start);
                self.out.push('<');
                self.out.push_str(name);
                self.out.push('>');
            }
            Tag::BlockQuote(kind) => {
                self.enter(false);
                self.blockquote(kind, range.start);
            }
            Tag::CodeBlock(_) => {
                // The language of a fence is dropped: Intercom keeps no code classes.
                self.out.push_str("<pre><code>");
                self.in_code = true;
            }
            Tag::HtmlBlock => self.html_block = Some((String::new(), Vec::new())),
            Tag::List(first) => {
                self.enter(false);
                if self.item_depth > 0 {
                    self.problem(
                        range.start,
                        Problem::warning(
                            "nested-list",
                            "nested list: Intercom has rejected nested lists (400) in the past",
                        )
                        .hint("flatten the list, or check the article after `apply`"),
                    );
                }
                match first {
                    Some(n) => {
                        if n != 1 {
                            self.problem(
                                range.start,
                                Problem::warning(
                                    "list-start",
                                    format!("ordered list starts at {n}: Intercom numbers every list from 1"),
                                ),
                            );
                        }
                        self.out.push_str("<ol>\n");
                    }
                    None => self.out.push_str("<ul>\n"),
                }
                self.lists.push(false);
                self.list_starts.push((range.start, self.visible));
            }
            Tag::Item => {
                self.enter(false);
                self.item_depth += 1;
                self.out.push_str("<li>");
            }
            Tag::Table(_) => {
                self.enter(false);
                if self.item_depth > 0 {
                    self.problem(
                        range.start,
                        Problem::error(
                            "table-in-list",
                            "table inside a list item: Intercom rejects the article (400)",
                        )
                        .hint("move the table out of the list"),
                    );
                }
                self.in_table = true;
                self.out.push_str("<table><tbody>\n");
            }
            Tag::TableHead => {
                self.enter(false);
                self.table_head = true;
                self.out.push_str("<tr>");
            }
            Tag::TableRow => {
                self.enter(false);
                self.out.push_str("<tr>");
            }
            Tag::TableCell => {
                self.enter(false);
                self.out.push_str("<td>");
                self.head_cell_bold = self.table_head
                    && !matches!(events.peek(), Some((Event::End(TagEnd::TableCell), _)));
                if self.head_cell_bold {
                    self.out.push_str("<b>");
                }
            }
            Tag::Emphasis => self.inline_open("<i>"),
            Tag::Strong => self.inline_open("<b>"),
            Tag::Strikethrough | Tag::Superscript | Tag::Subscript => {
                self.problem(
                    range.start,
                    Problem::warning(
                        "strikethrough",
                        "strikethrough is not supported by Intercom: rendered as plain text",
                    ),
                );
            }
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => self.link_start(link_type, &dest_url, range.start, events),
            Tag::Image { dest_url, .. } => {
                let mut problems = Vec::new();
                let target = self.resolver.image(&dest_url, &mut problems);
                self.add_problems(range.start, problems);
                self.image = Some(Image {
                    target,
                    alt: String::new(),
                    depth: 1,
                });
            }
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd, range: Range<usize>) {
        match tag {
            TagEnd::Paragraph => {
                self.leave();
                if let Some(p) = self.para.take() {
                    if p.open {
                        self.out.push_str("</p>\n");
                    }
                }
            }
            TagEnd::Heading(level) => {
                self.leave();
                self.out.push_str("</");
                self.out.push_str(heading_name(level));
                self.out.push_str(">\n");
            }
            TagEnd::BlockQuote(_) => {
                self.leave();
                if self.quotes.pop() == Some(true) {
                    self.out.push_str("</div>\n");
                }
            }
            TagEnd::CodeBlock => {
                if self.out.ends_with('\n') {
                    self.out.pop();
                }
                self.out.push_str("</code></pre>\n");
                self.in_code = false;
            }
            TagEnd::HtmlBlock => {
                if let Some((buf, segs)) = self.html_block.take() {
                    let mut frag = String::new();
                    self.raw_html(&buf, &segs, &mut frag);
                    self.raw_end_of_block(range.end);
                    self.count_visible_html(&frag);
                    let frag = frag.trim_matches(|c: char| c.is_ascii_whitespace());
                    if !frag.is_empty() {
                        self.out.push_str(frag);
                        self.out.push('\n');
                    }
                }
            }
            TagEnd::List(ordered) => {
                self.leave();
                self.lists.pop();
                if let Some((offset, visible)) = self.list_starts.pop() {
                    if visible == self.visible {
                        self.problem(
                            offset,
                            Problem::error(
                                "empty-list",
                                "list without a non-empty item: Intercom rejects the article (400 \"Lists need at least one non-empty <li>\")",
                            )
                            .hint("write text in an item; a code block belongs to an item only when indented under it (3 spaces after `1. `, 2 after `- `)"),
                        );
                    }
                }
                self.out
                    .push_str(if ordered { "</ol>\n" } else { "</ul>\n" });
            }
            TagEnd::Item => {
                self.leave();
                self.item_depth -= 1;
                self.out.push_str("</li>\n");
            }
            TagEnd::Table => {
                self.leave();
                self.in_table = false;
                self.out.push_str("</tbody></table>\n");
            }
            TagEnd::TableHead => {
                self.leave();
                self.table_head = false;
                self.out.push_str("</tr>\n");
            }
            TagEnd::TableRow => {
                self.leave();
                self.out.push_str("</tr>\n");
            }
            TagEnd::TableCell => {
                self.leave();
                if self.head_cell_bold {
                    self.out.push_str("</b>");
                    self.head_cell_bold = false;
                }
                self.out.push_str("</td>");
            }
            TagEnd::Emphasis => self.inline_close("</i>"),
            TagEnd::Strong => self.inline_close("</b>"),
            TagEnd::Link => {
                self.raw
                    .markdown_inline_ends(self.ctx_id(), self.inline_depth);
                match self.link_stack.pop() {
                    Some(LinkKind::Inline { emitted }) => {
                        self.inline_depth = self.inline_depth.saturating_sub(1);
                        if emitted {
                            self.out.push_str("</a>");
                        }
                    }
                    Some(LinkKind::ImageBlock { emitted }) => {
                        self.inline_depth = self.inline_depth.saturating_sub(1);
                        if emitted {
                            self.out.push_str("</a>");
                        }
                        self.out.push_str("</div>\n");
                    }
                    None => {}
                }
            }
            TagEnd::Image
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {}
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_code {
            push_text(&mut self.out, text);
            return;
        }
        let mut text = text;
        if let Some(p) = &self.para {
            if !p.open {
                text = text.trim_start();
                if text.is_empty() {
                    return;
                }
            }
        }
        self.ensure_p();
        if let Some(p) = &mut self.para {
            p.had_text = true;
        }
        push_text(&mut self.out, text);
    }

    /// Enters a Markdown block (`inline`: only phrasing content may go in it).
    fn enter(&mut self, inline: bool) {
        self.raw.markdown_block_starts();
        self.next_ctx += 1;
        self.ctx.push((self.next_ctx, inline));
    }

    fn leave(&mut self) {
        if let Some((id, _)) = self.ctx.pop() {
            self.raw.markdown_block_ends(id);
        }
    }

    /// The innermost open Markdown block (0 at the top level).
    pub fn ctx_id(&self) -> u32 {
        self.ctx.last().map_or(0, |c| c.0)
    }

    /// Whether the innermost Markdown block takes only phrasing content (`p`, `h1`…).
    pub fn in_phrasing(&self) -> bool {
        self.ctx.last().is_some_and(|c| c.1)
    }

    /// Open inline Markdown elements (emphasis, links) in the current block.
    pub fn inline_depth(&self) -> usize {
        self.inline_depth
    }

    /// Whether a Markdown link is open.
    pub fn in_link(&self) -> bool {
        !self.link_stack.is_empty()
    }

    /// Opens the pending `<p>` of the current paragraph, if any.
    pub fn ensure_p(&mut self) {
        let Some(p) = &mut self.para else { return };
        let in_image_link = self
            .link_stack
            .iter()
            .any(|l| matches!(l, LinkKind::ImageBlock { .. }));
        if p.open || in_image_link {
            return;
        }
        p.open = true;
        self.out.push_str("<p>");
        if p.had_image && !p.split_warned {
            p.split_warned = true;
            let offset = p.offset;
            self.split_warning(offset);
        }
    }

    fn split_warning(&mut self, offset: usize) {
        self.problem(
            offset,
            Problem::warning(
                "inline-image",
                "image inside a paragraph: Intercom shows images as blocks, so the paragraph is split around it",
            )
            .hint("put the image on a line of its own"),
        );
    }

    fn inline_open(&mut self, tag: &str) {
        self.ensure_p();
        self.inline_depth += 1;
        self.out.push_str(tag);
    }

    fn inline_close(&mut self, tag: &str) {
        self.raw
            .markdown_inline_ends(self.ctx_id(), self.inline_depth);
        self.inline_depth = self.inline_depth.saturating_sub(1);
        self.out.push_str(tag);
    }

    /// Whether images here become `<div class="intercom-container">` blocks (paragraph level).
    fn image_is_block(&self) -> bool {
        self.para.is_some() && self.inline_depth == 0
    }

    /// Closes the open `<p>` before an image block; warns once when the paragraph had text.
    fn lift_out_of_paragraph(&mut self) {
        let Some(p) = &mut self.para else { return };
        let warn = p.had_text && !p.split_warned;
        if warn {
            p.split_warned = true;
        }
        p.had_image = true;
        if p.open {
            p.open = false;
            p.had_text = true;
            let kept = self.out.trim_end_matches([' ', '\n', '\t']).len();
            self.out.truncate(kept);
            self.out.push_str("</p>\n");
        }
        if warn {
            let offset = p.offset;
            self.split_warning(offset);
        }
    }

    fn link_start(
        &mut self,
        link_type: LinkType,
        dest: &str,
        offset: usize,
        events: &mut Events<'_>,
    ) {
        let dest: Cow<'_, str> = if link_type == LinkType::Email && !dest.starts_with("mailto:") {
            Cow::Owned(format!("mailto:{dest}"))
        } else {
            Cow::Borrowed(dest)
        };
        let href = self.resolve_link(&dest, offset);
        let image_block = self.image_is_block()
            && matches!(events.peek(), Some((Event::Start(Tag::Image { .. }), _)));
        if image_block {
            self.lift_out_of_paragraph();
            self.out.push_str("<div class=\"intercom-container\">");
        } else {
            self.ensure_p();
        }
        if let Some(href) = &href {
            self.out.push_str("<a href=\"");
            push_attr(&mut self.out, href);
            self.out.push_str("\">");
        }
        self.inline_depth += 1;
        let emitted = href.is_some();
        self.link_stack.push(if image_block {
            LinkKind::ImageBlock { emitted }
        } else {
            LinkKind::Inline { emitted }
        });
    }

    /// Resolves a link destination to the `href` to write, recording links, assets, problems.
    pub fn resolve_link(&mut self, dest: &str, offset: usize) -> Option<String> {
        let mut problems = Vec::new();
        let target = self.resolver.link(dest, &mut problems);
        self.add_problems(offset, problems);
        self.target_url(target)
    }

    /// Resolves an image source to the `src` to write.
    pub fn resolve_image(&mut self, src: &str, offset: usize) -> Option<String> {
        let mut problems = Vec::new();
        let target = self.resolver.image(src, &mut problems);
        self.add_problems(offset, problems);
        self.target_url(target)
    }

    fn target_url(&mut self, target: Target) -> Option<String> {
        match target {
            Target::Url(url) => Some(url),
            Target::Article(key) => {
                let href = super::links::placeholder(&key);
                if !self.links.contains(&key) {
                    self.links.push(key);
                }
                Some(href)
            }
            Target::Asset { url, path } => {
                if !self.assets.contains(&path) {
                    self.assets.push(path);
                }
                Some(url)
            }
            Target::Drop => None,
        }
    }

    fn add_problems(&mut self, offset: usize, problems: Vec<Problem>) {
        self.problems
            .extend(problems.into_iter().map(|p| (offset, p)));
    }

    fn image_event(&mut self, event: &Event<'_>) {
        let Some(image) = &mut self.image else { return };
        match event {
            Event::Start(Tag::Image { .. }) => image.depth += 1,
            Event::End(TagEnd::Image) => {
                image.depth -= 1;
                if image.depth == 0 {
                    let image = self.image.take().expect("image is open");
                    self.write_image(image);
                }
            }
            Event::Text(t) | Event::Code(t) => image.alt.push_str(t),
            Event::SoftBreak | Event::HardBreak => image.alt.push(' '),
            _ => {}
        }
    }

    fn write_image(&mut self, image: Image) {
        let Some(src) = self.target_url(image.target) else {
            return;
        };
        let block = self.image_is_block();
        if block {
            self.lift_out_of_paragraph();
            self.out.push_str("<div class=\"intercom-container\">");
        } else {
            self.ensure_p();
        }
        self.out.push_str("<img src=\"");
        push_attr(&mut self.out, &src);
        self.out.push('"');
        let alt = image.alt.trim();
        if !alt.is_empty() {
            self.out.push_str(" alt=\"");
            push_attr(&mut self.out, alt);
            self.out.push('"');
        }
        self.out.push('>');
        if block {
            self.out.push_str("</div>\n");
        }
    }

    /// A paragraph that is only a video URL (bare or `<autolinked>`) becomes an embed.
    fn video_paragraph(&mut self, range: &Range<usize>) -> bool {
        let slice = self.src[range.clone()].trim();
        if !(slice.starts_with("http") || slice.starts_with("<http")) {
            return false;
        }
        let url = slice
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(slice);
        if url.contains(char::is_whitespace) {
            return false;
        }
        let Some(embed) = video::embed_url(url) else {
            return false;
        };
        self.out
            .push_str("<div class=\"intercom-h2b-video\"><iframe src=\"");
        push_attr(&mut self.out, &embed);
        self.out
            .push_str("\" frameborder=\"0\" allowfullscreen=\"\"></iframe></div>\n");
        true
    }

    /// Counts sanitized raw HTML as visible when it holds text, an image or an iframe.
    fn count_visible_html(&mut self, html: &str) {
        let mut in_tag = false;
        let mut text = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag && !c.is_whitespace() => text = true,
                _ => {}
            }
        }
        let lower = html.to_ascii_lowercase();
        if text || lower.contains("<img") || lower.contains("<iframe") {
            self.visible += 1;
        }
    }

    /// The tag name for a Markdown heading; warns (once per file) below h2.
    fn heading(&mut self, level: HeadingLevel, offset: usize) -> &'static str {
        let name = heading_name(level);
        if !matches!(level, HeadingLevel::H1 | HeadingLevel::H2) {
            self.heading_warning(offset);
        }
        name
    }

    pub fn heading_warning(&mut self, offset: usize) {
        self.problem(
            offset,
            Problem::warning(
                "heading-level",
                "heading below h2: Intercom may flatten heading levels below h2 (h5 and h6 become h4)",
            ),
        );
    }

    fn blockquote(&mut self, kind: Option<BlockQuoteKind>, offset: usize) {
        if let Some(kind) = kind {
            self.out.push_str(&Callout::for_kind(kind).open_tag());
            self.out.push('\n');
            self.quotes.push(true);
        } else {
            self.problem(
                offset,
                Problem::warning(
                    "blockquote",
                    "blockquotes are not supported by Intercom: rendered as normal paragraphs",
                )
                .hint("use a GFM alert such as `> [!NOTE]` for an Intercom callout"),
            );
            self.quotes.push(false);
        }
    }
}

fn heading_name(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 | HeadingLevel::H5 | HeadingLevel::H6 => "h4",
    }
}

/// Turns (offset, problem) pairs into diagnostics at `file:line:col`, in source order; identical
/// warnings are reported once, at the first place, with a count.
fn locate(src: &str, file: &ArticleFile, mut problems: Vec<(usize, Problem)>) -> Vec<Diagnostic> {
    problems.sort_by_key(|(offset, _)| *offset);
    let mut out: Vec<Diagnostic> = Vec::with_capacity(problems.len());
    let mut counts: Vec<usize> = Vec::with_capacity(problems.len());
    let mut line = file.body_line;
    let mut line_start = 0;
    let mut scanned = 0;
    for (offset, problem) in problems {
        let offset = offset.min(src.len());
        if problem.severity == Severity::Warning {
            let seen = out.iter().position(|d| {
                d.severity == Severity::Warning
                    && d.code == problem.code
                    && d.message == problem.message
            });
            if let Some(i) = seen {
                counts[i] += 1;
                continue;
            }
        }
        for (i, b) in src.as_bytes()[scanned..offset].iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = scanned + i + 1;
            }
        }
        scanned = offset;
        let column = src[line_start..offset].chars().count() + 1;
        let mut d = Diagnostic::error(
            problem.code,
            file.path.clone(),
            line,
            column,
            problem.message,
        );
        d.severity = problem.severity;
        d.hint = problem.hint;
        out.push(d);
        counts.push(1);
    }
    for (d, n) in out.iter_mut().zip(counts) {
        if n > 1 {
            let _ = write!(d.message, " ({n} times in this file; first shown)");
        }
    }
    out
}
