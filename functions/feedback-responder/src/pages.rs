//! A page's settings: its stored configuration (`feedbackctl pages set`) over the defaults.

use store::followup::PageRecord;
use triage::{Language, PageSettings, ReplyMode};

/// Everything the responder needs to know about a page.
#[derive(Debug, Clone)]
pub struct Page {
    pub settings: PageSettings,
    /// `env:NAME`, `file:/path` or `ssm:/name`; `None`: the default for the page.
    pub token_source: Option<String>,
    /// Template overrides as JSON (same shape as `shared/triage/templates/*.json`).
    pub templates: Option<serde_json::Value>,
    pub needs_reconnect: bool,
}

/// Stored attribute names, shared with `feedbackctl pages set`.
pub mod attr {
    pub const BRAND_NAME: &str = "brand_name";
    pub const DEFAULT_LANGUAGE: &str = "default_language";
    pub const MODE: &str = "mode";
    pub const THANK_POSITIVE: &str = "thank_positive";
    pub const SLA_HOURS: &str = "sla_hours";
    pub const SIGNATURE: &str = "signature";
    pub const CONTACT: &str = "contact";
    pub const MAX_AGE_HOURS: &str = "max_age_hours";
    pub const TOKEN_SOURCE: &str = "token_source";
    pub const TEMPLATES: &str = "templates";
}

impl Page {
    /// Unreadable stored values fall back to the default (and are logged), so one typo
    /// in a page's configuration never stops its feedback from being answered.
    pub fn from_record(record: Option<&PageRecord>, defaults: &PageSettings) -> Page {
        let Some(record) = record else {
            return Page {
                settings: defaults.clone(),
                token_source: None,
                templates: None,
                needs_reconnect: false,
            };
        };
        let get = |k: &str| record.attributes.get(k).map(String::as_str);
        let parsed = |k: &str| get(k).and_then(|v| v.parse::<u32>().ok());
        let settings = PageSettings {
            brand_name: get(attr::BRAND_NAME)
                .map_or_else(|| defaults.brand_name.clone(), str::to_owned),
            default_language: get(attr::DEFAULT_LANGUAGE)
                .and_then(Language::parse)
                .unwrap_or(defaults.default_language),
            mode: get(attr::MODE)
                .and_then(ReplyMode::parse)
                .unwrap_or(defaults.mode),
            thank_positive: get(attr::THANK_POSITIVE)
                .map_or(defaults.thank_positive, |v| v != "false"),
            sla_hours: parsed(attr::SLA_HOURS).unwrap_or(defaults.sla_hours),
            signature: get(attr::SIGNATURE)
                .map_or_else(|| defaults.signature.clone(), str::to_owned),
            contact: get(attr::CONTACT).map_or_else(|| defaults.contact.clone(), str::to_owned),
            max_age_hours: parsed(attr::MAX_AGE_HOURS).unwrap_or(defaults.max_age_hours),
        };
        let templates = get(attr::TEMPLATES).and_then(|t| match serde_json::from_str(t) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(error = %e, "page templates are not valid JSON; using the built-in wording");
                None
            }
        });
        Page {
            settings,
            token_source: get(attr::TOKEN_SOURCE).map(str::to_owned),
            templates,
            needs_reconnect: record.needs_reconnect,
        }
    }
}
