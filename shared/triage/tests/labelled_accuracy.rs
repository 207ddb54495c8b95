//! Classification, routing, language, register and theme figures on the labelled corpus
//! (`tests/corpus/{nl,en,fr,de,es}.jsonl`): comments and reviews written to be hard, each
//! with its label, language and a split. `tune` entries are the ones the lexicons were
//! tuned on; `held_out` entries were written first and never tuned on: they are the honest
//! figure for comments the product has not seen.
//!
//! "Routed right": a complaint is answered with an apology (label negative); spam and
//! abuse are not answered; a threat is not answered and goes to a person (skip reason
//! `threat`); questions, neutral comments and praise are answered.
//!
//! Every item is decided with a page default language that is *not* its own, so falling
//! back to the default never counts as a hit. Run with
//! `cargo test -p triage --test labelled_accuracy -- --nocapture` for the tables and every miss.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use feedback::{AccountId, Feedback, FeedbackKind, ItemId, Platform, Rating};
use platforms::capabilities::{
    AuthorNames, Capabilities, PrivateChannel, PublicReplies, TextLimit, WebhookContent,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use time::{Duration, OffsetDateTime};
use triage::classify::{Register, Theme, analyse};
use triage::{Decision, ItemState, Label, Language, PageSettings, SkipReason, TemplateSet, decide};

const CORPUS: [&str; 5] = [
    include_str!("corpus/nl.jsonl"),
    include_str!("corpus/en.jsonl"),
    include_str!("corpus/fr.jsonl"),
    include_str!("corpus/de.jsonl"),
    include_str!("corpus/es.jsonl"),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    text: String,
    label: String,
    language: String,
    split: String,
    #[serde(default)]
    register: Option<String>,
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    rating: Option<u8>,
    /// Where an entry came from when it was not written for this set (`v1`: the first,
    /// smaller set, folded in).
    #[serde(default)]
    #[allow(dead_code)]
    source: Option<String>,
}

fn corpus() -> Vec<Entry> {
    CORPUS
        .iter()
        .flat_map(|file| file.lines())
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

const NOW: OffsetDateTime = time::macros::datetime!(2026-03-02 12:00 UTC);

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
    author_names: AuthorNames::DisplayNames,
};

const REVIEWS: Capabilities = Capabilities {
    private_channel: PrivateChannel::None,
    public_replies: Some(PublicReplies {
        limit: TextLimit::Bytes(4096),
        one_per_item: true,
    }),
    ratings: true,
    content: WebhookContent::IdOnly,
    author_names: AuthorNames::DisplayNames,
};

fn item(e: &Entry, n: usize) -> Feedback {
    Feedback {
        platform: Platform::from_static("facebook"),
        account_id: AccountId::parse("1029384756").unwrap(),
        item_id: ItemId::parse(format!("777_{n}")).unwrap(),
        thread_id: None,
        parent_id: None,
        author_id: Some(format!("author{n}")),
        author_name: Some("Sam Jansen".into()),
        text: Some(e.text.clone()),
        rating: e.rating.map(|r| Rating::new(r).unwrap()),
        created_at: Some(NOW - Duration::minutes(5)),
        url: None,
        language: None,
        kind: if e.rating.is_some() {
            FeedbackKind::Review
        } else {
            FeedbackKind::Comment
        },
        from_account: false,
        raw: "{}".into(),
        received_at: NOW,
    }
}

/// One entry's outcome.
struct Outcome {
    label_ok: bool,
    routed_ok: bool,
    language_ok: bool,
    /// `Some` when the entry says which register the reply should be in.
    register_ok: Option<bool>,
    /// `Some(ok)` when a theme was named in the reply: whether it was the right one.
    theme_named: Option<bool>,
    /// The public reply mentions a private message that was not drafted.
    false_claim: bool,
}

/// Words that say a private message was sent.
fn claims_private(lang: Language, text: &str) -> bool {
    let words: &[&str] = match lang {
        Language::En => &["private message", "privately", "message requests"],
        Language::Nl => &["privébericht", "berichtverzoeken"],
        Language::Fr => &["message privé", "en privé", "demandes de messages"],
        Language::De => &["private Nachricht", "privat", "Nachrichtenanfragen"],
        Language::Es => &["mensaje privado", "por privado", "solicitudes de mensajes"],
    };
    words.iter().any(|w| text.contains(w))
}

fn judge(e: &Entry, n: usize, templates: &TemplateSet, misses: &mut String) -> Outcome {
    let want_label = Label::parse(&e.label).expect("known label");
    let want_lang = Language::parse(&e.language).expect("known language");
    let default = if want_lang == Language::En {
        Language::Nl
    } else {
        Language::En
    };
    let page = PageSettings {
        brand_name: "Zon".into(),
        default_language: default,
        ..PageSettings::default()
    };
    let caps = if e.rating.is_some() {
        &REVIEWS
    } else {
        &SOCIAL
    };
    let f = item(e, n);
    let decision = decide(&f, ItemState::default(), &page, caps, templates, NOW);
    let (got_label, got_lang, answered) = match &decision {
        Decision::Answer {
            label, language, ..
        } => (Some(*label), Some(*language), true),
        Decision::Skip {
            label, language, ..
        } => (*label, *language, false),
    };
    let skip_reason = match &decision {
        Decision::Skip { reason, .. } => Some(*reason),
        Decision::Answer { .. } => None,
    };
    let routed_ok = match want_label {
        Label::Negative => answered && got_label == Some(Label::Negative),
        Label::Spam | Label::Abusive => matches!(
            skip_reason,
            Some(SkipReason::Spam | SkipReason::Abusive | SkipReason::Threat)
        ),
        Label::Threat => skip_reason == Some(SkipReason::Threat),
        Label::Question | Label::Neutral | Label::Positive => answered,
    };
    let got_lang = got_lang.unwrap_or(default);
    let analysis = analyse(&e.text, got_lang);
    let register_ok = e.register.as_deref().map(|r| {
        let want = Register::parse(r).expect("known register");
        let got = analysis
            .register
            .unwrap_or_else(|| templates.default_register(got_lang));
        // English has one register: whatever it is called, it is right.
        want_lang == Language::En || got == want
    });
    let theme_named = (answered && got_label == Some(Label::Negative))
        .then_some(analysis.theme)
        .flatten()
        .map(|t| e.theme.as_deref().and_then(Theme::parse) == Some(t));

    let false_claim = match &decision {
        Decision::Answer {
            drafts, language, ..
        } => {
            claims_private(*language, &drafts.public_without_private)
                || (drafts.private.is_none() && claims_private(*language, &drafts.public))
        }
        Decision::Skip { .. } => false,
    };
    if false_claim {
        let _ = writeln!(misses, "  [{}] FALSE PRIVATE CLAIM: {:?}", e.split, e.text);
    }
    let label_ok = got_label == Some(want_label);
    let language_ok = got_lang == want_lang;
    let split = &e.split;
    if !routed_ok {
        let _ = writeln!(
            misses,
            "  [{split}] ROUTING {}: {:?} → {decision_kind}, want {want_label}",
            e.language,
            e.text,
            decision_kind = match (&decision, got_label) {
                (Decision::Answer { .. }, Some(l)) => format!("answered as {l}"),
                (Decision::Skip { reason, .. }, _) => format!("skipped ({reason})"),
                _ => "?".into(),
            }
        );
    } else if !label_ok {
        let _ = writeln!(
            misses,
            "  [{split}] label {}: {:?} → {}, want {want_label}",
            e.language,
            e.text,
            got_label.map_or("none".into(), |l| l.to_string())
        );
    }
    if !language_ok {
        let _ = writeln!(
            misses,
            "  [{split}] language: {:?} → {got_lang}, want {want_lang}",
            e.text
        );
    }
    if register_ok == Some(false) {
        let _ = writeln!(
            misses,
            "  [{split}] register {}: {:?} → {:?}, want {:?}",
            e.language, e.text, analysis.register, e.register
        );
    }
    if theme_named == Some(false) {
        let _ = writeln!(
            misses,
            "  [{split}] theme {}: {:?} → {:?}, want {:?}",
            e.language, e.text, analysis.theme, e.theme
        );
    }
    Outcome {
        label_ok,
        routed_ok,
        language_ok,
        register_ok,
        theme_named,
        false_claim,
    }
}

/// Counts for one row of a table.
#[derive(Default, Clone, Copy)]
struct Tally {
    n: usize,
    label: usize,
    routed: usize,
    language: usize,
    complaints: usize,
    apologised: usize,
    not_answerable: usize,
    not_answered: usize,
    registers: usize,
    register_ok: usize,
    themes_named: usize,
    themes_wrong: usize,
    false_claims: usize,
}

impl Tally {
    fn add(&mut self, e: &Entry, o: &Outcome) {
        self.n += 1;
        self.label += usize::from(o.label_ok);
        self.routed += usize::from(o.routed_ok);
        self.language += usize::from(o.language_ok);
        self.false_claims += usize::from(o.false_claim);
        match e.label.as_str() {
            "negative" => {
                self.complaints += 1;
                self.apologised += usize::from(o.routed_ok);
            }
            "spam" | "abusive" | "threat" => {
                self.not_answerable += 1;
                self.not_answered += usize::from(o.routed_ok);
            }
            _ => {}
        }
        if let Some(ok) = o.register_ok {
            self.registers += 1;
            self.register_ok += usize::from(ok);
        }
        if let Some(ok) = o.theme_named {
            self.themes_named += 1;
            self.themes_wrong += usize::from(!ok);
        }
    }

    fn pct(part: usize, whole: usize) -> String {
        if whole == 0 {
            "—".into()
        } else {
            format!("{part}/{whole} {:.1}%", 100.0 * part as f64 / whole as f64)
        }
    }

    fn row(&self, name: &str) -> String {
        format!(
            "  {name:<9} n={:<4} routed {:<16} label {:<16} language {:<16} complaints apologised {:<16} spam/abuse/threats not answered {:<14} register {:<14} themes named {} (wrong {}) false private claims {}",
            self.n,
            Self::pct(self.routed, self.n),
            Self::pct(self.label, self.n),
            Self::pct(self.language, self.n),
            Self::pct(self.apologised, self.complaints),
            Self::pct(self.not_answered, self.not_answerable),
            Self::pct(self.register_ok, self.registers),
            self.themes_named,
            self.themes_wrong,
            self.false_claims,
        )
    }

    fn ratio(part: usize, whole: usize) -> f64 {
        if whole == 0 {
            1.0
        } else {
            part as f64 / whole as f64
        }
    }
}

struct Figures {
    total: Tally,
    by_language: BTreeMap<String, Tally>,
    by_class: BTreeMap<String, Tally>,
}

fn figures(split: &str) -> Figures {
    let templates = TemplateSet::builtin().unwrap();
    let mut misses = String::new();
    let mut f = Figures {
        total: Tally::default(),
        by_language: BTreeMap::new(),
        by_class: BTreeMap::new(),
    };
    for (n, e) in corpus()
        .iter()
        .enumerate()
        .filter(|(_, e)| e.split == split)
    {
        let o = judge(e, n, &templates, &mut misses);
        f.total.add(e, &o);
        f.by_language
            .entry(e.language.clone())
            .or_default()
            .add(e, &o);
        f.by_class.entry(e.label.clone()).or_default().add(e, &o);
    }
    println!("== {split} ==");
    println!("{}", f.total.row("all"));
    for (lang, t) in &f.by_language {
        println!("{}", t.row(lang));
    }
    for (class, t) in &f.by_class {
        println!("{}", t.row(class));
    }
    println!("misses:\n{misses}");
    f
}

#[test]
fn the_corpus_is_large_varied_and_has_a_held_out_part() {
    let entries = corpus();
    assert!(entries.len() >= 400, "{} entries", entries.len());
    let held_out = entries.iter().filter(|e| e.split == "held_out").count();
    assert!(held_out * 4 >= entries.len(), "{held_out} held out");
    for lang in Language::ALL {
        let of_lang: Vec<_> = entries
            .iter()
            .filter(|e| e.language == lang.code())
            .collect();
        assert!(of_lang.len() >= 60, "{lang}: {}", of_lang.len());
        for label in Label::ALL {
            for split in ["tune", "held_out"] {
                assert!(
                    of_lang
                        .iter()
                        .any(|e| e.label == label.as_str() && e.split == split),
                    "{lang} {split} has no {label}"
                );
            }
        }
    }
    for e in &entries {
        assert!(["tune", "held_out"].contains(&e.split.as_str()), "{e:?}");
        assert!(
            e.register
                .as_deref()
                .is_none_or(|r| Register::parse(r).is_some())
        );
        assert!(e.theme.as_deref().is_none_or(|t| Theme::parse(t).is_some()));
        assert!(e.rating.is_none_or(|r| (1..=5).contains(&r)));
    }
}

#[test]
fn the_tuned_part_is_routed_and_classified_accurately() {
    let f = figures("tune");
    let t = f.total;
    assert!(Tally::ratio(t.routed, t.n) >= 0.99, "routing");
    assert!(Tally::ratio(t.label, t.n) >= 0.99, "classification");
    assert!(
        Tally::ratio(t.apologised, t.complaints) >= 0.99,
        "apologies"
    );
    assert!(
        Tally::ratio(t.not_answered, t.not_answerable) >= 0.99,
        "not answered"
    );
    assert!(Tally::ratio(t.language, t.n) >= 0.90, "language");
    assert!(Tally::ratio(t.register_ok, t.registers) >= 0.95, "register");
    assert!(
        t.themes_wrong * 10 <= t.themes_named,
        "themes named wrongly"
    );
    assert_eq!(
        t.false_claims, 0,
        "a private message claimed but not drafted"
    );
}

/// The figures the held-out part reaches today: a regression fails the build. Never tune
/// the lexicons on these entries; write new `tune` entries for what they miss instead.
#[test]
fn the_held_out_part_is_routed_and_classified_accurately() {
    let f = figures("held_out");
    let t = f.total;
    // First (blind) run: routed 151/158, label 150/158, apologised 65/69, not answered
    // 29/32, language 144/158, register 18/18, themes named 47 (8 wrong).
    assert!(Tally::ratio(t.routed, t.n) >= 0.95, "routing");
    assert!(Tally::ratio(t.label, t.n) >= 0.94, "classification");
    assert!(
        Tally::ratio(t.apologised, t.complaints) >= 0.94,
        "apologies"
    );
    assert!(
        Tally::ratio(t.not_answered, t.not_answerable) >= 0.90,
        "not answered"
    );
    assert!(Tally::ratio(t.language, t.n) >= 0.90, "language");
    assert!(Tally::ratio(t.register_ok, t.registers) >= 0.95, "register");
    assert!(t.themes_wrong * 5 <= t.themes_named, "themes named wrongly");
    assert_eq!(
        t.false_claims, 0,
        "a private message claimed but not drafted"
    );
}
