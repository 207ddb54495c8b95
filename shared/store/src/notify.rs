//! Notifications to staff where they already are: per page, to a Slack or Microsoft Teams
//! incoming webhook and/or any URL as signed Standard Webhooks events (README,
//! "Notifications").
//!
//! An [`Event`] (`task.opened`, `task.escalated`, `task.resolved`,
//! `page.reconnect_needed`) becomes one outbox record per configured target, keyed on the
//! event, the time it happens for its subject and the target, and created only if absent:
//! however often it is raised, each target is told once. Records wait on the sparse index
//! `notification#pending` (by when to try next) until they are sent or given up; the SLA
//! sweeper delivers them ([`crate::outbox`] states, so two sweepers never both send).
//! The body is fixed when the record is made, so every retry sends the same bytes; target
//! URLs and secrets stay in the page's configuration and are read only to deliver.

use crate::codec::{Item, get_str, n, s, ts};
use crate::dynamo::{DynamoStore, conditional};
use crate::keys::*;
use crate::outbox::{Delivery, OutboxKey, Settle, Take, index_keys, number};
pub use crate::views::NotificationView;
use crate::views::TaskView;
use crate::views::{corrupt, notification_view};
use crate::{FeedbackRecord, StoreError};
use feedback::page::{PageConfig, PageRecord};
use feedback::records::{MessageState, NotificationEvent, NotifyTarget, RecordType};
use feedback::{AccountId, Platform};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// How much of a comment a notification quotes (it leaves the system: kept short).
pub const EXCERPT_CHARS: usize = 200;

/// Something staff are told about.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: NotificationEvent,
    /// The Standard Webhooks `webhook-id`: the same for every target and every retry, so
    /// receivers can drop a repeat.
    pub id: String,
    pub platform: Platform,
    pub account_id: AccountId,
    /// Where its outbox records live: the item's partition (erased with the item), or the
    /// page's.
    pub pk: String,
    /// Which time this happens to its subject (a reopened task can be late again; a page
    /// can need reconnecting again).
    pub round: String,
    pub at: OffsetDateTime,
    /// The event's `data` (documented in README, "Notifications").
    pub data: Value,
    /// One line for people (Slack, Teams).
    pub summary: String,
}

/// The targets a page has configured.
pub fn targets(config: &PageConfig) -> Vec<NotifyTarget> {
    let mut out = Vec::new();
    if config.notify_slack_url.is_some() {
        out.push(NotifyTarget::Slack);
    }
    if config.notify_teams_url.is_some() {
        out.push(NotifyTarget::Teams);
    }
    if config.notify_webhook_url.is_some() && config.notify_webhook_secret.is_some() {
        out.push(NotifyTarget::Webhook);
    }
    out
}

pub(crate) fn event_id(pk: &str, kind: NotificationEvent, round: &str) -> String {
    let digest = Sha256::new()
        .chain_update(pk.as_bytes())
        .chain_update([0u8])
        .chain_update(kind.as_str().as_bytes())
        .chain_update([0u8])
        .chain_update(round.as_bytes())
        .finalize();
    format!("msg_{}", &hex::encode(digest)[..26])
}

/// `text` on one line, without control characters, at most `max` characters.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let line = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if line.chars().count() <= max {
        line
    } else {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// How people call a task by its label.
fn what(label: &str) -> &'static str {
    match label {
        "negative" => "complaint",
        "question" => "question",
        "threat" => "threat (a person must look at it; never answered in public)",
        "positive" => "review",
        _ => "comment",
    }
}

fn minute(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

impl Event {
    /// A task event. `feedback` adds the item's url, rating and an excerpt of its text
    /// (new and escalated tasks only).
    pub fn for_task(
        kind: NotificationEvent,
        task: &TaskView,
        feedback: Option<&FeedbackRecord>,
        now: OffsetDateTime,
    ) -> Event {
        let page = format!("{}:{}", task.platform, task.account_id);
        let mut data = json!({
            "task": task.id,
            "platform": task.platform.as_str(),
            "page": page,
            "status": task.status,
            "label": task.label,
            "theme": task.theme,
            "language": task.language,
            "created_at": ts(task.created_at),
            "due_at": ts(task.due_at),
            "assignee": task.assignee,
        });
        let f = feedback.map(|r| &r.feedback);
        let excerpt = f
            .and_then(|f| f.text.as_deref())
            .filter(|_| kind != NotificationEvent::TaskResolved)
            .map(|t| one_line(t, EXCERPT_CHARS));
        if let Some(f) = f {
            data["url"] = json!(f.url);
            data["rating"] = json!(f.rating.map(|r| r.stars()));
        }
        if let Some(excerpt) = &excerpt {
            data["excerpt"] = json!(excerpt);
        }
        let theme = task.theme.map(|t| format!("{t}, ")).unwrap_or_default();
        let quoted = excerpt
            .as_deref()
            .map(|e| format!(" \u{201c}{e}\u{201d}"))
            .unwrap_or_default();
        let (round, summary) = match kind {
            NotificationEvent::TaskOpened => (
                task.round.to_string(),
                format!(
                    "New {} on {page} ({theme}{}), due {}:{quoted} (task {})",
                    what(&task.label),
                    task.language,
                    minute(task.due_at),
                    task.id
                ),
            ),
            NotificationEvent::TaskEscalated => {
                let overdue = (now - task.due_at).whole_minutes().max(0);
                data["overdue_minutes"] = json!(overdue);
                let held = task
                    .assignee
                    .as_deref()
                    .map(|a| format!(", claimed by {a}"))
                    .unwrap_or_else(|| ", not claimed".to_owned());
                (
                    task.round.to_string(),
                    format!(
                        "Overdue: task {} ({}{theme}{}) on {page} was due {} and is not resolved{held}.{quoted}",
                        task.id,
                        what(&task.label),
                        task.language,
                        minute(task.due_at)
                    ),
                )
            }
            NotificationEvent::TaskResolved => {
                data["resolved_at"] = json!(task.resolved_at.map(ts));
                data["resolved_by"] = json!(task.resolved_by);
                let by = task
                    .resolved_by
                    .as_deref()
                    .map(|b| format!(" by {b}"))
                    .unwrap_or_default();
                (
                    task.round.to_string(),
                    format!(
                        "Resolved: task {} ({}) on {page}{by}. The customer will be asked to update their comment or review.",
                        task.id,
                        what(&task.label)
                    ),
                )
            }
            NotificationEvent::PageReconnectNeeded
            | NotificationEvent::PageSpikeDetected
            | NotificationEvent::PageSpikeEnded => (
                task.round.to_string(),
                format!("Page {page} must be reconnected."),
            ),
        };
        let pk = task.key().pk();
        Event {
            kind,
            id: event_id(&pk, kind, &round),
            platform: task.platform.clone(),
            account_id: task.account_id.clone(),
            pk,
            round,
            at: now,
            data,
            summary,
        }
    }

    /// `page.reconnect_needed` for a page that needs reconnecting (`None` otherwise).
    pub fn page_reconnect(
        platform: &Platform,
        account: &AccountId,
        record: &PageRecord,
        now: OffsetDateTime,
    ) -> Option<Event> {
        if !record.needs_reconnect {
            return None;
        }
        let page = format!("{platform}:{account}");
        let round = record
            .reconnect_since
            .map_or_else(|| "0".to_owned(), |t| t.unix_timestamp().to_string());
        let reason = record
            .reconnect_reason
            .as_deref()
            .map(|r| one_line(r, 300))
            .unwrap_or_default();
        let pk = page_pk(platform, account);
        let kind = NotificationEvent::PageReconnectNeeded;
        Some(Event {
            kind,
            id: event_id(&pk, kind, &round),
            platform: platform.clone(),
            account_id: account.clone(),
            data: json!({
                "page": page,
                "platform": platform.as_str(),
                "reason": reason,
                "since": record.reconnect_since.map(ts),
            }),
            summary: format!(
                "Page {page} must be reconnected: nothing is answered there until it is ({reason}). Store a new token, then run: feedbackctl pages set {page} --reconnected"
            ),
            pk,
            round,
            at: now,
        })
    }

    /// What is sent to `target`: a signed Standard Webhooks event (`type`, `timestamp`,
    /// `data`), or `{"text": …}` for Slack and Teams, escaped for each one's markup (the
    /// summary quotes the customer, and ids and names come from outside too).
    pub fn body(&self, target: NotifyTarget) -> String {
        let value = match target {
            NotifyTarget::Webhook => json!({
                "type": self.kind.as_str(),
                "timestamp": ts(self.at),
                "data": self.data,
            }),
            NotifyTarget::Slack => json!({ "text": slack_escape(&self.summary) }),
            NotifyTarget::Teams => json!({ "text": teams_escape(&self.summary) }),
        };
        value.to_string()
    }

    fn sk(&self, target: NotifyTarget) -> String {
        format!(
            "{NOTIFICATION_SK_PREFIX}{}#{}#{}",
            self.kind.as_str(),
            self.round,
            target.as_str()
        )
    }
}

/// Slack reads `&`, `<` and `>` as markup: customer text must not make links or mentions.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Teams renders Markdown and some HTML: customer text must not make links, headings,
/// mentions (`<at>`), emphasis or any other markup. Every ASCII character that can start
/// Markdown is backslash-escaped; `&`, `<` and `>` become entities (so no tag and no
/// quote block). Teams shows the text as written.
fn teams_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A notification waiting to be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingNotification {
    pub pk: String,
    pub sk: String,
    pub event: NotificationEvent,
    pub event_id: String,
    pub target: NotifyTarget,
    pub platform: Platform,
    pub account_id: AccountId,
    pub body: String,
    pub attempts: u32,
}

fn pending(item: &Item) -> Result<PendingNotification, StoreError> {
    let text = |name: &str| get_str(item, name).map(str::to_owned);
    Ok(PendingNotification {
        pk: text(PK).ok_or_else(|| corrupt(item, "pk"))?,
        sk: text(SK).ok_or_else(|| corrupt(item, "sk"))?,
        event: get_str(item, "event")
            .and_then(NotificationEvent::parse)
            .ok_or_else(|| corrupt(item, "event"))?,
        event_id: text("event_id").unwrap_or_default(),
        target: get_str(item, "target")
            .and_then(NotifyTarget::parse)
            .ok_or_else(|| corrupt(item, "target"))?,
        platform: get_str(item, "platform")
            .and_then(|p| Platform::parse(p).ok())
            .ok_or_else(|| corrupt(item, "platform"))?,
        account_id: get_str(item, "account_id")
            .and_then(|a| AccountId::parse(a).ok())
            .ok_or_else(|| corrupt(item, "account_id"))?,
        body: text("body").unwrap_or_default(),
        attempts: number(item, "attempts"),
    })
}

impl PendingNotification {
    fn key(&self) -> OutboxKey<'_> {
        OutboxKey {
            pk: &self.pk,
            sk: &self.sk,
            indexed: true,
        }
    }
}

impl DynamoStore {
    /// One outbox record per target, unless it exists (an event raised twice, by two
    /// sweepers or twice over, is still told once). Returns how many were new.
    pub async fn enqueue_notification(
        &self,
        event: &Event,
        targets: &[NotifyTarget],
        now: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let mut created = 0;
        for target in targets {
            let sk = event.sk(*target);
            let (ipk, isk) = index_keys(now, &event.pk, &sk);
            let res = self
                .put_record(&event.pk, &sk, RecordType::Notification)
                .item("event", s(event.kind.as_str()))
                .item("target", s(target.as_str()))
                .item("event_id", s(&event.id))
                .item("platform", s(event.platform.as_str()))
                .item("account_id", s(event.account_id.as_str()))
                .item("body", s(event.body(*target)))
                .item("state", s(MessageState::Pending.as_str()))
                .item("attempts", n(0))
                .item("next_attempt_at", s(ts(now)))
                .item(GSI1_PK, s(ipk))
                .item(GSI1_SK, s(isk))
                .item("created_at", s(ts(now)))
                .item("updated_at", s(ts(now)))
                .condition_expression("attribute_not_exists(pk)")
                .send()
                .await;
            if conditional(res, "PutItem")? {
                created += 1;
            }
        }
        Ok(created)
    }

    /// Notifications due by `now`, oldest first (one query on the sparse index).
    pub async fn due_notifications(
        &self,
        now: OffsetDateTime,
    ) -> Result<Vec<PendingNotification>, StoreError> {
        self.query_all(
            Some("gsi1"),
            "gsi1pk = :p AND gsi1sk < :before",
            vec![
                (":p", s(PENDING_NOTIFICATIONS)),
                (":before", s(format!("{}~", ts(now)))),
            ],
            true,
        )
        .await?
        .iter()
        .map(pending)
        .collect()
    }

    /// Take a notification for one attempt.
    pub async fn take_notification(
        &self,
        n: &PendingNotification,
        now: OffsetDateTime,
        lease: Duration,
        max_attempts: u32,
    ) -> Result<Take, StoreError> {
        self.take_outbox(n.key(), now, lease, max_attempts).await
    }

    /// Record how an attempt ended (only the holder of the take can).
    pub async fn finish_notification(
        &self,
        n: &PendingNotification,
        delivery: &Delivery,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.settle_outbox(n.key(), Settle::Finished(delivery), now)
            .await
    }

    /// Every notification stored under one partition (an item's or a page's).
    pub async fn notifications_of(&self, pk: &str) -> Result<Vec<NotificationView>, StoreError> {
        self.query_all(
            None,
            "pk = :pk AND begins_with(sk, :prefix)",
            vec![(":pk", s(pk)), (":prefix", s(NOTIFICATION_SK_PREFIX))],
            true,
        )
        .await?
        .iter()
        .map(notification_view)
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_text_cannot_carry_links_or_mentions() {
        assert_eq!(
            slack_escape("<!channel> & <https://evil.example|click>"),
            "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"
        );
    }

    #[test]
    fn teams_text_cannot_carry_links_headings_mentions_or_emphasis() {
        assert_eq!(
            teams_escape("# [pay](https://x.example) <at>All</at> **now** & a\\b"),
            "\\# \\[pay\\]\\(https://x\\.example\\) &lt;at&gt;All&lt;/at&gt; \\*\\*now\\*\\* &amp; a\\\\b"
        );
        // Letters, digits, spaces and non-ASCII text are left as they are.
        assert_eq!(
            teams_escape("Één taart, 3 dagen: “nooit”"),
            "Één taart, 3 dagen: “nooit”"
        );
    }

    #[test]
    fn an_excerpt_is_one_short_line() {
        let long = "a\u{1b}[2J\nb ".repeat(200);
        let line = one_line(&long, 50);
        assert!(line.chars().count() <= 50, "{line}");
        assert!(!line.contains('\n') && !line.contains('\u{1b}'), "{line}");
    }

    #[test]
    fn the_event_id_is_the_same_for_the_same_event_and_differs_per_round() {
        let a = event_id("feedback#facebook#1", NotificationEvent::TaskOpened, "0");
        assert_eq!(
            a,
            event_id("feedback#facebook#1", NotificationEvent::TaskOpened, "0")
        );
        assert_ne!(
            a,
            event_id("feedback#facebook#1", NotificationEvent::TaskOpened, "1")
        );
        assert!(a.starts_with("msg_") && a.len() == 30, "{a}");
    }
}
