use super::replies::{LinkedInReplies, classify};
use super::*;
use crate::reply::{ReplyClient, ReplyError};
use crate::testing::{
    CHANGED_BODY, Refused, VECTOR_BODY, VECTOR_SECRET, assert_refusals, call, get, item_target,
    post, rotated_vector_secrets, secret, stand_in_http,
};
use crate::{ParsedDelivery, WebhookPlatform};
use serde_json::json;
use wiremock::matchers::{body_json, header};
use wiremock::{MockServer, ResponseTemplate};

// GitHub's published vector (platforms.md): the header-prefix form is the vector itself.
const VECTOR_HEX: &str = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
// The body-prefix form, HMAC(secret, "hmacsha256=Hello, World!"), computed apart (Python).
const PREFIXED_BODY_HEX: &str = "b06a6cff178a492a13ab854c3ff119587788d3331e2264a2b4a2b9f0751aff9a";
// The documented challenge code, answered with the vector's secret (computed apart).
const CHALLENGE: &str = "890e4665-4dfe-4ab1-b689-ed553bceeed0";
const CHALLENGE_HEX: &str = "2b4da4dbe2a95a7d527d7a700d70d1682b350e24f704b7acd7b0592d7989326d";
const ORG: &str = "urn:li:organization:2414183";

fn door() -> LinkedInWebhooks {
    LinkedInWebhooks::new(rotated_vector_secrets())
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[tokio::test]
async fn both_documented_forms_of_the_signature_verify() {
    let prefixed_header = format!("hmacsha256={VECTOR_HEX}");
    let prefixed_body = format!("hmacsha256={PREFIXED_BODY_HEX}");
    for signature in [
        prefixed_header.as_str(),
        VECTOR_HEX,
        PREFIXED_BODY_HEX,
        prefixed_body.as_str(),
        &VECTOR_HEX.to_uppercase(),
    ] {
        let req = post(&[(SIGNATURE_HEADER, signature)], VECTOR_BODY);
        assert!(door().verify(&req, now()).await.is_ok(), "{signature}");
    }
}

#[tokio::test]
async fn forged_unsigned_doubled_and_malformed_signatures_are_refused() {
    let zero = "0".repeat(64);
    let cases: Vec<Refused> = vec![
        (
            vec![],
            VECTOR_BODY,
            VerifyError::MissingSignature("X-LI-Signature"),
        ),
        (
            vec![(SIGNATURE_HEADER, zero.as_str())],
            VECTOR_BODY,
            VerifyError::SignatureMismatch,
        ),
        (
            vec![
                (SIGNATURE_HEADER, VECTOR_HEX),
                (SIGNATURE_HEADER, VECTOR_HEX),
            ],
            VECTOR_BODY,
            VerifyError::DuplicateSignature("X-LI-Signature"),
        ),
        (
            vec![(SIGNATURE_HEADER, "sha256=abc")],
            VECTOR_BODY,
            VerifyError::MalformedSignature("X-LI-Signature", "expected 64 hex digits"),
        ),
        // The right signature over another body.
        (
            vec![(SIGNATURE_HEADER, VECTOR_HEX)],
            CHANGED_BODY,
            VerifyError::SignatureMismatch,
        ),
    ];
    assert_refusals(&door(), cases, now()).await;
}

#[test]
fn the_challenge_is_answered_with_the_hex_hmac_and_only_a_token_like_one() {
    let door = LinkedInWebhooks::new(SecretList::from_comma_separated(VECTOR_SECRET));
    let got = door.handshake(&get(&[("challengeCode", CHALLENGE)]));
    assert_eq!(
        got,
        Some(HandshakeOutcome::Accept {
            content_type: "application/json",
            body: json!({"challengeCode": CHALLENGE, "challengeResponse": CHALLENGE_HEX})
                .to_string(),
        })
    );
    for bad in [
        "",
        "Hello, World!",
        "{\"notifications\":[]}",
        &"a".repeat(129),
    ] {
        let got = door.handshake(&get(&[("challengeCode", bad)]));
        assert!(
            matches!(got, Some(HandshakeOutcome::Malformed { .. })),
            "{bad:?}"
        );
    }
}

fn comment(id: u64, commenter: &str) -> serde_json::Value {
    json!({
        "notificationId": id, "action": "COMMENT", "organizationalEntity": ORG,
        "sourcePost": "urn:li:share:6785303345617375232", "lastModifiedAt": 1_764_000_000_000_i64,
        "generatedActivity": format!("urn:li:comment:(urn:li:activity:6785303345617375232,{id})"),
        "decoratedGeneratedActivity": {"comment": {"commenter": commenter, "text": "Nog steeds niets ontvangen"}}
    })
}

fn parse(body: &[u8]) -> ParsedDelivery {
    let req = post(&[], body);
    door().parse(&VerifiedDelivery::new(ROUTE, &req), now())
}

#[test]
fn comments_and_mentions_on_the_page_become_feedback_and_the_page_own_comments_its_own() {
    let body = json!({"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", "notifications": [
        comment(1, "urn:li:person:abc"),
        comment(2, ORG),
        {"notificationId": 3, "action": "SHARE_MENTION", "organizationalEntity": ORG,
         "generatedActivity": "urn:li:share:999", "decoratedGeneratedActivity": {"share": {"owner": "urn:li:person:def", "text": "@Bakkerij Zon weer te laat"}}},
        {"notificationId": 4, "action": "LIKE", "organizationalEntity": ORG}
    ]}).to_string();
    let parsed = parse(body.as_bytes());
    assert_eq!(parsed.changes.len(), 3);
    assert_eq!(parsed.unsupported.len(), 1, "the like is kept raw");
    let first = &parsed.changes[0].feedback;
    assert_eq!(first.account_id.as_str(), ORG);
    assert_eq!(
        first.item_id.as_str(),
        "urn:li:comment:(urn:li:activity:6785303345617375232,1)"
    );
    assert_eq!(first.text.as_deref(), Some("Nog steeds niets ontvangen"));
    assert!(first.raw.contains("\"notificationId\":1"), "{}", first.raw);
    assert!(!first.from_account);
    assert!(parsed.changes[1].feedback.from_account);
    assert_eq!(
        parsed.changes[2].feedback.kind,
        feedback::FeedbackKind::Mention
    );
    assert_eq!(
        parsed.changes[2].feedback.url.as_deref(),
        Some("https://www.linkedin.com/feed/update/urn:li:share:999/")
    );
}

#[test]
fn a_signed_body_we_cannot_use_is_reported_not_dropped() {
    for body in [
        &b"[]"[..],
        b"nope",
        br#"{"notifications":[{"action":"COMMENT"}]}"#,
    ] {
        let parsed = parse(body);
        assert!(parsed.changes.is_empty());
        assert!(!parsed.unsupported.is_empty());
    }
}

#[tokio::test]
async fn what_sign_for_test_signs_verifies() {
    let body = json!({"notifications": [comment(7, "urn:li:person:x")]}).to_string();
    let signed = door().sign_for_test(body.as_bytes(), now()).unwrap();
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert!(
        door()
            .verify(&post(&headers, body.as_bytes()), now())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_reply_is_a_comment_by_the_organization_under_the_comment() {
    let server = MockServer::start().await;
    let comment_urn = "urn:li:comment:(urn:li:activity:6785303345617375232,1)";
    call("POST", "/rest/socialActions/urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A6785303345617375232%2C1%29/comments")
        .and(header("linkedin-version", "202511"))
        .and(header("x-restli-protocol-version", "2.0.0"))
        .and(header("authorization", "Bearer member-token"))
        .and(body_json(json!({"actor": ORG, "object": "urn:li:activity:6785303345617375232",
                              "parentComment": comment_urn, "message": {"text": "Sorry!"}})))
        .respond_with(ResponseTemplate::new(201).insert_header("x-restli-id", "urn:li:comment:(urn:li:activity:6785303345617375232,2)"))
        .expect(1)
        .mount(&server)
        .await;
    let client = LinkedInReplies::new(stand_in_http(), server.uri(), "202511".into());
    let target = item_target(PLATFORM, ORG, comment_urn);
    let id = client
        .post_public_reply(&target, "Sorry!", &secret("member-token"))
        .await;
    assert_eq!(
        id.as_deref(),
        Ok("urn:li:comment:(urn:li:activity:6785303345617375232,2)")
    );
}

#[test]
fn errors_are_classified_by_what_should_happen_next() {
    assert!(matches!(classify(401, "{}"), ReplyError::Reconnect(_)));
    assert!(matches!(classify(403, "{}"), ReplyError::Reconnect(_)));
    assert!(matches!(classify(404, ""), ReplyError::Gone(_)));
    assert!(matches!(classify(429, ""), ReplyError::Transient(_)));
    assert!(matches!(classify(500, ""), ReplyError::Ambiguous(_)));
    assert!(matches!(classify(422, ""), ReplyError::Rejected(_)));
}
