//! The decision for one piece of feedback: skip it (and why), or answer it (what to say
//! publicly, what privately, and what staff should do next).

use crate::templates::{self, Drafts, Placeholders, TemplateSet};
use crate::{Label, Language, classify, detect_language};
use feedback::page::PageConfig;
pub use feedback::page::ReplyMode;
pub use feedback::records::SkipReason;
use feedback::{Feedback, FeedbackKind, Rating};
use platforms::capabilities::Capabilities;
use time::{Duration, OffsetDateTime};

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

impl PageSettings {
    /// A page's stored configuration over `defaults`: what the page leaves out, or sets to
    /// something unreadable, comes from the defaults, so one typo never stops its
    /// feedback from being answered.
    pub fn from_config(config: &PageConfig, defaults: &PageSettings) -> PageSettings {
        PageSettings {
            brand_name: config
                .brand_name
                .clone()
                .unwrap_or_else(|| defaults.brand_name.clone()),
            default_language: config
                .default_language
                .as_deref()
                .and_then(Language::parse)
                .unwrap_or(defaults.default_language),
            mode: config.mode.unwrap_or(defaults.mode),
            thank_positive: config.thank_positive.unwrap_or(defaults.thank_positive),
            sla_hours: config.sla_hours.unwrap_or(defaults.sla_hours),
            signature: config
                .signature
                .clone()
                .unwrap_or_else(|| defaults.signature.clone()),
            contact: config
                .contact
                .clone()
                .unwrap_or_else(|| defaults.contact.clone()),
            max_age_hours: config.max_age_hours.unwrap_or(defaults.max_age_hours),
        }
    }
}

/// What happened to an item since it was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemState {
    pub removed: bool,
    pub edited: bool,
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

/// The label of an item: for a review the rating leads and the text refines it; a
/// comment is labelled from its text alone. `None`: nothing to read or rate.
fn label_of(text: Option<&str>, rating: Option<Rating>, language: Language) -> Option<Label> {
    let from_text = text.map(|t| classify(t, language));
    let Some(stars) = rating.map(Rating::stars) else {
        return from_text;
    };
    Some(match (stars, from_text) {
        (_, Some(Label::Spam)) => Label::Spam,
        // One or two stars is a complaint, whatever words it uses.
        (1 | 2, _) => Label::Negative,
        // Three stars is mixed: the text says which way it leans; praise is not assumed.
        (3, Some(label @ (Label::Negative | Label::Question))) => label,
        (3, _) => Label::Neutral,
        // Four or five stars is praise unless the text raises a problem or a question.
        (_, Some(label @ (Label::Negative | Label::Question | Label::Abusive))) => label,
        _ => Label::Positive,
    })
}

/// Decide what to do with one item. Pure: the same item, page and clock give the same
/// decision, so a redelivered stream record drafts the same words.
pub fn decide(
    feedback: &Feedback,
    state: ItemState,
    page: &PageSettings,
    capabilities: &Capabilities,
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
    if state.removed {
        return skip(SkipReason::Removed, None, None);
    }
    if state.edited {
        return skip(SkipReason::Edited, None, None);
    }
    let written = feedback.created_at.unwrap_or(feedback.received_at);
    if now - written > Duration::hours(i64::from(page.max_age_hours)) {
        return skip(SkipReason::TooOld, None, None);
    }
    let text = feedback.text.as_deref().filter(|t| !t.trim().is_empty());
    let language = text.map_or(page.default_language, |t| {
        detect_language(t, page.default_language)
    });
    let Some(label) = label_of(text, feedback.rating, language) else {
        return skip(SkipReason::NoText, None, None);
    };
    match label {
        Label::Spam => return skip(SkipReason::Spam, Some(label), Some(language)),
        Label::Abusive => return skip(SkipReason::Abusive, Some(label), Some(language)),
        Label::Positive if !page.thank_positive => {
            return skip(SkipReason::ThanksOff, Some(label), Some(language));
        }
        _ => {}
    }
    // A private message refers to the customer's own comment or review; a mention in
    // someone else's post or caption has none to refer to.
    let private_allowed = label != Label::Positive
        && feedback.kind != FeedbackKind::Mention
        && capabilities.private_message_allowed(written, now);
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
    if let Some(public) = capabilities.public_replies {
        drafts.public = public.limit.fit(drafts.public);
    }
    if let Some(limit) = capabilities.private_channel.limit() {
        drafts.private = drafts.private.map(|p| limit.fit(p));
    }
    let task =
        (label != Label::Positive || capabilities.public_replies.is_none()).then(|| TaskDraft {
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
    use feedback::{AccountId, ItemId, Platform};
    use platforms::capabilities::{PrivateChannel, PublicReplies, TextLimit, WebhookContent};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-11-23 12:00 UTC);

    /// Comments with one private message within 7 days, like Meta's.
    const SOCIAL: Capabilities = Capabilities {
        private_channel: PrivateChannel::OneMessageWithin {
            window: Duration::days(7),
            limit: TextLimit::Chars(1000),
        },
        public_replies: Some(PublicReplies {
            limit: TextLimit::Chars(8000),
            one_per_item: false,
        }),
        ratings: false,
        content: WebhookContent::Included,
    };

    /// Reviews with stars and no private channel, like Google's.
    const REVIEWS: Capabilities = Capabilities {
        private_channel: PrivateChannel::None,
        public_replies: Some(PublicReplies {
            limit: TextLimit::Bytes(4096),
            one_per_item: true,
        }),
        ratings: true,
        content: WebhookContent::IdOnly,
    };

    fn comment(text: &str) -> Feedback {
        Feedback {
            platform: Platform::from_static("facebook"),
            account_id: AccountId::parse("1029384756").unwrap(),
            item_id: ItemId::parse("777_1").unwrap(),
            thread_id: Some("1029384756_777".into()),
            parent_id: Some("1029384756_777".into()),
            author_id: Some("5550001".into()),
            author_name: Some("Anke de Vries".into()),
            text: Some(text.into()),
            rating: None,
            created_at: Some(NOW - Duration::minutes(1)),
            kind: FeedbackKind::Comment,
            from_account: false,
            raw: "{}".into(),
            received_at: NOW,
        }
    }

    fn review(stars: u8, text: Option<&str>) -> Feedback {
        Feedback {
            platform: Platform::from_static("reviews"),
            kind: FeedbackKind::Review,
            rating: Rating::new(stars).ok(),
            text: text.map(str::to_owned),
            thread_id: None,
            parent_id: None,
            ..comment("")
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
        decide_on(f, page, &SOCIAL)
    }

    fn decide_on(f: &Feedback, page: &PageSettings, caps: &Capabilities) -> Decision {
        let templates = TemplateSet::builtin().unwrap();
        decide(f, ItemState::default(), page, caps, &templates, NOW)
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
        let removed = ItemState {
            removed: true,
            edited: false,
        };
        assert!(matches!(
            decide(&c, removed, &page(), &SOCIAL, &t, NOW),
            Decision::Skip {
                reason: SkipReason::Removed,
                ..
            }
        ));
        let edited = ItemState {
            removed: false,
            edited: true,
        };
        assert!(matches!(
            decide(&c, edited, &page(), &SOCIAL, &t, NOW),
            Decision::Skip {
                reason: SkipReason::Edited,
                ..
            }
        ));
        let later = NOW + Duration::hours(73);
        assert!(matches!(
            decide(&c, ItemState::default(), &page(), &SOCIAL, &t, later),
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
    fn after_the_private_window_no_private_message_is_drafted_or_claimed() {
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
        assert!(!drafts.public.contains("privébericht"), "{}", drafts.public);
        assert!(task.unwrap().next_step.contains("privébericht"));
    }

    #[test]
    fn a_one_star_review_without_text_is_answered_as_a_complaint_without_a_private_message() {
        let Decision::Answer {
            label,
            language,
            drafts,
            task,
        } = decide_on(&review(1, None), &page(), &REVIEWS)
        else {
            panic!("a bare one-star review is answered");
        };
        assert_eq!((label, language), (Label::Negative, Language::Nl));
        assert!(drafts.private.is_none());
        assert!(!drafts.public.contains("privébericht"), "{}", drafts.public);
        assert!(task.is_some());
    }

    #[test]
    fn the_rating_leads_and_the_text_refines() {
        let label = |stars, text| match decide_on(&review(stars, text), &page(), &REVIEWS) {
            Decision::Answer { label, .. } => Some(label),
            Decision::Skip { label, .. } => label,
        };
        assert_eq!(label(2, Some("Heerlijk gegeten!")), Some(Label::Negative));
        assert_eq!(label(3, None), Some(Label::Neutral));
        assert_eq!(label(5, None), Some(Label::Positive));
        assert_eq!(label(5, Some("Heerlijk gegeten!")), Some(Label::Positive));
        assert_eq!(
            label(
                4,
                Some("Lekker, maar de levering was weer te laat en slecht verpakt")
            ),
            Some(Label::Negative)
        );
        assert_eq!(
            label(1, Some("Free followers!! click here https://x.example")),
            Some(Label::Spam)
        );
    }

    #[test]
    fn a_comment_without_text_or_rating_is_skipped() {
        let mut empty = comment("");
        empty.text = None;
        assert!(matches!(
            decide_now(&empty, &page()),
            Decision::Skip {
                reason: SkipReason::NoText,
                ..
            }
        ));
    }

    #[test]
    fn replies_are_cut_to_the_platform_limit() {
        let caps = Capabilities {
            public_replies: Some(PublicReplies {
                limit: TextLimit::Chars(40),
                one_per_item: false,
            }),
            ..SOCIAL
        };
        let Decision::Answer { drafts, .. } = decide_on(&comment("Slecht!"), &page(), &caps) else {
            panic!("answered");
        };
        assert!(drafts.public.chars().count() <= 40, "{}", drafts.public);
    }

    #[test]
    fn a_page_config_overrides_only_what_it_sets() {
        let config = PageConfig {
            brand_name: Some("Zon".into()),
            default_language: Some("xx".into()),
            sla_hours: Some(4),
            ..PageConfig::default()
        };
        let settings = PageSettings::from_config(&config, &page());
        assert_eq!(settings.brand_name, "Zon");
        assert_eq!(settings.default_language, Language::Nl);
        assert_eq!(settings.sla_hours, 4);
        assert_eq!(settings.max_age_hours, page().max_age_hours);
    }
}
