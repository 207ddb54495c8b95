//! Configuration of the responder, read once per cold start.

use platforms::reply::Outbound;
use service::AnsweringConfig;
pub use service::ConfigError;
use std::time::Duration;
use triage::{PageSettings, TemplateSet};

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

impl ResponderConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// The answering configuration shared with the sweeper; every problem reported
    /// together.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let shared = AnsweringConfig::from_lookup(get)?;
        Ok(Self {
            table_name: shared.table_name,
            outbound: shared.outbound,
            templates: shared.templates,
            defaults: shared.defaults,
            token_ssm_prefix: shared.token_ssm_prefix,
            retry: RetryPolicy::default(),
        })
    }
}
