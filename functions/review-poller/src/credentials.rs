//! Each app's key: on AWS only the SSM SecureString `{prefix}/{platform}/{app}` (the same
//! place the responder reads it from); locally `{VARIABLE}_{app}`, else `{VARIABLE}` (the
//! platform's `credential_variable`: `GOOGLE_PLAY_SERVICE_ACCOUNT`, `APP_STORE_CONNECT_KEY`).

use feedback::{AccountId, Platform};
use secrecy::SecretString;
use std::sync::Arc;
use store::parameters::{ParameterError, SecretParameters};

/// Looks a variable up (the process environment, or a test's).
pub type Lookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

pub enum AppKeys {
    Ssm {
        parameters: Arc<dyn SecretParameters>,
        prefix: String,
    },
    Local(Lookup),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("no key stored: {0}")]
    Missing(String),
    #[error("reading the key failed for now: {0}")]
    Unavailable(String),
    #[error("reading the key is denied: {0}")]
    Denied(String),
}

impl AppKeys {
    pub async fn get(
        &self,
        platform: &Platform,
        app: &AccountId,
        variable: &str,
    ) -> Result<SecretString, KeyError> {
        match self {
            AppKeys::Ssm { parameters, prefix } => {
                let name = format!("{}/{platform}/{app}", prefix.trim_end_matches('/'));
                match parameters.get(&name).await {
                    Ok(Some(key)) => Ok(key),
                    Ok(None) => Err(KeyError::Missing(format!("SSM parameter {name}"))),
                    Err(ParameterError::Unavailable(e)) => Err(KeyError::Unavailable(e)),
                    Err(ParameterError::Denied(e)) => Err(KeyError::Denied(e)),
                }
            }
            AppKeys::Local(env) => {
                let specific = format!("{variable}_{app}");
                env(&specific)
                    .or_else(|| env(variable))
                    .filter(|v| !v.trim().is_empty())
                    .map(SecretString::from)
                    .ok_or_else(|| {
                        KeyError::Missing(format!("neither {specific} nor {variable} is set"))
                    })
            }
        }
    }
}
