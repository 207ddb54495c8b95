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
//! terrible" is a phrase, so "terrible" is not flipped). Clauses end at punctuation, and an
//! emoji is a clause of its own ("nicht meckern 👌" negates "meckern", not "👌").
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
//!
//! The parts: `lexicon` loads and compiles the word lists, `tokens` splits a text into
//! words and marks, `signals` counts what matched; this module weighs the signals into a
//! label and keeps the public types.

mod lexicon;
pub mod model;
mod signals;
mod tokens;

use crate::language::Language;
use lexicon::LEXICONS;
use signals::{Signals, complaint_themes, leading_theme, register_of, sentiment, signals};
use tokens::{DURATIONS, Marks, Token, tokenize};

feedback::stored_enum!(
    /// What a comment is, as read from its words.
    Label {
        Negative => "negative",
        Question => "question",
        Neutral => "neutral",
        Positive => "positive",
        Spam => "spam",
        Abusive => "abusive",
        /// Violence or intimidation: never answered in public, always shown to a person.
        Threat => "threat",
    }
);

feedback::stored_enum!(
    /// What a complaint is about, when the words say so clearly: the reply names it.
    Theme {
        Delivery => "delivery",
        Billing => "billing",
        Quality => "quality",
        Service => "service",
        Website => "website",
        Price => "price",
    }
);

feedback::stored_enum!(
    /// How the writer addresses us: u/je, Sie/du, vous/tu, usted/tú. English has one.
    Register {
        Formal => "formal",
        Informal => "informal",
    }
);

/// One value for each [`Theme`], named as in the data files (`delivery`, `billing`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByTheme<T> {
    pub delivery: T,
    pub billing: T,
    pub quality: T,
    pub service: T,
    pub website: T,
    pub price: T,
}

impl<T> ByTheme<T> {
    /// The value for `theme`.
    pub fn of(&self, theme: Theme) -> &T {
        match theme {
            Theme::Delivery => &self.delivery,
            Theme::Billing => &self.billing,
            Theme::Quality => &self.quality,
            Theme::Service => &self.service,
            Theme::Website => &self.website,
            Theme::Price => &self.price,
        }
    }

    /// Each theme's value, to change in place.
    pub fn each_mut(&mut self) -> [&mut T; 6] {
        [
            &mut self.delivery,
            &mut self.billing,
            &mut self.quality,
            &mut self.service,
            &mut self.website,
            &mut self.price,
        ]
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
    // "Brilliant, that's the third parcel you've lost", "Ah ben bravo, 1h15 pour deux
    // cafés. Record battu.": one word of praise alone before a problem (after at most two
    // interjections, "oh", "ah ben", "qué") is irony.
    let first_clause = tokens.iter().take_while(|t| t.clause == 0).count();
    if (1..=3).contains(&first_clause) && tokens.len() > first_clause {
        let opener = sentiment(&tokens[..first_clause], lexicons, &sources, false);
        let last = sentiment(
            &tokens[first_clause - 1..first_clause],
            lexicons,
            &sources,
            false,
        );
        let rest = sentiment(&tokens[first_clause..], lexicons, &sources, false);
        let only_praise = opener.positive == 1
            && last.positive == 1
            && opener.complaint + opener.negative + opener.hints + opener.sarcasm == 0;
        if only_praise && rest.complaint + rest.negative + rest.sarcasm > 0 {
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
    let label = decide_label(&tokens, &marks, &s);
    // The theme a reply names: only a complaint's, read from what went wrong.
    let theme = (label == Label::Negative)
        .then(|| leading_theme(&complaint_themes(&tokens, &s, lexicons, &sources)))
        .flatten();
    let small = |n: usize| u8::try_from(n).unwrap_or(u8::MAX);
    let evidence = Evidence {
        complaint: small(s.complaint),
        negative: small(s.negative),
        positive: small(s.positive),
        praise_by_negation: small(s.praise_by_negation),
        irony: small(s.sarcasm + usize::from(marks.quoted) + usize::from(s.deadpan && s.hints > 0)),
        hints: small(s.hints + usize::from(shouting(&marks, &s))),
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
        theme,
        register,
        evidence,
    };
    (analysis, s)
}

/// Whether the marks shout in anger: "??" and "?!" always; "!!!" unless it only
/// underlines praise ("Awesome!!! It's a really fantastic app!").
fn shouting(marks: &Marks, s: &Signals) -> bool {
    let praise_alone = s.positive > 0 && s.complaint + s.negative + s.sarcasm + s.hints == 0;
    marks.shouting && !(marks.exclaiming && praise_alone && !marks.quoted)
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

    let hints = s.hints + usize::from(marks.quoted) + usize::from(shouting(marks, s));
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
    text.and_then(|t| {
        let (analysis, s) = analyse_in(t, lang, false, false);
        if analysis.label == Label::Negative {
            analysis.theme
        } else {
            leading_theme(&s.themes)
        }
    })
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
    fn the_theme_named_is_what_went_wrong_not_what_was_praised() {
        let theme = |text, lang| analyse(text, lang).theme;
        // Food and delivery named once each, the complaint after "but" (before, neither
        // led); without a contrast word, clauses that only praise name nothing (before,
        // the food and coffee praised outnumbered the late delivery).
        for (text, lang) in [
            (
                "The food was great but the delivery was two hours late.",
                Language::En,
            ),
            (
                "Het eten was top, maar de bezorging duurde twee uur.",
                Language::Nl,
            ),
            (
                "Great food, amazing coffee, lovely meal. Delivery was late.",
                Language::En,
            ),
            (
                "Heerlijk eten, lekkere koffie. Bezorging was te laat.",
                Language::Nl,
            ),
        ] {
            assert_eq!(theme(text, lang), Some(Theme::Delivery), "{text}");
        }
    }

    #[test]
    fn english_false_friends_keep_their_meaning_in_other_languages() {
        let label = |text, lang| analyse(text, lang).label;
        // French "retard" is a delay, not the English insult.
        assert_eq!(
            label(
                "Les plats étaient délicieux, mais la livraison est arrivée avec deux heures de retard.",
                Language::Fr
            ),
            Label::Negative
        );
        // Dutch "even" and "af" are not English; German "groß" is not "gross", "Bad" a bathroom.
        assert_eq!(
            label(
                "Ik haal het pakket morgen even af, top service!",
                Language::Nl
            ),
            Label::Positive
        );
        assert_eq!(
            label("Das Bad war groß und sauber, tolles Hotel.", Language::De),
            Label::Positive
        );
        // In English the insult is still one.
        assert_eq!(label("Shut up you retard", Language::En), Label::Abusive);
    }

    #[test]
    fn complaining_negated_is_praise_in_every_language() {
        for (text, lang) in [
            ("Can't complain, lovely stay 👌", Language::En),
            ("Ik kan niet klagen, alles prima geregeld 👍", Language::Nl),
            (
                "Je ne peux pas me plaindre, tout était parfait 👌",
                Language::Fr,
            ),
            ("Da gibt es nichts zu beschweren 👌", Language::De),
            ("No me puedo quejar, todo perfecto 👌", Language::Es),
        ] {
            let a = analyse(text, lang);
            assert_eq!(
                a.label,
                Label::Positive,
                "{text}: {}",
                a.evidence.describe()
            );
        }
        assert_eq!(
            classify("Ich muss mich leider beschweren", Language::De),
            Label::Negative
        );
    }

    #[test]
    fn a_bill_listing_more_than_was_had_or_quoted_is_a_complaint() {
        for (text, lang) in [
            ("The receipt shows three drinks, we had two.", Language::En),
            (
                "Op het bonnetje stonden drie drankjes, wij hadden er twee.",
                Language::Nl,
            ),
            (
                "Sur le ticket de caisse il y a deux menus, on en a pris un.",
                Language::Fr,
            ),
            (
                "Auf der Quittung standen vier Bier, wir hatten zwei.",
                Language::De,
            ),
            (
                "En el ticket aparecen dos menús y pedimos uno.",
                Language::Es,
            ),
            ("They charged me £20 more than the quote", Language::En),
            ("Er werd €15 meer afgerekend dan afgesproken", Language::Nl),
            ("On m'a facturé 30 € de plus que le devis", Language::Fr),
            ("Am Ende 50 € mehr als im Angebot bezahlt", Language::De),
            ("Me cobraron de más sin avisar", Language::Es),
        ] {
            let a = analyse(text, lang);
            assert_eq!(
                a.label,
                Label::Negative,
                "{text}: {}",
                a.evidence.describe()
            );
            assert_eq!(a.theme, Some(Theme::Billing), "{text}");
        }
    }

    #[test]
    fn exclamation_marks_under_praise_alone_are_not_anger() {
        let hints = |text| analyse(text, Language::En).evidence.hints;
        assert_eq!(hints("Awesome!!! It's a really fantastic app!"), 0);
        assert_eq!(hints("Where is my order?!"), 1);
        assert_eq!(hints("Great food!!! Shame about the wait"), 1);
    }

    #[test]
    fn one_praise_word_after_interjections_before_a_problem_is_irony() {
        for (text, lang) in [
            ("Oh lovely, the app crashed again at checkout", Language::En),
            (
                "Nou prachtig, de app crasht weer bij het afrekenen",
                Language::Nl,
            ),
            (
                "Ah ben génial, l'appli plante encore au paiement",
                Language::Fr,
            ),
            ("Na wunderbar, die App stürzt schon wieder ab", Language::De),
            ("Pues genial, la web se cae otra vez al pagar", Language::Es),
        ] {
            let a = analyse(text, lang);
            assert_eq!(a.label, Label::Negative, "{text}");
            assert!(a.evidence.irony > 0, "{text}: {}", a.evidence.describe());
        }
        // Praise first, not last, in its clause is not an interjection.
        assert_eq!(
            analyse(
                "Thanks so much, the broken screen was replaced",
                Language::En
            )
            .evidence
            .irony,
            0
        );
    }

    #[test]
    fn accents_and_typos_do_not_matter() {
        assert_eq!(
            classify("tres decue, jamais recu", Language::Fr),
            Label::Negative
        );
        assert_eq!(classify("pesimo servicio", Language::Es), Label::Negative);
    }
}
