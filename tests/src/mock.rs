//! Stand-in APIs' answers mounted in one step: `Mock::given(…).and(…)` then
//! `.answer(200, json!(…), &server).await`.

use std::future::Future;
use wiremock::{MockBuilder, MockServer, ResponseTemplate};

/// Mount an answer to the requests a [`MockBuilder`] matches.
pub trait Answer {
    /// Answer them with `status` and `body` as JSON, on `server`.
    fn answer(
        self,
        status: u16,
        body: serde_json::Value,
        server: &MockServer,
    ) -> impl Future<Output = ()>;

    /// Answer them with `status` and no body, on `server`.
    fn answer_status(self, status: u16, server: &MockServer) -> impl Future<Output = ()>;

    /// Like [`Answer::answer`], expecting exactly one such request (`server.verify()`).
    fn answer_once(
        self,
        status: u16,
        body: serde_json::Value,
        server: &MockServer,
    ) -> impl Future<Output = ()>;
}

impl Answer for MockBuilder {
    async fn answer(self, status: u16, body: serde_json::Value, server: &MockServer) {
        self.respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(server)
            .await;
    }

    async fn answer_status(self, status: u16, server: &MockServer) {
        self.respond_with(ResponseTemplate::new(status))
            .mount(server)
            .await;
    }

    async fn answer_once(self, status: u16, body: serde_json::Value, server: &MockServer) {
        self.respond_with(ResponseTemplate::new(status).set_body_json(body))
            .expect(1)
            .mount(server)
            .await;
    }
}

/// `server` hands out the access token `token` (valid for an hour) at `POST /token`, an
/// OAuth token endpoint, to requests whose form holds each of `form`.
pub async fn token_endpoint(server: &MockServer, form: &[&str], token: &str) {
    use wiremock::matchers::{body_string_contains, method, path};
    let mut request = wiremock::Mock::given(method("POST")).and(path("/token"));
    for part in form {
        request = request.and(body_string_contains(*part));
    }
    request
        .answer(
            200,
            serde_json::json!({"access_token": token, "expires_in": 3599}),
            server,
        )
        .await;
}

/// A stand-in API answering the `verb` requests to `at` with `status` and `body` as JSON.
pub async fn api_answering(
    verb: &str,
    at: &str,
    status: u16,
    body: serde_json::Value,
) -> MockServer {
    use wiremock::matchers::{method, path};
    let server = MockServer::start().await;
    wiremock::Mock::given(method(verb))
        .and(path(at))
        .answer(status, body, &server)
        .await;
    server
}

/// The `verb` requests to `at` that carry the bearer token `token`, to answer.
pub fn with_bearer(verb: &str, at: &str, token: &str) -> wiremock::MockBuilder {
    use wiremock::matchers::{header, method, path};
    wiremock::Mock::given(method(verb))
        .and(path(at))
        .and(header("authorization", format!("Bearer {token}")))
}

/// The requests `server` received with this method whose path ends with `suffix` (`""`:
/// any path).
pub async fn received(server: &MockServer, method: &str, suffix: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == method && r.url.path().ends_with(suffix))
        .collect()
}
