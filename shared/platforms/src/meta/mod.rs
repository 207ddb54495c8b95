//! Meta: Facebook Page and Instagram webhooks (Graph API).
//!
//! - Handshake: `GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C` → `C` as text.
//! - Signature: `X-Hub-Signature-256: sha256=<lowercase hex HMAC-SHA256(app secret, body)>`,
//!   checked against every configured app secret.
//! - Payload: see [`parse`]: Facebook `feed` comments and Instagram `comments` / `mentions`.

pub mod graph;
mod lenient;
mod parse;
pub mod versions;

use crate::capabilities::{AuthorNames, Capabilities, PrivateChannel, TextLimit};
use crate::signature::{
    SecretList, after_sha256, parse_lower_hex_digest, signature_for, token_matches,
};
use crate::{HandshakeOutcome, InboundRequest, VerifiedDelivery, VerifyError};
use feedback::Platform;
use secrecy::SecretString;
use std::fmt;
use time::{Duration, OffsetDateTime};

pub const ROUTE: &str = "meta";
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Facebook Pages: comments and replies under the page's posts.
pub const FACEBOOK: Platform = Platform::from_static("facebook");
/// Instagram professional accounts: comments, replies and mentions.
pub const INSTAGRAM: Platform = Platform::from_static("instagram");

/// Meta allows one private reply per comment, within 7 days of it; comments carry no
/// rating; the webhook carries the text except for mentions (fetched). Facebook names
/// are people's names; Instagram's are usernames.
const fn capabilities(max_chars: usize, author_names: AuthorNames) -> Capabilities {
    crate::allowed::comments(
        TextLimit::Chars(max_chars),
        PrivateChannel::OneMessageWithin {
            window: Duration::days(7),
            limit: PRIVATE_MESSAGE_LIMIT,
        },
        author_names,
    )
}

/// Facebook comments are limited to 8,000 characters.
pub const FACEBOOK_CAPABILITIES: Capabilities = capabilities(8000, AuthorNames::DisplayNames);
/// Instagram comments are limited to 2,200 characters.
pub const INSTAGRAM_CAPABILITIES: Capabilities = capabilities(2200, AuthorNames::Handles);
/// Private replies (Messenger / Instagram messages) are cut at 1,000 characters.
pub const PRIVATE_MESSAGE_LIMIT: TextLimit = TextLimit::Chars(1000);

/// Meta's secrets: the app secrets that sign deliveries, and the verify token of the
/// subscription handshake.
#[derive(Clone)]
pub struct MetaWebhooks {
    app_secrets: SecretList,
    verify_token: SecretString,
}

impl fmt::Debug for MetaWebhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetaWebhooks")
            .field("app_secrets", &self.app_secrets)
            .field("verify_token", &"[REDACTED]")
            .finish()
    }
}

impl MetaWebhooks {
    /// From `META_APP_SECRETS` (comma-separated) and `META_VERIFY_TOKEN`. `None`: Meta is
    /// not configured (neither is set).
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Option<Result<Self, Vec<String>>> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let secrets = get("META_APP_SECRETS");
        let verify_token = get("META_VERIFY_TOKEN");
        if secrets.is_none() && verify_token.is_none() {
            return None;
        }
        let mut problems = Vec::new();
        let app_secrets = SecretList::from_comma_separated(secrets.as_deref().unwrap_or_default());
        match &secrets {
            None => problems.push("META_APP_SECRETS is not set".to_owned()),
            Some(_) if app_secrets.is_empty() => {
                problems.push("META_APP_SECRETS lists no secret".to_owned());
            }
            Some(_) => {}
        }
        if verify_token.is_none() {
            problems.push("META_VERIFY_TOKEN is not set".to_owned());
        }
        match verify_token {
            Some(token) if problems.is_empty() => {
                Some(Ok(Self::new(app_secrets, SecretString::from(token))))
            }
            _ => Some(Err(problems)),
        }
    }

    pub fn new(app_secrets: SecretList, verify_token: SecretString) -> Self {
        Self {
            app_secrets,
            verify_token,
        }
    }

    /// Check `X-Hub-Signature-256` over the raw body.
    pub fn verify_signature<'r>(
        &self,
        request: &'r InboundRequest,
    ) -> Result<VerifiedDelivery<'r>, VerifyError> {
        const NAME: &str = "X-Hub-Signature-256";
        let header = signature_for(&self.app_secrets, request, SIGNATURE_HEADER, NAME)?;
        let hex = after_sha256(header, NAME)?;
        let digest = parse_lower_hex_digest(hex).ok_or(VerifyError::MalformedSignature(
            NAME,
            "expected 64 lowercase hex digits",
        ))?;
        self.app_secrets
            .verify_hmac_sha256(ROUTE, request, &[&[&request.body]], &[digest])
    }
}

/// A challenge is echoed back, so only a token-like value is: Meta sends digits.
fn is_token_like(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

// Meta signs no timestamp: replays are harmless because storage dedupes on item id.
webhook_platform!(
    MetaWebhooks,
    verify: |self, request, _now| self.verify_signature(request),
    parse: |self, body, received_at| parse::parse_delivery(body, received_at),
    handshake: |self, request| {
        let refuse = |reason| Some(HandshakeOutcome::Refuse { reason });
        if request.query_param("hub.mode") != Some("subscribe") {
            return refuse("hub.mode is not \"subscribe\"");
        }
        let Some(token) = request.query_param("hub.verify_token") else {
            return refuse("hub.verify_token is missing");
        };
        if !token_matches(token, &self.verify_token) {
            return refuse("hub.verify_token does not match");
        }
        match request.query_param("hub.challenge") {
            Some(challenge) if is_token_like(challenge) => Some(HandshakeOutcome::Accept {
                content_type: "text/plain; charset=utf-8",
                body: challenge.to_owned(),
            }),
            _ => refuse("hub.challenge is missing or not token-like"),
        }
    },
    fn sign_for_test(&self, body: &[u8], _now: OffsetDateTime) -> Option<crate::TestDelivery> {
        use secrecy::ExposeSecret;
        let secret = self.app_secrets.first()?;
        let digest = crate::signature::hmac_sha256_hex(secret.expose_secret(), body);
        Some(crate::TestDelivery::with_headers([(SIGNATURE_HEADER, format!("sha256={digest}"))]))
    },
);

#[cfg(test)]
mod tests;
