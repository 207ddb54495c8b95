//! LinkedIn organization pages (organization social action notifications).
//!
//! - **Validation**: `GET ?challengeCode=C` → `{"challengeCode": C, "challengeResponse":
//!   hex HMAC-SHA256(client secret, C)}`. Only a token-like `C` (LinkedIn sends a UUID) is
//!   answered, else 400, so the endpoint signs nothing else.
//! - **Signature**: `X-LI-Signature`, hex HMAC-SHA256 with the client secret. Sources
//!   disagree whether `hmacsha256=` is a prefix of the header or of the signed body: both
//!   are accepted (the header with or without the prefix; the HMAC over the body or over
//!   `hmacsha256=` + body).
//! - **Parse** ([`parse`]): `COMMENT` and `SHARE_MENTION` on the page's posts (edits and
//!   deletions of comments too); the item is the comment's (or mentioning post's) URN, the
//!   notification id kept in the raw record, so a notification delivered again (LinkedIn
//!   retries every 5 minutes for 8 hours) makes no second record.
//! - **Reply** ([`replies`]): a comment by the organization through the comments API
//!   (about 1,250 characters, unconfirmed). No private channel for pages.

pub mod parse;
pub mod replies;

use crate::capabilities::{AuthorNames, Capabilities, PrivateChannel, TextLimit};
use crate::signature::{
    SecretList, hmac_sha256_hex, parse_lower_hex_digest, secrets_from_lookup, signature_for,
};
use crate::{HandshakeOutcome, InboundRequest, TestDelivery, VerifiedDelivery, VerifyError};
use feedback::Platform;
use secrecy::ExposeSecret;
use time::OffsetDateTime;

pub const ROUTE: &str = "linkedin";
pub const PLATFORM: Platform = Platform::from_static("linkedin");
pub const SIGNATURE_HEADER: &str = "x-li-signature";
/// The prefix some sources put before the hex, others before the signed body.
pub const PREFIX: &str = "hmacsha256=";

/// Comments of about 1,250 characters (a third-party figure, unconfirmed); no private
/// channel; members are named by their real names, but notifications carry only URNs.
pub const CAPABILITIES: Capabilities = crate::allowed::comments(
    TextLimit::Chars(1250),
    PrivateChannel::None,
    AuthorNames::DisplayNames,
);

/// The client secrets of the LinkedIn app.
#[derive(Debug, Clone)]
pub struct LinkedInWebhooks {
    secrets: SecretList,
}

/// What a challenge code may look like (LinkedIn sends a UUID).
pub fn is_challenge_code(code: &str) -> bool {
    (1..=128).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

impl LinkedInWebhooks {
    pub fn new(secrets: SecretList) -> Self {
        Self { secrets }
    }

    /// From `LINKEDIN_CLIENT_SECRETS` (comma-separated). `None`: not configured.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Option<Result<Self, Vec<String>>> {
        secrets_from_lookup(get, "LINKEDIN_CLIENT_SECRETS").map(|secrets| secrets.map(Self::new))
    }

    /// Check `X-LI-Signature` over the raw body, in both documented forms.
    pub fn verify_signature<'r>(
        &self,
        request: &'r InboundRequest,
    ) -> Result<VerifiedDelivery<'r>, VerifyError> {
        const NAME: &str = "X-LI-Signature";
        let header = signature_for(&self.secrets, request, SIGNATURE_HEADER, NAME)?.trim();
        let hex = header.strip_prefix(PREFIX).unwrap_or(header);
        let digest = parse_lower_hex_digest(&hex.to_ascii_lowercase()).ok_or(
            VerifyError::MalformedSignature(NAME, "expected 64 hex digits"),
        )?;
        let body: &[u8] = &request.body;
        self.secrets.verify_hmac_sha256(
            ROUTE,
            request,
            &[&[body], &[PREFIX.as_bytes(), body]],
            &[digest],
        )
    }
}

webhook_platform!(
    LinkedInWebhooks,
    verify: |self, request, _now| self.verify_signature(request),
    parse: |self, body, received_at| parse::parse_delivery(body, received_at),
    handshake: |self, request| {
        let Some(code) = request
            .query_param("challengeCode")
            .filter(|c| is_challenge_code(c))
        else {
            return Some(HandshakeOutcome::Malformed {
                reason: "challengeCode is missing or not token-like",
            });
        };
        let Some(secret) = self.secrets.first() else {
            return Some(HandshakeOutcome::Refuse {
                reason: "no client secret is configured",
            });
        };
        Some(HandshakeOutcome::Accept {
            content_type: "application/json",
            body: serde_json::json!({
                "challengeCode": code,
                "challengeResponse": hmac_sha256_hex(secret.expose_secret(), code.as_bytes()),
            })
            .to_string(),
        })
    },
    /// Signed the header-prefix way (`hmacsha256=<hex of HMAC(body)>`).
    fn sign_for_test(&self, body: &[u8], _now: OffsetDateTime) -> Option<TestDelivery> {
        let secret = self.secrets.first()?;
        let hex = hmac_sha256_hex(secret.expose_secret(), body);
        Some(TestDelivery::with_headers([(SIGNATURE_HEADER, format!("{PREFIX}{hex}"))]))
    },
);

#[cfg(test)]
mod tests;
