//! Helpers shared by the workspace's integration tests.
//!
//! - [`dynamodb`]: a client for DynamoDB Local on 127.0.0.1 (started through
//!   `infra/dynamodb-local.sh` when it does not answer), and fresh tables created from
//!   `template.yaml` so every test has its own.
//! - [`meta`]: signed Meta deliveries as API Gateway requests.
//! - [`responder`]: a responder wired to a table and a `wiremock` Graph API, and stream
//!   events as Lambda hands them over.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod dynamodb;
pub mod meta;
pub mod responder;
