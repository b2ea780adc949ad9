//! `helpcenter plan`.

use crate::cli::GlobalArgs;
use crate::commands::{CommandError, CommandResult};
use crate::output::Printer;

pub fn run(
    _global: &GlobalArgs,
    _args: &crate::cli::PlanArgs,
    _printer: &Printer,
) -> CommandResult {
    Err(CommandError::new("`plan` is not built yet"))
}
