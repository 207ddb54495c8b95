//! The SLA sweeper against DynamoDB Local and `wiremock` platforms: escalation, the update
//! request (a step for staff on Meta, a message where direct messages exist; every
//! resolved case, once, even with two sweepers at once), the optional "resolved" note,
//! closing, and reading only through the task index.

use feedback::page::PageConfig;
use feedback::records::FollowUpKind;
use feedback::records::TaskFlag;
use feedback::{AccountId, Rating};
use serde_json::json;
use std::time::Duration as StdDuration;
use store::{MessageState, TaskAction, TaskChannel, TaskStatus};
use time::{Duration, OffsetDateTime};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::assert_says;
use workspace_tests::dynamodb::assert_flag;
use workspace_tests::dynamodb::{TestTable, port};
use workspace_tests::mock::{Answer, google_outbound, received, token_endpoint};
use workspace_tests::responder::meta_outbound;
use workspace_tests::sweeper::{
    CHAT, Fixture, PAGE_ID, chat_outbound, config, page_with_targets, reopened, resolved_by_anna,
    set_facebook_page, set_page, sweep_at_once, sweeper, sweeper_on, two_sweepers,
};

async fn accepting(server: &MockServer) {
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "reply_9", "message_id": "m_9"}))
                .set_delay(StdDuration::from_millis(100)),
        )
        .mount(server)
        .await;
}

async fn posts(server: &MockServer, suffix: &str) -> Vec<wiremock::Request> {
    received(server, "POST", suffix).await
}

fn body(request: &wiremock::Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).unwrap()
}

/// A page that posts the resolved note, signed Bakkerij Zon.
fn resolved_note_page() -> PageConfig {
    PageConfig {
        resolved_reply: Some(true),
        brand_name: Some("Bakkerij Zon".into()),
        ..PageConfig::default()
    }
}

#[tokio::test]
async fn a_task_past_its_due_time_is_escalated_once_even_by_two_sweepers_at_once() {
    let (table, store) = TestTable::with_store().await;
    let hooks = MockServer::start().await;
    accepting(&hooks).await;
    page_with_targets(&store, &hooks).await;
    let mut late = Fixture::complaint("777_200");
    late.feedback.received_at = OffsetDateTime::now_utc() - Duration::hours(30);
    let key = late.store(&store).await;
    // Due in a day: not escalated.
    let on_time = Fixture::complaint("777_201").store(&store).await;
    let graph = MockServer::start().await;
    let (a, b) = two_sweepers(&table, meta_outbound(&graph));

    let (ra, rb) = sweep_at_once(&a, &b).await;
    a.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    assert_eq!(ra.escalated + rb.escalated, 1, "{ra:?} {rb:?}");
    let task = store.task(&key).await.unwrap().unwrap();
    assert!(task.escalated_at.is_some());
    assert!(
        task.flags
            .contains(&TaskFlag::Escalated.as_str().to_owned())
    );
    assert_eq!(
        task.history
            .iter()
            .filter(|c| c.action == TaskAction::Escalate)
            .count(),
        1
    );
    assert_eq!(
        task.status,
        TaskStatus::Open,
        "escalating does not change the status"
    );
    assert!(
        store
            .task(&on_time)
            .await
            .unwrap()
            .unwrap()
            .escalated_at
            .is_none()
    );
    // One escalation per target; the old task was never announced as new (too old).
    let slack = posts(&hooks, "/slack-url-token").await;
    let overdue: Vec<_> = slack
        .iter()
        .filter(|r| {
            body(r)["text"]
                .as_str()
                .unwrap()
                .starts_with("Overdue: task facebook:777_200")
        })
        .collect();
    assert_eq!(overdue.len(), 1, "{slack:?}");
    let hook: Vec<serde_json::Value> = posts(&hooks, "/hook-url-token")
        .await
        .iter()
        .map(body)
        .collect();
    assert_eq!(
        hook.iter()
            .filter(|b| b["type"] == "task.escalated")
            .count(),
        1
    );
    assert_eq!(
        hook.iter()
            .filter(|b| b["type"] == "task.opened" && b["data"]["task"] == "facebook:777_200")
            .count(),
        0,
        "too old to be announced"
    );
    assert_eq!(
        hook.iter()
            .filter(|b| b["type"] == "task.opened" && b["data"]["task"] == "facebook:777_201")
            .count(),
        1
    );
    let escalated = hook.iter().find(|b| b["type"] == "task.escalated").unwrap();
    assert_eq!(escalated["data"]["theme"], "delivery");
    assert!(escalated["data"]["overdue_minutes"].as_i64().unwrap() >= 5 * 60);
}

#[tokio::test]
async fn a_resolved_meta_task_becomes_a_step_for_staff_with_the_text_ready_and_nothing_is_sent() {
    let (table, store) = TestTable::with_store().await;
    let graph = MockServer::start().await;
    accepting(&graph).await;
    let key = Fixture::complaint("777_210").store(&store).await;
    let resolved = OffsetDateTime::now_utc() - Duration::hours(25);
    resolved_by_anna(&store, &key, "nieuwe taart bezorgd", resolved).await;

    let summary = sweeper(&table, meta_outbound(&graph))
        .sweep(OffsetDateTime::now_utc(), None)
        .await
        .unwrap();

    assert_eq!(summary.update_requests_for_staff, 1);
    let task = store.task(&key).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::UpdateRequested);
    assert_eq!(task.update_request_channel, Some(TaskChannel::Manual));
    assert_flag(&task, "ask_for_update");
    let text = task.update_request.unwrap();
    assert!(
        text.starts_with("Hallo Anke,") && text.contains("review"),
        "{text}"
    );
    assert!(
        graph
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "Meta's one private reply per comment was the first follow-up: nothing is sent"
    );
    assert!(
        store
            .followup(&key, FollowUpKind::UpdateRequest)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_resolved_task_is_asked_only_after_the_page_delay() {
    let (table, store, key) = Fixture::complaint("777_220").in_new_table().await;
    set_facebook_page(
        &store,
        &PageConfig {
            update_request_delay_hours: Some(48),
            ..PageConfig::default()
        },
    )
    .await;
    resolved_by_anna(
        &store,
        &key,
        "opgelost",
        OffsetDateTime::now_utc() - Duration::hours(30),
    )
    .await;
    let graph = MockServer::start().await;
    let s = sweeper(&table, meta_outbound(&graph));

    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    assert_eq!(
        store.task(&key).await.unwrap().unwrap().status,
        TaskStatus::Resolved,
        "30 of the page's 48 hours"
    );
    s.sweep(OffsetDateTime::now_utc() + Duration::hours(19), None)
        .await
        .unwrap();
    assert_eq!(
        store.task(&key).await.unwrap().unwrap().status,
        TaskStatus::UpdateRequested
    );
}

/// An English complaint on the chat platform (where direct messages exist), resolved by
/// Anna two days ago: its update request is due.
async fn resolved_chat_complaint(
    store: &store::DynamoStore,
    id: &str,
    text: Option<&str>,
    note: &str,
) -> store::FeedbackKey {
    let mut fixture = Fixture::complaint(id);
    fixture.feedback.platform = CHAT;
    if let Some(text) = text {
        fixture.feedback.text = Some(text.into());
    }
    fixture.language = "en".into();
    let key = fixture.store(store).await;
    resolved_by_anna(
        store,
        &key,
        note,
        OffsetDateTime::now_utc() - Duration::days(2),
    )
    .await;
    key
}

#[tokio::test]
async fn where_direct_messages_exist_the_update_request_is_sent_once_even_by_two_sweepers_at_once()
{
    let (table, store) = TestTable::with_store().await;
    let chat = MockServer::start().await;
    accepting(&chat).await;
    let key = resolved_chat_complaint(
        &store,
        "dm-1",
        Some("My parcel never arrived and nobody answers."),
        "resent the parcel",
    )
    .await;
    let outbound = platforms::reply::Outbound::new().with(chat_outbound(&chat.uri()));
    let (a, b) = two_sweepers(&table, outbound);

    sweep_at_once(&a, &b).await;
    a.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    let sent = posts(&chat, "/messages").await;
    assert_eq!(sent.len(), 1, "sent once");
    assert_eq!(body(&sent[0])["to_author_of"], "dm-1");
    assert!(
        body(&sent[0])["text"]
            .as_str()
            .unwrap()
            .starts_with("Hi Anke,"),
        "{}",
        body(&sent[0])
    );
    assert_eq!(sent[0].headers["authorization"], "Bearer test-page-token");
    let task = store.task(&key).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::UpdateRequested);
    assert_eq!(
        task.update_request_channel,
        Some(TaskChannel::PlatformMessage)
    );
    assert!(!task.flags.contains(&"ask_for_update".to_owned()));
    let followup = store
        .followup(&key, FollowUpKind::UpdateRequest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(followup.state, MessageState::Sent);
    assert_eq!(followup.platform_message_id.as_deref(), Some("dm-1"));
}

#[tokio::test]
async fn every_resolved_case_is_asked_whatever_its_rating_and_none_twice_after_a_reopen() {
    let (table, store) = TestTable::with_store().await;
    let graph = MockServer::start().await;
    let mut keys = Vec::new();
    for (item, stars) in [("r-1", 1), ("r-2", 2), ("r-5", 5)] {
        let mut f = Fixture::complaint(item);
        f.feedback.rating = Some(Rating::new(stars).unwrap());
        let key = f.store(&store).await;
        resolved_by_anna(
            &store,
            &key,
            "done",
            OffsetDateTime::now_utc() - Duration::days(2),
        )
        .await;
        keys.push(key);
    }
    let s = sweeper(&table, meta_outbound(&graph));

    let first = s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    assert_eq!(
        first.update_requests_for_staff, 3,
        "no review gating: {first:?}"
    );

    // One comes back, is resolved again: not asked a second time.
    let now = OffsetDateTime::now_utc();
    reopened(
        &store,
        &keys[0],
        "bert",
        Some("came back"),
        now,
        Duration::hours(4),
    )
    .await;
    store
        .resolve_task(
            &keys[0],
            "bert",
            "fixed for good",
            "",
            now - Duration::days(2),
        )
        .await
        .unwrap();
    let second = s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    assert_eq!(
        second.update_requests_for_staff + second.update_requests_sent,
        0
    );
    let task = store.task(&keys[0]).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::UpdateRequested);
    let last = task.history.last().unwrap();
    assert_eq!(
        last.note.as_deref(),
        Some("the customer was asked before; not asked again")
    );
}

#[tokio::test]
async fn the_resolved_note_is_posted_once_in_the_customer_language_when_the_page_wants_it() {
    let (table, store) = TestTable::with_store().await;
    let graph = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/v26\.0/[^/]+/comments$"))
        .answer(200, json!({"id": "note_1"}), &graph)
        .await;
    set_facebook_page(&store, &resolved_note_page()).await;
    let key = Fixture::complaint("777_230").store(&store).await;
    // Not asked yet (the delay), but the note goes out at once.
    resolved_by_anna(&store, &key, "bezorgd", OffsetDateTime::now_utc()).await;
    let s = sweeper(&table, meta_outbound(&graph));

    let summary = s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    assert_eq!(summary.resolved_replies, 1);
    let notes = posts(&graph, "/777_230/comments").await;
    assert_eq!(notes.len(), 1);
    let text = body(&notes[0])["message"].as_str().unwrap().to_owned();
    assert!(
        text.starts_with("Hallo Anke,")
            && text.contains("opgelost")
            && text.contains("Bakkerij Zon"),
        "{text}"
    );
    assert_eq!(
        store.task(&key).await.unwrap().unwrap().status,
        TaskStatus::Resolved,
        "the update request still waits for its delay"
    );
}

#[tokio::test]
async fn pages_without_the_resolved_note_get_none() {
    let (table, store) = TestTable::with_store().await;
    let graph = MockServer::start().await;
    accepting(&graph).await;
    let key = Fixture::complaint("777_231").store(&store).await;
    resolved_by_anna(&store, &key, "bezorgd", OffsetDateTime::now_utc()).await;
    sweeper(&table, meta_outbound(&graph))
        .sweep(OffsetDateTime::now_utc(), None)
        .await
        .unwrap();
    assert!(
        graph
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
}

#[tokio::test]
async fn tasks_asked_long_enough_ago_are_closed_by_the_sweeper() {
    let (table, store, key) = Fixture::complaint("777_240").in_new_table().await;
    let long_ago = OffsetDateTime::now_utc() - Duration::days(20);
    resolved_by_anna(&store, &key, "done", long_ago).await;
    store
        .record_update_request(
            &key,
            store::tasks::UpdateRequestOutcome::StaffStep,
            "…",
            long_ago,
        )
        .await
        .unwrap();
    let graph = MockServer::start().await;

    let summary = sweeper(&table, meta_outbound(&graph))
        .sweep(OffsetDateTime::now_utc(), None)
        .await
        .unwrap();

    assert_eq!(summary.closed, 1);
    let task = store.task(&key).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::Closed);
    assert_eq!(task.history.last().unwrap().by, "sla-sweeper");
}

#[tokio::test]
async fn the_sweeper_reads_tasks_through_the_index_and_never_scans_the_table() {
    let (table, store) = TestTable::with_store().await;
    let hooks = MockServer::start().await;
    accepting(&hooks).await;
    page_with_targets(&store, &hooks).await;
    let mut late = Fixture::complaint("777_250");
    late.feedback.received_at = OffsetDateTime::now_utc() - Duration::hours(2);
    late.sla_hours = 1;
    late.store(&store).await;
    let resolved = Fixture::complaint("777_251").store(&store).await;
    resolved_by_anna(
        &store,
        &resolved,
        "done",
        OffsetDateTime::now_utc() - Duration::days(2),
    )
    .await;
    let (proxy, operations) =
        workspace_tests::recording::start(&format!("127.0.0.1:{}", port())).await;
    let graph = MockServer::start().await;
    let s = sweeper_on(
        table.store_through(&proxy),
        config(&table.name, meta_outbound(&graph)),
    );

    let summary = s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    assert_eq!(
        (summary.escalated, summary.update_requests_for_staff),
        (1, 1)
    );
    assert!(summary.notifications_sent >= 3, "{summary:?}");
    assert_eq!(operations.count("Scan"), 0, "{:?}", operations.all());
    assert!(operations.count("Query") >= 4, "{:?}", operations.all());
    assert!(
        operations
            .all()
            .iter()
            .all(|o| ["Query", "GetItem", "PutItem", "UpdateItem"].contains(&o.as_str())),
        "only what the template's policy allows: {:?}",
        operations.all()
    );
}

#[tokio::test]
async fn a_platform_refusing_the_update_request_leaves_a_step_for_staff() {
    let (table, store) = TestTable::with_store().await;
    let chat = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/messages"))
        .answer_status(403, &chat)
        .await;
    let key = resolved_chat_complaint(&store, "dm-2", None, "done").await;
    let outbound = platforms::reply::Outbound::new().with(chat_outbound(&chat.uri()));
    let s = sweeper(&table, outbound);

    let summary = s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    assert_eq!(summary.update_requests_for_staff, 1);
    assert_eq!(
        posts(&chat, "/messages").await.len(),
        1,
        "refused: not tried again"
    );
    let task = store.task(&key).await.unwrap().unwrap();
    assert_eq!(task.update_request_channel, Some(TaskChannel::Manual));
    assert_flag(&task, "update_request_failed");
    assert_flag(&task, "ask_for_update");
}

#[tokio::test]
async fn an_update_request_whose_sender_stopped_mid_send_is_never_sent_again_and_left_to_staff() {
    let (table, store) = TestTable::with_store().await;
    let chat = MockServer::start().await;
    accepting(&chat).await;
    let key = resolved_chat_complaint(&store, "dm-3", None, "done").await;
    let now = OffsetDateTime::now_utc();
    // GIVEN a sweeper took the update request ten minutes ago and stopped before it
    // recorded how its post went (its one-minute lease ran out)
    let kind = FollowUpKind::UpdateRequest;
    store
        .create_followup(
            &key,
            kind,
            "Hi Anke, …",
            MessageState::Pending,
            now - Duration::minutes(10),
        )
        .await
        .unwrap();
    let taken = store
        .take_followup(
            &key,
            kind,
            now - Duration::minutes(10),
            Duration::minutes(1),
            5,
        )
        .await
        .unwrap();
    assert!(matches!(taken, store::outbox::Take::Acquired { .. }));
    let outbound = platforms::reply::Outbound::new().with(chat_outbound(&chat.uri()));
    let s = sweeper(&table, outbound);

    // WHEN the next sweeps come
    let summary = s.sweep(now, None).await.unwrap();
    s.sweep(now, None).await.unwrap();

    // THEN nothing is sent (it may have reached the customer), and staff have the step
    assert!(
        posts(&chat, "/messages").await.is_empty(),
        "never sent again"
    );
    assert_eq!(summary.update_requests_for_staff, 1);
    let followup = store.followup(&key, kind).await.unwrap().unwrap();
    assert_eq!(followup.state, MessageState::Failed);
    assert_says(
        followup.failure.as_deref(),
        "earlier attempt may have been delivered",
        &followup,
    );
    let task = store.task(&key).await.unwrap().unwrap();
    assert_eq!(task.update_request_channel, Some(TaskChannel::Manual));
    assert_flag(&task, "ask_for_update");
}

#[tokio::test]
async fn an_instagram_username_is_never_greeted_in_the_update_request_or_the_resolved_note() {
    let (table, store) = TestTable::with_store().await;
    let graph = MockServer::start().await;
    Mock::given(method("POST"))
        .answer(200, json!({"id": "note_1"}), &graph)
        .await;
    set_page(
        &store,
        &platforms::meta::INSTAGRAM,
        PAGE_ID,
        &resolved_note_page(),
    )
    .await;
    let mut fixture = Fixture::complaint("17890000000000001");
    fixture.feedback.platform = platforms::meta::INSTAGRAM;
    // A username that happens to read as a name: still a handle, never echoed.
    fixture.feedback.author_name = Some("anke".into());
    let key = fixture.store(&store).await;
    resolved_by_anna(
        &store,
        &key,
        "bezorgd",
        OffsetDateTime::now_utc() - Duration::hours(25),
    )
    .await;

    let summary = sweeper(&table, meta_outbound(&graph))
        .sweep(OffsetDateTime::now_utc(), None)
        .await
        .unwrap();

    assert_eq!(summary.resolved_replies, 1);
    let notes = posts(&graph, "/replies").await;
    assert_eq!(notes.len(), 1);
    let note = body(&notes[0])["message"].as_str().unwrap().to_owned();
    assert!(
        note.contains("opgelost") && !note.to_lowercase().contains("anke"),
        "{note}"
    );
    let ask = store
        .task(&key)
        .await
        .unwrap()
        .unwrap()
        .update_request
        .unwrap();
    assert!(
        ask.contains("review") && !ask.to_lowercase().contains("anke"),
        "{ask}"
    );
}

const GOOGLE_LOCATION: &str = "accounts/111/locations/222";

/// A Google review answered as the responder would have: the public reply sent, with
/// staff's approved edit when there is one.
async fn answered_google_review(
    store: &store::DynamoStore,
    review: &str,
    edit: Option<&str>,
) -> store::FeedbackKey {
    let mut fixture = Fixture::complaint(review);
    fixture.feedback.platform = platforms::google::PLATFORM;
    fixture.feedback.account_id = AccountId::parse(GOOGLE_LOCATION).unwrap();
    fixture.feedback.author_name = Some("Piet de Boer".into());
    fixture.feedback.thread_id = None;
    fixture.feedback.rating = Some(Rating::new(1).unwrap());
    let key = fixture.store(store).await;
    let now = OffsetDateTime::now_utc();
    let draft = "Hallo Piet, het spijt ons. – Bakkerij Zon";
    store
        .create_message(
            &key,
            &store::messages::NewMessage {
                channel: store::Channel::Public,
                text: draft,
                alt_text: None,
                state: MessageState::Draft,
            },
            now,
        )
        .await
        .unwrap();
    let edits: Vec<_> = edit
        .map(|e| (store::Channel::Public, e))
        .into_iter()
        .collect();
    store
        .approve_drafts(&key, "anke@bakkerij-zon.nl", &edits, now)
        .await
        .unwrap();
    store
        .claim_message(&key, store::Channel::Public, now, Duration::seconds(30), 5)
        .await
        .unwrap();
    store
        .finish_message(
            &key,
            store::Channel::Public,
            &store::outbox::Delivery::Sent {
                id: Some(format!("{review}/reply")),
            },
            now,
        )
        .await
        .unwrap();
    key
}

#[tokio::test]
async fn the_resolved_note_is_added_only_to_the_reply_we_published_and_never_replaces_a_reply_a_person_wrote()
 {
    let (table, store) = TestTable::with_store().await;
    let ours = format!("{GOOGLE_LOCATION}/reviews/ours-1");
    let theirs = format!("{GOOGLE_LOCATION}/reviews/theirs-1");
    let edit = "Dag Piet, wat vervelend! We bellen je vandaag nog. – Anke";
    let api = MockServer::start().await;
    token_endpoint(&api, &[], "g-at").await;
    for (review, standing) in [
        (&ours, edit),
        (
            &theirs,
            "Beste Piet, ik heb u net gebeld. Groet, de eigenaar",
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/v4/{review}")))
            .answer(
                200,
                json!({
                    "name": review, "starRating": "ONE",
                    "reviewReply": {"comment": standing, "updateTime": "2026-11-26T10:00:00Z"}
                }),
                &api,
            )
            .await;
    }
    Mock::given(method("PUT"))
        .and(path_regex(r"/reply$"))
        .answer(200, json!({"comment": "ok"}), &api)
        .await;
    set_page(
        &store,
        &platforms::google::PLATFORM,
        GOOGLE_LOCATION,
        &resolved_note_page(),
    )
    .await;
    let ours_key = answered_google_review(&store, &ours, Some(edit)).await;
    let theirs_key = answered_google_review(&store, &theirs, None).await;
    for key in [&ours_key, &theirs_key] {
        resolved_by_anna(&store, key, "bezorgd", OffsetDateTime::now_utc()).await;
    }
    let outbound = google_outbound(&api);
    let config = config(&table.name, outbound.clone());
    let s = sla_sweeper::Sweeper::new(
        table.store(),
        outbound,
        service::credentials::Credentials::local(|k| {
            (k == "GOOGLE_REFRESH_TOKEN").then(|| "google-refresh".to_owned())
        }),
        std::sync::Arc::new(
            sla_sweeper::deliver::HttpNotifier::new(StdDuration::from_secs(1)).unwrap(),
        ),
        config,
    );

    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();
    s.sweep(OffsetDateTime::now_utc(), None).await.unwrap();

    let puts = received(&api, "PUT", "").await;
    assert_eq!(puts.len(), 1, "only under our own reply");
    assert!(puts[0].url.path().contains("ours-1"));
    let text = body(&puts[0])["comment"].as_str().unwrap().to_owned();
    assert!(
        text.starts_with(edit) && text.contains("opgelost"),
        "the note follows staff's reply as published: {text}"
    );
    let theirs_task = store.task(&theirs_key).await.unwrap().unwrap();
    assert_flag(&theirs_task, "reply_exists");
    assert_eq!(
        store
            .followup(&theirs_key, FollowUpKind::ResolvedReply)
            .await
            .unwrap()
            .map(|f| f.state),
        Some(MessageState::Failed)
    );
}
