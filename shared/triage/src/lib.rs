//! Deciding how to answer a piece of feedback. Pure functions, no AWS, no HTTP.
//!
//! - [`classify`]: [`Label`] of a text (negative, question, neutral, positive, spam,
//!   abusive, threat), its [`Theme`] and the writer's [`Register`], from per-language
//!   lexicons with negation, sarcasm and asymmetric costs: praise only when it is clearly
//!   praise, a complaint when unsure.
//! - [`language`]: [`Language`] of a text (nl, en, fr, de, es), falling back to the page's
//!   default when unsure.
//! - [`templates`]: the reply wording, one JSON file per language under `templates/`, in
//!   both registers where the language has two, overridable per page; variants picked
//!   deterministically per item.
//! - [`confidence`]: how sure a label is and why, and whether the item is held for a
//!   person (signals that disagree or are too weak) instead of answered.
//! - [`decide`]: the whole decision for one item: skip (and why) or answer (what, how),
//!   from the item, the page's settings and the platform's capabilities (never its name).
//!   For reviews the rating leads and the text refines.

/// The compiled-in JSON file of `lang` in the folder `dir` (named from the file that uses
/// this), one file per language: the lexicons, the templates.
macro_rules! per_language_json {
    ($lang:expr, $dir:literal) => {
        match $lang {
            $crate::Language::Nl => include_str!(concat!($dir, "/nl.json")),
            $crate::Language::En => include_str!(concat!($dir, "/en.json")),
            $crate::Language::Fr => include_str!(concat!($dir, "/fr.json")),
            $crate::Language::De => include_str!(concat!($dir, "/de.json")),
            $crate::Language::Es => include_str!(concat!($dir, "/es.json")),
        }
    };
}

pub mod classify;
pub mod confidence;
pub mod decide;
pub mod language;
pub mod templates;

pub use decide::{
    Case, Decision, ItemState, ModelUse, PageSettings, ReplyMode, SkipReason, TaskDraft, decide,
    decide_with, task_for_skip,
};
pub use templates::{Drafts, TemplateSet};

pub use confidence::{Boldness, Confidence, HoldReason, ModelRule};

pub use classify::{Label, Register, Theme, classify, complaint_theme, detect_register};

pub use language::{Language, detect_language};
