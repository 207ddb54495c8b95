//! The TikTok API for Business comment client (assumed request shape, see
//! `tests/contracts/tiktok/README.md`); the page's stored credential is the business
//! account's access token, sent as `Access-Token`.
//!
//! - Reply: `POST {api}/v1.3/business/comment/reply/create/ {"business_id", "video_id",
//!   "comment_id", "text"}` → `{"code": 0, "data": {"comment_id"}}`. A reply to a reply
//!   goes under its top-level comment.
//! - Reconcile: `GET {api}/v1.3/business/comment/reply/list/?business_id&video_id&comment_id`,
//!   a reply by the account.
//!
//! TikTok answers errors with HTTP 200 and a non-zero `code`: 401xx (token) → reconnect,
//! 40100 (rate limit) → later, 5xxxx → outcome unknown, anything else → refused.

use super::parse::is_plain_id;
use super::{CAPABILITIES, PLATFORM};
use crate::calls::{Http, first_reply, posted_id, read_capped, transport};
use crate::reply::{
    AccessToken, OutboundPlatform, PostedReply, ReplyClient, ReplyError, ReplyTarget,
};
use crate::settings::only_api_url;
use async_trait::async_trait;
use feedback::Feedback;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use std::sync::Arc;

pub const DEFAULT_API_URL: &str = "https://business-api.tiktok.com/open_api";

#[derive(Debug)]
pub struct TikTokReplies {
    http: Http,
    api: String,
}

pub fn classify(status: u16, body: &str) -> Option<ReplyError> {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let code = v["code"].as_i64();
    let message = format!(
        "HTTP {status}, code {}: {}",
        code.unwrap_or_default(),
        v["message"].as_str().unwrap_or_default()
    );
    match (status, code) {
        (200..=299, Some(0)) => None,
        (_, Some(40100)) | (429, _) => Some(ReplyError::Transient(message)),
        (_, Some(40101..=40199)) | (401 | 403, _) => Some(ReplyError::Reconnect(message)),
        (_, Some(50000..=59999)) => Some(ReplyError::Ambiguous(message)),
        (s, _) if s >= 500 => Some(ReplyError::Ambiguous(message)),
        (200..=299, None) => Some(ReplyError::Ambiguous(message)),
        _ => Some(ReplyError::Rejected(message)),
    }
}

impl TikTokReplies {
    pub fn new(http: Http, api: String) -> Self {
        Self { http, api }
    }

    /// From `TIKTOK_API_URL` (TikTok's by default).
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, Vec<String>> {
        only_api_url(get, "TIKTOK_API_URL", DEFAULT_API_URL, Self::new)
    }

    pub fn outbound(client: Arc<TikTokReplies>) -> OutboundPlatform {
        OutboundPlatform::answered_by(PLATFORM, CAPABILITIES, client, "TIKTOK_ACCESS_TOKEN")
    }

    async fn call(
        &self,
        request: reqwest::RequestBuilder,
        token: &AccessToken,
    ) -> Result<Value, ReplyError> {
        let response = request
            .header("Access-Token", token.expose_secret())
            .send()
            .await
            .map_err(transport)?;
        let (status, body) = read_capped(response).await?;
        match classify(status, &body) {
            None => Ok(serde_json::from_str(&body).unwrap_or(Value::Null)),
            Some(e) => Err(e),
        }
    }

    /// `{api}/v1.3/business/comment/reply/{action}/` (TikTok's paths end with a slash).
    fn endpoint(&self, action: &str, query: &[(&str, &str)]) -> Result<reqwest::Url, ReplyError> {
        let mut url = reqwest::Url::parse(&format!(
            "{}/v1.3/business/comment/reply/{action}/",
            self.api.trim_end_matches('/')
        ))
        .map_err(|e| ReplyError::Rejected(format!("bad TikTok API URL: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    /// `reply_to` is `{video id}/{comment id}`.
    fn split(target: &ReplyTarget) -> Result<(&str, &str), ReplyError> {
        target
            .reply_to
            .split_once('/')
            .filter(|(v, c)| is_plain_id(v) && is_plain_id(c) && is_plain_id(&target.account_id))
            .ok_or_else(|| ReplyError::Rejected("not a TikTok video/comment id".into()))
    }
}

#[async_trait]
impl ReplyClient for TikTokReplies {
    /// Replies go under the top-level comment, on its video.
    fn target(&self, f: &Feedback) -> ReplyTarget {
        let mut target = ReplyTarget::item(f);
        let comment = f.parent_id.as_deref().unwrap_or(f.item_id.as_str());
        target.reply_to = format!("{}/{comment}", f.thread_id.as_deref().unwrap_or_default());
        target
    }

    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError> {
        let (video, comment) = Self::split(target)?;
        let url = self.endpoint("create", &[])?;
        let body = self
            .call(
                self.http.client()?.post(url).json(&json!({
                    "business_id": target.account_id,
                    "video_id": video,
                    "comment_id": comment,
                    "text": text,
                })),
                token,
            )
            .await?;
        posted_id(
            body["data"]["comment_id"].as_str(),
            "success without data.comment_id",
        )
    }

    async fn current_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        let (video, comment) = Self::split(target)?;
        let url = self.endpoint(
            "list",
            &[
                ("business_id", target.account_id.as_str()),
                ("video_id", video),
                ("comment_id", comment),
            ],
        )?;
        let body = self
            .call(self.http.client()?.get(url), token)
            .await
            .map_err(crate::calls::harmless)?;
        let ours = |c: &Value| c["owner"] == true || c["user_id"] == target.account_id.as_str();
        Ok(first_reply(&body["data"]["comments"], ours, "comment_id"))
    }
}
