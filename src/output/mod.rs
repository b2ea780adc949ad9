//! Output: the printer (the only place that writes to stdout/stderr) and the plan formats.

pub mod plan_json;
pub mod plan_markdown;
pub mod plan_text;
pub mod printer;

pub use printer::Printer;
