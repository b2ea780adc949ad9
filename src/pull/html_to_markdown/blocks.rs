//! Block constructs: headings, paragraphs, quotes and callouts, code blocks, rules, images,
//! videos, buttons and collapsible sections, each turned into its Markdown block.

use std::fmt::Write as _;

use super::{
    Block, CALLOUT_CLASS, CALLOUTS, Callout, Converter, Handle, Inline, NodeData, attr, children,
    element_name, find, has_class, html_text, join_blocks, longest_run, safe_lines, text_content,
    video_page_url,
};

impl Converter<'_> {
    pub(super) fn block(&mut self, node: &Handle, out: &mut Vec<Block>) {
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
    pub(super) fn details(&mut self, node: &Handle) -> String {
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

    pub(super) fn video(&mut self, iframe: &Handle) -> Option<String> {
        let src = attr(iframe, "src")?;
        if let Some(page) = video_page_url(&src) {
            return Some(page);
        }
        self.note("an embed from a host the renderer does not accept became a link");
        Some(format!("<{}>", src.replace(' ', "%20")))
    }

    /// A paragraph of inline nodes, with line starts made safe.
    pub(super) fn paragraph(&mut self, nodes: &[Handle]) -> String {
        safe_lines(&self.inline_checked(nodes, Inline::default()))
    }
}

/// The `a.intercom-h2b-button` that is the only content of `node`, if so.
pub(super) fn only_button(node: &Handle) -> Option<Handle> {
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

pub(super) fn code_block(node: &Handle) -> String {
    let mut raw = String::new();
    text_content(node, &mut raw);
    let raw = raw.strip_suffix('\n').unwrap_or(&raw);
    let longest = longest_run(raw, '`');
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}\n{raw}\n{fence}")
}
