//! Wiring only: tracing, configuration and clients once per cold start, then serve.

use lambda_http::{Error, run, service_fn};
use std::sync::Arc;
use webhook_ingest::{App, IngestConfig, handle};

#[tokio::main]
async fn main() -> Result<(), Error> {
    runtime::init_tracing();
    let config = IngestConfig::from_env()?;
    let store = store::DynamoStore::new(store::client_from_env().await, &config.table_name);
    let app = Arc::new(App::new(config, Arc::new(store)));
    run(service_fn(move |req| {
        let app = Arc::clone(&app);
        async move { handle(&app, req).await }
    }))
    .await
}
