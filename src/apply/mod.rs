//! Stage 5: executing a plan against the remote and recording state.

pub mod state_file;
