//! The emphasis check: the bold/italic structure and text of inline HTML compared with what
//! the Markdown written for it reads back as, so awkward emphasis falls back to HTML.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{Handle, NodeData, attr, children, element_name, has_class, text_content};

/// The bold/italic structure and text of inline HTML: `B`…`b` around bold, `I`…`i` around
/// italic, and every non-space character of the text (what [`markdown_signature`] reads back).
pub(super) fn dom_signature(node: &Handle, in_bold: bool, in_italic: bool, out: &mut String) {
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
pub(super) fn has_visible_content(node: &Handle) -> bool {
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
pub(super) fn markdown_signature(markdown: &str) -> String {
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
