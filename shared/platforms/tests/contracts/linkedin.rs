//! Contract tests for LinkedIn: its published validation request through the real door.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::support::load;
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use http::{HeaderMap, Method};
use platforms::linkedin::LinkedInWebhooks;
use platforms::signature::SecretList;
use platforms::{HandshakeOutcome, InboundRequest, WebhookPlatform};
use serde_json::Value;
use sha2::Sha256;

const SECRET: &str = "contract-test-client-secret";

#[test]
fn the_documented_validation_request_is_answered_with_the_hex_hmac_of_its_code() {
    let f = load("linkedin/validation-request.txt");
    let url = url::Url::parse(f.text.trim().trim_start_matches("GET ")).unwrap();
    let query: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let code = query
        .iter()
        .find(|(k, _)| k == "challengeCode")
        .unwrap()
        .1
        .clone();
    let req = InboundRequest {
        method: Method::GET,
        path_tail: vec![],
        query,
        headers: HeaderMap::new(),
        body: Bytes::new(),
    };
    let door = LinkedInWebhooks::new(SecretList::from_comma_separated(SECRET));
    let Some(HandshakeOutcome::Accept { body, .. }) = door.handshake(&req) else {
        panic!("the documented challenge was not answered");
    };
    // The documented construction, written out here: hex HMAC-SHA256 keyed with the secret.
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(code.as_bytes());
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["challengeCode"], code.as_str());
    assert_eq!(
        answer["challengeResponse"],
        hex::encode(mac.finalize().into_bytes())
    );
}
