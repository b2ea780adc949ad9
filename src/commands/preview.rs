//! `helpcenter preview`.

use crate::cli::GlobalArgs;
use crate::commands::{CommandError, CommandResult};
use crate::output::Printer;

pub fn run(
    _global: &GlobalArgs,
    _args: &crate::cli::PreviewArgs,
    _printer: &Printer,
) -> CommandResult {
    Err(CommandError::new("`preview` is not built yet"))
}
