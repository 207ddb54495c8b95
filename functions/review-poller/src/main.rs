//! Wiring only: tracing, configuration and clients once per cold start, then serve.
// The AWS SDK's start-up futures nest deeper than the default limit allows here.
#![recursion_limit = "256"]

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use review_poller::config::PollerConfig;
use review_poller::handle;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // The apps' and accounts' keys from SSM when this runs on AWS (no secrets of its own).
    let (config, keys) =
        service::startup::cold_start(&[], |get| PollerConfig::from_lookup(get)).await?;
    let sources: Vec<String> = config.sources.iter().map(ToString::to_string).collect();
    tracing::info!(?sources, "polling these sources");
    let table = store::DynamoStore::from_env(&config.table_name).await;
    let poller = Arc::new(review_poller::poller(config, table, keys));
    run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let poller = Arc::clone(&poller);
        async move { handle(&poller, event).await }
    }))
    .await
}
