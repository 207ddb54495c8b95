//! LinkedIn's organization social action notifications (assumed shape, see
//! `tests/contracts/linkedin/README.md`): `{"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS",
//! "notifications": [{"notificationId", "action", "organizationalEntity", "sourcePost",
//! "generatedActivity", "decoratedGeneratedActivity": {"comment"|"share": {"text", "entity"
//! | "owner", "commenter" | "actor"}}, "lastModifiedAt"}]}` (batches of up to 10). A single
//! notification object without the list is read too.

use crate::json::{comment_event, delivery_body, feedback_of, text, text_unless_removed};
use crate::{ParsedDelivery, Unsupported};
use feedback::{Feedback, FeedbackChange, FeedbackKind};
use serde_json::Value;
use time::OffsetDateTime;

/// A URN of the kind given (`urn:li:{kind}:…`), printable and without `#`.
pub fn urn_of(v: &Value, name: &str, kinds: &[&str]) -> Option<String> {
    text(v, name).filter(|u| {
        u.len() <= 256
            && u.bytes().all(|b| b.is_ascii_graphic() && b != b'#')
            && kinds.iter().any(|k| u.starts_with(&format!("urn:li:{k}:")))
    })
}

/// The activity a comment URN belongs to: `urn:li:comment:(urn:li:activity:1,2)` →
/// `urn:li:activity:1`.
pub fn activity_of_comment(comment: &str) -> Option<&str> {
    let inner = comment
        .strip_prefix("urn:li:comment:(")?
        .strip_suffix(')')?;
    let (activity, _) = inner.rsplit_once(',')?;
    Some(activity)
}

/// Where staff can see the post (built from the URN, never taken from the body).
pub fn post_url(post: &str) -> String {
    format!("https://www.linkedin.com/feed/update/{post}/")
}

pub fn parse_delivery(body: &[u8], received_at: OffsetDateTime) -> ParsedDelivery {
    let v = match delivery_body(body) {
        Ok(v) => v,
        Err(unreadable) => return unreadable,
    };
    let mut out = ParsedDelivery::default();
    let notifications: Vec<&Value> = match v.get("notifications").and_then(Value::as_array) {
        Some(list) => list.iter().collect(),
        None if v.get("action").is_some() => vec![&v],
        None => Vec::new(),
    };
    if notifications.is_empty() {
        out.unsupported.push(Unsupported {
            reason: "no notifications in the delivery".into(),
        });
    }
    for (i, n) in notifications.into_iter().enumerate() {
        match notification(n, received_at) {
            Ok(change) => out.changes.push(change),
            Err(reason) => out.unsupported.push(Unsupported {
                reason: format!("notification {i}: {reason}"),
            }),
        }
    }
    out
}

fn notification(n: &Value, received_at: OffsetDateTime) -> Result<FeedbackChange, String> {
    let action = text(n, "action").unwrap_or_default();
    let names = ["COMMENT", "COMMENT_EDIT", "COMMENT_DELETE", "SHARE_MENTION"];
    let (verb, kind) =
        comment_event(&action, names).ok_or_else(|| format!("action {action:?} is not handled"))?;
    let organization =
        urn_of(n, "organizationalEntity", &["organization"]).ok_or("no organizationalEntity")?;
    let decorated = &n["decoratedGeneratedActivity"];
    let (item, content) = if kind == FeedbackKind::Mention {
        (
            urn_of(n, "generatedActivity", &["share", "ugcPost", "activity"]),
            &decorated["share"],
        )
    } else {
        (
            urn_of(n, "generatedActivity", &["comment"]),
            &decorated["comment"],
        )
    };
    let item = item.ok_or("no usable generatedActivity URN")?;
    let post = urn_of(n, "sourcePost", &["share", "ugcPost", "activity"]);
    let author = urn_of(content, "commenter", &["person", "organization"])
        .or_else(|| urn_of(content, "owner", &["person", "organization"]))
        .or_else(|| urn_of(content, "actor", &["person", "organization"]));
    let parent = urn_of(content, "parentComment", &["comment"]);
    let text = text(content, "text").or_else(|| text(&content["message"], "text"));
    let created_at = n
        .get("lastModifiedAt")
        .and_then(Value::as_i64)
        .and_then(|ms| OffsetDateTime::from_unix_timestamp(ms / 1000).ok());
    let url = match kind {
        FeedbackKind::Mention => Some(post_url(&item)),
        _ => post.as_deref().map(post_url),
    };
    let raw = serde_json::json!({
        "notificationId": n.get("notificationId"),
        "action": action,
        "organizationalEntity": organization,
        "sourcePost": post,
        "generatedActivity": item,
        "text": text,
        "author": author,
    })
    .to_string();
    let kind = if kind == FeedbackKind::Comment && parent_is_set(content) {
        FeedbackKind::Reply
    } else {
        kind
    };
    Ok(FeedbackChange {
        verb,
        feedback: Feedback {
            thread_id: post,
            from_account: author.as_deref() == Some(organization.as_str()),
            author_id: author,
            parent_id: parent,
            text: text_unless_removed(verb, text),
            url,
            created_at,
            raw,
            ..feedback_of(super::PLATFORM, &organization, &item, kind, received_at)?
        },
    })
}

fn parent_is_set(content: &Value) -> bool {
    urn_of(content, "parentComment", &["comment"]).is_some()
}
