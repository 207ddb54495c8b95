use super::replies::{XReplies, classify};
use super::*;
use crate::reply::{ReplyClient, ReplyError, ReplyTarget};
use crate::testing::{
    CHANGED_BODY, Refused, VECTOR_BODY, VECTOR_SECRET, assert_refusals, call, get,
    nothing_received, post, rotated_vector_secrets, secret, stand_in_http,
};
use crate::{ParsedDelivery, WebhookPlatform};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_json, header};
use wiremock::{MockServer, ResponseTemplate};

// GitHub's published vector (platforms.md), in the base64 form X uses.
const VECTOR_B64: &str = "sha256=dXEH6g6yUJ/CESIczphLijdXC211hsIsRvQ3nIsEPhc=";
const ACCOUNT: &str = "1111111111111111111";

fn door() -> XWebhooks {
    XWebhooks::new(rotated_vector_secrets())
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[tokio::test]
async fn the_github_vector_verifies_in_its_base64_form_with_any_configured_secret() {
    let req = post(&[(SIGNATURE_HEADER, VECTOR_B64)], VECTOR_BODY);
    assert!(door().verify(&req, now()).await.is_ok());
    let only_old = XWebhooks::new(SecretList::from_comma_separated("old-secret"));
    assert_eq!(
        only_old.verify(&req, now()).await.unwrap_err(),
        VerifyError::SignatureMismatch
    );
}

#[tokio::test]
async fn forged_unsigned_doubled_and_malformed_signatures_are_refused() {
    let forged = "sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let cases: Vec<Refused> = vec![
        (
            vec![],
            VECTOR_BODY,
            VerifyError::MissingSignature("x-twitter-webhooks-signature"),
        ),
        (
            vec![(SIGNATURE_HEADER, forged)],
            VECTOR_BODY,
            VerifyError::SignatureMismatch,
        ),
        (
            vec![
                (SIGNATURE_HEADER, VECTOR_B64),
                (SIGNATURE_HEADER, VECTOR_B64),
            ],
            VECTOR_BODY,
            VerifyError::DuplicateSignature("x-twitter-webhooks-signature"),
        ),
        (
            vec![(
                SIGNATURE_HEADER,
                "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            )],
            VECTOR_BODY,
            VerifyError::MalformedSignature(
                "x-twitter-webhooks-signature",
                "does not start with \"sha256=\"",
            ),
        ),
        (
            vec![(SIGNATURE_HEADER, "sha256=not base64")],
            VECTOR_BODY,
            VerifyError::MalformedSignature(
                "x-twitter-webhooks-signature",
                "expected base64 of 32 bytes",
            ),
        ),
        // The right signature over another body.
        (
            vec![(SIGNATURE_HEADER, VECTOR_B64)],
            CHANGED_BODY,
            VerifyError::SignatureMismatch,
        ),
    ];
    assert_refusals(&door(), cases, now()).await;
}

#[test]
fn the_crc_is_answered_with_the_base64_hmac_of_the_token() {
    let door = XWebhooks::new(SecretList::from_comma_separated(VECTOR_SECRET));
    // The vector's body is not token-like (a space, a comma), so compute with a token.
    let token = "9b4507b3-9040-4669-9ca3-6b94edb50553";
    // Computed apart (Python's hmac and base64) from the documented construction.
    let want = "sha256=upPDg9IT3JFZnmZRJeYIbWOnbn3ll0XCbbVO7g3vKoE=";
    let got = door.handshake(&get(&[("crc_token", token)]));
    assert_eq!(
        got,
        Some(HandshakeOutcome::Accept {
            content_type: "application/json",
            body: json!({ "response_token": want }).to_string(),
        })
    );
    // The same construction as the delivery signature: the vector, through crc_response.
    assert_eq!(
        hmac_b64(VECTOR_SECRET, VECTOR_BODY)
            .map(|b| format!("sha256={b}"))
            .as_deref(),
        Some(VECTOR_B64)
    );
}

#[test]
fn a_crc_token_that_is_not_token_like_is_never_signed() {
    let long = "a".repeat(MAX_CRC_TOKEN + 1);
    let body = r#"{"data":{"event_type":"post.mention.create"}}"#;
    for bad in [
        "",
        "Hello, World!",
        long.as_str(),
        body,
        "a b",
        "tok\u{e9}n",
    ] {
        let got = door().handshake(&get(&[("crc_token", bad)]));
        assert!(
            matches!(got, Some(HandshakeOutcome::Malformed { .. })),
            "{bad:?}: {got:?}"
        );
    }
    let none = door().handshake(&get(&[]));
    assert!(matches!(none, Some(HandshakeOutcome::Malformed { .. })));
    assert_eq!(door().handshake(&post(&[], b"")), None);
}

fn mention(author: &str, id: &str) -> Vec<u8> {
    json!({"data": {"event_uuid": id, "filter": {"user_id": ACCOUNT}, "event_type": "post.mention.create",
        "payload": {"id": id, "text": "@ExampleUser my order never came", "author_id": author, "conversation_id": id,
                    "created_at": "2026-07-24T21:23:23.000Z", "lang": "en"},
        "includes": {"users": [{"id": author, "username": "OtherUser", "name": "Other"}]}}})
    .to_string()
    .into_bytes()
}

fn parse(body: &[u8]) -> ParsedDelivery {
    let req = post(&[], body);
    door().parse(&VerifiedDelivery::new(ROUTE, &req), now())
}

#[test]
fn a_mention_becomes_feedback_of_the_account_with_the_author_handle() {
    let parsed = parse(&mention("2222222222222222222", "2080765813578191303"));
    assert!(parsed.unsupported.is_empty(), "{:?}", parsed.unsupported);
    let f = &parsed.changes[0].feedback;
    assert_eq!(f.platform, PLATFORM);
    assert_eq!(f.account_id.as_str(), ACCOUNT);
    assert_eq!(f.item_id.as_str(), "2080765813578191303");
    assert_eq!(f.kind, feedback::FeedbackKind::Mention);
    assert_eq!(f.author_name.as_deref(), Some("OtherUser"));
    assert_eq!(
        f.url.as_deref(),
        Some("https://x.com/i/web/status/2080765813578191303")
    );
    assert!(!f.from_account);
}

#[test]
fn the_account_own_posts_are_stored_as_its_own_never_to_be_answered() {
    let parsed = parse(&mention(ACCOUNT, "2080765813578191304"));
    assert!(parsed.changes[0].feedback.from_account);
    let aaa = json!({"for_user_id": ACCOUNT, "tweet_create_events": [
        {"id_str": "42", "text": "thanks!", "user": {"id_str": ACCOUNT, "screen_name": "ExampleUser"}, "in_reply_to_status_id_str": "41"},
        {"id_str": "43", "text": "@ExampleUser hello", "user": {"id_str": "7", "screen_name": "someone"}}
    ]}).to_string();
    let parsed = parse(aaa.as_bytes());
    let own: Vec<bool> = parsed
        .changes
        .iter()
        .map(|c| c.feedback.from_account)
        .collect();
    assert_eq!(own, [true, false]);
    assert_eq!(
        parsed.changes[0].feedback.kind,
        feedback::FeedbackKind::Reply
    );
    assert_eq!(
        parsed.changes[1].feedback.kind,
        feedback::FeedbackKind::Mention
    );
}

#[test]
fn a_signed_body_we_cannot_use_is_reported_not_dropped() {
    for body in [
        &b"not json"[..],
        br#"{"data":{"event_type":"like.create","filter":{"user_id":"1"},"payload":{}}}"#,
        br#"{"for_user_id":"1","favorite_events":[{}]}"#,
        br#"{"data":{"event_type":"post.mention.create","filter":{"user_id":"x#1"},"payload":{"id":"1"}}}"#,
    ] {
        let parsed = parse(body);
        assert!(parsed.changes.is_empty());
        assert_eq!(parsed.unsupported.len(), 1, "{}", String::from_utf8_lossy(body));
    }
}

#[tokio::test]
async fn what_sign_for_test_signs_verifies() {
    let body = mention("2", "3");
    let signed = door().sign_for_test(&body, now()).unwrap();
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let req = post(&headers, &body);
    assert!(door().verify(&req, now()).await.is_ok());
}

#[test]
fn only_the_consumer_secrets_configure_x() {
    assert!(XWebhooks::from_lookup(&|_| None).is_none());
    let problems =
        XWebhooks::from_lookup(&|k| (k == "X_CONSUMER_SECRETS").then(|| " , ".to_owned()));
    assert!(matches!(problems, Some(Err(p)) if p == ["X_CONSUMER_SECRETS lists no secret"]));
}

fn client(server: &MockServer) -> XReplies {
    XReplies::new(stand_in_http(), server.uri())
}

fn target() -> ReplyTarget {
    ReplyTarget {
        platform: PLATFORM,
        account_id: ACCOUNT.into(),
        reply_to: "2080765813578191303".into(),
        item_id: "2222222222222222222".into(),
    }
}

fn token() -> SecretString {
    secret("user-token")
}

#[tokio::test]
async fn a_public_reply_is_a_post_in_reply_to_the_item() {
    let server = MockServer::start().await;
    call("POST", "/2/tweets")
        .and(header("authorization", "Bearer user-token"))
        .and(body_json(
            json!({"text": "Sorry!", "reply": {"in_reply_to_tweet_id": "2080765813578191303"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"data": {"id": "9", "text": "Sorry!"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let id = client(&server)
        .post_public_reply(&target(), "Sorry!", &token())
        .await;
    assert_eq!(id.as_deref(), Ok("9"));
}

#[tokio::test]
async fn a_refused_dm_is_rejected_for_good_and_says_why() {
    let server = MockServer::start().await;
    call(
        "POST",
        "/2/dm_conversations/with/2222222222222222222/messages",
    )
    .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "title": "Forbidden", "detail": "You cannot send messages to this user.",
            "type": "about:blank"})))
    .expect(1)
    .mount(&server)
    .await;
    let err = client(&server)
        .send_private_reply(&target(), "Hi", &token())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ReplyError::Rejected(why) if why.contains("refused the DM") && why.contains("cannot send")),
        "{err:?}"
    );
}

#[test]
fn errors_are_classified_by_what_should_happen_next() {
    assert!(matches!(classify(401, "{}"), ReplyError::Reconnect(_)));
    assert!(matches!(
        classify(
            403,
            r#"{"type":"https://api.x.com/2/problems/client-forbidden"}"#
        ),
        ReplyError::Reconnect(_)
    ));
    assert!(matches!(classify(403, "{}"), ReplyError::Rejected(_)));
    assert!(matches!(classify(404, ""), ReplyError::Gone(_)));
    assert!(matches!(classify(429, ""), ReplyError::Transient(_)));
    assert!(matches!(classify(503, ""), ReplyError::Ambiguous(_)));
}

#[tokio::test]
async fn ids_that_are_not_x_ids_are_never_sent() {
    let server = MockServer::start().await;
    let mut t = target();
    t.reply_to = "../2/users".into();
    let err = client(&server)
        .post_public_reply(&t, "x", &token())
        .await
        .unwrap_err();
    assert!(matches!(err, ReplyError::Rejected(_)));
    assert!(nothing_received(&server).await);
}
