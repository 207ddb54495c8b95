//! Google Business Profile reviews: Cloud Pub/Sub push to `/webhooks/google`, replies
//! through the Business Profile API.
//!
//! - **Verify**: `Authorization: Bearer <OIDC token>` signed RS256 by Google; checked
//!   against Google's published keys (a configurable JWKS URL, kept as long as Google says
//!   they may be), `aud` = our audience, `iss` = `accounts.google.com` or
//!   `https://accounts.google.com`, `email` = the push service account, `email_verified`,
//!   `exp` and `iat` with a minute of leeway. The token does not cover the body.
//! - **Parse** ([`parse`]): `message.data` is base64 JSON naming the review
//!   (`reviewName`/`review_name`, `locationName`/`location_name`) and the notification
//!   type (`notificationType`, `type` or `notification_type`, all seen in the wild).
//!   `NEW_REVIEW` → a new review; `UPDATED_REVIEW` or no type → new if unknown, otherwise
//!   the stored review is fetched again (its rating history kept); other types are kept as
//!   unsupported. Deliveries carry only the review's name: everything else is fetched.
//! - **Reply** ([`replies`]): one owner reply per review, `PUT {reviewName}/reply`, which
//!   replaces any earlier one; at most 4,096 bytes. No private channel.
//!
//! Locally (never on Lambda) the verifier can also trust a key it was told about
//! (`GOOGLE_LOCAL_JWKS_FILE`), and `feedbackctl sign google` signs with its private half
//! (`GOOGLE_LOCAL_SIGNING_KEY_FILE`), so a push can be tried without Google.

mod jwks;
pub mod parse;
pub mod replies;

use crate::capabilities::{Capabilities, TextLimit, WebhookContent};
use crate::settings::{any_set, api_url, require, setting};
use crate::signature::signature_header;
use crate::{InboundRequest, TestDelivery, VerifiedDelivery, VerifyError, WebhookPlatform};
use feedback::Platform;
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;

pub const ROUTE: &str = "google";
pub const PLATFORM: Platform = Platform::from_static("google");
pub const DEFAULT_JWKS_URL: &str = "https://www.googleapis.com/oauth2/v3/certs";
pub const ISSUERS: [&str; 2] = ["accounts.google.com", "https://accounts.google.com"];
/// Clock difference allowed on `exp` and `iat`.
pub const LEEWAY_SECONDS: u64 = 60;

/// Reviews with stars, one owner reply per review (a new one replaces it, ≤ 4,096 bytes),
/// no private channel, and webhooks that carry only the review's name.
pub const CAPABILITIES: Capabilities =
    crate::allowed::review_site(TextLimit::Bytes(4096), WebhookContent::IdOnly);

/// The claims of a Pub/Sub push token we check.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    aud: String,
    iss: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<bool>,
    exp: i64,
    #[serde(default)]
    iat: Option<i64>,
}

/// The webhook half: who may push, and the keys their tokens are checked with.
pub struct GoogleWebhooks {
    audience: String,
    service_account: String,
    keys: jwks::KeySource,
    signing_key: Option<(String, jsonwebtoken::EncodingKey)>,
}

impl fmt::Debug for GoogleWebhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleWebhooks")
            .field("audience", &self.audience)
            .field("service_account", &self.service_account)
            .field("keys", &self.keys)
            .field("local_signing_key", &self.signing_key.is_some())
            .finish()
    }
}

impl GoogleWebhooks {
    /// From `GOOGLE_PUBSUB_AUDIENCE`, `GOOGLE_PUBSUB_SERVICE_ACCOUNT` (both required when
    /// either is set), `GOOGLE_JWKS_URL` (default Google's), and, off Lambda only,
    /// `GOOGLE_LOCAL_JWKS_FILE` and `GOOGLE_LOCAL_SIGNING_KEY_FILE`.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Option<Result<Self, Vec<String>>> {
        let [audience, account] = any_set(
            get,
            ["GOOGLE_PUBSUB_AUDIENCE", "GOOGLE_PUBSUB_SERVICE_ACCOUNT"],
        )?;
        let mut problems = Vec::new();
        require(
            &[
                ("GOOGLE_PUBSUB_AUDIENCE", &audience),
                ("GOOGLE_PUBSUB_SERVICE_ACCOUNT", &account),
            ],
            &mut problems,
        );
        let jwks_url = api_url(get, "GOOGLE_JWKS_URL", DEFAULT_JWKS_URL, &mut problems);
        let on_lambda = setting(get, "AWS_LAMBDA_FUNCTION_NAME").is_some();
        let local_jwks = setting(get, "GOOGLE_LOCAL_JWKS_FILE");
        let local_key = setting(get, "GOOGLE_LOCAL_SIGNING_KEY_FILE");
        if on_lambda && (local_jwks.is_some() || local_key.is_some()) {
            problems.push(
                "GOOGLE_LOCAL_JWKS_FILE and GOOGLE_LOCAL_SIGNING_KEY_FILE are for local runs only, never on Lambda"
                    .to_owned(),
            );
        }
        let local = match local_jwks.filter(|_| !on_lambda) {
            None => None,
            Some(path) => match jwks::local_keys(&path) {
                Ok(keys) => Some(keys),
                Err(e) => {
                    problems.push(format!("GOOGLE_LOCAL_JWKS_FILE {path}: {e}"));
                    None
                }
            },
        };
        let signing_key = match local_key.filter(|_| !on_lambda) {
            None => None,
            Some(path) => match std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|pem| {
                    jsonwebtoken::EncodingKey::from_rsa_pem(&pem).map_err(|e| e.to_string())
                }) {
                Ok(key) => Some((jwks::LOCAL_KEY_ID.to_owned(), key)),
                Err(e) => {
                    problems.push(format!("GOOGLE_LOCAL_SIGNING_KEY_FILE {path}: {e}"));
                    None
                }
            },
        };
        match (audience, account) {
            (Some(audience), Some(service_account)) if problems.is_empty() => Some(Ok(Self {
                audience,
                service_account,
                keys: jwks::KeySource::new(jwks_url, local),
                signing_key,
            })),
            _ => Some(Err(problems)),
        }
    }

    /// Check a push token at `now`.
    pub async fn verify_token(&self, token: &str, now: OffsetDateTime) -> Result<(), VerifyError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| VerifyError::MalformedSignature("Authorization", "not a JWT"))?;
        if header.alg != Algorithm::RS256 {
            return Err(VerifyError::MalformedSignature(
                "Authorization",
                "not RS256",
            ));
        }
        let kid = header.kid.ok_or(VerifyError::MalformedSignature(
            "Authorization",
            "no key id",
        ))?;
        let key = match self.keys.key(&kid).await {
            jwks::Lookup::Key(key) => key,
            jwks::Lookup::NotAmong => return Err(VerifyError::SignatureMismatch),
            jwks::Lookup::Unavailable => return Err(VerifyError::KeysUnavailable),
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[&self.audience]);
        validation.set_issuer(&ISSUERS);
        validation.leeway = LEEWAY_SECONDS;
        validation.set_required_spec_claims(&["exp", "aud", "iss"]);
        // `exp` is checked here against the injected clock, not the system's.
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::InvalidAudience | ErrorKind::InvalidIssuer => VerifyError::BadCredential,
                _ => VerifyError::SignatureMismatch,
            }
        })?;
        let claims = data.claims;
        let now = now.unix_timestamp();
        let leeway = LEEWAY_SECONDS as i64;
        if claims.exp + leeway < now {
            return Err(VerifyError::StaleTimestamp);
        }
        if claims.iat.is_some_and(|iat| iat - leeway > now) {
            return Err(VerifyError::StaleTimestamp);
        }
        if claims.email.as_deref() != Some(self.service_account.as_str())
            || claims.email_verified != Some(true)
        {
            return Err(VerifyError::BadCredential);
        }
        Ok(())
    }

    /// Check the push token in `Authorization: Bearer …` at `now`.
    pub async fn verify_push<'r>(
        &self,
        request: &'r InboundRequest,
        now: OffsetDateTime,
    ) -> Result<VerifiedDelivery<'r>, VerifyError> {
        const NAME: &str = "Authorization";
        let value = signature_header(request, "authorization", NAME)?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or(VerifyError::MalformedSignature(NAME, "not a Bearer token"))?;
        if token.len() > 8 * 1024 {
            return Err(VerifyError::MalformedSignature(NAME, "too long"));
        }
        self.verify_token(token.trim(), now).await?;
        Ok(VerifiedDelivery::new(ROUTE, request))
    }
}

webhook_platform!(
    GoogleWebhooks,
    verify: |self, request, now| self.verify_push(request, now).await,
    parse: |self, body, received_at| parse::parse_push(body, received_at),
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    },
    /// Google's keys are not secrets: a reload keeps them rather than fetching them again.
    fn keep_state_of(&mut self, previous: &dyn WebhookPlatform) {
        if let Some(previous) = previous.as_any().and_then(|p| p.downcast_ref::<Self>()) {
            self.keys.keep_cache_of(&previous.keys);
        }
    },
    fn sign_for_test(&self, _body: &[u8], now: OffsetDateTime) -> Option<TestDelivery> {
        let (kid, key) = self.signing_key.as_ref()?;
        let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
        header.kid = Some(kid.clone());
        let claims = Claims {
            aud: self.audience.clone(),
            iss: ISSUERS[1].to_owned(),
            email: Some(self.service_account.clone()),
            email_verified: Some(true),
            exp: now.unix_timestamp() + 3600,
            iat: Some(now.unix_timestamp()),
        };
        let token = jsonwebtoken::encode(&header, &claims, key).ok()?;
        Some(TestDelivery::with_headers([("authorization", format!("Bearer {token}"))]))
    },
);

#[cfg(test)]
mod tests;
