//! DynamoDB Local, for the local runner and the tests (never Lambda): the one helper that
//! starts it when it does not answer, makes tables from `template.yaml`, and reads the
//! table's stream into records shaped as Lambda hands them to the responder.

use crate::client::{local_client, timeouts};
use crate::dynamo::dynamo_err;
use crate::setup::{SetupError, TableDefinition, create_table};
use crate::{DynamoStore, StoreError};
use aws_sdk_dynamodbstreams::types::{AttributeValue, Record, ShardIteratorType};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

/// DynamoDB Local on 127.0.0.1 (it listens on every interface; we only ever connect here).
#[derive(Clone, Debug)]
pub struct LocalDynamo {
    client: aws_sdk_dynamodb::Client,
    endpoint: String,
}

impl LocalDynamo {
    /// DynamoDB Local on `127.0.0.1:{port}`.
    pub fn on_port(port: u16) -> Self {
        Self::at(&format!("http://127.0.0.1:{port}"))
    }

    /// Any endpoint that takes DynamoDB Local's dummy credentials (a test proxy, say).
    pub fn at(endpoint: &str) -> Self {
        Self {
            client: local_client(endpoint),
            endpoint: endpoint.to_owned(),
        }
    }

    /// The same endpoint with other timeouts (a test proxy that answers late, say).
    pub fn with_timeouts(self, connect: Duration, attempt: Duration, total: Duration) -> Self {
        let timeouts = aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
            .connect_timeout(connect)
            .operation_attempt_timeout(attempt)
            .operation_timeout(total)
            .build();
        Self {
            client: crate::client::local_client_with(&self.endpoint, timeouts),
            endpoint: self.endpoint,
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub async fn is_running(&self) -> bool {
        self.client.list_tables().send().await.is_ok()
    }

    /// Start DynamoDB Local with `script start` (which installs it once) unless it already
    /// answers, then wait until it does.
    pub async fn ensure_running(&self, script: &Path, port: u16) -> Result<(), String> {
        if self.is_running().await {
            return Ok(());
        }
        eprintln!(
            "DynamoDB Local does not answer on 127.0.0.1:{port}; starting it (installed once)…"
        );
        let status = tokio::process::Command::new("bash")
            .arg(script)
            .arg("start")
            .env("SKIP_CREATE_TABLE", "1")
            .env("DYNAMODB_LOCAL_PORT", port.to_string())
            .status()
            .await
            .map_err(|e| format!("running {}: {e}", script.display()))?;
        if !status.success() {
            return Err(format!(
                "{} start failed; Java 17+ and npm are needed (see its log)",
                script.display()
            ));
        }
        for _ in 0..60 {
            if self.is_running().await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Err(format!("DynamoDB Local did not answer on 127.0.0.1:{port}"))
    }

    /// The table `name` from `template.yaml`'s definition; `Ok(false)` when it existed.
    pub async fn create_table(&self, name: &str) -> Result<bool, SetupError> {
        let definition = TableDefinition::deployed()?;
        create_table(&self.store(name), &definition).await
    }

    pub fn store(&self, table: &str) -> DynamoStore {
        DynamoStore::new(self.client.clone(), table)
    }

    /// Every item of `table` as JSON (strings, numbers, booleans, lists, maps, sets), read
    /// consistently: for tests and for looking around.
    pub async fn scan(&self, table: &str) -> Result<Vec<Value>, StoreError> {
        let scan = self.client.scan().table_name(table).consistent_read(true);
        Ok(crate::dynamo::scan_all(scan)
            .await?
            .iter()
            .map(crate::codec::item_json)
            .collect())
    }

    /// A reader of `table`'s stream.
    pub async fn stream(&self, table: &str) -> Result<StreamReader, StoreError> {
        let out = self
            .client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(dynamo_err("DescribeTable"))?;
        let arn =
            out.table
                .and_then(|t| t.latest_stream_arn)
                .ok_or_else(|| StoreError::Corrupt {
                    key: table.to_owned(),
                    reason: "the table has no stream".into(),
                })?;
        let conf = aws_sdk_dynamodbstreams::Config::builder()
            .behavior_version(aws_sdk_dynamodbstreams::config::BehaviorVersion::latest())
            .region(aws_sdk_dynamodbstreams::config::Region::new("eu-west-1"))
            .credentials_provider(aws_sdk_dynamodbstreams::config::Credentials::new(
                "local", "local", None, None, "local",
            ))
            .endpoint_url(&self.endpoint)
            .timeout_config(timeouts())
            .build();
        Ok(StreamReader {
            client: aws_sdk_dynamodbstreams::Client::from_conf(conf),
            arn,
            iterators: HashMap::new(),
            finished: HashSet::new(),
            seen: HashSet::new(),
            last_shard_scan: None,
        })
    }
}

/// Reads a table's stream from the start, each record once, as Lambda event records.
pub struct StreamReader {
    client: aws_sdk_dynamodbstreams::Client,
    arn: String,
    iterators: HashMap<String, Option<String>>,
    finished: HashSet<String>,
    // Iterators are re-opened at the trim horizon after DynamoDB Local trims or expires
    // them; records already handed over are not handed over twice.
    seen: HashSet<String>,
    last_shard_scan: Option<std::time::Instant>,
}

impl StreamReader {
    /// The records that arrived since the last call (Lambda's event record JSON).
    /// Problems reading are logged and retried on the next call.
    pub async fn poll(&mut self) -> Vec<Value> {
        if self
            .last_shard_scan
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(2))
        {
            self.last_shard_scan = Some(std::time::Instant::now());
            self.discover_shards().await;
        }
        let mut records = Vec::new();
        let shards: Vec<String> = self.iterators.keys().cloned().collect();
        for shard in shards {
            let Some(Some(it)) = self.iterators.get(&shard).cloned() else {
                continue;
            };
            match self
                .client
                .get_records()
                .shard_iterator(it)
                .limit(100)
                .send()
                .await
            {
                Ok(out) => {
                    for record in out.records.unwrap_or_default() {
                        let Some(event) = lambda_record(&record, &self.arn) else {
                            continue;
                        };
                        let sequence = event["dynamodb"]["SequenceNumber"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned();
                        if self.seen.insert(sequence) {
                            records.push(event);
                        }
                    }
                    if out.next_shard_iterator.is_none() {
                        self.finished.insert(shard.clone());
                    }
                    self.iterators.insert(shard, out.next_shard_iterator);
                }
                Err(e) => {
                    let code = e
                        .as_service_error()
                        .and_then(aws_sdk_dynamodbstreams::error::ProvideErrorMetadata::code)
                        .unwrap_or_default();
                    if code == "TrimmedDataAccessException" || code == "ExpiredIteratorException" {
                        let reopened = self.open_shard(&shard).await;
                        self.iterators.insert(shard, reopened);
                    } else {
                        tracing::warn!(error = %e, "reading the stream failed; will retry");
                    }
                }
            }
        }
        let finished = &self.finished;
        self.iterators
            .retain(|shard, it| it.is_some() || !finished.contains(shard));
        records
    }

    async fn discover_shards(&mut self) {
        let mut start = None;
        loop {
            let out = match self
                .client
                .describe_stream()
                .stream_arn(&self.arn)
                .set_exclusive_start_shard_id(start)
                .send()
                .await
            {
                Ok(out) => out,
                Err(e) => {
                    tracing::warn!(error = %e, "describing the stream failed");
                    return;
                }
            };
            let Some(description) = out.stream_description else {
                return;
            };
            for shard in description.shards.unwrap_or_default() {
                let Some(id) = shard.shard_id else { continue };
                if self.iterators.contains_key(&id) || self.finished.contains(&id) {
                    continue;
                }
                let iterator = self.open_shard(&id).await;
                if iterator.is_some() {
                    self.iterators.insert(id, iterator);
                }
            }
            start = description.last_evaluated_shard_id;
            if start.is_none() {
                return;
            }
        }
    }

    async fn open_shard(&self, shard: &str) -> Option<String> {
        match self
            .client
            .get_shard_iterator()
            .stream_arn(&self.arn)
            .shard_id(shard)
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
        {
            Ok(it) => it.shard_iterator,
            Err(e) => {
                tracing::warn!(error = %e, "opening a shard failed");
                None
            }
        }
    }
}

/// A streams attribute value as DynamoDB JSON (`{"S": "…"}`), the shape Lambda hands over.
fn attribute_json(v: &AttributeValue) -> Value {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    match v {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(_) => json!({ "NULL": true }),
        AttributeValue::Ss(ss) => json!({ "SS": ss }),
        AttributeValue::Ns(ns) => json!({ "NS": ns }),
        AttributeValue::B(b) => json!({ "B": b64(b.as_ref()) }),
        AttributeValue::Bs(bs) => {
            json!({ "BS": bs.iter().map(|b| b64(b.as_ref())).collect::<Vec<_>>() })
        }
        AttributeValue::L(l) => json!({ "L": l.iter().map(attribute_json).collect::<Vec<_>>() }),
        AttributeValue::M(m) => json!({ "M": image_json(m) }),
        _ => json!({ "NULL": true }),
    }
}

fn image_json(image: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(
        image
            .iter()
            .map(|(k, v)| (k.clone(), attribute_json(v)))
            .collect::<Map<_, _>>(),
    )
}

/// One stream record as the Lambda event record JSON.
fn lambda_record(record: &Record, stream_arn: &str) -> Option<Value> {
    let change = record.dynamodb.as_ref()?;
    let mut dynamodb = Map::new();
    if let Some(t) = change.approximate_creation_date_time {
        dynamodb.insert("ApproximateCreationDateTime".into(), json!(t.secs()));
    }
    dynamodb.insert("Keys".into(), image_json(change.keys.as_ref()?));
    if let Some(image) = &change.new_image {
        dynamodb.insert("NewImage".into(), image_json(image));
    }
    if let Some(image) = &change.old_image {
        dynamodb.insert("OldImage".into(), image_json(image));
    }
    dynamodb.insert(
        "SequenceNumber".into(),
        json!(change.sequence_number.clone()?),
    );
    dynamodb.insert("SizeBytes".into(), json!(change.size_bytes.unwrap_or(0)));
    dynamodb.insert(
        "StreamViewType".into(),
        json!(change.stream_view_type.as_ref().map(|s| s.as_str())),
    );
    Some(json!({
        "eventID": record.event_id,
        "eventName": record.event_name.as_ref().map(|n| n.as_str()),
        "eventVersion": record.event_version,
        "eventSource": "aws:dynamodb",
        "awsRegion": record.aws_region.clone().unwrap_or_else(|| "eu-west-1".into()),
        "eventSourceARN": stream_arn,
        "dynamodb": Value::Object(dynamodb),
    }))
}
