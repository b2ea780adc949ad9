//! Output: the printer (the only place that writes to stdout/stderr), the one printer of
//! diagnostics and command errors (`report`) and the plan formats.

pub mod plan_json;
pub mod plan_markdown;
pub mod plan_text;
pub mod printer;
pub mod report;

pub use printer::Printer;
