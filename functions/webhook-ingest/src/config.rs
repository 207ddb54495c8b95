//! Configuration of the ingest function, read once per cold start.

use platforms::SecretList;
use platforms::meta::MetaWebhooks;
use secrecy::SecretString;
use std::fmt;

/// Everything the ingest function needs besides the AWS SDK's own environment
/// (`AWS_REGION`, `AWS_ENDPOINT_URL_DYNAMODB`, … decide where DynamoDB is).
#[derive(Debug, Clone)]
pub struct IngestConfig {
    pub table_name: String,
    pub meta: MetaWebhooks,
}

/// Every missing or invalid variable, reported together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration: {}", self.problems.join("; "))
    }
}

impl std::error::Error for ConfigError {}

impl IngestConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// From any variable lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let mut required = |name: &str| match get(name).filter(|v| !v.trim().is_empty()) {
            Some(v) => v,
            None => {
                problems.push(format!("{name} is not set"));
                String::new()
            }
        };
        let table_name = required("TABLE_NAME");
        let secrets = required("META_APP_SECRETS");
        let verify_token = required("META_VERIFY_TOKEN");
        let app_secrets = SecretList::from_comma_separated(&secrets);
        if !secrets.is_empty() && app_secrets.is_empty() {
            problems.push("META_APP_SECRETS lists no secret".to_owned());
        }
        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        Ok(Self {
            table_name,
            meta: MetaWebhooks::new(app_secrets, SecretString::from(verify_token)),
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
    fn every_missing_variable_is_reported_at_once() {
        let err = IngestConfig::from_lookup(lookup(&[])).unwrap_err();
        assert_eq!(
            err.problems,
            [
                "TABLE_NAME is not set",
                "META_APP_SECRETS is not set",
                "META_VERIFY_TOKEN is not set"
            ]
        );
    }

    #[test]
    fn a_secret_list_of_only_commas_is_invalid() {
        let err = IngestConfig::from_lookup(lookup(&[
            ("TABLE_NAME", "t"),
            ("META_APP_SECRETS", ", ,"),
            ("META_VERIFY_TOKEN", "tok"),
        ]))
        .unwrap_err();
        assert_eq!(err.problems, ["META_APP_SECRETS lists no secret"]);
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let config = IngestConfig::from_lookup(lookup(&[
            ("TABLE_NAME", "feedback"),
            ("META_APP_SECRETS", "app-secret-one,app-secret-two"),
            ("META_VERIFY_TOKEN", "verify-token-value"),
        ]))
        .unwrap();
        let shown = format!("{config:?}");
        assert!(shown.contains("feedback"));
        for secret in ["app-secret-one", "app-secret-two", "verify-token-value"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
