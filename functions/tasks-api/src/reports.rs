//! The figures of `feedbackctl report themes` and `report response`, for the inbox:
//! complaints per theme (this period beside the one before), and how fast feedback got
//! its first public reply and how many tasks were resolved by their due time. Same
//! rules as the CLI (README, "Reports").

use feedback::records::ComplaintTheme;
use serde::Serialize;
use store::TaskStatus;
use store::reports::TaskFacts;
use store::spikes::{Spike, SpikeSummary};
use time::OffsetDateTime;
use triage::{Label, Language};

#[derive(Debug, Serialize, PartialEq)]
pub struct ThemeRow {
    pub theme: ComplaintTheme,
    pub count: usize,
    pub previous: usize,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Themes {
    pub complaints: usize,
    pub previous_complaints: usize,
    /// Every theme, most complaints first.
    pub rows: Vec<ThemeRow>,
    /// The spikes of complaints that began in the period, oldest first (README, "Crisis
    /// hold").
    pub spikes: Vec<SpikeSummary>,
}

#[derive(Debug, Serialize, PartialEq)]
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

fn theme(f: &TaskFacts) -> ComplaintTheme {
    f.task.theme.unwrap_or_else(|| {
        let language = Language::parse(&f.task.language).unwrap_or(Language::En);
        triage::complaint_theme(f.text.as_deref(), language)
    })
}

fn median(sorted: &[i64]) -> Option<i64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

/// Nearest rank.
fn percentile(sorted: &[i64], p: u64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

/// The report over `facts` (every task opened since the period before this one) and
/// `spikes` (those of the period are listed).
pub fn report(
    facts: &[TaskFacts],
    spikes: &[Spike],
    days: u32,
    page: Option<String>,
    now: OffsetDateTime,
) -> Report {
    let since = now - time::Duration::days(i64::from(days));
    let before = since - time::Duration::days(i64::from(days));
    let mut rows: Vec<ThemeRow> = ComplaintTheme::ALL
        .iter()
        .map(|t| ThemeRow {
            theme: *t,
            count: 0,
            previous: 0,
        })
        .collect();
    for f in facts
        .iter()
        .filter(|f| Label::parse(&f.task.label) == Some(Label::Negative))
    {
        let at = f.task.created_at;
        let t = theme(f);
        if let Some(row) = rows.iter_mut().find(|r| r.theme == t) {
            if at >= since && at <= now {
                row.count += 1;
            } else if at >= before && at < since {
                row.previous += 1;
            }
        }
    }
    rows.sort_by_key(|r| (std::cmp::Reverse(r.count), std::cmp::Reverse(r.previous)));
    let in_period: Vec<&TaskFacts> = facts
        .iter()
        .filter(|f| f.task.created_at >= since && f.task.created_at <= now)
        .collect();
    let mut waits: Vec<i64> = in_period
        .iter()
        .filter_map(|f| {
            let replied = f.first_public_reply_at?;
            let arrived = f.received_at.unwrap_or(f.task.created_at);
            Some((replied - arrived).whole_seconds().max(0))
        })
        .collect();
    waits.sort_unstable();
    let (mut decided, mut within) = (0, 0);
    for f in &in_period {
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
            complaints: rows.iter().map(|r| r.count).sum(),
            previous_complaints: rows.iter().map(|r| r.previous).sum(),
            rows,
            spikes,
        },
        response: Response {
            tasks: in_period.len(),
            replied: waits.len(),
            first_reply_median_seconds: median(&waits),
            first_reply_p90_seconds: percentile(&waits, 90),
            sla_decided: decided,
            within_sla: within,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_and_the_90th_percentile_use_nearest_rank() {
        let waits: Vec<i64> = (1..=10).collect();
        assert_eq!(median(&waits), Some(5));
        assert_eq!(percentile(&waits, 90), Some(9));
        assert_eq!(median(&[]), None);
        assert_eq!(percentile(&[7], 90), Some(7));
    }
}
