//! The reply port: posting a public acknowledgement, finding one already posted, and
//! sending a private message, on any platform.

use async_trait::async_trait;
use feedback::Platform;
use secrecy::SecretString;

/// Where to answer one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTarget {
    pub platform: Platform,
    /// The page or account that answers.
    pub account_id: String,
    /// The comment the public reply goes under (Instagram: the top-level comment).
    pub reply_to: String,
    /// The item the private reply refers to (the customer's own comment).
    pub item_id: String,
}

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
    /// Refused for good (comment gone, too old, invalid): no retry.
    #[error("refused: {0}")]
    Rejected(String),
}

/// A page access token. Never printed.
pub type AccessToken = SecretString;

#[async_trait]
pub trait ReplyClient: Send + Sync {
    /// Post a public reply; returns the platform's id of the reply.
    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError>;

    /// A reply by the account under the target, if one exists (to reconcile a post whose
    /// outcome was unknown).
    async fn find_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<String>, ReplyError>;

    /// Send the one private message a platform allows for the item; returns its id when
    /// the platform gives one.
    async fn send_private_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<Option<String>, ReplyError>;
}
