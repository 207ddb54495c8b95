//! The dry-run sink: outgoing platform calls are logged, never sent. Messages end up
//! `sent` with a `dry-run:` id, so every state change still happens as it would. Reading
//! (fetching an item, exchanging a token) goes to the platform's own client, so items
//! whose webhooks carry only an id are fetched from its configured API (locally, the
//! sandbox in `infra/sandbox/`).

use async_trait::async_trait;
use feedback::{AccountId, Feedback};
use platforms::reply::{
    AccessToken, DRY_RUN_ID_PREFIX, FetchedItem, PostedReply, ReplyClient, ReplyError, ReplyTarget,
};
use secrecy::SecretString;
use std::sync::Arc;
use tracing::info;

pub struct DryRunReplies {
    /// The platform's real client, for reads.
    pub reads: Arc<dyn ReplyClient>,
}

#[async_trait]
impl ReplyClient for DryRunReplies {
    fn target(&self, feedback: &Feedback) -> ReplyTarget {
        self.reads.target(feedback)
    }

    async fn access_token(
        &self,
        account: &AccountId,
        stored: &SecretString,
    ) -> Result<AccessToken, ReplyError> {
        self.reads.access_token(account, stored).await
    }

    fn forget_access_token(&self, account: &AccountId) {
        self.reads.forget_access_token(account);
    }

    async fn fetch_item(
        &self,
        feedback: &Feedback,
        token: &AccessToken,
    ) -> Result<FetchedItem, ReplyError> {
        let fetched = self.reads.fetch_item(feedback, token).await?;
        info!(
            platform = %feedback.platform,
            item = %feedback.item_id,
            rating = ?fetched.rating.map(|r| r.stars()),
            author = ?fetched.author_name,
            text = ?fetched.text,
            "fetched from the platform's API"
        );
        Ok(fetched)
    }

    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        _token: &AccessToken,
    ) -> Result<String, ReplyError> {
        info!(platform = %target.platform, under = %target.reply_to, reply = %text.escape_debug(), "dry-run: public reply");
        Ok(format!("{DRY_RUN_ID_PREFIX}public:{}", target.item_id))
    }

    async fn current_public_reply(
        &self,
        _target: &ReplyTarget,
        _token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        Ok(None)
    }

    async fn send_private_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        _token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        info!(platform = %target.platform, to_author_of = %target.item_id, message = %text.escape_debug(), "dry-run: private reply");
        Ok(Some(format!(
            "{DRY_RUN_ID_PREFIX}private:{}",
            target.item_id
        )))
    }
}
