//! Contract tests for trustpilot: its fixtures through the real door and client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::support::testing::{call, post_to, secret, stand_in_http};
use crate::support::{Fixture, assert_every_fixture_tested, assert_reconnect, load, sent_header};
use feedback::{AccountId, ChangeVerb};
use platforms::oauth::{ClientAuth, TokenCache};
use platforms::reply::ReplyClient;
use platforms::trustpilot::TrustpilotWebhooks;
use platforms::trustpilot::replies::TrustpilotReplies;
use platforms::{InboundRequest, VerifyError, WebhookPlatform};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use time::macros::datetime;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A URL secret made for the test.
const SECRET: &str = "contract-test-url-secret-0123456789";
const UNIT: &str = "5f0c1b2a3d4e5f6a7b8c9d0e";
const TOKEN_PATH: &str = "/v1/oauth/oauth-business-users-for-applications/refresh";
/// Base64 of `key-1:secret-1`.
const BASIC: &str = "Basic a2V5LTE6c2VjcmV0LTE=";

fn delivery(fixture: &Fixture, tail: &[&str]) -> InboundRequest {
    post_to(tail, fixture.text.as_bytes())
}

fn account() -> AccountId {
    AccountId::parse(UNIT).unwrap()
}

fn basic() -> ClientAuth {
    ClientAuth::Basic {
        id: "key-1".into(),
        secret: secret("secret-1"),
    }
}

/// A clock that stands still until the test moves it.
fn clock() -> (Arc<AtomicU64>, platforms::oauth::Clock) {
    let start = Instant::now();
    let offset = Arc::new(AtomicU64::new(0));
    let seen = offset.clone();
    (
        offset,
        Arc::new(move || start + Duration::from_secs(seen.load(Ordering::SeqCst))),
    )
}

/// Put double quotes around the keys of a JavaScript-style object (`{ key: "v", … }`),
/// the one change the `-quoted.json` fixtures list.
fn quote_keys(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(|c: char| c.is_ascii_alphabetic() || c == '"') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(stripped) = rest.strip_prefix('"') {
            // A string value: copy it whole.
            let end = stripped.find('"').unwrap() + 2;
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap();
            out.push_str(&format!("\"{}\"", &rest[..end]));
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

async fn token_endpoint_answering(fixture: &Fixture, expected_calls: u64) -> MockServer {
    let server = MockServer::start().await;
    call("POST", TOKEN_PATH)
        .respond_with(
            ResponseTemplate::new(fixture.status())
                .insert_header("content-type", "application/json")
                .set_body_string(fixture.text.clone()),
        )
        .expect(expected_calls)
        .mount(&server)
        .await;
    server
}

/// The documented answer read by the real cache: the token is used, and kept for the
/// documented 359,999 s (less our one-minute margin), then exchanged again.
async fn a_documented_token_answer_is_read_and_kept_for_its_life(fixture: &Fixture) {
    assert_eq!(fixture.source.kind, "answer");
    let server = token_endpoint_answering(fixture, 2).await;
    let (offset, clock) = clock();
    let cache = TokenCache::new(
        stand_in_http(),
        format!("{}{TOKEN_PATH}", server.uri()),
        basic(),
    )
    .with_clock(clock);
    let refresh = secret("RefreshToken");
    let token = cache.get(&account(), &refresh).await;
    assert_eq!(
        token.as_ref().map(|t| t.expose_secret().to_owned()),
        Ok("AccessToken".to_owned()),
        "{}: {token:?}",
        fixture.name
    );
    // Kept until a minute before the documented expiry: no second exchange.
    offset.store(359_999 - 61, Ordering::SeqCst);
    cache.get(&account(), &refresh).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    // Then exchanged again.
    offset.store(359_999, Ordering::SeqCst);
    cache.get(&account(), &refresh).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_documented_password_grant_answer_with_expires_in_as_a_string_is_read_and_kept_100_hours()
 {
    a_documented_token_answer_is_read_and_kept_for_its_life(&load(
        "trustpilot/token-password-grant-quoted.json",
    ))
    .await;
}

#[tokio::test]
async fn the_documented_client_credentials_answer_is_read_and_kept_100_hours() {
    a_documented_token_answer_is_read_and_kept_for_its_life(&load(
        "trustpilot/token-client-credentials-quoted.json",
    ))
    .await;
}

fn published_text_differs_from_its_json_copy_only_by_quoted_keys(txt: &str, json: &str) {
    let published = load(txt);
    let copy = load(json);
    assert!(
        serde_json::from_str::<Value>(&published.text).is_err(),
        "{txt} is JSON: it should be the .json fixture"
    );
    assert!(!copy.source.verbatim && published.source.verbatim);
    assert_eq!(
        quote_keys(&published.text),
        copy.text,
        "{json} changed more than the keys"
    );
}

#[test]
fn the_published_password_grant_answer_has_unquoted_keys_and_its_json_copy_only_quotes_them() {
    published_text_differs_from_its_json_copy_only_by_quoted_keys(
        "trustpilot/token-password-grant.txt",
        "trustpilot/token-password-grant-quoted.json",
    );
}

#[test]
fn the_published_client_credentials_answer_has_unquoted_keys_and_its_json_copy_only_quotes_them() {
    published_text_differs_from_its_json_copy_only_by_quoted_keys(
        "trustpilot/token-client-credentials.txt",
        "trustpilot/token-client-credentials-quoted.json",
    );
}

/// Our refresh request, as the token endpoint receives it.
async fn our_refresh_request() -> wiremock::Request {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(load("trustpilot/token-password-grant-quoted.json").text),
        )
        .mount(&server)
        .await;
    let client = TrustpilotReplies::new(
        stand_in_http(),
        server.uri(),
        format!("{}{TOKEN_PATH}", server.uri()),
        basic(),
        "bu-user-1".into(),
    );
    client
        .access_token(&account(), &secret("RefreshToken"))
        .await
        .unwrap();
    server.received_requests().await.unwrap().remove(0)
}

#[tokio::test]
async fn our_token_request_carries_the_documented_basic_auth_and_form_content_type() {
    let f = load("trustpilot/token-request-client-credentials.txt");
    assert_eq!(f.source.kind, "request");
    let request = our_refresh_request().await;
    let header = |name: &str| sent_header(&request, name).unwrap_or_default().to_owned();
    // The documented headers: 'authorization: Basic <[BASE64_ENCODED(API_KEY:API_SECRET)]>'
    // and 'content-type: application/x-www-form-urlencoded'.
    assert!(
        f.text
            .contains("-H 'authorization: Basic <[BASE64_ENCODED(API_KEY:API_SECRET)]>'")
    );
    assert_eq!(header("authorization"), BASIC);
    let documented_type = "application/x-www-form-urlencoded";
    assert!(
        f.text
            .contains(&format!("-H 'content-type: {documented_type}'"))
    );
    assert_eq!(header("content-type"), documented_type);
    assert_eq!(request.method.as_str(), "POST");
}

#[tokio::test]
async fn our_refresh_request_sends_the_documented_payload_to_the_documented_path() {
    let f = load("trustpilot/token-request-refresh.txt");
    let (documented_url, documented_body) = f.text.trim().split_once(' ').unwrap();
    let documented_url = url::Url::parse(documented_url).unwrap();
    assert_eq!(
        documented_url.as_str(),
        platforms::trustpilot::replies::DEFAULT_TOKEN_URL,
        "our default token URL is the documented refresh endpoint"
    );
    let request = our_refresh_request().await;
    assert_eq!(request.url.path(), documented_url.path());
    let ours: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    let documented: Vec<(String, String)> = url::form_urlencoded::parse(documented_body.as_bytes())
        .into_owned()
        .collect();
    // Same fields in the same order; the documented placeholder `RefreshToken` is the
    // refresh token the test stored.
    assert_eq!(ours, documented);
}

#[tokio::test]
async fn the_documented_created_event_passes_the_url_secret_and_becomes_a_new_review() {
    let f = load("trustpilot/webhook-service-review-created.json");
    assert_eq!(f.source.kind, "delivery");
    let door = TrustpilotWebhooks::new(
        vec![SecretString::from(SECRET.to_owned())],
        Some(UNIT.to_owned()),
    );
    let now = datetime!(2026-12-06 10:00 UTC);
    assert_eq!(
        door.verify(&delivery(&f, &["wrong-secret-0123456789abcdef"]), now)
            .await
            .map(|_| ()),
        Err(VerifyError::BadCredential)
    );
    let request = delivery(&f, &[SECRET]);
    let verified = door.verify(&request, now).await.unwrap();
    let parsed = door.parse(&verified, now);
    assert!(
        parsed.unsupported.is_empty() && parsed.invalid.is_empty(),
        "{parsed:?}"
    );
    let [change] = parsed.changes.as_slice() else {
        panic!("one change expected: {parsed:?}")
    };
    assert_eq!(change.verb, ChangeVerb::Added);
    let r = &change.feedback;
    assert_eq!(r.item_id.as_str(), "53bffd360000640002975387");
    assert_eq!(
        r.account_id.as_str(),
        UNIT,
        "no unit in the body: the configured one"
    );
    // Not signed: only the id is kept; the review is fetched before it is answered.
    assert_eq!(r.rating, None);
    assert_eq!(r.text, None);
    assert_eq!(r.language, None);
    assert_eq!(r.author_id, None);
    assert_eq!(r.author_name, None);
    assert_eq!(r.created_at, None);
    assert_eq!(
        r.url.as_deref(),
        Some("https://www.trustpilot.com/reviews/53bffd360000640002975387"),
        "the URL is built from the id, never taken from the body's link"
    );
}

#[tokio::test]
async fn our_reply_request_matches_the_documented_reply_to_a_review() {
    let f = load("trustpilot/reply-request.json");
    let http = f.source.http.as_ref().unwrap();
    let documented = f.json();
    let review = "507f191e810c19729de860ea";
    let documented_path = http.path.as_deref().unwrap().replace("{reviewId}", review);
    let server = MockServer::start().await;
    call("POST", TOKEN_PATH)
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(load("trustpilot/token-password-grant-quoted.json").text),
        )
        .mount(&server)
        .await;
    call("POST", documented_path.as_str())
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&server)
        .await;
    let business_user = documented["authorBusinessUserId"].as_str().unwrap();
    let message = documented["message"].as_str().unwrap();
    let client = TrustpilotReplies::new(
        stand_in_http(),
        server.uri(),
        format!("{}{TOKEN_PATH}", server.uri()),
        basic(),
        business_user.to_owned(),
    );
    let token = client
        .access_token(&account(), &secret("RefreshToken"))
        .await
        .unwrap();
    let target = client.target(&feedback_for(review));
    client
        .post_public_reply(&target, message, &token)
        .await
        .unwrap();
    let sent = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.url.path() == documented_path)
        .unwrap();
    assert_eq!(Some(sent.method.as_str()), http.method.as_deref());
    assert_eq!(sent_header(&sent, "content-type"), Some("application/json"));
    assert_eq!(
        sent_header(&sent, "authorization"),
        Some("Bearer AccessToken")
    );
    let body: Value = serde_json::from_slice(&sent.body).unwrap();
    let body = body.as_object().unwrap();
    let documented = documented.as_object().unwrap();
    for (key, value) in body {
        let Some(example) = documented.get(key) else {
            panic!("we send {key}, which the documentation does not name")
        };
        assert_eq!(
            std::mem::discriminant(value),
            std::mem::discriminant(example),
            "{key}"
        );
    }
    assert_eq!(
        body["authorBusinessUserId"],
        documented["authorBusinessUserId"]
    );
    assert_eq!(body["message"], documented["message"]);
    assert!(
        !body.contains_key("submittedAt"),
        "submittedAt is assumed optional (README)"
    );
}

fn feedback_for(review: &str) -> feedback::Feedback {
    let body = serde_json::json!({"events": [{"eventName": "service-review-created",
        "eventData": {"id": review, "stars": 1}}]});
    let parsed = platforms::trustpilot::parse::parse_events(
        body.to_string().as_bytes(),
        Some(UNIT),
        datetime!(2026-12-06 10:00 UTC),
    );
    parsed.changes.into_iter().next().unwrap().feedback
}

#[test]
fn every_trustpilot_fixture_has_a_test() {
    assert_every_fixture_tested(
        "trustpilot",
        &[
            "trustpilot/reply-request.json",
            "trustpilot/token-client-credentials-quoted.json",
            "trustpilot/token-client-credentials.txt",
            "trustpilot/token-password-grant-quoted.json",
            "trustpilot/token-password-grant.txt",
            "trustpilot/token-request-client-credentials.txt",
            "trustpilot/token-request-refresh.txt",
            "trustpilot/webhook-service-review-created.json",
        ],
    );
}

#[tokio::test]
async fn a_token_refused_by_the_token_endpoint_means_reconnect_as_the_readme_assumes() {
    // Not documented (README): no error body is published, so the status alone decides.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_string(r#"{"error":"invalid_grant"}"#))
        .mount(&server)
        .await;
    let cache = TokenCache::new(
        stand_in_http(),
        format!("{}{TOKEN_PATH}", server.uri()),
        basic(),
    );
    let refused = cache.get(&account(), &secret("RefreshToken")).await;
    assert_reconnect(&refused);
}
