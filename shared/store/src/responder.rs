//! The storage port of the responder: everything it reads and writes for one item. The
//! DynamoDB adapter is [`DynamoStore`]; [`crate::memory::MemoryStore`] (feature `memory`)
//! is a fast in-memory adapter for unit tests of the send logic, with DynamoDB Local
//! kept as the contract test.

use crate::messages::{Decided, ItemSnapshot, NewMessage, OutgoingMessage};
use crate::outbox::{Delivery, Take};
use crate::tasks::NewTask;
use crate::{DynamoStore, FeedbackKey, FeedbackRecord, StoreError};
use async_trait::async_trait;
use feedback::page::PageRecord;
use feedback::records::Channel;
use feedback::{AccountId, ItemContent, Platform};
use time::{Duration, OffsetDateTime};

/// Declares the port and implements it for [`DynamoStore`], each method passing its
/// arguments on to the adapter's own method of the same name: the port's signatures are
/// written once, and [`ResponderStore::count_complaint`] (which has a default) by hand.
macro_rules! responder_port {
    ($(
        $(#[$doc:meta])*
        fn $name:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty;
    )*) => {
        #[async_trait]
        pub trait ResponderStore: Send + Sync {
            $(
                $(#[$doc])*
                async fn $name(&self $(, $arg: $ty)*) -> $ret;
            )*

            /// Count a complaint (or abusive comment) of the page under `theme` in the hour it
            /// arrived, once per item ([`crate::spikes`]). Adapters without spike detection
            /// count nothing.
            async fn count_complaint(
                &self,
                _key: &FeedbackKey,
                _account: &AccountId,
                _theme: &str,
                _at: OffsetDateTime,
            ) -> Result<(), StoreError> {
                Ok(())
            }
        }

        #[async_trait]
        impl ResponderStore for DynamoStore {
            $(
                async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    DynamoStore::$name(self $(, $arg)*).await
                }
            )*

            async fn count_complaint(
                &self,
                key: &FeedbackKey,
                account: &AccountId,
                theme: &str,
                at: OffsetDateTime,
            ) -> Result<(), StoreError> {
                DynamoStore::count_complaint(self, key, account, theme, at)
                    .await
                    .map(|_| ())
            }
        }
    };
}

responder_port! {
    /// One feedback record, read consistently.
    fn feedback(&self, key: &FeedbackKey) -> Result<Option<FeedbackRecord>, StoreError>;

    /// The record with its messages' states, whether its task exists, and what its
    /// decision expected: one read, so a record delivered again costs little.
    fn snapshot(&self, key: &FeedbackKey) -> Result<Option<ItemSnapshot>, StoreError>;

    fn page(
        &self,
        platform: &Platform,
        account: &AccountId,
    ) -> Result<Option<PageRecord>, StoreError>;

    /// Keep what was fetched for an item whose delivery carried only its id.
    fn record_fetched(
        &self,
        key: &FeedbackKey,
        content: &ItemContent,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    fn record_decision(
        &self,
        key: &FeedbackKey,
        decided: Decided<'_>,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Hold "we answered this author in this thread" for `key`: `true` when this item
    /// holds it (now or already), `false` when another item of the same author does.
    fn claim_author_in_thread(
        &self,
        key: &FeedbackKey,
        thread_id: &str,
        author_id: &str,
    ) -> Result<bool, StoreError>;

    /// Create the message unless it exists; returns it as stored (the first draft wins).
    fn create_message(
        &self,
        key: &FeedbackKey,
        message: &NewMessage<'_>,
        now: OffsetDateTime,
    ) -> Result<OutgoingMessage, StoreError>;

    fn message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
    ) -> Result<Option<OutgoingMessage>, StoreError>;

    /// Take a message for one sending attempt, at most `max_attempts` in all.
    fn claim_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        now: OffsetDateTime,
        lease: Duration,
        max_attempts: u32,
    ) -> Result<Take, StoreError>;

    /// Record how an attempt ended; only the holder of the take (state `sending`) can
    /// (`false`: it was not ours any more).
    fn finish_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        delivery: &Delivery,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Mark a message that will never be sent.
    fn fail_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// A crisis hold began: a `pending` message nobody approved goes back to a draft
    /// ([`DynamoStore::hold_message`]); `true` when this call held it.
    fn hold_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Open the follow-up task unless it exists; `true` when this call opened it.
    fn create_task(&self, key: &FeedbackKey, task: &NewTask) -> Result<bool, StoreError>;

    fn flag_task(
        &self,
        key: &FeedbackKey,
        flag: feedback::records::TaskFlag,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    fn mark_page_reconnect(
        &self,
        platform: &Platform,
        account: &AccountId,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The platform says the item is gone (fetching it answered 404/410): mark it removed.
    fn mark_removed(&self, key: &FeedbackKey, now: OffsetDateTime) -> Result<(), StoreError>;

    /// Remember the public reply drafted for `item_id` among its page's latest, so the
    /// next replies there are worded differently.
    fn remember_reply(
        &self,
        platform: &Platform,
        account: &AccountId,
        item_id: &str,
        digest: &str,
        known: &[feedback::page::RecentReply],
    ) -> Result<(), StoreError>;
}
