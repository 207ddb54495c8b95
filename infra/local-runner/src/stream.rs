//! Feeding the responder from DynamoDB Local's stream, as Lambda's event source mapping
//! does on AWS: the template's filter, batches of up to 10, the partial batch response, and
//! bounded retries of the records it reports failed.

use aws_lambda_events::event::dynamodb::Event;
use feedback_responder::Responder;
use serde_json::{Value, json};
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use store::local::StreamReader;
use tokio::sync::watch;
use tracing::{error, info};

const BATCH_SIZE: usize = 10;
const MAX_RETRIES: u32 = 5;

struct Pending {
    record: Value,
    attempts: u32,
}

/// Poll the table's stream until told to stop.
pub async fn feed_responder(
    mut stream: StreamReader,
    patterns: Vec<Value>,
    responder: Arc<Responder>,
    mut stop: watch::Receiver<bool>,
) {
    let mut queue: VecDeque<Pending> = VecDeque::new();
    loop {
        if *stop.borrow() {
            return;
        }
        for event in stream.poll().await {
            if patterns
                .iter()
                .any(|p| store::setup::pattern_matches(p, &event))
            {
                queue.push_back(Pending {
                    record: event,
                    attempts: 0,
                });
            }
        }
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
