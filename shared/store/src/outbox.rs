//! The one at-most-once state machine of everything the product sends: the replies and
//! private messages ([`crate::messages`]), the follow-up messages ([`crate::followups`])
//! and the notifications ([`crate::notify`]). Each change is a conditional update:
//!
//! ```text
//! draft ──approve──▶ pending ──take──▶ sending ──▶ sent
//!                       ▲                 │  └───▶ failed     (refused for good, or gave up)
//!                       └── retry ────────┤                  (not before `next_attempt_at`)
//!          uncertain ◀── maybe posted ────┘  (taken again, reconciled before the next attempt)
//! sending ──held──▶ draft                    (a crisis hold began: nothing was posted)
//! dry_run: drafted, never sent
//! ```
//!
//! A take carries a lease, so a sender that dies mid-send is taken over (and told to look
//! on the platform first), and two senders running at once never both send. The rules live
//! in [`Found`] and [`Delivery::state`], used by the DynamoDB adapter and the in-memory one
//! alike. Records on the notification index leave it once they are sent or failed.

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
    /// Ours to send (this is attempt number `attempt`). `reconcile`: an earlier attempt
    /// may have reached the platform (it ended uncertain, or its sender died mid-send), so
    /// look there before sending again.
    Acquired { attempt: u32, reconcile: bool },
    /// Another sender is sending it right now.
    Busy,
    /// Waiting for its next attempt (backoff).
    NotYet,
    /// Nothing to send: it is in this final (or waiting) state.
    Settled(MessageState),
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent {
        id: Option<String>,
    },
    /// Certainly not delivered: try again, not before `at` when given.
    Retry {
        error: String,
        at: Option<OffsetDateTime>,
    },
    /// Maybe delivered: reconcile with the platform before the next attempt.
    Uncertain {
        error: String,
    },
    /// Refused for good, or the outcome is unknown and a retry could send it twice.
    Failed {
        reason: String,
    },
    /// Not sent, and back to a draft for staff to approve (a crisis hold began on the
    /// page): nothing was posted.
    Held {
        reason: String,
    },
}

impl Delivery {
    /// The state the record moves to.
    pub fn state(&self) -> MessageState {
        match self {
            Delivery::Sent { .. } => MessageState::Sent,
            Delivery::Retry { .. } => MessageState::Pending,
            Delivery::Uncertain { .. } => MessageState::Uncertain,
            Delivery::Failed { .. } => MessageState::Failed,
            Delivery::Held { .. } => MessageState::Draft,
        }
    }

    /// The record stays on the notification index (it will be sent, or looked at, again).
    fn stays_indexed(&self) -> bool {
        !matches!(self, Delivery::Sent { .. } | Delivery::Failed { .. })
    }
}

/// How a record is settled, and from which states.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Settle<'a> {
    /// How an attempt ended. Only the holder of the take (state `sending`) can; refused
    /// when it was not ours any more (the lease ran out and another sender took over: its
    /// word counts).
    Finished(&'a Delivery),
    /// Failed for good with this reason, from any state it may be failed from
    /// ([`FAILABLE`]); refused when it was already settled.
    Failed(&'a str),
}

/// The states a record may be failed from (it gave up, or can never be sent).
const FAILABLE: [MessageState; 4] = [
    MessageState::Pending,
    MessageState::Uncertain,
    MessageState::Sending,
    MessageState::Draft,
];

/// What a take found on the record: the rules of the state machine.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Found {
    pub state: MessageState,
    pub attempts: u32,
    /// Its sender's lease ran out (meaningful in `sending`).
    pub lease_expired: bool,
    /// Its next attempt is due (no backoff set, or passed).
    pub due: bool,
}

/// What a take that cannot have the record does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The attempts are used up: fail it for good.
    GiveUp {
        reason: String,
    },
    Answer(Take),
}

impl Found {
    /// Whether a take may have it (the DynamoDB adapter's condition says the same).
    pub fn takeable(&self, max_attempts: u32) -> bool {
        let open = match self.state {
            MessageState::Pending => self.due,
            MessageState::Uncertain => true,
            MessageState::Sending => self.lease_expired,
            _ => false,
        };
        open && self.attempts < max_attempts
    }

    /// The take it gets: attempt number and whether to look on the platform first.
    pub fn acquired(&self) -> Take {
        Take::Acquired {
            attempt: self.attempts + 1,
            reconcile: matches!(self.state, MessageState::Uncertain | MessageState::Sending),
        }
    }

    /// Why a take cannot have it.
    pub fn refused(&self, max_attempts: u32) -> Refused {
        if self.takeable(max_attempts) {
            // It changed since the take was refused (an attempt just ended): later.
            return Refused::Answer(Take::NotYet);
        }
        let used_up = self.attempts >= max_attempts;
        match self.state {
            // A sender holding the last attempt may be posting right now: it is given up
            // only once that sender's lease ran out, never under it.
            MessageState::Pending | MessageState::Uncertain if used_up => Refused::GiveUp {
                reason: format!("gave up after {} attempts", self.attempts),
            },
            MessageState::Sending if used_up && self.lease_expired => Refused::GiveUp {
                reason: format!("gave up after {} attempts", self.attempts),
            },
            MessageState::Sending => Refused::Answer(Take::Busy),
            MessageState::Pending => Refused::Answer(Take::NotYet),
            other => Refused::Answer(Take::Settled(other)),
        }
    }
}

/// May a record in this state be failed for good? (The DynamoDB adapter's condition
/// lists [`FAILABLE`].)
#[cfg(any(test, feature = "memory"))]
pub(crate) fn failable(state: MessageState) -> bool {
    FAILABLE.contains(&state)
}

/// One record of the outbox: its key, and whether it is on the notification index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OutboxKey<'a> {
    pub pk: &'a str,
    pub sk: &'a str,
    pub indexed: bool,
}

impl<'a> OutboxKey<'a> {
    /// A record that is not on the notification index (messages, follow-ups).
    pub fn plain(pk: &'a str, sk: &'a str) -> Self {
        Self {
            pk,
            sk,
            indexed: false,
        }
    }
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
            .update_item(key.pk, key.sk)
            .update_expression(
                "SET #state = :sending, lease_until = :lease, updated_at = :now ADD attempts :one",
            )
            // `Found::takeable`, as a condition.
            .condition_expression(
                "((#state = :pending AND (attribute_not_exists(next_attempt_at) OR next_attempt_at <= :now)) \
                 OR #state = :uncertain OR (#state = :sending AND lease_until < :now)) AND attempts < :max",
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
            // What it was before this take.
            Ok(out) => Ok(found(key, &out.attributes.unwrap_or_default(), now)?.acquired()),
            Err(e) if is_conditional_failure(&e) => {
                let Some(current) = self.get_item(key.pk, key.sk).await? else {
                    return Ok(Take::Settled(MessageState::Failed));
                };
                match found(key, &current, now)?.refused(max_attempts) {
                    Refused::GiveUp { reason } => {
                        self.settle_outbox(key, Settle::Failed(&reason), now)
                            .await?;
                        Ok(Take::Settled(MessageState::Failed))
                    }
                    Refused::Answer(take) => Ok(take),
                }
            }
            Err(e) => Err(dynamo_err("UpdateItem")(e)),
        }
    }

    /// Settle a record: record how an attempt ended, or fail it for good. `false`: it
    /// was in none of the states that allow it (see [`Settle`]).
    pub(crate) async fn settle_outbox(
        &self,
        key: OutboxKey<'_>,
        settle: Settle<'_>,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let failed;
        let (delivery, from): (&Delivery, &[MessageState]) = match settle {
            Settle::Finished(delivery) => (delivery, &[MessageState::Sending]),
            Settle::Failed(reason) => {
                failed = Delivery::Failed {
                    reason: reason.to_owned(),
                };
                (&failed, &FAILABLE)
            }
        };
        let mut update = self
            .update_item(key.pk, key.sk)
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":to", s(delivery.state().as_str()))
            .expression_attribute_values(":now", s(ts(now)));
        let mut allowed = Vec::new();
        for state in from {
            let name = format!(":from_{}", state.as_str());
            update = update.expression_attribute_values(&name, s(state.as_str()));
            allowed.push(name);
        }
        update = update.condition_expression(format!("#state IN ({})", allowed.join(", ")));
        let mut set = vec!["#state = :to", "updated_at = :now"];
        let mut remove = vec!["lease_until"];
        match delivery {
            Delivery::Sent { id } => {
                set.push("sent_at = :now");
                if let Some(id) = id {
                    update = update.expression_attribute_values(":id", s(id));
                    set.push("platform_message_id = :id");
                }
            }
            Delivery::Retry { error, at } => {
                update = update.expression_attribute_values(":error", s(error));
                set.push("last_error = :error");
                if let Some(at) = at {
                    update = update.expression_attribute_values(":at", s(ts(*at)));
                    set.push("next_attempt_at = :at");
                    if key.indexed {
                        update = update.expression_attribute_values(":isk", s(index_sk(*at, key)));
                        set.push("gsi1sk = :isk");
                    }
                }
            }
            Delivery::Uncertain { error } | Delivery::Held { reason: error } => {
                update = update.expression_attribute_values(":error", s(error));
                set.push("last_error = :error");
            }
            Delivery::Failed { reason } => {
                update = update.expression_attribute_values(":reason", s(reason));
                set.push("failure = :reason");
            }
        }
        if key.indexed && !delivery.stays_indexed() {
            remove.extend([GSI1_PK, GSI1_SK]);
        }
        let expression = format!("SET {} REMOVE {}", set.join(", "), remove.join(", "));
        conditional(
            update.update_expression(expression).send().await,
            "UpdateItem",
        )
    }
}

/// What a take finds on a stored record.
fn found(key: OutboxKey<'_>, item: &Item, now: OffsetDateTime) -> Result<Found, StoreError> {
    let state = get_str(item, "state")
        .and_then(MessageState::parse)
        .ok_or_else(|| StoreError::Corrupt {
            key: format!("{}/{}", key.pk, key.sk),
            reason: "outbox state".into(),
        })?;
    Ok(Found {
        state,
        attempts: number(item, "attempts"),
        lease_expired: time_of(item, "lease_until").is_some_and(|until| until < now),
        due: time_of(item, "next_attempt_at").is_none_or(|at| at <= now),
    })
}

/// A stored time, if present and readable.
pub(crate) fn time_of(item: &Item, name: &str) -> Option<OffsetDateTime> {
    get_str(item, name).and_then(parse_ts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MessageState::*;

    fn taken(attempt: u32, reconcile: bool) -> Take {
        Take::Acquired { attempt, reconcile }
    }

    fn found(state: MessageState, attempts: u32) -> Found {
        Found {
            state,
            attempts,
            lease_expired: false,
            due: true,
        }
    }

    /// `f` is taken under a cap of `max_attempts`, as `expected`.
    fn assert_taken(f: Found, max_attempts: u32, expected: Take) {
        assert!(f.takeable(max_attempts), "{f:?}");
        assert_eq!(f.acquired(), expected, "{f:?}");
    }

    /// `f` is not taken under a cap of `max_attempts`, and is refused as `expected`.
    fn assert_refused(f: Found, max_attempts: u32, expected: Refused) {
        assert!(!f.takeable(max_attempts), "{f:?}");
        assert_eq!(f.refused(max_attempts), expected, "{f:?}");
    }

    #[test]
    fn a_due_pending_record_is_taken_as_the_next_attempt_without_looking_first() {
        assert_taken(found(Pending, 2), 5, taken(3, false));
    }

    #[test]
    fn a_pending_record_waiting_for_its_backoff_is_not_yet_taken() {
        let f = Found {
            due: false,
            ..found(Pending, 1)
        };
        assert_refused(f, 5, Refused::Answer(Take::NotYet));
    }

    #[test]
    fn an_uncertain_record_is_taken_and_reconciled_before_sending_again() {
        assert_taken(found(Uncertain, 1), 5, taken(2, true));
    }

    #[test]
    fn a_record_being_sent_is_busy_until_its_lease_runs_out_then_taken_over_and_reconciled() {
        let live = found(Sending, 1);
        assert_refused(live, 5, Refused::Answer(Take::Busy));
        let expired = Found {
            lease_expired: true,
            ..live
        };
        assert_taken(expired, 5, taken(2, true));
    }

    #[test]
    fn a_record_whose_attempts_are_used_up_is_given_up_from_every_open_state() {
        for state in [Pending, Uncertain, Sending] {
            let f = Found {
                lease_expired: true,
                ..found(state, 3)
            };
            let give_up = Refused::GiveUp {
                reason: "gave up after 3 attempts".into(),
            };
            assert_refused(f, 3, give_up);
        }
    }

    #[test]
    fn a_record_that_became_takeable_after_a_refused_take_is_tried_again_later() {
        assert_eq!(found(Pending, 0).refused(5), Refused::Answer(Take::NotYet));
    }

    #[test]
    fn a_record_on_its_last_attempt_is_never_failed_under_its_sender() {
        let last = found(Sending, 3);
        assert_eq!(last.refused(3), Refused::Answer(Take::Busy));
        let abandoned = Found {
            lease_expired: true,
            ..last
        };
        assert!(matches!(abandoned.refused(3), Refused::GiveUp { .. }));
    }

    #[test]
    fn settled_drafted_and_dry_run_records_are_never_taken() {
        for state in [Sent, Failed, Draft, DryRun] {
            let f = Found {
                lease_expired: true,
                ..found(state, 0)
            };
            assert_refused(f, 5, Refused::Answer(Take::Settled(state)));
        }
    }

    #[test]
    fn only_open_records_and_drafts_can_be_failed_for_good() {
        for state in [Pending, Uncertain, Sending, Draft] {
            assert!(failable(state), "{state:?}");
        }
        for state in [Sent, Failed, DryRun] {
            assert!(!failable(state), "{state:?}");
        }
    }

    #[test]
    fn each_ending_moves_to_its_state_and_only_sent_or_failed_leave_the_index() {
        let cases = [
            (Delivery::Sent { id: None }, Sent, false),
            (
                Delivery::Retry {
                    error: "e".into(),
                    at: None,
                },
                Pending,
                true,
            ),
            (Delivery::Uncertain { error: "e".into() }, Uncertain, true),
            (Delivery::Failed { reason: "r".into() }, Failed, false),
            (Delivery::Held { reason: "r".into() }, Draft, true),
        ];
        for (delivery, state, indexed) in cases {
            assert_eq!(delivery.state(), state, "{delivery:?}");
            assert_eq!(delivery.stays_indexed(), indexed, "{delivery:?}");
        }
    }
}
