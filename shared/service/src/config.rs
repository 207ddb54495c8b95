//! The answering configuration: read once per cold start by the responder and the
//! sweeper (the same variables), and by the staff tools that word texts.

use feedback::settings;
use platforms::reply::Outbound;
use triage::{PageSettings, TemplateSet};

/// What answering needs, whichever function answers.
#[derive(Debug, Clone)]
pub struct AnsweringConfig {
    pub table_name: String,
    /// The reply clients and capabilities of every configured platform.
    pub outbound: Outbound,
    /// The built-in reply wording, loaded and checked once.
    pub templates: TemplateSet,
    /// Settings of pages that have no stored configuration (and defaults for the ones
    /// that leave a setting out).
    pub defaults: PageSettings,
    /// On AWS: page tokens are read from SSM at `{prefix}/{platform}/{account id}`.
    pub token_ssm_prefix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration: {}", problems.join("; "))]
pub struct ConfigError {
    pub problems: Vec<String>,
}

/// The variables whose values are secrets (read from SSM at start-up on AWS).
pub const SECRET_VARIABLES: [&str; 2] = platforms::outbound::SECRET_VARIABLES;

/// The variable naming the SSM prefix of page credentials.
pub const TOKEN_PREFIX_VARIABLE: &str = "PAGE_TOKEN_SSM_PREFIX";

impl AnsweringConfig {
    /// Every problem reported together, added to `problems`; `None` when there was one.
    pub fn read(get: &impl Fn(&str) -> Option<String>, problems: &mut Vec<String>) -> Option<Self> {
        let value = |k: &str| settings::value(get, k);
        let table_name = value("TABLE_NAME").unwrap_or_else(|| {
            problems.push("TABLE_NAME is not set".to_owned());
            String::new()
        });
        let defaults = PageSettings::defaults_from(get, problems);
        let outbound = platforms::outbound::from_lookup(&|k| value(k)).unwrap_or_else(|mut p| {
            problems.append(&mut p);
            Outbound::new()
        });
        // The wording is compiled in; if it cannot be loaded nothing could be answered, so
        // the function refuses to start rather than silently skip every item.
        let templates = TemplateSet::builtin().map_err(|e| {
            problems.push(format!("the built-in reply templates do not load: {e}"));
        });
        let (Ok(templates), true) = (templates, problems.is_empty()) else {
            return None;
        };
        Some(Self {
            table_name,
            outbound,
            templates,
            defaults,
            token_ssm_prefix: value(TOKEN_PREFIX_VARIABLE),
        })
    }

    /// Every problem reported together.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        Self::read(&get, &mut problems).ok_or(ConfigError { problems })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use triage::ReplyMode;

    use feedback::settings::fixed as lookup;

    #[test]
    fn defaults_apply_when_only_the_table_is_set() {
        let c = AnsweringConfig::from_lookup(lookup(&[("TABLE_NAME", "feedback")])).unwrap();
        let platforms: Vec<_> = c.outbound.platforms().map(|p| p.to_string()).collect();
        // Meta is answered with the Graph API's defaults; the platforms whose clients need
        // settings (Google and Trustpilot without an OAuth client, …) and the Standard
        // Webhooks door are known but answered by hand.
        assert_eq!(
            platforms,
            [
                "facebook",
                "instagram",
                "google",
                "trustpilot",
                "google-play",
                "app-store",
                "tiktok",
                "linkedin",
                "x",
                "mastodon",
                "standard"
            ]
        );
        assert_eq!(c.defaults.mode, ReplyMode::Auto);
        assert_eq!(c.defaults.sla_hours, 24);
    }

    #[test]
    fn every_bad_variable_is_reported_at_once() {
        let err = AnsweringConfig::from_lookup(lookup(&[
            ("SLA_HOURS", "soon"),
            ("DEFAULT_LANGUAGE", "it"),
            ("REPLY_MODE", "yolo"),
            ("META_GRAPH_API_URL", "http://localhost.evil.example"),
        ]))
        .unwrap_err();
        assert_eq!(err.problems.len(), 5, "{err}");
    }
}
