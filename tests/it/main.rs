//! The one integration-test binary: a module per feature.

mod action;
mod check;
mod content;
mod contract;
mod convergence;
mod plan_apply;
mod plan_output;
mod preview;
mod pull;
mod remote;
mod render;
mod sandbox;
mod scale;
mod support;
