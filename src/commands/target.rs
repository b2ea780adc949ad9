//! Choosing a target and connecting to it: a real workspace (token from the environment),
//! or the embedded emulator started on 127.0.0.1 with its data in `.helpcenter/`.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::cli::GlobalArgs;
use crate::commands::CommandError;
use crate::content::config::{Target, TargetKind};
use crate::content::model::{AuthorRef, Project};
use crate::output::Printer;
use crate::remote::{Client, ClientConfig, RequestObserver, Token};
use crate::sandbox::{AdminSeed, SandboxHandle, SandboxOptions};

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

/// The target named by `--target`, else `default_target`, else the only one.
pub fn choose<'p>(project: &'p Project, global: &GlobalArgs) -> Result<&'p Target, CommandError> {
    let targets = &project.config.targets;
    let name = match (&global.target, &project.config.default_target) {
        (Some(name), _) | (None, Some(name)) => name.clone(),
        (None, None) if targets.len() == 1 => targets.keys().next().expect("one target").clone(),
        (None, None) => {
            return Err(CommandError::new(
                "no target given and `helpcenter.toml` has no `default_target`",
            )
            .with_hint(format!("pass `--target NAME` (one of: {})", names(project))));
        }
    };
    targets.get(&name).ok_or_else(|| {
        CommandError::new(format!("unknown target `{name}`"))
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
                    CommandError::new(format!("could not start the embedded sandbox: {e}"))
                })?;
            let mut config =
                ClientConfig::for_region(target.region, Token::new(SANDBOX_TOKEN.to_owned()));
            config.base_url = handle.base_url();
            config.max_concurrency = concurrency;
            config.on_request = observer;
            let client = Client::new(config).map_err(|e| CommandError::new(e.to_string()))?;
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
                CommandError::new(format!("target `{}` needs an Intercom access token in the `{var}` environment variable", target.name))
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
            let client = Client::new(config).map_err(|e| CommandError::new(e.to_string()))?;
            Ok(Connection {
                client,
                sandbox: None,
            })
        }
    }
}

/// The embedded emulator for `target`: multilingual with the project's default locale, its
/// data in `.helpcenter/<target>.sandbox.db` (SQLite; an older `.sandbox.json` is migrated),
/// and a teammate for every author email the content names (the sandbox cannot know the real workspace's admins).
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
    let mut emails: Vec<String> = Vec::new();
    if let Some(AuthorRef::Email(e)) = &project.config.defaults.author {
        emails.push(e.clone());
    }
    for article in &project.articles {
        for file in article.locales.values() {
            if let Some(AuthorRef::Email(e)) = &file.author {
                emails.push(e.clone());
            }
        }
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
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<crate::state::lock::TargetLock, CommandError> {
    use crate::state::lock::{self, LockError};
    let timeout = Duration::from_secs(global.lock_timeout);
    let shown = format!(".helpcenter/{}.lock", target.name);
    let who = |holder: Option<&str>| holder.map(|h| format!(" ({h})")).unwrap_or_default();
    lock::acquire(&project.root, &target.name, timeout, |holder| {
        printer.info(&format!(
            "waiting for `{shown}`: another helpcenter command{} is using target `{}` (up to {} s)",
            who(holder),
            target.name,
            global.lock_timeout
        ));
    })
    .map_err(|e| match e {
        LockError::Busy { holder, .. } => CommandError::new(format!(
            "another helpcenter command{} is still using target `{}`: gave up waiting for `{shown}` after {} s; nothing was sent",
            who(holder.as_deref()),
            target.name,
            global.lock_timeout
        ))
        .with_hint("let it finish, or pass `--lock-timeout SECS` to wait longer"),
        LockError::Io { .. } => CommandError::new(e.to_string()),
    })
}
