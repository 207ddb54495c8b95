//! Small text helpers the crates share.

/// `text` cut to at most `max` bytes, at a character boundary (never inside one).
pub fn capped(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::capped;

    #[test]
    fn a_long_text_is_cut_to_the_limit_between_characters_and_a_short_one_is_kept() {
        assert_eq!(capped("héllo", 2), "h");
        assert_eq!(capped("héllo", 3), "hé");
        assert_eq!(capped("héllo", 99), "héllo");
        assert_eq!(capped("", 0), "");
    }
}
