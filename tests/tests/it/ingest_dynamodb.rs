//! The ingest function against DynamoDB Local: what a delivery leaves in the table.

use feedback::ItemId;
use http::StatusCode;
use platforms::meta::FACEBOOK;
use std::sync::Arc;
use store::DynamoStore;
use store::FeedbackKey;
use webhook_ingest::{App, handle};
use workspace_tests::dynamodb::{TestTable, str_attr};
use workspace_tests::meta::{facebook_comment, ingest_app, page_delivery, signed_delivery};

const THREE_COMMENTS: &str = include_str!("../../../infra/events/meta-comments.json");
const BAD_SIGNATURE: &str = include_str!("../../../infra/events/meta-bad-signature.json");
const REACTION: &str = include_str!("../../../infra/events/meta-unsupported-reaction.json");

fn event(json: &str) -> lambda_http::Request {
    lambda_http::request::from_str(json).unwrap()
}

async fn status(app: &App, req: lambda_http::Request) -> StatusCode {
    handle(app, req).await.unwrap().status()
}

/// A fresh table and the ingest function storing into it.
async fn fresh() -> (TestTable, App) {
    let table = TestTable::new().await;
    let app = ingest_app(Arc::new(table.store()));
    (table, app)
}

/// `body` delivered signed as Meta signs it, and accepted.
async fn accepted(app: &App, body: &[u8]) {
    assert_eq!(status(app, signed_delivery(body)).await, StatusCode::OK);
}

async fn record(store: &DynamoStore, item: &str) -> store::FeedbackRecord {
    store
        .feedback(&FeedbackKey {
            platform: FACEBOOK,
            item_id: ItemId::parse(item).unwrap(),
        })
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{item} is stored"))
}

#[tokio::test]
async fn one_delivery_with_three_changes_makes_three_feedback_records() {
    let (table, app) = fresh().await;

    assert_eq!(status(&app, event(THREE_COMMENTS)).await, StatusCode::OK);

    let records = table.items_of_type("feedback").await;
    let mut ids: Vec<_> = records
        .iter()
        .map(|i| str_attr(i, "item_id").unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["777_9001", "777_9002", "777_9003"]);
    assert_eq!(table.scan().await.len(), 3, "nothing else was written");

    let first = record(&table.store(), "777_9001").await;
    assert_eq!(first.feedback.account_id.as_str(), "1029384756");
    assert_eq!(first.feedback.author_name.as_deref(), Some("Anke de Vries"));
    assert!(first.feedback.raw.contains("777_9001"));
    assert!(!first.feedback.from_account);
    assert!(
        record(&table.store(), "777_9003")
            .await
            .feedback
            .from_account
    );
}

#[tokio::test]
async fn the_same_delivery_sent_twenty_times_at_once_still_makes_three_records() {
    let (table, app) = fresh().await;

    let statuses =
        futures::future::join_all((0..20).map(|_| status(&app, event(THREE_COMMENTS)))).await;

    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(table.items_of_type("feedback").await.len(), 3);
    assert_eq!(table.scan().await.len(), 3);
}

#[tokio::test]
async fn a_change_redelivered_inside_a_different_batch_is_stored_once() {
    let (table, app) = fresh().await;
    let first = page_delivery(vec![facebook_comment(
        "777_1",
        "add",
        Some("Slecht geholpen."),
    )]);
    let rebatched = page_delivery(vec![
        facebook_comment("777_2", "add", Some("Top service")),
        facebook_comment("777_1", "add", Some("Slecht geholpen.")),
    ]);

    accepted(&app, &first).await;
    accepted(&app, &rebatched).await;

    assert_eq!(table.items_of_type("feedback").await.len(), 2);
}

#[tokio::test]
async fn an_edit_updates_the_text_and_keeps_the_previous_one() {
    let (table, app) = fresh().await;
    let add = page_delivery(vec![facebook_comment("777_5", "add", Some("Koud eten."))]);
    let edit = page_delivery(vec![facebook_comment(
        "777_5",
        "edited",
        Some("Koud eten en lang wachten."),
    )]);

    accepted(&app, &add).await;
    accepted(&app, &edit).await;
    // Meta redelivers: the history must not grow.
    accepted(&app, &edit).await;

    let r = record(&table.store(), "777_5").await;
    assert_eq!(
        r.feedback.text.as_deref(),
        Some("Koud eten en lang wachten.")
    );
    assert!(r.edited);
    let history: Vec<_> = r.text_history.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(history, ["Koud eten."]);
    assert_eq!(table.items_of_type("feedback").await.len(), 1);
}

#[tokio::test]
async fn an_older_edit_redelivered_after_a_newer_one_does_not_roll_the_text_back() {
    let (table, app) = fresh().await;
    let add = page_delivery(vec![facebook_comment("777_6", "add", Some("v1"))]);
    let edit2 = page_delivery(vec![facebook_comment("777_6", "edited", Some("v2"))]);
    let edit3 = page_delivery(vec![facebook_comment("777_6", "edited", Some("v3"))]);

    for body in [&add, &edit2, &edit3, &edit2] {
        accepted(&app, body).await;
    }

    let r = record(&table.store(), "777_6").await;
    assert_eq!(r.feedback.text.as_deref(), Some("v3"));
    let history: Vec<_> = r.text_history.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(history, ["v1", "v2"]);
}

#[tokio::test]
async fn an_edit_that_overtakes_its_add_still_makes_one_record_with_the_newest_text() {
    let (table, app) = fresh().await;
    let edit = page_delivery(vec![facebook_comment("777_7", "edited", Some("new"))]);
    let add = page_delivery(vec![facebook_comment("777_7", "add", Some("old"))]);

    accepted(&app, &edit).await;
    accepted(&app, &add).await;

    let r = record(&table.store(), "777_7").await;
    assert_eq!(r.feedback.text.as_deref(), Some("new"));
    assert!(r.edited);
    assert_eq!(table.items_of_type("feedback").await.len(), 1);
}

#[tokio::test]
async fn a_removal_marks_the_record_and_deletes_nothing() {
    let (table, app) = fresh().await;
    let add = page_delivery(vec![facebook_comment("777_8", "add", Some("Nooit meer!"))]);
    let remove = page_delivery(vec![facebook_comment("777_8", "remove", None)]);

    accepted(&app, &add).await;
    accepted(&app, &remove).await;
    accepted(&app, &remove).await;

    let r = record(&table.store(), "777_8").await;
    assert!(r.removed);
    assert!(r.removed_at.is_some());
    assert_eq!(
        r.feedback.text.as_deref(),
        Some("Nooit meer!"),
        "the text is kept"
    );
    assert_eq!(table.scan().await.len(), 1);
}

#[tokio::test]
async fn a_removal_of_a_comment_never_seen_is_kept_as_a_removed_record() {
    let (table, app) = fresh().await;
    let remove = page_delivery(vec![facebook_comment("777_9", "remove", None)]);
    let late_add = page_delivery(vec![facebook_comment("777_9", "add", Some("late"))]);

    accepted(&app, &remove).await;
    accepted(&app, &late_add).await;

    let r = record(&table.store(), "777_9").await;
    assert!(r.removed);
    assert_eq!(table.items_of_type("feedback").await.len(), 1);
}

#[tokio::test]
async fn an_add_edit_and_remove_in_one_delivery_are_applied_in_order() {
    let (table, app) = fresh().await;
    let body = page_delivery(vec![
        facebook_comment("777_10", "add", Some("first")),
        facebook_comment("777_10", "edited", Some("second")),
        facebook_comment("777_10", "remove", None),
    ]);

    accepted(&app, &body).await;

    let r = record(&table.store(), "777_10").await;
    assert_eq!(r.feedback.text.as_deref(), Some("second"));
    assert_eq!(r.text_history.len(), 1);
    assert!(r.removed);
}

#[tokio::test]
async fn a_bad_signature_is_401_and_the_table_stays_empty() {
    let (table, app) = fresh().await;

    assert_eq!(
        status(&app, event(BAD_SIGNATURE)).await,
        StatusCode::UNAUTHORIZED
    );
    let mut unsigned = event(THREE_COMMENTS);
    unsigned.headers_mut().remove("x-hub-signature-256");
    assert_eq!(status(&app, unsigned).await, StatusCode::UNAUTHORIZED);

    assert!(table.scan().await.is_empty());
}

#[tokio::test]
async fn an_unsupported_delivery_is_kept_raw_once_with_an_expiry() {
    let (table, app) = fresh().await;

    assert_eq!(status(&app, event(REACTION)).await, StatusCode::OK);
    assert_eq!(status(&app, event(REACTION)).await, StatusCode::OK);

    let kept = table.items_of_type("unsupported").await;
    assert_eq!(kept.len(), 1);
    let body = event(REACTION).body().as_ref().to_vec();
    assert_eq!(str_attr(&kept[0], "body").unwrap().as_bytes(), body);
    assert_eq!(str_attr(&kept[0], "route"), Some("meta"));
    let expires = kept[0]["expires_at"].as_i64().unwrap();
    assert!(expires > time::OffsetDateTime::now_utc().unix_timestamp() + 80 * 86_400);
    assert!(table.items_of_type("feedback").await.is_empty());
}

#[tokio::test]
async fn a_storage_outage_is_a_5xx_so_meta_retries_and_nothing_is_lost() {
    // Nothing listens on this port: every DynamoDB call fails to connect.
    let unreachable = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let table = TestTable::new().await;
    let down = table.store_through(&format!("http://127.0.0.1:{unreachable}"));
    let app = ingest_app(Arc::new(down));

    assert_eq!(
        status(&app, event(THREE_COMMENTS)).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );

    // Meta retries once storage is back: everything arrives.
    let app = ingest_app(Arc::new(table.store()));
    assert_eq!(status(&app, event(THREE_COMMENTS)).await, StatusCode::OK);
    assert_eq!(table.items_of_type("feedback").await.len(), 3);
}

#[tokio::test]
async fn a_client_built_from_a_lambda_like_environment_is_made_on_first_use_signs_and_reaches_the_table()
 {
    let table = TestTable::new().await;
    let endpoint = workspace_tests::dynamodb::endpoint();
    let vars = [
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_SESSION_TOKEN", "session"),
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.as_str()),
    ];
    let lookup = |name: &str| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    };
    let store = DynamoStore::from_lookup(lookup, &table.name).await;
    // Nothing is built at start-up: a cold start that never reaches the table skips it.
    assert!(!store.client_is_built());
    let clone = store.clone();
    assert!(
        store
            .table_is_active()
            .await
            .unwrap_or_else(|e| panic!("{e:?}"))
    );
    // Clones share the one client made on the first call.
    assert!(store.client_is_built() && clone.client_is_built());
    let missing = DynamoStore::from_lookup(lookup, "no-such-table").await;
    assert!(missing.table_is_active().await.is_err());
}

#[tokio::test]
async fn a_signed_half_megabyte_batch_of_reactions_and_one_comment_is_answered_200_with_the_comment_stored()
 {
    let (table, app) = fresh().await;
    let reaction = |i: usize| {
        serde_json::json!({"field": "feed", "value": {"item": "reaction", "verb": "add", "reaction_type": "like",
            "post_id": "1029384756_777", "from": {"id": format!("{}", 7_000_000 + i), "name": format!("Reactor number {i} with a long display name")},
            "created_time": 1763900000}})
    };
    let mut changes: Vec<serde_json::Value> = (0..2500).map(reaction).collect();
    changes.push(facebook_comment(
        "777_9400",
        "add",
        Some("Nog steeds niet geleverd!"),
    ));
    let body = page_delivery(changes);
    assert!(body.len() > 400 * 1024, "{} bytes", body.len());

    let res = handle(&app, signed_delivery(&body)).await.unwrap();

    assert_eq!(res.status(), StatusCode::OK);
    record(&table.store(), "777_9400").await;
    let kept = table.items_of_type("unsupported").await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["truncated"], serde_json::json!(true));
    assert_eq!(kept[0]["size"], serde_json::json!(body.len()));
    // Redelivered: still 200, still one of each.
    let again = handle(&app, signed_delivery(&body)).await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(table.items_of_type("unsupported").await.len(), 1);
    assert_eq!(table.items_of_type("feedback").await.len(), 1);
}
