//! Wiring only: tracing, configuration and clients once per cold start, then serve.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;
use service::config::{SECRET_VARIABLES, TOKEN_PREFIX_VARIABLE};
use service::credentials::Credentials;
use sla_sweeper::deliver::HttpNotifier;
use sla_sweeper::{Sweeper, SweeperConfig, handle};
use std::sync::Arc;
use store::parameters::Startup;

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_tracing();
    // As the responder: the reply clients' secrets from SSM (one call at cold start) and
    // the pages' credentials, when this runs on AWS.
    let startup = Startup::load(&SECRET_VARIABLES, &[TOKEN_PREFIX_VARIABLE]).await?;
    let config = SweeperConfig::from_lookup(|k| startup.get(k))?;
    let credentials = Credentials::for_deployment(config.token_ssm_prefix.as_deref(), &startup);
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
