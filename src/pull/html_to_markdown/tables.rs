//! Tables: GFM tables (first row as header) and, for cells with block content, the inline
//! HTML the renderer allows; also the serializer of that HTML.

use std::fmt::Write as _;

use super::{
    Converter, Handle, Inline, NodeData, attr, children, collapse_whitespace, element_name,
    html_text, in_pre, is_block, stable_image_url, trim_breaks,
};

impl Converter<'_> {
    pub(super) fn table(&mut self, node: &Handle) -> String {
        let mut rows: Vec<Vec<Handle>> = Vec::new();
        collect_rows(node, &mut rows);
        if rows.is_empty() {
            return String::new();
        }
        let complex = rows.iter().flatten().any(has_block_content);
        if complex {
            self.note("a table with lists, code or images in its cells was kept as HTML");
            return self.html_table(node);
        }
        let ctx = Inline {
            in_table: true,
            ..Inline::default()
        };
        let first_bold = rows[0].iter().all(is_all_bold);
        let mut grid: Vec<Vec<String>> = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            let mut cells = Vec::new();
            for cell in row {
                let parts: Vec<String> = self.cell_paragraphs(cell, ctx, r == 0 && first_bold);
                cells.push(parts.join("<br>"));
            }
            grid.push(cells);
        }
        let width = grid.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut out = String::new();
        for (r, row) in grid.iter().enumerate() {
            out.push('|');
            for c in 0..width {
                let cell = row.get(c).map_or("", String::as_str);
                out.push(' ');
                out.push_str(cell);
                out.push_str(" |");
            }
            if r == 0 {
                out.push('\n');
                out.push('|');
                for _ in 0..width {
                    out.push_str(" --- |");
                }
            }
            if r + 1 < grid.len() {
                out.push('\n');
            }
        }
        out
    }

    /// The paragraphs of one cell as inline Markdown; `unbold` drops a `<b>` around it all.
    pub(super) fn cell_paragraphs(
        &mut self,
        cell: &Handle,
        ctx: Inline,
        unbold: bool,
    ) -> Vec<String> {
        let mut parts = Vec::new();
        let mut run = Vec::new();
        let flush = |this: &mut Self, run: &mut Vec<Handle>, parts: &mut Vec<String>| {
            if run.is_empty() {
                return;
            }
            let nodes = std::mem::take(run);
            let nodes = if unbold { unwrap_bold(&nodes) } else { nodes };
            let text = this.inline_checked(&nodes, ctx);
            let text = trim_breaks(&text).replace('\n', " ");
            if !text.is_empty() {
                parts.push(text);
            }
        };
        for child in children(cell) {
            if element_name(&child).is_some_and(|n| is_block(&n)) {
                flush(self, &mut run, &mut parts);
                run.extend(children(&child));
                flush(self, &mut run, &mut parts);
            } else {
                run.push(child);
            }
        }
        flush(self, &mut run, &mut parts);
        parts
    }

    /// A table as the HTML the renderer keeps (`table`, `tr`, `td` and allowed content).
    pub(super) fn html_table(&mut self, node: &Handle) -> String {
        let mut out = String::from("<table>");
        let mut rows = Vec::new();
        collect_rows(node, &mut rows);
        for row in rows {
            out.push_str("<tr>");
            for cell in row {
                out.push_str("<td>");
                for child in children(&cell) {
                    self.html(&child, &mut out);
                }
                out.push_str("</td>");
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
        out
    }

    /// Serializes `node` with the tags the renderer allows; other tags are unwrapped.
    pub(super) fn html(&mut self, node: &Handle, out: &mut String) {
        match &node.data {
            NodeData::Text { contents } => {
                // An HTML block ends at a blank line: no text may make one.
                let text = contents.borrow();
                let text = if in_pre(node) {
                    text.lines()
                        .filter(|l| !l.trim().is_empty())
                        .collect::<Vec<_>>()
                        .join("\n")
                } else {
                    collapse_whitespace(&text, out)
                };
                out.push_str(&html_text::text(&text));
            }
            NodeData::Element { name, .. } => {
                let name = name.local.to_string();
                let tag = match name.as_str() {
                    "strong" => "b",
                    "em" => "i",
                    "th" => "td",
                    "h5" | "h6" => "h4",
                    "p" | "br" | "b" | "i" | "ul" | "ol" | "li" | "pre" | "code" | "h1" | "h2"
                    | "h3" | "h4" | "hr" => name.as_str(),
                    "a" => {
                        let href = attr(node, "href").unwrap_or_default();
                        if href.is_empty() || href.starts_with('#') {
                            ""
                        } else {
                            let dest = (self.link)(&href).unwrap_or(href);
                            let _ = write!(out, "<a href=\"{}\">", html_text::attr(&dest));
                            for kid in children(node) {
                                self.html(&kid, out);
                            }
                            out.push_str("</a>");
                            return;
                        }
                    }
                    "img" => {
                        if let Some(src) = attr(node, "src") {
                            let _ = write!(
                                out,
                                "<img src=\"{}\">",
                                html_text::attr(&stable_image_url(&src))
                            );
                        }
                        return;
                    }
                    _ => "",
                };
                if !tag.is_empty() {
                    let _ = write!(out, "<{tag}>");
                }
                if matches!(tag, "br" | "hr") {
                    return;
                }
                for kid in children(node) {
                    self.html(&kid, out);
                }
                if !tag.is_empty() {
                    let _ = write!(out, "</{tag}>");
                }
            }
            _ => {}
        }
    }
}

pub(super) fn collect_rows(node: &Handle, rows: &mut Vec<Vec<Handle>>) {
    for child in children(node) {
        match element_name(&child).as_deref() {
            Some("tr") => rows.push(
                children(&child)
                    .into_iter()
                    .filter(|c| matches!(element_name(c).as_deref(), Some("td" | "th")))
                    .collect(),
            ),
            Some("table") | None => {}
            Some(_) => collect_rows(&child, rows),
        }
    }
}

pub(super) fn has_block_content(cell: &Handle) -> bool {
    children(cell)
        .iter()
        .any(|c| match element_name(c).as_deref() {
            Some(
                "ul" | "ol" | "pre" | "table" | "img" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6",
            ) => true,
            Some(_) => has_block_content(c),
            None => false,
        })
}

/// Whether a cell's only content is one `<b>` (possibly inside a `<p>`), or it is empty.
pub(super) fn is_all_bold(cell: &Handle) -> bool {
    let meaningful: Vec<Handle> = children(cell)
        .into_iter()
        .filter(|c| match &c.data {
            NodeData::Text { contents } => !contents.borrow().trim().is_empty(),
            NodeData::Element { .. } => true,
            _ => false,
        })
        .collect();
    match meaningful.as_slice() {
        [] => true,
        [one] => match element_name(one).as_deref() {
            Some("b" | "strong") => true,
            Some("p") => is_all_bold(one),
            _ => false,
        },
        _ => false,
    }
}

pub(super) fn unwrap_bold(nodes: &[Handle]) -> Vec<Handle> {
    let mut out = Vec::new();
    for node in nodes {
        match element_name(node).as_deref() {
            Some("b" | "strong") => out.extend(children(node)),
            _ => out.push(node.clone()),
        }
    }
    out
}
