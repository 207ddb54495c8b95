//! The feedback table in DynamoDB.
//!
//! - [`keys`]: how every record kind is keyed (the table design in README.md, in code).
//! - [`FeedbackStore`]: the storage port the ingest function writes through.
//! - [`DynamoStore`]: its DynamoDB adapter. Every write is idempotent: a change redelivered
//!   any number of times, in any batch, leaves one record.
//! - [`setup`] (feature `setup`): creates a table from the definition in `template.yaml`, so
//!   local and test tables never drift from the deployed one.

mod codec;
mod dynamo;
pub mod followup;
pub mod keys;
#[cfg(feature = "setup")]
pub mod setup;
pub mod staff;

pub use dynamo::DynamoStore;

/// The item a new feedback record is stored as (what `record_changes` puts), for
/// benchmarks and tools.
pub fn new_feedback_item(
    f: &Feedback,
) -> std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> {
    codec::feedback_item(f, false, false)
}

use async_trait::async_trait;
use feedback::{Feedback, FeedbackChange};
use time::OffsetDateTime;

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
    let conf = match environment_config(&var) {
        Some(conf) => conf,
        None => {
            let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
            let mut conf = aws_sdk_dynamodb::config::Builder::from(&sdk);
            if let Some(url) = non_empty(var("DYNAMODB_ENDPOINT_URL")) {
                conf = conf.endpoint_url(url);
            }
            conf
        }
    };
    aws_sdk_dynamodb::Client::from_conf(conf.timeout_config(timeouts()).build())
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The configuration the default chains would resolve when the environment has a region
/// and a key pair; `None` when it lacks either, or names a profile to use instead.
fn environment_config(
    var: &impl Fn(&str) -> Option<String>,
) -> Option<aws_sdk_dynamodb::config::Builder> {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    let get = |name: &str| non_empty(var(name));
    if get("AWS_PROFILE").is_some() {
        return None;
    }
    let region = get("AWS_REGION").or_else(|| get("AWS_DEFAULT_REGION"))?;
    let credentials = Credentials::new(
        get("AWS_ACCESS_KEY_ID")?,
        get("AWS_SECRET_ACCESS_KEY")?,
        get("AWS_SESSION_TOKEN"),
        None,
        "Environment",
    );
    let mut conf = aws_sdk_dynamodb::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(credentials);
    let endpoint = [
        "DYNAMODB_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL",
    ]
    .into_iter()
    .find_map(get);
    // A plain-HTTP endpoint (DynamoDB Local) uses no roots at all; an HTTPS one that is not
    // AWS's own may need the system's (a proxy with a private CA).
    let tls_elsewhere = endpoint.as_deref().is_some_and(|url| {
        url.get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    });
    if !tls_elsewhere && let Some(client) = aws_endpoints_http_client() {
        conf = conf.http_client(client);
    }
    if let Some(url) = endpoint {
        conf = conf.endpoint_url(url);
    }
    Some(conf)
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
        let conf = super::environment_config(&env(&LAMBDA)).map(|c| c.build());
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
                let conf = super::environment_config(&env(&vars)).map(|c| c.build());
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
            assert!(
                super::environment_config(&env(&vars)).is_none(),
                "{missing}"
            );
        }
        let mut vars = LAMBDA.to_vec();
        vars.push(("AWS_PROFILE", "staff"));
        assert!(super::environment_config(&env(&vars)).is_none());
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
        assert!(super::environment_config(&env(&blank)).is_none());
    }
}

/// The key of one feedback item: platform + the platform's item id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeedbackKey {
    pub platform: feedback::Platform,
    pub item_id: feedback::ItemId,
}

impl FeedbackKey {
    pub fn of(f: &Feedback) -> Self {
        Self {
            platform: f.platform,
            item_id: f.item_id.clone(),
        }
    }

    pub fn pk(&self) -> String {
        keys::feedback_pk(self.platform, &self.item_id)
    }

    /// From a table `pk` (`feedback#{platform}#{item}`).
    pub fn from_pk(pk: &str) -> Option<Self> {
        let rest = pk.strip_prefix("feedback#")?;
        let (platform, item) = rest.split_once('#')?;
        Some(Self {
            platform: feedback::Platform::parse(platform)?,
            item_id: feedback::ItemId::parse(item).ok()?,
        })
    }
}

/// Unsupported deliveries are kept this long for inspection, then DynamoDB's TTL removes
/// them. Feedback records never expire.
pub const UNSUPPORTED_RETENTION_DAYS: i64 = 90;

/// A verified delivery we could not (fully) use, kept raw for inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedDelivery {
    /// The webhook route it came in on (`meta`).
    pub route: String,
    pub body: Vec<u8>,
    pub reasons: Vec<String>,
    pub received_at: OffsetDateTime,
}

/// What storing a delivery's changes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordOutcome {
    /// New feedback records.
    pub inserted: usize,
    /// Existing records edited or marked removed.
    pub updated: usize,
    /// Changes already stored (redeliveries): nothing written.
    pub unchanged: usize,
}

/// A text an edit replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousText {
    pub text: String,
    pub replaced_at: OffsetDateTime,
}

/// A stored feedback record: the feedback and what happened to it since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRecord {
    pub feedback: Feedback,
    pub edited: bool,
    pub text_history: Vec<PreviousText>,
    pub removed: bool,
    pub removed_at: Option<OffsetDateTime>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DynamoDB {operation} failed")]
    Dynamo {
        operation: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("stored record {key} is unreadable: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("record {key} kept changing under us; gave up after {attempts} attempts")]
    Contended { key: String, attempts: usize },
}

/// The storage port of the ingest function.
#[async_trait]
pub trait FeedbackStore: Send + Sync {
    /// Store every change durably. Returns only once all are stored; any error means some
    /// may not be, and the platform must redeliver (which is safe: writes are idempotent).
    async fn record_changes(&self, changes: &[FeedbackChange])
    -> Result<RecordOutcome, StoreError>;

    /// Keep a delivery we could not use. Returns `false` when it was already kept.
    async fn record_unsupported(&self, delivery: &UnsupportedDelivery) -> Result<bool, StoreError>;
}
