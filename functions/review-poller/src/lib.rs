//! The review poller: app stores (and Mastodon accounts) have no webhooks, so a scheduled
//! Lambda reads their reviews (and mentions) into the feedback table, where the table's
//! stream hands new ones to the responder exactly as webhook deliveries are.
//!
//! - [`config`]: the sources polled (`REVIEW_POLL_SOURCES`) and the pacing, read once.
//! - each app's key is its stored credential, read as every function reads page
//!   credentials ([`service::credentials`]: SSM on AWS, variables locally).
//! - [`cursor`]: where reading stops and how far the cursor moves (no I/O).
//! - [`poll`]: one run: claim a source, read newest first down to its cursor, store with
//!   the idempotent write, advance the cursor conditionally, or keep the failure with a
//!   backoff; stop starting work when little time is left.
//! - [`poller`]: the poller as configured (the Lambda and the local runner build it so).
//! - [`handle`]: the Lambda entry (a scheduled event; the deadline from its context).

pub mod config;
pub mod cursor;
pub mod poll;

use config::PollerConfig;
use lambda_runtime::LambdaEvent;
use poll::{Poller, RunReport, Store};
use service::credentials::Credentials;
use std::sync::Arc;
use time::OffsetDateTime;

/// The poller over `table` with the configured stores and sources: built the same way by
/// the Lambda and the local runner.
pub fn poller(config: PollerConfig, table: store::DynamoStore, keys: Credentials) -> Poller {
    let play = Arc::new(config.google_play);
    let app_store = Arc::new(config.app_store);
    let mastodon = Arc::new(config.mastodon);
    let stores = vec![
        Store {
            platform: platforms::google_play::PLATFORM,
            reviews: play.clone(),
            client: play,
            credential_variable: "GOOGLE_PLAY_SERVICE_ACCOUNT",
        },
        Store {
            platform: platforms::app_store::PLATFORM,
            reviews: app_store.clone(),
            client: app_store,
            credential_variable: "APP_STORE_CONNECT_KEY",
        },
        Store {
            platform: platforms::mastodon::PLATFORM,
            reviews: mastodon.clone(),
            client: mastodon,
            credential_variable: "MASTODON_ACCESS_TOKEN",
        },
    ];
    Poller::new(table, stores, config.sources, keys, config.settings)
}

/// One scheduled invocation: poll until the invocation's deadline nears.
pub async fn handle(
    poller: &Poller,
    event: LambdaEvent<serde_json::Value>,
) -> Result<RunReport, lambda_runtime::Error> {
    let deadline = i128::from(event.context.deadline)
        .checked_mul(1_000_000)
        .and_then(|n| OffsetDateTime::from_unix_timestamp_nanos(n).ok())
        .filter(|_| event.context.deadline > 0)
        .unwrap_or_else(|| OffsetDateTime::now_utc() + time::Duration::minutes(5));
    let report = poller.run(deadline, &event.context.request_id).await;
    tracing::info!(?report, "run done");
    Ok(report)
}
