//! Typed views for staff tools (`feedbackctl`, the inbox): follow-up tasks, an item with
//! everything kept about it, feedback by time, who wrote what for the queue's rows. Each serialises to the JSON the
//! tools print; no AWS SDK type leaves this crate.

use crate::codec::{self, Item, get_rating, get_str, parse_ts, s, ts};
use crate::dynamo::{DynamoStore, dynamo_err, query_items, scan_all};
use crate::keys::*;
use crate::messages::{OutgoingMessage, parse_message};
use crate::{FeedbackKey, FeedbackRecord, StoreError};
use aws_sdk_dynamodb::operation::scan::builders::ScanFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use feedback::page::ReplyMode;
use feedback::records::{
    Channel, ComplaintTheme, FollowUpKind, MessageState, NotificationEvent, NotifyTarget,
    RecordType, TaskAction, TaskChannel, TaskStatus,
};
use feedback::{AccountId, ItemId, Platform, Rating};
use serde::Serialize;
use std::collections::HashMap;
use time::OffsetDateTime;

/// A follow-up task as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskView {
    /// `{platform}:{item id}`: how staff name it.
    pub id: String,
    pub platform: Platform,
    pub item_id: ItemId,
    pub account_id: AccountId,
    pub status: TaskStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    pub channel: TaskChannel,
    pub next_step: String,
    pub label: String,
    pub language: String,
    pub mode: ReplyMode,
    pub draft_public: String,
    pub draft_private: Option<String>,
    pub assignee: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub claimed_at: Option<OffsetDateTime>,
    pub resolution: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    pub resolved_by: Option<String>,
    /// The message asking the customer to update their comment or review.
    pub update_request: Option<String>,
    /// When the customer was asked (or staff were given the text to ask), and how.
    #[serde(with = "time::serde::rfc3339::option")]
    pub update_requested_at: Option<OffsetDateTime>,
    pub update_request_channel: Option<TaskChannel>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    pub drop_reason: Option<String>,
    /// When the task went past its due time unresolved and staff were told.
    #[serde(with = "time::serde::rfc3339::option")]
    pub escalated_at: Option<OffsetDateTime>,
    /// When staff were told the task was opened.
    #[serde(with = "time::serde::rfc3339::option")]
    pub announced_at: Option<OffsetDateTime>,
    /// What the complaint is about (`None`: not labelled yet, or not a complaint).
    pub theme: Option<ComplaintTheme>,
    /// How many times it was reopened.
    pub round: u32,
    /// What needs a person (`reconnect_page`, `reply_failed`, `escalated`,
    /// `ask_for_update`), and why.
    pub flags: Vec<String>,
    pub flag_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Every change: who, when, what, and their note; oldest first.
    pub history: Vec<TaskChange>,
}

/// One change of a task, as its history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskChange {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// A person (on AWS their AWS identity, the ARN of their credentials; locally `--by`,
    /// or their user name), or `responder` / `sla-sweeper`.
    pub by: String,
    pub action: TaskAction,
    /// The status it led to (`None`: the status did not change).
    pub to: Option<TaskStatus>,
    pub note: Option<String>,
}

impl TaskView {
    pub fn key(&self) -> FeedbackKey {
        FeedbackKey {
            platform: self.platform.clone(),
            item_id: self.item_id.clone(),
        }
    }

    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        self.status.is_unresolved() && self.due_at < now
    }
}

pub(crate) fn task_view(item: &Item) -> Result<TaskView, StoreError> {
    let key = get_str(item, PK).unwrap_or("?").to_owned();
    let corrupt = |what: &str| StoreError::Corrupt {
        key: key.clone(),
        reason: format!("task {what}"),
    };
    let text = |name: &str| get_str(item, name).map(str::to_owned);
    let time = |name: &str| get_str(item, name).and_then(parse_ts);
    let platform = get_str(item, "platform")
        .and_then(|p| Platform::parse(p).ok())
        .ok_or_else(|| corrupt("platform"))?;
    let item_id = get_str(item, "item_id")
        .and_then(|i| ItemId::parse(i).ok())
        .ok_or_else(|| corrupt("item_id"))?;
    Ok(TaskView {
        id: format!("{platform}:{item_id}"),
        account_id: get_str(item, "account_id")
            .and_then(|a| AccountId::parse(a).ok())
            .ok_or_else(|| corrupt("account_id"))?,
        status: get_str(item, "status")
            .and_then(TaskStatus::parse)
            .ok_or_else(|| corrupt("status"))?,
        due_at: time("due_at").ok_or_else(|| corrupt("due_at"))?,
        channel: get_str(item, "channel")
            .and_then(TaskChannel::parse)
            .unwrap_or(TaskChannel::Manual),
        next_step: text("next_step").unwrap_or_default(),
        label: text("label").unwrap_or_default(),
        language: text("language").unwrap_or_default(),
        mode: get_str(item, "mode")
            .and_then(ReplyMode::parse)
            .unwrap_or(ReplyMode::Auto),
        draft_public: text("draft_public").unwrap_or_default(),
        draft_private: text("draft_private"),
        assignee: text("assignee"),
        claimed_at: time("claimed_at"),
        resolution: text("resolution"),
        resolved_at: time("resolved_at"),
        resolved_by: text("resolved_by"),
        update_request: text("update_request"),
        update_requested_at: time("update_requested_at"),
        update_request_channel: get_str(item, "update_request_channel")
            .and_then(TaskChannel::parse),
        closed_at: time("closed_at"),
        drop_reason: text("drop_reason"),
        escalated_at: time("escalated_at"),
        announced_at: time("announced_at"),
        theme: get_str(item, "theme").and_then(ComplaintTheme::parse),
        round: match item.get("round") {
            Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
            _ => 0,
        },
        flags: match item.get("flags") {
            Some(AttributeValue::Ss(flags)) => {
                let mut flags = flags.clone();
                flags.sort();
                flags
            }
            _ => Vec::new(),
        },
        flag_reason: text("flag_reason"),
        created_at: time("created_at").ok_or_else(|| corrupt("created_at"))?,
        history: history_of(item),
        platform,
        item_id,
    })
}

/// An approval of drafted replies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalView {
    pub approved_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Everything kept about one item: the feedback, its messages, its task, approvals, the
/// messages sent after the first reply, and the notifications about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ItemBundle {
    pub feedback: Option<FeedbackRecord>,
    pub messages: Vec<OutgoingMessage>,
    pub task: Option<TaskView>,
    pub approvals: Vec<ApprovalView>,
    pub followups: Vec<crate::followups::FollowUp>,
    pub notifications: Vec<NotificationView>,
}

impl DynamoStore {
    pub(crate) async fn query_all(
        &self,
        index: Option<&str>,
        key_condition: &str,
        values: Vec<(&str, AttributeValue)>,
        forward: bool,
    ) -> Result<Vec<Item>, StoreError> {
        let mut q = self
            .client()
            .query()
            .table_name(self.table())
            .set_index_name(index.map(str::to_owned))
            .key_condition_expression(key_condition)
            .scan_index_forward(forward);
        for (k, v) in values {
            q = q.expression_attribute_values(k, v);
        }
        query_items(q).await
    }

    /// A scan for the records of one type (`:t`), to refine before [`scan_all`].
    pub(crate) fn scan_of(&self, record_type: RecordType) -> ScanFluentBuilder {
        self.client()
            .scan()
            .table_name(self.table())
            .filter_expression("record_type = :t")
            .expression_attribute_values(":t", s(record_type.as_str()))
    }

    pub(crate) async fn scan_type(&self, record_type: RecordType) -> Result<Vec<Item>, StoreError> {
        scan_all(self.scan_of(record_type)).await
    }

    /// Open and claimed tasks, soonest due first (one query on the sparse index).
    pub async fn open_tasks(&self) -> Result<Vec<TaskView>, StoreError> {
        self.indexed_tasks(OPEN_TASKS, None).await
    }

    /// Resolved tasks waiting for their update request, longest waiting first.
    pub async fn resolved_tasks(&self) -> Result<Vec<TaskView>, StoreError> {
        self.indexed_tasks(RESOLVED_TASKS, None).await
    }

    /// Tasks whose customer was asked to update their review before `before`.
    pub async fn update_requested_tasks(
        &self,
        before: OffsetDateTime,
    ) -> Result<Vec<TaskView>, StoreError> {
        self.indexed_tasks(UPDATE_REQUESTED_TASKS, Some(before))
            .await
    }

    /// The tasks of one `gsi1` partition (`task#open`, …), by its time, oldest first;
    /// only those before `before` when given. One query, never a scan.
    pub async fn indexed_tasks(
        &self,
        partition: &str,
        before: Option<OffsetDateTime>,
    ) -> Result<Vec<TaskView>, StoreError> {
        let mut values = vec![(":p", s(partition))];
        let condition = match before {
            // `{time}#…` sorts before `{time}~`: everything up to and at `before`.
            Some(before) => {
                values.push((":before", s(format!("{}~", ts(before)))));
                "gsi1pk = :p AND gsi1sk < :before"
            }
            None => "gsi1pk = :p",
        };
        self.query_all(Some("gsi1"), condition, values, true)
            .await?
            .iter()
            .map(task_view)
            .collect()
    }

    /// Every task (any status), soonest due first, for the rarer look at resolved ones.
    pub async fn all_tasks(&self) -> Result<Vec<TaskView>, StoreError> {
        let mut tasks = self
            .scan_type(RecordType::Task)
            .await?
            .iter()
            .map(task_view)
            .collect::<Result<Vec<_>, _>>()?;
        tasks.sort_by_key(|t| t.due_at);
        Ok(tasks)
    }

    /// Feedback of one platform received since `since`, newest first.
    pub async fn feedback_since(
        &self,
        platform: &Platform,
        since: Option<OffsetDateTime>,
    ) -> Result<Vec<FeedbackRecord>, StoreError> {
        let mut values = vec![(":p", s(feedback_by_time_pk(platform)))];
        let condition = match since {
            Some(since) => {
                values.push((":from", s(ts(since))));
                "gsi2pk = :p AND gsi2sk >= :from"
            }
            // DynamoDB refuses an empty key value: without a start, the whole partition.
            None => "gsi2pk = :p",
        };
        self.query_all(Some("gsi2"), condition, values, false)
            .await?
            .iter()
            .map(codec::feedback_record)
            .collect()
    }

    /// Everything stored under one item (one query on its partition).
    pub async fn item(&self, key: &FeedbackKey) -> Result<ItemBundle, StoreError> {
        let items = self
            .query_all(None, "pk = :pk", vec![(":pk", s(key.pk()))], true)
            .await?;
        let mut bundle = ItemBundle::default();
        for item in &items {
            let sk = get_str(item, SK).unwrap_or_default();
            if sk == FEEDBACK_SK {
                bundle.feedback = Some(codec::feedback_record(item)?);
            } else if sk == TASK_SK {
                bundle.task = Some(task_view(item)?);
            } else if let Some(channel) = sk.strip_prefix("message#").and_then(Channel::parse) {
                bundle.messages.push(parse_message(channel, item)?);
            } else if let Some(kind) = sk
                .strip_prefix(FOLLOWUP_SK_PREFIX)
                .and_then(FollowUpKind::parse)
            {
                bundle
                    .followups
                    .push(crate::followups::followup_view(kind, item)?);
            } else if sk.starts_with(NOTIFICATION_SK_PREFIX) {
                bundle.notifications.push(notification_view(item)?);
            } else if sk.starts_with(APPROVAL_SK_PREFIX) {
                bundle.approvals.push(ApprovalView {
                    approved_by: get_str(item, crate::keys::attr::APPROVED_BY)
                        .unwrap_or_default()
                        .to_owned(),
                    created_at: get_str(item, "created_at")
                        .and_then(parse_ts)
                        .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                });
            }
        }
        Ok(bundle)
    }
}
/// Who wrote what, for one row of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeedbackSummary {
    pub author_name: Option<String>,
    pub text: Option<String>,
    pub rating: Option<Rating>,
    pub kind: Option<String>,
    pub removed: bool,
}

/// BatchGetItem takes at most this many keys per call.
const BATCH_GET_MAX: usize = 100;
/// Unprocessed keys are asked for again this many times (DynamoDB returns them when it
/// throttles), then given up: a queue row without its text is still a row.
const BATCH_GET_ROUNDS: usize = 4;

impl DynamoStore {
    /// The author, text, rating and kind of each item (one batch read per 100): for the
    /// rows of the queue. Items not found are left out.
    pub async fn feedback_summaries(
        &self,
        keys: &[FeedbackKey],
    ) -> Result<HashMap<FeedbackKey, FeedbackSummary>, StoreError> {
        let mut found = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        let wanted: Vec<&FeedbackKey> = keys.iter().filter(|k| seen.insert(*k)).collect();
        for chunk in wanted.chunks(BATCH_GET_MAX) {
            let mut request: Vec<HashMap<String, AttributeValue>> = chunk
                .iter()
                .map(|k| {
                    HashMap::from([(PK.to_owned(), s(k.pk())), (SK.to_owned(), s(FEEDBACK_SK))])
                })
                .collect();
            for _ in 0..BATCH_GET_ROUNDS {
                if request.is_empty() {
                    break;
                }
                let keys_and_attributes = KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut request)))
                    .projection_expression("pk, author_name, #text, rating, kind, removed")
                    .expression_attribute_names("#text", "text")
                    .build()
                    .map_err(|e| StoreError::Refused {
                        operation: "BatchGetItem",
                        reason: e.to_string(),
                    })?;
                let out = self
                    .client()
                    .batch_get_item()
                    .request_items(self.table(), keys_and_attributes)
                    .send()
                    .await
                    .map_err(dynamo_err("BatchGetItem"))?;
                for item in out
                    .responses
                    .unwrap_or_default()
                    .remove(self.table())
                    .unwrap_or_default()
                {
                    if let Some(key) = get_str(&item, PK).and_then(FeedbackKey::from_pk) {
                        found.insert(key, summary(&item));
                    }
                }
                request = out
                    .unprocessed_keys
                    .unwrap_or_default()
                    .remove(self.table())
                    .map(|k| k.keys)
                    .unwrap_or_default();
            }
        }
        Ok(found)
    }
}

fn summary(item: &Item) -> FeedbackSummary {
    FeedbackSummary {
        author_name: get_str(item, "author_name").map(str::to_owned),
        text: get_str(item, "text").map(str::to_owned),
        rating: get_rating(item, "rating"),
        kind: get_str(item, "kind").map(str::to_owned),
        removed: codec::get_bool(item, "removed"),
    }
}

/// The history of a stored task, oldest first.
pub(crate) fn history_of(item: &Item) -> Vec<TaskChange> {
    codec::list_of(item, "history", |m| {
        Some(TaskChange {
            at: parse_ts(get_str(m, "at")?)?,
            by: get_str(m, "by").unwrap_or_default().to_owned(),
            action: get_str(m, "action").and_then(TaskAction::parse)?,
            to: get_str(m, "to").and_then(TaskStatus::parse),
            note: get_str(m, "note").map(str::to_owned),
        })
    })
}

/// A notification as stored, for staff and exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationView {
    pub event: NotificationEvent,
    pub target: NotifyTarget,
    pub event_id: String,
    pub state: MessageState,
    pub attempts: u32,
    pub body: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub created_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub failure: Option<String>,
}

pub(crate) fn corrupt(item: &Item, what: &str) -> StoreError {
    StoreError::Corrupt {
        key: format!(
            "{}/{}",
            get_str(item, PK).unwrap_or("?"),
            get_str(item, SK).unwrap_or("?")
        ),
        reason: format!("notification {what}"),
    }
}

pub(crate) fn notification_view(item: &Item) -> Result<NotificationView, StoreError> {
    Ok(NotificationView {
        event: get_str(item, "event")
            .and_then(NotificationEvent::parse)
            .ok_or_else(|| corrupt(item, "event"))?,
        target: get_str(item, "target")
            .and_then(NotifyTarget::parse)
            .ok_or_else(|| corrupt(item, "target"))?,
        event_id: get_str(item, "event_id").unwrap_or_default().to_owned(),
        state: get_str(item, "state")
            .and_then(MessageState::parse)
            .ok_or_else(|| corrupt(item, "state"))?,
        attempts: crate::outbox::number(item, "attempts"),
        body: get_str(item, "body").unwrap_or_default().to_owned(),
        created_at: crate::outbox::time_of(item, "created_at"),
        sent_at: crate::outbox::time_of(item, "sent_at"),
        last_error: get_str(item, "last_error").map(str::to_owned),
        failure: get_str(item, "failure").map(str::to_owned),
    })
}
