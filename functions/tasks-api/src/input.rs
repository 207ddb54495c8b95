//! Parse, don't validate: every body and query the API takes becomes a typed value here,
//! or a list of problems field by field (`note: required`, `limit: a whole number from
//! 1 to 100`). Unknown fields are refused, so a `by` in a body is an error, never an
//! identity.

use crate::error::ApiError;
use feedback::page::ReplyMode;
use feedback::records::{Channel, TaskStatus};
use feedback::{AccountId, Platform};
use serde_json::{Map, Value};
use std::collections::HashMap;
use store::FeedbackKey;
use store::pages::{PageSetting, SettingValue};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Bodies are small JSON objects; anything larger is refused before parsing.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// A resolution note or a reopen/close note.
pub const MAX_NOTE_CHARS: usize = 2000;
pub const MAX_REASON_CHARS: usize = 500;
/// Staff-edited replies must fit every platform a message can go to: public replies
/// the shortest public limit (Trustpilot 2,048 characters; Google 4,096 bytes), private
/// messages the shortest private one (Meta 1,000 characters). No platform is named here:
/// these are the smallest limits of all.
pub const MAX_PUBLIC_CHARS: usize = 2048;
pub const MAX_PUBLIC_BYTES: usize = 4096;
pub const MAX_PRIVATE_CHARS: usize = 1000;
pub const MAX_LIMIT: usize = 100;
pub const DEFAULT_LIMIT: usize = 50;

const WHO_ACTS: &str = "who acts is taken from your sign-in, never from the request";

/// The JSON object of a request body (`{}` when there is none).
pub fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::invalid("body: a JSON object")),
        Err(e) => Err(ApiError::invalid(format!("body: not JSON ({e})"))),
    }
}

/// Reads the fields of one body, collecting every problem.
struct Fields {
    map: Map<String, Value>,
    problems: Vec<String>,
}

impl Fields {
    fn new(map: Map<String, Value>, allowed: &[&str]) -> Self {
        let mut problems: Vec<String> = map
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .map(|k| match k.as_str() {
                "by" | "user" | "assignee" | "approved_by" => format!("{k}: {WHO_ACTS}"),
                _ => format!(
                    "{k}: unknown field (expected {})",
                    if allowed.is_empty() {
                        "none".to_owned()
                    } else {
                        allowed.join(", ")
                    }
                ),
            })
            .collect();
        problems.sort();
        Self { map, problems }
    }

    /// A text field; `required` or absent (`null` counts as absent).
    fn text(&mut self, name: &str, required: bool, max_chars: usize) -> Option<String> {
        match self.map.get(name) {
            None | Some(Value::Null) => {
                if required {
                    self.problems.push(format!("{name}: required"));
                }
                None
            }
            Some(Value::String(t)) => match check_text(t, max_chars, None) {
                Ok(t) => Some(t),
                Err(problem) => {
                    self.problems.push(format!("{name}: {problem}"));
                    None
                }
            },
            Some(_) => {
                self.problems.push(format!("{name}: a text"));
                None
            }
        }
    }

    fn hours(&mut self, name: &str) -> Option<u32> {
        match self.map.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64().filter(|h| (1..=720).contains(h)) {
                Some(h) => u32::try_from(h).ok(),
                None => {
                    self.problems
                        .push(format!("{name}: a whole number of hours from 1 to 720"));
                    None
                }
            },
        }
    }

    fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::Invalid(self.problems))
        }
    }
}

/// A text staff wrote: trimmed, not empty, no control characters but line breaks and
/// tabs, at most `max_chars` characters (and `max_bytes` bytes when given).
fn check_text(text: &str, max_chars: usize, max_bytes: Option<usize>) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err("must not contain control characters".to_owned());
    }
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(format!("at most {max_chars} characters (this is {chars})"));
    }
    if let Some(max) = max_bytes
        && text.len() > max
    {
        return Err(format!(
            "at most {max} bytes of UTF-8 (this is {})",
            text.len()
        ));
    }
    Ok(text)
}

/// `POST …/resolve`
pub struct Resolve {
    pub note: String,
}

pub fn resolve(body: Map<String, Value>) -> Result<Resolve, ApiError> {
    let note = one_text(body, "note", MAX_NOTE_CHARS)?;
    Ok(Resolve { note })
}

/// `POST …/drop`
pub struct Drop {
    pub reason: String,
}

pub fn drop(body: Map<String, Value>) -> Result<Drop, ApiError> {
    let reason = one_text(body, "reason", MAX_REASON_CHARS)?;
    Ok(Drop { reason })
}

/// A body of one field, the required text `name` of at most `max_chars` characters.
fn one_text(body: Map<String, Value>, name: &str, max_chars: usize) -> Result<String, ApiError> {
    let mut f = Fields::new(body, &[name]);
    let text = f.text(name, true, max_chars);
    f.finish(())?;
    Ok(text.unwrap_or_default())
}

/// `POST …/reopen`
pub struct Reopen {
    pub note: Option<String>,
    /// Due this many hours from now (default: the page's SLA).
    pub due_in_hours: Option<u32>,
}

pub fn reopen(body: Map<String, Value>) -> Result<Reopen, ApiError> {
    let mut f = Fields::new(body, &["note", "due_in_hours"]);
    let note = f.text("note", false, MAX_NOTE_CHARS);
    let due_in_hours = f.hours("due_in_hours");
    f.finish(Reopen { note, due_in_hours })
}

/// `POST …/close` and `POST …/claim` (a claim takes no fields).
pub fn note_only(body: Map<String, Value>) -> Result<Option<String>, ApiError> {
    let mut f = Fields::new(body, &["note"]);
    let note = f.text("note", false, MAX_NOTE_CHARS);
    f.finish(note)
}

pub fn nothing(body: Map<String, Value>) -> Result<(), ApiError> {
    Fields::new(body, &[]).finish(())
}

/// `POST …/approve`: the drafts as they are, or with staff's edits.
pub struct Approve {
    pub edits: Vec<(Channel, String)>,
}

pub fn approve(body: Map<String, Value>) -> Result<Approve, ApiError> {
    let mut f = Fields::new(body, &["public", "private"]);
    let mut edits = Vec::new();
    for (channel, max_chars, max_bytes) in [
        (Channel::Public, MAX_PUBLIC_CHARS, Some(MAX_PUBLIC_BYTES)),
        (Channel::Private, MAX_PRIVATE_CHARS, None),
    ] {
        let name = channel.as_str();
        match f.map.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(t)) => match check_text(t, max_chars, max_bytes) {
                Ok(t) => edits.push((channel, t)),
                Err(problem) => f.problems.push(format!("{name}: {problem}")),
            },
            Some(_) => f.problems.push(format!("{name}: a text")),
        }
    }
    f.finish(Approve { edits })
}

/// A task id in a path: `{platform}:{item id}`.
pub fn task_id(id: &str) -> Result<FeedbackKey, ApiError> {
    staff::ids::task_id(id).map_err(|e| ApiError::invalid(format!("id: {e}")))
}

/// A page id in a path or query: `{platform}:{account id}`.
pub fn page_id(id: &str) -> Option<(Platform, AccountId)> {
    staff::ids::page_id(id).ok()
}

fn page_problem(name: &str, id: &str) -> String {
    format!("{name}: {id:?} is not a page ({{platform}}:{{account id}}, e.g. facebook:1029384756)")
}

pub use staff::tasks::StatusFilter;

/// `GET /api/tasks?…`
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub status: StatusFilter,
    pub overdue: bool,
    pub page: Option<(Platform, AccountId)>,
    pub platform: Option<Platform>,
    pub label: Option<String>,
    /// Only tasks claimed by the signed-in member of staff.
    pub mine: bool,
    pub limit: usize,
    /// Continue after this (due time, id).
    pub after: Option<(OffsetDateTime, String)>,
}

fn flag(name: &str, value: &str, problems: &mut Vec<String>) -> bool {
    match value {
        "true" | "1" => true,
        "false" | "0" | "" => false,
        _ => {
            problems.push(format!("{name}: true or false"));
            false
        }
    }
}

/// The labels the responder gives (`triage::Label`).
const LABELS: [&str; 6] = [
    "negative", "question", "neutral", "positive", "spam", "abusive",
];

pub fn list_query(query: &HashMap<String, String>) -> Result<ListQuery, ApiError> {
    let mut problems = Vec::new();
    let mut q = ListQuery {
        status: StatusFilter::Active,
        overdue: false,
        page: None,
        platform: None,
        label: None,
        mine: false,
        limit: DEFAULT_LIMIT,
        after: None,
    };
    let mut names: Vec<&String> = query.keys().collect();
    names.sort();
    for name in names {
        let value = query[name].trim();
        match name.as_str() {
            "status" => {
                q.status = match StatusFilter::parse(value) {
                    _ if value.is_empty() => StatusFilter::Active,
                    Some(s) => s,
                    None => {
                        let statuses: Vec<&str> =
                            TaskStatus::ALL.iter().map(|s| s.as_str()).collect();
                        problems.push(format!(
                            "status: one of active, all, {}",
                            statuses.join(", ")
                        ));
                        StatusFilter::Active
                    }
                }
            }
            "overdue" => q.overdue = flag("overdue", value, &mut problems),
            "mine" => q.mine = flag("mine", value, &mut problems),
            "page" if !value.is_empty() => match page_id(value) {
                Some(p) => q.page = Some(p),
                None => problems.push(page_problem("page", value)),
            },
            "platform" if !value.is_empty() => match Platform::parse(value) {
                Ok(p) => q.platform = Some(p),
                Err(e) => problems.push(format!("platform: {e}")),
            },
            "label" if !value.is_empty() => {
                if LABELS.contains(&value) {
                    q.label = Some(value.to_owned());
                } else {
                    problems.push(format!("label: one of {}", LABELS.join(", ")));
                }
            }
            "page" | "platform" | "label" => {}
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => q.limit = n,
                _ => problems.push(format!("limit: a whole number from 1 to {MAX_LIMIT}")),
            },
            "cursor" if !value.is_empty() => match parse_cursor(value) {
                Some(after) => q.after = Some(after),
                None => problems.push(
                    "cursor: not a cursor this API gave (use next_cursor as it is)".to_owned(),
                ),
            },
            "cursor" => {}
            other => problems.push(format!(
                "{other}: unknown parameter (expected status, overdue, page, platform, label, mine, limit, cursor)"
            )),
        }
    }
    if problems.is_empty() {
        Ok(q)
    } else {
        Err(ApiError::Invalid(problems))
    }
}

/// Where the next page of the queue starts: after this due time and id.
pub fn cursor(due_at: OffsetDateTime, id: &str) -> String {
    format!("{}|{id}", due_at.format(&Rfc3339).unwrap_or_default())
}

fn parse_cursor(value: &str) -> Option<(OffsetDateTime, String)> {
    let (at, id) = value.split_once('|')?;
    FeedbackKey::parse_id(id)?;
    Some((OffsetDateTime::parse(at, &Rfc3339).ok()?, id.to_owned()))
}

/// `GET /api/reports?…`
pub struct ReportQuery {
    pub days: u32,
    pub page: Option<(Platform, AccountId)>,
}

pub fn report_query(query: &HashMap<String, String>) -> Result<ReportQuery, ApiError> {
    let mut problems = Vec::new();
    let mut q = ReportQuery {
        days: 7,
        page: None,
    };
    for (name, value) in query {
        let value = value.trim();
        match name.as_str() {
            "days" => match value.parse::<u32>() {
                Ok(d) if (1..=365).contains(&d) => q.days = d,
                _ => problems.push("days: a whole number from 1 to 365".to_owned()),
            },
            "page" if value.is_empty() => {}
            "page" => match page_id(value) {
                Some(p) => q.page = Some(p),
                None => problems.push(page_problem("page", value)),
            },
            other => problems.push(format!("{other}: unknown parameter (expected days, page)")),
        }
    }
    problems.sort();
    if problems.is_empty() {
        Ok(q)
    } else {
        Err(ApiError::Invalid(problems))
    }
}

/// `PATCH /api/pages/{id}`: settings to change, and when the page was read.
pub struct PageUpdate {
    /// `None`: the page had no stored configuration when read.
    pub read_at: Option<OffsetDateTime>,
    /// `None` value: remove the setting (the default applies again).
    pub changes: Vec<(PageSetting, Option<SettingValue>)>,
}

const LANGUAGES: [&str; 5] = ["nl", "en", "fr", "de", "es"];

fn setting(setting: PageSetting, value: &Value) -> Result<SettingValue, String> {
    let number = |min: u64, max: u64| {
        value
            .as_u64()
            .filter(|v| (min..=max).contains(v))
            .and_then(|v| u32::try_from(v).ok())
            .map(SettingValue::Number)
            .ok_or_else(|| format!("a whole number from {min} to {max}"))
    };
    let flag = || {
        value
            .as_bool()
            .map(SettingValue::Flag)
            .ok_or_else(|| "true or false".to_owned())
    };
    // Texts may be empty (an empty brand name means each language's neutral sign-off).
    let text = |max: usize| match value.as_str() {
        Some("") => Ok(SettingValue::Text(String::new())),
        Some(t) => check_text(t, max, None).map(SettingValue::Text),
        None => Err("a text".to_owned()),
    };
    match setting {
        PageSetting::BrandName => text(100),
        PageSetting::Signature => text(200),
        PageSetting::Contact => text(200),
        PageSetting::DefaultLanguage => match value.as_str() {
            Some(l) if LANGUAGES.contains(&l) => Ok(SettingValue::Text(l.to_owned())),
            _ => Err(format!("one of {}", LANGUAGES.join(", "))),
        },
        PageSetting::Mode => value
            .as_str()
            .and_then(ReplyMode::parse)
            .map(SettingValue::Mode)
            .ok_or_else(|| "auto, approval or dry-run".to_owned()),
        PageSetting::ThankPositive | PageSetting::ResolvedReply => flag(),
        PageSetting::SlaHours => number(1, 720),
        PageSetting::MaxAgeHours => number(1, 8760),
        PageSetting::UpdateRequestDelayHours => number(0, 720),
    }
}

pub fn page_update(body: Map<String, Value>) -> Result<PageUpdate, ApiError> {
    let mut f = Fields::new(body, &["read_at", "settings"]);
    let read_at = match f.map.get("read_at") {
        None => {
            f.problems.push(
                "read_at: required (the page's updated_at as read, or null when it had none)"
                    .to_owned(),
            );
            None
        }
        Some(Value::Null) => None,
        Some(Value::String(t)) => match OffsetDateTime::parse(t, &Rfc3339) {
            Ok(t) => Some(t),
            Err(_) => {
                f.problems.push("read_at: an RFC 3339 time".to_owned());
                None
            }
        },
        Some(_) => {
            f.problems
                .push("read_at: an RFC 3339 time or null".to_owned());
            None
        }
    };
    let mut changes = Vec::new();
    match f.map.get("settings") {
        Some(Value::Object(settings)) if !settings.is_empty() => {
            let mut names: Vec<&String> = settings.keys().collect();
            names.sort();
            for name in names {
                let Some(s) = PageSetting::parse(name) else {
                    let known: Vec<&str> = PageSetting::ALL.iter().map(|s| s.attribute()).collect();
                    f.problems.push(format!(
                        "settings.{name}: not a setting the inbox changes (it changes {})",
                        known.join(", ")
                    ));
                    continue;
                };
                match &settings[name] {
                    Value::Null => changes.push((s, None)),
                    value => match setting(s, value) {
                        Ok(v) => changes.push((s, Some(v))),
                        Err(problem) => f.problems.push(format!("settings.{name}: {problem}")),
                    },
                }
            }
        }
        Some(Value::Object(_)) => f
            .problems
            .push("settings: name at least one setting to change".to_owned()),
        Some(_) => f.problems.push("settings: an object".to_owned()),
        None => f.problems.push("settings: required".to_owned()),
    }
    f.finish(PageUpdate { read_at, changes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn problems(e: ApiError) -> Vec<String> {
        match e {
            ApiError::Invalid(p) => p,
            other => vec![format!("not Invalid: {other}")],
        }
    }

    #[test]
    fn a_resolve_without_a_note_names_the_field() {
        let p = problems(resolve(body(json!({}))).err().unwrap());
        assert_eq!(p, ["note: required"]);
        let p = problems(resolve(body(json!({"note": "   "}))).err().unwrap());
        assert_eq!(p, ["note: must not be empty"]);
    }

    #[test]
    fn who_acts_cannot_be_given_in_a_body() {
        let p = problems(
            resolve(body(json!({"note": "refund sent", "by": "mallory"})))
                .err()
                .unwrap(),
        );
        assert_eq!(p.len(), 1);
        assert!(
            p[0].starts_with("by: who acts is taken from your sign-in"),
            "{p:?}"
        );
    }

    #[test]
    fn every_problem_of_a_body_is_reported_together() {
        let p = problems(
            reopen(body(json!({"note": 5, "due_in_hours": 0, "colour": "red"})))
                .err()
                .unwrap(),
        );
        assert_eq!(p.len(), 3, "{p:?}");
    }

    #[test]
    fn edited_replies_must_fit_the_shortest_platform_limit() {
        let long_private = "a".repeat(MAX_PRIVATE_CHARS + 1);
        let p = problems(
            approve(body(json!({"private": long_private, "public": "ok\u{7}"})))
                .err()
                .unwrap(),
        );
        assert_eq!(p.len(), 2, "{p:?}");
        let ok = approve(body(json!({"public": "  Sorry!\r\nWe fix it. "}))).unwrap();
        assert_eq!(
            ok.edits,
            [(Channel::Public, "Sorry!\nWe fix it.".to_owned())]
        );
        // Four-byte characters: within the characters, over the bytes.
        let emoji = "😀".repeat(1025);
        let p = problems(approve(body(json!({"public": emoji}))).err().unwrap());
        assert!(p[0].contains("bytes"), "{p:?}");
    }

    #[test]
    fn the_queue_query_is_checked_parameter_by_parameter() {
        let q: HashMap<String, String> = [
            ("status", "resolved"),
            ("overdue", "true"),
            ("page", "facebook:1029384756"),
            ("limit", "10"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let parsed = list_query(&q).unwrap();
        assert_eq!(parsed.status, StatusFilter::Only(TaskStatus::Resolved));
        assert!(parsed.overdue);
        assert_eq!(parsed.limit, 10);
        let bad: HashMap<String, String> = [
            ("status", "done"),
            ("limit", "1000"),
            ("page", "facebook"),
            ("label", "angry"),
            ("cursor", "nonsense"),
            ("sort", "up"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(problems(list_query(&bad).err().unwrap()).len(), 6);
    }

    #[test]
    fn a_cursor_round_trips() {
        let at = time::macros::datetime!(2026-11-26 10:00 UTC);
        let c = cursor(at, "facebook:777_1");
        assert_eq!(parse_cursor(&c), Some((at, "facebook:777_1".to_owned())));
    }

    #[test]
    fn page_settings_are_checked_and_null_means_back_to_the_default() {
        let update = page_update(body(json!({
            "read_at": null,
            "settings": {"mode": "approval", "sla_hours": 12, "contact": null, "brand_name": ""}
        })))
        .unwrap();
        assert_eq!(update.changes.len(), 4);
        assert!(update.changes.contains(&(PageSetting::Contact, None)));
        let p = problems(
            page_update(body(json!({
                "settings": {"mode": "loud", "sla_hours": 0, "token_source": "env:X", "default_language": "it"}
            })))
            .err()
            .unwrap(),
        );
        assert_eq!(p.len(), 5, "{p:?}");
        assert!(p.iter().any(|p| p.starts_with("settings.token_source")));
    }
}
