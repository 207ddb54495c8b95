//! Contract tests for standard: its fixtures through the real door and client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::support::testing::post;
use crate::support::{assert_every_fixture_tested, load};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, KeyInit, Mac};
use platforms::standard::StandardWebhooks;
use platforms::{InboundRequest, VerifyError, WebhookPlatform};
use sha2::Sha256;
use time::OffsetDateTime;

/// A key made for these tests (32 bytes), never one a sender holds.
const TEST_KEY_BYTES: &[u8; 32] = b"contract-test-key-32-bytes-long!";

fn test_key() -> String {
    format!("whsec_{}", B64.encode(TEST_KEY_BYTES))
}

fn at(ts: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(ts).unwrap()
}

/// A POST of `body` with the three headers of a Standard Webhooks delivery.
fn delivery(id: &str, ts: i64, signature: &str, body: &[u8]) -> InboundRequest {
    post(
        &[
            ("webhook-id", id),
            ("webhook-timestamp", &ts.to_string()),
            ("webhook-signature", signature),
        ],
        body,
    )
}

/// The documented construction, written out here rather than taken from the door:
/// `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")).
fn sign(key: &[u8], content: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(content);
    format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
}

/// `{id}.{timestamp}.{body}` split as the spec writes it.
fn split_signed_content(text: &str) -> (&str, i64, &str) {
    let (id, rest) = text.split_once('.').unwrap();
    let (ts, body) = rest.split_once('.').unwrap();
    (id, ts.parse().unwrap(), body)
}

#[test]
fn the_libraries_published_vector_verifies_and_its_non_feedback_body_is_refused_as_invalid() {
    let f = load("standard/library-test-vector.json");
    assert_eq!(f.source.kind, "delivery");
    // The values published beside the body in the libraries' "sign function works" test.
    let key = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    let ts = 1614265330;
    let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    assert_eq!(f.text, r#"{"test": 2432232314}"#, "the body, byte for byte");
    let door = StandardWebhooks::new(&[key]).unwrap();
    assert_eq!(
        door.sign(id, ts, f.text.as_bytes()).as_deref(),
        Some(expected)
    );
    let req = delivery(id, ts, expected, f.text.as_bytes());
    let verified = door.verify_at(&req, at(ts)).unwrap();
    let parsed = door.parse(&verified, at(ts));
    assert!(parsed.changes.is_empty());
    assert!(
        parsed.invalid.iter().any(|p| p.starts_with("type:")),
        "{parsed:?}"
    );
    // The same delivery a minute past the 5-minute tolerance is refused.
    assert_eq!(
        door.verify_at(&req, at(ts + 301)).map(|_| ()),
        Err(VerifyError::StaleTimestamp)
    );
}

#[test]
fn the_specs_example_headers_are_read_as_a_list_where_v1a_is_ignored_and_v1_is_tried() {
    let f = load("standard/spec-example-headers.txt");
    let headers: Vec<(&str, &str)> = f
        .text
        .lines()
        .map(|l| l.split_once(": ").unwrap())
        .collect();
    let names: Vec<&str> = headers.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        names,
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
    );
    let ts: i64 = headers[1].1.parse().unwrap();
    let door = StandardWebhooks::new(&[&test_key()]).unwrap();
    let body = br#"{"type":"contact.created"}"#;
    // The spec's own signatures were made with a key that is not published: read, tried,
    // and found not to match (not refused as malformed).
    let req = post(&headers, body);
    assert_eq!(
        door.verify_at(&req, at(ts)).map(|_| ()),
        Err(VerifyError::SignatureMismatch)
    );
    // The spec's header with its v1 entry replaced by ours: the v1a entry beside it is
    // ignored and ours verifies.
    let ours = sign(
        TEST_KEY_BYTES,
        format!("{}.{ts}.", headers[0].1)
            .as_bytes()
            .iter()
            .chain(body)
            .copied()
            .collect::<Vec<u8>>()
            .as_slice(),
    );
    let (_, v1a) = headers[2].1.split_once(' ').unwrap();
    assert!(v1a.starts_with("v1a,"));
    let list = format!("{v1a} {ours}");
    let req = post(
        &[headers[0], headers[1], ("webhook-signature", list.as_str())],
        body,
    );
    assert!(door.verify_at(&req, at(ts)).is_ok());
}

#[test]
fn a_signature_over_the_specs_signed_content_verifies_for_its_id_timestamp_and_body() {
    let f = load("standard/spec-signed-content.txt");
    let (id, ts, body) = split_signed_content(&f.text);
    assert_eq!(id, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W");
    let signature = sign(TEST_KEY_BYTES, f.text.as_bytes());
    let door = StandardWebhooks::new(&[&test_key()]).unwrap();
    assert_eq!(
        door.sign(id, ts, body.as_bytes()).as_deref(),
        Some(signature.as_str()),
        "our door signs exactly the documented content"
    );
    let req = delivery(id, ts, &signature, body.as_bytes());
    let verified = door.verify_at(&req, at(ts - 300)).unwrap();
    // A verified body in another schema (type contact.created) is kept for later.
    let parsed = door.parse(&verified, at(ts));
    assert!(parsed.invalid.is_empty() && parsed.changes.is_empty());
    assert_eq!(parsed.unsupported.len(), 1, "{parsed:?}");
}

#[test]
fn the_specs_example_payload_signed_with_a_test_key_is_verified_and_kept_as_unsupported() {
    let f = load("standard/spec-example-payload.json");
    assert_eq!(f.json()["type"], "example.event");
    let door = StandardWebhooks::new(&[&test_key()]).unwrap();
    let (id, ts) = ("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", 1674087231);
    let signature = sign(TEST_KEY_BYTES, format!("{id}.{ts}.{}", f.text).as_bytes());
    let req = delivery(id, ts, &signature, f.text.as_bytes());
    let verified = door.verify_at(&req, at(ts)).unwrap();
    let parsed = door.parse(&verified, at(ts));
    assert!(
        parsed.invalid.is_empty() && parsed.changes.is_empty(),
        "{parsed:?}"
    );
    assert!(parsed.unsupported[0].reason.contains("example.event"));
    // One changed byte of the body (the pretty-printed JSON re-minified) no longer verifies.
    let minified = serde_json::to_string(&f.json()).unwrap();
    let req = delivery(id, ts, &signature, minified.as_bytes());
    assert_eq!(
        door.verify_at(&req, at(ts)).map(|_| ()),
        Err(VerifyError::SignatureMismatch)
    );
}

#[test]
fn every_standard_fixture_has_a_test() {
    assert_every_fixture_tested(
        "standard",
        &[
            "standard/library-test-vector.json",
            "standard/spec-example-headers.txt",
            "standard/spec-example-payload.json",
            "standard/spec-signed-content.txt",
        ],
    );
}
