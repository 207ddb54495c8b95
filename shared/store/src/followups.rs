//! Messages sent after the first reply (`feedback#{platform}#{item}` /
//! `followup#{kind}`): the update request sent privately where the platform allows it, and
//! the optional public "resolved" note. Each is created once (the first draft wins) and
//! sent at most once, through the [`crate::outbox`] states.

use crate::codec::{Item, get_str, n, parsed, s, ts, vanished};
use crate::dynamo::{DynamoStore, conditional};
use crate::keys::*;
use crate::outbox::{Delivery, OutboxKey, Settle, Take, number, time_of};
use crate::{FeedbackKey, StoreError};
use feedback::records::{FollowUpKind, MessageState, RecordType};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// A follow-up message as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    pub kind: FollowUpKind,
    pub state: MessageState,
    pub text: String,
    pub attempts: u32,
    pub platform_message_id: Option<String>,
    pub failure: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
}

pub(crate) fn followup_view(kind: FollowUpKind, item: &Item) -> Result<FollowUp, StoreError> {
    let state = parsed(item, "state", MessageState::parse, "follow-up state")?;
    Ok(FollowUp {
        kind,
        state,
        text: get_str(item, "text").unwrap_or_default().to_owned(),
        attempts: number(item, "attempts"),
        platform_message_id: get_str(item, "platform_message_id").map(str::to_owned),
        failure: get_str(item, "failure").map(str::to_owned),
        sent_at: time_of(item, "sent_at"),
    })
}

impl DynamoStore {
    /// Create the follow-up unless it exists; returns it as stored (the first draft
    /// wins, so two sweepers never send two different texts).
    pub async fn create_followup(
        &self,
        key: &FeedbackKey,
        kind: FollowUpKind,
        text: &str,
        state: MessageState,
        now: OffsetDateTime,
    ) -> Result<FollowUp, StoreError> {
        let res = self
            .put_record(key.pk(), followup_sk(kind), RecordType::FollowUp)
            .item("kind", s(kind.as_str()))
            .item("state", s(state.as_str()))
            .item("text", s(text))
            .item("attempts", n(0))
            .item("created_at", s(ts(now)))
            .item("updated_at", s(ts(now)))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        conditional(res, "PutItem")?;
        self.followup(key, kind)
            .await?
            .ok_or_else(|| vanished(key.pk(), "follow-up"))
    }

    pub async fn followup(
        &self,
        key: &FeedbackKey,
        kind: FollowUpKind,
    ) -> Result<Option<FollowUp>, StoreError> {
        self.get_item(&key.pk(), &followup_sk(kind))
            .await?
            .map(|item| followup_view(kind, &item))
            .transpose()
    }

    /// Take a follow-up for one sending attempt.
    pub async fn take_followup(
        &self,
        key: &FeedbackKey,
        kind: FollowUpKind,
        now: OffsetDateTime,
        lease: Duration,
        max_attempts: u32,
    ) -> Result<Take, StoreError> {
        let (pk, sk) = (key.pk(), followup_sk(kind));
        self.take_outbox(OutboxKey::plain(&pk, &sk), now, lease, max_attempts)
            .await
    }

    /// Record how an attempt ended (only the holder of the take can).
    pub async fn finish_followup(
        &self,
        key: &FeedbackKey,
        kind: FollowUpKind,
        delivery: &Delivery,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (pk, sk) = (key.pk(), followup_sk(kind));
        self.settle_outbox(OutboxKey::plain(&pk, &sk), Settle::Finished(delivery), now)
            .await
    }
}
