//! Mastodon: a business account on any server, its mentions polled.
//!
//! - **No webhooks for an account** (server webhooks are for admins): `functions/review-poller`
//!   reads `GET {server}/api/v1/notifications?types[]=mention` with the account's token,
//!   newest first, `max_id` from the Link header's `rel="next"` paging on, through
//!   [`ReviewSource`]; the poller's cursor (newest time and ids stored) says where to stop.
//! - **The account** is its acct with the server, `shop@example.social` (the page id).
//!   Its server is `https://example.social` unless `MASTODON_SERVERS` names another for it
//!   (`shop@example.social=https://social.example.com`: a server whose web address is not
//!   its account domain, or a stand-in on this machine).
//! - **Parse** ([`parse`]): a mention becomes feedback: the status id is the item, its HTML
//!   content plain text without the leading mentions of the account, the author's acct
//!   (a handle, never echoed), `in_reply_to_id`, and the notification kept raw (with the
//!   status's visibility). The account's own statuses and other notification types are
//!   skipped.
//! - **Reply**: `POST /api/v1/statuses` with `status` (`@acct ` first), `in_reply_to_id` and
//!   a visibility never wider than the customer's ([`parse::Visibility::of_reply`]), with an
//!   `Idempotency-Key` made from the account, the item and the channel, so a retry within
//!   the server's hour returns the first status instead of posting again; past it,
//!   reconciling reads the status's context for our reply. A private follow-up is a
//!   `direct` status to the author. Both must fit the server's own
//!   `configuration.statuses.max_characters` (`GET /api/v2/instance`, read once per server),
//!   counted as Mastodon counts (a mention by its local part, a link as
//!   `characters_reserved_per_url`): what does not fit is refused, never cut.
//! - **Access check**: `GET /api/v1/accounts/verify_credentials` (changes nothing, says
//!   whose token it is): it must be the account's own.
//!
//! Errors: 401/403 → reconnect; 404/410 → gone; 422 → refused; 429 → later; 5xx and
//! timeouts → outcome unknown.

pub mod parse;

use crate::calls::{Http, first_reply, read_capped, transport, url};
use crate::capabilities::{AuthorNames, Capabilities, PrivateChannel, TextLimit};
use crate::polling::{ReviewPage, ReviewSource};
use crate::reply::{
    AccessCheck, AccessToken, OutboundPlatform, PostedReply, ReplyClient, ReplyError, ReplyTarget,
    is_safe_base_url,
};
use async_trait::async_trait;
use feedback::{AccountId, Feedback, Platform};
use parse::{Visibility, is_status_id};
use secrecy::ExposeSecret;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;

pub const PLATFORM: Platform = Platform::from_static("mastodon");
/// Mastodon's own default for `max_characters`.
pub const DEFAULT_MAX_CHARACTERS: usize = 500;
/// Mastodon's own default for `characters_reserved_per_url`.
pub const DEFAULT_URL_CHARACTERS: usize = 23;
/// The room the mention before a reply takes: `@`, a username of at most 30 characters,
/// a space.
pub const MENTION_ROOM: usize = 32;
/// Notifications per page (the documented default is 40, at most 80; fewer keeps a page
/// with its accounts well under the answer cap).
pub const PAGE_SIZE: &str = "20";
/// The variable naming each account's server.
pub const SERVERS_VARIABLE: &str = "MASTODON_SERVERS";

/// A reply and a direct follow-up are statuses: what a default server takes (500) less the
/// mention put first. A server that takes less is honoured when posting.
pub const CAPABILITIES: Capabilities = crate::allowed::comments(
    TextLimit::Chars(DEFAULT_MAX_CHARACTERS - MENTION_ROOM),
    PrivateChannel::DirectMessages {
        limit: TextLimit::Chars(DEFAULT_MAX_CHARACTERS - MENTION_ROOM),
    },
    AuthorNames::Handles,
);

/// A business account: its username and its server's domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub domain: String,
}

impl Account {
    /// `user@domain` (a leading `@` allowed): a username of letters, digits, `_`, `.` or
    /// `-`, and a host name; anything else never reaches a URL.
    pub fn parse(acct: &str) -> Option<Account> {
        let acct = acct.trim().trim_start_matches('@');
        let (username, domain) = acct.split_once('@')?;
        let username_ok = (1..=64).contains(&username.len())
            && username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        let domain_ok = domain.len() <= 253
            && domain.contains('.')
            && domain.split('.').all(|label| {
                (1..=63).contains(&label.len())
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        (username_ok && domain_ok).then(|| Account {
            username: username.to_owned(),
            domain: domain.to_ascii_lowercase(),
        })
    }

    /// Whether `acct`, as our server writes it (`user`, or `user@domain`), is this account.
    pub fn is(&self, acct: &str) -> bool {
        let acct = acct.trim_start_matches('@');
        match acct.split_once('@') {
            None => acct.eq_ignore_ascii_case(&self.username),
            Some((user, domain)) => {
                user.eq_ignore_ascii_case(&self.username)
                    && domain.eq_ignore_ascii_case(&self.domain)
            }
        }
    }

    /// `acct` with its domain (an account of our server is written without one).
    pub fn absolute(&self, acct: &str) -> String {
        if acct.contains('@') {
            acct.to_owned()
        } else {
            format!("{acct}@{}", self.domain)
        }
    }
}

impl std::fmt::Display for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.username, self.domain)
    }
}

/// Whether `app` may be polled: an account as [`Account::parse`] reads one.
pub fn is_account(app: &str) -> bool {
    Account::parse(app).is_some()
}

/// Whom an answer goes to and how it is shown, read from the stored notification by
/// [`ReplyClient::target`]: the target's `item_id` is `{visibility}:{acct}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressee {
    pub visibility: Visibility,
    pub acct: String,
}

impl Addressee {
    pub fn encode(&self) -> String {
        format!("{}:{}", self.visibility.as_str(), self.acct)
    }

    pub fn decode(s: &str) -> Option<Addressee> {
        let (visibility, acct) = s.split_once(':')?;
        let acct_ok = !acct.is_empty()
            && acct.len() <= 320
            && acct
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'@'));
        Some(Addressee {
            visibility: Visibility::parse(visibility)?,
            acct: acct.to_owned(),
        })
        .filter(|_| acct_ok)
    }
}

/// How long Mastodon counts `status`: a mention by its local part, a link as `per_url`.
pub fn counted_length(status: &str, per_url: usize) -> usize {
    let mut length = status.chars().count();
    for token in status.split_whitespace() {
        let chars = token.chars().count();
        if token.starts_with("https://") || token.starts_with("http://") {
            length = length.saturating_sub(chars).saturating_add(per_url);
        } else if let Some(mention) = token.strip_prefix('@')
            && let Some((_, domain)) = mention.split_once('@')
        {
            length = length.saturating_sub(domain.chars().count() + 1);
        }
    }
    length
}

/// What a server takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    pub max_characters: usize,
    pub per_url: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            max_characters: DEFAULT_MAX_CHARACTERS,
            per_url: DEFAULT_URL_CHARACTERS,
        }
    }
}

/// The Mastodon client: lists an account's mentions and posts its answers.
#[derive(Debug)]
pub struct Mastodon {
    http: Http,
    /// Servers named for accounts (`MASTODON_SERVERS`); others are `https://{domain}`.
    servers: HashMap<String, String>,
    /// Each server's limits, read once.
    limits: Mutex<HashMap<String, ServerLimits>>,
}

impl Mastodon {
    pub fn new(http: Http, servers: HashMap<String, String>) -> Self {
        Self {
            http,
            servers: servers
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
            limits: Mutex::new(HashMap::new()),
        }
    }

    /// From `MASTODON_SERVERS` (`acct=https://server, …`; optional). Every problem is named.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, Vec<String>> {
        let mut problems = Vec::new();
        let mut servers = HashMap::new();
        let value = get(SERVERS_VARIABLE).unwrap_or_default();
        for entry in value
            .split([',', ' ', '\n', '\t'])
            .filter(|e| !e.is_empty())
        {
            match entry.split_once('=') {
                Some((acct, server)) if is_account(acct) && is_safe_base_url(server) => {
                    servers.insert(acct.trim_start_matches('@').to_owned(), server.to_owned());
                }
                _ => problems.push(format!(
                    "{SERVERS_VARIABLE}: {entry:?} is not user@domain=https://server (http only on 127.0.0.1/localhost)"
                )),
            }
        }
        let http = Http::new(Duration::from_secs(8));
        if problems.is_empty() {
            Ok(Self::new(http, servers))
        } else {
            Err(problems)
        }
    }

    /// Mastodon's outbound half, answered through `client`.
    pub fn outbound(client: Arc<Mastodon>) -> OutboundPlatform {
        OutboundPlatform::answered_by(PLATFORM, CAPABILITIES, client, "MASTODON_ACCESS_TOKEN")
    }

    /// The account and its server's base URL.
    pub fn server(&self, account: &str) -> Result<(Account, String), ReplyError> {
        let parsed = Account::parse(account).ok_or_else(|| {
            ReplyError::Rejected(format!(
                "{account:?} is not a Mastodon account (user@domain)"
            ))
        })?;
        let key = parsed.to_string().to_ascii_lowercase();
        let base = self
            .servers
            .get(&key)
            .cloned()
            .unwrap_or_else(|| format!("https://{}", parsed.domain));
        Ok((parsed, base))
    }

    /// Send a request (with `token`, if any): the JSON answer and its Link header.
    async fn call(
        &self,
        request: reqwest::RequestBuilder,
        token: Option<&AccessToken>,
    ) -> Result<(Value, Option<String>), ReplyError> {
        let request = match token {
            Some(token) => request.bearer_auth(token.expose_secret()),
            None => request,
        };
        let response = request.send().await.map_err(transport)?;
        let link = response
            .headers()
            .get(http::header::LINK)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let (status, body) = read_capped(response).await?;
        let error = || {
            serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        match status {
            200..=299 => serde_json::from_str(&body)
                .map(|v| (v, link))
                .map_err(|e| ReplyError::Ambiguous(format!("unreadable answer: {e}"))),
            401 | 403 => Err(ReplyError::Reconnect(format!("HTTP {status}: {}", error()))),
            404 | 410 => Err(ReplyError::Gone(format!("HTTP {status}: {}", error()))),
            429 => Err(ReplyError::Transient("rate limited".into())),
            s if s >= 500 => Err(ReplyError::Ambiguous(format!("HTTP {s}"))),
            s => Err(ReplyError::Rejected(format!("HTTP {s}: {}", error()))),
        }
    }

    /// The server's limits: read once (`GET /api/v2/instance`, public); while it cannot be
    /// read, Mastodon's defaults (a status the server refuses is refused, never cut).
    pub async fn limits(&self, base: &str) -> ServerLimits {
        if let Some(known) = self.limits.lock().ok().and_then(|l| l.get(base).copied()) {
            return known;
        }
        let (Ok(url), Ok(http)) = (
            url(base, &["api", "v2", "instance"], &[]),
            self.http.client(),
        ) else {
            return ServerLimits::default();
        };
        match self.call(http.get(url), None).await {
            Ok((instance, _)) => {
                let statuses = &instance["configuration"]["statuses"];
                let read = |key: &str, default: usize| {
                    statuses[key]
                        .as_u64()
                        .and_then(|n| usize::try_from(n).ok())
                        // A server's answer is not trusted beyond sense.
                        .filter(|n| (1..=100_000).contains(n))
                        .unwrap_or(default)
                };
                let limits = ServerLimits {
                    max_characters: read("max_characters", DEFAULT_MAX_CHARACTERS),
                    per_url: read("characters_reserved_per_url", DEFAULT_URL_CHARACTERS),
                };
                if let Ok(mut known) = self.limits.lock() {
                    known.insert(base.to_owned(), limits);
                }
                limits
            }
            Err(e) => {
                tracing::warn!(server = base, error = %e, "the server's limits could not be read: Mastodon's defaults assumed");
                ServerLimits::default()
            }
        }
    }

    /// The key that makes a second post of the same answer return the first.
    pub fn idempotency_key(channel: &str, account: &str, item: &str) -> String {
        let digest = Sha256::digest(format!("{channel}\n{account}\n{item}").as_bytes());
        format!("rg-{channel}-{}", hex::encode(&digest[..16]))
    }

    /// Post `text` to `to` as a status: `@acct text`, within the server's limit.
    async fn post_status(
        &self,
        account_id: &str,
        to: &Addressee,
        in_reply_to: Option<&str>,
        text: &str,
        key: String,
        token: &AccessToken,
    ) -> Result<String, ReplyError> {
        let (_, base) = self.server(account_id)?;
        let status = format!("@{} {}", to.acct, text.trim());
        let limits = self.limits(&base).await;
        let length = counted_length(&status, limits.per_url);
        if length > limits.max_characters {
            return Err(ReplyError::Rejected(format!(
                "the server takes at most {} characters; this answer with its mention counts {length}: not sent, shorten it and answer by hand",
                limits.max_characters
            )));
        }
        let body = {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("status", &status);
            if let Some(id) = in_reply_to {
                form.append_pair("in_reply_to_id", id);
            }
            form.append_pair("visibility", to.visibility.as_str());
            form.finish()
        };
        let url = url(&base, &["api", "v1", "statuses"], &[])?;
        let (posted, _) = self
            .call(
                self.http
                    .client()?
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("idempotency-key", key)
                    .body(body),
                Some(token),
            )
            .await?;
        posted["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| ReplyError::Ambiguous("a posted status without id".into()))
    }
}

fn checked_id(id: &str) -> Result<&str, ReplyError> {
    if is_status_id(id) {
        Ok(id)
    } else {
        Err(ReplyError::Rejected(format!("{id:?} is not a status id")))
    }
}

fn addressee(target: &ReplyTarget) -> Result<Addressee, ReplyError> {
    Addressee::decode(&target.item_id).ok_or_else(|| {
        ReplyError::Rejected("who wrote the mention is not known: answer it by hand".into())
    })
}

#[async_trait]
impl ReviewSource for Mastodon {
    fn platform(&self) -> Platform {
        PLATFORM
    }

    async fn list_page(
        &self,
        app: &AccountId,
        page: Option<&str>,
        token: &AccessToken,
    ) -> Result<ReviewPage, ReplyError> {
        let (account, base) = self.server(app.as_str())?;
        let mut query = vec![("types[]", "mention"), ("limit", PAGE_SIZE)];
        if let Some(max_id) = page {
            query.push(("max_id", checked_id(max_id)?));
        }
        let url = url(&base, &["api", "v1", "notifications"], &query)?;
        let (answer, link) = self
            .call(self.http.client()?.get(url), Some(token))
            .await
            .map_err(crate::calls::harmless)?;
        Ok(parse::parse_list(
            &answer,
            link.as_deref(),
            &account,
            app,
            OffsetDateTime::now_utc(),
        ))
    }
}

#[async_trait]
impl ReplyClient for Mastodon {
    /// The answer goes under the status; its `item_id` says to whom and how visibly
    /// ([`Addressee`]), read from the stored notification.
    fn target(&self, f: &Feedback) -> ReplyTarget {
        let mut target = ReplyTarget::item(f);
        let notification: Value = serde_json::from_str(&f.raw).unwrap_or(Value::Null);
        if let Some(acct) = parse::author_acct(&notification) {
            target.item_id = Addressee {
                visibility: Visibility::of_reply(parse::visibility(&notification)),
                acct,
            }
            .encode();
        }
        target
    }

    /// Whose token this is (`verify_credentials`): it must be the account's own.
    async fn check_access(
        &self,
        account: &AccountId,
        token: &AccessToken,
    ) -> Result<AccessCheck, ReplyError> {
        let (parsed, base) = self.server(account.as_str())?;
        let url = url(&base, &["api", "v1", "accounts", "verify_credentials"], &[])?;
        let (me, _) = self
            .call(self.http.client()?.get(url), Some(token))
            .await
            .map_err(crate::calls::harmless)?;
        let acct = me["acct"].as_str().unwrap_or_default();
        if !parsed.is(acct) {
            return Err(ReplyError::Reconnect(format!(
                "this token is not {parsed}'s: it belongs to {acct:?}; store the account's own token"
            )));
        }
        let name = me["display_name"]
            .as_str()
            .filter(|n| !n.trim().is_empty())
            .map_or_else(|| format!("@{parsed}"), |n| format!("{n} (@{parsed})"));
        Ok(AccessCheck::Accepted { page: name })
    }

    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError> {
        let status = checked_id(&target.reply_to)?;
        let to = addressee(target)?;
        let key = Self::idempotency_key("public", &target.account_id, status);
        self.post_status(&target.account_id, &to, Some(status), text, key, token)
            .await
    }

    /// Our reply among the status's descendants (`GET /api/v1/statuses/:id/context`).
    async fn current_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        let status = checked_id(&target.reply_to)?;
        let (account, base) = self.server(&target.account_id)?;
        let url = url(&base, &["api", "v1", "statuses", status, "context"], &[])?;
        let (context, _) = self
            .call(self.http.client()?.get(url), Some(token))
            .await
            .map_err(crate::calls::harmless)?;
        let ours = |s: &Value| {
            s["in_reply_to_id"].as_str() == Some(status)
                && s["account"]["acct"].as_str().is_some_and(|a| account.is(a))
        };
        Ok(first_reply(&context["descendants"], ours, "id"))
    }

    /// A `direct` status to the author (not threaded under the mention, so it is never
    /// taken for the public answer).
    async fn send_private_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        let status = checked_id(&target.reply_to)?;
        let to = Addressee {
            visibility: Visibility::Direct,
            ..addressee(target)?
        };
        let key = Self::idempotency_key("private", &target.account_id, status);
        self.post_status(&target.account_id, &to, None, text, key, token)
            .await
            .map(Some)
    }
}

#[cfg(test)]
mod tests;
