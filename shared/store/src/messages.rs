//! What the responder keeps beside each feedback record: its decision, the marker that a
//! thread's author was already answered, and the outgoing messages, sent at most once
//! through the [`crate::outbox`] states (draft → pending → sending → sent, with
//! `uncertain` reconciled before the next attempt).

use crate::codec::{Item, get_str, n, parsed, s, ts, vanished};
use crate::dynamo::query_items;
use crate::dynamo::{DynamoStore, conditional, dynamo_err};
use crate::keys::*;
use crate::outbox::{Delivery, OutboxKey, Settle, Take, number};
use crate::{FeedbackKey, FeedbackRecord, StoreError};
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

impl<'t> NewMessage<'t> {
    /// What to send instead, kept only when it differs from the text.
    pub(crate) fn stored_alt_text(&self) -> Option<&'t str> {
        self.alt_text.filter(|alt| *alt != self.text)
    }
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
    /// A message as first stored: `text` in `state`, not yet tried, with nobody's approval
    /// or edit.
    pub fn new(channel: Channel, state: MessageState, text: impl Into<String>) -> Self {
        Self {
            channel,
            state,
            text: text.into(),
            alt_text: None,
            attempts: 0,
            platform_message_id: None,
            failure: None,
            approved_by: None,
            edited_text: None,
            edited_by: None,
        }
    }

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

pub(crate) fn parse_message(channel: Channel, item: &Item) -> Result<OutgoingMessage, StoreError> {
    let state = parsed(item, "state", MessageState::parse, "message state")?;
    Ok(OutgoingMessage {
        channel,
        state,
        text: get_str(item, "text").unwrap_or_default().to_owned(),
        alt_text: get_str(item, "alt_text").map(str::to_owned),
        attempts: number(item, "attempts"),
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
        let mut update = self
            .update_item(key.pk(), FEEDBACK_SK)
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#decision", "decision")
            .expression_attribute_values(":decision", s(decided.decision.to_stored()))
            .expression_attribute_values(":now", s(ts(now)));
        let mut set = vec![
            "#decision = :decision".to_owned(),
            "decided_at = :now".to_owned(),
        ];
        // What else the decision keeps, each set only when there is one.
        let expects = decided.expects.map(Expected::to_stored);
        let kept = [
            ("label", decided.label),
            ("language", decided.language),
            ("confidence", decided.confidence),
            ("expects", expects.as_deref()),
        ];
        for (name, value) in kept {
            if let Some(value) = value {
                update = update
                    .expression_attribute_names(format!("#{name}"), name)
                    .expression_attribute_values(format!(":{name}"), s(value));
                set.push(format!("#{name} = :{name}"));
            }
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
        let query = self
            .client()
            .query()
            .table_name(self.table())
            // The whole partition: a key may not be filtered on, and an item's partition
            // is small (its record, messages, task, follow-ups, notifications).
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(key.pk()))
            .consistent_read(true);
        for item in query_items(query).await? {
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
            .put_record(
                answered_pk(&key.platform, thread_id, author_id),
                "answered",
                RecordType::AnsweredAuthor,
            )
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
            .put_record(key.pk(), message_sk(channel), RecordType::Message)
            .item("channel", s(channel.as_str()))
            .item("state", s(message.state.as_str()))
            .item("text", s(message.text))
            .item("attempts", n(0))
            .item("created_at", s(ts(now)))
            .item("updated_at", s(ts(now)))
            .condition_expression("attribute_not_exists(pk)");
        if let Some(alt) = message.stored_alt_text() {
            put = put.item("alt_text", s(alt));
        }
        let res = put.send().await;
        // Already there: the first draft wins.
        conditional(res, "PutItem")?;
        self.message(key, channel)
            .await?
            .ok_or_else(|| vanished(key.pk(), "message"))
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
    ) -> Result<Take, StoreError> {
        let (pk, sk) = (key.pk(), message_sk(channel));
        self.take_outbox(OutboxKey::plain(&pk, &sk), now, lease, max_attempts)
            .await
    }

    /// Mark a message that will never be sent (the page must be reconnected, no token).
    pub async fn fail_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (pk, sk) = (key.pk(), message_sk(channel));
        self.settle_outbox(OutboxKey::plain(&pk, &sk), Settle::Failed(reason), now)
            .await
            .map(|_| ())
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
            .update_item(key.pk(), message_sk(channel))
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

    /// Record how an attempt ended. Only the holder of the take (state `sending`) can;
    /// `false`: it was not ours any more.
    pub async fn finish_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        delivery: &Delivery,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (pk, sk) = (key.pk(), message_sk(channel));
        self.settle_outbox(OutboxKey::plain(&pk, &sk), Settle::Finished(delivery), now)
            .await
    }
}
