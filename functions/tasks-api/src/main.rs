//! Wiring only: tracing, configuration and the table client once per cold start, then
//! serve.

use lambda_http::{Error, run, service_fn};
use std::sync::Arc;
use tasks_api::{App, TasksApiConfig, handle};

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_tracing();
    let config = TasksApiConfig::from_env()?;
    let store = store::DynamoStore::from_env(&config.table_name).await;
    let app = Arc::new(App::new(store, config));
    run(service_fn(move |req| {
        let app = Arc::clone(&app);
        async move { handle(&app, req).await }
    }))
    .await
}
