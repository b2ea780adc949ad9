//! The plan pipeline, as plain functions over plain structs: connect to a target (a real
//! workspace, or the embedded emulator), fetch what the plan needs, build the desired state,
//! settle an interrupted apply's writes, compute the plan. It prints nothing and writes
//! nothing; `commands` (plan, apply, pull), `preview` and the benches call it, and nothing
//! below `commands` imports `commands`. In: a loaded [`Project`], a [`Target`], its
//! [`StateFile`]. Out: [`Planned`] (the live connection, the remote view, the desired state,
//! the plan) or a [`PlanFailure`].

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use futures::StreamExt;

use crate::content::config::{NestedLists, Target, TargetKind};
use crate::content::model::{AuthorRef, Project};
use crate::diagnostics::{Diagnostic, Severity};
use crate::error::CommandError;
use crate::plan::compute::{self, PlanOptions, Resolution};
use crate::plan::desired::Desired;
use crate::plan::external_pages::{self, ExternalPages, PageView};
use crate::plan::model::Plan;
use crate::plan::remote_view::{RemoteSnapshot, RemoteView};
use crate::plan::resource;
use crate::remote::ai_content::ExternalPage;
use crate::remote::authors::AuthorDirectory;
use crate::remote::models::HelpCenter;
use crate::remote::{Client, ClientConfig, RemoteError, RequestObserver, Token};
use crate::sandbox::{AdminSeed, SandboxHandle, SandboxOptions};
use crate::state::state_file::StateFile;

/// The token the embedded sandbox accepts.
const SANDBOX_TOKEN: &str = "sandbox";

/// A live connection: the client, and the embedded emulator when the target is a sandbox.
pub struct Connection {
    pub client: Client,
    pub sandbox: Option<SandboxHandle>,
}

impl Connection {
    /// Stops the embedded emulator (persisting its data).
    pub async fn close(self) {
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}

/// The error of content that has `errors` errors: nothing is sent.
pub fn content_errors(errors: usize) -> CommandError {
    CommandError::Content { errors }
}

/// The error for a `helpcenter.toml` with errors: the content was not checked against it.
pub fn config_errors(errors: usize) -> CommandError {
    CommandError::Config { errors }
}

/// Maps a remote error to a command error with a hint where there is an obvious next step.
pub fn remote_error(e: &RemoteError, target: &Target) -> CommandError {
    let err = CommandError::remote(e.clone());
    match &e.kind {
        crate::remote::ErrorKind::Api { status: 401, .. } => err.with_hint(format!(
            "check the access token in `{}` for target `{}`",
            target.token_env.as_deref().unwrap_or("INTERCOM_TOKEN"),
            target.name
        )),
        _ => err,
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
    /// For a Fin target (`publish = "external_pages"`): its pages, remote and desired.
    pub pages: Option<PagesPlanned>,
}

/// What apply needs of a Fin target's plan.
pub use crate::plan::external_pages::PagesWork as PagesPlanned;

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
///
/// The articles are rendered first, then their Markdown is released
/// ([`Project::release_markdown`]) before the remote is fetched: the plan holds every rendered
/// and every remote body at its peak, and the sources would be a third copy (16 % of a no-op
/// plan's heap). The front matter stays.
pub async fn plan_target(
    project: &mut Project,
    target: &Target,
    state: &StateFile,
    options: PlanOptions,
    concurrency: usize,
    observer: Option<crate::remote::RequestObserver>,
) -> Result<Planned, PlanFailure> {
    if let Some(fin) = target.fin_pages() {
        let connection = connect(project, target, concurrency, observer).await?;
        return plan_pages(connection, &*project, target, fin, state, options).await;
    }
    let renderings = Desired::render_scoped(project, &target.scope);
    project.release_markdown();
    let connection = connect(project, target, concurrency, observer).await?;
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
    let view = RemoteView::from_snapshot(snapshot, help_center.as_ref());
    let directory = AuthorDirectory::new(admins.clone());
    let (desired, mut diagnostics) = Desired::from_renderings(
        project,
        &target.scope,
        renderings,
        fallback_author,
        |author| directory.resolve(author).map_err(|e| e.to_string()),
    );
    apply_target_rules(&mut diagnostics, std::slice::from_ref(target));
    if target.kind == crate::content::config::TargetKind::Sandbox {
        for diag in diagnostics
            .iter_mut()
            .filter(|d| d.code == "unknown-author")
        {
            diag.hint = Some(format!(
                "{}; the sandbox's teammates are `admins` of `[targets.{}]` (default: `docs@example.com` and `[defaults] author`)",
                diag.hint.as_deref().unwrap_or_default(),
                target.name
            ));
        }
    }
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
    if let Err(e) = fetch_impact(&connection.client, &mut plan, target, options).await {
        connection.close().await;
        return Err(remote_error(&e, target).into());
    }
    Ok(Planned {
        connection,
        view,
        desired,
        plan,
        resolution,
        diagnostics,
        settled_state,
        pages: None,
    })
}

/// [`plan_target`] of a Fin target: the source and its pages, the desired pages, the plan.
async fn plan_pages(
    connection: Connection,
    project: &Project,
    target: &Target,
    fin: &crate::content::config::FinPages,
    state: &StateFile,
    options: PlanOptions,
) -> Result<Planned, PlanFailure> {
    let view = match fetch_pages(&connection.client, state, &fin.source_url).await {
        Ok(view) => view,
        Err(e) => {
            connection.close().await;
            return Err(remote_error(&e, target).into());
        }
    };
    // Authors mean nothing to an external page.
    let (desired, mut diagnostics) = Desired::build_scoped(project, &target.scope, 0, |_| Ok(0));
    apply_target_rules(&mut diagnostics, std::slice::from_ref(target));
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        connection.close().await;
        return Err(PlanFailure {
            error: content_errors(errors),
            diagnostics,
        });
    }
    let availability: std::collections::BTreeMap<&str, (bool, bool)> = project
        .articles
        .iter()
        .filter_map(|a| {
            let f = a.locales.get(&project.config.default_locale)?;
            Some((a.key.as_str(), (f.fin.agent, f.fin.copilot)))
        })
        .collect();
    let (pages, link_warnings) =
        external_pages::desired_pages(&target.name, &desired, fin, |key| {
            availability.get(key).copied().unwrap_or((true, true))
        });
    let mut settled = state.clone();
    let settled_state = external_pages::settle_pending(&mut settled, &view).then_some(settled);
    let (mut plan, resolution) = external_pages::compute(
        &target.name,
        fin,
        &pages,
        &view,
        settled_state.as_ref().unwrap_or(state),
        options.prune,
        options.force_prune,
    );
    plan.warnings.extend(link_warnings);
    Ok(Planned {
        connection,
        view: RemoteView::default(),
        desired,
        plan,
        resolution: Resolution::default(),
        diagnostics,
        settled_state,
        pages: Some(PagesPlanned {
            fin: fin.clone(),
            view,
            desired: pages,
            resolution,
        }),
    })
}

/// Lists the sources and the pages, and fetches by id the recorded pages the listing missed.
pub async fn fetch_pages(
    client: &Client,
    state: &StateFile,
    source_url: &str,
) -> Result<PageView, RemoteError> {
    let (sources, mut pages) = tokio::try_join!(
        client.list_content_import_sources(),
        client.list_external_pages(),
    )?;
    let missing = resource::missing_recorded_ids::<ExternalPages>(state, &pages);
    let fetched: Vec<Result<Option<ExternalPage>, RemoteError>> = futures::stream::iter(missing)
        .map(|id| async move { client.get_external_page(&id).await })
        .buffer_unordered(8)
        .collect()
        .await;
    for page in fetched {
        pages.extend(page?);
    }
    Ok(PageView::new(
        &sources,
        pages,
        source_url,
        state.content_import_source_id.as_deref(),
    ))
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

/// Fetches Intercom's statistics of the articles the plan deletes, unpublishes or renames:
/// one `GET /articles/{id}` each, only for those (listings do not carry statistics).
async fn fetch_impact(
    client: &Client,
    plan: &mut Plan,
    target: &Target,
    options: PlanOptions,
) -> Result<(), RemoteError> {
    let wanted = crate::plan::impact::wanted(plan);
    let fetched: Vec<(
        String,
        Result<Option<crate::remote::models::Article>, RemoteError>,
    )> = futures::stream::iter(wanted)
        .map(|(key, id)| async move { (key, client.get_article(&id).await) })
        .buffer_unordered(8)
        .collect()
        .await;
    for (key, result) in fetched {
        // A vanished article (404) has no statistics to show: the plan already says why.
        if let Some(stats) = result?.and_then(|a| a.statistics) {
            crate::plan::impact::record(
                plan,
                &key,
                stats,
                target.protect_views,
                options.force_prune,
            );
        }
    }
    Ok(())
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
                CommandError::invalid(format!("the workspace has no help center `{want}`"))
                    .with_hint(format!(
                        "set `help_center` of target `{}` to one of: {}",
                        target.name,
                        list()
                    ))
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
            Err(CommandError::invalid(format!("the workspace has {} help centers and target `{}` does not say which one it manages", many.len(), target.name))
                .with_hint(format!("set `help_center = \"…\"` in `[targets.{}]` to one of: {}", target.name, list())))
        }
    }
}

/// Connects to `target`. Must run inside a tokio runtime.
pub async fn connect(
    project: &Project,
    target: &Target,
    concurrency: usize,
    observer: Option<RequestObserver>,
) -> Result<Connection, CommandError> {
    match target.kind {
        TargetKind::Sandbox => {
            let options = sandbox_options(project, target);
            let handle = crate::sandbox::start(options, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                .await
                .map_err(|e| {
                    CommandError::system(format!("could not start the embedded sandbox: {e}"))
                })?;
            let mut config =
                ClientConfig::for_region(target.region, Token::new(SANDBOX_TOKEN.to_owned()));
            config.base_url = handle.base_url();
            config.max_concurrency = concurrency;
            config.on_request = observer;
            let client = Client::new(config).map_err(CommandError::remote)?;
            Ok(Connection {
                client,
                sandbox: Some(handle),
            })
        }
        TargetKind::Intercom => {
            let var = target
                .token_env
                .clone()
                .unwrap_or_else(|| "INTERCOM_TOKEN".to_owned());
            let token = std::env::var(&var).ok().filter(|t| !t.trim().is_empty()).ok_or_else(|| {
                CommandError::invalid(format!("target `{}` needs an Intercom access token in the `{var}` environment variable", target.name))
                    .with_hint(format!("export {var}=… (the token is never read from a file)"))
            })?;
            let mut config =
                ClientConfig::for_region(target.region, Token::new(token.trim().to_owned()));
            if let Some(base) = &target.base_url {
                config.base_url.clone_from(base);
            }
            config.max_concurrency = concurrency;
            config.timeout = Duration::from_secs(30);
            config.on_request = observer;
            let client = Client::new(config).map_err(CommandError::remote)?;
            Ok(Connection {
                client,
                sandbox: None,
            })
        }
    }
}

/// The embedded emulator for `target`: multilingual with the project's default locale, its
/// data in `.helpcenter/<target>.sandbox.db` (SQLite; an older `.sandbox.json` is migrated),
/// and as teammates the target's `admins`, else `docs@example.com` and the `[defaults]`
/// author: like a real workspace, it refuses any other author, so a mistyped email in front
/// matter fails here first and not only against the real workspace.
fn sandbox_options(project: &Project, target: &Target) -> SandboxOptions {
    let mut options = SandboxOptions {
        token: Some(SANDBOX_TOKEN.to_owned()),
        default_locale: project.config.default_locale.clone(),
        state_file: Some(
            project
                .root
                .join(".helpcenter")
                .join(format!("{}.sandbox.db", target.name)),
        ),
        ..SandboxOptions::default()
    };
    options.switches.nested_lists = match target.nested_lists {
        crate::content::config::NestedLists::Accept => crate::sandbox::NestedLists::Accept,
        crate::content::config::NestedLists::Reject => crate::sandbox::NestedLists::Reject,
    };
    let mut emails: Vec<String> = target.admins.clone();
    if emails.is_empty() {
        if let Some(AuthorRef::Email(e)) = &project.config.defaults.author {
            emails.push(e.clone());
        }
    } else {
        // Only the listed teammates (the default `docs@example.com` keeps its id when listed).
        options
            .admins
            .retain(|a| emails.iter().any(|e| e.eq_ignore_ascii_case(&a.email)));
    }
    emails.sort_by_key(|e| e.to_lowercase());
    emails.dedup_by_key(|e| e.to_lowercase());
    for email in emails {
        if options
            .admins
            .iter()
            .any(|a| a.email.eq_ignore_ascii_case(&email))
        {
            continue;
        }
        let name = email.split('@').next().unwrap_or("admin").to_owned();
        options.admins.push(AdminSeed {
            id: stable_admin_id(&email).to_string(),
            name,
            email,
        });
    }
    options
}

/// An admin id derived from the email, so it is the same in every run (FNV-1a).
fn stable_admin_id(email: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in email.to_lowercase().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    900_000_000 + h % 99_999_999
}

/// Gives render diagnostics that depend on the target their severity for `targets` (the
/// target of a `plan`, or those `check` considers): nested lists are an error when a target
/// rejects them (`nested_lists = "reject"`) and a warning when every target accepts them.
/// Then `check` and `apply` agree: never "check passes, apply fails" for the same target.
pub fn apply_target_rules<T: std::borrow::Borrow<Target>>(
    diagnostics: &mut [Diagnostic],
    targets: &[T],
) {
    let rejecting = targets
        .iter()
        .map(std::borrow::Borrow::borrow)
        .find(|t| t.nested_lists == NestedLists::Reject);
    for diag in diagnostics.iter_mut().filter(|d| d.code == "nested-list") {
        if let Some(target) = rejecting {
            diag.severity = Severity::Error;
            diag.message = format!(
                "nested list: target `{}` rejects nested lists (400 \"Nested lists are not supported\")",
                target.name
            );
            diag.hint = Some(format!(
                "flatten the list; or, if this target accepts them, set `nested_lists = \"accept\"` in `[targets.{}]`",
                target.name
            ));
        } else {
            diag.severity = Severity::Warning;
            diag.hint = Some(
                "the target is set to accept them (`nested_lists`, unverified on Intercom): check the article after `apply`, or flatten the list"
                    .to_owned(),
            );
        }
    }
}
