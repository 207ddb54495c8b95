//! `sources`: the review sources the poller reads (apps on a store, Mastodon accounts),
//! with each one's cursor and last run.

use super::{Result, store_err};
use crate::cli::Cli;
use crate::output::{json, table_of, when};
use store::DynamoStore;
use store::sources::SourceCursor;
use time::OffsetDateTime;

pub(super) async fn run(cli: &Cli, store: &DynamoStore) -> Result<()> {
    let cursors = store
        .source_cursors()
        .await
        .map_err(|e| store_err(cli, e))?;
    if cli.json {
        println!("{}", json(&cursors));
    } else if cursors.is_empty() {
        println!(
            "No review source has been polled yet (REVIEW_POLL_SOURCES names them; the poller runs every 10 minutes)."
        );
    } else {
        print!("{}", describe(&cursors, OffsetDateTime::now_utc()));
    }
    Ok(())
}

fn describe(cursors: &[SourceCursor], now: OffsetDateTime) -> String {
    let opt = |t: Option<OffsetDateTime>| t.map_or_else(|| "–".to_owned(), when);
    let header = [
        "source",
        "newest review",
        "last run",
        "outcome",
        "failures in a row",
        "polled",
        "stored",
    ];
    let table = table_of(&header, cursors, |c| {
        let next = match c.retry_after {
            Some(at) if at > now => format!("after {}", when(at)),
            _ => "next run".to_owned(),
        };
        let outcome = match (&c.last_outcome, &c.last_error) {
            (Some(o), Some(e)) => format!("{o}: {e}"),
            (Some(o), None) => o.clone(),
            (None, _) => "–".to_owned(),
        };
        vec![
            format!("{}:{}", c.platform, c.app),
            opt(c.newest_at),
            opt(c.last_run_at),
            outcome,
            c.failures.to_string(),
            next,
            c.stored_total.to_string(),
        ]
    });
    format!("{table}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_source_shows_its_cursor_its_last_run_and_when_it_is_polled_again() {
        let now = datetime!(2030-01-01 12:00 UTC);
        let failing = SourceCursor {
            platform: "google-play".into(),
            app: "com.example.bakery".into(),
            newest_at: Some(datetime!(2030-01-01 11:00 UTC)),
            newest_ids: vec!["r1".into()],
            version: 3,
            lease_until: None,
            lease_owner: None,
            last_run_at: Some(datetime!(2030-01-01 11:50 UTC)),
            last_outcome: Some("rate_limited".into()),
            last_error: Some("HTTP 429".into()),
            failures: 2,
            retry_after: Some(datetime!(2030-01-01 12:20 UTC)),
            stored_total: 7,
        };
        let out = describe(std::slice::from_ref(&failing), now);
        for part in [
            "google-play:com.example.bakery",
            "2030-01-01 11:00Z",
            "2030-01-01 11:50Z",
            "rate_limited: HTTP 429",
            "after 2030-01-01 12:20Z",
        ] {
            assert!(out.contains(part), "{part} missing in\n{out}");
        }
        let healthy = SourceCursor {
            retry_after: Some(datetime!(2030-01-01 11:00 UTC)),
            failures: 0,
            last_outcome: Some("ok".into()),
            last_error: None,
            ..failing
        };
        let out = describe(&[healthy], now);
        assert!(out.contains("next run") && out.contains(" ok "), "{out}");
    }
}
