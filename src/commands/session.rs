//! The shared front half of `plan` and `apply`: load the content (nothing is sent when it has
//! errors), connect to the target, fetch the remote, build the desired state, compute the plan.

use std::collections::BTreeSet;

use futures::StreamExt;

use crate::cli::GlobalArgs;
use crate::commands::CommandError;
use crate::commands::target::{self, Connection};
use crate::content::config::Target;
use crate::content::model::Project;
use crate::diagnostics::Diagnostic;
use crate::output::Printer;
use crate::plan::compute::{self, PlanOptions, Resolution};
use crate::plan::desired::Desired;
use crate::plan::model::Plan;
use crate::plan::remote_view::{RemoteSnapshot, RemoteView};
use crate::remote::authors::AuthorDirectory;
use crate::remote::models::HelpCenter;
use crate::remote::{Client, RemoteError};
use crate::state::state_file::StateFile;

/// Everything `plan` and `apply` share.
pub struct Session {
    pub project: Project,
    pub target: Target,
    pub runtime: tokio::runtime::Runtime,
    pub connection: Connection,
    pub state: StateFile,
    pub view: RemoteView,
    pub desired: Desired,
    pub plan: Plan,
    pub resolution: Resolution,
    /// `.helpcenter/<target>.lock`, held until the session is dropped.
    pub lock: crate::state::lock::TargetLock,
}

/// Loads the project and prints its diagnostics; content errors are an error (exit 1).
pub fn load_project(global: &GlobalArgs, printer: &Printer) -> Result<Project, CommandError> {
    let loaded = crate::content::load(&global.dir);
    print_diagnostics(printer, &global.dir, &loaded.diagnostics);
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    match loaded.project {
        Some(project) if errors == 0 => Ok(project),
        _ => Err(content_errors(errors)),
    }
}

fn content_errors(errors: usize) -> CommandError {
    CommandError::new(format!(
        "the content has {errors} error(s); nothing was sent"
    ))
    .with_hint("fix them (`helpcenter check` lists them all), then run the command again")
}

/// Prints diagnostics as human text on stderr.
pub fn print_diagnostics(printer: &Printer, root: &std::path::Path, diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let display = |path: &std::path::Path| crate::commands::check::display_path(root, path);
    let text =
        crate::diagnostics::render_text(diagnostics, printer.color_stderr, display, |path| {
            std::fs::read_to_string(root.join(path)).ok()
        });
    printer.stderr(&text);
}

/// Maps a remote error to a command error with a hint where there is an obvious next step.
pub fn remote_error(e: &RemoteError, target: &Target) -> CommandError {
    let err = CommandError::new(e.to_string());
    match &e.kind {
        crate::remote::ErrorKind::Api { status: 401, .. } => err.with_hint(format!(
            "check the access token in `{}` for target `{}`",
            target.token_env.as_deref().unwrap_or("INTERCOM_TOKEN"),
            target.name
        )),
        _ => err,
    }
}

impl Session {
    /// Opens a session: content, target, remote snapshot, desired state, plan.
    pub fn open(
        global: &GlobalArgs,
        printer: &Printer,
        options: PlanOptions,
        concurrency: usize,
    ) -> Result<Self, CommandError> {
        let project = load_project(global, printer)?;
        let target = target::choose(&project, global)?.clone();
        let lock = target::lock(&project, &target, global, printer)?;
        let (mut state, replayed) = StateFile::load_and_recover(&project.root, &target.name)
            .map_err(|e| CommandError::new(format!("cannot read the state file: {e}")))?;
        if replayed > 0 {
            printer.warn(&format!(
                "recovered {replayed} write(s) of an interrupted apply from the journal into `.helpcenter/{}.state.json`",
                target.name
            ));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| CommandError::new(format!("cannot start the async runtime: {e}")))?;
        let message = format!("fetching target `{}`…", target.name);
        let spinner = crate::apply::progress::spinner(printer, &message);
        let planned = runtime.block_on(plan_target(
            &project,
            &target,
            &state,
            options,
            concurrency,
            target::request_logger(printer),
        ));
        spinner.finish();
        let Planned {
            connection,
            view,
            desired,
            plan,
            resolution,
            diagnostics,
            settled_state,
        } = match planned {
            Ok(planned) => planned,
            Err(failure) => {
                print_diagnostics(printer, &project.root, &failure.diagnostics);
                return Err(failure.error);
            }
        };
        print_diagnostics(printer, &project.root, &diagnostics);
        if let Some(settled) = settled_state
            && settled != state
        {
            settled
                .save(&project.root)
                .map_err(|e| CommandError::new(format!("cannot write the state file: {e}")))?;
            state = settled;
        }
        printer.debug(&format!(
            "{} requests to plan",
            connection.client.request_count()
        ));
        Ok(Self {
            project,
            target,
            runtime,
            connection,
            state,
            view,
            desired,
            plan,
            resolution,
            lock,
        })
    }

    /// Stops the embedded emulator, if any.
    pub fn close(self) {
        let Self {
            runtime,
            connection,
            ..
        } = self;
        runtime.block_on(connection.close());
    }
}

/// What [`plan_target`] computes: the live connection (close it when done) and the plan.
pub struct Planned {
    pub connection: Connection,
    pub view: RemoteView,
    pub desired: Desired,
    pub plan: Plan,
    pub resolution: Resolution,
    /// Warnings from building the desired state (render, authors).
    pub diagnostics: Vec<Diagnostic>,
    /// The state with the writes of an interrupted apply settled, when there were any
    /// (the plan was computed from it; the caller that holds the lock saves it).
    pub settled_state: Option<StateFile>,
}

/// Why [`plan_target`] failed, with the diagnostics found on the way (content errors).
pub struct PlanFailure {
    pub error: CommandError,
    pub diagnostics: Vec<Diagnostic>,
}

impl From<CommandError> for PlanFailure {
    fn from(error: CommandError) -> Self {
        Self {
            error,
            diagnostics: Vec::new(),
        }
    }
}

/// Connects to `target`, fetches it and computes the plan, printing nothing. On success the
/// connection is still open (the caller closes it); on failure it is closed.
pub async fn plan_target(
    project: &Project,
    target: &Target,
    state: &StateFile,
    options: PlanOptions,
    concurrency: usize,
    observer: Option<crate::remote::RequestObserver>,
) -> Result<Planned, PlanFailure> {
    let connection = target::connect(project, target, concurrency, observer).await?;
    let fetched = fetch(&connection.client, state, project).await;
    let (snapshot, admins, fallback_author) = match fetched {
        Ok(f) => f,
        Err(e) => {
            connection.close().await;
            return Err(remote_error(&e, target).into());
        }
    };
    let help_center = match choose_help_center(&snapshot.help_centers, target, state) {
        Ok(h) => h,
        Err(e) => {
            connection.close().await;
            return Err(e.into());
        }
    };
    let view = RemoteView::new(&snapshot, help_center.as_ref());
    let directory = AuthorDirectory::new(admins.clone());
    let (desired, mut diagnostics) = Desired::build(project, fallback_author, |author| {
        directory.resolve(author).map_err(|e| e.to_string())
    });
    crate::commands::check::apply_target_rules(&mut diagnostics, std::slice::from_ref(target));
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        connection.close().await;
        return Err(PlanFailure {
            error: content_errors(errors),
            diagnostics,
        });
    }
    let settled_state =
        (!state.pending_articles.is_empty() || !state.pending_collections.is_empty()).then(|| {
            let mut settled = state.clone();
            crate::plan::settle::settle_pending(&mut settled, &view, &desired.default_locale);
            settled
        });
    let (mut plan, resolution) = compute::compute(
        &target.name,
        &desired,
        &view,
        settled_state.as_ref().unwrap_or(state),
        options,
    );
    crate::plan::drift_fields::name_authors(&mut plan, &admins);
    Ok(Planned {
        connection,
        view,
        desired,
        plan,
        resolution,
        diagnostics,
        settled_state,
    })
}

/// Lists everything the plan needs, then fetches by id the recorded objects the listings
/// missed (listings are paged by offset over a changing order). Also used by `pull`.
pub async fn fetch(
    client: &Client,
    state: &StateFile,
    project: &Project,
) -> Result<(RemoteSnapshot, Vec<crate::remote::models::Admin>, u64), RemoteError> {
    let (help_centers, admins, collections, articles) = tokio::try_join!(
        client.list_help_centers(),
        client.list_admins(),
        client.list_collections(),
        client.list_articles(),
    )?;
    let needs_fallback = project
        .articles
        .iter()
        .any(|a| a.locales.values().any(|f| f.author.is_none()));
    let fallback_author = if needs_fallback {
        client.me().await?.id.parse().unwrap_or_default()
    } else {
        0
    };
    let (missing_articles, missing_collections) =
        compute::missing_recorded_ids(state, &articles, &collections);
    let mut snapshot = RemoteSnapshot {
        help_centers,
        collections,
        articles,
        ..RemoteSnapshot::default()
    };
    let fetched: Vec<(
        String,
        Result<Option<crate::remote::models::Article>, RemoteError>,
    )> = futures::stream::iter(missing_articles)
        .map(|id| async move { (id.clone(), client.get_article(&id).await) })
        .buffer_unordered(8)
        .collect()
        .await;
    for (id, result) in fetched {
        snapshot.fetched_articles.insert(id, result?);
    }
    let fetched: Vec<(
        String,
        Result<Option<crate::remote::models::Collection>, RemoteError>,
    )> = futures::stream::iter(missing_collections)
        .map(|id| async move { (id.clone(), client.get_collection(&id).await) })
        .buffer_unordered(8)
        .collect()
        .await;
    for (id, result) in fetched {
        snapshot.fetched_collections.insert(id, result?);
    }
    Ok((snapshot, admins, fallback_author))
}

/// The help center this target manages. Also used by `pull`.
pub fn choose_help_center(
    help_centers: &[HelpCenter],
    target: &Target,
    state: &StateFile,
) -> Result<Option<HelpCenter>, CommandError> {
    let list = || {
        help_centers
            .iter()
            .map(|h| format!("`{}` (id {})", h.identifier, h.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(want) = &target.help_center {
        return help_centers
            .iter()
            .find(|h| &h.identifier == want || &h.id == want)
            .cloned()
            .map(Some)
            .ok_or_else(|| {
                CommandError::new(format!("the workspace has no help center `{want}`")).with_hint(
                    format!(
                        "set `help_center` of target `{}` to one of: {}",
                        target.name,
                        list()
                    ),
                )
            });
    }
    match help_centers {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        many => {
            if let Some(id) = &state.help_center_id
                && let Some(h) = many.iter().find(|h| &h.id == id)
            {
                return Ok(Some(h.clone()));
            }
            Err(CommandError::new(format!("the workspace has {} help centers and target `{}` does not say which one it manages", many.len(), target.name))
                .with_hint(format!("set `help_center = \"…\"` in `[targets.{}]` to one of: {}", target.name, list())))
        }
    }
}

/// Keys touched by a plan, for messages.
pub fn keys(plan: &Plan, drift_only: bool) -> Vec<String> {
    let keys: BTreeSet<String> = plan
        .changes
        .iter()
        .filter(|c| !drift_only || c.drift)
        .map(|c| format!("`{}`", c.key))
        .collect();
    keys.into_iter().collect()
}
