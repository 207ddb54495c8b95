//! The Business Profile API: fetch a review, post the owner reply (which replaces any
//! earlier one), find it again, and check a page's token by listing one review of its
//! location. The page's stored credential is an OAuth refresh token;
//! access tokens come from [`crate::oauth::TokenCache`] and are renewed once on a 401.

use super::{CAPABILITIES, PLATFORM};
use crate::calls::{Http, url};
use crate::oauth::{ClientAuth, TokenCache};
use crate::reply::{
    AccessCheck, AccessToken, FetchedItem, OutboundPlatform, PostedReply, ReplyClient, ReplyError,
    ReplyTarget, TokenExchange,
};
use crate::settings::{any_set, require, token_api_urls};
use async_trait::async_trait;
use feedback::{AccountId, Feedback, Rating};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub const DEFAULT_API_URL: &str = "https://mybusiness.googleapis.com";
pub const DEFAULT_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

#[derive(Debug)]
pub struct GoogleReplies {
    api: String,
    tokens: TokenCache,
}

impl GoogleReplies {
    /// From `GOOGLE_OAUTH_CLIENT_ID` and `GOOGLE_OAUTH_CLIENT_SECRET` (both, or Google is
    /// not answered), `GOOGLE_API_URL` and `GOOGLE_OAUTH_TOKEN_URL` (Google's by default).
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Option<Result<Self, Vec<String>>> {
        let [id, secret] = any_set(
            get,
            ["GOOGLE_OAUTH_CLIENT_ID", "GOOGLE_OAUTH_CLIENT_SECRET"],
        )?;
        let ([api, token_url], mut problems) = token_api_urls(
            get,
            ("GOOGLE_API_URL", DEFAULT_API_URL),
            ("GOOGLE_OAUTH_TOKEN_URL", DEFAULT_TOKEN_URL),
        );
        require(
            &[
                ("GOOGLE_OAUTH_CLIENT_ID", &id),
                ("GOOGLE_OAUTH_CLIENT_SECRET", &secret),
            ],
            &mut problems,
        );
        match (id, secret) {
            (Some(id), Some(secret)) if problems.is_empty() => Some(Ok(Self::new(
                Http::new(Duration::from_secs(8)),
                api,
                token_url,
                ClientAuth::Body {
                    id,
                    secret: SecretString::from(secret),
                },
            ))),
            _ => Some(Err(problems)),
        }
    }

    pub fn new(http: Http, api: String, token_url: String, auth: ClientAuth) -> Self {
        Self {
            tokens: TokenCache::new(http, token_url, auth),
            api,
        }
    }

    /// Google's outbound half, answered through `client`.
    pub fn outbound(client: Arc<GoogleReplies>) -> OutboundPlatform {
        OutboundPlatform::answered_by(PLATFORM, CAPABILITIES, client, "GOOGLE_REFRESH_TOKEN")
    }

    fn review_url(&self, review: &str, reply: bool) -> Result<reqwest::Url, ReplyError> {
        if !super::parse::is_review_name(review) {
            return Err(ReplyError::Rejected("not a review name".into()));
        }
        let mut segments = vec!["v4"];
        segments.extend(review.split('/'));
        if reply {
            segments.push("reply");
        }
        url(&self.api, &segments, &[])
    }

    /// `v4/accounts/{a}/locations/{l}/reviews`: a page is a location (digits for both ids;
    /// anything else is refused before it reaches a URL).
    fn reviews_url(&self, account: &AccountId) -> Result<reqwest::Url, ReplyError> {
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_digit());
        match account.as_str().split('/').collect::<Vec<_>>().as_slice() {
            ["accounts", a, "locations", l] if digits(a) && digits(l) => url(
                &self.api,
                &["v4", "accounts", a, "locations", l, "reviews"],
                &[("pageSize", "1")],
            ),
            _ => Err(ReplyError::Rejected(
                "not a location (accounts/{id}/locations/{id})".into(),
            )),
        }
    }
}

fn stars(value: &Value) -> Option<Rating> {
    let n = match value.as_str()? {
        "ONE" => 1,
        "TWO" => 2,
        "THREE" => 3,
        "FOUR" => 4,
        "FIVE" => 5,
        _ => return None,
    };
    Rating::new(n).ok()
}

#[async_trait]
impl ReplyClient for GoogleReplies {
    fn token_cache(&self) -> Option<&dyn TokenExchange> {
        Some(&self.tokens)
    }

    /// One review of the location listed with the access token: the API the replies go
    /// through, with the permission they need.
    async fn check_access(
        &self,
        account: &AccountId,
        token: &AccessToken,
    ) -> Result<AccessCheck, ReplyError> {
        let url = self.reviews_url(account)?;
        let answer = self
            .tokens
            .read(account, token, &url)
            .await
            .map_err(crate::calls::harmless)?;
        let page = match answer["totalReviewCount"].as_u64() {
            Some(n) => format!("{account} ({n} reviews)"),
            None => account.to_string(),
        };
        Ok(AccessCheck::Accepted { page })
    }

    async fn fetch_item(
        &self,
        f: &Feedback,
        token: &AccessToken,
    ) -> Result<FetchedItem, ReplyError> {
        let url = self.review_url(f.item_id.as_str(), false)?;
        let review = self.tokens.read(&f.account_id, token, &url).await?;
        let reviewer = &review["reviewer"];
        let anonymous = reviewer["isAnonymous"].as_bool() == Some(true);
        Ok(FetchedItem {
            text: review["comment"].as_str().map(str::to_owned),
            author_id: None,
            author_name: reviewer["displayName"]
                .as_str()
                .filter(|_| !anonymous)
                .map(str::to_owned),
            rating: stars(&review["starRating"]),
            created_at: review["createTime"]
                .as_str()
                .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok()),
        })
    }

    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError> {
        let account = target.account()?;
        let url = self.review_url(&target.reply_to, true)?;
        self.tokens
            .send(&account, token, |http, t| {
                http.put(url.clone())
                    .bearer_auth(t)
                    .json(&json!({ "comment": text }))
            })
            .await?;
        Ok(target.reply_resource())
    }

    /// The owner reply of the review (`reviewReply.comment`): whoever wrote it, the next
    /// `PUT` replaces it.
    async fn current_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        let account = target.account()?;
        let url = self.review_url(&target.reply_to, false)?;
        let review = self.tokens.read(&account, token, &url).await?;
        Ok(review
            .get("reviewReply")
            .and_then(|r| r.get("comment"))
            .map(|comment| PostedReply {
                id: target.reply_resource(),
                // A comment that is not text is a reply of unknown words: never ours.
                text: Some(comment.as_str().unwrap_or_default().to_owned()),
            }))
    }
}
