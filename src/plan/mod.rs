//! Stage 5: the plan. Desired state (content) × actual state (remote) × recorded state (state
//! file) → a [`model::Plan`] of per-object, per-locale changes, with drift detection.

pub mod body_diff;
pub mod compute;
pub mod desired;
pub mod drift_fields;
pub mod external_pages;
pub mod fingerprint;
pub mod impact;
pub mod model;
pub mod remote_view;
pub mod resource;
pub mod settle;
pub mod signed_images;
