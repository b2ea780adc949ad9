//! Raw HTML inside Markdown: an allow-list derived from API-NOTES 6.1.
//!
//! Two layers. First a small tag scanner rewrites each raw fragment where it stands: allowed
//! tags are re-emitted from scratch (names from the allow-list, attributes re-escaped, URLs
//! resolved like Markdown links), everything else is dropped with a located warning or error.
//! Nothing the scanner did not write itself can reach the output: all text is re-escaped.
//! The scanner also tracks how the tags it writes nest with each other and with the Markdown
//! around them; only when that nesting is broken (a `<b>` left open, a `<p>` inside a
//! paragraph, a row outside a table…) does ammonia re-parse the whole body with the same
//! allow-list to repair it, as Intercom's parser would. Well-nested documents skip that parse.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::callouts::{self, Callout};
use super::escape::decode_entities;
use super::{LINK_PLACEHOLDER, video};

/// State of the raw HTML seen so far in one document.
#[derive(Debug, Default)]
pub struct RawHtml {
    /// Whether the raw HTML broke the nesting of the body (then the ammonia pass repairs it).
    pub needs_repair: bool,
    /// Written, still open raw elements: name, Markdown block id, Markdown inline depth.
    pub(super) stack: Vec<(&'static str, u32, usize)>,
    /// Conditionally written elements (`div`, `a`): name and whether the start tag was written.
    pub(super) open: Vec<(&'static str, bool)>,
    /// Open `div.intercom-h2b-video` elements (a raw iframe inside one is not wrapped again).
    pub(super) video_divs: usize,
    /// Content being removed: the element and its nesting depth.
    pub(super) suppress: Option<Suppress>,
    pub(super) li_depth: usize,
    pub(super) table_depth: usize,
}

#[derive(Debug)]
pub(super) struct Suppress {
    pub(super) name: String,
    pub(super) depth: usize,
    /// Raw text content (script, style…): only the matching end tag ends it.
    pub(super) rawtext: bool,
    pub(super) offset: usize,
}

impl RawHtml {
    /// Whether content is being removed (an unclosed `<script>` and the like).
    pub fn suppressing(&self) -> bool {
        self.suppress.is_some()
    }

    pub(super) fn top(&self) -> Option<&'static str> {
        self.stack.last().map(|e| e.0)
    }

    /// Whether the innermost open raw element only takes table rows or list items.
    pub(super) fn in_structure(&self) -> bool {
        matches!(self.top(), Some("table" | "tbody" | "tr" | "ul" | "ol"))
    }

    /// A Markdown block starts: inside a raw table or list it would be moved by the parser.
    pub fn markdown_block_starts(&mut self) {
        if self.in_structure() {
            self.needs_repair = true;
        }
    }

    /// A Markdown block ends: raw elements opened in it and still open break the nesting.
    pub fn markdown_block_ends(&mut self, id: u32) {
        if self.stack.last().is_some_and(|e| e.1 == id) {
            self.needs_repair = true;
        }
    }

    /// A Markdown inline element (at `depth`) ends: raw elements opened inside it and still
    /// open break the nesting.
    pub fn markdown_inline_ends(&mut self, id: u32, depth: usize) {
        if self.stack.last().is_some_and(|e| e.1 == id && e.2 >= depth) {
            self.needs_repair = true;
        }
    }

    /// How many written raw elements are open.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// The document ends: anything still open needs closing.
    pub fn document_ends(&mut self) {
        if !self.stack.is_empty() {
            self.needs_repair = true;
        }
    }
}

/// What to do with a raw tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    /// Write it under this name.
    Keep(&'static str),
    /// Drop the tag, keep the content, with a warning.
    Unwrap,
    /// Drop the tag, keep the content, silently.
    UnwrapQuiet,
    /// Drop the tag and its content, with a warning.
    Remove,
    /// A void tag removed with a warning.
    RemoveVoid,
}

pub(super) fn classify(name: &str) -> Action {
    match name {
        "p" => Action::Keep("p"),
        "br" => Action::Keep("br"),
        "hr" => Action::Keep("hr"),
        "b" | "strong" => Action::Keep("b"),
        "i" | "em" => Action::Keep("i"),
        "ul" => Action::Keep("ul"),
        "ol" => Action::Keep("ol"),
        "li" => Action::Keep("li"),
        "pre" => Action::Keep("pre"),
        "code" => Action::Keep("code"),
        "table" => Action::Keep("table"),
        "tbody" => Action::Keep("tbody"),
        "tr" => Action::Keep("tr"),
        "td" | "th" => Action::Keep("td"),
        "h1" => Action::Keep("h1"),
        "h2" => Action::Keep("h2"),
        "h3" => Action::Keep("h3"),
        "h4" | "h5" | "h6" => Action::Keep("h4"),
        "a" => Action::Keep("a"),
        "img" => Action::Keep("img"),
        "div" => Action::Keep("div"),
        "iframe" => Action::Keep("iframe"),
        "details" => Action::Keep("details"),
        "summary" => Action::Keep("summary"),
        "thead" | "tfoot" | "html" | "body" | "dt" | "dd" | "wbr" => Action::UnwrapQuiet,
        "script" | "style" | "template" | "textarea" | "title" | "noscript" | "object"
        | "applet" | "svg" | "math" | "select" | "canvas" | "video" | "audio" | "map"
        | "frameset" | "noframes" | "noembed" | "xmp" | "plaintext" | "head" | "option"
        | "datalist" => Action::Remove,
        "input" | "embed" | "link" | "meta" | "base" | "source" | "track" | "param" | "area"
        | "col" | "keygen" | "frame" | "basefont" | "bgsound" => Action::RemoveVoid,
        _ => Action::Unwrap,
    }
}

/// Elements whose content the HTML parser reads as raw text.
pub(super) fn is_rawtext(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "textarea"
            | "title"
            | "xmp"
            | "iframe"
            | "noembed"
            | "noframes"
            | "noscript"
            | "plaintext"
    )
}

pub(super) fn is_void(name: &str) -> bool {
    matches!(name, "br" | "hr" | "img")
}

/// One token of raw HTML.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Token<'s> {
    Text(&'s str),
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    End {
        name: String,
    },
    Comment,
    /// `<!DOCTYPE>`, `<?…>`, CDATA and other markup declarations.
    Declaration,
}

/// Scans the token at `pos` of `s`; returns it and the position after it. `None` at the end,
/// or for a tag cut off by the end of the input (dropped, as the HTML parser does).
pub(super) fn next_token(s: &str, pos: usize) -> Option<(Token<'_>, usize)> {
    let rest = &s[pos..];
    if rest.is_empty() {
        return None;
    }
    let bytes = rest.as_bytes();
    if bytes[0] != b'<' {
        let end = rest.find('<').unwrap_or(rest.len());
        let end = if end == 0 { 1 } else { end };
        return Some((Token::Text(&rest[..end]), pos + end));
    }
    if let Some(body) = rest.strip_prefix("<!--") {
        let len = if body.starts_with('>') {
            5
        } else if body.starts_with("->") {
            6
        } else {
            body.find("-->").map_or(rest.len(), |i| 4 + i + 3)
        };
        return Some((Token::Comment, pos + len));
    }
    if rest.starts_with("<!") || rest.starts_with("<?") {
        let len = rest.find('>').map_or(rest.len(), |i| i + 1);
        return Some((Token::Declaration, pos + len));
    }
    let (is_end, name_start) = if rest.starts_with("</") {
        (true, 2)
    } else {
        (false, 1)
    };
    if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
        if is_end {
            // `</>` is nothing; `</3` is a bogus comment.
            let len = rest.find('>').map_or(rest.len(), |i| i + 1);
            return Some((Token::Comment, pos + len));
        }
        return Some((Token::Text("<"), pos + 1));
    }
    let name_len = rest[name_start..]
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(rest.len() - name_start);
    let name = rest[name_start..name_start + name_len].to_ascii_lowercase();
    let (attrs, len) = scan_attributes(rest, name_start + name_len)?;
    let token = if is_end {
        Token::End { name }
    } else {
        Token::Start { name, attrs }
    };
    Some((token, pos + len))
}

/// Reads attributes from `i` up to the closing `>`; (attributes, length through `>`).
fn scan_attributes(s: &str, mut i: usize) -> Option<(Vec<(String, String)>, usize)> {
    let b = s.as_bytes();
    let mut attrs: Vec<(String, String)> = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        if b[i] == b'>' {
            return Some((attrs, i + 1));
        }
        let name_start = i;
        i += 1; // a name may start with `=`
        while i < b.len() && !(b[i].is_ascii_whitespace() || matches!(b[i], b'/' | b'>' | b'=')) {
            i += 1;
        }
        let name = s[name_start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = "";
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= b.len() {
                return None;
            }
            if b[i] == b'"' || b[i] == b'\'' {
                let quote = b[i];
                let start = i + 1;
                let end = s[start..].find(char::from(quote))? + start;
                value = &s[start..end];
                i = end + 1;
            } else {
                let start = i;
                while i < b.len() && !(b[i].is_ascii_whitespace() || b[i] == b'>') {
                    i += 1;
                }
                value = &s[start..i];
            }
        }
        if !attrs.iter().any(|(n, _)| *n == name) {
            attrs.push((name, decode_entities(value).into_owned()));
        }
    }
}

/// Position of the end of `</name …>` in `s` from `from`, case-insensitive; `None` if absent.
pub(super) fn find_end_tag(s: &str, from: usize, name: &str) -> Option<usize> {
    let lower = s[from..].to_ascii_lowercase();
    let needle = format!("</{name}");
    let mut search = 0;
    while let Some(i) = lower[search..].find(&needle) {
        let at = search + i;
        let after = at + needle.len();
        let ok = lower[after..]
            .chars()
            .next()
            .is_none_or(|c| c.is_ascii_whitespace() || c == '/' || c == '>');
        if ok {
            let close = lower[after..]
                .find('>')
                .map_or(lower.len(), |j| after + j + 1);
            return Some(from + close);
        }
        search = after;
    }
    None
}

/// Maps a position in a collected fragment to its source offset.
pub(super) fn source_offset(segs: &[(usize, usize)], pos: usize) -> usize {
    let i = segs.partition_point(|(start, _)| *start <= pos);
    segs.get(i.wrapping_sub(1))
        .map_or(pos, |(start, src)| src + (pos - start))
}

/// The classes a `<div>` may carry (`collapsible-section-content`: the content of a
/// collapsible section, as Intercom's editor writes it).
pub(super) const DIV_CLASSES: [&str; 5] = [
    callouts::CLASS,
    "intercom-h2b-video",
    "intercom-container",
    "intercom-align-center",
    "collapsible-section-content",
];

pub(super) fn attr<'v>(attrs: &'v [(String, String)], name: &str) -> Option<&'v str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

pub(super) fn short(s: &str) -> String {
    let one_line: String = crate::html_text::collapse(s);
    if one_line.chars().count() > 40 {
        let mut t: String = one_line.chars().take(40).collect();
        t.push('…');
        t
    } else {
        one_line
    }
}

/// The final ammonia pass over a body that contained raw HTML.
pub fn clean(html: &str) -> String {
    builder().clean(html).to_string()
}

fn builder() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let tags: HashSet<&str> = [
            "p", "br", "hr", "h1", "h2", "h3", "h4", "b", "i", "a", "ul", "ol", "li", "pre",
            "code", "table", "tbody", "tr", "td", "img", "div", "iframe", "details", "summary",
        ]
        .into_iter()
        .collect();
        let mut attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
        for (tag, list) in [
            ("a", &["href", "class"][..]),
            ("img", &["src", "alt"]),
            ("iframe", &["src", "frameborder", "allowfullscreen"]),
            ("div", &["class", "style"]),
            ("p", &["class"]),
            ("h1", &["class"]),
            ("h2", &["class"]),
            ("h3", &["class"]),
            ("h4", &["class"]),
        ] {
            attrs.insert(tag, list.iter().copied().collect());
        }
        let mut b = ammonia::Builder::empty();
        b.tags(tags)
            .clean_content_tags(
                [
                    "script", "style", "template", "textarea", "title", "noscript", "svg", "math",
                ]
                .into_iter()
                .collect(),
            )
            .tag_attributes(attrs)
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(None)
            .strip_comments(true)
            .attribute_filter(filter_attribute);
        b
    })
}

/// The attribute allow-list of the ammonia pass: exactly the values the scanner writes.
fn filter_attribute<'v>(element: &str, attribute: &str, value: &'v str) -> Option<Cow<'v, str>> {
    let ok = match (element, attribute) {
        ("a", "href") => {
            value.starts_with("https://")
                || value.starts_with("http://")
                || value.starts_with("mailto:")
                || value.starts_with(LINK_PLACEHOLDER)
        }
        ("img", "src") => value.starts_with("https://") || value.starts_with("http://"),
        ("img", "alt") => true,
        ("iframe", "src") => video::embed_url(value).as_deref() == Some(value),
        ("iframe", "frameborder") => value == "0",
        ("iframe", "allowfullscreen") => value.is_empty(),
        ("a", "class") => value == "intercom-h2b-button",
        ("div", "class") => value.split(' ').all(|c| DIV_CLASSES.contains(&c)),
        ("div", "style") => Callout::from_style(value).is_some_and(|c| c.style() == value),
        ("p" | "h1" | "h2" | "h3" | "h4", "class") => value == "intercom-align-center",
        _ => false,
    };
    ok.then_some(Cow::Borrowed(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<Token<'_>> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some((t, next)) = next_token(s, pos) {
            out.push(t);
            pos = next;
        }
        out
    }

    #[test]
    fn scans_tags_attributes_and_text() {
        let t = tokens(r#"a<IMG SRC=x.png alt='a "b"' onerror="x()" disabled>b</p ><!-- c -->"#);
        assert_eq!(t[0], Token::Text("a"));
        assert_eq!(
            t[1],
            Token::Start {
                name: "img".into(),
                attrs: vec![
                    ("src".into(), "x.png".into()),
                    ("alt".into(), "a \"b\"".into()),
                    ("onerror".into(), "x()".into()),
                    ("disabled".into(), String::new()),
                ]
            }
        );
        assert_eq!(t[2], Token::Text("b"));
        assert_eq!(t[3], Token::End { name: "p".into() });
        assert_eq!(t[4], Token::Comment);
    }

    #[test]
    fn lone_angle_brackets_are_text_and_cut_tags_vanish() {
        assert_eq!(
            tokens("1 < 2"),
            vec![Token::Text("1 "), Token::Text("<"), Token::Text(" 2")]
        );
        assert_eq!(tokens("<img src=\"x"), vec![]);
    }

    #[test]
    fn finds_end_tags_case_insensitively() {
        let s = "alert('</scriptx>')</SCRIPT >after";
        let end = find_end_tag(s, 0, "script").expect("found");
        assert_eq!(&s[end..], "after");
    }

    #[test]
    fn ammonia_keeps_exactly_the_generated_markup() {
        let html = concat!(
            "<p class=\"intercom-align-center\"><b>a</b> <i>b</i> <code>c</code> <a href=\"https://x.y/?a=1&amp;b=2\">l</a> <a href=\"#helpcenter-key:k\">k</a></p>\n",
            "<div class=\"intercom-interblocks-callout\" style=\"background-color: #e3e7fa80; border-color: #334bfa33;\">\n<p>n</p>\n</div>\n",
            "<div class=\"intercom-h2b-video\"><iframe src=\"https://www.youtube.com/embed/abc\" frameborder=\"0\" allowfullscreen=\"\"></iframe></div>\n",
            "<div class=\"intercom-container\"><img src=\"https://h/a.png?v=1\" alt=\"x &amp; &quot;y&quot;\"></div>\n",
            "<table><tbody>\n<tr><td><b>h</b></td></tr>\n</tbody></table>\n<ul>\n<li>a<br>b</li>\n</ul>\n<hr>\n<pre><code>x &lt; y</code></pre>\n",
        );
        assert_eq!(clean(html), html);
    }

    #[test]
    fn ammonia_removes_what_the_scanner_would() {
        let out = clean(concat!(
            "<p onclick=\"x\">a</p><script>alert(1)</script>",
            "<a href=\"javascript:alert(1)\">j</a><a href=\"other.md\">r</a>",
            "<iframe src=\"https://evil.example/\"></iframe>",
            "<div style=\"position:fixed\">d</div>",
        ));
        assert_eq!(out, "<p>a</p><a>j</a><a>r</a><iframe></iframe><div>d</div>");
    }
}
