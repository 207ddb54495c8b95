//! Feedback records to and from DynamoDB items.

use crate::keys::*;
use crate::{FeedbackRecord, PreviousRating, PreviousText, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;
use feedback::records::{Decision, RecordType};
use feedback::{AccountId, Feedback, FeedbackKind, ItemId, Platform, Rating};
use std::collections::HashMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(crate) fn ts(t: OffsetDateTime) -> String {
    // RFC 3339 in UTC sorts lexicographically by time, which the indexes rely on.
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The platform's JSON of one change is kept up to this size (a comment's is a few KB).
pub(crate) const MAX_RAW_BYTES: usize = 64 * 1024;

pub(crate) use feedback::text::capped;

/// The complete item of a new feedback record.
pub(crate) fn feedback_item(f: &Feedback, edited: bool, removed: bool) -> Item {
    // Sized once (at most 22 attributes) and the receive time formatted once: this is on the
    // ingest hot path (see bench/results.md).
    let mut item = Item::with_capacity(22);
    let received = ts(f.received_at);
    item.insert(PK.into(), s(feedback_pk(&f.platform, &f.item_id)));
    item.insert(SK.into(), s(FEEDBACK_SK));
    item.insert(RECORD_TYPE.into(), s(RecordType::Feedback.as_str()));
    item.insert(GSI2_PK.into(), s(feedback_by_time_pk(&f.platform)));
    item.insert(GSI2_SK.into(), s(format!("{received}#{}", f.item_id)));
    item.insert("platform".into(), s(f.platform.as_str()));
    item.insert("account_id".into(), s(f.account_id.as_str()));
    item.insert("item_id".into(), s(f.item_id.as_str()));
    item.insert("kind".into(), s(f.kind.as_str()));
    item.insert("from_account".into(), AttributeValue::Bool(f.from_account));
    item.insert("raw".into(), s(capped(&f.raw, MAX_RAW_BYTES)));
    let optional = [
        ("thread_id", f.thread_id.as_deref()),
        ("parent_id", f.parent_id.as_deref()),
        ("author_id", f.author_id.as_deref()),
        ("author_name", f.author_name.as_deref()),
        ("text", f.text.as_deref()),
        ("url", f.url.as_deref()),
        ("language_hint", f.language.as_deref()),
    ];
    for (name, value) in optional {
        if let Some(v) = value {
            item.insert(name.into(), s(v));
        }
    }
    if let Some(rating) = f.rating {
        item.insert("rating".into(), n(rating.stars()));
    }
    if let Some(created) = f.created_at {
        item.insert("created_at".into(), s(ts(created)));
    }
    item.insert("edited".into(), AttributeValue::Bool(edited));
    item.insert("removed".into(), AttributeValue::Bool(removed));
    if removed {
        item.insert("removed_at".into(), s(received.clone()));
    }
    item.insert("updated_at".into(), s(received.clone()));
    item.insert("received_at".into(), s(received));
    item
}

pub(crate) fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub(crate) fn get_rating(item: &Item, name: &str) -> Option<Rating> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().ok().and_then(|stars| Rating::new(stars).ok()),
        _ => None,
    }
}

pub(crate) fn rating_entry(rating: Rating, replaced_at: OffsetDateTime) -> AttributeValue {
    AttributeValue::M(HashMap::from([
        ("rating".to_owned(), n(rating.stars())),
        ("replaced_at".to_owned(), s(ts(replaced_at))),
    ]))
}

pub(crate) fn history_ratings(item: &Item) -> Vec<PreviousRating> {
    list_of(item, "rating_history", |m| {
        Some(PreviousRating {
            rating: get_rating(m, "rating")?,
            replaced_at: parse_ts(get_str(m, "replaced_at")?)?,
        })
    })
}

/// The entries of the list attribute `name` that `entry` reads (maps it cannot read are
/// passed over), in order; none when the attribute is absent.
pub(crate) fn list_of<T>(item: &Item, name: &str, entry: impl Fn(&Item) -> Option<T>) -> Vec<T> {
    let Some(AttributeValue::L(entries)) = item.get(name) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|e| match e {
            AttributeValue::M(m) => entry(m),
            _ => None,
        })
        .collect()
}

pub(crate) fn history_entry(text: &str, replaced_at: OffsetDateTime) -> AttributeValue {
    AttributeValue::M(HashMap::from([
        ("text".to_owned(), s(text)),
        ("replaced_at".to_owned(), s(ts(replaced_at))),
    ]))
}

pub(crate) fn get_str<'i>(item: &'i Item, name: &str) -> Option<&'i str> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Some(v),
        _ => None,
    }
}

/// The stored value of attribute `name`, read with `parse`; when it is missing or
/// unreadable the item is corrupt, and `what` says which value in the error.
pub(crate) fn parsed<T>(
    item: &Item,
    name: &str,
    parse: impl FnOnce(&str) -> Option<T>,
    what: &str,
) -> Result<T, StoreError> {
    get_str(item, name)
        .and_then(parse)
        .ok_or_else(|| StoreError::Corrupt {
            key: get_str(item, PK).unwrap_or("?").to_owned(),
            reason: what.to_owned(),
        })
}

/// A record this call just found or created is not there when read back.
pub(crate) fn vanished(pk: String, what: &str) -> StoreError {
    StoreError::Corrupt {
        key: pk,
        reason: format!("{what} vanished after create"),
    }
}

pub(crate) fn get_bool(item: &Item, name: &str) -> bool {
    matches!(item.get(name), Some(AttributeValue::Bool(true)))
}

pub(crate) fn parse_ts(v: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(v, &Rfc3339).ok()
}

pub(crate) fn history_texts(item: &Item) -> Vec<PreviousText> {
    list_of(item, "text_history", |m| {
        Some(PreviousText {
            text: get_str(m, "text")?.to_owned(),
            replaced_at: parse_ts(get_str(m, "replaced_at")?)?,
        })
    })
}

pub(crate) fn feedback_record(item: &Item) -> Result<FeedbackRecord, StoreError> {
    let key = get_str(item, PK).unwrap_or("?").to_owned();
    let corrupt = |reason: &str| StoreError::Corrupt {
        key: key.clone(),
        reason: reason.to_owned(),
    };
    let required =
        |name: &str| get_str(item, name).ok_or_else(|| corrupt(&format!("{name} is missing")));
    let opt = |name: &str| get_str(item, name).map(str::to_owned);
    let feedback = Feedback {
        platform: Platform::parse(required("platform")?).map_err(|_| corrupt("platform"))?,
        account_id: AccountId::parse(required("account_id")?).map_err(|_| corrupt("account_id"))?,
        item_id: ItemId::parse(required("item_id")?).map_err(|_| corrupt("item_id"))?,
        thread_id: opt("thread_id"),
        parent_id: opt("parent_id"),
        author_id: opt("author_id"),
        author_name: opt("author_name"),
        text: opt("text"),
        rating: get_rating(item, "rating"),
        url: opt("url"),
        language: opt("language_hint"),
        created_at: get_str(item, "created_at").and_then(parse_ts),
        kind: FeedbackKind::parse(required("kind")?).ok_or_else(|| corrupt("kind"))?,
        from_account: get_bool(item, "from_account"),
        raw: required("raw")?.to_owned(),
        received_at: parse_ts(required("received_at")?).ok_or_else(|| corrupt("received_at"))?,
    };
    Ok(FeedbackRecord {
        feedback,
        edited: get_bool(item, "edited"),
        text_history: history_texts(item),
        rating_history: history_ratings(item),
        removed: get_bool(item, "removed"),
        removed_at: get_str(item, "removed_at").and_then(parse_ts),
        decision: get_str(item, "decision").and_then(Decision::parse),
        label: opt("label"),
        language: opt("language"),
        confidence: opt("confidence"),
    })
}

/// A stored item as JSON: strings, numbers, booleans, lists, maps and string sets.
#[cfg_attr(not(feature = "local"), allow(dead_code))]
pub(crate) fn item_json(item: &Item) -> serde_json::Value {
    use serde_json::{Map, Value};
    fn value(v: &AttributeValue) -> Value {
        match v {
            AttributeValue::S(s) => Value::String(s.clone()),
            AttributeValue::N(n) => n
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| n.parse::<f64>().map(Value::from))
                .unwrap_or_else(|_| Value::String(n.clone())),
            AttributeValue::Bool(b) => Value::Bool(*b),
            AttributeValue::L(l) => Value::Array(l.iter().map(value).collect()),
            AttributeValue::M(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), value(v))).collect())
            }
            AttributeValue::Ss(ss) => Value::Array(ss.iter().cloned().map(Value::String).collect()),
            AttributeValue::Null(_) => Value::Null,
            _ => Value::String("<binary>".into()),
        }
    }
    let mut out = Map::new();
    let mut keys: Vec<_> = item.keys().collect();
    keys.sort();
    for k in keys {
        out.insert(k.clone(), value(&item[k]));
    }
    Value::Object(out)
}
