//! A page's configuration: how one business account wants its feedback answered, as staff
//! set it (`feedbackctl pages set`). Every setting is optional: what a page leaves out
//! comes from the function's defaults.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;

crate::stored_enum!(
    /// How a page wants its feedback answered.
    ReplyMode {
        /// Post the acknowledgement and send the private message at once.
        Auto => "auto",
        /// Draft both and open the task; nothing is posted until staff approve.
        Approval => "approval",
        /// Draft, record as dry-run, post nothing.
        DryRun => "dry-run",
    }
);

crate::stored_enum!(
    /// How bold a page is in answering without a person: when the signals of a comment
    /// disagree (praise beside a complaint, a contrast, irony, a rating against the text) the
    /// item is held for staff instead of answered, more or less readily.
    #[derive(Default)]
    Boldness {
        /// Hold whenever the signals disagree at all, even where the reading is clear
        /// ("Good food, but cold" is held too).
        Cautious => "cautious",
        /// Answer what reads clearly (a complaint after "but", irony around a fault); hold
        /// what could be read two ways, and never thank where anything says a problem.
        #[default]
        Balanced => "balanced",
        /// Hold only what could be thanked wrongly or apologised to wrongly.
        Bold => "bold",
    }
);

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
    /// When an item is held for a person instead of answered (default: balanced).
    #[serde(default)]
    pub boldness: Option<Boldness>,
    /// A spike: at least this many complaints about one theme in the last hour (default
    /// [`SPIKE_MIN_COMPLAINTS`]) …
    #[serde(default)]
    pub spike_min_complaints: Option<u32>,
    /// … and at least this many times the page's usual count for that hour (default
    /// [`SPIKE_FACTOR`]).
    #[serde(default)]
    pub spike_factor: Option<u32>,
    /// Hold every automatic reply when a spike starts (default on); off: alert only.
    #[serde(default)]
    pub spike_hold: Option<bool>,
}

/// Default: a spike is at least this many complaints about one theme in an hour …
pub const SPIKE_MIN_COMPLAINTS: u32 = 5;
/// … and at least this many times the page's usual count for that hour.
pub const SPIKE_FACTOR: u32 = 3;

/// A spike of complaints on a page that a person has not yet declared over. While it
/// `hold`s, nothing is posted on the page without a person's approval, whatever its
/// reply mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crisis {
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// Why, in words for staff (counts and themes).
    pub reason: String,
    /// The theme that spiked most (a complaint theme, or `abuse`).
    pub theme: String,
    /// `false`: the page opted out of the hold (alert only).
    pub hold: bool,
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

/// How many of a page's latest public replies are remembered, so none of them is worded
/// like the next one.
pub const RECENT_REPLIES: usize = 20;

/// One of a page's latest public replies: the item it answered and a digest of its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentReply {
    pub item_id: String,
    pub digest: String,
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
    /// The page's latest public replies, oldest first (at most [`RECENT_REPLIES`]). Not
    /// shown: bookkeeping, not configuration.
    #[serde(skip)]
    pub recent_replies: Vec<RecentReply>,
    /// A spike not yet declared over (`feedbackctl pages set PAGE --crisis off`).
    pub crisis: Option<Crisis>,
    /// When the last crisis was declared over, and by whom.
    #[serde(with = "time::serde::rfc3339::option")]
    pub crisis_ended_at: Option<OffsetDateTime>,
    pub crisis_ended_by: Option<String>,
}

impl PageRecord {
    /// Automatic replies are held for a person: a crisis hold is on.
    pub fn crisis_hold(&self) -> bool {
        self.crisis.as_ref().is_some_and(|c| c.hold)
    }
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
