//! The one view of a task staff work from: the task, the comment or review, our messages
//! (with staff's edits beside the drafts), what was sent after, approvals, the update
//! request and what can be done now. The inbox answers it and `feedbackctl tasks show
//! --json` prints it: the same JSON. Never a platform's raw JSON or a page's secrets.

use crate::{Staff, StaffError};
use feedback::records::{Channel, MessageState, TaskChannel, TaskFlag, TaskStatus};
use serde::Serialize;
use store::approvals::MessageEdit;
use store::views::{ItemBundle, TaskView};
use store::{FeedbackKey, FeedbackRecord};
use time::OffsetDateTime;

/// The task as stored, and whether it is overdue now.
#[derive(Debug, Serialize)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub task: TaskView,
    pub overdue: bool,
}

fn task_detail(t: &TaskView, now: OffsetDateTime) -> TaskDetail {
    TaskDetail {
        task: t.clone(),
        overdue: t.is_overdue(now),
    }
}

#[derive(Debug, Serialize)]
pub struct PastRating {
    pub rating: u8,
    #[serde(with = "time::serde::rfc3339")]
    pub replaced_at: OffsetDateTime,
}

#[derive(Debug, Serialize)]
pub struct PastText {
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    pub replaced_at: OffsetDateTime,
}

/// The comment or review, without the platform's raw JSON.
#[derive(Debug, Serialize)]
pub struct FeedbackDetail {
    pub platform: String,
    pub page: String,
    pub item_id: String,
    pub kind: String,
    pub author_name: Option<String>,
    pub text: Option<String>,
    pub rating: Option<u8>,
    pub rating_history: Vec<PastRating>,
    pub text_history: Vec<PastText>,
    pub url: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub created_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    pub edited: bool,
    pub removed: bool,
    pub decision: Option<String>,
    pub label: Option<String>,
    pub language: Option<String>,
    /// How sure the responder was, why, and whether it held the item for a person.
    pub confidence: Option<String>,
}

fn feedback_detail(r: &FeedbackRecord) -> FeedbackDetail {
    let f = &r.feedback;
    FeedbackDetail {
        platform: f.platform.to_string(),
        page: format!("{}:{}", f.platform, f.account_id),
        item_id: f.item_id.to_string(),
        kind: f.kind.as_str().to_owned(),
        author_name: f.author_name.clone(),
        text: f.text.clone(),
        rating: f.rating.map(|r| r.stars()),
        rating_history: r
            .rating_history
            .iter()
            .map(|p| PastRating {
                rating: p.rating.stars(),
                replaced_at: p.replaced_at,
            })
            .collect(),
        text_history: r
            .text_history
            .iter()
            .map(|p| PastText {
                text: p.text.clone(),
                replaced_at: p.replaced_at,
            })
            .collect(),
        // Only links a browser may follow.
        url: f
            .url
            .clone()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        created_at: f.created_at,
        received_at: f.received_at,
        edited: r.edited,
        removed: r.removed,
        decision: r.decision.map(|d| d.to_stored()),
        label: r.label.clone(),
        language: r.language.clone(),
        confidence: r.confidence.clone(),
    }
}

/// One of our messages: the draft, staff's edit beside it, and where it stands.
#[derive(Debug, Serialize)]
pub struct MessageDetail {
    pub channel: Channel,
    pub state: MessageState,
    /// The responder's draft.
    pub text: String,
    /// Sent instead when the item's private message was not sent.
    pub alt_text: Option<String>,
    /// The text staff approved instead of the draft.
    pub edited_text: Option<String>,
    pub edited_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub edited_at: Option<OffsetDateTime>,
    pub approved_by: Option<String>,
    pub attempts: u32,
    pub failure: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct FollowUpDetail {
    pub kind: String,
    pub state: MessageState,
    pub text: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
    pub failure: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ApprovalDetail {
    pub approved_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// "Would you update your comment or review?": the text, and whether staff must send it.
#[derive(Debug, Serialize)]
pub struct UpdateRequest {
    pub text: String,
    /// The platform allows no message: staff send it themselves (copy it).
    pub by_hand: bool,
    /// Already sent or handed to staff (`false`: what will be sent once resolved).
    pub requested: bool,
}

/// What can be done to a task now.
#[derive(Debug, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Claim,
    Resolve,
    Drop,
    Reopen,
    Close,
    Approve,
}

pub fn actions(status: TaskStatus, has_drafts: bool) -> Vec<Action> {
    let mut a = match status {
        TaskStatus::Open => vec![Action::Claim, Action::Resolve, Action::Drop],
        TaskStatus::Claimed => vec![Action::Resolve, Action::Drop, Action::Reopen],
        TaskStatus::UpdateRequested => vec![Action::Close, Action::Reopen],
        TaskStatus::Resolved | TaskStatus::Closed | TaskStatus::Dropped => {
            vec![Action::Reopen]
        }
    };
    if has_drafts && status.is_unresolved() {
        a.insert(0, Action::Approve);
    }
    a
}

/// Everything staff need about one task.
#[derive(Debug, Serialize)]
pub struct TaskShow {
    pub task: TaskDetail,
    pub feedback: Option<FeedbackDetail>,
    pub messages: Vec<MessageDetail>,
    pub followups: Vec<FollowUpDetail>,
    pub approvals: Vec<ApprovalDetail>,
    pub update_request: Option<UpdateRequest>,
    pub actions: Vec<Action>,
    #[serde(with = "time::serde::rfc3339")]
    pub now: OffsetDateTime,
}

pub fn task_show(
    task: &TaskView,
    bundle: &ItemBundle,
    edits: &[MessageEdit],
    update_request: Option<String>,
    now: OffsetDateTime,
) -> TaskShow {
    // The public reply first: it is what everyone sees.
    let mut ordered: Vec<_> = bundle.messages.iter().collect();
    ordered.sort_by_key(|m| m.channel != Channel::Public);
    let messages: Vec<MessageDetail> = ordered
        .into_iter()
        .map(|m| {
            let edit = edits.iter().find(|e| e.channel == m.channel);
            MessageDetail {
                channel: m.channel,
                state: m.state,
                text: m.text.clone(),
                alt_text: m.alt_text.clone(),
                edited_text: edit.map(|e| e.text.clone()),
                edited_by: edit.map(|e| e.by.clone()),
                edited_at: edit.map(|e| e.at),
                approved_by: m.approved_by.clone(),
                attempts: m.attempts,
                failure: m.failure.clone(),
            }
        })
        .collect();
    let has_drafts = messages.iter().any(|m| m.state == MessageState::Draft);
    let requested = task.update_requested_at.is_some();
    let by_hand = task
        .flags
        .iter()
        .any(|f| f == TaskFlag::AskForUpdate.as_str())
        || task.update_request_channel == Some(TaskChannel::Manual)
        || (!requested && task.channel == TaskChannel::Manual);
    TaskShow {
        task: task_detail(task, now),
        feedback: bundle.feedback.as_ref().map(feedback_detail),
        messages,
        followups: bundle
            .followups
            .iter()
            .map(|f| FollowUpDetail {
                kind: f.kind.as_str().to_owned(),
                state: f.state,
                text: f.text.clone(),
                sent_at: f.sent_at,
                failure: f.failure.clone(),
            })
            .collect(),
        approvals: bundle
            .approvals
            .iter()
            .map(|a| ApprovalDetail {
                approved_by: a.approved_by.clone(),
                at: a.created_at,
            })
            .collect(),
        update_request: task
            .update_request
            .clone()
            .or(update_request)
            .filter(|t| !t.is_empty())
            .map(|text| UpdateRequest {
                text,
                by_hand,
                requested,
            }),
        actions: actions(task.status, has_drafts),
        now,
    }
}

impl Staff<'_> {
    /// Everything staff need about one task.
    pub async fn show(
        &self,
        key: &FeedbackKey,
        now: OffsetDateTime,
    ) -> Result<TaskShow, StaffError> {
        let bundle = self.store.item(key).await?;
        let Some(task) = &bundle.task else {
            return Err(StaffError::NoTask(key.id()));
        };
        let edits = if bundle.messages.is_empty() {
            Vec::new()
        } else {
            self.store.message_edits(key).await?
        };
        // Resolved through another tool before it kept the text: worked out as it would be.
        let update_request = if task.update_request.is_none() && !task.status.is_unresolved() {
            Some(self.update_request_text(task, &bundle).await?)
        } else {
            None
        };
        Ok(task_show(task, &bundle, &edits, update_request, now))
    }
}
