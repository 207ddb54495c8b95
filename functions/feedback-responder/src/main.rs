//! Wiring only: tracing, configuration and clients once per cold start, then serve.

use feedback_responder::tokens::{SecretParameters, TokenProvider};
use feedback_responder::{Responder, ResponderConfig, handle};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use platforms::meta::graph::GraphClient;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    runtime::init_tracing();
    let config = ResponderConfig::from_env()?;
    let ssm: Option<Arc<dyn SecretParameters>> = match &config.token_ssm_prefix {
        Some(_) => {
            let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
            let conf = aws_sdk_ssm::config::Builder::from(&sdk)
                .timeout_config(store::timeouts())
                .build();
            Some(Arc::new(aws_sdk_ssm::Client::from_conf(conf)))
        }
        None => None,
    };
    let responder = Arc::new(Responder {
        store: store::DynamoStore::new(store::client_from_env().await, &config.table_name),
        replies: Arc::new(GraphClient::new(&config.graph)?),
        tokens: TokenProvider::new(
            Arc::new(|k| std::env::var(k).ok()),
            ssm,
            config.token_ssm_prefix.clone(),
        ),
        defaults: config.defaults.clone(),
        retry: config.retry.clone(),
    });
    run(service_fn(move |event: LambdaEvent<_>| {
        let responder = Arc::clone(&responder);
        async move { handle(&responder, event).await }
    }))
    .await
}
