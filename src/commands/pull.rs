//! `helpcenter pull [KEY…] [--force]`: write the target's collections and articles as a content
//! tree and record the state, so that a following `plan` is empty. With keys, only those
//! objects are pulled (how an edit made in the Intercom UI is accepted into Git).

use std::collections::BTreeSet;
use std::path::Path;

use crate::commands::session::print_diagnostics;
use crate::commands::target;
use crate::content::config::{self, Target};
use crate::content::model::Project;
use crate::content::walk;
use crate::diagnostics::Diagnostic;
use crate::error::FileAction;
use crate::error::{CommandError, CommandResult, Outcome};
use crate::output::Printer;
use crate::pipeline::{self, Connection, remote_error};
use crate::plan::compute::{self, PlanOptions};
use crate::plan::desired::Desired;
use crate::plan::remote_view::RemoteView;
use crate::pull::{self, Context, Pull};
use crate::remote::authors::AuthorDirectory;
use crate::remote::models::Admin;
use crate::settings::{self, Global};
use crate::state::state_file::StateFile;

/// Runs `pull`: everything (refusing to overwrite content without `--force`) or the given keys.
pub fn run(global: &Global, settings: &settings::Pull, printer: &Printer) -> CommandResult {
    let root = global.dir.as_path();
    if !root.join(config::FILE_NAME).is_file() {
        return Err(CommandError::invalid(format!(
            "no `{}` in `{}`: pull needs it to know the target and the locales",
            config::FILE_NAME,
            root.display()
        ))
        .with_hint(format!(
            "run `helpcenter init --dir {}`, set `default_locale`, `locales` and a target, then pull again",
            root.display()
        )));
    }
    let loaded = crate::content::load(root);
    let config_errors: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && d.path.as_deref() == Some(Path::new(config::FILE_NAME)))
        .cloned()
        .collect();
    let Some(project) = loaded.project.filter(|_| config_errors.is_empty()) else {
        print_diagnostics(printer, root, &config_errors);
        return Err(CommandError::invalid(format!(
            "`{}` has errors; nothing was pulled",
            config::FILE_NAME
        )));
    };
    let target = target::choose(&project, global)?.clone();
    let _lock = target::lock(&project, &target, global, printer)?;
    let (state, _) = StateFile::load_and_recover(&project.root, &target.name)
        .map_err(|e| CommandError::state("read the state file", e))?;
    let exclude = walk::exclude_set(&project.config.exclude);
    let tree = walk::walk(&project.root, &exclude);
    if settings.keys.is_empty() && !settings.force {
        refuse_to_clobber(root, &tree, &state, &target)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::system(format!("cannot start the async runtime: {e}")))?;
    let connection = runtime.block_on(pipeline::connect(
        &project,
        &target,
        settings::RunFlags::DEFAULT_CONCURRENCY,
        target::request_logger(printer),
    ))?;
    if let Some(fin) = target.fin_pages() {
        let outcome = pull_pages(
            &runtime,
            &connection,
            &project,
            &target,
            fin,
            state,
            &tree,
            settings,
            printer,
        );
        runtime.block_on(connection.close());
        return outcome;
    }
    let outcome = pull_with(
        &runtime,
        &connection,
        Inputs {
            project: &project,
            target: &target,
            state,
            tree: &tree,
            exclude: &exclude,
        },
        settings,
        printer,
    );
    runtime.block_on(connection.close());
    outcome
}

struct Inputs<'a> {
    project: &'a Project,
    target: &'a Target,
    state: StateFile,
    tree: &'a walk::Tree,
    exclude: &'a globset::GlobSet,
}

fn pull_with(
    runtime: &tokio::runtime::Runtime,
    connection: &Connection,
    inputs: Inputs<'_>,
    settings: &settings::Pull,
    printer: &Printer,
) -> CommandResult {
    let Inputs {
        project,
        target,
        state,
        tree,
        exclude,
    } = inputs;
    let client = &connection.client;
    printer.info(&format!("fetching target `{}`…", target.name));
    let (snapshot, admins, _) = runtime
        .block_on(pipeline::fetch(client, &state, project))
        .map_err(|e| remote_error(&e, target))?;
    let help_center = pipeline::choose_help_center(&snapshot.help_centers, target, &state)?;
    let view = RemoteView::new(&snapshot, help_center.as_ref());
    check_default_locale(&view, &project.config.default_locale)?;
    let cx = Context {
        view: &view,
        admins: &admins,
        default_locale: &project.config.default_locale,
        locales: &project.config.locales,
        exclude,
    };
    let all = settings.keys.is_empty();
    let mut pull = if all {
        pull::pull_all(&cx, &state)
    } else {
        pull::pull_keys(&cx, &settings.keys, project, &state).map_err(|e| {
            let hint = match &e {
                pull::PullError::UnknownKey(_) | pull::PullError::NotRecorded { .. } => {
                    "keys are those of the state file (`.helpcenter/<target>.state.json`); `helpcenter pull --force` pulls everything"
                }
                pull::PullError::Gone { .. } => {
                    "delete its files to stop managing it, or run `helpcenter apply` to create it again"
                }
                pull::PullError::UnknownParent { .. } => {
                    "pull everything with `helpcenter pull --force`, or move the article back in Intercom"
                }
            };
            CommandError::invalid(e.to_string()).with_hint(hint)
        })?
    };
    if all {
        // `--force`: content files the pull does not write are removed, so the tree is exactly
        // the target's.
        for md in &tree.markdown {
            pull.remove.insert(slash(md));
        }
        for dir in &tree.collection_dirs {
            pull.remove.insert(slash(&dir.join("_collection.yml")));
        }
        let written: Vec<String> = pull.files.keys().cloned().collect();
        for path in written {
            pull.remove.remove(&path);
        }
    }
    // Every path is checked before the first write (links, `..` from the state file).
    pull::paths::check(&project.root, &pull)
        .map_err(|e| CommandError::refused(e.to_string()).with_hint(e.hint()))?;
    write_files(&project.root, &pull)?;

    // Record the state exactly as plan/apply compute it, from the files just written.
    let reloaded = crate::content::load(&project.root);
    let Some(new_project) = reloaded.project else {
        return Err(CommandError::system(
            "the pulled content could not be loaded",
        ));
    };
    let pulled_files: BTreeSet<String> = pull.files.keys().cloned().collect();
    let in_pulled = |d: &Diagnostic| {
        d.path
            .as_deref()
            .is_some_and(|p| pulled_files.contains(&slash(p)))
    };
    let fallback_author = fallback_author(runtime, connection, &new_project, target)?;
    let directory = AuthorDirectory::new(admins.clone());
    let (desired, render_diagnostics) = Desired::build(&new_project, fallback_author, |author| {
        directory.resolve(author).map_err(|e| e.to_string())
    });
    let mut problems: Vec<Diagnostic> = reloaded
        .diagnostics
        .iter()
        .chain(&render_diagnostics)
        .filter(|d| in_pulled(d))
        .cloned()
        .collect();
    crate::content::loader::sort_diagnostics(&mut problems);
    let errors: Vec<Diagnostic> = problems.iter().filter(|d| d.is_error()).cloned().collect();
    let warnings = problems.len() - errors.len();
    print_diagnostics(printer, &project.root, &errors);
    let mut new_state = if all {
        StateFile::new(&target.name)
    } else {
        state.clone()
    };
    if new_state.help_center_id.is_none() || all {
        new_state.help_center_id = help_center.as_ref().map(|h| h.id.clone());
    }
    let missing = pull::records::record(
        &mut new_state,
        &desired,
        &view,
        &pull.collections,
        &pull.articles,
    );
    new_state
        .save(&project.root)
        .map_err(|e| CommandError::state("write the state file", e))?;
    for note in &pull.notes {
        printer.warn(note);
    }
    let unconverged = verify(&desired, &view, &new_state, &target.name, &pull);
    for key in &unconverged {
        printer.warn(&format!(
            "`{key}` does not convert back exactly: `plan` will show a change for it"
        ));
    }
    let translations = pull
        .files
        .keys()
        .filter(|p| !p.ends_with("/_collection.yml") && *p != "_collection.yml")
        .count()
        .saturating_sub(pull.articles.len());
    printer.info(&format!(
        "pulled {} collection(s) and {} article(s) ({} translation file(s)) from target `{}`{}",
        pull.collections.len(),
        pull.articles.len(),
        translations,
        target.name,
        if pull.remove.is_empty() {
            String::new()
        } else {
            format!("; removed {} local file(s)", pull.remove.len())
        }
    ));
    let other_errors = reloaded
        .diagnostics
        .iter()
        .chain(&render_diagnostics)
        .filter(|d| d.is_error() && !in_pulled(d))
        .count();
    if other_errors > 0 {
        printer.warn(&format!(
            "{other_errors} error(s) in other files of the content (a link to a moved file?): `helpcenter check` lists them"
        ));
    }
    if warnings > 0 {
        printer.hint(&format!(
            "the pulled content has {warnings} warning(s): `helpcenter check` lists them"
        ));
    }
    if !missing.is_empty() {
        printer.error(&format!(
            "the content loader does not see {} pulled object(s) ({}): they are excluded by `exclude` or a `.gitignore`",
            missing.len(),
            missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        ));
        return Ok(Outcome::Failed);
    }
    if !errors.is_empty() {
        printer.hint("fix the errors above (e.g. an author who is no longer an admin), then run `helpcenter plan`");
        return Ok(Outcome::Failed);
    }
    Ok(Outcome::Success)
}

/// Without `--force`, a pull of everything never writes over existing content.
/// `pull` of a Fin target: its source's pages as Markdown, recorded in the state. Never
/// removes local files: a Fin target shares the tree with help-center targets.
#[allow(clippy::too_many_arguments)]
fn pull_pages(
    runtime: &tokio::runtime::Runtime,
    connection: &Connection,
    project: &Project,
    target: &Target,
    fin: &config::FinPages,
    state: StateFile,
    tree: &walk::Tree,
    settings: &settings::Pull,
    printer: &Printer,
) -> CommandResult {
    use crate::plan::external_pages::{self, remote_fingerprint};
    printer.info(&format!("fetching target `{}`…", target.name));
    let view = runtime
        .block_on(crate::pipeline::fetch_pages(
            &connection.client,
            &state,
            &fin.source_url,
        ))
        .map_err(|e| remote_error(&e, target))?;
    let Some(source) = &view.source else {
        return Err(CommandError::invalid(format!(
            "the Content Import Source `{}` does not exist in the workspace: there is nothing to pull",
            fin.source_url
        ))
        .with_hint("check `source_url` of the target (an `api` source with exactly that URL), or `helpcenter apply` to create it"));
    };
    let wanted: Option<BTreeSet<&str>> = (!settings.keys.is_empty()).then(|| {
        settings
            .keys
            .iter()
            .map(|k| {
                state
                    .external_pages
                    .get(k)
                    .map_or(k.as_str(), |r| r.id.as_str())
            })
            .collect()
    });
    let pages: Vec<crate::remote::ai_content::ExternalPage> = view
        .pages
        .values()
        .filter(|p| {
            wanted
                .as_ref()
                .is_none_or(|w| w.contains(p.id.as_str()) || w.contains(p.external_id.as_str()))
        })
        .cloned()
        .collect();
    let folder = target
        .scope
        .include
        .first()
        .map(|g| pull::external_pages::literal_folder(&g.glob))
        .unwrap_or_default();
    let collection_dirs: BTreeSet<String> = tree.collection_dirs.iter().map(|d| slash(d)).collect();
    let pull = pull::external_pages::pull_pages(
        &pull::external_pages::PageContext {
            fin,
            folder: &folder,
            default_agent: project.config.defaults.fin_agent.unwrap_or(true),
            default_copilot: project.config.defaults.fin_copilot.unwrap_or(true),
            collection_dirs: &collection_dirs,
            scope: &target.scope.matcher(),
        },
        &pages,
    );
    pull::paths::check(&project.root, &pull)
        .map_err(|e| CommandError::refused(e.to_string()).with_hint(e.hint()))?;
    write_files(&project.root, &pull)?;
    let reloaded = crate::content::load(&project.root);
    let Some(new_project) = reloaded.project else {
        return Err(CommandError::system(
            "the pulled content could not be loaded",
        ));
    };
    let (desired, _) = Desired::build_scoped(&new_project, &target.scope, 0, |_| Ok(0));
    let (desired_pages, _) = external_pages::desired_pages(&target.name, &desired, fin, |key| {
        new_project
            .articles
            .iter()
            .find(|a| a.key == key)
            .and_then(|a| a.locales.get(&new_project.config.default_locale))
            .map_or((true, true), |f| (f.fin.agent, f.fin.copilot))
    });
    let mut new_state = state;
    new_state.content_import_source_id = Some(source.id.clone());
    let mut missing = Vec::new();
    let mut unconverged = Vec::new();
    for placement in &pull.articles {
        let remote = &view.pages[&placement.id];
        let Some(page) = desired_pages.iter().find(|p| p.key == placement.key) else {
            missing.push(placement.key.clone());
            continue;
        };
        let record = crate::state::state_file::PageRecord {
            id: placement.id.clone(),
            path: placement.path.clone(),
            sent: page.fingerprint(),
            seen: remote_fingerprint(remote),
            updated_at: remote.updated_at,
            adopted: false,
        };
        if record.sent != record.seen {
            unconverged.push(placement.key.clone());
        }
        new_state
            .external_pages
            .insert(placement.key.clone(), record);
    }
    new_state
        .save(&project.root)
        .map_err(|e| CommandError::state("write the state file", e))?;
    for note in &pull.notes {
        printer.warn(note);
    }
    for key in &unconverged {
        printer.warn(&format!(
            "`{key}` does not convert back exactly: `plan` will show a change for it"
        ));
    }
    printer.info(&format!(
        "pulled {} external page(s) from target `{}`",
        pull.articles.len(),
        target.name
    ));
    if !missing.is_empty() {
        printer.error(&format!(
            "target `{}` does not select {} pulled page(s) ({}): check its `include`/`exclude`",
            target.name,
            missing.len(),
            missing
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return Ok(Outcome::Failed);
    }
    Ok(Outcome::Success)
}

fn refuse_to_clobber(
    root: &Path,
    tree: &walk::Tree,
    state: &StateFile,
    target: &Target,
) -> Result<(), CommandError> {
    let recorded = state.articles.len() + state.collections.len() + state.external_pages.len();
    if tree.markdown.is_empty() && tree.collection_dirs.is_empty() && recorded == 0 {
        return Ok(());
    }
    let what = if tree.markdown.is_empty() && tree.collection_dirs.is_empty() {
        format!(
            "`.helpcenter/{}.state.json` already records {recorded} object(s)",
            target.name
        )
    } else {
        format!(
            "`{}` already holds content ({} Markdown file(s), {} collection(s))",
            root.display(),
            tree.markdown.len(),
            tree.collection_dirs.len()
        )
    };
    Err(CommandError::refused(format!("{what}: pull would overwrite it")).with_hint(
        "pass `--force` to replace the local content with the target's, or `helpcenter pull KEY…` to update single objects",
    ))
}

/// The help center's default locale (shown on multilingual objects) must be the config's.
fn check_default_locale(view: &RemoteView, want: &str) -> Result<(), CommandError> {
    let seen = view
        .articles
        .values()
        .filter_map(|a| a.default_locale.as_deref())
        .chain(
            view.collections
                .values()
                .filter_map(|c| c.default_locale.as_deref()),
        )
        .find(|l| *l != want);
    match seen {
        Some(remote) => Err(CommandError::invalid(format!(
            "the help center's default locale is `{remote}` but `helpcenter.toml` says `default_locale = \"{want}\"`"
        ))
        .with_hint(format!(
            "set `default_locale = \"{remote}\"` (and add it to `locales`), then pull again"
        ))),
        None => Ok(()),
    }
}

/// The author used for files without one, as `plan` resolves it (`GET /me`).
fn fallback_author(
    runtime: &tokio::runtime::Runtime,
    connection: &Connection,
    project: &Project,
    target: &Target,
) -> Result<u64, CommandError> {
    let needs = project
        .articles
        .iter()
        .any(|a| a.locales.values().any(|f| f.author.is_none()));
    if !needs {
        return Ok(0);
    }
    let me: Admin = runtime
        .block_on(connection.client.me())
        .map_err(|e| remote_error(&e, target))?;
    Ok(me.id.parse().unwrap_or_default())
}

/// Writes every file and removes the replaced ones.
fn write_files(root: &Path, pull: &Pull) -> Result<(), CommandError> {
    let io = |path: &Path, e: std::io::Error| CommandError::file(FileAction::Write, path, e);
    for (rel, text) in &pull.files {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        std::fs::write(&path, text).map_err(|e| io(&path, e))?;
    }
    for rel in &pull.remove {
        let path = root.join(rel);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(CommandError::file(FileAction::Remove, &path, e));
            }
        }
        // Directories left empty go too (never the root).
        let mut dir = Path::new(rel).parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            if std::fs::remove_dir(root.join(d)).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
}

/// Keys of pulled objects that the plan would still change (should be none).
fn verify(
    desired: &Desired,
    view: &RemoteView,
    state: &StateFile,
    target: &str,
    pull: &Pull,
) -> Vec<String> {
    let pulled: BTreeSet<&str> = pull
        .collections
        .iter()
        .chain(&pull.articles)
        .map(|p| p.key.as_str())
        .collect();
    let (plan, _) = compute::compute(target, desired, view, state, PlanOptions::default());
    plan.changes
        .iter()
        .filter(|c| pulled.contains(c.key.as_str()))
        .map(|c| c.key.clone())
        .collect()
}

fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
