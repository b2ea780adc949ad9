//! Stage 4: plan — diff the local content against the remote, detect drift.

pub mod fingerprint;
