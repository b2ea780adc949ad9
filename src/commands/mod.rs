//! One module per command: each wires the pipeline stages together for its command.

pub mod apply;
pub mod check;
pub mod init;
pub mod plan;
pub mod preview;
pub mod pull;
pub mod render;
pub mod session;
pub mod target;
