//! Complaint themes and response times, computed once for `feedbackctl report` (tables,
//! JSON, charts) and the inbox (`GET /api/reports`).
//!
//! - **themes**: complaints (tasks labelled negative) opened in the period, per theme,
//!   beside the period of the same length before it. A task opened before themes were
//!   kept gets its theme from its feedback's text, as the responder would give it.
//! - **response**: of the tasks opened in the period, the time from the feedback arriving
//!   to the first public reply (median and 90th percentile, nearest rank), and the share
//!   resolved by their due time: resolved tasks count by when they were resolved, open
//!   ones past their due time as missed, open ones not yet due and dropped ones not at
//!   all.

use feedback::records::ComplaintTheme;
use serde::Serialize;
use std::collections::BTreeMap;
use store::TaskStatus;
use store::reports::TaskFacts;
use store::spikes::{Spike, SpikeSummary};
use time::OffsetDateTime;
use triage::{Label, Language};

/// The theme a complaint task is counted under.
fn theme(f: &TaskFacts) -> ComplaintTheme {
    f.task.theme.unwrap_or_else(|| {
        let language = Language::parse(&f.task.language).unwrap_or(Language::En);
        triage::complaint_theme(f.text.as_deref(), language)
    })
}

fn is_complaint(f: &TaskFacts) -> bool {
    Label::parse(&f.task.label) == Some(Label::Negative)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    Up,
    Down,
    Flat,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeRow {
    /// The theme and its counts, in the JSON beside the change.
    #[serde(flatten)]
    pub counts: ThemeCount,
    pub change: i64,
    /// `None` when the period before had none.
    pub change_percent: Option<f64>,
    pub trend: Trend,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemesReport {
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub previous_since: OffsetDateTime,
    pub page: Option<String>,
    pub complaints: usize,
    pub previous_complaints: usize,
    /// Most complaints first; every theme, also those with none.
    pub themes: Vec<ThemeRow>,
    /// The spikes of complaints that began in the period, oldest first (README, "Crisis
    /// hold").
    pub spikes: Vec<SpikeSummary>,
}

pub fn themes(
    facts: &[TaskFacts],
    previous_since: OffsetDateTime,
    since: OffsetDateTime,
    until: OffsetDateTime,
    page: Option<String>,
) -> ThemesReport {
    let mut now: BTreeMap<&str, usize> = BTreeMap::new();
    let mut before: BTreeMap<&str, usize> = BTreeMap::new();
    for f in facts.iter().filter(|f| is_complaint(f)) {
        let at = f.task.created_at;
        let bucket = if at >= since && at <= until {
            &mut now
        } else if at >= previous_since && at < since {
            &mut before
        } else {
            continue;
        };
        *bucket.entry(theme(f).as_str()).or_default() += 1;
    }
    let mut rows: Vec<ThemeRow> = ComplaintTheme::ALL
        .iter()
        .map(|t| {
            let count = now.get(t.as_str()).copied().unwrap_or(0);
            let previous = before.get(t.as_str()).copied().unwrap_or(0);
            let change = count as i64 - previous as i64;
            ThemeRow {
                counts: ThemeCount {
                    theme: *t,
                    count,
                    previous,
                },
                change,
                change_percent: (previous > 0)
                    .then(|| (change as f64 * 1000.0 / previous as f64).round() / 10.0),
                trend: match change {
                    c if c > 0 => Trend::Up,
                    c if c < 0 => Trend::Down,
                    _ => Trend::Flat,
                },
            }
        })
        .collect();
    // Most complaints now first; ties by the period before, then the themes' order.
    rows.sort_by_key(|r| {
        (
            std::cmp::Reverse(r.counts.count),
            std::cmp::Reverse(r.counts.previous),
        )
    });
    ThemesReport {
        since,
        until,
        previous_since,
        page,
        complaints: now.values().sum(),
        previous_complaints: before.values().sum(),
        themes: rows,
        spikes: Vec::new(),
    }
}

/// The median of sorted values (the mean of the middle two for an even count).
fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

/// The nearest-rank percentile `p` (0–100] of sorted values.
fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRow {
    /// A platform, or `all`.
    pub scope: String,
    /// The counts and times, in the JSON beside `scope`.
    #[serde(flatten)]
    pub response: Response,
    pub within_sla_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseReport {
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
    pub page: Option<String>,
    /// `all` first, then each platform.
    pub rows: Vec<ResponseRow>,
}

fn response_row(scope: &str, facts: &[&TaskFacts], now: OffsetDateTime) -> ResponseRow {
    let mut waits: Vec<i64> = facts
        .iter()
        .filter_map(|f| {
            let replied = f.first_public_reply_at?;
            let arrived = f.received_at.unwrap_or(f.task.created_at);
            Some((replied - arrived).whole_seconds().max(0))
        })
        .collect();
    waits.sort_unstable();
    let mut decided = 0;
    let mut within = 0;
    for f in facts {
        let t = &f.task;
        match (t.status, t.resolved_at) {
            (TaskStatus::Dropped, _) => {}
            (_, Some(resolved)) => {
                decided += 1;
                within += usize::from(resolved <= t.due_at);
            }
            (status, None) if status.is_unresolved() && t.due_at < now => decided += 1,
            _ => {}
        }
    }
    ResponseRow {
        scope: scope.to_owned(),
        response: Response {
            tasks: facts.len(),
            replied: waits.len(),
            first_reply_median_seconds: median(&waits),
            first_reply_p90_seconds: percentile(&waits, 90),
            sla_decided: decided,
            within_sla: within,
        },
        within_sla_share: (decided > 0)
            .then(|| (within as f64 * 1000.0 / decided as f64).round() / 1000.0),
    }
}

pub fn response(
    facts: &[TaskFacts],
    since: OffsetDateTime,
    until: OffsetDateTime,
    page: Option<String>,
) -> ResponseReport {
    let in_period: Vec<&TaskFacts> = facts
        .iter()
        .filter(|f| f.task.created_at >= since && f.task.created_at <= until)
        .collect();
    let mut rows = vec![response_row("all", &in_period, until)];
    let mut platforms: BTreeMap<&str, Vec<&TaskFacts>> = BTreeMap::new();
    for f in &in_period {
        platforms
            .entry(f.task.platform.as_str())
            .or_default()
            .push(f);
    }
    for (platform, facts) in platforms {
        rows.push(response_row(platform, &facts, until));
    }
    ResponseReport {
        since,
        until,
        page,
        rows,
    }
}

/// One theme's complaints, this period and the one before: a row of the inbox's report,
/// and the start of each [`ThemeRow`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ThemeCount {
    pub theme: ComplaintTheme,
    pub count: usize,
    pub previous: usize,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Themes {
    pub complaints: usize,
    pub previous_complaints: usize,
    /// Every theme, most complaints first.
    pub rows: Vec<ThemeCount>,
    /// The spikes of complaints that began in the period, oldest first (README, "Crisis
    /// hold").
    pub spikes: Vec<SpikeSummary>,
}

/// The response times and SLA counts of a set of tasks: the inbox report's `response`, and
/// each row of [`ResponseReport`] (with its scope and share).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Response {
    pub tasks: usize,
    /// Tasks whose item got a public reply.
    pub replied: usize,
    pub first_reply_median_seconds: Option<i64>,
    pub first_reply_p90_seconds: Option<i64>,
    /// Tasks whose SLA is decided: resolved, or open past their due time.
    pub sla_decided: usize,
    pub within_sla: usize,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Report {
    pub days: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
    pub page: Option<String>,
    pub themes: Themes,
    pub response: Response,
}

/// The inbox's report: both, for the last `days` days, with the spikes of the period.
pub fn overview(
    facts: &[TaskFacts],
    spikes: &[Spike],
    days: u32,
    page: Option<String>,
    now: OffsetDateTime,
) -> Report {
    let since = now - time::Duration::days(i64::from(days));
    let before = since - time::Duration::days(i64::from(days));
    let themes = themes(facts, before, since, now, page.clone());
    let response = response(facts, since, now, page.clone());
    let all = response.rows.into_iter().next();
    let spikes = spikes
        .iter()
        .filter(|s| s.started_at >= since && s.started_at <= now)
        .filter(|s| page.as_ref().is_none_or(|p| &s.page() == p))
        .map(SpikeSummary::from)
        .collect();
    Report {
        days,
        since,
        until: now,
        page,
        themes: Themes {
            complaints: themes.complaints,
            previous_complaints: themes.previous_complaints,
            rows: themes.themes.into_iter().map(|r| r.counts).collect(),
            spikes,
        },
        response: all.map(|r| r.response).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        assert_eq!(percentile(&[], 90), None);
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(median(&[1, 2, 3, 4]), Some(2));
        assert_eq!(median(&[1, 5, 9]), Some(5));
    }
}
