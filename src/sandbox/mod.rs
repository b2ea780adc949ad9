//! The Intercom emulator: an HTTP server faithful to `API-NOTES.md`, used by `sandbox serve`,
//! the embedded `kind = "sandbox"` target and the tests.
pub mod cli;
