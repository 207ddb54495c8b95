//! The workspace's integration and end-to-end tests, as one test binary (one link of the
//! AWS SDK instead of one per file): DynamoDB Local, `wiremock` platform APIs, the local
//! runner as a process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod end_to_end;
mod fault_injection;
mod inbox_api;
mod inbox_browser;
mod ingest_dynamodb;
mod logs_keep_secrets;
mod mastodon_poller;
mod new_platform;
mod notifications;
mod readme_try_it;
mod redelivery_cost;
mod responder_dynamodb;
mod review_platforms;
mod review_poller;
mod shipped_binaries;
mod signature_properties;
mod sla_sweeper;
mod social_platforms;
mod spikes;
mod staff_cli;
mod task_lifecycle;
mod template_policies;
