//! Reply wording as data: `templates/{nl,en,fr,de,es}.json`, compiled in, and overridable
//! per page with a JSON object of the same shape (only the keys you want to change).
//!
//! Each file has its wording once per register (`informal`, `formal`; English has one),
//! the `default_register` used when the customer's text shows none, and an optional
//! `contact` line for that language. A page's overrides may set any of those, or, as
//! before registers existed, any key of a register (`{"nl": {"public": {…}}}`), which then
//! applies to every register of that language.
//!
//! Placeholders: `{greeting}` (built from `greeting` with `{name}`, or
//! `greeting_anonymous`), `{name}`, `{brand}`, `{signature}` (the page's signature, or the
//! language's `sign_off` when the page has no brand name: never an English phrase inside
//! another language), `{contact}` (the `contact_line` when a contact is set, else nothing),
//! `{reach_us}` (the `contact_line` when set, else the generic `reach_us` sentence) and
//! `{sorry}` (an apology that names what went wrong when the complaint's theme is clear).
//! Values are inserted verbatim in one pass, so a customer's name can never inject a
//! placeholder. French spacing before `! ? ; :` is applied to the wording when it is
//! loaded (narrow no-break space, no-break space before `:`), never to inserted values,
//! and filling never collapses it.

use crate::classify::{ByTheme, Register, Theme};
use crate::{Label, Language};
use feedback::capabilities::AuthorNames;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};

/// One value for each class that staff follow up: complaints, questions, neutral comments.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ByLabel<T> {
    pub negative: T,
    pub question: T,
    pub neutral: T,
}

impl<T> ByLabel<T> {
    /// The value for `label`; spam, abuse and threats (never drafted) have the neutral one.
    fn of(&self, label: Label) -> &T {
        match label {
            Label::Negative => &self.negative,
            Label::Question => &self.question,
            Label::Neutral | Label::Positive | Label::Spam | Label::Abusive | Label::Threat => {
                &self.neutral
            }
        }
    }

    /// Each class's value, to change in place.
    fn each_mut(&mut self) -> [&mut T; 3] {
        [&mut self.negative, &mut self.question, &mut self.neutral]
    }
}

/// Public replies when a private message is drafted: the classes staff follow up, and praise.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PublicTemplates {
    /// `negative`, `question` and `neutral`, beside `positive` in the file.
    #[serde(flatten)]
    pub by_label: ByLabel<Vec<String>>,
    pub positive: Vec<String>,
}

impl PublicTemplates {
    /// The variants for `label`.
    fn of(&self, label: Label) -> &Vec<String> {
        match label {
            Label::Positive => &self.positive,
            label => self.by_label.of(label),
        }
    }
}

/// The one private message. Neutral comments and praise get none.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PrivateTemplates {
    pub negative: Vec<String>,
    pub question: Vec<String>,
}

/// Apology sentences: one list per theme, and `general` when no theme clearly leads.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Apologies {
    pub general: Vec<String>,
    /// `delivery`, `billing`, … beside `general` in the file.
    #[serde(flatten)]
    pub themes: ByTheme<Vec<String>>,
    /// For mixed feedback ("Good X, but Y"): one short clause thanking for the good part,
    /// put before the apology. Empty: the apology alone.
    #[serde(default)]
    pub mixed: Vec<String>,
}

impl Apologies {
    fn of(&self, theme: Option<Theme>) -> &[String] {
        match theme {
            None => &self.general,
            Some(theme) => self.themes.of(theme),
        }
    }

    /// `general`, then each theme's.
    fn lists(&self) -> impl Iterator<Item = &Vec<String>> {
        std::iter::once(&self.general).chain(Theme::ALL.map(|theme| self.themes.of(theme)))
    }
}

/// For staff, in the follow-up task.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct NextSteps {
    pub negative: String,
    pub question: String,
    /// A question when no private message could be sent: the public reply promised an
    /// answer under the item.
    #[serde(default)]
    pub question_manual: String,
    pub neutral: String,
    /// A complaint when no private message could be sent.
    pub manual: String,
    /// A threat: never answered in public.
    #[serde(default)]
    pub threat: String,
}

/// Sent when a task is resolved, per class. `negative` asks every customer (never only the
/// happy ones) to update their comment or review.
pub type Resolutions = ByLabel<String>;

/// The wording of one language in one register.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct LanguageTemplates {
    pub greeting: String,
    pub greeting_anonymous: String,
    /// Other greetings (with `{name}`, and without), used only when the page's recent
    /// replies already used every wording with the first one.
    #[serde(default)]
    pub greeting_more: Vec<String>,
    #[serde(default)]
    pub greeting_anonymous_more: Vec<String>,
    /// `{signature}` when the page has no brand name.
    pub sign_off: String,
    /// Shown only when a contact is set: "You can also reach us at {contact}."
    pub contact_line: String,
    /// `{reach_us}` when no contact is set.
    pub reach_us: String,
    /// This language's contact, overriding the page's when set.
    #[serde(default)]
    pub contact: String,
    pub apology: Apologies,
    /// Replies when a private message is drafted for the item (negative and question say
    /// so and where to find it).
    pub public: PublicTemplates,
    /// Public replies when no private message goes out (no private channel, a mention,
    /// past its window, a failed send): they never claim one, and point to the contact.
    pub public_no_private: ByLabel<Vec<String>>,
    pub private: PrivateTemplates,
    pub next_step: NextSteps,
    pub resolution: Resolutions,
    /// The complaint's resolution message (`resolution.negative`); a page override that
    /// sets it replaces that one.
    #[serde(default)]
    pub resolved: String,
}

impl LanguageTemplates {
    /// Every list of variants, named, for the checks.
    fn lists(&self) -> Vec<(&'static str, &Vec<String>)> {
        let mut lists = vec![
            ("public.negative", &self.public.by_label.negative),
            ("public.question", &self.public.by_label.question),
            ("public.neutral", &self.public.by_label.neutral),
            ("public.positive", &self.public.positive),
            (
                "public_no_private.negative",
                &self.public_no_private.negative,
            ),
            (
                "public_no_private.question",
                &self.public_no_private.question,
            ),
            ("public_no_private.neutral", &self.public_no_private.neutral),
            ("private.negative", &self.private.negative),
            ("private.question", &self.private.question),
        ];
        lists.extend(self.apology.lists().map(|l| ("apology", l)));
        lists
    }

    /// Every string of wording, to change in place.
    fn texts_mut(&mut self) -> Vec<&mut String> {
        let mut texts = vec![
            &mut self.greeting,
            &mut self.greeting_anonymous,
            &mut self.sign_off,
            &mut self.contact_line,
            &mut self.reach_us,
            &mut self.resolved,
        ];
        texts.extend(self.resolution.each_mut());
        let a = &mut self.apology;
        let mut lists = vec![
            &mut self.greeting_more,
            &mut self.greeting_anonymous_more,
            &mut self.public.positive,
            &mut self.private.negative,
            &mut self.private.question,
            &mut a.general,
            &mut a.mixed,
        ];
        lists.extend(a.themes.each_mut());
        lists.extend(self.public.by_label.each_mut());
        lists.extend(self.public_no_private.each_mut());
        for list in lists {
            texts.extend(list.iter_mut());
        }
        texts
    }

    /// The resolution message for a task of `label`.
    pub fn resolution_for(&self, label: Label) -> &str {
        match label {
            Label::Question => &self.resolution.question,
            Label::Neutral | Label::Positive => &self.resolution.neutral,
            Label::Negative | Label::Spam | Label::Abusive | Label::Threat => &self.resolved,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("templates for {language}: {message}")]
    Invalid { language: Language, message: String },
}

fn builtin(lang: Language) -> &'static str {
    per_language_json!(lang, "../templates")
}

fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// Keys of a language file that are not a register's wording.
const FILE_KEYS: [&str; 5] = ["about", "default_register", "contact", "formal", "informal"];

/// One language's file.
#[derive(Debug, Deserialize)]
struct LanguageFile {
    default_register: String,
    #[serde(default)]
    contact: String,
    informal: Option<LanguageTemplates>,
    formal: Option<LanguageTemplates>,
}

impl LanguageFile {
    fn register(&self, register: Register) -> Option<&LanguageTemplates> {
        match register {
            Register::Informal => self.informal.as_ref(),
            Register::Formal => self.formal.as_ref(),
        }
    }
}

/// A page's overrides for one language, merged into its file: the file's own keys as
/// they are, any other key into every register the file has.
fn merge_language(file: &mut Value, over: &Value) {
    let Value::Object(over) = over else {
        return;
    };
    let registers: Vec<&str> = ["informal", "formal"]
        .into_iter()
        .filter(|r| file.get(*r).is_some())
        .collect();
    for (key, value) in over {
        if FILE_KEYS.contains(&key.as_str()) {
            merge(&mut file[key.as_str()], value);
        } else {
            for r in &registers {
                merge(&mut file[*r][key.as_str()], value);
            }
        }
    }
}

/// French spacing: a narrow no-break space before `! ? ;`, a no-break space before `:`,
/// replacing any plain space there. Not inside a URL (`://`) or a time (`10:30`), and not
/// between two marks (`?!`).
fn french_spacing(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, '!' | '?' | ';' | ':') {
            let next = chars.get(i + 1).copied();
            let url = c == ':' && next == Some('/');
            let kept = out.trim_end_matches([' ', '\u{a0}', '\u{202f}']).len();
            let prev = out[..kept].chars().next_back();
            let time = c == ':'
                && prev.is_some_and(|p| p.is_ascii_digit())
                && next.is_some_and(|n| n.is_ascii_digit());
            if !url && !time && prev.is_some_and(|p| !matches!(p, '!' | '?' | '(' | '{')) {
                out.truncate(kept);
                out.push(if c == ':' { '\u{a0}' } else { '\u{202f}' });
            }
        }
        out.push(c);
    }
    out
}

/// The wording of every language and register, after a page's overrides.
///
/// The built-in set parses a language's file the first time that language is asked for
/// (a cold start pays only for the languages it answers in); a set with a page's
/// overrides is read and checked whole when it is made, so a bad override is refused
/// there. The built-in files are checked by this crate's tests.
#[derive(Debug, Clone, Default)]
pub struct TemplateSet {
    /// Shared by clones, so a language is parsed once for every copy of a set.
    languages: Arc<[OnceLock<LanguageEntry>; Language::ALL.len()]>,
}

/// One language's wording: each register it has, and the one used when the customer's
/// text shows none.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LanguageEntry {
    registers: Vec<(Register, LanguageTemplates)>,
    default: Register,
}

impl PartialEq for TemplateSet {
    fn eq(&self, other: &Self) -> bool {
        Language::ALL
            .into_iter()
            .all(|lang| self.entry(lang) == other.entry(lang))
    }
}

impl Eq for TemplateSet {}

fn slot(lang: Language) -> usize {
    Language::ALL
        .iter()
        .position(|l| *l == lang)
        .unwrap_or_default()
}

impl TemplateSet {
    /// The built-in wording (each language parsed on first use).
    pub fn builtin() -> Result<Self, TemplateError> {
        Ok(Self::default())
    }

    /// The built-in wording with a page's overrides: `{"nl": {"default_register":
    /// "formal", "formal": {"public": {"negative": […]}}}}`, or a register's keys directly
    /// (`{"nl": {"public": …}}`) for every register of the language.
    pub fn with_overrides(overrides: Option<&Value>) -> Result<Self, TemplateError> {
        let set = Self::default();
        let Some(overrides) = overrides else {
            return Ok(set);
        };
        for lang in Language::ALL {
            let entry = load_language(lang, overrides.get(lang.code()))?;
            let _ = set.languages[slot(lang)].set(entry);
        }
        Ok(set)
    }

    fn entry(&self, lang: Language) -> &LanguageEntry {
        self.languages[slot(lang)].get_or_init(|| {
            load_language(lang, None).unwrap_or_else(|e| {
                // Compiled in and loaded by this crate's tests: cannot fail in a build.
                unreachable!("the built-in {lang:?} templates do not load: {e}")
            })
        })
    }

    /// The register replies in `lang` use when the customer's text shows none.
    pub fn default_register(&self, lang: Language) -> Register {
        self.entry(lang).default
    }

    /// The wording of `lang` in its default register.
    pub fn language(&self, lang: Language) -> &LanguageTemplates {
        self.templates(lang, None)
    }

    /// The wording of `lang` in `register` (the customer's, when their text shows it), or
    /// in the language's default register.
    pub fn templates(&self, lang: Language, register: Option<Register>) -> &LanguageTemplates {
        let entry = self.entry(lang);
        let find = |r: Register| {
            entry
                .registers
                .iter()
                .find(|(have, _)| *have == r)
                .map(|(_, t)| t)
        };
        register
            .and_then(find)
            .or_else(|| find(entry.default))
            // Loading checks that the default register is one of the file's.
            .unwrap_or_else(|| unreachable!("a language has its default register"))
    }
}

/// One language's file, with a page's overrides for it when there are any, read into
/// its types and checked (every list has a variant, the default register exists).
fn load_language(lang: Language, over: Option<&Value>) -> Result<LanguageEntry, TemplateError> {
    let invalid = |message: String| TemplateError::Invalid {
        language: lang,
        message,
    };
    // Without overrides (the usual case, and the built-in set) the file is read straight
    // into its types.
    let file: LanguageFile = match over {
        None => serde_json::from_str(builtin(lang)),
        Some(over) => {
            let mut file: Value =
                serde_json::from_str(builtin(lang)).map_err(|e| invalid(e.to_string()))?;
            merge_language(&mut file, over);
            serde_json::from_value(file)
        }
    }
    .map_err(|e| invalid(e.to_string()))?;
    let default = Register::parse(&file.default_register)
        .filter(|r| file.register(*r).is_some())
        .ok_or_else(|| invalid("default_register must name a register of the file".into()))?;
    let mut registers = Vec::with_capacity(2);
    for (register, t) in [
        (Register::Informal, file.informal),
        (Register::Formal, file.formal),
    ] {
        let Some(mut t) = t else { continue };
        if let Some((list, _)) = t.lists().into_iter().find(|(_, l)| l.is_empty()) {
            return Err(invalid(format!(
                "{register}: `{list}`: every template list needs at least one variant"
            )));
        }
        if t.contact.trim().is_empty() {
            t.contact = file.contact.clone();
        }
        let overridden_resolved = over.is_some_and(|o| {
            o.get("resolved").is_some()
                || o.get(register.as_str())
                    .is_some_and(|r| r.get("resolved").is_some())
        });
        if overridden_resolved {
            t.resolution.negative = t.resolved.clone();
        } else {
            t.resolved = t.resolution.negative.clone();
        }
        if lang == Language::Fr {
            for text in t.texts_mut() {
                *text = french_spacing(text);
            }
        }
        registers.push((register, t));
    }
    Ok(LanguageEntry { registers, default })
}

/// The values placed into a template.
#[derive(Debug, Clone, Default)]
pub struct Placeholders {
    pub name: Option<String>,
    /// The page's brand name; empty (or the old English default "our team") when it has
    /// none, and the language's `sign_off` is used instead.
    pub brand: String,
    pub signature: String,
    /// The page's contact (phone, e-mail or link); a language's own `contact` wins.
    pub contact: String,
}

/// Whether a page has a brand name of its own. "our team" was the English fallback of
/// older configurations: treated as none, so it never lands inside another language.
fn has_brand(brand: &str) -> bool {
    let brand = brand.trim();
    !brand.is_empty() && !brand.eq_ignore_ascii_case("our team")
}

/// Replace `{key}`s in one pass; unknown keys stay as written. Empty values leave no
/// doubled spaces and no space before punctuation; only plain spaces are touched, so
/// French no-break spaces stay.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let replaced = after.find('}').and_then(|end| {
            let key = &after[1..end];
            values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v, end + 1))
        });
        match replaced {
            Some((value, used)) => {
                out.push_str(value);
                rest = &after[used..];
            }
            None => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    let mut tidy = String::with_capacity(out.len());
    for c in out.trim_matches(' ').chars() {
        match c {
            ' ' if tidy.ends_with(' ') => {}
            ',' | '.' | '!' | '?' | ';' | ':' if tidy.ends_with(' ') => {
                tidy.pop();
                tidy.push(c);
            }
            c => tidy.push(c),
        }
    }
    tidy
}

/// The name every text to a customer may greet them by (replies, the update request, the
/// "resolved" note): the first name of a display name that reads as a name
/// ([`first_name`]); never a handle, whatever it looks like. `None`: the anonymous
/// greeting.
pub fn greeting_name(author_name: Option<&str>, names: AuthorNames) -> Option<String> {
    match names {
        AuthorNames::DisplayNames => author_name.and_then(first_name),
        AuthorNames::Handles => None,
    }
}

/// The first name of a display name, for a friendly greeting: only when the whole name
/// reads as a name — letters, combining marks, apostrophes, hyphens and spaces, plus
/// initials ("Anke V."). Anything else (a username such as `shop.scam.example`, digits,
/// a link, emoji, invisible, filler or bidi-control characters, letter-like punctuation,
/// stacks of marks) gets the anonymous greeting: nobody's handle is echoed in the
/// brand's name.
fn first_name(name: &str) -> Option<String> {
    const MAX_CHARS: usize = 40;
    /// Combining marks on one letter: Indic syllables need a few, "Zalgo" text many.
    const MAX_MARKS: usize = 3;
    let words: Vec<&str> = name
        .split(char::is_whitespace)
        .filter(|w| !w.is_empty())
        .collect();
    let reads_as_name = |word: &str| {
        let mut chars = word.chars();
        let is_initial = matches!(
            (chars.next(), chars.next(), chars.next()),
            (Some(c), Some('.'), None) if is_name_letter(c)
        );
        let mut marks = 0;
        is_initial
            || (word.chars().next().is_some_and(is_name_letter)
                && word.chars().all(|c| {
                    marks = if is_mark(c) { marks + 1 } else { 0 };
                    marks <= MAX_MARKS
                        && !is_invisible(c)
                        && (is_name_letter(c) || is_mark(c) || matches!(c, '\'' | '’' | '-' | '‐'))
                }))
    };
    if !words.iter().all(|w| reads_as_name(w)) {
        return None;
    }
    let first = *words.first()?;
    (first.chars().count() > 1 && !first.ends_with('.') && first.chars().count() <= MAX_CHARS)
        .then(|| first.to_owned())
}

fn general_category(c: char) -> icu_properties::props::GeneralCategory {
    icu_properties::CodePointMapData::<icu_properties::props::GeneralCategory>::new().get(c)
}

/// A letter of a name. Modifier letters (Lm) are mostly tone and length signs that can
/// pass for punctuation (Lisu "ꓸ" looks like a full stop); only those that names use
/// are letters here: the modifier apostrophe and the Japanese length and repetition signs.
fn is_name_letter(c: char) -> bool {
    use icu_properties::props::GeneralCategory;
    match general_category(c) {
        GeneralCategory::ModifierLetter => {
            matches!(c, 'ʼ' | 'ー' | '々' | 'ゝ' | 'ゞ' | 'ヽ' | 'ヾ')
        }
        gc => icu_properties::props::GeneralCategoryGroup::Letter.contains(gc),
    }
}

fn is_mark(c: char) -> bool {
    icu_properties::props::GeneralCategoryGroup::Mark.contains(general_category(c))
}

/// Characters that render as nothing (fillers, joiners, variation selectors, bidi
/// controls), though some count as letters or marks.
fn is_invisible(c: char) -> bool {
    icu_properties::CodePointSetData::new::<icu_properties::props::DefaultIgnorableCodePoint>()
        .contains(c)
}

/// `template` filled for one customer; `{sorry}` is the general apology.
pub fn render(template: &str, lang: &LanguageTemplates, placeholders: &Placeholders) -> String {
    let sorry = lang.apology.general.first().map_or("", String::as_str);
    render_with(template, lang, placeholders, sorry, 0)
}

/// The greetings there are for a reply: the first, then the others.
fn greetings(lang: &LanguageTemplates, named: bool) -> usize {
    1 + if named {
        lang.greeting_more.len()
    } else {
        lang.greeting_anonymous_more.len()
    }
}

fn render_with(
    template: &str,
    lang: &LanguageTemplates,
    placeholders: &Placeholders,
    sorry: &str,
    greeting_nth: usize,
) -> String {
    let name = placeholders.name.as_deref().and_then(first_name);
    let nth = |first: &String, more: &[String]| {
        greeting_nth
            .checked_sub(1)
            .and_then(|i| more.get(i % more.len().max(1)))
            .unwrap_or(first)
            .clone()
    };
    let greeting = match &name {
        Some(n) => fill(&nth(&lang.greeting, &lang.greeting_more), &[("name", n)]),
        None => nth(&lang.greeting_anonymous, &lang.greeting_anonymous_more),
    };
    let brand = placeholders.brand.trim();
    let signature = if placeholders.signature.contains("{brand}") && !has_brand(brand) {
        lang.sign_off.clone()
    } else {
        fill(&placeholders.signature, &[("brand", brand)])
    };
    let contact = if lang.contact.trim().is_empty() {
        placeholders.contact.trim()
    } else {
        lang.contact.trim()
    };
    let contact_line = if contact.is_empty() {
        String::new()
    } else {
        fill(&lang.contact_line, &[("contact", contact)])
    };
    let reach_us = if contact.is_empty() {
        lang.reach_us.as_str()
    } else {
        contact_line.as_str()
    };
    fill(
        template,
        &[
            ("greeting", &greeting),
            ("name", name.as_deref().unwrap_or_default()),
            ("brand", if has_brand(brand) { brand } else { "" }),
            ("signature", &signature),
            ("contact", &contact_line),
            ("reach_us", reach_us),
            ("sorry", sorry),
        ],
    )
}

/// The resolution message for a task of `label`, in the customer's register (or the
/// language's default).
pub fn resolution(
    set: &TemplateSet,
    lang: Language,
    register: Option<Register>,
    label: Label,
    placeholders: &Placeholders,
) -> String {
    let t = set.templates(lang, register);
    render(t.resolution_for(label), t, placeholders)
}

/// One of several variants, the same one every time for the same item, so a redelivery
/// drafts the same words and replies under one post do not all read alike.
pub fn pick<'t>(variants: &'t [String], item_id: &str, purpose: &str) -> &'t str {
    pick_nth(variants, item_id, purpose, 0)
}

/// The variant `nth` places after the one [`pick`] chooses (wrapping round).
fn pick_nth<'t>(variants: &'t [String], item_id: &str, purpose: &str, nth: usize) -> &'t str {
    let digest = Sha256::digest(format!("{purpose}:{item_id}").as_bytes());
    let n = u64::from_be_bytes([
        digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
    ]);
    let len = variants.len().max(1) as u64;
    variants
        .get(((n % len + nth as u64 % len) % len) as usize)
        .map(String::as_str)
        .unwrap_or_default()
}

/// A short digest of a reply's words: what a page's recent replies are remembered by, so
/// the next reply can be worded differently.
pub fn reply_digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The texts drafted for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drafts {
    /// The public reply. It mentions a private message only when `private` is drafted.
    pub public: String,
    pub private: Option<String>,
    pub next_step: String,
    /// The public reply to post instead of `public` when the drafted private message is
    /// not sent after all (refused, failed, not approved): it claims none. Equal to
    /// `public` when nothing private is drafted.
    pub public_without_private: String,
    /// [`reply_digest`] of `public` as worded (before it is fitted to the platform's
    /// limit): what the page's recent replies remember it by.
    pub digest: String,
}

/// What a draft is for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'a> {
    pub language: Language,
    pub register: Option<Register>,
    pub label: Label,
    pub theme: Option<Theme>,
    /// Praise came before the complaint ("Good X, but Y"): thank for it, then apologise.
    pub mixed: bool,
    pub id: &'a str,
    /// Digests ([`reply_digest`]) of the page's recent public replies: a wording among
    /// them is not used again while another variant is free.
    pub avoid: &'a [String],
    /// The digest of the reply already drafted for this item (a redelivery, an approval):
    /// that wording is kept when it is one of ours.
    pub prefer: Option<&'a str>,
}

/// The drafts for one item: the variants [`pick`] chooses, unless the page's recent
/// replies already used those words; then the next free combination of public wording
/// and apology. The same item, page history and preference give the same drafts.
pub(crate) fn draft(
    set: &TemplateSet,
    item: Item<'_>,
    placeholders: &Placeholders,
    private_allowed: bool,
) -> Drafts {
    let t = set.templates(item.language, item.register);
    let publics = t.public.of(item.label).len().max(1);
    let apologies = t.apology.of(item.theme).len().max(1);
    let named = placeholders.name.as_deref().and_then(first_name).is_some();
    let greetings = greetings(t, named);
    let combinations = if item.label == Label::Negative {
        publics * greetings * apologies
    } else {
        publics * greetings
    };
    let mut first_free = None;
    for nth in 0..combinations {
        let drafts = draft_variant(
            t,
            item,
            placeholders,
            private_allowed,
            nth,
            (publics, greetings),
        );
        let digest = reply_digest(&drafts.public);
        if item.prefer == Some(digest.as_str()) {
            return Drafts { digest, ..drafts };
        }
        if first_free.is_none() && !item.avoid.contains(&digest) {
            if item.prefer.is_none() {
                return Drafts { digest, ..drafts };
            }
            first_free = Some(Drafts { digest, ..drafts });
        }
    }
    first_free.unwrap_or_else(|| {
        let drafts = draft_variant(
            t,
            item,
            placeholders,
            private_allowed,
            0,
            (publics, greetings),
        );
        Drafts {
            digest: reply_digest(&drafts.public),
            ..drafts
        }
    })
}

/// The drafts with the `nth` combination of public wording and apology after the picked
/// ones (0: the picked ones).
fn draft_variant(
    t: &LanguageTemplates,
    item: Item<'_>,
    placeholders: &Placeholders,
    private_allowed: bool,
    nth: usize,
    (publics, greetings): (usize, usize),
) -> Drafts {
    let (public_nth, greeting_nth, apology_nth) = (
        nth % publics,
        (nth / publics) % greetings,
        nth / (publics * greetings),
    );
    let apology = pick_nth(t.apology.of(item.theme), item.id, "apology", apology_nth);
    let sorry = match t.apology.mixed.as_slice() {
        [] => apology.to_owned(),
        _ if !item.mixed || item.label != Label::Negative => apology.to_owned(),
        thanks => format!("{} {apology}", pick(thanks, item.id, "mixed")),
    };
    let sorry = sorry.as_str();
    let render = |variants: &[String], purpose: &str| {
        let (nth, greeting) = if purpose == "public" {
            (public_nth, greeting_nth)
        } else {
            (0, 0)
        };
        render_with(
            pick_nth(variants, item.id, purpose, nth),
            t,
            placeholders,
            sorry,
            greeting,
        )
    };
    let with_private = t.public.of(item.label);
    let alone = match item.label {
        Label::Positive => with_private,
        label => t.public_no_private.of(label),
    };
    let (private, step, step_alone) = match item.label {
        Label::Negative => (
            Some(&t.private.negative),
            &t.next_step.negative,
            &t.next_step.manual,
        ),
        Label::Question => (
            Some(&t.private.question),
            &t.next_step.question,
            &t.next_step.question_manual,
        ),
        // Neutral comments get a public word and no private message, and praise a thank-you;
        // spam, abuse and threats are never drafted (the decision skips them before).
        Label::Positive | Label::Neutral | Label::Spam | Label::Abusive | Label::Threat => {
            (None, &t.next_step.neutral, &t.next_step.neutral)
        }
    };
    let private = private
        .filter(|_| private_allowed)
        .map(|variants| render(variants, "private"));
    let public_without_private = render(alone, "public");
    let (public, next_step) = match &private {
        Some(_) => (render(with_private, "public"), step),
        // Neutral comments with a private channel keep their own wording (it never claims
        // a private message); others get the wording without one.
        None if item.label == Label::Neutral && private_allowed => {
            (render(with_private, "public"), step)
        }
        None if item.label == Label::Positive => (render(with_private, "public"), step),
        None => (public_without_private.clone(), step_alone),
    };
    let public_without_private = if private.is_some() {
        public_without_private
    } else {
        public.clone()
    };
    Drafts {
        public,
        private,
        next_step: next_step.clone(),
        public_without_private,
        digest: String::new(),
    }
}

/// The next step of the task for a threat (never answered in public).
pub(crate) fn threat_step(set: &TemplateSet, lang: Language) -> String {
    set.language(lang).next_step.threat.clone()
}

#[cfg(test)]
mod tests;
