//! Any signed body: parsing never panics and always accounts for the delivery.
#![no_main]

mod common;

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use platforms::meta::{MetaWebhooks, SIGNATURE_HEADER};
use platforms::{SecretList, WebhookPlatform};
use secrecy::SecretString;

fuzz_target!(|body: &[u8]| {
    let signature = format!("sha256={}", platforms::signature::hmac_sha256_hex("s", body));
    let mut headers = HeaderMap::new();
    headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(&signature).expect("hex is a valid header"));
    let request = common::post(headers, body);
    let meta = MetaWebhooks::new(SecretList::from_comma_separated("s"), SecretString::from("t".to_owned()));
    let verified = meta.verify_signature(&request).expect("signed with the configured secret");
    let parsed = meta.parse(&verified, time::OffsetDateTime::UNIX_EPOCH);
    assert!(!parsed.changes.is_empty() || !parsed.unsupported.is_empty());
    for change in &parsed.changes {
        assert!(!change.feedback.item_id.as_str().is_empty());
    }
});
