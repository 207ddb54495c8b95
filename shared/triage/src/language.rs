//! Which language a comment is written in.

use serde::{Deserialize, Serialize};
use std::fmt;
use whatlang::{Detector, Lang};

/// The languages the product answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Nl,
    En,
    Fr,
    De,
    Es,
}

impl Language {
    pub const ALL: [Language; 5] = [
        Language::Nl,
        Language::En,
        Language::Fr,
        Language::De,
        Language::Es,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::En => "en",
            Language::Fr => "fr",
            Language::De => "de",
            Language::Es => "es",
        }
    }

    pub fn parse(code: &str) -> Option<Language> {
        let code = code.trim().to_ascii_lowercase();
        let code = code.split(['-', '_']).next().unwrap_or_default();
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    fn from_whatlang(lang: Lang) -> Option<Language> {
        match lang {
            Lang::Nld => Some(Language::Nl),
            Lang::Eng => Some(Language::En),
            Lang::Fra => Some(Language::Fr),
            Lang::Deu => Some(Language::De),
            Lang::Spa => Some(Language::Es),
            _ => None,
        }
    }

    /// Very common short words: on a comment of a few words they say more than letter
    /// statistics do.
    fn function_words(self) -> &'static [&'static str] {
        match self {
            Language::Nl => &[
                "was", "er", "ook", "waren", "wordt", "door", "uit", "alleen", "niks", "niets",
                "niemand", "weer", "nee", "jullie", "hoor", "zit", "zijn", "keer", "dag", "dagen",
                "weken", "hun", "ze", "m'n", "z'n", "mij", "me", "geen", "de", "het", "een", "en",
                "is", "niet", "ik", "je", "jullie", "mijn", "wij", "we", "van", "dat", "die",
                "voor", "met", "op", "naar", "nog", "geen", "maar", "ook", "wel", "al", "zijn",
                "heb", "hebben", "bij", "er", "hoe", "wanneer", "waarom", "wat", "echt", "heel",
                "erg", "dit", "u", "uw", "kan", "kunnen", "bedankt", "dank", "jou", "gewoon", "zo",
                "om", "te", "als", "weer", "nooit",
            ],
            Language::En => &[
                "i've", "i'm", "it's", "that's", "don't", "can't", "won't", "nothing", "got",
                "get", "nope", "yes", "my", "me", "our", "they", "been", "had", "would", "should",
                "out", "up", "about", "been", "lol", "guys", "only", "all", "the", "a", "an",
                "and", "is", "not", "i", "you", "my", "we", "your", "of", "that", "for", "with",
                "on", "to", "still", "no", "but", "also", "are", "have", "has", "it", "this",
                "how", "when", "why", "what", "really", "very", "was", "can", "do", "does", "did",
                "thanks", "thank", "just", "so", "again", "never", "be", "at", "from", "will",
                "there",
            ],
            Language::Fr => &[
                "j'", "d'", "l'", "c'", "n'", "qu'", "rien", "peu", "tout", "tous", "bien", "fait",
                "dans", "plus", "chez", "y", "ça", "à", "non", "oui", "moi", "toi", "tu", "te",
                "combien", "depuis", "personne", "alors", "même", "sans", "mdr", "le", "la", "les",
                "un", "une", "et", "est", "pas", "je", "vous", "mon", "ma", "mes", "nous", "de",
                "du", "des", "que", "qui", "pour", "avec", "sur", "encore", "mais", "aussi",
                "sont", "ai", "avez", "ce", "cette", "comment", "quand", "pourquoi", "très",
                "vraiment", "merci", "il", "elle", "au", "aux", "ne", "jamais", "c'est", "j'ai",
                "votre", "vos", "bonjour", "toujours",
            ],
            Language::De => &[
                "mal", "man", "nur", "doch", "jetzt", "hier", "dann", "gibt", "geht", "war",
                "wird", "wurde", "hat", "hatte", "einen", "einem", "einer", "im", "am", "vom",
                "zum", "zur", "über", "nach", "seit", "um", "oder", "wenn", "weil", "alles",
                "nichts", "niemand", "ganz", "gar", "gerne", "ohne", "alle", "nein", "euch",
                "euer", "eure", "du", "dich", "dir", "dein", "der", "die", "das", "ein", "eine",
                "und", "ist", "nicht", "ich", "sie", "mein", "meine", "wir", "ihr", "von", "dass",
                "für", "mit", "auf", "noch", "kein", "keine", "aber", "auch", "sind", "habe",
                "haben", "wie", "wann", "warum", "was", "sehr", "wirklich", "danke", "es", "bei",
                "zu", "nie", "immer", "schon", "mir", "mich", "euch", "hallo", "den", "dem",
                "bitte", "wieder",
            ],
            Language::Es => &[
                "voy", "a", "al", "muy", "bien", "nada", "hay", "tengo", "tiene", "tienen",
                "llevo", "nadie", "ya", "sois", "os", "vosotros", "jajaja", "jaja", "sí", "usted",
                "pero", "porque", "desde", "hasta", "el", "la", "los", "las", "un", "una", "y",
                "es", "no", "yo", "mi", "mis", "nosotros", "de", "del", "que", "para", "con", "en",
                "todavía", "pero", "también", "son", "he", "han", "ha", "cómo", "como", "cuándo",
                "por", "qué", "muy", "gracias", "nunca", "su", "sus", "lo", "me", "se", "hola",
                "está", "estoy", "aún", "sin", "vuestro", "ustedes", "siempre", "otra", "sois",
                "unos", "unas", "todos", "todo", "este", "esta", "eso", "mucho", "hace", "hacéis",
            ],
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Lowercase words, French elisions split off ("j'ai" → "j'", "ai").
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text
        .to_lowercase()
        .replace('’', "'")
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
    {
        match word.split_once('\'') {
            Some((head, rest))
                if !rest.is_empty()
                    && matches!(head, "l" | "d" | "j" | "n" | "m" | "t" | "s" | "c" | "qu") =>
            {
                out.push(format!("{head}'"));
                out.push(rest.to_owned());
            }
            _ => out.push(word.to_owned()),
        }
    }
    out
}

/// The language of `text`, or `default` when the text does not say clearly enough.
pub fn detect_language(text: &str, default: Language) -> Language {
    detect(text, default).0
}

/// The language of `text` and whether the text said so (`false`: too few clues, so
/// `default`).
pub(crate) fn detect(text: &str, default: Language) -> (Language, bool) {
    let tokens = words(text);
    let statistical =
        Detector::with_allowlist(vec![Lang::Nld, Lang::Eng, Lang::Fra, Lang::Deu, Lang::Spa])
            .detect(text)
            .and_then(|info| Some((Language::from_whatlang(info.lang())?, info.confidence())));

    // Each function word is a vote; letter statistics add up to two votes by confidence
    // (they are weak on a handful of words, strong on sentences). Too few votes: the
    // page's default language.
    let mut scores: Vec<(Language, f64)> = Language::ALL
        .into_iter()
        .map(|l| {
            let fw = l.function_words();
            let votes = tokens.iter().filter(|t| fw.contains(&t.as_str())).count() as f64;
            let stats = match statistical {
                Some((lang, confidence)) if lang == l => 2.0 * confidence,
                _ => 0.0,
            };
            (l, votes + stats)
        })
        .collect();
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (best, score) = scores[0];
    if score >= 1.0 && score > scores[1].1 {
        (best, true)
    } else {
        (default, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_parse_with_regions_and_case() {
        for (code, language) in [
            ("nl-BE", Some(Language::Nl)),
            ("EN_us", Some(Language::En)),
            ("it", None),
        ] {
            assert_eq!(Language::parse(code), language, "{code}");
        }
    }

    #[test]
    fn a_text_without_clues_falls_back_to_the_page_default() {
        assert_eq!(detect_language("👍👍", Language::Fr), Language::Fr);
        assert_eq!(detect_language("", Language::De), Language::De);
    }

    #[test]
    fn clear_texts_are_recognised_in_every_language() {
        let cases = [
            ("Mijn pakket is nog steeds niet aangekomen", Language::Nl),
            ("My parcel still has not arrived", Language::En),
            ("Mon colis n'est toujours pas arrivé", Language::Fr),
            ("Mein Paket ist immer noch nicht angekommen", Language::De),
            ("Mi paquete todavía no ha llegado", Language::Es),
        ];
        for (text, lang) in cases {
            assert_eq!(detect_language(text, Language::En), lang, "{text}");
        }
    }
}
