//! The feedback-responder function, fed by the table's stream (new feedback records and
//! approvals only).
//!
//! - [`config`]: [`ResponderConfig`], read once per cold start: the outbound halves of the
//!   configured platforms, the page defaults, the reply wording.
//! - [`credentials`]: where a page's credential comes from (on AWS only its own SSM
//!   SecureString; locally an environment variable or a file), cached per page.
//! - [`respond`]: [`Responder::respond`], one item: fetch what the webhook did not carry,
//!   decide, record, draft, open the task, and send each message at most once, ever.
//! - [`handler`]: the stream batch → partial batch response Lambda expects.
//!
//! `main.rs` only wires these together.

pub mod config;
pub mod credentials;
pub mod handler;
pub mod respond;

pub use config::ResponderConfig;
pub use handler::handle;
pub use respond::{Outcome, RespondError, Responder};
