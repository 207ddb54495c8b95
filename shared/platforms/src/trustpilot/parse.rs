//! Trustpilot's webhook events, and the readers the review answers share.
//!
//! Read tolerantly where Trustpilot's examples vary: unknown fields are ignored, optional
//! fields may be absent, `stars` may be a number or a string of digits, times may carry an
//! offset (`2017-05-20T09:34:44.000Z`) or none (`2013-09-07T13:37:00`, read as UTC).
//! Read strictly: review ids ([`is_review_id`]), the business unit id (an [`AccountId`]),
//! and the review's URL, which is always built from the id, never taken from the body.

use crate::id_only_feedback;
pub use crate::json::text;
use crate::{ParsedDelivery, Unsupported};
use feedback::{AccountId, ChangeVerb, Feedback, FeedbackChange, FeedbackKind, ItemId, Rating};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Trustpilot ids are hex or alphanumeric strings (24 characters today); anything else is
/// refused, so an id can only ever address a review.
pub fn is_review_id(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A star rating of 1 to 5: a whole number, or a string of one digit.
pub fn stars(v: &Value) -> Option<Rating> {
    let n = match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && (1.0..=5.0).contains(f))
                .map(|f| f as u64)
        })?,
        Value::String(s) => s.trim().parse::<u64>().ok()?,
        _ => return None,
    };
    u8::try_from(n).ok().and_then(|s| Rating::new(s).ok())
}

/// A time as Trustpilot writes it: RFC 3339, or the same without an offset (UTC).
pub fn time_of(v: &Value, name: &str) -> Option<OffsetDateTime> {
    let t = text(v, name)?;
    if let Ok(t) = OffsetDateTime::parse(&t, &Rfc3339) {
        return Some(t);
    }
    let local = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(&t, local)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// Title and text read together: the title often says the most ("Never again").
pub fn title_and_text(title: Option<String>, body: Option<String>) -> Option<String> {
    match (title, body) {
        (Some(t), Some(b)) if b.starts_with(&t) => Some(b),
        (Some(t), Some(b)) => Some(format!("{t}\n{b}")),
        (t, b) => t.or(b),
    }
}

pub fn parse_events(
    body: &[u8],
    default_unit: Option<&str>,
    received_at: OffsetDateTime,
) -> ParsedDelivery {
    let mut out = ParsedDelivery::default();
    let unsupported = |out: &mut ParsedDelivery, reason: String| {
        out.unsupported.push(Unsupported { reason });
    };
    let events = match serde_json::from_slice::<Value>(body) {
        Ok(v) => match v.get("events").and_then(Value::as_array) {
            Some(events) if !events.is_empty() => events.clone(),
            _ => {
                unsupported(&mut out, "the delivery has no events".into());
                return out;
            }
        },
        Err(e) => {
            unsupported(&mut out, format!("not JSON: {e}"));
            return out;
        }
    };
    for (i, event) in events.iter().enumerate() {
        // Not signed: whatever the event says, it only says "look again". Created is a
        // new review (fetched before it is answered); updated and deleted are id-only
        // updates, fetched again (removed only when the API says the review is gone).
        let verb = match event.get("eventName").and_then(Value::as_str) {
            Some("service-review-created") => ChangeVerb::Added,
            Some("service-review-updated" | "service-review-deleted") => ChangeVerb::Edited,
            other => {
                unsupported(&mut out, format!("event {i}: {other:?} is not handled"));
                continue;
            }
        };
        let data = event.get("eventData").cloned().unwrap_or(Value::Null);
        let Some(id) = text(&data, "id").filter(|id| is_review_id(id)) else {
            unsupported(&mut out, format!("event {i}: no usable review id"));
            continue;
        };
        let unit = data
            .get("businessUnit")
            .and_then(|b| text(b, "id"))
            .or_else(|| default_unit.map(str::to_owned))
            .unwrap_or_else(|| "trustpilot".to_owned());
        let (Ok(item_id), Ok(account_id)) = (ItemId::parse(id.as_str()), AccountId::parse(unit))
        else {
            unsupported(
                &mut out,
                format!("event {i}: the business unit is not usable as an id"),
            );
            continue;
        };
        // What is kept: the id, where it lives, and a digest of the event so each
        // delivery asks once (a redelivery is the same question).
        let digest = hex::encode(Sha256::digest(event.to_string().as_bytes()));
        let raw = serde_json::json!({
            "eventName": event.get("eventName"),
            "id": id,
            "businessUnit": account_id.as_str(),
            "event": &digest[..32],
        })
        .to_string();
        out.changes.push(FeedbackChange {
            verb,
            feedback: Feedback {
                url: Some(format!("https://www.trustpilot.com/reviews/{id}")),
                ..id_only_feedback(
                    super::PLATFORM,
                    account_id,
                    item_id,
                    FeedbackKind::Review,
                    raw,
                    received_at,
                )
            },
        });
    }
    out
}
