//! The one integration-test binary: a module per feature.

mod plan_apply;
mod support;
