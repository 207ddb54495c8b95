//! Mastodon mentions through the review poller, against DynamoDB Local and a `wiremock`
//! server answering with docs.joinmastodon.org's examples (`tests/contracts/mastodon/`):
//! a mention stored once and answered once under it with the right visibility, our own
//! status ignored, the cursor moved only past what was stored, a refused token flagged,
//! the server's own character limit honoured.
//!
//! The examples get, when used, their times (moved to just before now), and per test the
//! status's visibility, author or words after the documented mention.

use feedback::AccountId;
use platforms::mastodon::Mastodon;
use platforms::reply::Outbound;
use review_poller::config::Source;
use review_poller::poll::Poller;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use store::FeedbackKey;
use time::{Duration, OffsetDateTime};
use triage::decide::PageSettings;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};
use workspace_tests::dynamodb::TestTable;
use workspace_tests::mock::{Answer, received, stand_in_http};
use workspace_tests::poller::{
    TestClock, assert_one_stored_then_failed, assert_stored_once, credential, cursor_of,
    fails_once_then, poller_on, run,
};
use workspace_tests::responder::{key_on, responder_on};

/// The account the documented examples mention.
const ACCOUNT: &str = "trwnh@mastodon.social";
/// The documented mention's status.
const STATUS: &str = "103186126728896492";
const NOTIFICATIONS: &str = include_str!("../../contracts/mastodon/notifications-answer.txt");
const STATUS_ANSWER: &str = include_str!("../../contracts/mastodon/status-create-answer.txt");
const INSTANCE: &str = include_str!("../../contracts/mastodon/instance-v2-answer.json");
const UNAUTHORIZED: &str = include_str!("../../contracts/mastodon/notifications-unauthorized.json");

/// A documented example without its `// ...` lines and the commas they leave.
fn documented(text: &str) -> Value {
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    let joined = kept.join("\n");
    let chars: Vec<char> = joined.chars().collect();
    let cleaned: String = chars
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            **c != ','
                || !matches!(
                    chars[i + 1..].iter().find(|c| !c.is_whitespace()),
                    Some('}' | ']')
                )
        })
        .map(|(_, c)| *c)
        .collect();
    serde_json::from_str(&cleaned).unwrap()
}

/// The documented notifications, times moved to now; the mention's status shown as
/// `visibility`, saying `words` after the documented mention of the account.
fn notifications(visibility: &str, words: &str) -> Value {
    let mut list = documented(NOTIFICATIONS);
    let status = &mut list[0]["status"];
    status["visibility"] = json!(visibility);
    let content = status["content"]
        .as_str()
        .unwrap()
        .replace(" sup!", &format!(" {words}"));
    status["content"] = json!(content);
    let moved =
        platforms::sample::move_times(list.to_string().as_bytes(), OffsetDateTime::now_utc())
            .unwrap();
    serde_json::from_slice(&moved).unwrap()
}

const COMPLAINT: &str =
    "my order never arrived and nobody answers my emails, this is really bad service";

/// A server answering the notifications with `list`, the instance with its documented
/// limits (`max_characters` replaced when given), and statuses with the documented answer.
async fn server(list: Value, max_characters: Option<u64>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(query_param("types[]", "mention"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list))
        .with_priority(5)
        .mount(&server)
        .await;
    let mut instance: Value = serde_json::from_str(INSTANCE).unwrap();
    if let Some(max) = max_characters {
        instance["configuration"]["statuses"]["max_characters"] = json!(max);
    }
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .answer(200, instance, &server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .answer(200, documented(STATUS_ANSWER), &server)
        .await;
    server
}

fn client(api: &MockServer) -> Arc<Mastodon> {
    Arc::new(Mastodon::new(
        stand_in_http(),
        HashMap::from([(ACCOUNT.to_owned(), api.uri())]),
    ))
}

fn source() -> Source {
    Source {
        platform: platforms::mastodon::PLATFORM,
        app: AccountId::parse(ACCOUNT).unwrap(),
    }
}

const VARIABLE: &str = "MASTODON_ACCESS_TOKEN";
const TOKEN: &str = "mastodon-token";

fn poller(table: &TestTable, api: &MockServer) -> Poller {
    poller_on(table, client(api), source(), VARIABLE, TOKEN)
}

fn key() -> FeedbackKey {
    key_on(platforms::mastodon::PLATFORM, STATUS)
}

async fn answer(table: &TestTable, api: &MockServer, seq: u64) {
    let responder = responder_on(
        Arc::new(table.store()),
        Outbound::new().with(Mastodon::outbound(client(api))),
        credential(VARIABLE, TOKEN),
        PageSettings::default(),
    );
    workspace_tests::responder::answer(&responder, "mastodon", STATUS, seq).await;
}

/// A poll that stores the documented mention, shown as `visibility`, from a server
/// limiting statuses to `max_characters` (when given), and the stream handing it to the
/// responder.
async fn mention_answered(
    visibility: &str,
    max_characters: Option<u64>,
) -> (TestTable, MockServer) {
    let table = TestTable::new().await;
    let api = server(notifications(visibility, COMPLAINT), max_characters).await;
    assert_eq!(run(&poller(&table, &api), "run-1").await.reviews_new, 1);
    answer(&table, &api, 1).await;
    (table, api)
}

fn form(r: &Request) -> HashMap<String, String> {
    url::form_urlencoded::parse(&r.body).into_owned().collect()
}

/// The statuses posted, as their forms.
async fn posted(api: &MockServer) -> Vec<HashMap<String, String>> {
    api.received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/api/v1/statuses")
        .map(form)
        .collect()
}

async fn replies(api: &MockServer) -> Vec<HashMap<String, String>> {
    posted(api)
        .await
        .into_iter()
        .filter(|f| f.get("in_reply_to_id").map(String::as_str) == Some(STATUS))
        .collect()
}

#[tokio::test]
async fn a_mention_polled_is_stored_once_and_answered_once_under_it_with_its_visibility() {
    let table = TestTable::new().await;
    let api = server(notifications("private", COMPLAINT), None).await;
    let poller = poller(&table, &api);
    assert_stored_once(&poller).await;
    let record = table.feedback(&key()).await;
    assert_eq!(record.feedback.text.as_deref(), Some(COMPLAINT));
    assert_eq!(
        record.feedback.author_name.as_deref(),
        Some("zsc@mastodon.social")
    );
    assert_eq!(
        record.feedback.parent_id.as_deref(),
        Some("103186038209478945")
    );

    // The stream hands it over twice: one reply, under the mention, direct (a
    // followers-only answer from the business would reach the business's followers),
    // addressed to them, within the server's 500 characters.
    answer(&table, &api, 1).await;
    answer(&table, &api, 2).await;
    let replies = replies(&api).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0]["visibility"], "direct");
    assert!(replies[0]["status"].starts_with("@zsc "), "{replies:?}");
    assert!(replies[0]["status"].chars().count() <= 500);
    // A private follow-up, if any, is one direct status, never threaded under it.
    let others: Vec<_> = posted(&api)
        .await
        .into_iter()
        .filter(|f| !f.contains_key("in_reply_to_id"))
        .collect();
    assert!(
        others.len() <= 1 && others.iter().all(|f| f["visibility"] == "direct"),
        "{others:?}"
    );
    let keys: Vec<String> = received(&api, "POST", "")
        .await
        .iter()
        .map(|r| r.headers["idempotency-key"].to_str().unwrap().to_owned())
        .collect();
    let mut unique = keys.clone();
    unique.dedup();
    assert_eq!(keys, unique, "every answer has its own idempotency key");
}

#[tokio::test]
async fn a_direct_mention_is_answered_only_as_direct() {
    let (_table, api) = mention_answered("direct", None).await;
    let all = posted(&api).await;
    assert!(!all.is_empty());
    assert!(all.iter().all(|f| f["visibility"] == "direct"), "{all:?}");
}

#[tokio::test]
async fn a_public_mention_is_answered_unlisted() {
    let (_table, api) = mention_answered("public", None).await;
    let replies = replies(&api).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0]["visibility"], "unlisted");
}

#[tokio::test]
async fn our_own_status_is_never_stored() {
    let table = TestTable::new().await;
    let mut list = notifications("public", COMPLAINT);
    list[0]["status"]["account"] = json!({ "id": "14715", "username": "trwnh", "acct": "trwnh" });
    let api = server(list, None).await;
    let report = run(&poller(&table, &api), "run-1").await;
    assert_eq!(
        (report.reviews_new, report.reviews_unusable),
        (0, 0),
        "{report:?}"
    );
    assert!(table.items_of_type("feedback").await.is_empty());
}

#[tokio::test]
async fn the_cursor_moves_only_past_what_was_stored() {
    let table = TestTable::new().await;
    let api = server(json!([]), None).await;
    // Two pages: the documented mention, then (after the Link header's max_id) a failure.
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(query_param_is_missing("max_id"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    "<https://mastodon.example/api/v1/notifications?max_id=34975535>; rel=\"next\"",
                )
                .set_body_json(notifications("public", COMPLAINT)),
        )
        .with_priority(1)
        .mount(&api)
        .await;
    fails_once_then(
        &api,
        "/api/v1/notifications",
        ("max_id", "34975535"),
        ResponseTemplate::new(200).set_body_json(json!([])),
    )
    .await;
    let now = OffsetDateTime::now_utc();
    let clock = TestClock::at(now);
    let poller = poller(&table, &api).with_clock(clock.clock());
    let first = run(&poller, "run-1").await;
    assert_one_stored_then_failed(
        &table,
        &source(),
        &first,
        "not moved while a page was unread",
    )
    .await;

    clock.set(now + Duration::hours(1));
    let second = poller
        .run(now + Duration::hours(1) + Duration::minutes(5), "run-2")
        .await;
    assert_eq!(
        (second.reviews_new, second.sources_failed),
        (0, 0),
        "{second:?}"
    );
    let cursor = cursor_of(&table, &source()).await;
    assert_eq!(cursor.newest_ids, [STATUS]);
    assert_eq!(table.items_of_type("feedback").await.len(), 1);
}

#[tokio::test]
async fn a_refused_token_flags_the_account_for_reconnecting_and_stores_nothing() {
    let table = TestTable::new().await;
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(UNAUTHORIZED, "application/json"))
        .mount(&api)
        .await;
    let report = run(&poller(&table, &api), "run-1").await;
    assert_eq!(report.sources_reconnect, 1, "{report:?}");
    let page = table.page(&source().platform, &source().app).await;
    assert!(page.needs_reconnect);
    assert!(table.items_of_type("feedback").await.is_empty());
    // Flagged: the next run does not ask again.
    assert_eq!(run(&poller(&table, &api), "run-2").await.sources_waiting, 1);
}

#[tokio::test]
async fn a_reply_longer_than_the_servers_own_limit_is_not_posted_and_the_task_says_so() {
    let (table, api) = mention_answered("public", Some(40)).await;
    assert!(posted(&api).await.is_empty());
    let task = table.task(&key()).await;
    assert_eq!(task.flags, ["reply_failed"]);
    let reason = task.flag_reason.unwrap_or_default();
    assert!(reason.contains("at most 40 characters"), "{reason}");
}
