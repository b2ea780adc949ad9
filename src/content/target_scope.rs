//! Which articles each target publishes (its `include`/`exclude` globs), and the offline
//! checks of that choice: a glob that matches no article, and the translations a Fin
//! external pages target does not send. In: the config and the loaded articles. Out:
//! diagnostics located in `helpcenter.toml`.

use crate::content::config::{Config, FILE_NAME};
use crate::content::model::LocalArticle;
use crate::diagnostics::Diagnostic;

/// The default-locale path of `article`, `/`-separated: what scope globs match.
pub fn article_path(article: &LocalArticle) -> String {
    article.path.to_string_lossy().replace('\\', "/")
}

/// The diagnostics of every target's scope: an `include` or `exclude` glob that matches no
/// Markdown file of the tree (`markdown`, whether it parsed or not) is a warning (a typo makes
/// a target publish less, or leave out nothing; `check --strict` fails on it). Not an error:
/// an empty tree about to be filled by `pull` must load.
/// A Fin target whose articles have translations gets one warning.
pub fn diagnostics(
    config: &Config,
    markdown: &[std::path::PathBuf],
    articles: &[LocalArticle],
) -> Vec<Diagnostic> {
    let paths: Vec<String> = markdown
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    let mut out = Vec::new();
    for target in config.targets.values() {
        for (globs, include) in [
            (&target.scope.include, true),
            (&target.scope.exclude, false),
        ] {
            for g in globs {
                let Ok(glob) = globset::Glob::new(&g.glob) else {
                    continue;
                };
                let matcher = glob.compile_matcher();
                if paths.iter().any(|p| matcher.is_match(p)) {
                    continue;
                }
                let field = if include { "include" } else { "exclude" };
                let message = format!(
                    "`{field}` glob `{}` of target `{}` matches no article",
                    g.glob, target.name
                );
                let hint = "globs match each article's path from the content root, e.g. `internal/**` or `guides/*.md`";
                out.push(
                    Diagnostic::warning(
                        "target-glob-unmatched",
                        FILE_NAME,
                        g.line,
                        g.column,
                        message,
                    )
                    .with_hint(hint),
                );
            }
        }
        if let Some(fin) = target.fin_pages() {
            let matcher = target.scope.matcher();
            let translated: Vec<&LocalArticle> = articles
                .iter()
                .filter(|a| a.locales.len() > 1 && matcher.selects(&article_path(a)))
                .collect();
            if let Some(first) = translated.first() {
                out.push(
                    Diagnostic::warning(
                        "fin-translations-not-sent",
                        FILE_NAME,
                        fin.line,
                        fin.column,
                        format!(
                            "target `{}` publishes Fin external pages, which are English only: the translations of {} article(s) (e.g. `{}`) are not sent",
                            target.name,
                            translated.len(),
                            article_path(first)
                        ),
                    )
                    .with_hint("nothing to do if that is intended; translations are published by help-center targets"),
                );
            }
        }
    }
    out
}
