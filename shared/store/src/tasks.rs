//! Follow-up tasks: opened by the responder, flagged when something needs a person,
//! claimed, resolved and approved by staff. Open tasks carry the sparse `gsi1` keys, so
//! "open tasks by due time" is one query.

use crate::codec::{s, ts};
use crate::dynamo::{DynamoStore, conditional, dynamo_err, is_conditional_failure};
use crate::keys::*;
use crate::views::{TaskView, task_view};
use crate::{FeedbackKey, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;
use feedback::AccountId;
use feedback::page::ReplyMode;
use feedback::records::{Channel, MessageState, RecordType, TaskChannel, TaskStatus};
use time::OffsetDateTime;

fn task_index_sk(due_at: OffsetDateTime, key: &FeedbackKey) -> String {
    format!("{}#{}#{}", ts(due_at), key.platform, key.item_id)
}

/// A follow-up task to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub account_id: AccountId,
    pub due_at: OffsetDateTime,
    pub channel: TaskChannel,
    pub next_step: String,
    pub label: String,
    pub language: String,
    pub mode: ReplyMode,
    pub draft_public: String,
    pub draft_private: Option<String>,
    pub created_at: OffsetDateTime,
}

/// What changing a task can run into.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("no follow-up task for {0}")]
    NotFound(String),
    #[error("task {id} is {status}, not {expected}")]
    WrongStatus {
        id: String,
        status: TaskStatus,
        expected: TaskStatus,
    },
    #[error("task {0} has no drafts waiting for approval")]
    NothingToApprove(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DynamoStore {
    /// Open the follow-up task unless it exists. Open tasks carry the gsi1 keys so they
    /// list by due time.
    pub async fn create_task(&self, key: &FeedbackKey, task: &NewTask) -> Result<bool, StoreError> {
        let mut req = self
            .client()
            .put_item()
            .table_name(self.table())
            .item(PK, s(key.pk()))
            .item(SK, s(TASK_SK))
            .item(RECORD_TYPE, s(RecordType::Task.as_str()))
            .item("status", s(TaskStatus::Open.as_str()))
            .item(GSI1_PK, s(OPEN_TASKS))
            .item(GSI1_SK, s(task_index_sk(task.due_at, key)))
            .item("platform", s(key.platform.as_str()))
            .item("item_id", s(key.item_id.as_str()))
            .item("account_id", s(task.account_id.as_str()))
            .item("feedback_pk", s(key.pk()))
            .item("due_at", s(ts(task.due_at)))
            .item("channel", s(task.channel.as_str()))
            .item("next_step", s(&task.next_step))
            .item("label", s(&task.label))
            .item("language", s(&task.language))
            .item("mode", s(task.mode.as_str()))
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

    /// The task of an item, if one was opened.
    pub async fn task(&self, key: &FeedbackKey) -> Result<Option<TaskView>, StoreError> {
        self.get_item(&key.pk(), TASK_SK)
            .await?
            .map(|item| task_view(&item))
            .transpose()
    }

    async fn task_status(&self, key: &FeedbackKey) -> Result<TaskStatus, TaskError> {
        let task = self
            .task(key)
            .await?
            .ok_or_else(|| TaskError::NotFound(key.id()))?;
        Ok(task.status)
    }

    /// Take a task: someone is on it.
    pub async fn claim_task(
        &self,
        key: &FeedbackKey,
        by: &str,
        now: OffsetDateTime,
    ) -> Result<(), TaskError> {
        let res = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key.pk()))
            .key(SK, s(TASK_SK))
            .update_expression("SET assignee = :by, claimed_at = :now, updated_at = :now")
            .condition_expression("#status = :open")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":open", s(TaskStatus::Open.as_str()))
            .expression_attribute_values(":by", s(by))
            .expression_attribute_values(":now", s(ts(now)))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if is_conditional_failure(&e) => Err(TaskError::WrongStatus {
                id: key.id(),
                status: self.task_status(key).await?,
                expected: TaskStatus::Open,
            }),
            Err(e) => Err(dynamo_err("UpdateItem")(e).into()),
        }
    }

    /// Close a task with a note; it leaves the open-task index. `update_request` is the
    /// message asking the customer to update their comment, kept on the task for staff.
    pub async fn resolve_task(
        &self,
        key: &FeedbackKey,
        note: &str,
        update_request: &str,
        now: OffsetDateTime,
    ) -> Result<(), TaskError> {
        let res = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key.pk()))
            .key(SK, s(TASK_SK))
            .update_expression(
                "SET #status = :resolved, resolution = :note, resolved_at = :now, updated_at = :now, update_request = :ask REMOVE gsi1pk, gsi1sk",
            )
            .condition_expression("#status = :open")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":open", s(TaskStatus::Open.as_str()))
            .expression_attribute_values(":resolved", s(TaskStatus::Resolved.as_str()))
            .expression_attribute_values(":note", s(note))
            .expression_attribute_values(":ask", s(update_request))
            .expression_attribute_values(":now", s(ts(now)))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if is_conditional_failure(&e) => Err(TaskError::WrongStatus {
                id: key.id(),
                status: self.task_status(key).await?,
                expected: TaskStatus::Open,
            }),
            Err(e) => Err(dynamo_err("UpdateItem")(e).into()),
        }
    }

    /// Approve the drafts of a task (approval mode): they become pending, and an approval
    /// record is inserted, whose stream event makes the responder send them.
    pub async fn approve_task(
        &self,
        key: &FeedbackKey,
        by: &str,
        now: OffsetDateTime,
    ) -> Result<usize, TaskError> {
        let status = self.task_status(key).await?;
        if status != TaskStatus::Open {
            return Err(TaskError::WrongStatus {
                id: key.id(),
                status,
                expected: TaskStatus::Open,
            });
        }
        let mut approved = 0;
        for channel in [Channel::Public, Channel::Private] {
            let res = self
                .client()
                .update_item()
                .table_name(self.table())
                .key(PK, s(key.pk()))
                .key(SK, s(message_sk(channel)))
                .update_expression("SET #state = :pending, approved_by = :by, approved_at = :now, updated_at = :now")
                .condition_expression("#state = :draft")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":pending", s(MessageState::Pending.as_str()))
                .expression_attribute_values(":draft", s(MessageState::Draft.as_str()))
                .expression_attribute_values(":by", s(by))
                .expression_attribute_values(":now", s(ts(now)))
                .send()
                .await;
            match res {
                Ok(_) => approved += 1,
                Err(e) if is_conditional_failure(&e) => {}
                Err(e) => return Err(dynamo_err("UpdateItem")(e).into()),
            }
        }
        if approved == 0 {
            return Err(TaskError::NothingToApprove(key.id()));
        }
        let res = self
            .client()
            .put_item()
            .table_name(self.table())
            .item(PK, s(key.pk()))
            .item(SK, s(format!("{APPROVAL_SK_PREFIX}{}", ts(now))))
            .item(RECORD_TYPE, s(RecordType::Approval.as_str()))
            .item("approved_by", s(by))
            .item("created_at", s(ts(now)))
            .send()
            .await;
        res.map_err(dynamo_err("PutItem"))?;
        Ok(approved)
    }
}
