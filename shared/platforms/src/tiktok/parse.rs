//! TikTok's envelope (documented) and the comment events inside it (assumed): `event`
//! `comment.create` / `comment.update` / `comment.delete` / `mention.create`; `content`, a
//! JSON string, with `comment_id`, `video_id`, `parent_comment_id`, `text`, `user_id`,
//! `username`, `create_time`. `user_openid` is the business account. Ids are kept only
//! when they are plain (letters, digits, `_ . -`), as they travel in reply requests.

use crate::json::{comment_event, feedback_of, text_unless_removed};
use crate::{ParsedDelivery, Unsupported};
use feedback::{Feedback, FeedbackChange, FeedbackKind};
use serde_json::Value;
use time::OffsetDateTime;

pub fn is_plain_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn text(v: &Value, name: &str) -> Option<String> {
    match v.get(name)? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn plain(v: &Value, name: &str) -> Option<String> {
    text(v, name).filter(|s| is_plain_id(s))
}

pub fn parse_delivery(body: &[u8], received_at: OffsetDateTime) -> ParsedDelivery {
    let mut out = ParsedDelivery::default();
    match event(body, received_at) {
        Ok(change) => out.changes.push(change),
        Err(reason) => out.unsupported.push(Unsupported { reason }),
    }
    out
}

fn event(body: &[u8], received_at: OffsetDateTime) -> Result<FeedbackChange, String> {
    let envelope: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let name = text(&envelope, "event").unwrap_or_default();
    let names = [
        "comment.create",
        "comment.update",
        "comment.delete",
        "mention.create",
    ];
    let (verb, kind) =
        comment_event(&name, names).ok_or_else(|| format!("event {name:?} is not handled"))?;
    let account = plain(&envelope, "user_openid").ok_or("no usable user_openid")?;
    // `content` is JSON inside a JSON string.
    let content: Value = envelope
        .get("content")
        .and_then(Value::as_str)
        .ok_or("content is not a string")
        .and_then(|s| serde_json::from_str(s).map_err(|_| "content is not JSON"))?;
    let comment = plain(&content, "comment_id").ok_or("no usable comment_id")?;
    let video = plain(&content, "video_id").ok_or("no usable video_id")?;
    let parent = plain(&content, "parent_comment_id").filter(|p| *p != comment && *p != "0");
    let author_id = plain(&content, "user_id");
    let created_at = content
        .get("create_time")
        .or_else(|| envelope.get("create_time"))
        .and_then(Value::as_i64)
        .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok());
    let kind = if kind == FeedbackKind::Comment && parent.is_some() {
        FeedbackKind::Reply
    } else {
        kind
    };
    let raw = serde_json::json!({"event": name, "user_openid": account, "create_time": envelope.get("create_time"), "content": content}).to_string();
    Ok(FeedbackChange {
        verb,
        feedback: Feedback {
            thread_id: Some(video),
            parent_id: parent,
            from_account: author_id.as_deref() == Some(account.as_str())
                || content.get("is_owner").and_then(Value::as_bool) == Some(true),
            author_id,
            author_name: text(&content, "username"),
            text: text_unless_removed(verb, text(&content, "text")),
            created_at,
            raw,
            ..feedback_of(super::PLATFORM, &account, &comment, kind, received_at)?
        },
    })
}
