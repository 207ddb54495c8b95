//! Trustpilot service reviews: webhooks to `/webhooks/trustpilot/{secret}`, replies through
//! the business API.
//!
//! - **Verify**: Trustpilot signs nothing, so the URL carries an unguessable secret
//!   (at least 24 characters; several accepted, for rotation), compared in constant time.
//! - **Parse** ([`parse`]): `{"events": [{"eventName": "service-review-created|updated|deleted",
//!   "eventData": {"id", "stars", "title", "text", "language", "referenceId", "consumer":
//!   {"id", "name"}, …}}]}`. Because a delivery is not signed, every event only says
//!   "look again": just the review id is kept (never its text, stars, author or time).
//!   Created → a new review, fetched before it is answered ([`WebhookContent::IdOnly`]);
//!   updated or deleted → the stored review is fetched again (what the API says is kept,
//!   with its history), and marked removed only when the API answers 404/410.
//! - **Reply** ([`replies`]): `POST /v1/private/reviews/{id}/reply {"message",
//!   "authorBusinessUserId"}` (OAuth). No private channel: `referenceId` links the review to
//!   an order for the follow-up by hand.

pub mod parse;
pub mod replies;

use crate::capabilities::{Capabilities, TextLimit, WebhookContent};
use crate::settings::listed;
use crate::{InboundRequest, TestDelivery, VerifiedDelivery, VerifyError};
use feedback::Platform;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use time::OffsetDateTime;

pub const ROUTE: &str = "trustpilot";
pub const PLATFORM: Platform = Platform::from_static("trustpilot");
/// Shorter URL secrets could be guessed.
pub const MIN_SECRET_LEN: usize = 24;

/// Reviews with stars, one company reply per review, no private channel, and deliveries
/// that are not signed (so the review is always fetched before it is answered).
pub const CAPABILITIES: Capabilities =
    crate::allowed::review_site(TextLimit::Chars(2048), WebhookContent::IdOnly);

pub struct TrustpilotWebhooks {
    secrets: Vec<SecretString>,
    /// The business unit when a delivery does not name one.
    business_unit: Option<String>,
}

impl fmt::Debug for TrustpilotWebhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrustpilotWebhooks([REDACTED; {}])", self.secrets.len())
    }
}

impl TrustpilotWebhooks {
    pub fn new(secrets: Vec<SecretString>, business_unit: Option<String>) -> Self {
        Self {
            secrets,
            business_unit,
        }
    }

    /// From `TRUSTPILOT_URL_SECRETS` (comma-separated) and optionally
    /// `TRUSTPILOT_BUSINESS_UNIT_ID`. `None`: Trustpilot is not configured.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Option<Result<Self, Vec<String>>> {
        let secrets = listed(get, "TRUSTPILOT_URL_SECRETS")?;
        let mut problems = Vec::new();
        if secrets.is_empty() {
            problems.push("TRUSTPILOT_URL_SECRETS lists no secret".to_owned());
        }
        if secrets.iter().any(|s| {
            s.len() < MIN_SECRET_LEN
                || !s
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }) {
            problems.push(format!(
                "TRUSTPILOT_URL_SECRETS: each secret needs {MIN_SECRET_LEN}+ characters of A-Z a-z 0-9 - _"
            ));
        }
        if !problems.is_empty() {
            return Some(Err(problems));
        }
        let business_unit = get("TRUSTPILOT_BUSINESS_UNIT_ID").filter(|v| !v.trim().is_empty());
        Some(Ok(Self::new(
            secrets.into_iter().map(SecretString::from).collect(),
            business_unit,
        )))
    }

    /// Check the secret in the URL (the one path segment after the route).
    pub fn verify_secret<'r>(
        &self,
        request: &'r InboundRequest,
    ) -> Result<VerifiedDelivery<'r>, VerifyError> {
        if self.secrets.is_empty() {
            return Err(VerifyError::NoSecretConfigured);
        }
        let [presented] = request.path_tail.as_slice() else {
            return Err(VerifyError::BadCredential);
        };
        // Every secret is compared (in constant time), so the time taken does not say
        // which one came close.
        let matched = self.secrets.iter().fold(false, |found, secret| {
            crate::signature::token_matches(presented, secret) | found
        });
        if matched {
            Ok(VerifiedDelivery::new(ROUTE, request))
        } else {
            Err(VerifyError::BadCredential)
        }
    }
}

webhook_platform!(
    TrustpilotWebhooks,
    verify: |self, request, _now| self.verify_secret(request),
    parse: |self, body, received_at| {
        parse::parse_events(body, self.business_unit.as_deref(), received_at)
    },
    fn sign_for_test(&self, _body: &[u8], _now: OffsetDateTime) -> Option<TestDelivery> {
        Some(TestDelivery {
            path_tail: vec![self.secrets.first()?.expose_secret().to_owned()],
            headers: Vec::new(),
        })
    },
);

#[cfg(test)]
mod tests;
