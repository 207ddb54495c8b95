//! Reading the notifications API: mentions into feedback, HTML into text, the Link header
//! into the next page.

use super::{Account, PLATFORM};
use crate::polling::{PolledReview, ReviewPage};
use feedback::{AccountId, Feedback, FeedbackKind, ItemId};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Who a status is shown to, as Mastodon names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Unlisted,
    Private,
    Direct,
}

impl Visibility {
    pub fn parse(s: &str) -> Option<Visibility> {
        match s {
            "public" => Some(Visibility::Public),
            "unlisted" => Some(Visibility::Unlisted),
            "private" => Some(Visibility::Private),
            "direct" => Some(Visibility::Direct),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
        }
    }

    /// How we answer a status shown so: never to more people than the customer chose.
    /// `public` is answered `unlisted`: the answer belongs to the conversation (anyone who
    /// opens it sees it) without being pushed to the public timelines. `private`
    /// (followers-only) is answered `direct`: a followers-only answer from the business
    /// would reach the business's followers, who were not the customer's audience.
    /// Unknown: `direct`.
    pub fn of_reply(customer: Option<Visibility>) -> Visibility {
        match customer {
            Some(Visibility::Public | Visibility::Unlisted) => Visibility::Unlisted,
            Some(Visibility::Private | Visibility::Direct) | None => Visibility::Direct,
        }
    }
}

/// A status's HTML as plain text: tags dropped (`<br>` a line break, a paragraph end a
/// blank line), entities decoded, blank lines collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            // A lone `<`: text, not a tag.
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close]
            .trim()
            .trim_end_matches('/')
            .trim()
            .to_ascii_lowercase();
        let name = tag.split_whitespace().next().unwrap_or_default();
        match name {
            "br" => out.push('\n'),
            "/p" | "/blockquote" | "/li" => out.push_str("\n\n"),
            _ => {}
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let decoded = decode_entities(&out);
    let mut text = String::with_capacity(decoded.len());
    let mut blank_run = 0;
    for line in decoded.split('\n') {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_run += 1;
            continue;
        }
        if !text.is_empty() {
            text.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        text.push_str(line);
    }
    text.trim().to_owned()
}

/// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;` and numeric references decoded;
/// anything else kept as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e > 0 && e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse::<u32>().ok()?,
                    };
                    char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace())
                }
            }?;
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` without the mentions of `account` it starts with (`@shop`, `@shop@server`).
pub fn without_leading_mentions(text: &str, account: &Account) -> String {
    let mut rest = text.trim_start();
    while let Some(mention) = rest.strip_prefix('@') {
        let end = mention.find(char::is_whitespace).unwrap_or(mention.len());
        let handle = mention[..end].trim_end_matches([',', ':']);
        if !account.is(handle) {
            break;
        }
        rest = mention[end..].trim_start();
    }
    rest.to_owned()
}

fn time_of(v: &Value) -> Option<OffsetDateTime> {
    v.as_str()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
}

fn text_of(v: &Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The acct of a status's author as Mastodon writes it for our server (`user` for one of
/// its own accounts, `user@other.server` for anyone else).
pub fn author_acct(notification: &Value) -> Option<String> {
    text_of(&notification["status"]["account"]["acct"])
}

/// The visibility of the mentioning status.
pub fn visibility(notification: &Value) -> Option<Visibility> {
    notification["status"]["visibility"]
        .as_str()
        .and_then(Visibility::parse)
}

/// One notification as feedback of `account`: `None` when it is not a mention, or the
/// status is the account's own; an error when a mention lacks what we need.
pub fn parse_notification(
    notification: &Value,
    account: &Account,
    account_id: &AccountId,
    received_at: OffsetDateTime,
) -> Result<Option<PolledReview>, String> {
    if notification["type"].as_str() != Some("mention") {
        return Ok(None);
    }
    let status = &notification["status"];
    let id = status["id"].as_str().ok_or("a mention without status.id")?;
    let item_id = ItemId::parse(id).map_err(|e| format!("status id {id:?}: {e}"))?;
    let acct = author_acct(notification).ok_or_else(|| format!("status {id}: no author"))?;
    if account.is(&acct) {
        return Ok(None);
    }
    let created_at = time_of(&status["created_at"]);
    let written_at = time_of(&notification["created_at"])
        .or(created_at)
        .ok_or_else(|| format!("status {id}: no readable created_at"))?;
    let content = status["content"]
        .as_str()
        .map(html_to_text)
        .map(|t| without_leading_mentions(&t, account))
        .filter(|t| !t.trim().is_empty());
    let text = match (text_of(&status["spoiler_text"]), content) {
        (Some(warning), Some(content)) => Some(format!("{warning}\n\n{content}")),
        (warning, content) => content.or(warning),
    };
    let parent_id = text_of(&status["in_reply_to_id"]);
    Ok(Some(PolledReview {
        written_at,
        feedback: Feedback {
            platform: PLATFORM,
            account_id: account_id.clone(),
            item_id,
            thread_id: None,
            kind: if parent_id.is_some() {
                FeedbackKind::Reply
            } else {
                FeedbackKind::Mention
            },
            parent_id,
            author_id: text_of(&status["account"]["id"]),
            author_name: Some(account.absolute(&acct)),
            text,
            rating: None,
            url: text_of(&status["url"]).filter(|u| u.starts_with("https://")),
            language: text_of(&status["language"]),
            created_at: created_at.or(Some(written_at)),
            from_account: false,
            raw: notification.to_string(),
            received_at,
        },
    }))
}

/// A notifications answer (newest first) as one page; `next` is the `max_id` of the Link
/// header's `rel="next"`.
pub fn parse_list(
    answer: &Value,
    link: Option<&str>,
    account: &Account,
    account_id: &AccountId,
    received_at: OffsetDateTime,
) -> ReviewPage {
    let mut page = ReviewPage {
        next: link.and_then(next_max_id),
        ..ReviewPage::default()
    };
    let Some(entries) = answer.as_array() else {
        page.unusable
            .push("the notifications answer is not a list".into());
        page.next = None;
        return page;
    };
    for entry in entries {
        match parse_notification(entry, account, account_id, received_at) {
            Ok(Some(mention)) => page.reviews.push(mention),
            Ok(None) => {}
            Err(reason) => page.unusable.push(reason),
        }
    }
    if entries.is_empty() {
        page.next = None;
    }
    page
}

/// The `max_id` of the `rel="next"` link (only the id is used, never the link's host).
pub fn next_max_id(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"" || p.trim() == "rel=next");
        if !is_next {
            return None;
        }
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let url = url::Url::parse(target).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == "max_id")
            .map(|(_, v)| v.into_owned())
            .filter(|v| is_status_id(v))
    })
}

/// An id Mastodon gives (digits; "not guaranteed to be a number", so letters are let
/// through too), safe in a query or a path segment.
pub fn is_status_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}
