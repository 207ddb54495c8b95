//! Spikes of complaints and the crisis hold (README, "Crisis hold"), against DynamoDB
//! Local, a `wiremock` Graph API and `wiremock` notification targets: a burst gives one
//! alert and holds that page only; the usual rate never alerts; two sweepers raise one
//! alert; a stopped sweep or a redelivery loses and doubles nothing; a person ends it.

use feedback::AccountId;
use feedback::page::{PageConfig, ReplyMode};
use platforms::meta::FACEBOOK;
use serde_json::{Value, json};
use std::sync::Arc;
use store::spikes::{CrisisEnd, Spike, hour_of};
use store::{DynamoStore, FeedbackKey, MessageState};
use time::{Duration, OffsetDateTime};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};
use workspace_tests::dynamodb::{TestTable, port};
use workspace_tests::meta::facebook_comment;
use workspace_tests::mock::Answer;
use workspace_tests::responder::{
    PAGE_ID, accepting_graph, calls, dutch_page, ingest, key, no_replies_yet, responder, run,
};
use workspace_tests::runner::{CliRun, feedbackctl};
use workspace_tests::sweeper::{
    WEBHOOK_SECRET, config, notify_targets, resolved_by_anna, set_page, sweep_at_once, sweeper,
    sweeper_on, two_sweepers,
};

const COMPLAINT: &str =
    "Mijn bestelling is na twee weken nog steeds niet geleverd. Heel teleurstellend!";
const OTHER_PAGE: &str = "5566778899";

fn page() -> AccountId {
    AccountId::parse(PAGE_ID).unwrap()
}

/// A complaint about delivery by its own author (one answer per author per thread).
fn complaint(item: &str, author: usize) -> Value {
    let mut change = facebook_comment(item, "add", Some(COMPLAINT));
    change["value"]["from"]["id"] = json!(format!("55500{author:02}"));
    change
}

/// Complaints `777_{n}` for each `n` in `numbers`, each by its own author (numbered from
/// `first_author`), delivered to ingest; their ids.
async fn complaints_arrive(
    table: &TestTable,
    numbers: std::ops::RangeInclusive<usize>,
    first_author: usize,
) -> Vec<String> {
    let ids: Vec<String> = numbers.map(|n| format!("777_{n}")).collect();
    let changes = ids
        .iter()
        .enumerate()
        .map(|(i, id)| complaint(id, first_author + i))
        .collect();
    ingest(table, changes).await;
    ids
}

/// The Facebook items `ids`, as the responder is handed them.
fn on_facebook(ids: &[String]) -> Vec<(&str, &str)> {
    ids.iter().map(|id| ("facebook", id.as_str())).collect()
}

/// A fresh table with an auto-answering page (and `extra`) telling Slack, Teams and a
/// signed webhook, all at the returned server.
async fn auto_page(extra: PageConfig) -> (TestTable, DynamoStore, MockServer) {
    let (table, store) = TestTable::with_store().await;
    let hooks = MockServer::start().await;
    Mock::given(method("POST")).answer_status(200, &hooks).await;
    let config = PageConfig {
        mode: Some(ReplyMode::Auto),
        ..notify_targets(&hooks.uri(), WEBHOOK_SECRET)
    };
    set_page(&store, &FACEBOOK, PAGE_ID, &config).await;
    set_page(&store, &FACEBOOK, PAGE_ID, &extra).await;
    (table, store, hooks)
}

/// The spike alerts the targets received, per target path suffix.
async fn alerts(hooks: &MockServer, kind: &str) -> Vec<Value> {
    workspace_tests::mock::received(hooks, "POST", "")
        .await
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .filter(|b| {
            b["type"] == kind
                || b["text"].as_str().is_some_and(|t| {
                    (kind == "page.spike_detected" && t.starts_with("Spike on"))
                        || (kind == "page.spike_ended" && t.starts_with("Crisis on"))
                })
        })
        .collect()
}

async fn public_posts(graph: &MockServer) -> usize {
    calls(graph, "POST", "/comments").await.len()
}

#[tokio::test]
async fn a_burst_about_one_theme_alerts_once_and_holds_that_page_only() {
    let (table, store, hooks) = auto_page(PageConfig::default()).await;
    let graph = accepting_graph().await;
    // Another page with a few complaints of its own.
    let other = AccountId::parse(OTHER_PAGE).unwrap();
    for i in 0..2 {
        store
            .count_complaint(
                &key(&format!("888_{i}")),
                &other,
                "delivery",
                OffsetDateTime::now_utc(),
            )
            .await
            .unwrap();
    }
    let r = responder(&table, &graph, dutch_page());

    // GIVEN six complaints answered automatically, as the page is set
    let first = complaints_arrive(&table, 401..=406, 0).await;
    let items = on_facebook(&first);
    assert!(run(&r, &items, 1).await.batch_item_failures.is_empty());
    assert_eq!(public_posts(&graph).await, 6);

    // WHEN two sweepers look at once
    let now = OffsetDateTime::now_utc();
    let (a, b) = two_sweepers(&table, workspace_tests::responder::meta_outbound(&graph));
    let (ra, rb) = sweep_at_once(&a, &b).await;

    // THEN one crisis, one alert per target, on that page only
    assert_eq!(ra.spikes_detected + rb.spikes_detected, 1, "{ra:?} {rb:?}");
    let held = store.page(&FACEBOOK, &page()).await.unwrap().unwrap();
    let crisis = held.crisis.clone().expect("a crisis");
    assert!(crisis.hold && crisis.theme == "delivery", "{crisis:?}");
    assert!(
        crisis.reason.starts_with("6 complaints about delivery"),
        "{crisis:?}"
    );
    let other_page = store
        .page(&FACEBOOK, &other)
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(other_page.crisis, None);
    a.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    let detected = alerts(&hooks, "page.spike_detected").await;
    assert_eq!(detected.len(), 3, "{detected:?}");
    let event = detected.iter().find(|b| b["type"].is_string()).unwrap();
    assert_eq!(event["data"]["page"], format!("facebook:{PAGE_ID}"));
    assert_eq!(event["data"]["count"], 6);
    assert_eq!(event["data"]["themes"][0]["theme"], "delivery");
    let excerpts = event["data"]["excerpts"].as_array().unwrap();
    assert_eq!(excerpts.len(), 3);
    assert!(excerpts[0].as_str().unwrap().starts_with("Mijn bestelling"));

    // WHEN six more arrive during the hold (twelve within minutes)
    let more = complaints_arrive(&table, 407..=412, 10).await;
    let items = on_facebook(&more);
    assert!(run(&r, &items, 100).await.batch_item_failures.is_empty());
    a.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    // THEN they are drafted with their tasks, nothing more is posted, no second alert
    assert_eq!(public_posts(&graph).await, 6);
    for id in &more {
        let message = store
            .message(&key(id), store::Channel::Public)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(message.state, MessageState::Draft, "{id}");
        assert!(store.task(&key(id)).await.unwrap().is_some(), "{id}");
    }
    assert_eq!(alerts(&hooks, "page.spike_detected").await.len(), 3);

    // WHEN a person ends it
    let ended = store
        .end_crisis(&FACEBOOK, &page(), "anna", OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert!(matches!(ended, CrisisEnd::Ended(_)), "{ended:?}");
    a.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    // THEN who ended it is kept, the drafts still wait, and the targets are told once
    let after = store.page(&FACEBOOK, &page()).await.unwrap().unwrap();
    assert_eq!(after.crisis, None);
    assert_eq!(after.crisis_ended_by.as_deref(), Some("anna"));
    let message = store
        .message(&key(&more[0]), store::Channel::Public)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(message.state, MessageState::Draft);
    assert_eq!(alerts(&hooks, "page.spike_ended").await.len(), 3);
    // Asked again: nothing new, and no new crisis from the same complaints.
    let again = store
        .end_crisis(&FACEBOOK, &page(), "ben", OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(again, CrisisEnd::NotInCrisis);
    let s = a.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    assert_eq!(s.spikes_detected, 0);
    assert_eq!(alerts(&hooks, "page.spike_ended").await.len(), 3);
    let spikes = store
        .spikes_of(
            &FACEBOOK,
            &page(),
            now - Duration::hours(1),
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    assert_eq!(spikes.len(), 1);
    assert_eq!(spikes[0].ended_by.as_deref(), Some("anna"));
}

#[tokio::test]
async fn a_page_that_opted_out_of_the_hold_is_alerted_and_keeps_answering() {
    let (table, store, _hooks) = auto_page(PageConfig {
        spike_hold: Some(false),
        ..PageConfig::default()
    })
    .await;
    let graph = accepting_graph().await;
    let r = responder(&table, &graph, dutch_page());
    let ids = complaints_arrive(&table, 501..=506, 0).await;
    let items = on_facebook(&ids);
    run(&r, &items, 1).await;

    let s = sweeper(&table, workspace_tests::responder::meta_outbound(&graph));
    assert_eq!(
        s.sweep(OffsetDateTime::now_utc(), None)
            .await
            .unwrap()
            .spikes_detected,
        1
    );

    let record = store.page(&FACEBOOK, &page()).await.unwrap().unwrap();
    assert!(
        record.crisis.as_ref().is_some_and(|c| !c.hold),
        "{record:?}"
    );
    assert!(!record.crisis_hold());
    ingest(&table, vec![complaint("777_599", 40)]).await;
    run(&r, &[("facebook", "777_599")], 50).await;
    assert_eq!(public_posts(&graph).await, 7);
}

#[tokio::test]
async fn everyday_complaints_at_the_pages_usual_rate_never_alert() {
    let (table, store, hooks) = auto_page(PageConfig::default()).await;
    let graph = MockServer::start().await;
    let s = sweeper(&table, workspace_tests::responder::meta_outbound(&graph));
    // GIVEN 16 days of a busy page: 2–5 complaints an hour in the day, 0–1 at night,
    // spread over the themes, varying from hour to hour (a fixed pseudo-random stream)
    // The same hours of the day on every run (yesterday, 17:00 UTC): the pseudo-random
    // stream below then falls on the same hours whatever time the test runs at.
    let end =
        OffsetDateTime::now_utc().replace_time(time::macros::time!(17:00)) - Duration::days(1);
    let start = end - Duration::days(16);
    let mut seed: u64 = 0x5eed;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let themes = ["delivery", "delivery", "quality", "service", "billing"];
    let mut item = 0;
    let mut sweeps = 0;
    let mut hour = start;
    while hour < end {
        let day = (7..22).contains(&hour.hour());
        let count = if day { 2 + next(4) } else { next(2) };
        for _ in 0..count {
            item += 1;
            let at = hour + Duration::minutes(next(60) as i64);
            let theme = themes[next(themes.len() as u64) as usize];
            store
                .count_complaint(&key(&format!("900_{item}")), &page(), theme, at)
                .await
                .unwrap();
        }
        // WHEN the sweeper looks, every hour of the last two days
        if hour >= end - Duration::days(2) {
            let summary = s.sweep(hour + Duration::minutes(59), None).await.unwrap();
            sweeps += 1;
            // THEN never a spike
            assert_eq!(summary.spikes_detected, 0, "at {hour}");
        }
        hour += Duration::HOUR;
    }
    assert!(
        sweeps >= 48 && item > 700,
        "{sweeps} sweeps, {item} complaints"
    );
    let record = store.page(&FACEBOOK, &page()).await.unwrap().unwrap();
    assert_eq!(record.crisis, None);
    assert!(alerts(&hooks, "page.spike_detected").await.is_empty());

    // … while a burst on top of that same traffic is one.
    for i in 0..15 {
        store
            .count_complaint(
                &key(&format!("901_{i}")),
                &page(),
                "billing",
                end + Duration::minutes(i),
            )
            .await
            .unwrap();
    }
    let summary = s.sweep(end + Duration::minutes(15), None).await.unwrap();
    assert_eq!(summary.spikes_detected, 1);
}

#[tokio::test]
async fn a_sweep_stopped_after_starting_a_crisis_still_tells_once_and_redeliveries_count_once() {
    let (table, store, hooks) = auto_page(PageConfig::default()).await;
    let graph = accepting_graph().await;
    let r = responder(&table, &graph, dutch_page());
    let ids = complaints_arrive(&table, 601..=603, 0).await;
    let items = on_facebook(&ids);

    // GIVEN the same items handed to the responder three times over
    for round in 0..3 {
        run(&r, &items, 1 + round * 10).await;
    }
    let now = OffsetDateTime::now_utc();
    let counts = store
        .complaint_counts(&FACEBOOK, &page(), hour_of(now) - Duration::HOUR, now)
        .await
        .unwrap();
    let total: u32 = counts.iter().flat_map(|c| c.counts.values()).sum();
    assert_eq!(total, 3, "{counts:?}");

    // GIVEN a sweep that started a crisis and stopped before queueing its alert
    let spike = Spike {
        platform: FACEBOOK,
        account_id: page(),
        started_at: now,
        theme: "delivery".into(),
        count: 9,
        usual: 0.5,
        themes: vec![("delivery".into(), 9)],
        excerpts: vec!["te laat".into()],
        hold: true,
        ended_at: None,
        ended_by: None,
    };
    assert!(store.start_crisis(&spike, now).await.unwrap());
    assert!(
        !store.start_crisis(&spike, now).await.unwrap(),
        "one crisis at a time"
    );

    // WHEN the next sweeps run
    let s = sweeper(&table, workspace_tests::responder::meta_outbound(&graph));
    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    // THEN the alert goes out, once per target
    let detected = alerts(&hooks, "page.spike_detected").await;
    assert_eq!(detected.len(), 3, "{detected:?}");
    assert!(
        store
            .untold_crisis(&FACEBOOK, &page())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_sweeper_finds_spikes_on_known_keys_and_never_scans() {
    let (table, store, _hooks) = auto_page(PageConfig::default()).await;
    let now = OffsetDateTime::now_utc();
    for i in 0..8 {
        store
            .count_complaint(&key(&format!("950_{i}")), &page(), "quality", now)
            .await
            .unwrap();
    }
    let (proxy, operations) =
        workspace_tests::recording::start(&format!("127.0.0.1:{}", port())).await;
    let graph = MockServer::start().await;
    let s = sweeper_on(
        table.store_through(&proxy),
        config(
            &table.name,
            workspace_tests::responder::meta_outbound(&graph),
        ),
    );

    let summary = s.sweep(now, None).await.unwrap();

    assert_eq!(summary.spikes_detected, 1);
    assert_eq!(operations.count("Scan"), 0, "{:?}", operations.all());
    assert!(
        operations.all().iter().all(|o| [
            "Query",
            "GetItem",
            "PutItem",
            "UpdateItem",
            "TransactWriteItems"
        ]
        .contains(&o.as_str())),
        "only what the template's policy allows: {:?}",
        operations.all()
    );
}

/// A spike on the page starting `now`, as the sweeper starts it.
fn spike_at(now: OffsetDateTime) -> Spike {
    workspace_tests::delivery_spike(PAGE_ID, now, 9, 0.5, "te laat")
}

/// The responder's store, where the sweeper puts the page on hold at the last moment: as
/// the responder takes its first message for sending (decided, drafted, about to post).
struct HoldAsItSends {
    inner: store::DynamoStore,
    held_at: std::sync::Mutex<Option<OffsetDateTime>>,
}

#[async_trait::async_trait]
impl store::ResponderStore for HoldAsItSends {
    async fn feedback(
        &self,
        key: &FeedbackKey,
    ) -> Result<Option<store::FeedbackRecord>, store::StoreError> {
        self.inner.feedback(key).await
    }
    async fn page(
        &self,
        platform: &feedback::Platform,
        account: &AccountId,
    ) -> Result<Option<feedback::page::PageRecord>, store::StoreError> {
        self.inner.page(platform, account).await
    }
    async fn record_fetched(
        &self,
        key: &FeedbackKey,
        content: &feedback::ItemContent,
        now: OffsetDateTime,
    ) -> Result<(), store::StoreError> {
        self.inner.record_fetched(key, content, now).await
    }
    async fn record_decision(
        &self,
        key: &FeedbackKey,
        decided: store::Decided<'_>,
        now: OffsetDateTime,
    ) -> Result<(), store::StoreError> {
        self.inner.record_decision(key, decided, now).await
    }
    async fn snapshot(
        &self,
        key: &FeedbackKey,
    ) -> Result<Option<store::ItemSnapshot>, store::StoreError> {
        self.inner.snapshot(key).await
    }
    async fn claim_author_in_thread(
        &self,
        key: &FeedbackKey,
        thread_id: &str,
        author_id: &str,
    ) -> Result<bool, store::StoreError> {
        self.inner
            .claim_author_in_thread(key, thread_id, author_id)
            .await
    }
    async fn create_message(
        &self,
        key: &FeedbackKey,
        message: &store::messages::NewMessage<'_>,
        now: OffsetDateTime,
    ) -> Result<store::messages::OutgoingMessage, store::StoreError> {
        self.inner.create_message(key, message, now).await
    }
    async fn message(
        &self,
        key: &FeedbackKey,
        channel: store::Channel,
    ) -> Result<Option<store::messages::OutgoingMessage>, store::StoreError> {
        self.inner.message(key, channel).await
    }
    async fn claim_message(
        &self,
        key: &FeedbackKey,
        channel: store::Channel,
        now: OffsetDateTime,
        lease: Duration,
        max_attempts: u32,
    ) -> Result<store::outbox::Take, store::StoreError> {
        let first = self.held_at.lock().unwrap().is_none();
        if first {
            let at = OffsetDateTime::now_utc();
            assert!(self.inner.start_crisis(&spike_at(at), at).await?);
            *self.held_at.lock().unwrap() = Some(at);
        }
        self.inner
            .claim_message(key, channel, now, lease, max_attempts)
            .await
    }
    async fn finish_message(
        &self,
        key: &FeedbackKey,
        channel: store::Channel,
        finish: &store::outbox::Delivery,
        now: OffsetDateTime,
    ) -> Result<bool, store::StoreError> {
        self.inner.finish_message(key, channel, finish, now).await
    }
    async fn fail_message(
        &self,
        key: &FeedbackKey,
        channel: store::Channel,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), store::StoreError> {
        self.inner.fail_message(key, channel, reason, now).await
    }
    async fn hold_message(
        &self,
        key: &FeedbackKey,
        channel: store::Channel,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<bool, store::StoreError> {
        self.inner.hold_message(key, channel, reason, now).await
    }
    async fn create_task(
        &self,
        key: &FeedbackKey,
        task: &store::tasks::NewTask,
    ) -> Result<bool, store::StoreError> {
        self.inner.create_task(key, task).await
    }
    async fn flag_task(
        &self,
        key: &FeedbackKey,
        flag: feedback::records::TaskFlag,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), store::StoreError> {
        self.inner.flag_task(key, flag, reason, now).await
    }
    async fn mark_page_reconnect(
        &self,
        platform: &feedback::Platform,
        account: &AccountId,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), store::StoreError> {
        self.inner
            .mark_page_reconnect(platform, account, reason, now)
            .await
    }
    async fn mark_removed(
        &self,
        key: &FeedbackKey,
        now: OffsetDateTime,
    ) -> Result<(), store::StoreError> {
        self.inner.mark_removed(key, now).await
    }
    async fn count_complaint(
        &self,
        key: &FeedbackKey,
        account: &AccountId,
        theme: &str,
        at: OffsetDateTime,
    ) -> Result<(), store::StoreError> {
        self.inner
            .count_complaint(key, account, theme, at)
            .await
            .map(|_| ())
    }
    async fn remember_reply(
        &self,
        platform: &feedback::Platform,
        account: &AccountId,
        item_id: &str,
        digest: &str,
        known: &[feedback::page::RecentReply],
    ) -> Result<(), store::StoreError> {
        self.inner
            .remember_reply(platform, account, item_id, digest, known)
            .await
    }
}

/// The paths of the POSTs the fake Graph API received after the first `before` of them.
async fn posts_after(graph: &MockServer, before: usize) -> Vec<String> {
    graph
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .skip(before)
        .map(|r| r.url.path().to_owned())
        .collect()
}

async fn post_count(graph: &MockServer) -> usize {
    posts_after(graph, 0).await.len()
}

#[tokio::test]
async fn praise_about_to_be_posted_when_the_hold_begins_is_not_posted_and_waits_on_a_task() {
    let (table, store, _hooks) = auto_page(PageConfig::default()).await;
    let graph = accepting_graph().await;
    let shop = Arc::new(HoldAsItSends {
        inner: table.store(),
        held_at: std::sync::Mutex::new(None),
    });
    let r = workspace_tests::responder::responder_on(
        shop.clone(),
        workspace_tests::responder::meta_outbound(&graph),
        service::credentials::Credentials::local(|k| {
            (k == "META_PAGE_TOKEN").then(|| workspace_tests::responder::PAGE_TOKEN.to_owned())
        }),
        dutch_page(),
    );
    // GIVEN praise on an auto-answering page (thanked without a task, as a rule)
    let mut praise = facebook_comment(
        "777_701",
        "add",
        Some("Wat een heerlijk brood, echt top! Dank jullie wel."),
    );
    praise["value"]["from"]["id"] = json!("5550701");
    ingest(&table, vec![praise]).await;

    // WHEN the sweeper puts the page on hold just as the responder is about to post
    let result = run(&r, &[("facebook", "777_701")], 1).await;

    // THEN nothing is posted after the hold began; the thank-you waits for approval on a
    // task with its draft
    assert!(result.batch_item_failures.is_empty(), "{result:?}");
    assert!(shop.held_at.lock().unwrap().is_some(), "the hold began");
    assert_eq!(posts_after(&graph, 0).await, Vec::<String>::new());
    let message = store
        .message(&key("777_701"), store::Channel::Public)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(message.state, MessageState::Draft);
    let task = store.task(&key("777_701")).await.unwrap().expect("a task");
    assert_eq!(task.label, "positive");
    assert_eq!(task.draft_public, message.text);

    // … and a person's approval sends it, hold or not
    store
        .approve_drafts(&key("777_701"), "anna", &[], OffsetDateTime::now_utc())
        .await
        .unwrap();
    r.deliver_approved(&key("777_701")).await.unwrap();
    assert_eq!(public_posts(&graph).await, 1);
}

#[tokio::test]
async fn messages_left_pending_when_the_hold_begins_go_to_the_approval_queue_not_out() {
    let (table, store, _hooks) = auto_page(PageConfig::default()).await;
    // A Graph API that says "later" to every post.
    let graph = MockServer::start().await;
    Mock::given(method("POST"))
        .answer(
            429,
            json!({"error": {"message": "rate limited", "code": 4, "type": "OAuthException"}}),
            &graph,
        )
        .await;
    no_replies_yet(&graph).await;
    let r = responder(&table, &graph, dutch_page());
    ingest(&table, vec![complaint("777_711", 71)]).await;

    // GIVEN a complaint whose replies could not go out yet: pending, handed back
    let first = run(&r, &[("facebook", "777_711")], 1).await;
    assert_eq!(first.batch_item_failures.len(), 1, "{first:?}");
    for channel in [store::Channel::Public, store::Channel::Private] {
        let m = store.message(&key("777_711"), channel).await.unwrap();
        assert_eq!(m.map(|m| m.state), Some(MessageState::Pending), "{channel}");
    }

    // WHEN the sweeper puts the page on hold, and the platform would now accept them
    let now = OffsetDateTime::now_utc();
    assert!(store.start_crisis(&spike_at(now), now).await.unwrap());
    let before = post_count(&graph).await;
    let accepting = accepting_graph().await;
    let r = responder(&table, &accepting, dutch_page());
    let again = run(&r, &[("facebook", "777_711")], 20).await;

    // THEN nothing is posted after the hold began: both wait for approval on the task
    assert!(again.batch_item_failures.is_empty(), "{again:?}");
    assert!(before > 0);
    assert_eq!(posts_after(&accepting, 0).await, Vec::<String>::new());
    for channel in [store::Channel::Public, store::Channel::Private] {
        let m = store
            .message(&key("777_711"), channel)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(m.state, MessageState::Draft, "{channel}");
    }
    assert!(store.task(&key("777_711")).await.unwrap().is_some());
    // Delivered once more, nothing changes.
    run(&r, &[("facebook", "777_711")], 40).await;
    assert_eq!(post_count(&accepting).await, 0);
}

#[tokio::test]
async fn the_themes_report_lists_each_spike_of_its_period_and_tasks_list_shows_the_hold() {
    let (table, store, _hooks) = auto_page(PageConfig::default()).await;
    let now = OffsetDateTime::now_utc();
    // GIVEN a spike 40 days ago, ended, and one now, still on
    let old = spike_at(now - Duration::days(40));
    assert!(store.start_crisis(&old, old.started_at).await.unwrap());
    store
        .end_crisis(
            &FACEBOOK,
            &page(),
            "ben",
            old.started_at + Duration::hours(3),
        )
        .await
        .unwrap();
    let current = Spike {
        count: 14,
        theme: "quality".into(),
        ..spike_at(now - Duration::hours(1))
    };
    assert!(
        store
            .start_crisis(&current, current.started_at)
            .await
            .unwrap()
    );
    let ctl = async |args: &[&str]| CliRun::of(feedbackctl(&table.name).await.args(args)).await;

    // WHEN staff read the themes report of the last 30 days
    let out = ctl(&["--json", "report", "themes", "--since", "30d"]).await;

    // THEN the spike of the period is listed, not the older one
    let report = out.succeeded().json();
    let spikes = report["spikes"].as_array().unwrap();
    assert_eq!(spikes.len(), 1, "{report}");
    assert_eq!(spikes[0]["page"], format!("facebook:{PAGE_ID}"));
    assert_eq!(spikes[0]["theme"], "quality");
    assert_eq!(spikes[0]["count"], 14);
    assert_eq!(spikes[0]["ended_at"], Value::Null);
    let text = ctl(&["report", "themes", "--since", "60d"]).await.stdout;
    assert!(
        text.contains("Spikes of complaints in the period: 2")
            && text.contains("quality")
            && text.contains("ongoing"),
        "{text}"
    );
    let other = ctl(&["--json", "report", "themes", "--page", "facebook:1"])
        .await
        .json();
    assert_eq!(other["spikes"], json!([]));

    // … `tasks list` shows the hold on top, and `pages set --crisis off` ends it
    let list = ctl(&["tasks", "list"]).await.stdout;
    assert!(
        list.starts_with(&format!("CRISIS on facebook:{PAGE_ID} since"))
            && list.contains("14 complaints about quality"),
        "{list}"
    );
    ctl(&[
        "pages",
        "set",
        &format!("facebook:{PAGE_ID}"),
        "--crisis",
        "off",
        "--by",
        "anna",
    ])
    .await
    .succeeded();
    let list = ctl(&["tasks", "list"]).await.stdout;
    assert!(!list.contains("CRISIS"));
    let report = ctl(&["--json", "report", "themes"]).await.json();
    assert_eq!(report["spikes"][0]["ended_by"], "anna");
}

#[tokio::test]
async fn the_resolved_note_waits_while_the_page_is_on_hold_and_goes_out_once_it_ended() {
    let (table, store, _hooks) = auto_page(PageConfig {
        resolved_reply: Some(true),
        ..PageConfig::default()
    })
    .await;
    let graph = accepting_graph().await;
    let key = workspace_tests::sweeper::Fixture::complaint("777_731")
        .store(&store)
        .await;
    let now = OffsetDateTime::now_utc();
    assert!(store.start_crisis(&spike_at(now), now).await.unwrap());
    // GIVEN a complaint resolved by staff during the hold
    resolved_by_anna(&store, &key, "bezorgd", now).await;
    let s = sweeper(&table, workspace_tests::responder::meta_outbound(&graph));

    // WHEN the sweeper runs during the hold
    let during = s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    // THEN its "resolved" note is not posted
    assert_eq!(during.resolved_replies, 0);
    assert_eq!(public_posts(&graph).await, 0);

    // … and once a person ended the hold, it is, once
    store
        .end_crisis(&FACEBOOK, &page(), "anna", OffsetDateTime::now_utc())
        .await
        .unwrap();
    let after = s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    assert_eq!(after.resolved_replies, 1);
    assert_eq!(public_posts(&graph).await, 1);
}
