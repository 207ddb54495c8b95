//! Tokenising: a comment's words (folded, with their clause and sentence), and what its
//! characters say besides its words ([`Marks`]: links, phone numbers, money, quotes, …).

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
pub(super) struct Token {
    /// Folded: lowercase, no accents.
    pub(super) word: String,
    /// As written.
    pub(super) raw: String,
    /// Which clause it is in (split at punctuation): negation does not cross clauses.
    pub(super) clause: usize,
    /// First word of a sentence.
    pub(super) sentence_start: bool,
}

/// A word split after an elision ("j'attends" → "j'", "attends"; "qu'il" → "qu'", "il"),
/// so French words are found whatever precedes them. Nothing else is split ("don't").
pub(super) fn elided(word: &str) -> Vec<&str> {
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
pub(super) fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2190..=0x21FF)
}

/// Invisible parts of emoji sequences (variation selectors, joiners, skin tones).
pub(super) fn is_emoji_modifier(c: char) -> bool {
    matches!(c as u32, 0xFE00..=0xFE0F | 0x200D | 0x1F3FB..=0x1F3FF)
}

/// Whether a whitespace-separated chunk is a link.
pub(super) fn is_link(chunk: &str) -> bool {
    let c = chunk.to_lowercase();
    c.contains("://")
        || c.starts_with("www.")
        || ["bit.ly/", "t.me/", "wa.me/", "tinyurl.", ".com/", ".link/"]
            .iter()
            .any(|m| c.contains(m))
}

/// What the characters of a text say besides its words.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Marks {
    pub(super) link: bool,
    /// A run of eight or more digits (with spaces, dashes, a plus): a phone number.
    pub(super) phone: bool,
    /// An amount of money (a currency sign or word next to a number).
    pub(super) money: bool,
    pub(super) question: bool,
    /// A short phrase in quotes: 'on its way', "in behandeling" — mostly scare quotes.
    pub(super) quoted: bool,
    /// A word censored with asterisks: f***ing, k*t.
    pub(super) censored: bool,
    /// Shouting: three or more ! or ?.
    pub(super) shouting: bool,
    /// Of `shouting`: only exclamation marks ("Awesome!!!"), no "??" or "?!".
    pub(super) exclaiming: bool,
    /// Two clock times ("ordered at 19:50, came at 22:10"): a wait described, a complaint
    /// without a complaint word.
    pub(super) wait: bool,
    /// A percentage ("70% off", "-70 %"): with a spam word, an advertisement.
    pub(super) percent: bool,
}

/// Words of a length of time, after a number ("40 minutes", "drie dagen" is not counted).
pub(super) const DURATIONS: [&str; 16] = [
    "min", "hour", "uur", "stund", "heure", "hora", "day", "dag", "tag", "jour", "dia", "week",
    "woche", "semaine", "semana", "maand",
];

/// How many clock times a text names: 19:50, 7.10pm, 20h10, 9am.
pub(super) fn clock_times(text: &str) -> usize {
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
pub(super) struct Tokenizer {
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

pub(super) fn tokenize(text: &str) -> (Vec<Token>, Marks) {
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
                // An emoji is a clause of its own: a negation before it is about the
                // words before it ("nicht meckern 👌" is not "not 👌").
                t.flush(&mut word);
                t.clause += 1;
                t.push(&c.to_string());
                t.clause += 1;
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
    marks.exclaiming = marks.shouting && !["??", "?!", "!?"].iter().any(|m| text.contains(m));
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
pub(super) fn quoted_phrase(text: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_emoji_and_phone_numbers_are_marked() {
        let (tokens, marks) = tokenize("Love how my 'next day delivery' took 9 days 👍🏽");
        assert!(marks.quoted);
        assert_eq!(tokens.last().map(|t| t.word.as_str()), Some("👍"));
        assert!(!tokenize("I don't know, it's John's").1.quoted);
        assert!(tokenize("Bel +31 6 12345678").1.phone);
        assert!(!tokenize("Bestelling 48213").1.phone);
    }
}
