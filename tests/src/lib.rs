//! Helpers shared by the workspace's integration tests.
//!
//! - [`dynamodb`]: a client for DynamoDB Local on 127.0.0.1 (started through
//!   `infra/dynamodb-local.sh` when it does not answer), and fresh tables created from
//!   `template.yaml` so every test has its own.
//! - [`faults`]: a proxy in front of DynamoDB Local that fails a share of the calls.
//! - [`http_server`]: a small HTTP server the proxies and stand-ins run on.
//! - [`logs`]: what a test logs, captured, and a test run alone in a process of its own.
//! - [`meta`]: signed Meta deliveries as API Gateway requests.
//! - [`responder`]: a responder wired to a table and a `wiremock` Graph API, and stream
//!   events as Lambda hands them over.
//! - [`sweeper`]: the SLA sweeper wired to a table, feedback and task fixtures, and a
//!   platform with direct messages.
//! - [`poller`]: a review poller on one source and its runs, a clock the tests move by
//!   hand, a source's cursor, and a next page that fails once.
//! - [`recording`]: a proxy in front of DynamoDB Local that records the operations.
//! - [`mock`]: a stand-in API's answer mounted in one step.
//! - [`moto`]: moto in server mode (SSM Parameter Store, STS), started when needed.
//! - [`runner`]: the local runner and `feedbackctl` as processes, and a polling wait.
//! - [`runtime_api`]: a local Lambda Runtime API that runs a built `bootstrap`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod dynamodb;
pub mod faults;
pub mod http_server;
pub mod logs;
pub mod meta;
pub mod mock;
pub mod moto;
pub mod poller;
pub mod recording;
pub mod responder;
pub mod runner;
pub mod runtime_api;
pub mod sweeper;

/// A spike of `count` delivery complaints in the hour (usually `usual`; two about billing
/// besides) on the Facebook page `account`, started at `started_at`, one of them quoted:
/// replies held, not ended.
pub fn delivery_spike(
    account: &str,
    started_at: time::OffsetDateTime,
    count: u32,
    usual: f64,
    excerpt: &str,
) -> store::spikes::Spike {
    store::spikes::Spike {
        platform: platforms::meta::FACEBOOK,
        account_id: feedback::AccountId::parse(account).unwrap(),
        started_at,
        theme: "delivery".into(),
        count,
        usual,
        themes: vec![("delivery".into(), count), ("billing".into(), 2)],
        excerpts: vec![excerpt.into()],
        hold: true,
        ended_at: None,
        ended_by: None,
    }
}

/// `text` is there and says `part`; `context` is shown when it does not.
#[track_caller]
pub fn assert_says(text: Option<&str>, part: &str, context: &impl std::fmt::Debug) {
    assert!(
        text.is_some_and(|t| t.contains(part)),
        "{part:?} not in {text:?}: {context:?}"
    );
}

/// The port in the variable `name`, else `default`.
pub(crate) fn port_from_env(name: &str, default: u16) -> u16 {
    std::env::var(name)
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(default)
}
