//! Wiring only: tracing, configuration and clients once per cold start, then serve.

use feedback_responder::{Responder, ResponderConfig, handle};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use service::config::{SECRET_VARIABLES, TOKEN_PREFIX_VARIABLE};
use service::credentials::Credentials;
use std::sync::Arc;
use store::parameters::Startup;

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_tracing();
    // One SSM client for the reply clients' secrets (one call at cold start) and the
    // pages' credentials, when this runs on AWS.
    let startup = Startup::load(&SECRET_VARIABLES, &[TOKEN_PREFIX_VARIABLE]).await?;
    let config = ResponderConfig::from_lookup(|k| startup.get(k))?;
    let credentials = Credentials::for_deployment(config.token_ssm_prefix.as_deref(), &startup);
    let platforms: Vec<String> = config.outbound.platforms().map(|p| p.to_string()).collect();
    tracing::info!(?platforms, "answering on these platforms");
    let store = store::DynamoStore::from_env(&config.table_name).await;
    let responder = Arc::new(Responder::new(
        Arc::new(store),
        config.outbound,
        credentials,
        config.defaults,
        config.retry,
        config.templates,
    ));
    run(service_fn(move |event: LambdaEvent<_>| {
        let responder = Arc::clone(&responder);
        async move { handle(&responder, event).await }
    }))
    .await
}
