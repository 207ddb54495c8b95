//! The feedback-responder function, fed by the table's stream (new feedback records only).
//!
//! - [`config`]: [`ResponderConfig`], read once per cold start.
//! - [`pages`]: a page's settings, from its stored configuration over the defaults.
//! - [`tokens`]: where a page's access token comes from (SSM SecureString on AWS; an
//!   environment variable or a file locally), cached per cold start.
//! - [`respond`]: [`Responder::respond`], one item: decide, record, draft, open the task,
//!   and send each message at most once, ever.
//! - [`handler`]: the stream batch → partial batch response Lambda expects.
//!
//! `main.rs` only wires these together.

pub mod config;
pub mod handler;
pub mod pages;
pub mod respond;
pub mod tokens;

pub use config::ResponderConfig;
pub use handler::handle;
pub use respond::{Outcome, RespondError, Responder};
