//! Every way a staff action is refused. Each front end maps these once: the CLI prints
//! them (with a hint when the table cannot be reached), the API to status codes.

use feedback::records::{Channel, MessageState, TaskStatus};
use store::StoreError;
use store::approvals::ApprovalError;
use store::tasks::TaskError;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// Not an id like `facebook:777_1` (a task, an item) or `facebook:1029384756` (a page).
    #[error("{id:?} is not {what} ({form}, e.g. {example}): {why}")]
    InvalidId {
        id: String,
        what: &'static str,
        form: &'static str,
        example: &'static str,
        why: String,
    },
    /// A page setting given a value of another kind.
    #[error("{0}: not a value of its kind")]
    InvalidSetting(&'static str),
    #[error("no follow-up task for {0}")]
    NoTask(String),
    /// The task is not in a status the command starts from (claimed by someone else,
    /// already resolved).
    #[error("task {id} is {status}{}, not {}", by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default(), or_list(allowed))]
    WrongStatus {
        id: String,
        status: TaskStatus,
        /// Who holds it, when it is claimed.
        by: Option<String>,
        allowed: Vec<TaskStatus>,
    },
    #[error("task {0} has no drafts waiting for approval")]
    NothingToApprove(String),
    /// Staff edited a message that is not (or no longer) a draft.
    #[error("the {channel} message of {id} is {state}, not a draft: it cannot be edited")]
    NotADraft {
        id: String,
        channel: Channel,
        state: MessageState,
    },
    /// Staff edited a message the item does not have.
    #[error("{id} has no {channel} message to edit")]
    NoSuchMessage { id: String, channel: Channel },
    /// The page was changed since it was read ([`store::pages::ReadCheck::ReadAt`]).
    #[error(
        "the settings of {0} were changed by someone else since you read them; reload and try again"
    )]
    PageChanged(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn or_list(statuses: &[TaskStatus]) -> String {
    let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    names.join(" or ")
}

impl From<TaskError> for StaffError {
    fn from(e: TaskError) -> Self {
        match e {
            TaskError::NotFound(id) => StaffError::NoTask(id),
            TaskError::WrongStatus {
                id,
                status,
                by,
                allowed,
            } => StaffError::WrongStatus {
                id,
                status,
                by,
                allowed,
            },
            TaskError::NothingToApprove(id) => StaffError::NothingToApprove(id),
            TaskError::Store(e) => StaffError::Store(e),
        }
    }
}

impl From<ApprovalError> for StaffError {
    fn from(e: ApprovalError) -> Self {
        match e {
            ApprovalError::Task(e) => e.into(),
            ApprovalError::NotADraft { id, channel, state } => {
                StaffError::NotADraft { id, channel, state }
            }
            ApprovalError::NoSuchMessage { id, channel } => {
                StaffError::NoSuchMessage { id, channel }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_change_reads_as_the_store_words_it() {
        let store = TaskError::WrongStatus {
            id: "facebook:1".into(),
            status: TaskStatus::Claimed,
            by: Some("anna".into()),
            allowed: vec![TaskStatus::Open],
        };
        let words = store.to_string();
        assert_eq!(StaffError::from(store).to_string(), words);
        assert_eq!(words, "task facebook:1 is claimed by anna, not open");
    }
}
