//! What a comment is: a complaint, a question, praise, spam or abuse.
//!
//! The words are data, one JSON file per language: `lexicons/{nl,en,fr,de,es}.json`,
//! compiled in and parsed once, on first use. Each file has `negative`, `positive` and
//! `abusive` words for comments in its own language (the English ones are checked for
//! every language too: English is mixed into comments everywhere), and `spam`,
//! `negations`, `intensifiers` and `question_openers`, which are pooled over the five
//! files and used whatever the language.
//!
//! Entries are matched on lowercased words. An entry ending in `*` matches any word
//! starting with it; an entry with a space matches as a phrase. A sentiment word right
//! after a negation ("not good", "niet slecht"), or after a negation and an intensifier
//! ("not very good"), flips its polarity.
//!
//! [`classify`] stays infallible because its lexicons cannot be broken at run time: they
//! are compiled in (`include_str!`), and the unit test
//! `every_builtin_lexicon_loads_with_words_in_every_list` loads every one of them with the
//! same code from the same bytes, checking that it parses, is the file of its language,
//! has no empty list and only lowercase entries. A broken file fails that test, never a
//! comment. Were one shipped anyway, its language would be classified with empty lists
//! (reported once on stderr) rather than panic.

use crate::language::{Language, words};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Negative,
    Question,
    Neutral,
    Positive,
    Spam,
    Abusive,
}

impl Label {
    pub const ALL: [Label; 6] = [
        Label::Negative,
        Label::Question,
        Label::Neutral,
        Label::Positive,
        Label::Spam,
        Label::Abusive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Negative => "negative",
            Label::Question => "question",
            Label::Neutral => "neutral",
            Label::Positive => "positive",
            Label::Spam => "spam",
            Label::Abusive => "abusive",
        }
    }

    pub fn parse(s: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The words of one language, as written in `lexicons/<code>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Lexicon {
    /// A note for whoever reviews the words; not used.
    #[serde(rename = "about")]
    _about: String,
    /// The language the file is for, as a check that it is in the right place.
    language: Language,
    negative: Vec<String>,
    positive: Vec<String>,
    abusive: Vec<String>,
    spam: Vec<String>,
    negations: Vec<String>,
    /// Words between a negation and what it negates: "not very good", "niet zo lekker".
    intensifiers: Vec<String>,
    question_openers: Vec<String>,
}

/// Why a lexicon file cannot be used.
#[derive(Debug, thiserror::Error)]
enum LexiconError {
    #[error("lexicons/{language}.json does not parse: {message}")]
    Parse { language: Language, message: String },
    #[error("lexicons/{language}.json says it is for {found}")]
    WrongLanguage { language: Language, found: Language },
    #[error("lexicons/{language}.json: `{list}` is empty")]
    EmptyList {
        language: Language,
        list: &'static str,
    },
    #[error(
        "lexicons/{language}.json: `{list}` has {entry:?}, which never matches: entries are \
         lowercase words separated by single spaces"
    )]
    BadEntry {
        language: Language,
        list: &'static str,
        entry: String,
    },
}

/// The lexicon files, compiled in.
fn builtin(lang: Language) -> &'static str {
    match lang {
        Language::Nl => include_str!("../lexicons/nl.json"),
        Language::En => include_str!("../lexicons/en.json"),
        Language::Fr => include_str!("../lexicons/fr.json"),
        Language::De => include_str!("../lexicons/de.json"),
        Language::Es => include_str!("../lexicons/es.json"),
    }
}

impl Lexicon {
    fn builtin(lang: Language) -> Result<Self, LexiconError> {
        Self::parse(lang, builtin(lang))
    }

    /// A lexicon file's contents, checked: the file of `language`, no empty list, and
    /// only entries that can match a lowercased comment.
    fn parse(language: Language, json: &str) -> Result<Self, LexiconError> {
        let lexicon: Lexicon = serde_json::from_str(json).map_err(|e| LexiconError::Parse {
            language,
            message: e.to_string(),
        })?;
        if lexicon.language != language {
            return Err(LexiconError::WrongLanguage {
                language,
                found: lexicon.language,
            });
        }
        for (list, entries) in lexicon.lists() {
            if entries.is_empty() {
                return Err(LexiconError::EmptyList { language, list });
            }
            let usable = |entry: &String| {
                entry
                    .split(' ')
                    .all(|w| !w.is_empty() && !w.contains(char::is_whitespace))
                    && entry.to_lowercase() == *entry
            };
            if let Some(entry) = entries.iter().find(|e| !usable(e)) {
                return Err(LexiconError::BadEntry {
                    language,
                    list,
                    entry: entry.clone(),
                });
            }
        }
        Ok(lexicon)
    }

    /// What a broken file is replaced with: nothing matches.
    fn empty(language: Language) -> Self {
        Self {
            _about: String::new(),
            language,
            negative: Vec::new(),
            positive: Vec::new(),
            abusive: Vec::new(),
            spam: Vec::new(),
            negations: Vec::new(),
            intensifiers: Vec::new(),
            question_openers: Vec::new(),
        }
    }

    fn lists(&self) -> [(&'static str, &[String]); 7] {
        [
            ("negative", &self.negative),
            ("positive", &self.positive),
            ("abusive", &self.abusive),
            ("spam", &self.spam),
            ("negations", &self.negations),
            ("intensifiers", &self.intensifiers),
            ("question_openers", &self.question_openers),
        ]
    }
}

/// Every language's lexicon, and the lists that are pooled over all of them.
#[derive(Debug)]
struct Lexicons {
    nl: Lexicon,
    en: Lexicon,
    fr: Lexicon,
    de: Lexicon,
    es: Lexicon,
    /// All files' `spam` in one list: an entry found in two files counts twice.
    spam: Vec<String>,
    negations: HashSet<String>,
    intensifiers: HashSet<String>,
    question_openers: HashSet<String>,
}

static LEXICONS: LazyLock<Lexicons> = LazyLock::new(Lexicons::load);

impl Lexicons {
    /// The built-in lexicons. A file that cannot be used (which the unit tests rule out
    /// for the files compiled in) is reported and replaced by an empty lexicon.
    fn load() -> Self {
        let load = |lang| {
            Lexicon::builtin(lang).unwrap_or_else(|e| {
                eprintln!("{e}; classifying {lang} comments without {lang} words");
                Lexicon::empty(lang)
            })
        };
        let (nl, en, fr, de, es) = (
            load(Language::Nl),
            load(Language::En),
            load(Language::Fr),
            load(Language::De),
            load(Language::Es),
        );
        let all = [&nl, &en, &fr, &de, &es];
        let pooled = |list: fn(&Lexicon) -> &[String]| all.into_iter().flat_map(list).cloned();
        Self {
            spam: pooled(|l| &l.spam).collect(),
            negations: pooled(|l| &l.negations).collect(),
            intensifiers: pooled(|l| &l.intensifiers).collect(),
            question_openers: pooled(|l| &l.question_openers).collect(),
            nl,
            en,
            fr,
            de,
            es,
        }
    }

    fn language(&self, lang: Language) -> &Lexicon {
        match lang {
            Language::Nl => &self.nl,
            Language::En => &self.en,
            Language::Fr => &self.fr,
            Language::De => &self.de,
            Language::Es => &self.es,
        }
    }

    /// Count lexicon hits; single-word hits preceded by a negation are returned separately.
    fn hits(&self, lexicon: &[String], tokens: &[String], text: &str) -> (usize, usize) {
        let mut plain = 0;
        let mut negated = 0;
        for entry in lexicon {
            if entry.contains(' ') {
                if text.contains(&format!(" {} ", entry.trim_end_matches('*'))) {
                    plain += 1;
                }
                continue;
            }
            for (i, token) in tokens.iter().enumerate() {
                if entry_matches(entry, token) {
                    let before = |k: usize| i.checked_sub(k).map(|j| tokens[j].as_str());
                    let negation = |w: Option<&str>| w.is_some_and(|w| self.negations.contains(w));
                    let intensifier =
                        |w: Option<&str>| w.is_some_and(|w| self.intensifiers.contains(w));
                    if negation(before(1)) || (intensifier(before(1)) && negation(before(2))) {
                        negated += 1;
                    } else {
                        plain += 1;
                    }
                }
            }
        }
        (plain, negated)
    }
}

fn padded(tokens: &[String]) -> String {
    format!(" {} ", tokens.join(" "))
}

fn entry_matches(entry: &str, token: &str) -> bool {
    match entry.strip_suffix('*') {
        Some(prefix) => token.starts_with(prefix),
        None => token == entry,
    }
}

fn has_link(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains("http://")
        || lower.contains("https://")
        || lower.contains("www.")
        || lower.contains(".com/")
        || lower.contains("bit.ly")
        || lower.contains("t.me/")
        || lower.contains("wa.me/")
}

fn sum(a: (usize, usize), b: (usize, usize)) -> (usize, usize) {
    (a.0 + b.0, a.1 + b.1)
}

/// The label of a comment. Spam and abuse first (never answered), then complaints (a
/// complaint phrased as a question is still a complaint), questions, praise, the rest.
pub fn classify(text: &str, lang: Language) -> Label {
    let tokens = words(text);
    if tokens.is_empty() {
        return Label::Neutral;
    }
    let lexicons = &*LEXICONS;
    let joined = padded(&tokens);
    let (spam, _) = lexicons.hits(&lexicons.spam, &tokens, &joined);
    let link = has_link(text);
    if spam >= 2 || (spam >= 1 && link) || (link && tokens.len() <= 6) {
        return Label::Spam;
    }

    // English is checked for every language too: it is mixed into comments everywhere.
    let own = lexicons.language(lang);
    let english = lexicons.language(Language::En);
    let count = |words: &[String], english_words: &[String]| {
        let own_hits = lexicons.hits(words, &tokens, &joined);
        if lang == Language::En {
            own_hits
        } else {
            sum(own_hits, lexicons.hits(english_words, &tokens, &joined))
        }
    };
    let (neg, neg_negated) = count(&own.negative, &english.negative);
    let (pos, pos_negated) = count(&own.positive, &english.positive);
    let (abuse, _) = count(&own.abusive, &english.abusive);
    let negative = neg + pos_negated;
    let positive = pos + neg_negated;

    // A furious customer who swears once about a real problem is answered; insults with
    // nothing to solve, or a stream of them, are trolling.
    if abuse >= 2 || (abuse >= 1 && negative <= 1 && spam == 0 && !text.contains('?')) {
        return Label::Abusive;
    }
    if spam >= 1 && negative == 0 {
        return Label::Spam;
    }
    if negative > 0 && negative >= positive {
        return Label::Negative;
    }
    let first = tokens.first().map(String::as_str).unwrap_or_default();
    if text.contains('?')
        || text.contains('¿')
        || lexicons.question_openers.contains(first)
            && tokens.len() > 2
            && text.trim_end().ends_with('?')
    {
        return Label::Question;
    }
    if positive > 0 {
        return Label::Positive;
    }
    Label::Neutral
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negation_flips_polarity() {
        assert_eq!(classify("Not good at all", Language::En), Label::Negative);
        assert_eq!(
            classify("Niet slecht, prima geholpen", Language::Nl),
            Label::Positive
        );
    }

    #[test]
    fn a_complaint_asked_as_a_question_is_a_complaint() {
        assert_eq!(
            classify(
                "Why is my order still not delivered after two weeks?",
                Language::En
            ),
            Label::Negative
        );
    }

    #[test]
    fn links_with_promotion_are_spam() {
        assert_eq!(
            classify(
                "Get 1000 free followers now!! https://example.test/x",
                Language::En
            ),
            Label::Spam
        );
    }

    #[test]
    fn words_of_other_languages_do_not_collide() {
        // "die" is a German article and "con" Spanish for "with".
        assert_eq!(
            classify("Die Bestellung kam mit der Post", Language::De),
            Label::Neutral
        );
        assert_eq!(
            classify("Vine con mi hermano el sábado", Language::Es),
            Label::Neutral
        );
    }

    #[test]
    fn empty_or_emoji_only_text_is_neutral() {
        assert_eq!(classify("", Language::En), Label::Neutral);
        assert_eq!(classify("🙂", Language::Nl), Label::Neutral);
    }

    #[test]
    fn every_builtin_lexicon_loads_with_words_in_every_list() {
        for lang in Language::ALL {
            let lexicon = Lexicon::builtin(lang).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(lexicon.language, lang);
            assert!(!lexicon._about.trim().is_empty(), "{lang}: about");
            for (list, entries) in lexicon.lists() {
                assert!(!entries.is_empty(), "{lang}: {list}");
            }
            // What classify uses is the file, not the empty stand-in for a broken one.
            assert_eq!(LEXICONS.language(lang), &lexicon);
        }
    }

    #[test]
    fn a_broken_lexicon_is_a_clear_error() {
        let en = builtin(Language::En);
        let error = |json: &str| match Lexicon::parse(Language::En, json) {
            Ok(_) => panic!("accepted: {json}"),
            Err(e) => e.to_string(),
        };
        assert!(error("{").starts_with("lexicons/en.json does not parse"));
        assert!(error(&en.replacen("\"negative\"", "\"negatives\"", 1)).contains("negatives"));
        assert_eq!(
            error(&en.replacen("\"language\": \"en\"", "\"language\": \"nl\"", 1)),
            "lexicons/en.json says it is for nl"
        );
        let mut value: serde_json::Value = serde_json::from_str(en).unwrap();
        value["spam"] = serde_json::json!([]);
        assert_eq!(
            error(&value.to_string()),
            "lexicons/en.json: `spam` is empty"
        );
        for entry in ["Bad", "", "not  good", " bad", "bad\t"] {
            value["spam"] = serde_json::json!(["ok", entry]);
            assert!(
                error(&value.to_string()).contains("never matches"),
                "{entry:?}"
            );
        }
    }
}
