//! Stage 6: executing a plan against the remote, recording each write through the `state`
//! stage's journal.

pub mod executor;
pub mod external_pages;
pub mod group_commit;
pub mod interrupt;
pub mod progress;
pub mod resource;
