//! Everything held about one author, exported or erased (GDPR articles 15 and 17).
//!
//! An author is found by the platform's author id (within one account where ids are only
//! unique there: a Standard Webhooks source), or, where a platform gives no id (Google
//! reviewers), by one of their items or by the name they are shown by. Their items are
//! found by a scan of feedback records (a staff task, done rarely); everything else kept
//! about an item is in its partition. Erasing removes the author's
//! name and id, the text, its history, the platform's raw payload and the url from the
//! feedback; the texts written to the author (drafts, messages, the update request, the
//! notifications quoting them); staff notes that name the author; and the "already
//! answered in this thread" markers (keyed on a hash of the author). Platform, item ids,
//! label, theme, rating and times stay, so counts and reports still add up. An `erasure`
//! record says who asked, when and how much was erased, never what; the item's records
//! keep `erased_at`, and the store's refresh and update writes are conditional on its
//! absence, so a refresh or a redelivery never writes a name or text back. Unsupported
//! deliveries (raw bodies that could not be used) are not searched: they expire after
//! [`crate::UNSUPPORTED_RETENTION_DAYS`] days.

use crate::StoreError;
use crate::codec::{Item, get_str, item_json, n, s, ts};
use crate::dynamo::scan_all;
use crate::dynamo::{DynamoStore, dynamo_err};
use crate::keys::*;
use aws_sdk_dynamodb::types::AttributeValue;
use feedback::records::RecordType;
use feedback::{AccountId, ItemId, Platform};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use time::OffsetDateTime;

/// What replaces an erased text that must stay a string.
pub const ERASED: &str = "[erased]";

/// An author as staff name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub platform: Platform,
    pub by: AuthorBy,
}

/// How an author is found on their platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorBy {
    /// The platform's author id; within `account` where ids are only unique there.
    Id {
        id: String,
        account: Option<AccountId>,
    },
    /// The author of one item (a Google review, by its review name).
    Item(ItemId),
    /// Every item whose author is shown by this name (any case, any spacing).
    Name(String),
}

/// Names compared as people read them: case and runs of spaces do not matter.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

impl Author {
    /// Read `facebook:5550001` (`platform:author id`; the id may hold `:`).
    pub fn parse(s: &str) -> Option<Author> {
        let (platform, id) = s.split_once(':')?;
        Self::by_id(platform, None, id)
    }

    /// Read `standard:brand24:u1` (`platform:account:author id`), for platforms whose
    /// author ids are only unique within an account.
    pub fn parse_in_account(s: &str) -> Option<Author> {
        let (platform, rest) = s.split_once(':')?;
        let (account, id) = rest.split_once(':')?;
        Self::by_id(platform, Some(AccountId::parse(account).ok()?), id)
    }

    /// The author `id` (trimmed, not empty) on `platform`, within `account` when given.
    fn by_id(platform: &str, account: Option<AccountId>, id: &str) -> Option<Author> {
        let id = id.trim();
        if id.is_empty() {
            return None;
        }
        Some(Author {
            platform: Platform::parse(platform).ok()?,
            by: AuthorBy::Id {
                id: id.to_owned(),
                account,
            },
        })
    }

    /// Read `google:accounts/…/reviews/…` (`platform:item id`): the author of that item.
    pub fn parse_item(s: &str) -> Option<Author> {
        let key = crate::FeedbackKey::parse_id(s)?;
        Some(Author {
            platform: key.platform,
            by: AuthorBy::Item(key.item_id),
        })
    }

    /// Read `google:Piet de Boer` (`platform:display name`).
    pub fn parse_name(s: &str) -> Option<Author> {
        let (platform, name) = s.split_once(':')?;
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        Some(Author {
            platform: Platform::parse(platform).ok()?,
            by: AuthorBy::Name(name.to_owned()),
        })
    }
}

impl std::fmt::Display for Author {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let platform = &self.platform;
        match &self.by {
            AuthorBy::Id { id, account: None } => write!(f, "{platform}:{id}"),
            AuthorBy::Id {
                id,
                account: Some(account),
            } => write!(f, "{platform}:{account}:{id}"),
            AuthorBy::Item(item) => write!(f, "the author of {platform}:{item}"),
            AuthorBy::Name(name) => write!(f, "{platform} author named {name:?}"),
        }
    }
}

/// Everything held about an author: every record of their items, and the markers keyed
/// on them, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthorExport {
    pub author: String,
    #[serde(with = "time::serde::rfc3339")]
    pub exported_at: OffsetDateTime,
    pub items: Vec<ExportedItem>,
    pub answered_markers: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedItem {
    /// `platform:item id`.
    pub id: String,
    pub records: Vec<Value>,
}

/// How much one erasure changed: the erasure record keeps these counts, nothing else.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ErasureCounts {
    pub feedback: usize,
    pub tasks: usize,
    pub messages: usize,
    pub followups: usize,
    pub notifications: usize,
    pub answered_markers: usize,
}

impl ErasureCounts {
    pub fn total(&self) -> usize {
        self.feedback
            + self.tasks
            + self.messages
            + self.followups
            + self.notifications
            + self.answered_markers
    }
}

/// The erasure as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Erasure {
    /// The erasure record's key (`erasure#…`).
    pub id: String,
    pub platform: Platform,
    pub requested_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub erased_at: OffsetDateTime,
    pub counts: ErasureCounts,
}

/// Does `text` name the author (any of `needles`, case-insensitively)?
fn names(text: &str, needles: &[String]) -> bool {
    let text = text.to_lowercase();
    needles.iter().any(|n| text.contains(n.as_str()))
}

impl DynamoStore {
    /// The author's feedback records (a filtered scan: feedback has no index by author).
    async fn author_feedback(&self, author: &Author) -> Result<Vec<Item>, StoreError> {
        let mut values = vec![
            (":t", s(RecordType::Feedback.as_str())),
            (":p", s(author.platform.as_str())),
        ];
        let filter = match &author.by {
            AuthorBy::Item(item) => {
                let pk = feedback_pk(&author.platform, item);
                // An erased item has nothing of its author left to find.
                return Ok(self
                    .get_item(&pk, FEEDBACK_SK)
                    .await?
                    .filter(|f| !f.contains_key(ERASED_AT))
                    .into_iter()
                    .collect());
            }
            AuthorBy::Id { id, account } => {
                values.push((":a", s(id)));
                match account {
                    None => "author_id = :a",
                    Some(account) => {
                        values.push((":acc", s(account.as_str())));
                        "author_id = :a AND account_id = :acc"
                    }
                }
            }
            // Compared below as people read names.
            AuthorBy::Name(_) => "attribute_exists(author_name)",
        };
        let mut scan = self
            .client()
            .scan()
            .table_name(self.table())
            .filter_expression(format!("record_type = :t AND platform = :p AND {filter}"))
            .consistent_read(true);
        for (name, value) in values {
            scan = scan.expression_attribute_values(name, value);
        }
        let mut items = scan_all(scan).await?;
        if let AuthorBy::Name(name) = &author.by {
            items.retain(|f| get_str(f, "author_name").is_some_and(|n| same_name(n, name)));
        }
        Ok(items)
    }

    async fn partition(&self, pk: &str) -> Result<Vec<Item>, StoreError> {
        self.query_all(None, "pk = :pk", vec![(":pk", s(pk))], true)
            .await
    }

    /// The "already answered" markers of the author's threads (keyed on the author id
    /// each item carries: found by name or item, an author still has theirs).
    fn markers_of(&self, author: &Author, feedback: &[Item]) -> Vec<String> {
        let mut markers: Vec<String> = feedback
            .iter()
            .filter_map(|f| Some((get_str(f, "thread_id")?, get_str(f, "author_id")?)))
            .map(|(thread, id)| answered_pk(&author.platform, thread, id))
            .collect();
        markers.sort();
        markers.dedup();
        markers
    }

    /// Everything held about `author`.
    pub async fn export_author(
        &self,
        author: &Author,
        now: OffsetDateTime,
    ) -> Result<AuthorExport, StoreError> {
        let feedback = self.author_feedback(author).await?;
        let mut items = Vec::new();
        for f in &feedback {
            let Some(pk) = get_str(f, PK) else { continue };
            let records = self.partition(pk).await?;
            items.push(ExportedItem {
                id: format!(
                    "{}:{}",
                    author.platform,
                    get_str(f, "item_id").unwrap_or_default()
                ),
                records: records.iter().map(item_json).collect(),
            });
        }
        items.sort_by(|a, b| a.id.cmp(&b.id));
        let mut answered_markers = Vec::new();
        for pk in self.markers_of(author, &feedback) {
            if let Some(item) = self.get_item(&pk, "answered").await? {
                answered_markers.push(item_json(&item));
            }
        }
        Ok(AuthorExport {
            author: author.to_string(),
            exported_at: now,
            items,
            answered_markers,
        })
    }

    /// How many records an erasure of `author` would change (nothing is changed).
    pub async fn erasure_preview(&self, author: &Author) -> Result<ErasureCounts, StoreError> {
        let feedback = self.author_feedback(author).await?;
        let mut counts = ErasureCounts {
            feedback: feedback.len(),
            ..ErasureCounts::default()
        };
        for f in &feedback {
            let Some(pk) = get_str(f, PK) else { continue };
            for item in self.partition(pk).await? {
                count(&mut counts, &item);
            }
        }
        for pk in self.markers_of(author, &feedback) {
            if self.get_item(&pk, "answered").await?.is_some() {
                counts.answered_markers += 1;
            }
        }
        Ok(counts)
    }

    /// Erase `author`'s personal data everywhere it is kept, and record that it was done
    /// (by `requested_by`, with counts only).
    pub async fn erase_author(
        &self,
        author: &Author,
        requested_by: &str,
        now: OffsetDateTime,
    ) -> Result<Erasure, StoreError> {
        let feedback = self.author_feedback(author).await?;
        // The names the author goes by, as texts would carry them: the whole name, its
        // first word (replies greet by first name), and the id.
        let mut needles = match &author.by {
            AuthorBy::Id { id, .. } => vec![id.to_lowercase()],
            AuthorBy::Name(name) => vec![name.to_lowercase()],
            AuthorBy::Item(_) => Vec::new(),
        };
        for f in &feedback {
            if let Some(id) = get_str(f, "author_id") {
                needles.push(id.to_lowercase());
            }
            if let Some(name) = get_str(f, "author_name") {
                needles.push(name.to_lowercase());
                if let Some(first) = name.split_whitespace().next()
                    && first.chars().count() >= 3
                {
                    needles.push(first.to_lowercase());
                }
            }
        }
        needles.retain(|n| !n.trim().is_empty());
        needles.sort();
        needles.dedup();

        let mut counts = ErasureCounts::default();
        let markers = self.markers_of(author, &feedback);
        for f in &feedback {
            let Some(pk) = get_str(f, PK) else { continue };
            for item in self.partition(pk).await? {
                self.erase_record(&item, &needles, now).await?;
                count(&mut counts, &item);
            }
        }
        counts.feedback = feedback.len();
        for pk in markers {
            let out = self
                .client()
                .delete_item()
                .table_name(self.table())
                .key(PK, s(&pk))
                .key(SK, s("answered"))
                .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
                .send()
                .await
                .map_err(dynamo_err("DeleteItem"))?;
            if out.attributes.is_some() {
                counts.answered_markers += 1;
            }
        }
        let id = format!(
            "erasure#{}#{:08x}",
            ts(now),
            now.unix_timestamp_nanos() as u32
        );
        let tally = |v: usize| n(v);
        self.put_record(&id, ERASURE_SK, RecordType::Erasure)
            .item("platform", s(author.platform.as_str()))
            .item("requested_by", s(requested_by))
            .item("erased_at", s(ts(now)))
            .item(
                "counts",
                AttributeValue::M(HashMap::from([
                    ("feedback".to_owned(), tally(counts.feedback)),
                    ("tasks".to_owned(), tally(counts.tasks)),
                    ("messages".to_owned(), tally(counts.messages)),
                    ("followups".to_owned(), tally(counts.followups)),
                    ("notifications".to_owned(), tally(counts.notifications)),
                    (
                        "answered_markers".to_owned(),
                        tally(counts.answered_markers),
                    ),
                ])),
            )
            .send()
            .await
            .map_err(dynamo_err("PutItem"))?;
        Ok(Erasure {
            id,
            platform: author.platform.clone(),
            requested_by: requested_by.to_owned(),
            erased_at: now,
            counts,
        })
    }

    /// Erase the personal parts of one record of an author's item.
    async fn erase_record(
        &self,
        item: &Item,
        needles: &[String],
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (Some(pk), Some(sk)) = (get_str(item, PK), get_str(item, SK)) else {
            return Ok(());
        };
        let mut set: Vec<(&str, AttributeValue)> = vec![(ERASED_AT, s(ts(now)))];
        let mut remove: Vec<&str> = Vec::new();
        let erase_if_named = |name: &'static str, set: &mut Vec<(&str, AttributeValue)>| {
            if get_str(item, name).is_some_and(|t| names(t, needles)) {
                set.push((name, s(ERASED)));
            }
        };
        let always = |name: &'static str, set: &mut Vec<(&str, AttributeValue)>| {
            if get_str(item, name).is_some() {
                set.push((name, s(ERASED)));
            }
        };
        if sk == FEEDBACK_SK {
            remove.extend(["author_id", "author_name", "text", "text_history", "url"]);
            // Kept as an empty string: every feedback record has one.
            set.push(("raw", s("")));
        } else if sk == TASK_SK {
            for name in ["draft_public", "draft_private", "update_request"] {
                always(name, &mut set);
            }
            for name in ["resolution", "drop_reason", "next_step", "flag_reason"] {
                erase_if_named(name, &mut set);
            }
            if let Some(AttributeValue::L(history)) = item.get("history") {
                let history = history
                    .iter()
                    .map(|entry| match entry {
                        AttributeValue::M(m)
                            if get_str(m, "note").is_some_and(|t| names(t, needles)) =>
                        {
                            let mut m = m.clone();
                            m.insert("note".into(), s(ERASED));
                            AttributeValue::M(m)
                        }
                        other => other.clone(),
                    })
                    .collect();
                set.push(("history", AttributeValue::L(history)));
            }
        } else if sk.starts_with("message#") {
            always("text", &mut set);
            always("alt_text", &mut set);
            // Staff's edit is what was published: it names the author as much as the draft.
            always(crate::keys::attr::EDITED_TEXT, &mut set);
            erase_if_named("failure", &mut set);
            erase_if_named("last_error", &mut set);
        } else if sk.starts_with(FOLLOWUP_SK_PREFIX) {
            always("text", &mut set);
        } else if sk.starts_with(NOTIFICATION_SK_PREFIX) {
            always("body", &mut set);
        } else {
            // Approvals (who approved: staff), refresh requests (a time): nothing of the
            // author.
            return Ok(());
        }
        let mut update = self.update_item(pk, sk);
        let mut parts = Vec::new();
        for (i, (name, value)) in set.into_iter().enumerate() {
            update = update
                .expression_attribute_names(format!("#s{i}"), name)
                .expression_attribute_values(format!(":s{i}"), value);
            parts.push(format!("#s{i} = :s{i}"));
        }
        let mut expression = format!("SET {}", parts.join(", "));
        if !remove.is_empty() {
            let mut names = Vec::new();
            for (i, name) in remove.into_iter().enumerate() {
                update = update.expression_attribute_names(format!("#r{i}"), name);
                names.push(format!("#r{i}"));
            }
            expression.push_str(&format!(" REMOVE {}", names.join(", ")));
        }
        update
            .update_expression(expression)
            .send()
            .await
            .map_err(dynamo_err("UpdateItem"))?;
        Ok(())
    }
}

fn count(counts: &mut ErasureCounts, item: &Item) {
    let sk = get_str(item, SK).unwrap_or_default();
    if sk == TASK_SK {
        counts.tasks += 1;
    } else if sk.starts_with("message#") {
        counts.messages += 1;
    } else if sk.starts_with(FOLLOWUP_SK_PREFIX) {
        counts.followups += 1;
    } else if sk.starts_with(NOTIFICATION_SK_PREFIX) {
        counts.notifications += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_author_is_platform_and_id() {
        let a = Author::parse("facebook:5550001").unwrap();
        assert_eq!(a.to_string(), "facebook:5550001");
        // Ids may hold ':' (a URN).
        assert_eq!(
            Author::parse("facebook:urn:x:1").map(|a| a.to_string()),
            Some("facebook:urn:x:1".to_owned())
        );
        assert_eq!(Author::parse("facebook:"), None);
        assert_eq!(Author::parse("5550001"), None);
    }

    #[test]
    fn a_standard_webhooks_author_is_their_source_and_id_together() {
        let a = Author::parse_in_account("standard:brand24:urn:x:1").unwrap();
        assert_eq!(
            a.by,
            AuthorBy::Id {
                id: "urn:x:1".into(),
                account: Some(AccountId::parse("brand24").unwrap())
            }
        );
        assert_eq!(Author::parse_in_account("standard:u1"), None);
        assert_eq!(Author::parse_in_account("standard:brand24:"), None);
    }

    #[test]
    fn an_author_without_an_id_is_named_by_their_item_or_their_name() {
        let review = "google:accounts/1/locations/2/reviews/3";
        assert_eq!(
            Author::parse_item(review).map(|a| a.by),
            Some(AuthorBy::Item(
                ItemId::parse("accounts/1/locations/2/reviews/3").unwrap()
            ))
        );
        assert_eq!(
            Author::parse_name("google: Piet de Boer ").map(|a| a.by),
            Some(AuthorBy::Name("Piet de Boer".into()))
        );
        assert!(same_name("Piet  de BOER", "piet de boer"));
        assert!(!same_name("Piet de Boer", "Piet de Boer-Jansen"));
    }

    #[test]
    fn a_text_names_the_author_whatever_the_case() {
        let needles = vec!["anke".to_owned(), "5550001".to_owned()];
        assert!(names("Called ANKE back", &needles));
        assert!(names("user 5550001", &needles));
        assert!(!names("refund sent", &needles));
    }
}
