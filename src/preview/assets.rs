//! The preview's stylesheet and script, embedded in the binary so the page makes no
//! request to any other host.

/// `/static/style.css`.
pub const STYLE: &str = include_str!("assets/style.css");
/// `/static/app.js`.
pub const SCRIPT: &str = include_str!("assets/app.js");
