//! The tasks API: the staff inbox over follow-up tasks, and the page it serves.
//!
//! - [`config`]: [`TasksApiConfig`], read once per cold start (Cognito on AWS, always;
//!   the local runner's sign-in only through [`TasksApiConfig::local`], refused in Lambda).
//! - [`auth`]: who is asking, from the claims API Gateway's JWT authorizer verified,
//!   checked again here: their `sub` with a verified e-mail, and their role (viewers,
//!   staff, owners: Cognito groups); who did what is never taken from a request body.
//! - [`api`]: [`handle`], the HTTP handler Lambda (and the local runner) calls: the queue,
//!   one task, its actions (through the [`staff`] layer, as `feedbackctl`'s) (each a conditional write: 409 when the state moved), page
//!   settings, reports.
//! - [`input`]: every body and query parsed into typed values, or 400 field by field.
//! - [`views`]: what the API answers (never a platform's raw JSON or a secret setting);
//!   one task ([`staff::view::TaskShow`]) and the reports are the staff layer's, the same
//!   `feedbackctl` prints.
//! - [`page`]: `/inbox`: the HTML, CSS and script in `assets/`, compiled in.
//! - [`error`]: [`ApiError`] and its one mapping to status codes.
//!
//! `main.rs` only wires these together.

pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod input;
pub mod page;
pub mod views;

pub use api::{App, handle};
pub use config::{ConfigError, SignIn, TasksApiConfig, Trust};
pub use error::ApiError;
