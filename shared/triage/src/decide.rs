//! The decision for one piece of feedback: skip it (and why), or answer it (what to say
//! publicly, what privately, and what staff should do next).

use crate::classify::model::{self, Class, Model};
use crate::classify::{Analysis, Turn, analyse_unsure};
use crate::confidence::{self, Boldness, Confidence, ModelRule};
use crate::language::detect;
use crate::templates::{self, Drafts, Item, Placeholders, TemplateSet};
use crate::{Label, Language};
use feedback::capabilities::Capabilities;
use feedback::page::PageConfig;
pub use feedback::page::ReplyMode;
pub use feedback::records::SkipReason;
use feedback::settings;
use feedback::{Feedback, FeedbackKind, Rating};
use time::{Duration, OffsetDateTime};

/// A page's settings that shape the decision (the rest of its configuration, such as
/// where its token comes from, is the responder's business).
#[derive(Debug, Clone, PartialEq)]
pub struct PageSettings {
    /// The name replies are signed with (`{brand}` in the signature). Empty: each
    /// language's own neutral sign-off ("– Het team", "– L'équipe", …), never an English
    /// phrase inside another language.
    pub brand_name: String,
    pub default_language: Language,
    pub mode: ReplyMode,
    pub thank_positive: bool,
    pub sla_hours: u32,
    /// `{brand}` may be used; default `– {brand}`.
    pub signature: String,
    /// How customers reach the page (phone, e-mail or link, not a sentence): each
    /// language's `contact_line` presents it, in private messages and in public replies
    /// that cannot send one. May be empty: then no contact line is shown. A language's
    /// template `contact` overrides it for that language.
    pub contact: String,
    /// Items older than this (by when they were written) are not answered.
    pub max_age_hours: u32,
    /// How readily an item whose signals disagree is held for a person.
    pub boldness: Boldness,
    /// Digests ([`crate::templates::reply_digest`]) of the page's latest public replies
    /// (the responder keeps the last [`feedback::page::RECENT_REPLIES`]): a reply is not
    /// worded like any of them while another variant is free. Not configuration: the
    /// responder fills it from the page's record.
    pub recent_replies: Vec<String>,
}

impl PageSettings {
    /// The settings of pages without their own, from the deployment's variables
    /// (`BRAND_NAME`, `DEFAULT_LANGUAGE`, `REPLY_MODE`, `THANK_POSITIVE`, `SLA_HOURS`,
    /// `SIGNATURE`, `CONTACT`, `MAX_REPLY_AGE_HOURS`): read the same way by every function
    /// and tool. Each unreadable value is added to `problems` and its default kept.
    pub fn defaults_from(
        get: &impl Fn(&str) -> Option<String>,
        problems: &mut Vec<String>,
    ) -> Self {
        let sla_hours = settings::number(get, "SLA_HOURS", 24, problems);
        let max_age_hours = settings::number(get, "MAX_REPLY_AGE_HOURS", 72, problems);
        let value = |k: &str| settings::value(get, k);
        Self {
            brand_name: value("BRAND_NAME").unwrap_or_else(|| "our team".into()),
            default_language: parsed(
                get,
                ("DEFAULT_LANGUAGE", "one of nl, en, fr, de, es"),
                Language::parse,
                Language::En,
                problems,
            ),
            mode: parsed(
                get,
                ("REPLY_MODE", "auto, approval or dry-run"),
                ReplyMode::parse,
                ReplyMode::Auto,
                problems,
            ),
            thank_positive: parsed(
                get,
                ("THANK_POSITIVE", "true or false"),
                |v| v.parse().ok(),
                true,
                problems,
            ),
            sla_hours,
            signature: value("SIGNATURE").unwrap_or_else(|| "– {brand}".into()),
            contact: value("CONTACT").unwrap_or_default(),
            max_age_hours,
            // Per page (`feedbackctl pages set PAGE --boldness …`); balanced by default.
            boldness: Boldness::default(),
            recent_replies: Vec::new(),
        }
    }
}

/// A setting read with `parse`; `default` when it is not set, and when `parse` cannot read
/// it (then said in `problems`: "`name` must be `expected`, not …").
fn parsed<T>(
    get: &impl Fn(&str) -> Option<String>,
    (name, expected): (&str, &str),
    parse: impl Fn(&str) -> Option<T>,
    default: T,
    problems: &mut Vec<String>,
) -> T {
    let Some(v) = settings::value(get, name) else {
        return default;
    };
    parse(&v).unwrap_or_else(|| {
        problems.push(format!("{name} must be {expected}, not {v:?}"));
        default
    })
}

impl Default for PageSettings {
    fn default() -> Self {
        Self {
            brand_name: String::new(),
            default_language: Language::En,
            mode: ReplyMode::Auto,
            thank_positive: true,
            sla_hours: 24,
            signature: "– {brand}".into(),
            contact: String::new(),
            max_age_hours: 72,
            boldness: Boldness::default(),
            recent_replies: Vec::new(),
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
            boldness: config.boldness.unwrap_or(defaults.boldness),
            recent_replies: defaults.recent_replies.clone(),
        }
    }
}

/// What happened to an item since it was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemState {
    pub removed: bool,
    pub edited: bool,
    /// The digest of the public reply already drafted for the item (a redelivery, an
    /// approval): the same words are drafted again when they are among ours.
    pub replied_with: Option<String>,
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
        /// How sure the label is and why; with a hold, nothing is posted until a person
        /// approves (the task is opened, flagged and announced).
        confidence: Confidence,
    },
}

/// The label of an item: for a review the rating leads and the text refines it; a
/// comment is labelled from its text alone. `None`: nothing to read or rate.
fn label_of(analysis: Option<&Analysis>, rating: Option<Rating>) -> Option<Label> {
    let from_text = analysis.map(|a| a.label);
    let Some(stars) = rating.map(Rating::stars) else {
        return from_text;
    };
    // Three stars with praise and then something concrete ("Good food, but the bill was
    // wrong"): mixed, answered as a complaint that thanks for the good part.
    let mixed = analysis.is_some_and(|a| {
        a.evidence.turn == Turn::ToComplaint || (a.evidence.themes > 0 && a.evidence.positive > 0)
    });
    Some(match (stars, from_text) {
        (_, Some(label @ (Label::Spam | Label::Threat))) => label,
        // One or two stars is a complaint, whatever words it uses.
        (1 | 2, _) => Label::Negative,
        // Three stars is mixed: the text says which way it leans; praise is not assumed.
        (3, Some(label @ (Label::Negative | Label::Question))) => label,
        (3, _) if mixed => Label::Negative,
        (3, _) => Label::Neutral,
        // Four or five stars is praise unless the text raises a problem or a question.
        (_, Some(label @ (Label::Negative | Label::Question | Label::Abusive))) => label,
        _ => Label::Positive,
    })
}

/// How [`decide`] reads a text: its language (detected, else `fallback`) and what its words
/// say. A text too short to tell its language is read with every language's words.
pub fn read(text: &str, fallback: Language) -> (Language, Analysis) {
    let (language, sure) = detect(text, fallback);
    (language, analyse_unsure(text, language, !sure))
}

/// Decide what to do with one item. Pure: the same item, page and clock give the same
/// decision, so a redelivered stream record drafts the same words. The word lists decide,
/// and the shipped model may hold what they would answer, answer what they hold as too
/// weak to tell ([`crate::confidence::weigh_model`]), or answer as a complaint what it is
/// sure is one ([`crate::confidence::answer_as_complaint`]).
pub fn decide(
    feedback: &Feedback,
    state: ItemState,
    page: &PageSettings,
    capabilities: &Capabilities,
    templates: &TemplateSet,
    now: OffsetDateTime,
) -> Decision {
    let case = Case {
        feedback,
        state,
        page,
        capabilities,
        templates,
        now,
    };
    decide_with(case, Some(&ModelUse::SHIPPED))
}

/// What one decision is made on: the item, what happened to it, its page, its platform's
/// capabilities, the wording and the clock.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    pub feedback: &'a Feedback,
    pub state: ItemState,
    pub page: &'a PageSettings,
    pub capabilities: &'a Capabilities,
    pub templates: &'a TemplateSet,
    pub now: OffsetDateTime,
}

/// A model and the rules its probabilities are weighed by.
#[derive(Debug, Clone, Copy)]
pub struct ModelUse<'a> {
    pub model: Model<'a>,
    /// The rule of balanced and cautious pages.
    pub rule: ModelRule,
    /// The rule of bold pages.
    pub bold: ModelRule,
}

impl ModelUse<'static> {
    /// The shipped model, weighed by the shipped rules: what [`decide`] uses.
    pub const SHIPPED: ModelUse<'static> = ModelUse {
        model: model::SHIPPED,
        rule: ModelRule::SHIPPED,
        bold: ModelRule::BOLD,
    };
}

/// [`decide`] with another model and rule, or with the word lists alone (`None`): what
/// the trainer measures candidates with, by the same path as the product.
pub fn decide_with(case: Case<'_>, model: Option<&ModelUse<'_>>) -> Decision {
    let (feedback, page, capabilities) = (case.feedback, case.page, case.capabilities);
    let skip = |reason, label, language| Decision::Skip {
        reason,
        label,
        language,
    };
    if feedback.from_account {
        return skip(SkipReason::OwnAccount, None, None);
    }
    if case.state.removed {
        return skip(SkipReason::Removed, None, None);
    }
    if case.state.edited {
        return skip(SkipReason::Edited, None, None);
    }
    let written = feedback.created_at.unwrap_or(feedback.received_at);
    // An old item is still read, drafted and given a task; it is only never answered on
    // its own (held below).
    let too_old = case.now - written > Duration::hours(i64::from(page.max_age_hours));
    let text = feedback.text.as_deref().filter(|t| !t.trim().is_empty());
    // The platform's or sender's word on the language beats the page's default.
    let fallback = feedback
        .language
        .as_deref()
        .and_then(Language::parse)
        .unwrap_or(page.default_language);
    let reading = text.map(|t| read(t, fallback));
    let language = reading.map_or(fallback, |(language, _)| language);
    let analysis = reading.map(|(_, analysis)| analysis);
    let text_label = analysis.map(|a| a.label);
    let Some(label) = label_of(analysis.as_ref(), feedback.rating) else {
        return skip(SkipReason::NoText, None, None);
    };
    match label {
        Label::Spam => return skip(SkipReason::Spam, Some(label), Some(language)),
        Label::Abusive => return skip(SkipReason::Abusive, Some(label), Some(language)),
        Label::Threat => return skip(SkipReason::Threat, Some(label), Some(language)),
        Label::Positive if !page.thank_positive => {
            return skip(SkipReason::ThanksOff, Some(label), Some(language));
        }
        _ => {}
    }
    let mut confidence = confidence::assess(
        label,
        text_label,
        analysis.as_ref().map(|a| &a.evidence),
        feedback.rating.map(Rating::stars),
        page.boldness,
    );
    let mut label = label;
    if let (Some(model), Some(text)) = (model, text) {
        let stars = feedback.rating.map(Rating::stars);
        let scores = model.model.scores(text, language, stars);
        let rule = if page.boldness == Boldness::Bold {
            &model.bold
        } else {
            &model.rule
        };
        let before = confidence.hold;
        if confidence::answer_as_complaint(label, before, &scores, rule, page.boldness) {
            confidence.signals = format!(
                "{}; model: {:.0}% that this is a complaint, answered as one",
                confidence.signals,
                scores[Class::Complaint as usize] * 100.0
            );
            label = Label::Negative;
            confidence.hold = None;
        } else {
            confidence.hold = confidence::weigh_model(
                label,
                before,
                analysis
                    .as_ref()
                    .is_some_and(|a| confidence::plain_complaint(&a.evidence)),
                &scores,
                rule,
                page.boldness,
            );
            if let Some(risk) = confidence::risk(label, &scores) {
                confidence.signals = format!(
                    "{}; model: {:.0}% that this answer is wrong",
                    confidence.signals,
                    risk * 100.0
                );
            }
        }
        match (before, confidence.hold) {
            (None, Some(_)) => confidence.score = confidence.score.min(59),
            (Some(_), None) => confidence.score = confidence.score.max(60),
            _ => {}
        }
    }
    // A private message refers to the customer's own comment or review; a mention in
    // someone else's post or caption has none to refer to.
    let private_allowed = label != Label::Positive
        && feedback.kind != FeedbackKind::Mention
        && capabilities.private_message_allowed(written, case.now);
    let placeholders = Placeholders {
        // A handle is never echoed; a display name only when it reads as a name.
        name: templates::greeting_name(feedback.author_name.as_deref(), capabilities.author_names),
        brand: page.brand_name.clone(),
        signature: page.signature.clone(),
        contact: page.contact.clone(),
    };
    let item = Item {
        language,
        register: analysis.and_then(|a| a.register),
        label,
        theme: analysis.and_then(|a| a.theme),
        // "Good X, but Y" (and three stars with both): thanked for X, apologised for Y.
        // Never where irony is read: that praise is not meant.
        mixed: analysis.is_some_and(|a| {
            let e = &a.evidence;
            e.positive > e.praise_by_negation
                && e.irony == 0
                && (e.turn == Turn::ToComplaint || feedback.rating.is_some_and(|r| r.stars() == 3))
        }),
        id: feedback.item_id.as_str(),
        avoid: &page.recent_replies,
        prefer: case.state.replied_with.as_deref(),
    };
    let mut drafts = templates::draft(case.templates, item, &placeholders, private_allowed);
    if let Some(public) = capabilities.public_replies {
        drafts.public = public.limit.fit(drafts.public);
        drafts.public_without_private = public.limit.fit(drafts.public_without_private);
    }
    if let Some(limit) = capabilities.private_channel.limit() {
        drafts.private = drafts.private.map(|p| limit.fit(p));
    }
    if too_old {
        confidence.hold = Some(confidence::HoldReason::TooOld);
    }
    // A held item always gets a task: that is where a person approves it. Its customer
    // waits for an answer, so it is due within the hour (and sorts first in the queues,
    // which are ordered by due time; the sweeper escalates it when it is not looked at).
    let sla_hours = if confidence.hold.is_some() && !too_old {
        page.sla_hours.min(1)
    } else {
        page.sla_hours
    };
    let task = (label != Label::Positive
        || capabilities.public_replies.is_none()
        || confidence.hold.is_some())
    .then(|| TaskDraft {
        due_at: feedback.received_at + Duration::hours(i64::from(sla_hours)),
        next_step: drafts.next_step.clone(),
    });
    Decision::Answer {
        label,
        language,
        drafts,
        task,
        confidence,
    }
}

/// The task to open for an item that is skipped but must still be seen by a person:
/// a threat (never answered in public). `None` for every other skip. Due within the
/// page's SLA, and within four hours at most.
pub fn task_for_skip(
    feedback: &Feedback,
    reason: SkipReason,
    language: Option<Language>,
    page: &PageSettings,
    templates: &TemplateSet,
) -> Option<TaskDraft> {
    (reason == SkipReason::Threat).then(|| TaskDraft {
        due_at: feedback.received_at + Duration::hours(i64::from(page.sla_hours.min(4))),
        next_step: templates::threat_step(templates, language.unwrap_or(page.default_language)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedback::capabilities::{AuthorNames, PublicReplies, TextLimit};
    use feedback::{AccountId, ItemId, Platform};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-11-23 12:00 UTC);

    const SOCIAL: Capabilities = Capabilities::EXAMPLE_COMMENTS;

    const REVIEWS: Capabilities = Capabilities::EXAMPLE_REVIEWS;

    fn comment(text: &str) -> Feedback {
        Feedback {
            thread_id: Some("1029384756_777".into()),
            parent_id: Some("1029384756_777".into()),
            author_id: Some("5550001".into()),
            author_name: Some("Anke de Vries".into()),
            text: Some(text.into()),
            created_at: Some(NOW - Duration::minutes(1)),
            ..Feedback::example_comment(
                Platform::from_static("facebook"),
                "1029384756",
                "777_1",
                NOW,
            )
            .unwrap()
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
        let (label, language, drafts, task) = answered(
            "Mijn bestelling is na twee weken nog steeds niet geleverd. Heel teleurstellend!",
        );
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
    fn a_handle_is_never_echoed_where_names_are_usernames() {
        let handles = Capabilities {
            author_names: AuthorNames::Handles,
            ..SOCIAL
        };
        let mut f = comment("Mijn bestelling is na twee weken nog steeds niet geleverd.");
        f.author_name = Some("anke".into());
        let drafts = answer(decide_on(&f, &page(), &handles)).2;
        assert!(!drafts.public.contains("anke"), "{}", drafts.public);
        let drafts = answer(decide_on(&f, &page(), &SOCIAL)).2;
        assert!(
            drafts.public.starts_with("Hallo anke,"),
            "{}",
            drafts.public
        );
    }

    #[test]
    fn own_removed_edited_and_old_items_are_skipped() {
        let mut own = comment("Bedankt voor je bericht");
        own.from_account = true;
        assert_eq!(skipped(decide_now(&own, &page())).0, SkipReason::OwnAccount);
        let t = TemplateSet::builtin().unwrap();
        let c = comment("Slecht!");
        for (removed, edited, reason) in [
            (true, false, SkipReason::Removed),
            (false, true, SkipReason::Edited),
        ] {
            let state = ItemState {
                removed,
                edited,
                ..ItemState::default()
            };
            assert_eq!(
                skipped(decide(&c, state, &page(), &SOCIAL, &t, NOW)).0,
                reason
            );
        }
        // Older than the page's maximum age: drafted, given a task, held for a person.
        let later = NOW + Duration::hours(73);
        match decide(&c, ItemState::default(), &page(), &SOCIAL, &t, later) {
            Decision::Answer {
                task: Some(_),
                confidence,
                drafts,
                ..
            } => {
                assert_eq!(confidence.hold, Some(crate::confidence::HoldReason::TooOld));
                assert!(!drafts.public.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn spam_and_abuse_are_labelled_and_skipped() {
        let spam = decide_now(
            &comment("Free followers!! click here https://x.example"),
            &page(),
        );
        assert_eq!(skipped(spam), (SkipReason::Spam, Some(Label::Spam)));
        let abuse = decide_now(&comment("Stelletje klootzakken, rot op"), &page());
        assert_eq!(skipped(abuse).0, SkipReason::Abusive);
    }

    /// A model that reads everything as `class`, sure of it: its bias alone.
    fn sure_model(class: crate::classify::model::Class) -> Vec<u8> {
        let mut bytes = vec![0u8; model::MODEL_LEN];
        bytes[..4].copy_from_slice(&1f32.to_le_bytes());
        bytes[4 + class as usize] = 100;
        bytes
    }

    fn decide_by(f: &Feedback, class: crate::classify::model::Class) -> Decision {
        let bytes = sure_model(class);
        let model = ModelUse {
            model: Model::from_bytes(&bytes).unwrap(),
            rule: ModelRule::SHIPPED,
            bold: ModelRule::BOLD,
        };
        let case = Case {
            feedback: f,
            state: ItemState::default(),
            page: &page(),
            capabilities: &SOCIAL,
            templates: &TemplateSet::builtin().unwrap(),
            now: NOW,
        };
        decide_with(case, Some(&model))
    }

    #[test]
    fn a_model_sure_of_praise_never_answers_spam_abuse_or_a_threat() {
        use crate::classify::model::Class;
        for (text, reason) in [
            (
                "Free followers!! click here https://x.example",
                SkipReason::Spam,
            ),
            ("Stelletje klootzakken, rot op", SkipReason::Abusive),
            (
                "Ik weet waar je woont, ik steek je winkel in brand",
                SkipReason::Threat,
            ),
        ] {
            for class in Class::ALL {
                match decide_by(&comment(text), class) {
                    Decision::Skip { reason: got, .. } => assert_eq!(got, reason, "{text}"),
                    other => panic!("{text}: {other:?}"),
                }
            }
        }
    }

    /// A model that reads everything mostly as a complaint and somewhat as praise, by its
    /// bias alone (complaint 3, praise `praise`, the rest 0): with praise 1 the risk of an
    /// apology (praise or unanswerable) is 14 %, with praise 2 it is 27 %.
    fn doubting_model(praise: u8) -> Vec<u8> {
        use crate::classify::model::Class;
        let mut bytes = vec![0u8; model::MODEL_LEN];
        bytes[..4].copy_from_slice(&0.5f32.to_le_bytes());
        bytes[4 + Class::Complaint as usize] = 6;
        bytes[4 + Class::Praise as usize] = 2 * praise;
        bytes
    }

    #[test]
    fn an_apology_the_model_doubts_is_held_by_how_sure_the_word_lists_are_and_how_bold_the_page_is()
    {
        let templates = TemplateSet::builtin().unwrap();
        let hold = |text: &str, boldness: Boldness, praise: u8| {
            let bytes = doubting_model(praise);
            let model = ModelUse {
                model: Model::from_bytes(&bytes).unwrap(),
                ..ModelUse::SHIPPED
            };
            let page = PageSettings { boldness, ..page() };
            let case = Case {
                feedback: &comment(text),
                state: ItemState::default(),
                page: &page,
                capabilities: &SOCIAL,
                templates: &templates,
                now: NOW,
            };
            let Decision::Answer {
                label, confidence, ..
            } = decide_with(case, Some(&model))
            else {
                panic!("{text}: a complaint is answered");
            };
            assert_eq!(label, Label::Negative, "{text}");
            confidence.hold
        };
        let disagrees = Some(crate::confidence::HoldReason::ModelDisagrees);
        // One negative word about the service: the word lists read a complaint, but not
        // one way only.
        let weak = "Slechte service!";
        // A plain complaint: a complaint word and another, nothing else.
        let plain = "Mijn pakket is nooit aangekomen, echt slecht en ik wil mijn geld terug";
        // A balanced page holds an apology from 10 % of doubt, a plain complaint's from
        // 20 %: 14 % holds the weak complaint only, 27 % holds both.
        assert_eq!(hold(weak, Boldness::Balanced, 1), disagrees);
        assert_eq!(hold(plain, Boldness::Balanced, 1), None);
        assert_eq!(hold(weak, Boldness::Balanced, 2), disagrees);
        assert_eq!(hold(plain, Boldness::Balanced, 2), disagrees);
        // A bold page weighs the model by its own rule: 14 % holds neither…
        assert_eq!(hold(weak, Boldness::Bold, 1), None);
        assert_eq!(hold(plain, Boldness::Bold, 1), None);
        // …27 % holds the weak complaint (from 20 %) and not the plain one (from 30 %).
        assert_eq!(hold(weak, Boldness::Bold, 2), disagrees);
        assert_eq!(hold(plain, Boldness::Bold, 2), None);
    }

    #[test]
    fn praise_the_model_reads_as_a_complaint_is_held_not_thanked() {
        use crate::classify::model::Class;
        let praise = comment("Heerlijk gegeten, super vriendelijk personeel!");
        let Decision::Answer {
            label, confidence, ..
        } = decide_by(&praise, Class::Complaint)
        else {
            panic!("praise is answered");
        };
        assert_eq!(label, Label::Positive);
        assert_eq!(
            confidence.hold,
            Some(crate::confidence::HoldReason::ModelDisagrees)
        );
        assert!(
            confidence.signals.contains("model"),
            "{}",
            confidence.signals
        );
        let Decision::Answer { confidence, .. } = decide_by(&praise, Class::Praise) else {
            panic!("praise is answered");
        };
        assert_eq!(confidence.hold, None);
    }

    #[test]
    fn what_the_word_lists_doubt_or_read_as_a_remark_is_answered_as_a_complaint_when_the_model_is_sure()
     {
        use crate::classify::model::Class;
        // Praise words over a repeated failure in scare quotes: the word lists doubt it.
        let doubted =
            comment("Echt fantastisch, mijn bestelling is voor de derde keer 'onderweg'.");
        // A fault described without a complaint word: a remark to the word lists.
        let symptom = comment("De kraan in onze kamer liep de hele nacht door.");
        let templates = TemplateSet::builtin().unwrap();
        for (f, boldness) in [(&doubted, Boldness::Balanced), (&symptom, Boldness::Bold)] {
            let settings = PageSettings { boldness, ..page() };
            let lists = decide_with(
                Case {
                    feedback: f,
                    state: ItemState::default(),
                    page: &settings,
                    capabilities: &SOCIAL,
                    templates: &templates,
                    now: NOW,
                },
                None,
            );
            let Decision::Answer {
                label, confidence, ..
            } = lists
            else {
                panic!("answered: {lists:?}");
            };
            assert!(
                label != Label::Negative || confidence.hold.is_some(),
                "the word lists alone answer it as a complaint already: {label:?}"
            );
            let bytes = sure_model(Class::Complaint);
            let model = ModelUse {
                model: Model::from_bytes(&bytes).unwrap(),
                ..ModelUse::SHIPPED
            };
            let case = |page| Case {
                feedback: f,
                state: ItemState::default(),
                page,
                capabilities: &SOCIAL,
                templates: &templates,
                now: NOW,
            };
            let Decision::Answer {
                label,
                confidence,
                drafts,
                task,
                ..
            } = decide_with(case(&settings), Some(&model))
            else {
                panic!("answered");
            };
            assert_eq!(label, Label::Negative);
            assert_eq!(confidence.hold, None);
            assert!(
                confidence.signals.contains("complaint"),
                "{}",
                confidence.signals
            );
            assert!(task.is_some(), "a complaint opens a task");
            assert!(
                drafts.private.is_some(),
                "a complaint on a comment gets a private message"
            );
            // A cautious page never lets the model answer what the word lists would not.
            let cautious = PageSettings {
                boldness: Boldness::Cautious,
                ..page()
            };
            match decide_with(case(&cautious), Some(&model)) {
                Decision::Answer {
                    label, confidence, ..
                } => assert!(
                    label != Label::Negative || confidence.hold.is_some(),
                    "{label:?} {confidence:?}"
                ),
                Decision::Skip { .. } => {}
            }
        }
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
        assert_eq!(skipped(decide_now(&praise, &off)).0, SkipReason::ThanksOff);
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
        let (label, language, drafts, task) =
            answer(decide_on(&review(1, None), &page(), &REVIEWS));
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

    /// Apple's documented example review (five stars, "Awesome!!!" over "It's a really
    /// fantastic app!"), read by the App Store's own list reader: praise, thanked without a
    /// person. Its exclamation marks underline the praise; they are not anger.
    #[test]
    fn the_documented_five_star_app_store_review_is_thanked_without_a_hold() {
        use platforms::app_store::{CAPABILITIES, parse_list};
        let answer: serde_json::Value = serde_json::from_str(include_str!(
            "../../../tests/contracts/app-store/customer-reviews-list-answer.json"
        ))
        .unwrap();
        let app = AccountId::parse("682658836").unwrap();
        let page_of_reviews = parse_list(&answer, &app, NOW);
        let review = &page_of_reviews.reviews[0].feedback;
        assert_eq!(review.rating.map(Rating::stars), Some(5));
        let written = review.created_at.unwrap();
        let templates = TemplateSet::builtin().unwrap();
        let page = PageSettings {
            default_language: Language::En,
            ..page()
        };
        let decision = decide(
            review,
            ItemState::default(),
            &page,
            &CAPABILITIES,
            &templates,
            written + Duration::minutes(5),
        );
        let Decision::Answer {
            label,
            language,
            confidence,
            drafts,
            ..
        } = decision
        else {
            panic!("not answered: {decision:?}");
        };
        assert_eq!(label, Label::Positive);
        assert_eq!(language, Language::En);
        assert_eq!(confidence.hold, None, "{}", confidence.signals);
        assert!(drafts.private.is_none());
    }

    #[test]
    fn a_comment_without_text_or_rating_is_skipped() {
        let mut empty = comment("");
        empty.text = None;
        assert_eq!(skipped(decide_now(&empty, &page())).0, SkipReason::NoText);
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

    #[test]
    fn good_x_but_y_is_a_complaint_that_thanks_for_x_and_apologises_for_y() {
        let (label, _, drafts, _) = answer(decide_on(
            &comment("Great shop and lovely stock, but the man at the till was rude to my mum."),
            &page(),
            &SOCIAL,
        ));
        assert_eq!(label, Label::Negative);
        assert!(
            drafts.public.contains("what went well") || drafts.public.contains("part of it"),
            "{}",
            drafts.public
        );
        assert!(drafts.public.contains("sorry"), "{}", drafts.public);
    }

    #[test]
    fn sarcasm_is_never_thanked_even_with_a_contrast() {
        let (label, _, drafts, _) = answer(decide_on(
            &comment(
                "Oh great, thanks for nothing, but the parcel is still missing after two weeks.",
            ),
            &page(),
            &SOCIAL,
        ));
        assert_eq!(label, Label::Negative);
        assert!(
            !drafts.public.contains("what went well") && !drafts.public.contains("part of it"),
            "{}",
            drafts.public
        );
    }

    #[test]
    fn no_two_replies_on_a_page_read_alike_within_its_last_twenty() {
        let texts = [
            (Language::En, "Terrible, my parcel never arrived."),
            (Language::En, "Do you open on Sundays?"),
            (Language::En, "Lovely people, thank you!"),
            (Language::Nl, "Mijn pakket is nooit aangekomen, slecht."),
            (Language::Nl, "Super vriendelijk geholpen, dank jullie wel!"),
            (Language::Fr, "Colis jamais reçu, c'est nul."),
            (Language::Fr, "Merci beaucoup, service parfait !"),
            (Language::De, "Paket nie angekommen, schlecht."),
            (Language::De, "Vielen Dank, toller Service!"),
            (Language::Es, "El pedido nunca llegó, fatal."),
            (Language::Es, "¡Muchas gracias, servicio perfecto!"),
        ];
        for (lang, text) in texts {
            for name in [None, Some("Sam Jansen")] {
                let mut page = PageSettings {
                    default_language: lang,
                    ..page()
                };
                let mut posted: Vec<String> = Vec::new();
                for n in 0..45 {
                    let mut c = comment(text);
                    c.item_id = ItemId::parse(format!("777_{n}")).unwrap();
                    c.author_name = name.map(str::to_owned);
                    let Decision::Answer { drafts, .. } = decide_on(&c, &page, &REVIEWS) else {
                        panic!("{text:?} is answered");
                    };
                    let window = &posted[posted.len().saturating_sub(20)..];
                    assert!(
                        !window.contains(&drafts.public),
                        "{lang} {text:?} #{n} repeats: {}",
                        drafts.public
                    );
                    posted.push(drafts.public.clone());
                    page.recent_replies.push(drafts.digest.clone());
                    let extra = page.recent_replies.len().saturating_sub(20);
                    page.recent_replies.drain(..extra);
                }
            }
        }
    }

    #[test]
    fn a_redelivery_keeps_the_words_it_drafted_whatever_was_said_since() {
        let c = comment("Mijn pakket is nooit aangekomen, slecht.");
        let first = answer(decide_on(&c, &page(), &REVIEWS)).2;
        let t = TemplateSet::builtin().unwrap();
        // Since then the page answered in those very words (and every other wording too).
        let page = PageSettings {
            recent_replies: vec![first.digest.clone(), "0123456789abcdef".into()],
            ..page()
        };
        let state = ItemState {
            replied_with: Some(first.digest.clone()),
            ..ItemState::default()
        };
        let again = answer(decide(&c, state, &page, &REVIEWS, &t, NOW)).2;
        assert_eq!(again, first);
        // Words that are not one of our drafts are not taken over: the usual choice.
        let planted = ItemState {
            replied_with: Some("ffffffffffffffff".into()),
            ..ItemState::default()
        };
        let fresh = answer(decide(
            &c,
            planted,
            &PageSettings::default(),
            &REVIEWS,
            &t,
            NOW,
        ))
        .2;
        assert_ne!(fresh.digest, "ffffffffffffffff");
    }

    fn answer(d: Decision) -> (Label, Language, Drafts, Option<TaskDraft>) {
        match d {
            Decision::Answer {
                label,
                language,
                drafts,
                task,
                ..
            } => (label, language, drafts, task),
            Decision::Skip { .. } => panic!("expected an answer, got {d:?}"),
        }
    }

    /// The answer to a comment saying `text` on the usual page.
    fn answered(text: &str) -> (Label, Language, Drafts, Option<TaskDraft>) {
        answer(decide_now(&comment(text), &page()))
    }

    /// Why `d` skips its item, and the label read from it.
    fn skipped(d: Decision) -> (SkipReason, Option<Label>) {
        match d {
            Decision::Skip { reason, label, .. } => (reason, label),
            Decision::Answer { .. } => panic!("expected a skip, got {d:?}"),
        }
    }

    #[test]
    fn a_sarcastic_complaint_gets_an_apology_and_a_private_message() {
        let (label, language, drafts, _) = answered(
            "Great, the third time my delivery is 'on its way' and it never shows up. Thanks a lot.",
        );
        assert_eq!((label, language), (Label::Negative, Language::En));
        assert!(drafts.public.contains("sorry"), "{}", drafts.public);
        assert!(drafts.public.contains("delivery") || drafts.public.contains("order"));
        assert!(!drafts.public.contains("kind words"), "{}", drafts.public);
        let private = drafts.private.unwrap();
        assert!(private.contains("order number"), "{private}");
    }

    #[test]
    fn french_spam_is_not_answered_and_a_threat_goes_to_a_person() {
        let spam = decide_now(
            &comment("Gagnez de l'argent facilement !!! Cliquez ici http://argent-facile.example"),
            &page(),
        );
        assert_eq!(skipped(spam).0, SkipReason::Spam);
        let threat = comment("Ik weet waar jullie eigenaar woont. Pas maar op.");
        let d = decide_now(&threat, &page());
        let Decision::Skip {
            reason,
            label,
            language,
        } = d
        else {
            panic!("a threat is never answered: {d:?}");
        };
        assert_eq!((reason, label), (SkipReason::Threat, Some(Label::Threat)));
        let templates = TemplateSet::builtin().unwrap();
        let task = task_for_skip(&threat, reason, language, &page(), &templates).unwrap();
        assert_eq!(task.due_at, NOW + Duration::hours(4));
        assert!(task.next_step.contains("bedreiging"), "{}", task.next_step);
        assert!(task_for_skip(&threat, SkipReason::Spam, language, &page(), &templates).is_none());
    }

    #[test]
    fn praise_with_an_emoji_is_thanked_without_a_private_message() {
        let (label, _, drafts, task) = answered("Top! 👍");
        assert_eq!(label, Label::Positive);
        assert!(drafts.private.is_none() && task.is_none());
    }

    #[test]
    fn the_customer_s_register_is_answered_in_kind() {
        let (_, language, drafts, _) = answered("Haben Sie am Sonntag geöffnet?");
        assert_eq!(language, Language::De);
        assert!(drafts.public.contains("Ihre Frage"), "{}", drafts.public);
        assert!(!drafts.public.contains(" du "), "{}", drafts.public);
        let (_, _, drafts, _) = answered("Habt ihr am Sonntag offen?");
        assert!(drafts.public.contains("deine Frage"), "{}", drafts.public);
        // No sign of a register: the language's default (Dutch: je).
        let (_, _, drafts, _) = answered("Mijn pakket is nog steeds niet geleverd");
        assert!(drafts.public.contains(" je "), "{}", drafts.public);
        let (_, _, drafts, _) =
            answered("Mijn pakket is nog steeds niet geleverd, kunt u mij helpen?");
        assert!(drafts.public.contains(" u "), "{}", drafts.public);
    }

    #[test]
    fn a_mention_gets_no_private_message_and_no_claim_of_one() {
        let mut mention = comment("@bakkerijzon mijn bestelling is nooit aangekomen");
        mention.kind = FeedbackKind::Mention;
        let (label, _, drafts, task) = answer(decide_now(&mention, &page()));
        assert_eq!(label, Label::Negative);
        assert!(drafts.private.is_none());
        assert!(!drafts.public.contains("privé"), "{}", drafts.public);
        assert!(
            !drafts.public.contains("berichtverzoeken"),
            "{}",
            drafts.public
        );
        assert!(task.unwrap().next_step.contains("Er kon geen privébericht"));
    }

    #[test]
    fn when_the_private_message_fails_there_is_a_public_reply_that_claims_none() {
        let (_, _, drafts, _) = answered("Mijn bestelling is nooit aangekomen, heel slecht");
        assert!(drafts.private.is_some());
        assert!(drafts.public.contains("privébericht"));
        assert!(
            !drafts.public_without_private.contains("privé"),
            "{}",
            drafts.public_without_private
        );
        assert!(drafts.public_without_private.starts_with("Hallo Anke,"));
    }

    #[test]
    fn neutral_comments_get_a_public_word_and_no_private_message() {
        let (label, _, drafts, _) = answered("Ik was er gisteren met mijn zus");
        assert_eq!(label, Label::Neutral);
        assert!(drafts.private.is_none());
        assert!(!drafts.public.contains("privé"), "{}", drafts.public);
    }

    #[test]
    fn without_a_brand_name_each_language_signs_off_in_its_own_words() {
        let page = PageSettings {
            default_language: Language::Nl,
            ..PageSettings::default()
        };
        let (_, _, drafts, _) = answer(decide_now(
            &comment("Mon colis n'est jamais arrivé, très déçu"),
            &page,
        ));
        assert!(drafts.public.ends_with("– L'équipe"), "{}", drafts.public);
        // The old English default is treated as no brand.
        let legacy = PageSettings {
            brand_name: "our team".into(),
            ..page
        };
        let (_, _, drafts, _) = answer(decide_now(
            &comment("Mein Paket ist nie angekommen, sehr enttäuschend"),
            &legacy,
        ));
        assert!(drafts.public.ends_with("– Das Team"), "{}", drafts.public);
        assert!(!drafts.public.contains("our team"));
    }

    #[test]
    fn a_review_without_private_channel_gives_the_page_s_contact() {
        let page = PageSettings {
            contact: "info@zon.example".into(),
            ..page()
        };
        let (_, _, drafts, task) = answer(decide_on(
            &review(1, Some("Slecht geholpen en veel te lang gewacht")),
            &page,
            &REVIEWS,
        ));
        assert!(drafts.private.is_none());
        assert!(
            drafts.public.contains("info@zon.example"),
            "{}",
            drafts.public
        );
        assert!(task.is_some());
    }
}
