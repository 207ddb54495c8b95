//! Why a comment gets its label, theme and register: every lexicon entry that matched.
//! For whoever reviews `lexicons/*.json`:
//! `cargo run -p triage --example explain -- nl "Jullie website werkt al dagen niet"` (a
//! third argument, the stars, is read by the model, whose probabilities are printed, then
//! what a balanced page would do with it (`TRIAGE_BOLDNESS=cautious|bold` for another).

// Test support: its corpus fixtures unwrap identifiers known to be valid.
#[allow(clippy::unwrap_used)]
#[path = "../tests/common/labelled.rs"]
mod labelled;

use triage::classify::explain;
use triage::{Decision, Language, ModelUse, TemplateSet};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(lang), Some(text)) = (
        args.next().as_deref().and_then(Language::parse),
        args.next(),
    ) else {
        eprintln!("usage: explain <nl|en|fr|de|es> <text> [stars]");
        std::process::exit(2);
    };
    let stars = match args.next() {
        None => None,
        Some(s) => match s.parse::<u8>() {
            Ok(n @ 1..=5) => Some(n),
            _ => {
                eprintln!("the stars are a whole number from 1 to 5, not {s:?}");
                std::process::exit(2);
            }
        },
    };
    print!("{}", explain(&text, lang));
    let scores = triage::classify::model::scores(&text, lang, stars);
    let scores: Vec<String> = triage::classify::model::Class::ALL
        .iter()
        .zip(scores)
        .map(|(c, p)| format!("{} {:.0}%", c.as_str(), p * 100.0))
        .collect();
    println!("model: {}", scores.join(", "));
    let Ok(templates) = TemplateSet::builtin() else {
        eprintln!("the built-in templates do not load");
        std::process::exit(1);
    };
    let page = labelled::page(lang);
    let decision = labelled::decide_entry(
        (&text, stars, lang),
        0,
        &templates,
        Some(&ModelUse::SHIPPED),
    );
    let done = match decision {
        Decision::Skip { reason, .. } => format!("not answered ({reason:?})"),
        Decision::Answer {
            label, confidence, ..
        } => match confidence.hold {
            Some(hold) => format!("held for a person, drafted as {label:?}: {}", hold.words()),
            None => format!("answered as {label:?}"),
        },
    };
    println!("{:?} page: {done}", page.boldness);
}
