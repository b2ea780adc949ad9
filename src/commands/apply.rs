//! `helpcenter apply`.

use crate::cli::GlobalArgs;
use crate::commands::{CommandError, CommandResult};
use crate::output::Printer;

pub fn run(
    _global: &GlobalArgs,
    _args: &crate::cli::ApplyArgs,
    _printer: &Printer,
) -> CommandResult {
    Err(CommandError::new("`apply` is not built yet"))
}
