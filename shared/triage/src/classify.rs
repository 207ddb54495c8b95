//! What a comment is: a complaint, a question, praise, spam or abuse.
//!
//! Lexicons for nl, en, fr, de and es, matched on lowercased words. An entry ending in `*`
//! matches any word starting with it; an entry with a space matches as a phrase. A
//! sentiment word right after a negator ("not good", "niet slecht") flips its polarity.

use crate::language::{Language, words};
use serde::{Deserialize, Serialize};
use std::fmt;

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

const NEGATORS: &[&str] = &[
    "not", "no", "never", "isn't", "wasn't", "don't", "didn't", "doesn't", "niet", "geen", "nooit",
    "pas", "ne", "jamais", "nicht", "kein", "keine", "nie", "nunca", "ni",
];

/// Words between a negator and what it negates: "not very good", "niet zo lekker".
const INTENSIFIERS: &[&str] = &[
    "very",
    "so",
    "too",
    "really",
    "that",
    "zo",
    "erg",
    "heel",
    "echt",
    "al",
    "te",
    "zeer",
    "très",
    "si",
    "trop",
    "vraiment",
    "sehr",
    "so",
    "wirklich",
    "zu",
    "muy",
    "tan",
    "demasiado",
    "nada",
];

const NEGATIVE_NL: &[&str] = &[
    "slecht*",
    "teleurgesteld",
    "teleurstell*",
    "kapot*",
    "waardeloos",
    "waardeloze",
    "vreselijk*",
    "verschrikkelijk*",
    "belachelijk*",
    "schandalig*",
    "klacht*",
    "oplicht*",
    "boos",
    "kwaad",
    "nooit meer",
    "niet geleverd",
    "nog steeds niet",
    "niet ontvangen",
    "niet aangekomen",
    "geen antwoord",
    "geen reactie",
    "onbeschoft*",
    "koud",
    "vies*",
    "te laat",
    "veel te lang",
    "lang wachten",
    "terugbetal*",
    "geld terug",
    "beschadigd*",
    "defect",
    "stuk",
    "jammer",
    "zonde",
    "ontevreden",
    "zwaar",
    "ramp",
    "onbereikbaar",
    "ongezien",
    "haren in",
    "ziek",
    "fout*",
    "mis",
    "vergeten",
    "afgezet",
    "duur",
    "te duur",
    "niemand neemt",
    "werkt niet",
    "ergerlijk*",
    "frustrer*",
    "niet te doen",
];
const NEGATIVE_EN: &[&str] = &[
    "bad",
    "terrible",
    "awful",
    "horrible",
    "worst",
    "disappoint*",
    "broken",
    "broke",
    "damaged",
    "useless",
    "rude",
    "scam*",
    "refund*",
    "never again",
    "not delivered",
    "still not",
    "still waiting",
    "never arrived",
    "never received",
    "not received",
    "no answer",
    "no response",
    "nobody answers",
    "late",
    "cold",
    "dirty",
    "poor*",
    "complain*",
    "angry",
    "furious",
    "unacceptable",
    "ridiculous",
    "wrong",
    "missing",
    "overpriced",
    "waste",
    "hate",
    "sick",
    "fail*",
    "doesn't work",
    "does not work",
    "not working",
    "stopped working",
    "charged twice",
    "ignored",
    "unhappy",
    "shame",
    "mess",
    "nightmare",
    "avoid",
];
const NEGATIVE_FR: &[&str] = &[
    "mauvais*",
    "déçu*",
    "decu*",
    "décevant*",
    "cassé*",
    "casse",
    "nul",
    "nulle",
    "horrible*",
    "inadmissible",
    "honteu*",
    "arnaque*",
    "remboursement*",
    "rembourse*",
    "jamais reçu",
    "pas reçu",
    "toujours pas",
    "aucune réponse",
    "pas de réponse",
    "en retard",
    "froid*",
    "sale",
    "sales",
    "impoli*",
    "scandal*",
    "plainte*",
    "furieux",
    "inacceptable",
    "ridicule",
    "abîmé*",
    "endommagé*",
    "problème*",
    "probleme*",
    "ne fonctionne pas",
    "ne marche pas",
    "attente",
    "attends",
    "colère",
    "pire",
    "mécontent*",
    "catastroph*",
    "erreur*",
];
const NEGATIVE_DE: &[&str] = &[
    "schlecht*",
    "enttäusch*",
    "kaputt*",
    "beschädigt*",
    "unverschämt*",
    "frechheit",
    "betrug*",
    "abzocke*",
    "erstattung*",
    "geld zurück",
    "nie wieder",
    "nicht geliefert",
    "immer noch nicht",
    "noch nicht angekommen",
    "nicht angekommen",
    "nicht erhalten",
    "keine antwort",
    "keine reaktion",
    "verspät*",
    "zu spät",
    "kalt*",
    "schmutzig*",
    "unfreundlich*",
    "beschwerde*",
    "ärgerlich*",
    "sauer",
    "wütend",
    "inakzeptabel",
    "lächerlich*",
    "katastroph*",
    "funktioniert nicht",
    "hart",
    "mangelhaft",
    "fehler*",
    "schade",
    "unzufrieden",
    "warte",
    "ärger*",
    "zumutung",
    "miserabel",
];
const NEGATIVE_ES: &[&str] = &[
    "malo",
    "mala",
    "malos",
    "malas",
    "pésim*",
    "pesim*",
    "decepcion*",
    "decepción",
    "roto",
    "rota",
    "rotos",
    "dañad*",
    "estafa*",
    "reembolso*",
    "devolución",
    "nunca más",
    "no ha llegado",
    "no llegó",
    "no recibí",
    "todavía no",
    "aún no",
    "sin respuesta",
    "ninguna respuesta",
    "tarde",
    "frío",
    "fría",
    "sucio*",
    "sucia*",
    "grosero*",
    "queja*",
    "enfadad*",
    "furios*",
    "inaceptable",
    "ridícul*",
    "vergüenza",
    "no funciona",
    "horrible",
    "fatal",
    "terrible",
    "peor",
    "desastre",
    "molest*",
    "esperando",
    "espero",
    "indignad*",
    "lament*",
    "problema*",
    "error",
];

const POSITIVE_NL: &[&str] = &[
    "geweldig*",
    "top",
    "super",
    "lekker*",
    "heerlijk*",
    "fantastisch*",
    "prima",
    "goed",
    "goede",
    "fijn*",
    "tevreden",
    "aanrader",
    "vriendelijk*",
    "snel",
    "mooi*",
    "perfect*",
    "bedankt",
    "dank je",
    "dankjewel",
    "dank u",
    "toppers",
    "blij",
    "genoten",
    "aanraden",
    "knap",
    "bravo",
    "schitterend*",
    "uitstekend*",
    "klasse",
];
const POSITIVE_EN: &[&str] = &[
    "great",
    "love*",
    "amazing",
    "awesome",
    "excellent",
    "perfect",
    "good",
    "nice",
    "thanks",
    "thank you",
    "best",
    "fantastic",
    "wonderful",
    "delicious",
    "friendly",
    "recommend*",
    "happy",
    "fast",
    "quick",
    "helpful",
    "brilliant",
    "beautiful",
    "lovely",
    "well done",
    "kudos",
    "impressed",
    "enjoyed",
];
const POSITIVE_FR: &[&str] = &[
    "génial*",
    "genial*",
    "excellent*",
    "parfait*",
    "bon",
    "bonne",
    "super",
    "merci",
    "délicieu*",
    "magnifique*",
    "bravo",
    "recommande",
    "adore",
    "aime",
    "top",
    "ravi*",
    "sympa",
    "rapide",
    "formidable",
    "satisfait*",
    "agréable",
    "content",
    "contente",
];
const POSITIVE_DE: &[&str] = &[
    "toll*",
    "super",
    "klasse",
    "lecker*",
    "perfekt*",
    "gut",
    "gute",
    "guter",
    "danke",
    "vielen dank",
    "wunderbar*",
    "empfehl*",
    "freundlich*",
    "schnell*",
    "zufrieden",
    "begeistert",
    "hervorragend*",
    "prima",
    "liebe*",
    "großartig*",
    "spitze",
    "schön*",
];
const POSITIVE_ES: &[&str] = &[
    "genial",
    "excelente*",
    "perfect*",
    "bueno",
    "buena",
    "buenísim*",
    "gracias",
    "encanta*",
    "maravillos*",
    "delicios*",
    "recomiendo",
    "recomendable",
    "amable*",
    "rápido",
    "rápida",
    "feliz",
    "contento",
    "contenta",
    "increíble",
    "estupend*",
    "fantástic*",
    "mejor",
];

const QUESTION_OPENERS: &[&str] = &[
    "hoe", "wanneer", "waarom", "wat", "waar", "welke", "kan", "kunnen", "kunt", "is", "zijn",
    "heeft", "hebben", "how", "when", "why", "what", "where", "which", "can", "could", "do",
    "does", "is", "are", "will", "would", "comment", "quand", "pourquoi", "quel", "quelle", "où",
    "est-ce", "pouvez", "peut-on", "avez", "wie", "wann", "warum", "was", "wo", "welche", "kann",
    "können", "gibt", "habt", "cómo", "cuándo", "por qué", "qué", "dónde", "cuál", "puedo",
    "pueden", "tienen", "hay",
];

const SPAM: &[&str] = &[
    "free followers",
    "more followers",
    "gratis volgers",
    "check my profile",
    "check out my",
    "bekijk mijn profiel",
    "dm me",
    "dm for",
    "click here",
    "klik hier",
    "click the link",
    "link in bio",
    "crypto*",
    "bitcoin*",
    "forex",
    "invest*",
    "earn money",
    "make money",
    "geld verdienen",
    "gagner de l'argent",
    "geld verdienen",
    "ganar dinero",
    "promo code",
    "promocode",
    "giveaway",
    "win a",
    "win an",
    "winnen",
    "100% free",
    "work from home",
    "thuiswerken",
    "followers",
    "onlyfans",
    "casino",
    "betting",
    "viagra",
    "loan",
    "lening",
    "cheap",
    "discount code",
    "kortingscode",
    "whatsapp +",
    "telegram",
    "seguidores",
    "abonnés gratuits",
    "follower kaufen",
    "sugar daddy",
    "passive income",
    "dm mij",
    "stuur me een dm",
    "mp moi",
];

const ABUSE_NL: &[&str] = &[
    "kut*",
    "klootzak*",
    "lul*",
    "eikel*",
    "sukkel*",
    "debiel*",
    "mongool*",
    "kanker*",
    "tering*",
    "tyfus*",
    "idioot",
    "idioten",
    "achterlijk*",
    "hoer*",
    "stelletje",
    "oprotten",
    "rot op",
    "flikker*",
    "sterf",
    "zielig*",
    "randdebiel*",
];
const ABUSE_EN: &[&str] = &[
    "idiot*",
    "stupid",
    "moron*",
    "retard*",
    "dumb",
    "fuck*",
    "f*ck*",
    "shit*",
    "bitch*",
    "bastard*",
    "asshole*",
    "scum",
    "loser*",
    "kill yourself",
    "go to hell",
    "cunt*",
    "wanker*",
    "pathetic",
];
const ABUSE_FR: &[&str] = &[
    "connard*",
    "connasse*",
    "putain*",
    "merde*",
    "salope*",
    "enculé*",
    "abruti*",
    "crétin*",
    "débile*",
    "imbécile*",
    "ta gueule",
    "va te faire",
    "crève",
    "pute*",
    "minable*",
];
const ABUSE_DE: &[&str] = &[
    "arschloch*",
    "arschlöcher",
    "scheiß*",
    "scheiss*",
    "idioten",
    "depp*",
    "vollidiot*",
    "wichser*",
    "hure*",
    "fick*",
    "verpiss",
    "halt die fresse",
    "dumm*",
    "blöd*",
    "versager*",
    "penner*",
];
const ABUSE_ES: &[&str] = &[
    "idiota*",
    "estúpid*",
    "estupid*",
    "imbécil*",
    "gilipollas",
    "cabrón*",
    "cabron*",
    "mierda*",
    "puta*",
    "pendejo*",
    "joder",
    "jodete",
    "jódete",
    "inútiles",
    "subnormal*",
    "capullo*",
    "vete a la",
];

fn padded(tokens: &[String]) -> String {
    format!(" {} ", tokens.join(" "))
}

fn entry_matches(entry: &str, token: &str) -> bool {
    match entry.strip_suffix('*') {
        Some(prefix) => token.starts_with(prefix),
        None => token == entry,
    }
}

/// Count lexicon hits; single-word hits preceded by a negator are returned separately.
fn hits(lexicon: &[&str], tokens: &[String], text: &str) -> (usize, usize) {
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
                let negator = |w: Option<&str>| w.is_some_and(|w| NEGATORS.contains(&w));
                let intensifier = |w: Option<&str>| w.is_some_and(|w| INTENSIFIERS.contains(&w));
                if negator(before(1)) || (intensifier(before(1)) && negator(before(2))) {
                    negated += 1;
                } else {
                    plain += 1;
                }
            }
        }
    }
    (plain, negated)
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

/// The lexicons of one language. English is checked for every language too: it is mixed
/// into comments everywhere.
fn lexicons(lang: Language) -> [&'static [&'static str]; 3] {
    match lang {
        Language::Nl => [NEGATIVE_NL, POSITIVE_NL, ABUSE_NL],
        Language::En => [NEGATIVE_EN, POSITIVE_EN, ABUSE_EN],
        Language::Fr => [NEGATIVE_FR, POSITIVE_FR, ABUSE_FR],
        Language::De => [NEGATIVE_DE, POSITIVE_DE, ABUSE_DE],
        Language::Es => [NEGATIVE_ES, POSITIVE_ES, ABUSE_ES],
    }
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
    let joined = padded(&tokens);
    let (spam, _) = hits(SPAM, &tokens, &joined);
    let link = has_link(text);
    if spam >= 2 || (spam >= 1 && link) || (link && tokens.len() <= 6) {
        return Label::Spam;
    }

    let [negative_words, positive_words, abuse_words] = lexicons(lang);
    let [english_negative, english_positive, english_abuse] = lexicons(Language::En);
    let count = |lexicon: &[&str], english: &[&str]| {
        let own = hits(lexicon, &tokens, &joined);
        if lang == Language::En {
            own
        } else {
            sum(own, hits(english, &tokens, &joined))
        }
    };
    let (neg, neg_negated) = count(negative_words, english_negative);
    let (pos, pos_negated) = count(positive_words, english_positive);
    let (abuse, _) = count(abuse_words, english_abuse);
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
        || QUESTION_OPENERS.contains(&first) && tokens.len() > 2 && text.trim_end().ends_with('?')
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
}
