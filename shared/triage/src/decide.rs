//! The decision for one piece of feedback: skip it (and why), or answer it (what to say
//! publicly, what privately, and what staff should do next).

use crate::templates::{self, Drafts, Placeholders, TemplateSet};
use crate::{Label, Language, classify, detect_language};
use feedback::{Feedback, FeedbackKind, Platform};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// How a page wants its feedback answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplyMode {
    /// Post the acknowledgement and send the private message at once.
    Auto,
    /// Draft both and open the task; nothing is posted until staff approve.
    Approval,
    /// Draft, record as dry-run, post nothing.
    DryRun,
}

impl ReplyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyMode::Auto => "auto",
            ReplyMode::Approval => "approval",
            ReplyMode::DryRun => "dry-run",
        }
    }

    pub fn parse(s: &str) -> Option<ReplyMode> {
        [ReplyMode::Auto, ReplyMode::Approval, ReplyMode::DryRun]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// A page's settings that shape the decision (the rest of its configuration, such as
/// where its token comes from, is the responder's business).
#[derive(Debug, Clone, PartialEq)]
pub struct PageSettings {
    pub brand_name: String,
    pub default_language: Language,
    pub mode: ReplyMode,
    pub thank_positive: bool,
    pub sla_hours: u32,
    /// `{brand}` may be used; default `– {brand}`.
    pub signature: String,
    /// Extra contact line for private messages (phone, e-mail); may be empty.
    pub contact: String,
    /// Items older than this (by when they were written) are not answered.
    pub max_age_hours: u32,
}

impl Default for PageSettings {
    fn default() -> Self {
        Self {
            brand_name: "our team".into(),
            default_language: Language::En,
            mode: ReplyMode::Auto,
            thank_positive: true,
            sla_hours: 24,
            signature: "– {brand}".into(),
            contact: String::new(),
            max_age_hours: 72,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Written by the account itself (our own replies come back as webhooks).
    OwnAccount,
    Removed,
    Edited,
    TooOld,
    /// Nothing to read (a mention whose text was not delivered).
    NoText,
    Spam,
    Abusive,
    /// Positive, and the page turned thank-yous off.
    ThanksOff,
    /// We already answered this author in this thread (decided by the responder).
    AuthorAlreadyAnswered,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::OwnAccount => "own_account",
            SkipReason::Removed => "removed",
            SkipReason::Edited => "edited",
            SkipReason::TooOld => "too_old",
            SkipReason::NoText => "no_text",
            SkipReason::Spam => "spam",
            SkipReason::Abusive => "abusive",
            SkipReason::ThanksOff => "thanks_off",
            SkipReason::AuthorAlreadyAnswered => "author_already_answered",
        }
    }
}

/// The follow-up task to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDraft {
    pub due_at: OffsetDateTime,
    pub next_step: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Skip {
        reason: SkipReason,
        label: Option<Label>,
        language: Option<Language>,
    },
    Answer {
        label: Label,
        language: Language,
        drafts: Drafts,
        /// `None` for praise: a thank-you needs no follow-up.
        task: Option<TaskDraft>,
    },
}

/// Meta allows one private reply per comment, within 7 days of it.
pub const PRIVATE_REPLY_WINDOW: Duration = Duration::days(7);

/// Comment length limits of the platforms we answer on.
pub fn max_reply_chars(platform: Platform) -> usize {
    match platform {
        Platform::Facebook => 8000,
        Platform::Instagram => 2200,
    }
}

/// Decide what to do with one item. Pure: the same item, page and clock give the same
/// decision, so a redelivered stream record drafts the same words.
pub fn decide(
    feedback: &Feedback,
    removed: bool,
    edited: bool,
    page: &PageSettings,
    templates: &TemplateSet,
    now: OffsetDateTime,
) -> Decision {
    let skip = |reason, label, language| Decision::Skip {
        reason,
        label,
        language,
    };
    if feedback.from_account {
        return skip(SkipReason::OwnAccount, None, None);
    }
    if removed {
        return skip(SkipReason::Removed, None, None);
    }
    if edited {
        return skip(SkipReason::Edited, None, None);
    }
    let written = feedback.created_at.unwrap_or(feedback.received_at);
    if now - written > Duration::hours(i64::from(page.max_age_hours)) {
        return skip(SkipReason::TooOld, None, None);
    }
    let Some(text) = feedback.text.as_deref().filter(|t| !t.trim().is_empty()) else {
        return skip(SkipReason::NoText, None, None);
    };
    let language = detect_language(text, page.default_language);
    let label = classify(text, language);
    match label {
        Label::Spam => return skip(SkipReason::Spam, Some(label), Some(language)),
        Label::Abusive => return skip(SkipReason::Abusive, Some(label), Some(language)),
        Label::Positive if !page.thank_positive => {
            return skip(SkipReason::ThanksOff, Some(label), Some(language));
        }
        _ => {}
    }
    let private_allowed = label != Label::Positive
        && feedback.kind != FeedbackKind::Mention
        && now - written <= PRIVATE_REPLY_WINDOW;
    let placeholders = Placeholders {
        name: feedback.author_name.clone(),
        brand: page.brand_name.clone(),
        signature: page.signature.clone(),
        contact: page.contact.clone(),
    };
    let mut drafts = templates::draft(
        templates,
        language,
        label,
        feedback.item_id.as_str(),
        &placeholders,
        private_allowed,
    );
    let limit = max_reply_chars(feedback.platform);
    drafts.public = templates::within(drafts.public, limit);
    drafts.private = drafts.private.map(|p| templates::within(p, 1000));
    let task = (label != Label::Positive).then(|| TaskDraft {
        due_at: feedback.received_at + Duration::hours(i64::from(page.sla_hours)),
        next_step: drafts.next_step.clone(),
    });
    Decision::Answer {
        label,
        language,
        drafts,
        task,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedback::{AccountId, ItemId};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-11-23 12:00 UTC);

    fn comment(text: &str) -> Feedback {
        Feedback {
            platform: Platform::Facebook,
            account_id: AccountId::parse("1029384756").unwrap(),
            item_id: ItemId::parse("777_1").unwrap(),
            thread_id: Some("1029384756_777".into()),
            parent_id: Some("1029384756_777".into()),
            author_id: Some("5550001".into()),
            author_name: Some("Anke de Vries".into()),
            text: Some(text.into()),
            created_at: Some(NOW - Duration::minutes(1)),
            kind: FeedbackKind::Comment,
            from_account: false,
            raw: "{}".into(),
            received_at: NOW,
        }
    }

    fn page() -> PageSettings {
        PageSettings {
            brand_name: "Bakkerij Zon".into(),
            default_language: Language::Nl,
            ..PageSettings::default()
        }
    }

    fn decide_now(f: &Feedback, page: &PageSettings) -> Decision {
        decide(f, false, false, page, &TemplateSet::builtin().unwrap(), NOW)
    }

    #[test]
    fn a_dutch_complaint_gets_a_dutch_apology_a_private_message_and_a_task() {
        let d = decide_now(
            &comment(
                "Mijn bestelling is na twee weken nog steeds niet geleverd. Heel teleurstellend!",
            ),
            &page(),
        );
        let Decision::Answer {
            label,
            language,
            drafts,
            task,
        } = d
        else {
            panic!("expected an answer, got {d:?}");
        };
        assert_eq!((label, language), (Label::Negative, Language::Nl));
        assert!(
            drafts.public.starts_with("Hallo Anke,"),
            "{}",
            drafts.public
        );
        assert!(drafts.public.contains("privébericht"), "{}", drafts.public);
        assert!(drafts.private.unwrap().contains("bestelnummer"));
        assert_eq!(task.unwrap().due_at, NOW + Duration::hours(24));
    }

    #[test]
    fn own_removed_edited_and_old_items_are_skipped() {
        let mut own = comment("Bedankt voor je bericht");
        own.from_account = true;
        assert!(matches!(
            decide_now(&own, &page()),
            Decision::Skip {
                reason: SkipReason::OwnAccount,
                ..
            }
        ));
        let t = TemplateSet::builtin().unwrap();
        let c = comment("Slecht!");
        assert!(matches!(
            decide(&c, true, false, &page(), &t, NOW),
            Decision::Skip {
                reason: SkipReason::Removed,
                ..
            }
        ));
        assert!(matches!(
            decide(&c, false, true, &page(), &t, NOW),
            Decision::Skip {
                reason: SkipReason::Edited,
                ..
            }
        ));
        let later = NOW + Duration::hours(73);
        assert!(matches!(
            decide(&c, false, false, &page(), &t, later),
            Decision::Skip {
                reason: SkipReason::TooOld,
                ..
            }
        ));
    }

    #[test]
    fn spam_and_abuse_are_labelled_and_skipped() {
        let spam = decide_now(
            &comment("Free followers!! click here https://x.example"),
            &page(),
        );
        assert!(matches!(
            spam,
            Decision::Skip {
                reason: SkipReason::Spam,
                label: Some(Label::Spam),
                ..
            }
        ));
        let abuse = decide_now(&comment("Stelletje klootzakken, rot op"), &page());
        assert!(matches!(
            abuse,
            Decision::Skip {
                reason: SkipReason::Abusive,
                ..
            }
        ));
    }

    #[test]
    fn praise_gets_a_thank_you_without_task_unless_switched_off() {
        let praise = comment("Heerlijk gegeten, super vriendelijk personeel!");
        let Decision::Answer {
            label,
            task,
            drafts,
            ..
        } = decide_now(&praise, &page())
        else {
            panic!("praise is thanked");
        };
        assert_eq!(label, Label::Positive);
        assert!(task.is_none() && drafts.private.is_none());
        let off = PageSettings {
            thank_positive: false,
            ..page()
        };
        assert!(matches!(
            decide_now(&praise, &off),
            Decision::Skip {
                reason: SkipReason::ThanksOff,
                ..
            }
        ));
    }

    #[test]
    fn after_seven_days_no_private_message_is_drafted_and_the_task_is_manual() {
        let mut old = comment("Nog steeds niet geleverd, slecht!");
        old.created_at = Some(NOW - Duration::days(8));
        let page = PageSettings {
            max_age_hours: 24 * 30,
            ..page()
        };
        let Decision::Answer { drafts, task, .. } = decide_now(&old, &page) else {
            panic!("answered");
        };
        assert!(drafts.private.is_none());
        assert!(task.unwrap().next_step.contains("privébericht"));
    }
}
