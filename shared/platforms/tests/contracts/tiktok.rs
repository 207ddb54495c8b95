//! Contract tests for TikTok: its published envelopes, signed the documented way, are
//! verified and, not being feedback, kept raw.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::support::all;
use crate::support::testing::post;
use hmac::{Hmac, KeyInit, Mac};
use platforms::WebhookPlatform;
use platforms::signature::SecretList;
use platforms::tiktok::{SIGNATURE_HEADER, TikTokWebhooks};
use sha2::Sha256;
use time::OffsetDateTime;

const SECRET: &str = "contract-test-client-secret";

#[tokio::test]
async fn every_documented_envelope_verifies_when_signed_the_documented_way_and_is_kept_raw() {
    let door = TikTokWebhooks::new(SecretList::from_comma_separated(SECRET));
    let fixtures = all("tiktok");
    assert!(fixtures.len() >= 2);
    for f in fixtures {
        let now = OffsetDateTime::now_utc();
        let t = now.unix_timestamp();
        // Written out here: hex HMAC-SHA256(secret, "{t}.{body}").
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(f.text.as_bytes());
        let header = format!("t={t},s={}", hex::encode(mac.finalize().into_bytes()));
        let req = post(&[(SIGNATURE_HEADER, &header)], f.text.as_bytes());
        let verified = door
            .verify(&req, now)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", f.name));
        let parsed = door.parse(&verified, now);
        assert!(parsed.changes.is_empty(), "{}", f.name);
        assert_eq!(parsed.unsupported.len(), 1, "{}", f.name);
        assert!(
            parsed.unsupported[0].reason.contains("is not handled"),
            "{}: {:?}",
            f.name,
            parsed.unsupported
        );
    }
}
