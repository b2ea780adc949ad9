//! How a command ends: an [`Outcome`] (it ran to completion) or a [`CommandError`] (it could
//! not run), and the one place that turns either into the process exit code (PRODUCT.md:
//! 0 success, 1 any error, usage errors included, 2 only for changes under
//! `--detailed-exitcode`, 130 for an interrupted apply). Beside every stage and importing
//! nothing of the crate above `remote`, so the library parts that report to a user (`cli`,
//! `sandbox serve`, `preview`, the pipeline) share it without importing `commands`. The text
//! a user sees is made by `output::Printer::command_error`, never here.

use std::io;
use std::path::PathBuf;

use crate::remote::RemoteError;

/// How a command that ran to completion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the command ran but found errors (content errors, failed writes).
    Failed,
    /// Exit 2: `--detailed-exitcode` and changes are present.
    Changes,
    /// Exit 130: stopped by Ctrl-C (`apply` saved what it made).
    Interrupted,
}

impl Outcome {
    /// The process exit code of this outcome.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failed => 1,
            Self::Changes => 2,
            Self::Interrupted => 130,
        }
    }
}

/// The exit code of a command line clap refused or answered itself: 0 for `--help` and
/// `--version`, 1 for a usage error (never 2: 2 means "changes present").
pub fn usage_exit_code(error: &clap::Error) -> u8 {
    u8::from(error.use_stderr())
}

/// What a file operation was doing, for [`CommandError::File`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAction {
    Read,
    Write,
    Create,
    Remove,
    Resolve,
}

impl FileAction {
    fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Create => "create",
            Self::Remove => "remove",
            Self::Resolve => "resolve",
        }
    }
}

impl std::fmt::Display for FileAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A command that could not run. Every variant exits 1 ([`CommandError::exit_code`]); the
/// variant says what kind of failure it is, its fields what the message and hint are made of.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The content has errors, already reported as diagnostics: nothing was sent.
    #[error("the content has {errors} error(s); nothing was sent")]
    Content { errors: usize },
    /// `helpcenter.toml` has errors, already reported as diagnostics: the content was not
    /// checked against it and nothing was sent.
    #[error("`helpcenter.toml` has {errors} error(s); nothing was checked or sent")]
    Config { errors: usize },
    /// A file or folder of the user's could not be read, written, created or removed.
    #[error("cannot {action} `{}`: {source}", path.display())]
    File {
        action: FileAction,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The state file of a target (or its journal) could not be read or written; `what` says
    /// which, e.g. "read the state file".
    #[error("cannot {what}: {source}")]
    State {
        what: String,
        #[source]
        source: io::Error,
    },
    /// Intercom (or the emulator) answered an error or could not be reached.
    #[error("{source}")]
    Remote {
        #[source]
        source: Box<RemoteError>,
        hint: Option<String>,
    },
    /// What was asked cannot be done as given or configured: an unknown target, a missing
    /// token, an ambiguous help center, a file that is not an article, a bad flag value.
    #[error("{message}")]
    Invalid {
        message: String,
        hint: Option<String>,
    },
    /// A safety rule stopped the command before anything was sent: drift, protected articles,
    /// a stale or mismatched saved plan, plan errors, no confirmation, a busy lock.
    #[error("{message}")]
    Refused {
        message: String,
        hint: Option<String>,
    },
    /// The machine failed the command: an async runtime, a socket, the embedded emulator.
    #[error("{message}")]
    System {
        message: String,
        hint: Option<String>,
    },
}

impl CommandError {
    /// [`CommandError::Invalid`] without a hint.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid {
            message: message.into(),
            hint: None,
        }
    }

    /// [`CommandError::Refused`] without a hint.
    pub fn refused(message: impl Into<String>) -> Self {
        Self::Refused {
            message: message.into(),
            hint: None,
        }
    }

    /// [`CommandError::System`] without a hint.
    pub fn system(message: impl Into<String>) -> Self {
        Self::System {
            message: message.into(),
            hint: None,
        }
    }

    /// [`CommandError::File`].
    pub fn file(action: FileAction, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::File {
            action,
            path: path.into(),
            source,
        }
    }

    /// [`CommandError::State`]: `what` is e.g. "read the state file".
    pub fn state(what: impl Into<String>, source: io::Error) -> Self {
        Self::State {
            what: what.into(),
            source,
        }
    }

    /// [`CommandError::Remote`] without a hint.
    pub fn remote(source: RemoteError) -> Self {
        Self::Remote {
            source: Box::new(source),
            hint: None,
        }
    }

    /// Sets the hint of a variant that carries one (the others have a fixed hint or none).
    #[must_use]
    pub fn with_hint(mut self, text: impl Into<String>) -> Self {
        match &mut self {
            Self::Remote { hint, .. }
            | Self::Invalid { hint, .. }
            | Self::Refused { hint, .. }
            | Self::System { hint, .. } => *hint = Some(text.into()),
            Self::Content { .. } | Self::Config { .. } | Self::File { .. } | Self::State { .. } => {
            }
        }
        self
    }

    /// The `hint:` line shown under the message, when there is an obvious next step.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Self::Content { .. } => {
                Some("fix them (`helpcenter check` lists them all), then run the command again")
            }
            Self::Config { .. } => Some(
                "fix it, then run the command again (the content is checked once the config is valid)",
            ),
            Self::Remote { hint, .. }
            | Self::Invalid { hint, .. }
            | Self::Refused { hint, .. }
            | Self::System { hint, .. } => hint.as_deref(),
            Self::File { .. } | Self::State { .. } => None,
        }
    }

    /// The process exit code: 1 for every command error (PRODUCT.md: "1 any error").
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Content { .. }
            | Self::Config { .. }
            | Self::File { .. }
            | Self::State { .. }
            | Self::Remote { .. }
            | Self::Invalid { .. }
            | Self::Refused { .. }
            | Self::System { .. } => 1,
        }
    }
}

/// What every command returns.
pub type CommandResult = Result<Outcome, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_product_contract() {
        assert_eq!(Outcome::Success.exit_code(), 0);
        assert_eq!(Outcome::Failed.exit_code(), 1);
        assert_eq!(Outcome::Changes.exit_code(), 2);
        assert_eq!(Outcome::Interrupted.exit_code(), 130);
        let errors = [
            CommandError::Content { errors: 2 },
            CommandError::Config { errors: 1 },
            CommandError::file(FileAction::Write, "a", io::Error::other("x")),
            CommandError::state("read the state file", io::Error::other("x")),
            CommandError::invalid("x"),
            CommandError::refused("x"),
            CommandError::system("x"),
        ];
        for e in &errors {
            assert_eq!(e.exit_code(), 1, "{e}");
        }
    }

    #[test]
    fn messages_and_hints() {
        let e = CommandError::file(
            FileAction::Write,
            "plan.json",
            io::Error::other("disk full"),
        );
        assert_eq!(e.to_string(), "cannot write `plan.json`: disk full");
        assert_eq!(e.hint(), None);
        let e = CommandError::refused("no").with_hint("pass `--yes`");
        assert_eq!(
            (e.to_string().as_str(), e.hint()),
            ("no", Some("pass `--yes`"))
        );
        let e = CommandError::Content { errors: 3 }.with_hint("ignored");
        assert_eq!(
            e.to_string(),
            "the content has 3 error(s); nothing was sent"
        );
        assert_eq!(
            e.hint(),
            Some("fix them (`helpcenter check` lists them all), then run the command again")
        );
    }
}
