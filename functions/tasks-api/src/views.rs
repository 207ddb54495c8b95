//! What the API answers, field by field: the inbox's own shapes, built from the store's
//! views (one task is [`staff::view::TaskShow`], the shape `feedbackctl tasks show --json`
//! prints too). Only what staff need leaves the function (never a platform's raw JSON, a
//! page's token source or a notification target).

use crate::auth::{Identity, Role};
use feedback::page::ReplyMode;
use feedback::records::{ComplaintTheme, TaskChannel, TaskStatus};
use serde::Serialize;
use store::pages::PageView;
use store::views::FeedbackSummary;
use store::views::TaskView;
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
