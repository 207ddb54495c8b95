//! Page access tokens: never in the table, the template or a log.
//!
//! A page's `token_source` says where its token is:
//! - `ssm:/name`: an SSM SecureString (on AWS; the function may read only its prefix);
//! - `env:NAME`: an environment variable (local runs);
//! - `file:/path`: a file holding only the token (local runs).
//!
//! Without one: `ssm:{PAGE_TOKEN_SSM_PREFIX}/{platform}/{account}` when that prefix is
//! configured, else `env:META_PAGE_TOKEN_{account}`, else `env:META_PAGE_TOKEN`.

use async_trait::async_trait;
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("no token: {0}")]
    Missing(String),
    #[error("token source {0:?} is not env:, file: or ssm:")]
    BadSource(String),
    #[error("reading the token failed: {0}")]
    Unavailable(String),
}

/// Reads SSM SecureStrings (a port so tests and local runs need no AWS).
#[async_trait]
pub trait SecretParameters: Send + Sync {
    async fn get(&self, name: &str) -> Result<Option<SecretString>, String>;
}

#[async_trait]
impl SecretParameters for aws_sdk_ssm::Client {
    async fn get(&self, name: &str) -> Result<Option<SecretString>, String> {
        match self
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
        {
            Ok(out) => Ok(out.parameter.and_then(|p| p.value).map(SecretString::from)),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_parameter_not_found()) =>
            {
                Ok(None)
            }
            Err(e) => Err(runtime::error_chain(&e)),
        }
    }
}

type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Resolves and caches page tokens.
pub struct TokenProvider {
    env: Lookup,
    ssm: Option<Arc<dyn SecretParameters>>,
    ssm_prefix: Option<String>,
    cache: Mutex<HashMap<String, (SecretString, Instant)>>,
    ttl: Duration,
}

impl TokenProvider {
    pub fn new(
        env: Lookup,
        ssm: Option<Arc<dyn SecretParameters>>,
        ssm_prefix: Option<String>,
    ) -> Self {
        Self {
            env,
            ssm,
            ssm_prefix,
            cache: Mutex::new(HashMap::new()),
            ttl: Duration::from_secs(300),
        }
    }

    /// From the process environment, without SSM.
    pub fn from_env() -> Self {
        Self::new(Arc::new(|k| std::env::var(k).ok()), None, None)
    }

    fn default_source(&self, platform: &str, account: &str) -> String {
        match &self.ssm_prefix {
            Some(prefix) => format!("ssm:{}/{platform}/{account}", prefix.trim_end_matches('/')),
            None if (self.env)(&format!("META_PAGE_TOKEN_{account}")).is_some() => {
                format!("env:META_PAGE_TOKEN_{account}")
            }
            None => "env:META_PAGE_TOKEN".to_owned(),
        }
    }

    pub async fn token(
        &self,
        source: Option<&str>,
        platform: &str,
        account: &str,
    ) -> Result<SecretString, TokenError> {
        let source = source.map_or_else(|| self.default_source(platform, account), str::to_owned);
        if let Ok(cache) = self.cache.lock()
            && let Some((token, at)) = cache.get(&source)
            && at.elapsed() < self.ttl
        {
            return Ok(token.clone());
        }
        let token = self.read(&source).await?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(source, (token.clone(), Instant::now()));
        }
        Ok(token)
    }

    /// Forget cached tokens (after the platform rejected one).
    pub fn forget(&self) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.clear();
        }
    }

    async fn read(&self, source: &str) -> Result<SecretString, TokenError> {
        let present = |v: Option<String>| {
            v.map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .map(SecretString::from)
        };
        if let Some(name) = source.strip_prefix("env:") {
            present((self.env)(name)).ok_or_else(|| {
                TokenError::Missing(format!("environment variable {name} is not set"))
            })
        } else if let Some(path) = source.strip_prefix("file:") {
            present(std::fs::read_to_string(path).ok())
                .ok_or_else(|| TokenError::Missing(format!("file {path} is missing or empty")))
        } else if let Some(name) = source.strip_prefix("ssm:") {
            let ssm = self
                .ssm
                .as_ref()
                .ok_or_else(|| TokenError::Unavailable("SSM is not configured here".into()))?;
            ssm.get(name)
                .await
                .map_err(TokenError::Unavailable)?
                .ok_or_else(|| TokenError::Missing(format!("SSM parameter {name} does not exist")))
        } else {
            Err(TokenError::BadSource(source.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn provider(vars: &[(&'static str, &'static str)]) -> TokenProvider {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TokenProvider::new(Arc::new(move |k| map.get(k).cloned()), None, None)
    }

    #[tokio::test]
    async fn a_page_specific_variable_wins_over_the_general_one() {
        let p = provider(&[
            ("META_PAGE_TOKEN_123", "page"),
            ("META_PAGE_TOKEN", "general"),
        ]);
        assert_eq!(
            p.token(None, "facebook", "123")
                .await
                .unwrap()
                .expose_secret(),
            "page"
        );
        assert_eq!(
            p.token(None, "facebook", "456")
                .await
                .unwrap()
                .expose_secret(),
            "general"
        );
    }

    #[tokio::test]
    async fn a_missing_token_or_unknown_source_is_a_clear_error() {
        let p = provider(&[]);
        assert!(matches!(
            p.token(None, "facebook", "1").await,
            Err(TokenError::Missing(_))
        ));
        assert!(matches!(
            p.token(Some("vault:x"), "facebook", "1").await,
            Err(TokenError::BadSource(_))
        ));
        assert!(matches!(
            p.token(Some("ssm:/x"), "facebook", "1").await,
            Err(TokenError::Unavailable(_))
        ));
    }

    #[tokio::test]
    async fn a_token_file_is_read_and_trimmed() {
        let path = std::env::temp_dir().join(format!("token-{}", std::process::id()));
        std::fs::write(&path, "file-token\n").unwrap();
        let p = provider(&[]);
        let source = format!("file:{}", path.display());
        assert_eq!(
            p.token(Some(&source), "facebook", "1")
                .await
                .unwrap()
                .expose_secret(),
            "file-token"
        );
        let _ = std::fs::remove_file(path);
    }
}
