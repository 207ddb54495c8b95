//! Configuration of the responder, read once per cold start.

use platforms::reply::Outbound;
use std::time::Duration;
use triage::{Language, PageSettings, ReplyMode, TemplateSet};

/// How hard to try before giving an item back to the stream.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts within one invocation.
    pub attempts_per_invocation: u32,
    /// Attempts in all, across invocations; then the message is marked failed.
    pub max_attempts: u32,
    /// First backoff; doubled each time.
    pub backoff: Duration,
    /// How long a claim on a message lasts before another invocation may take over.
    pub lease: time::Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts_per_invocation: 3,
            max_attempts: 5,
            backoff: Duration::from_millis(250),
            lease: time::Duration::seconds(60),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ResponderConfig {
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
    pub retry: RetryPolicy,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration: {}", problems.join("; "))]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl ResponderConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Every problem reported together.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let table_name = get("TABLE_NAME").unwrap_or_else(|| {
            problems.push("TABLE_NAME is not set".to_owned());
            String::new()
        });
        let mut number = |name: &str, default: u32| match get(name) {
            None => default,
            Some(v) => v.parse().unwrap_or_else(|_| {
                problems.push(format!("{name} must be a whole number, not {v:?}"));
                default
            }),
        };
        let sla_hours = number("SLA_HOURS", 24);
        let max_age_hours = number("MAX_REPLY_AGE_HOURS", 72);
        let defaults = PageSettings {
            brand_name: get("BRAND_NAME").unwrap_or_else(|| "our team".into()),
            default_language: match get("DEFAULT_LANGUAGE") {
                None => Language::En,
                Some(v) => Language::parse(&v).unwrap_or_else(|| {
                    problems.push(format!(
                        "DEFAULT_LANGUAGE must be one of nl, en, fr, de, es, not {v:?}"
                    ));
                    Language::En
                }),
            },
            mode: match get("REPLY_MODE") {
                None => ReplyMode::Auto,
                Some(v) => ReplyMode::parse(&v).unwrap_or_else(|| {
                    problems.push(format!(
                        "REPLY_MODE must be auto, approval or dry-run, not {v:?}"
                    ));
                    ReplyMode::Auto
                }),
            },
            thank_positive: match get("THANK_POSITIVE").as_deref() {
                None | Some("true") => true,
                Some("false") => false,
                Some(v) => {
                    problems.push(format!("THANK_POSITIVE must be true or false, not {v:?}"));
                    true
                }
            },
            sla_hours,
            signature: get("SIGNATURE").unwrap_or_else(|| "– {brand}".into()),
            contact: get("CONTACT").unwrap_or_default(),
            max_age_hours,
            // Per page (`feedbackctl pages set PAGE --boldness …`); balanced by default.
            boldness: triage::Boldness::default(),
            recent_replies: Vec::new(),
        };
        let outbound = platforms::reply::from_lookup(&|k| get(k)).unwrap_or_else(|mut p| {
            problems.append(&mut p);
            Outbound::new()
        });
        // The wording is compiled in; if it cannot be loaded nothing could be answered, so
        // the function refuses to start rather than silently skip every item.
        let templates = TemplateSet::builtin().map_err(|e| {
            problems.push(format!("the built-in reply templates do not load: {e}"));
        });
        let (Ok(templates), true) = (templates, problems.is_empty()) else {
            return Err(ConfigError { problems });
        };
        Ok(Self {
            table_name,
            outbound,
            templates,
            defaults,
            token_ssm_prefix: get("PAGE_TOKEN_SSM_PREFIX"),
            retry: RetryPolicy::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_apply_when_only_the_table_is_set() {
        let c = ResponderConfig::from_lookup(lookup(&[("TABLE_NAME", "feedback")])).unwrap();
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
        let err = ResponderConfig::from_lookup(lookup(&[
            ("SLA_HOURS", "soon"),
            ("DEFAULT_LANGUAGE", "it"),
            ("REPLY_MODE", "yolo"),
            ("META_GRAPH_API_URL", "http://localhost.evil.example"),
        ]))
        .unwrap_err();
        assert_eq!(err.problems.len(), 5, "{err}");
    }
}
