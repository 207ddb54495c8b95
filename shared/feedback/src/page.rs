//! A page's configuration: how one business account wants its feedback answered, as staff
//! set it (`feedbackctl pages set`). Every setting is optional: what a page leaves out
//! comes from the function's defaults.

use serde::{Deserialize, Serialize};

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
}

/// A page as stored: its configuration and whether its token stopped working.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PageRecord {
    pub config: PageConfig,
    pub needs_reconnect: bool,
    pub reconnect_reason: Option<String>,
}
