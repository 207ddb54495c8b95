//! Why a comment gets its label, theme and register: every lexicon entry that matched.
//! For whoever reviews `lexicons/*.json`:
//! `cargo run -p triage --example explain -- nl "Jullie website werkt al dagen niet"`.

use triage::Language;
use triage::classify::explain;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(lang), Some(text)) = (
        args.next().as_deref().and_then(Language::parse),
        args.next(),
    ) else {
        eprintln!("usage: explain <nl|en|fr|de|es> <text>");
        std::process::exit(2);
    };
    print!("{}", explain(&text, lang));
}
