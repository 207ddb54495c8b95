//! Wiring only: tracing, configuration and clients once per cold start, then serve.

use feedback_responder::credentials::{CredentialSource, Credentials};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use secrecy::ExposeSecret;
use serde_json::Value;
use sla_sweeper::deliver::HttpNotifier;
use sla_sweeper::{Sweeper, SweeperConfig, handle};
use std::collections::HashMap;
use std::sync::Arc;
use store::parameters::{SsmParameters, read_secrets};

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_tracing();
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    // As the responder: the reply clients' secrets from SSM (one call at cold start) and
    // the pages' credentials, when this runs on AWS.
    let ssm = match (env("SECRETS_SSM_PATH"), env("PAGE_TOKEN_SSM_PREFIX")) {
        (None, None) => None,
        _ => Some(Arc::new(SsmParameters::from_env().await)),
    };
    let secrets: HashMap<String, String> = match (&ssm, env("SECRETS_SSM_PATH")) {
        (Some(ssm), Some(path)) => {
            read_secrets(ssm.as_ref(), &path, &platforms::reply::SECRET_VARIABLES)
                .await?
                .into_iter()
                .map(|(k, v)| (k, v.expose_secret().to_owned()))
                .collect()
        }
        _ => HashMap::new(),
    };
    let config =
        SweeperConfig::from_lookup(|k| secrets.get(k).cloned().or_else(|| std::env::var(k).ok()))?;
    let credentials = match (&config.token_ssm_prefix, ssm) {
        (Some(prefix), Some(ssm)) => Credentials::new(CredentialSource::Ssm {
            parameters: ssm,
            prefix: prefix.clone(),
        }),
        _ => Credentials::local(|k| std::env::var(k).ok()),
    };
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
