//! What the responder keeps beside each feedback record: its decision, the outgoing
//! messages with their at-most-once state, the follow-up task, the page configuration, and
//! the marker that a thread's author was already answered.
//!
//! Outgoing message states (each change a conditional update):
//!
//! ```text
//! draft ──approve──▶ pending ──claim──▶ sending ──▶ sent
//!                       ▲                  │  └───▶ failed   (permanent error, gave up)
//!                       └── transient ─────┤
//!           uncertain ◀── timeout / 5xx ───┘   (reconciled before the next attempt)
//! dry_run: drafted, never sent
//! ```

use crate::codec::{Item, get_str, s, ts};
use crate::dynamo::{DynamoStore, conditional, dynamo_err, is_conditional_failure};
use crate::keys::*;
use crate::{FeedbackKey, StoreError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use feedback::{AccountId, Platform};
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// The public acknowledgement under the comment.
    Public,
    /// The private message to the commenter.
    Private,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Public => "public",
            Channel::Private => "private",
        }
    }

    fn sk(self) -> String {
        format!("message#{}", self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageState {
    Draft,
    Pending,
    Sending,
    Uncertain,
    Sent,
    Failed,
    DryRun,
}

impl MessageState {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Draft => "draft",
            MessageState::Pending => "pending",
            MessageState::Sending => "sending",
            MessageState::Uncertain => "uncertain",
            MessageState::Sent => "sent",
            MessageState::Failed => "failed",
            MessageState::DryRun => "dry_run",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            MessageState::Draft,
            MessageState::Pending,
            MessageState::Sending,
            MessageState::Uncertain,
            MessageState::Sent,
            MessageState::Failed,
            MessageState::DryRun,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

/// One outgoing message as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub channel: Channel,
    pub state: MessageState,
    pub text: String,
    pub attempts: u32,
    pub platform_message_id: Option<String>,
    pub failure: Option<String>,
}

/// The result of trying to take a message for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Ours to send. `reconcile`: an earlier attempt may have reached the platform, so
    /// look there first.
    Acquired { reconcile: bool, attempt: u32 },
    /// Another invocation is sending it right now.
    Busy,
    /// Nothing to send: it is in this final (or waiting) state.
    Settled(MessageState),
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finish {
    Sent {
        platform_message_id: Option<String>,
    },
    /// Certainly not accepted: back to pending.
    Retry {
        error: String,
    },
    /// Maybe accepted: reconcile before the next attempt.
    Uncertain {
        error: String,
    },
    Failed {
        reason: String,
    },
}

/// A follow-up task to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub account_id: AccountId,
    pub due_at: OffsetDateTime,
    /// `platform_message` when a private message goes out, else `manual`.
    pub channel: String,
    pub next_step: String,
    pub label: String,
    pub language: String,
    pub mode: String,
    pub draft_public: String,
    pub draft_private: Option<String>,
    pub created_at: OffsetDateTime,
}

/// A page's configuration as stored (the responder gives it meaning).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageRecord {
    pub attributes: HashMap<String, String>,
    pub needs_reconnect: bool,
}

fn task_index_sk(due_at: OffsetDateTime, key: &FeedbackKey) -> String {
    format!("{}#{}#{}", ts(due_at), key.platform, key.item_id)
}

pub fn page_pk(platform: Platform, account: &AccountId) -> String {
    format!("page#{platform}#{account}")
}

fn parse_message(channel: Channel, item: &Item) -> Result<OutgoingMessage, StoreError> {
    let state = get_str(item, "state")
        .and_then(MessageState::parse)
        .ok_or_else(|| StoreError::Corrupt {
            key: get_str(item, PK).unwrap_or("?").to_owned(),
            reason: "message state".into(),
        })?;
    Ok(OutgoingMessage {
        channel,
        state,
        text: get_str(item, "text").unwrap_or_default().to_owned(),
        attempts: match item.get("attempts") {
            Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
            _ => 0,
        },
        platform_message_id: get_str(item, "platform_message_id").map(str::to_owned),
        failure: get_str(item, "failure").map(str::to_owned),
    })
}

impl DynamoStore {
    /// Note what was decided on the feedback record (an update: it never triggers the
    /// responder again, whose stream filter only passes inserts).
    pub async fn record_decision(
        &self,
        key: &FeedbackKey,
        decision: &str,
        label: Option<&str>,
        language: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut update = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key.pk()))
            .key(SK, s(FEEDBACK_SK))
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#decision", "decision")
            .expression_attribute_values(":decision", s(decision))
            .expression_attribute_values(":now", s(ts(now)));
        let mut set = vec!["#decision = :decision", "decided_at = :now"];
        if let Some(label) = label {
            update = update
                .expression_attribute_names("#label", "label")
                .expression_attribute_values(":label", s(label));
            set.push("#label = :label");
        }
        if let Some(language) = language {
            update = update
                .expression_attribute_names("#language", "language")
                .expression_attribute_values(":language", s(language));
            set.push("#language = :language");
        }
        update
            .update_expression(format!("SET {}", set.join(", ")))
            .send()
            .await
            .map_err(dynamo_err("UpdateItem"))?;
        Ok(())
    }

    /// Hold "we answered this author in this thread" for `key`. `true` when this item
    /// holds it (now or already), `false` when another item of the same author does.
    pub async fn claim_author_in_thread(
        &self,
        key: &FeedbackKey,
        thread_id: &str,
        author_id: &str,
    ) -> Result<bool, StoreError> {
        let res = self
            .client()
            .put_item()
            .table_name(self.table())
            .item(
                PK,
                s(format!("answered#{}#{thread_id}#{author_id}", key.platform)),
            )
            .item(SK, s("answered"))
            .item(RECORD_TYPE, s("answered_author"))
            .item("item_id", s(key.item_id.as_str()))
            .condition_expression("attribute_not_exists(pk) OR item_id = :item")
            .expression_attribute_values(":item", s(key.item_id.as_str()))
            .send()
            .await;
        conditional(res, "PutItem")
    }

    /// Create the message unless it exists; returns it as stored (the first draft wins, so
    /// a redelivery never changes what is sent).
    pub async fn create_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        text: &str,
        state: MessageState,
        now: OffsetDateTime,
    ) -> Result<OutgoingMessage, StoreError> {
        let res = self
            .client()
            .put_item()
            .table_name(self.table())
            .item(PK, s(key.pk()))
            .item(SK, s(channel.sk()))
            .item(RECORD_TYPE, s("message"))
            .item("channel", s(channel.as_str()))
            .item("state", s(state.as_str()))
            .item("text", s(text))
            .item("attempts", AttributeValue::N("0".into()))
            .item("created_at", s(ts(now)))
            .item("updated_at", s(ts(now)))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        // Already there: the first draft wins.
        conditional(res, "PutItem")?;
        self.message(key, channel)
            .await?
            .ok_or_else(|| StoreError::Corrupt {
                key: key.pk(),
                reason: "message vanished after create".into(),
            })
    }

    pub async fn message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
    ) -> Result<Option<OutgoingMessage>, StoreError> {
        self.get_item(&key.pk(), &channel.sk())
            .await?
            .map(|item| parse_message(channel, &item))
            .transpose()
    }

    /// Take a message for one sending attempt, at most `max_attempts` in all. The lease
    /// lets a later invocation take over from one that died mid-send.
    pub async fn claim_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        now: OffsetDateTime,
        lease: Duration,
        max_attempts: u32,
    ) -> Result<Claim, StoreError> {
        let res = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key.pk()))
            .key(SK, s(channel.sk()))
            .update_expression(
                "SET #state = :sending, lease_until = :lease, updated_at = :now ADD attempts :one",
            )
            .condition_expression(
                "(#state = :pending OR #state = :uncertain OR (#state = :sending AND lease_until < :now)) AND attempts < :max",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", s("sending"))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":uncertain", s("uncertain"))
            .expression_attribute_values(":lease", s(ts(now + lease)))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":max", AttributeValue::N(max_attempts.to_string()))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match res {
            Ok(out) => {
                let old = out.attributes.unwrap_or_default();
                let was = get_str(&old, "state").and_then(MessageState::parse);
                let attempts = parse_message(channel, &old)
                    .map(|m| m.attempts)
                    .unwrap_or(0);
                Ok(Claim::Acquired {
                    reconcile: matches!(was, Some(MessageState::Uncertain | MessageState::Sending)),
                    attempt: attempts + 1,
                })
            }
            Err(e) if is_conditional_failure(&e) => {
                let Some(current) = self.message(key, channel).await? else {
                    return Ok(Claim::Settled(MessageState::Failed));
                };
                match current.state {
                    MessageState::Pending | MessageState::Uncertain | MessageState::Sending
                        if current.attempts >= max_attempts =>
                    {
                        let reason = format!("gave up after {} attempts", current.attempts);
                        self.force_fail(key, channel, &reason, now).await?;
                        Ok(Claim::Settled(MessageState::Failed))
                    }
                    MessageState::Sending => Ok(Claim::Busy),
                    state => Ok(Claim::Settled(state)),
                }
            }
            Err(e) => Err(dynamo_err("UpdateItem")(e)),
        }
    }

    async fn force_fail(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let res = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key.pk()))
            .key(SK, s(channel.sk()))
            .update_expression("SET #state = :failed, failure = :reason, updated_at = :now")
            .condition_expression("#state IN (:pending, :uncertain, :sending, :draft)")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":failed", s("failed"))
            .expression_attribute_values(":reason", s(reason))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":uncertain", s("uncertain"))
            .expression_attribute_values(":sending", s("sending"))
            .expression_attribute_values(":draft", s("draft"))
            .send()
            .await;
        conditional(res, "UpdateItem").map(|_| ())
    }

    /// Mark a message that will never be sent (the page must be reconnected, no token).
    pub async fn fail_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.force_fail(key, channel, reason, now).await
    }

    /// Record how an attempt ended. Only the holder of the claim (state `sending`) can.
    pub async fn finish_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        finish: &Finish,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut update = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key.pk()))
            .key(SK, s(channel.sk()))
            .condition_expression("#state = :sending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", s("sending"))
            .expression_attribute_values(":now", s(ts(now)));
        update = match finish {
            Finish::Sent {
                platform_message_id,
            } => {
                let u = update.expression_attribute_values(":sent", s("sent"));
                match platform_message_id {
                    Some(id) => u
                        .update_expression(
                            "SET #state = :sent, sent_at = :now, updated_at = :now, platform_message_id = :id REMOVE lease_until",
                        )
                        .expression_attribute_values(":id", s(id)),
                    None => u.update_expression(
                        "SET #state = :sent, sent_at = :now, updated_at = :now REMOVE lease_until",
                    ),
                }
            }
            Finish::Retry { error } => update
                .update_expression(
                    "SET #state = :pending, last_error = :error, updated_at = :now REMOVE lease_until",
                )
                .expression_attribute_values(":pending", s("pending"))
                .expression_attribute_values(":error", s(error)),
            Finish::Uncertain { error } => update
                .update_expression(
                    "SET #state = :uncertain, last_error = :error, updated_at = :now REMOVE lease_until",
                )
                .expression_attribute_values(":uncertain", s("uncertain"))
                .expression_attribute_values(":error", s(error)),
            Finish::Failed { reason } => update
                .update_expression(
                    "SET #state = :failed, failure = :reason, updated_at = :now REMOVE lease_until",
                )
                .expression_attribute_values(":failed", s("failed"))
                .expression_attribute_values(":reason", s(reason)),
        };
        // Not ours any more (the lease ran out and another invocation took over): its
        // word counts.
        conditional(update.send().await, "UpdateItem").map(|_| ())
    }

    /// Open the follow-up task unless it exists. Open tasks carry the gsi1 keys so they
    /// list by due time.
    pub async fn create_task(&self, key: &FeedbackKey, task: &NewTask) -> Result<bool, StoreError> {
        let mut req = self
            .client()
            .put_item()
            .table_name(self.table())
            .item(PK, s(key.pk()))
            .item(SK, s(TASK_SK))
            .item(RECORD_TYPE, s("task"))
            .item("status", s("open"))
            .item(GSI1_PK, s(OPEN_TASKS))
            .item(GSI1_SK, s(task_index_sk(task.due_at, key)))
            .item("platform", s(key.platform.as_str()))
            .item("item_id", s(key.item_id.as_str()))
            .item("account_id", s(task.account_id.as_str()))
            .item("feedback_pk", s(key.pk()))
            .item("due_at", s(ts(task.due_at)))
            .item("channel", s(&task.channel))
            .item("next_step", s(&task.next_step))
            .item("label", s(&task.label))
            .item("language", s(&task.language))
            .item("mode", s(&task.mode))
            .item("draft_public", s(&task.draft_public))
            .item("created_at", s(ts(task.created_at)))
            .item("updated_at", s(ts(task.created_at)))
            .condition_expression("attribute_not_exists(pk)");
        if let Some(private) = &task.draft_private {
            req = req.item("draft_private", s(private));
        }
        conditional(req.send().await, "PutItem")
    }

    /// Add a flag (such as `reconnect_page`) to a task, with why.
    pub async fn flag_task(
        &self,
        key: &FeedbackKey,
        flag: &str,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let res = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key.pk()))
            .key(SK, s(TASK_SK))
            .update_expression("ADD flags :flag SET flag_reason = :reason, updated_at = :now")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":flag", AttributeValue::Ss(vec![flag.to_owned()]))
            .expression_attribute_values(":reason", s(reason))
            .expression_attribute_values(":now", s(ts(now)))
            .send()
            .await;
        conditional(res, "UpdateItem").map(|_| ())
    }

    /// The raw task item, for tests and tools.
    pub async fn task_item(&self, key: &FeedbackKey) -> Result<Option<Item>, StoreError> {
        self.get_item(&key.pk(), TASK_SK).await
    }

    pub async fn page(
        &self,
        platform: Platform,
        account: &AccountId,
    ) -> Result<Option<PageRecord>, StoreError> {
        let Some(item) = self.get_item(&page_pk(platform, account), PAGE_SK).await? else {
            return Ok(None);
        };
        let needs_reconnect = matches!(
            item.get("needs_reconnect"),
            Some(AttributeValue::Bool(true))
        );
        let attributes = item
            .iter()
            .filter_map(|(k, v)| match v {
                AttributeValue::S(s) => Some((k.clone(), s.clone())),
                AttributeValue::N(n) => Some((k.clone(), n.clone())),
                AttributeValue::Bool(b) => Some((k.clone(), b.to_string())),
                _ => None,
            })
            .collect();
        Ok(Some(PageRecord {
            attributes,
            needs_reconnect,
        }))
    }

    /// Set a page's configuration attributes (string values); clears a reconnect flag
    /// when `clear_reconnect`.
    pub async fn put_page(
        &self,
        platform: Platform,
        account: &AccountId,
        attributes: &[(&str, String)],
        clear_reconnect: bool,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut update = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(page_pk(platform, account)))
            .key(SK, s(PAGE_SK))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":type", s("page"))
            .expression_attribute_values(":platform", s(platform.as_str()))
            .expression_attribute_values(":account", s(account.as_str()));
        let mut set = vec![
            "updated_at = :now".to_owned(),
            format!("{RECORD_TYPE} = :type"),
            "platform = :platform".to_owned(),
            "account_id = :account".to_owned(),
        ];
        for (i, (name, value)) in attributes.iter().enumerate() {
            update = update
                .expression_attribute_names(format!("#a{i}"), *name)
                .expression_attribute_values(format!(":v{i}"), s(value));
            set.push(format!("#a{i} = :v{i}"));
        }
        if clear_reconnect {
            update = update.expression_attribute_values(":false", AttributeValue::Bool(false));
            set.push("needs_reconnect = :false".to_owned());
        }
        update
            .update_expression(format!("SET {}", set.join(", ")))
            .send()
            .await
            .map_err(dynamo_err("UpdateItem"))?;
        Ok(())
    }

    /// The page's token no longer works: mark it so no more calls are made until staff
    /// reconnect it.
    pub async fn mark_page_reconnect(
        &self,
        platform: Platform,
        account: &AccountId,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(page_pk(platform, account)))
            .key(SK, s(PAGE_SK))
            .update_expression(
                "SET needs_reconnect = :true, reconnect_reason = :reason, updated_at = :now, record_type = :type, platform = :platform, account_id = :account",
            )
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":reason", s(reason))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":type", s("page"))
            .expression_attribute_values(":platform", s(platform.as_str()))
            .expression_attribute_values(":account", s(account.as_str()))
            .send()
            .await
            .map_err(dynamo_err("UpdateItem"))?;
        Ok(())
    }
}

/// Parse a stored timestamp.
pub fn parse_time(v: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(v, &Rfc3339).ok()
}
