//! Configuration of the ingest function, read once per cold start.

use platforms::registry::{self, Registry};
use std::fmt;

/// Everything the ingest function needs besides the AWS SDK's own environment
/// (`AWS_REGION`, `AWS_ENDPOINT_URL_DYNAMODB`, … decide where DynamoDB is).
#[derive(Clone)]
pub struct IngestConfig {
    pub table_name: String,
    /// The webhook platforms whose settings are present; at least one.
    pub platforms: Registry,
}

impl fmt::Debug for IngestConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IngestConfig")
            .field("table_name", &self.table_name)
            .field("routes", &self.platforms.routes().collect::<Vec<_>>())
            .finish()
    }
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
        let table_name = get("TABLE_NAME").filter(|v| !v.trim().is_empty());
        if table_name.is_none() {
            problems.push("TABLE_NAME is not set".to_owned());
        }
        let platforms = registry::from_lookup(&get).unwrap_or_else(|mut p| {
            problems.append(&mut p);
            Registry::new()
        });
        match table_name {
            Some(table_name) if problems.is_empty() => Ok(Self {
                table_name,
                platforms,
            }),
            _ => Err(ConfigError { problems }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use feedback::settings::fixed as lookup;

    #[test]
    fn every_missing_variable_is_reported_at_once() {
        let err = IngestConfig::from_lookup(lookup(&[])).unwrap_err();
        assert_eq!(err.problems.len(), 2, "{err}");
        assert_eq!(err.problems[0], "TABLE_NAME is not set");
        assert!(
            err.problems[1].starts_with("no platform is configured"),
            "{err}"
        );
    }

    #[test]
    fn a_deployment_with_only_meta_serves_only_meta() {
        let config = IngestConfig::from_lookup(lookup(&[
            ("TABLE_NAME", "t"),
            ("META_APP_SECRETS", "s1,s2"),
            ("META_VERIFY_TOKEN", "tok"),
        ]))
        .unwrap();
        assert_eq!(config.platforms.routes().collect::<Vec<_>>(), ["meta"]);
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
