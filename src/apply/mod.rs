//! Stage 5: executing a plan against the remote and recording state.

pub mod executor;
pub mod lock;
pub mod progress;
pub mod state_file;
pub mod test_hooks;
