//! What each command does.

use crate::cli::{
    Cli, Command, FeedbackCommand, PageCommand, PageSettingsArgs, SignCommand, TaskCommand,
    TaskStatus,
};
use crate::output::{field, json, short, table};
use aws_sdk_dynamodb::config::{Credentials, Region};
use feedback::{AccountId, Platform};
use feedback_responder::pages::{Page, attr};
use runtime::error_chain as chain;
use serde_json::Value;
use store::staff::{item_json, parse_task_id, task_id};
use store::{DynamoStore, FeedbackKey};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use triage::templates::{Placeholders, TemplateSet, render};
use triage::{Language, PageSettings};

type Result<T> = std::result::Result<T, String>;

const LOCAL_ENDPOINT: &str = "http://127.0.0.1:8000";

async fn connect(cli: &Cli) -> DynamoStore {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    let endpoint = cli
        .endpoint_url
        .clone()
        .or_else(|| cli.local.then(|| LOCAL_ENDPOINT.to_owned()));
    if cli.local {
        // DynamoDB Local accepts any credentials; never use real ones there.
        loader = loader
            .credentials_provider(Credentials::new(
                "local",
                "local",
                None,
                None,
                "feedbackctl",
            ))
            .region(Region::new("eu-west-1"));
    }
    let sdk = loader.load().await;
    let mut conf = aws_sdk_dynamodb::config::Builder::from(&sdk).timeout_config(store::timeouts());
    if let Some(url) = endpoint {
        conf = conf.endpoint_url(url);
    }
    DynamoStore::new(
        aws_sdk_dynamodb::Client::from_conf(conf.build()),
        &cli.table,
    )
}

/// Unreachable table or missing credentials: say what to check.
fn unreachable(cli: &Cli, e: &store::StoreError) -> String {
    let hint = if cli.local {
        "is DynamoDB Local running? start it with infra/dynamodb-local.sh start (or infra/run-local.sh)"
    } else {
        "check AWS_PROFILE/AWS_REGION and the table name (--table), or use --local"
    };
    format!(
        "cannot read table {}: {}\n  hint: {hint}",
        cli.table,
        chain(e)
    )
}

fn key_of(id: &str) -> Result<FeedbackKey> {
    parse_task_id(id)
        .ok_or_else(|| format!("{id:?} is not an id like facebook:777_1 (platform:item id)"))
}

fn page_of(id: &str) -> Result<(Platform, AccountId)> {
    let (platform, account) = id.split_once(':').ok_or_else(|| {
        format!("{id:?} is not a page like facebook:1029384756 (platform:account id)")
    })?;
    let platform = Platform::parse(platform)
        .ok_or_else(|| format!("unknown platform {platform:?} (facebook or instagram)"))?;
    let account = AccountId::parse(account).map_err(|e| format!("account id {account:?}: {e}"))?;
    Ok((platform, account))
}

fn parse_since(s: &str, now: OffsetDateTime) -> Result<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    if let Ok(t) = OffsetDateTime::parse(&format!("{s}T00:00:00Z"), &Rfc3339) {
        return Ok(t);
    }
    let (n, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 = n.parse().map_err(|_| {
        format!("--since {s:?}: use 2025-11-01, an RFC 3339 time, or 24h / 7d / 30m")
    })?;
    match unit {
        "m" => Ok(now - Duration::minutes(n)),
        "h" => Ok(now - Duration::hours(n)),
        "d" => Ok(now - Duration::days(n)),
        _ => Err(format!("--since {s:?}: the unit must be m, h or d")),
    }
}

pub async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Sign(SignCommand::Meta { secret, file, url }) => {
            sign_meta(secret, file, url.as_deref()).await
        }
        Command::Tasks(cmd) => {
            let store = connect(&cli).await;
            tasks(&cli, &store, cmd).await
        }
        Command::Feedback(cmd) => {
            let store = connect(&cli).await;
            feedback(&cli, &store, cmd).await
        }
        Command::Pages(cmd) => {
            let store = connect(&cli).await;
            pages(&cli, &store, cmd).await
        }
    }
}

async fn tasks(cli: &Cli, store: &DynamoStore, cmd: &TaskCommand) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    match cmd {
        TaskCommand::List {
            status,
            overdue,
            page,
        } => {
            let items = match status {
                TaskStatus::Open => store.open_tasks().await,
                _ => store.all_tasks().await,
            }
            .map_err(|e| unreachable(cli, &e))?;
            let now_s = now.format(&Rfc3339).unwrap_or_default();
            let tasks: Vec<Value> = items
                .iter()
                .map(item_json)
                .filter(|t| match status {
                    TaskStatus::Resolved => field(t, "status") == "resolved",
                    TaskStatus::Open => field(t, "status") == "open",
                    TaskStatus::All => true,
                })
                .filter(|t| {
                    !overdue
                        || (field(t, "status") == "open" && field(t, "due_at") < now_s.as_str())
                })
                .filter(|t| page.as_deref().is_none_or(|p| field(t, "account_id") == p))
                .map(|mut t| {
                    let id = format!("{}:{}", field(&t, "platform"), field(&t, "item_id"));
                    let is_overdue =
                        field(&t, "status") == "open" && field(&t, "due_at") < now_s.as_str();
                    if let Some(obj) = t.as_object_mut() {
                        obj.insert("id".into(), Value::String(id));
                        obj.insert("overdue".into(), Value::Bool(is_overdue));
                    }
                    t
                })
                .collect();
            if cli.json {
                println!("{}", json(&Value::Array(tasks)));
            } else if tasks.is_empty() {
                println!(
                    "No {} tasks.",
                    match status {
                        TaskStatus::Open => "open",
                        TaskStatus::Resolved => "resolved",
                        TaskStatus::All => "",
                    }
                );
            } else {
                let rows = tasks
                    .iter()
                    .map(|t| {
                        let flags = t
                            .get("flags")
                            .and_then(Value::as_array)
                            .map(|f| {
                                f.iter()
                                    .filter_map(Value::as_str)
                                    .collect::<Vec<_>>()
                                    .join(",")
                            })
                            .unwrap_or_default();
                        vec![
                            field(t, "id").to_owned(),
                            field(t, "status").to_owned(),
                            format!(
                                "{}{}",
                                short(field(t, "due_at"), 16),
                                if t["overdue"] == Value::Bool(true) {
                                    " (overdue)"
                                } else {
                                    ""
                                }
                            ),
                            field(t, "label").to_owned(),
                            field(t, "language").to_owned(),
                            field(t, "channel").to_owned(),
                            field(t, "assignee").to_owned(),
                            flags,
                            short(field(t, "next_step"), 50),
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
                        rows
                    )
                );
            }
            Ok(())
        }
        TaskCommand::Show { id } => show(cli, store, &key_of(id)?).await,
        TaskCommand::Claim { id, by } => {
            let key = key_of(id)?;
            store
                .claim_task(&key, by, now)
                .await
                .map_err(|e| chain(&e))?;
            report(cli, &key, "claimed", by);
            Ok(())
        }
        TaskCommand::Resolve { id, note } => {
            let key = key_of(id)?;
            let ask = update_request(store, &key)
                .await
                .map_err(|e| unreachable(cli, &e))?;
            store
                .resolve_task(&key, note, &ask, now)
                .await
                .map_err(|e| chain(&e))?;
            if cli.json {
                println!(
                    "{}",
                    json(
                        &serde_json::json!({"id": task_id(&key), "status": "resolved", "update_request": ask})
                    )
                );
            } else {
                println!("Resolved {}.", task_id(&key));
                println!(
                    "Now ask the customer, in your private conversation, to update their comment:\n\n  {ask}\n"
                );
            }
            Ok(())
        }
        TaskCommand::Approve { id, by } => {
            let key = key_of(id)?;
            let n = store
                .approve_task(&key, by, now)
                .await
                .map_err(|e| chain(&e))?;
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

fn report(cli: &Cli, key: &FeedbackKey, what: &str, detail: &str) {
    if cli.json {
        println!(
            "{}",
            json(&serde_json::json!({"id": task_id(key), "result": what, "detail": detail}))
        );
    } else {
        println!("{} {}: {detail}", capitalised(what), task_id(key));
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The "please update your comment" message in the customer's language.
async fn update_request(
    store: &DynamoStore,
    key: &FeedbackKey,
) -> std::result::Result<String, store::StoreError> {
    let Some(record) = store.feedback(key.platform, &key.item_id).await? else {
        return Ok(String::new());
    };
    let bundle = store.feedback_bundle(key).await?;
    let language = bundle
        .iter()
        .map(item_json)
        .find(|i| field(i, "record_type") == "feedback")
        .and_then(|f| Language::parse(field(&f, "language")))
        .unwrap_or(Language::En);
    let page = store
        .page(record.feedback.platform, &record.feedback.account_id)
        .await?;
    let page = Page::from_record(page.as_ref(), &PageSettings::default());
    let templates = page
        .templates
        .as_ref()
        .and_then(|t| TemplateSet::with_overrides(Some(t)).ok())
        .or_else(|| TemplateSet::builtin().ok());
    Ok(templates
        .map(|set| {
            let lang = set.language(language);
            render(
                &lang.resolved,
                lang,
                &Placeholders {
                    name: record.feedback.author_name.clone(),
                    brand: page.settings.brand_name.clone(),
                    signature: page.settings.signature.clone(),
                    contact: page.settings.contact.clone(),
                },
            )
        })
        .unwrap_or_default())
}

async fn show(cli: &Cli, store: &DynamoStore, key: &FeedbackKey) -> Result<()> {
    let bundle = store
        .feedback_bundle(key)
        .await
        .map_err(|e| unreachable(cli, &e))?;
    if bundle.is_empty() {
        return Err(format!("nothing stored for {}", task_id(key)));
    }
    let items: Vec<Value> = bundle.iter().map(item_json).collect();
    fn of<'a>(items: &'a [Value], t: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        items.iter().filter(move |i| field(i, "record_type") == t)
    }
    if cli.json {
        println!(
            "{}",
            json(&serde_json::json!({
                "id": task_id(key),
                "feedback": of(&items, "feedback").next(),
                "task": of(&items, "task").next(),
                "messages": of(&items, "message").collect::<Vec<_>>(),
            }))
        );
        return Ok(());
    }
    if let Some(f) = of(&items, "feedback").next() {
        println!(
            "{} — {} by {} ({})",
            task_id(key),
            field(f, "kind"),
            field(f, "author_name"),
            field(f, "received_at")
        );
        println!("  “{}”", field(f, "text"));
        println!(
            "  label: {}  language: {}  decision: {}{}",
            field(f, "label"),
            field(f, "language"),
            field(f, "decision"),
            if f["removed"] == Value::Bool(true) {
                "  (removed by the author)"
            } else {
                ""
            }
        );
    }
    let mut messages: Vec<&Value> = of(&items, "message").collect();
    messages.sort_by_key(|m| field(m, "channel") != "public");
    for m in messages {
        let dry_run = field(m, "platform_message_id").starts_with("dry-run:");
        println!(
            "  {} message [{}{}]{}: {}",
            field(m, "channel"),
            field(m, "state"),
            if dry_run { ", dry-run" } else { "" },
            match field(m, "failure") {
                "" => String::new(),
                f => format!(" ({f})"),
            },
            field(m, "text")
        );
    }
    if let Some(t) = of(&items, "task").next() {
        println!(
            "  task: {}  due {}  channel {}  assignee {}",
            field(t, "status"),
            field(t, "due_at"),
            field(t, "channel"),
            field(t, "assignee")
        );
        println!("  next step: {}", field(t, "next_step"));
        if !field(t, "resolution").is_empty() {
            println!("  resolution: {}", field(t, "resolution"));
        }
    } else {
        println!("  no follow-up task");
    }
    Ok(())
}

async fn feedback(cli: &Cli, store: &DynamoStore, cmd: &FeedbackCommand) -> Result<()> {
    match cmd {
        FeedbackCommand::Show { id } => show(cli, store, &key_of(id)?).await,
        FeedbackCommand::List {
            platform,
            label,
            since,
        } => {
            let now = OffsetDateTime::now_utc();
            let since = since.as_deref().map(|s| parse_since(s, now)).transpose()?;
            let platforms: Vec<Platform> = match platform {
                Some(p) => Platform::parse(p).into_iter().collect(),
                None => Platform::ALL.to_vec(),
            };
            let mut items = Vec::new();
            for p in platforms {
                items.extend(
                    store
                        .feedback_since(p, since)
                        .await
                        .map_err(|e| unreachable(cli, &e))?,
                );
            }
            let mut list: Vec<Value> = items
                .iter()
                .map(item_json)
                .filter(|f| label.as_deref().is_none_or(|l| field(f, "label") == l))
                .collect();
            list.sort_by(|a, b| field(b, "received_at").cmp(field(a, "received_at")));
            if cli.json {
                println!("{}", json(&Value::Array(list)));
            } else if list.is_empty() {
                println!("No feedback.");
            } else {
                let rows = list
                    .iter()
                    .map(|f| {
                        vec![
                            format!("{}:{}", field(f, "platform"), field(f, "item_id")),
                            short(field(f, "received_at"), 19),
                            short(field(f, "author_name"), 20),
                            field(f, "label").to_owned(),
                            field(f, "language").to_owned(),
                            field(f, "decision").to_owned(),
                            short(field(f, "text"), 60),
                        ]
                    })
                    .collect();
                println!(
                    "{}",
                    table(
                        &[
                            "ID", "RECEIVED", "AUTHOR", "LABEL", "LANG", "DECISION", "TEXT"
                        ],
                        rows
                    )
                );
            }
            Ok(())
        }
    }
}

fn settings_to_attributes(s: &PageSettingsArgs) -> Result<Vec<(&'static str, String)>> {
    let mut out = Vec::new();
    let mut put = |k: &'static str, v: Option<String>| {
        if let Some(v) = v {
            out.push((k, v));
        }
    };
    put(attr::BRAND_NAME, s.brand.clone());
    put(attr::DEFAULT_LANGUAGE, s.language.clone());
    put(attr::MODE, s.mode.clone());
    put(
        attr::THANK_POSITIVE,
        s.thank_positive.map(|b| b.to_string()),
    );
    put(attr::SLA_HOURS, s.sla_hours.map(|n| n.to_string()));
    put(attr::SIGNATURE, s.signature.clone());
    put(attr::CONTACT, s.contact.clone());
    put(attr::MAX_AGE_HOURS, s.max_age_hours.map(|n| n.to_string()));
    if let Some(source) = &s.token_source {
        if !["env:", "file:", "ssm:"]
            .iter()
            .any(|p| source.starts_with(p))
        {
            return Err(format!(
                "--token-source {source:?}: use env:NAME, file:/path or ssm:/name (never the token itself)"
            ));
        }
        out.push((attr::TOKEN_SOURCE, source.clone()));
    }
    if let Some(path) = &s.templates {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--templates {}: {e}", path.display()))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| format!("--templates {}: not JSON: {e}", path.display()))?;
        TemplateSet::with_overrides(Some(&value))
            .map_err(|e| format!("--templates {}: {e}", path.display()))?;
        out.push((attr::TEMPLATES, value.to_string()));
    }
    Ok(out)
}

async fn pages(cli: &Cli, store: &DynamoStore, cmd: &PageCommand) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    match cmd {
        PageCommand::Set { page, settings } => {
            let (platform, account) = page_of(page)?;
            let attributes = settings_to_attributes(settings)?;
            if attributes.is_empty() && !settings.reconnected {
                return Err(
                    "nothing to set: give at least one option (see feedbackctl pages set --help)"
                        .into(),
                );
            }
            store
                .put_page(platform, &account, &attributes, settings.reconnected, now)
                .await
                .map_err(|e| unreachable(cli, &e))?;
            if !cli.json {
                println!("Saved {platform}:{account}.");
            }
            page_show(cli, store, platform, &account).await
        }
        PageCommand::Show { page } => {
            let (platform, account) = page_of(page)?;
            page_show(cli, store, platform, &account).await
        }
        PageCommand::List => {
            let items = store.pages().await.map_err(|e| unreachable(cli, &e))?;
            let list: Vec<Value> = items.iter().map(item_json).collect();
            if cli.json {
                println!("{}", json(&Value::Array(list)));
            } else if list.is_empty() {
                println!(
                    "No pages configured: pages without configuration use the deployment's defaults."
                );
            } else {
                let rows = list
                    .iter()
                    .map(|p| {
                        vec![
                            format!("{}:{}", field(p, "platform"), field(p, "account_id")),
                            field(p, attr::BRAND_NAME).to_owned(),
                            field(p, attr::DEFAULT_LANGUAGE).to_owned(),
                            field(p, attr::MODE).to_owned(),
                            field(p, attr::SLA_HOURS).to_owned(),
                            if p["needs_reconnect"] == Value::Bool(true) {
                                "RECONNECT".into()
                            } else {
                                "ok".into()
                            },
                        ]
                    })
                    .collect();
                println!(
                    "{}",
                    table(&["PAGE", "BRAND", "LANG", "MODE", "SLA H", "TOKEN"], rows)
                );
            }
            Ok(())
        }
    }
}

async fn page_show(
    cli: &Cli,
    store: &DynamoStore,
    platform: Platform,
    account: &AccountId,
) -> Result<()> {
    let record = store
        .page(platform, account)
        .await
        .map_err(|e| unreachable(cli, &e))?;
    let page = Page::from_record(record.as_ref(), &PageSettings::default());
    let s = &page.settings;
    let value = serde_json::json!({
        "page": format!("{platform}:{account}"),
        "configured": record.is_some(),
        "brand_name": s.brand_name,
        "default_language": s.default_language.code(),
        "mode": s.mode.as_str(),
        "thank_positive": s.thank_positive,
        "sla_hours": s.sla_hours,
        "signature": s.signature,
        "contact": s.contact,
        "max_age_hours": s.max_age_hours,
        "token_source": page.token_source,
        "templates_overridden": page.templates.is_some(),
        "needs_reconnect": page.needs_reconnect,
        "reconnect_reason": record.as_ref().and_then(|r| r.attributes.get("reconnect_reason")),
    });
    if cli.json {
        println!("{}", json(&value));
    } else if let Some(obj) = value.as_object() {
        let rows = obj
            .iter()
            .map(|(k, v)| {
                vec![
                    k.clone(),
                    match v {
                        Value::String(s) => s.clone(),
                        Value::Null => "–".into(),
                        v => v.to_string(),
                    },
                ]
            })
            .collect();
        println!("{}", table(&["SETTING", "VALUE"], rows));
    }
    Ok(())
}

async fn sign_meta(secret: &str, file: &std::path::Path, url: Option<&str>) -> Result<()> {
    let body = std::fs::read(file).map_err(|e| format!("--file {}: {e}", file.display()))?;
    serde_json::from_slice::<Value>(&body)
        .map_err(|e| format!("--file {}: not JSON: {e}", file.display()))?;
    let signature = format!(
        "sha256={}",
        platforms::signature::hmac_sha256_hex(secret, &body)
    );
    let Some(url) = url else {
        println!("X-Hub-Signature-256: {signature}");
        println!();
        println!(
            "curl -i -X POST '<URL>/webhooks/meta' -H 'Content-Type: application/json' -H 'X-Hub-Signature-256: {signature}' --data-binary @{}",
            file.display()
        );
        return Ok(());
    };
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", &signature)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("sending to {url}: {}", chain(&e)))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    println!("{status} {text}");
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("{url} answered {status}"))
    }
}
