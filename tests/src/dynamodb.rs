use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use store::DynamoStore;
use store::setup::{TableDefinition, create_table};
use tokio::sync::OnceCell;

pub type Item = HashMap<String, AttributeValue>;

/// DynamoDB Local's port: `DYNAMODB_LOCAL_PORT`, default 8000. Always on 127.0.0.1.
pub fn port() -> u16 {
    std::env::var("DYNAMODB_LOCAL_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8000)
}

pub fn endpoint() -> String {
    format!("http://127.0.0.1:{}", port())
}

/// A client for any endpoint, with DynamoDB Local's dummy credentials and short timeouts.
pub fn client_for(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "tests"))
        .endpoint_url(endpoint)
        .timeout_config(store::timeouts())
        .build();
    Client::from_conf(config)
}

static STARTED: OnceCell<()> = OnceCell::const_new();

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// Make sure DynamoDB Local answers, starting it (installing it once) if needed.
pub async fn ensure_running() {
    STARTED
        .get_or_init(|| async {
            let client = client_for(&endpoint());
            if client.list_tables().send().await.is_ok() {
                return;
            }
            eprintln!(
                "DynamoDB Local does not answer on {}; starting it with infra/dynamodb-local.sh",
                endpoint()
            );
            let status = tokio::process::Command::new("bash")
                .arg(workspace_root().join("infra/dynamodb-local.sh"))
                .arg("start")
                .env("SKIP_CREATE_TABLE", "1")
                .env("DYNAMODB_LOCAL_PORT", port().to_string())
                .status()
                .await
                .expect("bash runs infra/dynamodb-local.sh");
            assert!(
                status.success(),
                "could not start DynamoDB Local: run `infra/dynamodb-local.sh start` and see its log"
            );
            for _ in 0..60 {
                if client.list_tables().send().await.is_ok() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            panic!("DynamoDB Local did not answer on {}", endpoint());
        })
        .await;
}

static TABLES: AtomicUsize = AtomicUsize::new(0);

/// A new, empty table made from the template's definition, unique to the calling test.
pub struct TestTable {
    pub client: Client,
    pub name: String,
}

impl TestTable {
    pub async fn new() -> Self {
        ensure_running().await;
        let client = client_for(&endpoint());
        let name = format!(
            "test-{}-{}-{}",
            std::process::id(),
            TABLES.fetch_add(1, Ordering::SeqCst),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
        );
        let def = TableDefinition::deployed().expect("template.yaml defines the table");
        let created = create_table(&client, &name, &def)
            .await
            .expect("DynamoDB Local creates the table");
        assert!(created, "table names are unique");
        Self { client, name }
    }

    pub fn store(&self) -> DynamoStore {
        DynamoStore::new(self.client.clone(), &self.name)
    }

    /// Every item in the table.
    pub async fn scan(&self) -> Vec<Item> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .scan()
                .table_name(&self.name)
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("scan");
            items.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() {
                return items;
            }
        }
    }

    pub async fn items_of_type(&self, record_type: &str) -> Vec<Item> {
        self.scan()
            .await
            .into_iter()
            .filter(|i| str_attr(i, "record_type") == Some(record_type))
            .collect()
    }
}

pub fn str_attr<'i>(item: &'i Item, name: &str) -> Option<&'i str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}
