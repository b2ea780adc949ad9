//! The one integration-test binary: a module per feature.

mod check;
mod content;
mod contract;
mod convergence;
mod plan_apply;
mod plan_output;
mod remote;
mod sandbox;
mod support;
