//! DynamoDB calls per item: the ingest handler and the responder, on a fresh table of
//! DynamoDB Local (`DYNAMODB_LOCAL_PORT`, default 8000; started if it does not answer)
//! reached through a counting proxy (no faults), and a `wiremock` Graph API that accepts
//! every reply.
//!
//! ```text
//! ddb-calls
//! ```
//! Prints one JSON object: the DynamoDB calls of each step (a signed Dutch complaint
//! ingested, then answered: public reply, private reply, task; the same stream record
//! delivered again; the same webhook delivered again; praise ingested and answered), and
//! under `graph` the Graph API calls of each responder step. Deterministic: calls, not time.
//! Fails if an item is not answered the way the integration tests expect.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use feedback_responder::handle;
use serde_json::json;
use service::credentials::Credentials;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use wiremock::MockServer;
use workspace_tests::dynamodb::{TestTable, port};
use workspace_tests::faults::{FaultStats, start_proxy};
use workspace_tests::meta::{facebook_comment, ingest_app, page_delivery, signed_delivery};
use workspace_tests::responder::{
    PAGE_TOKEN, accepting_graph, dutch_page, meta_outbound, responder_on, stream_event,
};

const COMPLAINT: &str =
    "Mijn bestelling is na twee weken nog steeds niet geleverd. Heel teleurstellend!";
const PRAISE: &str = "Heerlijk gegeten, super vriendelijk personeel!";

/// Counts what one step costs: DynamoDB calls through the proxy, Graph API requests.
struct Meter {
    stats: Arc<FaultStats>,
    graph: MockServer,
    /// Capacity units consumed by each step measured: (step, read units, write units).
    capacity: std::sync::Mutex<Vec<serde_json::Value>>,
}

impl Meter {
    fn dynamodb(&self) -> u64 {
        self.stats.calls.load(Ordering::SeqCst)
    }

    async fn graph_requests(&self) -> Vec<wiremock::Request> {
        self.graph.received_requests().await.unwrap_or_default()
    }

    fn units(&self) -> (u64, u64) {
        (
            self.stats.read_milli_units.load(Ordering::SeqCst),
            self.stats.write_milli_units.load(Ordering::SeqCst),
        )
    }

    /// (DynamoDB calls, Graph API requests) made by `step`; the capacity units it
    /// consumed are kept under `name`.
    async fn measure<F: Future<Output = ()>>(
        &self,
        name: &str,
        step: F,
    ) -> (u64, Vec<wiremock::Request>) {
        let (d0, g0, (r0, w0)) = (
            self.dynamodb(),
            self.graph_requests().await.len(),
            self.units(),
        );
        step.await;
        let graph = self.graph_requests().await.split_off(g0);
        let (r1, w1) = self.units();
        if let Ok(mut capacity) = self.capacity.lock() {
            capacity.push(json!({
                "step": name,
                "read_units": (r1 - r0) as f64 / 1000.0,
                "write_units": (w1 - w0) as f64 / 1000.0,
            }));
        }
        (self.dynamodb() - d0, graph)
    }
}

fn posts_to(requests: &[wiremock::Request], suffix: &str) -> usize {
    requests
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path().ends_with(suffix))
        .count()
}

#[tokio::main]
async fn main() {
    let table = TestTable::new().await;
    let (proxy, stats) = start_proxy(&format!("127.0.0.1:{}", port()), 0, 1, Duration::ZERO).await;
    let store = Arc::new(table.store_through(&proxy));
    let meter = Meter {
        stats,
        graph: accepting_graph().await,
        capacity: std::sync::Mutex::new(Vec::new()),
    };
    let app = ingest_app(store.clone());
    let credentials =
        Credentials::local(|k| (k == "META_PAGE_TOKEN").then(|| PAGE_TOKEN.to_owned()));
    let responder = responder_on(
        store,
        meta_outbound(&meter.graph),
        credentials,
        dutch_page(),
    );

    let ingest = |change: serde_json::Value| {
        let app = &app;
        async move {
            let delivery = page_delivery(vec![change]);
            let res = webhook_ingest::handle(app, signed_delivery(&delivery))
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "the delivery is accepted");
        }
    };
    let respond = |item: &'static str, sequence: u64| {
        let responder = &responder;
        async move {
            let res = handle(responder, stream_event(&[("facebook", item)], sequence))
                .await
                .unwrap();
            assert!(
                res.batch_item_failures.is_empty(),
                "{item} is handled without a retry"
            );
        }
    };

    let complaint = facebook_comment("777_1", "add", Some(COMPLAINT));
    // Another author under another post: one answer per author per thread.
    let mut praise = facebook_comment("778_1", "add", Some(PRAISE));
    praise["value"]["from"] = json!({"id": "5550002", "name": "Sanne Bakker"});
    praise["value"]["post_id"] = json!("1029384756_778");
    praise["value"]["parent_id"] = json!("1029384756_778");

    let (ingest_complaint, _) = meter
        .measure("ingest_complaint", ingest(complaint.clone()))
        .await;
    let (respond_complaint, graph_complaint) = meter
        .measure("respond_complaint", respond("777_1", 1))
        .await;
    assert_eq!(
        (
            posts_to(&graph_complaint, "/777_1/comments"),
            posts_to(&graph_complaint, "/messages")
        ),
        (1, 1),
        "the complaint gets one public and one private reply"
    );
    let task = table
        .items_of_type("task")
        .await
        .into_iter()
        .filter(|t| workspace_tests::dynamodb::str_attr(t, "status") == Some("open"))
        .count();
    assert_eq!(task, 1, "the complaint opens one task");
    let (respond_again, graph_again) = meter.measure("respond_again", respond("777_1", 1)).await;
    assert!(graph_again.is_empty(), "nothing is sent twice");
    let (ingest_again, _) = meter.measure("ingest_again", ingest(complaint)).await;

    let (ingest_praise, _) = meter.measure("ingest_praise", ingest(praise)).await;
    let (respond_praise, graph_praise) = meter.measure("respond_praise", respond("778_1", 2)).await;
    assert_eq!(
        (
            posts_to(&graph_praise, "/778_1/comments"),
            posts_to(&graph_praise, "/messages")
        ),
        (1, 0),
        "praise gets a public thank-you only"
    );
    assert_eq!(
        table.items_of_type("task").await.len(),
        1,
        "praise opens no task"
    );

    println!(
        "{}",
        json!({
            "table": table.name,
            "ingest_complaint": ingest_complaint,
            "respond_complaint": respond_complaint,
            "respond_again": respond_again,
            "ingest_again": ingest_again,
            "ingest_praise": ingest_praise,
            "respond_praise": respond_praise,
            "graph": {
                "respond_complaint": graph_complaint.len(),
                "respond_again": graph_again.len(),
                "respond_praise": graph_praise.len(),
            },
            "capacity": meter.capacity.lock().map(|c| c.clone()).unwrap_or_default(),
        })
    );
}
