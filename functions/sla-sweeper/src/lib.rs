//! The SLA sweeper, run on a schedule: what happens after the first reply.
//!
//! - [`config`]: [`SweeperConfig`], read once per cold start (the responder's platform and
//!   page settings, plus the sweeper's timings).
//! - [`sweep`]: [`Sweeper::sweep`]: escalate late tasks, announce new ones, ask every
//!   resolved case to update its review (once), post the optional "resolved" note, close
//!   tasks, deliver notifications. Through the task index only, every change conditional.
//! - [`deliver`]: notifications over HTTP: Slack, Teams, signed Standard Webhooks.
//! - [`spikes`]: spikes of complaints per page: one alert, and the crisis hold.
//! - [`texts`]: the update request and the "resolved" note, in the customer's language.
//! - [`handler`]: the scheduled event → one sweep, its counts as EMF metrics.
//!
//! `main.rs` only wires these together.

pub mod config;
pub mod deliver;
pub mod handler;
pub mod spikes;
pub mod sweep;

pub use config::SweeperConfig;
pub use handler::handle;
pub use sweep::{Summary, Sweeper};
