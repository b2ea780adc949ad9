//! `helpcenter apply`: compute (or load and re-verify) the plan, confirm, execute, record.

use std::fmt::Write as _;
use std::io::IsTerminal;

use crate::apply::executor::Executor;
use crate::apply::progress::Progress;
use crate::commands::plan as plan_cmd;
use crate::commands::session::{self, Session};
use crate::content::config::OnDrift;
use crate::error::{CommandError, CommandResult, Outcome};
use crate::output::Printer;
use crate::plan::model::{Action, Plan};
use crate::settings::{self, Global, PlanFormat};
use crate::state::journal::Recorder;

pub fn run(global: &Global, settings: &settings::Apply, printer: &Printer) -> CommandResult {
    let saved = settings
        .plan_file
        .as_deref()
        .map(plan_cmd::load)
        .transpose()?;
    let session = Session::open(global, printer, settings.run)?;
    let result = execute(&session, settings.yes, saved.as_ref(), printer);
    session.close();
    result
}

fn execute(session: &Session, yes: bool, saved: Option<&Plan>, printer: &Printer) -> CommandResult {
    // The plan of this run, computed once by the session with prune as the flags and the
    // config resolved it.
    let mut plan = session.plan.clone();
    if let Some(saved) = saved {
        check_saved_prune(saved, session.settings.plan.prune)?;
        check_fresh(saved, &plan)?;
    }
    plan_cmd::emit(&plan, PlanFormat::Text, printer);
    plan_cmd::report_problems(&plan, printer);
    if !plan.errors.is_empty() {
        return Err(CommandError::refused(
            "the plan has errors; nothing was sent",
        ));
    }
    let on_drift = session.settings.on_drift;
    let mut skip = std::collections::BTreeSet::new();
    let drifted = session::keys(&plan, true);
    if !drifted.is_empty() {
        match on_drift {
            OnDrift::Fail => {
                return Err(CommandError::refused(format!(
                    "{} object(s) were edited in Intercom since the last apply: {}; nothing was sent",
                    drifted.len(),
                    drifted.join(", ")
                ))
                .with_hint("run `helpcenter pull KEY` to keep an Intercom edit, or `helpcenter apply --on-drift overwrite` to put back the repository's version (`--on-drift skip` leaves them alone)"));
            }
            OnDrift::Skip => {
                printer.warn(&format!(
                    "skipping {} object(s) with drift: {}",
                    drifted.len(),
                    drifted.join(", ")
                ));
                skip.extend(
                    plan.changes
                        .iter()
                        .filter(|c| c.drift)
                        .map(|c| c.key.clone()),
                );
                plan.changes.retain(|c| !c.drift);
            }
            OnDrift::Overwrite => {
                printer.warn(&format!(
                    "overwriting edits made in Intercom: {}",
                    drifted.join(", ")
                ));
            }
        }
    }
    let protected = crate::plan::impact::refused(&plan);
    if !protected.is_empty() {
        let list: Vec<String> = protected
            .iter()
            .map(|c| {
                let views = plan.impact.get(&c.key).map_or(0, |i| i.views);
                format!("`{}` ({views} views)", c.key)
            })
            .collect();
        return Err(CommandError::refused(format!(
            "{} article(s) read by many would be {}: {}; nothing was sent",
            protected.len(),
            if protected.iter().all(|c| c.action == Action::Delete) {
                "deleted"
            } else {
                "deleted or unpublished"
            },
            list.join(", ")
        ))
        .with_hint(format!(
            "deleting or unpublishing an article with at least {} views needs `--force-prune` (`protect_views` of target `{}`)",
            session.target.protect_views, session.target.name
        )));
    }
    let pending_prune = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete && c.needs_prune)
        .count();
    if pending_prune > 0 {
        printer.warn(&format!(
            "{pending_prune} delete(s) need `--prune` and will not be made"
        ));
    }
    let work = plan.changes.iter().filter(|c| !c.needs_prune).count();
    if work == 0 {
        printer.info("Nothing to apply.");
        return Ok(Outcome::Success);
    }
    if !yes {
        confirm(work, &session.target.name, printer)?;
    }
    let recorder = Recorder::open(&session.project.root, session.state.clone())
        .map_err(|e| CommandError::state("open the state journal", e))?;
    let progress = Progress::new(printer, work);
    let executor = Executor {
        client: &session.connection.client,
        desired: &session.desired,
        plan: &plan,
        resolution: &session.resolution,
        remote: &session.view,
        concurrency: session.settings.concurrency.max(1),
        progress: &progress,
        skip: &skip,
        callout_colors: session.target.callout_colors,
    };
    let started = std::time::Instant::now();
    let on_interrupt = || progress.interrupted();
    let ((report, recorder), interrupted) = match &session.pages {
        Some(work) => {
            let pages = crate::apply::external_pages::PagesExecutor {
                client: &session.connection.client,
                plan: &plan,
                work,
                concurrency: session.settings.concurrency.max(1),
                progress: &progress,
            };
            session
                .runtime
                .block_on(crate::apply::interrupt::run_interruptible(
                    pages.run(recorder),
                    on_interrupt,
                ))
        }
        None => session
            .runtime
            .block_on(crate::apply::interrupt::run_interruptible(
                executor.run(recorder),
                on_interrupt,
            )),
    };
    progress.finish();
    // Failures of no one object (the journal) were not shown as they happened.
    for failure in report.failures.iter().filter(|f| f.key.is_empty()) {
        printer.error(&failure.message);
    }
    recorder
        .finish()
        .map_err(|e| CommandError::state("write the state file", e))?;
    let requests = session.connection.client.request_count();
    let mut line = format!(
        "Apply {}: {} change(s) made",
        if interrupted {
            "interrupted"
        } else if report.failures.is_empty() {
            "complete"
        } else {
            "incomplete"
        },
        report.done
    );
    if report.link_updates > 0 {
        let _ = write!(line, ", {} link update(s)", report.link_updates);
    }
    if report.reconciled > 0 {
        let _ = write!(
            line,
            ", {} lost response(s) reconciled without re-sending",
            report.reconciled
        );
    }
    if !report.failures.is_empty() {
        let _ = write!(line, ", {} failed", report.failures.len());
    }
    let _ = write!(
        line,
        " ({requests} requests, {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    printer.info(&line);
    if interrupted {
        printer.warn(&format!(
            "interrupted: {} of {work} changes made; the state is saved; run `helpcenter apply` again to finish",
            report.done
        ));
        return Ok(Outcome::Interrupted);
    }
    if report.failures.is_empty() {
        Ok(Outcome::Success)
    } else {
        printer.hint("the state file keeps what succeeded; run `helpcenter apply` again to finish");
        Ok(Outcome::Failed)
    }
}

/// A plan saved with `--prune` holds deletes; applied without prune they would be skipped
/// silently, so it is refused: the deletes were reviewed, prune must be asked for again.
fn check_saved_prune(saved: &Plan, prune: bool) -> Result<(), CommandError> {
    let deletes = saved
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete && !c.needs_prune)
        .count();
    if deletes > 0 && !prune {
        return Err(CommandError::refused(format!(
            "the saved plan was made with `--prune` and holds {deletes} delete(s), but this apply has no `--prune`; nothing was sent"
        ))
        .with_hint("pass `--prune` to make the deletes the plan shows, or save a plan without `--prune`"));
    }
    Ok(())
}

/// A saved plan is stale when the content or any remote object it touches changed.
fn check_fresh(saved: &Plan, now: &Plan) -> Result<(), CommandError> {
    let stale = |why: String| {
        CommandError::refused(format!("the saved plan is stale: {why}; nothing was sent"))
            .with_hint("run `helpcenter plan --out FILE` again and review the new plan")
    };
    if saved.version != now.version {
        return Err(CommandError::refused(format!(
            "the saved plan has format version {}, this helpcenter reads version {}; nothing was sent",
            saved.version, now.version
        ))
        .with_hint("run `helpcenter plan --out FILE` again with this version"));
    }
    if saved.help_center_id != now.help_center_id {
        return Err(stale("it was made for another help center".into()));
    }
    if saved.target != now.target {
        return Err(stale(format!(
            "it was made for target `{}`, not `{}`",
            saved.target, now.target
        )));
    }
    if saved.content_hash != now.content_hash {
        return Err(stale("the local content changed since it was made".into()));
    }
    for change in &saved.changes {
        let current = now
            .changes
            .iter()
            .find(|c| c.kind == change.kind && c.key == change.key);
        let moved = match current {
            None => true,
            Some(c) => {
                c.remote_updated_at != change.remote_updated_at
                    || c.action != change.action
                    || c.locales != change.locales
                    || c.id != change.id
                    || c.previous_key != change.previous_key
                    || c.parent_changed != change.parent_changed
                    || c.drift != change.drift
            }
        };
        if moved {
            return Err(stale(format!(
                "{} `{}` changed in Intercom since it was made",
                change.kind.as_str(),
                change.key
            )));
        }
    }
    if now.changes.len() != saved.changes.len() {
        return Err(stale(
            "other objects changed in Intercom since it was made".into(),
        ));
    }
    Ok(())
}

/// Asks on a terminal; refuses without one.
fn confirm(work: usize, target: &str, printer: &Printer) -> Result<(), CommandError> {
    if !std::io::stdin().is_terminal() {
        return Err(CommandError::refused(
            "refusing to apply without confirmation: stdin is not a terminal",
        )
        .with_hint("review the plan, then pass `--yes`"));
    }
    printer.stderr(&format!(
        "Apply {work} change(s) to target `{target}`? Only `yes` is accepted: "
    ));
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| CommandError::system(format!("cannot read the answer: {e}")))?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(CommandError::refused("apply cancelled; nothing was sent"))
    }
}
