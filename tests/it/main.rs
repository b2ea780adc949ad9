//! The one integration-test binary: a module per feature.

mod check;
mod content;
mod contract;
mod plan_apply;
mod preview;
mod remote;
mod sandbox;
mod support;
