#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::testing::{call, item_target, secret, stand_in_http};
use feedback::Rating;
use secrecy::SecretString;
use wiremock::matchers::{header, query_param};
use wiremock::{MockServer, ResponseTemplate};

const P8: &str = include_str!("testdata/test-key.p8");
const PUBLIC_KEY: &str = include_str!("testdata/test-key.pub.pem");

fn stored_key() -> SecretString {
    SecretString::from(
        json!({ "issuer_id": "57246542-96fe-1a63-e053-0824d011072a", "key_id": "2X9R4HXF34", "private_key": P8 })
            .to_string(),
    )
}

fn app() -> AccountId {
    AccountId::parse("682658836").unwrap()
}

fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-12-06 10:00 UTC)
}

fn review(id: &str, rating: u8, created: &str) -> Value {
    json!({
        "type": "customerReviews",
        "id": id,
        "attributes": {
            "rating": rating, "title": "Kapot", "body": "Start niet meer op",
            "reviewerNickname": "jan", "createdDate": created, "territory": "NLD"
        }
    })
}

#[test]
fn a_listed_review_keeps_title_and_body_stars_author_and_time() {
    let page = parse_list(
        &json!({ "data": [review("00000028-b08c", 1, "2026-12-06T08:10:34-08:00")],
                 "links": { "next": "https://api.appstoreconnect.apple.com/v1/apps/1/customerReviews?cursor=AQ.x&limit=1" } }),
        &app(),
        now(),
    );
    assert_eq!(page.next.as_deref(), Some("AQ.x"));
    let r = &page.reviews[0].feedback;
    assert_eq!(r.text.as_deref(), Some("Kapot\n\nStart niet meer op"));
    assert_eq!(r.rating.map(Rating::stars), Some(1));
    assert_eq!(r.author_name.as_deref(), Some("jan"));
    assert_eq!(r.language, None);
    assert_eq!(
        page.reviews[0].written_at,
        time::macros::datetime!(2026-12-06 16:10:34 UTC)
    );
}

#[test]
fn other_resources_and_unreadable_reviews_are_unusable_not_fatal() {
    let page = parse_list(
        &json!({ "data": [
            { "type": "apps", "id": "1" },
            { "type": "customerReviews", "id": "../x", "attributes": {} },
            { "type": "customerReviews", "id": "ok-1", "attributes": { "rating": 3 } },
            review("ok-2", 4, "2026-01-01T00:00:00Z")
        ]}),
        &app(),
        now(),
    );
    assert_eq!(page.reviews.len(), 1);
    assert_eq!(page.unusable.len(), 3, "{:?}", page.unusable);
}

#[test]
fn the_token_is_es256_with_the_key_id_issuer_audience_and_at_most_twenty_minutes() {
    let token = AppStore::token_at(&stored_key(), now()).unwrap();
    let token = token.expose_secret();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    assert_eq!(header.kid.as_deref(), Some("2X9R4HXF34"));
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[AUDIENCE]);
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<TokenClaims>(
        token,
        &jsonwebtoken::DecodingKey::from_ec_pem(PUBLIC_KEY.as_bytes()).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims.iss, "57246542-96fe-1a63-e053-0824d011072a");
    assert_eq!(claims.iat, now().unix_timestamp());
    assert!(claims.exp - claims.iat <= 20 * 60);
}

#[test]
fn a_stored_credential_that_is_not_a_key_means_reconnect() {
    for bad in [
        "x",
        r#"{"issuer_id":"i","key_id":"k","private_key":"nope"}"#,
    ] {
        assert!(matches!(
            AppStore::token_at(&SecretString::from(bad), now()),
            Err(ReplyError::Reconnect(_))
        ));
    }
}

#[tokio::test]
async fn listing_sorts_newest_first_and_pages_on_with_the_cursor_against_our_base() {
    let server = MockServer::start().await;
    call("GET", "/v1/apps/682658836/customerReviews")
        .and(query_param("sort", "-createdDate"))
        .and(query_param("cursor", "AQ.x"))
        .and(header("authorization", "Bearer t"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "data": [review("r-2", 2, "2026-01-01T00:00:00Z")] })),
        )
        .mount(&server)
        .await;
    let store = AppStore::new(stand_in_http(), server.uri());
    let page = store
        .list_page(&app(), Some("AQ.x"), &secret("t"))
        .await
        .unwrap();
    assert_eq!(page.reviews[0].feedback.item_id.as_str(), "r-2");
    assert_eq!(page.next, None);
}

#[tokio::test]
async fn no_response_yet_is_none_and_one_there_is_read_with_its_text() {
    let server = MockServer::start().await;
    call("GET", "/v1/customerReviews/r-1/response")
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    call("GET", "/v1/customerReviews/r-2/response")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": { "type": "customerReviewResponses", "id": "resp-2",
                      "attributes": { "responseBody": "Thanks", "state": "PUBLISHED" } }
        })))
        .mount(&server)
        .await;
    let store = AppStore::new(stand_in_http(), server.uri());
    let target = |id: &str| item_target(PLATFORM, "682658836", id);
    let token = secret("t");
    assert_eq!(
        store
            .current_public_reply(&target("r-1"), &token)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .current_public_reply(&target("r-2"), &token)
            .await
            .unwrap(),
        Some(PostedReply {
            id: "resp-2".into(),
            text: Some("Thanks".into())
        })
    );
}
