//! `create-table [NAME]`: create the feedback table (default: `$TABLE_NAME`, else
//! `feedback`) from template.yaml in the DynamoDB that the standard AWS environment names
//! (`AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000` for DynamoDB Local).

use std::process::ExitCode;
use store::setup::{TableDefinition, create_table};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let table = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("TABLE_NAME").ok())
        .unwrap_or_else(|| "feedback".to_owned());
    let store = store::DynamoStore::from_env(&table).await;
    let result = match TableDefinition::deployed() {
        Ok(def) => create_table(&store, &def).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(true) => {
            println!("created table {table}");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            println!("table {table} already exists");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                msg.push_str(&format!(": {s}"));
                source = s.source();
            }
            eprintln!("create-table: {msg}");
            ExitCode::FAILURE
        }
    }
}
