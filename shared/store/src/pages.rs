//! A page's configuration (`page#{platform}#{account}` / `config`): how it wants its
//! feedback answered, and whether its token stopped working.

use crate::StoreError;
use crate::codec::{Item, get_bool, get_str, n, s, ts};
use crate::dynamo::{DynamoStore, dynamo_err, is_conditional_failure};
use crate::keys::*;
use aws_sdk_dynamodb::types::AttributeValue;
use feedback::page::{
    Boldness, Crisis, PageConfig, PageRecord, RECENT_REPLIES, RecentReply, ReplyMode, Secret,
};
use feedback::records::RecordType;
use feedback::{AccountId, Platform};
use serde::Serialize;
use time::OffsetDateTime;

/// Stored attribute names of [`PageConfig`].
mod attr {
    pub const BRAND_NAME: &str = "brand_name";
    pub const DEFAULT_LANGUAGE: &str = "default_language";
    pub const MODE: &str = "mode";
    pub const THANK_POSITIVE: &str = "thank_positive";
    pub const SLA_HOURS: &str = "sla_hours";
    pub const SIGNATURE: &str = "signature";
    pub const CONTACT: &str = "contact";
    pub const MAX_AGE_HOURS: &str = "max_age_hours";
    pub const TOKEN_SOURCE: &str = "token_source";
    pub const TEMPLATES: &str = "templates";
    pub const NOTIFY_SLACK_URL: &str = "notify_slack_url";
    pub const NOTIFY_TEAMS_URL: &str = "notify_teams_url";
    pub const NOTIFY_WEBHOOK_URL: &str = "notify_webhook_url";
    pub const NOTIFY_WEBHOOK_SECRET: &str = "notify_webhook_secret";
    pub const RESOLVED_REPLY: &str = "resolved_reply";
    pub const UPDATE_REQUEST_DELAY_HOURS: &str = "update_request_delay_hours";
    pub const BOLDNESS: &str = "boldness";
    pub const SPIKE_MIN_COMPLAINTS: &str = "spike_min_complaints";
    pub const SPIKE_FACTOR: &str = "spike_factor";
    pub const SPIKE_HOLD: &str = "spike_hold";
    /// The page's latest public replies: a list of "digest item_id", oldest first.
    pub const RECENT_REPLIES: &str = "recent_replies";
}

/// The stored form of one recent reply: "digest item_id" (a digest has no space).
fn recent_reply(value: &AttributeValue) -> Option<RecentReply> {
    let (digest, item_id) = value.as_s().ok()?.split_once(' ')?;
    Some(RecentReply {
        item_id: item_id.to_owned(),
        digest: digest.to_owned(),
    })
}

/// A page as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageView {
    pub platform: Platform,
    pub account_id: AccountId,
    #[serde(flatten)]
    pub record: PageRecord,
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

/// One page setting the inbox may change, with its stored attribute name (the names
/// `pages.rs` reads; a round trip through `page()` in the tests keeps them in step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageSetting {
    BrandName,
    DefaultLanguage,
    Mode,
    ThankPositive,
    SlaHours,
    Signature,
    Contact,
    MaxAgeHours,
    ResolvedReply,
    UpdateRequestDelayHours,
}

impl PageSetting {
    pub const ALL: [PageSetting; 10] = [
        PageSetting::BrandName,
        PageSetting::DefaultLanguage,
        PageSetting::Mode,
        PageSetting::ThankPositive,
        PageSetting::SlaHours,
        PageSetting::Signature,
        PageSetting::Contact,
        PageSetting::MaxAgeHours,
        PageSetting::ResolvedReply,
        PageSetting::UpdateRequestDelayHours,
    ];

    /// The stored attribute (also the name the inbox API uses).
    pub fn attribute(self) -> &'static str {
        match self {
            PageSetting::BrandName => "brand_name",
            PageSetting::DefaultLanguage => "default_language",
            PageSetting::Mode => "mode",
            PageSetting::ThankPositive => "thank_positive",
            PageSetting::SlaHours => "sla_hours",
            PageSetting::Signature => "signature",
            PageSetting::Contact => "contact",
            PageSetting::MaxAgeHours => "max_age_hours",
            PageSetting::ResolvedReply => "resolved_reply",
            PageSetting::UpdateRequestDelayHours => "update_request_delay_hours",
        }
    }

    pub fn parse(name: &str) -> Option<PageSetting> {
        PageSetting::ALL.into_iter().find(|s| s.attribute() == name)
    }
}

/// A value of a [`PageSetting`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingValue {
    Text(String),
    Number(u32),
    Flag(bool),
    Mode(ReplyMode),
}

/// A change to a page's configuration ([`DynamoStore::update_page`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageChange {
    /// What to set: its `None`s leave the stored value alone; an empty notification
    /// target removes it.
    pub set: PageConfig,
    /// Settings to remove, so the default applies.
    pub unset: Vec<PageSetting>,
    /// Clear the "reconnect the page" flag (staff reconnected it).
    pub clear_reconnect: bool,
    pub check: ReadCheck,
}

/// Whether a page change first checks that nobody changed the page since it was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReadCheck {
    /// Write whatever is stored now (`feedbackctl pages set`: one person, one command).
    #[default]
    None,
    /// Only if the page was last changed at this time (`None`: it had no stored
    /// configuration when read).
    ReadAt(Option<OffsetDateTime>),
}

impl PageChange {
    /// Set `setting` to `value`, or remove it (`None`). `Err`: the value is not of the
    /// setting's kind.
    pub fn apply(
        &mut self,
        setting: PageSetting,
        value: Option<SettingValue>,
    ) -> Result<(), PageSetting> {
        let Some(value) = value else {
            self.unset.push(setting);
            return Ok(());
        };
        let c = &mut self.set;
        match (setting, value) {
            (PageSetting::BrandName, SettingValue::Text(t)) => c.brand_name = Some(t),
            (PageSetting::DefaultLanguage, SettingValue::Text(t)) => c.default_language = Some(t),
            (PageSetting::Signature, SettingValue::Text(t)) => c.signature = Some(t),
            (PageSetting::Contact, SettingValue::Text(t)) => c.contact = Some(t),
            (PageSetting::Mode, SettingValue::Mode(m)) => c.mode = Some(m),
            (PageSetting::ThankPositive, SettingValue::Flag(b)) => c.thank_positive = Some(b),
            (PageSetting::ResolvedReply, SettingValue::Flag(b)) => c.resolved_reply = Some(b),
            (PageSetting::SlaHours, SettingValue::Number(v)) => c.sla_hours = Some(v),
            (PageSetting::MaxAgeHours, SettingValue::Number(v)) => c.max_age_hours = Some(v),
            (PageSetting::UpdateRequestDelayHours, SettingValue::Number(v)) => {
                c.update_request_delay_hours = Some(v)
            }
            (setting, _) => return Err(setting),
        }
        Ok(())
    }
}

fn number(item: &Item, name: &str) -> Option<u32> {
    match item.get(name) {
        // Older records kept numbers as strings.
        Some(AttributeValue::N(v) | AttributeValue::S(v)) => v.parse().ok(),
        _ => None,
    }
}

fn boolean(item: &Item, name: &str) -> Option<bool> {
    match item.get(name) {
        Some(AttributeValue::Bool(b)) => Some(*b),
        Some(AttributeValue::S(v)) => v.parse().ok(),
        _ => None,
    }
}

pub(crate) fn page_record(item: &Item) -> PageRecord {
    let text = |name| get_str(item, name).map(str::to_owned);
    let secret = |name| {
        get_str(item, name)
            .filter(|v| !v.is_empty())
            .map(Secret::new)
    };
    PageRecord {
        config: PageConfig {
            brand_name: text(attr::BRAND_NAME),
            default_language: text(attr::DEFAULT_LANGUAGE),
            mode: get_str(item, attr::MODE).and_then(ReplyMode::parse),
            thank_positive: boolean(item, attr::THANK_POSITIVE),
            sla_hours: number(item, attr::SLA_HOURS),
            signature: text(attr::SIGNATURE),
            contact: text(attr::CONTACT),
            max_age_hours: number(item, attr::MAX_AGE_HOURS),
            token_source: text(attr::TOKEN_SOURCE),
            templates: text(attr::TEMPLATES),
            notify_slack_url: secret(attr::NOTIFY_SLACK_URL),
            notify_teams_url: secret(attr::NOTIFY_TEAMS_URL),
            notify_webhook_url: secret(attr::NOTIFY_WEBHOOK_URL),
            notify_webhook_secret: secret(attr::NOTIFY_WEBHOOK_SECRET),
            resolved_reply: boolean(item, attr::RESOLVED_REPLY),
            update_request_delay_hours: number(item, attr::UPDATE_REQUEST_DELAY_HOURS),
            boldness: get_str(item, attr::BOLDNESS).and_then(Boldness::parse),
            spike_min_complaints: number(item, attr::SPIKE_MIN_COMPLAINTS),
            spike_factor: number(item, attr::SPIKE_FACTOR),
            spike_hold: boolean(item, attr::SPIKE_HOLD),
        },
        needs_reconnect: get_bool(item, "needs_reconnect"),
        reconnect_reason: text("reconnect_reason"),
        reconnect_since: get_str(item, "reconnect_since").and_then(crate::codec::parse_ts),
        recent_replies: match item.get(attr::RECENT_REPLIES) {
            Some(AttributeValue::L(list)) => list.iter().filter_map(recent_reply).collect(),
            _ => Vec::new(),
        },
        crisis: get_str(item, "crisis_since")
            .and_then(crate::codec::parse_ts)
            .map(|since| Crisis {
                since,
                reason: text("crisis_reason").unwrap_or_default(),
                theme: text("crisis_theme").unwrap_or_default(),
                hold: boolean(item, "crisis_hold").unwrap_or(true),
            }),
        crisis_ended_at: get_str(item, "crisis_ended_at").and_then(crate::codec::parse_ts),
        crisis_ended_by: text("crisis_ended_by"),
    }
}

/// `recent` with `item_id`'s reply (`digest`) last, and at most [`RECENT_REPLIES`].
pub fn with_recent_reply(recent: &[RecentReply], item_id: &str, digest: &str) -> Vec<RecentReply> {
    let mut list: Vec<RecentReply> = recent
        .iter()
        .filter(|r| r.item_id != item_id)
        .cloned()
        .collect();
    list.push(RecentReply {
        item_id: item_id.to_owned(),
        digest: digest.to_owned(),
    });
    let extra = list.len().saturating_sub(RECENT_REPLIES);
    list.drain(..extra);
    list
}

pub(crate) fn page_view(item: &Item) -> Option<PageView> {
    Some(PageView {
        platform: Platform::parse(get_str(item, "platform")?).ok()?,
        account_id: AccountId::parse(get_str(item, "account_id")?).ok()?,
        record: page_record(item),
        updated_at: get_str(item, "updated_at").and_then(crate::codec::parse_ts),
    })
}

impl DynamoStore {
    pub async fn page(
        &self,
        platform: &Platform,
        account: &AccountId,
    ) -> Result<Option<PageRecord>, StoreError> {
        Ok(self
            .get_item(&page_pk(platform, account), PAGE_SK)
            .await?
            .map(|item| page_record(&item)))
    }

    /// One page as staff see it, with when it was last changed (`None`: the page has no
    /// stored configuration).
    pub async fn page_view(
        &self,
        platform: &Platform,
        account: &AccountId,
    ) -> Result<Option<PageView>, StoreError> {
        Ok(self
            .get_item(&page_pk(platform, account), PAGE_SK)
            .await?
            .and_then(|item| page_view(&item)))
    }

    /// Change a page's configuration: set what `change.set` sets (its `None`s leave the
    /// stored value alone; an empty notification target removes it), remove what
    /// `change.unset` names (so the default applies), and clear a reconnect flag when
    /// `change.clear_reconnect`. With [`ReadCheck::ReadAt`], only if nobody changed the
    /// page since it was read. `Ok(false)`: someone did; nothing was written.
    pub async fn update_page(
        &self,
        platform: &Platform,
        account: &AccountId,
        change: &PageChange,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let config = &change.set;
        let mut update = self
            .update_item(page_pk(platform, account), PAGE_SK)
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":type", s(RecordType::Page.as_str()))
            .expression_attribute_values(":platform", s(platform.as_str()))
            .expression_attribute_values(":account", s(account.as_str()));
        let mut set = vec![
            "updated_at = :now".to_owned(),
            format!("{RECORD_TYPE} = :type"),
            "platform = :platform".to_owned(),
            "account_id = :account".to_owned(),
        ];
        let text = |v: &Option<String>| v.as_ref().map(s);
        let mut remove: Vec<&str> = Vec::new();
        let mut secret = |name: &'static str, v: &Option<Secret>| match v {
            Some(v) if v.expose().trim().is_empty() => {
                remove.push(name);
                None
            }
            v => v.as_ref().map(|v| s(v.expose())),
        };
        let notify = [
            (
                attr::NOTIFY_SLACK_URL,
                secret(attr::NOTIFY_SLACK_URL, &config.notify_slack_url),
            ),
            (
                attr::NOTIFY_TEAMS_URL,
                secret(attr::NOTIFY_TEAMS_URL, &config.notify_teams_url),
            ),
            (
                attr::NOTIFY_WEBHOOK_URL,
                secret(attr::NOTIFY_WEBHOOK_URL, &config.notify_webhook_url),
            ),
            (
                attr::NOTIFY_WEBHOOK_SECRET,
                secret(attr::NOTIFY_WEBHOOK_SECRET, &config.notify_webhook_secret),
            ),
        ];
        let values: [(&str, Option<AttributeValue>); 16] = [
            (attr::BRAND_NAME, text(&config.brand_name)),
            (attr::DEFAULT_LANGUAGE, text(&config.default_language)),
            (attr::MODE, config.mode.map(|m| s(m.as_str()))),
            (
                attr::THANK_POSITIVE,
                config.thank_positive.map(AttributeValue::Bool),
            ),
            (attr::SLA_HOURS, config.sla_hours.map(n)),
            (attr::SIGNATURE, text(&config.signature)),
            (attr::CONTACT, text(&config.contact)),
            (attr::MAX_AGE_HOURS, config.max_age_hours.map(n)),
            (attr::TOKEN_SOURCE, text(&config.token_source)),
            (attr::TEMPLATES, text(&config.templates)),
            (
                attr::RESOLVED_REPLY,
                config.resolved_reply.map(AttributeValue::Bool),
            ),
            (
                attr::UPDATE_REQUEST_DELAY_HOURS,
                config.update_request_delay_hours.map(n),
            ),
            (attr::BOLDNESS, config.boldness.map(|b| s(b.as_str()))),
            (
                attr::SPIKE_MIN_COMPLAINTS,
                config.spike_min_complaints.map(n),
            ),
            (attr::SPIKE_FACTOR, config.spike_factor.map(n)),
            (
                attr::SPIKE_HOLD,
                config.spike_hold.map(AttributeValue::Bool),
            ),
        ];
        for (i, (name, value)) in values.into_iter().chain(notify).enumerate() {
            if let Some(value) = value {
                update = update
                    .expression_attribute_names(format!("#a{i}"), name)
                    .expression_attribute_values(format!(":v{i}"), value);
                set.push(format!("#a{i} = :v{i}"));
            }
        }
        let mut unset = Vec::new();
        for (i, setting) in change.unset.iter().enumerate() {
            update = update.expression_attribute_names(format!("#u{i}"), setting.attribute());
            unset.push(format!("#u{i}"));
        }
        let mut remove: Vec<String> = remove.into_iter().map(str::to_owned).collect();
        remove.extend(unset);
        if change.clear_reconnect {
            update = update.expression_attribute_values(":false", AttributeValue::Bool(false));
            set.push("needs_reconnect = :false".to_owned());
            remove.push("reconnect_reason".to_owned());
            remove.push("reconnect_since".to_owned());
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        update = match change.check {
            ReadCheck::None => update,
            ReadCheck::ReadAt(Some(read_at)) => update
                .condition_expression("updated_at = :read")
                .expression_attribute_values(":read", s(ts(read_at))),
            ReadCheck::ReadAt(None) => {
                update.condition_expression("attribute_not_exists(updated_at)")
            }
        };
        match update.update_expression(expression).send().await {
            Ok(_) => Ok(true),
            Err(e) if is_conditional_failure(&e) => Ok(false),
            Err(e) => Err(dynamo_err("UpdateItem")(e)),
        }
    }

    /// The page's token no longer works: mark it so no more calls are made until staff
    /// reconnect it.
    pub async fn mark_page_reconnect(
        &self,
        platform: &Platform,
        account: &AccountId,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.update_item(page_pk(platform, account), PAGE_SK)
            .update_expression(
                "SET needs_reconnect = :true, reconnect_reason = :reason, reconnect_since = if_not_exists(reconnect_since, :now), updated_at = :now, record_type = :type, platform = :platform, account_id = :account",
            )
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":reason", s(reason))
            .expression_attribute_values(":now", s(ts(now)))
            .expression_attribute_values(":type", s(RecordType::Page.as_str()))
            .expression_attribute_values(":platform", s(platform.as_str()))
            .expression_attribute_values(":account", s(account.as_str()))
            .send()
            .await
            .map_err(dynamo_err("UpdateItem"))?;
        Ok(())
    }

    /// Remember a public reply drafted on a configured page (nothing for a page without a
    /// record: it has no history to keep). `known` is the list as the page was read (no
    /// second read when nobody else wrote since). Optimistic: the list is replaced only if
    /// it is still what was read, re-read and retried a few times when replies race.
    pub async fn remember_reply(
        &self,
        platform: &Platform,
        account: &AccountId,
        item_id: &str,
        digest: &str,
        known: &[RecentReply],
    ) -> Result<(), StoreError> {
        let pk = page_pk(platform, account);
        let stored = |list: &[RecentReply]| -> Vec<AttributeValue> {
            list.iter()
                .map(|r| s(format!("{} {}", r.digest, r.item_id)))
                .collect()
        };
        let mut recent = known.to_vec();
        for attempt in 0..4 {
            if attempt > 0 {
                let Some(item) = self.get_item(&pk, PAGE_SK).await? else {
                    return Ok(());
                };
                recent = page_record(&item).recent_replies;
            }
            let old = (!recent.is_empty()).then(|| AttributeValue::L(stored(&recent)));
            let list = stored(&with_recent_reply(&recent, item_id, digest));
            let mut update = self
                .update_item(&pk, PAGE_SK)
                .update_expression("SET recent_replies = :list")
                .expression_attribute_values(":list", AttributeValue::L(list));
            update = match old {
                Some(old) => update
                    .condition_expression("attribute_exists(pk) AND recent_replies = :old")
                    .expression_attribute_values(":old", old),
                None => update.condition_expression(
                    "attribute_exists(pk) AND attribute_not_exists(recent_replies)",
                ),
            };
            if crate::dynamo::conditional(update.send().await, "UpdateItem")? {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Every configured page (a scan: a business has a handful).
    pub async fn pages(&self) -> Result<Vec<PageView>, StoreError> {
        Ok(self
            .scan_type(RecordType::Page)
            .await?
            .iter()
            .filter_map(page_view)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_setting_parses_back_from_its_attribute() {
        for setting in PageSetting::ALL {
            assert_eq!(PageSetting::parse(setting.attribute()), Some(setting));
        }
        assert_eq!(PageSetting::parse("token_source"), None);
        assert_eq!(PageSetting::parse("notify_slack_url"), None);
    }

    #[test]
    fn a_page_change_takes_each_setting_with_a_value_of_its_kind_only() {
        let mut change = PageChange::default();
        assert_eq!(
            change.apply(PageSetting::SlaHours, Some(SettingValue::Number(12))),
            Ok(())
        );
        assert_eq!(
            change.apply(
                PageSetting::Mode,
                Some(SettingValue::Mode(ReplyMode::Approval))
            ),
            Ok(())
        );
        assert_eq!(change.apply(PageSetting::Contact, None), Ok(()));
        assert_eq!(
            change.apply(PageSetting::BrandName, Some(SettingValue::Flag(true))),
            Err(PageSetting::BrandName)
        );
        assert_eq!(change.set.sla_hours, Some(12));
        assert_eq!(change.set.mode, Some(ReplyMode::Approval));
        assert_eq!(change.set.brand_name, None);
        assert_eq!(change.unset, [PageSetting::Contact]);
    }
}
