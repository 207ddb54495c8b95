use super::*;
use crate::WebhookPlatform;
use crate::reply::ReplyClient;
use crate::testing::{answer_posts_in_turn, call, secret, stand_in_http, token_request};
use feedback::ChangeVerb;
use serde_json::json;
use time::macros::datetime;
use wiremock::matchers::{body_json, header};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "tp-url-secret-0123456789abcdef";
const NEXT: &str = "tp-url-secret-rotated-99999999";
const NOW: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);
const REVIEW_ID: &str = "6741f0c2a1b2c3d4e5f60718";

fn door() -> TrustpilotWebhooks {
    TrustpilotWebhooks::new(
        vec![
            SecretString::from(SECRET.to_owned()),
            SecretString::from(NEXT.to_owned()),
        ],
        Some("5f0c1b2a3d4e5f6a7b8c9d0e".into()),
    )
}

fn request(tail: &[&str], body: serde_json::Value) -> InboundRequest {
    crate::testing::post_to(tail, body.to_string().as_bytes())
}

fn event(name: &str, stars: u8) -> serde_json::Value {
    json!({"events": [{"eventName": name, "version": "1.0", "eventData": {
        "id": REVIEW_ID, "stars": stars, "title": "Nooit meer", "text": "Pakket kwam kapot aan.",
        "language": "nl", "referenceId": "ORDER-8812", "createdAt": "2026-11-26T09:00:00Z",
        "consumer": {"id": "5a1b2c3d4e5f", "name": "Joris"}
    }}]})
}

#[tokio::test]
async fn either_configured_secret_in_the_url_is_accepted_and_anything_else_refused() {
    let d = door();
    for secret in [SECRET, NEXT] {
        assert!(d.verify(&request(&[secret], json!({})), NOW).await.is_ok());
    }
    for tail in [
        vec![],
        vec!["wrong"],
        vec![SECRET, "extra"],
        vec![&SECRET[..20]],
    ] {
        assert_eq!(
            d.verify(&request(&tail, json!({})), NOW).await.map(|_| ()),
            Err(VerifyError::BadCredential),
            "{tail:?}"
        );
    }
}

#[test]
fn short_or_odd_url_secrets_are_refused_in_configuration() {
    let get = |k: &str| (k == "TRUSTPILOT_URL_SECRETS").then(|| "short".to_owned());
    assert!(TrustpilotWebhooks::from_lookup(&get).unwrap().is_err());
    let get = |k: &str| (k == "TRUSTPILOT_URL_SECRETS").then(|| format!("{SECRET}, {NEXT}"));
    assert!(TrustpilotWebhooks::from_lookup(&get).unwrap().is_ok());
    assert!(!format!("{:?}", door()).contains("tp-url"));
}

#[test]
fn created_updated_and_deleted_events_only_name_the_review_to_look_at_again() {
    let created = parse::parse_events(
        event("service-review-created", 1).to_string().as_bytes(),
        None,
        NOW,
    );
    let f = &created.changes[0].feedback;
    assert_eq!(created.changes[0].verb, ChangeVerb::Added);
    assert_eq!(f.platform, PLATFORM);
    assert_eq!(f.item_id.as_str(), REVIEW_ID);
    // Unsigned: nothing the delivery says about the review is kept, only its id.
    assert_eq!(f.rating, None);
    assert_eq!(f.text, None);
    assert_eq!(f.language, None);
    assert_eq!(f.author_name, None);
    assert_eq!(f.created_at, None);
    assert!(!f.raw.contains("Pakket"), "{}", f.raw);
    assert_eq!(f.account_id.as_str(), "trustpilot");
    let updated = parse::parse_events(
        event("service-review-updated", 4).to_string().as_bytes(),
        None,
        NOW,
    );
    assert_eq!(updated.changes[0].verb, ChangeVerb::Edited);
    let deleted = parse::parse_events(
        event("service-review-deleted", 4).to_string().as_bytes(),
        None,
        NOW,
    );
    // Removed only when the API says so: looked at again like an update.
    assert_eq!(deleted.changes[0].verb, ChangeVerb::Edited);
    assert_eq!(deleted.changes[0].feedback.rating, None);
}

#[test]
fn unknown_events_and_unusable_ids_are_kept_as_unsupported() {
    let body = json!({"events": [
        {"eventName": "service-review-invitation-sent", "eventData": {"id": REVIEW_ID}},
        {"eventName": "service-review-created", "eventData": {"id": "../me"}},
    ]});
    let parsed = parse::parse_events(body.to_string().as_bytes(), None, NOW);
    assert!(parsed.changes.is_empty());
    assert_eq!(parsed.unsupported.len(), 2);
    assert_eq!(parse::parse_events(b"{}", None, NOW).unsupported.len(), 1);
}

/// The token endpoint, asked with the API key and secret (HTTP Basic), answering `answer`.
fn token_endpoint(answer: serde_json::Value) -> Mock {
    token_request()
        .and(header("authorization", "Basic a2V5LTE6c2VjcmV0LTE="))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
}

#[tokio::test]
async fn the_review_is_fetched_and_answered_with_the_business_user() {
    let api = MockServer::start().await;
    token_endpoint(json!({"access_token": "tp-at", "expires_in": 359999}))
        .mount(&api)
        .await;
    call("GET", format!("/v1/private/reviews/{REVIEW_ID}"))
        .and(header("authorization", "Bearer tp-at"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": REVIEW_ID, "stars": 2, "title": "Traag", "text": "Twee weken gewacht.",
            "consumer": {"id": "c1", "displayName": "Joris V."}, "createdAt": "2026-11-26T09:00:00Z"
        })))
        .mount(&api)
        .await;
    call("POST", format!("/v1/private/reviews/{REVIEW_ID}/reply"))
        .and(body_json(
            json!({"authorBusinessUserId": "bu-user-1", "message": "Sorry, Joris."}),
        ))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&api)
        .await;
    let client = replies_at(&api);
    let created = parse::parse_events(
        event("service-review-created", 1).to_string().as_bytes(),
        None,
        NOW,
    );
    let f = &created.changes[0].feedback;
    let token = client
        .access_token(&f.account_id, &secret("refresh"))
        .await
        .unwrap();
    let fetched = client.fetch_item(f, &token).await.unwrap();
    assert_eq!(
        fetched.rating.map(|r| r.stars()),
        Some(2),
        "the API's stars win over the delivery's"
    );
    assert_eq!(fetched.text.as_deref(), Some("Traag\nTwee weken gewacht."));
    assert_eq!(fetched.author_name.as_deref(), Some("Joris V."));
    client
        .post_public_reply(&client.target(f), "Sorry, Joris.", &token)
        .await
        .unwrap();
}

fn replies_at(api: &MockServer) -> replies::TrustpilotReplies {
    replies::TrustpilotReplies::new(
        stand_in_http(),
        api.uri(),
        format!("{}/token", api.uri()),
        crate::oauth::ClientAuth::Basic {
            id: "key-1".into(),
            secret: secret("secret-1"),
        },
        "bu-user-1".into(),
    )
}

/// The stored refresh token exchanged, then the token checked: what `feedbackctl pages
/// check` does.
async fn check(
    client: &replies::TrustpilotReplies,
) -> Result<crate::reply::AccessCheck, crate::reply::ReplyError> {
    let unit = feedback::AccountId::parse("5f1e2d3c4b5a697887766554").unwrap();
    let token = client.access_token(&unit, &secret("refresh")).await?;
    client.check_access(&unit, &token).await
}

#[tokio::test]
async fn a_trustpilot_refresh_token_the_token_endpoint_exchanges_is_valid() {
    let api = MockServer::start().await;
    token_endpoint(json!({"access_token": "tp-at"}))
        .expect(1)
        .mount(&api)
        .await;
    assert_eq!(
        check(&replies_at(&api)).await,
        Ok(crate::reply::AccessCheck::Exchanged)
    );
}

#[tokio::test]
async fn a_refused_trustpilot_refresh_token_means_reconnect_and_an_outage_means_later() {
    let api = MockServer::start().await;
    answer_posts_in_turn(&api, ResponseTemplate::new(401), ResponseTemplate::new(502)).await;
    let client = replies_at(&api);
    let refused = check(&client).await;
    assert!(
        matches!(refused, Err(crate::reply::ReplyError::Reconnect(_))),
        "{refused:?}"
    );
    let later = check(&client).await;
    assert!(
        matches!(later, Err(crate::reply::ReplyError::Transient(_))),
        "{later:?}"
    );
}

#[test]
fn stars_as_strings_times_without_offset_and_unknown_fields_are_read() {
    let body = json!({"events": [{"eventName": "service-review-created", "version": "1",
        "eventData": {"id": REVIEW_ID, "stars": "4", "createdAt": "2013-09-07T13:37:00",
            "isVerified": true, "tags": [], "consumer": {"displayName": "John Doe"}}}]});
    let parsed = parse::parse_events(body.to_string().as_bytes(), None, NOW);
    assert_eq!(parsed.changes.len(), 1);
    let data = &body["events"][0]["eventData"];
    assert_eq!(parse::stars(&data["stars"]).map(|r| r.stars()), Some(4));
    assert_eq!(
        parse::time_of(data, "createdAt"),
        Some(datetime!(2013-09-07 13:37 UTC))
    );
    for bad in [json!("6"), json!(0), json!("four"), json!(4.5), json!(null)] {
        assert_eq!(parse::stars(&bad), None, "{bad}");
    }
}
