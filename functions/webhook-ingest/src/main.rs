//! Wiring only: tracing, configuration and clients once per cold start, then serve.

use lambda_http::{Error, run, service_fn};
use std::sync::Arc;
use webhook_ingest::{App, IngestConfig, handle};

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_tracing();
    let config = IngestConfig::from_env()?;
    let routes: Vec<_> = config.platforms.routes().collect();
    tracing::info!(?routes, "serving webhooks for these platforms");
    let store = store::DynamoStore::from_env(&config.table_name).await;
    let app = Arc::new(App::new(config.platforms, Arc::new(store)));
    run(service_fn(move |req| {
        let app = Arc::clone(&app);
        async move { handle(&app, req).await }
    }))
    .await
}
