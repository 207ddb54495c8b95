//! Staff approvals of drafted messages ([`DynamoStore::approve_drafts`]: one transaction,
//! with or without edits) and the edits kept beside the drafts
//! ([`DynamoStore::message_edits`]).
//!
//! The edit is kept **beside** the draft (`edited_text`, `edited_by`, `edited_at` on the
//! message record), never over it: `text` stays the responder's own draft, which is how it
//! recognises a message it wrote.

use crate::codec::{get_str, parse_ts, s, ts};
use crate::dynamo::{DynamoStore, build_err};
use crate::keys::*;
use crate::tasks::TaskError;
use crate::{FeedbackKey, StoreError};
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, TransactWriteItem};
use feedback::records::{Channel, MessageState, RecordType, TaskStatus};
use std::collections::HashMap;
use time::OffsetDateTime;

/// A staff edit of one drafted message, as stored beside the draft.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MessageEdit {
    pub channel: Channel,
    pub text: String,
    pub by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Why an approval did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    /// No task, or the task is not open or claimed.
    #[error(transparent)]
    Task(#[from] TaskError),
    /// Staff edited a message that is not (or no longer) a draft.
    #[error("the {channel} message of {id} is {state}, not a draft: it cannot be edited")]
    NotADraft {
        id: String,
        channel: Channel,
        state: MessageState,
    },
    /// Staff edited a message the item does not have (no private message was drafted).
    #[error("{id} has no {channel} message to edit")]
    NoSuchMessage { id: String, channel: Channel },
}

impl From<StoreError> for ApprovalError {
    fn from(e: StoreError) -> Self {
        ApprovalError::Task(TaskError::Store(e))
    }
}

impl DynamoStore {
    /// Approve the drafts of an open or claimed task (approval mode), with staff's edits:
    /// in one transaction the task is checked, each message still a draft becomes
    /// `pending` (an edited one with `edited_text`/`edited_by`/`edited_at` beside its
    /// draft), and an approval record is inserted, whose stream event makes the responder
    /// send them. Either all of it happens or none: two approvals never both succeed.
    /// Returns the channels approved.
    pub async fn approve_drafts(
        &self,
        key: &FeedbackKey,
        by: &str,
        edits: &[(Channel, &str)],
        now: OffsetDateTime,
    ) -> Result<Vec<Channel>, ApprovalError> {
        self.check_approvable(key).await?;
        let id = key.id();
        let mut drafts = Vec::new();
        let mut states = HashMap::new();
        for channel in [Channel::Public, Channel::Private] {
            if let Some(m) = self.message(key, channel).await? {
                states.insert(channel, m.state);
                if m.state == MessageState::Draft {
                    drafts.push((channel, m.text));
                }
            }
        }
        for (channel, _) in edits {
            match states.get(channel) {
                None => {
                    return Err(ApprovalError::NoSuchMessage {
                        id,
                        channel: *channel,
                    });
                }
                Some(state) if *state != MessageState::Draft => {
                    return Err(ApprovalError::NotADraft {
                        id,
                        channel: *channel,
                        state: *state,
                    });
                }
                Some(_) => {}
            }
        }
        if drafts.is_empty() {
            return Err(TaskError::NothingToApprove(id).into());
        }
        let mut items = vec![
            TransactWriteItem::builder()
                .condition_check(
                    ConditionCheck::builder()
                        .table_name(self.table())
                        .key(PK, s(key.pk()))
                        .key(SK, s(TASK_SK))
                        .condition_expression("#status IN (:open, :claimed)")
                        .expression_attribute_names("#status", "status")
                        .expression_attribute_values(":open", s(TaskStatus::Open.as_str()))
                        .expression_attribute_values(":claimed", s(TaskStatus::Claimed.as_str()))
                        .build()
                        .map_err(build_err)?,
                )
                .build(),
        ];
        let mut approved = Vec::new();
        let mut edited = Vec::new();
        for (channel, draft) in &drafts {
            let edit = edits
                .iter()
                .find(|(c, _)| c == channel)
                .map(|(_, text)| *text)
                // An "edit" that leaves the draft as it was is no edit.
                .filter(|text| text != draft);
            let mut update = self
                .update_part(key.pk(), message_sk(*channel))
                .condition_expression("#state = :draft")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":pending", s(MessageState::Pending.as_str()))
                .expression_attribute_values(":draft", s(MessageState::Draft.as_str()))
                .expression_attribute_values(":by", s(by))
                .expression_attribute_values(":now", s(ts(now)));
            update = match edit {
                Some(text) => {
                    edited.push(s(channel.as_str()));
                    update
                        .update_expression(format!(
                            "SET #state = :pending, approved_by = :by, approved_at = :now, updated_at = :now, {} = :edited, {} = :by, {} = :now",
                            attr::EDITED_TEXT,
                            attr::EDITED_BY,
                            attr::EDITED_AT
                        ))
                        .expression_attribute_values(":edited", s(text))
                }
                None => update.update_expression(format!(
                    "SET #state = :pending, approved_by = :by, approved_at = :now, updated_at = :now REMOVE {}, {}, {}",
                    attr::EDITED_TEXT,
                    attr::EDITED_BY,
                    attr::EDITED_AT
                )),
            };
            items.push(
                TransactWriteItem::builder()
                    .update(update.build().map_err(build_err)?)
                    .build(),
            );
            approved.push(*channel);
        }
        let mut approval = self
            .put_part(
                key.pk(),
                format!("{APPROVAL_SK_PREFIX}{}", ts(now)),
                RecordType::Approval,
            )
            .item(attr::APPROVED_BY, s(by))
            .item("created_at", s(ts(now)))
            .condition_expression("attribute_not_exists(pk)");
        if !edited.is_empty() {
            approval = approval.item("edited", AttributeValue::L(edited));
        }
        items.push(
            TransactWriteItem::builder()
                .put(approval.build().map_err(build_err)?)
                .build(),
        );
        if self.transact(items).await? {
            return Ok(approved);
        }
        // Someone else changed the task or approved first: say what it is now.
        self.check_approvable(key).await?;
        Err(TaskError::NothingToApprove(key.id()).into())
    }

    /// The task exists and is not settled yet (open or claimed): its drafts may be approved.
    async fn check_approvable(&self, key: &FeedbackKey) -> Result<(), TaskError> {
        let task = self.existing_task(key).await?;
        if !task.status.is_unresolved() {
            return Err(TaskError::WrongStatus {
                id: key.id(),
                status: task.status,
                by: None,
                allowed: vec![TaskStatus::Open, TaskStatus::Claimed],
            });
        }
        Ok(())
    }

    /// The staff edits kept beside an item's drafted messages.
    pub async fn message_edits(&self, key: &FeedbackKey) -> Result<Vec<MessageEdit>, StoreError> {
        let items = self
            .query_all(
                None,
                "pk = :pk AND begins_with(sk, :message)",
                vec![(":pk", s(key.pk())), (":message", s("message#"))],
                true,
            )
            .await?;
        Ok(items
            .iter()
            .filter_map(|item| {
                Some(MessageEdit {
                    channel: get_str(item, SK)?
                        .strip_prefix("message#")
                        .and_then(Channel::parse)?,
                    text: get_str(item, attr::EDITED_TEXT)?.to_owned(),
                    by: get_str(item, attr::EDITED_BY)
                        .unwrap_or_default()
                        .to_owned(),
                    at: get_str(item, attr::EDITED_AT)
                        .and_then(parse_ts)
                        .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                })
            })
            .collect())
    }
}
