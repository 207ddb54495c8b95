//! When each Graph API version stops being served, as data.
//!
//! Source: Meta's Graph API version table, "Available Graph API Versions" on the changelog
//! (<https://developers.facebook.com/docs/graph-api/changelog>), read 2026-12-06. A call to
//! an expired version is served by the oldest version still available, whose behaviour may
//! differ, so `feedbackctl pages check` warns before the configured version expires.
//! Add a row when Meta releases a version; give the current one its date once Meta does.

use time::Date;
use time::macros::date;

/// `(version, available until)`; `None`: the current version, no date announced yet.
const AVAILABLE_UNTIL: &[(&str, Option<Date>)] = &[
    ("v21.0", Some(date!(2027 - 01 - 21))),
    ("v22.0", Some(date!(2027 - 05 - 20))),
    ("v23.0", Some(date!(2027 - 10 - 08))),
    ("v24.0", Some(date!(2028 - 02 - 18))),
    ("v25.0", Some(date!(2028 - 07 - 29))),
    ("v26.0", None),
];

/// The last day `version` (`v26.0`, or `26.0`) is available. `None`: no date is known,
/// because the version is the current one or is not in the table.
pub fn expires_on(version: &str) -> Option<Date> {
    let version = version.trim().trim_matches('/');
    let version = version.strip_prefix('v').unwrap_or(version);
    AVAILABLE_UNTIL
        .iter()
        .find(|(v, _)| v.strip_prefix('v') == Some(version))
        .and_then(|(_, until)| *until)
}

/// Whether `version` is in the table at all (an unknown version may be a typo, or newer
/// than this table).
pub fn is_known(version: &str) -> bool {
    let version = version.trim().trim_matches('/');
    let version = version.strip_prefix('v').unwrap_or(version);
    AVAILABLE_UNTIL
        .iter()
        .any(|(v, _)| v.strip_prefix('v') == Some(version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_listed_version_expires_on_its_date_and_the_current_one_has_none() {
        assert_eq!(expires_on("v21.0"), Some(date!(2027 - 01 - 21)));
        assert_eq!(expires_on("v22.0"), Some(date!(2027 - 05 - 20)));
        assert_eq!(expires_on("v23.0"), Some(date!(2027 - 10 - 08)));
        assert_eq!(expires_on("v24.0"), Some(date!(2028 - 02 - 18)));
        assert_eq!(expires_on("v25.0"), Some(date!(2028 - 07 - 29)));
        assert_eq!(expires_on("v26.0"), None);
        assert!(is_known("v26.0"));
    }

    #[test]
    fn a_version_is_found_with_or_without_its_v_and_an_unknown_one_has_no_date() {
        assert_eq!(expires_on(" 21.0 "), Some(date!(2027 - 01 - 21)));
        assert_eq!(expires_on("v99.0"), None);
        assert!(!is_known("v99.0") && !is_known("latest"));
    }

    #[test]
    fn the_pinned_default_version_is_in_the_table() {
        assert!(is_known(super::super::graph::DEFAULT_GRAPH_VERSION));
    }
}
