//! The review poller against DynamoDB Local and a `wiremock` Google Play API: new reviews
//! stored once and answered once, edits kept with their history and never answered again,
//! old reviews given a task only, two runs at once and a run that dies losing nothing.

use feedback::AccountId;
use platforms::google_play::GooglePlay;
use platforms::reply::Outbound;
use review_poller::config::Source;
use review_poller::poll::{Poller, RunReport};
use serde_json::{Value, json};
use std::sync::Arc;
use store::FeedbackKey;
use time::{Duration, OffsetDateTime};
use triage::decide::PageSettings;
use wiremock::matchers::{method, path, path_regex, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::dynamodb::assert_flagged;
use workspace_tests::dynamodb::{TestTable, stars_history};
use workspace_tests::mock::{Answer, received, stand_in_http, token_endpoint, token_url};
use workspace_tests::poller::{
    TestClock, assert_one_stored_then_failed, assert_stored_once, credential, cursor_of,
    fails_once_then, poller_on, run,
};
use workspace_tests::responder::{key_on, responder_on};

const APP: &str = "com.example.shop";
const KEY: &str =
    include_str!("../../../shared/platforms/src/google_play/testdata/service-account.json");
const VARIABLE: &str = "GOOGLE_PLAY_SERVICE_ACCOUNT";
const LIST: &str = "/androidpublisher/v3/applications/com.example.shop/reviews";

fn review(id: &str, text: &str, stars: u8, at: OffsetDateTime, language: &str) -> Value {
    json!({
        "reviewId": id,
        "authorName": "Klant",
        "comments": [{ "userComment": {
            "text": text,
            "lastModified": { "seconds": at.unix_timestamp().to_string(), "nanos": 0 },
            "starRating": stars,
            "reviewerLanguage": language
        }}]
    })
}

/// A Play API serving `reviews` as one page (newest first), and tokens.
async fn play_api(reviews: Vec<Value>) -> MockServer {
    let server = MockServer::start().await;
    serve(&server, reviews).await;
    token_endpoint(&server, &[], "ya29.play").await;
    Mock::given(method("POST"))
        .and(path_regex(r"/reviews/[^/]+:reply$"))
        .answer(200, json!({ "result": {} }), &server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"/reviews/[^/]+$"))
        .answer(200, json!({ "comments": [] }), &server)
        .await;
    server
}

async fn serve(server: &MockServer, reviews: Vec<Value>) {
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "reviews": reviews })))
        .with_priority(5)
        .mount(server)
        .await;
}

fn play(api: &MockServer) -> Arc<GooglePlay> {
    Arc::new(GooglePlay::new(stand_in_http(), api.uri(), token_url(api)))
}

fn poller(table: &TestTable, api: &MockServer) -> Poller {
    poller_on(table, play(api), source(), VARIABLE, KEY)
}

fn source() -> Source {
    Source {
        platform: platforms::google_play::PLATFORM,
        app: AccountId::parse(APP).unwrap(),
    }
}

fn key(id: &str) -> FeedbackKey {
    key_on(platforms::google_play::PLATFORM, id)
}

async fn run_until(poller: &Poller, id: &str, deadline: OffsetDateTime) -> RunReport {
    poller.run(deadline, id).await
}

fn responder(
    table: &TestTable,
    api: &MockServer,
    page: PageSettings,
) -> feedback_responder::Responder {
    responder_on(
        Arc::new(table.store()),
        Outbound::new().with(GooglePlay::outbound(play(api))),
        credential(VARIABLE, KEY),
        page,
    )
}

async fn replies(api: &MockServer) -> Vec<Value> {
    received(api, "POST", ":reply")
        .await
        .into_iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// A fresh table and a Play API serving one Dutch review, changed `age` ago; and now.
async fn one_dutch_review(
    id: &str,
    text: &str,
    stars: u8,
    age: Duration,
) -> (TestTable, MockServer, OffsetDateTime) {
    let now = OffsetDateTime::now_utc();
    let api = play_api(vec![review(id, text, stars, now - age, "nl")]).await;
    (TestTable::new().await, api, now)
}

async fn answer(responder: &feedback_responder::Responder, id: &str, seq: u64) {
    workspace_tests::responder::answer(responder, "google-play", id, seq).await;
}

#[tokio::test]
async fn a_new_one_star_review_is_stored_once_and_answered_once_in_its_language() {
    let (table, api, _) = one_dutch_review(
        "gp-1",
        "De app crasht elke keer bij het afrekenen, heel slecht",
        1,
        Duration::hours(1),
    )
    .await;
    let poller = poller(&table, &api);
    assert_stored_once(&poller).await;
    let record = table.feedback(&key("gp-1")).await;
    assert_eq!(record.feedback.rating.map(|r| r.stars()), Some(1));
    assert_eq!(record.feedback.language.as_deref(), Some("nl"));

    // GIVEN an English-speaking page, WHEN the stream hands the review over twice,
    // THEN one reply is posted, in Dutch, within Play's 350 characters.
    let responder = responder(&table, &api, PageSettings::default());
    answer(&responder, "gp-1", 1).await;
    answer(&responder, "gp-1", 2).await;
    let posted = replies(&api).await;
    assert_eq!(posted.len(), 1, "{posted:?}");
    let text = posted[0]["replyText"].as_str().unwrap();
    assert!(text.chars().count() <= 350, "{text}");
    let record = table.feedback(&key("gp-1")).await;
    assert_eq!(record.language.as_deref(), Some("nl"), "{text}");
}

#[tokio::test]
async fn an_edited_review_keeps_its_rating_history_and_is_not_answered_twice() {
    let (table, api, now) =
        one_dutch_review("gp-2", "Bestelling kwam niet aan", 1, Duration::hours(3)).await;
    let poller = poller(&table, &api);
    run(&poller, "run-1").await;
    let responder = responder(&table, &api, PageSettings::default());
    answer(&responder, "gp-2", 1).await;
    assert_eq!(replies(&api).await.len(), 1);

    // The customer edits: same review id, newer lastModified, new text and stars.
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "reviews": [
            review("gp-2", "Toch nog aangekomen, dank voor de hulp", 4, now - Duration::hours(1), "nl")
        ]})))
        .with_priority(1)
        .mount(&api)
        .await;
    let report = run(&poller, "run-2").await;
    assert_eq!(
        (report.reviews_new, report.reviews_updated),
        (0, 1),
        "{report:?}"
    );
    let record = table.feedback(&key("gp-2")).await;
    assert_eq!(record.feedback.rating.map(|r| r.stars()), Some(4));
    assert_eq!(stars_history(&record), [1]);
    assert_eq!(record.text_history[0].text, "Bestelling kwam niet aan");
    // An edit is a MODIFY the stream filter never passes; a redelivered INSERT is not
    // answered again.
    answer(&responder, "gp-2", 2).await;
    assert_eq!(replies(&api).await.len(), 1);
}

#[tokio::test]
async fn a_review_older_than_the_page_max_age_gets_a_task_with_drafts_but_no_reply() {
    let (table, api, _) =
        one_dutch_review("gp-3", "Slechte service, nooit meer", 1, Duration::days(5)).await;
    assert_eq!(run(&poller(&table, &api), "run-1").await.reviews_new, 1);
    let page = PageSettings {
        max_age_hours: 48,
        ..PageSettings::default()
    };
    answer(&responder(&table, &api, page), "gp-3", 1).await;
    assert!(replies(&api).await.is_empty());
    let record = table.feedback(&key("gp-3")).await;
    assert_eq!(record.decision, Some(store::Decision::Answer));
    let task = table.task(&key("gp-3")).await;
    assert_flagged(&task, "needs_review", "maximum age");
    assert!(!task.draft_public.is_empty());
}

#[tokio::test]
async fn two_runs_at_once_store_each_review_once() {
    let table = TestTable::new().await;
    let now = OffsetDateTime::now_utc();
    let reviews = (0..5)
        .map(|i| {
            review(
                &format!("gp-c{i}"),
                "Prima app",
                5,
                now - Duration::minutes(i),
                "nl",
            )
        })
        .collect();
    let api = play_api(reviews).await;
    let (a, b) = (poller(&table, &api), poller(&table, &api));
    let (ra, rb) = tokio::join!(run(&a, "run-a"), run(&b, "run-b"));
    assert_eq!(ra.reviews_new + rb.reviews_new, 5, "{ra:?} {rb:?}");
    assert_eq!(table.items_of_type("feedback").await.len(), 5);
    let cursor = cursor_of(&table, &source()).await;
    assert_eq!(cursor.newest_ids, ["gp-c0"]);
    assert_eq!(cursor.lease_owner, None, "released");
}

#[tokio::test]
async fn a_run_that_dies_halfway_loses_nothing_on_the_next_run() {
    let table = TestTable::new().await;
    let now = OffsetDateTime::now_utc();
    let api = play_api(vec![]).await;
    // Two pages: the second fails once (the run "dies" there).
    Mock::given(method("GET"))
        .and(path(LIST))
        .and(query_param_is_missing("token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "reviews": [review("gp-d1", "Goed", 5, now - Duration::minutes(1), "nl")],
            "tokenPagination": { "nextPageToken": "p2" }
        })))
        .with_priority(1)
        .mount(&api)
        .await;
    fails_once_then(
        &api,
        LIST,
        ("token", "p2"),
        ResponseTemplate::new(200).set_body_json(json!({
            "reviews": [review("gp-d2", "Slecht", 1, now - Duration::minutes(30), "nl")]
        })),
    )
    .await;
    let clock = TestClock::at(now);
    let poller = poller(&table, &api).with_clock(clock.clock());
    let deadline = |clock: &TestClock| clock.now() + Duration::minutes(5);
    let first = run(&poller, "run-1").await;
    assert_one_stored_then_failed(
        &table,
        &source(),
        &first,
        "not moved past what was not stored",
    )
    .await;
    let cursor = cursor_of(&table, &source()).await;
    assert!(cursor.retry_after.is_some_and(|t| t > now), "{cursor:?}");

    // A run within the backoff waits; one after it stores the rest, and nothing twice.
    assert_eq!(run(&poller, "run-2").await.sources_waiting, 1);
    clock.set(now + Duration::hours(1));
    let third = run_until(&poller, "run-3", deadline(&clock)).await;
    assert_eq!(third.reviews_new, 1, "{third:?}");
    assert_eq!(table.items_of_type("feedback").await.len(), 2);
    let cursor = cursor_of(&table, &source()).await;
    assert_eq!(cursor.newest_ids, ["gp-d1"]);
    assert_eq!(
        (cursor.failures, cursor.last_outcome.as_deref()),
        (0, Some("ok"))
    );

    // A run that died holding the lease: the source is busy until the lease runs out.
    table
        .store()
        .claim_source(
            &source().platform,
            &source().app,
            "dead-run",
            now + Duration::hours(1),
            Duration::minutes(6),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        run_until(&poller, "run-4", deadline(&clock))
            .await
            .sources_busy,
        1
    );
    clock.set(now + Duration::hours(2));
    assert_eq!(
        run_until(&poller, "run-5", deadline(&clock))
            .await
            .sources_polled,
        1
    );
}
