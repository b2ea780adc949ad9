//! Video URLs: recognises `YouTube`, Vimeo, Loom, Wistia and Vidyard page or embed URLs and
//! returns the embed URL Intercom accepts in an `<iframe>`.

use url::Url;

/// The hosts whose embeds Intercom accepts, as shown in messages.
pub const SUPPORTED: &str = "YouTube, Vimeo, Loom, Wistia and Vidyard";

/// The embed URL for a video page or embed URL, or `None` when `raw` is not a supported video.
pub fn embed_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if !(raw.starts_with("https://") || raw.starts_with("http://")) {
        return None;
    }
    let url = Url::parse(raw).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let id_ok = |id: &str| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    match (host, segments.as_slice()) {
        ("youtube.com" | "m.youtube.com", ["watch"]) => {
            let id = url.query_pairs().find(|(k, _)| k == "v")?.1;
            id_ok(&id).then(|| format!("https://www.youtube.com/embed/{id}"))
        }
        ("youtube.com" | "m.youtube.com" | "youtube-nocookie.com", ["embed" | "shorts", id])
        | ("youtu.be", [id]) => id_ok(id).then(|| format!("https://www.youtube.com/embed/{id}")),
        ("vimeo.com", [id]) if id.bytes().all(|b| b.is_ascii_digit()) => {
            Some(format!("https://player.vimeo.com/video/{id}"))
        }
        // Unlisted videos carry a privacy hash in the page URL.
        ("vimeo.com", [id, hash]) if id.bytes().all(|b| b.is_ascii_digit()) && id_ok(hash) => {
            Some(format!("https://player.vimeo.com/video/{id}?h={hash}"))
        }
        ("player.vimeo.com", ["video", id]) if id.bytes().all(|b| b.is_ascii_digit()) => {
            let hash = url.query_pairs().find(|(k, _)| k == "h").map(|(_, v)| v);
            match hash {
                Some(h) if id_ok(&h) => Some(format!("https://player.vimeo.com/video/{id}?h={h}")),
                _ => Some(format!("https://player.vimeo.com/video/{id}")),
            }
        }
        ("loom.com", ["share" | "embed", id]) => {
            id_ok(id).then(|| format!("https://www.loom.com/embed/{id}"))
        }
        (h, ["medias", id]) if h.ends_with(".wistia.com") => {
            id_ok(id).then(|| format!("https://fast.wistia.net/embed/iframe/{id}"))
        }
        ("fast.wistia.net" | "fast.wistia.com", ["embed", "iframe", id]) => {
            id_ok(id).then(|| format!("https://fast.wistia.net/embed/iframe/{id}"))
        }
        ("share.vidyard.com", ["watch", id]) | ("play.vidyard.com", [id]) => {
            let id = id.strip_suffix(".html").unwrap_or(id);
            id_ok(id).then(|| format!("https://play.vidyard.com/{id}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_every_host_to_its_embed_url() {
        let cases = [
            (
                "https://www.youtube.com/watch?v=jqO8AQHj7Fw&t=3",
                "https://www.youtube.com/embed/jqO8AQHj7Fw",
            ),
            (
                "https://youtu.be/jqO8AQHj7Fw",
                "https://www.youtube.com/embed/jqO8AQHj7Fw",
            ),
            (
                "https://www.youtube.com/embed/jqO8AQHj7Fw?rel=0",
                "https://www.youtube.com/embed/jqO8AQHj7Fw",
            ),
            (
                "https://vimeo.com/76979871",
                "https://player.vimeo.com/video/76979871",
            ),
            (
                "https://vimeo.com/76979871/abc123",
                "https://player.vimeo.com/video/76979871?h=abc123",
            ),
            (
                "https://www.loom.com/share/0281766fa2d04bb788eaf19e65135184",
                "https://www.loom.com/embed/0281766fa2d04bb788eaf19e65135184",
            ),
            (
                "https://acme.wistia.com/medias/e4a27b971d",
                "https://fast.wistia.net/embed/iframe/e4a27b971d",
            ),
            (
                "https://share.vidyard.com/watch/B1Ya7kV3b4MfFMSBTZxHkK",
                "https://play.vidyard.com/B1Ya7kV3b4MfFMSBTZxHkK",
            ),
        ];
        for (page, embed) in cases {
            assert_eq!(embed_url(page).as_deref(), Some(embed), "{page}");
        }
    }

    #[test]
    fn rejects_other_urls() {
        for url in [
            "https://example.com/watch?v=x",
            "https://vimeo.com/channels",
            "https://www.youtube.com/watch?v=<script>",
            "javascript:alert(1)",
            "https://evil.com/medias/x",
        ] {
            assert_eq!(embed_url(url), None, "{url}");
        }
    }
}
