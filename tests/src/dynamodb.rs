use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use store::DynamoStore;
use store::local::LocalDynamo;
use tokio::sync::OnceCell;

/// A stored item as JSON (strings, numbers, booleans, lists, maps, sets as lists).
pub type Item = Value;

/// DynamoDB Local's port: `DYNAMODB_LOCAL_PORT`, default 8000. Always on 127.0.0.1.
pub fn port() -> u16 {
    crate::port_from_env("DYNAMODB_LOCAL_PORT", 8000)
}

pub fn endpoint() -> String {
    format!("http://127.0.0.1:{}", port())
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
            let script = workspace_root().join("infra/dynamodb-local.sh");
            if let Err(e) = LocalDynamo::on_port(port())
                .ensure_running(&script, port())
                .await
            {
                panic!("could not start DynamoDB Local: {e}");
            }
        })
        .await;
}

static TABLES: AtomicUsize = AtomicUsize::new(0);

/// A new, empty table made from the template's definition, unique to the calling test.
pub struct TestTable {
    pub dynamo: LocalDynamo,
    pub name: String,
}

impl TestTable {
    pub async fn new() -> Self {
        ensure_running().await;
        let dynamo = LocalDynamo::on_port(port());
        let name = format!(
            "test-{}-{}-{}",
            std::process::id(),
            TABLES.fetch_add(1, Ordering::SeqCst),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
        );
        let created = dynamo
            .create_table(&name)
            .await
            .expect("DynamoDB Local creates the table");
        assert!(created, "table names are unique");
        Self { dynamo, name }
    }

    /// A new table (as [`TestTable::new`]) and its store.
    pub async fn with_store() -> (Self, DynamoStore) {
        let table = Self::new().await;
        let store = table.store();
        (table, store)
    }

    /// A table another process created (the local runner's), to read it.
    pub fn named(name: &str) -> Self {
        Self {
            dynamo: LocalDynamo::on_port(port()),
            name: name.to_owned(),
        }
    }

    pub fn store(&self) -> DynamoStore {
        self.dynamo.store(&self.name)
    }

    /// The same table reached through another endpoint (a fault-injecting proxy).
    pub fn store_through(&self, endpoint: &str) -> DynamoStore {
        LocalDynamo::at(endpoint).store(&self.name)
    }

    /// Every item in the table.
    pub async fn scan(&self) -> Vec<Item> {
        self.dynamo.scan(&self.name).await.expect("scan")
    }

    /// The item stored under `key`'s partition with sort key `sk` (`task`, `feedback`, …).
    pub async fn raw_item(&self, key: &store::FeedbackKey, sk: &str) -> Option<Item> {
        let pk = key.pk();
        self.scan()
            .await
            .into_iter()
            .find(|i| str_attr(i, "pk") == Some(pk.as_str()) && str_attr(i, "sk") == Some(sk))
    }

    /// The feedback stored under `key` (there must be one).
    pub async fn feedback(&self, key: &store::FeedbackKey) -> store::FeedbackRecord {
        stored(self.store().feedback(key).await, "feedback")
    }

    /// The task of the feedback under `key` (there must be one).
    pub async fn task(&self, key: &store::FeedbackKey) -> store::views::TaskView {
        stored(self.store().task(key).await, "task")
    }

    /// The outgoing message on `channel` for the feedback under `key` (there must be one).
    pub async fn message(
        &self,
        key: &store::FeedbackKey,
        channel: store::Channel,
    ) -> store::messages::OutgoingMessage {
        stored(self.store().message(key, channel).await, "message")
    }

    /// The record of the page `account` on `platform` (there must be one).
    pub async fn page(
        &self,
        platform: &feedback::Platform,
        account: &feedback::AccountId,
    ) -> feedback::page::PageRecord {
        stored(self.store().page(platform, account).await, "page")
    }

    pub async fn items_of_type(&self, record_type: &str) -> Vec<Item> {
        self.scan()
            .await
            .into_iter()
            .filter(|i| str_attr(i, "record_type") == Some(record_type))
            .collect()
    }
}

/// What a read found, which must be there.
fn stored<T>(read: Result<Option<T>, store::StoreError>, what: &str) -> T {
    read.unwrap()
        .unwrap_or_else(|| panic!("no {what} is stored"))
}

pub fn str_attr<'i>(item: &'i Item, name: &str) -> Option<&'i str> {
    item.get(name).and_then(Value::as_str)
}

/// `task` carries `flag`.
#[track_caller]
pub fn assert_flag(task: &store::views::TaskView, flag: &str) {
    assert!(
        task.flags.iter().any(|f| f == flag),
        "no {flag} in {:?}",
        task.flags
    );
}

/// `task` carries `flag`, for a reason that says `reason`.
#[track_caller]
pub fn assert_flagged(task: &store::views::TaskView, flag: &str, reason: &str) {
    assert_flag(task, flag);
    crate::assert_says(task.flag_reason.as_deref(), reason, task);
}

/// The earlier ratings of a review, oldest first, in stars.
pub fn stars_history(record: &store::FeedbackRecord) -> Vec<u8> {
    record
        .rating_history
        .iter()
        .map(|r| r.rating.stars())
        .collect()
}
