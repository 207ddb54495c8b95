//! Contract tests for X: its published examples through the real door and client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::support::testing::{call, documented_get, post, secret, stand_in_http};
use crate::support::{Fixture, assert_reconnect, load};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use feedback::FeedbackKind;
use hmac::{Hmac, KeyInit, Mac};
use platforms::reply::{ReplyClient, ReplyError, ReplyTarget};
use platforms::signature::SecretList;
use platforms::x::replies::XReplies;
use platforms::x::{SIGNATURE_HEADER, XWebhooks};
use platforms::{HandshakeOutcome, WebhookPlatform};
use secrecy::SecretString;
use serde_json::Value;
use time::OffsetDateTime;
use wiremock::matchers::{body_json, method};
use wiremock::{Mock, MockServer};

/// A consumer secret made for these tests.
const SECRET: &str = "contract-test-consumer-secret";

/// The documented construction written out here: `sha256=` + base64 HMAC-SHA256.
fn sign(message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(message);
    format!("sha256={}", B64.encode(mac.finalize().into_bytes()))
}
use sha2::Sha256;

fn door() -> XWebhooks {
    XWebhooks::new(SecretList::from_comma_separated(SECRET))
}

/// The first item of a signed delivery of `body`, verified and parsed, which holds nothing
/// unsupported.
async fn deliver_supported(body: &str) -> feedback::Feedback {
    let body = body.as_bytes();
    let req = post(&[(SIGNATURE_HEADER, &sign(body))], body);
    let verified = door()
        .verify(&req, OffsetDateTime::now_utc())
        .await
        .unwrap();
    let parsed = door().parse(&verified, OffsetDateTime::now_utc());
    assert!(parsed.unsupported.is_empty(), "{:?}", parsed.unsupported);
    parsed.changes[0].feedback.clone()
}

#[test]
fn the_documented_crc_request_is_answered_in_the_documented_shape() {
    let f = load("x/crc-request.txt");
    let req = documented_get(&f.text);
    let token = req.query_param("crc_token").unwrap();
    let Some(HandshakeOutcome::Accept { content_type, body }) = door().handshake(&req) else {
        panic!("the documented CRC was not answered");
    };
    assert_eq!(content_type, "application/json");
    let answer: Value = serde_json::from_str(&body).unwrap();
    let documented = load("x/crc-answer.json").json();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&answer), keys(&documented));
    assert_eq!(answer["response_token"], sign(token.as_bytes()));
}

#[tokio::test]
async fn the_documented_reply_event_is_a_reply_to_the_account() {
    let f = load("x/post-reply-create.json");
    let item = &deliver_supported(&f.text).await;
    assert_eq!(item.account_id.as_str(), "1111111111111111111");
    assert_eq!(item.item_id.as_str(), "2090000000000000001");
    assert_eq!(item.kind, FeedbackKind::Reply);
    assert_eq!(item.parent_id.as_deref(), Some("2080761390344937796"));
    assert_eq!(item.author_id.as_deref(), Some("2222222222222222222"));
    assert!(!item.from_account);
}

#[tokio::test]
async fn the_documented_mention_event_is_a_mention_with_the_author_handle() {
    let f = load("x/post-mention-create.json");
    let item = &deliver_supported(&f.text).await;
    assert_eq!(item.kind, FeedbackKind::Mention);
    assert_eq!(item.text.as_deref(), Some("hey @ExampleUser"));
    assert_eq!(item.author_name.as_deref(), Some("OtherUser"));
    assert_eq!(item.language, None, "'und' is no language");
}

fn target() -> ReplyTarget {
    ReplyTarget {
        platform: platforms::x::PLATFORM,
        account_id: "1111111111111111111".into(),
        reply_to: "1234567890".into(),
        item_id: "9876543210".into(),
    }
}

fn client(server: &MockServer) -> XReplies {
    XReplies::new(stand_in_http(), server.uri())
}

fn token() -> SecretString {
    secret("user-token")
}

/// The stand-in expects the documented `request` once, a POST on `path`, and gives the
/// documented `answer`.
async fn expect_documented(server: &MockServer, path: &str, request: &Value, answer: &Fixture) {
    call("POST", path)
        .and(body_json(request))
        .respond_with(answer.answer())
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn our_reply_is_the_documented_request_and_its_documented_answer_gives_the_id() {
    let server = MockServer::start().await;
    let answer = load("x/create-post-answer.json");
    let request = load("x/reply-request.json").json();
    expect_documented(&server, "/2/tweets", &request, &answer).await;
    let text = request["text"].as_str().unwrap();
    let id = client(&server)
        .post_public_reply(&target(), text, &token())
        .await;
    assert_eq!(id.as_deref(), Ok("1445880548472328192"));
}

#[tokio::test]
async fn our_dm_is_the_documented_request_and_a_documented_refusal_is_final() {
    let server = MockServer::start().await;
    let request = load("x/dm-request.json").json();
    let answer = load("x/dm-answer.json");
    let dm_path = "/2/dm_conversations/with/9876543210/messages";
    expect_documented(&server, dm_path, &request, &answer).await;
    let text = request["text"].as_str().unwrap();
    let id = client(&server)
        .send_private_reply(&target(), text, &token())
        .await;
    assert_eq!(id.unwrap().as_deref(), Some("1582103724607971332"));

    let refused = MockServer::start().await;
    let error = load("x/error-answer.json");
    Mock::given(method("POST"))
        .respond_with(error.answer())
        .mount(&refused)
        .await;
    let err = client(&refused)
        .send_private_reply(&target(), text, &token())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ReplyError::Rejected(why) if why.contains("The 'query' parameter is required.")),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_documented_users_me_answer_passes_the_access_check_of_its_own_account_only() {
    let server = MockServer::start().await;
    let answer = load("x/users-me-answer.json");
    call("GET", "/2/users/me")
        .respond_with(answer.answer())
        .mount(&server)
        .await;
    let own = feedback::AccountId::parse("2244994945").unwrap();
    assert_eq!(
        client(&server).check_access(&own, &token()).await,
        Ok(platforms::reply::AccessCheck::Accepted {
            page: "X Developers (@XDevelopers)".into()
        })
    );
    let other = feedback::AccountId::parse("9876543210").unwrap();
    assert_reconnect(&client(&server).check_access(&other, &token()).await);
}
