//! `helpcenter`: an Intercom Help Center as code.
//!
//! Data flows one way: `content` (walk, config, front matter) → `render` (Markdown →
//! sanitized Intercom HTML) → `remote` (Intercom client) → `state` (state file, journal,
//! lock) → `plan` (diff, drift) → `apply` (execution) → `commands`. `output` formats,
//! `diagnostics` reports, `sandbox` emulates Intercom, `preview` serves a local site, `cli`
//! parses arguments and dispatches. See `docs/architecture.md`.

use std::ffi::OsString;
use std::process::ExitCode;

/// mimalloc instead of the system allocator, for the binary and for everything that links this
/// crate (benches and tests measure what ships). Every per-file pass allocates and frees many
/// small strings on several threads at once; with glibc's allocator that was 17 % of `check`'s
/// CPU (docs/performance.md, "check vs pulldown-cmark").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs the command line and returns the process exit code (0, 1, or 2 for changes).
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    cli::run(args)
}

pub mod apply;
pub mod cli;
pub mod commands;
pub mod content;
pub mod diagnostics;
pub mod error;
pub mod html_dom;
pub mod html_text;
pub mod output;
pub mod parallel;
pub mod pipeline;
pub mod plan;
pub mod preview;
pub mod pull;
pub mod remote;
pub mod render;
pub mod sandbox;
pub mod secrets;
pub mod settings;
pub mod state;
pub mod test_hooks;
