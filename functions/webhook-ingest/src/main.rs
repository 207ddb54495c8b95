//! Wiring only: tracing, configuration and clients once per cold start, then serve.

use lambda_http::{Error, run, service_fn};
use platforms::registry::SECRET_VARIABLES;
use std::sync::Arc;
use store::parameters::Startup;
use webhook_ingest::{App, IngestConfig, Reload, handle};

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_tracing();
    // The platforms' secrets: from SSM SecureString parameters under `SECRETS_SSM_PATH`
    // (one call), else (local runs) from the environment.
    let startup = Arc::new(Startup::load(&SECRET_VARIABLES, &[]).await?);
    let config = IngestConfig::from_lookup(|k| startup.get(k))?;
    let routes: Vec<_> = config.platforms.routes().collect();
    tracing::info!(?routes, "serving webhooks for these platforms");
    let store = store::DynamoStore::from_env(&config.table_name).await;
    let mut app = App::new(config.platforms, Arc::new(store));
    if startup.ssm.is_some() {
        // A secret rotated after the cold start: read again when a signature fails.
        app = app.with_reload(Reload::new(move || {
            let startup = startup.clone();
            Box::pin(async move {
                let secrets = startup.read(&SECRET_VARIABLES).await.ok()?;
                IngestConfig::from_lookup(|k| {
                    secrets.get(k).cloned().or_else(|| std::env::var(k).ok())
                })
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
