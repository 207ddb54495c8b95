//! Apple App Store customer reviews: the App Store Connect API, polled.
//!
//! - **No webhooks** (App Store Connect's webhooks have no review event):
//!   `functions/review-poller` lists an app's reviews
//!   (`GET {api}/v1/apps/{id}/customerReviews?sort=-createdDate`, newest first; `links.next`
//!   carries a `cursor`) through [`ReviewSource`].
//! - **Parse** ([`parse_list`]): `data[]` of type `customerReviews`, `attributes {rating,
//!   title, body, reviewerNickname, createdDate, territory}`. Title and body are kept as
//!   one text (title, a blank line, body). No language: triage decides.
//! - **Reply** ([`AppStore`]): `POST {api}/v1/customerReviewResponses` creates the one
//!   response of a review or replaces it (published after a delay). No private channel.
//! - **Access**: the app's stored credential is JSON `{"issuer_id", "key_id",
//!   "private_key"}` (the team's `.p8` key, PEM); each token is an ES256 JWT (`kid`,
//!   `iss` = issuer id, `aud` = `appstoreconnect-v1`, `exp` 15 minutes on, Apple's limit
//!   being 20), made here, never exchanged. The key needs the Customer Support role (or
//!   Admin / App Manager).

use crate::calls::{Http, entries, url};
use crate::capabilities::{Capabilities, TextLimit, WebhookContent};
use crate::polling::{
    MadeTokens, PolledReview, ReviewPage, ReviewSource, read_answer, read_with, star_rating,
};
use crate::reply::{
    AccessCheck, AccessToken, OutboundPlatform, PostedReply, ReplyClient, ReplyError, ReplyTarget,
};
use crate::settings::only_api_url;
use async_trait::async_trait;
use feedback::{AccountId, Feedback, ItemId, Platform};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub const PLATFORM: Platform = Platform::from_static("app-store");
pub const DEFAULT_API_URL: &str = "https://api.appstoreconnect.apple.com";
pub const AUDIENCE: &str = "appstoreconnect-v1";
/// A token's life: Apple refuses more than 20 minutes.
pub const TOKEN_LIFE: Duration = Duration::from_secs(15 * 60);
/// Reviews per page: the documented most.
pub const PAGE_SIZE: &str = "200";

/// Stars and text arrive with the list; one response per review (a new one replaces it),
/// up to 5,970 characters (not stated by Apple's API reference: see
/// `tests/contracts/app-store/README.md`); no private channel.
pub const CAPABILITIES: Capabilities =
    crate::allowed::review_site(TextLimit::Chars(5970), WebhookContent::Included);

/// An App Store app id: digits.
pub fn is_app_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())
}

/// A review or response id: letters, digits and `-`.
fn is_resource_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 100 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// One `customerReviews` resource as feedback of `app`.
pub fn parse_review(
    review: &Value,
    app: &AccountId,
    received_at: OffsetDateTime,
) -> Result<PolledReview, String> {
    if review["type"].as_str() != Some("customerReviews") {
        return Err(format!(
            "not a customerReviews resource: {:?}",
            review["type"]
        ));
    }
    let id = review["id"].as_str().ok_or("a review without id")?;
    if !is_resource_id(id) {
        return Err(format!("review id {id:?} is not an App Store id"));
    }
    let item_id = ItemId::parse(id).map_err(|e| format!("review id {id:?}: {e}"))?;
    let a = &review["attributes"];
    let written_at = a["createdDate"]
        .as_str()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .ok_or_else(|| format!("review {id} has no readable createdDate"))?;
    let part = |k: &str| a[k].as_str().map(str::trim).filter(|t| !t.is_empty());
    let text = match (part("title"), part("body")) {
        (Some(title), Some(body)) => Some(format!("{title}\n\n{body}")),
        (one, other) => one.or(other).map(str::to_owned),
    };
    let feedback = Feedback {
        author_name: part("reviewerNickname").map(str::to_owned),
        text,
        rating: star_rating(&a["rating"]),
        ..PolledReview::listed_feedback(PLATFORM, app, item_id, written_at, review, received_at)
    };
    Ok(PolledReview {
        feedback,
        written_at,
    })
}

/// The `cursor` of a `links.next` URL: the next page is asked of our own base URL with
/// it, so a link can never send a token elsewhere.
fn cursor_of(next: &str) -> Option<String> {
    let parsed = url::Url::parse(next).ok()?;
    parsed
        .query_pairs()
        .find(|(k, _)| k == "cursor")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// A `customerReviews` list answer: its reviews and the next page's cursor.
pub fn parse_list(answer: &Value, app: &AccountId, received_at: OffsetDateTime) -> ReviewPage {
    ReviewPage::read(
        entries(&answer["data"]),
        answer["links"]["next"].as_str().and_then(cursor_of),
        |review| parse_review(review, app, received_at),
    )
}

/// What is stored for an app: the API key's ids and its private half.
#[derive(Deserialize)]
struct StoredKey {
    issuer_id: String,
    key_id: String,
    private_key: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TokenClaims {
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    pub aud: String,
}

/// The App Store Connect API client: lists reviews and posts responses.
#[derive(Debug)]
pub struct AppStore {
    http: Http,
    api: String,
    tokens: MadeTokens,
}

impl AppStore {
    /// From `APP_STORE_API_URL` (Apple's by default). Each app's key is its stored
    /// credential.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, Vec<String>> {
        only_api_url(get, "APP_STORE_API_URL", DEFAULT_API_URL, Self::new)
    }

    pub fn new(http: Http, api: String) -> Self {
        Self {
            http,
            api,
            tokens: MadeTokens::default(),
        }
    }

    /// The App Store's outbound half, answered through `client`.
    pub fn outbound(client: Arc<AppStore>) -> OutboundPlatform {
        OutboundPlatform::answered_by(PLATFORM, CAPABILITIES, client, "APP_STORE_CONNECT_KEY")
    }

    /// A token signed with the stored key, made at `now`.
    pub fn token_at(stored: &SecretString, now: OffsetDateTime) -> Result<AccessToken, ReplyError> {
        let key: StoredKey = serde_json::from_str(stored.expose_secret()).map_err(|_| {
            ReplyError::Reconnect(
                "the stored credential is not {issuer_id, key_id, private_key}".into(),
            )
        })?;
        let signing = jsonwebtoken::EncodingKey::from_ec_pem(key.private_key.as_bytes())
            .map_err(|_| ReplyError::Reconnect("the .p8 key is unreadable".into()))?;
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(key.key_id);
        header.typ = Some("JWT".into());
        let iat = now.unix_timestamp();
        let claims = TokenClaims {
            iss: key.issuer_id,
            iat,
            exp: iat + TOKEN_LIFE.as_secs() as i64,
            aud: AUDIENCE.into(),
        };
        jsonwebtoken::encode(&header, &claims, &signing)
            .map(SecretString::from)
            .map_err(|e| ReplyError::Reconnect(format!("signing the token failed: {e}")))
    }

    fn review_url(&self, review: &str, tail: &[&str]) -> Result<reqwest::Url, ReplyError> {
        if !is_resource_id(review) {
            return Err(ReplyError::Rejected("not a review id".into()));
        }
        let mut segments = vec!["v1", "customerReviews", review];
        segments.extend(tail);
        url(&self.api, &segments, &[])
    }
}

#[async_trait]
impl ReviewSource for AppStore {
    fn platform(&self) -> Platform {
        PLATFORM
    }

    async fn list_page(
        &self,
        app: &AccountId,
        page: Option<&str>,
        token: &AccessToken,
    ) -> Result<ReviewPage, ReplyError> {
        if !is_app_id(app.as_str()) {
            return Err(ReplyError::Rejected("not an App Store app id".into()));
        }
        let mut query = vec![("sort", "-createdDate"), ("limit", PAGE_SIZE)];
        if let Some(cursor) = page {
            query.push(("cursor", cursor));
        }
        let url = url(
            &self.api,
            &["v1", "apps", app.as_str(), "customerReviews"],
            &query,
        )?;
        let answer = read_with(&self.http, url, token).await?;
        Ok(parse_list(&answer, app, OffsetDateTime::now_utc()))
    }
}

#[async_trait]
impl ReplyClient for AppStore {
    async fn access_token(
        &self,
        account: &AccountId,
        stored: &SecretString,
    ) -> Result<AccessToken, ReplyError> {
        let margin = Duration::from_secs(120);
        self.tokens
            .get_or_make(account, stored, margin, || async {
                Ok((
                    Self::token_at(stored, OffsetDateTime::now_utc())?,
                    TOKEN_LIFE,
                ))
            })
            .await
    }

    fn forget_access_token(&self, account: &AccountId) {
        self.tokens.forget(account);
    }

    /// The app's newest review listed: the API the responses go through.
    async fn check_access(
        &self,
        account: &AccountId,
        token: &AccessToken,
    ) -> Result<AccessCheck, ReplyError> {
        self.list_page(account, None, token).await?;
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
        if !is_resource_id(&target.reply_to) {
            return Err(ReplyError::Rejected("not a review id".into()));
        }
        let url = url(&self.api, &["v1", "customerReviewResponses"], &[])?;
        let answer = read_answer(
            self.http
                .client()?
                .post(url)
                .bearer_auth(token.expose_secret())
                .json(&json!({
                    "data": {
                        "type": "customerReviewResponses",
                        "attributes": { "responseBody": text },
                        "relationships": {
                            "review": {
                                "data": { "type": "customerReviews", "id": target.reply_to }
                            }
                        }
                    }
                })),
        )
        .await?;
        Ok(answer["data"]["id"]
            .as_str()
            .map_or_else(|| format!("{}/response", target.reply_to), str::to_owned))
    }

    /// `GET /v1/customerReviews/{id}/response`: the response there is (404: none).
    async fn current_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        let url = self.review_url(&target.reply_to, &["response"])?;
        match read_with(&self.http, url, token).await {
            Ok(answer) if answer["data"].is_object() => Ok(Some(PostedReply {
                id: answer["data"]["id"].as_str().unwrap_or_default().to_owned(),
                text: Some(
                    answer["data"]["attributes"]["responseBody"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                ),
            })),
            Ok(_) | Err(ReplyError::Gone(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests;
