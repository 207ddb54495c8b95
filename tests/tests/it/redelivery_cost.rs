//! What a stream record delivered again costs once its item is settled: one DynamoDB
//! read and nothing sent (Lambda delivers stream records at least once, and a batch that
//! failed part-way is delivered again whole).

use serde_json::json;
use service::credentials::Credentials;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use workspace_tests::dynamodb::{TestTable, port};
use workspace_tests::faults::start_proxy;
use workspace_tests::meta::{facebook_comment, ingest_app, ingest_signed, page_delivery};
use workspace_tests::responder::{
    PAGE_TOKEN, accepting_graph, dutch_page, meta_outbound, responder_on, stream_event,
};

#[tokio::test]
async fn a_settled_item_delivered_again_costs_one_dynamodb_call_and_sends_nothing() {
    let table = TestTable::new().await;
    let (proxy, stats) = start_proxy(&format!("127.0.0.1:{}", port()), 0, 1, Duration::ZERO).await;
    let store = Arc::new(table.store_through(&proxy));
    let graph = accepting_graph().await;
    let app = ingest_app(store.clone());
    let credentials =
        Credentials::local(|k| (k == "META_PAGE_TOKEN").then(|| PAGE_TOKEN.to_owned()));
    let responder = responder_on(store, meta_outbound(&graph), credentials, dutch_page());

    let complaint = facebook_comment(
        "777_1",
        "add",
        Some("Mijn bestelling is na twee weken nog steeds niet geleverd. Heel teleurstellend!"),
    );
    let mut praise = facebook_comment(
        "778_1",
        "add",
        Some("Heerlijk gegeten, super vriendelijk personeel!"),
    );
    praise["value"]["from"] = json!({"id": "5550002", "name": "Sanne Bakker"});
    praise["value"]["post_id"] = json!("1029384756_778");
    praise["value"]["parent_id"] = json!("1029384756_778");
    let delivery = page_delivery(vec![complaint, praise]);
    assert_eq!(ingest_signed(&app, &delivery).await, 200);

    for (item, sequence) in [("777_1", 1), ("778_1", 2)] {
        let event = || stream_event(&[("facebook", item)], sequence);
        let first = feedback_responder::handle(&responder, event())
            .await
            .unwrap();
        assert!(first.batch_item_failures.is_empty(), "{item} is answered");
        let sent = graph.received_requests().await.unwrap_or_default().len();
        assert!(sent > 0, "{item} is answered on the platform");

        let before = stats.calls.load(Ordering::SeqCst);
        let again = feedback_responder::handle(&responder, event())
            .await
            .unwrap();
        let calls = stats.calls.load(Ordering::SeqCst) - before;
        assert!(again.batch_item_failures.is_empty());
        assert_eq!(calls, 1, "{item} delivered again: one read");
        assert_eq!(
            graph.received_requests().await.unwrap_or_default().len(),
            sent,
            "{item} delivered again: nothing sent"
        );
    }
}
