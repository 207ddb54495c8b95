//! One feedback item, start to finish.

use crate::config::RetryPolicy;
use crate::pages::Page;
use crate::tokens::{TokenError, TokenProvider};
use feedback::{Feedback, FeedbackKind, Platform};
use platforms::reply::{AccessToken, ReplyClient, ReplyError, ReplyTarget};
use runtime::error_chain;
use std::sync::{Arc, OnceLock};
use store::followup::{Channel, Claim, Finish, MessageState, NewTask};
use store::{DynamoStore, FeedbackKey, StoreError};
use time::OffsetDateTime;
use tracing::{info, instrument, warn};
use triage::{Decision, PageSettings, ReplyMode, SkipReason, TemplateSet, decide};

/// What happened to an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not a feedback record, or no longer there.
    Ignored,
    Skipped(SkipReason),
    /// Drafted and the task opened; nothing posted (approval or dry-run mode).
    Drafted,
    /// Every message sent (or found sent before).
    Answered,
    /// Answered as far as possible; staff must reconnect the page or follow up by hand.
    NeedsStaff(String),
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
}

/// Everything the responder needs, built once per cold start.
pub struct Responder {
    pub store: DynamoStore,
    pub replies: Arc<dyn ReplyClient>,
    pub tokens: TokenProvider,
    pub defaults: PageSettings,
    pub retry: RetryPolicy,
}

const RECONNECT_FLAG: &str = "reconnect_page";

fn builtin_templates() -> Option<&'static TemplateSet> {
    static BUILTIN: OnceLock<Option<TemplateSet>> = OnceLock::new();
    BUILTIN.get_or_init(|| TemplateSet::builtin().ok()).as_ref()
}

/// Where replies for this item go. Instagram answers replies on their top-level comment.
fn target(f: &Feedback) -> ReplyTarget {
    let reply_to = match (f.platform, f.kind, &f.parent_id) {
        (Platform::Instagram, FeedbackKind::Reply, Some(parent)) => parent.clone(),
        _ => f.item_id.to_string(),
    };
    ReplyTarget {
        platform: f.platform,
        account_id: f.account_id.to_string(),
        reply_to,
        item_id: f.item_id.to_string(),
    }
}

enum Sent {
    Done,
    /// Refused for good or given up on: staff must follow up by hand.
    Failed(String),
    Reconnect(String),
}

const REPLY_FAILED_FLAG: &str = "reply_failed";

impl Responder {
    /// Handle one item. Safe to call any number of times, concurrently: messages are sent
    /// at most once, records are written once.
    #[instrument(skip_all, fields(platform = %key.platform, item_id = %key.item_id))]
    pub async fn respond(&self, key: &FeedbackKey) -> Result<Outcome, RespondError> {
        let now = OffsetDateTime::now_utc();
        let Some(record) = self.store.feedback(key.platform, &key.item_id).await? else {
            warn!("feedback record not found");
            return Ok(Outcome::Ignored);
        };
        let f = &record.feedback;
        let page_record = self.store.page(f.platform, &f.account_id).await?;
        let page = Page::from_record(page_record.as_ref(), &self.defaults);
        let overridden;
        let templates = match page.templates.as_ref() {
            Some(over) => match TemplateSet::with_overrides(Some(over)) {
                Ok(set) => {
                    overridden = set;
                    Some(&overridden)
                }
                Err(e) => {
                    warn!(error = %e, "page templates are unusable; using the built-in wording");
                    builtin_templates()
                }
            },
            None => builtin_templates(),
        };
        let Some(templates) = templates else {
            // The built-in templates are compiled in and tested; this cannot happen.
            return Ok(Outcome::Ignored);
        };

        let decision = decide(
            f,
            record.removed,
            record.edited,
            &page.settings,
            templates,
            now,
        );
        let (label, language, drafts, task) = match decision {
            Decision::Skip {
                reason,
                label,
                language,
            } => {
                let decision = format!("skip:{}", reason.as_str());
                self.store
                    .record_decision(
                        key,
                        &decision,
                        label.map(|l| l.as_str()),
                        language.map(|l| l.code()),
                        now,
                    )
                    .await?;
                info!(reason = reason.as_str(), "skipped");
                return Ok(Outcome::Skipped(reason));
            }
            Decision::Answer {
                label,
                language,
                drafts,
                task,
            } => (label, language, drafts, task),
        };

        // One answer per author per thread: a second comment of someone we already
        // answered there is stored, but not answered again.
        if let (Some(thread), Some(author)) = (&f.thread_id, &f.author_id)
            && !self
                .store
                .claim_author_in_thread(key, thread, author)
                .await?
        {
            let reason = SkipReason::AuthorAlreadyAnswered;
            self.store
                .record_decision(
                    key,
                    &format!("skip:{}", reason.as_str()),
                    Some(label.as_str()),
                    Some(language.code()),
                    now,
                )
                .await?;
            info!("author already answered in this thread");
            return Ok(Outcome::Skipped(reason));
        }

        self.store
            .record_decision(
                key,
                "answer",
                Some(label.as_str()),
                Some(language.code()),
                now,
            )
            .await?;
        let initial = match page.settings.mode {
            ReplyMode::Auto => MessageState::Pending,
            ReplyMode::Approval => MessageState::Draft,
            ReplyMode::DryRun => MessageState::DryRun,
        };
        self.store
            .create_message(key, Channel::Public, &drafts.public, initial, now)
            .await?;
        if let Some(private) = &drafts.private {
            self.store
                .create_message(key, Channel::Private, private, initial, now)
                .await?;
        }
        if let Some(task) = &task {
            let created = self
                .store
                .create_task(
                    key,
                    &NewTask {
                        account_id: f.account_id.clone(),
                        due_at: task.due_at,
                        channel: if drafts.private.is_some() {
                            "platform_message".into()
                        } else {
                            "manual".into()
                        },
                        next_step: task.next_step.clone(),
                        label: label.as_str().into(),
                        language: language.code().into(),
                        mode: page.settings.mode.as_str().into(),
                        draft_public: drafts.public.clone(),
                        draft_private: drafts.private.clone(),
                        created_at: now,
                    },
                )
                .await?;
            if created {
                info!(due_at = %task.due_at, "follow-up task opened");
            }
        }
        if page.settings.mode != ReplyMode::Auto {
            info!(
                mode = page.settings.mode.as_str(),
                "drafted, nothing posted"
            );
            return Ok(Outcome::Drafted);
        }
        self.send_all(key, f, &page, drafts.private.is_some()).await
    }

    /// Send the drafts staff approved (`feedbackctl tasks approve`): the approval record's
    /// stream event lands here.
    #[instrument(skip_all, fields(platform = %key.platform, item_id = %key.item_id))]
    pub async fn deliver_approved(&self, key: &FeedbackKey) -> Result<Outcome, RespondError> {
        let Some(record) = self.store.feedback(key.platform, &key.item_id).await? else {
            return Ok(Outcome::Ignored);
        };
        let f = &record.feedback;
        if self.store.message(key, Channel::Public).await?.is_none() {
            return Ok(Outcome::Ignored);
        }
        let has_private = self.store.message(key, Channel::Private).await?.is_some();
        let page_record = self.store.page(f.platform, &f.account_id).await?;
        let page = Page::from_record(page_record.as_ref(), &self.defaults);
        info!("sending approved drafts");
        self.send_all(key, f, &page, has_private).await
    }

    /// Send the public acknowledgement, then the private message.
    async fn send_all(
        &self,
        key: &FeedbackKey,
        f: &Feedback,
        page: &Page,
        has_private: bool,
    ) -> Result<Outcome, RespondError> {
        let channels: &[Channel] = if has_private {
            &[Channel::Public, Channel::Private]
        } else {
            &[Channel::Public]
        };
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
        let token = match self
            .tokens
            .token(
                page.token_source.as_deref(),
                f.platform.as_str(),
                f.account_id.as_str(),
            )
            .await
        {
            Ok(token) => token,
            Err(TokenError::Unavailable(e)) => {
                // SSM hiccup: hand the item back, nothing was sent.
                return Err(RespondError::NotYetSent {
                    channel: "public",
                    reason: format!("page token unavailable: {e}"),
                });
            }
            Err(e) => {
                return self
                    .needs_reconnect(key, f, channels, &e.to_string(), true)
                    .await;
            }
        };
        let target = target(f);
        let mut failures = Vec::new();
        for channel in channels {
            match self.send(key, *channel, &target, &token).await? {
                Sent::Done => {}
                Sent::Failed(reason) => {
                    let reason = format!("{} message not sent: {reason}", channel.as_str());
                    self.store
                        .flag_task(key, REPLY_FAILED_FLAG, &reason, OffsetDateTime::now_utc())
                        .await?;
                    failures.push(reason);
                }
                Sent::Reconnect(reason) => {
                    self.tokens.forget();
                    return self.needs_reconnect(key, f, channels, &reason, true).await;
                }
            }
        }
        if failures.is_empty() {
            Ok(Outcome::Answered)
        } else {
            Ok(Outcome::NeedsStaff(failures.join("; ")))
        }
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
        for channel in channels {
            self.store.fail_message(key, *channel, reason, now).await?;
        }
        self.store
            .flag_task(key, RECONNECT_FLAG, reason, now)
            .await?;
        if mark_page {
            self.store
                .mark_page_reconnect(f.platform, &f.account_id, reason, now)
                .await?;
        }
        Ok(Outcome::NeedsStaff(reason.to_owned()))
    }

    /// Send one message at most once: claim it, reconcile an earlier uncertain attempt,
    /// call the platform, record the outcome; retry transient failures a few times.
    async fn send(
        &self,
        key: &FeedbackKey,
        channel: Channel,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Sent, RespondError> {
        let mut backoff = self.retry.backoff;
        let mut last_error = String::new();
        for round in 0..self.retry.attempts_per_invocation {
            if round > 0 {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            let now = OffsetDateTime::now_utc();
            let claim = self
                .store
                .claim_message(key, channel, now, self.retry.lease, self.retry.max_attempts)
                .await?;
            let reconcile = match claim {
                Claim::Settled(MessageState::Failed) => {
                    let failure = self
                        .store
                        .message(key, channel)
                        .await?
                        .and_then(|m| m.failure);
                    return Ok(Sent::Failed(failure.unwrap_or_else(|| "failed".into())));
                }
                Claim::Settled(_) => return Ok(Sent::Done),
                Claim::Busy => {
                    return Err(RespondError::NotYetSent {
                        channel: channel.as_str(),
                        reason: "another invocation is sending it".into(),
                    });
                }
                Claim::Acquired { reconcile, .. } => reconcile,
            };
            let Some(message) = self.store.message(key, channel).await? else {
                return Ok(Sent::Done);
            };
            if reconcile && channel == Channel::Public {
                match self.replies.find_public_reply(target, token).await {
                    Ok(Some(id)) => {
                        info!(
                            channel = channel.as_str(),
                            "an earlier attempt did post: reconciled"
                        );
                        let finish = Finish::Sent {
                            platform_message_id: Some(id),
                        };
                        self.store
                            .finish_message(key, channel, &finish, now)
                            .await?;
                        return Ok(Sent::Done);
                    }
                    Ok(None) => {}
                    Err(ReplyError::Reconnect(reason)) => {
                        let finish = Finish::Failed {
                            reason: reason.clone(),
                        };
                        self.store
                            .finish_message(key, channel, &finish, now)
                            .await?;
                        return Ok(Sent::Reconnect(reason));
                    }
                    Err(e) => {
                        // Cannot tell yet whether it was posted: stay uncertain.
                        last_error = e.to_string();
                        let finish = Finish::Uncertain {
                            error: last_error.clone(),
                        };
                        self.store
                            .finish_message(key, channel, &finish, now)
                            .await?;
                        continue;
                    }
                }
            }
            let result = match channel {
                Channel::Public => self
                    .replies
                    .post_public_reply(target, &message.text, token)
                    .await
                    .map(Some),
                Channel::Private => {
                    self.replies
                        .send_private_reply(target, &message.text, token)
                        .await
                }
            };
            let now = OffsetDateTime::now_utc();
            let finish = match result {
                Ok(id) => Finish::Sent {
                    platform_message_id: id,
                },
                Err(ReplyError::AlreadySent) => Finish::Sent {
                    platform_message_id: None,
                },
                Err(ReplyError::Reconnect(reason)) => {
                    let finish = Finish::Failed {
                        reason: reason.clone(),
                    };
                    self.store
                        .finish_message(key, channel, &finish, now)
                        .await?;
                    return Ok(Sent::Reconnect(reason));
                }
                Err(ReplyError::Rejected(reason)) => Finish::Failed { reason },
                Err(ReplyError::Transient(error)) => {
                    last_error = error.clone();
                    Finish::Retry { error }
                }
                Err(ReplyError::Ambiguous(error)) => {
                    last_error = error.clone();
                    Finish::Uncertain { error }
                }
            };
            self.store
                .finish_message(key, channel, &finish, now)
                .await?;
            match finish {
                Finish::Sent { .. } => {
                    info!(channel = channel.as_str(), "sent");
                    return Ok(Sent::Done);
                }
                Finish::Failed { reason } => {
                    warn!(
                        channel = channel.as_str(),
                        reason, "refused by the platform; not retried"
                    );
                    return Ok(Sent::Done);
                }
                Finish::Retry { .. } | Finish::Uncertain { .. } => {
                    warn!(channel = channel.as_str(), error = %last_error, round, "attempt failed");
                }
            }
        }
        Err(RespondError::NotYetSent {
            channel: channel.as_str(),
            reason: last_error,
        })
    }
}

/// For logs: the error and its causes.
pub fn describe(e: &RespondError) -> String {
    error_chain(e)
}
