//! `helpcenter check`: load the content tree, render every article file, report every
//! diagnostic (text on stderr, JSON or GitHub annotations on stdout) and a summary line.

use std::path::Path;

use crate::content::config::{Config, Target};
use crate::content::loader::sort_diagnostics;
use crate::content::model::{ArticleFile, LocalArticle, Project};
use crate::diagnostics::{self, Diagnostic};
use crate::error::{CommandResult, Outcome};
use crate::output::Printer;
use crate::pipeline::apply_target_rules;
use crate::settings::{self, Global};

/// What `check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// Content and render diagnostics, sorted by path, line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of files checked (config, collection files, Markdown files).
    pub files: usize,
}

/// Loads and renders everything under `root`, offline, and returns every diagnostic, with
/// the severities of the default target (or of the strictest target when none is chosen).
pub fn check_project(root: &Path) -> CheckReport {
    check_project_for(root, None)
}

/// [`check_project`] for the target named `target` (`--target`).
pub fn check_project_for(root: &Path, target: Option<&str>) -> CheckReport {
    let loaded = crate::content::load(root);
    let mut diagnostics = loaded.diagnostics;
    if let Some(project) = &loaded.project {
        let mut rendered = render_all(project);
        apply_target_rules(&mut rendered, &rule_targets(&project.config, target));
        diagnostics.extend(rendered);
    }
    sort_diagnostics(&mut diagnostics);
    diagnostics.dedup();
    CheckReport {
        diagnostics,
        files: loaded.files,
    }
}

/// Renders every locale file of every article on several threads
/// ([`crate::parallel::map_in_order`]); returns their diagnostics in file order.
pub fn render_all(project: &Project) -> Vec<Diagnostic> {
    let files: Vec<(&LocalArticle, &ArticleFile)> = project
        .articles
        .iter()
        .flat_map(|a| a.locales.values().map(move |f| (a, f)))
        .collect();
    crate::parallel::map_in_order(&files, |(article, file)| {
        crate::render::render_article(project, article, file).diagnostics
    })
    .into_iter()
    .flatten()
    .collect()
}

/// The targets whose rules `check` applies: the one named (`--target`), else the default
/// target, else every target (a problem is an error when any of them would refuse it).
fn rule_targets<'c>(config: &'c Config, name: Option<&str>) -> Vec<&'c Target> {
    let chosen = name
        .or(config.default_target.as_deref())
        .and_then(|n| config.targets.get(n));
    match chosen {
        Some(target) => vec![target],
        None => config.targets.values().collect(),
    }
}

/// Runs `check` and maps the report to an exit code: 1 on errors (or warnings with `--strict`).
pub fn run(global: &Global, settings: &settings::Check, printer: &Printer) -> CommandResult {
    let root = global.dir.as_path();
    let report = check_project_for(root, global.target.as_deref());
    printer.diagnostics(root, &report.diagnostics, settings.format);
    let (errors, warnings) = diagnostics::counts(&report.diagnostics);
    printer.info(&summary(errors, warnings, report.files));
    let failed = errors > 0 || (settings.strict && warnings > 0);
    Ok(if failed {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// `2 errors, 1 warning in 14 files`.
pub fn summary(errors: usize, warnings: usize, files: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{}, {} in {}",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(files, "file")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_pluralizes() {
        assert_eq!(summary(0, 1, 1), "0 errors, 1 warning in 1 file");
        assert_eq!(summary(2, 0, 14), "2 errors, 0 warnings in 14 files");
    }
}
