//! What staff tools (`feedbackctl`) read and change: follow-up tasks, feedback, pages.
//! Items come back as JSON objects (every stored attribute), for tables and `--json`.

use crate::codec::{Item, get_str, s, ts};
use crate::dynamo::{DynamoStore, dynamo_err, is_conditional_failure};
use crate::followup::Channel;
use crate::keys::*;
use crate::{FeedbackKey, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;
use feedback::Platform;
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// A stored item as JSON: strings, numbers, booleans, lists, maps and string sets.
pub fn item_json(item: &Item) -> Value {
    fn value(v: &AttributeValue) -> Value {
        match v {
            AttributeValue::S(s) => Value::String(s.clone()),
            AttributeValue::N(n) => n
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| n.parse::<f64>().map(Value::from))
                .unwrap_or_else(|_| Value::String(n.clone())),
            AttributeValue::Bool(b) => Value::Bool(*b),
            AttributeValue::L(l) => Value::Array(l.iter().map(value).collect()),
            AttributeValue::M(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), value(v))).collect())
            }
            AttributeValue::Ss(ss) => Value::Array(ss.iter().cloned().map(Value::String).collect()),
            AttributeValue::Null(_) => Value::Null,
            _ => Value::String("<binary>".into()),
        }
    }
    let mut out = Map::new();
    let mut keys: Vec<_> = item.keys().collect();
    keys.sort();
    for k in keys {
        out.insert(k.clone(), value(&item[k]));
    }
    Value::Object(out)
}

/// What changing a task can run into.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("no follow-up task for {0}")]
    NotFound(String),
    #[error("task {id} is {status}, not {expected}")]
    WrongStatus {
        id: String,
        status: String,
        expected: &'static str,
    },
    #[error("task {0} has no drafts waiting for approval")]
    NothingToApprove(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DynamoStore {
    async fn query_all(
        &self,
        index: Option<&str>,
        key_condition: &str,
        values: Vec<(&str, AttributeValue)>,
        forward: bool,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let mut q = self
                .client()
                .query()
                .table_name(self.table())
                .set_index_name(index.map(str::to_owned))
                .key_condition_expression(key_condition)
                .scan_index_forward(forward)
                .set_exclusive_start_key(start);
            for (k, v) in &values {
                q = q.expression_attribute_values(*k, v.clone());
            }
            let out = q.send().await.map_err(dynamo_err("Query"))?;
            items.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    async fn scan_type(&self, record_type: &str) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client()
                .scan()
                .table_name(self.table())
                .filter_expression("record_type = :t")
                .expression_attribute_values(":t", s(record_type))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(dynamo_err("Scan"))?;
            items.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    /// Open tasks, soonest due first (one query on the sparse index).
    pub async fn open_tasks(&self) -> Result<Vec<Item>, StoreError> {
        self.query_all(
            Some("gsi1"),
            "gsi1pk = :open",
            vec![(":open", s(OPEN_TASKS))],
            true,
        )
        .await
    }

    /// Every task (any status), for the rarer look at resolved ones.
    pub async fn all_tasks(&self) -> Result<Vec<Item>, StoreError> {
        let mut tasks = self.scan_type("task").await?;
        tasks.sort_by(|a, b| get_str(a, "due_at").cmp(&get_str(b, "due_at")));
        Ok(tasks)
    }

    /// Feedback of one platform received since `since` (RFC 3339), newest first.
    pub async fn feedback_since(
        &self,
        platform: Platform,
        since: Option<OffsetDateTime>,
    ) -> Result<Vec<Item>, StoreError> {
        let from = since.map(ts).unwrap_or_default();
        self.query_all(
            Some("gsi2"),
            "gsi2pk = :p AND gsi2sk >= :from",
            vec![(":p", s(feedback_by_time_pk(platform))), (":from", s(from))],
            false,
        )
        .await
    }

    /// Everything stored under one feedback item: the feedback, its messages, its task.
    pub async fn feedback_bundle(&self, key: &FeedbackKey) -> Result<Vec<Item>, StoreError> {
        self.query_all(None, "pk = :pk", vec![(":pk", s(key.pk()))], true)
            .await
    }

    pub async fn pages(&self) -> Result<Vec<Item>, StoreError> {
        self.scan_type("page").await
    }

    async fn task_status(&self, key: &FeedbackKey) -> Result<String, TaskError> {
        let task = self
            .task_item(key)
            .await?
            .ok_or_else(|| TaskError::NotFound(task_id(key)))?;
        Ok(get_str(&task, "status").unwrap_or("?").to_owned())
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
            .expression_attribute_values(":open", s("open"))
            .expression_attribute_values(":by", s(by))
            .expression_attribute_values(":now", s(ts(now)))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if is_conditional_failure(&e) => Err(TaskError::WrongStatus {
                id: task_id(key),
                status: self.task_status(key).await?,
                expected: "open",
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
            .expression_attribute_values(":open", s("open"))
            .expression_attribute_values(":resolved", s("resolved"))
            .expression_attribute_values(":note", s(note))
            .expression_attribute_values(":ask", s(update_request))
            .expression_attribute_values(":now", s(ts(now)))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if is_conditional_failure(&e) => Err(TaskError::WrongStatus {
                id: task_id(key),
                status: self.task_status(key).await?,
                expected: "open",
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
        if status != "open" {
            return Err(TaskError::WrongStatus {
                id: task_id(key),
                status,
                expected: "open",
            });
        }
        let mut approved = 0;
        for channel in [Channel::Public, Channel::Private] {
            let res = self
                .client()
                .update_item()
                .table_name(self.table())
                .key(PK, s(key.pk()))
                .key(SK, s(format!("message#{}", channel.as_str())))
                .update_expression("SET #state = :pending, approved_by = :by, approved_at = :now, updated_at = :now")
                .condition_expression("#state = :draft")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":pending", s("pending"))
                .expression_attribute_values(":draft", s("draft"))
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
            return Err(TaskError::NothingToApprove(task_id(key)));
        }
        let res = self
            .client()
            .put_item()
            .table_name(self.table())
            .item(PK, s(key.pk()))
            .item(SK, s(format!("approval#{}", ts(now))))
            .item(RECORD_TYPE, s("approval"))
            .item("approved_by", s(by))
            .item("created_at", s(ts(now)))
            .send()
            .await;
        res.map_err(dynamo_err("PutItem"))?;
        Ok(approved)
    }
}

/// How tasks are named to staff: `{platform}:{item id}`.
pub fn task_id(key: &FeedbackKey) -> String {
    format!("{}:{}", key.platform, key.item_id)
}

/// Read a task or feedback id (`facebook:777_1`).
pub fn parse_task_id(id: &str) -> Option<FeedbackKey> {
    let (platform, item) = id.split_once(':')?;
    Some(FeedbackKey {
        platform: Platform::parse(platform)?,
        item_id: feedback::ItemId::parse(item).ok()?,
    })
}
