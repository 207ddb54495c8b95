//! Samples and stand-in answers get their times when they are used, never when they were
//! written: a review sample dated last month would be skipped as too old on any later day.
//!
//! [`move_times`] moves every time in a JSON document by one offset, so that the newest is
//! a minute before `now` and the others keep their distance to it (a review's `updateTime`
//! stays after its `createTime`). Times are found by their form, not by a list of each
//! platform's field names: RFC 3339 strings (`2019-08-07T18:25:43Z`), Meta's ISO 8601 with
//! a `+0000` offset, unix seconds under a key that names a time (`time`,
//! `created_time`, `timestamp`, …), and protobuf timestamps (`{"seconds": "1443676826",
//! "nanos": 713000000}`, Google Play). Each keeps its own form.
//!
//! Used by `feedbackctl sign` (before it signs a sample) and the local runner's sandbox
//! (before it serves a file), never on a delivery from a platform.

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime};

/// How long before `now` the newest time is put.
const NEWEST_AGO: Duration = Duration::minutes(1);

/// Unix seconds between 2001 and 2286: anything else under a time key is not a time.
const UNIX_RANGE: std::ops::Range<i64> = 1_000_000_000..10_000_000_000;

#[derive(Clone, Copy)]
enum Form {
    Rfc3339,
    /// `2017-07-27T19:40:56+0000` (Meta's Graph API).
    CompactOffset,
    Unix,
    /// `{"seconds": …, "nanos": …}`, seconds as a string when they came as one.
    Protobuf {
        quoted: bool,
    },
}

fn compact_offset() -> &'static [time::format_description::BorrowedFormatItem<'static>] {
    format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
    )
}

fn time_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key == "time" || key.ends_with("_time") || key.ends_with("timestamp") || key.ends_with("_at")
}

fn read_string(s: &str) -> Option<(OffsetDateTime, Form)> {
    // Cheap test first: most strings are not times.
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[10] != b'T' {
        return None;
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some((t, Form::Rfc3339));
    }
    OffsetDateTime::parse(s, compact_offset())
        .ok()
        .map(|t| (t, Form::CompactOffset))
}

fn read(key: Option<&str>, v: &Value) -> Option<(OffsetDateTime, Form)> {
    match v {
        Value::Object(map) if map.len() == 2 && map.contains_key("nanos") => {
            let (seconds, quoted) = match map.get("seconds")? {
                Value::String(s) => (s.parse::<i64>().ok()?, true),
                n => (n.as_i64()?, false),
            };
            let nanos = map.get("nanos")?.as_i64()?;
            UNIX_RANGE.contains(&seconds).then_some(())?;
            OffsetDateTime::from_unix_timestamp_nanos(
                i128::from(seconds) * 1_000_000_000 + i128::from(nanos),
            )
            .ok()
            .map(|t| (t, Form::Protobuf { quoted }))
        }
        Value::String(s) => read_string(s),
        Value::Number(n) if key.is_some_and(time_key) => n
            .as_i64()
            .filter(|n| UNIX_RANGE.contains(n))
            .and_then(|n| OffsetDateTime::from_unix_timestamp(n).ok())
            .map(|t| (t, Form::Unix)),
        _ => None,
    }
}

fn write(t: OffsetDateTime, form: Form) -> Option<Value> {
    Some(match form {
        Form::Rfc3339 => Value::String(t.format(&Rfc3339).ok()?),
        Form::CompactOffset => Value::String(t.format(compact_offset()).ok()?),
        Form::Unix => Value::from(t.unix_timestamp()),
        Form::Protobuf { quoted } => {
            let seconds = t.unix_timestamp();
            serde_json::json!({
                "seconds": if quoted { Value::from(seconds.to_string()) } else { Value::from(seconds) },
                "nanos": t.nanosecond(),
            })
        }
    })
}

/// Calls `f` on every value with the key it sits under (`None` in arrays and at the top):
/// leaves, and objects that are times themselves (a protobuf timestamp).
fn walk(key: Option<&str>, v: &mut Value, f: &mut impl FnMut(Option<&str>, &mut Value)) {
    match v {
        Value::Object(_) if read(key, v).is_some() => f(key, v),
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                walk(Some(k), child, f);
            }
        }
        Value::Array(items) => {
            for child in items {
                walk(None, child, f);
            }
        }
        _ => f(key, v),
    }
}

/// `json` with every time moved so the newest is a minute before `now`; `None` when it is
/// not JSON or holds no time (use it as it is).
pub fn move_times(json: &[u8], now: OffsetDateTime) -> Option<Vec<u8>> {
    let mut doc: Value = serde_json::from_slice(json).ok()?;
    let mut newest: Option<OffsetDateTime> = None;
    walk(None, &mut doc, &mut |key, v| {
        if let Some((t, _)) = read(key, v) {
            newest = Some(newest.map_or(t, |n| n.max(t)));
        }
    });
    let shift = (now - NEWEST_AGO) - newest?;
    walk(None, &mut doc, &mut |key, v| {
        if let Some((t, form)) = read(key, v)
            && let Some(moved) = t.checked_add(shift).and_then(|t| write(t, form))
        {
            *v = moved;
        }
    });
    serde_json::to_vec(&doc).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn every_time_moves_by_one_offset_so_the_newest_is_a_minute_ago() {
        let now = datetime!(2031-03-04 10:00:00 UTC);
        let doc = br#"{"review":{"createTime":"2017-01-01T10:00:00Z","updateTime":"2017-01-02T10:00:00Z",
            "name":"accounts/1/reviews/2017-01-01T10:00:00Z-not-a-time"},
            "entry":[{"time":1483264800,"changes":[{"value":{"created_time":"2017-01-02T09:00:00+0000","count":1483264800}}]}]}"#;
        let moved: Value = serde_json::from_slice(&move_times(doc, now).unwrap()).unwrap();
        assert_eq!(moved["review"]["updateTime"], "2031-03-04T09:59:00Z");
        assert_eq!(moved["review"]["createTime"], "2031-03-03T09:59:00Z");
        assert_eq!(
            moved["entry"][0]["changes"][0]["value"]["created_time"],
            "2031-03-04T08:59:00+0000"
        );
        // unix seconds under "time" move; the same number under another key does not.
        assert_eq!(
            moved["entry"][0]["time"],
            datetime!(2031-03-03 09:59:00 UTC).unix_timestamp()
        );
        assert_eq!(
            moved["entry"][0]["changes"][0]["value"]["count"],
            1483264800
        );
        assert_eq!(
            moved["review"]["name"],
            "accounts/1/reviews/2017-01-01T10:00:00Z-not-a-time"
        );
    }

    #[test]
    fn a_protobuf_timestamp_moves_and_keeps_its_form() {
        let now = datetime!(2031-03-04 10:00:00 UTC);
        let doc = br#"{"a":{"lastModified":{"seconds":"1443676826","nanos":713000000}},
            "b":{"lastModified":{"seconds":1443676766,"nanos":713000000}},"c":{"seconds":5,"nanos":1}}"#;
        let moved: Value = serde_json::from_slice(&move_times(doc, now).unwrap()).unwrap();
        let newest = (now - NEWEST_AGO).unix_timestamp();
        assert_eq!(moved["a"]["lastModified"]["seconds"], newest.to_string());
        assert_eq!(moved["a"]["lastModified"]["nanos"], 0);
        assert_eq!(moved["b"]["lastModified"]["seconds"], newest - 60);
        assert_eq!(moved["c"], serde_json::json!({"seconds": 5, "nanos": 1}));
    }

    #[test]
    fn a_document_without_times_or_not_json_is_left_as_it_is() {
        let now = datetime!(2031-03-04 10:00:00 UTC);
        assert_eq!(move_times(br#"{"stars":2,"text":"slow"}"#, now), None);
        assert_eq!(move_times(b"not json", now), None);
    }
}
