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

    /// Several at once (those that exist), in as few calls as the service allows.
    async fn get_many(
        &self,
        names: &[String],
    ) -> Result<std::collections::HashMap<String, SecretString>, ParameterError> {
        let mut found = std::collections::HashMap::new();
        for name in names {
            if let Some(value) = self.get(name).await? {
                found.insert(name.clone(), value);
            }
        }
        Ok(found)
    }
}

/// The secrets named `variables`, stored as `{path}/{VARIABLE}`, as variable → value.
/// One `GetParameters` call for up to ten.
pub async fn read_secrets(
    parameters: &dyn SecretParameters,
    path: &str,
    variables: &[&str],
) -> Result<std::collections::HashMap<String, SecretString>, ParameterError> {
    let path = path.trim_end_matches('/');
    let names: Vec<String> = variables.iter().map(|v| format!("{path}/{v}")).collect();
    let found = parameters.get_many(&names).await?;
    Ok(variables
        .iter()
        .zip(&names)
        .filter_map(|(variable, name)| found.get(name).map(|v| ((*variable).to_owned(), v.clone())))
        .collect())
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
                let invalid_key = e
                    .as_service_error()
                    .is_some_and(|se| se.is_invalid_key_id());
                Err(classify(&e, code, invalid_key))
            }
        }
    }

    async fn get_many(
        &self,
        names: &[String],
    ) -> Result<std::collections::HashMap<String, SecretString>, ParameterError> {
        use aws_sdk_ssm::error::ProvideErrorMetadata;
        let mut found = std::collections::HashMap::new();
        for chunk in names.chunks(10) {
            let out = self
                .0
                .get_parameters()
                .set_names(Some(chunk.to_vec()))
                .with_decryption(true)
                .send()
                .await
                .map_err(|e| {
                    let code = e
                        .as_service_error()
                        .and_then(|se| se.code())
                        .unwrap_or("")
                        .to_owned();
                    classify(&e, &code, false)
                })?;
            for p in out.parameters.unwrap_or_default() {
                if let (Some(name), Some(value)) = (p.name, p.value) {
                    found.insert(name, SecretString::from(value));
                }
            }
        }
        Ok(found)
    }
}

fn classify(
    e: &(dyn std::error::Error + 'static),
    code: &str,
    invalid_key: bool,
) -> ParameterError {
    let described = logging::error_chain(e);
    if invalid_key
        || matches!(
            code,
            "AccessDeniedException" | "AccessDenied" | "KMSAccessDeniedException"
        )
    {
        ParameterError::Denied(described)
    } else {
        ParameterError::Unavailable(described)
    }
}

/// What every function reads once at start-up: its secrets from SSM SecureString
/// parameters under `SECRETS_SSM_PATH` (one call), everything else from the environment;
/// and the SSM client, kept for what is read later (page credentials, a reload).
pub struct Startup {
    /// The SSM client, when this runs where SSM is used (`SECRETS_SSM_PATH` or one of the
    /// variables `also_for` names is set).
    pub ssm: Option<std::sync::Arc<SsmParameters>>,
    secrets_path: Option<String>,
    secrets: std::collections::HashMap<String, String>,
}

impl Startup {
    /// Reads `secret_variables` from SSM when `SECRETS_SSM_PATH` is set; an SSM client is
    /// also made when any of `also_for` is set (a prefix of page credentials).
    pub async fn load(
        secret_variables: &[&str],
        also_for: &[&str],
    ) -> Result<Self, ParameterError> {
        let secrets_path = env("SECRETS_SSM_PATH");
        let ssm = if secrets_path.is_some() || also_for.iter().any(|v| env(v).is_some()) {
            Some(std::sync::Arc::new(SsmParameters::from_env().await))
        } else {
            None
        };
        let mut startup = Self {
            ssm,
            secrets_path,
            secrets: std::collections::HashMap::new(),
        };
        startup.secrets = startup.read(secret_variables).await?;
        Ok(startup)
    }

    /// The secrets again (a rotation): the variables that are stored, as variable → value.
    pub async fn read(
        &self,
        secret_variables: &[&str],
    ) -> Result<std::collections::HashMap<String, String>, ParameterError> {
        use secrecy::ExposeSecret;
        let (Some(ssm), Some(path)) = (&self.ssm, &self.secrets_path) else {
            return Ok(std::collections::HashMap::new());
        };
        Ok(read_secrets(ssm.as_ref(), path, secret_variables)
            .await?
            .into_iter()
            .map(|(k, v)| (k, v.expose_secret().to_owned()))
            .collect())
    }

    /// A configuration variable: the secret read at start-up, else the environment.
    pub fn get(&self, name: &str) -> Option<String> {
        self.secrets
            .get(name)
            .cloned()
            .or_else(|| std::env::var(name).ok())
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
