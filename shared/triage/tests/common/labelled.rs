//! How a labelled corpus entry is put to `decide`, shared by `tests/labelled_accuracy.rs`
//! and `examples/train_model.rs`, so the figures and the trainer's candidates go the same
//! path: a Facebook comment (with stars, a review) written five minutes before [`NOW`], on
//! a page whose default language is not the entry's own (falling back to it never counts
//! as a hit).

use feedback::capabilities::Capabilities;
use feedback::{AccountId, Feedback, FeedbackKind, ItemId, Platform, Rating};
use time::{Duration, OffsetDateTime};
use triage::{
    Case, Decision, ItemState, Language, ModelUse, PageSettings, TemplateSet, decide_with,
};

pub const NOW: OffsetDateTime = time::macros::datetime!(2026-03-02 12:00 UTC);

/// The `n`th entry as an item.
pub fn item(text: &str, rating: Option<u8>, n: usize) -> Feedback {
    let kind = if rating.is_some() {
        FeedbackKind::Review
    } else {
        FeedbackKind::Comment
    };
    Feedback {
        author_id: Some(format!("author{n}")),
        author_name: Some("Sam Jansen".into()),
        text: Some(text.to_owned()),
        rating: rating.map(|r| Rating::new(r).unwrap()),
        created_at: Some(NOW - Duration::minutes(5)),
        raw: "{}".into(),
        ..Feedback::new(
            Platform::from_static("facebook"),
            AccountId::parse("1029384756").unwrap(),
            ItemId::parse(format!("777_{n}")).unwrap(),
            kind,
            NOW,
        )
    }
}

/// The decision on the `n`th entry (text, stars, language), by the product's path with
/// `model` (`None`: the word lists alone).
pub fn decide_entry(
    (text, rating, language): (&str, Option<u8>, Language),
    n: usize,
    templates: &TemplateSet,
    model: Option<&ModelUse<'_>>,
) -> Decision {
    let case = Case {
        feedback: &item(text, rating, n),
        state: ItemState::default(),
        page: &page(language),
        capabilities: capabilities(rating),
        templates,
        now: NOW,
    };
    decide_with(case, model)
}

/// The page an entry written in `language` is decided on: balanced, unless
/// `TRIAGE_BOLDNESS` names another boldness (`cautious`, `bold`) to measure.
pub fn page(language: Language) -> PageSettings {
    PageSettings {
        brand_name: "Zon".into(),
        boldness: std::env::var("TRIAGE_BOLDNESS")
            .ok()
            .and_then(|b| triage::confidence::Boldness::parse(&b))
            .unwrap_or_default(),
        default_language: if language == Language::En {
            Language::Nl
        } else {
            Language::En
        },
        ..PageSettings::default()
    }
}

/// A review platform's capabilities for an entry with stars, a comment platform's else.
pub fn capabilities(rating: Option<u8>) -> &'static Capabilities {
    if rating.is_some() {
        &Capabilities::EXAMPLE_REVIEWS
    } else {
        &Capabilities::EXAMPLE_COMMENTS
    }
}
