//! Reading HTML bodies with html5ever, shared by the stages that read what Intercom holds: the
//! emulator's rewriter, the plan's normaliser and `pull`'s converter.
//!
//! Every one of those walks the tree recursively, so the tree they get is bounded: elements
//! nested deeper than [`MAX_DEPTH`] keep only their text ([`Body::flattened`] says so). A
//! hostile body (30,000 nested `<b>`) then costs one iterative pass here, never a stack.

use std::cell::RefCell;

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{QualName, local_name, ns};
use markup5ever_rcdom::RcDom;
pub use markup5ever_rcdom::{Handle, NodeData};

/// The deepest element nesting any stage reads or writes. `check` rejects content that nests
/// deeper ([`crate::render`]); a remote body that does is read with the deeper part as text.
pub const MAX_DEPTH: usize = 100;

/// A parsed body. Keep it alive while walking the tree: dropping the DOM detaches every node.
pub struct Body {
    dom: RcDom,
    flattened: bool,
}

impl Body {
    /// The element whose children are the body's top-level nodes (`None` when empty).
    pub fn root(&self) -> Option<Handle> {
        self.dom.document.children.borrow().first().cloned()
    }

    /// Whether elements nested deeper than [`MAX_DEPTH`] were reduced to their text.
    pub fn flattened(&self) -> bool {
        self.flattened
    }
}

/// Parses an article body as the content of a `<body>`; elements deeper than [`MAX_DEPTH`]
/// keep only their text, so the tree can be walked recursively.
pub fn parse_body(html: &str) -> Body {
    let dom = html5ever::parse_fragment(
        RcDom::default(),
        html5ever::ParseOpts::default(),
        QualName::new(None, ns!(html), local_name!("body")),
        Vec::new(),
        false,
    )
    .one(html);
    let flattened = flatten_below(&dom.document, MAX_DEPTH);
    Body { dom, flattened }
}

/// Replaces the children of every element at `max` levels below `top` by one text node holding
/// their text (in document order). Iterative; returns whether anything was replaced.
fn flatten_below(top: &Handle, max: usize) -> bool {
    let mut flattened = false;
    let mut stack: Vec<(Handle, usize)> = vec![(top.clone(), 0)];
    while let Some((node, depth)) = stack.pop() {
        if depth < max {
            for child in node.children.borrow().iter() {
                stack.push((child.clone(), depth + 1));
            }
            continue;
        }
        let deeper = node
            .children
            .borrow()
            .iter()
            .any(|c| matches!(c.data, NodeData::Element { .. }));
        if !deeper {
            continue;
        }
        flattened = true;
        let text = text_of(&node);
        let leaf = markup5ever_rcdom::Node::new(NodeData::Text {
            contents: RefCell::new(StrTendril::from(text)),
        });
        leaf.parent.set(Some(std::rc::Rc::downgrade(&node)));
        // The old children are dropped here; rcdom drops a subtree iteratively.
        *node.children.borrow_mut() = vec![leaf];
    }
    flattened
}

/// All text below `node`, in document order (iterative).
fn text_of(node: &Handle) -> String {
    let mut out = String::new();
    let mut stack: Vec<Handle> = node.children.borrow().iter().rev().cloned().collect();
    while let Some(n) = stack.pop() {
        if let NodeData::Text { contents } = &n.data {
            out.push_str(&contents.borrow());
        }
        stack.extend(n.children.borrow().iter().rev().cloned());
    }
    out
}

/// The tag name of an element (`None` for text, comments…).
pub fn element_name(node: &Handle) -> Option<String> {
    match &node.data {
        NodeData::Element { name, .. } => Some(name.local.to_string()),
        _ => None,
    }
}

/// The value of attribute `key` of an element.
pub fn attr(node: &Handle, key: &str) -> Option<String> {
    match &node.data {
        NodeData::Element { attrs, .. } => attrs
            .borrow()
            .iter()
            .find(|a| &*a.name.local == key)
            .map(|a| a.value.to_string()),
        _ => None,
    }
}

/// Whether the element's `class` list holds `class`.
pub fn has_class(node: &Handle, class: &str) -> bool {
    attr(node, "class").is_some_and(|c| c.split_ascii_whitespace().any(|x| x == class))
}

/// The node's children (cloned handles, so the tree can be walked while borrowed elsewhere).
pub fn children(node: &Handle) -> Vec<Handle> {
    node.children.borrow().clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_attributes_and_classes() {
        let body = parse_body(r#"<p class="no-margin x">a</p><img src="u">"#);
        let root = body.root().unwrap();
        let kids = children(&root);
        assert_eq!(element_name(&kids[0]).as_deref(), Some("p"));
        assert!(has_class(&kids[0], "x") && !has_class(&kids[0], "y"));
        assert_eq!(attr(&kids[1], "src").as_deref(), Some("u"));
        assert!(element_name(&children(&kids[0])[0]).is_none());
    }

    #[test]
    fn elements_deeper_than_the_bound_keep_only_their_text() {
        let n = 30_000;
        let html = format!("{}x{}<p>after</p>", "<b>a".repeat(n), "</b>".repeat(n));
        let body = parse_body(&html);
        assert!(body.flattened());
        let (mut depth, mut node) = (0, body.root().unwrap());
        loop {
            let next = children(&node)
                .into_iter()
                .find(|c| element_name(c).is_some());
            let Some(next) = next else { break };
            depth += 1;
            node = next;
        }
        // The root `<html>` element is level 1 below the document.
        assert_eq!(depth, MAX_DEPTH - 1);
        let all = text_of(&body.root().unwrap());
        assert!(all == format!("{}xafter", "a".repeat(n)), "no text is lost");
        assert!(!parse_body("<b><i>x</i></b>").flattened());
    }
}
