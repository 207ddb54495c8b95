//! The scheduled event → one sweep, its counts as CloudWatch metrics (embedded metric
//! format: a JSON line on stdout, no API call).

use crate::sweep::{Summary, Sweeper};
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::Value;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;
use tracing::{error, info};

/// The function's name in its metrics.
pub const FUNCTION: &str = "sla-sweeper";

/// Time kept in hand: no new task is started with less than this left.
pub const RESERVE: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
#[error("the sweep could not read the task index: {0}")]
pub struct SweepFailed(String);

impl From<SweepFailed> for Diagnostic {
    fn from(e: SweepFailed) -> Diagnostic {
        Diagnostic {
            error_type: "SweepFailed".into(),
            error_message: e.to_string(),
        }
    }
}

/// The EMF lines of a sweep's counts (printed by [`handle`]).
pub fn metric_lines(summary: &Summary) -> Vec<String> {
    [
        ("TasksEscalated", summary.escalated),
        ("TasksAnnounced", summary.announced),
        ("UpdateRequestsSent", summary.update_requests_sent),
        ("UpdateRequestsForStaff", summary.update_requests_for_staff),
        ("NotificationsSent", summary.notifications_sent),
        ("NotificationsFailed", summary.notifications_failed),
        ("SweepErrors", summary.errors),
    ]
    .into_iter()
    .map(|(name, value)| logging::metric(FUNCTION, name, value as u64))
    .collect()
}

/// Handle one scheduled event: sweep until the deadline (less the reserve).
pub async fn handle(sweeper: &Sweeper, event: LambdaEvent<Value>) -> Result<Summary, SweepFailed> {
    let deadline = UNIX_EPOCH + Duration::from_millis(event.context.deadline);
    let left = deadline
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    let stop = (event.context.deadline > 0).then(|| Instant::now() + left.saturating_sub(RESERVE));
    // Boxed: the sweep's future is deep, and the runtime's would otherwise nest it.
    match Box::pin(sweeper.sweep(OffsetDateTime::now_utc(), stop)).await {
        Ok(summary) => {
            metric_lines(&summary);
            info!(?summary, "sweep done");
            Ok(summary)
        }
        Err(e) => {
            let chain = logging::error_chain(&e);
            error!(error = %chain, "sweep failed");
            Err(SweepFailed(chain))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_reports_its_escalations_as_an_embedded_metric() {
        let summary = Summary {
            escalated: 2,
            ..Summary::default()
        };
        let lines = metric_lines(&summary);
        let escalated: serde_json::Value = lines
            .iter()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|v| v.get("TasksEscalated").is_some())
            .unwrap();
        assert_eq!(escalated["TasksEscalated"], 2);
        assert_eq!(escalated["Function"], FUNCTION);
        let definition = &escalated["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(definition["Namespace"], "ReputationGuard");
        assert_eq!(definition["Metrics"][0]["Name"], "TasksEscalated");
        // Every count, zero or not, so the graphs and alarms have data.
        assert_eq!(lines.len(), 7);
    }
}
