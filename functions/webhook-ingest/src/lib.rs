//! The webhook-ingest function: `GET|POST /webhooks/{platform}`.
//!
//! - [`config`]: [`IngestConfig`], read once per cold start from the environment.
//! - [`handler`]: [`handle`], the HTTP handler Lambda (and the local runner) calls; maps
//!   every outcome to a status: 401 bad signature (nothing stored), 413/415 bad body,
//!   404 unknown platform, 5xx storage failure (the platform retries), 200 stored.
//!
//! `main.rs` only wires these together.

pub mod config;
pub mod handler;

pub use config::{ConfigError, IngestConfig};
pub use handler::{App, MAX_BODY_BYTES, Reload, handle};
