//! Choosing a target and connecting to it: a real workspace (token from the environment),
//! or the embedded emulator started on 127.0.0.1 with its data in `.helpcenter/`.

use std::fmt::Write as _;

use crate::content::config::Target;
use crate::content::model::Project;
use crate::error::CommandError;
use crate::output::Printer;
use crate::remote::RequestObserver;
use crate::settings::Global;

/// The target named by `--target`, else `default_target`, else the only one.
pub fn choose<'p>(project: &'p Project, global: &Global) -> Result<&'p Target, CommandError> {
    let targets = &project.config.targets;
    let name = match (&global.target, &project.config.default_target) {
        (Some(name), _) | (None, Some(name)) => name.clone(),
        (None, None) if targets.len() == 1 => targets.keys().next().expect("one target").clone(),
        (None, None) => {
            return Err(CommandError::invalid(
                "no target given and `helpcenter.toml` has no `default_target`",
            )
            .with_hint(format!("pass `--target NAME` (one of: {})", names(project))));
        }
    };
    targets.get(&name).ok_or_else(|| {
        CommandError::invalid(format!("unknown target `{name}`"))
            .with_hint(format!("targets in `helpcenter.toml`: {}", names(project)))
    })
}

fn names(project: &Project) -> String {
    project
        .config
        .targets
        .keys()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// With `-v`: one stderr line per HTTP attempt (method, path, status, time, retry).
pub fn request_logger(printer: &Printer) -> Option<RequestObserver> {
    if printer.verbosity < crate::output::printer::Verbosity::Verbose {
        return None;
    }
    let printer = *printer;
    Some(std::sync::Arc::new(
        move |e: &crate::remote::RequestEvent| {
            let status = e
                .status
                .map_or_else(|| "no response".to_owned(), |s| s.to_string());
            let mut line = format!(
                "{} {} → {status} in {} ms",
                e.method,
                e.path,
                e.elapsed.as_millis()
            );
            if e.attempt > 1 {
                let _ = write!(line, " (attempt {})", e.attempt);
            }
            if let Some(err) = &e.error {
                let _ = write!(line, ": {err}");
            }
            if let Some(wait) = e.retry_in {
                let _ = write!(line, "; retrying in {} ms", wait.as_millis());
            }
            printer.debug(&line);
        },
    ))
}

/// Takes `.helpcenter/<target>.lock` for the rest of the command, waiting (and saying so) up to
/// `--lock-timeout` while another command holds it.
pub fn lock(
    project: &Project,
    target: &Target,
    global: &Global,
    printer: &Printer,
) -> Result<crate::state::lock::TargetLock, CommandError> {
    use crate::state::lock::{self, LockError};
    let timeout = global.lock_timeout;
    let shown = format!(".helpcenter/{}.lock", target.name);
    let who = |holder: Option<&str>| holder.map(|h| format!(" ({h})")).unwrap_or_default();
    lock::acquire(&project.root, &target.name, timeout, |holder| {
        printer.info(&format!(
            "waiting for `{shown}`: another helpcenter command{} is using target `{}` (up to {} s)",
            who(holder),
            target.name,
            timeout.as_secs()
        ));
    })
    .map_err(|e| match e {
        LockError::Busy { holder, .. } => CommandError::refused(format!(
            "another helpcenter command{} is still using target `{}`: gave up waiting for `{shown}` after {} s; nothing was sent",
            who(holder.as_deref()),
            target.name,
            timeout.as_secs()
        ))
        .with_hint("let it finish, or pass `--lock-timeout SECS` to wait longer"),
        LockError::Io { .. } => CommandError::system(e.to_string()),
    })
}
