//! The readable, Markdown-like text of the canonical tree shown to people in body diffs:
//! blocks, lists, tables, callouts and inline markup (see [`super::readable_text`]).

use std::fmt::Write as _;

use super::canonical::{Node, is_inline};
use crate::render::callouts::{self, CALLOUTS, Callout};

/// Appends the readable lines of block-level `nodes`, each prefixed by `prefix`.
pub(super) fn blocks_text(nodes: &[Node], lines: &mut Vec<String>, prefix: &str) {
    for node in nodes {
        let Node::Elem {
            name,
            attrs: _,
            children,
        } = node
        else {
            let text = collapse(&inline_text(std::slice::from_ref(node)));
            if !text.is_empty() {
                lines.push(format!("{prefix}{text}"));
                lines.push(prefix.trim_end().to_owned());
            }
            continue;
        };
        match *name {
            "h1" | "h2" => {
                let marks = if *name == "h1" { "#" } else { "##" };
                lines.push(format!(
                    "{prefix}{marks} {}",
                    collapse(&inline_text(children))
                ));
                lines.push(prefix.trim_end().to_owned());
            }
            "ul" | "ol" => {
                list_text(children, *name == "ol", lines, prefix);
                lines.push(prefix.trim_end().to_owned());
            }
            "pre" => {
                lines.push(format!("{prefix}```"));
                let code = plain_text(children);
                for line in code.trim_end_matches('\n').lines() {
                    lines.push(format!("{prefix}{line}"));
                }
                lines.push(format!("{prefix}```"));
                lines.push(prefix.trim_end().to_owned());
            }
            "hr" => {
                lines.push(format!("{prefix}---"));
                lines.push(prefix.trim_end().to_owned());
            }
            "table" => {
                table_text(children, lines, prefix);
                lines.push(prefix.trim_end().to_owned());
            }
            "iframe" => {
                let src = node.attr("src").unwrap_or_default();
                lines.push(format!("{prefix}[video: {src}]"));
                lines.push(prefix.trim_end().to_owned());
            }
            "div" | "blockquote" | "details" => {
                let kind = node
                    .attr("style")
                    .and_then(Callout::from_style)
                    .map(|c| c.alert);
                if node.attr("class") == Some(callouts::CLASS) || *name == "blockquote" {
                    let inner = format!("{prefix}> ");
                    if let Some(kind) = kind {
                        lines.push(format!("{inner}[!{kind}]"));
                    }
                    blocks_text(children, lines, &inner);
                    while lines
                        .last()
                        .is_some_and(|l| l.trim_end() == inner.trim_end())
                    {
                        lines.pop();
                    }
                    lines.push(prefix.trim_end().to_owned());
                } else {
                    blocks_text(children, lines, prefix);
                }
            }
            _ => {
                let text = collapse(&inline_text(children_or_self(node)));
                if !text.is_empty() {
                    for line in text.split('\n') {
                        lines.push(format!("{prefix}{}", line.trim()));
                    }
                    lines.push(prefix.trim_end().to_owned());
                }
            }
        }
    }
    let _ = CALLOUTS;
}

fn children_or_self(node: &Node) -> &[Node] {
    match node {
        Node::Elem { name, children, .. } if !is_inline(name) => children,
        _ => std::slice::from_ref(node),
    }
}

fn list_text(items: &[Node], ordered: bool, lines: &mut Vec<String>, prefix: &str) {
    let mut n = 0;
    for item in items {
        let Node::Elem {
            name: "li",
            children,
            ..
        } = item
        else {
            continue;
        };
        n += 1;
        let marker = if ordered {
            format!("{n}. ")
        } else {
            "- ".to_owned()
        };
        let (inline, nested): (Vec<&Node>, Vec<&Node>) = children
            .iter()
            .partition(|c| c.is_inline() || matches!(c, Node::Elem { name: "p", .. }));
        let text: Vec<String> = inline
            .iter()
            .map(|c| collapse(&inline_text(children_or_self(c))))
            .filter(|t| !t.is_empty())
            .collect();
        lines.push(format!("{prefix}{marker}{}", text.join(" ")));
        let indent = format!("{prefix}{}", " ".repeat(marker.len()));
        for child in nested {
            if let Node::Elem {
                name: list @ ("ul" | "ol"),
                children,
                ..
            } = child
            {
                list_text(children, *list == "ol", lines, &indent);
            } else {
                let mut sub = Vec::new();
                blocks_text(std::slice::from_ref(child), &mut sub, &indent);
                lines.extend(sub.into_iter().filter(|l| !l.trim().is_empty()));
            }
        }
    }
}

fn table_text(nodes: &[Node], lines: &mut Vec<String>, prefix: &str) {
    for row in nodes {
        let Node::Elem {
            name: "tr",
            children,
            ..
        } = row
        else {
            if let Node::Elem { children, .. } = row {
                table_text(children, lines, prefix);
            }
            continue;
        };
        let cells: Vec<String> = children
            .iter()
            .filter_map(|c| match c {
                Node::Elem {
                    name: "td",
                    children,
                    ..
                } => Some(collapse(&inline_text(children)).replace('\n', " ")),
                _ => None,
            })
            .collect();
        lines.push(format!("{prefix}| {} |", cells.join(" | ")));
    }
}

/// The inline text of `nodes`: emphasis as `**`/`_`, code in backticks, links as
/// `text (url)`, images as `[image]`, line breaks as `\n`.
fn inline_text(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            // Soft line breaks of the source and Intercom's one-line paragraphs read the same.
            Node::Text(t) => {
                for ch in t.chars() {
                    if ch.is_whitespace() {
                        if !out.ends_with(' ') {
                            out.push(' ');
                        }
                    } else {
                        out.push(ch);
                    }
                }
            }
            Node::Elem {
                name,
                attrs: _,
                children,
            } => match *name {
                "br" => out.push('\n'),
                "img" => match node.attr("alt") {
                    Some(alt) => {
                        let _ = write!(out, "[image: {alt}]");
                    }
                    None => out.push_str("[image]"),
                },
                "b" => {
                    let _ = write!(out, "**{}**", inline_text(children).trim());
                }
                "i" => {
                    let _ = write!(out, "_{}_", inline_text(children).trim());
                }
                "code" => {
                    let _ = write!(out, "`{}`", inline_text(children));
                }
                "a" => {
                    let text = inline_text(children);
                    let href = node.attr("href").unwrap_or_default();
                    if text.trim() == href || href.is_empty() {
                        out.push_str(&text);
                    } else {
                        let _ = write!(out, "{} ({href})", text.trim());
                    }
                }
                "iframe" => {
                    let _ = write!(out, "[video: {}]", node.attr("src").unwrap_or_default());
                }
                _ if is_inline(name) => out.push_str(&inline_text(children)),
                _ => {
                    out.push('\n');
                    out.push_str(&inline_text(children));
                    out.push('\n');
                }
            },
        }
    }
    out
}

/// The text content of `nodes`, without any markup.
fn plain_text(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Elem { children, .. } => out.push_str(&plain_text(children)),
        }
    }
    out
}

/// Collapses whitespace runs (keeping line breaks from `<br>`) and trims each line.
fn collapse(text: &str) -> String {
    text.split('\n')
        .map(crate::html_text::collapse)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_matches('\n')
        .to_owned()
}
