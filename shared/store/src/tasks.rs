//! Follow-up tasks and their lifecycle: opened by the responder, claimed, resolved,
//! dropped and reopened by staff; escalated, asked about and closed by the SLA sweeper.
//!
//! ```text
//! open ──claim──▶ claimed ──resolve──▶ resolved ──sweeper──▶ update_requested ──▶ closed
//!  │                 │                  (after a delay: every resolved case, once)
//!  └──── resolve ────┼──▶ resolved
//!  └───── drop ──────┴──▶ dropped (with a reason)
//! reopen: claimed, resolved, update_requested, closed, dropped ──▶ open
//! ```
//!
//! Every change is one conditional update on the status it starts from (two people cannot
//! claim one task; a resolved task cannot be claimed) and appends who, when, what and a
//! note to the task's `history` in the same write. The sparse `gsi1` keys follow the
//! status, so the sweeper finds what it works on with one query each, never a scan:
//! `task#open` (open and claimed, by due time), `task#resolved` (by resolve time),
//! `task#update_requested` (by when the customer was asked).

use crate::codec::{Item, n, s, ts};
use crate::dynamo::{DynamoStore, conditional, dynamo_err, is_conditional_failure};
use crate::keys::*;
use crate::views::{TaskView, task_view};
use crate::{FeedbackKey, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;
use feedback::AccountId;
use feedback::page::ReplyMode;
use feedback::records::{
    ComplaintTheme, RecordType, TaskAction, TaskChannel, TaskFlag, TaskStatus,
};
use std::collections::HashMap;
use time::OffsetDateTime;

/// Who the history names for changes the functions make.
pub const RESPONDER: &str = "responder";
pub const SWEEPER: &str = "sla-sweeper";

fn index_sk(at: OffsetDateTime, key: &FeedbackKey) -> String {
    format!("{}#{}#{}", ts(at), key.platform, key.item_id)
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
    /// What a complaint is about (`triage::complaint_theme`), for the reports; `None` for
    /// tasks that are not complaints (the sweeper fills it in for complaints without one).
    pub theme: Option<ComplaintTheme>,
}

/// What changing a task can run into.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("no follow-up task for {0}")]
    NotFound(String),
    #[error("task {id} is {status}{}, not {}", by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default(), or_list(allowed))]
    WrongStatus {
        id: String,
        status: TaskStatus,
        /// Who holds it, when it is claimed.
        by: Option<String>,
        /// The statuses the change starts from.
        allowed: Vec<TaskStatus>,
    },
    #[error("task {0} has no drafts waiting for approval")]
    NothingToApprove(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn or_list(statuses: &[TaskStatus]) -> String {
    let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    names.join(" or ")
}

/// How a resolved task's update request went (the sweeper's business).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateRequestOutcome {
    /// Sent privately on the platform.
    Sent,
    /// The platform allows no message: a step on the task, with the text, for staff.
    StaffStep,
    /// The page is in dry-run mode: drafted, not sent.
    DryRun,
    /// The customer was asked before (the task was reopened and resolved again): not
    /// asked twice.
    AskedBefore,
}

/// Where a task's `gsi1` keys go with a change.
enum Index {
    Keep,
    Set(&'static str, String),
    Remove,
}

/// One status change: from one of `from` to `to`, with its history entry.
struct Transition<'a> {
    from: &'static [TaskStatus],
    to: TaskStatus,
    action: TaskAction,
    by: &'a str,
    note: Option<&'a str>,
    set: Vec<(&'static str, AttributeValue)>,
    remove: Vec<&'static str>,
    /// String-set elements to take out of `flags`.
    unflag: Vec<&'static str>,
    /// String-set elements to add to `flags`.
    flag: Vec<&'static str>,
    index: Index,
    increment_round: bool,
}

/// One kind of status change: what the history calls it, the statuses it may start from,
/// and the status it leads to.
struct Move {
    action: TaskAction,
    from: &'static [TaskStatus],
    to: TaskStatus,
}

const CLAIM: Move = Move {
    action: TaskAction::Claim,
    from: &[TaskStatus::Open],
    to: TaskStatus::Claimed,
};
const RESOLVE: Move = Move {
    action: TaskAction::Resolve,
    from: &[TaskStatus::Open, TaskStatus::Claimed],
    to: TaskStatus::Resolved,
};
const DROP: Move = Move {
    action: TaskAction::Drop,
    from: &[TaskStatus::Open, TaskStatus::Claimed],
    to: TaskStatus::Dropped,
};
const REOPEN: Move = Move {
    action: TaskAction::Reopen,
    from: &[
        TaskStatus::Claimed,
        TaskStatus::Resolved,
        TaskStatus::UpdateRequested,
        TaskStatus::Closed,
        TaskStatus::Dropped,
    ],
    to: TaskStatus::Open,
};
const CLOSE: Move = Move {
    action: TaskAction::Close,
    from: &[TaskStatus::UpdateRequested],
    to: TaskStatus::Closed,
};
const REQUEST_UPDATE: Move = Move {
    action: TaskAction::RequestUpdate,
    from: &[TaskStatus::Resolved],
    to: TaskStatus::UpdateRequested,
};

impl<'a> Transition<'a> {
    fn new(m: Move, by: &'a str, note: Option<&'a str>) -> Self {
        Self {
            from: m.from,
            to: m.to,
            action: m.action,
            by,
            note,
            set: Vec::new(),
            remove: Vec::new(),
            unflag: Vec::new(),
            flag: Vec::new(),
            index: Index::Keep,
            increment_round: false,
        }
    }
}

/// One history entry as stored.
pub(crate) fn history_entry(
    action: TaskAction,
    by: &str,
    to: Option<TaskStatus>,
    note: Option<&str>,
    at: OffsetDateTime,
) -> AttributeValue {
    let mut m: Item = HashMap::from([
        ("at".to_owned(), s(ts(at))),
        ("by".to_owned(), s(by)),
        ("action".to_owned(), s(action.as_str())),
    ]);
    if let Some(to) = to {
        m.insert("to".into(), s(to.as_str()));
    }
    if let Some(note) = note.filter(|n| !n.trim().is_empty()) {
        m.insert("note".into(), s(note));
    }
    AttributeValue::M(m)
}

impl DynamoStore {
    /// Open the follow-up task unless it exists. Open tasks carry the gsi1 keys so they
    /// list by due time.
    pub async fn create_task(&self, key: &FeedbackKey, task: &NewTask) -> Result<bool, StoreError> {
        let opened = history_entry(
            TaskAction::Open,
            RESPONDER,
            Some(TaskStatus::Open),
            None,
            task.created_at,
        );
        let mut req = self
            .put_record(key.pk(), TASK_SK, RecordType::Task)
            .item("status", s(TaskStatus::Open.as_str()))
            .item(GSI1_PK, s(OPEN_TASKS))
            .item(GSI1_SK, s(index_sk(task.due_at, key)))
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
            .item("history", AttributeValue::L(vec![opened]))
            .condition_expression("attribute_not_exists(pk)");
        if let Some(private) = &task.draft_private {
            req = req.item("draft_private", s(private));
        }
        if let Some(theme) = task.theme {
            req = req.item("theme", s(theme.as_str()));
        }
        conditional(req.send().await, "PutItem")
    }

    /// Add a flag (such as `reconnect_page`) to a task, with why.
    pub async fn flag_task(
        &self,
        key: &FeedbackKey,
        flag: TaskFlag,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let res = self
            .update_item(key.pk(), TASK_SK)
            .update_expression("ADD flags :flag SET flag_reason = :reason, updated_at = :now")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(
                ":flag",
                AttributeValue::Ss(vec![flag.as_str().to_owned()]),
            )
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

    pub(crate) async fn existing_task(&self, key: &FeedbackKey) -> Result<TaskView, TaskError> {
        self.task(key)
            .await?
            .ok_or_else(|| TaskError::NotFound(key.id()))
    }

    /// Apply one status change, conditional on the status it starts from.
    async fn transition(
        &self,
        key: &FeedbackKey,
        t: Transition<'_>,
        now: OffsetDateTime,
    ) -> Result<(), TaskError> {
        let mut update = self
            .update_item(key.pk(), TASK_SK)
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":to", s(t.to.as_str()))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":empty", AttributeValue::L(vec![]))
            .expression_attribute_values(
                ":change",
                AttributeValue::L(vec![history_entry(t.action, t.by, Some(t.to), t.note, now)]),
            );
        let mut set = vec![
            "#status = :to".to_owned(),
            "updated_at = :now".to_owned(),
            "history = list_append(if_not_exists(history, :empty), :change)".to_owned(),
        ];
        for (i, (name, value)) in t.set.into_iter().enumerate() {
            update = update
                .expression_attribute_names(format!("#s{i}"), name)
                .expression_attribute_values(format!(":s{i}"), value);
            set.push(format!("#s{i} = :s{i}"));
        }
        let mut remove: Vec<String> = Vec::new();
        for (i, name) in t.remove.into_iter().enumerate() {
            update = update.expression_attribute_names(format!("#r{i}"), name);
            remove.push(format!("#r{i}"));
        }
        match t.index {
            Index::Keep => {}
            Index::Set(partition, sort) => {
                update = update
                    .expression_attribute_values(":ipk", s(partition))
                    .expression_attribute_values(":isk", s(sort));
                set.push(format!("{GSI1_PK} = :ipk"));
                set.push(format!("{GSI1_SK} = :isk"));
            }
            Index::Remove => {
                remove.push(GSI1_PK.to_owned());
                remove.push(GSI1_SK.to_owned());
            }
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        if t.increment_round || !t.flag.is_empty() {
            let mut add = Vec::new();
            if t.increment_round {
                update = update.expression_attribute_values(":one", n(1));
                add.push("round :one");
            }
            if !t.flag.is_empty() {
                update = update.expression_attribute_values(
                    ":flag",
                    AttributeValue::Ss(t.flag.iter().map(|f| (*f).to_owned()).collect()),
                );
                add.push("flags :flag");
            }
            expression.push_str(&format!(" ADD {}", add.join(", ")));
        }
        if !t.unflag.is_empty() {
            update = update.expression_attribute_values(
                ":unflag",
                AttributeValue::Ss(t.unflag.iter().map(|f| (*f).to_owned()).collect()),
            );
            expression.push_str(" DELETE flags :unflag");
        }
        let mut allowed = Vec::new();
        for (i, status) in t.from.iter().enumerate() {
            update = update.expression_attribute_values(format!(":f{i}"), s(status.as_str()));
            allowed.push(format!(":f{i}"));
        }
        let res = update
            .update_expression(expression)
            .condition_expression(format!("#status IN ({})", allowed.join(", ")))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if is_conditional_failure(&e) => {
                let task = self.existing_task(key).await?;
                Err(TaskError::WrongStatus {
                    id: key.id(),
                    status: task.status,
                    by: task.assignee.filter(|_| task.status == TaskStatus::Claimed),
                    allowed: t.from.to_vec(),
                })
            }
            Err(e) => Err(dynamo_err("UpdateItem")(e).into()),
        }
    }

    /// Take a task: `by` is on it. Only an open task can be claimed, so two people never
    /// hold one task.
    pub async fn claim_task(
        &self,
        key: &FeedbackKey,
        by: &str,
        now: OffsetDateTime,
    ) -> Result<(), TaskError> {
        let mut t = Transition::new(CLAIM, by, None);
        t.set = vec![("assignee", s(by)), ("claimed_at", s(ts(now)))];
        self.transition(key, t, now).await
    }

    /// Settle a task with a note. It moves to the resolved index, where the sweeper finds
    /// it to ask the customer to update their comment. `update_request` is that message,
    /// kept on the task for staff.
    pub async fn resolve_task(
        &self,
        key: &FeedbackKey,
        by: &str,
        note: &str,
        update_request: &str,
        now: OffsetDateTime,
    ) -> Result<(), TaskError> {
        let mut t = Transition::new(RESOLVE, by, Some(note));
        t.set = vec![
            ("resolution", s(note)),
            ("resolved_at", s(ts(now))),
            ("resolved_by", s(by)),
        ];
        if !update_request.is_empty() {
            t.set.push(("update_request", s(update_request)));
        }
        t.index = Index::Set(RESOLVED_TASKS, index_sk(now, key));
        self.transition(key, t, now).await
    }

    /// Give a task up, with why (a duplicate, spam that slipped through). Only tasks not
    /// yet resolved: a resolved case is always asked to update its review.
    pub async fn drop_task(
        &self,
        key: &FeedbackKey,
        by: &str,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), TaskError> {
        let mut t = Transition::new(DROP, by, Some(reason));
        t.set = vec![("drop_reason", s(reason)), ("dropped_at", s(ts(now)))];
        t.index = Index::Remove;
        self.transition(key, t, now).await
    }

    /// Open a task again (a claim given back, a case that came back, a drop that was a
    /// mistake), due at `due_at`. It may be escalated again; a customer already asked to
    /// update their review is not asked again.
    pub async fn reopen_task(
        &self,
        key: &FeedbackKey,
        by: &str,
        note: Option<&str>,
        due_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), TaskError> {
        let mut t = Transition::new(REOPEN, by, note);
        t.set = vec![("due_at", s(ts(due_at))), ("reopened_at", s(ts(now)))];
        t.remove = vec![
            "assignee",
            "claimed_at",
            "resolution",
            "resolved_at",
            "resolved_by",
            "closed_at",
            "drop_reason",
            "dropped_at",
            "escalated_at",
        ];
        t.unflag = vec![
            TaskFlag::Escalated.as_str(),
            TaskFlag::AskForUpdate.as_str(),
        ];
        t.index = Index::Set(OPEN_TASKS, index_sk(due_at, key));
        t.increment_round = true;
        self.transition(key, t, now).await
    }

    /// Close a task whose customer was asked to update their review.
    pub async fn close_task(
        &self,
        key: &FeedbackKey,
        by: &str,
        note: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(), TaskError> {
        let mut t = Transition::new(CLOSE, by, note);
        t.set = vec![("closed_at", s(ts(now)))];
        t.unflag = vec![TaskFlag::AskForUpdate.as_str()];
        t.index = Index::Remove;
        self.transition(key, t, now).await
    }

    /// Note that a resolved task's customer was asked to update their comment or review
    /// (or that staff must, with `text`), and move it on. `false`: it is no longer
    /// resolved (another sweeper did it, or staff reopened it).
    pub async fn record_update_request(
        &self,
        key: &FeedbackKey,
        outcome: UpdateRequestOutcome,
        text: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (note, channel) = match outcome {
            UpdateRequestOutcome::Sent => (
                "update request sent to the customer privately",
                Some(TaskChannel::PlatformMessage),
            ),
            UpdateRequestOutcome::StaffStep => (
                "the platform allows no message: staff send the update request by hand",
                Some(TaskChannel::Manual),
            ),
            UpdateRequestOutcome::DryRun => (
                "dry run: the update request was drafted, not sent",
                Some(TaskChannel::PlatformMessage),
            ),
            UpdateRequestOutcome::AskedBefore => {
                ("the customer was asked before; not asked again", None)
            }
        };
        let mut t = Transition::new(REQUEST_UPDATE, SWEEPER, Some(note));
        if let Some(channel) = channel {
            t.set.push(("update_requested_at", s(ts(now))));
            t.set.push(("update_request_channel", s(channel.as_str())));
            if !text.is_empty() {
                t.set.push(("update_request", s(text)));
            }
        }
        if outcome == UpdateRequestOutcome::StaffStep {
            t.flag = vec![TaskFlag::AskForUpdate.as_str()];
        }
        t.index = Index::Set(UPDATE_REQUESTED_TASKS, index_sk(now, key));
        match self.transition(key, t, now).await {
            Ok(()) => Ok(true),
            Err(TaskError::WrongStatus { .. } | TaskError::NotFound(_)) => Ok(false),
            Err(TaskError::Store(e)) => Err(e),
            Err(TaskError::NothingToApprove(_)) => Ok(false),
        }
    }

    /// Flag a task that went past its due time unresolved, once (per time it was opened).
    /// `true`: this call escalated it (so this caller tells staff).
    pub async fn escalate_task(
        &self,
        key: &FeedbackKey,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let entry = history_entry(
            TaskAction::Escalate,
            SWEEPER,
            None,
            Some("past its due time and not resolved"),
            now,
        );
        let res = self
            .update_item(key.pk(), TASK_SK)
            .update_expression(
                "SET escalated_at = :now, updated_at = :now, history = list_append(if_not_exists(history, :empty), :change) ADD flags :flag",
            )
            .condition_expression(
                "#status IN (:open, :claimed) AND attribute_not_exists(escalated_at) AND due_at < :now",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":open", s(TaskStatus::Open.as_str()))
            .expression_attribute_values(":claimed", s(TaskStatus::Claimed.as_str()))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":empty", AttributeValue::L(vec![]))
            .expression_attribute_values(":change", AttributeValue::L(vec![entry]))
            .expression_attribute_values(
                ":flag",
                AttributeValue::Ss(vec![TaskFlag::Escalated.as_str().to_owned()]),
            )
            .send()
            .await;
        conditional(res, "UpdateItem")
    }

    /// Note that staff were told about a new task, and keep its theme if it had none.
    pub async fn mark_task_announced(
        &self,
        key: &FeedbackKey,
        theme: Option<ComplaintTheme>,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut update = self
            .update_item(key.pk(), TASK_SK)
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":now", s(ts(now)));
        let expression = match theme {
            Some(theme) => {
                update = update.expression_attribute_values(":theme", s(theme.as_str()));
                "SET announced_at = if_not_exists(announced_at, :now), theme = if_not_exists(theme, :theme)"
            }
            None => "SET announced_at = if_not_exists(announced_at, :now)",
        };
        let res = update.update_expression(expression).send().await;
        conditional(res, "UpdateItem").map(|_| ())
    }
}
