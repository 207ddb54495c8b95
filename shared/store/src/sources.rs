//! Polled review sources (an app on a store): one cursor record each, keyed
//! `source#{platform}#{app}` / `cursor`, saying how far the poller has stored the app's
//! reviews and how its last run went.
//!
//! Every change is conditional, so two runs at once never skip or double a review:
//! - a run first **claims** the source (a lease that expires, so a run that dies frees it);
//!   a second run finds it held and leaves it alone;
//! - the cursor is **advanced** only by the run holding the lease, only from the version it
//!   read, and only after the reviews it covers are stored (a run that dies before never
//!   moved it: the next run reads them again, and storing is idempotent);
//! - a **failure** is kept on the record with when to try again (backoff).

use crate::codec::{Item, get_str, n, parse_ts, s, ts};
use crate::dynamo::{conditional, dynamo_err};
use crate::keys::RECORD_TYPE;
use crate::{DynamoStore, StoreError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use feedback::records::RecordType;
use feedback::{AccountId, Platform};
use time::{Duration, OffsetDateTime};

pub const CURSOR_SK: &str = "cursor";

pub fn source_pk(platform: &Platform, app: &AccountId) -> String {
    format!("source#{platform}#{app}")
}

/// How far an app's reviews are stored, and how its runs went.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct SourceCursor {
    pub platform: String,
    pub app: String,
    /// The newest review time stored (the list is read newest first down to it).
    #[serde(with = "time::serde::rfc3339::option")]
    pub newest_at: Option<OffsetDateTime>,
    /// The reviews stored with exactly that time (so one written in the same second as
    /// the last one seen is not taken for it).
    pub newest_ids: Vec<String>,
    /// Bumped by every advance: the condition that stops two runs racing.
    pub version: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub lease_until: Option<OffsetDateTime>,
    pub lease_owner: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_run_at: Option<OffsetDateTime>,
    /// `ok`, `incomplete` (stopped for lack of time), `rate_limited`, `failed`,
    /// `reconnect`.
    pub last_outcome: Option<String>,
    pub last_error: Option<String>,
    /// Failures in a row.
    pub failures: u32,
    /// Not polled before this (backoff after failures).
    #[serde(with = "time::serde::rfc3339::option")]
    pub retry_after: Option<OffsetDateTime>,
    /// Reviews stored new over all runs.
    pub stored_total: u64,
}

fn number(item: &Item, name: &str) -> u64 {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().unwrap_or(0),
        _ => 0,
    }
}

fn cursor_of(item: &Item) -> SourceCursor {
    let time = |name: &str| get_str(item, name).and_then(parse_ts);
    SourceCursor {
        platform: get_str(item, "platform").unwrap_or_default().to_owned(),
        app: get_str(item, "account_id").unwrap_or_default().to_owned(),
        newest_at: time("newest_at"),
        newest_ids: match item.get("newest_ids") {
            Some(AttributeValue::L(ids)) => {
                ids.iter().filter_map(|v| v.as_s().ok().cloned()).collect()
            }
            _ => Vec::new(),
        },
        version: number(item, "version"),
        lease_until: time("lease_until"),
        lease_owner: get_str(item, "lease_owner").map(str::to_owned),
        last_run_at: time("last_run_at"),
        last_outcome: get_str(item, "last_outcome").map(str::to_owned),
        last_error: get_str(item, "last_error").map(str::to_owned),
        failures: u32::try_from(number(item, "failures")).unwrap_or(u32::MAX),
        retry_after: time("retry_after"),
        stored_total: number(item, "stored_total"),
    }
}

/// How a run ended, for [`DynamoStore::fail_source_run`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFailure {
    /// `rate_limited`, `failed` or `reconnect`.
    pub outcome: &'static str,
    pub error: String,
    pub retry_after: Option<OffsetDateTime>,
}

impl DynamoStore {
    /// The cursor of one source, read consistently.
    pub async fn source_cursor(
        &self,
        platform: &Platform,
        app: &AccountId,
    ) -> Result<Option<SourceCursor>, StoreError> {
        Ok(self
            .get_item(&source_pk(platform, app), CURSOR_SK)
            .await?
            .map(|item| cursor_of(&item)))
    }

    /// Every source's cursor (a scan: a business has a handful of apps).
    pub async fn source_cursors(&self) -> Result<Vec<SourceCursor>, StoreError> {
        let mut cursors: Vec<SourceCursor> = self
            .scan_type(RecordType::ReviewSource)
            .await?
            .iter()
            .map(cursor_of)
            .collect();
        cursors.sort_by(|a, b| (&a.platform, &a.app).cmp(&(&b.platform, &b.app)));
        Ok(cursors)
    }

    /// Take the source for one run until `now + lease` (creating its cursor the first
    /// time). `None`: another run holds it.
    pub async fn claim_source(
        &self,
        platform: &Platform,
        app: &AccountId,
        owner: &str,
        now: OffsetDateTime,
        lease: Duration,
    ) -> Result<Option<SourceCursor>, StoreError> {
        let result = self
            .update_item(source_pk(platform, app), CURSOR_SK)
            .update_expression(
                "SET lease_until = :until, lease_owner = :owner, #type = :type, \
                 platform = :platform, account_id = :app, version = if_not_exists(version, :zero)",
            )
            .condition_expression("attribute_not_exists(lease_until) OR lease_until < :now")
            .expression_attribute_names("#type", RECORD_TYPE)
            .expression_attribute_values(":until", s(ts(now + lease)))
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":type", s(RecordType::ReviewSource.as_str()))
            .expression_attribute_values(":platform", s(platform.as_str()))
            .expression_attribute_values(":app", s(app.as_str()))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":now", s(ts(now)))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => Ok(out.attributes.map(|item| cursor_of(&item))),
            Err(e) if crate::dynamo::is_conditional_failure(&e) => Ok(None),
            Err(e) => Err(dynamo_err("UpdateItem")(e)),
        }
    }

    /// End a run that stored what it read: move the cursor to `next` (from the version
    /// claimed), clear failures and the lease. `false`: the lease was lost (it expired and
    /// another run took the source): nothing changed, that run's cursor stands.
    pub async fn finish_source_run(
        &self,
        claimed: &SourceCursor,
        next: &SourceCursor,
        owner: &str,
        outcome: &str,
        stored: u64,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (Ok(platform), Ok(app)) = (
            Platform::parse(&claimed.platform),
            AccountId::parse(&claimed.app),
        ) else {
            return Err(StoreError::Corrupt {
                key: format!("source#{}#{}", claimed.platform, claimed.app),
                reason: "not a platform and app".into(),
            });
        };
        let mut set = vec![
            "version = :next",
            "last_run_at = :now",
            "last_outcome = :outcome",
            "failures = :zero",
            "stored_total = if_not_exists(stored_total, :zero) + :stored",
            "newest_ids = :ids",
        ];
        let mut remove = vec!["lease_until", "lease_owner", "retry_after", "last_error"];
        let mut update = self
            .update_item(source_pk(&platform, &app), CURSOR_SK)
            .condition_expression("lease_owner = :owner AND version = :version")
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":version", n(claimed.version))
            .expression_attribute_values(":next", n(claimed.version + 1))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":outcome", s(outcome))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":stored", n(stored))
            .expression_attribute_values(
                ":ids",
                AttributeValue::L(next.newest_ids.iter().map(s).collect()),
            );
        match next.newest_at {
            Some(at) => {
                set.push("newest_at = :newest");
                update = update.expression_attribute_values(":newest", s(ts(at)));
            }
            None => remove.push("newest_at"),
        }
        let result = update
            .update_expression(format!(
                "SET {} REMOVE {}",
                set.join(", "),
                remove.join(", ")
            ))
            .send()
            .await;
        conditional(result, "UpdateItem")
    }

    /// End a run that failed: the cursor stays, the failure is counted and kept, and the
    /// lease is released. `false`: the lease was lost.
    pub async fn fail_source_run(
        &self,
        platform: &Platform,
        app: &AccountId,
        owner: &str,
        failure: &RunFailure,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut update = self
            .update_item(source_pk(platform, app), CURSOR_SK)
            .condition_expression("lease_owner = :owner")
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":outcome", s(failure.outcome))
            .expression_attribute_values(":error", s(crate::codec::capped(&failure.error, 500)))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1));
        let mut set = "SET last_run_at = :now, last_outcome = :outcome, last_error = :error, \
                       failures = if_not_exists(failures, :zero) + :one"
            .to_owned();
        match failure.retry_after {
            Some(at) => {
                set.push_str(", retry_after = :retry");
                update = update.expression_attribute_values(":retry", s(ts(at)));
            }
            None => set.push_str(" REMOVE retry_after"),
        }
        let remove = if failure.retry_after.is_some() {
            " REMOVE lease_until, lease_owner"
        } else {
            ", lease_until, lease_owner"
        };
        let result = update
            .update_expression(format!("{set}{remove}"))
            .send()
            .await;
        conditional(result, "UpdateItem")
    }
}
