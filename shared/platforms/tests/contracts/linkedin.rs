//! Contract tests for LinkedIn: its published validation request through the real door.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::support::load;
use crate::support::testing::documented_get;
use hmac::{Hmac, KeyInit, Mac};
use platforms::linkedin::LinkedInWebhooks;
use platforms::signature::SecretList;
use platforms::{HandshakeOutcome, WebhookPlatform};
use serde_json::Value;
use sha2::Sha256;

const SECRET: &str = "contract-test-client-secret";

#[test]
fn the_documented_validation_request_is_answered_with_the_hex_hmac_of_its_code() {
    let f = load("linkedin/validation-request.txt");
    let req = documented_get(&f.text);
    let code = req.query_param("challengeCode").unwrap();
    let door = LinkedInWebhooks::new(SecretList::from_comma_separated(SECRET));
    let Some(HandshakeOutcome::Accept { body, .. }) = door.handshake(&req) else {
        panic!("the documented challenge was not answered");
    };
    // The documented construction, written out here: hex HMAC-SHA256 keyed with the secret.
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(code.as_bytes());
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["challengeCode"], code);
    assert_eq!(
        answer["challengeResponse"],
        hex::encode(mac.finalize().into_bytes())
    );
}
