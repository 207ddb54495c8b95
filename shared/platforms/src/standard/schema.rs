//! The feedback item schema of the Standard Webhooks door, version 1.
//!
//! ```json
//! {
//!   "type": "feedback.v1",
//!   "event": "created",
//!   "source": "brand24",
//!   "item_id": "mention-8841",
//!   "url": "https://forum.example/t/91#post-4",
//!   "author": { "name": "Sanne Jansen", "id": "sanne_j" },
//!   "text": "Bestelling nog steeds niet binnen…",
//!   "rating": 2,
//!   "language": "nl",
//!   "created_at": "2026-11-20T09:30:00Z"
//! }
//! ```
//!
//! | field | required | rule |
//! |---|---|---|
//! | `type` | yes | `feedback.v1` (a later version gets a new name) |
//! | `event` | no | `created` (default), `updated` or `deleted` |
//! | `source` | yes | 1–32 of `a-z 0-9 - _`, starting with a letter: the tool or site |
//! | `item_id` | yes | 1–200 printable ASCII characters without `#` or spaces, unique within the source |
//! | `url` | no | `http://` or `https://`, at most 2,000 characters |
//! | `author.name`, `author.id` | no | text, at most 200 characters each |
//! | `text` | one of `text`/`rating` for `created` | at most 20,000 characters |
//! | `rating` | no | a whole number from 1 to 5 |
//! | `language` | no | a language code such as `nl` or `en-GB` |
//! | `created_at` | no | RFC 3339 time |
//!
//! Unknown fields are ignored, so a sender may add its own.

use crate::{ParsedDelivery, Unsupported};
use feedback::{
    AccountId, ChangeVerb, Feedback, FeedbackChange, FeedbackKind, ItemId, Platform, Rating,
};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub const TYPE_V1: &str = "feedback.v1";

fn text_field<'v>(
    obj: &'v Map<String, Value>,
    name: &str,
    max: usize,
    problems: &mut Vec<String>,
) -> Option<&'v str> {
    match obj.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= max => Some(s.as_str()),
        Some(Value::String(_)) => {
            problems.push(format!("{name}: longer than {max} characters"));
            None
        }
        Some(_) => {
            problems.push(format!("{name}: must be a string"));
            None
        }
    }
}

/// Parse one item. Problems are collected field by field; any problem makes the whole
/// delivery invalid (400, kept raw).
pub fn parse(body: &[u8], received_at: OffsetDateTime) -> ParsedDelivery {
    let mut out = ParsedDelivery::default();
    let obj = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(obj)) => obj,
        Ok(_) => {
            out.invalid.push("the body must be a JSON object".into());
            return out;
        }
        Err(e) => {
            out.invalid.push(format!("the body is not JSON: {e}"));
            return out;
        }
    };
    let mut problems = Vec::new();
    match obj.get("type") {
        Some(Value::String(t)) if t == TYPE_V1 => {}
        Some(Value::String(t)) => {
            // A newer schema we do not know: keep it for when we do.
            out.unsupported.push(Unsupported {
                reason: format!("type {t:?} is not a schema this version reads ({TYPE_V1})"),
            });
            return out;
        }
        _ => problems.push(format!("type: required, \"{TYPE_V1}\"")),
    }
    let verb = match text_field(&obj, "event", 20, &mut problems) {
        None | Some("created") => ChangeVerb::Added,
        Some("updated") => ChangeVerb::Edited,
        Some("deleted") => ChangeVerb::Removed,
        Some(other) => {
            problems.push(format!(
                "event: {other:?} is not created, updated or deleted"
            ));
            ChangeVerb::Added
        }
    };
    let source = match text_field(&obj, "source", 32, &mut problems) {
        None => {
            problems.push("source: required".into());
            None
        }
        Some(s) => match (Platform::parse(s), AccountId::parse(s)) {
            (Ok(_), Ok(account)) => Some(account),
            _ => {
                problems.push("source: 1–32 of a-z 0-9 - _, starting with a letter".into());
                None
            }
        },
    };
    let item = match text_field(&obj, "item_id", 200, &mut problems) {
        None => {
            problems.push("item_id: required".into());
            None
        }
        Some(id) => match ItemId::parse(id) {
            Ok(_) => Some(id),
            Err(e) => {
                problems.push(format!("item_id: {e}"));
                None
            }
        },
    };
    let url = text_field(&obj, "url", 2000, &mut problems).and_then(|u| {
        let lower = u.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            Some(u.to_owned())
        } else {
            problems.push("url: must start with http:// or https://".into());
            None
        }
    });
    let (author_name, author_id) = match obj.get("author") {
        None | Some(Value::Null) => (None, None),
        Some(Value::Object(a)) => (
            text_field(a, "name", 200, &mut problems).map(str::to_owned),
            text_field(a, "id", 200, &mut problems).map(str::to_owned),
        ),
        Some(_) => {
            problems.push("author: must be an object with name and id".into());
            (None, None)
        }
    };
    let text = text_field(&obj, "text", 20_000, &mut problems).map(str::to_owned);
    let rating = match obj.get("rating") {
        None | Some(Value::Null) => None,
        Some(v) => match v
            .as_u64()
            .and_then(|n| u8::try_from(n).ok())
            .map(Rating::new)
        {
            Some(Ok(r)) => Some(r),
            _ => {
                problems.push("rating: a whole number from 1 to 5".into());
                None
            }
        },
    };
    let language = text_field(&obj, "language", 35, &mut problems).and_then(|l| {
        let valid = l.len() >= 2
            && l.split(['-', '_']).all(|part| {
                !part.is_empty()
                    && part.len() <= 8
                    && part.bytes().all(|b| b.is_ascii_alphanumeric())
            });
        if valid {
            Some(l.to_owned())
        } else {
            problems.push("language: a language code such as nl or en-GB".into());
            None
        }
    });
    let created_at =
        text_field(&obj, "created_at", 64, &mut problems).and_then(
            |t| match OffsetDateTime::parse(t, &Rfc3339) {
                Ok(t) => Some(t),
                Err(_) => {
                    problems
                        .push("created_at: an RFC 3339 time such as 2026-11-20T09:30:00Z".into());
                    None
                }
            },
        );
    if verb == ChangeVerb::Added
        && text.as_deref().is_none_or(|t| t.trim().is_empty())
        && rating.is_none()
    {
        problems.push("text or rating: a new item needs at least one".into());
    }
    if !problems.is_empty() {
        out.invalid = problems;
        return out;
    }
    let (Some(source), Some(item)) = (source, item) else {
        // Unreachable: both missing are problems above.
        out.invalid.push("source and item_id: required".into());
        return out;
    };
    let Ok(item_id) = ItemId::parse(format!("{source}:{item}")) else {
        out.invalid
            .push("item_id: too long together with the source".into());
        return out;
    };
    out.changes.push(FeedbackChange {
        verb,
        feedback: Feedback {
            platform: super::PLATFORM,
            account_id: source,
            item_id,
            thread_id: None,
            parent_id: None,
            author_id,
            author_name,
            text,
            rating,
            url,
            language,
            created_at,
            kind: if rating.is_some() {
                FeedbackKind::Review
            } else {
                FeedbackKind::Comment
            },
            from_account: false,
            raw: String::from_utf8_lossy(body).into_owned(),
            received_at,
        },
    });
    out
}
