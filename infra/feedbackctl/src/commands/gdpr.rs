//! `gdpr export / erase`: everything held about one author, as JSON; or erased, with a
//! record that it was done (who asked, when, how many records; never what).

use super::{Result, Words, store_err, who};
use crate::cli::{AuthorArgs, Cli, GdprCommand};
use crate::output::{json, table};
use store::DynamoStore;
use store::gdpr::{Author, ErasureCounts};
use time::OffsetDateTime;

const GOOGLE_HAS_NO_AUTHOR_IDS: &str = "Google reviewers have no author id: name their review with --item google:accounts/…/reviews/…, or their display name with --name \"google:NAME\"";

/// The author as staff named them. Which form a platform needs is platform knowledge:
/// Google reviewers have no id; Standard Webhooks ids are only unique within a source.
fn author_of(args: &AuthorArgs) -> Words<Author> {
    if let Some(s) = &args.author {
        let platform = s.split_once(':').map(|(p, _)| p);
        if platform == Some(platforms::google::PLATFORM.as_str()) {
            return Err(GOOGLE_HAS_NO_AUTHOR_IDS.to_owned());
        }
        if platform == Some(platforms::standard::PLATFORM.as_str()) {
            return Author::parse_in_account(s).ok_or_else(|| {
                format!(
                    "{s:?}: a Standard Webhooks author is one person per source: standard:SOURCE:AUTHOR_ID"
                )
            });
        }
        return Author::parse(s).ok_or_else(|| {
            format!("{s:?} is not an author like facebook:5550001 (platform:author id)")
        });
    }
    if let Some(s) = &args.item {
        return Author::parse_item(s)
            .ok_or_else(|| format!("{s:?} is not an item like google:accounts/…/reviews/…"));
    }
    if let Some(s) = &args.name {
        return Author::parse_name(s)
            .ok_or_else(|| format!("{s:?} is not a name like \"google:Piet de Boer\""));
    }
    Err("name the author with --author, --item or --name".to_owned())
}

fn counts_table(counts: &ErasureCounts) -> String {
    let rows = [
        ("feedback records", counts.feedback),
        ("tasks", counts.tasks),
        ("messages", counts.messages),
        ("follow-up messages", counts.followups),
        ("notifications", counts.notifications),
        ("\"already answered\" markers", counts.answered_markers),
    ]
    .into_iter()
    .map(|(what, n)| vec![what.to_owned(), n.to_string()])
    .collect();
    table(&["RECORDS", "COUNT"], rows)
}

pub(super) async fn run(cli: &Cli, store: &DynamoStore, cmd: &GdprCommand) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    match cmd {
        GdprCommand::Export { author } => {
            let author = author_of(author)?;
            let export = store
                .export_author(&author, now)
                .await
                .map_err(|e| store_err(cli, e))?;
            // Always JSON: an export is for handing over.
            println!("{}", json(&export));
            Ok(())
        }
        GdprCommand::Erase { author, yes, by } => {
            let author = author_of(author)?;
            let (value, text) = if !yes {
                let counts = store
                    .erasure_preview(&author)
                    .await
                    .map_err(|e| store_err(cli, e))?;
                (
                    serde_json::json!({"erased": false, "would_erase": counts}),
                    format!(
                        "Would erase the personal data of {author} in:\n{}\nNothing was changed: run again with --yes to erase.",
                        counts_table(&counts)
                    ),
                )
            } else {
                let by = who(cli, by).await?;
                let erasure = store
                    .erase_author(&author, &by, now)
                    .await
                    .map_err(|e| store_err(cli, e))?;
                (
                    serde_json::json!({"erased": true, "erasure": erasure}),
                    format!(
                        "Erased. Recorded as {} (by {}, without the erased data):\n{}",
                        erasure.id,
                        erasure.requested_by,
                        counts_table(&erasure.counts)
                    ),
                )
            };
            if cli.json {
                println!("{}", json(&value));
            } else {
                println!("{text}");
            }
            Ok(())
        }
    }
}
