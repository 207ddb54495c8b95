//! Meta delivery parsing.
//!
//! ```json
//! {"object": "page" | "instagram",
//!  "entry": [{"id": "<page or IG account id>", "time": 1700000000,
//!             "changes": [{"field": "feed" | "comments" | "mentions", "value": {…}}]}]}
//! ```
//! Every entry and every change is handled; each usable change becomes one
//! [`FeedbackChange`], everything else one [`Unsupported`] with the reason.
//!
//! Two further shapes appear in Meta's own examples (tests/contracts/meta): the envelope
//! wrapped in an array (`[{"object": …}]`), and an entry carrying `field`/`value` itself
//! instead of a `changes` list (Instagram's "Comments payload"). Both are read the same way.

use super::lenient::{List, Obj, Scalar, lenient_struct};
use super::{FACEBOOK, INSTAGRAM};
use crate::{ParsedDelivery, Unsupported};
use feedback::{AccountId, ChangeVerb, Feedback, FeedbackChange, FeedbackKind, ItemId, Platform};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use std::borrow::Cow;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

// One pass over the body reads the envelope and the entries and keeps each change's raw
// text (borrowed); a second pass over each change reads its fields. Every field is lenient
// (see `lenient`): one of an unexpected type reads as absent.

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    object: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    entry: Vec<Obj<Entry<'a>>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    id: Option<Scalar<'a>>,
    #[serde(borrow)]
    changes: Option<List<&'a RawValue>>,
    messaging: Option<IgnoredAny>,
    /// A change written on the entry itself (no `changes` list).
    #[serde(borrow)]
    field: Option<&'a RawValue>,
    #[serde(borrow)]
    value: Option<&'a RawValue>,
}

lenient_struct! {
    struct Change<'a> {
        scalars: [field],
        value: Obj<Value<'a>>,
    }
}

lenient_struct! {
    /// The fields of a change's `value` that any handled kind of change uses.
    struct Value<'a> {
        scalars: [
            item, verb, id, comment_id, media_id, post_id, parent_id, message, text,
            created_time, timestamp,
        ],
        from: Obj<Author<'a>>,
        media: Obj<Media<'a>>,
    }
}

lenient_struct! {
    struct Author<'a> {
        scalars: [id, name, username],
    }
}

lenient_struct! {
    struct Media<'a> {
        scalars: [id],
    }
}

/// Which of Meta's webhook objects a delivery is about.
#[derive(Clone, Copy)]
enum Object {
    Page,
    Instagram,
}

struct Context<'a> {
    object: Object,
    account_id: &'a AccountId,
    raw: &'a str,
    received_at: OffsetDateTime,
}

pub(crate) fn parse_delivery(body: &[u8], received_at: OffsetDateTime) -> ParsedDelivery {
    let mut out = ParsedDelivery::default();
    let is_array = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'[');
    if is_array {
        // Meta's examples show the envelope inside an array: each element is read alone.
        match serde_json::from_slice::<Vec<&RawValue>>(body) {
            Ok(envelopes) if envelopes.is_empty() => {
                unsupported(&mut out, "delivery is an empty list".into());
            }
            Ok(envelopes) => {
                for (n, raw) in envelopes.iter().enumerate() {
                    match serde_json::from_str::<Envelope>(raw.get()) {
                        Ok(envelope) => parse_envelope(envelope, received_at, &mut out),
                        Err(e) => unsupported(
                            &mut out,
                            format!("element {n} is not a Meta delivery: {e}"),
                        ),
                    }
                }
            }
            Err(e) => unsupported(&mut out, format!("body is not a Meta delivery: {e}")),
        }
        return out;
    }
    match serde_json::from_slice::<Envelope>(body) {
        Ok(envelope) => parse_envelope(envelope, received_at, &mut out),
        Err(e) => unsupported(&mut out, format!("body is not a Meta delivery: {e}")),
    }
    out
}

fn unsupported(out: &mut ParsedDelivery, reason: String) {
    out.unsupported.push(Unsupported { reason });
}

fn parse_envelope(envelope: Envelope<'_>, received_at: OffsetDateTime, out: &mut ParsedDelivery) {
    let object = match envelope.object.as_deref() {
        Some("page") => Object::Page,
        Some("instagram") => Object::Instagram,
        Some(other) => {
            unsupported(out, format!("object {other:?} is not handled"));
            return;
        }
        None => {
            unsupported(out, "delivery has no \"object\"".into());
            return;
        }
    };
    if envelope.entry.is_empty() {
        unsupported(out, "delivery has no entries".into());
    }
    for (e, entry) in envelope.entry.into_iter().enumerate() {
        let Some(entry) = entry.into_inner() else {
            unsupported(out, format!("entry {e} is not an object"));
            continue;
        };
        let Some(account_id) = entry
            .id
            .as_ref()
            .and_then(Scalar::to_id)
            .and_then(|id| AccountId::parse(id).ok())
        else {
            unsupported(out, format!("entry {e} has no usable id"));
            continue;
        };
        if entry.messaging.is_some() {
            unsupported(out, format!("entry {e}: messaging events are not handled"));
        }
        let changes: Vec<Cow<'_, str>> = match (entry.changes, entry.field, entry.value) {
            (Some(List(Some(changes))), _, _) => {
                changes.iter().map(|c| Cow::Borrowed(c.get())).collect()
            }
            (Some(List(None)), _, _) => {
                unsupported(out, format!("entry {e}: changes is not a list"));
                continue;
            }
            // One change written on the entry itself, kept as `{"field":…,"value":…}`.
            (None, Some(field), Some(value)) => vec![Cow::Owned(format!(
                "{{\"field\":{},\"value\":{}}}",
                field.get(),
                value.get()
            ))],
            (None, _, _) => Vec::new(),
        };
        if changes.is_empty() {
            if entry.messaging.is_none() {
                unsupported(out, format!("entry {e} has no changes"));
            }
            continue;
        }
        for (c, raw_change) in changes.iter().enumerate() {
            let ctx = Context {
                object,
                account_id: &account_id,
                raw: raw_change,
                received_at,
            };
            match parse_change(&ctx) {
                Ok(change) => out.changes.push(change),
                Err(reason) => unsupported(out, format!("entry {e} change {c}: {reason}")),
            }
        }
    }
}

fn parse_change(ctx: &Context<'_>) -> Result<FeedbackChange, String> {
    let change: Change =
        serde_json::from_str(ctx.raw).map_err(|e| format!("change is malformed: {e}"))?;
    let field = change
        .field
        .as_ref()
        .and_then(Scalar::as_str)
        .unwrap_or_default();
    let value = change
        .value
        .and_then(Obj::into_inner)
        .ok_or("change has no value object")?;
    match (ctx.object, field) {
        (Object::Page, "feed") => facebook_feed(ctx, value),
        (Object::Instagram, "comments") => instagram_comment(ctx, value),
        (Object::Instagram, "mentions") => instagram_mention(ctx, value),
        (Object::Page, field) => Err(format!("field {field:?} of page is not handled")),
        (Object::Instagram, field) => Err(format!("field {field:?} of instagram is not handled")),
    }
}

impl Context<'_> {
    /// The feedback of this change, on `platform`: its raw text and the delivery's account
    /// and time of receipt; the rest is filled in with struct update syntax.
    fn feedback(&self, platform: Platform, item_id: ItemId, kind: FeedbackKind) -> Feedback {
        Feedback {
            raw: self.raw.to_owned(),
            ..Feedback::new(
                platform,
                self.account_id.clone(),
                item_id,
                kind,
                self.received_at,
            )
        }
    }

    /// Who wrote a change (`from`), the id of that author, and whether it is the account
    /// itself.
    fn author<'v>(
        &self,
        from: Option<Obj<Author<'v>>>,
    ) -> (Option<Author<'v>>, Option<String>, bool) {
        let from = from.and_then(Obj::into_inner);
        let author_id = from
            .as_ref()
            .and_then(|f| f.id.as_ref())
            .and_then(Scalar::to_id);
        let from_account = author_id.as_deref() == Some(self.account_id.as_str());
        (from, author_id, from_account)
    }
}

fn facebook_feed(ctx: &Context<'_>, v: Value<'_>) -> Result<FeedbackChange, String> {
    let item = str_of(&v.item);
    if item != "comment" {
        return Err(format!("feed item {item:?} is not handled"));
    }
    let verb = match str_of(&v.verb) {
        "add" => ChangeVerb::Added,
        "edited" | "edit" => ChangeVerb::Edited,
        "remove" => ChangeVerb::Removed,
        other => return Err(format!("feed verb {other:?} is not handled")),
    };
    let item_id = item_id(&[("comment_id", &v.comment_id)])?;
    let thread_id = v.post_id.as_ref().and_then(Scalar::to_id);
    let parent_id = v.parent_id.as_ref().and_then(Scalar::to_id);
    let kind = match (&parent_id, &thread_id) {
        (Some(parent), Some(post)) if parent != post => FeedbackKind::Reply,
        _ => FeedbackKind::Comment,
    };
    let (from, author_id, from_account) = ctx.author(v.from);
    Ok(FeedbackChange {
        verb,
        feedback: Feedback {
            thread_id,
            parent_id,
            author_id,
            author_name: from.and_then(|f| f.name).and_then(Scalar::into_string),
            text: v.message.and_then(Scalar::into_string),
            created_at: v.created_time.as_ref().and_then(meta_time),
            from_account,
            ..ctx.feedback(FACEBOOK, item_id, kind)
        },
    })
}

fn instagram_comment(ctx: &Context<'_>, v: Value<'_>) -> Result<FeedbackChange, String> {
    let item_id = item_id(&[("id", &v.id), ("comment_id", &v.comment_id)])?;
    let parent_id = v.parent_id.as_ref().and_then(Scalar::to_id);
    let (from, author_id, from_account) = ctx.author(v.from);
    let thread_id = v
        .media
        .and_then(Obj::into_inner)
        .and_then(|m| m.id)
        .as_ref()
        .and_then(Scalar::to_id);
    let kind = if parent_id.is_some() {
        FeedbackKind::Reply
    } else {
        FeedbackKind::Comment
    };
    Ok(FeedbackChange {
        verb: ChangeVerb::Added,
        feedback: Feedback {
            thread_id,
            parent_id,
            author_id,
            author_name: from.and_then(|f| f.username).and_then(Scalar::into_string),
            text: v.text.and_then(Scalar::into_string),
            created_at: v.timestamp.or(v.created_time).as_ref().and_then(meta_time),
            from_account,
            ..ctx.feedback(INSTAGRAM, item_id, kind)
        },
    })
}

fn instagram_mention(ctx: &Context<'_>, v: Value<'_>) -> Result<FeedbackChange, String> {
    // A mention in a comment carries the comment id; a mention in a caption only the media.
    let item_id = item_id(&[("comment_id", &v.comment_id), ("media_id", &v.media_id)])?;
    Ok(FeedbackChange {
        verb: ChangeVerb::Added,
        feedback: Feedback {
            thread_id: v.media_id.as_ref().and_then(Scalar::to_id),
            text: v.text.and_then(Scalar::into_string),
            ..ctx.feedback(INSTAGRAM, item_id, FeedbackKind::Mention)
        },
    })
}

/// The text of a string field; empty when absent or not a string.
fn str_of<'v>(field: &'v Option<Scalar<'_>>) -> &'v str {
    field.as_ref().and_then(Scalar::as_str).unwrap_or_default()
}

/// The first usable id among the named fields.
fn item_id(fields: &[(&str, &Option<Scalar<'_>>)]) -> Result<ItemId, String> {
    let raw = fields
        .iter()
        .find_map(|(_, v)| v.as_ref().and_then(Scalar::to_id))
        .ok_or_else(|| {
            let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
            format!("no {} in the change", names.join(" or "))
        })?;
    ItemId::parse(raw).map_err(|e| format!("item id: {e}"))
}

/// Meta times are unix seconds (feed webhooks) or ISO 8601 with a `+0000` offset (Graph).
fn meta_time(v: &Scalar<'_>) -> Option<OffsetDateTime> {
    match v {
        Scalar::Int(n) => OffsetDateTime::from_unix_timestamp(*n).ok(),
        Scalar::UInt(n) => OffsetDateTime::from_unix_timestamp(i64::try_from(*n).ok()?).ok(),
        Scalar::Str(s) => OffsetDateTime::parse(s, &Rfc3339)
            .or_else(|_| {
                OffsetDateTime::parse(
                    s,
                    format_description!(
                        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
                    ),
                )
            })
            .ok(),
        Scalar::Other => None,
    }
}
