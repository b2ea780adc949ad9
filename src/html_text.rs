//! The one HTML text toolkit: escaping text and attribute values, collapsing whitespace.
//!
//! It sits at the bottom of the tree (it imports nothing of the crate) so that render,
//! fingerprint, preview, pull, output and the sandbox share one escaper and one collapser
//! instead of each writing its own. The variants differ on purpose and are named for what they
//! keep byte-identical:
//! - [`push_text`] / [`push_attr`] follow html5ever's serializer (which ammonia uses), `&nbsp;`
//!   included, so HTML generated from Markdown matches what a sanitizer pass gives back;
//! - [`text`] / [`attr`] escape only what the HTML syntax needs (`&`, `<`, `>` / `&`, `"`), for
//!   normal forms and Markdown where a no-break space must stay a character;
//! - [`attr_strict`] also escapes `<` and `>` in attribute values, as Intercom writes them;
//! - [`anywhere`] escapes for text and either kind of quoted attribute (the preview's pages).

/// Appends `text` escaped for an HTML text node (`&`, `<`, `>`, no-break space).
pub fn push_text(out: &mut String, text: &str) {
    push_escaped(out, text, false);
}

/// Appends `text` escaped for a double-quoted attribute value (`&`, `"`, no-break space).
pub fn push_attr(out: &mut String, text: &str) {
    push_escaped(out, text, true);
}

/// The bytes [`push_escaped`] stops at: `&`, `<` and `>` in text, `&` and `"` in attributes,
/// and the lead byte of U+00A0 (C2 A0) in both.
const fn special_bytes(attr: bool) -> [bool; 256] {
    let mut table = [false; 256];
    table[b'&' as usize] = true;
    table[0xC2] = true;
    if attr {
        table[b'"' as usize] = true;
    } else {
        table[b'<' as usize] = true;
        table[b'>' as usize] = true;
    }
    table
}

static TEXT_SPECIAL: [bool; 256] = special_bytes(false);
static ATTR_SPECIAL: [bool; 256] = special_bytes(true);

fn push_escaped(out: &mut String, text: &str, attr: bool) {
    let special = if attr { &ATTR_SPECIAL } else { &TEXT_SPECIAL };
    let bytes = text.as_bytes();
    // `start`: the first byte not yet copied; `from`: where the search for the next goes on.
    let mut start = 0;
    let mut from = 0;
    while let Some(offset) = bytes[from..].iter().position(|&b| special[usize::from(b)]) {
        let i = from + offset;
        let (rep, len) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            // U+00A0 is encoded as C2 A0; other characters starting with C2 stay.
            _ if bytes.get(i + 1) == Some(&0xA0) => ("&nbsp;", 2),
            _ => {
                from = i + 1;
                continue;
            }
        };
        out.push_str(&text[start..i]);
        out.push_str(rep);
        start = i + len;
        from = start;
    }
    out.push_str(&text[start..]);
}

/// `text` escaped for a text node: `&`, `<`, `>` only (a no-break space stays a character).
pub fn text(text: &str) -> String {
    escape_chars(text, &['&', '<', '>'])
}

/// `text` escaped for a double-quoted attribute value: `&` and `"` only.
pub fn attr(text: &str) -> String {
    escape_chars(text, &['&', '"'])
}

/// `text` escaped for a double-quoted attribute value with `<` and `>` too.
pub fn attr_strict(text: &str) -> String {
    escape_chars(text, &['&', '"', '<', '>'])
}

/// `text` escaped for element content and double- or single-quoted attributes alike: `&`, `<`,
/// `>`, `"` and `'` (as `&#39;`).
pub fn anywhere(text: &str) -> String {
    escape_chars(text, &['&', '<', '>', '"', '\''])
}

fn escape_chars(text: &str, special: &[char]) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !special.contains(&c) {
            out.push(c);
            continue;
        }
        out.push_str(match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '\'' => "&#39;",
            _ => "&quot;",
        });
    }
    out
}

/// Collapses every run of whitespace (Unicode's, no-break space included) to one space and
/// trims both ends: the readable form of a label or an attribute.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Collapses runs of ASCII whitespace to one space, keeping the ends (one space each) and any
/// other character, no-break space included: how a browser lays out text inside a line.
pub fn collapse_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_html5ever() {
        let mut out = String::new();
        push_text(&mut out, "a<b>&\"c\u{a0}é");
        assert_eq!(out, "a&lt;b&gt;&amp;\"c&nbsp;é");
        let mut out = String::new();
        push_attr(&mut out, "a<b>&\"c\u{a0}");
        assert_eq!(out, "a<b>&amp;&quot;c&nbsp;");
    }

    #[test]
    fn other_characters_sharing_the_no_break_space_lead_byte_stay() {
        // © is C2 A9, ¡ is C2 A1: only C2 A0 is the no-break space.
        let mut out = String::new();
        push_text(&mut out, "©\u{a0}¡<\u{a0}\u{a0}x©");
        assert_eq!(out, "©&nbsp;¡&lt;&nbsp;&nbsp;x©");
        let mut out = String::new();
        push_attr(&mut out, "¡\"©");
        assert_eq!(out, "¡&quot;©");
    }

    #[test]
    fn minimal_escapes_keep_a_no_break_space() {
        assert_eq!(text("a<b>&\"c\u{a0}"), "a&lt;b&gt;&amp;\"c\u{a0}");
        assert_eq!(attr("a<b>&\"c\u{a0}"), "a<b>&amp;&quot;c\u{a0}");
        assert_eq!(attr_strict("a<b>&\"c"), "a&lt;b&gt;&amp;&quot;c");
        assert_eq!(anywhere("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
    }

    #[test]
    fn collapses() {
        assert_eq!(collapse("  a \n\u{a0} b\t"), "a b");
        assert_eq!(collapse_ascii("  a \n\u{a0} b\t"), " a \u{a0} b ");
    }
}
