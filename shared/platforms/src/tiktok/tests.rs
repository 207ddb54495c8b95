use super::replies::{TikTokReplies, classify};
use super::*;
use crate::reply::{ReplyClient, ReplyError};
use crate::testing::{
    VECTOR_BODY, VECTOR_SECRET, call, post, rotated_vector_secrets, secret, stand_in_http,
};
use crate::{ParsedDelivery, WebhookPlatform};
use serde_json::json;
use wiremock::matchers::{body_json, header};
use wiremock::{MockServer, ResponseTemplate};

// The GitHub vector's secret and body (platforms.md) in TikTok's construction
// "{t}.{body}", t = 1764000000; computed apart (Python's hmac).
const T: i64 = 1_764_000_000;
const VECTOR_S: &str = "e400107e54677b310c6fd8e101689566324146ff5ab3fffb9bad45981c224e38";
const ACCOUNT: &str = "act.example12345Example12345Example";

fn door() -> TikTokWebhooks {
    TikTokWebhooks::new(rotated_vector_secrets())
}

fn at(t: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t).unwrap()
}

#[tokio::test]
async fn the_known_answer_verifies_within_five_minutes_either_way() {
    let header = format!("t={T},s={VECTOR_S}");
    let req = post(&[(SIGNATURE_HEADER, &header)], VECTOR_BODY);
    for now in [T, T + 299, T - 299] {
        assert!(door().verify(&req, at(now)).await.is_ok(), "{now}");
    }
    for now in [T + 301, T - 301] {
        assert_eq!(
            door().verify(&req, at(now)).await.unwrap_err(),
            VerifyError::StaleTimestamp
        );
    }
    let first = TikTokWebhooks::new(SecretList::from_comma_separated(VECTOR_SECRET));
    assert_eq!(first.sign(T, VECTOR_BODY), Some(header));
}

#[tokio::test]
async fn forged_unsigned_moved_and_malformed_signatures_are_refused() {
    let zero = format!("t={T},s={}", "0".repeat(64));
    let moved = format!("t={},s={VECTOR_S}", T + 1);
    let cases: Vec<(Vec<(&str, &str)>, VerifyError)> = vec![
        (vec![], VerifyError::MissingSignature("TikTok-Signature")),
        (
            vec![(SIGNATURE_HEADER, &zero)],
            VerifyError::SignatureMismatch,
        ),
        (
            vec![(SIGNATURE_HEADER, &moved)],
            VerifyError::SignatureMismatch,
        ),
        (
            vec![(SIGNATURE_HEADER, VECTOR_S)],
            VerifyError::MalformedSignature("TikTok-Signature", "no t"),
        ),
        (
            vec![(SIGNATURE_HEADER, "t=1764000000,s=abc")],
            VerifyError::MalformedSignature("TikTok-Signature", "no s of 64 lowercase hex digits"),
        ),
        (
            vec![(SIGNATURE_HEADER, "t=-5,s=abc")],
            VerifyError::MalformedSignature("TikTok-Signature", "t is not whole seconds"),
        ),
    ];
    for (headers, want) in cases {
        assert_eq!(
            door()
                .verify(&post(&headers, VECTOR_BODY), at(T))
                .await
                .unwrap_err(),
            want,
            "{headers:?}"
        );
    }
    let header = format!("t={T},s={VECTOR_S}");
    let req = post(&[(SIGNATURE_HEADER, &header)], b"Hello, World?");
    assert_eq!(
        door().verify(&req, at(T)).await.unwrap_err(),
        VerifyError::SignatureMismatch
    );
}

fn comment_event(event: &str, author: &str, parent: Option<&str>) -> Vec<u8> {
    let mut content = json!({"comment_id": "7300000000000000001", "video_id": "7299999999999999999",
        "text": "Waar blijft mijn bestelling?", "user_id": author, "username": "sanne_j", "create_time": T});
    if let Some(p) = parent {
        content["parent_comment_id"] = json!(p);
    }
    json!({"client_key": "bwo2m45353a6k85", "event": event, "create_time": T, "user_openid": ACCOUNT,
           "content": content.to_string()})
    .to_string()
    .into_bytes()
}

fn parse(body: &[u8]) -> ParsedDelivery {
    let req = post(&[], body);
    door().parse(&VerifiedDelivery::new(ROUTE, &req), at(T))
}

#[test]
fn a_comment_inside_the_json_string_becomes_feedback_and_the_account_own_is_its_own() {
    let parsed = parse(&comment_event("comment.create", "u-1", None));
    assert!(parsed.unsupported.is_empty(), "{:?}", parsed.unsupported);
    let f = &parsed.changes[0].feedback;
    assert_eq!(f.account_id.as_str(), ACCOUNT);
    assert_eq!(f.item_id.as_str(), "7300000000000000001");
    assert_eq!(f.thread_id.as_deref(), Some("7299999999999999999"));
    assert_eq!(f.text.as_deref(), Some("Waar blijft mijn bestelling?"));
    assert_eq!(f.kind, feedback::FeedbackKind::Comment);
    assert!(!f.from_account);
    let own = parse(&comment_event(
        "comment.create",
        ACCOUNT,
        Some("7300000000000000000"),
    ));
    assert!(own.changes[0].feedback.from_account);
    assert_eq!(own.changes[0].feedback.kind, feedback::FeedbackKind::Reply);
}

#[test]
fn a_signed_body_we_cannot_use_is_reported_not_dropped() {
    for body in [
        br#"{"event":"authorization.removed","user_openid":"a","content":"{\"reason\": 1 }"}"#
            .to_vec(),
        br#"{"event":"comment.create","user_openid":"a","content":{"comment_id":"1"}}"#.to_vec(),
        b"not json".to_vec(),
    ] {
        let parsed = parse(&body);
        assert!(parsed.changes.is_empty());
        assert_eq!(parsed.unsupported.len(), 1);
    }
}

#[tokio::test]
async fn what_sign_for_test_signs_verifies() {
    let body = comment_event("comment.create", "u-1", None);
    let now = OffsetDateTime::now_utc();
    let signed = door().sign_for_test(&body, now).unwrap();
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert!(door().verify(&post(&headers, &body), now).await.is_ok());
}

#[tokio::test]
async fn a_reply_goes_to_the_comment_reply_endpoint_under_the_top_level_comment() {
    let server = MockServer::start().await;
    call("POST", "/v1.3/business/comment/reply/create/")
        .and(header("access-token", "business-token"))
        .and(body_json(
            json!({"business_id": ACCOUNT, "video_id": "7299999999999999999",
                              "comment_id": "7300000000000000000", "text": "Sorry!"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "message": "OK", "data": {"comment_id": "7300000000000000009"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = TikTokReplies::new(stand_in_http(), server.uri());
    let parsed = parse(&comment_event(
        "comment.create",
        "u-1",
        Some("7300000000000000000"),
    ));
    let target = client.target(&parsed.changes[0].feedback);
    let id = client
        .post_public_reply(&target, "Sorry!", &secret("business-token"))
        .await;
    assert_eq!(id.as_deref(), Ok("7300000000000000009"));
}

#[test]
fn errors_arrive_as_codes_and_are_classified_by_what_should_happen_next() {
    assert!(classify(200, r#"{"code":0}"#).is_none());
    assert!(matches!(
        classify(200, r#"{"code":40105,"message":"token expired"}"#),
        Some(ReplyError::Reconnect(_))
    ));
    assert!(matches!(
        classify(200, r#"{"code":40100}"#),
        Some(ReplyError::Transient(_))
    ));
    assert!(matches!(
        classify(200, r#"{"code":51000}"#),
        Some(ReplyError::Ambiguous(_))
    ));
    assert!(matches!(
        classify(200, r#"{"code":40002}"#),
        Some(ReplyError::Rejected(_))
    ));
    assert!(matches!(classify(502, ""), Some(ReplyError::Ambiguous(_))));
}
