//! The one integration-test binary: a module per feature.

mod check;
mod content;
mod plan_apply;
mod support;
