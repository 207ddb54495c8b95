//! Any query: the handshake never panics and only echoes a token-like challenge.
#![no_main]

use bytes::Bytes;
use http::{HeaderMap, Method};
use libfuzzer_sys::fuzz_target;
use platforms::meta::MetaWebhooks;
use platforms::{HandshakeOutcome, InboundRequest, SecretList, WebhookPlatform};
use secrecy::SecretString;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let query: Vec<(String, String)> = text
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let request = InboundRequest {
        method: Method::GET,
        path_tail: vec![],
        query,
        headers: HeaderMap::new(),
        body: Bytes::new(),
    };
    let meta = MetaWebhooks::new(SecretList::from_comma_separated("s"), SecretString::from("the-token".to_owned()));
    if let Some(HandshakeOutcome::Accept { body, .. }) = meta.handshake(&request) {
        assert!(body.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        assert!(request.query.iter().any(|(k, v)| k == "hub.verify_token" && v == "the-token"));
    }
});
