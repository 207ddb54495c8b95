//! The kinds and states the table stores, each with exactly one string form, so no literal
//! is written in two places. Store, responder and staff tools all use these.

use serde::Serialize;
use std::fmt;

/// An enum whose variants have exactly one string form each (stored, sent, typed by
/// staff): `as_str`, `parse`, `ALL`, `Display` and serde all use it.
#[macro_export]
macro_rules! stored_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in the order declared.
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            /// The one string form.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

stored_enum!(
    /// What a record of the table is (its `record_type`, which the stream filter matches).
    RecordType {
        Feedback => "feedback",
        Unsupported => "unsupported",
        Task => "task",
        Message => "message",
        Approval => "approval",
        AnsweredAuthor => "answered_author",
        Page => "page",
        /// "Fetch this item again": an update of an item whose webhooks carry only its id.
        Refresh => "refresh",
        /// A message sent after the first reply (the update request, the "resolved" note).
        FollowUp => "followup",
        /// One notification of one event to one of a page's targets (the outbox).
        Notification => "notification",
        /// That an author's personal data was erased (who asked, when, how much; never
        /// what was erased).
        Erasure => "erasure",
        /// A polled review source (an app on a store): the poller's cursor and last run.
        ReviewSource => "review_source",
        /// A page's complaints in one hour, per theme (spike detection).
        ComplaintCount => "complaint_count",
        /// One spike of complaints on a page, from detection to a person ending it.
        Spike => "spike",
        /// Which pages to look at for spikes: those with complaints in an hour, those in a crisis.
        SpikeWatch => "spike_watch",
    }
);

stored_enum!(
    /// Where a follow-up task stands:
    ///
    /// ```text
    /// open ──claim──▶ claimed ──resolve──▶ resolved ──(sweeper)──▶ update_requested ──▶ closed
    ///   └────────────────┴──resolve──▶ (resolved)      every resolved case is asked, once
    ///   └────────────────┴──drop (reason)──▶ dropped
    /// reopen: claimed, resolved, update_requested, closed or dropped ──▶ open
    /// ```
    TaskStatus {
        Open => "open",
        /// Someone is on it (`assignee`); still due, still escalated when late.
        Claimed => "claimed",
        /// Settled with the customer; the update request follows after a delay.
        Resolved => "resolved",
        /// The customer was asked to update their comment or review (sent, or a step for
        /// staff where the platform allows no message).
        UpdateRequested => "update_requested",
        Closed => "closed",
        /// Not pursued, with a reason (spam that slipped through, a duplicate, …).
        Dropped => "dropped",
    }
);

impl TaskStatus {
    /// Not settled yet: due, and escalated when late.
    pub fn is_unresolved(self) -> bool {
        matches!(self, TaskStatus::Open | TaskStatus::Claimed)
    }
}

stored_enum!(
    /// What was done to a task, as its history keeps it.
    TaskAction {
        Open => "open",
        Claim => "claim",
        Resolve => "resolve",
        Drop => "drop",
        Reopen => "reopen",
        Close => "close",
        /// Past its due time and not resolved: staff were told (once).
        Escalate => "escalate",
        /// The customer was asked to update their comment or review (or staff were given
        /// the text to send).
        RequestUpdate => "request_update",
    }
);

stored_enum!(
    /// What a complaint is about, for the reports ("many 'website does not work' comments
    /// mean the website needs fixing"). `other`: a complaint with no recognised theme.
    ComplaintTheme {
        Delivery => "delivery",
        /// Refunds, payments, invoices.
        Billing => "billing",
        /// The product itself.
        Quality => "quality",
        /// Staff and service.
        Service => "service",
        /// The website or app.
        Website => "website",
        Price => "price",
        Other => "other",
    }
);

stored_enum!(
    /// A message sent after the first reply.
    FollowUpKind {
        /// "Would you update your comment or review?", sent privately where the platform
        /// allows it.
        UpdateRequest => "update_request",
        /// A short public note under the original item that it was resolved (per page,
        /// off by default).
        ResolvedReply => "resolved_reply",
    }
);

stored_enum!(
    /// What staff are told about (README, "Notifications").
    NotificationEvent {
        TaskOpened => "task.opened",
        TaskEscalated => "task.escalated",
        TaskResolved => "task.resolved",
        PageReconnectNeeded => "page.reconnect_needed",
        /// Complaints about a theme spiked on a page (a crisis hold may have begun).
        PageSpikeDetected => "page.spike_detected",
        /// A person declared a page's spike over.
        PageSpikeEnded => "page.spike_ended",
    }
);

stored_enum!(
    /// What a task is flagged for (its `flags` set): each a thing for staff to see to.
    /// The inbox shows every one in words (`functions/tasks-api/assets/inbox.js`,
    /// `flag.{name}`, checked by a test).
    TaskFlag {
        /// Past its due time, unresolved.
        Escalated => "escalated",
        /// The update request must be sent by hand.
        AskForUpdate => "ask_for_update",
        /// The page's access was refused: reconnect it.
        ReconnectPage => "reconnect_page",
        /// A reply could not be sent.
        ReplyFailed => "reply_failed",
        /// The page has no contact line for customers without a private channel.
        SetContactLine => "set_contact_line",
        /// The page's access token is not stored yet.
        TokenMissing => "token_missing",
        /// The deployment cannot read the page's access token.
        FixSetup => "fix_setup",
        /// A stored message was not our draft: held, never sent.
        MessageMismatch => "message_mismatch",
        /// The customer changed their item after it came in.
        ReviewUpdated => "review_updated",
        /// The platform already holds a reply to the item.
        ReplyExists => "reply_exists",
        /// Held for a person: the signals disagreed or were too weak.
        NeedsReview => "needs_review",
        /// The update request could not be sent.
        UpdateRequestFailed => "update_request_failed",
    }
);

stored_enum!(
    /// Where a page's notifications go.
    NotifyTarget {
        /// A Slack incoming webhook: `{"text": …}`.
        Slack => "slack",
        /// A Microsoft Teams incoming webhook: `{"text": …}`.
        Teams => "teams",
        /// Any URL, as signed Standard Webhooks events.
        Webhook => "webhook",
    }
);

stored_enum!(
    /// How staff follow up on a task.
    TaskChannel {
        /// A private message goes out on the platform; staff continue the conversation.
        PlatformMessage => "platform_message",
        /// No private message could be sent: staff contact the customer themselves.
        Manual => "manual",
    }
);

stored_enum!(
    /// Which of an item's outgoing messages.
    Channel {
        /// The public acknowledgement under the item.
        Public => "public",
        /// The private message to its author.
        Private => "private",
    }
);

stored_enum!(
    /// Where an outgoing message stands (see `store::followup` for the transitions).
    MessageState {
        Draft => "draft",
        Pending => "pending",
        Sending => "sending",
        Uncertain => "uncertain",
        Sent => "sent",
        Failed => "failed",
        DryRun => "dry_run",
    }
);

stored_enum!(
    /// Why an item is not answered.
    SkipReason {
        /// Written by the account itself (our own replies come back as webhooks).
        OwnAccount => "own_account",
        Removed => "removed",
        Edited => "edited",
        TooOld => "too_old",
        /// Nothing to read (a mention whose text could not be fetched).
        NoText => "no_text",
        Spam => "spam",
        Abusive => "abusive",
        /// A threat (violence, intimidation): never answered in public; a person must see it.
        Threat => "threat",
        /// Positive, and the page turned thank-yous off.
        ThanksOff => "thanks_off",
        /// We already answered this author in this thread.
        AuthorAlreadyAnswered => "author_already_answered",
        /// The platform's content could not be fetched for good (deleted, no access).
        Unfetchable => "unfetchable",
    }
);

/// What was decided for an item, as stored on its record (`answer`, `skip:spam`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Answer,
    Skip(SkipReason),
}

impl Decision {
    pub fn to_stored(self) -> String {
        match self {
            Decision::Answer => "answer".to_owned(),
            Decision::Skip(reason) => format!("skip:{}", reason.as_str()),
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        match s.strip_prefix("skip:") {
            Some(reason) => SkipReason::parse(reason).map(Decision::Skip),
            None => (s == "answer").then_some(Decision::Answer),
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_stored())
    }
}

impl Serialize for Decision {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_stored())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value of a stored enum parses back from its one string form.
    fn assert_round_trips<T: Copy + PartialEq + fmt::Debug>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: fn(&str) -> Option<T>,
    ) {
        for value in all {
            assert_eq!(parse(as_str(*value)), Some(*value));
        }
    }

    #[test]
    fn every_stored_form_parses_back_to_its_value() {
        assert_round_trips(&RecordType::ALL, RecordType::as_str, RecordType::parse);
        assert_round_trips(
            &MessageState::ALL,
            MessageState::as_str,
            MessageState::parse,
        );
        for r in SkipReason::ALL {
            let d = Decision::Skip(r);
            assert_eq!(Decision::parse(&d.to_stored()), Some(d));
        }
        assert_eq!(Decision::parse("answer"), Some(Decision::Answer));
        assert_eq!(Decision::parse("skip:nonsense"), None);
        assert_round_trips(&TaskStatus::ALL, TaskStatus::as_str, TaskStatus::parse);
        assert_round_trips(
            &ComplaintTheme::ALL,
            ComplaintTheme::as_str,
            ComplaintTheme::parse,
        );
        assert_round_trips(
            &NotificationEvent::ALL,
            NotificationEvent::as_str,
            NotificationEvent::parse,
        );
        assert_eq!(TaskStatus::parse("done"), None);
    }

    #[test]
    fn serde_uses_the_stored_forms() {
        assert_eq!(
            serde_json::to_string(&MessageState::DryRun).ok().as_deref(),
            Some("\"dry_run\"")
        );
        assert_eq!(
            serde_json::to_string(&Decision::Skip(SkipReason::TooOld))
                .ok()
                .as_deref(),
            Some("\"skip:too_old\"")
        );
    }
}
