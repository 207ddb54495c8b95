//! What the customer is told after their case is resolved, in their language and
//! register, with the page's wording: the update request (the triage templates'
//! `resolution`) and the short public "resolved" note (`texts/resolved.json`).

use feedback::Platform;
use feedback::capabilities::AuthorNames;
use feedback::page::PageRecord;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;
use store::FeedbackRecord;
use store::views::TaskView;
use triage::templates::{Placeholders, TemplateSet, render};
use triage::{Label, Language, PageSettings, Register};

/// The page's templates: its overrides over the built-in ones. Overrides that no longer
/// read (edited by hand) fall back to the built-in wording, as the responder does.
pub fn page_templates(page: &PageRecord, builtin: &TemplateSet) -> TemplateSet {
    page.config
        .templates
        .as_deref()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|overrides| TemplateSet::with_overrides(Some(&overrides)).ok())
        .unwrap_or_else(|| builtin.clone())
}

/// How `platform`'s author names read, as the platform declares it: for the tools that
/// word these texts without the sweeper's configuration (the tasks API, feedbackctl).
pub fn declared_author_names(platform: &Platform) -> AuthorNames {
    platforms::outbound::declared_capabilities(platform).author_names
}

/// Who the text is for, and how they write.
struct Reader {
    language: Language,
    register: Option<Register>,
    placeholders: Placeholders,
}

fn reader(
    settings: &PageSettings,
    record: Option<&FeedbackRecord>,
    task: Option<&TaskView>,
    names: AuthorNames,
) -> Reader {
    // The task's language (what the reply was written in), else the one detected on the
    // feedback, else the page's default.
    let language = task
        .and_then(|t| Language::parse(&t.language))
        .or_else(|| {
            record
                .and_then(|r| r.language.as_deref())
                .and_then(Language::parse)
        })
        .unwrap_or(settings.default_language);
    let feedback = record.map(|r| &r.feedback);
    let register = feedback
        .and_then(|f| f.text.as_deref())
        .and_then(|t| triage::detect_register(t, language));
    Reader {
        language,
        register,
        placeholders: Placeholders {
            // The one greeting rule of every reply: never a handle, a display name only
            // when it reads as a name.
            name: triage::templates::greeting_name(
                feedback.and_then(|f| f.author_name.as_deref()),
                names,
            ),
            brand: settings.brand_name.clone(),
            signature: settings.signature.clone(),
            contact: settings.contact.clone(),
        },
    }
}

/// "Would you consider updating your comment or review?", shaped by the kind of
/// feedback (a question is not asked to update "the complaint"). Every resolved case
/// gets it, whatever the outcome: Google forbids review gating. `names`: how the
/// platform's author names read (its capabilities).
pub fn update_request(
    templates: &TemplateSet,
    settings: &PageSettings,
    record: Option<&FeedbackRecord>,
    task: Option<&TaskView>,
    names: AuthorNames,
) -> String {
    let r = reader(settings, record, task, names);
    let label = task
        .and_then(|t| Label::parse(&t.label))
        .unwrap_or(Label::Negative);
    triage::templates::resolution(templates, r.language, r.register, label, &r.placeholders)
}

#[derive(Deserialize)]
struct Notes {
    #[serde(flatten)]
    languages: HashMap<String, serde_json::Value>,
}

/// The notes of `texts/resolved.json`, by (language, register).
static RESOLVED_NOTES: LazyLock<HashMap<(Language, Register), String>> = LazyLock::new(|| {
    let mut out = HashMap::new();
    let Ok(notes) = serde_json::from_str::<Notes>(include_str!("../texts/resolved.json")) else {
        return out;
    };
    for (code, registers) in notes.languages {
        let Some(language) = Language::parse(&code) else {
            continue;
        };
        for register in [Register::Formal, Register::Informal] {
            if let Some(text) = registers.get(register.as_str()).and_then(|t| t.as_str()) {
                out.insert((language, register), text.to_owned());
            }
        }
    }
    out
});

/// The short public note that the case was resolved, in the customer's language and
/// register (`None` only if the compiled-in notes lack the language, which a unit test
/// rules out).
pub fn resolved_note(
    templates: &TemplateSet,
    settings: &PageSettings,
    record: Option<&FeedbackRecord>,
    task: Option<&TaskView>,
    names: AuthorNames,
) -> Option<String> {
    let r = reader(settings, record, task, names);
    let register = r
        .register
        .unwrap_or_else(|| templates.default_register(r.language));
    let note = RESOLVED_NOTES.get(&(r.language, register))?;
    let language_templates = templates.templates(r.language, Some(register));
    Some(render(note, language_templates, &r.placeholders))
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedback::Feedback;
    use platforms::meta::FACEBOOK;
    use time::macros::datetime;

    fn record(text: &str, name: &str) -> FeedbackRecord {
        let feedback = Feedback {
            author_id: Some("9".into()),
            author_name: Some(name.into()),
            text: Some(text.into()),
            ..Feedback::example_comment(FACEBOOK, "1", "1_2", datetime!(2026-11-20 10:00 UTC))
                .unwrap()
        };
        FeedbackRecord {
            label: Some("negative".into()),
            language: Some("nl".into()),
            ..FeedbackRecord::new(feedback)
        }
    }

    #[test]
    fn every_language_has_a_resolved_note_in_both_registers() {
        for language in Language::ALL {
            for register in [Register::Formal, Register::Informal] {
                assert!(
                    RESOLVED_NOTES.contains_key(&(language, register)),
                    "{language} {register}"
                );
            }
        }
    }

    #[test]
    fn the_resolved_note_greets_the_customer_in_their_language() {
        let templates = TemplateSet::builtin().unwrap();
        let settings = PageSettings {
            brand_name: "Bakkerij Zon".into(),
            ..PageSettings::default()
        };
        let note = resolved_note(
            &templates,
            &settings,
            Some(&record("Mijn bestelling is niet geleverd", "Anke de Vries")),
            None,
            AuthorNames::DisplayNames,
        )
        .unwrap();
        assert!(note.starts_with("Hallo Anke,"), "{note}");
        assert!(
            note.contains("opgelost") && note.contains("Bakkerij Zon"),
            "{note}"
        );
    }

    #[test]
    fn the_update_request_asks_in_the_customer_language() {
        let templates = TemplateSet::builtin().unwrap();
        let text = update_request(
            &templates,
            &PageSettings::default(),
            Some(&record("Mijn bestelling is niet geleverd", "Anke de Vries")),
            None,
            AuthorNames::DisplayNames,
        );
        assert!(text.starts_with("Hallo Anke,"), "{text}");
        assert!(text.contains("review"), "{text}");
    }
}
