//! One sweep over the follow-up tasks, through the task index only (never a table scan):
//!
//! 1. **open and claimed tasks** (`task#open`): announce new ones to the page's targets
//!    (`task.opened`, with the complaint's theme kept on the task); escalate those past
//!    their due time, once (flag, `TasksEscalated` metric, `task.escalated`); tell the
//!    targets of a page that must be reconnected (`page.reconnect_needed`);
//! 2. **resolved tasks** (`task#resolved`): the optional public "resolved" note, then,
//!    after the delay, the update request: sent privately where the platform's messaging
//!    rules allow it (direct messages), otherwise a step on the task with the text ready.
//!    Every resolved case, once;
//! 3. **tasks asked for an update** (`task#update_requested`) long enough ago: closed;
//! 4. **spikes** of complaints per page ([`crate::spikes`]): one alert, the crisis hold;
//! 5. **notifications** due (`notification#pending`): delivered, retried with backoff.
//!
//! Every change is conditional, so two sweeps at once do each thing once.

use crate::config::{DeliveryPolicy, SweeperConfig};
use crate::deliver::{Notifier, Request, Sent};
use feedback::capabilities::PrivateChannel;
use feedback::page::{PageRecord, ReplyMode};
use feedback::records::{
    ComplaintTheme, FollowUpKind, MessageState, NotificationEvent, NotifyTarget, TaskFlag,
};
use feedback::{AccountId, Feedback, Platform};
use logging::error_chain;
use platforms::reply::{
    AccessToken, Outbound, OutboundPlatform, PostedReply, ReplyClient, ReplyError,
};
use serde::Serialize;
use service::credentials::{CredentialError, Credentials};
use service::texts;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;
use store::notify::{Event, PendingNotification, targets};
use store::outbox::{Delivery, Take};
use store::tasks::{SWEEPER, UpdateRequestOutcome};
use store::views::TaskView;
use store::{DynamoStore, FeedbackKey, FeedbackRecord, StoreError};
use time::OffsetDateTime;
use tracing::{info, instrument, warn};
use triage::{Label, Language, PageSettings};

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub announced: usize,
    pub escalated: usize,
    pub update_requests_sent: usize,
    pub update_requests_for_staff: usize,
    pub resolved_replies: usize,
    pub closed: usize,
    pub notifications_sent: usize,
    pub notifications_failed: usize,
    /// Pages where a spike of complaints started a crisis.
    pub spikes_detected: usize,
    /// Tasks or notifications that hit an error (logged; tried again next sweep).
    pub errors: usize,
    /// Work left for the next sweep because time ran out.
    pub deferred: bool,
}

/// Everything a sweep needs, built once per cold start.
pub struct Sweeper {
    store: DynamoStore,
    outbound: Outbound,
    credentials: Credentials,
    notifier: Arc<dyn Notifier>,
    config: SweeperConfig,
}

/// A page as a sweep sees it.
#[derive(Clone)]
struct Page {
    record: PageRecord,
    settings: PageSettings,
}

/// The item a follow-up (the "resolved" note, the update request) is about, at `now`.
#[derive(Clone, Copy)]
struct Followed<'a> {
    key: &'a FeedbackKey,
    record: &'a FeedbackRecord,
    page: &'a Page,
    now: OffsetDateTime,
}

/// What must stand under an item before a reply that replaces it may be posted: nothing,
/// or our own reply exactly as we published it.
enum Standing {
    Nothing,
    Ours(String),
    /// We cannot tell what we published (an attempt of unknown outcome): never replaced.
    Unknown,
}

impl Standing {
    fn is(&self, standing: Option<&PostedReply>) -> bool {
        match (self, standing) {
            (Standing::Nothing, None) => true,
            (
                Standing::Ours(ours),
                Some(PostedReply {
                    text: Some(text), ..
                }),
            ) => text.trim() == ours.trim(),
            _ => false,
        }
    }
}

/// What stops a follow-up message from going out this sweep.
enum FollowUpResult {
    Sent,
    DryRun,
    /// Not now (another sweeper holds it, the platform said "later"): next sweep.
    Later,
    /// Never on this channel: staff take over (with why).
    Failed(String),
}

impl Sweeper {
    pub fn new(
        store: DynamoStore,
        outbound: Outbound,
        credentials: Credentials,
        notifier: Arc<dyn Notifier>,
        config: SweeperConfig,
    ) -> Self {
        Self {
            store,
            outbound,
            credentials,
            notifier,
            config,
        }
    }

    pub fn store(&self) -> &DynamoStore {
        &self.store
    }

    async fn page(
        &self,
        cache: &mut HashMap<(Platform, AccountId), Page>,
        platform: &Platform,
        account: &AccountId,
    ) -> Result<Page, StoreError> {
        if let Some(page) = cache.get(&(platform.clone(), account.clone())) {
            return Ok(page.clone());
        }
        let record = self
            .store
            .page(platform, account)
            .await?
            .unwrap_or_default();
        let mut settings = PageSettings::from_config(&record.config, &self.config.defaults);
        // A crisis hold: nothing goes out by itself (README, "Crisis hold").
        if record.crisis_hold() && settings.mode == ReplyMode::Auto {
            settings.mode = ReplyMode::Approval;
        }
        let page = Page { settings, record };
        cache.insert((platform.clone(), account.clone()), page.clone());
        Ok(page)
    }

    /// One sweep at `now`; stops starting new work at `deadline`.
    #[instrument(skip_all)]
    pub async fn sweep(
        &self,
        now: OffsetDateTime,
        deadline: Option<Instant>,
    ) -> Result<Summary, StoreError> {
        let mut summary = Summary::default();
        let mut pages = HashMap::new();
        let out_of_time = |summary: &mut Summary| {
            let late = deadline.is_some_and(|d| Instant::now() >= d);
            summary.deferred |= late;
            late
        };

        let mut reconnect_told = HashSet::new();
        for task in self.store.open_tasks().await? {
            if out_of_time(&mut summary) {
                break;
            }
            if let Err(e) = self
                .open_task(&task, now, &mut pages, &mut reconnect_told, &mut summary)
                .await
            {
                summary.errors += 1;
                warn!(task = %task.id, error = %error_chain(&e), "open task not swept; next sweep tries again");
            }
        }
        for task in self.store.resolved_tasks().await? {
            if out_of_time(&mut summary) {
                break;
            }
            if let Err(e) = self
                .resolved_task(&task, now, &mut pages, &mut summary)
                .await
            {
                summary.errors += 1;
                warn!(task = %task.id, error = %error_chain(&e), "resolved task not swept; next sweep tries again");
            }
        }
        for task in self
            .store
            .update_requested_tasks(now - self.config.close_after)
            .await?
        {
            if out_of_time(&mut summary) {
                break;
            }
            let note = format!(
                "closed {} days after the customer was asked to update their review",
                self.config.close_after.whole_days()
            );
            match self
                .store
                .close_task(&task.key(), SWEEPER, Some(&note), now)
                .await
            {
                Ok(()) => summary.closed += 1,
                // Reopened or closed by someone else meanwhile.
                Err(store::tasks::TaskError::WrongStatus { .. }) => {}
                Err(e) => {
                    summary.errors += 1;
                    warn!(task = %task.id, error = %error_chain(&e), "closing failed");
                }
            }
        }
        if !out_of_time(&mut summary) {
            self.spikes(now, &mut summary).await?;
        }
        self.deliver_notifications(now, deadline, &mut pages, &mut summary)
            .await?;
        Ok(summary)
    }

    async fn feedback_of(&self, task: &TaskView) -> Result<Option<FeedbackRecord>, StoreError> {
        self.store.feedback(&task.key()).await
    }

    /// Announce, escalate, and pass on a page's need to be reconnected.
    async fn open_task(
        &self,
        task: &TaskView,
        now: OffsetDateTime,
        pages: &mut HashMap<(Platform, AccountId), Page>,
        reconnect_told: &mut HashSet<(Platform, AccountId)>,
        summary: &mut Summary,
    ) -> Result<(), StoreError> {
        let key = task.key();
        let page = self.page(pages, &task.platform, &task.account_id).await?;
        let targets = targets(&page.record.config);
        let mut feedback: Option<Option<FeedbackRecord>> = None;
        let mut task = task.clone();

        if task.announced_at.is_none() {
            let record = self.feedback_of(&task).await?;
            // The theme of a complaint opened without one (by an older responder).
            task.theme = task
                .theme
                .or_else(|| theme_of(&task.label, &task.language, record.as_ref()));
            let recent = task.created_at >= now - self.config.announce_window;
            if recent && !targets.is_empty() {
                let event =
                    Event::for_task(NotificationEvent::TaskOpened, &task, record.as_ref(), now);
                self.store
                    .enqueue_notification(&event, &targets, now)
                    .await?;
                summary.announced += 1;
            }
            self.store
                .mark_task_announced(&key, task.theme, now)
                .await?;
            feedback = Some(record);
        }

        if task.escalated_at.is_none()
            && task.due_at < now
            && self.store.escalate_task(&key, now).await?
        {
            summary.escalated += 1;
            info!(task = %task.id, due_at = %task.due_at, "escalated: past its due time");
            if !targets.is_empty() {
                let record = match feedback.take() {
                    Some(record) => record,
                    None => self.feedback_of(&task).await?,
                };
                let event = Event::for_task(
                    NotificationEvent::TaskEscalated,
                    &task,
                    record.as_ref(),
                    now,
                );
                self.store
                    .enqueue_notification(&event, &targets, now)
                    .await?;
            }
        }

        if task
            .flags
            .iter()
            .any(|f| f == TaskFlag::ReconnectPage.as_str())
            && !targets.is_empty()
            && reconnect_told.insert((task.platform.clone(), task.account_id.clone()))
            && let Some(event) =
                Event::page_reconnect(&task.platform, &task.account_id, &page.record, now)
        {
            self.store
                .enqueue_notification(&event, &targets, now)
                .await?;
        }
        Ok(())
    }

    /// The "resolved" note (when the page wants one) and, after the delay, the update
    /// request.
    async fn resolved_task(
        &self,
        task: &TaskView,
        now: OffsetDateTime,
        pages: &mut HashMap<(Platform, AccountId), Page>,
        summary: &mut Summary,
    ) -> Result<(), StoreError> {
        let key = task.key();
        let page = self.page(pages, &task.platform, &task.account_id).await?;
        let resolved_at = task.resolved_at.unwrap_or(task.created_at);
        let delay = page
            .record
            .config
            .update_request_delay_hours
            .map_or(self.config.update_request_delay, |h| {
                time::Duration::hours(i64::from(h))
            });
        let wants_note = page.record.config.resolved_reply == Some(true);
        let ask_now = resolved_at + delay <= now;
        if !wants_note && !ask_now {
            return Ok(());
        }
        let record = self.feedback_of(task).await?;
        let templates = texts::page_templates(&page.record, &self.config.templates);
        let names = self.outbound.capabilities(&task.platform).author_names;
        let followed = |record| Followed {
            key: &key,
            record,
            page: &page,
            now,
        };

        if wants_note
            && let Some(record) = &record
            && let Some(note) =
                texts::resolved_note(&templates, &page.settings, Some(record), Some(task), names)
            && self.resolved_reply(&followed(record), &note).await?
        {
            summary.resolved_replies += 1;
        }

        if !ask_now {
            return Ok(());
        }
        if let Some(asked) = task.update_requested_at {
            // Reopened and resolved again: asked once is enough.
            info!(task = %task.id, asked_at = %asked, "asked before; not asked again");
            self.store
                .record_update_request(&key, UpdateRequestOutcome::AskedBefore, "", now)
                .await?;
            return Ok(());
        }
        let text = texts::update_request(
            &templates,
            &page.settings,
            record.as_ref(),
            Some(task),
            names,
        );
        let outcome = match &record {
            Some(record) if self.can_message(record, &page) => {
                match self.update_request(&followed(record), &text).await? {
                    FollowUpResult::Sent => UpdateRequestOutcome::Sent,
                    FollowUpResult::DryRun => UpdateRequestOutcome::DryRun,
                    FollowUpResult::Later => return Ok(()),
                    FollowUpResult::Failed(reason) => {
                        self.store
                            .flag_task(&key, TaskFlag::UpdateRequestFailed, &reason, now)
                            .await?;
                        UpdateRequestOutcome::StaffStep
                    }
                }
            }
            _ => UpdateRequestOutcome::StaffStep,
        };
        let stored = self
            .store
            .followup(&key, FollowUpKind::UpdateRequest)
            .await?
            .map_or(text, |f| f.text);
        if self
            .store
            .record_update_request(&key, outcome, &stored, now)
            .await?
        {
            match outcome {
                UpdateRequestOutcome::StaffStep => summary.update_requests_for_staff += 1,
                _ => summary.update_requests_sent += 1,
            }
            info!(task = %task.id, ?outcome, "update request made");
        }
        Ok(())
    }

    /// Whether the platform lets us write to this customer now: ordinary direct messages
    /// (not Meta's one private reply per comment, already used by the first follow-up),
    /// a reply client, a page that answers by itself and is connected.
    fn can_message(&self, record: &FeedbackRecord, page: &Page) -> bool {
        let Some(platform) = self.outbound.get(&record.feedback.platform) else {
            return false;
        };
        matches!(
            platform.capabilities.private_channel,
            PrivateChannel::DirectMessages { .. }
        ) && platform.client.is_some()
            && matches!(page.settings.mode, ReplyMode::Auto | ReplyMode::DryRun)
            && !page.record.needs_reconnect
            && !record.removed
    }

    fn initial_state(page: &Page) -> MessageState {
        if page.settings.mode == ReplyMode::DryRun {
            MessageState::DryRun
        } else {
            MessageState::Pending
        }
    }

    async fn update_request(
        &self,
        item: &Followed<'_>,
        text: &str,
    ) -> Result<FollowUpResult, StoreError> {
        let Some(platform) = self.outbound.get(&item.record.feedback.platform) else {
            return Ok(FollowUpResult::Failed(
                "the platform is not configured".into(),
            ));
        };
        let text = match platform.capabilities.private_channel.limit() {
            Some(limit) => limit.fit(text.to_owned()),
            None => text.to_owned(),
        };
        self.send_followup(item, FollowUpKind::UpdateRequest, platform, &text, None)
            .await
    }

    /// Post the public "resolved" note once; `true` when this sweep posted it.
    async fn resolved_reply(&self, item: &Followed<'_>, note: &str) -> Result<bool, StoreError> {
        let Followed {
            key, record, page, ..
        } = *item;
        let Some(platform) = self.outbound.get(&record.feedback.platform) else {
            return Ok(false);
        };
        let Some(public) = platform.capabilities.public_replies else {
            return Ok(false);
        };
        if platform.client.is_none()
            || !matches!(page.settings.mode, ReplyMode::Auto | ReplyMode::DryRun)
            || page.record.needs_reconnect
            || record.removed
        {
            return Ok(false);
        }
        if let Some(existing) = self
            .store
            .followup(key, FollowUpKind::ResolvedReply)
            .await?
            && existing.state != MessageState::Pending
        {
            return Ok(false);
        }
        // Where a new reply replaces the one standing (one per item), the note is added
        // to our reply as published, and only if that is what still stands there.
        let (text, standing) = if public.one_per_item {
            match self.published_acknowledgement(key).await? {
                Standing::Ours(ack) => (format!("{ack}\n\n{note}"), Some(Standing::Ours(ack))),
                other => (note.to_owned(), Some(other)),
            }
        } else {
            (note.to_owned(), None)
        };
        let text = public.limit.fit(text);
        Ok(matches!(
            self.send_followup(
                item,
                FollowUpKind::ResolvedReply,
                platform,
                &text,
                standing.as_ref()
            )
            .await?,
            FollowUpResult::Sent
        ))
    }

    /// Our acknowledgement as it was published: staff's approved edit when that was sent,
    /// else the draft (without the private-message line when no private message went
    /// out).
    async fn published_acknowledgement(&self, key: &FeedbackKey) -> Result<Standing, StoreError> {
        let Some(public) = self.store.message(key, store::Channel::Public).await? else {
            return Ok(Standing::Nothing);
        };
        match public.state {
            MessageState::Sent => {}
            // It may have landed.
            MessageState::Uncertain | MessageState::Sending => return Ok(Standing::Unknown),
            _ => return Ok(Standing::Nothing),
        }
        let draft = match public.staff_text() {
            store::messages::StaffText::Edited(edit) => return Ok(Standing::Ours(edit.to_owned())),
            store::messages::StaffText::EditNotApproved => return Ok(Standing::Unknown),
            store::messages::StaffText::Draft => public.text,
        };
        let private_sent = matches!(
            self.store.message(key, store::Channel::Private).await?,
            Some(m) if m.state == MessageState::Sent
        );
        Ok(Standing::Ours(match (public.alt_text, private_sent) {
            (Some(alt), false) => alt,
            _ => draft,
        }))
    }

    async fn token(
        &self,
        f: &Feedback,
        page: &Page,
        platform: &OutboundPlatform,
        client: &dyn ReplyClient,
    ) -> Result<AccessToken, FollowUpResult> {
        let stored = self
            .credentials
            .for_item(f, &page.record.config, platform.credential_variable)
            .await
            .map_err(|e| match e {
                CredentialError::Unavailable(_) => FollowUpResult::Later,
                other => FollowUpResult::Failed(other.to_string()),
            })?;
        client
            .access_token(&f.account_id, &stored)
            .await
            .map_err(|e| match e {
                ReplyError::Transient(_) | ReplyError::Ambiguous(_) => FollowUpResult::Later,
                other => FollowUpResult::Failed(other.to_string()),
            })
    }

    /// Record one follow-up (once: held for approval where the page wants that) and send it
    /// at most once: take it, call the platform, record the outcome. `replaces`: the public
    /// reply replaces the one standing, which must be this.
    async fn send_followup(
        &self,
        item: &Followed<'_>,
        kind: FollowUpKind,
        platform: &OutboundPlatform,
        text: &str,
        replaces: Option<&Standing>,
    ) -> Result<FollowUpResult, StoreError> {
        let Followed {
            key,
            record,
            page,
            now,
        } = *item;
        let f = &record.feedback;
        let state = self
            .store
            .create_followup(key, kind, text, Self::initial_state(page), now)
            .await?
            .state;
        match state {
            MessageState::DryRun => return Ok(FollowUpResult::DryRun),
            MessageState::Sent => return Ok(FollowUpResult::Sent),
            MessageState::Failed => {
                let failure = self
                    .store
                    .followup(key, kind)
                    .await?
                    .and_then(|f| f.failure)
                    .unwrap_or_else(|| "failed".into());
                return Ok(FollowUpResult::Failed(failure));
            }
            _ => {}
        }
        let Some(client) = platform.client.as_deref() else {
            return Ok(FollowUpResult::Failed(
                "nothing can be sent on this platform".into(),
            ));
        };
        let policy = &self.config.delivery;
        match self
            .store
            .take_followup(key, kind, now, policy.lease, policy.max_attempts)
            .await?
        {
            Take::Acquired {
                reconcile: true, ..
            } => {
                // An earlier attempt may have reached the customer (its sender stopped
                // mid-send): sending again could send it twice. Staff take over.
                let reason =
                    "an earlier attempt may have been delivered: not sent again; check on the platform"
                        .to_owned();
                let failed = Delivery::Failed {
                    reason: reason.clone(),
                };
                self.store.finish_followup(key, kind, &failed, now).await?;
                return Ok(FollowUpResult::Failed(reason));
            }
            Take::Acquired { .. } => {}
            Take::Busy | Take::NotYet => return Ok(FollowUpResult::Later),
            Take::Settled(MessageState::Sent) => return Ok(FollowUpResult::Sent),
            Take::Settled(MessageState::DryRun) => return Ok(FollowUpResult::DryRun),
            Take::Settled(other) => {
                return Ok(FollowUpResult::Failed(format!("the message is {other}")));
            }
        }
        let Some(message) = self.store.followup(key, kind).await? else {
            return Ok(FollowUpResult::Failed("the message vanished".into()));
        };
        let token = match self.token(f, page, platform, client).await {
            Ok(token) => token,
            Err(result) => {
                let delivery = match &result {
                    FollowUpResult::Failed(reason) => Delivery::Failed {
                        reason: reason.clone(),
                    },
                    _ => Delivery::Retry {
                        error: "the page's token is not available yet".into(),
                        at: Some(now + policy.next_try(message.attempts)),
                    },
                };
                self.store
                    .finish_followup(key, kind, &delivery, OffsetDateTime::now_utc())
                    .await?;
                return Ok(result);
            }
        };
        let target = client.target(f);
        let mut held = false;
        let result = match kind {
            FollowUpKind::UpdateRequest => {
                client
                    .send_private_reply(&target, &message.text, &token)
                    .await
            }
            FollowUpKind::ResolvedReply => {
                let standing = match replaces {
                    None => Ok(true),
                    Some(expected) => client
                        .current_public_reply(&target, &token)
                        .await
                        .map(|standing| expected.is(standing.as_ref()))
                        // Reading changes nothing: a read of unknown outcome is tried again.
                        .map_err(|e| match e {
                            ReplyError::Ambiguous(e) => ReplyError::Transient(e),
                            e => e,
                        }),
                };
                match standing {
                    Ok(true) => client
                        .post_public_reply(&target, &message.text, &token)
                        .await
                        .map(Some),
                    Ok(false) => {
                        held = true;
                        Err(ReplyError::Rejected(
                            "the reply standing under the item is not the one we published (someone wrote, edited or removed it on the platform), and the note would replace it: not posted; add the note by hand if it is still wanted".into(),
                        ))
                    }
                    Err(e) => Err(e),
                }
            }
        };
        let done = OffsetDateTime::now_utc();
        let (delivery, outcome) = match result {
            Ok(id) => (Delivery::Sent { id }, FollowUpResult::Sent),
            Err(ReplyError::AlreadySent) => (Delivery::Sent { id: None }, FollowUpResult::Sent),
            Err(ReplyError::Transient(error)) => (
                Delivery::Retry {
                    error,
                    at: Some(done + policy.next_try(message.attempts + 1)),
                },
                FollowUpResult::Later,
            ),
            // It may have arrived: sending again could send it twice. Staff take over.
            Err(ReplyError::Ambiguous(e)) => {
                let reason = format!("outcome unknown, not sent again: {e}");
                (
                    Delivery::Failed {
                        reason: reason.clone(),
                    },
                    FollowUpResult::Failed(reason),
                )
            }
            Err(ReplyError::Reconnect(e)) => {
                self.credentials.forget(&f.platform, &f.account_id);
                client.forget_access_token(&f.account_id);
                self.store
                    .mark_page_reconnect(&f.platform, &f.account_id, &e, done)
                    .await?;
                self.store
                    .flag_task(key, TaskFlag::ReconnectPage, &e, done)
                    .await?;
                (
                    Delivery::Failed { reason: e.clone() },
                    FollowUpResult::Failed(format!("the page must be reconnected: {e}")),
                )
            }
            Err(ReplyError::Rejected(e) | ReplyError::Gone(e)) => (
                Delivery::Failed { reason: e.clone() },
                FollowUpResult::Failed(e),
            ),
        };
        self.store
            .finish_followup(key, kind, &delivery, done)
            .await?;
        if held && let FollowUpResult::Failed(reason) = &outcome {
            self.store
                .flag_task(key, TaskFlag::ReplyExists, reason, done)
                .await?;
        }
        match &outcome {
            FollowUpResult::Sent => info!(kind = kind.as_str(), "follow-up sent"),
            FollowUpResult::Failed(reason) => {
                warn!(kind = kind.as_str(), reason, "follow-up not sent")
            }
            _ => {}
        }
        Ok(outcome)
    }

    /// Deliver every notification that is due.
    async fn deliver_notifications(
        &self,
        now: OffsetDateTime,
        deadline: Option<Instant>,
        pages: &mut HashMap<(Platform, AccountId), Page>,
        summary: &mut Summary,
    ) -> Result<(), StoreError> {
        for n in self.store.due_notifications(now).await? {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                summary.deferred = true;
                break;
            }
            let page = self.page(pages, &n.platform, &n.account_id).await?;
            match self.deliver(&n, &page).await {
                Ok(Some(true)) => summary.notifications_sent += 1,
                Ok(Some(false)) => summary.notifications_failed += 1,
                Ok(None) => {}
                Err(e) => {
                    summary.errors += 1;
                    warn!(event = %n.event, target_kind = %n.target, error = %error_chain(&e), "delivering a notification failed");
                }
            }
        }
        Ok(())
    }

    /// One notification: `Some(true)` delivered, `Some(false)` given up, `None` left for
    /// a later sweep (or another sweeper's).
    async fn deliver(
        &self,
        n: &PendingNotification,
        page: &Page,
    ) -> Result<Option<bool>, StoreError> {
        let policy: &DeliveryPolicy = &self.config.delivery;
        let config = &page.record.config;
        let (url, signing) = match n.target {
            NotifyTarget::Slack => (config.notify_slack_url.as_ref(), None),
            NotifyTarget::Teams => (config.notify_teams_url.as_ref(), None),
            NotifyTarget::Webhook => (
                config.notify_webhook_url.as_ref(),
                config.notify_webhook_secret.as_ref(),
            ),
        };
        let mut backoff = policy.backoff;
        for round in 0..policy.attempts_per_sweep {
            if round > 0 {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            let now = OffsetDateTime::now_utc();
            let attempt = match self
                .store
                .take_notification(n, now, policy.lease, policy.max_attempts)
                .await?
            {
                // An earlier attempt's sender stopped mid-send: a signed webhook's receiver
                // drops a repeated webhook-id, a chat would post twice.
                Take::Acquired {
                    reconcile: true, ..
                } if n.target != NotifyTarget::Webhook => {
                    let delivery = Delivery::Failed {
                        reason: "an earlier attempt may have been delivered: not sent again so it is not posted twice".into(),
                    };
                    self.store.finish_notification(n, &delivery, now).await?;
                    return Ok(Some(false));
                }
                Take::Acquired { attempt, .. } => attempt,
                Take::Settled(MessageState::Failed) => return Ok(Some(false)),
                Take::Settled(_) | Take::Busy | Take::NotYet => return Ok(None),
            };
            let Some(url) = url else {
                let delivery = Delivery::Failed {
                    reason: format!("the page no longer has a {} target", n.target),
                };
                self.store.finish_notification(n, &delivery, now).await?;
                return Ok(Some(false));
            };
            if n.target == NotifyTarget::Webhook && signing.is_none() {
                let delivery = Delivery::Failed {
                    reason: "the page has no webhook secret".into(),
                };
                self.store.finish_notification(n, &delivery, now).await?;
                return Ok(Some(false));
            }
            let request = Request {
                target: n.target,
                url,
                signing: signing.map(|secret| (secret, n.event_id.as_str())),
                body: &n.body,
                timestamp: now.unix_timestamp(),
            };
            let sent = self.notifier.send(&request).await;
            let done = OffsetDateTime::now_utc();
            let last_round = round + 1 == policy.attempts_per_sweep;
            let retry = |error: String| Delivery::Retry {
                error,
                // Within the sweep, at once; after its last try, with backoff.
                at: Some(if last_round {
                    done + policy.next_try(attempt)
                } else {
                    done
                }),
            };
            let delivery = match sent {
                Sent::Delivered => Delivery::Sent { id: None },
                Sent::NotDelivered(e) => retry(e),
                // A signed webhook's receiver drops a repeated webhook-id; a chat would
                // post twice.
                Sent::Unknown(e) if n.target == NotifyTarget::Webhook => retry(e),
                Sent::Unknown(e) => Delivery::Failed {
                    reason: format!(
                        "outcome unknown, not sent again so it is not posted twice: {e}"
                    ),
                },
                Sent::Refused(e) => Delivery::Failed { reason: e },
            };
            self.store.finish_notification(n, &delivery, done).await?;
            match delivery {
                Delivery::Sent { .. } => {
                    info!(event = %n.event, target_kind = %n.target, "notification delivered");
                    return Ok(Some(true));
                }
                Delivery::Failed { reason } => {
                    warn!(event = %n.event, target_kind = %n.target, reason, "notification given up");
                    return Ok(Some(false));
                }
                Delivery::Retry { error, .. }
                | Delivery::Uncertain { error }
                | Delivery::Held { reason: error } => {
                    warn!(event = %n.event, target_kind = %n.target, error, attempt, "notification not delivered; will retry");
                }
            }
        }
        Ok(None)
    }
}

/// The theme of a complaint task (its `label` and `language`), from its feedback's text
/// (`other` when none is recognised); `None` for tasks that are not complaints.
pub fn theme_of(
    label: &str,
    language: &str,
    record: Option<&FeedbackRecord>,
) -> Option<ComplaintTheme> {
    (Label::parse(label) == Some(Label::Negative)).then(|| {
        let language = Language::parse(language).unwrap_or(Language::En);
        triage::complaint_theme(record.and_then(|r| r.feedback.text.as_deref()), language)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use platforms::meta::FACEBOOK;
    use time::macros::datetime;

    fn record(text: Option<&str>) -> FeedbackRecord {
        FeedbackRecord::new(Feedback {
            text: text.map(str::to_owned),
            ..Feedback::example_comment(FACEBOOK, "p", "1", datetime!(2026-11-26 10:00 UTC))
                .unwrap()
        })
    }

    #[test]
    fn a_complaint_gets_the_theme_its_words_name_or_other() {
        let website = record(Some(
            "The website keeps crashing and the app does not load.",
        ));
        assert_eq!(
            theme_of("negative", "en", Some(&website)),
            Some(ComplaintTheme::Website)
        );
        assert_eq!(
            theme_of("negative", "en", Some(&record(Some("Not happy.")))),
            Some(ComplaintTheme::Other)
        );
        assert_eq!(
            theme_of("negative", "en", Some(&record(None))),
            Some(ComplaintTheme::Other),
            "stars without words"
        );
        assert_eq!(theme_of("question", "en", Some(&website)), None);
    }
}
