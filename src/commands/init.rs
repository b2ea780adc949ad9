//! `helpcenter init`.

use crate::cli::GlobalArgs;
use crate::commands::{CommandError, CommandResult};
use crate::output::Printer;

pub fn run(_global: &GlobalArgs, _printer: &Printer) -> CommandResult {
    Err(CommandError::new("`init` is not built yet"))
}
