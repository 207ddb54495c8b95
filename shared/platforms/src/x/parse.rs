//! X deliveries: the X Activity API envelope `{"data": {"event_type", "filter": {"user_id"},
//! "payload": <Post>, "includes": {"users"}}}` (`post.mention.create`, `post.reply.create`),
//! and the Account Activity API's `{"for_user_id", "tweet_create_events": [...],
//! "tweet_delete_events": [...]}`. The account is `filter.user_id` / `for_user_id`; a post
//! by the account itself is stored as its own (never answered). Post ids are digits.

use crate::id_only_feedback;
use crate::json::{delivery_body, text};
use crate::{ParsedDelivery, Unsupported};
use feedback::{AccountId, ChangeVerb, Feedback, FeedbackChange, FeedbackKind, ItemId};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// X ids are decimal digits (snowflakes).
pub fn is_x_id(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

fn id(v: &Value, name: &str) -> Option<String> {
    text(v, name).filter(|s| is_x_id(s))
}

/// Where staff can see a post (built from the id, never taken from the body).
pub fn post_url(post_id: &str) -> String {
    format!("https://x.com/i/web/status/{post_id}")
}

struct Post {
    id: String,
    text: Option<String>,
    author_id: Option<String>,
    author_name: Option<String>,
    in_reply_to: Option<String>,
    conversation: Option<String>,
    created_at: Option<OffsetDateTime>,
    language: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn change(
    account: &str,
    post: Post,
    kind: FeedbackKind,
    raw: String,
    received_at: OffsetDateTime,
) -> Result<FeedbackChange, String> {
    let account_id = AccountId::parse(account).map_err(|e| format!("account: {e}"))?;
    let item_id = ItemId::parse(post.id.as_str()).map_err(|e| format!("post id: {e}"))?;
    let from_account = post.author_id.as_deref() == Some(account);
    Ok(FeedbackChange {
        verb: ChangeVerb::Added,
        feedback: Feedback {
            platform: super::PLATFORM,
            account_id,
            url: Some(post_url(&post.id)),
            item_id,
            thread_id: post.conversation,
            parent_id: post.in_reply_to,
            author_id: post.author_id,
            author_name: post.author_name,
            text: post.text,
            rating: None,
            language: post.language.filter(|l| l != "und"),
            created_at: post.created_at,
            kind,
            from_account,
            raw,
            received_at,
        },
    })
}

pub fn parse_delivery(body: &[u8], received_at: OffsetDateTime) -> ParsedDelivery {
    let v = match delivery_body(body) {
        Ok(v) => v,
        Err(unreadable) => return unreadable,
    };
    let mut out = ParsedDelivery::default();
    if let Some(data) = v.get("data").filter(|d| d.get("event_type").is_some()) {
        activity_event(data, received_at, &mut out);
    } else if v.get("for_user_id").is_some() {
        account_activity(&v, received_at, &mut out);
    } else {
        out.unsupported.push(Unsupported {
            reason: "neither an X Activity event nor an Account Activity delivery".into(),
        });
    }
    out
}

/// One X Activity API event.
fn activity_event(data: &Value, received_at: OffsetDateTime, out: &mut ParsedDelivery) {
    let event_type = text(data, "event_type").unwrap_or_default();
    let kind = match event_type.as_str() {
        "post.mention.create" => FeedbackKind::Mention,
        "post.reply.create" => FeedbackKind::Reply,
        other => {
            out.unsupported.push(Unsupported {
                reason: format!("event {other:?} is not handled"),
            });
            return;
        }
    };
    let payload = &data["payload"];
    let (Some(account), Some(post_id)) = (id(&data["filter"], "user_id"), id(payload, "id")) else {
        out.unsupported.push(Unsupported {
            reason: format!("{event_type}: no usable filter.user_id or post id"),
        });
        return;
    };
    let author_id = id(payload, "author_id");
    let author = data["includes"]["users"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| author_id.is_some() && text(u, "id") == author_id);
    let post = Post {
        id: post_id,
        text: text(payload, "text"),
        author_name: author.and_then(|u| text(u, "username")),
        author_id,
        in_reply_to: id(payload, "in_reply_to_tweet_id"),
        conversation: id(payload, "conversation_id"),
        created_at: text(payload, "created_at")
            .and_then(|t| OffsetDateTime::parse(&t, &Rfc3339).ok()),
        language: text(payload, "lang"),
    };
    let raw = serde_json::json!({"event_type": event_type, "event_uuid": data.get("event_uuid"), "filter": data.get("filter"), "payload": payload}).to_string();
    match change(&account, post, kind, raw, received_at) {
        Ok(c) => out.changes.push(c),
        Err(reason) => out.unsupported.push(Unsupported { reason }),
    }
}

/// The Account Activity API's shape: every tweet event concerning the account.
fn account_activity(v: &Value, received_at: OffsetDateTime, out: &mut ParsedDelivery) {
    let Some(account) = id(v, "for_user_id") else {
        out.unsupported.push(Unsupported {
            reason: "for_user_id is not an X id".into(),
        });
        return;
    };
    let mut seen = false;
    for (i, tweet) in v["tweet_create_events"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        seen = true;
        let Some(post_id) = id(tweet, "id_str") else {
            out.unsupported.push(Unsupported {
                reason: format!("tweet_create_events[{i}]: no id_str"),
            });
            continue;
        };
        let in_reply_to = id(tweet, "in_reply_to_status_id_str");
        let kind = if in_reply_to.is_some() {
            FeedbackKind::Reply
        } else {
            FeedbackKind::Mention
        };
        let created_at = text(tweet, "created_at").and_then(|t| {
            let format = time::macros::format_description!(
                "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute] [year]"
            );
            OffsetDateTime::parse(&t, format).ok()
        });
        let post = Post {
            id: post_id,
            text: text(&tweet["extended_tweet"], "full_text").or_else(|| text(tweet, "text")),
            author_id: id(&tweet["user"], "id_str"),
            author_name: text(&tweet["user"], "screen_name"),
            in_reply_to,
            conversation: None,
            created_at,
            language: text(tweet, "lang"),
        };
        match change(&account, post, kind, tweet.to_string(), received_at) {
            Ok(c) => out.changes.push(c),
            Err(reason) => out.unsupported.push(Unsupported { reason }),
        }
    }
    for deleted in v["tweet_delete_events"].as_array().into_iter().flatten() {
        seen = true;
        let (Some(post_id), Ok(account_id)) = (
            id(&deleted["status"], "id"),
            AccountId::parse(account.as_str()),
        ) else {
            out.unsupported.push(Unsupported {
                reason: "tweet_delete_events: no usable status id".into(),
            });
            continue;
        };
        let Ok(item_id) = ItemId::parse(post_id.as_str()) else {
            continue;
        };
        out.changes.push(FeedbackChange {
            verb: ChangeVerb::Removed,
            feedback: Feedback {
                author_id: id(&deleted["status"], "user_id"),
                url: Some(post_url(&post_id)),
                ..id_only_feedback(
                    super::PLATFORM,
                    account_id,
                    item_id,
                    FeedbackKind::Mention,
                    deleted.to_string(),
                    received_at,
                )
            },
        });
    }
    if !seen {
        out.unsupported.push(Unsupported {
            reason: "an Account Activity delivery without tweet events (likes, follows, DMs…)"
                .into(),
        });
    }
}
