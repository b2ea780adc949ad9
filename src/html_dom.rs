//! Reading HTML bodies with html5ever, shared by the stages that read what Intercom holds: the
//! emulator's rewriter, the plan's normaliser and `pull`'s converter.

use html5ever::tendril::TendrilSink;
use html5ever::{QualName, local_name, ns};
use markup5ever_rcdom::RcDom;
pub use markup5ever_rcdom::{Handle, NodeData};

/// A parsed body. Keep it alive while walking the tree: dropping the DOM detaches every node.
pub struct Body(RcDom);

impl Body {
    /// The element whose children are the body's top-level nodes (`None` when empty).
    pub fn root(&self) -> Option<Handle> {
        self.0.document.children.borrow().first().cloned()
    }
}

/// Parses an article body as the content of a `<body>`.
pub fn parse_body(html: &str) -> Body {
    Body(
        html5ever::parse_fragment(
            RcDom::default(),
            html5ever::ParseOpts::default(),
            QualName::new(None, ns!(html), local_name!("body")),
            Vec::new(),
            false,
        )
        .one(html),
    )
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
}
