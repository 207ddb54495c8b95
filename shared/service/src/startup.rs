//! The cold start of the functions that answer on pages (the responder, the sweeper, the
//! review poller), once.

use crate::config::TOKEN_PREFIX_VARIABLE;
use crate::credentials::Credentials;
use feedback::settings;
use store::parameters::Startup;

/// Tracing on; `secret_variables` read (from SSM, one call, when `SECRETS_SSM_PATH` is set);
/// the configuration `read` from them and the environment; and the pages' credentials
/// (SSM parameters under `PAGE_TOKEN_SSM_PREFIX` when that is set and SSM is used, else
/// variables or files).
pub async fn cold_start<C, E>(
    secret_variables: &[&str],
    read: impl FnOnce(&dyn Fn(&str) -> Option<String>) -> Result<C, E>,
) -> Result<(C, Credentials), Box<dyn std::error::Error + Send + Sync>>
where
    E: std::error::Error + Send + Sync + 'static,
{
    logging::init_tracing();
    let startup = Startup::load(secret_variables, &[TOKEN_PREFIX_VARIABLE]).await?;
    let lookup = |k: &str| startup.get(k);
    let config = read(&lookup)?;
    let prefix = settings::value(&lookup, TOKEN_PREFIX_VARIABLE);
    let credentials = Credentials::for_deployment(prefix.as_deref(), &startup);
    Ok((config, credentials))
}
