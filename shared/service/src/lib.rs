//! What the functions and tools that answer customers share, so that no function crate
//! depends on another:
//!
//! - [`config`]: the answering configuration every one of them reads the same way (the
//!   table, the platforms' reply clients, the built-in wording, the pages' defaults).
//! - [`credentials`]: page credentials (SSM on AWS, variables or files locally).
//! - [`headers`]: what the HTTP functions read from a request's headers.
//! - [`startup`]: the cold start of the functions that answer on pages.
//! - [`texts`]: what the customer is told after their case is resolved.

pub mod config;
pub mod credentials;
pub mod headers;
pub mod startup;
pub mod texts;

pub use config::{AnsweringConfig, ConfigError};
