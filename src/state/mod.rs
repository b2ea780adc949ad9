//! Stage 4: what this tool remembers of a target, below `plan`, `apply`, `pull` and
//! `preview`. The state file (key → Intercom id, last-applied record per locale), the journal
//! of a running apply (intents and outcomes, replayed after a crash) and the target lock (one
//! run at a time). Plain data and files: it imports no other stage.

pub mod journal;
pub mod lock;
pub mod state_file;
