//! Telling staff where they already are, against DynamoDB Local and `wiremock` targets:
//! Slack, Teams and signed Standard Webhooks; each event told once per target (two
//! sweepers at once included), retried with backoff when it certainly did not arrive,
//! given up in the end, and never a URL or secret in the logs.

use feedback::page::PageConfig;
use platforms::standard::StandardWebhooks;
use serde_json::Value;
use std::time::Duration as StdDuration;
use store::notify::Event;
use store::{MessageState, NotificationEvent};
use time::{Duration, OffsetDateTime};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::assert_says;
use workspace_tests::dynamodb::TestTable;
use workspace_tests::logs::{capture, run_alone};
use workspace_tests::mock::Answer;
use workspace_tests::responder::meta_outbound;
use workspace_tests::sweeper::{
    Fixture, PAGE_ID, WEBHOOK_SECRET, notify_targets, page_with_targets, set_facebook_page,
    sweep_at_once, sweeper, two_sweepers,
};

const SLACK: &str = "/slack-url-token";
const TEAMS: &str = "/teams-url-token";
const HOOK: &str = "/hook-url-token";

async fn requests(server: &MockServer, suffix: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path().ends_with(suffix))
        .collect()
}

fn body(request: &wiremock::Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

async fn targets_answering(status: u16) -> MockServer {
    targets_with(ResponseTemplate::new(status).set_delay(StdDuration::from_millis(50))).await
}

/// Notification targets answering every POST with `answer`.
async fn targets_with(answer: ResponseTemplate) -> MockServer {
    let hooks = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(answer)
        .mount(&hooks)
        .await;
    hooks
}

#[tokio::test]
async fn a_new_complaint_is_told_to_slack_teams_and_a_signed_webhook_once_each() {
    let table = TestTable::new().await;
    let hooks = targets_answering(200).await;
    page_with_targets(&table.store(), &hooks).await;
    let key = Fixture::complaint("777_300").store(&table.store()).await;
    let graph = MockServer::start().await;
    let (a, b) = two_sweepers(&table, meta_outbound(&graph));

    let (ra, rb) = sweep_at_once(&a, &b).await;
    b.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    assert_eq!(
        ra.notifications_sent + rb.notifications_sent,
        3,
        "{ra:?} {rb:?}"
    );
    let slack = requests(&hooks, SLACK).await;
    let teams = requests(&hooks, TEAMS).await;
    let hook = requests(&hooks, HOOK).await;
    assert_eq!((slack.len(), teams.len(), hook.len()), (1, 1, 1));

    let text = body(&slack[0])["text"].as_str().unwrap().to_owned();
    assert!(
        text.starts_with("New complaint on facebook:1029384756 (delivery, nl), due ")
            && text.contains("“Mijn bestelling is na twee weken")
            && text.ends_with("(task facebook:777_300)"),
        "{text}"
    );
    // The same line, escaped for Teams' Markdown.
    assert_eq!(teams_shows(body(&teams[0])["text"].as_str().unwrap()), text);
    assert_eq!(slack[0].headers["content-type"], "application/json");

    // The signed event: Standard Webhooks headers over the exact body.
    let event = &hook[0];
    let id = event.headers["webhook-id"].to_str().unwrap();
    let timestamp: i64 = event.headers["webhook-timestamp"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(id.starts_with("msg_"), "{id}");
    assert!((OffsetDateTime::now_utc().unix_timestamp() - timestamp).abs() < 60);
    let expected = StandardWebhooks::new(&[WEBHOOK_SECRET])
        .unwrap()
        .sign(id, timestamp, &event.body)
        .unwrap();
    assert_eq!(
        event.headers["webhook-signature"].to_str().unwrap(),
        expected
    );
    let payload = body(event);
    assert_eq!(payload["type"], "task.opened");
    assert_eq!(payload["data"]["task"], "facebook:777_300");
    assert_eq!(payload["data"]["page"], "facebook:1029384756");
    assert_eq!(payload["data"]["label"], "negative");
    assert_eq!(payload["data"]["theme"], "delivery");
    assert_eq!(payload["data"]["language"], "nl");
    assert_eq!(payload["data"]["status"], "open");
    assert!(
        payload["data"]["excerpt"]
            .as_str()
            .unwrap()
            .starts_with("Mijn bestelling")
    );
    assert!(payload["timestamp"].as_str().unwrap().ends_with('Z'));

    let task = table.task(&key).await;
    assert!(task.announced_at.is_some());
    assert_eq!(task.theme, Some(store::ComplaintTheme::Delivery));
    let stored = table.store().item(&key).await.unwrap().notifications;
    assert_eq!(stored.len(), 3);
    assert!(
        stored
            .iter()
            .all(|n| n.state == MessageState::Sent && n.event_id == id)
    );
}

/// What a customer wrote to turn staff's chat against them: links with another text,
/// mentions, headings, emphasis and HTML, in each target's own markup.
const HOSTILE: &str = "# Refund [here](https://evil.example/pay) <https://evil.example|here> \
    <!channel> <at>All</at> **now** _pls_ ~~x~~ `c` > q | a - b + c ! d \\ e \
    <a href=\"https://evil.example\">x</a> Q&amp;A";

/// Teams' Markdown (and its HTML) made harmless: every character that could start markup is
/// either backslash-escaped or an entity.
fn markup_in_teams_text(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            // An escape: the next character is literal.
            i += 2;
            continue;
        }
        if "*_[]()#+-!`>|~<".contains(c) {
            found.push(
                chars[i.saturating_sub(10)..(i + 10).min(chars.len())]
                    .iter()
                    .collect(),
            );
        }
        if c == '&' {
            let rest: String = chars[i..].iter().take(5).collect();
            if !(rest.starts_with("&amp;") || rest.starts_with("&lt;") || rest.starts_with("&gt;"))
            {
                found.push(rest);
            }
        }
        i += 1;
    }
    found
}

/// What Teams shows: the escapes undone.
fn teams_shows(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn a_hostile_comment_makes_no_link_mention_or_markup_in_slack_or_teams_and_stays_readable() {
    let table = TestTable::new().await;
    let hooks = targets_answering(200).await;
    page_with_targets(&table.store(), &hooks).await;
    let mut complaint = Fixture::complaint("777_305");
    complaint.feedback.text = Some(HOSTILE.to_owned());
    complaint.store(&table.store()).await;
    let graph = MockServer::start().await;

    sweeper(&table, meta_outbound(&graph))
        .sweep(OffsetDateTime::now_utc(), None)
        .await
        .unwrap();

    let slack = body(&requests(&hooks, SLACK).await[0])["text"]
        .as_str()
        .unwrap()
        .to_owned();
    // Slack's mrkdwn: `<` starts every link and mention; `&` every entity.
    assert!(!slack.contains('<') && !slack.contains('>'), "{slack}");
    assert!(
        !slack
            .replace("&amp;", "")
            .replace("&lt;", "")
            .replace("&gt;", "")
            .contains('&'),
        "{slack}"
    );
    let slack_shows = slack
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    assert!(
        slack_shows.contains(HOSTILE),
        "readable in Slack: {slack_shows}"
    );

    let teams = body(&requests(&hooks, TEAMS).await[0])["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let markup = markup_in_teams_text(&teams);
    assert!(markup.is_empty(), "markup in {teams}: {markup:?}");
    let shown = teams_shows(&teams);
    assert!(shown.contains(HOSTILE), "readable in Teams: {shown}");
    assert!(
        shown.starts_with("New complaint on facebook:1029384756 ("),
        "{shown}"
    );
    // The signed webhook carries data, not markup: the comment as written.
    let event = body(&requests(&hooks, HOOK).await[0]);
    assert!(
        event["data"]["excerpt"]
            .as_str()
            .unwrap()
            .starts_with("# Refund [here](https://evil.example/pay)"),
        "{event}"
    );
}

#[tokio::test]
async fn a_target_that_fails_for_a_moment_is_retried_with_backoff_and_told_once() {
    let table = TestTable::new().await;
    let hooks = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&hooks)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&hooks)
        .await;
    set_facebook_page(
        &table.store(),
        &PageConfig {
            notify_slack_url: notify_targets(&hooks.uri(), WEBHOOK_SECRET).notify_slack_url,
            ..PageConfig::default()
        },
    )
    .await;
    Fixture::complaint("777_310").store(&table.store()).await;
    let graph = MockServer::start().await;
    let s = sweeper(&table, meta_outbound(&graph));

    let first = s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    assert_eq!(first.notifications_sent, 1);
    assert_eq!(
        requests(&hooks, SLACK).await.len(),
        3,
        "500, 500, then 200; no more"
    );
}

#[tokio::test]
async fn a_target_that_keeps_failing_waits_between_sweeps_and_is_given_up_in_the_end() {
    let table = TestTable::new().await;
    let hooks = targets_answering(503).await;
    set_facebook_page(
        &table.store(),
        &PageConfig {
            notify_webhook_url: notify_targets(&hooks.uri(), WEBHOOK_SECRET).notify_webhook_url,
            notify_webhook_secret: notify_targets(&hooks.uri(), WEBHOOK_SECRET)
                .notify_webhook_secret,
            ..PageConfig::default()
        },
    )
    .await;
    let key = Fixture::complaint("777_320").store(&table.store()).await;
    let graph = MockServer::start().await;
    let s = sweeper(&table, meta_outbound(&graph));

    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    assert_eq!(
        requests(&hooks, HOOK).await.len(),
        3,
        "three tries in one sweep"
    );
    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    assert_eq!(
        requests(&hooks, HOOK).await.len(),
        3,
        "not tried again before its next attempt is due"
    );
    tokio::time::sleep(StdDuration::from_millis(2_100)).await;
    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    assert_eq!(requests(&hooks, HOOK).await.len(), 6);
    tokio::time::sleep(StdDuration::from_millis(2_100)).await;
    let last = s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    assert_eq!(requests(&hooks, HOOK).await.len(), 6, "six attempts in all");
    assert_eq!(last.notifications_failed, 1);
    let stored = table.store().item(&key).await.unwrap().notifications;
    assert_eq!(stored[0].state, MessageState::Failed);
    assert!(
        stored[0]
            .failure
            .as_deref()
            .unwrap()
            .contains("gave up after 6 attempts")
    );
    // The same event id on every try: the receiver can drop repeats.
    let ids: std::collections::BTreeSet<String> = requests(&hooks, HOOK)
        .await
        .iter()
        .map(|r| r.headers["webhook-id"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1);
    assert!(
        table
            .store()
            .due_notifications(OffsetDateTime::now_utc() + Duration::days(1))
            .await
            .unwrap()
            .is_empty(),
        "a given-up notification leaves the index"
    );
}

#[tokio::test]
async fn a_chat_that_does_not_answer_in_time_is_not_posted_twice_but_a_signed_webhook_is_retried() {
    let table = TestTable::new().await;
    let hooks =
        targets_with(ResponseTemplate::new(200).set_delay(StdDuration::from_millis(900))).await;
    let targets = notify_targets(&hooks.uri(), WEBHOOK_SECRET);
    set_facebook_page(
        &table.store(),
        &PageConfig {
            notify_teams_url: None,
            ..targets
        },
    )
    .await;
    let key = Fixture::complaint("777_330").store(&table.store()).await;
    let graph = MockServer::start().await;

    sweeper(&table, meta_outbound(&graph))
        .sweep(OffsetDateTime::now_utc(), None)
        .await
        .unwrap();

    assert_eq!(requests(&hooks, SLACK).await.len(), 1);
    assert_eq!(requests(&hooks, HOOK).await.len(), 3);
    let stored = table.store().item(&key).await.unwrap().notifications;
    let slack = stored
        .iter()
        .find(|n| n.target == store::NotifyTarget::Slack)
        .unwrap();
    assert_eq!(slack.state, MessageState::Failed);
    assert_says(slack.failure.as_deref(), "outcome unknown", &slack);
    let hook = stored
        .iter()
        .find(|n| n.target == store::NotifyTarget::Webhook)
        .unwrap();
    assert_eq!(
        hook.state,
        MessageState::Pending,
        "tried again on a later sweep"
    );
}

#[tokio::test]
async fn a_page_that_must_be_reconnected_is_told_once_each_time_it_must() {
    let (table, store) = TestTable::with_store().await;
    let hooks = targets_answering(200).await;
    set_facebook_page(
        &store,
        &PageConfig {
            notify_slack_url: notify_targets(&hooks.uri(), WEBHOOK_SECRET).notify_slack_url,
            ..PageConfig::default()
        },
    )
    .await;
    let page = feedback::AccountId::parse(PAGE_ID).unwrap();
    let now = OffsetDateTime::now_utc();
    for item in ["777_340", "777_341"] {
        let key = Fixture::complaint(item).store(&store).await;
        store
            .flag_task(
                &key,
                feedback::records::TaskFlag::ReconnectPage,
                "Session has expired",
                now,
            )
            .await
            .unwrap();
    }
    let token_expired = async |at| {
        store
            .mark_page_reconnect(&platforms::meta::FACEBOOK, &page, "Session has expired", at)
            .await
            .unwrap();
    };
    token_expired(now).await;
    let graph = MockServer::start().await;
    let s = sweeper(&table, meta_outbound(&graph));
    let reconnect = |requests: &[wiremock::Request]| {
        requests
            .iter()
            .filter(|r| {
                body(r)["text"]
                    .as_str()
                    .unwrap()
                    .contains("must be reconnected")
            })
            .count()
    };

    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    assert_eq!(
        reconnect(&requests(&hooks, SLACK).await),
        1,
        "two flagged tasks, one page"
    );

    // Reconnected, then the token expires again: told again.
    store
        .update_page(
            &platforms::meta::FACEBOOK,
            &page,
            &store::pages::PageChange {
                set: PageConfig::default(),
                clear_reconnect: true,
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    token_expired(now + Duration::seconds(5)).await;
    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    let slack = requests(&hooks, SLACK).await;
    assert_eq!(reconnect(&slack), 2);
    let text = body(slack.last().unwrap())["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        text.contains("feedbackctl pages set facebook:1029384756 --reconnected"),
        "{text}"
    );
}

#[tokio::test]
async fn an_event_raised_twice_is_stored_once_per_target() {
    let (_table, store, key) = Fixture::complaint("777_350").in_new_table().await;
    let task = store.task(&key).await.unwrap().unwrap();
    let now = OffsetDateTime::now_utc();
    let event = Event::for_task(NotificationEvent::TaskResolved, &task, None, now);
    let targets = [store::NotifyTarget::Slack, store::NotifyTarget::Webhook];

    let (a, b) = tokio::join!(
        store.enqueue_notification(&event, &targets, now),
        store.enqueue_notification(&event, &targets, now)
    );
    let again = store
        .enqueue_notification(&event, &targets, now + Duration::minutes(1))
        .await
        .unwrap();

    assert_eq!(a.unwrap() + b.unwrap() + again, 2);
    assert_eq!(store.due_notifications(now).await.unwrap().len(), 2);
}

/// In a process of its own, as `logs_keep_secrets` (tracing caches whether anyone listens).
#[test]
fn no_notification_url_or_secret_reaches_the_logs() {
    run_alone("notifications::sweep_with_failing_targets_at_trace_level");
}

#[tokio::test]
#[ignore = "run by no_notification_url_or_secret_reaches_the_logs in a process of its own"]
async fn sweep_with_failing_targets_at_trace_level() {
    // Everything at TRACE, except the AWS SDK's own internals at DEBUG, the most the
    // template allows (`LogLevel`): at TRACE the SDK prints whole DynamoDB responses, and
    // so the page record that holds the targets.
    let (captured, _guard) = capture(
        "trace,aws_smithy_runtime=debug,aws_smithy_runtime_api=debug,aws_smithy_http_client=debug,aws_sdk_dynamodb=debug",
    );

    let table = TestTable::new().await;
    let hooks = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex("slack"))
        .respond_with(ResponseTemplate::new(404).set_body_string("no_service"))
        .mount(&hooks)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("teams"))
        .respond_with(ResponseTemplate::new(200).set_delay(StdDuration::from_secs(2)))
        .mount(&hooks)
        .await;
    Mock::given(method("POST")).answer_status(500, &hooks).await;
    page_with_targets(&table.store(), &hooks).await;
    let mut late = Fixture::complaint("777_360");
    late.feedback.received_at = OffsetDateTime::now_utc() - Duration::hours(2);
    late.sla_hours = 1;
    late.store(&table.store()).await;
    let graph = MockServer::start().await;

    let summary = sweeper(&table, meta_outbound(&graph))
        .sweep(OffsetDateTime::now_utc(), None)
        .await
        .unwrap();

    assert!(summary.notifications_failed >= 2, "{summary:?}");
    let logs = captured.text();
    assert!(
        logs.contains("notification given up"),
        "the sweep was logged"
    );
    let key_material = WEBHOOK_SECRET.trim_start_matches("whsec_");
    for secret in [
        "slack-url-token",
        "teams-url-token",
        "hook-url-token",
        key_material,
        &hooks.uri(),
    ] {
        let leaks: Vec<&str> = logs.lines().filter(|l| l.contains(secret)).collect();
        assert!(
            leaks.is_empty(),
            "{secret:?} appears in the logs: {leaks:#?}"
        );
    }
    for request in requests(&hooks, HOOK).await {
        let signature = request.headers["webhook-signature"].to_str().unwrap();
        assert!(!logs.contains(signature.trim_start_matches("v1,")));
    }
}
