//! What the staff inbox (`functions/tasks-api`) adds to the table, beside [`crate::tasks`]:
//!
//! - [`DynamoStore::approve_drafts`]: approve a task's drafts with the text staff edited,
//!   in one transaction. The edit is kept **beside** the draft (`edited_text`,
//!   `edited_by`, `edited_at` on the message record), never over it: `text` stays the
//!   responder's own draft, which is how it recognises a message it wrote.
//! - [`DynamoStore::message_edits`]: those edits, as stored.
//! - [`DynamoStore::update_page_settings`]: a page's settings, changed only if nobody
//!   changed them since they were read.
//! - [`DynamoStore::feedback_summaries`]: who wrote what, for a page of the queue (one
//!   batch read).
//! - [`DynamoStore::page_view`]: one page with when it was last changed.

use crate::codec::{Item, get_rating, get_str, n, parse_ts, s, ts};
use crate::dynamo::{DynamoStore, dynamo_err, is_conditional_failure};
use crate::keys::*;
use crate::tasks::TaskError;
use crate::{FeedbackKey, StoreError};
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, KeysAndAttributes, Put, TransactWriteItem, Update,
};
use feedback::page::ReplyMode;
use feedback::records::{Channel, MessageState, RecordType, TaskStatus};
use feedback::{AccountId, Platform, Rating};
use std::collections::HashMap;
use time::OffsetDateTime;

/// Stored attribute names of a staff edit on a message record.
pub mod attr {
    /// Who approved a message or wrote an approval record (staff tooling only).
    pub const APPROVED_BY: &str = "approved_by";
    /// The text staff approved instead of the draft in `text`.
    pub const EDITED_TEXT: &str = "edited_text";
    /// Who edited it (from their sign-in, never from a request body).
    pub const EDITED_BY: &str = "edited_by";
    pub const EDITED_AT: &str = "edited_at";
}

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

/// One page setting the inbox may change, with its stored attribute name (the names
/// `pages.rs` reads; a round trip through `page()` in the tests keeps them in step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageSetting {
    BrandName,
    DefaultLanguage,
    Mode,
    ThankPositive,
    SlaHours,
    Signature,
    Contact,
    MaxAgeHours,
    ResolvedReply,
    UpdateRequestDelayHours,
}

impl PageSetting {
    pub const ALL: [PageSetting; 10] = [
        PageSetting::BrandName,
        PageSetting::DefaultLanguage,
        PageSetting::Mode,
        PageSetting::ThankPositive,
        PageSetting::SlaHours,
        PageSetting::Signature,
        PageSetting::Contact,
        PageSetting::MaxAgeHours,
        PageSetting::ResolvedReply,
        PageSetting::UpdateRequestDelayHours,
    ];

    /// The stored attribute (also the name the inbox API uses).
    pub fn attribute(self) -> &'static str {
        match self {
            PageSetting::BrandName => "brand_name",
            PageSetting::DefaultLanguage => "default_language",
            PageSetting::Mode => "mode",
            PageSetting::ThankPositive => "thank_positive",
            PageSetting::SlaHours => "sla_hours",
            PageSetting::Signature => "signature",
            PageSetting::Contact => "contact",
            PageSetting::MaxAgeHours => "max_age_hours",
            PageSetting::ResolvedReply => "resolved_reply",
            PageSetting::UpdateRequestDelayHours => "update_request_delay_hours",
        }
    }

    pub fn parse(name: &str) -> Option<PageSetting> {
        PageSetting::ALL.into_iter().find(|s| s.attribute() == name)
    }
}

/// A value of a [`PageSetting`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingValue {
    Text(String),
    Number(u32),
    Flag(bool),
    Mode(ReplyMode),
}

impl SettingValue {
    fn attribute_value(&self) -> AttributeValue {
        match self {
            SettingValue::Text(t) => s(t),
            SettingValue::Number(v) => n(*v),
            SettingValue::Flag(b) => AttributeValue::Bool(*b),
            SettingValue::Mode(m) => s(m.as_str()),
        }
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

fn transact_canceled<R>(
    e: &aws_sdk_dynamodb::error::SdkError<
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
        R,
    >,
) -> bool {
    e.as_service_error()
        .is_some_and(|se| se.is_transaction_canceled_exception())
}

fn build_err(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Refused {
        operation: "TransactWriteItems",
        reason: e.to_string(),
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
        let id = key.id();
        let task = self
            .task(key)
            .await?
            .ok_or_else(|| TaskError::NotFound(id.clone()))?;
        if !task.status.is_unresolved() {
            return Err(TaskError::WrongStatus {
                id,
                status: task.status,
                by: None,
                allowed: vec![TaskStatus::Open, TaskStatus::Claimed],
            }
            .into());
        }
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
            let mut update = Update::builder()
                .table_name(self.table())
                .key(PK, s(key.pk()))
                .key(SK, s(message_sk(*channel)))
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
        let mut approval = Put::builder()
            .table_name(self.table())
            .item(PK, s(key.pk()))
            .item(SK, s(format!("{APPROVAL_SK_PREFIX}{}", ts(now))))
            .item(RECORD_TYPE, s(RecordType::Approval.as_str()))
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
        let res = self
            .client()
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match res {
            Ok(_) => Ok(approved),
            Err(e) if transact_canceled(&e) => {
                // Someone else changed the task or approved first: say what it is now.
                let task = self
                    .task(key)
                    .await?
                    .ok_or_else(|| TaskError::NotFound(key.id()))?;
                if !task.status.is_unresolved() {
                    return Err(TaskError::WrongStatus {
                        id: key.id(),
                        status: task.status,
                        by: None,
                        allowed: vec![TaskStatus::Open, TaskStatus::Claimed],
                    }
                    .into());
                }
                Err(TaskError::NothingToApprove(key.id()).into())
            }
            Err(e) => Err(dynamo_err("TransactWriteItems")(e).into()),
        }
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

    /// Change some of a page's settings (`None`: remove it, so the default applies), only
    /// if the page was last changed at `read_at` (`None`: it had no stored configuration
    /// when read). `Ok(false)`: someone changed it since; nothing was written.
    pub async fn update_page_settings(
        &self,
        platform: &Platform,
        account: &AccountId,
        changes: &[(PageSetting, Option<SettingValue>)],
        read_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut update = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(page_pk(platform, account)))
            .key(SK, s(PAGE_SK))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":type", s(RecordType::Page.as_str()))
            .expression_attribute_values(":platform", s(platform.as_str()))
            .expression_attribute_values(":account", s(account.as_str()));
        let mut set = vec![
            "updated_at = :now".to_owned(),
            format!("{RECORD_TYPE} = :type"),
            "platform = :platform".to_owned(),
            "account_id = :account".to_owned(),
        ];
        let mut remove = Vec::new();
        for (i, (setting, value)) in changes.iter().enumerate() {
            update = update.expression_attribute_names(format!("#a{i}"), setting.attribute());
            match value {
                Some(value) => {
                    update = update
                        .expression_attribute_values(format!(":v{i}"), value.attribute_value());
                    set.push(format!("#a{i} = :v{i}"));
                }
                None => remove.push(format!("#a{i}")),
            }
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        update = match read_at {
            Some(read_at) => update
                .condition_expression("updated_at = :read")
                .expression_attribute_values(":read", s(ts(read_at))),
            None => update.condition_expression("attribute_not_exists(updated_at)"),
        };
        match update.update_expression(expression).send().await {
            Ok(_) => Ok(true),
            Err(e) if is_conditional_failure(&e) => Ok(false),
            Err(e) => Err(dynamo_err("UpdateItem")(e)),
        }
    }

    /// One page as staff see it, with when it was last changed (`None`: the page has no
    /// stored configuration).
    pub async fn page_view(
        &self,
        platform: &Platform,
        account: &AccountId,
    ) -> Result<Option<crate::pages::PageView>, StoreError> {
        Ok(self
            .get_item(&page_pk(platform, account), PAGE_SK)
            .await?
            .and_then(|item| crate::pages::page_view(&item)))
    }

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
        removed: matches!(item.get("removed"), Some(AttributeValue::Bool(true))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_setting_parses_back_from_its_attribute() {
        for setting in PageSetting::ALL {
            assert_eq!(PageSetting::parse(setting.attribute()), Some(setting));
        }
        assert_eq!(PageSetting::parse("token_source"), None);
        assert_eq!(PageSetting::parse("notify_slack_url"), None);
    }
}
