//! Trustpilot's webhook events.

use crate::{ParsedDelivery, Unsupported};
use feedback::{AccountId, ChangeVerb, Feedback, FeedbackChange, FeedbackKind, ItemId, Rating};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Trustpilot ids are hex or alphanumeric strings (24 characters today); anything else is
/// refused, so an id can only ever address a review.
pub fn is_review_id(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn text(v: &Value, name: &str) -> Option<String> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
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
        let verb = match event.get("eventName").and_then(Value::as_str) {
            Some("service-review-created") => ChangeVerb::Added,
            Some("service-review-updated") => ChangeVerb::Edited,
            Some("service-review-deleted") => ChangeVerb::Removed,
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
        let consumer = data.get("consumer").cloned().unwrap_or(Value::Null);
        let rating = data
            .get("stars")
            .and_then(Value::as_u64)
            .and_then(|s| u8::try_from(s).ok())
            .and_then(|s| Rating::new(s).ok());
        out.changes.push(FeedbackChange {
            verb,
            feedback: Feedback {
                platform: super::PLATFORM,
                account_id,
                item_id,
                thread_id: None,
                parent_id: None,
                author_id: text(&consumer, "id"),
                author_name: text(&consumer, "name").or_else(|| text(&consumer, "displayName")),
                text: title_and_text(text(&data, "title"), text(&data, "text")),
                rating,
                url: Some(format!("https://www.trustpilot.com/reviews/{id}")),
                language: text(&data, "language"),
                created_at: text(&data, "createdAt")
                    .and_then(|t| OffsetDateTime::parse(&t, &Rfc3339).ok()),
                kind: FeedbackKind::Review,
                from_account: false,
                raw: event.to_string(),
                received_at,
            },
        });
    }
    out
}
