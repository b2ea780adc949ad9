//! Entity decoding for the renderer; escaping is [`crate::html_text`]'s (html5ever's rules, so
//! HTML generated from Markdown events is byte-identical to what a sanitizer pass gives back).

pub use crate::html_text::{push_attr, push_text};

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
