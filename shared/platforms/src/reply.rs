//! The outbound half of every platform: posting a public acknowledgement, finding one
//! already posted, sending a private message, fetching an item the webhook did not carry,
//! turning a stored credential into an access token, and checking that token with one
//! harmless call.
//!
//! [`Outbound`] holds, per platform, its [`Capabilities`] and its [`ReplyClient`] (none for
//! a platform staff answer by hand); [`from_lookup`] builds it from configuration, as
//! [`crate::registry::from_lookup`] does for webhooks.

use crate::capabilities::Capabilities;
use async_trait::async_trait;
use feedback::{AccountId, Feedback, FeedbackKind, Platform};
use secrecy::SecretString;
use std::sync::Arc;

/// Where to answer one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTarget {
    pub platform: Platform,
    /// The page or account that answers.
    pub account_id: String,
    /// The item the public reply goes under (the platform module decides: Instagram
    /// answers replies under their top-level comment).
    pub reply_to: String,
    /// The item the private reply refers to (the customer's own comment).
    pub item_id: String,
}

impl ReplyTarget {
    /// Answer the item itself.
    pub fn item(f: &Feedback) -> ReplyTarget {
        ReplyTarget {
            platform: f.platform.clone(),
            account_id: f.account_id.to_string(),
            reply_to: f.item_id.to_string(),
            item_id: f.item_id.to_string(),
        }
    }

    /// The id of the one reply of a review where the platform addresses it as the review's
    /// `reply` (Google, Trustpilot): `{review}/reply`.
    pub fn reply_resource(&self) -> String {
        format!("{}/reply", self.reply_to)
    }

    /// The account that answers, as an id.
    pub fn account(&self) -> Result<AccountId, ReplyError> {
        AccountId::parse(&self.account_id).map_err(|e| ReplyError::Rejected(e.to_string()))
    }

    /// Answer a reply under the comment it replies to (where comments nest one level);
    /// anything else itself.
    pub fn under_parent(f: &Feedback) -> ReplyTarget {
        let mut target = ReplyTarget::item(f);
        if f.kind == FeedbackKind::Reply
            && let Some(parent) = &f.parent_id
        {
            target.reply_to = parent.clone();
        }
        target
    }
}

/// What a platform says an item holds, fetched by its id.
pub type FetchedItem = feedback::ItemContent;

/// How a call to a platform failed, which decides what happens next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// Certainly not accepted (rate limited, could not connect): safe to retry.
    #[error("temporarily refused: {0}")]
    Transient(String),
    /// May or may not have been accepted (timeout, 5xx): reconcile before any retry.
    #[error("outcome unknown: {0}")]
    Ambiguous(String),
    /// The token expired or lacks a permission: the page must be reconnected; no retry.
    #[error("page must be reconnected: {0}")]
    Reconnect(String),
    /// The platform says this private reply was already sent.
    #[error("already sent")]
    AlreadySent,
    /// Refused for good (too old, invalid, not offered): no retry.
    #[error("refused: {0}")]
    Rejected(String),
    /// The platform says the item is gone (404/410): it was deleted there.
    #[error("gone: {0}")]
    Gone(String),
}

/// The public reply standing under an item now (on platforms with one reply per item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedReply {
    /// The platform's id of the reply.
    pub id: String,
    /// Its words, when the platform shows them; `None`: a reply is there, of unknown text.
    pub text: Option<String>,
}

impl PostedReply {
    /// A reply known by its id alone: its words are not shown.
    pub fn id_only(id: String) -> Self {
        Self { id, text: None }
    }
}

/// An access token for calls on behalf of a page. Never printed.
pub type AccessToken = SecretString;

/// What a check of a page's token found, when the platform did not refuse it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessCheck {
    /// The platform answered a harmless call made with the token: what it shows for the
    /// page (its name, else its id).
    Accepted { page: String },
    /// The platform exchanged the stored credential for an access token
    /// ([`ReplyClient::access_token`]), which is itself the check.
    Exchanged,
    /// This client has no harmless call to prove the token with.
    Unchecked,
}

/// The platform message ids a dry run records (the local runner's sink): what would have
/// been sent, never shown as sent.
pub const DRY_RUN_ID_PREFIX: &str = "dry-run:";

/// Where a client exchanges a page's stored credential for access tokens and keeps them
/// ([`crate::oauth::TokenCache`]).
#[async_trait]
pub trait TokenExchange: Send + Sync {
    /// A valid access token for `account`, exchanging `stored` when none is kept.
    async fn token(
        &self,
        account: &AccountId,
        stored: &SecretString,
    ) -> Result<AccessToken, ReplyError>;

    /// Forget the access token kept for `account`.
    fn forget(&self, account: &AccountId);
}

#[async_trait]
pub trait ReplyClient: Send + Sync {
    /// Where replies to this item go. By default the item itself.
    fn target(&self, feedback: &Feedback) -> ReplyTarget {
        ReplyTarget::item(feedback)
    }

    /// Where this client exchanges a page's stored OAuth refresh token for access tokens
    /// and keeps them; `None` (the default): the stored credential is the token.
    fn token_cache(&self) -> Option<&dyn TokenExchange> {
        None
    }

    /// The token for calls, from the credential stored for the page. By default the stored
    /// credential is the token, or, with a [`Self::token_cache`], the stored refresh token
    /// is exchanged there and the access token kept until shortly before it expires.
    async fn access_token(
        &self,
        account: &AccountId,
        stored: &SecretString,
    ) -> Result<AccessToken, ReplyError> {
        match self.token_cache() {
            Some(tokens) => tokens.token(account, stored).await,
            None => Ok(stored.clone()),
        }
    }

    /// The platform refused the page's token: forget any access token kept for it.
    fn forget_access_token(&self, account: &AccountId) {
        if let Some(tokens) = self.token_cache() {
            tokens.forget(account);
        }
    }

    /// Prove `token` (what [`Self::access_token`] returned) is accepted for the page, with
    /// one call that changes nothing, before the page is subscribed. A token the platform
    /// refuses is [`ReplyError::Reconnect`]. By default nothing is asked.
    async fn check_access(
        &self,
        _account: &AccountId,
        _token: &AccessToken,
    ) -> Result<AccessCheck, ReplyError> {
        Ok(AccessCheck::Unchecked)
    }

    /// Post a public reply; returns the platform's id of the reply.
    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError>;

    /// The reply standing under the target now, with its text where the platform shows it
    /// (read before posting where a new reply replaces the old one, so nobody's reply is
    /// overwritten); [`PostedReply::id_only`] where the platform shows only which reply
    /// is ours.
    async fn current_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError>;

    /// A reply by the account under the target, if one exists (to reconcile a post whose
    /// outcome was unknown). By default the id of [`Self::current_public_reply`].
    async fn find_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        Ok(self
            .current_public_reply(target, token)
            .await?
            .map(|reply| reply.id))
    }

    /// Send the private message the platform allows for the item; returns its id when the
    /// platform gives one. Platforms without a private channel never get this call.
    async fn send_private_reply(
        &self,
        _target: &ReplyTarget,
        _text: &str,
        _token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        Err(ReplyError::Rejected(
            "this platform has no private messages".into(),
        ))
    }

    /// The item's content, author and rating, for deliveries that carry only its id.
    async fn fetch_item(
        &self,
        _feedback: &Feedback,
        _token: &AccessToken,
    ) -> Result<FetchedItem, ReplyError> {
        Err(ReplyError::Rejected(
            "this platform cannot fetch items".into(),
        ))
    }
}

/// One platform's outbound half.
#[derive(Clone)]
pub struct OutboundPlatform {
    pub platform: Platform,
    pub capabilities: Capabilities,
    /// `None`: nothing can be sent; staff answer by hand.
    pub client: Option<Arc<dyn ReplyClient>>,
    /// Locally (no SSM), the variable holding a page's credential: `{name}_{account}`,
    /// else `{name}`.
    pub credential_variable: &'static str,
}

impl OutboundPlatform {
    /// A platform answered through `client`, a page's credential read locally from
    /// `credential_variable`.
    pub fn answered_by(
        platform: Platform,
        capabilities: Capabilities,
        client: Arc<dyn ReplyClient>,
        credential_variable: &'static str,
    ) -> Self {
        Self {
            platform,
            capabilities,
            client: Some(client),
            credential_variable,
        }
    }

    /// A platform whose items staff answer by hand.
    pub fn by_hand(platform: Platform, capabilities: Capabilities) -> Self {
        Self {
            platform,
            capabilities,
            client: None,
            credential_variable: "",
        }
    }
}

impl std::fmt::Debug for OutboundPlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboundPlatform")
            .field("platform", &self.platform)
            .field("capabilities", &self.capabilities)
            .field("client", &self.client.is_some())
            .finish()
    }
}

/// The reply clients and capabilities of every platform, keyed by platform.
#[derive(Clone, Debug, Default)]
pub struct Outbound {
    platforms: Vec<OutboundPlatform>,
}

impl Outbound {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) a platform's outbound half.
    pub fn with(mut self, platform: OutboundPlatform) -> Self {
        self.platforms.retain(|p| p.platform != platform.platform);
        self.platforms.push(platform);
        self
    }

    pub fn get(&self, platform: &Platform) -> Option<&OutboundPlatform> {
        self.platforms.iter().find(|p| &p.platform == platform)
    }

    /// A platform's capabilities; one we do not know is answered by hand.
    pub fn capabilities(&self, platform: &Platform) -> Capabilities {
        self.get(platform)
            .map_or(Capabilities::MANUAL, |p| p.capabilities)
    }

    pub fn platforms(&self) -> impl Iterator<Item = &Platform> + '_ {
        self.platforms.iter().map(|p| &p.platform)
    }
}

/// Is `url` https, or http on this machine (a local stand-in)? The host is parsed, so
/// `http://localhost.evil.example` is not local.
pub fn is_safe_base_url(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    match parsed.scheme() {
        "https" => parsed.host().is_some(),
        // This machine: loopback, or the host as a `sam local` container reaches it.
        "http" => matches!(
            parsed.host(),
            Some(url::Host::Domain("localhost" | "host.docker.internal"))
                | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
                | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_http_on_this_machine_is_a_safe_base_url() {
        for ok in [
            "https://graph.facebook.com",
            "http://127.0.0.1:9000",
            "http://localhost:3000/x",
            "http://host.docker.internal:4578",
            "http://[::1]:80",
        ] {
            assert!(is_safe_base_url(ok), "{ok}");
        }
        for bad in [
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example",
            "http://evil.example",
            "ftp://graph.facebook.com",
            "graph.facebook.com",
        ] {
            assert!(!is_safe_base_url(bad), "{bad}");
        }
    }
}
