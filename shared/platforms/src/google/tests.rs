use super::*;
use crate::WebhookPlatform;
use crate::reply::ReplyClient;
use crate::testing::{
    call, granted, nothing_received, refusing_token_endpoint, secret, stand_in_http, token_request,
};
use feedback::{AccountId, ChangeVerb, FeedbackKind, ItemId};
use http::HeaderValue;
use jsonwebtoken::{EncodingKey, Header};
use secrecy::ExposeSecret;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use time::macros::datetime;
use wiremock::matchers::{body_json, body_string_contains, header};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SIGNING_KEY: &str = include_str!("../../../../infra/google-local/signing-key.pem");
const JWKS: &str = include_str!("../../../../infra/google-local/jwks.json");
const FORGER_KEY: &str = include_str!("testdata/forger-key.pem");
const AUDIENCE: &str = "https://hooks.example/webhooks/google";
const PUSHER: &str = "pubsub-push@shop-1.iam.gserviceaccount.com";
const NOW: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);
const REVIEW: &str = "accounts/1234567890/locations/9876543210/reviews/AbC-123_x";

/// Google's keys URL answering with the test keys, to be kept `max_age` seconds.
fn keys_answer(max_age: u32) -> Mock {
    call("GET", "/oauth2/v3/certs").respond_with(
        ResponseTemplate::new(200)
            .insert_header("cache-control", format!("public, max-age={max_age}"))
            .set_body_raw(JWKS, "application/json"),
    )
}

/// Google's keys URL answering 503.
fn keys_outage() -> Mock {
    call("GET", "/oauth2/v3/certs").respond_with(ResponseTemplate::new(503))
}

async fn jwks_server(expect_fetches: u64) -> MockServer {
    let server = MockServer::start().await;
    keys_answer(21000)
        .expect(expect_fetches)
        .mount(&server)
        .await;
    server
}

fn webhooks(server: &MockServer) -> GoogleWebhooks {
    let url = format!("{}/oauth2/v3/certs", server.uri());
    let vars = [
        ("GOOGLE_PUBSUB_AUDIENCE", AUDIENCE.to_owned()),
        ("GOOGLE_PUBSUB_SERVICE_ACCOUNT", PUSHER.to_owned()),
        ("GOOGLE_JWKS_URL", url),
    ];
    let get = move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    GoogleWebhooks::from_lookup(&get).unwrap().unwrap()
}

fn claims() -> serde_json::Value {
    json!({
        "aud": AUDIENCE,
        "iss": "https://accounts.google.com",
        "email": PUSHER,
        "email_verified": true,
        "exp": NOW.unix_timestamp() + 3600,
        "iat": NOW.unix_timestamp() - 10,
        "sub": "1234"
    })
}

fn token_with(key_pem: &str, kid: &str, claims: serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_rsa_pem(key_pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

fn token(claims: serde_json::Value) -> String {
    token_with(SIGNING_KEY, jwks::LOCAL_KEY_ID, claims)
}

fn push(data: serde_json::Value) -> Vec<u8> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(data.to_string());
    json!({
        "message": {"data": encoded, "messageId": "1760000000001", "publishTime": "2026-11-26T09:59:58Z"},
        "subscription": "projects/shop-1/subscriptions/reviews-push"
    })
    .to_string()
    .into_bytes()
}

fn request(authorization: Option<&str>, body: Vec<u8>) -> InboundRequest {
    let headers: Vec<_> = authorization
        .map(|a| ("authorization", a))
        .into_iter()
        .collect();
    crate::testing::post(&headers, &body)
}

#[tokio::test]
async fn a_push_token_from_the_pinned_account_verifies_and_google_keys_are_fetched_once() {
    let server = jwks_server(1).await;
    let google = webhooks(&server);
    for _ in 0..3 {
        let req = request(
            Some(&format!("Bearer {}", token(claims()))),
            push(json!({})),
        );
        assert!(google.verify(&req, NOW).await.is_ok());
    }
    let mut other_issuer = claims();
    other_issuer["iss"] = json!("accounts.google.com");
    assert!(google.verify_token(&token(other_issuer), NOW).await.is_ok());
}

#[tokio::test]
async fn forged_expired_early_wrong_audience_issuer_or_email_tokens_are_refused() {
    let server = jwks_server(1).await;
    let google = webhooks(&server);
    let forged = token_with(FORGER_KEY, jwks::LOCAL_KEY_ID, claims());
    assert_eq!(
        google.verify_token(&forged, NOW).await,
        Err(VerifyError::SignatureMismatch)
    );
    let cases: [(&str, serde_json::Value, VerifyError); 6] = [
        (
            "expired",
            json!({"exp": NOW.unix_timestamp() - 61}),
            VerifyError::StaleTimestamp,
        ),
        (
            "issued later",
            json!({"iat": NOW.unix_timestamp() + 120}),
            VerifyError::StaleTimestamp,
        ),
        (
            "audience",
            json!({"aud": "https://elsewhere.example"}),
            VerifyError::BadCredential,
        ),
        (
            "issuer",
            json!({"iss": "https://evil.example"}),
            VerifyError::BadCredential,
        ),
        (
            "email",
            json!({"email": "someone@else.iam.gserviceaccount.com"}),
            VerifyError::BadCredential,
        ),
        (
            "unverified",
            json!({"email_verified": false}),
            VerifyError::BadCredential,
        ),
    ];
    for (what, change, want) in cases {
        let mut c = claims();
        for (k, v) in change.as_object().unwrap() {
            c[k] = v.clone();
        }
        assert_eq!(
            google.verify_token(&token(c), NOW).await,
            Err(want),
            "{what}"
        );
    }
    // Within the minute of leeway, a token just expired still passes.
    let mut c = claims();
    c["exp"] = json!(NOW.unix_timestamp() - 30);
    assert!(google.verify_token(&token(c), NOW).await.is_ok());
}

#[tokio::test]
async fn a_missing_malformed_or_unknown_key_token_is_refused_without_hammering_google() {
    let server = jwks_server(1).await;
    let google = webhooks(&server);
    assert!(matches!(
        google.verify(&request(None, vec![]), NOW).await,
        Err(VerifyError::MissingSignature(_))
    ));
    for bad in ["Basic abc", "Bearer not.a.jwt"] {
        assert!(matches!(
            google.verify(&request(Some(bad), vec![]), NOW).await,
            Err(VerifyError::MalformedSignature(..))
        ));
    }
    for i in 0..5 {
        let unknown = token_with(SIGNING_KEY, &format!("unknown-{i}"), claims());
        assert_eq!(
            google.verify_token(&unknown, NOW).await,
            Err(VerifyError::SignatureMismatch)
        );
    }
}

#[test]
fn local_keys_are_refused_on_lambda() {
    let vars = [
        ("GOOGLE_PUBSUB_AUDIENCE", "a"),
        ("GOOGLE_PUBSUB_SERVICE_ACCOUNT", "p@x"),
        ("GOOGLE_LOCAL_JWKS_FILE", "infra/google-local/jwks.json"),
        ("AWS_LAMBDA_FUNCTION_NAME", "ingest"),
    ];
    let get = |k: &str| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    };
    let problems = GoogleWebhooks::from_lookup(&get)
        .unwrap()
        .err()
        .unwrap_or_default();
    assert!(
        problems.iter().any(|p| p.contains("never on Lambda")),
        "{problems:?}"
    );
    let half = [("GOOGLE_PUBSUB_AUDIENCE", "a")];
    let get = |k: &str| {
        half.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    };
    assert_eq!(
        GoogleWebhooks::from_lookup(&get).unwrap().err(),
        Some(vec!["GOOGLE_PUBSUB_SERVICE_ACCOUNT is not set".to_owned()])
    );
}

#[tokio::test]
async fn a_locally_signed_push_verifies_with_the_local_key_and_no_google() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let vars = [
        ("GOOGLE_PUBSUB_AUDIENCE", AUDIENCE.to_owned()),
        ("GOOGLE_PUBSUB_SERVICE_ACCOUNT", PUSHER.to_owned()),
        // Nothing listens there: only the local key can verify.
        ("GOOGLE_JWKS_URL", "http://127.0.0.1:9/certs".to_owned()),
        (
            "GOOGLE_LOCAL_JWKS_FILE",
            format!("{dir}/../../infra/google-local/jwks.json"),
        ),
        (
            "GOOGLE_LOCAL_SIGNING_KEY_FILE",
            format!("{dir}/../../infra/google-local/signing-key.pem"),
        ),
    ];
    let get = move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    let google = GoogleWebhooks::from_lookup(&get).unwrap().unwrap();
    let delivery = google.sign_for_test(b"{}", NOW).unwrap();
    let mut req = request(None, b"{}".to_vec());
    for (k, v) in delivery.headers {
        req.headers.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(&v).unwrap(),
        );
    }
    assert!(google.verify(&req, NOW).await.is_ok());
}

#[test]
fn new_and_updated_reviews_are_read_in_both_documented_spellings() {
    let new = parse::parse_push(
        &push(
            json!({"type": "NEW_REVIEW", "reviewName": REVIEW, "locationName": "accounts/1234567890/locations/9876543210"}),
        ),
        NOW,
    );
    let change = &new.changes[0];
    assert_eq!(change.verb, ChangeVerb::Added);
    assert_eq!(change.feedback.platform, PLATFORM);
    assert_eq!(change.feedback.item_id.as_str(), REVIEW);
    assert_eq!(
        change.feedback.account_id.as_str(),
        "accounts/1234567890/locations/9876543210"
    );
    assert_eq!(change.feedback.kind, FeedbackKind::Review);

    let updated = parse::parse_push(
        &push(json!({"notification_type": "UPDATED_REVIEW", "review_name": REVIEW})),
        NOW,
    );
    assert_eq!(updated.changes[0].verb, ChangeVerb::Edited);
    let untyped = parse::parse_push(&push(json!({"reviewName": REVIEW})), NOW);
    assert_eq!(untyped.changes[0].verb, ChangeVerb::Edited);
}

#[test]
fn other_notifications_and_unusable_names_are_kept_as_unsupported() {
    for data in [
        json!({"notificationType": "NEW_QUESTION", "reviewName": REVIEW}),
        json!({"notificationType": "NEW_REVIEW", "reviewName": "accounts/1/locations/2/reviews/../../me"}),
        json!({"notificationType": "NEW_REVIEW", "reviewName": "accounts/x/locations/2/reviews/3"}),
        json!({"notificationType": "NEW_REVIEW"}),
    ] {
        let parsed = parse::parse_push(&push(data.clone()), NOW);
        assert!(
            parsed.changes.is_empty() && parsed.unsupported.len() == 1,
            "{data}"
        );
    }
    let not_base64 = json!({"message": {"data": "%%%"}}).to_string();
    assert_eq!(
        parse::parse_push(not_base64.as_bytes(), NOW)
            .unsupported
            .len(),
        1
    );
    assert_eq!(parse::parse_push(b"[]", NOW).unsupported.len(), 1);
}

async fn api() -> MockServer {
    let server = MockServer::start().await;
    token_request()
        .and(body_string_contains("refresh_token=stored-refresh"))
        .respond_with(granted("at-fresh", 3599))
        .mount(&server)
        .await;
    server
}

fn replies(server: &MockServer) -> GoogleReplies {
    GoogleReplies::new(
        stand_in_http(),
        server.uri(),
        format!("{}/token", server.uri()),
        crate::oauth::ClientAuth::Body {
            id: "client-1".into(),
            secret: secret("client-secret"),
        },
    )
}

fn review_feedback() -> Feedback {
    let parsed = parse::parse_push(
        &push(json!({"type": "NEW_REVIEW", "reviewName": REVIEW})),
        NOW,
    );
    parsed.changes[0].feedback.clone()
}

use feedback::Feedback;
use replies::GoogleReplies;

#[tokio::test]
async fn a_review_is_fetched_with_its_stars_and_answered_with_one_put() {
    let server = api().await;
    call("GET", format!("/v4/{REVIEW}"))
        .and(header("authorization", "Bearer at-fresh"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "name": REVIEW, "starRating": "ONE", "comment": "Koud eten.",
            "reviewer": {"displayName": "Piet de Boer", "isAnonymous": false},
            "createTime": "2026-11-26T09:58:00Z", "updateTime": "2026-11-26T09:58:00Z"
        })))
        .mount(&server)
        .await;
    call("PUT", format!("/v4/{REVIEW}/reply"))
        .and(body_json(json!({"comment": "Het spijt ons."})))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"comment": "Het spijt ons.", "updateTime": "2026-11-26T10:00:01Z"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = replies(&server);
    let f = review_feedback();
    let token = client
        .access_token(&f.account_id, &secret("stored-refresh"))
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "at-fresh");
    let fetched = client.fetch_item(&f, &token).await.unwrap();
    assert_eq!(fetched.rating.map(|r| r.stars()), Some(1));
    assert_eq!(fetched.text.as_deref(), Some("Koud eten."));
    assert_eq!(fetched.author_name.as_deref(), Some("Piet de Boer"));
    assert_eq!(fetched.created_at, Some(datetime!(2026-11-26 09:58 UTC)));
    let id = client
        .post_public_reply(&client.target(&f), "Het spijt ons.", &token)
        .await
        .unwrap();
    assert_eq!(id, format!("{REVIEW}/reply"));
}

#[tokio::test]
async fn an_access_token_refused_with_401_is_renewed_once_and_the_call_repeated() {
    let server = api().await;
    call("GET", format!("/v4/{REVIEW}"))
        .and(header("authorization", "Bearer stale"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    call("GET", format!("/v4/{REVIEW}"))
        .and(header("authorization", "Bearer at-fresh"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"name": REVIEW, "starRating": "FOUR", "reviewReply": {"comment": "Dank!"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = replies(&server);
    let f = review_feedback();
    // The cache learns the refresh token on the first exchange.
    client
        .access_token(&f.account_id, &secret("stored-refresh"))
        .await
        .unwrap();
    let stale = secret("stale");
    let found = client
        .find_public_reply(&client.target(&f), &stale)
        .await
        .unwrap();
    assert_eq!(found, Some(format!("{REVIEW}/reply")));
}

#[test]
fn a_review_name_that_is_not_one_never_reaches_a_url() {
    assert!(parse::is_review_name(REVIEW));
    for bad in [
        "accounts/1/locations/2/reviews/3/reply",
        "accounts/1/locations/2",
        "accounts/1/locations/2/reviews/a%2F..",
        "../accounts/1/locations/2/reviews/3",
    ] {
        assert!(!parse::is_review_name(bad), "{bad}");
    }
    let _ = (ItemId::parse(REVIEW), AccountId::parse("x"), Arc::new(0));
}

const LOCATION: &str = "accounts/1234567890/locations/9876543210";

fn location() -> AccountId {
    AccountId::parse(LOCATION).unwrap()
}

/// The stored refresh token exchanged, then the token checked: what `feedbackctl pages
/// check` does.
async fn check(client: &GoogleReplies) -> Result<crate::reply::AccessCheck, ReplyError> {
    let token = client
        .access_token(&location(), &secret("stored-refresh"))
        .await?;
    client.check_access(&location(), &token).await
}

use crate::reply::ReplyError;

#[tokio::test]
async fn a_valid_google_token_lists_one_review_of_the_location() {
    let server = api().await;
    call("GET", format!("/v4/{LOCATION}/reviews"))
        .and(wiremock::matchers::query_param("pageSize", "1"))
        .and(header("authorization", "Bearer at-fresh"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"reviews": [], "totalReviewCount": 12})),
        )
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(
        check(&replies(&server)).await,
        Ok(crate::reply::AccessCheck::Accepted {
            page: format!("{LOCATION} (12 reviews)")
        })
    );
}

#[tokio::test]
async fn a_revoked_google_refresh_token_means_the_page_must_be_reconnected() {
    let server = refusing_token_endpoint().await;
    let checked = check(&replies(&server)).await;
    assert!(
        matches!(checked, Err(ReplyError::Reconnect(_))),
        "{checked:?}"
    );
}

#[tokio::test]
async fn a_refused_google_check_says_what_should_happen_next() {
    for (case, status, wanted) in [
        (
            "a_google_token_without_access_to_the_location_means_reconnect",
            403,
            "reconnect",
        ),
        (
            "a_google_outage_during_a_check_is_worth_trying_again",
            503,
            "transient",
        ),
    ] {
        let server = api().await;
        call("GET", format!("/v4/{LOCATION}/reviews"))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let checked = check(&replies(&server)).await;
        let got = match &checked {
            Err(ReplyError::Reconnect(_)) => "reconnect",
            Err(ReplyError::Transient(_)) => "transient",
            _ => "something else",
        };
        assert_eq!(got, wanted, "{case}: {checked:?}");
    }
}

#[tokio::test]
async fn a_page_that_is_not_a_location_is_never_put_in_a_url() {
    let server = MockServer::start().await;
    let checked = replies(&server)
        .check_access(
            &AccountId::parse("accounts/1/locations/2/reviews/3").unwrap(),
            &secret("t"),
        )
        .await;
    assert!(
        matches!(checked, Err(ReplyError::Rejected(_))),
        "{checked:?}"
    );
    assert!(nothing_received(&server).await);
}

async fn jwks_outage(expect_fetches: u64) -> MockServer {
    let server = MockServer::start().await;
    keys_outage().expect(expect_fetches).mount(&server).await;
    server
}

#[tokio::test]
async fn while_googles_keys_answer_503_twenty_pushes_with_any_key_id_fetch_them_once_and_are_retried()
 {
    let server = jwks_outage(1).await;
    let google = webhooks(&server);
    for i in 0..20 {
        let kid = if i % 2 == 0 {
            format!("forged-{i}")
        } else {
            jwks::LOCAL_KEY_ID.to_owned()
        };
        assert_eq!(
            google
                .verify_token(&token_with(SIGNING_KEY, &kid, claims()), NOW)
                .await,
            Err(VerifyError::KeysUnavailable),
            "push {i}"
        );
    }
}

#[tokio::test]
async fn the_last_good_keys_verify_through_an_outage_until_a_day_past_their_max_age() {
    let server = MockServer::start().await;
    keys_answer(0)
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    keys_outage().expect(3).mount(&server).await;
    let mut google = webhooks(&server);
    google.keys = google
        .keys
        .with_timing(Duration::ZERO, Duration::from_secs(3600));
    for _ in 0..2 {
        // Fetched (200), then stale and fetched again (503): the stale keys still verify.
        assert_eq!(google.verify_token(&token(claims()), NOW).await, Ok(()));
    }
    // A key id the stale keys do not hold may be a key Google rotated in: retried, not 401.
    let unknown = token_with(SIGNING_KEY, "rotated-in", claims());
    assert_eq!(
        google.verify_token(&unknown, NOW).await,
        Err(VerifyError::KeysUnavailable)
    );
    // Past the stale window (asked again, still 503) the old keys are not used any more.
    google.keys = google.keys.with_timing(Duration::ZERO, Duration::ZERO);
    assert_eq!(
        google.verify_token(&token(claims()), NOW).await,
        Err(VerifyError::KeysUnavailable)
    );
}

#[tokio::test]
async fn the_reply_standing_under_a_review_is_read_with_its_words() {
    let server = api().await;
    call("GET", format!("/v4/{REVIEW}"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "name": REVIEW, "starRating": "TWO",
            "reviewReply": {"comment": "Dag Piet, ik bel je morgen. – Anke", "updateTime": "2026-11-26T10:00:00Z"}
        })))
        .mount(&server)
        .await;
    let client = replies(&server);
    let f = review_feedback();
    let token = secret("at-fresh");

    let standing = client
        .current_public_reply(&client.target(&f), &token)
        .await
        .unwrap();

    assert_eq!(
        standing,
        Some(crate::reply::PostedReply {
            id: format!("{REVIEW}/reply"),
            text: Some("Dag Piet, ik bel je morgen. – Anke".into()),
        })
    );
}
