//! The DynamoDB adapter of [`FeedbackStore`].

use crate::codec::{self, Item, s, ts};
use crate::keys::*;
use crate::{
    FeedbackRecord, FeedbackStore, RecordOutcome, StoreError, UNSUPPORTED_RETENTION_DAYS,
    UnsupportedDelivery,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::AttributeValue;
use feedback::{ChangeVerb, FeedbackChange, ItemId, Platform};
use futures::{StreamExt, TryStreamExt, stream};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use time::Duration;

/// How many items of one delivery are written at once. Meta batches up to 1000 changes.
const CONCURRENT_WRITES: usize = 16;
/// Optimistic-concurrency attempts for one edit or removal before giving up (→ 5xx, retry).
const MAX_ATTEMPTS: usize = 5;

enum Applied {
    Inserted,
    Updated,
    Unchanged,
}

/// Feedback storage in one DynamoDB table. Cheap to clone.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

pub(crate) fn is_conditional_failure<E, R>(e: &SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    e.as_service_error()
        .and_then(|se| se.code())
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

/// The outcome of a conditional write: `Ok(true)` written, `Ok(false)` its condition did
/// not hold (a redelivery, or someone else's state), `Err` anything else.
pub(crate) fn conditional<T, E, R>(
    result: Result<T, SdkError<E, R>>,
    operation: &'static str,
) -> Result<bool, StoreError>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_conditional_failure(&e) => Ok(false),
        Err(e) => Err(dynamo_err(operation)(e)),
    }
}

pub(crate) fn dynamo_err<E, R>(operation: &'static str) -> impl FnOnce(SdkError<E, R>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |e| StoreError::Dynamo {
        operation,
        source: Box::new(e),
    }
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// One feedback record, read consistently.
    pub async fn feedback(
        &self,
        platform: Platform,
        item: &ItemId,
    ) -> Result<Option<FeedbackRecord>, StoreError> {
        self.get(&feedback_pk(platform, item), FEEDBACK_SK)
            .await?
            .map(|item| codec::feedback_record(&item))
            .transpose()
    }

    pub(crate) async fn get_item(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.get(pk, sk).await
    }

    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(pk))
            .key(SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo_err("GetItem"))?;
        Ok(out.item)
    }

    /// Put a whole new item unless one with its key exists. `Ok(false)`: it existed.
    async fn put_new(&self, item: Item) -> Result<bool, StoreError> {
        let res = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        conditional(res, "PutItem")
    }

    async fn apply(&self, change: &FeedbackChange) -> Result<Applied, StoreError> {
        match change.verb {
            ChangeVerb::Added => {
                let item = codec::feedback_item(&change.feedback, false, false);
                Ok(if self.put_new(item).await? {
                    Applied::Inserted
                } else {
                    Applied::Unchanged
                })
            }
            ChangeVerb::Edited => self.apply_edit(change).await,
            ChangeVerb::Removed => self.apply_remove(change).await,
        }
    }

    async fn apply_in_order(
        &self,
        changes: &[FeedbackChange],
        group: Vec<usize>,
    ) -> Result<Vec<Applied>, StoreError> {
        let mut applied = Vec::with_capacity(group.len());
        for i in group {
            applied.push(self.apply(&changes[i]).await?);
        }
        Ok(applied)
    }

    /// An edit replaces the text and keeps the replaced text in `text_history`. The update
    /// is conditional on the text we read, so concurrent edits never lose a version.
    async fn apply_edit(&self, change: &FeedbackChange) -> Result<Applied, StoreError> {
        let f = &change.feedback;
        let pk = feedback_pk(f.platform, &f.item_id);
        let Some(new_text) = f.text.as_deref() else {
            return Ok(Applied::Unchanged);
        };
        for _ in 0..MAX_ATTEMPTS {
            let Some(current) = self.get(&pk, FEEDBACK_SK).await? else {
                // The edit overtook its add (or the add was never delivered).
                if self.put_new(codec::feedback_item(f, true, false)).await? {
                    return Ok(Applied::Inserted);
                }
                continue;
            };
            let old_text = codec::get_str(&current, "text");
            // Same text: a redelivery. A text already in the history: an older edit
            // redelivered after a newer one; applying it would roll the comment back.
            if old_text == Some(new_text)
                || codec::history_texts(&current)
                    .iter()
                    .any(|p| p.text == new_text)
            {
                return Ok(Applied::Unchanged);
            }
            let mut update = self
                .client
                .update_item()
                .table_name(&self.table)
                .key(PK, s(&pk))
                .key(SK, s(FEEDBACK_SK))
                .expression_attribute_names("#text", "text")
                .expression_attribute_values(":new", s(new_text))
                .expression_attribute_values(":true", AttributeValue::Bool(true))
                .expression_attribute_values(":now", s(ts(f.received_at)));
            update = match old_text {
                Some(old) => update
                    .update_expression(
                        "SET #text = :new, edited = :true, updated_at = :now, \
                         text_history = list_append(if_not_exists(text_history, :empty), :prev)",
                    )
                    .condition_expression("#text = :old")
                    .expression_attribute_values(":old", s(old))
                    .expression_attribute_values(":empty", AttributeValue::L(vec![]))
                    .expression_attribute_values(
                        ":prev",
                        AttributeValue::L(vec![codec::history_entry(old, f.received_at)]),
                    ),
                None => update
                    .update_expression("SET #text = :new, edited = :true, updated_at = :now")
                    .condition_expression("attribute_exists(pk) AND attribute_not_exists(#text)"),
            };
            match update.send().await {
                Ok(_) => return Ok(Applied::Updated),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
                {
                    continue;
                }
                Err(e) => return Err(dynamo_err("UpdateItem")(e)),
            }
        }
        Err(StoreError::Contended {
            key: pk,
            attempts: MAX_ATTEMPTS,
        })
    }

    /// A removal marks the record; nothing is ever deleted.
    async fn apply_remove(&self, change: &FeedbackChange) -> Result<Applied, StoreError> {
        let f = &change.feedback;
        let pk = feedback_pk(f.platform, &f.item_id);
        for _ in 0..MAX_ATTEMPTS {
            let res = self
                .client
                .update_item()
                .table_name(&self.table)
                .key(PK, s(&pk))
                .key(SK, s(FEEDBACK_SK))
                .update_expression("SET removed = :true, removed_at = :now, updated_at = :now")
                .condition_expression("attribute_exists(pk) AND removed <> :true")
                .expression_attribute_values(":true", AttributeValue::Bool(true))
                .expression_attribute_values(":now", s(ts(f.received_at)))
                .send()
                .await;
            match res {
                Ok(_) => return Ok(Applied::Updated),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|se| se.is_conditional_check_failed_exception()) => {}
                Err(e) => return Err(dynamo_err("UpdateItem")(e)),
            }
            // Either already removed, or never stored (the remove overtook its add).
            if self.get(&pk, FEEDBACK_SK).await?.is_some() {
                return Ok(Applied::Unchanged);
            }
            if self.put_new(codec::feedback_item(f, false, true)).await? {
                return Ok(Applied::Inserted);
            }
        }
        Err(StoreError::Contended {
            key: pk,
            attempts: MAX_ATTEMPTS,
        })
    }
}

#[async_trait]
impl FeedbackStore for DynamoStore {
    async fn record_changes(
        &self,
        changes: &[FeedbackChange],
    ) -> Result<RecordOutcome, StoreError> {
        // Changes to one item are applied in delivery order; different items concurrently.
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut index: HashMap<(Platform, &ItemId), usize> = HashMap::new();
        for (i, change) in changes.iter().enumerate() {
            let key = (change.feedback.platform, &change.feedback.item_id);
            let slot = *index.entry(key).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[slot].push(i);
        }
        let results: Vec<Vec<Applied>> = stream::iter(groups)
            .map(|group| self.apply_in_order(changes, group))
            .buffer_unordered(CONCURRENT_WRITES)
            .try_collect()
            .await?;
        let mut outcome = RecordOutcome::default();
        for applied in results.iter().flatten() {
            match applied {
                Applied::Inserted => outcome.inserted += 1,
                Applied::Updated => outcome.updated += 1,
                Applied::Unchanged => outcome.unchanged += 1,
            }
        }
        Ok(outcome)
    }

    async fn record_unsupported(&self, d: &UnsupportedDelivery) -> Result<bool, StoreError> {
        // Keyed on the body's hash: a redelivery of the same unusable body is kept once.
        let digest = hex::encode(Sha256::digest(&d.body));
        let mut item = Item::new();
        item.insert(PK.into(), s(unsupported_pk(&digest)));
        item.insert(SK.into(), s(UNSUPPORTED_SK));
        item.insert(RECORD_TYPE.into(), s("unsupported"));
        item.insert(GSI2_PK.into(), s(UNSUPPORTED_SK));
        item.insert(GSI2_SK.into(), s(format!("{}#{digest}", ts(d.received_at))));
        item.insert("route".into(), s(&d.route));
        item.insert(
            "body".into(),
            match std::str::from_utf8(&d.body) {
                Ok(text) => s(text),
                Err(_) => AttributeValue::B(d.body.clone().into()),
            },
        );
        item.insert(
            "reasons".into(),
            AttributeValue::L(d.reasons.iter().map(s).collect()),
        );
        item.insert("received_at".into(), s(ts(d.received_at)));
        let expires = d.received_at + Duration::days(UNSUPPORTED_RETENTION_DAYS);
        item.insert(
            TTL.into(),
            AttributeValue::N(expires.unix_timestamp().to_string()),
        );
        self.put_new(item).await
    }
}
