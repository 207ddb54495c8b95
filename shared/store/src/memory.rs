//! An in-memory adapter of [`ResponderStore`] (feature `memory`): the same conditional
//! rules as the DynamoDB adapter (first draft wins, claims with leases and an attempt cap,
//! only the claim holder finishes), so the responder's send logic has fast unit tests.
//! DynamoDB Local stays the contract test of the real adapter.

use crate::messages::{Decided, Expected, ItemSnapshot, NewMessage, OutgoingMessage};
use crate::outbox::{Delivery, Found, Refused, Take, failable};
use crate::tasks::NewTask;
use crate::{FeedbackKey, FeedbackRecord, ResponderStore, StoreError};
use async_trait::async_trait;
use feedback::page::PageRecord;
use feedback::records::{Channel, MessageState};
use feedback::{AccountId, Feedback, ItemContent, Platform};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone)]
struct Message {
    stored: OutgoingMessage,
    lease_until: Option<OffsetDateTime>,
}

impl Message {
    /// A message nobody is sending.
    fn new(stored: OutgoingMessage) -> Self {
        Self {
            stored,
            lease_until: None,
        }
    }
}

/// A task as the responder opened and flagged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryTask {
    pub task: NewTask,
    pub flags: BTreeSet<String>,
    pub flag_reason: Option<String>,
}

#[derive(Default)]
struct State {
    feedback: HashMap<FeedbackKey, FeedbackRecord>,
    pages: HashMap<(Platform, AccountId), PageRecord>,
    messages: HashMap<(FeedbackKey, Channel), Message>,
    tasks: HashMap<FeedbackKey, MemoryTask>,
    answered: HashMap<(Platform, String, String), FeedbackKey>,
    expects: HashMap<FeedbackKey, Expected>,
}

/// Everything in memory, behind one lock.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves consistent data behind: every
        // change below is made in one step.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Store a new feedback item, as ingest would.
    pub fn insert_feedback(&self, feedback: Feedback) {
        let key = FeedbackKey::of(&feedback);
        self.lock()
            .feedback
            .insert(key, FeedbackRecord::new(feedback));
    }

    pub fn set_page(&self, platform: Platform, account: AccountId, page: PageRecord) {
        self.lock().pages.insert((platform, account), page);
    }

    pub fn record(&self, key: &FeedbackKey) -> Option<FeedbackRecord> {
        self.lock().feedback.get(key).cloned()
    }

    pub fn page_record(&self, platform: &Platform, account: &AccountId) -> Option<PageRecord> {
        self.lock()
            .pages
            .get(&(platform.clone(), account.clone()))
            .cloned()
    }

    pub fn stored_message(&self, key: &FeedbackKey, channel: Channel) -> Option<OutgoingMessage> {
        self.lock()
            .messages
            .get(&(key.clone(), channel))
            .map(|m| m.stored.clone())
    }

    pub fn task(&self, key: &FeedbackKey) -> Option<MemoryTask> {
        self.lock().tasks.get(key).cloned()
    }

    /// Put a message in place as if someone had written it to the table (or staff approved
    /// it, with `approved_by`).
    pub fn put_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        text: &str,
        state: MessageState,
        approved_by: Option<&str>,
    ) {
        let stored = OutgoingMessage {
            approved_by: approved_by.map(str::to_owned),
            ..OutgoingMessage::new(channel, state, text)
        };
        self.lock()
            .messages
            .insert((key.clone(), channel), Message::new(stored));
    }

    /// Approve a drafted message as the inbox does: a draft only, becomes `pending`, with
    /// who approved it and an edit (kept beside the draft, made by `edited_by`; the inbox
    /// always writes the approver there, a test may plant someone else).
    pub fn approve(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        approved_by: &str,
        edit: Option<(&str, &str)>,
    ) {
        if let Some(m) = self.lock().messages.get_mut(&(key.clone(), channel))
            && m.stored.state == MessageState::Draft
        {
            // An "edit" that leaves the draft as it was is no edit.
            let edit = edit.filter(|(text, _)| *text != m.stored.text);
            m.stored.state = MessageState::Pending;
            m.stored.approved_by = Some(approved_by.to_owned());
            m.stored.edited_text = edit.map(|(text, _)| text.to_owned());
            m.stored.edited_by = edit.map(|(_, by)| by.to_owned());
        }
    }

    /// Overwrite a message's wording for when no private message went out, as anything
    /// with write access to the table could.
    pub fn plant_alt_text(&self, key: &FeedbackKey, channel: Channel, alt_text: &str) {
        if let Some(m) = self.lock().messages.get_mut(&(key.clone(), channel)) {
            m.stored.alt_text = Some(alt_text.to_owned());
        }
    }

    /// Turn a message back to `state` (to stage a crash mid-send, say).
    pub fn force_state(&self, key: &FeedbackKey, channel: Channel, state: MessageState) {
        if let Some(m) = self.lock().messages.get_mut(&(key.clone(), channel)) {
            m.stored.state = state;
        }
    }
}

fn fail_locked(state: &mut State, key: &FeedbackKey, channel: Channel, reason: &str) {
    if let Some(m) = state.messages.get_mut(&(key.clone(), channel))
        && failable(m.stored.state)
    {
        m.stored.state = MessageState::Failed;
        m.stored.failure = Some(reason.to_owned());
    }
}

#[async_trait]
impl ResponderStore for MemoryStore {
    async fn feedback(&self, key: &FeedbackKey) -> Result<Option<FeedbackRecord>, StoreError> {
        Ok(self.record(key))
    }

    async fn snapshot(&self, key: &FeedbackKey) -> Result<Option<ItemSnapshot>, StoreError> {
        let state = self.lock();
        Ok(state.feedback.get(key).map(|record| ItemSnapshot {
            record: record.clone(),
            messages: [Channel::Public, Channel::Private]
                .into_iter()
                .filter_map(|c| {
                    state
                        .messages
                        .get(&(key.clone(), c))
                        .map(|m| (c, m.stored.state))
                })
                .collect(),
            task: state.tasks.contains_key(key),
            expects: state.expects.get(key).cloned(),
        }))
    }

    async fn page(
        &self,
        platform: &Platform,
        account: &AccountId,
    ) -> Result<Option<PageRecord>, StoreError> {
        Ok(self.page_record(platform, account))
    }

    async fn record_fetched(
        &self,
        key: &FeedbackKey,
        content: &ItemContent,
        _now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        if let Some(record) = state.feedback.get_mut(key) {
            record.feedback = record.feedback.clone().with_content(content);
        }
        Ok(())
    }

    async fn record_decision(
        &self,
        key: &FeedbackKey,
        decided: Decided<'_>,
        _now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let Decided {
            decision,
            label,
            language,
            confidence,
            expects,
        } = decided;
        let mut state = self.lock();
        if let Some(expects) = expects {
            state.expects.insert(key.clone(), expects.clone());
        }
        let record = state
            .feedback
            .get_mut(key)
            .ok_or_else(|| StoreError::Corrupt {
                key: key.pk(),
                reason: "no feedback record to decide on".into(),
            })?;
        record.decision = Some(decision);
        if let Some(label) = label {
            record.label = Some(label.to_owned());
        }
        if let Some(language) = language {
            record.language = Some(language.to_owned());
        }
        if let Some(confidence) = confidence {
            record.confidence = Some(confidence.to_owned());
        }
        Ok(())
    }

    async fn claim_author_in_thread(
        &self,
        key: &FeedbackKey,
        thread_id: &str,
        author_id: &str,
    ) -> Result<bool, StoreError> {
        let mut state = self.lock();
        let holder = state
            .answered
            .entry((
                key.platform.clone(),
                thread_id.to_owned(),
                author_id.to_owned(),
            ))
            .or_insert_with(|| key.clone());
        Ok(holder == key)
    }

    async fn create_message(
        &self,
        key: &FeedbackKey,
        new: &NewMessage<'_>,
        _now: OffsetDateTime,
    ) -> Result<OutgoingMessage, StoreError> {
        let mut state = self.lock();
        let message = state
            .messages
            .entry((key.clone(), new.channel))
            .or_insert_with(|| {
                Message::new(OutgoingMessage {
                    alt_text: new.stored_alt_text().map(str::to_owned),
                    ..OutgoingMessage::new(new.channel, new.state, new.text)
                })
            });
        Ok(message.stored.clone())
    }

    async fn message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
    ) -> Result<Option<OutgoingMessage>, StoreError> {
        Ok(self.stored_message(key, channel))
    }

    async fn claim_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        now: OffsetDateTime,
        lease: Duration,
        max_attempts: u32,
    ) -> Result<Take, StoreError> {
        let mut state = self.lock();
        let Some(m) = state.messages.get_mut(&(key.clone(), channel)) else {
            return Ok(Take::Settled(MessageState::Failed));
        };
        let found = Found {
            state: m.stored.state,
            attempts: m.stored.attempts,
            lease_expired: m.lease_until.is_some_and(|until| until < now),
            // The responder never sets a backoff on a message (`Retry { at: None }`).
            due: true,
        };
        if found.takeable(max_attempts) {
            m.stored.state = MessageState::Sending;
            m.stored.attempts += 1;
            m.lease_until = Some(now + lease);
            return Ok(found.acquired());
        }
        match found.refused(max_attempts) {
            Refused::GiveUp { reason } => {
                fail_locked(&mut state, key, channel, &reason);
                Ok(Take::Settled(MessageState::Failed))
            }
            Refused::Answer(take) => Ok(take),
        }
    }

    async fn finish_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        delivery: &Delivery,
        _now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut state = self.lock();
        let Some(m) = state.messages.get_mut(&(key.clone(), channel)) else {
            return Ok(false);
        };
        if m.stored.state != MessageState::Sending {
            // Not ours any more: the invocation that took over has the say.
            return Ok(false);
        }
        m.lease_until = None;
        m.stored.state = delivery.state();
        match delivery {
            Delivery::Sent { id: Some(id) } => m.stored.platform_message_id = Some(id.clone()),
            Delivery::Failed { reason } => m.stored.failure = Some(reason.clone()),
            _ => {}
        }
        Ok(true)
    }

    async fn fail_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        reason: &str,
        _now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        fail_locked(&mut self.lock(), key, channel, reason);
        Ok(())
    }

    async fn hold_message(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        _reason: &str,
        _now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut state = self.lock();
        match state.messages.get_mut(&(key.clone(), channel)) {
            Some(m)
                if m.stored.state == MessageState::Pending && m.stored.approved_by.is_none() =>
            {
                m.stored.state = MessageState::Draft;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn create_task(&self, key: &FeedbackKey, task: &NewTask) -> Result<bool, StoreError> {
        let mut state = self.lock();
        if state.tasks.contains_key(key) {
            return Ok(false);
        }
        state.tasks.insert(
            key.clone(),
            MemoryTask {
                task: task.clone(),
                flags: BTreeSet::new(),
                flag_reason: None,
            },
        );
        Ok(true)
    }

    async fn flag_task(
        &self,
        key: &FeedbackKey,
        flag: feedback::records::TaskFlag,
        reason: &str,
        _now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if let Some(task) = self.lock().tasks.get_mut(key) {
            task.flags.insert(flag.as_str().to_owned());
            task.flag_reason = Some(reason.to_owned());
        }
        Ok(())
    }

    async fn mark_page_reconnect(
        &self,
        platform: &Platform,
        account: &AccountId,
        reason: &str,
        _now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let page = state
            .pages
            .entry((platform.clone(), account.clone()))
            .or_default();
        page.needs_reconnect = true;
        page.reconnect_reason = Some(reason.to_owned());
        Ok(())
    }

    async fn mark_removed(&self, key: &FeedbackKey, now: OffsetDateTime) -> Result<(), StoreError> {
        if let Some(record) = self.lock().feedback.get_mut(key) {
            record.removed = true;
            record.removed_at.get_or_insert(now);
        }
        Ok(())
    }
    async fn remember_reply(
        &self,
        platform: &Platform,
        account: &AccountId,
        item_id: &str,
        digest: &str,
        _known: &[feedback::page::RecentReply],
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        if let Some(page) = state.pages.get_mut(&(platform.clone(), account.clone())) {
            page.recent_replies =
                crate::pages::with_recent_reply(&page.recent_replies, item_id, digest);
        }
        Ok(())
    }
}
