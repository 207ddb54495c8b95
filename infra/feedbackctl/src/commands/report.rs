//! `report themes / response`: what the complaints are about and how fast they are
//! answered, as a table, `--json`, and an SVG chart (`--chart FILE.svg`). The figures are
//! the staff layer's ([`staff::reports`], the same the inbox answers); this module prints
//! them.

use super::{Result, parse_since, store_err};
use crate::chart::{Group, Series, grouped_bars};
use crate::cli::{Cli, ReportArgs, ReportCommand};
use crate::output::{json, table_of};
use staff::reports::{ResponseReport, ThemesReport, Trend, response, themes};
use store::DynamoStore;
use store::reports::TaskFacts;
use store::spikes::SpikeSummary;
use time::OffsetDateTime;

pub(super) async fn run(cli: &Cli, store: &DynamoStore, cmd: &ReportCommand) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    match cmd {
        ReportCommand::Themes(args) => {
            let since = parse_since(&args.since, now)?;
            let previous = since - (now - since);
            let facts = facts(cli, store, previous, args).await?;
            let mut report = themes(&facts, previous, since, now, args.page.clone());
            report.spikes = store
                .spikes_between(since, now)
                .await
                .map_err(|e| store_err(cli, e))?
                .iter()
                .map(SpikeSummary::from)
                .filter(|s| args.page.as_ref().is_none_or(|p| &s.page == p))
                .collect();
            show(cli, &report, args)
        }
        ReportCommand::Response(args) => {
            let since = parse_since(&args.since, now)?;
            let facts = facts(cli, store, since, args).await?;
            let report = response(&facts, since, now, args.page.clone());
            show(cli, &report, args)
        }
    }
}

async fn facts(
    cli: &Cli,
    store: &DynamoStore,
    from: OffsetDateTime,
    args: &ReportArgs,
) -> Result<Vec<TaskFacts>> {
    Ok(store
        .report_facts(from)
        .await
        .map_err(|e| store_err(cli, e))?
        .into_iter()
        .filter(|f| {
            args.page
                .as_deref()
                .is_none_or(|p| super::tasks::is_page(&f.task, p))
        })
        .collect())
}

/// A report as `--json` or a table, and its chart where `--chart` asks for one.
fn show(cli: &Cli, report: &(impl Printed + serde::Serialize), args: &ReportArgs) -> Result<()> {
    if cli.json {
        println!("{}", json(report));
    } else {
        print!("{}", report.table());
    }
    if let Some(path) = &args.chart {
        write_chart(path, &report.chart())?;
    }
    Ok(())
}

fn write_chart(path: &std::path::Path, svg: &str) -> Result<()> {
    std::fs::write(path, svg).map_err(|e| format!("--chart {}: {e}", path.display()))?;
    eprintln!("Chart written to {}.", path.display());
    Ok(())
}

fn day(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// "2026-03-02 10:10 UTC".
fn minute(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{} {:02}:{:02} UTC", day(t), t.hour(), t.minute())
}

/// ", page P" when the report is of one page.
fn of_page(page: Option<&str>) -> String {
    page.map(|p| format!(", page {p}")).unwrap_or_default()
}

/// How a report reads: its period, a table, a chart.
trait Printed {
    fn period(&self) -> String;
    fn table(&self) -> String;
    fn chart(&self) -> String;
}

impl Printed for ThemesReport {
    fn period(&self) -> String {
        format!(
            "{} – {} (before: {} – {}){}",
            day(self.since),
            day(self.until),
            day(self.previous_since),
            day(self.since),
            of_page(self.page.as_deref())
        )
    }

    fn table(&self) -> String {
        let themes = table_of(&["THEME", "NOW", "BEFORE", "TREND"], &self.themes, |r| {
            let arrow = match r.trend {
                Trend::Up => "↑",
                Trend::Down => "↓",
                Trend::Flat => "→",
            };
            let change = match r.change_percent {
                _ if r.change == 0 => format!("{arrow} 0"),
                Some(p) => format!("{arrow} {:+} ({p:+}%)", r.change),
                None if r.counts.count > 0 => format!("{arrow} {:+} (new)", r.change),
                None => arrow.to_owned(),
            };
            vec![
                r.counts.theme.to_string(),
                r.counts.count.to_string(),
                r.counts.previous.to_string(),
                change,
            ]
        });
        let spikes = if self.spikes.is_empty() {
            "No spikes of complaints in the period.\n".to_owned()
        } else {
            let header = ["PAGE", "THEME", "STARTED", "ENDED", "COMPLAINTS"];
            let rows = table_of(&header, &self.spikes, |s| {
                vec![
                    s.page.clone(),
                    s.theme.clone(),
                    minute(s.started_at),
                    s.ended_at.map_or_else(|| "ongoing".to_owned(), minute),
                    format!("{} (usually {:.1})", s.count, s.usual),
                ]
            });
            format!(
                "Spikes of complaints in the period: {}\n{rows}\n",
                self.spikes.len(),
            )
        };
        format!(
            "Complaints by theme, {}: {} (before: {})\n{themes}\n{spikes}",
            self.period(),
            self.complaints,
            self.previous_complaints,
        )
    }

    fn chart(&self) -> String {
        let groups: Vec<Group> = self
            .themes
            .iter()
            .map(|r| Group {
                label: r.counts.theme.to_string(),
                values: vec![r.counts.previous as f64, r.counts.count as f64],
                shown: vec![r.counts.previous.to_string(), r.counts.count.to_string()],
            })
            .collect();
        grouped_bars(
            "Complaints by theme",
            &self.period(),
            &[
                Series {
                    name: "period before",
                    colour: "#9aa5b1",
                },
                Series {
                    name: "this period",
                    colour: "#2f6fde",
                },
            ],
            &groups,
        )
    }
}

/// "1h 05m", "12m", "2d 3h".
pub fn duration(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours) {
        (0, 0) if minutes == 0 => format!("{}s", seconds.max(0)),
        (0, 0) => format!("{mins}m"),
        (0, h) => format!("{h}h {mins:02}m"),
        (d, h) => format!("{d}d {h}h"),
    }
}

impl Printed for ResponseReport {
    fn period(&self) -> String {
        format!(
            "{} – {}{}",
            day(self.since),
            day(self.until),
            of_page(self.page.as_deref())
        )
    }

    fn table(&self) -> String {
        let dash = || "–".to_owned();
        let header = [
            "SCOPE",
            "TASKS",
            "REPLIED",
            "FIRST REPLY (MEDIAN)",
            "FIRST REPLY (P90)",
            "RESOLVED WITHIN SLA",
        ];
        let rows = table_of(&header, &self.rows, |r| {
            vec![
                r.scope.clone(),
                r.response.tasks.to_string(),
                r.response.replied.to_string(),
                r.response
                    .first_reply_median_seconds
                    .map_or_else(dash, duration),
                r.response
                    .first_reply_p90_seconds
                    .map_or_else(dash, duration),
                r.within_sla_share.map_or_else(dash, |s| {
                    format!(
                        "{:.0}% ({} of {})",
                        s * 100.0,
                        r.response.within_sla,
                        r.response.sla_decided
                    )
                }),
            ]
        });
        format!("Response times, {}\n{rows}\n", self.period())
    }

    fn chart(&self) -> String {
        let groups: Vec<Group> = self
            .rows
            .iter()
            .map(|r| {
                let minutes = |s: Option<i64>| s.unwrap_or(0) as f64 / 60.0;
                let shown = |s: Option<i64>| s.map_or_else(|| "–".to_owned(), duration);
                let sla = r
                    .within_sla_share
                    .map(|s| format!(" · {:.0}% within SLA", s * 100.0))
                    .unwrap_or_default();
                Group {
                    label: r.scope.clone(),
                    values: vec![
                        minutes(r.response.first_reply_median_seconds),
                        minutes(r.response.first_reply_p90_seconds),
                    ],
                    shown: vec![
                        shown(r.response.first_reply_median_seconds),
                        format!("{}{sla}", shown(r.response.first_reply_p90_seconds)),
                    ],
                }
            })
            .collect();
        grouped_bars(
            "Time to the first public reply",
            &self.period(),
            &[
                Series {
                    name: "median",
                    colour: "#2f6fde",
                },
                Series {
                    name: "90th percentile",
                    colour: "#f0a500",
                },
            ],
            &groups,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedback::records::ComplaintTheme;
    use store::TaskStatus;
    use time::Duration;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-30 12:00 UTC);

    fn fact(
        item: &str,
        label: &str,
        theme: Option<ComplaintTheme>,
        text: Option<&str>,
        created: OffsetDateTime,
    ) -> TaskFacts {
        // The list's task, as a complaint in English opened at `created`.
        let mut task = super::super::tasks::tests::task(
            item,
            "p1",
            TaskStatus::Open,
            created + Duration::hours(24),
        );
        task.label = label.into();
        task.language = "en".into();
        task.theme = theme;
        task.created_at = created;
        TaskFacts {
            task,
            received_at: Some(created),
            first_public_reply_at: None,
            text: text.map(str::to_owned),
        }
    }

    #[test]
    fn themes_are_counted_per_period_with_their_trend() {
        let since = NOW - Duration::days(30);
        let before = since - Duration::days(30);
        let recent = NOW - Duration::days(2);
        let old = since - Duration::days(2);
        let facts = vec![
            fact("1", "negative", Some(ComplaintTheme::Website), None, recent),
            fact("2", "negative", Some(ComplaintTheme::Website), None, recent),
            fact("3", "negative", Some(ComplaintTheme::Website), None, old),
            fact("4", "negative", Some(ComplaintTheme::Delivery), None, old),
            // No theme kept: worked out from the text.
            fact(
                "5",
                "negative",
                None,
                Some("Charged twice and still no refund"),
                recent,
            ),
            // Not a complaint: not counted.
            fact("6", "question", None, Some("When do you open?"), recent),
            // Before both periods.
            fact(
                "7",
                "negative",
                Some(ComplaintTheme::Price),
                None,
                before - Duration::days(1),
            ),
        ];
        let report = themes(&facts, before, since, NOW, None);
        assert_eq!((report.complaints, report.previous_complaints), (3, 2));
        let row = |t: ComplaintTheme| {
            report
                .themes
                .iter()
                .find(|r| r.counts.theme == t)
                .unwrap()
                .clone()
        };
        assert_eq!(report.themes[0].counts.theme, ComplaintTheme::Website);
        let website = row(ComplaintTheme::Website);
        assert_eq!(
            (
                website.counts.count,
                website.counts.previous,
                website.change
            ),
            (2, 1, 1)
        );
        assert_eq!(website.change_percent, Some(100.0));
        assert_eq!(website.trend, Trend::Up);
        assert_eq!(row(ComplaintTheme::Delivery).trend, Trend::Down);
        assert_eq!(row(ComplaintTheme::Billing).counts.count, 1);
        assert_eq!(
            row(ComplaintTheme::Price).counts.count + row(ComplaintTheme::Price).counts.previous,
            0
        );
        assert_eq!(report.themes.len(), ComplaintTheme::ALL.len());
        let table = report.table();
        assert!(
            table.contains("website") && table.contains("↑ +1 (+100%)"),
            "{table}"
        );
        let svg = report.chart();
        assert!(
            svg.contains("Complaints by theme") && svg.contains(">website<"),
            "{svg}"
        );
    }

    #[test]
    fn response_times_take_the_median_and_the_90th_percentile() {
        let since = NOW - Duration::days(30);
        let mut facts = Vec::new();
        for (i, minutes) in [1, 2, 3, 4, 5, 6, 7, 8, 9, 60].into_iter().enumerate() {
            let created = NOW - Duration::days(3);
            let mut f = fact(&format!("r{i}"), "negative", None, None, created);
            f.first_public_reply_at = Some(created + Duration::minutes(minutes));
            facts.push(f);
        }
        // Resolved in time, resolved late, open and late, open not yet due, dropped.
        facts[0].task.resolved_at = Some(facts[0].task.due_at - Duration::hours(1));
        facts[0].task.status = TaskStatus::Resolved;
        facts[1].task.resolved_at = Some(facts[1].task.due_at + Duration::hours(1));
        facts[1].task.status = TaskStatus::Closed;
        facts[3].task.due_at = NOW + Duration::hours(1);
        facts[4].task.status = TaskStatus::Dropped;
        let report = response(&facts, since, NOW, None);
        let all = &report.rows[0];
        assert_eq!(all.scope, "all");
        assert_eq!((all.response.tasks, all.response.replied), (10, 10));
        assert_eq!(all.response.first_reply_median_seconds, Some(330));
        assert_eq!(all.response.first_reply_p90_seconds, Some(9 * 60));
        // Decided: 0 (in time), 1 (late), 2, 5–9 (open and past due): 8; within: 1.
        assert_eq!((all.response.sla_decided, all.response.within_sla), (8, 1));
        assert_eq!(all.within_sla_share, Some(0.125));
        assert_eq!(report.rows[1].scope, "facebook");
        assert!(report.table().contains("5m"), "{}", report.table());
        assert!(report.chart().contains("90th percentile"));
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(42), "42s");
        assert_eq!(duration(12 * 60), "12m");
        assert_eq!(duration(65 * 60), "1h 05m");
        assert_eq!(duration(51 * 3600), "2d 3h");
    }
}
