//! Property tests: a signed delivery always verifies; any single changed byte of the body
//! or the signature never does.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use platforms::meta::{MetaWebhooks, SIGNATURE_HEADER};
use platforms::signature::hmac_sha256_hex;
use platforms::{InboundRequest, SecretList};
use proptest::prelude::*;
use secrecy::SecretString;

fn request(body: Vec<u8>, signature: &str) -> Option<InboundRequest> {
    let mut headers = HeaderMap::new();
    headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(signature).ok()?);
    Some(InboundRequest {
        method: Method::POST,
        path_tail: vec![],
        query: vec![],
        headers,
        body: Bytes::from(body),
    })
}

fn meta(secrets: &str) -> MetaWebhooks {
    MetaWebhooks::new(
        SecretList::from_comma_separated(secrets),
        SecretString::from("t".to_owned()),
    )
}

const SECRET_CHARS: &str = "[a-zA-Z0-9]{8,40}";

proptest! {
    #[test]
    fn a_delivery_signed_with_any_configured_secret_verifies(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        secret in SECRET_CHARS,
        other in SECRET_CHARS,
    ) {
        let signature = format!("sha256={}", hmac_sha256_hex(&secret, &body));
        let req = request(body, &signature).unwrap();
        let secrets = format!("{},{}", other, secret);
        prop_assert!(meta(&secrets).verify_signature(&req).is_ok());
    }

    #[test]
    fn any_single_changed_body_byte_is_rejected(
        body in proptest::collection::vec(any::<u8>(), 1..2048),
        secret in SECRET_CHARS,
        index in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let signature = format!("sha256={}", hmac_sha256_hex(&secret, &body));
        let mut tampered = body.clone();
        let i = index.index(tampered.len());
        tampered[i] ^= flip;
        let req = request(tampered, &signature).unwrap();
        prop_assert!(meta(&secret).verify_signature(&req).is_err());
    }

    #[test]
    fn any_single_changed_signature_character_is_rejected(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        secret in SECRET_CHARS,
        index in 0usize..71,
        replacement in "[ -~]",
    ) {
        let signature = format!("sha256={}", hmac_sha256_hex(&secret, &body));
        let mut chars: Vec<char> = signature.chars().collect();
        let r = replacement.chars().next().unwrap();
        prop_assume!(chars[index] != r);
        chars[index] = r;
        let changed: String = chars.into_iter().collect();
        if let Some(req) = request(body, &changed) {
            prop_assert!(meta(&secret).verify_signature(&req).is_err());
        }
    }

    #[test]
    fn parsing_any_signed_bytes_never_panics(body in proptest::collection::vec(any::<u8>(), 0..4096)) {
        use platforms::WebhookPlatform;
        let signature = format!("sha256={}", hmac_sha256_hex("s3cret-value", &body));
        let req = request(body, &signature).unwrap();
        let m = meta("s3cret-value");
        let verified = m.verify_signature(&req).unwrap();
        let parsed = m.parse(&verified, time::OffsetDateTime::now_utc());
        prop_assert!(!parsed.changes.is_empty() || !parsed.unsupported.is_empty());
    }
}
