//! Exactly-once effects over at-least-once delivery, with faults injected: DynamoDB failing
//! 30 % of calls under 200 deliveries, the Graph API failing 30 % of calls under 100
//! negative comments, and duplicate storms. Run with `--nocapture` for the figures.

use feedback_responder::config::RetryPolicy;
use futures::StreamExt;
use platforms::meta::graph::{GraphClient, GraphConfig};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::local::LocalDynamo;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};
use workspace_tests::dynamodb::{TestTable, port, str_attr};
use workspace_tests::faults::{Dice, start_proxy};
use workspace_tests::meta::{ingest_app, ingest_signed, page_delivery};
use workspace_tests::mock::Answer;
use workspace_tests::responder::{PAGE_ID, dutch_page, run};

fn comment(item: &str, verb: &str, text: &str) -> Value {
    json!({"field": "feed", "value": {"from": {"id": format!("author-{item}"), "name": "Anke"},
        "post_id": format!("{PAGE_ID}_{item}"), "comment_id": item, "parent_id": format!("{PAGE_ID}_{item}"),
        "item": "comment", "verb": verb, "message": text}})
}

#[tokio::test]
async fn two_hundred_deliveries_through_a_failing_dynamodb_are_each_stored_exactly_once() {
    let table = TestTable::new().await;
    let (proxy, stats) = start_proxy(
        &format!("127.0.0.1:{}", port()),
        30,
        7,
        Duration::from_millis(400),
    )
    .await;
    let through_proxy = LocalDynamo::at(&proxy).with_timeouts(
        Duration::from_secs(1),
        Duration::from_millis(250),
        Duration::from_secs(2),
    );
    let app = Arc::new(ingest_app(Arc::new(through_proxy.store(&table.name))));
    let server_errors = Arc::new(AtomicU64::new(0));

    // Each delivery adds a comment and edits it: exactly once means one record whose
    // history holds the first text once.
    futures::stream::iter(0..200)
        .for_each_concurrent(8, |i| {
            let app = Arc::clone(&app);
            let server_errors = Arc::clone(&server_errors);
            async move {
                let item = format!("900_{i}");
                let body = page_delivery(vec![
                    comment(&item, "add", "eerste versie"),
                    comment(&item, "edited", "tweede versie"),
                ]);
                // Meta redelivers until it gets a 2xx.
                for attempt in 0..30 {
                    let status = ingest_signed(&app, &body).await;
                    if status == 200 {
                        return;
                    }
                    assert!(
                        (500..600).contains(&status),
                        "only 2xx or 5xx, got {status}"
                    );
                    server_errors.fetch_add(1, Ordering::SeqCst);
                    assert!(attempt < 29, "delivery {i} never got through");
                }
            }
        })
        .await;

    let records = table.items_of_type("feedback").await;
    println!(
        "dynamodb faults: 200 deliveries, {} calls through the proxy, {} faults injected ({} 5xx, {} throttles, {} late), {} deliveries answered 5xx and redelivered, {} records",
        stats.calls.load(Ordering::SeqCst),
        stats.injected(),
        stats.server_errors.load(Ordering::SeqCst),
        stats.throttles.load(Ordering::SeqCst),
        stats.late_answers.load(Ordering::SeqCst),
        server_errors.load(Ordering::SeqCst),
        records.len()
    );
    assert!(stats.injected() > 50, "faults were injected");
    assert_eq!(records.len(), 200);
    for r in &records {
        assert_eq!(str_attr(r, "text"), Some("tweede versie"));
        let history = r["text_history"].as_array().unwrap();
        assert_eq!(history.len(), 1, "{:?}", str_attr(r, "item_id"));
    }
}

/// A Graph API that fails 30 % of calls (429, 500 before or after accepting, or accepting
/// and answering too late) and remembers what it accepted.
struct FlakyGraph {
    dice: Dice,
    public: Mutex<HashMap<String, u32>>,
    private: Mutex<HashMap<String, u32>>,
    calls: AtomicU64,
    faults: AtomicU64,
}

impl Respond for FlakyGraph {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let segments: Vec<&str> = request
            .url
            .path()
            .trim_start_matches('/')
            .split('/')
            .collect();
        let fault = self.dice.roll(100) < 30;
        let kind = self.dice.roll(4);
        if fault {
            self.faults.fetch_add(1, Ordering::SeqCst);
        }
        let accept_public = |id: &str| {
            *self
                .public
                .lock()
                .unwrap()
                .entry(id.to_owned())
                .or_default() += 1
        };
        let ok = |body: Value| ResponseTemplate::new(200).set_body_json(body);
        match (request.method.as_str(), segments.as_slice()) {
            ("GET", [_, comment, "comments"]) => {
                if fault {
                    return ResponseTemplate::new(500)
                        .set_body_json(json!({"error": {"message": "injected", "code": 1}}));
                }
                let n = self
                    .public
                    .lock()
                    .unwrap()
                    .get(*comment)
                    .copied()
                    .unwrap_or(0);
                let data: Vec<Value> = (0..n)
                    .map(|i| json!({"id": format!("{comment}_r{i}"), "from": {"id": PAGE_ID}}))
                    .collect();
                ok(json!({"data": data}))
            }
            ("POST", [_, comment, "comments"]) => match (fault, kind) {
                (true, 0) => ResponseTemplate::new(429)
                    .set_body_json(json!({"error": {"message": "rate", "code": 4}})),
                (true, 1) => ResponseTemplate::new(500)
                    .set_body_json(json!({"error": {"message": "injected", "code": 1}})),
                (true, 2) => {
                    accept_public(comment);
                    ResponseTemplate::new(500)
                        .set_body_json(json!({"error": {"message": "injected", "code": 1}}))
                }
                (true, _) => {
                    accept_public(comment);
                    ok(json!({"id": format!("{comment}_late")}))
                        .set_delay(Duration::from_millis(900))
                }
                (false, _) => {
                    accept_public(comment);
                    ok(json!({"id": format!("{comment}_r")}))
                }
            },
            ("POST", [_, _, "messages"]) => {
                let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
                let comment = body["recipient"]["comment_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let already = self
                    .private
                    .lock()
                    .unwrap()
                    .get(&comment)
                    .copied()
                    .unwrap_or(0)
                    > 0;
                if already {
                    return ResponseTemplate::new(400).set_body_json(
                        json!({"error": {"message": "Activity already replied to", "code": 10900}}),
                    );
                }
                let accept = || {
                    *self
                        .private
                        .lock()
                        .unwrap()
                        .entry(comment.clone())
                        .or_default() += 1
                };
                match (fault, kind) {
                    (true, 0) => ResponseTemplate::new(429)
                        .set_body_json(json!({"error": {"message": "rate", "code": 4}})),
                    (true, 1) => ResponseTemplate::new(503),
                    (true, _) => {
                        accept();
                        ok(json!({"message_id": "late"})).set_delay(Duration::from_millis(900))
                    }
                    (false, _) => {
                        accept();
                        ok(json!({"message_id": "m"}))
                    }
                }
            }
            _ => ResponseTemplate::new(404),
        }
    }
}

#[tokio::test]
async fn a_hundred_complaints_through_a_failing_graph_api_get_exactly_one_reply_of_each_kind() {
    let table = TestTable::new().await;
    let items: Vec<String> = (0..100).map(|i| format!("950_{i}")).collect();
    let app = ingest_app(Arc::new(table.store()));
    for chunk in items.chunks(10) {
        let body = page_delivery(
            chunk
                .iter()
                // A complaint the model answers (not a short exclamation, which it holds).
                .map(|i| {
                    comment(
                        i,
                        "add",
                        "Al twee weken niets ontvangen en niemand reageert, slechte service",
                    )
                })
                .collect(),
        );
        assert_eq!(ingest_signed(&app, &body).await, 200);
    }
    let graph = MockServer::start().await;
    let flaky = Arc::new(FlakyGraph {
        dice: Dice::new(11),
        public: Mutex::default(),
        private: Mutex::default(),
        calls: AtomicU64::new(0),
        faults: AtomicU64::new(0),
    });
    struct Shared(Arc<FlakyGraph>);
    impl Respond for Shared {
        fn respond(&self, r: &Request) -> ResponseTemplate {
            self.0.respond(r)
        }
    }
    Mock::given(wiremock::matchers::any())
        .respond_with(Shared(Arc::clone(&flaky)))
        .mount(&graph)
        .await;
    let client = GraphClient::new(&GraphConfig {
        base_url: graph.uri(),
        timeout: Duration::from_millis(300),
        ..GraphConfig::default()
    })
    .unwrap();
    let outbound = platforms::meta::graph::outbound(Arc::new(client))
        .into_iter()
        .fold(
            platforms::reply::Outbound::new(),
            platforms::reply::Outbound::with,
        );
    let responder = feedback_responder::Responder {
        store: Arc::new(table.store()),
        outbound,
        credentials: service::credentials::Credentials::local(|k| {
            (k == "META_PAGE_TOKEN").then(|| "t".to_owned())
        }),
        defaults: dutch_page(),
        retry: RetryPolicy {
            backoff: Duration::from_millis(10),
            max_attempts: 10,
            ..RetryPolicy::default()
        },
        templates: triage::TemplateSet::builtin().unwrap(),
    };

    // The stream hands batches of 10; failed records come back until they succeed.
    let mut pending: Vec<String> = items.clone();
    let mut rounds = 0;
    while !pending.is_empty() {
        rounds += 1;
        assert!(rounds < 50, "still failing after 50 rounds: {pending:?}");
        let mut next = Vec::new();
        for chunk in pending.chunks(10) {
            let records: Vec<(&str, &str)> =
                chunk.iter().map(|i| ("facebook", i.as_str())).collect();
            let response = run(&responder, &records, 1).await;
            for f in response.batch_item_failures {
                let seq: usize = f.item_identifier.unwrap().parse().unwrap();
                next.push(chunk[seq - 1].clone());
            }
        }
        pending = next;
    }

    let public = flaky.public.lock().unwrap().clone();
    let private = flaky.private.lock().unwrap().clone();
    println!(
        "graph faults: 100 negative comments, {} calls, {} faults injected, {} stream rounds, {} public replies, {} private replies",
        flaky.calls.load(Ordering::SeqCst),
        flaky.faults.load(Ordering::SeqCst),
        rounds,
        public.values().sum::<u32>(),
        private.values().sum::<u32>()
    );
    assert!(
        flaky.faults.load(Ordering::SeqCst) > 20,
        "faults were injected"
    );
    for item in &items {
        assert_eq!(public.get(item), Some(&1), "public replies under {item}");
        assert_eq!(private.get(item), Some(&1), "private replies for {item}");
    }
}

#[tokio::test]
async fn a_duplicate_storm_makes_one_record_one_reply_and_one_task() {
    let table = TestTable::new().await;
    let app = Arc::new(ingest_app(Arc::new(table.store())));
    // A complaint the shipped model answers on a balanced page (short ones such as
    // "Nooit meer, slechte service!" or "Mijn pakket is nooit aangekomen, echt slecht"
    // read partly as praise to it, 5 % or more, and are held for a person).
    let complaint =
        "Mijn bestelling is na twee weken nog steeds niet geleverd. Heel teleurstellend!";
    let storm = page_delivery(vec![comment("960_1", "add", complaint)]);
    let other_batch = page_delivery(vec![
        comment("960_2", "add", "Wanneer zijn jullie open?"),
        comment("960_1", "add", complaint),
    ]);
    let statuses = futures::future::join_all((0..20).map(|_| {
        let app = Arc::clone(&app);
        let body = storm.clone();
        async move { ingest_signed(&app, &body).await }
    }))
    .await;
    assert!(statuses.iter().all(|s| *s == 200));
    assert_eq!(ingest_signed(&app, &other_batch).await, 200);

    let graph = MockServer::start().await;
    Mock::given(wiremock::matchers::method("POST"))
        .answer(200, json!({"id": "r", "message_id": "m"}), &graph)
        .await;
    let responder = workspace_tests::responder::responder(&table, &graph, dutch_page());
    // Lambda may hand the same new record over again, alone or in another batch.
    let batches: [&[(&str, &str)]; 3] = [
        &[("facebook", "960_1")],
        &[("facebook", "960_2"), ("facebook", "960_1")],
        &[("facebook", "960_1")],
    ];
    futures::future::join_all(batches.iter().map(|b| run(&responder, b, 1))).await;

    assert_eq!(table.items_of_type("feedback").await.len(), 2);
    let posts = graph.received_requests().await.unwrap();
    let count = |suffix: &str| {
        posts
            .iter()
            .filter(|r| r.url.path().ends_with(suffix))
            .count()
    };
    assert_eq!(count("/960_1/comments"), 1);
    let messages: Vec<Value> = posts
        .iter()
        .filter(|r| r.url.path().ends_with("/messages"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(
        messages
            .iter()
            .filter(|m| m["recipient"]["comment_id"] == "960_1")
            .count(),
        1
    );
    let tasks = table.items_of_type("task").await;
    assert_eq!(
        tasks
            .iter()
            .filter(|t| str_attr(t, "item_id") == Some("960_1"))
            .count(),
        1
    );
}
