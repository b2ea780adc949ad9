//! Output: the printer (the only place that writes to stdout/stderr) and the plan formats.

pub mod printer;

pub use printer::Printer;
