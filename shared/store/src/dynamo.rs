//! The DynamoDB adapter of [`FeedbackStore`].

use crate::codec::{self, Item, s, ts};
use crate::keys::*;
use crate::{
    FeedbackKey, FeedbackRecord, FeedbackStore, RecordOutcome, StoreError,
    UNSUPPORTED_RETENTION_DAYS, UnsupportedDelivery,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::builders::{PutBuilder, UpdateBuilder};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use feedback::records::RecordType;
use feedback::{ChangeVerb, FeedbackChange, ItemId, Platform};
use futures::{StreamExt, TryStreamExt, stream};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
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
    client: LazyClient,
    table: String,
}

/// A DynamoDB client made on its first use: a cold start that never reaches the table
/// (a webhook handshake, a refused signature, a stream record that needs nothing) does not
/// pay for building it (the SDK's endpoint rules, the TLS roots). Clones share one client.
#[derive(Clone)]
struct LazyClient {
    client: Arc<OnceLock<Client>>,
    make: Arc<dyn Fn() -> Client + Send + Sync>,
}

impl LazyClient {
    fn ready(client: Client) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(client.clone());
        Self {
            client: Arc::new(cell),
            make: Arc::new(move || client.clone()),
        }
    }

    fn on_first_use(make: impl Fn() -> Client + Send + Sync + 'static) -> Self {
        Self {
            client: Arc::new(OnceLock::new()),
            make: Arc::new(make),
        }
    }
}

impl std::ops::Deref for LazyClient {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.get_or_init(|| (self.make)())
    }
}

impl std::fmt::Debug for LazyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyClient")
            .field("built", &self.client.get().is_some())
            .finish()
    }
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
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |e| {
        // DynamoDB refuses the request itself (an item over 400 KB, a key too long): asking
        // again can never succeed.
        if let Some(service) = e.as_service_error()
            && service.code() == Some("ValidationException")
        {
            return StoreError::Refused {
                operation,
                reason: service
                    .message()
                    .unwrap_or("ValidationException")
                    .to_owned(),
            };
        }
        StoreError::Dynamo {
            operation,
            source: Box::new(e),
        }
    }
}

/// The key attributes of the item at `pk`/`sk`.
fn item_key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))])
}

/// The key of a new record and its kind, the attributes every record begins with.
fn record_head(pk: impl Into<String>, sk: impl Into<String>, kind: RecordType) -> Item {
    let mut item = item_key(pk, sk);
    item.insert(RECORD_TYPE.to_owned(), s(kind.as_str()));
    item
}

/// Unsupported deliveries larger than this are kept truncated (with their size and the
/// hash of the whole body): a DynamoDB item holds at most 400 KB.
pub const MAX_KEPT_BODY: usize = 300 * 1024;

impl DynamoStore {
    /// The table `table` in the DynamoDB the environment names ([`crate::client_from_env`]).
    ///
    /// On Lambda (region and key pair in the environment) the client is made on the first
    /// call that reaches the table, not here.
    pub async fn from_env(table: impl Into<String>) -> Self {
        Self::from_lookup(|name| std::env::var(name).ok(), table).await
    }

    /// [`DynamoStore::from_env`] with the variables looked up through `var` (for tests).
    pub async fn from_lookup(
        var: impl Fn(&str) -> Option<String>,
        table: impl Into<String>,
    ) -> Self {
        match crate::client::environment_config_from(&var) {
            Some(conf) => Self {
                client: LazyClient::on_first_use(move || {
                    crate::client::client_with_timeouts(conf.clone())
                }),
                table: table.into(),
            },
            None => Self::new(crate::client::client_from(var).await, table),
        }
    }

    /// Whether the client has been made yet (see [`DynamoStore::from_env`]).
    pub fn client_is_built(&self) -> bool {
        self.client.client.get().is_some()
    }

    /// Is the table there and usable (`ACTIVE`)? One `DescribeTable` call.
    pub async fn table_is_active(&self) -> Result<bool, StoreError> {
        let out = self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(dynamo_err("DescribeTable"))?;
        Ok(out.table.and_then(|t| t.table_status)
            == Some(aws_sdk_dynamodb::types::TableStatus::Active))
    }

    /// A staff tool's view of `table`: DynamoDB Local on `endpoint` with dummy credentials
    /// when `local`, else the default chains (profiles, SSO), optionally at `endpoint`.
    pub async fn for_staff(table: &str, endpoint: Option<&str>, local: bool) -> Self {
        let client = match (local, endpoint) {
            (true, Some(endpoint)) => crate::client::local_client(endpoint),
            _ => crate::client::profile_client(endpoint).await,
        };
        Self::new(client, table)
    }

    pub(crate) fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client: LazyClient::ready(client),
            table: table.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// An update of the item at `pk`/`sk`, to be given its expressions.
    pub(crate) fn update_item(
        &self,
        pk: impl Into<String>,
        sk: impl Into<String>,
    ) -> UpdateItemFluentBuilder {
        let key = Some(item_key(pk, sk));
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(key)
    }

    /// The put of a new record of `kind` at `pk`/`sk`, to be given its other attributes.
    pub(crate) fn put_record(
        &self,
        pk: impl Into<String>,
        sk: impl Into<String>,
        kind: RecordType,
    ) -> PutItemFluentBuilder {
        let item = Some(record_head(pk, sk, kind));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(item)
    }

    /// [`DynamoStore::update_item`] as one part of a transaction.
    pub(crate) fn update_part(
        &self,
        pk: impl Into<String>,
        sk: impl Into<String>,
    ) -> UpdateBuilder {
        let key = Some(item_key(pk, sk));
        Update::builder().table_name(&self.table).set_key(key)
    }

    /// [`DynamoStore::put_record`] as one part of a transaction.
    pub(crate) fn put_part(
        &self,
        pk: impl Into<String>,
        sk: impl Into<String>,
        kind: RecordType,
    ) -> PutBuilder {
        let item = Some(record_head(pk, sk, kind));
        Put::builder().table_name(&self.table).set_item(item)
    }

    /// Write `items` in one transaction. `Ok(false)`: DynamoDB cancelled it (one of its
    /// conditions failed); nothing was written.
    pub(crate) async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<bool, StoreError> {
        let res = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match res {
            Ok(_) => Ok(true),
            Err(e) if transact_canceled(&e) => Ok(false),
            Err(e) => Err(dynamo_err("TransactWriteItems")(e)),
        }
    }

    /// One feedback record, read consistently.
    pub async fn feedback(&self, key: &FeedbackKey) -> Result<Option<FeedbackRecord>, StoreError> {
        self.get_item(&key.pk(), FEEDBACK_SK)
            .await?
            .map(|item| codec::feedback_record(&item))
            .transpose()
    }

    /// The item at `pk`/`sk`, read consistently.
    pub(crate) async fn get_item(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
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

    /// An edit replaces the text and keeps the replaced text in `text_history`; a changed
    /// rating is kept in `rating_history` the same way. Each update is conditional on the
    /// value read, so concurrent edits never lose a version.
    async fn apply_edit(&self, change: &FeedbackChange) -> Result<Applied, StoreError> {
        let f = &change.feedback;
        let pk = feedback_pk(&f.platform, &f.item_id);
        if f.text.is_none() && f.rating.is_none() {
            return self.apply_id_only_update(change).await;
        }
        if self.get_item(&pk, FEEDBACK_SK).await?.is_none() {
            // The edit overtook its add (or the add was never delivered).
            if self.put_new(codec::feedback_item(f, true, false)).await? {
                return Ok(Applied::Inserted);
            }
        }
        let mut updated = false;
        if let Some(text) = f.text.as_deref() {
            updated |= self.apply_text(&pk, text, f.received_at, true).await?;
        }
        if let Some(rating) = f.rating {
            updated |= self.apply_rating(&pk, rating, f.received_at).await?;
        }
        if updated {
            // Whatever the platform: the task (if one is open) says to read it again.
            self.flag_task(
                &FeedbackKey::of(f),
                feedback::records::TaskFlag::ReviewUpdated,
                "the customer changed their comment or review after it came in: read it again",
                f.received_at,
            )
            .await?;
        }
        Ok(if updated {
            Applied::Updated
        } else {
            Applied::Unchanged
        })
    }

    /// An update that names only the item (Google's `UPDATED_REVIEW`): an item we have not
    /// stored is new to us, so it is stored as new (and answered); one we have is marked to
    /// be fetched again (a `refresh` record, once per delivery, which the responder picks
    /// up from the stream to keep the new text and rating with their history).
    async fn apply_id_only_update(&self, change: &FeedbackChange) -> Result<Applied, StoreError> {
        let f = &change.feedback;
        if self.put_new(codec::feedback_item(f, false, false)).await? {
            return Ok(Applied::Inserted);
        }
        let digest = hex::encode(Sha256::digest(f.raw.as_bytes()));
        let mut item = Item::new();
        item.insert(PK.into(), s(feedback_pk(&f.platform, &f.item_id)));
        item.insert(
            SK.into(),
            s(format!("{REFRESH_SK_PREFIX}{}", &digest[..32])),
        );
        item.insert(RECORD_TYPE.into(), s(RecordType::Refresh.as_str()));
        item.insert("received_at".into(), s(ts(f.received_at)));
        let expires = f.received_at + Duration::days(UNSUPPORTED_RETENTION_DAYS);
        item.insert(
            TTL.into(),
            AttributeValue::N(expires.unix_timestamp().to_string()),
        );
        Ok(if self.put_new(item).await? {
            Applied::Updated
        } else {
            Applied::Unchanged
        })
    }

    /// Replace the text of an existing record, keeping the old one. `false`: nothing to do
    /// (the same text, or an older edit redelivered after a newer one).
    pub(crate) async fn apply_text(
        &self,
        pk: &str,
        new_text: &str,
        at: time::OffsetDateTime,
        mark_edited: bool,
    ) -> Result<bool, StoreError> {
        for _ in 0..MAX_ATTEMPTS {
            let Some(current) = self.get_item(pk, FEEDBACK_SK).await? else {
                return Ok(false);
            };
            // An erased item stays erased: no refresh or redelivery writes its text back.
            if current.contains_key(ERASED_AT) {
                return Ok(false);
            }
            let old_text = codec::get_str(&current, "text");
            // Same text: a redelivery. A text already in the history: an older edit
            // redelivered after a newer one; applying it would roll the comment back.
            if old_text == Some(new_text)
                || codec::history_texts(&current)
                    .iter()
                    .any(|p| p.text == new_text)
            {
                return Ok(false);
            }
            let mut update = self
                .update_item(pk, FEEDBACK_SK)
                .expression_attribute_names("#text", "text")
                .expression_attribute_values(":new", s(new_text))
                .expression_attribute_values(":edited", AttributeValue::Bool(mark_edited))
                .expression_attribute_values(":now", s(ts(at)));
            update = match old_text {
                Some(old) => update
                    .update_expression(
                        "SET #text = :new, edited = :edited, updated_at = :now, \
                         text_history = list_append(if_not_exists(text_history, :empty), :prev)",
                    )
                    .condition_expression("#text = :old AND attribute_not_exists(erased_at)")
                    .expression_attribute_values(":old", s(old))
                    .expression_attribute_values(":empty", AttributeValue::L(vec![]))
                    .expression_attribute_values(
                        ":prev",
                        AttributeValue::L(vec![codec::history_entry(old, at)]),
                    ),
                None => update
                    .update_expression("SET #text = :new, edited = :edited, updated_at = :now")
                    .condition_expression(
                        "attribute_exists(pk) AND attribute_not_exists(#text) \
                         AND attribute_not_exists(erased_at)",
                    ),
            };
            if conditional(update.send().await, "UpdateItem")? {
                return Ok(true);
            }
        }
        Err(contended(pk))
    }

    /// Replace the rating of an existing record, keeping the old one. `false`: unchanged.
    pub(crate) async fn apply_rating(
        &self,
        pk: &str,
        new: feedback::Rating,
        at: time::OffsetDateTime,
    ) -> Result<bool, StoreError> {
        for _ in 0..MAX_ATTEMPTS {
            let Some(current) = self.get_item(pk, FEEDBACK_SK).await? else {
                return Ok(false);
            };
            let old = codec::get_rating(&current, "rating");
            if old == Some(new) {
                return Ok(false);
            }
            let update = self
                .update_item(pk, FEEDBACK_SK)
                .expression_attribute_values(":new", codec::n(new.stars()))
                .expression_attribute_values(":now", s(ts(at)));
            let update = match old {
                Some(old) => update
                    .update_expression(
                        "SET rating = :new, updated_at = :now, \
                         rating_history = list_append(if_not_exists(rating_history, :empty), :prev)",
                    )
                    .condition_expression("rating = :old")
                    .expression_attribute_values(":old", codec::n(old.stars()))
                    .expression_attribute_values(":empty", AttributeValue::L(vec![]))
                    .expression_attribute_values(
                        ":prev",
                        AttributeValue::L(vec![codec::rating_entry(old, at)]),
                    ),
                None => update
                    .update_expression("SET rating = :new, updated_at = :now")
                    .condition_expression("attribute_exists(pk) AND attribute_not_exists(rating)"),
            };
            if conditional(update.send().await, "UpdateItem")? {
                return Ok(true);
            }
        }
        Err(contended(pk))
    }

    /// Keep what was fetched for an item whose delivery carried only its id: text and
    /// rating as an update would (with their history), author and time where missing.
    pub async fn record_fetched(
        &self,
        key: &FeedbackKey,
        content: &feedback::ItemContent,
        now: time::OffsetDateTime,
    ) -> Result<(), StoreError> {
        let pk = key.pk();
        if let Some(text) = content.text.as_deref() {
            self.apply_text(&pk, text, now, false).await?;
        }
        if let Some(rating) = content.rating {
            self.apply_rating(&pk, rating, now).await?;
        }
        let mut set = vec!["fetched_at = :now"];
        let mut update = self
            .update_item(&pk, FEEDBACK_SK)
            // Not on an erased item: its author's name and id stay erased.
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(erased_at)")
            .expression_attribute_values(":now", s(ts(now)));
        let fields = [
            ("author_id", content.author_id.clone()),
            ("author_name", content.author_name.clone()),
            ("created_at", content.created_at.map(ts)),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                update = update.expression_attribute_values(format!(":{name}"), s(value));
                set.push(match name {
                    "author_id" => "author_id = if_not_exists(author_id, :author_id)",
                    "author_name" => "author_name = if_not_exists(author_name, :author_name)",
                    _ => "created_at = if_not_exists(created_at, :created_at)",
                });
            }
        }
        let res = update
            .update_expression(format!("SET {}", set.join(", ")))
            .send()
            .await;
        conditional(res, "UpdateItem").map(|_| ())
    }

    /// A removal marks the record; nothing is ever deleted.
    /// Mark a stored item removed (the platform said it is gone); nothing when it is not
    /// stored or already removed.
    pub async fn mark_removed(
        &self,
        key: &FeedbackKey,
        now: time::OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.set_removed(&key.pk(), now).await.map(|_| ())
    }

    /// Mark the record at `pk` removed at `at`. `false`: it is not stored, or already
    /// removed.
    async fn set_removed(&self, pk: &str, at: time::OffsetDateTime) -> Result<bool, StoreError> {
        let res = self
            .update_item(pk, FEEDBACK_SK)
            .update_expression("SET removed = :true, removed_at = :now, updated_at = :now")
            .condition_expression("attribute_exists(pk) AND removed <> :true")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":now", s(ts(at)))
            .send()
            .await;
        conditional(res, "UpdateItem")
    }

    async fn apply_remove(&self, change: &FeedbackChange) -> Result<Applied, StoreError> {
        let f = &change.feedback;
        let pk = feedback_pk(&f.platform, &f.item_id);
        for _ in 0..MAX_ATTEMPTS {
            if self.set_removed(&pk, f.received_at).await? {
                return Ok(Applied::Updated);
            }
            // Either already removed, or never stored (the remove overtook its add).
            if self.get_item(&pk, FEEDBACK_SK).await?.is_some() {
                return Ok(Applied::Unchanged);
            }
            if self.put_new(codec::feedback_item(f, false, true)).await? {
                return Ok(Applied::Inserted);
            }
        }
        Err(contended(&pk))
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
        let mut index: HashMap<(&Platform, &ItemId), usize> = HashMap::new();
        for (i, change) in changes.iter().enumerate() {
            let key = (&change.feedback.platform, &change.feedback.item_id);
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
        item.insert(RECORD_TYPE.into(), s(RecordType::Unsupported.as_str()));
        item.insert(GSI2_PK.into(), s(UNSUPPORTED_SK));
        item.insert(GSI2_SK.into(), s(format!("{}#{digest}", ts(d.received_at))));
        item.insert("route".into(), s(&d.route));
        let kept = &d.body[..d.body.len().min(MAX_KEPT_BODY)];
        item.insert(
            "body".into(),
            match std::str::from_utf8(kept) {
                Ok(text) => s(text),
                // Cut inside a character: keep the text up to it.
                Err(e) if e.error_len().is_none() && kept.len() < d.body.len() => {
                    s(String::from_utf8_lossy(&kept[..e.valid_up_to()]))
                }
                Err(_) => AttributeValue::B(kept.to_vec().into()),
            },
        );
        item.insert("size".into(), AttributeValue::N(d.body.len().to_string()));
        item.insert(
            "truncated".into(),
            AttributeValue::Bool(kept.len() < d.body.len()),
        );
        // Reasons are ours, one per unusable change: a batch of thousands keeps the first
        // hundred and a count.
        let mut reasons: Vec<AttributeValue> = d
            .reasons
            .iter()
            .take(100)
            .map(|r| s(r.chars().take(500).collect::<String>()))
            .collect();
        if d.reasons.len() > 100 {
            reasons.push(s(format!("… and {} more", d.reasons.len() - 100)));
        }
        item.insert("reasons".into(), AttributeValue::L(reasons));
        item.insert("received_at".into(), s(ts(d.received_at)));
        let expires = d.received_at + Duration::days(UNSUPPORTED_RETENTION_DAYS);
        item.insert(
            TTL.into(),
            AttributeValue::N(expires.unix_timestamp().to_string()),
        );
        self.put_new(item).await
    }
}

/// The record at `pk` kept changing under every one of [`MAX_ATTEMPTS`] conditional writes.
fn contended(pk: &str) -> StoreError {
    StoreError::Contended {
        key: pk.to_owned(),
        attempts: MAX_ATTEMPTS,
    }
}

/// A transaction DynamoDB cancelled (one of its conditions failed).
fn transact_canceled<R>(
    e: &SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, R>,
) -> bool {
    e.as_service_error()
        .is_some_and(|se| se.is_transaction_canceled_exception())
}

/// A transaction's part that could not be built (a required field missing).
pub(crate) fn build_err(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Refused {
        operation: "TransactWriteItems",
        reason: e.to_string(),
    }
}

/// Every item a query finds, page after page.
pub(crate) async fn query_items(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
) -> Result<Vec<Item>, StoreError> {
    query
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(dynamo_err("Query"))
}

/// Every item a scan finds, page after page.
pub(crate) async fn scan_all(
    scan: aws_sdk_dynamodb::operation::scan::builders::ScanFluentBuilder,
) -> Result<Vec<Item>, StoreError> {
    scan.into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(dynamo_err("Scan"))
}
