//! The shared front half of `plan` and `apply`: load the content (nothing is sent when it has
//! errors), connect to the target, fetch the remote, build the desired state, compute the plan.

use std::collections::BTreeSet;

use crate::commands::target;
use crate::content::config::Target;
use crate::content::model::Project;
use crate::diagnostics::Diagnostic;
use crate::error::CommandError;
use crate::output::Printer;
use crate::output::report::DiagnosticFormat;
use crate::pipeline::Connection;
use crate::pipeline::{Planned, plan_target};
use crate::plan::compute::Resolution;
use crate::plan::desired::Desired;
use crate::plan::model::Plan;
use crate::plan::remote_view::RemoteView;
use crate::settings::{Global, RunFlags, RunSettings};
use crate::state::state_file::StateFile;

/// Everything `plan` and `apply` share.
pub struct Session {
    pub project: Project,
    pub target: Target,
    /// The flags completed by the target's config: the plan was computed with these.
    pub settings: RunSettings,
    pub runtime: tokio::runtime::Runtime,
    pub connection: Connection,
    pub state: StateFile,
    pub view: RemoteView,
    pub desired: Desired,
    pub plan: Plan,
    pub resolution: Resolution,
    /// `.helpcenter/<target>.lock`, held until the session is dropped.
    pub lock: crate::state::lock::TargetLock,
    /// A Fin target's pages (`publish = "external_pages"`).
    pub pages: Option<crate::pipeline::PagesPlanned>,
}

/// Loads the project and prints its diagnostics; content errors are an error (exit 1).
pub fn load_project(global: &Global, printer: &Printer) -> Result<Project, CommandError> {
    let loaded = crate::content::load(&global.dir);
    print_diagnostics(printer, &global.dir, &loaded.diagnostics);
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    match loaded.project {
        Some(project) if errors == 0 => Ok(project),
        Some(_) => Err(crate::pipeline::content_errors(errors)),
        None => Err(crate::pipeline::config_errors(errors)),
    }
}

/// Prints diagnostics as human text on stderr.
pub fn print_diagnostics(printer: &Printer, root: &std::path::Path, diagnostics: &[Diagnostic]) {
    printer.diagnostics(root, diagnostics, DiagnosticFormat::Text);
}

impl Session {
    /// Opens a session: content, target, settings, remote snapshot, desired state, and the
    /// plan, computed once.
    pub fn open(global: &Global, printer: &Printer, flags: RunFlags) -> Result<Self, CommandError> {
        let mut project = load_project(global, printer)?;
        let target = target::choose(&project, global)?.clone();
        let settings = flags.resolve(&target);
        let lock = target::lock(&project, &target, global, printer)?;
        let (mut state, replayed) = StateFile::load_and_recover(&project.root, &target.name)
            .map_err(|e| CommandError::state("read the state file", e))?;
        if replayed > 0 {
            printer.warn(&format!(
                "recovered {replayed} write(s) of an interrupted apply from the journal into `.helpcenter/{}.state.json`",
                target.name
            ));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| CommandError::system(format!("cannot start the async runtime: {e}")))?;
        let message = format!("fetching target `{}`…", target.name);
        let spinner = crate::apply::progress::spinner(printer, &message);
        let planned = runtime.block_on(plan_target(
            &mut project,
            &target,
            &state,
            settings.plan,
            settings.concurrency,
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
            pages,
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
                .map_err(|e| CommandError::state("write the state file", e))?;
            state = settled;
        }
        printer.debug(&format!(
            "{} requests to plan",
            connection.client.request_count()
        ));
        Ok(Self {
            project,
            target,
            settings,
            runtime,
            connection,
            state,
            view,
            desired,
            plan,
            resolution,
            lock,
            pages,
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
