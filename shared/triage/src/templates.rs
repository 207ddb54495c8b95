//! Reply wording as data: `templates/{nl,en,fr,de,es}.json`, compiled in, and overridable
//! per page with a JSON object of the same shape (only the keys you want to change).
//!
//! Placeholders: `{greeting}` (built from `greeting` with `{name}`, or
//! `greeting_anonymous`), `{name}`, `{brand}`, `{signature}`, `{contact}`. Values are
//! inserted verbatim in one pass, so a customer's name can never inject a placeholder.

use crate::{Label, Language};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ByLabel<T> {
    pub negative: T,
    pub question: T,
    pub neutral: T,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PublicTemplates {
    pub negative: Vec<String>,
    pub question: Vec<String>,
    pub neutral: Vec<String>,
    pub positive: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct NextSteps {
    pub negative: String,
    pub question: String,
    pub neutral: String,
    /// When no private message could be sent.
    pub manual: String,
}

/// The wording of one language.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct LanguageTemplates {
    pub greeting: String,
    pub greeting_anonymous: String,
    pub public: PublicTemplates,
    pub private: ByLabel<Vec<String>>,
    /// Public replies when no private message goes out (no private channel, past its
    /// window): they never claim one was sent, and point to the page's contact line.
    pub public_no_private: ByLabel<Vec<String>>,
    pub next_step: NextSteps,
    /// Sent when a follow-up task is resolved: asks the customer to update their comment.
    pub resolved: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("templates for {language}: {message}")]
    Invalid { language: Language, message: String },
}

fn builtin(lang: Language) -> &'static str {
    match lang {
        Language::Nl => include_str!("../templates/nl.json"),
        Language::En => include_str!("../templates/en.json"),
        Language::Fr => include_str!("../templates/fr.json"),
        Language::De => include_str!("../templates/de.json"),
        Language::Es => include_str!("../templates/es.json"),
    }
}

fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// The wording of every language, after a page's overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSet {
    languages: HashMap<Language, LanguageTemplates>,
}

impl TemplateSet {
    /// The built-in wording.
    pub fn builtin() -> Result<Self, TemplateError> {
        Self::with_overrides(None)
    }

    /// The built-in wording with a page's overrides: `{"nl": {"public": {"negative": […]}}}`.
    pub fn with_overrides(overrides: Option<&Value>) -> Result<Self, TemplateError> {
        let mut languages = HashMap::new();
        for lang in Language::ALL {
            let invalid = |message: String| TemplateError::Invalid {
                language: lang,
                message,
            };
            let mut value: Value =
                serde_json::from_str(builtin(lang)).map_err(|e| invalid(e.to_string()))?;
            if let Some(over) = overrides.and_then(|o| o.get(lang.code())) {
                merge(&mut value, over);
            }
            let templates: LanguageTemplates =
                serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
            let lists = [
                &templates.public.negative,
                &templates.public.question,
                &templates.public.neutral,
                &templates.public.positive,
                &templates.private.negative,
                &templates.private.question,
                &templates.private.neutral,
                &templates.public_no_private.negative,
                &templates.public_no_private.question,
                &templates.public_no_private.neutral,
            ];
            if lists.iter().any(|l| l.is_empty()) {
                return Err(invalid(
                    "every template list needs at least one variant".into(),
                ));
            }
            languages.insert(lang, templates);
        }
        Ok(Self { languages })
    }

    pub fn language(&self, lang: Language) -> &LanguageTemplates {
        // Every language is inserted by the constructor.
        &self.languages[&lang]
    }
}

/// The values placed into a template.
#[derive(Debug, Clone, Default)]
pub struct Placeholders {
    pub name: Option<String>,
    pub brand: String,
    pub signature: String,
    pub contact: String,
}

/// Replace `{key}`s in one pass; unknown keys stay as written.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let replaced = after.find('}').and_then(|end| {
            let key = &after[1..end];
            values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v, end + 1))
        });
        match replaced {
            Some((value, used)) => {
                out.push_str(value);
                rest = &after[used..];
            }
            None => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    // Empty placeholders leave double spaces and space before punctuation.
    let mut tidy = out.split_whitespace().collect::<Vec<_>>().join(" ");
    for p in [" ,", " .", " !"] {
        tidy = tidy.replace(p, &p[1..]);
    }
    tidy
}

/// The first name of a display name, for a friendly greeting. Usernames (Instagram) are
/// used as they are.
fn first_name(name: &str) -> Option<String> {
    let first = name.split_whitespace().next()?;
    let clean: String = first
        .chars()
        .filter(|c| !c.is_control() && *c != '{' && *c != '}')
        .take(40)
        .collect();
    (!clean.is_empty()).then_some(clean)
}

pub fn render(template: &str, lang: &LanguageTemplates, placeholders: &Placeholders) -> String {
    let name = placeholders.name.as_deref().and_then(first_name);
    let greeting = match &name {
        Some(n) => fill(&lang.greeting, &[("name", n)]),
        None => lang.greeting_anonymous.clone(),
    };
    let signature = fill(&placeholders.signature, &[("brand", &placeholders.brand)]);
    fill(
        template,
        &[
            ("greeting", &greeting),
            ("name", name.as_deref().unwrap_or_default()),
            ("brand", &placeholders.brand),
            ("signature", &signature),
            ("contact", &placeholders.contact),
        ],
    )
}

/// One of several variants, the same one every time for the same item, so a redelivery
/// drafts the same words and replies under one post do not all read alike.
pub fn pick<'t>(variants: &'t [String], item_id: &str, purpose: &str) -> &'t str {
    let digest = Sha256::digest(format!("{purpose}:{item_id}").as_bytes());
    let n = u64::from_be_bytes([
        digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
    ]);
    let len = variants.len().max(1) as u64;
    variants
        .get((n % len) as usize)
        .map(String::as_str)
        .unwrap_or_default()
}

/// The texts drafted for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drafts {
    pub public: String,
    pub private: Option<String>,
    pub next_step: String,
}

pub(crate) fn draft(
    set: &TemplateSet,
    lang: Language,
    label: Label,
    item_id: &str,
    placeholders: &Placeholders,
    private_allowed: bool,
) -> Drafts {
    let t = set.language(lang);
    let (public, alone, private, step) = match label {
        Label::Negative => (
            &t.public.negative,
            &t.public_no_private.negative,
            Some(&t.private.negative),
            &t.next_step.negative,
        ),
        Label::Question => (
            &t.public.question,
            &t.public_no_private.question,
            Some(&t.private.question),
            &t.next_step.question,
        ),
        Label::Positive => (
            &t.public.positive,
            &t.public.positive,
            None,
            &t.next_step.neutral,
        ),
        Label::Neutral | Label::Spam | Label::Abusive => (
            &t.public.neutral,
            &t.public_no_private.neutral,
            Some(&t.private.neutral),
            &t.next_step.neutral,
        ),
    };
    // The public reply mentions a private message only when one is drafted.
    let public = if private_allowed { public } else { alone };
    let private = private
        .filter(|_| private_allowed)
        .map(|variants| render(pick(variants, item_id, "private"), t, placeholders));
    let next_step = if private.is_none() && label != Label::Positive {
        t.next_step.manual.clone()
    } else {
        step.clone()
    };
    Drafts {
        public: render(pick(public, item_id, "public"), t, placeholders),
        private,
        next_step,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(name: Option<&str>) -> Placeholders {
        Placeholders {
            name: name.map(str::to_owned),
            brand: "Bakkerij Zon".into(),
            signature: "– Team {brand}".into(),
            contact: String::new(),
        }
    }

    #[test]
    fn every_builtin_language_loads_with_variants() {
        let set = TemplateSet::builtin().unwrap();
        for lang in Language::ALL {
            assert!(set.language(lang).public.negative.len() >= 3, "{lang}");
        }
    }

    #[test]
    fn placeholders_are_filled_and_the_first_name_greets() {
        let set = TemplateSet::builtin().unwrap();
        let nl = set.language(Language::Nl);
        let text = render(
            &nl.public.negative[0],
            nl,
            &placeholders(Some("Anke de Vries")),
        );
        assert!(text.starts_with("Hallo Anke,"), "{text}");
        assert!(text.ends_with("– Team Bakkerij Zon"), "{text}");
        assert!(!text.contains('{'), "{text}");
    }

    #[test]
    fn a_name_cannot_inject_a_placeholder() {
        let set = TemplateSet::builtin().unwrap();
        let en = set.language(Language::En);
        let text = render("{greeting} {signature}", en, &placeholders(Some("{brand}")));
        // Braces are dropped from names, and values are never re-scanned for placeholders.
        assert_eq!(text, "Hi brand, – Team Bakkerij Zon");
    }

    #[test]
    fn the_variant_is_stable_per_item_and_varies_across_items() {
        let variants: Vec<String> = (0..3).map(|i| format!("v{i}")).collect();
        assert_eq!(
            pick(&variants, "a", "public"),
            pick(&variants, "a", "public")
        );
        let distinct: std::collections::HashSet<_> = (0..30)
            .map(|i| pick(&variants, &format!("item{i}"), "public"))
            .collect();
        assert_eq!(distinct.len(), 3);
    }

    #[test]
    fn a_page_override_replaces_only_what_it_names() {
        let over = serde_json::json!({"en": {"public": {"positive": ["Cheers {name}!"]}}});
        let set = TemplateSet::with_overrides(Some(&over)).unwrap();
        let en = set.language(Language::En);
        assert_eq!(en.public.positive, ["Cheers {name}!"]);
        assert_eq!(
            en.public.negative,
            TemplateSet::builtin()
                .unwrap()
                .language(Language::En)
                .public
                .negative
        );
    }

    #[test]
    fn an_override_that_empties_a_list_is_refused() {
        let over = serde_json::json!({"fr": {"public": {"negative": []}}});
        assert!(TemplateSet::with_overrides(Some(&over)).is_err());
    }

    #[test]
    fn without_a_private_message_no_public_reply_claims_one_in_any_language() {
        let set = TemplateSet::builtin().unwrap();
        let claims = ["private", "privé", "privado", "private Nachricht"];
        for lang in Language::ALL {
            for label in [Label::Negative, Label::Question, Label::Neutral] {
                for id in ["1", "2", "3", "4", "5", "6"] {
                    let d = draft(&set, lang, label, id, &placeholders(Some("Sanne")), false);
                    assert!(d.private.is_none());
                    assert!(
                        !claims.iter().any(|c| d.public.contains(c)),
                        "{lang} {label}: {}",
                        d.public
                    );
                }
            }
        }
    }
}
