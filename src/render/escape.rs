//! HTML escaping and entity decoding for the renderer.
//!
//! The escaping rules are exactly those of html5ever's serializer (which ammonia uses), so HTML
//! generated from Markdown events is byte-identical to what a sanitizer pass would give back.

/// Appends `text` escaped for an HTML text node (`&`, `<`, `>`, no-break space).
pub fn push_text(out: &mut String, text: &str) {
    push_escaped(out, text, false);
}

/// Appends `text` escaped for a double-quoted attribute value (`&`, `"`, no-break space).
pub fn push_attr(out: &mut String, text: &str) {
    push_escaped(out, text, true);
}

fn push_escaped(out: &mut String, text: &str, attr: bool) {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let rep = match bytes[i] {
            b'&' => Some("&amp;"),
            b'<' if !attr => Some("&lt;"),
            b'>' if !attr => Some("&gt;"),
            b'"' if attr => Some("&quot;"),
            // U+00A0 is encoded as C2 A0.
            0xC2 if bytes.get(i + 1) == Some(&0xA0) => Some("&nbsp;"),
            _ => None,
        };
        if let Some(rep) = rep {
            out.push_str(&text[start..i]);
            out.push_str(rep);
            i += if bytes[i] == 0xC2 { 2 } else { 1 };
            start = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[start..]);
}

/// Decodes HTML character references (`&amp;`, `&#39;`, `&#x27;`, every named entity of the
/// HTML standard) in raw HTML text or attribute values. Unknown references stay literal.
pub fn decode_entities(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('&') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        if let Some((decoded, used)) = decode_one(rest) {
            out.push_str(&decoded);
            rest = &rest[used..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Decodes the reference at the start of `s` (which starts with `&`): (text, bytes used).
fn decode_one(s: &str) -> Option<(String, usize)> {
    let body = &s[1..];
    if let Some(num) = body.strip_prefix('#') {
        let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 2),
            None => (num, 10, 1),
        };
        let len = digits
            .bytes()
            .take_while(|b| (*b as char).is_digit(radix))
            .count();
        if len == 0 {
            return None;
        }
        let code = u32::from_str_radix(&digits[..len.min(8)], radix).unwrap_or(0xFFFD);
        let ch = char::from_u32(code)
            .filter(|c| *c != '\0')
            .unwrap_or('\u{FFFD}');
        let semi = usize::from(digits[len..].starts_with(';'));
        return Some((ch.to_string(), 1 + skip + len + semi));
    }
    let len = body.bytes().take_while(u8::is_ascii_alphanumeric).count();
    if len == 0 || len > 32 {
        return None;
    }
    let with_semi = body[len..].starts_with(';');
    let key_len = len + usize::from(with_semi);
    let (first, second) = *html5ever::data::NAMED_ENTITIES.get(&body[..key_len])?;
    let mut decoded = String::new();
    decoded.extend(char::from_u32(first));
    if second != 0 {
        decoded.extend(char::from_u32(second));
    }
    Some((decoded, 1 + key_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_html5ever() {
        let mut out = String::new();
        push_text(&mut out, "a<b>&\"c\u{a0}é");
        assert_eq!(out, "a&lt;b&gt;&amp;\"c&nbsp;é");
        out.clear();
        push_attr(&mut out, "a<b>&\"c\u{a0}");
        assert_eq!(out, "a<b>&amp;&quot;c&nbsp;");
    }

    #[test]
    fn decodes_named_and_numeric_references() {
        assert_eq!(
            decode_entities("a&amp;b &lt;x&gt; &#39;&#x41;"),
            "a&b <x> 'A"
        );
        assert_eq!(decode_entities("java&Tab;script&colon;"), "java\tscript:");
        assert_eq!(
            decode_entities("&unknownthing; & &#;"),
            "&unknownthing; & &#;"
        );
        assert_eq!(decode_entities("&copy 2024"), "© 2024");
    }
}
