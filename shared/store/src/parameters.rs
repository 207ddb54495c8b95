//! SSM SecureString parameters (page tokens on AWS) behind a small port, so the responder
//! and its tests need no AWS type.

use async_trait::async_trait;
use secrecy::SecretString;

/// Why a parameter could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParameterError {
    /// Worth trying again (throttled, a network hiccup).
    #[error("{0}")]
    Unavailable(String),
    /// Will not work until someone changes permissions or keys (AccessDenied, a KMS key the
    /// function may not use).
    #[error("{0}")]
    Denied(String),
}

/// Reads SecureString parameters.
#[async_trait]
pub trait SecretParameters: Send + Sync {
    /// `Ok(None)`: no such parameter.
    async fn get(&self, name: &str) -> Result<Option<SecretString>, ParameterError>;
}

/// SSM, through the client of [`crate::client::ssm_client_from_env`].
pub struct SsmParameters(aws_sdk_ssm::Client);

impl SsmParameters {
    pub async fn from_env() -> Self {
        Self(crate::client::ssm_client_from_env().await)
    }
}

#[async_trait]
impl SecretParameters for SsmParameters {
    async fn get(&self, name: &str) -> Result<Option<SecretString>, ParameterError> {
        use aws_sdk_ssm::error::ProvideErrorMetadata;
        match self
            .0
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
            Err(e) => {
                let code = e.as_service_error().and_then(|se| se.code()).unwrap_or("");
                let described = runtime_chain(&e);
                if matches!(
                    code,
                    "AccessDeniedException" | "AccessDenied" | "KMSAccessDeniedException"
                ) || e
                    .as_service_error()
                    .is_some_and(|se| se.is_invalid_key_id())
                {
                    Err(ParameterError::Denied(described))
                } else {
                    Err(ParameterError::Unavailable(described))
                }
            }
        }
    }
}

fn runtime_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
