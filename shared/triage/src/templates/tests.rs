//! The wording rules, checked on every template of every language and register, rendered
//! with and without each optional value.

use super::*;

const NNBSP: char = '\u{202f}';
const NBSP: char = '\u{a0}';

fn placeholders(name: Option<&str>, brand: &str, contact: &str) -> Placeholders {
    Placeholders {
        name: name.map(str::to_owned),
        brand: brand.into(),
        signature: "– {brand}".into(),
        contact: contact.into(),
    }
}

fn registers() -> [Register; 2] {
    [Register::Informal, Register::Formal]
}

/// Every language, in both registers.
fn languages_and_registers() -> impl Iterator<Item = (Language, Register)> {
    Language::ALL
        .into_iter()
        .flat_map(|lang| registers().map(|register| (lang, register)))
}

/// Every way a reply can be drafted: language, register, label, theme, with or without a
/// private message, name, brand and contact.
fn every_draft(set: &TemplateSet, mut check: impl FnMut(&str, &Drafts, Language, Register)) {
    let themes = std::iter::once(None).chain(Theme::ALL.map(Some));
    let themes: Vec<_> = themes.collect();
    for (lang, register) in languages_and_registers() {
        for label in [
            Label::Negative,
            Label::Question,
            Label::Neutral,
            Label::Positive,
        ] {
            let themes = if label == Label::Negative {
                &themes[..]
            } else {
                &themes[..1]
            };
            for &theme in themes {
                for private in [true, false] {
                    for name in [Some("Sanne de Vries"), None] {
                        for brand in ["Bakkerij Zon", "", "our team"] {
                            for contact in ["+31 20 123 4567", ""] {
                                for id in ["1", "2", "3", "4", "5", "6", "7"] {
                                    let item = Item {
                                        language: lang,
                                        register: Some(register),
                                        label,
                                        theme,
                                        // One in seven mixed ("Good X, but Y").
                                        mixed: id == "7",
                                        id,
                                        avoid: &[],
                                        prefer: None,
                                    };
                                    let p = placeholders(name, brand, contact);
                                    let d = draft(set, item, &p, private);
                                    let case = format!(
                                        "{lang} {register} {label} {theme:?} private={private} name={name:?} brand={brand:?} contact={contact:?} id={id}"
                                    );
                                    check(&case, &d, lang, register);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Every text a customer can read: drafts and resolutions.
fn every_text(d: &Drafts) -> Vec<&str> {
    let mut texts = vec![d.public.as_str(), d.public_without_private.as_str()];
    texts.extend(d.private.as_deref());
    texts
}

/// Typography and leftovers in one rendered text.
fn check_text(case: &str, text: &str, lang: Language) {
    assert!(!text.contains(['{', '}']), "{case}: leftover: {text}");
    assert!(!text.contains("  "), "{case}: doubled space: {text}");
    assert_eq!(text, text.trim(), "{case}: untrimmed: {text:?}");
    assert!(!text.contains("our team"), "{case}: English brand: {text}");
    for p in [',', '.'] {
        assert!(
            !text.contains(&format!(" {p}")),
            "{case}: space before {p}: {text}"
        );
    }
    assert!(
        !text.contains(",,") && !text.contains(".."),
        "{case}: {text}"
    );
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        match (lang, c) {
            (Language::Fr, '!' | '?' | ';') => assert!(
                before == Some(NNBSP) || matches!(before, Some('!' | '?')),
                "{case}: French {c} needs a narrow no-break space: {text}"
            ),
            (Language::Fr, ':') => assert_eq!(
                before,
                Some(NBSP),
                "{case}: French : needs a no-break space: {text}"
            ),
            (_, '!' | '?' | ';' | ':') => assert!(
                !before.is_some_and(char::is_whitespace),
                "{case}: space before {c}: {text}"
            ),
            _ => {}
        }
    }
    if lang == Language::Es {
        // Every ! and ? closes a sentence that opened with ¡ or ¿.
        let mut open = None;
        for c in text.chars() {
            match c {
                '¡' | '¿' => open = Some(c),
                '!' => assert_eq!(open.take(), Some('¡'), "{case}: ¡…! in {text}"),
                '?' => assert_eq!(open.take(), Some('¿'), "{case}: ¿…? in {text}"),
                '.' => assert_eq!(open, None, "{case}: unclosed ¡ or ¿ in {text}"),
                _ => {}
            }
        }
    }
}

#[test]
fn every_template_renders_cleanly_with_and_without_each_optional_value() {
    let set = TemplateSet::builtin().unwrap();
    every_draft(&set, |case, d, lang, _| {
        for text in every_text(d) {
            check_text(case, text, lang);
        }
    });
}

#[test]
fn the_greeting_reads_right_in_every_language() {
    let set = TemplateSet::builtin().unwrap();
    every_draft(&set, |case, d, lang, _| {
        let text = &d.public;
        let (named, anonymous) = match lang {
            Language::En => ("Hi Sanne, ", "Hi there, "),
            Language::Nl => ("Hallo Sanne, ", "Hallo, "),
            Language::Fr => ("Bonjour Sanne, ", "Bonjour, "),
            Language::De => ("Hallo Sanne, ", "Hallo, "),
            // RAE: a comma before the name, opening and closing marks.
            Language::Es => ("¡Hola, Sanne! ", "¡Hola! "),
        };
        let rest = text
            .strip_prefix(named)
            .or_else(|| text.strip_prefix(anonymous))
            .unwrap_or_else(|| panic!("{case}: greeting: {text}"));
        let first = rest.chars().next().unwrap();
        if lang == Language::Es {
            assert!(
                first.is_uppercase() || first == '¡',
                "{case}: a sentence after ¡Hola…! starts with a capital: {text}"
            );
        } else {
            assert!(
                first.is_lowercase(),
                "{case}: after the greeting's comma the sentence goes on in lowercase: {text}"
            );
        }
    });
}

/// The words that say a private message was sent, and where to find it.
fn claims(lang: Language) -> (&'static [&'static str], &'static str) {
    match lang {
        Language::En => (&["private message", "privately"], "message requests"),
        Language::Nl => (&["privébericht"], "berichtverzoeken"),
        Language::Fr => (
            &["message privé", "en privé", "messages privés"],
            "demandes de messages",
        ),
        Language::De => (
            &["private Nachricht", "privaten Nachricht", "privat"],
            "Nachrichtenanfragen",
        ),
        Language::Es => (
            &["mensaje privado", "por privado", "mensajes privados"],
            "solicitudes de mensajes",
        ),
    }
}

#[test]
fn a_public_reply_mentions_a_private_message_only_when_one_is_drafted_and_says_where() {
    let set = TemplateSet::builtin().unwrap();
    every_draft(&set, |case, d, lang, _| {
        let (words, requests) = claims(lang);
        let claims = |text: &str| words.iter().any(|w| text.contains(w)) || text.contains(requests);
        assert!(
            !claims(&d.public_without_private),
            "{case}: {}",
            d.public_without_private
        );
        if d.private.is_none() {
            assert!(
                !claims(&d.public),
                "{case}: claims a private message: {}",
                d.public
            );
            assert_eq!(d.public, d.public_without_private, "{case}");
        } else {
            assert!(
                claims(&d.public) && d.public.contains(requests),
                "{case}: says a private message was sent and where: {}",
                d.public
            );
        }
    });
}

#[test]
fn only_complaints_and_questions_get_a_private_message() {
    let set = TemplateSet::builtin().unwrap();
    every_draft(&set, |case, d, _, _| {
        let label = case.split(' ').nth(2).unwrap();
        let private = case.contains("private=true");
        assert_eq!(
            d.private.is_some(),
            private && ["negative", "question"].contains(&label),
            "{case}"
        );
    });
}

#[test]
fn the_contact_line_shows_only_when_a_contact_is_set() {
    let set = TemplateSet::builtin().unwrap();
    every_draft(&set, |case, d, lang, _| {
        let with_contact = case.contains("contact=\"+31");
        let label = case.split(' ').nth(2).unwrap();
        for text in every_text(d) {
            // Praise and neutral replies with a private channel need no contact line.
            let shows = text.contains("+31 20 123 4567");
            if !with_contact {
                assert!(!shows, "{case}: {text}");
            }
        }
        if with_contact {
            if let Some(private) = &d.private {
                assert!(private.contains("+31 20 123 4567"), "{case}: {private}");
            }
            if d.private.is_none() && ["negative", "question"].contains(&label) {
                assert!(
                    d.public.contains("+31 20 123 4567"),
                    "{case}: without a private channel the public reply gives the contact: {}",
                    d.public
                );
            }
        }
        let _ = lang;
    });
}

#[test]
fn the_sign_off_is_the_brand_or_the_language_s_own_never_english_elsewhere() {
    let set = TemplateSet::builtin().unwrap();
    every_draft(&set, |case, d, lang, _| {
        let expected = if case.contains("brand=\"Bakkerij Zon\"") {
            "– Bakkerij Zon"
        } else {
            match lang {
                Language::En => "– The team",
                Language::Nl => "– Het team",
                Language::Fr => "– L'équipe",
                Language::De => "– Das Team",
                Language::Es => "– El equipo",
            }
        };
        for text in every_text(d) {
            assert!(text.ends_with(expected), "{case}: {text}");
            if lang != Language::En {
                assert!(
                    !text.contains("The team") && !text.contains("team,"),
                    "{case}: {text}"
                );
            }
        }
    });
}

#[test]
fn the_register_is_kept_throughout() {
    // Words of the other register, as whole words.
    let wrong = |lang: Language, register: Register| -> &'static [&'static str] {
        match (lang, register) {
            (Language::Nl, Register::Formal) => &["je", "jij", "jou", "jouw", "jullie"],
            (Language::Nl, Register::Informal) => &["u", "uw"],
            (Language::De, Register::Formal) => &[
                "du", "dich", "dir", "dein", "deine", "deinen", "deiner", "deinem",
            ],
            (Language::De, Register::Informal) => {
                &["Sie", "Ihnen", "Ihr", "Ihre", "Ihren", "Ihrer", "Ihrem"]
            }
            (Language::Fr, Register::Formal) => {
                &["tu", "te", "t'", "toi", "ton", "ta", "tes", "on"]
            }
            (Language::Fr, Register::Informal) => &["vous", "votre", "vos"],
            (Language::Es, Register::Formal) => &["tú", "tu", "te", "ti", "tus", "contigo"],
            (Language::Es, Register::Informal) => &["usted", "le", "su", "sus"],
            (Language::En, _) => &[],
        }
    };
    let set = TemplateSet::builtin().unwrap();
    every_draft(&set, |case, d, lang, register| {
        for text in every_text(d) {
            // The name and brand are the customer's and the page's words.
            let text = text.replace("Sanne", "").replace("Bakkerij Zon", "");
            let words: Vec<&str> = text
                .split(|c: char| !(c.is_alphanumeric() || c == '\''))
                .collect();
            for w in wrong(lang, register) {
                let hit = if w.ends_with('\'') {
                    text.contains(&format!(" {w}"))
                } else {
                    words.contains(w)
                };
                assert!(!hit, "{case}: {w:?} in {text}");
            }
        }
    });
}

#[test]
fn the_private_message_asks_for_what_staff_need_not_the_story_again() {
    let set = TemplateSet::builtin().unwrap();
    // Order number (or visit), the remedy they would like, how to reach them.
    let needs = |lang: Language| -> [&'static [&'static str]; 3] {
        match lang {
            Language::En => [
                &["order number"],
                &["refund", "solution", "like us to do"],
                &[
                    "reach you",
                    "contact you",
                    "hear from us",
                    "call, e-mail",
                    "get back to you",
                ],
            ],
            Language::Nl => [
                &["bestelnummer"],
                &["geld terug", "oplossing", "wilt dat we doen"],
                &["bereiken", "horen", "gebeld"],
            ],
            Language::Fr => [
                &["numéro de commande"],
                &[
                    "remboursement",
                    "solution",
                    "que nous fassions",
                    "qu'on fasse",
                ],
                &["joindre", "recontact", "un appel"],
            ],
            Language::De => [
                &["Bestellnummer"],
                &["Erstattung", "Lösung", "tun sollen"],
                &["erreichen", "hören", "anrufen"],
            ],
            Language::Es => [
                &["número de pedido"],
                &["reembolso", "solución", "que hagamos"],
                &["contact", "llamemos"],
            ],
        }
    };
    every_draft(&set, |case, d, lang, _| {
        if !case.contains(" negative ") {
            return;
        }
        if let Some(private) = &d.private {
            for (what, words) in ["order", "remedy", "channel"].iter().zip(needs(lang)) {
                assert!(
                    words.iter().any(|w| private.contains(w)),
                    "{case}: asks for the {what}: {private}"
                );
            }
            assert!(
                private.chars().count() <= 1000,
                "{case}: fits Meta's 1000 characters"
            );
        }
    });
}

#[test]
fn a_recognised_theme_is_named_in_the_apology() {
    let set = TemplateSet::builtin().unwrap();
    for (lang, register) in languages_and_registers() {
        let t = set.templates(lang, Some(register));
        for theme in Theme::ALL {
            let item = Item {
                language: lang,
                register: Some(register),
                label: Label::Negative,
                theme: Some(theme),
                mixed: false,
                id: "42",
                avoid: &[],
                prefer: None,
            };
            let d = draft(&set, item, &placeholders(Some("Sam"), "Zon", ""), true);
            let named = t.apology.of(Some(theme));
            for text in [&d.public, &d.public_without_private] {
                assert!(
                    named.iter().any(|a| text.contains(a.as_str())),
                    "{lang} {register} {theme}: {text}"
                );
            }
        }
    }
}

#[test]
fn there_are_six_variants_per_class_language_and_register() {
    let set = TemplateSet::builtin().unwrap();
    for (lang, register) in languages_and_registers() {
        let t = set.templates(lang, Some(register));
        for (name, list) in t.lists() {
            let minimum = if name == "apology" { 2 } else { 6 };
            assert!(
                list.len() >= minimum,
                "{lang} {register} {name}: {}",
                list.len()
            );
            let distinct: std::collections::HashSet<_> = list.iter().collect();
            assert_eq!(
                distinct.len(),
                list.len(),
                "{lang} {register} {name}: duplicates"
            );
        }
        for step in [
            &t.next_step.negative,
            &t.next_step.question,
            &t.next_step.question_manual,
            &t.next_step.neutral,
            &t.next_step.manual,
            &t.next_step.threat,
            &t.resolution.negative,
            &t.resolution.question,
            &t.resolution.neutral,
        ] {
            assert!(!step.trim().is_empty(), "{lang} {register}");
        }
    }
}

#[test]
fn every_resolution_renders_cleanly_and_asks_every_complainant_to_update() {
    let set = TemplateSet::builtin().unwrap();
    for (lang, register) in languages_and_registers() {
        for label in Label::ALL {
            for name in [Some("Sanne"), None] {
                for brand in ["Zon", ""] {
                    let p = placeholders(name, brand, "");
                    let text = resolution(&set, lang, Some(register), label, &p);
                    check_text(&format!("{lang} {register} {label}"), &text, lang);
                }
            }
        }
        let t = set.templates(lang, Some(register));
        assert_eq!(t.resolved, t.resolution.negative);
        // Never "if you are happy…": asking only satisfied customers is review gating.
        for gating in [
            "If you're happy",
            "Ben je tevreden",
            "Si vous êtes satisfait",
            "Wenn du mit",
            "Si estás satisfecho",
        ] {
            assert!(!t.resolved.contains(gating), "{lang}: {}", t.resolved);
        }
    }
}

#[test]
fn known_wording_errors_are_gone() {
    let set = TemplateSet::builtin().unwrap();
    for (lang, register) in languages_and_registers() {
        let mut t = set.templates(lang, Some(register)).clone();
        for text in t.texts_mut() {
            for wrong in [
                "Zodat we dit snel kunnen oplossen",
                "help you further",
                "verder helpen",
                "Hola {name}:",
            ] {
                assert!(!text.contains(wrong), "{lang}: {text}");
            }
        }
    }
}

#[test]
fn every_builtin_language_loads_in_both_registers_with_its_default() {
    let set = TemplateSet::builtin().unwrap();
    let expected = [
        (Language::Nl, Register::Informal),
        (Language::En, Register::Informal),
        (Language::Fr, Register::Formal),
        (Language::De, Register::Formal),
        (Language::Es, Register::Formal),
    ];
    for (lang, register) in expected {
        assert_eq!(set.default_register(lang), register, "{lang}");
        assert_eq!(set.language(lang), set.templates(lang, None));
    }
    // English has one register: asking for the other gives it.
    assert_eq!(
        set.templates(Language::En, Some(Register::Formal)),
        set.language(Language::En)
    );
    assert_ne!(
        set.templates(Language::De, Some(Register::Formal)),
        set.templates(Language::De, Some(Register::Informal))
    );
}

#[test]
fn placeholders_are_filled_and_the_first_name_greets() {
    let set = TemplateSet::builtin().unwrap();
    let nl = set.language(Language::Nl);
    let text = render(
        &nl.public.by_label.negative[0],
        nl,
        &Placeholders {
            signature: "– Team {brand}".into(),
            ..placeholders(Some("Anke de Vries"), "Bakkerij Zon", "")
        },
    );
    assert!(text.starts_with("Hallo Anke,"), "{text}");
    assert!(text.ends_with("– Team Bakkerij Zon"), "{text}");
    assert!(!text.contains('{'), "{text}");
}

#[test]
fn a_name_cannot_inject_a_placeholder() {
    let set = TemplateSet::builtin().unwrap();
    let en = set.language(Language::En);
    let p = Placeholders {
        signature: "– Team {brand}".into(),
        ..placeholders(Some("{brand}"), "Bakkerij Zon", "")
    };
    let text = render("{greeting} {signature}", en, &p);
    // A name with braces is no name: the anonymous greeting, and values are never
    // re-scanned for placeholders.
    assert_eq!(
        text,
        format!("{} – Team Bakkerij Zon", en.greeting_anonymous)
    );
}

#[test]
fn only_a_name_that_reads_as_a_name_is_echoed_in_a_reply() {
    for (display, greeted) in [
        ("Anke de Vries", Some("Anke")),
        ("José Ñúñez", Some("José")),
        ("Zoe\u{308} Bakker", Some("Zoe\u{308}")),
        ("O'Neil", Some("O'Neil")),
        ("D’Artagnan", Some("D’Artagnan")),
        ("Jean-Luc Picard", Some("Jean-Luc")),
        ("Anke V.", Some("Anke")),
        ("  Anke   de  Vries ", Some("Anke")),
        ("Сергей Иванов", Some("Сергей")),
        ("प्रिया शर्मा", Some("प्रिया")),
        ("محمد علي", Some("محمد")),
        ("shop.scam.example", None),
        ("anke_devries92", None),
        ("Visit https://scam.example", None),
        ("Anke www.scam.example", None),
        ("Anke\u{202e}elpmaxe", None),
        ("An\u{200b}ke", None),
        ("Sanne 🌷", None),
        ("Anke\u{a0}de Vries", Some("Anke")),
        ("Anke\tde Vries", Some("Anke")),
        ("山田\u{3000}花子", Some("山田")),
        ("スーザン", Some("スーザン")),
        ("\u{3164}", None),
        ("An\u{3164}ke", None),
        ("An\u{115f}ke", None),
        ("Anke\u{34f}", None),
        ("Anke\u{fe0f}", None),
        ("shop\u{a4f8}scam\u{a4f8}example", None),
        ("Ank\u{301}\u{302}\u{303}\u{304}\u{305}e", None),
        ("\u{301}Anke", None),
        ("Anke\u{1b}[31m", None),
        ("J. Smith", None),
        ("A Google user", None),
        ("@anke", None),
        ("", None),
        (&"a".repeat(41), None),
    ] {
        assert_eq!(first_name(display).as_deref(), greeted, "{display:?}");
    }
}

#[test]
fn filling_keeps_french_spacing_and_only_tidies_plain_spaces() {
    assert_eq!(
        fill(
            "Merci\u{202f}! {contact} Vraiment\u{a0}: {x}",
            &[("contact", ""), ("x", "oui")]
        ),
        "Merci\u{202f}! Vraiment\u{a0}: oui"
    );
    assert_eq!(
        fill("Hi {name} , thanks {x} .", &[("name", "Sam"), ("x", "")]),
        "Hi Sam, thanks."
    );
    assert_eq!(
        french_spacing("Merci ! Vraiment? Oui : non ; https://x.fr 10:30 ?!"),
        "Merci\u{202f}! Vraiment\u{202f}? Oui\u{a0}: non\u{202f}; https://x.fr 10:30\u{202f}?!"
    );
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
fn a_page_override_replaces_only_what_it_names_in_every_register() {
    let over = serde_json::json!({"nl": {"public": {"positive": ["Top {name}!"]}}});
    let set = TemplateSet::with_overrides(Some(&over)).unwrap();
    let builtin = TemplateSet::builtin().unwrap();
    for register in registers() {
        let nl = set.templates(Language::Nl, Some(register));
        assert_eq!(nl.public.positive, ["Top {name}!"]);
        assert_eq!(
            nl.public.by_label.negative,
            builtin
                .templates(Language::Nl, Some(register))
                .public
                .by_label
                .negative
        );
    }
}

#[test]
fn a_page_chooses_its_register_contact_per_language_and_resolution() {
    let over = serde_json::json!({
        "nl": {"default_register": "formal", "contact": "info@zon.example"},
        "es": {"informal": {"resolved": "{greeting} ¡Resuelto! {signature}"}},
    });
    let set = TemplateSet::with_overrides(Some(&over)).unwrap();
    assert_eq!(set.default_register(Language::Nl), Register::Formal);
    let nl = set.language(Language::Nl);
    let text = render(
        &nl.private.negative[0],
        nl,
        &placeholders(None, "Zon", "+31 20 1"),
    );
    assert!(
        text.contains("U kunt ons bereiken via info@zon.example."),
        "{text}"
    );
    let es = set.templates(Language::Es, Some(Register::Informal));
    assert_eq!(es.resolution.negative, "{greeting} ¡Resuelto! {signature}");
    assert_eq!(
        resolution(
            &set,
            Language::Es,
            Some(Register::Informal),
            Label::Negative,
            &placeholders(Some("Ana"), "Zon", "")
        ),
        "¡Hola, Ana! ¡Resuelto! – Zon"
    );
    let wrong = serde_json::json!({"en": {"default_register": "formal"}});
    assert!(
        TemplateSet::with_overrides(Some(&wrong)).is_err(),
        "English has no formal register"
    );
}

#[test]
fn an_override_that_empties_a_list_is_refused() {
    let over = serde_json::json!({"fr": {"public": {"negative": []}}});
    assert!(TemplateSet::with_overrides(Some(&over)).is_err());
    let over = serde_json::json!({"fr": {"formal": {"apology": {"delivery": []}}}});
    assert!(TemplateSet::with_overrides(Some(&over)).is_err());
}

#[test]
fn every_built_in_language_file_loads_and_passes_the_checks_made_on_first_use() {
    // The built-in set reads a language on first use; its files must load, whole, with
    // every register's lists non-empty and the default register present.
    for lang in Language::ALL {
        let entry = load_language(lang, None)
            .unwrap_or_else(|e| panic!("the built-in {lang:?} templates: {e}"));
        assert!(
            entry.registers.iter().any(|(r, _)| *r == entry.default),
            "{lang:?}: the default register is one of the file's"
        );
    }
}

#[test]
fn a_lazily_read_built_in_set_equals_one_read_whole_and_its_clones_share_what_was_parsed() {
    let lazy = TemplateSet::builtin().unwrap();
    // An empty override per language: every file read whole, through the merge path.
    let empty: serde_json::Map<String, serde_json::Value> = Language::ALL
        .into_iter()
        .map(|l| (l.code().to_owned(), serde_json::json!({})))
        .collect();
    let whole = TemplateSet::with_overrides(Some(&serde_json::Value::Object(empty))).unwrap();
    assert_eq!(lazy, whole);
    // Clones share what was parsed, from any thread.
    let copy = lazy.clone();
    std::thread::scope(|s| {
        for lang in Language::ALL {
            let copy = &copy;
            s.spawn(move || copy.language(lang).public.by_label.negative.len());
        }
    });
    assert!(
        Language::ALL
            .into_iter()
            .all(|l| lazy.languages[slot(l)].get().is_some())
    );
    assert_eq!(
        lazy.language(Language::Fr).public.by_label.negative,
        whole.language(Language::Fr).public.by_label.negative
    );
}
