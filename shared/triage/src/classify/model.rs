//! A small linear model that reads a comment as a whole, beside the word lists: a
//! multinomial logistic regression over hashed features (lower-cased character n-grams of
//! 2 to 5 within words, apart for words a negation reaches and again for the words after
//! the last contrast word, word unigrams, bigrams and trigrams, the words of the last clause,
//! the words after the last contrast word of the word lists, the words within reach of a
//! negation and, apart, those outside any, the words of very short comments apart, the
//! words again beside a coarse star rating, each distinct emoji, the stars, the language
//! and a few marks: "?", "!", emoji, quotes, length).
//! The contrast and negation words are the word lists' (`lexicons/*.json`): edit those
//! lists and the model reads differently, so retrain it after.
//!
//! It is trained offline on the labelled corpus by `examples/train_model.rs`
//! (`cargo run -p triage --release --example train_model`), which also measures it by
//! cross-validation, and shipped as data: `model.bin` holds one little-endian `f32` scale
//! and then [`BUCKETS`] × [`CLASSES`] weights quantised to `i8`, bucket by bucket. It is
//! compiled in and read in place: nothing is parsed or allocated at start-up, and a call
//! allocates only small buffers (its features, the lower-cased text and its words).
//!
//! [`crate::confidence::weigh_model`] is where its probabilities meet the word lists.

use crate::Label;
use crate::language::Language;

/// Hash buckets of the feature space (a power of two). 2^18 against 2^17: by
/// cross-validation on 31,747 entries, the same wrong posts with one to two points more
/// answered automatically, and the model zips to 241 KB (242 KB with the features added
/// since; the responder's zip stays under 4 MiB; see `LEVELS` in
/// `examples/train_model.rs`).
pub const BUCKETS: usize = 1 << 18;

/// The classes the model tells apart: what matters for answering.
pub const CLASSES: usize = 5;

/// A class of the model. Spam, abuse and threats are one class: none is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Complaint = 0,
    Question = 1,
    Neutral = 2,
    Praise = 3,
    /// Spam, abuse or a threat.
    Unanswered = 4,
}

impl Class {
    pub const ALL: [Class; CLASSES] = [
        Class::Complaint,
        Class::Question,
        Class::Neutral,
        Class::Praise,
        Class::Unanswered,
    ];

    /// The class of a label.
    pub fn of(label: Label) -> Class {
        match label {
            Label::Negative => Class::Complaint,
            Label::Question => Class::Question,
            Label::Neutral => Class::Neutral,
            Label::Positive => Class::Praise,
            Label::Spam | Label::Abusive | Label::Threat => Class::Unanswered,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Complaint => "complaint",
            Class::Question => "question",
            Class::Neutral => "neutral",
            Class::Praise => "praise",
            Class::Unanswered => "unanswered",
        }
    }
}

/// The probability of each class, indexed by `Class as usize`.
pub type Scores = [f32; CLASSES];

/// The shipped weights.
static SHIPPED_BYTES: &[u8] = include_bytes!("model.bin");

/// The size of a model file: the scale, then the weights.
pub const MODEL_LEN: usize = 4 + BUCKETS * CLASSES;

const _: () = assert!(
    SHIPPED_BYTES.len() == MODEL_LEN,
    "model.bin has the wrong size"
);

/// A model's bytes, read in place.
#[derive(Debug, Clone, Copy)]
pub struct Model<'a> {
    bytes: &'a [u8],
}

/// The model shipped in the crate.
pub const SHIPPED: Model<'static> = Model {
    bytes: SHIPPED_BYTES,
};

impl<'a> Model<'a> {
    /// A model from the bytes of a model file; `None` when they are not one.
    pub fn from_bytes(bytes: &'a [u8]) -> Option<Model<'a>> {
        (bytes.len() == MODEL_LEN).then_some(Model { bytes })
    }

    fn scale(&self) -> f32 {
        let mut b = [0u8; 4];
        b.copy_from_slice(&self.bytes[..4]);
        f32::from_le_bytes(b)
    }

    /// The weight of `class` in `bucket`.
    pub fn weight(&self, bucket: usize, class: usize) -> f32 {
        let q = self.bytes[4 + bucket * CLASSES + class] as i8;
        f32::from(q) * self.scale()
    }

    /// The probability of each class for `text`, written in `lang`, with `rating` stars.
    pub fn scores(&self, text: &str, lang: Language, rating: Option<u8>) -> Scores {
        let text = feedback::text::capped(text, MAX_TEXT);
        let mut buffer = Vec::with_capacity(text.len() * 5 + 32);
        features(text, lang, rating, &mut buffer);
        let scale = self.scale();
        let mut logits = [0f32; CLASSES];
        for &(bucket, value) in &buffer {
            let row = &self.bytes[4 + bucket as usize * CLASSES..][..CLASSES];
            for (l, &q) in logits.iter_mut().zip(row) {
                *l += value * f32::from(q as i8) * scale;
            }
        }
        softmax(logits)
    }
}

/// How much of a text the model reads: every comment of the corpus fits many times over,
/// and a 400 KB delivery never costs more than this in memory (~40 bytes a byte of text).
pub const MAX_TEXT: usize = 4096;

/// The probability of each class for `text`, by the shipped model.
pub fn scores(text: &str, lang: Language, rating: Option<u8>) -> Scores {
    SHIPPED.scores(text, lang, rating)
}

/// Probabilities from logits.
pub fn softmax(logits: [f32; CLASSES]) -> Scores {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut p = logits.map(|l| (l - max).exp());
    let sum: f32 = p.iter().sum();
    for x in &mut p {
        *x /= sum;
    }
    p
}

/// FNV-1a over a namespace byte and some strings.
fn hash(namespace: u8, parts: &[&str]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    let mut eat = |b: u8| {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    };
    eat(namespace);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            eat(0x1f);
        }
        p.bytes().for_each(&mut eat);
    }
    h
}

/// The hashed features of a text into `out` (cleared first): `(bucket, value)` pairs, the
/// bias in bucket 0 with value 1, every other value ±1 (by a bit of its hash, so that
/// features sharing a bucket tend to cancel rather than add up) divided by the square root
/// of their number, so a long text does not shout louder than a short one.
pub fn features(text: &str, lang: Language, rating: Option<u8>, out: &mut Vec<(u32, f32)>) {
    out.clear();
    let mut push = |h: u32| {
        let bucket = 1 + (h >> 1) % (BUCKETS as u32 - 1);
        out.push((bucket, if h & 1 == 0 { 1.0 } else { -1.0 }));
    };
    let lower = text.to_lowercase();
    // Words: runs of letters and digits, every digit read as 0.
    let mut words: Vec<String> = Vec::new();
    // The number of words before each clause mark, to end a negation's reach.
    let mut marks: Vec<usize> = Vec::new();
    // Where the last clause starts, and the one before it (a text ending in "." or "!").
    let (mut clause, mut previous_clause) = (0, 0);
    let mut current = String::new();
    let (mut questions, mut exclamations, mut emoji, mut quotes) = (0u32, 0u32, 0u32, 0u32);
    // The emoji and symbols, each distinct one read by itself below (a joiner or a
    // variation selector is part of another, not one of its own).
    let mut symbols: Vec<char> = Vec::new();
    for c in lower.chars().chain(std::iter::once(' ')) {
        if c.is_alphanumeric() {
            current.push(if c.is_ascii_digit() { '0' } else { c });
            continue;
        }
        if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        match c {
            '?' => questions += 1,
            '!' => exclamations += 1,
            '"' | '“' | '”' | '«' | '»' | '„' => quotes += 1,
            _ if u32::from(c) >= 0x2190 && !c.is_whitespace() => {
                emoji += 1;
                if !matches!(c, '\u{fe0f}' | '\u{200d}') {
                    symbols.push(c);
                }
            }
            _ => {}
        }
        if matches!(c, '.' | '!' | '?' | ',' | ';' | ':' | '\n') {
            marks.push(words.len());
        }
        if matches!(c, '.' | '!' | '?' | ',' | ';' | ':' | '\n') && clause < words.len() {
            previous_clause = clause;
            clause = words.len();
        }
    }
    let last_clause = if clause == words.len() {
        previous_clause
    } else {
        clause
    };
    let code = lang.code();
    push(hash(b'l', &[code]));
    if let Some(stars) = rating {
        let stars = [b'0' + stars.min(9)];
        let stars = std::str::from_utf8(&stars).unwrap_or("?");
        push(hash(b'r', &[stars]));
        push(hash(b'r', &[stars, code]));
    } else {
        push(hash(b'r', &["none"]));
    }
    let count = |n: u32| match n {
        0 => "0",
        1 => "1",
        _ => "2+",
    };
    push(hash(b'p', &["?", count(questions)]));
    push(hash(b'p', &["!", count(exclamations)]));
    push(hash(b'p', &["emoji", count(emoji)]));
    push(hash(b'p', &["quotes", count(quotes)]));
    // Which emoji, not only how many: 🙄 and 🙏 are not the same comment. By
    // cross-validation on 39,063 entries: log-loss 0.151 → 0.148.
    symbols.sort_unstable();
    symbols.dedup();
    let mut symbol = [0u8; 4];
    for c in &symbols {
        push(hash(b'm', &[c.encode_utf8(&mut symbol)]));
    }
    let length = match words.len() {
        0..=4 => "short",
        5..=14 => "medium",
        15..=39 => "long",
        _ => "very long",
    };
    push(hash(b'p', &["length", length]));
    let mut buf = String::new();
    let mut bounds: Vec<usize> = Vec::new();
    let lexicons = &super::lexicon::LEXICONS;
    let negations = &lexicons.negations;
    let folded: Vec<String> = words.iter().map(|w| super::tokens::fold(w)).collect();
    // Where the words after the last contrast word ("but", "maar", "mais", "aber",
    // "pero", "helaas") start: what follows it outweighs what came before.
    let contrast = lexicons.of(lang).map_or(words.len(), |l| {
        folded
            .iter()
            .rposition(|w| {
                l.contrast.0.iter().any(
                    |p| matches!(p.parts.as_slice(), [super::lexicon::Part::Word(c)] if c == w),
                )
            })
            .map_or(words.len(), |j| j + 1)
    });
    // The stars, coarsely, for the words read beside them ("wait" under five stars is
    // another comment than under one).
    let star_bucket = match rating {
        Some(0..=2) => Some("low"),
        Some(3) => Some("mid"),
        Some(_) => Some("high"),
        None => None,
    };
    // Words within three of a negation word ("not", "niet", "pas", "nicht", "no"), in
    // the same clause: "no complaints" is not a complaint.
    let mut reach = 0usize;
    let mut mark = marks.iter().peekable();
    for (i, w) in words.iter().enumerate() {
        while mark.next_if(|&&m| m <= i).is_some() {
            reach = 0;
        }
        // A word a negation reaches, or one no negation reaches: "déçu" after "jamais" is
        // praise, "très déçu" is not, and the plain word alone cannot tell them apart.
        let negated = reach > 0;
        if negated {
            push(hash(b'n', &[w]));
            reach -= 1;
        } else {
            push(hash(b'u', &[w]));
        }
        if i >= contrast {
            push(hash(b'a', &[w]));
        }
        if negations.iter().any(|n| *n == folded[i]) {
            reach = 3;
        }
        push(hash(b'w', &[w]));
        // Beside stars, each word once more with how many: the same words mean another
        // thing under five stars than under one or three ("not as fast as last time" is
        // a remark in a happy review, the complaint of a poor one). By cross-validation on
        // 36,135 entries: log-loss 0.147 → 0.141; with a small grid of rules, automatic
        // answers at 1.5 and 2 misreads per 1,000 of the untuned entries 77.8 → 80.9 % and
        // 82.5 → 83.5 %. (Words read once more beside the word lists' praise, or a flag
        // for praise and complaint words together, added nothing: 0.140 and a lower
        // frontier.)
        if let Some(stars) = star_bucket {
            push(hash(b'R', &[stars, w]));
        }
        // The words of a very short comment ("Heel teleurstellend!", "Nooit meer!") weigh
        // on their own: there is no sentence around them to read.
        if words.len() <= 6 {
            push(hash(b's', &[w]));
        }
        if let Some(next) = words.get(i + 1) {
            push(hash(b'b', &[w, next]));
            if let Some(third) = words.get(i + 2) {
                push(hash(b't', &[w, next, third]));
            }
        }
        if i >= last_clause {
            push(hash(b'e', &[w]));
        }
        // Character n-grams of the word between boundary marks, apart when a negation
        // reaches the word (the stem of "schlecht" in "gar nicht schlecht" is praise, in
        // "Schlechter Service" it is not), and once more after the last contrast word
        // ("…, aber die Verkäuferin war pampig"), where inflected complaint words carry the
        // comment. By cross-validation on 34,648 entries: log-loss 0.147 → 0.138; with a
        // small grid of rules, automatic answers at 1.5 and 2 misreads per 1,000 of the
        // untuned entries 78.7 → 82.3 % and 82.0 → 84.8 %. (The same again for the last
        // clause was worse: 0.146.)
        buf.clear();
        buf.push('<');
        buf.push_str(w);
        buf.push('>');
        bounds.clear();
        bounds.extend(buf.char_indices().map(|(i, _)| i));
        bounds.push(buf.len());
        for n in 2..=5 {
            for start in 0..bounds.len().saturating_sub(n) {
                let kind = if negated { b'k' } else { b'c' };
                push(hash(kind, &[&buf[bounds[start]..bounds[start + n]]]));
                if i >= contrast {
                    push(hash(b'x', &[&buf[bounds[start]..bounds[start + n]]]));
                }
            }
        }
    }
    let norm = 1.0 / (out.len().max(1) as f32).sqrt();
    for f in out.iter_mut() {
        f.1 *= norm;
    }
    out.push((0, 1.0));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(text: &str, lang: Language, rating: Option<u8>) -> Class {
        let s = scores(text, lang, rating);
        let best = (0..CLASSES)
            .max_by(|&a, &b| s[a].total_cmp(&s[b]))
            .unwrap_or(0);
        Class::ALL[best]
    }

    #[test]
    fn the_scores_are_probabilities() {
        let s = scores("Whatever, we will see", Language::En, None);
        let sum: f32 = s.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "{s:?}");
        assert!(s.iter().all(|p| (0.0..=1.0).contains(p)), "{s:?}");
        assert_eq!(scores("", Language::Nl, None).len(), CLASSES);
    }

    #[test]
    fn the_model_reads_plain_praise_as_praise() {
        assert_eq!(
            top(
                "Wonderful evening, the staff were so kind and the food was delicious. Thank you!",
                Language::En,
                None
            ),
            Class::Praise
        );
        assert_eq!(
            top(
                "Super vriendelijk geholpen, echt een aanrader. Bedankt!",
                Language::Nl,
                None
            ),
            Class::Praise
        );
    }

    #[test]
    fn the_model_reads_a_late_parcel_as_a_complaint() {
        assert_eq!(
            top(
                "Three weeks and my parcel still has not arrived. Nobody answers the phone.",
                Language::En,
                None
            ),
            Class::Complaint
        );
        assert_eq!(
            top(
                "Mi pedido llegó roto y nadie me contesta los correos.",
                Language::Es,
                None
            ),
            Class::Complaint
        );
    }

    #[test]
    fn the_model_reads_a_plain_question_as_a_question() {
        assert_eq!(
            top(
                "Are you open on Easter Monday, and until what time?",
                Language::En,
                None
            ),
            Class::Question
        );
    }

    #[test]
    fn the_features_are_the_same_for_the_same_text_and_the_bias_is_last() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        features("Accueil chaleureux, merci !", Language::Fr, Some(5), &mut a);
        features("Accueil chaleureux, merci !", Language::Fr, Some(5), &mut b);
        assert_eq!(a, b);
        assert_eq!(a.last(), Some(&(0, 1.0)));
        assert!(a.iter().all(|&(bucket, _)| (bucket as usize) < BUCKETS));
    }

    #[test]
    fn the_words_of_a_review_are_read_again_beside_its_stars() {
        let text = "Pas aussi rapide que la dernière fois";
        let (mut none, mut one, mut five) = (Vec::new(), Vec::new(), Vec::new());
        features(text, Language::Fr, None, &mut none);
        features(text, Language::Fr, Some(1), &mut one);
        features(text, Language::Fr, Some(5), &mut five);
        // Seven words once more each, and the stars twice (alone, with the language)
        // where a comment without stars has one feature for that.
        assert_eq!(one.len(), none.len() + 7 + 1);
        assert_eq!(five.len(), one.len());
        let buckets = |f: &[(u32, f32)]| {
            f.iter()
                .map(|&(b, _)| b)
                .collect::<std::collections::BTreeSet<_>>()
        };
        let (one, five) = (buckets(&one), buckets(&five));
        // More than the two star features differ: the words beside them do too.
        assert!(one.symmetric_difference(&five).count() > 2 * 2);
    }

    #[test]
    fn each_distinct_emoji_is_read_by_itself_and_a_joiner_is_not() {
        let with = |text: &str| {
            let mut f = Vec::new();
            features(text, Language::En, None, &mut f);
            f
        };
        let (rolling, praying) = (with("Great service 🙄"), with("Great service 🙏"));
        // The same count of emoji, another emoji: the features differ.
        assert_eq!(rolling.len(), praying.len());
        assert_ne!(rolling, praying);
        // The same emoji twice is read once; a variation selector is not an emoji of its own.
        assert_eq!(with("Great service 🙄🙄").len(), rolling.len());
        assert_eq!(with("Great service ❤\u{fe0f}").len(), rolling.len());
    }

    #[test]
    fn a_model_file_of_the_wrong_size_is_refused() {
        assert!(Model::from_bytes(&[0; 10]).is_none());
        assert!(Model::from_bytes(&vec![0; MODEL_LEN]).is_some());
    }

    #[test]
    fn a_very_long_comment_is_read_up_to_the_limit_and_cut_between_characters() {
        let long = "é".repeat(MAX_TEXT);
        let cut = feedback::text::capped(&long, MAX_TEXT);
        assert!(cut.len() <= MAX_TEXT && cut.len() >= MAX_TEXT - 1);
        assert!(cut.chars().all(|c| c == 'é'));
        let short = "Thanks!";
        assert_eq!(feedback::text::capped(short, MAX_TEXT), short);
        // The same scores for a text and that text followed by a megabyte more.
        let text = "Great food, lovely staff, we will be back";
        let padded = format!("{text}{}", " ".repeat(MAX_TEXT));
        let huge = format!("{padded}{}", "awful ".repeat(200_000));
        assert_eq!(
            scores(&padded, Language::En, None),
            scores(&huge, Language::En, None)
        );
    }
}
