//! What a comment is (a complaint, a question, praise, spam, abuse or a threat), what it is
//! about (its [`Theme`]) and how its writer addresses us (their [`Register`]).
//!
//! The words are data, one JSON file per language: `lexicons/{nl,en,fr,de,es}.json`,
//! compiled in and parsed once, on first use. Each file's `about` says how every list is
//! used; in short: a comment is read with its own language's lists plus the English ones
//! (English and emoji are mixed into comments everywhere); `threats`, `spam` and
//! `negations` are pooled over the five files; a text too short to tell its language is
//! read with every file's lists.
//!
//! Text and entries are compared lowercased and without accents ("déçu" = "decu"). An
//! entry is a word or a phrase of words separated by single spaces; a word ending in `*`
//! matches every word starting with it, and the word `..` skips zero to three words
//! ("werkt .. niet" matches "werkt al dagen niet"). A one-word sentiment entry with a
//! negation up to three words before it in the same clause ("not good", "no me gustó",
//! "kein Problem"), or one that ends its clause ("goed verpakt was het niet"), counts for
//! the other side; phrases are matched first and their words are not counted again ("pas
//! terrible" is a phrase, so "terrible" is not flipped).
//!
//! The costs are not symmetric, and neither is the decision: praise only when nothing
//! negative is said; anything that reads as a problem is a complaint (an apology to a
//! neutral comment costs little, thanking a complaint costs a customer); profanity around a
//! real problem is a complaint; only content-free insults, spam and threats go unanswered,
//! and threats go to a person. [`explain`] lists what matched, for reviewing the lexicons.
//!
//! [`classify`] stays infallible because its lexicons cannot be broken at run time: they
//! are compiled in, and the unit test `every_builtin_lexicon_loads` loads every one of them
//! with the same code from the same bytes. Were a broken one shipped anyway, its language
//! would be classified with empty lists (reported once on stderr) rather than panic.

use crate::language::Language;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
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
    /// Violence or intimidation: never answered in public, always shown to a person.
    Threat,
}

impl Label {
    pub const ALL: [Label; 7] = [
        Label::Negative,
        Label::Question,
        Label::Neutral,
        Label::Positive,
        Label::Spam,
        Label::Abusive,
        Label::Threat,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Negative => "negative",
            Label::Question => "question",
            Label::Neutral => "neutral",
            Label::Positive => "positive",
            Label::Spam => "spam",
            Label::Abusive => "abusive",
            Label::Threat => "threat",
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

/// What a complaint is about, when the words say so clearly: the reply names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Delivery,
    Billing,
    Quality,
    Service,
    Website,
    Price,
}

impl Theme {
    pub const ALL: [Theme; 6] = [
        Theme::Delivery,
        Theme::Billing,
        Theme::Quality,
        Theme::Service,
        Theme::Website,
        Theme::Price,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Delivery => "delivery",
            Theme::Billing => "billing",
            Theme::Quality => "quality",
            Theme::Service => "service",
            Theme::Website => "website",
            Theme::Price => "price",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the writer addresses us: u/je, Sie/du, vous/tu, usted/tú. English has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Register {
    Formal,
    Informal,
}

impl Register {
    pub fn as_str(self) -> &'static str {
        match self {
            Register::Formal => "formal",
            Register::Informal => "informal",
        }
    }

    pub fn parse(s: &str) -> Option<Register> {
        [Register::Formal, Register::Informal]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Register {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything read from one text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Analysis {
    pub label: Label,
    /// What a complaint is about, when one theme clearly leads.
    pub theme: Option<Theme>,
    /// How the writer addresses us; `None` when the text does not show it.
    pub register: Option<Register>,
    /// The signals the label was decided on: how sure it is, and why.
    pub evidence: Evidence,
}

/// What turned the comment, when a contrast word ("but", "maar", "mais", "aber", "pero")
/// is followed by something that says which way it leans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Turn {
    #[default]
    None,
    /// "Lovely food, but we waited an hour": a complaint, the praise came first.
    ToComplaint,
    /// "Slow delivery, but worth every penny": leans to praise after a complaint.
    ToPraise,
}

/// The signals one text gave, counted: what [`crate::confidence`] weighs to say how sure
/// a label is and whether a person should see the item before it is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Evidence {
    /// Words that say something went wrong ("never arrived", "refund", "doesn't work").
    pub complaint: u8,
    /// Negative words ("terrible", "slow"), and praise words negated ("not good").
    pub negative: u8,
    /// Praise words, and negative words negated ("not bad").
    pub positive: u8,
    /// Of `positive`: negative words negated ("not bad", "kein Problem").
    pub praise_by_negation: u8,
    /// Irony markers: sarcasm phrases, scare quotes, deadpan one-word praise at the end.
    pub irony: u8,
    /// Weak signs of a problem ("again", "a week later", "why").
    pub hints: u8,
    /// Words naming what it is about (delivery, billing, …).
    pub themes: u8,
    pub question: bool,
    pub turn: Turn,
    /// Before a [`Turn::ToPraise`], a complaint stated plainly (a complaint word and a
    /// second signal): the praise after it does not undo it.
    pub complaint_before_turn: bool,
    /// A number of minutes, hours, days or weeks: a wait described.
    pub duration: bool,
    /// Profanity or insults.
    pub swearing: bool,
}

impl Evidence {
    /// Whether anything says a problem, however weakly.
    pub fn problem(&self) -> bool {
        self.complaint > 0 || self.negative > 0 || self.irony > 0 || self.hints > 0
    }

    /// The signals that decided, in words, for staff: "complaint ×1, praise ×2, turn → complaint".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (name, n) in [
            ("complaint", self.complaint),
            ("negative", self.negative),
            ("praise", self.positive),
            ("irony", self.irony),
            ("hint", self.hints),
            ("theme", self.themes),
        ] {
            if n > 0 {
                parts.push(format!("{name} ×{n}"));
            }
        }
        if self.praise_by_negation > 0 {
            parts.push(format!("negated complaint ×{}", self.praise_by_negation));
        }
        match self.turn {
            Turn::None => {}
            Turn::ToComplaint => parts.push("turn → complaint".into()),
            Turn::ToPraise => parts.push("turn → praise".into()),
        }
        if self.question {
            parts.push("question mark".into());
        }
        if self.swearing {
            parts.push("swearing".into());
        }
        if parts.is_empty() {
            "no signal".into()
        } else {
            parts.join(", ")
        }
    }
}

/// Entries are borrowed from the compiled-in file (no copies at start-up), so they are
/// written without JSON escapes (characters as they are).
type Entries<'a> = Vec<&'a str>;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Themes<'a> {
    #[serde(borrow)]
    delivery: Entries<'a>,
    #[serde(borrow)]
    billing: Entries<'a>,
    #[serde(borrow)]
    quality: Entries<'a>,
    #[serde(borrow)]
    service: Entries<'a>,
    #[serde(borrow)]
    website: Entries<'a>,
    #[serde(borrow)]
    price: Entries<'a>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterWords<'a> {
    #[serde(borrow)]
    formal: Entries<'a>,
    #[serde(borrow)]
    informal: Entries<'a>,
    /// Words that mark the formal register only as written, capitalised, and not first in
    /// a sentence (German "Sie", "Ihnen", "Ihr": lowercase they mean "she", "them", "you all").
    #[serde(default, borrow)]
    formal_capitalised: Entries<'a>,
}

/// The words of one language, as written in `lexicons/<code>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Lexicon<'a> {
    /// A note for whoever reviews the words; not used.
    #[serde(rename = "about")]
    _about: String,
    /// The language the file is for, as a check that it is in the right place.
    language: Language,
    #[serde(borrow)]
    negative: Entries<'a>,
    #[serde(borrow)]
    complaint: Entries<'a>,
    #[serde(borrow)]
    positive: Entries<'a>,
    #[serde(borrow)]
    sarcasm: Entries<'a>,
    /// Words that turn a comment ("but", "maar", "mais", "aber", "pero"): what follows the
    /// last one outweighs what came before.
    #[serde(borrow)]
    contrast: Entries<'a>,
    #[serde(borrow)]
    hints: Entries<'a>,
    #[serde(borrow)]
    insults: Entries<'a>,
    #[serde(borrow)]
    profanity: Entries<'a>,
    #[serde(borrow)]
    threats: Entries<'a>,
    #[serde(borrow)]
    spam: Entries<'a>,
    #[serde(borrow)]
    negations: Entries<'a>,
    #[serde(borrow)]
    question_openers: Entries<'a>,
    /// Words that may come before a question opener ("Hi, do you…", "Buenas, ¿tienen…").
    #[serde(borrow)]
    greetings: Entries<'a>,
    #[serde(borrow)]
    themes: Themes<'a>,
    #[serde(borrow)]
    register: RegisterWords<'a>,
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
         lowercase words separated by single spaces, `*` only ends a word, `..` only between words"
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

/// Lists that may be empty: English has no second register.
const MAY_BE_EMPTY: [&str; 3] = [
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

    /// What a broken file is replaced with: nothing matches.
    fn empty(language: Language) -> Self {
        Self {
            _about: String::new(),
            language,
            negative: Vec::new(),
            complaint: Vec::new(),
            positive: Vec::new(),
            sarcasm: Vec::new(),
            contrast: Vec::new(),
            hints: Vec::new(),
            insults: Vec::new(),
            profanity: Vec::new(),
            threats: Vec::new(),
            spam: Vec::new(),
            negations: Vec::new(),
            question_openers: Vec::new(),
            greetings: Vec::new(),
            themes: Themes::default(),
            register: RegisterWords::default(),
        }
    }

    fn lists(&self) -> Vec<(&'static str, &[&'a str])> {
        vec![
            ("negative", &self.negative),
            ("complaint", &self.complaint),
            ("positive", &self.positive),
            ("sarcasm", &self.sarcasm),
            ("contrast", &self.contrast),
            ("hints", &self.hints),
            ("insults", &self.insults),
            ("profanity", &self.profanity),
            ("threats", &self.threats),
            ("spam", &self.spam),
            ("negations", &self.negations),
            ("question_openers", &self.question_openers),
            ("greetings", &self.greetings),
            ("themes.delivery", &self.themes.delivery),
            ("themes.billing", &self.themes.billing),
            ("themes.quality", &self.themes.quality),
            ("themes.service", &self.themes.service),
            ("themes.website", &self.themes.website),
            ("themes.price", &self.themes.price),
            ("register.formal", &self.register.formal),
            ("register.informal", &self.register.informal),
            ("register.capitalised", &self.register.formal_capitalised),
        ]
    }
}

/// Whether an entry can ever match a tokenised comment.
fn usable(entry: &str, capitalised: bool) -> bool {
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
enum Part {
    Word(Cow<'static, str>),
    Prefix(Cow<'static, str>),
    /// Zero to three words.
    Gap,
}

/// A compiled entry: folded words, and the entry as written (for [`explain`]).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    parts: Vec<Part>,
    entry: &'static str,
}

impl Pattern {
    fn new(entry: &'static str) -> Self {
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

    fn single(&self) -> bool {
        self.parts.len() == 1
    }

    /// The end (exclusive) of a match starting at `start`, if any.
    fn match_at(&self, tokens: &[Token], start: usize) -> Option<usize> {
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
struct Patterns(Vec<Pattern>);

impl Patterns {
    fn new<'e>(entries: impl IntoIterator<Item = &'e &'static str>) -> Self {
        Patterns(entries.into_iter().map(|e| Pattern::new(e)).collect())
    }
}

/// One language's compiled lists.
#[derive(Debug, Clone)]
struct Compiled {
    negative: Patterns,
    complaint: Patterns,
    positive: Patterns,
    sarcasm: Patterns,
    contrast: Patterns,
    hints: Patterns,
    insults: Patterns,
    profanity: Patterns,
    question_openers: Patterns,
    greetings: Patterns,
    /// The most specific first: a word counts for the first theme that has it.
    themes: [(Theme, Patterns); 6],
    formal: Patterns,
    informal: Patterns,
    formal_capitalised: Vec<&'static str>,
}

impl Compiled {
    fn new(lexicon: &Lexicon<'static>) -> Self {
        let t = &lexicon.themes;
        Self {
            negative: Patterns::new(&lexicon.negative),
            complaint: Patterns::new(&lexicon.complaint),
            positive: Patterns::new(&lexicon.positive),
            sarcasm: Patterns::new(&lexicon.sarcasm),
            contrast: Patterns::new(&lexicon.contrast),
            hints: Patterns::new(&lexicon.hints),
            insults: Patterns::new(&lexicon.insults),
            profanity: Patterns::new(&lexicon.profanity),
            question_openers: Patterns::new(&lexicon.question_openers),
            greetings: Patterns::new(&lexicon.greetings),
            themes: [
                (Theme::Price, Patterns::new(&t.price)),
                (Theme::Billing, Patterns::new(&t.billing)),
                (Theme::Website, Patterns::new(&t.website)),
                (Theme::Delivery, Patterns::new(&t.delivery)),
                (Theme::Quality, Patterns::new(&t.quality)),
                (Theme::Service, Patterns::new(&t.service)),
            ],
            formal: Patterns::new(&lexicon.register.formal),
            informal: Patterns::new(&lexicon.register.informal),
            formal_capitalised: lexicon.register.formal_capitalised.clone(),
        }
    }
}

/// Every language's compiled lists, and the lists pooled over all of them.
#[derive(Debug)]
struct Lexicons {
    languages: Vec<(Language, Compiled)>,
    threats: Patterns,
    spam: Patterns,
    negations: Vec<String>,
}

static LEXICONS: LazyLock<Lexicons> = LazyLock::new(Lexicons::load);

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
        Self {
            languages: files
                .iter()
                .map(|l| (l.language, Compiled::new(l)))
                .collect(),
            threats: pooled(|l| &l.threats),
            spam: pooled(|l| &l.spam),
            negations: files
                .iter()
                .flat_map(|l| &l.negations)
                .map(|n| fold(n))
                .collect(),
        }
    }

    fn of(&self, lang: Language) -> Option<&Compiled> {
        self.languages
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, c)| c)
    }

    /// The lists a text in `lang` is read with: its own and English's, or, when the text
    /// is too short to tell its language, every language's.
    fn sources(&self, lang: Language, unsure: bool) -> Vec<&Compiled> {
        if unsure {
            return self.languages.iter().map(|(_, c)| c).collect();
        }
        [Some(lang), (lang != Language::En).then_some(Language::En)]
            .into_iter()
            .flatten()
            .filter_map(|l| self.of(l))
            .collect()
    }
}

/// Lowercase, without accents: "Déçu" → "decu", "Straße" → "strasse", "schön" → "schoen".
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'å' => out.push('a'),
            'ä' => out.push_str("ae"),
            'ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' => out.push('o'),
            'ù' | 'ú' | 'û' => out.push('u'),
            // German umlauts as Germans type them without: "schön" is not "schon".
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ý' | 'ÿ' => out.push('y'),
            'ß' => out.push_str("ss"),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            '’' | '‘' | '`' | '´' => out.push('\''),
            c => out.push(c),
        }
    }
    out
}

/// One word (or emoji) of a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    /// Folded: lowercase, no accents.
    word: String,
    /// As written.
    raw: String,
    /// Which clause it is in (split at punctuation): negation does not cross clauses.
    clause: usize,
    /// First word of a sentence.
    sentence_start: bool,
}

/// A word split after an elision ("j'attends" → "j'", "attends"; "qu'il" → "qu'", "il"),
/// so French words are found whatever precedes them. Nothing else is split ("don't").
fn elided(word: &str) -> Vec<&str> {
    if word.is_empty() {
        return Vec::new();
    }
    let apostrophe = word.char_indices().find(|(_, c)| *c == '\'' || *c == '’');
    match apostrophe {
        Some((at, c)) if at > 0 => {
            let head = &word[..at];
            let elision = matches!(
                head.to_lowercase().as_str(),
                "l" | "d"
                    | "j"
                    | "n"
                    | "m"
                    | "t"
                    | "s"
                    | "c"
                    | "qu"
                    | "jusqu"
                    | "lorsqu"
                    | "puisqu"
            );
            let rest = &word[at + c.len_utf8()..];
            if elision && !rest.is_empty() {
                let mut parts = vec![&word[..at + c.len_utf8()]];
                parts.extend(elided(rest));
                return parts;
            }
            vec![word]
        }
        _ => vec![word],
    }
}

/// Pictographs: each is a token of its own ("👍👍" is two).
fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2190..=0x21FF)
}

/// Invisible parts of emoji sequences (variation selectors, joiners, skin tones).
fn is_emoji_modifier(c: char) -> bool {
    matches!(c as u32, 0xFE00..=0xFE0F | 0x200D | 0x1F3FB..=0x1F3FF)
}

/// Whether a whitespace-separated chunk is a link.
fn is_link(chunk: &str) -> bool {
    let c = chunk.to_lowercase();
    c.contains("://")
        || c.starts_with("www.")
        || ["bit.ly/", "t.me/", "wa.me/", "tinyurl.", ".com/", ".link/"]
            .iter()
            .any(|m| c.contains(m))
}

/// What the characters of a text say besides its words.
#[derive(Debug, Default, Clone, Copy)]
struct Marks {
    link: bool,
    /// A run of eight or more digits (with spaces, dashes, a plus): a phone number.
    phone: bool,
    /// An amount of money (a currency sign or word next to a number).
    money: bool,
    question: bool,
    /// A short phrase in quotes: 'on its way', "in behandeling" — mostly scare quotes.
    quoted: bool,
    /// A word censored with asterisks: f***ing, k*t.
    censored: bool,
    /// Shouting: three or more ! or ?.
    shouting: bool,
    /// Two clock times ("ordered at 19:50, came at 22:10"): a wait described, a complaint
    /// without a complaint word.
    wait: bool,
    /// A percentage ("70% off", "-70 %"): with a spam word, an advertisement.
    percent: bool,
}

/// Words of a length of time, after a number ("40 minutes", "drie dagen" is not counted).
const DURATIONS: [&str; 16] = [
    "min", "hour", "uur", "stund", "heure", "hora", "day", "dag", "tag", "jour", "dia", "week",
    "woche", "semaine", "semana", "maand",
];

/// How many clock times a text names: 19:50, 7.10pm, 20h10, 9am.
fn clock_times(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut count = 0;
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let hours = i - start;
        let rest: String = chars[i..].iter().take(4).collect::<String>().to_lowercase();
        let minutes = |sep: char| {
            rest.starts_with(sep)
                && rest
                    .chars()
                    .skip(1)
                    .take(2)
                    .filter(char::is_ascii_digit)
                    .count()
                    == 2
        };
        if hours <= 2
            && (minutes(':')
                || minutes('.')
                || minutes('h')
                || rest.starts_with("am")
                || rest.starts_with("pm"))
        {
            count += 1;
            i += 3;
        }
    }
    count
}

/// Builds the token list, keeping track of clauses and sentences.
struct Tokenizer {
    tokens: Vec<Token>,
    marks: Marks,
    clause: usize,
    sentence_start: bool,
}

impl Tokenizer {
    fn push(&mut self, raw: &str) {
        if raw.contains('*') {
            self.marks.censored = true;
        }
        self.tokens.push(Token {
            word: fold(raw),
            raw: raw.to_owned(),
            clause: self.clause,
            sentence_start: self.sentence_start,
        });
        self.sentence_start = false;
    }

    fn flush(&mut self, word: &mut String) {
        let whole = word.trim_matches(|c| c == '\'' || c == '*').to_owned();
        for raw in elided(&whole) {
            self.push(raw);
        }
        word.clear();
    }

    fn punctuation(&mut self, c: char) {
        match c {
            '€' | '$' | '£' => self.marks.money = true,
            '?' | '¿' => self.marks.question = true,
            _ => {}
        }
        if matches!(
            c,
            '.' | '!' | '?' | '¿' | '¡' | ',' | ';' | ':' | '(' | ')' | '…'
        ) {
            self.clause += 1;
        }
        if matches!(c, '.' | '!' | '?' | '¿' | '¡' | '…') {
            self.sentence_start = true;
        }
    }
}

fn tokenize(text: &str) -> (Vec<Token>, Marks) {
    let mut t = Tokenizer {
        tokens: Vec::new(),
        marks: Marks::default(),
        clause: 0,
        sentence_start: true,
    };
    let mut digits_run = 0;
    for chunk in text.split_whitespace() {
        if is_link(chunk) {
            t.marks.link = true;
            continue;
        }
        if chunk.starts_with('@') && chunk.len() > 1 {
            // A mention of someone: a name, not words.
            continue;
        }
        let mut word = String::new();
        let chars: Vec<char> = chunk.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let inner = |c: char| c.is_alphanumeric();
            let between =
                i > 0 && i + 1 < chars.len() && inner(chars[i - 1]) && inner(chars[i + 1]);
            if c.is_ascii_digit() {
                digits_run += 1;
                if digits_run >= 8 {
                    t.marks.phone = true;
                }
            } else if !matches!(c, '-' | '+' | '(' | ')' | '.') {
                digits_run = 0;
            }
            if c.is_alphanumeric()
                || ((c == '\'' || c == '’') && between)
                || (c == '*' && i > 0 && inner(chars[i - 1]))
            {
                word.push(c);
            } else if is_emoji_modifier(c) {
                // Part of the emoji before it.
            } else if is_emoji(c) {
                t.flush(&mut word);
                t.push(&c.to_string());
            } else {
                t.flush(&mut word);
                t.punctuation(c);
            }
        }
        t.flush(&mut word);
        // A space ends a run of digits only if the next chunk does not go on with it.
        if !chunk.ends_with(|c: char| c.is_ascii_digit()) {
            digits_run = 0;
        }
    }
    let (tokens, mut marks) = (t.tokens, t.marks);
    marks.quoted = quoted_phrase(text);
    marks.shouting = ["!!", "??", "?!", "!?"].iter().any(|m| text.contains(m));
    marks.wait = clock_times(text) >= 2;
    marks.percent = text
        .char_indices()
        .filter(|(_, c)| *c == '%')
        .any(|(i, _)| text[..i].trim_end().ends_with(|c: char| c.is_ascii_digit()));
    let currency_words = ["euro", "euros", "eur", "dollar", "dollars", "pounds", "usd"];
    marks.money |= tokens.windows(2).any(|w| {
        w[0].word.chars().all(|c| c.is_ascii_digit())
            && currency_words.contains(&w[1].word.as_str())
    }) || tokens
        .iter()
        .any(|t| t.word.starts_with(|c: char| c.is_ascii_digit()) && t.word.ends_with('k'));
    (tokens, marks)
}

/// A phrase of one to four words between quotes (not an apostrophe inside a word).
fn quoted_phrase(text: &str) -> bool {
    for (open, close) in [
        ('\'', '\''),
        ('"', '"'),
        ('‘', '’'),
        ('“', '”'),
        ('«', '»'),
        ('„', '“'),
    ] {
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            let before = rest[..start].chars().next_back();
            let after_open = &rest[start + open.len_utf8()..];
            if before.is_some_and(char::is_alphanumeric) {
                rest = after_open;
                continue;
            }
            let Some(end) = after_open.find(close) else {
                break;
            };
            let inside = &after_open[..end];
            let after = after_open[end + close.len_utf8()..].chars().next();
            let words = inside.split_whitespace().count();
            if (1..=4).contains(&words)
                && !inside.starts_with(' ')
                && !after.is_some_and(char::is_alphanumeric)
            {
                return true;
            }
            rest = &after_open[end + close.len_utf8()..];
        }
    }
    false
}

/// Counts of one comment's signals, and which entries matched (for [`explain`]).
#[derive(Debug, Default, Clone)]
struct Signals {
    negative: usize,
    positive: usize,
    complaint: usize,
    sarcasm: usize,
    hints: usize,
    insults: usize,
    profanity: usize,
    threats: usize,
    spam: usize,
    opener: bool,
    /// The last sentence is one word of praise ("Paid for express, came a week later.
    /// Lovely."): with a hint of a problem before it, deadpan.
    deadpan: bool,
    /// Of `positive`: negative words negated.
    praise_by_negation: usize,
    /// What follows the last contrast word leans this way.
    turn: Turn,
    complaint_before_turn: bool,
    themes: Vec<(Theme, usize)>,
    matched: Vec<String>,
}

/// Matches entries on one text's tokens.
struct Matcher<'a> {
    tokens: &'a [Token],
    negations: &'a [String],
    /// Record which entries matched (for [`explain`]).
    trace: bool,
    matched: Vec<String>,
}

impl Matcher<'_> {
    /// Counts matches of `patterns` on tokens not yet `used` (phrases only, or one-word
    /// entries only) and marks what they cover. Returns (plain, negated); only one-word
    /// entries can be negated: by a negation up to three words before them in the same
    /// clause, or by one that ends their clause after them ("goed verpakt was het niet").
    fn count<'p>(
        &mut self,
        list: &str,
        patterns: impl IntoIterator<Item = &'p Pattern>,
        used: &mut [bool],
        phrases: bool,
    ) -> (usize, usize) {
        let tokens = self.tokens;
        let (mut plain, mut negated) = (0, 0);
        let is_negation = |j: usize, clause: usize| {
            tokens[j].clause == clause && self.negations.contains(&tokens[j].word)
        };
        for pattern in patterns.into_iter().filter(|p| p.single() != phrases) {
            let mut start = 0;
            while start < tokens.len() {
                let end = if used[start] {
                    None
                } else {
                    pattern.match_at(tokens, start)
                };
                let Some(end) = end.filter(|&end| end > start && !used[start..end].contains(&true))
                else {
                    start += 1;
                    continue;
                };
                let clause = tokens[start].clause;
                let clause_end = end
                    + tokens[end..]
                        .iter()
                        .take_while(|t| t.clause == clause)
                        .count();
                let negation = !phrases
                    && ((start.saturating_sub(3)..start)
                        .any(|j| !used[j] && is_negation(j, clause))
                        || (clause_end > end && is_negation(clause_end - 1, clause)));
                if negation {
                    negated += 1;
                } else {
                    plain += 1;
                }
                if self.trace {
                    let how = if negation { " (negated)" } else { "" };
                    self.matched.push(format!("{list}{how}: {}", pattern.entry));
                }
                used[start..end].iter_mut().for_each(|u| *u = true);
                start = end;
            }
        }
        (plain, negated)
    }
}

fn signals(tokens: &[Token], lexicons: &Lexicons, sources: &[&Compiled], trace: bool) -> Signals {
    let mut s = sentiment(tokens, lexicons, sources, trace);
    let all = |list: fn(&Compiled) -> &Patterns| sources.iter().flat_map(move |c| &list(c).0);
    // The last contrast word: what follows it is read on its own, and outweighs what came
    // before ("Lovely food, but we waited an hour").
    let last_contrast = all(|c| &c.contrast)
        .flat_map(|p| (0..tokens.len()).filter_map(move |i| p.match_at(tokens, i).map(|e| (i, e))))
        .filter(|&(i, e)| e > i)
        .max();
    if let Some((_, end)) = last_contrast.filter(|&(_, end)| end < tokens.len()) {
        let tail = sentiment(&tokens[end..], lexicons, sources, false);
        let head = sentiment(&tokens[..end], lexicons, sources, false);
        let complaint_after = tail.complaint + tail.negative + tail.sarcasm > 0 || tail.hints >= 1;
        let praise_after = tail.positive > 0 && !complaint_after;
        let head_bad = head.complaint + head.negative + head.hints > 0;
        let head_praise = head.positive > 0 && !head_bad;
        s.complaint_before_turn = head.complaint > 0 && head.complaint + head.negative >= 2;
        s.turn = if complaint_after {
            Turn::ToComplaint
        } else if praise_after && head_bad {
            Turn::ToPraise
        } else if head_praise && tail.positive <= 1 {
            // Praise, then "but" and something that is not clearly more praise ("Great
            // shop, but the man at the till was snappy"): what came after is the point.
            Turn::ToComplaint
        } else {
            Turn::None
        };
    }
    let mut m = Matcher {
        tokens,
        negations: &lexicons.negations,
        trace,
        matched: Vec::new(),
    };
    // Themes may share words with sentiment ("late", "rude"): counted on their own, all
    // together, phrases first (and worth two: they are the more specific).
    let mut used = vec![false; tokens.len()];
    s.themes = Theme::ALL.iter().map(|t| (*t, 0)).collect();
    for (phrases, weight) in [(true, 2), (false, 1)] {
        for i in 0..6 {
            let theme = sources.first().map_or(Theme::ALL[i], |c| c.themes[i].0);
            let patterns = sources.iter().flat_map(|c| &c.themes[i].1.0);
            let (plain, negated) = m.count(theme.as_str(), patterns, &mut used, phrases);
            let hits = plain + negated;
            if let Some((_, n)) = s.themes.iter_mut().find(|(t, _)| *t == theme) {
                *n += weight * hits;
            }
        }
    }
    s.matched.append(&mut m.matched);
    s
}

/// The sentiment signals of `tokens` (no themes, no contrast): of a whole text, or of the
/// part after a contrast word.
fn sentiment(tokens: &[Token], lexicons: &Lexicons, sources: &[&Compiled], trace: bool) -> Signals {
    let mut m = Matcher {
        tokens,
        negations: &lexicons.negations,
        trace,
        matched: Vec::new(),
    };
    let all = |list: fn(&Compiled) -> &Patterns| sources.iter().flat_map(move |c| &list(c).0);
    let mut s = Signals::default();
    // Threats and spam are phrases that must not be read as sentiment too.
    let mut used = vec![false; tokens.len()];
    for phrases in [true, false] {
        s.threats += m
            .count("threats", &lexicons.threats.0, &mut used, phrases)
            .0;
        s.spam += m.count("spam", &lexicons.spam.0, &mut used, phrases).0;
    }
    for phrases in [true, false] {
        s.sarcasm += m
            .count("sarcasm", all(|c| &c.sarcasm), &mut used, phrases)
            .0;
        s.insults += m
            .count("insults", all(|c| &c.insults), &mut used, phrases)
            .0;
        s.profanity += m
            .count("profanity", all(|c| &c.profanity), &mut used, phrases)
            .0;
        let (c, c_negated) = m.count("complaint", all(|c| &c.complaint), &mut used, phrases);
        let (p, p_negated) = m.count("positive", all(|c| &c.positive), &mut used, phrases);
        let (n, n_negated) = m.count("negative", all(|c| &c.negative), &mut used, phrases);
        // A complaint word stays one when negated ("no refund", "pas remboursé").
        s.complaint += c + c_negated;
        s.positive += p + n_negated;
        s.praise_by_negation += n_negated;
        s.negative += n + p_negated;
    }
    for phrases in [true, false] {
        s.hints += m.count("hints", all(|c| &c.hints), &mut used, phrases).0;
    }
    // A question opener as the first word, after any greeting ("Hi guys, do you…").
    let is_greeting = |t: &Token| {
        all(|c| &c.greetings)
            .any(|g| g.single() && g.match_at(std::slice::from_ref(t), 0).is_some())
    };
    let greeted = tokens.iter().take(3).take_while(|t| is_greeting(t)).count();
    s.opener = tokens.len() > greeted + 1
        && all(|c| &c.question_openers).any(|p| p.match_at(tokens, greeted).is_some());
    // Deadpan: a last sentence of one word of praise ("…a week later. Lovely.").
    if let Some(last) = tokens.iter().rposition(|t| t.sentence_start) {
        let mut quiet = Matcher {
            tokens: &tokens[last..],
            negations: &[],
            trace: false,
            matched: Vec::new(),
        };
        let mut used = vec![false; tokens.len() - last];
        let praise = quiet.count("", all(|c| &c.positive), &mut used, false).0;
        s.deadpan = last > 0 && tokens.len() - last == 1 && praise == 1;
    }
    s.matched = m.matched;
    s
}

/// The theme that clearly leads, if any.
fn leading_theme(themes: &[(Theme, usize)]) -> Option<Theme> {
    let mut sorted: Vec<_> = themes.iter().filter(|(_, n)| *n > 0).collect();
    sorted.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    match sorted.as_slice() {
        [] => None,
        [(theme, _)] => Some(*theme),
        [(theme, first), (_, second), ..] => (first > second).then_some(*theme),
    }
}

fn register_of(tokens: &[Token], lang: &Compiled) -> Option<Register> {
    let mut m = Matcher {
        tokens,
        negations: &[],
        trace: false,
        matched: Vec::new(),
    };
    let mut used = vec![false; tokens.len()];
    let mut formal = 0;
    for (i, t) in tokens.iter().enumerate() {
        if !t.sentence_start && lang.formal_capitalised.contains(&t.raw.as_str()) {
            used[i] = true;
            formal += 1;
        }
    }
    let mut informal = 0;
    for phrases in [true, false] {
        formal += m.count("", &lang.formal.0, &mut used, phrases).0;
        informal += m.count("", &lang.informal.0, &mut used, phrases).0;
    }
    match (formal, informal) {
        (0, 0) => None,
        (f, i) if f >= i => Some(Register::Formal),
        _ => Some(Register::Informal),
    }
}

/// The label, theme and register of a comment written in `lang`.
pub fn analyse(text: &str, lang: Language) -> Analysis {
    analyse_in(text, lang, false, false).0
}

/// [`analyse`]; with `unsure`, the text is too short to tell its language and is read with
/// every language's words (the register still from `lang`'s).
pub(crate) fn analyse_unsure(text: &str, lang: Language, unsure: bool) -> Analysis {
    analyse_in(text, lang, unsure, false).0
}

fn analyse_in(text: &str, lang: Language, unsure: bool, trace: bool) -> (Analysis, Signals) {
    let lexicons = &*LEXICONS;
    let (tokens, marks) = tokenize(text);
    let register = lexicons.of(lang).and_then(|own| register_of(&tokens, own));
    let sources = lexicons.sources(lang, unsure);
    let mut s = signals(&tokens, lexicons, &sources, trace);
    // "Brilliant, that's the third parcel you've lost": one word of praise alone before a
    // problem is irony.
    let first_clause = tokens.iter().take_while(|t| t.clause == 0).count();
    if first_clause == 1 && tokens.len() > 1 {
        let opener = sentiment(&tokens[..1], lexicons, &sources, false);
        let rest = sentiment(&tokens[1..], lexicons, &sources, false);
        if opener.positive == 1 && rest.complaint + rest.negative > 0 {
            s.sarcasm += 1;
            if trace {
                s.matched
                    .push("sarcasm: one word of praise before a problem".into());
            }
        }
    }
    if marks.wait {
        s.complaint += 1;
        if trace {
            s.matched.push("complaint: two clock times (a wait)".into());
        }
    }
    let theme = leading_theme(&s.themes);
    let label = decide_label(&tokens, &marks, &s);
    let small = |n: usize| u8::try_from(n).unwrap_or(u8::MAX);
    let evidence = Evidence {
        complaint: small(s.complaint),
        negative: small(s.negative),
        positive: small(s.positive),
        praise_by_negation: small(s.praise_by_negation),
        irony: small(s.sarcasm + usize::from(marks.quoted) + usize::from(s.deadpan && s.hints > 0)),
        hints: small(s.hints + usize::from(marks.shouting)),
        themes: small(s.themes.iter().map(|(_, n)| n).sum()),
        question: marks.question,
        turn: s.turn,
        complaint_before_turn: s.complaint_before_turn,
        duration: tokens.windows(2).any(|w| {
            w[0].word.chars().all(|c| c.is_ascii_digit())
                && DURATIONS.iter().any(|d| w[1].word.starts_with(d))
        }),
        swearing: s.profanity + s.insults + usize::from(marks.censored) > 0,
    };
    let analysis = Analysis {
        label,
        theme: theme.filter(|_| label == Label::Negative),
        register,
        evidence,
    };
    (analysis, s)
}

fn decide_label(tokens: &[Token], marks: &Marks, s: &Signals) -> Label {
    if tokens.is_empty() && !marks.link {
        return Label::Neutral;
    }
    if s.threats > 0 {
        return Label::Threat;
    }
    let themes: usize = s.themes.iter().map(|(_, n)| n).sum();
    // Something the business could act on: a described problem or what it is about.
    let problem = s.complaint > 0 || themes > 0;

    let spam = s.spam
        + usize::from(marks.link)
        + usize::from(marks.phone)
        + usize::from((marks.money || marks.percent) && s.spam > 0);
    let short = tokens.len() <= 8;
    if spam >= 3
        || (spam >= 2 && !(s.complaint > 0 && s.spam <= 1))
        || (marks.link && short && !problem && s.negative == 0)
    {
        return Label::Spam;
    }

    // Insults with nothing to act on are trolling; swearing alone too. Around a real
    // problem both are a furious customer, who is answered (without repeating them).
    let swearing = s.profanity + usize::from(marks.censored);
    if s.insults > 0 && (!problem || (s.complaint == 0 && s.negative == 0 && s.hints <= 1)) {
        return Label::Abusive;
    }
    if swearing > 0 && !problem && s.negative == 0 && s.positive == 0 && s.hints == 0 {
        return Label::Abusive;
    }

    let hints = s.hints + usize::from(marks.quoted) + usize::from(marks.shouting);
    if s.complaint > 0
        || s.turn == Turn::ToComplaint
        || s.sarcasm > 0
        || s.negative > 0
        || swearing + s.insults > 0
        || hints >= 2
        || (hints >= 1 && themes > 0 && s.positive == 0)
        || (s.deadpan && hints > 0)
    {
        return Label::Negative;
    }
    if marks.question {
        return if hints >= 2 || (hints >= 1 && themes > 0) {
            Label::Negative
        } else {
            Label::Question
        };
    }
    if s.positive > 0 {
        return Label::Positive;
    }
    // Unsure between neutral (or a question) and a complaint: a complaint.
    if hints > 0 {
        return Label::Negative;
    }
    if s.opener {
        return Label::Question;
    }
    // Something named without praise or a question ("Sushis commandés à 20h10, livrés à
    // 22h35"): a fault described, a complaint.
    if themes > 0 {
        return Label::Negative;
    }
    Label::Neutral
}

/// The label of a comment written in `lang`. Threats first (a person must see them),
/// spam and content-free abuse (never answered), then complaints (a complaint asked as a
/// question, or wrapped in praise, is still a complaint), questions, praise, the rest.
pub fn classify(text: &str, lang: Language) -> Label {
    analyse(text, lang).label
}

/// How the writer of `text` addresses us, if the text shows it.
pub fn detect_register(text: &str, lang: Language) -> Option<Register> {
    analyse(text, lang).register
}

/// What a complaint written in `lang` is about, as the reports count it: the theme that
/// clearly leads in its words (whatever the text's own label: a one-star review's words
/// still say what went wrong), else `other`, as it is for a complaint without text.
pub fn complaint_theme(text: Option<&str>, lang: Language) -> feedback::records::ComplaintTheme {
    use feedback::records::ComplaintTheme;
    text.and_then(|t| leading_theme(&analyse_in(t, lang, false, false).1.themes))
        .and_then(|theme| ComplaintTheme::parse(theme.as_str()))
        .unwrap_or(ComplaintTheme::Other)
}

/// Why a text gets its label: every entry that matched, and the label, theme and register,
/// one per line. For reviewing the lexicons.
pub fn explain(text: &str, lang: Language) -> String {
    let (analysis, s) = analyse_in(text, lang, false, true);
    let mut out = format!(
        "{} (theme {:?}, register {:?}) in {lang}\n",
        analysis.label, analysis.theme, analysis.register
    );
    for m in &s.matched {
        out.push_str("  ");
        out.push_str(m);
        out.push('\n');
    }
    out
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
        assert_eq!(classify("No lo recomiendo", Language::Es), Label::Negative);
        assert_eq!(
            classify("Kein Problem gehabt, alles lief reibungslos", Language::De),
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
        assert_eq!(
            classify(
                "This is pathetic. Ordered three weeks ago, paid, and still nothing. Where is my package?",
                Language::En
            ),
            Label::Negative
        );
    }

    #[test]
    fn sarcastic_praise_is_a_complaint() {
        assert_eq!(
            classify(
                "Great, the third time my delivery is 'on its way' and it never shows up. Thanks a lot.",
                Language::En
            ),
            Label::Negative
        );
    }

    #[test]
    fn complaints_without_a_complaint_word_are_complaints() {
        for (text, lang) in [
            (
                "Jullie website werkt al dagen niet, ik kan niet eens afrekenen",
                Language::Nl,
            ),
            (
                "The app keeps crashing at checkout, I gave up and bought elsewhere",
                Language::En,
            ),
            (
                "Mi pedido nunca llegó y nadie responde a mis correos",
                Language::Es,
            ),
        ] {
            assert_eq!(classify(text, lang), Label::Negative, "{text}");
        }
    }

    #[test]
    fn profanity_around_a_real_problem_is_a_complaint_and_insults_alone_are_abuse() {
        assert_eq!(
            classify("Kut app, crasht elke keer als ik wil betalen", Language::Nl),
            Label::Negative
        );
        assert_eq!(classify("Bande de connards", Language::Fr), Label::Abusive);
    }

    #[test]
    fn spam_in_every_language_and_threats() {
        assert_eq!(
            classify(
                "Gagnez de l'argent facilement !!! Cliquez ici http://argent-facile.example",
                Language::Fr
            ),
            Label::Spam
        );
        assert_eq!(
            classify(
                "Get 1000 free followers now!! https://example.test/x",
                Language::En
            ),
            Label::Spam
        );
        assert_eq!(
            classify("Ich zünde euren Laden an", Language::De),
            Label::Threat
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
    fn empty_or_emoji_only_text() {
        assert_eq!(classify("", Language::En), Label::Neutral);
        assert_eq!(classify("🙂", Language::Nl), Label::Positive);
        assert_eq!(classify("Top! 👍", Language::En), Label::Positive);
        assert_eq!(classify("👎", Language::En), Label::Negative);
    }

    #[test]
    fn the_register_is_read_from_the_text() {
        let r = |text, lang| detect_register(text, lang);
        assert_eq!(
            r("Haben Sie am Sonntag geöffnet?", Language::De),
            Some(Register::Formal)
        );
        assert_eq!(
            r("Habt ihr am Sonntag offen?", Language::De),
            Some(Register::Informal)
        );
        assert_eq!(
            r("Sie hat mich ignoriert", Language::De),
            None,
            "a sentence-initial Sie is not a form of address"
        );
        assert_eq!(
            r("Heeft u ook glutenvrij brood?", Language::Nl),
            Some(Register::Formal)
        );
        assert_eq!(
            r("Tu sais si c'est ouvert ?", Language::Fr),
            Some(Register::Informal)
        );
        assert_eq!(
            r("¿Tiene usted la talla 40?", Language::Es),
            Some(Register::Formal)
        );
        assert_eq!(
            r("¿Abrís el domingo?", Language::Es),
            Some(Register::Informal)
        );
        assert_eq!(r("Do you deliver?", Language::En), None);
    }

    #[test]
    fn a_theme_is_named_only_when_it_clearly_leads() {
        let theme = |text, lang| analyse(text, lang).theme;
        assert_eq!(
            theme(
                "Mijn pakket is na twee weken nog steeds niet geleverd",
                Language::Nl
            ),
            Some(Theme::Delivery)
        );
        assert_eq!(
            theme("Charged twice and still no refund", Language::En),
            Some(Theme::Billing)
        );
        assert_eq!(theme("Heerlijk gegeten!", Language::Nl), None);
    }

    #[test]
    fn accents_and_typos_do_not_matter() {
        assert_eq!(
            classify("tres decue, jamais recu", Language::Fr),
            Label::Negative
        );
        assert_eq!(classify("pesimo servicio", Language::Es), Label::Negative);
    }

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
        let (tokens, marks) = tokenize("Love how my 'next day delivery' took 9 days 👍🏽");
        assert!(marks.quoted);
        assert_eq!(tokens.last().map(|t| t.word.as_str()), Some("👍"));
        assert!(!tokenize("I don't know, it's John's").1.quoted);
        assert!(tokenize("Bel +31 6 12345678").1.phone);
        assert!(!tokenize("Bestelling 48213").1.phone);
    }
}
