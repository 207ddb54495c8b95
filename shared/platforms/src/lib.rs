//! Platform knowledge: one module per platform, each behind [`WebhookPlatform`].
//!
//! - [`request`]: [`InboundRequest`], a webhook call as the edge received it (method, query,
//!   headers, raw body bytes), independent of Lambda or any HTTP server.
//! - [`WebhookPlatform`]: the trait every platform implements: answer a handshake, verify a
//!   delivery, parse it into [`feedback::FeedbackChange`]s.
//! - [`VerifiedDelivery`]: only a successful [`WebhookPlatform::verify`] can build one, and
//!   only a verified delivery can be parsed, so unverified bytes never reach storage.
//! - [`signature`]: the HMAC and secret helpers the platform modules share.
//! - [`capabilities`]: what a platform allows when answering (private channel, reply
//!   limits, ratings, whether items must be fetched); the core decides from these alone.
//! - [`registry`]: the webhook platforms this deployment serves, built from configuration.
//! - [`meta`]: Facebook Pages and Instagram (Graph API webhooks and the Graph API reply
//!   client).
//! - [`google`]: Google Business Profile reviews (Pub/Sub push with an OIDC token; the
//!   Business Profile API, OAuth).
//! - [`trustpilot`]: Trustpilot service reviews (a secret in the URL; the business API,
//!   OAuth).
//! - [`google_play`], [`app_store`]: app reviews on Google Play and the App Store: no
//!   webhooks, so [`polling`] ([`polling::ReviewSource`]) lists them for the review poller.
//! - [`tiktok`], [`linkedin`], [`x`]: comments and mentions on TikTok business accounts,
//!   LinkedIn organization pages and X accounts (HMAC-signed webhooks; their reply APIs).
//! - [`mastodon`]: mentions of a Mastodon account on any server: no webhooks for an
//!   account, so polled like the app stores; answered as statuses.
//! - [`standard`]: the Standard Webhooks door for any other tool (no reply client).
//! - [`calls`], [`oauth`]: what outgoing platform calls share (timeouts, no redirects,
//!   capped answers, encoded ids) and the OAuth refresh-token cache.
//! - [`sample`]: samples and stand-in answers get their times when used.
//! - [`reply`]: the [`reply::ReplyClient`] port every platform's reply
//!   client implements (post, reconcile, private message, fetch an item, access tokens),
//!   and [`reply::Outbound`], the reply clients and capabilities keyed by platform.
//!
//! Adding a platform is adding one module (both halves: webhook and replies) and one line
//! in each of [`registry::from_lookup`] and [`outbound::from_lookup`].

/// The [`WebhookPlatform`] of a platform module: served on the module's `ROUTE`, checked by
/// `verify` (given the platform, the request and the time) and read by `parse` (given the
/// platform, the verified body and the time of receipt); a `handshake` (given the platform
/// and the request) is asked only of a `GET`, any other call being none; the items after
/// them (test signing, kept state) are the platform's own.
macro_rules! webhook_platform {
    (
        $platform:ty,
        verify: |$this:ident, $request:ident, $now:ident| $verify:expr,
        parse: |$reader:ident, $body:ident, $received_at:ident| $parse:expr,
        handshake: |$greeter:ident, $greeting:ident| $handshake:expr
        $(, $item:item)* $(,)?
    ) => {
        webhook_platform!(
            $platform,
            verify: |$this, $request, $now| $verify,
            parse: |$reader, $body, $received_at| $parse,
            fn handshake(
                &$greeter,
                $greeting: &$crate::InboundRequest,
            ) -> Option<$crate::HandshakeOutcome> {
                if $greeting.method != ::http::Method::GET {
                    return None;
                }
                $handshake
            }
            $(, $item)*
        );
    };
    (
        $platform:ty,
        verify: |$this:ident, $request:ident, $now:ident| $verify:expr,
        parse: |$reader:ident, $body:ident, $received_at:ident| $parse:expr
        $(, $item:item)* $(,)?
    ) => {
        #[async_trait::async_trait]
        impl $crate::WebhookPlatform for $platform {
            fn route(&self) -> &'static str {
                ROUTE
            }

            async fn verify<'r>(
                &$this,
                $request: &'r $crate::InboundRequest,
                $now: time::OffsetDateTime,
            ) -> Result<$crate::VerifiedDelivery<'r>, $crate::VerifyError> {
                $verify
            }

            fn parse(
                &$reader,
                delivery: &$crate::VerifiedDelivery<'_>,
                $received_at: time::OffsetDateTime,
            ) -> $crate::ParsedDelivery {
                let $body = delivery.body();
                $parse
            }

            $($item)*
        }
    };
}

mod allowed;
pub mod app_store;
pub mod calls;
/// What a platform allows when answering: declared here by each platform module, defined with
/// the vocabulary so that triage and the store read it without this crate.
pub use feedback::capabilities;
pub mod destination;
pub mod google;
pub mod google_play;
mod json;
pub mod linkedin;
pub mod mastodon;
pub mod meta;
pub mod oauth;
pub mod outbound;
pub mod polling;
pub mod reply;
pub mod request;
pub mod sample;
mod settings;
pub mod signature;
pub mod standard;
#[cfg(test)]
mod testing;
pub mod tiktok;
pub mod trustpilot;
pub mod x;

pub use request::InboundRequest;
pub use signature::SecretList;

use async_trait::async_trait;
use feedback::FeedbackChange;
use time::OffsetDateTime;

/// The answer to a subscription handshake (a `GET` from the platform).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeOutcome {
    /// Answer 200 with this body (Meta: the challenge as text; X and LinkedIn: JSON).
    Accept {
        content_type: &'static str,
        body: String,
    },
    /// Answer 403: the token or challenge was wrong.
    Refuse { reason: &'static str },
    /// Answer 400: the challenge is missing or not token-like, so it is not answered (X's
    /// CRC answer is an HMAC of the challenge: answering anything would sign anything).
    Malformed { reason: &'static str },
}

/// Every way a delivery can fail verification. Each maps to 401 at the edge, except
/// [`VerifyError::KeysUnavailable`] (503: the sender retries).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the {0} header is missing")]
    MissingSignature(&'static str),
    #[error("the {0} header appears more than once")]
    DuplicateSignature(&'static str),
    #[error("the {0} header is malformed: {1}")]
    MalformedSignature(&'static str, &'static str),
    #[error("the signature matches none of the configured secrets")]
    SignatureMismatch,
    #[error("the signed timestamp is outside the allowed window")]
    StaleTimestamp,
    #[error("the credential in the request is missing or wrong")]
    BadCredential,
    #[error("no secret is configured for this platform")]
    NoSecretConfigured,
    /// The keys the signature must be checked with cannot be had now (the platform's key
    /// URL is down and no usable key is cached): nothing is known about the delivery, so
    /// it is answered with a status the platform retries, never 401.
    #[error("the keys to check the signature with are unavailable for now")]
    KeysUnavailable,
}

impl VerifyError {
    /// Whether the delivery may be genuine and should be sent again later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, VerifyError::KeysUnavailable)
    }
}

/// A delivery whose authenticity was proven. Only a platform's `verify` can build one
/// (the constructor is public so platforms defined outside this crate, such as the test
/// platform of the integration tests, can implement [`WebhookPlatform`]; the handler only
/// ever parses what `verify` returned).
#[derive(Debug)]
pub struct VerifiedDelivery<'r> {
    route: &'static str,
    body: &'r [u8],
    headers: &'r http::HeaderMap,
}

impl<'r> VerifiedDelivery<'r> {
    pub fn new(route: &'static str, request: &'r InboundRequest) -> Self {
        Self {
            route,
            body: &request.body,
            headers: &request.headers,
        }
    }

    pub fn route(&self) -> &'static str {
        self.route
    }

    pub fn body(&self) -> &'r [u8] {
        self.body
    }

    /// The headers of the verified request (delivery ids such as `webhook-id`).
    pub fn headers(&self) -> &'r http::HeaderMap {
        self.headers
    }
}

/// Part of a verified delivery that we do not (yet) handle: an object, field or verb we do
/// not know, or a change missing what we need. The raw delivery is kept for inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    pub reason: String,
}

/// Everything a verified delivery said.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedDelivery {
    pub changes: Vec<FeedbackChange>,
    pub unsupported: Vec<Unsupported>,
    /// The delivery breaks a schema we publish (the Standard Webhooks door): what is wrong,
    /// field by field. Answered 400 so the sender can fix it; the raw delivery is kept.
    pub invalid: Vec<String>,
}

/// Feedback a delivery names by id only (nothing else about it is known yet): a review to
/// fetch, or an item removed.
pub(crate) fn id_only_feedback(
    platform: feedback::Platform,
    account_id: feedback::AccountId,
    item_id: feedback::ItemId,
    kind: feedback::FeedbackKind,
    raw: String,
    received_at: OffsetDateTime,
) -> feedback::Feedback {
    feedback::Feedback {
        raw,
        ..feedback::Feedback::new(platform, account_id, item_id, kind, received_at)
    }
}

/// A correctly authenticated delivery made by the platform module itself, for trying the
/// product locally (`feedbackctl sign`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestDelivery {
    /// Path segments after `/webhooks/{route}` (a URL secret, say).
    pub path_tail: Vec<String>,
    /// Headers to send besides `Content-Type: application/json`.
    pub headers: Vec<(String, String)>,
}

impl TestDelivery {
    /// A delivery to the route itself, authenticated by `headers` (name, value).
    pub fn with_headers<const N: usize>(headers: [(&str, String); N]) -> Self {
        Self {
            path_tail: Vec::new(),
            headers: headers
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
        }
    }
}

/// One platform's webhook knowledge. Implementations hold their own secrets.
///
/// The shape fits every platform in `platforms.md`: `handshake` covers Meta's hub challenge
/// and the JSON challenges of X and LinkedIn; `verify` sees method, path, query, headers, body
/// and the clock, which covers HMAC headers (Meta, X, LinkedIn), signed timestamps (TikTok,
/// Standard Webhooks), a secret in the URL (Trustpilot) and a bearer JWT (Google; `async`
/// so its keys can be fetched and cached).
#[async_trait]
pub trait WebhookPlatform: Send + Sync {
    /// The route segment this platform is served on: `/webhooks/{route}`.
    fn route(&self) -> &'static str;

    /// Answer a `GET` on the route. `None` (the default): this platform has no handshake
    /// (405).
    fn handshake(&self, _request: &InboundRequest) -> Option<HandshakeOutcome> {
        None
    }

    /// Prove the delivery came from the platform.
    async fn verify<'r>(
        &self,
        request: &'r InboundRequest,
        now: OffsetDateTime,
    ) -> Result<VerifiedDelivery<'r>, VerifyError>;

    /// Turn a verified delivery into feedback changes. Never fails: what cannot be used is
    /// reported as [`Unsupported`] so the raw delivery can be kept.
    fn parse(&self, delivery: &VerifiedDelivery<'_>, received_at: OffsetDateTime)
    -> ParsedDelivery;

    /// Authenticate `body` as the platform would, with this deployment's own secrets, for
    /// local trials. `None`: the platform cannot (its deliveries are signed by keys only it
    /// holds).
    fn sign_for_test(&self, _body: &[u8], _now: OffsetDateTime) -> Option<TestDelivery> {
        None
    }

    /// Itself, so [`WebhookPlatform::keep_state_of`] can recognise its predecessor.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }

    /// Take over what `previous` (the platform this route served before the secrets were
    /// read again) learned that the secrets do not change, such as fetched signing keys.
    fn keep_state_of(&mut self, _previous: &dyn WebhookPlatform) {}
}

/// The platforms served, chosen by route.
pub mod registry {
    use super::WebhookPlatform;
    use crate::google::GoogleWebhooks;
    use crate::linkedin::LinkedInWebhooks;
    use crate::meta::MetaWebhooks;
    use crate::standard::StandardWebhooks;
    use crate::tiktok::TikTokWebhooks;
    use crate::trustpilot::TrustpilotWebhooks;
    use crate::x::XWebhooks;
    use std::sync::Arc;

    /// The variables of the webhook platforms that hold secrets: on AWS they are read from
    /// SSM SecureString parameters (`{SECRETS_SSM_PATH}/{VARIABLE}`), never from the
    /// function's environment.
    pub const SECRET_VARIABLES: [&str; 7] = [
        "META_APP_SECRETS",
        "META_VERIFY_TOKEN",
        "TRUSTPILOT_URL_SECRETS",
        "STANDARD_WEBHOOK_SECRETS",
        "TIKTOK_CLIENT_SECRETS",
        "LINKEDIN_CLIENT_SECRETS",
        "X_CONSUMER_SECRETS",
    ];

    /// The webhook platforms configured in the environment (`get` looks a variable up).
    /// Every platform's settings are optional; a platform whose settings are partly there
    /// is a problem, and so is none at all. Every problem is reported together.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Registry, Vec<String>> {
        let mut problems = Vec::new();
        let registry = Registry::new()
            .with_configured(MetaWebhooks::from_lookup(get), &mut problems)
            .with_configured(GoogleWebhooks::from_lookup(get), &mut problems)
            .with_configured(TrustpilotWebhooks::from_lookup(get), &mut problems)
            .with_configured(StandardWebhooks::from_lookup(get), &mut problems)
            .with_configured(TikTokWebhooks::from_lookup(get), &mut problems)
            .with_configured(LinkedInWebhooks::from_lookup(get), &mut problems)
            .with_configured(XWebhooks::from_lookup(get), &mut problems);
        if problems.is_empty() && registry.is_empty() {
            problems.push(
                "no platform is configured: set the variables of at least one (META_APP_SECRETS and META_VERIFY_TOKEN for Meta, STANDARD_WEBHOOK_SECRETS for the Standard Webhooks door, …)"
                    .to_owned(),
            );
        }
        crate::settings::checked(|| registry, problems)
    }

    /// The configured platforms, looked up by the route segment.
    #[derive(Clone, Default)]
    pub struct Registry {
        platforms: Vec<Arc<dyn WebhookPlatform>>,
    }

    impl Registry {
        pub fn new() -> Self {
            Self::default()
        }

        pub fn with(mut self, platform: impl WebhookPlatform + 'static) -> Self {
            self.platforms.push(Arc::new(platform));
            self
        }

        /// With the platform a `from_lookup` built, when it is configured; what is wrong
        /// with its settings is added to `problems`.
        fn with_configured(
            self,
            configured: Option<Result<impl WebhookPlatform + 'static, Vec<String>>>,
            problems: &mut Vec<String>,
        ) -> Self {
            match configured {
                Some(Ok(platform)) => self.with(platform),
                Some(Err(mut p)) => {
                    problems.append(&mut p);
                    self
                }
                None => self,
            }
        }

        pub fn get(&self, route: &str) -> Option<&dyn WebhookPlatform> {
            self.platforms
                .iter()
                .find(|p| p.route() == route)
                .map(|p| p.as_ref())
        }

        pub fn routes(&self) -> impl Iterator<Item = &'static str> + '_ {
            self.platforms.iter().map(|p| p.route())
        }

        pub fn is_empty(&self) -> bool {
            self.platforms.is_empty()
        }

        /// This registry (freshly built from reloaded secrets), each platform keeping what
        /// its predecessor in `previous` learned (Google's cached keys).
        pub fn keeping_state_of(mut self, previous: &Registry) -> Self {
            for platform in &mut self.platforms {
                let Some(old) = previous
                    .platforms
                    .iter()
                    .find(|p| p.route() == platform.route())
                else {
                    continue;
                };
                // Freshly built, so not shared yet.
                if let Some(platform) = Arc::get_mut(platform) {
                    platform.keep_state_of(old.as_ref());
                }
            }
            self
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        use feedback::settings::fixed as lookup;

        #[test]
        fn only_the_configured_platforms_are_served() {
            let registry = from_lookup(&lookup(&[
                ("META_APP_SECRETS", "s1"),
                ("META_VERIFY_TOKEN", "verify-token"),
            ]));
            let routes: Vec<_> = registry
                .map(|r| r.routes().collect::<Vec<_>>())
                .unwrap_or_default();
            assert_eq!(routes, ["meta"]);
        }

        #[test]
        fn a_deployment_with_no_platform_is_refused() {
            let problems = from_lookup(&lookup(&[])).err().unwrap_or_default();
            assert_eq!(problems.len(), 1);
            assert!(problems[0].contains("no platform"), "{problems:?}");
        }

        #[test]
        fn a_half_configured_platform_names_what_is_missing() {
            let problems = from_lookup(&lookup(&[("META_APP_SECRETS", "s1")]))
                .err()
                .unwrap_or_default();
            assert_eq!(problems, ["META_VERIFY_TOKEN is not set"]);
            let problems = from_lookup(&lookup(&[
                ("META_APP_SECRETS", " , "),
                ("META_VERIFY_TOKEN", "verify-token"),
            ]))
            .err()
            .unwrap_or_default();
            assert_eq!(problems, ["META_APP_SECRETS lists no secret"]);
        }
    }
}
