//! Tables for people, JSON for scripts.
//!
//! Everything customers write (comments, names) and everything derived from it (drafts)
//! goes through [`clean`] before it reaches a terminal, so a comment cannot carry escape
//! sequences or reorder what is shown. JSON output is escaped by serde instead.

use comfy_table::{ContentArrangement, Table};
use serde::Serialize;
use std::borrow::Cow;
use time::{OffsetDateTime, UtcOffset};

/// Characters that change how a terminal shows text rather than being text: control
/// characters other than newline and tab (ESC, BEL, CR, DEL, C1 controls), and the
/// bidirectional formatting characters (overrides, embeddings, isolates, marks), which can
/// make text display in a different order than it is stored.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` without the characters that could control the terminal it is printed on.
pub fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_unsafe) {
        Cow::Owned(text.chars().filter(|c| !is_unsafe(*c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// One line of at most `max` characters, cleaned.
pub fn short(text: &str, max: usize) -> String {
    let one_line = clean(text).split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!(
            "{}…",
            one_line
                .chars()
                .take(max.saturating_sub(1))
                .collect::<String>()
        )
    }
}

/// A time as people read it, in UTC: `2025-11-01 14:05Z`.
pub fn when(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// A table; every cell is cleaned.
pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut t = Table::new();
    t.set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    for row in rows {
        t.add_row(row.iter().map(|cell| clean(cell).into_owned()));
    }
    t.to_string()
}

/// A table of `items`, a row each as `row` writes it; every cell is cleaned.
pub fn table_of<T>(header: &[&str], items: &[T], row: impl FnMut(&T) -> Vec<String>) -> String {
    table(header, items.iter().map(row).collect())
}

pub fn json(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot write JSON: {e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_removes_what_controls_a_terminal_and_keeps_text() {
        let hostile = "Bad\u{1b}[2J\u{1b}]0;owned\u{7}service\rHIDDEN \u{202E}txt.exe\u{202C} \u{2066}x\u{2069}\u{7f}\u{9b}31m";
        let cleaned = clean(hostile);
        for c in [
            '\u{1b}', '\u{7}', '\r', '\u{202E}', '\u{202C}', '\u{2066}', '\u{2069}', '\u{7f}',
            '\u{9b}',
        ] {
            assert!(!cleaned.contains(c), "{c:?} left in {cleaned:?}");
        }
        assert_eq!(
            cleaned, "Bad[2J]0;ownedserviceHIDDEN txt.exe x31m",
            "only the control characters go"
        );
    }

    #[test]
    fn clean_keeps_letters_emoji_newlines_and_tabs() {
        let text = "Héél slecht 😡\nÜber 👩‍💻 ça\tprix — שלום مرحبا 你好";
        assert!(matches!(clean(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn short_cleans_and_shortens_to_one_line() {
        assert_eq!(short("a\u{1b}[31m\nb  c", 20), "a[31m b c");
        assert_eq!(short("abcdef", 4), "abc…");
    }

    #[test]
    fn table_cells_are_cleaned() {
        let out = table(&["TEXT"], vec![vec!["x\u{1b}[2Jy\u{7}".into()]]);
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out}");
        assert!(out.contains("x[2Jy"), "{out}");
    }

    #[test]
    fn times_read_in_utc() {
        let t = OffsetDateTime::UNIX_EPOCH + time::Duration::minutes(65);
        assert_eq!(when(t), "1970-01-01 01:05Z");
    }
}
