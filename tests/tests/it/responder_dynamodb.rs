//! The responder against DynamoDB Local and a `wiremock` Graph API.

use platforms::meta::FACEBOOK;
use serde_json::json;
use std::time::Duration;
use store::{Channel, MessageState};
use triage::{PageSettings, ReplyMode};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::dynamodb::{TestTable, assert_flag, assert_flagged, str_attr};
use workspace_tests::meta::{facebook_comment, facebook_comment_by};
use workspace_tests::mock::Answer;
use workspace_tests::responder::{
    MetaWorld, PAGE_ID, accepting_graph, assert_message, dutch_page, graph_error, key,
    no_replies_yet, reply_under, run, text_of,
};

const COMPLAINT: &str =
    "Mijn bestelling is na twee weken nog steeds niet geleverd. Heel teleurstellend!";

/// A Dutch page whose replies wait for approval.
fn approval_page() -> PageSettings {
    PageSettings {
        mode: ReplyMode::Approval,
        ..dutch_page()
    }
}

/// A fresh table and `graph` (its answers mounted), the complaint `item` delivered.
async fn complaint_on(graph: MockServer, defaults: PageSettings, item: &str) -> MetaWorld {
    let w = MetaWorld::on(graph, defaults).await;
    w.comment(item, COMPLAINT).await;
    w
}

/// A Graph API answering every POST with `status` and `body`.
async fn graph_answering(status: u16, body: serde_json::Value) -> MockServer {
    let graph = MockServer::start().await;
    Mock::given(method("POST"))
        .answer(status, body, &graph)
        .await;
    graph
}

#[tokio::test]
async fn a_negative_dutch_comment_gets_one_dutch_public_reply_one_private_reply_and_an_open_task() {
    let w = MetaWorld::accepting().await;
    w.comment("777_1", COMPLAINT).await;

    let response = w.respond("777_1", 1).await;
    let table = &w.table;

    assert!(response.batch_item_failures.is_empty());
    let public = w.replies_to("777_1").await;
    assert_eq!(public.len(), 1);
    let text = text_of(&public[0]);
    assert!(
        text.starts_with("Hallo Anke,") && text.contains("privébericht"),
        "{text}"
    );
    assert_eq!(public[0].headers["authorization"], "Bearer test-page-token");
    let private = w.calls("POST", &format!("/{PAGE_ID}/messages")).await;
    assert_eq!(private.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&private[0].body).unwrap();
    assert_eq!(body["recipient"]["comment_id"], "777_1");
    assert!(text_of(&private[0]).contains("bestelnummer"));

    let task = table.raw_item(&key("777_1"), "task").await.expect("a task");
    assert_eq!(str_attr(&task, "status"), Some("open"));
    assert_eq!(str_attr(&task, "gsi1pk"), Some("task#open"));
    assert_eq!(str_attr(&task, "channel"), Some("platform_message"));
    assert_eq!(str_attr(&task, "label"), Some("negative"));
    assert_eq!(str_attr(&task, "language"), Some("nl"));
    assert_message(
        &w.public_message("777_1").await,
        MessageState::Sent,
        Some("reply_1"),
    );
    let record = table
        .items_of_type("feedback")
        .await
        .into_iter()
        .next()
        .unwrap();
    assert_eq!(str_attr(&record, "label"), Some("negative"));
    assert_eq!(str_attr(&record, "decision"), Some("answer"));
}

#[tokio::test]
async fn an_instagram_comment_is_answered_on_the_replies_edge() {
    let w = MetaWorld::accepting().await;
    let app = workspace_tests::meta::ingest_app(std::sync::Arc::new(w.table.store()));
    let body = serde_json::to_vec(&json!({"object": "instagram", "entry": [{"id": PAGE_ID, "time": 1, "changes": [
        {"field": "comments", "value": {"from": {"id": "232323", "username": "marie.dupont"},
         "media": {"id": "18000000000000001"}, "id": "17865799348089039",
         "text": "Produit reçu cassé, très déçue. Toujours pas de réponse du service client."}}]}]}))
    .unwrap();
    let res = webhook_ingest::handle(&app, workspace_tests::meta::signed_delivery(&body))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    run(&w.responder, &[("instagram", "17865799348089039")], 1).await;

    let replies = w.calls("POST", "/17865799348089039/replies").await;
    assert_eq!(replies.len(), 1);
    // A username that reads like a web address is not echoed: the anonymous greeting.
    let reply = text_of(&replies[0]);
    assert!(reply.starts_with("Bonjour,"), "{reply}");
    assert!(!reply.contains("marie.dupont"), "{reply}");
    assert!(w.calls("POST", "/comments").await.is_empty());
}

#[tokio::test]
async fn the_same_batch_twice_and_two_concurrent_invocations_still_send_one_reply_each() {
    let graph = MockServer::start().await;
    // A slow platform widens the window in which concurrent invocations overlap.
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "r", "message_id": "m"}))
                .set_delay(Duration::from_millis(150)),
        )
        .mount(&graph)
        .await;
    let w = complaint_on(graph, dutch_page(), "777_2").await;

    let (a, b) = tokio::join!(w.respond("777_2", 1), w.respond("777_2", 1));
    w.respond("777_2", 1).await;
    // A loser that found the message being sent asks for a retry; the retry sends nothing.
    if !a.batch_item_failures.is_empty() || !b.batch_item_failures.is_empty() {
        w.respond("777_2", 1).await;
    }

    assert_eq!(w.replies_to("777_2").await.len(), 1);
    assert_eq!(w.messages().await.len(), 1);
    assert_eq!(w.table.items_of_type("task").await.len(), 1);
}

#[tokio::test]
async fn a_graph_500_then_200_posts_exactly_one_reply() {
    let graph = MockServer::start().await;
    reply_under("777_3")
        .respond_with(
            ResponseTemplate::new(500).set_body_json(graph_error("An unknown error occurred", 1)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&graph)
        .await;
    Mock::given(method("POST"))
        .answer(200, json!({"id": "777_3_reply", "message_id": "m"}), &graph)
        .await;
    no_replies_yet(&graph).await;
    let w = complaint_on(graph, dutch_page(), "777_3").await;

    let response = w.respond("777_3", 1).await;

    assert!(response.batch_item_failures.is_empty());
    assert_eq!(w.replies_to("777_3").await.len(), 2, "one 500, one 200");
    assert_eq!(
        w.calls("GET", "/777_3/comments").await.len(),
        1,
        "checked before retrying"
    );
    assert_message(
        &w.public_message("777_3").await,
        MessageState::Sent,
        Some("777_3_reply"),
    );
}

#[tokio::test]
async fn a_timeout_after_the_platform_accepted_is_reconciled_without_posting_again() {
    let graph = MockServer::start().await;
    // The post is accepted but the answer comes too late; reading the replies shows it.
    reply_under("777_4")
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "777_4_reply"}))
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&graph)
        .await;
    Mock::given(method("GET"))
        .and(path("/v26.0/777_4/comments"))
        .answer(
            200,
            json!({"data": [
                {"id": "777_4_other", "from": {"id": "5550009"}},
                {"id": "777_4_reply", "from": {"id": PAGE_ID}}
            ]}),
            &graph,
        )
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{PAGE_ID}/messages")))
        .answer(200, json!({"message_id": "m"}), &graph)
        .await;
    let w = complaint_on(graph, dutch_page(), "777_4").await;

    w.respond("777_4", 1).await;

    assert_eq!(w.replies_to("777_4").await.len(), 1);
    assert_message(
        &w.public_message("777_4").await,
        MessageState::Sent,
        Some("777_4_reply"),
    );
}

#[tokio::test]
async fn an_expired_token_flags_the_task_marks_the_page_and_stops_calling() {
    let graph = graph_answering(400, json!({"error": {
            "message": "Error validating access token: Session has expired", "type": "OAuthException", "code": 190, "error_subcode": 463}})).await;
    let w = complaint_on(graph, dutch_page(), "777_5").await;

    let first = w.respond("777_5", 1).await;
    w.deliver(vec![facebook_comment_by(
        "778_1",
        ("5550077", "Piet"),
        "1029384756_778",
        "Slechte service, nooit meer.",
    )])
    .await;
    let second = w.respond("778_1", 2).await;

    assert!(
        first.batch_item_failures.is_empty() && second.batch_item_failures.is_empty(),
        "no retry storm"
    );
    assert_eq!(
        w.graph.received_requests().await.unwrap().len(),
        1,
        "one call, then none"
    );
    assert_flag(&w.task("777_5").await, "reconnect_page");
    assert_flag(&w.task("778_1").await, "reconnect_page");
    let page = w
        .table
        .page(&FACEBOOK, &feedback::AccountId::parse(PAGE_ID).unwrap())
        .await;
    assert!(page.needs_reconnect);
    for channel in [Channel::Public, Channel::Private] {
        let m = w.table.message(&key("777_5"), channel).await;
        assert_eq!(m.state, MessageState::Failed, "{channel:?}");
    }
}

#[tokio::test]
async fn own_page_comments_spam_and_abuse_cause_no_outgoing_call_at_all() {
    let w = MetaWorld::silent(dutch_page()).await;
    let mut own = facebook_comment_by(
        "777_6",
        (PAGE_ID, "Bakkerij Zon"),
        "1029384756_777",
        "Bedankt voor je bericht, we sturen je een privébericht.",
    );
    own["value"]["parent_id"] = json!("777_1");
    w.deliver(vec![
        own,
        facebook_comment(
            "777_7",
            "add",
            Some("Gratis volgers!! Klik hier www.volgers.example"),
        ),
        facebook_comment("777_8", "add", Some("Stelletje klootzakken, rot op")),
    ])
    .await;

    let response = w.respond_all(&["777_6", "777_7", "777_8"], 1).await;

    assert!(response.batch_item_failures.is_empty());
    assert!(w.table.items_of_type("task").await.is_empty());
    assert!(w.table.items_of_type("message").await.is_empty());
    let labels: Vec<_> = w
        .table
        .items_of_type("feedback")
        .await
        .iter()
        .map(|i| {
            (
                str_attr(i, "item_id").unwrap().to_owned(),
                str_attr(i, "decision").unwrap().to_owned(),
            )
        })
        .collect();
    for skipped in [
        ("777_6", "skip:own_account"),
        ("777_7", "skip:spam"),
        ("777_8", "skip:abusive"),
    ] {
        assert!(
            labels.contains(&(skipped.0.into(), skipped.1.into())),
            "{labels:?}"
        );
    }
    w.verify().await;
}

#[tokio::test]
async fn approval_mode_posts_nothing_and_opens_the_task_with_the_draft() {
    let w = MetaWorld::silent(approval_page()).await;
    w.comment("777_9", COMPLAINT).await;

    w.respond("777_9", 1).await;

    let task = w.table.raw_item(&key("777_9"), "task").await.unwrap();
    assert_eq!(str_attr(&task, "status"), Some("open"));
    assert_eq!(str_attr(&task, "mode"), Some("approval"));
    assert!(
        str_attr(&task, "draft_public")
            .unwrap()
            .starts_with("Hallo Anke,")
    );
    assert!(
        str_attr(&task, "draft_private")
            .unwrap()
            .contains("bestelnummer")
    );
    assert_eq!(w.public_message("777_9").await.state, MessageState::Draft);
    w.verify().await;
}

#[tokio::test]
async fn a_partial_batch_failure_reports_exactly_the_failed_record() {
    let graph = MockServer::start().await;
    reply_under("777_11")
        .answer(429, graph_error("rate", 4), &graph)
        .await;
    Mock::given(method("POST"))
        .answer(200, json!({"id": "ok", "message_id": "m"}), &graph)
        .await;
    let w = MetaWorld::on(graph, dutch_page()).await;
    w.deliver(vec![
        facebook_comment("777_10", "add", Some(COMPLAINT)),
        facebook_comment_by(
            "777_11",
            ("5550011", "Els"),
            "1029384756_779",
            "Koud eten, slechte service.",
        ),
        facebook_comment_by(
            "777_12",
            ("5550012", "Jan"),
            "1029384756_780",
            "Wanneer zijn jullie open?",
        ),
    ])
    .await;

    let response = w.respond_all(&["777_10", "777_11", "777_12"], 500).await;

    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone().unwrap())
        .collect();
    assert_eq!(failed, ["501"]);
    assert_eq!(w.replies_to("777_10").await.len(), 1);
    assert_eq!(w.replies_to("777_12").await.len(), 1);
    let m = w.public_message("777_11").await;
    assert_eq!(m.state, MessageState::Pending, "left for the retry");
}

#[tokio::test]
async fn a_second_comment_by_the_same_author_in_an_answered_thread_is_not_answered() {
    let w = MetaWorld::accepting().await;
    w.comment("777_13", COMPLAINT).await;
    w.comment("777_14", "En nog steeds geen antwoord, echt slecht!")
        .await;

    w.respond_all(&["777_13", "777_14"], 1).await;

    assert_eq!(w.replies_to("777_13").await.len(), 1);
    assert!(w.replies_to("777_14").await.is_empty());
    assert_eq!(w.table.items_of_type("task").await.len(), 1);
}

#[tokio::test]
async fn praise_gets_a_thank_you_without_private_message_or_task() {
    let w = MetaWorld::accepting().await;
    w.comment("777_15", "Heerlijk gegeten, super vriendelijk personeel!")
        .await;

    w.respond("777_15", 1).await;

    let public = w.replies_to("777_15").await;
    assert_eq!(public.len(), 1);
    let text = text_of(&public[0]);
    assert!(
        text.starts_with("Hallo Anke,") && !text.contains("privébericht"),
        "{text}"
    );
    assert!(w.messages().await.is_empty());
    assert!(w.table.items_of_type("task").await.is_empty());
}

#[tokio::test]
async fn approved_drafts_are_sent_once_when_the_approval_arrives_on_the_stream() {
    let w = complaint_on(accepting_graph().await, approval_page(), "777_16").await;
    w.respond("777_16", 1).await;
    assert!(w.graph.received_requests().await.unwrap().is_empty());

    let store = w.table.store();
    let approved = store
        .approve_drafts(&key("777_16"), "anna", &[], time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(approved.len(), 2);
    w.respond_to_approval("777_16", 2).await;
    w.respond("777_16", 3).await;

    assert_eq!(w.replies_to("777_16").await.len(), 1);
    assert_eq!(w.messages().await.len(), 1);
    assert!(
        store
            .approve_drafts(&key("777_16"), "anna", &[], time::OffsetDateTime::now_utc())
            .await
            .is_err(),
        "nothing left to approve"
    );
}

#[tokio::test]
async fn an_edit_approved_in_the_inbox_is_what_the_platform_receives_word_for_word() {
    let w = complaint_on(accepting_graph().await, approval_page(), "777_17").await;
    w.respond("777_17", 1).await;
    let edit = "Hoi, wat vervelend dat je bestelling zo laat is. We bellen je vandaag nog. – Anke";
    w.table
        .store()
        .approve_drafts(
            &key("777_17"),
            "anke@bakkerij-zon.nl",
            &[(Channel::Public, edit)],
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    w.respond_to_approval("777_17", 2).await;

    let public = w.replies_to("777_17").await;
    assert_eq!(public.len(), 1);
    assert_eq!(text_of(&public[0]), edit);
    let private = w.messages().await;
    assert_eq!(private.len(), 1, "the private draft, approved as it was");
    assert_ne!(text_of(&private[0]), edit);
}

#[tokio::test]
async fn a_reply_the_platform_refuses_for_good_flags_the_task_and_is_not_retried() {
    let graph = graph_answering(
        400,
        graph_error("Object with ID '777_17' does not exist", 100),
    )
    .await;
    let w = complaint_on(graph, dutch_page(), "777_17").await;

    let first = w.respond("777_17", 1).await;
    let again = w.respond("777_17", 1).await;

    assert!(first.batch_item_failures.is_empty() && again.batch_item_failures.is_empty());
    assert_eq!(w.replies_to("777_17").await.len(), 1);
    assert_eq!(w.messages().await.len(), 1);
    assert_flag(&w.task("777_17").await, "reply_failed");
    let m = w.public_message("777_17").await;
    assert_eq!(m.state, MessageState::Failed);
    assert!(m.failure.unwrap().contains("does not exist"));
}

#[tokio::test]
async fn a_page_remembers_its_last_twenty_replies_even_when_two_writers_race() {
    let (_table, store) = TestTable::with_store().await;
    let (platform, account) = (FACEBOOK, feedback::AccountId::parse(PAGE_ID).unwrap());
    // Nothing is kept for a page without a record.
    store
        .remember_reply(&platform, &account, "777_0", "00000000000000aa", &[])
        .await
        .unwrap();
    assert!(store.page(&platform, &account).await.unwrap().is_none());

    store
        .update_page(
            &platform,
            &account,
            &store::pages::PageChange {
                set: feedback::page::PageConfig::default(),
                ..Default::default()
            },
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    for n in 0..25 {
        // Every write goes from a stale read (nothing known): the conditional write
        // notices, re-reads and keeps the other writers' replies.
        store
            .remember_reply(
                &platform,
                &account,
                &format!("777_{n}"),
                &format!("{n:016x}"),
                &[],
            )
            .await
            .unwrap();
    }
    let recent = store
        .page(&platform, &account)
        .await
        .unwrap()
        .unwrap()
        .recent_replies;
    let items: Vec<_> = recent.iter().map(|r| r.item_id.as_str()).collect();
    let want: Vec<String> = (5..25).map(|n| format!("777_{n}")).collect();
    assert_eq!(items, want);
    assert_eq!(recent[19].digest, format!("{:016x}", 24));
}

#[tokio::test]
async fn the_decision_keeps_how_sure_it_was_and_an_unsure_item_is_held_unposted() {
    let w = MetaWorld::silent(dutch_page()).await;
    // Praise after a complaint: it may be a happy customer after all.
    w.comment(
        "777_40",
        "Levering was wat traag, maar het product is echt super mooi",
    )
    .await;

    w.respond("777_40", 1).await;

    let record = w.table.feedback(&key("777_40")).await;
    let confidence = record.confidence.unwrap_or_default();
    assert!(confidence.contains("held"), "{confidence}");
    let task = w.table.raw_item(&key("777_40"), "task").await.unwrap();
    assert_eq!(str_attr(&task, "status"), Some("open"));
    assert_eq!(w.public_message("777_40").await.state, MessageState::Draft);
    w.verify().await;
}

#[tokio::test]
async fn a_comment_edited_after_its_task_was_opened_flags_the_task_to_be_read_again() {
    let w = MetaWorld::accepting().await;
    w.comment("777_40", COMPLAINT).await;
    w.respond("777_40", 1).await;
    let before = w.task("777_40").await;
    assert!(
        !before.flags.iter().any(|f| f == "review_updated"),
        "{before:?}"
    );

    // Meta sends the edited text itself: no fetch, no responder run.
    w.deliver(vec![facebook_comment(
        "777_40",
        "edited",
        Some("Nog steeds niets ontvangen en niemand neemt de telefoon op."),
    )])
    .await;

    assert_flagged(&w.task("777_40").await, "review_updated", "read it again");
    assert_eq!(w.replies_to("777_40").await.len(), 1);
}
