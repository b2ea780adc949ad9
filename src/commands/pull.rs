//! `helpcenter pull`.

use crate::cli::GlobalArgs;
use crate::commands::{CommandError, CommandResult};
use crate::output::Printer;

pub fn run(
    _global: &GlobalArgs,
    _args: &crate::cli::PullArgs,
    _printer: &Printer,
) -> CommandResult {
    Err(CommandError::new("`pull` is not built yet"))
}
