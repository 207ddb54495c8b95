//! Page credentials: never in the table, the template or a log.
//!
//! On AWS a page's credential is the SSM SecureString `{prefix}/{platform}/{account}`, and
//! nothing else: a page record cannot point the function at another parameter, a file or
//! an environment variable. Locally (no SSM prefix) a page may name `env:NAME` or
//! `file:/path`, and without one the platform's variable is used: `{VARIABLE}_{account}`,
//! else `{VARIABLE}` (Meta: `META_PAGE_TOKEN`).
//!
//! What is stored may be the access token itself or, for OAuth platforms, a refresh token
//! that the platform's reply client exchanges ([`platforms::reply::ReplyClient::access_token`]).

use feedback::{AccountId, Platform};
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::parameters::{ParameterError, SecretParameters};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// Not stored (yet).
    #[error("no credential: {0}")]
    Missing(String),
    /// The page's configuration names a source this deployment does not allow.
    #[error("credential source {0:?} is not allowed here")]
    BadSource(String),
    /// Reading failed for now (SSM throttled or unreachable): try again later.
    #[error("reading the credential failed: {0}")]
    Unavailable(String),
    /// Reading is refused for good until permissions change (AccessDenied, KMS).
    #[error("reading the credential is denied: {0}")]
    Denied(String),
}

type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where credentials come from in this deployment.
pub enum CredentialSource {
    /// On AWS: only `{prefix}/{platform}/{account}` in SSM.
    Ssm {
        parameters: Arc<dyn SecretParameters>,
        prefix: String,
    },
    /// Locally: a page's `env:`/`file:` source, else the platform's variable.
    Local { env: Lookup },
}

/// Resolves and caches page credentials, per page.
pub struct Credentials {
    source: CredentialSource,
    cache: Mutex<HashMap<(Platform, AccountId), (SecretString, Instant)>>,
    ttl: Duration,
}

impl Credentials {
    pub fn new(source: CredentialSource) -> Self {
        Self {
            source,
            cache: Mutex::new(HashMap::new()),
            ttl: Duration::from_secs(300),
        }
    }

    /// From a variable lookup (the local runner, tests).
    /// Where page credentials come from in this deployment: SSM under `prefix` on AWS
    /// (when the start-up made an SSM client), else the local sources.
    pub fn for_deployment(prefix: Option<&str>, startup: &store::parameters::Startup) -> Self {
        match (prefix, &startup.ssm) {
            (Some(prefix), Some(ssm)) => Self::new(CredentialSource::Ssm {
                parameters: ssm.clone(),
                prefix: prefix.to_owned(),
            }),
            _ => Self::local(|k| std::env::var(k).ok()),
        }
    }

    pub fn local(env: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::new(CredentialSource::Local { env: Arc::new(env) })
    }

    /// The credential stored for a page. `page_source`: the page's `token_source`, if any;
    /// `variable`: the platform's local variable name.
    pub async fn get(
        &self,
        platform: &Platform,
        account: &AccountId,
        page_source: Option<&str>,
        variable: &str,
    ) -> Result<SecretString, CredentialError> {
        let key = (platform.clone(), account.clone());
        if let Ok(cache) = self.cache.lock()
            && let Some((token, at)) = cache.get(&key)
            && at.elapsed() < self.ttl
        {
            return Ok(token.clone());
        }
        let present = |v: Option<String>| {
            v.map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .map(SecretString::from)
        };
        let token = match &self.source {
            CredentialSource::Ssm { parameters, prefix } => {
                let own = ssm_name(prefix, platform, account);
                if let Some(source) = page_source
                    && source.strip_prefix("ssm:") != Some(own.as_str())
                {
                    return Err(CredentialError::BadSource(source.to_owned()));
                }
                match parameters.get(&own).await {
                    Ok(Some(token)) => Ok(token),
                    Ok(None) => Err(CredentialError::Missing(format!(
                        "SSM parameter {own} does not exist"
                    ))),
                    Err(ParameterError::Unavailable(e)) => Err(CredentialError::Unavailable(e)),
                    Err(ParameterError::Denied(e)) => Err(CredentialError::Denied(e)),
                }
            }
            CredentialSource::Local { env } => match page_source {
                Some(source) => {
                    if let Some(name) = source.strip_prefix("env:") {
                        present(env(name)).ok_or_else(|| {
                            CredentialError::Missing(format!(
                                "environment variable {name} is not set"
                            ))
                        })
                    } else if let Some(path) = source.strip_prefix("file:") {
                        present(std::fs::read_to_string(path).ok()).ok_or_else(|| {
                            CredentialError::Missing(format!("file {path} is missing or empty"))
                        })
                    } else {
                        Err(CredentialError::BadSource(source.to_owned()))
                    }
                }
                None => {
                    let specific = format!("{variable}_{account}");
                    present(env(&specific))
                        .or_else(|| present(env(variable)))
                        .ok_or_else(|| {
                            CredentialError::Missing(format!(
                                "neither {specific} nor {variable} is set"
                            ))
                        })
                }
            },
        }?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, (token.clone(), Instant::now()));
        }
        Ok(token)
    }

    /// The credential of the page `f` was written to, where `page` says it is (see
    /// [`Credentials::get`]).
    pub async fn for_item(
        &self,
        f: &feedback::Feedback,
        page: &feedback::page::PageConfig,
        variable: &str,
    ) -> Result<SecretString, CredentialError> {
        let source = page.token_source.as_deref();
        self.get(&f.platform, &f.account_id, source, variable).await
    }

    /// Forget the cached credential of one page (after the platform rejected it).
    pub fn forget(&self, platform: &Platform, account: &AccountId) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(&(platform.clone(), account.clone()));
        }
    }
}

/// The SSM parameter holding a page's credential: `{prefix}/{platform}/{account}`, where
/// each character of the account that SSM does not take in a name (anything but letters,
/// digits, `_`, `.`, `-` and the `/` of a hierarchy, as in Google's
/// `accounts/1/locations/2`) is written `_`: a Mastodon account `shop@example.social` is
/// stored at `{prefix}/mastodon/shop_example.social`.
pub fn ssm_name(prefix: &str, platform: &Platform, account: &AccountId) -> String {
    let account: String = account
        .as_str()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}/{platform}/{account}", prefix.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use secrecy::ExposeSecret;

    const FB: Platform = Platform::from_static("facebook");

    fn account(id: &str) -> AccountId {
        AccountId::parse(id).unwrap()
    }

    fn local(vars: &[(&'static str, &'static str)]) -> Credentials {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Credentials::local(move |k| map.get(k).cloned())
    }

    struct Parameters(HashMap<String, Result<String, ParameterError>>);

    #[async_trait]
    impl SecretParameters for Parameters {
        async fn get(&self, name: &str) -> Result<Option<SecretString>, ParameterError> {
            match self.0.get(name) {
                None => Ok(None),
                Some(Ok(v)) => Ok(Some(SecretString::from(v.clone()))),
                Some(Err(e)) => Err(e.clone()),
            }
        }
    }

    fn on_aws(params: &[(&str, Result<&str, ParameterError>)]) -> Credentials {
        let map = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone().map(str::to_owned)))
            .collect();
        Credentials::new(CredentialSource::Ssm {
            parameters: Arc::new(Parameters(map)),
            prefix: "/stack/pages".into(),
        })
    }

    #[tokio::test]
    async fn a_page_specific_variable_wins_over_the_platform_one_locally() {
        let c = local(&[
            ("META_PAGE_TOKEN_123", "page"),
            ("META_PAGE_TOKEN", "general"),
        ]);
        let get = |id: &'static str| {
            let c = &c;
            async move {
                c.get(&FB, &account(id), None, "META_PAGE_TOKEN")
                    .await
                    .map(|t| t.expose_secret().to_owned())
            }
        };
        assert_eq!(get("123").await.as_deref(), Ok("page"));
        assert_eq!(get("456").await.as_deref(), Ok("general"));
    }

    #[tokio::test]
    async fn on_aws_only_the_page_own_parameter_is_read() {
        let c = on_aws(&[
            ("/stack/pages/facebook/1", Ok("token-1")),
            ("/stack/pages/facebook/2", Ok("token-2")),
        ]);
        let got = c.get(&FB, &account("1"), None, "META_PAGE_TOKEN").await;
        assert_eq!(
            got.map(|t| t.expose_secret().to_owned()).as_deref(),
            Ok("token-1")
        );
        for steer in [
            "env:AWS_SESSION_TOKEN",
            "file:/proc/self/environ",
            "ssm:/stack/pages/facebook/2",
        ] {
            let c = on_aws(&[("/stack/pages/facebook/2", Ok("token-2"))]);
            assert_eq!(
                c.get(&FB, &account("1"), Some(steer), "META_PAGE_TOKEN")
                    .await
                    .map(|_| ()),
                Err(CredentialError::BadSource(steer.to_owned())),
                "{steer}"
            );
        }
    }

    #[tokio::test]
    async fn missing_denied_and_unavailable_parameters_are_told_apart() {
        let c = on_aws(&[
            (
                "/stack/pages/facebook/2",
                Err(ParameterError::Denied("AccessDenied".into())),
            ),
            (
                "/stack/pages/facebook/3",
                Err(ParameterError::Unavailable("throttled".into())),
            ),
        ]);
        for (id, want) in [("1", "missing"), ("2", "denied"), ("3", "unavailable")] {
            let got = match c.get(&FB, &account(id), None, "META_PAGE_TOKEN").await {
                Err(CredentialError::Missing(_)) => "missing",
                Err(CredentialError::Denied(_)) => "denied",
                Err(CredentialError::Unavailable(_)) => "unavailable",
                _ => "something else",
            };
            assert_eq!(got, want, "{id}");
        }
    }

    #[tokio::test]
    async fn forgetting_one_page_keeps_the_others_cached() {
        let c = local(&[("META_PAGE_TOKEN", "t")]);
        c.get(&FB, &account("1"), None, "META_PAGE_TOKEN")
            .await
            .unwrap();
        c.get(&FB, &account("2"), None, "META_PAGE_TOKEN")
            .await
            .unwrap();
        c.forget(&FB, &account("1"));
        let cached: Vec<_> = c
            .cache
            .lock()
            .unwrap()
            .keys()
            .map(|(_, a)| a.to_string())
            .collect();
        assert_eq!(cached, ["2"]);
    }

    #[tokio::test]
    async fn a_token_file_is_read_and_trimmed_locally() {
        let path = std::env::temp_dir().join(format!("token-{}", std::process::id()));
        std::fs::write(&path, "file-token\n").unwrap();
        let source = format!("file:{}", path.display());
        let got = local(&[])
            .get(&FB, &account("1"), Some(&source), "META_PAGE_TOKEN")
            .await;
        assert_eq!(
            got.map(|t| t.expose_secret().to_owned()).as_deref(),
            Ok("file-token")
        );
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn every_credential_name_is_one_ssm_accepts() {
        let allowed = |name: &str| {
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
        };
        for (platform, account, want) in [
            ("facebook", "1029384756", "/guard/pages/facebook/1029384756"),
            (
                "mastodon",
                "shop@example.social",
                "/guard/pages/mastodon/shop_example.social",
            ),
            (
                "google",
                "accounts/1/locations/2",
                "/guard/pages/google/accounts/1/locations/2",
            ),
        ] {
            let account = AccountId::parse(account).unwrap();
            let name = ssm_name("/guard/pages/", &Platform::from_static(platform), &account);
            assert!(allowed(&name), "{name}");
            assert_eq!(name, want);
        }
    }
}
