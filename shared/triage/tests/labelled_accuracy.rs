//! Classification, routing, language, register and theme figures on the labelled corpus
//! (`tests/corpus/{nl,en,fr,de,es}.jsonl`, `hard/` and `fresh/`): comments and reviews
//! written to be hard, each with its label, language and a split:
//! - `tune`: the entries the lexicons and rules were tuned on;
//! - `seen`: held out once, measured, open to tuning since (their misses were read, so they
//!   no longer say how the product does on comments nobody has looked at). The first fresh
//!   sets (`fresh/`, 150 items, `fresh2/` to `fresh4/`, 200 each, each by an outsider) are
//!   `seen` now: each was measured once (13 wrong public posts and 72.3 % automatic with the
//!   word lists alone; 8 and 83.3 %, 7 and 84.5 %, 9 and 81.7 % with the model) and is
//!   training data of the model since;
//! - `bulk`: 34,550 items written for training by 118 outsiders ([`BULK`]): trained on,
//!   never read, and the word lists were never tuned on them, so the trainer chooses the
//!   model's rule by its cross-validated figures there;
//! - `held_out`: written by someone who has not seen the lexicons, and never tuned or
//!   trained on: the honest figure for comments the product has not seen ([`FRESH`]).
//!
//! Every `tune`, `seen` and `bulk` entry is training data of the model (`src/classify/model.rs`,
//! trained by `examples/train_model.rs`, which measures it by cross-validation): the
//! figures here are of the decision the product makes, word lists and model together, on
//! entries the model was trained on. The cross-validated figures are the trainer's.
//!
//! "Routed right": a complaint is answered with an apology (label negative); spam and
//! abuse are not answered; a threat is not answered and goes to a person (skip reason
//! `threat`); questions, neutral comments and praise are answered.
//!
//! Every item is decided with a page default language that is *not* its own, so falling
//! back to the default never counts as a hit. Run with
//! `cargo test -p triage --test labelled_accuracy -- --nocapture` for the tables and every miss
//! (with `TRIAGE_WORD_LISTS_ONLY=1`, the figures of the word lists without the model; the
//! thresholds below are for both together, so some tests then fail).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/labelled.rs"]
mod labelled;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use triage::classify::{Register, Theme, analyse};
use triage::{Decision, HoldReason, Label, Language, ModelUse, SkipReason, TemplateSet};

/// The first set, then `hard/`: 280 items written independently of the lexicons to test
/// reading the whole comment (mixed, sarcasm, a fault described without a complaint word,
/// three stars, a rating against the text, negated complaint words, warm thanks), then
/// `fresh/` to `fresh4/`: the first four held-out sets, 150, 200, 200 and 200 items by
/// people who never saw the lexicons, `seen` since they were measured. Splits `tune` and
/// `seen` only.
const CORPUS: [&str; 30] = [
    include_str!("corpus/nl.jsonl"),
    include_str!("corpus/en.jsonl"),
    include_str!("corpus/fr.jsonl"),
    include_str!("corpus/de.jsonl"),
    include_str!("corpus/es.jsonl"),
    include_str!("corpus/hard/nl.jsonl"),
    include_str!("corpus/hard/en.jsonl"),
    include_str!("corpus/hard/fr.jsonl"),
    include_str!("corpus/hard/de.jsonl"),
    include_str!("corpus/hard/es.jsonl"),
    include_str!("corpus/fresh/nl.jsonl"),
    include_str!("corpus/fresh/en.jsonl"),
    include_str!("corpus/fresh/fr.jsonl"),
    include_str!("corpus/fresh/de.jsonl"),
    include_str!("corpus/fresh/es.jsonl"),
    include_str!("corpus/fresh2/nl.jsonl"),
    include_str!("corpus/fresh2/en.jsonl"),
    include_str!("corpus/fresh2/fr.jsonl"),
    include_str!("corpus/fresh2/de.jsonl"),
    include_str!("corpus/fresh2/es.jsonl"),
    include_str!("corpus/fresh3/nl.jsonl"),
    include_str!("corpus/fresh3/en.jsonl"),
    include_str!("corpus/fresh3/fr.jsonl"),
    include_str!("corpus/fresh3/de.jsonl"),
    include_str!("corpus/fresh3/es.jsonl"),
    include_str!("corpus/fresh4/nl.jsonl"),
    include_str!("corpus/fresh4/en.jsonl"),
    include_str!("corpus/fresh4/fr.jsonl"),
    include_str!("corpus/fresh4/de.jsonl"),
    include_str!("corpus/fresh4/es.jsonl"),
];

/// `bulk/`: 34,550 items (about 6,910 per language) written for training by 118 people who
/// never saw the word lists, the model or the other sets, each 60 per language for a group
/// of sectors or a kind of writing (food and drink; travel; shops and utilities; local
/// services; health and care; tradespeople; leisure; apps; public services; social
/// comments; very short items; phone
/// typing; regional varieties; older writers; formal letters; sarcasm; praise that reads
/// like a complaint; questions that are complaints; long weighed reviews; the hardest
/// kinds; very short complaints built on a negation and an exclamation mark, beside as
/// much short praise and negated praise …). Trained on by the model and never read: the word
/// lists were not tuned on them. Exact repeats of an earlier text are left out.
const BULK: [&str; 5] = [
    include_str!("corpus/bulk/nl.jsonl"),
    include_str!("corpus/bulk/en.jsonl"),
    include_str!("corpus/bulk/fr.jsonl"),
    include_str!("corpus/bulk/de.jsonl"),
    include_str!("corpus/bulk/es.jsonl"),
];

// ─── FRESH HELD-OUT SET: ADD ITS FILES HERE ────────────────────────────────────────────
/// A fresh held-out set, one file per language, split `held_out` only: written by someone
/// who has never seen the lexicons, never read while tuning nor trained on (the trainer
/// skips `held_out` entries; its misses print only with `TRIAGE_SHOW_HELD_OUT=1`). When a
/// set's misses have been read, it moves to [`CORPUS`] as `seen` and the next one lands
/// here: add its five files, run this test once and record its wrong posts in
/// [`FRESH_WRONG_POSTS_MEASURED`].
const FRESH: &[&str] = &[
    include_str!("corpus/fresh5/nl.jsonl"),
    include_str!("corpus/fresh5/en.jsonl"),
    include_str!("corpus/fresh5/fr.jsonl"),
    include_str!("corpus/fresh5/de.jsonl"),
    include_str!("corpus/fresh5/es.jsonl"),
    include_str!("corpus/fresh6/nl.jsonl"),
    include_str!("corpus/fresh6/en.jsonl"),
    include_str!("corpus/fresh6/fr.jsonl"),
    include_str!("corpus/fresh6/de.jsonl"),
    include_str!("corpus/fresh6/es.jsonl"),
    include_str!("corpus/fresh7/nl.jsonl"),
    include_str!("corpus/fresh7/en.jsonl"),
    include_str!("corpus/fresh7/fr.jsonl"),
    include_str!("corpus/fresh7/de.jsonl"),
    include_str!("corpus/fresh7/es.jsonl"),
    include_str!("corpus/fresh8/nl.jsonl"),
    include_str!("corpus/fresh8/en.jsonl"),
    include_str!("corpus/fresh8/fr.jsonl"),
    include_str!("corpus/fresh8/de.jsonl"),
    include_str!("corpus/fresh8/es.jsonl"),
    include_str!("corpus/fresh9/nl.jsonl"),
    include_str!("corpus/fresh9/en.jsonl"),
    include_str!("corpus/fresh9/fr.jsonl"),
    include_str!("corpus/fresh9/de.jsonl"),
    include_str!("corpus/fresh9/es.jsonl"),
    include_str!("corpus/fresh10/nl.jsonl"),
    include_str!("corpus/fresh10/en.jsonl"),
    include_str!("corpus/fresh10/fr.jsonl"),
    include_str!("corpus/fresh10/de.jsonl"),
    include_str!("corpus/fresh10/es.jsonl"),
    include_str!("corpus/fresh11/nl.jsonl"),
    include_str!("corpus/fresh11/en.jsonl"),
    include_str!("corpus/fresh11/fr.jsonl"),
    include_str!("corpus/fresh11/de.jsonl"),
    include_str!("corpus/fresh11/es.jsonl"),
    include_str!("corpus/fresh12/nl.jsonl"),
    include_str!("corpus/fresh12/en.jsonl"),
    include_str!("corpus/fresh12/fr.jsonl"),
    include_str!("corpus/fresh12/de.jsonl"),
    include_str!("corpus/fresh12/es.jsonl"),
    include_str!("corpus/fresh13/nl.jsonl"),
    include_str!("corpus/fresh13/en.jsonl"),
    include_str!("corpus/fresh13/fr.jsonl"),
    include_str!("corpus/fresh13/de.jsonl"),
    include_str!("corpus/fresh13/es.jsonl"),
    include_str!("corpus/fresh14/nl.jsonl"),
    include_str!("corpus/fresh14/en.jsonl"),
    include_str!("corpus/fresh14/fr.jsonl"),
    include_str!("corpus/fresh14/de.jsonl"),
    include_str!("corpus/fresh14/es.jsonl"),
    include_str!("corpus/fresh15/nl.jsonl"),
    include_str!("corpus/fresh15/en.jsonl"),
    include_str!("corpus/fresh15/fr.jsonl"),
    include_str!("corpus/fresh15/de.jsonl"),
    include_str!("corpus/fresh15/es.jsonl"),
    include_str!("corpus/fresh16/nl.jsonl"),
    include_str!("corpus/fresh16/en.jsonl"),
    include_str!("corpus/fresh16/fr.jsonl"),
    include_str!("corpus/fresh16/de.jsonl"),
    include_str!("corpus/fresh16/es.jsonl"),
    include_str!("corpus/fresh17/nl.jsonl"),
    include_str!("corpus/fresh17/en.jsonl"),
    include_str!("corpus/fresh17/fr.jsonl"),
    include_str!("corpus/fresh17/de.jsonl"),
    include_str!("corpus/fresh17/es.jsonl"),
    include_str!("corpus/fresh18/nl.jsonl"),
    include_str!("corpus/fresh18/en.jsonl"),
    include_str!("corpus/fresh18/fr.jsonl"),
    include_str!("corpus/fresh18/de.jsonl"),
    include_str!("corpus/fresh18/es.jsonl"),
    include_str!("corpus/fresh19/nl.jsonl"),
    include_str!("corpus/fresh19/en.jsonl"),
    include_str!("corpus/fresh19/fr.jsonl"),
    include_str!("corpus/fresh19/de.jsonl"),
    include_str!("corpus/fresh19/es.jsonl"),
    include_str!("corpus/fresh20/nl.jsonl"),
    include_str!("corpus/fresh20/en.jsonl"),
    include_str!("corpus/fresh20/fr.jsonl"),
    include_str!("corpus/fresh20/de.jsonl"),
    include_str!("corpus/fresh20/es.jsonl"),
    include_str!("corpus/fresh21/nl.jsonl"),
    include_str!("corpus/fresh21/en.jsonl"),
    include_str!("corpus/fresh21/fr.jsonl"),
    include_str!("corpus/fresh21/de.jsonl"),
    include_str!("corpus/fresh21/es.jsonl"),
    include_str!("corpus/fresh22/nl.jsonl"),
    include_str!("corpus/fresh22/en.jsonl"),
    include_str!("corpus/fresh22/fr.jsonl"),
    include_str!("corpus/fresh22/de.jsonl"),
    include_str!("corpus/fresh22/es.jsonl"),
];
// ───────────────────────────────────────────────────────────────────────────────────────

/// Every split, in the order the figures are printed.
const SPLITS: [&str; 4] = ["tune", "seen", "bulk", "held_out"];

/// The splits the lexicons and rules may be tuned on.
const TUNING: [&str; 2] = ["tune", "seen"];

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
    /// What makes a `hard/` entry hard (`mixed`, `sarcasm`, `symptom`, `three_star`,
    /// `rating_contradiction`, `negated_praise`, `warm_thanks`, …): written independently
    /// of the lexicons, to test reading the whole comment.
    #[serde(default)]
    kind: Option<String>,
    /// From `hard/` or the first fresh set, not the first set (set on loading).
    #[serde(skip)]
    hard: bool,
    /// From the fresh held-out set, [`FRESH`] (set on loading).
    #[serde(skip)]
    fresh: bool,
}

fn corpus() -> Vec<Entry> {
    let first_and_hard = CORPUS
        .iter()
        .enumerate()
        .map(|(n, file)| (*file, n >= 5, false));
    let bulk = BULK.iter().map(|file| (*file, true, false));
    let fresh = FRESH.iter().map(|file| (*file, false, true));
    first_and_hard
        .chain(bulk)
        .chain(fresh)
        .flat_map(|(file, hard, fresh)| file.lines().map(move |line| (hard, fresh, line)))
        .filter(|(_, _, line)| !line.trim().is_empty())
        .map(|(hard, fresh, line)| {
            let mut e: Entry = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            e.hard = hard;
            e.fresh = fresh;
            e
        })
        .collect()
}

/// The theme a reply should name: `hard/` names a few the replies fold into broader ones
/// (a wait and the staff are the service; cleanliness is the quality of the place).
fn theme_of(name: &str) -> Option<Theme> {
    match name {
        "waiting_time" | "staff" => Some(Theme::Service),
        "cleanliness" | "product_quality" => Some(Theme::Quality),
        other => Theme::parse(other),
    }
}

/// Whether held-out misses may be printed: never while tuning (`TRIAGE_SHOW_HELD_OUT=1`
/// once done).
fn show(split: &str) -> bool {
    split != "held_out" || std::env::var_os("TRIAGE_SHOW_HELD_OUT").is_some()
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
    /// Held for a person (drafted, not posted), and why.
    held: Option<HoldReason>,
    /// Posted without a person, and wrong (see [`wrong_post`]).
    wrong_post: Option<&'static str>,
    /// A complaint or question answered automatically and rightly.
    automatic: bool,
}

/// What is wrong with posting `decision` for an entry labelled `want`, if anything: a
/// complaint or question thanked as praise, a complaint answered as anything but one,
/// praise apologised to or sent a private message, anything posted to spam, abuse or a
/// threat.
fn wrong_post(want: Label, decision: &Decision) -> Option<&'static str> {
    let Decision::Answer { label, drafts, .. } = decision else {
        return None;
    };
    match (want, *label) {
        (Label::Negative | Label::Question, Label::Positive) => Some("thanked as praise"),
        (Label::Negative, Label::Question | Label::Neutral) => Some("complaint not apologised to"),
        (Label::Positive, Label::Negative) => Some("praise apologised to"),
        (Label::Positive, _) if drafts.private.is_some() => Some("praise sent a private message"),
        (Label::Spam | Label::Abusive | Label::Threat, _) => Some("spam, abuse or threat answered"),
        _ => None,
    }
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
    let decision = labelled::decide_entry(
        (&e.text, e.rating, want_lang),
        n,
        templates,
        if std::env::var_os("TRIAGE_WORD_LISTS_ONLY").is_some() {
            None
        } else {
            Some(&ModelUse::SHIPPED)
        },
    );
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
    let got_lang = got_lang.unwrap_or(labelled::page(want_lang).default_language);
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
        .map(|t| e.theme.as_deref().and_then(theme_of) == Some(t));

    let false_claim = match &decision {
        Decision::Answer {
            drafts, language, ..
        } => {
            claims_private(*language, &drafts.public_without_private)
                || (drafts.private.is_none() && claims_private(*language, &drafts.public))
        }
        Decision::Skip { .. } => false,
    };
    let (held, signals) = match &decision {
        Decision::Answer { confidence, .. } => (confidence.hold, confidence.signals.as_str()),
        Decision::Skip { .. } => (None, ""),
    };
    let wrong = if held.is_some() {
        None
    } else {
        wrong_post(want_label, &decision).or(false_claim.then_some("false private claim"))
    };
    let automatic = held.is_none()
        && match want_label {
            Label::Negative => routed_ok,
            Label::Question => answered && wrong.is_none(),
            _ => false,
        };
    let misses = &mut *misses;
    let mut misses_sink = String::new();
    let misses = if show(&e.split) {
        misses
    } else {
        &mut misses_sink
    };
    let kind = e.kind.as_deref().unwrap_or("-");
    if let Some(why) = wrong {
        let _ = writeln!(
            misses,
            "  [{}] WRONG POST ({why}) {} {kind} {:?} rating {:?} → {:?} [{signals}]",
            e.split, e.language, e.text, e.rating, got_label
        );
    }
    if let Some(reason) = held {
        let _ = writeln!(
            misses,
            "  [{}] held ({reason}) {} {} {kind} {:?} rating {:?} → {:?} [{signals}]",
            e.split, e.language, want_label, e.text, e.rating, got_label
        );
    }
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
        held,
        wrong_post: wrong,
        automatic,
    }
}

/// Counts for one row of a table.
#[derive(Default, Clone)]
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
    wrong_posts: usize,
    /// Complaints and questions.
    answerable: usize,
    automatic: usize,
    held: usize,
    held_reasons: BTreeMap<&'static str, usize>,
}

impl Tally {
    fn add(&mut self, e: &Entry, o: &Outcome) {
        self.n += 1;
        self.label += usize::from(o.label_ok);
        self.routed += usize::from(o.routed_ok);
        self.language += usize::from(o.language_ok);
        self.false_claims += usize::from(o.false_claim);
        self.wrong_posts += usize::from(o.wrong_post.is_some());
        if let Some(reason) = o.held {
            self.held += 1;
            *self.held_reasons.entry(reason.as_str()).or_default() += 1;
        }
        if matches!(e.label.as_str(), "negative" | "question") {
            self.answerable += 1;
            self.automatic += usize::from(o.automatic);
        }
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

    /// The figures the issue asks for: wrong posts, the automatic rate, what was held.
    fn posting_row(&self, name: &str) -> String {
        format!(
            "  {name:<9} n={:<4} wrong posts {:<3} complaints+questions answered automatically {:<18} held {} {:?}",
            self.n,
            self.wrong_posts,
            Self::pct(self.automatic, self.answerable),
            self.held,
            self.held_reasons,
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

/// The figures of one split of the first set.
fn figures(split: &str) -> Figures {
    figures_of("first set", &[split], |e| !e.hard && !e.fresh)
}

/// The figures of the entries of `splits` (every split when empty) that `keep` keeps.
fn figures_of(name: &str, splits: &[&str], keep: impl Fn(&Entry) -> bool) -> Figures {
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
        .filter(|(_, e)| (splits.is_empty() || splits.contains(&e.split.as_str())) && keep(e))
    {
        let o = judge(e, n, &templates, &mut misses);
        f.total.add(e, &o);
        f.by_language
            .entry(e.language.clone())
            .or_default()
            .add(e, &o);
        f.by_class.entry(e.label.clone()).or_default().add(e, &o);
    }
    let splits = if splits.is_empty() {
        "all splits".into()
    } else {
        splits.join("+")
    };
    if f.total.n == 0 {
        println!("== {name}, {splits}: no entries (yet) ==\n");
        return f;
    }
    println!("== {name}, {splits} ==");
    println!("{}", f.total.row("all"));
    for (lang, t) in &f.by_language {
        println!("{}", t.row(lang));
    }
    for (class, t) in &f.by_class {
        println!("{}", t.row(class));
    }
    println!("posting:");
    println!("{}", f.total.posting_row("all"));
    for (lang, t) in &f.by_language {
        println!("{}", t.posting_row(lang));
    }
    println!("misses and holds (held-out ones only with TRIAGE_SHOW_HELD_OUT=1):\n{misses}");
    f
}

#[test]
fn the_corpus_is_large_varied_and_every_entry_has_a_known_split() {
    let entries = corpus();
    assert!(entries.len() >= 400, "{} entries", entries.len());
    for lang in Language::ALL {
        let of_lang: Vec<_> = entries
            .iter()
            .filter(|e| e.language == lang.code())
            .collect();
        assert!(of_lang.len() >= 60, "{lang}: {}", of_lang.len());
        for label in Label::ALL {
            for split in TUNING {
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
        assert!(SPLITS.contains(&e.split.as_str()), "{e:?}");
        // Only the fresh set is held out: nothing that was read while tuning is.
        assert_eq!(e.fresh, e.split == "held_out", "{e:?}");
        assert!(
            e.register
                .as_deref()
                .is_none_or(|r| Register::parse(r).is_some())
        );
        assert!(e.theme.as_deref().is_none_or(|t| theme_of(t).is_some()));
        assert!(e.rating.is_none_or(|r| (1..=5).contains(&r)));
    }
}

/// `split`'s routing, classification, apologies, not answered, language and register at
/// least as good as the floors given; at most one in `themes_wrong_one_in` named themes
/// wrong; no private message claimed but not drafted.
fn assert_accurate(
    split: &str,
    [
        routing,
        classification,
        apologies,
        not_answered,
        language,
        register,
    ]: [f64; 6],
    themes_wrong_one_in: usize,
) {
    let t = figures(split).total;
    assert!(Tally::ratio(t.routed, t.n) >= routing, "routing");
    assert!(
        Tally::ratio(t.label, t.n) >= classification,
        "classification"
    );
    assert!(
        Tally::ratio(t.apologised, t.complaints) >= apologies,
        "apologies"
    );
    assert!(
        Tally::ratio(t.not_answered, t.not_answerable) >= not_answered,
        "not answered"
    );
    assert!(Tally::ratio(t.language, t.n) >= language, "language");
    assert!(
        Tally::ratio(t.register_ok, t.registers) >= register,
        "register"
    );
    assert!(
        t.themes_wrong * themes_wrong_one_in <= t.themes_named,
        "themes named wrongly"
    );
    assert_eq!(
        t.false_claims, 0,
        "a private message claimed but not drafted"
    );
}

#[test]
fn the_tuned_part_is_routed_and_classified_accurately() {
    assert_accurate("tune", [0.99, 0.99, 0.99, 0.99, 0.90, 0.95], 10);
}

/// The part that was held out last round, measured (routed 151/158, label 150/158,
/// apologised 65/69, not answered 29/32, language 144/158, register 18/18, themes named 47
/// with 8 wrong) and open to tuning since: a regression fails the build.
#[test]
fn the_seen_part_is_routed_and_classified_accurately() {
    assert_accurate("seen", [0.95, 0.94, 0.94, 0.90, 0.90, 0.95], 5);
}

/// No item the rules may be tuned on (`tune` and `seen`, the first fresh sets included)
/// would be posted wrongly by the word lists and the model together: no complaint or
/// question thanked, no praise apologised to or sent a private message, nothing posted to
/// spam or abuse, no private message claimed that was not sent; in any language. (The
/// word lists alone post 43 of them wrongly.) Of the `bulk` items, which the model was
/// trained on but the word lists never tuned on, 15 of 40,396 are posted wrongly (13 of
/// 36,017, 13 of 34,550 and 12 of 33,063 with the models before); that may not grow.
#[test]
fn no_tuned_or_seen_item_would_be_posted_wrongly() {
    for split in TUNING {
        let f = figures_of("whole corpus", &[split], |_| true);
        assert_eq!(f.total.wrong_posts, 0, "{split}: wrong public posts");
        for (lang, t) in &f.by_language {
            assert_eq!(t.wrong_posts, 0, "{split} {lang}: wrong public posts");
        }
    }
    let bulk = figures_of("whole corpus", &["bulk"], |_| true);
    assert!(
        bulk.total.wrong_posts <= 15,
        "bulk: {} wrong public posts",
        bulk.total.wrong_posts
    );
}

/// Holding is cheap, not free: the goal is at least 92 % of complaints and questions
/// answered automatically (and rightly), in every language; the rest are held with
/// drafts. On `tune` and `seen`, which the model was trained on, word lists and model
/// together answered 92.5 % (888/960), and at least 89.6 % in every language (French);
/// a regression below 92 % in all or 89 % in a language fails the build. (These floors
/// were 94 % and 91 % with the pair before, whose rule may post about a tenth more wrong
/// answers and answers more: 94.8 % here; 95 % and 92 % before that; 81 % and 76 % with
/// an early model, which read with fewer features and coarser weights, and so was less
/// often sure.) The figures of every split are printed, `held_out` too once it exists.
#[test]
fn most_complaints_and_questions_are_answered_automatically() {
    for split in SPLITS {
        figures_of("whole corpus", &[split], |_| true);
    }
    let f = figures_of("whole corpus", &TUNING, |_| true);
    let t = &f.total;
    assert!(
        Tally::ratio(t.automatic, t.answerable) >= 0.92,
        "{}",
        t.posting_row("all")
    );
    for (lang, t) in &f.by_language {
        assert!(
            Tally::ratio(t.automatic, t.answerable) >= 0.89,
            "{}",
            t.posting_row(lang)
        );
    }
}

/// What the fresh held-out set ([`FRESH`]) measured the one time it was run, word lists
/// and model together: `Some(wrong public posts)`. An honest figure only while nobody tunes
/// or trains on it: its misses stay hidden (`TRIAGE_SHOW_HELD_OUT=1` shows them, and
/// whoever looks must move the set to `seen` and write a new one). This only keeps it from
/// getting worse.
///
/// `corpus/fresh5/` to `corpus/fresh22/` (7,498 items: 200 per set up to `fresh12/`, 40
/// per language, about 600 in each of `fresh13/` to `fresh22/`, less exact repeats of
/// earlier texts; written by people who had seen neither the word lists, the model nor
/// the other sets; reviews and social comments from any sector, very short and long
/// ones), after all tuning and training, totals only: **14 wrong public posts in 7,498 (nl
/// 5, es 4, de 3, en 1, fr 1), 3,457 of 4,138 complaints and questions (83.5 %) answered
/// automatically** (nl 85.6, es 85.5, de 82.7, en 82.2, fr 81.7 %). `fresh22/` (594
/// items: hairdressers, barbers, nail and tattoo studios, beauty salons; bookshops, toy
/// and pet shops, garden centres, library cafés; car washes, bike repairers, driving
/// schools, car parks and fuel stations) was written after the shipped model and rule
/// were chosen and measured once with them: 0 wrong posts, 258 of 326 (79.1 %) answered
/// automatically; every page bold: 1 wrong post more on it; cautious: none. Then the
/// theme a reply names was taken from the part that says what went wrong, and English
/// words that are other words in French, Dutch and German were no longer read there: the
/// held-out wrong posts and automatic answers did not change (a few more French and Dutch
/// comments routed right). On `fresh5/` to `fresh21/` (6,904), measured before this set:
/// 14 wrong posts, 83.9 %; the pair before: 16 and 84.6 %. `fresh20/` (589 items:
/// laundrettes, tailors, repairers and second-hand sellers; sports shops, climbing halls,
/// studios and water-sports schools; tea rooms, lunch places, wine bars, breweries and
/// caterers) was written before this model was trained and measured first with the pair
/// before (3 wrong posts, 270/317, 85.2 %), then with this one (3, 262/317, 82.6 %): the
/// ship decision looked at it (and at `fresh5/` to `fresh19/`: 10 wrong posts and 84.1 %
/// against 12 and 84.8 %). `fresh21/` (590 items: dentists, hearing care, physiotherapy
/// and home care; electronics web shops, installers and energy suppliers; box offices,
/// concert halls, stadium catering, ferries and coaches) was written before the training
/// too and measured only after the decision: 1 wrong post and 267/320 (83.4 %) against 1
/// and 264/320 (82.5 %) for the pair before. The rule was chosen on the cross-validated
/// `bulk/` set before any of these measurements. On all 7,498: word lists alone 529 wrong
/// posts and 76.7 %; every page bold: 21 and 88.9 %; every page cautious: 11 and 27.4 %.
/// (With the model before: 12 wrong posts in the 5,725 of `fresh5/` to `fresh19/`, 84.8
/// %; a model trained after it was not shipped for 16 there.)
/// The sets before them were each measured once and are `seen` training data since:
/// `corpus/fresh4/` 9 wrong posts and 81.7 % (word lists alone 14, 77.9 %),
/// `corpus/fresh3/` 7 and 84.5 % (12, 81.4 %), `corpus/fresh2/` 8 and 83.3 %,
/// `corpus/fresh/` 13 and 72.3 % (word lists alone).
const FRESH_WRONG_POSTS_MEASURED: Option<usize> = Some(14);

#[test]
fn fresh_held_out_wrong_posts_never_grow_past_what_was_measured() {
    let f = figures_of("whole corpus", &["held_out"], |_| true);
    if FRESH.is_empty() {
        assert_eq!(f.total.n, 0, "held_out entries outside the fresh set");
        return;
    }
    assert!(f.total.answerable > 0, "the fresh held-out set is read");
    let Some(measured) = FRESH_WRONG_POSTS_MEASURED else {
        panic!(
            "held_out: {} wrong public posts; record them in FRESH_WRONG_POSTS_MEASURED",
            f.total.wrong_posts
        );
    };
    assert!(
        f.total.wrong_posts <= measured,
        "held_out: {} wrong public posts, was {measured}",
        f.total.wrong_posts
    );
}
