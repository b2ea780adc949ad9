//! The Markdown writer's handling of raw HTML: each fragment the Markdown walk meets (an
//! inline tag or a whole HTML block) is scanned with [`super::super::sanitize`]'s tokenizer
//! and allow-list and re-emitted from scratch, with located warnings and errors for what is
//! dropped. In: the fragment and its source offsets; out: HTML appended to the body.

use super::Writer;
use crate::render::callouts::{self, Callout};
use crate::render::escape::{decode_entities, push_attr, push_text};
use crate::render::sanitize::{
    Action, DIV_CLASSES, Suppress, Token, attr, classify, find_end_tag, is_rawtext, is_void,
    next_token, short, source_offset,
};
use crate::render::{Problem, video};

impl Writer<'_> {
    /// Sanitizes one raw HTML fragment (an inline tag or a whole HTML block) into `out`.
    /// `segs` maps positions in `text` to source offsets (text offset, source offset).
    pub(super) fn raw_html(&mut self, text: &str, segs: &[(usize, usize)], out: &mut String) {
        let mut pos = 0;
        while let Some((token, next)) = next_token(text, pos) {
            let offset = source_offset(segs, pos);
            if let Some(sup) = &mut self.raw.suppress {
                if sup.rawtext {
                    let end = find_end_tag(text, pos, &sup.name);
                    if let Some(end) = end {
                        self.raw.suppress = None;
                        pos = end;
                    } else {
                        pos = text.len();
                    }
                    continue;
                }
                match &token {
                    Token::Start { name, .. } if *name == sup.name => sup.depth += 1,
                    Token::End { name } if *name == sup.name => {
                        sup.depth -= 1;
                        if sup.depth == 0 {
                            self.raw.suppress = None;
                        }
                    }
                    _ => {}
                }
                pos = next;
                continue;
            }
            match token {
                Token::Text(t) => {
                    if self.raw.in_structure() && !t.trim_ascii().is_empty() {
                        self.raw.needs_repair = true;
                    }
                    push_text(out, &decode_entities(t));
                }
                Token::Comment => {}
                Token::Declaration => {
                    self.stripped(offset, format!("`{}` removed", short(&text[pos..next])));
                }
                Token::Start { name, attrs } => self.raw_start(&name, &attrs, offset, out),
                Token::End { name } => self.raw_end(&name, out),
            }
            pos = next;
        }
    }

    /// Ends any removal that the enclosing Markdown block leaves open (`<script>` never closed).
    pub(super) fn raw_end_of_block(&mut self, _offset: usize) {
        if let Some(sup) = self.raw.suppress.take() {
            self.problem(
                sup.offset,
                Problem::warning(
                    "html-stripped",
                    format!(
                        "`<{}>` is never closed: removed up to the end of the block",
                        sup.name
                    ),
                ),
            );
        }
    }

    fn stripped(&mut self, offset: usize, message: String) {
        self.problem(offset, Problem::warning("html-stripped", message));
    }

    fn raw_start(
        &mut self,
        name: &str,
        attrs: &[(String, String)],
        offset: usize,
        out: &mut String,
    ) {
        for (attr, _) in attrs {
            if attr.starts_with("on") {
                self.problem(
                    offset,
                    Problem::warning(
                        "html-attribute-stripped",
                        format!("event handler `{attr}` removed from `<{name}>`"),
                    ),
                );
            }
        }
        if name == "dl" {
            self.problem(
                offset,
                Problem::error(
                    "html-dl",
                    "`<dl>` (definition list): Intercom rejects the article (400)",
                )
                .hint("use a list or a table instead"),
            );
            return;
        }
        let action = classify(name);
        let keep = match action {
            Action::Keep(keep) => keep,
            Action::UnwrapQuiet => return,
            Action::Unwrap => {
                self.stripped(
                    offset,
                    format!("`<{name}>` is not supported by Intercom: tag removed, content kept"),
                );
                return;
            }
            Action::RemoveVoid => {
                self.stripped(offset, format!("`<{name}>` removed"));
                return;
            }
            Action::Remove => {
                self.stripped(offset, format!("`<{name}>` removed with its content"));
                self.suppress(name, offset);
                return;
            }
        };
        self.raw_keep(keep, name, attrs, offset, out);
        self.depth_check(offset);
    }

    fn raw_keep(
        &mut self,
        keep: &'static str,
        name: &str,
        attrs: &[(String, String)],
        offset: usize,
        out: &mut String,
    ) {
        match keep {
            "iframe" => self.raw_iframe(attrs, offset, out),
            "a" => self.raw_link(attrs, offset, out),
            "img" => self.raw_image(attrs, offset, out),
            "div" => self.raw_div(attrs, offset, out),
            _ => {
                self.context_checks(keep, name, offset);
                out.push('<');
                out.push_str(keep);
                let allowed_class = matches!(keep, "p" | "h1" | "h2" | "h3" | "h4");
                for (attr, value) in attrs {
                    if attr.starts_with("on") {
                        continue;
                    }
                    if allowed_class && attr == "class" && value.trim() == "intercom-align-center" {
                        out.push_str(" class=\"intercom-align-center\"");
                    } else if !(keep == "code" && attr == "class" && value.starts_with("language-"))
                    {
                        self.attribute_removed(attr, name, offset);
                    }
                }
                out.push('>');
                self.raw_opened(keep);
            }
        }
    }

    /// Records a written raw start tag and whether it nests properly where it stands.
    /// (`iframe` stands for the complete video block, `img` for any complete inline element.)
    fn raw_opened(&mut self, name: &'static str) {
        let phrasing = matches!(name, "b" | "i" | "a" | "code" | "img" | "br");
        let top = self.raw.top();
        let top_is_phrasing = matches!(
            top,
            Some("b" | "i" | "a" | "code" | "p" | "h1" | "h2" | "h3" | "h4")
        );
        let parent_ok = match name {
            "tbody" => top == Some("table"),
            "tr" => top == Some("tbody"),
            "td" => top == Some("tr"),
            "li" => matches!(top, Some("ul" | "ol")),
            _ => !self.raw.in_structure(),
        };
        let nested_link =
            name == "a" && (self.in_link() || self.raw.stack.iter().any(|e| e.0 == "a"));
        if !parent_ok || nested_link || (!phrasing && (self.in_phrasing() || top_is_phrasing)) {
            self.raw.needs_repair = true;
        }
        if !matches!(name, "br" | "hr" | "img" | "iframe") {
            let entry = (name, self.ctx_id(), self.inline_depth());
            self.raw.stack.push(entry);
        }
    }

    /// Records a written raw end tag; it must close the innermost raw element of this block.
    fn raw_closed(&mut self, name: &str) {
        let here = (self.ctx_id(), self.inline_depth());
        match self.raw.stack.last() {
            Some(&(top, id, depth)) if top == name && (id, depth) == here => {
                self.raw.stack.pop();
            }
            _ => {
                self.raw.needs_repair = true;
                if let Some(i) = self.raw.stack.iter().rposition(|e| e.0 == name) {
                    self.raw.stack.truncate(i);
                }
            }
        }
    }

    fn context_checks(&mut self, keep: &str, name: &str, offset: usize) {
        match keep {
            "table" => {
                if self.item_depth > 0 || self.raw.li_depth > 0 {
                    self.problem(
                        offset,
                        Problem::error(
                            "table-in-list",
                            "table inside a list item: Intercom rejects the article (400)",
                        )
                        .hint("move the table out of the list"),
                    );
                }
                if self.in_table || self.raw.table_depth > 0 {
                    self.problem(
                        offset,
                        Problem::error(
                            "table-in-table",
                            "table inside a table: Intercom rejects the article (400)",
                        ),
                    );
                }
                self.raw.table_depth += 1;
            }
            "ul" | "ol" if self.item_depth > 0 || self.raw.li_depth > 0 => {
                self.problem(
                    offset,
                    Problem::warning(
                        "nested-list",
                        "nested list: Intercom has rejected nested lists (400) in the past",
                    )
                    .hint("flatten the list, or check the article after `apply`"),
                );
            }
            "li" => self.raw.li_depth += 1,
            "h3" | "h4" => self.heading_warning(offset),
            _ => {}
        }
        let _ = name;
    }

    fn attribute_removed(&mut self, attr: &str, name: &str, offset: usize) {
        if attr.starts_with("on") {
            return; // already reported as an event handler
        }
        self.problem(
            offset,
            Problem::warning(
                "html-attribute-stripped",
                format!("`{attr}` attribute removed from `<{name}>`: Intercom does not keep it"),
            ),
        );
    }

    fn suppress(&mut self, name: &str, offset: usize) {
        self.raw.suppress = Some(Suppress {
            name: name.to_owned(),
            depth: 1,
            rawtext: is_rawtext(name),
            offset,
        });
    }

    fn raw_iframe(&mut self, attrs: &[(String, String)], offset: usize, out: &mut String) {
        let src = attr(attrs, "src").unwrap_or_default();
        // The iframe's content is never kept: the embed is written complete here.
        self.raw.suppress = Some(Suppress {
            name: "iframe".to_owned(),
            depth: 1,
            rawtext: true,
            offset,
        });
        if let Some(embed) = video::embed_url(src) {
            // Intercom wraps video iframes in this div; write it so what we send is what it keeps.
            let wrap = self.raw.video_divs == 0;
            self.raw_opened(if wrap { "iframe" } else { "img" });
            if wrap {
                out.push_str("<div class=\"intercom-h2b-video\">");
            }
            out.push_str("<iframe src=\"");
            push_attr(out, &embed);
            out.push_str("\" frameborder=\"0\" allowfullscreen=\"\"></iframe>");
            if wrap {
                out.push_str("</div>");
            }
        } else {
            let host = url::Url::parse(src)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| short(src));
            self.problem(
                offset,
                Problem::error(
                    "iframe-host",
                    format!("`<iframe>` from `{host}`: Intercom rejects the whole article (400); only {} embeds are accepted", video::SUPPORTED),
                )
                .hint("link to the page instead, or put a video URL alone on its own line"),
            );
        }
    }

    fn raw_link(&mut self, attrs: &[(String, String)], offset: usize, out: &mut String) {
        let href = attr(attrs, "href").and_then(|h| self.resolve_link(h, offset));
        let Some(href) = href else {
            self.raw.open.push(("a", false));
            return;
        };
        out.push_str("<a href=\"");
        push_attr(out, &href);
        out.push('"');
        for (name, value) in attrs {
            match name.as_str() {
                "href" | "target" | "rel" => {}
                "class" if value.trim() == "intercom-h2b-button" => {
                    out.push_str(" class=\"intercom-h2b-button\"");
                }
                _ => self.attribute_removed(name, "a", offset),
            }
        }
        out.push('>');
        self.raw_opened("a");
        self.raw.open.push(("a", true));
    }

    fn raw_image(&mut self, attrs: &[(String, String)], offset: usize, out: &mut String) {
        let Some(src) = attr(attrs, "src") else {
            self.problem(
                offset,
                Problem::error("image-url", "`<img>` without `src`")
                    .hint("give the image a `src`, or remove it"),
            );
            return;
        };
        let Some(src) = self.resolve_image(src, offset) else {
            return;
        };
        out.push_str("<img src=\"");
        push_attr(out, &src);
        out.push('"');
        for (name, value) in attrs {
            match name.as_str() {
                "src" | "loading" | "decoding" => {}
                "alt" => {
                    if !value.trim().is_empty() {
                        out.push_str(" alt=\"");
                        push_attr(out, value.trim());
                        out.push('"');
                    }
                }
                _ => self.attribute_removed(name, "img", offset),
            }
        }
        out.push('>');
        self.raw_opened("img");
    }

    fn raw_div(&mut self, attrs: &[(String, String)], offset: usize, out: &mut String) {
        let classes: Vec<&str> = attr(attrs, "class")
            .unwrap_or_default()
            .split_ascii_whitespace()
            .filter(|c| DIV_CLASSES.contains(c))
            .collect();
        if classes.is_empty() {
            self.stripped(
                offset,
                "`<div>` without an Intercom class: tag removed, content kept".to_owned(),
            );
            self.raw.open.push(("div", false));
            return;
        }
        out.push_str("<div class=\"");
        out.push_str(&classes.join(" "));
        out.push('"');
        let callout = classes.contains(&callouts::CLASS);
        for (name, value) in attrs {
            match name.as_str() {
                "class" => {}
                "style" if callout => {
                    if let Some(c) = Callout::from_style(value) {
                        out.push_str(" style=\"");
                        out.push_str(&c.style());
                        out.push('"');
                    } else {
                        self.problem(
                            offset,
                            Problem::warning(
                                "html-attribute-stripped",
                                "callout `style` is not one of Intercom's five colour pairs: removed",
                            )
                            .hint("write the callout as a GFM alert (`> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`, `[!CAUTION]`)"),
                        );
                    }
                }
                _ => self.attribute_removed(name, "div", offset),
            }
        }
        out.push('>');
        self.raw_opened("div");
        if classes.contains(&"intercom-h2b-video") {
            self.raw.video_divs += 1;
            self.raw.open.push(("video", true));
        } else {
            self.raw.open.push(("div", true));
        }
    }

    fn raw_end(&mut self, name: &str, out: &mut String) {
        let Action::Keep(keep) = classify(name) else {
            return;
        };
        match keep {
            "a" | "div" => {
                let matches = |n: &str| n == keep || (keep == "div" && n == "video");
                if let Some(i) = self.raw.open.iter().rposition(|(n, _)| matches(n)) {
                    let (name, emitted) = self.raw.open.remove(i);
                    if name == "video" {
                        self.raw.video_divs -= 1;
                    }
                    if emitted {
                        self.raw_closed(keep);
                        out.push_str("</");
                        out.push_str(keep);
                        out.push('>');
                    }
                }
                return;
            }
            "iframe" => return,
            "table" => self.raw.table_depth = self.raw.table_depth.saturating_sub(1),
            "li" => self.raw.li_depth = self.raw.li_depth.saturating_sub(1),
            _ => {}
        }
        if is_void(keep) {
            return;
        }
        self.raw_closed(keep);
        out.push_str("</");
        out.push_str(keep);
        out.push('>');
    }
}
