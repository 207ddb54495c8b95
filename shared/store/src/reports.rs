//! The facts behind the reports (`feedbackctl report`): every task opened since a time,
//! with when its feedback arrived, when the first public reply went out, and its text
//! (for tasks opened before themes were kept). Staff tools only: three filtered scans,
//! joined here.

use crate::StoreError;
use crate::codec::{Item, get_str, parse_ts};
use crate::dynamo::DynamoStore;
use crate::dynamo::scan_all;
use crate::keys::*;
use crate::views::TaskView;
use feedback::records::{Channel, MessageState, RecordType};
use std::collections::HashMap;
use time::OffsetDateTime;

/// One task and what the reports need to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFacts {
    pub task: TaskView,
    /// When its feedback arrived.
    pub received_at: Option<OffsetDateTime>,
    /// When the first public reply was posted (`None`: none was).
    pub first_public_reply_at: Option<OffsetDateTime>,
    /// The feedback's text, when the task has no theme yet (to work one out).
    pub text: Option<String>,
}

impl DynamoStore {
    /// Every record of `record_type`, with only the attributes named (each through a
    /// placeholder, as some are reserved words).
    async fn scan_projected(
        &self,
        record_type: RecordType,
        attributes: &[&str],
    ) -> Result<Vec<Item>, StoreError> {
        let mut scan = self.scan_of(record_type);
        let mut projection = Vec::new();
        for (i, name) in attributes.iter().enumerate() {
            scan = scan.expression_attribute_names(format!("#p{i}"), *name);
            projection.push(format!("#p{i}"));
        }
        scan_all(scan.projection_expression(projection.join(", "))).await
    }

    /// Every task opened at or after `since`, with its facts.
    pub async fn report_facts(&self, since: OffsetDateTime) -> Result<Vec<TaskFacts>, StoreError> {
        let tasks: Vec<TaskView> = self
            .all_tasks()
            .await?
            .into_iter()
            .filter(|t| t.created_at >= since)
            .collect();
        if tasks.is_empty() {
            return Ok(Vec::new());
        }
        let feedback = self
            .scan_projected(RecordType::Feedback, &["pk", "received_at", "text"])
            .await?;
        let feedback: HashMap<&str, &Item> = feedback
            .iter()
            .filter_map(|i| Some((get_str(i, PK)?, i)))
            .collect();
        let public_sk = message_sk(Channel::Public);
        let messages = self
            .scan_projected(RecordType::Message, &["pk", "sk", "state", "sent_at"])
            .await?;
        let replied: HashMap<&str, OffsetDateTime> = messages
            .iter()
            .filter(|m| get_str(m, SK) == Some(public_sk.as_str()))
            .filter(|m| {
                get_str(m, "state").and_then(MessageState::parse) == Some(MessageState::Sent)
            })
            .filter_map(|m| Some((get_str(m, PK)?, get_str(m, "sent_at").and_then(parse_ts)?)))
            .collect();
        Ok(tasks
            .into_iter()
            .map(|task| {
                let pk = task.key().pk();
                let f = feedback.get(pk.as_str());
                TaskFacts {
                    received_at: f.and_then(|f| get_str(f, "received_at")).and_then(parse_ts),
                    first_public_reply_at: replied.get(pk.as_str()).copied(),
                    text: f
                        .filter(|_| task.theme.is_none())
                        .and_then(|f| get_str(f, "text"))
                        .map(str::to_owned),
                    task,
                }
            })
            .collect())
    }
}
