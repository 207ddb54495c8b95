//! A Pub/Sub push: `{"message": {"data": "<base64 JSON>", "messageId", "publishTime",
//! "attributes"}, "subscription"}`. The decoded data names the review and the location;
//! both spellings Google documents are read, and the type under any of its three names.

use crate::id_only_feedback;
use crate::{ParsedDelivery, Unsupported};
use base64::Engine;
use feedback::{AccountId, ChangeVerb, FeedbackChange, FeedbackKind, ItemId};
use serde_json::Value;
use time::OffsetDateTime;

/// `accounts/{a}/locations/{l}/reviews/{r}`: digits for the account and location, a
/// URL-safe id for the review. Anything else is refused, so a name can only ever address
/// a review.
pub fn is_review_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    let digits = |s: &str| !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_digit());
    let id = |s: &str| {
        !s.is_empty()
            && s.len() <= 200
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    matches!(parts.as_slice(), ["accounts", a, "locations", l, "reviews", r] if digits(a) && digits(l) && id(r))
}

/// The location part of a review name.
fn location_of(review: &str) -> Option<&str> {
    review.rfind("/reviews/").map(|i| &review[..i])
}

fn field<'v>(data: &'v Value, names: &[&str]) -> Option<&'v str> {
    names
        .iter()
        .find_map(|n| data.get(*n).and_then(Value::as_str))
}

pub fn parse_push(body: &[u8], received_at: OffsetDateTime) -> ParsedDelivery {
    let mut out = ParsedDelivery::default();
    let unsupported = |reason: String| {
        let mut out = ParsedDelivery::default();
        out.unsupported.push(Unsupported { reason });
        out
    };
    let push: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return unsupported(format!("not a Pub/Sub push: {e}")),
    };
    let Some(data) = push
        .get("message")
        .and_then(|m| m.get("data"))
        .and_then(Value::as_str)
    else {
        return unsupported("the push has no message.data".into());
    };
    let decoded = match base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(data.trim()))
    {
        Ok(bytes) => bytes,
        Err(_) => return unsupported("message.data is not base64".into()),
    };
    let data: Value = match serde_json::from_slice(&decoded) {
        Ok(v) => v,
        Err(e) => return unsupported(format!("message.data is not JSON: {e}")),
    };
    let kind = field(&data, &["notificationType", "type", "notification_type"]);
    let verb = match kind {
        Some("NEW_REVIEW") => ChangeVerb::Added,
        // Updated, or not said: new when we do not know the review, fetched again when we
        // do (the store decides, since only it knows).
        Some("UPDATED_REVIEW") | None => ChangeVerb::Edited,
        Some(other) => return unsupported(format!("notification type {other:?} is not handled")),
    };
    let Some(review) = field(&data, &["reviewName", "review_name"]) else {
        return unsupported("the notification names no review".into());
    };
    if !is_review_name(review) {
        return unsupported("the review name is not accounts/…/locations/…/reviews/…".into());
    }
    let location = field(&data, &["locationName", "location_name"])
        .filter(|l| Some(*l) == location_of(review))
        .or_else(|| location_of(review));
    let (Ok(item_id), Some(Ok(account_id))) =
        (ItemId::parse(review), location.map(AccountId::parse))
    else {
        return unsupported("the review or location name is not usable as an id".into());
    };
    out.changes.push(FeedbackChange {
        verb,
        feedback: id_only_feedback(
            super::PLATFORM,
            account_id,
            item_id,
            FeedbackKind::Review,
            String::from_utf8_lossy(&decoded).into_owned(),
            received_at,
        ),
    });
    out
}
