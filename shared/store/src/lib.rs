//! The feedback table in DynamoDB.
//!
//! - [`keys`]: how every record kind is keyed (the table design in README.md, in code).
//! - [`FeedbackStore`]: the storage port the ingest function writes through.
//! - [`DynamoStore`]: its DynamoDB adapter. Every write is idempotent: a change redelivered
//!   any number of times, in any batch, leaves one record.
//! - [`messages`]: outgoing messages and their at-most-once state machine; decisions and
//!   the "author already answered in this thread" marker.
//! - [`approvals`]: staff approving drafted messages (one transaction, with or without
//!   edits), and the edits kept beside the drafts.
//! - [`ResponderStore`]: the storage port of the responder; [`memory`] (feature `memory`)
//!   is its in-memory adapter for fast unit tests.
//! - [`tasks`]: follow-up tasks and their lifecycle (open, claim, resolve, drop, reopen,
//!   escalate, request the review update, close), each change conditional and kept in
//!   the task's history.
//! - [`outbox`], [`followups`], [`notify`]: what is sent after the first reply, at most
//!   once: the update request and "resolved" note, and notifications to staff (Slack,
//!   Teams, signed Standard Webhooks) per page.
//! - [`reports`]: the facts behind the theme and response-time reports.
//! - [`gdpr`]: everything held about one author, exported or erased.
//! - [`pages`]: a page's configuration ([`feedback::page::PageConfig`]) and the one way
//!   staff change it ([`pages::PageChange`], optionally only if unchanged since read).
//! - [`spikes`]: complaints counted per page, theme and hour; spikes and the crisis hold.
//! - [`sources`]: polled review sources (an app on a store): the poller's cursor, lease
//!   and last run, each change conditional.
//! - [`views`]: typed views for staff tools: tasks, items with everything kept about them,
//!   pages, who wrote what for the rows of the queue. No AWS SDK type leaves this crate.
//! - [`client`]: the one builder of AWS clients (Lambda, profiles, DynamoDB Local).
//! - [`parameters`] (feature `ssm`): SSM SecureString parameters behind a small port.
//! - [`identity`] (feature `staff`): who the caller is (STS GetCallerIdentity), for staff
//!   tools to record as who acts.
//! - [`local`] (feature `local`): DynamoDB Local for the local runner and the tests
//!   (started when it does not answer) and its stream, read as Lambda would hand it over.
//! - [`setup`] (feature `setup`): creates a table from the definition in `template.yaml`, so
//!   local and test tables never drift from the deployed one.

pub mod approvals;
pub mod client;
mod codec;
mod dynamo;
pub mod followups;
pub mod gdpr;
#[cfg(feature = "staff")]
pub mod identity;
pub mod keys;
#[cfg(feature = "local")]
pub mod local;
#[cfg(feature = "memory")]
pub mod memory;
pub mod messages;
pub mod notify;
pub mod outbox;
pub mod pages;
#[cfg(feature = "ssm")]
pub mod parameters;
pub mod reports;
mod responder;
#[cfg(feature = "setup")]
pub mod setup;
pub mod sources;
pub mod spikes;
pub mod tasks;
pub mod views;

pub use client::{client_from_env, timeouts};
pub use dynamo::DynamoStore;
pub use feedback::records::{
    Channel, ComplaintTheme, Decision, FollowUpKind, MessageState, NotificationEvent, NotifyTarget,
    RecordType, SkipReason, TaskAction, TaskChannel, TaskStatus,
};
pub use messages::{Decided, Expected, ItemSnapshot};
pub use responder::ResponderStore;

/// Build the item a new feedback record is stored as (what `record_changes` puts) and
/// return how many attributes it has: for the ingest benchmark, which measures building it.
pub fn new_feedback_item_attributes(f: &Feedback) -> usize {
    codec::feedback_item(f, false, false).len()
}

use async_trait::async_trait;
use feedback::{Feedback, FeedbackChange};
use time::OffsetDateTime;

/// The key of one feedback item: platform + the platform's item id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeedbackKey {
    pub platform: feedback::Platform,
    pub item_id: feedback::ItemId,
}

impl FeedbackKey {
    pub fn of(f: &Feedback) -> Self {
        Self {
            platform: f.platform.clone(),
            item_id: f.item_id.clone(),
        }
    }

    pub fn pk(&self) -> String {
        keys::feedback_pk(&self.platform, &self.item_id)
    }

    /// From a table `pk` (`feedback#{platform}#{item}`).
    pub fn from_pk(pk: &str) -> Option<Self> {
        let rest = pk.strip_prefix("feedback#")?;
        let (platform, item) = rest.split_once('#')?;
        Some(Self {
            platform: feedback::Platform::parse(platform).ok()?,
            item_id: feedback::ItemId::parse(item).ok()?,
        })
    }

    /// How staff name an item or its task: `{platform}:{item id}`.
    pub fn id(&self) -> String {
        format!("{}:{}", self.platform, self.item_id)
    }

    /// Read an id like `facebook:777_1`.
    pub fn parse_id(id: &str) -> Option<Self> {
        let (platform, item) = id.split_once(':')?;
        Some(Self {
            platform: feedback::Platform::parse(platform).ok()?,
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PreviousText {
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    pub replaced_at: OffsetDateTime,
}

/// A rating an update replaced (1 → 4 stars is what the business wants to see).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PreviousRating {
    pub rating: feedback::Rating,
    #[serde(with = "time::serde::rfc3339")]
    pub replaced_at: OffsetDateTime,
}

/// A stored feedback record: the feedback and what happened to it since.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FeedbackRecord {
    pub feedback: Feedback,
    pub edited: bool,
    pub text_history: Vec<PreviousText>,
    pub rating_history: Vec<PreviousRating>,
    pub removed: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub removed_at: Option<OffsetDateTime>,
    /// What the responder decided, once it did.
    pub decision: Option<Decision>,
    pub label: Option<String>,
    pub language: Option<String>,
    /// How sure the label was and why, and whether the item was held for a person
    /// ("72 %; complaint ×1, praise ×1, turn → complaint"), for answered items.
    pub confidence: Option<String>,
}

impl FeedbackRecord {
    /// A record as ingest first stores it: nothing edited, removed or decided yet.
    pub fn new(feedback: Feedback) -> Self {
        Self {
            feedback,
            edited: false,
            text_history: Vec::new(),
            rating_history: Vec::new(),
            removed: false,
            removed_at: None,
            decision: None,
            label: None,
            language: None,
            confidence: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DynamoDB {operation} failed")]
    Dynamo {
        operation: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// DynamoDB refused the request for good (`ValidationException`): retrying cannot help.
    #[error("DynamoDB refused {operation}: {reason}")]
    Refused {
        operation: &'static str,
        reason: String,
    },
    #[error("stored record {key} is unreadable: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("record {key} kept changing under us; gave up after {attempts} attempts")]
    Contended { key: String, attempts: usize },
}

impl StoreError {
    /// Asking again can never succeed.
    pub fn is_permanent(&self) -> bool {
        matches!(self, StoreError::Refused { .. })
    }
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
