//! Wiring only: tracing, configuration and clients once per cold start, then serve.

use lambda_http::{Error, run, service_fn};
use platforms::registry::SECRET_VARIABLES;
use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::sync::Arc;
use store::parameters::{SsmParameters, read_secrets};
use webhook_ingest::{App, IngestConfig, Reload, handle};

/// The platforms' secrets: from SSM SecureString parameters under `SECRETS_SSM_PATH` (one
/// call), else (local runs) from the environment.
async fn secrets(
    ssm: Option<&(Arc<SsmParameters>, String)>,
) -> Result<HashMap<String, String>, Error> {
    let Some((ssm, path)) = ssm else {
        return Ok(HashMap::new());
    };
    let found = read_secrets(ssm.as_ref(), path, &SECRET_VARIABLES).await?;
    Ok(found
        .into_iter()
        .map(|(k, v)| (k, v.expose_secret().to_owned()))
        .collect())
}

fn lookup(secrets: HashMap<String, String>) -> impl Fn(&str) -> Option<String> {
    move |k| secrets.get(k).cloned().or_else(|| std::env::var(k).ok())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_tracing();
    let ssm = match std::env::var("SECRETS_SSM_PATH")
        .ok()
        .filter(|p| !p.trim().is_empty())
    {
        Some(path) => Some((Arc::new(SsmParameters::from_env().await), path)),
        None => None,
    };
    let config = IngestConfig::from_lookup(lookup(secrets(ssm.as_ref()).await?))?;
    let routes: Vec<_> = config.platforms.routes().collect();
    tracing::info!(?routes, "serving webhooks for these platforms");
    let store = store::DynamoStore::from_env(&config.table_name).await;
    let mut app = App::new(config.platforms, Arc::new(store));
    if let Some(ssm) = ssm {
        app = app.with_reload(Reload::new(move || {
            let ssm = ssm.clone();
            Box::pin(async move {
                let secrets = secrets(Some(&ssm)).await.ok()?;
                IngestConfig::from_lookup(lookup(secrets))
                    .ok()
                    .map(|c| c.platforms)
            })
        }));
    }
    let app = Arc::new(app);
    run(service_fn(move |req| {
        let app = Arc::clone(&app);
        async move { handle(&app, req).await }
    }))
    .await
}
