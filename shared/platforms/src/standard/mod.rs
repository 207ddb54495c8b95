//! The Standard Webhooks door (`/webhooks/standard`): any monitoring tool or bridge (Brand24,
//! Mention, Zapier, n8n, Make, a Google Alerts bridge) sends one feedback item per delivery,
//! signed the Standard Webhooks way, in the small documented schema of [`schema`].
//!
//! - Headers `webhook-id`, `webhook-timestamp`, `webhook-signature` (space-separated
//!   `v1,<base64>` entries; other versions ignored). Signed content
//!   `"{id}.{timestamp}.{body}"`, HMAC-SHA256 with the key after `whsec_`, base64-decoded.
//!   Several keys (rotation) and several signatures are accepted; the timestamp must be
//!   within 5 minutes of now, either way.
//! - Items are stored as platform `standard`, item `{source}:{item_id}`, account `{source}`.
//!   A redelivery (the same `webhook-id`, or the same item from another delivery) makes no
//!   second record.
//! - No reply client: items get a follow-up task whose channel is manual, with the item's
//!   url and author.

pub mod schema;

use crate::capabilities::{AuthorNames, Capabilities, PrivateChannel, WebhookContent};
use crate::settings::listed;
use crate::signature::{signature_header, verified_if};
use crate::{InboundRequest, TestDelivery, VerifiedDelivery, VerifyError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use feedback::Platform;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;
use std::fmt;
use time::OffsetDateTime;

pub const ROUTE: &str = "standard";
pub const PLATFORM: Platform = Platform::from_static("standard");
/// How far a signed timestamp may be from now, either way.
pub const TOLERANCE: time::Duration = time::Duration::minutes(5);

/// Items arrive with their content; nothing can be sent back: staff answer by hand.
pub const CAPABILITIES: Capabilities = Capabilities {
    private_channel: PrivateChannel::None,
    public_replies: None,
    ratings: true,
    content: WebhookContent::Included,
    author_names: AuthorNames::DisplayNames,
};

/// The signing keys (`whsec_…`), held as bytes.
#[derive(Clone)]
pub struct StandardWebhooks {
    keys: Vec<SecretSlice<u8>>,
}

impl fmt::Debug for StandardWebhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StandardWebhooks([REDACTED; {}])", self.keys.len())
    }
}

/// Why a `whsec_` key is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("a key must start with whsec_")]
    Prefix,
    #[error("a key must be base64 after whsec_")]
    Base64,
    #[error("a key must hold at least 24 bytes")]
    Short,
}

type HmacSha256 = Hmac<Sha256>;

impl StandardWebhooks {
    /// From `whsec_` keys.
    pub fn new(keys: &[&str]) -> Result<Self, KeyError> {
        let keys = keys
            .iter()
            .map(|k| {
                let b64 = k.trim().strip_prefix("whsec_").ok_or(KeyError::Prefix)?;
                let bytes = B64.decode(b64).map_err(|_| KeyError::Base64)?;
                if bytes.len() < 24 {
                    return Err(KeyError::Short);
                }
                Ok(SecretSlice::from(bytes))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { keys })
    }

    /// From `STANDARD_WEBHOOK_SECRETS` (comma-separated `whsec_` keys). `None`: not set,
    /// the door is closed.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Option<Result<Self, Vec<String>>> {
        let keys = listed(get, "STANDARD_WEBHOOK_SECRETS")?;
        if keys.is_empty() {
            return Some(Err(vec![
                "STANDARD_WEBHOOK_SECRETS lists no key".to_owned(),
            ]));
        }
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        Some(Self::new(&keys).map_err(|e| vec![format!("STANDARD_WEBHOOK_SECRETS: {e}")]))
    }

    fn mac(key: &SecretSlice<u8>, id: &str, timestamp: &str, body: &[u8]) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(key.expose_secret()).ok()?;
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        Some(mac)
    }

    /// The `webhook-signature` value for a delivery, made with the first key.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
        let mac = Self::mac(self.keys.first()?, id, &timestamp.to_string(), body)?;
        Some(format!("v1,{}", B64.encode(mac.finalize().into_bytes())))
    }

    /// Check the three headers against every key, at `now`.
    pub fn verify_at<'r>(
        &self,
        request: &'r InboundRequest,
        now: OffsetDateTime,
    ) -> Result<VerifiedDelivery<'r>, VerifyError> {
        if self.keys.is_empty() {
            return Err(VerifyError::NoSecretConfigured);
        }
        let header = |name: &'static str| signature_header(request, name, name);
        let id = header("webhook-id")?;
        let timestamp = header("webhook-timestamp")?;
        let signatures = header("webhook-signature")?;
        if id.is_empty() || id.len() > 256 {
            return Err(VerifyError::MalformedSignature(
                "webhook-id",
                "empty or too long",
            ));
        }
        let seconds: i64 = timestamp.parse().map_err(|_| {
            VerifyError::MalformedSignature("webhook-timestamp", "not whole seconds")
        })?;
        let signed_at = OffsetDateTime::from_unix_timestamp(seconds)
            .map_err(|_| VerifyError::MalformedSignature("webhook-timestamp", "out of range"))?;
        if (now - signed_at).abs() > TOLERANCE {
            return Err(VerifyError::StaleTimestamp);
        }
        let candidates: Vec<Vec<u8>> = signatures
            .split(' ')
            .filter_map(|entry| entry.strip_prefix("v1,"))
            .filter_map(|b64| B64.decode(b64).ok())
            .filter(|sig| sig.len() == 32)
            .take(8)
            .collect();
        if candidates.is_empty() {
            return Err(VerifyError::MalformedSignature(
                "webhook-signature",
                "no v1 signature of 32 bytes",
            ));
        }
        let matches = self.keys.iter().any(|key| {
            candidates.iter().any(|sig| {
                Self::mac(key, id, timestamp, &request.body)
                    .is_some_and(|mac| mac.verify_slice(sig).is_ok())
            })
        });
        verified_if(matches, ROUTE, request)
    }
}

webhook_platform!(
    StandardWebhooks,
    verify: |self, request, now| self.verify_at(request, now),
    parse: |self, body, received_at| schema::parse(body, received_at),
    fn sign_for_test(&self, body: &[u8], now: OffsetDateTime) -> Option<TestDelivery> {
        use sha2::Digest;
        let id = format!("msg_{}", &hex::encode(Sha256::digest(body))[..24]);
        let timestamp = now.unix_timestamp();
        let signature = self.sign(&id, timestamp, body)?;
        Some(TestDelivery::with_headers([
            ("webhook-id", id),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature),
        ]))
    },
);

#[cfg(test)]
mod tests;
