//! Configuration of the sweeper, read once per cold start. The platforms, page defaults
//! and wording are the responder's own settings (the same variables), so both functions
//! write to customers the same way; the sweeper adds its timings.

use feedback::settings::number;
use platforms::reply::Outbound;
use service::AnsweringConfig;
pub use service::ConfigError;
use std::time::Duration;
use triage::{PageSettings, TemplateSet};

/// How hard to try a notification or a follow-up message.
#[derive(Debug, Clone)]
pub struct DeliveryPolicy {
    /// Attempts within one sweep (with `backoff`, doubled each time).
    pub attempts_per_sweep: u32,
    pub backoff: Duration,
    /// Attempts in all; then it is given up (`failed`).
    pub max_attempts: u32,
    /// Wait before the next sweep tries again: this, doubled per attempt, at most
    /// `max_retry_after`.
    pub retry_after: time::Duration,
    pub max_retry_after: time::Duration,
    /// How long a take lasts before another sweeper may take over.
    pub lease: time::Duration,
    /// Each HTTP call to a notification target.
    pub timeout: Duration,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            attempts_per_sweep: 3,
            backoff: Duration::from_millis(500),
            max_attempts: 8,
            retry_after: time::Duration::minutes(1),
            max_retry_after: time::Duration::hours(1),
            lease: time::Duration::seconds(60),
            timeout: Duration::from_secs(5),
        }
    }
}

impl DeliveryPolicy {
    /// When to try again after `attempt` attempts.
    pub fn next_try(&self, attempt: u32) -> time::Duration {
        let factor = 1i32 << attempt.saturating_sub(1).min(16);
        (self.retry_after * factor).min(self.max_retry_after)
    }
}

#[derive(Debug, Clone)]
pub struct SweeperConfig {
    pub table_name: String,
    pub outbound: Outbound,
    pub templates: TemplateSet,
    pub defaults: PageSettings,
    /// On AWS: page tokens are read from SSM at `{prefix}/{platform}/{account id}`.
    pub token_ssm_prefix: Option<String>,
    /// Hours after a task is resolved before its customer is asked to update their
    /// review (a page may set its own).
    pub update_request_delay: time::Duration,
    /// Days after the update request before the task is closed.
    pub close_after: time::Duration,
    /// Only tasks opened this recently are announced (so turning notifications on does not
    /// replay every old open task).
    pub announce_window: time::Duration,
    pub delivery: DeliveryPolicy,
}

impl SweeperConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Every problem reported together.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let responder = AnsweringConfig::from_lookup(&get).map_err(|e| e.problems);
        let delay_hours = number(&get, "UPDATE_REQUEST_DELAY_HOURS", 24, &mut problems);
        let close_days = number(&get, "CLOSE_AFTER_DAYS", 14, &mut problems);
        let announce_hours = number(&get, "ANNOUNCE_WINDOW_HOURS", 24, &mut problems);
        let responder = match responder {
            Ok(r) if problems.is_empty() => r,
            Ok(_) => return Err(ConfigError { problems }),
            Err(mut p) => {
                p.append(&mut problems);
                return Err(ConfigError { problems: p });
            }
        };
        Ok(Self {
            table_name: responder.table_name,
            outbound: responder.outbound,
            templates: responder.templates,
            defaults: responder.defaults,
            token_ssm_prefix: responder.token_ssm_prefix,
            update_request_delay: time::Duration::hours(i64::from(delay_hours)),
            close_after: time::Duration::days(i64::from(close_days)),
            announce_window: time::Duration::hours(i64::from(announce_hours)),
            delivery: DeliveryPolicy::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use feedback::settings::fixed as lookup;

    #[test]
    fn defaults_apply_when_only_the_table_is_set() {
        let c = SweeperConfig::from_lookup(lookup(&[("TABLE_NAME", "feedback")])).unwrap();
        assert_eq!(c.update_request_delay, time::Duration::hours(24));
        assert_eq!(c.close_after, time::Duration::days(14));
        assert_eq!(c.defaults.sla_hours, 24);
    }

    #[test]
    fn every_bad_variable_is_reported_at_once() {
        let err = SweeperConfig::from_lookup(lookup(&[
            ("UPDATE_REQUEST_DELAY_HOURS", "tomorrow"),
            ("CLOSE_AFTER_DAYS", "-1"),
        ]))
        .unwrap_err();
        // TABLE_NAME missing, and the two numbers.
        assert_eq!(err.problems.len(), 3, "{err}");
    }

    #[test]
    fn retries_back_off_up_to_an_hour() {
        let p = DeliveryPolicy::default();
        assert_eq!(p.next_try(1), time::Duration::minutes(1));
        assert_eq!(p.next_try(3), time::Duration::minutes(4));
        assert_eq!(p.next_try(30), time::Duration::hours(1));
    }
}
