//! `tasks list / show / claim / resolve / drop / reopen / close / history / approve`.

use super::{CliError, Result, Texts, key_of, staff_err, store_err, who};
use crate::cli::{Cli, StatusFilter, TaskCommand};
use crate::output::{clean, json, short, table_of, when};
use serde::Serialize;
use staff::{Staff, StaffError};
use store::views::TaskView;
use store::{DynamoStore, FeedbackKey, TaskStatus};
use time::OffsetDateTime;

/// A task as `tasks list --json` prints it: the stored task and whether it is overdue.
#[derive(Debug, Serialize)]
struct TaskRow<'t> {
    #[serde(flatten)]
    task: &'t TaskView,
    overdue: bool,
}

pub(super) async fn run(cli: &Cli, store: &DynamoStore, cmd: &TaskCommand) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    let texts = Texts::load()?;
    let staff = texts.staff(store);
    let err = |e| staff_err(cli, e);
    match cmd {
        TaskCommand::List {
            status,
            overdue,
            page,
        } => list(cli, &staff, *status, *overdue, page.as_deref(), now).await,
        TaskCommand::Show { id } => {
            let key = key_of(id)?;
            if !cli.json {
                return super::feedback::show(cli, store, &key).await;
            }
            // The inbox's view of the task: the same JSON as `GET /api/tasks/{id}`.
            let view = staff.show(&key, now).await.map_err(err)?;
            println!("{}", json(&view));
            Ok(())
        }
        TaskCommand::Claim { id, by } => {
            let by = who(cli, by).await?;
            let key = key_of(id)?;
            staff.claim(&key, &by, now).await.map_err(err)?;
            report(cli, &key, "claimed", &format!("by {by}"));
            Ok(())
        }
        TaskCommand::Resolve { id, note, by } => {
            let by = who(cli, by).await?;
            let key = key_of(id)?;
            let resolved = staff.resolve(&key, &by, note, now).await.map_err(err)?;
            let (ask, told) = (resolved.update_request, resolved.notified);
            if cli.json {
                println!(
                    "{}",
                    json(&serde_json::json!({
                        "id": key.id(),
                        "status": TaskStatus::Resolved,
                        "update_request": ask,
                        "notifications": told,
                    }))
                );
            } else {
                println!("Resolved {}.", key.id());
                if ask.is_empty() {
                    println!("No feedback is stored for it, so there is no update request.");
                } else {
                    println!(
                        "The customer will be asked to update their comment or review after the page's delay: \
                         privately where the platform allows it, otherwise as a step on this task for you. The text:\n\n  {}\n",
                        clean(&ask)
                    );
                }
                if told > 0 {
                    println!("The page's notification targets are told ({told}).");
                }
            }
            Ok(())
        }
        TaskCommand::Drop { id, reason, by } => {
            let by = who(cli, by).await?;
            let key = key_of(id)?;
            staff.drop_task(&key, &by, reason, now).await.map_err(err)?;
            report(cli, &key, "dropped", reason);
            Ok(())
        }
        TaskCommand::Reopen {
            id,
            note,
            due_in,
            by,
        } => {
            let by = who(cli, by).await?;
            let key = key_of(id)?;
            let due_at = staff
                .reopen(&key, &by, note.as_deref(), *due_in, now)
                .await
                .map_err(err)?;
            report(cli, &key, "reopened", &format!("due {}", when(due_at)));
            Ok(())
        }
        TaskCommand::Close { id, note, by } => {
            let by = who(cli, by).await?;
            let key = key_of(id)?;
            staff
                .close(&key, &by, note.as_deref(), now)
                .await
                .map_err(err)?;
            report(cli, &key, "closed", note.as_deref().unwrap_or(""));
            Ok(())
        }
        TaskCommand::History { id } => history(cli, store, &key_of(id)?).await,
        TaskCommand::Approve { id, by } => {
            let by = who(cli, by).await?;
            let key = key_of(id)?;
            let n = staff.approve(&key, &by, &[], now).await.map_err(err)?.len();
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

/// A task's history as a table.
async fn history(cli: &Cli, store: &DynamoStore, key: &FeedbackKey) -> Result<()> {
    let task = store
        .task(key)
        .await
        .map_err(|e| store_err(cli, e))?
        .ok_or_else(|| CliError::Staff(StaffError::NoTask(key.id())))?;
    if cli.json {
        println!("{}", json(&task.history));
        return Ok(());
    }
    println!(
        "{} is {}{}.",
        key.id(),
        task.status,
        task.assignee
            .as_deref()
            .filter(|_| task.status == TaskStatus::Claimed)
            .map(|a| format!(" (by {})", clean(a)))
            .unwrap_or_default()
    );
    let header = ["WHEN", "BY", "ACTION", "STATUS", "NOTE"];
    let rows = table_of(&header, &task.history, |c| {
        vec![
            when(c.at),
            c.by.clone(),
            c.action.to_string(),
            c.to.map(|s| s.to_string()).unwrap_or_default(),
            c.note.clone().unwrap_or_default(),
        ]
    });
    println!("{rows}");
    Ok(())
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
        .filter(|t| page.is_none_or(|p| is_page(t, p)))
        .map(|task| TaskRow {
            task,
            overdue: task.is_overdue(now),
        })
        .collect()
}

/// Whether `page` (an account id, or `platform:account`) names the task's page.
pub(super) fn is_page(task: &TaskView, page: &str) -> bool {
    task.account_id.as_str() == page || format!("{}:{}", task.platform, task.account_id) == page
}

async fn list(
    cli: &Cli,
    staff: &Staff<'_>,
    status: StatusFilter,
    overdue_only: bool,
    page: Option<&str>,
    now: OffsetDateTime,
) -> Result<()> {
    let store = staff.store;
    let tasks = staff.tasks(status).await.map_err(|e| staff_err(cli, e))?;
    let rows = select(&tasks, status, overdue_only, page, now);
    if cli.json {
        println!("{}", json(&rows));
        return Ok(());
    }
    // A page in a crisis comes first: its drafts wait for approval (README, "Crisis hold").
    for (platform, account) in store
        .pages_in_crisis()
        .await
        .map_err(|e| store_err(cli, e))?
    {
        let crisis = store
            .page(&platform, &account)
            .await
            .map_err(|e| store_err(cli, e))?
            .and_then(|p| p.crisis);
        if let Some(c) = crisis {
            let held = if c.hold {
                "automatic replies held"
            } else {
                "alert only"
            };
            println!(
                "CRISIS on {platform}:{account} since {} – {} ({held}); end it: feedbackctl pages set {platform}:{account} --crisis off",
                when(c.since),
                c.reason
            );
        }
    }
    if rows.is_empty() {
        let which = match status {
            StatusFilter::Only(s) => format!("{s} "),
            StatusFilter::Active => "open or claimed ".to_owned(),
            StatusFilter::All => String::new(),
        };
        let overdue = if overdue_only { "overdue " } else { "" };
        println!("No {overdue}{which}tasks.");
        return Ok(());
    }
    let header = [
        "ID",
        "STATUS",
        "DUE",
        "LABEL",
        "THEME",
        "LANG",
        "CHANNEL",
        "ASSIGNEE",
        "FLAGS",
        "NEXT STEP",
    ];
    let table = table_of(&header, &rows, |TaskRow { task: t, overdue }| {
        vec![
            t.id.clone(),
            t.status.to_string(),
            format!(
                "{}{}",
                when(t.due_at),
                if *overdue { " (overdue)" } else { "" }
            ),
            t.label.clone(),
            t.theme.map(|t| t.to_string()).unwrap_or_default(),
            t.language.clone(),
            t.channel.to_string(),
            t.assignee.clone().unwrap_or_default(),
            t.flags.join(","),
            short(&t.next_step, 50),
        ]
    });
    println!("{table}");
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use feedback::page::ReplyMode;
    use feedback::{AccountId, ItemId, Platform};
    use serde_json::Value;
    use store::TaskChannel;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-11-10 12:00 UTC);

    pub(crate) fn task(
        item: &str,
        account: &str,
        status: TaskStatus,
        due_at: OffsetDateTime,
    ) -> TaskView {
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
            resolved_by: None,
            update_request: None,
            update_requested_at: None,
            update_request_channel: None,
            closed_at: None,
            drop_reason: None,
            escalated_at: None,
            announced_at: None,
            theme: None,
            round: 0,
            flags: vec!["reply_failed".into()],
            flag_reason: None,
            created_at: datetime!(2025-11-09 12:00 UTC),
            history: Vec::new(),
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
