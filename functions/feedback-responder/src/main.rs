//! Wiring only: tracing, configuration and clients once per cold start, then serve.

use feedback_responder::credentials::{CredentialSource, Credentials};
use feedback_responder::{Responder, ResponderConfig, handle};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use std::sync::Arc;
use store::parameters::SsmParameters;

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_tracing();
    let config = ResponderConfig::from_env()?;
    let credentials = match &config.token_ssm_prefix {
        Some(prefix) => Credentials::new(CredentialSource::Ssm {
            parameters: Arc::new(SsmParameters::from_env().await),
            prefix: prefix.clone(),
        }),
        None => Credentials::local(|k| std::env::var(k).ok()),
    };
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
