//! Meta delivery parsing.
//!
//! ```json
//! {"object": "page" | "instagram",
//!  "entry": [{"id": "<page or IG account id>", "time": 1700000000,
//!             "changes": [{"field": "feed" | "comments" | "mentions", "value": {…}}]}]}
//! ```
//! Every entry and every change is handled; each usable change becomes one
//! [`FeedbackChange`], everything else one [`Unsupported`] with the reason.

use crate::{ParsedDelivery, Unsupported};
use feedback::{AccountId, ChangeVerb, Feedback, FeedbackChange, FeedbackKind, ItemId, Platform};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

#[derive(Deserialize)]
struct Envelope {
    object: Option<String>,
    #[serde(default)]
    entry: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
struct Entry {
    id: Option<Value>,
    #[serde(default)]
    changes: Option<Vec<Box<RawValue>>>,
    #[serde(default)]
    messaging: Option<Value>,
}

#[derive(Deserialize)]
struct Change {
    field: Option<String>,
    value: Option<Value>,
}

struct Context<'a> {
    platform: Platform,
    account_id: &'a AccountId,
    raw: &'a str,
    received_at: OffsetDateTime,
}

pub(crate) fn parse_delivery(body: &[u8], received_at: OffsetDateTime) -> ParsedDelivery {
    let mut out = ParsedDelivery::default();
    let unsupported = |out: &mut ParsedDelivery, reason: String| {
        out.unsupported.push(Unsupported { reason });
    };
    let envelope: Envelope = match serde_json::from_slice(body) {
        Ok(e) => e,
        Err(e) => {
            unsupported(&mut out, format!("body is not a Meta delivery: {e}"));
            return out;
        }
    };
    let platform = match envelope.object.as_deref() {
        Some("page") => Platform::Facebook,
        Some("instagram") => Platform::Instagram,
        Some(other) => {
            unsupported(&mut out, format!("object {other:?} is not handled"));
            return out;
        }
        None => {
            unsupported(&mut out, "delivery has no \"object\"".into());
            return out;
        }
    };
    if envelope.entry.is_empty() {
        unsupported(&mut out, "delivery has no entries".into());
    }
    for (e, raw_entry) in envelope.entry.iter().enumerate() {
        let entry: Entry = match serde_json::from_str(raw_entry.get()) {
            Ok(entry) => entry,
            Err(err) => {
                unsupported(&mut out, format!("entry {e} is malformed: {err}"));
                continue;
            }
        };
        let Some(account_id) = entry
            .id
            .as_ref()
            .and_then(id_string)
            .and_then(|id| AccountId::parse(id).ok())
        else {
            unsupported(&mut out, format!("entry {e} has no usable id"));
            continue;
        };
        if entry.messaging.is_some() {
            unsupported(
                &mut out,
                format!("entry {e}: messaging events are not handled"),
            );
        }
        let changes = entry.changes.unwrap_or_default();
        if changes.is_empty() {
            if entry.messaging.is_none() {
                unsupported(&mut out, format!("entry {e} has no changes"));
            }
            continue;
        }
        for (c, raw_change) in changes.iter().enumerate() {
            let ctx = Context {
                platform,
                account_id: &account_id,
                raw: raw_change.get(),
                received_at,
            };
            match parse_change(&ctx) {
                Ok(change) => out.changes.push(change),
                Err(reason) => unsupported(&mut out, format!("entry {e} change {c}: {reason}")),
            }
        }
    }
    out
}

fn parse_change(ctx: &Context<'_>) -> Result<FeedbackChange, String> {
    let change: Change =
        serde_json::from_str(ctx.raw).map_err(|e| format!("change is malformed: {e}"))?;
    let field = change.field.as_deref().unwrap_or_default();
    let value = change.value.ok_or("change has no value")?;
    match (ctx.platform, field) {
        (Platform::Facebook, "feed") => facebook_feed(ctx, &value),
        (Platform::Instagram, "comments") => instagram_comment(ctx, &value),
        (Platform::Instagram, "mentions") => instagram_mention(ctx, &value),
        (platform, field) => Err(format!("field {field:?} of {platform} is not handled")),
    }
}

fn facebook_feed(ctx: &Context<'_>, v: &Value) -> Result<FeedbackChange, String> {
    let item = str_field(v, "item").unwrap_or_default();
    if item != "comment" {
        return Err(format!("feed item {item:?} is not handled"));
    }
    let verb = match str_field(v, "verb").unwrap_or_default() {
        "add" => ChangeVerb::Added,
        "edited" | "edit" => ChangeVerb::Edited,
        "remove" => ChangeVerb::Removed,
        other => return Err(format!("feed verb {other:?} is not handled")),
    };
    let item_id = item_id(v, &["comment_id"])?;
    let thread_id = str_field(v, "post_id").map(str::to_owned);
    let parent_id = str_field(v, "parent_id").map(str::to_owned);
    let kind = match (&parent_id, &thread_id) {
        (Some(parent), Some(post)) if parent != post => FeedbackKind::Reply,
        _ => FeedbackKind::Comment,
    };
    let author_id = v.get("from").and_then(|f| f.get("id")).and_then(id_string);
    let from_account = author_id.as_deref() == Some(ctx.account_id.as_str());
    Ok(FeedbackChange {
        verb,
        feedback: Feedback {
            platform: Platform::Facebook,
            account_id: ctx.account_id.clone(),
            item_id,
            thread_id,
            parent_id,
            author_id,
            author_name: v
                .get("from")
                .and_then(|f| str_field(f, "name"))
                .map(str::to_owned),
            text: str_field(v, "message").map(str::to_owned),
            created_at: v.get("created_time").and_then(meta_time),
            kind,
            from_account,
            raw: ctx.raw.to_owned(),
            received_at: ctx.received_at,
        },
    })
}

fn instagram_comment(ctx: &Context<'_>, v: &Value) -> Result<FeedbackChange, String> {
    let item_id = item_id(v, &["id", "comment_id"])?;
    let parent_id = v.get("parent_id").and_then(id_string);
    let author_id = v.get("from").and_then(|f| f.get("id")).and_then(id_string);
    let from_account = author_id.as_deref() == Some(ctx.account_id.as_str());
    Ok(FeedbackChange {
        verb: ChangeVerb::Added,
        feedback: Feedback {
            platform: Platform::Instagram,
            account_id: ctx.account_id.clone(),
            item_id,
            thread_id: v.get("media").and_then(|m| m.get("id")).and_then(id_string),
            kind: if parent_id.is_some() {
                FeedbackKind::Reply
            } else {
                FeedbackKind::Comment
            },
            parent_id,
            author_id,
            author_name: v
                .get("from")
                .and_then(|f| str_field(f, "username"))
                .map(str::to_owned),
            text: str_field(v, "text").map(str::to_owned),
            created_at: v
                .get("timestamp")
                .or_else(|| v.get("created_time"))
                .and_then(meta_time),
            from_account,
            raw: ctx.raw.to_owned(),
            received_at: ctx.received_at,
        },
    })
}

fn instagram_mention(ctx: &Context<'_>, v: &Value) -> Result<FeedbackChange, String> {
    // A mention in a comment carries the comment id; a mention in a caption only the media.
    let item_id = item_id(v, &["comment_id", "media_id"])?;
    Ok(FeedbackChange {
        verb: ChangeVerb::Added,
        feedback: Feedback {
            platform: Platform::Instagram,
            account_id: ctx.account_id.clone(),
            item_id,
            thread_id: v.get("media_id").and_then(id_string),
            parent_id: None,
            author_id: None,
            author_name: None,
            text: str_field(v, "text").map(str::to_owned),
            created_at: None,
            kind: FeedbackKind::Mention,
            from_account: false,
            raw: ctx.raw.to_owned(),
            received_at: ctx.received_at,
        },
    })
}

fn str_field<'v>(v: &'v Value, name: &str) -> Option<&'v str> {
    v.get(name).and_then(Value::as_str)
}

/// Meta sends ids as strings, but test tools and some payloads send numbers.
fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) if n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

fn item_id(v: &Value, names: &[&str]) -> Result<ItemId, String> {
    let raw = names
        .iter()
        .find_map(|n| v.get(*n).and_then(id_string))
        .ok_or_else(|| format!("no {} in the change", names.join(" or ")))?;
    ItemId::parse(raw).map_err(|e| format!("item id: {e}"))
}

/// Meta times are unix seconds (feed webhooks) or ISO 8601 with a `+0000` offset (Graph).
fn meta_time(v: &Value) -> Option<OffsetDateTime> {
    match v {
        Value::Number(n) => OffsetDateTime::from_unix_timestamp(n.as_i64()?).ok(),
        Value::String(s) => OffsetDateTime::parse(s, &Rfc3339)
            .or_else(|_| {
                OffsetDateTime::parse(
                    s,
                    format_description!(
                        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
                    ),
                )
            })
            .ok(),
        _ => None,
    }
}
