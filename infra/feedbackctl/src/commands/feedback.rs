//! `feedback list / show` (and `tasks show`, which shows the same item).

use super::{Result, key_of, parse_since, store_err};
use crate::cli::{Cli, FeedbackCommand};
use crate::output::{clean, json, short, table_of, when};
use feedback::Platform;
use platforms::reply::DRY_RUN_ID_PREFIX as DRY_RUN_PREFIX;
use serde::Serialize;
use std::collections::BTreeSet;
use store::views::ItemBundle;
use store::{Channel, DynamoStore, FeedbackKey, FeedbackRecord, TaskChannel};
use time::OffsetDateTime;
use triage::Label;

/// A view with the id staff name it by, for `--json`.
#[derive(Debug, Serialize)]
struct WithId<'a, T> {
    id: String,
    #[serde(flatten)]
    view: &'a T,
}

pub(super) async fn run(cli: &Cli, store: &DynamoStore, cmd: &FeedbackCommand) -> Result<()> {
    match cmd {
        FeedbackCommand::Show { id } => show(cli, store, &key_of(id)?).await,
        FeedbackCommand::List {
            platform,
            label,
            since,
        } => {
            let now = OffsetDateTime::now_utc();
            let since = since.as_deref().map(|s| parse_since(s, now)).transpose()?;
            let platforms = match platform {
                Some(p) => vec![p.clone()],
                None => known_platforms(cli, store).await?,
            };
            let mut by_platform = Vec::new();
            for p in &platforms {
                by_platform.push(
                    store
                        .feedback_since(p, since)
                        .await
                        .map_err(|e| store_err(cli, e))?,
                );
            }
            list(cli, &newest_first(by_platform, *label));
            Ok(())
        }
    }
}

/// The platforms to look through: those this deployment answers on (the outbound
/// registry, from the environment); failing that, those seen in the table's pages and
/// tasks.
async fn known_platforms(cli: &Cli, store: &DynamoStore) -> Result<Vec<Platform>> {
    match platforms::outbound::from_lookup(&|k: &str| std::env::var(k).ok()) {
        Ok(outbound) if outbound.platforms().next().is_some() => {
            return Ok(outbound.platforms().cloned().collect());
        }
        Ok(_) => {}
        Err(problems) => eprintln!(
            "feedbackctl: the platform configuration does not read ({}); listing the platforms seen in the table",
            problems.join("; ")
        ),
    }
    let mut seen = BTreeSet::new();
    for page in store.pages().await.map_err(|e| store_err(cli, e))? {
        seen.insert(page.platform);
    }
    for task in store.all_tasks().await.map_err(|e| store_err(cli, e))? {
        seen.insert(task.platform);
    }
    Ok(seen.into_iter().collect())
}

/// Every platform's feedback in one list, newest first, with only `label` when given.
fn newest_first(
    by_platform: Vec<Vec<FeedbackRecord>>,
    label: Option<Label>,
) -> Vec<FeedbackRecord> {
    let mut all: Vec<FeedbackRecord> = by_platform
        .into_iter()
        .flatten()
        .filter(|r| label.is_none_or(|l| r.label.as_deref() == Some(l.as_str())))
        .collect();
    all.sort_by_key(|r| std::cmp::Reverse(r.feedback.received_at));
    all
}

fn list(cli: &Cli, records: &[FeedbackRecord]) {
    if cli.json {
        let rows: Vec<WithId<'_, FeedbackRecord>> = records
            .iter()
            .map(|r| WithId {
                id: FeedbackKey::of(&r.feedback).id(),
                view: r,
            })
            .collect();
        println!("{}", json(&rows));
        return;
    }
    if records.is_empty() {
        println!("No feedback.");
        return;
    }
    let header = [
        "ID", "RECEIVED", "AUTHOR", "LABEL", "LANG", "DECISION", "TEXT",
    ];
    let table = table_of(&header, records, |r| {
        let f = &r.feedback;
        let rating = f.rating.map(|s| format!("★{s} ")).unwrap_or_default();
        vec![
            FeedbackKey::of(f).id(),
            when(f.received_at),
            short(f.author_name.as_deref().unwrap_or_default(), 20),
            r.label.clone().unwrap_or_default(),
            r.language.clone().unwrap_or_default(),
            r.decision.map(|d| d.to_string()).unwrap_or_default(),
            short(
                &format!("{rating}{}", f.text.as_deref().unwrap_or_default()),
                60,
            ),
        ]
    });
    println!("{table}");
}

/// Customer text, cleaned, with its later lines indented under the first.
fn quoted(text: &str) -> String {
    clean(text).replace('\n', "\n    ")
}

fn or_dash(value: Option<&str>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| clean(v).into_owned())
}

/// Everything stored about one item: the feedback, its messages, its task.
pub(super) async fn show(cli: &Cli, store: &DynamoStore, key: &FeedbackKey) -> Result<()> {
    let bundle = store.item(key).await.map_err(|e| store_err(cli, e))?;
    if bundle.feedback.is_none() && bundle.task.is_none() && bundle.messages.is_empty() {
        return Err(format!("nothing stored for {}", key.id()).into());
    }
    if cli.json {
        println!(
            "{}",
            json(&WithId {
                id: key.id(),
                view: &bundle,
            })
        );
    } else {
        print!("{}", describe(key, &bundle, OffsetDateTime::now_utc()));
    }
    Ok(())
}

fn describe(key: &FeedbackKey, bundle: &ItemBundle, now: OffsetDateTime) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    // Writing to a String cannot fail.
    let mut line = |text: String| {
        let _ = writeln!(out, "{text}");
    };
    match &bundle.feedback {
        Some(r) => {
            let f = &r.feedback;
            line(format!(
                "{} — {} by {} ({})",
                key.id(),
                f.kind.as_str(),
                or_dash(f.author_name.as_deref()),
                when(f.received_at)
            ));
            if let Some(stars) = f.rating {
                line(format!("  rating: {stars} of 5"));
            }
            match &f.text {
                Some(text) => line(format!("  “{}”", quoted(text))),
                None => line("  (no text)".to_owned()),
            }
            if let Some(url) = &f.url {
                line(format!("  link: {}", clean(url)));
            }
            for earlier in &r.text_history {
                line(format!(
                    "  before {}: “{}”",
                    when(earlier.replaced_at),
                    quoted(&earlier.text)
                ));
            }
            line(format!(
                "  label: {}  language: {}  decision: {}{}{}",
                or_dash(r.label.as_deref()),
                or_dash(r.language.as_deref()),
                r.decision.map_or_else(|| "–".to_owned(), |d| d.to_string()),
                if r.edited { "  (edited)" } else { "" },
                if r.removed {
                    "  (removed by the author)"
                } else {
                    ""
                }
            ));
            if let Some(confidence) = &r.confidence {
                line(format!("  confidence: {}", clean(confidence)));
            }
        }
        None => line(format!("{} — no feedback record", key.id())),
    }
    let mut messages: Vec<_> = bundle.messages.iter().collect();
    messages.sort_by_key(|m| m.channel != Channel::Public);
    for m in messages {
        let failure = m
            .failure
            .as_deref()
            .map(|f| format!(" ({})", clean(f)))
            .unwrap_or_default();
        let approved = m
            .approved_by
            .as_deref()
            .map(|by| format!(", approved by {}", clean(by)))
            .unwrap_or_default();
        // The local runner's dry-run sink records what it would have sent: never "sent".
        let state = if m
            .platform_message_id
            .as_deref()
            .is_some_and(|id| id.starts_with(DRY_RUN_PREFIX))
        {
            "dry-run, not sent".to_owned()
        } else {
            m.state.to_string()
        };
        line(format!(
            "  {} message [{state}{approved}]{failure}: {}",
            m.channel,
            quoted(&m.text)
        ));
    }
    // Where nothing is sent for staff (a manual task: no reply client, or a platform
    // without that channel), the drafts are what they answer with by hand.
    if let Some(t) = &bundle.task {
        let drafted = |channel: Channel| bundle.messages.iter().any(|m| m.channel == channel);
        if !drafted(Channel::Public) && !t.draft_public.trim().is_empty() {
            line(format!(
                "  draft public reply (not sent: answer by hand): {}",
                quoted(&t.draft_public)
            ));
        }
        if let Some(private) = t.draft_private.as_deref().filter(|p| !p.trim().is_empty())
            && !drafted(Channel::Private)
        {
            line(format!(
                "  draft private message (not sent: send it by hand): {}",
                quoted(private)
            ));
        }
    }
    match &bundle.task {
        Some(t) => {
            line(format!(
                "  task: {}  due {}{}{}  channel {}  assignee {}  theme {}",
                t.status,
                when(t.due_at),
                if t.is_overdue(now) { " (overdue)" } else { "" },
                t.escalated_at
                    .map(|at| format!(" (escalated {})", when(at)))
                    .unwrap_or_default(),
                t.channel,
                or_dash(t.assignee.as_deref()),
                t.theme.map_or_else(|| "–".to_owned(), |t| t.to_string())
            ));
            line(format!("  next step: {}", quoted(&t.next_step)));
            if !t.flags.is_empty() {
                line(format!(
                    "  flags: {}{}",
                    clean(&t.flags.join(", ")),
                    t.flag_reason
                        .as_deref()
                        .map(|r| format!(" ({})", clean(r)))
                        .unwrap_or_default()
                ));
            }
            if t.flags
                .iter()
                .any(|f| f == feedback::records::TaskFlag::NeedsReview.as_str())
            {
                line("  confidence: unsure, held for a person: nothing is posted until staff approve, edit or drop it".to_owned());
            }
            if let Some(resolution) = &t.resolution {
                line(format!("  resolution: {}", quoted(resolution)));
            }
            if let Some(reason) = &t.drop_reason {
                line(format!("  dropped: {}", quoted(reason)));
            }
            if let Some(ask) = &t.update_request {
                let how = match (t.update_requested_at, t.update_request_channel) {
                    (Some(at), Some(TaskChannel::Manual)) => format!(
                        " (send it yourself: the platform allows no message; since {})",
                        when(at)
                    ),
                    (Some(at), _) => format!(" (asked {})", when(at)),
                    (None, _) => " (not asked yet)".to_owned(),
                };
                line(format!("  update request{how}: {}", quoted(ask)));
            }
            for change in &t.history {
                line(format!(
                    "  {} {} by {}{}{}",
                    when(change.at),
                    change.action,
                    clean(&change.by),
                    change.to.map(|s| format!(" → {s}")).unwrap_or_default(),
                    change
                        .note
                        .as_deref()
                        .map(|n| format!(": {}", quoted(n)))
                        .unwrap_or_default()
                ));
            }
        }
        None => line("  no follow-up task".to_owned()),
    }
    for f in &bundle.followups {
        line(format!(
            "  {} [{}]{}: {}",
            f.kind.as_str().replace('_', " "),
            f.state,
            f.failure
                .as_deref()
                .map(|r| format!(" ({})", clean(r)))
                .unwrap_or_default(),
            quoted(&f.text)
        ));
    }
    for n in &bundle.notifications {
        line(format!(
            "  notified {} to {} [{}]",
            n.event, n.target, n.state
        ));
    }
    for a in &bundle.approvals {
        line(format!(
            "  approved by {} at {}",
            clean(&a.approved_by),
            when(a.created_at)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedback::Feedback;
    use store::messages::OutgoingMessage;
    use store::{Decision, MessageState};
    use time::macros::datetime;

    fn record(platform: &str, item: &str, at: OffsetDateTime, label: &str) -> FeedbackRecord {
        let feedback = Feedback {
            author_name: Some("Eve \u{1b}[2J\u{202E}Mallory".into()),
            text: Some("Rotten\u{7}\r\nservice \u{1b}]0;pwned\u{7}😡".into()),
            ..Feedback::example_comment(Platform::parse(platform).unwrap(), "p1", item, at).unwrap()
        };
        FeedbackRecord {
            decision: Some(Decision::Answer),
            label: Some(label.into()),
            language: Some("en".into()),
            ..FeedbackRecord::new(feedback)
        }
    }

    #[test]
    fn platforms_merge_newest_first_and_filter_by_label() {
        let fb = vec![
            record("facebook", "3", datetime!(2025-11-03 00:00 UTC), "negative"),
            record("facebook", "1", datetime!(2025-11-01 00:00 UTC), "question"),
        ];
        let ig = vec![record(
            "instagram",
            "2",
            datetime!(2025-11-02 00:00 UTC),
            "negative",
        )];
        let ids = |records: Vec<FeedbackRecord>| -> Vec<String> {
            records
                .iter()
                .map(|r| FeedbackKey::of(&r.feedback).id())
                .collect()
        };
        assert_eq!(
            ids(newest_first(vec![fb.clone(), ig.clone()], None)),
            ["facebook:3", "instagram:2", "facebook:1"]
        );
        assert_eq!(
            ids(newest_first(vec![fb, ig], Some(Label::Negative))),
            ["facebook:3", "instagram:2"]
        );
    }

    #[test]
    fn show_strips_terminal_controls_from_customer_text() {
        let r = record(
            "facebook",
            "777_1",
            datetime!(2025-11-01 00:00 UTC),
            "negative",
        );
        let key = FeedbackKey::of(&r.feedback);
        let bundle = ItemBundle {
            feedback: Some(r),
            messages: vec![OutgoingMessage::new(
                Channel::Private,
                MessageState::Draft,
                "Hi Eve\u{1b}[31m, sorry",
            )],
            task: None,
            approvals: Vec::new(),
            followups: Vec::new(),
            notifications: Vec::new(),
        };
        let out = describe(&key, &bundle, datetime!(2025-11-02 00:00 UTC));
        for c in ['\u{1b}', '\u{7}', '\r', '\u{202E}'] {
            assert!(!out.contains(c), "{c:?} in {out:?}");
        }
        assert!(out.contains("Eve [2JMallory"), "{out}");
        assert!(out.contains("“Rotten\n    service ]0;pwned😡”"), "{out}");
        assert!(
            out.contains("private message [draft]: Hi Eve[31m, sorry"),
            "{out}"
        );
        assert!(out.contains("no follow-up task"), "{out}");
    }

    #[test]
    fn show_gives_a_manual_task_its_drafts_and_link_and_never_calls_a_dry_run_sent() {
        let mut r = record(
            "standard",
            "mention-1",
            datetime!(2025-11-01 00:00 UTC),
            "negative",
        );
        r.feedback.url = Some("https://forum.example/t/912#post-4".into());
        let key = FeedbackKey::of(&r.feedback);
        let mut task = super::super::tasks::tests::task(
            "mention-1",
            "p1",
            store::TaskStatus::Open,
            datetime!(2025-11-02 00:00 UTC),
        );
        task.channel = TaskChannel::Manual;
        let manual = ItemBundle {
            feedback: Some(r.clone()),
            messages: Vec::new(),
            task: Some(task.clone()),
            approvals: Vec::new(),
            followups: Vec::new(),
            notifications: Vec::new(),
        };
        let out = describe(&key, &manual, datetime!(2025-11-02 00:00 UTC));
        assert!(
            out.contains("link: https://forum.example/t/912#post-4"),
            "{out}"
        );
        assert!(
            out.contains("draft public reply (not sent: answer by hand): Sorry!"),
            "{out}"
        );
        assert!(
            out.contains(
                "draft private message (not sent: send it by hand): Wat is uw ordernummer?"
            ),
            "{out}"
        );

        let sent = |id: &str| OutgoingMessage {
            attempts: 1,
            platform_message_id: Some(id.into()),
            ..OutgoingMessage::new(Channel::Public, MessageState::Sent, "Sorry!")
        };
        let dry = ItemBundle {
            messages: vec![sent("dry-run:public:mention-1")],
            ..manual.clone()
        };
        let out = describe(&key, &dry, datetime!(2025-11-02 00:00 UTC));
        assert!(
            out.contains("public message [dry-run, not sent]: Sorry!"),
            "{out}"
        );
        assert!(!out.contains("draft public reply"), "{out}");
        let real = ItemBundle {
            messages: vec![sent("777_1_99")],
            ..manual
        };
        let out = describe(&key, &real, datetime!(2025-11-02 00:00 UTC));
        assert!(out.contains("public message [sent]: Sorry!"), "{out}");
    }
}
