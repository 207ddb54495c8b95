//! Wiring only: tracing, configuration and clients once per cold start, then serve.
// The AWS SDK's start-up futures nest deeper than the default limit allows here.
#![recursion_limit = "256"]

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use review_poller::config::PollerConfig;
use review_poller::credentials::AppKeys;
use review_poller::handle;
use std::sync::Arc;
use store::parameters::SsmParameters;

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_tracing();
    let config = PollerConfig::from_lookup(|k| std::env::var(k).ok())?;
    let keys = match &config.token_ssm_prefix {
        Some(prefix) => AppKeys::Ssm {
            parameters: Arc::new(SsmParameters::from_env().await),
            prefix: prefix.clone(),
        },
        None => AppKeys::Local(Box::new(|k| std::env::var(k).ok())),
    };
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
