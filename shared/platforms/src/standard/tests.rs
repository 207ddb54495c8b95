use super::*;
use crate::{ParsedDelivery, WebhookPlatform};
use bytes::Bytes;
use feedback::{ChangeVerb, FeedbackKind};
use http::{HeaderMap, HeaderValue, Method};
use serde_json::json;
use time::macros::datetime;

/// The Standard Webhooks library's published vector.
const VECTOR_KEY: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const VECTOR_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const VECTOR_TS: i64 = 1614265330;
const VECTOR_BODY: &str = r#"{"test": 2432232314}"#;
const VECTOR_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const OTHER_KEY: &str = "whsec_c2Vjb25kLWtleS1mb3Itcm90YXRpb24tdGVzdHM=";

fn request(id: &str, ts: &str, signature: &str, body: &str) -> InboundRequest {
    let headers = [
        ("webhook-id", id),
        ("webhook-timestamp", ts),
        ("webhook-signature", signature),
    ];
    crate::testing::post(&headers, body.as_bytes())
}

fn at(ts: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(ts).unwrap()
}

/// The door holding the published vector's key.
fn vector_door() -> StandardWebhooks {
    StandardWebhooks::new(&[VECTOR_KEY]).unwrap()
}

/// `door` refuses `req` at `ts`, for `why`.
fn assert_refused_at(door: &StandardWebhooks, req: &InboundRequest, ts: i64, why: VerifyError) {
    assert_eq!(door.verify_at(req, at(ts)).err(), Some(why));
}

#[test]
fn the_published_vector_signs_and_verifies() {
    let door = vector_door();
    assert_eq!(
        door.sign(VECTOR_ID, VECTOR_TS, VECTOR_BODY.as_bytes())
            .as_deref(),
        Some(VECTOR_SIG)
    );
    let req = request(VECTOR_ID, &VECTOR_TS.to_string(), VECTOR_SIG, VECTOR_BODY);
    assert!(door.verify_at(&req, at(VECTOR_TS)).is_ok());
}

#[test]
fn any_configured_key_and_any_v1_signature_in_the_header_is_accepted() {
    let door = StandardWebhooks::new(&[OTHER_KEY, VECTOR_KEY]).unwrap();
    let header = format!("v2,abc v1,AAAA {VECTOR_SIG}");
    let req = request(VECTOR_ID, &VECTOR_TS.to_string(), &header, VECTOR_BODY);
    assert!(door.verify_at(&req, at(VECTOR_TS)).is_ok());
}

#[test]
fn a_changed_body_id_or_timestamp_is_refused() {
    let door = vector_door();
    let ts = VECTOR_TS.to_string();
    for req in [
        request(VECTOR_ID, &ts, VECTOR_SIG, r#"{"test": 2432232315}"#),
        request("msg_other", &ts, VECTOR_SIG, VECTOR_BODY),
        request(
            VECTOR_ID,
            &(VECTOR_TS + 1).to_string(),
            VECTOR_SIG,
            VECTOR_BODY,
        ),
    ] {
        assert_refused_at(&door, &req, VECTOR_TS, VerifyError::SignatureMismatch);
    }
    let wrong_key = StandardWebhooks::new(&[OTHER_KEY]).unwrap();
    let req = request(VECTOR_ID, &ts, VECTOR_SIG, VECTOR_BODY);
    assert_refused_at(&wrong_key, &req, VECTOR_TS, VerifyError::SignatureMismatch);
}

#[test]
fn a_timestamp_more_than_five_minutes_away_either_way_is_refused() {
    let door = vector_door();
    let req = request(VECTOR_ID, &VECTOR_TS.to_string(), VECTOR_SIG, VECTOR_BODY);
    assert!(door.verify_at(&req, at(VECTOR_TS + 300)).is_ok());
    assert!(door.verify_at(&req, at(VECTOR_TS - 300)).is_ok());
    for now in [VECTOR_TS + 301, VECTOR_TS - 301] {
        assert_refused_at(&door, &req, now, VerifyError::StaleTimestamp);
    }
}

#[test]
fn missing_repeated_or_malformed_headers_are_refused_before_any_hashing() {
    let door = vector_door();
    let ts = VECTOR_TS.to_string();
    let mut missing = request(VECTOR_ID, &ts, VECTOR_SIG, VECTOR_BODY);
    missing.headers.remove("webhook-signature");
    assert!(matches!(
        door.verify_at(&missing, at(VECTOR_TS)),
        Err(VerifyError::MissingSignature("webhook-signature"))
    ));
    let mut repeated = request(VECTOR_ID, &ts, VECTOR_SIG, VECTOR_BODY);
    repeated
        .headers
        .append("webhook-id", HeaderValue::from_static("msg_2"));
    assert!(matches!(
        door.verify_at(&repeated, at(VECTOR_TS)),
        Err(VerifyError::DuplicateSignature("webhook-id"))
    ));
    for (ts, sig) in [
        ("soon", VECTOR_SIG),
        (ts.as_str(), "v1,not base64!"),
        (ts.as_str(), "v2,abc"),
    ] {
        let req = request(VECTOR_ID, ts, sig, VECTOR_BODY);
        assert!(
            matches!(
                door.verify_at(&req, at(VECTOR_TS)),
                Err(VerifyError::MalformedSignature(..))
            ),
            "{ts} {sig}"
        );
    }
}

#[test]
fn keys_must_be_whsec_base64_of_at_least_24_bytes() {
    assert_eq!(
        StandardWebhooks::new(&["MfKQ9r8G"]).err(),
        Some(KeyError::Prefix)
    );
    assert_eq!(
        StandardWebhooks::new(&["whsec_!!!"]).err(),
        Some(KeyError::Base64)
    );
    assert_eq!(
        StandardWebhooks::new(&["whsec_c2hvcnQ="]).err(),
        Some(KeyError::Short)
    );
    let shown = format!("{:?}", vector_door());
    assert!(!shown.contains("MfKQ"), "{shown}");
}

#[test]
fn a_signed_test_delivery_verifies() {
    let door = vector_door();
    let now = datetime!(2026-11-26 10:00 UTC);
    let delivery = door.sign_for_test(b"{}", now).unwrap();
    let mut headers = HeaderMap::new();
    for (k, v) in &delivery.headers {
        headers.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    let req = InboundRequest {
        method: Method::POST,
        path_tail: delivery.path_tail,
        query: vec![],
        headers,
        body: Bytes::from_static(b"{}"),
    };
    assert!(door.verify_at(&req, now).is_ok());
}

fn parse_json(v: serde_json::Value) -> ParsedDelivery {
    schema::parse(v.to_string().as_bytes(), datetime!(2026-11-26 10:00 UTC))
}

#[test]
fn a_complete_item_becomes_one_review_of_the_standard_platform() {
    let parsed = parse_json(json!({
        "type": "feedback.v1", "source": "brand24", "item_id": "mention-8841",
        "url": "https://forum.example/t/91#post-4",
        "author": {"name": "Sanne Jansen", "id": "sanne_j"},
        "text": "Bestelling nog steeds niet binnen", "rating": 2, "language": "nl",
        "created_at": "2026-11-20T09:30:00Z", "extra": "ignored"
    }));
    assert!(
        parsed.invalid.is_empty() && parsed.unsupported.is_empty(),
        "{parsed:?}"
    );
    let change = &parsed.changes[0];
    assert_eq!(change.verb, ChangeVerb::Added);
    let f = &change.feedback;
    assert_eq!(f.platform, PLATFORM);
    assert_eq!(f.item_id.as_str(), "brand24:mention-8841");
    assert_eq!(f.account_id.as_str(), "brand24");
    assert_eq!(f.kind, FeedbackKind::Review);
    assert_eq!(f.rating.map(|r| r.stars()), Some(2));
    assert_eq!(f.url.as_deref(), Some("https://forum.example/t/91#post-4"));
    assert_eq!(f.author_name.as_deref(), Some("Sanne Jansen"));
    assert_eq!(f.language.as_deref(), Some("nl"));
    assert_eq!(f.created_at, Some(datetime!(2026-11-20 09:30 UTC)));
}

#[test]
fn every_broken_field_is_named_in_one_answer() {
    let parsed = parse_json(json!({
        "type": "feedback.v1", "source": "Brand 24", "item_id": "a#b",
        "url": "javascript:alert(1)", "rating": 7, "language": "x", "created_at": "yesterday",
        "author": "sanne"
    }));
    assert!(parsed.changes.is_empty());
    let all = parsed.invalid.join("\n");
    for field in [
        "source:",
        "item_id:",
        "url:",
        "rating:",
        "language:",
        "created_at:",
        "author:",
        "text or rating:",
    ] {
        assert!(all.contains(field), "{field} missing from:\n{all}");
    }
}

#[test]
fn a_missing_type_or_non_object_body_is_invalid_and_a_newer_type_is_kept_for_later() {
    assert!(
        !parse_json(json!({"source": "x", "item_id": "1", "text": "hi"}))
            .invalid
            .is_empty()
    );
    assert!(!parse_json(json!([1, 2])).invalid.is_empty());
    let newer = parse_json(json!({"type": "feedback.v2", "whatever": true}));
    assert!(newer.invalid.is_empty() && newer.changes.is_empty());
    assert_eq!(newer.unsupported.len(), 1);
}

#[test]
fn updated_and_deleted_events_change_the_same_item() {
    let updated = parse_json(
        json!({"type": "feedback.v1", "event": "updated", "source": "trust-site", "item_id": "r1", "rating": 4}),
    );
    assert_eq!(updated.changes[0].verb, ChangeVerb::Edited);
    let deleted = parse_json(
        json!({"type": "feedback.v1", "event": "deleted", "source": "trust-site", "item_id": "r1"}),
    );
    assert_eq!(deleted.changes[0].verb, ChangeVerb::Removed);
    assert_eq!(
        deleted.changes[0].feedback.item_id.as_str(),
        "trust-site:r1"
    );
}
