//! `helpcenter check`.

use crate::cli::GlobalArgs;
use crate::commands::{CommandError, CommandResult};
use crate::output::Printer;

pub fn run(
    _global: &GlobalArgs,
    _args: &crate::cli::CheckArgs,
    _printer: &Printer,
) -> CommandResult {
    Err(CommandError::new("`check` is not built yet"))
}
