//! `helpcenter sandbox serve`.

use clap::Args;

use crate::commands::{CommandError, CommandResult};
use crate::output::Printer;

/// Flags of `sandbox serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 4010)]
    pub port: u16,
    /// Persist the emulator's data in this JSON file
    #[arg(long, value_name = "FILE")]
    pub state: Option<std::path::PathBuf>,
    /// Accept only this bearer token (default: any non-empty token)
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
}

pub fn serve(_args: &ServeArgs, _printer: &Printer) -> CommandResult {
    Err(CommandError::new("`sandbox serve` is not built yet"))
}
