//! How a command ends: an [`Outcome`] (exit 0, 1 or 2) or a [`CommandError`] (a message and
//! an optional hint, exit 1). Beside every stage and importing nothing of the crate, so the
//! library parts that report to a user (`cli`, `sandbox serve`, `preview`, the pipeline) share
//! it without importing `commands`, which re-exports it.

use std::fmt;

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
    pub fn as_u8(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failed => 1,
            Self::Changes => 2,
            Self::Interrupted => 130,
        }
    }
}

/// A command that could not run: one message and an optional hint. Exit 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError {
    pub message: String,
    pub hint: Option<String>,
}

impl CommandError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}

/// What every command returns.
pub type CommandResult = Result<Outcome, CommandError>;
