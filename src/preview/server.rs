//! The preview's HTTP server (axum on 127.0.0.1): routes, the Content-Security-Policy, and
//! the per-request work — pages are built from the in-memory [`Index`] (refreshed by
//! file-system notifications), `/_preview/events` streams its refreshes for live reload, and
//! the Changes view computes the plan on the server's own runtime.

use std::fmt::Write as _;
use std::path::{Component, Path as FsPath, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::preview::index::Index;
use crate::preview::pages::{self, View, escape};
use crate::preview::site::Site;
use crate::preview::{assets, changes};

/// Only the tool's own assets (inline `style` attributes allowed: callouts carry their
/// colours that way in the HTML `apply` sends); images may come from any https host (published
/// asset URLs),
/// frames only from the video hosts `render` embeds.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' https: data:; \
    frame-src https://www.youtube.com https://player.vimeo.com https://www.loom.com \
    https://fast.wistia.net https://play.vidyard.com; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// What the server needs to know.
#[derive(Debug, Clone)]
pub struct PreviewOptions {
    /// The content root.
    pub root: PathBuf,
    /// `--target`, if given (else the config's `default_target`).
    pub target: Option<String>,
}

struct AppState {
    options: PreviewOptions,
    index: Arc<Index>,
    /// One plan at a time: each one starts the embedded sandbox on the same data file.
    plan_lock: tokio::sync::Mutex<()>,
}

type Shared = Arc<AppState>;

/// The routes of the preview, over a fresh [`Index`] of `options.root` (loaded here).
pub fn router(options: PreviewOptions) -> Router {
    let (index, _) = Index::open(&options.root);
    router_with(options, index)
}

/// The routes of the preview over `index`.
pub fn router_with(options: PreviewOptions, index: Arc<Index>) -> Router {
    let state = Arc::new(AppState {
        options,
        index,
        plan_lock: tokio::sync::Mutex::new(()),
    });
    Router::new()
        .route("/", get(home))
        .route("/_preview/events", get(events))
        .route("/articles/{*key}", get(article))
        .route("/changes", get(changes_view))
        .route("/static/style.css", get(style))
        .route("/static/app.js", get(script))
        .route("/files/{*path}", get(file))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(loopback_host_only))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Serves until Ctrl-C. `warn` gets the reason when the tree cannot be watched.
pub async fn serve(
    listener: tokio::net::TcpListener,
    options: PreviewOptions,
    warn: impl FnOnce(&str),
) -> std::io::Result<()> {
    let root = options.root.clone();
    let (index, warning) = tokio::task::spawn_blocking(move || Index::open(&root))
        .await
        .map_err(std::io::Error::other)?;
    if let Some(warning) = warning {
        warn(&warning);
    }
    axum::serve(listener, router_with(options, index))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

/// Answers only requests addressed to a loopback name: a page on another site that points its
/// own host name at 127.0.0.1 (DNS rebinding) gets 403, never the content tree.
async fn loopback_host_only(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if host.is_some_and(is_loopback_host) {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "the preview answers only to 127.0.0.1, localhost and [::1]\n",
        )
            .into_response()
    }
}

/// `127.0.0.1`, `localhost` or `[::1]`, with an optional port.
fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inside, port))
                if port.is_empty() || port.strip_prefix(':').is_some_and(is_port) =>
            {
                return inside == "::1";
            }
            _ => return false,
        }
    } else {
        match host.split_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost")
}

/// 1 to 5 digits.
fn is_port(s: &str) -> bool {
    (1..=5).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Debug, Deserialize)]
struct LocaleQuery {
    locale: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TargetQuery {
    target: Option<String>,
}

/// The index's current snapshot, made current first (see [`Index::fresh`]); `key` names the
/// article the page shows, whose files are checked too.
async fn load(state: &Shared, key: Option<&str>) -> Arc<Site> {
    state.index.fresh(key).await
}

/// `/_preview/events`: Server-Sent Events for live reload. A `ready` event first (the stream
/// is open), then one `refresh` event per index refresh that changed something:
/// `{"generation":N,"articles":[keys],"tree":bool}`. The page script reloads when its article
/// is listed, or when `tree` is set, or (on pages that are not an article) on any refresh.
async fn events(State(state): State<Shared>) -> impl IntoResponse {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let mut changes = state.index.subscribe();
    changes.mark_unchanged();
    let ready = futures::stream::once(async {
        Ok::<_, std::convert::Infallible>(Event::default().event("ready").data("{}"))
    });
    let refreshes = futures::stream::unfold(changes, |mut changes| async move {
        changes.changed().await.ok()?;
        let refresh = changes.borrow_and_update().clone();
        let data = serde_json::json!({
            "generation": refresh.generation,
            "articles": refresh.articles,
            "tree": refresh.tree,
        });
        let event = Event::default().event("refresh").data(data.to_string());
        Some((Ok(event), changes))
    });
    Sse::new(futures::StreamExt::chain(ready, refreshes)).keep_alive(KeepAlive::default())
}

/// The requested locale when the config lists it, else the default locale.
fn pick_locale(site: &Site, wanted: Option<&str>) -> String {
    let Some(project) = &site.project else {
        return "en".to_owned();
    };
    match wanted {
        Some(code) if project.config.locales.iter().any(|l| l == code) => code.to_owned(),
        _ => project.config.default_locale.clone(),
    }
}

async fn home(State(state): State<Shared>, Query(query): Query<LocaleQuery>) -> Html<String> {
    let site = load(&state, None).await;
    let locale = pick_locale(&site, query.locale.as_deref());
    Html(pages::index(&site, &locale))
}

async fn article(
    State(state): State<Shared>,
    Path(key): Path<String>,
    Query(query): Query<LocaleQuery>,
) -> Response {
    let site = load(&state, Some(&key)).await;
    let locale = pick_locale(&site, query.locale.as_deref());
    if let Some(html) = pages::article(&site, &key, &locale) {
        return Html(html).into_response();
    }
    // A file that fails to load is not in the tree: show why instead of a bare 404.
    let own: Vec<&crate::diagnostics::Diagnostic> = site
        .diagnostics
        .iter()
        .filter(|d| d.path.as_deref().is_some_and(|p| key_of_path(p) == key))
        .collect();
    let (status, title, panel) = if own.is_empty() {
        (
            StatusCode::NOT_FOUND,
            "No such article",
            pages::diagnostics_panel(&site, &site.diagnostics),
        )
    } else {
        (
            StatusCode::OK,
            "This article cannot be shown",
            pages::diagnostics_panel(&site, own),
        )
    };
    let body = format!(
        "<p>No article with the key <code>{}</code> could be loaded.</p>{panel}",
        escape(&key)
    );
    (
        status,
        Html(pages::message(&site, View::Articles, &locale, title, &body)),
    )
        .into_response()
}

async fn changes_view(State(state): State<Shared>, Query(query): Query<TargetQuery>) -> Response {
    let site = state.index.fresh_every_file().await;
    let locale = pick_locale(&site, None);
    let Some(project) = &site.project else {
        return Html(pages::broken(&site)).into_response();
    };
    let message = |title: &str, body: String| {
        Html(pages::message(&site, View::Changes, &locale, title, &body)).into_response()
    };
    if site.error_count() > 0 {
        return message(
            "Cannot plan: the content has errors",
            pages::diagnostics_panel(&site, &site.diagnostics),
        );
    }
    let target = match changes::choose_target(
        project,
        query.target.as_deref(),
        state.options.target.as_deref(),
    ) {
        Ok(target) => target,
        Err(e) => return message("Cannot plan", error_html(&e.to_string(), e.hint())),
    };
    let plan = {
        let _one_at_a_time = state.plan_lock.lock().await;
        changes::compute(project, target).await
    };
    match plan {
        Ok(plan) => {
            let main = changes::plan_html(project, &plan, target);
            Html(pages::layout(&pages::Layout {
                title: "Changes",
                view: View::Changes,
                locale: &locale,
                locale_links: Vec::new(),
                sidebar: pages::sidebar(&site, &locale, None),
                main,
            }))
            .into_response()
        }
        Err(failure) => {
            let mut body = error_html(&failure.error.to_string(), failure.error.hint());
            body.push_str(&pages::diagnostics_panel(&site, &failure.diagnostics));
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

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        assets::STYLE,
    )
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        assets::SCRIPT,
    )
}

/// Image files of the content tree (published asset URLs are rewritten to point here).
async fn file(State(state): State<Shared>, Path(path): Path<String>) -> Response {
    let Some(content_type) = image_type(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let relative = FsPath::new(&path);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    // Links resolved: the file must really be inside the root, and a regular file.
    let root = state.options.root.clone();
    let inside = tokio::task::spawn_blocking(move || {
        let root = std::fs::canonicalize(&root).ok()?;
        let real = std::fs::canonicalize(root.join(relative_owned(&path))).ok()?;
        let regular = std::fs::metadata(&real).ok()?.is_file();
        (regular && real.starts_with(&root)).then_some(real)
    })
    .await
    .ok()
    .flatten();
    let Some(real) = inside else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(real).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

fn relative_owned(path: &str) -> std::path::PathBuf {
    FsPath::new(path).to_path_buf()
}

/// The default key of a Markdown file: its path without locale suffix and extension.
fn key_of_path(path: &FsPath) -> String {
    let slashed = crate::diagnostics::slash_path(path);
    let stem = slashed.strip_suffix(".md").unwrap_or(&slashed);
    match stem.rsplit_once('.') {
        Some((base, locale)) if !locale.contains('/') && locale.len() <= 5 => base.to_owned(),
        _ => stem.to_owned(),
    }
}

/// The content type of an image path, `None` for anything else.
fn image_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

async fn not_found(State(state): State<Shared>) -> Response {
    let site = load(&state, None).await;
    let locale = pick_locale(&site, None);
    (
        StatusCode::NOT_FOUND,
        Html(pages::message(
            &site,
            View::Articles,
            &locale,
            "Not found",
            "<p>No page here.</p>",
        )),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_images_are_served_from_the_tree() {
        assert_eq!(image_type("a/b.PNG"), Some("image/png"));
        assert_eq!(image_type("helpcenter.toml"), None);
        assert_eq!(image_type("a.md"), None);
    }

    #[test]
    fn only_loopback_host_names_are_answered() {
        for ok in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:1",
            "[::1]",
            "[::1]:65535",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "127.0.0.2",
            "[::2]:80",
            "127.0.0.1:",
            "127.0.0.1:80a",
            "[::1]x",
            "[::1]80",
            "",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn keys_of_markdown_paths() {
        assert_eq!(key_of_path(FsPath::new("a/b.md")), "a/b");
        assert_eq!(key_of_path(FsPath::new("a/b.fr.md")), "a/b");
        assert_eq!(key_of_path(FsPath::new("a/b.pt-BR.md")), "a/b");
    }
}
