//! Stage 3: the Intercom REST API client (2.12), with pacing, retries and typed models.

pub mod models;
