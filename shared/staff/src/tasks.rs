//! The task commands: claim, resolve, drop, reopen, close, approve. Each takes who acts
//! (recorded in the task's history) and when; each is one conditional write in the store,
//! so two people never both succeed.

use crate::{Staff, StaffError};
use feedback::page::PageRecord;
use feedback::records::{Channel, NotificationEvent, TaskStatus};
use store::FeedbackKey;
use store::views::{ItemBundle, TaskView};
use time::OffsetDateTime;
use triage::PageSettings;

/// Which tasks a list shows: one status, the ones not yet resolved, or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Open and claimed: what still needs doing.
    Active,
    Only(TaskStatus),
    All,
}

impl StatusFilter {
    /// `active`, `all`, or a task status.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(StatusFilter::Active),
            "all" => Some(StatusFilter::All),
            s => TaskStatus::parse(s).map(StatusFilter::Only),
        }
    }

    pub fn matches(self, status: TaskStatus) -> bool {
        match self {
            StatusFilter::Active => status.is_unresolved(),
            StatusFilter::Only(wanted) => wanted == status,
            StatusFilter::All => true,
        }
    }
}

/// What resolving a task did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// "Would you update your comment or review?", as the sweeper will send it (empty:
    /// no feedback is stored for the task).
    pub update_request: String,
    /// How many of the page's notification targets are told (`task.resolved`).
    pub notified: usize,
}

impl Staff<'_> {
    /// The tasks of `status`: soonest due first (resolved ones: longest waiting for their
    /// update request first). Open, claimed, resolved and
    /// asked-to-update tasks are each one query on the task index; closed and dropped
    /// ones are no longer indexed (a scan).
    pub async fn tasks(&self, status: StatusFilter) -> Result<Vec<TaskView>, StaffError> {
        let tasks = match status {
            StatusFilter::Active
            | StatusFilter::Only(TaskStatus::Open)
            | StatusFilter::Only(TaskStatus::Claimed) => self.store.open_tasks().await?,
            StatusFilter::Only(TaskStatus::Resolved) => self.store.resolved_tasks().await?,
            StatusFilter::Only(TaskStatus::UpdateRequested) => {
                let mut tasks = self
                    .store
                    .indexed_tasks(store::keys::UPDATE_REQUESTED_TASKS, None)
                    .await?;
                // Indexed by when the customer was asked; listed by due time like the rest.
                tasks.sort_by_key(|t| t.due_at);
                tasks
            }
            _ => self.store.all_tasks().await?,
        };
        Ok(tasks
            .into_iter()
            .filter(|t| status.matches(t.status))
            .collect())
    }

    /// The page of a task: its settings over the defaults, and its record.
    pub(crate) async fn page_of(
        &self,
        task: &TaskView,
    ) -> Result<(PageSettings, PageRecord), StaffError> {
        let page = self
            .store
            .page(&task.platform, &task.account_id)
            .await?
            .unwrap_or_default();
        Ok((PageSettings::from_config(&page.config, self.defaults), page))
    }

    async fn task(&self, key: &FeedbackKey) -> Result<TaskView, StaffError> {
        self.store
            .task(key)
            .await?
            .ok_or_else(|| StaffError::NoTask(key.id()))
    }

    /// "Would you update your comment or review?" in the customer's language, with the
    /// page's wording and templates, exactly as the sweeper sends it. Empty when no
    /// feedback is stored.
    pub(crate) async fn update_request_text(
        &self,
        task: &TaskView,
        bundle: &ItemBundle,
    ) -> Result<String, StaffError> {
        let Some(record) = &bundle.feedback else {
            return Ok(String::new());
        };
        let (settings, page) = self.page_of(task).await?;
        let templates = service::texts::page_templates(&page, self.templates);
        Ok(service::texts::update_request(
            &templates,
            &settings,
            Some(record),
            Some(task),
            service::texts::declared_author_names(&task.platform),
        ))
    }

    /// Settle a task with a note; the customer will be asked to update their comment or
    /// review (the text is kept on the task), and the page's targets are told.
    pub async fn resolve(
        &self,
        key: &FeedbackKey,
        by: &str,
        note: &str,
        now: OffsetDateTime,
    ) -> Result<Resolved, StaffError> {
        let bundle = self.store.item(key).await?;
        let task = bundle
            .task
            .as_ref()
            .ok_or_else(|| StaffError::NoTask(key.id()))?;
        let ask = self.update_request_text(task, &bundle).await?;
        self.store.resolve_task(key, by, note, &ask, now).await?;
        let notified = self.announce_resolved(key, now).await?;
        Ok(Resolved {
            update_request: ask,
            notified,
        })
    }

    /// Tell the page's targets a task was resolved (`task.resolved`; the sweeper
    /// delivers it). Returns how many targets will be told.
    async fn announce_resolved(
        &self,
        key: &FeedbackKey,
        now: OffsetDateTime,
    ) -> Result<usize, StaffError> {
        let Some(task) = self.store.task(key).await? else {
            return Ok(0);
        };
        let (_, page) = self.page_of(&task).await?;
        let targets = store::notify::targets(&page.config);
        if targets.is_empty() {
            return Ok(0);
        }
        let event =
            store::notify::Event::for_task(NotificationEvent::TaskResolved, &task, None, now);
        self.store
            .enqueue_notification(&event, &targets, now)
            .await?;
        Ok(targets.len())
    }

    /// Open a task again, due in `due_in_hours` (`None`: the page's SLA). Returns when it
    /// is due.
    pub async fn reopen(
        &self,
        key: &FeedbackKey,
        by: &str,
        note: Option<&str>,
        due_in_hours: Option<u32>,
        now: OffsetDateTime,
    ) -> Result<OffsetDateTime, StaffError> {
        let task = self.task(key).await?;
        let hours = match due_in_hours {
            Some(h) => h,
            None => self.page_of(&task).await?.0.sla_hours,
        };
        let due_at = now + time::Duration::hours(i64::from(hours));
        self.store.reopen_task(key, by, note, due_at, now).await?;
        Ok(due_at)
    }
}

/// The commands that are one conditional write in the store, declared with their
/// arguments: each passes them on to the store's method named after `=`, its refusal
/// worded as staff see it ([`StaffError`]).
macro_rules! store_commands {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty = $store:ident;
    )*) => {
        impl Staff<'_> {
            $(
                $(#[$doc])*
                pub async fn $name(&self, $($arg: $ty),*) -> $ret {
                    Ok(self.store.$store($($arg),*).await?)
                }
            )*
        }
    };
}

store_commands! {
    /// Take a task: `by` is on it. Only an open task can be claimed.
    fn claim(key: &FeedbackKey, by: &str, now: OffsetDateTime) -> Result<(), StaffError> = claim_task;

    /// Give a task up, with why. Only tasks not yet resolved.
    fn drop_task(key: &FeedbackKey, by: &str, reason: &str, now: OffsetDateTime) -> Result<(), StaffError> = drop_task;

    /// Close a task whose customer was asked to update their review.
    fn close(key: &FeedbackKey, by: &str, note: Option<&str>, now: OffsetDateTime) -> Result<(), StaffError> = close_task;

    /// Approve a task's drafts, with staff's edits (kept beside the drafts): all in one
    /// transaction, so two approvals never both succeed. Returns the channels approved.
    fn approve(key: &FeedbackKey, by: &str, edits: &[(Channel, &str)], now: OffsetDateTime) -> Result<Vec<Channel>, StaffError> = approve_drafts;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_filter_reads_active_all_or_one_status_and_matches_accordingly() {
        for (typed, wanted) in [
            ("active", Some(StatusFilter::Active)),
            ("all", Some(StatusFilter::All)),
            (
                "update_requested",
                Some(StatusFilter::Only(TaskStatus::UpdateRequested)),
            ),
            ("later", None),
        ] {
            assert_eq!(StatusFilter::parse(typed), wanted, "{typed}");
        }
        assert!(StatusFilter::Active.matches(TaskStatus::Claimed));
        assert!(!StatusFilter::Active.matches(TaskStatus::Resolved));
        assert!(StatusFilter::All.matches(TaskStatus::Dropped));
        assert!(!StatusFilter::Only(TaskStatus::Open).matches(TaskStatus::Claimed));
    }
}
