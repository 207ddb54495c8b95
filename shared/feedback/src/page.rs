//! A page's configuration: how one business account wants its feedback answered, as staff
//! set it (`feedbackctl pages set`). Every setting is optional: what a page leaves out
//! comes from the function's defaults.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;

/// How a page wants its feedback answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplyMode {
    /// Post the acknowledgement and send the private message at once.
    Auto,
    /// Draft both and open the task; nothing is posted until staff approve.
    Approval,
    /// Draft, record as dry-run, post nothing.
    DryRun,
}

impl ReplyMode {
    pub const ALL: [ReplyMode; 3] = [ReplyMode::Auto, ReplyMode::Approval, ReplyMode::DryRun];

    pub fn as_str(self) -> &'static str {
        match self {
            ReplyMode::Auto => "auto",
            ReplyMode::Approval => "approval",
            ReplyMode::DryRun => "dry-run",
        }
    }

    pub fn parse(s: &str) -> Option<ReplyMode> {
        ReplyMode::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// A page's stored configuration. `None`: use the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageConfig {
    pub brand_name: Option<String>,
    /// A language code (`nl`, `en`, …).
    pub default_language: Option<String>,
    pub mode: Option<ReplyMode>,
    pub thank_positive: Option<bool>,
    pub sla_hours: Option<u32>,
    pub signature: Option<String>,
    pub contact: Option<String>,
    pub max_age_hours: Option<u32>,
    /// Where the page's access token is (`ssm:/name`, or locally `env:NAME`, `file:/path`).
    pub token_source: Option<String>,
    /// Template overrides as JSON (the shape of `shared/triage/templates/*.json`).
    pub templates: Option<String>,
    /// A Slack incoming webhook URL for the page's notifications (it is a secret).
    pub notify_slack_url: Option<Secret>,
    /// A Microsoft Teams incoming webhook URL (a secret too).
    pub notify_teams_url: Option<Secret>,
    /// Any URL, sent signed Standard Webhooks events.
    pub notify_webhook_url: Option<Secret>,
    /// The `whsec_` key the webhook events are signed with.
    pub notify_webhook_secret: Option<Secret>,
    /// Post a short public note under the original item once its task is resolved
    /// (default off).
    pub resolved_reply: Option<bool>,
    /// Hours after a task is resolved before the customer is asked to update their comment
    /// or review (default: the deployment's).
    pub update_request_delay_hours: Option<u32>,
}

/// A setting that is a secret (a webhook URL with its token, a signing key): never shown
/// by `Debug`, and serialised as `"[REDACTED]"`, so printing a page never reveals it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("[REDACTED]")
    }
}

/// A page as stored: its configuration and whether its token stopped working.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PageRecord {
    pub config: PageConfig,
    pub needs_reconnect: bool,
    pub reconnect_reason: Option<String>,
    /// Since when the page has needed reconnecting (one `page.reconnect_needed`
    /// notification per time it does).
    #[serde(with = "time::serde::rfc3339::option")]
    pub reconnect_since: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_setting_is_never_printed() {
        let config = PageConfig {
            notify_slack_url: Some(Secret::new("https://hooks.slack.com/services/T/B/xyz")),
            notify_webhook_secret: Some(Secret::new("whsec_c2VjcmV0")),
            ..PageConfig::default()
        };
        let debug = format!("{config:?}");
        let json = serde_json::to_string(&config).unwrap_or_default();
        for shown in [debug, json] {
            assert!(
                !shown.contains("xyz") && !shown.contains("whsec_"),
                "{shown}"
            );
            assert!(shown.contains("REDACTED"), "{shown}");
        }
    }
}
