//! The follow-up task's lifecycle against DynamoDB Local: every transition, who and when
//! in its history, the index it sits on, and the changes that must be refused.

use store::tasks::{TaskError, UpdateRequestOutcome};
use store::{FeedbackKey, TaskAction, TaskStatus};
use time::{Duration, OffsetDateTime};
use workspace_tests::dynamodb::{TestTable, str_attr};
use workspace_tests::sweeper::{Fixture, reopened, resolved_by_anna};

async fn status(table: &TestTable, key: &FeedbackKey) -> (TaskStatus, Option<String>) {
    let item = table.raw_item(key, "task").await.expect("a task");
    (
        str_attr(&item, "status")
            .and_then(TaskStatus::parse)
            .unwrap(),
        str_attr(&item, "gsi1pk").map(str::to_owned),
    )
}

#[tokio::test]
async fn a_task_goes_from_open_to_closed_and_keeps_who_when_and_why_at_every_step() {
    let (table, store, key) = Fixture::complaint("777_100").in_new_table().await;
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        status(&table, &key).await,
        (TaskStatus::Open, Some("task#open".into()))
    );

    store.claim_task(&key, "anna", now).await.unwrap();
    assert_eq!(
        status(&table, &key).await,
        (TaskStatus::Claimed, Some("task#open".into())),
        "a claimed task is still due, so still on the open index"
    );
    store
        .resolve_task(
            &key,
            "anna",
            "refund sent",
            "Zou je je reactie willen aanvullen?",
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        status(&table, &key).await,
        (TaskStatus::Resolved, Some("task#resolved".into()))
    );
    assert!(
        store
            .record_update_request(&key, UpdateRequestOutcome::StaffStep, "Zou je…", now)
            .await
            .unwrap()
    );
    assert_eq!(
        status(&table, &key).await,
        (
            TaskStatus::UpdateRequested,
            Some("task#update_requested".into())
        )
    );
    store
        .close_task(&key, "bert", Some("customer updated the review"), now)
        .await
        .unwrap();
    assert_eq!(status(&table, &key).await, (TaskStatus::Closed, None));

    let task = store.task(&key).await.unwrap().unwrap();
    let steps: Vec<(TaskAction, &str, Option<TaskStatus>, Option<&str>)> = task
        .history
        .iter()
        .map(|c| (c.action, c.by.as_str(), c.to, c.note.as_deref()))
        .collect();
    assert_eq!(
        steps,
        [
            (TaskAction::Open, "responder", Some(TaskStatus::Open), None),
            (TaskAction::Claim, "anna", Some(TaskStatus::Claimed), None),
            (
                TaskAction::Resolve,
                "anna",
                Some(TaskStatus::Resolved),
                Some("refund sent")
            ),
            (
                TaskAction::RequestUpdate,
                "sla-sweeper",
                Some(TaskStatus::UpdateRequested),
                Some("the platform allows no message: staff send the update request by hand")
            ),
            (
                TaskAction::Close,
                "bert",
                Some(TaskStatus::Closed),
                Some("customer updated the review")
            ),
        ]
    );
    assert!(task.history.iter().all(|c| c.at >= task.created_at));
    assert_eq!(task.resolved_by.as_deref(), Some("anna"));
    assert!(
        task.flags.is_empty(),
        "closing clears the staff step: {:?}",
        task.flags
    );
}

#[tokio::test]
async fn two_people_cannot_claim_one_task_even_at_the_same_moment() {
    let (_table, store, key) = Fixture::complaint("777_101").in_new_table().await;
    let now = OffsetDateTime::now_utc();

    let (a, b) = tokio::join!(
        store.claim_task(&key, "anna", now),
        store.claim_task(&key, "bert", now)
    );

    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "exactly one claim wins: {a:?} {b:?}"
    );
    let loser = a.err().or(b.err()).unwrap();
    let task = store.task(&key).await.unwrap().unwrap();
    let holder = task.assignee.unwrap();
    assert!(
        matches!(&loser, TaskError::WrongStatus { status: TaskStatus::Claimed, by: Some(by), .. } if *by == holder),
        "{loser}"
    );
    assert!(
        loser.to_string().contains(&format!("claimed by {holder}")),
        "{loser}"
    );
}

#[tokio::test]
async fn a_resolved_task_cannot_be_claimed_dropped_or_resolved_again() {
    let (_table, store, key) = Fixture::complaint("777_102").in_new_table().await;
    let now = OffsetDateTime::now_utc();
    resolved_by_anna(&store, &key, "replaced", now).await;

    for refused in [
        store.claim_task(&key, "bert", now).await,
        store.drop_task(&key, "bert", "duplicate", now).await,
        store.resolve_task(&key, "bert", "again", "", now).await,
        store.close_task(&key, "bert", None, now).await,
    ] {
        assert!(
            matches!(
                refused,
                Err(TaskError::WrongStatus {
                    status: TaskStatus::Resolved,
                    ..
                })
            ),
            "{refused:?}"
        );
    }
    let task = store.task(&key).await.unwrap().unwrap();
    assert_eq!(task.history.len(), 2, "refused changes leave no trace");
}

#[tokio::test]
async fn a_dropped_task_keeps_its_reason_and_leaves_the_index_until_reopened() {
    let (table, store, key) = Fixture::complaint("777_103").in_new_table().await;
    let now = OffsetDateTime::now_utc();

    store
        .drop_task(&key, "anna", "a duplicate of 777_100", now)
        .await
        .unwrap();
    assert_eq!(status(&table, &key).await, (TaskStatus::Dropped, None));
    let task = store.task(&key).await.unwrap().unwrap();
    assert_eq!(task.drop_reason.as_deref(), Some("a duplicate of 777_100"));
    assert!(store.open_tasks().await.unwrap().is_empty());

    let due = now + Duration::hours(4);
    store
        .reopen_task(&key, "bert", Some("not a duplicate after all"), due, now)
        .await
        .unwrap();
    let task = store.task(&key).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::Open);
    assert_eq!(task.drop_reason, None);
    assert_eq!(task.round, 1);
    assert_eq!(
        task.due_at.unix_timestamp(),
        due.unix_timestamp(),
        "due again, by the new time"
    );
    let open = store.open_tasks().await.unwrap();
    assert_eq!(open.len(), 1);
    let last = task.history.last().unwrap();
    assert_eq!(
        (last.action, last.by.as_str(), last.note.as_deref()),
        (
            TaskAction::Reopen,
            "bert",
            Some("not a duplicate after all")
        )
    );
}

#[tokio::test]
async fn a_claimed_task_can_be_given_back_and_an_open_one_cannot_be_reopened() {
    let (_table, store, key) = Fixture::complaint("777_104").in_new_table().await;
    let now = OffsetDateTime::now_utc();

    let open = store
        .reopen_task(&key, "anna", None, now + Duration::hours(1), now)
        .await;
    assert!(
        matches!(
            open,
            Err(TaskError::WrongStatus {
                status: TaskStatus::Open,
                ..
            })
        ),
        "{open:?}"
    );

    store.claim_task(&key, "anna", now).await.unwrap();
    reopened(
        &store,
        &key,
        "anna",
        Some("on holiday"),
        now,
        Duration::hours(1),
    )
    .await;
    let task = store.task(&key).await.unwrap().unwrap();
    assert_eq!((task.status, task.assignee), (TaskStatus::Open, None));
    store.claim_task(&key, "bert", now).await.unwrap();
}

#[tokio::test]
async fn a_missing_task_is_named_as_missing() {
    let table = TestTable::new().await;
    let key = Fixture::complaint("777_105").key();
    let err = table
        .store()
        .claim_task(&key, "anna", OffsetDateTime::now_utc())
        .await
        .unwrap_err();
    assert!(matches!(err, TaskError::NotFound(_)), "{err}");
}

#[tokio::test]
async fn the_responder_opens_a_complaint_task_with_its_theme_and_a_question_without_one() {
    use workspace_tests::meta::facebook_comment;
    use workspace_tests::responder::{dutch_page, ingest, responder, run};
    let table = TestTable::new().await;
    let graph = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"id": "r_1", "message_id": "m_1"})),
        )
        .mount(&graph)
        .await;
    // Another author asks: one answer per author per thread.
    let mut question =
        facebook_comment("777_111", "add", Some("Hoe laat gaan jullie zondag open?"));
    question["value"]["from"]["id"] = serde_json::json!("5550002");
    ingest(
        &table,
        vec![
            facebook_comment(
                "777_110",
                "add",
                Some("De website werkt al dagen niet, ik kan niet eens afrekenen!"),
            ),
            question,
        ],
    )
    .await;

    run(
        &responder(&table, &graph, dutch_page()),
        &[("facebook", "777_110"), ("facebook", "777_111")],
        1,
    )
    .await;

    let task = |item: &str| {
        let key = Fixture::complaint(item).key();
        let store = table.store();
        async move { store.task(&key).await.unwrap().unwrap() }
    };
    let complaint = task("777_110").await;
    assert_eq!(complaint.label, "negative");
    assert_eq!(complaint.theme, Some(store::ComplaintTheme::Website));
    let question = task("777_111").await;
    assert_eq!(question.label, "question");
    assert_eq!(question.theme, None);
}
