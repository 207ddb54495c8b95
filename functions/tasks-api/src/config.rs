//! Configuration of the tasks API, read once per cold start.
//!
//! On AWS sign-in is always Cognito: the API Gateway JWT authorizer checks every `/api/*`
//! request, and the function checks the verified claims again ([`Trust`]). The local
//! runner's sign-in ([`SignIn::Local`]) cannot be configured from the environment at all,
//! and [`TasksApiConfig::local`] refuses to build it inside Lambda.

use feedback::settings;
use triage::{PageSettings, TemplateSet};

/// How the page signs staff in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// The Cognito Hosted UI (authorization code with PKCE), then `Authorization: Bearer`
    /// with the ID token.
    Cognito {
        /// `https://{prefix}.auth.{region}.amazoncognito.com`
        domain: String,
        client_id: String,
    },
    /// The local runner's sign-in (`POST /api/local-sign-in`, served by the runner only).
    Local,
}

/// Whose tokens the function accepts: the claims API Gateway verified must name this
/// issuer and this app client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trust {
    /// `https://cognito-idp.{region}.amazonaws.com/{user pool id}`
    pub issuer: String,
    pub client_id: String,
}

impl Trust {
    /// What the local runner's tokens say (they are checked by the runner itself).
    pub const LOCAL_ISSUER: &'static str = "local-runner";
    pub const LOCAL_CLIENT_ID: &'static str = "local-inbox";

    fn local() -> Self {
        Self {
            issuer: Self::LOCAL_ISSUER.to_owned(),
            client_id: Self::LOCAL_CLIENT_ID.to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TasksApiConfig {
    pub table_name: String,
    pub sign_in: SignIn,
    pub trust: Trust,
    /// Settings of pages without their own (the responder's defaults).
    pub defaults: PageSettings,
    /// The built-in wording (for the update request staff may have to send by hand).
    pub templates: TemplateSet,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration: {}", problems.join("; "))]
pub struct ConfigError {
    pub problems: Vec<String>,
}

/// The pages' defaults, read as the responder reads them; nothing else of its
/// configuration (its platforms and their secrets) is read here.
fn page_defaults(
    get: &impl Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
) -> Option<(String, PageSettings, TemplateSet)> {
    let Some(table) = settings::value(get, "TABLE_NAME") else {
        problems.push("TABLE_NAME is not set".to_owned());
        return None;
    };
    let defaults = PageSettings::defaults_from(get, problems);
    match TemplateSet::builtin() {
        Ok(templates) => Some((table, defaults, templates)),
        Err(e) => {
            problems.push(format!("the built-in reply templates do not load: {e}"));
            None
        }
    }
}

impl TasksApiConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// The Lambda's configuration: Cognito, always. Every problem reported together.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let mut required =
            |name: &str, rule: fn(&str) -> bool, what: &str| match settings::value(&get, name) {
                Some(v) if rule(&v) => v,
                Some(v) => {
                    problems.push(format!("{name} must be {what}, not {v:?}"));
                    String::new()
                }
                None => {
                    problems.push(format!("{name} is not set"));
                    String::new()
                }
            };
        let https = |v: &str| v.starts_with("https://") && !v.ends_with('/');
        let issuer = required(
            "COGNITO_ISSUER",
            https,
            "the user pool's issuer URL (https://cognito-idp.{region}.amazonaws.com/{pool id})",
        );
        let domain = required(
            "COGNITO_DOMAIN",
            https,
            "the Hosted UI's URL (https://{prefix}.auth.{region}.amazoncognito.com)",
        );
        let client_id = required(
            "COGNITO_CLIENT_ID",
            |v| v.chars().all(|c| c.is_ascii_alphanumeric()),
            "the app client id",
        );
        let defaults = page_defaults(&get, &mut problems);
        match defaults {
            Some((table_name, defaults, templates)) if problems.is_empty() => Ok(Self {
                table_name,
                sign_in: SignIn::Cognito {
                    domain,
                    client_id: client_id.clone(),
                },
                trust: Trust { issuer, client_id },
                defaults,
                templates,
            }),
            _ => Err(ConfigError { problems }),
        }
    }

    /// The local runner's configuration: local sign-in. Refused inside Lambda
    /// (`AWS_LAMBDA_FUNCTION_NAME` set), so no deployment can ever serve it.
    pub fn local(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        if get("AWS_LAMBDA_FUNCTION_NAME").is_some_and(|v| !v.is_empty()) {
            return Err(ConfigError {
                problems: vec![
                    "the local sign-in cannot be used in Lambda (AWS_LAMBDA_FUNCTION_NAME is set)"
                        .to_owned(),
                ],
            });
        }
        let mut problems = Vec::new();
        match page_defaults(&get, &mut problems) {
            Some((table_name, defaults, templates)) => Ok(Self {
                table_name,
                sign_in: SignIn::Local,
                trust: Trust::local(),
                defaults,
                templates,
            }),
            None => Err(ConfigError { problems }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use feedback::settings::fixed as lookup;

    const COGNITO: [(&str, &str); 4] = [
        ("TABLE_NAME", "feedback"),
        (
            "COGNITO_ISSUER",
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
        ),
        (
            "COGNITO_DOMAIN",
            "https://inbox-1.auth.eu-west-1.amazoncognito.com",
        ),
        ("COGNITO_CLIENT_ID", "4abc123def456"),
    ];

    #[test]
    fn the_lambda_configuration_is_always_cognito() {
        let c = TasksApiConfig::from_lookup(lookup(&COGNITO)).unwrap();
        assert_eq!(
            c.sign_in,
            SignIn::Cognito {
                domain: "https://inbox-1.auth.eu-west-1.amazoncognito.com".into(),
                client_id: "4abc123def456".into()
            }
        );
        assert_eq!(
            c.trust.issuer,
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
        );
    }

    #[test]
    fn without_cognito_settings_the_lambda_refuses_to_start_and_says_what_is_missing() {
        let err = TasksApiConfig::from_lookup(lookup(&[
            ("COGNITO_DOMAIN", "http://plain"),
            ("LOCAL_SIGN_IN", "true"),
        ]))
        .unwrap_err();
        let text = err.to_string();
        for missing in ["TABLE_NAME", "COGNITO_ISSUER", "COGNITO_CLIENT_ID"] {
            assert!(text.contains(&format!("{missing} is not set")), "{text}");
        }
        assert!(text.contains("COGNITO_DOMAIN must be"), "{text}");
    }

    #[test]
    fn the_local_sign_in_is_refused_inside_lambda() {
        let mut vars = COGNITO.to_vec();
        vars.push((
            "AWS_LAMBDA_FUNCTION_NAME",
            "reputation-guard-TasksApiFunction",
        ));
        let err = TasksApiConfig::local(lookup(&vars)).unwrap_err();
        assert!(
            err.to_string().contains("cannot be used in Lambda"),
            "{err}"
        );
        let local = TasksApiConfig::local(lookup(&COGNITO)).unwrap();
        assert_eq!(local.sign_in, SignIn::Local);
        assert_eq!(local.trust.issuer, Trust::LOCAL_ISSUER);
    }
}
