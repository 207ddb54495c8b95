//! Google Business Profile, Trustpilot and the Standard Webhooks door, each from a signed
//! (or URL-authenticated) delivery through ingest and the responder against DynamoDB Local
//! and `wiremock` platform APIs: rejections before any storage call, one record however
//! often a delivery comes, reviews fetched and answered once, rating history kept.

use async_trait::async_trait;
use base64::Engine;
use feedback::{FeedbackChange, ItemId, Platform};
use platforms::reply::Outbound;
use serde_json::{Value, json};
use service::credentials::Credentials;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use store::{FeedbackKey, FeedbackStore, RecordOutcome, StoreError, UnsupportedDelivery};
use time::OffsetDateTime;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::dynamodb::assert_flag;
use workspace_tests::dynamodb::{TestTable, stars_history, str_attr};
use workspace_tests::meta::webhook_post;
use workspace_tests::mock::api_answering;
use workspace_tests::mock::{Answer, google_outbound, oauth_client, received, token_endpoint};
use workspace_tests::responder::{dutch_page, responder_on, stream_event_of};

/// A DynamoDB store that counts the calls that reach it.
struct Counting {
    inner: store::DynamoStore,
    calls: AtomicUsize,
}

#[async_trait]
impl FeedbackStore for Counting {
    async fn record_changes(
        &self,
        changes: &[FeedbackChange],
    ) -> Result<RecordOutcome, StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.record_changes(changes).await
    }

    async fn record_unsupported(&self, delivery: &UnsupportedDelivery) -> Result<bool, StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.record_unsupported(delivery).await
    }
}

fn workspace() -> String {
    format!("{}/..", env!("CARGO_MANIFEST_DIR"))
}

fn lookup(vars: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
    move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
}

struct Ingest {
    app: webhook_ingest::App,
    counting: Arc<Counting>,
}

fn ingest(table: &TestTable, vars: Vec<(&'static str, String)>) -> Ingest {
    let registry = platforms::registry::from_lookup(&lookup(vars)).unwrap();
    let counting = Arc::new(Counting {
        inner: table.store(),
        calls: AtomicUsize::new(0),
    });
    Ingest {
        app: webhook_ingest::App::new(registry, counting.clone()),
        counting,
    }
}

async fn post(
    ingest: &Ingest,
    route: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> (u16, Value) {
    let req = webhook_post(route, headers.iter().map(|(k, v)| (*k, v.as_str())), body);
    let res = webhook_ingest::handle(&ingest.app, req).await.unwrap();
    let status = res.status().as_u16();
    let body = match res.body() {
        lambda_http::Body::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    (status, body)
}

async fn run_stream(
    responder: &feedback_responder::Responder,
    pk: &str,
    sk: &str,
    record_type: &'static str,
    seq: u64,
) {
    let res = feedback_responder::handle(
        responder,
        stream_event_of(&[(pk.to_owned(), sk.to_owned(), record_type)], seq),
    )
    .await
    .unwrap();
    assert!(res.batch_item_failures.is_empty(), "{res:?}");
}

// ---------------------------------------------------------------- Google

const AUDIENCE: &str = "https://hooks.example/webhooks/google";
const PUSHER: &str = "reviews-push@shop-1.iam.gserviceaccount.com";
const REVIEW: &str = "accounts/111/locations/222/reviews/rv-abc_1";

fn google_vars() -> Vec<(&'static str, String)> {
    vec![
        ("GOOGLE_PUBSUB_AUDIENCE", AUDIENCE.to_owned()),
        ("GOOGLE_PUBSUB_SERVICE_ACCOUNT", PUSHER.to_owned()),
        ("GOOGLE_JWKS_URL", "http://127.0.0.1:9/certs".to_owned()),
        (
            "GOOGLE_LOCAL_JWKS_FILE",
            format!("{}/infra/google-local/jwks.json", workspace()),
        ),
        (
            "GOOGLE_LOCAL_SIGNING_KEY_FILE",
            format!("{}/infra/google-local/signing-key.pem", workspace()),
        ),
    ]
}

fn google_token(claims: Value) -> String {
    let pem = std::fs::read(format!(
        "{}/infra/google-local/signing-key.pem",
        workspace()
    ))
    .unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("reputation-guard-local".into());
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(&pem).unwrap(),
    )
    .unwrap()
}

fn google_claims() -> Value {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    json!({"aud": AUDIENCE, "iss": "accounts.google.com", "email": PUSHER, "email_verified": true, "exp": now + 600, "iat": now})
}

fn google_push(kind: &str, message_id: &str) -> Vec<u8> {
    let data =
        json!({"type": kind, "review_name": REVIEW, "location_name": "accounts/111/locations/222"});
    json!({"message": {"data": base64::engine::general_purpose::STANDARD.encode(data.to_string()), "messageId": message_id},
           "subscription": "projects/shop-1/subscriptions/reviews"})
    .to_string()
    .into_bytes()
}

async fn google_api(stars: &'static str) -> MockServer {
    let api = MockServer::start().await;
    token_endpoint(&api, &["refresh_token=google-refresh"], "g-at").await;
    Mock::given(method("GET"))
        .and(path(format!("/v4/{REVIEW}")))
        .answer(200, json!({
            "name": REVIEW, "starRating": stars, "reviewer": {"displayName": "Piet de Boer"},
            "createTime": OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap()
        }), &api).await;
    Mock::given(method("PUT"))
        .and(path(format!("/v4/{REVIEW}/reply")))
        .answer(200, json!({"comment": "ok"}), &api)
        .await;
    api
}

fn google_responder(table: &TestTable, api: &MockServer) -> feedback_responder::Responder {
    let credentials =
        Credentials::local(|k| (k == "GOOGLE_REFRESH_TOKEN").then(|| "google-refresh".to_owned()));
    responder_on(
        Arc::new(table.store()),
        google_outbound(api),
        credentials,
        dutch_page(),
    )
}

#[tokio::test]
async fn forged_expired_or_misaddressed_google_pushes_are_refused_before_any_storage_call() {
    let table = TestTable::new().await;
    let ingest = ingest(&table, google_vars());
    let body = google_push("NEW_REVIEW", "m-1");
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut cases: Vec<(&str, String)> = Vec::new();
    for (what, field, value) in [
        ("expired", "exp", json!(now - 3600)),
        ("wrong audience", "aud", json!("https://other.example")),
        ("wrong issuer", "iss", json!("https://evil.example")),
        (
            "wrong email",
            "email",
            json!("intruder@evil.iam.gserviceaccount.com"),
        ),
    ] {
        let mut claims = google_claims();
        claims[field] = value;
        cases.push((what, google_token(claims)));
    }
    // Forged: the right claims, signed by another key under the same key id.
    let forger = rsa_forger_token(google_claims());
    cases.push(("forged", forger));
    for (what, token) in cases {
        let (status, _) = post(
            &ingest,
            "google",
            &[("authorization", format!("Bearer {token}"))],
            &body,
        )
        .await;
        assert_eq!(status, 401, "{what}");
    }
    assert_eq!(ingest.counting.calls.load(Ordering::SeqCst), 0);
    assert!(table.scan().await.is_empty());
}

fn rsa_forger_token(claims: Value) -> String {
    let pem = include_str!("../../../shared/platforms/src/google/testdata/forger-key.pem");
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("reputation-guard-local".into());
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_google_review_is_stored_once_answered_once_and_its_new_rating_kept_with_history() {
    let table = TestTable::new().await;
    let ingest = ingest(&table, google_vars());
    let auth = [(
        "authorization",
        format!("Bearer {}", google_token(google_claims())),
    )];
    for _ in 0..3 {
        let (status, _) = post(&ingest, "google", &auth, &google_push("NEW_REVIEW", "m-1")).await;
        assert_eq!(status, 200);
    }
    assert_eq!(table.items_of_type("feedback").await.len(), 1);

    let api = google_api("ONE").await;
    let responder = google_responder(&table, &api);
    let pk = format!("feedback#google#{REVIEW}");
    run_stream(&responder, &pk, "feedback", "feedback", 1).await;
    run_stream(&responder, &pk, "feedback", "feedback", 2).await;
    let puts = received(&api, "PUT", "").await;
    assert_eq!(puts.len(), 1, "one owner reply, ever");
    let reply: Value = serde_json::from_slice(&puts[0].body).unwrap();
    let text = reply["comment"].as_str().unwrap();
    assert!(text.starts_with("Hallo Piet,"), "{text}");
    assert!(!text.contains("privé"), "{text}");
    assert!(text.len() <= 4096);

    let key = FeedbackKey {
        platform: Platform::from_static("google"),
        item_id: ItemId::parse(REVIEW).unwrap(),
    };
    let bundle = table.store().item(&key).await.unwrap();
    let task = bundle.task.unwrap();
    assert_eq!(task.channel, store::TaskChannel::Manual);
    assert_flag(&task, "set_contact_line");

    // The reviewer comes back with four stars: the update is fetched, the record keeps
    // the history and the task says so; nothing is posted again.
    delivered_twice(
        &ingest,
        "google",
        &auth,
        &google_push("UPDATED_REVIEW", "m-2"),
    )
    .await;
    let refreshes = table.items_of_type("refresh").await;
    assert_eq!(refreshes.len(), 1, "one refresh per delivery");
    let api4 = google_api("FOUR").await;
    let responder = google_responder(&table, &api4);
    run_stream(
        &responder,
        &pk,
        str_attr(&refreshes[0], "sk").unwrap(),
        "refresh",
        3,
    )
    .await;
    let record = table.feedback(&key).await;
    assert_eq!(record.feedback.rating.map(|r| r.stars()), Some(4));
    assert_eq!(stars_history(&record), [1]);
    let task = table.task(&key).await;
    assert_flag(&task, "review_updated");
    assert!(
        !api4
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .any(|r| r.method.as_str() == "PUT"),
        "an update is not answered again"
    );
}

// ---------------------------------------------------------------- Trustpilot

const TP_SECRET: &str = "tp-url-secret-0123456789abcdef";
const TP_REVIEW: &str = "6741f0c2a1b2c3d4e5f60718";

fn tp_event(name: &str, stars: u8) -> Vec<u8> {
    json!({"events": [{"eventName": name, "eventData": {
        "id": TP_REVIEW, "stars": stars, "title": "Traag", "text": "Twee weken gewacht op mijn bestelling.",
        "language": "nl", "consumer": {"id": "c-1", "name": "Joris"}
    }}]})
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn trustpilot_deliveries_need_the_url_secret_and_are_stored_once() {
    let table = TestTable::new().await;
    let ingest = ingest(
        &table,
        vec![("TRUSTPILOT_URL_SECRETS", TP_SECRET.to_owned())],
    );
    for route in ["trustpilot", "trustpilot/wrong-secret-0123456789abcdef"] {
        let (status, _) = post(&ingest, route, &[], &tp_event("service-review-created", 1)).await;
        assert_eq!(status, 401, "{route}");
    }
    assert_eq!(ingest.counting.calls.load(Ordering::SeqCst), 0);
    let route = format!("trustpilot/{TP_SECRET}");
    delivered_twice(&ingest, &route, &[], &tp_event("service-review-created", 1)).await;
    assert_eq!(table.items_of_type("feedback").await.len(), 1);
    // What a deleted event does (nothing until the API says the review is gone) is in
    // `a_trustpilot_delivery_only_says_look_again_…`.
}

/// When the API says the review was written: an hour before the test ran.
fn tp_created() -> String {
    (OffsetDateTime::now_utc() - time::Duration::hours(1))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// Trustpilot's API serving the review with `stars` (or 404 when `None`), and a token.
async fn tp_api(stars: Option<u8>) -> MockServer {
    let api = api_answering(
        "POST",
        "/token",
        200,
        json!({"access_token": "tp-at", "expires_in": "359999"}),
    )
    .await;
    let created_at = tp_created();
    let review = match stars {
        Some(stars) => ResponseTemplate::new(200).set_body_json(json!({
            "id": TP_REVIEW, "stars": stars, "title": "Traag", "text": "Twee weken gewacht.",
            "consumer": {"id": "c-1", "displayName": "Joris V."},
            "createdAt": created_at
        })),
        None => ResponseTemplate::new(404),
    };
    Mock::given(method("GET"))
        .and(path(format!("/v1/private/reviews/{TP_REVIEW}")))
        .respond_with(review)
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/private/reviews/{TP_REVIEW}/reply")))
        .answer_status(201, &api)
        .await;
    api
}

fn tp_responder(table: &TestTable, api: &MockServer) -> feedback_responder::Responder {
    use platforms::trustpilot::replies::TrustpilotReplies;
    let auth = platforms::oauth::ClientAuth::Basic {
        id: "k".into(),
        secret: secrecy::SecretString::from("s".to_owned()),
    };
    let client = oauth_client(api, auth, |http, base, token_url, auth| {
        TrustpilotReplies::new(http, base, token_url, auth, "bu-1".into())
    });
    responder_on(
        Arc::new(table.store()),
        Outbound::new().with(TrustpilotReplies::outbound(Arc::new(client))),
        Credentials::local(|_| Some("tp-refresh".to_owned())),
        dutch_page(),
    )
}

fn tp_forged(name: &str, stars: u8, text: &str) -> Vec<u8> {
    json!({"events": [{"eventName": name, "eventData": {
        "id": TP_REVIEW, "stars": stars, "title": "Top", "text": text,
        "createdAt": "2020-01-01T00:00:00Z", "consumer": {"id": "c-9", "name": "Planted Name"}
    }}]})
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn a_trustpilot_delivery_only_says_look_again_what_the_api_serves_is_stored_and_only_a_404_removes_a_review()
 {
    let table = TestTable::new().await;
    let ingest = ingest(
        &table,
        vec![("TRUSTPILOT_URL_SECRETS", TP_SECRET.to_owned())],
    );
    let route = format!("trustpilot/{TP_SECRET}");
    let key = FeedbackKey {
        platform: Platform::from_static("trustpilot"),
        item_id: ItemId::parse(TP_REVIEW).unwrap(),
    };
    let pk = format!("feedback#trustpilot#{TP_REVIEW}");
    // Created, with a planted name, time, text and five stars: only the id is kept.
    let created = tp_forged("service-review-created", 5, "Great! http://evil.example");
    assert_eq!(post(&ingest, &route, &[], &created).await.0, 200);
    let record = table.feedback(&key).await;
    assert_eq!(record.feedback.text, None);
    assert_eq!(record.feedback.rating, None);
    assert_eq!(record.feedback.author_name, None);
    assert!(
        !record.feedback.raw.contains("evil"),
        "{}",
        record.feedback.raw
    );
    // The responder fetches it: what the API says is stored and answered.
    let api = tp_api(Some(2)).await;
    run_stream(&tp_responder(&table, &api), &pk, "feedback", "feedback", 1).await;
    let record = table.feedback(&key).await;
    assert_eq!(record.feedback.rating.map(|r| r.stars()), Some(2));
    assert_eq!(record.feedback.author_name.as_deref(), Some("Joris V."));
    // The API's time (an hour ago), not the delivery's 2020.
    let created = record.feedback.created_at.unwrap();
    assert!(
        OffsetDateTime::now_utc() - created < time::Duration::hours(2),
        "{created}"
    );
    assert!(!record.feedback.text.unwrap_or_default().contains("evil"));

    // Updated with a planted link and five stars: nothing of it is stored; one refresh.
    let updated = tp_forged("service-review-updated", 5, "Visit http://evil.example");
    assert_eq!(post(&ingest, &route, &[], &updated).await.0, 200);
    let record = table.feedback(&key).await;
    assert_eq!(record.feedback.rating.map(|r| r.stars()), Some(2));
    assert!(!record.feedback.text.unwrap_or_default().contains("evil"));
    let refreshes = table.items_of_type("refresh").await;
    assert_eq!(refreshes.len(), 1);
    // The API now says three stars: kept, and the task says the review changed.
    let api3 = tp_api(Some(3)).await;
    let sk = str_attr(&refreshes[0], "sk").unwrap().to_owned();
    run_stream(&tp_responder(&table, &api3), &pk, &sk, "refresh", 2).await;
    let record = table.feedback(&key).await;
    assert_eq!(record.feedback.rating.map(|r| r.stars()), Some(3));
    let task = table.task(&key).await;
    assert_flag(&task, "review_updated");

    // Deleted while the API still serves it: not removed.
    let deleted = tp_forged("service-review-deleted", 1, "gone");
    assert_eq!(post(&ingest, &route, &[], &deleted).await.0, 200);
    assert!(!table.feedback(&key).await.removed);
    let refresh = table
        .items_of_type("refresh")
        .await
        .into_iter()
        .map(|r| str_attr(&r, "sk").unwrap().to_owned())
        .find(|s| *s != sk)
        .unwrap();
    run_stream(&tp_responder(&table, &api3), &pk, &refresh, "refresh", 3).await;
    assert!(!table.feedback(&key).await.removed);
    // The API answers 404: now it is removed.
    let gone = tp_api(None).await;
    run_stream(&tp_responder(&table, &gone), &pk, &refresh, "refresh", 4).await;
    assert!(table.feedback(&key).await.removed);
}

// ---------------------------------------------------------------- Standard Webhooks

const KEY: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn signed(id: &str, at: i64, body: &[u8]) -> Vec<(&'static str, String)> {
    let door = platforms::standard::StandardWebhooks::new(&[KEY]).unwrap();
    vec![
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", at.to_string()),
        ("webhook-signature", door.sign(id, at, body).unwrap()),
    ]
}

/// The same delivery posted twice (a redelivery), accepted both times.
async fn delivered_twice(ingest: &Ingest, route: &str, headers: &[(&str, String)], body: &[u8]) {
    for _ in 0..2 {
        let (status, _) = post(ingest, route, headers, body).await;
        assert_eq!(status, 200);
    }
}

async fn post_signed(
    ingest: &Ingest,
    headers: Vec<(&'static str, String)>,
    body: &[u8],
) -> (u16, Value) {
    let headers: Vec<(&str, String)> = headers.into_iter().collect();
    post(ingest, "standard", &headers, body).await
}

/// `body` posted to the Standard Webhooks door, signed as message `id` sent at `at`.
async fn post_standard(ingest: &Ingest, id: &str, at: i64, body: &str) -> (u16, Value) {
    post_signed(ingest, signed(id, at, body.as_bytes()), body.as_bytes()).await
}

#[tokio::test]
async fn the_standard_door_refuses_bad_signatures_and_stale_timestamps_and_explains_invalid_items()
{
    let table = TestTable::new().await;
    let ingest = ingest(&table, vec![("STANDARD_WEBHOOK_SECRETS", KEY.to_owned())]);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let item = json!({"type": "feedback.v1", "source": "brand24", "item_id": "m-1", "text": "Website werkt al dagen niet", "url": "https://forum.example/t/1"}).to_string();

    let mut bad = signed("msg_1", now, item.as_bytes());
    bad[2].1 = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into();
    assert_eq!(post_signed(&ingest, bad, item.as_bytes()).await.0, 401);
    // Well outside the 5-minute window, so a slow machine cannot bring it back inside.
    for at in [now - 400, now + 400] {
        assert_eq!(post_standard(&ingest, "msg_1", at, &item).await.0, 401);
    }
    assert_eq!(ingest.counting.calls.load(Ordering::SeqCst), 0);

    let invalid = json!({"type": "feedback.v1", "source": "brand24", "rating": 9}).to_string();
    let (status, body) = post_standard(&ingest, "msg_2", now, &invalid).await;
    assert_eq!(status, 400);
    let problems = body["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.as_str().unwrap().starts_with("item_id")),
        "{body}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.as_str().unwrap().starts_with("rating")),
        "{body}"
    );
    assert_eq!(
        table.items_of_type("unsupported").await.len(),
        1,
        "kept raw"
    );

    delivered_twice(
        &ingest,
        "standard",
        &signed("msg_3", now, item.as_bytes()),
        item.as_bytes(),
    )
    .await;
    assert_eq!(table.items_of_type("feedback").await.len(), 1);

    let responder = responder_on(
        Arc::new(table.store()),
        platforms::outbound::from_lookup(&|_| None).unwrap(),
        Credentials::local(|_| None),
        dutch_page(),
    );
    run_stream(
        &responder,
        "feedback#standard#brand24:m-1",
        "feedback",
        "feedback",
        1,
    )
    .await;
    let key = FeedbackKey::parse_id("standard:brand24:m-1").unwrap();
    let bundle = table.store().item(&key).await.unwrap();
    assert!(
        bundle.messages.is_empty(),
        "nothing can be sent through the door"
    );
    let task = bundle.task.unwrap();
    assert_eq!(task.channel, store::TaskChannel::Manual);
    assert_eq!(
        bundle.feedback.unwrap().feedback.url.as_deref(),
        Some("https://forum.example/t/1")
    );
}
