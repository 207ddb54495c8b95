//! Why a comment gets its label, theme and register: every lexicon entry that matched.
//! For whoever reviews `lexicons/*.json`:
//! `cargo run -p triage --example explain -- nl "Jullie website werkt al dagen niet"` (a
//! third argument, the stars, is read by the model, whose probabilities are printed last).

use triage::Language;
use triage::classify::explain;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(lang), Some(text)) = (
        args.next().as_deref().and_then(Language::parse),
        args.next(),
    ) else {
        eprintln!("usage: explain <nl|en|fr|de|es> <text> [stars]");
        std::process::exit(2);
    };
    print!("{}", explain(&text, lang));
    let stars = args.next().and_then(|s| s.parse().ok());
    let scores = triage::classify::model::scores(&text, lang, stars);
    let scores: Vec<String> = triage::classify::model::Class::ALL
        .iter()
        .zip(scores)
        .map(|(c, p)| format!("{} {:.0}%", c.as_str(), p * 100.0))
        .collect();
    println!("model: {}", scores.join(", "));
}
