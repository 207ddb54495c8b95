#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::testing::{
    call, item_target, refusing_token_endpoint, secret, stand_in_http, token_api_at, token_request,
};
use feedback::Rating;
use secrecy::SecretString;
use wiremock::matchers::{body_json, body_string_contains, header, method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The reviews of the test app (`com.example.app`).
const REVIEWS: &str = "/androidpublisher/v3/applications/com.example.app/reviews";

const KEY_JSON: &str = include_str!("testdata/service-account.json");
const PUBLIC_KEY: &str = include_str!("testdata/service-account-key.pub.pem");

fn app() -> AccountId {
    AccountId::parse("com.example.app").unwrap()
}

fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-12-06 10:00 UTC)
}

fn review(id: &str, text: &str, stars: u8, seconds: i64) -> Value {
    json!({
        "reviewId": id,
        "authorName": "Jan",
        "comments": [{ "userComment": {
            "text": text,
            "lastModified": { "seconds": seconds.to_string(), "nanos": 5 },
            "starRating": stars,
            "reviewerLanguage": "nl"
        }}]
    })
}

#[test]
fn a_listed_review_becomes_a_review_with_its_stars_language_and_time() {
    let page = parse_list(
        &json!({ "reviews": [review("r1", "Crasht steeds", 1, 1_765_000_000)],
                 "tokenPagination": { "nextPageToken": "p2" } }),
        &app(),
        now(),
    );
    assert_eq!(page.next.as_deref(), Some("p2"));
    let r = &page.reviews[0];
    assert_eq!(r.feedback.item_id.as_str(), "r1");
    assert_eq!(r.feedback.platform, PLATFORM);
    assert_eq!(r.feedback.account_id, app());
    assert_eq!(r.feedback.rating.map(Rating::stars), Some(1));
    assert_eq!(r.feedback.language.as_deref(), Some("nl"));
    assert_eq!(r.feedback.text.as_deref(), Some("Crasht steeds"));
    assert_eq!(r.written_at.unix_timestamp(), 1_765_000_000);
    assert_eq!(r.feedback.created_at, Some(r.written_at));
}

#[test]
fn a_review_without_a_user_comment_or_time_is_unusable_not_fatal() {
    let page = parse_list(
        &json!({ "reviews": [
            { "reviewId": "r1", "comments": [] },
            { "reviewId": "r2", "comments": [{ "userComment": { "text": "x" } }] },
            review("r3", "ok", 5, 1)
        ]}),
        &app(),
        now(),
    );
    assert_eq!(page.reviews.len(), 1);
    assert_eq!(page.unusable.len(), 2, "{:?}", page.unusable);
    assert_eq!(page.next, None);
}

#[test]
fn a_polled_review_is_stored_as_added_then_edited() {
    let r = parse_review(&review("r1", "x", 2, 1), &app(), now()).unwrap();
    let [added, edited] = r.changes();
    assert_eq!(added.verb, feedback::ChangeVerb::Added);
    assert_eq!(edited.verb, feedback::ChangeVerb::Edited);
    assert_eq!(added.feedback, edited.feedback);
}

#[test]
fn only_package_names_reach_a_url() {
    assert!(is_package_name("com.example.app"));
    for bad in ["", "com/example", "com.example?x", "..", "noddot"] {
        assert!(!is_package_name(bad), "{bad}");
    }
}

#[test]
fn the_grant_is_an_rs256_jwt_for_the_play_scope_and_the_token_url() {
    let play = GooglePlay::new(
        stand_in_http(),
        DEFAULT_API_URL.into(),
        "https://oauth2.example/token".into(),
    );
    let grant = play.grant(&SecretString::from(KEY_JSON), now()).unwrap();
    let header = jsonwebtoken::decode_header(&grant).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), Some("test-key-1"));
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["https://oauth2.example/token"]);
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<serde_json::Value>(
        &grant,
        &jsonwebtoken::DecodingKey::from_rsa_pem(PUBLIC_KEY.as_bytes()).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["iss"], "poller@test-project.iam.gserviceaccount.com");
    assert_eq!(claims["scope"], SCOPE);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
}

#[test]
fn a_stored_credential_that_is_not_a_key_means_reconnect() {
    let play = GooglePlay::new(
        stand_in_http(),
        DEFAULT_API_URL.into(),
        DEFAULT_TOKEN_URL.into(),
    );
    assert!(matches!(
        play.grant(&secret("not json"), now()),
        Err(ReplyError::Reconnect(_))
    ));
}

async fn play_against(server: &MockServer) -> GooglePlay {
    token_api_at(server, GooglePlay::new)
}

#[tokio::test]
async fn the_key_is_exchanged_once_then_the_token_is_kept() {
    let server = MockServer::start().await;
    token_request()
        .and(body_string_contains(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "access_token": "ya29.t", "expires_in": 3599, "token_type": "Bearer" }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let play = play_against(&server).await;
    let key = SecretString::from(KEY_JSON);
    for _ in 0..2 {
        let token = play.access_token(&app(), &key).await.unwrap();
        assert_eq!(token.expose_secret(), "ya29.t");
    }
}

#[tokio::test]
async fn a_refused_service_account_means_reconnect() {
    let server = refusing_token_endpoint().await;
    let play = play_against(&server).await;
    assert!(matches!(
        play.access_token(&app(), &SecretString::from(KEY_JSON))
            .await,
        Err(ReplyError::Reconnect(_))
    ));
}

#[tokio::test]
async fn a_reply_is_posted_to_the_reviews_reply_method_with_the_bearer_token() {
    let server = MockServer::start().await;
    call("POST", format!("{REVIEWS}/r1:reply"))
        .and(header("authorization", "Bearer ya29.t"))
        .and(body_json(json!({ "replyText": "Sorry!" })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "result": { "replyText": "Sorry!" } })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let play = play_against(&server).await;
    let target = item_target(PLATFORM, "com.example.app", "r1");
    let id = play
        .post_public_reply(&target, "Sorry!", &secret("ya29.t"))
        .await
        .unwrap();
    assert_eq!(id, "r1:reply");
}

#[tokio::test]
async fn listing_asks_for_the_most_per_page_and_pages_on_with_the_token() {
    let server = MockServer::start().await;
    call("GET", REVIEWS)
        .and(query_param("maxResults", "100"))
        .and(query_param("token", "p2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "reviews": [review("r9", "x", 3, 5)] })),
        )
        .mount(&server)
        .await;
    let play = play_against(&server).await;
    let page = play
        .list_page(&app(), Some("p2"), &secret("t"))
        .await
        .unwrap();
    assert_eq!(page.reviews[0].feedback.item_id.as_str(), "r9");
}

#[tokio::test]
async fn list_failures_say_what_the_poller_must_do() {
    for (status, expect) in [
        (401, "reconnect"),
        (403, "reconnect"),
        (429, "later"),
        (503, "later"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let play = play_against(&server).await;
        let e = play
            .list_page(&app(), None, &secret("t"))
            .await
            .unwrap_err();
        match expect {
            "reconnect" => assert!(matches!(e, ReplyError::Reconnect(_)), "{status}: {e:?}"),
            _ => assert!(matches!(e, ReplyError::Transient(_)), "{status}: {e:?}"),
        }
    }
}
