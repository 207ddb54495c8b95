//! What the API answers, field by field: the inbox's own shapes, built from the store's
//! views. Only what staff need leaves the function (never a platform's raw JSON, a
//! page's token source or a notification target).

use crate::auth::{Identity, Role};
use feedback::page::ReplyMode;
use feedback::records::TaskFlag;
use feedback::records::{
    Channel, ComplaintTheme, MessageState, TaskAction, TaskChannel, TaskStatus,
};
use serde::Serialize;
use store::FeedbackRecord;
use store::approvals::MessageEdit;
use store::pages::PageView;
use store::views::FeedbackSummary;
use store::views::{ItemBundle, TaskView};
use time::OffsetDateTime;

/// Queue rows show this much of the customer's text.
pub const EXCERPT_CHARS: usize = 160;

/// One row of the queue.
#[derive(Debug, Serialize)]
pub struct TaskRow {
    pub id: String,
    pub platform: String,
    /// `{platform}:{account id}`
    pub page: String,
    pub status: TaskStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    pub overdue: bool,
    pub label: String,
    pub theme: Option<ComplaintTheme>,
    pub language: String,
    pub channel: TaskChannel,
    pub mode: ReplyMode,
    pub assignee: Option<String>,
    pub flags: Vec<String>,
    pub next_step: String,
    pub author_name: Option<String>,
    /// The first characters of what the customer wrote.
    pub excerpt: Option<String>,
    pub rating: Option<u8>,
    pub kind: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

fn excerpt(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    let flat = flat.trim();
    if flat.chars().count() <= EXCERPT_CHARS {
        return flat.to_owned();
    }
    let cut: String = flat.chars().take(EXCERPT_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

pub fn task_row(t: &TaskView, summary: Option<&FeedbackSummary>, now: OffsetDateTime) -> TaskRow {
    TaskRow {
        id: t.id.clone(),
        platform: t.platform.to_string(),
        page: format!("{}:{}", t.platform, t.account_id),
        status: t.status,
        due_at: t.due_at,
        overdue: t.is_overdue(now),
        label: t.label.clone(),
        theme: t.theme,
        language: t.language.clone(),
        channel: t.channel,
        mode: t.mode,
        assignee: t
            .assignee
            .clone()
            .filter(|_| t.status == TaskStatus::Claimed),
        flags: t.flags.clone(),
        next_step: t.next_step.clone(),
        author_name: summary.and_then(|s| s.author_name.clone()),
        excerpt: summary.and_then(|s| s.text.as_deref()).map(excerpt),
        rating: summary.and_then(|s| s.rating).map(|r| r.stars()),
        kind: summary.and_then(|s| s.kind.clone()),
        created_at: t.created_at,
    }
}

/// A page of the queue, with what its filters can choose from.
#[derive(Debug, Serialize)]
pub struct TaskList {
    /// Every page in a crisis (README, "Crisis hold"): the banner on top of the inbox.
    pub crises: Vec<CrisisBanner>,
    pub tasks: Vec<TaskRow>,
    /// All tasks the filters match (over every page of results).
    pub total: usize,
    pub next_cursor: Option<String>,
    pub facets: Facets,
    #[serde(with = "time::serde::rfc3339")]
    pub now: OffsetDateTime,
}

/// A page in a crisis, for the banner on top of the inbox: since when and why.
#[derive(Debug, Serialize)]
pub struct CrisisBanner {
    /// `{platform}:{account id}`
    pub page: String,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// Why, in words for staff.
    pub reason: String,
    /// The theme that spiked, its complaints in the hour before, and the usual count.
    pub theme: String,
    pub count: u32,
    pub usual: f64,
    /// The themes of that hour's complaints, most first (three at most).
    pub top_themes: Vec<ThemeCount>,
    /// Replies are held for approval (`false`: the page asked for an alert only).
    pub hold: bool,
    /// Whether the one asking may end it (owners).
    pub may_end: bool,
}

#[derive(Debug, Serialize)]
pub struct ThemeCount {
    pub theme: String,
    pub count: u32,
}

pub fn crisis_banner(spike: &store::spikes::Spike, may_end: bool) -> CrisisBanner {
    CrisisBanner {
        page: spike.page(),
        since: spike.started_at,
        reason: spike.reason(),
        theme: spike.theme.clone(),
        count: spike.count,
        usual: (spike.usual * 10.0).round() / 10.0,
        top_themes: spike
            .themes
            .iter()
            .take(3)
            .map(|(theme, count)| ThemeCount {
                theme: theme.clone(),
                count: *count,
            })
            .collect(),
        hold: spike.hold,
        may_end,
    }
}

/// What ending a crisis did.
#[derive(Debug, Serialize)]
pub struct CrisisEnded {
    pub page: String,
    /// `false`: the page was in no crisis (someone ended it first): nothing changed.
    pub ended: bool,
    /// The last crisis's end, and who ended it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    pub ended_by: Option<String>,
}

/// The values the queue's filters offer: those present among tasks of the chosen status.
#[derive(Debug, Serialize, Default)]
pub struct Facets {
    pub pages: Vec<String>,
    pub platforms: Vec<String>,
    pub labels: Vec<String>,
}

/// One change in a task's history.
#[derive(Debug, Serialize)]
pub struct HistoryEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub by: String,
    pub action: TaskAction,
    pub to: Option<TaskStatus>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TaskDetail {
    pub id: String,
    pub status: TaskStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    pub overdue: bool,
    pub label: String,
    pub theme: Option<ComplaintTheme>,
    pub language: String,
    pub channel: TaskChannel,
    pub mode: ReplyMode,
    pub next_step: String,
    pub assignee: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub claimed_at: Option<OffsetDateTime>,
    pub resolution: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    pub resolved_by: Option<String>,
    pub drop_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub update_requested_at: Option<OffsetDateTime>,
    pub update_request_channel: Option<TaskChannel>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub escalated_at: Option<OffsetDateTime>,
    pub flags: Vec<String>,
    pub flag_reason: Option<String>,
    pub round: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub history: Vec<HistoryEntry>,
}

fn task_detail(t: &TaskView, now: OffsetDateTime) -> TaskDetail {
    TaskDetail {
        id: t.id.clone(),
        status: t.status,
        due_at: t.due_at,
        overdue: t.is_overdue(now),
        label: t.label.clone(),
        theme: t.theme,
        language: t.language.clone(),
        channel: t.channel,
        mode: t.mode,
        next_step: t.next_step.clone(),
        assignee: t.assignee.clone(),
        claimed_at: t.claimed_at,
        resolution: t.resolution.clone(),
        resolved_at: t.resolved_at,
        resolved_by: t.resolved_by.clone(),
        drop_reason: t.drop_reason.clone(),
        update_requested_at: t.update_requested_at,
        update_request_channel: t.update_request_channel,
        closed_at: t.closed_at,
        escalated_at: t.escalated_at,
        flags: t.flags.clone(),
        flag_reason: t.flag_reason.clone(),
        round: t.round,
        created_at: t.created_at,
        history: t
            .history
            .iter()
            .map(|c| HistoryEntry {
                at: c.at,
                by: c.by.clone(),
                action: c.action,
                to: c.to,
                note: c.note.clone(),
            })
            .collect(),
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

/// A page's settings: as stored (`null`: the default applies) and as they apply.
#[derive(Debug, Serialize)]
pub struct PageDetail {
    pub id: String,
    pub platform: String,
    pub account_id: String,
    /// Only the settings the inbox changes; `null` where the page has none of its own.
    pub settings: serde_json::Value,
    /// What applies: the page's settings over the deployment's defaults.
    pub effective: serde_json::Value,
    pub needs_reconnect: bool,
    pub reconnect_reason: Option<String>,
    /// Send this back as `read_at` with a change.
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

pub fn page_detail(
    platform: &feedback::Platform,
    account: &feedback::AccountId,
    page: Option<&PageView>,
    defaults: &triage::PageSettings,
) -> PageDetail {
    let record = page.map(|p| p.record.clone()).unwrap_or_default();
    let c = &record.config;
    let effective = triage::PageSettings::from_config(c, defaults);
    PageDetail {
        id: format!("{platform}:{account}"),
        platform: platform.to_string(),
        account_id: account.to_string(),
        settings: serde_json::json!({
            "brand_name": c.brand_name,
            "default_language": c.default_language,
            "mode": c.mode,
            "thank_positive": c.thank_positive,
            "sla_hours": c.sla_hours,
            "signature": c.signature,
            "contact": c.contact,
            "max_age_hours": c.max_age_hours,
            "resolved_reply": c.resolved_reply,
            "update_request_delay_hours": c.update_request_delay_hours,
        }),
        effective: serde_json::json!({
            "brand_name": effective.brand_name,
            "default_language": effective.default_language.code(),
            "mode": effective.mode,
            "thank_positive": effective.thank_positive,
            "sla_hours": effective.sla_hours,
            "signature": effective.signature,
            "contact": effective.contact,
            "max_age_hours": effective.max_age_hours,
            "resolved_reply": c.resolved_reply.unwrap_or(false),
            "update_request_delay_hours": c.update_request_delay_hours,
        }),
        needs_reconnect: record.needs_reconnect,
        reconnect_reason: record.reconnect_reason.clone(),
        updated_at: page.and_then(|p| p.updated_at),
    }
}

/// Who is signed in, how the history names them, and what their role lets them do (the
/// page hides the rest; the API refuses it anyway).
#[derive(Debug, Serialize)]
pub struct Me {
    pub subject: String,
    pub name: String,
    pub by: String,
    pub role: Option<Role>,
    pub may: Permissions,
}

#[derive(Debug, Serialize)]
pub struct Permissions {
    pub read: bool,
    pub work_tasks: bool,
    pub change_pages: bool,
}

impl Me {
    pub fn of(who: &Identity) -> Self {
        Self {
            subject: who.subject.clone(),
            name: who.name.clone(),
            by: who.by(),
            role: who.role,
            may: Permissions {
                read: who.may(Role::Viewer),
                work_tasks: who.may(Role::Staff),
                change_pages: who.may(Role::Owner),
            },
        }
    }
}
