//! The Intercom emulator: an HTTP server faithful to `API-NOTES.md`, used by `sandbox serve`,
//! the embedded `kind = "sandbox"` target and the tests.
pub mod cli;
pub mod options;
pub mod rewrite;

pub use options::{
    AdminSeed, DeleteCollectionWithChildren, Faults, FourthLevelCollection, Headings,
    HelpCenterSeed, LastPageNext, NestedLists, RateLimit, SandboxOptions, SwitchError, Switches,
    TranslationNull, UnknownLocale,
};
