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
