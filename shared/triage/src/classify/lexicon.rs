//! Loading the lexicons: the per-language word lists of `lexicons/*.json`, checked when
//! parsed, compiled into [`Pattern`]s once on first use, and the lists each text is read with.

use super::tokens::{Token, fold, is_emoji};
use super::{ByTheme, Theme};
use crate::language::Language;
use serde::Deserialize;
use std::borrow::Cow;
use std::sync::LazyLock;

/// Entries are borrowed from the compiled-in file (no copies at start-up), so they are
/// written without JSON escapes (characters as they are).
pub(super) type Entries<'a> = Vec<&'a str>;

/// The words that name what a complaint is about, one list per theme.
pub(super) type Themes<'a> = ByTheme<Entries<'a>>;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RegisterWords<'a> {
    #[serde(borrow)]
    formal: Entries<'a>,
    #[serde(borrow)]
    informal: Entries<'a>,
    /// Words that mark the formal register only as written, capitalised, and not first in
    /// a sentence (German "Sie", "Ihnen", "Ihr": lowercase they mean "she", "them", "you all").
    #[serde(default, borrow)]
    formal_capitalised: Entries<'a>,
}

/// Declares the word lists once, in the file's order: as the file's fields ([`Lexicon`]),
/// empty ([`Lexicon::empty`]), named for the checks ([`Lexicon::lists`]), and, except the
/// lists pooled over every file (in [`Lexicons`]), compiled per language ([`Compiled`]).
macro_rules! word_lists {
    (
        per_language: [$($(#[$doc:meta])* $list:ident),* $(,)?],
        pooled: [$($pooled:ident),* $(,)?],
        then_per_language: [$($(#[$then_doc:meta])* $then:ident),* $(,)?],
        themes: [$($theme:ident),* $(,)?] $(,)?
    ) => {
        /// The words of one language, as written in `lexicons/<code>.json`.
        #[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(super) struct Lexicon<'a> {
            /// A note for whoever reviews the words; not used.
            #[serde(rename = "about")]
            _about: String,
            /// The language the file is for, as a check that it is in the right place.
            language: Language,
            $($(#[$doc])* #[serde(borrow)] $list: Entries<'a>,)*
            $(#[serde(borrow)] $pooled: Entries<'a>,)*
            $($(#[$then_doc])* #[serde(borrow)] $then: Entries<'a>,)*
            #[serde(borrow)]
            themes: Themes<'a>,
            #[serde(borrow)]
            register: RegisterWords<'a>,
            /// Entries of the English lists (which every language is read with) that are
            /// other words in this language and are not read in its texts: French "retard"
            /// is a delay, not an insult; Dutch "af" is not "as f…".
            #[serde(default, borrow)]
            english_false_friends: Entries<'a>,
        }

        impl<'a> Lexicon<'a> {
            /// What a broken file is replaced with: nothing matches.
            fn empty(language: Language) -> Self {
                Self {
                    _about: String::new(),
                    language,
                    $($list: Vec::new(),)*
                    $($pooled: Vec::new(),)*
                    $($then: Vec::new(),)*
                    themes: Themes::default(),
                    register: RegisterWords::default(),
                    english_false_friends: Vec::new(),
                }
            }

            /// Every list, named as in the file.
            fn lists(&self) -> Vec<(&'static str, &[&'a str])> {
                vec![
                    $((stringify!($list), &self.$list),)*
                    $((stringify!($pooled), &self.$pooled),)*
                    $((stringify!($then), &self.$then),)*
                    $((concat!("themes.", stringify!($theme)), &self.themes.$theme),)*
                    ("register.formal", &self.register.formal),
                    ("register.informal", &self.register.informal),
                    ("register.capitalised", &self.register.formal_capitalised),
                ]
            }
        }

        /// One language's compiled lists.
        #[derive(Debug, Clone)]
        pub(super) struct Compiled {
            $(pub(super) $list: Patterns,)*
            $(pub(super) $then: Patterns,)*
            /// The most specific first: a word counts for the first theme that has it.
            pub(super) themes: [(Theme, Patterns); 6],
            pub(super) formal: Patterns,
            pub(super) informal: Patterns,
            pub(super) formal_capitalised: Vec<&'static str>,
        }

        impl Compiled {
            pub(super) fn new(lexicon: &Lexicon<'static>) -> Self {
                Self {
                    $($list: Patterns::new(&lexicon.$list),)*
                    $($then: Patterns::new(&lexicon.$then),)*
                    themes: THEME_ORDER.map(|t| (t, Patterns::new(lexicon.themes.of(t)))),
                    formal: Patterns::new(&lexicon.register.formal),
                    informal: Patterns::new(&lexicon.register.informal),
                    formal_capitalised: lexicon.register.formal_capitalised.clone(),
                }
            }

            /// The same lists without `entries` (as written in the file).
            pub(super) fn without(&self, entries: &[&str]) -> Self {
                let keep = |p: &Patterns| {
                    Patterns(p.0.iter().filter(|x| !entries.contains(&x.entry)).cloned().collect())
                };
                Self {
                    $($list: keep(&self.$list),)*
                    $($then: keep(&self.$then),)*
                    themes: self.themes.clone().map(|(t, p)| (t, keep(&p))),
                    formal: self.formal.clone(),
                    informal: self.informal.clone(),
                    formal_capitalised: self.formal_capitalised.clone(),
                }
            }
        }
    };
}

word_lists! {
    per_language: [
        negative,
        complaint,
        positive,
        sarcasm,
        /// Words that turn a comment ("but", "maar", "mais", "aber", "pero"): what follows the
        /// last one outweighs what came before.
        contrast,
        hints,
        insults,
        profanity,
    ],
    pooled: [threats, spam, negations],
    then_per_language: [
        question_openers,
        /// Words that may come before a question opener ("Hi, do you…", "Buenas, ¿tienen…").
        greetings,
    ],
    themes: [delivery, billing, quality, service, website, price],
}

/// The themes, the most specific first: a word counts for the first theme that has it.
const THEME_ORDER: [Theme; 6] = [
    Theme::Price,
    Theme::Billing,
    Theme::Website,
    Theme::Delivery,
    Theme::Quality,
    Theme::Service,
];

/// Why a lexicon file cannot be used.
#[derive(Debug, thiserror::Error)]
pub(super) enum LexiconError {
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
         lowercase words separated by single spaces, `*` only ends a word, `..` only between words"
    )]
    BadEntry {
        language: Language,
        list: &'static str,
        entry: String,
    },
}

/// The lexicon files, compiled in.
pub(super) fn builtin(lang: Language) -> &'static str {
    per_language_json!(lang, "../../lexicons")
}

/// Lists that may be empty: English has no second register.
pub(super) const MAY_BE_EMPTY: [&str; 3] = [
    "register.formal",
    "register.informal",
    "register.capitalised",
];

impl<'a> Lexicon<'a> {
    fn builtin(lang: Language) -> Result<Lexicon<'static>, LexiconError> {
        Lexicon::parse(lang, builtin(lang))
    }

    /// A lexicon file's contents, checked: the file of `language`, no empty list, and
    /// only entries that can match.
    fn parse(language: Language, json: &'a str) -> Result<Self, LexiconError> {
        let lexicon: Lexicon<'a> = serde_json::from_str(json).map_err(|e| {
            let mut message = e.to_string();
            if message.contains("borrowed string") {
                message.push_str(" (write entries without escapes: characters as they are)");
            }
            LexiconError::Parse { language, message }
        })?;
        if lexicon.language != language {
            return Err(LexiconError::WrongLanguage {
                language,
                found: lexicon.language,
            });
        }
        for (list, entries) in lexicon.lists() {
            if entries.is_empty() && !MAY_BE_EMPTY.contains(&list) {
                return Err(LexiconError::EmptyList { language, list });
            }
            let capitalised = list == "register.capitalised";
            if let Some(entry) = entries.iter().find(|e| !usable(e, capitalised)) {
                return Err(LexiconError::BadEntry {
                    language,
                    list,
                    entry: (*entry).to_owned(),
                });
            }
        }
        Ok(lexicon)
    }
}

/// Whether an entry can ever match a tokenised comment.
pub(super) fn usable(entry: &str, capitalised: bool) -> bool {
    let words: Vec<&str> = entry.split(' ').collect();
    let first_or_last_gap = words.first() == Some(&"..") || words.last() == Some(&"..");
    !first_or_last_gap
        && (capitalised || entry.to_lowercase() == entry)
        && words.iter().all(|w| {
            !w.is_empty()
                && !w.contains(char::is_whitespace)
                && (*w == ".."
                    || (!w.contains("..")
                        && !w.trim_end_matches('*').contains('*')
                        && w.trim_end_matches('*')
                            .chars()
                            .all(|c| c.is_alphanumeric() || c == '\'' || is_emoji(c))))
                && *w != "*"
        })
}

/// One word of a compiled entry, folded (borrowed from the file when it already is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Part {
    Word(Cow<'static, str>),
    Prefix(Cow<'static, str>),
    /// Zero to three words.
    Gap,
}

/// A compiled entry: folded words, and the entry as written (for [`explain`](super::explain)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pattern {
    pub(super) parts: Vec<Part>,
    pub(super) entry: &'static str,
}

impl Pattern {
    pub(super) fn new(entry: &'static str) -> Self {
        let folded = |w: &'static str| -> Cow<'static, str> {
            if w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'\'')
            {
                Cow::Borrowed(w)
            } else {
                Cow::Owned(fold(w))
            }
        };
        let parts = entry
            .split(' ')
            .map(|w| {
                if w == ".." {
                    Part::Gap
                } else if let Some(prefix) = w.strip_suffix('*') {
                    Part::Prefix(folded(prefix))
                } else {
                    Part::Word(folded(w))
                }
            })
            .collect();
        Pattern { parts, entry }
    }

    pub(super) fn single(&self) -> bool {
        self.parts.len() == 1
    }

    /// The end (exclusive) of a match starting at `start`, if any.
    pub(super) fn match_at(&self, tokens: &[Token], start: usize) -> Option<usize> {
        fn go(parts: &[Part], tokens: &[Token], at: usize) -> Option<usize> {
            let Some((part, rest)) = parts.split_first() else {
                return Some(at);
            };
            match part {
                Part::Gap => (0..=3)
                    .filter(|skip| at + skip <= tokens.len())
                    .find_map(|skip| go(rest, tokens, at + skip)),
                Part::Word(w) => tokens
                    .get(at)
                    .filter(|t| t.word == *w)
                    .and_then(|_| go(rest, tokens, at + 1)),
                Part::Prefix(p) => tokens
                    .get(at)
                    .filter(|t| t.word.starts_with(p.as_ref()))
                    .and_then(|_| go(rest, tokens, at + 1)),
            }
        }
        go(&self.parts, tokens, start)
    }
}

/// A category's compiled entries.
#[derive(Debug, Clone, Default)]
pub(super) struct Patterns(pub(super) Vec<Pattern>);

impl Patterns {
    pub(super) fn new<'e>(entries: impl IntoIterator<Item = &'e &'static str>) -> Self {
        Patterns(entries.into_iter().map(|e| Pattern::new(e)).collect())
    }
}

/// Every language's compiled lists, and the lists pooled over all of them.
#[derive(Debug)]
pub(super) struct Lexicons {
    pub(super) languages: Vec<(Language, Compiled)>,
    /// English's lists as read in another language's texts: without that language's
    /// `english_false_friends` (only for the languages that have some).
    english_in: Vec<(Language, Compiled)>,
    pub(super) threats: Patterns,
    pub(super) spam: Patterns,
    pub(super) negations: Vec<String>,
}

pub(super) static LEXICONS: LazyLock<Lexicons> = LazyLock::new(Lexicons::load);

impl Lexicons {
    /// The built-in lexicons. A file that cannot be used (which the unit tests rule out
    /// for the files compiled in) is reported and replaced by an empty lexicon.
    fn load() -> Self {
        let files: Vec<Lexicon<'static>> = Language::ALL
            .into_iter()
            .map(|lang| {
                Lexicon::builtin(lang).unwrap_or_else(|e| {
                    eprintln!("{e}; classifying {lang} comments without {lang} words");
                    Lexicon::empty(lang)
                })
            })
            .collect();
        let pooled = |list: for<'l> fn(&'l Lexicon<'static>) -> &'l Entries<'static>| {
            Patterns::new(files.iter().flat_map(list))
        };
        let languages: Vec<(Language, Compiled)> = files
            .iter()
            .map(|l| (l.language, Compiled::new(l)))
            .collect();
        let english = languages.iter().find(|(l, _)| *l == Language::En);
        let english_in = files
            .iter()
            .filter(|l| l.language != Language::En && !l.english_false_friends.is_empty())
            .filter_map(|l| {
                english.map(|(_, en)| (l.language, en.without(&l.english_false_friends)))
            })
            .collect();
        Self {
            languages,
            english_in,
            threats: pooled(|l| &l.threats),
            spam: pooled(|l| &l.spam),
            negations: files
                .iter()
                .flat_map(|l| &l.negations)
                .map(|n| fold(n))
                .collect(),
        }
    }

    pub(super) fn of(&self, lang: Language) -> Option<&Compiled> {
        self.languages
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, c)| c)
    }

    /// The lists a text in `lang` is read with: its own and English's, or, when the text
    /// is too short to tell its language, every language's.
    pub(super) fn sources(&self, lang: Language, unsure: bool) -> Vec<&Compiled> {
        if unsure {
            return self.languages.iter().map(|(_, c)| c).collect();
        }
        let english = self
            .english_in
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, c)| c)
            .or_else(|| self.of(Language::En));
        let own = self.of(lang);
        if lang == Language::En {
            own.into_iter().collect()
        } else {
            own.into_iter().chain(english).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::tokens::tokenize;

    #[test]
    fn every_builtin_lexicon_loads() {
        for lang in Language::ALL {
            let lexicon = Lexicon::builtin(lang).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(lexicon.language, lang);
            assert!(!lexicon._about.trim().is_empty(), "{lang}: about");
            for (list, entries) in lexicon.lists() {
                assert!(
                    !entries.is_empty() || MAY_BE_EMPTY.contains(&list),
                    "{lang}: {list}"
                );
            }
            if lang != Language::En {
                assert!(!lexicon.register.formal.is_empty(), "{lang}: formal");
                assert!(!lexicon.register.informal.is_empty(), "{lang}: informal");
            }
        }
    }

    #[test]
    fn every_english_false_friend_is_an_english_entry_and_is_not_read_in_its_language() {
        let en = Lexicon::builtin(Language::En).unwrap();
        let english: Vec<&str> = en
            .lists()
            .into_iter()
            .flat_map(|(_, e)| e)
            .copied()
            .collect();
        assert!(
            en.english_false_friends.is_empty(),
            "English has no false friends of its own"
        );
        let lexicons = &*LEXICONS;
        for lang in Language::ALL {
            let lexicon = Lexicon::builtin(lang).unwrap();
            for friend in &lexicon.english_false_friends {
                assert!(
                    english.contains(friend),
                    "{lang}: {friend} is no English entry"
                );
                let read = lexicons.sources(lang, false);
                assert!(
                    read.iter().all(|c| c
                        .insults
                        .0
                        .iter()
                        .chain(&c.profanity.0)
                        .chain(&c.negative.0)
                        .chain(&c.hints.0)
                        .all(|p| p.entry != *friend)),
                    "{lang}: {friend} is still read"
                );
            }
        }
        // English texts still read them all.
        let read = lexicons.sources(Language::En, false);
        assert!(
            read.iter()
                .any(|c| c.insults.0.iter().any(|p| p.entry == "retard*"))
        );
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
        value["spam"] = serde_json::json!(["ok", "bad\t"]);
        assert!(error(&value.to_string()).contains("without escapes"));
        for entry in ["Bad", "", "not  good", " bad", "b*d", ".. bad", "*", "a..b"] {
            value["spam"] = serde_json::json!(["ok", entry]);
            assert!(
                error(&value.to_string()).contains("never matches"),
                "{entry:?}"
            );
        }
    }

    #[test]
    fn patterns_match_prefixes_and_gaps() {
        let (tokens, _) = tokenize("Jullie website werkt al dagen niet");
        let p = Pattern::new("werkt .. niet");
        assert_eq!(p.match_at(&tokens, 2), Some(6));
        let p = Pattern::new("web*");
        assert_eq!(p.match_at(&tokens, 1), Some(2));
    }
}
