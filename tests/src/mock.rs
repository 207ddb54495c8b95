//! Stand-in APIs' answers mounted in one step: `Mock::given(…).and(…)` then
//! `.answer(200, json!(…), &server).await`.

use platforms::oauth::ClientAuth;
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

/// The HTTP client a platform's client calls a stand-in API with: a call gives up after
/// 2 s.
pub fn stand_in_http() -> platforms::calls::Http {
    platforms::calls::Http::new(std::time::Duration::from_secs(2))
}

/// The stand-in's OAuth token endpoint, `POST {server}/token` (see [`token_endpoint`]).
pub fn token_url(server: &MockServer) -> String {
    format!("{}/token", server.uri())
}

/// A platform client made by `new(http, API base URL, token URL, auth)`, the way the
/// OAuth platforms' clients are made, calling the stand-in `api` with its token endpoint
/// at [`token_url`].
pub fn oauth_client<C>(
    api: &MockServer,
    auth: ClientAuth,
    new: impl FnOnce(platforms::calls::Http, String, String, ClientAuth) -> C,
) -> C {
    new(stand_in_http(), api.uri(), token_url(api), auth)
}

/// The Google reply client's outbound half, calling the stand-in `api`, with the OAuth
/// client `client`/`secret` (in the token request's body).
pub fn google_outbound(api: &MockServer) -> platforms::reply::Outbound {
    use platforms::google::replies::GoogleReplies;
    let auth = ClientAuth::Body {
        id: "client".into(),
        secret: secrecy::SecretString::from("secret".to_owned()),
    };
    let client = oauth_client(api, auth, GoogleReplies::new);
    platforms::reply::Outbound::new().with(GoogleReplies::outbound(std::sync::Arc::new(client)))
}
