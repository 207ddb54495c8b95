//! Wiring only: tracing, configuration and clients once per cold start, then serve.
// The AWS SDK's start-up futures nest deeper than the default limit allows here.
#![recursion_limit = "256"]

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use review_poller::config::PollerConfig;
use review_poller::handle;
use service::config::TOKEN_PREFIX_VARIABLE;
use service::credentials::Credentials;
use std::sync::Arc;
use store::parameters::Startup;

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_tracing();
    // The apps' and accounts' keys from SSM when this runs on AWS (no secrets of its own).
    let startup = Startup::load(&[], &[TOKEN_PREFIX_VARIABLE]).await?;
    let config = PollerConfig::from_lookup(|k| startup.get(k))?;
    let keys = Credentials::for_deployment(config.token_ssm_prefix.as_deref(), &startup);
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
