//! TikTok business accounts (TikTok API for Business account webhooks).
//!
//! - **Signature**: `TikTok-Signature: t=<unix seconds>,s=<hex HMAC-SHA256(client secret,
//!   "{t}.{raw body}")>`; `t` must be within 5 minutes of now, either way. Several `s`
//!   entries and several secrets are accepted.
//! - **Parse** ([`parse`]): the envelope `{"client_key", "event", "create_time",
//!   "user_openid", "content"}`, where `content` is a JSON *string*; comment and mention
//!   events on the business account's videos become feedback (event names and content
//!   fields assumed, see `tests/contracts/tiktok/README.md`); anything else is kept raw.
//! - **Reply** ([`replies`]): the business comment-reply endpoint (150 characters, a
//!   third-party figure). No private channel: TikTok's messages are user-initiated and not
//!   available for accounts in the EEA, Switzerland and the UK, so none is declared and
//!   the task is answered in the app.

pub mod parse;
pub mod replies;

use crate::capabilities::{AuthorNames, Capabilities, PrivateChannel, TextLimit};
use crate::signature::{
    SecretList, hmac_sha256_hex, parse_lower_hex_digest, secrets_from_lookup, signature_for,
};
use crate::{InboundRequest, TestDelivery, VerifiedDelivery, VerifyError};
use feedback::Platform;
use secrecy::ExposeSecret;
use time::{Duration, OffsetDateTime};

pub const ROUTE: &str = "tiktok";
pub const PLATFORM: Platform = Platform::from_static("tiktok");
pub const SIGNATURE_HEADER: &str = "tiktok-signature";
pub const TOLERANCE: Duration = Duration::minutes(5);

pub const CAPABILITIES: Capabilities = crate::allowed::comments(
    TextLimit::Chars(150),
    PrivateChannel::None,
    AuthorNames::Handles,
);

/// The client secrets of the TikTok app.
#[derive(Debug, Clone)]
pub struct TikTokWebhooks {
    secrets: SecretList,
}

impl TikTokWebhooks {
    pub fn new(secrets: SecretList) -> Self {
        Self { secrets }
    }

    /// From `TIKTOK_CLIENT_SECRETS` (comma-separated). `None`: not configured.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Option<Result<Self, Vec<String>>> {
        secrets_from_lookup(get, "TIKTOK_CLIENT_SECRETS").map(|secrets| secrets.map(Self::new))
    }

    /// The `TikTok-Signature` value for `body` at `t`, made with the first secret.
    pub fn sign(&self, t: i64, body: &[u8]) -> Option<String> {
        let secret = self.secrets.first()?;
        let mut message = format!("{t}.").into_bytes();
        message.extend_from_slice(body);
        Some(format!(
            "t={t},s={}",
            hmac_sha256_hex(secret.expose_secret(), &message)
        ))
    }

    /// Check `TikTok-Signature` at `now`.
    pub fn verify_at<'r>(
        &self,
        request: &'r InboundRequest,
        now: OffsetDateTime,
    ) -> Result<VerifiedDelivery<'r>, VerifyError> {
        const NAME: &str = "TikTok-Signature";
        let header = signature_for(&self.secrets, request, SIGNATURE_HEADER, NAME)?;
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for part in header.split(',').map(str::trim).take(16) {
            match part.split_once('=') {
                Some(("t", t)) if timestamp.is_none() => timestamp = Some(t),
                Some(("t", _)) => {
                    return Err(VerifyError::MalformedSignature(NAME, "more than one t"));
                }
                Some(("s", s)) => signatures.extend(parse_lower_hex_digest(s)),
                _ => {}
            }
        }
        let t = timestamp.ok_or(VerifyError::MalformedSignature(NAME, "no t"))?;
        if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VerifyError::MalformedSignature(
                NAME,
                "t is not whole seconds",
            ));
        }
        if signatures.is_empty() {
            return Err(VerifyError::MalformedSignature(
                NAME,
                "no s of 64 lowercase hex digits",
            ));
        }
        let seconds: i64 = t
            .parse()
            .map_err(|_| VerifyError::MalformedSignature(NAME, "t is not whole seconds"))?;
        let signed_at = OffsetDateTime::from_unix_timestamp(seconds)
            .map_err(|_| VerifyError::MalformedSignature(NAME, "t is out of range"))?;
        if (now - signed_at).abs() > TOLERANCE {
            return Err(VerifyError::StaleTimestamp);
        }
        let prefix = format!("{t}.");
        let body: &[u8] = &request.body;
        self.secrets
            .verify_hmac_sha256(ROUTE, request, &[&[prefix.as_bytes(), body]], &signatures)
    }
}

webhook_platform!(
    TikTokWebhooks,
    verify: |self, request, now| self.verify_at(request, now),
    parse: |self, body, received_at| parse::parse_delivery(body, received_at),
    fn sign_for_test(&self, body: &[u8], now: OffsetDateTime) -> Option<TestDelivery> {
        let signature = self.sign(now.unix_timestamp(), body)?;
        Some(TestDelivery::with_headers([(SIGNATURE_HEADER, signature)]))
    },
);

#[cfg(test)]
mod tests;
