//! `helpcenter plan`: fetch the target, diff, print the plan; `--out` saves it for `apply`.

use crate::commands::session::Session;
use crate::error::FileAction;
use crate::error::{CommandError, CommandResult, Outcome};
use crate::output::{Printer, plan_json, plan_markdown, plan_text};
use crate::plan::model::Plan;
use crate::settings::{self, Global, PlanFormat};

pub fn run(global: &Global, settings: &settings::Plan, printer: &Printer) -> CommandResult {
    let session = Session::open(global, printer, settings.run)?;
    let plan = session.plan.clone();
    session.close();
    emit(&plan, settings.format, printer);
    if let Some(out) = &settings.out {
        save(&plan, out)?;
        printer.info(&format!(
            "saved the plan to `{}`; run `helpcenter apply {}` to execute it",
            out.display(),
            out.display()
        ));
    }
    report_problems(&plan, printer);
    if !plan.errors.is_empty() {
        return Ok(Outcome::Failed);
    }
    if settings.detailed_exitcode && plan.summary.has_changes() {
        return Ok(Outcome::Changes);
    }
    Ok(Outcome::Success)
}

/// Prints the plan on stdout in `format`.
pub fn emit(plan: &Plan, format: PlanFormat, printer: &Printer) {
    let text = match format {
        PlanFormat::Text => plan_text::render(plan, printer.color_stdout),
        PlanFormat::Json => plan_json::render(plan),
        PlanFormat::Markdown => plan_markdown::render(plan, None),
    };
    printer.data(&text);
}

/// Prints the plan's warnings and errors on stderr.
pub fn report_problems(plan: &Plan, printer: &Printer) {
    for w in &plan.warnings {
        printer.warn(w);
    }
    for e in &plan.errors {
        printer.error(&e.message);
        if let Some(h) = &e.hint {
            printer.hint(h);
        }
    }
}

/// Writes a saved plan (the full plan, with the hashes that detect staleness).
pub fn save(plan: &Plan, path: &std::path::Path) -> Result<(), CommandError> {
    let mut text = serde_json::to_string_pretty(plan).expect("plan serializes");
    text.push('\n');
    std::fs::write(path, text).map_err(|e| CommandError::file(FileAction::Write, path, e))
}

/// Reads a saved plan.
pub fn load(path: &std::path::Path) -> Result<Plan, CommandError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| CommandError::file(FileAction::Read, path, e))?;
    serde_json::from_str(&text).map_err(|e| {
        CommandError::invalid(format!(
            "`{}` is not a plan saved by `helpcenter plan --out`: {e}",
            path.display()
        ))
    })
}
