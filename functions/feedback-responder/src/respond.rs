//! One feedback item, start to finish: fetch what the delivery did not carry, decide,
//! record, draft, open the task, and send each message at most once, ever. Everything
//! platform-specific comes from the platform's [`Capabilities`] and reply client.

use crate::config::RetryPolicy;
use feedback::capabilities::{Capabilities, PrivateChannel, TextLimit, WebhookContent};
use feedback::page::{PageConfig, PageRecord};
use feedback::records::{
    Channel, Decision as Stored, MessageState, SkipReason, TaskChannel, TaskFlag,
};
use feedback::{Feedback, ItemContent};
use logging::error_chain;
use platforms::reply::{
    AccessToken, Outbound, OutboundPlatform, ReplyClient, ReplyError, ReplyTarget,
};
use service::credentials::{CredentialError, Credentials};
use std::sync::Arc;
use store::messages::{NewMessage, OutgoingMessage, StaffText};
use store::outbox::{Delivery, Take};
use store::tasks::NewTask;
use store::{Decided, Expected, FeedbackKey, ItemSnapshot, ResponderStore, StoreError};
use time::OffsetDateTime;
use tracing::{info, instrument, warn};
use triage::{
    Decision, Drafts, ItemState, Language, PageSettings, ReplyMode, TaskDraft, TemplateSet, decide,
};

/// What happened to an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not a feedback record, or no longer there.
    Ignored,
    Skipped(SkipReason),
    /// Drafted and the task opened; nothing posted (approval or dry-run mode, or a
    /// platform staff answer by hand).
    Drafted,
    /// Every message sent (or found sent before).
    Answered,
    /// An updated item was fetched again and its new content kept.
    Refreshed,
    /// Answered as far as possible; staff must reconnect the page or follow up by hand.
    NeedsStaff(String),
}

/// An item read in full, or what became of it when it could not be read.
enum Completed {
    Read(Box<Feedback>),
    Settled(Outcome),
}

/// What a stream record delivered again for an already settled item comes to, without
/// doing anything: only an item whose decision is kept and whose every expected message
/// is stored and **sent** (everything else a run writes — the task, its flags, the reply
/// memory — comes before the sending), or one skipped for a reason recorded last. `None`
/// for everything else, which takes the full path as before: no decision yet, a part not
/// stored, a draft waiting for a person (checked again on every delivery), a message
/// still to send, to reconcile, or failed (its flags and the page's reconnect mark are
/// written after the failure), a dry run, an answer with no message at all, and items
/// skipped as unfetchable (their task is opened after the decision is kept).
fn settled(snapshot: &ItemSnapshot) -> Option<Outcome> {
    match snapshot.record.decision? {
        Stored::Skip(SkipReason::Unfetchable) => None,
        Stored::Skip(reason) => Some(Outcome::Skipped(reason)),
        Stored::Answer => (snapshot.complete()
            && !snapshot.messages.is_empty()
            && snapshot
                .messages
                .iter()
                .all(|(_, state)| *state == MessageState::Sent))
        .then_some(Outcome::Answered),
    }
}

/// Why an item must be handed back to the stream for another try.
#[derive(Debug, thiserror::Error)]
pub enum RespondError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{channel} message still not sent: {reason}")]
    NotYetSent {
        channel: &'static str,
        reason: String,
    },
    #[error("the item's content could not be fetched yet: {0}")]
    NotYetFetched(String),
}

/// Everything the responder needs, built once per cold start.
pub struct Responder {
    pub store: Arc<dyn ResponderStore>,
    pub outbound: Outbound,
    pub credentials: Credentials,
    /// Settings of pages that have no stored configuration (and defaults for the ones
    /// that leave a setting out).
    pub defaults: PageSettings,
    pub retry: RetryPolicy,
    pub templates: TemplateSet,
}

/// Why a message waits for approval that would have gone out by itself.
const CRISIS_HELD: &str = "a crisis hold began on the page: not posted; approve it to send";
/// The label of the task of an item whose content could not be read.
const UNREAD_LABEL: &str = "unread";

enum Sent {
    Done,
    /// Refused for good or given up on: staff must follow up by hand.
    Failed(String),
    Reconnect(String),
    /// A reply stands under the item that is not ours as sent, and posting would replace
    /// it: held for a person.
    ReplyExists(String),
    /// A crisis hold began on the page: back to a draft for staff, nothing posted.
    Held,
}

/// One message being sent: what every step of an attempt needs.
struct Attempt<'a> {
    key: &'a FeedbackKey,
    channel: Channel,
    client: &'a dyn ReplyClient,
    target: &'a ReplyTarget,
    token: &'a AccessToken,
    needs_approval: bool,
    /// A new public reply replaces the standing one (one per item).
    replaces: bool,
}

/// How an attempt ended.
enum Attempted {
    /// Nothing more to do in this invocation.
    Over(Sent),
    /// Certainly or possibly not delivered: try again (the error).
    Again(String),
}

/// A page's settings and stored configuration.
struct Page {
    settings: PageSettings,
    config: PageConfig,
    needs_reconnect: bool,
    /// The page's latest public replies (the settings have their digests).
    recent: Vec<feedback::page::RecentReply>,
    /// The page has a record (only then are its replies remembered).
    configured: bool,
    /// A crisis hold is on: nothing goes out without a person's approval.
    crisis_hold: bool,
}

impl Page {
    /// The digest of the public reply already drafted for `item_id`, if still remembered.
    fn replied_with(&self, item_id: &str) -> Option<String> {
        self.recent
            .iter()
            .find(|r| r.item_id == item_id)
            .map(|r| r.digest.clone())
    }
}

/// The platform's outbound half with a client (what can be sent on).
struct Channeled<'o> {
    platform: &'o OutboundPlatform,
    client: &'o dyn ReplyClient,
}

impl Responder {
    /// Is the page of `target` in a crisis hold now?
    async fn crisis_hold(&self, target: &ReplyTarget) -> Result<bool, StoreError> {
        // An account that does not read as one is held: never let a message out unchecked.
        let Ok(account) = feedback::AccountId::parse(&target.account_id) else {
            return Ok(true);
        };
        Ok(self
            .store
            .page(&target.platform, &account)
            .await?
            .is_some_and(|p| p.crisis_hold()))
    }

    fn page(&self, record: Option<PageRecord>) -> Page {
        let configured = record.is_some();
        let record = record.unwrap_or_default();
        let mut settings = PageSettings::from_config(&record.config, &self.defaults);
        let crisis_hold = record.crisis_hold();
        // A crisis hold overrides the page's mode: drafts wait for a person.
        if crisis_hold && settings.mode == ReplyMode::Auto {
            settings.mode = ReplyMode::Approval;
        }
        settings.recent_replies = record
            .recent_replies
            .iter()
            .map(|r| r.digest.clone())
            .collect();
        Page {
            settings,
            needs_reconnect: record.needs_reconnect,
            config: record.config,
            recent: record.recent_replies,
            configured,
            crisis_hold,
        }
    }

    fn channeled(&self, f: &Feedback) -> Option<Channeled<'_>> {
        let platform = self.outbound.get(&f.platform)?;
        Some(Channeled {
            platform,
            client: platform.client.as_deref()?,
        })
    }

    async fn token(
        &self,
        f: &Feedback,
        page: &Page,
        out: &Channeled<'_>,
    ) -> Result<AccessToken, TokenProblem> {
        let stored = self
            .credentials
            .for_item(f, &page.config, out.platform.credential_variable)
            .await
            .map_err(|e| match e {
                CredentialError::Unavailable(e) => TokenProblem::Later(e),
                // Not stored yet: once it is, the page answers again by itself.
                CredentialError::Missing(e) => TokenProblem::Missing(e),
                // Permissions or a key policy, or a page record pointing elsewhere: a person
                // must fix the deployment, not reconnect the page.
                CredentialError::Denied(e) => {
                    TokenProblem::Setup(format!("reading the page's credential is denied: {e}"))
                }
                CredentialError::BadSource(e) => {
                    TokenProblem::Setup(format!("credential source {e:?} is not allowed here"))
                }
            })?;
        out.client
            .access_token(&f.account_id, &stored)
            .await
            .map_err(|e| match e {
                ReplyError::Transient(e) | ReplyError::Ambiguous(e) => TokenProblem::Later(e),
                other => TokenProblem::Staff(other.to_string()),
            })
    }

    /// Handle one item. Safe to call any number of times, concurrently: messages are sent
    /// at most once, records are written once.
    #[instrument(skip_all, fields(platform = %key.platform, item_id = %key.item_id))]
    pub async fn respond(&self, key: &FeedbackKey) -> Result<Outcome, RespondError> {
        let now = OffsetDateTime::now_utc();
        let Some(snapshot) = self.store.snapshot(key).await? else {
            warn!("feedback record not found");
            return Ok(Outcome::Ignored);
        };
        // A record delivered again for an item already settled costs this one read.
        if let Some(outcome) = settled(&snapshot) {
            info!("already settled; nothing to do");
            return Ok(outcome);
        }
        let record = snapshot.record;
        let page = self.page(
            self.store
                .page(&record.feedback.platform, &record.feedback.account_id)
                .await?,
        );
        let capabilities = self.outbound.capabilities(&record.feedback.platform);
        let state = ItemState {
            removed: record.removed,
            edited: record.edited,
            // A redelivery drafts the words it drafted before, whatever was said since.
            replied_with: page.replied_with(record.feedback.item_id.as_str()),
        };
        let mut f = record.feedback;

        // Deliveries that carry only an id (or lack the text) are completed from the
        // platform before anything is decided.
        if !f.from_account && !state.removed {
            match self.complete(key, f, &page, &capabilities, now).await? {
                Completed::Read(read) => f = *read,
                Completed::Settled(outcome) => return Ok(outcome),
            }
        }

        let decision = decide(
            &f,
            state,
            &page.settings,
            &capabilities,
            &self.templates,
            now,
        );
        // Complaints and abuse count towards the page's spike detection, once per item.
        if let Some(theme) = spike_theme(&decision, &f) {
            let at = f.received_at.min(now);
            self.store
                .count_complaint(key, &f.account_id, theme, at)
                .await?;
        }
        let (label, language, drafts, mut task, confidence) = match decision {
            Decision::Skip {
                reason,
                label,
                language,
            } => {
                // A threat is never answered, but a person must see it, soon.
                if let Some(task) =
                    triage::task_for_skip(&f, reason, language, &page.settings, &self.templates)
                {
                    let opened = self
                        .store
                        .create_task(
                            key,
                            &by_hand(
                                &f,
                                &page,
                                task.due_at,
                                task.next_step,
                                label.map_or("threat", |l| l.as_str()),
                                language,
                                now,
                            ),
                        )
                        .await?;
                    if opened {
                        warn!(
                            reason = reason.as_str(),
                            "not answered; a task for a person opened"
                        );
                    }
                }
                return self
                    .skip(
                        key,
                        reason,
                        label.map(|l| l.as_str()),
                        language.map(|l| l.code()),
                        now,
                    )
                    .await;
            }
            Decision::Answer {
                label,
                language,
                drafts,
                task,
                confidence,
            } => (label, language, drafts, task, confidence),
        };
        // Unsure: drafted and the task opened as in approval mode, flagged for a person.
        let held = confidence.hold;
        // Kept on the decision: how sure, why, and whether it was held.
        let confidence_line = format!(
            "{} %{}; {}",
            confidence.score,
            held.map(|h| format!(", held: {}", h.words()))
                .unwrap_or_default(),
            confidence.signals
        );

        // One answer per author per thread: a second comment of someone we already
        // answered there is stored, but not answered again.
        if let (Some(thread), Some(author)) = (&f.thread_id, &f.author_id)
            && !self
                .store
                .claim_author_in_thread(key, thread, author)
                .await?
        {
            info!("author already answered in this thread");
            return self
                .skip(
                    key,
                    SkipReason::AuthorAlreadyAnswered,
                    Some(label.as_str()),
                    Some(language.code()),
                    now,
                )
                .await;
        }

        let out = self.channeled(&f);
        // What can go out on this platform: a public reply where it has a reply client and
        // public replies; a private message only when one was drafted for it.
        let public = out.is_some() && capabilities.public_replies.is_some();
        let private = out.is_some() && drafts.private.is_some();
        // What this decision stores, kept with it: a delivery of the same record again
        // finds the item settled once all of it is there and nothing is left to send.
        let expects = Expected {
            channels: [(Channel::Public, public), (Channel::Private, private)]
                .into_iter()
                .filter_map(|(channel, wanted)| wanted.then_some(channel))
                .collect(),
            task: task.is_some(),
        };
        self.store
            .record_decision(
                key,
                Decided {
                    decision: Stored::Answer,
                    label: Some(label.as_str()),
                    language: Some(language.code()),
                    confidence: Some(&confidence_line),
                    expects: Some(&expects),
                },
                now,
            )
            .await?;
        let initial = match page.settings.mode {
            ReplyMode::Auto if held.is_some() => MessageState::Draft,
            ReplyMode::Auto => MessageState::Pending,
            ReplyMode::Approval => MessageState::Draft,
            ReplyMode::DryRun => MessageState::DryRun,
        };
        let mismatched = self
            .store_drafts(key, &page, &drafts, &expects, initial, now)
            .await?;
        // The page's next replies are worded differently from this one.
        if public && page.configured {
            self.store
                .remember_reply(
                    &f.platform,
                    &f.account_id,
                    f.item_id.as_str(),
                    &drafts.digest,
                    &page.recent,
                )
                .await?;
        }
        // Praise needs no follow-up, but what a crisis holds must be approved by a person,
        // on a task with its drafts (as a hold that begins while it is sent, below).
        let held_task = TaskDraft {
            due_at: f.received_at + time::Duration::hours(i64::from(page.settings.sla_hours)),
            next_step: drafts.next_step.clone(),
        };
        if task.is_none() && page.crisis_hold && (public || private) {
            task = Some(held_task.clone());
        }
        let new_task = |task: &TaskDraft| NewTask {
            account_id: f.account_id.clone(),
            due_at: task.due_at,
            channel: if private {
                TaskChannel::PlatformMessage
            } else {
                TaskChannel::Manual
            },
            next_step: task.next_step.clone(),
            label: label.as_str().into(),
            language: language.code().into(),
            mode: page.settings.mode,
            draft_public: drafts.public.clone(),
            draft_private: drafts.private.clone(),
            created_at: now,
            theme: (label == triage::Label::Negative)
                .then(|| triage::complaint_theme(f.text.as_deref(), language)),
        };
        if let Some(task) = &task {
            let created = self.store.create_task(key, &new_task(task)).await?;
            if created {
                info!(due_at = %task.due_at, "follow-up task opened");
            }
            // Where customers cannot be messaged, the public reply can only point them to
            // the page's contact line: without one, staff are asked to set it.
            if capabilities.private_channel == PrivateChannel::None
                && capabilities.public_replies.is_some()
                && page.settings.contact.trim().is_empty()
            {
                self.store
                    .flag_task(
                        key,
                        TaskFlag::SetContactLine,
                        "customers cannot be messaged on this platform: set the page's contact line (feedbackctl pages set PAGE --contact …) so replies can say how to reach you",
                        now,
                    )
                    .await?;
            }
        }
        if let Some(hold) = held.filter(|_| task.is_some()) {
            let reason = format!(
                "held for a person, not answered: {} (confidence {} %; signals: {})",
                hold.words(),
                confidence.score,
                confidence.signals
            );
            self.store
                .flag_task(key, TaskFlag::NeedsReview, &reason, now)
                .await?;
            info!(
                hold = hold.as_str(),
                confidence = confidence.score,
                "unsure: drafted and held for a person"
            );
        } else {
            info!(
                confidence = confidence.score,
                signals = %confidence.signals,
                "classified"
            );
        }
        if !mismatched.is_empty() {
            let reason = "a stored message differs from the drafted reply: not sent; check it and send it by hand";
            self.fail_and_flag(key, &mismatched, TaskFlag::MessageMismatch, reason, now)
                .await?;
            warn!(channels = ?mismatched, "a stored message differs from the draft: held for a person");
        }
        let Some(out) = out.filter(|_| public || private) else {
            info!("no channel on this platform: drafted for staff");
            return Ok(Outcome::Drafted);
        };
        if page.settings.mode != ReplyMode::Auto || held.is_some() {
            info!(
                mode = page.settings.mode.as_str(),
                "drafted, nothing posted"
            );
            return Ok(Outcome::Drafted);
        }
        let channels = channels(public, private);
        let outcome = self.send_all(key, &f, &page, &out, channels).await?;
        if outcome == Outcome::Drafted && task.is_none() {
            // A crisis hold began while it was being sent: held, so a person approves it.
            let mut held = new_task(&held_task);
            held.mode = ReplyMode::Approval;
            if self.store.create_task(key, &held).await? {
                info!("crisis hold: a task opened for the held drafts");
            }
        }
        Ok(outcome)
    }

    /// Step 3: the drafts stored as the item's messages, each once. The first draft wins
    /// (a delivery again never changes what is sent); the channels whose stored message
    /// is not our own draft are returned, to be held for a person.
    async fn store_drafts(
        &self,
        key: &FeedbackKey,
        page: &Page,
        drafts: &Drafts,
        expects: &Expected,
        initial: MessageState,
        now: OffsetDateTime,
    ) -> Result<Vec<Channel>, RespondError> {
        let public = expects.channels.contains(&Channel::Public);
        let private = expects.channels.contains(&Channel::Private);
        // The first draft wins (a redelivery never changes what is sent), but only our own:
        // a stored message that is not what we draft now was put there by someone else or
        // an older wording, and is held for a person instead of being sent.
        let mut mismatched = Vec::new();
        let wanted = [
            (
                Channel::Public,
                Some(&drafts.public).filter(|_| public),
                Some(drafts.public_without_private.as_str()),
            ),
            (
                Channel::Private,
                drafts.private.as_ref().filter(|_| private),
                None,
            ),
        ];
        for (channel, text, alt_text) in wanted {
            let Some(text) = text else { continue };
            let message = NewMessage {
                channel,
                text,
                alt_text,
                state: initial,
            };
            let stored = self.store.create_message(key, &message, now).await?;
            // Made pending before the hold began (its send failed or stopped): it waits
            // for approval now, not pending forever.
            if page.crisis_hold
                && stored.state == MessageState::Pending
                && stored.approved_by.is_none()
                && self
                    .store
                    .hold_message(key, channel, CRISIS_HELD, now)
                    .await?
            {
                info!(
                    channel = channel.as_str(),
                    "crisis hold: pending message back to a draft"
                );
            }
            if (!is_our_draft(&stored, text, alt_text)
                || stored.staff_text() == StaffText::EditNotApproved)
                && matches!(
                    stored.state,
                    MessageState::Pending | MessageState::Draft | MessageState::Uncertain
                )
            {
                mismatched.push(channel);
            }
        }
        Ok(mismatched)
    }

    /// Step 1 of an item: what a delivery that carried only an id (or lacks its text) is,
    /// read from the platform; or what became of the item when it cannot be read.
    async fn complete(
        &self,
        key: &FeedbackKey,
        f: Feedback,
        page: &Page,
        capabilities: &Capabilities,
        now: OffsetDateTime,
    ) -> Result<Completed, RespondError> {
        let lacks_content = f.text.is_none() && f.rating.is_none();
        if !(lacks_content || capabilities.content == WebhookContent::IdOnly) {
            return Ok(Completed::Read(Box::new(f)));
        }
        {
            let fetched = match self.channeled(&f) {
                Some(out) => Some(self.fetch(key, &f, page, &out, now).await?),
                // Nothing here can read the platform, and the delivery carried nothing to
                // answer: a person reads it there.
                None if lacks_content && capabilities.content == WebhookContent::IdOnly => {
                    Some(Fetched::Unfetchable(
                        "this deployment is not connected to the platform's API (no client for it is configured), so its text and rating were never fetched".into(),
                    ))
                }
                None => None,
            };
            match fetched {
                None => Ok(Completed::Read(Box::new(f))),
                Some(Fetched::Content(content)) => {
                    Ok(Completed::Read(Box::new(f.with_content(&content))))
                }
                Some(Fetched::Unfetchable(missing)) => {
                    let todo = if self.channeled(&f).is_none() {
                        "have the platform's API access configured so such items are read and answered"
                    } else {
                        "if it no longer exists there, drop this task"
                    };
                    self.open_unread_task(key, &f, page, &missing, todo, now)
                        .await?;
                    let skipped = self
                        .skip(key, SkipReason::Unfetchable, None, None, now)
                        .await?;
                    Ok(Completed::Settled(skipped))
                }
                Some(Fetched::Refused(refused)) => {
                    self.store
                        .record_decision(
                            key,
                            Decided::skip(SkipReason::Unfetchable, None, None),
                            now,
                        )
                        .await?;
                    let (missing, todo) = refused.for_staff();
                    self.open_unread_task(key, &f, page, &missing, todo, now)
                        .await?;
                    let outcome = self.refused(key, &f, &refused).await?;
                    Ok(Completed::Settled(outcome))
                }
            }
        }
    }

    /// The task of an item that could not be read: what is missing, what to do, and
    /// where to find it, in words for staff.
    async fn open_unread_task(
        &self,
        key: &FeedbackKey,
        f: &Feedback,
        page: &Page,
        missing: &str,
        todo: &str,
        now: OffsetDateTime,
    ) -> Result<(), RespondError> {
        let kind = f.kind.as_str();
        let link = match f.url.as_deref().filter(|u| !u.trim().is_empty()) {
            Some(url) => url.to_owned(),
            None => format!("{} {kind} {}", f.platform, f.item_id),
        };
        let next_step = format!(
            "This {kind} could not be read: {missing}. Nothing was drafted or posted. Open it on {platform} ({link}), read it and answer it there by hand; then {todo}.",
            platform = f.platform,
        );
        let opened = self
            .store
            .create_task(
                key,
                &by_hand(
                    f,
                    page,
                    f.received_at + time::Duration::hours(i64::from(page.settings.sla_hours)),
                    next_step,
                    UNREAD_LABEL,
                    None,
                    now,
                ),
            )
            .await?;
        if opened {
            warn!(missing, "could not be read; a task for a person opened");
        }
        Ok(())
    }

    async fn skip(
        &self,
        key: &FeedbackKey,
        reason: SkipReason,
        label: Option<&str>,
        language: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Outcome, RespondError> {
        self.store
            .record_decision(key, Decided::skip(reason, label, language), now)
            .await?;
        info!(reason = reason.as_str(), "skipped");
        Ok(Outcome::Skipped(reason))
    }

    async fn fetch(
        &self,
        key: &FeedbackKey,
        f: &Feedback,
        page: &Page,
        out: &Channeled<'_>,
        now: OffsetDateTime,
    ) -> Result<Fetched, RespondError> {
        if page.needs_reconnect {
            return Ok(Fetched::Refused(Refused::Reconnect(
                "the page must be reconnected first".into(),
            )));
        }
        let token = match self.token(f, page, out).await {
            Ok(token) => token,
            Err(TokenProblem::Later(e)) => return Err(RespondError::NotYetFetched(e)),
            Err(TokenProblem::Missing(e)) => {
                self.store
                    .flag_task(key, TaskFlag::TokenMissing, &e, now)
                    .await?;
                return Err(RespondError::NotYetFetched(e));
            }
            Err(TokenProblem::Setup(e)) => return Ok(Fetched::Refused(Refused::Setup(e))),
            Err(TokenProblem::Staff(e)) => return Ok(Fetched::Refused(Refused::Reconnect(e))),
        };
        match out.client.fetch_item(f, &token).await {
            Ok(content) => {
                self.store.record_fetched(key, &content, now).await?;
                info!("content fetched from the platform");
                Ok(Fetched::Content(content))
            }
            Err(ReplyError::Transient(e) | ReplyError::Ambiguous(e)) => {
                Err(RespondError::NotYetFetched(e))
            }
            Err(ReplyError::Reconnect(e)) => {
                self.credentials.forget(&f.platform, &f.account_id);
                out.client.forget_access_token(&f.account_id);
                Ok(Fetched::Refused(Refused::Reconnect(e)))
            }
            Err(ReplyError::Rejected(e)) => Ok(Fetched::Unfetchable(format!(
                "the platform refused to return it ({e})"
            ))),
            // Only the platform's own word removes an item (deliveries may not be signed).
            Err(ReplyError::Gone(e)) => {
                self.store.mark_removed(key, now).await?;
                info!("the platform says the item is gone: marked removed");
                Ok(Fetched::Unfetchable(format!(
                    "the platform says it is gone ({e})"
                )))
            }
            Err(ReplyError::AlreadySent) => Ok(Fetched::Unfetchable(
                "the platform refused to return it".into(),
            )),
        }
    }

    /// An item that was updated on a platform whose webhooks carry only ids: fetch it
    /// again, keep the new text and rating (with their history), and tell staff on the
    /// task when the rating changed. It is not answered again.
    #[instrument(skip_all, fields(platform = %key.platform, item_id = %key.item_id))]
    pub async fn refresh(&self, key: &FeedbackKey) -> Result<Outcome, RespondError> {
        let now = OffsetDateTime::now_utc();
        let Some(record) = self.store.feedback(key).await? else {
            return Ok(Outcome::Ignored);
        };
        let f = record.feedback;
        if record.removed {
            return Ok(Outcome::Ignored);
        }
        let Some(out) = self.channeled(&f) else {
            info!("no reply client for this platform: the update cannot be fetched");
            return Ok(Outcome::Ignored);
        };
        let page = self.page(self.store.page(&f.platform, &f.account_id).await?);
        match self.fetch(key, &f, &page, &out, now).await? {
            Fetched::Content(content) => {
                if let (Some(before), Some(after)) = (f.rating, content.rating)
                    && before != after
                {
                    let note = format!("the customer changed the rating: {before} → {after}");
                    info!(%before, %after, "rating changed");
                    self.store
                        .flag_task(key, TaskFlag::ReviewUpdated, &note, now)
                        .await?;
                } else if f.text.is_some() && content.text.is_some() && f.text != content.text {
                    info!("text changed");
                    self.store
                        .flag_task(
                            key,
                            TaskFlag::ReviewUpdated,
                            "the customer changed the text",
                            now,
                        )
                        .await?;
                }
                Ok(Outcome::Refreshed)
            }
            Fetched::Unfetchable(_) => Ok(Outcome::Ignored),
            Fetched::Refused(refused) => self.refused(key, &f, &refused).await,
        }
    }

    /// Send the drafts staff approved (`feedbackctl tasks approve`): the approval record's
    /// stream event lands here.
    #[instrument(skip_all, fields(platform = %key.platform, item_id = %key.item_id))]
    pub async fn deliver_approved(&self, key: &FeedbackKey) -> Result<Outcome, RespondError> {
        let Some(record) = self.store.feedback(key).await? else {
            return Ok(Outcome::Ignored);
        };
        let f = &record.feedback;
        let page = self.page(self.store.page(&f.platform, &f.account_id).await?);
        // What we would draft for this item (decided as of when it arrived, so the same
        // words as then): only that, approved by staff, is ever sent. An approval record or
        // a message someone else put in the table sends nothing.
        let capabilities = self.outbound.capabilities(&f.platform);
        // The words drafted then are kept even if the page answered in those words since
        // (they were chosen to differ from the replies before them); words that are not
        // one of our drafts still match nothing.
        let drafted = self.store.message(key, Channel::Public).await?;
        let state = ItemState {
            removed: record.removed,
            edited: record.edited,
            replied_with: page
                .replied_with(f.item_id.as_str())
                .or_else(|| drafted.map(|m| triage::templates::reply_digest(&m.text))),
        };
        let (expected, unsure) = match decide(
            f,
            state,
            &page.settings,
            &capabilities,
            &self.templates,
            f.received_at,
        ) {
            Decision::Answer {
                drafts, confidence, ..
            } => (Some(drafts), confidence.hold.is_some()),
            Decision::Skip { .. } => (None, false),
        };
        let mut send = [false, false];
        let mut held = Vec::new();
        for (i, channel) in [Channel::Public, Channel::Private].into_iter().enumerate() {
            let Some(stored) = self.store.message(key, channel).await? else {
                continue;
            };
            let draft = expected.as_ref().and_then(|d| match channel {
                Channel::Public => {
                    Some((d.public.as_str(), Some(d.public_without_private.as_str())))
                }
                Channel::Private => d.private.as_deref().map(|p| (p, None)),
            });
            // Both wordings must be ours (the one without a private message is what goes
            // out when none was sent). Staff's edit sits beside the draft: `text` is still
            // ours, and an edit counts only when whoever made it approved it.
            // In approval mode only staff's approval record counts, whatever the state
            // says (a message set to `uncertain` by hand was never approved).
            // An item held for a person is in approval mode whatever the page's.
            let approved = stored.approved_by.is_some()
                || (page.settings.mode != ReplyMode::Approval
                    && !unsure
                    && stored.state != MessageState::Pending);
            let ours = draft.is_some_and(|(text, alt)| is_our_draft(&stored, text, alt))
                && approved
                && stored.staff_text() != StaffText::EditNotApproved;
            if ours {
                send[i] = true;
            } else if matches!(
                stored.state,
                MessageState::Pending | MessageState::Draft | MessageState::Uncertain
            ) {
                held.push(channel);
            }
        }
        if !held.is_empty() {
            let now = OffsetDateTime::now_utc();
            let reason =
                "a stored message is not the drafted reply staff approved: not sent; check it";
            self.fail_and_flag(key, &held, TaskFlag::MessageMismatch, reason, now)
                .await?;
            warn!(channels = ?held, "approval for a message we did not draft: held for a person");
        }
        let [public, private] = send;
        let Some(out) = self.channeled(f).filter(|_| public || private) else {
            return Ok(Outcome::Ignored);
        };
        info!("sending approved drafts");
        self.send_all(key, f, &page, &out, channels(public, private))
            .await
    }

    /// Send the public acknowledgement, then the private message.
    async fn send_all(
        &self,
        key: &FeedbackKey,
        f: &Feedback,
        page: &Page,
        out: &Channeled<'_>,
        channels: &[Channel],
    ) -> Result<Outcome, RespondError> {
        if page.needs_reconnect {
            return self
                .needs_reconnect(
                    key,
                    f,
                    channels,
                    "the page must be reconnected first",
                    false,
                )
                .await;
        }
        let token = match self.token(f, page, out).await {
            Ok(token) => token,
            Err(TokenProblem::Later(e)) => {
                // SSM or the token endpoint hiccupped: hand the item back, nothing was sent.
                return Err(RespondError::NotYetSent {
                    channel: "public",
                    reason: format!("page token unavailable: {e}"),
                });
            }
            Err(TokenProblem::Missing(e)) => {
                // Handed back to the stream: answered when the token is stored in time.
                self.store
                    .flag_task(key, TaskFlag::TokenMissing, &e, OffsetDateTime::now_utc())
                    .await?;
                return Err(RespondError::NotYetSent {
                    channel: "public",
                    reason: e,
                });
            }
            Err(TokenProblem::Setup(e)) => {
                return self.needs_setup(key, channels, &e).await;
            }
            Err(TokenProblem::Staff(e)) => {
                return self.needs_reconnect(key, f, channels, &e, true).await;
            }
        };
        let target = out.client.target(f);
        let needs_approval = page.settings.mode == ReplyMode::Approval;
        let mut failures = Vec::new();
        let mut held = false;
        for channel in channels {
            let (flag, reason) = match self
                .send(key, *channel, out.client, &target, &token, needs_approval)
                .await?
            {
                Sent::Done => continue,
                Sent::Held => {
                    held = true;
                    continue;
                }
                Sent::ReplyExists(reason) => (TaskFlag::ReplyExists, reason),
                Sent::Failed(reason) => (
                    TaskFlag::ReplyFailed,
                    format!("{} message not sent: {reason}", channel.as_str()),
                ),
                Sent::Reconnect(reason) => {
                    self.credentials.forget(&f.platform, &f.account_id);
                    out.client.forget_access_token(&f.account_id);
                    return self.needs_reconnect(key, f, channels, &reason, true).await;
                }
            };
            self.store
                .flag_task(key, flag, &reason, OffsetDateTime::now_utc())
                .await?;
            failures.push(reason);
        }
        if failures.is_empty() {
            Ok(if held {
                Outcome::Drafted
            } else {
                Outcome::Answered
            })
        } else {
            Ok(Outcome::NeedsStaff(failures.join("; ")))
        }
    }

    /// Fail what is unsent on `channels` and flag the task, both saying why.
    async fn fail_and_flag(
        &self,
        key: &FeedbackKey,
        channels: &[Channel],
        flag: TaskFlag,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), RespondError> {
        for channel in channels {
            self.store.fail_message(key, *channel, reason, now).await?;
        }
        self.store.flag_task(key, flag, reason, now).await?;
        Ok(())
    }

    /// The page's access was refused while reading an item: the page to reconnect, or the
    /// deployment to fix.
    async fn refused(
        &self,
        key: &FeedbackKey,
        f: &Feedback,
        refused: &Refused,
    ) -> Result<Outcome, RespondError> {
        match refused {
            Refused::Reconnect(reason) => self.needs_reconnect(key, f, &[], reason, true).await,
            Refused::Setup(reason) => self.needs_setup(key, &[], reason).await,
        }
    }

    /// The deployment must be fixed (a permission, a key policy, a page record pointing at
    /// a source it may not): fail what is unsent, say why on the task; the page is not
    /// marked, since reconnecting it would not help.
    async fn needs_setup(
        &self,
        key: &FeedbackKey,
        channels: &[Channel],
        reason: &str,
    ) -> Result<Outcome, RespondError> {
        let now = OffsetDateTime::now_utc();
        warn!(
            reason,
            "the deployment must be fixed before this page can be answered"
        );
        self.fail_and_flag(key, channels, TaskFlag::FixSetup, reason, now)
            .await?;
        Ok(Outcome::NeedsStaff(reason.to_owned()))
    }

    /// No call can succeed until staff reconnect the page: fail what is unsent, flag the
    /// task, mark the page. No retries, so no retry storm.
    async fn needs_reconnect(
        &self,
        key: &FeedbackKey,
        f: &Feedback,
        channels: &[Channel],
        reason: &str,
        mark_page: bool,
    ) -> Result<Outcome, RespondError> {
        let now = OffsetDateTime::now_utc();
        warn!(reason, "page needs to be reconnected");
        self.fail_and_flag(key, channels, TaskFlag::ReconnectPage, reason, now)
            .await?;
        if mark_page {
            self.store
                .mark_page_reconnect(&f.platform, &f.account_id, reason, now)
                .await?;
        }
        Ok(Outcome::NeedsStaff(reason.to_owned()))
    }

    /// Send one message at most once: take it, reconcile an earlier uncertain attempt,
    /// call the platform, record the outcome; retry transient failures a few times.
    async fn send(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        client: &dyn ReplyClient,
        target: &ReplyTarget,
        token: &AccessToken,
        needs_approval: bool,
    ) -> Result<Sent, RespondError> {
        let attempt = Attempt {
            key,
            channel,
            client,
            target,
            token,
            needs_approval,
            // Where a new public reply replaces the one standing (one per item), what
            // stands there is read before every post: nobody's reply is ever replaced.
            replaces: channel == Channel::Public
                && self
                    .outbound
                    .capabilities(&key.platform)
                    .public_replies
                    .is_some_and(|p| p.one_per_item),
        };
        let mut backoff = self.retry.backoff;
        let mut last_error = String::new();
        for round in 0..self.retry.attempts_per_invocation {
            if round > 0 {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            match self.attempt(&attempt).await? {
                Attempted::Over(sent) => return Ok(sent),
                Attempted::Again(error) => {
                    warn!(channel = channel.as_str(), %error, round, "attempt failed");
                    last_error = error;
                }
            }
        }
        Err(RespondError::NotYetSent {
            channel: channel.as_str(),
            reason: last_error,
        })
    }

    /// One attempt, in named steps: take the message, check it may go, reconcile an
    /// earlier attempt, read what stands under the item, read the crisis hold, post.
    async fn attempt(&self, a: &Attempt<'_>) -> Result<Attempted, RespondError> {
        let now = OffsetDateTime::now_utc();
        let reconcile = match self.take(a, now).await? {
            Ok(reconcile) => reconcile,
            Err(over) => return Ok(over),
        };
        let Some(message) = self.store.message(a.key, a.channel).await? else {
            return Ok(Attempted::Over(Sent::Done));
        };
        if a.needs_approval && message.approved_by.is_none() {
            let reason = "not approved by staff (approval mode): not sent".to_owned();
            warn!(channel = a.channel.as_str(), "unapproved message held");
            return self.fail(a, reason, Sent::Failed, now).await;
        }
        if reconcile && let Some(over) = self.reconcile(a, now).await? {
            return Ok(over);
        }
        let text = match self.text_to_send(a.key, a.channel, &message).await? {
            Words::Send(text) => text,
            Words::Withheld(reason) => {
                warn!(channel = a.channel.as_str(), reason, "not sent");
                return self.fail(a, reason, Sent::Failed, now).await;
            }
        };
        if a.replaces
            && let Some(over) = self.check_standing(a, &text, reconcile, now).await?
        {
            return Ok(over);
        }
        // The page's crisis hold is read again at the last moment: one that began after
        // the item was decided holds this message too (README, "Crisis hold").
        if message.approved_by.is_none() && self.crisis_hold(a.target).await? {
            let held = Delivery::Held {
                reason: CRISIS_HELD.to_owned(),
            };
            self.record(a, &held, now).await?;
            warn!(channel = a.channel.as_str(), "crisis hold: back to a draft");
            return Ok(Attempted::Over(Sent::Held));
        }
        self.post(a, &text).await
    }

    /// Take the message for this attempt: `Ok(reconcile)` when it is ours to send,
    /// `Err(over)` when there is nothing (more) to do now.
    async fn take(
        &self,
        a: &Attempt<'_>,
        now: OffsetDateTime,
    ) -> Result<Result<bool, Attempted>, RespondError> {
        let take = self
            .store
            .claim_message(
                a.key,
                a.channel,
                now,
                self.retry.lease,
                self.retry.max_attempts,
            )
            .await?;
        Ok(match take {
            Take::Acquired { reconcile, .. } => Ok(reconcile),
            Take::Settled(MessageState::Failed) => {
                let failure = self
                    .store
                    .message(a.key, a.channel)
                    .await?
                    .and_then(|m| m.failure);
                Err(Attempted::Over(Sent::Failed(
                    failure.unwrap_or_else(|| "failed".into()),
                )))
            }
            Take::Settled(_) => Err(Attempted::Over(Sent::Done)),
            Take::Busy => {
                return Err(RespondError::NotYetSent {
                    channel: a.channel.as_str(),
                    reason: "another invocation is sending it".into(),
                });
            }
            Take::NotYet => {
                return Err(RespondError::NotYetSent {
                    channel: a.channel.as_str(),
                    reason: "an attempt was just recorded: it is taken again on the next try"
                        .into(),
                });
            }
        })
    }

    /// An earlier attempt may have reached the platform: find out before sending again.
    /// `None`: go on and send.
    async fn reconcile(
        &self,
        a: &Attempt<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<Attempted>, RespondError> {
        // Where the platform refuses a second private message for the item (Meta's
        // private replies) sending again is safe; where direct messages are ordinary, it
        // could reach the customer twice: staff check the conversation instead.
        if a.channel == Channel::Private
            && !matches!(
                self.outbound.capabilities(&a.key.platform).private_channel,
                PrivateChannel::OneMessageWithin { .. }
            )
        {
            let reason = "an earlier attempt may have been delivered: check the conversation before sending it by hand".to_owned();
            warn!(
                channel = a.channel.as_str(),
                "uncertain direct message not sent again"
            );
            return self.fail(a, reason, Sent::Failed, now).await.map(Some);
        }
        // A reply that replaces is checked with the standing reply's words instead.
        if a.channel != Channel::Public || a.replaces {
            return Ok(None);
        }
        match a.client.find_public_reply(a.target, a.token).await {
            Ok(Some(id)) => {
                info!(
                    channel = a.channel.as_str(),
                    "an earlier attempt did post: reconciled"
                );
                self.record(a, &Delivery::Sent { id: Some(id) }, now)
                    .await?;
                Ok(Some(Attempted::Over(Sent::Done)))
            }
            Ok(None) => Ok(None),
            Err(ReplyError::Reconnect(reason)) => {
                self.fail(a, reason, Sent::Reconnect, now).await.map(Some)
            }
            Err(e) => {
                // Cannot tell yet whether it was posted: stay uncertain.
                let error = e.to_string();
                let uncertain = Delivery::Uncertain {
                    error: error.clone(),
                };
                self.record(a, &uncertain, now).await?;
                Ok(Some(Attempted::Again(error)))
            }
        }
    }

    /// Where a new reply replaces the standing one: read it first. Ours (after an attempt
    /// that may have landed) is recorded as sent; anyone else's is never replaced.
    /// `None`: nothing stands there, go on and post.
    async fn check_standing(
        &self,
        a: &Attempt<'_>,
        text: &str,
        reconcile: bool,
        now: OffsetDateTime,
    ) -> Result<Option<Attempted>, RespondError> {
        let standing = match a.client.current_public_reply(a.target, a.token).await {
            Ok(standing) => standing,
            Err(ReplyError::Reconnect(reason)) => {
                return self.fail(a, reason, Sent::Reconnect, now).await.map(Some);
            }
            Err(ReplyError::Transient(e) | ReplyError::Ambiguous(e)) => {
                // Nothing posted in this attempt; an earlier one stays to be checked.
                let again = if reconcile {
                    Delivery::Uncertain { error: e.clone() }
                } else {
                    Delivery::Retry {
                        error: e.clone(),
                        at: None,
                    }
                };
                self.record(a, &again, now).await?;
                return Ok(Some(Attempted::Again(e)));
            }
            Err(e @ (ReplyError::Rejected(_) | ReplyError::Gone(_) | ReplyError::AlreadySent)) => {
                let reason = format!(
                    "the reply standing under the item could not be read ({e}): not posted, since posting would replace it; check it on the platform and answer by hand"
                );
                warn!(reason, "not posted");
                return self.fail(a, reason, Sent::ReplyExists, now).await.map(Some);
            }
        };
        let Some(reply) = standing else {
            return Ok(None);
        };
        let ours = match &reply.text {
            Some(words) => words.trim() == text.trim(),
            // Words not shown: after an attempt that may have landed, it is taken for
            // that attempt's; otherwise it is someone else's.
            None => reconcile,
        };
        if ours {
            info!("our reply already stands there: recorded as sent");
            self.record(a, &Delivery::Sent { id: Some(reply.id) }, now)
                .await?;
            return Ok(Some(Attempted::Over(Sent::Done)));
        }
        let reason = "a reply already stands under the item that is not the one we send (someone answered or edited it on the platform); posting would replace it: not posted; check it on the platform".to_owned();
        warn!(reason, "not posted");
        self.fail(a, reason, Sent::ReplyExists, now).await.map(Some)
    }

    /// Post the message and record how it went.
    async fn post(&self, a: &Attempt<'_>, text: &str) -> Result<Attempted, RespondError> {
        let result = match a.channel {
            Channel::Public => a
                .client
                .post_public_reply(a.target, text, a.token)
                .await
                .map(Some),
            Channel::Private => a.client.send_private_reply(a.target, text, a.token).await,
        };
        let now = OffsetDateTime::now_utc();
        let delivery = match result {
            Ok(id) => Delivery::Sent { id },
            Err(ReplyError::AlreadySent) => Delivery::Sent { id: None },
            Err(ReplyError::Reconnect(reason)) => {
                return self.fail(a, reason, Sent::Reconnect, now).await;
            }
            Err(ReplyError::Rejected(reason) | ReplyError::Gone(reason)) => {
                Delivery::Failed { reason }
            }
            Err(ReplyError::Transient(error)) => Delivery::Retry { error, at: None },
            Err(ReplyError::Ambiguous(error)) => Delivery::Uncertain { error },
        };
        self.record(a, &delivery, now).await?;
        Ok(match delivery {
            Delivery::Sent { .. } => {
                info!(channel = a.channel.as_str(), "sent");
                Attempted::Over(Sent::Done)
            }
            Delivery::Failed { reason } => {
                warn!(
                    channel = a.channel.as_str(),
                    reason, "refused by the platform; not retried"
                );
                Attempted::Over(Sent::Failed(reason))
            }
            Delivery::Held { .. } => Attempted::Over(Sent::Held),
            Delivery::Retry { error, .. } | Delivery::Uncertain { error } => {
                Attempted::Again(error)
            }
        })
    }

    /// Record how the attempt ended (only while the message is still ours).
    async fn record(
        &self,
        a: &Attempt<'_>,
        delivery: &Delivery,
        now: OffsetDateTime,
    ) -> Result<(), RespondError> {
        self.store
            .finish_message(a.key, a.channel, delivery, now)
            .await?;
        Ok(())
    }

    /// Fail the message for good with `reason`, and end the attempt as `sent` says.
    async fn fail(
        &self,
        a: &Attempt<'_>,
        reason: String,
        sent: fn(String) -> Sent,
        now: OffsetDateTime,
    ) -> Result<Attempted, RespondError> {
        let failed = Delivery::Failed {
            reason: reason.clone(),
        };
        self.record(a, &failed, now).await?;
        Ok(Attempted::Over(sent(reason)))
    }

    /// The words to send for `message`: the draft (the public reply that claims no
    /// private message when none went out), or staff's own approved edit, sent as it is.
    async fn text_to_send(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        message: &OutgoingMessage,
    ) -> Result<Words, RespondError> {
        // Honest: the public reply mentions a private message only when one went out.
        // `None`: no private message is planned for the item. Read only when it matters
        // (a draft with a second wording, or staff's edit).
        let private_sent = || async {
            Ok::<_, RespondError>(match channel {
                Channel::Public => self
                    .store
                    .message(key, Channel::Private)
                    .await?
                    .map(|m| m.state == MessageState::Sent),
                Channel::Private => None,
            })
        };
        match message.staff_text() {
            StaffText::Draft => Ok(Words::Send(match &message.alt_text {
                Some(alt) if private_sent().await? != Some(true) => alt.clone(),
                _ => message.text.clone(),
            })),
            StaffText::EditNotApproved => Ok(Words::Withheld(
                "staff's edit was not approved by the person who made it: not sent; check it and approve it again or answer by hand".into(),
            )),
            StaffText::Edited(edit) => {
                let capabilities = self.outbound.capabilities(&key.platform);
                let limit = match channel {
                    Channel::Public => capabilities.public_replies.map(|p| p.limit),
                    Channel::Private => capabilities.private_channel.limit(),
                };
                if let Some(limit) = limit
                    && !limit.fits(edit)
                {
                    // Never cut what a person wrote.
                    let length = match limit {
                        TextLimit::Chars(_) => TextLimit::Chars(limit.measure(edit)),
                        TextLimit::Bytes(_) => TextLimit::Bytes(limit.measure(edit)),
                    };
                    return Ok(Words::Withheld(format!(
                        "staff's edit is {length} long and this platform takes at most {limit}: not sent; shorten it and answer by hand"
                    )));
                }
                if private_sent().await? == Some(false) {
                    // The edit was written while a private message was planned; it may
                    // say one was sent.
                    return Ok(Words::Withheld(
                        "the private message was not sent, and staff's edited public reply was written expecting it: not posted, so it cannot claim a message that did not go out; answer by hand".into(),
                    ));
                }
                Ok(Words::Send(edit.to_owned()))
            }
        }
    }
}

/// What may be sent for a message.
enum Words {
    /// These words.
    Send(String),
    /// Nothing, and why (for the task).
    Withheld(String),
}

/// A task for a person to handle by hand, nothing drafted (a threat; an item that could
/// not be read); in `language`, else the page's.
fn by_hand(
    f: &Feedback,
    page: &Page,
    due_at: OffsetDateTime,
    next_step: String,
    label: &str,
    language: Option<Language>,
    now: OffsetDateTime,
) -> NewTask {
    NewTask {
        account_id: f.account_id.clone(),
        due_at,
        channel: TaskChannel::Manual,
        next_step,
        label: label.into(),
        language: language
            .unwrap_or(page.settings.default_language)
            .code()
            .into(),
        mode: page.settings.mode,
        draft_public: String::new(),
        draft_private: None,
        created_at: now,
        theme: None,
    }
}

enum Fetched {
    Content(ItemContent),
    /// Cannot be read, for good: what is missing, in words for staff.
    Unfetchable(String),
    /// The page's access did not serve.
    Refused(Refused),
}

enum Refused {
    /// The page must be reconnected.
    Reconnect(String),
    /// The deployment must be fixed.
    Setup(String),
}

impl Refused {
    /// What is missing and what to do about it, in words for staff.
    fn for_staff(&self) -> (String, &'static str) {
        match self {
            Refused::Reconnect(reason) => (
                format!("the platform refused the page's access ({reason})"),
                "reconnect the page",
            ),
            Refused::Setup(reason) => (
                format!("the deployment cannot use the page's access ({reason})"),
                "fix the deployment",
            ),
        }
    }
}

enum TokenProblem {
    /// Try again later (nothing was sent).
    Later(String),
    /// Not stored yet: try again later; the page is not marked.
    Missing(String),
    /// The deployment must be fixed (permissions, a key policy, a steered source).
    Setup(String),
    /// A person must act (no token, denied, revoked).
    Staff(String),
}

/// Whether a stored message holds exactly what we drafted: its text, and its wording for
/// when no private message went out (stored only when it differs).
fn is_our_draft(stored: &OutgoingMessage, text: &str, alt_text: Option<&str>) -> bool {
    stored.text == text && stored.alt_text.as_deref() == alt_text.filter(|alt| *alt != text)
}

/// The channels to send on, the private message first: the public reply then says it was
/// sent only if it was.
fn channels(public: bool, private: bool) -> &'static [Channel] {
    match (public, private) {
        (true, true) => &[Channel::Private, Channel::Public],
        (true, false) => &[Channel::Public],
        (false, true) => &[Channel::Private],
        (false, false) => &[],
    }
}

/// For logs: the error and its causes.
pub fn describe(e: &RespondError) -> String {
    error_chain(e)
}

/// What a decision counts as for spike detection: a complaint's theme, `abuse`, or
/// nothing.
fn spike_theme(decision: &Decision, f: &Feedback) -> Option<&'static str> {
    match decision {
        Decision::Answer {
            label: triage::Label::Negative,
            language,
            ..
        } => Some(triage::complaint_theme(f.text.as_deref(), *language).as_str()),
        Decision::Skip {
            reason: SkipReason::Abusive | SkipReason::Threat,
            ..
        } => Some(store::spikes::ABUSE),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
