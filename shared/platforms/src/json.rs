//! Reading the JSON platforms send: fields that may be missing, blank or of another type.

use crate::{ParsedDelivery, Unsupported};
use feedback::{AccountId, ChangeVerb, Feedback, FeedbackKind, ItemId, Platform};
use serde_json::Value;

/// The string field `name`, trimmed; `None` when missing, blank or not a string.
pub fn text(v: &Value, name: &str) -> Option<String> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A delivery's body as JSON, or the delivery reported as unsupported (not JSON).
pub fn delivery_body(body: &[u8]) -> Result<Value, ParsedDelivery> {
    serde_json::from_slice(body).map_err(|e| ParsedDelivery {
        unsupported: vec![Unsupported {
            reason: format!("not JSON: {e}"),
        }],
        ..ParsedDelivery::default()
    })
}

/// What the event `name` of a comment platform means, given its names for a comment added,
/// edited and removed and for a mention; `None` for any other event.
pub(crate) fn comment_event(name: &str, names: [&str; 4]) -> Option<(ChangeVerb, FeedbackKind)> {
    let [added, edited, removed, mentioned] = names;
    match name {
        n if n == added => Some((ChangeVerb::Added, FeedbackKind::Comment)),
        n if n == edited => Some((ChangeVerb::Edited, FeedbackKind::Comment)),
        n if n == removed => Some((ChangeVerb::Removed, FeedbackKind::Comment)),
        n if n == mentioned => Some((ChangeVerb::Added, FeedbackKind::Mention)),
        _ => None,
    }
}

/// The text kept of a comment event: none once the comment is removed.
pub(crate) fn text_unless_removed(verb: ChangeVerb, text: Option<String>) -> Option<String> {
    text.filter(|_| verb != ChangeVerb::Removed)
}

/// The feedback `item` of `account` on `platform`, of `kind` (the rest filled in with
/// struct update syntax); either id unusable is why the change is not.
pub(crate) fn feedback_of(
    platform: Platform,
    account: &str,
    item: &str,
    kind: FeedbackKind,
    received_at: time::OffsetDateTime,
) -> Result<Feedback, String> {
    Ok(Feedback::new(
        platform,
        AccountId::parse(account).map_err(|e| e.to_string())?,
        ItemId::parse(item).map_err(|e| e.to_string())?,
        kind,
        received_at,
    ))
}
