//! The feedback table in DynamoDB.
//!
//! - [`keys`]: how every record kind is keyed (the table design in README.md, in code).
//! - [`FeedbackStore`]: the storage port the ingest function writes through.
//! - [`DynamoStore`]: its DynamoDB adapter. Every write is idempotent: a change redelivered
//!   any number of times, in any batch, leaves one record.
//! - [`setup`] (feature `setup`): creates a table from the definition in `template.yaml`, so
//!   local and test tables never drift from the deployed one.

mod codec;
mod dynamo;
pub mod followup;
pub mod keys;
#[cfg(feature = "setup")]
pub mod setup;
pub mod staff;

pub use dynamo::DynamoStore;

/// The item a new feedback record is stored as (what `record_changes` puts), for
/// benchmarks and tools.
pub fn new_feedback_item(
    f: &Feedback,
) -> std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> {
    codec::feedback_item(f, false, false)
}

use async_trait::async_trait;
use feedback::{Feedback, FeedbackChange};
use time::OffsetDateTime;

/// The SDK sets no timeouts by default: a stuck call would hold the webhook until Lambda
/// kills it. These keep every call well inside Meta's 20 s and a Lambda's 15 s.
pub fn timeouts() -> aws_sdk_dynamodb::config::timeout::TimeoutConfig {
    use std::time::Duration;
    aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(Duration::from_secs(3))
        .operation_timeout(Duration::from_secs(8))
        .build()
}

/// A DynamoDB client from the standard AWS environment (region, credentials,
/// `AWS_ENDPOINT_URL_DYNAMODB`, profiles), with [`timeouts`].
///
/// `DYNAMODB_ENDPOINT_URL`, when not empty, points only DynamoDB elsewhere. The template
/// declares it empty so `sam local --env-vars infra/env.json` can set it (SAM only passes
/// variables the template declares, and an empty `AWS_ENDPOINT_URL_DYNAMODB` makes the SDK
/// panic, so that one cannot be declared empty).
pub async fn client_from_env() -> aws_sdk_dynamodb::Client {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let mut conf = aws_sdk_dynamodb::config::Builder::from(&sdk).timeout_config(timeouts());
    if let Ok(url) = std::env::var("DYNAMODB_ENDPOINT_URL")
        && !url.trim().is_empty()
    {
        conf = conf.endpoint_url(url.trim());
    }
    aws_sdk_dynamodb::Client::from_conf(conf.build())
}

/// The key of one feedback item: platform + the platform's item id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeedbackKey {
    pub platform: feedback::Platform,
    pub item_id: feedback::ItemId,
}

impl FeedbackKey {
    pub fn of(f: &Feedback) -> Self {
        Self {
            platform: f.platform,
            item_id: f.item_id.clone(),
        }
    }

    pub fn pk(&self) -> String {
        keys::feedback_pk(self.platform, &self.item_id)
    }

    /// From a table `pk` (`feedback#{platform}#{item}`).
    pub fn from_pk(pk: &str) -> Option<Self> {
        let rest = pk.strip_prefix("feedback#")?;
        let (platform, item) = rest.split_once('#')?;
        Some(Self {
            platform: feedback::Platform::parse(platform)?,
            item_id: feedback::ItemId::parse(item).ok()?,
        })
    }
}

/// Unsupported deliveries are kept this long for inspection, then DynamoDB's TTL removes
/// them. Feedback records never expire.
pub const UNSUPPORTED_RETENTION_DAYS: i64 = 90;

/// A verified delivery we could not (fully) use, kept raw for inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedDelivery {
    /// The webhook route it came in on (`meta`).
    pub route: String,
    pub body: Vec<u8>,
    pub reasons: Vec<String>,
    pub received_at: OffsetDateTime,
}

/// What storing a delivery's changes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordOutcome {
    /// New feedback records.
    pub inserted: usize,
    /// Existing records edited or marked removed.
    pub updated: usize,
    /// Changes already stored (redeliveries): nothing written.
    pub unchanged: usize,
}

/// A text an edit replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousText {
    pub text: String,
    pub replaced_at: OffsetDateTime,
}

/// A stored feedback record: the feedback and what happened to it since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRecord {
    pub feedback: Feedback,
    pub edited: bool,
    pub text_history: Vec<PreviousText>,
    pub removed: bool,
    pub removed_at: Option<OffsetDateTime>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DynamoDB {operation} failed")]
    Dynamo {
        operation: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("stored record {key} is unreadable: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("record {key} kept changing under us; gave up after {attempts} attempts")]
    Contended { key: String, attempts: usize },
}

/// The storage port of the ingest function.
#[async_trait]
pub trait FeedbackStore: Send + Sync {
    /// Store every change durably. Returns only once all are stored; any error means some
    /// may not be, and the platform must redeliver (which is safe: writes are idempotent).
    async fn record_changes(&self, changes: &[FeedbackChange])
    -> Result<RecordOutcome, StoreError>;

    /// Keep a delivery we could not use. Returns `false` when it was already kept.
    async fn record_unsupported(&self, delivery: &UnsupportedDelivery) -> Result<bool, StoreError>;
}
