//! The feedback-responder function, fed by the table's stream (new feedback records and
//! approvals only).
//!
//! - [`config`]: [`ResponderConfig`], read once per cold start: the outbound halves of the
//!   configured platforms, the page defaults, the reply wording (read as the sweeper reads
//!   them: [`service::AnsweringConfig`]), and the retry policy.
//! - [`respond`]: [`Responder::respond`], one item: fetch what the webhook did not carry,
//!   decide, record, draft, open the task, and send each message at most once, ever.
//! - [`handler`]: the stream batch → partial batch response Lambda expects.
//!
//! `main.rs` only wires these together.

pub mod config;
pub mod handler;
pub mod respond;

pub use config::ResponderConfig;
pub use handler::handle;
pub use respond::{Outcome, RespondError, Responder};
