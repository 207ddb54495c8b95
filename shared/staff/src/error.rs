//! Every way a staff action is refused. Each front end maps these once: the CLI prints
//! them (with a hint when the table cannot be reached), the API to status codes.

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
    /// already resolved), or has nothing to approve. Never `NotFound` or `Store`: those
    /// are [`StaffError::NoTask`] and [`StaffError::Store`].
    #[error(transparent)]
    Refused(TaskError),
    /// Staff edited a message that is not a draft, or that the item does not have. Never
    /// `Task`: that is [`StaffError::Refused`].
    #[error(transparent)]
    Edit(ApprovalError),
    /// The page was changed since it was read ([`store::pages::ReadCheck::ReadAt`]).
    #[error(
        "the settings of {0} were changed by someone else since you read them; reload and try again"
    )]
    PageChanged(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<TaskError> for StaffError {
    fn from(e: TaskError) -> Self {
        match e {
            TaskError::NotFound(id) => StaffError::NoTask(id),
            TaskError::Store(e) => StaffError::Store(e),
            e => StaffError::Refused(e),
        }
    }
}

impl From<ApprovalError> for StaffError {
    fn from(e: ApprovalError) -> Self {
        match e {
            ApprovalError::Task(e) => e.into(),
            e => StaffError::Edit(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedback::records::TaskStatus;

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
