//! Spikes of complaints (README, "Crisis hold"): each sweep looks at the pages with
//! complaints in the last two hours, compares each theme's count in the last hour with
//! the page's usual count for that hour over the last 14 days, and starts a crisis on a
//! page where one spiked: one `page.spike_detected` to the page's targets, and, unless
//! the page asked for an alert only, a hold on every automatic reply until a person ends
//! it. Known keys only (a read per hour and one query per page), never a scan.

use crate::handler::FUNCTION;
use crate::sweep::{Summary, Sweeper};
use feedback::page::{PageRecord, SPIKE_FACTOR, SPIKE_MIN_COMPLAINTS};
use feedback::{AccountId, Platform};
use logging::error_chain;
use std::collections::BTreeMap;
use store::StoreError;
use store::notify::targets;
use store::spikes::{HourCounts, SPIKE_EXCERPTS, Spike, excerpt, hour_of};
use time::{Duration, OffsetDateTime};
use tracing::{info, warn};

/// The baseline: the same hour on each of this many days before.
pub const BASELINE_DAYS: i64 = 14;
/// After a person ends a crisis, the complaints that caused it are still in the window:
/// no new one starts for this long.
pub const QUIET_AFTER_END: Duration = Duration::hours(2);

/// When a page's complaints count as a spike.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub min_complaints: u32,
    pub factor: u32,
}

impl Thresholds {
    pub fn of(page: &PageRecord) -> Thresholds {
        Thresholds {
            min_complaints: page
                .config
                .spike_min_complaints
                .unwrap_or(SPIKE_MIN_COMPLAINTS)
                .max(1),
            factor: page.config.spike_factor.unwrap_or(SPIKE_FACTOR).max(1),
        }
    }
}

/// What spiked, and by how much.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub theme: String,
    /// Complaints about it in the last hour.
    pub count: f64,
    /// The page's usual count for that hour.
    pub usual: f64,
    /// Every theme's count in the last hour, most first.
    pub themes: Vec<(String, u32)>,
}

/// Does a theme spike at `now`, given the page's hourly counts (`counts`, any order,
/// covering at least the last [`BASELINE_DAYS`] days and an hour)?
///
/// The last hour is counted as a sliding window over two hourly counters: this hour's,
/// and the previous hour's weighted by how much of it is still within the last 60
/// minutes (the rate limiters' "sliding window counter"). The usual count is the same
/// window at the same time of day, averaged over the days before.
pub fn assess(counts: &[HourCounts], now: OffsetDateTime, t: Thresholds) -> Option<Assessment> {
    let by_hour: BTreeMap<OffsetDateTime, &BTreeMap<String, u32>> = counts
        .iter()
        .filter_map(|c| Some((c.hour?, &c.counts)))
        .collect();
    let this_hour = hour_of(now);
    let into = (now - this_hour).as_seconds_f64() / 3600.0;
    let count = |hour: OffsetDateTime, theme: &str| -> f64 {
        by_hour
            .get(&hour)
            .and_then(|c| c.get(theme))
            .copied()
            .map_or(0.0, f64::from)
    };
    let window = |end: OffsetDateTime, theme: &str, whole_current: bool| -> f64 {
        // The current hour is counted so far (all of it lies in the window); an earlier
        // day's same hour is complete, so only its share up to the same minute counts.
        let current = if whole_current {
            count(end, theme)
        } else {
            count(end, theme) * into
        };
        current + count(end - Duration::HOUR, theme) * (1.0 - into)
    };
    let mut themes: BTreeMap<String, f64> = BTreeMap::new();
    for c in by_hour.range(this_hour - Duration::HOUR..) {
        for theme in c.1.keys() {
            themes.insert(theme.clone(), window(this_hour, theme, true));
        }
    }
    let mut listed: Vec<(String, u32)> = themes
        .iter()
        .map(|(t, c)| (t.clone(), c.round() as u32))
        .filter(|(_, c)| *c > 0)
        .collect();
    listed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    themes
        .into_iter()
        .filter_map(|(theme, recent)| {
            let usual = (1..=BASELINE_DAYS)
                .map(|d| window(this_hour - Duration::days(d), &theme, false))
                .sum::<f64>()
                / BASELINE_DAYS as f64;
            let spiked =
                recent >= f64::from(t.min_complaints) && recent >= f64::from(t.factor) * usual;
            spiked.then_some((theme, recent, usual))
        })
        .max_by(|a, b| (a.1 - a.2).total_cmp(&(b.1 - b.2)))
        .map(|(theme, count, usual)| Assessment {
            theme,
            count,
            usual,
            themes: listed,
        })
}

/// One EMF line per spike: `SpikesDetected` = 1, with the page, the theme and its count
/// beside it (properties, not dimensions, so pages never multiply the metrics). Returns
/// the line (printed to stdout).
pub fn spike_metric(spike: &Spike) -> String {
    let count = spike.count.to_string();
    let page = spike.page();
    logging::metric_with(
        FUNCTION,
        "SpikesDetected",
        1,
        &[
            ("Page", &page),
            ("Theme", &spike.theme),
            ("Complaints", &count),
            ("Hold", if spike.hold { "true" } else { "false" }),
        ],
    )
}

impl Sweeper {
    /// Tell the alerts a stopped sweep left untold, then look for new spikes.
    pub(crate) async fn spikes(
        &self,
        now: OffsetDateTime,
        summary: &mut Summary,
    ) -> Result<(), StoreError> {
        let store = self.store();
        for (platform, account) in store.pages_in_crisis().await? {
            if let Some(spike) = store.untold_crisis(&platform, &account).await?
                && let Err(e) = self.tell(&spike, now).await
            {
                summary.errors += 1;
                warn!(page = %format!("{platform}:{account}"), error = %error_chain(&e), "spike alert not queued; next sweep tries again");
            }
        }
        let hours = [hour_of(now), hour_of(now) - Duration::HOUR];
        for (platform, account) in store.pages_with_complaints(&hours).await? {
            if let Err(e) = self.spike_on(&platform, &account, now, summary).await {
                summary.errors += 1;
                warn!(page = %format!("{platform}:{account}"), error = %error_chain(&e), "spike check failed; next sweep tries again");
            }
        }
        Ok(())
    }

    async fn spike_on(
        &self,
        platform: &Platform,
        account: &AccountId,
        now: OffsetDateTime,
        summary: &mut Summary,
    ) -> Result<(), StoreError> {
        let store = self.store();
        let page = store.page(platform, account).await?.unwrap_or_default();
        if page.crisis.is_some()
            || page
                .crisis_ended_at
                .is_some_and(|ended| now < ended + QUIET_AFTER_END)
        {
            return Ok(());
        }
        let this_hour = hour_of(now);
        let from = this_hour - Duration::days(BASELINE_DAYS) - Duration::HOUR;
        let counts = store
            .complaint_counts(platform, account, from, this_hour)
            .await?;
        let Some(found) = assess(&counts, now, Thresholds::of(&page)) else {
            return Ok(());
        };
        let mut excerpts = Vec::new();
        'hours: for hour in [this_hour, this_hour - Duration::HOUR] {
            for key in store
                .counted_items(platform, account, hour, &found.theme)
                .await?
            {
                if excerpts.len() >= SPIKE_EXCERPTS {
                    break 'hours;
                }
                if let Some(text) = store.feedback(&key).await?.and_then(|r| r.feedback.text)
                    && !text.trim().is_empty()
                {
                    excerpts.push(excerpt(&text));
                }
            }
        }
        let spike = Spike {
            platform: platform.clone(),
            account_id: account.clone(),
            started_at: now,
            theme: found.theme,
            count: found.count.round() as u32,
            usual: found.usual,
            themes: found.themes,
            excerpts,
            hold: page.config.spike_hold != Some(false),
            ended_at: None,
            ended_by: None,
        };
        if !store.start_crisis(&spike, now).await? {
            // Another sweeper started it first: theirs is the alert.
            return Ok(());
        }
        summary.spikes_detected += 1;
        spike_metric(&spike);
        warn!(
            page = %format!("{platform}:{account}"),
            theme = %spike.theme,
            count = spike.count,
            usual = spike.usual,
            hold = spike.hold,
            "spike of complaints: crisis started"
        );
        self.tell(&spike, now).await
    }

    /// Queue `page.spike_detected` (once per target, whoever asks) and mark it queued.
    async fn tell(&self, spike: &Spike, now: OffsetDateTime) -> Result<(), StoreError> {
        let store = self.store();
        let config = store
            .page(&spike.platform, &spike.account_id)
            .await?
            .unwrap_or_default()
            .config;
        store
            .enqueue_notification(&spike.detected_event(now), &targets(&config), now)
            .await?;
        store
            .mark_crisis_told(&spike.platform, &spike.account_id, spike.started_at)
            .await?;
        info!(page = %format!("{}:{}", spike.platform, spike.account_id), "spike alert queued");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T: Thresholds = Thresholds {
        min_complaints: 5,
        factor: 3,
    };

    fn at(hour: OffsetDateTime, theme: &str, n: u32) -> HourCounts {
        HourCounts {
            hour: Some(hour),
            counts: BTreeMap::from([(theme.to_owned(), n)]),
        }
    }

    /// `per_hour` complaints about delivery every hour for `days` days before `now`'s hour.
    fn steady(now: OffsetDateTime, days: i64, per_hour: u32) -> Vec<HourCounts> {
        (1..=days * 24)
            .map(|h| at(hour_of(now) - Duration::hours(h), "delivery", per_hour))
            .collect()
    }

    #[test]
    fn a_burst_on_a_quiet_page_is_a_spike_of_its_theme() {
        let now = datetime!(2026-03-02 10:10 UTC);
        let mut counts = steady(now, 14, 0);
        counts.push(at(hour_of(now), "delivery", 12));
        let found = assess(&counts, now, T).unwrap();
        assert_eq!(found.theme, "delivery");
        assert_eq!(found.count, 12.0);
        assert_eq!(found.themes, vec![("delivery".to_owned(), 12)]);
    }

    #[test]
    fn the_usual_rate_is_no_spike_however_many_it_is() {
        let now = datetime!(2026-03-02 10:40 UTC);
        let mut counts = steady(now, 14, 8);
        counts.push(at(hour_of(now), "delivery", 8));
        assert_eq!(assess(&counts, now, T), None);
    }

    #[test]
    fn fewer_than_the_minimum_is_no_spike_even_on_a_silent_page() {
        let now = datetime!(2026-03-02 10:40 UTC);
        assert_eq!(assess(&[at(hour_of(now), "billing", 4)], now, T), None);
        assert!(assess(&[at(hour_of(now), "billing", 5)], now, T).is_some());
    }

    #[test]
    fn a_burst_across_the_hour_still_counts_within_the_last_sixty_minutes() {
        // 6 complaints from :55 to :59 and 6 from :00 to :04; swept at :05.
        let now = datetime!(2026-03-02 11:05 UTC);
        let counts = [
            at(datetime!(2026-03-02 10:00 UTC), "delivery", 6),
            at(datetime!(2026-03-02 11:00 UTC), "delivery", 6),
        ];
        let found = assess(&counts, now, T).unwrap();
        assert!(found.count > 11.0 && found.count < 12.0, "{found:?}");
    }

    #[test]
    fn three_times_the_usual_is_needed() {
        let now = datetime!(2026-03-02 10:59:59 UTC);
        let mut counts = steady(now, 14, 3);
        counts.push(at(hour_of(now), "delivery", 8));
        assert_eq!(assess(&counts, now, T), None, "8 < 3 × 3");
        counts.pop();
        counts.push(at(hour_of(now), "delivery", 9));
        assert!(assess(&counts, now, T).is_some(), "9 ≥ 3 × 3");
    }

    #[test]
    fn each_spike_writes_one_embedded_metric_naming_its_page_and_theme() {
        let spike = Spike {
            platform: Platform::parse("facebook").unwrap(),
            account_id: AccountId::parse("1029384756").unwrap(),
            started_at: datetime!(2026-03-02 10:10 UTC),
            theme: "delivery".into(),
            count: 12,
            usual: 0.4,
            themes: vec![("delivery".into(), 12)],
            excerpts: Vec::new(),
            hold: true,
            ended_at: None,
            ended_by: None,
        };
        let line: serde_json::Value = serde_json::from_str(&spike_metric(&spike)).unwrap();
        assert_eq!(line["SpikesDetected"], 1);
        assert_eq!(line["Function"], FUNCTION);
        assert_eq!(line["Page"], "facebook:1029384756");
        assert_eq!(line["Theme"], "delivery");
        assert_eq!(line["Complaints"], "12");
        let definition = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(definition["Namespace"], "ReputationGuard");
        assert_eq!(definition["Dimensions"], serde_json::json!([["Function"]]));
        assert_eq!(definition["Metrics"][0]["Name"], "SpikesDetected");
    }

    #[test]
    fn a_page_sets_its_own_thresholds() {
        let mut page = PageRecord::default();
        assert_eq!(Thresholds::of(&page), T);
        page.config.spike_min_complaints = Some(20);
        page.config.spike_factor = Some(0);
        assert_eq!(
            Thresholds::of(&page),
            Thresholds {
                min_complaints: 20,
                factor: 1
            }
        );
    }
}
