//! Platform knowledge: one module per platform, each behind [`WebhookPlatform`].
//!
//! - [`request`]: [`InboundRequest`], a webhook call as the edge received it (method, query,
//!   headers, raw body bytes), independent of Lambda or any HTTP server.
//! - [`WebhookPlatform`]: the trait every platform implements: answer a handshake, verify a
//!   delivery, parse it into [`feedback::FeedbackChange`]s.
//! - [`VerifiedDelivery`]: only a successful [`WebhookPlatform::verify`] can build one, and
//!   only a verified delivery can be parsed, so unverified bytes never reach storage.
//! - [`signature`]: the HMAC and secret helpers the platform modules share.
//! - [`meta`]: Facebook Pages and Instagram (Graph API webhooks; with the `replies` feature
//!   also the Graph API reply client).
//! - [`reply`] (feature `replies`): the [`reply::ReplyClient`] port every platform's reply
//!   client implements, and how its errors are classified.
//!
//! Adding a platform is adding one module and one line in [`registry`].

pub mod meta;
#[cfg(feature = "replies")]
pub mod reply;
pub mod request;
pub mod signature;

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
}

/// Every way a delivery can fail verification. Each maps to 401 at the edge.
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
}

/// A delivery whose authenticity was proven. Only platform modules can build one.
#[derive(Debug)]
pub struct VerifiedDelivery<'r> {
    route: &'static str,
    body: &'r [u8],
}

impl<'r> VerifiedDelivery<'r> {
    pub(crate) fn new(route: &'static str, body: &'r [u8]) -> Self {
        Self { route, body }
    }

    pub fn route(&self) -> &'static str {
        self.route
    }

    pub fn body(&self) -> &'r [u8] {
        self.body
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

    /// Answer a `GET` on the route. `None`: this platform has no handshake (405).
    fn handshake(&self, request: &InboundRequest) -> Option<HandshakeOutcome>;

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
}

/// The platforms served, chosen by route.
pub mod registry {
    use super::WebhookPlatform;
    use std::sync::Arc;

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

        pub fn get(&self, route: &str) -> Option<&dyn WebhookPlatform> {
            self.platforms
                .iter()
                .find(|p| p.route() == route)
                .map(|p| p.as_ref())
        }

        pub fn routes(&self) -> impl Iterator<Item = &'static str> + '_ {
            self.platforms.iter().map(|p| p.route())
        }
    }
}
