//! The one way this project builds AWS clients: from the standard environment on Lambda
//! (region and key pair, bundled trust roots), from the full provider chains elsewhere,
//! or for DynamoDB Local with its dummy credentials.

/// The SDK sets no timeouts by default: a stuck call would hold the webhook until Lambda
/// kills it. These keep every call well inside Meta's 20 s and a Lambda's 15 s.
pub fn timeouts() -> aws_sdk_dynamodb::config::timeout::TimeoutConfig {
    use std::time::Duration;
    aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(Duration::from_secs(3))
        .operation_timeout(Duration::from_secs(8))
        .build()
}

/// A DynamoDB client from the standard AWS environment (region, credentials,
/// `AWS_ENDPOINT_URL_DYNAMODB`, profiles), with [`timeouts`].
///
/// `DYNAMODB_ENDPOINT_URL`, when not empty, points only DynamoDB elsewhere. The template
/// declares it empty so `sam local --env-vars infra/env.json` can set it (SAM only passes
/// variables the template declares, and an empty `AWS_ENDPOINT_URL_DYNAMODB` makes the SDK
/// panic, so that one cannot be declared empty).
///
/// When the region and a key pair are in the environment — always so on Lambda, where they
/// are the execution role's credentials — the client is built from them directly (what the
/// default provider chains would pick first anyway), and, unless an HTTPS endpoint URL
/// points it elsewhere, it trusts only the bundled Amazon Trust Services roots that every AWS endpoint
/// chains to, instead of reading the whole system store: that took ~3 ms of every cold
/// start (see bench/results.md). Otherwise the full chains (profiles, SSO, IMDS…) and the
/// system's roots are used.
pub async fn client_from_env() -> aws_sdk_dynamodb::Client {
    client_from(|name| std::env::var(name).ok()).await
}

/// [`client_from_env`] with the variables looked up through `var` (for tests).
pub async fn client_from(var: impl Fn(&str) -> Option<String>) -> aws_sdk_dynamodb::Client {
    let conf = match environment_config(&var, &DYNAMODB_ENDPOINTS) {
        Some(env) => env,
        None => {
            let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
            let mut conf = aws_sdk_dynamodb::config::Builder::from(&sdk);
            if let Some(url) = non_empty(var("DYNAMODB_ENDPOINT_URL")) {
                conf = conf.endpoint_url(url);
            }
            return aws_sdk_dynamodb::Client::from_conf(conf.timeout_config(timeouts()).build());
        }
    };
    client_with_timeouts(conf)
}

/// The variables that may point DynamoDB elsewhere, first one set wins.
const DYNAMODB_ENDPOINTS: [&str; 3] = [
    "DYNAMODB_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL",
];

/// What [`client_from`] reads from an environment with a region and a key pair (always so
/// on Lambda), before anything costly is built: `None` when the default chains are needed.
pub(crate) fn environment_config_from(
    var: &impl Fn(&str) -> Option<String>,
) -> Option<EnvironmentConfig> {
    environment_config(var, &DYNAMODB_ENDPOINTS)
}

/// A DynamoDB client from an [`EnvironmentConfig`], with [`timeouts`].
pub(crate) fn client_with_timeouts(conf: EnvironmentConfig) -> aws_sdk_dynamodb::Client {
    let sdk = sdk_from_environment(conf);
    aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk)
            .timeout_config(timeouts())
            .build(),
    )
}

/// An SSM client built the same way as [`client_from_env`]'s DynamoDB client (on Lambda:
/// from the environment, with the bundled roots; elsewhere the default chains).
///
/// `SSM_ENDPOINT_URL`, when not empty, points only SSM elsewhere, as
/// `DYNAMODB_ENDPOINT_URL` does DynamoDB: the template declares it empty so `sam local`
/// can point the functions at an SSM emulator (`infra/sam-local.sh`, moto).
#[cfg(feature = "ssm")]
pub async fn ssm_client_from_env() -> aws_sdk_ssm::Client {
    let var = |name: &str| std::env::var(name).ok();
    const ENDPOINTS: [&str; 3] = [
        "SSM_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SSM",
        "AWS_ENDPOINT_URL",
    ];
    let conf = match environment_config(&var, &ENDPOINTS) {
        Some(env) => aws_sdk_ssm::config::Builder::from(&sdk_from_environment(env)),
        None => {
            let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
            let mut conf = aws_sdk_ssm::config::Builder::from(&sdk);
            if let Some(url) = non_empty(var("SSM_ENDPOINT_URL")) {
                conf = conf.endpoint_url(url);
            }
            conf
        }
    };
    aws_sdk_ssm::Client::from_conf(conf.timeout_config(timeouts()).build())
}

/// A DynamoDB client for DynamoDB Local (or any endpoint that takes dummy credentials):
/// never real credentials there.
pub fn local_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    local_client_with(endpoint, timeouts())
}

pub(crate) fn local_client_with(
    endpoint: &str,
    timeouts: aws_sdk_dynamodb::config::timeout::TimeoutConfig,
) -> aws_sdk_dynamodb::Client {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "local"))
        .endpoint_url(endpoint)
        .timeout_config(timeouts)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// A DynamoDB client from the default chains (profiles, SSO, …), optionally pointed at
/// `endpoint`: for staff tools on a workstation.
pub async fn profile_client(endpoint: Option<&str>) -> aws_sdk_dynamodb::Client {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let mut conf = aws_sdk_dynamodb::config::Builder::from(&sdk).timeout_config(timeouts());
    if let Some(url) = endpoint {
        conf = conf.endpoint_url(url);
    }
    aws_sdk_dynamodb::Client::from_conf(conf.build())
}

/// An STS client built like [`profile_client`]'s DynamoDB client (the default chains;
/// `AWS_ENDPOINT_URL_STS` or `AWS_ENDPOINT_URL` point it elsewhere): for staff tools.
#[cfg(feature = "staff")]
pub(crate) async fn sts_profile_client() -> aws_sdk_sts::Client {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let conf = aws_sdk_sts::config::Builder::from(&sdk).timeout_config(timeouts());
    aws_sdk_sts::Client::from_conf(conf.build())
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The configuration the default chains would resolve when the environment has a region
/// and a key pair; `None` when it lacks either, or names a profile to use instead.
/// `endpoints`: the variables that may point the service elsewhere, first one set wins.
/// The region, key pair and endpoint an environment names, read as text only (nothing
/// built yet): `None` when it lacks a region or a key pair, or names a profile to use
/// instead.
#[derive(Clone)]
pub(crate) struct EnvironmentConfig {
    region: String,
    key_id: String,
    secret: String,
    session_token: Option<String>,
    endpoint: Option<String>,
}

/// The key id, region and endpoint; never the secret or the session token.
impl std::fmt::Debug for EnvironmentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvironmentConfig")
            .field("region", &self.region)
            .field("key_id", &self.key_id)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

fn environment_config(
    var: &impl Fn(&str) -> Option<String>,
    endpoints: &[&str],
) -> Option<EnvironmentConfig> {
    let get = |name: &str| non_empty(var(name));
    if get("AWS_PROFILE").is_some() {
        return None;
    }
    Some(EnvironmentConfig {
        region: get("AWS_REGION").or_else(|| get("AWS_DEFAULT_REGION"))?,
        key_id: get("AWS_ACCESS_KEY_ID")?,
        secret: get("AWS_SECRET_ACCESS_KEY")?,
        session_token: get("AWS_SESSION_TOKEN"),
        endpoint: endpoints.iter().copied().find_map(get),
    })
}

fn sdk_from_environment(env: EnvironmentConfig) -> aws_config::SdkConfig {
    use aws_sdk_dynamodb::config::{
        BehaviorVersion, Credentials, Region, SharedCredentialsProvider,
    };
    let credentials = Credentials::new(
        env.key_id,
        env.secret,
        env.session_token,
        None,
        "Environment",
    );
    let mut conf = aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(env.region))
        .credentials_provider(SharedCredentialsProvider::new(credentials));
    // A plain-HTTP endpoint (DynamoDB Local) uses no roots at all; an HTTPS one that is not
    // AWS's own may need the system's (a proxy with a private CA).
    let tls_elsewhere = env.endpoint.as_deref().is_some_and(|url| {
        url.get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    });
    if !tls_elsewhere && let Some(client) = aws_endpoints_http_client() {
        conf = conf.http_client(client);
    }
    if let Some(url) = env.endpoint {
        conf = conf.endpoint_url(url);
    }
    conf.build()
}

/// Amazon Trust Services' root certificates (Amazon Root CA 1–4, Starfield Services Root
/// G2): AWS service endpoints present certificates that chain to these.
const AMAZON_TRUST_SERVICES_ROOTS: &str = include_str!("amazon-trust-services-roots.pem");

/// The SDK's default HTTPS client (rustls with aws-lc) trusting only
/// [`AMAZON_TRUST_SERVICES_ROOTS`].
fn aws_endpoints_http_client() -> Option<aws_sdk_dynamodb::config::SharedHttpClient> {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS.as_bytes());
    let context = TlsContext::builder().with_trust_store(trust).build().ok()?;
    Some(
        aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(context)
            .build_https(),
    )
}

#[cfg(test)]
mod client_tests {
    use super::AMAZON_TRUST_SERVICES_ROOTS;

    const DYNAMODB: [&str; 3] = [
        "DYNAMODB_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL",
    ];

    fn environment_config(
        var: &impl Fn(&str) -> Option<String>,
    ) -> Option<aws_sdk_dynamodb::config::Builder> {
        super::environment_config(var, &DYNAMODB)
            .map(|env| aws_sdk_dynamodb::config::Builder::from(&super::sdk_from_environment(env)))
    }
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    #[test]
    fn the_bundled_roots_load_as_five_trust_anchors_the_way_the_sdk_loads_them() {
        let certs = CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES_ROOTS.as_bytes())
            .collect::<Result<Vec<_>, _>>();
        let certs = match certs {
            Ok(certs) => certs,
            Err(e) => panic!("the bundle is not valid PEM: {e}"),
        };
        let mut roots = rustls::RootCertStore::empty();
        for cert in certs {
            if let Err(e) = roots.add(cert) {
                panic!("a bundled root is not a usable trust anchor: {e}");
            }
        }
        assert_eq!(roots.len(), 5);
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    const LAMBDA: [(&str, &str); 4] = [
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "token"),
    ];

    #[test]
    fn on_lambda_the_client_is_built_from_the_environment_with_the_bundled_roots() {
        let conf = environment_config(&env(&LAMBDA)).map(|c| c.build());
        let Some(conf) = conf else {
            panic!("a region and a key pair should be enough");
        };
        assert_eq!(conf.region().map(|r| r.as_ref()), Some("eu-west-1"));
        assert!(conf.http_client().is_some(), "bundled roots expected");
    }

    #[test]
    fn only_an_https_endpoint_url_keeps_the_default_http_client_and_its_system_roots() {
        for name in [
            "DYNAMODB_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_DYNAMODB",
            "AWS_ENDPOINT_URL",
        ] {
            for (url, bundled) in [
                ("http://127.0.0.1:8000", true),
                ("https://dynamodb.proxy.example", false),
                ("HTTPS://dynamodb.proxy.example", false),
            ] {
                let mut vars = LAMBDA.to_vec();
                vars.push((name, url));
                let conf = environment_config(&env(&vars)).map(|c| c.build());
                assert!(
                    conf.is_some_and(|c| c.http_client().is_some() == bundled),
                    "{name}={url}"
                );
            }
        }
    }

    #[test]
    fn without_a_region_a_key_pair_or_with_a_profile_the_default_chains_are_used() {
        for missing in ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            let vars: Vec<_> = LAMBDA
                .iter()
                .filter(|(n, _)| *n != missing)
                .copied()
                .collect();
            assert!(environment_config(&env(&vars)).is_none(), "{missing}");
        }
        let mut vars = LAMBDA.to_vec();
        vars.push(("AWS_PROFILE", "staff"));
        assert!(environment_config(&env(&vars)).is_none());
        let blank: Vec<_> = LAMBDA
            .iter()
            .map(|(n, v)| {
                if *n == "AWS_REGION" {
                    (*n, " ")
                } else {
                    (*n, *v)
                }
            })
            .collect();
        assert!(environment_config(&env(&blank)).is_none());
    }
}
