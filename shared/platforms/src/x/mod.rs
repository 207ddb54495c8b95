//! X (the X Activity API's webhooks; the Account Activity API's shape is read too until it
//! ends on 2027-01-01).
//!
//! - **CRC**: `GET ?crc_token=T` → `{"response_token": "sha256=" + base64 HMAC-SHA256(consumer
//!   secret, T)}`. Only a token-like `T` (1–128 of `A-Z a-z 0-9 - _ . =`) is answered, else
//!   400: the CRC answer is an HMAC of what the caller sends, so it must not sign arbitrary
//!   text (a signing oracle for forged deliveries).
//! - **Signature**: `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer
//!   secret, raw body)>`, checked against every configured secret. No timestamp is signed:
//!   a replay only repeats a post id, which storage dedupes.
//! - **Parse** ([`parse`]): mentions and replies to the account; never the account's own
//!   posts (`filter.user_id` / `for_user_id` is the account).
//! - **Reply** ([`replies`]): `POST /2/tweets {"text", "reply": {"in_reply_to_tweet_id"}}`
//!   (280 characters); a DM `POST /2/dm_conversations/with/{author}/messages {"text"}`,
//!   which X refuses when the author does not accept DMs from the account (not visible in
//!   advance): a refused DM fails the private message and the task says so. X bills every
//!   post: pages can be put in approval mode.

pub mod parse;
pub mod replies;

use crate::capabilities::{AuthorNames, Capabilities, PrivateChannel, TextLimit};
use crate::signature::{SecretList, after_sha256, secrets_from_lookup, signature_for};
use crate::{HandshakeOutcome, InboundRequest, TestDelivery, VerifiedDelivery, VerifyError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use feedback::Platform;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;
use time::OffsetDateTime;

pub const ROUTE: &str = "x";
pub const PLATFORM: Platform = Platform::from_static("x");
pub const SIGNATURE_HEADER: &str = "x-twitter-webhooks-signature";
/// The longest `crc_token` answered (X sends UUID-like tokens).
pub const MAX_CRC_TOKEN: usize = 128;

/// Posts are 280 characters; DMs may be refused by the author's settings, so they are
/// "direct messages" that can fail, never promised in the public reply before they went
/// out (the responder's rule).
pub const CAPABILITIES: Capabilities = crate::allowed::comments(
    TextLimit::Chars(280),
    PrivateChannel::DirectMessages {
        limit: TextLimit::Chars(10_000),
    },
    AuthorNames::Handles,
);

/// The consumer secrets (API secret keys) of the X app.
#[derive(Debug, Clone)]
pub struct XWebhooks {
    secrets: SecretList,
}

type HmacSha256 = Hmac<Sha256>;

fn hmac_b64(secret: &str, message: &[u8]) -> Option<String> {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(message);
    Some(B64.encode(mac.finalize().into_bytes()))
}

/// What a CRC token may look like: X's are UUID-like.
pub fn is_crc_token(token: &str) -> bool {
    (1..=MAX_CRC_TOKEN).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'='))
}

impl XWebhooks {
    pub fn new(secrets: SecretList) -> Self {
        Self { secrets }
    }

    /// From `X_CONSUMER_SECRETS` (comma-separated). `None`: X is not configured.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Option<Result<Self, Vec<String>>> {
        secrets_from_lookup(get, "X_CONSUMER_SECRETS").map(|secrets| secrets.map(Self::new))
    }

    /// The CRC answer for `token`, made with the first secret.
    pub fn crc_response(&self, token: &str) -> Option<String> {
        let secret = self.secrets.first()?;
        hmac_b64(secret.expose_secret(), token.as_bytes()).map(|b64| format!("sha256={b64}"))
    }

    /// Check `x-twitter-webhooks-signature` over the raw body.
    pub fn verify_signature<'r>(
        &self,
        request: &'r InboundRequest,
    ) -> Result<VerifiedDelivery<'r>, VerifyError> {
        let header = signature_for(&self.secrets, request, SIGNATURE_HEADER, SIGNATURE_HEADER)?;
        let b64 = after_sha256(header, SIGNATURE_HEADER)?;
        let digest = B64.decode(b64).ok().filter(|d| d.len() == 32).ok_or(
            VerifyError::MalformedSignature(SIGNATURE_HEADER, "expected base64 of 32 bytes"),
        )?;
        self.secrets
            .verify_hmac_sha256(ROUTE, request, &[&[&request.body]], &[digest])
    }
}

webhook_platform!(
    XWebhooks,
    verify: |self, request, _now| self.verify_signature(request),
    parse: |self, body, received_at| parse::parse_delivery(body, received_at),
    handshake: |self, request| match request.query_param("crc_token") {
        Some(token) if is_crc_token(token) => match self.crc_response(token) {
            Some(response_token) => Some(HandshakeOutcome::Accept {
                content_type: "application/json",
                body: serde_json::json!({ "response_token": response_token }).to_string(),
            }),
            None => Some(HandshakeOutcome::Refuse {
                reason: "no consumer secret is configured",
            }),
        },
        _ => Some(HandshakeOutcome::Malformed {
            reason: "crc_token is missing or not token-like",
        }),
    },
    fn sign_for_test(&self, body: &[u8], _now: OffsetDateTime) -> Option<TestDelivery> {
        let secret = self.secrets.first()?;
        let b64 = hmac_b64(secret.expose_secret(), body)?;
        Some(TestDelivery::with_headers([(SIGNATURE_HEADER, format!("sha256={b64}"))]))
    },
);

#[cfg(test)]
mod tests;
