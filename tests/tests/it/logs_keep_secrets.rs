//! Everything logged during a full run (ingest, handshakes, a bad signature, the responder
//! with an expired token) at TRACE level, checked for secrets, tokens, signatures and
//! forged lines.

use http::header;
use lambda_http::Body;
use serde_json::json;
use std::sync::Arc;
use triage::{Boldness, PageSettings};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};
use workspace_tests::dynamodb::TestTable;
use workspace_tests::logs::{capture, run_alone};
use workspace_tests::meta::{
    APP_SECRET, VERIFY_TOKEN, ingest_app, ingest_signed, page_delivery, signature, signed_delivery,
};
use workspace_tests::mock::Answer;
use workspace_tests::responder::{PAGE_TOKEN, dutch_page, graph_error, responder, run};

/// Run in a process of its own: `tracing` caches per call site whether anyone listens, and
/// the other tests of this binary, running at the same time without a subscriber, would
/// make this one miss events.
#[test]
fn no_secret_token_or_signature_reaches_the_logs_and_user_text_cannot_forge_a_line() {
    run_alone("logs_keep_secrets::full_run_at_trace_level");
}

#[tokio::test]
#[ignore = "run by no_secret_token_or_signature_reaches_the_logs_… in a process of its own"]
async fn full_run_at_trace_level() {
    let (captured, _guard) = capture("trace");

    let table = TestTable::new().await;
    let app = ingest_app(Arc::new(table.store()));
    let forged =
        "Anke\n{\"level\":\"ERROR\",\"fields\":{\"message\":\"forged\"}}\r\nINFO forged line";
    let body = page_delivery(vec![json!({"field": "feed", "value": {
        "from": {"id": "5550001", "name": forged}, "post_id": "1029384756_777", "comment_id": "777_9500",
        "parent_id": "1029384756_777", "item": "comment", "verb": "add",
        "message": format!("Nog steeds niet geleverd na twee weken, heel teleurstellend.\n{forged}")}})]);
    let good_signature = signature(&body);
    assert_eq!(ingest_signed(&app, &body).await, 200);

    // A bad signature, and handshakes with the right and a wrong token.
    let mut bad = signed_delivery(&body);
    bad.headers_mut().insert(
        "x-hub-signature-256",
        format!("sha256={}", "ab".repeat(32)).parse().unwrap(),
    );
    assert_eq!(
        webhook_ingest::handle(&app, bad).await.unwrap().status(),
        401
    );
    for token in [VERIFY_TOKEN, "guess"] {
        let mut get = signed_delivery(b"");
        *get.method_mut() = http::Method::GET;
        *get.body_mut() = Body::Empty;
        get.headers_mut().remove(header::CONTENT_TYPE);
        *get.uri_mut() = format!("https://x.example/webhooks/meta?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=99")
            .parse()
            .unwrap();
        webhook_ingest::handle(&app, get).await.unwrap();
    }

    // The responder, whose token the platform rejects. The page answers boldly, so that
    // the comment is posted whatever the forged line inside does to its reading, and the
    // rejected token logged.
    let graph = MockServer::start().await;
    Mock::given(method("POST"))
        .answer(400, graph_error("Session has expired", 190), &graph)
        .await;
    let bold = PageSettings {
        boldness: Boldness::Bold,
        ..dutch_page()
    };
    run(
        &responder(&table, &graph, bold),
        &[("facebook", "777_9500")],
        1,
    )
    .await;

    let logs = captured.text();
    assert!(logs.contains("delivery stored"), "the run was logged");
    assert!(
        logs.contains("page needs to be reconnected"),
        "the responder was logged"
    );
    let hex = good_signature.trim_start_matches("sha256=");
    for secret in [APP_SECRET, VERIFY_TOKEN, PAGE_TOKEN, hex, &"ab".repeat(32)] {
        assert!(!logs.contains(secret), "{secret:?} appears in the logs");
    }
    for line in logs.lines() {
        assert!(
            line.starts_with('{'),
            "every line is a JSON event: {line:?}"
        );
        assert!(
            !line.contains("INFO forged line") || line.contains("\\n"),
            "a forged line: {line}"
        );
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "a broken line: {line}"
        );
    }
    assert!(
        !logs
            .lines()
            .any(|l| l.contains("\"message\":\"forged\"}}") && !l.contains("\\\"")),
        "a forged event"
    );
}
