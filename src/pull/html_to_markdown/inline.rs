//! Inline constructs: text (escaped so it reads back the same), emphasis, code spans, links
//! and line breaks.

use std::fmt::Write as _;

use super::{
    Converter, Handle, Inline, NodeData, attr, children, dom_signature, has_class, html_text,
    markdown_signature, stable_image_url, text_content,
};

impl Converter<'_> {
    /// Inline Markdown of `nodes`, checked by parsing it back: when `**`/`*` delimiters would
    /// not read back as the same bold and italic spans around the same text, `<b>`/`<i>` are
    /// written instead.
    pub(super) fn inline_checked(&mut self, nodes: &[Handle], ctx: Inline) -> String {
        let mut want = String::new();
        for node in nodes {
            dom_signature(node, false, false, &mut want);
        }
        // A table reads `\|` as `|` before parsing the cell.
        let signature = |md: &str| {
            let md = safe_lines(md);
            if ctx.in_table {
                markdown_signature(&md.replace("\\|", "|"))
            } else {
                markdown_signature(&md)
            }
        };
        let text = self.inline_nodes(nodes, ctx);
        if signature(&text) == want {
            return text;
        }
        let html = self.inline_nodes(
            nodes,
            Inline {
                html_emphasis: true,
                ..ctx
            },
        );
        if signature(&html) == want { html } else { text }
    }

    pub(super) fn inline_nodes(&mut self, nodes: &[Handle], ctx: Inline) -> String {
        let mut out = String::new();
        for node in nodes {
            self.inline(node, ctx, &mut out);
        }
        out
    }

    pub(super) fn inline(&mut self, node: &Handle, ctx: Inline, out: &mut String) {
        match &node.data {
            NodeData::Text { contents } => {
                let text = collapse_whitespace(&contents.borrow(), out);
                out.push_str(&escape_text(&text, ctx));
            }
            NodeData::Element { name, .. } => {
                let name = name.local.to_string();
                self.element(node, &name, ctx, out);
            }
            _ => {}
        }
    }

    pub(super) fn element(&mut self, node: &Handle, name: &str, ctx: Inline, out: &mut String) {
        let kids = children(node);
        match name {
            "b" | "strong" if !ctx.in_bold => {
                let inner_ctx = Inline {
                    in_bold: true,
                    ..ctx
                };
                let mut inner = self.inline_nodes(&kids, inner_ctx);
                let core = inner.trim_matches(' ');
                let italic_edge = (core.starts_with('*') && !core.starts_with("**"))
                    || (core.ends_with('*') && !core.ends_with("**") && !core.ends_with("\\*"));
                if !ctx.html_emphasis && italic_edge {
                    // `***x***` would read back as <i><b>: keep the order with `**_x_**`.
                    inner = self.inline_nodes(
                        &kids,
                        Inline {
                            underscore_italic: true,
                            ..inner_ctx
                        },
                    );
                }
                let delimiters = if ctx.html_emphasis {
                    ("<b>", "</b>")
                } else {
                    ("**", "**")
                };
                wrap_emphasis(out, &inner, delimiters);
            }
            "i" | "em" if !ctx.in_italic => {
                let inner = self.inline_nodes(
                    &kids,
                    Inline {
                        in_italic: true,
                        ..ctx
                    },
                );
                let delimiters = if ctx.html_emphasis {
                    ("<i>", "</i>")
                } else if ctx.underscore_italic {
                    ("_", "_")
                } else {
                    ("*", "*")
                };
                wrap_emphasis(out, &inner, delimiters);
            }
            "code" | "kbd" | "samp" | "tt" => {
                let mut raw = String::new();
                text_content(node, &mut raw);
                if out.ends_with('`') || (ctx.in_link && raw.contains(['[', ']'])) {
                    // Backtick runs of adjacent spans would merge, and brackets in a code span
                    // would end a link text: write this one as HTML tags around Markdown text.
                    let text = escape_text(&raw.replace('\n', " "), ctx);
                    let _ = write!(out, "<code>{text}</code>");
                } else if ctx.in_table {
                    // In a table a pipe ends the cell even inside code; `\|` is read as `|`.
                    out.push_str(&code_span(&raw).replace('|', "\\|"));
                } else {
                    out.push_str(&code_span(&raw));
                }
            }
            "br" => {
                if ctx.in_table {
                    out.push_str("<br>");
                } else if ctx.in_heading {
                    out.push(' ');
                } else {
                    out.push_str("\\\n");
                }
            }
            "img" => {
                if let Some(src) = attr(node, "src").filter(|s| !s.trim().is_empty()) {
                    let alt = attr(node, "alt").unwrap_or_default();
                    let alt = escape_text(&html_text::collapse(&alt), ctx);
                    let _ = write!(out, "![{alt}]({})", destination(&stable_image_url(&src)));
                }
            }
            "a" => self.anchor(node, ctx, out),
            "iframe" => {
                if let Some(text) = self.video(node) {
                    out.push_str(&text);
                }
            }
            "script" | "style" | "template" => {}
            _ => {
                for kid in &kids {
                    self.inline(kid, ctx, out);
                }
            }
        }
    }

    pub(super) fn anchor(&mut self, node: &Handle, ctx: Inline, out: &mut String) {
        let href = attr(node, "href").unwrap_or_default();
        let href = href.trim();
        let kids = children(node);
        if href.is_empty() || href.starts_with('#') || ctx.in_link {
            for kid in &kids {
                self.inline(kid, ctx, out);
            }
            return;
        }
        let dest = (self.link)(href).unwrap_or_else(|| href.to_owned());
        if has_class(node, "intercom-h2b-button") {
            let mut label = String::new();
            text_content(node, &mut label);
            let label = html_text::collapse(&label);
            let _ = write!(
                out,
                "<a class=\"intercom-h2b-button\" href=\"{}\">{}</a>",
                html_text::attr(&dest),
                escape_text(&label, ctx)
            );
            return;
        }
        let inner = self.inline_nodes(
            &kids,
            Inline {
                in_link: true,
                ..ctx
            },
        );
        let mut plain = String::new();
        text_content(node, &mut plain);
        let (lead, core, trail) = split_spaces(&inner);
        if core.is_empty() {
            // Nothing to click: keep the spaces and breaks only.
            out.push_str(&inner);
            return;
        }
        let is_url = dest.starts_with("http://") || dest.starts_with("https://");
        if is_url && plain.trim() == dest && !dest.contains(['<', '>', ' ']) {
            let _ = write!(out, "<{dest}>");
            return;
        }
        let backslashes = out
            .strip_suffix('!')
            .map(|rest| rest.len() - rest.trim_end_matches('\\').len());
        if lead.is_empty() && backslashes.is_some_and(|n| n % 2 == 0) {
            // `![` would start an image.
            out.pop();
            out.push_str("\\!");
        }
        out.push_str(lead);
        let _ = write!(out, "[{core}]({})", destination(&dest));
        out.push_str(trail);
    }
}

pub(super) fn code_span(raw: &str) -> String {
    let text = raw.replace('\n', " ");
    if text.is_empty() {
        return String::new();
    }
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    if pad {
        format!("{ticks} {text} {ticks}")
    } else {
        format!("{ticks}{text}{ticks}")
    }
}

pub(super) fn longest_run(s: &str, c: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for ch in s.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// Writes `inner` between delimiters, with its outer spaces moved outside.
pub(super) fn wrap_emphasis(out: &mut String, inner: &str, (open, close): (&str, &str)) {
    let (lead, core, trail) = split_spaces(inner);
    out.push_str(lead);
    if !core.is_empty() {
        out.push_str(open);
        out.push_str(core);
        out.push_str(close);
    }
    out.push_str(trail);
}

/// Splits off leading and trailing spaces and hard breaks (they must sit outside delimiters).
pub(super) fn split_spaces(s: &str) -> (&str, &str, &str) {
    let mut start = 0;
    let mut end = s.len();
    loop {
        let rest = &s[start..end];
        if rest.starts_with(' ') {
            start += 1;
        } else if rest.starts_with("\\\n") {
            start += 2;
        } else if rest.starts_with("<br>") {
            start += 4;
        } else {
            break;
        }
    }
    loop {
        let rest = &s[start..end];
        if rest.ends_with(' ') {
            end -= 1;
        } else if rest.ends_with("\\\n") {
            end -= 2;
        } else if rest.ends_with("<br>") {
            end -= 4;
        } else {
            break;
        }
    }
    (&s[..start], &s[start..end], &s[end..])
}

/// Collapses HTML whitespace; drops a leading space when the output already ends in one.
pub(super) fn collapse_whitespace(text: &str, before: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = before.is_empty() || before.ends_with([' ', '\n']);
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out
}

/// A paragraph's inline Markdown without breaks at its ends, every line made safe to start.
pub(super) fn safe_lines(text: &str) -> String {
    trim_breaks(text)
        .split('\n')
        .map(|line| escape_line_start(line.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Removes hard breaks and spaces at both ends of a paragraph.
pub(super) fn trim_breaks(text: &str) -> String {
    let mut t = text.trim_matches(' ');
    loop {
        let before = t;
        for suffix in ["\\\n", "<br>"] {
            t = t.strip_suffix(suffix).unwrap_or(t).trim_matches(' ');
        }
        for prefix in ["\\\n", "<br>"] {
            t = t.strip_prefix(prefix).unwrap_or(t).trim_matches(' ');
        }
        if t == before {
            break;
        }
    }
    t.to_owned()
}

/// Escapes Markdown syntax in text. Backticks, asterisks, brackets, tildes and backslashes
/// always; `_` unless inside a word; `<` before a tag-like character; `&` before an entity;
/// `|` in tables and `#` in headings.
pub(super) fn escape_text(text: &str, ctx: Inline) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let escape = match c {
            '\\' | '*' | '`' | '[' | ']' | '~' => true,
            '_' => {
                !(prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric))
            }
            '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
            '&' => looks_like_entity(&chars[i + 1..]),
            '|' => ctx.in_table,
            // A closing `#` sequence would be dropped from a heading.
            '#' => ctx.in_heading,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn looks_like_entity(rest: &[char]) -> bool {
    for (n, &c) in rest.iter().take(33).enumerate() {
        if c == ';' {
            return n > 0;
        }
        if !(c.is_ascii_alphanumeric() || c == '#') {
            return false;
        }
    }
    false
}

/// Escapes what would start a block at the beginning of a line (heading, quote, list, rule).
pub(super) fn escape_line_start(line: &str) -> String {
    let first = line.chars().next();
    match first {
        Some('#' | '>' | '-' | '+' | '=') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            let after: Vec<char> = line.chars().skip(digits).take(2).collect();
            let is_marker = digits <= 9
                && matches!(after.first(), Some('.' | ')'))
                && after.get(1).is_none_or(|c| *c == ' ');
            if is_marker {
                format!("{}\\{}", &line[..digits], &line[digits..])
            } else {
                line.to_owned()
            }
        }
        _ => line.to_owned(),
    }
}

/// A link destination: spaces encoded, parentheses escaped.
pub(super) fn destination(url: &str) -> String {
    url.replace(' ', "%20")
        .replace('(', "\\(")
        .replace(')', "\\)")
        .replace('<', "%3C")
        .replace('>', "%3E")
}
