//! Signed Intercom CDN image URLs for the bodies apply sends.
//!
//! Intercom serves re-hosted images from `downloads.intercomcdn.com` (`.eu`, `au.`) with an
//! `expires`/`signature`/`req` query that it re-signs over time. `pull` writes those URLs
//! without the query so files stay quiet; whether Intercom accepts them back unsigned is
//! unverified (API-NOTES §11). So before a body is sent, every CDN image in it gets the signed
//! URL that the current remote bodies (fetched by the plan) hold for the same image path.
//! In: the remote view and a body to send. Out: the body to put on the wire, and warnings
//! naming the images no remote body holds (they go out unsigned and may be dropped).
//! The hash of what was sent is taken before this step, so a re-signed URL never shows as a
//! local change.

use std::collections::BTreeMap;

use crate::plan::desired::{Desired, DesiredArticle};
use crate::plan::model::{ObjectKind, Plan};
use crate::plan::remote_view::RemoteView;

/// The query parameters Intercom signs CDN URLs with.
const SIGNED_PARAMS: [&str; 3] = ["expires", "signature", "req"];

/// Image path (URL without query or fragment) → the signed URL a remote body holds for it.
#[derive(Debug, Clone, Default)]
pub struct SignedImages {
    by_path: BTreeMap<String, String>,
}

impl SignedImages {
    /// Collects the signed CDN image URLs of every remote article body, all locales.
    pub fn from_remote(remote: &RemoteView) -> Self {
        let mut by_path = BTreeMap::new();
        let bodies = remote.articles.values().flat_map(|a| {
            a.body.iter().chain(
                a.translated_content
                    .values()
                    .filter_map(|c| c.body.as_ref()),
            )
        });
        for body in bodies.filter(|b| b.contains("intercomcdn")) {
            for src in image_sources(body) {
                if is_cdn(&src) && is_signed(&src) {
                    by_path.entry(stable_part(&src).to_owned()).or_insert(src);
                }
            }
        }
        Self { by_path }
    }

    /// `body` with every CDN image URL replaced by the signed URL known for its path (an
    /// unknown one is left as it is).
    pub fn restore(&self, body: &str) -> String {
        if self.by_path.is_empty() || !body.contains("intercomcdn") {
            return body.to_owned();
        }
        let mut out = String::with_capacity(body.len() + 128);
        let mut rest = body;
        while let Some((start, end, src)) = next_source(rest) {
            out.push_str(&rest[..start]);
            match self.signed_for(&src) {
                Some(signed) => out.push_str(&crate::html_text::attr_strict(signed)),
                None => out.push_str(&rest[start..end]),
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    /// The signed URL for a CDN image `src`, if a remote body holds one.
    fn signed_for(&self, src: &str) -> Option<&str> {
        if !is_cdn(src) {
            return None;
        }
        self.by_path.get(stable_part(src)).map(String::as_str)
    }

    /// The CDN images of `body` that no remote body holds, in order, deduplicated.
    pub fn unknown_in(&self, body: &str) -> Vec<String> {
        if !body.contains("intercomcdn") {
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for src in image_sources(body) {
            if is_cdn(&src) && self.signed_for(&src).is_none() && !out.contains(&src) {
                out.push(src);
            }
        }
        out
    }
}

/// One warning per article locale of the plan whose body references an Intercom CDN image
/// that no current remote body holds: it can only be sent without a signature.
pub fn plan_warnings(plan: &Plan, desired: &Desired, remote: &RemoteView) -> Vec<String> {
    let mut out = Vec::new();
    let with_cdn: BTreeMap<&str, &DesiredArticle> = desired
        .articles
        .iter()
        .filter(|a| a.locales.values().any(|f| f.body.contains("intercomcdn")))
        .map(|a| (a.key.as_str(), a))
        .collect();
    if with_cdn.is_empty() {
        return out;
    }
    let signed = SignedImages::from_remote(remote);
    for change in plan
        .changes
        .iter()
        .filter(|c| c.kind == ObjectKind::Article)
    {
        let Some(article) = with_cdn.get(change.key.as_str()) else {
            continue;
        };
        for locale in &change.locales {
            let Some(fields) = article.locales.get(locale) else {
                continue;
            };
            for src in signed.unknown_in(&fields.body) {
                out.push(format!(
                    "`{}` [{locale}]: image `{src}` is an Intercom CDN image that no article of the help center holds any more, so it can only be sent without its signature and Intercom may drop it; download it next to the article and link it relatively",
                    article.path
                ));
            }
        }
    }
    out
}

/// Whether `src` is on Intercom's image CDN.
pub fn is_cdn(src: &str) -> bool {
    let Ok(url) = url::Url::parse(src) else {
        return false;
    };
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    matches!(url.scheme(), "https" | "http")
        && ["intercomcdn.com", "intercomcdn.eu"]
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")))
}

/// Whether `src` carries Intercom's signature parameters.
fn is_signed(src: &str) -> bool {
    let Ok(url) = url::Url::parse(src) else {
        return false;
    };
    SIGNED_PARAMS
        .iter()
        .all(|p| url.query_pairs().any(|(k, v)| k == *p && !v.is_empty()))
}

/// The URL without its query and fragment: what identifies the image.
fn stable_part(src: &str) -> &str {
    src.split(['?', '#']).next().unwrap_or(src)
}

/// The decoded `src` values of `<img>` tags in `html`.
fn image_sources(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some((_, end, src)) = next_source(rest) {
        out.push(src);
        rest = &rest[end..];
    }
    out
}

/// The next `src` attribute value of an `img` tag in `html`: its byte range (inside the
/// quotes) and its entity-decoded value.
fn next_source(html: &str) -> Option<(usize, usize, String)> {
    let mut from = 0;
    loop {
        let tag = from + find_ascii_ci(&html[from..], "<img")?;
        let close = html[tag..].find('>').map_or(html.len(), |i| tag + i);
        let inside = &html[tag..close];
        if let Some((start, end)) = src_range(inside) {
            let value = decode_entities(&inside[start..end]);
            return Some((tag + start, tag + end, value));
        }
        from = close;
    }
}

/// The value range of the `src` attribute inside one tag (`<img …`, without `>`).
fn src_range(tag: &str) -> Option<(usize, usize)> {
    let bytes = tag.as_bytes();
    let mut i = 4;
    while i < bytes.len() {
        let at = i + find_ascii_ci(&tag[i..], "src")?;
        let before_ok = at > 0 && bytes[at - 1].is_ascii_whitespace();
        let mut j = at + 3;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if before_ok && bytes.get(j) == Some(&b'=') {
            j += 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            return match bytes.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = tag[j + 1..]
                        .find(q as char)
                        .map_or(tag.len(), |e| j + 1 + e);
                    Some((j + 1, end))
                }
                Some(_) => {
                    let end = tag[j..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '/')
                        .map_or(tag.len(), |e| j + e);
                    Some((j, end))
                }
                None => None,
            };
        }
        i = at + 3;
    }
    None
}

fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    haystack
        .as_bytes()
        .windows(n)
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Decodes the entities that appear in URLs (`&amp;`, `&quot;`, numeric ones).
fn decode_entities(value: &str) -> String {
    if !value.contains('&') {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&e| e <= 10).and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, e + 1))
        });
        if let Some((c, len)) = decoded {
            out.push(c);
            rest = &rest[len..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::models::Article;

    const SIGNED: &str =
        "https://downloads.intercomcdn.com/i/o/12/ab/shot.png?expires=1&signature=s1&req=r1";

    fn view(bodies: &[&str]) -> RemoteView {
        let mut remote = RemoteView::default();
        for (i, body) in bodies.iter().enumerate() {
            let article: Article = serde_json::from_value(serde_json::json!({
                "id": i.to_string(), "title": "t", "body": body
            }))
            .unwrap();
            remote.articles.insert(i.to_string(), article);
        }
        remote
    }

    #[test]
    fn restores_the_signed_url_of_the_same_path() {
        let remote = view(&[&format!(
            "<div class=\"intercom-container\"><img src=\"{}\"></div>",
            SIGNED.replace('&', "&amp;")
        )]);
        let signed = SignedImages::from_remote(&remote);
        let body = "<p>x</p>\n<div class=\"intercom-container\"><img src=\"https://downloads.intercomcdn.com/i/o/12/ab/shot.png\" alt=\"A\"></div>";
        assert_eq!(
            signed.restore(body),
            "<p>x</p>\n<div class=\"intercom-container\"><img src=\"https://downloads.intercomcdn.com/i/o/12/ab/shot.png?expires=1&amp;signature=s1&amp;req=r1\" alt=\"A\"></div>"
        );
        // A stale signature written in the Markdown is replaced by the current one too.
        let stale = "<img src=\"https://downloads.intercomcdn.com/i/o/12/ab/shot.png?expires=0&amp;signature=old&amp;req=x\">";
        assert_eq!(
            signed.restore(stale),
            "<img src=\"https://downloads.intercomcdn.com/i/o/12/ab/shot.png?expires=1&amp;signature=s1&amp;req=r1\">"
        );
        assert!(signed.unknown_in(body).is_empty());
    }

    #[test]
    fn leaves_other_images_and_names_unknown_cdn_ones() {
        let signed = SignedImages::from_remote(&view(&[&format!("<img src='{SIGNED}'>")]));
        let body = "<img src=\"https://cdn.example.com/a.png\"><img alt=\"g\" src=\"https://downloads.intercomcdn.com/i/o/99/cd/gone.png\"><img src=\"https://downloads.intercomcdn.com/i/o/99/cd/gone.png\">";
        assert_eq!(signed.restore(body), body);
        assert_eq!(
            signed.unknown_in(body),
            vec!["https://downloads.intercomcdn.com/i/o/99/cd/gone.png".to_owned()]
        );
        // Unsigned remote URLs are not a source of signatures.
        let unsigned = SignedImages::from_remote(&view(&[
            "<img src=\"https://downloads.intercomcdn.com/i/o/99/cd/gone.png\">",
        ]));
        assert_eq!(unsigned.unknown_in(body).len(), 1);
    }

    #[test]
    fn recognises_intercom_cdn_hosts_only() {
        assert!(is_cdn("https://downloads.intercomcdn.com/i/o/1/a/b.png"));
        assert!(is_cdn("https://downloads.intercomcdn.eu/i/o/1/a/b.png"));
        assert!(is_cdn("https://downloads.au.intercomcdn.com/i/o/1/a/b.png"));
        assert!(!is_cdn("https://intercomcdn.com.evil.example/a.png"));
        assert!(!is_cdn("https://example.com/intercomcdn.com/a.png"));
        assert!(!is_cdn("not a url"));
    }

    #[test]
    fn scans_unusual_markup_without_panicking() {
        for html in [
            "<img",
            "<img src",
            "<img src=",
            "<IMG SRC=\"https://downloads.intercomcdn.com/x\"",
            "<img data-src=\"a\" src=b>",
            "<img srcset=\"a\">&#xZZ;&amp",
        ] {
            let _ = image_sources(html);
            let _ = SignedImages::default().restore(html);
        }
        assert_eq!(
            image_sources("<img data-src=\"a\" src=b><IMG SRC='c&amp;d'>"),
            vec!["b".to_owned(), "c&d".to_owned()]
        );
    }
}
