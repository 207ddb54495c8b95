//! Contract tests for meta: its fixtures through the real door and client.
//!
//! Deliveries are signed here with a secret made for the test and go through
//! `MetaWebhooks::verify` and `parse`; answers are served by a local server and read by the
//! real `GraphClient`; documented requests are compared with what the client sends.

// Helpers of tests: a panic here is a failing test, as in a `#[test]` itself.
#![allow(clippy::panic)]

use crate::support::testing::{call, item_target, post, secret};
use crate::support::{Fixture, assert_every_fixture_tested, assert_reconnect, load, sent_header};
use bytes::Bytes;
use feedback::{AccountId, FeedbackKind};
use http::{HeaderMap, Method};
use platforms::meta::graph::{DEFAULT_GRAPH_VERSION, GraphClient, GraphConfig};
use platforms::meta::{FACEBOOK, INSTAGRAM, MetaWebhooks, SIGNATURE_HEADER};
use platforms::reply::{AccessToken, ReplyClient, ReplyError, ReplyTarget};
use platforms::{
    HandshakeOutcome, InboundRequest, ParsedDelivery, SecretList, WebhookPlatform,
    signature::hmac_sha256_hex,
};
use secrecy::SecretString;
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::datetime;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "a secret made for the contract tests";
const NOW: OffsetDateTime = datetime!(2026-12-06 12:00 UTC);
const PAGE: &str = "1029384756";

fn door(verify_token: &str) -> MetaWebhooks {
    MetaWebhooks::new(
        SecretList::from_comma_separated(SECRET),
        SecretString::from(verify_token.to_owned()),
    )
}

/// A POST of `body` signed as Meta signs it: `sha256=<hex HMAC-SHA256(app secret, body)>`.
fn signed(body: &[u8]) -> InboundRequest {
    let signature = format!("sha256={}", hmac_sha256_hex(SECRET, body));
    post(&[(SIGNATURE_HEADER, &signature)], body)
}

/// Through the real door: verified, then parsed.
async fn deliver(body: &[u8]) -> ParsedDelivery {
    let door = door("unused");
    let request = signed(body);
    let verified = door
        .verify(&request, NOW)
        .await
        .unwrap_or_else(|e| panic!("a correctly signed delivery was refused: {e}"));
    door.parse(&verified, NOW)
}

fn token() -> AccessToken {
    secret("page-token")
}

async fn client(server: &MockServer) -> GraphClient {
    GraphClient::new(&GraphConfig {
        base_url: server.uri(),
        timeout: Duration::from_secs(2),
        ..GraphConfig::default()
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

/// A server answering every `method` call with the fixture's body and status.
async fn serving(fixture: &Fixture, verb: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .respond_with(
            ResponseTemplate::new(fixture.status())
                .insert_header("content-type", "application/json; charset=UTF-8")
                .set_body_string(fixture.text.clone()),
        )
        .mount(&server)
        .await;
    server
}

fn target(platform: feedback::Platform, comment: &str) -> ReplyTarget {
    item_target(platform, PAGE, comment)
}

/// A public reply with `text` to `comment` on `platform`, through the Graph API at `server`.
async fn public_reply(
    server: &MockServer,
    platform: feedback::Platform,
    comment: &str,
    text: &str,
) -> Result<String, ReplyError> {
    client(server)
        .await
        .post_public_reply(&target(platform, comment), text, &token())
        .await
}

/// A private reply, "Hi", to the Facebook comment 777_9001, through the Graph API at `server`.
async fn private_hi(server: &MockServer) -> Result<Option<String>, ReplyError> {
    client(server)
        .await
        .send_private_reply(&target(FACEBOOK, "777_9001"), "Hi", &token())
        .await
}

// ---------------------------------------------------------------- deliveries

#[test]
fn the_documented_verification_request_is_answered_with_its_challenge() {
    let f = load("meta/webhook_verification_request.txt");
    // The page shows the URL broken after each `&`; the breaks are not in the query.
    let line: String = f.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let (verb, url) = line
        .split_once(' ')
        .unwrap_or_else(|| panic!("no method in {line:?}"));
    let url = url::Url::parse(&url.replace(' ', "")).unwrap_or_else(|e| panic!("{e}"));
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let verify_token = query
        .iter()
        .find(|(k, _)| k == "hub.verify_token")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    assert_eq!(verb, "GET");
    let request = InboundRequest {
        method: Method::GET,
        path_tail: vec![],
        query: query.clone(),
        headers: HeaderMap::new(),
        body: Bytes::new(),
    };
    assert_eq!(
        door(&verify_token).handshake(&request),
        Some(HandshakeOutcome::Accept {
            content_type: "text/plain; charset=utf-8",
            body: "1158201444".into()
        })
    );
    assert!(
        matches!(
            door("another-token").handshake(&request),
            Some(HandshakeOutcome::Refuse { .. })
        ),
        "the documented request must be refused when our verify token differs"
    );
}

/// The published example with its placeholders filled, its `//` line dropped and the comma
/// it lacks after `time` added: the only changes, all needed to make it a body at all.
fn instagram_example_filled(text: &str) -> String {
    let filled = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("<YOUR_APP_USERS_INSTAGRAM_ACCOUNT_ID>", "17841400000000001")
        .replace("<TIME_META_SENT_THIS_NOTIFICATION>", "1764957600,")
        .replace("<COMMENT_ID>", "17865799348089039")
        .replace("<INSTAGRAM_SCOPED_USER_ID>", "232323232")
        .replace("<USERNAME>", "marie.dupont")
        .replace("<COMMENT_TEXT>", "Toujours pas livr\\u00e9e")
        .replace("<MEDIA_ID>", "18000000000000001")
        .replace("<MEDIA_PRODUCT_TYPE>", "FEED");
    assert!(!filled.contains('<'), "a placeholder is left: {filled}");
    filled
}

#[tokio::test]
async fn the_documented_instagram_comment_example_becomes_one_instagram_comment() {
    let f = load("meta/instagram_comments_example.txt");
    let body = instagram_example_filled(&f.text);
    serde_json::from_str::<serde_json::Value>(&body)
        .unwrap_or_else(|e| panic!("the filled example is not JSON: {e}\n{body}"));
    let parsed = deliver(body.as_bytes()).await;
    assert!(parsed.unsupported.is_empty(), "{:?}", parsed.unsupported);
    let [change] = &parsed.changes[..] else {
        panic!("expected one change, got {:?}", parsed.changes);
    };
    let c = &change.feedback;
    assert_eq!(c.platform, INSTAGRAM);
    assert_eq!(c.account_id.as_str(), "17841400000000001");
    assert_eq!(c.item_id.as_str(), "17865799348089039");
    assert_eq!(c.kind, FeedbackKind::Comment);
    assert_eq!(c.author_id.as_deref(), Some("232323232"));
    assert_eq!(c.author_name.as_deref(), Some("marie.dupont"));
    assert_eq!(c.text.as_deref(), Some("Toujours pas livrée"));
    assert_eq!(c.thread_id.as_deref(), Some("18000000000000001"));
    assert!(!c.from_account);
    // The raw change is kept as it came, escapes and all.
    assert!(c.raw.contains("\"field\":\"comments\""), "{}", c.raw);
    assert!(c.raw.contains("livr\\u00e9e"), "{}", c.raw);
}

#[tokio::test]
async fn the_documented_instagram_comment_example_is_refused_when_its_signature_is_wrong() {
    let f = load("meta/instagram_comments_example.txt");
    let body = instagram_example_filled(&f.text);
    let mut request = signed(body.as_bytes());
    request.body = Bytes::from(body.replace("marie.dupont", "someone.else"));
    assert!(door("unused").verify(&request, NOW).await.is_err());
}

// ---------------------------------------------------------------- answers

#[tokio::test]
async fn a_documented_instagram_reply_answer_gives_the_new_reply_id() {
    let f = load("meta/ig_comment_replies_response.json");
    let server = serving(&f, "POST").await;
    let id = public_reply(&server, INSTAGRAM, "17870913679156914", "*sniff*").await;
    assert_eq!(id.as_deref(), Ok("17873440459141021"));
}

#[tokio::test]
async fn a_documented_send_api_answer_gives_the_message_id_as_it_is() {
    let f = load("meta/send_api_response.json");
    let server = serving(&f, "POST").await;
    let sent = private_hi(&server).await;
    assert_eq!(sent, Ok(Some("AG5Hz2U...".to_owned())));
}

#[tokio::test]
async fn a_documented_expired_token_error_asks_for_a_reconnect() {
    let f = load("meta/graph_error_response.json");
    let server = serving(&f, "POST").await;
    let err = public_reply(&server, FACEBOOK, "777_9001", "Thanks!").await;
    assert!(
        matches!(&err, Err(ReplyError::Reconnect(why)) if why.contains("Message describing the error") && why.contains("190")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_documented_expired_token_error_fails_the_page_check_with_a_reconnect() {
    let f = load("meta/graph_error_response.json");
    let server = serving(&f, "GET").await;
    let checked = client(&server)
        .await
        .check_access(
            &AccountId::parse(PAGE).unwrap_or_else(|e| panic!("{e}")),
            &token(),
        )
        .await;
    assert_reconnect(&checked);
}

#[tokio::test]
async fn a_documented_messenger_token_error_on_a_private_reply_asks_for_a_reconnect() {
    let f = load("meta/messenger_error_response.json");
    let server = serving(&f, "POST").await;
    let err = private_hi(&server).await;
    assert!(
        matches!(&err, Err(ReplyError::Reconnect(why)) if why.contains("Invalid OAuth access token.")),
        "{err:?}"
    );
}

// ---------------------------------------------------------------- requests

/// The one request the server received.
async fn the_request(server: &MockServer) -> wiremock::Request {
    let received = server.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 1, "{received:?}");
    received
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no request"))
}

#[tokio::test]
async fn our_instagram_reply_is_the_documented_request_on_the_replies_edge() {
    let f = load("meta/ig_comment_replies_request.txt");
    let words: Vec<&str> = f.text.split_whitespace().collect();
    let [verb, _host, target_path] = words[..] else {
        panic!("unexpected sample: {words:?}");
    };
    let documented = url::Url::parse(&format!("https://graph.facebook.com{target_path}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let comment = documented
        .path_segments()
        .and_then(|mut s| s.next())
        .unwrap_or_default()
        .to_owned();
    let message: String = documented
        .query_pairs()
        .find(|(k, _)| k == "message")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();

    let server = MockServer::start().await;
    call(
        "POST",
        format!("/{DEFAULT_GRAPH_VERSION}/{comment}/replies"),
    )
    .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":"1"}"#))
    .mount(&server)
    .await;
    public_reply(&server, INSTAGRAM, &comment, &message)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sent = the_request(&server).await;
    assert_eq!(sent.method.as_str(), verb);
    assert_eq!(
        sent.url.path(),
        format!("/{DEFAULT_GRAPH_VERSION}{}", documented.path())
    );
    // The documented parameter, in the body rather than the query (see the README).
    let body: serde_json::Value =
        serde_json::from_slice(&sent.body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body, serde_json::json!({ "message": "*sniff*" }));
    assert_eq!(sent.url.query(), None, "the token never travels in the URL");
    assert_eq!(
        sent_header(&sent, "authorization"),
        Some("Bearer page-token")
    );
}

#[tokio::test]
async fn our_private_reply_has_the_shape_of_the_documented_request() {
    let f = load("meta/private_reply_request.txt");
    let (_, after) = f
        .text
        .split_once("-d '")
        .unwrap_or_else(|| panic!("no body in {}", f.text));
    let (documented_body, rest) = after
        .split_once("' ")
        .unwrap_or_else(|| panic!("unterminated body in {}", f.text));
    let documented: serde_json::Value =
        serde_json::from_str(documented_body).unwrap_or_else(|e| panic!("{e}"));
    let documented_url = rest.trim().trim_matches('"');
    let documented_path = documented_url
        .split_once("graph.facebook.com")
        .map(|(_, p)| p.split('?').next().unwrap_or_default())
        .unwrap_or_default();
    assert!(f.text.contains("-X POST"));
    assert!(f.text.contains("Content-Type: application/json"));

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"recipient_id":"1","message_id":"m"}"#),
        )
        .mount(&server)
        .await;
    private_hi(&server).await.unwrap_or_else(|e| panic!("{e}"));
    let sent = the_request(&server).await;
    assert_eq!(sent.method.as_str(), "POST");
    // `/<GRAPH-API-VERSION>/PAGE-ID/messages`, with our version and page.
    let ours = documented_path
        .replace("<GRAPH-API-VERSION>", DEFAULT_GRAPH_VERSION)
        .replace("PAGE-ID", PAGE);
    assert_eq!(sent.url.path(), ours);
    assert!(sent_header(&sent, "content-type").is_some_and(|v| v.starts_with("application/json")));
    let body: serde_json::Value =
        serde_json::from_slice(&sent.body).unwrap_or_else(|e| panic!("{e}"));
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    };
    assert_eq!(keys(&body), keys(&documented), "top-level parameters");
    // The recipient names one item: the documented post_id, or (ours) its sibling comment_id.
    assert_eq!(keys(&documented["recipient"]), ["post_id"]);
    assert_eq!(
        body["recipient"],
        serde_json::json!({ "comment_id": "777_9001" })
    );
    assert!(body["message"].is_object() && documented["message"].is_object());
    assert_eq!(body["message"]["text"], "Hi");
}

// ---------------------------------------------------------------- all of them

#[test]
fn every_meta_fixture_has_a_test_here() {
    assert_every_fixture_tested(
        "meta",
        &[
            "meta/graph_error_response.json",
            "meta/ig_comment_replies_request.txt",
            "meta/ig_comment_replies_response.json",
            "meta/instagram_comments_example.txt",
            "meta/messenger_error_response.json",
            "meta/private_reply_request.txt",
            "meta/send_api_response.json",
            "meta/webhook_verification_request.txt",
        ],
    );
}
