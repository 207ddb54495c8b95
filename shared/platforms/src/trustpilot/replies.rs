//! The Trustpilot business API: fetch a review, post the company reply, find it again.
//! The page's stored credential is an OAuth refresh token, exchanged with the API key and
//! secret (HTTP Basic) for access tokens that are renewed once on a 401.

use super::parse::{is_review_id, stars, text, time_of, title_and_text};
use super::{CAPABILITIES, PLATFORM};
use crate::calls::{Http, url};
use crate::oauth::{ClientAuth, TokenCache};
use crate::reply::{
    AccessCheck, AccessToken, FetchedItem, OutboundPlatform, PostedReply, ReplyClient, ReplyError,
    ReplyTarget, TokenExchange,
};
use crate::settings::{any_set, require, token_api_urls};
use async_trait::async_trait;
use feedback::{AccountId, Feedback};
use secrecy::SecretString;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

pub const DEFAULT_API_URL: &str = "https://api.trustpilot.com";
pub const DEFAULT_TOKEN_URL: &str =
    "https://api.trustpilot.com/v1/oauth/oauth-business-users-for-applications/refresh";

#[derive(Debug)]
pub struct TrustpilotReplies {
    api: String,
    business_user: String,
    tokens: TokenCache,
}

impl TrustpilotReplies {
    /// From `TRUSTPILOT_API_KEY`, `TRUSTPILOT_API_SECRET`, `TRUSTPILOT_BUSINESS_USER_ID`
    /// (all three, or Trustpilot is not answered), `TRUSTPILOT_API_URL` and
    /// `TRUSTPILOT_TOKEN_URL` (Trustpilot's by default).
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Option<Result<Self, Vec<String>>> {
        let [key, secret, user] = any_set(
            get,
            [
                "TRUSTPILOT_API_KEY",
                "TRUSTPILOT_API_SECRET",
                "TRUSTPILOT_BUSINESS_USER_ID",
            ],
        )?;
        let ([api, token_url], mut problems) = token_api_urls(
            get,
            ("TRUSTPILOT_API_URL", DEFAULT_API_URL),
            ("TRUSTPILOT_TOKEN_URL", DEFAULT_TOKEN_URL),
        );
        require(
            &[
                ("TRUSTPILOT_API_KEY", &key),
                ("TRUSTPILOT_API_SECRET", &secret),
                ("TRUSTPILOT_BUSINESS_USER_ID", &user),
            ],
            &mut problems,
        );
        match (key, secret, user) {
            (Some(key), Some(secret), Some(user)) if problems.is_empty() => Some(Ok(Self::new(
                Http::new(Duration::from_secs(8)),
                api,
                token_url,
                ClientAuth::Basic {
                    id: key,
                    secret: SecretString::from(secret),
                },
                user,
            ))),
            _ => Some(Err(problems)),
        }
    }

    pub fn new(
        http: Http,
        api: String,
        token_url: String,
        auth: ClientAuth,
        business_user: String,
    ) -> Self {
        Self {
            tokens: TokenCache::new(http, token_url, auth),
            api,
            business_user,
        }
    }

    pub fn outbound(client: Arc<TrustpilotReplies>) -> OutboundPlatform {
        OutboundPlatform::answered_by(PLATFORM, CAPABILITIES, client, "TRUSTPILOT_REFRESH_TOKEN")
    }

    fn review_url(&self, id: &str, reply: bool) -> Result<reqwest::Url, ReplyError> {
        if !is_review_id(id) {
            return Err(ReplyError::Rejected("not a review id".into()));
        }
        let mut segments = vec!["v1", "private", "reviews", id];
        if reply {
            segments.push("reply");
        }
        url(&self.api, &segments, &[])
    }
}

#[async_trait]
impl ReplyClient for TrustpilotReplies {
    fn token_cache(&self) -> Option<&dyn TokenExchange> {
        Some(&self.tokens)
    }

    /// Trustpilot's token endpoint exchanged the page's refresh token (with this
    /// deployment's API key and secret): that is the check; the business API has no read
    /// of the business unit that needs the token and changes nothing.
    async fn check_access(
        &self,
        _account: &AccountId,
        _token: &AccessToken,
    ) -> Result<AccessCheck, ReplyError> {
        Ok(AccessCheck::Exchanged)
    }

    async fn fetch_item(
        &self,
        f: &Feedback,
        token: &AccessToken,
    ) -> Result<FetchedItem, ReplyError> {
        let url = self.review_url(f.item_id.as_str(), false)?;
        let review = self.tokens.read(&f.account_id, token, &url).await?;
        let consumer = &review["consumer"];
        Ok(FetchedItem {
            text: title_and_text(text(&review, "title"), text(&review, "text")),
            author_id: text(consumer, "id"),
            author_name: text(consumer, "displayName").or_else(|| text(consumer, "name")),
            rating: stars(&review["stars"]),
            created_at: time_of(&review, "createdAt"),
        })
    }

    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        message: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError> {
        let account = target.account()?;
        let url = self.review_url(&target.reply_to, true)?;
        self.tokens
            .send(&account, token, |http, t| {
                http.post(url.clone()).bearer_auth(t).json(&json!({
                    "authorBusinessUserId": self.business_user,
                    "message": message,
                }))
            })
            .await?;
        Ok(target.reply_resource())
    }

    async fn current_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        let account = target.account()?;
        let url = self.review_url(&target.reply_to, false)?;
        let review = self.tokens.read(&account, token, &url).await?;
        Ok(text(&review["companyReply"], "text")
            .map(|_| PostedReply::id_only(target.reply_resource())))
    }
}
