//! The one integration-test binary: a module per feature.

mod action;
mod action_state_branch;
mod check;
mod content;
mod contract;
mod convergence;
mod hostile;
mod house;
mod pinned;
mod plan_apply;
mod plan_output;
mod preview;
mod pull;
mod pull_fidelity;
mod remote;
mod render;
mod review;
mod review2;
mod sandbox;
mod scale;
mod settings;
mod ship;
mod snap;
mod support;
mod trust_api;
mod trust_state;
