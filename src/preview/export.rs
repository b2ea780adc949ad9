//! `helpcenter preview --export DIR`: the preview written as static files, for a pull-request
//! artifact opened from disk (`file://`) with no server. The pages are the server's own
//! renderers ([`pages`], [`changes`]); this module only lays them out as files and rewrites
//! their site-absolute URLs (`/articles/<key>?locale=fr`, `/files/…`, `/static/…`,
//! `/changes`) into relative links.
//!
//! Layout of `DIR`: `index.html` (the home page in the default locale), `<locale>/index.html`,
//! `<locale>/articles/<key>.html` for every article in every configured locale (a missing
//! translation shows the default-locale file with a notice, as in the server),
//! `changes.html` (the plan against the chosen target), `static/` (stylesheet and script) and
//! `files/` (the content tree's images that the pages show).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use crate::error::{CommandError, FileAction};
use crate::preview::pages::{self, View, escape};
use crate::preview::site::Site;
use crate::preview::{assets, changes};

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// HTML pages written.
    pub pages: usize,
    /// Image files copied from the content tree.
    pub files: usize,
    /// The target the Changes page was planned against, when it could be planned.
    pub planned: Option<String>,
}

/// Writes the preview of the content under `root` into `out` (created if missing; files of
/// an earlier export are overwritten, nothing else is removed). `target` is `--target`.
pub fn export(root: &Path, target: Option<&str>, out: &Path) -> Result<ExportReport, CommandError> {
    let site = Site::load(root);
    let Some(project) = &site.project else {
        return Err(
            CommandError::invalid("`helpcenter.toml` has errors; nothing was exported")
                .with_hint("run `helpcenter check` to see them"),
        );
    };
    let mut writer = Writer {
        out: out.to_path_buf(),
        locales: project.config.locales.clone(),
        default_locale: project.config.default_locale.clone(),
        images: BTreeSet::new(),
        report: ExportReport::default(),
    };
    writer.page("index.html", &pages::index(&site, &writer.default_locale))?;
    for locale in &project.config.locales {
        writer.page(
            &format!("{locale}/index.html"),
            &pages::index(&site, locale),
        )?;
        for article in &project.articles {
            let Some(html) = pages::article(&site, &article.key, locale) else {
                continue;
            };
            let Some(rel) = article_file(locale, &article.key) else {
                continue;
            };
            writer.page(&rel, &html)?;
        }
    }
    let changes = changes_page(&site, project, target, &mut writer.report);
    writer.page("changes.html", &changes)?;
    writer.raw("static/style.css", assets::STYLE.as_bytes())?;
    writer.raw("static/app.js", assets::SCRIPT.as_bytes())?;
    writer.copy_images(root)?;
    Ok(writer.report)
}

/// The Changes page, as the server builds it: the plan, or why it cannot be made.
fn changes_page(
    site: &Site,
    project: &crate::content::model::Project,
    wanted: Option<&str>,
    report: &mut ExportReport,
) -> String {
    let locale = project.config.default_locale.clone();
    let message =
        |title: &str, body: String| pages::message(site, View::Changes, &locale, title, &body);
    if site.error_count() > 0 {
        return message(
            "Cannot plan: the content has errors",
            pages::diagnostics_panel(site, &site.diagnostics),
        );
    }
    let target = match changes::choose_target(project, wanted, None) {
        Ok(target) => target,
        Err(e) => return message("Cannot plan", error_html(&e.to_string(), e.hint())),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            return message(
                "Cannot plan",
                error_html(&format!("cannot start the async runtime: {e}"), None),
            );
        }
    };
    match runtime.block_on(changes::compute(project, target)) {
        Ok(plan) => {
            report.planned = Some(target.name.clone());
            pages::layout(&pages::Layout {
                title: "Changes",
                view: View::Changes,
                locale: &locale,
                locale_links: Vec::new(),
                sidebar: pages::sidebar(site, &locale, None),
                main: changes::plan_html(project, &plan, target),
            })
        }
        Err(failure) => {
            let mut body = error_html(&failure.error.to_string(), failure.error.hint());
            body.push_str(&pages::diagnostics_panel(site, &failure.diagnostics));
            message("Cannot plan", body)
        }
    }
}

fn error_html(message: &str, hint: Option<&str>) -> String {
    let mut html = format!(
        "<p class=\"notice error\" id=\"plan-error\">error: {}</p>",
        escape(message)
    );
    if let Some(hint) = hint {
        let _ = write!(html, "<p class=\"hint\">hint: {}</p>", escape(hint));
    }
    html
}

/// `<locale>/articles/<key>.html`, or `None` for a key that is not a plain relative path
/// (the loader's keys always are; this keeps every file inside the export).
fn article_file(locale: &str, key: &str) -> Option<String> {
    let plain = !key.is_empty()
        && Path::new(key)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        && !key.contains('\\');
    (plain && is_plain_segment(locale)).then(|| format!("{locale}/articles/{key}.html"))
}

fn is_plain_segment(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\'])
}

struct Writer {
    out: PathBuf,
    locales: Vec<String>,
    default_locale: String,
    /// Content-tree image paths the pages show (`/files/<path>`).
    images: BTreeSet<String>,
    report: ExportReport,
}

impl Writer {
    /// Writes one page at `rel` (a `/`-separated path under the export) with its URLs made
    /// relative to it.
    fn page(&mut self, rel: &str, html: &str) -> Result<(), CommandError> {
        let depth = rel.matches('/').count();
        let html = self.relative_urls(html, depth);
        self.raw(rel, html.as_bytes())?;
        self.report.pages += 1;
        Ok(())
    }

    fn raw(&self, rel: &str, bytes: &[u8]) -> Result<(), CommandError> {
        let path = self.out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| CommandError::file(FileAction::Create, parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| CommandError::file(FileAction::Write, &path, e))
    }

    /// Rewrites every `href="/…"` and `src="/…"` of `html` for a page `depth` folders deep.
    fn relative_urls(&mut self, html: &str, depth: usize) -> String {
        let up = "../".repeat(depth);
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        loop {
            let next = ["href=\"/", "src=\"/"]
                .iter()
                .filter_map(|attr| rest.find(attr).map(|i| (i, attr.len() - 1)))
                .min();
            let Some((at, attr_len)) = next else {
                out.push_str(rest);
                return out;
            };
            let value_start = at + attr_len;
            out.push_str(&rest[..value_start]);
            let tail = &rest[value_start..];
            let end = tail.find('"').unwrap_or(tail.len());
            let url = &tail[..end];
            match self.target_of(url) {
                Some(target) => {
                    out.push_str(&up);
                    out.push_str(&target);
                }
                None => out.push_str(url),
            }
            rest = &tail[end..];
        }
    }

    /// The export-relative URL for a site-absolute preview URL (still HTML-escaped as in
    /// the attribute), or `None` to leave it as it is (`//host/…`, unknown paths).
    fn target_of(&mut self, url: &str) -> Option<String> {
        if url.starts_with("//") {
            return None;
        }
        let (path_query, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (url, None),
        };
        let (path, query) = match path_query.split_once('?') {
            Some((p, q)) => (p, q),
            None => (path_query, ""),
        };
        let locale = query
            .split("&amp;")
            .flat_map(|part| part.split('&'))
            .find_map(|pair| pair.strip_prefix("locale="))
            .map(percent_decode)
            .filter(|l| self.locales.contains(l))
            .unwrap_or_else(|| self.default_locale.clone());
        let mapped = if path == "/" {
            format!("{locale}/index.html")
        } else if let Some(key) = path.strip_prefix("/articles/") {
            article_file(&locale, &percent_decode(key))?;
            // The href keeps the key percent-encoded; the file name is the decoded key.
            format!("{locale}/articles/{key}.html")
        } else if path == "/changes" {
            "changes.html".to_owned()
        } else if let Some(asset) = path.strip_prefix("/static/") {
            format!("static/{asset}")
        } else if let Some(file) = path.strip_prefix("/files/") {
            self.images.insert(percent_decode(file));
            format!("files/{file}")
        } else {
            return None;
        };
        Some(match fragment {
            Some(f) => format!("{mapped}#{f}"),
            None => mapped,
        })
    }

    /// Copies the images the pages show, each only when it is a regular image file inside
    /// the content root once links are resolved (as the server's `/files/` does).
    fn copy_images(&mut self, root: &Path) -> Result<(), CommandError> {
        let Ok(real_root) = std::fs::canonicalize(root) else {
            return Ok(());
        };
        let images = std::mem::take(&mut self.images);
        for rel in images {
            let plain = Path::new(&rel)
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
            if !plain || !is_image(&rel) {
                continue;
            }
            let Ok(real) = std::fs::canonicalize(root.join(&rel)) else {
                continue;
            };
            if !real.starts_with(&real_root) || !real.is_file() {
                continue;
            }
            let bytes =
                std::fs::read(&real).map_err(|e| CommandError::file(FileAction::Read, &real, e))?;
            self.raw(&format!("files/{rel}"), &bytes)?;
            self.report.files += 1;
        }
        Ok(())
    }
}

fn is_image(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, ext)| {
        matches!(
            ext.to_ascii_lowercase().as_str(),
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg"
        )
    })
}

/// Decodes `%XX` escapes (invalid ones are kept as they are).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> Writer {
        Writer {
            out: PathBuf::from("/nonexistent"),
            locales: vec!["en".into(), "fr".into()],
            default_locale: "en".into(),
            images: BTreeSet::new(),
            report: ExportReport::default(),
        }
    }

    #[test]
    fn site_urls_become_relative_to_the_page() {
        let mut w = writer();
        let html = "<a href=\"/?locale=fr\">h</a><a href=\"/articles/billing/plans?locale=fr#x\">a</a>\
                    <link href=\"/static/style.css\"><img src=\"/files/g/images/a%20b.png\">\
                    <a href=\"/changes?target=local\">c</a><a href=\"https://e.com/\">e</a>\
                    <a href=\"//cdn.example/x\">p</a><a href=\"/articles/x?locale=xx\">d</a>";
        assert_eq!(
            w.relative_urls(html, 2),
            "<a href=\"../../fr/index.html\">h</a><a href=\"../../fr/articles/billing/plans.html#x\">a</a>\
             <link href=\"../../static/style.css\"><img src=\"../../files/g/images/a%20b.png\">\
             <a href=\"../../changes.html\">c</a><a href=\"https://e.com/\">e</a>\
             <a href=\"//cdn.example/x\">p</a><a href=\"../../en/articles/x.html\">d</a>"
        );
        assert_eq!(w.images, BTreeSet::from(["g/images/a b.png".to_owned()]));
    }

    #[test]
    fn keys_that_would_leave_the_export_are_not_mapped() {
        assert_eq!(article_file("en", "../x"), None);
        assert_eq!(article_file("en", "/etc/x"), None);
        assert_eq!(article_file("..", "x"), None);
        assert_eq!(
            article_file("fr", "a/b").as_deref(),
            Some("fr/articles/a/b.html")
        );
        let mut w = writer();
        assert_eq!(
            w.relative_urls("<a href=\"/articles/../../x\">", 0),
            "<a href=\"/articles/../../x\">"
        );
    }
}
