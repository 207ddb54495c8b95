//! What the tests share: webhook calls, stand-in APIs, secrets and reply targets. The unit
//! tests and the contract tests (`tests/contracts/support.rs`) use this one file.
// Each of the two uses part of it.
#![allow(dead_code, clippy::expect_used)]

use super::calls::Http;
use super::reply::ReplyTarget;
use super::{InboundRequest, SecretList, VerifyError, WebhookPlatform};
use bytes::Bytes;
use feedback::Platform;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use time::OffsetDateTime;

/// A call with these query parameters, headers (in order, a repeated name kept each time)
/// and body.
pub fn request(
    method: Method,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
    body: &[u8],
) -> InboundRequest {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
            HeaderValue::from_str(value).expect("a header value"),
        );
    }
    InboundRequest {
        method,
        path_tail: Vec::new(),
        query: query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        headers: map,
        body: Bytes::copy_from_slice(body),
    }
}

/// A POST of `body` with these headers.
pub fn post(headers: &[(&str, &str)], body: &[u8]) -> InboundRequest {
    request(Method::POST, &[], headers, body)
}

/// A GET with these query parameters.
pub fn get(query: &[(&str, &str)]) -> InboundRequest {
    request(Method::GET, query, &[], b"")
}

/// The GET a platform documents as `GET <url>`: its query parameters, no headers.
pub fn documented_get(line: &str) -> InboundRequest {
    let url = url::Url::parse(line.trim().trim_start_matches("GET ")).expect("a URL");
    InboundRequest {
        query: url.query_pairs().into_owned().collect(),
        ..request(Method::GET, &[], &[], b"")
    }
}

/// A POST of `body` to the route followed by the path segments `tail`.
pub fn post_to(tail: &[&str], body: &[u8]) -> InboundRequest {
    InboundRequest {
        path_tail: tail.iter().map(|s| s.to_string()).collect(),
        ..post(&[], body)
    }
}

/// The HTTP client tests point at a stand-in API: a call gives up after 2 s.
pub fn stand_in_http() -> Http {
    Http::new(std::time::Duration::from_secs(2))
}

/// A client made by `new` for the stand-in at `server` as an API whose calls take OAuth
/// access tokens: the stand-in HTTP client, the API at the stand-in's root, its token
/// endpoint at `POST /token` (what [`token_request`] answers).
pub fn token_api_at<T>(
    server: &wiremock::MockServer,
    new: impl FnOnce(Http, String, String) -> T,
) -> T {
    new(
        stand_in_http(),
        server.uri(),
        format!("{}/token", server.uri()),
    )
}

/// A call the stand-in answers: `method` on `path` (more matchers and the answer follow).
pub fn call(method: &str, path: impl Into<String>) -> wiremock::MockBuilder {
    wiremock::Mock::given(wiremock::matchers::method(method)).and(wiremock::matchers::path(path))
}

/// A call to the stand-in's OAuth token endpoint, `POST /token`.
pub fn token_request() -> wiremock::MockBuilder {
    call("POST", "/token")
}

/// A token endpoint's answer granting `access_token` for `expires_in` seconds.
pub fn granted(access_token: &str, expires_in: u64) -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(200)
        .set_body_json(serde_json::json!({"access_token": access_token, "expires_in": expires_in}))
}

/// A stand-in whose token endpoint refuses the grant or refresh token (400,
/// `invalid_grant`, as OAuth 2 answers a revoked one).
pub async fn refusing_token_endpoint() -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    token_request()
        .respond_with(
            wiremock::ResponseTemplate::new(400)
                .set_body_json(serde_json::json!({"error": "invalid_grant"})),
        )
        .mount(&server)
        .await;
    server
}

/// POSTs to `server` answered `first` once, then `then`.
pub async fn answer_posts_in_turn(
    server: &wiremock::MockServer,
    first: wiremock::ResponseTemplate,
    then: wiremock::ResponseTemplate,
) {
    let post = || wiremock::Mock::given(wiremock::matchers::method("POST"));
    post()
        .respond_with(first)
        .up_to_n_times(1)
        .mount(server)
        .await;
    post().respond_with(then).mount(server).await;
}

/// A secret (a token or key, as a page stores it) for tests.
pub fn secret(text: &str) -> secrecy::SecretString {
    secrecy::SecretString::from(text.to_owned())
}

/// The item ids of `feedback`, in order.
pub fn item_ids<'a>(feedback: impl IntoIterator<Item = &'a feedback::Feedback>) -> Vec<&'a str> {
    feedback.into_iter().map(|f| f.item_id.as_str()).collect()
}

/// Answer `item` of `account` on `platform` itself.
pub fn item_target(platform: Platform, account: &str, item: &str) -> ReplyTarget {
    ReplyTarget {
        platform,
        account_id: account.into(),
        reply_to: item.into(),
        item_id: item.into(),
    }
}

/// The form fields of a request sent to a stand-in.
pub fn sent_form(sent: &wiremock::Request) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(&sent.body)
        .into_owned()
        .collect()
}

/// Whether the stand-in `server` was sent nothing at all.
pub async fn nothing_received(server: &wiremock::MockServer) -> bool {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .is_empty()
}

/// The secret of GitHub's published HMAC-SHA256 vector (platforms.md).
pub const VECTOR_SECRET: &str = "It's a Secret to Everybody";
/// The body the vector signs.
pub const VECTOR_BODY: &[u8] = b"Hello, World!";

/// The vector's secret configured after an older one, as while a secret is rotated.
pub fn rotated_vector_secrets() -> SecretList {
    SecretList::from_comma_separated(&format!("old-secret,{VECTOR_SECRET}"))
}

/// The body of GitHub's published HMAC vector with its last character changed: the
/// vector's signature no longer matches it.
pub const CHANGED_BODY: &[u8] = b"Hello, World?";

/// A POST a door must refuse: its headers, its body, and why it is refused.
pub type Refused<'a> = (Vec<(&'a str, &'a str)>, &'a [u8], VerifyError);

/// Checks that `door` refuses each POST (its headers and body) for the reason given with it.
pub async fn assert_refusals(
    door: &dyn WebhookPlatform,
    cases: Vec<Refused<'_>>,
    now: OffsetDateTime,
) {
    for (headers, body, want) in cases {
        assert_eq!(
            refusal(door, &headers, body, now).await,
            want,
            "{headers:?}"
        );
    }
}

/// Why `door` refuses a POST of `body` with these headers at `now`.
pub async fn refusal(
    door: &dyn WebhookPlatform,
    headers: &[(&str, &str)],
    body: &[u8],
    now: OffsetDateTime,
) -> VerifyError {
    door.verify(&post(headers, body), now)
        .await
        .expect_err("the delivery is refused")
}
