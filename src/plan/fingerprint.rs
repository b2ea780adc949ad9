//! Temporary placeholder (replaced by the render helper's normalizer at merge).

/// Canonical form of an HTML body.
pub fn normalize(html: &str) -> String {
    html.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Readable lines of an HTML body.
pub fn readable_text(html: &str) -> String {
    html.to_owned()
}
