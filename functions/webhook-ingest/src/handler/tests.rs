//! Handler tests from API Gateway v2 events (the same files `sam local invoke` uses), with a
//! recording store: these check routing, status codes and what reaches storage. Storage
//! itself is tested against DynamoDB Local in the workspace `tests/`.

use super::*;
use async_trait::async_trait;
use feedback::FeedbackChange;
use std::collections::HashMap;
use std::sync::Mutex;
use store::{RecordOutcome, StoreError};

#[derive(Default)]
struct RecordingStore {
    changes: Mutex<Vec<FeedbackChange>>,
    unsupported: Mutex<Vec<UnsupportedDelivery>>,
    fail: bool,
    refuse: bool,
}

impl RecordingStore {
    fn failing() -> Self {
        Self {
            fail: true,
            ..Self::default()
        }
    }

    fn outage<T>(&self) -> Result<T, StoreError> {
        Err(StoreError::Dynamo {
            operation: "PutItem",
            source: "connection refused".into(),
        })
    }
}

#[async_trait]
impl FeedbackStore for RecordingStore {
    async fn record_changes(
        &self,
        changes: &[FeedbackChange],
    ) -> Result<RecordOutcome, StoreError> {
        if self.fail {
            return self.outage();
        }
        if self.refuse {
            return Err(StoreError::Refused {
                operation: "PutItem",
                reason: "Item size has exceeded the maximum allowed size".into(),
            });
        }
        self.changes.lock().unwrap().extend_from_slice(changes);
        Ok(RecordOutcome {
            inserted: changes.len(),
            ..RecordOutcome::default()
        })
    }

    async fn record_unsupported(&self, d: &UnsupportedDelivery) -> Result<bool, StoreError> {
        if self.fail {
            return self.outage();
        }
        self.unsupported.lock().unwrap().push(d.clone());
        Ok(true)
    }
}

fn app(store: Arc<RecordingStore>) -> App {
    let vars = HashMap::from([
        ("TABLE_NAME", "feedback"),
        ("META_APP_SECRETS", "rotated-out-secret,local-app-secret"),
        ("META_VERIFY_TOKEN", "local-verify-token"),
    ]);
    let config = crate::IngestConfig::from_lookup(|k| vars.get(k).map(|v| v.to_string())).unwrap();
    App::new(config.platforms, store)
}

fn event(json: &str) -> Request {
    lambda_http::request::from_str(json).expect("a valid API Gateway v2 event")
}

fn with_body(json: &str, body: &[u8], content_type: Option<&str>) -> Request {
    let mut req = event(json);
    *req.body_mut() = Body::Binary(body.to_vec());
    match content_type {
        Some(ct) => {
            req.headers_mut()
                .insert(header::CONTENT_TYPE, ct.parse().unwrap());
        }
        None => {
            req.headers_mut().remove(header::CONTENT_TYPE);
        }
    }
    req
}

async fn call(app: &App, req: Request) -> (StatusCode, String) {
    let res = handle(app, req).await.unwrap();
    let body = String::from_utf8(res.body().as_ref().to_vec()).unwrap();
    (res.status(), body)
}

/// `req` answered with `status` and nothing stored; the body, for more checks.
async fn stores_nothing(store: &Arc<RecordingStore>, req: Request, status: StatusCode) -> String {
    let (got, body) = call(&app(store.clone()), req).await;
    assert_eq!(got, status);
    assert!(store.changes.lock().unwrap().is_empty());
    body
}

const COMMENTS: &str = include_str!("../../../../infra/events/meta-comments.json");
const BASE64: &str = include_str!("../../../../infra/events/meta-instagram-base64.json");
const UMLAUTS: &str = include_str!("../../../../infra/events/meta-escaped-umlauts.json");
const REACTION: &str = include_str!("../../../../infra/events/meta-unsupported-reaction.json");
const BAD_SIGNATURE: &str = include_str!("../../../../infra/events/meta-bad-signature.json");
const HANDSHAKE: &str = include_str!("../../../../infra/events/meta-handshake.json");

#[tokio::test]
async fn a_signed_delivery_is_stored_change_by_change_and_answered_200() {
    let store = Arc::new(RecordingStore::default());
    let (status, body) = call(&app(store.clone()), event(COMMENTS)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ids: Vec<_> = store
        .changes
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.feedback.item_id.to_string())
        .collect();
    assert_eq!(ids, ["777_9001", "777_9002", "777_9003"]);
    assert!(store.unsupported.lock().unwrap().is_empty());
    assert!(body.contains("\"inserted\":3"), "{body}");
}

#[tokio::test]
async fn a_base64_encoded_body_is_verified_over_its_decoded_bytes() {
    let store = Arc::new(RecordingStore::default());
    let (status, body) = call(&app(store.clone()), event(BASE64)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(store.changes.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn escaped_non_ascii_is_verified_raw_and_decoded_in_the_text() {
    let store = Arc::new(RecordingStore::default());
    let (status, body) = call(&app(store.clone()), event(UMLAUTS)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let changes = store.changes.lock().unwrap();
    let f = &changes[0].feedback;
    assert_eq!(
        f.text.as_deref(),
        Some("Die Lieferung war spät und das Brot war hart. Sehr ärgerlich!")
    );
    assert_eq!(f.author_name.as_deref(), Some("Jürgen Müller"));
    assert!(f.raw.contains("sp\\u00e4t"), "raw keeps Meta's escapes");
}

#[tokio::test]
async fn a_wrong_signature_is_401_without_saying_why_and_nothing_reaches_storage() {
    let store = Arc::new(RecordingStore::default());
    let (status, body) = call(&app(store.clone()), event(BAD_SIGNATURE)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("could not be verified"), "{body}");
    for detail in ["secret", "mismatch", "match", "sha256", "header"] {
        assert!(!body.contains(detail), "{body}");
    }
    assert!(store.changes.lock().unwrap().is_empty());
    assert!(store.unsupported.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_missing_signature_is_401_and_nothing_reaches_storage() {
    let store = Arc::new(RecordingStore::default());
    let mut req = event(COMMENTS);
    req.headers_mut().remove("x-hub-signature-256");
    stores_nothing(&store, req, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_signed_but_unusable_delivery_is_kept_raw_and_answered_200() {
    let store = Arc::new(RecordingStore::default());
    let (status, _) = call(&app(store.clone()), event(REACTION)).await;
    assert_eq!(status, StatusCode::OK);
    let kept = store.unsupported.lock().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].route, "meta");
    assert!(kept[0].reasons[0].contains("reaction"));
    let body = event(REACTION);
    assert_eq!(kept[0].body, body.body().as_ref());
}

#[tokio::test]
async fn a_storage_failure_is_500_so_meta_retries() {
    let store = Arc::new(RecordingStore::failing());
    let (status, body) = call(&app(store), event(COMMENTS)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !body.contains("connection refused"),
        "5xx bodies are opaque"
    );
}

#[tokio::test]
async fn a_storage_failure_while_keeping_an_unsupported_delivery_is_500() {
    let store = Arc::new(RecordingStore::failing());
    let (status, _) = call(&app(store), event(REACTION)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn the_handshake_echoes_the_challenge_as_plain_text() {
    let store = Arc::new(RecordingStore::default());
    let res = handle(&app(store), event(HANDSHAKE)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.body().as_ref(), b"1158201444");
    assert!(
        res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
}

#[tokio::test]
async fn a_handshake_with_the_wrong_token_is_403() {
    let store = Arc::new(RecordingStore::default());
    let mut req = event(HANDSHAKE);
    *req.uri_mut() = "https://abc123.example/webhooks/meta?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"
        .parse()
        .unwrap();
    let (status, _) = call(&app(store), req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_unknown_platform_is_404() {
    let store = Arc::new(RecordingStore::default());
    let mut req = event(COMMENTS);
    *req.uri_mut() = "https://abc123.example/webhooks/myspace".parse().unwrap();
    stores_nothing(&store, req, StatusCode::NOT_FOUND).await;
    let mut req = event(COMMENTS);
    *req.uri_mut() = "https://abc123.example/somewhere/else".parse().unwrap();
    stores_nothing(&store, req, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let store = Arc::new(RecordingStore::default());
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let req = with_body(COMMENTS, b"{}", content_type);
        let (status, _) = call(&app(store.clone()), req).await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
    }
    let req = with_body(COMMENTS, b"{}", Some("Application/JSON; charset=utf-8"));
    let (status, _) = call(&app(store), req).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "JSON with parameters passes on to the signature check"
    );
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413() {
    let store = Arc::new(RecordingStore::default());
    let big = vec![b' '; MAX_BODY_BYTES + 1];
    let (status, _) = call(
        &app(store.clone()),
        with_body(COMMENTS, &big, Some("application/json")),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let at_limit = vec![b' '; MAX_BODY_BYTES];
    let (status, _) = call(
        &app(store),
        with_body(COMMENTS, &at_limit, Some("application/json")),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "exactly 1 MiB is accepted for checking"
    );
}

#[tokio::test]
async fn other_methods_are_405() {
    let store = Arc::new(RecordingStore::default());
    let mut req = event(COMMENTS);
    *req.method_mut() = Method::PUT;
    let (status, _) = call(&app(store), req).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn arbitrary_bodies_with_a_valid_signature_never_panic() {
    let store = Arc::new(RecordingStore::default());
    let app = app(store.clone());
    let bodies: [&[u8]; 6] = [
        b"",
        b"\xff\xfe\x00",
        b"{\"object\":\"page\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"feed\",\"value\":null}]}]}",
        b"{\"object\":\"page\",\"entry\":\"nope\"}",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]",
        b"{\"object\":\"instagram\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"comments\",\"value\":{\"id\":12345678901234567890123}}]}]}",
    ];
    for body in bodies {
        let signature = format!(
            "sha256={}",
            platforms::signature::hmac_sha256_hex("local-app-secret", body)
        );
        let mut req = with_body(COMMENTS, body, Some("application/json"));
        req.headers_mut()
            .insert("x-hub-signature-256", signature.parse().unwrap());
        let (status, _) = call(&app, req).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(body));
    }
    assert_eq!(store.unsupported.lock().unwrap().len(), bodies.len());
    assert!(store.changes.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_huge_signature_header_is_401_and_stores_nothing() {
    let store = Arc::new(RecordingStore::default());
    let mut req = event(COMMENTS);
    let huge = format!("sha256={}", "a".repeat(64 * 1024));
    req.headers_mut()
        .insert("x-hub-signature-256", huge.parse().unwrap());
    stores_nothing(&store, req, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_duplicated_signature_header_is_401_even_when_one_is_right() {
    let store = Arc::new(RecordingStore::default());
    let mut req = event(COMMENTS);
    req.headers_mut().append(
        "x-hub-signature-256",
        format!("sha256={}", "0".repeat(64)).parse().unwrap(),
    );
    let body = stores_nothing(&store, req, StatusCode::UNAUTHORIZED).await;
    assert!(!body.contains("more than once"), "{body}");
}

#[tokio::test]
async fn deeply_nested_signed_json_is_kept_as_unsupported_without_overflowing_the_stack() {
    let store = Arc::new(RecordingStore::default());
    let depth = 100_000;
    let body = format!(
        "{{\"object\":\"page\",\"entry\":{}{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let signature = format!(
        "sha256={}",
        platforms::signature::hmac_sha256_hex("local-app-secret", body.as_bytes())
    );
    let mut req = with_body(COMMENTS, body.as_bytes(), Some("application/json"));
    req.headers_mut()
        .insert("x-hub-signature-256", signature.parse().unwrap());
    let (status, _) = call(&app(store.clone()), req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(store.unsupported.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_delivery_storage_refuses_for_good_is_answered_200_not_retried_for_days() {
    let store = Arc::new(RecordingStore {
        refuse: true,
        ..RecordingStore::default()
    });
    let (status, body) = call(&app(store.clone()), event(COMMENTS)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("refused"), "{body}");
}

/// Meta and Google, Google's keys at `jwks`'s URL, reloading the secrets on every failure.
fn meta_and_google(jwks: &wiremock::MockServer, store: Arc<RecordingStore>) -> App {
    let dir = env!("CARGO_MANIFEST_DIR");
    let vars = HashMap::from([
        ("TABLE_NAME", "feedback".to_owned()),
        ("META_APP_SECRETS", "local-app-secret".to_owned()),
        ("META_VERIFY_TOKEN", "local-verify-token".to_owned()),
        (
            "GOOGLE_PUBSUB_AUDIENCE",
            "https://hooks.example/webhooks/google".to_owned(),
        ),
        (
            "GOOGLE_PUBSUB_SERVICE_ACCOUNT",
            "push@shop-1.iam.gserviceaccount.com".to_owned(),
        ),
        ("GOOGLE_JWKS_URL", format!("{}/certs", jwks.uri())),
        (
            "GOOGLE_LOCAL_SIGNING_KEY_FILE",
            format!("{dir}/../../infra/google-local/signing-key.pem"),
        ),
    ]);
    let build = move || {
        crate::IngestConfig::from_lookup(|k| vars.get(k).cloned())
            .ok()
            .map(|c| c.platforms)
    };
    let platforms = build().unwrap();
    App::new(platforms, store).with_reload(
        Reload::new(move || Box::pin(std::future::ready(build()))).every(Duration::ZERO),
    )
}

fn google_push(app: &App) -> Request {
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD.encode(
        r#"{"notificationType":"NEW_REVIEW","reviewName":"accounts/1/locations/2/reviews/r1","locationName":"accounts/1/locations/2"}"#,
    );
    let body = format!(r#"{{"message":{{"data":"{data}","messageId":"m1"}},"subscription":"s"}}"#);
    let signed = app
        .registry()
        .get("google")
        .unwrap()
        .sign_for_test(body.as_bytes(), OffsetDateTime::now_utc())
        .unwrap();
    let mut req = with_body(COMMENTS, body.as_bytes(), Some("application/json"));
    *req.uri_mut() = "https://hooks.example/webhooks/google".parse().unwrap();
    for (k, v) in signed.headers {
        req.headers_mut().insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    req
}

async fn google_keys(status: u16, expect: u64) -> wiremock::MockServer {
    use wiremock::matchers::{method, path};
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(method("GET"))
        .and(path("/certs"))
        .respond_with(
            wiremock::ResponseTemplate::new(status)
                .insert_header("cache-control", "public, max-age=21000")
                .set_body_raw(
                    include_str!("../../../../infra/google-local/jwks.json"),
                    "application/json",
                ),
        )
        .expect(expect)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_secrets_reload_after_a_bad_meta_signature_keeps_googles_cached_keys() {
    let jwks = google_keys(200, 1).await;
    let store = Arc::new(RecordingStore::default());
    let app = meta_and_google(&jwks, store.clone());
    assert_eq!(call(&app, google_push(&app)).await.0, StatusCode::OK);
    assert_eq!(
        call(&app, event(BAD_SIGNATURE)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(call(&app, google_push(&app)).await.0, StatusCode::OK);
    assert_eq!(store.changes.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_google_push_while_its_keys_cannot_be_fetched_is_503_so_pubsub_retries_and_nothing_is_stored()
 {
    let jwks = google_keys(503, 1).await;
    let store = Arc::new(RecordingStore::default());
    let app = meta_and_google(&jwks, store.clone());
    for _ in 0..5 {
        let (status, body) = call(&app, google_push(&app)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    }
    assert!(store.changes.lock().unwrap().is_empty());
    assert!(store.unsupported.lock().unwrap().is_empty());
}
