//! The one integration-test binary: a module per feature.

mod action;
mod plan_apply;
mod support;
