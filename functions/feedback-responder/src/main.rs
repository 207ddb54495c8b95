//! Wiring only: tracing, configuration and clients once per cold start, then serve.

use feedback_responder::credentials::{CredentialSource, Credentials};
use feedback_responder::{Responder, ResponderConfig, handle};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::sync::Arc;
use store::parameters::{SsmParameters, read_secrets};

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_tracing();
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    // One SSM client for the reply clients' secrets (one call at cold start) and the
    // pages' credentials, when this runs on AWS.
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
    let config = ResponderConfig::from_lookup(|k| {
        secrets.get(k).cloned().or_else(|| std::env::var(k).ok())
    })?;
    let credentials = match (&config.token_ssm_prefix, ssm) {
        (Some(prefix), Some(ssm)) => Credentials::new(CredentialSource::Ssm {
            parameters: ssm,
            prefix: prefix.clone(),
        }),
        _ => Credentials::local(|k| std::env::var(k).ok()),
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
