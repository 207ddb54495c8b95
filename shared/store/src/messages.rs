//! What the responder keeps beside each feedback record: its decision, the marker that a
//! thread's author was already answered, and the outgoing messages with their at-most-once
//! state.
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

use crate::codec::{Item, get_str, n, s, ts};
use crate::dynamo::{DynamoStore, conditional, dynamo_err, is_conditional_failure};
use crate::keys::*;
use crate::{FeedbackKey, FeedbackRecord, StoreError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use feedback::records::{Channel, Decision, MessageState, RecordType, SkipReason};
use time::{Duration, OffsetDateTime};

/// A message to create.
#[derive(Debug, Clone, Copy)]
pub struct NewMessage<'t> {
    pub channel: Channel,
    pub text: &'t str,
    /// What to send instead when the private message for the item was not sent (a public
    /// reply that claims none).
    pub alt_text: Option<&'t str>,
    pub state: MessageState,
}

/// One outgoing message as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutgoingMessage {
    pub channel: Channel,
    pub state: MessageState,
    pub text: String,
    /// Sent instead of `text` when the item's private message was not sent.
    pub alt_text: Option<String>,
    pub attempts: u32,
    pub platform_message_id: Option<String>,
    pub failure: Option<String>,
    /// Who approved it (approval mode), as the staff tooling's identity says.
    pub approved_by: Option<String>,
    /// The text staff edited in the inbox, kept beside the draft in `text`.
    pub edited_text: Option<String>,
    /// Who edited it (from their sign-in).
    pub edited_by: Option<String>,
}

impl OutgoingMessage {
    /// Whether staff approved their own edit in place of the draft. An edit counts only
    /// when the person who made it is the one who approved it (the inbox writes both in
    /// one transaction).
    pub fn staff_text(&self) -> StaffText<'_> {
        match (&self.edited_text, &self.edited_by, &self.approved_by) {
            (None, _, _) => StaffText::Draft,
            (Some(text), Some(by), Some(approver)) if by == approver => StaffText::Edited(text),
            _ => StaffText::EditNotApproved,
        }
    }
}

/// What staff want sent for a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffText<'m> {
    /// The responder's draft, as it is.
    Draft,
    /// Their edit, approved by whoever made it.
    Edited(&'m str),
    /// An edit is there that its author did not approve: neither it nor the draft may go
    /// out without a person looking.
    EditNotApproved,
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
    /// Not sent, and back to a draft for staff to approve (a crisis hold began on the
    /// page): nothing was posted.
    Held {
        reason: String,
    },
}

pub(crate) fn parse_message(channel: Channel, item: &Item) -> Result<OutgoingMessage, StoreError> {
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
        alt_text: get_str(item, "alt_text").map(str::to_owned),
        attempts: match item.get("attempts") {
            Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
            _ => 0,
        },
        platform_message_id: get_str(item, "platform_message_id").map(str::to_owned),
        failure: get_str(item, "failure").map(str::to_owned),
        approved_by: get_str(item, crate::keys::attr::APPROVED_BY).map(str::to_owned),
        edited_text: get_str(item, crate::keys::attr::EDITED_TEXT).map(str::to_owned),
        edited_by: get_str(item, crate::keys::attr::EDITED_BY).map(str::to_owned),
    })
}

/// What a decision to answer expects to be stored for the item: the messages drafted
/// for these channels and, where one is due, the follow-up task. Kept on the record, so a
/// stream record delivered again can tell a settled item from one cut short.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    pub channels: Vec<Channel>,
    pub task: bool,
}

impl Expected {
    /// `public,private,task`: the parts, in one string.
    pub fn to_stored(&self) -> String {
        let mut parts: Vec<&str> = self.channels.iter().map(|c| c.as_str()).collect();
        if self.task {
            parts.push("task");
        }
        parts.join(",")
    }

    pub fn parse(stored: &str) -> Self {
        let mut expected = Self::default();
        for part in stored.split(',').map(str::trim) {
            match part {
                "task" => expected.task = true,
                other => expected.channels.extend(Channel::parse(other)),
            }
        }
        expected
    }
}

/// What the responder keeps of its decision on the item's record.
#[derive(Debug, Clone, Copy)]
pub struct Decided<'a> {
    pub decision: Decision,
    pub label: Option<&'a str>,
    pub language: Option<&'a str>,
    /// How sure, why, and whether the item was held ("72 %; …").
    pub confidence: Option<&'a str>,
    /// What a decision to answer is about to store.
    pub expects: Option<&'a Expected>,
}

impl<'a> Decided<'a> {
    /// Not answered, for `reason`, with what was read of the item.
    pub fn skip(reason: SkipReason, label: Option<&'a str>, language: Option<&'a str>) -> Self {
        Self {
            decision: Decision::Skip(reason),
            label,
            language,
            confidence: None,
            expects: None,
        }
    }
}

/// An item as the responder finds it when its stream record arrives.
#[derive(Debug, Clone)]
pub struct ItemSnapshot {
    pub record: FeedbackRecord,
    /// The state of each outgoing message stored for it.
    pub messages: Vec<(Channel, MessageState)>,
    /// Its follow-up task exists.
    pub task: bool,
    /// What its decision to answer expected to be stored; `None` before such a decision.
    pub expects: Option<Expected>,
}

impl ItemSnapshot {
    /// Every part its decision expected is stored.
    pub fn complete(&self) -> bool {
        self.expects.as_ref().is_some_and(|e| {
            (!e.task || self.task)
                && e.channels
                    .iter()
                    .all(|c| self.messages.iter().any(|(m, _)| m == c))
        })
    }
}

impl DynamoStore {
    /// Note what was decided on the feedback record (an update: it never triggers the
    /// responder again, whose stream filter only passes inserts).
    pub async fn record_decision(
        &self,
        key: &FeedbackKey,
        decided: Decided<'_>,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let Decided {
            decision,
            label,
            language,
            confidence,
            expects,
        } = decided;
        let mut update = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key.pk()))
            .key(SK, s(FEEDBACK_SK))
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#decision", "decision")
            .expression_attribute_values(":decision", s(decision.to_stored()))
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
        if let Some(confidence) = confidence {
            update = update.expression_attribute_values(":confidence", s(confidence));
            set.push("confidence = :confidence");
        }
        if let Some(expects) = expects {
            update = update.expression_attribute_values(":expects", s(expects.to_stored()));
            set.push("expects = :expects");
        }
        update
            .update_expression(format!("SET {}", set.join(", ")))
            .send()
            .await
            .map_err(dynamo_err("UpdateItem"))?;
        Ok(())
    }

    /// The item's record and what was stored for it since, in one read: its messages'
    /// states, whether its task exists, and what its decision expected to be stored.
    pub async fn snapshot(&self, key: &FeedbackKey) -> Result<Option<ItemSnapshot>, StoreError> {
        let mut record = None;
        let mut messages = Vec::new();
        let mut task = false;
        let mut expects = None;
        let mut start = None;
        loop {
            let page = self
                .client()
                .query()
                .table_name(self.table())
                // The whole partition: a key may not be filtered on, and an item's partition
                // is small (its record, messages, task, follow-ups, notifications).
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(key.pk()))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(dynamo_err("Query"))?;
            for item in page.items.unwrap_or_default() {
                match get_str(&item, SK) {
                    Some(FEEDBACK_SK) => {
                        expects = get_str(&item, "expects").map(Expected::parse);
                        record = Some(crate::codec::feedback_record(&item)?);
                    }
                    Some(TASK_SK) => task = true,
                    Some(sk) => {
                        for channel in [Channel::Public, Channel::Private] {
                            if sk == message_sk(channel) {
                                messages.push((channel, parse_message(channel, &item)?.state));
                            }
                        }
                    }
                    None => {}
                }
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(record.map(|record| ItemSnapshot {
            record,
            messages,
            task,
            expects,
        }))
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
            .item(PK, s(answered_pk(&key.platform, thread_id, author_id)))
            .item(SK, s("answered"))
            .item(RECORD_TYPE, s(RecordType::AnsweredAuthor.as_str()))
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
        message: &NewMessage<'_>,
        now: OffsetDateTime,
    ) -> Result<OutgoingMessage, StoreError> {
        let channel = message.channel;
        let mut put = self
            .client()
            .put_item()
            .table_name(self.table())
            .item(PK, s(key.pk()))
            .item(SK, s(message_sk(channel)))
            .item(RECORD_TYPE, s(RecordType::Message.as_str()))
            .item("channel", s(channel.as_str()))
            .item("state", s(message.state.as_str()))
            .item("text", s(message.text))
            .item("attempts", n(0))
            .item("created_at", s(ts(now)))
            .item("updated_at", s(ts(now)))
            .condition_expression("attribute_not_exists(pk)");
        if let Some(alt) = message.alt_text.filter(|alt| *alt != message.text) {
            put = put.item("alt_text", s(alt));
        }
        let res = put.send().await;
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
        self.get_item(&key.pk(), &message_sk(channel))
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
            .key(SK, s(message_sk(channel)))
            .update_expression(
                "SET #state = :sending, lease_until = :lease, updated_at = :now ADD attempts :one",
            )
            .condition_expression(
                "(#state = :pending OR #state = :uncertain OR (#state = :sending AND lease_until < :now)) AND attempts < :max",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", s(MessageState::Sending.as_str()))
            .expression_attribute_values(":pending", s(MessageState::Pending.as_str()))
            .expression_attribute_values(":uncertain", s(MessageState::Uncertain.as_str()))
            .expression_attribute_values(":lease", s(ts(now + lease)))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(max_attempts))
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
            .key(SK, s(message_sk(channel)))
            .update_expression("SET #state = :failed, failure = :reason, updated_at = :now")
            .condition_expression("#state IN (:pending, :uncertain, :sending, :draft)")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":failed", s(MessageState::Failed.as_str()))
            .expression_attribute_values(":reason", s(reason))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":pending", s(MessageState::Pending.as_str()))
            .expression_attribute_values(":uncertain", s(MessageState::Uncertain.as_str()))
            .expression_attribute_values(":sending", s(MessageState::Sending.as_str()))
            .expression_attribute_values(":draft", s(MessageState::Draft.as_str()))
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

    /// A crisis hold began on the page before this message went out: a `pending` message
    /// nobody approved goes back to a draft for a person (README, "Crisis hold"), so it
    /// waits in the approval queue instead of pending forever. One a person approved, or
    /// one being sent (its send reads the hold again before posting), is left as it is.
    /// `true` when this call held it.
    pub async fn hold_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let res = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key.pk()))
            .key(SK, s(message_sk(channel)))
            .update_expression("SET #state = :draft, last_error = :reason, updated_at = :now")
            .condition_expression("#state = :pending AND attribute_not_exists(#approved)")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#approved", crate::keys::attr::APPROVED_BY)
            .expression_attribute_values(":draft", s(MessageState::Draft.as_str()))
            .expression_attribute_values(":pending", s(MessageState::Pending.as_str()))
            .expression_attribute_values(":reason", s(reason))
            .expression_attribute_values(":now", s(ts(now)))
            .send()
            .await;
        conditional(res, "UpdateItem")
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
            .key(SK, s(message_sk(channel)))
            .condition_expression("#state = :sending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", s(MessageState::Sending.as_str()))
            .expression_attribute_values(":now", s(ts(now)));
        update = match finish {
            Finish::Sent {
                platform_message_id,
            } => {
                let u = update.expression_attribute_values(":sent", s(MessageState::Sent.as_str()));
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
                .expression_attribute_values(":pending", s(MessageState::Pending.as_str()))
                .expression_attribute_values(":error", s(error)),
            Finish::Uncertain { error } => update
                .update_expression(
                    "SET #state = :uncertain, last_error = :error, updated_at = :now REMOVE lease_until",
                )
                .expression_attribute_values(":uncertain", s(MessageState::Uncertain.as_str()))
                .expression_attribute_values(":error", s(error)),
            Finish::Failed { reason } => update
                .update_expression(
                    "SET #state = :failed, failure = :reason, updated_at = :now REMOVE lease_until",
                )
                .expression_attribute_values(":failed", s(MessageState::Failed.as_str()))
                .expression_attribute_values(":reason", s(reason)),
            Finish::Held { reason } => update
                .update_expression(
                    "SET #state = :draft, last_error = :reason, updated_at = :now REMOVE lease_until",
                )
                .expression_attribute_values(":draft", s(MessageState::Draft.as_str()))
                .expression_attribute_values(":reason", s(reason)),
        };
        // Not ours any more (the lease ran out and another invocation took over): its
        // word counts.
        conditional(update.send().await, "UpdateItem").map(|_| ())
    }
}
