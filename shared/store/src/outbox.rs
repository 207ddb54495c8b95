//! The at-most-once state machine of what the product sends after the first reply: the
//! follow-up messages ([`crate::followups`]) and the notifications ([`crate::notify`]).
//! The same states as outgoing messages, each change a conditional update:
//!
//! ```text
//! pending ──take──▶ sending ──▶ sent
//!    ▲                 │  └───▶ failed   (refused for good, outcome unknown, or gave up)
//!    └── retry (at) ───┘                 (not before `next_attempt_at`)
//! dry_run: drafted, never sent
//! ```
//!
//! A take carries a lease, so a sweeper that dies mid-send is taken over, and two sweepers
//! running at once never both send. Records on the notification index leave it once they
//! are sent or failed.

use crate::StoreError;
use crate::codec::{Item, get_str, n, parse_ts, s, ts};
use crate::dynamo::{DynamoStore, conditional, dynamo_err, is_conditional_failure};
use crate::keys::*;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use feedback::records::MessageState;
use time::{Duration, OffsetDateTime};

/// The result of trying to take a record for one sending attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Take {
    /// Ours to send (this is attempt number `attempt`).
    Acquired { attempt: u32 },
    /// Another sweeper is sending it right now.
    Busy,
    /// Waiting for its next attempt (backoff).
    NotYet,
    /// Nothing to send: it is in this final state.
    Settled(MessageState),
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent {
        id: Option<String>,
    },
    /// Certainly not delivered: try again, not before `at`.
    Retry {
        error: String,
        at: OffsetDateTime,
    },
    /// Refused for good, or the outcome is unknown and a retry could send it twice.
    Failed {
        reason: String,
    },
}

/// One record of the outbox: its key, and whether it is on the notification index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OutboxKey<'a> {
    pub pk: &'a str,
    pub sk: &'a str,
    pub indexed: bool,
}

pub(crate) fn number(item: &Item, name: &str) -> u32 {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().unwrap_or(0),
        _ => 0,
    }
}

fn index_sk(at: OffsetDateTime, key: OutboxKey<'_>) -> String {
    format!("{}#{}#{}", ts(at), key.pk, key.sk)
}

/// The `gsi1` keys of a pending record due at `at`.
pub(crate) fn index_keys(at: OffsetDateTime, pk: &str, sk: &str) -> (String, String) {
    (
        PENDING_NOTIFICATIONS.to_owned(),
        index_sk(
            at,
            OutboxKey {
                pk,
                sk,
                indexed: true,
            },
        ),
    )
}

impl DynamoStore {
    /// Take a record for one attempt, at most `max_attempts` in all.
    pub(crate) async fn take_outbox(
        &self,
        key: OutboxKey<'_>,
        now: OffsetDateTime,
        lease: Duration,
        max_attempts: u32,
    ) -> Result<Take, StoreError> {
        let res = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key.pk))
            .key(SK, s(key.sk))
            .update_expression(
                "SET #state = :sending, lease_until = :lease, updated_at = :now ADD attempts :one",
            )
            .condition_expression(
                "((#state = :pending AND (attribute_not_exists(next_attempt_at) OR next_attempt_at <= :now)) \
                 OR (#state = :sending AND lease_until < :now)) AND attempts < :max",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", s(MessageState::Sending.as_str()))
            .expression_attribute_values(":pending", s(MessageState::Pending.as_str()))
            .expression_attribute_values(":lease", s(ts(now + lease)))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(max_attempts))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match res {
            Ok(out) => Ok(Take::Acquired {
                attempt: number(&out.attributes.unwrap_or_default(), "attempts"),
            }),
            Err(e) if is_conditional_failure(&e) => {
                let Some(current) = self.get_item(key.pk, key.sk).await? else {
                    return Ok(Take::Settled(MessageState::Failed));
                };
                let state = get_str(&current, "state").and_then(MessageState::parse);
                let attempts = number(&current, "attempts");
                match state {
                    Some(MessageState::Pending | MessageState::Sending)
                        if attempts >= max_attempts =>
                    {
                        let reason = format!("gave up after {attempts} attempts");
                        self.force_fail_outbox(key, &reason, now).await?;
                        Ok(Take::Settled(MessageState::Failed))
                    }
                    Some(MessageState::Sending) => Ok(Take::Busy),
                    Some(MessageState::Pending) => Ok(Take::NotYet),
                    Some(other) => Ok(Take::Settled(other)),
                    None => Err(StoreError::Corrupt {
                        key: format!("{}/{}", key.pk, key.sk),
                        reason: "outbox state".into(),
                    }),
                }
            }
            Err(e) => Err(dynamo_err("UpdateItem")(e)),
        }
    }

    async fn force_fail_outbox(
        &self,
        key: OutboxKey<'_>,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let remove = if key.indexed {
            " REMOVE lease_until, gsi1pk, gsi1sk"
        } else {
            " REMOVE lease_until"
        };
        let res = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key.pk))
            .key(SK, s(key.sk))
            .update_expression(format!(
                "SET #state = :failed, failure = :reason, updated_at = :now{remove}"
            ))
            .condition_expression("#state IN (:pending, :sending)")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":failed", s(MessageState::Failed.as_str()))
            .expression_attribute_values(":pending", s(MessageState::Pending.as_str()))
            .expression_attribute_values(":sending", s(MessageState::Sending.as_str()))
            .expression_attribute_values(":reason", s(reason))
            .expression_attribute_values(":now", s(ts(now)))
            .send()
            .await;
        conditional(res, "UpdateItem").map(|_| ())
    }

    /// Record how an attempt ended. Only the holder of the take (state `sending`) can;
    /// `false`: it was not ours any more.
    pub(crate) async fn finish_outbox(
        &self,
        key: OutboxKey<'_>,
        delivery: &Delivery,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut update = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key.pk))
            .key(SK, s(key.sk))
            .condition_expression("#state = :sending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", s(MessageState::Sending.as_str()))
            .expression_attribute_values(":now", s(ts(now)));
        let unindex = if key.indexed { ", gsi1pk, gsi1sk" } else { "" };
        let expression = match delivery {
            Delivery::Sent { id } => {
                update =
                    update.expression_attribute_values(":sent", s(MessageState::Sent.as_str()));
                match id {
                    Some(id) => {
                        update = update.expression_attribute_values(":id", s(id));
                        format!(
                            "SET #state = :sent, sent_at = :now, updated_at = :now, platform_message_id = :id REMOVE lease_until{unindex}"
                        )
                    }
                    None => format!(
                        "SET #state = :sent, sent_at = :now, updated_at = :now REMOVE lease_until{unindex}"
                    ),
                }
            }
            Delivery::Retry { error, at } => {
                update = update
                    .expression_attribute_values(":pending", s(MessageState::Pending.as_str()))
                    .expression_attribute_values(":error", s(error))
                    .expression_attribute_values(":at", s(ts(*at)));
                if key.indexed {
                    update = update.expression_attribute_values(":isk", s(index_sk(*at, key)));
                    "SET #state = :pending, last_error = :error, next_attempt_at = :at, gsi1sk = :isk, updated_at = :now REMOVE lease_until".to_owned()
                } else {
                    "SET #state = :pending, last_error = :error, next_attempt_at = :at, updated_at = :now REMOVE lease_until".to_owned()
                }
            }
            Delivery::Failed { reason } => {
                update = update
                    .expression_attribute_values(":failed", s(MessageState::Failed.as_str()))
                    .expression_attribute_values(":reason", s(reason));
                format!(
                    "SET #state = :failed, failure = :reason, updated_at = :now REMOVE lease_until{unindex}"
                )
            }
        };
        conditional(
            update.update_expression(expression).send().await,
            "UpdateItem",
        )
    }
}

/// A stored time, if present and readable.
pub(crate) fn time_of(item: &Item, name: &str) -> Option<OffsetDateTime> {
    get_str(item, name).and_then(parse_ts)
}
