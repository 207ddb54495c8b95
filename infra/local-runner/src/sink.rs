//! The dry-run sink: outgoing platform calls are logged, never sent. Messages end up
//! `sent` with a `dry-run:` id, so every state change still happens as it would. Items
//! whose content would have to be fetched from the platform cannot be, and are skipped.

use async_trait::async_trait;
use platforms::reply::{AccessToken, ReplyClient, ReplyError, ReplyTarget};
use tracing::info;

#[derive(Default)]
pub struct DryRunReplies;

#[async_trait]
impl ReplyClient for DryRunReplies {
    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        _token: &AccessToken,
    ) -> Result<String, ReplyError> {
        info!(platform = %target.platform, under = %target.reply_to, reply = %text.escape_debug(), "dry-run: public reply");
        Ok(format!("dry-run:public:{}", target.item_id))
    }

    async fn find_public_reply(
        &self,
        _target: &ReplyTarget,
        _token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        Ok(None)
    }

    async fn send_private_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        _token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        info!(platform = %target.platform, to_author_of = %target.item_id, message = %text.escape_debug(), "dry-run: private reply");
        Ok(Some(format!("dry-run:private:{}", target.item_id)))
    }
}
