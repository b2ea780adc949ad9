//! The canonical tree of an article body: HTML parsed and reduced to what the fingerprint
//! compares (element names folded, Intercom's wrappers and classes dropped, bare inline runs
//! wrapped in `<p>`). See the parent module for the full list of what is normalised away.

use crate::html_dom::{Handle, NodeData};
use html5ever::LocalName;

use crate::render::callouts::{self, Callout};

/// A node of the canonical tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Node {
    Elem {
        name: &'static str,
        attrs: Vec<(String, String)>,
        children: Vec<Node>,
    },
    Text(String),
}

impl Node {
    pub(super) fn is_inline(&self) -> bool {
        match self {
            Node::Text(_) => true,
            Node::Elem { name, .. } => is_inline(name),
        }
    }

    pub(super) fn is_blank(&self) -> bool {
        matches!(self, Node::Text(t) if t.trim_matches(is_space).is_empty())
    }

    pub(super) fn attr(&self, key: &str) -> Option<&str> {
        match self {
            Node::Elem { attrs, .. } => attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str()),
            Node::Text(_) => None,
        }
    }
}

pub(super) fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "b" | "i" | "a" | "code" | "img" | "br" | "span" | "u" | "s" | "sub" | "sup"
    )
}

pub(super) fn is_space(c: char) -> bool {
    c.is_ascii_whitespace() || c == '\u{a0}'
}

pub(super) fn canonical(html: &str) -> Vec<Node> {
    let body = crate::html_dom::parse_body(html);
    let root = body.root();
    let mut nodes = Vec::new();
    if let Some(root) = root {
        for child in root.children.borrow().iter() {
            convert(child, &mut nodes);
        }
    }
    wrap_inline_runs(nodes)
}

/// Appends the canonical form of `handle` to `out` (zero, one or several nodes).
fn convert(handle: &Handle, out: &mut Vec<Node>) {
    match &handle.data {
        NodeData::Text { contents } => {
            let text: String = contents
                .borrow()
                .chars()
                .map(|c| if c == '\u{a0}' { ' ' } else { c })
                .collect();
            if let Some(Node::Text(prev)) = out.last_mut() {
                prev.push_str(&text);
            } else {
                out.push(Node::Text(text));
            }
        }
        NodeData::Element { name, attrs, .. } => {
            let local: &LocalName = &name.local;
            let Some(canon) = canonical_name(local) else {
                return;
            };
            let mut kept: Vec<(String, String)> = Vec::new();
            let mut classes: Vec<&str> = Vec::new();
            let attrs = attrs.borrow();
            let class_value = attrs
                .iter()
                .find(|a| &*a.name.local == "class")
                .map(|a| a.value.to_string())
                .unwrap_or_default();
            for class in class_value.split_ascii_whitespace() {
                match class {
                    "no-margin" | "intercom-align-left" | "intercom-content-link" => {}
                    "intercom-align-center" => kept.push(("align".into(), "center".into())),
                    "intercom-align-right" => kept.push(("align".into(), "right".into())),
                    "intercom-align-justify" => kept.push(("align".into(), "justify".into())),
                    other => classes.push(other),
                }
            }
            let unwrap = match canon {
                "tbody" | "thead" | "tfoot" | "span" => true,
                "div" => classes.iter().any(|c| {
                    matches!(
                        *c,
                        "intercom-container"
                            | "intercom-interblocks-table-container"
                            | "intercom-h2b-video"
                    )
                }),
                _ => false,
            };
            let mut children = Vec::new();
            for child in handle.children.borrow().iter() {
                convert(child, &mut children);
            }
            if unwrap {
                for child in children {
                    match (out.last_mut(), child) {
                        (Some(Node::Text(prev)), Node::Text(t)) => prev.push_str(&t),
                        (_, child) => out.push(child),
                    }
                }
                return;
            }
            let callout = classes.contains(&callouts::CLASS);
            for attr in attrs.iter() {
                let key: &str = &attr.name.local;
                let value = attr.value.trim();
                match (canon, key) {
                    ("img", "alt") => {
                        if !value.is_empty() {
                            kept.push(("alt".into(), value.into()));
                        }
                    }
                    ("iframe", "src") => {
                        let end = value.find(['?', '#']).unwrap_or(value.len());
                        kept.push(("src".into(), value[..end].to_owned()));
                    }
                    ("div", "style") if callout => {
                        let style = Callout::from_style(value)
                            .map_or_else(|| crate::html_text::collapse(value), |c| c.style());
                        kept.push(("style".into(), style));
                    }
                    (_, "class" | "id" | "role" | "target" | "rel" | "style")
                    | ("img", "src")
                    | ("iframe", _) => {}
                    (_, _) => kept.push((key.to_owned(), value.to_owned())),
                }
            }
            classes.sort_unstable();
            if !classes.is_empty() {
                kept.push(("class".into(), classes.join(" ")));
            }
            kept.sort();
            let children = match canon {
                // Intercom wraps the text of an item in `<p>`, also beside a nested list.
                "li" | "td" if children.iter().any(|n| !n.is_inline()) => {
                    unwrap_single_p(wrap_inline_runs(children))
                }
                // Intercom wraps bare text in callouts and collapsible sections in `<p>` too.
                "div" if callout => wrap_inline_runs(children),
                "details" => wrap_inline_runs(children),
                _ => children,
            };
            if canon == "p" && children.iter().all(Node::is_blank) {
                return;
            }
            out.push(Node::Elem {
                name: canon,
                attrs: kept,
                children,
            });
        }
        NodeData::Document
        | NodeData::Doctype { .. }
        | NodeData::Comment { .. }
        | NodeData::ProcessingInstruction { .. } => {}
    }
}

/// The canonical element name; `None` for elements dropped with their content.
fn canonical_name(local: &LocalName) -> Option<&'static str> {
    Some(match &**local {
        "script" | "style" | "template" | "head" | "title" | "meta" | "link" => return None,
        "strong" | "b" => "b",
        "em" | "i" => "i",
        "h1" => "h1",
        "h2" | "h3" | "h4" | "h5" | "h6" => "h2",
        "th" | "td" => "td",
        "p" => "p",
        "a" => "a",
        "img" => "img",
        "br" => "br",
        "hr" => "hr",
        "ul" => "ul",
        "ol" => "ol",
        "li" => "li",
        "pre" => "pre",
        "code" => "code",
        "table" => "table",
        "tbody" => "tbody",
        "thead" => "thead",
        "tfoot" => "tfoot",
        "tr" => "tr",
        "div" => "div",
        "iframe" => "iframe",
        "blockquote" => "blockquote",
        "details" => "details",
        "summary" => "summary",
        "u" => "u",
        "s" => "s",
        "sub" => "sub",
        "sup" => "sup",
        // Unknown elements compare by their content.
        _ => "span",
    })
}

/// `li`/`td` holding exactly one `<p>` (and blank text) hold that paragraph's content.
fn unwrap_single_p(children: Vec<Node>) -> Vec<Node> {
    let mut solid = children.iter().filter(|n| !n.is_blank());
    let single_p = matches!(
        (solid.next(), solid.next()),
        (Some(Node::Elem { name: "p", .. }), None)
    );
    if !single_p {
        return children;
    }
    children
        .into_iter()
        .find_map(|n| match n {
            Node::Elem {
                name: "p",
                children,
                ..
            } => Some(children),
            _ => None,
        })
        .unwrap_or_default()
}

/// Wraps runs of inline content in `<p>` (Intercom wraps bare text) and drops blank text
/// between blocks.
fn wrap_inline_runs(nodes: Vec<Node>) -> Vec<Node> {
    let mut out = Vec::with_capacity(nodes.len());
    let mut run: Vec<Node> = Vec::new();
    let flush = |run: &mut Vec<Node>, out: &mut Vec<Node>| {
        if run.iter().any(|n| !n.is_blank()) {
            out.push(Node::Elem {
                name: "p",
                attrs: Vec::new(),
                children: std::mem::take(run),
            });
        }
        run.clear();
    };
    for node in nodes {
        if node.is_inline() {
            run.push(node);
        } else {
            flush(&mut run, &mut out);
            out.push(node);
        }
    }
    flush(&mut run, &mut out);
    out
}
