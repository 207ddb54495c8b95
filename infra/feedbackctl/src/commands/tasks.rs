//! `tasks list / show / claim / resolve / approve`.

use super::{Result, key_of, store_err, task_err};
use crate::cli::{Cli, StatusFilter, TaskCommand};
use crate::output::{clean, json, short, table, when};
use serde::Serialize;
use serde_json::Value;
use store::views::TaskView;
use store::{DynamoStore, FeedbackKey, StoreError, TaskStatus};
use time::OffsetDateTime;
use triage::templates::{Placeholders, TemplateSet};
use triage::{Language, PageSettings};

/// A task as `tasks list --json` prints it: the stored task and whether it is overdue.
#[derive(Debug, Serialize)]
struct TaskRow<'t> {
    #[serde(flatten)]
    task: &'t TaskView,
    overdue: bool,
}

pub(super) async fn run(cli: &Cli, store: &DynamoStore, cmd: &TaskCommand) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    match cmd {
        TaskCommand::List {
            status,
            overdue,
            page,
        } => list(cli, store, *status, *overdue, page.as_deref(), now).await,
        TaskCommand::Show { id } => super::feedback::show(cli, store, &key_of(id)?).await,
        TaskCommand::Claim { id, by } => {
            let key = key_of(id)?;
            store
                .claim_task(&key, by, now)
                .await
                .map_err(|e| task_err(cli, &e))?;
            report(cli, &key, "claimed", by);
            Ok(())
        }
        TaskCommand::Resolve { id, note } => {
            let key = key_of(id)?;
            let ask = update_request(store, &key)
                .await
                .map_err(|e| store_err(cli, &e))?;
            store
                .resolve_task(&key, note, &ask, now)
                .await
                .map_err(|e| task_err(cli, &e))?;
            if cli.json {
                println!(
                    "{}",
                    json(&serde_json::json!({
                        "id": key.id(),
                        "status": TaskStatus::Resolved,
                        "update_request": ask,
                    }))
                );
            } else {
                println!("Resolved {}.", key.id());
                if ask.is_empty() {
                    println!("No feedback is stored for it, so there is no update request.");
                } else {
                    println!(
                        "Now ask the customer, in your private conversation, to update their comment:\n\n  {}\n",
                        clean(&ask)
                    );
                }
            }
            Ok(())
        }
        TaskCommand::Approve { id, by } => {
            let key = key_of(id)?;
            let n = store
                .approve_task(&key, by, now)
                .await
                .map_err(|e| task_err(cli, &e))?;
            report(
                cli,
                &key,
                "approved",
                &format!("{n} message(s) will be sent"),
            );
            Ok(())
        }
    }
}

/// The tasks `tasks list` shows, in the store's order (soonest due first).
fn select<'t>(
    tasks: &'t [TaskView],
    status: StatusFilter,
    overdue_only: bool,
    page: Option<&str>,
    now: OffsetDateTime,
) -> Vec<TaskRow<'t>> {
    tasks
        .iter()
        .filter(|t| status.matches(t.status))
        .filter(|t| !overdue_only || t.is_overdue(now))
        .filter(|t| page.is_none_or(|p| t.account_id.as_str() == p))
        .map(|task| TaskRow {
            task,
            overdue: task.is_overdue(now),
        })
        .collect()
}

async fn list(
    cli: &Cli,
    store: &DynamoStore,
    status: StatusFilter,
    overdue_only: bool,
    page: Option<&str>,
    now: OffsetDateTime,
) -> Result<()> {
    let tasks = match status {
        StatusFilter::Only(TaskStatus::Open) => store.open_tasks().await,
        _ => store.all_tasks().await,
    }
    .map_err(|e| store_err(cli, &e))?;
    let rows = select(&tasks, status, overdue_only, page, now);
    if cli.json {
        println!("{}", json(&rows));
        return Ok(());
    }
    if rows.is_empty() {
        let which = match status {
            StatusFilter::Only(s) => format!("{s} "),
            StatusFilter::All => String::new(),
        };
        let overdue = if overdue_only { "overdue " } else { "" };
        println!("No {overdue}{which}tasks.");
        return Ok(());
    }
    let cells = rows
        .iter()
        .map(|TaskRow { task: t, overdue }| {
            vec![
                t.id.clone(),
                t.status.to_string(),
                format!(
                    "{}{}",
                    when(t.due_at),
                    if *overdue { " (overdue)" } else { "" }
                ),
                t.label.clone(),
                t.language.clone(),
                t.channel.to_string(),
                t.assignee.clone().unwrap_or_default(),
                t.flags.join(","),
                short(&t.next_step, 50),
            ]
        })
        .collect();
    println!(
        "{}",
        table(
            &[
                "ID",
                "STATUS",
                "DUE",
                "LABEL",
                "LANG",
                "CHANNEL",
                "ASSIGNEE",
                "FLAGS",
                "NEXT STEP"
            ],
            cells
        )
    );
    Ok(())
}

fn report(cli: &Cli, key: &FeedbackKey, what: &str, detail: &str) {
    if cli.json {
        println!(
            "{}",
            json(&serde_json::json!({"id": key.id(), "result": what, "detail": detail}))
        );
    } else {
        println!("{} {}: {}", capitalised(what), key.id(), clean(detail));
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The "please update your comment" message in the customer's language (the task's, else
/// the one detected on the feedback, else the page's default), with the page's wording
/// and templates. Empty when no feedback is stored.
async fn update_request(
    store: &DynamoStore,
    key: &FeedbackKey,
) -> std::result::Result<String, StoreError> {
    let bundle = store.item(key).await?;
    let Some(record) = &bundle.feedback else {
        return Ok(String::new());
    };
    let feedback = &record.feedback;
    let page = store
        .page(&feedback.platform, &feedback.account_id)
        .await?
        .unwrap_or_default();
    let settings = PageSettings::from_config(&page.config, &PageSettings::default());
    let language = bundle
        .task
        .as_ref()
        .and_then(|t| Language::parse(&t.language))
        .or_else(|| record.language.as_deref().and_then(Language::parse))
        .unwrap_or(settings.default_language);
    // Overrides that no longer read (edited by hand) fall back to the built-in wording, as
    // the responder does.
    let overrides: Option<Value> = page
        .config
        .templates
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok());
    let templates = TemplateSet::with_overrides(overrides.as_ref())
        .or_else(|_| TemplateSet::builtin())
        .ok();
    // The customer's register and the kind of feedback shape the wording: a question is
    // not asked to "update the complaint".
    let register = feedback
        .text
        .as_deref()
        .and_then(|t| triage::detect_register(t, language));
    let label = bundle
        .task
        .as_ref()
        .and_then(|t| triage::Label::parse(&t.label))
        .unwrap_or(triage::Label::Negative);
    Ok(templates
        .map(|set| {
            triage::templates::resolution(
                &set,
                language,
                register,
                label,
                &Placeholders {
                    name: feedback.author_name.clone(),
                    brand: settings.brand_name.clone(),
                    signature: settings.signature.clone(),
                    contact: settings.contact.clone(),
                },
            )
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedback::page::ReplyMode;
    use feedback::{AccountId, ItemId, Platform};
    use store::TaskChannel;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-11-10 12:00 UTC);

    fn task(item: &str, account: &str, status: TaskStatus, due_at: OffsetDateTime) -> TaskView {
        let platform = Platform::from_static("facebook");
        TaskView {
            id: format!("{platform}:{item}"),
            platform,
            item_id: ItemId::parse(item).unwrap(),
            account_id: AccountId::parse(account).unwrap(),
            status,
            due_at,
            channel: TaskChannel::PlatformMessage,
            next_step: "Call them".into(),
            label: "negative".into(),
            language: "nl".into(),
            mode: ReplyMode::Auto,
            draft_public: "Sorry!".into(),
            draft_private: Some("Wat is uw ordernummer?".into()),
            assignee: None,
            claimed_at: None,
            resolution: None,
            resolved_at: None,
            update_request: None,
            flags: vec!["reply_failed".into()],
            flag_reason: None,
            created_at: datetime!(2025-11-09 12:00 UTC),
        }
    }

    fn tasks() -> Vec<TaskView> {
        vec![
            task("1", "p1", TaskStatus::Open, datetime!(2025-11-10 11:00 UTC)),
            task("2", "p2", TaskStatus::Open, datetime!(2025-11-10 13:00 UTC)),
            task(
                "3",
                "p1",
                TaskStatus::Resolved,
                datetime!(2025-11-09 13:00 UTC),
            ),
        ]
    }

    fn ids(rows: &[TaskRow<'_>]) -> Vec<String> {
        rows.iter().map(|r| r.task.id.clone()).collect()
    }

    #[test]
    fn list_filters_by_status_overdue_and_page() {
        let tasks = tasks();
        let open = StatusFilter::Only(TaskStatus::Open);
        assert_eq!(
            ids(&select(&tasks, open, false, None, NOW)),
            ["facebook:1", "facebook:2"]
        );
        assert_eq!(
            ids(&select(&tasks, StatusFilter::All, false, None, NOW)).len(),
            3
        );
        assert_eq!(
            ids(&select(
                &tasks,
                StatusFilter::Only(TaskStatus::Resolved),
                false,
                None,
                NOW
            )),
            ["facebook:3"]
        );
        // A resolved task past its due time is not overdue.
        assert_eq!(
            ids(&select(&tasks, StatusFilter::All, true, None, NOW)),
            ["facebook:1"]
        );
        assert_eq!(
            ids(&select(&tasks, StatusFilter::All, false, Some("p1"), NOW)),
            ["facebook:1", "facebook:3"]
        );
    }

    #[test]
    fn list_json_keeps_the_task_fields_and_adds_overdue() {
        let tasks = tasks();
        let rows = select(&tasks, StatusFilter::All, false, None, NOW);
        let value: Value = serde_json::from_str(&json(&rows)).unwrap();
        let first = &value[0];
        assert_eq!(first["id"], "facebook:1");
        assert_eq!(first["status"], "open");
        assert_eq!(first["label"], "negative");
        assert_eq!(first["language"], "nl");
        assert_eq!(first["channel"], "platform_message");
        assert_eq!(first["draft_public"], "Sorry!");
        assert_eq!(first["draft_private"], "Wat is uw ordernummer?");
        assert_eq!(first["flags"], serde_json::json!(["reply_failed"]));
        assert_eq!(first["due_at"], "2025-11-10T11:00:00Z");
        assert_eq!(first["overdue"], true);
        assert_eq!(value[1]["overdue"], false);
        assert_eq!(value[2]["overdue"], false);
    }
}
