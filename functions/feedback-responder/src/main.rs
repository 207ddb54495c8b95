//! Wiring only: tracing, configuration and clients once per cold start, then serve.

use feedback_responder::{Responder, ResponderConfig, handle};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use service::config::SECRET_VARIABLES;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // One SSM client for the reply clients' secrets (one call at cold start) and the
    // pages' credentials, when this runs on AWS.
    let (config, credentials) =
        service::startup::cold_start(&SECRET_VARIABLES, |get| ResponderConfig::from_lookup(get))
            .await?;
    let platforms: Vec<String> = config.outbound.platforms().map(|p| p.to_string()).collect();
    tracing::info!(?platforms, "answering on these platforms");
    let store = store::DynamoStore::from_env(&config.table_name).await;
    let responder = Arc::new(Responder {
        store: Arc::new(store),
        outbound: config.outbound,
        credentials,
        defaults: config.defaults,
        retry: config.retry,
        templates: config.templates,
    });
    run(service_fn(move |event: LambdaEvent<_>| {
        let responder = Arc::clone(&responder);
        async move { handle(&responder, event).await }
    }))
    .await
}
