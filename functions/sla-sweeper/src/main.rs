//! Wiring only: tracing, configuration and clients once per cold start, then serve.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;
use service::config::SECRET_VARIABLES;
use sla_sweeper::deliver::HttpNotifier;
use sla_sweeper::{Sweeper, SweeperConfig, handle};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // As the responder: the reply clients' secrets from SSM (one call at cold start) and
    // the pages' credentials, when this runs on AWS.
    let (config, credentials) =
        service::startup::cold_start(&SECRET_VARIABLES, |get| SweeperConfig::from_lookup(get))
            .await?;
    let notifier = Arc::new(HttpNotifier::new(config.delivery.timeout)?);
    let store = store::DynamoStore::from_env(&config.table_name).await;
    let sweeper = Arc::new(Sweeper::new(
        store,
        config.outbound.clone(),
        credentials,
        notifier,
        config,
    ));
    run(service_fn(move |event: LambdaEvent<Value>| {
        let sweeper = Arc::clone(&sweeper);
        async move { handle(&sweeper, event).await }
    }))
    .await
}
