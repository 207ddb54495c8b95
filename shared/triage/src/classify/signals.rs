//! Signals: what one text's tokens match in the lexicons, counted ([`Signals`]): sentiment,
//! complaint words, irony, hints, the turn after a contrast word, themes and the register.

use super::lexicon::{Compiled, Lexicons, Pattern, Patterns};
use super::tokens::Token;
use super::{Register, Theme, Turn};

/// Counts of one comment's signals, and which entries matched (for [`explain`](super::explain)).
#[derive(Debug, Default, Clone)]
pub(super) struct Signals {
    pub(super) negative: usize,
    pub(super) positive: usize,
    pub(super) complaint: usize,
    pub(super) sarcasm: usize,
    pub(super) hints: usize,
    pub(super) insults: usize,
    pub(super) profanity: usize,
    pub(super) threats: usize,
    pub(super) spam: usize,
    pub(super) opener: bool,
    /// The last sentence is one word of praise ("Paid for express, came a week later.
    /// Lovely."): with a hint of a problem before it, deadpan.
    pub(super) deadpan: bool,
    /// Of `positive`: negative words negated.
    pub(super) praise_by_negation: usize,
    /// What follows the last contrast word leans this way.
    pub(super) turn: Turn,
    pub(super) complaint_before_turn: bool,
    pub(super) themes: Vec<(Theme, usize)>,
    /// Where the words after the last contrast word begin, when the comment turns to a
    /// complaint there ([`Turn::ToComplaint`]).
    pub(super) complaint_from: Option<usize>,
    pub(super) matched: Vec<String>,
}

/// Matches entries on one text's tokens.
pub(super) struct Matcher<'a> {
    tokens: &'a [Token],
    negations: &'a [String],
    /// Record which entries matched (for [`explain`](super::explain)).
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

pub(super) fn signals(
    tokens: &[Token],
    lexicons: &Lexicons,
    sources: &[&Compiled],
    trace: bool,
) -> Signals {
    let mut s = sentiment(tokens, lexicons, sources, trace);
    let all = |list: fn(&Compiled) -> &Patterns| sources.iter().flat_map(move |c| &list(c).0);
    // The last contrast word: what follows it is read on its own, and outweighs what came
    // before ("Lovely food, but we waited an hour").
    let last_contrast = all(|c| &c.contrast)
        .flat_map(|p| (0..tokens.len()).filter_map(move |i| p.match_at(tokens, i).map(|e| (i, e))))
        .filter(|&(i, e)| e > i)
        .max();
    if let Some((start, end)) = last_contrast.filter(|&(_, end)| end < tokens.len()) {
        let tail = sentiment(&tokens[end..], lexicons, sources, false);
        let head = sentiment(&tokens[..end], lexicons, sources, false);
        // Without the contrast words themselves: "shame", "alleen jammer", "dommage" are
        // sentiment words too, and would make plain praise before them look mixed.
        let before = sentiment(&tokens[..start], lexicons, sources, false);
        let complaint_after = tail.complaint + tail.negative + tail.sarcasm > 0 || tail.hints >= 1;
        let praise_after = tail.positive > 0 && !complaint_after;
        let head_bad = head.complaint + head.negative + head.hints > 0;
        let head_praise =
            before.positive > 0 && before.complaint + before.negative + before.hints == 0;
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
        s.complaint_from = (s.turn == Turn::ToComplaint).then_some(end);
    }
    let (themes, mut matched) = theme_counts(tokens, lexicons, sources, trace);
    s.themes = themes;
    s.matched.append(&mut matched);
    s
}

/// The themes of the part of a complaint that says what went wrong: after the last
/// contrast word when it turns to a complaint there, else without the clauses that only
/// praise ("Lovely food, but we waited an hour" is about the wait, not the food). The reply
/// names the one that leads here ([`leading_theme`]).
pub(super) fn complaint_themes(
    tokens: &[Token],
    s: &Signals,
    lexicons: &Lexicons,
    sources: &[&Compiled],
) -> Vec<(Theme, usize)> {
    if s.themes.iter().all(|(_, n)| *n == 0) {
        return s.themes.clone();
    }
    if let Some(from) = s.complaint_from {
        return theme_counts(&tokens[from..], lexicons, sources, false).0;
    }
    // Clause by clause: only a clause that names a theme can change which one leads, so
    // only those are read for praise.
    let praise_only = |clause: &[Token]| {
        let c = sentiment(clause, lexicons, sources, false);
        c.positive > 0 && c.complaint + c.negative + c.sarcasm + c.hints == 0
    };
    let mut kept: Vec<(Theme, usize)> = Theme::ALL.iter().map(|t| (*t, 0)).collect();
    let (mut dropped, mut named) = (false, false);
    let mut quiet = Vec::new();
    for clause in tokens.chunk_by(|a, b| a.clause == b.clause) {
        let themes = theme_counts(clause, lexicons, sources, false).0;
        if themes.iter().all(|(_, n)| *n == 0) {
            quiet.push(clause);
        } else if praise_only(clause) {
            dropped = true;
        } else {
            named = true;
            for ((_, total), (_, n)) in kept.iter_mut().zip(themes) {
                *total += n;
            }
        }
    }
    // Nothing dropped, or every clause praise (irony says the problem, "Great delivery 🙄"):
    // the whole text's themes.
    if !dropped || (!named && quiet.iter().all(|c| praise_only(c))) {
        return s.themes.clone();
    }
    kept
}

/// How often each theme's words occur in `tokens`, and which entries matched (when
/// `trace`). Themes may share words with sentiment ("late", "rude"): counted on their own,
/// all together, phrases first (and worth two: they are the more specific).
fn theme_counts(
    tokens: &[Token],
    lexicons: &Lexicons,
    sources: &[&Compiled],
    trace: bool,
) -> (Vec<(Theme, usize)>, Vec<String>) {
    let mut m = Matcher {
        tokens,
        negations: &lexicons.negations,
        trace,
        matched: Vec::new(),
    };
    let mut used = vec![false; tokens.len()];
    let mut themes: Vec<(Theme, usize)> = Theme::ALL.iter().map(|t| (*t, 0)).collect();
    for (phrases, weight) in [(true, 2), (false, 1)] {
        for i in 0..6 {
            let theme = sources.first().map_or(Theme::ALL[i], |c| c.themes[i].0);
            let patterns = sources.iter().flat_map(|c| &c.themes[i].1.0);
            let (plain, negated) = m.count(theme.as_str(), patterns, &mut used, phrases);
            if let Some((_, n)) = themes.iter_mut().find(|(t, _)| *t == theme) {
                *n += weight * (plain + negated);
            }
        }
    }
    (themes, m.matched)
}

/// The sentiment signals of `tokens` (no themes, no contrast): of a whole text, or of the
/// part after a contrast word.
pub(super) fn sentiment(
    tokens: &[Token],
    lexicons: &Lexicons,
    sources: &[&Compiled],
    trace: bool,
) -> Signals {
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
pub(super) fn leading_theme(themes: &[(Theme, usize)]) -> Option<Theme> {
    let mut sorted: Vec<_> = themes.iter().filter(|(_, n)| *n > 0).collect();
    sorted.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    match sorted.as_slice() {
        [] => None,
        [(theme, _)] => Some(*theme),
        [(theme, first), (_, second), ..] => (first > second).then_some(*theme),
    }
}

pub(super) fn register_of(tokens: &[Token], lang: &Compiled) -> Option<Register> {
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
