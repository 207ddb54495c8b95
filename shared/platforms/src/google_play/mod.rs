//! Google Play app reviews: the Android Publisher API ("Reply to Reviews"), polled.
//!
//! - **No webhooks**: `functions/review-poller` lists an app's reviews
//!   (`GET {api}/androidpublisher/v3/applications/{package}/reviews`, newest created or
//!   modified first, only the last 7 days, `token` pages on) through [`ReviewSource`].
//! - **Parse** ([`parse_list`]): a review is `reviewId`, `authorName` and `comments[]`; the
//!   first `userComment` is the customer's (`text`, `starRating`, `reviewerLanguage`,
//!   `lastModified {seconds, nanos}`), a `developerComment` is our reply. An edited review
//!   comes back with the same id: stored as an edit, with its history.
//! - **Reply** ([`GooglePlay`]): `POST …/reviews/{reviewId}:reply {"replyText"}`, at most
//!   350 characters, replacing any earlier reply. No private channel.
//! - **Access**: the app's stored credential is a service-account key (JSON); it signs an
//!   RS256 JWT exchanged at the token URL for an access token (scope `androidpublisher`).
//!   The service account needs the Play Console permission "Reply to reviews".

use crate::calls::{Http, entries, url};
use crate::capabilities::{Capabilities, TextLimit, WebhookContent};
use crate::polling::{
    MadeTokens, PolledReview, ReviewPage, ReviewSource, read_answer, read_with, star_rating,
};
use crate::reply::{
    AccessCheck, AccessToken, OutboundPlatform, PostedReply, ReplyClient, ReplyError, ReplyTarget,
};
use crate::settings::{checked, token_api_urls};
use async_trait::async_trait;
use feedback::{AccountId, Feedback, ItemId, Platform};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

pub const PLATFORM: Platform = Platform::from_static("google-play");
pub const DEFAULT_API_URL: &str = "https://androidpublisher.googleapis.com";
pub const DEFAULT_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";
pub const SCOPE: &str = "https://www.googleapis.com/auth/androidpublisher";
/// Reviews per page: the documented most.
pub const PAGE_SIZE: &str = "100";

/// Stars and text arrive with the list; one public reply per review (a new one replaces
/// it), at most 350 characters; no private channel.
pub const CAPABILITIES: Capabilities =
    crate::allowed::review_site(TextLimit::Chars(350), WebhookContent::Included);

/// A package name (`com.example.app`): two or more parts joined by `.`, each a letter then
/// letters, digits or `_`; anything else never reaches a URL.
pub fn is_package_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    name.len() <= 255
        && parts.len() >= 2
        && parts.iter().all(|p| {
            p.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

fn timestamp(value: &Value) -> Option<OffsetDateTime> {
    let seconds = match &value["seconds"] {
        Value::String(s) => s.trim().parse::<i64>().ok()?,
        Value::Number(n) => n.as_i64()?,
        _ => return None,
    };
    let nanos = value["nanos"].as_i64().unwrap_or(0);
    OffsetDateTime::from_unix_timestamp_nanos(
        i128::from(seconds) * 1_000_000_000 + i128::from(nanos.clamp(0, 999_999_999)),
    )
    .ok()
}

/// One review resource (an entry of the list, or `reviews.get`), as feedback of `app`.
pub fn parse_review(
    review: &Value,
    app: &AccountId,
    received_at: OffsetDateTime,
) -> Result<PolledReview, String> {
    let id = review["reviewId"]
        .as_str()
        .ok_or("a review without reviewId")?;
    let item_id = ItemId::parse(id).map_err(|e| format!("review id {id:?}: {e}"))?;
    let comments = review["comments"].as_array().cloned().unwrap_or_default();
    let user = comments
        .iter()
        .find_map(|c| c.get("userComment"))
        .ok_or_else(|| format!("review {id} has no userComment"))?;
    let written_at = timestamp(&user["lastModified"])
        .ok_or_else(|| format!("review {id} has no readable lastModified"))?;
    let feedback = Feedback {
        author_name: review["authorName"]
            .as_str()
            .filter(|n| !n.trim().is_empty())
            .map(str::to_owned),
        text: user["text"]
            .as_str()
            .filter(|t| !t.trim().is_empty())
            .map(str::to_owned),
        rating: star_rating(&user["starRating"]),
        language: user["reviewerLanguage"]
            .as_str()
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
        ..PolledReview::listed_feedback(PLATFORM, app, item_id, written_at, review, received_at)
    };
    Ok(PolledReview {
        feedback,
        written_at,
    })
}

/// A `reviews.list` answer: its reviews (newest first, as listed) and the next page token.
pub fn parse_list(answer: &Value, app: &AccountId, received_at: OffsetDateTime) -> ReviewPage {
    let next = answer["tokenPagination"]["nextPageToken"]
        .as_str()
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    ReviewPage::read(entries(&answer["reviews"]), next, |review| {
        parse_review(review, app, received_at)
    })
}

/// The fields of a service-account key we use (the JSON file Google Cloud hands out).
#[derive(Deserialize)]
struct ServiceAccountKey {
    client_email: String,
    private_key: String,
    #[serde(default)]
    private_key_id: Option<String>,
}

#[derive(Serialize)]
struct GrantClaims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

/// The Android Publisher API client: lists reviews and posts replies.
#[derive(Debug)]
pub struct GooglePlay {
    http: Http,
    api: String,
    token_url: String,
    tokens: MadeTokens,
}

impl GooglePlay {
    /// From `GOOGLE_PLAY_API_URL` and `GOOGLE_PLAY_TOKEN_URL` (Google's by default). There
    /// is nothing else to configure: each app's key is its stored credential.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, Vec<String>> {
        let ([api, token_url], problems) = token_api_urls(
            get,
            ("GOOGLE_PLAY_API_URL", DEFAULT_API_URL),
            ("GOOGLE_PLAY_TOKEN_URL", DEFAULT_TOKEN_URL),
        );
        checked(
            || Self::new(Http::new(Duration::from_secs(8)), api, token_url),
            problems,
        )
    }

    pub fn new(http: Http, api: String, token_url: String) -> Self {
        Self {
            http,
            api,
            token_url,
            tokens: MadeTokens::default(),
        }
    }

    /// Google Play's outbound half, answered through `client`.
    pub fn outbound(client: Arc<GooglePlay>) -> OutboundPlatform {
        OutboundPlatform::answered_by(
            PLATFORM,
            CAPABILITIES,
            client,
            "GOOGLE_PLAY_SERVICE_ACCOUNT",
        )
    }

    fn reviews_url(
        &self,
        app: &str,
        review: Option<&str>,
        query: &[(&str, &str)],
    ) -> Result<reqwest::Url, ReplyError> {
        if !is_package_name(app) {
            return Err(ReplyError::Rejected("not a package name".into()));
        }
        let mut segments = vec!["androidpublisher", "v3", "applications", app, "reviews"];
        segments.extend(review);
        url(&self.api, &segments, query)
    }

    /// The signed grant for a service-account key, at `now`.
    pub fn grant(&self, stored: &SecretString, now: OffsetDateTime) -> Result<String, ReplyError> {
        let key: ServiceAccountKey =
            serde_json::from_str(stored.expose_secret()).map_err(|_| {
                ReplyError::Reconnect("the stored key is not a service-account key".into())
            })?;
        let signing =
            jsonwebtoken::EncodingKey::from_rsa_pem(key.private_key.as_bytes()).map_err(|_| {
                ReplyError::Reconnect("the service-account private key is unreadable".into())
            })?;
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = key.private_key_id;
        let iat = now.unix_timestamp();
        let claims = GrantClaims {
            iss: &key.client_email,
            scope: SCOPE,
            aud: &self.token_url,
            iat,
            exp: iat + 3600,
        };
        jsonwebtoken::encode(&header, &claims, &signing)
            .map_err(|e| ReplyError::Reconnect(format!("signing the grant failed: {e}")))
    }

    async fn exchange(&self, stored: &SecretString) -> Result<(AccessToken, Duration), ReplyError> {
        let assertion = self.grant(stored, OffsetDateTime::now_utc())?;
        let body = format!(
            "grant_type={}&assertion={}",
            url::form_urlencoded::byte_serialize(b"urn:ietf:params:oauth:grant-type:jwt-bearer")
                .collect::<String>(),
            assertion
        );
        let response = self
            .http
            .client()?
            .post(&self.token_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| crate::calls::harmless(crate::calls::transport(e)))?;
        let (status, text) = crate::calls::read_capped(response).await?;
        match status {
            200..=299 => crate::oauth::read_token_answer(&text),
            400 | 401 | 403 => Err(ReplyError::Reconnect(format!(
                "the token endpoint refused the service account (HTTP {status})"
            ))),
            _ => Err(ReplyError::Transient(format!(
                "the token endpoint answered HTTP {status}"
            ))),
        }
    }
}

#[async_trait]
impl ReviewSource for GooglePlay {
    fn platform(&self) -> Platform {
        PLATFORM
    }

    async fn list_page(
        &self,
        app: &AccountId,
        page: Option<&str>,
        token: &AccessToken,
    ) -> Result<ReviewPage, ReplyError> {
        let mut query = vec![("maxResults", PAGE_SIZE)];
        if let Some(page) = page {
            query.push(("token", page));
        }
        let url = self.reviews_url(app.as_str(), None, &query)?;
        let answer = read_with(&self.http, url, token).await?;
        Ok(parse_list(&answer, app, OffsetDateTime::now_utc()))
    }
}

#[async_trait]
impl ReplyClient for GooglePlay {
    async fn access_token(
        &self,
        account: &AccountId,
        stored: &SecretString,
    ) -> Result<AccessToken, ReplyError> {
        let margin = Duration::from_secs(60);
        self.tokens
            .get_or_make(account, stored, margin, || self.exchange(stored))
            .await
    }

    fn forget_access_token(&self, account: &AccountId) {
        self.tokens.forget(account);
    }

    /// One review of the app listed: the API the replies go through.
    async fn check_access(
        &self,
        account: &AccountId,
        token: &AccessToken,
    ) -> Result<AccessCheck, ReplyError> {
        let url = self.reviews_url(account.as_str(), None, &[("maxResults", "1")])?;
        read_with(&self.http, url, token).await?;
        Ok(AccessCheck::Accepted {
            page: account.to_string(),
        })
    }

    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError> {
        let last = format!("{}:reply", target.reply_to);
        let url = self.reviews_url(&target.account_id, Some(&last), &[])?;
        read_answer(
            self.http
                .client()?
                .post(url)
                .bearer_auth(token.expose_secret())
                .json(&json!({ "replyText": text })),
        )
        .await?;
        Ok(last)
    }

    /// The review's `developerComment`: whoever wrote it, the next reply replaces it.
    async fn current_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        let url = self.reviews_url(&target.account_id, Some(&target.reply_to), &[])?;
        let review = read_with(&self.http, url, token).await?;
        Ok(entries(&review["comments"])
            .find_map(|c| c.get("developerComment"))
            .map(|reply| PostedReply {
                id: format!("{}:reply", target.reply_to),
                text: Some(reply["text"].as_str().unwrap_or_default().to_owned()),
            }))
    }
}

#[cfg(test)]
mod tests;
