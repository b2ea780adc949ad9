//! `helpcenter render FILE`: the sanitized HTML body of one article file, offline. Links to
//! other articles resolve through the target's state file when it knows their URL (in the
//! file's locale, else the default locale's), otherwise stay `#helpcenter-key:<key>`.

use std::path::{Component, Path, PathBuf};

use crate::content::model::{ArticleFile, LocalArticle, Project};
use crate::diagnostics::Diagnostic;
use crate::error::{CommandError, CommandResult, Outcome};
use crate::output::Printer;
use crate::output::report::DiagnosticFormat;
use crate::render::{self, Rendered};
use crate::settings::{self, Global};
use crate::state::state_file::StateFile;

pub fn run(global: &Global, settings: &settings::Render, printer: &Printer) -> CommandResult {
    let root = global.dir.as_path();
    let loaded = crate::content::load(root);
    let rel = relative_to_root(root, &settings.file);
    let Some(project) = loaded.project else {
        printer.diagnostics(root, &loaded.diagnostics, DiagnosticFormat::Text);
        return Ok(Outcome::Failed);
    };
    // Problems elsewhere in the tree do not stop rendering this file; its own are shown.
    let own: Vec<Diagnostic> = loaded
        .diagnostics
        .into_iter()
        .filter(|d| d.path.as_deref() == Some(rel.as_path()) || d.path.is_none())
        .collect();
    let target = global
        .target
        .as_deref()
        .or(project.config.default_target.as_deref());
    let rendered = render_file(&project, &rel, target)?;
    let mut shown = own;
    shown.extend(rendered.diagnostics);
    printer.diagnostics(root, &shown, DiagnosticFormat::Text);
    printer.data(&rendered.html);
    let failed = shown.iter().any(Diagnostic::is_error);
    Ok(if failed {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// Renders the article file `rel` (relative to the root) and resolves its article links through
/// the state file of `target`, when given.
pub fn render_file(
    project: &Project,
    rel: &Path,
    target: Option<&str>,
) -> Result<Rendered, CommandError> {
    let (article, file) = find_file(project, rel)?;
    let mut rendered = render::render_article(project, article, file);
    if let Some(target) = target {
        if !project.config.targets.contains_key(target) {
            return Err(CommandError::invalid(format!("unknown target `{target}`"))
                .with_hint("targets are the `[targets.NAME]` tables of `helpcenter.toml`"));
        }
        let state = StateFile::load(&project.root, target)
            .map_err(|e| CommandError::state(format!("read the state of target `{target}`"), e))?;
        let default = &project.config.default_locale;
        rendered.html = render::resolve_links(&rendered.html, |key| {
            state
                .article_url(key, &file.locale)
                .or_else(|| state.article_url(key, default))
                .map(str::to_owned)
        });
    }
    Ok(rendered)
}

/// The article and locale file whose path is `rel`.
fn find_file<'p>(
    project: &'p Project,
    rel: &Path,
) -> Result<(&'p LocalArticle, &'p ArticleFile), CommandError> {
    project
        .articles
        .iter()
        .find_map(|a| {
            a.locales
                .values()
                .find(|f| f.path == rel)
                .map(|f| (a, f))
        })
        .ok_or_else(|| {
            let shown = render_path(rel);
            let exists = project.root.join(rel).is_file();
            let err = CommandError::invalid(format!("`{shown}` is not an article file"));
            if exists {
                err.with_hint("README files, excluded files and Markdown outside collections are not articles")
            } else {
                err.with_hint("give the path of a `.md` file under the content root (`--dir`)")
            }
        })
}

/// `FILE` as a path relative to the root: paths that exist from the working directory and lie
/// under the root are made relative to it; anything else is taken as relative to the root.
fn relative_to_root(root: &Path, file: &Path) -> PathBuf {
    if let (Ok(abs_file), Ok(abs_root)) = (file.canonicalize(), root.canonicalize()) {
        if let Ok(rel) = abs_file.strip_prefix(&abs_root) {
            return rel.to_path_buf();
        }
    }
    file.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

fn render_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::config::{NestedLists, OnDrift, Region, Target, TargetKind};
    use crate::render::tests::project;
    use crate::state::state_file::{ArticleRecord, LocaleRecord};

    fn record(urls: &[(&str, &str)]) -> ArticleRecord {
        ArticleRecord {
            id: "1".into(),
            locales: urls
                .iter()
                .map(|(l, u)| {
                    (
                        (*l).to_owned(),
                        LocaleRecord {
                            url: Some((*u).to_owned()),
                            ..LocaleRecord::default()
                        },
                    )
                })
                .collect(),
            ..ArticleRecord::default()
        }
    }

    #[test]
    fn links_resolve_through_the_state_file_per_locale() {
        let dir = tempfile::tempdir().unwrap();
        let p = project(
            dir.path(),
            &[
                ("a.md", "[b](b.md) [c](c.md) [d](d.md)\n"),
                ("a.fr.md", "[b](b.md) [c](c.md) [d](d.md)\n"),
                ("b.md", "b"),
                ("b.fr.md", "b"),
                ("c.md", "c"),
                ("d.md", "d"),
            ],
        );
        let mut p = p;
        p.config.targets.insert(
            "local".into(),
            Target {
                name: "local".into(),
                kind: TargetKind::Sandbox,
                region: Region::Us,
                help_center: None,
                token_env: None,
                prune: false,
                on_drift: OnDrift::Fail,
                base_url: None,
                nested_lists: NestedLists::Accept,
                callout_colors: crate::content::config::CalloutColors::Hex,
                protect_views: crate::content::config::DEFAULT_PROTECT_VIEWS,
                admins: Vec::new(),
                publish: crate::content::config::Publish::Articles,
                scope: crate::content::config::TargetScope::default(),
            },
        );
        let mut state = StateFile::new("local");
        state.articles.insert(
            "b".into(),
            record(&[("en", "https://h/en/b"), ("fr", "https://h/fr/b")]),
        );
        state
            .articles
            .insert("c".into(), record(&[("en", "https://h/en/c")]));
        state.save(dir.path()).unwrap();

        let fr = render_file(&p, Path::new("a.fr.md"), Some("local")).unwrap();
        assert_eq!(
            fr.html,
            "<p><a href=\"https://h/fr/b\">b</a> <a href=\"https://h/en/c\">c</a> <a href=\"#helpcenter-key:d\">d</a></p>\n"
        );
        let en = render_file(&p, Path::new("a.md"), None).unwrap();
        assert!(en.html.contains("href=\"#helpcenter-key:b\""));
        let err = render_file(&p, Path::new("a.md"), Some("prod")).unwrap_err();
        assert_eq!(err.to_string(), "unknown target `prod`");
    }

    #[test]
    fn unknown_files_are_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = project(dir.path(), &[("a.md", "x")]);
        let err = render_file(&p, Path::new("nope.md"), None).unwrap_err();
        assert_eq!(err.to_string(), "`nope.md` is not an article file");
    }

    #[test]
    fn file_paths_are_taken_from_the_working_directory_or_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("g")).unwrap();
        std::fs::write(dir.path().join("g/a.md"), "x").unwrap();
        assert_eq!(
            relative_to_root(dir.path(), &dir.path().join("g/a.md")),
            PathBuf::from("g/a.md")
        );
        assert_eq!(
            relative_to_root(dir.path(), Path::new("./g/a.md")),
            PathBuf::from("g/a.md")
        );
    }
}
