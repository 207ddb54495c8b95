//! Trains the model of `src/classify/model.rs` on the labelled corpus, measures it by
//! cross-validation and writes `src/classify/model.bin`:
//! `cargo run -p triage --release --example train_model` (add `-- --dry-run` to measure
//! without writing; `-- --grid FILE` also writes every rule tried and its figures;
//! `-- --no-grid` skips the grid and `-- --small-grid` tries about 2,700 rules around the
//! shipped ones, to compare models; `-- --judge-as-of REV` judges rules and figures on the
//! `bulk` entries already there at git revision REV only, to compare with the rule chosen
//! then on the same items; `-- --repeats N` runs the cross-validation N times, each with
//! its own folds, and judges the grid on all of them). About eight minutes on two cores
//! (475 s for 40,522 entries), half of it the grid; with `--repeats 3` half an hour
//! (1,832 s for 41,981 entries). The folds and the grid run on every core.
//!
//! Every `*.jsonl` under `tests/corpus/` is read; entries of split `held_out` are never
//! trained on (they are the honest measure of a set nobody has looked at). The word lists
//! (`lexicons/*.json`) are added as tiny documents of a tenth of the weight, so that the
//! model knows the plain words of praise and complaint the corpus, full of sarcasm, has
//! too few of.
//!
//! The model is a multinomial logistic regression over the hashed features of
//! [`triage::classify::model::features`], trained by AdaGrad with L2 regularisation in a
//! seeded order: the same corpus gives the same bytes.
//!
//! Cross-validation: the corpus is split into five folds, stratified by language and label;
//! each fold is decided by a model trained on the four others (quantised as the shipped one
//! is), through the crate's own decision path ([`triage::decide_with`]), so the figures
//! are those of the combination the product uses. Printed: (a) the word lists alone, (b)
//! the model alone at a few thresholds, (c) word lists and model by
//! [`ModelRule::SHIPPED`] (with why the untuned complaints and questions were held, and
//! the figures by the kind of comment the writer meant: mixed, sarcasm, …), then the best
//! rules of a small grid (by the same pure function,
//! [`weigh_model`]) for each number of wrong posts, holding at most 60 % of praise, judged
//! on the `bulk` entries: the word lists were tuned on the others, so only there do their
//! misses show as often as on comments nobody has read. The shipped rule is chosen from
//! that grid by hand, first on the wrong posts of the worst kind (`misread`: a complaint
//! thanked, praise apologised to; the grid file's third column), then on the others and
//! the automatic answers. Then the model is trained on everything,
//! measured on what it was trained on, and written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/labelled.rs"]
mod labelled;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use triage::classify::model::{self, BUCKETS, CLASSES, Class, MODEL_LEN, Model, Scores};
use triage::confidence::{Boldness, answer_as_complaint, plain_complaint, weigh_model};
use triage::{Decision, Label, Language, ModelRule, ModelUse, TemplateSet};

const FOLDS: usize = 5;
const EPOCHS: usize = 30;
/// 0.1 against 0.3 and 0.05, by cross-validation on 11,929 entries: a sharper model
/// (log-loss 0.213 against 0.302 and 0.242) that answers more for the same wrong posts.
const LEARNING_RATE: f32 = 0.1;
const L2: f32 = 1e-4;
/// Steps of the quantised weights either side of zero. Measured by cross-validation on
/// 31,747 entries with 2^18 buckets (a small grid of rules; automatic answers when at most
/// 1 and 2 per 1,000 of the untuned entries are answered the worst way wrong): 7 steps
/// 70.8 and 79.9 %, log-loss 0.189, 120 KB zipped; 11 steps 73.7 and 82.6 %, 0.147,
/// 241 KB; 15 steps 75.6 and 83.1 %, 0.143, 301 KB; 127 steps 77.5 and 82.7 %, 0.142,
/// 791 KB. Rounding the many small weights to zero makes the model unsure, not wrong;
/// 11 is the most the responder's zip holds with room to spare under 4 MiB. (With the
/// words a negation does not reach and the words of very short comments as features
/// too, on 33,458 entries: 11 steps zip to 248 KB; with character n-grams read apart
/// where a negation reaches and after the last contrast word, on 34,648: 242 KB.)
const LEVELS: f32 = 11.0;
/// The weight of a word-list entry against a corpus entry: 0.1 measured best by
/// cross-validation (1 and 0.3 were worse; none at all reads plain praise as a complaint).
const LEXICON_WEIGHT: f32 = 0.1;
const SEED: u64 = 0x5eed_2026;
/// The thresholds of [`ModelRule::complaint`] the grid tries.
const COMPLAINT_STEPS: [f32; 7] = [0.8, 0.85, 0.9, 0.95, 0.97, 0.99, f32::INFINITY];

struct Entry {
    text: String,
    /// `bulk` entries were never read while tuning the word lists: the honest part.
    untuned: bool,
    label: Label,
    language: Language,
    rating: Option<u8>,
    /// What kind of comment the writer meant (mixed, sarcasm, …), when the entry says.
    kind: Option<String>,
}

fn corpus(dir: &Path) -> Vec<Entry> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "jsonl") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut entries = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let field = |k: &str| v[k].as_str().unwrap_or_else(|| panic!("{k}: {line}"));
            if field("split") == "held_out" {
                continue;
            }
            entries.push(Entry {
                untuned: field("split") == "bulk",
                text: field("text").to_owned(),
                label: Label::parse(field("label")).unwrap(),
                language: Language::parse(field("language")).unwrap(),
                rating: v["rating"].as_u64().map(|r| u8::try_from(r).unwrap()),
                kind: v["kind"].as_str().map(str::to_owned),
            });
        }
    }
    eprintln!("{} entries from {} files", entries.len(), files.len());
    entries
}

/// The word lists as tiny training documents: every entry of `positive` reads as praise,
/// of `negative` and `complaint` as a complaint, of `insults`, `threats` and `spam` as
/// not answered. The corpus alone is small and full of sarcasm; without them the model
/// learns that "fantastic" is a complaint.
fn lexicon_documents(dir: &Path) -> Vec<Entry> {
    let mut documents = Vec::new();
    for lang in Language::ALL {
        let path = dir.join(format!("{}.json", lang.code()));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for (list, label) in [
            ("positive", Label::Positive),
            ("negative", Label::Negative),
            ("complaint", Label::Negative),
            ("insults", Label::Abusive),
            ("threats", Label::Threat),
            ("spam", Label::Spam),
        ] {
            for entry in v[list].as_array().into_iter().flatten() {
                let text = entry
                    .as_str()
                    .unwrap()
                    .replace(['*'], "")
                    .replace("..", " ");
                documents.push(Entry {
                    untuned: false,
                    text,
                    label,
                    language: lang,
                    rating: None,
                    kind: None,
                });
            }
        }
    }
    eprintln!("{} documents from the word lists", documents.len());
    documents
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = usize::try_from(self.next() % (i as u64 + 1)).unwrap();
            v.swap(i, j);
        }
    }
}

type Features = Vec<(u32, f32)>;

/// Float weights, bucket by bucket, trained on `train`.
fn train(data: &[(Features, Class)], train: &[usize], corpus_len: usize) -> Vec<f32> {
    let mut w = vec![0f32; BUCKETS * CLASSES];
    let mut g2 = vec![1e-6f32; BUCKETS * CLASSES];
    let mut order = train.to_vec();
    let mut rng = Rng(SEED);
    for _ in 0..EPOCHS {
        rng.shuffle(&mut order);
        for &i in &order {
            let (x, y) = &data[i];
            let mut logits = [0f32; CLASSES];
            for &(b, v) in x {
                for (c, l) in logits.iter_mut().enumerate() {
                    *l += v * w[b as usize * CLASSES + c];
                }
            }
            let p = model::softmax(logits);
            for &(b, v) in x {
                for (c, pc) in p.iter().enumerate() {
                    let k = b as usize * CLASSES + c;
                    let target = if c == *y as usize { 1.0 } else { 0.0 };
                    let weight = if i < corpus_len { 1.0 } else { LEXICON_WEIGHT };
                    let g = weight * (pc - target) * v + L2 * w[k];
                    g2[k] += g * g;
                    w[k] -= LEARNING_RATE * g / g2[k].sqrt();
                }
            }
        }
    }
    w
}

/// The bytes of a model file: the scale, then the weights as `i8` on [`LEVELS`] steps
/// either side of zero (small weights round to zero, which the zip compresses).
fn quantise(w: &[f32]) -> Vec<u8> {
    let max = w.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-9);
    let scale = max / LEVELS;
    let mut bytes = scale.to_le_bytes().to_vec();
    // Within ±LEVELS, so the cast is exact.
    bytes.extend(w.iter().map(|x| (x / scale).round() as i8 as u8));
    assert_eq!(bytes.len(), MODEL_LEN);
    bytes
}

/// The decision of an entry, as `tests/labelled_accuracy.rs` makes it (a page whose
/// default language is not the entry's own).
fn decision(e: &Entry, n: usize, templates: &TemplateSet, model: Option<&ModelUse>) -> Decision {
    labelled::decide_entry((&e.text, e.rating, e.language), n, templates, model)
}

/// What was done with an item: posted as a label (with or without a private message), held,
/// or not answered.
#[derive(Clone, Copy, PartialEq)]
enum Done {
    Posted { label: Label, private: bool },
    Held,
    NotAnswered,
}

fn done(d: &Decision) -> Done {
    match d {
        Decision::Answer {
            confidence,
            label,
            drafts,
            ..
        } => match confidence.hold {
            Some(_) => Done::Held,
            None => Done::Posted {
                label: *label,
                private: drafts.private.is_some(),
            },
        },
        Decision::Skip { .. } => Done::NotAnswered,
    }
}

/// Whether posting is wrong, and whether it is a complaint or question rightly answered
/// automatically: as `tests/labelled_accuracy.rs` counts them.
fn judge(want: Label, done: Done) -> (bool, bool) {
    let Done::Posted { label, private } = done else {
        return (false, false);
    };
    let wrong = match (want, label) {
        (Label::Negative | Label::Question, Label::Positive)
        | (Label::Negative, Label::Question | Label::Neutral)
        | (Label::Positive, Label::Negative)
        | (Label::Spam | Label::Abusive | Label::Threat, _) => true,
        (Label::Positive, _) => private,
        _ => false,
    };
    let automatic = match want {
        Label::Negative => label == Label::Negative,
        Label::Question => !wrong,
        _ => false,
    };
    (wrong, automatic)
}

/// Whether a wrong post reads the customer the wrong way round (the worst kind): a
/// complaint or question thanked, praise apologised to or sent a private message,
/// something posted to spam, abuse or a threat; every wrong post but a complaint answered
/// as a question or a remark.
fn misread(want: Label, done: Done) -> bool {
    judge(want, done).0
        && !matches!(
            (want, done),
            (
                Label::Negative,
                Done::Posted {
                    label: Label::Question | Label::Neutral,
                    ..
                }
            )
        )
}

#[derive(Default, Clone, Copy)]
struct Tally {
    wrong: usize,
    /// Of `wrong`, those that read the customer the wrong way round ([`misread`]).
    misread: usize,
    praise: usize,
    praise_held: usize,
    answerable: usize,
    automatic: usize,
}

/// Wrong posts and the automatic rate, per language and in all.
struct Figures(BTreeMap<&'static str, Tally>);

impl Figures {
    fn of(entries: &[Entry], done: impl Fn(usize) -> Done) -> Figures {
        Self::over(entries, 1, false, done)
    }

    /// The figures of the `bulk` entries only: the word lists were never tuned on them.
    fn untuned(entries: &[Entry], done: impl Fn(usize) -> Done) -> Figures {
        Self::over(entries, 1, true, done)
    }

    /// The figures summed over `repeats` cross-validations (of the `bulk` entries only if
    /// `untuned_only`): `done(r * entries.len() + i)` decides entry `i` as the folds of
    /// repetition `r` read it.
    fn over(
        entries: &[Entry],
        repeats: usize,
        untuned_only: bool,
        done: impl Fn(usize) -> Done,
    ) -> Figures {
        let mut f = BTreeMap::new();
        let n = entries.len();
        let all =
            (0..repeats).flat_map(|r| entries.iter().enumerate().map(move |(i, e)| (r * n + i, e)));
        for (i, e) in all.filter(|(_, e)| e.untuned || !untuned_only) {
            // Once per entry: in the grid, `done` decides the entry by the rule.
            let d = done(i);
            let (wrong, automatic) = judge(e.label, d);
            let misread = misread(e.label, d);
            for key in [e.language.code(), "all"] {
                let t: &mut Tally = f.entry(key).or_default();
                t.wrong += usize::from(wrong);
                t.misread += usize::from(misread);
                if e.label == Label::Positive {
                    t.praise += 1;
                    t.praise_held += usize::from(matches!(d, Done::Held));
                }
                if matches!(e.label, Label::Negative | Label::Question) {
                    t.answerable += 1;
                    t.automatic += usize::from(automatic);
                }
            }
        }
        Figures(f)
    }

    fn rate(t: &Tally) -> f64 {
        100.0 * t.automatic as f64 / t.answerable.max(1) as f64
    }

    fn wrong(&self) -> usize {
        self.0["all"].wrong
    }

    /// The lowest automatic rate of any language.
    fn worst_rate(&self) -> f64 {
        self.0
            .iter()
            .filter(|(k, _)| **k != "all")
            .map(|(_, t)| Self::rate(t))
            .fold(100.0, f64::min)
    }

    fn print(&self, name: &str) {
        let mut line = format!("{name:<44}");
        for (lang, t) in &self.0 {
            line += &format!(
                " | {lang} {} wrong ({} misread), {}/{} {:.1}% (praise held {}/{})",
                t.wrong,
                t.misread,
                t.automatic,
                t.answerable,
                Self::rate(t),
                t.praise_held,
                t.praise
            );
        }
        println!("{line}");
    }
}

/// The class the model reads best, and its probability.
fn best(s: &Scores) -> (Class, f32) {
    let i = (0..CLASSES).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap();
    (Class::ALL[i], s[i])
}

/// The model alone: post its best class when its probability is at least `threshold`.
fn model_alone(e: &Entry, s: &Scores, threshold: f32) -> Done {
    let (class, p) = best(s);
    let label = match class {
        Class::Complaint => Label::Negative,
        Class::Question => Label::Question,
        Class::Neutral => Label::Neutral,
        Class::Praise => Label::Positive,
        Class::Unanswered => return Done::NotAnswered,
    };
    if p < threshold {
        return Done::Held;
    }
    // Complaints and questions on comments get a private message, as the product drafts.
    let private = e.rating.is_none() && matches!(label, Label::Negative | Label::Question);
    Done::Posted { label, private }
}

/// The combination by the pure rule, from the word lists' decision (and whether it read a
/// plain complaint) and the model's scores.
fn combined(lexicons: &Decision, plain: bool, s: &Scores, rule: &ModelRule) -> Done {
    match (done(lexicons), lexicons) {
        (Done::NotAnswered, _) => Done::NotAnswered,
        (
            _,
            Decision::Answer {
                label, confidence, ..
            },
        ) if answer_as_complaint(*label, confidence.hold, s, rule, Boldness::Balanced) => {
            Done::Posted {
                label: Label::Negative,
                // Only praise is wrongly sent a private message, and praise answered as a
                // complaint is wrong already.
                private: false,
            }
        }
        (
            _,
            Decision::Answer {
                label,
                confidence,
                drafts,
                ..
            },
        ) => match weigh_model(*label, confidence.hold, plain, s, rule, Boldness::Balanced) {
            Some(_) => Done::Held,
            None => Done::Posted {
                label: *label,
                private: drafts.private.is_some(),
            },
        },
        (_, Decision::Skip { .. }) => Done::NotAnswered,
    }
}

/// Why the complaints and questions of the untuned part that were not answered
/// automatically were held, and what the wrong posts there were, by count: where the
/// automatic rate and the wrong posts are lost.
fn print_holds(entries: &[Entry], decisions: &[Option<Decision>]) {
    let mut held: BTreeMap<String, usize> = BTreeMap::new();
    let mut wrong: BTreeMap<String, usize> = BTreeMap::new();
    for (e, d) in entries.iter().zip(decisions).filter(|(e, _)| e.untuned) {
        let d = d.as_ref().unwrap();
        let (is_wrong, _) = judge(e.label, done(d));
        if let Decision::Answer {
            label, confidence, ..
        } = d
        {
            if is_wrong {
                *wrong
                    .entry(format!("{} posted as {}", e.label.as_str(), label.as_str()))
                    .or_default() += 1;
            }
            if let (Some(reason), Label::Negative | Label::Question) = (confidence.hold, e.label) {
                *held
                    .entry(format!("{} held: {}", e.label.as_str(), reason.as_str()))
                    .or_default() += 1;
            }
        } else if matches!(e.label, Label::Negative | Label::Question) {
            *held
                .entry(format!("{} not answered", e.label.as_str()))
                .or_default() += 1;
        }
    }
    for (what, n) in held.iter().chain(&wrong) {
        println!("  untuned part: {what}: {n}");
    }
    // The same by the kind of comment the writer meant: complaints and questions answered
    // automatically, praise held, wrong posts.
    let mut kinds: BTreeMap<&str, [usize; 5]> = BTreeMap::new();
    for (e, d) in entries.iter().zip(decisions).filter(|(e, _)| e.untuned) {
        let done = done(d.as_ref().unwrap());
        let (is_wrong, automatic) = judge(e.label, done);
        let k = kinds.entry(e.kind.as_deref().unwrap_or("-")).or_default();
        if matches!(e.label, Label::Negative | Label::Question) {
            k[0] += 1;
            k[1] += usize::from(automatic);
        }
        if e.label == Label::Positive {
            k[2] += 1;
            k[3] += usize::from(done == Done::Held);
        }
        k[4] += usize::from(is_wrong);
    }
    for (kind, [answerable, automatic, praise, held, wrong]) in kinds {
        println!(
            "  untuned part, kind {kind}: {automatic}/{answerable} answered, praise held {held}/{praise}, {wrong} wrong"
        );
    }
}

/// Folds stratified by language and label in a seeded order (`repetition` 0 is the
/// order every figure before `--repeats` was measured with), and each fold's model,
/// trained on the other folds and the word lists on every core (each training is
/// independent).
fn cross_validate(
    entries: &[Entry],
    data: &[(Features, Class)],
    repetition: u64,
) -> (Vec<usize>, Vec<Vec<u8>>) {
    let mut fold = vec![0; entries.len()];
    let mut groups: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        groups
            .entry((e.language.code(), e.label.as_str()))
            .or_default()
            .push(i);
    }
    let mut rng = Rng(SEED ^ 0xf01d ^ repetition.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut k = 0;
    for members in groups.values_mut() {
        rng.shuffle(members);
        for &i in members.iter() {
            fold[i] = k % FOLDS;
            k += 1;
        }
    }
    let (fold_ref, corpus_len) = (&fold, entries.len());
    let fold_bytes: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..FOLDS)
            .map(|f| {
                s.spawn(move || {
                    let train_on: Vec<usize> = (0..data.len())
                        .filter(|&i| i >= corpus_len || fold_ref[i] != f)
                        .collect();
                    quantise(&train(data, &train_on, corpus_len))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    (fold, fold_bytes)
}

fn main() {
    let dry_run = std::env::args().any(|a| a == "--dry-run");
    let start = Instant::now();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut entries = corpus(&root.join("tests/corpus"));
    // `--judge-as-of REV`: judge the rules on the `bulk` entries already there at git
    // revision REV only (the ones added since are still trained on), to compare a rule with
    // the one chosen then on the same items when the items added since are harder or
    // easier than the rest.
    if let Some(rev) = std::env::args().skip_while(|a| a != "--judge-as-of").nth(1) {
        let mut then = std::collections::HashSet::new();
        for lang in Language::ALL {
            let out = std::process::Command::new("git")
                .arg("-C")
                .arg(&root)
                .arg("show")
                .arg(format!("{rev}:./tests/corpus/bulk/{}.jsonl", lang.code()))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "git show {rev}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            for line in String::from_utf8(out.stdout).unwrap().lines() {
                if !line.trim().is_empty() {
                    let v: serde_json::Value = serde_json::from_str(line).unwrap();
                    then.insert(v["text"].as_str().unwrap().to_owned());
                }
            }
        }
        for e in &mut entries {
            e.untuned &= then.contains(&e.text);
        }
        eprintln!(
            "judged on the {} bulk entries there at {rev}",
            entries.iter().filter(|e| e.untuned).count()
        );
    }
    let words = lexicon_documents(&root.join("lexicons"));
    let templates = TemplateSet::builtin().unwrap();

    // The word lists' decisions (and the language they detect, which the model reads with).
    let lexicons: Vec<Decision> = entries
        .iter()
        .enumerate()
        .map(|(n, e)| decision(e, n, &templates, None))
        .collect();
    let language = |i: usize| match &lexicons[i] {
        Decision::Answer { language, .. } => *language,
        Decision::Skip { language, .. } => language.unwrap_or(entries[i].language),
    };
    // Whether the word lists read a plain complaint, as `decide` reads the text.
    let plain: Vec<bool> = entries
        .iter()
        .map(|e| {
            let fallback = labelled::page(e.language).default_language;
            plain_complaint(&triage::decide::read(&e.text, fallback).1.evidence)
        })
        .collect();
    let mut buffer = Vec::new();
    // The corpus first (indexed like `entries`), then the word lists, which every fold
    // trains on and none is measured on.
    let data: Vec<(Features, Class)> = entries
        .iter()
        .chain(&words)
        .map(|e| {
            model::features(&e.text, e.language, e.rating, &mut buffer);
            (buffer.clone(), Class::of(e.label))
        })
        .collect();

    // Out-of-fold scores, and the full decisions of the shipped rule, fold by fold.
    let mut scores: Vec<Scores> = vec![[0.0; CLASSES]; entries.len()];
    let mut shipped: Vec<Option<Decision>> = vec![None; entries.len()];
    let (fold, fold_bytes) = cross_validate(&entries, &data, 0);
    for (f, bytes) in fold_bytes.iter().enumerate() {
        let m = Model::from_bytes(bytes).unwrap();
        let usage = ModelUse {
            model: m,
            rule: ModelRule::SHIPPED,
            bold: ModelRule::BOLD,
        };
        for i in (0..entries.len()).filter(|&i| fold[i] == f) {
            let e = &entries[i];
            scores[i] = m.scores(&e.text, language(i), e.rating);
            shipped[i] = Some(decision(e, i, &templates, Some(&usage)));
        }
    }
    let hits = (0..entries.len())
        .filter(|&i| best(&scores[i]).0 == Class::of(entries[i].label))
        .count();
    let logloss: f64 = (0..entries.len())
        .map(|i| -f64::from(scores[i][Class::of(entries[i].label) as usize].max(1e-6)).ln())
        .sum::<f64>()
        / entries.len() as f64;
    println!("log-loss {logloss:.3}");
    println!(
        "cross-validated ({FOLDS} folds, {} entries): the model's best class is right for {hits} ({:.1}%)",
        entries.len(),
        100.0 * hits as f64 / entries.len() as f64
    );

    Figures::of(&entries, |i| done(&lexicons[i])).print("(a) word lists alone");
    Figures::untuned(&entries, |i| done(&lexicons[i])).print("(a) word lists alone, untuned part");
    for t in [0.0, 0.5, 0.6, 0.7, 0.8, 0.9] {
        Figures::of(&entries, |i| model_alone(&entries[i], &scores[i], t))
            .print(&format!("(b) model alone, best class ≥ {t}"));
    }
    let full = Figures::of(&entries, |i| done(shipped[i].as_ref().unwrap()));
    full.print(&format!(
        "(c) combined, shipped rule {:?}",
        ModelRule::SHIPPED
    ));
    Figures::untuned(&entries, |i| done(shipped[i].as_ref().unwrap()))
        .print("(c) combined, shipped rule, untuned part");
    print_holds(&entries, &shipped);
    let pure = Figures::of(&entries, |i| {
        combined(&lexicons[i], plain[i], &scores[i], &ModelRule::SHIPPED)
    });
    assert_eq!(
        (pure.wrong(), pure.0["all"].automatic),
        (full.wrong(), full.0["all"].automatic),
        "the pure rule and the decision path disagree"
    );

    // `--repeats N`: the cross-validation N times, each with its own folds, and the grid
    // judged on all N (its figures are sums over them): one split's luck, a few wrong
    // posts either way, no longer picks the rule.
    let repeats: usize = std::env::args()
        .skip_while(|a| a != "--repeats")
        .nth(1)
        .map_or(1, |n| {
            n.parse()
                .expect("--repeats takes a number of cross-validations")
        })
        .max(1);
    let mut every: Vec<Scores> = scores.clone();
    for r in 1..repeats {
        let (fold, fold_bytes) = cross_validate(&entries, &data, r as u64);
        let mut more: Vec<Scores> = vec![[0.0; CLASSES]; entries.len()];
        for (f, bytes) in fold_bytes.iter().enumerate() {
            let m = Model::from_bytes(bytes).unwrap();
            for i in (0..entries.len()).filter(|&i| fold[i] == f) {
                more[i] = m.scores(&entries[i].text, language(i), entries[i].rating);
            }
        }
        every.extend(more);
    }
    let n = entries.len();
    if repeats > 1 {
        println!(
            "the grid and the lines below: sums over {repeats} cross-validations, each with its own folds"
        );
        Figures::over(&entries, repeats, true, |j| {
            combined(
                &lexicons[j % n],
                plain[j % n],
                &every[j],
                &ModelRule::SHIPPED,
            )
        })
        .print("(c) combined, shipped rule, untuned part, repeated");
    }
    // `--no-grid`: the figures above and the model, without the grid (to compare features).
    let no_grid = std::env::args().any(|a| a == "--no-grid");
    // A small grid, judged on the untuned part (the word lists were tuned on the rest, so
    // their misses there are too few to tell a rule by): the fewest wrong posts, then the
    // best worst language.
    // `--small-grid`: about 2,700 rules around the shipped ones (to compare models quickly);
    // `--no-grid`: none.
    let small = std::env::args().any(|a| a == "--small-grid");
    type Steps = &'static [f32];
    let (steps, answers, lifts, complaints): (Steps, Steps, Steps, Steps) = if no_grid {
        (&[], &[], &[], &[])
    } else if small {
        (
            &[0.05, 0.1, 0.2, 0.3, 0.5],
            &[0.2, 0.3, 0.5],
            &[0.1, 0.2],
            &[0.85, 0.9, 0.95],
        )
    } else {
        (
            &[0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, f32::INFINITY],
            &[0.1, 0.2, 0.3, 0.5, 0.7, f32::INFINITY],
            &[0.0, 0.05, 0.1, 0.15, 0.2],
            &COMPLAINT_STEPS,
        )
    };
    let mut rules = Vec::new();
    for &thanks in steps {
        for &apology in steps {
            for &apology_plain in steps.iter().filter(|&&p| p >= apology) {
                for &answer in answers {
                    for &lift in lifts {
                        for lift_any in [false, true] {
                            for &complaint in complaints {
                                rules.push(ModelRule {
                                    thanks,
                                    apology,
                                    apology_plain,
                                    answer,
                                    lift,
                                    lift_any,
                                    complaint,
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    // Every rule on every core: the grid is most of the running time.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (entries_ref, lexicons_ref, plain_ref, scores_ref) = (&entries, &lexicons, &plain, &every);
    let mut grid: Vec<(ModelRule, Figures, Figures)> = std::thread::scope(|s| {
        let parts: Vec<_> = rules
            .chunks(rules.len().div_ceil(cores).max(1))
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|rule| {
                            let pick = |j: usize| {
                                combined(
                                    &lexicons_ref[j % n],
                                    plain_ref[j % n],
                                    &scores_ref[j],
                                    rule,
                                )
                            };
                            (
                                *rule,
                                Figures::over(entries_ref, repeats, true, pick),
                                Figures::over(entries_ref, repeats, false, pick),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts.into_iter().flat_map(|p| p.join().unwrap()).collect()
    });
    grid.sort_by(|(_, a, _), (_, b, _)| {
        a.wrong()
            .cmp(&b.wrong())
            .then(b.worst_rate().total_cmp(&a.worst_rate()))
            .then(b.0["all"].automatic.cmp(&a.0["all"].automatic))
    });
    // Holding praise costs no automatic answer to a complaint, but it costs staff: at most
    // 60 % of it may be held.
    grid.retain(|(_, f, _)| f.0["all"].praise_held * 10 <= f.0["all"].praise * 6);
    println!(
        "the grid on the untuned part, at most 60 % of praise held: for each number of wrong posts, the rule with the best worst language"
    );
    // The frontier in short: the most complaints and questions answered automatically for
    // a budget of wrong posts (per 1,000 untuned entries).
    let untuned = entries.iter().filter(|e| e.untuned).count() * repeats;
    let mut frontier = String::from("frontier (wrong per 1,000 → automatic):");
    for per_mille in [2.0, 3.0, 4.0, 5.0, 6.0, 8.0] {
        let best = grid
            .iter()
            .filter(|(_, f, _)| f.wrong() as f64 * 1000.0 <= per_mille * untuned as f64)
            .map(|(_, f, _)| Figures::rate(&f.0["all"]))
            .fold(0.0, f64::max);
        frontier += &format!(" {per_mille}‰ {best:.1}%;");
    }
    println!("{frontier}");
    // The same by the worst kind of wrong post only (a complaint thanked, praise
    // apologised to).
    let mut frontier = String::from("frontier, worst kind only (misread per 1,000 → automatic):");
    for per_mille in [1.0, 1.5, 2.0, 3.0, 4.0, 6.0] {
        let best = grid
            .iter()
            .filter(|(_, f, _)| f.0["all"].misread as f64 * 1000.0 <= per_mille * untuned as f64)
            .map(|(_, f, _)| Figures::rate(&f.0["all"]))
            .fold(0.0, f64::max);
        frontier += &format!(" {per_mille}‰ {best:.1}%;");
    }
    println!("{frontier}");
    // `--grid FILE`: every rule tried, a line each, to compare rules the print skips.
    if let Some(path) = std::env::args().skip_while(|a| a != "--grid").nth(1) {
        let lines: String = grid
            .iter()
            .map(|(rule, f, _)| {
                let t = &f.0["all"];
                format!(
                    "{rule:?}\t{}\t{}\t{:.1}\t{:.1}\t{}/{}\n",
                    t.wrong,
                    t.misread,
                    Figures::rate(t),
                    f.worst_rate(),
                    t.praise_held,
                    t.praise
                )
            })
            .collect();
        std::fs::write(path, lines).unwrap();
    }
    let mut last = usize::MAX;
    for (rule, f, whole) in &grid {
        if f.wrong() != last {
            last = f.wrong();
            f.print(&format!("  {rule:?}, untuned part"));
            whole.print("      the whole corpus");
        }
    }
    let all: Vec<usize> = (0..data.len()).collect();
    let bytes = quantise(&train(&data, &all, entries.len()));
    let m = Model::from_bytes(&bytes).unwrap();
    let usage = ModelUse {
        model: m,
        rule: ModelRule::SHIPPED,
        bold: ModelRule::BOLD,
    };
    Figures::of(&entries, |i| {
        done(&decision(&entries[i], i, &templates, Some(&usage)))
    })
    .print("whole corpus, trained on (shipped rule)");
    let path = root.join("src/classify/model.bin");
    if !dry_run {
        std::fs::write(&path, &bytes).unwrap();
    }
    println!(
        "{} bytes{} in {:.1} s",
        bytes.len(),
        if dry_run { " (not written)" } else { "" },
        start.elapsed().as_secs_f64()
    );
}
