//! The LinkedIn comments API, commenting as the organization (`w_organization_social`;
//! the page's stored credential is a member access token of a page admin).
//!
//! - `POST {api}/rest/socialActions/{urn}/comments {"actor": <organization>, "object":
//!   <activity or post>, "message": {"text"}, "parentComment"?}`, headers `LinkedIn-Version`
//!   and `X-Restli-Protocol-Version: 2.0.0`, URNs percent-encoded in the path. A comment
//!   is answered under itself (a reply under its parent: LinkedIn nests one level); a
//!   mention is answered under the mentioning post. The new comment's URN comes back in
//!   `x-restli-id` (or the body's `$URN` / `id`).
//! - Reconcile: `GET` the same collection and find a comment whose `actor` is the page.
//!
//! 401 → reconnect; 403 → reconnect (a missing permission or role); 404/410 → gone; 429 →
//! later; 5xx and timeouts → outcome unknown; other 4xx → refused.

use super::parse::activity_of_comment;
use super::{CAPABILITIES, PLATFORM};
use crate::calls::{Http, entries, read_capped, transport};
use crate::reply::{
    AccessToken, OutboundPlatform, PostedReply, ReplyClient, ReplyError, ReplyTarget,
};
use crate::settings::{api_url, checked, setting};
use async_trait::async_trait;
use feedback::Feedback;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub const DEFAULT_API_URL: &str = "https://api.linkedin.com";
/// The `LinkedIn-Version` sent (YYYYMM); LinkedIn supports each version for a year.
pub const DEFAULT_API_VERSION: &str = "202511";

#[derive(Debug)]
pub struct LinkedInReplies {
    http: Http,
    api: String,
    version: String,
}

pub fn classify(status: u16, body: &str) -> ReplyError {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let message = format!(
        "HTTP {status}: {}",
        v["message"].as_str().unwrap_or_default()
    );
    match status {
        401 | 403 => ReplyError::Reconnect(message),
        404 | 410 => ReplyError::Gone(message),
        429 => ReplyError::Transient(message),
        s if s >= 500 => ReplyError::Ambiguous(message),
        _ => ReplyError::Rejected(message),
    }
}

fn is_urn(s: &str) -> bool {
    s.starts_with("urn:li:") && s.len() <= 256 && s.bytes().all(|b| b.is_ascii_graphic())
}

impl LinkedInReplies {
    pub fn new(http: Http, api: String, version: String) -> Self {
        Self { http, api, version }
    }

    /// From `LINKEDIN_API_URL` and `LINKEDIN_API_VERSION` (LinkedIn's and
    /// [`DEFAULT_API_VERSION`] by default).
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, Vec<String>> {
        let mut problems = Vec::new();
        let api = api_url(get, "LINKEDIN_API_URL", DEFAULT_API_URL, &mut problems);
        let version =
            setting(get, "LINKEDIN_API_VERSION").unwrap_or_else(|| DEFAULT_API_VERSION.to_owned());
        if version.len() != 6 || !version.bytes().all(|b| b.is_ascii_digit()) {
            problems.push("LINKEDIN_API_VERSION must be YYYYMM".to_owned());
        }
        checked(
            || Self::new(Http::new(Duration::from_secs(8)), api, version),
            problems,
        )
    }

    pub fn outbound(client: Arc<LinkedInReplies>) -> OutboundPlatform {
        OutboundPlatform::answered_by(PLATFORM, CAPABILITIES, client, "LINKEDIN_ACCESS_TOKEN")
    }

    /// `{api}/rest/socialActions/{urn}/comments`, the URN percent-encoded (Rest.li 2.0).
    fn comments_url(&self, urn: &str) -> Result<reqwest::Url, ReplyError> {
        if !is_urn(urn) {
            return Err(ReplyError::Rejected(format!(
                "{urn:?} is not a LinkedIn URN"
            )));
        }
        let encoded: String = url::form_urlencoded::byte_serialize(urn.as_bytes()).collect();
        reqwest::Url::parse(&format!(
            "{}/rest/socialActions/{encoded}/comments",
            self.api.trim_end_matches('/')
        ))
        .map_err(|e| ReplyError::Rejected(format!("bad LinkedIn API URL: {e}")))
    }

    fn request(
        &self,
        builder: reqwest::RequestBuilder,
        token: &AccessToken,
    ) -> reqwest::RequestBuilder {
        builder
            .bearer_auth(token.expose_secret())
            .header("LinkedIn-Version", &self.version)
            .header("X-Restli-Protocol-Version", "2.0.0")
    }
}

#[async_trait]
impl ReplyClient for LinkedInReplies {
    /// A reply to a comment is answered under its parent (one level of nesting).
    fn target(&self, f: &Feedback) -> ReplyTarget {
        ReplyTarget::under_parent(f)
    }

    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError> {
        let url = self.comments_url(&target.reply_to)?;
        let body = match activity_of_comment(&target.reply_to) {
            Some(activity) => json!({
                "actor": target.account_id, "object": activity,
                "parentComment": target.reply_to, "message": {"text": text},
            }),
            None => json!({
                "actor": target.account_id, "object": target.reply_to, "message": {"text": text},
            }),
        };
        let response = self
            .request(self.http.client()?.post(url), token)
            .json(&body)
            .send()
            .await
            .map_err(transport)?;
        let header_id = response
            .headers()
            .get("x-restli-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let (status, answer) = read_capped(response).await?;
        if !(200..300).contains(&status) {
            return Err(classify(status, &answer));
        }
        let answer: Value = serde_json::from_str(&answer).unwrap_or(Value::Null);
        header_id
            .or_else(|| answer["$URN"].as_str().map(str::to_owned))
            .or_else(|| answer["id"].as_str().map(str::to_owned))
            .ok_or_else(|| ReplyError::Ambiguous("created, but no id came back".into()))
    }

    async fn current_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        let url = self.comments_url(&target.reply_to)?;
        let response = self
            .request(self.http.client()?.get(url), token)
            .send()
            .await
            .map_err(transport)
            .map_err(crate::calls::harmless)?;
        let (status, body) = read_capped(response).await?;
        if !(200..300).contains(&status) {
            return Err(crate::calls::harmless(classify(status, &body)));
        }
        let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        Ok(entries(&body["elements"])
            .find(|c| c["actor"] == target.account_id.as_str())
            .and_then(|c| c["$URN"].as_str().or_else(|| c["id"].as_str()))
            .map(|id| PostedReply::id_only(id.to_owned())))
    }
}
