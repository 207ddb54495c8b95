//! The cursor arithmetic, free of storage: where reading stops, where the cursor moves,
//! how long a failing source waits.

use std::collections::BTreeSet;
use time::{Duration, OffsetDateTime};

/// How far a source is stored: the newest review time and the ids stored at exactly it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Position {
    pub newest_at: Option<OffsetDateTime>,
    pub newest_ids: Vec<String>,
}

impl Position {
    /// Whether a review listed at `at` with `id` is at or behind the position: stored by an
    /// earlier run, so the reviews after it in a newest-first list are too.
    pub fn covers(&self, at: OffsetDateTime, id: &str) -> bool {
        match self.newest_at {
            None => false,
            Some(newest) => {
                at < newest || (at == newest && self.newest_ids.iter().any(|i| i == id))
            }
        }
    }

    /// The position after storing `seen` (time and id of each review stored): the newest
    /// time of both, with every id seen at it. Never moves back.
    pub fn advanced<'a>(
        &self,
        seen: impl IntoIterator<Item = (OffsetDateTime, &'a str)>,
    ) -> Position {
        let seen: Vec<(OffsetDateTime, &str)> = seen.into_iter().collect();
        let newest = seen.iter().map(|(at, _)| *at).chain(self.newest_at).max();
        let Some(newest) = newest else {
            return self.clone();
        };
        let mut ids: BTreeSet<String> = seen
            .iter()
            .filter(|(at, _)| *at == newest)
            .map(|(_, id)| (*id).to_owned())
            .collect();
        if self.newest_at == Some(newest) {
            ids.extend(self.newest_ids.iter().cloned());
        }
        Position {
            newest_at: Some(newest),
            newest_ids: ids.into_iter().collect(),
        }
    }
}

/// How long a source waits after `failures` failures in a row: one schedule period, then
/// doubling, at most six hours (Play allows 200 reads an hour per app).
pub fn backoff(failures: u32, period: Duration) -> Duration {
    let factor = 1_i32 << failures.saturating_sub(1).min(10);
    (period * factor).min(Duration::hours(6))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T1: OffsetDateTime = datetime!(2026-12-06 10:00 UTC);
    const T2: OffsetDateTime = datetime!(2026-12-06 11:00 UTC);

    fn at(t: OffsetDateTime, ids: &[&str]) -> Position {
        Position {
            newest_at: Some(t),
            newest_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn a_fresh_source_covers_nothing() {
        assert!(!Position::default().covers(T1, "a"));
    }

    #[test]
    fn older_reviews_and_those_stored_at_the_same_time_are_covered_others_not() {
        let p = at(T1, &["a"]);
        assert!(p.covers(T1 - Duration::seconds(1), "z"));
        assert!(p.covers(T1, "a"));
        assert!(
            !p.covers(T1, "b"),
            "written the same second, not yet stored"
        );
        assert!(!p.covers(T2, "a"), "edited since: newer");
    }

    #[test]
    fn the_position_moves_to_the_newest_seen_with_every_id_at_it() {
        let p = at(T1, &["a"]).advanced([(T2, "c"), (T2, "b"), (T1, "x")]);
        assert_eq!(p, at(T2, &["b", "c"]));
    }

    #[test]
    fn ids_at_the_same_newest_time_are_merged() {
        let p = at(T1, &["a"]).advanced([(T1, "b")]);
        assert_eq!(p, at(T1, &["a", "b"]));
    }

    #[test]
    fn the_position_never_moves_back() {
        let p = at(T2, &["a"]).advanced([(T1, "b")]);
        assert_eq!(p, at(T2, &["a"]));
        assert_eq!(at(T2, &["a"]).advanced([]), at(T2, &["a"]));
        assert_eq!(Position::default().advanced([]), Position::default());
    }

    #[test]
    fn backoff_doubles_from_one_period_and_stops_at_six_hours() {
        let period = Duration::minutes(10);
        assert_eq!(backoff(1, period), Duration::minutes(10));
        assert_eq!(backoff(2, period), Duration::minutes(20));
        assert_eq!(backoff(3, period), Duration::minutes(40));
        assert_eq!(backoff(30, period), Duration::hours(6));
    }
}
