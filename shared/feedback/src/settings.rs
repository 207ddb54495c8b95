//! Settings are read through a lookup (`Fn(&str) -> Option<String>`): the environment in a
//! function, fixed pairs in tests and wherever a configuration is made from a list.

use std::collections::HashMap;

/// A lookup over fixed `(name, value)` pairs; a later pair wins over an earlier one.
pub fn fixed(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

/// A setting as given, trimmed; `None` when it is not set or blank.
pub fn value(get: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A whole-number setting; `default` when it is not set, and when it is not a number (then
/// said in `problems`).
pub fn number(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: u32,
    problems: &mut Vec<String>,
) -> u32 {
    match value(get, name) {
        None => default,
        Some(v) => v.parse().unwrap_or_else(|_| {
            problems.push(format!("{name} must be a whole number, not {v:?}"));
            default
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_lookup_answers_its_pairs_and_nothing_else() {
        let lookup = fixed(&[("TABLE_NAME", "feedback"), ("MODE", "a"), ("MODE", "b")]);
        assert_eq!(lookup("TABLE_NAME").as_deref(), Some("feedback"));
        assert_eq!(lookup("MODE").as_deref(), Some("b"));
        assert_eq!(lookup("OTHER"), None);
    }
}
