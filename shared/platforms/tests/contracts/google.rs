//! Contract tests for google: its fixtures through the real door and client.
//!
//! Deliveries are signed with the throw-away key of `infra/google-local/` (served as a JWKS
//! under the key id Google's example names) and go through `GoogleWebhooks`; answers are
//! served by a local server and read by `GoogleReplies` (and the `TokenCache` inside it);
//! documented requests are compared with what that client sends. Clocks are set from the
//! fixtures' own times, never from today.

// Test helpers outside `#[test]` functions: failing loudly is what they are for.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::support::testing::{call, post, secret};
use crate::support::{
    Fixture, assert_every_fixture_tested, assert_reconnect, assert_rejected, load, sent_header,
};
use base64::Engine;
use feedback::{ChangeVerb, Feedback};
use jsonwebtoken::{EncodingKey, Header};
use platforms::google::GoogleWebhooks;
use platforms::google::parse::parse_push;
use platforms::google::replies::GoogleReplies;
use platforms::oauth::ClientAuth;
use platforms::reply::{ReplyClient, ReplyError};
use platforms::{InboundRequest, VerifyError, WebhookPlatform};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::datetime;
use wiremock::{MockServer, Request, ResponseTemplate};

/// The throw-away key pair of `infra/google-local/` (never trusted on Lambda).
const SIGNING_KEY: &str = include_str!("../../../../infra/google-local/signing-key.pem");
const LOCAL_JWKS: &str = include_str!("../../../../infra/google-local/jwks.json");
const CERTS_PATH: &str = "/oauth2/v3/certs";
const TOKEN_PATH: &str = "/token";
const STORED_REFRESH: &str = "stored-refresh-token";
const CLIENT_ID: &str = "client-1.apps.googleusercontent.com";
/// A review the tests name.
const REVIEW: &str = "accounts/1234567890/locations/9876543210/reviews/AbCdEf-123_x";

// ---------------------------------------------------------------------------------------
// Deliveries: the Pub/Sub push door.

fn claims() -> Value {
    load("google/pubsub-push-token-claims.json").json()
}

fn header() -> Header {
    serde_json::from_value(load("google/pubsub-push-token-header.json").json())
        .expect("the documented header is a JOSE header")
}

fn claim_i64(name: &str) -> i64 {
    claims()[name].as_i64().unwrap_or_else(|| panic!("{name}"))
}

/// A moment inside the documented token's hour: a minute after `iat`.
fn inside_the_tokens_hour() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(claim_i64("iat") + 60).unwrap()
}

/// Google's keys as our door fetches them: the throw-away public key, under `kid`.
async fn google_keys(kid: &str, fetches: u64) -> MockServer {
    let mut set: Value = serde_json::from_str(LOCAL_JWKS).unwrap();
    for key in set["keys"].as_array_mut().unwrap() {
        key["kid"] = json!(kid);
    }
    let server = MockServer::start().await;
    call("GET", CERTS_PATH)
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("cache-control", "public, max-age=19800, must-revalidate")
                .set_body_json(set),
        )
        .expect(fetches)
        .mount(&server)
        .await;
    server
}

/// Our door, configured for the audience and service account of the documented claims
/// (unless told otherwise).
fn door(keys: &MockServer, audience: &str, account: &str) -> GoogleWebhooks {
    let vars = [
        ("GOOGLE_PUBSUB_AUDIENCE", audience.to_owned()),
        ("GOOGLE_PUBSUB_SERVICE_ACCOUNT", account.to_owned()),
        ("GOOGLE_JWKS_URL", format!("{}{CERTS_PATH}", keys.uri())),
    ];
    let get = move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    GoogleWebhooks::from_lookup(&get)
        .expect("configured")
        .expect("valid")
}

fn documented_door(keys: &MockServer) -> GoogleWebhooks {
    let c = claims();
    door(
        keys,
        c["aud"].as_str().unwrap(),
        c["email"].as_str().unwrap(),
    )
}

fn sign(header: &Header, claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(SIGNING_KEY.as_bytes()).unwrap();
    jsonwebtoken::encode(header, claims, &key).unwrap()
}

fn push_request(authorization: &str, body: &[u8]) -> InboundRequest {
    post(
        &[
            ("authorization", authorization),
            ("content-type", "application/json"),
        ],
        body,
    )
}

fn b64(value: &Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(value.to_string())
}

#[tokio::test]
async fn the_documented_push_body_passes_the_door_and_carries_no_review_but_its_envelope_would() {
    let body = load("google/pubsub-push-body.json");
    let keys = google_keys(&header().kid.unwrap(), 1).await;
    let google = documented_door(&keys);
    let now = inside_the_tokens_hour();
    let token = sign(&header(), &claims());
    let request = push_request(&format!("Bearer {token}"), body.text.as_bytes());

    let delivery = google
        .verify(&request, now)
        .await
        .expect("a documented push with a valid token is accepted");
    // The documented data is the text "Hello Cloud Pub/Sub! …": acknowledged (so Pub/Sub
    // stops redelivering) but kept as unsupported, never a review.
    let parsed = google.parse(&delivery, now);
    assert!(parsed.changes.is_empty(), "{:?}", parsed.changes);
    assert_eq!(parsed.unsupported.len(), 1);
    assert!(
        parsed.unsupported[0].reason.contains("not JSON"),
        "{}",
        parsed.unsupported[0].reason
    );

    // The same envelope (message_id only, no publishTime) carrying a notification under
    // each documented spelling of its fields: v4 camelCase and v1 snake_case.
    let location = "accounts/1234567890/locations/9876543210";
    for data in [
        json!({"reviewName": REVIEW, "locationName": location}),
        json!({"review_name": REVIEW, "location_name": location}),
    ] {
        let mut envelope = body.json();
        envelope["message"]["data"] = json!(b64(&data));
        let parsed = parse_push(envelope.to_string().as_bytes(), now);
        assert_eq!(parsed.changes.len(), 1, "{data}: {:?}", parsed.unsupported);
        let change = &parsed.changes[0];
        // No type key is documented: fetched again if known, new if not (the store decides).
        assert_eq!(change.verb, ChangeVerb::Edited, "{data}");
        assert_eq!(change.feedback.item_id.as_str(), REVIEW);
        assert_eq!(change.feedback.account_id.as_str(), location);
        assert_eq!(change.feedback.received_at, now);
    }
}

#[tokio::test]
async fn the_documented_push_claims_pass_within_their_hour_and_only_for_our_audience_and_account() {
    // Three doors below, each fetching Google's keys once.
    let keys = google_keys(&header().kid.unwrap(), 3).await;
    let google = documented_door(&keys);
    let token = sign(&header(), &claims());
    let at = |t: i64| OffsetDateTime::from_unix_timestamp(t).unwrap();
    let (iat, exp) = (claim_i64("iat"), claim_i64("exp"));
    assert_eq!(exp - iat, 3600, "the page says tokens live an hour");

    assert_eq!(google.verify_token(&token, at(iat)).await, Ok(()));
    assert_eq!(google.verify_token(&token, at(exp)).await, Ok(()));
    // Past the minute of leeway either side.
    assert_eq!(
        google.verify_token(&token, at(exp + 61)).await,
        Err(VerifyError::StaleTimestamp)
    );
    assert_eq!(
        google.verify_token(&token, at(iat - 61)).await,
        Err(VerifyError::StaleTimestamp)
    );

    // The same documented token at a door set up for someone else.
    let c = claims();
    let other_audience = door(
        &keys,
        "https://hooks.example/webhooks/google",
        c["email"].as_str().unwrap(),
    );
    assert_eq!(
        other_audience
            .verify_token(&token, inside_the_tokens_hour())
            .await,
        Err(VerifyError::BadCredential)
    );
    let other_account = door(
        &keys,
        c["aud"].as_str().unwrap(),
        "pubsub-push@shop-1.iam.gserviceaccount.com",
    );
    assert_eq!(
        other_account
            .verify_token(&token, inside_the_tokens_hour())
            .await,
        Err(VerifyError::BadCredential)
    );
}

#[tokio::test]
async fn the_documented_token_header_names_the_algorithm_and_key_our_door_requires() {
    let documented = header();
    assert_eq!(documented.alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(documented.typ.as_deref(), Some("JWT"));
    let kid = documented
        .kid
        .clone()
        .expect("the documented header names its key");
    let keys = google_keys(&kid, 1).await;
    let google = documented_door(&keys);
    let now = inside_the_tokens_hour();

    assert_eq!(
        google
            .verify_token(&sign(&documented, &claims()), now)
            .await,
        Ok(())
    );
    let mut without_kid = documented.clone();
    without_kid.kid = None;
    assert!(matches!(
        google
            .verify_token(&sign(&without_kid, &claims()), now)
            .await,
        Err(VerifyError::MalformedSignature(..))
    ));
    // A key id Google does not publish is refused (and the keys were fetched only once).
    let mut unknown_kid = documented;
    unknown_kid.kid = Some("0000000000000000000000000000000000000000".into());
    assert_eq!(
        google
            .verify_token(&sign(&unknown_kid, &claims()), now)
            .await,
        Err(VerifyError::SignatureMismatch)
    );
}

#[tokio::test]
async fn the_documented_authorization_header_is_read_but_refused_without_googles_own_key() {
    let f = load("google/pubsub-push-authorization.txt");
    let wrapped = f
        .text
        .split_once("Bearer")
        .map(|(_, rest)| rest)
        .expect("a Bearer header");
    let token: String = wrapped
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"')
        .collect();

    // It is the documented header and claims…
    let decoded = jsonwebtoken::decode_header(&token).expect("a JWT");
    assert_eq!(decoded.alg, header().alg);
    assert_eq!(decoded.kid, header().kid);
    let payload = token.split('.').nth(1).unwrap();
    let payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(payload, claims());

    // …signed by a Google key we do not hold: even with a key of that id served, refused.
    let keys = google_keys(&header().kid.unwrap(), 1).await;
    let google = documented_door(&keys);
    let body = load("google/pubsub-push-body.json");
    let request = push_request(&format!("Bearer {token}"), body.text.as_bytes());
    assert_eq!(
        google
            .verify(&request, inside_the_tokens_hour())
            .await
            .err(),
        Some(VerifyError::SignatureMismatch)
    );
}

// ---------------------------------------------------------------------------------------
// Answers and requests: the Business Profile client and its token cache.

/// `/v4/{name=accounts/*/locations/*/reviews/*}/reply` against a path we sent.
fn matches_template(template: &str, sent: &str) -> bool {
    let expanded = template.replace("{name=", "").replace('}', "");
    let want: Vec<&str> = expanded.split('/').collect();
    let got: Vec<&str> = sent.split('/').collect();
    want.len() == got.len()
        && want
            .iter()
            .zip(&got)
            .all(|(w, g)| (*w == "*" && !g.is_empty()) || w == g)
}

fn sidecar_path(f: &Fixture) -> String {
    f.source
        .http
        .as_ref()
        .and_then(|h| h.path.clone())
        .unwrap_or_else(|| panic!("{}: no http.path", f.name))
}

/// A server answering the token endpoint with Google's documented refresh answer.
async fn api() -> MockServer {
    let server = MockServer::start().await;
    let answer = load("google/oauth-refresh-answer.json");
    call("POST", TOKEN_PATH)
        .respond_with(answer.answer())
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> GoogleReplies {
    GoogleReplies::new(
        platforms::calls::Http::new(Duration::from_secs(3)),
        server.uri(),
        format!("{}{TOKEN_PATH}", server.uri()),
        ClientAuth::Body {
            id: CLIENT_ID.into(),
            secret: secret("client-secret"),
        },
    )
}

/// The review a push named, as our door hands it on.
fn pushed(review: &str) -> Feedback {
    let body = json!({
        "message": {"data": b64(&json!({"reviewName": review})), "messageId": "1"},
        "subscription": "projects/p/subscriptions/s"
    });
    let parsed = parse_push(body.to_string().as_bytes(), datetime!(2026-12-06 10:00 UTC));
    parsed.changes[0].feedback.clone()
}

async fn try_access(client: &GoogleReplies, f: &Feedback) -> Result<SecretString, ReplyError> {
    client
        .access_token(
            &f.account_id,
            &SecretString::from(STORED_REFRESH.to_owned()),
        )
        .await
}

async fn access(client: &GoogleReplies, f: &Feedback) -> SecretString {
    try_access(client, f)
        .await
        .expect("the documented token answer is read")
}

/// A token endpoint answering `f` and expecting one call, a client pointed at it, and a
/// pushed review to ask a token for.
async fn token_answering_once(f: &Fixture) -> (MockServer, GoogleReplies, Feedback) {
    let server = MockServer::start().await;
    call("POST", TOKEN_PATH)
        .respond_with(f.answer())
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    (server, client, pushed("accounts/1/locations/2/reviews/3"))
}

async fn serve(server: &MockServer, verb: &str, at: String, f: &Fixture) {
    call(verb, at).respond_with(f.answer()).mount(server).await;
}

/// The API serving `f` for `verb` on the review `name` (its reply for PUT), a client
/// pointed at it, the pushed review and an access token.
async fn reviewing(
    f: &Fixture,
    verb: &str,
    name: &str,
) -> (MockServer, GoogleReplies, Feedback, SecretString) {
    let server = api().await;
    let at = if verb == "PUT" {
        format!("/v4/{name}/reply")
    } else {
        format!("/v4/{name}")
    };
    serve(&server, verb, at, f).await;
    let client = client(&server);
    let feedback = pushed(name);
    let token = access(&client, &feedback).await;
    (server, client, feedback, token)
}

/// The reply to `feedback` that the client finds.
async fn reply_found(
    client: &GoogleReplies,
    feedback: &Feedback,
    token: &SecretString,
) -> Option<String> {
    client
        .find_public_reply(&client.target(feedback), token)
        .await
        .unwrap()
}

async fn sent(server: &MockServer, verb: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() != TOKEN_PATH)
        .collect()
}

#[tokio::test]
async fn a_documented_review_is_read_with_its_stars_text_author_and_time_and_its_reply_found() {
    let f = load("google/review.json");
    let review = f.json();
    let name = review["name"].as_str().unwrap();
    let (server, client, feedback, token) = reviewing(&f, "GET", name).await;

    let item = client.fetch_item(&feedback, &token).await.unwrap();
    assert_eq!(item.rating.map(|r| r.stars()), Some(5));
    assert_eq!(item.text.as_deref(), Some("Lovely staff, quick service."));
    assert_eq!(item.author_name.as_deref(), Some("Jane Doe"));
    // "2014-10-02T15:01:23+05:30": an offset other than Z, as the reference allows.
    assert_eq!(item.created_at, Some(datetime!(2014-10-02 09:31:23 UTC)));
    assert_eq!(
        reply_found(&client, &feedback, &token).await,
        Some(format!("{name}/reply"))
    );

    let gets = sent(&server, "GET").await;
    assert_eq!(gets.len(), 2);
    for get in gets {
        assert!(
            matches_template(&sidecar_path(&f), get.url.path()),
            "{}",
            get.url
        );
        assert_eq!(get.url.query(), None);
        assert!(get.body.is_empty(), "the documented request body is empty");
        assert_eq!(
            get.headers.get("authorization").unwrap(),
            &format!("Bearer {}", token.expose_secret())
        );
    }
}

#[tokio::test]
async fn a_documented_anonymous_star_only_review_has_no_author_no_text_and_no_reply() {
    let f = load("google/review-anonymous-rating-only.json");
    let name = f.json()["name"].as_str().unwrap().to_owned();
    let (_server, client, feedback, token) = reviewing(&f, "GET", &name).await;

    let item = client.fetch_item(&feedback, &token).await.unwrap();
    assert_eq!(item.rating.map(|r| r.stars()), Some(1));
    assert_eq!(item.text, None);
    assert_eq!(
        item.author_name, None,
        "an anonymous reviewer's displayName is not a name"
    );
    assert_eq!(item.created_at, Some(datetime!(2014-10-02 15:01:23 UTC)));
    assert_eq!(reply_found(&client, &feedback, &token).await, None);
}

#[tokio::test]
async fn our_reply_is_the_documented_put_with_a_review_reply_body_of_comment_only() {
    let f = load("google/review-reply-request.json");
    let documented = f.json();
    let server = api().await;
    call("PUT", format!("/v4/{REVIEW}/reply"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let client = client(&server);
    let feedback = pushed(REVIEW);
    let token = access(&client, &feedback).await;
    let text = documented["comment"].as_str().unwrap();
    client
        .post_public_reply(&client.target(&feedback), text, &token)
        .await
        .unwrap();

    let puts = sent(&server, "PUT").await;
    assert_eq!(puts.len(), 1);
    let put = &puts[0];
    assert_eq!(
        Some(put.method.as_str()),
        f.source.http.as_ref().and_then(|h| h.method.as_deref())
    );
    assert!(
        matches_template(&sidecar_path(&f), put.url.path()),
        "{}",
        put.url
    );
    assert_eq!(
        put.headers.get("authorization").unwrap(),
        &format!("Bearer {}", token.expose_secret())
    );
    assert!(sent_header(put, "content-type").is_some_and(|v| v.starts_with("application/json")));
    let body: Value = serde_json::from_slice(&put.body).unwrap();
    let ours = body.as_object().expect("a ReviewReply object");
    let theirs = documented.as_object().unwrap();
    for key in ours.keys() {
        assert!(
            theirs.contains_key(key),
            "we send {key}, which ReviewReply does not have"
        );
    }
    assert_eq!(body["comment"], documented["comment"]);
    assert!(
        !ours.contains_key("updateTime"),
        "updateTime is output only"
    );
}

#[tokio::test]
async fn the_documented_reply_answer_is_taken_as_the_reply_posted() {
    let f = load("google/review-reply-answer.json");
    let (_server, client, feedback, token) = reviewing(&f, "PUT", REVIEW).await;
    let id = client
        .post_public_reply(
            &client.target(&feedback),
            f.json()["comment"].as_str().unwrap(),
            &token,
        )
        .await
        .unwrap();
    assert_eq!(id, format!("{REVIEW}/reply"));
}

#[tokio::test]
async fn the_documented_token_answer_gives_the_access_token_which_is_kept_while_it_lasts() {
    let f = load("google/oauth-refresh-answer.json");
    let answer = f.json();
    let (_server, client, feedback) = token_answering_once(&f).await;
    for _ in 0..3 {
        let token = access(&client, &feedback).await;
        assert_eq!(
            token.expose_secret(),
            answer["access_token"].as_str().unwrap()
        );
    }
    // expires_in 500 s, refreshed a minute early: one exchange for the three calls.
    assert_eq!(answer["expires_in"], json!(500));
}

#[tokio::test]
async fn our_token_request_is_the_documented_form_post_of_a_refresh_grant() {
    let f = load("google/oauth-refresh-request.json");
    let documented = f.json();
    let documented = documented.as_object().unwrap();
    let server = api().await;
    let client = client(&server);
    access(&client, &pushed("accounts/1/locations/2/reviews/3")).await;

    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(
        sent_header(request, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert!(
        request.headers.get("authorization").is_none(),
        "Google's client sends its id and secret in the form, not in Basic auth"
    );
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    let value = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    for (key, _) in &form {
        assert!(
            documented.contains_key(key) || key == "scope",
            "we send {key}, which the documented request does not"
        );
    }
    // Everything documented except rapt (only after a reauthentication challenge).
    for key in documented.keys().filter(|k| *k != "rapt") {
        assert!(value(key).is_some(), "we do not send {key}");
    }
    assert_eq!(value("grant_type"), documented["grant_type"].as_str());
    assert_eq!(value("refresh_token"), Some(STORED_REFRESH));
    assert_eq!(value("client_id"), Some(CLIENT_ID));
    assert_eq!(value("client_secret"), Some("client-secret"));
}

#[tokio::test]
async fn a_documented_invalid_grant_means_the_page_must_be_reconnected() {
    let f = load("google/oauth-invalid-grant.json");
    assert_eq!(f.json()["error"], json!("invalid_grant"));
    let (_server, client, feedback) = token_answering_once(&f).await;
    assert_reconnect(&try_access(&client, &feedback).await);
}

/// The API error fixture of the error `code` (`google/api-error-<code in kebab case>.json`):
/// served with `status`, which its body's own code agrees with, and naming `code`.
fn api_error(status: u16, code: &str) -> Fixture {
    let f = load(&format!(
        "google/api-error-{}.json",
        code.to_lowercase().replace('_', "-")
    ));
    let body = f.json();
    assert_eq!(f.status(), status, "{}", f.name);
    assert_eq!(
        body["error"]["code"].as_u64(),
        Some(u64::from(status)),
        "{}",
        f.name
    );
    assert_eq!(body["error"]["status"], json!(code));
    f
}

#[tokio::test]
async fn a_documented_permission_denied_on_a_review_fetch_means_reconnect() {
    let f = api_error(403, "PERMISSION_DENIED");
    let (_server, client, feedback, token) = reviewing(&f, "GET", REVIEW).await;
    let fetched = client.fetch_item(&feedback, &token).await;
    assert_reconnect(&fetched);
}

#[tokio::test]
async fn a_documented_invalid_argument_on_a_reply_is_refused_for_good() {
    let f = api_error(400, "INVALID_ARGUMENT");
    let (server, client, feedback, token) = reviewing(&f, "PUT", REVIEW).await;
    let posted = client
        .post_public_reply(&client.target(&feedback), "Dank u wel.", &token)
        .await;
    assert_rejected(&posted);
    assert_eq!(sent(&server, "PUT").await.len(), 1, "never retried");
}

#[test]
fn every_google_fixture_has_a_test_above() {
    assert_every_fixture_tested(
        "google",
        &[
            "google/api-error-invalid-argument.json",
            "google/api-error-permission-denied.json",
            "google/oauth-invalid-grant.json",
            "google/oauth-refresh-answer.json",
            "google/oauth-refresh-request.json",
            "google/pubsub-push-authorization.txt",
            "google/pubsub-push-body.json",
            "google/pubsub-push-token-claims.json",
            "google/pubsub-push-token-header.json",
            "google/review-anonymous-rating-only.json",
            "google/review-reply-answer.json",
            "google/review-reply-request.json",
            "google/review.json",
        ],
    );
}
