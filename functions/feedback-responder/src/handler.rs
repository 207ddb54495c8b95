//! The stream batch handler (new feedback, approvals of drafted replies, and refresh
//! requests for updated items): each record's outcome, failures reported per record so Lambda retries exactly those
//! (`ReportBatchItemFailures`).

use crate::respond::{Responder, describe};
use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::LambdaEvent;
use serde::Deserialize;
use std::convert::Infallible;
use store::FeedbackKey;
use tracing::{error, warn};

#[derive(Deserialize)]
struct Keys {
    pk: String,
    sk: String,
}

fn failure(sequence_number: Option<String>) -> DynamoDbBatchItemFailure {
    let mut f = DynamoDbBatchItemFailure::default();
    f.item_identifier = sequence_number;
    f
}

/// The time kept in hand: an item is only started with at least this much left (one item
/// with retries and backoff takes well under it).
pub const RESERVE: std::time::Duration = std::time::Duration::from_secs(30);

/// Handle one stream batch. Records are handled in order; a failed one is reported by its
/// sequence number and the rest still handled (each is idempotent).
pub async fn handle(
    responder: &Responder,
    event: LambdaEvent<Event>,
) -> Result<DynamoDbEventResponse, Infallible> {
    let mut response = DynamoDbEventResponse::default();
    let deadline = std::time::UNIX_EPOCH + std::time::Duration::from_millis(event.context.deadline);
    for record in event.payload.records {
        let sequence = record.change.sequence_number.clone();
        if record.event_name != "INSERT" {
            continue;
        }
        // Not enough time left to finish one more item (a slow platform can take a while):
        // hand this and the rest back rather than be cut off mid-send.
        let left = deadline
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default();
        if event.context.deadline > 0 && left < RESERVE {
            warn!(
                left_ms = left.as_millis() as u64,
                "out of time: handing the rest of the batch back"
            );
            response.batch_item_failures.push(failure(sequence));
            continue;
        }
        let keys: Keys = match serde_dynamo::from_item(record.change.keys) {
            Ok(keys) => keys,
            Err(e) => {
                warn!(error = %e, "stream record without usable keys; skipped");
                continue;
            }
        };
        let Some(key) = FeedbackKey::from_pk(&keys.pk) else {
            warn!("stream record with an unreadable feedback key; skipped");
            continue;
        };
        let result = if keys.sk == store::keys::FEEDBACK_SK {
            responder.respond(&key).await
        } else if keys.sk.starts_with(store::keys::APPROVAL_SK_PREFIX) {
            responder.deliver_approved(&key).await
        } else if keys.sk.starts_with(store::keys::REFRESH_SK_PREFIX) {
            responder.refresh(&key).await
        } else {
            continue;
        };
        if let Err(e) = result {
            error!(error = %describe(&e), platform = %key.platform, item_id = %key.item_id, "will be retried");
            response.batch_item_failures.push(failure(sequence));
        }
    }
    Ok(response)
}
