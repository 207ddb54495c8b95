//! Feeding the responder from DynamoDB Local's stream, as Lambda's event source mapping
//! does on AWS: the template's filter, batches of up to 10, the partial batch response, and
//! bounded retries of the records it reports failed.

use aws_lambda_events::event::dynamodb::Event;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodbstreams::types::{AttributeValue, Record, ShardIteratorType};
use base64::Engine;
use feedback_responder::Responder;
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::{error, info, warn};

const BATCH_SIZE: usize = 10;
const MAX_RETRIES: u32 = 5;

fn credentials() -> Credentials {
    Credentials::new("local", "local", None, None, "local-runner")
}

pub fn dynamodb_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let conf = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(credentials())
        .endpoint_url(endpoint)
        .timeout_config(store::timeouts())
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}

pub fn streams_client(endpoint: &str) -> aws_sdk_dynamodbstreams::Client {
    let conf = aws_sdk_dynamodbstreams::Config::builder()
        .behavior_version(aws_sdk_dynamodbstreams::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodbstreams::config::Region::new("eu-west-1"))
        .credentials_provider(credentials())
        .endpoint_url(endpoint)
        .timeout_config(store::timeouts())
        .build();
    aws_sdk_dynamodbstreams::Client::from_conf(conf)
}

/// Start DynamoDB Local through `infra/dynamodb-local.sh` unless it already answers.
pub async fn ensure_dynamodb_local(
    client: &aws_sdk_dynamodb::Client,
    script: &str,
    port: u16,
) -> Result<(), String> {
    if client.list_tables().send().await.is_ok() {
        return Ok(());
    }
    println!("DynamoDB Local does not answer on 127.0.0.1:{port}; starting it (installed once)…");
    let status = tokio::process::Command::new("bash")
        .arg(script)
        .arg("start")
        .env("SKIP_CREATE_TABLE", "1")
        .env("DYNAMODB_LOCAL_PORT", port.to_string())
        .status()
        .await
        .map_err(|e| format!("running {script}: {e}"))?;
    if !status.success() {
        return Err(format!(
            "{script} start failed; Java 17+ and npm are needed"
        ));
    }
    for _ in 0..60 {
        if client.list_tables().send().await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(format!("DynamoDB Local did not answer on 127.0.0.1:{port}"))
}

/// A streams attribute value as DynamoDB JSON (`{"S": "…"}`), the shape Lambda hands over.
fn attribute_json(v: &AttributeValue) -> Value {
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
pub fn lambda_record(record: &Record, stream_arn: &str) -> Option<Value> {
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

struct Pending {
    record: Value,
    attempts: u32,
}

/// Poll the table's stream until told to stop.
pub async fn feed_responder(
    streams: aws_sdk_dynamodbstreams::Client,
    dynamodb: aws_sdk_dynamodb::Client,
    table: String,
    patterns: Vec<Value>,
    responder: Arc<Responder>,
    mut stop: watch::Receiver<bool>,
) {
    let stream_arn = match dynamodb.describe_table().table_name(&table).send().await {
        Ok(out) => out.table.and_then(|t| t.latest_stream_arn),
        Err(e) => {
            error!(error = %runtime::error_chain(&e), "cannot describe the table; the responder will not run");
            return;
        }
    };
    let Some(stream_arn) = stream_arn else {
        error!("the table has no stream; the responder will not run");
        return;
    };
    let mut iterators: HashMap<String, Option<String>> = HashMap::new();
    let mut finished: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<Pending> = VecDeque::new();
    // Iterators are re-opened at the trim horizon after DynamoDB Local trims or expires
    // them; records already handed over are not handed over twice.
    let mut seen: HashSet<String> = HashSet::new();
    let mut last_shard_scan = tokio::time::Instant::now() - Duration::from_secs(10);
    loop {
        if *stop.borrow() {
            return;
        }
        if last_shard_scan.elapsed() >= Duration::from_secs(2) {
            last_shard_scan = tokio::time::Instant::now();
            discover_shards(&streams, &stream_arn, &mut iterators, &finished).await;
        }
        for (shard, iterator) in iterators.iter_mut() {
            let Some(it) = iterator.clone() else { continue };
            match streams
                .get_records()
                .shard_iterator(it)
                .limit(100)
                .send()
                .await
            {
                Ok(out) => {
                    for record in out.records.unwrap_or_default() {
                        let Some(event) = lambda_record(&record, &stream_arn) else {
                            continue;
                        };
                        let sequence = event["dynamodb"]["SequenceNumber"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned();
                        if seen.insert(sequence)
                            && patterns
                                .iter()
                                .any(|p| store::setup::pattern_matches(p, &event))
                        {
                            queue.push_back(Pending {
                                record: event,
                                attempts: 0,
                            });
                        }
                    }
                    *iterator = out.next_shard_iterator;
                    if iterator.is_none() {
                        finished.insert(shard.clone());
                    }
                }
                Err(e) => {
                    let code = e
                        .as_service_error()
                        .and_then(aws_sdk_dynamodbstreams::error::ProvideErrorMetadata::code)
                        .unwrap_or_default();
                    if code == "TrimmedDataAccessException" || code == "ExpiredIteratorException" {
                        *iterator = open_shard(&streams, &stream_arn, shard).await;
                    } else {
                        warn!(error = %runtime::error_chain(&e), "reading the stream failed; will retry");
                    }
                }
            }
        }
        iterators.retain(|shard, it| it.is_some() || !finished.contains(shard));
        while !queue.is_empty() {
            let batch: Vec<Pending> = queue.drain(..queue.len().min(BATCH_SIZE)).collect();
            let retry = invoke(&responder, batch).await;
            if !retry.is_empty() {
                tokio::time::sleep(Duration::from_millis(500)).await;
                for p in retry.into_iter().rev() {
                    queue.push_front(p);
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
            _ = stop.changed() => return,
        }
    }
}

async fn discover_shards(
    streams: &aws_sdk_dynamodbstreams::Client,
    stream_arn: &str,
    iterators: &mut HashMap<String, Option<String>>,
    finished: &HashSet<String>,
) {
    let mut start = None;
    loop {
        let out = match streams
            .describe_stream()
            .stream_arn(stream_arn)
            .set_exclusive_start_shard_id(start)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                warn!(error = %runtime::error_chain(&e), "describing the stream failed");
                return;
            }
        };
        let Some(description) = out.stream_description else {
            return;
        };
        for shard in description.shards.unwrap_or_default() {
            let Some(id) = shard.shard_id else { continue };
            if iterators.contains_key(&id) || finished.contains(&id) {
                continue;
            }
            let iterator = open_shard(streams, stream_arn, &id).await;
            if iterator.is_some() {
                iterators.insert(id, iterator);
            }
        }
        start = description.last_evaluated_shard_id;
        if start.is_none() {
            return;
        }
    }
}

async fn open_shard(
    streams: &aws_sdk_dynamodbstreams::Client,
    stream_arn: &str,
    shard: &str,
) -> Option<String> {
    match streams
        .get_shard_iterator()
        .stream_arn(stream_arn)
        .shard_id(shard)
        .shard_iterator_type(ShardIteratorType::TrimHorizon)
        .send()
        .await
    {
        Ok(it) => it.shard_iterator,
        Err(e) => {
            warn!(error = %runtime::error_chain(&e), "opening a shard failed");
            None
        }
    }
}

/// Invoke the responder with one batch; returns the records to try again.
async fn invoke(responder: &Responder, batch: Vec<Pending>) -> Vec<Pending> {
    let records: Vec<Value> = batch.iter().map(|p| p.record.clone()).collect();
    let event: Event = match serde_json::from_value(json!({ "Records": records })) {
        Ok(e) => e,
        Err(e) => {
            error!(error = %e, "a stream record does not fit the Lambda event shape; dropped");
            return Vec::new();
        }
    };
    let context = lambda_runtime::Context::default();
    let response = match feedback_responder::handle(
        responder,
        lambda_runtime::LambdaEvent::new(event, context),
    )
    .await
    {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let failed: HashSet<String> = response
        .batch_item_failures
        .into_iter()
        .filter_map(|f| f.item_identifier)
        .collect();
    batch
        .into_iter()
        .filter(|p| {
            p.record["dynamodb"]["SequenceNumber"]
                .as_str()
                .is_some_and(|s| failed.contains(s))
        })
        .filter_map(|mut p| {
            p.attempts += 1;
            if p.attempts > MAX_RETRIES {
                error!("gave up on a stream record after {MAX_RETRIES} retries (on AWS it would go to the dead-letter queue)");
                None
            } else {
                info!(attempt = p.attempts, "retrying a stream record");
                Some(p)
            }
        })
        .collect()
}
