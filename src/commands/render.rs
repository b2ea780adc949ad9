//! `helpcenter render`.

use crate::cli::GlobalArgs;
use crate::commands::{CommandError, CommandResult};
use crate::output::Printer;

pub fn run(
    _global: &GlobalArgs,
    _args: &crate::cli::RenderArgs,
    _printer: &Printer,
) -> CommandResult {
    Err(CommandError::new("`render` is not built yet"))
}
