//! Link and image targets: relative `.md` links become article-key placeholders, relative files
//! become public asset URLs (`assets.base_url` + path + `?v=<hash>`), absolute URLs are checked
//! against the schemes Intercom keeps.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{LINK_PLACEHOLDER, Problem};
use crate::content::model::{ArticleFile, LocalArticle, Project};

/// Hex digits of the content hash in an asset URL's `?v=`.
pub const ASSET_HASH_LEN: usize = 10;

/// What a link or image destination became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Write this `href`/`src` (already absolute or a placeholder).
    Url(String),
    /// A link to another article: `#helpcenter-key:<key>`.
    Article(String),
    /// A local file published under `assets.base_url`.
    Asset { url: String, path: PathBuf },
    /// Dropped: the link is removed (its text is kept), the reason is in the problems.
    Drop,
}

/// Resolves destinations for one article file.
pub struct Resolver<'a> {
    project: &'a Project,
    file: &'a ArticleFile,
    /// Directory of the file, relative to the root.
    dir: PathBuf,
}

impl<'a> Resolver<'a> {
    pub fn new(project: &'a Project, _article: &'a LocalArticle, file: &'a ArticleFile) -> Self {
        let dir = file
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Self { project, file, dir }
    }

    /// Resolves a link destination (`[text](dest)`, `<a href>`).
    pub fn link(&self, dest: &str, problems: &mut Vec<Problem>) -> Target {
        let dest = dest.trim();
        if dest.is_empty() {
            problems.push(Problem::warning(
                "link-empty",
                "link without a destination: link removed, text kept",
            ));
            return Target::Drop;
        }
        if dest.starts_with('#') {
            problems.push(
                Problem::warning(
                    "link-fragment",
                    format!("link to `{dest}` removed, text kept: Intercom regenerates heading ids, so same-page anchors break"),
                ),
            );
            return Target::Drop;
        }
        if let Some(scheme) = scheme_of(dest) {
            return match scheme.as_str() {
                "http" | "https" | "mailto" => Target::Url(dest.to_owned()),
                _ => {
                    problems.push(
                        Problem::warning(
                            "link-scheme",
                            format!("`{scheme}:` links are not allowed: link removed, text kept"),
                        )
                        .hint("use an `https://` or `mailto:` link, or a relative link to a file"),
                    );
                    Target::Drop
                }
            };
        }
        if dest.starts_with("//") {
            problems.push(
                Problem::warning(
                    "link-scheme",
                    format!("protocol-relative link `{dest}` removed, text kept"),
                )
                .hint("write the full `https://` URL"),
            );
            return Target::Drop;
        }
        let (path_part, fragment) = split_fragment(dest);
        let Some(rel) = self.local_path(path_part, problems) else {
            return Target::Drop;
        };
        let is_md = rel
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"));
        if is_md {
            let Some(key) = self.article_key(&rel, problems) else {
                return Target::Drop;
            };
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                problems.push(Problem::warning(
                    "link-fragment",
                    format!("`#{fragment}` dropped from the link to `{}`: Intercom regenerates heading ids", slash(&rel)),
                ));
            }
            return Target::Article(key);
        }
        match self.asset(&rel, "link", problems) {
            Some((url, path)) => Target::Asset { url, path },
            None => Target::Drop,
        }
    }

    /// Resolves an image source (`![alt](src)`, `<img src>`).
    pub fn image(&self, src: &str, problems: &mut Vec<Problem>) -> Target {
        let src = src.trim();
        if let Some(scheme) = scheme_of(src) {
            if scheme == "https" || scheme == "http" {
                return Target::Url(src.to_owned());
            }
            problems.push(
                Problem::error(
                    "image-url",
                    format!(
                        "image source `{}` is not a public URL: Intercom rejects the article",
                        short(src)
                    ),
                )
                .hint("use an `https://` URL or a file in the content tree"),
            );
            return Target::Drop;
        }
        if src.is_empty() || src.starts_with("//") || src.starts_with('#') {
            problems.push(
                Problem::error(
                    "image-url",
                    format!("image source `{src}` is not a file or an absolute URL"),
                )
                .hint("use an `https://` URL or a relative path to a file in the content tree"),
            );
            return Target::Drop;
        }
        let (path_part, _) = split_fragment(src);
        let Some(rel) = self.local_path(path_part, problems) else {
            return Target::Drop;
        };
        match self.asset(&rel, "image", problems) {
            Some((url, path)) => Target::Asset { url, path },
            None => Target::Drop,
        }
    }

    /// The path from the root of a relative destination, or an error when it leaves the root.
    fn local_path(&self, raw: &str, problems: &mut Vec<Problem>) -> Option<PathBuf> {
        let decoded = percent_decode(raw);
        let (base, rest) = match decoded.strip_prefix('/') {
            Some(rest) => (Path::new(""), rest),
            None => (self.dir.as_path(), &*decoded),
        };
        // Sized once: growing the buffer component by component was most of this function.
        let mut out = PathBuf::with_capacity(base.as_os_str().len() + rest.len() + 1);
        out.push(base);
        for part in Path::new(rest).components() {
            match part {
                Component::Normal(p) => out.push(p),
                Component::ParentDir => {
                    if !out.pop() {
                        problems.push(
                            Problem::error(
                                "path-outside-root",
                                format!("`{raw}` points outside the content root"),
                            )
                            .hint("files must live inside the folder that holds `helpcenter.toml`"),
                        );
                        return None;
                    }
                }
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
        Some(out)
    }

    /// The key of the article whose file (any locale) is `rel`.
    fn article_key(&self, rel: &Path, problems: &mut Vec<Problem>) -> Option<String> {
        let (default_path, explicit_locale) = self.default_path(rel);
        let unloaded = &self.project.unloaded;
        if unloaded.contains(rel) || unloaded.contains(&default_path) {
            // The target's own error is reported at its file; it is still an article.
            return None;
        }
        let Some(target) = self.find_article(&default_path) else {
            let exists = self.project.root.join(rel).is_file();
            let message = if exists {
                format!(
                    "link to `{}`, which is not an article (excluded, a README, or outside any collection)",
                    slash(rel)
                )
            } else {
                format!("broken link: `{}` does not exist", slash(rel))
            };
            problems.push(
                Problem::error("link-broken", message)
                    .hint("link to an article's `.md` file, relative to this file"),
            );
            return None;
        };
        if explicit_locale.is_some_and(|locale| !target.locales.contains_key(locale)) {
            problems.push(Problem::error(
                "link-broken",
                format!("broken link: `{}` does not exist", slash(rel)),
            ));
            return None;
        }
        let locale = &self.file.locale;
        if !target.locales.contains_key(locale) {
            problems.push(Problem::warning(
                "link-locale-fallback",
                format!(
                    "`{}` has no `{locale}` translation: the link goes to its `{}` version",
                    slash(&target.path),
                    self.project.config.default_locale
                ),
            ));
        }
        Some(target.key.clone())
    }

    /// `dir/name.fr.md` → (`dir/name.md`, Some("fr")) when `fr` is a configured locale.
    fn default_path<'p>(&self, rel: &'p Path) -> (PathBuf, Option<&'p str>) {
        let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if let Some((base, locale)) = stem.rsplit_once('.') {
            let is_locale = self.project.config.locales.iter().any(|l| l == locale);
            if !base.is_empty() && is_locale && self.find_article(rel).is_none() {
                return (rel.with_file_name(format!("{base}.md")), Some(locale));
            }
        }
        (rel.to_path_buf(), None)
    }

    fn find_article(&self, path: &Path) -> Option<&'a LocalArticle> {
        // `Project::articles` is sorted by path (the loader guarantees it): no scan, which
        // would make rendering a whole tree quadratic. Compared as bytes (see
        // [`cmp_normal_paths`]): `Path`'s component-wise comparison was 8 % of `check`.
        let articles = &self.project.articles;
        articles
            .binary_search_by(|a| cmp_normal_paths(&a.path, path))
            .ok()
            .map(|i| &articles[i])
    }

    /// The public URL of the local file `rel` (used by a `kind` = "image" or "link").
    fn asset(
        &self,
        rel: &Path,
        kind: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<(String, PathBuf)> {
        let full = self.project.root.join(rel);
        let exists = std::fs::metadata(&full).is_ok_and(|meta| meta.is_file());
        if !exists {
            let code = if kind == "image" {
                "image-missing"
            } else {
                "link-broken"
            };
            problems.push(
                Problem::error(code, format!("{kind} file `{}` does not exist", slash(rel)))
                    .hint("paths are relative to this file; check the name and its case"),
            );
            return None;
        }
        // Inside the root first: a file outside is never read.
        let inside = match (full.canonicalize(), self.project.root.canonicalize()) {
            (Ok(file), Ok(root)) => file.starts_with(root),
            _ => false,
        };
        if !inside {
            problems.push(
                Problem::error(
                    "path-outside-root",
                    format!(
                        "{kind} file `{}` resolves outside the content root (symlink)",
                        slash(rel)
                    ),
                )
                .hint("copy the file into the content tree"),
            );
            return None;
        }
        let bytes = match crate::content::read::bounded(&full, crate::content::read::ASSET_LIMIT) {
            Ok(bytes) => bytes,
            Err(err) => {
                problems.push(
                    Problem::error(
                        "asset-unreadable",
                        format!("{kind} file `{}`: {err}", slash(rel)),
                    )
                    .hint("put the file itself in the content tree"),
                );
                return None;
            }
        };
        let Some(base) = self.project.config.assets.base_url.as_deref() else {
            problems.push(
                Problem::error(
                    "assets-base-url",
                    format!("{kind} `{}` needs `assets.base_url`, which is not set", slash(rel)),
                )
                .hint("set `[assets] base_url` in `helpcenter.toml` to the public URL of the content root, e.g. `https://raw.githubusercontent.com/ORG/REPO/main/`"),
            );
            return None;
        };
        let hash = Sha256::digest(&bytes);
        let mut url = String::with_capacity(base.len() + 64);
        url.push_str(base);
        if !url.ends_with('/') {
            url.push('/');
        }
        for (i, part) in rel.components().enumerate() {
            if i > 0 {
                url.push('/');
            }
            percent_encode_into(&mut url, &part.as_os_str().to_string_lossy());
        }
        url.push_str("?v=");
        url.push_str(&hex::encode(hash)[..ASSET_HASH_LEN]);
        Some((url, rel.to_path_buf()))
    }
}

/// Orders two normalized relative paths (only normal components, single separators, as the
/// walk and [`Resolver::local_path`] build them) exactly as `Path::cmp` does, on their bytes:
/// a separator sorts before every other byte, so `a/b` < `a-b` as the component `a` < `a-b`.
fn cmp_normal_paths(a: &Path, b: &Path) -> std::cmp::Ordering {
    fn key(byte: u8) -> u8 {
        if byte == b'/' || (cfg!(windows) && byte == b'\\') {
            0
        } else {
            byte
        }
    }
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    match (a.get(common), b.get(common)) {
        (Some(x), Some(y)) => key(*x).cmp(&key(*y)),
        _ => a.len().cmp(&b.len()),
    }
}

/// The placeholder href of an article key.
pub fn placeholder(key: &str) -> String {
    format!("{LINK_PLACEHOLDER}{key}")
}

/// The lowercase URL scheme of `dest`, ignoring the ASCII whitespace and control characters
/// browsers ignore (`java\tscript:`); `None` for relative references.
fn scheme_of(dest: &str) -> Option<String> {
    // Most destinations are relative paths: no `:` before the path, query or fragment means
    // no scheme (the characters filtered below are never `:`, `/`, `?` or `#`).
    let before_path = dest.split(['/', '?', '#']).next().unwrap_or_default();
    if !before_path.contains(':') {
        return None;
    }
    let cleaned: String = dest
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take_while(|c| !matches!(c, '/' | '?' | '#'))
        .collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// Splits `path?query#fragment` into the path and the fragment (the query is dropped).
fn split_fragment(dest: &str) -> (&str, Option<&str>) {
    let (before, fragment) = match dest.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (dest, None),
    };
    let path = before.split_once('?').map_or(before, |(p, _)| p);
    (path, fragment)
}

fn percent_decode(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.contains('%') {
        return std::borrow::Cow::Borrowed(raw);
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = raw
            .get(i + 1..i + 3)
            .filter(|h| bytes[i] == b'%' && h.bytes().all(|b| b.is_ascii_hexdigit()));
        if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn percent_encode_into(out: &mut String, segment: &str) {
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// A path with `/` separators, for messages.
pub fn slash(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        let mut t: String = s.chars().take(40).collect();
        t.push('…');
        t
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_detection_sees_through_obfuscation() {
        assert_eq!(scheme_of("https://x").as_deref(), Some("https"));
        assert_eq!(
            scheme_of(" JaVa\tScript:alert(1)").as_deref(),
            Some("javascript")
        );
        assert_eq!(scheme_of("data:text/html,x").as_deref(), Some("data"));
        assert_eq!(scheme_of("guides/a.md"), None);
        assert_eq!(scheme_of("a/b:c.md"), None);
        assert_eq!(scheme_of("#x:y"), None);
    }

    #[test]
    fn percent_coding() {
        assert_eq!(percent_decode("my%20file.md"), "my file.md");
        assert_eq!(percent_decode("100%"), "100%");
        let mut s = String::new();
        percent_encode_into(&mut s, "a b(é).png");
        assert_eq!(s, "a%20b%28%C3%A9%29.png");
    }

    #[test]
    fn byte_order_of_normal_paths_is_path_order() {
        let names = [
            "a",
            "a-b",
            "a.md",
            "a/b",
            "a/b.md",
            "a/b/c.md",
            "a0",
            "ab",
            "a b",
            "a\u{e9}.md",
            "b",
            "area-01/topic-02/article-003.md",
            "area-01/topic-02/article-003.fr.md",
            "area-01/topic-02.md",
            "area-01/topic-02/x",
            "area-01-x/a.md",
            "Z",
            "_z",
            "",
        ];
        for x in names {
            for y in names {
                let (x, y) = (Path::new(x), Path::new(y));
                assert_eq!(cmp_normal_paths(x, y), x.cmp(y), "{x:?} vs {y:?}");
            }
        }
    }

    #[test]
    fn splits_fragment_and_query() {
        assert_eq!(split_fragment("a.md?x=1#top"), ("a.md", Some("top")));
        assert_eq!(split_fragment("a.md"), ("a.md", None));
    }
}
