//! The X API v2 reply client (user-context OAuth 2.0 token: the page's stored credential).
//!
//! - Public reply: `POST {api}/2/tweets {"text", "reply": {"in_reply_to_tweet_id"}}` →
//!   `data.id`.
//! - DM: `POST {api}/2/dm_conversations/with/{author id}/messages {"text"}` →
//!   `data.dm_event_id`. X refuses it (403) when the author does not accept DMs from the
//!   account: that is [`ReplyError::Rejected`], never retried; the task says the DM was
//!   refused, as for a Meta private reply that is refused.
//! - Access check: `GET {api}/2/users/me` (changes nothing, says whose token it is): it
//!   must be the account's own user-context token.
//! - Reconcile: the account's latest posts (`GET {api}/2/users/{account}/tweets`), one
//!   replying to the item.
//!
//! Errors: 401 → reconnect; 403 → refused (or reconnect when X says the client is
//! forbidden); 404/410 → gone; 429 → later; 5xx and timeouts → outcome unknown.

use super::parse::is_x_id;
use super::{CAPABILITIES, PLATFORM};
use crate::calls::{Http, bearer_json, entries, first_reply, posted_id, url};
use crate::reply::{
    AccessCheck, AccessToken, OutboundPlatform, PostedReply, ReplyClient, ReplyError, ReplyTarget,
};
use crate::settings::only_api_url;
use async_trait::async_trait;
use feedback::Feedback;
use serde_json::{Value, json};
use std::sync::Arc;

pub const DEFAULT_API_URL: &str = "https://api.x.com";

#[derive(Debug)]
pub struct XReplies {
    http: Http,
    api: String,
}

/// What an X error answer means for what happens next.
pub fn classify(status: u16, body: &str) -> ReplyError {
    let problem: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let kind = problem["type"].as_str().unwrap_or_default();
    let detail = problem["detail"]
        .as_str()
        .or_else(|| problem["title"].as_str())
        .unwrap_or_default();
    let message = format!("HTTP {status}: {detail}");
    match status {
        401 => ReplyError::Reconnect(message),
        403 if kind.ends_with("client-forbidden")
            || kind.ends_with("unsupported-authentication") =>
        {
            ReplyError::Reconnect(message)
        }
        404 | 410 => ReplyError::Gone(message),
        429 => ReplyError::Transient(message),
        s if s >= 500 => ReplyError::Ambiguous(message),
        _ => ReplyError::Rejected(message),
    }
}

impl XReplies {
    pub fn new(http: Http, api: String) -> Self {
        Self { http, api }
    }

    /// From `X_API_URL` (X's by default). X is always answerable once a page has a token.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, Vec<String>> {
        only_api_url(get, "X_API_URL", DEFAULT_API_URL, Self::new)
    }

    pub fn outbound(client: Arc<XReplies>) -> OutboundPlatform {
        OutboundPlatform::answered_by(PLATFORM, CAPABILITIES, client, "X_ACCESS_TOKEN")
    }

    fn checked(id: &str) -> Result<&str, ReplyError> {
        if is_x_id(id) {
            Ok(id)
        } else {
            Err(ReplyError::Rejected(format!("{id:?} is not an X id")))
        }
    }
}

#[async_trait]
impl ReplyClient for XReplies {
    /// The public reply goes under the post; the DM goes to its author, so `item_id`
    /// names the author (X DMs are to a person, not about a post).
    fn target(&self, f: &Feedback) -> ReplyTarget {
        let mut target = ReplyTarget::item(f);
        if let Some(author) = &f.author_id {
            target.item_id = author.clone();
        }
        target
    }

    /// Whose token this is (`GET /2/users/me`): it must be the account's own.
    async fn check_access(
        &self,
        account: &feedback::AccountId,
        token: &AccessToken,
    ) -> Result<AccessCheck, ReplyError> {
        let url = url(&self.api, &["2", "users", "me"], &[])?;
        let me = bearer_json(self.http.client()?.get(url), token, classify)
            .await
            .map_err(crate::calls::harmless)?;
        let id = me["data"]["id"].as_str().unwrap_or_default();
        let username = me["data"]["username"].as_str().unwrap_or_default();
        let shown = match me["data"]["name"].as_str().filter(|n| !n.trim().is_empty()) {
            Some(name) => format!("{name} (@{username})"),
            None => format!("@{username}"),
        };
        if id != account.as_str() {
            return Err(ReplyError::Reconnect(format!(
                "this token is not {account}'s: it belongs to {shown} ({id}); store the account's own user-context token"
            )));
        }
        Ok(AccessCheck::Accepted { page: shown })
    }

    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError> {
        let post = Self::checked(&target.reply_to)?;
        let url = url(&self.api, &["2", "tweets"], &[])?;
        let body = bearer_json(
            self.http.client()?.post(url).json(&json!({
                "text": text,
                "reply": { "in_reply_to_tweet_id": post },
            })),
            token,
            classify,
        )
        .await?;
        posted_id(body["data"]["id"].as_str(), "success without data.id")
    }

    async fn current_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        let account = Self::checked(&target.account_id)?;
        let post = Self::checked(&target.reply_to)?;
        let url = url(
            &self.api,
            &["2", "users", account, "tweets"],
            &[("max_results", "20"), ("tweet.fields", "referenced_tweets")],
        )?;
        let body = bearer_json(self.http.client()?.get(url), token, classify)
            .await
            .map_err(crate::calls::harmless)?;
        let replies_to_post = |t: &Value| {
            entries(&t["referenced_tweets"]).any(|r| r["type"] == "replied_to" && r["id"] == post)
        };
        Ok(first_reply(&body["data"], replies_to_post, "id"))
    }

    async fn send_private_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        let author = Self::checked(&target.item_id)
            .map_err(|_| ReplyError::Rejected("the post's author is not known: no DM".into()))?;
        let url = url(
            &self.api,
            &["2", "dm_conversations", "with", author, "messages"],
            &[],
        )?;
        let body = bearer_json(
            self.http.client()?.post(url).json(&json!({ "text": text })),
            token,
            classify,
        )
        .await
        .map_err(|e| match e {
            ReplyError::Rejected(why) | ReplyError::Gone(why) => ReplyError::Rejected(format!(
                "X refused the DM (the author may not accept DMs from this account): {why}"
            )),
            other => other,
        })?;
        Ok(body["data"]["dm_event_id"].as_str().map(str::to_owned))
    }
}
