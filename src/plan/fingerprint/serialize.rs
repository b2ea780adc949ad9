//! The compact serialization of the canonical tree: whitespace collapsed (verbatim inside
//! `pre`), attributes sorted; the text [`super::normalize`] returns and the fingerprint hashes.

use std::fmt::Write as _;

use super::canonical::{Node, is_inline, is_space};

/// Compact serialization with whitespace collapsed (verbatim inside `pre`).
#[derive(Default)]
pub(super) struct Serializer {
    pub(super) out: String,
    /// The last character written as text was a space (or we are at a block start).
    space: bool,
}

impl Serializer {
    pub(super) fn nodes(&mut self, nodes: &[Node], pre: bool) {
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
