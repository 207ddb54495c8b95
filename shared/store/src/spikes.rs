//! Spikes of complaints per page and the crisis hold (README, "Crisis hold"), without a
//! table scan: every read is on a known key.
//!
//! | record | pk | sk | TTL |
//! |---|---|---|---|
//! | complaints in one hour | `page#{platform}#{account}` | `complaints#{YYYY-MM-DDTHH}` | 30 days |
//! | pages with complaints in one hour | `page#watch` | `hour#{YYYY-MM-DDTHH}` | 3 days |
//! | pages in a crisis | `page#watch` | `crises` | never |
//! | one spike | `page#{platform}#{account}` | `spike#{started_at}` | never |
//!
//! The responder counts each complaint once ([`DynamoStore::count_complaint`]: the item's
//! id joins a set and the count is added only when it was not in it, so a redelivery
//! counts nothing). The SLA sweeper reads the pages with complaints in the last two hours,
//! their counts of the last 14 days (one query each), and starts a crisis with one
//! transaction conditional on the page having none: two sweepers start it once.

use crate::codec::{Item, get_bool, get_str, n, parse_ts, s, ts};
use crate::dynamo::query_items;
use crate::dynamo::{DynamoStore, build_err, dynamo_err};
use crate::keys::*;
use crate::notify::{Event, event_id, one_line, targets};
use crate::{FeedbackKey, StoreError};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use feedback::page::PageRecord;
use feedback::records::{ComplaintTheme, NotificationEvent, RecordType};
use feedback::{AccountId, Platform};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use time::{Duration, OffsetDateTime};

/// Abusive comments are counted beside the complaint themes, under this name.
pub const ABUSE: &str = "abuse";
/// How much of a comment a spike alert quotes.
pub const SPIKE_EXCERPT_CHARS: usize = 140;
/// How many comments a spike alert quotes.
pub const SPIKE_EXCERPTS: usize = 3;

const COUNT_SK_PREFIX: &str = "complaints#";
const WATCH_PK: &str = "page#watch";
const WATCH_HOUR_PREFIX: &str = "hour#";
const CRISES_SK: &str = "crises";
const SPIKE_SK_PREFIX: &str = "spike#";
/// Counts are read back 14 days (the baseline) and kept a little longer.
const COUNT_RETENTION_DAYS: i64 = 30;
const WATCH_RETENTION_DAYS: i64 = 3;

/// Every name a complaint is counted under: the complaint themes and [`ABUSE`].
pub fn counted_themes() -> impl Iterator<Item = &'static str> {
    ComplaintTheme::ALL
        .iter()
        .map(|t| t.as_str())
        .chain([ABUSE])
}

/// The start of `t`'s hour (UTC).
pub fn hour_of(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_minute(0)
        .and_then(|t| t.replace_second(0))
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(t)
}

fn hour_key(t: OffsetDateTime) -> String {
    let t = hour_of(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour()
    )
}

fn parse_hour_key(key: &str) -> Option<OffsetDateTime> {
    parse_ts(&format!("{key}:00:00Z"))
}

/// The attribute names of a theme's count and its set of counted items. Themes are our
/// own names (never input), so they can name attributes.
fn count_attr(theme: &str) -> String {
    format!("n_{theme}")
}

fn items_attr(theme: &str) -> String {
    format!("i_{theme}")
}

/// How a page is named in the watch sets: `{platform}:{account}`.
fn page_name(platform: &Platform, account: &AccountId) -> String {
    format!("{platform}:{account}")
}

fn parse_page_name(name: &str) -> Option<(Platform, AccountId)> {
    let (platform, account) = name.split_once(':')?;
    Some((
        Platform::parse(platform).ok()?,
        AccountId::parse(account).ok()?,
    ))
}

fn expiry(t: OffsetDateTime, days: i64) -> AttributeValue {
    n((t + Duration::days(days)).unix_timestamp())
}

/// A page's complaints in one hour, per theme.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HourCounts {
    pub hour: Option<OffsetDateTime>,
    pub counts: BTreeMap<String, u32>,
}

/// One spike on a page, from detection to a person ending it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spike {
    pub platform: Platform,
    pub account_id: AccountId,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// The theme that spiked most.
    pub theme: String,
    /// Its complaints in the last hour.
    pub count: u32,
    /// The page's usual count for that hour (the mean over the last 14 days).
    pub usual: f64,
    /// The themes of the last hour's complaints, most first.
    pub themes: Vec<(String, u32)>,
    /// Up to three short quotes of the complaints.
    pub excerpts: Vec<String>,
    /// Replies were held (`false`: the page asked for an alert only).
    pub hold: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    pub ended_by: Option<String>,
}

impl Spike {
    /// The page, as staff name it: `{platform}:{account}`.
    pub fn page(&self) -> String {
        page_name(&self.platform, &self.account_id)
    }

    /// Why, in words for staff (kept on the page while the crisis lasts).
    pub fn reason(&self) -> String {
        format!(
            "{} complaints about {} in the last hour (usually {:.1})",
            self.count, self.theme, self.usual
        )
    }

    fn event(&self, kind: NotificationEvent, summary: String, now: OffsetDateTime) -> Event {
        let pk = page_pk(&self.platform, &self.account_id);
        let round = self.started_at.unix_timestamp().to_string();
        let mut data = json!({
            "page": self.page(),
            "platform": self.platform.as_str(),
            "started_at": ts(self.started_at),
            "theme": self.theme,
            "count": self.count,
            "usual": (self.usual * 10.0).round() / 10.0,
            "themes": self.themes.iter().map(|(t, c)| json!({"theme": t, "count": c})).collect::<Vec<_>>(),
            "hold": self.hold,
        });
        match kind {
            NotificationEvent::PageSpikeEnded => {
                data["ended_at"] = json!(self.ended_at.map(ts));
                data["ended_by"] = json!(self.ended_by);
            }
            _ => data["excerpts"] = json!(self.excerpts),
        }
        Event {
            kind,
            id: event_id(&pk, kind, &round),
            platform: self.platform.clone(),
            account_id: self.account_id.clone(),
            pk,
            round,
            at: now,
            data,
            summary,
        }
    }

    /// `page.spike_detected`: the counts, the top themes and the excerpts.
    pub fn detected_event(&self, now: OffsetDateTime) -> Event {
        let page = self.page();
        let themes = self
            .themes
            .iter()
            .take(3)
            .map(|(t, c)| format!("{t} {c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let then = if self.hold {
            format!(
                "Automatic replies on {page} are on hold: drafts wait for approval until a person ends the crisis (feedbackctl pages set {page} --crisis off, or the inbox)."
            )
        } else {
            format!(
                "Replies on {page} go on as set (alert only); end it with feedbackctl pages set {page} --crisis off."
            )
        };
        let quotes = self
            .excerpts
            .iter()
            .map(|e| format!(" \u{201c}{e}\u{201d}"))
            .collect::<String>();
        let summary = format!(
            "Spike on {page}: {}. Themes in the last hour: {themes}. {then}{quotes}",
            self.reason()
        );
        self.event(NotificationEvent::PageSpikeDetected, summary, now)
    }

    /// `page.spike_ended`: who ended it.
    pub fn ended_event(&self, now: OffsetDateTime) -> Event {
        let page = self.page();
        let by = self.ended_by.as_deref().unwrap_or("staff");
        let summary = format!(
            "Crisis on {page} ended by {by}: automatic replies resume as the page is set. Drafts held meanwhile still wait for approval."
        );
        self.event(NotificationEvent::PageSpikeEnded, summary, now)
    }
}

/// A spike as the reports list it: which page and theme, when it began and ended, how
/// many complaints (the shape `feedbackctl report themes` and the inbox's report share).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpikeSummary {
    /// `{platform}:{account}`
    pub page: String,
    pub theme: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// `None`: not ended yet.
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    pub ended_by: Option<String>,
    /// Complaints about the theme in the hour before it began.
    pub count: u32,
    /// The page's usual count for that hour.
    pub usual: f64,
    /// Replies were held (`false`: alert only).
    pub hold: bool,
}

impl From<&Spike> for SpikeSummary {
    fn from(spike: &Spike) -> Self {
        SpikeSummary {
            page: spike.page(),
            theme: spike.theme.clone(),
            started_at: spike.started_at,
            ended_at: spike.ended_at,
            ended_by: spike.ended_by.clone(),
            count: spike.count,
            usual: (spike.usual * 10.0).round() / 10.0,
            hold: spike.hold,
        }
    }
}

fn spike_of(item: &Item) -> Option<Spike> {
    let number = |name: &str| match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse::<f64>().ok(),
        _ => None,
    };
    let strings = |name: &str| match item.get(name) {
        Some(AttributeValue::L(l)) => l
            .iter()
            .filter_map(|v| v.as_s().ok().cloned())
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let themes = match item.get("themes") {
        Some(AttributeValue::M(m)) => {
            let mut themes: Vec<(String, u32)> = m
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_n().ok()?.parse().ok()?)))
                .collect();
            themes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            themes
        }
        _ => Vec::new(),
    };
    Some(Spike {
        platform: Platform::parse(get_str(item, "platform")?).ok()?,
        account_id: AccountId::parse(get_str(item, "account_id")?).ok()?,
        started_at: get_str(item, "started_at").and_then(parse_ts)?,
        theme: get_str(item, "theme")?.to_owned(),
        count: number("count").unwrap_or_default() as u32,
        usual: number("usual").unwrap_or_default(),
        themes,
        excerpts: strings("excerpts"),
        hold: get_bool(item, "hold"),
        ended_at: get_str(item, "ended_at").and_then(parse_ts),
        ended_by: get_str(item, "ended_by").map(str::to_owned),
    })
}

/// What ending a crisis did.
#[derive(Debug, Clone, PartialEq)]
pub enum CrisisEnd {
    /// Ended now, by the caller.
    Ended(Spike),
    /// The page was in no crisis (perhaps someone ended it first).
    NotInCrisis,
}

impl DynamoStore {
    /// Count one complaint (or abusive comment) of a page under `theme`, in the hour it
    /// arrived. Counted once per item however often it is redelivered. Returns whether
    /// it was new.
    pub async fn count_complaint(
        &self,
        key: &FeedbackKey,
        account: &AccountId,
        theme: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let hour = hour_key(at);
        let res = self
            .update_item(
                page_pk(&key.platform, account),
                format!("{COUNT_SK_PREFIX}{hour}"),
            )
            .update_expression(
                "ADD #n :one, #i :item SET record_type = :type, platform = :platform, account_id = :account, #ttl = if_not_exists(#ttl, :ttl)",
            )
            .condition_expression("NOT contains(#i, :id)")
            .expression_attribute_names("#n", count_attr(theme))
            .expression_attribute_names("#i", items_attr(theme))
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":item", AttributeValue::Ss(vec![key.id()]))
            .expression_attribute_values(":id", s(key.id()))
            .expression_attribute_values(":type", s(RecordType::ComplaintCount.as_str()))
            .expression_attribute_values(":platform", s(key.platform.as_str()))
            .expression_attribute_values(":account", s(account.as_str()))
            .expression_attribute_values(":ttl", expiry(at, COUNT_RETENTION_DAYS))
            .send()
            .await;
        let new = crate::dynamo::conditional(res, "UpdateItem")?;
        // Always (also for a redelivery): the first try may have stopped between the two.
        self.update_item(WATCH_PK, format!("{WATCH_HOUR_PREFIX}{hour}"))
            .update_expression(
                "ADD pages :page SET record_type = :type, #ttl = if_not_exists(#ttl, :ttl)",
            )
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(
                ":page",
                AttributeValue::Ss(vec![page_name(&key.platform, account)]),
            )
            .expression_attribute_values(":type", s(RecordType::SpikeWatch.as_str()))
            .expression_attribute_values(":ttl", expiry(at, WATCH_RETENTION_DAYS))
            .send()
            .await
            .map_err(dynamo_err("UpdateItem"))?;
        Ok(new)
    }

    /// The pages with complaints in any of `hours` (one read per hour).
    pub async fn pages_with_complaints(
        &self,
        hours: &[OffsetDateTime],
    ) -> Result<BTreeSet<(Platform, AccountId)>, StoreError> {
        let mut pages = BTreeSet::new();
        for hour in hours {
            let sk = format!("{WATCH_HOUR_PREFIX}{}", hour_key(*hour));
            if let Some(item) = self.get_item(WATCH_PK, &sk).await? {
                pages.extend(names(&item, "pages").filter_map(|p| parse_page_name(&p)));
            }
        }
        Ok(pages)
    }

    /// The pages in a crisis (one read).
    pub async fn pages_in_crisis(&self) -> Result<BTreeSet<(Platform, AccountId)>, StoreError> {
        Ok(self
            .get_item(WATCH_PK, CRISES_SK)
            .await?
            .map(|item| {
                names(&item, "pages")
                    .filter_map(|p| parse_page_name(&p))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// A page's counts per hour from `from` to `to` (both hours included), oldest first:
    /// one query in the page's partition, the counts only.
    pub async fn complaint_counts(
        &self,
        platform: &Platform,
        account: &AccountId,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<HourCounts>, StoreError> {
        let themes: Vec<&str> = counted_themes().collect();
        let projection = std::iter::once("sk".to_owned())
            .chain((0..themes.len()).map(|i| format!("#n{i}")))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(page_pk(platform, account)))
            .expression_attribute_values(":from", s(format!("{COUNT_SK_PREFIX}{}", hour_key(from))))
            .expression_attribute_values(":to", s(format!("{COUNT_SK_PREFIX}{}", hour_key(to))))
            .projection_expression(&projection);
        for (i, theme) in themes.iter().enumerate() {
            q = q.expression_attribute_names(format!("#n{i}"), count_attr(theme));
        }
        Ok(query_items(q)
            .await?
            .iter()
            .map(|item| {
                let hour = get_str(item, SK)
                    .and_then(|sk| sk.strip_prefix(COUNT_SK_PREFIX))
                    .and_then(parse_hour_key);
                let counts = themes
                    .iter()
                    .filter_map(|t| {
                        let v = item.get(&count_attr(t))?.as_n().ok()?.parse().ok()?;
                        Some(((*t).to_owned(), v))
                    })
                    .collect();
                HourCounts { hour, counts }
            })
            .collect())
    }

    /// The items counted under `theme` in the hour of `hour` (to quote a few).
    pub async fn counted_items(
        &self,
        platform: &Platform,
        account: &AccountId,
        hour: OffsetDateTime,
        theme: &str,
    ) -> Result<Vec<FeedbackKey>, StoreError> {
        let sk = format!("{COUNT_SK_PREFIX}{}", hour_key(hour));
        Ok(self
            .get_item(&page_pk(platform, account), &sk)
            .await?
            .map(|item| {
                names(&item, &items_attr(theme))
                    .filter_map(|id| FeedbackKey::parse_id(&id))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Start a crisis on the page unless one is on: the page's crisis state (a hold unless
    /// `hold` is off), the page in the crisis set, and the spike's record, in one
    /// transaction. `Ok(false)`: the page is already in a crisis (another sweeper won).
    pub async fn start_crisis(
        &self,
        spike: &Spike,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let pk = page_pk(&spike.platform, &spike.account_id);
        let page = self
            .update_part(&pk, PAGE_SK)
            .update_expression(
                "SET crisis_since = :since, crisis_reason = :reason, crisis_theme = :theme, crisis_hold = :hold, crisis_told = :false, updated_at = :now, record_type = :type, platform = :platform, account_id = :account",
            )
            .condition_expression("attribute_not_exists(crisis_since)")
            .expression_attribute_values(":since", s(ts(spike.started_at)))
            .expression_attribute_values(":reason", s(spike.reason()))
            .expression_attribute_values(":theme", s(&spike.theme))
            .expression_attribute_values(":hold", AttributeValue::Bool(spike.hold))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":type", s(RecordType::Page.as_str()))
            .expression_attribute_values(":platform", s(spike.platform.as_str()))
            .expression_attribute_values(":account", s(spike.account_id.as_str()))
            .build()
            .map_err(build_err)?;
        let watch = self
            .update_part(WATCH_PK, CRISES_SK)
            .update_expression("ADD pages :page SET record_type = :type")
            .expression_attribute_values(":page", AttributeValue::Ss(vec![spike.page()]))
            .expression_attribute_values(":type", s(RecordType::SpikeWatch.as_str()))
            .build()
            .map_err(build_err)?;
        let themes = spike
            .themes
            .iter()
            .map(|(t, c)| (t.clone(), n(c)))
            .collect();
        let record = self
            .put_part(
                &pk,
                format!("{SPIKE_SK_PREFIX}{}", ts(spike.started_at)),
                RecordType::Spike,
            )
            .item("platform", s(spike.platform.as_str()))
            .item("account_id", s(spike.account_id.as_str()))
            .item("started_at", s(ts(spike.started_at)))
            .item("theme", s(&spike.theme))
            .item("count", n(spike.count))
            .item("usual", n(format!("{:.2}", spike.usual)))
            .item("themes", AttributeValue::M(themes))
            .item(
                "excerpts",
                AttributeValue::L(spike.excerpts.iter().map(s).collect()),
            )
            .item("hold", AttributeValue::Bool(spike.hold))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_err)?;
        self.transact(vec![
            TransactWriteItem::builder().update(page).build(),
            TransactWriteItem::builder().update(watch).build(),
            TransactWriteItem::builder().put(record).build(),
        ])
        .await
    }

    /// The spike a page's crisis began with, when its alert may not have been queued yet
    /// (a sweep stopped between starting the crisis and queueing it).
    pub async fn untold_crisis(
        &self,
        platform: &Platform,
        account: &AccountId,
    ) -> Result<Option<Spike>, StoreError> {
        let Some(item) = self.get_item(&page_pk(platform, account), PAGE_SK).await? else {
            return Ok(None);
        };
        if !matches!(item.get("crisis_told"), Some(AttributeValue::Bool(false))) {
            return Ok(None);
        }
        match get_str(&item, "crisis_since").and_then(parse_ts) {
            Some(since) => self.spike(platform, account, since).await,
            None => Ok(None),
        }
    }

    /// The page's alert for the crisis begun at `since` is queued.
    pub async fn mark_crisis_told(
        &self,
        platform: &Platform,
        account: &AccountId,
        since: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let res = self
            .update_item(page_pk(platform, account), PAGE_SK)
            .update_expression("SET crisis_told = :true")
            .condition_expression("crisis_since = :since")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":since", s(ts(since)))
            .send()
            .await;
        // Ended meanwhile: nothing to mark.
        crate::dynamo::conditional(res, "UpdateItem").map(|_| ())
    }

    /// One spike's record.
    pub async fn spike(
        &self,
        platform: &Platform,
        account: &AccountId,
        started_at: OffsetDateTime,
    ) -> Result<Option<Spike>, StoreError> {
        let sk = format!("{SPIKE_SK_PREFIX}{}", ts(started_at));
        Ok(self
            .get_item(&page_pk(platform, account), &sk)
            .await?
            .as_ref()
            .and_then(spike_of))
    }

    /// A page's spikes that began from `from` to `to`, oldest first (one query).
    pub async fn spikes_of(
        &self,
        platform: &Platform,
        account: &AccountId,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Spike>, StoreError> {
        Ok(self
            .query_all(
                None,
                "pk = :pk AND sk BETWEEN :from AND :to",
                vec![
                    (":pk", s(page_pk(platform, account))),
                    (":from", s(format!("{SPIKE_SK_PREFIX}{}", ts(from)))),
                    (":to", s(format!("{SPIKE_SK_PREFIX}{}~", ts(to)))),
                ],
                true,
            )
            .await?
            .iter()
            .filter_map(spike_of)
            .collect())
    }

    /// The spike a page's crisis began with (its record; the page's own note of it if the
    /// record is missing).
    async fn spike_of_crisis(
        &self,
        platform: &Platform,
        account: &AccountId,
        crisis: &feedback::page::Crisis,
    ) -> Result<Spike, StoreError> {
        Ok(self
            .spike(platform, account, crisis.since)
            .await?
            .unwrap_or_else(|| Spike {
                platform: platform.clone(),
                account_id: account.clone(),
                started_at: crisis.since,
                theme: crisis.theme.clone(),
                count: 0,
                usual: 0.0,
                themes: Vec::new(),
                excerpts: Vec::new(),
                hold: crisis.hold,
                ended_at: None,
                ended_by: None,
            }))
    }

    /// Every page's crisis not yet ended, with its spike (since when, why, the counts and
    /// the top themes), oldest first: one read of the crisis set, then two per page in it.
    /// What the inbox's banner and `feedbackctl tasks list` show.
    pub async fn open_crises(&self) -> Result<Vec<Spike>, StoreError> {
        let mut crises = Vec::new();
        for (platform, account) in self.pages_in_crisis().await? {
            let Some(crisis) = self
                .page(&platform, &account)
                .await?
                .and_then(|page| page.crisis)
            else {
                continue;
            };
            crises.push(self.spike_of_crisis(&platform, &account, &crisis).await?);
        }
        crises.sort_by_key(|c| c.started_at);
        Ok(crises)
    }

    /// Every spike that began from `from` to `to`, on any configured page (every spiked
    /// page has a record: starting a crisis writes it), oldest first: for the themes
    /// report.
    pub async fn spikes_between(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Spike>, StoreError> {
        let mut spikes = Vec::new();
        for page in self.pages().await? {
            spikes.extend(
                self.spikes_of(&page.platform, &page.account_id, from, to)
                    .await?,
            );
        }
        spikes.sort_by_key(|s| (s.started_at, s.page()));
        Ok(spikes)
    }

    /// A person ends the page's crisis: the hold is lifted (drafts held meanwhile stay
    /// for approval), who and when are kept, and `page.spike_ended` is queued for the
    /// page's targets. Asked again (the first answer lost), the notification is queued
    /// again, still once per target.
    pub async fn end_crisis(
        &self,
        platform: &Platform,
        account: &AccountId,
        by: &str,
        now: OffsetDateTime,
    ) -> Result<CrisisEnd, StoreError> {
        let pk = page_pk(platform, account);
        let Some(item) = self.get_item(&pk, PAGE_SK).await? else {
            return Ok(CrisisEnd::NotInCrisis);
        };
        let record: PageRecord = crate::pages::page_record(&item);
        let Some(crisis) = record.crisis else {
            // Already ended: make sure its notification was queued.
            if let Some(last) = get_str(&item, "crisis_last_since").and_then(parse_ts)
                && let Some(spike) = self.spike(platform, account, last).await?
                && spike.ended_at.is_some()
            {
                self.enqueue_notification(&spike.ended_event(now), &targets(&record.config), now)
                    .await?;
            }
            return Ok(CrisisEnd::NotInCrisis);
        };
        let since = s(ts(crisis.since));
        let page = self
            .update_part(&pk, PAGE_SK)
            .update_expression(
                "SET crisis_ended_at = :now, crisis_ended_by = :by, crisis_last_since = :since, updated_at = :now REMOVE crisis_since, crisis_reason, crisis_theme, crisis_hold, crisis_told",
            )
            .condition_expression("crisis_since = :since")
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":by", s(by))
            .expression_attribute_values(":since", since.clone())
            .build()
            .map_err(build_err)?;
        let watch = self
            .update_part(WATCH_PK, CRISES_SK)
            .update_expression("DELETE pages :page")
            .expression_attribute_values(
                ":page",
                AttributeValue::Ss(vec![page_name(platform, account)]),
            )
            .build()
            .map_err(build_err)?;
        let spike_record = self
            .update_part(&pk, format!("{SPIKE_SK_PREFIX}{}", ts(crisis.since)))
            .update_expression("SET ended_at = :now, ended_by = :by")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":by", s(by))
            .build()
            .map_err(build_err)?;
        let ended = self
            .transact(vec![
                TransactWriteItem::builder().update(page).build(),
                TransactWriteItem::builder().update(watch).build(),
                TransactWriteItem::builder().update(spike_record).build(),
            ])
            .await?;
        if !ended {
            // Someone else ended it first: theirs is the end (and the notification).
            return Ok(CrisisEnd::NotInCrisis);
        }
        let mut spike = self.spike_of_crisis(platform, account, &crisis).await?;
        spike.ended_at = Some(now);
        spike.ended_by = Some(by.to_owned());
        self.enqueue_notification(&spike.ended_event(now), &targets(&record.config), now)
            .await?;
        Ok(CrisisEnd::Ended(spike))
    }
}

fn names<'i>(item: &'i Item, attr: &str) -> impl Iterator<Item = String> + 'i {
    let set = match item.get(attr) {
        Some(AttributeValue::Ss(set)) => set.as_slice(),
        _ => &[],
    };
    set.iter().cloned()
}

/// A short quote of a complaint for a spike alert.
pub fn excerpt(text: &str) -> String {
    one_line(text, SPIKE_EXCERPT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_hour_key_names_the_utc_hour_and_reads_back() {
        let t = datetime!(2026-03-01 23:59:59 +01:00);
        assert_eq!(hour_key(t), "2026-03-01T22");
        assert_eq!(
            parse_hour_key("2026-03-01T22"),
            Some(datetime!(2026-03-01 22:00 UTC))
        );
    }

    #[test]
    fn a_page_name_reads_back_and_nothing_else_does() {
        let platform = Platform::parse("facebook").unwrap_or_else(|_| unreachable!());
        let account = AccountId::parse("1029384756").unwrap_or_else(|_| unreachable!());
        assert_eq!(
            parse_page_name(&page_name(&platform, &account)),
            Some((platform, account))
        );
        assert_eq!(parse_page_name("facebook"), None);
    }

    #[test]
    fn the_alert_quotes_but_each_target_escapes_it() {
        let spike = Spike {
            platform: Platform::parse("facebook").unwrap_or_else(|_| unreachable!()),
            account_id: AccountId::parse("1").unwrap_or_else(|_| unreachable!()),
            started_at: datetime!(2026-03-01 12:00 UTC),
            theme: "delivery".into(),
            count: 12,
            usual: 0.3,
            themes: vec![("delivery".into(), 12), ("billing".into(), 1)],
            excerpts: vec!["<!channel> **never** again".into()],
            hold: true,
            ended_at: None,
            ended_by: None,
        };
        let event = spike.detected_event(datetime!(2026-03-01 12:01 UTC));
        assert!(
            event.summary.starts_with(
                "Spike on facebook:1: 12 complaints about delivery in the last hour (usually 0.3)"
            ),
            "{}",
            event.summary
        );
        let slack = event.body(feedback::records::NotifyTarget::Slack);
        assert!(
            slack.contains("&lt;!channel&gt;") && !slack.contains("<!channel>"),
            "{slack}"
        );
        let teams = event.body(feedback::records::NotifyTarget::Teams);
        assert!(teams.contains("\\\\*\\\\*never\\\\*\\\\*"), "{teams}");
        assert_eq!(event.data["excerpts"][0], "<!channel> **never** again");
        assert_eq!(event.round, spike.ended_event(event.at).round);
    }
}
