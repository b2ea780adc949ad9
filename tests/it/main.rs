//! The one integration-test binary: a module per feature.

mod action;
mod action_state_branch;
mod check;
mod content;
mod contract;
mod contract_ai;
mod convergence;
mod fin;
mod fin_sandbox;
mod hostile;
mod house;
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
mod ship;
mod support;
mod trust_api;
mod trust_state;
